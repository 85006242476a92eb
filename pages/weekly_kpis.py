"""Weekly KPIs — "How did customers feel and what did serving them cost last week, and did
anything really change?"
"""

import streamlit as st

from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui
from dashboard.ui import results

catalog = ui.catalog()
filters = ui.current_filters(catalog)
coverage = ui.data_coverage()
report, trends = results.kpis_page(filters, coverage)

ui.page_header("Weekly KPIs", "How did customers feel and what did serving them cost last "
               "week, and did anything really change?", filters)
ui.headline(report.headline, icon=":material/insights:")

ROWS = (("How customers feel", "survey"), ("What it costs, who leaves", "operations"))
for heading, kind in ROWS:
    st.subheader(heading)
    row = [t for t in report.tiles if t.metric.kind == kind]
    for col, tile in zip(st.columns(4), row, strict=False):
        with col:
            ui.kpi_tile(tile, report)

st.subheader("In money")
money = results.money_headline(filters, ui.assumption_set(), coverage)
if money.withheld:
    ui.note(money.withheld)
ui.money_row(money.figures, money.symbol)
ui_assumptions.unit_cost_notice(filters, "kpis")

st.subheader("13-week trends")
cols = st.columns(2)
for i, tile in enumerate(report.tiles):
    with cols[i % 2]:
        ui.exhibit(trends[f"trend_{tile.metric.name}"])
