"""A real browser (Playwright driving Debian's Chromium) uploads files through the Data page of a
served app that has no warehouse yet: a new team's first load."""

from __future__ import annotations

import pandas as pd
import pytest

from tests import browser_util as bu
from tests.conftest import FIXTURES, ROOT

ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app served over a warehouse path where nothing exists yet; yields (url, warehouse
    file, archive folder, server log)."""
    base = tmp_path_factory.mktemp("browser_data")
    target, archive, log_path = base / "wh.duckdb", base / "archive", base / "server.log"
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{target}", "CX_ARCHIVE_DIR": str(archive)}
    with bu.served_app(env, log_path) as url:
        yield url, target, archive, log_path


@pytest.fixture(scope="module")
def page(served):
    with bu.browser_page() as pg:
        yield pg


def _rows(pg, key: str) -> dict[str, list[str]]:
    """The rows of the table right before the download row ``dl_<key>``, by first cell."""
    grid = bu.grid(pg, before=f"dl_{key}")
    header, *body = grid["rows"]
    return {r[0]: dict(zip(header, r, strict=False)) for r in body if r}


def test_first_upload_creates_the_warehouse_and_the_page_shows_it(page, served):
    url, target, archive, log_path = served
    # the default page stops with the message and a link to the Data page
    page.goto(url)
    page.get_by_text("no warehouse at wh.duckdb").wait_for(timeout=60_000)
    bu.wait_idle(page)
    page.get_by_role("link", name="Load your own files on the Data page").click()
    page.wait_for_url(f"{url}/data-loads", timeout=30_000)
    page.wait_for_selector("h1", timeout=60_000)
    bu.wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == "Data"
    assert page.get_by_text("There is no warehouse yet").count() == 1
    assert not target.exists()

    files = [FIXTURES / "customers.csv", FIXTURES / "contacts.csv"]
    page.locator(".st-key-data_files_0 input[type=file]").set_input_files(
        [str(f) for f in files])
    for f in files:  # the uploader lists each file once it is on the server
        page.locator(".st-key-data_files_0").get_by_text(f.name).wait_for(timeout=30_000)
    bu.wait_idle(page)
    bu.button(page, "data_load").click()
    page.get_by_text("Loaded 18 row(s); every page now reads the new data.").wait_for(
        timeout=120_000)
    bu.wait_idle(page)

    # the summary lines, as literal text
    code = page.locator('[data-testid="stCode"]').first.inner_text()
    assert "customers.csv → customers: 8 rows read, 8 new, 0 replaced, 0 unchanged, " \
           "0 quarantined" in code
    assert "contacts.csv → contacts: 10 rows read, 10 new, 0 replaced, 0 unchanged, " \
           "0 quarantined" in code
    assert "Loaded 18 rows, quarantined 0; staging and marts rebuilt, contract checks " \
           "passed" in code
    # freshness: the new row counts and the CSVs' last events (the grid draws the columns in
    # view only; the rest are checked by tests/test_data_page.py)
    fresh = _rows(page, "data_freshness")
    for table in ("customers", "contacts"):
        csv = pd.read_csv(FIXTURES / f"{table}.csv")
        assert fresh[table]["Rows"] == str(len(csv)), fresh[table]
        when = "signup_date" if table == "customers" else "occurred_at"
        last = pd.to_datetime(csv[when]).max()
        assert fresh[table]["Last event"] == f"{last:%Y-%m-%d %H:%M:%S}", fresh[table]
    assert fresh["survey_responses"]["Rows"] == "0"
    # the load log, newest first
    loads = bu.grid(page, before="dl_data_loads")["rows"][1:]
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in loads] == [
        ("2", "contacts.csv", "contacts", "10", "10"),
        ("1", "customers.csv", "customers", "8", "8")]
    # the filter bar appears once there are weeks to filter
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Filters").count() == 1
    # the uploader starts empty again, the files are archived, the warehouse exists
    assert page.locator(".st-key-data_files_1").get_by_text("customers.csv").count() == 0
    assert target.exists() and len(list(archive.rglob("*.csv"))) == 2

    ARTIFACTS.mkdir(exist_ok=True)
    bu.screenshot(page, ARTIFACTS / "data_page_after_upload.png")

    unexpected = bu.unexpected_errors(page.errors)
    assert not unexpected, "\n".join(unexpected)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
