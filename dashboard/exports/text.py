"""One escape at the edge: text that comes from data (values, names, file names, comments) made
literal for the medium that shows it. One helper per medium, used everywhere:

- ``markdown``: Streamlit's markdown (captions, headlines, labels, help texts): no emphasis,
  link, HTML, KaTeX (``$``), heading, list, emoji or icon short code, auto-linked URL or
  address, typographic dash;
- ``plotly``: plotly's HTML-like chart text (titles, axis, legend and tick labels, hover
  values); ``literal_figure`` applies it to every data-carrying text of a figure, and
  ``plotly_template`` to data put into a hover template;
- ``html``: HTML documents (mail bodies, reports);
- ``cell``: CSV and XLSX cells: text a spreadsheet would run as a formula starts with an
  apostrophe.

Every medium first makes invisible or direction-changing characters visible (``visible``):
bidirectional overrides and isolates, zero-width spaces, byte-order marks and control
characters are shown as ``<U+202E>`` (the zero-width non-joiner and the direction marks that
Persian text needs are kept). No Streamlit here: the app, the board pack and the command line
share it.
"""

from __future__ import annotations

import html as _html
import re

#: Characters shown as their code point: C0/C1 controls (but tab and newline), bidirectional
#: embeddings, overrides and isolates, zero-width space, word joiner, byte-order mark.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]")


#: A number as the product writes it in a right-to-left language (``i18n.numbers.isolate``):
#: digits of any script, separators, signs, percent and thin spaces in one left-to-right
#: isolate. Kept as it is: it holds no letter, so nothing in it can be hidden or reordered.
NUMBER_ISOLATE = re.compile("(\u2066[\u200e\u200f]?[-+\u2212\u2013\u00d7.,%\u066a-\u066c"
                             "0-9\u06f0-\u06f9\u0660-\u0669\u2009\u00a0 \u200e]*\u2069)")


def visible(text: str) -> str:
    """Invisible and direction-changing characters shown as ``<U+XXXX>`` — but for the
    product's own numbers in their left-to-right isolates (``NUMBER_ISOLATE``)."""
    parts = NUMBER_ISOLATE.split(str(text))
    return "".join(part if i % 2 else _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>",
                                                     part)
                   for i, part in enumerate(parts))


# --- markdown -------------------------------------------------------------------------------

#: Markdown, KaTeX and HTML punctuation, backslash-escaped wherever it stands.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>$~#|{}&!])")
#: Sequences Streamlit rewrites after markdown escapes are resolved (typographic dashes, auto
#: links of URLs, www. and e-mail addresses, ``:emoji:`` and ``:material/icon:`` short codes):
#: broken by an invisible word joiner (U+2060) that changes nothing on screen.
_MD_REWRITTEN = re.compile(r"(-(?=-)|:(?=[^\s\d])|@|(?i:www)(?=\\?\.))")
_JOIN = "\u2060"


def markdown(text: object) -> str:
    """Text made literal for Streamlit's markdown (``st.caption``, ``st.markdown``,
    ``st.info``, widget labels and help)."""
    out = _MD_SPECIAL.sub(r"\\\1", visible(str(text)))
    out = re.sub(r"(?m)^(\s*)([-+=])", r"\1\\\2", out)
    out = re.sub(r"(?m)^(\s*\d+)([.)])", r"\1\\\2", out)
    return _MD_REWRITTEN.sub(lambda m: m.group(1) + _JOIN, out)


def markdown_coded(text: str) -> str:
    """Text made literal as ``markdown`` does, but for its parts between backticks, drawn in
    code type: identifiers and command lines of the app's own sentences (``intake.status.code``
    marks them; a value holding a backtick has it dropped there)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return markdown(text)
    return "".join(markdown(p) if i % 2 == 0 else f"`{p}`" if p else "" for i, p in
                   enumerate(parts))


# --- plotly ---------------------------------------------------------------------------------

_PLOTLY = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"})


def plotly(text: object) -> str:
    """Text made literal for plotly (titles, labels, tick and hover values): no tag, link or
    LaTeX from data."""
    return visible(str(text)).translate(_PLOTLY)


def plotly_template(text: object) -> str:
    """Text put into a hover template made literal: as ``plotly``, and no ``%{…}``
    placeholder from data."""
    return plotly(text).replace("%", "&#37;")


def _plotly_values(values):
    """A value, or each string of a sequence, made literal (numbers and dates as they are)."""
    if isinstance(values, str):
        return plotly(values)
    if values is None or isinstance(values, (int, float)):
        return values
    if isinstance(values, dict):
        return values
    try:
        items = list(values)
    except TypeError:
        return values
    if not any(isinstance(v, str) or _is_sequence(v) for v in items):
        return values
    return [_plotly_values(v) if isinstance(v, str) or _is_sequence(v) else v for v in items]


def _is_sequence(v) -> bool:
    return not isinstance(v, (str, bytes, dict)) and hasattr(v, "__iter__")


#: Trace attributes that carry data text.
TRACE_TEXT = ("name", "x", "y", "z", "text", "hovertext", "labels", "customdata", "ids",
              "parents", "ticktext")
#: Layout text written by the charts: plain words, never markup, so made literal whole.
_AXES = re.compile(r"^[xy]axis\d*$")


def literal_figure(fig):
    """Every text of a plotly figure that can hold data made literal, in place, once (a
    figure already made literal is returned as it is): trace names, categories, labels, text,
    hover text and custom data; the title, axis titles, tick texts and category orders, the
    legend title and annotations. Hover templates are code (``%{x}``, ``<br>``): the charts
    never put data in them (a trace's own name is ``%{fullData.name}``).

    It works on the figure's own property dictionaries (what it draws and exports; the
    figure's objects read them), not through its objects: reading a figure through them
    looked every property up again, most of a chart page's time."""
    if getattr(fig, "_cx_literal", False):
        return fig
    for trace in fig._data:
        for attr in TRACE_TEXT:
            values = trace.get(attr)
            if values is not None:
                shown = _plotly_values(values)
                if shown is not values:  # numbers come back as they are: not set again
                    trace[attr] = shown
        _literal_text(trace.get("legendgrouptitle"))
    layout = fig._layout
    _literal_text(layout.get("title"))
    _literal_text((layout.get("legend") or {}).get("title"))
    for name, axis in layout.items():
        if _AXES.match(name) and isinstance(axis, dict):
            _literal_text(axis.get("title"))
            for attr in ("ticktext", "categoryarray"):
                if axis.get(attr) is not None:
                    axis[attr] = _plotly_values(axis[attr])
    for ann in layout.get("annotations") or ():
        if ann.get("text"):
            ann["text"] = plotly(ann["text"])
    fig._cx_literal = True
    return fig


def _literal_text(part) -> None:
    """A title-like property's ``text`` made literal, in place."""
    if isinstance(part, dict) and part.get("text"):
        part["text"] = plotly(part["text"])


# --- HTML -----------------------------------------------------------------------------------


def html(text: object) -> str:
    """Text made literal for an HTML document (quotes escaped too: safe in attributes)."""
    return _html.escape(visible(str(text)), quote=True)


# --- CSV / XLSX cells -----------------------------------------------------------------------

#: Text a spreadsheet would run as a formula: = @ tab CR first, or + / − followed by more
#: than a signed number ("+17.1" and "-4.5%" stay as they are).
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d.,]+%?$))")


def cell(value):
    """A text cell made inert for spreadsheets (a leading apostrophe), other values as is."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value
