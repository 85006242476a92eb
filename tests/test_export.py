"""Exports of one exhibit (dashboard.exports.files) and the exhibit catalogue
(dashboard.exports.exhibits):
file names, decorated figures, PNG/SVG/PDF images rendered by the system Chromium, CSV and XLSX
data, and customer identifiers kept out of every export."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard.exports import exhibits
from dashboard.exports import files as export
from dashboard.exports.exhibits import Exhibit
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import db

GENERATED = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
SOURCE = "CX Ledger · assumption set published v0 · generated 2026-11-02 09:05 UTC"


@pytest.fixture(scope="module")
def demo(demo_wh, tmp_path_factory):
    """The demo at its default (latest complete) week, all customers, the published set, and
    every page's exhibits built once."""
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    catalog = kpis.load_catalog(fetch)
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    filters = Filters(week=catalog.latest_complete)
    cat = exhibits.Catalogue(fetch, filters, aset)
    pages = {title: cat.page(title) for title in exhibits.PAGES}
    by_key = {e.key: e for exs in pages.values() for e in exs}
    return SimpleNamespace(fetch=fetch, filters=filters, aset=aset, cat=cat, pages=pages,
                           ex=by_key, ctx=export.Context(filters, aset.id, GENERATED))


@pytest.fixture(scope="module")
def renderer():
    """The one kaleido browser of the process, stopped when this module is done."""
    yield export.Renderer
    export.Renderer.stop()


def small_exhibit(title="Plain chart", data=None, **kw) -> Exhibit:
    data = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]}) if data is None else data
    fig = go.Figure(go.Bar(x=list(data.iloc[:, 0]), y=list(data.iloc[:, 1])))
    return Exhibit("small", "Test", title, fig, data, "A takes the lead.", **kw)


# --- file names ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "filters", "ext", "expected"), [
    ("NPS — 13 weeks", Filters(week="2026-W44", segments=("Mass",)), "png",
     "nps-13-weeks_2026-w44_segment-mass.png"),
    ("NPS — 13 weeks", Filters(week="2026-W44"), "csv", "nps-13-weeks_2026-w44_all-customers.csv"),
    ("Categories — 13 weeks (Pareto)",
     Filters(week="2026-W03", segments=("Mass", "Business"), regions=("North",),
             plans=("Basic",)), "xlsx",
     "categories-13-weeks-pareto_2026-w03_segment-mass-business_region-north_plan-basic.xlsx"),
    ("Share of cost: Phone/Chat", Filters(week="2026-W44", plans=("Premium",)), "svg",
     "share-of-cost-phone-chat_2026-w44_plan-premium.svg"),
    ("CX Ledger board pack", Filters(week="2026-W44", regions=("South", "West")), "pdf",
     "cx-ledger-board-pack_2026-w44_region-south-west.pdf"),
])
def test_file_name_carries_chart_week_and_filters(name, filters, ext, expected):
    assert export.file_name(name, filters, ext) == expected


def test_slug_rules():
    assert export.slug("  Hello,  World!! ") == "hello-world"
    assert export.slug("Café au lait") == "caf-au-lait"  # ASCII only
    assert export.slug("رضایت مشتری") == "chart"  # nothing left: a fallback, never empty
    assert export.slug("---") == "chart"
    assert export.slug("A_B.C") == "a-b-c"


def test_file_name_is_bounded():
    name = export.file_name("x" * 400, Filters(week="2026-W44"), "png")
    assert len(name) == 150 + len(".png") and name.endswith(".png")
    assert re.fullmatch(r"[a-z0-9_\-]+\.png", name)


def test_context_lines():
    ctx = export.Context(Filters(week="2026-W44", segments=("Mass",), compare="4w"),
                         "published v0", GENERATED)
    assert ctx.period == "2026-W44 vs 2026-W40 (4 weeks earlier)"
    assert ctx.source_line() == SOURCE
    assert ctx.scope_line(12345) == ("2026-W44 vs 2026-W40 (4 weeks earlier) · segment: Mass"
                                     " · n = 12,345")
    assert ctx.scope_line() == "2026-W44 vs 2026-W40 (4 weeks earlier) · segment: Mass"


# --- decorate ------------------------------------------------------------------------------

def test_decorate_titles_scope_and_source(demo):
    ex = demo.ex["trend_nps"]
    before = ex.fig.to_json()
    fig = export.decorate(ex, demo.ctx)
    title = fig.layout.title.text
    assert "<b>NPS — 13 weeks</b>" in title
    assert f"{demo.filters.week} vs {demo.filters.compare_week} (previous week)" in title
    assert "all customers" in title and f"n = {ex.n:,}" in title
    foot = [a.text for a in fig.layout.annotations if "CX Ledger" in a.text]
    assert foot == [f"95% confidence band · {SOURCE}"]
    assert (fig.layout.width, fig.layout.height) == (export.WIDTH, export.HEIGHT)
    # the figure the page draws is untouched
    assert ex.fig.to_json() == before
    assert "CX Ledger" not in str(ex.fig.layout.annotations)
    # every trace is kept
    assert len(fig.data) == len(ex.fig.data)


def test_decorate_money_exhibit_carries_its_band(demo):
    ex = demo.ex["money_clv_chart"]
    assert ex.money and ex.band == "P10–P90 band (modelled)"
    fig = export.decorate(ex, demo.ctx, title="Custom title")
    assert fig.layout.title.text.startswith("<b>Custom title</b>")
    foot = [a.text for a in fig.layout.annotations if "CX Ledger" in a.text]
    assert foot == [f"P10–P90 band (modelled) · {SOURCE}"]
    # n: the customers behind the all-segments lifetime value
    everyone = ex.data[ex.data["segment"] == "All segments"]
    assert ex.n == int(everyone["customers"].iloc[0]) > 0
    assert f"n = {ex.n:,}" in fig.layout.title.text


def test_decorate_escapes_html_in_filters_and_titles():
    ctx = export.Context(Filters(week="2026-W44", segments=("<b>x</b>",)), "s <i>1</i>",
                         GENERATED)
    fig = export.decorate(small_exhibit("Cost <script>", n=7), ctx)
    title = fig.layout.title.text
    assert "segment: &lt;b&gt;x&lt;/b&gt;" in title and "<b>x</b>" not in title
    assert "Cost &lt;script&gt;" in title and "<script>" not in title
    foot = fig.layout.annotations[-1].text
    assert "assumption set s &lt;i&gt;1&lt;/i&gt;" in foot and "<i>" not in foot


# --- images --------------------------------------------------------------------------------

def test_png_svg_pdf_images(demo, renderer):
    ex = demo.ex["trend_nps"]
    png = export.image(ex, demo.ctx, "png")
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (2560, 1440)
    # a real chart: many colours, not a blank canvas
    assert len(img.convert("RGB").getcolors(maxcolors=1 << 20)) > 50

    svg = export.image(ex, demo.ctx, "svg")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("1280", "720")
    assert "NPS — 13 weeks" in svg.decode()

    pdf = export.image(ex, demo.ctx, "pdf")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9)
    text = reader.pages[0].extract_text()
    assert "NPS — 13 weeks" in text and "assumption set published v0" in text

    with pytest.raises(ValueError, match="gif"):
        renderer.render(export.decorate(ex, demo.ctx), "gif")


# --- CSV -----------------------------------------------------------------------------------

def read_csv(ex: Exhibit) -> pd.DataFrame:
    raw = export.csv_bytes(ex.export_data())
    assert raw.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")


def named(fig: go.Figure, name: str):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


def test_csv_of_kpi_trend_matches_the_line(demo):
    ex = demo.ex["trend_nps"]
    df = read_csv(ex)
    line = named(ex.fig, "NPS — 13 weeks")
    assert list(df.columns) == ["week", "value", "ci_low", "ci_high", "n", "status"]
    assert len(df) == 13 == len(line.x)
    assert list(df["week"]) == list(line.x)
    np.testing.assert_allclose(df["value"], np.asarray(line.y, dtype=float), rtol=1e-9)
    # the CSV is the exhibit's data, to the last digit
    pd.testing.assert_frame_equal(df, ex.export_data(), check_dtype=False)


def test_csv_of_pareto_matches_the_bars(demo):
    ex = demo.ex["cmp_pareto"]
    df = read_csv(ex)
    bars = [t for t in ex.fig.data if t.type == "bar"]
    assert len(bars) == 1
    assert list(df.columns) == ["category", "count", "share_pct", "cumulative_pct"]
    assert len(df) == len(bars[0].x) and len(df) >= 3
    assert list(df["category"]) == list(bars[0].x)
    assert list(df["count"]) == [int(v) for v in bars[0].y]
    assert df["cumulative_pct"].iloc[-1] == pytest.approx(100.0)
    assert ex.n == df["count"].sum()


@pytest.mark.parametrize(("key", "kind", "series"), [
    ("sat_mix", "bar", "category_label"),
    ("cmp_severity", "bar", "severity"),
    ("churn_monthly", "scatter", "group"),
    ("cts_mix", "scatter", "label"),
    ("cts_channels", "bar", None),
])
def test_csv_rows_are_the_points_drawn(demo, key, kind, series):
    """One row per point the chart draws: the sum over its traces (one trace per series)."""
    ex = demo.ex[key]
    df = read_csv(ex)
    assert list(df.columns) == [str(c) for c in ex.export_data().columns]
    traces = [t for t in ex.fig.data if t.type == kind]
    if series:
        assert sorted(t.name for t in traces) == sorted(df[series].unique())
        assert len(df) == sum(len(t.x) for t in traces)
    else:  # two bars per channel, one row per channel
        assert all(len(t.x) == len(df) for t in traces) and len(traces) == 2
        assert list(traces[0].x) == list(df["label"])


def test_csv_bom_and_persian_round_trip():
    df = pd.DataFrame({"شهر": ["تهران", "مشهد", "اصفهان"], "رضایت": [71.5, 64.0, 80.25]})
    raw = export.csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[1] == "تهران,71.5"
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, df)


# --- customer identifiers ------------------------------------------------------------------

IDS = ["C000123", "C000456", "C000789"]


@pytest.mark.parametrize("col", ["customer_id", "Customer id", "email", "Customer ID",
                                 "customer-id", "CustomerID", "Email Address"])
def test_csv_drops_declared_customer_columns_unless_a_customer_list(col):
    df = pd.DataFrame({col: IDS, "segment": ["Mass", "Mass", "Business"], "value": [1, 2, 3]})
    text = export.csv_bytes(df, identifiers=(col,)).decode("utf-8-sig")
    assert text.splitlines()[0] == "segment,value"
    assert not any(i in text for i in IDS)
    kept = export.csv_bytes(df, customer_list=True, identifiers=(col,)).decode("utf-8-sig")
    assert kept.splitlines()[0] == f"{col},segment,value"
    assert all(i in kept for i in IDS)


#: Groups of a comparison whose names look personal: they are groups, and stay in every file.
PERSONAL_LOOKING = ["email", "phone", "customer", "id", "Customer id", "name"]


def test_columns_that_only_look_personal_are_kept_in_csv_and_xlsx():
    df = pd.DataFrame({"KPI": ["NPS", "CSAT"],
                       **{g: [f"{g} {v}" for v in (16.0, 80.5)] for g in PERSONAL_LOOKING}})
    text = export.csv_bytes(df).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(["KPI", *PERSONAL_LOOKING])
    assert pd.read_csv(io.StringIO(text)).equals(df)
    rows = cells(export.xlsx_bytes(df, "t"))
    assert rows[0] == ("KPI", *PERSONAL_LOOKING)
    assert [list(r) for r in rows[1:]] == df.values.tolist()
    ex = small_exhibit("Groups", data=df)
    assert list(ex.export_data().columns) == ["KPI", *PERSONAL_LOOKING]


def test_comparison_by_survey_channel_exports_the_email_and_phone_groups(fixture_fetch,
                                                                         tiny_bases):
    """The issue's case: Segment comparison by survey channel showed email NPS on screen and
    dropped the email and phone columns from its CSV and XLSX."""
    from dashboard.analysis import compare

    opts = compare.load_options(fixture_fetch)
    rep = compare.build_comparison(fixture_fetch, Filters(week="2026-W11"),
                                   compare.Selection("channel", ("email", "phone", "store")),
                                   opts)
    shown = rep.side_by_side()
    assert {"email", "phone", "store"} <= set(shown.columns)
    back = pd.read_csv(io.BytesIO(export.csv_bytes(shown)), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    assert list(back.columns) == [str(c) for c in shown.columns]
    assert back["email"].tolist() == shown["email"].astype(str).tolist()
    rows = cells(export.xlsx_bytes(shown, "kpis side by side"))
    assert rows[0] == tuple(str(c) for c in shown.columns)
    email = list(shown.columns).index("email")
    assert [r[email] for r in rows[1:]] == shown["email"].tolist()
    # the W11 NPS by email (by hand, tests/test_segments.py): -66.7 shown, -66.7 exported
    nps = shown.set_index("KPI").loc["NPS", "email"]
    assert str(nps).startswith("−66.7") or str(nps).startswith("-66.7"), nps
    for ex in exhibits.compare_exhibits(rep).values():
        assert list(ex.export_data().columns) == list(ex.data.columns), ex.key


def cells(xlsx: bytes) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def test_xlsx_drops_declared_customer_columns_unless_a_customer_list():
    df = pd.DataFrame({"Customer id": IDS, "customer_id": IDS, "value": [1.5, 2.5, 3.5]})
    header = ("Title", "scope line", SOURCE)
    ids = ("Customer id", "customer_id")
    rows = cells(export.xlsx_bytes(df, "Table: 1/2", header, identifiers=ids))
    assert [r[0] for r in rows[:3]] == list(header)
    assert rows[4][:1] == ("value",) and [r[0] for r in rows[5:8]] == [1.5, 2.5, 3.5]
    assert not any(i in str(rows) for i in IDS)
    rows = cells(export.xlsx_bytes(df, "t", customer_list=True, identifiers=ids))
    assert rows[0] == ("Customer id", "customer_id", "value")
    assert [r[0] for r in rows[1:]] == IDS


def test_exhibit_export_data_and_sheet_drop_declared_customer_ids():
    data = pd.DataFrame({"customer_id": IDS, "segment": ["Mass", "Business", "Mass"],
                         "value": [3, 4, 5]})
    ex = dataclasses.replace(small_exhibit("Per customer",
                                           data=data[["segment", "value", "customer_id"]]),
                             identifiers=("customer_id",))
    assert list(ex.export_data().columns) == ["segment", "value"]
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ctx = export.Context(Filters(week="2026-W44"), "published v0", GENERATED)
    export.add_exhibit_sheet(wb, set(), ex, ctx)
    wb.close()
    assert not any(i in str(cells(buf.getvalue())) for i in IDS)
    listed = Exhibit("l", "Test", "List", ex.fig, data, "t", customer_list=True,
                     identifiers=("customer_id",))
    assert list(listed.export_data()["customer_id"]) == IDS


def test_no_exhibit_of_any_page_exports_customer_columns(demo):
    assert sum(len(v) for v in demo.pages.values()) == sum(
        len(ks) for ks in exhibits.PAGE_KEYS.values()) == 38
    for ex in (e for exs in demo.pages.values() for e in exs):
        cols = {str(c) for c in ex.export_data().columns}
        assert not cols & {"customer_id", "Customer id", "customer_key"}, ex.key
        assert not any("customer_id" in c.lower() or c.lower() in ("id", "customer")
                       for c in cols), ex.key
        assert not ex.customer_list, ex.key


def test_executive_csvs_hold_no_customer_level_rows(demo, demo_wh):
    """The demo's customer ids are integers 1…N, so a value search cannot tell an id from a
    count: instead no exported column is an identifier and every CSV is an aggregate (far
    fewer rows than there are customers)."""
    ids = demo_wh.sql("select customer_id from raw.customers")["customer_id"]
    assert ids.is_unique and len(ids) > 10_000
    for ex in demo.cat.select(exhibits.EXECUTIVE):
        df = read_csv(ex)
        assert len(df) < len(ids) / 50, ex.key
        for c in df.columns:
            assert "customer" not in c.lower() or c.lower() in ("customers",), (ex.key, c)


# --- the catalogue -------------------------------------------------------------------------

def test_every_page_draws_its_keys_on_the_demo(demo):
    assert list(demo.pages) == list(exhibits.PAGE_KEYS) == list(exhibits.PAGES)
    for title, exs in demo.pages.items():
        # the conditional exhibits (savings waterfall, programme charts) are drawn on the demo
        assert [e.key for e in exs] == list(exhibits.PAGE_KEYS[title]), title
        assert all(e.page == title for e in exs)
    assert {"cts_waterfall", "money_did_nps", "money_did_fcr", "money_did_cts"} <= set(demo.ex)
    keys = [k for ks in exhibits.PAGE_KEYS.values() for k in ks]
    assert len(keys) == len(set(keys))


def test_every_exhibit_is_complete(demo):
    for ex in demo.ex.values():
        assert ex.title and ex.takeaway and len(ex.fig.data) >= 1, ex.key
        assert not ex.data.empty, ex.key
        if ex.excel:
            x, ys, series, kind = ex.excel
            cols = set(ex.export_data().columns)
            assert x in cols and set(ys) <= cols and kind in ("line", "column"), ex.key
            assert series is None or series in cols, ex.key


def test_executive_set(demo):
    assert len(exhibits.EXECUTIVE) == 10 == len(set(exhibits.EXECUTIVE))
    known = {k for ks in exhibits.PAGE_KEYS.values() for k in ks}
    assert set(exhibits.EXECUTIVE) <= known
    chosen = demo.cat.select(exhibits.EXECUTIVE)
    assert [e.key for e in chosen] == list(exhibits.EXECUTIVE)
    assert len({e.page for e in chosen}) == 6


def test_select_by_page_and_key(demo):
    got = demo.cat.select(pages=("Complaints",))
    assert [e.key for e in got] == list(exhibits.PAGE_KEYS["Complaints"])
    assert all(e.page == "Complaints" for e in got)
    got = demo.cat.select(keys=("churn_cohorts", "trend_nps"), pages=("Segment comparison",))
    assert [e.key for e in got] == ["trend_nps", "churn_cohorts", "cmp_ranking_chart",
                                    "cmp_trend"]
    with pytest.raises(KeyError, match="nope"):
        demo.cat.select(keys=("trend_nps", "nope"))
    with pytest.raises(KeyError, match="Nowhere"):
        demo.cat.page("Nowhere")


# --- hardening: spreadsheet formulas, empty series, markup, bands, bases, the browser -------

def test_text_is_never_a_formula_or_a_link():
    df = pd.DataFrame({"label": ['=HYPERLINK("http://x","y")', "http://example.org", "@SUM(A1)",
                                 "+cmd", "+17.1", "-4.5%", "plain"], "value": range(7)})
    text = export.csv_bytes(df).decode("utf-8-sig").splitlines()
    assert text[1:] == ["\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",0", "http://example.org,1",
                        "'@SUM(A1),2", "'+cmd,3", "+17.1,4", "-4.5%,5", "plain,6"]
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(df, "t")))
    cells = [c for c in wb.active["A"][1:]]
    assert [c.value for c in cells][:2] == ['=HYPERLINK("http://x","y")', "http://example.org"]
    assert {c.data_type for c in cells} == {"s"} and not wb.active._hyperlinks


@pytest.mark.parametrize("data", [
    pd.DataFrame({"month": ["a", "b"], "group": ["x", "y"], "value": [np.nan, np.nan]}),
    pd.DataFrame({"month": ["a", "b"], "group": ["x", "y"], "value": [np.inf, 1.0]}),
    pd.DataFrame({"month": [], "group": [], "value": []}),
    pd.DataFrame(),
])
def test_sheets_of_withheld_or_empty_data_never_break_the_workbook(data):
    ex = Exhibit("k", "P", "Withheld", go.Figure(), data, "Nothing to show.",
                 excel=("month", ("value",), "group", "line"))
    ctx = export.Context(Filters(week="2026-W44"), "published v0", GENERATED)
    buf = io.BytesIO()
    wb = export.workbook(buf)
    export.add_exhibit_sheet(wb, set(), ex, ctx)
    wb.close()
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    finite = data.get("value", pd.Series(dtype=float)).replace(np.inf, np.nan).notna().any()
    assert len(ws._charts) == (1 if finite else 0)
    if len(data.columns) and not finite:
        assert "No values to chart in this selection." in [c.value for row in ws.iter_rows()
                                                             for c in row]


def test_markup_in_warehouse_values_is_shown_literally():
    fig = go.Figure(go.Bar(x=["<b>bold</b>", "plain"], y=[1, 2], name="<a href='x'>y</a>"))
    ex = Exhibit("k", "P", "T", fig, pd.DataFrame({"x": [1]}), "t")
    assert list(ex.fig.data[0].x) == ["&lt;b&gt;bold&lt;/b&gt;", "plain"]
    assert ex.fig.data[0].name == "&lt;a href='x'&gt;y&lt;/a&gt;"


def test_every_money_exhibit_names_its_band_and_every_exhibit_its_definition(demo):
    with pytest.raises(ValueError, match="money exhibit k needs its band"):
        Exhibit("k", "P", "T", go.Figure(), pd.DataFrame(), "t", money=True)
    money = [e for e in demo.ex.values() if e.money]
    assert {"trend_cost_to_serve", "trend_revenue", "cts_channels", "money_clv_chart",
            "churn_revenue_lost"} <= {e.key for e in money}
    assert all(e.band for e in money)
    for e in demo.ex.values():
        assert e.notes and len(e.notes[0]) > 30, e.key
    # a base on every chart except weekly money series, the savings decomposition, the
    # programme's weekly series (two groups over a year) and the simulator's per-segment values
    assert [k for k, e in demo.ex.items() if e.n is None] == [
        "cmp_compensation", "cts_waterfall", "money_did_nps", "money_did_fcr", "money_did_cts",
        "sim_point_values"]


def test_bases_are_the_selected_period_not_the_largest(demo):
    nps = demo.ex["trend_nps"]
    assert nps.n == int(nps.data["n"].iloc[-1])
    churn = demo.ex["churn_monthly"]
    everyone = churn.data[churn.data["group"] == "All filtered customers"]
    assert churn.n == int(everyone["active"].iloc[-1])
    pareto = demo.ex["cmp_pareto"]
    assert pareto.n == int(pareto.data["count"].sum())


def test_a_missing_browser_is_a_clear_error_and_the_next_render_recovers(monkeypatch):
    fig = go.Figure(go.Bar(x=[1], y=[1]))
    export.Renderer.stop()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(export.RenderError, match="no Chromium for images"):
        export.Renderer.render(fig, "svg")
    monkeypatch.setenv("BROWSER_PATH", "/bin/true")  # exits at once: the start fails
    with pytest.raises(export.RenderError, match=r"the browser for images \(/bin/true\) did "
                                                 r"not start"):
        export.Renderer.render(fig, "svg")
    monkeypatch.delenv("BROWSER_PATH")
    assert export.Renderer.render(fig, "svg").startswith(b"<svg")
    export.Renderer.stop()
