"""Roles and the audit log in the app-owned store (``queries/store``): grants read, made and
taken back, every one of those changes recorded in the same transaction; events recorded and
read back (their CSV is the exports' own, ``exports.files.csv_bytes``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from dashboard.access.roles import (
    AccessError,
    Grant,
    Principal,
    Scope,
    joined_scope,
    normal_email,
    resolve,
)
from dashboard.i18n import N_

#: What the audit log records, and how each action is named to people.
ACTIONS: dict[str, str] = {
    "sign_in": N_("signed in"),
    "sign_out": N_("signed out"),
    "refused": N_("was refused"),
    "page_view": N_("viewed a page"),
    "export": N_("downloaded"),
    "pack": N_("built the board pack"),
    "assumption_draft": N_("changed a draft"),
    "assumption_publish": N_("published assumptions"),
    "load": N_("loaded data"),
    "role_grant": N_("granted a role"),
    "role_revoke": N_("took a role back"),
}
#: The audit log's columns, in the CSV's order.
AUDIT_COLUMNS = ("event_id", "occurred_at", "actor", "actor_roles", "actor_scope", "action",
                 "target", "detail")


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def grants(store) -> list[Grant]:
    """Every grant in the store. A row the rules no longer accept (edited by hand) is left
    out, never widened."""
    out = []
    for row in store.read("store_grants").itertuples(index=False):
        try:
            out.append(Grant(row.subject_kind, row.subject, row.role_name,
                             Scope.parse(row.scope)))
        except AccessError:
            continue
    return out


def grants_frame(store) -> pd.DataFrame:
    """The grants as the store holds them, with who granted each and when."""
    return store.read("store_grants")


def principal(store, email: str, groups=(), *, name: str = "", source: str = "oidc"
              ) -> Principal:
    """The person the store's grants make of an identity (``roles.resolve``)."""
    return resolve(email, groups, grants(store), name=name, source=source)


def record(store, actor: Principal, action: str, target: str = "", detail: str = "") -> None:
    """One event of the audit log: who (with roles and scope at the time), when, what."""
    if action not in ACTIONS:
        raise KeyError(action)
    store.write(_audit_step(actor, action, str(target), str(detail), now_text()))


def grant(store, by: Principal, kind: str, subject: str, role: str, scope: Scope) -> Grant:
    """Grant ``role`` to a person (``kind='email'``) or a group, recorded in the audit log in
    the same transaction. AccessError when the grant breaks a rule, or when it would give the
    subject scopes that cannot be joined (``roles.joined_scope``; a person in several groups
    is checked when they sign in)."""
    subject = normal_email(subject) if kind == "email" else subject.strip()
    new = Grant(kind, subject, role, scope)
    others = [g for g in grants(store)
              if (g.kind, g.subject, g.role) != (kind, subject, role)]
    joined_scope([g for g in others if (g.kind, g.subject) == (kind, subject)] + [new])
    at = now_text()
    detail = f"{kind} {subject}: {role}" + (f" ({scope.text()})" if scope.restricted else "")
    store.write(
        ("store_grant", {"subject_kind": kind, "subject": subject, "role_name": role,
                         "scope": scope.text(), "granted_at": at, "granted_by": by.email}),
        _audit_step(by, "role_grant", subject, detail, at))
    return new


def revoke(store, by: Principal, kind: str, subject: str, role: str) -> bool:
    """Take ``role`` back from a person or group (recorded); False when they did not hold
    it."""
    subject = normal_email(subject) if kind == "email" else subject.strip()
    held = any((g.kind, g.subject, g.role) == (kind, subject, role) for g in grants(store))
    if not held:
        return False
    store.write(("store_revoke", {"subject_kind": kind, "subject": subject, "role_name": role}),
                _audit_step(by, "role_revoke", subject, f"{kind} {subject}: {role}",
                            now_text()))
    return True


def _audit_step(actor: Principal, action: str, target: str, detail: str, at: str):
    return ("store_audit_record", {
        "occurred_at": at, "actor": actor.email, "actor_roles": ",".join(sorted(actor.roles)),
        "actor_scope": actor.scope.text(), "action": action, "target": target,
        "detail": detail})


def events(store, *, days: int = 30, action: str = "", actor: str = "",
           limit: int = 10_000) -> pd.DataFrame:
    """The audit log's events of the last ``days`` days, newest first (of one action or
    actor when given)."""
    since = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S UTC")
    return store.read("store_audit_events", since=since, action=action, actor=actor,
                      row_limit=int(limit))
