"""A real browser (Playwright driving Debian's Chromium) walks every page of a company's own
warehouse — a CRM export and a billing export with text ids and no region, loaded with one
mapping — and finds on each either figures or a clear "not loaded" state, never an error."""

from __future__ import annotations

import pytest

from dashboard.intake.ingest import ingest
from dashboard.warehouse import coverage as cov
from tests import browser_util as bu
from tests import realshape
from tests.test_browser import _registered_pages

pytestmark = pytest.mark.browser

#: Pages whose main table the company has not loaded: one sentence, no chart.
NOT_LOADED = {"satisfaction": "survey_responses", "complaints-recovery": "complaints",
              "cost-to-serve": "contacts"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser_company")
    crm, bills, mapping = realshape.write(base / "exports")
    target = base / "wh.duckdb"
    report = ingest([crm, bills], target, mapping=mapping, archive_dir=base / "archive")
    assert report.exit_code == 0, report.lines()
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{target}",
           "CX_APP_STORE_URL": f"sqlite:///{base}/store.sqlite"}
    log_path = base / "server.log"
    with bu.served_app(env, log_path) as url:
        yield url, log_path


@pytest.fixture(scope="module")
def page(served):
    with bu.browser_page() as pg:
        yield pg


@pytest.mark.parametrize(("title", "path"), _registered_pages())
def test_every_page_shows_figures_or_not_loaded(page, served, title, path):
    url, _ = served
    page.goto(f"{url}/{path}")  # every page by its own URL
    page.wait_for_selector("h1", timeout=60_000)
    bu.wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Region", exact=True).count() == 0  # one region: no filter
    if path in NOT_LOADED:
        page.get_by_text(cov.sentence([NOT_LOADED[path]])).first.wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot").count() == 0
    if path == "weekly-kpis":
        for label in ("NPS", "Complaint rate", "Cost to serve"):
            tile = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
            assert "Not loaded" in tile.inner_text(), label


def test_no_unexpected_console_errors_or_server_tracebacks(page, served):
    _, log_path = served
    unexpected = bu.unexpected_errors(page.errors)
    assert not unexpected, "\n".join(unexpected)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
