"""Streamlit widgets of the Assumptions page (sets, values in force, edits, change log).

Every edit is validated by ``dashboard.money.assumptions`` and recorded in the app-owned store; the
analytics warehouse is never written. Refusals show the rule that was broken.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.metrics.filters import Filters
from dashboard.money import assumptions as A
from dashboard.ui import common as ui

_WHO_KEY = "asm_who"



def values_table(aset: A.AssumptionSet, filters: Filters) -> pd.DataFrame:
    """The values in force in the selected week, with unit, source and the rule of each."""
    t = aset.table(filters.week_start)
    return pd.DataFrame({
        "Key": t["assumption_key"],
        "Label": [A.spec_for(k).label for k in t["assumption_key"]],
        "Value": t["value_text"].astype(str),
        "Unit": t["unit"].astype(str),
        "In force from": [f"{d:%Y-%m-%d}" for d in t["valid_from"]],
        "Source": t["source"],
        "Rule": [A.spec_for(k).rule() for k in t["assumption_key"]],
        "Description": t["description"].astype(str),
    })


def change_log(aset: A.AssumptionSet) -> pd.DataFrame:
    """The set's recorded changes, newest first."""
    log = ui.app_store().read("store_changes", set_name=aset.name)
    if log.empty:
        return pd.DataFrame(columns=["#", "Key", "Effective from", "Old value", "New value",
                                     "When", "By", "Reason"])
    return pd.DataFrame({
        "#": log["change_id"].astype(int), "Key": log["assumption_key"],
        "Effective from": log["effective_from"], "Old value": log["old_value"].fillna("—"),
        "New value": log["new_value"], "When": log["changed_at"], "By": log["changed_by"],
        "Reason": log["reason"],
    }).iloc[::-1].reset_index(drop=True)


def set_panel(aset: A.AssumptionSet) -> None:
    """Create a new set from the current one (name, description)."""
    with st.expander("New assumption set"), st.form("asm_new_set", clear_on_submit=True):
        name = st.text_input("Name of the new set", key="asm_new_name",
                             help="1–40 letters, digits, spaces, dots, dashes or underscores.")
        desc = st.text_input("Description", key="asm_new_desc")
        if st.form_submit_button(ui.plain(f"Create as a copy of {aset.id}")):
            who = st.session_state.get(_WHO_KEY) or ui.signed_in_user() or "unknown"
            try:
                made = A.create_set(ui.app_store(), name, based_on=aset.name, who=who,
                                    description=desc)
            except A.AssumptionError as exc:
                st.error(ui.plain(str(exc)), icon=":material/block:")
            else:
                st.success(ui.plain(f"Created set {made!r}. Pick it in the sidebar to use it."))


def edit_form(aset: A.AssumptionSet, first_week: date) -> A.AssumptionSet:
    """Change one value of the set; returns the set as it is after the change (or unchanged)."""
    keys = list(aset.table(first_week)["assumption_key"])
    if not keys:
        keys = sorted(set(aset.rows["assumption_key"]))
    st.text_input("Your name (recorded with each change)", key=_WHO_KEY,
                  value=st.session_state.get(_WHO_KEY) or ui.signed_in_user())
    with st.form("asm_edit"):
        left, mid, right = st.columns([2, 1, 1])
        with left:
            key = st.selectbox("Assumption", keys, key="asm_key",
                               format_func=lambda k: f"{A.spec_for(k).label} ({k})")
        with mid:
            new = st.text_input("New value", key="asm_value")
        with right:
            eff = st.date_input("In force from", value=first_week, key="asm_from",
                                help="Default: the first week of the data, i.e. every week.")
        reason = st.text_input("Reason", key="asm_reason")
        submitted = st.form_submit_button("Record change")
    if submitted:
        who = st.session_state.get(_WHO_KEY) or "unknown"
        try:
            aset = A.record_change(ui.app_store(), aset, key, new, eff, who=who, reason=reason)
        except A.AssumptionError as exc:
            st.error(ui.plain(str(exc)), icon=":material/block:")
        else:
            st.success(ui.plain(f"Recorded: {key} = {new.strip()} from {eff:%Y-%m-%d} in set "
                                f"{aset.id}."))
    return aset
