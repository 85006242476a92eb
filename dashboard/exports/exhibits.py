"""Exhibits: every chart of every page as one object — figure, the data behind it, its computed
one-line takeaway, its definitions and base — built from the pages' reports.

The pages draw exhibits (``ui.common.exhibit``) and the board pack exports the same objects
(``exports.pack``), so a chart, its CSV and its slide can never disagree. No Streamlit here.

``PAGES`` maps each page of the pack to a builder ``(fetch, filters, aset) -> [Exhibit]`` that
runs the page's own report with the page's default controls; ``EXECUTIVE`` is the default pack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard.exports import charts, numbers, periods, rtl, text
from dashboard.exports.definitions import DEFINITIONS, OBSERVED
from dashboard.exports.needs import NEEDS, PAGE_KEYS, PAGE_NEEDS, owner_pages, unknown_keys  # noqa: F401 (the pages' keys, re-exported)
from dashboard.exports.periods import comparison, weeks_to
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import written
from dashboard.metrics import dimensions, display
from dashboard.metrics.filters import Filters
from dashboard.metrics.kpis import KpiReport, tile_caption, verdict
from dashboard.metrics.registry import format_value
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.coverage import Coverage


def without_customer_ids(df: pd.DataFrame, identifiers=(), customer_list: bool = False
                         ) -> pd.DataFrame:
    """The frame as any export carries it: the columns declared as customer identifiers
    (``identifiers``) dropped unless it is a customer list. What a column *is* is declared by
    the table or exhibit that holds it, never guessed from its name: a comparison's groups
    named "email", "phone", "customer" or "id" are groups, and are kept."""
    if customer_list:
        return df
    declared = [c for c in df.columns if c in set(identifiers)]
    return df.drop(columns=declared) if declared else df


@dataclass(frozen=True)
class Exhibit:
    """One chart as the app shows it and as every export carries it."""

    key: str  # the widget key on the page; unique across the app
    page: str  # the page title
    title: str
    #: the chart, or what builds it: built when first drawn or exported (``fig``), so a page
    #: that shows some of its charts (the open tab) builds only those
    figure: go.Figure | Callable[[], go.Figure]
    data: pd.DataFrame  # the data behind the chart: one row per point drawn
    takeaway: str  # the computed one-line reading (slide title)
    notes: tuple[str, ...] = ()  # definitions, base, method (speaker notes, PDF footer)
    n: int | None = None  # the base behind the chart, when one number describes it
    band: str | None = None  # what the bands are, on charts that draw bands
    money: bool = False  # a money chart: exports carry the band and the assumption set
    customer_list: bool = False  # the only kind of exhibit whose exports keep customer ids
    identifiers: tuple[str, ...] = ()  # columns of ``data`` that identify one customer
    excel: tuple[str, tuple[str, ...], str | None, str] | None = None
    # (x column, y columns, series column or None, "line" | "column") for the native chart
    needs: tuple[str, ...] | None = None  # source tables, when they vary (else ``NEEDS[key]``)
    #: column → unit of its numbers in exports (``numbers.DECIMALS``); undeclared columns take
    #: the unit their name implies (counts, ``…_pct``, p-values)
    units: Mapping[str, str] = field(default_factory=dict)
    #: the period the chart covers, as its image subtitle states it ("2026-W32–2026-W44 (13
    #: weeks)"); None: read from the data's week, period or month column (``span``)
    period: str | None = None

    @property
    def tables(self) -> tuple[str, ...]:
        """The raw tables the chart is drawn from: with one of them empty it is not loaded."""
        return self.needs if self.needs is not None else NEEDS.get(self.key, ())

    def __post_init__(self) -> None:
        if self.money and not self.band:
            raise ValueError(f"money exhibit {self.key} needs its band (what the bands are, "
                             "or that the figures are observed without one)")

    @functools.cached_property
    def fig(self) -> go.Figure:
        """The chart, built once, with the data in its text shown as literal text."""
        fig = self.figure() if callable(self.figure) else self.figure
        return rtl.page_figure(text.literal_figure(fig))

    @property
    def label(self) -> str:
        """Page and title, for pickers."""
        return f"{self.page} — {self.title}"

    def export_data(self) -> pd.DataFrame:
        """The data behind the chart as exported: one row per point drawn, numbers rounded by
        their unit (``numbers.rounded``), the declared customer identifiers dropped unless the
        exhibit is a customer list; every other column kept."""
        data = without_customer_ids(self.data, self.identifiers, self.customer_list)
        return numbers.rounded(data, self.units).reset_index(drop=True)

    @property
    def span(self) -> str | None:
        """The chart's own period: ``period`` when set, else from the first to the last week
        (or month) of its data with their count; None when the data carry no period."""
        return self.period or periods.span_of(self.data)


def _cols(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The listed columns that exist, in order."""
    return df[[c for c in cols if c in df.columns]].reset_index(drop=True)


def _n(df: pd.DataFrame, col: str = "n") -> int | None:
    """The base of a chart of groups: the sum of ``col`` over its rows."""
    if col not in df.columns or df.empty:
        return None
    return int(pd.to_numeric(df[col], errors="coerce").fillna(0).sum())


def _last(df: pd.DataFrame, col: str = "n") -> int | None:
    """The base of a time series: ``col`` in its last row (the selected week or month)."""
    if col not in df.columns or df.empty or pd.isna(df[col].iloc[-1]):
        return None
    return int(df[col].iloc[-1])


# --- Weekly KPIs ---------------------------------------------------------------------------

def kpi_takeaway(tile, report: KpiReport) -> str:
    """One line: the week's value with its base and interval, and the verdict on the change."""
    m, sym, f = tile.metric, report.currency_symbol, report.filters
    return _("{kpi} {value} in {week} ({caption}); vs {comparison}: {verdict}",
             kpi=_(m.label), value=format_value(tile.current.value, m.fmt, sym), week=f.week_name,
             caption=tile_caption(tile, sym), comparison=_(f.compare_label),
             verdict=verdict(tile, f))


def kpi_exhibits(report: KpiReport) -> dict[str, Exhibit]:
    """The 13-week trend of every KPI tile (bands on survey scores)."""
    out = {}
    for t in report.tiles:
        m = t.metric
        df = report.trends[m.name]
        title = _("{kpi} — 13 weeks", kpi=_(m.label))
        money = m.fmt.startswith("money")
        band = (_("95% confidence band") if m.kind == "survey" else
                _("{observed}; the selected week's 95% interval is in the takeaway",
                  observed=_(OBSERVED)) if money
                else None)
        key = f"trend_{m.name}"
        out[key] = Exhibit(
            key, "Weekly KPIs", title,
            lambda df=df, title=title, m=m, t=t: charts.trend_chart(
                df, title, m.unit, target=t.target, band=m.kind == "survey"),
            _cols(df, ["week", "value", "ci_low", "ci_high", "n", "status"]),
            kpi_takeaway(t, report),
            notes=(_("{kpi}: {definition}", kpi=_(m.label), definition=_(m.definition)),
                   _("n in {week}: {n}", week=report.filters.week,
                     n=written(f"{t.current.n:,}"))),
            n=t.current.n, band=band, money=money, excel=("week", ("value",), None, "line"),
            units=_estimate_units(numbers.metric_unit(m)))
    return out


def _estimate_units(unit: str, *cols: str) -> dict[str, str]:
    """A value and its interval in one unit (plus any further columns in it)."""
    return dict.fromkeys(("value", "ci_low", "ci_high", *cols), unit)


# --- Satisfaction --------------------------------------------------------------------------

def satisfaction_exhibits(report, filters: Filters) -> dict[str, Exhibit]:
    from dashboard.analysis import satisfaction

    page = "Satisfaction"
    r = report
    unit = numbers.metric_unit(r.view.metric)
    periods = r.window.periods
    span = (f"{periods[0][1]}–{periods[-1][1]} ({r.window.span})" if len(periods) > 1 else
            periods[0][1] if periods else None)
    out = {
        "sat_trend": Exhibit(
            "sat_trend", page, r.trend_title,
            lambda: charts.split_trend_chart(r.trend, r.trend_title, r.y_title,
                                             satisfaction.OVERALL),
            _cols(r.trend, ["group", "period", "value", "ci_low", "ci_high", "n", "status"]),
            r.trend_takeaway, notes=(_(DEFINITIONS["sat_trend"]), r.headline),
            n=_last(r.trend[r.trend["group"] == satisfaction.OVERALL]),
            band=_("95% confidence band"),
            excel=("period", ("value",), "group", "line"), units=_estimate_units(unit),
            period=span),
        "sat_mix": Exhibit(
            "sat_mix", page, r.mix_title, lambda: charts.nps_mix_chart(r.mix, r.mix_title),
            _cols(r.mix, ["period", "category_label", "count", "share_pct", "n", "status"]),
            r.mix_takeaway, notes=(_(DEFINITIONS["sat_mix"]),), n=_last(r.mix),
            excel=("period", ("share_pct",), "category_label", "column"), period=span),
        "sat_distribution": Exhibit(
            "sat_distribution", page, r.distribution_title,
            lambda: charts.score_distribution_chart(
                r.distribution, r.distribution_title, filters.week, filters.compare_week),
            _cols(r.distribution, ["week", "score", "count", "share_pct", "n", "status"]),
            r.distribution_takeaway, notes=(_(DEFINITIONS["sat_distribution"]),),
            n=_last(r.distribution),
            excel=("score", ("share_pct",), "week", "column"), period=comparison(filters)),
        "sat_gap": Exhibit(
            "sat_gap", page, r.gap_title, lambda: charts.expectation_gap_chart(r.gap, r.gap_title),
            _cols(r.gap, ["label", "survey", "scale", "n", "gap", "ci_low", "ci_high",
                          "perceived_mean", "expected_mean", "status"]),
            r.gap_takeaway, notes=(_(DEFINITIONS["sat_gap"]),), n=_n(r.gap),
            band=_("95% confidence interval"),
            excel=("label", ("gap",), None, "column"),
            units=dict.fromkeys(("gap", "ci_low", "ci_high", "perceived_mean",
                                 "expected_mean"), "mean"), period=span),
    }
    if r.gap_note:  # a single touchpoint: no chart broken down by touchpoint
        del out["sat_gap"]
    return out


# --- Complaints ----------------------------------------------------------------------------

def complaints_exhibits(report) -> dict[str, Exhibit]:
    r, k, page = report, report.takeaways, "Complaints"
    vol_title = _("Complaints and rate per 1,000 active customers — weekly")
    res_title = _("Time to resolution — complaints resolved each week")
    pareto_title, severity_title = _("Categories — 13 weeks (Pareto)"), _("Severity mix — weekly")
    backlog_title, kept_title = _("Open backlog by age"), _("Still a customer 90 days later")
    next_title, paid_title = _("Next NPS answer"), _("Compensation — weekly")
    sym = r.currency_symbol
    money_note = (r.notes.get("money"),) if r.notes.get("money") else ()
    w = r.windows
    recovery = periods.recovery(w.cohort_start, w.cohort_end)
    # the categories in words, on the bars and in their CSV alike
    named = r.pareto.assign(category=r.pareto["category"].map(display.name))
    out = {
        "cmp_volume": Exhibit(
            "cmp_volume", page, vol_title,
            lambda: charts.complaint_volume_chart(r.volume, vol_title),
            _cols(r.volume, ["week", "complaints", "active_at_start", "value", "ci_low",
                             "ci_high", "status"]).rename(columns={"value": "per_1000"}),
            k["volume"], notes=(_(DEFINITIONS["cmp_volume"]), r.notes["service"]),
            n=_last(r.volume, "active_at_start"),
            band=_("95% confidence band on the rate"),
            excel=("week", ("complaints",), None, "column"),
            units=dict.fromkeys(("per_1000", "ci_low", "ci_high"), "rate")),
        "cmp_pareto": Exhibit(
            "cmp_pareto", page, pareto_title,
            lambda: charts.pareto_chart(named, pareto_title),
            _cols(named, ["category", "count", "share_pct", "cumulative_pct"]),
            k["pareto"], notes=(_(DEFINITIONS["cmp_pareto"]),), n=_n(r.pareto, "count"),
            excel=("category", ("count",), None, "column"), period=weeks_to(w.week, 13)),
        "cmp_severity": Exhibit(
            "cmp_severity", page, severity_title,
            lambda: charts.severity_mix_chart(r.severity, severity_title),
            _cols(r.severity, ["week", "severity", "count", "share_pct", "week_total"]),
            k["severity"], notes=(_(DEFINITIONS["cmp_severity"]),),
            n=_last(r.severity, "week_total"), excel=("week", ("count",), "severity", "column")),
        "cmp_resolution": Exhibit(
            "cmp_resolution", page, res_title,
            lambda: charts.percentile_trend_chart(r.resolution, res_title, _("hours")),
            _cols(r.resolution, ["week", "n", "median", "p90", "status"]), k["resolution"],
            notes=(_(DEFINITIONS["cmp_resolution"]),), n=_last(r.resolution),
            excel=("week", ("median", "p90"), None, "line"),
            units={"median": "hours", "p90": "hours"}),
        "cmp_backlog": Exhibit(
            "cmp_backlog", page, backlog_title,
            lambda: charts.backlog_chart(r.backlog, backlog_title),
            _cols(r.backlog, ["band", "count", "share_pct", "customer_left"]), k["backlog"],
            notes=(_(DEFINITIONS["cmp_backlog"]),), n=_n(r.backlog, "count"),
            excel=("band", ("count",), None, "column"),
            period=_("open at the end of {week}", week=r.filters.week)),
        "cmp_recovery_retention": Exhibit(
            "cmp_recovery_retention", page, kept_title,
            lambda: charts.interval_dots_chart(r.recovery, "retention_pct", "retention_low",
                                       "retention_high", "retention_status",
                                       kept_title, "%"),
            _cols(r.recovery, ["label", "retention_n", "retention_pct", "retention_low",
                               "retention_high", "retention_status"]),
            k["retention"], notes=(r.notes["recovery"],), n=_n(r.recovery, "retention_n"),
            band=_("95% confidence interval"), excel=("label", ("retention_pct",), None, "column"),
            units={"retention_low": "pct", "retention_high": "pct"}, period=recovery),
        "cmp_recovery_nps": Exhibit(
            "cmp_recovery_nps", page, next_title,
            lambda: charts.interval_dots_chart(r.recovery, "nps", "nps_low", "nps_high",
                                               "nps_status", next_title, "NPS"),
            _cols(r.recovery, ["label", "nps_n", "nps", "nps_low", "nps_high", "nps_status"]),
            k["nps"], notes=(r.notes["recovery"],), n=_n(r.recovery, "nps_n"),
            band=_("95% confidence interval"), excel=("label", ("nps",), None, "column"),
            units=dict.fromkeys(("nps", "nps_low", "nps_high"), "score"), period=recovery),
        "cmp_compensation": Exhibit(
            "cmp_compensation", page, paid_title,
            lambda: charts.compensation_chart(r.volume, paid_title, sym),
            _cols(r.volume, ["week", "compensated", "compensation", "per_complaint",
                             "per_complaint_low", "per_complaint_high"]),
            k["compensation"], notes=(_(DEFINITIONS["cmp_compensation"]), *money_note),
            band=_("observed amounts paid; 95% confidence interval on the mean per complaint"),
            money=True, excel=("week", ("compensation",), None, "column"),
            units=dict.fromkeys(("compensation", "per_complaint", "per_complaint_low",
                                 "per_complaint_high"), "money")),
    }
    if r.split_note:  # a single category: no Pareto by category
        del out["cmp_pareto"]
    return out


# --- Cost to serve -------------------------------------------------------------------------

def cost_exhibits(report) -> dict[str, Exhibit]:
    from dashboard.analysis import cost

    r, t, k, page = report, report.titles, report.takeaways, "Cost to serve"
    out = {
        "cts_channels": Exhibit(
            "cts_channels", page, t["channels"],
            lambda: charts.contact_cost_share_chart(r.channel_week, t["channels"]),
            _cols(r.channel_week, ["label", "contact_count", "contact_share_pct",
                                   "contact_cost", "cost_share_pct", "cost_per_contact"]),
            k["channels"], notes=(_(DEFINITIONS["cts_channels"]), t["unit_costs"]),
            n=_n(r.channel_week, "contact_count"), band=_(OBSERVED), money=True,
            excel=("label", ("contact_share_pct", "cost_share_pct"), None, "column"),
            units={"contact_cost": "money", "cost_per_contact": "money"},
            period=r.filters.week),
    }
    if not r.split_note:  # a single segment: no chart by segment
        out["cts_segments"] = Exhibit(
            "cts_segments", page, t["segments"],
            lambda: charts.estimate_bar_chart(r.segments, "segment", t["segments"],
                                              t["segments_axis"]),
            _cols(r.segments, ["segment", "value", "ci_low", "ci_high", "n", "status",
                               "previous", "delta", "p_adjusted", "significant"]),
            k["segments"], notes=(_(DEFINITIONS["cts_segments"]),), n=_n(r.segments),
            band=_("95% confidence interval"), money=True,
            excel=("segment", ("value",), None, "column"),
            units=_estimate_units("money", "previous", "delta"),
            period=comparison(r.filters))
    out |= {
        "cts_mix": Exhibit(
            "cts_mix", page, t["mix"],
            lambda: charts.channel_mix_chart(r.mix, t["mix"], r.launch_week),
            _cols(r.mix, ["week", "label", "contact_count", "share_pct"]), k["mix"],
            notes=(_(DEFINITIONS["cts_mix"]),),
            n=_n(r.mix[r.mix["week"] == r.mix["week"].iloc[-1]], "contact_count")
            if not r.mix.empty else None,
            excel=("week", ("share_pct",), "label", "line")),
        "cts_repeat_channels": Exhibit(
            "cts_repeat_channels", page, t["repeat_channels"],
            lambda: charts.estimate_bar_chart(r.repeat_channels, "label", t["repeat_channels"],
                                      _("% of contacts")),
            _cols(r.repeat_channels, ["label", "value", "ci_low", "ci_high", "n", "status",
                                      "repeat_count", "repeat_cost"]),
            k["repeat_channels"], notes=(_(DEFINITIONS["cts_repeat"]),),
            n=_n(r.repeat_channels), band=_("95% confidence interval"),
            excel=("label", ("value",), None, "column"),
            units={**_estimate_units("pct"), "repeat_cost": "money"},
            period=weeks_to(r.filters.week_start, r.window_weeks)),
        "cts_repeat_trend": Exhibit(
            "cts_repeat_trend", page, t["repeat_trend"],
            lambda: charts.trend_chart(r.repeat_trend, t["repeat_trend"], _("% of contacts")),
            _cols(r.repeat_trend, ["week", "value", "ci_low", "ci_high", "n", "status",
                                   "repeat_cost"]),
            k["repeat_trend"], notes=(_(DEFINITIONS["cts_repeat"]),), n=_last(r.repeat_trend),
            band=_("95% confidence band"), excel=("week", ("value",), None, "line"),
            units={**_estimate_units("pct"), "repeat_cost": "money"}),
    }
    if r.savings is not None:
        out["cts_waterfall"] = Exhibit(
            "cts_waterfall", page, t["savings"],
            lambda: charts.savings_waterfall(r.waterfall, t["savings"], r.savings_unit),
            _cols(r.waterfall, ["label", "value", "measure"]), k["savings"],
            notes=(cost.describe_method(r),), band=_(OBSERVED), money=True,
            excel=("label", ("value",), None, "column"), units={"value": "money"},
            period=periods.baseline(r.savings.baseline_weeks, r.savings.current_weeks))
    return out


# --- Churn & retention ---------------------------------------------------------------------

SURVIVAL_COLUMNS = ["group", "n", "time_weeks", "survival_pct", "ci_low", "ci_high"]


def _survival_data(groups) -> pd.DataFrame:
    """The Kaplan–Meier curves as drawn: % still active (and its band) at each week."""
    parts = [pd.DataFrame({"group": g.label, "n": g.n, "time_weeks": g.curve["time"],
                           "survival_pct": 100 * g.curve["survival"],
                           "ci_low": 100 * g.curve["ci_low"],
                           "ci_high": 100 * g.curve["ci_high"]})
             for g in groups if g.shown]
    if not parts:
        return pd.DataFrame(columns=SURVIVAL_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SURVIVAL_COLUMNS]


def churn_exhibits(report) -> dict[str, Exhibit]:
    from dashboard.analysis import churn

    r, k, nt, page = report, report.takeaways, report.notes, "Churn & retention"
    everyone = r.monthly[r.monthly["group"] == churn.ALL_LABEL]
    # the segments' rows, or the all-customers rows when there is a single segment
    by = everyone if r.split_note else r.monthly[r.monthly["group"] != churn.ALL_LABEL]
    monthly = ["month", "group", "active", "churned", "value", "ci_low", "ci_high", "status"]
    if r.split_note:
        t_cust, t_rev = _("Monthly churn — customers"), _("Monthly churn — revenue-weighted")
    else:
        t_cust = _("Monthly churn by segment — customers")
        t_rev = _("Monthly churn by segment — revenue-weighted")
    t_coh = _("Cohort retention — % still active")
    t_nps = _("Survival by latest NPS category")
    t_cmp = _("Survival by unresolved complaint at start")
    t_lost = _("Revenue lost to churn — monthly")
    survival = periods.followed(*r.window)
    survival_units = {"time_weeks": "weeks", "ci_low": "pct", "ci_high": "pct"}
    cohort_span = periods.cohorts(r.cohorts)
    return {
        "churn_monthly": Exhibit(
            "churn_monthly", page, t_cust,
            lambda: charts.segment_rate_chart(r.monthly, "value", "ci_low", "ci_high", "status",
                                      t_cust, _("% churned")),
            _cols(r.monthly, monthly), k["monthly"], notes=(nt["monthly"],),
            n=_last(everyone, "active"), band=_("95% confidence band"),
            excel=("month", ("value",), "group", "line"), units=_estimate_units("rate")),
        "churn_monthly_revenue": Exhibit(
            "churn_monthly_revenue", page, t_rev,
            lambda: charts.segment_rate_chart(r.monthly, "rev_value", "rev_low", "rev_high",
                                      "rev_status", t_rev, _("% of revenue churned")),
            _cols(r.monthly, ["month", "group", "revenue_at_start", "revenue_lost",
                              "rev_value", "rev_low", "rev_high", "rev_status"]),
            k["monthly_revenue"], notes=(nt["monthly"],), n=_last(everyone, "active"),
            band=_("95% confidence band"),
            money=True, excel=("month", ("rev_value",), "group", "line"),
            units={"revenue_at_start": "money", "revenue_lost": "money", "rev_value": "rate",
                   "rev_low": "rate", "rev_high": "rate"}),
        "churn_cohorts": Exhibit(
            "churn_cohorts", page, t_coh, lambda: charts.cohort_heatmap(r.cohorts, t_coh),
            _cols(r.cohorts, ["cohort", "months_since_signup", "cohort_size", "active",
                              "value", "status"]),
            k["cohorts"], notes=(nt["cohorts"],),
            n=_n(r.cohorts.drop_duplicates("cohort"), "cohort_size"),
            excel=("months_since_signup", ("value",), "cohort", "line"),
            units={"value": "pct"}, period=cohort_span),
        "churn_km_nps": Exhibit(
            "churn_km_nps", page, t_nps,
            lambda: charts.survival_chart(r.survival_nps, t_nps, mark_week=26),
            _survival_data(r.survival_nps), k["survival_nps"], notes=(nt["survival"],),
            n=sum(g.n for g in r.survival_nps if g.shown),
            band=_("95% confidence band (Kaplan–Meier, log-log)"),
            excel=("time_weeks", ("survival_pct",), "group", "line"), units=survival_units,
            period=survival),
        "churn_km_complaint": Exhibit(
            "churn_km_complaint", page, t_cmp,
            lambda: charts.survival_chart(r.survival_complaint, t_cmp, mark_week=26),
            _survival_data(r.survival_complaint), k["survival_complaint"],
            notes=(nt["survival"],), n=sum(g.n for g in r.survival_complaint if g.shown),
            band=_("95% confidence band (Kaplan–Meier, log-log)"),
            excel=("time_weeks", ("survival_pct",), "group", "line"), units=survival_units,
            period=survival),
        "churn_revenue_lost": Exhibit(
            "churn_revenue_lost", page, t_lost,
            lambda: charts.revenue_lost_chart(by, t_lost, r.currency_symbol),
            _cols(by[by["revenue_lost"].notna()], ["month", "group", "churned", "revenue_lost"]),
            k["revenue_lost"], notes=(nt["money"],), band=_(OBSERVED), money=True,
            n=_last(everyone, "churned"),
            excel=("month", ("revenue_lost",), "group", "column"),
            units={"revenue_lost": "money"}),
    }


# --- Segment comparison --------------------------------------------------------------------

def compare_exhibits(report) -> dict[str, Exhibit]:
    r, page = report, "Segment comparison"
    if not r.metric_applies:
        return {}
    m = r.metric
    unit = numbers.metric_unit(m)
    return {
        "cmp_ranking_chart": Exhibit(
            "cmp_ranking_chart", page, r.ranking_title,
            lambda: charts.ranking_chart(r.ranking, r.ranking_title, m.unit,
                                 highlight=r.selection.groups),
            _cols(r.ranking, ["rank", "group", "value", "ci_low", "ci_high", "n", "status"]),
            r.ranking_takeaway, notes=(m.definition, r.scope), n=_n(r.ranking),
            band=_("95% confidence interval"),
            excel=("group", ("value",), None, "column"), needs=m.tables,
            units=_estimate_units(unit), period=r.filters.week),
        "cmp_trend": Exhibit(
            "cmp_trend", page, r.trend_title,
            lambda: charts.group_trend_chart(r.trend, r.trend_title, m.unit,
                                             band=m.kind == "survey"),
            _cols(r.trend, ["group", "week", "value", "ci_low", "ci_high", "n", "status"]),
            r.trend_takeaway, notes=(m.definition, r.scope),
            n=_n(r.trend[r.trend["week"] == r.trend["week"].iloc[-1]])
            if not r.trend.empty else None,
            band=_("95% confidence band") if m.kind == "survey" else None,
            excel=("week", ("value",), "group", "line"), needs=m.tables,
            units=_estimate_units(unit)),
    }


# --- CX in money ---------------------------------------------------------------------------

def money_exhibits(report) -> dict[str, Exhibit]:
    from dashboard.money.inputs import ALL

    r, t, k, nt, page = report, report.titles, report.takeaways, report.notes, "CX in money"
    out = {}
    if not r.split_note:  # a single segment: no chart by segment
        out["money_clv_chart"] = Exhibit(
            "money_clv_chart", page, t["clv"],
            lambda: charts.band_bar_chart(  # the all-segments bar named in words
                r.clv.assign(segment=r.clv["segment"].replace({ALL: _(ALL)})), "segment",
                t["clv"], t["clv_axis"]),
            _cols(r.clv.assign(churn_rate_pct=100 * r.clv["churn_rate"]),
                  ["segment", "customers", "value", "low", "high", "churn_rate_pct",
                   "margin_per_year"]),
            k["clv"], notes=(nt["clv"], nt["kinds"]), band=_("P10–P90 band (modelled)"),
            n=_n(r.clv[r.clv["segment"] == ALL], "customers"),
            money=True, excel=("segment", ("value", "low", "high"), None, "column"),
            units=dict.fromkeys(("value", "low", "high", "margin_per_year"), "money"),
            period=_("data {window}", window=r.window))
    p = r.programme
    if p is not None:
        for outcome in ("nps", "fcr", "cts"):
            key, weekly = f"money_did_{outcome}", r.did_weekly(outcome)
            out[key] = Exhibit(
                key, page, t[f"did_{outcome}"],
                lambda weekly=weekly, outcome=outcome: charts.did_chart(
                    weekly, t[f"did_{outcome}"], t[f"did_{outcome}_axis"], p.before_k,
                    p.after_k),
                _cols(weekly, ["week", "weeks_since_start", "label", "value"]),
                k["programme"], notes=(nt["programme"],), money=outcome == "cts",
                band=_("{observed}; the effect's 95% interval is in the takeaway",
                       observed=_(OBSERVED)) if outcome == "cts" else None,
                excel=("week", ("value",), "label", "line"),
                units={"value": {"nps": "score", "fcr": "pct", "cts": "money"}[outcome]})
    return out


# --- Impact simulator ----------------------------------------------------------------------

def simulator_exhibits(result, values: pd.DataFrame, levers, split_note: str = "",
                       period: str | None = None) -> dict[str, Exhibit]:
    """The simulator's charts; ``period`` is the data window the estimates come from."""
    from dashboard.money import sim_texts
    from dashboard.money import simulate as sim

    page, titles = "Impact simulator", sim_texts.chart_titles(result)
    band = _("P10–P90 of {draws} draws (modelled)",
             draws=written(f"{sim.DEFAULT_DRAWS:,}"))
    out = {}
    if not levers.is_zero:
        draws = pd.DataFrame({"profit_impact": result.samples["profit_impact"]})
        out["sim_tornado"] = Exhibit(
            "sim_tornado", page, titles["tornado"],
            lambda: charts.tornado_chart(result.tornado, titles["tornado"], titles["axis"]),
            result.tornado.reset_index(drop=True), sim_texts.tornado_takeaway(result),
            notes=(sim_texts.method_note(result),), money=True, band=band, period=period,
            units=dict.fromkeys(("profit_low", "profit_high", "swing", "base"), "money"))
        out["sim_draws"] = Exhibit(
            "sim_draws", page, titles["draws"],
            lambda: charts.simulation_histogram(result.samples["profit_impact"], titles["draws"],
                                        titles["axis"],
                                        threshold=levers.programme_cost or None),
            draws, sim_texts.distribution_takeaway(result), notes=(sim_texts.method_note(result),),
            n=len(draws), money=True, band=band, period=period,
            units={"profit_impact": "money"})
    if split_note:  # a single segment: no chart by segment
        return out
    title = sim_texts.point_values_title(result)
    out["sim_point_values"] = Exhibit(
        "sim_point_values", page, title,
        lambda: charts.value_band_chart(values, "segment", title, titles["axis"]),
        values.reset_index(drop=True), sim_texts.point_values_takeaway(values, result),
        notes=(sim_texts.method_note(result),), money=True, band=band, period=period,
        units=dict.fromkeys(("value", "low", "high"), "money"))
    return out


# --- The pack's view of every page: default controls, no session -----------------------------

Builder = Callable[..., list[Exhibit]]


def _kpis(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.metrics import kpis

    return list(kpi_exhibits(kpis.build_report(fetch, filters)).values())


def _satisfaction(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.analysis import satisfaction

    view = satisfaction.default_view(dimensions.load(fetch))
    r = satisfaction.build_report(fetch, filters, view)
    return list(satisfaction_exhibits(r, filters).values())


def _complaints(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.analysis import complaints

    return list(complaints_exhibits(complaints.build_report(fetch, filters)).values())


def _cost(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.analysis import cost

    return list(cost_exhibits(cost.build_report(fetch, filters)).values())


def _churn(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.analysis import churn

    return list(churn_exhibits(churn.build_report(fetch, filters)).values())


def _segments(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.analysis import compare

    options = compare.load_options(fetch)
    offered_dims = compare.dimension_choices(options)
    if not offered_dims:  # no dimension with two groups: nothing to compare
        return []
    dim = offered_dims[0]
    offered = compare.loaded_metrics(cov.load(fetch))
    metric = (offered or compare.COMPARE_METRICS)[0].name
    groups = compare.default_groups(compare.group_sizes(fetch, filters, dim, metric),
                                    options[dim])
    sel = compare.Selection(dim, groups, metric)
    return list(compare_exhibits(compare.build_comparison(fetch, filters, sel,
                                                          options)).values())


def _money(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.money import value

    return list(money_exhibits(value.build_report(fetch, filters, aset)).values())


def _simulator(fetch, filters, aset) -> list[Exhibit]:
    from dashboard.money import inputs as money
    from dashboard.money import simulate as sim
    from dashboard.money import whatif

    inputs = money.fetch_inputs(fetch, filters, aset)
    estimates = money.category_estimates(inputs)
    levers = whatif.Levers()
    result = sim.simulate(estimates, inputs, levers)
    values = sim.point_values(estimates, inputs, levers.migration_rule, levers.horizon_years)
    dims = dimensions.load(fetch)
    split_note = dims.no_split("segment")
    return list(simulator_exhibits(result, values, levers, split_note,
                                   _("data {window}", window=inputs.window_text)).values())


#: Page title → builder, in the app's order (Assumptions has no chart: it closes every pack).
PAGES: Mapping[str, Builder] = {
    "Weekly KPIs": _kpis, "Satisfaction": _satisfaction, "Complaints": _complaints,
    "Cost to serve": _cost, "Churn & retention": _churn, "Segment comparison": _segments,
    "CX in money": _money, "Impact simulator": _simulator,
}

#: A short name of every chart for pickers (the charts' own titles carry week and scope).
LABELS: Mapping[str, str] = {
    "trend_nps": N_("NPS trend"),
    "trend_csat": N_("CSAT trend"),
    "trend_ces": N_("CES trend"),
    "trend_complaint_rate": N_("Complaint rate trend"),
    "trend_churn_rate_4w": N_("Churn rate trend"),
    "trend_cost_to_serve": N_("Cost to serve trend"),
    "trend_revenue": N_("Revenue trend"),
    "sat_trend": N_("Score trend by group"),
    "sat_mix": N_("NPS mix"),
    "sat_distribution": N_("Score distribution"),
    "sat_gap": N_("Expectation gap by touchpoint"),
    "cmp_volume": N_("Complaint volume and rate"),
    "cmp_pareto": N_("Complaint categories (Pareto)"),
    "cmp_severity": N_("Severity mix"),
    "cmp_resolution": N_("Time to resolution"),
    "cmp_backlog": N_("Open backlog by age"),
    "cmp_recovery_retention": N_("Recovery: retention"),
    "cmp_recovery_nps": N_("Recovery: next NPS"),
    "cmp_compensation": N_("Compensation"),
    "cts_channels": N_("Contacts and cost by channel"),
    "cts_segments": N_("Cost to serve by segment"),
    "cts_mix": N_("Channel mix over time"),
    "cts_repeat_channels": N_("Repeat contacts by channel"),
    "cts_repeat_trend": N_("Repeat-contact trend"),
    "cts_waterfall": N_("Savings waterfall"),
    "churn_monthly": N_("Monthly churn by segment"),
    "churn_monthly_revenue": N_("Revenue-weighted churn"),
    "churn_cohorts": N_("Cohort retention"),
    "churn_km_nps": N_("Survival by NPS category"),
    "churn_km_complaint": N_("Survival by open complaint"),
    "churn_revenue_lost": N_("Revenue lost to churn"),
    "cmp_ranking_chart": N_("Segment ranking"),
    "cmp_trend": N_("Segment trend"),
    "money_clv_chart": N_("Lifetime value by segment"),
    "money_did_nps": N_("Programme: NPS"),
    "money_did_fcr": N_("Programme: first-contact resolution"),
    "money_did_cts": N_("Programme: cost to serve"),
    "sim_point_values": N_("Value of one NPS point"),
}

#: The executive set: the default pack (ten charts across six pages).
EXECUTIVE: tuple[str, ...] = (
    "trend_nps", "trend_csat", "trend_complaint_rate", "trend_cost_to_serve", "sat_gap",
    "cmp_pareto", "cts_channels", "cts_mix", "churn_monthly", "money_clv_chart",
)


@dataclass
class Catalogue:
    """Every exhibit the pack can hold for one selection, page by page (built lazily)."""

    fetch: Callable
    filters: Filters
    aset: object
    coverage: Coverage | None = None
    built: dict[str, list[Exhibit]] = field(default_factory=dict)
    missing: tuple[str, ...] = field(default=(), init=False)
    #: chart key → the tables it needs that hold no rows (left out of the pack, listed)
    not_loaded: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.coverage = cov.resolve(self.coverage, self.fetch)

    def page(self, title: str) -> list[Exhibit]:
        """The page's exhibits whose tables are loaded (none when its main table is not)."""
        if title not in PAGES:
            raise KeyError(f"unknown page {title!r}: known are {', '.join(PAGES)}")
        if title not in self.built:
            gone = self.coverage.missing(PAGE_NEEDS.get(title, ()))
            if gone:
                self.not_loaded.update({k: gone for k in PAGE_KEYS[title]})
                self.built[title] = []
            else:
                drawn = PAGES[title](self.fetch, self.filters, self.aset)
                for e in drawn:
                    if self.coverage.missing(e.tables):
                        self.not_loaded[e.key] = self.coverage.missing(e.tables)
                self.built[title] = [e for e in drawn if e.key not in self.not_loaded]
        return self.built[title]

    def not_loaded_list(self, keys: tuple[str, ...] = (), pages: tuple[str, ...] = ()
                        ) -> list[dict[str, str]]:
        """The chosen charts left out because a table they need holds no rows: key, label and
        the message, in the app's order (for the title slide and ``pack --json``)."""
        wanted = set(keys) | {k for p in pages for k in PAGE_KEYS[p]}
        return [{"chart": k, "label": _("{page} — {chart}", page=_(owner_pages()[k]),
                                        chart=_(LABELS[k]) if k in LABELS else k),
                 "message": cov.message(gone)}
                for k, gone in self.not_loaded.items() if k in wanted]

    def iter_select(self, keys: tuple[str, ...] = (), pages: tuple[str, ...] = ()):
        """The exhibits of the listed pages (all their charts) and of the listed keys, in the
        app's page order, each page computed only when reached; an unknown key is an error
        naming it. Keys the selection does not draw (e.g. no programme in the filtered
        segments) are listed in ``missing`` once the iteration is over."""
        wanted = set(keys)
        owners = owner_pages()
        unknown = unknown_keys(keys)
        if unknown:
            raise KeyError(f"unknown chart(s) {', '.join(unknown)}")
        drawn = set()
        for title in PAGES:
            if title in pages:
                chosen = self.page(title)
            elif any(owners[k] == title for k in wanted):
                chosen = [e for e in self.page(title) if e.key in wanted]
            else:
                continue
            for e in chosen:
                drawn.add(e.key)
                yield e
        self.missing = tuple(k for k in keys if k not in drawn and k not in self.not_loaded)

    def select(self, keys: tuple[str, ...] = (), pages: tuple[str, ...] = ()) -> list[Exhibit]:
        """``iter_select`` as a list."""
        return list(self.iter_select(keys, pages))


def not_loaded_lines(entries: list[dict[str, str]]) -> list[str]:
    """The charts left out as not loaded, one line per message: "Not loaded, left out: NPS
    trend, CSAT trend (no survey data loaded — load survey responses on the Data page)"."""
    by_message: dict[str, list[str]] = {}
    for e in entries:
        by_message.setdefault(e["message"], []).append(
            _(LABELS[e["chart"]]) if e["chart"] in LABELS else e["chart"])
    return [_("Not loaded, left out: {charts} ({message})", charts=_(", ").join(labels),
              message=message) for message, labels in by_message.items()]
