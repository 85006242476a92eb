"""The command line's sign-in and roles: the ``roles`` sub-command and the ``--as`` identity
of the headless commands (``kpis``, ``money``, ``pack``), read from the app-owned store's grants
and recorded in its audit log (``dashboard.access``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.access.roles import ROLES
from dashboard.cli_text import say, say_json


def identity(args: argparse.Namespace, need: str):
    """The person ``--as`` names, from the store's grants (None without ``--as``);
    FilterError when their roles do not allow ``need``."""
    from dashboard.access import store as access
    from dashboard.access.roles import AccessError
    from dashboard.metrics.filters import FilterError
    from dashboard.warehouse import db

    if not getattr(args, "identity", None):
        return None
    try:
        who = access.principal(db.AppStore(args.store_url), args.identity, source="service")
    except AccessError as exc:
        raise FilterError(f"--as {args.identity}: {exc}") from None
    if not who.roles:
        raise FilterError(f"--as {args.identity}: no role is granted to it (python -m "
                          "dashboard roles grant …)")
    if not who.can(need):
        raise FilterError(f"--as {args.identity}: its roles ({', '.join(sorted(who.roles))}) "
                          f"do not allow this ({need})")
    return who


def audit(args: argparse.Namespace, who, action: str, target: str, filters) -> None:
    """Record a headless run of ``--as`` in the audit log (what, for which week and scope)."""
    if who is None:
        return
    from dashboard.access import store as access
    from dashboard.warehouse import db

    access.record(db.AppStore(args.store_url), who, action, target,
                  f"{filters.week}; {filters.describe()}")


def cmd_roles(args: argparse.Namespace) -> int:
    """Roles from the command line (``dashboard.access``): ``list`` the grants, ``show`` what
    an identity may see and do, ``grant`` and ``revoke`` a role (recorded in the audit log
    with ``--by``), ``audit`` prints or writes (``--csv``) the audit log. Exit status 0, 1 for
    a revoke of a role not held, 2 for a grant the rules refuse."""
    from dashboard.access import store as access
    from dashboard.access.roles import AccessError, Principal, Scope
    from dashboard.exports import files as export
    from dashboard.warehouse import db

    store = db.AppStore(args.store_url)
    try:
        if args.action == "list":
            grants = access.grants_frame(store)
            if args.json:
                say_json(grants.to_dict("records"))
            for r in () if args.json else grants.itertuples(index=False):
                say(f"{r.subject_kind:<6} {r.subject:<32} {r.role_name:<10} "
                    f"{r.scope or '(whole company)':<28} granted {r.granted_at} by "
                    f"{r.granted_by}")
            if grants.empty and not args.json:
                say("no role is granted yet: python -m dashboard roles grant ROLE --email …")
        elif args.action == "show":
            who = access.principal(store, args.email, args.group or ())
            doc = {"email": who.email, "groups": list(who.groups), "roles": sorted(who.roles),
                   "permissions": sorted(who.permissions), "scope": who.scope.text()}
            if args.json:
                say_json(doc)
            else:
                may = ", ".join(doc["permissions"]) or "(nothing)"
                say(f"{who.email}: roles {', '.join(doc['roles']) or '(none)'}; scope "
                    f"{doc['scope'] or '(whole company)'}; may {may}")
        elif args.action in ("grant", "revoke"):
            kind, subject = ("group", args.group) if args.group else ("email", args.email)
            by = Principal(email=args.by, name="command line", roles=frozenset({"admin"}),
                           source="cli")
            if args.action == "grant":
                g = access.grant(store, by, kind, subject, args.role, Scope.parse(args.scope))
                say(f"granted {g.role} to {g.kind} {g.subject} "
                    f"({g.scope.text() or 'whole company'})")
            elif access.revoke(store, by, kind, subject, args.role):
                say(f"took {args.role} back from {kind} {subject}")
            else:
                say(f"error: {kind} {subject} does not hold {args.role}", file=sys.stderr)
                return 1
        else:  # audit
            events = access.events(store, days=args.days, action=args.only or "",
                                   actor=args.actor or "")
            if args.csv:
                Path(args.csv).write_bytes(export.csv_bytes(events))
                say(f"{len(events):,} events written to {args.csv}")
            elif args.json:
                say_json(events.to_dict("records"))
            else:
                for r in events.itertuples(index=False):
                    say(f"{r.occurred_at}  {r.actor:<28} {r.action:<18} {r.target}  {r.detail}")
    except AccessError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def add_parser(sub) -> None:
    """The ``roles`` sub-command's arguments."""
    r = sub.add_parser("roles", help="who may see and do what: list, show, grant and revoke "
                                     "roles; read the audit log")
    r.add_argument("--store-url", default=None,
                   help="app-owned store URL (default CX_APP_STORE_URL)")
    r.add_argument("--json", action="store_true", help="print JSON (list, show, audit)")
    acts = r.add_subparsers(dest="action", required=True)
    acts.add_parser("list", help="every grant, with its scope and who granted it when")
    rs = acts.add_parser("show", help="an identity's roles, permissions and scope")
    rs.add_argument("email")
    rs.add_argument("--group", action="append", help="a group the identity provider names "
                                                     "(repeat for several)")
    for verb, text in (("grant", "grant a role to a person (--email) or a group (--group)"),
                       ("revoke", "take a role back from a person or a group")):
        rg = acts.add_parser(verb, help=text)
        rg.add_argument("role", choices=list(ROLES))
        who = rg.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="the person's e-mail address (or a service name)")
        who.add_argument("--group", help="a group of the identity provider (its groups claim)")
        rg.add_argument("--by", required=True, help="your name, recorded in the audit log")
        if verb == "grant":
            rg.add_argument("--scope", default="",
                            help="customer filters the role is restricted to, e.g. "
                                 "'region=North' or 'region=North,South;segment=SMB' (default: "
                                 "the whole company; finance, steward and admin take none)")
    au = acts.add_parser("audit", help="the audit log, newest first")
    au.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    au.add_argument("--action", dest="only", default=None, help="only this action")
    au.add_argument("--actor", default=None, help="only this person")
    au.add_argument("--csv", default=None, metavar="FILE", help="write the events as CSV")
    r.set_defaults(func=cmd_roles)
