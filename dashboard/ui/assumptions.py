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

from dashboard import i18n
from dashboard.analysis.cost_format import description
from dashboard.i18n import N_, _
from dashboard.i18n import currency as cur
from dashboard.i18n.numbers import localize
from dashboard.metrics import display
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions as A
from dashboard.money import publishing, unit_costs
from dashboard.ui import access as access_ui
from dashboard.ui import common as ui
from dashboard.ui.language import store_time
from dashboard.warehouse import weeks

_WHO_KEY = "asm_who"
_FLASH_KEY = "asm_flash"


def _who() -> str:
    """Who changes or publishes: the signed-in person, else the name typed on the page (the
    single user of a computer without sign-in)."""
    person = access_ui.current()
    if person is not None and person.source != "local":
        return person.email
    return (st.session_state.get(_WHO_KEY) or "").strip()


def may_edit() -> bool:
    """Drafts and publishing are for the finance role."""
    return access_ui.may("assumptions_edit")


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
        return _("Assumption set {set_id}: the published set, the one every money figure uses "
                 "unless a draft is picked in the sidebar. It changes only by publishing a "
                 "draft: start one below, change it, check its differences and publish it "
                 "with a reason. Every publication is recorded (who, when, why, each value "
                 "old → new).", set_id=aset.id)
    if aset.base_version is None:
        return _("Assumption set {set_id}: a draft. The money figures of every page use it "
                 "while it is picked in the sidebar; nothing else changes until it is "
                 "published. The observed cost figures of the Weekly KPIs and Cost to serve "
                 "pages always use the booked unit costs, those the contacts were loaded with.",
                 set_id=aset.id)
    return _("Assumption set {set_id}: a draft, started from {base}. The money figures of every "
             "page use it while it is picked in the sidebar; nothing else changes until it is "
             "published. The observed cost figures of the Weekly KPIs and Cost to serve pages "
             "always use the booked unit costs, those the contacts were loaded with.",
             set_id=aset.id, base=f"{A.PUBLISHED} v{aset.base_version}")


def name_field() -> None:
    """Your name, recorded with each change and publication (the signed-in user's by
    default)."""
    person = access_ui.current()
    if person is not None and person.source != "local":
        st.caption(ui.plain(_("Changes and publications are recorded as {who}.",
                              who=person.email)))
        return
    if _WHO_KEY not in st.session_state:
        st.session_state[_WHO_KEY] = ui.signed_in_user()
    st.text_input(_("Your name (recorded with each change and publication)"), key=_WHO_KEY)


def values_table(aset: A.AssumptionSet, filters: Filters) -> pd.DataFrame:
    """The values in force in the selected week, with unit, source and the rule of each: in
    English as stored; in Persian every cell in the reader's words (labels, units naming the
    set's currency, rules, shipped descriptions, sources), numbers in Persian digits, currency
    codes with their name and first days as Jalali days. The table is read-only: a value
    changes through the edit form's text field, so no cell here stays a number for Streamlit
    to draw (an editable number would stay a number, its digits drawn by Streamlit)."""
    t = aset.table(filters.week_start)
    keys = list(t["assumption_key"])
    unit_currency = cur.from_assumptions(aset.in_force(filters.week_start)).name
    return pd.DataFrame({
        _("Assumption"): [A.key_label(k) for k in keys],
        _("Key"): t["assumption_key"],
        _("Value"): [A.shown_value(k, v) for k, v in zip(keys, t["value_text"].astype(str),
                                                          strict=True)],
        _("Unit"): [A.shown_unit(u, unit_currency) for u in t["unit"].astype(str)],
        _("In force from"): [weeks.day_display(d) for d in t["valid_from"]],
        _("Source"): [A.shown_source(s) for s in t["source"]],
        _("Rule"): [A.spec_for(k).rule_text() for k in keys],
        _("Description"): [description(d) for d in t["description"].astype(str)],
    })


_LOG_COLUMNS = ["#", N_("Key"), N_("From"), N_("Old value"), N_("New value"), N_("Back-dated"),
                N_("When"), N_("By"), N_("Reason"), N_("Publication")]


def change_log(aset: A.AssumptionSet) -> pd.DataFrame:
    """The set's recorded changes, newest first (for the published set: each with the
    publication that made it; "before publishing" for an edit from before publishing)."""
    log = ui.app_store().read("store_changes", set_name=aset.name)
    columns = [_(c) for c in _LOG_COLUMNS]
    if log.empty:
        return pd.DataFrame(columns=columns)
    if i18n.current() != "en":
        return _change_log_shown(aset, log, columns)
    if aset.is_published:
        pubs = [f"#{int(p)}" if pd.notna(p) else _("before publishing")
                for p in log["publication_id"]]
    else:
        pubs = ["—"] * len(log)
    return pd.DataFrame({
        "#": log["change_id"].astype(int), _("Key"): log["assumption_key"],
        _("From"): log["effective_from"], _("Old value"): log["old_value"].fillna("—"),
        _("New value"): log["new_value"],
        _("Back-dated"): [_("yes") if int(b) else _("no") for b in log["back_dated"]],
        _("When"): log["changed_at"], _("By"): log["changed_by"], _("Reason"): log["reason"],
        _("Publication"): pubs,
    }, columns=columns).iloc[::-1].reset_index(drop=True)


def _day(text: object) -> str:
    """A store's day (``2026-12-14``) as the reader reads it (a Jalali day in Persian)."""
    try:
        return weeks.day_display(date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


def _number_id(value: object, mark: str = "") -> str:
    """A change's or publication's number in the reader's digits (``#۱۲``)."""
    return localize(f"{mark}{int(value)}")


def _change_log_shown(aset: A.AssumptionSet, log: pd.DataFrame, columns: list[str]
                      ) -> pd.DataFrame:
    """``change_log`` in a language other than English: every cell text in the reader's words
    and digits (numbers, Jalali days, values as ``A.shown_value`` writes them)."""
    if aset.is_published:
        pubs = [_number_id(p, "#") if pd.notna(p) else _("before publishing")
                for p in log["publication_id"]]
    else:
        pubs = ["—"] * len(log)
    keys = list(log["assumption_key"])
    return pd.DataFrame({
        "#": [_number_id(i) for i in log["change_id"]], _("Key"): keys,
        _("From"): [_day(d) for d in log["effective_from"]],
        _("Old value"): ["—" if v is None or pd.isna(v) else A.shown_value(k, v)
                         for k, v in zip(keys, log["old_value"], strict=True)],
        _("New value"): [A.shown_value(k, v) for k, v in zip(keys, log["new_value"],
                                                              strict=True)],
        _("Back-dated"): [_("yes") if int(b) else _("no") for b in log["back_dated"]],
        _("When"): [store_time(w) for w in log["changed_at"]], _("By"): log["changed_by"],
        _("Reason"): log["reason"], _("Publication"): pubs,
    }, columns=columns).iloc[::-1].reset_index(drop=True)


#: The column names of ``publishing.diff_table`` and ``publishing.publications`` (English, as
#: the CLI prints them), for the catalog: the page shows them translated.
_DIFF_COLUMNS = (N_("Assumption"), N_("Key"), N_("From"), N_("Until"), N_("Published"),
                 N_("Draft"), N_("Back-dated"))
_HISTORY_COLUMNS = ("#", N_("When"), N_("By"), N_("Reason"), N_("Draft"), N_("Versions"),
                    N_("Changes"))


def diff_table(changes: pd.DataFrame) -> pd.DataFrame:
    """A draft's differences (``publishing.diff``) as the page shows them: in English
    ``publishing.diff_table`` (as the CLI prints it); in Persian with translated headers,
    labels and yes/no, Jalali first days and weeks, values as ``A.shown_value`` writes them."""
    if i18n.current() == "en":
        return publishing.diff_table(changes)
    keys = list(changes["assumption_key"])

    def value(k: str, v: object) -> str:
        return A.shown_value(k, v) if isinstance(v, str) else "—"

    return pd.DataFrame({
        _("Assumption"): [A.key_label(k) for k in keys],
        _("Key"): keys,
        _("From"): [_("{day} ({week})", day=f"{d:%Y-%m-%d}", week=A.first_week_of(d))
                    for d in changes["start"]],
        _("Until"): [_("onwards") if e is None or pd.isna(e) else weeks.day_display(e)
                     for e in changes["end"]],
        _("Published"): [value(k, v) for k, v in zip(keys, changes["published_value"],
                                                      strict=True)],
        _("Draft"): [value(k, v) for k, v in zip(keys, changes["draft_value"], strict=True)],
        _("Back-dated"): [_("yes") if b else _("no") for b in changes["back_dated"]],
    }, columns=[_(c) for c in _DIFF_COLUMNS])


# --- starting a draft -------------------------------------------------------------------------


def _start_draft(based_on: str) -> None:
    """Callback: start the draft named in the form and pick it in the sidebar."""
    s = st.session_state
    if not may_edit():
        return
    try:
        made = A.create_set(ui.app_store(), s.get("asm_new_name", ""), based_on=based_on,
                            who=_who() or "unknown", description=s.get("asm_new_desc", ""))
    except A.AssumptionError as exc:
        s[_FLASH_KEY] = ("error", str(exc))
    else:
        access_ui.record("assumption_draft", made, f"started as a copy of {based_on}")
        ui.choose_assumption_set(made)
        s[_FLASH_KEY] = ("success", _("Started draft {name} as a copy of {based_on}; it is "
                                      "picked in the sidebar. Change its values below, then "
                                      "publish it.", name=repr(made), based_on=based_on))


def start_draft_panel(aset: A.AssumptionSet) -> None:
    """Start a draft as a copy of the chosen set (name, description)."""
    title = (_("Start a draft") if aset.is_published
             else _("Start another draft from this one"))
    with st.expander(title, expanded=aset.is_published), \
            st.form("asm_new_set", clear_on_submit=True):
        st.text_input(_("Name of the draft"), key="asm_new_name",
                      help=_("1–40 letters, digits, spaces, dots, dashes or underscores."))
        st.text_input(_("What it is for"), key="asm_new_desc")
        st.form_submit_button(ui.plain(_("Start a draft as a copy of {set_id}",
                                         set_id=aset.id)),
                              on_click=_start_draft, args=(aset.name,))


# --- changing a value of a draft --------------------------------------------------------------


def edit_form(aset: A.AssumptionSet, today: date | None = None) -> A.AssumptionSet:
    """Change one value of an open draft; returns the draft as it is after the change (or
    unchanged). The first week defaults to the next week; an earlier one needs the
    back-dating box. The labels, help and refusals are in the reader's language; what the
    person types (the new value, read in Latin or Persian digits) and the date picker's days
    are Streamlit's widgets: an editable value stays as typed, its digits drawn by Streamlit."""
    start = A.next_week(today)
    keys = sorted(set(aset.rows["assumption_key"]))
    with st.form("asm_edit"):
        left, mid, right = st.columns([2, 1, 1])
        with left:
            key = st.selectbox(_("Assumption"), keys, key="asm_key",
                               format_func=lambda k: _("{name} ({code})",
                                                       name=A.key_label(k), code=k))
        with mid:
            new = st.text_input(_("New value"), key="asm_value")
        with right:
            eff = st.date_input(
                _("In force from"), value=start, key="asm_from",
                min_value=date(1900, 1, 1), max_value=start + timedelta(weeks=520),
                help=_("Default: the next week, {week} (from {start}), so no week already "
                       "reported changes. An earlier date back-dates the value: tick the box "
                       "below to mean it.", week=A.first_week_of(start),
                       start=f"{start:%Y-%m-%d}"))
        back = st.checkbox(_("Back-date: this value changes weeks already reported"),
                           key="asm_back_date")
        reason = st.text_input(_("Reason"), key="asm_reason")
        submitted = st.form_submit_button(_("Record change"))
    if submitted and may_edit():
        try:
            aset = A.record_change(ui.app_store(), aset, key, new, eff, who=_who() or "unknown",
                                   reason=reason, back_date=back, today=today)
        except A.AssumptionError as exc:
            st.error(ui.plain(str(exc)), icon=":material/block:")
        else:
            access_ui.record("assumption_draft", aset.name,
                             f"{key} = {new.strip()} from {eff:%Y-%m-%d}: {reason}")
            values = dict(key=key, value=new.strip(), start=f"{eff:%Y-%m-%d}", set_id=aset.id)
            st.success(ui.plain(
                _("Recorded: {key} = {value} from {start} (back-dated) in draft {set_id}.",
                  **values) if eff < start else
                _("Recorded: {key} = {value} from {start} in draft {set_id}.", **values)))
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
        takeaway = _("No differences: draft {set_id} equals {published}.", set_id=aset.id,
                     published=published.id)
    elif back:
        takeaway = _("{n} difference(s) from {published}; {back} start(s) before the next "
                     "week (back-dated).", n=display.number(len(changes), 0, thousands=False),
                     published=published.id, back=display.number(back, 0, thousands=False))
    else:
        takeaway = _("{n} difference(s) from {published}; every one starts in the next week "
                     "or later.", n=display.number(len(changes), 0, thousands=False),
                     published=published.id)
    ui.takeaway_table(diff_table(changes), "asm_diff", takeaway)
    return changes


def _publish(draft_name: str) -> None:
    """Callback: publish the draft with the form's reason; on success pick the published set
    in the sidebar."""
    s = st.session_state
    if not may_edit():
        return
    store = ui.app_store()
    try:
        draft = A.load_set(store, _published_rows(), draft_name)
        done = publishing.publish(store, _published_rows(), draft, _who(),
                                  s.get("asm_pub_reason", ""),
                                  confirm_back_dated=bool(s.get("asm_pub_back")))
    except A.AssumptionError as exc:
        s[_FLASH_KEY] = ("error", str(exc))
    else:
        access_ui.record("assumption_publish", draft_name,
                         f"{done.published_id}, {len(done.changes)} difference(s): {done.reason}")
        ui.choose_assumption_set(A.PUBLISHED)
        s[_FLASH_KEY] = ("success", _(
            "Published draft {name} as {set_id} ({n} difference(s)), by {who}: {reason}",
            name=repr(draft_name), set_id=done.published_id,
            n=display.number(len(done.changes), 0, thousands=False), who=done.published_by,
            reason=done.reason))


def publish_form(aset: A.AssumptionSet, changes: pd.DataFrame) -> None:
    """Publish the draft: a required reason, and a confirmation when a difference is
    back-dated. Disabled, with the reason, when there is nothing to publish or the draft is
    stale."""
    stale = bool(publishing.stale(ui.app_store(), aset))
    with st.form("asm_publish"):
        st.text_area(_("Reason for publishing (required; recorded with the publication)"),
                     key="asm_pub_reason", height=68)
        if changes["back_dated"].any():
            st.checkbox(_("Publish the back-dated values too: they change weeks already "
                          "reported"), key="asm_pub_back")
        st.form_submit_button(_("Publish"), type="primary", on_click=_publish,
                              args=(aset.name,), disabled=changes.empty or stale)
    if changes.empty:
        ui.note(_("Nothing to publish: the draft equals the published set."))


def history() -> pd.DataFrame:
    """Every publication, newest first (``publishing.publications``; in Persian with
    translated headers, Persian digits and Jalali days)."""
    return history_shown(publishing.publications(ui.app_store()))


def history_shown(p: pd.DataFrame) -> pd.DataFrame:
    """``publishing.publications`` as the page shows it: unchanged in English; in another
    language its headers translated and its cells text in the reader's digits and days."""
    if i18n.current() == "en":
        return p
    columns = [_(c) if c != "#" else c for c in _HISTORY_COLUMNS]
    if p.empty:
        return pd.DataFrame(columns=columns)
    versions = [_("v{old} → v{new}", old=localize(a.removeprefix("v")),
                  new=localize(b.removeprefix("v")))
                for a, b in (str(v).split(" → ") for v in p["Versions"])]
    return pd.DataFrame({
        "#": [_number_id(i) for i in p["#"]],
        _("When"): [store_time(w) for w in p["When"]], _("By"): p["By"], _("Reason"): p["Reason"],
        _("Draft"): p["Draft"], _("Versions"): versions,
        _("Changes"): [localize(f"{int(n):,}") for n in p["Changes"]],
    }, columns=columns)



# --- the unit-cost notices of Weekly KPIs and Cost to serve ------------------------------------


def unit_cost_notice(filters: Filters, page: str) -> None:
    """Say when the assumption set in use prices contacts differently from the booked unit
    costs in the selected week (``page``: 'kpis' or 'cost'); nothing when they agree."""
    check = unit_costs.compare(ui.assumption_set(), _published_rows(), filters.week_start)
    text = check.notice_kpis() if page == "kpis" else check.notice_cost()
    if text:
        st.info(ui.plain(text), icon=":material/price_change:")
