"""Cost to serve — "What does serving customers cost, and where are the savings?"

Cost and contacts by channel and segment in the selected week, the channel mix over time with
the self-service launch detected from the data, repeat-contact waste, and the change in cost
against a baseline quarter split into volume, channel-mix and unit-cost effects.
"""

import streamlit as st

from dashboard.analysis import cost
from dashboard.exports import tables
from dashboard.i18n import _
from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui
from dashboard.ui import results

catalog = ui.catalog()
filters = ui.current_filters(catalog)
ui.page_header(_("Cost to serve"),
               _("What does serving customers cost, and where are the savings?"), filters)
ui.require_loaded("Cost to serve")
ui_assumptions.unit_cost_notice(filters, "cost")
report, ex = results.cost_page(filters, ui.session_value("cts_baseline"),
                                ui.session_value("cts_basis"))
t = report.titles

ui.stat_tiles(report.tiles)

section, tab = ui.sections((_("Where the cost goes"), _("The digital migration"),
                            _("Repeat-contact waste")), "cts_tab")
with tab:
    if section == 0:
        ui.side_by_side(ex, "cts_channels", "cts_segments", report.split_note)
        ui.table(report.channel_table, "cts_channel_table",
                 data=lambda: tables.cts_channels(report))
        if not report.split_note:
            ui.table(report.segment_table, "cts_segment_table",
                     data=lambda: tables.cts_segments(report))
        ui.note(t["unit_costs"])
        ui.table(report.unit_costs, "cts_unit_costs", data=lambda: tables.cts_unit_costs(report))
    elif section == 1:
        ui.exhibit(ex["cts_mix"])
    else:
        ui.side_by_side(ex, "cts_repeat_channels", "cts_repeat_trend")

# the savings section stays outside the tabs: its pickers keep their choice on every run
st.subheader(_("Savings against a baseline"))
ui.savings_controls(report.baseline_options, report.baseline_week, report.baseline_labels,
                    cost.BASES, report.basis)
if report.savings is None:
    ui.note(report.takeaways["savings"])
else:
    ui.exhibit(ex["cts_waterfall"])
    ui.table(report.savings_table, "cts_savings_table",
             data=lambda: tables.cts_savings(report))
    ui.note(cost.describe_method(report))
