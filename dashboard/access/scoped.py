"""A person's scope enforced in the data layer: the warehouse they read through.

``Scoped(wh, scope)`` is the warehouse for a person restricted to a scope. Every named query
run through it is narrowed, whatever the page, export, pack or command asked for:

- a query taking customer filters (``segments``, ``regions``, ``plans``) gets, for each scoped
  dimension, the asked values inside the scope, else the scope's own values — never an empty
  list, which would mean "all" (``Scope.narrow``); a value outside the scope (a tampered widget
  or URL) changes nothing;
- a result carrying the customer dimensions (``segment``, ``region``, ``plan``) keeps only the
  rows inside the scope — the queries read once per window and narrowed in pandas are narrowed
  here before any page sees them;
- the filter options list only the scope's values of a scoped dimension;
- a query that returns neither is run only when it holds no customer data (``SCOPE_FREE``:
  calendars, settings, which tables hold rows, the assumptions); any other is refused
  (``ScopeRefused``) — a new query is closed to scoped people until it is narrowed.

Raw SQL (``sql``) is refused. The cache keys of results and derived values carry the scope
(``url``), so one person's results are never served to another. An unscoped person reads the
warehouse itself.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.access.roles import Scope
from dashboard.warehouse.catalog import get_query

#: The customer filters' query parameters, by dimension.
PARAMS: dict[str, str] = {"segment": "segments", "region": "regions", "plan": "plans"}
#: Queries that hold no customer data: run as they are for everyone.
SCOPE_FREE: frozenset[str] = frozenset({
    "assumption_rows", "assumptions_in_force", "data_calendar", "data_coverage",
    "warehouse_build", "warehouse_settings", "weeks_available", "concurrency_probe",
})
#: Results listing dimension values (``dimension``, ``dimension_value``): a scoped dimension
#: keeps its scope's values only.
OPTION_QUERIES: frozenset[str] = frozenset({"filter_options"})


class ScopeRefused(PermissionError):
    """A query that cannot be narrowed to a person's scope."""


def narrow_params(scope: Scope, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The query's customer-filter parameters narrowed to ``scope``."""
    out = dict(params)
    declared = get_query(name).params
    for dim, param in PARAMS.items():
        if param in declared and param in out:
            out[param] = list(scope.narrow(dim, out[param] or ()))
    return out


def narrow_rows(scope: Scope, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The result's rows inside ``scope``; ScopeRefused when the result cannot be narrowed."""
    allowed = scope.as_dict()
    if name in OPTION_QUERIES:
        keep = pd.Series(True, index=frame.index)
        for dim, vals in allowed.items():
            keep &= (frame["dimension"] != dim) | frame["dimension_value"].isin(vals)
        return frame.loc[keep].reset_index(drop=True)
    if all(dim in frame.columns for dim in allowed):
        keep = pd.Series(True, index=frame.index)
        for dim, vals in allowed.items():
            keep &= frame[dim].astype(str).isin(vals)
        return frame.loc[keep].reset_index(drop=True)
    declared = get_query(name).params
    if all(PARAMS[dim] in declared for dim in allowed) or name in SCOPE_FREE:
        return frame  # narrowed in the SQL itself, or holds no customer data
    raise ScopeRefused(f"{name} cannot be narrowed to the scope {scope.text()!r}")


class Scoped:
    """The warehouse ``wh`` as a person restricted to ``scope`` reads it (see the module)."""

    def __init__(self, wh, scope: Scope) -> None:
        if not scope.restricted:
            raise ValueError("an unscoped person reads the warehouse itself")
        self.inner = wh
        self.scope = scope
        self.read_only = True

    @property
    def url(self) -> str:
        # the cache keys of results and derived values: one scope's never serve another
        return f"{self.inner.url}#scope={self.scope.text()}"

    @property
    def stamp(self):
        return self.inner.stamp

    @property
    def path(self):
        return self.inner.path

    @property
    def dialect(self) -> str:
        return self.inner.dialect

    def settings(self) -> dict[str, str]:
        return self.inner.settings()

    def marts_version(self) -> str | None:
        return self.inner.marts_version()

    def engine(self):
        raise ScopeRefused("a scoped reader runs named queries only")

    def sql(self, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        raise ScopeRefused("a scoped reader runs named queries only")

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        frame = self.inner.run(name, **narrow_params(self.scope, name, params))
        return narrow_rows(self.scope, name, frame)


def reader(wh, scope: Scope):
    """What a person with ``scope`` reads: the warehouse, or its scoped view."""
    return Scoped(wh, scope) if scope.restricted else wh
