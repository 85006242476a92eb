"""Assumptions — "Which finance inputs stand behind every money figure, who changed them, and
why?"

The published set changes only by publishing a draft: a draft is started as a copy, changed
value by value (each new value in force from the next week unless back-dated on purpose), its
differences from the published set are checked, and it is published with a reason.
"""

import streamlit as st

from dashboard.i18n import _
from dashboard.metrics.display import number
from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
aset = ui.assumption_set()

ui.page_header(_("Assumptions"), _("Which finance inputs stand behind every money figure, "
                                   "who changed them, and why?"), filters)
ui_assumptions.flash()
ui.note(ui_assumptions.status(aset))

if not ui_assumptions.may_edit():
    ui.note(_("Drafts and publishing are for the finance role: yours reads the assumptions."))
elif aset.is_published:
    ui_assumptions.name_field()
    ui_assumptions.start_draft_panel(aset)
else:
    ui_assumptions.name_field()
    st.subheader(_("Change a value of the draft"))
    aset = ui_assumptions.edit_form(aset)
    st.subheader(_("Differences from the published set — draft {set_id}",
                   set_id=ui.plain(aset.id)))
    changes = ui_assumptions.diff_panel(aset)
    ui_assumptions.publish_form(aset, changes)
    ui_assumptions.start_draft_panel(aset)

st.subheader(_("Values in force in {week} — set {set_id}", week=ui.plain(filters.week),
               set_id=ui.plain(aset.id)))
ui.takeaway_table(ui_assumptions.values_table(aset, filters), "asm_values",
                  _("{n} assumptions in force; {changes} recorded change(s) in this set.",
                    n=number(len(aset.table(filters.week_start)), 0, thousands=False),
                    changes=number(aset.version, 0, thousands=False)))

st.subheader(_("Change log"))
ui.takeaway_table(ui_assumptions.change_log(aset), "asm_log",
                  _("Every recorded change of set {name}, newest first.", name=aset.name))

st.subheader(_("Publications"))
ui.takeaway_table(ui_assumptions.history(), "asm_history",
                  _("Every publication of the published set, newest first: who, when, why, "
                    "from which draft, and the versions before and after."))
