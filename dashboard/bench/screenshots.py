"""Pictures of the Weekly KPIs page's first screen, for the README (``make screenshots``).

The app is served on the pinned demo world (seed 7, 50,000 customers, ending 2026-W44, as the
tests pin it), opened in Debian's Chromium at 1440 × 900, and the viewport — what a newcomer sees
before scrolling — is saved as a PNG: the default week, and the planted incident (2026-W22
against 4 weeks earlier, region Central). ``first_screen`` measures what the browser test checks:
where the headline, every KPI tile and the money line end, and whether a tile's label is cut off.

Needs Playwright and Debian's Chromium (``CX_CHROMIUM``, default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.bench import browser as sessions
from dashboard.warehouse import config

#: Where the README's pictures live (shipped files beside the logo).
OUT_DIR = config.ROOT / "data" / "screenshots"
#: The pinned demo world of the pictures (the tests' own).
DEMO = {"customers": 50_000, "seed": 7, "end_week": "2026-W44"}
#: The views pictured: file stem, then the sidebar choices (week, region, comparison).
VIEWS = (("weekly_kpis", None, None, None),
         ("weekly_kpis_incident", "2026-W22", "Central", "4 weeks earlier"))
#: The views pictured in another language (``--locale``): the default week of its demo world.
LOCALE_VIEWS = (("weekly_kpis", None, None, None),)
VIEWPORT = (1440, 900)

_SIDEBAR = '[data-testid="stSidebar"]'

#: Boxes of the first screen's parts, relative to the viewport: the headline (first info box),
#: every metric of the KPI tiles (label text, bottom, whether the label is cut off) and the
#: money line (the block keyed ``money_line``).
FIRST_SCREEN_JS = """() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
    const main = document.querySelector('[data-testid="stMain"]');
    const info = main.querySelector('[data-testid="stAlertContentInfo"]');
    const tiles = [...main.querySelectorAll('[data-testid="stMetric"]')]
        .filter(m => !m.closest('[data-testid="stExpander"]'))
        .map(m => {
            const label = m.querySelector('[data-testid="stMetricLabel"]');
            const cut = [label, ...label.querySelectorAll('*')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                .map(e => e.tagName);
            const tile = m.closest('[data-testid="stColumn"]') || m;
            return {label: label.innerText.trim(), ...box(tile), truncated: cut.length > 0};
        });
    const money = main.querySelector('.st-key-money_line');
    return {height: window.innerHeight, width: window.innerWidth,
            headline: info && {text: info.innerText.trim(), ...box(info)},
            tiles, money: money && {text: money.innerText.trim(), ...box(money)}};
}"""


@dataclass(frozen=True)
class FirstScreen:
    """Where the first screen's parts are in one viewport."""

    height: int
    headline: dict | None
    tiles: list[dict]
    money: dict | None

    def below_fold(self) -> list[str]:
        """The parts whose box ends below the viewport or starts above it."""
        parts = [("headline", self.headline), ("money line", self.money),
                 *((t["label"], t) for t in self.tiles)]
        return [name for name, b in parts
                if b is None or b["top"] < 0 or b["bottom"] > self.height]

    def truncated(self) -> list[str]:
        """The tile labels cut off."""
        return [t["label"] for t in self.tiles if t["truncated"]]


def first_screen(pg) -> FirstScreen:
    """Measure the Weekly KPIs page's first screen as drawn, scrolled to the top."""
    pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")
    d = pg.evaluate(FIRST_SCREEN_JS)
    return FirstScreen(d["height"], d["headline"], d["tiles"], d["money"])


def wait_drawn(pg, timeout: int = 120_000) -> None:
    """Until the script run is over, connected, with the KPI tiles and the money line drawn."""
    pg.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && document.querySelector('.st-key-money_line')
                && document.querySelectorAll('[data-testid="stMetric"]').length > 0;
        }""", timeout=timeout)
    pg.wait_for_timeout(500)


def _wait_text(pg, text: str, timeout: int = 120_000) -> None:
    """Until the main area's text holds ``text`` and the run is over."""
    pg.wait_for_function(
        """(text) => (document.querySelector('[data-testid="stMain"]')?.innerText || '')
            .includes(text)""", arg=text, timeout=timeout)
    wait_drawn(pg, timeout)


def choose(pg, week: str | None, region: str | None, compare: str | None) -> None:
    """Set the sidebar's week, region and comparison (each left alone when None), waiting for
    the page's scope line to show each."""
    boxes = pg.locator(f'{_SIDEBAR} [data-testid="stSelectbox"]')
    if week:
        boxes.first.click()
        pg.keyboard.type(week)
        pg.keyboard.press("Enter")
        _wait_text(pg, f"{week} vs")
    if region:
        pg.locator(f'{_SIDEBAR} [data-testid="stMultiSelect"]').nth(1).click()
        pg.keyboard.type(region)
        pg.keyboard.press("Enter")
        pg.keyboard.press("Escape")
        _wait_text(pg, f"region: {region}")
    if compare:
        boxes.nth(1).click()
        pg.keyboard.type(compare)
        pg.keyboard.press("Enter")
        _wait_text(pg, f"({compare})")


def capture(url: str, out_dir: Path, viewport: tuple[int, int] = VIEWPORT,
            views: tuple = VIEWS, suffix: str = "") -> list[Path]:
    """Save the first screen of every view in ``views`` as ``<stem><suffix>_<w>x<h>.png``."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(sessions.CHROMIUM), args=sessions.ARGS)
        try:
            for stem, week, region, compare in views:
                pg = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
                pg.goto(url)
                wait_drawn(pg)
                choose(pg, week, region, compare)
                path = out_dir / f"{stem}{suffix}_{viewport[0]}x{viewport[1]}.png"
                pg.screenshot(path=str(path))
                saved.append(path)
                pg.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    """Build the pinned demo world in a temporary folder, serve it and save the pictures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(OUT_DIR))
    p.add_argument("--url", default=None, help="a warehouse URL to picture instead of building "
                                               "the pinned demo world")
    p.add_argument("--locale", default="en", choices=("en", "fa"),
                   help="the app's language and the demo world's (fa: the Persian world, "
                        "pictures named *_fa_*)")
    args = p.parse_args(argv)
    fa = args.locale != "en"
    with tempfile.TemporaryDirectory(prefix="cx-screens-") as tmp:
        url = args.url
        if url is None:
            from dashboard.cli import main as cli

            path = Path(tmp) / "warehouse.duckdb"
            code = cli(["demo", "--customers", str(DEMO["customers"]), "--seed",
                        str(DEMO["seed"]), "--end-week", DEMO["end_week"], "--out", str(path),
                        "--locale", args.locale])
            if code:
                return code
            url = f"duckdb:///{path}"
        # the pinned world ends in 2026-W44, a newcomer's ends last week: no staleness note
        env = {"CX_WAREHOUSE_URL": url, "CX_STALE_DAYS": "100000",
               "CX_APP_STORE_URL": f"sqlite:///{Path(tmp) / 'store.sqlite'}",
               "CX_LOCALE": args.locale}
        with sessions.serve(env, Path(tmp) / "server.log", timeout=120) as served:
            views, suffix = (LOCALE_VIEWS, f"_{args.locale}") if fa else (VIEWS, "")
            for path in capture(served, Path(args.out), views=views, suffix=suffix):
                print(f"{path.name}: {path.stat().st_size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
