"""Deep links in a real browser: every page opens by its own URL on a freshly started server —
the first session of the process included — with its title, no "Page not found" dialog, no
console error, and a sidebar that never lists anything but the app's own navigation (watched
from the first paint, before the first script run ends)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import browser_util as bu

pytestmark = pytest.mark.browser

#: Installed before any page script: records, at every change of the document from its first
#: node on, the sidebar navigation's link texts and any dialog on screen.
WATCH = """
(() => {
  window.__cx = {navs: [], dialogs: []};
  const sample = () => {
    const nav = document.querySelector('[data-testid="stSidebarNav"]');
    if (nav) {
      // a link's text is its icon's ligature name, then its title: keep the title
      const links = [...nav.querySelectorAll('a')].map(
        a => (a.innerText || '').split('\\n').filter(Boolean).pop() || '');
      const last = window.__cx.navs[window.__cx.navs.length - 1];
      const key = JSON.stringify(links);
      if (last !== key) window.__cx.navs.push(key);
    }
    for (const d of document.querySelectorAll('[role="dialog"]')) {
      // textContent: a dialog still fading in has no rendered text yet
      window.__cx.dialogs.push((d.textContent || '').slice(0, 200));
    }
  };
  new MutationObserver(sample).observe(document, {subtree: true, childList: true,
                                                  attributes: true, characterData: true});
})();
"""

PAGES = bu.app_pages()
TITLES = [title for title, _, _ in PAGES]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    """A server of its own, started for this module: its first session is a deep link."""
    log = tmp_path_factory.mktemp("links") / "server.log"
    with bu.served_app({"CX_WAREHOUSE_URL": f"duckdb:///{demo_db}",
                        "CX_STALE_DAYS": "8"}, log) as url:
        yield url, log


def _open(url: str):
    """A fresh browser session at ``url``; returns (page, watched states) once drawn."""
    ctx = bu.browser_page()
    pg = ctx.__enter__()
    pg.add_init_script(WATCH)
    pg.goto(url)
    pg.wait_for_selector("h1", timeout=60_000)
    bu.wait_idle(pg)
    pg.wait_for_timeout(500)  # a late dialog or navigation change would show by now
    return ctx, pg


def _check(pg, title: str, path: str) -> None:
    import json

    assert pg.locator("h1").first.inner_text().strip() == title
    seen = pg.evaluate("window.__cx")
    assert not seen["dialogs"], seen["dialogs"]
    assert pg.get_by_text("Page not found").count() == 0
    navs = [json.loads(n) for n in seen["navs"]]
    assert navs, "the sidebar navigation never appeared"
    for links in navs:  # never another list (the pages/ folder's file names), in app order
        assert links and links == TITLES[:len(links)], links
    assert navs[-1] == TITLES
    # the page's own link is the active one
    active = pg.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
    assert active.count() == 1 and title in active.inner_text()
    # no console error at all: not even Streamlit's base-URL probes of a page URL
    # (streamlit/streamlit#7074), which the launcher's page makes unneeded
    assert pg.errors == [], pg.errors
    assert not [u for u in pg.failed if "/_stcore/" in u], pg.failed
    # the demo world of the tests is old: one quiet line says so, once
    stale = pg.locator(".st-key-stale_data")
    assert stale.count() == 1
    assert re.search(r"The newest data is [\d,]+ days old", stale.inner_text())


@pytest.mark.parametrize(("title", "path", "file"), PAGES, ids=[p for _, p, _ in PAGES])
def test_every_page_opens_by_its_url(server, title, path, file):
    url, _ = server
    ctx, pg = _open(f"{url}/{path}")
    try:
        assert pg.url == f"{url}/{path}"
        _check(pg, title, path)
    finally:
        ctx.__exit__(None, None, None)


def test_the_root_opens_weekly_kpis_at_its_url(server):
    url, _ = server
    ctx, pg = _open(f"{url}/")
    try:
        pg.wait_for_url(f"{url}/{PAGES[0][1]}", timeout=30_000)
        _check(pg, TITLES[0], PAGES[0][1])
        # a click in the navigation moves to the page's URL, and back again
        pg.locator('[data-testid="stSidebarNav"] a', has_text="CX in money").click()
        pg.wait_for_url(f"{url}/cx-in-money", timeout=30_000)
        pg.wait_for_function(
            "() => document.querySelector('h1')?.innerText.trim() === 'CX in money'",
            timeout=60_000)
    finally:
        ctx.__exit__(None, None, None)


def test_an_unknown_url_says_so_and_opens_the_first_page(server):
    """A mistyped URL is the one case for Streamlit's own "Page not found" dialog."""
    url, _ = server
    ctx, pg = _open(f"{url}/no-such-page")
    try:
        # the dialog may come after the first page's title on a busy machine: wait for it
        pg.wait_for_function(
            "() => window.__cx.dialogs.some(d => d.includes('Page not found'))"
            " || document.body.textContent.includes('Page not found')", timeout=30_000)
        assert pg.locator("h1").first.inner_text().strip() == TITLES[0]
    finally:
        ctx.__exit__(None, None, None)


def test_no_server_tracebacks(server):
    """Last of the module: the server's log after every page above."""
    _, log = server
    text = Path(log).read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]


def test_the_page_names_its_server_before_streamlit_runs():
    """The launcher's ``index.html``: Streamlit's own, with one script first in ``<head>`` that
    sets the base URL (this origin plus the base URL path, as a JSON string)."""
    from dashboard.ui import serve

    html = "<html><head><title>x</title></head><body></body></html>"
    out = serve.index_with_base_url(html, "")
    assert out == ("<html><head><script>window.__streamlit=Object.assign(window.__streamlit||{},"
                   '{BACKEND_BASE_URL:window.location.origin+"/"});</script>'
                   "<title>x</title></head><body></body></html>")
    assert '+"/cx/ledger"}' in serve.index_with_base_url(html, "/cx/ledger/")
    # a base path is data for the script, never code
    out = serve.index_with_base_url(html, 'a"</script><script>alert(1)')
    assert '+"/a\\"\\u003c/script>\\u003cscript>alert(1)"}' in out
    assert out.count("</script>") == 1
