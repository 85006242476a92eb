"""Display-ready summary cards and the number formats of the Complaints and Churn pages.

Pure: a ``Card`` holds only strings and flags, formatted here, so pages and the UI module
compose it without formatting anything themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from dashboard.i18n import _
from dashboard.metrics import display
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config
from dashboard.warehouse import coverage as cov

EM_DASH = "—"


@dataclass(frozen=True)
class Card:
    """One summary tile: a label, its formatted value, caption lines and an optional change.

    ``delta`` is drawn with an arrow only when ``significant`` (after Benjamini–Hochberg);
    ``higher_is_better`` colours it.
    """

    label: str
    value: str
    captions: tuple[str, ...] = field(default_factory=tuple)
    delta: str | None = None
    significant: bool = False
    higher_is_better: bool = True
    help: str = ""


def number(value: float | None, decimals: int = 0) -> str:
    """Thousands-separated number; '—' for None/NaN."""
    return display.number(value, decimals)


def pct(value: float | None, decimals: int = 1) -> str:
    """A percentage already on the 0–100 scale."""
    return display.percent(value, decimals)


def money(value: float | None, symbol: str, decimals: int = 0) -> str:
    """A money amount with its currency symbol ('−$12' for negatives)."""
    return display.money(value, symbol, decimals)


def hours(value: float | None) -> str:
    """Hours with one decimal ('41.5 h')."""
    if value is None or math.isnan(value):
        return EM_DASH
    return _("{hours} h", hours=display.number(value, 1))


def score(value: float | None, decimals: int = 1) -> str:
    """An NPS-like score with its sign and a true minus ('+25.2', '−49.5')."""
    if value is None or math.isnan(value):
        return EM_DASH
    return signed(value, decimals)


def signed(value: float, decimals: int = 1, unit: str = "") -> str:
    """A signed change with a true minus sign ('+1.2 pp', '−0.4 pp')."""
    return display.signed(value, decimals, unit)


def month_label(month_start: date) -> str:
    """'October 2026' (a Jalali month: 'Aban 1405'; in Persian «آبان ۱۴۰۵»)."""
    from dashboard.warehouse import weeks

    return weeks.month_display(month_start)


def short_month(month_start: date) -> str:
    """'Oct 2026' (a Jalali month: 'Aban 1405'; in Persian «آبان ۱۴۰۵»)."""
    from dashboard.warehouse import weeks

    return weeks.month_display(month_start, short=True)


def interval(est: Estimate, fmt) -> str:
    """'95% CI a – b' with ``fmt`` applied to both ends; '' when withheld."""
    if not est.shown or est.ci_low is None:
        return ""
    return _("95% CI {interval}", interval=display.span(est.ci_low, est.ci_high, fmt))


def base_caption(est: Estimate, what: str = "n") -> str:
    """The base line of a card: 'n = 1,234', with the low-base badge or the withheld reason
    (``what``: what is counted, already in the current language)."""
    n = display.number(est.n, 0)
    if est.status == "withheld":
        return _("Insufficient base ({what} = {n}; at least {least} needed)", what=what, n=n,
                 least=display.number(config.MIN_BASE, 0))
    if est.status == "low_base":
        return _("{what} = {n} · low base", what=what, n=n)
    return _("{what} = {n}", what=what, n=n)


def p_text(p: float) -> str:
    """'p < 0.001' or 'p = 0.023'."""
    if p < 0.001:
        return _("p < {p}", p=display.number(0.001, 3))
    return _("p = {p}", p=display.number(p, 3))


def verdict(cur: Estimate, prev: Estimate, p_adj: float | None, significant: bool,
            higher_is_better: bool = True) -> str:
    """Plain words for a tested change: better, worse, within noise, low base or not judged
    (the test, Benjamini–Hochberg-corrected, is told in the card's help)."""
    if p_adj is None:
        return _("not judged (no usable base in both periods)")
    if cur.status == "low_base" or prev.status == "low_base":
        return _("low base (n < 100): change not judged")
    good = None
    if cur.value is not None and prev.value is not None and cur.value != prev.value:
        good = (cur.value > prev.value) == higher_is_better
    return display.verdict_word(significant, good)


def not_loaded_card(label: str, tables: tuple[str, ...], help: str = "") -> Card:
    """A card whose source table holds no rows: "Not loaded" and what to load, never a value."""
    return Card(label, cov.NOT_LOADED_TEXT, (cov.sentence(tables),), help=help)


def with_coverage(found: tuple[Card, ...], needs: dict[str, tuple[str, ...]],
                  coverage: cov.Coverage) -> tuple[Card, ...]:
    """The cards, each whose tables (``needs``, by label) hold no rows made a not-loaded card."""
    out = []
    shown = {_(label): tables for label, tables in needs.items()}
    for c in found:
        gone = coverage.missing(needs.get(c.label, shown.get(c.label, ())))
        out.append(not_loaded_card(c.label, gone, c.help) if gone else c)
    return tuple(out)


class WithCards:
    """A page report holding summary ``cards``: looks one up by its label."""

    cards: tuple[Card, ...]

    def card(self, label: str) -> Card:
        """The card with this label (as written in English, or as shown)."""
        return next(c for c in self.cards if c.label in (label, _(label)))
