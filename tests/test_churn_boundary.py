"""One churn boundary rule for every churn figure.

A churn date is the first day the customer is gone: active on day d ⇔ signup_date ≤ d <
churn_date (or no churn date); a customer churns in [a, b) when active on a and not on b. Churn
dates are put exactly on window starts and ends (and a day either side); each figure — weekly
churned count, the 4-week rate, monthly churn, cohort retention, Kaplan–Meier, the money model's
churn and the pandas way — is checked against the rule applied to the customer rows here.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.bench import pandas_pages, pandas_raw
from dashboard.intake import contract
from dashboard.metrics import survival
from dashboard.warehouse import build, db

START = date(2025, 11, 3)  # a Monday: the first week holding events
WEEKS = 30
MONDAYS = [START + timedelta(weeks=k) for k in range(WEEKS)]


def _active(c: pd.DataFrame, day: date) -> pd.Series:
    d = pd.Timestamp(day)
    return (c["signup_date"] <= d) & (c["churn_date"].isna() | (c["churn_date"] > d))


def churned_in(c: pd.DataFrame, a: date, b: date) -> tuple[int, int]:
    """(churned, base) of the window [a, b) by the rule, from the customer rows."""
    base = _active(c, a)
    return int((base & ~_active(c, b)).sum()), int(base.sum())


def _customers(seed: int = 3, n: int = 600) -> pd.DataFrame:
    """Customers whose dates sit on Mondays, month starts and a day either side."""
    rng = np.random.default_rng(seed)
    anchors = MONDAYS + [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1),
                         date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    rows = []
    for i in range(1, n + 1):
        # a third signed up before the data, the rest on or around an anchor inside it
        if rng.random() < 0.33:
            signup = date(2025, 6, 1) + timedelta(days=int(rng.integers(0, 150)))
        else:
            signup = anchors[rng.integers(len(anchors))] + timedelta(days=int(rng.integers(-1, 2)))
        churn = None
        if rng.random() < 0.6:
            churn = anchors[rng.integers(len(anchors))] + timedelta(days=int(rng.integers(-1, 2)))
            if churn < signup:
                churn = signup if rng.random() < 0.1 else None  # gone the day they came
        rows.append({"customer_id": str(i), "segment": ("Mass", "Business")[i % 2],
                     "region": "North", "plan": "Basic", "acquisition_channel": "web",
                     "signup_date": signup.isoformat(),
                     "churn_date": "" if churn is None else churn.isoformat()})
    return pd.DataFrame(rows)


def _typed(table: str, text: pd.DataFrame) -> pd.DataFrame:
    good, problems = contract.validate(table, text, f"{table}.csv")
    assert not problems, problems[:3]
    return good


@pytest.fixture(scope="module")
def world(tmp_path_factory, fixture_raw):
    """(typed customers, warehouse) — one transaction per week keeps every week in the data."""
    text = _customers()
    customers = _typed("customers", text)
    keeper = text[(text["churn_date"] == "") & (text["signup_date"] < "2025-11-01")].iloc[0]
    tx = pd.DataFrame({
        "transaction_id": [str(k + 1) for k in range(WEEKS)],
        "customer_id": keeper["customer_id"],
        "occurred_at": [f"{m.isoformat()} 12:00:00" for m in MONDAYS],
        "amount": "10", "product": "", "channel": "", "kind": "subscription"})
    raw = {t: fixture_raw[t].iloc[0:0] for t in build.RAW_TABLES if t != "assumptions"}
    raw["assumptions"] = fixture_raw["assumptions"]
    raw["customers"] = customers
    raw["transactions"] = _typed("transactions", tx)
    path = tmp_path_factory.mktemp("churn_boundary") / "wh.duckdb"
    build.build(raw, path)
    wh = db.Warehouse(f"duckdb:///{path}")
    yield customers.assign(signup_date=pd.to_datetime(customers["signup_date"]),
                           churn_date=pd.to_datetime(customers["churn_date"])), wh, raw
    wh.close()


def _ops(wh) -> pd.DataFrame:
    ops = wh.run("kpi_ops_weekly", start_week=MONDAYS[0], end_week=MONDAYS[-1], segments=[],
                 regions=[], plans=[])
    return ops.set_index(pd.to_datetime(ops["week_start"]).dt.date)


def test_the_boundaries_are_exercised(world):
    c, _, _ = world
    mondays = {pd.Timestamp(m) for m in MONDAYS}
    assert c["churn_date"].isin(mondays).sum() > 50
    assert (c["churn_date"] == c["signup_date"]).sum() > 0
    assert c["signup_date"].isin(mondays).sum() > 50


def test_weekly_churned_and_base_follow_the_rule(world):
    c, wh, _ = world
    ops = _ops(wh)
    for m in MONDAYS:
        churned, base = churned_in(c, m, m + timedelta(weeks=1))
        assert ops.at[m, "active_at_start"] == base, m
        assert ops.at[m, "churned_count"] == churned, m


def test_four_week_rate_counts_only_the_window_start_base(world):
    c, wh, _ = world
    ops = _ops(wh)
    from dashboard.metrics.registry import METRICS, all_week_inputs

    inputs = all_week_inputs(pd.DataFrame(), ops.reset_index(drop=True))
    churn = next(m for m in METRICS if m.name == "churn_rate_4w")
    for m in MONDAYS[3:]:
        a, b = m - timedelta(weeks=3), m + timedelta(weeks=1)
        churned, base = churned_in(c, a, b)
        assert ops.at[m, "churned_4w_count"] == churned, m
        w = inputs[m]
        assert (w["churn4_count"], w["churn4_base"]) == (churned, base), m
        assert churn.estimate(w).value == pytest.approx(100 * churned / base), m
    # the first three weeks have no full window: withheld, never a partial count
    assert inputs[MONDAYS[2]]["churn4_base"] == 0


def test_the_issue_shape_churns_on_the_window_start_are_outside_the_base(world):
    """Churns dated on the window's first Monday were counted in the numerator but not in the
    base; now they are in neither, and the rate equals the rule's."""
    c, wh, _ = world
    ops = _ops(wh)
    differed = 0
    for m in MONDAYS[3:]:
        a = m - timedelta(weeks=3)
        churned, base = churned_in(c, a, m + timedelta(weeks=1))
        # what the old sum of four weekly counts (churn dates in [a, a + 28)) gave
        old = int(((c["churn_date"] >= pd.Timestamp(a))
                   & (c["churn_date"] < pd.Timestamp(a + timedelta(weeks=4)))).sum())
        differed += old != churned
        assert not _active(c[c["churn_date"] == pd.Timestamp(a)], a).any()
        assert (ops.at[m, "churned_4w_count"], ops.at[m - timedelta(weeks=3),
                                                     "active_at_start"]) == (churned, base)
    assert differed >= len(MONDAYS[3:]) // 2


def test_monthly_churn_follows_the_rule(world):
    c, wh, _ = world
    got = wh.run("churn_monthly", start_month=date(2025, 11, 1), period_end=MONDAYS[-1],
                 segments=[], regions=[], plans=[])
    got["month_start"] = pd.to_datetime(got["month_start"]).dt.date
    assert len(set(got["month_start"])) >= 5
    for (month, seg), row in got.set_index(["month_start", "segment"]).iterrows():
        nxt = (month + timedelta(days=32)).replace(day=1)
        part = c[c["segment"] == seg]
        churned, base = churned_in(part, month, nxt)
        assert (row["active_at_start"], row["churned_count"]) == (base, churned), (month, seg)


def test_cohort_retention_follows_the_rule(world):
    c, wh, _ = world
    got = wh.sql("select cohort_month, months_since_signup, boundary_date, "
                 "sum(cohort_size) as size, sum(active_count) as active "
                 "from marts.fct_cohort_retention group by all")
    assert len(got) > 10
    for r in got.itertuples():
        month = pd.Timestamp(r.cohort_month)
        cohort = c[(c["signup_date"] >= month)
                   & (c["signup_date"] < month + pd.DateOffset(months=1))]
        assert r.size == len(cohort)
        # age 0 is the whole cohort; at a later month start, those active on that day
        want = len(cohort) if r.months_since_signup == 0 else int(
            _active(cohort, pd.Timestamp(r.boundary_date).date()).sum())
        assert r.active == want, r


@pytest.mark.parametrize("start", [MONDAYS[4], MONDAYS[9]])
def test_kaplan_meier_follows_the_rule_and_equals_lifelines(world, start):
    from lifelines import KaplanMeierFitter

    c, wh, _ = world
    end = start + timedelta(weeks=13)
    rows = wh.run("churn_survival", window_start=start, window_end=end)
    rows = rows[rows["split"] == "complaint_status"]
    cohort = c[_active(c, start)]
    gone = cohort["churn_date"].notna() & (cohort["churn_date"] <= pd.Timestamp(end))
    days = (cohort["churn_date"].where(gone, pd.Timestamp(end)) - pd.Timestamp(start)).dt.days
    weeks = np.ceil(days / 7).astype(int)
    assert int(rows["customer_count"].sum()) == len(cohort)
    assert int(rows.loc[rows["is_churned"], "customer_count"].sum()) == int(gone.sum())
    # a churn date on the window's Monday + 7 is the first week's event, not the second's
    week_one = int((gone & (cohort["churn_date"] <= pd.Timestamp(start + timedelta(weeks=1))))
                   .sum())
    assert int(rows.loc[rows["is_churned"] & (rows["duration_weeks"] == 1),
                        "customer_count"].sum()) == week_one
    curve = survival.kaplan_meier(rows["duration_weeks"].to_numpy(float),
                                  rows["is_churned"].to_numpy(bool),
                                  rows["customer_count"].to_numpy(float))
    km = KaplanMeierFitter().fit(weeks, gone)
    for t in range(1, 14):
        assert survival.survival_at(curve, t)[0] == pytest.approx(
            float(km.predict(t)), abs=1e-12), t


def test_money_model_churn_follows_the_rule(world):
    c, wh, _ = world
    as_of, horizon = MONDAYS[5], MONDAYS[5] + timedelta(weeks=12)
    got = wh.run("money_category_outcomes", as_of=as_of, horizon_end=horizon)
    churned, base = churned_in(c, as_of, horizon)
    assert (int(got["customer_count"].sum()), int(got["churned_count"].sum())) == (base, churned)
    assert (c["churn_date"] == pd.Timestamp(horizon)).any()  # the end boundary is exercised


def test_the_pandas_way_follows_the_same_rule(world):
    _, wh, _ = world
    raw = pandas_raw.load(wh.path)
    ours = _ops(wh).reset_index(drop=True)
    theirs = pandas_pages.kpi_ops_weekly(raw, MONDAYS[0], MONDAYS[-1], [], [], [])
    for col in ("active_at_start", "churned_count", "churned_4w_count"):
        assert ours[col].tolist() == theirs[col].tolist(), col
