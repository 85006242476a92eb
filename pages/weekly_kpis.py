"""Weekly KPIs — "How did customers feel and what did serving them cost last week, and did
anything really change?"
"""

import streamlit as st

from dashboard import kpis, ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
report = kpis.build_report(ui.fetch, filters)

st.title("Weekly KPIs")
st.caption(f"{filters.week} vs {filters.compare_week} ({filters.compare_label}) · "
           f"{filters.describe()}")
st.info(report.headline, icon=":material/insights:")

with st.container(horizontal=True):
    for tile in report.tiles:
        ui.kpi_tile(tile, report)

st.subheader("13-week trends")
cols = st.columns(2)
for i, tile in enumerate(report.tiles):
    with cols[i % 2]:
        ui.trend(tile, report)
