"""The metric registry: the single source for tiles, the CLI, exports and the README glossary.

Each metric turns one week's aggregated inputs (``WeekInputs``) into an ``Estimate`` and tests
two weeks against each other. Each ``Metric.definition`` is the definition the tiles, the CLI
and the README's metric table state (a test keeps that table identical), on the shared rules:
periods are ISO weeks, Monday to Sunday, UTC; a customer is active on day t when
``signup_date <= t`` and ``churn_date`` is null or later than t (a churn date is the first day
the customer is gone); intervals and tests are those of ``metrics.stats``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard.i18n import N_, _
from dashboard.i18n import currency as cur
from dashboard.metrics import display, stats
from dashboard.metrics.stats import Estimate
from dashboard.warehouse.coverage import COMPLAINTS, CONTACTS, CUSTOMERS, SURVEYS, TRANSACTIONS

WeekInputs = Mapping[str, float]


@dataclass(frozen=True)
class Metric:
    """One KPI: how it is labelled, defined, formatted, judged and computed."""

    name: str
    label: str
    definition: str
    unit: str
    fmt: str
    higher_is_better: bool
    kind: str  # "survey" (sampled scores) or "operations" (counts over the customer base)
    estimate: Callable[[WeekInputs], Estimate]
    test: Callable[[WeekInputs, WeekInputs], float]
    delta_unit: str
    #: the raw tables the metric is computed from: with any of them empty it is "not loaded"
    tables: tuple[str, ...] = ()

    def __getattribute__(self, attr: str):
        """The label, definition and units read in the language of the run (``_``): they are
        written once below in English, marked with ``N_``, and translated where read, so a tile,
        a table or an export shows them in the reader's language; English reads as written."""
        value = object.__getattribute__(self, attr)
        if attr in _TRANSLATED and value:
            return _(value)
        return value

    @property
    def target_key(self) -> str:
        """The assumption key holding this metric's target."""
        return f"target_{self.name}"


#: The fields of a metric shown to a person (translated when read).
_TRANSLATED = frozenset({"label", "definition", "unit", "delta_unit"})


def _nps_counts(w: WeekInputs) -> tuple[int, int, int]:
    return int(w["nps_promoters"]), int(w["nps_passives"]), int(w["nps_detractors"])


def _est_nps(w: WeekInputs) -> Estimate:
    return stats.nps(*_nps_counts(w))


def _est_csat(w: WeekInputs) -> Estimate:
    n = int(w["csat_n"])
    detail = {"mean": w["csat_sum"] / n} if n else {}
    return stats.share(int(w["csat_top2"]), n, detail)


def _est_ces(w: WeekInputs) -> Estimate:
    n = int(w["ces_n"])
    detail = {"share_easy_pct": 100 * w["ces_top3"] / n} if n else {}
    return stats.mean(w["ces_sum"], w["ces_sq"], n, detail)


def _est_complaints(w: WeekInputs) -> Estimate:
    return stats.rate(int(w["complaints"]), int(w["active_at_start"]), per=1000)


def _est_churn(w: WeekInputs) -> Estimate:
    return stats.share(int(w["churn4_count"]), int(w["churn4_base"]))


def _est_cost(w: WeekInputs) -> Estimate:
    """Cost per active customer; customers as clusters. With Σx² of the customers' weekly
    contact costs, the pooled variance n / (n − 1) × (Σx² − (Σx)² / n) over the n active
    customers (their mix of cells is drawn with them); inputs assembled by hand without Σx²
    take the sum of the cells' variances."""
    base = int(w["active_at_start"])
    if base == 0:
        return stats.withheld(0)
    var = w["contact_cost_var"]
    sq = w.get("contact_cost_sq", math.nan)
    if not math.isnan(sq) and base > 1:
        var = max(base / (base - 1) * (sq - w["contact_cost"] ** 2 / base), 0.0)
    return stats.normal(
        w["contact_cost"] / base,
        var / base**2,
        base,
        {"contact_cost": w["contact_cost"], "contacts": w["contacts"]},
    )


def _est_revenue(w: WeekInputs) -> Estimate:
    return stats.normal(w["revenue"], w["revenue_sq"], int(w["transactions"]))


def _revenue_sample(w: WeekInputs) -> tuple[float, float, int]:
    """(Σx, Σx², n) over the customers active at the week's start, x a customer's net revenue
    in the week (0 without a transaction)."""
    return (w.get("active_revenue", math.nan), w.get("active_revenue_sq", math.nan),
            int(w["active_at_start"]))


def _est_revenue_per_customer(w: WeekInputs) -> Estimate:
    total, total_sq, n = _revenue_sample(w)
    if math.isnan(total) or math.isnan(total_sq):
        return stats.withheld(n)
    return stats.mean(total, total_sq, n, {"revenue": total})


def _normal_test(
    est: Callable[[WeekInputs], Estimate],
) -> Callable[[WeekInputs, WeekInputs], float]:
    return lambda a, b: stats.normal_test(est(a), est(b))


METRICS: tuple[Metric, ...] = (
    Metric(
        "nps", N_("NPS"),
        N_("100 × (promoters − detractors) / responses to the NPS survey in the week; "
           "promoter 9–10, detractor 0–6. 95% interval: adjusted-Wald."),
        N_("points"), "score", True, "survey", _est_nps,
        lambda a, b: stats.nps_test(_nps_counts(a), _nps_counts(b)), N_("points"),
        tables=(SURVEYS,),
    ),
    Metric(
        "csat", N_("CSAT"),
        N_("100 × share of CSAT responses in the week with score ≥ scale max − 1 (top-2-box); "
           "the mean score is shown beside it. 95% interval: Wilson."),
        N_("%"), "pct1", True, "survey", _est_csat,
        lambda a, b: stats.share_test(
            int(a["csat_top2"]), int(a["csat_n"]), int(b["csat_top2"]), int(b["csat_n"])
        ),
        N_("pp"), tables=(SURVEYS,),
    ),
    Metric(
        "ces", N_("CES"),
        N_("Mean score of CES responses in the week (1–7, higher is easier); the share 5–7 is "
           "shown beside it. 95% interval: t."),
        N_("score (1–7)"), "mean2", True, "survey", _est_ces,
        lambda a, b: stats.mean_test(
            (a["ces_sum"], a["ces_sq"], int(a["ces_n"])),
            (b["ces_sum"], b["ces_sq"], int(b["ces_n"])),
        ),
        "", tables=(SURVEYS,),
    ),
    Metric(
        "complaint_rate", N_("Complaint rate"),
        N_("1000 × complaints opened in the week / customers active at the start of the week. "
           "95% interval: exact Poisson."),
        N_("per 1,000 customers"), "rate2", False, "operations", _est_complaints,
        lambda a, b: stats.rate_test(
            int(a["complaints"]), int(a["active_at_start"]),
            int(b["complaints"]), int(b["active_at_start"]),
        ),
        "", tables=(CUSTOMERS, COMPLAINTS),
    ),
    Metric(
        "churn_rate_4w", N_("Churn rate (4 weeks)"),
        N_("100 × customers active at the start of the 4 weeks ending with the week and not "
           "active at their end (churn date after that Monday, on or before the Monday after the "
           "week) / customers active at that start. 95% interval: Wilson."),
        N_("%"), "pct2", False, "operations", _est_churn,
        lambda a, b: stats.share_test(
            int(a["churn4_count"]), int(a["churn4_base"]),
            int(b["churn4_count"]), int(b["churn4_base"]),
        ),
        N_("pp"), tables=(CUSTOMERS,),
    ),
    Metric(
        "cost_to_serve", N_("Cost to serve"),
        N_("Σ over contacts in the week of the cost per contact of its channel (the booked unit "
           "costs: the assumptions loaded with the data, in force that week) / customers active "
           "at the start of the week. 95% interval: customers as clusters (overdispersion "
           "kept)."),
        N_("currency per customer"), "money2", False, "operations", _est_cost,
        _normal_test(_est_cost), "", tables=(CUSTOMERS, CONTACTS),
    ),
    Metric(
        "revenue", N_("Revenue"),
        N_("Σ transaction amounts in the week (refunds negative). 95% interval: compound "
           "Poisson."),
        N_("currency"), "money0k", True, "operations", _est_revenue,
        _normal_test(_est_revenue), "", tables=(TRANSACTIONS,),
    ),
)

REGISTRY: dict[str, Metric] = {m.name: m for m in METRICS}

#: Revenue compared between groups of different sizes: the mean over the group's customers,
#: each customer one observation, so groups compare like with like (the total above grows with
#: the group). Not a Weekly KPIs tile: the Segment comparison tests it, with the total beside
#: it as context.
REVENUE_PER_CUSTOMER = Metric(
    "revenue_per_customer", N_("Revenue per customer"),
    N_("Σ net revenue in the week (refunds negative) of the customers active at its start / "
       "those customers, i.e. revenue per active customer-week; a customer without a "
       "transaction counts 0. 95% interval: t, each customer one observation."),
    N_("currency per customer"), "money2", True, "operations", _est_revenue_per_customer,
    lambda a, b: stats.mean_test(_revenue_sample(a), _revenue_sample(b)), "",
    tables=(CUSTOMERS, TRANSACTIONS),
)


# --- from query results to one week's inputs ---

_SURVEY_COLUMNS = ("response_count", "promoter_count", "passive_count", "detractor_count",
                   "top2_count", "top3_count", "score_sum", "score_sq_sum")


def all_week_inputs(survey: pd.DataFrame, ops: pd.DataFrame) -> dict[date, dict[str, float]]:
    """The aggregated inputs of every week present in ``ops``, computed in one pass.

    ``survey`` is the result of ``kpi_survey_weekly`` and ``ops`` of ``kpi_ops_weekly``. The 4-week
    churn inputs are the window's churners counted in the mart (``churned_4w_count``: active at the
    window's first Monday, gone by the Monday after the week) over the base at that first Monday;
    they need the 3 weeks before a week in ``ops``; without them they are 0 (withheld).
    """
    if ops.empty:
        return {}
    o = ops.assign(week=pd.to_datetime(ops["week_start"]).dt.date).set_index("week").sort_index()
    weeks = list(o.index)
    churned4 = o["churned_4w_count"].astype(float)
    active = o["active_at_start"].astype(float)
    if survey.empty:
        wide = pd.DataFrame()
    else:
        s = survey.assign(week=pd.to_datetime(survey["week_start"]).dt.date)
        wide = s.pivot_table(index="week", columns="survey", values=list(_SURVEY_COLUMNS),
                             aggfunc="sum", fill_value=0)

    def col(metric: str, survey_name: str) -> pd.Series:
        if (metric, survey_name) in wide.columns:
            return wide[(metric, survey_name)].reindex(weeks, fill_value=0).astype(float)
        return pd.Series(0.0, index=weeks)

    frame = pd.DataFrame({
        "active_at_start": active,
        "complaints": o["complaint_count"].astype(float),
        "contacts": o["contact_count"].astype(float),
        "contact_cost": o["contact_cost"].astype(float),
        "contact_cost_var": o["contact_cost_var"].astype(float),
        "contact_cost_sq": (o["contact_cost_sq_sum"].astype(float)
                            if "contact_cost_sq_sum" in o.columns else math.nan),
        "revenue": o["revenue_amount"].astype(float),
        "revenue_sq": o["revenue_sq_sum"].astype(float),
        "transactions": o["transaction_count"].astype(float),
        # the active customers' own revenue and Σx² (grouped comparisons only)
        "active_revenue": (o["active_revenue_amount"].astype(float)
                           if "active_revenue_amount" in o.columns else math.nan),
        "active_revenue_sq": (o["active_revenue_sq_sum"].astype(float)
                              if "active_revenue_sq_sum" in o.columns else math.nan),
    }, index=weeks)
    for name in ("nps", "csat", "ces"):
        frame[f"{name}_n"] = col("response_count", name)
        frame[f"{name}_sum"] = col("score_sum", name)
        frame[f"{name}_sq"] = col("score_sq_sum", name)
    frame["nps_promoters"] = col("promoter_count", "nps")
    frame["nps_passives"] = col("passive_count", "nps")
    frame["nps_detractors"] = col("detractor_count", "nps")
    frame["csat_top2"] = col("top2_count", "csat")
    frame["ces_top3"] = col("top3_count", "ces")
    present = set(weeks)
    out: dict[date, dict[str, float]] = {}
    for wk, row in zip(weeks, frame.to_dict("records"), strict=True):
        window = [wk - timedelta(weeks=k) for k in range(4)]
        if all(d in present for d in window):
            row["churn4_count"] = float(churned4[wk])
            row["churn4_base"] = float(active[window[-1]])
        else:
            row["churn4_count"] = row["churn4_base"] = 0.0
        out[wk] = row
    return out


def week_inputs(
    survey: pd.DataFrame, ops: pd.DataFrame, week_start: date
) -> dict[str, float] | None:
    """The aggregated inputs of one week, or None when the week has no operational row."""
    return all_week_inputs(survey, ops).get(week_start)


# --- formatting (named formats, used by tiles, CLI text and exports) ---


def format_value(value: float | None, fmt: str, symbol: str = "$") -> str:
    """Format a metric value by its named format ('—' when withheld), by the display rules of
    ``metrics.display``: a true minus sign, no sign on what rounds to zero."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if fmt == "score":
        return display.number(value, 1, signed=True)
    if fmt == "pct1":
        return display.percent(value, 1)
    if fmt == "pct2":
        return display.percent(value, 2)
    if fmt in ("mean2", "rate2"):
        return display.number(value, 2)
    if fmt == "money2":
        return display.money(value, symbol, 2)
    if fmt == "money0k":
        if cur.of(symbol).after:  # Persian, Toman and Rial: compact in words, unit after
            return display.money_words(value, symbol, small_digits=0)
        if abs(value) >= 10_000:
            return f"{display.sign(value / 1000, 0)}{symbol}{abs(value) / 1000:,.0f}k"
        return display.money(value, symbol, 0)
    raise ValueError(f"unknown format {fmt!r}")


def format_range(low: float | None, high: float | None, fmt: str, symbol: str = "$") -> str:
    """An interval in the metric's format: ``−4.5 – +10.9`` (thin spaces around the dash)."""
    return display.span(low, high, lambda v: format_value(v, fmt, symbol))


#: Decimals of a change by the metric's named format.
_DELTA_DIGITS = {"score": 1, "pct1": 1, "pct2": 2, "mean2": 2, "rate2": 2, "money2": 2}


def format_delta(delta: float | None, metric: Metric, symbol: str = "$") -> str:
    """A signed change in the metric's units ('+3.2 points', '−0.45 pp', '+$1.20'); a change
    that rounds to zero has no sign ('$0.00', '0.0 points')."""
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return "—"
    unit = f" {_(metric.delta_unit)}" if metric.delta_unit else ""
    if metric.fmt == "money0k" and cur.of(symbol).after:
        return display.money_words(delta, symbol, signed=True, small_digits=0) + unit
    if metric.fmt == "money0k":
        mag = format_value(abs(delta), metric.fmt, symbol)
        digits = 0
        zero = mag in (f"{symbol}0", f"{symbol}0k")
        return f"{'' if zero else display.sign(delta, digits, True)}{mag}{unit}"
    digits = _DELTA_DIGITS.get(metric.fmt, 1)
    if metric.fmt.startswith("money"):
        return display.money(delta, symbol, digits, signed=True) + unit
    return display.number(delta, digits, signed=True, unit=unit.strip())


#: The unit a compact tile prints after a value and a change whose format carries none (a
#: percentage, a currency or NPS points already say what they are).
TILE_UNITS = {"complaint_rate": "per 1,000", "ces": "of 7", "nps": "pts"}
#: The same for a change, in place of the metric's own (short: a tile is narrow). A change of
#: CES is in points of its 1–7 scale and stays without one.
TILE_DELTA_UNITS = {"complaint_rate": "per 1,000", "nps": "pts"}


def tile_unit(name: str, delta: bool = False) -> str | None:
    """``TILE_UNITS`` (``TILE_DELTA_UNITS`` for a change) in the current language."""
    units = TILE_DELTA_UNITS if delta else TILE_UNITS
    if name not in units:
        return None
    return {"per 1,000": _("per 1,000"), "of 7": _("of 7"), "pts": _("pts")}[units[name]]


def tile_value(value: float | None, metric: Metric, symbol: str = "$") -> str:
    """A value with its unit for a compact tile: ``1.95 per 1,000``, ``4.63 of 7``, ``$1.98``
    (``format_value`` and the metric's ``TILE_UNITS``; '—' when withheld)."""
    text = format_value(value, metric.fmt, symbol)
    unit = tile_unit(metric.name)
    return f"{text} {unit}" if unit and value is not None else text


def tile_delta(delta: float | None, metric: Metric, symbol: str = "$") -> str:
    """A change with its unit for a compact tile: ``+5.10 per 1,000``, ``−17.3 pts``,
    ``+$1.18`` (``format_delta``, with ``TILE_DELTA_UNITS`` in place of the metric's unit)."""
    unit = tile_unit(metric.name, delta=True)
    if delta is None or not unit:
        return format_delta(delta, metric, symbol)
    bare = Metric(**{**metric.__dict__, "delta_unit": ""})
    return f"{format_delta(delta, bare, symbol)} {unit}"
