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


#: The descriptions CX Ledger's own assumption files give the unit costs and the other
#: assumptions (``data/demo_assumptions.csv``, ``data/default_assumptions.csv``): the unit-cost
#: table and the Assumptions page show them in the reader's language. A company's own
#: descriptions are shown as written.
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
    # the other assumptions (the Assumptions page's values table)
    N_("Reporting currency (ISO 4217)"),
    N_("Symbol printed before money figures"),
    N_("Internal cost of handling one complaint end to end"),
    N_("Gross margin on revenue"),
    N_("Annual discount rate for lifetime value"),
    N_("Target NPS (relationship survey)"),
    N_("Target CSAT top-2-box share"),
    N_("Target mean CES (1-7; higher is easier)"),
    N_("Target complaints per 1000 active customers per week"),
    N_("Target 4-week churn rate"),
    N_("Target weekly cost to serve per active customer"),
    N_("Horizon over which modelled money (lifetime value and the simulator) is counted"),
    N_("Low end of the share of the promoter-detractor gap that the experience causes"),
    N_("High end of the share of the promoter-detractor gap that the experience causes"),
    N_("Plus or minus range of each cost per contact used in the simulator's draws"),
    N_("Segment of the improvement programme whose effect is measured"),
    N_("First ISO week of the improvement programme"),
    N_("CX Ledger default, not your company's: no currency set (ISO 4217 XXX); load your "
       "assumptions file to set yours"),
    N_("CX Ledger default, not your company's: the generic currency sign"),
    N_("CX Ledger default, not your company's: cost of handling one complaint end to end"),
    N_("CX Ledger default, not your company's: gross margin on revenue"),
    N_("CX Ledger default, not your company's: annual discount rate for lifetime value"),
    N_("CX Ledger default, not your company's: horizon over which modelled money is counted"),
    N_("CX Ledger default, not your company's: low end of the share of the "
       "promoter-detractor gap that the experience causes"),
    N_("CX Ledger default, not your company's: high end of the share of the "
       "promoter-detractor gap that the experience causes"),
    N_("CX Ledger default, not your company's: plus or minus range of each cost per contact "
       "in the simulator's draws"),
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
