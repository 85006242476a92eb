"""The same SQL on Spark — every query of queries/ transpiled by sqlglot, the
warehouse built in a local Spark session itself (raw tables, staging views, parquet marts,
contract checks), results equal to DuckDB's on the fixture world. Fails (never skips) when
PySpark or Java is missing: `make spark` installs pyspark==4.3.0 into the venv."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.warehouse import catalog, db, engines
from tests.test_engines import (
    HOSTILE,
    _same,
    complaint_reports,
    complaint_results,
    duckdb_counts,
    kpi_reports,
    query_results,
)
from tests.test_queries import ALL


def _require_spark() -> None:
    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("PySpark is not installed: `make spark` installs pyspark==4.3.0 into the venv",
                    pytrace=False)
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin/java").exists()):
        pytest.fail("Java is missing (Spark needs a JVM): apt-get install -y "
                    "openjdk-17-jre-headless", pytrace=False)


def _tuned_url(folder: Path) -> str:
    """A local session tuned for a tiny world on a busy machine: the JIT's first tier only (with
    room for its code: C1 alone filled the default 48 MB code cache and the JVM stopped), no
    adaptive re-plans, two shuffle partitions."""
    return (f"spark://local[2]?warehouse={folder}&spark.sql.shuffle.partitions=2"
            "&spark.sql.adaptive.enabled=false&spark.driver.extraJavaOptions="
            "-XX:TieredStopAtLevel=1%20-XX:ReservedCodeCacheSize=256m")


@pytest.fixture(scope="module")
def spark(tmp_path_factory, fixture_raw):
    """A local Spark session holding the fixture warehouse built by build_spark; stopped at the
    end of the module."""
    _require_spark()
    from dashboard.warehouse.spark import SparkWarehouse, build_spark

    folder = tmp_path_factory.mktemp("spark-warehouse")
    url = _tuned_url(folder)
    wh = SparkWarehouse(url)
    wh.spark()  # this module starts the session, so wh.close() stops it
    try:
        counts = build_spark(url, fixture_raw)
        yield wh, counts
    finally:
        wh.close()


@pytest.fixture(scope="module")
def spark_wh(spark):
    return spark[0]


def test_marts_built_in_spark_hold_the_same_rows(spark, fixture_db):
    counts = spark[1]
    assert counts == duckdb_counts(counts, fixture_db)
    assert len([k for k in counts if k.startswith("marts.")]) == len(catalog.layer_queries("marts"))


@pytest.mark.parametrize("q", ALL, ids=lambda q: f"{q.layer}/{q.name}")
def test_every_query_gives_duckdbs_result_on_spark(spark_wh, fixture_wh, q):
    got, want = query_results(spark_wh, fixture_wh, q)
    assert len(got) == len(want)
    _same(got, want)


def test_filters_bind_on_spark_and_give_the_same_kpis(spark_wh, fixture_wh):
    from datetime import date

    for ours, theirs, kw in kpi_reports(spark_wh, fixture_wh):
        assert ours == theirs, kw
    assert spark_wh.run("kpi_ops_weekly", **HOSTILE).empty  # a value, not SQL
    params = HOSTILE
    both = {**params, "segments": ["Mass", "Affluent"], "start_week": date(2026, 1, 1)}
    mass = {**params, "segments": ["Mass"], "start_week": date(2026, 1, 1)}
    assert len(spark_wh.run("kpi_ops_weekly", **both)) == len(fixture_wh.run("kpi_ops_weekly",
                                                                              **both))
    _same(spark_wh.run("kpi_ops_weekly", **mass), fixture_wh.run("kpi_ops_weekly", **mass))


def test_complaint_counts_and_hours_on_spark_equal_duckdbs(spark_wh, fixture_wh, tiny_bases):
    for got, want, call in complaint_results(spark_wh, fixture_wh):
        assert len(want), call  # each call finds rows
        _same(got, want)
    for ours, theirs, kw in complaint_reports(spark_wh, fixture_wh):
        assert ours == theirs, kw


def test_the_app_connection_to_spark_only_reads(spark_wh):
    for statement in ("create table raw.intruder as select 1 as x",
                      "insert into raw.assumptions select * from raw.assumptions",
                      "drop table marts.dim_weeks",
                      "select 1 as x; drop table marts.dim_weeks",
                      "select reflect('java.lang.Thread', 'sleep', cast(1000 as bigint)) as x"):
        with pytest.raises(db.QueryError, match="read-only"):
            spark_wh.sql(statement)
    session = spark_wh.spark()
    assert not session.catalog.tableExists("raw.intruder")
    assert session.catalog.tableExists("marts.dim_weeks")
    with pytest.raises(db.QueryError, match="expects parameters"):
        spark_wh.run("assumptions_in_force")
    assert spark_wh.stamp is None and spark_wh.dialect == "spark"


def test_another_process_reads_the_warehouse_this_one_built(spark_wh):
    """A local session's catalog lives in memory: a new process (the app's) attaches the tables
    that build_spark left in the warehouse directory and recreates the staging views."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; from dashboard.warehouse.spark import SparkWarehouse; "
            "wh = SparkWarehouse(sys.argv[1]); print(wh.run('weeks_available').to_json()); "
            "print(wh.sql('select count(*) as n from staging.stg_contacts').to_json()); wh.close()")
    res = subprocess.run([sys.executable, "-c", code, spark_wh.url], capture_output=True,
                         text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.splitlines() == [
        spark_wh.run("weeks_available").to_json(),
        spark_wh.sql("select count(*) as n from staging.stg_contacts").to_json()]


def test_urls_open_the_right_warehouse(tmp_path):
    from dashboard.warehouse import spark as sp

    assert isinstance(db.open_warehouse("spark://local[2]"), sp.SparkWarehouse)
    assert isinstance(db.open_warehouse("sc://dbc-1.cloud.databricks.com:443/;token=t"),
                      sp.SparkWarehouse)  # Spark Connect: nothing connects before a query
    assert isinstance(db.open_warehouse(f"duckdb:///{tmp_path}/w.duckdb"), db.Warehouse)
    assert engines.dialect_of("sc://host:15002") == "spark"
    assert sp._parse_url("spark://local") == ("local[*]", {})
    assert sp._parse_url(f"spark://local[2]?warehouse={tmp_path}&spark.sql.x=1") == (
        "local[2]", {"spark.sql.warehouse.dir": str(tmp_path), "spark.sql.x": "1"})
    assert sp._parse_url("spark://cluster:7077")[0] == "spark://cluster:7077"
    with pytest.raises(ValueError, match="unknown option"):
        sp._parse_url("spark://local?user=x")


@pytest.mark.parametrize(("duck", "want"), [
    ("select a, count(*) from t group by all", "SELECT a, COUNT(*) FROM t GROUP BY 1"),
    ("select cast(generate_series as date) as w "
     "from b, generate_series(b.lo, b.hi, interval 7 day)",
     "SELECT CAST(generate_series AS DATE) AS w FROM b LATERAL VIEW "
     "EXPLODE(SEQUENCE(b.lo, b.hi, INTERVAL '7' DAY)) generate_series AS generate_series"),
    ("select unnest(range(0, n + 1)) as k from t",
     "SELECT EXPLODE(IF((n + 1 - 1) < 0, ARRAY(), SEQUENCE(0, (n + 1 - 1)))) AS k FROM t"),
    ("select d + to_months(k) from t", "SELECT d + MAKE_YM_INTERVAL(0, CAST(k AS INT)) FROM t"),
    ("select strftime(d, '%G-W%V') from t",
     "SELECT FORMAT_STRING('%d-W%02d', EXTRACT(YEAROFWEEK FROM d), EXTRACT(WEEK FROM d)) FROM t"),
    ("select 1 where len(cast($s as varchar[])) = 0 or list_contains(cast($s as varchar[]), x)",
     "SELECT 1 WHERE SIZE(CAST(:s AS ARRAY<STRING>)) = 0 "
     "OR ARRAY_CONTAINS(CAST(:s AS ARRAY<STRING>), x)"),
    ("select a / 3600.0, a / 7 from t", "SELECT a / CAST(3600.0 AS DOUBLE), a / 7 FROM t"),
    ("with c as (select k, count(*) as n from t group by all) "
     "select c.*, u.v from c left join u using (k)",
     "WITH c AS (SELECT k, COUNT(*) AS n FROM t GROUP BY 1) "
     "SELECT c.k, c.n, u.v FROM c LEFT JOIN u USING (k)"),
    ("select arg_max(a, b), arg_min(a, b) from t", "SELECT MAX_BY(a, b), MIN_BY(a, b) FROM t"),
    ("select try_cast(v as double) from t", "SELECT TRY_CAST(v AS DOUBLE) FROM t"),
    ("select * from t qualify row_number() over (order by a) = 1",
     "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY a NULLS LAST) AS _w FROM t) AS _t "
     "WHERE _w = 1"),
])
def test_each_spark_transform_by_hand(duck, want):
    assert engines.transpile(duck, "spark") == want


def test_demo_command_builds_into_spark_with_the_kpis_of_the_duckdb_build(tmp_path):
    """`python -m dashboard demo --url spark://…` builds the world in a local Spark warehouse
    folder (in its own process) and `kpis --url` — a third process attaching that folder —
    reads the same numbers as from the DuckDB build."""
    import subprocess
    import sys

    from tests.conftest import DEMO_END_WEEK, ROOT, kpis_json

    _require_spark()
    url = _tuned_url(tmp_path / "spark")
    duck = tmp_path / "demo.duckdb"
    for target in (["--url", url], ["--out", str(duck)]):
        res = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--customers", "1500",
                              "--end-week", DEMO_END_WEEK, *target],
                             capture_output=True, text=True, cwd=ROOT, timeout=900)
        assert res.returncode == 0, res.stderr[-2000:]
        assert res.stdout.startswith("Built ")
    for args in (["--week", "2026-W40"], ["--week", "2026-W30", "--segment", "Mass"]):
        doc = kpis_json(url, *args)
        assert doc == kpis_json(f"duckdb:///{duck}", *args), args
        assert doc["kpis"]["nps"]["n"] > 0


def test_the_calendar_of_a_crm_and_billing_world_with_a_given_as_of_agrees_on_spark(
        spark, fixture_raw, tmp_path):
    """Invoices ending four weeks before the last churn date and an as-of date given: Spark's
    build (ingest.settings created, written and read there too) has DuckDB's weeks and calendar
    rows. The session holds one warehouse: the fixture's is built again afterwards."""
    from datetime import date

    from dashboard.warehouse import build
    from dashboard.warehouse.spark import build_spark
    from tests.test_calendar import calendar_results, crm_and_billing_raw

    wh = spark[0]
    raw = crm_and_billing_raw(tmp_path)
    duck = tmp_path / "crm.duckdb"
    build.build(raw, duck, as_of=date(2026, 11, 8))
    try:
        build_spark(wh.url, raw, as_of=date(2026, 11, 8))
        got = calendar_results(wh)
    finally:
        build_spark(wh.url, fixture_raw)
    ours = db.Warehouse(f"duckdb:///{duck}")
    try:
        want = calendar_results(ours)
    finally:
        ours.close()
    for q in got:
        _same(got[q], want[q])
    weeks = got["weeks_available"]
    assert (weeks["iso_week"].iloc[-1], weeks["iso_week"].iloc[0]) == ("2025-W02", "2026-W45")
    given = got["data_calendar"].set_index("date_role").loc["as_of", "last_date"]
    assert pd.Timestamp(given).date() == date(2026, 11, 8)
