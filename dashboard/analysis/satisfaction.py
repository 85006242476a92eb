"""The Satisfaction page's logic: how customers feel, where, and whether it is changing.

One function, ``build_report``, turns the shared filters and the page's view (split dimension,
grain, score) into a frozen ``SatisfactionReport``: headline tiles, trends by group with 95%
intervals, the NPS mix, the score distribution, the expectation gap by touchpoint and the
significant movers (Benjamini–Hochberg across the groups tested). Pure: no Streamlit.

Scores use the metric registry (``metrics.registry.REGISTRY``), so a value here equals the
value of the Weekly KPIs page for the same customers and week.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from dashboard.analysis.satisfaction_gap import expectation_gap, gap_takeaway
from dashboard.i18n import N_, _, ngettext
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import FilterError, Filters, week_label
from dashboard.metrics.kpis import Comparison
from dashboard.metrics.registry import REGISTRY, Metric, format_delta, format_value
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config, weeks
from dashboard.warehouse.catalog import Fetch

#: The split dimensions a user may choose: the identifier allowlist (value -> label).
SPLITS: dict[str, str] = {
    "segment": N_("Segment"),
    "region": N_("Region"),
    "plan": N_("Plan"),
    "journey_stage": N_("Journey stage"),
    "touchpoint": N_("Touchpoint"),
    "channel": N_("Channel"),
}
#: One value of each split dimension in a sentence ("No region moved …").
_NOUNS = {"segment": N_("segment"), "region": N_("region"), "plan": N_("plan"),
          "journey_stage": N_("journey stage"), "touchpoint": N_("touchpoint"),
          "channel": N_("channel")}
#: Plural nouns of the split dimensions, for sentences after a count ("2 of 5 regions …").
_PLURALS = {"segment": N_("segments"), "region": N_("regions"), "plan": N_("plans"),
            "journey_stage": N_("journey stages"), "touchpoint": N_("touchpoints"),
            "channel": N_("channels")}
GRAINS: dict[str, str] = {"week": N_("Weekly"), "month": N_("Monthly")}
#: The survey scores the page shows, by registry name (equal to the survey name).
SCORES: dict[str, str] = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
#: Periods in a trend window, by grain (the window ends with the selected week).
TREND_PERIODS: dict[str, int] = {"week": 26, "month": 12}
#: Label of the all-groups line (the filtered customers as a whole).
OVERALL = "All (filtered)"
DEFAULT_SPLIT = "region"

COUNT_COLUMNS = ("response_count", "promoter_count", "passive_count", "detractor_count",
                 "top2_count", "top3_count", "score_sum", "score_sq_sum")
QUERIES = ("sat_scores_trend", "sat_scores_two_weeks", "sat_score_distribution",
           "sat_expectation_gap")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NPS_CATEGORIES = (("detractor", N_("Detractors (0–6)")), ("passive", N_("Passives (7–8)")),
                  ("promoter", N_("Promoters (9–10)")))


# --- the view (page-level choices) and the window ---


@dataclass(frozen=True)
class View:
    """The page's own choices: which dimension to split by, at which grain, for which score."""

    split: str = DEFAULT_SPLIT
    grain: str = "week"
    score: str = "nps"

    def __post_init__(self) -> None:
        for value, allowed, what in ((self.split, SPLITS, "split"), (self.grain, GRAINS, "grain"),
                                     (self.score, SCORES, "score")):
            if value not in allowed:
                raise FilterError(f"bad {what} {value!r}: choose one of {', '.join(allowed)}")

    @property
    def split_label(self) -> str:
        """'Region', 'Journey stage' … (in the current language)."""
        return _(SPLITS[self.split])

    @property
    def split_noun(self) -> str:
        """'region', 'journey stage' … in a sentence (in the current language)."""
        return _(_NOUNS[self.split])

    @property
    def split_plural(self) -> str:
        """'regions', 'journey stages' … (in the current language)."""
        return _(_PLURALS[self.split])

    @property
    def metric(self) -> Metric:
        """The registry metric of the chosen score."""
        return REGISTRY[self.score]


def split_choices(dims: dimensions.Dimensions) -> dict[str, str]:
    """The splits the data allow (dimensions with two values or more), value -> label (in
    the current language)."""
    return {k: _(v) for k, v in SPLITS.items() if dims.splits(k)}


def default_view(dims: dimensions.Dimensions) -> View:
    """The page's default view: split by region, or by the first split the data allow."""
    choices = split_choices(dims)
    split = DEFAULT_SPLIT if DEFAULT_SPLIT in choices or not choices else next(iter(choices))
    return View(split=split)


def month_start(d: date) -> date:
    """The first day of ``d``'s month (Gregorian, or Jalali: as the warehouse counts months)."""
    return weeks.month_start(d)


def add_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``d``'s month."""
    return weeks.add_months(d, months)


def month_label(start: date, through: date | None = None) -> str:
    """'Oct 2026', or 'Oct 2026 (to 18 Oct)' when the data stop before the month ends (in
    Jalali months: 'Aban 1405 (to 18 Aban)')."""
    cut = through is not None and through < add_months(start, 1) - timedelta(days=1)
    if weeks.current_months() == "jalali":
        from dashboard.i18n import calendar

        label = weeks.month_display(start, "en", "jalali")
        if cut:
            j = calendar.jalali(through)
            label += f" (to {j.day} {calendar.MONTHS_EN[j.month - 1]})"
        return label
    label = f"{_MONTHS[start.month - 1]} {start.year}"
    if cut:
        label += f" (to {through.day} {_MONTHS[through.month - 1]})"
    return label


@dataclass(frozen=True)
class Window:
    """The trend window: bound query dates and the ordered periods (start, label)."""

    grain: str
    week_from: date
    week_to: date
    month_from: date
    month_to: date
    periods: tuple[tuple[date, str], ...]

    def params(self) -> dict[str, date]:
        """The window as bound query parameters."""
        return {"week_from": self.week_from, "week_to": self.week_to,
                "month_from": self.month_from, "month_to": self.month_to}

    @property
    def span(self) -> str:
        """'26 weeks' or '12 months'."""
        n = len(self.periods)
        if self.grain == "week":
            return ngettext("{count} week", "{count} weeks", n, count=display.number(n, 0))
        return ngettext("{count} month", "{count} months", n, count=display.number(n, 0))


def trend_window(week_start: date, grain: str) -> Window:
    """The window ending with the selected week.

    Weekly: the ``TREND_PERIODS['week']`` weeks ending with it. Monthly: the
    ``TREND_PERIODS['month']`` months (Gregorian, or Jalali: as the warehouse counts months)
    ending with the month of its first day, counting answers up to its last day only (the last
    month is then labelled 'to <day>').
    """
    count = TREND_PERIODS[grain]
    if grain == "week":
        first = week_start - timedelta(weeks=count - 1)
        periods = tuple((first + timedelta(weeks=k), week_label(first + timedelta(weeks=k)))
                        for k in range(count))
        return Window(grain, first, week_start, month_start(first),
                      month_start(week_start + timedelta(days=6)), periods)
    last = month_start(week_start)
    first = add_months(last, -(count - 1))
    through = week_start + timedelta(days=6)
    starts = [add_months(first, k) for k in range(count)]
    periods = tuple((s, month_label(s, through if s == last else None)) for s in starts)
    return Window(grain, weeks.first_day(first), week_start, first, last, periods)


# --- from count rows to estimates ---


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


def aggregate_periods(df: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Sum ``sat_scores_trend`` rows (week x month x group x survey) to the grain's periods.

    Returns one row per period_start x group_value x survey with the count columns; a week
    split across two months counts once in each weekly total and in each calendar month.
    """
    if grain not in GRAINS:
        raise FilterError(f"bad grain {grain!r}")
    cols = ["period_start", "group_value", "survey", *COUNT_COLUMNS]
    if df.empty:
        return pd.DataFrame(columns=cols)
    out = df.assign(period_start=_dates(df["week_start" if grain == "week" else "month_start"]))
    out = out.groupby(["period_start", "group_value", "survey"], as_index=False)[
        list(COUNT_COLUMNS)].sum()
    return out[cols]


def score_inputs(row: Mapping[str, Any]) -> dict[str, float]:
    """One survey's counts as the registry's week inputs (``nps_*``, ``csat_*``, ``ces_*``)."""
    def get(name: str) -> float:
        value = row.get(name, 0.0)
        return 0.0 if value is None or pd.isna(value) else float(value)

    n = get("response_count")
    return {
        "nps_promoters": get("promoter_count"), "nps_passives": get("passive_count"),
        "nps_detractors": get("detractor_count"),
        "csat_n": n, "csat_top2": get("top2_count"), "csat_sum": get("score_sum"),
        "ces_n": n, "ces_sum": get("score_sum"), "ces_sq": get("score_sq_sum"),
        "ces_top3": get("top3_count"),
    }


def estimate(score: str, row: Mapping[str, Any] | None) -> Estimate:
    """The registry estimate of one score from a counts row (withheld when there is none)."""
    if row is None or not row.get("response_count"):
        return stats.withheld(0)
    return REGISTRY[score].estimate(score_inputs(row))


def _index(df: pd.DataFrame, keys: list[str], survey: str) -> dict[tuple, dict[str, Any]]:
    sub = df[df["survey"] == survey]
    return {tuple(r[k] for k in keys): r for r in sub.to_dict("records")}


def _overall(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum the groups back to the filtered customers as a whole (each answer is in one group)."""
    if df.empty:
        return df.assign(group_value=pd.Series(dtype=object))
    out = df.groupby([by, "survey"], as_index=False)[list(COUNT_COLUMNS)].sum()
    return out.assign(group_value=OVERALL)


def _est_row(group: str, start: date, label: str, est: Estimate) -> dict[str, Any]:
    return {"group": group, "period_start": start, "period": label, "value": est.value,
            "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n, "status": est.status}


def trend_frame(periods: pd.DataFrame, score: str, window: Window,
                by_group: bool = True) -> pd.DataFrame:
    """The score per period for the filtered customers (``OVERALL``) and each group (none
    when ``by_group`` is false: the split has a single value).

    Every period of the window appears for every group; bases under ``MIN_BASE`` (and empty
    periods) have value None, so lines show gaps there. Groups are in alphabetical order after
    ``OVERALL``.
    """
    both = pd.concat([_overall(periods, "period_start"), periods], ignore_index=True)
    rows = _index(both, ["group_value", "period_start"], score)
    groups = sorted({str(g) for g in periods.loc[periods["survey"] == score, "group_value"]}
                    ) if by_group else []
    out = [_est_row(g, start, label, estimate(score, rows.get((g, start))))
           for g in (OVERALL, *groups) for start, label in window.periods]
    return pd.DataFrame(out, columns=["group", "period_start", "period", "value", "ci_low",
                                      "ci_high", "n", "status"])


def _pooled(periods: pd.DataFrame, score: str, group: str, starts: list[date]) -> Estimate:
    sub = periods[(periods["survey"] == score) & periods["period_start"].isin(starts)]
    if group != OVERALL:
        sub = sub[sub["group_value"] == group]
    if sub.empty:
        return stats.withheld(0)
    return estimate(score, sub[list(COUNT_COLUMNS)].sum().to_dict())


def _fmt_n(n: int) -> str:
    return display.number(n, 0)


def signed(x: float, digits: int = 2) -> str:
    """A signed number with a true minus sign: '+0.12', '−0.57'."""
    return display.signed(x, digits)


def trend_takeaway(trend: pd.DataFrame, periods: pd.DataFrame, view: View,
                   window: Window) -> str:
    """The group whose latest value lies furthest from its pooled value over the earlier periods.

    Descriptive (no test): only groups with a full base (n >= LOW_BASE) in the latest period
    are considered; names the group, both values, the change and both bases.
    """
    m = view.metric
    last_start, last_label = window.periods[-1]
    earlier = [s for s, _ in window.periods[:-1]]
    latest = trend[trend["period_start"] == last_start].set_index("group")
    best: tuple[float, str, Estimate, Estimate] | None = None
    for group, row in latest.iterrows():
        if row["status"] != "ok":
            continue
        before = _pooled(periods, view.score, str(group), earlier)
        if not before.shown:
            continue
        delta = float(row["value"]) - float(before.value)
        cur = Estimate(float(row["value"]), int(row["n"]))
        if best is None or abs(delta) > abs(best[0]):
            best = (delta, str(group), cur, before)
    if best is None:
        n_all = int(latest.loc[OVERALL, "n"]) if OVERALL in latest.index else 0
        return _("No line has a base of {least} in {period} and earlier answers to compare "
                 "with (all customers in the filter: n = {n}).",
                 least=_fmt_n(config.LOW_BASE), period=last_label, n=_fmt_n(n_all))
    delta, group, cur, before = best
    values = {"change": format_delta(delta, m), "value": format_value(cur.value, m.fmt),
              "period": last_label, "n": _fmt_n(cur.n),
              "before": format_value(before.value, m.fmt), "n_before": _fmt_n(before.n),
              "count": _fmt_n(len(earlier)), "group": group}
    if group == OVERALL:
        if window.grain == "week":
            return _("All customers in the filter moved most against the previous {count} "
                     "weeks: {change}, with {value} in {period} (n = {n}) against {before} "
                     "pooled over the earlier weeks (n = {n_before}).", **values)
        return _("All customers in the filter moved most against the previous {count} months: "
                 "{change}, with {value} in {period} (n = {n}) against {before} pooled over "
                 "the earlier months (n = {n_before}).", **values)
    if window.grain == "week":
        return _("{group} moved most against the previous {count} weeks: {change}, with "
                 "{value} in {period} (n = {n}) against {before} pooled over the earlier weeks "
                 "(n = {n_before}).", **values)
    return _("{group} moved most against the previous {count} months: {change}, with {value} "
             "in {period} (n = {n}) against {before} pooled over the earlier months "
             "(n = {n_before}).", **values)


# --- NPS mix over time ---


def nps_mix(periods: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Detractor, passive and promoter shares of NPS answers per period (filtered customers).

    One row per period x category; shares are None where the period's base is under MIN_BASE.
    """
    overall = _index(_overall(periods, "period_start"), ["period_start"], "nps")
    rows = []
    for start, label in window.periods:
        r = overall.get((start,))
        n = int(r["response_count"]) if r is not None else 0
        status = stats.base_status(n)
        for cat, cat_label in NPS_CATEGORIES:
            count = int(r[f"{cat}_count"]) if r is not None else 0
            share = 100 * count / n if n and status != "withheld" else None
            rows.append({"period_start": start, "period": label, "category": cat,
                         "category_label": _(cat_label), "count": count if share is not None
                         else None, "share_pct": share, "n": n, "status": status})
    return pd.DataFrame(rows, columns=["period_start", "period", "category", "category_label",
                                       "count", "share_pct", "n", "status"])


def mix_takeaway(mix: pd.DataFrame, periods: pd.DataFrame, window: Window) -> str:
    """Detractor share in the latest period against the pooled share over the earlier ones."""
    last_start, last_label = window.periods[-1]
    cur = mix[(mix["period_start"] == last_start) & (mix["category"] == "detractor")].iloc[0]
    earlier = [s for s, _ in window.periods[:-1]]
    before = _pooled(periods, "nps", OVERALL, earlier)
    if cur["share_pct"] is None or pd.isna(cur["share_pct"]):
        return _("The NPS base in {period} is n = {n}, under {least}: the mix is withheld.",
                 period=last_label, n=_fmt_n(int(cur["n"])), least=_fmt_n(config.MIN_BASE))
    values = {"share": display.percent(cur["share_pct"], 1), "period": last_label,
              "n": _fmt_n(int(cur["n"]))}
    if not before.shown:
        return _("Detractors were {share} of NPS answers in {period}, n = {n}.", **values)
    values.update(before=display.percent(before.detail["detractors_pct"], 1),
                  count=_fmt_n(len(earlier)), n_before=_fmt_n(before.n))
    if window.grain == "week":
        return _("Detractors were {share} of NPS answers in {period}, n = {n}, against {before} "
                 "over the previous {count} weeks (n = {n_before}).", **values)
    return _("Detractors were {share} of NPS answers in {period}, n = {n}, against {before} "
             "over the previous {count} months (n = {n_before}).", **values)


# --- score distribution ---

_BUCKETS: dict[str, tuple[str, Callable[[int, int, int], bool]]] = {
    "nps": (N_("scored 0–6 (detractors)"), lambda s, lo, hi: s <= 6),
    "csat": (N_("gave the top two boxes"), lambda s, lo, hi: s >= hi - 1),
    "ces": (N_("found it easy (top three boxes)"), lambda s, lo, hi: s >= hi - 2),
}


def distribution(dist: pd.DataFrame, score: str, filters: Filters
                 ) -> tuple[pd.DataFrame, tuple[int, int] | None]:
    """Share of answers at each score, selected week and comparison week, on the survey's
    most used scale (answers on other scales are left out and counted in ``other_scale``).

    Returns the frame (week, week_start, score, count, n, share_pct, status, other_scale) and
    the scale shown.
    """
    cols = ["week", "week_start", "score", "count", "n", "share_pct", "status", "other_scale"]
    sub = dist[dist["survey"] == score]
    if sub.empty:
        return pd.DataFrame(columns=cols), None
    sub = sub.assign(week_start=_dates(sub["week_start"]))
    by_scale = sub.groupby(["scale_min", "scale_max"])["response_count"].sum()
    lo, hi = (int(x) for x in by_scale.idxmax())
    rows = []
    for wk in (filters.compare_start, filters.week_start):
        this = sub[sub["week_start"] == wk]
        on = this[(this["scale_min"] == lo) & (this["scale_max"] == hi)]
        counts = dict(zip(on["score"].astype(int), on["response_count"].astype(int),
                          strict=True))
        n = sum(counts.values())
        other = int(this["response_count"].sum()) - n
        status = stats.base_status(n)
        for s in range(lo, hi + 1):
            share = 100 * counts.get(s, 0) / n if n and status != "withheld" else None
            rows.append({"week": week_label(wk), "week_start": wk, "score": s,
                         "count": counts.get(s, 0), "n": n, "share_pct": share,
                         "status": status, "other_scale": other})
    return pd.DataFrame(rows, columns=cols), (lo, hi)


def _bucket_share(df: pd.DataFrame, score: str, scale: tuple[int, int]) -> float | None:
    if df["share_pct"].isna().all():
        return None
    test = _BUCKETS[score][1]
    return float(df.loc[[test(int(s), *scale) for s in df["score"]], "share_pct"].sum())


def distribution_takeaway(df: pd.DataFrame, score: str, scale: tuple[int, int] | None,
                          filters: Filters) -> str:
    """The share in the score's key bucket, both weeks, and the most common score this week."""
    label = SCORES[score]
    if scale is None:
        return _("No {score} answers in {week} or {compare_week}.", score=label,
                 week=filters.week_name, compare_week=filters.compare_week_name)
    cur = df[df["week"] == filters.week]
    prev = df[df["week"] == filters.compare_week]
    n_cur, n_prev = int(cur["n"].iloc[0]), int(prev["n"].iloc[0])
    share_cur = _bucket_share(cur, score, scale)
    if share_cur is None:
        return _("{score} answers in {week}: n = {n}, under {least}; distribution withheld.",
                 score=label, week=filters.week_name, n=_fmt_n(n_cur),
                 least=_fmt_n(config.MIN_BASE))
    top = cur.loc[cur["share_pct"].idxmax()]
    values = {"week": filters.week_name, "share": display.percent(share_cur, 1),
              "what": _(_BUCKETS[score][0]), "n": _fmt_n(n_cur),
              "top": display.number(int(top["score"]), 0),
              "top_share": display.percent(top["share_pct"], 1),
              "low": display.number(scale[0], 0), "high": display.number(scale[1], 0)}
    share_prev = _bucket_share(prev, score, scale)
    if share_prev is None:
        return _("In {week}, {share} {what}, n = {n}; the most common score was {top} "
                 "({top_share}), on the {low}–{high} scale.", **values)
    return _("In {week}, {share} {what}, n = {n}, against {before} in {compare_week} "
             "(n = {n_before}); the most common score was {top} ({top_share}), on the "
             "{low}–{high} scale.", before=display.percent(share_prev, 1),
             compare_week=filters.compare_week_name, n_before=_fmt_n(n_prev), **values)


# --- movers: groups whose score changed between the two weeks, BH-corrected ---


def movers(two_weeks: pd.DataFrame, score: str, filters: Filters) -> pd.DataFrame:
    """Each group's score in the selected and the comparison week, change and corrected test.

    The selected week's value carries its 95% interval (``ci_week`` as text; ``ci_low_week``
    and ``ci_high_week`` as numbers).

    A group is tested when both weeks have at least MIN_BASE answers; Benjamini–Hochberg runs
    across all groups tested; a change is significant when the adjusted p is below ALPHA and
    both bases reach LOW_BASE. Significant groups come first (smallest adjusted p), then the
    other tested groups by raw p, then the untested ones.
    """
    cols = ["group", "n_week", "n_compare", "value_week", "ci_week", "value_compare", "delta",
            "p_value", "p_adjusted", "significant", "verdict", "ci_low_week", "ci_high_week"]
    metric = REGISTRY[score]
    df = two_weeks.assign(week_start=_dates(two_weeks["week_start"]))
    rows = _index(df, ["group_value", "week_start"], score)
    groups = sorted({str(g) for g in df.loc[df["survey"] == score, "group_value"]})
    parts = []
    for g in groups:
        a, b = rows.get((g, filters.week_start)), rows.get((g, filters.compare_start))
        cur, prev = estimate(score, a), estimate(score, b)
        p = None
        if cur.shown and prev.shown:
            p = metric.test(score_inputs(a), score_inputs(b))
        parts.append((g, cur, prev, p))
    tested = [i for i, part in enumerate(parts) if part[3] is not None]
    adjusted = dict(zip(tested, stats.benjamini_hochberg([parts[i][3] for i in tested]),
                        strict=True))
    out = []
    for i, (g, cur, prev, p) in enumerate(parts):
        p_adj = adjusted.get(i)
        delta = cur.value - prev.value if p is not None else None
        low = cur.status == "low_base" or prev.status == "low_base"
        sig = p_adj is not None and p_adj < config.ALPHA and not low
        if p is None:
            verdict = _("Insufficient base (n < 30)")
        elif low:
            verdict = _("Low base (n < 100): not judged")
        elif sig:
            verdict = _("Better") if (delta > 0) == metric.higher_is_better else _("Worse")
        else:
            verdict = _("Within noise")
        ci = (display.between(format_value(cur.ci_low, metric.fmt),
                              format_value(cur.ci_high, metric.fmt))
              if cur.shown else "—")
        out.append({"group": g, "n_week": cur.n, "n_compare": prev.n,
                    "value_week": cur.value, "ci_week": ci, "value_compare": prev.value,
                    "delta": delta,
                    "p_value": p, "p_adjusted": p_adj, "significant": sig,
                    "verdict": verdict,
                    # the interval as numbers too (the table's CSV; not a column shown)
                    "ci_low_week": cur.ci_low if cur.shown else None,
                    "ci_high_week": cur.ci_high if cur.shown else None})
    frame = pd.DataFrame(out, columns=cols)
    numeric = ["value_week", "value_compare", "delta", "p_value", "p_adjusted", "ci_low_week",
               "ci_high_week"]
    frame[numeric] = frame[numeric].astype(float)
    if frame.empty:
        return frame
    order = frame.assign(
        _rank=[0 if s else (1 if pd.notna(p) else 2)
               for s, p in zip(frame["significant"], frame["p_value"], strict=True)],
        _p=frame["p_adjusted"].fillna(2.0),
    ).sort_values(["_rank", "_p", "group"], kind="stable")
    return order[cols].reset_index(drop=True)


def movers_takeaway(table: pd.DataFrame, view: View, filters: Filters) -> str:
    """How many groups moved significantly, led by the largest significant change."""
    m = view.metric
    tested = int(table["p_value"].notna().sum()) if not table.empty else 0
    total = len(table)
    if tested == 0:
        return _("No {split} has {least} {score} answers in both {week} and {compare_week}: "
                 "nothing to test.", split=view.split_noun, least=_fmt_n(config.MIN_BASE),
                 score=m.label, week=filters.week_name, compare_week=filters.compare_week_name)
    sig = table[table["significant"]]
    if sig.empty:
        return _("No {split} changed its {score} significantly between {compare_week} and "
                 "{week} ({tested} of {total} {splits} tested, Benjamini–Hochberg).",
                 split=view.split_noun, score=m.label, compare_week=filters.compare_week_name,
                 week=filters.week_name, tested=_fmt_n(tested), total=_fmt_n(total),
                 splits=view.split_plural)
    top = sig.loc[sig["delta"].abs().idxmax()]
    values = {"group": top["group"], "change": format_delta(top["delta"], m),
              "value": format_value(top["value_week"], m.fmt), "n": _fmt_n(int(top["n_week"])),
              "moved": _fmt_n(len(sig)), "tested": _fmt_n(tested), "splits": view.split_plural,
              "compare_week": filters.compare_week_name}
    if top["delta"] < 0:
        return _("{group} fell most: {change} to {value} (n = {n}); {moved} of {tested} "
                 "{splits} tested moved significantly against {compare_week} after "
                 "Benjamini–Hochberg.", **values)
    return _("{group} rose most: {change} to {value} (n = {n}); {moved} of {tested} {splits} "
             "tested moved significantly against {compare_week} after Benjamini–Hochberg.",
             **values)


# --- headline tiles ---


@dataclass(frozen=True)
class ScoreTile(Comparison):
    """One score for the filtered customers, selected week against the comparison week."""

    value_text: str
    delta_text: str | None
    caption: str
    verdict: str


def _tile_texts(m: Metric, cur: Estimate, prev: Estimate, delta: float | None, sig: bool,
                filters: Filters) -> tuple[str, str | None, str, str]:
    value = format_value(cur.value, m.fmt)
    if not cur.shown:
        caption = _("Insufficient base ({what} = {n}; at least {least} needed)", what="n",
                    n=_fmt_n(cur.n), least=_fmt_n(config.MIN_BASE))
    else:
        caption = _("n = {n} · 95% CI {interval}", n=_fmt_n(cur.n),
                    interval=display.between(format_value(cur.ci_low, m.fmt),
                                             format_value(cur.ci_high, m.fmt)))
    if delta is None:
        verdict = _("No comparison: {compare_week} or {week} lacks a usable base.",
                    compare_week=filters.compare_week_name, week=filters.week_name)
    elif cur.status == "low_base" or prev.status == "low_base":
        verdict = _("Low base (n < 100): change not judged.")
    elif sig:
        verdict = _("Better.") if (delta > 0) == m.higher_is_better else _("Worse.")
    else:
        verdict = _("Within noise.")
    verdict = _("vs {compare_week} ({previous}): {verdict}", compare_week=filters.compare_week_name,
                previous=format_value(prev.value, m.fmt), verdict=verdict)
    return value, (None if delta is None else format_delta(delta, m)), caption, verdict


def score_tiles(two_weeks: pd.DataFrame, filters: Filters) -> tuple[ScoreTile, ...]:
    """NPS, CSAT and CES of the filtered customers; BH across the three comparisons."""
    df = two_weeks.assign(week_start=_dates(two_weeks["week_start"]))
    overall = _overall(df, "week_start")
    parts = []
    for score in SCORES:
        rows = _index(overall, ["week_start"], score)
        a, b = rows.get((filters.week_start,)), rows.get((filters.compare_start,))
        cur, prev = estimate(score, a), estimate(score, b)
        p = (REGISTRY[score].test(score_inputs(a), score_inputs(b))
             if cur.shown and prev.shown else None)
        parts.append((score, cur, prev, p))
    tested = [i for i, part in enumerate(parts) if part[3] is not None]
    adjusted = dict(zip(tested, stats.benjamini_hochberg([parts[i][3] for i in tested]),
                        strict=True))
    tiles = []
    for i, (score, cur, prev, p) in enumerate(parts):
        m = REGISTRY[score]
        p_adj = adjusted.get(i)
        delta = cur.value - prev.value if p is not None else None
        sig = (p_adj is not None and p_adj < config.ALPHA
               and cur.status == "ok" and prev.status == "ok")
        texts = _tile_texts(m, cur, prev, delta, sig, filters)
        tiles.append(ScoreTile(m, cur, prev, delta, p, p_adj, sig, *texts))
    return tuple(tiles)


def headline(tiles: tuple[ScoreTile, ...], table: pd.DataFrame, view: View,
             filters: Filters, split_note: str = "") -> str:
    """One sentence: the chosen score this week, then what moved among the groups (or why
    there are no groups)."""
    tile = next(t for t in tiles if t.metric.name == view.score)
    m = tile.metric
    if tile.current.shown:
        first = _("{score} was {value} in {week} (n = {n}, 95% CI {low} to {high}).",
                  score=m.label, value=tile.value_text, week=filters.week_name,
                  n=_fmt_n(tile.current.n), low=format_value(tile.current.ci_low, m.fmt),
                  high=format_value(tile.current.ci_high, m.fmt))
    else:
        first = _("{score} in {week} is withheld: n = {n} is under {least}.", score=m.label,
                  week=filters.week_name, n=_fmt_n(tile.current.n), least=_fmt_n(config.MIN_BASE))
    if split_note:
        return _("{first} {note}", first=first, note=split_note)
    sig = table[table["significant"]] if not table.empty else table
    if sig.empty:
        return _("{first} No {split} moved significantly against {compare_week} "
                 "({comparison}).", first=first, split=view.split_noun,
                 compare_week=filters.compare_week_name, comparison=filters.compare_label)
    parts = [_("{group} {change}", group=r["group"], change=format_delta(r["delta"], m))
             for _i, r in sig.iterrows()]
    return _("{first} Significant movers against {compare_week} ({comparison}) by {split}: "
             "{movers}.", first=first, compare_week=filters.compare_week_name,
             comparison=filters.compare_label, split=view.split_noun,
             movers=display.commas(parts))


# --- the report ---


@dataclass(frozen=True)
class SatisfactionReport:
    """Everything the Satisfaction page shows, computed once from the filters and the view."""

    filters: Filters
    view: View
    window: Window
    tiles: tuple[ScoreTile, ...]
    headline: str
    trend: pd.DataFrame
    trend_title: str
    trend_takeaway: str
    mix: pd.DataFrame
    mix_title: str
    mix_takeaway: str
    distribution: pd.DataFrame
    distribution_title: str
    distribution_takeaway: str
    gap: pd.DataFrame
    gap_title: str
    gap_takeaway: str
    movers: pd.DataFrame
    movers_title: str
    movers_takeaway: str
    split_note: str = ""  # why there are no groups (the split has a single value)
    gap_note: str = ""  # why there is no gap chart (a single touchpoint)
    queries: tuple[str, ...] = QUERIES

    @property
    def y_title(self) -> str:
        """The chosen score's unit, for axis titles."""
        return self.view.metric.unit

    def movers_columns(self) -> dict[str, str]:
        """Column headings of the movers table (names the two weeks)."""
        f = self.filters
        return {"group": self.view.split_label, "n_week": _("n {week}", week=f.week),
                "n_compare": _("n {week}", week=f.compare_week_name),
                "value_week": weeks.week_display(f.week),
                "ci_week": _("95% CI {week}", week=f.week),
                "value_compare": weeks.week_display(f.compare_week), "delta": _("Change"),
                "p_value": _("p (raw)"), "p_adjusted": _("p (Benjamini–Hochberg)"),
                "significant": _("Significant"), "verdict": _("Verdict")}


def build_report(fetch: Fetch, filters: Filters, view: View) -> SatisfactionReport:
    """Run the page's four queries and compute every figure, table and takeaway."""
    if view.split not in SPLITS:  # View validates; kept as the guard before SQL runs
        raise FilterError(f"bad split {view.split!r}")
    customers = filters.customer_params()
    window = trend_window(filters.week_start, view.grain)
    raw = fetch("sat_scores_trend", **window.params(), dimension=view.split, **customers)
    periods = aggregate_periods(raw, view.grain)
    two = fetch("sat_scores_two_weeks", week_start=filters.week_start,
                compare_start=filters.compare_start, dimension=view.split, **customers)
    dist = fetch("sat_score_distribution", week_start=filters.week_start,
                 compare_start=filters.compare_start, **customers)
    gaps = fetch("sat_expectation_gap", **window.params(), **customers)

    m = view.metric
    weekly = view.grain == "week"
    dims = dimensions.load(fetch)
    split_note = ""  # the chosen split has one value: no groups, say so (or that none splits)
    if not dims.splits(view.split):
        split_note = (dims.note(view.split) if split_choices(dims)
                      else dims.none_note(tuple(SPLITS)))
    tiles = score_tiles(two, filters)
    trend = trend_frame(periods, view.score, window, by_group=not split_note)
    mix = nps_mix(periods, window)
    dist_df, scale = distribution(dist, view.score, filters)
    gap = expectation_gap(gaps)
    table = movers(two if not split_note else two.iloc[:0], view.score, filters)
    if split_note:
        trend_title = (_("{score}, weekly, last {span}", score=m.label, span=window.span)
                       if weekly else
                       _("{score}, monthly, last {span}", score=m.label, span=window.span))
    else:
        trend_title = (_("{score} by {split}, weekly, last {span}", score=m.label,
                         split=view.split_noun, span=window.span) if weekly else
                       _("{score} by {split}, monthly, last {span}", score=m.label,
                         split=view.split_noun, span=window.span))
    return SatisfactionReport(
        filters=filters, view=view, window=window, tiles=tiles,
        headline=headline(tiles, table, view, filters, split_note),
        trend=trend,
        trend_title=trend_title,
        trend_takeaway=trend_takeaway(trend, periods, view, window),
        mix=mix, mix_title=(_("NPS mix, weekly, last {span}", span=window.span) if weekly else
                            _("NPS mix, monthly, last {span}", span=window.span)),
        mix_takeaway=mix_takeaway(mix, periods, window),
        distribution=dist_df,
        distribution_title=_("{score} score distribution, {week} vs {compare_week}",
                             score=m.label, week=filters.week_name,
                             compare_week=filters.compare_week_name),
        distribution_takeaway=distribution_takeaway(dist_df, view.score, scale, filters),
        gap=gap,
        gap_title=_("Perceived minus expected score by touchpoint, last {span}",
                    span=window.span),
        gap_takeaway=gap_takeaway(gap, window, dims.splits("touchpoint")),
        movers=table,
        movers_title=_("{score} movers by {split}: {week} vs {compare_week} ({comparison})",
                       score=m.label, split=view.split_noun, week=filters.week_name,
                       compare_week=filters.compare_week_name, comparison=filters.compare_label),
        movers_takeaway=split_note or movers_takeaway(table, view, filters),
        split_note=split_note,
        gap_note=dims.no_split("touchpoint"),
    )
