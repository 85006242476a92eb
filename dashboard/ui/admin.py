"""The Access & audit page's parts (admins only): the grants, a form to grant or take back a
role, the audit log with its filters and its CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.access import store as access
from dashboard.access.roles import ROLE_NAMES, ROLES, SUBJECT_KINDS, AccessError, Scope
from dashboard.i18n import N_, _
from dashboard.ui import access as access_ui
from dashboard.ui import common as ui
from dashboard.ui import data as ui_data
from dashboard.ui import navigation
from dashboard.ui.language import store_time

_KIND_NAMES = {"email": N_("person (e-mail)"), "group": N_("group of the identity provider")}
_FLASH = "adm_flash"


def grants_section() -> None:
    grants = access.grants_frame(ui.app_store())
    if grants.empty:
        ui.note(_("No role is granted yet: grant one below, or with `python -m dashboard roles "
                  "grant`."))
        return
    shown = pd.DataFrame({
        _("Kind"): grants["subject_kind"].map(lambda k: _(_KIND_NAMES.get(k, k))),
        _("Person or group"): grants["subject"],
        _("Role"): grants["role_name"].map(lambda r: _(ROLE_NAMES.get(r, r))),
        _("Scope"): grants["scope"].map(lambda s: Scope.parse(s).describe()),
        _("Granted"): grants["granted_at"].map(store_time),
        _("By"): grants["granted_by"].map(_who),
    })
    ui_data.table(shown, "adm_grants", "roles granted", allowed=access_ui.may("admin"))


def _who(email: str) -> str:
    """A person as the tables name them (the single user of a computer without sign-in:
    'local user')."""
    return _("local user") if email == "local" else email


def _role_names(text: str) -> str:
    return ", ".join(_(ROLE_NAMES.get(r, r)) for r in str(text).split(",") if r)


#: A page's title by its URL path (a page view's target), in the reader's language.
_TITLES = {p.url_path: p.title for p in navigation.PAGES}


def _target(action: str, target: str) -> str:
    return _(_TITLES[target]) if action == "page_view" and target in _TITLES else target


def _change(verb: str) -> None:
    s = st.session_state
    person = access_ui.current()
    if person is None or not person.can("admin"):  # a role taken back while the page was open
        s[_FLASH] = ("error", _("Only an admin may grant or take back roles."))
        return
    kind, subject, role = s["adm_kind"], s.get("adm_subject") or "", s["adm_role"]
    try:
        if verb == "grant":
            access.grant(ui.app_store(), person, kind, subject, role,
                         Scope.parse(s.get("adm_scope") or ""))
            s[_FLASH] = ("ok", _("Granted {role} to {subject}.", role=_(ROLE_NAMES[role]),
                                 subject=subject))
        elif access.revoke(ui.app_store(), person, kind, subject, role):
            s[_FLASH] = ("ok", _("Took {role} back from {subject}.", role=_(ROLE_NAMES[role]),
                                 subject=subject))
        else:
            s[_FLASH] = ("error", _("{subject} does not hold {role}.", subject=subject,
                                    role=_(ROLE_NAMES[role])))
    except AccessError as exc:
        s[_FLASH] = ("error", str(exc))


def change_form() -> None:
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(ui.plain(flash[1]))
    with st.form("adm_change"):
        cols = st.columns(4)
        cols[0].selectbox(_("Kind"), SUBJECT_KINDS, key="adm_kind",
                          format_func=lambda k: _(_KIND_NAMES[k]))
        cols[1].text_input(_("E-mail address or group"), key="adm_subject")
        cols[2].selectbox(_("Role"), list(ROLES), key="adm_role",
                          format_func=lambda r: _(ROLE_NAMES[r]))
        cols[3].text_input(_("Scope (blank: the whole company)"), key="adm_scope", help=_(
                               "Customer filters the role is restricted to: dimension=value"
                               "[,value…], several separated by ';'. Finance, data stewards "
                               "and admins act for the whole company."))
        left, right = st.columns(2)
        left.form_submit_button(_("Grant"), type="primary", on_click=_change, args=("grant",))
        right.form_submit_button(_("Take back"), on_click=_change, args=("revoke",))


def audit_section() -> None:
    cols = st.columns(3)
    days = cols[0].number_input(_("Last days"), min_value=1, max_value=3650, value=30,
                                key="adm_days")
    action = cols[1].selectbox(_("Action"), ["", *access.ACTIONS], key="adm_action",
                               format_func=lambda a: _(access.ACTIONS[a]) if a else _("all"))
    actor = cols[2].text_input(_("Person"), key="adm_actor")
    events = access.events(ui.app_store(), days=int(days), action=action,
                           actor=actor.strip().lower())
    if events.empty:
        ui.note(_("No event matches."))
        return
    shown = pd.DataFrame({
        _("When"): events["occurred_at"].map(store_time), _("Who"): events["actor"].map(_who),
        _("Roles"): events["actor_roles"].map(_role_names),
        _("Scope"): events["actor_scope"].map(lambda s: Scope.parse(s).describe()),
        _("Action"): events["action"].map(lambda a: _(access.ACTIONS.get(a, a))),
        _("On"): [_target(a, t) for a, t in zip(events["action"], events["target"],
                                                 strict=True)],
        _("Detail"): events["detail"],
    })
    ui_data.table(shown, "adm_audit", f"audit log, last {int(days)} days",
                  allowed=access_ui.may("admin"))
