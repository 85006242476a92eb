"""Complaints — "What goes wrong, how fast do we fix it, and does recovery keep customers?"
"""


from dashboard.exports import tables
from dashboard.i18n import _
from dashboard.ui import common as ui
from dashboard.ui import results

catalog = ui.catalog()
filters = ui.current_filters(catalog)
ui.page_header(_("Complaints"), _("What goes wrong, how fast do we fix it, and does recovery "
                                  "keep customers?"), filters)
report, ex = results.complaints_page(filters, ui.require_loaded("Complaints"))

ui.card_row(report.cards)
ui.note(report.notes["service"])

section, tab = ui.sections((_("What goes wrong"), _("How fast we fix it"),
                            _("Does recovery keep customers?"), _("Compensation paid")),
                           "cmp_tab")
with tab:
    if section == 0:
        ui.exhibit(ex["cmp_volume"])
        ui.side_by_side(ex, "cmp_pareto", "cmp_severity", report.split_note)
        ui.takeaway_table(report.repeat_rows, "cmp_repeat", report.takeaways["repeat"],
                          data=lambda: tables.cmp_repeat(report))
    elif section == 1:
        ui.side_by_side(ex, "cmp_resolution", "cmp_backlog")
    elif section == 2:
        ui.side_by_side(ex, "cmp_recovery_retention", "cmp_recovery_nps")
        ui.takeaway_table(report.recovery_rows, "cmp_recovery_table", report.notes["recovery"],
                          data=lambda: tables.cmp_recovery(report))
    else:
        ui.exhibit(ex["cmp_compensation"])
        ui.note(report.notes["money"])
