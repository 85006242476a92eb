"""The pandas way, page by page: each page's main query computed from the raw frames.

Each function takes the raw frames (``pandas_raw.load``) and exactly the bound parameters of one
dashboard query (``queries/dashboard/<query>.sql``) and returns the same rows, computed from the
raw tables instead of the marts: the customers joined and filtered, the events bucketed into ISO
weeks and grouped in memory on every call, as a typical dashboard does on every filter change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from dashboard.bench.pandas_raw import (
    CUSTOMER_DIMENSIONS,
    DAY,
    WEEK,
    Raw,
    active_at,
    all_weeks,
    churned_between,
    contact_repeats,
    events,
    kept_customers,
    monday,
    unit_costs,
    weeks_between,
    weeks_mask,
)

#: Survey attributes a satisfaction trend may split by; missing values are their own group.
EVENT_DIMENSIONS = ("journey_stage", "touchpoint", "channel")
NOT_RECORDED = "not recorded"


# --- Weekly KPIs (and the cells the Segment comparison and Cost to serve group) -----------------

SURVEY_COLUMNS = ["response_count", "promoter_count", "passive_count", "detractor_count",
                  "top2_count", "top3_count", "score_sum", "score_sq_sum"]
OPS_COLUMNS = ["active_at_start", "churned_count", "churned_4w_count", "complaint_count",
               "contact_count", "contact_cost", "contact_cost_var", "contact_cost_sq_sum",
               "transaction_count", "revenue_amount", "revenue_sq_sum"]
#: The grouped comparison's operational inputs: the active customers' own revenue and Σx² too.
CMP_OPS_COLUMNS = [*OPS_COLUMNS, "active_revenue_amount", "active_revenue_sq_sum"]
CELL = ["segment", "region", "plan"]


def _clustered(con: pd.DataFrame, cust: pd.DataFrame, weeks: pd.DatetimeIndex,
               extra: Sequence[str] = ()) -> pd.DataFrame:
    """Customers as clusters, as the cost marts: per week, cell (and ``extra``), with x a
    customer's contact cost, Σx² and n / (n − 1) × (Σx² − (Σx)² / n), n the cell's active base
    or its contacting customers if more (at least 2)."""
    keys = ["week_start", *CELL, *extra]
    x = con.groupby([*keys, "customer_id"], observed=True)["cost_per_contact"].sum()
    cells = x.groupby(keys, observed=True).agg(sx="sum", contacting="size")
    cells["contact_cost_sq_sum"] = (x * x).groupby(keys, observed=True).sum()
    cells = cells.reset_index()
    base = pd.concat([pd.DataFrame({"week_start": weeks, "active": active_at(part, weeks),
                                    **dict(zip(CELL, cell, strict=True))})
                      for cell, part in cust.groupby(CELL, observed=True)], ignore_index=True)
    for c in CELL:
        cells[c], base[c] = cells[c].astype(str), base[c].astype(str)
    cells = cells.merge(base, on=["week_start", *CELL], how="left")
    n = np.maximum(np.maximum(cells["active"].fillna(0), cells["contacting"]), 2).astype(float)
    cells["contact_cost_var"] = np.maximum(
        n / (n - 1) * (cells["contact_cost_sq_sum"] - cells["sx"] ** 2 / n), 0.0)
    return cells


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
    r = events(raw.survey_responses, "responded_at", cust, cols, first, stop,
               ["survey", "score", "scale_max", *EVENT_DIMENSIONS])
    return r.assign(survey=r["survey"].astype(str).str.lower())


def _survey_weekly(raw: Raw, start_week: date, end_week: date, by: str | None,
                   segments, regions, plans) -> pd.DataFrame:
    cust = kept_customers(raw, segments, regions, plans)
    cols = [by] if by in CUSTOMER_DIMENSIONS else []
    r = _responses(raw, cust, cols, pd.Timestamp(start_week), pd.Timestamp(end_week) + DAY)
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
        frame = pd.DataFrame({"week_start": weeks, "active_at_start": active_at(part, weeks)})
        if "churn" in measures:
            frame["churned_count"] = churned_between(part, weeks, weeks + WEEK)
            frame["churned_4w_count"] = churned_between(part, weeks - 3 * WEEK, weeks + WEEK)
        if by:
            frame[by] = group
        parts.append(frame)
    base = pd.concat(parts, ignore_index=True)
    cols = [by] if by else []
    first, stop = weeks.min(), weeks.max() + WEEK
    aggs = []
    if "complaints" in measures:
        cmp = events(raw.complaints, "opened_at", cust, cols, first, stop)
        aggs.append(cmp.groupby(keys, observed=True).size().rename("complaint_count"))
    if "contacts" in measures:
        con = events(raw.contacts, "occurred_at", cust, CELL, first, stop, ["channel"])
        con = con.assign(channel=con["channel"].astype(str)).merge(
            unit_costs(raw, weeks)[["week_start", "channel", "cost_per_contact"]],
            on=["week_start", "channel"], how="left")
        cpc = con["cost_per_contact"]
        aggs.append(con.assign(contact_count=1, contact_cost=cpc)
                    .groupby(keys, observed=True)[["contact_count", "contact_cost"]].sum())
        if len(con):
            spread = _clustered(con, cust, weeks)
            aggs.append(spread.groupby(keys, observed=True)[
                ["contact_cost_var", "contact_cost_sq_sum"]].sum())
    if "revenue" in measures:
        tx = events(raw.transactions, "occurred_at", cust, cols, first, stop, ["amount"])
        amount = tx["amount"]
        aggs.append(tx.assign(transaction_count=1, revenue_amount=amount,
                              revenue_sq_sum=amount * amount)
                    .groupby(keys, observed=True)[
                        ["transaction_count", "revenue_amount", "revenue_sq_sum"]].sum())
        # each customer's net revenue in the week, for the customers active at its Monday
        life = cust.set_index("customer_id")[["signup_date", "churn_date"]]
        tx = tx.join(life, on="customer_id")
        active = (tx["signup_date"] <= tx["week_start"]) & ~(tx["churn_date"] <= tx["week_start"])
        x = tx[active].groupby([*keys, "customer_id"], observed=True)["amount"].sum()
        aggs.append(pd.DataFrame({
            "active_revenue_amount": x.groupby(keys, observed=True).sum(),
            "active_revenue_sq_sum": (x * x).groupby(keys, observed=True).sum()}))
    out = base
    for agg in aggs:
        agg = agg.reset_index()
        if by:
            agg[by] = agg[by].astype(str)
        out = out.merge(agg, on=keys, how="left")
    if "contacts" in measures:  # no contacts: no spread either
        out = out.assign(**{c: 0.0 for c in ("contact_cost_var", "contact_cost_sq_sum")
                            if c not in out.columns})
    out = out.fillna({c: 0 for c in CMP_OPS_COLUMNS if c in out.columns})
    for c in ("active_at_start", "churned_count", "churned_4w_count", "complaint_count",
              "contact_count", "transaction_count"):
        if c in out.columns:
            out[c] = out[c].astype("int64")
    return out.sort_values(keys, ignore_index=True)


def kpi_ops_weekly(raw: Raw, start_week: date, end_week: date, segments, regions,
                   plans) -> pd.DataFrame:
    """``kpi_ops_weekly``: active base, churn, complaints, contact cost and revenue per week."""
    cust = kept_customers(raw, segments, regions, plans)
    return _ops(raw, weeks_between(raw, start_week, end_week), cust)[["week_start",
                                                                      *OPS_COLUMNS]]


# --- Satisfaction ------------------------------------------------------------------------------


def sat_scores_trend(raw: Raw, week_from: date, week_to: date, month_from: date,
                     month_to: date, dimension: str, segments, regions,
                     plans) -> pd.DataFrame:
    """``sat_scores_trend``: survey counts per week, calendar month and group of one split."""
    keys = ["week_start", "month_start", "group_value", "survey"]
    cust = kept_customers(raw, segments, regions, plans)
    cols = [dimension] if dimension in CUSTOMER_DIMENSIONS else []
    r = _responses(raw, cust, cols, pd.Timestamp(week_from), pd.Timestamp(week_to) + DAY)
    r["month_start"] = r["responded_at"].to_numpy(dtype="datetime64[M]").astype(
        "datetime64[ns]")
    r = r[(r["month_start"] >= pd.Timestamp(month_from))
          & (r["month_start"] <= pd.Timestamp(month_to))]
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
    cust = kept_customers(raw, segments, regions, plans)
    weeks = weeks_between(raw, start_week, end_week)
    if cust.empty or weeks.empty:
        return pd.DataFrame(columns=cols)
    base = pd.DataFrame({"week_start": weeks, "active_at_start": active_at(cust, weeks)})
    c = events(raw.complaints, "opened_at", cust, [], weeks.min(), weeks.max() + WEEK,
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
    weeks = weeks_between(raw, start_week, end_week)
    units = unit_costs(raw, weeks)
    cust = kept_customers(raw, segments, regions, plans)
    base = pd.DataFrame({"week_start": weeks, "active_at_start": active_at(cust, weeks)})
    c = contact_repeats(raw, cust, CELL)
    c = c[weeks_mask(c["occurred_at"], weeks.min(), weeks.max() + WEEK)] if len(weeks) else \
        c.iloc[:0]
    c = c.assign(week_start=monday(c["occurred_at"]), channel=c["channel"].astype(str))
    c = c.merge(units[["week_start", "channel", "cost_per_contact"]],
                on=["week_start", "channel"], how="inner")
    cpc = c["cost_per_contact"]
    agg = c.assign(contact_count=1, repeat_count=c["is_repeat"],
                   followed_up_count=c["is_followed_up"], contact_cost=cpc,
                   repeat_cost=cpc.where(c["is_repeat"], 0.0)
                   ).groupby(["week_start", "channel"])[
                       [*counts, "contact_cost", "repeat_cost"]].sum().reset_index()
    if len(c):
        spread = _clustered(c, cust, weeks, ["channel"]).groupby(
            ["week_start", "channel"])["contact_cost_var"].sum().reset_index()
        agg = agg.merge(spread, on=["week_start", "channel"], how="left")
    else:
        agg["contact_cost_var"] = 0.0
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
    weeks = all_weeks(raw)
    weeks = weeks[weeks.isin([pd.Timestamp(week_start), pd.Timestamp(compare_start)])]
    cust = kept_customers(raw, segments, regions, plans)
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
    weeks = all_weeks(raw)
    first_day, last_day = weeks.min(), weeks.max() + 6 * DAY
    months = pd.period_range(first_day, last_day, freq="M")
    cust = kept_customers(raw, segments, regions, plans)
    tx = raw.transactions[["customer_id", "occurred_at", "amount"]]
    tx = tx.merge(cust[["customer_id"]], on="customer_id")
    revenue = tx.assign(month=tx["occurred_at"].to_numpy(dtype="datetime64[M]")).groupby(
        ["month", "customer_id"])["amount"].sum()
    revenue_month = revenue.index.get_level_values("month")
    signup, churn = cust["signup_date"], cust["churn_date"]
    parts = []
    for m in months:
        start, nxt = m.start_time, (m + 1).start_time
        if start < pd.Timestamp(start_month) or nxt > pd.Timestamp(period_end):
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
    cols = ["week_start", "group_value", *CMP_OPS_COLUMNS]
    if dimension not in CUSTOMER_DIMENSIONS:
        return pd.DataFrame(columns=cols)
    cust = kept_customers(raw, segments, regions, plans)
    out = _ops(raw, weeks_between(raw, start_week, end_week), cust, by=dimension)
    return out.rename(columns={dimension: "group_value"})[cols]


# --- CX in money --------------------------------------------------------------------------------


def _cohort(raw: Raw, as_of: pd.Timestamp, segments, regions, plans) -> pd.DataFrame:
    """The kept customers active at ``as_of``, each with their latest NPS category before it
    ('unanswered' when none)."""
    cust = kept_customers(raw, segments, regions, plans)
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
    start, stop = pd.Timestamp(as_of), pd.Timestamp(horizon_end)
    cohort = _cohort(raw, start, segments, regions, plans)
    ids = cohort[["customer_id"]]
    churn = cohort["churn_date"]
    tx = raw.transactions
    tx = tx[weeks_mask(tx["occurred_at"], start, stop)]
    revenue = tx.groupby("customer_id")["amount"].sum()
    cmp = raw.complaints.merge(ids, on="customer_id")
    after = cmp[weeks_mask(cmp["opened_at"], start, stop)]
    after = after.assign(paid=after["compensation_amount"].fillna(0.0)).groupby(
        "customer_id").agg(complaint_count=("paid", "size"), compensation_amount=("paid", "sum"))
    before = cmp.loc[weeks_mask(cmp["opened_at"], start - 91 * DAY, start), "customer_id"]
    exposure = ((churn.where(churn < stop, stop).fillna(stop) - start).dt.days / 365.25)
    rev = cohort["customer_id"].map(revenue).fillna(0.0)
    joined = pd.DataFrame({
        "segment": cohort["segment"], "nps_category": cohort["nps_category"],
        "has_recent_complaint": cohort["customer_id"].isin(before),
        "customer_count": 1, "churned_count": churn.notna() & (churn <= stop),
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
    start, stop = pd.Timestamp(as_of), pd.Timestamp(horizon_end)
    cohort = _cohort(raw, start, segments, regions, plans)
    c = contact_repeats(raw, cohort, ["segment", "nps_category"])
    c = c[weeks_mask(c["occurred_at"], start, stop)]
    out = c.assign(channel=c["channel"].astype(str), contact_count=1,
                   unresolved_count=c["is_resolved"].eq(False),
                   repeat_count=c["is_repeat"]).groupby(keys, sort=True)[
        ["contact_count", "unresolved_count", "repeat_count"]].sum().reset_index()
    out[["contact_count", "unresolved_count", "repeat_count"]] = out[
        ["contact_count", "unresolved_count", "repeat_count"]].astype("int64")
    return out
