"""The concurrency check: 50 sessions computing whole pages with random filters at once, and 5 real
Chromium sessions walking the chart pages of the served app in the same window — zero errors —
and the same while loads rebuild and swap the warehouse underneath: zero errors, no session ever
sees a half-built warehouse (raw rows the marts do not count), and the browser sessions that
were open across the swaps show the new data."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pytest

from dashboard.bench import concurrency
from dashboard.intake import ingest
from dashboard.warehouse import db
from tests import browser_util as bu

pytestmark = pytest.mark.browser

BROWSERS = 5
#: Page runs (navigations and filter changes, each until drawn) every browser session makes at
#: least while the threads run (the run goes on, bounded, until they have: a loaded 2-core
#: machine takes 5–20 s a run).
MIN_BROWSER_RUNS = 2


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    """A copy of the demo warehouse and the app served over it: (warehouse file, URL, log)."""
    base = tmp_path_factory.mktemp("concurrency")
    path = base / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    log = base / "server.log"
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{path}",
           "CX_APP_STORE_URL": f"sqlite:///{base / 'app_store.sqlite'}",
           "CX_ARCHIVE_DIR": str(base / "archive")}
    with bu.served_app(env, log) as url:
        yield path, url, log


def _report(out: concurrency.Outcome, capsys) -> None:
    """The figures, shown in the test output even when it is captured."""
    with capsys.disabled():
        print(f"\n{out.line()}")
        print(f"browser first loads (before the window): "
              f"{', '.join(f'{ms:,.0f}' for ms in out.browser_first_ms)} ms; "
              f"page runs per session {out.browser_loads}; Weekly KPIs checks "
              f"{out.browser_kpi_checks}; Data page total raw rows {out.browser_rows_seen} "
              f"(file: {out.final_rows:,})")


def _check_browsers(out: concurrency.Outcome, log: Path) -> None:
    assert out.browser_errors == [], "\n".join(out.browser_errors[:5])
    assert out.browsers == BROWSERS and len(out.browser_loads) == BROWSERS
    assert min(out.browser_loads.values()) >= MIN_BROWSER_RUNS, out.browser_loads
    assert out.browser_latencies_ms and not math.isnan(out.browser_p95)
    # what the pages showed was real: the tiles with a base, and every session's last look at
    # the Data page shows the warehouse file as it is after the run
    assert out.browser_kpi_checks >= BROWSERS
    assert out.browser_rows_seen == [out.final_rows] * BROWSERS
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]


def test_fifty_sessions_and_five_browsers_at_once_see_no_errors(served, capsys):
    path, url, log = served
    out = concurrency.run(path, sessions=50, seconds=12, browser_url=url, browsers=BROWSERS,
                          browser_runs=MIN_BROWSER_RUNS)
    _report(out, capsys)
    assert out.errors == [], out.errors[:3]
    assert len(out.latencies_ms) >= 50 and out.inconsistent == []
    assert sum(1 for n in out.pages.values() if n) >= 6  # most pages were computed
    assert out.versions == {int(db.Warehouse(f"duckdb:///{path}").run(
        concurrency.PROBE)["raw_contacts"].iloc[0])}
    _check_browsers(out, log)


def test_fifty_sessions_and_five_browsers_while_loads_swap_the_warehouse(served, tmp_path,
                                                                         capsys):
    path, url, log = served
    wh = db.Warehouse(f"duckdb:///{path}")
    customer = wh.sql("select min(customer_id) as c from raw.customers "
                      "where signup_date < date '2025-01-01' and churn_date is null")["c"].iloc[0]
    before = int(wh.run(concurrency.PROBE)["raw_contacts"].iloc[0])
    rows_before = int(wh.run("data_table_status")["row_count"].sum())
    wh.close()
    ids = itertools.count(900_000_000)

    def load_one() -> None:
        i = next(ids)
        f = tmp_path / f"contacts_{i}.csv"
        f.write_text("contact_id,customer_id,occurred_at,channel,reason,handle_seconds,"
                     f"is_resolved,agent_id\n{i},{customer},2026-03-04 10:00:00,phone,billing,"
                     "60,true,\n")
        rep = ingest.ingest([f], path, archive_dir=tmp_path / "archive")
        assert rep.published and rep.files[0].rows_new == 1, rep.lines()

    out = concurrency.run(path, sessions=50, seconds=30, swap=load_one, swap_every=1,
                          browser_url=url, browsers=BROWSERS, browser_runs=MIN_BROWSER_RUNS)
    _report(out, capsys)
    assert out.errors == [], out.errors[:3]
    assert out.swaps >= 1
    assert out.inconsistent == []  # raw and marts always agree: never a half-built file
    # sessions saw the first and later versions, each one complete
    assert before in out.versions and len(out.versions) >= 2
    assert out.versions <= set(range(before, before + out.swaps + 1))
    # the browser sessions, open since before the first swap, show the last load's rows
    assert out.final_rows == rows_before + out.swaps
    _check_browsers(out, log)
