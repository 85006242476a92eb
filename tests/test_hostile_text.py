"""Customer text is never interpreted: the text helpers of each medium (exports/text.py), then a
hostile world — region, plan, touchpoint, complaint category and contact reason values carrying
markdown, HTML, <script>, KaTeX, URLs, RTL overrides, zero-width characters and formula
prefixes — through every page under AppTest (every markdown element, table cell, chart text and
hover template), the downloads, and a real browser (every page's DOM, and every request it
makes: the app's own host only)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlparse

import pandas as pd
import pytest

from dashboard.exports import files as export
from dashboard.exports import text
from tests import browser_util as bu
from tests.conftest import DEMO_END_WEEK, PAGES, ROOT, every_section, run_every_page

#: What a hostile tester loads: each is put in front of a real value ("<payload> East").
PAYLOADS = (
    "[md link](https://evil.example/a)",
    '<a href="https://evil.example/b">html link</a>',
    "<b>bold</b> **strong** _em_",
    '<img src=x onerror="alert(1)">',
    "<script>alert(2)</script>",
    "$x^2$ katex",
    "https://evil.example/c www.evil.example",
    "\u202egnp.exe",
    "zero\u200bwidth",
    '=HYPERLINK("https://evil.example/d","x")',
    "@SUM(1)",
    "-Q+1 -- :smile: :material/home: 1. # h %{y}",
)


# --- the helpers, by hand ---------------------------------------------------------------------


def test_markdown_escapes_every_construct():
    J = "\u2060"
    assert text.markdown("<b>x</b> **y** _z_ [l](u) $k$ ~s~ `c` #h |t| {a} &amp; !") == (
        r"\<b\>x\</b\> \*\*y\*\* \_z\_ \[l\](u) \$k\$ \~s\~ \`c\` \#h \|t\| \{a\} \&amp; \!")
    assert text.markdown("https://e.x www.e.x a@b.c") == f"https:{J}//e.x www{J}.e.x a@{J}b.c"
    assert text.markdown("a -- b :smile: :material/home:") == (
        f"a -{J}- b :{J}smile: :{J}material/home:")
    assert text.markdown("- item\n1. first\n+ plus") == "\\- item\n1\\. first\n\\+ plus"
    # ordinary text is left alone: times, ratios, labels
    assert text.markdown("Filters: all · 12:30 · n = 1,234 (95%)") == (
        "Filters: all · 12:30 · n = 1,234 (95%)")


def test_invisible_and_direction_characters_are_shown():
    assert text.visible("\u202egnp.exe") == "<U+202E>gnp.exe"
    assert text.visible("a\u200bb\ufeffc\x07d") == "a<U+200B>b<U+FEFF>c<U+0007>d"
    # Persian needs the zero-width non-joiner and the direction marks: kept
    assert text.visible("می\u200cخواهم \u200f") == "می\u200cخواهم \u200f"
    assert text.markdown("\u202ex") == r"\<U+202E\>x"


def test_plotly_html_and_cell_helpers():
    assert text.plotly('<a href="u">$x$ %{y}</a> & co') == (
        '&lt;a href="u"&gt;&#36;x&#36; %{y}&lt;/a&gt; &amp; co')
    assert text.plotly_template("<b>%{y}</b> 5%") == "&lt;b&gt;&#37;{y}&lt;/b&gt; 5&#37;"
    assert text.html('<img src=x onerror="a">') == "&lt;img src=x onerror=&quot;a&quot;&gt;"
    assert [text.cell(v) for v in ("=1+1", "@SUM(1)", "+Q", "-Q+1", "\tx", "+17.1", "-4.5%",
                                   "plain", 3)] == [
        "'=1+1", "'@SUM(1)", "'+Q", "'-Q+1", "'\tx", "+17.1", "-4.5%", "plain", 3]


def test_literal_figure_escapes_data_text_once():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["<b>a</b>", "$b$"], y=[1, 2], name="<i>n</i>",
                           customdata=[["<s>", 1], ["ok", 2]]))
    fig.update_layout(title="<a href='u'>t</a>", xaxis_title="$x$",
                      yaxis={"ticktext": ["<b>t</b>"], "tickvals": [1]})
    text.literal_figure(fig)
    text.literal_figure(fig)  # a second call changes nothing
    t = fig.data[0]
    assert list(t.x) == ["&lt;b&gt;a&lt;/b&gt;", "&#36;b&#36;"]
    assert t.name == "&lt;i&gt;n&lt;/i&gt;" and t.customdata[0][0] == "&lt;s&gt;"
    assert fig.layout.title.text == "&lt;a href='u'&gt;t&lt;/a&gt;"
    assert fig.layout.xaxis.title.text == "&#36;x&#36;"
    assert list(fig.layout.yaxis.ticktext) == ["&lt;b&gt;t&lt;/b&gt;"]


# --- a hostile world --------------------------------------------------------------------------

HOSTILE_COLUMNS = {"customers": ("region", "plan"), "survey_responses": ("touchpoint",),
                   "complaints": ("category",), "contacts": ("reason",)}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A small demo world whose text values carry the payloads, built like the demo."""
    from dashboard.intake import demo
    from dashboard.warehouse import build

    frames = demo.generate(customers=3000, seed=11, end_week=DEMO_END_WEEK)
    i = 0
    for table, cols in HOSTILE_COLUMNS.items():
        df = frames[table]
        for col in cols:
            values = sorted(df[col].dropna().unique())
            mapping = {v: f"{PAYLOADS[(i + k) % len(PAYLOADS)]} {v}"
                       for k, v in enumerate(values)}
            i += len(values)
            df[col] = df[col].map(lambda v, m=mapping: m.get(v, v)).astype(object)
    path = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    build.build(raw, path, {k: frames[k] for k in build.TRUTH_TABLES})
    return path


#: Payloads that markdown or plotly would interpret when shown raw.
MARKUP = tuple(p for p in PAYLOADS if any(c in p for c in "<>[]$*_:@-"))
#: Payloads plotly would interpret (tags, links, LaTeX); it reads no markdown. In a hover
#: template, a placeholder (%{…}) too.
CHART_MARKUP = tuple(p for p in PAYLOADS if any(c in p for c in "<>$"))
TEMPLATE_MARKUP = tuple(p for p in PAYLOADS if any(c in p for c in "<>$%"))


def _markdown_texts(at) -> list[str]:
    """Every string of the run that Streamlit renders as markdown."""
    out: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "subheader", "header"):
        out += [e.value for e in at.get(kind)]
    out += [m.label for m in at.metric] + [m.help or "" for m in at.metric]
    out += [e.label for e in at.get("expander")]
    for t in at.table:
        df = t.value
        out += [str(v) for v in df.index] + [str(v) for v in df.to_numpy().ravel()]
    return out


def _strings(node, skip=("hovertemplate", "texttemplate")):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in skip:
                yield from _strings(v, skip)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, skip)


def _templates(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("hovertemplate", "texttemplate") and isinstance(v, str):
                yield v
            else:
                yield from _templates(v)
    elif isinstance(node, list):
        for v in node:
            yield from _templates(v)


def test_every_page_shows_hostile_text_literally(hostile_db, tmp_path):
    shown = {"md": 0, "chart": 0}

    def visit(page, at):
        for _ in every_section(at):  # every lazy section of the page opened in turn
            assert not at.exception, (page, at.exception)
            for s in _markdown_texts(at):
                for p in MARKUP:
                    assert p not in s, (page, p, s)
                shown["md"] += any(text.markdown(p) in s for p in MARKUP)
            for chart in at.get("plotly_chart"):
                spec = json.loads(chart.proto.spec)
                strings = list(_strings(spec))
                for p in CHART_MARKUP:
                    assert not any(p in s for s in strings), (page, p)
                for p in TEMPLATE_MARKUP:
                    assert not any(p in t for t in _templates(spec)), (page, p)
                shown["chart"] += sum(text.plotly(p) in s for s in strings
                                      for p in CHART_MARKUP)

    runs = run_every_page(f"duckdb:///{hostile_db}", tmp_path, visit=visit)
    assert set(runs) == set(PAGES)
    # not vacuous: the hostile values did reach the screen and the charts, as literal text
    assert shown["md"] > 0 and shown["chart"] > 0, shown


def test_downloads_of_hostile_values_are_inert():
    df = pd.DataFrame({"region": [f"{p} East" for p in PAYLOADS], "n": range(len(PAYLOADS))})
    back = pd.read_csv(io.BytesIO(export.csv_bytes(df)), encoding="utf-8-sig", dtype=str)
    for raw, got in zip(df["region"], back["region"], strict=True):
        assert got == text.cell(raw)  # the value as given, an apostrophe before a formula
        assert not got.startswith(("=", "@", "+", "-"))
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(df, "t"))).active
    cells = [c for row in ws.iter_rows() for c in row if c.column == 1][1:]
    assert [c.value for c in cells] == list(df["region"])
    assert all(c.data_type == "s" for c in cells)  # text, never a formula


def test_streamlit_table_export_is_disabled():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


# --- a real browser ---------------------------------------------------------------------------

#: Each page's address (the default page lives at the root).
PATHS = ("", "satisfaction-trends", "complaints-recovery", "cost-to-serve", "churn-retention",
         "segment-comparison", "cx-in-money", "impact-simulator", "finance-assumptions",
         "data-loads")

_DOM_JS = """() => {
    const hrefs = [...document.querySelectorAll('a')].map(a =>
        a.getAttribute('href') || a.getAttribute('xlink:href') ||
        a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '');
    const styled = [...document.querySelectorAll('b, strong, em, i')].map(e => e.textContent);
    const katex = document.querySelectorAll('.katex, .katex-mathml, mjx-container').length;
    const handlers = [...document.querySelectorAll('*')].flatMap(e =>
        [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name));
    const scripts = [...document.querySelectorAll('script')].map(s => s.textContent)
        .filter(t => t.includes('alert('));
    const imgs = [...document.querySelectorAll('img')].map(i => i.getAttribute('src'))
        .filter(s => s === 'x');
    return {hrefs, styled, katex, handlers, scripts, imgs,
            text: document.body.innerText};
}"""


@pytest.mark.browser
def test_hostile_world_in_the_browser_and_no_foreign_request(hostile_db, tmp_path):
    env = {"CX_WAREHOUSE_URL": f"duckdb:///{hostile_db}",
           "CX_APP_STORE_URL": f"sqlite:///{tmp_path}/store.sqlite"}
    with bu.served_app(env, tmp_path / "server.log") as url, bu.browser_page() as pg:
        own = urlparse(url).netloc
        requests: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        shown = 0
        for path in PATHS:
            pg.goto(f"{url}/{path}")
            pg.wait_for_selector("h1", timeout=60_000)
            bu.wait_idle(pg)
            dom = pg.evaluate(_DOM_JS)
            assert not [h for h in dom["hrefs"] if "evil.example" in h], (path, dom["hrefs"])
            assert not [s for s in dom["styled"]
                        if s.strip() in ("bold", "strong", "em", "html link", "md link")], path
            assert dom["katex"] == 0, path
            assert dom["handlers"] == [], (path, dom["handlers"])
            assert dom["scripts"] == [] and dom["imgs"] == [], path
            assert pg.locator('[data-testid="stException"]').count() == 0, path
            shown += sum(p.split(" ")[0].replace("\u2060", "") in dom["text"].replace(
                "\u2060", "") for p in MARKUP)
            # chart text: tick labels, legend and titles drawn by plotly are literal
            svg = pg.evaluate("() => [...document.querySelectorAll('.js-plotly-plot svg a')]"
                              ".length")
            assert svg == 0, path
        assert shown > 0
        foreign = sorted({u for u in requests
                          if urlparse(u).scheme in ("http", "https", "ws", "wss")
                          and urlparse(u).netloc != own})
        assert foreign == [], foreign
