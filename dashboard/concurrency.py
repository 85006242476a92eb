"""Many sessions at once: threads that compute whole pages (every query and computation a page
runs, the result cache bypassed) with random filters against one read-only warehouse, for a
bounded time, optionally while the warehouse file is rebuilt and swapped underneath.

Issue 7's concurrency check. Used by ``make bench`` (figures printed) and by
``tests/test_concurrency.py`` (zero errors, no session sees a half-built warehouse). A
"half-built" warehouse would show raw rows that its marts do not count: every probe compares
``raw.contacts`` with the sum of ``marts.fct_contacts_weekly`` in one query, so on one file.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import assumptions, db, exhibits, kpis
from dashboard.filters import Filters

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

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        s = sorted(self.latencies_ms)
        return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] if s else float("nan")

    def line(self) -> str:
        return (f"{self.sessions} sessions for {self.seconds:.0f} s: "
                f"{len(self.latencies_ms):,} page computations, p50 {self.p50:,.0f} ms, "
                f"p95 {self.p95:,.0f} ms, {len(self.errors)} errors, {self.probes:,} "
                f"consistency probes ({len(self.inconsistent)} inconsistent), "
                f"{self.swaps} swaps, {len(self.versions)} warehouse versions seen")


def _filters(cat: kpis.Catalog, rng: random.Random) -> Filters:
    def some(dim: str) -> tuple[str, ...]:
        opts = list(cat.options[dim])
        return tuple(rng.sample(opts, rng.choice([0, 0, 1, 2]) if opts else 0))

    weeks = list(cat.weeks[-26:])
    return Filters(week=rng.choice(weeks), segments=some("segment"), regions=some("region"),
                   plans=some("plan"), compare=rng.choice(["previous", "4w", "52w"]))


def run(path: Path, sessions: int = 50, seconds: float = 20.0,
        swap: Callable[[], None] | None = None, swap_every: float = 3.0,
        pages: tuple[str, ...] | None = None, seed: int = 7) -> Outcome:
    """``sessions`` threads compute random pages with random filters against the warehouse at
    ``path`` for ``seconds``; when ``swap`` is given a thread calls it at once and then every
    ``swap_every`` seconds until the time is up (it must rebuild the warehouse and swap it in),
    and the sessions go on until one has probed the warehouse after the last swap (at most two
    minutes more). Every exception is an error."""
    wh = db.Warehouse(f"duckdb:///{path}")
    direct = lambda name, **p: wh.run(name, **p)  # noqa: E731 - real queries, no cache
    cat = kpis.load_catalog(direct)
    store = db.AppStore("sqlite:///:memory:")
    aset = assumptions.load_set(store, direct("assumption_rows"), assumptions.PUBLISHED)
    titles = pages or tuple(t for t in exhibits.PAGES)
    out = Outcome(sessions, seconds, pages={t: 0 for t in titles})
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    start = threading.Barrier(sessions + (1 if swap else 0))
    marks = {"swapped": 0.0, "probed": 0.0}  # when the last swap ended / the last probe ran

    def done() -> bool:
        now = time.monotonic()
        if now < stop:
            return False
        if swap is None or now > stop + 120:  # a bounded run either way
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
        while time.monotonic() < stop:  # the first swap at once, then every swap_every
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

    threads = [threading.Thread(target=session, args=(i,), name=f"session-{i}")
               for i in range(sessions)]
    if swap:
        threads.append(threading.Thread(target=swapper, name="swapper"))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wh.close()
    return out
