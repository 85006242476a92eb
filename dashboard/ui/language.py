"""The session's language and the page's direction (a UI module: it imports Streamlit).

Chosen, in this order: the sidebar's selector (kept per session), ``?lang=`` in the URL when a
session opens, ``CX_LOCALE`` (``en`` by default). The language is set for the whole script run
(``dashboard.i18n.set_current``) before anything is drawn; the selector writes the choice back
to the URL, so a copied link opens in the same language. In a right-to-left language the
whole page runs right to left (``RTL_CSS``): sidebar on the right, text and tables aligned
right; charts keep plotly's own left-to-right drawing with their titles and legends on the
right, and time axes run left to right, as most Persian business reports draw them.
"""

from __future__ import annotations

import re

import streamlit as st

from dashboard import i18n
from dashboard.i18n import _
from dashboard.warehouse import weeks

#: The selector's session-state key (and the URL's query parameter).
KEY = "lang"

#: The page right to left. Streamlit lays its frame out with flex rows, which follow the
#: document's direction: the sidebar moves to the right. Charts keep their own direction, and
#: so does the hidden box plotly measures their labels in (else it measures a rotated label
#: as if anchored the other way and leaves it no margin).
RTL_CSS = """<style>
html, body, .stApp, [data-testid="stSidebar"], [data-testid="stMain"] { direction: rtl; }
.stApp p, .stApp li, .stApp h1, .stApp h2, .stApp h3, .stApp label,
[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricDelta"] {
    text-align: right; unicode-bidi: plaintext;
}
[data-baseweb="select"] div, [data-baseweb="tag"] span, .stApp input, .stApp button p {
    unicode-bidi: plaintext;
}
[data-testid="stPlotlyChart"], .js-plotly-plot, #js-plotly-tester { direction: ltr; }
</style>"""

#: Streamlit's own widget texts, which it does not translate, put in the language's words: the
#: file uploader's instructions hidden (the page writes its own caption: ``upload_caption``),
#: its button's label and the date input's empty fields written over with ``::after``, the
#: words coming from the catalog (``widget_css``).
WIDGET_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
    font-size: 0;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
    content: {upload}; font-size: 0.875rem;
}
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"] { font-size: 0; }
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"]::after {
    font-size: 0.875rem; color: rgba(49, 51, 63, 0.6);
}
[data-testid="stDateInput"] [data-placeholder="true"][data-type="year"]::after {
    content: {year};
}
[data-testid="stDateInput"] [data-placeholder="true"][data-type="month"]::after {
    content: {month};
}
[data-testid="stDateInput"] [data-placeholder="true"][data-type="day"]::after {
    content: {day};
}
</style>"""


def css_text(text: str) -> str:
    """``text`` as a CSS string (quoted; a quote, a backslash or a line break escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\n\r\f]", " ", escaped) + '"'


def widget_css() -> str:
    """``WIDGET_CSS`` with the words of the run's language: the uploader's button, and the
    date input's empty year, month and day."""
    words = {"upload": _("Choose files"), "year": _("year"), "month": _("month"),
             "day": _("day")}
    out = WIDGET_CSS
    for key, word in words.items():
        out = out.replace("{" + key + "}", css_text(word))
    return out


def upload_caption(types) -> str:
    """What Streamlit's uploader says in English (its size limit, the file types), in the
    run's language, the types as code: shown under each uploader where its own text is hidden
    (a right-to-left language)."""
    from dashboard.i18n.numbers import number
    from dashboard.metrics import display

    return _("Up to {size} MB a file; types {types}.",
             size=number(st.get_option("server.maxUploadSize")),
             types=display.commas(f"`{t}`" for t in types))


def choose() -> str:
    """This run's language, set for everything the run draws; the first run of a session
    reads ``?lang=`` (an unknown code is said once, and the default used)."""
    if KEY not in st.session_state:
        asked = st.query_params.get(KEY)
        code = i18n.default()
        if asked:
            try:
                code = i18n.check(asked, "?lang=")
            except i18n.UnknownLocale:
                st.session_state["lang_unknown"] = asked
        st.session_state[KEY] = code
    code = i18n.check(st.session_state[KEY])
    # written back every run: Streamlit forgets a widget's value when the run that follows a
    # page switch does not see it as "used", and the session would fall back to the default
    st.session_state[KEY] = code
    i18n.set_current(code)
    return code


def selector() -> None:
    """The sidebar's language selector (each language in its own name), and the page's
    direction for the language chosen."""
    st.sidebar.selectbox(_("Language"), list(i18n.LOCALES), key=KEY,
                         format_func=i18n.LOCALES.get, on_change=_to_url)
    unknown = st.session_state.get("lang_unknown")  # said until a language is chosen
    if unknown is not None:
        st.sidebar.caption(_("No language {code}: showing {language}.",
                             code=_plain(unknown), language=i18n.LOCALES[i18n.current()]))
    if i18n.is_rtl():
        st.html(RTL_CSS + chart_digits_css() + widget_css())


#: The app's own font family (the theme's "sans serif"), after the digits font in widgets.
WIDGET_FAMILY = '"Source Sans", sans-serif'


def chart_digits_css() -> str:
    """The style that draws Latin digits as Persian ones where Streamlit or plotly write them
    (a chart's ticks, hover labels and bar texts; a slider's values; a number field): the
    ten-glyph font of ``rtl.digits_font``, inline, for the digits only; nothing when the
    Persian font is not installed."""
    import base64

    from dashboard.exports import rtl

    font = rtl.digits_font()
    if font is None:
        return ""
    data = base64.b64encode(font).decode("ascii")
    return (f'<style>@font-face {{ font-family: "{rtl.DIGITS_FAMILY}"; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); '
            "unicode-range: U+0030-0039; }\n"
            f'.js-plotly-plot text {{ font-family: "{rtl.DIGITS_FAMILY}", {rtl.FAMILY} '
            "!important; }\n"
            # a slider's values and a number field hold numbers Streamlit writes itself
            f'[data-testid="stSlider"] *, [data-testid="stNumberInput"] input {{ font-family: '
            f'"{rtl.DIGITS_FAMILY}", {WIDGET_FAMILY} !important; }}</style>')


def _to_url() -> None:
    st.query_params[KEY] = st.session_state[KEY]
    st.session_state.pop("lang_unknown", None)


def _plain(value: str) -> str:
    from dashboard.exports import text

    return text.markdown(value)


# --- words of the run's language in widgets and tiles ---

def week_names() -> dict:
    """The Week picker's option names in this run's language: none in English (the keys,
    ``2026-W44``, as typed and linked); in Persian each key's Jalali days («هفتهٔ ۸ تا ۱۴ آبان
    ۱۴۰۵»), fixed to the run's language and week start (a widget may format its options
    outside the run)."""
    code = i18n.current()
    if code == "en":
        return {}
    start = weeks.current_week_start()
    return {"format_func": lambda week: weeks.week_display(week, code, start)}


def week_help() -> str:
    """The Week picker's help: how the warehouse counts weeks."""
    if weeks.current_week_start() == "saturday":
        return _("Week from Saturday to Friday (UTC), as this warehouse counts weeks. Default: "
                 "the latest complete week.")
    return _("ISO week, Monday to Sunday (UTC). Default: the latest complete week.")


#: A value written as a number then words: «۸٫۵۱ میلیارد تومان», "8,641 Toman".
_NUMBER_THEN_WORDS = re.compile(r"(\S*\d\S*) (\D.*)")


def tile_value(text: str) -> str:
    """A right-to-left tile's value with the words after its number (a scale word, a
    currency) in small type, so a narrow tile keeps the number whole («۸٫۵۱ :small[میلیارد
    تومان]»); a value without words ("not loaded") is shown as it is, and English as it was.
    Values are the app's own formatting, never data."""
    found = _NUMBER_THEN_WORDS.fullmatch(text or "") if i18n.is_rtl() else None
    return f"{found[1]} :small[{found[2]}]" if found else text


def store_time(stamp: object) -> str:
    """A store's timestamp (``2026-12-07 15:43:56 UTC``) as the reader reads it: in Persian
    its Jalali day and time, in UTC (``intake.status.moment``)."""
    import pandas as pd

    from dashboard.intake.status import moment

    text = str(stamp)
    try:
        ts = pd.Timestamp(text.removesuffix(" UTC"))
    except ValueError:
        return text
    return _("{moment} UTC", moment=moment(ts))
