"""Build a warehouse: raw tables in, staging views and mart tables out, contract checks run.

The steps are ``dashboard.warehouse.steps``; this module supplies DuckDB's side of them
(``Builder``) and PostgreSQL's (``build_remote``), and hands Spark URLs to
``dashboard.warehouse.spark``. A DuckDB warehouse is written to a temporary file beside the target
and swapped in atomically only when every step and every check has passed, so a running app never
sees a half-built one; a PostgreSQL one is built in one transaction that commits at the end.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from dashboard.warehouse import config, engines, steps
from dashboard.warehouse.catalog import QueryError, get_query, ingest_statement
from dashboard.warehouse.schema import ID_COLUMNS, NAMES
from dashboard.warehouse.steps import (
    RAW_TABLES,
    ContractViolation,
    Progress,
    populate,
    rebuild,
)

__all__ = ["RAW_TABLES", "TRUTH_TABLES", "BuildReport", "Builder", "ContractViolation",
           "build", "build_remote", "populate", "read_assumptions", "rebuild"]

TRUTH_TABLES = ("truth_parameters", "truth_events")


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    path: Path
    row_counts: dict[str, int]
    seconds: float
    size_bytes: int


def build(raw: Mapping[str, pd.DataFrame], target: Path,
          truth: Mapping[str, pd.DataFrame] | None = None,
          progress: Progress = steps.quiet, as_of: date | None = None,
          calendar: Mapping[str, str] | None = None) -> BuildReport:
    """Build a warehouse file at ``target`` atomically from raw frames (``as_of``: the data's
    as-of date to keep, else the latest date of the data; ``calendar``: how it counts weeks
    and months, ``steps.CALENDAR_SETTINGS``, ISO weeks and Gregorian months by default)."""
    steps.check_calendar(calendar)
    t0 = time.perf_counter()
    builder = Builder(target)
    counts = steps.run(builder, raw, truth, progress, as_of, calendar)
    return BuildReport(builder.target, counts, time.perf_counter() - t0,
                       builder.target.stat().st_size)


def read_assumptions(path: Path = config.DEMO_ASSUMPTIONS_CSV) -> pd.DataFrame:
    """A shipped assumptions file (all columns as text; valid_from parsed as a date): by default
    the demo world's (``demo`` and the test worlds); a company's warehouse starts from
    ``config.DEFAULT_ASSUMPTIONS_CSV`` instead."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.date
    return df


# --- DuckDB: a new file beside the target, swapped in atomically ---


def _connect(path: str) -> duckdb.DuckDBPyConnection:
    """A read-write DuckDB connection for building (no progress bar on the terminal)."""
    conn = duckdb.connect(path)
    conn.execute("set enable_progress_bar = false")
    return conn


class Builder(steps.Target):
    """Write access to a new warehouse file; ``publish`` swaps it in atomically."""

    def __init__(self, target: Path, tag: str = "building", copy: bool = False) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.target.with_name(f".{self.target.name}.{tag}-{os.getpid()}")
        for p in (self.tmp, Path(f"{self.tmp}.wal")):
            p.unlink(missing_ok=True)
        if copy and self.target.exists():
            shutil.copyfile(self.target, self.tmp)
            wal = Path(f"{self.target}.wal")
            if wal.exists():  # an unfinished write-ahead log belongs to the file; replay it too
                shutil.copyfile(wal, f"{self.tmp}.wal")
        try:
            self.conn = _connect(str(self.tmp))
        except BaseException:  # not a database after all: no copy left behind
            for p in (self.tmp, Path(f"{self.tmp}.wal")):
                p.unlink(missing_ok=True)
            raise

    @classmethod
    def copy_of(cls, target: Path) -> Builder:
        """A builder over a copy of the existing warehouse at ``target`` (a new one when there is
        none yet); ``publish`` swaps the copy in, ``abort`` leaves the original untouched."""
        return cls(target, tag="ingest", copy=True)

    @classmethod
    def in_memory(cls) -> Builder:
        """A builder over an in-memory database (tests)."""
        self = cls.__new__(cls)
        self.target = self.tmp = Path(":memory:")
        self.conn = _connect(":memory:")
        return self

    def statement(self, text: str) -> None:
        self.conn.execute(text)

    def query(self, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run SQL on the database being built."""
        return self.conn.execute(text, params or {}).df()

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a named query on the database being built."""
        return self.query(get_query(name).sql, params)

    def execute(self, name: str, allowed: frozenset[str] = frozenset(),
                params: dict[str, Any] | None = None, **identifiers: str) -> pd.DataFrame | None:
        """Run one statement of ``queries/ingest/`` with its identifiers (each from the
        ``allowed`` set: the contract's names) and bound parameters; rows when it returns any."""
        res = self.conn.execute(ingest_statement(name, allowed, **identifiers), params or {})
        return res.df() if res.description else None

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a DataFrame visible to the next statements under ``name``."""
        self.conn.register(name, frame)

    def _insert(self, statement: str, frame_name: str, frame: pd.DataFrame,
                allowed: frozenset[str] = frozenset(), **identifiers: str) -> None:
        self.register(frame_name, frame)
        self.execute(statement, allowed, **identifiers)
        self.conn.unregister(frame_name)

    def load_raw(self, table: str, frame: pd.DataFrame, allowed: frozenset[str]) -> None:
        """Insert a whole raw table from a frame, cast to the contract's types."""
        self._insert("raw_load", "frame", frame, allowed, table=table)

    def record_checks(self, runs: pd.DataFrame) -> None:
        self._insert("ingest_record_checks", "check_run", runs)

    def create_contract(self) -> None:
        """The contract's tables; in a warehouse built before ids were text, its numeric id
        columns (raw and history) become text first, values kept."""
        super().create_contract()
        numeric = self.execute("ingest_numeric_ids",
                               params={"id_columns": list(ID_COLUMNS)})
        for row in numeric.itertuples(index=False):
            name = "ingest_id_as_text" if row.table_schema == "raw" else \
                "ingest_history_id_as_text"
            self.execute(name, NAMES, table=row.table_name, key=row.column_name)

    def record_settings(self, rows: pd.DataFrame) -> None:
        self._insert("ingest_record_settings", "setting_rows", rows)

    def record_calendar(self, days: pd.DataFrame) -> None:
        self.execute("ingest_calendar_clear")
        self._insert("ingest_record_calendar", "calendar_rows", days)

    def load_frame(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Create ``schema.table`` from a DataFrame; both names must be plain identifiers."""
        if not (schema.isidentifier() and table.isidentifier()):
            raise QueryError(f"bad identifier {schema}.{table}")
        self.conn.execute(f"create schema if not exists {schema}")
        self.conn.execute(f"drop table if exists {schema}.{table}")
        self.conn.from_df(frame).create(f"{schema}.{table}")

    def create_relation(self, kind: str, name: str, body: str) -> None:
        """Create or replace the view or table (a copied warehouse already has them)."""
        self.statement(f"create or replace {kind} {name} as\n{body}")

    def publish(self) -> Path:
        """Checkpoint, close, flush to disk and atomically replace the target file with the new
        one (readers holding the old file keep reading it until they reopen)."""
        if str(self.tmp) == ":memory:":
            raise QueryError("a read-only or in-memory builder cannot publish")
        self.conn.execute("checkpoint")
        self.conn.close()
        with open(self.tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(self.tmp, self.target)
        dir_fd = os.open(self.target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return self.target

    def abort(self) -> None:
        """Close and delete the unfinished file; the previous warehouse stays as it was."""
        try:
            self.conn.close()
        finally:
            if str(self.tmp) != ":memory:":
                self.tmp.unlink(missing_ok=True)
                Path(f"{self.tmp}.wal").unlink(missing_ok=True)


# --- PostgreSQL: one transaction, committed when every check has passed ---


class _Postgres(steps.Target):
    """A build in PostgreSQL through psycopg: readers see the previous warehouse until the
    transaction commits."""

    def __init__(self, url: str) -> None:
        self.dialect = engines.dialect_of(url)
        self.engine = sa.create_engine(url)
        try:
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
            self.cur = self.conn.connection.driver_connection.cursor()
        except BaseException:
            self.engine.dispose()
            raise

    def clear(self) -> None:
        for schema in reversed(steps.SCHEMAS):
            self.cur.execute(f"drop schema if exists {schema} cascade")  # fixed names

    def statement(self, text: str) -> None:
        self.cur.execute(text)

    def query(self, text: str) -> pd.DataFrame:
        self.cur.execute(text)
        return pd.DataFrame(self.cur.fetchall(), columns=[d.name for d in self.cur.description])

    def _copy(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """COPY a frame's columns into ``schema.table``; whole floats (typed by validation) go
        to bigint columns as integers."""
        from psycopg import sql as psql

        cols = [c for c in frame.columns if c.isidentifier()]
        frame = frame[cols].copy()
        for c in cols:
            if frame[c].dtype.kind == "f" and (frame[c].dropna() % 1 == 0).all():
                frame[c] = frame[c].astype("Int64")
        statement = psql.SQL("copy {} ({}) from stdin").format(
            psql.Identifier(schema, table), psql.SQL(", ").join(psql.Identifier(c) for c in cols))
        with self.cur.copy(statement) as copy:
            for row in frame.astype(object).where(frame.notna(), None) \
                    .itertuples(index=False, name=None):
                copy.write_row(row)

    def load_raw(self, table: str, frame: pd.DataFrame, allowed: frozenset[str]) -> None:
        self._copy("raw", table, frame)

    def record_checks(self, runs: pd.DataFrame) -> None:
        self._copy("ingest", "check_runs", runs)

    def record_settings(self, rows: pd.DataFrame) -> None:
        self._copy("ingest", "settings", rows)

    def record_calendar(self, days: pd.DataFrame) -> None:
        self.cur.execute(self.native(ingest_statement("ingest_calendar_clear")))
        self._copy("ingest", "calendar_days", days)

    def publish(self) -> None:
        self.tx.commit()
        self._close()

    def abort(self) -> None:
        try:
            self.tx.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def build_remote(url: str, raw: dict[str, pd.DataFrame],
                 as_of: date | None = None,
                 calendar: Mapping[str, str] | None = None) -> dict[str, int]:
    """Build the warehouse in another engine than DuckDB from raw frames with the same steps:
    Spark URLs go to ``dashboard.warehouse.spark.build_spark``; PostgreSQL is built here in one
    transaction, so readers see the previous warehouse until it commits. ``as_of``: the data's
    as-of date to keep; ``calendar``: how it counts weeks and months. Returns the rows of
    every raw table and mart; ContractViolation (a QueryError) when a check fails."""
    if engines.dialect_of(url) == "spark":  # no SQLAlchemy dialect: built through a Spark session
        from dashboard.warehouse.spark import build_spark

        return build_spark(url, raw, as_of, calendar)
    steps.check_calendar(calendar)
    return steps.run(_Postgres(url), raw, as_of=as_of, calendar=calendar)
