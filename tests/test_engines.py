"""Issue 7 (part): the same SQL on PostgreSQL — every query of queries/ transpiled by sqlglot,
staging and marts built in PostgreSQL itself, results equal to DuckDB's on the fixture world."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import db, engines, kpis
from dashboard.filters import Filters
from tests import pg_util
from tests.test_queries import ALL, sample_params


@pytest.fixture(scope="module")
def pg(fixture_raw):
    server = pg_util.Server()
    try:
        counts = db.build_remote(server.url, fixture_raw)
        yield server, counts
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_wh(pg):
    wh = db.Warehouse(pg[0].url)
    yield wh
    wh.close()


def same_row_counts(counts: dict[str, int], fixture_db) -> None:
    """Every raw table and mart another engine built holds DuckDB's rows; no mart is missing."""
    duck = db.Warehouse(f"duckdb:///{fixture_db}")
    for name, n in counts.items():
        assert n == int(duck.sql(f"select count(*) as n from {name}")["n"].iloc[0]), name
    assert len([k for k in counts if k.startswith("marts.")]) == len(db.layer_queries("marts"))


def test_marts_built_in_postgres_hold_the_same_rows(pg, fixture_db):
    same_row_counts(pg[1], fixture_db)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    key = list(want.columns)
    got = got.sort_values(key, ignore_index=True) if len(got) else got
    want = want.sort_values(key, ignore_index=True) if len(want) else want
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9, rtol=1e-9)


#: Columns that say when and how fast each build ran (they differ between two builds).
RUN_COLUMNS = {"data_check_runs": ["checked_at", "seconds"]}


def same_query_result(other, duck, q) -> None:
    """The query ``q`` with its sample parameters gives DuckDB's rows on another engine."""
    params = sample_params(q)
    drop = RUN_COLUMNS.get(q.name, [])
    got = other.run(q.name, **params).drop(columns=drop)
    want = duck.run(q.name, **params).drop(columns=drop)
    assert len(got) == len(want)
    _same(got, want)


def same_kpis_and_bound_values(other, duck) -> dict:
    """KPI reports equal DuckDB's for three filter states, and a hostile filter value stays a
    value; returns the hostile query's parameters for more checks."""
    def report(wh, **kw):
        fetch = lambda name, **p: wh.run(name, **p)  # noqa: E731
        cat = kpis.load_catalog(fetch)
        return kpis.build_report(fetch, Filters(week=cat.latest_complete, **kw)).to_json()

    for kw in ({}, {"segments": ("Mass",)}, {"regions": ("North", "South"), "compare": "4w"}):
        assert report(other, **kw) == report(duck, **kw), kw
    hostile = ["Mass') or 1=1 --"]
    params = {"start_week": "2026-01-01", "end_week": "2026-12-31", "segments": hostile,
              "regions": [], "plans": []}
    assert other.run("kpi_ops_weekly", **params).empty  # a value, not SQL
    return params


@pytest.mark.parametrize("q", ALL, ids=lambda q: f"{q.layer}/{q.name}")
def test_every_query_gives_duckdbs_result_on_postgres(pg_wh, fixture_wh, q):
    same_query_result(pg_wh, fixture_wh, q)


def test_filters_bind_on_postgres_and_give_the_same_kpis(pg_wh, fixture_wh):
    same_kpis_and_bound_values(pg_wh, fixture_wh)


def test_the_app_connection_to_postgres_is_read_only(pg_wh):
    with pytest.raises(Exception, match="read-only transaction"):
        pg_wh.sql("create table raw.intruder as select 1 as x")


@pytest.mark.parametrize(("duck", "postgres"), [
    ("select a, count(*) from t group by all", "SELECT a, COUNT(*) FROM t GROUP BY 1"),
    ("select try_cast(v as double) from t",
     "SELECT CASE WHEN v ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$' "
     "THEN CAST(v AS DOUBLE PRECISION) END FROM t"),
    ("select arg_max(a, b) from t", "SELECT (ARRAY_AGG(a ORDER BY b DESC NULLS LAST))[1] FROM t"),
    ("select arg_min(a, b) from t", "SELECT (ARRAY_AGG(a ORDER BY b ASC))[1] FROM t"),
    ("select d + to_months(k) from t", "SELECT d + MAKE_INTERVAL(months => CAST(k AS INT)) FROM t"),
    ("select strftime(d, '%G-W%V') from t", "SELECT TO_CHAR(d, 'IYYY-\"W\"IW') FROM t"),
    ("select 1 where len(cast($s as varchar[])) = 0",
     "SELECT 1 WHERE CARDINALITY(CAST(%(s)s AS TEXT[])) = 0"),
    ("select 1 where k like 'cost_%' and x = $v", "SELECT 1 WHERE k LIKE 'cost_%%' AND x = %(v)s"),
])
def test_each_transform_by_hand(duck, postgres):
    assert engines.transpile(duck, "postgres") == postgres


def test_engine_names_from_urls():
    assert engines.dialect_of("postgresql+psycopg://u@h/db") == "postgres"
    assert engines.dialect_of("duckdb:///data/warehouse.duckdb") == "duckdb"
    with pytest.raises(ValueError, match="unsupported warehouse URL scheme 'mysql'"):
        engines.dialect_of("mysql://h/db")


def test_demo_command_builds_into_postgres_with_the_kpis_of_the_duckdb_build(pg, tmp_path):
    """`python -m dashboard demo --url postgresql…` builds the same world in the server (in a
    database of its own here) and `kpis --url` reads the same numbers as from DuckDB."""
    import subprocess
    import sys

    import psycopg

    from tests.conftest import ROOT, kpis_json

    server, _ = pg
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=cx dbname=cx",
                         autocommit=True) as conn:
        conn.execute("create database demo")
    url = server.url.rsplit("/", 1)[0] + "/demo"
    duck = tmp_path / "demo.duckdb"
    for target in (["--url", url], ["--out", str(duck)]):
        res = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--customers", "2000",
                              *target], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Built ")
    for args in (["--week", "2026-W40"], ["--week", "2026-W30", "--segment", "Mass"]):
        doc = kpis_json(url, *args)
        assert doc == kpis_json(f"duckdb:///{duck}", *args), args
        assert doc["kpis"]["nps"]["n"] > 0
