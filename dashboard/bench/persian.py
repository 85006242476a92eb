"""The app in Persian, read in Chromium page by page (``python -m dashboard.bench.persian``):
for each page of the navigation, whether the document runs right to left, the tiles whose
value carries a Latin digit, the English words left on screen (product and method names such
as NPS, CSAT and CES aside) with the texts holding them, whether a Jalali month names a week,
and the texts whose boxes overlap. The first screen of each page is saved as a PNG.

Serves the Persian demo world (built in a temporary folder) unless ``--url`` names a
warehouse. Needs Playwright and Debian's Chromium (``CX_CHROMIUM``).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.bench import browser as sessions
from dashboard.warehouse import config

#: Latin words a Persian screen may show: product and method names, units and codes.
ALLOWED = frozenset({"NPS", "CSAT", "CES", "CX", "Ledger", "CSV", "PNG", "SVG", "XLSX", "PPTX",
                     "PDF", "P10", "P50", "P90", "UTC", "BH", "KM", "CLV", "ISO",
                     # ISO 4217 codes beside their Persian names: «تومان (IRT)»
                     "IRT", "IRR", "USD", "EUR"})
#: Code and data a Persian screen shows as they are: identifiers and paths (``survey_responses.
#: responded_at``, ``queries/….sql``, ``cost_per_contact_<channel>``) and assumption set ids.
CODE = re.compile(r"\S*\w[_./<>]\w\S*|\b(?:published|draft)(?:\s+v\d+)?\b"
                  r"|\bpython -m dashboard [^،؛]*")
#: Columns whose cells are data shown as loaded (customer ids) or identifiers a person types
#: (assumption keys): English headers, compared in Persian.
LITERAL_COLUMNS = ("Customer id", "Key")
#: The data contract's table names, identifiers a data steward types (the Data page shows
#: «مشتریان (customers)»).
TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions",
          "assumptions")
#: Jalali month names: a week label in Persian names one.
JALALI = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
          "دی", "بهمن", "اسفند")
#: Where the pictures go.
OUT_DIR = config.ROOT / "artifacts" / "persian"

#: Every visible text node's text and box (Streamlit's own skip link and icons set apart), every
#: tile value, and the document's direction.
READ_JS = """() => {
    const out = {texts: [], tiles: [], dir: getComputedStyle(document.querySelector('.stApp'))
                 .direction};
    // a text laid out inside a box of no size (a collapsing container) is not on screen
    const clipped = (el, r) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const st = getComputedStyle(a);
            // (a box that clips but has a size may be the app's frame: the main area scrolls)
            if (!['hidden', 'clip'].includes(st.overflowY)) continue;
            const b = a.getBoundingClientRect();
            if (b.height < 1 || b.width < 1) return true;
        }
        return false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        const t = n.textContent.trim();
        if (!t || !el || el.closest('script, style, [aria-hidden="true"], '
                                    + '[data-testid="stDataFrame"]')) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.display === 'none' || !el.checkVisibility(
                {contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true}))
            continue;
        const range = document.createRange(); range.selectNodeContents(n);
        // one box a line (a paragraph's bold lead and its text share lines without overlapping)
        const lines = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0
                                                         && r.right > 0 && r.bottom > 0);
        if (!lines.length || clipped(el, lines[0])) continue;
        out.texts.push({t, boxes: lines.map(r => [r.left, r.top, r.width, r.height]),
                        chart: !!el.closest('.js-plotly-plot'),
                        // icons, and Streamlit's skip link (hidden until focused by keyboard)
                        icon: s.fontFamily.includes('Material')
                              || !!el.closest('[data-testid="stSkipToContent"]'),
                        code: !!el.closest('code, pre'),
                        // drawn with the font that writes Latin digits as Persian ones
                        digits: s.fontFamily.startsWith('"CX Persian Digits"')});
    }
    // a table's cells are drawn on a canvas; its accessible copy holds their text
    for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
        const r = grid.getBoundingClientRect();
        if (!grid.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})
            || r.width === 0 || clipped(grid, r)) continue;
        const heads = {};
        for (const th of grid.querySelectorAll('th'))
            heads[th.getAttribute('aria-colindex')] = th.textContent.trim();
        for (const cell of grid.querySelectorAll('th, td')) {
            const t = cell.textContent.trim();
            if (t) out.texts.push({t, boxes: [], chart: false, icon: false, code: false,
                                   cell: true, col: cell.tagName === 'TD'
                                   ? heads[cell.getAttribute('aria-colindex')] || '' : ''});
        }
    }
    for (const v of document.querySelectorAll('[data-testid="stMetricValue"]'))
        out.tiles.push(v.innerText.trim());
    return out;
}"""


@dataclass
class PageReading:
    """What one page showed in Persian."""

    path: str
    direction: str = ""
    latin_tiles: list[str] = field(default_factory=list)
    latin_numbers: list[str] = field(default_factory=list)  # texts holding a Latin digit
    english: dict[str, list[str]] = field(default_factory=dict)  # word -> texts holding it
    jalali_week: bool = False
    tiles: int = 0
    overlaps: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        words = ", ".join(sorted(self.english)) or "none"
        return (f"{self.path:<22} dir {self.direction}; tiles {self.tiles}, Latin digits in "
                f"{len(self.latin_tiles)} (in {len(self.latin_numbers)} other texts); Jalali "
                f"week {'yes' if self.jalali_week else 'no'}; overlaps {len(self.overlaps)}; "
                f"English words: {words}")


def english_words(texts: list[dict]) -> dict[str, list[str]]:
    """The Latin words (three letters or more) not in ``ALLOWED``, each with the texts holding
    it; chart-drawn texts count too, icons and the skip link do not."""
    out: dict[str, list[str]] = {}
    names = _source_names()
    for item in texts:
        if item["icon"] or item.get("code") or _literal(item):
            continue
        for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", CODE.sub(" ", item["t"])):
            if w not in ALLOWED and w not in TABLES and w not in names:
                out.setdefault(w, []).append(item["t"][:160])
    return out


_ALLOWED_WORD = re.compile(r"\b(?:" + "|".join(sorted(ALLOWED)) + r")\b")


def _source_names() -> frozenset[str]:
    """The proper names of the quoted sources' citations (publishers, authors, titles: ``Harvard
    Business Review``, ``McKinsey``), kept as published inside a Persian citation."""
    from dashboard.money.inputs import CITATIONS

    words = {w for c in CITATIONS for w in re.findall(r"\b[A-Z][A-Za-z'-]+", c)}
    return frozenset(words - {"The", "August"})  # a title's article, a month: words


def _literal(item: dict) -> bool:
    """A table cell of a column of data shown as loaded (``LITERAL_COLUMNS``), or a quoted
    source's citation as published (``money.inputs.CITATIONS``)."""
    from dashboard import i18n
    from dashboard.money.inputs import CITATIONS

    if item["t"] in CITATIONS:
        return True
    if not item.get("col"):
        return False
    with i18n.use("fa"):
        return item["col"] in {i18n._(c) for c in LITERAL_COLUMNS}


def latin_numbers(texts: list[dict]) -> list[str]:
    """The texts (charts, code and names such as P10 aside) that write a number in Latin
    digits."""
    out = []
    for item in texts:
        if (item["icon"] or item.get("code") or item["chart"] or item.get("digits")
                or _literal(item)):
            continue
        bare = _ALLOWED_WORD.sub(" ", CODE.sub(" ", item["t"]))
        if re.search(r"[0-9]", bare):
            out.append(item["t"][:160])
    return out


def overlaps(texts: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts (outside charts) whose line boxes overlap by more than 2 px each way."""
    lines = [(t["t"], box) for t in texts if not t["chart"] and not t["icon"]
             for box in t["boxes"]]
    out = []
    for i, (ta, (ax, ay, aw, ah)) in enumerate(lines):
        for tb, (bx, by, bw, bh) in lines[i + 1:]:
            dx = min(ax + aw, bx + bw) - max(ax, bx)
            dy = min(ay + ah, by + bh) - max(ay, by)
            if dx > 2 and dy > 2 and ta is not tb and (ta[:40], tb[:40]) not in out:
                out.append((ta[:40], tb[:40]))
    return out


#: Opens every closed expander on the page (their texts count as on screen once opened).
OPEN_EXPANDERS_JS = """() => { const closed = [...document.querySelectorAll(
    '[data-testid="stExpander"] details:not([open]) > summary')];
    closed.forEach(s => s.click()); return closed.length; }"""


#: True once every table on screen has written its accessible copy (a moment after drawing).
GRIDS_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(g => g.checkVisibility()).every(g => g.querySelector('th'))"""


def _settle(pg) -> None:
    """Wait until the run is over, the charts drawn and the tables' texts written, then a
    moment for the layout."""
    pg.wait_for_function(sessions._IDLE_JS, timeout=120_000)
    pg.wait_for_function(GRIDS_JS, timeout=30_000)
    pg.wait_for_timeout(800)


def _read_opened(pg) -> dict:
    """The page's texts with every expander opened (a lazy one runs the page again to draw
    its content: waited for as a run)."""
    if pg.evaluate(OPEN_EXPANDERS_JS):
        pg.wait_for_timeout(600)
        _settle(pg)
    return pg.evaluate(READ_JS)


def read_page(pg, url: str, path: str, out_dir: Path | None = OUT_DIR) -> PageReading:
    """Open ``path`` in Persian on a fresh page, wait until drawn, picture its first screen,
    then read it with every expander open — and again with each of its tabs opened in turn
    (a lazy section is drawn only when its tab is open)."""
    reading = PageReading(path)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(f"{url}/{path}?lang=fa")
    pg.wait_for_selector("h1", timeout=120_000)
    _settle(pg)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(out_dir / f"{path}.png"))
    readings = [_read_opened(pg)]
    tabs = pg.locator('[data-testid="stTab"]')
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        if tab.get_attribute("aria-selected") == "true":
            continue
        tab.click()
        pg.wait_for_timeout(400)
        _settle(pg)
        readings.append(_read_opened(pg))
    first = readings[0]
    reading.direction = first["dir"]
    reading.tiles = len(first["tiles"])
    for seen in readings:
        reading.latin_tiles += [v for v in seen["tiles"] if re.search(r"[0-9]", v)
                                and v not in reading.latin_tiles]
        reading.latin_numbers += [t for t in latin_numbers(seen["texts"])
                                  if t not in reading.latin_numbers]
        for word, texts in english_words(seen["texts"]).items():
            reading.english.setdefault(word, []).extend(texts)
        everything = " ".join(t["t"] for t in seen["texts"])
        reading.jalali_week = reading.jalali_week or any(m in everything for m in JALALI)
        reading.overlaps += [o for o in overlaps(seen["texts"]) if o not in reading.overlaps]
    reading.errors = errors
    return reading


def walk(url: str, pages: list[tuple[str, str]], out_dir: Path | None = OUT_DIR
         ) -> list[PageReading]:
    """Read every ``(title, url path)`` page in Persian, each in a fresh 1440 × 900 session."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(sessions.CHROMIUM), args=sessions.ARGS)
        try:
            for _title, path in pages:
                pg = browser.new_page(viewport={"width": 1440, "height": 900})
                try:
                    out.append(read_page(pg, url, path, out_dir))
                finally:
                    pg.close()
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the Persian demo world (or take ``--url``), serve it in Persian and read every
    page; print a line a page and the English texts left."""
    from dashboard.ui.navigation import PAGES

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=None, help="a warehouse URL instead of the Persian demo")
    p.add_argument("--out", default=str(OUT_DIR))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cx-persian-") as tmp:
        url = args.url
        if url is None:
            from dashboard.cli import main as cli

            path = Path(tmp) / "warehouse.duckdb"
            code = cli(["demo", "--customers", "20000", "--seed", "7", "--end-week",
                        "2026-W44", "--locale", "fa", "--out", str(path)])
            if code:
                return code
            url = f"duckdb:///{path}"
        env = {"CX_WAREHOUSE_URL": url, "CX_LOCALE": "fa", "CX_STALE_DAYS": "100000",
               "CX_APP_STORE_URL": f"sqlite:///{Path(tmp) / 'store.sqlite'}"}
        with sessions.serve(env, Path(tmp) / "server.log", timeout=120) as served:
            readings = walk(served, [(pg.title, pg.url_path) for pg in PAGES], Path(args.out))
    for r in readings:
        print(r.line())
        for word, texts in sorted(r.english.items()):
            print(f"    {word}: {texts[0]!r}")
        for text in r.latin_numbers[:12]:
            print(f"    Latin digits: {text!r}")
        for a, b in r.overlaps[:8]:
            print(f"    overlap: {a!r} / {b!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
