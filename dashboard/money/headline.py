"""The executive money headline (Weekly KPIs page and ``python -m dashboard money``).

Three figures, each with its band and the assumption set behind it: revenue at risk (modelled,
P10–P90), cost-to-serve savings against the baseline (observed, annual run-rate with a 95%
interval) and the value of one NPS point in each segment (modelled, P10–P90, over the set's
horizon). The same code serves the page and the CLI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashboard import i18n
from dashboard.metrics import dimensions
from dashboard.metrics.filters import Filters
from dashboard.money import churn_value, savings, simulate, value
from dashboard.money import inputs as money
from dashboard.money.assumptions import AssumptionSet
from dashboard.money.figures import finance, needs, with_coverage, withheld, withhold
from dashboard.money.inputs import ALL, Fetch, MoneyFigure
from dashboard.warehouse.coverage import Coverage


@dataclass(frozen=True)
class MoneyHeadline:
    """The headline figures for one selection and assumption set."""

    filters: Filters
    assumption_set: str
    symbol: str
    window: str
    revenue_at_risk: MoneyFigure
    savings: MoneyFigure
    nps_point: dict[str, MoneyFigure]  # by segment
    withheld: str = ""

    @property
    def figures(self) -> tuple[MoneyFigure, ...]:
        """Every figure in display order."""
        return (self.revenue_at_risk, self.savings, *self.nps_point.values())

    def sentence(self) -> str:
        """One plain line for the page: the three figures with their bands."""
        if self.withheld:
            return self.withheld
        sym = self.symbol
        pts = i18n._("; ").join(
            i18n._("{segment} {money}", segment=seg, money=money.money_text(f.value, sym))
            for seg, f in self.nps_point.items() if _finite(f.value))
        return i18n._("Revenue at risk {revenue_at_risk} a year · savings against baseline "
                      "{savings} a year · one NPS point is worth (P50) {points} · assumption "
                      "set {set_id}.",
                      revenue_at_risk=money.band_text(self.revenue_at_risk, sym),
                      savings=money.band_text(self.savings, sym),
                      points=pts or i18n._("n/a"), set_id=self.assumption_set)

    def to_json(self) -> dict[str, Any]:
        """The headline as a JSON document (numbers, bands, kinds, set id, how computed)."""

        def fig(f: MoneyFigure) -> dict[str, Any]:
            def num(x: float | None) -> float | None:
                return None if x is None or not _finite(x) else round(float(x), 2)

            return {"label": f.label, "kind": f.kind, "value": num(f.value), "low": num(f.low),
                    "high": num(f.high), "band": f.band_label, "unit": f.unit,
                    "assumption_set": f.assumption_set, "status": f.status,
                    "message": f.not_loaded, "how_computed": f.how_computed()}

        return {
            "week": self.filters.week,
            "filters": self.filters.as_dict(),
            "assumption_set": self.assumption_set,
            "window": self.window,
            "revenue_at_risk": fig(self.revenue_at_risk),
            "savings_vs_baseline": fig(self.savings),
            "nps_point_value": {seg: fig(f) for seg, f in self.nps_point.items()},
            "withheld": self.withheld or None,
        }


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def build(fetch: Fetch, filters: Filters, aset: AssumptionSet,
          coverage: Coverage | None = None, loaded=None) -> MoneyHeadline:
    """Compute the headline from the same functions as CX in money and the simulator. A
    figure whose source table holds no rows is not loaded (``figures.with_coverage``); the
    value of an NPS point is then one not-loaded figure for every segment. ``loaded``: the
    inputs and estimates when already read (``inputs.load``)."""
    inputs, est = loaded or money.load(fetch, filters, aset, coverage)
    coverage = inputs.coverage
    fin = finance(inputs)
    window = inputs.window_text
    rar, _, _ = churn_value.revenue_at_risk(est, fin, window)
    saved, _ = savings.baseline_savings(fetch, filters, money.contact_cost_per_channel(inputs),
                                        fin)
    segments = sorted(str(s) for s in est["segment"].unique() if s != ALL)
    if not dimensions.load(fetch).splits("segment"):
        segments = [ALL]  # one segment: one figure for the customers as a whole
    short = value.window_shortfall(fetch, inputs)
    points: dict[str, MoneyFigure] = {}
    if coverage.missing(needs("nps_point_value")):
        points = {ALL: withheld(f"nps_point_value_{ALL}", i18n._("Value of +1 NPS point"),
                                "modelled", f"present value over "
                                f"{simulate.years(fin.horizon or 1)}",
                                "profit impact of NPS +1", window, fin, "")}
    elif short:
        rar = withhold(rar, short)
    else:
        points = {seg: simulate.nps_point_value(est, inputs, seg) for seg in segments}
    rar, saved = (with_coverage(f, coverage) for f in (rar, saved))
    points = {seg: with_coverage(f, coverage) for seg, f in points.items()}
    return MoneyHeadline(filters, inputs.assumption_set, inputs.symbol, window, rar, saved,
                         points, short)
