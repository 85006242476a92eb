"""CX Ledger: the frame. Page config, the shared filter bar, and explicit navigation."""

import streamlit as st

from dashboard.ui import common as ui
from dashboard.ui import data as ui_data
from dashboard.ui import memory

# one cap on malloc arenas for the sessions' threads (glibc; a no-op elsewhere)
memory.limit_arenas()

# the page icon is a file served by the app itself: no request leaves the app's own host
st.set_page_config(page_title="CX Ledger", page_icon=ui.PAGE_ICON, layout="wide")
ui.fit_styles()


def _home() -> None:
    """The app's root URL, ``/``: never drawn, the frame opens Weekly KPIs at its own URL."""


# Streamlit gives the default page the URL "/" and no other, so a page that is the default
# cannot be opened by its own URL: the default is a hidden root that opens Weekly KPIs, and
# /weekly-kpis, like every other page's URL, opens its page directly.
weekly = st.Page("pages/weekly_kpis.py", title="Weekly KPIs", icon=":material/dashboard:",
                 url_path="weekly-kpis")
pages = [
    home := st.Page(_home, title="CX Ledger", url_path="home", default=True,
                    visibility="hidden"),
    weekly,
    st.Page("pages/satisfaction.py", title="Satisfaction", icon=":material/sentiment_satisfied:",
            url_path="satisfaction-trends"),
    st.Page("pages/complaints.py", title="Complaints", icon=":material/report:",
            url_path="complaints-recovery"),
    st.Page("pages/cost_to_serve.py", title="Cost to serve", icon=":material/payments:",
            url_path="cost-to-serve"),
    st.Page("pages/churn.py", title="Churn & retention", icon=":material/group_remove:",
            url_path="churn-retention"),
    st.Page("pages/segments.py", title="Segment comparison", icon=":material/compare:",
            url_path="segment-comparison"),
    st.Page("pages/money.py", title="CX in money", icon=":material/account_balance:",
            url_path="cx-in-money"),
    st.Page("pages/simulator.py", title="Impact simulator", icon=":material/tune:",
            url_path="impact-simulator"),
    st.Page("pages/board_pack.py", title="Board pack", icon=":material/slideshow:",
            url_path="board-pack"),
    st.Page("pages/assumptions.py", title="Assumptions", icon=":material/rule_settings:",
            url_path="finance-assumptions"),
    data_page := st.Page("pages/data.py", title="Data", icon=":material/database:",
                         url_path="data-loads"),
]
page = st.navigation(pages)
if page.url_path == home.url_path:
    st.switch_page(weekly)
if page.url_path == data_page.url_path:
    # the Data page works without a warehouse or survey data (a new team's first upload); the
    # filter bar is drawn when there is something to filter, so the selection is kept
    catalog = ui_data.catalog_if_any()
else:
    catalog = ui.catalog()
    if catalog is None:
        st.page_link(data_page, label="Load your own files on the Data page",
                     icon=":material/upload:")
        st.stop()
if catalog is not None:
    ui.filter_bar(catalog)
try:
    page.run()
finally:
    memory.release()  # the run's freed frames go back to the system, not kept in the heap
