"""Saturday weeks and Jalali months on Spark: the fixture world built in a local Spark session
with ``week_start = "saturday"`` and ``months = "jalali"`` (the calendar's days written there as
parquet) holds DuckDB's marts, mart by mart. Fails (never skips) when PySpark or Java is
missing, as tests/test_spark.py does."""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import build, catalog, db, weeks
from tests.test_engines import _same
from tests.test_spark import _require_spark, _tuned_url

PERSIAN = {"week_start": "saturday", "months": "jalali"}


def test_a_saturday_jalali_warehouse_built_in_spark_equals_duckdbs(tmp_path, fixture_raw):
    _require_spark()
    from dashboard.warehouse.spark import SparkWarehouse, build_spark

    url = _tuned_url(tmp_path / "spark-warehouse")
    wh = SparkWarehouse(url)
    wh.spark()  # this test starts the session, so wh.close() stops it
    duck = db.Warehouse(f"duckdb:///{tmp_path / 'wh.duckdb'}")
    try:
        build_spark(url, fixture_raw, calendar=PERSIAN)
        build.build(fixture_raw, tmp_path / "wh.duckdb", calendar=PERSIAN)
        assert wh.settings() == duck.settings() == PERSIAN
        for q in catalog.layer_queries("marts"):
            text = f"select * from marts.{q.name}"  # noqa: S608 (the catalog's names)
            _same(wh.sql(text), duck.sql(text))
        starts = pd.to_datetime(wh.sql("select week_start from marts.dim_weeks")["week_start"])
        assert len(starts) and (starts.dt.dayofweek == 5).all()
    finally:
        wh.close()
        duck.close()
        weeks.set_week_start("iso")
        weeks.set_months("gregorian")
