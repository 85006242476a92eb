"""The pandas way, loading and joining: the raw tables as a typical Streamlit dashboard holds them.

A typical dashboard loads every raw table into pandas once (an ``st.cache_data`` loader running
``select * from raw.<table>``) and then, on every filter change, joins the customers for
segment / region / plan, filters, buckets the events into ISO weeks and groups in memory. This
module is the loading and the steps every page shares (the customer filter, ISO weeks, the
active base, the unit costs in force, the repeat flags, the events of the kept customers), as
plainly and efficiently as pandas allows: vectorised, no Python loops over rows, strings as
categoricals so the frames fit in memory and group fast.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.warehouse import db

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


def monday(values: pd.Series) -> pd.Series:
    """The Monday of each value's ISO week (DuckDB's ``date_trunc('week', …)``)."""
    days = values.to_numpy(dtype="datetime64[D]")
    mondays = days - (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    return pd.Series(mondays.astype("datetime64[ns]"), index=values.index)


def _monday_on_or_after(d: pd.Timestamp) -> pd.Timestamp:
    d = d.normalize()
    return d + pd.Timedelta(days=(7 - d.dayofweek) % 7)


def weeks_mask(ts: pd.Series, first: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Events whose ISO week's Monday lies in [first, stop): tested on the timestamps, so only
    the kept rows need bucketing."""
    return (ts >= _monday_on_or_after(first)) & (ts < _monday_on_or_after(stop))


def kept_customers(raw: Raw, segments: Sequence[str], regions: Sequence[str],
                   plans: Sequence[str]) -> pd.DataFrame:
    """The customers the filter bar keeps (an empty list means all)."""
    c = raw.customers
    keep = np.ones(len(c), dtype=bool)
    for col, values in zip(CUSTOMER_DIMENSIONS, (segments, regions, plans), strict=True):
        if values:
            keep &= c[col].isin(list(values)).to_numpy()
    return c[keep]


def all_weeks(raw: Raw) -> pd.DatetimeIndex:
    """Every ISO week from the first to the last week holding any event (``dim_weeks``)."""
    stamps = ((raw.survey_responses, "responded_at"), (raw.contacts, "occurred_at"),
              (raw.complaints, "opened_at"), (raw.transactions, "occurred_at"))
    lo = min(f[c].min() for f, c in stamps if len(f))
    hi = max(f[c].max() for f, c in stamps if len(f))
    first = lo.normalize() - pd.Timedelta(days=lo.dayofweek)
    last = hi.normalize() - pd.Timedelta(days=hi.dayofweek)
    return pd.date_range(first, last, freq="7D")


def weeks_between(raw: Raw, start: date, end: date) -> pd.DatetimeIndex:
    """The weeks of ``all_weeks`` from ``start`` to ``end``, both included."""
    weeks = all_weeks(raw)
    return weeks[(weeks >= pd.Timestamp(start)) & (weeks <= pd.Timestamp(end))]


def active_at(cust: pd.DataFrame, weeks: pd.DatetimeIndex) -> np.ndarray:
    """Customers active at each Monday: signed up on or before it and not churned by it."""
    ns = "datetime64[ns]"
    signup = np.sort(cust["signup_date"].to_numpy(dtype=ns))
    churn = np.sort(cust["churn_date"].dropna().to_numpy(dtype=ns))
    at = weeks.to_numpy(dtype=ns)
    return np.searchsorted(signup, at, "right") - np.searchsorted(churn, at, "right")


def churned_between(cust: pd.DataFrame, starts: pd.DatetimeIndex, ends: pd.DatetimeIndex
                    ) -> np.ndarray:
    """Customers active on each start and not active on the matching end (the churn rule:
    signed up on or before the start, churn date after it and on or before the end)."""
    ns = "datetime64[ns]"
    churners = cust[cust["churn_date"].notna()]
    signup = churners["signup_date"].to_numpy(dtype=ns)
    churn = churners["churn_date"].to_numpy(dtype=ns)
    return np.array([int(((signup <= a) & (churn > a) & (churn <= b)).sum())
                     for a, b in zip(starts.to_numpy(dtype=ns), ends.to_numpy(dtype=ns),
                                     strict=True)], dtype="int64")


def unit_costs(raw: Raw, weeks: pd.DatetimeIndex) -> pd.DataFrame:
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


def contact_repeats(raw: Raw, cust: pd.DataFrame, cols: Sequence[str] = ()) -> pd.DataFrame:
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


def events(frame: pd.DataFrame, ts: str, cust: pd.DataFrame, cols: Sequence[str],
           first: pd.Timestamp, stop: pd.Timestamp, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Events of the kept customers in weeks [first, stop), with their ISO week: the event
    columns ``keep`` and the customer columns ``cols``."""
    ev = frame.loc[weeks_mask(frame[ts], first, stop), ["customer_id", ts, *keep]]
    ev = ev.merge(cust[["customer_id", *cols]], on="customer_id")
    return ev.assign(week_start=monday(ev[ts]))
