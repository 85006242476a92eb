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


class _SlowWarehouse:
    """A warehouse whose queries take a while and are counted (for the cache's single flight)."""

    url, stamp = "duckdb:///single-flight", 1

    def __init__(self, fail: bool = False) -> None:
        import threading

        self.calls, self.fail, self.started = 0, fail, threading.Event()

    def run(self, name, **params):
        import time

        self.calls += 1
        self.started.set()
        time.sleep(0.3)
        if self.fail:
            raise db.QueryError(f"{name} failed")
        return pd.DataFrame({"n": [params["k"]]})


def test_sessions_asking_for_the_same_query_at_once_share_one_run():
    from concurrent.futures import ThreadPoolExecutor

    db.clear_cache()
    wh = _SlowWarehouse()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: db.cached_run(wh, "q", k=7), range(8)))
    assert wh.calls == 1 and [r["n"].tolist() for r in results] == [[7]] * 8
    results[0].loc[0, "n"] = 99  # every session got its own copy
    assert db.cached_run(wh, "q", k=7)["n"].tolist() == [7] and wh.calls == 1
    db.cached_run(wh, "q", k=8)  # other parameters: a run of their own
    assert wh.calls == 2


def test_a_failed_query_fails_every_waiting_session_and_is_not_cached():
    from concurrent.futures import ThreadPoolExecutor

    db.clear_cache()
    wh = _SlowWarehouse(fail=True)

    def ask(_):
        try:
            db.cached_run(wh, "q", k=1)
        except db.QueryError as exc:
            return str(exc)
        return "no error"

    with ThreadPoolExecutor(max_workers=4) as pool:
        errors = list(pool.map(ask, range(4)))
    assert errors == ["q failed"] * 4 and wh.calls == 1
    wh.fail = False
    assert db.cached_run(wh, "q", k=1)["n"].tolist() == [1] and wh.calls == 2
