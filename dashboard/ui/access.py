"""Who is using the app, in every script run: sign-in through the company's identity provider
(Streamlit's ``st.login``, OpenID Connect, configured in ``[auth]`` of the secrets file), the
person their grants make (``dashboard.access``), what they may open, and the audit log.

Without ``[auth]`` the app is one person's on their own computer: the local user holds every
role, a quiet line in the sidebar says so, and the launcher refuses to listen on another
address (``serve.check_address``). With it, a person who is not signed in sees the sign-in
page only; a signed-in person without a role sees a page saying so; a person whose grants'
scopes cannot be joined is refused. A sign-in older than ``CX_SIGN_IN_HOURS`` (12 by default,
counted from the identity token's issue) is ended.

The person is set for the run (a context variable the run's threads inherit): the warehouse
every page reads is narrowed to their scope (``common.warehouse``), and nothing reads it
outside a run but the server's warm-up (``server_work``).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.access import store as access
from dashboard.access.roles import AccessError, Principal, local_user
from dashboard.exports.text import markdown as plain
from dashboard.i18n import _
from dashboard.ui import navigation
from dashboard.warehouse import config, db

#: The person of the current script run (set by ``gate``) …
_PERSON: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("cx_person",
                                                                          default=None)
#: … or the server's own work outside any session (the warm-up).
_SERVER: contextvars.ContextVar[bool] = contextvars.ContextVar("cx_server", default=False)
#: The identity token's claim naming the person's groups (Entra ID and Keycloak: ``groups``).
GROUPS_CLAIM_ENV = "CX_GROUPS_CLAIM"
SIGN_IN_HOURS_ENV = "CX_SIGN_IN_HOURS"
_SEEN = "_cx_access_seen"  # session state: the sign-in and the last page recorded


class NoPerson(PermissionError):
    """The warehouse was asked for outside a script run and outside the server's work."""


class SignInBroken(RuntimeError):
    """Sign-in is required but its settings cannot be read: nobody is let in."""


#: Set by the launcher when the secrets file it checked has ``[auth]``: from then on the app
#: never falls back to the single-user mode, whatever happens to the file.
REQUIRED_ENV = "CX_SIGN_IN_REQUIRED"


def auth_section() -> dict | None:
    """The ``[auth]`` table of the secrets Streamlit read; None without one (no secrets file,
    or one without ``[auth]``). SignInBroken when the secrets cannot be read, or when the
    launcher found ``[auth]`` and it is gone: sign-in is never switched off by a broken file."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        section = st.secrets.get("auth")
    except StreamlitSecretNotFoundError as exc:
        missing = isinstance(exc, FileNotFoundError) and "parse" not in str(exc).lower()
        if not missing or os.environ.get(REQUIRED_ENV) == "1":
            raise SignInBroken(f"the secrets cannot be read: {exc}") from None
        section = None
    except Exception as exc:  # noqa: BLE001 - any other failure: closed, never open
        raise SignInBroken(f"the secrets cannot be read: {exc}") from None
    if not section and os.environ.get(REQUIRED_ENV) == "1":
        raise SignInBroken("the secrets no longer hold [auth]")
    return dict(section) if section else None


def sign_in_configured() -> bool:
    return auth_section() is not None


def _provider(section: dict) -> str | None:
    """The provider ``st.login`` is called with: None for the ``[auth]`` table's own
    settings, else the first ``[auth.NAME]`` table."""
    if "client_id" in section:
        return None
    named = [k for k, v in section.items() if isinstance(v, dict)]
    return named[0] if named else None


@contextmanager
def server_work() -> Iterator[None]:
    """The server's own work outside any session (the warm-up): reads every customer."""
    token = _SERVER.set(True)
    try:
        yield
    finally:
        _SERVER.reset(token)


def current() -> Principal | None:
    """The person of this run (None outside one: the server's work or nothing); in a widget
    callback, which runs before the frame sets it, resolved from the session (``resolve``)."""
    person = _PERSON.get()
    if person is None and _in_run():
        person = resolve()
        _PERSON.set(person)
    return person


def _in_run() -> bool:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    return get_script_run_ctx() is not None


def reading_scope():
    """The scope the warehouse is read with in this context: the person's, the whole
    company's for the server's work; NoPerson otherwise (fail closed)."""
    from dashboard.access.roles import Scope

    if _SERVER.get():
        return Scope()
    person = current()
    if person is not None:
        return person.scope
    raise NoPerson("the warehouse is read for a signed-in person or by the server's warm-up "
                   "only")


def _claims() -> dict:
    try:
        return dict(st.user.to_dict()) if hasattr(st.user, "to_dict") else dict(st.user)
    except Exception:  # noqa: BLE001 - no user information at all
        return {}


class _Identity:
    """What the identity provider says of the signed-in person (``st.user``'s claims)."""

    def __init__(self, claims: dict) -> None:
        # the e-mail address only (a username may be changed by its holder), refused when
        # the provider says it is not verified
        email = claims.get("email")
        self.email = str(email).strip() if email and claims.get("email_verified",
                                                                True) is not False else ""
        self.name = str(claims.get("name") or "")
        groups = claims.get(os.environ.get(GROUPS_CLAIM_ENV) or "groups") or ()
        self.groups = [groups] if isinstance(groups, str) else list(groups)
        issued = claims.get("iat")
        hours = float(os.environ.get(SIGN_IN_HOURS_ENV) or 12)
        self.expired = (isinstance(issued, int | float)
                        and time.time() - float(issued) > hours * 3600)
        self.hours = hours


def _identity() -> _Identity | None:
    """The signed-in identity, None when nobody is signed in."""
    if not st.user.is_logged_in:
        return None
    return _Identity(_claims())


def resolve() -> Principal | None:
    """This session's person without drawing anything: the local user without sign-in, else
    the signed-in person with their grants (None when nobody is signed in, the sign-in has
    expired, the grants give no role or cannot be joined). Widget callbacks, which run before
    the frame, read the person through it (``current``)."""
    try:
        if not sign_in_configured():
            return local_user()
    except SignInBroken:
        return None
    who = _identity()
    if who is None or who.expired or not who.email:
        return None
    try:
        person = access.principal(_store(), who.email, who.groups, name=who.name)
    except AccessError:
        return None
    return person if person.roles else None


def gate() -> Principal:
    """The person of this run, set for it; draws the sign-in, no-role or refused page and
    stops the run when there is none that may go on."""
    _PERSON.set(None)
    try:
        configured = sign_in_configured()
    except SignInBroken as exc:
        st.title("CX Ledger")
        st.error(plain(_("Sign-in is configured but its settings cannot be read ({error}): "
                         "nobody is let in until an administrator corrects them.",
                         error=str(exc))), icon=":material/lock:")
        st.stop()
    if not configured:
        person = local_user()
        _PERSON.set(person)
        return person
    who = _identity()
    if who is None:
        _sign_in_page()
        st.stop()
    if not who.email:
        _refused(Principal(email=str(_claims().get("sub") or "unknown")),
                 _("Your identity provider sent no verified e-mail address: CX Ledger knows "
                   "people by it. Ask an administrator."))
    if who.expired:
        _sign_out(Principal(email=who.email),
                  _("sign-in older than {hours:g} hours", hours=who.hours))
    try:
        person = access.principal(_store(), who.email, who.groups, name=who.name)
    except AccessError as exc:
        _refused(Principal(email=who.email), _("Your roles cannot be combined: {reason}. Ask "
                                               "an administrator to correct them.",
                                               reason=str(exc)))
    if not person.roles:
        _refused(person, _("You are signed in as {email}, but no role has been given to you "
                           "yet. Ask an administrator to give you one.", email=who.email))
    _PERSON.set(person)
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get("signed_in") != person.email:
        seen["signed_in"] = person.email
        access.record(_store(), person, "sign_in", person.email,
                      f"{','.join(sorted(person.roles))}; {person.scope.text() or 'all'}")
    return person


_STORES: dict[str, db.AppStore] = {}
_STORES_LOCK = threading.Lock()


def app_store() -> db.AppStore:
    """The app-owned store of ``CX_APP_STORE_URL`` (assumption edits, scenarios, roles, the
    audit log), one per URL and process (sessions and the warm-up thread share it)."""
    url = config.app_store_url()
    with _STORES_LOCK:
        if url not in _STORES:
            _STORES[url] = db.AppStore(url)
        return _STORES[url]


_store = app_store


def end_run() -> None:
    """The run is over: its person is forgotten, so a widget callback of the next run (which
    runs before the frame) resolves the person again, with their grants as they are then."""
    _PERSON.set(None)


def _sign_in_page() -> None:
    st.title("CX Ledger")
    st.markdown(_("Sign in with your company account to see the dashboard."))
    if st.button(_("Sign in"), key="cx_sign_in", type="primary", icon=":material/login:"):
        st.login(_provider(auth_section() or {}))


def _refused(person: Principal, text: str):
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get("refused") != person.email:
        seen["refused"] = person.email
        access.record(_store(), person, "refused", person.email, text)
    st.title("CX Ledger")
    st.warning(plain(text), icon=":material/lock:")
    sign_out_button(person)
    st.stop()


def _sign_out(person: Principal, why: str = "") -> None:
    access.record(_store(), person, "sign_out", person.email, why)
    st.session_state.pop(_SEEN, None)
    st.logout()
    st.stop()


def sign_out_button(person: Principal) -> None:
    if st.button(_("Sign out"), key="cx_sign_out", icon=":material/logout:"):
        _sign_out(person)


def sidebar(person: Principal) -> None:
    """Who is signed in, with their roles and scope, and the sign-out button; or the quiet
    line of the single-user mode."""
    with st.sidebar:
        if person.source == "local":
            st.caption(_("Single user on this computer: no sign-in is configured."))
            return
        st.caption(plain(_("Signed in as {who} · {roles} · {scope}", who=person.label,
                           roles=person.role_names(), scope=person.scope.describe())))
        sign_out_button(person)


def allowed_pages(person: Principal) -> list[navigation.Page]:
    """The navigation's pages the person may open, in order (the Data and Access & audit
    pages, which read every region's rows, only to a person without a scope)."""
    return [p for p in navigation.PAGES if any(person.can(x) for x in p.needs)
            and not (p.url_path in navigation.COMPANY_WIDE and person.scope.restricted)]


def page_viewed(person: Principal, title: str) -> None:
    """Record a page view once per arrival (not every rerun of the same page)."""
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get("page") != title:
        seen["page"] = title
        access.record(_store(), person, "page_view", title)


def record(action: str, target: str = "", detail: str = "") -> None:
    """Record an action of this run's person in the audit log."""
    person = current()
    if person is not None:
        access.record(_store(), person, action, target, detail)


def recorder(action: str, target: str = "", detail: str = ""):
    """A function recording ``action`` for this run's person when it is called later, on
    another thread (a download's bytes are made when it is clicked, outside the run)."""
    person, store = current(), _store()

    def record_now() -> None:
        if person is not None:
            access.record(store, person, action, target, detail)
    return record_now


def may(permission: str) -> bool:
    person = current()
    return person is not None and person.can(permission)
