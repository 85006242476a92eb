"""Exports in the language of the moment: the font, the direction and the digits of every
exported file (PNG, SVG, PDF, PPTX, XLSX), and the translated headers of exported tables.

English exports are what they were: every helper here returns its input unchanged, or the
English font and alignment, when the current language is written left to right. In Persian
(``i18n.use("fa")``):

- images and PDF pages are drawn by Chromium (kaleido), which shapes Arabic script; their text
  is set in ``FAMILY`` (Noto Sans Arabic from Debian's ``fonts-noto-core``, installed by
  ``make run`` / ``make test``), right-aligned, each line embedded right to left (``line``) so
  that a sentence mixing Persian and Latin (``NPS ۱۷٫۱``) reads in Persian order;
- numbers written into text get Persian digits and separators (``say``, CLDR through Babel);
- PowerPoint runs carry the Persian font as their complex-script font (``a:cs``) and their
  paragraphs ``rtl="1"`` ``algn="r"``; workbook sheets are right to left;
- file names stay ASCII (``files.file_name``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from dashboard import i18n
from dashboard.exports import axes
from dashboard.i18n import N_, _
from dashboard.i18n import numbers as i18n_numbers

#: The Persian font of images, PDF pages and PowerPoint text (Debian: fonts-noto-core).
PERSIAN_FONT = "Noto Sans Arabic"
#: The font family of Persian images and PDF pages: the Persian font first, Latin fallbacks
#: for the Latin letters it does not carry (NPS, CSAT, week codes).
FAMILY = f"{PERSIAN_FONT}, Noto Naskh Arabic, Liberation Sans, Arial, DejaVu Sans, sans-serif"
#: The Debian package that carries ``PERSIAN_FONT`` (``make run`` / ``make test`` install it).
FONT_PACKAGE = "fonts-noto-core"

#: Plotly's decimal mark and thousands separator in Persian charts (CLDR's, ٫ and ٬).
SEPARATORS = "\u066b\u066c"
#: Right-to-left embedding and its end: a Persian line keeps its Persian order in a chart
#: text, which Chromium lays out left to right otherwise.
RLE, PDF = "\u202b", "\u202c"
#: Left-to-right isolate and its end: Latin words and codes mixing Latin letters and digits
#: (``۲۰۲۶-W۴۴``, ``published v۰``, ``NPS``) keep their own order inside a right-to-left
#: line, and a number after them is not drawn into them.
LRI, PDI = "\u2066", "\u2069"
#: A run of words each holding a Latin letter.
_LATIN = re.compile(r"(?<!\S)\S*[A-Za-z]\S*(?:\s+\S*[A-Za-z]\S*)*")


def rtl() -> bool:
    """Whether exports are being made in a right-to-left language."""
    return i18n.is_rtl()


def say(text: object) -> str:
    """Text with its numbers written the current language's way (Persian digits and
    separators); English text is returned exactly as given."""
    s = str(text)
    return s if i18n.current() == "en" else i18n_numbers.localize(s)


def number(value: float, decimals: int = 0) -> str:
    """A number with thousands separators in the current language (``1,234`` / ``۱٬۲۳۴``)."""
    return i18n_numbers.number(value, decimals)


def line(text: str) -> str:
    """One line of chart text (already literal): in Persian, embedded right to left, each
    run of Latin words or codes isolated left to right inside it."""
    if not (rtl() and text):
        return text
    return RLE + _LATIN.sub(lambda m: f"{LRI}{m[0]}{PDI}", text) + PDF


def lines(text: str) -> str:
    """Several lines of chart text joined by ``<br>``, each embedded right to left in
    Persian."""
    return "<br>".join(line(part) for part in text.split("<br>"))


def align() -> str:
    """How chart and page text is aligned: ``right`` in Persian, else ``left``."""
    return "right" if rtl() else "left"


def x(fraction: float) -> float:
    """A horizontal position given for a left-to-right page (0 = left edge), mirrored in
    Persian."""
    return 1 - fraction if rtl() else fraction


def page_figure(fig):
    """A chart as the page draws it, in place: in a right-to-left language its title and
    legend on the right and the Persian font first (plotly draws the rest; time axes keep
    running left to right). Unchanged in English."""
    if not rtl():
        return fig
    name_totals(fig)
    fig.update_layout(title_x=1, title_xanchor="right", title_xref="paper",
                      legend_x=1, legend_xanchor="right", font_family=FAMILY,
                      separators=SEPARATORS)
    # the Jalali week names are wider than week keys: the margin grows to hold them
    fig.update_xaxes(automargin=True)
    return axes.name_weeks(fig, week_tick)


def week_tick(week: str) -> str:
    """A week on a chart's axis in Persian: the Jalali day and month it starts
    («۸ آبان»), with the year on the first week of Farvardin."""
    from dashboard.i18n.calendar import MONTHS_FA, jalali
    from dashboard.warehouse import weeks

    j = jalali(weeks.parse_week(week))
    text = f"{j.day} {MONTHS_FA[j.month - 1]}" + (f" {j.year}" if j.month == 1 and j.day <= 7
                                                   else "")
    return i18n_numbers.localize(text)


@cache
def font_installed(family: str = PERSIAN_FONT) -> bool:
    """Whether fontconfig knows ``family`` (what Chromium draws Persian text with); False
    when fontconfig's ``fc-list`` is not there to ask."""
    if shutil.which("fc-list") is None:
        return False
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(family in row.split(",") for row in out.splitlines())


#: A font of ten glyphs that draws the Latin digits 0–9 as the Persian digits ۰–۹, made from
#: ``PERSIAN_FONT`` (``digits_font``): plotly writes every number of a chart (ticks, hover
#: labels, bar texts) with Latin digits and has no numbering system of its own.
DIGITS_FAMILY = "CX Persian Digits"


@cache
def font_file(family: str = PERSIAN_FONT) -> str | None:
    """The file fontconfig draws ``family`` from (None when it is not installed)."""
    if not font_installed(family):
        return None
    out = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style=Regular"],
                         capture_output=True, text=True, timeout=20, check=False).stdout
    return out.strip() or None


@cache
def digits_font() -> bytes | None:
    """``DIGITS_FAMILY`` as TrueType bytes: ``PERSIAN_FONT`` cut down (fontTools) to its ten
    Persian digits U+06F0–U+06F9, each mapped from its Latin digit U+0030–U+0039 instead, under
    its own name (a Persian digit keeps the text font, and a PDF's text its code points). None
    when ``PERSIAN_FONT`` is not installed (charts then keep Latin digits). The page loads it
    inline with the right-to-left style (nothing from another host), for the Latin digits
    only (``unicode-range``); images use it installed (``install_digits_font``)."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = font_file()
    if path is None:
        return None
    font = TTFont(path)
    options = subset.Options()
    options.layout_features, options.name_IDs = [], ["*"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=range(0x06F0, 0x06FA))
    sub.subset(font)
    for table in font["cmap"].tables:
        if table.isUnicode():  # the Latin digits only: Persian ones stay the text font's
            for i in range(10):
                table.cmap[0x30 + i] = table.cmap.pop(0x06F0 + i)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            record.string = DIGITS_FAMILY
        elif record.nameID == 6:
            record.string = DIGITS_FAMILY.replace(" ", "")
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


#: Where ``install_digits_font`` puts ``DIGITS_FAMILY`` for images: the user's fonts folder,
#: which fontconfig (and so the Chromium that draws images) reads.
DIGITS_FILE = (Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
               / "fonts" / "cx-persian-digits.ttf")


@cache
def install_digits_font() -> bool:
    """``DIGITS_FAMILY`` where fontconfig finds it, so that Persian images (drawn by Chromium
    from plotly's SVG, which can use installed fonts only) write plotly's digits as ۰–۹: written
    to ``DIGITS_FILE`` (once a process; again when the made font changed), fontconfig's cache
    refreshed. True when it is installed; False without the Persian font, or when the folder
    cannot be written (images then keep Latin digits on their axes)."""
    data = digits_font()
    if data is None:
        return False
    try:
        if not (DIGITS_FILE.is_file() and DIGITS_FILE.read_bytes() == data):
            DIGITS_FILE.parent.mkdir(parents=True, exist_ok=True)
            DIGITS_FILE.write_bytes(data)
            subprocess.run(["fc-cache", "-f", str(DIGITS_FILE.parent)], capture_output=True,
                           timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    font_installed.cache_clear()
    return font_installed(DIGITS_FAMILY)


def image_family() -> str:
    """The font family of Persian images and PDF pages: ``DIGITS_FAMILY`` first when it is
    installed (their axis numbers in Persian digits), then ``FAMILY``."""
    return f"{DIGITS_FAMILY}, {FAMILY}" if install_digits_font() else FAMILY


def headers() -> dict[str, str]:
    """Column headers of exported tables in the current language, by the column's name in the
    data (names without an entry are shown as they are)."""
    return {
        # the executive summary (slide, PDF page and workbook)
        "KPI": i18n._("KPI"),
        "Change": i18n._("Change"),
        "Verdict": i18n._("Verdict"),
        "n": i18n._("n"),
        "kpi": i18n._("KPI"),
        "unit": i18n._("Unit"),
        "week": i18n._("Week"),
        "value": i18n._("Value"),
        "ci_low": i18n._("95% interval, low"),
        "ci_high": i18n._("95% interval, high"),
        "status": i18n._("Status"),
        "compare_week": i18n._("Comparison week"),
        "previous": i18n._("Previous value"),
        "delta": i18n._("Change"),
        "p_adjusted": i18n._("Adjusted p-value"),
        "significant": i18n._("Significant"),
        "verdict": i18n._("Verdict"),
        # the assumptions (closing slide, PDF page and workbook)
        "Assumption": i18n._("Assumption"),
        "Value": i18n._("Value"),
        "Unit": i18n._("Unit"),
        "Source": i18n._("Source"),
        "Left out": i18n._("Left out"),
        # the data behind charts
        "segment": i18n._("Segment"),
        "region": i18n._("Region"),
        "plan": i18n._("Plan"),
        "channel": i18n._("Channel"),
        "category": i18n._("Category"),
        "month": i18n._("Month"),
        "period": i18n._("Period"),
        "group": i18n._("Group"),
    }


def header(name: object) -> str:
    """One column's header in the current language (English: the name itself)."""
    s = str(name)
    if i18n.current() == "en":
        return s
    return headers().get(s, say(s))


#: The series a page adds for all the filtered customers (the analyses' own keys), as a
#: legend names them in the language of the moment.
TOTAL_NAMES = {"All filtered customers": N_("All filtered customers"),
               "All (filtered)": N_("All (filtered)")}


def name_totals(fig):
    """The legend's all-customers series in the language of the moment (in place)."""
    for trace in fig.data:
        if getattr(trace, "name", None) in TOTAL_NAMES:
            trace.name = _(TOTAL_NAMES[trace.name])
    return fig
