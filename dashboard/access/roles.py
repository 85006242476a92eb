"""Who may see and do what: roles, their permissions, scopes and the person they add up to.

A person holds one or more roles, each granted to their e-mail address or to a group their
identity provider names (a ``groups`` claim). Permissions are the union of their roles'. A
grant may carry a **scope** — customer filters the person is restricted to (``region=North``,
``segment=SMB,Enterprise``) — and the person's scope is the union of their grants' (as
row-level security unions a user's roles in BI tools): one grant without a scope means the
whole company. The union must stay a set of filters (``Scope.union``): grants whose scopes
restrict different dimensions cannot be joined, and such a person is refused, never widened.

Finance, data stewards and admins act for the whole company (an assumption or a load changes
every region's figures; a steward reads every raw row; an admin grants any role): their roles
are never scoped, and a person holding one reads the whole company. Customer-level rights
(customer lists, unmasked words, every download) reach only as far as the grants that give
them: when those grants' scope is narrower than the person's, the rights are withheld.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from dashboard.i18n import N_, _
from dashboard.metrics.dimensions import CUSTOMER
from dashboard.metrics.filters import Filters

#: What a role allows. ``aggregates``: every page of aggregate figures (no customer ids, no
#: verbatims with personal data); ``segments``: the segment comparison; ``pack``: the board
#: pack; ``export_aggregates``: chart and table downloads of aggregates; ``customer_ids``: the
#: customer lists and their downloads; ``personal_text``: verbatims unmasked; ``export_all``:
#: every download; ``assumptions_edit``: drafts and publishing; ``data``: the Data page (loads,
#: quarantine, checks); ``admin``: roles and the audit log.
PERMISSIONS: tuple[str, ...] = (
    "aggregates", "segments", "pack", "export_aggregates", "customer_ids", "personal_text",
    "export_all", "assumptions_edit", "data", "admin",
)
#: The roles and their permissions.
ROLES: Mapping[str, frozenset[str]] = {
    "executive": frozenset({"aggregates", "segments", "pack"}),
    "marketing": frozenset({"aggregates", "segments", "export_aggregates"}),
    "analyst": frozenset({"aggregates", "segments", "pack", "export_aggregates",
                          "customer_ids", "personal_text", "export_all"}),
    "finance": frozenset({"aggregates", "assumptions_edit"}),
    "steward": frozenset({"data"}),
    "admin": frozenset({"admin"}),
}
#: How each role is named to people.
ROLE_NAMES: Mapping[str, str] = {
    "executive": N_("executive"), "marketing": N_("marketing"), "analyst": N_("analyst"),
    "finance": N_("finance"), "steward": N_("data steward"), "admin": N_("admin"),
}
#: The filter bar's field of each customer dimension.
_FILTER_ATTRS: Mapping[str, str] = {"segment": "segments", "region": "regions", "plan": "plans"}
#: The customer-level rights: customer lists, customers' words unmasked, every download.
DETAIL: frozenset[str] = frozenset({"customer_ids", "personal_text", "export_all"})
#: Roles that act for the whole company: a grant of one never carries a scope.
COMPANY_WIDE: frozenset[str] = frozenset({"finance", "steward", "admin"})
#: Who a grant is for: a person's e-mail address or a group of the identity provider.
SUBJECT_KINDS: tuple[str, ...] = ("email", "group")


class AccessError(ValueError):
    """A grant, scope or identity that cannot be accepted: one line saying why."""


@dataclass(frozen=True)
class Scope:
    """Customer filters a person is restricted to: dimension → allowed values (an empty
    scope: the whole company). Dimensions come from the customer allowlist."""

    values: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]]) -> Scope:
        out = []
        for dim in CUSTOMER:
            if dim in mapping:
                vals = tuple(sorted({str(v) for v in mapping[dim]}))
                if not vals:
                    raise AccessError(f"scope: {dim} names no value")
                out.append((dim, vals))
        unknown = sorted(set(mapping) - set(CUSTOMER))
        if unknown:
            raise AccessError(f"scope: unknown dimension {unknown[0]!r} (one of "
                              f"{', '.join(CUSTOMER)})")
        return cls(tuple(out))

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """``region=North,South;segment=SMB`` (blank: the whole company)."""
        text = (text or "").strip()
        if not text:
            return cls()
        mapping: dict[str, list[str]] = {}
        for part in text.split(";"):
            dim, sep, vals = part.partition("=")
            dim = dim.strip()
            if not sep or not dim:
                raise AccessError(f"scope {text!r}: write dimension=value[,value…][;…]")
            if dim in mapping:
                raise AccessError(f"scope {text!r}: {dim} given twice")
            mapping[dim] = [v.strip() for v in vals.split(",") if v.strip()]
        return cls.of(mapping)

    @property
    def restricted(self) -> bool:
        return bool(self.values)

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self.values)

    def text(self) -> str:
        """The stored form (``parse`` reads it back); blank for the whole company."""
        return ";".join(f"{dim}={','.join(vals)}" for dim, vals in self.values)

    def describe(self) -> str:
        """For people: 'region: North' …, or 'the whole company'."""
        if not self.restricted:
            return _("the whole company")
        return "; ".join(f"{_(dim)}: {', '.join(vals)}" for dim, vals in self.values)

    def union(self, other: Scope) -> Scope:
        """Both scopes' customers as one set of filters: the whole company when either is;
        values joined when both restrict the same dimensions and differ in at most one of
        them; AccessError otherwise (the union would not be a set of filters)."""
        if not self.restricted or not other.restricted:
            return Scope()
        if self.contains(other):
            return self
        if other.contains(self):
            return other
        a, b = self.as_dict(), other.as_dict()
        if set(a) != set(b):
            raise AccessError(f"scopes {self.text()!r} and {other.text()!r} restrict "
                              "different dimensions: their union is not a set of filters")
        differing = [d for d in a if a[d] != b[d]]
        if len(differing) > 1:
            raise AccessError(f"scopes {self.text()!r} and {other.text()!r} differ in more "
                              "than one dimension: their union is not a set of filters")
        return Scope.of({d: set(a[d]) | set(b[d]) for d in a})

    def contains(self, other: Scope) -> bool:
        """Whether every customer of ``other`` is in this scope (each dimension this scope
        restricts, ``other`` restricts to some of its values)."""
        mine, theirs = self.as_dict(), other.as_dict()
        return all(d in theirs and set(theirs[d]) <= set(v) for d, v in mine.items())

    def narrow(self, dim: str, requested: Iterable[str]) -> tuple[str, ...]:
        """The values of ``dim`` a query may read for a request (empty: all): the request's
        values inside the scope, else the scope's own values — never an empty list (which
        means 'all'), so a value outside the scope changes nothing."""
        allowed = self.as_dict().get(dim)
        requested = tuple(requested)
        if allowed is None:
            return requested
        inside = tuple(v for v in requested if v in allowed)
        return inside or allowed

    def filters(self, chosen: Filters) -> Filters:
        """The filter bar's selection inside the scope (``narrow`` for each dimension): what
        the pages, exports, packs and commands of a scoped person are computed for."""
        if not self.restricted:
            return chosen
        return replace(chosen, **{attr: self.narrow(dim, getattr(chosen, attr))
                                  for dim, attr in _FILTER_ATTRS.items()})


@dataclass(frozen=True)
class Grant:
    """One role for one subject, possibly scoped."""

    kind: str
    subject: str
    role: str
    scope: Scope = field(default_factory=Scope)

    def __post_init__(self) -> None:
        if self.kind not in SUBJECT_KINDS:
            raise AccessError(f"grant: subject kind {self.kind!r} is not one of "
                              f"{', '.join(SUBJECT_KINDS)}")
        if not self.subject.strip():
            raise AccessError("grant: the subject is blank")
        if self.kind == "email" and "@" not in self.subject:
            raise AccessError(f"grant: {self.subject!r} is not an e-mail address")
        if self.role not in ROLES:
            raise AccessError(f"grant: unknown role {self.role!r} (one of "
                              f"{', '.join(ROLES)})")
        if self.role in COMPANY_WIDE and self.scope.restricted:
            raise AccessError(f"grant: the {self.role} role acts for the whole company and "
                              "takes no scope")


def normal_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Principal:
    """A signed-in person (or the local single user, or a named service identity): their
    roles, permissions and scope."""

    email: str
    name: str = ""
    roles: frozenset[str] = frozenset()
    scope: Scope = field(default_factory=Scope)
    source: str = "oidc"  # "oidc", "local" (no sign-in configured) or "service"
    groups: tuple[str, ...] = ()
    #: permissions the roles give but the person does not get (``resolve``)
    withheld: frozenset[str] = frozenset()

    @property
    def permissions(self) -> frozenset[str]:
        out: set[str] = set()
        for role in self.roles:
            out |= ROLES[role]
        return frozenset(out - self.withheld)

    def can(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise KeyError(permission)
        return permission in self.permissions

    @property
    def label(self) -> str:
        return self.name or self.email

    def role_names(self) -> str:
        return ", ".join(_(ROLE_NAMES[r]) for r in sorted(self.roles)) or _("no role")


def local_user() -> Principal:
    """The one person of an app served on localhost without sign-in: every role, no scope."""
    return Principal(email="local", name=_("local user"), roles=frozenset(ROLES),
                     source="local")


def resolve(email: str, groups: Iterable[str], grants: Iterable[Grant], *, name: str = "",
            source: str = "oidc") -> Principal:
    """The person the grants make of an identity: the roles granted to their e-mail address
    (case-insensitive) or to any of their groups, and the union of their scopes
    (``joined_scope``).
    AccessError when the scopes cannot be joined (the person is refused, not widened)."""
    email = normal_email(email)
    groups = tuple(sorted({str(g) for g in groups}))
    mine = [g for g in grants
            if (g.kind == "email" and normal_email(g.subject) == email)
            or (g.kind == "group" and g.subject in groups)]
    scope = joined_scope(mine)
    # customer-level rights reach only as far as the grants that give them: a North analyst
    # who is also an executive of the whole company sees the whole company's figures but no
    # customer list at all (never the whole company's) — fail closed
    detail = [g for g in mine if DETAIL & ROLES[g.role]]
    withheld = DETAIL if detail and joined_scope(detail) != scope else frozenset()
    return Principal(email=email, name=name, roles=frozenset(g.role for g in mine),
                     scope=scope, source=source, groups=groups, withheld=withheld)


def joined_scope(grants: Iterable[Grant]) -> Scope:
    """The union of the grants' scopes: a grant of a company-wide role (finance, steward,
    admin: each sees or changes every region's data) or any unscoped grant makes it the whole
    company. AccessError when they cannot be joined."""
    scope: Scope | None = None
    for g in grants:
        scope = g.scope if scope is None else scope.union(g.scope)
    return scope or Scope()
