"""Numbers as each language writes them, from CLDR's data (Babel).

Babel formats a number with the locale's pattern and its separators (Persian: ``٬`` between
thousands, ``٫`` before decimals) but keeps Latin digits; :func:`localize` then writes the digits
of the locale's own numbering system (Persian: ``arabext``, ۰–۹) and its signs (``−`` after a
left-to-right mark, ``٪``). English output is byte-for-byte what the product printed before:
Latin digits, ``,`` and ``.``, a true minus sign (U+2212).
"""

from __future__ import annotations

import re

from babel import Locale
from babel.numbers import format_decimal

from dashboard import i18n

#: The digits of each numbering system CX Ledger writes.
DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}
MINUS = "\u2212"
LRM = "\u200e"
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
#: A sign: a hyphen-minus, minus or plus before a digit that does not follow a word character
#: (so the hyphen of ``2026-W44`` or ``A-1`` stays a hyphen).
_SIGN = re.compile(r"(?<!\w)\u200e?([-\u2212+])(?=[\d$])")
_GROUP = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def numbering_system(code: str) -> str:
    """The locale's default numbering system (``fa`` → ``arabext``, ``en`` → ``latn``)."""
    return Locale.parse(code).default_numbering_system


def symbols(code: str) -> dict[str, str]:
    """The locale's number symbols in its own numbering system."""
    loc = Locale.parse(code)
    return dict(loc.number_symbols[loc.default_numbering_system])


def localize(text: str, code: str | None = None) -> str:
    """Numbers already formatted the English way (``−1,234.5``, ``12.5%``) written the
    locale's way: its digits, its separators where they stand between digits, its minus and
    percent signs. Other characters are left as they are; English output is unchanged but for
    a hyphen-minus, which becomes a true minus sign."""
    code = code or i18n.current()
    if code == "en":
        return _SIGN.sub(lambda m: "+" if m[1] == "+" else MINUS, text)
    sym = symbols(code)
    out = _GROUP.sub("\x00", text)  # a placeholder while the decimal point changes
    out = _DECIMAL.sub(sym.get("decimal", "."), out).replace("\x00", sym.get("group", ","))
    out = out.translate(str.maketrans(DIGITS["latn"],
                                      DIGITS.get(numbering_system(code), DIGITS["latn"])))
    minus = sym.get("minusSign", "-").replace(LRM, "").replace("-", MINUS)
    plus = sym.get("plusSign", "+").replace(LRM, "")
    # a sign keeps its place before the number; the mark keeps it there in right-to-left text
    out = _SIGN.sub(lambda m: LRM + (plus if m[1] == "+" else minus), out)
    return out.replace("%", sym.get("percentSign", "%"))


def number(value: float, decimals: int = 0, code: str | None = None, *,
           grouping: bool = True) -> str:
    """``value`` rounded to ``decimals`` places with the locale's separators and digits
    (``1234.5`` → ``1,234.5`` / ``۱٬۲۳۴٫۵``); negatives with a true minus sign."""
    code = code or i18n.current()
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    text = format_decimal(value, format=pattern, locale="en", decimal_quantization=True)
    return localize(text, code)


# --- numbers inside right-to-left text -----------------------------------------------------------

#: Left-to-right isolate and pop directional isolate (Unicode UAX #9, section 2.7).
LRI, PDI = "\u2066", "\u2069"


def isolate(text: str) -> str:
    """A number set apart from the text around it: read left to right inside (its sign stays
    before its digits), one neutral unit outside, so right-to-left text never pulls it apart
    (``NPS ۱۷٫۱``, ``−۳٫۲``, ``۱۷٫۶ میلیون تومان`` keep their order)."""
    return f"{LRI}{text}{PDI}"


def written(text: str, code: str | None = None) -> str:
    """A number formatted the English way (``−1,234.5``, ``+12.5%``) as the locale writes it:
    unchanged in English; in Persian its digits, separators and signs (``localize``) set
    apart in one left-to-right isolate."""
    code = code or i18n.current()
    return text if code == "en" else isolate(localize(text, code))


#: The scales of a compact amount in words, largest first: (size, template). Persian counts
#: هزار، میلیون، میلیارد and, above, هزار میلیارد (a thousand billion).
def _scales() -> tuple[tuple[float, str], ...]:
    return ((1e12, i18n._("{amount} thousand billion")), (1e9, i18n._("{amount} billion")),
            (1e6, i18n._("{amount} million")), (1e3, i18n._("{amount} thousand")))


def compact_parts(value: float, least: float = 1e4) -> tuple[float, int, str]:
    """How to write ``abs(value)`` compactly in words: (the number shown, its decimals, the
    template holding it). Three significant digits (``17.6 million``, ``1.35 billion``,
    ``176 million``), from ``least`` up; below it the whole amount with no template."""
    mag = abs(value)
    if mag < least:
        return mag, 0, "{amount}"
    scales = _scales()
    for i, (size, template) in enumerate(scales):
        if mag >= size or i == len(scales) - 1:
            shown = mag / size
            digits = 0 if shown >= 100 else 1 if shown >= 10 else 2
            if round(shown, digits) >= 1000 and i > 0:  # 999,999 is 1 million, not 1,000 thousand
                size, template = scales[i - 1]
                shown, digits = mag / size, 2
            return shown, digits, template
    raise AssertionError("unreachable")


def trimmed(shown: float, digits: int) -> str:
    """``shown`` at ``digits`` decimals, English-written, trailing zeros dropped
    (``17.60`` → ``17.6``, ``2.00`` → ``2``)."""
    text = f"{shown:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
