"""Build a warehouse: raw tables in, staging views and mart tables out, contract checks run.

The new warehouse is written to a temporary file beside the target and swapped in atomically
only when every step and every check has passed, so a running app never sees a half-built one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from dashboard.warehouse import config, engines, schema
from dashboard.warehouse.catalog import (
    RAW_NAMES,
    QueryError,
    get_query,
    ingest_statement,
    layer_queries,
    script,
)

RAW_TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions",
              "assumptions")
TRUTH_TABLES = ("truth_parameters", "truth_events")

Progress = Callable[[str], None]


class ContractViolation(Exception):
    """A contract check returned failing rows; the warehouse was not replaced."""


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    path: Path
    row_counts: dict[str, int]
    seconds: float
    size_bytes: int


def _noop(_: str) -> None:
    return None


def populate(builder: Builder, raw: Mapping[str, pd.DataFrame],
             truth: Mapping[str, pd.DataFrame] | None = None,
             progress: Progress = _noop) -> dict[str, int]:
    """Load raw (and truth) frames, build staging and marts, run checks; return row counts."""
    counts: dict[str, int] = {}
    builder.create_contract()
    for table in RAW_TABLES:
        progress(f"loading raw.{table}")
        builder.load_raw(table, raw[table], schema.NAMES)
        counts[f"raw.{table}"] = len(raw[table])
    for key, frame in (truth or {}).items():
        builder.load_frame("truth", key.removeprefix("truth_"), frame)
    progress("building staging and marts")
    counts.update(rebuild(builder))
    return counts


def rebuild(builder: Builder) -> dict[str, int]:
    """Build staging and marts from the raw tables and run every contract check; mart row
    counts, or ContractViolation naming the failing checks."""
    counts = {name: builder.count(name) for name in builder.build_layers()
              if name.startswith("marts.")}
    failing = {k: len(v) for k, v in builder.run_checks(record=True).items() if len(v)}
    if failing:
        detail = ", ".join(f"{k}: {v} failing rows" for k, v in sorted(failing.items()))
        raise ContractViolation(f"contract checks failed ({detail}); warehouse not replaced")
    return counts


def build(raw: Mapping[str, pd.DataFrame], target: Path,
          truth: Mapping[str, pd.DataFrame] | None = None,
          progress: Progress = _noop) -> BuildReport:
    """Build a warehouse file at ``target`` atomically from raw frames."""
    t0 = time.perf_counter()
    builder = Builder(target)
    try:
        counts = populate(builder, raw, truth, progress)
        path = builder.publish()
    except BaseException:
        builder.abort()
        raise
    return BuildReport(path, counts, time.perf_counter() - t0, path.stat().st_size)


def read_assumptions(path: Path = config.ASSUMPTIONS_CSV) -> pd.DataFrame:
    """The shipped default assumptions (all columns as text; valid_from parsed as a date)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.date
    return df


# --- building (write side, used by the demo and the build command, never by the app) ---


def _connect(path: str) -> duckdb.DuckDBPyConnection:
    """A read-write DuckDB connection for building (no progress bar on the terminal)."""
    conn = duckdb.connect(path)
    conn.execute("set enable_progress_bar = false")
    return conn


class Builder:
    """Write access to a new warehouse file; ``publish`` swaps it in atomically."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        for p in (self.tmp, Path(f"{self.tmp}.wal")):
            p.unlink(missing_ok=True)
        self.conn = _connect(str(self.tmp))

    @classmethod
    def copy_of(cls, target: Path) -> Builder:
        """A builder over a copy of the existing warehouse at ``target`` (a new one when there is
        none yet); ``publish`` swaps the copy in, ``abort`` leaves the original untouched."""
        self = cls.__new__(cls)
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.target.with_name(f".{self.target.name}.ingest-{os.getpid()}")
        for p in (self.tmp, Path(f"{self.tmp}.wal")):
            p.unlink(missing_ok=True)
        if self.target.exists():
            shutil.copyfile(self.target, self.tmp)
            wal = Path(f"{self.target}.wal")
            if wal.exists():  # an unfinished write-ahead log belongs to the file; replay it too
                shutil.copyfile(wal, f"{self.tmp}.wal")
        self.conn = _connect(str(self.tmp))
        return self

    def create_contract(self) -> None:
        """Create the raw contract's tables, the load log, the quarantine and history when
        missing (an existing warehouse keeps its rows)."""
        for name in ("raw_schema", "ingest_schema"):
            for statement in script(name):
                self.conn.execute(statement)

    def execute(self, name: str, allowed: frozenset[str] = frozenset(),
                params: dict[str, Any] | None = None, **identifiers: str) -> pd.DataFrame | None:
        """Run one statement of ``queries/ingest/`` with its identifiers (each from the
        ``allowed`` set: the contract's names) and bound parameters; rows when it returns any."""
        res = self.conn.execute(ingest_statement(name, allowed, **identifiers), params or {})
        return res.df() if res.description else None

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a DataFrame visible to the next statements under ``name``."""
        self.conn.register(name, frame)

    def load_raw(self, table: str, frame: pd.DataFrame, allowed: frozenset[str]) -> None:
        """Insert a whole raw table from a frame, cast to the contract's types."""
        self.register("frame", frame)
        self.execute("raw_load", allowed, table=table)
        self.conn.unregister("frame")

    @classmethod
    def in_memory(cls) -> Builder:
        """A builder over an in-memory database (tests)."""
        self = cls.__new__(cls)
        self.target = self.tmp = Path(":memory:")
        self.conn = _connect(":memory:")
        return self

    def load_frame(self, schema: str, table: str, frame: pd.DataFrame) -> None:
        """Create ``schema.table`` from a DataFrame; both names must be plain identifiers."""
        if not (schema.isidentifier() and table.isidentifier()):
            raise QueryError(f"bad identifier {schema}.{table}")
        self.conn.execute(f"create schema if not exists {schema}")
        self.conn.execute(f"drop table if exists {schema}.{table}")
        self.conn.from_df(frame).create(f"{schema}.{table}")

    def count(self, relation: str) -> int:
        """Rows in a table or view of the database being built."""
        return int(self.conn.table(relation).aggregate("count(*)").fetchall()[0][0])

    def load_csv(self, schema: str, table: str, path: Path) -> None:
        """Create ``schema.table`` from a CSV file with a header row (types inferred)."""
        frame = pd.read_csv(path, dtype_backend="pyarrow", keep_default_na=True)
        self.load_frame(schema, table, frame)

    def build_layers(self, layers: tuple[str, ...] = ("staging", "marts")) -> list[str]:
        """Create staging views and mart tables from ``queries/``; return the names built."""
        built = []
        for layer in layers:
            self.conn.execute(f"create schema if not exists {layer}")
            kind = "view" if layer == "staging" else "table"
            for q in layer_queries(layer):
                # layer, kind and name come from the project's own query catalog
                self.conn.execute(f"create or replace {kind} {layer}.{q.name} as\n{q.sql}")
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
            out[q.name] = self.conn.execute(q.sql).df()
            runs.append((q.name, len(out[q.name]), at, time.perf_counter() - t0))
        if record:
            self.register("check_run", pd.DataFrame(
                runs, columns=["check_name", "failing_rows", "checked_at", "seconds"]))
            self.execute("ingest_record_checks")
            self.conn.unregister("check_run")
        return out

    def query(self, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run SQL on the database being built."""
        return self.conn.execute(text, params or {}).df()

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a named query on the database being built."""
        return self.query(get_query(name).sql, params)

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


def build_remote(url: str, raw: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Build the warehouse in another engine from raw frames: Spark URLs go to
    ``dashboard.warehouse.spark.build_spark``; PostgreSQL here, in one transaction:
    the raw contract's tables, staging views and mart tables from the transpiled ``queries/``,
    then every contract check; readers see the previous warehouse until it commits. Returns the
    rows of every raw table and mart; ContractViolation-like QueryError when a check fails."""
    dialect = engines.dialect_of(url)
    if dialect == "spark":  # no SQLAlchemy dialect: built through a Spark session
        from dashboard.warehouse.spark import build_spark

        return build_spark(url, raw)
    from psycopg import sql as psql

    engine = sa.create_engine(url)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            driver = conn.connection.driver_connection
            cur = driver.cursor()
            for schema in ("marts", "staging", "raw", "history", "ingest"):
                cur.execute(f"drop schema if exists {schema} cascade")  # fixed names
            for statement in script("raw_schema"):
                cur.execute(engines.transpile(statement, dialect, bound=False))
            for table, frame in raw.items():
                if not table.isidentifier() or table not in RAW_NAMES:
                    raise QueryError(f"not a raw table: {table!r}")
                cols = [c for c in frame.columns if c.isidentifier()]
                frame = frame[cols].copy()
                for c in cols:  # whole floats (typed by validation) go to bigint columns
                    if frame[c].dtype.kind == "f" and (frame[c].dropna() % 1 == 0).all():
                        frame[c] = frame[c].astype("Int64")
                statement = psql.SQL("copy {} ({}) from stdin").format(
                    psql.Identifier("raw", table),
                    psql.SQL(", ").join(psql.Identifier(c) for c in cols))
                with cur.copy(statement) as copy:
                    for row in frame[cols].astype(object).where(frame[cols].notna(), None) \
                            .itertuples(index=False, name=None):
                        copy.write_row(row)
                counts[f"raw.{table}"] = len(frame)
            for statement in script("ingest_schema"):  # the (empty) load log and history
                cur.execute(engines.transpile(statement, dialect, bound=False))
            for layer in ("staging", "marts"):
                cur.execute(f"create schema {layer}")
                kind = "view" if layer == "staging" else "table"
                for q in layer_queries(layer):
                    cur.execute(f"create {kind} {layer}.{q.name} as\n"
                                + engines.transpile(q.sql, dialect, bound=False))
                    if layer == "marts":
                        cur.execute(psql.SQL("select count(*) from {}").format(
                            psql.Identifier("marts", q.name)))
                        counts[f"marts.{q.name}"] = int(cur.fetchone()[0])
            failing, runs = {}, []
            at = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s").to_pydatetime()
            for q in layer_queries("checks"):
                t0 = time.perf_counter()
                cur.execute(engines.transpile(q.sql, dialect, bound=False))
                rows = cur.fetchall()
                runs.append((q.name, len(rows), at, time.perf_counter() - t0))
                if rows:
                    failing[q.name] = len(rows)
            with cur.copy(psql.SQL("copy {} from stdin").format(
                    psql.Identifier("ingest", "check_runs"))) as copy:
                for run in runs:  # the Data page shows these instead of re-running the checks
                    copy.write_row(run)
            if failing:
                raise QueryError(f"contract checks failed ({failing}); warehouse not replaced")
    finally:
        engine.dispose()
    return counts
