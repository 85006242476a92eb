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

from dashboard import i18n
from dashboard.i18n import N_
from dashboard.i18n.numbers import written
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
    ("cost_to_serve", "up"): N_("Cost to serve rose from {before} to {after} a customer: about "
                             "{money} a week more in contact costs"),
    ("cost_to_serve", "down"): N_("Cost to serve fell from {before} to {after} a customer: about "
                               "{money} a week less in contact costs"),
    ("complaint_rate", "up"): N_("Complaints rose ×{ratio}, from {before} to {after} per 1,000 "
                              "customers: about {money} a week more in handling"),
    ("complaint_rate", "down"): N_("Complaints fell from {before} to {after} per 1,000 customers: "
                                "about {money} a week less in handling"),
    ("churn_rate_4w", "up"): N_("Churn (4 weeks) rose from {before} to {after}: about {money} a "
                             "week of revenue lost"),
    ("churn_rate_4w", "down"): N_("Churn (4 weeks) fell from {before} to {after}: about {money} a "
                               "week of revenue kept"),
    ("nps", "up"): N_("NPS rose {change} to {after}: worth about {money} a week in profit"),
    ("nps", "down"): N_("NPS fell {change} to {after}: about {money} a week of profit at risk"),
    ("revenue", "up"): N_("Revenue rose by {money} to {after} a week"),
    ("revenue", "down"): N_("Revenue fell by {money} to {after} a week"),
    ("csat", "up"): N_("CSAT rose {change} to {after}"),
    ("csat", "down"): N_("CSAT fell {change} to {after}"),
    ("ces", "up"): N_("CES rose {change} to {after}"),
    ("ces", "down"): N_("CES fell {change} to {after}"),
    (None, "up"): N_("{kpi} rose {change} to {after}"),
    (None, "down"): N_("{kpi} fell {change} to {after}"),
    # a move within noise, with and without money
    "noise_money": N_("{kpi} {signed_change} (about {money} a week)"),
    "noise": N_("{kpi} {signed_change}"),
    ("noise", "revenue"): N_("{kpi} {signed_change} on the week"),
    # the whole headline
    "moved": N_("{moves}."),
    "more": N_("{count} more KPIs moved beyond noise."),
    "within_noise": N_("Within noise: {moves}."),
    "nothing": N_("Nothing moved beyond noise in {week} against {compare_week} ({compare_label}) "
               "after correction. The largest move: {move}."),
    "untested": N_("No KPI had a large enough base in both {week} and {compare_week} to judge a "
                "change."),
    # the Weekly KPIs page's one money line
    "money_line": N_("The week's moves: {moves} a week · {context} · set {set_id}, {unit_costs}."),
    "money_line_none": N_("The week's moves: none beyond noise · {context} · set {set_id}, "
                       "{unit_costs}."),
    "money_move": N_("{kpi} {money}"),
    "money_rar": N_("revenue at risk {money} a year"),
    "money_savings": N_("savings {money} a year against baseline"),
}
#: Joins a list of clauses (a translation may replace it with its own list separator).
SEPARATOR = N_("; ")

#: The inputs a move was priced with, by name.
CUSTOMERS_ACTIVE = N_("Customers active at the week's start")
COMPLAINTS_MORE = N_("Complaints a week more (fewer)")
HANDLING_COST = N_("Handling cost per complaint")
CUSTOMERS_LOST = N_("Customers lost more (fewer) over the 4 weeks")
REVENUE_PER_YEAR = N_("Revenue per customer-year")
POINT_PROFIT = N_("Profit of +1 NPS point over one year (P50)")

#: What the money of each metric is, in words ("how computed").
FORMULAS = {
    "cost_to_serve": N_("change in cost per active customer × customers active at the week's "
                        "start (booked unit costs, as the tile)"),
    "complaint_rate": N_("change in complaints per 1,000 customers × customers active at the "
                         "week's start / 1,000 × the set's cost of handling one complaint"),
    "churn_rate_4w": N_("change in the 4-week churn share × its base × revenue per "
                        "customer-year of the selected customers (trailing 52 weeks) / 52"),
    "nps": N_("change in NPS points × the value model's profit of +1 NPS point over one year "
              "(P50) / 52"),
    "revenue": N_("the change in the week's revenue"),
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
        context = i18n._(" · ").join(
            text(key, money=money_text(f.value, self.symbol))
            for key, f in (("money_rar", head.revenue_at_risk), ("money_savings", head.savings))
            if f.status == "ok")
        costs = head.savings.unit_costs
        values = {"context": context or "—", "set_id": head.assumption_set,
                  "unit_costs": costs.short if costs is not None else i18n._("no unit costs")}
        priced = [m for m in self.significant if m.money is not None]
        if not priced:
            return text("money_line_none", **values)
        moves = separator().join(text(
            "money_move", kpi=i18n._(m.tile.metric.label),
            money=money_text(m.money, self.symbol, signed=True)) for m in priced)
        return text("money_line", moves=moves, **values)

    def to_json(self) -> list[dict[str, Any]]:
        """The moves, ranked, as the CLI's JSON gives them."""
        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), 2)

        return [{"kpi": m.name, "significant": m.significant, "delta": num(m.tile.delta),
                 "money_a_week": num(m.money),
                 "formula": i18n._(FORMULAS[m.name]) if m.name in FORMULAS else None,
                 "inputs": {i18n._(k): v for k, v in m.inputs}} for m in self.moves]


def text(key: Any, /, **values: str) -> str:
    """The template ``TEMPLATES[key]`` in the current language, filled."""
    return i18n._(TEMPLATES[key], **values)


def separator() -> str:
    """The list separator of the current language (``; `` in English)."""
    return i18n._(SEPARATOR)


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
        return -d * n, ((CUSTOMERS_ACTIVE, written(f"{n:,}")),)
    if name == "revenue":
        return d, ()
    if name == "complaint_rate":
        unit = _handling(model.aset, model.filters)
        if unit is None:
            return None, ()
        extra = d * n / 1000
        return -extra * unit, ((COMPLAINTS_MORE, written(f"{extra:,.1f}")),
                               (HANDLING_COST, money_text(unit, symbol)))
    try:
        if name == "churn_rate_4w":
            rev = model.revenue_per_year()
            if rev is None:
                return None, ()
            lost = d / 100 * n
            return -lost * rev / WEEKS_PER_YEAR, (
                (CUSTOMERS_LOST, written(f"{lost:,.1f}")),
                (REVENUE_PER_YEAR, money_text(rev, symbol)))
        if name == "nps":
            point = model.nps_point_year()
            if point is None:
                return None, ()
            return d * point / WEEKS_PER_YEAR, (
                (POINT_PROFIT, money_text(point, symbol)),)
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
    ratio = (written(f"{cur / prev:.1f}")
             if prev and cur is not None and prev > 0 else "—")
    return {
        "kpi": i18n._(metric.label),
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
    key = (m.name, way) if (m.name, way) in TEMPLATES else (None, way)
    return text(key, **_values(m, symbol))


def noise_sentence(m: Move, symbol: str) -> str:
    """One move within noise: its change, and its money when it has one (revenue's change is
    its money already)."""
    if m.name == "revenue":
        return text(("noise", "revenue"), **_values(m, symbol))
    return text("noise_money" if m.money is not None else "noise", **_values(m, symbol))


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
    week = {"week": filters.week_name, "compare_week": filters.compare_week_name,
            "compare_label": i18n._(filters.compare_label)}
    if not judged:
        parts = [text("untested", **week)]
    elif not sig:
        parts = [text("nothing", **week, move=noise_sentence(noise[0], symbol))]
    else:
        parts = [text("moved", moves=separator().join(
            move_sentence(m, symbol) for m in sig[:TOP_MOVES]))]
        if len(sig) > TOP_MOVES:
            parts.append(text("more", count=written(str(len(sig) - TOP_MOVES))))
        if noise:
            parts.append(text("within_noise", moves=separator().join(
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
