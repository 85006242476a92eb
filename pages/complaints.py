"""Complaints — "What goes wrong, how fast do we fix it, and does recovery keep customers?"
"""

import streamlit as st

from dashboard import charts, complaints, ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
report = complaints.build_report(ui.fetch, filters)

ui.page_header("Complaints", "What goes wrong, how fast do we fix it, and does recovery keep "
               "customers?", filters)
ui.card_row(report.cards)
ui.note(report.notes["service"])

st.subheader("What goes wrong")
ui.figure(charts.complaint_volume_chart(report.volume, "Complaints and rate per 1,000 active "
                                        "customers — weekly"), "cmp_volume",
          report.takeaways["volume"])
left, right = st.columns(2)
with left:
    ui.figure(charts.pareto_chart(report.pareto, "Categories — 13 weeks (Pareto)"),
              "cmp_pareto", report.takeaways["pareto"])
with right:
    ui.figure(charts.severity_mix_chart(report.severity, "Severity mix — weekly"),
              "cmp_severity", report.takeaways["severity"])
ui.takeaway_table(report.repeat_rows, "cmp_repeat", report.takeaways["repeat"])

st.subheader("How fast we fix it")
left, right = st.columns(2)
with left:
    ui.figure(charts.percentile_trend_chart(report.resolution, "Time to resolution — "
                                            "complaints resolved each week", "hours"),
              "cmp_resolution", report.takeaways["resolution"])
with right:
    ui.figure(charts.backlog_chart(report.backlog, "Open backlog by age"), "cmp_backlog",
              report.takeaways["backlog"])

st.subheader("Does recovery keep customers?")
left, right = st.columns(2)
with left:
    ui.figure(charts.interval_dots_chart(report.recovery, "retention_pct", "retention_low",
                                         "retention_high", "retention_status",
                                         "Still a customer 90 days later", "%"),
              "cmp_recovery_retention", report.takeaways["retention"])
with right:
    ui.figure(charts.interval_dots_chart(report.recovery, "nps", "nps_low", "nps_high",
                                         "nps_status", "Next NPS answer", "NPS"),
              "cmp_recovery_nps", report.takeaways["nps"])
ui.takeaway_table(report.recovery_rows, "cmp_recovery_table", report.notes["recovery"])

st.subheader("Compensation paid")
ui.figure(charts.compensation_chart(report.volume, "Compensation — weekly",
                                    report.currency_symbol), "cmp_compensation",
          report.takeaways["compensation"])
ui.note(report.notes["money"])
