"""The app in Persian, in Chromium, page by page on the Persian demo world (issue 18's "done
when"): the document runs right to left, tiles show Persian digits only, week labels are
Jalali, no English is left on screen (product names such as NPS, CSAT and CES aside) and no
two texts overlap. The first screen of every page is saved under artifacts/persian/."""

from __future__ import annotations

import re

import pytest

from tests import browser_util as bu
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

PAGES = bu.app_pages()
#: Latin words allowed on a Persian screen: product and method names, units and codes.
ALLOWED = {"NPS", "CSAT", "CES", "CX", "Ledger", "CSV", "PNG", "SVG", "XLSX", "PPTX", "PDF",
           "P10", "P90", "BH", "KM"}
#: Jalali month names (a week label in Persian names one).
JALALI = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
          "دی", "بهمن", "اسفند")

#: Every visible text node's words and box, and every tile value, read from the page.
_READ_JS = """() => {
    const out = {texts: [], tiles: [], dir: getComputedStyle(document.querySelector('.stApp'))
                 .direction};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        const t = n.textContent.trim();
        if (!t || !el || el.closest('script, style, [aria-hidden="true"]')) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.display === 'none') continue;
        const range = document.createRange(); range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        out.texts.push({t, x: r.left, y: r.top, w: r.width, h: r.height,
                        chart: !!el.closest('.js-plotly-plot'),
                        icon: s.fontFamily.includes('Material')});
    }
    for (const v of document.querySelectorAll('[data-testid="stMetricValue"]'))
        out.tiles.push(v.innerText.trim());
    return out;
}"""


@pytest.fixture(scope="module")
def server(demo_wh_fa, tmp_path_factory):
    log = tmp_path_factory.mktemp("persian") / "server.log"
    with bu.served_app({"CX_WAREHOUSE_URL": f"duckdb:///{demo_wh_fa.path}", "CX_LOCALE": "fa",
                        "CX_STALE_DAYS": "100000"}, log) as url:
        yield url


def _english(texts: list[dict]) -> list[str]:
    words = set()
    for item in texts:
        if item["icon"]:
            continue
        for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", item["t"]):
            if w not in ALLOWED:
                words.add(w)
    return sorted(words)


def _overlaps(texts: list[dict]) -> list[tuple[str, str]]:
    boxes = [t for t in texts if not t["chart"] and not t["icon"]]
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > 2 and dy > 2:
                out.append((a["t"][:40], b["t"][:40]))
    return out


@pytest.mark.parametrize(("title", "path", "file"), PAGES, ids=[p for _, p, _ in PAGES])
def test_every_page_in_persian(server, title, path, file):
    with bu.browser_page() as pg:
        pg.set_viewport_size({"width": 1440, "height": 900})
        pg.goto(f"{server}/{path}?lang=fa")
        pg.wait_for_selector("h1", timeout=120_000)
        bu.wait_idle(pg)
        pg.wait_for_timeout(800)
        seen = pg.evaluate(_READ_JS)
        shots = ROOT / "artifacts" / "persian"
        shots.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(shots / f"{path}.png"))
        assert seen["dir"] == "rtl"
        assert not [v for v in seen["tiles"] if re.search(r"[0-9]", v)], seen["tiles"]
        assert _english(seen["texts"]) == [], path
        everything = " ".join(t["t"] for t in seen["texts"])
        if seen["tiles"]:
            assert any(m in everything for m in JALALI), "no Jalali week label"
        assert _overlaps(seen["texts"]) == [], path
        assert pg.errors == [], pg.errors
