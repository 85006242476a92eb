"""The rules of the finance assumptions (``raw.assumptions``): what each key holds, how a value is
read and refused, the rule across keys, and the neutral defaults.

One copy for every place a value arrives: the Assumptions page's edits
(``dashboard.money.assumptions``) and a company's assumptions file loaded with ``ingest``
(``dashboard.intake.contract``).

The shipped files: ``data/demo_assumptions.csv`` holds the demo world's settings (used only by
``demo`` and the test fixtures: an improvement programme, targets, US dollars);
``data/default_assumptions.csv`` holds the neutral defaults a company's warehouse starts with
when it loads data without its own assumptions file: generic unit costs, margin, discount rate,
horizon and realisation range, currency ``XXX`` (ISO 4217 "no currency") shown as ``¤``, no
targets and no improvement programme. Every neutral row's description starts with
``DEFAULTS_MARK``, so every money figure can say it was computed with CX Ledger's defaults, not
the company's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dashboard import i18n
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import localize
from dashboard.warehouse.numbers import NumberFormat, parse_number
from dashboard.warehouse.schema import CHANNELS
from dashboard.warehouse.weeks import FilterError, parse_week

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
#: How the Assumptions page and an assumptions file without a declaration write numbers:
#: '.' decimal, ',' thousands between groups of three (``1,250.5``; ``11,77`` is refused).
PAGE_NUMBERS = NumberFormat(".", ",")
#: The start of the description of every neutral default row (``data/default_assumptions.csv``).
DEFAULTS_MARK = "CX Ledger default, not your company's"


class AssumptionError(ValueError):
    """A value breaks its rule; the message names the key, the value and the rule."""


@dataclass(frozen=True)
class Spec:
    """What a key holds: its kind ('money', 'pct', 'fraction', 'years', 'number', 'currency',
    'symbol', 'text', 'week'), its bounds and a label."""

    kind: str
    label: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the lower bound itself is not allowed

    def rule(self) -> str:
        """The rule in words, in English whatever the reader's language: what a loaded file's
        refused rows are kept aside under (``intake.contract``) and the CLI's refusals."""
        with i18n.use("en"):
            return self.rule_text()

    def rule_text(self) -> str:
        """The rule in words in the reader's language (the Assumptions page, its refusals):
        ``a number above 0 % and at most 100 %`` / «عددی بیشتر از ۰٪ و حداکثر ۱۰۰٪»."""
        fixed = _FIXED_RULES.get(self.kind)
        if fixed:
            return _(fixed)
        lo = hi = ""
        if self.low is not None:
            lo = _(_BOUNDS[self.kind if self.kind in _BOUNDS else ""][0 if self.low_open else 1],
                   n=_bound(self.low))
        if self.high is not None:
            hi = _(_BOUNDS[self.kind if self.kind in _BOUNDS else ""][2], n=_bound(self.high))
        what = _("a whole number") if self.kind == "years" else _("a number")
        if lo and hi:
            return _("{what} {low} and {high}", what=what, low=lo, high=hi)
        if lo or hi:
            return _("{what} {bound}", what=what, bound=lo or hi)
        return what


def _bound(value: float) -> str:
    """A bound of a rule as the reader writes it (``0``, ``-100``; «۱۰۰» in Persian)."""
    text = f"{value:g}"
    return text if i18n.current() == "en" else localize(text)


#: The rules of the kinds without bounds, for the catalog.
_FIXED_RULES: dict[str, str] = {
    "currency": N_("a three-letter currency code such as USD, or IRT (Toman) or IRR (Rial), "
                   "1 Toman = 10 Rial"),
    "symbol": N_("one to four characters"),
    "week": N_("an ISO week written YYYY-Www"),
    "text": N_("non-empty text of at most 40 characters"),
}
#: The bounds of a rule by kind: (above, at least, at most), each one template.
_BOUNDS: dict[str, tuple[str, str, str]] = {
    "pct": (N_("above {n} %"), N_("at least {n} %"), N_("at most {n} %")),
    "years": (N_("above {n} years"), N_("at least {n} years"), N_("at most {n} years")),
    "": (N_("above {n}"), N_("at least {n}"), N_("at most {n}")),
}


_CHANNEL_COST = Spec("money", N_("Cost per contact"), 0.0, None)
_TARGET = Spec("number", N_("Target"))
SPECS: dict[str, Spec] = {
    "currency": Spec("currency", N_("Currency")),
    "currency_symbol": Spec("symbol", N_("Currency symbol")),
    "complaint_handling_cost": Spec("money", N_("Complaint handling cost"), 0.0),
    "gross_margin_pct": Spec("pct", N_("Gross margin"), 0.0, 100.0, low_open=True),
    "discount_rate_pct": Spec("pct", N_("Discount rate (annual)"), 0.0, 100.0),
    "analysis_horizon_years": Spec("years", N_("Analysis horizon"), 1, 10),
    "realisation_factor_low": Spec("fraction", N_("Realisation factor, low"), 0.0, 1.0),
    "realisation_factor_high": Spec("fraction", N_("Realisation factor, high"), 0.0, 1.0),
    "unit_cost_uncertainty_pct": Spec("pct", N_("Unit cost uncertainty (±)"), 0.0, 100.0),
    "programme_segment": Spec("text", N_("Improvement programme: segment")),
    "programme_start_week": Spec("week", N_("Improvement programme: first week")),
    "target_nps": Spec("number", N_("Target NPS"), -100.0, 100.0),
    "target_csat": Spec("pct", N_("Target CSAT"), 0.0, 100.0),
    "target_ces": Spec("number", N_("Target CES"), 1.0, 7.0),
    "target_churn_rate_4w": Spec("pct", N_("Target 4-week churn"), 0.0, 100.0),
    "target_complaint_rate": Spec("number", N_("Target complaint rate"), 0.0),
    "target_cost_to_serve": Spec("money", N_("Target cost to serve"), 0.0),
}


def spec_for(key: str) -> Spec:
    """The rule of a key; cost per contact and targets are families, anything else is text."""
    if key in SPECS:
        return SPECS[key]
    if key.startswith("cost_per_contact_"):
        return _CHANNEL_COST
    if key.startswith("target_"):
        return _TARGET
    return Spec("text", key)


def known_key(key: str) -> bool:
    """Whether a file may set ``key``: a key of ``SPECS``, ``cost_per_contact_<channel>`` for a
    contract channel, or ``target_<metric>``."""
    return (key in SPECS
            or (key.startswith("cost_per_contact_")
                and key.removeprefix("cost_per_contact_") in CHANNELS)
            or (key.startswith("target_") and len(key) > len("target_")))


#: The known keys in words (the rule of an unknown key).
KNOWN_KEYS = (", ".join(k for k in SPECS if not k.startswith("target_"))
              + ", cost_per_contact_<channel>, target_<metric>")


def parse_value(key: str, text: object, numbers: NumberFormat = PAGE_NUMBERS) -> float | str:
    """The value of ``key`` parsed from text, or AssumptionError naming key, value and rule.
    Numbers are read in ``numbers`` (by default the page's: ``1,250.5``; Persian digits too)."""
    spec = spec_for(key)
    raw = "" if text is None else str(text).strip()

    def refuse() -> AssumptionError:
        return AssumptionError(_("{key} = {value} refused: must be {rule}", key=key,
                                 value=repr(raw), rule=spec.rule_text()))

    if spec.kind == "currency":
        if not _CURRENCY_RE.match(raw):
            raise refuse()
        return raw
    if spec.kind == "symbol":
        if not 1 <= len(raw) <= 4:
            raise refuse()
        return raw
    if spec.kind == "text":
        if not 1 <= len(raw) <= 40:
            raise refuse()
        return raw
    if spec.kind == "week":
        try:
            parse_week(raw)
        except FilterError:
            raise refuse() from None
        return raw
    value = parse_number(raw, numbers)
    if value is None or not math.isfinite(value):
        raise refuse()
    if spec.kind == "years" and value != int(value):
        raise refuse()
    if spec.low is not None and (value <= spec.low if spec.low_open else value < spec.low):
        raise refuse()
    if spec.high is not None and value > spec.high:
        raise refuse()
    return value


def check_together(values: Mapping[str, object]) -> None:
    """Rules across keys (the realisation range must not be upside down)."""
    lo, hi = values.get("realisation_factor_low"), values.get("realisation_factor_high")
    if isinstance(lo, float) and isinstance(hi, float) and lo > hi:
        raise AssumptionError(_(
            "realisation_factor_low = {low} refused: must not exceed realisation_factor_high "
            "= {high}", low=_bound(lo), high=_bound(hi)))


def is_default(description: object) -> bool:
    """Whether a published row is one of CX Ledger's neutral defaults (by its description)."""
    return str(description or "").startswith(DEFAULTS_MARK)
