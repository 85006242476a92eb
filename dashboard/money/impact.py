"""The week's headline ranked by business impact: what each KPI move costs or brings a week.

Every KPI change of the Weekly KPIs report (``metrics.kpis.KpiReport``) is priced in money a
week with the money model's own inputs, never a new unit cost:

* **Cost to serve**: the change in contact cost per active customer × the customers active at
  the week's start (the tile's own n): the contact cost a week more or less, at the booked unit
  costs the tile uses.
* **Complaint rate**: the change in complaints per 1,000 customers × the active customers / 1,000
  = complaints a week more or less at this week's base, × the assumption set's cost of handling
  one complaint (``complaint_handling_cost``, in force in the week).
* **Churn rate (4 weeks)**: the change in the 4-week churn share × its base = customers lost more
  or fewer over the 4 weeks, × their revenue a week (the money model's revenue per
  customer-year of the selected customers over the trailing year, ``churn_value.
  segment_estimates``, / 52): the revenue a week that leaves or stays with them, the weekly form
  of revenue at risk.
* **NPS**: the change in points × the value model's profit of one NPS point over one year
  (``simulate.nps_point_value`` with a one-year horizon, P50) / 52.
* **Revenue**: the change itself, already money a week.
* CSAT and CES have no money model: their moves are named without money.

Money is signed as the business feels it (positive: a gain or a saving; negative: a cost or a
loss). Significance is the report's own (Benjamini–Hochberg after correction, both weeks with a
usable base). The significant moves are ranked by the size of their money (moves without money
after them) and the top ones named with their money; the largest moves within noise follow.
With nothing significant the headline says so and still names the largest move and its money.

One function, ``build``, makes the headline the Weekly KPIs page, ``python -m dashboard kpis``
and the board pack's summary slide all show. Every sentence is a whole template with named
placeholders (``TEMPLATES``), so a translation replaces templates, never fragments.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.metrics.kpis import KpiReport, Tile
from dashboard.metrics.registry import format_delta, format_value
from dashboard.money.assumptions import AssumptionSet
from dashboard.money.figures import WEEKS_PER_YEAR, needs
from dashboard.money.inputs import ALL, Fetch, money_text
from dashboard.warehouse.coverage import Coverage

#: How many significant moves the headline names, and how many moves within noise follow them.
TOP_MOVES = 3
TOP_NOISE = 2

#: Every sentence of the headline, whole, with named placeholders. Keys of a significant move:
#: (metric name, "up" | "down"); ``None`` as the name is the fallback of a metric without one.
TEMPLATES: dict[Any, str] = {
    ("cost_to_serve", "up"): "Cost to serve rose from {before} to {after} a customer: about "
                             "{money} a week more in contact costs",
    ("cost_to_serve", "down"): "Cost to serve fell from {before} to {after} a customer: about "
                               "{money} a week less in contact costs",
    ("complaint_rate", "up"): "Complaints rose ×{ratio}, from {before} to {after} per 1,000 "
                              "customers: about {money} a week more in handling",
    ("complaint_rate", "down"): "Complaints fell from {before} to {after} per 1,000 customers: "
                                "about {money} a week less in handling",
    ("churn_rate_4w", "up"): "Churn (4 weeks) rose from {before} to {after}: about {money} a "
                             "week of revenue lost",
    ("churn_rate_4w", "down"): "Churn (4 weeks) fell from {before} to {after}: about {money} a "
                               "week of revenue kept",
    ("nps", "up"): "NPS rose {change} to {after}: worth about {money} a week in profit",
    ("nps", "down"): "NPS fell {change} to {after}: about {money} a week of profit at risk",
    ("revenue", "up"): "Revenue rose by {money} to {after} a week",
    ("revenue", "down"): "Revenue fell by {money} to {after} a week",
    ("csat", "up"): "CSAT rose {change} to {after}",
    ("csat", "down"): "CSAT fell {change} to {after}",
    ("ces", "up"): "CES rose {change} to {after}",
    ("ces", "down"): "CES fell {change} to {after}",
    (None, "up"): "{kpi} rose {change} to {after}",
    (None, "down"): "{kpi} fell {change} to {after}",
    # a move within noise, with and without money
    "noise_money": "{kpi} {signed_change} (about {money} a week)",
    "noise": "{kpi} {signed_change}",
    ("noise", "revenue"): "{kpi} {signed_change} on the week",
    # the whole headline
    "moved": "{moves}.",
    "more": "{count} more KPIs moved beyond noise.",
    "within_noise": "Within noise: {moves}.",
    "nothing": "Nothing moved beyond noise in {week} against {compare_week} ({compare_label}) "
               "after correction. The largest move: {move}.",
    "untested": "No KPI had a large enough base in both {week} and {compare_week} to judge a "
                "change.",
    # the Weekly KPIs page's one money line
    "money_line": "The week's moves: {moves} a week · {context} · set {set_id}, {unit_costs}.",
    "money_line_none": "The week's moves: none beyond noise · {context} · set {set_id}, "
                       "{unit_costs}.",
    "money_move": "{kpi} {money}",
    "money_rar": "revenue at risk {money} a year",
    "money_savings": "savings {money} a year against baseline",
}
#: Joins a list of clauses (a translation may replace it with its own list separator).
SEPARATOR = "; "

#: What the money of each metric is, in words ("how computed").
FORMULAS = {
    "cost_to_serve": "change in cost per active customer × customers active at the week's "
                     "start (booked unit costs, as the tile)",
    "complaint_rate": "change in complaints per 1,000 customers × customers active at the "
                      "week's start / 1,000 × the set's cost of handling one complaint",
    "churn_rate_4w": "change in the 4-week churn share × its base × revenue per customer-year "
                     "of the selected customers (trailing 52 weeks) / 52",
    "nps": "change in NPS points × the value model's profit of +1 NPS point over one year "
           "(P50) / 52",
    "revenue": "the change in the week's revenue",
}


@dataclass(frozen=True)
class Move:
    """One KPI's change and what it is worth a week (``money``: positive a gain or saving,
    negative a cost or loss; None when the metric has no money model or its inputs are
    missing)."""

    tile: Tile
    money: float | None
    inputs: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.tile.metric.name

    @property
    def significant(self) -> bool:
        return bool(self.tile.significant)

    @property
    def size(self) -> float:
        """The size of the money, for ranking (−1 without money: after every priced move)."""
        return -1.0 if self.money is None or not math.isfinite(self.money) else abs(self.money)


@dataclass(frozen=True)
class Impact:
    """The week's moves ranked by money, and the headline and money line made from them."""

    filters: Filters
    symbol: str
    set_id: str
    moves: tuple[Move, ...]  # significant first, each group by the size of its money
    headline: str

    @property
    def significant(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.significant)

    def money_line(self, head) -> str:
        """One line: the money a week of each significant move (as the headline prices them),
        then the money headline's yearly figures (``money.headline.MoneyHeadline``), the
        assumption set and which unit costs it uses."""
        context = " · ".join(
            TEMPLATES[key].format(money=money_text(f.value, self.symbol))
            for key, f in (("money_rar", head.revenue_at_risk), ("money_savings", head.savings))
            if f.status == "ok")
        costs = head.savings.unit_costs
        values = {"context": context or "—", "set_id": head.assumption_set,
                  "unit_costs": costs.short if costs is not None else "no unit costs"}
        priced = [m for m in self.significant if m.money is not None]
        if not priced:
            return TEMPLATES["money_line_none"].format(**values)
        moves = SEPARATOR.join(TEMPLATES["money_move"].format(
            kpi=m.tile.metric.label, money=money_text(m.money, self.symbol, signed=True))
            for m in priced)
        return TEMPLATES["money_line"].format(moves=moves, **values)

    def to_json(self) -> list[dict[str, Any]]:
        """The moves, ranked, as the CLI's JSON gives them."""
        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), 2)

        return [{"kpi": m.name, "significant": m.significant, "delta": num(m.tile.delta),
                 "money_a_week": num(m.money), "formula": FORMULAS.get(m.name),
                 "inputs": dict(m.inputs)} for m in self.moves]


# --- the money of each move ------------------------------------------------------------------


def _handling(aset: AssumptionSet, filters: Filters) -> float | None:
    v = aset.in_force(filters.week_start).get("complaint_handling_cost")
    return float(v) if isinstance(v, float | int) else None


class _Model:
    """The money model's inputs for the selection, read once and only when a move needs them."""

    def __init__(self, fetch: Fetch, filters: Filters, aset: AssumptionSet,
                 coverage: Coverage, loaded=None):
        self.fetch, self.filters, self.aset, self.coverage = fetch, filters, aset, coverage
        self._loaded = loaded

    def _load(self):
        from dashboard.money import inputs as money

        if self._loaded is None:
            self._loaded = money.load(self.fetch, self.filters, self.aset, self.coverage)
        return self._loaded

    def revenue_per_year(self) -> float | None:
        """Revenue per customer-year of the selected customers (all segments together)."""
        from dashboard.money import churn_value

        if self.coverage.missing(needs("clv")):
            return None
        seg = churn_value.segment_estimates(self._load()[0])
        row = seg[seg["segment"] == ALL]
        v = float(row["revenue_per_year"].iloc[0]) if len(row) else math.nan
        return v if math.isfinite(v) else None

    def nps_point_year(self) -> float | None:
        """The profit of +1 NPS point over one year (P50 of the value model)."""
        from dashboard.money import simulate

        if self.coverage.missing(needs("nps_point_value")):
            return None
        inputs, est = self._load()
        fig = simulate.nps_point_value(est, inputs, ALL, horizon_years=1)
        return fig.value if fig.status == "ok" else None


def _money(t: Tile, model: _Model, symbol: str) -> tuple[float | None,
                                                          tuple[tuple[str, str], ...]]:
    """What the tile's change is worth a week, and the inputs it was priced with."""
    name, d, n = t.metric.name, t.delta, t.current.n
    if d is None or not math.isfinite(d):
        return None, ()
    if name == "cost_to_serve":
        return -d * n, (("Customers active at the week's start", f"{n:,}"),)
    if name == "revenue":
        return d, ()
    if name == "complaint_rate":
        unit = _handling(model.aset, model.filters)
        if unit is None:
            return None, ()
        extra = d * n / 1000
        return -extra * unit, (("Complaints a week more (fewer)", f"{extra:,.1f}"),
                               ("Handling cost per complaint", money_text(unit, symbol)))
    try:
        if name == "churn_rate_4w":
            rev = model.revenue_per_year()
            if rev is None:
                return None, ()
            lost = d / 100 * n
            return -lost * rev / WEEKS_PER_YEAR, (
                ("Customers lost more (fewer) over the 4 weeks", f"{lost:,.1f}"),
                ("Revenue per customer-year", money_text(rev, symbol)))
        if name == "nps":
            point = model.nps_point_year()
            if point is None:
                return None, ()
            return d * point / WEEKS_PER_YEAR, (
                ("Profit of +1 NPS point over one year (P50)", money_text(point, symbol)),)
    except (KeyError, ValueError):  # an assumption the model needs is missing
        return None, ()
    return None, ()


def _rank(moves: list[Move]) -> tuple[Move, ...]:
    def key(m: Move):
        return (not m.significant, -m.size,
                m.tile.p_adjusted if m.tile.p_adjusted is not None else 1.0)
    return tuple(sorted(moves, key=key))


# --- the sentences ---------------------------------------------------------------------------


def _values(m: Move, symbol: str) -> dict[str, str]:
    t, metric = m.tile, m.tile.metric
    prev, cur = t.previous.value, t.current.value
    ratio = (f"{cur / prev:.1f}" if prev and cur is not None and prev > 0 else "—")
    return {
        "kpi": metric.label,
        "before": format_value(prev, metric.fmt, symbol),
        "after": format_value(cur, metric.fmt, symbol),
        "change": format_delta(t.delta, metric, symbol).lstrip("+−-"),
        "signed_change": format_delta(t.delta, metric, symbol),
        "money": money_text(None if m.money is None else abs(m.money), symbol),
        "ratio": ratio,
    }


def move_sentence(m: Move, symbol: str) -> str:
    """One significant move, with its money when it has one."""
    way = "up" if (m.tile.delta or 0) > 0 else "down"
    template = TEMPLATES.get((m.name, way), TEMPLATES[(None, way)])
    return template.format(**_values(m, symbol))


def noise_sentence(m: Move, symbol: str) -> str:
    """One move within noise: its change, and its money when it has one (revenue's change is
    its money already)."""
    if m.name == "revenue":
        return TEMPLATES[("noise", "revenue")].format(**_values(m, symbol))
    return TEMPLATES["noise_money" if m.money is not None else "noise"].format(
        **_values(m, symbol))


def headline(moves: tuple[Move, ...], filters: Filters, symbol: str,
             tiles: tuple[Tile, ...]) -> str:
    """The headline: the significant moves with their money, largest first, then the largest
    within noise; or that nothing moved, with the largest move and its money. KPIs whose source
    is not loaded are named as such (``kpis.not_loaded_sentence``)."""
    tail = kpis.not_loaded_sentence([(t.metric, t.missing) for t in tiles])
    judged = [m for m in moves if m.tile.p_adjusted is not None
              and "low_base" not in (m.tile.current.status, m.tile.previous.status)]
    sig = [m for m in judged if m.significant]
    noise = [m for m in judged if not m.significant]
    noise.sort(key=lambda m: (-m.size, m.tile.p_adjusted))
    week = {"week": filters.week, "compare_week": filters.compare_week,
            "compare_label": filters.compare_label}
    if not judged:
        parts = [TEMPLATES["untested"].format(**week)]
    elif not sig:
        parts = [TEMPLATES["nothing"].format(**week, move=noise_sentence(noise[0], symbol))]
    else:
        parts = [TEMPLATES["moved"].format(moves=SEPARATOR.join(
            move_sentence(m, symbol) for m in sig[:TOP_MOVES]))]
        if len(sig) > TOP_MOVES:
            parts.append(TEMPLATES["more"].format(count=len(sig) - TOP_MOVES))
        if noise:
            parts.append(TEMPLATES["within_noise"].format(moves=SEPARATOR.join(
                noise_sentence(m, symbol) for m in noise[:TOP_NOISE])))
    return " ".join([*parts, tail]).strip()


def build(fetch: Fetch, report: KpiReport, aset: AssumptionSet, loaded=None) -> Impact:
    """Price every KPI move of ``report`` with the money model and the assumption set ``aset``,
    rank them and write the headline (the one the page, the CLI and the pack show).
    ``loaded``: the money model's inputs and estimates when already read (``inputs.load``)."""
    f, sym = report.filters, report.currency_symbol
    model = _Model(fetch, f, aset, report.coverage, loaded)
    moves = []
    for t in report.tiles:
        if t.not_loaded or t.delta is None:
            continue
        money, inputs = _money(t, model, sym)
        moves.append(Move(t, money, inputs))
    ranked = _rank(moves)
    return Impact(f, sym, aset.described(f.week_start), ranked,
                  headline(ranked, f, sym, report.tiles))
