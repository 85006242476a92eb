"""Exports of one exhibit or table: PNG, SVG and PDF images that carry their title, period,
filters, base, band and a source line; the data behind as CSV and XLSX (with a native Excel
chart); file names built from the chart, the period and the filters.

Images are rendered by kaleido driving the system Chromium. One browser serves every image of a
process (``Renderer``): it starts on the first image (~2–5 s) and each image after costs ~0.3 s.
No Streamlit here: the app's download buttons, the board pack and the CLI share this module.
"""

from __future__ import annotations

import copy
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.exports import rtl, text
from dashboard.exports.exhibits import Exhibit, without_customer_ids
from dashboard.metrics.filters import Filters

#: Image size of every export: 16:9 at 1280 × 720 CSS pixels, PNG at twice that resolution.
WIDTH, HEIGHT, PNG_SCALE = 1280, 720, 2
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"


@dataclass(frozen=True)
class Context:
    """What every exported file says about where it comes from."""

    filters: Filters
    set_id: str
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: the language the exports are made in: the one of the moment the context is made, so a
    #: file made later (a download's bytes on its click) is in the page's language
    lang: str = field(default_factory=i18n.current)

    @property
    def period(self) -> str:
        f = self.filters
        return rtl.say(i18n._("{week} vs {compare_week} ({comparison})", week=f.week_name,
                              compare_week=f.compare_week_name, comparison=f.compare_label))

    def source_line(self) -> str:
        """The small print of every export."""
        return rtl.say(i18n._("CX Ledger · assumption set {set_id} · generated {time} UTC",
                              set_id=self.set_id,
                              time=self.generated.strftime("%Y-%m-%d %H:%M")))

    def scope_line(self, n: int | None = None, period: str | None = None) -> str:
        """Period, filters and base, in one line; ``period`` is a chart's own period (a
        two-year trend states its two years), else the selected week against its
        comparison."""
        scope = rtl.say(period or self.period)
        if n is None:
            return i18n._("{period} · {filters}", period=scope,
                          filters=self.filters.describe())
        return i18n._("{period} · {filters} · n = {n}", period=scope,
                      filters=self.filters.describe(), n=rtl.number(n))


_SLUG = re.compile(r"[^a-z0-9]+")
#: Persian and Arabic-Indic digits as ASCII digits (a Persian name keeps its numbers).
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens (file names carry nothing else)."""
    return _SLUG.sub("-", text.lower()).strip("-") or "chart"


def name_slug(text: str) -> str:
    """``slug`` of a name that may be written in another script: its digits as ASCII digits,
    and, when it holds letters beyond the Latin alphabets (Persian, Arabic …) that a slug
    drops, a short digest of the whole name so that two Persian names never share a file
    name (``رضایت مشتری`` → ``chart-…``). Names in Latin letters are ``slug``'s."""
    import hashlib

    s = slug(str(text).translate(_DIGITS))
    if any(ch.isalpha() and ord(ch) > 0x24F for ch in str(text)):
        digest = hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:8]
        s = f"{s}-{digest}"
    return s


def file_name(name: str, filters: Filters, ext: str) -> str:
    """``<chart>_<week>_<filters>.<ext>``, e.g. ``nps-13-weeks_2026-w44_segment-mass.png``;
    ASCII in every language (``name_slug``)."""
    parts = [name_slug(name), name_slug(filters.week)]
    for label, values in (("segment", filters.segments), ("region", filters.regions),
                          ("plan", filters.plans)):
        if values:
            parts.append(name_slug(f"{label} {' '.join(values)}"))
    if len(parts) == 2:
        parts.append("all-customers")
    return "_".join(parts)[:150] + f".{ext}"


#: A computed string made literal for plotly's HTML-like text (no tags from data).
literal = text.plotly


#: The charts' own plotly template (``charts``), for images.
IMAGE_TEMPLATE = "plotly_white"


def _placeholder_colours(fig: go.Figure) -> bool:
    """Whether ``fig`` carries Streamlit's plotly template: importing Streamlit makes it
    plotly's default, and its colours are placeholders (``#000001`` …) that only Streamlit's
    page replaces with the theme's — an image would draw them near black."""
    colorway = fig.layout.template.layout.colorway
    return bool(colorway) and colorway[0].lower() == "#000001"


def decorate(ex: Exhibit, ctx: Context, title: str | None = None) -> go.Figure:
    """A copy of the exhibit's figure for export: the title, a line with the chart's own
    period (``Exhibit.span``), filters and n, and at the foot the band (money and interval
    charts) and the source line."""
    fig = go.Figure(copy.deepcopy(ex.fig.to_dict()))
    if _placeholder_colours(fig):
        fig.update_layout(template=IMAGE_TEMPLATE)
    foot = ctx.source_line()
    if ex.band:
        foot = i18n._("{band} · {source}", band=rtl.say(ex.band), source=foot)
    side = rtl.align()  # Persian: every text right-aligned, each line right to left
    head = rtl.line(literal(rtl.say(title or ex.title)))
    scope = rtl.line(literal(ctx.scope_line(ex.n, ex.span)))
    fig.update_layout(
        title={"text": f"<b>{head}</b><br><span style='font-size:13px'>{scope}</span>",
               "x": rtl.x(0.01), "xanchor": side, "xref": "container", "y": 0.97,
               "yanchor": "top"},  # the image's edge, whatever the page's chart used
        margin={"t": 95, "b": 110, "l": 70, "r": 40}, width=WIDTH, height=HEIGHT,
        font={"family": font_family()}, paper_bgcolor="white")
    fig.add_annotation(text=rtl.line(literal(foot)), xref="paper", yref="paper",
                       x=rtl.x(0), y=-0.02, yshift=-78, xanchor=side, yanchor="top",
                       showarrow=False, align=side, font={"size": 11, "color": "#555555"})
    if fig.layout.legend.orientation == "h":  # above the plot: the foot is the source's
        fig.update_layout(legend={"x": rtl.x(0), "xanchor": side, "y": 1.0,
                                  "yanchor": "bottom"}, margin={"t": 120})
    return fig


def font_family() -> str:
    """The font family of images and PDF pages: the Persian font in Persian, its digits font
    first (``rtl.image_family``), else ``FONT``."""
    return rtl.image_family() if rtl.rtl() else FONT


class RenderError(RuntimeError):
    """No image: the browser is missing, did not start, or did not answer in time."""


#: Seconds to wait for the browser to start, and for one image; tabs rendering side by side.
START_TIMEOUT, RENDER_TIMEOUT = 60.0, 60.0
TABS = 1


#: What to install when no Chromium is found: every image export (a chart's PNG and SVG, the
#: board pack's PowerPoint and PDF) says it instead of failing. ``make run`` installs Debian's
#: chromium when it is missing and runs as root.
INSTALL_CHROMIUM = ("install Debian's chromium (apt-get install chromium, as root; make run "
                    "does it when run as root) or set BROWSER_PATH to a Chromium or Chrome "
                    "program")
NO_CHROMIUM = ("Image downloads (PNG, SVG, and the board pack's PowerPoint and PDF) need a "
               f"Chromium browser, which this server does not have: {INSTALL_CHROMIUM}. Data "
               "downloads (CSV, XLSX) work without it.")


#: How long a looked-up browser path is trusted (s): a page asks for every chart it draws,
#: a browser installed while the server runs is found within this time.
CHROMIUM_LOOKUP_TTL = 30.0
#: The last lookup: (BROWSER_PATH, PATH), when, what was found.
_chromium_seen: tuple[tuple, float, str | None] | None = None


def chromium_path() -> str | None:
    """The browser kaleido drives: ``BROWSER_PATH`` if set (None when that is no executable
    file), else ``chromium`` on PATH. Looked up again when those settings change, else at most
    every ``CHROMIUM_LOOKUP_TTL`` seconds (a chart page asked for every chart it drew, each
    time walking the PATH)."""
    import os
    import shutil
    import time

    global _chromium_seen
    key = (os.environ.get("BROWSER_PATH"), os.environ.get("PATH"))
    now = time.monotonic()
    seen = _chromium_seen
    if seen is not None and seen[0] == key and now - seen[1] < CHROMIUM_LOOKUP_TTL:
        return seen[2]
    path = key[0]
    if path:
        found = path if os.access(path, os.X_OK) else None
    else:
        found = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                                   "google-chrome")) if p), None)
    _chromium_seen = (key, now, found)
    return found


def images_available() -> bool:
    """Whether image exports can run here: a Chromium is found (``chromium_path``). Whether
    it starts is known at the first image (``RenderError`` then)."""
    return chromium_path() is not None


class Renderer:
    """One kaleido browser for every image of the process, on an event loop of its own.

    Started lazily (or ahead with ``warm_up``); calls are serialised by a lock and each waits
    at most ``RENDER_TIMEOUT`` seconds. A missing browser, a failed start or a render that does
    not answer raises ``RenderError`` and leaves the renderer stopped, so the next call starts
    a fresh browser instead of waiting forever.
    """

    _lock = threading.Lock()
    _loop = None
    _kaleido = None

    @classmethod
    def _call(cls, coro, timeout: float):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, cls._loop).result(timeout)

    @classmethod
    def _start(cls) -> None:
        import asyncio

        import kaleido

        if cls._kaleido is not None:
            return
        path = chromium_path()
        if path is None:
            raise RenderError(f"no Chromium for images: {INSTALL_CHROMIUM}")
        rtl.install_digits_font()  # before the browser starts: it reads the fonts once
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="kaleido-loop", daemon=True).start()
        cls._loop = loop
        k = kaleido.Kaleido(n=TABS, headless=True, path=path)
        try:
            cls._call(k.__aenter__(), START_TIMEOUT)
            cls._kaleido = k
            # the first figure loads plotly.js in the tab: do it now
            cls._call(k.calc_fig(go.Figure(), opts={"format": "svg", "width": 10,
                                                    "height": 10}), START_TIMEOUT)
        except Exception as exc:
            cls._shutdown()
            raise RenderError(f"the browser for images ({path}) did not start: "
                              f"{type(exc).__name__}: {exc}") from None

    @classmethod
    def _shutdown(cls) -> None:
        import asyncio

        k, loop = cls._kaleido, cls._loop
        cls._kaleido = cls._loop = None
        if loop is None:
            return
        if k is not None:
            try:
                asyncio.run_coroutine_threadsafe(k.__aexit__(None, None, None),
                                                 loop).result(10)
            except Exception:  # noqa: BLE001 - best effort: the browser may be gone already
                pass
        loop.call_soon_threadsafe(loop.stop)

    @classmethod
    def warm_up(cls) -> threading.Thread:
        """Start the browser in the background (while the charts are being computed); a
        failure is raised again by the first render."""
        def run() -> None:
            with cls._lock:
                try:
                    cls._start()
                except RenderError:
                    pass

        thread = threading.Thread(target=run, name="kaleido-warm-up", daemon=True)
        thread.start()
        return thread

    @classmethod
    def render(cls, fig: go.Figure, fmt: str, width: int = WIDTH, height: int = HEIGHT,
               scale: float | None = None) -> bytes:
        """One figure as PNG (at ``PNG_SCALE``), SVG or PDF."""
        return cls.render_many([(fig, fmt)], width, height, scale)[0]

    @classmethod
    def render_many(cls, jobs, width: int = WIDTH, height: int = HEIGHT,
                    scale: float | None = None) -> list[bytes]:
        """Several (figure, format) jobs at once, spread over the browser's tabs."""
        import asyncio

        if not jobs:
            return []
        for _, fmt in jobs:
            if fmt not in FORMATS:
                raise ValueError(f"unknown image format {fmt!r}: one of {', '.join(FORMATS)}")

        def opts(fmt: str) -> dict:
            s = scale if scale is not None else (PNG_SCALE if fmt == "png" else 1)
            return {"format": fmt, "width": width, "height": height, "scale": s}

        with cls._lock:
            cls._start()
            k = cls._kaleido

            async def run() -> list[bytes]:
                return await asyncio.gather(*(k.calc_fig(f, opts=opts(fmt)) for f, fmt in jobs))

            try:
                return cls._call(run(), RENDER_TIMEOUT * len(jobs))
            except Exception as exc:
                cls._shutdown()
                kinds = "/".join(sorted({fmt.upper() for _, fmt in jobs}))
                raise RenderError(f"the {kinds} image was not rendered: "
                                  f"{type(exc).__name__}: {exc}") from None

    @classmethod
    def stop(cls) -> None:
        with cls._lock:
            cls._shutdown()


def image(ex: Exhibit, ctx: Context, fmt: str) -> bytes:
    """The decorated chart as PNG (2560 × 1440), SVG or PDF, in the context's language."""
    with i18n.use(ctx.lang):
        return Renderer.render(decorate(ex, ctx), fmt)


def csv_bytes(df: pd.DataFrame, customer_list: bool = False, identifiers=()) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens non-Latin text correctly); text that a
    spreadsheet would run as a formula gets a leading apostrophe (``text.cell``). The columns
    declared as customer ``identifiers`` are dropped unless it is a customer list."""
    out = without_customer_ids(df, identifiers, customer_list)
    text_cols = [c for c in out.columns if out[c].dtype == object]
    if text_cols:
        out = out.copy()
        for c in text_cols:
            out[c] = out[c].map(text.cell)
    return out.to_csv(index=False).encode("utf-8-sig")


def workbook(buf: io.BytesIO):
    """An in-memory xlsxwriter workbook that writes text as text: never a formula or a link
    (warehouse values such as "=HYPERLINK(…)" stay inert); NaN/inf as Excel errors."""
    import xlsxwriter

    return xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "nan_inf_to_errors": True})


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", text)[:28].strip() or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {i}"
        i += 1
    used.add(name.lower())
    return name


def _write_frame(wb, ws, df: pd.DataFrame, row0: int = 0, col0: int = 0) -> None:
    """``df`` under its headers (in the current language, ``rtl.header``); numbers stay
    numbers."""
    bold = wb.add_format({"bold": True})
    for j, c in enumerate(df.columns):
        ws.write(row0, col0 + j, rtl.header(c), bold)
    for i, rec in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(rec):
            if v is None or (isinstance(v, float) and v != v):
                continue
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, str):
                ws.write_string(row0 + i, col0 + j, v)  # text stays text, never a formula
            elif isinstance(v, (int, float, bool)):
                ws.write(row0 + i, col0 + j, v)
            else:
                ws.write(row0 + i, col0 + j, str(v))
    ws.set_column(col0, col0 + max(len(df.columns) - 1, 0), 16)


def add_table_sheet(wb, used: set[str], name: str, df: pd.DataFrame,
                    header: tuple[str, ...] = ()) -> object:
    """A sheet holding a table under optional header lines; returns the worksheet."""
    ws = wb.add_worksheet(_sheet_name(name, used))
    if rtl.rtl():  # Persian: the sheet runs right to left (column A on the right)
        ws.right_to_left()
    for i, line in enumerate(header):
        ws.write(i, 0, line)
    _write_frame(wb, ws, df, row0=len(header) + (1 if header else 0))
    return ws


def add_exhibit_sheet(wb, used: set[str], ex: Exhibit, ctx: Context) -> object:
    """One sheet per chart: title, takeaway, scope and source, the data behind, and a native
    Excel chart of it (wide series are pivoted beside the data for the chart)."""
    data = ex.export_data()
    header = tuple(map(rtl.say, (ex.title, ex.takeaway, ctx.scope_line(ex.n, ex.span),
                                 *((ex.band,) if ex.band else ()), ctx.source_line())))
    nothing = i18n._("No values to chart in this selection.")
    ws = add_table_sheet(wb, used, ex.title, data, header)
    start = len(header) + 1
    if data.empty or len(data.columns) < 2:
        if len(data.columns):
            ws.write(start - 1, len(data.columns) + 1, nothing)
        return ws
    x, ys, series, kind = ex.excel or (str(data.columns[0]), (str(data.columns[1]),), None,
                                       "column")
    numeric = [y for y in ys if y in data.columns
               and pd.to_numeric(data[y], errors="coerce").notna().any()]
    if x not in data.columns or not numeric:
        ws.write(start - 1, len(data.columns) + 1, nothing)
        return ws
    ys = tuple(numeric)
    if series and series in data.columns:
        wide = data.pivot_table(index=x, columns=series, values=ys[0], aggfunc="first",
                                sort=False, dropna=False).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        col0 = len(data.columns) + 1
        _write_frame(wb, ws, wide, row0=start, col0=col0)
        names = [c for c in wide.columns if c != x]
        xcol, first_row, last_row = col0, start + 1, start + len(wide)
        cols = [(n, col0 + 1 + i) for i, n in enumerate(names)]
    else:
        xcol = list(data.columns).index(x)
        first_row, last_row = start + 1, start + len(data)
        cols = [(y, list(data.columns).index(y)) for y in ys]
    if not cols or last_row < first_row:
        ws.write(start - 1, len(data.columns) + 1, nothing)
        return ws
    chart = wb.add_chart({"type": "line" if kind == "line" else "column"})
    sheet = ws.get_name()
    for name, c in cols[:12]:
        chart.add_series({
            "name": rtl.header(name),
            "categories": [sheet, first_row, xcol, last_row, xcol],
            "values": [sheet, first_row, c, last_row, c],
        })
    chart.set_title({"name": header[0][:250]})
    chart.set_size({"width": 760, "height": 400})
    ws.insert_chart(1, max(len(data.columns), 6) + (len(cols) + 2 if series else 1), chart)
    return ws


def xlsx_bytes(df: pd.DataFrame, name: str, header: tuple[str, ...] = (),
               customer_list: bool = False, identifiers=()) -> bytes:
    """One table as an XLSX workbook (header lines: title, scope, source); text cells are
    written as text, never formulas; declared customer ``identifiers`` dropped unless it is a
    customer list."""
    buf = io.BytesIO()
    wb = workbook(buf)
    add_table_sheet(wb, set(), name, without_customer_ids(df, identifiers, customer_list),
                    header)
    wb.close()
    return buf.getvalue()
