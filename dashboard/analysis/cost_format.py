"""How the Cost to serve page writes its figures: money, percentages, channel names, intervals.

The page shows these strings as they are; the value model writes its money figures with the same
formats.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from dashboard.i18n import N_, _
from dashboard.metrics import display
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config

_MINUS = "−"


def _sign(value: float, signed: bool, digits: int = 2) -> str:
    return display.sign(value, digits, signed)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, symbol: str, digits: int = 2, signed: bool = False) -> str:
    """``$1,234.56``; ``−$0.16`` for negatives; ``+`` on request; ``—`` when None."""
    return display.money(value, symbol, digits, signed)


def money_compact(value: float | None, symbol: str, signed: bool = False) -> str:
    """Money rounded for a headline: ``$51.2k``, ``$1.35M``, ``$845``."""
    return display.money_compact(value, symbol, signed)


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """``12.3%`` (value already in percent); ``—`` when None."""
    return display.percent(value, digits, signed)


def channel_label(channel: str) -> str:
    """``self_service`` → ``Self-service``; other channels in words (``metrics.display.name``)."""
    return display.name(channel)


#: The descriptions CX Ledger's own assumption files give the unit costs
#: (``data/demo_assumptions.csv``, ``data/default_assumptions.csv``): the unit-cost table shows
#: them in the reader's language. A company's own descriptions are shown as written.
SHIPPED_DESCRIPTIONS = frozenset({
    N_("Fully loaded cost of one assisted phone contact"),
    N_("Fully loaded cost of one web/app chat contact"),
    N_("Fully loaded cost of one e-mail contact"),
    N_("Cost of one self-service session (portal/app/IVR)"),
    N_("Cost of one store or branch visit handled by staff"),
    N_("Cost of one social-media care contact"),
    N_("CX Ledger default, not your company's: cost of one assisted phone contact"),
    N_("CX Ledger default, not your company's: cost of one web/app chat contact"),
    N_("CX Ledger default, not your company's: cost of one e-mail contact"),
    N_("CX Ledger default, not your company's: cost of one self-service session"),
    N_("CX Ledger default, not your company's: cost of one store or branch visit handled by "
       "staff"),
    N_("CX Ledger default, not your company's: cost of one social-media care contact"),
})


def description(text: object) -> str:
    """An assumption's description as the reader reads it: a shipped one translated
    (``SHIPPED_DESCRIPTIONS``), any other as written."""
    text = str(text)
    return _(text) if text in SHIPPED_DESCRIPTIONS else text


def withheld_text(n: int) -> str:
    """Why a figure is not shown: its base is below the minimum."""
    return _("Insufficient base ({what} = {n}; at least {least} needed)", what="n",
             n=display.number(n, 0), least=display.number(config.MIN_BASE, 0))


def ci_text(est: Estimate, fmt: Callable[[float], str]) -> str:
    """The 95% interval as ``low – high``; '—' when withheld."""
    if not est.shown:
        return "—"
    return display.span(est.ci_low, est.ci_high, fmt)


def shown_text(est: Estimate, fmt: Callable[[float], str]) -> str:
    """The value, badged when the base is low; '—' when withheld."""
    if not est.shown:
        return "—"
    if est.status == "low_base":
        return _("{value} (low base)", value=fmt(est.value))
    return fmt(est.value)
