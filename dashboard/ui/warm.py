"""The server warms itself: when ``python -m dashboard serve`` starts, a background thread
computes what a new session opens first — every page's queries for the default selection (the
latest complete week, all customers, the previous week as comparison, the published
assumption set) and the chart pages' reports and figures (``dashboard.ui.results``) — into the
app's result cache, so the first visitor of any page finds them ready instead of waiting for
customer-level queries over the whole warehouse.

Results are kept for the cache's TTL (``CX_CACHE_TTL``), so the thread does it again each
``interval`` seconds (a little less than the TTL): the default selection stays warm, and a
rebuilt warehouse (a new latest week) is warmed on the next round. One line per round goes to
the server's output ("warmed … in X s"). ``CX_WARM=0`` turns it off. Sessions that ask for a
result the thread is computing wait for it rather than compute it again (the cache's single
flight), and a failure only costs the warm start: the page computes its own results then.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable

from dashboard.warehouse import config

#: ``CX_WARM=0`` turns the warm-up off (tests that time a cold server, a server with little
#: memory to spare).
ENV = "CX_WARM"


def enabled() -> bool:
    """Whether the server warms itself (``CX_WARM``, default on)."""
    return os.environ.get(ENV, "1").strip() not in ("0", "false", "no", "off")


def interval() -> float:
    """Seconds between warm-up rounds: four fifths of the result cache's TTL, at least 60."""
    return max(60.0, config.CACHE_TTL_SECONDS * 0.8)


def _say(text: str) -> None:
    """One line to the server's log, on the process's own stderr (``sys.__stderr__``): the
    thread may speak while a command run in the same process (a test, the CLI) has put its own
    stream in ``sys.stderr``, and that output stays the command's."""
    print(f"CX Ledger: {text}", file=sys.__stderr__ or sys.stderr, flush=True)


def steps() -> list[tuple[str, Callable[[], object]]]:
    """What one round computes, in the order a visitor most likely needs it: (page, work)."""
    from dashboard.analysis import satisfaction
    from dashboard.exports import exhibits
    from dashboard.metrics.filters import Filters
    from dashboard.money import assumptions
    from dashboard.ui import access, results
    from dashboard.ui import common as ui

    with access.server_work():  # run by the warm-up, outside any session
        cat = ui.catalog_value()
        if cat is None or not cat.weeks:
            return []
        coverage = ui.data_coverage()
    filters = Filters(week=cat.latest_complete)  # a new session's sidebar, untouched

    def published():
        return assumptions.load_set(ui.app_store(), ui.fetch("assumption_rows"),
                                    assumptions.PUBLISHED)

    def drawn(page):
        """A page's report with its charts built, as a first visit draws them."""
        report, ex = page
        for exhibit in ex.values():
            exhibit.fig  # noqa: B018 - built now, kept with the exhibit
        return report

    def kpis_page():
        report = drawn(results.kpis_page(filters, coverage))
        aset = published()
        results.kpis_moves(report, filters, aset)
        results.money_headline(filters, aset, coverage)

    view = satisfaction.default_view(cat.dims)
    out: list[tuple[str, Callable[[], object]]] = [
        ("frame", ui.as_of_text),
        ("Weekly KPIs", kpis_page),
        ("Satisfaction", lambda: drawn(results.satisfaction_page(filters, view))),
        ("Complaints", lambda: drawn(results.complaints_page(filters, coverage))),
        ("Cost to serve", lambda: drawn(results.cost_page(filters, None, None))),
        ("Churn & retention", lambda: drawn(results.churn_page(filters, coverage))),
        ("CX in money", lambda: drawn(results.money_page(filters, published(), coverage))),
    ]
    for page in ("Segment comparison", "Impact simulator"):  # their queries
        builder = exhibits.PAGES[page]
        out.append((page, lambda b=builder: b(ui.fetch, filters, published())))
    return out


def warm_once() -> tuple[int, list[str]]:
    """One round: every step run; returns the steps done and the failures (page: error).

    What the round keeps is then set aside from the garbage collector's full passes
    (``gc.freeze``): the kept reports and figures are many small objects that live until the
    next round, and a full pass would walk them all, holding every session's thread meanwhile.
    The next round first puts them back (``gc.unfreeze``), so whatever the cache has let go of
    since is collected."""
    from dashboard.ui import access
    from dashboard.warehouse import db

    gc.unfreeze()
    try:
        with access.server_work():  # the server's own work: every customer's results
            return _warm_steps(db)
    finally:
        gc.collect()
        gc.freeze()


def _warm_steps(db) -> tuple[int, list[str]]:
    done, failed = 0, []
    try:
        todo = steps()
    except db.WarehouseMissing:
        return 0, ["no warehouse yet"]
    for page, work in todo:
        try:
            work()
            done += 1
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only costs a warm start
            failed.append(f"{page}: {type(exc).__name__}: {exc}"[:300])
            if os.environ.get("CX_WARM_TRACE"):
                traceback.print_exc()
    return done, failed


def _loop(stop: threading.Event) -> None:
    first = True
    while not stop.is_set():
        t = time.perf_counter()
        done, failed = warm_once()
        took = time.perf_counter() - t
        if done:
            _say(f"{'warmed' if first else 'warmed again'} the latest week's results of "
                 f"{done} steps in {took:.1f} s"
                 + (f" ({len(failed)} could not be warmed: {failed[0]})" if failed else ""))
        else:
            _say(f"warm-up skipped ({failed[0] if failed else 'nothing to warm'})")
        first = False
        stop.wait(interval())


_thread: threading.Thread | None = None
_stop = threading.Event()


def start() -> threading.Thread | None:
    """Start the warm-up thread once per process (a daemon: it never holds the server up);
    None when ``CX_WARM`` turns it off."""
    global _thread
    if not enabled():
        return None
    if _thread is None or not _thread.is_alive():
        _stop.clear()
        _thread = threading.Thread(target=_loop, args=(_stop,), name="cx-warm", daemon=True)
        _thread.start()
    return _thread


def stop() -> None:
    """Stop the thread after its current step (tests)."""
    _stop.set()
