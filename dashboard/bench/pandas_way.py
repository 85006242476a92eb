"""The pandas way: the pages' numbers computed the way most Streamlit dashboards compute them,
for the benchmark's comparison with our queries on the marts.

A typical dashboard loads every raw table into pandas once and then, on every filter change,
joins, filters, buckets into ISO weeks and groups in memory. ``pandas_raw`` does the loading and
the steps every page shares; ``pandas_pages`` computes each page's query that way, as efficiently
as pandas allows (the pandas way's best shot, not a straw man), and ``tests/test_pandas_way.py``
holds each equal to its query. ``CASES`` maps each page to its main queries and derives their
parameters from the filter bar as the page does. ``compare`` times both ways for the same filters
(warm, p50) and ``lines`` formats the result for ``make bench``.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.bench.pandas_pages import (
    churn_monthly,
    cmp_grp_ops_weekly,
    cmp_grp_survey_weekly,
    cmp_weekly,
    cost_by_segment,
    cost_channel_weekly,
    kpi_ops_weekly,
    kpi_survey_weekly,
    money_category_contacts,
    money_category_outcomes,
    sat_scores_trend,
)
from dashboard.bench.pandas_raw import CUSTOMER_DIMENSIONS, Raw, load, monday
from dashboard.bench.pandas_raw import LOAD_SQL as LOAD_SQL  # the tests read it as pw.LOAD_SQL
from dashboard.metrics.filters import Filters
from dashboard.warehouse import catalog, config, db

#: The tests read the ISO-week bucketing as pw._monday.
_monday = monday


# --- the page map: page -> (query, pandas function, the page's parameters for a filter bar) ------


CUSTOMER_PARAMS = ("segments", "regions", "plans")


def narrow(frame: pd.DataFrame, params: dict, keys: Sequence[str]) -> pd.DataFrame:
    """A result at the grain of the customer dimensions cut to the filters' customers: the rows
    they keep, summed by ``keys`` over the dimensions not in ``keys`` (what a page does with a
    query that takes no customer filters, so that one result serves every filter change)."""
    keep = np.ones(len(frame), dtype=bool)
    for dim, param in zip(CUSTOMER_DIMENSIONS, CUSTOMER_PARAMS, strict=True):
        if params.get(param):
            keep &= frame[dim].isin(list(params[param])).to_numpy()
    dropped = [d for d in CUSTOMER_DIMENSIONS if d not in keys]
    out = frame.loc[keep].drop(columns=dropped).groupby(list(keys), as_index=False,
                                                        sort=True).sum()
    return out[[c for c in frame.columns if c not in dropped]].reset_index(drop=True)


@dataclass(frozen=True)
class Case:
    """One page's query and its pandas twin; ``params`` derives the page's parameters from the
    filter bar (and the warehouse's first week) exactly as the page does. A query that takes no
    customer filters returns rows per segment x region x plan that the page cuts to its filters
    and sums by ``keys`` (``narrow``); the pandas twin always takes the filters."""

    page: str
    query: str
    pandas: Callable[..., pd.DataFrame]
    params: Callable[[Filters, date], dict]
    keys: tuple[str, ...] = ()

    def ours(self, wh: db.Warehouse, params: dict) -> pd.DataFrame:
        """The page's rows through our named query (and the page's cut, when it needs one)."""
        declared = set(catalog.get_query(self.query).params)
        df = wh.run(self.query, **{k: v for k, v in params.items() if k in declared})
        if self.keys and not declared & set(CUSTOMER_PARAMS):
            df = narrow(df, params, self.keys)
        return df

    def theirs(self, raw: Raw, params: dict) -> pd.DataFrame:
        """The same rows the pandas way."""
        return self.pandas(raw, **params)


def _kpi_params(f: Filters, first: date) -> dict:
    trend_start = f.week_start - timedelta(weeks=config.TREND_WEEKS - 1)
    start = min(f.compare_start, trend_start) - timedelta(weeks=3)
    return {"start_week": start, "end_week": f.week_start, **f.customer_params()}


def _sat_params(f: Filters, first: date) -> dict:
    from dashboard.analysis import satisfaction

    window = satisfaction.trend_window(f.week_start, "week")
    return {**window.params(), "dimension": satisfaction.DEFAULT_SPLIT, **f.customer_params()}


def _cmp_params(f: Filters, first: date) -> dict:
    from dashboard.analysis import complaints

    w = complaints.windows(f, first)
    return {"start_week": min(w.trend_start, f.compare_start), "end_week": w.week,
            **f.customer_params()}


def _cost_params(f: Filters, first: date) -> dict:
    return {"start_week": first, "end_week": f.week_start, **f.customer_params()}


def _cost_segment_params(f: Filters, first: date) -> dict:
    return {"week_start": f.week_start, "compare_start": f.compare_start,
            **f.customer_params()}


def _churn_params(f: Filters, first: date) -> dict:
    from dashboard.analysis import churn

    start_month, period_end, _ = churn._month_bounds(f.week_start,
                                                     date(first.year, first.month, 1))
    return {"start_month": start_month, "period_end": period_end, **f.customer_params()}


def _segment_params(f: Filters, first: date) -> dict:
    from dashboard.analysis import compare

    dim = compare.COMPARE_DIMENSIONS[0]
    start = f.week_start - timedelta(weeks=config.TREND_WEEKS - 1 + 3)
    return {"start_week": start, "end_week": f.week_start, "dimension": dim,
            **compare.query_params(f, dim)}


def _money_params(f: Filters, first: date) -> dict:
    from dashboard.money import inputs as money

    horizon_end = f.week_start + timedelta(weeks=1)
    return {"as_of": horizon_end - timedelta(weeks=money.WINDOW_WEEKS),
            "horizon_end": horizon_end, **f.customer_params()}


#: Every page with a meaningful query set: the queries that carry its main numbers.
CASES: tuple[Case, ...] = (
    Case("Weekly KPIs", "kpi_survey_weekly", kpi_survey_weekly, _kpi_params),
    Case("Weekly KPIs", "kpi_ops_weekly", kpi_ops_weekly, _kpi_params),
    Case("Satisfaction", "sat_scores_trend", sat_scores_trend, _sat_params),
    Case("Complaints", "cmp_weekly", cmp_weekly, _cmp_params),
    Case("Cost to serve", "cost_channel_weekly", cost_channel_weekly, _cost_params),
    Case("Cost to serve", "cost_by_segment", cost_by_segment, _cost_segment_params),
    Case("Churn & retention", "churn_monthly", churn_monthly, _churn_params),
    Case("Segment comparison", "cmp_grp_survey_weekly", cmp_grp_survey_weekly,
         _segment_params),
    Case("Segment comparison", "cmp_grp_ops_weekly", cmp_grp_ops_weekly, _segment_params),
    Case("CX in money", "money_category_outcomes", money_category_outcomes, _money_params,
         ("segment", "nps_category", "has_recent_complaint")),
    Case("CX in money", "money_category_contacts", money_category_contacts, _money_params,
         ("segment", "nps_category", "channel")),
)


def first_week(wh: db.Warehouse) -> date:
    """The first week the warehouse holds."""
    return min(pd.to_datetime(wh.run("weeks_available")["week_start"]).dt.date)


def bench_filters(wh: db.Warehouse) -> list[Filters]:
    """The filter states ``make bench`` times the KPI page with: the latest complete week for
    everyone; ten weeks earlier for one region against 4 weeks before; thirty weeks earlier for
    one segment and plan against 52 weeks before (clipped to the weeks the warehouse has)."""
    from dashboard.metrics import kpis

    cat = kpis.load_catalog(lambda name, **p: wh.run(name, **p))
    weeks = cat.weeks  # newest first

    def week(k: int) -> str:
        return weeks[min(k, len(weeks) - 1)]

    return [Filters(week=cat.latest_complete),
            Filters(week=week(10), regions=("Central",), compare="4w"),
            Filters(week=week(30), segments=("Business",), plans=("Premium",), compare="52w")]


# --- checking and timing -----------------------------------------------------------------------


def _normalised(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        s = df[col].reset_index(drop=True)
        non_null = s.dropna()
        first = non_null.iloc[0] if len(non_null) else None
        if isinstance(s.dtype, pd.CategoricalDtype) or isinstance(first, str):
            out[col] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_datetime64_any_dtype(s) or isinstance(first, date):
            out[col] = pd.to_datetime(s).astype("datetime64[ns]")
        elif pd.api.types.is_bool_dtype(s) or isinstance(first, bool | np.bool_):
            out[col] = s.astype(object)
        else:
            out[col] = pd.to_numeric(s.astype(object), errors="coerce").astype("float64")
    return out


def same_result(ours: pd.DataFrame, theirs: pd.DataFrame, rtol: float = 1e-9,
                atol: float = 1e-6) -> str | None:
    """None when both frames hold the same rows (any order; numbers within tolerance), else what
    differs first."""
    if list(ours.columns) != list(theirs.columns):
        return f"columns differ: {list(ours.columns)} vs {list(theirs.columns)}"
    if len(ours) != len(theirs):
        return f"{len(ours)} rows vs {len(theirs)}"
    a, b = _normalised(ours), _normalised(theirs)
    keys = [c for c in a.columns if a[c].dtype != "float64"]
    if keys:
        a = a.sort_values(keys, ignore_index=True)
        b = b.sort_values(keys, ignore_index=True)
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype == "float64" and y.dtype == "float64":
            ok = np.isclose(x.to_numpy(), y.to_numpy(), rtol=rtol, atol=atol, equal_nan=True)
        else:
            ok = np.array([(u is None and v is None) or (pd.isna(u) and pd.isna(v)) or u == v
                           for u, v in zip(x, y, strict=True)], dtype=bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            return f"{col} differs in row {i}: {x.iloc[i]!r} vs {y.iloc[i]!r}"
    return None


@dataclass(frozen=True)
class Row:
    """One query timed both ways."""

    page: str
    query: str
    ours_ms: float  # p50 over filter states and repeats, warm, through Warehouse.run
    pandas_ms: float  # p50 of the pandas function on the loaded raw frames
    ratio: float  # pandas_ms / ours_ms
    same: bool  # every filter state gave the same rows both ways
    diff: str | None = None  # the first difference, when not the same


def _time_case(case: Case, wh: db.Warehouse, raw: Raw, params: list[dict],
               repeats: int) -> Row:
    case.ours(wh, params[0])  # first touch of the data both ways
    case.theirs(raw, params[0])
    ours, theirs, diff = [], [], None
    for k in range(max(1, repeats)):
        for p in params:
            t = time.perf_counter()
            a = case.ours(wh, p)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            b = case.theirs(raw, p)
            theirs.append((time.perf_counter() - t) * 1000)
            if k == 0 and diff is None:
                diff = same_result(a, b)
    o, p50 = statistics.median(ours), statistics.median(theirs)
    return Row(case.page, case.query, o, p50, p50 / o if o > 0 else math.inf, diff is None,
               diff)


def compare(path: Path | str, filters_list: Sequence[Filters], repeats: int = 3,
            raw: Raw | None = None, cases: Sequence[Case] = CASES) -> list[Row]:
    """Time each page's query (warm, through ``Warehouse.run``, no result cache) and its pandas
    twin on the raw frames for the same filter states; p50 over filter states x repeats. Checks
    on the first round that both ways return the same rows. ``raw`` defaults to ``load(path)``.
    A case that fails (e.g. a warehouse older than a mart its query reads) gives a row with NaN
    times, ``same`` False and the error in ``diff``."""
    raw = raw if raw is not None else load(path)
    wh = db.Warehouse(f"duckdb:///{Path(path)}")
    try:
        first = first_week(wh)
        rows = []
        for case in cases:
            try:
                rows.append(_time_case(case, wh, raw, [case.params(f, first)
                                                       for f in filters_list], repeats))
            except Exception as exc:  # e.g. a warehouse built before a mart the query reads
                rows.append(Row(case.page, case.query, math.nan, math.nan, math.nan, False,
                                f"failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"))
        return rows
    finally:
        wh.close()


def lines(rows: Sequence[Row], raw: Raw | None = None, goal: float = 100.0) -> list[str]:
    """The comparison as ``make bench`` prints it."""
    out = ["    the pandas way (raw tables loaded into pandas once, strings as categoricals; "
           "joined, filtered and grouped in memory on every filter change) vs our queries on "
           "the marts, p50 warm:"]
    if raw is not None:
        out.append(f"      load raw tables ({raw.rows:,} rows): {raw.load_s:.1f} s, "
                   f"{raw.frames_mb:,.0f} MB in frames (resident memory +{raw.rss_mb:,.0f} MB)")
    width = max((len(r.page) for r in rows), default=4)
    qwidth = max((len(r.query) for r in rows), default=5)
    for r in rows:
        if math.isnan(r.ours_ms):
            out.append(f"      {r.page:<{width}} {r.query:<{qwidth}} {r.diff}")
            continue
        check = "same rows" if r.same else f"DIFFERENT: {r.diff}"
        out.append(f"      {r.page:<{width}} {r.query:<{qwidth}} ours {r.ours_ms:8.1f} ms   "
                   f"pandas {r.pandas_ms:9.1f} ms   {r.ratio:7,.0f}x   {check}")
    timed = [r for r in rows if not math.isnan(r.ratio)]
    if timed:
        low = min(timed, key=lambda r: r.ratio)
        met = sum(r.ratio >= goal for r in timed)
        out.append(f"      goal: ours at least {goal:.0f}x faster — met by {met} of {len(timed)} "
                   f"queries; lowest {low.ratio:,.0f}x ({low.query})")
    return out
