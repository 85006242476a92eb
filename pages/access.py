"""Access & audit — "Who may see what, and who did what?" (admins only)

The roles granted to people and groups with their scopes, a form to grant or take one back,
and the audit log: sign-ins, page views, downloads and packs, assumption changes, loads and
role changes.
"""

import streamlit as st

from dashboard.i18n import _
from dashboard.ui import admin
from dashboard.ui import common as ui

ui.compare_header(_("Access & audit"), _("Who may see what, and who did what?"))
st.subheader(_("Roles granted"))
admin.grants_section()
admin.change_form()
st.subheader(_("Audit log"))
admin.audit_section()
