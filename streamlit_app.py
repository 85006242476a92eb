"""CX Ledger: the frame. Page config, the shared filter bar, and explicit navigation."""

import streamlit as st

from dashboard.i18n import _
from dashboard.ui import common as ui
from dashboard.ui import data as ui_data
from dashboard.ui import frame, language, memory, navigation

# what this run computes once (the exports' context every chart asks for) starts afresh
frame.start()
# one cap on malloc arenas for the sessions' threads (glibc; a no-op elsewhere)
memory.limit_arenas()

# the session's language, for everything this run draws (sidebar selector, ?lang=, CX_LOCALE)
language.choose()
# the page icon is a file served by the app itself: no request leaves the app's own host
st.set_page_config(page_title="CX Ledger", page_icon=ui.PAGE_ICON, layout="wide")
frame.fit_styles()


def _home() -> None:
    """The app's root URL, ``/``: never drawn, the frame opens Weekly KPIs at its own URL."""


# Streamlit gives the default page the URL "/" and no other, so a page that is the default
# cannot be opened by its own URL: the default is a hidden root that opens Weekly KPIs, and
# /weekly-kpis, like every other page's URL, opens its page directly.
shown = {p.file: st.Page(p.file, title=_(p.title), icon=p.icon, url_path=p.url_path)
         for p in navigation.PAGES}
weekly, data_page = shown["pages/weekly_kpis.py"], shown["pages/data.py"]
home = st.Page(_home, title="CX Ledger", url_path="home", default=True, visibility="hidden")
pages = [home, *shown.values()]
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
        st.page_link(data_page, label=_("Load your own files on the Data page"),
                     icon=":material/upload:")
        language.selector()
        st.stop()
if catalog is not None:
    ui.filter_bar(catalog)
# below the filters: the sidebar's first picker stays the week
language.selector()
try:
    page.run()
finally:
    frame.end()  # its duration, for the speed bench (CX_RUN_TIMES=1)
    memory.release()  # the run's freed frames go back to the system, not kept in the heap
