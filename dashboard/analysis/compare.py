"""Segment comparison: which groups do better, and is the difference real?

One function, ``build_comparison``, serves the Segment comparison page. For one dimension
(segment, region, plan or survey channel, an allowlist) and 2–4 of its groups it computes

- every KPI of the registry side by side for the selected week, each with n and its 95% interval,
  and each difference against the FIRST group tested with the registry's own test, the p-values
  corrected with Benjamini–Hochberg across the whole table (every KPI × group comparison shown);
  revenue is compared per customer (``REVENUE_PER_CUSTOMER``: the mean of the active customers'
  weekly revenue, Welch's t test), the group total shown beside it as context and never tested,
  since a total grows with the group's size;
- a ranking of every group of the dimension on one KPI, ordered by the KPI's ``higher_is_better``;
- the 13-week trend of that KPI for the selected groups;
- a one-line takeaway for each, computed from the numbers.

Channel is an attribute of events, not of customers. Only the survey scores (NPS, CSAT, CES) are
defined per channel: the channel the answer came through. The operational KPIs count customers
(active base, churners) or divide by them, so a per-channel version would be a different metric
(e.g. contact cost through phone / all customers is not the cost to serve of phone customers);
they are shown as "not applicable by channel" and never estimated.

Pure: no Streamlit, no SQL text. Data arrives through a ``fetch(name, **params)`` callable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from dashboard.i18n import N_, _, currency, ngettext
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import DIMENSIONS as CUSTOMER_DIMENSIONS
from dashboard.metrics.filters import Filters, week_label
from dashboard.metrics.kpis import not_loaded_sentence
from dashboard.metrics.registry import (
    METRICS,
    REGISTRY,
    REVENUE_PER_CUSTOMER,
    Metric,
    all_week_inputs,
    format_delta,
    format_value,
)
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.coverage import Coverage

#: The dimensions a comparison may split by: the identifier allowlist (bound as a value in SQL).
COMPARE_DIMENSIONS: tuple[str, ...] = ("segment", "region", "plan", "channel")
DIMENSION_LABELS: dict[str, str] = {
    "segment": N_("segment"), "region": N_("region"), "plan": N_("plan"),
    "channel": N_("survey channel"),
}
#: The dimensions' plurals (``plural``).
_PLURALS: dict[str, str] = {
    "segment": N_("segments"), "region": N_("regions"), "plan": N_("plans"),
    "channel": N_("survey channels"),
}
MIN_GROUPS = 2
MAX_GROUPS = 4
NOT_APPLICABLE = N_("not applicable by channel")
QUERIES = ("filter_options", "cmp_grp_survey_weekly", "cmp_grp_ops_weekly")

_OPS_COLUMNS = ("active_at_start", "churned_count", "churned_4w_count", "complaint_count",
                "contact_count", "contact_cost", "contact_cost_var", "contact_cost_sq_sum",
                "transaction_count", "revenue_amount", "revenue_sq_sum", "active_revenue_amount",
                "active_revenue_sq_sum")

#: The KPIs compared and tested, in table order: the registry's, with revenue per customer in
#: place of the revenue total (a total grows with the group's size, so it only says which group
#: is bigger).
COMPARE_METRICS: tuple[Metric, ...] = tuple(
    REVENUE_PER_CUSTOMER if m.name == "revenue" else m for m in METRICS)
COMPARE_REGISTRY: dict[str, Metric] = {m.name: m for m in COMPARE_METRICS}
#: Shown beside the tested KPIs as context, never tested nor ranked: the revenue total.
CONTEXT_METRICS: tuple[Metric, ...] = (REGISTRY["revenue"],)
CONTEXT_LABELS = {"revenue": N_("Revenue (group total)")}
CONTEXT_VERDICT = N_("context, not tested: a total grows with the group's size")
#: How many groups the page picks by default: the largest ones in the selected week.
DEFAULT_GROUPS = 3


class CompareError(ValueError):
    """A comparison selection is malformed (unknown dimension, group or KPI; wrong group count)."""


def applies(metric: Metric, dimension: str) -> bool:
    """Whether a KPI is defined per group of the dimension (only survey scores per channel)."""
    return dimension != "channel" or metric.kind == "survey"


def plural(dimension: str) -> str:
    """'regions', 'survey channels' … for takeaways (in the current language)."""
    return _(_PLURALS[dimension])


def noun(dimension: str) -> str:
    """'region', 'survey channel' … in a sentence (in the current language)."""
    return _(DIMENSION_LABELS[dimension])


@dataclass(frozen=True)
class Selection:
    """What the page-level widgets selected: a dimension, its groups (first = reference), a KPI."""

    dimension: str
    groups: tuple[str, ...]
    metric: str = "nps"

    def __post_init__(self) -> None:
        if self.dimension not in COMPARE_DIMENSIONS:
            raise CompareError(
                f"bad dimension {self.dimension!r}: choose one of {', '.join(COMPARE_DIMENSIONS)}"
            )
        if not MIN_GROUPS <= len(self.groups) <= MAX_GROUPS:
            raise CompareError(
                f"choose {MIN_GROUPS} to {MAX_GROUPS} groups to compare, not {len(self.groups)}"
            )
        if len(set(self.groups)) != len(self.groups):
            raise CompareError("each group may be chosen once")
        if self.metric not in COMPARE_REGISTRY:
            raise CompareError(f"unknown KPI {self.metric!r}: choose one of "
                               f"{', '.join(COMPARE_REGISTRY)}")

    @property
    def reference(self) -> str:
        """The first group: every difference is measured against it."""
        return self.groups[0]


def validate(selection: Selection, options: Mapping[str, tuple[str, ...]]) -> None:
    """CompareError naming the first group the warehouse does not offer for the dimension, or
    saying that the dimension has a single value (nothing to compare)."""
    dims = dimensions.Dimensions(options)
    if not dims.splits(selection.dimension):
        raise CompareError(dims.note(selection.dimension))
    allowed = set(options.get(selection.dimension, ()))
    for g in selection.groups:
        if g not in allowed:
            raise CompareError(_("unknown {dimension} {group!r}: choose from {allowed}",
                                 dimension=noun(selection.dimension), group=g,
                                 allowed=display.commas(sorted(allowed))))


def load_options(fetch: Fetch) -> dict[str, tuple[str, ...]]:
    """The groups each comparison dimension offers, from the warehouse (the value allowlist)."""
    options = dimensions.load_options(fetch)
    return {dim: options[dim] for dim in COMPARE_DIMENSIONS}


def dimension_choices(options: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The dimensions a comparison may use: those with two groups or more."""
    return dimensions.Dimensions(options).splittable(COMPARE_DIMENSIONS)


@dataclass(frozen=True)
class Cell:
    """One KPI for one group; the difference is against the reference (first) group."""

    metric: Metric
    group: str
    estimate: Estimate | None  # None: the KPI is not defined for this dimension
    delta: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool = False
    context: bool = False  # shown beside the tested KPIs, never tested (the revenue total)

    @property
    def applicable(self) -> bool:
        """False when the KPI is not defined per group of the dimension (channel)."""
        return self.estimate is not None

    @property
    def better(self) -> bool | None:
        """Whether the group beats the reference on this KPI (None without a difference)."""
        if self.delta is None or self.delta == 0:
            return None
        return (self.delta > 0) == self.metric.higher_is_better


@dataclass(frozen=True)
class CompareReport:
    """Everything the Segment comparison page shows."""

    filters: Filters
    selection: Selection
    cells: tuple[Cell, ...]  # metric-major, groups in selection order
    tested: int
    table_takeaway: str
    ranking: pd.DataFrame  # group, value, n, ci_low, ci_high, status, rank
    ranking_takeaway: str
    trend: pd.DataFrame  # group, week_start, week, value, ci_low, ci_high, n, status
    trend_takeaway: str
    scope: str
    money_note: str
    currency_symbol: str
    queries: tuple[str, ...] = field(default=QUERIES)

    @property
    def metric(self) -> Metric:
        """The KPI of the ranking and the trend."""
        return COMPARE_REGISTRY[self.selection.metric]

    @property
    def metric_applies(self) -> bool:
        """Whether the ranking/trend KPI is defined for the dimension."""
        return applies(self.metric, self.selection.dimension)

    @property
    def ranking_title(self) -> str:
        """Title of the ranking chart."""
        values = {"metric": self.metric.label, "dimension": noun(self.selection.dimension),
                  "week": self.filters.week}
        if self.metric.higher_is_better:
            return _("{metric} by {dimension}, {week} (highest first)", **values)
        return _("{metric} by {dimension}, {week} (lowest first)", **values)

    @property
    def trend_title(self) -> str:
        """Title of the trend chart."""
        return _("{metric} — {weeks} weeks to {week}", metric=self.metric.label,
                 weeks=display.number(config.TREND_WEEKS, 0), week=self.filters.week_name)

    def cell(self, metric: str, group: str) -> Cell:
        """The cell of one KPI and group."""
        return next(c for c in self.cells if c.metric.name == metric and c.group == group)

    def cells_frame(self) -> pd.DataFrame:
        """The side-by-side table as numbers, one row per KPI × group (tests, exports)."""
        rows = []
        for c in self.cells:
            e = c.estimate
            rows.append({
                "metric": c.metric.name, "group": c.group, "applicable": c.applicable,
                "value": None if e is None else e.value, "n": None if e is None else e.n,
                "ci_low": None if e is None else e.ci_low,
                "ci_high": None if e is None else e.ci_high,
                "status": NOT_APPLICABLE if e is None else e.status,
                "delta": c.delta, "p_value": c.p_value, "p_adjusted": c.p_adjusted,
                "significant": c.significant, "context": c.context,
            })
        return pd.DataFrame(rows)

    def side_by_side(self) -> pd.DataFrame:
        """The side-by-side table as display text: a row per KPI, value / n / CI per group."""
        sym, groups, ref = self.currency_symbol, self.selection.groups, self.selection.reference
        rows = []
        for m in table_rows():
            context = m.name in CONTEXT_LABELS
            row: dict[str, str] = {_("KPI"): _(CONTEXT_LABELS.get(m.name, m.label))}
            for g in groups:
                c = self.cell(m.name, g)
                row[g] = value_text(c.estimate, m, sym)
                row[_("{group} n", group=g)] = ("" if c.estimate is None
                                                else display.number(c.estimate.n, 0))
                row[_("{group} 95% CI", group=g)] = interval_text(c.estimate, m, sym)
                if g != ref:
                    row[_("{group} vs {reference}", group=g, reference=ref)] = (
                        context_text(c) if context
                        else verdict_text(c, self.cell(m.name, ref), sym))
            rows.append(row)
        return pd.DataFrame(rows)

    def ranking_table(self) -> pd.DataFrame:
        """The ranking as display text: rank, group, value, n, interval, base."""
        m, sym = self.metric, self.currency_symbol
        out = pd.DataFrame({
            _("Rank"): [("" if pd.isna(r) else display.number(int(r), 0))
                        for r in self.ranking["rank"]],
            _(_HEADINGS[self.selection.dimension]): self.ranking["group"],
            m.label: [format_value(None if pd.isna(v) else float(v), m.fmt, sym)
                      for v in self.ranking["value"]],
            "n": [display.number(int(n), 0) for n in self.ranking["n"]],
            _("95% CI"): [_ci(lo, hi, m, sym) for lo, hi in
                          zip(self.ranking["ci_low"], self.ranking["ci_high"], strict=True)],
            _("Base"): [_(BASE_TEXT[s]) for s in self.ranking["status"]],
        })
        return out


def table_rows() -> tuple[Metric, ...]:
    """The side-by-side table's rows: the tested KPIs, each context figure right after the KPI
    it stands beside (the revenue total after revenue per customer)."""
    rows: list[Metric] = []
    for m in COMPARE_METRICS:
        rows.append(m)
        if m is REVENUE_PER_CUSTOMER:
            rows.extend(CONTEXT_METRICS)
    return tuple(rows)


BASE_TEXT = {"ok": N_("ok"), "low_base": N_("low base (n < 100)"),
             "withheld": N_("insufficient base"), "not_loaded": N_("not loaded")}
#: The ranking table's group column, by dimension.
_HEADINGS = {"segment": N_("Segment"), "region": N_("Region"), "plan": N_("Plan"),
             "channel": N_("Survey channel")}


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _ci(lo: Any, hi: Any, m: Metric, sym: str) -> str:
    lo, hi = _num(lo), _num(hi)
    if lo is None or hi is None:
        return ""
    return display.between(format_value(lo, m.fmt, sym), format_value(hi, m.fmt, sym))


def value_text(e: Estimate | None, m: Metric, sym: str) -> str:
    """A cell's value: formatted, badged when low base, explained when withheld or undefined."""
    if e is None:
        return _(NOT_APPLICABLE)
    if e.status == "not_loaded":
        return _("not loaded")
    if not e.shown:
        return _("— no responses") if e.n == 0 and m.kind == "survey" else (
            _("— no data") if e.n == 0 else _("— insufficient base"))
    if e.status == "low_base":
        return _("{value} · low base", value=format_value(e.value, m.fmt, sym))
    return format_value(e.value, m.fmt, sym)


def interval_text(e: Estimate | None, m: Metric, sym: str) -> str:
    """'lo to hi' of a shown estimate, else empty."""
    if e is None or not e.shown:
        return ""
    return _ci(e.ci_low, e.ci_high, m, sym)


def p_text(p: float) -> str:
    """'p < 0.001' or 'p = 0.042'."""
    if p < 0.001:
        return _("p < {p}", p=display.number(0.001, 3))
    return _("p = {p}", p=display.number(p, 3))


def verdict_text(c: Cell, ref: Cell, sym: str) -> str:
    """The difference against the reference and whether it is real (after correction)."""
    if c.estimate is None:
        return _(NOT_APPLICABLE)
    if c.estimate.status == "not_loaded":
        return _("not loaded")
    if c.delta is None:
        return _("not compared: insufficient base")
    d = format_delta(c.delta, c.metric, sym)
    if "low_base" in (c.estimate.status, ref.estimate.status if ref.estimate else None):
        return _("{change} · low base, not judged", change=d)
    if c.significant:
        arrow = "▲" if c.delta > 0 else "▼"
        if c.better:
            return _("{change} {arrow} better", change=d, arrow=arrow)
        return _("{change} {arrow} worse", change=d, arrow=arrow)
    return _("{change} · within noise", change=d)


def context_text(c: Cell) -> str:
    """The verdict column of a context row: never a test."""
    if c.estimate is None:
        return _(NOT_APPLICABLE)
    if c.estimate.status == "not_loaded":
        return _("not loaded")
    return _(CONTEXT_VERDICT)


# --- from grouped query results to per-group week inputs ---


def _split(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if df.empty:
        return {}
    return {str(g): part for g, part in df.groupby("group_value", sort=False)}


_NO_SURVEY = pd.DataFrame({"week_start": pd.Series([], dtype="datetime64[ns]"),
                           "survey": pd.Series([], dtype="str")})


def _no_ops(weeks: list[date]) -> pd.DataFrame:
    """Zero operational inputs: channel groups have no customer base (those KPIs never shown)."""
    return pd.DataFrame({"week_start": weeks, **{c: [0] * len(weeks) for c in _OPS_COLUMNS}})


@dataclass(frozen=True)
class _GroupData:
    survey: dict[str, pd.DataFrame]
    ops: dict[str, pd.DataFrame]
    dimension: str
    zero_ops: pd.DataFrame | None  # channel: no customer base, operational inputs all zero
    by_week: dict[str, dict] = field(default_factory=dict, compare=False, repr=False)

    def inputs(self, group: str, week: date) -> dict[str, float] | None:
        if group not in self.by_week:
            survey = self.survey.get(group, _NO_SURVEY)
            ops = self.zero_ops if self.zero_ops is not None else self.ops.get(group)
            self.by_week[group] = {} if ops is None else all_week_inputs(survey, ops)
        return self.by_week[group].get(week)


def query_params(filters: Filters, dimension: str) -> dict[str, list[str]]:
    """The customer filters as bound parameters; the compared dimension's own filter is dropped
    (the chosen groups replace it)."""
    params = filters.customer_params()
    if dimension in CUSTOMER_DIMENSIONS:
        params[f"{dimension}s"] = []
    return params


def _window(week: date) -> tuple[date, date]:
    """The weeks a comparison reads: the trend's weeks and three more before them (the 4-week
    churn window of the first trend week)."""
    return week - timedelta(weeks=config.TREND_WEEKS - 1 + 3), week


def _fetch_groups(fetch: Fetch, filters: Filters, dimension: str, start: date, end: date
                  ) -> _GroupData:
    if dimension not in COMPARE_DIMENSIONS:
        raise CompareError(f"bad dimension {dimension!r}")
    params = {"start_week": start, "end_week": end, "dimension": dimension,
              **query_params(filters, dimension)}
    survey = fetch("cmp_grp_survey_weekly", **params)
    ops = fetch("cmp_grp_ops_weekly", **params) if dimension != "channel" else pd.DataFrame()
    zero = None
    if dimension == "channel":
        zero = _no_ops([start + timedelta(weeks=k) for k in range((end - start).days // 7 + 1)])
    return _GroupData(_split(survey), _split(ops), dimension, zero)


def _estimate(m: Metric, inputs: dict[str, float] | None) -> Estimate:
    return m.estimate(inputs) if inputs else stats.withheld()


def group_sizes(fetch: Fetch, filters: Filters, dimension: str, metric: str | None = None
                ) -> dict[str, int]:
    """How much data each group of the dimension holds in the selected week: for the survey
    channel, answers to the survey of ``metric`` when it is a survey score (NPS is not asked
    through every channel), else answers to every survey; customers active at the week's
    start for the other dimensions (answers when the customer base has no row). Reads the
    comparison's own queries, so the report that follows finds them in the cache."""
    week = filters.week_start
    data = _fetch_groups(fetch, filters, dimension, *_window(week))
    scored = metric in COMPARE_REGISTRY and COMPARE_REGISTRY[metric].kind == "survey"
    survey = metric if scored else None

    def in_week(parts: dict[str, pd.DataFrame], column: str) -> dict[str, int]:
        out = {}
        for g, part in parts.items():
            rows = part[pd.to_datetime(part["week_start"]).dt.date == week]
            if survey is not None and "survey" in rows.columns:
                rows = rows[rows["survey"] == survey]
            out[g] = int(rows[column].sum())
        return out

    answers = in_week(data.survey, "response_count")
    if dimension == "channel":
        return answers
    customers = in_week(data.ops, "active_at_start")
    return customers if any(customers.values()) else answers


def default_groups(sizes: Mapping[str, int], values: tuple[str, ...]) -> tuple[str, ...]:
    """The groups a comparison starts with: the ``DEFAULT_GROUPS`` largest of the selected week
    (``group_sizes``), the largest first, so it is the reference; ties in the dimension's
    order. Groups without a row are never picked while two groups have one; otherwise the
    next groups in the dimension's order fill the pair a comparison needs."""
    order = {g: i for i, g in enumerate(values)}
    held = sorted((g for g in values if sizes.get(g, 0) > 0),
                  key=lambda g: (-sizes[g], order[g]))[:DEFAULT_GROUPS]
    if len(held) < MIN_GROUPS:
        held += [g for g in values if g not in held][:MIN_GROUPS - len(held)]
    return tuple(held)


# --- the three views ---


def compare_cells(metrics: tuple[Metric, ...], groups: tuple[str, ...], dimension: str,
                  inputs: Mapping[str, dict[str, float] | None],
                  not_loaded: frozenset[str] = frozenset()) -> tuple[tuple[Cell, ...], int]:
    """Every KPI × group, differences against the first group, BH across the whole table.

    Returns the cells (metric-major) and how many comparisons were tested (both values shown).
    A difference is significant when its BH-adjusted p < ALPHA and both bases are ≥ LOW_BASE.
    KPIs named in ``not_loaded`` (their source table holds no rows) are neither estimated nor
    tested, so they are not part of the correction's family.
    """
    ref = groups[0]
    raw: list[tuple[Metric, str, Estimate | None, float | None, float | None]] = []
    for m in metrics:
        if not applies(m, dimension):
            raw.extend((m, g, None, None, None) for g in groups)
            continue
        if m.name in not_loaded:
            raw.extend((m, g, stats.not_loaded(), None, None) for g in groups)
            continue
        ref_est = _estimate(m, inputs.get(ref))
        for g in groups:
            est = ref_est if g == ref else _estimate(m, inputs.get(g))
            delta = p = None
            if g != ref and est.shown and ref_est.shown:
                delta = est.value - ref_est.value
                p = m.test(inputs[g], inputs[ref])
            raw.append((m, g, est, delta, p))
    tested = [i for i, r in enumerate(raw) if r[4] is not None]
    adjusted = dict(zip(tested, stats.benjamini_hochberg([raw[i][4] for i in tested]),
                        strict=True))
    ref_status = {m.name: e.status for m, g, e, _, _ in raw if g == ref and e is not None}
    cells = []
    for i, (m, g, est, delta, p) in enumerate(raw):
        p_adj = adjusted.get(i)
        sig = (p_adj is not None and p_adj < config.ALPHA and est is not None
               and est.status == "ok" and ref_status.get(m.name) == "ok")
        cells.append(Cell(m, g, est, delta, p, p_adj, sig))
    return tuple(cells), len(tested)


def rank_groups(estimates: Mapping[str, Estimate], higher_is_better: bool) -> pd.DataFrame:
    """Groups ordered best first by the KPI's direction; withheld groups last and unranked.

    Low-base groups are ranked (and badged by their status); ties share the better rank.
    """
    rows = [{"group": g, "value": e.value if e.shown else None, "n": e.n,
             "ci_low": e.ci_low if e.shown else None, "ci_high": e.ci_high if e.shown else None,
             "status": e.status} for g, e in estimates.items()]
    df = pd.DataFrame(rows, columns=["group", "value", "n", "ci_low", "ci_high", "status"])
    df["value"] = pd.to_numeric(df["value"]).astype("float64")
    df["ci_low"] = pd.to_numeric(df["ci_low"]).astype("float64")
    df["ci_high"] = pd.to_numeric(df["ci_high"]).astype("float64")
    df["rank"] = df["value"].rank(method="min", ascending=not higher_is_better).astype("Int64")
    key = df["value"] if higher_is_better else -df["value"]
    df = (df.assign(_shown=df["value"].notna(), _key=key)
          .sort_values(["_shown", "_key", "group"], ascending=[False, False, True],
                       na_position="last", kind="stable")
          .drop(columns=["_shown", "_key"]).reset_index(drop=True))
    return df


def context_cells(metrics: tuple[Metric, ...], groups: tuple[str, ...], dimension: str,
                  inputs: Mapping[str, dict[str, float] | None],
                  not_loaded: frozenset[str] = frozenset()) -> tuple[Cell, ...]:
    """Figures shown beside the tested KPIs (the revenue total): value, n and interval per
    group, never a difference, a test or a place in the correction's family."""
    cells = []
    for m in metrics:
        for g in groups:
            if not applies(m, dimension):
                est = None
            elif m.name in not_loaded:
                est = stats.not_loaded()
            else:
                est = _estimate(m, inputs.get(g))
            cells.append(Cell(m, g, est, context=True))
    return tuple(cells)


def table_takeaway(cells: tuple[Cell, ...], tested: int, reference: str, sym: str) -> str:
    """One line on the side-by-side table: how many differences are real, and the clearest."""
    if tested == 0:
        return _("No difference against {reference} could be tested: no KPI has a large enough "
                 "base in both groups.", reference=reference)
    sig = [c for c in cells if c.significant]
    if not sig:
        return _("No difference against {reference} is significant after Benjamini–Hochberg "
                 "correction across the {tested} comparisons tested.", reference=reference,
                 tested=display.number(tested, 0))
    order = {m.name: i for i, m in enumerate(COMPARE_METRICS)}
    # the smallest raw p; ties (p underflows to 0 on large bases) go to the registry's order
    top = min(sig, key=lambda c: (c.p_value, order.get(c.metric.name, len(order))))
    ref = next(c for c in cells if c.metric is top.metric and c.group == reference)
    m = top.metric
    values = {"count": display.number(len(sig), 0), "tested": display.number(tested, 0),
              "reference": reference, "metric": m.label, "group": top.group,
              "change": format_delta(top.delta, m, sym),
              "value": format_value(top.estimate.value, m.fmt, sym),
              "reference_value": format_value(ref.estimate.value, m.fmt, sym),
              "group_n": display.number(top.estimate.n, 0),
              "reference_n": display.number(ref.estimate.n, 0)}
    if top.better:
        return ngettext(
            "{count} of {tested} differences against {reference} is significant after "
            "Benjamini–Hochberg correction; clearest: {metric} in {group} {change} (better; "
            "{value} vs {reference_value}, n = {group_n} vs {reference_n}).",
            "{count} of {tested} differences against {reference} are significant after "
            "Benjamini–Hochberg correction; clearest: {metric} in {group} {change} (better; "
            "{value} vs {reference_value}, n = {group_n} vs {reference_n}).", len(sig), **values)
    return ngettext(
        "{count} of {tested} differences against {reference} is significant after "
        "Benjamini–Hochberg correction; clearest: {metric} in {group} {change} (worse; "
        "{value} vs {reference_value}, n = {group_n} vs {reference_n}).",
        "{count} of {tested} differences against {reference} are significant after "
        "Benjamini–Hochberg correction; clearest: {metric} in {group} {change} (worse; "
        "{value} vs {reference_value}, n = {group_n} vs {reference_n}).", len(sig), **values)


def ranking_takeaway(ranking: pd.DataFrame, m: Metric, dimension: str, week: str,
                     sym: str) -> str:
    """One line on the ranking: best and worst group with n, and how many were withheld."""
    if not applies(m, dimension):
        return _("{metric} is not defined per {dimension}; rank survey channels by NPS, CSAT or "
                 "CES.", metric=m.label, dimension=noun(dimension))
    shown = ranking[ranking["value"].notna()]
    withheld_n = int((ranking["status"] == "withheld").sum())
    low_n = int((ranking["status"] == "low_base").sum())
    tail = []
    if withheld_n:
        tail.append(_("{count} withheld (n < {least})", count=display.number(withheld_n, 0),
                      least=display.number(config.MIN_BASE, 0)))
    if low_n:
        tail.append(_("{count} low base", count=display.number(low_n, 0)))
    if shown.empty:
        return _("No {dimension} has a large enough base for {metric} in {week}.",
                 dimension=noun(dimension), metric=m.label, week=week)
    best, worst = shown.iloc[0], shown.iloc[-1]
    values = {"metric": m.label, "week": week, "best": best["group"],
              "best_value": format_value(float(best["value"]), m.fmt, sym),
              "best_n": display.number(int(best["n"]), 0)}
    if len(shown) == 1:
        text = _("Only {best} has a large enough base for {metric} in {week}: {best_value} "
                 "(n = {best_n})", **values)
    else:
        text = _("Best {dimension} for {metric} in {week}: {best} {best_value} (n = {best_n}); "
                 "worst: {worst} {worst_value} (n = {worst_n})", dimension=noun(dimension),
                 worst=worst["group"],
                 worst_value=format_value(float(worst["value"]), m.fmt, sym),
                 worst_n=display.number(int(worst["n"]), 0), **values)
    return _("{sentence}.", sentence=display.semicolons([text, *tail]))


def trend_takeaway(trend: pd.DataFrame, m: Metric, dimension: str, week: str, sym: str) -> str:
    """One line on the trend: who leads in the selected week, and who moved most over the span."""
    if not applies(m, dimension):
        return _("{metric} is not defined per {dimension}.", metric=m.label,
                 dimension=noun(dimension))
    shown = trend[trend["value"].notna()]
    if shown.empty:
        return _("No group has a large enough base for {metric} in the weeks to {week}.",
                 metric=m.label, week=week)
    parts = []
    last = shown[shown["week"] == week]
    if not last.empty:
        lead = last.sort_values("value", ascending=not m.higher_is_better).iloc[0]
        parts.append(_("In {week}, {group} leads on {metric} at {value} (n = {n})", week=week,
                       group=lead["group"], metric=m.label,
                       value=format_value(float(lead["value"]), m.fmt, sym),
                       n=display.number(int(lead["n"]), 0)))
    moves = []
    for g, part in shown.groupby("group", sort=False):
        if len(part) >= 2:
            first, final = part.iloc[0], part.iloc[-1]
            moves.append((abs(final["value"] - first["value"]), str(g), first, final))
    if moves:
        _size, g, first, final = max(moves, key=lambda t: t[0])
        change = float(final["value"] - first["value"])
        values = {"group": g, "change": format_delta(change, m, sym), "first": first["week"],
                  "last": final["week"]}
        if change == 0:
            parts.append(_("{group} moved most: {change} ({first} → {last})", **values))
        elif (change > 0) == m.higher_is_better:
            parts.append(_("{group} moved most: {change}, better ({first} → {last})", **values))
        else:
            parts.append(_("{group} moved most: {change}, worse ({first} → {last})", **values))
    if not parts:
        return _("Too few weeks with a large enough base to describe {metric}.",
                 metric=m.label)
    return _("{sentence}.", sentence=display.semicolons(parts))


def _scope(filters: Filters, sel: Selection) -> str:
    dim = sel.dimension
    others = Filters(
        week=filters.week,
        segments=() if dim == "segment" else filters.segments,
        regions=() if dim == "region" else filters.regions,
        plans=() if dim == "plan" else filters.plans,
    ).describe()
    values = {"week": filters.week_name, "dimension": noun(dim),
              "groups": display.commas(sel.groups), "reference": sel.reference,
              "others": others}
    if dim in CUSTOMER_DIMENSIONS and getattr(filters, f"{dim}s"):
        return _("{week} · {dimension}: {groups}; differences against {reference} · within "
                 "{others} (the {dimension} filter is replaced by the groups)", **values)
    return _("{week} · {dimension}: {groups}; differences against {reference} · within "
             "{others}", **values)


def _assumptions(fetch: Fetch, week: date) -> dict[str, Any]:
    df = fetch("assumptions_in_force", week_start=week)
    out: dict[str, Any] = {}
    for r in df.itertuples(index=False):
        out[str(r.assumption_key)] = r.value_text if pd.isna(r.value_number) else float(
            r.value_number)
    return out


def _money_note(assumptions: Mapping[str, Any], week: str, sym: str) -> str:
    prefix = "cost_per_contact_"
    costs = [f"{display.name(k.removeprefix(prefix))} {format_value(v, 'money2', sym)}"
             for k, v in sorted(assumptions.items())
             if k.startswith(prefix) and isinstance(v, float)]
    key = prefix + "<channel>"
    return _("Cost to serve uses the assumptions in force in {week}: {key} ({costs} per "
             "contact); revenue is observed.", week=week, key=key, costs=display.commas(costs))


def _trend(m: Metric, data: _GroupData, groups: tuple[str, ...], weeks: list[date]
           ) -> pd.DataFrame:
    rows = []
    if applies(m, data.dimension):
        for g in groups:
            for wk in weeks:
                e = _estimate(m, data.inputs(g, wk))
                rows.append({"group": g, "week_start": pd.Timestamp(wk), "week": week_label(wk),
                             "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high,
                             "n": e.n, "status": e.status})
    cols = ["group", "week_start", "week", "value", "ci_low", "ci_high", "n", "status"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("value", "ci_low", "ci_high"):
        df[c] = pd.to_numeric(df[c]).astype("float64")
    return df


def loaded_metrics(coverage: Coverage) -> tuple[Metric, ...]:
    """The KPIs whose source tables hold rows: those the page offers to rank and trend."""
    return tuple(m for m in COMPARE_METRICS if not coverage.missing(m.tables))


def build_comparison(fetch: Fetch, filters: Filters, selection: Selection,
                     options: Mapping[str, tuple[str, ...]],
                     coverage: Coverage | None = None) -> CompareReport:
    """The side-by-side table, the ranking and the trend for the filters and the selection.
    KPIs whose source table holds no rows (``coverage``; read from the warehouse when not
    given) show "not loaded" and are not tested; the table's takeaway names them."""
    coverage = cov.resolve(coverage, fetch)
    missing = {m.name: coverage.missing(m.tables) for m in (*COMPARE_METRICS, *CONTEXT_METRICS)}
    validate(selection, options)
    dim, groups, m = selection.dimension, selection.groups, COMPARE_REGISTRY[selection.metric]
    week = filters.week_start
    trend_weeks = [week - timedelta(weeks=k) for k in range(config.TREND_WEEKS - 1, -1, -1)]
    data = _fetch_groups(fetch, filters, dim, *_window(week))
    assumptions = _assumptions(fetch, week)
    sym = currency.from_assumptions(assumptions)

    everyone = tuple(options[dim])
    inputs = {g: data.inputs(g, week) for g in dict.fromkeys(groups + everyone)}
    gone_tables = frozenset(k for k, v in missing.items() if v)
    cells, tested = compare_cells(COMPARE_METRICS, groups, dim, inputs, gone_tables)
    cells += context_cells(CONTEXT_METRICS, groups, dim, inputs, gone_tables)
    if missing[m.name]:
        ranking = rank_groups({g: stats.not_loaded() for g in everyone}, m.higher_is_better)
    elif applies(m, dim):
        ranking = rank_groups({g: _estimate(m, inputs[g]) for g in everyone},
                              m.higher_is_better)
    else:
        ranking = rank_groups({}, m.higher_is_better)
    trend = _trend(m, data, groups, trend_weeks)
    gone = cov.sentence(missing[m.name]) if missing[m.name] else ""
    return CompareReport(
        filters=filters, selection=selection, cells=cells, tested=tested,
        table_takeaway=" ".join(filter(None, (
            table_takeaway(cells, tested, selection.reference, sym),
            not_loaded_sentence([(k, missing[k.name]) for k in COMPARE_METRICS
                                 if applies(k, dim)])))),
        ranking=ranking,
        ranking_takeaway=gone or ranking_takeaway(ranking, m, dim, filters.week, sym),
        trend=trend, trend_takeaway=gone or trend_takeaway(trend, m, dim, filters.week, sym),
        scope=_scope(filters, selection),
        money_note="" if missing["cost_to_serve"] else _money_note(assumptions,
                                                                   filters.week_name, sym),
        currency_symbol=sym,
    )
