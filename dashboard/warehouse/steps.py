"""The build steps, written once for every engine: create the raw contract's tables, load the raw
rows (and, for DuckDB, the demo's truth tables), build the staging views and mart tables of
``queries/`` in dependency order, run every contract check and record the run, then publish.

An engine supplies only what differs, as a subclass of ``Target``: how to run a statement and a
query (the SQL arrives in DuckDB's dialect and is transpiled with ``engines.transpile``), how to
load raw rows and the check runs, how to create a view or a table, how to clear an earlier
warehouse, and how to publish the new one or give it up. DuckDB's target is
``dashboard.warehouse.build.Builder`` (a file swapped in atomically), PostgreSQL's is in the same
module (one transaction, committed), Spark's is in ``dashboard.warehouse.spark`` (tables written
as parquet, listed in a manifest).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache

import pandas as pd

from dashboard.warehouse import engines, schema
from dashboard.warehouse.catalog import (
    QueryError,
    get_query,
    ingest_statement,
    layer_queries,
    script,
)

RAW_TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions",
              "assumptions")
#: The schemas a build creates (names fixed here, never from user text).
SCHEMAS = ("raw", "ingest", "history", "staging", "marts")
CHECK_RUN_COLUMNS = ["check_name", "failing_rows", "checked_at", "seconds"]
SETTING_COLUMNS = ["setting_key", "setting_value", "set_at"]
#: The key of the data's as-of date in ``ingest.settings`` (``staging.stg_settings`` reads it).
AS_OF_KEY = "as_of_date"
#: How the warehouse counts time, kept in ``ingest.settings`` from its first build or load on:
#: each key, its values (the first is the default, never written) and what it means.
CALENDAR_SETTINGS = {
    "week_start": ("iso", "saturday"),  # ISO weeks Monday–Sunday, or Saturday–Friday
    "months": ("gregorian", "jalali"),  # months of the Gregorian or the Jalali calendar
}
#: The key of the fingerprint of the staging and mart SQL that built the marts (``marts_version``),
#: written at every rebuild: the app reads marts only when it equals its own.
MARTS_VERSION_KEY = "marts_version"
#: How a warehouse counts time when it says nothing: each setting's default.
CALENDAR_DEFAULTS = {k: values[0] for k, values in CALENDAR_SETTINGS.items()}

Progress = Callable[[str], None]


class ContractViolation(QueryError):
    """A contract check returned failing rows (or a loaded file broke a row rule); the warehouse
    was not replaced."""


def quiet(_: str) -> None:
    return None


class Target:
    """One engine's side of a build. Subclasses implement ``statement``, ``query``,
    ``load_raw``, ``record_checks``, ``record_settings``, ``publish`` and ``abort``; the rest
    has defaults."""

    #: the sqlglot dialect the engine speaks
    dialect = "duckdb"
    #: what a failed check leaves behind, said at the end of ContractViolation's message
    unfinished = "warehouse not replaced"

    # --- what each engine supplies ---

    def statement(self, text: str) -> None:
        """Run one statement in the engine's own dialect."""
        raise NotImplementedError

    def query(self, text: str) -> pd.DataFrame:
        """Run one query in the engine's own dialect; its rows."""
        raise NotImplementedError

    def load_raw(self, table: str, frame: pd.DataFrame, allowed: frozenset[str]) -> None:
        """Insert a whole raw table from a frame, cast to the contract's types (``table`` is
        one of ``allowed``)."""
        raise NotImplementedError

    def record_checks(self, runs: pd.DataFrame) -> None:
        """Append the runs of the contract checks (``CHECK_RUN_COLUMNS``) to
        ``ingest.check_runs``."""
        raise NotImplementedError

    def record_settings(self, rows: pd.DataFrame) -> None:
        """Append settings (``SETTING_COLUMNS``) to ``ingest.settings``."""
        raise NotImplementedError

    def record_calendar(self, days: pd.DataFrame) -> None:
        """Replace the rows of ``ingest.calendar_days`` with ``days`` (``CALENDAR_COLUMNS``)."""
        raise NotImplementedError

    def load_frame(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Create ``schema.table`` from a DataFrame (the demo's truth tables)."""
        raise QueryError(f"{type(self).__name__} does not load {schema}.{table}")

    def clear(self) -> None:
        """Drop an earlier warehouse in the same place (nothing when the target starts empty)."""

    def create_relation(self, kind: str, name: str, body: str) -> None:
        """Create the view or table ``name`` (``layer.query``) as the transpiled ``body``."""
        self.statement(f"create {kind} {name} as\n{body}")

    def publish(self) -> object:
        """Make the new warehouse the one readers see."""
        raise NotImplementedError

    def abort(self) -> None:
        """Give the unfinished warehouse up."""
        raise NotImplementedError

    # --- the steps, the same for every engine ---

    def forget_marts_version(self) -> None:
        """Remove the fingerprint an earlier rebuild recorded (a rebuild records its own)."""
        self.statement(self.native(ingest_statement("ingest_marts_version_clear")))

    def native(self, sql: str) -> str:
        """SQL of ``queries/`` (DuckDB's dialect, no bound parameters) in the engine's."""
        return engines.transpile(sql, self.dialect, bound=False)

    def create_contract(self) -> None:
        """Create the raw contract's tables, the load log, the quarantine and history when
        missing (an existing warehouse keeps its rows)."""
        for name in ("raw_schema", "ingest_schema"):
            for statement in script(name):
                self.statement(self.native(statement))

    def count(self, relation: str) -> int:
        """Rows in a table or view (``schema.name``) of the warehouse being built."""
        if not all(part.isidentifier() for part in relation.split(".")):
            raise QueryError(f"bad relation name {relation!r}")
        text = f"select count(*) as n from {relation}"  # noqa: S608 (plain names, checked)
        return int(self.query(text).iloc[0, 0])

    def build_layers(self, layers: tuple[str, ...] = ("staging", "marts")) -> list[str]:
        """Create staging views and mart tables from ``queries/`` in dependency order; return
        the names built."""
        built = []
        for layer in layers:
            self.statement(f"create schema if not exists {layer}")  # fixed names
            kind = "view" if layer == "staging" else "table"
            for q in layer_queries(layer):
                # layer, kind and name come from the project's own query catalog
                self.create_relation(kind, f"{layer}.{q.name}", self.native(q.sql))
                built.append(f"{layer}.{q.name}")
        return built

    def run_checks(self, record: bool = False) -> dict[str, pd.DataFrame]:
        """Run every contract check; return its failing rows (empty frame = pass) by name.
        ``record``: also write the run into ``ingest.check_runs`` (failing rows, when, seconds),
        which the Data page reads instead of scanning every raw table again."""
        out: dict[str, pd.DataFrame] = {}
        runs = []
        at = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
        for q in layer_queries("checks"):
            t0 = time.perf_counter()
            out[q.name] = self.query(self.native(q.sql))
            runs.append((q.name, len(out[q.name]), at, time.perf_counter() - t0))
        if record:
            self.record_checks(pd.DataFrame(runs, columns=CHECK_RUN_COLUMNS))
        return out


def as_of_setting(as_of: date, at: pd.Timestamp | None = None) -> pd.DataFrame:
    """The row of ``ingest.settings`` that keeps a given as-of date (set ``at``, UTC)."""
    at = at if at is not None else pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    return pd.DataFrame([(AS_OF_KEY, as_of.isoformat(), at)], columns=SETTING_COLUMNS)


#: The days the calendar table holds (``ingest.calendar_days``): every date the data may carry.
CALENDAR_SPAN = (date(1950, 1, 1), date(2100, 12, 31))
CALENDAR_COLUMNS = ["day", "month_start", "next_month_start", "month_index"]


def calendar_days(months: str) -> pd.DataFrame:
    """Every day of ``CALENDAR_SPAN`` with the month holding it (``CALENDAR_COLUMNS``), as
    ``months`` (``gregorian`` or ``jalali``) counts months; ``month_index`` numbers the months
    in order (year × 12 + month − 1 of the calendar), so a month ``k`` months later has the
    index ``k`` higher."""
    days = pd.date_range(*CALENDAR_SPAN, freq="D")
    if months == "jalali":
        import jdatetime

        firsts: list[date] = []
        index: list[int] = []
        j = jdatetime.date.fromgregorian(date=CALENDAR_SPAN[0])
        y, m = j.year, j.month
        start = jdatetime.date(y, m, 1).togregorian()
        while start <= CALENDAR_SPAN[1]:
            firsts.append(start)
            index.append(y * 12 + m - 1)
            y, m = (y, m + 1) if m < 12 else (y + 1, 1)
            start = jdatetime.date(y, m, 1).togregorian()
        firsts.append(start)
        bounds = pd.DatetimeIndex(firsts)
        at = bounds.searchsorted(days, side="right") - 1
        month_start = bounds[at]
        next_start = bounds[at + 1]
        month_index = pd.Index(index)[at].to_numpy()
    else:
        month_start = days.to_period("M").to_timestamp()
        next_start = (days.to_period("M") + 1).to_timestamp()
        month_index = (days.year * 12 + days.month - 1).to_numpy()
    return pd.DataFrame({"day": days.date, "month_start": pd.DatetimeIndex(month_start).date,
                         "next_month_start": pd.DatetimeIndex(next_start).date,
                         "month_index": month_index.astype("int32")})


def check_calendar(calendar: Mapping[str, str] | None) -> dict[str, str]:
    """The calendar settings given (``CALENDAR_SETTINGS`` keys), every key filled with its
    default; ValueError (one line) for an unknown key or value."""
    out = {key: values[0] for key, values in CALENDAR_SETTINGS.items()}
    for key, value in (calendar or {}).items():
        if key not in CALENDAR_SETTINGS:
            raise ValueError(f"unknown calendar setting {key!r}: one of "
                             f"{', '.join(CALENDAR_SETTINGS)}")
        if value not in CALENDAR_SETTINGS[key]:
            raise ValueError(f"unknown {key.replace('_', ' ')} {value!r}: one of "
                             f"{', '.join(CALENDAR_SETTINGS[key])}")
        out[key] = value
    return out


def calendar_setting(calendar: Mapping[str, str] | None,
                     at: pd.Timestamp | None = None) -> pd.DataFrame:
    """The rows of ``ingest.settings`` that keep how a warehouse counts time: one per setting
    that differs from its default (a warehouse without them counts ISO weeks and Gregorian
    months)."""
    at = at if at is not None else pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    chosen = check_calendar(calendar)
    rows = [(key, value, at) for key, value in chosen.items()
            if value != CALENDAR_SETTINGS[key][0]]
    return pd.DataFrame(rows, columns=SETTING_COLUMNS)


def populate(target: Target, raw: Mapping[str, pd.DataFrame],
             truth: Mapping[str, pd.DataFrame] | None = None,
             progress: Progress = quiet, as_of: date | None = None,
             calendar: Mapping[str, str] | None = None) -> dict[str, int]:
    """Clear the target, create the contract, load every raw table (and the truth tables),
    keep ``as_of`` (the data's as-of date, when given: the calendar then runs to its week,
    never short of the data's latest date) and ``calendar`` (how weeks and months are counted:
    ``CALENDAR_SETTINGS``), build staging and marts and run the checks; rows of every raw
    table and mart."""
    kept = calendar_setting(calendar)
    unknown = sorted(set(raw) - set(RAW_TABLES))
    if unknown:
        raise QueryError(f"not a raw table: {unknown[0]!r}")
    counts: dict[str, int] = {}
    target.clear()
    target.create_contract()
    for table in RAW_TABLES:
        progress(f"loading raw.{table}")
        target.load_raw(table, raw[table], schema.NAMES)
        counts[f"raw.{table}"] = len(raw[table])
    for key, frame in (truth or {}).items():
        target.load_frame("truth", key.removeprefix("truth_"), frame)
    if as_of is not None:
        target.record_settings(as_of_setting(as_of))
    if len(kept):
        target.record_settings(kept)
    progress("building staging and marts")
    counts.update(rebuild(target))
    return counts


def kept_calendar(target: Target) -> dict[str, str]:
    """How the warehouse being built counts time, as ``ingest.settings`` keeps it (every key of
    ``CALENDAR_SETTINGS``, defaults filled in)."""
    rows = target.query(target.native(ingest_statement("ingest_calendar_settings")))
    return check_calendar(dict(zip(rows["setting_key"], rows["setting_value"], strict=True)))


@lru_cache(maxsize=1)
def marts_version() -> str:
    """The fingerprint of this version's staging and mart SQL (16 hex digits of a SHA-256 over
    every statement's name and text): a warehouse whose marts were built by other SQL has other
    tables and columns than the app's queries read."""
    digest = hashlib.sha256()
    for layer in ("staging", "marts"):
        for q in layer_queries(layer):
            digest.update(f"{layer}/{q.name}\n{q.sql}\n".encode())
    return digest.hexdigest()[:16]


def recorded_version(found: pd.DataFrame) -> str | None:
    """The fingerprint a ``warehouse_build`` result holds, None when it holds none."""
    return None if found.empty else str(found.iloc[0, 0])


def marts_stale(target: Target) -> bool:
    """Whether the marts of ``target`` were built by other SQL than this version's (or recorded
    none: built before the fingerprint was kept)."""
    found = target.query(target.native(get_query("warehouse_build").sql))
    return recorded_version(found) != marts_version()


def marts_version_setting(at: pd.Timestamp | None = None) -> pd.DataFrame:
    """The row of ``ingest.settings`` that records which SQL built the marts (set ``at``)."""
    at = at if at is not None else pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    return pd.DataFrame([(MARTS_VERSION_KEY, marts_version(), at)], columns=SETTING_COLUMNS)


def rebuild(target: Target) -> dict[str, int]:
    """Write the calendar's days for the warehouse's month calendar, build staging and marts
    from the raw tables and run every contract check, recording the run and the version of
    the SQL that built them (``marts_version``); mart row counts, or ContractViolation naming
    the failing checks."""
    target.forget_marts_version()
    target.record_settings(marts_version_setting())
    target.record_calendar(calendar_days(kept_calendar(target)["months"]))
    counts = {name: target.count(name) for name in target.build_layers()
              if name.startswith("marts.")}
    failing = {k: len(v) for k, v in target.run_checks(record=True).items() if len(v)}
    if failing:
        detail = ", ".join(f"{k}: {v} failing rows" for k, v in sorted(failing.items()))
        raise ContractViolation(f"contract checks failed ({detail}); {target.unfinished}")
    return counts


def run(target: Target, raw: Mapping[str, pd.DataFrame],
        truth: Mapping[str, pd.DataFrame] | None = None,
        progress: Progress = quiet, as_of: date | None = None,
        calendar: Mapping[str, str] | None = None) -> dict[str, int]:
    """Populate the target and publish it; on any failure give it up. The row counts."""
    try:
        counts = populate(target, raw, truth, progress, as_of, calendar)
        target.publish()
    except BaseException:
        target.abort()
        raise
    return counts
