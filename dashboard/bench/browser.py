"""Real browser sessions against a served app: Chromium (Playwright's async API, one browser,
one context per session, so each is its own Streamlit session) walks the chart pages through the
sidebar navigation and changes the sidebar filters, again and again, for a bounded time.

The concurrency check drives these next to the threads of ``dashboard.bench.concurrency``
(see ``concurrency.run(browser_url=...)``); ``run(url)`` alone measures a served app. Each step is
timed from the click or key press until the page is drawn: the script run over, the connection
up, the page's title and filter line showing the new state, every chart drawn. A step is an
error when it times out or when the page then shows an exception, an error alert, "Page not
found", a lost connection or an unexpected console error. After the run every session opens the
Data page and reads the total raw rows it shows, so a test can check the sessions that were open
across a warehouse swap see the new data.

Needs Debian's Chromium (``CX_CHROMIUM``, default ``/usr/bin/chromium``); never downloads one.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from dashboard.metrics.registry import REGISTRY

CHROMIUM = Path(os.environ.get("CX_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: The chart pages walked (their titles in the sidebar navigation and as the page's h1).
PAGES = ("Weekly KPIs", "Satisfaction", "Complaints", "Cost to serve", "Churn & retention",
         "CX in money")
#: The sidebar's customer filters, in the order the filter bar draws them.
DIMENSIONS = ("segment", "region", "plan")
#: The multiselect dropdown's own first option (not a value).
SELECT_ALL = "Select all"
#: The latest weeks a session picks from (counted back from the default week).
WEEKS_BACK = 12
#: Longest a step may take before it counts as an error (a 2-core machine shared with other
#: load has taken 25 s for one page run next to the 50 threads of dashboard.bench.concurrency).
STEP_TIMEOUT_MS = 90_000
#: The one console error the offline test machine always shows: the icon font's fetch.
KNOWN_CONSOLE_ERROR = "net::ERR_NAME_NOT_RESOLVED"
#: The Data page's freshness note: "<total> rows in <k> of <n> raw tables; ...".
ROWS_NOTE = re.compile(r"([\d,]+) rows in \d+ of \d+ raw tables")
N_FIGURE = re.compile(r"\bn = [\d,]+")

_MAIN = '[data-testid="stMain"]'
_CAPTION = f'{_MAIN} [data-testid="stCaptionContainer"]'

#: The run is over (script not running, connection up) and every chart with a download row is
#: drawn (plotly loads lazily, after the run).
_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    const keys = [...document.querySelectorAll('[data-testid="stHorizontalBlock"]')]
        .flatMap(el => [...el.classList].filter(c => c.startsWith('st-key-dl_')))
        .map(c => c.slice('st-key-dl_'.length))
        .filter(k => document.querySelector('.st-key-dl_' + k + '_PNG'));
    return keys.every(k => {
        const el = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
        return el && el.data;
    });
}"""

_TITLE_JS = """(t) => {
    const h = document.querySelector('[data-testid="stMain"] h1');
    return !!h && h.innerText.trim() === t;
}"""

#: The page header's filter line: "<week> vs <week> (<comparison>) · <filters>", then
#: " · data as of <date> (<table.column>)" when the warehouse holds dated rows.
_CAPTION_JS = """([start, filters]) => {
    const c = document.querySelector('[data-testid="stMain"] [data-testid="stCaptionContainer"]');
    const t = c ? c.innerText.trim() : '';
    const asOf = t.lastIndexOf(' · data as of ');
    const scope = asOf < 0 ? t : t.slice(0, asOf);
    return t.startsWith(start) && scope.endsWith(' · ' + filters);
}"""

#: Every KPI tile's label is shown in the main area and a caption gives a base ("n = …").
_KPIS_JS = """([labels, nFigure]) => {
    const main = '[data-testid="stMain"] ';
    const text = sel => [...document.querySelectorAll(main + sel)].map(e => e.innerText.trim());
    const shown = text('[data-testid="stMetricLabel"]');
    const n = new RegExp(nFigure);
    return labels.every(l => shown.some(t => t.startsWith(l)))
        && text('[data-testid="stCaptionContainer"]').some(c => n.test(c));
}"""

_PROBLEMS_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const text = sel => [...document.querySelectorAll(sel)].map(e => e.innerText.slice(0, 400));
    const status = document.querySelector('[data-testid="stConnectionStatus"]');
    return {
        exceptions: text('[data-testid="stException"]'),
        alerts: text('[data-testid="stAlertContentError"]'),
        not_found: document.body.innerText.includes('Page not found'),
        connection: app ? app.getAttribute('data-test-connection-state') : 'no app',
        status: status ? status.innerText : null,
    };
}"""

#: Where a page stands, for an error message: title, filter line, script and connection state.
_STATE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const h = document.querySelector('[data-testid="stMain"] h1');
    const c = document.querySelector('[data-testid="stMain"] [data-testid="stCaptionContainer"]');
    return [h ? h.innerText.trim() : null, c ? c.innerText.trim() : null,
            app && app.getAttribute('data-test-script-state'),
            app && app.getAttribute('data-test-connection-state')].join(' | ');
}"""


@dataclass
class Step:
    """One timed browser step: ``open`` (navigate to a page), ``filter`` (change a sidebar
    filter on it); ``first`` (the first load, before the run) and ``final`` (the Data page,
    after it) are kept apart from the latencies."""

    session: int
    page: str
    action: str
    ms: float


@dataclass
class BrowserOutcome:
    """What the browser sessions saw."""

    sessions: int
    steps: list[Step] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kpi_checks: int = 0  # times the Weekly KPIs page showed every tile label and an n figure
    rows_seen: list[int] = field(default_factory=list)  # Data page's total raw rows, after

    @property
    def latencies_ms(self) -> list[float]:
        return [s.ms for s in self.steps if s.action in ("open", "filter")]

    @property
    def loads(self) -> dict[int, int]:
        """Page runs (opens and filter changes) per session."""
        out = {i: 0 for i in range(self.sessions)}
        for s in list(self.steps):
            if s.action in ("open", "filter"):
                out[s.session] += 1
        return out

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 0.95)

    def line(self) -> str:
        loads = self.loads.values()
        return (f"{self.sessions} browser sessions: {len(self.latencies_ms):,} page runs "
                f"({min(loads, default=0)}–{max(loads, default=0)} per session), "
                f"p50 {self.p50:,.0f} ms, p95 {self.p95:,.0f} ms, {len(self.errors)} errors")


async def pick_filter(pg, rng: random.Random, chosen: dict[str, list[str]], week: str,
                      latest: str, *, week_share: float, remove_share: float,
                      dims: int = len(DIMENSIONS), before_commit: Callable | None = None,
                      close: bool = True) -> str:
    """Change one sidebar filter the way a person does: another of the last weeks (typed into
    the week box, with probability ``week_share``), else in one of the first ``dims``
    multiselects remove the last chip (always with two chosen, else with ``remove_share``) or
    add an option its dropdown offers. ``chosen`` is updated; ``before_commit`` (awaited) runs
    just before the key press or click that commits the change. ``close``: the multiselect's
    dropdown is closed with Escape at once (else left open, as a person leaves it while the
    page answers; ``close_dropdown`` closes it later). Returns the week chosen."""
    bar = '[data-testid="stSidebar"]'
    commit = before_commit or _nothing
    if dims == 0 or rng.random() < week_share:
        weeks = [_week_back(latest, k) for k in range(WEEKS_BACK + 1)]
        week = rng.choice([w for w in weeks if w != week])
        await pg.locator(f'{bar} [data-testid="stSelectbox"]').first.click()
        await pg.keyboard.type(week)
        await commit()
        await pg.keyboard.press("Enter")
        return week
    d = rng.randrange(min(dims, len(DIMENSIONS)))
    dim = DIMENSIONS[d]
    box = pg.locator(f'{bar} [data-testid="stMultiSelect"]').nth(d)
    # brought to the middle of the sidebar first, as a person scrolls to it: at the foot of a
    # 900 px window its dropdown would have no room for a single option
    await box.evaluate("el => el.scrollIntoView({block: 'center'})")
    await box.click()
    if chosen[dim] and (len(chosen[dim]) >= 2 or rng.random() < remove_share):
        await commit()
        await pg.keyboard.press("Backspace")  # the last chip goes
        chosen[dim].pop()
    else:
        options = pg.locator('[role="listbox"] [role="option"]')
        await options.first.wait_for(timeout=STEP_TIMEOUT_MS)
        names = [t.strip() for t in await options.all_inner_texts()]
        name = rng.choice([n for n in names if n and n != SELECT_ALL and n not in chosen[dim]])
        await commit()
        await pg.get_by_role("option", name=name, exact=True).first.click()
        chosen[dim].append(name)
    if close:
        await close_dropdown(pg)
    return week


async def close_dropdown(pg) -> None:
    """An open multiselect dropdown closed (Escape) and gone from the page."""
    await pg.keyboard.press("Escape")
    await pg.locator('[data-testid="stMultiSelectDropdown"]').wait_for(
        state="detached", timeout=STEP_TIMEOUT_MS)


async def _nothing() -> None:
    return None


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank), NaN when there is nothing."""
    if not values:
        return float("nan")
    if q == 0.5:
        return statistics.median(values)
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def describe(chosen: dict[str, list[str]]) -> str:
    """The filter line's filter part for ``chosen`` (``Filters.describe``)."""
    parts = [f"{d}: {', '.join(chosen[d])}" for d in DIMENSIONS if chosen[d]]
    return "; ".join(parts) if parts else "all customers"


def _week_back(week: str, k: int) -> str:
    """The ISO week ``k`` weeks before ``week`` (``2026-W44``)."""
    y, w = week.split("-W")
    d = date.fromisocalendar(int(y), int(w), 1) - timedelta(weeks=k)
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


class _Session:
    """One browser context (one Streamlit session) and what it has chosen in the sidebar."""

    def __init__(self, i: int, browser, url: str, out: BrowserOutcome, seed: int) -> None:
        self.i, self.browser, self.url, self.out = i, browser, url, out
        self.rng = random.Random(seed * 1000 + i)
        self.console: list[str] = []
        self.seen_console = 0
        self.chosen: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
        self.week = ""  # the week the filter line should start with ("" before the first)
        self.latest = ""  # the default week of a fresh session
        self.page = None
        self.title = PAGES[0]

    async def start(self) -> bool:
        """Open a context and load the app; False (error recorded) when that failed."""
        ctx = await self.browser.new_context(viewport={"width": 1600, "height": 1100})
        self.page = await ctx.new_page()

        def console(msg) -> None:
            if msg.type == "error":
                url = (msg.location or {}).get("url")
                self.console.append(f"{msg.text} [{url}]" if url else msg.text)

        self.page.on("console", console)
        self.page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))
        return await self.step(PAGES[0], "first", self._fresh)

    async def _fresh(self) -> None:
        """Load the app at its root: a new Streamlit session on the default page."""
        pg = self.page
        await pg.goto(self.url, timeout=STEP_TIMEOUT_MS)
        await pg.wait_for_function(_TITLE_JS, arg=PAGES[0], timeout=STEP_TIMEOUT_MS)
        await pg.wait_for_function(_IDLE_JS, timeout=STEP_TIMEOUT_MS)
        self.title = PAGES[0]
        self.chosen = {d: [] for d in DIMENSIONS}
        self.latest = self.week = (await pg.locator(_CAPTION).first.inner_text()).split()[0]
        await self._check_kpis()

    async def step(self, title: str, action: str, fn: Callable) -> bool:
        """Run one step, time it and check the page after it; False (error recorded, app
        reloaded) when it failed."""
        t = time.perf_counter()
        try:
            await fn()
            ms = (time.perf_counter() - t) * 1000
            problems = await self._problems()
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none may happen
            ms = (time.perf_counter() - t) * 1000
            problems = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"]
            try:
                problems += await self._problems()
                problems.append(f"showing {await self.page.evaluate(_STATE_JS)} "
                                f"(expected {self.week} … {describe(self.chosen)})")
            except Exception:  # noqa: BLE001, S110 - the page may be gone; the error stands
                pass
        if problems:
            self.out.errors.append(
                f"session {self.i}, {action} {title} after {ms:,.0f} ms: " + "; ".join(problems))
            if action != "first":
                try:  # a fresh session, so one failure does not cascade
                    await self._fresh()
                except Exception as exc:  # noqa: BLE001
                    self.out.errors.append(f"session {self.i}: reload failed: {exc!r}"[:400])
            return False
        self.out.steps.append(Step(self.i, title, action, ms))
        return True

    async def _problems(self) -> list[str]:
        p = await self.page.evaluate(_PROBLEMS_JS)
        found = [f"exception: {e}" for e in p["exceptions"]]
        found += [f"error alert: {a}" for a in p["alerts"]]
        if p["not_found"]:
            found.append("Page not found")
        if p["connection"] != "CONNECTED" or p["status"]:
            found.append(f"connection {p['connection']} {p['status'] or ''}".strip())
        new, self.seen_console = self.console[self.seen_console:], len(self.console)
        found += [f"console: {e}" for e in new if KNOWN_CONSOLE_ERROR not in e]
        return found

    async def open(self, title: str) -> None:
        """Navigate to ``title`` by its sidebar link (the same Streamlit session)."""
        pg = self.page
        await pg.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
        await pg.wait_for_function(_TITLE_JS, arg=title, timeout=STEP_TIMEOUT_MS)
        await self._drawn()
        self.title = title
        if await pg.locator(".js-plotly-plot").count() == 0:
            raise AssertionError(f"{title}: no chart drawn")
        if title == PAGES[0]:
            await self._check_kpis()

    async def change_filter(self) -> None:
        """Pick another week, or add a segment, region or plan (an option the dropdown offers),
        or remove the last one chosen; then wait for the page's filter line to show it."""
        pg = self.page
        self.week = await pick_filter(pg, self.rng, self.chosen, self.week, self.latest,
                                      week_share=0.25, remove_share=0.5)
        await pg.wait_for_function(_CAPTION_JS, arg=[f"{self.week} vs ", describe(self.chosen)],
                                   timeout=STEP_TIMEOUT_MS)
        await self._drawn()
        if self.title == PAGES[0]:
            await self._check_kpis()

    async def _drawn(self) -> None:
        await self.page.wait_for_function(_IDLE_JS, timeout=STEP_TIMEOUT_MS)
        # the header's filter line shows what the sidebar holds (carried across pages)
        if not await self.page.evaluate(_CAPTION_JS, [f"{self.week} vs ",
                                                      describe(self.chosen)]):
            shown = await self.page.locator(_CAPTION).first.inner_text()
            raise AssertionError(f"filter line {shown!r}, expected {self.week} … "
                                 f"{describe(self.chosen)}")

    async def _check_kpis(self) -> None:
        """Weekly KPIs shows every tile's label and a base (n = …) under the tiles (waited for:
        the browser may lay the last elements out a moment after the run ends)."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        pg = self.page
        labels = [m.label for m in REGISTRY.values()]
        try:
            await pg.wait_for_function(_KPIS_JS, arg=[labels, N_FIGURE.pattern],
                                       timeout=STEP_TIMEOUT_MS)
        except PlaywrightTimeout:
            shown = await pg.locator(f'{_MAIN} [data-testid="stMetricLabel"]').all_inner_texts()
            missing = [x for x in labels if not any(t.strip().startswith(x) for t in shown)]
            raise AssertionError(f"Weekly KPIs: tiles missing {missing} or no n figure "
                                 f"(tiles shown: {shown})") from None
        self.out.kpi_checks += 1

    async def walk(self, done: Callable[[], bool]) -> None:
        """Open a random other chart page, change a filter on it; again until ``done()``."""
        while not done():
            title = self.rng.choice([p for p in PAGES if p != self.title])
            if not await self.step(title, "open", lambda t=title: self.open(t)) or done():
                continue
            await self.step(self.title, "filter", self.change_filter)

    async def final(self) -> None:
        """Open the Data page and read the total raw rows it shows."""
        async def data() -> None:
            pg = self.page
            await pg.locator('[data-testid="stSidebarNav"] a').filter(has_text="Data").first.click()
            await pg.wait_for_function(_TITLE_JS, arg="Data", timeout=STEP_TIMEOUT_MS)
            await pg.wait_for_function(_IDLE_JS, timeout=STEP_TIMEOUT_MS)
            text = await pg.locator(_MAIN).inner_text()
            found = ROWS_NOTE.search(text)
            if not found:
                raise AssertionError("Data page: no '<n> rows in … raw tables' note")
            self.out.rows_seen.append(int(found.group(1).replace(",", "")))

        await self.step("Data", "final", data)


async def _run(url: str, sessions: int, done: Callable[[], bool],
               ready: Callable[[], None], final: Callable[[], None] | None,
               seed: int, out: BrowserOutcome) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            group = [_Session(i, browser, url, out, seed) for i in range(sessions)]
            ok = await asyncio.gather(*(s.start() for s in group))
            live = [s for s, good in zip(group, ok, strict=True) if good]
            await asyncio.to_thread(ready)
            await asyncio.gather(*(s.walk(done) for s in live))
            if final is not None:
                await asyncio.to_thread(final)
            await asyncio.gather(*(s.final() for s in live))
        finally:
            await browser.close()


def run(url: str, sessions: int = 5, seconds: float = 20.0, *,
        done: Callable[[], bool] | None = None, ready: Callable[[], None] | None = None,
        final: Callable[[], None] | None = None, seed: int = 7,
        out: BrowserOutcome | None = None) -> BrowserOutcome:
    """``sessions`` Chromium sessions against the app served at ``url``: each loads the app,
    then (after ``ready()`` returned, e.g. a barrier shared with other load) walks the chart
    pages and changes filters until ``done()`` (default: ``seconds`` after ready), then (after
    ``final()`` returned) opens the Data page. Blocks; runs its own event loop, so call it from
    a thread of its own when other load runs at the same time (``out``, filled as the steps
    end, then shows the progress: ``out.loads``)."""
    out = out if out is not None else BrowserOutcome(sessions)
    box: dict[str, float] = {}

    def started() -> None:
        box["stop"] = float("inf")  # ready() is called once, even when the browser failed
        if ready is not None:
            ready()
        box["stop"] = time.monotonic() + seconds

    def over() -> bool:
        return done() if done is not None else time.monotonic() >= box["stop"]

    try:
        if not CHROMIUM.exists():
            raise FileNotFoundError(f"{CHROMIUM} missing: apt-get install chromium")
        asyncio.run(_run(url, sessions, over, started, final, seed, out))
    except Exception as exc:  # noqa: BLE001 - a browser that cannot run is an error, not a skip
        out.errors.append(f"browser sessions failed: {exc!r}"[:600])
        if "stop" not in box:
            started()
    return out


#: process id of the app served at each URL by ``serve`` (while it runs): its memory is sampled
SERVED: dict[str, int] = {}


def resident_mb(pid: int) -> float:
    """Resident memory (MB) of a process now (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status
                        if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


@contextmanager
def serve(env: dict[str, str], log_path: Path, timeout: float = 60.0,
          port: int | None = None) -> Iterator[str]:
    """The app served as ``make run`` serves it (``python -m dashboard serve``, i.e. ``streamlit
    run`` with the pages left to ``st.navigation``) with ``env`` added to the environment (e.g.
    ``CX_WAREHOUSE_URL``), output in ``log_path``; yields its URL once healthy (RuntimeError,
    with the server's output, after ``timeout`` seconds). The bench's and the tests' server
    (``tests/browser_util.served_app`` wraps it). ``port``: a free port chosen beforehand (the
    sign-in tests name the app's address in its secrets first), else one found here."""
    from dashboard.warehouse import config

    if port is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.fileWatcherType", "none"],
            cwd=config.ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        SERVED[url] = proc.pid
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError as exc:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(
                            f"streamlit did not become healthy within {timeout:.0f} s:\n"
                            f"{log_path.read_text(errors='replace')}") from exc
                    time.sleep(0.3)
            yield url
        finally:
            SERVED.pop(url, None)
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
