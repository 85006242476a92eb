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
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.exports import files as export
from dashboard.exports import rtl
from dashboard.exports import summary as summary_mod
from dashboard.exports.exhibits import Exhibit
from dashboard.exports.pack_pdf import (  # noqa: F401
    BODY_CHARS,
    LOGO_BOX,
    LOGO_BOX_RTL,
    TITLE_CHARS,
    _page,
    _say,
    _table,
    _wrap,
    assumptions_page,
    chart_page,
    logo_box,
    logo_page,
    merge_pdfs,
    pdf_pages,
    summary_page,
)
from dashboard.exports.pack_text import (  # noqa: F401
    TITLE_WORDS,
    VALUE_ROWS,
    PackError,
    Template,
    _chunks,
    _rgb,
    _value_rows,
    assumptions_notes,
    assumptions_rows,
    assumptions_title,
    in_force,
    other_values_heading,
    pack_title,
    scope_text,
    slide_title,
    speaker_notes,
    summary_title,
    unit_costs_heading,
    word_count,
)

FORMATS = ("pptx", "pdf", "xlsx")
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "xlsx": export.XLSX_MIME}
Progress = Callable[[int, int, str], None]


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


# --- titles ----------------------------------------------------------------------------------


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
