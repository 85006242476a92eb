"""The board pack: chosen exhibits as a 16:9 PPTX, the same content as a PDF, and an XLSX with one
sheet per chart (its data and a native Excel chart); written atomically, optionally e-mailed.

PPTX: a title slide (period, filters, assumption set), one chart per slide with its computed
takeaway as the slide title and definitions, n, band and source in the speaker notes, and closing
slide(s) with the assumptions in force. Logo, colours and fonts come from the template TOML
(``CX_PACK_TEMPLATE``, default ``data/pack_template.toml``); an optional ``master`` PowerPoint
file supplies the slide masters. The PDF is the same pages rendered by the one kaleido browser
and merged with pypdf. No Streamlit here: the Board pack page and ``python -m dashboard pack``
share it.
"""

from __future__ import annotations

import io
import math
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

from dashboard.exports import files as export
from dashboard.exports.exhibits import Exhibit
from dashboard.warehouse import config

FORMATS = ("pptx", "pdf", "xlsx")
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "xlsx": export.XLSX_MIME}
#: Assumption rows per closing slide / page.
ROWS_PER_SLIDE = 13
Progress = Callable[[int, int, str], None]


class PackError(RuntimeError):
    """A pack that cannot be built (bad template, unknown format …): one line for the user."""


@dataclass(frozen=True)
class Template:
    """Logo, colours and fonts of the pack."""

    name: str = "CX Ledger default"
    logo: Path | None = None
    font: str = "Calibri"
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
    """The assumptions in force in the pack's week: key, value, unit, source."""
    t = aset.table(ctx.filters.week_start)
    return pd.DataFrame({"Assumption": t["assumption_key"].astype(str),
                         "Value": t["value_text"].astype(str), "Unit": t["unit"].astype(str),
                         "Source": t["source"].astype(str)})


def _chunks(df: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [df.iloc[i:i + size] for i in range(0, max(len(df), 1), size)]


def speaker_notes(ex: Exhibit, ctx: export.Context) -> str:
    """Definitions, base, band and source of one chart."""
    lines = [ex.title, *ex.notes]
    if ex.n is not None:
        lines.append(f"n = {ex.n:,}")
    if ex.band:
        lines.append(f"Bands: {ex.band}")
    lines += [f"Scope: {ctx.scope_line()}", ctx.source_line()]
    return "\n".join(lines)


# --- PPTX ----------------------------------------------------------------------------------

def _textbox(slide, left, top, width, height, text, tpl, size, bold=False, colour=None):
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    p.text = text
    p.font.size, p.font.bold, p.font.name = Pt(size), bold, tpl.font
    p.font.color.rgb = _rgb(colour or tpl.text)
    return box


def _set_title(slide, text, tpl, size=24):
    from pptx.util import Emu, Pt

    shape = slide.shapes.title
    if shape is None:
        return _textbox(slide, Emu(457200), Emu(228600), Emu(11277600), Emu(914400), text, tpl,
                        size, bold=True, colour=tpl.primary)
    shape.text = text
    for p in shape.text_frame.paragraphs:
        p.font.size, p.font.bold, p.font.name = Pt(size), True, tpl.font
        p.font.color.rgb = _rgb(tpl.primary)
    return shape


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


def build_pptx(exhibits: Sequence[Exhibit], pngs: Sequence[bytes], ctx: export.Context,
               aset, tpl: Template, not_loaded: Sequence[str] = ()) -> bytes:
    """The deck: title slide (listing the charts left out as not loaded), one chart per slide,
    assumptions closing slide(s)."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation(str(tpl.master)) if tpl.master else Presentation()
    _drop_slides(prs)  # a master file's own slides are not part of the pack
    if not tpl.master:
        prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    W, H = prs.slide_width, prs.slide_height
    title_only = _layout(prs, ("Title Only",), 5)

    def logo(slide, big=False):
        if tpl.logo:
            h = Inches(0.9 if big else 0.45)
            slide.shapes.add_picture(str(tpl.logo), W - Inches(0.3) - int(h * 3), Inches(0.2),
                                     height=h)

    # title slide, with a band in the template's accent colour along its foot
    s = prs.slides.add_slide(_layout(prs, ("Title Slide",), 0))
    from pptx.enum.shapes import MSO_SHAPE

    band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, H - Inches(0.35), W, Inches(0.35))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(tpl.accent)
    band.line.fill.background()
    if s.shapes.title is not None:
        _set_title(s, "CX Ledger — board pack", tpl, 40)
    else:
        _textbox(s, Inches(0.8), Inches(2.2), W - Inches(1.6), Inches(1.2),
                 "CX Ledger — board pack", tpl, 40, bold=True, colour=tpl.primary)
    sub = (f"Week {ctx.filters.week} against {ctx.filters.compare_week} "
           f"({ctx.filters.compare_label})\nFilters: {ctx.filters.describe()}\n"
           f"Assumption set: {ctx.set_id}\n{len(exhibits)} charts · {ctx.source_line()}")
    sub = "\n".join([sub, *not_loaded])
    placeholders = [p for p in s.placeholders if p.placeholder_format.idx == 1]
    if placeholders:
        placeholders[0].text = sub
        for p in placeholders[0].text_frame.paragraphs:  # smaller when charts are listed
            p.font.size, p.font.name = Pt(14 if not_loaded else 18), tpl.font
            p.font.color.rgb = _rgb(tpl.muted)
    else:
        _textbox(s, Inches(0.8), Inches(3.6), W - Inches(1.6), Inches(2), sub, tpl, 18,
                 colour=tpl.muted)
    logo(s, big=True)
    s.notes_slide.notes_text_frame.text = (
        "Every chart slide's title is its computed takeaway; definitions, base and bands are "
        "in each slide's notes. Modelled money figures are P10–P90 bands, observed ones 95% "
        "intervals; the two are never added.")

    # one chart per slide
    for ex, png in zip(exhibits, pngs, strict=True):
        s = prs.slides.add_slide(title_only)
        _set_title(s, ex.takeaway, tpl, 20)
        top = Inches(1.35)
        avail_h, avail_w = H - top - Inches(0.25), W - Inches(0.8)
        width = min(avail_w, int(avail_h * export.WIDTH / export.HEIGHT))
        s.shapes.add_picture(io.BytesIO(png), int((W - width) / 2), top, width=width)
        logo(s)
        s.notes_slide.notes_text_frame.text = speaker_notes(ex, ctx)

    # closing: the assumptions in force
    rows = assumptions_rows(aset, ctx)
    parts = _chunks(rows, ROWS_PER_SLIDE)
    for i, part in enumerate(parts, start=1):
        s = prs.slides.add_slide(title_only)
        more = f" ({i}/{len(parts)})" if len(parts) > 1 else ""
        _set_title(s, f"Assumptions — set {ctx.set_id}, in force in {ctx.filters.week}{more}",
                   tpl, 22)
        shape = s.shapes.add_table(len(part) + 1, 4, Inches(0.5), Inches(1.4),
                                   W - Inches(1.0), Emu(int(Inches(0.38)) * (len(part) + 1)))
        table = shape.table
        for j, col in enumerate(part.columns):
            table.cell(0, j).text = col
        for r, rec in enumerate(part.itertuples(index=False), start=1):
            for j, v in enumerate(rec):
                table.cell(r, j).text = str(v)
        for cell in (table.cell(r, j) for r in range(len(part) + 1) for j in range(4)):
            for p in cell.text_frame.paragraphs:
                p.font.size, p.font.name = Pt(12), tpl.font
        logo(s)
        s.notes_slide.notes_text_frame.text = (
            f"Assumption set {ctx.set_id}: the warehouse's published values with the set's "
            "recorded edits; every money figure in this pack uses them. "
            f"{ctx.source_line()}")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------

def _text_page(lines: Sequence[tuple[str, int, str]], tpl: Template) -> go.Figure:
    fig = go.Figure()
    y = 0.85
    for text, size, colour in lines:
        fig.add_annotation(text=export.literal(text), x=0.05, y=y, xref="paper", yref="paper",
                           xanchor="left", yanchor="top", showarrow=False,
                           font={"size": size, "color": colour})
        y -= 0.045 + size / 400
    fig.update_layout(width=export.WIDTH, height=export.HEIGHT, plot_bgcolor="white",
                      paper_bgcolor="white", font={"family": export.FONT},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"t": 20, "b": 20, "l": 20, "r": 20})
    return fig


def title_page(n_charts: int, ctx: export.Context, tpl: Template,
               not_loaded: Sequence[str] = ()) -> go.Figure:
    """The PDF's first page: week, comparison, filters, set, charts, source, and the charts
    left out as not loaded."""
    f = ctx.filters
    fig = _text_page([
        ("CX Ledger — board pack", 40, tpl.primary),
        (f"Week {f.week} against {f.compare_week} ({f.compare_label})", 20, tpl.text),
        (f"Filters: {f.describe()}", 18, tpl.text),
        (f"Assumption set: {ctx.set_id}", 18, tpl.text),
        (f"{n_charts} charts · {ctx.source_line()}", 14, tpl.muted),
        *((part, 14, tpl.text) for line in not_loaded
          for part in textwrap.wrap(line, 140))], tpl)
    _add_logo(fig, tpl, chart=False)
    return fig


def chart_page(ex: Exhibit, ctx: export.Context, tpl: Template) -> go.Figure:
    """One chart's PDF page: the takeaway as title, the chart's title and scope under it, its
    definition, band and source at the foot."""
    fig = export.decorate(ex, ctx, title=ex.takeaway)
    head = export.literal(_wrap(ex.takeaway)).replace("\n", "<br>")  # plotly breaks on <br>
    fig.update_layout(title={"text": f"<b>{head}</b><br><span style='font-size:13px'>"
                                     f"{export.literal(ex.title)} · "
                                     f"{export.literal(ctx.scope_line(ex.n))}</span>",
                             "font": {"color": tpl.primary, "size": 17}},
                      margin={"t": 120})
    if ex.notes:  # the definition (the slide's notes) under the chart
        note = ex.notes[0] if len(ex.notes[0]) <= 230 else ex.notes[0][:229] + "…"
        fig.add_annotation(text=export.literal(note), xref="paper", yref="paper", x=0,
                           y=-0.02, yshift=-62, xanchor="left", yanchor="top",
                           showarrow=False, font={"size": 11, "color": tpl.muted})
    _add_logo(fig, tpl, chart=True)
    return fig


def assumption_pages(aset, ctx: export.Context, tpl: Template) -> list[go.Figure]:
    """The assumptions in force, 26 rows a page."""
    rows = assumptions_rows(aset, ctx)
    parts = _chunks(rows, ROWS_PER_SLIDE * 2)
    pages = []
    for i, part in enumerate(parts, start=1):
        more = f" ({i}/{len(parts)})" if len(parts) > 1 else ""
        fig = go.Figure(go.Table(
            header={"values": list(part.columns), "fill_color": tpl.primary,
                    "font": {"color": "white", "size": 13}, "align": "left"},
            cells={"values": [part[c].tolist() for c in part.columns], "align": "left",
                   "font": {"size": 12}, "height": 22}))
        fig.update_layout(
            title={"text": f"<b>Assumptions — set {export.literal(ctx.set_id)}, in force in "
                           f"{ctx.filters.week}{more}</b>", "font": {"color": tpl.primary}},
            width=export.WIDTH, height=export.HEIGHT, font={"family": export.FONT},
            margin={"t": 70, "b": 30, "l": 40, "r": 40})
        _add_logo(fig, tpl, chart=False)
        pages.append(fig)
    return pages


def pdf_pages(exhibits: Sequence[Exhibit], ctx: export.Context, aset,
              tpl: Template, not_loaded: Sequence[str] = ()) -> list[go.Figure]:
    """The PDF's pages as figures: title, one chart per page, assumptions."""
    return [title_page(len(exhibits), ctx, tpl, not_loaded),
            *(chart_page(ex, ctx, tpl) for ex in exhibits),
            *assumption_pages(aset, ctx, tpl)]


def _add_logo(fig: go.Figure, tpl: Template, chart: bool) -> None:
    """The template's logo at the bottom right of a PDF page: under the plot of a chart page
    (beside the source line), inside the page of a text page."""
    if not tpl.logo:
        return
    from PIL import Image

    y, anchor = (-0.13, "top") if chart else (0.02, "bottom")
    fig.add_layout_image(source=Image.open(tpl.logo), xref="paper", yref="paper", x=1.0, y=y,
                         xanchor="right", yanchor=anchor, sizex=0.16, sizey=0.09,
                         sizing="contain", layer="above")


def _wrap(text: str, width: int = 120, lines: int = 3) -> str:
    """A long takeaway on at most ``lines`` lines of ``width`` characters (plotly does not wrap
    titles); what does not fit ends in an ellipsis."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:width - 1].rstrip() + "…"
    return "\n".join(parts)


def merge_pdfs(parts: Sequence[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --- XLSX ----------------------------------------------------------------------------------

def build_xlsx(exhibits: Sequence[Exhibit], ctx: export.Context, aset,
               not_loaded: Sequence[str] = ()) -> bytes:
    """One sheet per chart (data, takeaway, native chart), then the assumptions (and a sheet
    listing the charts left out as not loaded, when there are any)."""
    buf = io.BytesIO()
    wb = export.workbook(buf)
    used: set[str] = set()
    for ex in exhibits:
        export.add_exhibit_sheet(wb, used, ex, ctx)
    if not_loaded:
        export.add_table_sheet(wb, used, "Not loaded", pd.DataFrame({"Left out": not_loaded}),
                               ("Charts left out: their data are not loaded",
                                ctx.source_line()))
    export.add_table_sheet(wb, used, "Assumptions", assumptions_rows(aset, ctx),
                           (f"Assumption set {ctx.set_id}, in force in {ctx.filters.week}",
                            ctx.source_line()))
    wb.close()
    return buf.getvalue()


def check_formats(formats: Sequence[str], prefix: str = "") -> None:
    """PackError naming the unknown formats (or an empty list) and the known ones."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise PackError(f"{prefix}unknown format(s) {', '.join(bad) or '(none given)'}: "
                        f"choose from {', '.join(FORMATS)}")


# --- the whole pack ------------------------------------------------------------------------

def build(exhibits: Iterable[Exhibit], ctx: export.Context, aset,
          formats: Sequence[str] = FORMATS, template: Template | None = None,
          progress: Progress | None = None, expected: int | None = None,
          empty: str = "no chart selected for the pack",
          not_loaded: Callable[[], Sequence[str]] = tuple) -> Pack:
    """Every requested format in memory (nothing is written here).

    ``exhibits`` may be a lazy iterable (``prefetch``): each chart's slide image and PDF page
    are rendered as it arrives, while later pages are still being computed. ``expected`` is
    the number of charts for the progress total; ``empty`` the error when none arrives;
    ``not_loaded`` gives, once every exhibit has arrived, the lines naming the charts left out
    because their data are not loaded (``exhibits.not_loaded_lines``), for the title slide.
    """
    t0 = time.perf_counter()
    check_formats(formats)
    tpl = template or Template.load()
    if isinstance(exhibits, Sequence):
        expected = len(exhibits)
    per_chart = ("pptx" in formats) + ("pdf" in formats)
    n_rows = len(assumptions_rows(aset, ctx))
    closing = (1 + math.ceil(n_rows / (2 * ROWS_PER_SLIDE))) if "pdf" in formats else 0
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
    files: dict[str, bytes] = {}
    if "pptx" in formats:
        files["pptx"] = build_pptx(exs, pngs, ctx, aset, tpl, left_out)
    if "pdf" in formats:
        closing_pages = [title_page(len(exs), ctx, tpl, left_out),
                         *assumption_pages(aset, ctx, tpl)]
        first, *last = export.Renderer.render_many([(fig, "pdf") for fig in closing_pages])
        for _ in closing_pages:
            step("PDF title and assumption pages")
        files["pdf"] = merge_pdfs([first, *pdf_parts, *last])
    if "xlsx" in formats:
        files["xlsx"] = build_xlsx(exs, ctx, aset, left_out)
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

    threading.Thread(target=produce, name="pack-charts", daemon=True).start()
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
