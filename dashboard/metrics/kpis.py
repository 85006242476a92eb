"""The weekly KPI report: tiles, significance after correction, trends and the headline.

One function, ``build_report``, serves the Weekly KPIs page and ``python -m dashboard kpis``,
so both show the same numbers from the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from dashboard.i18n import _, currency, ngettext
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import Filters, week_label
from dashboard.metrics.registry import METRICS, Metric, all_week_inputs, format_delta, format_value
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.coverage import Coverage
from dashboard.warehouse.weeks import DataCalendar, data_calendar


@dataclass(frozen=True)
class Comparison:
    """One metric in the selected week against the comparison week: both estimates, the
    change, its p-value before and after correction, and whether it is significant."""

    metric: Metric
    current: Estimate
    previous: Estimate
    delta: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool


@dataclass(frozen=True)
class Tile(Comparison):
    """One KPI for the selected week against the comparison week."""

    target: float | None
    #: the metric's source tables that hold no rows (then the tile is "not loaded")
    missing: tuple[str, ...] = ()

    @property
    def not_loaded(self) -> str | None:
        """The not-loaded message when a source table holds no rows, else None."""
        return cov.message(self.missing) if self.missing else None

    @property
    def direction(self) -> str | None:
        """'up' or 'down' when the change is significant (the only case an arrow is drawn)."""
        if not self.significant or self.delta is None:
            return None
        return "up" if self.delta > 0 else "down"

    @property
    def improved(self) -> bool | None:
        """Whether a significant change is good news (None when not significant)."""
        if self.direction is None:
            return None
        return (self.direction == "up") == self.metric.higher_is_better

    @property
    def target_met(self) -> bool | None:
        """Whether the value meets its target (None without a target or a value)."""
        if self.target is None or self.current.value is None:
            return None
        if self.metric.higher_is_better:
            return self.current.value >= self.target
        return self.current.value <= self.target


@dataclass(frozen=True)
class Catalog:
    """What the warehouse offers the filter bar: allowlisted values and weeks, and the data's
    calendar (its range, as-of date and the tables that set them)."""

    options: dict[str, tuple[str, ...]]  # every dimension's values (``dimensions.ALL``)
    weeks: tuple[str, ...]  # newest first
    latest_complete: str
    calendar: DataCalendar = field(default_factory=lambda: DataCalendar(()))

    @property
    def dims(self) -> dimensions.Dimensions:
        """Which dimensions may be filtered and split by (two values or more)."""
        return dimensions.Dimensions(self.options)


@dataclass(frozen=True)
class KpiReport:
    """Everything the Weekly KPIs page and the CLI show."""

    filters: Filters
    tiles: tuple[Tile, ...]
    trends: dict[str, pd.DataFrame]
    headline: str
    assumptions: dict[str, Any]
    currency_symbol: str
    coverage: Coverage
    queries: tuple[str, ...] = field(default=("kpi_survey_weekly", "kpi_ops_weekly",
                                              "data_coverage"))
    as_of: date | None = None

    def tile(self, name: str) -> Tile:
        """The tile of one metric."""
        return next(t for t in self.tiles if t.metric.name == name)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON document (README: CLI). A KPI whose source table holds no rows has
        ``"value": null``, ``"status": "not_loaded"`` and the message saying what to load."""
        def num(x: float | None) -> float | None:
            return None if x is None else round(float(x), 6)

        kpis = {}
        for t in self.tiles:
            kpis[t.metric.name] = {
                "value": num(t.current.value),
                "n": t.current.n,
                "ci_low": num(t.current.ci_low),
                "ci_high": num(t.current.ci_high),
                "previous": num(t.previous.value),
                "delta": num(t.delta),
                "p_value": num(t.p_value),
                "p_adjusted": num(t.p_adjusted),
                "significant": t.significant,
                "status": t.current.status,
                "target": num(t.target),
                "target_met": t.target_met,
                "message": t.not_loaded,
            }
        return {
            "week": self.filters.week,
            "compare_to": self.filters.compare_week,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "filters": self.filters.as_dict(),
            "kpis": kpis,
            "headline": self.headline,
            "not_loaded": list(self.coverage.not_loaded),
        }


def load_catalog(fetch: Fetch) -> Catalog:
    """Allowlists, weeks and the data's calendar from the warehouse; the latest complete week
    (the last whose Sunday the as-of date reaches) is the default."""
    options = dimensions.load_options(fetch)
    weeks = fetch("weeks_available")
    labels = tuple(weeks["iso_week"].astype(str))
    complete = weeks.loc[weeks["is_complete"].astype(bool), "iso_week"].astype(str)
    latest = complete.iloc[0] if len(complete) else (labels[0] if labels else "")
    return Catalog(options, labels, latest, data_calendar(fetch))


def _assumptions(fetch: Fetch, week_start: date) -> dict[str, Any]:
    df = fetch("assumptions_in_force", week_start=week_start)
    out: dict[str, Any] = {}
    for r in df.itertuples(index=False):
        num = r.value_number
        out[str(r.assumption_key)] = r.value_text if pd.isna(num) else float(num)
    return out


def _compare(metric: Metric, cur_in: dict | None, prev_in: dict | None, loaded: bool = True
             ) -> tuple[Estimate, Estimate, float | None, float | None]:
    if not loaded:  # never estimated, never tested: not part of the correction's family
        return stats.not_loaded(), stats.not_loaded(), None, None
    cur = metric.estimate(cur_in) if cur_in else stats.withheld()
    prev = metric.estimate(prev_in) if prev_in else stats.withheld()
    if not (cur.shown and prev.shown):
        return cur, prev, None, None
    return cur, prev, cur.value - prev.value, metric.test(cur_in, prev_in)


def _trend(metric: Metric, inputs: dict[date, dict | None], loaded: bool = True
           ) -> pd.DataFrame:
    rows = []
    for wk, inp in inputs.items():
        est = (stats.not_loaded() if not loaded else
               metric.estimate(inp) if inp else stats.withheld())
        rows.append({
            "week_start": pd.Timestamp(wk), "week": week_label(wk), "value": est.value,
            "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n, "status": est.status,
        })
    return pd.DataFrame(rows)


def _p_text(p: float) -> str:
    if p < 0.001:
        return _("p < {p}", p=display.number(0.001, 3))
    return _("p = {p}", p=display.number(p, 3))


def headline(tiles: tuple[Tile, ...], filters: Filters, symbol: str) -> str:
    """One sentence: the largest significant movement, or plainly that nothing moved; KPIs
    whose source is not loaded are named as such and nothing else is said of them."""
    tail = not_loaded_sentence([(t.metric, t.missing) for t in tiles])
    movement = _movement(tiles, filters, symbol)
    if not tail:
        return movement
    return _("{movement} {not_loaded}", movement=movement, not_loaded=tail)


def not_loaded_sentence(metrics: list[tuple[Metric, tuple[str, ...]]]) -> str:
    """'Complaint rate and Cost to serve not loaded: no complaint or contact data loaded —
    load …' for the metrics whose tables (the second of each pair) hold no rows; '' when none."""
    gone = [(m, missing) for m, missing in metrics if missing]
    if not gone:
        return ""
    names = display.and_list(m.label for m, _missing in gone)
    tables = sorted({x for _m, missing in gone for x in missing}, key=cov.TABLES.index)
    return _("{metrics} not loaded: {message}.", metrics=names, message=cov.message(tables))


def _movement(tiles: tuple[Tile, ...], filters: Filters, symbol: str) -> str:
    moved = [t for t in tiles if t.significant]
    tested = sum(t.p_value is not None for t in tiles)
    if not moved and tested == 0:
        return _("No KPI had a large enough base in both {week} and {compare_week} to judge a "
                 "change.", week=filters.week_name, compare_week=filters.compare_week_name)
    if not moved:
        return _("Nothing moved beyond noise in {week}: none of the {tested} KPIs tested changed "
                 "significantly against {compare_week} ({comparison}) after correction.",
                 week=filters.week_name, tested=display.number(tested, 0),
                 compare_week=filters.compare_week_name, comparison=filters.compare_label)
    top = min(moved, key=lambda t: (t.p_value, t.p_adjusted))
    values = {
        "metric": top.metric.label,
        "change": _unsigned(format_delta(top.delta, top.metric, symbol)),
        "value": format_value(top.current.value, top.metric.fmt, symbol),
        "compare_week": filters.compare_week_name, "comparison": filters.compare_label,
        "p": _p_text(top.p_adjusted),
    }
    if top.delta > 0:
        sentence = (_("{metric} rose {change} to {value} against {compare_week} ({comparison}; "
                      "an improvement, {p} after correction)", **values) if top.improved else
                    _("{metric} rose {change} to {value} against {compare_week} ({comparison}; "
                      "a deterioration, {p} after correction)", **values))
    else:
        sentence = (_("{metric} fell {change} to {value} against {compare_week} ({comparison}; "
                      "an improvement, {p} after correction)", **values) if top.improved else
                    _("{metric} fell {change} to {value} against {compare_week} ({comparison}; "
                      "a deterioration, {p} after correction)", **values))
    others = len(moved) - 1
    if not others:
        return _("{sentence}.", sentence=sentence)
    return ngettext("{sentence}; {count} other KPI also moved.",
                    "{sentence}; {count} other KPIs also moved.", others, sentence=sentence,
                    count=display.number(others, 0))


def _unsigned(text: str) -> str:
    """A formatted change without its sign (the sentence's verb says the direction), inside
    its left-to-right isolate when it has one."""
    return re.sub("^([\u2066\u200e]*)[+\u2212]", r"\1", text)


def build_report(fetch: Fetch, filters: Filters, coverage: Coverage | None = None) -> KpiReport:
    """Compute every tile, its corrected significance, its 13-week trend and the headline.
    A metric whose source table holds no rows (``coverage``; read from the warehouse when not
    given) is not loaded: no value, no test, no target verdict, and outside the correction."""
    coverage = cov.resolve(coverage, fetch)
    missing = {m.name: coverage.missing(m.tables) for m in METRICS}
    week = filters.week_start
    trend_start = week - timedelta(weeks=config.TREND_WEEKS - 1)
    start = min(filters.compare_start, trend_start) - timedelta(weeks=3)
    params = {"start_week": start, "end_week": week, **filters.customer_params()}
    survey = fetch("kpi_survey_weekly", **params)
    ops = fetch("kpi_ops_weekly", **params)
    assumptions = _assumptions(fetch, week)
    symbol = currency.from_assumptions(assumptions)

    by_week = all_week_inputs(survey, ops)
    cur_in = by_week.get(week)
    prev_in = by_week.get(filters.compare_start)
    parts = [(m, *_compare(m, cur_in, prev_in, not missing[m.name])) for m in METRICS]
    tested = [i for i, p in enumerate(parts) if p[4] is not None]
    adjusted = dict(zip(tested, stats.benjamini_hochberg([parts[i][4] for i in tested]),
                        strict=True))
    tiles = []
    for i, (m, cur, prev, delta, p) in enumerate(parts):
        p_adj = adjusted.get(i)
        sig = (p_adj is not None and p_adj < config.ALPHA
               and cur.status == "ok" and prev.status == "ok")
        target = assumptions.get(m.target_key)
        tiles.append(Tile(m, cur, prev, delta, p, p_adj, sig,
                          float(target) if isinstance(target, float) else None,
                          missing[m.name]))
    tiles_t = tuple(tiles)
    trend_weeks = [week - timedelta(weeks=k) for k in range(config.TREND_WEEKS - 1, -1, -1)]
    inputs = {wk: by_week.get(wk) for wk in trend_weeks}
    trends = {m.name: _trend(m, inputs, not missing[m.name]) for m in METRICS}
    return KpiReport(filters, tiles_t, trends, headline(tiles_t, filters, symbol),
                     assumptions, symbol, coverage, as_of=data_calendar(fetch).as_of)


def tile_caption(t: Tile, symbol: str) -> str:
    """The base and interval line of a tile (or why it is withheld)."""
    cur, m = t.current, t.metric
    if t.not_loaded:
        return cov.sentence(t.missing)
    if cur.status == "withheld":
        return _("Insufficient base (n = {n}; at least 30 needed)", n=display.number(cur.n, 0))
    parts = [_("n = {n}", n=display.number(cur.n, 0)),
             _("95% CI {interval}", interval=display.between(
                 format_value(cur.ci_low, m.fmt, symbol),
                 format_value(cur.ci_high, m.fmt, symbol)))]
    if "mean" in cur.detail:
        parts.append(_("mean {mean}", mean=display.number(cur.detail["mean"], 2)))
    if "share_easy_pct" in cur.detail:
        share = display.percent(cur.detail["share_easy_pct"], 1)
        parts.append(_("{share} easy (5–7)", share=share))
    return " · ".join(parts)


def verdict(t: Tile, filters: Filters) -> str:
    """Real change or noise: the verdict on a tile's change against the comparison week."""
    if t.not_loaded:
        return _("Not loaded: nothing to compare.")
    if t.delta is None:
        return _("No comparison: {compare_week} has no usable base.",
                 compare_week=filters.compare_week_name)
    if t.current.status == "low_base" or t.previous.status == "low_base":
        return _("Low base (n < 100): change not judged.")
    if t.significant and t.improved is not None:
        return _("Better.") if t.improved else _("Worse.")
    return _("Within noise.")
