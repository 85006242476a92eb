"""The board pack: chosen exhibits as a 16:9 PPTX, the same content as a PDF, and an XLSX with one
sheet per chart (its data and a native Excel chart); written atomically, optionally e-mailed.

PPTX: it opens with the executive summary (the Weekly KPIs headline, every KPI's week with its
change and verdict, the money row, the scope and the charts left out as not loaded), then one
chart per slide (a title of at most ``TITLE_WORDS`` words, the computed takeaway in the body,
the chart; definitions, n, band and source in the speaker notes), and closes with the
assumptions in use (the set, its unit costs beside the booked ones, its other values; all of
them in the notes). The logo sits in the top right corner and every title ends before it, so
no text is under it. Logo, colours and fonts come from the template TOML (``CX_PACK_TEMPLATE``,
default ``data/pack_template.toml``); an optional ``master`` PowerPoint file supplies the slide
masters. The PDF is the same pages rendered by the one kaleido browser and merged with pypdf;
the XLSX opens with the summary's numbers. No Streamlit here: the Board pack page and
``python -m dashboard pack`` share it.
"""

from __future__ import annotations

import contextvars
import io
import os
import queue
import re
import tempfile
import textwrap
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.exports import files as export
from dashboard.exports import rtl
from dashboard.exports import summary as summary_mod
from dashboard.exports.exhibits import Exhibit
from dashboard.warehouse import config

FORMATS = ("pptx", "pdf", "xlsx")
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "xlsx": export.XLSX_MIME}
Progress = Callable[[int, int, str], None]


class PackError(RuntimeError):
    """A pack that cannot be built (bad template, unknown format …): one line for the user."""


@dataclass(frozen=True)
class Template:
    """Logo, colours and fonts of the pack."""

    name: str = "CX Ledger default"
    logo: Path | None = None
    font: str = "Calibri"
    #: the font of Persian text (PowerPoint's complex-script font): exports in Persian
    font_fa: str = rtl.PERSIAN_FONT
    primary: str = "#1F4E79"
    accent: str = "#C0504D"
    text: str = "#222222"
    muted: str = "#666666"
    master: Path | None = None

    @classmethod
    def load(cls, path: Path | str | None = None) -> Template:
        """The template TOML (``CX_PACK_TEMPLATE`` or the shipped default); paths in it are
        relative to the file. A missing file or logo is an error naming it."""
        p = Path(path or config.pack_template_path())
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PackError(f"pack template {p} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise PackError(f"pack template {p}: {exc}") from None
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise PackError(f"pack template {p}: unknown key(s) {', '.join(unknown)}")
        for key in ("logo", "master"):
            if doc.get(key):
                doc[key] = (p.parent / doc[key]).resolve()
                if not doc[key].exists():
                    raise PackError(f"pack template {p}: {key} file {doc[key]} not found")
        for key in ("primary", "accent", "text", "muted"):
            v = str(doc.get(key, getattr(cls, key)))
            if not re.fullmatch(r"#[0-9A-Fa-f]{6}", v):
                raise PackError(f"pack template {p}: {key} must be a colour like #1F4E79, "
                                f"got {v!r}")
        return cls(**doc)


@dataclass
class Pack:
    """The built files (format → bytes) and what went into them."""

    files: dict[str, bytes]
    exhibits: list[Exhibit]
    context: export.Context
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    not_loaded: tuple[str, ...] = ()  # lines naming the charts left out: data not loaded

    def file_name(self, fmt: str) -> str:
        """``cx-ledger-board-pack[_<set>]_<week>_<filters>.<fmt>``: the set is named unless it
        is the published one, so packs for two sets never overwrite each other."""
        name = "CX Ledger board pack"
        if not self.context.set_id.startswith("published "):
            name += f" {self.context.set_id}"
        return export.file_name(name, self.context.filters, fmt)

    def summary(self) -> str:
        """One line for a scheduler or the page."""
        sizes = ", ".join(f"{fmt} {len(b) / 1e6:.2f} MB" for fmt, b in self.files.items())
        where = f" → {self.written[0].parent}" if self.written else ""
        return (f"pack {self.context.filters.week} ({self.context.filters.describe()}): "
                f"{len(self.exhibits)} chart{'s' if len(self.exhibits) != 1 else ''}, {sizes} "
                f"in {self.seconds:.1f} s{where}")


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def assumptions_rows(aset, ctx: export.Context) -> pd.DataFrame:
    """The assumptions in force in the pack's week: key, value, unit, source (the columns
    keep these English names; exports show them translated, ``rtl.header``)."""
    t = aset.table(ctx.filters.week_start)
    return pd.DataFrame({"Assumption": t["assumption_key"].astype(str),
                         "Value": t["value_text"].astype(str), "Unit": t["unit"].astype(str),
                         "Source": t["source"].astype(str)})


def _chunks(df: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [df.iloc[i:i + size] for i in range(0, max(len(df), 1), size)]


def speaker_notes(ex: Exhibit, ctx: export.Context) -> str:
    """Definitions, base, band and source of one chart."""
    lines = [rtl.say(ex.title), *map(rtl.say, ex.notes)]
    if ex.n is not None:
        lines.append(i18n._("n = {n}", n=rtl.number(ex.n)))
    if ex.band:
        lines.append(i18n._("Bands: {band}", band=rtl.say(ex.band)))
    lines += [i18n._("Scope: {scope}", scope=ctx.scope_line(None, ex.span)),
              ctx.source_line()]
    return "\n".join(lines)


# --- titles ----------------------------------------------------------------------------------

#: The most words a slide or page title has (the sentence goes in the body).
TITLE_WORDS = 12


def word_count(text: str) -> int:
    """Words of a title: the tokens that hold a letter or digit ("—" is not a word)."""
    return sum(any(ch.isalnum() for ch in w) for w in text.split())


def slide_title(ex: Exhibit) -> str:
    """A chart slide's title: the chart's own title when it has at most ``TITLE_WORDS``
    words, else its short name (the takeaway sentence is in the slide's body)."""
    if word_count(ex.title) <= TITLE_WORDS:
        return rtl.say(ex.title)
    from dashboard.exports.exhibits import LABELS

    short = LABELS.get(ex.key, ex.title)
    return rtl.say(short if word_count(short) <= TITLE_WORDS
                   else " ".join(short.split()[:TITLE_WORDS]))


def summary_title(ctx: export.Context) -> str:
    return rtl.say(i18n._("Executive summary: week {week}", week=ctx.filters.week))


def pack_title(ctx: export.Context) -> str:
    """The opening title of a pack made without the summary."""
    return rtl.say(i18n._("CX Ledger board pack: week {week}", week=ctx.filters.week))


def assumptions_title(ctx: export.Context) -> str:
    title = rtl.say(i18n._("Assumptions in use: set {set_id}", set_id=ctx.set_id))
    return title if word_count(title) <= TITLE_WORDS else i18n._("Assumptions in use")


def scope_text(ctx: export.Context, n_charts: int) -> str:
    f = ctx.filters
    return rtl.say(i18n.ngettext(
        "Week {week} against {compare_week} ({comparison}) · Filters: {filters} · "
        "Assumption set: {set_id} · {n} chart",
        "Week {week} against {compare_week} ({comparison}) · Filters: {filters} · "
        "Assumption set: {set_id} · {n} charts", n_charts, week=f.week,
        compare_week=f.compare_week, comparison=f.compare_label, filters=f.describe(),
        set_id=ctx.set_id))


#: Rows of other assumption values on the closing slide (the rest: notes and workbook).
VALUE_ROWS = 18


def _value_rows(use: summary_mod.AssumptionsInUse) -> pd.DataFrame:
    """The closing slide's other values, at most ``VALUE_ROWS`` (the last says how many more
    are in the notes and the workbook)."""
    v = use.values
    if len(v) <= VALUE_ROWS:
        return v
    more = len(v) - VALUE_ROWS + 1
    return pd.concat([v.iloc[:VALUE_ROWS - 1], pd.DataFrame([{
        "Assumption": rtl.say(i18n._("… {n} more", n=more)), "Value": "", "Unit": "",
        "Source": i18n._("in the notes and the workbook")}])], ignore_index=True)


def assumptions_notes(aset, ctx: export.Context) -> str:
    """Every value in force, one line each (the closing slide's notes)."""
    rows = assumptions_rows(aset, ctx)
    lines = [f"{r.Assumption} = {r.Value} {r.Unit} ({r.Source})".replace("  ", " ")
             for r in rows.itertuples(index=False)]
    return "\n".join([in_force(ctx) + ":", *map(rtl.say, lines), ctx.source_line()])


def in_force(ctx: export.Context) -> str:
    """"Assumption set …, in force in …" (the notes' and the workbook's heading)."""
    return rtl.say(i18n._("Assumption set {set_id}, in force in {week}", set_id=ctx.set_id,
                          week=ctx.filters.week))


# --- PPTX ----------------------------------------------------------------------------------

#: Children of a run's properties (``a:rPr``) that come after ``a:cs`` (DrawingML's order).
_AFTER_CS = ("sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")


def _cs_font(rpr, typeface: str) -> None:
    """Set the complex-script font (``a:cs``: what PowerPoint draws Arabic script with) of a
    run's or a paragraph's properties, in its place after ``a:latin`` / ``a:ea``."""
    from pptx.oxml.ns import qn

    for old in rpr.findall(qn("a:cs")):
        rpr.remove(old)
    cs = rpr.makeelement(qn("a:cs"), {"typeface": typeface})
    later = next((c for c in rpr if c.tag in {qn(f"a:{t}") for t in _AFTER_CS}), None)
    if later is None:
        rpr.append(cs)
    else:
        later.addprevious(cs)


def directed(tf, tpl: Template) -> None:
    """In Persian, every paragraph of a text frame right to left (``rtl="1"``, ``algn="r"``)
    and every run in the Persian font: ``a:latin`` the template's font (Latin letters such as
    NPS), ``a:cs`` ``tpl.font_fa`` (Persian letters), ``lang="fa-IR"``. English: untouched."""
    if not rtl.rtl():
        return
    for p in tf.paragraphs:
        ppr = p._p.get_or_add_pPr()
        ppr.set("rtl", "1")
        ppr.set("algn", "r")
        runs = [r._r.get_or_add_rPr() for r in p.runs] + [ppr.get_or_add_defRPr()]
        for rpr in runs:
            rpr.set("lang", "fa-IR")
            latin = rpr.get_or_add_latin()
            if not latin.get("typeface"):
                latin.set("typeface", tpl.font)
            _cs_font(rpr, tpl.font_fa)


def _textbox(slide, left, top, width, height, text, tpl, size, bold=False, colour=None):
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(str(text).split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.font.size, p.font.bold, p.font.name = Pt(size), bold, tpl.font
        p.font.color.rgb = _rgb(colour or tpl.text)
    directed(tf, tpl)
    return box


def _notes(slide, text: str, tpl: Template) -> None:
    """A slide's speaker notes, right to left in Persian."""
    tf = slide.notes_slide.notes_text_frame
    tf.text = text
    directed(tf, tpl)


def _layout(prs, names: Sequence[str], index: int):
    for layout in prs.slide_layouts:
        if layout.name in names:
            return layout
    return prs.slide_layouts[min(index, len(prs.slide_layouts) - 1)]


def _drop_slides(prs) -> None:
    ids = prs.slides._sldIdLst  # python-pptx has no public call to delete a slide
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _drop_empty_placeholders(slide) -> None:
    """Placeholders the pack does not fill (subtitle, date, footer …) are removed: an empty
    one shows "Click to add text" and may sit under the logo."""
    for ph in list(slide.placeholders):
        if ph.placeholder_format.idx != 0 and not (ph.has_text_frame and ph.text_frame.text):
            ph._element.getparent().remove(ph._element)


class _Deck:
    """Slide geometry: margins, the logo's box in the top right corner and the title beside
    it, so no text is ever under the logo."""

    def __init__(self, prs, tpl: Template):
        from pptx.util import Inches

        self.prs, self.tpl = prs, tpl
        self.W, self.H = prs.slide_width, prs.slide_height
        self.margin = Inches(0.5)
        self.logo = None
        if tpl.logo:
            from PIL import Image

            with Image.open(tpl.logo) as im:
                aspect = im.width / im.height
            h = Inches(0.45)
            w = int(h * aspect)
            # Persian slides are mirrored: the logo in the top left corner, the title right
            left = Inches(0.3) if rtl.rtl() else self.W - Inches(0.3) - w
            self.logo = (left, Inches(0.25), w, h)
        self.title_only = _layout(prs, ("Title Only",), 5)

    @property
    def title_left(self) -> int:
        """Where the title starts: the left margin, or (Persian) after the logo."""
        from pptx.util import Inches

        if self.logo and rtl.rtl():
            return self.logo[0] + self.logo[2] + Inches(0.25)
        return self.margin

    @property
    def title_width(self) -> int:
        """From the left margin to a gap before the logo (or the right margin); Persian:
        from after the logo to the right margin."""
        from pptx.util import Inches

        if rtl.rtl():
            return self.W - self.margin - self.title_left
        right = self.logo[0] - Inches(0.25) if self.logo else self.W - self.margin
        return right - self.margin

    @property
    def body_top(self) -> int:
        """The first line under the title band (and under the logo)."""
        from pptx.util import Inches

        return Inches(1.1)

    def slide(self, title: str, size: int = 26):
        from pptx.util import Inches, Pt

        s = self.prs.slides.add_slide(self.title_only)
        shape = s.shapes.title
        if shape is None:
            shape = _textbox(s, self.title_left, Inches(0.3), self.title_width, Inches(0.75),
                             title, self.tpl, size, bold=True, colour=self.tpl.primary)
        else:
            shape.text = title
            for p in shape.text_frame.paragraphs:
                p.font.size, p.font.bold, p.font.name = Pt(size), True, self.tpl.font
                p.font.color.rgb = _rgb(self.tpl.primary)
            directed(shape.text_frame, self.tpl)
        shape.left, shape.top = self.title_left, Inches(0.3)
        shape.width, shape.height = self.title_width, Inches(0.75)
        shape.text_frame.word_wrap = True
        _drop_empty_placeholders(s)
        if self.logo:
            left, top, w, h = self.logo
            s.shapes.add_picture(str(self.tpl.logo), left, top, width=w, height=h)
        return s

    def text(self, slide, top, height, text, size, colour=None, bold=False, left=None,
             width=None):
        return _textbox(slide, self.margin if left is None else left, top,
                        (self.W - 2 * self.margin) if width is None else width, height, text,
                        self.tpl, size, bold=bold, colour=colour)

    def table(self, slide, df: pd.DataFrame, left, top, width, row_h, size=11):
        from pptx.util import Emu, Pt

        n = len(df) + 1
        shape = slide.shapes.add_table(n, len(df.columns), left, top, width, Emu(row_h * n))
        table = shape.table
        if rtl.rtl():  # Persian: the first column on the right
            shape._element.graphic.graphicData.tbl.tblPr.set("rtl", "1")
        for j, col in enumerate(df.columns):
            table.cell(0, j).text = rtl.header(col)
        for r, rec in enumerate(df.itertuples(index=False), start=1):
            for j, v in enumerate(rec):
                table.cell(r, j).text = "" if v is None else rtl.say(v)
        for row in table.rows:
            row.height = row_h
            for cell in row.cells:
                cell.margin_top = cell.margin_bottom = Emu(int(row_h * 0.08))
                for p in cell.text_frame.paragraphs:
                    p.font.size, p.font.name = Pt(size), self.tpl.font
                directed(cell.text_frame, self.tpl)
        return shape

    def band(self, slide) -> None:
        """A band in the template's accent colour along the foot."""
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, self.H - Inches(0.3), self.W,
                                      Inches(0.3))
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(self.tpl.accent)
        band.line.fill.background()


def _summary_slide(deck: _Deck, ctx: export.Context, n_charts: int,
                   summary: summary_mod.Summary | None, not_loaded: Sequence[str]) -> None:
    """The opening slide: the week's headline, every KPI with its change and verdict, the
    money row; scope and source under them."""
    from pptx.util import Inches

    tpl, W, H, m = deck.tpl, deck.W, deck.H, deck.margin
    s = deck.slide(summary_title(ctx) if summary else pack_title(ctx))
    deck.text(s, deck.body_top, Inches(0.35), scope_text(ctx, n_charts), 12, tpl.muted)
    top = deck.body_top + Inches(0.4)
    if summary is not None:
        deck.text(s, top, Inches(0.9), rtl.say(summary.headline), 16)
        top += Inches(1.0)
        split = int(W * 0.56)
        row_h = Inches(0.32)
        kpi_w = split - m - Inches(0.2)
        right = split + Inches(0.1)
        money_w = W - m - right
        # Persian: mirrored, the KPIs on the right and the money row on the left
        kpi_left, money_left = (W - m - kpi_w, m) if rtl.rtl() else (m, right)
        deck.table(s, summary.kpis, kpi_left, top, kpi_w, row_h)
        money = summary.money
        deck.table(s, money, money_left, top, money_w, row_h)
        if summary.money_note:
            deck.text(s, top + row_h * (len(money) + 1) + Inches(0.1), Inches(0.6),
                      rtl.say(summary.money_note), 10, tpl.muted, left=money_left,
                      width=money_w)
    foot = "\n".join([*map(rtl.say, not_loaded), ctx.source_line()])
    lines = foot.count("\n") + 1
    deck.text(s, H - Inches(0.35) - Inches(0.22) * lines, Inches(0.22) * lines, foot, 10,
              tpl.muted)
    deck.band(s)
    _notes(s, rtl.say(i18n._(
        "The headline and the verdicts are the Weekly KPIs page's: a change is better or worse "
        "only when significant after Benjamini–Hochberg correction across the KPIs. Every chart "
        "slide's title names the chart and its body states the computed takeaway; definitions, "
        "base and bands are in each slide's notes. Modelled money figures are P10–P90 bands, "
        "observed ones 95% intervals; the two are never added.")), deck.tpl)


def _chart_slide(deck: _Deck, ex: Exhibit, png: bytes, ctx: export.Context) -> None:
    from pptx.util import Inches

    s = deck.slide(slide_title(ex), 24)
    size = 14 if len(ex.takeaway) <= 300 else 12
    deck.text(s, deck.body_top, Inches(0.8), rtl.say(ex.takeaway), size)
    top = deck.body_top + Inches(0.85)
    avail_h, avail_w = deck.H - top - Inches(0.2), deck.W - 2 * deck.margin
    width = min(avail_w, int(avail_h * export.WIDTH / export.HEIGHT))
    s.shapes.add_picture(io.BytesIO(png), int((deck.W - width) / 2), top, width=width)
    _notes(s, speaker_notes(ex, ctx), deck.tpl)


def _assumptions_slide(deck: _Deck, aset, ctx: export.Context) -> None:
    """The closing slide: the set in use, its unit costs beside the booked ones, its other
    values; every value in force in the notes."""
    from pptx.util import Inches

    use = summary_mod.assumptions_in_use(aset, ctx.filters)
    s = deck.slide(assumptions_title(ctx))
    deck.text(s, deck.body_top, Inches(0.8), rtl.say(use.takeaway), 14)
    top = deck.body_top + Inches(0.85)
    W, m = deck.W, deck.margin
    split = int(W * 0.42)
    row_h = Inches(0.27)
    # Persian: mirrored, the unit costs on the right and the other values on the left
    costs_left, values_left = (W - split + Inches(0.2), m) if rtl.rtl() else (m, split)
    deck.text(s, top, Inches(0.3), unit_costs_heading(), 12, deck.tpl.primary,
              bold=True, left=costs_left, width=split - m - Inches(0.2))
    deck.table(s, use.unit_costs, costs_left, top + Inches(0.35), split - m - Inches(0.2),
               row_h, 10)
    deck.text(s, top, Inches(0.3), other_values_heading(), 12, deck.tpl.primary, bold=True,
              left=values_left, width=W - m - split)
    deck.table(s, _value_rows(use), values_left, top + Inches(0.35), W - m - split, row_h, 10)
    _notes(s, assumptions_notes(aset, ctx), deck.tpl)


def unit_costs_heading() -> str:
    return i18n._("Unit costs (currency per contact)")


def other_values_heading() -> str:
    return i18n._("Other values in force")


def build_pptx(exhibits: Sequence[Exhibit], pngs: Sequence[bytes], ctx: export.Context,
               aset, tpl: Template, not_loaded: Sequence[str] = (),
               summary: summary_mod.Summary | None = None) -> bytes:
    """The deck: the executive summary (the scope only, without ``summary``), one chart per
    slide (a short title, the takeaway in the body, the chart), and the assumptions in use."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation(str(tpl.master)) if tpl.master else Presentation()
    _drop_slides(prs)  # a master file's own slides are not part of the pack
    if not tpl.master:
        prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    deck = _Deck(prs, tpl)
    _summary_slide(deck, ctx, len(exhibits), summary, not_loaded)
    for ex, png in zip(exhibits, pngs, strict=True):
        _chart_slide(deck, ex, png, ctx)
    _assumptions_slide(deck, aset, ctx)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------

#: The logo's box on a PDF page, in CSS pixels of the 1280 × 720 page: the top right corner,
#: above every chart and table; titles are wrapped to end before it.
LOGO_BOX = (1280 - 24 - 150, 16, 150, 50)  # left, top, width, height
#: Persian pages are mirrored: the logo in the top left corner.
LOGO_BOX_RTL = (24, 16, 150, 50)


def logo_box() -> tuple[int, int, int, int]:
    """The logo's box on a page in the current language."""
    return LOGO_BOX_RTL if rtl.rtl() else LOGO_BOX
#: Characters per line of a PDF page's title and of its body text (they end before the logo).
TITLE_CHARS, BODY_CHARS = 78, 150


def _page(tpl: Template) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(width=export.WIDTH, height=export.HEIGHT, plot_bgcolor="white",
                      paper_bgcolor="white", font={"family": export.font_family()},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"t": 0, "b": 0, "l": 0, "r": 0})
    return fig


def _say(fig: go.Figure, text: str, y_px: float, size: int, colour: str, bold: bool = False,
         x_px: float = 48, chars: int = BODY_CHARS, lines: int = 4) -> float:
    """Literal text at ``y_px`` from the top, wrapped at ``chars``; returns the y under it.
    Persian: ``x_px`` counts from the right edge, the text is right-aligned and each line
    runs right to left."""
    body = "<br>".join(rtl.line(export.literal(line))
                       for line in _wrap(rtl.say(text), chars, lines).split("\n"))
    if bold:
        body = f"<b>{body}</b>"
    side = rtl.align()
    fig.add_annotation(text=body, x=rtl.x(x_px / export.WIDTH), y=1 - y_px / export.HEIGHT,
                       xref="paper", yref="paper", xanchor=side, yanchor="top",
                       showarrow=False, align=side, font={"size": size, "color": colour})
    return y_px + (body.count("<br>") + 1) * size * 1.35 + 6


def _table(fig: go.Figure, df: pd.DataFrame, tpl: Template, x0: float, x1: float,
           y_px: float, y_end_px: float, size: int = 12, widths: Sequence[float] | None = None
           ) -> None:
    """A table between ``x0`` and ``x1`` (page fractions) from ``y_px`` down to ``y_end_px``
    (the room it may take: its rows are as tall as their wrapped text). Persian: mirrored
    (``x0``/``x1`` counted from the right edge), the first column on the right, headers
    translated, text right-aligned, numbers in Persian digits."""
    cols = list(df.columns)
    widths = list(widths) if widths else None
    if rtl.rtl():
        x0, x1 = 1 - x1, 1 - x0
        cols = cols[::-1]
        widths = widths[::-1] if widths else None
    side = rtl.align()
    fig.add_trace(go.Table(
        columnwidth=widths,
        domain={"x": [x0, x1], "y": [1 - y_end_px / export.HEIGHT, 1 - y_px / export.HEIGHT]},
        header={"values": [rtl.line(export.literal(rtl.header(c))) for c in cols],
                "fill_color": tpl.primary, "font": {"color": "white", "size": size},
                "align": side},
        cells={"values": [[rtl.line(export.literal("" if v is None else rtl.say(v)))
                           for v in df[c]] for c in cols],
               "align": side, "font": {"size": size - 1}, "height": 24}))


def summary_page(n_charts: int, ctx: export.Context, tpl: Template,
                 summary: summary_mod.Summary | None = None,
                 not_loaded: Sequence[str] = ()) -> go.Figure:
    """The PDF's first page: the executive summary slide's content."""
    fig = _page(tpl)
    y = _say(fig, summary_title(ctx) if summary else pack_title(ctx), 28, 26, tpl.primary,
             bold=True, chars=TITLE_CHARS, lines=2)
    y = _say(fig, scope_text(ctx, n_charts), max(y, LOGO_BOX[1] + LOGO_BOX[3] + 14), 13,
             tpl.muted)
    if summary is not None:
        y = _say(fig, summary.headline, y + 4, 17, tpl.text, chars=125, lines=3)
        top = y + 10
        end = export.HEIGHT - 40 - 16 * (len(not_loaded) + 1)
        if summary.money_note:
            end -= 50
            _say(fig, summary.money_note, end + 8, 11, tpl.muted, x_px=0.55 * export.WIDTH,
                 chars=85, lines=3)
        _table(fig, summary.kpis, tpl, 48 / export.WIDTH, 0.53, top, end,
               widths=(1.7, 1, 1.1, 1.3, 0.9))
        _table(fig, summary.money, tpl, 0.55, 1 - 48 / export.WIDTH, top, end,
               widths=(2.2, 1, 2, 1))
    foot = [*not_loaded, ctx.source_line()]
    _say(fig, "\n".join(foot), export.HEIGHT - 30 - 16 * len(foot), 11, tpl.muted,
         lines=len(foot) * 2)
    return fig


def chart_page(ex: Exhibit, ctx: export.Context, tpl: Template) -> go.Figure:
    """One chart's PDF page: the slide's title, the takeaway under it, the chart's own title,
    period, filters and base, the chart; its definition, band and source at the foot.
    Persian: every text right-aligned, each line right to left."""
    fig = export.decorate(ex, ctx)
    head = "<br>".join(rtl.line(export.literal(line))
                       for line in _wrap(slide_title(ex), TITLE_CHARS, 1).split("\n"))
    take = "<br>".join(rtl.line(export.literal(line))
                       for line in _wrap(rtl.say(ex.takeaway), 110, 3).split("\n"))
    sub = rtl.line(export.literal(_wrap(
        i18n._("{title} · {scope}", title=rtl.say(ex.title),
               scope=ctx.scope_line(ex.n, ex.span)), 140, 1)))
    side = rtl.align()
    fig.update_layout(title={"text": f"<b>{head}</b><br><span style='font-size:14px'>{take}"
                                     f"</span><br><span style='font-size:12px'>{sub}</span>",
                             "font": {"color": tpl.primary, "size": 20},
                             "x": rtl.x(0.0375), "xanchor": side,
                             "y": 1 - 24 / export.HEIGHT, "yanchor": "top"},
                      margin={"t": 175})
    if ex.notes:  # the definition (the slide's notes) under the chart
        note = _wrap(rtl.say(ex.notes[0]), BODY_CHARS + 20, 2).replace("\n", "<br>")
        fig.add_annotation(text="<br>".join(rtl.line(export.literal(x))
                                            for x in note.split("<br>")),
                           xref="paper", yref="paper", x=rtl.x(0), y=-0.02, yshift=-50,
                           xanchor=side, yanchor="top", showarrow=False, align=side,
                           font={"size": 11, "color": tpl.muted})
    return fig


def assumptions_page(aset, ctx: export.Context, tpl: Template) -> go.Figure:
    """The PDF's last page: the closing slide's content."""
    use = summary_mod.assumptions_in_use(aset, ctx.filters)
    fig = _page(tpl)
    y = _say(fig, assumptions_title(ctx), 28, 26, tpl.primary, bold=True, chars=TITLE_CHARS,
             lines=2)
    y = _say(fig, use.takeaway, max(y, LOGO_BOX[1] + LOGO_BOX[3] + 14), 15, tpl.text,
             chars=140, lines=3)
    top = y + 30
    values = _value_rows(use)
    _say(fig, unit_costs_heading(), top - 24, 14, tpl.primary, bold=True)
    _say(fig, other_values_heading(), top - 24, 14, tpl.primary, bold=True,
         x_px=0.44 * export.WIDTH)
    _table(fig, use.unit_costs, tpl, 48 / export.WIDTH, 0.42, top, export.HEIGHT - 44, 12)
    _table(fig, values, tpl, 0.44, 1 - 48 / export.WIDTH, top, export.HEIGHT - 44, 12,
           widths=(2.3, 1.2, 1.6, 1.1))
    _say(fig, ctx.source_line(), export.HEIGHT - 30, 11, tpl.muted)
    return fig


def pdf_pages(exhibits: Sequence[Exhibit], ctx: export.Context, aset, tpl: Template,
              not_loaded: Sequence[str] = (),
              summary: summary_mod.Summary | None = None) -> list[go.Figure]:
    """The PDF's pages as figures: the summary, one chart per page, the assumptions."""
    return [summary_page(len(exhibits), ctx, tpl, summary, not_loaded),
            *(chart_page(ex, ctx, tpl) for ex in exhibits),
            assumptions_page(aset, ctx, tpl)]


def logo_page(tpl: Template) -> go.Figure | None:
    """A transparent page holding only the template's logo in ``LOGO_BOX`` (None without a
    logo): laid over every PDF page (``merge_pdfs``), so the logo sits in the same place on
    every page whatever the page's own margins, legend or tables take."""
    if not tpl.logo:
        return None
    from PIL import Image

    left, top, w, h = logo_box()
    fig = go.Figure()
    fig.update_layout(width=export.WIDTH, height=export.HEIGHT, margin={"t": 0, "b": 0,
                                                                        "l": 0, "r": 0},
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      xaxis={"visible": False}, yaxis={"visible": False})
    fig.add_layout_image(source=Image.open(tpl.logo), xref="paper", yref="paper",
                         x=left / export.WIDTH, y=1 - top / export.HEIGHT, xanchor="left",
                         yanchor="top", sizex=w / export.WIDTH, sizey=h / export.HEIGHT,
                         sizing="contain", layer="above")
    return fig


def _wrap(text: str, width: int = 120, lines: int = 3) -> str:
    """A long text on at most ``lines`` lines of ``width`` characters (plotly does not wrap
    titles); what does not fit ends in an ellipsis."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:width - 1].rstrip() + "…"
    return "\n".join(parts)


def merge_pdfs(parts: Sequence[bytes], overlay: bytes | None = None) -> bytes:
    """The pages of ``parts`` in order, each with the one page of ``overlay`` (the logo)
    laid over it."""
    from pypdf import PdfReader, PdfWriter

    top = PdfReader(io.BytesIO(overlay)).pages[0] if overlay else None
    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            added = writer.add_page(page)
            if top is not None:
                added.merge_page(top)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --- XLSX ----------------------------------------------------------------------------------

def build_xlsx(exhibits: Sequence[Exhibit], ctx: export.Context, aset,
               not_loaded: Sequence[str] = (),
               summary: summary_mod.Summary | None = None) -> bytes:
    """The summary's numbers first (when given), one sheet per chart (data, takeaway, native
    chart), then the assumptions (and a sheet listing the charts left out as not loaded, when
    there are any)."""
    buf = io.BytesIO()
    wb = export.workbook(buf)
    used: set[str] = set()
    if summary is not None:
        ws = export.add_table_sheet(wb, used, i18n._("Summary"), summary.kpi_numbers,
                                    (summary_title(ctx), rtl.say(summary.headline),
                                     ctx.scope_line(), ctx.source_line()))
        start = len(summary.kpi_numbers) + 4 + 2
        export._write_frame(wb, ws, summary.money_numbers, row0=start + 1)
        ws.write(start, 0, rtl.say(i18n._(
            "The money row (modelled figures: P10–P90; observed: 95% CI)")))
    for ex in exhibits:
        export.add_exhibit_sheet(wb, used, ex, ctx)
    if not_loaded:
        export.add_table_sheet(wb, used, i18n._("Not loaded"),
                               pd.DataFrame({"Left out": [rtl.say(x) for x in not_loaded]}),
                               (i18n._("Charts left out: their data are not loaded"),
                                ctx.source_line()))
    export.add_table_sheet(wb, used, i18n._("Assumptions"), assumptions_rows(aset, ctx),
                           (in_force(ctx), ctx.source_line()))
    wb.close()
    return buf.getvalue()


def check_formats(formats: Sequence[str], prefix: str = "") -> None:
    """PackError naming the unknown formats (or an empty list) and the known ones."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise PackError(f"{prefix}unknown format(s) {', '.join(bad) or '(none given)'}: "
                        f"choose from {', '.join(FORMATS)}")


# --- the whole pack ------------------------------------------------------------------------

def _in_its_language(fn):
    """Run a pack builder in its context's language (``Context.lang``)."""
    import functools

    @functools.wraps(fn)
    def run(exhibits, ctx: export.Context, *args, **kwargs):
        with i18n.use(ctx.lang):
            return fn(exhibits, ctx, *args, **kwargs)

    return run


@_in_its_language
def build(exhibits: Iterable[Exhibit], ctx: export.Context, aset,
          formats: Sequence[str] = FORMATS, template: Template | None = None,
          progress: Progress | None = None, expected: int | None = None,
          empty: str = "no chart selected for the pack",
          not_loaded: Callable[[], Sequence[str]] = tuple,
          summary: summary_mod.Summary | Callable[[], summary_mod.Summary] | None = None
          ) -> Pack:
    """Every requested format in memory (nothing is written here).

    ``exhibits`` may be a lazy iterable (``prefetch``): each chart's slide image and PDF page
    are rendered as it arrives, while later pages are still being computed. ``expected`` is
    the number of charts for the progress total; ``empty`` the error when none arrives;
    ``not_loaded`` gives, once every exhibit has arrived, the lines naming the charts left out
    because their data are not loaded (``exhibits.not_loaded_lines``), for the opening slide.
    ``summary`` (``exports.summary.build``, or a call making it once the charts are in) fills
    the opening slide; without it the opening slide states only the scope.
    """
    t0 = time.perf_counter()
    check_formats(formats)
    tpl = template or Template.load()
    if isinstance(exhibits, Sequence):
        expected = len(exhibits)
    per_chart = ("pptx" in formats) + ("pdf" in formats)
    closing = 2 if "pdf" in formats else 0  # the summary and the assumptions pages
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            total = max((expected or 0) * per_chart + closing + 1, done)
            progress(done, total, label)

    exs: list[Exhibit] = []
    pngs: list[bytes] = []
    pdf_parts: list[bytes] = []
    for ex in exhibits:
        exs.append(ex)
        jobs = ([(export.decorate(ex, ctx), "png")] if "pptx" in formats else []) + (
            [(chart_page(ex, ctx, tpl), "pdf")] if "pdf" in formats else [])
        images = export.Renderer.render_many(jobs) if jobs else []  # side by side in tabs
        if "pptx" in formats:
            pngs.append(images[0])
            step(f"slide image: {ex.title}")
        if "pdf" in formats:
            pdf_parts.append(images[-1])
            step(f"PDF page: {ex.title}")
    left_out = tuple(not_loaded())
    if not exs:
        raise PackError("; ".join([empty, *left_out]))
    summ = summary() if callable(summary) else summary
    files: dict[str, bytes] = {}
    if "pptx" in formats:
        files["pptx"] = build_pptx(exs, pngs, ctx, aset, tpl, left_out, summ)
    if "pdf" in formats:
        logo = logo_page(tpl)
        first, last, *over = export.Renderer.render_many([
            (summary_page(len(exs), ctx, tpl, summ, left_out), "pdf"),
            (assumptions_page(aset, ctx, tpl), "pdf"), *([(logo, "pdf")] if logo else [])])
        for _ in range(2):
            step("PDF summary and assumption pages")
        files["pdf"] = merge_pdfs([first, *pdf_parts, last], over[0] if over else None)
    if "xlsx" in formats:
        files["xlsx"] = build_xlsx(exs, ctx, aset, left_out, summ)
    step("files assembled")
    order = {f: i for i, f in enumerate(FORMATS)}
    files = dict(sorted(files.items(), key=lambda kv: order[kv[0]]))
    return Pack(files, exs, ctx, seconds=time.perf_counter() - t0, not_loaded=left_out)


def prefetch(items: Iterable[Exhibit]) -> Iterator[Exhibit]:
    """Iterate ``items`` on a thread of its own, handing each over as soon as it is made, so
    that computing the next page overlaps rendering this one; its error is raised here."""
    done = object()
    q: queue.Queue = queue.Queue()

    def produce() -> None:
        try:
            for item in items:
                q.put(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)
        q.put(done)

    # the thread runs in this context: the charts are made in the pack's language
    threading.Thread(target=contextvars.copy_context().run, args=(produce,),
                     name="pack-charts", daemon=True).start()
    while (item := q.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(pack: Pack, out_dir: Path | str) -> list[Path]:
    """Write every file of the pack into ``out_dir`` all or nothing: each goes to a hidden
    temporary file first and is renamed into place only when all are written; on any
    failure the temporaries are removed, no file of this pack is left behind, and a file of
    the same name that was there before (last run's) is put back."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    kept: list[tuple[Path, Path]] = []  # (backup, original) of files this write replaces
    try:
        for fmt, data in pack.files.items():
            fd, tmp = tempfile.mkstemp(prefix=".pack-", suffix=f".{fmt}.part", dir=out)
            os.chmod(tmp, 0o666 & ~_umask())  # as any new file: mkstemp's is owner-only
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temps.append((Path(tmp), out / pack.file_name(fmt)))
        for tmp, final in temps:
            if final.exists():
                backup = final.with_name(f".pack-{final.name}.previous")
                os.replace(final, backup)
                kept.append((backup, final))
            os.replace(tmp, final)
            placed.append(final)
    except BaseException:
        for path in [tmp for tmp, _ in temps] + placed:
            path.unlink(missing_ok=True)
        for backup, original in kept:
            os.replace(backup, original)
        raise
    for backup, _ in kept:
        backup.unlink(missing_ok=True)
    pack.written = [final for _, final in temps]
    return pack.written
