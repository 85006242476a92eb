"""How every number reads on screen, in the CLI and in the pack: the one home of signs, ranges
and verdict words (the registry's named formats, the cards, the cost and money figures all
call these).

The rules (the README's "How numbers read" states them):

* a negative number carries a true minus sign, U+2212 (``−11.4``), never a hyphen;
* a signed change carries ``+`` or ``−``; a change that rounds to zero at the precision shown
  carries no sign at all (``$0.00``, ``0.0 points``): "+$0.00" or "−0.0" would claim a
  direction the figure does not have;
* a range is written ``low – high`` with an en dash between two thin spaces (U+2009), so it
  never reads as a subtraction: ``−11.4 – +9.3``;
* a verdict on a tested change is one plain word: "better", "worse" or "within noise" (how it
  was tested, Benjamini–Hochberg-corrected p-values, is told in "how computed");
* in Persian the same numbers are written with Persian digits and CLDR's separators (``٬``
  thousands, ``٫`` decimal, ``٪``), each number in a left-to-right isolate so right-to-left text
  never reorders its sign and digits (``dashboard.i18n.numbers``); money carries its unit after
  the number and compact amounts are written in words (``۱۷٫۶ میلیون تومان``,
  ``dashboard.i18n.currency``). English output is unchanged.

No Streamlit here.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable

from dashboard import i18n
from dashboard.i18n import currency as cur
from dashboard.i18n import numbers as loc

MINUS = "\u2212"
THIN = "\u2009"
EN_DASH = "\u2013"
EM_DASH = "\u2014"
#: Between the two ends of a range: thin space, en dash, thin space.
RANGE_SEP = f"{THIN}{EN_DASH}{THIN}"

BETTER, WORSE, NOISE = i18n.N_("better"), i18n.N_("worse"), i18n.N_("within noise")


def missing(value: float | None) -> bool:
    """None or NaN: nothing to show (shown as an em dash, never as zero)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_zero(value: float, digits: int) -> bool:
    """Whether ``value`` reads as zero at ``digits`` decimals."""
    return round(abs(value), digits) == 0


def sign(value: float, digits: int, signed: bool = False) -> str:
    """The sign to print before ``abs(value)`` shown at ``digits`` decimals: a true minus for a
    negative, ``+`` for a positive when ``signed``, nothing for what rounds to zero."""
    if is_zero(value, digits):
        return ""
    if value < 0:
        return MINUS
    return "+" if signed else ""


def number(value: float | None, digits: int = 1, signed: bool = False, unit: str = "",
           thousands: bool = True) -> str:
    """``1,234.5``, ``−0.4``, ``+1.2 pp`` (``signed``), ``—`` when missing."""
    if missing(value):
        return EM_DASH
    body = f"{abs(value):,.{digits}f}" if thousands else f"{abs(value):.{digits}f}"
    tail = f" {unit}" if unit else ""
    return f"{loc.written(sign(value, digits, signed) + body)}{tail}"


def signed(value: float | None, digits: int = 1, unit: str = "") -> str:
    """A change with its sign: ``+1.2 pp``, ``−0.4``, ``0.0 pp`` (no sign on a zero)."""
    return number(value, digits, True, unit)


def percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """``12.3%`` (the value already in percent), ``+0.5%`` when ``signed``."""
    if missing(value):
        return EM_DASH
    return loc.written(f"{sign(value, digits, signed)}{abs(value):.{digits}f}%")


def money(value: float | None, symbol: str, digits: int = 2, signed: bool = False) -> str:
    """``$1,234.56``, ``−$0.16``, ``+$1.20`` when ``signed``, ``$0.00`` for a zero change."""
    if missing(value):
        return EM_DASH
    unit = cur.of(symbol)
    if not unit.after:  # English: the symbol before the number
        return f"{sign(value, digits, signed)}{symbol}{abs(value):,.{digits}f}"
    if unit.decimals is not None:
        digits = min(digits, unit.decimals)
    return _with_unit(loc.written(f"{sign(value, digits, signed)}{abs(value):,.{digits}f}"),
                      unit)


def _with_unit(amount: str, unit: cur.Currency) -> str:
    """An amount and its currency's name after it (``۱۲٬۳۴۰ ریال``, ``1,234 Toman``)."""
    return i18n._("{amount} {unit}", amount=amount, unit=unit.name)


def money_compact(value: float | None, symbol: str, signed: bool = False) -> str:
    """Money rounded for a headline or a tile: ``$1.35M``, ``$51.2k``, ``$845``, ``$0.84``."""
    if missing(value):
        return EM_DASH
    unit = cur.of(symbol)
    if unit.after:
        return money_words(value, unit, signed)
    mag = abs(value)
    if mag >= 1e9:
        body, digits, scale = "B", 2, 1e9
    elif mag >= 1e6:
        body, digits, scale = "M", 2, 1e6
    elif mag >= 1e4:
        body, digits, scale = "k", 1, 1e3
    elif mag >= 100:
        body, digits, scale = "", 0, 1
    else:
        body, digits, scale = "", 2, 1
    shown = f"{mag / scale:,.{digits}f}{body}"
    return f"{sign(value / scale, digits, signed)}{symbol}{shown}"


def money_words(value: float | None, symbol: str, signed: bool = False,
                small_digits: int | None = None) -> str:
    """Money rounded for a tile in words, the unit after it: ``۱۷٫۶ میلیون تومان``,
    ``۱٫۳۵ میلیارد ریال``, ``17.6 million Toman`` (three significant digits from ten thousand
    up, ``dashboard.i18n.numbers.compact_parts``); smaller amounts at ``small_digits``
    decimals, by default whole from 100 up, else to the cent (never decimals in Toman or
    Rial)."""
    if missing(value):
        return EM_DASH
    unit = cur.of(symbol)
    shown, digits, template = loc.compact_parts(value)
    if template == "{amount}":
        digits = 0 if shown >= 100 else 2 if small_digits is None else small_digits
        if unit.decimals == 0:
            digits = 0
        text = f"{shown:,.{digits}f}"
    else:
        text = loc.trimmed(shown, digits)
    amount = loc.written(sign(math.copysign(shown, value), digits, signed) + text)
    return _with_unit(template.format(amount=amount), unit)


def span(low: float | None, high: float | None, fmt: Callable[[float], str]) -> str:
    """``low – high`` (thin spaces around the en dash) in the format ``fmt``; ``—`` when an
    end is missing or not finite."""
    if missing(low) or missing(high) or not (math.isfinite(low) and math.isfinite(high)):
        return EM_DASH
    return f"{fmt(low)}{RANGE_SEP}{fmt(high)}"


def between(low: str, high: str) -> str:
    """Two already formatted ends as a range: ``low – high`` with thin spaces."""
    return f"{low}{RANGE_SEP}{high}"


def verdict_word(significant: bool, good: bool | None) -> str:
    """A tested change in one plain word: better, worse or within noise."""
    if not significant or good is None:
        return i18n._(NOISE)
    return i18n._(BETTER if good else WORSE)


# --- lists in sentences ---------------------------------------------------------------------------

#: Lists with the language's comma and semicolon (``i18n.commas``, ``i18n.semicolons``).
commas, semicolons = i18n.commas, i18n.semicolons


def days(dates) -> str:
    """Dates listed with commas, each as the reader reads it: ``2026-01-05, 2026-03-02`` in
    English, Jalali days in Persian («۱۵ دی ۱۴۰۴، ۱۱ اسفند ۱۴۰۴»)."""
    from dashboard.warehouse import weeks

    return commas(weeks.day_display(d) for d in dates)


def and_list(items) -> str:
    """``a``, ``a and b``, ``a, b and c`` (``الف، ب و ج`` in Persian)."""
    items = [str(x) for x in items]
    if len(items) < 2:
        return items[0] if items else ""
    return i18n._("{items} and {last}", items=commas(items[:-1]), last=items[-1])


# --- category values in words -------------------------------------------------------------------

#: Display names of the code values the contract and the demo use; a value not listed here is
#: shown in words by ``name`` when it is a snake_case code, else literally.
NAMES: dict[str, str] = {
    "self_service": "Self-service",
    "service_quality": "Service quality",
    "nps": "NPS", "csat": "CSAT", "ces": "CES",
    "sms": "SMS", "ivr": "IVR", "faq": "FAQ",
}

_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

#: The data contract's contact channels in words, translated
#: (other category values are data: shown as loaded, never translated).
CONTRACT_NAMES: dict[str, str] = {
    "phone": i18n.N_("Phone"), "chat": i18n.N_("Chat"), "email": i18n.N_("Email"),
    "self_service": i18n.N_("Self-service"), "store": i18n.N_("Store"),
    "social": i18n.N_("Social"),
}


def _overrides() -> dict[str, str]:
    """The ``[display_names]`` section of the mapping file named by ``CX_MAPPING`` (the file
    given to ``python -m dashboard ingest --mapping``): ``"service_quality" = "Quality"``."""
    path = os.environ.get("CX_MAPPING", "")
    if not path:
        return {}
    return _read_overrides(path)


@functools.lru_cache(maxsize=4)
def _read_overrides(path: str) -> dict[str, str]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            section = tomllib.load(fh).get("display_names", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    if not isinstance(section, dict):
        return {}
    return {str(k): str(v) for k, v in section.items() if isinstance(v, str | int | float)}


def name(value: object) -> str:
    """A category value in words: the mapping file's ``[display_names]`` first, then
    ``NAMES``, then a snake_case code made words (``payment_failed`` → ``Payment failed``);
    any other text is returned as it is (shown literally, escaped by the page)."""
    text = "" if value is None else str(value)
    if text in CONTRACT_NAMES and text not in _overrides():
        return i18n._(CONTRACT_NAMES[text])
    found = _overrides().get(text) or NAMES.get(text)
    if found:
        return found
    if _CODE.fullmatch(text):
        words = text.replace("_", " ")
        return words[0].upper() + words[1:]
    return text
