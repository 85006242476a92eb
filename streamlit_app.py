"""CX Ledger: the frame. Page config, the shared filter bar, and explicit navigation."""

import streamlit as st

from dashboard.i18n import _
from dashboard.ui import access, frame, language, memory, navigation
from dashboard.ui import common as ui
from dashboard.ui import data as ui_data

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


# Who is using the app: the sign-in page, the no-role page, or the person whose roles decide
# the pages below and whose scope narrows every figure (dashboard/ui/access.py)
person = access.gate()

# Streamlit gives the default page the URL "/" and no other, so a page that is the default
# cannot be opened by its own URL: the default is a hidden root that opens the person's first
# page (Weekly KPIs for every role that sees figures), and every page opens by its own URL.
shown = {p.file: st.Page(p.file, title=_(p.title), icon=p.icon, url_path=p.url_path)
         for p in access.allowed_pages(person)}
home = st.Page(_home, title="CX Ledger", url_path="home", default=True, visibility="hidden")
page = st.navigation([home, *shown.values()])
if page.url_path == home.url_path:
    st.switch_page(next(iter(shown.values())))
data_page = shown.get("pages/data.py")
if page.url_path in navigation.WITHOUT_FILTERS:
    # the Data page works without a warehouse or survey data (a new team's first upload); the
    # filter bar is drawn when there is something to filter, so the selection is kept
    catalog = ui_data.catalog_if_any() if page is data_page else None
else:
    catalog = ui.catalog()
    if catalog is None:
        if data_page is not None:
            st.page_link(data_page, label=_("Load your own files on the Data page"),
                         icon=":material/upload:")
        access.sidebar(person)
        language.selector()
        access.end_run()
        st.stop()
if catalog is not None:
    ui.filter_bar(catalog)
# below the filters: the sidebar's first picker stays the week
language.selector()
access.sidebar(person)
access.page_viewed(person, page.url_path)
try:
    page.run()
finally:
    frame.end()  # its duration, for the speed bench (CX_RUN_TIMES=1)
    access.end_run()  # the next run's callbacks resolve the person afresh
    memory.release()  # the run's freed frames go back to the system, not kept in the heap
