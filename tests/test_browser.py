"""A real browser (Playwright driving Debian's Chromium) against a served app on the demo world."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.exports import exhibits, pack
from dashboard.metrics.filters import parse_week
from dashboard.metrics.registry import REGISTRY, format_value
from tests import browser_util as bu
from tests.conftest import ROOT, kpis_json

ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    """The served app's stdout and stderr (read by the last test of the module)."""
    return tmp_path_factory.mktemp("streamlit") / "server.log"


@pytest.fixture(scope="module")
def server(demo_db, server_log):
    with bu.served_app({"CX_WAREHOUSE_URL": f"duckdb:///{demo_db}"}, server_log) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with bu.browser_page(accept_downloads=True) as pg:
        pg.goto(server)
        yield pg


def tile_value(pg, label: str) -> str:
    tile = pg.locator('[data-testid="stMetric"]').filter(
        has=pg.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    # the number, without the unit the compact tile prints after it in small type
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip().split()[0]


def test_tiles_filter_change_and_nps_chart_downloads(page, demo_db, tmp_path):
    url = f"duckdb:///{demo_db}"
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    # seven KPI tiles; "how computed" is drawn only once opened (a lazy expander): then the
    # money row's tiles too, revenue at risk, savings, one NPS point per segment
    tiles = page.locator('[data-testid="stMetric"]')
    assert tiles.count() == 7
    depth = page.locator('[data-testid="stExpander"] summary').filter(
        has_text="How computed: the moves")
    depth.click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 12",
        timeout=60_000)
    assert tiles.nth(7).get_by_text("Revenue at risk").count()
    depth.click()  # closed again: the tiles of the first screen alone
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 7",
        timeout=60_000)
    bu.wait_idle(page)
    # a tab per KPI trend, only the open one drawn (lazy sections): the first, NPS
    assert page.locator('[data-testid="stTab"]').all_inner_texts() == [
        m.label for m in REGISTRY.values()]
    assert page.locator(".js-plotly-plot").count() == 1
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
    bu.screenshot(page, ARTIFACTS / "weekly_kpis.png")
    assert (ARTIFACTS / "weekly_kpis.png").stat().st_size > 20_000

    # the NPS trend's downloads carry the filter just chosen
    bu.wait_idle(page)
    check_nps_downloads(page, tmp_path, want)
    # the only tolerated console error here: the offline fetch of the material-icon font
    unexpected = [e for e in page.errors if bu.KNOWN_CONSOLE_ERROR not in e]
    assert not unexpected, "\n".join(unexpected)


def shown_week(pg) -> str:
    """The week the sidebar's Week picker shows, e.g. ``2026-W44``."""
    text = pg.locator('[data-testid="stSidebar"] input[aria-label="Week"]').input_value()
    found = bu.WEEK.fullmatch(text)
    assert found, f"no ISO week in the Week picker: {text!r}"
    return found.group(0)


def check_nps_downloads(pg, dest: Path, tile_text: str) -> None:
    """PNG, SVG and CSV under the NPS trend (Weekly KPIs, region = Central)."""
    import xml.etree.ElementTree as ET

    from PIL import Image

    title = "NPS — 13 weeks"
    week = shown_week(pg)
    stem = f"nps-13-weeks_{week.lower()}_region-central"
    assert bu.download_labels(pg, "trend_nps") == ["PNG", "SVG", "CSV"]

    png = bu.download(pg, "dl_trend_nps_PNG", dest)
    assert png.name == f"{stem}.png"
    with Image.open(png) as im:
        assert im.format == "PNG"
        assert im.size == (2560, 1440)

    svg = bu.download(pg, "dl_trend_nps_SVG", dest)
    assert svg.name == f"{stem}.svg"
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg"), root.tag
    text = " ".join(" ".join(root.itertext()).split())
    assert title in text
    assert "region: Central" in text  # the scope line under the title

    csv = bu.download(pg, "dl_trend_nps_CSV", dest)
    assert csv.name == f"{stem}.csv"
    df = bu.read_csv(csv)
    assert list(df.columns) == ["week", "value", "ci_low", "ci_high", "n", "status"]
    # one row per point the browser draws on the main line (the band traces aside)
    drawn = [t for t in bu.traces(pg, "trend_nps") if t["name"] == title]
    assert len(drawn) == 1, bu.traces(pg, "trend_nps")
    assert len(df) == len(drawn[0]["x"]) == 13
    assert df["week"].astype(str).tolist() == [str(x) for x in drawn[0]["x"]]
    # the last point is the selected week and the tile's number
    assert df["week"].iloc[-1] == week
    assert round(float(df["value"].iloc[-1]), 1) == bu.number(tile_text)


def _registered_pages() -> list[tuple[str, str]]:
    """(title, url_path) of every page registered in streamlit_app.py."""
    return [(title, path) for title, path, _ in bu.app_pages()]


def test_every_page_file_is_registered_for_the_walk():

    from dashboard.ui.navigation import PAGES

    registered = sorted(Path(p.file).name for p in PAGES)
    assert registered == sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    assert _registered_pages()[0][0] == "Weekly KPIs"
    assert len(_registered_pages()) == len(registered)


#: What each page shows once drawn: a chart, except the table pages.
CONTENT = {"finance-assumptions": '[data-testid="stDataFrame"]',
           "data-loads": '[data-testid="stDataFrame"]',
           "access-audit": '[data-testid="stDataFrame"]',
           "board-pack": ".st-key-pack_build button:visible"}


@pytest.mark.parametrize(("title", "path"), _registered_pages())
def test_every_page_renders_in_the_browser(page, server, title, path):
    page.goto(f"{server}/{path}")  # every page by its own URL (tests/test_browser_links.py)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_selector(CONTENT.get(path, ".js-plotly-plot"), timeout=60_000)
    bu.wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    # the filter bar, but on the admins' page (no figures to filter)
    filters = 0 if path == "access-audit" else 1
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Filters").count() == filters
    # under every chart: PNG, SVG and CSV downloads in the row keyed after the chart
    keys = bu.chart_keys(page)
    assert None not in keys, keys
    assert sorted(keys) == sorted(bu.image_rows(page))
    for key in keys:
        assert bu.download_labels(page, key) == ["PNG", "SVG", "CSV"], key
    # under every table: CSV and XLSX (the data grids draw lazily, after the run)
    tables = bu.table_rows(page)
    grids = '[data-testid="stDataFrame"]'
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length >= n",
                           arg=[grids, len(tables)], timeout=30_000)
    assert page.locator(grids).count() == len(tables), tables
    for key in tables:
        assert bu.download_labels(page, key) == ["CSV", "XLSX"], key
    if path == "board-pack":
        # the executive set preselected, all three formats, nothing built yet
        owner = {k: pg for pg, ks in exhibits.PAGE_KEYS.items() for k in ks}
        chips = page.locator(".st-key-pack_charts [data-tag]:visible")
        assert [chips.nth(i).get_attribute("aria-label") for i in range(chips.count())] == [
            f"{owner[k]} — {exhibits.LABELS[k]}" for k in exhibits.EXECUTIVE]
        pills = page.locator('.st-key-pack_formats button[aria-pressed="true"]:visible')
        assert [t.strip() for t in pills.all_inner_texts()] == ["PPTX", "PDF", "XLSX"]
        assert page.locator(".st-key-pack_dl_pptx").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"page-{path}.png"
    bu.screenshot(page, shot)
    assert shot.stat().st_size > 20_000


def test_complaints_pareto_and_table_downloads(page, server, tmp_path):
    page.goto(f"{server}/complaints-recovery")
    page.wait_for_selector(".st-key-dl_cmp_repeat button:visible", timeout=60_000)
    bu.wait_idle(page)
    week = shown_week(page).lower()

    # the Pareto's CSV: one row per bar drawn, in the bars' order
    csv = bu.download(page, "dl_cmp_pareto_CSV", tmp_path)
    assert csv.name == f"categories-13-weeks-pareto_{week}_all-customers.csv"
    df = bu.read_csv(csv)
    assert list(df.columns) == ["category", "count", "share_pct", "cumulative_pct"]
    bars = [t for t in bu.traces(page, "cmp_pareto") if t["type"] == "bar"]
    assert len(bars) == 1
    assert len(df) == len(bars[0]["x"]) > 0
    assert df["category"].astype(str).tolist() == [str(x) for x in bars[0]["x"]]

    # the repeat-complainants table: CSV and XLSX hold the rows the page shows, as numbers
    assert bu.download_labels(page, "cmp_repeat") == ["CSV", "XLSX"]
    shown = bu.grid(page, before="dl_cmp_repeat")
    csv = bu.download(page, "dl_cmp_repeat_CSV", tmp_path)
    xlsx = bu.download(page, "dl_cmp_repeat_XLSX", tmp_path)
    # named after what the table holds, the week and the filters
    assert csv.name == f"repeat-complainants_{week}_all-customers.csv"
    assert xlsx.name == f"repeat-complainants_{week}_all-customers.xlsx"
    df = bu.read_csv(csv)
    assert shown["rows"][0] == ["Complaints opened", "Customers", "Share of complainants"]
    assert list(df.columns) == ["complaints_opened", "customers", "share_pct"]
    assert len(df) == shown["rowcount"] - 1 > 0
    rows = shown["rows"][1:]
    # "1,076" on screen is 1076 in the file; "95.9%" is 95.9
    assert df["customers"].tolist() == [int(r[1].replace(",", "")) for r in rows]
    assert df["share_pct"].tolist() == [float(r[2].rstrip("%")) for r in rows]
    book = bu.xlsx_table(xlsx, [str(c) for c in df.columns])
    assert len(book) == len(df)
    pd.testing.assert_frame_equal(book.astype(str), df.astype(str), check_dtype=False)


def test_churn_only_the_customer_list_carries_customer_ids(page, server, tmp_path):
    import re

    page.goto(f"{server}/churn-retention")
    bu.wait_idle(page)
    week = shown_week(page).lower()
    # the first section, open on arrival: monthly churn by segment, without customer ids
    path = bu.download(page, "dl_churn_monthly_CSV", tmp_path)
    assert path.name == f"monthly-churn-by-segment-customers_{week}_all-customers.csv"
    monthly = bu.read_csv(path)
    assert len(monthly) > 0
    assert page.locator(".st-key-dl_churn_at_risk").count() == 0  # drawn only when opened
    bu.open_section(page, "What it is costing")
    path = bu.download(page, "dl_churn_at_risk_CSV", tmp_path)
    assert path.name == f"at-risk-customers_{week}_all-customers.csv"
    at_risk = bu.read_csv(path)
    assert "customer_id" in at_risk.columns
    assert len(at_risk) > 0 and at_risk["customer_id"].notna().all()
    # the revenue as a number to the cent, not "$1,280.75"
    assert pd.api.types.is_float_dtype(at_risk["revenue_last_13_weeks"])

    def norm(c):
        return re.sub(r"[^a-z0-9]", "", str(c).lower())

    ids = {norm(c) for c in ("customer_id", "Customer id", "customer_key")}
    leaked = [c for c in monthly.columns if norm(c) in ids or "customerid" in norm(c)]
    assert not leaked, leaked


def test_board_pack_builds_and_downloads(page, server, demo_wh, tmp_path):
    import re

    import openpyxl
    from pptx import Presentation
    from pypdf import PdfReader

    page.goto(f"{server}/board-pack")
    bu.button(page, "pack_build").wait_for(timeout=60_000)
    bu.wait_idle(page)
    week = shown_week(page)
    bu.button(page, "pack_build").click()
    # ≈15–25 s: ten kaleido images, twelve PDF pages, the workbook
    bu.button(page, "pack_dl_pptx").wait_for(timeout=180_000)
    bu.wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the status line and the note under it: what was built, sizes and time
    summary = re.compile(rf"^pack {week} \(all customers\): {len(exhibits.EXECUTIVE)} charts, "
                         r"pptx [\d.]+ MB, pdf [\d.]+ MB, xlsx [\d.]+ MB in [\d.]+ s$")
    assert page.get_by_text(summary).count() >= 1
    assert bu.labels(page, "pack_downloads") == [
        "Download PPTX", "Download PDF", "Download XLSX"]
    contents = bu.grid(page, after="pack_downloads")
    assert contents["rows"][0] == ["#", "Page", "Chart", "Slide title", "Takeaway (slide body)"]
    rows = contents["rows"][1:]
    assert contents["rowcount"] - 1 == len(rows) == len(exhibits.EXECUTIVE)
    charts = [r[2] for r in rows]
    slide_titles = [r[3] for r in rows]
    takeaways = [r[4] for r in rows]

    files = {fmt: bu.download(page, f"pack_dl_{fmt}", tmp_path) for fmt in pack.FORMATS}
    for fmt, path in files.items():
        assert path.name == f"cx-ledger-board-pack_{week.lower()}_all-customers.{fmt}"
    # the build and each download are in the audit log (the served app's store)
    import os

    from dashboard.access import store as access
    from dashboard.warehouse import db

    store = db.AppStore(os.environ["CX_APP_STORE_URL"])
    built = access.events(store, action="pack").iloc[0]
    assert set(built["target"].split(", ")) == {p.name for p in files.values()}
    assert built["detail"] == f"{week}; all customers"
    assert {p.name for p in files.values()} <= set(access.events(store, action="export")["target"])

    # the assumptions in force in the week, read from the warehouse (published set, no edits)
    published = demo_wh.run("assumption_rows")
    in_force = published[pd.to_datetime(published["valid_from"])
                         <= pd.Timestamp(parse_week(week))]["assumption_key"].nunique()
    assert in_force > 0

    deck = Presentation(str(files["pptx"]))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(rows) + 1  # the summary, the charts, the assumptions
    titles = [s.shapes.title.text if s.shapes.title is not None else None for s in slides]
    assert titles[0] == f"Executive summary: week {week}"
    assert titles[1:1 + len(rows)] == slide_titles  # each chart slide, in order
    for s, takeaway in zip(slides[1:1 + len(rows)], takeaways, strict=True):
        assert takeaway in [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
    assert titles[-1] == "Assumptions in use: set published v0"
    tables = [sh.table for sh in slides[-1].shapes if sh.has_table]
    assert sum(len(t.rows) - 1 for t in tables) == in_force  # a header row on each table

    pdf_pages = len(PdfReader(files["pdf"]).pages)
    assert pdf_pages == 1 + len(rows) + 1

    book = openpyxl.load_workbook(files["xlsx"])
    sheets = book.worksheets
    assert [ws.title for ws in sheets][0] == "Summary"
    assert [ws.title for ws in sheets][-1] == "Assumptions"
    assert len(sheets) == len(rows) + 2
    for ws, chart in zip(sheets[1:-1], charts, strict=True):
        # the sheet is named after the chart (Excel: 31 characters, no []:*?/\)
        assert ws.title == re.sub(r"[\[\]:*?/\\]", " ", chart)[:28].strip(), (ws.title, chart)
        assert len(ws._charts) == 1, ws.title
    values = [r[0] for r in book["Assumptions"].iter_rows(values_only=True)]
    assert len(values) - values.index("Assumption") - 1 == in_force
    ARTIFACTS.mkdir(exist_ok=True)
    bu.screenshot(page, ARTIFACTS / "board_pack_built.png")


def test_no_unexpected_console_errors_or_server_tracebacks(page, server_log):
    """Last of the module: across every page, download and pack build above."""
    unexpected = bu.unexpected_errors(page.errors)
    assert not unexpected, "\n".join(unexpected)
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
