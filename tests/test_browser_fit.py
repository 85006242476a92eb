"""Nothing cut off: every page at 1280 and 1440 px wide, in Chromium, with no tile label and no
table header truncated unless it carries its full text as a tooltip, and every table wider than
the page keeping its first column in view while it scrolls."""

from __future__ import annotations

import pytest

from tests import browser_util as bu

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1440)

#: Text cut off in the DOM: an element whose content is wider than its box (an ellipsis or a
#: hidden overflow), unless it or its tile carries the whole text as a ``title`` tooltip.
_CUT_JS = """() => {
    const cut = (el) => el.scrollWidth > el.clientWidth + 1;
    const out = [];
    for (const label of document.querySelectorAll('[data-testid="stMetricLabel"]')) {
        const text = label.innerText.trim();
        const titled = [label, ...label.querySelectorAll('[title]')]
            .some(e => (e.getAttribute('title') || '').includes(text));
        if (!titled && [label, ...label.querySelectorAll('*')].some(cut))
            out.push('tile label: ' + text);
    }
    for (const cell of document.querySelectorAll('[data-testid="stTable"] th')) {
        if (cut(cell) && !(cell.getAttribute('title') || '').includes(cell.innerText.trim()))
            out.push('table header: ' + cell.innerText.trim());
    }
    return out;
}"""

#: st.dataframe draws a canvas (glide-data-grid); its accessible table lists the columns in
#: view. A column without a width set is sized to its widest of header and cells, up to
#: ``maxColumnAutoWidth`` (31.25rem = 500 px in Streamlit 1.67): a header is cut only when it
#: is wider than that, measured here with the grid's own header font and cell padding. A grid
#: wider than its box scrolls; scrolled to its right end, its first column must still be in
#: the accessible table (pinned), so every row keeps its name in view. Streamlit freezes pinned
#: columns only while they take at most 60% of the grid's width: a pinned first column that
#: is too wide is caught here too.
_GRIDS_JS = """async () => {
    const ctx = document.createElement('canvas').getContext('2d');
    const out = [];
    // one in a closed expander is not drawn until it is opened: skipped
    const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .filter(f => !f.closest('details') || f.closest('details').open);
    for (const [i, frame] of grids.entries()) {
        // a grid draws (and fills its accessible table) once scrolled into view
        frame.scrollIntoView({block: 'center'});
        for (let t = 0; t < 100 && !frame.querySelector('table[role="grid"] th'); t++)
            await new Promise(r => setTimeout(r, 100));
        if (!frame.querySelector('table[role="grid"] th')) {
            out.push(`table ${i}: not drawn within 10 s`);
            continue;
        }
        const editor = frame.querySelector('.stDataFrameGlideDataEditor');
        const style = getComputedStyle(editor);
        ctx.font = style.getPropertyValue('--gdg-header-font-style') + ' '
            + style.getPropertyValue('--gdg-font-family');
        const pad = 2 * parseFloat(style.getPropertyValue('--gdg-cell-horizontal-padding'));
        const heads = () => [...frame.querySelectorAll('table[role="grid"] th')];
        const first = heads().find(th => th.getAttribute('aria-colindex') === '1');
        const name = first ? first.innerText : '?';
        for (const th of heads()) {
            if (ctx.measureText(th.innerText).width + pad > 500)
                out.push(`table ${i} (${name}): header too wide: ${th.innerText}`);
        }
        // a table with no rows draws one placeholder row ("empty" on the canvas, no text in
        // the accessible table): it has no row names to keep in view, and Streamlit freezes
        // nothing then
        const body = [...frame.querySelectorAll('table[role="grid"] tbody tr')];
        const empty = body.length === 1 && ['', 'empty'].includes(body[0].innerText.trim());
        const scroller = frame.querySelector('.dvn-scroller');
        if (!empty && scroller && scroller.scrollWidth > scroller.clientWidth + 1) {
            scroller.scrollLeft = scroller.scrollWidth;
            scroller.dispatchEvent(new Event('scroll'));
            await new Promise(r => setTimeout(r, 400));
            const still = heads().some(th => th.getAttribute('aria-colindex') === '1');
            if (!still) out.push(`table ${i} (${name}): scrolls with its first column out of view`);
            scroller.scrollLeft = 0;
        }
    }
    return out;
}"""


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with bu.served_app({"CX_WAREHOUSE_URL": f"duckdb:///{demo_db}"}, log) as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_cut_off(server, width):
    problems = []
    with bu.browser_page() as pg:
        pg.set_viewport_size({"width": width, "height": 900})
        for title, path, _ in bu.app_pages():
            pg.goto(f"{server}/{path}")
            pg.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            bu.wait_idle(pg, timeout=120_000)
            pg.wait_for_timeout(500)
            found = pg.evaluate(_CUT_JS) + pg.evaluate(_GRIDS_JS)
            problems += [f"{title} at {width} px: {p}" for p in found]
    assert not problems, "\n".join(problems)


