"""The board pack (dashboard.exports.pack):
the executive set of the demo as PPTX, PDF and XLSX built
once for the module; the template; atomic writes; e-mail settings (dashboard.exports.mail); and
`python -m dashboard pack` with its exit statuses and e-mail through a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from dashboard.exports import exhibits, mail, pack, summary
from dashboard.exports import files as export
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import config, db
from tests.conftest import ROOT

GENERATED = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
SOURCE = "CX Ledger · assumption set published v0 · generated 2026-11-02 09:05 UTC"
TEMPLATE = config.DATA_DIR / "pack_template.toml"
LOGO = (config.DATA_DIR / "pack_logo.png").read_bytes()
WIDE = (12192000, 6858000)  # 16:9, 13.333 × 7.5 in


@pytest.fixture(scope="module")
def demo(demo_wh, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    catalog = kpis.load_catalog(fetch)
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    filters = Filters(week=catalog.latest_complete)
    return SimpleNamespace(fetch=fetch, filters=filters, aset=aset,
                           cat=exhibits.Catalogue(fetch, filters, aset),
                           ctx=export.Context(filters, aset.id, GENERATED))


@pytest.fixture(scope="module")
def renderer():
    yield export.Renderer
    export.Renderer.stop()


@pytest.fixture(scope="module")
def built(demo, renderer):
    """The executive pack of the demo's default week in all three formats."""
    exs = demo.cat.select(exhibits.EXECUTIVE)
    steps = []
    made = []

    def summarise():
        made.append(summary.build(demo.fetch, demo.filters, demo.aset))
        return made[-1]

    p = pack.build(exs, demo.ctx, demo.aset, template=pack.Template.load(TEMPLATE),
                   progress=lambda d, t, label: steps.append((d, t, label)),
                   summary=summarise)
    rows = pack.assumptions_rows(demo.aset, demo.ctx)
    return SimpleNamespace(pack=p, steps=steps, exhibits=exs, rows=rows, summary=made[0])


@pytest.fixture(scope="module")
def two(demo, renderer):
    """Two exhibits and their real PNGs, for decks built with other templates."""
    exs = demo.cat.select(("trend_nps", "cmp_pareto"))
    return exs, [export.image(e, demo.ctx, "png") for e in exs]


def texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def title_rgb(slide) -> str:
    return str(slide.shapes.title.text_frame.paragraphs[0].font.color.rgb)


# --- what goes in ----------------------------------------------------------------------------

def test_executive_selection_and_progress(built, demo):
    p = built.pack
    assert [e.key for e in p.exhibits] == list(exhibits.EXECUTIVE)
    assert list(p.files) == ["pptx", "pdf", "xlsx"]
    n_pdf = len(pack.pdf_pages(built.exhibits, demo.ctx, demo.aset, pack.Template.load(TEMPLATE)))
    assert n_pdf == 1 + 10 + 1  # the summary, the charts, the assumptions
    total = 10 + n_pdf + 1
    assert [s[:2] for s in built.steps] == [(i, total) for i in range(1, total + 1)]
    assert built.steps[0][2] == "slide image: NPS — 13 weeks"
    assert built.steps[1][2] == "PDF page: NPS — 13 weeks"
    assert built.steps[-1][2] == "files assembled"
    line = p.summary()
    assert line.startswith(f"pack {demo.filters.week} (all customers): 10 charts, pptx ")
    assert re.search(r"pptx \d+\.\d\d MB, pdf \d+\.\d\d MB, xlsx \d+\.\d\d MB in \d+\.\d s$",
                     line)


def test_assumption_rows(built, demo):
    rows = built.rows
    table = demo.aset.table(demo.filters.week_start)
    assert list(rows.columns) == ["Assumption", "Value", "Unit", "Source"]
    assert len(rows) == len(table) > pack.VALUE_ROWS
    assert list(rows["Assumption"]) == list(table["assumption_key"].astype(str))
    assert rows["Assumption"].is_unique
    assert "cost_per_contact_phone" in set(rows["Assumption"])


def test_speaker_notes(built, demo):
    ex = built.exhibits[0]
    notes = pack.speaker_notes(ex, demo.ctx).splitlines()
    assert notes[0] == "NPS — 13 weeks"
    assert notes[1:1 + len(ex.notes)] == list(ex.notes)
    assert f"n = {ex.n:,}" in notes and "Bands: 95% confidence band" in notes
    # the chart's own period: 13 weeks to the selected week, not the week against the last
    first = (demo.filters.week_start - timedelta(weeks=12)).isocalendar()
    assert notes[-2:] == [f"Scope: {first[0]}-W{first[1]:02d}–{demo.filters.week} (13 weeks) · "
                          "all customers", SOURCE]


# --- PPTX ------------------------------------------------------------------------------------

def words(title: str) -> int:
    """Words of a title, counted by hand: tokens holding a letter or a digit."""
    return len([w for w in title.split() if re.search(r"\w", w)])


def table_cells(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in sh.table.rows]
            for sh in slide.shapes if sh.has_table]


def body_texts(slide) -> list[str]:
    """The text boxes of a slide other than its title."""
    title = slide.shapes.title
    return [sh.text_frame.text for sh in slide.shapes
            if sh.has_text_frame and sh.text_frame.text
            and (title is None or sh.shape_id != title.shape_id)]


def test_pptx_deck(built, demo):
    prs = Presentation(io.BytesIO(built.pack.files["pptx"]))
    assert (prs.slide_width, prs.slide_height) == WIDE
    slides = list(prs.slides)
    assert len(slides) == 1 + 10 + 1  # summary, one slide per chart, assumptions
    for ex, s in zip(built.exhibits, slides[1:11], strict=True):
        # a short title (the chart's own), the computed takeaway in the body
        assert s.shapes.title.text == pack.slide_title(ex)
        assert s.shapes.title.text == (ex.title if words(ex.title) <= 12
                                       else exhibits.LABELS[ex.key])
        assert ex.takeaway in body_texts(s)
        assert title_rgb(s) == "1F4E79"
        pics = pictures(s)
        assert len(pics) == 2 and sum(p.image.blob == LOGO for p in pics) == 1
        (chart,) = [p for p in pics if p.image.blob != LOGO]
        assert Image.open(io.BytesIO(chart.image.blob)).size == (2560, 1440)
        assert chart.left >= 0 and chart.left + chart.width <= prs.slide_width
        assert chart.top + chart.height <= prs.slide_height
        assert chart.width / chart.height == pytest.approx(16 / 9, rel=1e-3)
        notes = s.notes_slide.notes_text_frame.text
        assert notes.startswith(ex.title)
        if ex.n is not None:
            assert f"n = {ex.n:,}" in notes
        if ex.band:
            assert f"Bands: {ex.band}" in notes
        assert notes.endswith(SOURCE)
    # every title of the deck: at most 12 words
    titles = [s.shapes.title.text for s in slides]
    assert all(0 < words(t) <= 12 for t in titles), [t for t in titles if words(t) > 12]
    # the long chart titles are shortened, their sentence is in the body
    assert words(demo.cat.select(("sim_point_values",))[0].title) > 12


def test_pptx_opens_with_the_executive_summary(built, demo):
    """The first slide: the Weekly KPIs headline, every KPI's week, change and verdict, and
    the money row, as the page's own functions compute them (called here independently)."""
    from dashboard.metrics import kpis
    from dashboard.metrics.registry import format_delta, format_value
    from dashboard.money import headline as money_headline
    from dashboard.money.inputs import money_text

    prs = Presentation(io.BytesIO(built.pack.files["pptx"]))
    first = prs.slides[0]
    f = demo.filters
    assert first.shapes.title.text == f"Executive summary: week {f.week}"
    from dashboard.money import impact

    report = kpis.build_report(demo.fetch, f)
    body = body_texts(first)
    # the headline ranked by money, the Weekly KPIs page's and the CLI's own
    assert impact.build(demo.fetch, report, demo.aset).headline in body
    assert any(t.startswith(f"Week {f.week} against {f.compare_week} (previous week) · "
                            "Filters: all customers · Assumption set: published v0 · 10 charts")
               for t in body)
    assert SOURCE in "\n".join(body)
    (kpi_rows, money_rows) = table_cells(first)
    assert kpi_rows[0] == ["KPI", f.week, "Change", "Verdict", "n"]
    sym = report.currency_symbol
    assert len(kpi_rows) - 1 == len(report.tiles) == 7
    for row, t in zip(kpi_rows[1:], report.tiles, strict=True):
        m = t.metric
        assert row[0] == m.label
        assert row[1] == format_value(t.current.value, m.fmt, sym)
        assert row[2] == ("—" if t.delta is None else format_delta(t.delta, m, sym))
        # the verdict in words: significant after correction → better/worse, else noise
        want = ("better" if t.improved else "worse") if t.significant else "within noise"
        assert row[3] == want
        assert row[4] == f"{t.current.n:,}"
    money = money_headline.build(demo.fetch, f, demo.aset)
    assert money_rows[0] == ["Money", "Value", "Band", "Kind"]
    want = [money.revenue_at_risk, money.savings, *money.nps_point.values()]
    assert [r[1] for r in money_rows[1:]] == [money_text(x.value, sym) for x in want]
    assert money_rows[1][0] == "Revenue at risk" and money_rows[1][3] == "Modelled"
    assert money_rows[2][3] == "Observed" and money_rows[2][2].startswith("95% CI ")
    # the logo, large on the opening slide too, and the accent band along its foot
    assert [p.image.blob for p in pictures(first)] == [LOGO]
    assert "Benjamini–Hochberg" in first.notes_slide.notes_text_frame.text


def test_pptx_closes_with_the_assumptions_in_use(built, demo):
    """The last slide: the set, its unit costs beside the booked ones (read here from the
    demo's assumptions file), the other values in force; every value in the notes."""
    prs = Presentation(io.BytesIO(built.pack.files["pptx"]))
    last = list(prs.slides)[-1]
    assert last.shapes.title.text == "Assumptions in use: set published v0"
    body = body_texts(last)
    assert any(t.startswith(f"Every money figure in this pack uses assumption set published "
                            f"v0 as in force in {demo.filters.week}.") for t in body)
    assert any("equal the booked ones" in t for t in body)
    units, values = table_cells(last)
    assert units[0] == ["Channel", "This set", "Booked", "In force from"]
    booked = pd.read_csv(config.DATA_DIR / "demo_assumptions.csv", dtype=str)
    costs = booked[booked["key"].str.startswith("cost_per_contact_")].set_index("key")
    shown = {r[0]: r[1:] for r in units[1:]}
    assert len(shown) == len(costs) == 6
    labels = {"phone": "Phone", "chat": "Chat", "email": "Email",
              "self_service": "Self-service", "store": "Store", "social": "Social"}
    for key, row in costs.iterrows():
        channel = labels[key.removeprefix("cost_per_contact_")]
        assert shown[channel] == [row["value"], row["value"], row["valid_from"]]
    assert values[0] == ["Assumption", "Value", "Unit", "Source"]
    others = booked[~booked["key"].str.startswith("cost_per_contact_")]
    assert len(values) - 1 == len(others) == len(built.rows) - 6
    assert {r[1] for r in values[1:]} == set(others["value"])
    notes = last.notes_slide.notes_text_frame.text
    for r in built.rows.itertuples(index=False):
        assert f"{r.Assumption} = {r.Value}" in notes


def test_an_edited_set_says_which_unit_costs_differ(demo):
    """An edited phone cost: the closing slide names phone and shows both costs."""
    changes = pd.DataFrame({"change_id": [1], "assumption_key": ["cost_per_contact_phone"],
                            "effective_from": [demo.filters.week_start], "new_value": ["9.50"]})
    edited = assumptions.build_set("board", demo.fetch("assumption_rows"), changes)
    use = summary.assumptions_in_use(edited, demo.filters)
    phone = use.unit_costs.set_index("Channel").loc["Phone"]
    assert (phone["This set"], phone["Booked"]) == ("9.50", "8.00")
    assert use.differs == ("Phone",) and use.edits == 1
    assert "prices Phone differently" in use.takeaway
    assert "(1 value not loaded with the data)" in use.takeaway


def small_template(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tpl.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_template_colour_changes_slide_titles(two, demo, tmp_path):
    exs, pngs = two
    tpl = pack.Template.load(small_template(
        tmp_path, 'primary = "#AA1100"\naccent = "#00AA11"\nfont = "Arial"\n'))
    assert tpl.primary == "#AA1100" and tpl.logo is None and tpl.muted == "#666666"
    prs = Presentation(io.BytesIO(pack.build_pptx(exs, pngs, demo.ctx, demo.aset, tpl)))
    assert (prs.slide_width, prs.slide_height) == WIDE
    slides = list(prs.slides)
    assert len(slides) == 1 + 2 + 1
    for s in slides:
        assert title_rgb(s) == "AA1100"
        assert s.shapes.title.text_frame.paragraphs[0].font.name == "Arial"
    # no logo in this template: the chart is the only picture
    assert [len(pictures(s)) for s in slides[:3]] == [0, 1, 1]
    # the accent colour: the band along the title slide's foot
    bands = [sh for sh in slides[0].shapes if sh.shape_type == 1]  # MSO_SHAPE_TYPE.AUTO_SHAPE
    assert [str(b.fill.fore_color.rgb) for b in bands] == ["00AA11"]
    assert bands[0].top + bands[0].height == prs.slide_height


def test_template_master_supplies_the_layouts(two, demo, tmp_path):
    master = Presentation()  # python-pptx's own 4:3 template
    master.slides.add_slide(master.slide_layouts[6])  # a slide of its own: not in the pack
    master.slide_master._element.cSld.set("name", "ACME corporate")
    (blank,) = [lay for lay in master.slide_layouts if lay.name == "Blank"]
    blank._element.cSld.set("name", "ACME blank")
    master.save(tmp_path / "corp.pptx")
    tpl = pack.Template.load(small_template(tmp_path, 'master = "corp.pptx"\n'))
    assert tpl.master == (tmp_path / "corp.pptx").resolve()
    exs, pngs = two
    prs = Presentation(io.BytesIO(pack.build_pptx(exs, pngs, demo.ctx, demo.aset, tpl)))
    assert prs.slide_master.name == "ACME corporate"
    assert "ACME blank" in [lay.name for lay in prs.slide_layouts]
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)  # the master's size
    slides = list(prs.slides)
    assert [s.slide_layout.name for s in slides] == ["Title Only"] * 4
    assert [s.shapes.title.text for s in slides[1:3]] == [pack.slide_title(e) for e in exs]
    assert [e.takeaway in body_texts(s) for e, s in zip(exs, slides[1:3], strict=True)] == [
        True, True]
    # the chart still fits the narrower slide
    for s in slides[1:3]:
        (pic,) = pictures(s)
        assert pic.left >= 0 and pic.left + pic.width <= prs.slide_width


def test_shipped_template_and_env(monkeypatch, tmp_path):
    tpl = pack.Template.load(TEMPLATE)
    assert tpl.logo == (config.DATA_DIR / "pack_logo.png").resolve() and tpl.master is None
    assert (tpl.primary, tpl.font) == ("#1F4E79", "Calibri")
    path = small_template(tmp_path, 'name = "Board"\naccent = "#00FF00"\n')
    monkeypatch.setenv("CX_PACK_TEMPLATE", str(path))
    assert pack.Template.load() == pack.Template(name="Board", accent="#00FF00")


@pytest.mark.parametrize(("body", "message"), [
    ('colour = "#000000"\nname = "x"\n', r"unknown key\(s\) colour"),
    ('primary = "blue"\n', r"primary must be a colour like #1F4E79, got 'blue'"),
    ('accent = "#12345"\n', r"accent must be a colour"),
    ('muted = "#GGGGGG"\n', r"muted must be a colour like #1F4E79, got '#GGGGGG'"),
    ('logo = "missing-logo.png"\n', r"logo file .*missing-logo\.png not found"),
    ('master = "corp.pptx"\n', r"master file .*corp\.pptx not found"),
    ('primary = \n', r"tpl\.toml"),
])
def test_bad_template_is_an_error_naming_it(tmp_path, body, message):
    with pytest.raises(pack.PackError, match=message):
        pack.Template.load(small_template(tmp_path, body))


def test_missing_template_file(tmp_path):
    with pytest.raises(pack.PackError, match=r"nope\.toml not found"):
        pack.Template.load(tmp_path / "nope.toml")


# --- PDF -------------------------------------------------------------------------------------

def test_pdf(built, demo):
    reader = PdfReader(io.BytesIO(built.pack.files["pdf"]))
    pages = pack.pdf_pages(built.exhibits, demo.ctx, demo.aset, pack.Template.load(TEMPLATE))
    assert len(reader.pages) == len(pages) == 1 + 10 + 1
    for page in reader.pages:
        assert float(page.mediabox.width) / float(page.mediabox.height) == pytest.approx(16 / 9)
    first = reader.pages[0].extract_text()
    f = demo.filters
    assert f"Executive summary: week {f.week}" in first
    assert "Assumption set: published v0" in first
    assert f"Week {f.week} against {f.compare_week}" in first
    assert built.summary.headline[:60] in " ".join(first.split())
    for label in ("NPS", "Cost to serve", "Revenue at risk", "Savings against baseline"):
        assert label in first

    for ex, page in zip(built.exhibits, reader.pages[1:11], strict=True):
        text = " ".join(page.extract_text().split())
        assert pack.slide_title(ex) in text, ex.key
        assert " ".join(ex.takeaway.split())[:40] in text, ex.key
        assert ex.span[:16] in text, ex.key  # the chart's own period
        if ex.notes:  # the definition at the foot
            assert " ".join(ex.notes[0].split())[:40] in text, ex.key
    assert SOURCE in " ".join(reader.pages[1].extract_text().split())
    # the template's logo on every page (a raster image in the page's resources)
    assert all(len(page.images) >= 1 for page in reader.pages)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Assumptions in use: set published v0" in last
    assert "Unit costs (currency per contact)" in last and "Target NPS" in last


# --- the logo never covers text ---------------------------------------------------------------

def _overlap(a, b) -> bool:
    """Two boxes (x0, y0, x1, y1) share an area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _shape_box(sh) -> tuple[int, int, int, int]:
    return sh.left, sh.top, sh.left + sh.width, sh.top + sh.height


def slide_boxes(slide) -> tuple[list, list]:
    """(logo boxes, boxes of everything else that shows text or a chart: text frames with
    text, tables, pictures that are not the logo)."""
    logos, others = [], []
    for sh in slide.shapes:
        if sh.shape_type == MSO_SHAPE_TYPE.PICTURE:
            (logos if sh.image.blob == LOGO else others).append(_shape_box(sh))
        elif sh.has_table or (sh.has_text_frame and sh.text_frame.text.strip()):
            others.append(_shape_box(sh))
    return logos, others


def assert_logo_clear(prs) -> None:
    for i, s in enumerate(prs.slides):
        logos, others = slide_boxes(s)
        assert len(logos) == 1, i
        for box in others:
            assert not _overlap(logos[0], box), (i, box, logos[0])
            # and everything stays on the slide
            assert box[0] >= 0 and box[1] >= 0, (i, box)
            assert box[2] <= prs.slide_width and box[3] <= prs.slide_height, (i, box)


def test_pptx_logo_covers_no_text_on_any_slide(built):
    assert_logo_clear(Presentation(io.BytesIO(built.pack.files["pptx"])))


def test_pptx_logo_clear_on_a_narrow_master_too(two, demo, tmp_path):
    """A 4:3 corporate master whose title placeholder runs under the logo's corner: the
    title is narrowed to end before the logo."""
    master = Presentation()  # python-pptx's own 4:3 template: title 0.5–9.5 in of 10 in
    master.save(tmp_path / "corp.pptx")
    (tmp_path / "logo.png").write_bytes(LOGO)
    tpl = pack.Template.load(small_template(tmp_path, 'master = "corp.pptx"\n'
                                                      'logo = "logo.png"\n'))
    exs, pngs = two
    prs = Presentation(io.BytesIO(pack.build_pptx(exs, pngs, demo.ctx, demo.aset, tpl,
                                                  summary=summary.build(demo.fetch,
                                                                        demo.filters,
                                                                        demo.aset))))
    assert prs.slide_width == 9144000
    assert_logo_clear(prs)


def _mult(a, b):
    """Two PDF matrices (a b c d e f) multiplied: a then b."""
    a0, b0, c0, d0, e0, f0 = a
    a1, b1, c1, d1, e1, f1 = b
    return (a0 * a1 + b0 * c1, a0 * b1 + b0 * d1, c0 * a1 + d0 * c1, c0 * b1 + d0 * d1,
            e0 * a1 + f0 * c1 + e1, e0 * b1 + f0 * d1 + f1)


def pdf_image_boxes(page) -> list[tuple[float, float, float, float]]:
    """Where each raster image of a page is drawn: the unit square through the current
    transformation matrix at its ``Do`` (PDF 32000-1, 8.3.4 and 8.9.5)."""
    from pypdf.generic import ContentStream

    xobjects = page["/Resources"].get("/XObject", {})
    ctm, stack, out = (1, 0, 0, 1, 0, 0), [], []
    for operands, op in ContentStream(page.get_contents(), page.pdf).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _mult(tuple(float(x) for x in operands), ctm)
        elif op == b"Do" and xobjects[operands[0]].get_object()["/Subtype"] == "/Image":
            pts = [(x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5])
                   for x in (0, 1) for y in (0, 1)]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def pdf_text_boxes(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each run of text with a generous box: from its origin, half the font size wide per
    character, from a quarter below the baseline to the font's height above it."""
    out = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        m = _mult(tm, cm)
        h = abs(size * (m[3] or 1))
        x, y = m[4], m[5]
        out.append((text.strip(), (x, y - h / 4, x + len(text.strip()) * h / 2, y + h)))

    page.extract_text(visitor_text=visit)
    return out


def test_pdf_logo_covers_no_text_on_any_page(built):
    reader = PdfReader(io.BytesIO(built.pack.files["pdf"]))
    boxes = []
    for i, page in enumerate(reader.pages):
        images = pdf_image_boxes(page)
        texts = pdf_text_boxes(page)
        assert images and len(texts) > 10, i
        logo = images[-1]  # laid over the page last
        boxes.append(logo)
        hits = [t for t, box in texts if _overlap(box, logo)]
        assert not hits, (i, hits)
    # the same corner of every page, in its top right
    assert len({tuple(round(v, 1) for v in b) for b in boxes}) == 1
    w, h = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    x0, y0, x1, y1 = boxes[0]
    assert x0 > w * 0.75 and y0 > h * 0.8 and x1 <= w and y1 <= h


def test_wrap():
    assert pack._wrap("short text") == "short text"
    text = " ".join(["word"] * 40)  # 199 characters
    head, tail = pack._wrap(text).split("\n")
    assert len(head) <= 120 and head + " " + tail == text
    long = " ".join(["word"] * 100)  # 499 characters: three lines, the last cut with "…"
    lines = pack._wrap(long).split("\n")
    assert len(lines) == 3 and all(len(line) <= 120 for line in lines)
    assert lines[-1].endswith("…") and " ".join(lines)[:-1].strip() in long


# --- XLSX ------------------------------------------------------------------------------------

def _range(ws_book, ref: str) -> list:
    sheet, cells = ref.rsplit("!", 1)
    ws = ws_book[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_xlsx(built, demo):
    wb = openpyxl.load_workbook(io.BytesIO(built.pack.files["xlsx"]))
    used: set[str] = {"summary"}
    names = [export._sheet_name(ex.title, used) for ex in built.exhibits]
    assert wb.sheetnames == ["Summary", *names, "Assumptions"]
    for ex, name in zip(built.exhibits, names, strict=True):
        ws = wb[name]
        assert len(ws._charts) == 1, ex.key
        header = [ex.title, ex.takeaway, demo.ctx.scope_line(ex.n, ex.span),
                  *([ex.band] if ex.band else []), SOURCE]
        assert [ws.cell(i + 1, 1).value for i in range(len(header))] == header
        data = ex.export_data()
        h = len(header) + 2  # a blank line, then the column names
        assert [ws.cell(h, j + 1).value for j in range(len(data.columns))] == list(data.columns)
        got = pd.DataFrame([[ws.cell(h + 1 + i, j + 1).value for j in range(len(data.columns))]
                            for i in range(len(data))], columns=data.columns)
        pd.testing.assert_frame_equal(got, data, check_dtype=False, check_exact=False,
                                      rtol=1e-12)
        assert ws.cell(h + 1 + len(data), 1).value is None
        # the native chart reads the data
        x, ys, series, _ = ex.excel
        chart = ws._charts[0]
        total = 0.0
        for s in chart.series:
            values = _range(wb, s.val.numRef.f)
            cats = _range(wb, (s.cat.strRef or s.cat.numRef).f)
            assert len(values) == len(cats) == (data[x].nunique() if series else len(data))
            assert [str(c) for c in cats] == [str(c) for c in data[x].drop_duplicates()]
            total += sum(v for v in values if v is not None)
        expected = data[ys[0]].sum() if series else sum(data[y].sum() for y in ys)
        assert total == pytest.approx(expected), ex.key
        assert len(chart.series) == (min(data[series].nunique(), 12) if series else len(ys))
    ws = wb["Assumptions"]
    assert len(ws._charts) == 0
    assert ws["A1"].value == f"Assumption set published v0, in force in {demo.filters.week}"
    assert ws["A2"].value == SOURCE
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[0] == ["Assumption", "Value", "Unit", "Source"]
    assert rows[1:] == built.rows.values.tolist()


#: Decimals of each KPI in exports, by hand from the README's rule: NPS points 1, CSAT % 1,
#: CES mean 2, complaints per 1,000 2, 4-week churn % 2, money 2.
KPI_DECIMALS = {"NPS": 1, "CSAT": 1, "CES": 2, "Complaint rate": 2, "Churn rate (4 weeks)": 2,
                "Cost to serve": 2, "Revenue": 2}


def test_xlsx_summary_sheet_holds_the_numbers(built, demo):
    from dashboard.metrics import kpis

    wb = openpyxl.load_workbook(io.BytesIO(built.pack.files["xlsx"]))
    ws = wb["Summary"]
    from dashboard.money import impact

    report = kpis.build_report(demo.fetch, demo.filters)
    assert ws["A1"].value == f"Executive summary: week {demo.filters.week}"
    assert ws["A2"].value == impact.build(demo.fetch, report, demo.aset).headline
    rows = [list(r) for r in ws.iter_rows(min_row=6, max_row=6 + 7, values_only=True)]
    head = rows[0]
    assert head[:4] == ["kpi", "unit", "week", "value"]
    got = {r[0]: dict(zip(head, r, strict=False)) for r in rows[1:]}
    for t in report.tiles:
        row, d = got[t.metric.label], KPI_DECIMALS[t.metric.label]
        assert row["value"] == pytest.approx(round(t.current.value, d), abs=1e-9)
        assert row["ci_low"] == pytest.approx(round(t.current.ci_low, d), abs=1e-9)
        assert row["ci_high"] == pytest.approx(round(t.current.ci_high, d), abs=1e-9)
        assert row["n"] == t.current.n and isinstance(row["n"], int)
    # the money row under it, as numbers to the cent
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(cells) if r[0] == "figure")
    money = {r[0]: r for r in cells[start + 1:] if r[0]}
    rar = built.summary.money_numbers.set_index("figure").loc["Revenue at risk"]
    assert money["Revenue at risk"][2] == pytest.approx(rar["value"])
    assert money["Revenue at risk"][2] == round(money["Revenue at risk"][2], 2)


def test_pareto_sheet_values(built):
    """A hand-checkable cell: the first Pareto category and its count."""
    wb = openpyxl.load_workbook(io.BytesIO(built.pack.files["xlsx"]))
    (ex,) = [e for e in built.exhibits if e.key == "cmp_pareto"]
    ws = wb["Categories — 13 weeks (Paret"]
    assert [ws["A6"].value, ws["B6"].value] == ["category", "count"]
    assert ws["A7"].value == ex.data["category"].iloc[0]
    assert ws["B7"].value == int(ex.data["count"].iloc[0]) == max(ex.data["count"])
    assert ws._charts[0].series[0].val.numRef.f.endswith(f"$B$7:$B${6 + len(ex.data)}")


# --- build errors and subsets ----------------------------------------------------------------

def test_build_renders_a_lazy_selection_as_it_arrives(demo, renderer):
    """A generator of exhibits computed on another thread (prefetch) gives the same pack as
    the list, with the progress total taken from ``expected``."""
    steps = []
    lazy = pack.prefetch(demo.cat.iter_select(("trend_nps", "cmp_pareto")))
    p = pack.build(lazy, demo.ctx, demo.aset, ("pdf", "xlsx"), pack.Template.load(TEMPLATE),
                   progress=lambda d, t, label: steps.append((d, t)), expected=2)
    assert [e.key for e in p.exhibits] == ["trend_nps", "cmp_pareto"]
    total = 2 + 2 + 1  # two chart pages, the summary and assumption pages, the files
    assert steps == [(i, total) for i in range(1, total + 1)]
    assert len(PdfReader(io.BytesIO(p.files["pdf"])).pages) == total - 1
    # an error on the computing thread is raised to the consumer
    def broken():
        yield demo.cat.select(("trend_nps",))[0]
        raise ValueError("page failed")

    with pytest.raises(ValueError, match="page failed"):
        pack.build(pack.prefetch(broken()), demo.ctx, demo.aset, ("xlsx",))
    with pytest.raises(pack.PackError, match="nothing drawn here"):
        pack.build(pack.prefetch(iter(())), demo.ctx, demo.aset, ("xlsx",),
                   empty="nothing drawn here")


def test_build_refuses_unknown_formats_and_empty_selection(built, demo):
    with pytest.raises(pack.PackError, match=r"unknown format\(s\) doc"):
        pack.build(built.exhibits, demo.ctx, demo.aset, ("pptx", "doc"))
    with pytest.raises(pack.PackError, match="no chart selected"):
        pack.build([], demo.ctx, demo.aset, ("xlsx",))


def test_build_subset_of_formats(two, demo):
    exs, _ = two
    p = pack.build(exs, demo.ctx, demo.aset, ("xlsx", "pdf"), pack.Template.load(TEMPLATE))
    assert list(p.files) == ["pdf", "xlsx"]  # always in pack order
    assert len(PdfReader(io.BytesIO(p.files["pdf"])).pages) == 1 + 2 + 1


# --- write -----------------------------------------------------------------------------------

def fresh(p: pack.Pack) -> pack.Pack:
    return pack.Pack(dict(p.files), p.exhibits, p.context, p.seconds)


def test_write_places_every_file(built, tmp_path):
    p = fresh(built.pack)
    out = tmp_path / "packs" / "weekly"
    paths = pack.write(p, out)
    stem = "cx-ledger-board-pack_2026-w44_all-customers"
    assert [x.name for x in paths] == [f"{stem}.pptx", f"{stem}.pdf", f"{stem}.xlsx"]
    assert [p.file_name(f) for f in pack.FORMATS] == [x.name for x in paths]
    assert sorted(os.listdir(out)) == sorted(x.name for x in paths)
    for x, fmt in zip(paths, pack.FORMATS, strict=True):
        assert x.read_bytes() == p.files[fmt]
    assert p.written == paths and p.summary().endswith(f" → {out}")


def test_write_is_all_or_nothing(built, tmp_path, monkeypatch):
    p = fresh(built.pack)
    out = tmp_path / "out"
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(pack.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        pack.write(p, out)
    assert len(calls) == 2
    assert os.listdir(out) == []  # neither the placed pptx nor any .pack-*.part
    assert p.written == []


def test_failed_rewrite_keeps_last_runs_files(built, tmp_path, monkeypatch):
    """A failed run over last run's files of the same names puts every one of them back."""
    p = fresh(built.pack)
    out = tmp_path / "out"
    out.mkdir()
    old = {fmt: f"last run's {fmt}".encode() for fmt in p.files}
    for fmt, data in old.items():
        (out / p.file_name(fmt)).write_bytes(data)
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 4:  # pptx backed up and placed, pdf backed up, then the disk fails
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(pack.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        pack.write(p, out)
    monkeypatch.setattr(pack.os, "replace", real)
    assert sorted(os.listdir(out)) == sorted(p.file_name(f) for f in old)
    assert {f: (out / p.file_name(f)).read_bytes() for f in old} == old
    # and a successful run replaces them, leaving no backup behind
    pack.write(p, out)
    assert sorted(os.listdir(out)) == sorted(p.file_name(f) for f in old)
    assert (out / p.file_name("xlsx")).read_bytes() == p.files["xlsx"]


# --- e-mail settings -------------------------------------------------------------------------

def secrets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_smtp_settings(tmp_path, monkeypatch):
    assert mail.smtp_settings(tmp_path / "absent.toml") is None
    assert mail.smtp_settings(secrets(tmp_path, '[other]\nkey = "v"\n')) is None
    s = mail.smtp_settings(secrets(tmp_path, '[smtp]\nhost = "mx.example.org"\n'
                                             'sender = "cx@example.org"\nto = "a@example.org"\n'))
    assert s == mail.SmtpSettings("mx.example.org", "cx@example.org", ("a@example.org",))
    assert (s.port, s.starttls, s.ssl, s.user) == (587, True, False, None)
    path = secrets(tmp_path, '[smtp]\nhost = "h"\nport = 2525\nstarttls = false\nuser = "u"\n'
                             'password = "p"\nsender = "s@x"\nto = ["a@x", "b@x"]\n')
    monkeypatch.setenv("CX_SECRETS_FILE", str(path))
    s = mail.smtp_settings()
    assert (s.port, s.starttls, s.user, s.password, s.to) == (2525, False, "u", "p",
                                                              ("a@x", "b@x"))


@pytest.mark.parametrize(("body", "message"), [
    ('[smtp]\nhost = "h"\n', r"\[smtp\] needs sender, to"),
    ('[smtp]\nsender = "s"\nto = []\n', r"\[smtp\] needs host, to"),
    ('[smtp]\nhost = "h"\nto = ["a@x"]\n', r"\[smtp\] needs sender$"),
    ('[smtp\nhost = "h"\n', r"secrets file secrets\.toml"),
    ('[smtp]\nhost = "h"\nsender = "s"\nto = ["a@x"]\ntls = true\n',
     r"\[smtp\] has unknown key\(s\) tls; known are host, password, port"),
])
def test_smtp_settings_errors(tmp_path, body, message):
    with pytest.raises(mail.MailError, match=message):
        mail.smtp_settings(secrets(tmp_path, body))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_send_to_a_closed_port_is_a_mail_error():
    port = free_port()
    settings = mail.SmtpSettings("127.0.0.1", "cx@x", ("a@x",), port=port, starttls=False,
                                 timeout=5)
    with pytest.raises(mail.MailError, match=rf"e-mail to a@x via 127\.0\.0\.1:{port} failed"):
        mail.send(settings, "s", "b", [("f.txt", b"x", "text/plain")])


# --- the CLI ---------------------------------------------------------------------------------

def run_pack(url: str, tmp_path: Path, *args: str, secrets_file: Path | None = None):
    env = {**os.environ, "CX_SECRETS_FILE": str(secrets_file or tmp_path / "no-secrets.toml")}
    env.pop("CX_PACK_TEMPLATE", None)
    return subprocess.run([sys.executable, "-m", "dashboard", "pack", "--url", url,
                           "--store-url", f"sqlite:///{tmp_path}/store.sqlite", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_cli_builds_the_pack(demo_db, tmp_path):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--week", "2026-W43", "--segment", "Mass",
                   "--format", "pptx,pdf,xlsx", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pack 2026-W43 (segment: Mass): 10 charts, pptx ")
    assert lines[0].endswith(f" → {out}")
    stem = "cx-ledger-board-pack_2026-w43_segment-mass"
    assert sorted(os.listdir(out)) == sorted(f"{stem}.{f}" for f in pack.FORMATS)
    prs = Presentation(out / f"{stem}.pptx")
    assert len(prs.slides) > 11 and "Filters: segment: Mass" in texts(prs.slides[0])
    assert "Week 2026-W43 against 2026-W42" in texts(prs.slides[0])
    assert len(PdfReader(out / f"{stem}.pdf").pages) > 11
    assert len(openpyxl.load_workbook(out / f"{stem}.xlsx").sheetnames) == 12
    # the summary the CLI puts first is the segment's own
    assert prs.slides[0].shapes.title.text == "Executive summary: week 2026-W43"


def test_cli_pages_as_json(demo_db, tmp_path):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--pages", "Complaints",
                   "--charts", "trend_csat,trend_nps", "--format", "xlsx", "--out", str(out),
                   "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    # page order, and the page's own order within it
    assert doc["charts"] == ["trend_nps", "trend_csat", *exhibits.PAGE_KEYS["Complaints"]]
    assert doc["files"] == [str(out / "cx-ledger-board-pack_2026-w44_all-customers.xlsx")]
    assert doc["summary"].startswith("pack 2026-W44 (all customers): 10 charts, xlsx ")
    # progress lines (no --quiet) go to stderr, never stdout
    assert "1/1 files assembled" in res.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "pptx,doc"), "--format: unknown format(s) doc"),
    (("--week", "2031-W01"), "week 2031-W01 is after the data's as-of date 2026-11-01"),
    (("--charts", "trend_nps,nope"), "unknown chart(s) nope"),
])
def test_cli_bad_arguments_exit_2(demo_db, tmp_path, args, message):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, *args, "--out", str(out), "--quiet")
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    assert res.stderr.startswith(f"error: {message}")
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--week", "2026-W99"), "bad week '2026-W99'"),
    (("--pages", "Weekly KPIs,Nope"), "--pages: unknown Nope"),
    (("--segment", "Gold"), "unknown segment 'Gold'"),
    (("--set", "nope"), "unknown assumption set 'nope'"),
    (("--template", "missing.toml"), "missing.toml not found"),
    (("--format", ","), "--format: unknown format(s) (none given)"),
])
def test_cli_more_bad_arguments_exit_2(demo_db, tmp_path, monkeypatch, capsys, args,
                                       message):
    """The same refusals in-process (cheaper than a subprocess each)."""
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("CX_PACK_TEMPLATE", raising=False)
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--store-url",
                       f"sqlite:///{tmp_path}/store.sqlite", *args, "--out", str(out)])
    got = capsys.readouterr()
    assert status == 2 and got.out == ""
    assert got.err.startswith("error: ") and message in got.err
    assert len(got.err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_nothing_drawn_exits_1(demo_db, tmp_path, monkeypatch, capsys):
    """The programme is measured against the other segments: nothing to draw for Business
    alone, so no pack (exit 1, one line, nothing written)."""
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--segment", "Business",
                       "--charts", "money_did_nps", "--format", "xlsx", "--quiet",
                       "--out", str(out)])
    got = capsys.readouterr()
    assert status == 1 and got.out == ""
    assert got.err.strip() == ("pack failed: PackError: none of the charts money_did_nps is "
                               "drawn for 2026-W44 (segment: Business)")
    assert not out.exists()


def test_cli_names_charts_the_selection_does_not_draw(demo_db, tmp_path, monkeypatch,
                                                      capsys):
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--segment", "Business",
                       "--charts", "trend_nps,money_did_nps", "--format", "xlsx", "--quiet",
                       "--json", "--out", str(out)])
    doc = json.loads(capsys.readouterr().out)
    assert status == 0 and doc["charts"] == ["trend_nps"]
    assert doc["missing"] == ["money_did_nps"]
    assert doc["summary"].endswith("; not drawn for this selection: money_did_nps")
    assert "1 chart, xlsx" in doc["summary"]
    assert [Path(f).name for f in doc["files"]] == [
        "cx-ledger-board-pack_2026-w44_segment-business.xlsx"]


def test_cli_bad_smtp_settings_exit_2(demo_db, tmp_path, monkeypatch, capsys):
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(secrets(tmp_path, '[smtp]\nhost = "h"\n')))
    monkeypatch.delenv("CX_PACK_TEMPLATE", raising=False)
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--format", "xlsx",
                       "--out", str(out)])
    assert status == 2
    assert "[smtp] needs sender, to" in capsys.readouterr().err and not out.exists()


def test_cli_list(tmp_path):
    res = run_pack("duckdb:///nowhere.duckdb", tmp_path, "--list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines == [f"{t}: {', '.join(k)}" for t, k in exhibits.PAGE_KEYS.items()]
    assert [line.split(":")[0] for line in lines] == list(exhibits.PAGES)


def test_cli_unwritable_out_exits_1(demo_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--format", "xlsx",
                   "--charts", "cmp_pareto", "--out", str(blocker / "packs"), "--quiet")
    assert res.returncode == 1
    assert res.stdout == "" and res.stderr.startswith("pack failed: ")
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name != "store.sqlite") == ["a-file"]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def smtp_secrets(tmp_path: Path, port: int) -> Path:
    return secrets(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
                             'sender = "cx-ledger@example.org"\n'
                             'to = ["board@example.org", "cfo@example.org"]\n')


def test_cli_emails_the_pack(demo_db, tmp_path, smtp_server):
    controller, inbox = smtp_server
    conf = smtp_secrets(tmp_path, controller.port)
    out = tmp_path / "out"
    url = f"duckdb:///{demo_db}"
    res = run_pack(url, tmp_path, "--format", "xlsx", "--charts", "trend_nps,cmp_pareto",
                   "--out", str(out), "--quiet", secrets_file=conf)
    assert res.returncode == 0, res.stderr
    (line,) = res.stdout.splitlines()
    assert "2 charts" in line
    assert line.endswith("; e-mailed to board@example.org, cfo@example.org")
    (env,) = inbox.envelopes
    assert env.mail_from == "cx-ledger@example.org"
    assert env.rcpt_tos == ["board@example.org", "cfo@example.org"]
    msg = email.message_from_bytes(env.original_content, policy=email.policy.default)
    assert msg["Subject"] == "CX Ledger board pack 2026-W44"
    (written,) = out.iterdir()
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == written.name == ("cx-ledger-board-pack_2026-w44_"
                                                 "all-customers.xlsx")
    assert att.get_content_type() == pack.MIME["xlsx"]
    assert att.get_content() == written.read_bytes()
    assert "2 charts" in msg.get_body(("plain",)).get_content()

    # --no-email: the same settings, no message
    res = run_pack(url, tmp_path, "--format", "xlsx", "--charts", "cmp_pareto",
                   "--out", str(tmp_path / "again"), "--quiet", "--no-email", secrets_file=conf)
    assert res.returncode == 0, res.stderr
    assert "e-mailed" not in res.stdout and len(inbox.envelopes) == 1


def test_cli_email_failure_exits_3_with_files_written(demo_db, tmp_path):
    port = free_port()  # nothing listens there
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--format", "xlsx", "--charts",
                   "trend_nps,cmp_pareto", "--out", str(out), "--quiet",
                   secrets_file=smtp_secrets(tmp_path, port))
    assert res.returncode == 3, res.stderr
    assert res.stdout == ""
    assert f"e-mail to board@example.org, cfo@example.org via 127.0.0.1:{port} failed" \
        in res.stderr
    assert res.stderr.startswith("pack 2026-W44 (all customers): 2 charts")
    assert [p.name for p in out.iterdir()] == [
        "cx-ledger-board-pack_2026-w44_all-customers.xlsx"]


def test_written_files_are_readable_by_the_team(built, tmp_path):
    old = os.umask(0o022)
    try:
        paths = pack.write(fresh(built.pack), tmp_path / "shared")
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in paths} == {"0o644"}


def test_pack_names_carry_a_set_other_than_the_published_one(built):
    p = fresh(built.pack)
    edited = pack.Pack(p.files, p.exhibits, export.Context(p.context.filters, "board case v3",
                                                           p.context.generated))
    assert edited.file_name("pptx") == (
        "cx-ledger-board-pack-board-case-v3_2026-w44_all-customers.pptx")
    assert p.file_name("pptx") == "cx-ledger-board-pack_2026-w44_all-customers.pptx"


def test_smtp_over_tls_defaults_to_port_465(tmp_path):
    base = '[smtp]\nhost = "h"\nsender = "s"\nto = "a@x"\n'
    assert mail.smtp_settings(secrets(tmp_path, base)).port == 587
    tls = mail.smtp_settings(secrets(tmp_path, base + "ssl = true\n"))
    assert (tls.port, tls.ssl, tls.to) == (465, True, ("a@x",))
    assert mail.smtp_settings(secrets(tmp_path, base + "ssl = true\nport = 2465\n")).port == 2465


def test_summary_of_a_tiny_world_withholds_instead_of_zero(fixture_fetch):
    """Five customers: every base is under 30, so no KPI value is shown and none is 0; the
    verdicts say there is nothing to compare."""
    aset = assumptions.load_set(db.AppStore(None), fixture_fetch("assumption_rows"))
    s = summary.build(fixture_fetch, Filters(week="2026-W11"), aset)
    nums = s.kpi_numbers.set_index("kpi")
    for r in s.kpis.to_dict("records"):
        status = nums.loc[r["KPI"], "status"]
        if status in ("withheld", "not_loaded"):
            assert r["2026-W11"] in ("—", "not loaded"), r
            assert pd.isna(nums.loc[r["KPI"], "value"]), r
            assert r["Verdict"] in ("no comparison", "not loaded"), r
    assert (nums["status"] == "withheld").sum() >= 3
