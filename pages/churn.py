"""Churn & retention — "Who is leaving, why, and what is it costing?"
"""

import streamlit as st

from dashboard.exports import tables
from dashboard.i18n import _
from dashboard.ui import common as ui
from dashboard.ui import results

catalog = ui.catalog()
filters = ui.current_filters(catalog)
report, ex = results.churn_page(filters, ui.data_coverage())

ui.page_header(_("Churn & retention"), _("Who is leaving, why, and what is it costing?"),
               filters)
ui.card_row(report.cards)

section, tab = ui.sections((_("Who is leaving"), _("Why: survival by experience"),
                            _("What it is costing")), "churn_tab")
with tab:
    if section == 0:
        ui.side_by_side(ex, "churn_monthly", "churn_monthly_revenue")
        ui.note(report.notes["monthly"])
        ui.exhibit(ex["churn_cohorts"])
        ui.note(report.notes["cohorts"])
    elif section == 1:
        ui.side_by_side(ex, "churn_km_nps", "churn_km_complaint")
        ui.takeaway_table(report.survival_rows, "churn_km_table", report.notes["survival"],
                          data=lambda: tables.churn_survival(report))
    else:
        ui.exhibit(ex["churn_revenue_lost"])
        ui.note(report.notes["money"])
        st.markdown(_("**At-risk customers** (ids only)"))
        ui.takeaway_table(report.at_risk, "churn_at_risk", report.takeaways["at_risk"],
                          report.notes["at_risk"], customer_list=True,
                          identifiers=("Customer id", "customer_id"),
                          data=lambda: tables.churn_at_risk(report))
