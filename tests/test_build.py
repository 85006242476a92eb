"""Atomic builds: a failed build keeps the previous warehouse; readers pick up a swapped-in one."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.warehouse import build, db


def test_failed_build_keeps_previous_warehouse(tmp_path, fixture_raw):
    path = tmp_path / "w.duckdb"
    build.build(fixture_raw, path)
    before = db.Warehouse(f"duckdb:///{path}").run("weeks_available")
    bad = {k: v.copy() for k, v in fixture_raw.items()}
    bad["complaints"].loc[0, "resolved_at"] = "2026-01-01 00:00:00"  # before it was opened
    with pytest.raises(build.ContractViolation, match="assert_timestamps_ordered: 1"):
        build.build(bad, path)
    after = db.Warehouse(f"duckdb:///{path}").run("weeks_available")
    assert after.equals(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]  # no half-built file left


def test_open_reader_sees_the_swapped_in_warehouse(tmp_path, fixture_raw):
    path = tmp_path / "w.duckdb"
    build.build(fixture_raw, path)
    reader = db.Warehouse(f"duckdb:///{path}")
    first = db.cached_run(reader, "kpi_ops_weekly", start_week="2026-01-01",
                          end_week="2026-12-31", segments=[], regions=[], plans=[])
    more = {k: v.copy() for k, v in fixture_raw.items()}
    extra = more["transactions"].iloc[[0]].assign(transaction_id="999", amount=1000.0)
    more["transactions"] = pd.concat([more["transactions"], extra], ignore_index=True)
    build.build(more, path)
    second = db.cached_run(reader, "kpi_ops_weekly", start_week="2026-01-01",
                           end_week="2026-12-31", segments=[], regions=[], plans=[])
    assert second.revenue_amount.sum() == pytest.approx(first.revenue_amount.sum() + 1000.0)


def test_concurrent_readers_get_identical_results(fixture_db):
    """Streamlit sessions are threads: one Warehouse serves many at once without errors."""
    from concurrent.futures import ThreadPoolExecutor

    wh = db.Warehouse(f"duckdb:///{fixture_db}")
    params = {"start_week": "2026-01-01", "end_week": "2026-12-31", "segments": [],
              "regions": [], "plans": []}
    expected = wh.run("kpi_ops_weekly", **params)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: wh.run("kpi_ops_weekly", **params), range(64)))
    for r in results:
        pd.testing.assert_frame_equal(r, expected)


def test_the_apps_duckdb_has_a_bounded_memory(fixture_db, monkeypatch):
    """The app's DuckDB evicts and spills past CX_DUCKDB_MEMORY_LIMIT (default 200MB), so its
    resident memory stays bounded at 1M customers; a malformed limit is refused by name."""
    import pytest

    from dashboard.warehouse import config

    def limit(wh) -> str:
        return wh.sql("select current_setting('memory_limit') as m")["m"].iloc[0]

    wh = db.Warehouse(f"duckdb:///{fixture_db}")
    assert limit(wh) == "190.7 MiB"  # 200 MB in DuckDB's binary units
    monkeypatch.setenv("CX_DUCKDB_MEMORY_LIMIT", "1GB")
    wh2 = db.Warehouse(f"duckdb:///{fixture_db}")
    assert limit(wh2) == "953.6 MiB"
    monkeypatch.setenv("CX_DUCKDB_MEMORY_LIMIT", "lots; drop table x")
    with pytest.raises(ValueError, match="CX_DUCKDB_MEMORY_LIMIT 'lots; drop table x'"):
        config.duckdb_memory_limit()
    wh.close()
    wh2.close()
