"""The pandas way: the pages' numbers computed the way most Streamlit dashboards compute them.

Issue 7's benchmark. A typical dashboard loads every raw table into pandas once (an
``st.cache_data`` loader running ``select * from raw.<table>``) and then, on every filter
change, joins the customers for segment / region / plan, filters, buckets the events into ISO
weeks and groups in memory. This module does exactly that, as plainly and efficiently as pandas
allows (vectorised, no Python loops over rows, strings as categoricals so the frames fit in
memory and group fast: the pandas way's best shot, not a straw man).

Each pandas function takes the raw frames and exactly the bound parameters of one dashboard
query (``queries/dashboard/<query>.sql``) and returns the same rows, computed from the raw
tables instead of the marts; ``tests/test_pandas_way.py`` holds the two equal. ``CASES`` maps
each page to its main queries and derives their parameters from the filter bar as the page
does. ``compare`` times both ways for the same filters (warm, p50) and ``lines`` formats the
result for ``make bench``.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.metrics.filters import Filters
from dashboard.warehouse import catalog, config, db

#: The raw tables and their loaders' statements (fixed names of the contract, no formatting).
LOAD_SQL: dict[str, str] = {
    "customers": "select * from raw.customers",
    "survey_responses": "select * from raw.survey_responses",
    "complaints": "select * from raw.complaints",
    "contacts": "select * from raw.contacts",
    "transactions": "select * from raw.transactions",
    "assumptions": "select * from raw.assumptions",
}
CUSTOMER_DIMENSIONS = ("segment", "region", "plan")
#: Survey attributes a satisfaction trend may split by; missing values are their own group.
EVENT_DIMENSIONS = ("journey_stage", "touchpoint", "channel")
NOT_RECORDED = "not recorded"
UNIT_COST_PREFIX = "cost_per_contact_"
WEEK = pd.Timedelta(weeks=1)
DAY = pd.Timedelta(days=1)


# --- loading: the cached loader of a typical dashboard ------------------------------------------


@dataclass
class Raw:
    """The raw tables as pandas frames, with what loading them cost."""

    customers: pd.DataFrame
    survey_responses: pd.DataFrame
    complaints: pd.DataFrame
    contacts: pd.DataFrame
    transactions: pd.DataFrame
    assumptions: pd.DataFrame
    load_s: float = 0.0
    frames_mb: float = 0.0  # DataFrame.memory_usage(deep=True) of all frames
    rss_mb: float = 0.0  # growth of the process's resident memory across the load

    @property
    def rows(self) -> int:
        """Rows over all raw tables."""
        return sum(len(getattr(self, t)) for t in LOAD_SQL)


def _rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(path: Path | str, categorical: bool = True) -> Raw:
    """Every raw table of the warehouse file as a pandas frame (``select *``), opened read-only.

    Strings become categoricals (``categorical=False``: plain Python strings, several times the
    memory); dates and timestamps datetime64. Times the load and measures the memory it takes.
    """
    gc.collect()
    before = _rss_mb()
    t0 = time.perf_counter()
    wh = db.Warehouse(f"duckdb:///{Path(path)}")
    frames: dict[str, pd.DataFrame] = {}
    try:
        with wh.engine().connect() as conn:
            duck = conn.connection.driver_connection  # the DuckDB cursor of the read-only attach
            for table, sql in LOAD_SQL.items():
                frames[table] = duck.sql(sql).to_arrow_table().to_pandas(
                    strings_to_categorical=categorical, date_as_object=False)
    finally:
        wh.close()
    seconds = time.perf_counter() - t0
    gc.collect()
    mb = sum(f.memory_usage(deep=True).sum() for f in frames.values()) / 1e6
    return Raw(**frames, load_s=seconds, frames_mb=mb, rss_mb=_rss_mb() - before)


# --- shared steps: customer filter, ISO weeks, active base, unit costs, repeats ---------------


def _ts(d: date | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(d)


def _monday(values: pd.Series) -> pd.Series:
    """The Monday of each value's ISO week (DuckDB's ``date_trunc('week', …)``)."""
    days = values.to_numpy(dtype="datetime64[D]")
    monday = days - (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    return pd.Series(monday.astype("datetime64[ns]"), index=values.index)


def _monday_on_or_after(d: pd.Timestamp) -> pd.Timestamp:
    d = d.normalize()
    return d + pd.Timedelta(days=(7 - d.dayofweek) % 7)


def _weeks_mask(ts: pd.Series, first: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Events whose ISO week's Monday lies in [first, stop): tested on the timestamps, so only
    the kept rows need bucketing."""
    return (ts >= _monday_on_or_after(first)) & (ts < _monday_on_or_after(stop))


def _customers(raw: Raw, segments: Sequence[str], regions: Sequence[str],
               plans: Sequence[str]) -> pd.DataFrame:
    """The customers the filter bar keeps (an empty list means all)."""
    c = raw.customers
    keep = np.ones(len(c), dtype=bool)
    for col, values in zip(CUSTOMER_DIMENSIONS, (segments, regions, plans), strict=True):
        if values:
            keep &= c[col].isin(list(values)).to_numpy()
    return c[keep]


def _all_weeks(raw: Raw) -> pd.DatetimeIndex:
    """Every ISO week from the first to the last week holding any event (``dim_weeks``)."""
    events = ((raw.survey_responses, "responded_at"), (raw.contacts, "occurred_at"),
              (raw.complaints, "opened_at"), (raw.transactions, "occurred_at"))
    lo = min(f[c].min() for f, c in events if len(f))
    hi = max(f[c].max() for f, c in events if len(f))
    first = lo.normalize() - pd.Timedelta(days=lo.dayofweek)
    last = hi.normalize() - pd.Timedelta(days=hi.dayofweek)
    return pd.date_range(first, last, freq="7D")


def _weeks_between(raw: Raw, start: date, end: date) -> pd.DatetimeIndex:
    weeks = _all_weeks(raw)
    return weeks[(weeks >= _ts(start)) & (weeks <= _ts(end))]


def _active(cust: pd.DataFrame, weeks: pd.DatetimeIndex) -> np.ndarray:
    """Customers active at each Monday: signed up on or before it and not churned by it."""
    ns = "datetime64[ns]"
    signup = np.sort(cust["signup_date"].to_numpy(dtype=ns))
    churn = np.sort(cust["churn_date"].dropna().to_numpy(dtype=ns))
    at = weeks.to_numpy(dtype=ns)
    return np.searchsorted(signup, at, "right") - np.searchsorted(churn, at, "right")


def _unit_costs(raw: Raw, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """The cost per contact in force in each week per channel (latest valid_from on or before
    the Monday); weeks before a channel's first value have no row."""
    a = raw.assumptions
    key = a["key"].astype(str)
    a = a[key.str.startswith(UNIT_COST_PREFIX)]
    costs = pd.DataFrame({
        "channel": key[a.index].str.removeprefix(UNIT_COST_PREFIX),
        "cost_valid_from": pd.to_datetime(a["valid_from"]).astype("datetime64[ns]"),
        "cost_per_contact": pd.to_numeric(a["value"].astype(str), errors="coerce"),
    }).sort_values("cost_valid_from")
    grid = pd.MultiIndex.from_product(
        [weeks.astype("datetime64[ns]"), sorted(costs["channel"].unique())],
        names=["week_start", "channel"]).to_frame(index=False)
    out = pd.merge_asof(grid.sort_values("week_start"), costs, left_on="week_start",
                        right_on="cost_valid_from", by="channel", direction="backward")
    return out.dropna(subset=["cost_valid_from"]).reset_index(drop=True)


def _contact_repeats(raw: Raw, cust: pd.DataFrame, cols: Sequence[str] = ()) -> pd.DataFrame:
    """The contacts of these customers with the repeat flags of ``fct_contact_repeats``: a repeat
    follows a contact of the same customer for the same reason at most 7 days earlier; a
    followed-up contact has such a repeat after it (ties in time ordered by contact id)."""
    c = raw.contacts[["contact_id", "customer_id", "occurred_at", "channel", "reason",
                      "is_resolved"]]
    c = c.merge(cust[["customer_id", *cols]], on="customer_id")
    c = c.sort_values(["customer_id", "reason", "occurred_at", "contact_id"],
                      ignore_index=True)
    at = c["occurred_at"]
    same_prev = c["customer_id"].eq(c["customer_id"].shift()) & c["reason"].eq(
        c["reason"].shift())
    same_next = c["customer_id"].eq(c["customer_id"].shift(-1)) & c["reason"].eq(
        c["reason"].shift(-1))
    c["is_repeat"] = same_prev & (at.shift() >= at - 7 * DAY)
    c["is_followed_up"] = same_next & (at.shift(-1) <= at + 7 * DAY)
    return c


def _events(frame: pd.DataFrame, ts: str, cust: pd.DataFrame, cols: Sequence[str],
            first: pd.Timestamp, stop: pd.Timestamp, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Events of the kept customers in weeks [first, stop), with their ISO week: the event
    columns ``keep`` and the customer columns ``cols``."""
    ev = frame.loc[_weeks_mask(frame[ts], first, stop), ["customer_id", ts, *keep]]
    ev = ev.merge(cust[["customer_id", *cols]], on="customer_id")
    return ev.assign(week_start=_monday(ev[ts]))


# --- Weekly KPIs (and the cells the Segment comparison and Cost to serve group) -----------------

SURVEY_COLUMNS = ["response_count", "promoter_count", "passive_count", "detractor_count",
                  "top2_count", "top3_count", "score_sum", "score_sq_sum"]
OPS_COLUMNS = ["active_at_start", "churned_count", "complaint_count", "contact_count",
               "contact_cost", "contact_cost_var", "transaction_count", "revenue_amount",
               "revenue_sq_sum"]


def _survey_counts(r: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Survey counts and score sums per key (the columns of ``fct_survey_weekly``)."""
    score = r["score"].astype("float64")
    nps = r["survey"] == "nps"
    top = r["scale_max"].astype("float64")
    cells = pd.DataFrame({
        **{k: r[k] for k in keys},
        "response_count": 1,
        "promoter_count": nps & (score >= 9),
        "passive_count": nps & (score >= 7) & (score <= 8),
        "detractor_count": nps & (score <= 6),
        "top2_count": score >= top - 1,
        "top3_count": score >= top - 2,
        "score_sum": score,
        "score_sq_sum": score * score,
    })
    out = cells.groupby(keys, observed=True, sort=True).sum().reset_index()
    counts = SURVEY_COLUMNS[:6]
    out[counts] = out[counts].astype("int64")
    return out


def _responses(raw: Raw, cust: pd.DataFrame, cols: Sequence[str], first: pd.Timestamp,
               stop: pd.Timestamp) -> pd.DataFrame:
    r = _events(raw.survey_responses, "responded_at", cust, cols, first, stop,
                ["survey", "score", "scale_max", *EVENT_DIMENSIONS])
    return r.assign(survey=r["survey"].astype(str).str.lower())


def _survey_weekly(raw: Raw, start_week: date, end_week: date, by: str | None,
                   segments, regions, plans) -> pd.DataFrame:
    cust = _customers(raw, segments, regions, plans)
    cols = [by] if by in CUSTOMER_DIMENSIONS else []
    r = _responses(raw, cust, cols, _ts(start_week), _ts(end_week) + DAY)
    keys = ["week_start", "survey"]
    if by:
        r = r.rename(columns={by: "group_value"})
        keys = ["week_start", "group_value", "survey"]
    return _survey_counts(r, keys)[keys + SURVEY_COLUMNS]


def kpi_survey_weekly(raw: Raw, start_week: date, end_week: date, segments, regions,
                      plans) -> pd.DataFrame:
    """``kpi_survey_weekly``: survey counts and score sums per week and survey."""
    return _survey_weekly(raw, start_week, end_week, None, segments, regions, plans)


def _ops(raw: Raw, weeks: pd.DatetimeIndex, cust: pd.DataFrame, by: str | None = None,
         measures: Iterable[str] = ("churn", "complaints", "contacts", "revenue")
         ) -> pd.DataFrame:
    """The operational KPI inputs of ``fct_kpi_weekly`` per week (and ``by`` group) for the
    kept customers: active base, churned, complaints, contacts and their cost, revenue."""
    keys = ["week_start", *([by] if by else [])]
    measures = set(measures)
    if cust.empty or weeks.empty:
        return pd.DataFrame(columns=keys + OPS_COLUMNS)
    parts = []
    for group, part in (cust.groupby(by, observed=True) if by else [(None, cust)]):
        frame = pd.DataFrame({"week_start": weeks, "active_at_start": _active(part, weeks)})
        if "churn" in measures:
            churned = _monday(part["churn_date"].dropna()).value_counts()
            frame["churned_count"] = churned.reindex(weeks, fill_value=0).to_numpy()
        if by:
            frame[by] = group
        parts.append(frame)
    base = pd.concat(parts, ignore_index=True)
    cols = [by] if by else []
    first, stop = weeks.min(), weeks.max() + WEEK
    aggs = []
    if "complaints" in measures:
        cmp = _events(raw.complaints, "opened_at", cust, cols, first, stop)
        aggs.append(cmp.groupby(keys, observed=True).size().rename("complaint_count"))
    if "contacts" in measures:
        con = _events(raw.contacts, "occurred_at", cust, cols, first, stop, ["channel"])
        con = con.assign(channel=con["channel"].astype(str)).merge(
            _unit_costs(raw, weeks)[["week_start", "channel", "cost_per_contact"]],
            on=["week_start", "channel"], how="left")
        cpc = con["cost_per_contact"]
        aggs.append(con.assign(contact_count=1, contact_cost=cpc, contact_cost_var=cpc * cpc)
                    .groupby(keys, observed=True)[
                        ["contact_count", "contact_cost", "contact_cost_var"]].sum())
    if "revenue" in measures:
        tx = _events(raw.transactions, "occurred_at", cust, cols, first, stop, ["amount"])
        amount = tx["amount"]
        aggs.append(tx.assign(transaction_count=1, revenue_amount=amount,
                              revenue_sq_sum=amount * amount)
                    .groupby(keys, observed=True)[
                        ["transaction_count", "revenue_amount", "revenue_sq_sum"]].sum())
    out = base
    for agg in aggs:
        agg = agg.reset_index()
        if by:
            agg[by] = agg[by].astype(str)
        out = out.merge(agg, on=keys, how="left")
    out = out.fillna({c: 0 for c in OPS_COLUMNS if c in out.columns})
    for c in ("active_at_start", "churned_count", "complaint_count", "contact_count",
              "transaction_count"):
        if c in out.columns:
            out[c] = out[c].astype("int64")
    return out.sort_values(keys, ignore_index=True)


def kpi_ops_weekly(raw: Raw, start_week: date, end_week: date, segments, regions,
                   plans) -> pd.DataFrame:
    """``kpi_ops_weekly``: active base, churn, complaints, contact cost and revenue per week."""
    cust = _customers(raw, segments, regions, plans)
    return _ops(raw, _weeks_between(raw, start_week, end_week), cust)[["week_start",
                                                                       *OPS_COLUMNS]]


# --- Satisfaction ------------------------------------------------------------------------------


def sat_scores_trend(raw: Raw, week_from: date, week_to: date, month_from: date,
                     month_to: date, dimension: str, segments, regions,
                     plans) -> pd.DataFrame:
    """``sat_scores_trend``: survey counts per week, calendar month and group of one split."""
    keys = ["week_start", "month_start", "group_value", "survey"]
    cust = _customers(raw, segments, regions, plans)
    cols = [dimension] if dimension in CUSTOMER_DIMENSIONS else []
    r = _responses(raw, cust, cols, _ts(week_from), _ts(week_to) + DAY)
    r["month_start"] = r["responded_at"].to_numpy(dtype="datetime64[M]").astype(
        "datetime64[ns]")
    r = r[(r["month_start"] >= _ts(month_from)) & (r["month_start"] <= _ts(month_to))]
    if dimension in CUSTOMER_DIMENSIONS:
        group = r[dimension]
    elif dimension in EVENT_DIMENSIONS:
        group = r[dimension].astype(object).fillna(NOT_RECORDED)
    else:
        return pd.DataFrame(columns=keys + SURVEY_COLUMNS)
    return _survey_counts(r.assign(group_value=group.astype(str)), keys)[keys + SURVEY_COLUMNS]


# --- Complaints ---------------------------------------------------------------------------------


def cmp_weekly(raw: Raw, start_week: date, end_week: date, segments, regions,
               plans) -> pd.DataFrame:
    """``cmp_weekly``: complaints opened, compensation paid and the active base per week."""
    cols = ["week_start", "active_at_start", "complaint_count", "compensated_count",
            "compensation_amount", "compensation_sq_sum"]
    cust = _customers(raw, segments, regions, plans)
    weeks = _weeks_between(raw, start_week, end_week)
    if cust.empty or weeks.empty:
        return pd.DataFrame(columns=cols)
    base = pd.DataFrame({"week_start": weeks, "active_at_start": _active(cust, weeks)})
    c = _events(raw.complaints, "opened_at", cust, [], weeks.min(), weeks.max() + WEEK,
                ["compensation_amount"])
    paid = c["compensation_amount"].fillna(0.0)
    agg = c.assign(complaint_count=1, compensated_count=paid > 0, compensation_amount=paid,
                   compensation_sq_sum=paid * paid).groupby("week_start")[cols[2:]].sum()
    out = base.merge(agg.reset_index(), on="week_start", how="left").fillna(0)
    out[cols[1:4]] = out[cols[1:4]].astype("int64")
    return out[cols]


# --- Cost to serve ------------------------------------------------------------------------------


def cost_channel_weekly(raw: Raw, start_week: date, end_week: date, segments, regions,
                        plans) -> pd.DataFrame:
    """``cost_channel_weekly``: contacts, cost, repeats and the unit cost in force per week and
    costed channel, with the active base."""
    counts = ["contact_count", "repeat_count", "followed_up_count"]
    money = ["contact_cost", "contact_cost_var", "repeat_cost"]
    weeks = _weeks_between(raw, start_week, end_week)
    units = _unit_costs(raw, weeks)
    cust = _customers(raw, segments, regions, plans)
    base = pd.DataFrame({"week_start": weeks, "active_at_start": _active(cust, weeks)})
    c = _contact_repeats(raw, cust)
    c = c[_weeks_mask(c["occurred_at"], weeks.min(), weeks.max() + WEEK)] if len(weeks) else \
        c.iloc[:0]
    c = c.assign(week_start=_monday(c["occurred_at"]), channel=c["channel"].astype(str))
    c = c.merge(units[["week_start", "channel", "cost_per_contact"]],
                on=["week_start", "channel"], how="inner")
    cpc = c["cost_per_contact"]
    agg = c.assign(contact_count=1, repeat_count=c["is_repeat"],
                   followed_up_count=c["is_followed_up"], contact_cost=cpc,
                   contact_cost_var=cpc * cpc, repeat_cost=cpc.where(c["is_repeat"], 0.0)
                   ).groupby(["week_start", "channel"])[counts + money].sum().reset_index()
    out = (units.merge(base, on="week_start", how="left")
           .merge(agg, on=["week_start", "channel"], how="left"))
    out = out.fillna({c: 0 for c in ["active_at_start", *counts, *money]})
    out[["active_at_start", *counts]] = out[["active_at_start", *counts]].astype("int64")
    return out.sort_values(["week_start", "channel"], ignore_index=True)[
        ["week_start", "channel", "active_at_start", *counts, *money, "cost_per_contact",
         "cost_valid_from"]]


def cost_by_segment(raw: Raw, week_start: date, compare_start: date, segments, regions,
                    plans) -> pd.DataFrame:
    """``cost_by_segment``: active base, contacts and their cost per segment in two weeks."""
    weeks = _all_weeks(raw)
    weeks = weeks[weeks.isin([_ts(week_start), _ts(compare_start)])]
    cust = _customers(raw, segments, regions, plans)
    out = _ops(raw, weeks, cust, by="segment", measures=("contacts",))
    return out.sort_values(["segment", "week_start"], ignore_index=True)[
        ["segment", "week_start", "active_at_start", "contact_count", "contact_cost",
         "contact_cost_var"]]


# --- Churn & retention --------------------------------------------------------------------------


def churn_monthly(raw: Raw, start_month: date, period_end: date, segments, regions,
                  plans) -> pd.DataFrame:
    """``churn_monthly``: customers active at each month start, those who left in the month and
    their trailing 3-month revenue (net, floored at zero), per segment."""
    cols = ["month_start", "segment", "revenue_history_complete", "active_at_start",
            "churned_count", "revenue_at_start", "revenue_churned", "revenue_sq_at_start",
            "revenue_sq_churned"]
    weeks = _all_weeks(raw)
    first_day, last_day = weeks.min(), weeks.max() + 6 * DAY
    months = pd.period_range(first_day, last_day, freq="M")
    cust = _customers(raw, segments, regions, plans)
    tx = raw.transactions[["customer_id", "occurred_at", "amount"]]
    tx = tx.merge(cust[["customer_id"]], on="customer_id")
    revenue = tx.assign(month=tx["occurred_at"].to_numpy(dtype="datetime64[M]")).groupby(
        ["month", "customer_id"])["amount"].sum()
    revenue_month = revenue.index.get_level_values("month")
    signup, churn = cust["signup_date"], cust["churn_date"]
    parts = []
    for m in months:
        start, nxt = m.start_time, (m + 1).start_time
        if start < _ts(start_month) or nxt > _ts(period_end):
            continue
        act = cust[(signup <= start) & (churn.isna() | (churn > start))]
        if act.empty:
            continue
        window = revenue[(revenue_month >= (m - 3).start_time) & (revenue_month < start)]
        per_customer = window.groupby(level="customer_id").sum()
        trailing = act["customer_id"].map(per_customer).fillna(0.0).clip(lower=0.0)
        left = (act["churn_date"].notna() & (act["churn_date"] <= nxt)).to_numpy()
        t = trailing.to_numpy()
        frame = pd.DataFrame({
            "segment": act["segment"].astype(str).to_numpy(), "active_at_start": 1,
            "churned_count": left.astype("int64"), "revenue_at_start": t,
            "revenue_churned": np.where(left, t, 0.0), "revenue_sq_at_start": t * t,
            "revenue_sq_churned": np.where(left, t * t, 0.0)})
        agg = frame.groupby("segment").sum().reset_index()
        agg["month_start"] = start
        agg["revenue_history_complete"] = (m - 3).start_time >= first_day
        parts.append(agg)
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True).sort_values(
        ["month_start", "segment"], ignore_index=True)[cols]


# --- Segment comparison -------------------------------------------------------------------------


def cmp_grp_survey_weekly(raw: Raw, start_week: date, end_week: date, dimension: str,
                          segments, regions, plans) -> pd.DataFrame:
    """``cmp_grp_survey_weekly``: survey counts per week, group (segment, region, plan or the
    survey channel) and survey."""
    if dimension not in (*CUSTOMER_DIMENSIONS, "channel"):
        return pd.DataFrame(columns=["week_start", "group_value", "survey", *SURVEY_COLUMNS])
    return _survey_weekly(raw, start_week, end_week, dimension, segments, regions, plans)


def cmp_grp_ops_weekly(raw: Raw, start_week: date, end_week: date, dimension: str,
                       segments, regions, plans) -> pd.DataFrame:
    """``cmp_grp_ops_weekly``: the operational KPI inputs per week and customer group."""
    cols = ["week_start", "group_value", *OPS_COLUMNS]
    if dimension not in CUSTOMER_DIMENSIONS:
        return pd.DataFrame(columns=cols)
    cust = _customers(raw, segments, regions, plans)
    out = _ops(raw, _weeks_between(raw, start_week, end_week), cust, by=dimension)
    return out.rename(columns={dimension: "group_value"})[cols]


# --- CX in money --------------------------------------------------------------------------------


def _cohort(raw: Raw, as_of: pd.Timestamp, segments, regions, plans) -> pd.DataFrame:
    """The kept customers active at ``as_of``, each with their latest NPS category before it
    ('unanswered' when none)."""
    cust = _customers(raw, segments, regions, plans)
    cohort = cust[(cust["signup_date"] <= as_of)
                  & (cust["churn_date"].isna() | (cust["churn_date"] > as_of))]
    r = raw.survey_responses
    r = r[(r["responded_at"] < as_of) & r["customer_id"].isin(cohort["customer_id"])]
    r = r[r["survey"].astype(str).str.lower() == "nps"]
    latest = r.sort_values(["responded_at", "response_id"]).drop_duplicates("customer_id",
                                                                            keep="last")
    category = pd.Series(np.select([latest["score"] >= 9, latest["score"] >= 7],
                                   ["promoter", "passive"], "detractor"),
                         index=latest["customer_id"].to_numpy())
    return cohort.assign(nps_category=cohort["customer_id"].map(category).fillna("unanswered"),
                         segment=cohort["segment"].astype(str))


def money_category_outcomes(raw: Raw, as_of: date, horizon_end: date, segments, regions,
                            plans) -> pd.DataFrame:
    """``money_category_outcomes``: customers active at as_of by segment, latest NPS category and
    recent complaint, with their churn, exposure, revenue and complaints until horizon_end."""
    keys = ["segment", "nps_category", "has_recent_complaint"]
    start, stop = _ts(as_of), _ts(horizon_end)
    cohort = _cohort(raw, start, segments, regions, plans)
    ids = cohort[["customer_id"]]
    churn = cohort["churn_date"]
    tx = raw.transactions
    tx = tx[_weeks_mask(tx["occurred_at"], start, stop)]
    revenue = tx.groupby("customer_id")["amount"].sum()
    cmp = raw.complaints.merge(ids, on="customer_id")
    after = cmp[_weeks_mask(cmp["opened_at"], start, stop)]
    after = after.assign(paid=after["compensation_amount"].fillna(0.0)).groupby(
        "customer_id").agg(complaint_count=("paid", "size"), compensation_amount=("paid", "sum"))
    before = cmp.loc[_weeks_mask(cmp["opened_at"], start - 91 * DAY, start), "customer_id"]
    exposure = ((churn.where(churn < stop, stop).fillna(stop) - start).dt.days / 365.25)
    rev = cohort["customer_id"].map(revenue).fillna(0.0)
    joined = pd.DataFrame({
        "segment": cohort["segment"], "nps_category": cohort["nps_category"],
        "has_recent_complaint": cohort["customer_id"].isin(before),
        "customer_count": 1, "churned_count": churn.notna() & (churn < stop),
        "exposure_years": exposure, "exposure_sq_sum": exposure * exposure,
        "revenue_amount": rev, "revenue_sq_sum": rev * rev,
        "revenue_exposure_sum": rev * exposure,
        "complaint_count": cohort["customer_id"].map(after["complaint_count"]).fillna(0),
        "compensation_amount": cohort["customer_id"].map(after["compensation_amount"])
        .fillna(0.0)})
    out = joined.groupby(keys, sort=True).sum().reset_index()
    out[["customer_count", "churned_count", "complaint_count"]] = out[
        ["customer_count", "churned_count", "complaint_count"]].astype("int64")
    return out


def money_category_contacts(raw: Raw, as_of: date, horizon_end: date, segments, regions,
                            plans) -> pd.DataFrame:
    """``money_category_contacts``: contacts in [as_of, horizon_end) of customers active at
    as_of by segment, latest NPS category and channel, with unresolved and repeat counts."""
    keys = ["segment", "nps_category", "channel"]
    start, stop = _ts(as_of), _ts(horizon_end)
    cohort = _cohort(raw, start, segments, regions, plans)
    c = _contact_repeats(raw, cohort, ["segment", "nps_category"])
    c = c[_weeks_mask(c["occurred_at"], start, stop)]
    out = c.assign(channel=c["channel"].astype(str), contact_count=1,
                   unresolved_count=c["is_resolved"].eq(False),
                   repeat_count=c["is_repeat"]).groupby(keys, sort=True)[
        ["contact_count", "unresolved_count", "repeat_count"]].sum().reset_index()
    out[["contact_count", "unresolved_count", "repeat_count"]] = out[
        ["contact_count", "unresolved_count", "repeat_count"]].astype("int64")
    return out


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

