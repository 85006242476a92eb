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
