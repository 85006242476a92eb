"""The currency of an assumption set, as each language writes it beside an amount.

The set declares the currency its amounts are in (``currency``, an ISO 4217-style code, with
``currency_symbol`` beside it). CX Ledger never converts between currencies: an amount is shown
in the currency it was loaded in. Three currencies are first-class:

=========  =============================  ===============================================
code       English                        Persian
=========  =============================  ===============================================
``USD``    ``$1,234.56`` (the symbol      ``۱٬۲۳۴٫۵۶ دلار``
           before the number, unchanged)
``IRT``    ``1,234 Toman``                ``۱٬۲۳۴ تومان``
``IRR``    ``12,340 Rial``                ``۱۲٬۳۴۰ ریال``
=========  =============================  ===============================================

Toman and Rial are written after the number in both languages, as their readers say them
("50,000 Toman"; IRT is not an ISO code, so English spells the unit rather than printing a
code that looks official), and without decimals (neither has a subunit in use; ISO 4217 gives
IRR no minor unit). Any other currency keeps its symbol: before the number in English as
before, after it in Persian. One Toman is exactly ten Rial (:func:`convert`); a set declares
which of the two its amounts are in, and changing the declaration does not rescale the data.

``Currency`` is a ``str``: the set's symbol, so every ``f"{symbol}…"`` and ``symbol == "$"`` of
the code keeps working; formatted into text it writes the unit's name in the current language
(``f"{c} per customer"`` → ``Toman per customer`` / ``تومان per customer``), and it carries its
``code`` to the number formats of ``metrics.display``.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard import i18n
from dashboard.i18n import _

#: Rial in one unit of each Iranian currency: the exact relation 1 Toman = 10 Rial.
RIALS = {"IRR": 1, "IRT": 10}
#: Currencies written without decimals.
NO_DECIMALS = frozenset(RIALS)
#: The symbol a set without ``currency_symbol`` gets, by code (``$`` as the code always had).
DEFAULT_SYMBOLS = {"USD": "$", "IRT": "Toman", "IRR": "Rial"}


class Currency(str):
    """A set's currency symbol that knows its code (see the module docstring)."""

    code: str

    def __new__(cls, symbol: str = "$", code: str = "") -> Currency:
        obj = super().__new__(cls, symbol)
        obj.code = (code or "").strip().upper()
        return obj

    def __getnewargs__(self) -> tuple[str, str]:  # pickling (cached reports)
        return (self.symbol, self.code)

    @property
    def symbol(self) -> str:
        """The set's symbol as given (``$``)."""
        return str.__str__(self)

    @property
    def name(self) -> str:
        """The unit's name in the current language: ``Toman``/``تومان``, ``Rial``/``ریال``; US
        dollars are ``$`` in English and ``دلار`` in Persian; any other currency its symbol."""
        if self.code == "IRT":
            return _("Toman")
        if self.code == "IRR":
            return _("Rial")
        if self.code == "USD" and i18n.current() != "en":
            return _("dollars")
        return self.symbol

    @property
    def after(self) -> bool:
        """Whether the unit is written after the number (Persian always; Toman and Rial in
        English too); else the symbol comes first, as English money always read."""
        return i18n.current() != "en" or self.code in RIALS

    @property
    def decimals(self) -> int | None:
        """The most decimals an amount shows (0 for Toman and Rial), None: as asked."""
        return 0 if self.code in NO_DECIMALS else None

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)


def of(symbol: object) -> Currency:
    """``symbol`` as a Currency: itself when it is one; a plain ``$`` (the code's default
    everywhere) is US dollars, a unit's name (``Toman``, ``ریال`` — a Currency made text on
    the way) its currency; any other plain symbol has no code."""
    if isinstance(symbol, Currency):
        return symbol
    text = "$" if symbol is None else str(symbol)
    return Currency(text, _NAMED.get(text, ""))


#: Plain text that names a currency: its symbol or its name in either language.
_NAMED = {"$": "USD", "Toman": "IRT", "تومان": "IRT", "Rial": "IRR", "ریال": "IRR"}


def from_assumptions(values: Mapping[str, object]) -> Currency:
    """The currency of a set's values (``currency`` and ``currency_symbol``); ``$`` when the
    set names neither, as before."""
    code = str(values.get("currency") or "").strip().upper()
    symbol = values.get("currency_symbol")
    if symbol is None or str(symbol).strip() == "":
        symbol = DEFAULT_SYMBOLS.get(code, "$")
    if not code and str(symbol) == "$":
        code = "USD"
    return Currency(str(symbol), code)


def convert(amount: float, source: str, target: str) -> float:
    """An amount in Toman as Rial or back (×10 / ÷10, exact); the same currency unchanged.
    Any other pair is refused: CX Ledger converts only what is fixed by definition."""
    source, target = source.upper(), target.upper()
    if source == target:
        return amount
    if source in RIALS and target in RIALS:
        return amount * RIALS[source] / RIALS[target]
    raise ValueError(f"no fixed rate from {source} to {target}: amounts are shown in the "
                     "currency they were loaded in")


def hover(symbol: object, field: str = "y", digits: int = 0,
          literal=lambda text: text) -> str:
    """A plotly hover template of an amount in the set's currency: ``$%{y:,.0f}`` (English,
    symbol first, as before), ``%{y:,.0f} Toman``, ``%{y:,.0f} تومان`` (the unit after; no
    decimals in Toman or Rial). ``literal`` makes the unit's text safe in a template."""
    unit = of(symbol)
    if unit.decimals is not None:
        digits = min(digits, unit.decimals)
    number = f"%{{{field}:,.{digits}f}}"
    if not unit.after:
        return f"{literal(unit)}{number}"
    return _("{amount} {unit}", amount=number, unit=literal(unit.name))
