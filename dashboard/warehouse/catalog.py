"""The query catalog: every SQL statement of ``queries/``, one ``.sql`` file each, parsed with its
header and handed out by name.

Every statement lives in ``queries/<layer>/<name>.sql`` with a header::

    -- name: kpi_survey_weekly
    -- purpose: one line
    -- grain: one row per …
    -- params: start_week date, end_week date

and, for a statement that joins customers one by one (``customer_key``), ``-- weight:
customer-level``: the app runs a bounded number of those at once (``db.Warehouse.run``).

The declared parameters must equal the ``$names`` the SQL uses (``Query.used_params``; a test
checks every file). Values are always bound; the only identifiers filled into a statement are the
``{table}``/``{key}``/``{identity}`` placeholders of the write-side templates in
``queries/ingest/``, each checked against an allowlist (the raw contract's names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from dashboard.warehouse import config

LAYERS = ("staging", "marts", "dashboard", "checks", "data")
_PARAM_RE = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)")
_IDENT_RE = re.compile(r"\{(table|key|identity)\}")
_HEADER_RE = re.compile(r"^--\s*(name|purpose|grain|params|materialize|weight)\s*:\s*(.*?)\s*$")


#: A named-query runner: ``fetch(name, **params)`` returns the rows of ``queries/**/<name>.sql``
#: (``db.cached_run`` bound to a warehouse in the app, a builder's ``run`` in tests).
Fetch = Callable[..., pd.DataFrame]


#: The one declared weight (``-- weight: customer-level``).
CUSTOMER_LEVEL = "customer-level"


class QueryError(Exception):
    """A named query is unknown, badly declared or given the wrong parameters."""



@dataclass(frozen=True)
class Query:
    """One SQL statement loaded from ``queries/``."""

    name: str
    layer: str
    path: Path
    purpose: str
    grain: str
    params: tuple[str, ...]
    sql: str
    weight: str = ""

    @property
    def customer_level(self) -> bool:
        """Declared ``-- weight: customer-level``: it joins or groups customers one by one."""
        return self.weight == CUSTOMER_LEVEL

    @cached_property
    def code(self) -> str:
        """The SQL text without its comments (each line cut at ``--``)."""
        return "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())

    @cached_property
    def reads_marts(self) -> bool:
        """Whether the statement reads a mart (``marts.`` outside comments)."""
        return "marts." in self.code

    @property
    def used_params(self) -> tuple[str, ...]:
        """The ``$names`` the SQL text actually uses (comments stripped), sorted."""
        return tuple(sorted(set(_PARAM_RE.findall(self.code))))


def parse_query(path: Path) -> Query:
    """Parse one ``.sql`` file and its header; raise QueryError when the header is incomplete."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_RE.match(line)
        if m:
            header[m.group(1)] = m.group(2)
    missing = [k for k in ("name", "purpose", "grain", "params") if k not in header]
    if missing:
        raise QueryError(f"{path}: header lacks {', '.join(missing)}")
    if header["name"] != path.stem:
        raise QueryError(f"{path}: header name {header['name']!r} differs from file name")
    if header.get("weight", CUSTOMER_LEVEL) != CUSTOMER_LEVEL:
        raise QueryError(f"{path}: unknown weight {header['weight']!r} (only {CUSTOMER_LEVEL})")
    raw = header["params"]
    params = () if raw.lower() in ("", "none") else tuple(
        sorted(p.strip().split()[0] for p in raw.split(",") if p.strip())
    )
    return Query(
        name=header["name"],
        layer=path.parent.name,
        path=path,
        purpose=header["purpose"],
        grain=header["grain"],
        params=params,
        sql=text,
        weight=header.get("weight", ""),
    )


@lru_cache(maxsize=1)
def catalog() -> dict[str, Query]:
    """Every query under ``queries/``, keyed by name (names are unique across layers)."""
    out: dict[str, Query] = {}
    for layer in LAYERS:
        for path in sorted((config.QUERIES_DIR / layer).glob("*.sql")):
            q = parse_query(path)
            if q.name in out:
                raise QueryError(f"duplicate query name {q.name!r}")
            out[q.name] = q
    return out


def get_query(name: str) -> Query:
    """The query called ``name``; QueryError if there is none."""
    try:
        return catalog()[name]
    except KeyError:
        raise QueryError(f"unknown query {name!r}") from None


def layer_queries(layer: str) -> list[Query]:
    """The queries of one layer in dependency order (a query after those it references)."""
    qs = {q.name: q for q in catalog().values() if q.layer == layer}
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str, stack: tuple[str, ...] = ()) -> None:
        if n in seen:
            return
        if n in stack:
            raise QueryError(f"cycle in {layer}: {' -> '.join(stack + (n,))}")
        deps = set(re.findall(rf"\b{layer}\.(\w+)", qs[n].sql)) & set(qs) - {n}
        for d in sorted(deps):
            visit(d, stack + (n,))
        seen.add(n)
        order.append(n)

    for n in sorted(qs):
        visit(n)
    return [qs[n] for n in order]


RAW_NAMES = frozenset({"customers", "survey_responses", "complaints", "contacts",
                       "transactions", "assumptions"})



# --- ingest statements: write-side templates whose varying identifiers come from the contract ---


@lru_cache(maxsize=1)
def ingest_catalog() -> dict[str, Query]:
    """The write-side statements of builds and loads (``queries/ingest/*.sql``), by name."""
    return {p.stem: parse_query(p) for p in sorted((config.QUERIES_DIR / "ingest").glob("*.sql"))}


def ingest_statement(name: str, allowed: frozenset[str] = frozenset(), **identifiers: str) -> str:
    """The statement ``name`` with its ``{table}``/``{key}``/``{identity}`` placeholders filled;
    every identifier must be given, be a plain name and belong to ``allowed``."""
    try:
        q = ingest_catalog()[name]
    except KeyError:
        raise QueryError(f"unknown ingest statement {name!r}") from None
    wanted = set(_IDENT_RE.findall(q.sql))
    if wanted != set(identifiers):
        raise QueryError(f"{name}: expects identifiers {sorted(wanted)}, got "
                         f"{sorted(identifiers)}")
    for key, value in identifiers.items():
        if not value.isidentifier() or value not in allowed:
            raise QueryError(f"{name}: {key} {value!r} is not a name of the contract")
    return _IDENT_RE.sub(lambda m: identifiers[m.group(1)], q.sql)


def script(name: str) -> list[str]:
    """The statements of a multi-statement DDL file of ``queries/ingest/`` (no identifiers)."""
    body = "\n".join(line for line in ingest_statement(name).splitlines()
                     if not line.startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


# --- the app-owned store: assumption sets, their change log, saved scenarios -----------------
# A separate database (SQLite by default) that the app may write; the analytics warehouse stays
# read-only. Its SQL lives in ``queries/store/`` (not part of the warehouse catalog).


@lru_cache(maxsize=1)
def store_catalog() -> dict[str, Query]:
    """The store's queries (``queries/store/*.sql``), keyed by name."""
    return {p.stem: parse_query(p) for p in sorted((config.QUERIES_DIR / "store").glob("*.sql"))}
