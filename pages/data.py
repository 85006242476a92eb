"""Data — "Is the data fresh and sound, what did each load bring in, and what was kept out?"

Freshness of every raw table, the load log, the quarantine browser, the contract checks and the
upload. Works before there is a warehouse: a new team's first upload creates it.
"""

import streamlit as st

from dashboard.i18n import _
from dashboard.ui import access
from dashboard.ui import common as ui
from dashboard.ui import data as ui_data

ui.compare_header(_("Data"), _("Is the data fresh and sound, what did each load bring in, "
                                "and what was kept out?"))

if ui_data.warehouse_ready():
    st.subheader(_("Freshness of the raw tables"))
    ui_data.freshness_section()

    st.subheader(_("Loads, newest first"))
    ui_data.loads_section()

    st.subheader(_("Quarantine"))
    ui_data.quarantine_section()

    st.subheader(_("Contract checks"))
    ui_data.checks_section()

st.subheader(_("Load files"))
if access.may("data"):
    ui_data.upload_section()
else:
    ui.note(_("Loading files is for data stewards: your role reads this page."))
