"""The app's memory at scale: customer-level queries take turns (at most
``config.CUSTOMER_QUERIES`` at once in the process, the others wait and then run), every query
that joins customers one by one says so in its header, and the allocator hands freed heap
memory back to the system."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from datetime import date

import pandas as pd
import pytest

from dashboard.warehouse import catalog, config, db


def test_every_query_joining_customers_declares_its_weight():
    joining = {q.name for q in catalog.catalog().values()
               if q.layer == "dashboard" and re.search(r"\bcustomer_key\b", q.sql)}
    declared = {q.name for q in catalog.catalog().values() if q.customer_level}
    assert joining, "no dashboard query joins customers: the check would prove nothing"
    assert joining <= declared, f"customer-level queries without '-- weight': {joining - declared}"
    assert declared <= {q.name for q in catalog.catalog().values() if q.layer == "dashboard"}


def test_an_unknown_weight_is_refused(tmp_path):
    path = tmp_path / "heavy.sql"
    path.write_text("-- name: heavy\n-- purpose: p\n-- grain: g\n-- params: none\n"
                    "-- weight: enormous\nselect 1\n", encoding="utf-8")
    with pytest.raises(catalog.QueryError, match="unknown weight 'enormous'"):
        catalog.parse_query(path)
    path.write_text(path.read_text(encoding="utf-8").replace("enormous", "customer-level"),
                    encoding="utf-8")
    assert catalog.parse_query(path).customer_level


@pytest.mark.parametrize("turns", [1, 2])
def test_customer_level_queries_take_turns_and_others_do_not_wait(demo_db, monkeypatch, turns):
    """Six sessions ask for customer-level queries at once: never more than ``turns`` run in
    DuckDB together, all six finish with the rows a lone run gives; a light query asked
    meanwhile runs at once."""
    monkeypatch.setattr(config, "CUSTOMER_QUERIES", turns)
    monkeypatch.setattr(db, "_turns", None)
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    heavy = catalog.get_query("churn_survival")
    assert heavy.customer_level and not catalog.get_query("weeks_available").customer_level
    params = {"window_start": date(2025, 6, 2), "window_end": date(2025, 9, 1)}
    alone = wh.run("churn_survival", **params)
    assert len(alone) > 0
    inside, most, light_ms = [0], [0], []
    lock = threading.Lock()
    real_sql = db.Warehouse.sql

    def counted(self, text, params=None):
        if text == heavy.sql:
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            try:
                time.sleep(0.2)  # long enough for every session to be asking at once
                return real_sql(self, text, params)
            finally:
                with lock:
                    inside[0] -= 1
        return real_sql(self, text, params)

    monkeypatch.setattr(db.Warehouse, "sql", counted)
    results: list = [None] * 6

    def session(i: int) -> None:
        results[i] = wh.run("churn_survival", **params)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    time.sleep(0.05)
    t = time.perf_counter()
    wh.run("weeks_available")  # light: does not queue behind the customer-level ones
    light_ms.append((time.perf_counter() - t) * 1000)
    for th in threads:
        th.join()
    wh.close()
    assert most[0] == turns
    assert all(r is not None and r.equals(alone) for r in results)
    assert light_ms[0] < 150, f"a light query waited {light_ms[0]:.0f} ms behind the turns"


_FRAGMENT = """
import sys
from dashboard.ui import memory
def rss():
    with open('/proc/self/status') as f:
        return int(f.read().split('VmRSS:')[1].split()[0]) / 1024
assert memory.limit_arenas(2)
keep, drop = [], []
for i in range(3000):  # 60 KB blocks: below glibc's mmap threshold, so on the heap
    block = bytearray(60_000)
    block[::4096] = b'x' * len(block[::4096])  # touched: resident
    (keep if i % 2 else drop).append(block)
drop.clear()  # every other block freed: holes the heap's top trim cannot return
before = rss()
assert memory.release()
print(before - rss())
"""


def test_release_hands_freed_heap_back():
    out = subprocess.run([sys.executable, "-c", _FRAGMENT], capture_output=True, text=True,
                         check=True, cwd=config.ROOT)
    # 1,500 freed blocks of 60 KB = 90 MB of holes; most of it goes back to the system
    assert float(out.stdout) > 60, out.stdout


def test_repeated_text_and_dates_share_one_object_and_keep_their_values():
    rows = [(f"seg-{i % 3}", date(2026, 1, 5 + 7 * (i % 2)), None if i % 5 == 0 else f"c{i % 2}",
             i, [i]) for i in range(1000)]
    made = pd.DataFrame.from_records(rows, columns=["segment", "week", "category", "n", "tags"])
    before = made.copy(deep=True)
    before_bytes = db._nbytes(made)
    shared = db.share_repeats(made)
    pd.testing.assert_frame_equal(shared, before)  # same values, same dtypes
    for col, distinct in (("segment", 3), ("week", 2), ("category", 2)):
        values = shared[col].to_numpy()
        assert len({id(v) for v in values if v is not None}) == distinct
    assert shared["category"].iloc[0] is None and shared["category"].iloc[5] is None
    assert shared["tags"].iloc[3] == [3]  # other objects untouched
    # the cache counts a shared object once: far less than one object per cell
    assert db._nbytes(shared) < before_bytes / 2


def test_every_query_result_comes_back_shared(demo_wh):
    risk = demo_wh.run("churn_at_risk", as_of=date(2025, 6, 2), row_limit=100)
    assert len(risk) > 10
    assert len({id(v) for v in risk["segment"]}) == risk["segment"].nunique()
