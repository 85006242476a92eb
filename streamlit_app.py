"""CX Ledger: the frame. Page config, the shared filter bar, and explicit navigation."""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="CX Ledger", page_icon=":material/monitoring:", layout="wide")

pages = [
    st.Page("pages/weekly_kpis.py", title="Weekly KPIs", icon=":material/dashboard:",
            url_path="weekly-kpis", default=True),
]
page = st.navigation(pages)
catalog = ui.catalog()
if catalog is None:
    st.stop()
ui.filter_bar(catalog)
page.run()
