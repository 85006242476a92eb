"""The app's DuckDB connection reads the warehouse and nothing else: every way out (another
database, a file read or written, an extension, a changed setting) is refused, while the
warehouse's own queries run and still spill past the memory limit."""

from __future__ import annotations

import duckdb
import pytest

from dashboard.warehouse import db

#: (statement, what DuckDB's refusal says); {d} is a folder the test owns
REFUSED = [
    ("attach '{d}/other.duckdb' as other", "file system operations are disabled"),
    ("copy (select 1 as x) to '{d}/out.csv'", "file system operations are disabled"),
    ("copy marts.dim_customers to '{d}/customers.parquet' (format parquet)",
     "file system operations are disabled"),
    ("export database '{d}/dump'", ""),
    ("select * from read_csv('{d}/in.csv')", "file system operations are disabled"),
    ("select * from read_csv_auto('{d}/in.csv')", "file system operations are disabled"),
    ("select * from '{d}/in.csv'", ""),
    ("select * from read_text('/etc/hostname')", "file system operations are disabled"),
    ("select * from read_parquet('{d}/in.parquet')", "file system operations are disabled"),
    ("select * from glob('{d}/*')", "file system operations are disabled"),
    ("install httpfs", ""),
    ("load httpfs", ""),
    ("set memory_limit = '10GB'", "configuration has been locked"),
    ("reset memory_limit", "configuration has been locked"),
    ("pragma memory_limit = '10GB'", "configuration has been locked"),
    ("set enable_external_access = true", "configuration has been locked"),
    ("set lock_configuration = false", "configuration has been locked"),
    ("set threads = 64", "configuration has been locked"),
    ("set temp_directory = '{d}/spill'", "configuration has been locked"),
    ("create table marts.planted as select 1 as x", "read-only"),
    ("delete from marts.dim_customers", "read-only"),
]


@pytest.fixture
def app_wh(fixture_db):
    wh = db.Warehouse(f"duckdb:///{fixture_db}")
    yield wh
    wh.close()


@pytest.mark.parametrize(("statement", "says"), REFUSED, ids=[s for s, _ in REFUSED])
def test_the_app_connection_refuses_every_way_out(app_wh, tmp_path, statement, says):
    (tmp_path / "in.csv").write_text("a\n1\n", encoding="utf-8")
    duckdb.sql(f"copy (select 1 as a) to '{tmp_path}/in.parquet' (format parquet)")
    before = sorted(p.name for p in tmp_path.iterdir())
    limit = app_wh.sql("select current_setting('memory_limit') as m")["m"].iloc[0]
    with pytest.raises(Exception) as refused:
        app_wh.sql(statement.format(d=tmp_path))
    assert says.lower() in str(refused.value).lower()
    # nothing written, nothing attached, no setting changed; the warehouse still answers
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    dbs = app_wh.sql("select database_name from duckdb_databases() where not internal")
    assert sorted(dbs["database_name"]) == ["memory", "warehouse"]
    after = app_wh.sql("select current_setting('memory_limit') as m, "
                       "current_setting('enable_external_access') as ext, "
                       "current_setting('lock_configuration') as locked")
    assert (after["m"].iloc[0], bool(after["ext"].iloc[0]), bool(after["locked"].iloc[0])) \
        == (limit, False, True)
    assert len(app_wh.run("weeks_available")) > 0


def test_the_locked_connection_still_reads_and_spills(fixture_db, fixture_raw, monkeypatch):
    """With external access off, DuckDB still spills to its own temporary folder: grouping
    into 3,000,000 groups (at least 72 MB of keys, counts and hash slots) under a 50 MB limit
    completes, with the
    exact answer."""
    monkeypatch.setenv("CX_DUCKDB_MEMORY_LIMIT", "50MB")
    wh = db.Warehouse(f"duckdb:///{fixture_db}")
    n = 3_000_000
    got = wh.sql(f"select count(*) as n, sum(g) as s from (select range % {n} as g, count(*) "
                 f"as k from range({2 * n}) group by g)")
    assert (int(got["n"].iloc[0]), int(got["s"].iloc[0])) == (n, n * (n - 1) // 2)
    customers = wh.sql("select count(*) as n from marts.dim_customers")["n"].iloc[0]
    assert customers == fixture_raw["customers"]["customer_id"].nunique()
    wh.close()
