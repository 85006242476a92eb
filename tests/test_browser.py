"""A real browser (Playwright driving Debian's Chromium) against a served app on the demo world."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.metrics import REGISTRY, format_value
from tests.conftest import ROOT, kpis_json

CHROMIUM = Path(os.environ.get("CX_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    # a missing browser is a failure, never a skip: `make test` installs Debian's chromium
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: apt-get install chromium (make test does)"
    port = _free_port()
    env = {**os.environ, "CX_WAREHOUSE_URL": f"duckdb:///{demo_db}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1600, "height": 1100})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(server)
        pg.errors = errors
        yield pg
        browser.close()


def tile_value(pg, label: str) -> str:
    tile = pg.locator('[data-testid="stMetric"]').filter(
        has=pg.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_tiles_chart_filter_change_and_screenshot(page, demo_db):
    url = f"duckdb:///{demo_db}"
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    # seven KPI tiles, then the money row: revenue at risk, savings, one NPS point per segment
    assert page.locator('[data-testid="stMetric"]').count() == 7 + 2 + 3
    assert page.locator('[data-testid="stMetric"]').nth(7).get_by_text("Revenue at risk").count()
    assert page.locator(".js-plotly-plot").count() == 7
    doc = kpis_json(url)
    assert tile_value(page, "NPS") == format_value(doc["kpis"]["nps"]["value"], "score")

    # change a filter: region = Central
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1)
    box.click()
    page.keyboard.type("Central")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    want = format_value(kpis_json(url, "--region", "Central")["kpis"]["nps"]["value"], "score")
    page.wait_for_function(
        """([want]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(t => t.innerText.startsWith('NPS') && t.innerText.includes(want))""",
        arg=[want], timeout=60_000)
    assert tile_value(page, "NPS") == want
    csat = kpis_json(url, "--region", "Central")["kpis"]["csat"]["value"]
    assert tile_value(page, "CSAT") == format_value(csat, REGISTRY["csat"].fmt)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "weekly_kpis.png"), full_page=True)
    assert (ARTIFACTS / "weekly_kpis.png").stat().st_size > 20_000
    # the only tolerated console error: the offline fetch of the material-icon font
    unexpected = [e for e in page.errors if "net::ERR_NAME_NOT_RESOLVED" not in e]
    assert not unexpected, unexpected


def _registered_pages() -> list[tuple[str, str]]:
    """(title, url_path) of every page registered in streamlit_app.py."""
    import re

    app = (ROOT / "streamlit_app.py").read_text()
    return re.findall(r'(?<![\w])title="([^"]+)",[^)]*?url_path="([^"]+)"', app, flags=re.S)


def test_every_page_file_is_registered_for_the_walk():
    import re

    app = (ROOT / "streamlit_app.py").read_text()
    registered = sorted(re.findall(r'st\.Page\("pages/([^"]+)"', app))
    assert registered == sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    assert _registered_pages()[0][0] == "Weekly KPIs"
    assert len(_registered_pages()) == len(registered)


@pytest.mark.parametrize(("title", "path"), _registered_pages())
def test_every_page_renders_in_the_browser(page, server, title, path):
    page.goto(f"{server}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    # every page draws a chart except Assumptions, which is tables and a form
    content = ".js-plotly-plot" if path != "finance-assumptions" else '[data-testid="stDataFrame"]'
    page.wait_for_selector(content, timeout=60_000)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=60_000)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Filters").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"page-{path}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
