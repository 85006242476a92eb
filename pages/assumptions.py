"""Assumptions — "Which finance inputs stand behind every money figure, and who changed them?"
"""

import streamlit as st

from dashboard.metrics.filters import parse_week
from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
aset = ui.assumption_set()

ui.page_header("Assumptions", "Which finance inputs stand behind every money figure, and who "
               "changed them?", filters)
ui.note(f"Assumption set {aset.id} (pick another in the sidebar). Edits are recorded in the "
        "app's own store with the old and new value, when and by whom; the warehouse's "
        "published values are never overwritten. CX in money, the Impact simulator and the "
        "money headline use the set chosen in the sidebar; the observed cost figures of the "
        "Weekly KPIs and Cost to serve pages use the published costs the warehouse was built "
        "with.")

st.subheader("Change a value")
aset = ui_assumptions.edit_form(aset, parse_week(catalog.weeks[-1]))
ui_assumptions.set_panel(aset)

st.subheader(ui.plain(f"Values in force in {filters.week} — set {aset.id}"))
ui.takeaway_table(ui_assumptions.values_table(aset, filters), "asm_values",
                  f"{len(aset.table(filters.week_start))} assumptions in force; "
                  f"{aset.version} recorded change(s) in this set.")

st.subheader("Change log")
ui.takeaway_table(ui_assumptions.change_log(aset), "asm_log",
                  f"Every recorded change of set {aset.name}, newest first.")
