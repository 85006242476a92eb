"""Streamlit widgets of the Impact simulator page: levers, the probability tile, saved scenarios
and the external-context panel. The model lives in ``dashboard.money.simulate``, the levers and
saved scenarios in ``dashboard.money.whatif``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import _, ngettext
from dashboard.metrics import display
from dashboard.money import assumptions as A
from dashboard.money import sim_texts, whatif
from dashboard.money import simulate as sim
from dashboard.ui import common as ui

_RULE = "sim_rule"
_COMPLAINTS = "sim_complaints"
_FCR = "sim_fcr"
_SELF_SERVICE = "sim_self_service"
_HORIZON = "sim_horizon"
_COST = "sim_cost"
_NAME = "sim_scenario_name"
_WHO = "sim_who"
_PICK = "sim_scenario_pick"
_FLASH = "sim_flash"
#: Slider ranges: (min, max, step).
NPS_RANGE = (-20, 20, 1)
COMPLAINT_RANGE = (-50, 50, 5)
FCR_RANGE = (-10, 20, 1)
SELF_SERVICE_RANGE = (0, 50, 1)


def nps_key(segment: str) -> str:
    """The session key of a segment's NPS slider."""
    return f"sim_nps_{segment}"


def _horizon_label(default: int):
    """The horizon's option labels, made in this run's language when the widget is drawn."""
    def label(h: int) -> str:
        if h == 0:
            return ngettext("Assumption set ({count} year)", "Assumption set ({count} years)",
                            default, count=display.number(default, 0))
        return ngettext("{count} year", "{count} years", h, count=display.number(h, 0))
    return {h: label(h) for h in range(0, 11)}.get


def _lever(label: str, bounds: tuple[int, int, int], key: str, help: str) -> int:
    """One lever slider (starting at no change) with its range and step."""
    lo, hi, step = bounds
    st.session_state.setdefault(key, 0)
    return st.slider(label, lo, hi, step=step, key=key, help=help)


def _not_offered(label: str, missing: tuple[str, ...]) -> float:
    """In place of a lever whose table holds no rows: its name and what to load; no change."""
    st.markdown(f"**{ui.plain(label)}**")
    ui.not_loaded_note(missing)
    return 0.0


def lever_controls(segments: tuple[str, ...] | list[str], default_horizon: int,
                   coverage, split_note: str = "") -> whatif.Levers:
    """The levers: an NPS slider per segment (one for all customers, with ``split_note``
    shown, when there is a single segment), the migration rule, complaint, FCR and
    self-service levers, horizon and programme cost. Returns them as one ``Levers``. A lever
    whose table holds no rows (``whatif.LEVER_NEEDS``) is not offered: the load hint stands
    in its place; with none offered the page shows that and stops. Labels and help are in the
    reader's language; a lever's value stays a number (slider, number input), its digits
    drawn by Streamlit."""
    gone = whatif.offered(coverage)
    if all(gone.values()):
        ui.not_loaded_note(tuple(t for m in gone.values() for t in m))
        st.stop()
    nps: dict[str, float] = {}
    rule = whatif.DEFAULT_RULE
    if gone["nps"]:
        _not_offered(_("NPS change by segment"), gone["nps"])
    else:
        st.markdown(_("**NPS change** (points)") if split_note
                    else _("**NPS change by segment** (points)"))
        if split_note:
            ui.note(split_note)
        cols = st.columns(max(len(segments), 1))
        for col, seg in zip(cols, segments, strict=False):
            with col:
                lo, hi, step = NPS_RANGE
                st.session_state.setdefault(nps_key(seg), 0)
                nps[seg] = st.slider(_("All customers") if split_note else seg,
                                     lo, hi, step=step, key=nps_key(seg),
                                     help=_("+Δ points move Δ % of {segment}'s active "
                                            "customers between NPS categories by the "
                                            "migration rule.", segment=seg))
        rule = ui.choice(_("How the NPS change happens (migration rule)"), whatif.RULES, _RULE,
                         whatif.DEFAULT_RULE,
                         help=_("Detractors → passives acts mainly through churn, passives → "
                                "promoters mainly through spend; the same NPS change is worth "
                                "different money."))
    left, mid, right = st.columns(3)
    with left:
        complaints = (_not_offered(_("Complaint rate change (%)"), gone["complaint_change_pct"])
                      if gone["complaint_change_pct"] else
                      _lever(_("Complaint rate change (%)"), COMPLAINT_RANGE, _COMPLAINTS,
                             _("−20 means 20 % fewer complaints: saves handling and "
                               "compensation and complainants' excess churn.")))
    with mid:
        fcr = (_not_offered(_("First-contact resolution change (pp)"), gone["fcr_change_pp"])
               if gone["fcr_change_pp"] else
               _lever(_("First-contact resolution change (pp)"), FCR_RANGE, _FCR,
                      _("Percentage points of assisted contacts resolved first time; saves "
                        "the repeat contacts they would bring.")))
    with right:
        ss = (_not_offered(_("Phone contacts moved to self-service (%)"),
                           gone["self_service_shift_pp"])
              if gone["self_service_shift_pp"] else
              _lever(_("Phone contacts moved to self-service (%)"), SELF_SERVICE_RANGE,
                     _SELF_SERVICE, _("Net containment: moved contacts are assumed not to "
                                      "come back to an assisted channel.")))
    left, right = st.columns(2)
    with left:
        if st.session_state.get(_HORIZON) not in range(0, 11):
            st.session_state[_HORIZON] = 0
        horizon = st.selectbox(_("Horizon"), list(range(0, 11)), key=_HORIZON,
                               format_func=_horizon_label(default_horizon),
                               help=_("Years over which money is counted and discounted."))
    with right:
        st.session_state.setdefault(_COST, 0.0)
        cost = st.number_input(_("Programme cost"), min_value=0.0, step=10_000.0,
                               key=_COST, format="%.0f",
                               help=_("What the programme costs over the horizon, in the "
                                      "set's currency: the page gives the chance the profit "
                                      "impact exceeds it."))
    return whatif.Levers(nps=nps, migration_rule=rule, complaint_change_pct=complaints,
                         fcr_change_pp=fcr, self_service_shift_pp=ss,
                         horizon_years=horizon or None, programme_cost=cost)


def probability_tile(result: sim.SimResult) -> None:
    """The executive question as a tile: P(profit impact > programme cost)."""
    with st.container(border=True):
        st.metric(_("Chance the profit impact exceeds the programme cost"),
                  sim_texts.probability_text(result),
                  help=_("Share of the Monte Carlo draws whose profit impact is above the "
                         "programme cost."))
        st.caption(ui.plain(sim_texts.exceed_text(result)))



def _save(levers: whatif.Levers, set_id: str) -> None:
    who = st.session_state.get(_WHO) or ui.signed_in_user() or "unknown"
    try:
        name = whatif.save_scenario(ui.app_store(), st.session_state.get(_NAME) or "", levers,
                                    set_id, who)
    except A.AssumptionError as exc:
        st.session_state[_FLASH] = ("error", str(exc))
    else:
        st.session_state[_FLASH] = ("success", _("Saved scenario {name}: {levers}.",
                                                  name=repr(name), levers=levers.describe()))
        st.session_state[_PICK] = name


def _load(segments: tuple[str, ...]) -> None:
    name = st.session_state.get(_PICK)
    try:
        lev = whatif.load_scenario(ui.app_store(), name)
    except whatif.SimulationError as exc:
        st.session_state[_FLASH] = ("error", str(exc))
        return
    for seg in segments:
        st.session_state[nps_key(seg)] = int(round(lev.nps_change(seg)))
    st.session_state[_RULE] = lev.migration_rule
    st.session_state[_COMPLAINTS] = int(round(lev.complaint_change_pct))
    st.session_state[_FCR] = int(round(lev.fcr_change_pp))
    st.session_state[_SELF_SERVICE] = int(round(lev.self_service_shift_pp))
    st.session_state[_HORIZON] = lev.horizon_years or 0
    st.session_state[_COST] = float(lev.programme_cost)
    st.session_state[_NAME] = name
    missing = [s for s, _ in lev.nps if s not in segments]
    st.session_state[_FLASH] = ("success", _(
        "Loaded scenario {name} (NPS levers of {segments} are outside the selection).",
        name=repr(name), segments=display.commas(missing)) if missing else _(
        "Loaded scenario {name}.", name=repr(name)))


def _delete() -> None:
    name = st.session_state.get(_PICK)
    if name and whatif.delete_scenario(ui.app_store(), name):
        st.session_state[_FLASH] = ("success", _("Deleted scenario {name}.", name=repr(name)))
        st.session_state.pop(_PICK, None)


def scenario_panel(levers: whatif.Levers, set_id: str, segments: tuple[str, ...]) -> pd.DataFrame:
    """Save the current levers under a name, load or delete a saved scenario; returns the
    saved scenarios (``whatif.list_scenarios``)."""
    left, right = st.columns(2)
    with left:
        st.text_input(_("Scenario name"), key=_NAME,
                      help=_("1–40 letters, digits, spaces, dots, dashes or underscores; "
                             "saving under an existing name replaces it."))
        st.text_input(_("Your name (recorded with the scenario)"), key=_WHO)
        st.button(_("Save scenario"), key="sim_save", on_click=_save, args=(levers, set_id))
    saved = whatif.list_scenarios(ui.app_store())
    names = saved["scenario_name"].astype(str).tolist()
    with right:
        if st.session_state.get(_PICK) not in names:
            if names:
                st.session_state[_PICK] = names[0]
            else:
                st.session_state.pop(_PICK, None)
        st.selectbox(_("Saved scenarios"), names, key=_PICK, placeholder=_("None saved yet"))
        a, b = st.columns(2)
        with a:
            st.button(_("Load into the levers"), key="sim_load", on_click=_load, args=(segments,),
                      disabled=not names)
        with b:
            st.button(_("Delete"), key="sim_delete", on_click=_delete, disabled=not names)
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        kind, text = flash
        (st.success if kind == "success" else st.error)(ui.plain(text))
    return saved
