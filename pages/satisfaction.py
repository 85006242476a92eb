"""Satisfaction — "How do customers feel, where, and is it changing?"

NPS, CSAT and CES for the filtered customers, then one of three sections: the chosen score's
trend by group with 95% bands; the NPS mix and the score distribution; the expectation gap by
touchpoint and the groups that moved significantly (Benjamini–Hochberg) against the comparison
week.
"""


from dashboard.i18n import _
from dashboard.ui import common as ui
from dashboard.ui import results
from dashboard.ui import satisfaction as ui_sat

catalog = ui.catalog()
filters = ui.current_filters(catalog)

ui.page_header(_("Satisfaction"), _("How do customers feel, where, and is it changing?"),
               filters)
ui.require_loaded("Satisfaction")
view = ui_sat.controls(catalog)
report, ex = results.satisfaction_page(filters, view)

ui.headline(report.headline, icon=":material/sentiment_satisfied:")
ui_sat.tiles(report)

# one section drawn at a time (lazy tabs): a filter change builds and draws its charts only
section, tab = ui.sections((_("Is it changing?"), _("The mix of answers"), _("Where?")),
                           "sat_tab")
with tab:
    if section == 0:
        ui.exhibit(ex["sat_trend"])
    elif section == 1:
        ui.side_by_side(ex, "sat_mix", "sat_distribution")
    else:
        ui.exhibit_or_note(ex, "sat_gap", report.gap_takeaway, report.gap_note)
        ui_sat.movers(report)
