"""Numbers written as people write them: the decimal mark and thousands separator a source
declares, Persian and Arabic-Indic digits, the Arabic decimal and thousands separators.

One reading for every place a number arrives as text (a loaded file's number columns, an
assumptions file, the Assumptions page): a value either reads as exactly the number it says in
the declared format, or it is refused — ``11,77`` is never read as 1177.

- Digits ``۰``–``۹`` (Persian, U+06F0–U+06F9) and ``٠``–``٩`` (Arabic-Indic, U+0660–U+0669)
  read as 0–9 everywhere.
- ``٫`` (U+066B, the Arabic decimal separator) is always a decimal mark and ``٬`` (U+066C, the
  Arabic thousands separator) always a thousands separator: neither means anything else.
- The minus sign U+2212 reads as ``-``; direction marks (U+200E, U+200F, U+061C) that
  right-to-left exports put around numbers are dropped.
- A thousands separator is accepted only between groups of exactly three digits
  (``1.234.567,5``); a space as the separator also accepts the no-break spaces U+00A0 and
  U+202F, an apostrophe also U+2019.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

#: Persian and Arabic-Indic digits to ASCII, the minus sign to '-', direction marks dropped.
_TRANSLATE = str.maketrans({
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    **{chr(0x0660 + i): str(i) for i in range(10)},
    "\u2212": "-", "\u200e": None, "\u200f": None, "\u061c": None,
})
ARABIC_DECIMAL = "\u066b"  # ٫
ARABIC_THOUSANDS = "\u066c"  # ٬
#: Decimal marks a source may declare.
DECIMALS = (".", ",", ARABIC_DECIMAL)
#: Thousands separators a source may declare ("" = none).
THOUSANDS = ("", ".", ",", " ", "'", ARABIC_THOUSANDS)
_ALSO = {" ": " \u00a0\u202f", "'": "'\u2019"}


@dataclass(frozen=True)
class NumberFormat:
    """How a source writes numbers: its decimal mark and its thousands separator ('' none)."""

    decimal: str = "."
    thousands: str = ""

    def describe(self) -> str:
        """``decimal ','`` or ``decimal ',', thousands '.'`` (for rules and messages)."""
        out = f"decimal {self.decimal!r}"
        return out + (f", thousands {self.thousands!r}" if self.thousands else "")

    def pattern(self) -> re.Pattern[str]:
        """The regular expression a value in this format matches (after ``ascii_digits``)."""
        dec = "[" + re.escape(self.decimal + ARABIC_DECIMAL) + "]"
        seps = _ALSO.get(self.thousands, self.thousands) + ARABIC_THOUSANDS
        groups = r"\d{1,3}(?:[" + re.escape(seps) + r"]\d{3})+"
        return re.compile(rf"^[+-]?(?:(?:\d+|{groups})(?:{dec}\d*)?|{dec}\d+)$")


#: The format without a declaration: '.' decimal, no thousands separator (``1,234.5`` and
#: ``11,77`` are refused, never guessed).
PLAIN = NumberFormat()


def ascii_digits(text: str) -> str:
    """``text`` with Persian/Arabic-Indic digits as ASCII, U+2212 as '-', direction marks
    dropped and surrounding spaces stripped."""
    return text.translate(_TRANSLATE).strip()


def parse_numbers(raw: pd.Series, fmt: NumberFormat | None = None) -> pd.Series:
    """Text values (stripped of surrounding spaces) as floats (NaN where the text is empty or
    not a number in ``fmt``).

    Without ``fmt`` the text is read as before any declaration existed (anything
    ``pandas.to_numeric`` reads, e.g. ``12``, ``-0.5``, ``1e3``), after the digits and the
    unambiguous Arabic separators are made plain. With ``fmt`` a value must match the
    declared format exactly."""
    text = raw.fillna("").astype(str)
    if "".join(text.tolist()).isascii():  # the usual export: no digit or mark to translate
        if fmt is None:
            return pd.to_numeric(text.replace("", None), errors="coerce")
    else:
        text = text.map(ascii_digits)
    if fmt is None:
        grouped = text.str.contains(ARABIC_THOUSANDS, regex=False)
        ok = ~grouped | text.str.match(NumberFormat(".", ARABIC_THOUSANDS).pattern())
        plain = text.str.replace(ARABIC_THOUSANDS, "", regex=False).str.replace(
            ARABIC_DECIMAL, ".", regex=False)
        return pd.to_numeric(plain.where(ok & (plain != "")), errors="coerce")
    ok = text.str.match(fmt.pattern())
    seps = _ALSO.get(fmt.thousands, fmt.thousands) + ARABIC_THOUSANDS
    plain = text.str.replace(f"[{re.escape(seps)}]", "", regex=True)
    plain = plain.str.replace(f"[{re.escape(fmt.decimal + ARABIC_DECIMAL)}]", ".", regex=True)
    return pd.to_numeric(plain.where(ok), errors="coerce")


def parse_number(text: object, fmt: NumberFormat | None = None) -> float | None:
    """One value (see ``parse_numbers``); None when it is not a finite number."""
    plain = str(text).strip()
    if fmt is None and plain.isascii() and "_" not in plain:  # what to_numeric reads, quickly
        try:
            value = float(plain)
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    return _parse_declared(plain, fmt)


@lru_cache(maxsize=4096)
def _parse_declared(plain: str, fmt: NumberFormat | None) -> float | None:
    """``parse_number`` of one stripped text in a declared format, through ``parse_numbers``
    (kept: a page reads the same assumption values on every run)."""
    value = parse_numbers(pd.Series([plain]), fmt).iloc[0]
    return None if pd.isna(value) or not np.isfinite(value) else float(value)


def canonical(value: float) -> str:
    """A number as plain text the warehouse casts exactly: ``8``, ``0.35``, ``1234567.5``."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(value)
