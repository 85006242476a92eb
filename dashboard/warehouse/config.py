"""Paths and settings in one place. Imports nothing from Streamlit, so the CLI and tests use it."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
#: The checkout: the folder holding ``dashboard/``, ``queries/``, ``data/``, ``.streamlit/``.
ROOT = _PACKAGE.parent
#: True when running from a checkout; False for an installed package (``pip install .``), which
#: carries the SQL and the shipped defaults inside it (``dashboard/_queries``, ``dashboard/_data``)
#: and keeps its warehouse and store under ``CX_DATA_DIR`` (default ``./data``).
FROM_CHECKOUT = (ROOT / "queries").is_dir()
QUERIES_DIR = ROOT / "queries" if FROM_CHECKOUT else _PACKAGE / "_queries"
SHIPPED_DIR = ROOT / "data" if FROM_CHECKOUT else _PACKAGE / "_data"
DATA_DIR = ROOT / "data" if FROM_CHECKOUT else Path(os.environ.get("CX_DATA_DIR") or "data")
#: The demo world's settings (improvement programme, targets, US dollars): ``demo`` only.
DEMO_ASSUMPTIONS_CSV = SHIPPED_DIR / "demo_assumptions.csv"
#: CX Ledger's neutral defaults (no programme, no targets, currency XXX): what a company's
#: warehouse starts with until its own assumptions file is loaded.
DEFAULT_ASSUMPTIONS_CSV = SHIPPED_DIR / "default_assumptions.csv"
DEFAULT_DB_PATH = DATA_DIR / "warehouse.duckdb"
DEFAULT_STORE_PATH = DATA_DIR / "app_store.sqlite"

#: Seconds a query result stays in the cache (one cache layer: query name + parameters).
CACHE_TTL_SECONDS = int(os.environ.get("CX_CACHE_TTL", "600"))
#: Most entries the query cache holds before evicting the least recently used.
CACHE_MAX_ENTRIES = 512
#: Most memory (MB) the query cache's results may take together before the least recently used
#: are evicted (`CX_CACHE_MAX_MB`): many sessions on many weeks would otherwise keep every
#: week's customer-level rows resident. A result larger than this is returned, not kept.
CACHE_MAX_MB = int(os.environ.get("CX_CACHE_MAX_MB", "96"))

#: Customer-level queries (``-- weight: customer-level``: each joins up to a million customers
#: and needs tens of MB of DuckDB working memory) the app runs at once (`CX_CUSTOMER_QUERIES`);
#: later ones wait their turn. On two cores more at once is no faster, only larger: five
#: sessions at 1M customers otherwise held 200 MB of DuckDB memory between them.
CUSTOMER_QUERIES = max(1, int(os.environ.get("CX_CUSTOMER_QUERIES", "2")))

#: Bases below this are withheld; below LOW_BASE they are badged and never get an arrow.
MIN_BASE = 30
LOW_BASE = 100
#: Significance level after Benjamini–Hochberg correction.
ALPHA = 0.05
#: Weeks shown in each trend chart.
TREND_WEEKS = 13


#: Days the newest data may be older than today before every page says so (`CX_STALE_DAYS`):
#: 8 lets a weekly load on Monday cover the week to Sunday without a warning.
STALE_DAYS_DEFAULT = 8


def stale_days() -> int:
    """`CX_STALE_DAYS` (a whole number of days, at least 0), else ``STALE_DAYS_DEFAULT``; read
    at each call, so a changed setting applies to the next page run."""
    raw = os.environ.get("CX_STALE_DAYS", "").strip()
    try:
        return max(0, int(raw)) if raw else STALE_DAYS_DEFAULT
    except ValueError:
        return STALE_DAYS_DEFAULT


def warehouse_url() -> str:
    """The SQLAlchemy URL of the warehouse: `CX_WAREHOUSE_URL`, else the embedded DuckDB file."""
    url = os.environ.get("CX_WAREHOUSE_URL")
    if url:
        return url
    return f"duckdb:///{DEFAULT_DB_PATH}"


def default_db_path() -> Path:
    """The warehouse file that `CX_WAREHOUSE_URL` names (a DuckDB file), else data/'s."""
    url = warehouse_url()
    if url.startswith("duckdb:///") and url.removeprefix("duckdb:///") not in ("", ":memory:"):
        return Path(url.removeprefix("duckdb:///"))
    return DEFAULT_DB_PATH


def app_store_url() -> str:
    """The SQLAlchemy URL of the app-owned store (assumption edits, scenarios):
    `CX_APP_STORE_URL`, else a SQLite file under data/. Never the analytics warehouse."""
    url = os.environ.get("CX_APP_STORE_URL")
    if url:
        return url
    return f"sqlite:///{DEFAULT_STORE_PATH}"


#: What the app's DuckDB may hold in memory (buffer cache and query state) before it evicts
#: cached blocks and spills to a temporary folder: `CX_DUCKDB_MEMORY_LIMIT`. DuckDB keeps what
#: it is allowed: its share of the app's memory is this figure whenever sessions are busy.
#: Measured at 1M customers with five Chromium sessions on every page (`make bench`): with
#: customer-level queries taking turns (CUSTOMER_QUERIES) 160MB gives no error (128MB did:
#: one customer-level query needs 48-64 MB on its own) and the app peaks under 600 MB.
DUCKDB_MEMORY_LIMIT = os.environ.get("CX_DUCKDB_MEMORY_LIMIT", "160MB")
_SIZE_RE = r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"


def duckdb_memory_limit() -> str:
    """The app's DuckDB memory limit, checked (``200MB``, ``1.5GB``, ``512MiB``)."""
    import re

    value = os.environ.get("CX_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT).strip()
    if not re.match(_SIZE_RE, value):
        raise ValueError(f"CX_DUCKDB_MEMORY_LIMIT {value!r} is not a size like 200MB or 1.5GB")
    return value


def archive_dir() -> Path:
    """Where ingest keeps every accepted file under its checksum: `CX_ARCHIVE_DIR`, else
    `data/archive/` (git-ignored)."""
    return Path(os.environ.get("CX_ARCHIVE_DIR") or DATA_DIR / "archive")


def pack_template_path() -> Path:
    """The board pack's template (logo, colours, fonts): `CX_PACK_TEMPLATE`, else the shipped
    `data/pack_template.toml`."""
    return Path(os.environ.get("CX_PACK_TEMPLATE") or SHIPPED_DIR / "pack_template.toml")


def secrets_path() -> Path:
    """Streamlit's secrets file (SMTP settings for the headless pack): `CX_SECRETS_FILE`, else
    `.streamlit/secrets.toml` (git-ignored)."""
    return Path(os.environ.get("CX_SECRETS_FILE") or ROOT / ".streamlit" / "secrets.toml")
