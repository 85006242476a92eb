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
    """The app's DuckDB evicts and spills past CX_DUCKDB_MEMORY_LIMIT (default 160MB), so its
    resident memory stays bounded at 1M customers; a malformed limit is refused by name."""
    import pytest

    from dashboard.warehouse import config

    def limit(wh) -> str:
        return wh.sql("select current_setting('memory_limit') as m")["m"].iloc[0]

    wh = db.Warehouse(f"duckdb:///{fixture_db}")
    assert limit(wh) == "152.5 MiB"  # 160 MB in DuckDB's binary units
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


class _RowsWarehouse:
    """A warehouse whose query ``q`` returns ``rows`` integers (8 bytes each) and counts runs."""

    url, stamp = "duckdb:///bounded-cache", 1

    def __init__(self) -> None:
        self.calls = 0

    def run(self, name, **params):
        self.calls += 1
        return pd.DataFrame({"n": range(params["rows"])}, dtype="int64").assign(k=params["k"])


def test_the_cache_holds_at_most_its_memory_budget_least_recently_used_out(monkeypatch):
    """Results are kept within CACHE_MAX_MB: a fourth 0.8 MB result evicts the least recently
    used, a result over the whole budget is returned but not kept, text cells count."""
    from dashboard.warehouse import config

    monkeypatch.setattr(config, "CACHE_MAX_MB", 2)
    db.clear_cache()
    wh = _RowsWarehouse()
    # 50,000 rows x two int64 columns = 800,000 bytes, plus a RangeIndex of 132 bytes
    one = 50_000 * 8 * 2 + pd.RangeIndex(50_000).memory_usage()
    for k in (1, 2):
        db.cached_run(wh, "q", rows=50_000, k=k)
    assert db.cache_bytes() == 2 * one and wh.calls == 2
    db.cached_run(wh, "q", rows=50_000, k=1)  # a hit: k=1 is now the most recently used
    assert wh.calls == 2
    db.cached_run(wh, "q", rows=50_000, k=3)  # 3 x 800 KB > 2 MB: k=2 goes
    assert db.cache_bytes() == 2 * one and wh.calls == 3
    db.cached_run(wh, "q", rows=50_000, k=1)
    db.cached_run(wh, "q", rows=50_000, k=3)
    assert wh.calls == 3  # both still held
    db.cached_run(wh, "q", rows=50_000, k=2)
    assert wh.calls == 4  # k=2 was evicted and ran again
    big = db.cached_run(wh, "q", rows=300_000, k=9)  # 4.8 MB: over the budget
    assert len(big) == 300_000 and db.cache_bytes() <= 2_000_000
    db.cached_run(wh, "q", rows=300_000, k=9)
    assert wh.calls == 6  # not kept: asked again, run again
    # text cells are counted by what they take, not by 8 bytes a pointer; one object shared
    # by many cells is counted once
    text = pd.DataFrame({"s": [f"{i:04d}" + "x" * 996 for i in range(1000)]})
    assert db._nbytes(text) > 1000 * 1000
    shared = pd.DataFrame({"s": ["x" * 1000] * 1000})
    assert 1000 + 8 * 1000 < db._nbytes(shared) < 1100 + 8 * 1000 + 200
    db.clear_cache()
    assert db.cache_bytes() == 0


def test_stale_results_leave_the_cache(monkeypatch):
    from dashboard.warehouse import config

    db.clear_cache()
    wh = _RowsWarehouse()
    db.cached_run(wh, "q", rows=10, k=1)
    monkeypatch.setattr(config, "CACHE_TTL_SECONDS", 0)
    db.cached_run(wh, "q", rows=10, k=2)  # the expired k=1 is dropped on this insert
    assert wh.calls == 2 and len(db._cache) == 0 and db.cache_bytes() == 0
