"""The board pack as PDF pages: the summary, one page per chart and the assumptions, drawn
as plotly figures by the one kaleido browser and merged with pypdf (``pack.build``)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.exports import files as export
from dashboard.exports import rtl
from dashboard.exports import summary as summary_mod
from dashboard.exports.exhibits import Exhibit
from dashboard.exports.pack_text import (
    Template,
    _value_rows,
    assumptions_title,
    other_values_heading,
    pack_title,
    scope_text,
    slide_title,
    summary_title,
    unit_costs_heading,
)

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
