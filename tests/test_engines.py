"""The same SQL on PostgreSQL — every query of queries/ transpiled by sqlglot,
staging and marts built in PostgreSQL itself, results equal to DuckDB's on the fixture world."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.warehouse import build, catalog, db, engines
from tests import pg_util
from tests.test_queries import ALL, sample_params


@pytest.fixture(scope="module")
def pg(fixture_raw):
    server = pg_util.Server()
    try:
        counts = build.build_remote(server.url, fixture_raw)
        yield server, counts
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_wh(pg):
    wh = db.Warehouse(pg[0].url)
    yield wh
    wh.close()


def duckdb_counts(counts: dict[str, int], fixture_db) -> dict[str, int]:
    """The rows DuckDB's fixture warehouse holds in each relation another engine counted."""
    duck = db.Warehouse(f"duckdb:///{fixture_db}")
    return {name: int(duck.sql(f"select count(*) as n from {name}")["n"].iloc[0])
            for name in counts}


def test_marts_built_in_postgres_hold_the_same_rows(pg, fixture_db):
    counts = pg[1]
    assert counts == duckdb_counts(counts, fixture_db)
    assert len([k for k in counts if k.startswith("marts.")]) == len(catalog.layer_queries("marts"))


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    key = list(want.columns)
    got = got.sort_values(key, ignore_index=True) if len(got) else got
    want = want.sort_values(key, ignore_index=True) if len(want) else want
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9, rtol=1e-9)


#: Columns that say when and how fast each build ran (they differ between two builds).
RUN_COLUMNS = {"data_check_runs": ["checked_at", "seconds"]}


def query_results(other, duck, q) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The query ``q`` with its sample parameters on another engine and on DuckDB."""
    params = sample_params(q)
    drop = RUN_COLUMNS.get(q.name, [])
    return (other.run(q.name, **params).drop(columns=drop),
            duck.run(q.name, **params).drop(columns=drop))


def kpi_reports(other, duck) -> list[tuple[str, str, dict]]:
    """(other engine's, DuckDB's) KPI report as JSON for three filter states."""
    def report(wh, **kw):
        fetch = lambda name, **p: wh.run(name, **p)  # noqa: E731
        cat = kpis.load_catalog(fetch)
        return kpis.build_report(fetch, Filters(week=cat.latest_complete, **kw)).to_json()

    return [(report(other, **kw), report(duck, **kw), kw) for kw in (
        {}, {"segments": ("Mass",)}, {"regions": ("North", "South"), "compare": "4w"})]


def complaint_results(other, duck) -> list[tuple[pd.DataFrame, pd.DataFrame, str]]:
    """(other engine's, DuckDB's) rows of the Complaints page's count and hour queries with
    parameters that find the fixture's complaints: the backlog banded by AGE_BANDS, at a bound
    an age reaches exactly, below every bound and with no bounds."""
    from datetime import date

    from dashboard.analysis import complaints

    w10, w11 = date(2026, 3, 2), date(2026, 3, 9)
    calls = [
        ("cmp_backlog", {"as_of": date(2026, 3, 16),
                         "band_lower_hours": complaints.age_band_bounds()}),
        ("cmp_backlog", {"as_of": date(2026, 3, 5),
                         "band_lower_hours": complaints.age_band_bounds()}),
        ("cmp_backlog", {"as_of": date(2026, 3, 16), "band_lower_hours": [0.0, 159.0]}),
        ("cmp_backlog", {"as_of": date(2026, 3, 16), "band_lower_hours": [200.0]}),
        ("cmp_backlog", {"as_of": date(2026, 3, 16), "band_lower_hours": []}),
        ("cmp_complaints", {"start_week": w10, "end_week": w11}),
        ("cmp_repeat_complainants", {"start_week": w10, "end_week": w11}),
        ("cmp_closures", {"start_week": w10, "response_start_week": w10, "end_week": w11}),
        ("cmp_closures", {"start_week": w11, "response_start_week": w11, "end_week": w11}),
    ]
    return [(other.run(name, **params), duck.run(name, **params), f"{name} {params}")
            for name, params in calls]


def complaint_reports(other, duck) -> list[tuple[object, object, dict]]:
    """(other engine's, DuckDB's) Complaints report for three filter states of the fixture."""
    from dashboard.analysis import complaints

    def report(wh, **kw):
        fetch = lambda name, **p: wh.run(name, **p)  # noqa: E731
        r = complaints.build_report(fetch, Filters(week="2026-W11", **kw))
        return (r.cards, r.takeaways, *(frame.to_json() for frame in (
            r.pareto, r.severity, r.backlog, r.repeat, r.resolution)))

    return [(report(other, **kw), report(duck, **kw), kw) for kw in (
        {}, {"segments": ("Mass",)}, {"regions": ("North", "South"), "compare": "4w"})]


#: kpi_ops_weekly's parameters with a filter value that would be SQL if it were not bound.
HOSTILE = {"start_week": "2026-01-01", "end_week": "2026-12-31",
           "segments": ["Mass') or 1=1 --"], "regions": [], "plans": []}


@pytest.mark.parametrize("q", ALL, ids=lambda q: f"{q.layer}/{q.name}")
def test_every_query_gives_duckdbs_result_on_postgres(pg_wh, fixture_wh, q):
    got, want = query_results(pg_wh, fixture_wh, q)
    assert len(got) == len(want)
    _same(got, want)


def test_filters_bind_on_postgres_and_give_the_same_kpis(pg_wh, fixture_wh):
    for ours, theirs, kw in kpi_reports(pg_wh, fixture_wh):
        assert ours == theirs, kw
    assert pg_wh.run("kpi_ops_weekly", **HOSTILE).empty  # a value, not SQL


def test_complaint_counts_and_hours_on_postgres_equal_duckdbs(pg_wh, fixture_wh, tiny_bases):
    for got, want, call in complaint_results(pg_wh, fixture_wh):
        assert len(want), call  # each call finds rows
        _same(got, want)
    for ours, theirs, kw in complaint_reports(pg_wh, fixture_wh):
        assert ours == theirs, kw


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

    from tests.conftest import DEMO_END_WEEK, ROOT, kpis_json

    server, _ = pg
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=cx dbname=cx",
                         autocommit=True) as conn:
        conn.execute("create database demo")
    url = server.url.rsplit("/", 1)[0] + "/demo"
    duck = tmp_path / "demo.duckdb"
    for target in (["--url", url], ["--out", str(duck)]):
        res = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--customers", "2000",
                              "--end-week", DEMO_END_WEEK, *target],
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Built ")
    for args in (["--week", "2026-W40"], ["--week", "2026-W30", "--segment", "Mass"]):
        doc = kpis_json(url, *args)
        assert doc == kpis_json(f"duckdb:///{duck}", *args), args
        assert doc["kpis"]["nps"]["n"] > 0


def test_the_calendar_of_a_crm_and_billing_world_agrees_on_postgres(pg, tmp_path):
    """Invoices ending four weeks before the last churn date, with and without an as-of date
    given: PostgreSQL's build (ingest.settings created and read there too) has DuckDB's weeks
    and calendar rows."""
    from datetime import date

    import psycopg

    from tests.test_calendar import calendar_results, crm_and_billing_raw

    server, _ = pg
    raw = crm_and_billing_raw(tmp_path)
    for name, as_of, last in (("cal_data", None, "2026-W44"),
                              ("cal_given", date(2026, 11, 8), "2026-W45")):
        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=cx dbname=cx",
                             autocommit=True) as conn:
            conn.execute(f"create database {name}")  # noqa: S608 (fixed names)
        url = server.url.rsplit("/", 1)[0] + f"/{name}"
        build.build_remote(url, raw, as_of=as_of)
        duck = tmp_path / f"{name}.duckdb"
        build.build(raw, duck, as_of=as_of)
        theirs, ours = db.Warehouse(url), db.Warehouse(f"duckdb:///{duck}")
        try:
            got, want = calendar_results(theirs), calendar_results(ours)
        finally:
            theirs.close()
            ours.close()
        for q in got:
            _same(got[q], want[q])
        weeks = got["weeks_available"]
        assert (weeks["iso_week"].iloc[-1], weeks["iso_week"].iloc[0]) == ("2025-W02", last)
        given = got["data_calendar"].set_index("date_role").loc["as_of", "last_date"]
        assert (None if pd.isna(given) else pd.Timestamp(given).date()) == as_of


def test_a_computed_list_subscript_counts_from_zero_on_spark():
    """DuckDB's ``list[i]`` counts from 1 and is NULL outside the list; on Spark it becomes
    ``get(list, i - 1)`` (0-based, NULL outside); a literal subscript is sqlglot's own."""
    sql = ("select (cast($p as double[]))[array_position(cast($c as varchar[]), channel)] as x, "
           "(array_agg(a))[1] as y from t")
    assert engines.transpile(sql, "spark") == (
        "SELECT GET((CAST(:p AS ARRAY<DOUBLE>)), ARRAY_POSITION(CAST(:c AS ARRAY<STRING>), "
        "channel) - 1) AS x, (COLLECT_LIST(a))[0] AS y FROM t")
    assert "[ARRAY_POSITION(" in engines.transpile(sql, "postgres")  # 1-based there too
