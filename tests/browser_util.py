"""Small Playwright helpers of the browser suite (tests/test_browser.py): download buttons,
the data plotly drew, the rows a st.dataframe shows, and the exported files read back."""

from __future__ import annotations

import io
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CX_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: A kaleido image (first one starts a browser in the server process) or a board-pack file.
DOWNLOAD_TIMEOUT = 60_000
#: The one console error the offline test machine always shows: the icon font's fetch.
KNOWN_CONSOLE_ERROR = "net::ERR_NAME_NOT_RESOLVED"
WEEK = re.compile(r"\d{4}-W\d{2}")


def app_pages() -> list[tuple[str, str, str]]:
    """(title, url_path, file) of every page the navigation shows, in its order
    (``dashboard.ui.navigation.PAGES``; English titles)."""
    from dashboard.ui import navigation

    return [(p.title, p.url_path, p.file) for p in navigation.PAGES]


def _source_order(tree, file: str) -> int:
    """Line of the ``st.Page`` call of ``file`` (ast.walk is breadth-first, not in order)."""
    import ast

    return next(n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
                and isinstance(n.args[0], ast.Constant) and n.args[0].value == file)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_app(env: dict[str, str], log_path: Path, port: int | None = None) -> Iterator[str]:
    """The app served by ``streamlit run`` with ``env`` added to the environment; yields its
    URL once healthy (the test fails after 60 s), output in ``log_path``. A missing browser is a
    failure, never a skip: `make test` installs Debian's chromium."""
    from dashboard.bench import browser as browser_sessions

    assert CHROMIUM.exists(), f"{CHROMIUM} missing: apt-get install chromium (make test does)"
    server = browser_sessions.serve(env, log_path, port=port)
    try:
        url = server.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@contextmanager
def browser_page(**options) -> Iterator:
    """A Chromium page (1600 × 1100, ``options`` passed on) whose console errors collect in
    ``page.errors``, each with the resource it names, and the URLs the server answered with an
    error status in ``page.failed``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(**{"viewport": {"width": 1600, "height": 1100}, **options})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(console_error(m)) if m.type == "error"
              else None)
        pg.errors = errors
        failed: list[str] = []
        pg.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        pg.failed = failed
        try:
            yield pg
        finally:
            browser.close()


def console_error(msg) -> str:
    """A console error as text, with the URL it is about when there is one."""
    url = (msg.location or {}).get("url")
    return f"{msg.text} [{url}]" if url else msg.text


def unexpected_errors(errors: list[str]) -> list[str]:
    """Console errors other than the icon font's fetch. (A page opened at its own URL used to
    add two 404s of Streamlit's base-URL probes; the launcher tells the frontend its base URL,
    ``dashboard/ui/serve.py``, so none is allowed.)"""
    return [e for e in errors if KNOWN_CONSOLE_ERROR not in e]


def button(pg, key: str):
    """The visible button of the widget keyed ``key`` (Streamlit also renders a hidden copy of
    a button that has a help tooltip, hence ``:visible``)."""
    return pg.locator(f".st-key-{key} button:visible")


def download(pg, key: str, dest: Path, timeout: int = DOWNLOAD_TIMEOUT) -> Path:
    """Click the download button keyed ``key`` and save the file under its suggested name."""
    with pg.expect_download(timeout=timeout) as info:
        button(pg, key).click()
    dl = info.value
    assert dl.failure() is None, f"download {key}: {dl.failure()}"
    path = dest / dl.suggested_filename
    dl.save_as(path)
    assert path.stat().st_size > 0, f"download {key}: empty file {path.name}"
    return path


def labels(pg, block: str) -> list[str]:
    """The labels of the visible buttons in the block keyed ``block`` (without the icon's
    ligature text)."""
    return [t.strip() for t in pg.locator(
        f'.st-key-{block} button:visible [data-testid="stMarkdownContainer"]').all_inner_texts()]


def download_labels(pg, key: str) -> list[str]:
    """The labels of the download buttons in the row under the element keyed ``key``, each
    checked to be its button's key suffix (``dl_<key>_<label>``); read from the DOM text, so
    rows in a collapsed expander count too."""
    return pg.evaluate(
        """(key) => {
            const row = document.querySelector('.st-key-dl_' + key);
            if (!row) return [];
            return [...row.querySelectorAll('[data-testid="stDownloadButton"]')].map(b => {
                const box = b.closest('[class*="st-key-dl_' + key + '_"]');
                const label = b.querySelector('[data-testid="stMarkdownContainer"]');
                const text = label ? label.textContent.trim() : '';
                const ok = box && box.classList.contains('st-key-dl_' + key + '_' + text);
                return ok ? text : `${text} (not keyed dl_${key}_${text})`;
            });
        }""", key)


_IMAGE_ROWS_JS = """[...document.querySelectorAll('[data-testid="stHorizontalBlock"]')]
    .flatMap(el => [...el.classList].filter(c => c.startsWith('st-key-dl_')))
    .map(c => c.slice('st-key-dl_'.length))
    .filter(k => document.querySelector('.st-key-dl_' + k + '_PNG'))"""


def wait_idle(pg, timeout: int = 60_000) -> None:
    """Until the script run is over (``stApp``'s script state, which Streamlit's own browser
    tests read; the running-man widget only shows on runs longer than a moment) and every
    chart that has a download row is drawn (plotly loads lazily, after the run). The charts
    are the ones on screen at each check, not a list taken once: a run may remove charts
    (another section opened) and a list taken before it would wait for them forever."""
    pg.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!(app && app.getAttribute('data-test-script-state') === 'notRunning'
                  && app.getAttribute('data-test-connection-state') === 'CONNECTED')) {
                return false;
            }
            return (""" + _IMAGE_ROWS_JS + """).every(k => {
                const el = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
                return el && el.data;
            });
        }""", timeout=timeout)


def open_section(pg, label: str, timeout: int = 60_000) -> None:
    """Open the page's lazy section (``ui.sections``: a tab drawn only when open) labelled
    ``label`` and wait until its run is over and its charts are drawn: the rows of download
    buttons of the section open before (its charts and tables) must have left the page first,
    so the wait cannot end before the run that draws the new section."""
    before = image_rows(pg) + table_rows(pg)
    pg.locator('[data-testid="stTab"]', has_text=label).first.click()
    pg.wait_for_function(
        """(label) => [...document.querySelectorAll('[data-testid="stTab"]')].some(
            t => t.getAttribute('aria-selected') === 'true' && t.innerText.trim() === label)""",
        arg=label, timeout=timeout)
    pg.wait_for_function(
        """(keys) => keys.every(k => !document.querySelector('.st-key-dl_' + k))""",
        arg=before, timeout=timeout)
    wait_idle(pg, timeout)


def image_rows(pg) -> list[str]:
    """The chart keys of the page's chart download rows (``dl_<key>`` holding a PNG button)."""
    return pg.evaluate("() => " + _IMAGE_ROWS_JS)


def table_rows(pg) -> list[str]:
    """The table keys of the page's table download rows (``dl_<key>`` holding an XLSX button)."""
    return pg.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-dl_"][class*="_XLSX"]')]
            .flatMap(el => [...el.classList].filter(c => /^st-key-dl_.+_XLSX$/.test(c)))
            .map(c => c.slice('st-key-dl_'.length, -'_XLSX'.length))""")


def traces(pg, key: str) -> list[dict]:
    """What plotly drew in the chart keyed ``key``: per trace its type, name, mode and x values
    (read from the plot element's live ``data``, i.e. the points in the DOM)."""
    return pg.evaluate(
        """(key) => {
            const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
            if (!el || !el.data) return null;
            return el.data.map(t => ({type: t.type || 'scatter', name: t.name ?? null,
                                      mode: t.mode ?? null, x: Array.from(t.x || [])}));
        }""", key)


def chart_keys(pg) -> list[str]:
    """The widget key of every plotly chart on the page (its container's ``st-key-`` class)."""
    return pg.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(el => {
            const box = el.closest('[class*="st-key-"]');
            const cls = box && [...box.classList].find(c => c.startsWith('st-key-'));
            return cls ? cls.slice('st-key-'.length) : null;
        })""")


_GRID_JS = """(sel) => {
    let el;
    if (sel.after) {
        el = document.querySelector('.st-key-' + sel.after);
        while (el && !el.nextElementSibling) el = el.parentElement;
        el = el && el.nextElementSibling;
    } else if (sel.before) {
        el = document.querySelector('.st-key-' + sel.before);
        while (el && !el.previousElementSibling) el = el.parentElement;
        el = el && el.previousElementSibling;
    } else {
        el = document;
    }
    const grid = el && el.querySelector('[data-testid="stDataFrame"] table[role="grid"]');
    if (!grid) return null;
    return {rowcount: Number(grid.getAttribute('aria-rowcount')),
            rows: [...grid.querySelectorAll('tr')].map(
                r => [...r.querySelectorAll('th, td')].map(c => c.innerText))};
}"""


def grid(pg, before: str | None = None, after: str | None = None,
         timeout: int = 60_000) -> dict:
    """The rows a st.dataframe shows, read from the data grid's accessible table (the grid
    itself is a canvas): ``rowcount`` (header included) and the rendered rows as text. The
    table is the one right before the block keyed ``before`` (its download row) or right after
    the block keyed ``after``; the first of the page when neither is given."""
    sel = {"before": before, "after": after}
    pg.wait_for_function(_GRID_JS, arg=sel, timeout=timeout)
    return pg.evaluate(_GRID_JS, sel)


def screenshot(pg, path: Path, max_height: int = 12_000) -> None:
    """The whole page: Streamlit scrolls inside ``stMain``, so a full-page screenshot shows the
    viewport only; the viewport is stretched to the main area's height for the shot (same
    width, so nothing re-flows) and restored after."""
    size = pg.viewport_size
    height = pg.evaluate(
        """() => document.querySelector('[data-testid="stMain"]')?.scrollHeight || 0""")
    try:
        if height > size["height"]:
            pg.set_viewport_size({"width": size["width"], "height": min(height, max_height)})
            pg.wait_for_timeout(300)
        pg.screenshot(path=str(path), full_page=True)
    finally:
        pg.set_viewport_size(size)


def read_csv(path: Path) -> pd.DataFrame:
    """An exported CSV (UTF-8 with a byte-order mark)."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no UTF-8 byte-order mark"
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")


def xlsx_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """The table of an exported one-table XLSX: the rows under the header row whose cells are
    ``columns`` (title, scope and source lines sit above it)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    for i, row in enumerate(rows):
        if [str(v) for v in row[:len(columns)]] == columns:
            body = [list(r[:len(columns)]) for r in rows[i + 1:]]
            return pd.DataFrame(body, columns=columns)
    raise AssertionError(f"{path.name}: no header row {columns}")


def number(text: str) -> float:
    """A tile's number as shown (``+17.1``, ``−3.0``, ``55.8%``, ``$0.84``) as a float."""
    return float(re.sub(r"[^0-9.+-]", "", text.replace("\u2212", "-")))
