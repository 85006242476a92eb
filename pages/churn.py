"""Churn & retention — "Who is leaving, why, and what is it costing?"
"""

import streamlit as st

from dashboard import charts, churn, ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
report = churn.build_report(ui.fetch, filters)

ui.page_header("Churn & retention", "Who is leaving, why, and what is it costing?", filters)
ui.card_row(report.cards)

st.subheader("Who is leaving")
left, right = st.columns(2)
with left:
    ui.figure(charts.segment_rate_chart(report.monthly, "value", "ci_low", "ci_high", "status",
                                        "Monthly churn by segment — customers", "% churned"),
              "churn_monthly", report.takeaways["monthly"])
with right:
    ui.figure(charts.segment_rate_chart(report.monthly, "rev_value", "rev_low", "rev_high",
                                        "rev_status", "Monthly churn by segment — "
                                        "revenue-weighted", "% of revenue churned"),
              "churn_monthly_revenue", report.takeaways["monthly_revenue"])
ui.note(report.notes["monthly"])
ui.figure(charts.cohort_heatmap(report.cohorts, "Cohort retention — % still active"),
          "churn_cohorts", report.takeaways["cohorts"])
ui.note(report.notes["cohorts"])

st.subheader("Why: survival by experience")
left, right = st.columns(2)
with left:
    ui.figure(charts.survival_chart(report.survival_nps, "Survival by latest NPS category",
                                    mark_week=26), "churn_km_nps",
              report.takeaways["survival_nps"])
with right:
    ui.figure(charts.survival_chart(report.survival_complaint, "Survival by unresolved "
                                    "complaint at start", mark_week=26), "churn_km_complaint",
              report.takeaways["survival_complaint"])
ui.takeaway_table(report.survival_rows, "churn_km_table", report.notes["survival"])

st.subheader("What it is costing")
ui.figure(charts.revenue_lost_chart(report.monthly, "Revenue lost to churn — monthly",
                                    report.currency_symbol), "churn_revenue_lost",
          report.takeaways["revenue_lost"])
ui.note(report.notes["money"])
st.markdown("**At-risk customers** (ids only)")
ui.takeaway_table(report.at_risk, "churn_at_risk", report.takeaways["at_risk"],
                  report.notes["at_risk"])
