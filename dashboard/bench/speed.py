"""Speed where users feel it: every page of the app in a real browser (Chromium, Playwright),
timed from the user's action to the last change on screen.

Two figures per page, at one scale (one warehouse):

- **first visit** — a server started as ``make run`` starts it (``python -m dashboard serve``),
  warmed as it warms itself (the latest week's results computed in the background at start;
  the bench waits for its "warmed" line), then a fresh browser session opens the page by its
  own URL: from the navigation's start to the last change on screen;
- **filter change** — in that session, a sidebar filter is changed again and again (another
  week, a segment, region or plan added, the last one removed: values vary, so each change asks
  for new results): from the click or key press that commits the change to the last change on
  screen.
- **returning visit** — the same page opened by its URL again in a new tab of that browser: a
  new session, the app's script and style files in the browser's cache (a person who opened
  the dashboard before, as an executive does every week).

A multiselect's dropdown stays open while the page answers (as a person leaves it): closing it
is another action, and its closing animation is not the page's work; it is closed after the
step.

"The last change on screen" is read in the page itself: a ``MutationObserver`` on the whole
document notes the time of every change (nodes, attributes, text) and of each script run's end;
a step is over when a script run started after the action has ended, every chart with a
download row is drawn (plotly draws after the run) and nothing has changed for ``QUIET_MS``.
The step's time is then the last change's time minus the action's (both the page's own clock,
``performance.now()``), so the polling's own delay is not counted.

Printed by ``make bench`` next to the AppTest and query timings, never asserted in a timed
test. Needs Debian's Chromium (``CX_CHROMIUM``, default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.bench import browser as bb
from dashboard.ui import frame

#: Nothing changed on screen for this long: the step is over.
QUIET_MS = 600
#: Longest one step may take before it counts as failed.
STEP_TIMEOUT_MS = 120_000
#: Longest the server may take to warm itself before the bench goes on without it.
WARM_TIMEOUT_S = 600.0
#: The line the serving process prints when its warm-up is over (``dashboard.ui.warm``).
WEEK = re.compile(r"\d{4}-W\d{2}")
WARMED = re.compile(r"warmed .* in ([\d.]+) s")
#: A script run's duration as the served app prints it (``frame.RUN_LINE``).
RUN_LINE = re.compile(re.escape(frame.RUN_LINE).replace(re.escape("{ms:.0f}"), r"(\d+)"))

#: Installed in every page before its own scripts run: the time of every change on screen, of
#: the committing action (the first pointer or key press after ``__cx.arm()``) and script runs.
_OBSERVER_JS = """
window.__cx = {start: null, armed: false, last: 0, runs: 0, ended: 0, msgs: 0, lastMsg: 0,
               arm() { this.armed = true; this.start = null; this.runs = 0; this.ended = 0;
                       this.msgs = 0; }};
for (const type of ['pointerdown', 'keydown']) {
    window.addEventListener(type, e => {
        if (window.__cx.armed) { window.__cx.armed = false; window.__cx.start = e.timeStamp; }
    }, true);
}
new MutationObserver(records => {
    const now = performance.now();
    for (const r of records) {
        if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
            const s = r.target.getAttribute('data-test-script-state');
            if (s === 'running') window.__cx.runs += 1;
            if (s === 'notRunning') window.__cx.ended = now;
        }
    }
    window.__cx.last = now;
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
// the server's messages: a fast run's 'running' state may never reach the page (the browser
// renders its start and end together), its messages always do
const PageSocket = window.WebSocket;
window.WebSocket = class extends PageSocket {
    constructor(...args) {
        super(...args);
        this.addEventListener('message', () => {
            window.__cx.msgs += 1;
            window.__cx.lastMsg = performance.now();
        });
    }
};
"""

#: The step is over: a run started after the action (its state seen, or the server's messages
#: received), it ended, charts drawn, quiet since (no change on screen, no message).
_OVER_JS = """([quiet, idleJs]) => {
    const cx = window.__cx;
    if (!cx || (cx.runs < 1 && cx.msgs < 1)) return false;
    if (!(new Function('return (' + idleJs + ')()'))()) return false;
    if (cx.ended === 0) {
        if (cx.runs >= 1) return false;
        cx.ended = cx.lastMsg;  // the run's end, its 'running' state never drawn
    }
    return performance.now() - Math.max(cx.last, cx.lastMsg) >= quiet;
}"""


@dataclass
class PageSpeed:
    """One page's figures at one scale (milliseconds)."""

    title: str
    url_path: str
    first_ms: list[float] = field(default_factory=list)
    return_ms: list[float] = field(default_factory=list)
    change_ms: list[float] = field(default_factory=list)
    #: of each step (first visit, then the changes): until the last script run was over, the
    #: rest of the step being the browser drawing what the run sent
    run_ms: list[float] = field(default_factory=list)
    #: of each filter change: the script runs' own time on the server (``frame.RUN_LINE``),
    #: the rest being the messages' way and the browser's work
    server_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        def pq(xs: list[float]) -> str:
            if not xs:
                return "—"
            return (f"p50 {bb.percentile(xs, 0.5):6,.0f} / p95 {bb.percentile(xs, 0.95):6,.0f} "
                    f"ms")
        first = (f"{self.first_ms[0]:6,.0f} ms" if len(self.first_ms) == 1
                 else pq(self.first_ms))
        again = f" (returning {self.return_ms[0]:,.0f} ms)" if self.return_ms else ""
        err = f"   {len(self.errors)} errors: {self.errors[0][:200]}" if self.errors else ""
        runs = ""
        if len(self.run_ms) > 1:
            runs = (f";  script run over after {self.run_ms[0]:,.0f} ms (first visit), p50 "
                    f"{bb.percentile(self.run_ms[1:], 0.5):,.0f} ms (changes)")
        if self.server_ms:
            runs += f", on the server p50 {bb.percentile(self.server_ms, 0.5):,.0f} ms"
        return (f"    browser {self.title:<20} first visit {first}{again};  filter change "
                f"{pq(self.change_ms)} ({len(self.change_ms)} tries){runs}{err}")


def app_pages() -> list[tuple[str, str]]:
    """(title, url_path) of every page the app's navigation shows, in its order
    (``dashboard.ui.navigation.PAGES``)."""
    from dashboard.ui import navigation

    return [(p.title, p.url_path) for p in navigation.PAGES]


def wait_warm(log_path: Path, timeout: float = WARM_TIMEOUT_S) -> float | None:
    """Seconds the served app took to warm itself (its "warmed … in X s" line), once printed;
    None when no such line came within ``timeout`` (a server that does not warm)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        found = WARMED.search(text)
        if found:
            return float(found.group(1))
        if "warm-up skipped" in text or "warm-up failed" in text:
            return None
        time.sleep(0.2)
    return None


class _Visit:
    """One fresh browser session on one page: its first visit, then filter changes."""

    def __init__(self, browser, url: str, page: PageSpeed, seed: int,
                 log: Path | None = None) -> None:
        self.browser, self.url, self.spec, self.log = browser, url, page, log
        self.rng = random.Random(seed)
        self.chosen: dict[str, list[str]] = {d: [] for d in bb.DIMENSIONS}
        self.week = ""
        self.latest = ""
        self.pg = None

    async def _over(self) -> float:
        """Wait for the step's end; the page-clock time of its last change on screen."""
        await self.pg.wait_for_function(_OVER_JS, arg=[QUIET_MS, bb._IDLE_JS],
                                        timeout=STEP_TIMEOUT_MS, polling=100)
        return await self.pg.evaluate("() => window.__cx.last")

    async def first(self) -> float:
        """A fresh session opens the page by its URL: navigation start to last change (ms)."""
        ctx = await self.browser.new_context(viewport={"width": 1440, "height": 900})
        await ctx.add_init_script(_OBSERVER_JS)
        self.pg = await ctx.new_page()
        await self.pg.goto(f"{self.url}/{self.spec.url_path}", timeout=STEP_TIMEOUT_MS)
        last = await self._over()
        self.spec.run_ms.append(await self.pg.evaluate("() => window.__cx.ended"))
        await self._check()
        bar = '[data-testid="stSidebar"] [data-testid="stSelectbox"]'
        shown = await self.pg.locator(bar).first.evaluate(
            "el => el.innerText + ' ' + [...el.querySelectorAll('input')].map(i => i.value)"
            ".join(' ')")
        found = WEEK.search(shown)  # none on a page without the filter bar (Access & audit)
        self.latest = self.week = found.group(0) if found else ""
        return last

    async def _check(self) -> None:
        p = await self.pg.evaluate(bb._PROBLEMS_JS)
        found = [f"exception: {e}" for e in p["exceptions"]] + [f"error: {a}" for a in
                                                                  p["alerts"]]
        if p["not_found"]:
            found.append("Page not found")
        if found:
            raise AssertionError("; ".join(found)[:400])

    async def again(self) -> float:
        """The page opened by its URL in a new tab of the same browser (a new session, the
        app's files cached): navigation start to last change (ms)."""
        pg = await self.pg.context.new_page()
        try:
            await pg.goto(f"{self.url}/{self.spec.url_path}", timeout=STEP_TIMEOUT_MS)
            await pg.wait_for_function(_OVER_JS, arg=[QUIET_MS, bb._IDLE_JS],
                                       timeout=STEP_TIMEOUT_MS, polling=100)
            return await pg.evaluate("() => window.__cx.last")
        finally:
            await pg.close()

    async def change(self) -> float:
        """Change one sidebar filter; from the committing click or key press to the last
        change on screen (ms)."""
        pg = self.pg
        seen = self.log.stat().st_size if self.log is not None else 0
        dims = await pg.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count()
        self.week = await bb.pick_filter(
            pg, self.rng, self.chosen, self.week, self.latest, week_share=0.3, remove_share=0.4,
            dims=dims, before_commit=lambda: pg.evaluate("() => window.__cx.arm()"),
            close=False)
        last = await self._over()
        start = await pg.evaluate("() => window.__cx.start")
        await bb.close_dropdown(pg)
        await self._check()
        if start is None:
            raise AssertionError("the action was not seen by the page")
        self.spec.run_ms.append(await pg.evaluate("() => window.__cx.ended") - start)
        if self.log is not None:
            self.spec.server_ms.append(server_runs(self.log, seen))
        return last - start

    async def close(self) -> None:
        if self.pg is not None:
            await self.pg.context.close()


def server_runs(log: Path, offset: int) -> float:
    """The script runs' time (ms) the served app printed to ``log`` after ``offset`` bytes
    (``frame.RUN_LINE`` lines, summed: a step may start more than one run)."""
    with log.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode("utf-8", "replace")
    return float(sum(int(ms) for ms in RUN_LINE.findall(text)))


async def _page(browser, url: str, spec: PageSpeed, changes: int, seed: int,
                log: Path | None = None) -> None:
    visit = _Visit(browser, url, spec, seed, log)
    try:
        try:
            spec.first_ms.append(await visit.first())
        except Exception as exc:  # noqa: BLE001 - a failed step is reported, not raised
            spec.errors.append(f"first visit: {type(exc).__name__}: {str(exc)[:300]}")
            return
        try:
            spec.return_ms.append(await visit.again())
        except Exception as exc:  # noqa: BLE001
            spec.errors.append(f"returning visit: {type(exc).__name__}: {str(exc)[:300]}")
        for _ in range(changes if visit.week else 0):  # no filter bar: nothing to change
            try:
                spec.change_ms.append(await visit.change())
            except Exception as exc:  # noqa: BLE001
                spec.errors.append(f"filter change: {type(exc).__name__}: {str(exc)[:300]}")
                return
    finally:
        await visit.close()


async def _run_pages(url: str, specs: list[PageSpeed], changes: int, seed: int,
                     log: Path | None = None) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(bb.CHROMIUM), args=bb.ARGS)
        try:
            for i, spec in enumerate(specs):
                await _page(browser, url, spec, changes, seed + i, log)
        finally:
            await browser.close()


def measure(path: Path, folder: Path, changes: int = 6, pages: list[str] | None = None,
            fresh_server: bool = False, seed: int = 7, progress=None,
            warm_timeout: float = WARM_TIMEOUT_S) -> tuple[list[PageSpeed], list[float]]:
    """Every page (or those titled in ``pages``) of the app served over the warehouse at
    ``path``: one first visit and ``changes`` filter changes each. The server is started once,
    warmed, and each page opened by a new browser session (``fresh_server``: a new server,
    warmed, for each page). Returns the pages' figures and the servers' warm-up
    seconds. ``progress`` (optional) gets each page's line as it is measured."""
    specs = [PageSpeed(t, u) for t, u in app_pages() if pages is None or t in pages]
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{path}", frame.RUN_TIMES_ENV: "1"}
    warm: list[float] = []
    groups = [[s] for s in specs] if fresh_server else [specs]
    for i, group in enumerate(groups):
        log = folder / f"streamlit-speed-{i}.log"
        with bb.serve(env, log) as url:
            took = wait_warm(log, warm_timeout)
            if took is not None:
                warm.append(took)
            asyncio.run(_run_pages(url, group, changes, seed + 100 * i, log))
        for s in group:
            if progress is not None:
                progress(s.line())
    return specs, warm
