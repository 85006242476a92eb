"""Exports of one exhibit (dashboard.exports.files) and the exhibit catalogue
(dashboard.exports.exhibits):
file names, decorated figures, PNG/SVG/PDF images rendered by the system Chromium, CSV and XLSX
data, and customer identifiers kept out of every export."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
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
from dashboard.metrics import display, kpis
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
    # the chart's own period (13 weeks to the selected week), not the week's comparison
    assert f"{weeks_back(demo.filters, 12)}–{demo.filters.week} (13 weeks)" in title
    assert "vs " not in title
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
    # NPS in points to 1 decimal: the line's values rounded
    np.testing.assert_array_equal(df["value"], np.round(np.asarray(line.y, dtype=float), 1))
    # the CSV is the exhibit's export data, to the last digit
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


def weeks_back(filters: Filters, k: int) -> str:
    """The ISO week ``k`` weeks before the selected one, by hand."""
    y, w, _ = (filters.week_start - timedelta(weeks=k)).isocalendar()
    return f"{y}-W{w:02d}"


#: Decimals by unit, by hand from the README's rule.
DECIMALS = {"money": 2, "score": 1, "mean": 2, "pct": 1, "rate": 2, "count": 0, "hours": 1,
            "weeks": 1, "p": 4}
#: A display string where a number belongs: "+23.7 to +44.0", "$1,280.75", "93.3%" …
DISPLAY = re.compile(r"^[+−]\d|[$€£¤]\d|\d%|\d,\d{3}|\d (to|–) [+−\-]?[$€£¤]?\d"
                     r"|\d (pp|points)\b")


def test_every_chart_csv_holds_numbers_rounded_by_unit(demo):
    """Each of the 38 charts: its CSV parses back to numbers equal to the report's values
    rounded by the column's unit; no numeric column is left undeclared; no cell is display
    text; one row per point (the data's rows)."""
    from dashboard.exports import numbers

    checked = 0
    for ex in demo.ex.values():
        raw = ex.data.reset_index(drop=True)
        df = read_csv(ex)
        assert len(df) == len(raw), ex.key
        assert list(df.columns) == [str(c) for c in raw.columns], ex.key
        assert numbers.undeclared(raw, ex.units) == [], ex.key
        for c in raw.columns:
            unit = numbers.unit_of(c, ex.units)
            vals = pd.to_numeric(raw[c], errors="coerce") if raw[c].dtype == object else raw[c]
            if pd.api.types.is_bool_dtype(raw[c]) or not pd.api.types.is_numeric_dtype(vals) \
                    or vals.isna().all():
                texts = df[c].dropna().astype(str)
                assert not texts.map(lambda v: bool(DISPLAY.search(v))).any() or \
                    pd.api.types.is_numeric_dtype(df[c]), (ex.key, c)
                continue
            if pd.api.types.is_integer_dtype(raw[c]):  # whole numbers are exact
                assert df[c].tolist() == raw[c].tolist(), (ex.key, c)
                continue
            want = np.round(vals.astype(float).to_numpy(), DECIMALS[unit])
            got = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
            np.testing.assert_allclose(got, want, atol=1e-9, equal_nan=True,
                                       err_msg=f"{ex.key}.{c}")
            # no float longer than its unit's decimals in the file
            digits = df[c].dropna().map(lambda v: len(repr(float(v)).split(".")[1]))
            assert (digits <= max(DECIMALS[unit], 1)).all(), (ex.key, c)
            checked += 1
    assert len(demo.ex) == 38 and checked > 100


def _iso_bounds(week_start):
    return pd.Timestamp(week_start), pd.Timestamp(week_start) + pd.Timedelta(days=7)


def test_kpi_csvs_equal_an_independent_computation(demo, demo_wh):
    """The selected week's NPS and complaint rate in the trend CSVs, computed here from the
    raw rows: NPS to 1 decimal, the complaint rate per 1,000 to 2."""
    start, end = _iso_bounds(demo.filters.week_start)
    nps = demo_wh.sql("select score from raw.survey_responses where survey = 'nps' "
                      "and responded_at >= $a and responded_at < $b", {"a": start, "b": end})
    n = len(nps)
    want = 100 * ((nps["score"] >= 9).sum() - (nps["score"] <= 6).sum()) / n
    row = read_csv(demo.ex["trend_nps"]).iloc[-1]
    assert row["week"] == demo.filters.week and row["n"] == n
    assert row["value"] == round(want, 1)
    cust = demo_wh.sql("select signup_date, churn_date from raw.customers")
    monday = start.date()
    active = ((pd.to_datetime(cust["signup_date"]).dt.date <= monday)
              & (cust["churn_date"].isna()
                 | (pd.to_datetime(cust["churn_date"]).dt.date > monday))).sum()
    opened = demo_wh.sql("select count(*) as k from raw.complaints where opened_at >= $a "
                         "and opened_at < $b", {"a": start, "b": end})["k"].iloc[0]
    row = read_csv(demo.ex["trend_complaint_rate"]).iloc[-1]
    assert row["n"] == active
    assert row["value"] == round(1000 * opened / active, 2)


def test_image_subtitles_state_each_charts_own_period(demo):
    """Every image's subtitle: its chart's period, computed here from the data it draws (a
    two-year chart says its two years); only charts of the week against the comparison week
    say "vs"."""
    f = demo.filters
    weekly = {"trend_nps": 13, "cmp_volume": 26, "cts_mix": 104, "cmp_trend": 13}
    for key, k in weekly.items():
        ex = demo.ex[key]
        first, last = min(ex.data["week"]), max(ex.data["week"])
        assert last == f.week
        assert first == weeks_back(f, k - 1), key
        sub = export.decorate(ex, demo.ctx).layout.title.text
        assert f"{first}–{last} ({k} weeks)" in sub, (key, sub)
        assert f"vs {f.compare_week}" not in sub, key
    ex = demo.ex["churn_monthly"]
    months = list(dict.fromkeys(ex.data["month"]))
    sub = export.decorate(ex, demo.ctx).layout.title.text
    assert f"{months[0]}–{months[-1]} ({len(months)} months)" in sub and len(months) == 12
    for key in ("sat_distribution", "cts_segments"):
        sub = export.decorate(demo.ex[key], demo.ctx).layout.title.text
        assert f"{f.week} vs {f.compare_week} (previous week)" in sub, key
    for key in ("cts_channels", "cmp_ranking_chart"):
        sub = export.decorate(demo.ex[key], demo.ctx).layout.title.text
        assert f"</b><br><span style='font-size:13px'>{f.week} · " in sub, key
    assert "open at the end of" in export.decorate(demo.ex["cmp_backlog"],
                                                  demo.ctx).layout.title.text
    # every chart states a period of its own
    assert all(ex.span for ex in demo.ex.values())


def test_numbers_rounded_by_unit():
    from dashboard.exports import numbers

    df = pd.DataFrame({
        "label": ["a", "=b", "c"], "value": [1.23456, -0.004, np.nan],
        "share_pct": [33.333333, 66.66666, np.inf], "n": [3.0, 4.0, None],
        "p_adjusted": [0.123456, None, 1e-7], "significant": [True, False, True],
        "kpi_value": [17.06, 1.9484, 0.8407], "unit": ["score", "rate", "money"],
    })
    out = numbers.rounded(df, {"value": "money", "kpi_value": "@unit"})
    assert out["value"].tolist()[:2] == [1.23, 0.0] and pd.isna(out["value"].iloc[2])
    assert str(out["value"].iloc[1]) == "0.0"  # never "-0.0"
    assert out["share_pct"].tolist()[:2] == [33.3, 66.7] and pd.isna(out["share_pct"].iloc[2])
    assert str(out["n"].dtype) == "Int64" and out["n"].tolist()[:2] == [3, 4]
    assert out["p_adjusted"].iloc[0] == 0.1235 and out["p_adjusted"].iloc[2] == 0.0
    assert out["kpi_value"].tolist() == [17.1, 1.95, 0.84]
    assert out["significant"].tolist() == [True, False, True]
    text = export.csv_bytes(out).decode("utf-8-sig").splitlines()
    assert text[0] == "label,value,share_pct,n,p_adjusted,significant,kpi_value,unit"
    assert text[1:] == ["a,1.23,33.3,3,0.1235,True,17.1,score",
                        "'=b,0.0,66.7,4,,False,1.95,rate",
                        "c,,,,0.0,True,0.84,money"]


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


# --- the numbers behind the tables (dashboard.exports.tables) -------------------------------

@pytest.fixture(scope="module")
def reports(demo):
    """The pages' reports for the demo's default selection."""
    from dashboard.analysis import churn, compare, complaints, cost, satisfaction
    from dashboard.metrics import dimensions
    from dashboard.money import value

    f, fetch = demo.filters, demo.fetch
    opts = compare.load_options(fetch)
    sel = compare.Selection("segment", tuple(opts["segment"][:3]), "nps")
    return SimpleNamespace(
        complaints=complaints.build_report(fetch, f), cost=cost.build_report(fetch, f),
        churn=churn.build_report(fetch, f), money=value.build_report(fetch, f, demo.aset),
        sat=satisfaction.build_report(fetch, f,
                                      satisfaction.default_view(dimensions.load(fetch))),
        compare=compare.build_comparison(fetch, f, sel, opts))


def table_csv(df: pd.DataFrame, **kw) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(export.csv_bytes(df, **kw)), encoding="utf-8-sig")


TABLES = {  # table key on its page → (report, function)
    "cmp_repeat": ("complaints", "cmp_repeat"), "cmp_recovery_table": ("complaints",
                                                                       "cmp_recovery"),
    "cts_channel_table": ("cost", "cts_channels"), "cts_segment_table": ("cost", "cts_segments"),
    "cts_unit_costs": ("cost", "cts_unit_costs"), "cts_savings_table": ("cost", "cts_savings"),
    "churn_km_table": ("churn", "churn_survival"), "money_clv": ("money", "money_clv"),
    "money_categories": ("money", "money_categories"), "money_rar": ("money", "money_rar"),
    "money_did": ("money", "money_did"), "sat_movers": ("sat", "sat_movers"),
    "cmp_side_by_side": ("compare", "cmp_side_by_side"), "cmp_ranking": ("compare",
                                                                          "cmp_ranking"),
}


@pytest.mark.parametrize("key", list(TABLES))
def test_table_csvs_hold_numbers_not_display_text(reports, key):
    from dashboard.exports import tables

    report, fn = TABLES[key]
    df = getattr(tables, fn)(getattr(reports, report))
    back = table_csv(df)
    assert len(back) == len(df) > 0
    numeric = [c for c in back.columns if pd.api.types.is_numeric_dtype(back[c])
               and not pd.api.types.is_bool_dtype(back[c])]
    assert numeric, key
    for c in back.columns:
        if c in numeric:
            continue
        cells = back[c].dropna().astype(str)
        assert not cells.map(lambda v: bool(DISPLAY.search(v))).any(), (key, c, cells.tolist())
    # no number longer than 4 decimals (p-values), money to the cent
    for c in numeric:
        digits = back[c].dropna().map(lambda v: len(repr(float(v)).split(".")[1]))
        assert (digits <= 4).all(), (key, c)


def test_side_by_side_csv_is_the_issues_case_as_numbers(reports, demo, demo_wh):
    """Segment comparison showed "+23.7 to +44.0"; its CSV carried "'+23.7 to +44.0". Now one
    row per KPI × group with value, ci_low, ci_high and n as numbers, the NPS checked here
    against the raw answers of the week."""
    from dashboard.exports import tables

    rep = reports.compare
    shown = rep.side_by_side()
    back = table_csv(tables.cmp_side_by_side(rep))
    assert list(back.columns[:8]) == ["kpi", "unit", "group", "value", "ci_low", "ci_high", "n",
                                      "status"]
    # seven tested KPIs (revenue per customer) and the revenue total as context × three segments
    assert len(back) == 8 * 3
    assert set(back["kpi"]) >= {"Revenue per customer", "Revenue (group total)"}
    cells = rep.cells_frame().set_index(["metric", "group"])
    start, end = _iso_bounds(demo.filters.week_start)
    raw = demo_wh.sql(
        "select c.segment, r.score from raw.survey_responses r join raw.customers c "
        "using (customer_id) where r.survey = 'nps' and r.responded_at >= $a "
        "and r.responded_at < $b", {"a": start, "b": end})
    for r in back[back["kpi"] == "NPS"].itertuples():
        seg = raw[raw["segment"] == r.group]["score"]
        nps = 100 * ((seg >= 9).sum() - (seg <= 6).sum()) / len(seg)
        assert r.n == len(seg) and r.value == round(nps, 1)
        c = cells.loc[("nps", r.group)]
        assert (r.ci_low, r.ci_high) == (round(c["ci_low"], 1), round(c["ci_high"], 1))
        # the screen's interval text, e.g. "+23.7 to +44.0", holds the same two numbers
        text = shown.set_index("KPI").loc["NPS", f"{r.group} 95% CI"]
        lo, hi = (float(x.replace("−", "-")) for x in text.split(display.RANGE_SEP))
        assert (lo, hi) == (r.ci_low, r.ci_high)
    cost = back[back["kpi"] == "Cost to serve"]
    assert (cost["unit"] == "money").all()
    assert all(round(v, 2) == v for v in cost["value"])


def test_channel_table_csv_equals_the_raw_contacts(reports, demo, demo_wh):
    """Contacts and their cost per channel in the week, from the raw contacts and the demo's
    unit costs (data/demo_assumptions.csv)."""
    from dashboard.exports import tables
    from dashboard.warehouse import config

    back = table_csv(tables.cts_channels(reports.cost)).set_index("channel")
    start, end = _iso_bounds(demo.filters.week_start)
    raw = demo_wh.sql("select channel, count(*) as k from raw.contacts where occurred_at >= $a "
                      "and occurred_at < $b group by channel", {"a": start, "b": end})
    prices = pd.read_csv(config.DATA_DIR / "demo_assumptions.csv").set_index("key")["value"]
    label = {"phone": "Phone", "chat": "Chat", "email": "Email", "self_service": "Self-service",
             "store": "Store", "social": "Social"}
    total = sum(int(r.k) * float(prices[f"cost_per_contact_{r.channel}"])
                for r in raw.itertuples())
    for r in raw.itertuples():
        row = back.loc[label[r.channel]]
        unit = float(prices[f"cost_per_contact_{r.channel}"])
        assert row["contact_count"] == r.k
        assert row["cost_per_contact"] == unit
        assert row["contact_cost"] == round(r.k * unit, 2)
        assert row["cost_share_pct"] == round(100 * r.k * unit / total, 1)


def test_survival_and_money_table_csvs_equal_the_reports(reports):
    from dashboard.exports import tables
    from dashboard.money.inputs import ALL

    back = table_csv(tables.churn_survival(reports.churn))
    for g in reports.churn.survival_nps:
        rows = back[back["group"] == g.label].set_index("weeks")
        for t in (13, 26, 52):
            s, lo, hi = g.at(t)
            assert rows.loc[t, "still_active_pct"] == round(100 * s, 1), (g.label, t)
            assert (rows.loc[t, "ci_low"], rows.loc[t, "ci_high"]) == (round(100 * lo, 1),
                                                                       round(100 * hi, 1))
    clv = table_csv(tables.money_clv(reports.money)).set_index("segment")
    for r in reports.money.clv[reports.money.clv["segment"] != ALL].itertuples():
        row = clv.loc[r.segment]
        assert row["lifetime_value"] == round(r.value, 2)
        assert (row["lifetime_value_p10"], row["lifetime_value_p90"]) == (round(r.low, 2),
                                                                          round(r.high, 2))
        assert row["churn_12m_pct"] == round(100 * r.churn_rate, 1)
        assert row["active_customers_now"] == r.active_now


def test_at_risk_csv_keeps_ids_and_revenue_as_a_number(reports):
    from dashboard.exports import tables

    shown = reports.churn.at_risk
    df = tables.churn_at_risk(reports.churn)
    back = table_csv(df, customer_list=True, identifiers=("Customer id", "customer_id"))
    assert back["customer_id"].astype(str).tolist() == shown["Customer id"].astype(str).tolist()
    for text, v in zip(shown["Revenue, last 13 weeks"], back["revenue_last_13_weeks"],
                       strict=True):
        assert f"${v:,.2f}" == text
    # not a customer list: the ids are dropped
    assert "customer_id" not in table_csv(df, identifiers=("customer_id",)).columns


def test_table_text_stays_inert_in_numeric_csvs():
    """A group named like a formula is still neutralised; the numbers beside it are numbers."""
    df = pd.DataFrame({"group": ['=HYPERLINK("http://x","y")', "+cmd", "North"],
                       "value": [1.25, 2.5, 3.0], "n": [10, 20, 30]})
    lines = export.csv_bytes(df).decode("utf-8-sig").splitlines()
    assert lines[1:] == ["\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1.25,10", "'+cmd,2.5,20",
                         "North,3.0,30"]


def test_simulator_table_csvs_are_numbers_and_the_text_is_unchanged(demo):
    """Saved scenarios: simulated once, the screen's text and the CSV's numbers come from the
    same draws; the old text builder gives the same table."""
    from dashboard.exports import tables
    from dashboard.money import inputs as money
    from dashboard.money import sim_texts, whatif
    from dashboard.money import simulate as sim
    from dashboard.money.inputs import money_text

    inputs = money.fetch_inputs(demo.fetch, demo.filters, demo.aset)
    est = money.category_estimates(inputs)
    scenarios = {"calls to app": whatif.Levers(self_service_shift_pp=10, programme_cost=5e4),
                 "nothing": whatif.Levers()}
    nums = sim_texts.scenario_numbers(est, inputs, scenarios, draws=2000)
    shown = sim_texts.compare_scenarios(est, inputs, scenarios, draws=2000, numbers=nums)
    assert shown.equals(sim_texts.compare_scenarios(est, inputs, scenarios, draws=2000))
    back = table_csv(tables.sim_scenarios(nums)).set_index("scenario")
    r = sim.simulate(est, inputs, scenarios["calls to app"], draws=2000, tornado=False)
    row = back.loc["calls to app"]
    assert row["profit_impact_p50"] == round(r.profit_impact.value, 2)
    assert (row["profit_impact_p10"], row["profit_impact_p90"]) == (
        round(r.profit_impact.low, 2), round(r.profit_impact.high, 2))
    assert row["p_exceeds_cost_pct"] == round(100 * r.p_exceeds, 1)
    assert pd.isna(back.loc["nothing", "p_exceeds_cost_pct"])  # no lever: no chance, no 0
    text = shown.set_index("Scenario").loc["calls to app", "Profit impact P50 (P10 – P90)"]
    assert text.startswith(money_text(r.profit_impact.value, inputs.symbol))
    comp = table_csv(tables.sim_components(r))
    assert comp["profit_impact_p50"].tolist() == [round(v, 2) for v in
                                                  r.components["profit_impact_p50"]]
