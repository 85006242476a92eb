"""Exports in Persian: the demo's board pack and one chart exported while the
language is Persian. Opened with the libraries that read each format (python-pptx, pypdf,
openpyxl, PIL) and checked for direction (right to left), fonts (the Persian font on every
run, in the images and in the PDF) and digits (Persian digits, numbers still numbers in the
workbook); English exports of the same selection are the reference. The Persian chart image is
kept under artifacts/ for a reviewer to look at."""

from __future__ import annotations

import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pypdf import PdfReader

from dashboard import i18n
from dashboard.exports import exhibits, pack, rtl, summary
from dashboard.exports import files as export
from dashboard.exports.exhibits import Exhibit
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import config, db
from tests.conftest import ROOT

GENERATED = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
TEMPLATE = config.DATA_DIR / "pack_template.toml"
LOGO = (config.DATA_DIR / "pack_logo.png").read_bytes()
LATIN_DIGITS = re.compile(r"[0-9]")
PERSIAN_DIGITS = re.compile(r"[۰-۹]")
#: Arabic-script letters, with the presentation forms a PDF's text may come back in.
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Where the reviewed picture of a Persian chart is kept (artifacts/ is not committed).
PICTURE = ROOT / "artifacts" / "exports-fa" / "persian-chart.png"


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


def build(demo, lang: str):
    """The pack in ``lang``: its context made in that language, the build called outside
    it (the context carries its language)."""
    with i18n.use(lang):
        exs = demo.cat.select(("trend_nps", "cmp_pareto"))
        ctx = export.Context(demo.filters, demo.aset.id, GENERATED)
    assert ctx.lang == lang
    return pack.build(exs, ctx, demo.aset, template=pack.Template.load(TEMPLATE),
                      summary=lambda: summary.build(demo.fetch, demo.filters, demo.aset))


@pytest.fixture(scope="module")
def packs(demo, renderer):
    """The same two-chart pack in Persian and in English."""
    return SimpleNamespace(fa=build(demo, "fa"), en=build(demo, "en"))


def persian_chart() -> Exhibit:
    """A chart as a Persian page draws it: Persian region names, axis titles and legend."""
    data = pd.DataFrame({"region": ["تهران", "اصفهان", "مشهد", "شیراز", "تبریز"],
                         "nps": [17.1, 12.4, -3.5, 8.0, 4.2]})
    fig = go.Figure(go.Bar(x=data["region"], y=data["nps"], name="NPS هفتهٔ جاری"))
    fig.update_layout(xaxis_title="منطقه", yaxis_title="NPS", showlegend=True,
                      legend={"orientation": "h"})
    return Exhibit("fa_regions", "Test", "NPS به تفکیک منطقه در هفتهٔ ۴۴", fig, data,
                   "تهران با NPS ۱۷٫۱ پیشتاز است.", n=1234, band="بازه‌ها: ۹۵٪")


def test_the_persian_font_is_installed():
    """``make run`` / ``make test`` install Debian's fonts-noto-core when it is missing."""
    assert rtl.font_installed(), (f"{rtl.PERSIAN_FONT} is missing: apt-get install "
                                  f"{rtl.FONT_PACKAGE} (make test does it as root)")


# --- file names ------------------------------------------------------------------------------

def test_the_chart_digits_font_draws_latin_digits_with_the_persian_fonts_own_digits():
    """``rtl.digits_font``: ten glyphs, each Latin digit mapped to the very outline the
    Persian font draws its Persian digit with (U+06F0–U+06F9, not the Arabic-Indic U+0660…
    nor the font's Latin digits), under its own family name."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    made = TTFont(io.BytesIO(rtl.digits_font()))
    source = TTFont(rtl.font_file())

    def outline(font, code):  # the contours, components drawn in place
        glyphs = font.getGlyphSet()
        pen = DecomposingRecordingPen(glyphs)
        glyphs[font.getBestCmap()[code]].draw(pen)
        return pen.value

    assert made["name"].getDebugName(1) == rtl.DIGITS_FAMILY
    assert set(made.getBestCmap()) == set(range(0x30, 0x3A))
    for i in range(10):
        assert outline(made, 0x30 + i) == outline(source, 0x6F0 + i)
    for i in (4, 5, 6):  # where Persian and Arabic-Indic (and Latin) digits differ in shape
        assert outline(made, 0x30 + i) != outline(source, 0x660 + i)
        assert outline(made, 0x30 + i) != outline(source, 0x30 + i)


def test_persian_images_draw_plotlys_latin_digits_as_persian_ones(renderer):
    """An image is drawn from plotly's SVG, which can use installed fonts only: the digits
    font is installed for fontconfig, and a Latin "4" drawn in the images' family is, pixel
    for pixel, the Persian font's own «۴» (a Latin 4 in the Persian font alone is not)."""
    assert rtl.install_digits_font()
    import subprocess

    found = subprocess.run(["fc-match", "-f", "%{file}", rtl.DIGITS_FAMILY],
                           capture_output=True, text=True, check=True).stdout
    assert found == str(rtl.DIGITS_FILE)

    def drawn(text: str, family: str) -> bytes:
        fig = go.Figure(layout={"width": 120, "height": 80, "margin": dict(l=0, r=0, t=0, b=0),
                                "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                "paper_bgcolor": "white", "plot_bgcolor": "white"})
        fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"family": family, "size": 40})
        return export.Renderer.render(fig, "png", 120, 80)

    def ink(png: bytes):
        """The glyph's ink, cropped to its box."""
        im = 255 - np.asarray(Image.open(io.BytesIO(png)).convert("L")).astype(float)
        rows, cols = np.where(im > 55)
        return im[rows.min():rows.max() + 1, cols.min():cols.max() + 1]

    def same_glyph(a, b) -> bool:
        """Same box (± 1 px: the glyph may sit a fraction of a pixel apart) and the same
        shape (normalised correlation of the ink over 0.97)."""
        if abs(a.shape[0] - b.shape[0]) > 1 or abs(a.shape[1] - b.shape[1]) > 1:
            return False
        h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        a, b = a[:h, :w], b[:h, :w]
        return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum())) > 0.97

    latin_in_images = ink(drawn("4", rtl.image_family()))
    persian_four = ink(drawn("\u06f4", rtl.FAMILY))
    latin_plain = ink(drawn("4", rtl.FAMILY))
    assert latin_in_images.size > 200  # something is drawn
    assert same_glyph(latin_in_images, persian_four)
    assert not same_glyph(latin_plain, persian_four)


def test_an_image_keeps_the_charts_colours_where_streamlit_set_plotlys_template(renderer):
    """Importing Streamlit makes its plotly template the default: placeholder colours
    (#000001 …) that only its page replaces. A chart made in the app and exported draws its
    bars in the charts' colours, not near black."""
    import streamlit  # noqa: F401 - as the app's process has

    ex = persian_chart()
    assert ex.fig.layout.template.layout.colorway[0] == "#000001"
    png = export.image(ex, export.Context(Filters(week="2026-W44"), "published", GENERATED),
                       "png")
    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    first_bar = im[int(im.shape[0] * 0.6), int(im.shape[1] * 0.14)]
    assert tuple(first_bar) == (0x63, 0x6E, 0xFA), first_bar  # plotly_white's first colour


def test_the_persian_page_loads_the_chart_digits_font_inline():
    """The page's Persian style carries the font itself (a data URL: nothing from another
    host), for the Latin digits only, first in the charts' family."""
    import base64

    from dashboard.ui import language

    css = language.chart_digits_css()
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css)[1]
    assert base64.b64decode(data) == rtl.digits_font()
    assert "unicode-range: U+0030-0039" in css and "http" not in css
    assert f'.js-plotly-plot text {{ font-family: "{rtl.DIGITS_FAMILY}", {rtl.FAMILY}' in css


def test_file_names_stay_ascii_in_persian():
    week = Filters(week="2026-W44")
    with i18n.use("fa"):
        a = export.file_name("رضایت مشتری", Filters(week="2026-W44", segments=("انبوه",)),
                             "png")
        b = export.file_name("شکایت‌ها", Filters(week="2026-W44", segments=("تجاری",)), "png")
        c = export.file_name("هفتهٔ ۴۴", week, "xlsx")
    for name in (a, b, c):
        assert re.fullmatch(r"[a-z0-9_\-]+\.(png|xlsx)", name), name
    # two Persian names never share a file name; Persian digits become ASCII digits
    assert a != b and a.split("_")[2] != b.split("_")[2]
    assert a.startswith("chart-") and a.split("_")[1] == "2026-w44"
    assert c.startswith("44-")
    # names in Latin letters are named as before, in either language
    with i18n.use("fa"):
        assert export.file_name("NPS — 13 weeks", week, "png") == (
            "nps-13-weeks_2026-w44_all-customers.png")


# --- PNG and SVG -----------------------------------------------------------------------------

def ink_columns(png: bytes, top: int, bottom: int) -> tuple[float, float]:
    """The leftmost and rightmost dark pixel between rows ``top`` and ``bottom`` (fractions
    of the image height), as fractions of the width."""
    im = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    h, w = im.shape
    band = im[int(h * top):int(h * bottom)]
    cols = np.where((band < 128).any(axis=0))[0]
    return cols[0] / w, cols[-1] / w


def _jalali_week(monday: date) -> str:
    """«هفتهٔ d1 تا d2 month year» for a Monday-to-Sunday week (jdatetime as the oracle); a
    week across two months names both («هفتهٔ ۲۷ مهر تا ۳ آبان ۱۴۰۵»)."""
    import jdatetime

    first = jdatetime.date.fromgregorian(date=monday)
    last = jdatetime.date.fromgregorian(date=monday + timedelta(days=6))
    assert first.year == last.year
    months = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
              "دی", "بهمن", "اسفند")
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    start = (f"{first.day}" if first.month == last.month
             else f"{first.day} {months[first.month - 1]}")
    return f"هفتهٔ {start} تا {last.day} {months[last.month - 1]} {last.year}".translate(digits)


def test_persian_chart_image_is_right_aligned_in_the_persian_font(demo, renderer):
    ex = persian_chart()
    with i18n.use("fa"):
        ctx = export.Context(demo.filters, demo.aset.id, GENERATED)
        fig = export.decorate(ex, ctx)
    # made outside the block, as a download's bytes are: in the context's language
    png, svg = export.image(ex, ctx, "png"), export.image(ex, ctx, "svg")
    assert fig.layout.font.family == f"{rtl.DIGITS_FAMILY}, {rtl.FAMILY}"  # digits, then text
    assert fig.layout.title.xanchor == "right" and fig.layout.title.x > 0.95
    assert fig.layout.annotations[-1].xanchor == "right"  # the source line at the foot
    assert fig.layout.legend.xanchor == "right"
    # each line of the title is embedded right to left; the weeks read as their Jalali days
    # (jdatetime as the oracle: 2026-W44 is Monday 26 October to Sunday 1 November 2026)
    assert fig.layout.title.text.count(rtl.RLE) == 2
    assert _jalali_week(date(2026, 10, 26)) == "هفتهٔ ۴ تا ۱۰ آبان ۱۴۰۵"
    assert (f"{_jalali_week(date(2026, 10, 26))} در برابر {_jalali_week(date(2026, 10, 19))}"
            in fig.layout.title.text)
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    PICTURE.write_bytes(png)
    assert Image.open(io.BytesIO(png)).size == (2 * export.WIDTH, 2 * export.HEIGHT)
    # the title's ink ends at the right edge and starts past the middle; in English the
    # same chart's title starts at the left edge
    left, right = ink_columns(png, 0.0, 0.06)
    assert right > 0.97 and left > 0.5, (left, right)
    with i18n.use("en"):
        en = export.image(dataclass_replace(ex, title="NPS by region in week 44"), demo.ctx,
                          "png")
    en_left, _ = ink_columns(en, 0.0, 0.06)
    assert en_left < 0.03
    # the SVG sets its text in the Persian font, and the text is there as Persian letters
    root = ET.fromstring(svg)
    texts = [el for el in root.iter() if el.tag.endswith("text")]
    title = next(el for el in texts if "gtitle" in (el.get("class") or ""))
    assert rtl.PERSIAN_FONT in (title.get("style") or "")
    assert "تفکیک منطقه" in "".join(title.itertext())


def dataclass_replace(ex: Exhibit, **changes) -> Exhibit:
    import dataclasses

    return dataclasses.replace(ex, **changes)


# --- PPTX ------------------------------------------------------------------------------------

def text_frames(prs):
    """Every text frame of the deck: shapes, table cells and speaker notes."""
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame
            if shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        yield cell.text_frame
        if slide.has_notes_slide:
            yield slide.notes_slide.notes_text_frame


def test_persian_pptx_runs_right_to_left_in_the_persian_font(packs):
    prs = Presentation(io.BytesIO(packs.fa.files["pptx"]))
    runs = 0
    for tf in text_frames(prs):
        for p in tf.paragraphs:
            if not p.runs:
                continue
            ppr = p._p.find(qn("a:pPr"))
            assert ppr is not None and ppr.get("rtl") == "1" and ppr.get("algn") == "r", (
                p.text)
            for r in p.runs:
                rpr = r._r.find(qn("a:rPr"))
                cs = rpr.find(qn("a:cs"))
                latin = rpr.find(qn("a:latin"))
                assert cs is not None and cs.get("typeface") == "Noto Sans Arabic", r.text
                assert latin is not None and latin.get("typeface") == "Calibri", r.text
                assert rpr.get("lang") == "fa-IR"
                # DrawingML's order: latin before cs
                kids = [c.tag for c in rpr]
                assert kids.index(qn("a:latin")) < kids.index(qn("a:cs"))
                runs += 1
                # digits are Persian: no Latin digit is left in any run
                assert not LATIN_DIGITS.search(r.text), r.text
    assert runs > 100
    # every table runs right to left (its first column on the right)
    tables = [sh for s in prs.slides for sh in s.shapes if sh.has_table]
    assert len(tables) == 4
    for sh in tables:
        assert sh._element.graphic.graphicData.tbl.tblPr.get("rtl") == "1"
    # titles and headers in Persian; the KPI table's headers translated
    first = prs.slides[0]
    assert first.shapes.title.text.startswith("خلاصهٔ مدیریتی: هفتهٔ ")
    kpi = tables[0].table
    assert [c.text for c in kpi.rows[0].cells][0] == "شاخص کلیدی"
    assert "ارزیابی" in [c.text for c in kpi.rows[0].cells]
    # the deck is mirrored: the logo in the top left corner, the title to its right
    for s in prs.slides:
        logo = next(sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE
                    and sh.image.blob == LOGO)
        assert logo.left < prs.slide_width * 0.1
        assert s.shapes.title.left >= logo.left + logo.width


def test_english_pptx_keeps_left_to_right(packs):
    prs = Presentation(io.BytesIO(packs.en.files["pptx"]))
    for tf in text_frames(prs):
        for p in tf.paragraphs:
            ppr = p._p.find(qn("a:pPr"))
            assert ppr is None or ppr.get("rtl") is None
            for r in p.runs:
                rpr = r._r.find(qn("a:rPr"))
                assert rpr is None or rpr.find(qn("a:cs")) is None
    assert prs.slides[0].shapes.title.text.startswith("Executive summary: week ")


# --- PDF -------------------------------------------------------------------------------------

def runs_with_x(page) -> list[tuple[str, float]]:
    """Each run of text of a page with the x of its origin."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

    page.extract_text(visitor_text=visit)
    return out


def test_persian_pdf_pages_run_right_to_left_with_persian_text_and_digits(packs, demo):
    reader = PdfReader(io.BytesIO(packs.fa.files["pdf"]))
    assert len(reader.pages) == 1 + 2 + 1
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            font = f.get_object()  # a small font may be embedded as Type3 (no base name)
            fonts.add(str(font.get("/BaseFont", font["/Subtype"])))
    assert any("NotoSansArabic" in f for f in fonts), fonts
    # the text comes back in visual order, letters as their shaped presentation forms
    # (NFKC gives the letters back): Persian words and the week's year in Persian digits
    text = [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]
    with i18n.use("fa"):
        year = rtl.say(demo.filters.week).split("-")[0]
        title = pack.summary_title(demo.ctx)
    assert year in text[0] or year[::-1] in text[0]
    assert "مدیریتی" in text[0] and "خلاصه" in text[0]
    assert "فرض" in text[-1]
    # the pages the pack writes (summary, assumptions) carry Persian digits only; a chart
    # page's axis ticks are plotly's own numbers: Latin digits in the text, drawn with the
    # Persian glyphs of the digits font
    for t in (text[0], text[-1]):
        assert not LATIN_DIGITS.search(t), [ln for ln in t.splitlines()
                                            if LATIN_DIGITS.search(ln)]
    assert title.startswith("خلاصهٔ مدیریتی")
    width = float(reader.pages[0].mediabox.width)
    for i, page in enumerate(reader.pages):
        persian = [(t, x) for t, x in runs_with_x(page) if PERSIAN_LETTERS.search(t)]
        assert persian, i
        # Persian text sits on the right of the page (right-aligned from the right margin)
        rightmost = max(x for _, x in persian)
        assert rightmost > width * 0.6, (i, rightmost)
    # the logo laid over every page sits in the top left corner
    from tests.test_pack import pdf_image_boxes

    for page in reader.pages:
        x0, y0, x1, y1 = pdf_image_boxes(page)[-1]
        assert x1 < width * 0.2


def test_persian_summary_page_picture(demo, renderer):
    """The PDF's first page in Persian as a picture beside the chart's, for the reviewer."""
    with i18n.use("fa"):
        summ = summary.build(demo.fetch, demo.filters, demo.aset)
        page = pack.summary_page(2, demo.ctx, pack.Template.load(TEMPLATE), summ)
        png = export.Renderer.render(page, "png")
    assert page.layout.annotations[0].xanchor == "right"
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    (PICTURE.parent / "persian-summary-page.png").write_bytes(png)
    left, right = ink_columns(png, 0.02, 0.08)  # the title, from the right margin
    assert right > 0.95 and left > 0.3, (left, right)


def test_english_pdf_is_left_to_right(packs):
    reader = PdfReader(io.BytesIO(packs.en.files["pdf"]))
    first = reader.pages[0].extract_text()
    assert "Executive summary: week" in first and not PERSIAN_DIGITS.search(first)


# --- XLSX ------------------------------------------------------------------------------------

def test_persian_xlsx_sheets_right_to_left_with_persian_headers(packs):
    fa = openpyxl.load_workbook(io.BytesIO(packs.fa.files["xlsx"]))
    en = openpyxl.load_workbook(io.BytesIO(packs.en.files["xlsx"]))
    assert len(fa.sheetnames) == len(en.sheetnames) == 4
    assert fa.sheetnames[0] == "خلاصه" and fa.sheetnames[-1] == "فرض‌ها"
    for ws in fa.worksheets:
        assert ws.sheet_view.rightToLeft, ws.title
    for ws in en.worksheets:
        assert not ws.sheet_view.rightToLeft, ws.title
    # headers translated; the numbers below them are the English workbook's numbers
    fa_rows = [list(r) for r in fa["فرض‌ها"].iter_rows(min_row=4, values_only=True)]
    en_rows = [list(r) for r in en["Assumptions"].iter_rows(min_row=4, values_only=True)]
    assert fa_rows[0] == ["فرض", "مقدار", "واحد", "منبع"]
    assert en_rows[0] == ["Assumption", "Value", "Unit", "Source"]
    assert fa_rows[1:] == en_rows[1:]
    s_fa, s_en = fa.worksheets[0], en.worksheets[0]
    assert s_fa["A1"].value.startswith("خلاصهٔ مدیریتی") and PERSIAN_DIGITS.search(
        s_fa["A1"].value) and not LATIN_DIGITS.search(s_fa["A1"].value)
    head = [c.value for c in s_fa[6]]
    assert head[:3] == ["شاخص کلیدی", "واحد", "هفته"]
    numeric = 0
    for r_fa, r_en in zip(s_fa.iter_rows(min_row=7, max_row=13, values_only=True),
                          s_en.iter_rows(min_row=7, max_row=13, values_only=True), strict=True):
        for a, b in zip(r_fa, r_en, strict=True):
            if isinstance(b, (int, float)) and not isinstance(b, bool):
                assert a == b  # a number stays a number
                numeric += 1
    assert numeric > 10
    # the chart sheets: title and scope in Persian digits, headers translated
    ws = fa.worksheets[1]
    assert PERSIAN_DIGITS.search(ws["C1"].value or ws["A1"].value or "")
