"""Sign-in with a real OpenID Connect provider and a real browser.

The suite starts ``oidc-provider-mock`` on localhost (discovery, the authorization code flow,
signed identity tokens, user info — the real protocol) with test people and groups, and
serves the app with ``[auth]`` pointing at it. Chromium then signs in as each person through
the provider's own page and checks what they see: the pages in the navigation, the figures
(a regional manager's Weekly KPIs are an analyst's with the region filtered), customer ids,
downloads and assumption publishing — and the audit log records each of them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from dashboard.access import roles
from dashboard.access import store as access
from dashboard.access.roles import Scope
from dashboard.metrics.registry import format_value
from dashboard.warehouse import db
from tests import browser_util as bu
from tests.conftest import kpis_json

pytestmark = pytest.mark.browser

ADMIN = roles.Principal(email="admin@x.org", roles=frozenset({"admin"}))
#: The provider's people: (subject, claims). Roles come from the app's store, not from here.
PEOPLE = {
    "north": {"email": "north@x.org", "name": "Nora North", "groups": ["cx-north"]},
    "ana": {"email": "ana@x.org", "name": "Ana Lyst", "groups": ["cx-analysts"]},
    "fin": {"email": "fin@x.org", "name": "Fin Ance", "groups": []},
    "nobody": {"email": "nobody@x.org", "name": "No Body", "groups": []},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """A real OpenID Connect provider on localhost with the test people."""
    port = bu.free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for sub, claims in PEOPLE.items():
        args += ["--user-claims", json.dumps({"sub": sub, **claims})]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/.well-known/openid-configuration",
                                            timeout=2) as r:
                    assert json.load(r)["issuer"].rstrip("/") == url
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"the OpenID provider did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def regions(demo_db) -> list[str]:
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    return sorted(wh.run("filter_options").query("dimension == 'region'")["dimension_value"])


@pytest.fixture(scope="module")
def app(provider, demo_db, regions, tmp_path_factory):
    """The app served with sign-in through the provider; returns (url, store)."""
    tmp = tmp_path_factory.mktemp("signin")
    port = bu.free_port()
    app_url = f"http://127.0.0.1:{port}"
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-tests-0123456789"\n'
        'client_id = "cx-ledger"\n'
        'client_secret = "cx-ledger-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    store_url = f"sqlite:///{tmp}/store.sqlite"
    store = db.AppStore(store_url)
    access.grant(store, ADMIN, "group", "cx-north", "executive",
                 Scope.parse(f"region={regions[0]}"))
    access.grant(store, ADMIN, "group", "cx-analysts", "analyst", Scope())
    access.grant(store, ADMIN, "email", "fin@x.org", "finance", Scope())
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{demo_db}", "CX_APP_STORE_URL": store_url,
           "CX_SECRETS_FILE": str(secrets), "CX_WARM": "0"}
    with bu.served_app(env, tmp / "server.log", port=port) as url:
        yield url, store


def sign_in(pg, url: str, subject: str) -> None:
    """Open the app, press Sign in, pick ``subject`` on the provider's own page and come back
    signed in."""
    pg.goto(url)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url("**/oauth2/authorize**", timeout=60_000)
    pg.get_by_role("button", name=subject, exact=True).click()
    pg.wait_for_url(f"{url}/**", timeout=60_000)
    bu.wait_idle(pg)


def nav(pg) -> list[str]:
    """The navigation's page titles (without the icon's ligature text)."""
    return [t.strip().splitlines()[-1] for t in pg.locator(
        '[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]').all_inner_texts()]


def tile(pg, label: str) -> str:
    t = pg.locator('[data-testid="stMetric"]').filter(
        has=pg.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return t.locator('[data-testid="stMetricValue"]').inner_text().strip().split()[0]


def app_errors(pg, url: str) -> list[str]:
    """The console errors of the app's own pages (the provider's page is not the app's)."""
    return [e for e in pg.errors if f"[{url}/" in e]


FIGURE_PAGES = ["Weekly KPIs", "Satisfaction", "Complaints", "Cost to serve",
                "Churn & retention", "Segment comparison", "CX in money", "Impact simulator"]


def test_a_regional_executive_signs_in_and_sees_their_region_only(app, regions, demo_db):
    url, store = app
    north = regions[0]
    with bu.browser_page(accept_downloads=True) as pg:
        sign_in(pg, url, "north")
        assert nav(pg) == [*FIGURE_PAGES, "Board pack", "Assumptions"]
        pg.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        want = kpis_json(f"duckdb:///{demo_db}", "--region", north)["kpis"]["nps"]["value"]
        assert tile(pg, "NPS") == format_value(want, "score")
        # a URL naming another region changes nothing (filters are never read from the URL)
        pg.goto(f"{url}/weekly-kpis?region={regions[1]}&f_region={regions[1]}")
        pg.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        bu.wait_idle(pg)
        assert tile(pg, "NPS") == format_value(want, "score")
        # no region filter to pick (one region is not a filter), no download anywhere
        sidebar = pg.locator('[data-testid="stSidebar"]').inner_text()
        assert "Region" not in sidebar.split("Week")[1].split("Language")[0]
        assert f"Signed in as Nora North · executive · region: {north}" in sidebar
        assert pg.locator('[data-testid="stDownloadButton"]').count() == 0
        # the churn page's customer list is withheld
        pg.goto(f"{url}/churn-retention")
        bu.wait_idle(pg)
        bu.open_section(pg, "What it is costing")
        assert pg.get_by_text("Customer lists are shown to analysts only").count() == 1
        assert pg.locator(".st-key-churn_at_risk").count() == 0
        assert not bu.unexpected_errors(app_errors(pg, url)), pg.errors
        # the Data page is not theirs: its URL opens their first page instead, saying so
        pg.goto(f"{url}/data-loads")
        bu.wait_idle(pg)
        assert pg.locator('[data-testid="stFileUploader"]').count() == 0
        assert [e for e in app_errors(pg, url) if "does not seem to exist" in e]
    ev = access.events(store)
    mine = ev[ev["actor"] == "north@x.org"]
    assert {"sign_in", "page_view"} <= set(mine["action"])
    assert set(mine.loc[mine["action"] == "page_view", "target"]) >= {"weekly-kpis",
                                                                     "churn-retention"}


def test_an_analyst_sees_customer_ids_and_downloads(app, regions, tmp_path):
    url, store = app
    with bu.browser_page(accept_downloads=True) as pg:
        sign_in(pg, url, "ana")
        assert nav(pg) == [*FIGURE_PAGES, "Board pack", "Assumptions", "Data"]
        pg.goto(f"{url}/churn-retention")
        bu.wait_idle(pg)
        bu.open_section(pg, "What it is costing")
        path = bu.download(pg, "dl_churn_at_risk_CSV", tmp_path)
        at_risk = bu.read_csv(path)
        assert len(at_risk) > 0 and at_risk["customer_id"].notna().all()
        assert set(at_risk["region"]) > {regions[0]}  # the whole company
        # the Data page reads, without the upload (loads are the data steward's)
        pg.goto(f"{url}/data-loads")
        bu.wait_idle(pg)
        assert pg.get_by_text("Loading files is for data stewards").count() == 1
        assert pg.locator('[data-testid="stFileUploader"]').count() == 0
    ev = access.events(store, action="export", actor="ana@x.org")
    assert list(ev["target"]) == [path.name]


def test_finance_may_publish_and_a_person_without_a_role_sees_nothing(app):
    url, store = app
    with bu.browser_page() as pg:
        sign_in(pg, url, "fin")
        assert nav(pg) == [*[p for p in FIGURE_PAGES if p != "Segment comparison"],
                           "Assumptions"]
        pg.goto(f"{url}/finance-assumptions")
        bu.wait_idle(pg)
        assert pg.get_by_text("Start a draft", exact=False).count() >= 1
        line = pg.get_by_text("Changes and publications are recorded as").inner_text()
        assert line.replace("\u2060", "") == "Changes and publications are recorded as fin@x.org."
    with bu.browser_page() as pg:
        sign_in(pg, url, "north")
        pg.goto(f"{url}/finance-assumptions")
        bu.wait_idle(pg)
        assert pg.get_by_text("Drafts and publishing are for the finance role").count() == 1
        assert pg.get_by_text("Start a draft", exact=False).count() == 0
    with bu.browser_page() as pg:
        sign_in(pg, url, "nobody")
        assert pg.get_by_text("no role has been given to you yet").count() == 1
        assert pg.locator('[data-testid="stMetric"]').count() == 0
        assert nav(pg) == []
        # signing out ends the session at the provider too (its end-session page), then the
        # app asks for a sign-in again
        pg.get_by_role("button", name="Sign out").click()
        pg.wait_for_url("**/oauth2/end_session**", timeout=60_000)
        pg.get_by_role("button", name="End session").click()
        pg.goto(url)
        pg.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    ev = access.events(store)
    assert ev.loc[ev["actor"] == "nobody@x.org", "action"].tolist()[-1:] == ["refused"]
    assert "sign_out" in set(ev.loc[ev["actor"] == "nobody@x.org", "action"])
