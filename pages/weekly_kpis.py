"""Weekly KPIs — "How did customers feel and what did serving them cost last week, and did
anything really change?"

The first screen answers the week: the headline (the moves ranked by their money a week), every
KPI as a compact tile, and the money in one line; the depth is one click away.
"""

import streamlit as st

from dashboard.i18n import _
from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui
from dashboard.ui import results, weekly

catalog = ui.catalog()
filters = ui.current_filters(catalog)
coverage = ui.data_coverage()
report, trends = results.kpis_page(filters, coverage)
aset = ui.assumption_set()
moves = results.kpis_moves(report, filters, aset)
money = results.money_headline(filters, aset, coverage)

ui.page_header(_("Weekly KPIs"), _("How did customers feel and what did serving them cost "
                                   "last week, and did anything really change?"), filters)
ui.headline(moves.headline, icon=":material/insights:")
weekly.tiles(report)
weekly.money_line(moves, money)
ui_assumptions.unit_cost_notice(filters, "kpis")
weekly.how_computed(report, moves, money)

shown = [tile for tile in report.tiles if f"trend_{tile.metric.name}" in trends]
if shown:
    st.subheader(_("13-week trends"))
    i, tab = ui.sections([tile.metric.label for tile in shown], "kpi_trend_tab")
    with tab:
        ui.exhibit(trends[f"trend_{shown[i].metric.name}"])
