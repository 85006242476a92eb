"""Data access: the only module that imports duckdb or sqlalchemy.

Every SQL statement lives in ``queries/<layer>/<name>.sql`` with a header::

    -- name: kpi_survey_weekly
    -- purpose: one line
    -- grain: one row per …
    -- params: start_week date, end_week date

Values are always bound (``$name`` parameters); identifiers never come from user text.
The app opens the warehouse read-only; a rebuilt warehouse file swapped in underneath is
noticed on the next query and the connection reopened, so readers never see a half-built file.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from dashboard import config, engines

LAYERS = ("staging", "marts", "dashboard", "checks", "data")
_PARAM_RE = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)")
_IDENT_RE = re.compile(r"\{(table|key|identity)\}")
_HEADER_RE = re.compile(r"^--\s*(name|purpose|grain|params|materialize)\s*:\s*(.*?)\s*$")


class QueryError(Exception):
    """A named query is unknown, badly declared or given the wrong parameters."""


class WarehouseMissing(Exception):
    """The warehouse file does not exist yet."""


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

    @property
    def used_params(self) -> tuple[str, ...]:
        """The ``$names`` the SQL text actually uses (comments stripped), sorted."""
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return tuple(sorted(set(_PARAM_RE.findall(body))))


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


def _db_path(url: str) -> Path | None:
    if url.startswith("duckdb:///"):
        p = url.removeprefix("duckdb:///")
        return None if p in ("", ":memory:") else Path(p)
    return None


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Another engine's result with DuckDB's types: exact decimals as floats, zoned timestamps
    as naive UTC."""
    import decimal

    for col in frame.columns:
        s = frame[col]
        if s.dtype == object and len(s.dropna()):
            first = s.dropna().iloc[0]
            if isinstance(first, decimal.Decimal):
                frame[col] = pd.to_numeric(s.astype("float64"))
        elif isinstance(s.dtype, pd.DatetimeTZDtype):
            frame[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def build_remote(url: str, raw: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Build the warehouse in another engine from raw frames: Spark URLs go to
    ``dashboard.spark.build_spark``; PostgreSQL here, in one transaction:
    the raw contract's tables, staging views and mart tables from the transpiled ``queries/``,
    then every contract check; readers see the previous warehouse until it commits. Returns the
    rows of every raw table and mart; ContractViolation-like QueryError when a check fails."""
    dialect = engines.dialect_of(url)
    if dialect == "spark":  # no SQLAlchemy dialect: built through a Spark session
        from dashboard.spark import build_spark

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


RAW_NAMES = frozenset({"customers", "survey_responses", "complaints", "contacts",
                       "transactions", "assumptions"})


def _attached_engine(path: Path, read_only: bool) -> sa.Engine:
    """An engine over one in-memory DuckDB instance with the warehouse file attached as it is
    now (and made each connection's default catalog); its pooled connections are cursors of
    that instance, so they share one buffer cache. DuckDB caches a database opened by path for
    the whole process: a plain connect after the file was swapped for a rebuilt one would be
    handed the old file whenever another connection still held it. The next engine (made when
    the file changes) attaches the new file; the old instance goes when its last cursor does."""
    import tempfile

    from duckdb_engine import ConnectionWrapper

    base = duckdb.connect(":memory:")
    base.execute("set enable_progress_bar = false")
    # bounded memory: past the limit DuckDB evicts cached blocks and spills to a temp folder
    # (both values are the app's own configuration, checked, never user text)
    spill = Path(tempfile.gettempdir(), "cx-ledger-spill")
    base.execute(f"set memory_limit = '{config.duckdb_memory_limit()}'")
    base.execute(f"set temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
    literal = str(path).replace("'", "''")  # a configured path, never user text
    base.execute(f"attach '{literal}' as warehouse" + (" (read_only)" if read_only else ""))

    def cursor() -> ConnectionWrapper:
        conn = base.cursor()
        conn.execute("use warehouse")
        return ConnectionWrapper(conn)

    return sa.create_engine("duckdb://", creator=cursor, poolclass=sa.pool.QueuePool)


class Warehouse:
    """A connection to the warehouse from a SQLAlchemy URL; thread-safe, read-only by default."""

    def __init__(self, url: str | None = None, read_only: bool = True) -> None:
        self.url = url or config.warehouse_url()
        self.read_only = read_only
        self.path = _db_path(self.url)
        self._lock = threading.Lock()
        self._engine: sa.Engine | None = None
        self._stamp: tuple[int, int] | None = None

    def _file_stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise WarehouseMissing(
                f"no warehouse at {self.path.name}: run `python -m dashboard demo` first"
            ) from None
        return (st.st_ino, st.st_mtime_ns)

    @property
    def stamp(self) -> tuple[int, int] | None:
        """Identity of the open warehouse file (changes when a rebuild is swapped in)."""
        return self._file_stamp()

    def engine(self) -> sa.Engine:
        """The engine, reopened when the warehouse file was swapped for a new one."""
        stamp = self._file_stamp()
        with self._lock:
            if self._engine is None or stamp != self._stamp:
                if self._engine is not None:
                    self._engine.dispose()
                if self.path is not None:
                    self._engine = _attached_engine(self.path, self.read_only)
                else:
                    args: dict[str, Any] = {}
                    if self.url.startswith("duckdb"):
                        args["connect_args"] = {"read_only": self.read_only}
                    elif self.dialect == "postgres" and self.read_only:
                        args["connect_args"] = {
                            "options": "-c default_transaction_read_only=on"}
                    self._engine = sa.create_engine(self.url, **args)
                self._stamp = stamp
            return self._engine

    @property
    def dialect(self) -> str:
        """The sqlglot dialect of the warehouse's engine."""
        return engines.dialect_of(self.url)

    def sql(self, text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run SQL text (DuckDB's dialect; transpiled for another engine) with bound parameters
        and return a DataFrame with the same column types whatever the engine."""
        if self.dialect != "duckdb":
            text = engines.transpile(text, self.dialect)
        with self.engine().connect() as conn:
            res = conn.exec_driver_sql(text, params or {})
            if not res.returns_rows:
                conn.commit()
                return pd.DataFrame()
            frame = pd.DataFrame.from_records(res.fetchall(), columns=list(res.keys()))
        return frame if self.dialect == "duckdb" else _normalise(frame)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run the named query with bound parameters; the declared parameters must all be given."""
        q = get_query(name)
        given = set(params)
        if given != set(q.params):
            raise QueryError(
                f"{name}: expects parameters {sorted(q.params)}, got {sorted(given)}"
            )
        return self.sql(q.sql, params)

    def close(self) -> None:
        """Dispose of the engine."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def open_warehouse(url: str | None = None, read_only: bool = True) -> Warehouse:
    """The warehouse a URL names: a ``dashboard.spark.SparkWarehouse`` (same interface) for
    ``spark://`` and ``sc://`` (Spark Connect) URLs, else a SQLAlchemy ``Warehouse``."""
    url = url or config.warehouse_url()
    if url.split(":", 1)[0].lower() in ("spark", "sc"):
        from dashboard.spark import SparkWarehouse  # PySpark is optional

        return SparkWarehouse(url, read_only=read_only)  # type: ignore[return-value]
    return Warehouse(url, read_only=read_only)


# --- the single cache layer: (url, file stamp, query name, parameters) -> DataFrame, with a TTL ---

_cache: OrderedDict[tuple, tuple[float, pd.DataFrame]] = OrderedDict()
_cache_lock = threading.Lock()


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def cached_run(wh: Warehouse, name: str, **params: Any) -> pd.DataFrame:
    """``wh.run`` through a TTL cache; returns a copy so callers cannot corrupt the cache."""
    key = (wh.url, wh.stamp, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < config.CACHE_TTL_SECONDS:
            _cache.move_to_end(key)
            return hit[1].copy()
    df = wh.run(name, **params)
    with _cache_lock:
        _cache[key] = (now, df)
        while len(_cache) > config.CACHE_MAX_ENTRIES:
            _cache.popitem(last=False)
    return df.copy()


def clear_cache() -> None:
    """Forget every cached result."""
    with _cache_lock:
        _cache.clear()


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


class AppStore:
    """Read-write access to the app-owned store; tables are created on first use."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or config.app_store_url()
        self._lock = threading.Lock()
        self._engine: sa.Engine | None = None

    def engine(self) -> sa.Engine:
        """The engine, created (with the store's tables) on first use."""
        with self._lock:
            if self._engine is None:
                path = self.url.removeprefix("sqlite:///")
                if self.url.startswith("sqlite:///") and path not in ("", ":memory:"):
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(self.url)
                body = "\n".join(line for line in store_catalog()["store_schema"].sql.splitlines()
                                 if not line.startswith("--"))
                with engine.begin() as conn:
                    for statement in body.split(";"):
                        if statement.strip():
                            conn.exec_driver_sql(statement)
                self._engine = engine
            return self._engine

    def _statement(self, name: str, params: dict[str, Any]) -> str:
        try:
            q = store_catalog()[name]
        except KeyError:
            raise QueryError(f"unknown store query {name!r}") from None
        if set(params) != set(q.params):
            raise QueryError(f"{name}: expects parameters {sorted(q.params)}, got "
                             f"{sorted(params)}")
        # the store's driver (sqlite3) takes :name placeholders; values stay bound
        return _PARAM_RE.sub(r":\1", q.sql) if self.url.startswith("sqlite") else q.sql

    def read(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a store query that returns rows."""
        text = self._statement(name, params)
        with self.engine().connect() as conn:
            res = conn.exec_driver_sql(text, params)
            return pd.DataFrame.from_records(res.fetchall(), columns=list(res.keys()))

    def write(self, *steps: tuple[str, dict[str, Any]]) -> None:
        """Run store statements (name, parameters) in one transaction: all or nothing."""
        texts = [(self._statement(name, params), params) for name, params in steps]
        with self.engine().begin() as conn:
            for text, params in texts:
                conn.exec_driver_sql(text, params)

    def close(self) -> None:
        """Dispose of the engine."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
