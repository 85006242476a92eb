"""Slow customer-level queries (money inputs, survival, recovery, at-risk, complaint lists) are
fetched once per window for every customer, at the grain of segment × region × plan, and the
filters are applied in pandas (``Filters.narrow`` / ``Filters.selects``): a filter change re-uses
the cached result instead of re-running them. These tests pin the narrowing by hand and check the
narrowed money inputs against counts taken straight from the demo world's raw frames."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.money import inputs as money
from dashboard.warehouse import db


def test_narrow_by_hand():
    rows = pd.DataFrame({
        "segment": ["Mass", "Mass", "Mass", "Business"],
        "region": ["North", "South", "North", "North"],
        "plan": ["Basic", "Basic", "Premium", "Basic"],
        "group": ["a", "a", "b", "a"],
        "n": [1, 2, 4, 8],
        "x": [0.5, 0.25, 1.0, 2.0],
    })
    f = Filters(week="2026-W10")
    assert f.narrow(rows, ["group"]).to_dict("list") == {
        "group": ["a", "b"], "n": [11, 4], "x": [2.75, 1.0]}
    north = Filters(week="2026-W10", regions=("North",))
    assert north.narrow(rows, ["segment", "group"]).to_dict("list") == {
        "segment": ["Business", "Mass", "Mass"], "group": ["a", "a", "b"], "n": [8, 1, 4],
        "x": [2.0, 0.5, 1.0]}
    both = Filters(week="2026-W10", segments=("Mass",), plans=("Basic", "Premium"))
    assert both.selects(rows).tolist() == [True, True, True, False]
    nobody = Filters(week="2026-W10", segments=("Nobody",))
    out = nobody.narrow(rows, ["segment", "group"])
    assert out.empty and list(out.columns) == ["segment", "group", "n", "x"]


@pytest.fixture(scope="module")
def fetch(demo_fetch):
    return demo_fetch


@pytest.fixture(scope="module")
def aset(fetch):
    store = db.AppStore("sqlite:///:memory:")
    return assumptions.load_set(store, fetch("assumption_rows"), assumptions.PUBLISHED)


@pytest.mark.parametrize("chosen", [{}, {"segments": ("Mass",)},
                                    {"regions": ("North", "East"), "plans": ("Premium",)}])
def test_money_inputs_count_the_filtered_customers(fetch, aset, demo_frames, chosen):
    """The narrowed base and outcomes count exactly the filtered customers active at each date,
    and the narrowed contacts exactly their contacts in the window (raw frames, pandas)."""
    week = kpis.load_catalog(fetch).latest_complete
    inputs = money.fetch_inputs(fetch, Filters(week=week, **chosen), aset)
    cust = demo_frames["customers"].copy()
    for dim, values in chosen.items():
        cust = cust[cust[dim.removesuffix("s")].isin(values)]
    signup = pd.to_datetime(cust["signup_date"])
    churn = pd.to_datetime(cust["churn_date"])

    def active(day) -> pd.Series:
        d = pd.Timestamp(day)
        return (signup <= d) & (churn.isna() | (churn > d))

    base = active(inputs.horizon_end)
    assert int(inputs.base["customer_count"].sum()) == int(base.sum())
    by_segment = inputs.base.groupby("segment")["customer_count"].sum().to_dict()
    assert by_segment == cust[base].groupby("segment").size().to_dict()
    start = active(inputs.as_of)
    assert int(inputs.outcomes["customer_count"].sum()) == int(start.sum())
    churned = start & churn.notna() & (churn < pd.Timestamp(inputs.horizon_end))
    assert int(inputs.outcomes["churned_count"].sum()) == int(churned.sum())

    contacts = demo_frames["contacts"]
    at = pd.to_datetime(contacts["occurred_at"])
    week_start = (at - pd.to_timedelta(at.dt.weekday, unit="D")).dt.normalize()
    in_window = contacts[(week_start >= pd.Timestamp(inputs.as_of))
                         & (week_start < pd.Timestamp(inputs.horizon_end))
                         & contacts["customer_id"].isin(cust.loc[start, "customer_id"])]
    assert int(inputs.contacts["contact_count"].sum()) == len(in_window)
    assert inputs.contacts.groupby("channel")["contact_count"].sum().to_dict() == \
        in_window.groupby("channel").size().to_dict()
    assert inputs.horizon_end - inputs.as_of == timedelta(weeks=money.WINDOW_WEEKS)
