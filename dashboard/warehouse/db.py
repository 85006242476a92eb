"""Data access: the app's read-only connections to the warehouse (a DuckDB file or a SQLAlchemy
URL; Spark through ``dashboard.warehouse.spark``) and the read-write connection to its own store.

Every SQL statement lives in ``queries/<layer>/<name>.sql`` with a header::

    -- name: kpi_survey_weekly
    -- purpose: one line
    -- grain: one row per …
    -- params: start_week date, end_week date

Values are always bound (``$name`` parameters); identifiers never come from user text.
The app opens the warehouse read-only, with DuckDB's external access disabled and its
configuration locked (no other file or host can be read or written, no setting changed); a
rebuilt warehouse file swapped in underneath is noticed on the next query and the connection
reopened, so readers never see a half-built file.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.warehouse import config, engines, steps, weeks
from dashboard.warehouse.catalog import _PARAM_RE, QueryError, get_query, store_catalog

T = TypeVar("T")


#: How a warehouse without settings counts time: ISO weeks, Gregorian months.
#: How a warehouse counts time when it says nothing (``steps.CALENDAR_DEFAULTS``).
DEFAULT_SETTINGS = steps.CALENDAR_DEFAULTS


class WarehouseMissing(Exception):
    """The warehouse file does not exist yet."""


class WarehouseStale(WarehouseMissing):
    """The warehouse's marts were built by other staging and mart SQL than this version's (an
    earlier CX Ledger): their tables and columns are not what the app's queries read. Handled
    where a missing warehouse is: one line, no query run."""


#: What a stale warehouse's marts say to the reader (one line, the remedy in it).
STALE = ("the warehouse's marts were built by another version of CX Ledger; rebuild them from "
         "the loaded data with `python -m dashboard ingest --rebuild` (nothing is lost)")


def _db_path(url: str) -> Path | None:
    if url.startswith("duckdb:///"):
        p = url.removeprefix("duckdb:///")
        return None if p in ("", ":memory:") else Path(p)
    return None



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
    if read_only:
        # the app's connection reads the warehouse and nothing else: no ATTACH, COPY … TO,
        # EXPORT, read_csv/read_text of any path, extension installs; and its settings
        # (memory limit, external access) cannot be changed by any statement after this
        base.execute("set enable_external_access = false")
        base.execute("set lock_configuration = true")

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
        self._settings: tuple[object, dict[str, str]] | None = None
        self._version: tuple[object, str | None] | None = None

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
        return share_repeats(frame if self.dialect == "duckdb" else engines.normalise(frame))

    def settings(self) -> dict[str, str]:
        """How the warehouse counts time (``warehouse_settings``): ``week_start`` (``iso`` or
        ``saturday``) and ``months`` (``gregorian`` or ``jalali``), read once per warehouse file;
        a warehouse built before these settings existed counts ISO weeks and Gregorian
        months."""
        stamp = self.stamp
        if self._settings is None or self._settings[0] != stamp:
            try:
                row = self.sql(get_query("warehouse_settings").sql).iloc[0]
                kept = {"week_start": str(row["week_starts_on"]), "months": str(row["months"])}
            except (sa.exc.SQLAlchemyError, duckdb.Error, IndexError):
                kept = dict(DEFAULT_SETTINGS)
            self._settings = (stamp, kept)
        return self._settings[1]

    def marts_version(self) -> str | None:
        """The fingerprint of the SQL that built the marts (``steps.marts_version``), read once
        per warehouse file; None when the warehouse recorded none (built before it was kept).
        A named query reading marts is refused (WarehouseStale) unless it is this version's."""
        stamp = self.stamp
        if self._version is None or self._version[0] != stamp:
            try:
                version = steps.recorded_version(self.sql(get_query("warehouse_build").sql))
            except (sa.exc.SQLAlchemyError, duckdb.Error):
                version = None
            self._version = (stamp, version)
        return self._version[1]

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run the named query with bound parameters; the declared parameters must all be given.
        A customer-level query on the embedded DuckDB waits for one of the process's
        ``CUSTOMER_QUERIES`` turns (its memory is the app's own). The process's week and
        month functions (``weeks``) follow this warehouse's settings from here on."""
        kept = self.settings()
        weeks.set_week_start(kept["week_start"])
        weeks.set_months(kept["months"])
        q = get_query(name)
        if q.reads_marts and self.marts_version() != steps.marts_version():
            raise WarehouseStale(STALE)
        given = set(params)
        if given != set(q.params):
            raise QueryError(
                f"{name}: expects parameters {sorted(q.params)}, got {sorted(given)}"
            )
        if q.customer_level and self.dialect == "duckdb":
            with customer_turns():
                return self.sql(q.sql, params)
        return self.sql(q.sql, params)

    def close(self) -> None:
        """Dispose of the engine."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


_turns: threading.BoundedSemaphore | None = None
_turns_lock = threading.Lock()


def customer_turns() -> threading.BoundedSemaphore:
    """The process's turns for customer-level queries (``config.CUSTOMER_QUERIES`` at once)."""
    global _turns
    with _turns_lock:
        if _turns is None:
            _turns = threading.BoundedSemaphore(config.CUSTOMER_QUERIES)
        return _turns


def open_warehouse(url: str | None = None, read_only: bool = True) -> Warehouse:
    """The warehouse a URL names: a ``spark.SparkWarehouse`` (same interface) for
    ``spark://`` and ``sc://`` (Spark Connect) URLs, else a SQLAlchemy ``Warehouse``."""
    url = url or config.warehouse_url()
    if url.split(":", 1)[0].lower() in ("spark", "sc"):
        from dashboard.warehouse.spark import SparkWarehouse  # PySpark is optional

        return SparkWarehouse(url, read_only=read_only)  # type: ignore[return-value]
    return Warehouse(url, read_only=read_only)


# --- the single cache layer: (url, file stamp, query name, parameters) -> DataFrame, with a TTL,
# bounded by entries and by the memory its results take (least recently used evicted first) ---

#: key -> (made at, value, bytes it takes)
_cache: OrderedDict[tuple, tuple[float, Any, int]] = OrderedDict()
_cache_lock = threading.Lock()
_cache_bytes = 0
#: queries being run now, by cache key: later askers wait for the first one's result
_running: dict[tuple, Future] = {}


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def share_repeats(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with one object per distinct text or date value in each column, shared by
    every cell that holds it. A driver hands back a new object per cell: at 1M customers the
    segment, region, plan and week of 47,000 complaint rows were 40 % of a result's memory.
    Values are not changed (equal values of one column's type share one object)."""
    for i in range(frame.shape[1]):
        if not pd.api.types.is_object_dtype(frame.dtypes.iloc[i]) or len(frame) < 2:
            continue
        col = frame.iloc[:, i].to_numpy()
        present = pd.notna(col)
        first = col[present.argmax()] if present.any() else None
        if not isinstance(first, str | date):
            continue
        codes, uniques = pd.factorize(col)
        shared = np.asarray(uniques, dtype=object)[codes]
        shared[codes == -1] = col[codes == -1]  # missing values stay as they were
        frame.isetitem(i, shared)
    return frame


def _nbytes(value: Any) -> int:
    """Memory a cached value takes: a DataFrame's arrays plus each distinct object its cells
    point to (text and dates counted by what they take, a shared object once); a computed
    value (a page's report and its figures) by the frames and arrays it holds
    (``_held_bytes``); other values (a filter catalog, a coverage) are small, counted as
    nothing."""
    if not isinstance(value, pd.DataFrame):
        return _held_bytes(value, set(), 0)
    size = int(value.memory_usage(index=True, deep=False).sum())
    for i in range(value.shape[1]):
        if pd.api.types.is_object_dtype(value.dtypes.iloc[i]):
            objects = {id(v): v for v in value.iloc[:, i].to_numpy()}
            size += sum(sys.getsizeof(v) for v in objects.values())
    return size


#: What one text or date cell of a computed value's frame is counted as (bytes).
_OBJECT_CELL_BYTES = 64
#: How deep ``_held_bytes`` looks into a computed value (report → tiles → figure → trace).
_HELD_DEPTH = 6


def _held_bytes(value: Any, seen: set[int], depth: int) -> int:
    """The frames (as ``_nbytes`` counts them), arrays and long texts reachable from a
    computed value through its fields, dictionaries, sequences and a plotly figure's traces
    and layout, each object once; what lies deeper than ``_HELD_DEPTH`` is not counted."""
    if depth > _HELD_DEPTH or id(value) in seen or value is None:
        return 0
    if isinstance(value, int | float | bool | str | bytes | date):
        return len(value) if isinstance(value, str | bytes) and len(value) > 256 else 0
    seen.add(id(value))
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index | np.ndarray):
        # arrays, and a text's or date's typical size for each object cell (not walked cell by
        # cell: a report's frames are counted at each cache miss, on the page's own time)
        if isinstance(value, pd.DataFrame):
            texts = sum(1 for d in value.dtypes if pd.api.types.is_object_dtype(d))
            return (int(value.memory_usage(index=False, deep=False).sum())
                    + _OBJECT_CELL_BYTES * texts * len(value))
        array = value if isinstance(value, np.ndarray) else value.to_numpy()
        return int(array.nbytes) + (_OBJECT_CELL_BYTES * array.size
                                    if array.dtype == object else 0)
    if hasattr(value, "_data_objs"):  # a plotly figure: its traces' and layout's values
        inner = [getattr(value, "_data", None), getattr(value, "_layout", None)]
        return sum(_held_bytes(v, seen, depth + 1) for v in inner)
    if isinstance(value, dict):
        return sum(_held_bytes(v, seen, depth + 1) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_held_bytes(v, seen, depth + 1) for v in value)
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):
        return sum(_held_bytes(v, seen, depth + 1) for v in fields.values())
    return 0


def cache_bytes() -> int:
    """Memory the cached results take now (bytes)."""
    with _cache_lock:
        return _cache_bytes


def cached_run(wh: Warehouse, name: str, **params: Any) -> pd.DataFrame:
    """``wh.run`` through a TTL cache; returns a copy so callers cannot corrupt the cache.
    Single flight: while one session runs a query, others asking for the same query and
    parameters wait for its result (or its error) instead of running it again."""
    if hasattr(wh, "settings"):  # the week functions follow this warehouse, cached or not
        kept = wh.settings()
        weeks.set_week_start(kept["week_start"])
        weeks.set_months(kept["months"])
    key = (wh.url, wh.stamp, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
    return _cached(key, lambda: wh.run(name, **params)).copy()


def cached_value(wh: Warehouse, name: str, make: Callable[[], T]) -> T:
    """A value derived from the warehouse's query results (the filter bar's catalog, which
    tables hold rows), kept like them: per warehouse file version, for the cache's TTL, made
    once when sessions ask at the same time. The value must not be changed by its users."""
    return _cached((wh.url, wh.stamp, "derived", name), make)


def _evict(key: tuple) -> None:
    global _cache_bytes
    _cache_bytes -= _cache.pop(key)[2]


def _cached(key: tuple, make: Callable[[], T]) -> T:
    global _cache_bytes
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < config.CACHE_TTL_SECONDS:
            _cache.move_to_end(key)
            return hit[1]
        if hit:
            _evict(key)
        running = _running.get(key)
        if running is None:
            running = _running[key] = Future()
            mine = True
        else:
            mine = False
    if not mine:
        return running.result()
    try:
        value = make()
    except BaseException as exc:
        with _cache_lock:
            _running.pop(key, None)
        running.set_exception(exc)
        raise
    size = _nbytes(value)
    budget = config.CACHE_MAX_MB * 1_000_000
    with _cache_lock:
        if size <= budget:
            _cache[key] = (now, value, size)
            _cache_bytes += size
        # stale entries go first, then the least recently used, until both bounds hold
        for old in [k for k, (t, _, _) in _cache.items()
                    if now - t >= config.CACHE_TTL_SECONDS]:
            _evict(old)
        while _cache and (len(_cache) > config.CACHE_MAX_ENTRIES or _cache_bytes > budget):
            _evict(next(iter(_cache)))
        _running.pop(key, None)
    running.set_result(value)
    return value


def clear_cache() -> None:
    """Forget every cached result."""
    global _cache_bytes
    with _cache_lock:
        _cache.clear()
        _cache_bytes = 0



#: The store's migrations: ``queries/store/store_migrate_<nnn>_<what>.sql``, applied in name order.
MIGRATION_PREFIX = "store_migrate_"


def _statements(sql: str) -> list[str]:
    """The statements of a DDL file: comment lines dropped, split at semicolons."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s for s in body.split(";") if s.strip()]


class AppStore:
    """Read-write access to the app-owned store; tables are created on first use, and a store
    made by an earlier version is brought up to date then (``migrate``)."""

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
                with engine.begin() as conn:
                    for statement in _statements(store_catalog()["store_schema"].sql):
                        conn.exec_driver_sql(statement)
                self._migrate(engine)
                self._engine = engine
            return self._engine

    def _migrate(self, engine: sa.Engine) -> None:
        """Apply every ``store_migrate_*`` query the store has not had yet, in name order, each
        in one transaction with its record in ``store_migrations`` (all of it or none). On
        SQLite the transaction starts with ``BEGIN IMMEDIATE`` (the driver would run DDL
        outside one), which also makes a second process wait and then find it applied."""
        from datetime import UTC, datetime

        cat = store_catalog()
        applied = cat["store_migrations_applied"].sql
        record = self._statement("store_record_migration",
                                 {"migration": "", "applied_at": ""})
        for name in sorted(n for n in cat if n.startswith(MIGRATION_PREFIX)):
            with engine.begin() as conn:
                if self.url.startswith("sqlite"):
                    conn.exec_driver_sql("begin immediate")
                done = {r[0] for r in conn.exec_driver_sql(applied).fetchall()}
                if name in done:
                    continue
                for statement in _statements(cat[name].sql):
                    conn.exec_driver_sql(statement)
                conn.exec_driver_sql(record, {
                    "migration": name,
                    "applied_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")})

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
