"""Many sessions at once: threads that compute whole pages (every query and computation a page
runs, the result cache bypassed) with random filters against one read-only warehouse, for a
bounded time, optionally while the warehouse file is rebuilt and swapped underneath.

The concurrency check. Used by ``make bench`` (figures printed) and by
``tests/test_concurrency.py`` (zero errors, no session sees a half-built warehouse). A
"half-built" warehouse would show raw rows that its marts do not count: every probe compares
``raw.contacts`` with the sum of ``marts.fct_contacts_weekly`` in one query, so on one file.

Given the URL of the app served over the same warehouse file, real Chromium sessions
(``dashboard.bench.browser``) walk the chart pages and change filters in the same window,
and after it (and after the last swap) each reads the Data page's total raw rows.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.bench import browser as browser_sessions
from dashboard.exports import exhibits
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import db

#: One query that must agree with itself on any complete warehouse: raw contacts vs the mart.
PROBE = "concurrency_probe"


@dataclass
class Outcome:
    """What the sessions saw."""

    sessions: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    probes: int = 0
    inconsistent: list[tuple] = field(default_factory=list)
    versions: set = field(default_factory=set)  # distinct raw contact counts seen
    swaps: int = 0
    final_rows: int | None = None  # total raw rows of the warehouse after a run with browsers
    # real browser sessions (browser_url given): page runs timed, errors, what they showed
    browsers: int = 0
    browser_latencies_ms: list[float] = field(default_factory=list)
    browser_loads: dict[int, int] = field(default_factory=dict)  # page runs per session
    browser_errors: list[str] = field(default_factory=list)
    browser_kpi_checks: int = 0  # Weekly KPIs showed every tile label and an n figure
    browser_rows_seen: list[int] = field(default_factory=list)  # Data page, after the run
    browser_first_ms: list[float] = field(default_factory=list)  # first loads, before it

    @property
    def p50(self) -> float:
        return browser_sessions.percentile(self.latencies_ms, 0.50)

    @property
    def p95(self) -> float:
        return browser_sessions.percentile(self.latencies_ms, 0.95)

    @property
    def browser_p50(self) -> float:
        return browser_sessions.percentile(self.browser_latencies_ms, 0.50)

    @property
    def browser_p95(self) -> float:
        return browser_sessions.percentile(self.browser_latencies_ms, 0.95)

    def line(self) -> str:
        text = (f"{self.sessions} sessions for {self.seconds:.0f} s: "
                f"{len(self.latencies_ms):,} page computations, p50 {self.p50:,.0f} ms, "
                f"p95 {self.p95:,.0f} ms, {len(self.errors)} errors, {self.probes:,} "
                f"consistency probes ({len(self.inconsistent)} inconsistent), "
                f"{self.swaps} swaps, {len(self.versions)} warehouse versions seen")
        return text + ("; " + self.browser_line() if self.browsers else "")

    def browser_line(self) -> str:
        loads = self.browser_loads.values()
        return (f"{self.browsers} Chromium sessions: {len(self.browser_latencies_ms):,} page "
                f"runs ({min(loads, default=0)}–{max(loads, default=0)} per session; "
                f"navigation or filter change until drawn), p50 {self.browser_p50:,.0f} ms, "
                f"p95 {self.browser_p95:,.0f} ms, {len(self.browser_errors)} errors")


def _filters(cat: kpis.Catalog, rng: random.Random) -> Filters:
    def some(dim: str) -> tuple[str, ...]:
        opts = list(cat.options[dim])
        return tuple(rng.sample(opts, rng.choice([0, 0, 1, 2]) if opts else 0))

    weeks = list(cat.weeks[-26:])
    return Filters(week=rng.choice(weeks), segments=some("segment"), regions=some("region"),
                   plans=some("plan"), compare=rng.choice(["previous", "4w", "52w"]))


def run(path: Path, sessions: int = 50, seconds: float = 20.0,
        swap: Callable[[], None] | None = None, swap_every: float = 3.0,
        pages: tuple[str, ...] | None = None, seed: int = 7,
        browser_url: str | None = None, browsers: int = 5, browser_runs: int = 2) -> Outcome:
    """``sessions`` threads compute random pages with random filters against the warehouse at
    ``path`` for ``seconds``; when ``swap`` is given a thread calls it at once and then every
    ``swap_every`` seconds until the time is up (it must rebuild the warehouse and swap it in),
    and the sessions go on until one has probed the warehouse after the last swap (at most two
    minutes more). Every exception is an error.

    With ``browser_url`` (the app served over the warehouse at ``path``), ``browsers`` Chromium
    sessions load the app first, then walk the chart pages in the same window (started with the
    threads, and all go on, bounded as above, until every browser session has made
    ``browser_runs`` page runs: a slow machine still gets each browser measured under load)
    and, once the threads and the last swap are over, read the Data page's total raw rows
    (``browser_rows_seen``; ``final_rows`` is the file's own total)."""
    wh = db.Warehouse(f"duckdb:///{path}")
    direct = lambda name, **p: wh.run(name, **p)  # noqa: E731 - real queries, no cache
    cat = kpis.load_catalog(direct)
    store = db.AppStore("sqlite:///:memory:")
    aset = assumptions.load_set(store, direct("assumption_rows"), assumptions.PUBLISHED)
    titles = pages or tuple(t for t in exhibits.PAGES)
    out = Outcome(sessions, seconds, pages={t: 0 for t in titles})
    lock = threading.Lock()
    marks = {"swapped": 0.0, "probed": 0.0}  # when the last swap ended / the last probe ran
    window = {"stop": float("inf")}  # set when every party is ready (browsers load first)
    start = threading.Barrier(sessions + (1 if swap else 0) + (1 if browser_url else 0),
                              action=lambda: window.update(stop=time.monotonic() + seconds))

    seen = browser_sessions.BrowserOutcome(browsers)  # the browsers' steps, as they end
    browsed = threading.Event()  # the browser run is over (or broke off)

    def done() -> bool:
        now, stop = time.monotonic(), window["stop"]
        if now < stop:
            return False
        if now > stop + 120:  # a bounded run either way
            return True
        if (browser_url and not browsed.is_set()
                and min(seen.loads.values(), default=0) < browser_runs):
            return False
        if swap is None:
            return True
        # with swaps, run on until a probe has seen the warehouse after the last swap
        with lock:
            return out.swaps > 0 and marks["probed"] > marks["swapped"]

    def session(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        start.wait()
        while not done():
            title = rng.choice(titles)
            t = time.perf_counter()
            try:
                filters = _filters(cat, rng)
                exhibits.PAGES[title](direct, filters, aset)
                probed_at = time.monotonic()  # the probe starts after any swap ended before it
                probe = wh.run(PROBE)
            except Exception:  # noqa: BLE001 - every failure is counted, none may happen
                with lock:
                    out.errors.append(f"{title}: {traceback.format_exc(limit=3)}")
                continue
            ms = (time.perf_counter() - t) * 1000
            raw_n, mart_n = (int(probe[c].iloc[0]) for c in ("raw_contacts", "mart_contacts"))
            with lock:
                marks["probed"] = max(marks["probed"], probed_at)
                out.latencies_ms.append(ms)
                out.pages[title] += 1
                out.probes += 1
                out.versions.add(raw_n)
                if raw_n != mart_n:
                    out.inconsistent.append((raw_n, mart_n))

    def swapper() -> None:
        start.wait()
        while time.monotonic() < window["stop"]:  # the first swap at once, then every swap_every
            try:
                swap()
            except Exception:  # noqa: BLE001
                with lock:
                    out.errors.append(f"swap: {traceback.format_exc(limit=3)}")
                return
            with lock:
                out.swaps += 1
                marks["swapped"] = time.monotonic()
            time.sleep(swap_every)

    over = threading.Event()  # the threads and the swapper are done: the browsers' last look

    def browse() -> None:
        try:
            browser_sessions.run(browser_url, browsers, done=done, ready=start.wait,
                                 final=over.wait, seed=seed, out=seen)
        finally:
            browsed.set()

    threads = [threading.Thread(target=session, args=(i,), name=f"session-{i}")
               for i in range(sessions)]
    if swap:
        threads.append(threading.Thread(target=swapper, name="swapper"))
    looker = threading.Thread(target=browse, name="browsers") if browser_url else None
    for th in threads + ([looker] if looker else []):
        th.start()
    for th in threads:
        th.join()
    if looker:
        out.final_rows = int(wh.run("data_table_status")["row_count"].sum())
        over.set()
        looker.join()
        out.browsers = seen.sessions
        out.browser_latencies_ms = seen.latencies_ms
        out.browser_loads = seen.loads
        out.browser_errors = seen.errors
        out.browser_kpi_checks = seen.kpi_checks
        out.browser_rows_seen = seen.rows_seen
        out.browser_first_ms = [s.ms for s in seen.steps if s.action == "first"]
    wh.close()
    return out


def browsers_on_served_app(path: Path, folder: Path, sessions: int = 5,
                           seconds: float = 60.0) -> str:
    """The scale check: the app served over the warehouse at ``path``, ``sessions`` Chromium
    sessions open every chart page and change a filter on it, all at once, for ``seconds``;
    the app's resident memory is sampled every 0.2 s. One line: page runs, errors, the app's
    peak resident memory (goal: zero errors within 600 MB at 1M customers)."""
    peak = {"mb": 0.0}
    over = threading.Event()
    with browser_sessions.serve({"CX_WAREHOUSE_URL": f"duckdb:///{path}"},
                                folder / "streamlit-scale.log") as url:
        pid = browser_sessions.SERVED[url]

        def sample() -> None:
            while not over.is_set():
                peak["mb"] = max(peak["mb"], browser_sessions.resident_mb(pid))
                over.wait(0.2)

        sampler = threading.Thread(target=sample, name="memory")
        sampler.start()
        try:
            seen = browser_sessions.run(url, sessions, seconds)
        finally:
            over.set()
            sampler.join()
    first = [s.ms for s in seen.steps if s.action == "first"]
    return (f"{seen.sessions} Chromium sessions for {seconds:.0f} s on every chart page: "
            f"{len(seen.latencies_ms):,} page runs (p50 {seen.p50:,.0f} ms, p95 "
            f"{seen.p95:,.0f} ms; first load p50 "
            f"{browser_sessions.percentile(first, 0.5):,.0f} ms), {len(seen.errors)} errors, "
            f"app resident memory peak {peak['mb']:,.0f} MB (goal: 0 errors within 600 MB)"
            + (f"; first error: {seen.errors[0][:300]}" if seen.errors else ""))
