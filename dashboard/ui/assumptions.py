"""Streamlit widgets of the Assumptions page (drafts, their differences from the published set,
publishing, values in force, change log, publication history) and the unit-cost notices of the
Weekly KPIs and Cost to serve pages.

Every edit is validated by ``dashboard.money.assumptions`` and recorded in the app-owned store;
publishing goes through ``dashboard.money.publishing``; the analytics warehouse is never
written. Refusals show the rule that was broken. Starting a draft and publishing one run in
widget callbacks, so the sidebar can switch to the new draft (or back to the published set)
before it is drawn; their outcome is shown once on the next run (``flash``).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.metrics.filters import Filters
from dashboard.money import assumptions as A
from dashboard.money import publishing, unit_costs
from dashboard.ui import common as ui

_WHO_KEY = "asm_who"
_FLASH_KEY = "asm_flash"


def _who() -> str:
    return (st.session_state.get(_WHO_KEY) or "").strip()


def _published_rows() -> pd.DataFrame:
    return ui.fetch("assumption_rows")


def _published() -> A.AssumptionSet:
    return A.load_set(ui.app_store(), _published_rows(), A.PUBLISHED)


def flash() -> None:
    """The outcome of the last draft start or publication (shown once)."""
    kind, text = st.session_state.pop(_FLASH_KEY, (None, ""))
    if kind == "success":
        st.success(ui.plain(text), icon=":material/check_circle:")
    elif kind == "error":
        st.error(ui.plain(text), icon=":material/block:")


def status(aset: A.AssumptionSet) -> str:
    """One line on what the chosen set is and how it changes."""
    if aset.is_published:
        return (f"Assumption set {aset.id}: the published set, the one every money figure uses "
                "unless a draft is picked in the sidebar. It changes only by publishing a "
                "draft: start one below, change it, check its differences and publish it with "
                "a reason. Every publication is recorded (who, when, why, each value old → "
                "new).")
    base = ("" if aset.base_version is None
            else f", started from {A.PUBLISHED} v{aset.base_version}")
    return (f"Assumption set {aset.id}: a draft{base}. The money figures of every page use it "
            "while it is picked in the sidebar; nothing else changes until it is published. "
            "The observed cost figures of the Weekly KPIs and Cost to serve pages always use "
            "the booked unit costs, those the contacts were loaded with.")


def name_field() -> None:
    """Your name, recorded with each change and publication (the signed-in user's by
    default)."""
    if _WHO_KEY not in st.session_state:
        st.session_state[_WHO_KEY] = ui.signed_in_user()
    st.text_input("Your name (recorded with each change and publication)", key=_WHO_KEY)


def values_table(aset: A.AssumptionSet, filters: Filters) -> pd.DataFrame:
    """The values in force in the selected week, with unit, source and the rule of each."""
    t = aset.table(filters.week_start)
    return pd.DataFrame({
        "Assumption": [A.key_label(k) for k in t["assumption_key"]],
        "Key": t["assumption_key"],
        "Value": t["value_text"].astype(str),
        "Unit": t["unit"].astype(str),
        "In force from": [f"{d:%Y-%m-%d}" for d in t["valid_from"]],
        "Source": t["source"],
        "Rule": [A.spec_for(k).rule() for k in t["assumption_key"]],
        "Description": t["description"].astype(str),
    })


_LOG_COLUMNS = ["#", "Key", "From", "Old value", "New value", "Back-dated", "When", "By",
                "Reason", "Publication"]


def change_log(aset: A.AssumptionSet) -> pd.DataFrame:
    """The set's recorded changes, newest first (for the published set: each with the
    publication that made it; "before publishing" for an edit from before publishing)."""
    log = ui.app_store().read("store_changes", set_name=aset.name)
    if log.empty:
        return pd.DataFrame(columns=_LOG_COLUMNS)
    if aset.is_published:
        pubs = [f"#{int(p)}" if pd.notna(p) else "before publishing"
                for p in log["publication_id"]]
    else:
        pubs = ["—"] * len(log)
    return pd.DataFrame({
        "#": log["change_id"].astype(int), "Key": log["assumption_key"],
        "From": log["effective_from"], "Old value": log["old_value"].fillna("—"),
        "New value": log["new_value"],
        "Back-dated": ["yes" if int(b) else "no" for b in log["back_dated"]],
        "When": log["changed_at"], "By": log["changed_by"], "Reason": log["reason"],
        "Publication": pubs,
    }, columns=_LOG_COLUMNS).iloc[::-1].reset_index(drop=True)


# --- starting a draft -------------------------------------------------------------------------


def _start_draft(based_on: str) -> None:
    """Callback: start the draft named in the form and pick it in the sidebar."""
    s = st.session_state
    try:
        made = A.create_set(ui.app_store(), s.get("asm_new_name", ""), based_on=based_on,
                            who=_who() or "unknown", description=s.get("asm_new_desc", ""))
    except A.AssumptionError as exc:
        s[_FLASH_KEY] = ("error", str(exc))
    else:
        ui.choose_assumption_set(made)
        s[_FLASH_KEY] = ("success", f"Started draft {made!r} as a copy of {based_on}; it is "
                                    "picked in the sidebar. Change its values below, then "
                                    "publish it.")


def start_draft_panel(aset: A.AssumptionSet) -> None:
    """Start a draft as a copy of the chosen set (name, description)."""
    title = ("Start a draft" if aset.is_published
             else "Start another draft from this one")
    with st.expander(title, expanded=aset.is_published), \
            st.form("asm_new_set", clear_on_submit=True):
        st.text_input("Name of the draft", key="asm_new_name",
                      help="1–40 letters, digits, spaces, dots, dashes or underscores.")
        st.text_input("What it is for", key="asm_new_desc")
        st.form_submit_button(ui.plain(f"Start a draft as a copy of {aset.id}"),
                              on_click=_start_draft, args=(aset.name,))


# --- changing a value of a draft --------------------------------------------------------------


def edit_form(aset: A.AssumptionSet, today: date | None = None) -> A.AssumptionSet:
    """Change one value of an open draft; returns the draft as it is after the change (or
    unchanged). The first week defaults to the next week; an earlier one needs the
    back-dating box."""
    start = A.next_week(today)
    keys = sorted(set(aset.rows["assumption_key"]))
    with st.form("asm_edit"):
        left, mid, right = st.columns([2, 1, 1])
        with left:
            key = st.selectbox("Assumption", keys, key="asm_key",
                               format_func=lambda k: f"{A.key_label(k)} ({k})")
        with mid:
            new = st.text_input("New value", key="asm_value")
        with right:
            eff = st.date_input(
                "In force from", value=start, key="asm_from",
                min_value=date(1900, 1, 1), max_value=start + timedelta(weeks=520),
                help=f"Default: the next week, {A.first_week_of(start)} (from "
                     f"{start:%Y-%m-%d}), so no week already reported changes. An earlier "
                     "date back-dates the value: tick the box below to mean it.")
        back = st.checkbox("Back-date: this value changes weeks already reported",
                           key="asm_back_date")
        reason = st.text_input("Reason", key="asm_reason")
        submitted = st.form_submit_button("Record change")
    if submitted:
        try:
            aset = A.record_change(ui.app_store(), aset, key, new, eff, who=_who() or "unknown",
                                   reason=reason, back_date=back, today=today)
        except A.AssumptionError as exc:
            st.error(ui.plain(str(exc)), icon=":material/block:")
        else:
            dated = " (back-dated)" if eff < start else ""
            st.success(ui.plain(f"Recorded: {key} = {new.strip()} from {eff:%Y-%m-%d}"
                                f"{dated} in draft {aset.id}."))
    return aset


# --- differences and publishing ---------------------------------------------------------------


def diff_panel(aset: A.AssumptionSet, today: date | None = None) -> pd.DataFrame:
    """The draft's differences from the published set (the table, a takeaway, and why it
    cannot be published when it is stale); returns the differences."""
    published = _published()
    changes = publishing.diff(published, aset, today)
    why_not = publishing.stale(ui.app_store(), aset)
    if why_not:
        st.warning(ui.plain(why_not), icon=":material/warning:")
    back = int(changes["back_dated"].sum())
    if changes.empty:
        takeaway = f"No differences: draft {aset.id} equals {published.id}."
    else:
        takeaway = (f"{len(changes)} difference(s) from {published.id}"
                    + (f"; {back} start(s) before the next week (back-dated)." if back
                       else "; every one starts in the next week or later."))
    ui.takeaway_table(publishing.diff_table(changes), "asm_diff", takeaway)
    return changes


def _publish(draft_name: str) -> None:
    """Callback: publish the draft with the form's reason; on success pick the published set
    in the sidebar."""
    s = st.session_state
    store = ui.app_store()
    try:
        draft = A.load_set(store, _published_rows(), draft_name)
        done = publishing.publish(store, _published_rows(), draft, _who(),
                                  s.get("asm_pub_reason", ""),
                                  confirm_back_dated=bool(s.get("asm_pub_back")))
    except A.AssumptionError as exc:
        s[_FLASH_KEY] = ("error", str(exc))
    else:
        ui.choose_assumption_set(A.PUBLISHED)
        s[_FLASH_KEY] = ("success", f"Published draft {draft_name!r} as {done.published_id} "
                                    f"({len(done.changes)} difference(s)), by {done.published_by}"
                                    f": {done.reason}")


def publish_form(aset: A.AssumptionSet, changes: pd.DataFrame) -> None:
    """Publish the draft: a required reason, and a confirmation when a difference is
    back-dated. Disabled, with the reason, when there is nothing to publish or the draft is
    stale."""
    stale = bool(publishing.stale(ui.app_store(), aset))
    with st.form("asm_publish"):
        st.text_area("Reason for publishing (required; recorded with the publication)",
                     key="asm_pub_reason", height=68)
        if changes["back_dated"].any():
            st.checkbox("Publish the back-dated values too: they change weeks already "
                        "reported", key="asm_pub_back")
        st.form_submit_button("Publish", type="primary", on_click=_publish,
                              args=(aset.name,), disabled=changes.empty or stale)
    if changes.empty:
        ui.note("Nothing to publish: the draft equals the published set.")


def history() -> pd.DataFrame:
    """Every publication, newest first."""
    return publishing.publications(ui.app_store())


# --- the unit-cost notices of Weekly KPIs and Cost to serve ------------------------------------


def unit_cost_notice(filters: Filters, page: str) -> None:
    """Say when the assumption set in use prices contacts differently from the booked unit
    costs in the selected week (``page``: 'kpis' or 'cost'); nothing when they agree."""
    check = unit_costs.compare(ui.assumption_set(), _published_rows(), filters.week_start)
    text = check.notice_kpis() if page == "kpis" else check.notice_cost()
    if text:
        st.info(ui.plain(text), icon=":material/price_change:")
