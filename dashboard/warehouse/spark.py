"""Spark as the warehouse engine: the same ``queries/`` transpiled by sqlglot for Spark SQL, run
through PySpark, with results of DuckDB's types; a build runs the steps of
``dashboard.warehouse.steps`` in a Spark session.

URLs (``CX_WAREHOUSE_URL`` or ``--url``):

- ``spark://local`` / ``spark://local[2]`` — an in-process local session (``local`` uses every
  core); ``?warehouse=<dir>`` sets ``spark.sql.warehouse.dir`` (default ``./spark-warehouse``).
  The session has no Hive metastore: its catalog lives as long as the process, the tables' files
  stay in the warehouse directory.
- ``spark://host:7077`` — a standalone cluster's master (the session runs in this process).
- ``sc://host:15002[/;token=…]`` — Spark Connect, the route to Databricks (a Databricks workspace
  serves Spark Connect; install ``pyspark[connect]`` or ``databricks-connect``). Untested here.

PySpark is an optional dependency (``make spark`` installs it); nothing imports this module
unless the URL names Spark. Every session runs with ``spark.sql.timestampType=TIMESTAMP_NTZ``
(DuckDB's ``timestamp`` has no zone) and ``spark.sql.session.timeZone=UTC``.

Read-only: Spark has no read-only session. The app only runs SELECTs it owns (every one from
``queries/``), and a read-only ``SparkWarehouse`` refuses any statement that sqlglot does not
parse as one query (SELECT / WITH … SELECT / set operations) or that calls Java through
``reflect``/``java_method``. Values are always bound as Spark's ``:name`` parameter markers.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.warehouse import catalog, config, engines, steps

#: The tables (name → Spark schema) of the last completed local build, in its warehouse folder.
MANIFEST = "cx_ledger_tables.json"
_JAVA_CALLS = frozenset({"reflect", "java_method", "try_reflect"})
_lock = threading.Lock()


def _parse_url(url: str) -> tuple[str, dict[str, str]]:
    """(master or Spark Connect address, Spark settings) of a ``spark://`` or ``sc://`` URL;
    ``?warehouse=<dir>`` becomes ``spark.sql.warehouse.dir``, ``?spark.x=y`` is passed on."""
    from urllib.parse import parse_qsl

    scheme, _, rest = url.partition("://")
    if scheme.lower() == "sc":
        return url, {}
    if scheme.lower() != "spark" or not rest:
        raise ValueError(f"not a Spark URL: {url!r} (spark://local[N], spark://host:port "
                         "or sc://host:port)")
    where, _, query = rest.partition("?")
    where = where.rstrip("/") or "local"
    master = ("local[*]" if where == "local" else where if where.startswith("local[")
              else f"spark://{where}")
    conf = {}
    for key, value in parse_qsl(query):
        if key == "warehouse":
            conf["spark.sql.warehouse.dir"] = str(Path(value).resolve())
        elif key.startswith("spark."):
            conf[key] = value
        else:
            raise ValueError(f"unknown option {key!r} in the Spark URL (warehouse=<dir> or "
                             "spark.<setting>=<value>)")
    return master, conf


def session(url: str) -> tuple[Any, bool]:
    """The Spark session a URL names, and whether this call started it. A process holds one
    local session: a URL asking for another warehouse directory than its own is refused."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ImportError("a spark:// or sc:// warehouse needs PySpark: `make spark` installs "
                          "pyspark==4.3.0 into the venv") from None
    master, conf = _parse_url(url)
    with _lock:
        if master.startswith("sc://"):
            spark, started = SparkSession.builder.remote(master).getOrCreate(), False
        else:
            try:
                running = SparkSession.active()
            except Exception:  # PySparkRuntimeError: none yet
                running = None
            folder = conf.get("spark.sql.warehouse.dir")
            if running is not None and folder is not None:
                have = running.conf.get("spark.sql.warehouse.dir").removeprefix("file:")
                if Path(have).resolve() != Path(folder):
                    raise catalog.QueryError(f"this process's Spark session keeps its "
                                             f"warehouse in {have}, not {folder}")
            if master.startswith("local"):
                os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            builder = (SparkSession.builder.master(master).appName("cx-ledger")
                       .config("spark.ui.enabled", "false")
                       .config("spark.ui.showConsoleProgress", "false"))
            for key, value in conf.items():
                builder = builder.config(key, value)
            spark, started = builder.getOrCreate(), running is None
            if started:
                spark.sparkContext.setLogLevel("ERROR")
        # runtime settings: DuckDB's timestamp has no zone, and results never shift with the host
        spark.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark, started


@lru_cache(maxsize=1024)
def is_query(text: str) -> bool:
    """Whether SQL text (DuckDB's dialect) is exactly one query that reads: a SELECT, WITH …
    SELECT or set operation, without DDL/DML inside and without Java calls."""
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError:
        return False
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        return False
    tree = trees[0]
    if tree.find(exp.Insert, exp.Create, exp.Drop, exp.Delete, exp.Update, exp.Merge,
                 exp.Alter, exp.Command, exp.Set, exp.Use, exp.Into):
        return False
    return not any(f.name.lower() in _JAVA_CALLS for f in tree.find_all(exp.Anonymous))


def _args(params: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters as Spark binds them: lists and tuples as arrays, everything else as is."""
    return {k: list(v) if isinstance(v, list | tuple) else v for k, v in (params or {}).items()}


def _frame(df: Any) -> pd.DataFrame:
    """A Spark DataFrame's rows as pandas, built the way ``db.Warehouse`` builds a driver's rows
    (Python dates, datetimes, ints, floats, Decimals), then given DuckDB's types."""
    rows = df.collect()
    frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(df.columns))
    return engines.normalise(frame)


class SparkWarehouse:
    """The warehouse in Spark with ``db.Warehouse``'s interface: ``sql``, ``run``, ``close``."""

    dialect = "spark"

    def __init__(self, url: str | None = None, read_only: bool = True) -> None:
        self.url = url or config.warehouse_url()
        self.read_only = read_only
        _parse_url(self.url)  # a bad URL fails here, not on the first query
        self._lock = threading.Lock()
        self._spark: Any = None
        self._started = False

    @property
    def stamp(self) -> None:
        """No file to watch: a Spark warehouse is replaced table by table."""
        return None

    def spark(self) -> Any:
        """The session, started on first use; a warehouse that an earlier process built in the
        warehouse directory is attached to its catalog then."""
        with self._lock:
            if self._spark is None:
                self._spark, self._started = session(self.url)
                if not self.url.lower().startswith("sc://"):
                    attach(self._spark)
            return self._spark

    def sql(self, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run SQL text (DuckDB's dialect, transpiled for Spark) with bound parameters and
        return a DataFrame with DuckDB's column types; a read-only warehouse refuses anything
        but one query."""
        if self.read_only and not is_query(text):
            raise catalog.QueryError("the Spark warehouse is read-only here: only one "
                                     "SELECT / WITH query per call")
        df = self.spark().sql(engines.transpile(text, self.dialect), args=_args(params))
        return _frame(df)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run the named query with bound parameters; the declared parameters must all be given."""
        from dashboard.warehouse import weeks

        weeks.set_week_start(self.settings()["week_start"])
        weeks.set_months(self.settings()["months"])
        q = catalog.get_query(name)
        if set(params) != set(q.params):
            raise catalog.QueryError(
                f"{name}: expects parameters {sorted(q.params)}, got {sorted(params)}")
        return self.sql(q.sql, params)

    def settings(self) -> dict[str, str]:
        """How the warehouse counts time (as ``db.Warehouse.settings``), read once."""
        if getattr(self, "_settings", None) is None:
            try:
                row = self.sql(catalog.get_query("warehouse_settings").sql).iloc[0]
                self._settings = {"week_start": str(row["week_starts_on"]),
                                  "months": str(row["months"])}
            except Exception:  # noqa: BLE001 - a warehouse from before the settings
                self._settings = dict(steps.CALENDAR_DEFAULTS)
        return self._settings

    def close(self) -> None:
        """Stop the session when this warehouse started it (its in-memory catalog goes too)."""
        with self._lock:
            if self._spark is not None and self._started:
                self._spark.stop()
            self._spark = None
            self._started = False


def _arrow(frame: pd.DataFrame, schema: Any) -> Any:
    """A raw frame as an Arrow table with the columns of a Spark table's schema, in its order
    (a missing column is all nulls): Spark takes it whole, and a zone-less timestamp stays one."""
    import pyarrow as pa
    from pyspark.sql import types as T

    arrays = []
    for field in schema.fields:
        s = frame[field.name] if field.name in frame.columns else pd.Series(
            [None] * len(frame), index=frame.index, dtype=object)
        t = field.dataType
        if isinstance(t, T.LongType):
            arrays.append(pa.Array.from_pandas(pd.to_numeric(s).astype("Int64"), type=pa.int64()))
        elif isinstance(t, T.DoubleType):
            arrays.append(pa.Array.from_pandas(pd.to_numeric(s).astype("float64"),
                                               type=pa.float64()))
        elif isinstance(t, T.BooleanType):
            arrays.append(pa.Array.from_pandas(s.astype("boolean"), type=pa.bool_()))
        elif isinstance(t, T.DateType):
            arrays.append(pa.Array.from_pandas(
                s if s.dtype.kind == "M" else s.astype(object).where(s.notna(), None),
                type=pa.date32()))
        elif isinstance(t, T.TimestampNTZType | T.TimestampType):  # DuckDB keeps microseconds
            arrays.append(pa.Array.from_pandas(pd.to_datetime(s).dt.floor("us"),
                                               type=pa.timestamp("us")))
        else:
            text = s.astype(object).where(s.notna(), None)
            arrays.append(pa.Array.from_pandas(
                text.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore"),
                type=pa.string()))
    return pa.Table.from_arrays(arrays, names=[f.name for f in schema.fields])


class _SparkBuild(steps.Target):
    """A build in a Spark session: the contract's tables (``raw_schema`` and ``ingest_schema``
    transpiled) in databases raw/ingest/history, the frames inserted through Arrow, staging views
    and mart tables written as parquet. Not atomic: Spark has no transactions, so the previous
    warehouse is dropped first and a failed build leaves an incomplete one; publishing a local
    build writes the manifest of its tables for a new process to attach."""

    unfinished = "the Spark warehouse is incomplete"

    def __init__(self, url: str) -> None:
        self.spark, _ = session(url)
        self.dialect = engines.dialect_of(url)
        self.remote = url.lower().startswith("sc://")
        self.names = steps.SCHEMAS if self.remote else (*steps.SCHEMAS, "information_schema")
        self.folder = None if self.remote else _local_folder(self.spark)

    def clear(self) -> None:
        for name in reversed(self.names):
            self.spark.sql(f"drop database if exists {name} cascade")  # fixed names
        if self.folder is not None:  # an earlier process's files, unknown to this catalog
            (self.folder / MANIFEST).unlink(missing_ok=True)
            for name in self.names:
                shutil.rmtree(self.folder / f"{name}.db", ignore_errors=True)

    def statement(self, text: str) -> None:
        self.spark.sql(text)

    def query(self, text: str) -> pd.DataFrame:
        return _frame(self.spark.sql(text))

    def _insert(self, name: str, frame: pd.DataFrame) -> None:
        """Append a frame to the table ``name``, cast to its Spark schema."""
        schema = self.spark.table(name).schema
        self.spark.createDataFrame(_arrow(frame, schema), schema=schema).write.insertInto(name)

    def load_raw(self, table: str, frame: pd.DataFrame, allowed: frozenset[str]) -> None:
        self._insert(f"raw.{table}", frame)

    def record_checks(self, runs: pd.DataFrame) -> None:
        self._insert("ingest.check_runs", runs)

    def record_settings(self, rows: pd.DataFrame) -> None:
        self._insert("ingest.settings", rows)

    def forget_marts_version(self) -> None:
        """Nothing to forget: a Spark build starts from empty schemas (``clear``), and its
        parquet tables take no ``delete``."""

    def record_calendar(self, days: pd.DataFrame) -> None:
        """Overwrite ``ingest.calendar_days`` with the days (a build writes them once)."""
        schema = self.spark.table("ingest.calendar_days").schema
        self.spark.createDataFrame(_arrow(days, schema), schema=schema).write \
            .insertInto("ingest.calendar_days", overwrite=True)

    def create_relation(self, kind: str, name: str, body: str) -> None:
        using = " using parquet" if kind == "table" else ""
        self.spark.sql(f"create {kind} {name}{using} as\n{body}")

    def build_layers(self, layers: tuple[str, ...] = ("staging", "marts")) -> list[str]:
        built = super().build_layers(layers)
        if not self.remote:  # a Databricks workspace (Unity Catalog) has its own
            _information_schema(self.spark)
        return built

    def publish(self) -> None:
        """Write the manifest of a local build's tables, for a new process's session (the
        app's) to attach."""
        if self.folder is not None:
            tables = {f"{d}.{t.name}": self.spark.table(f"{d}.{t.name}").schema.jsonValue()
                      for d in self.names if d != "staging"
                      for t in self.spark.catalog.listTables(d) if not t.isTemporary}
            (self.folder / MANIFEST).write_text(json.dumps(tables, indent=1))

    def abort(self) -> None:
        """Nothing to take back: what was built stays, incomplete, and has no manifest."""


def build_spark(url: str, raw: dict[str, pd.DataFrame],
                as_of: date | None = None,
                calendar: dict[str, str] | None = None) -> dict[str, int]:
    """Build the warehouse in Spark itself from raw frames with the build steps (``as_of``: the
    data's as-of date to keep; ``calendar``: how it counts weeks and months). Returns the rows
    of every raw table and mart; ContractViolation (a QueryError) when a check fails."""
    steps.check_calendar(calendar)
    return steps.run(_SparkBuild(url), raw, as_of=as_of, calendar=calendar)


def _local_folder(spark: Any) -> Path | None:
    """The warehouse directory of a session whose tables are local files, else None."""
    folder = spark.conf.get("spark.sql.warehouse.dir")
    return Path(folder.removeprefix("file:")) if folder.startswith("file:") else None


def attach(spark: Any) -> list[str]:
    """Register in a local session's catalog (in memory: empty in a new process) the tables that
    an earlier process's completed ``build_spark`` listed in the warehouse directory's
    ``MANIFEST``, and recreate the staging views over them; nothing when the catalog already
    holds the marts. The names attached."""
    from pyspark.sql.types import StructType

    folder = _local_folder(spark)
    if folder is None or not (folder / MANIFEST).exists() or \
            spark.catalog.databaseExists("marts"):
        return []
    tables = json.loads((folder / MANIFEST).read_text())
    for name, schema in tables.items():
        database, table = name.split(".")
        spark.sql(f"create database if not exists {database}")  # names from our own build
        spark.catalog.createTable(name, path=str(folder / f"{database}.db" / table),
                                  source="parquet", schema=StructType.fromJson(schema))
    spark.sql("create database if not exists staging")
    for q in catalog.layer_queries("staging"):
        spark.sql(f"create or replace view staging.{q.name} as\n"
                  + engines.transpile(q.sql, "spark", bound=False))
    return list(tables)


def _information_schema(spark: Any) -> None:
    """``information_schema.tables`` (table_schema, table_name) as a table of the tables the
    build made: Spark's session catalog has no information schema."""
    rows = [(database, t.name) for database in steps.SCHEMAS
            for t in spark.catalog.listTables(database)]
    spark.sql("create database information_schema")
    spark.createDataFrame(rows, "table_schema string, table_name string").write \
        .saveAsTable("information_schema.tables")
