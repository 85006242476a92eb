"""The parts every figure of the value model is built from.

* ``Finance``: the assumptions the value model uses, read from the set in force in the selected
  week: gross margin g, annual discount rate d, horizon, the range of the realisation factor φ
  (the share of an observed gap between customer groups that the experience itself causes) and
  the cost of handling one complaint.
* Monte Carlo: one generator per figure, seeded from the figure's key; normal draws around an
  estimate with its standard error; the P10–P90 band of the draws.
* The page's text formats (money, percentage points, ranges) and the two ways of making a
  ``MoneyFigure``: with its value, band and "how computed" inputs, or withheld with the reason.
* What each figure is computed from (``NEEDS``, by figure key) and ``with_coverage``: a figure
  whose source table holds no rows is not loaded (no value, the load hint as its note); one
  computed without the contact or complaint costs of cost to serve says so in its label.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from dashboard.analysis import cost
from dashboard.i18n import _, ngettext
from dashboard.i18n.numbers import written
from dashboard.metrics import display
from dashboard.money.inputs import Inputs, MoneyFigure
from dashboard.money.unit_costs import UnitCosts
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.coverage import (
    COMPLAINTS,
    CONTACTS,
    SURVEYS,
    TRANSACTIONS,
    Coverage,
)

#: Monte Carlo draws per modelled figure (vectorised) and the seed they start from.
DRAWS = 10_000
SEED = 20_260_504
#: Percentiles of the band of a modelled figure.
BAND = (10.0, 90.0)
WEEKS_PER_YEAR = 52


# --- the finance inputs of a set ----------------------------------------------------------


@dataclass(frozen=True)
class Finance:
    """The assumptions the value model uses, read from the set in force in the selected week."""

    margin: float  # gross margin, fraction
    discount: float  # annual discount rate, fraction
    horizon: int | None  # years of lifetime value counted (None: unlimited)
    phi_low: float
    phi_high: float
    handling: float  # cost of handling one complaint
    symbol: str
    set_id: str
    #: the set's cost per contact against the booked ones (named by figures that price contacts)
    unit_costs: UnitCosts | None = None

    @property
    def phi_mid(self) -> float:
        """The point value of the realisation factor: the middle of its range."""
        return (self.phi_low + self.phi_high) / 2

    @property
    def clv_formula(self) -> str:
        """The lifetime-value formula in words: margin m a year, received at the end of each
        year survived with retention r, discounted at d (Gupta & Lehmann 2003); its digits as
        the reader writes them (a left-to-right isolate in Persian)."""
        if self.horizon is None:
            return written("CLV = m × r / (1 + d − r)")
        return written(f"CLV = m × Σ_(t=1..{self.horizon}) r^t / (1 + d)^t")

    def rows(self) -> tuple[tuple[str, str], ...]:
        """The set's values every lifetime-value figure names."""
        h = _("unlimited") if self.horizon is None else years(self.horizon)
        return ((_("Gross margin g"), written(f"{100 * self.margin:g}%")),
                (_("Discount rate d"), _("{rate}% a year",
                                         rate=written(f"{100 * self.discount:g}"))),
                (_("Horizon"), h))


def finance(inputs: Inputs) -> Finance:
    """The finance inputs of ``inputs``' set (KeyError naming a missing assumption)."""
    h = inputs.assumptions.get("analysis_horizon_years")
    horizon = int(h) if isinstance(h, float | int) else None
    lo = inputs.number("realisation_factor_low", 1.0)
    hi = inputs.number("realisation_factor_high", 1.0)
    return Finance(
        margin=inputs.number("gross_margin_pct") / 100,
        discount=inputs.number("discount_rate_pct") / 100,
        horizon=horizon, phi_low=min(lo, hi), phi_high=max(lo, hi),
        handling=inputs.number("complaint_handling_cost", 0.0), symbol=inputs.symbol,
        set_id=inputs.assumption_set, unit_costs=inputs.unit_costs)


# --- draws, texts and figures -------------------------------------------------------------


def rng_for(key: str) -> np.random.Generator:
    """One generator per figure, seeded from the figure's key (results do not depend on the
    order figures are computed in)."""
    return np.random.default_rng([SEED, zlib.crc32(key.encode())])


def normal(rng: np.random.Generator, mean, se, draws: int) -> np.ndarray:
    """Draws of estimates ~ normal(mean, se), shape (draws, *mean.shape); NaN counts as 0."""
    mean = np.nan_to_num(np.asarray(mean, dtype=float))
    se = np.nan_to_num(np.asarray(se, dtype=float))
    return mean + se * rng.standard_normal((draws, *mean.shape))


def band(sims: np.ndarray) -> tuple[float, float]:
    """The P10–P90 band of one figure's draws."""
    lo, hi = np.percentile(sims, BAND, axis=0)
    return float(lo), float(hi)


def amount(v: float | None, sym: str, digits: int = 0, signed: bool = False) -> str:
    """Money as the page shows it, whole units unless told: ``$1,235``, ``−$16``."""
    return cost.money(v, sym, digits, signed)


def years(n: int) -> str:
    """``1 year``, ``3 years``."""
    return ngettext("{count} year", "{count} years", n, count=written(str(n)))


def pp(v: float, digits: int = 1) -> str:
    """Percentage points, signed: ``+5.7 pp``."""
    return _("{change} pp", change=display.number(v, digits, signed=True, thousands=False))


def span(lo: float | None, hi: float | None, fmt: Callable[[float], str]) -> str:
    """``lo – hi`` in the format ``fmt`` ('—' when either end is missing or not finite)."""
    return display.span(lo, hi, fmt)


def figure(key: str, label: str, kind: str, value: float, band: tuple[float, float] | None,
           unit: str, formula: str, inputs: Sequence[tuple[str, str]], window: str,
           fin: Finance, note: str = "") -> MoneyFigure:
    """A figure of the set ``fin`` with its band (None: no band) and "how computed" record."""
    lo, hi = band if band is not None else (None, None)
    return MoneyFigure(key, label, kind, float(value), lo, hi, unit, formula, tuple(inputs),
                       window, fin.set_id, note, unit_costs=unit_costs_of(key, fin))


def withheld(key: str, label: str, kind: str, unit: str, formula: str, window: str,
             fin: Finance, reason: str) -> MoneyFigure:
    """A figure that cannot be computed: no value, band or inputs, the reason as its note."""
    return MoneyFigure(key, label, kind, float("nan"), None, None, unit, formula, (), window,
                       fin.set_id, reason, unit_costs=unit_costs_of(key, fin))



def withhold(fig: MoneyFigure, reason: str) -> MoneyFigure:
    """The figure with its value, band and inputs withheld, and the reason as its note."""
    return replace(fig, value=float("nan"), low=None, high=None, inputs=(), note=reason)



# --- what each figure is computed from ------------------------------------------------------

#: The raw tables each money figure cannot do without, by key (a key names the figure or, for
#: the per-segment ones, the start of it: ``clv:Mass``, ``nps_point_value_Mass``). With one of
#: them empty the figure is not loaded: no value, no band, the load hint as its note.
NEEDS: dict[str, tuple[str, ...]] = {
    "clv": (TRANSACTIONS,),
    "value_d_to_pa": (SURVEYS, TRANSACTIONS),
    "value_pa_to_p": (SURVEYS, TRANSACTIONS),
    "revenue_at_risk": (SURVEYS, TRANSACTIONS),
    "nps_point_value": (SURVEYS, TRANSACTIONS),
    "complaint_cost_observed": (COMPLAINTS,),
    "complaint_churn_cost": (COMPLAINTS, TRANSACTIONS),
    "savings_baseline": (CONTACTS,),
    "programme_savings": (CONTACTS,),
    "sim_revenue_retained": (TRANSACTIONS,),
    "sim_cost_saved": (TRANSACTIONS,),
    "sim_profit_impact": (TRANSACTIONS,),
}
#: Figures that price cost to serve (contacts at their unit costs, complaints handled and
#: compensated) into a lifetime: without one of those tables they leave that part out and say so.
COST_TO_SERVE_USERS = ("clv", "value_d_to_pa", "value_pa_to_p", "nps_point_value",
                       "sim_revenue_retained", "sim_cost_saved", "sim_profit_impact")
CONTACT_COSTS, COMPLAINT_COSTS = "contact costs", "complaint costs"
_COST_PARTS = ((CONTACTS, CONTACT_COSTS), (COMPLAINTS, COMPLAINT_COSTS))
#: Figures that price contacts at the set's cost per contact: they name those unit costs and
#: whether they are the booked ones (``MoneyFigure.unit_costs``).
UNIT_COST_USERS = (*COST_TO_SERVE_USERS, "savings_baseline", "programme_savings")


def unit_costs_of(key: str, fin: Finance) -> UnitCosts | None:
    """The unit costs the figure ``key`` names: the set's, for a figure that prices contacts."""
    return fin.unit_costs if _family(key, UNIT_COST_USERS) else None


def _family(key: str, names) -> str | None:
    """The name of ``names`` that ``key`` is or starts (the longest), else None."""
    hits = [n for n in names if key == n or key.startswith((f"{n}:", f"{n}_"))]
    return max(hits, key=len) if hits else None


def needs(key: str) -> tuple[str, ...]:
    """The raw tables the figure ``key`` is computed from (``NEEDS``)."""
    family = _family(key, NEEDS)
    return NEEDS[family] if family else ()


def cost_gap(coverage: Coverage) -> str:
    """'' when cost to serve is complete; else what a lifetime figure leaves out:
    'without cost to serve' (no contacts and no complaints), 'without contact costs' or
    'without complaint costs'."""
    gone = [what for table, what in _COST_PARTS if not coverage.loaded(table)]
    if len(gone) == len(_COST_PARTS):
        return _("without cost to serve")
    if not gone:
        return ""
    return _("without contact costs") if gone[0] == CONTACT_COSTS else _("without complaint costs")


def with_coverage(fig: MoneyFigure, coverage: Coverage) -> MoneyFigure:
    """The figure as the coverage allows: not loaded (no value, band or inputs; the load hint
    as its note) when a table it needs holds no rows; labelled "(without cost to serve)" and
    noted when it prices cost to serve and the contacts or complaints are not loaded."""
    gone = coverage.missing(needs(fig.key))
    if gone:
        return replace(fig, value=float("nan"), low=None, high=None, inputs=(),
                       note=cov.sentence(gone), missing=gone)
    gap = cost_gap(coverage)
    if gap and _family(fig.key, COST_TO_SERVE_USERS) and not fig.label.endswith(f"({gap})"):
        absent = coverage.missing(table for table, _ in _COST_PARTS)
        note = _("Computed {gap}: {message}.", gap=gap, message=cov.message(absent))
        return replace(fig, label=_("{title} ({gap})", title=fig.label, gap=gap),
                       note=fig.note if fig.note.startswith(note) else f"{note} {fig.note}".strip())
    return fig
