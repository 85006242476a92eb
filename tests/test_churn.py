"""Churn & retention page: Kaplan–Meier against lifelines, hand values, fixture queries by hand,
planted truths on the demo world, AppTest."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from streamlit.testing.v1 import AppTest

from dashboard.analysis import churn
from dashboard.analysis.cards import money as cards_money
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week
from dashboard.metrics.survival import kaplan_meier, restricted_mean, survival_at
from dashboard.warehouse import config
from tests.conftest import Seen

ALL = {"segments": [], "regions": [], "plans": []}


# --- Kaplan–Meier ------------------------------------------------------------------------------


def _assert_equals_lifelines(durations, events, weights=None):
    ours = kaplan_meier(durations, events, weights)
    kmf = KaplanMeierFitter().fit(durations, events, weights=weights)
    assert np.array_equal(ours["time"].to_numpy(), kmf.timeline)
    np.testing.assert_allclose(ours["survival"], kmf.survival_function_.iloc[:, 0],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["ci_low"], kmf.confidence_interval_.iloc[:, 0],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["ci_high"], kmf.confidence_interval_.iloc[:, 1],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["at_risk"], kmf.event_table["at_risk"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_km_equals_lifelines_on_random_data_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = 500
    durations = rng.integers(1, 53, n).astype(float)
    events = rng.random(n) < 0.3
    _assert_equals_lifelines(durations, events)
    # continuous times, heavy censoring
    _assert_equals_lifelines(rng.exponential(20, n), rng.random(n) < 0.1)


def test_km_with_counts_equals_lifelines_on_expanded_rows():
    durations = np.array([1, 1, 2, 3, 3, 5, 8, 8], dtype=float)
    events = np.array([True, False, True, True, False, True, False, True])
    counts = np.array([4, 10, 3, 2, 7, 1, 20, 5], dtype=float)
    ours = kaplan_meier(durations, events, counts)
    kmf = KaplanMeierFitter().fit(np.repeat(durations, counts.astype(int)),
                                  np.repeat(events, counts.astype(int)))
    np.testing.assert_allclose(ours["survival"], kmf.survival_function_.iloc[:, 0], atol=1e-9)
    np.testing.assert_allclose(ours[["ci_low", "ci_high"]], kmf.confidence_interval_, atol=1e-9)
    _assert_equals_lifelines(durations, events, counts)


def test_km_by_hand():
    # 6 subjects: events at 3, 5, 7, 7; censored at 3 and 9
    km = kaplan_meier([3, 3, 5, 7, 7, 9], [1, 0, 1, 1, 1, 0]).set_index("time")
    assert km.loc[3, "survival"] == pytest.approx(5 / 6)
    assert km.loc[5, "survival"] == pytest.approx(5 / 6 * 3 / 4)
    assert km.loc[7, "survival"] == pytest.approx(5 / 6 * 3 / 4 * 1 / 3)
    assert km.loc[9, "survival"] == pytest.approx(km.loc[7, "survival"])  # censoring only
    # Greenwood: 1/(6·5) + 1/(4·3) + 2/(3·1)
    assert km.loc[7, "variance"] == pytest.approx(1 / 30 + 1 / 12 + 2 / 3)
    assert km["at_risk"].tolist() == [6, 6, 4, 3, 1]
    s, lo, hi = survival_at(km.reset_index(), 6.5)
    assert s == pytest.approx(5 / 6 * 3 / 4) and lo < s < hi
    # restricted mean to 8: 3·1 + 2·5/6 + 2·5/8 + 1·5/24
    assert restricted_mean(km.reset_index(), 8) == pytest.approx(3 + 10 / 6 + 10 / 8 + 5 / 24)
    # everyone has the event: the curve reaches 0 with a zero band, as lifelines
    _assert_equals_lifelines(np.array([1.0, 2.0, 2.0]), np.array([True, True, True]))


def test_km_refuses_bad_input():
    with pytest.raises(ValueError):
        kaplan_meier([1, -1], [True, True])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])


# --- pure statistics by hand -------------------------------------------------------------------


def test_weighted_share_by_hand():
    # weights 100, 50 (churned), 200, 0 (stayed): p = 50/350
    w = np.array([100.0, 50.0, 200.0, 0.0])
    y = np.array([0, 1, 0, 0])
    est = churn.weighted_share(w.sum(), (w * y).sum(), (w**2).sum(), (w**2 * y).sum(), 4)
    assert est.status == "withheld"  # n = 4 < 30
    est = churn.weighted_share(w.sum() * 10, (w * y).sum() * 10, (w**2).sum() * 10,
                               (w**2 * y).sum() * 10, 40)
    p = 50 / 350
    var = 10 * ((w**2) * (y - p) ** 2).sum() / (3500.0**2)
    assert est.value == pytest.approx(100 * p)
    assert est.ci_high - est.value == pytest.approx(100 * stats.Z95 * np.sqrt(var))


def test_monthly_table_by_hand():
    m = date(2026, 3, 1)
    df = pd.DataFrame({
        "month_start": [m, m], "segment": ["Mass", "Business"],
        "revenue_history_complete": [True, True], "active_at_start": [200, 100],
        "churned_count": [10, 2], "revenue_at_start": [10_000.0, 20_000.0],
        "revenue_churned": [400.0, 100.0], "revenue_sq_at_start": [600_000.0, 5_000_000.0],
        "revenue_sq_churned": [20_000.0, 6_000.0],
    })
    mt = churn.monthly_table(df).set_index("group")
    assert list(mt.index) == ["Business", "Mass", churn.ALL_LABEL]
    assert mt.loc["Mass", "value"] == pytest.approx(5.0)
    lo, hi = stats.wilson(12, 300)
    assert (mt.loc[churn.ALL_LABEL, "ci_low"], mt.loc[churn.ALL_LABEL, "ci_high"]) == \
        pytest.approx((100 * lo, 100 * hi))
    assert mt.loc[churn.ALL_LABEL, "rev_value"] == pytest.approx(100 * 500 / 30_000)
    assert mt.loc[churn.ALL_LABEL, "revenue_lost"] == pytest.approx(500.0)


def test_cohort_matrix_withholds_small_cohorts():
    df = pd.DataFrame({"cohort_month": [date(2025, 1, 1)] * 2 + [date(2025, 2, 1)],
                       "months_since_signup": [1, 2, 1], "cohort_size": [40, 40, 29],
                       "active_count": [38, 30, 29]})
    cm = churn.cohort_matrix(df)
    assert cm["value"].tolist()[:2] == pytest.approx([95.0, 75.0])
    assert pd.isna(cm["value"].iloc[2]) and cm["status"].iloc[2] == "withheld"
    assert cm["status"].iloc[0] == "low_base"


def test_windows_near_the_data_start():
    first = date(2024, 11, 4)
    start, end, weeks = churn.survival_window(parse_week("2026-W44"), first)
    assert (start, end, weeks) == (date(2025, 11, 3), date(2026, 11, 2), 52)
    start, _, weeks = churn.survival_window(parse_week("2025-W20"), first)
    assert start == first + timedelta(weeks=13) and weeks == 15
    # months: the week 2026-W44 (26 Oct - 1 Nov) completes October
    assert churn._month_bounds(parse_week("2026-W44"), date(2024, 11, 1)) == (
        date(2025, 11, 1), date(2026, 11, 2), date(2026, 10, 1))
    assert churn._month_bounds(parse_week("2026-W43"), date(2024, 11, 1))[2] == date(2026, 9, 1)


# --- the queries on the fixture warehouse, by hand ----------------------------------------------


def test_churn_monthly_on_fixture(fixture_wh):
    feb = fixture_wh.run("churn_monthly", start_month=date(2026, 2, 1),
                         period_end=date(2026, 3, 16), **ALL).set_index("segment")
    # active on 1 Feb: 1, 2, 8 (Mass), 4 (Business), 6 (Affluent, left 1 Mar)
    assert feb["active_at_start"].to_dict() == {"Affluent": 1, "Business": 1, "Mass": 3}
    assert feb["churned_count"].to_dict() == {"Affluent": 1, "Business": 0, "Mass": 0}
    assert not feb["revenue_history_complete"].any()  # Nov-Jan precede the data
    mar = fixture_wh.run("churn_monthly", start_month=date(2026, 3, 1),
                         period_end=date(2026, 4, 6), **ALL).set_index("segment")
    # 6 left on 1 Mar: not active at the March start; 2 (11 Mar) and 4 (9 Mar) leave in March
    assert mar["active_at_start"].to_dict() == {"Business": 1, "Mass": 3}
    assert mar["churned_count"].to_dict() == {"Business": 1, "Mass": 1}
    # trailing Dec-Feb revenue: customer 8 paid 45 on 10 Feb
    assert mar.loc["Mass", "revenue_at_start"] == pytest.approx(45.0)
    assert mar.loc["Mass", "revenue_churned"] == pytest.approx(0.0)


def test_churn_cohorts_on_fixture(fixture_wh):
    # cohorts start with the first month starting inside the data (March 2026): 3, 5 and 7
    df = fixture_wh.run("churn_cohorts", period_end=date(2026, 4, 6), **ALL)
    assert df[["months_since_signup", "cohort_size", "active_count"]].values.tolist() == \
        [[0, 3, 3]]
    assert fixture_wh.run("churn_cohorts", period_end=date(2026, 3, 16), **ALL).empty


def test_churn_survival_on_fixture(fixture_wh):
    rows = fixture_wh.run("churn_survival", window_start=date(2026, 3, 9),
                          window_end=date(2026, 3, 23))
    df = Filters(week="2026-W11").narrow(rows, ["split", "group_name", "duration_weeks",
                                                "is_churned"])
    nps = df[df.split == "nps_category"]
    got = {(r.group_name, r.duration_weeks, bool(r.is_churned)): r.customer_count
           for r in nps.itertuples()}
    # active on 9 Mar: 1, 2, 3, 5, 8; latest NPS before it: 1 -> 10, 2 -> 9, 3 -> 7, 8 -> 3;
    # customer 2 left on 11 Mar (week 1), the others are censored at week 2
    assert got == {("promoter", 1, True): 1, ("promoter", 2, False): 1,
                   ("passive", 2, False): 1, ("detractor", 2, False): 1,
                   ("no_answer", 2, False): 1}
    cmp = df[df.split == "complaint_status"]
    assert cmp.groupby("group_name")["customer_count"].sum().to_dict() == {"none": 5}


def test_churn_at_risk_on_fixture(fixture_wh):
    df = fixture_wh.run("churn_at_risk", as_of=date(2026, 3, 16), row_limit=churn.AT_RISK_ROWS)
    # active at the end of W11: 1, 3, 5, 8; detractors: 1 (6 on 9 Mar) and 8 (0 on 11 Mar)
    assert df["customer_id"].tolist() == ["8", "1"]  # ranked by trailing revenue; ids as text
    assert df["trailing_revenue"].tolist() == pytest.approx([90.0, 20.0])  # 45 + 45; 30 - 10
    assert df["latest_nps_score"].tolist() == [0, 6]
    assert "name" not in " ".join(df.columns)
    # each alone in its profile (8: Mass East Standard; 1: Mass North Basic, where 5 is not at
    # risk: answered 9), so each is its profile's first and the totals are its own
    assert df[["segment", "region", "plan"]].values.tolist() == [
        ["Mass", "East", "Standard"], ["Mass", "North", "Basic"]]
    assert df["profile_revenue_rank"].tolist() == [1, 1]
    assert df["profile_at_risk_count"].tolist() == [1, 1]
    assert df["profile_trailing_revenue"].tolist() == pytest.approx([90.0, 20.0])
    assert df["profile_recent_detractor_count"].tolist() == [1, 1]
    # 1's complaint (12 Mar) was resolved the same day; 2's is open but 2 left on 11 Mar
    assert df["profile_open_complaint_customer_count"].tolist() == [0, 0]
    assert fixture_wh.run("churn_at_risk", as_of=date(2026, 3, 16), row_limit=0).empty


def test_at_risk_totals_sum_the_kept_profiles_and_the_list_keeps_the_query_order():
    """By hand: profile (Mass, North, Basic) has 3 at-risk customers of which the query kept
    2 (row_limit 2), (Mass, East, Basic) 1, and a profile without a segment 1."""
    def row(cid, seg, reg, rev, rank, totals, det=False, cmp=0):
        return {"customer_id": cid, "segment": seg, "region": reg, "plan": "Basic",
                "is_recent_detractor": det, "open_complaint_count": cmp,
                "trailing_revenue": rev, "profile_revenue_rank": rank,
                **dict(zip(churn.PROFILE_TOTALS, totals, strict=True))}
    north, east, blank = (3, 100.0, 2, 2), (1, 70.0, 1, 0), (1, 5.0, 0, 1)
    rows = pd.DataFrame([  # the query's order: revenue descending, then customer_id
        row("a", "Mass", "North", 60.0, 1, north, det=True, cmp=1),
        row("e", "Mass", "East", 40.0, 1, east, det=True),
        row("b", "Mass", "North", 30.0, 2, north, det=True),
        row("n", None, "North", 5.0, 1, blank, cmp=2),
    ])
    everyone = churn.at_risk_for(rows, Filters(week="2026-W11"), shown=2)
    assert (everyone.count, everyone.revenue, everyone.detractors, everyone.complaining) == (
        3 + 1 + 1, 100.0 + 70.0 + 5.0, 2 + 1 + 0, 2 + 0 + 1)
    assert everyone.top["customer_id"].tolist() == ["a", "e"]
    assert everyone.top_revenue == 100.0
    assert not set(churn.PROFILE_TOTALS) & set(everyone.top.columns)
    north_only = churn.at_risk_for(rows, Filters(week="2026-W11", regions=("North",)), 2)
    assert (north_only.count, north_only.revenue) == (3 + 1, 105.0)  # the blank segment too
    assert north_only.top["customer_id"].tolist() == ["a", "b"]
    nobody = churn.at_risk_for(rows, Filters(week="2026-W11", plans=("Premium",)), 2)
    assert (nobody.count, nobody.revenue, nobody.detractors, nobody.complaining) == (0, 0, 0, 0)
    assert nobody.top.empty


def test_report_on_fixture(fixture_wh, monkeypatch):
    monkeypatch.setattr(config, "MIN_BASE", 1)
    monkeypatch.setattr(config, "LOW_BASE", 1)
    fetch = lambda name, **p: fixture_wh.run(name, **p)  # noqa: E731
    r = churn.build_report(fetch, Filters(week="2026-W11"))
    assert r.month == date(2026, 2, 1)
    assert r.card("Monthly churn").value == "20.00%"  # customer 6 of 5
    assert r.card("Revenue-weighted churn").value == "—"  # no revenue history before Feb
    assert r.card("At-risk customers").value == "2"
    assert list(r.at_risk["Customer id"]) == ["8", "1"]  # ids shown as given (text)
    assert list(r.at_risk["Revenue, last 13 weeks"]) == ["$90.00", "$20.00"]


# --- the demo world ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fetch(demo_fetch):
    return demo_fetch


@pytest.fixture(scope="module")
def latest(fetch) -> str:
    return kpis.load_catalog(fetch).latest_complete


@pytest.fixture(scope="module")
def report(fetch, latest) -> churn.ChurnReport:
    return churn.build_report(fetch, Filters(week=latest))


def test_detractors_survive_less_than_promoters(report):
    by = {g.name: g for g in report.survival_nps}
    pro, det, pas = by["promoter"].at(26), by["detractor"].at(26), by["passive"].at(26)
    assert det[0] < pas[0] < pro[0]
    assert det[2] < pro[1]  # the 95% bands do not overlap
    assert "do not overlap" in report.takeaways["survival_nps"]
    # weekly hazards: detractors about 2.5 × promoters (planted on the latent category; the
    # last answer before the window is a noisy proxy, so the observed ratio is diluted)
    ratio = np.log(det[0]) / np.log(pro[0])
    assert 1.6 < ratio < 3.0


def test_unresolved_complaint_survives_less(report):
    by = {g.name: g for g in report.survival_complaint}
    none, open_ = by["none"].at(26), by["open"].at(26)
    assert open_[2] < none[1]
    assert by["open"].status == "ok" and by["open"].n >= 100


def _raw(demo_frames):
    cust = demo_frames["customers"].copy()
    cust["signup_date"] = pd.to_datetime(cust["signup_date"])
    cust["churn_date"] = pd.to_datetime(cust["churn_date"])
    return cust


@pytest.mark.parametrize("chosen", [{}, {"segments": ("Mass",)},
                                    {"regions": ("North", "South"), "plans": ("Basic",)}])
def test_survival_curves_equal_lifelines_on_raw_frames(report, fetch, latest, demo_frames,
                                                       chosen):
    """Durations rebuilt with pandas from the raw frames, fitted by lifelines (the oracle). With
    filters: the survival rows are fetched once per window for every customer and narrowed in
    pandas, so the curves must still be those of the filtered customers alone."""
    r = churn.build_report(fetch, Filters(week=latest, **chosen)) if chosen else report
    if chosen:
        assert sum(g.n for g in r.survival_nps) < sum(g.n for g in report.survival_nps)
    active = _durations_by_nps(r, demo_frames, chosen)
    for g in r.survival_nps:
        part = active[active.nps == g.name]
        assert g.n == len(part)
        kmf = KaplanMeierFitter().fit(part.duration, part.event)
        ours = g.curve.set_index("time")
        theirs = kmf.survival_function_.iloc[:, 0]
        np.testing.assert_allclose(ours.loc[theirs.index, "survival"], theirs, atol=1e-9)
        np.testing.assert_allclose(ours.loc[theirs.index, ["ci_low", "ci_high"]],
                                   kmf.confidence_interval_, atol=1e-9)


def _durations_by_nps(report, demo_frames, chosen) -> pd.DataFrame:
    """The report window's active (filtered) customers from the raw frames: weeks to churn or
    censoring, the event, and the NPS category of the latest answer before the window."""
    start, end = pd.Timestamp(report.window[0]), pd.Timestamp(report.window[1])
    weeks = report.window[2]
    cust = _raw(demo_frames)
    for dim, values in chosen.items():
        cust = cust[cust[dim.removesuffix("s")].isin(values)]
    active = cust[(cust.signup_date <= start)
                  & (cust.churn_date.isna() | (cust.churn_date > start))].copy()
    churned = active.churn_date.notna() & (active.churn_date <= end)
    days = (active.churn_date - start).dt.days
    active["duration"] = np.where(churned, np.ceil(days / 7), weeks)
    active["event"] = churned
    s = demo_frames["survey_responses"]
    s = s[(s.survey == "nps") & (pd.to_datetime(s.responded_at) < start)].copy()
    s["responded_at"] = pd.to_datetime(s.responded_at)
    last = s.sort_values("responded_at").groupby("customer_id").tail(1).set_index("customer_id")
    cat = pd.cut(last["score"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    active["nps"] = active.customer_id.map(cat).astype(object).fillna("no_answer")
    return active


def test_monthly_churn_matches_pandas_oracle(report, demo_frames):
    cust = _raw(demo_frames)
    m = pd.Timestamp(report.month)
    nxt = m + pd.offsets.MonthBegin(1)
    active = (cust.signup_date <= m) & (cust.churn_date.isna() | (cust.churn_date > m))
    left = active & (cust.churn_date <= nxt)
    row = report.monthly[(report.monthly.group == churn.ALL_LABEL)
                         & (report.monthly.month_start == report.month)].iloc[0]
    assert (row["active"], row["churned"]) == (int(active.sum()), int(left.sum()))
    tx = demo_frames["transactions"]
    at = pd.to_datetime(tx.occurred_at)
    window = tx[(at >= m - pd.DateOffset(months=3)) & (at < m)]
    rev = window.groupby("customer_id")["amount"].sum().clip(lower=0)
    lost = rev.reindex(cust.loc[left, "customer_id"]).fillna(0).sum()
    assert row["revenue_lost"] == pytest.approx(lost)
    assert report.card("Revenue lost to churn").value == f"${lost:,.0f}"


def test_cohort_retention_matches_pandas_oracle(report, demo_frames):
    cust = _raw(demo_frames)
    cm = report.cohorts.set_index(["cohort_month", "months_since_signup"])
    c = date(2025, 3, 1)
    cohort = cust[(cust.signup_date >= pd.Timestamp(c))
                  & (cust.signup_date < pd.Timestamp(date(2025, 4, 1)))]
    for k in (1, 6, 12):
        b = pd.Timestamp(c) + pd.DateOffset(months=k)
        still = (cohort.churn_date.isna() | (cohort.churn_date > b)).sum()
        assert cm.loc[(c, k), "cohort_size"] == len(cohort)
        assert cm.loc[(c, k), "value"] == pytest.approx(100 * still / len(cohort))
    assert cm.loc[(c, 0), "value"] == pytest.approx(100.0)


def _at_risk_from_source(demo_frames, as_of: date) -> pd.DataFrame:
    """Every at-risk customer at ``as_of`` (the Monday after the week), computed with pandas from
    the raw frames: active (signed up before as_of, not gone by it), latest NPS answer before
    as_of (ties by response_id) scored 0–6 and given in the 91 days before, or a complaint
    opened before as_of and not resolved before it; net transactions in the 91 days before."""
    a = pd.Timestamp(as_of)
    back = a - pd.Timedelta(days=91)
    cust = _raw(demo_frames)
    cust = cust[(cust.signup_date < a) & (cust.churn_date.isna() | (cust.churn_date >= a))]
    cust = cust.set_index("customer_id")
    s = demo_frames["survey_responses"]
    s = s[(s.survey == "nps") & (pd.to_datetime(s.responded_at) < a)].assign(
        answered=lambda f: pd.to_datetime(f.responded_at))
    last = (s.sort_values(["answered", "response_id"]).groupby("customer_id").tail(1)
            .set_index("customer_id"))
    detractor = (last.score <= 6) & (last.answered >= back)
    k = demo_frames["complaints"]
    opened, resolved = pd.to_datetime(k.opened_at), pd.to_datetime(k.resolved_at)
    k = k[(opened < a) & (resolved.isna() | (resolved >= a))].assign(opened=opened)
    open_ = k.groupby("customer_id").agg(n=("complaint_id", "size"), oldest=("opened", "min"))
    tx = demo_frames["transactions"]
    at = pd.to_datetime(tx.occurred_at)
    revenue = tx[(at >= back) & (at < a)].groupby("customer_id")["amount"].sum()
    out = cust[["segment", "region", "plan"]].copy()
    out["is_recent_detractor"] = detractor.reindex(out.index).astype("boolean").fillna(False)
    out["latest_nps_score"] = last["score"].reindex(out.index)
    out["latest_nps_date"] = last["answered"].reindex(out.index).dt.date
    out["open_complaint_count"] = open_["n"].reindex(out.index).fillna(0).astype(int)
    out["oldest_open_complaint_date"] = open_["oldest"].reindex(out.index).dt.date
    out["trailing_revenue"] = revenue.reindex(out.index).fillna(0.0)
    out = out[out.is_recent_detractor | (out.open_complaint_count > 0)].reset_index()
    # sums of the same amounts in another order can differ in the last bit: rank on cents
    out["revenue_cents"] = (100 * out["trailing_revenue"]).round().astype(int)
    return out.sort_values(["revenue_cents", "customer_id"], ascending=[False, True],
                           ignore_index=True)


def _profiles(frame: pd.DataFrame) -> pd.Series:
    return frame["segment"] + "|" + frame["region"] + "|" + frame["plan"]


@pytest.mark.parametrize("limit", [5, churn.AT_RISK_ROWS])
def test_at_risk_query_keeps_each_profiles_top_customers_and_totals(fetch, latest, demo_frames,
                                                                     limit):
    """Against the source rows: per segment × region × plan, the profile's totals over all of
    its at-risk customers, and its ``limit`` highest trailing revenues (fewer when it has
    fewer); a profile without at-risk customers has no rows."""
    as_of = parse_week(latest) + timedelta(days=7)
    want = _at_risk_from_source(demo_frames, as_of)
    got = fetch("churn_at_risk", as_of=as_of, row_limit=limit)
    want["profile"], got["profile"] = _profiles(want), _profiles(got)
    sizes = want.groupby("profile").size()
    if limit == churn.AT_RISK_ROWS:  # some profiles are cut, others keep every customer
        assert (sizes > limit).any() and (sizes < limit).any()
    else:
        assert (sizes > limit).all()
    assert got.groupby("profile").size().to_dict() == sizes.clip(upper=limit).to_dict()
    for profile, part in got.groupby("profile"):
        mine = want[want.profile == profile]
        first = part.iloc[0]
        assert int(first.profile_at_risk_count) == len(mine)
        assert first.profile_trailing_revenue == pytest.approx(mine.trailing_revenue.sum())
        assert int(first.profile_recent_detractor_count) == int(mine.is_recent_detractor.sum())
        assert int(first.profile_open_complaint_customer_count) == int(
            (mine.open_complaint_count > 0).sum())
        assert (part[list(churn.PROFILE_TOTALS)].nunique() == 1).all()  # the same on each row
        assert sorted(part.profile_revenue_rank) == list(range(1, len(part) + 1))
        # the kept revenues are the profile's highest (which of equal ones: the query's order)
        cents = (100 * part.sort_values("profile_revenue_rank").trailing_revenue).round()
        assert cents.astype(int).tolist() == mine.revenue_cents.head(limit).tolist()
    # every kept row is the source's customer, with its flags and revenue
    src = want.set_index("customer_id").loc[got.customer_id]
    assert got.is_recent_detractor.tolist() == src.is_recent_detractor.tolist()
    assert got.open_complaint_count.tolist() == src.open_complaint_count.tolist()
    for col in ("latest_nps_score", "latest_nps_date", "oldest_open_complaint_date"):
        assert got[col].astype(object).where(got[col].notna(), None).tolist() == \
            src[col].astype(object).where(src[col].notna(), None).tolist(), col
    np.testing.assert_allclose(got.trailing_revenue, src.trailing_revenue, atol=1e-6)
    assert (got.trailing_revenue.diff().dropna() <= 1e-9).all()  # ranked over all profiles


def _combos(demo_frames, latest: str, first: str, rows: int) -> dict[str, tuple[str, dict]]:
    """Filter states for the figure checks, each named for what it covers: a profile with
    fewer than ``rows`` at-risk customers (at the latest week, or else at the first week of
    data, when few are at risk) and, at the first week, a profile with none."""
    def profile(values) -> dict:
        return dict(zip(("segments", "regions", "plans"), ((v,) for v in values), strict=True))

    dims = ["segment", "region", "plan"]
    at = {w: _at_risk_from_source(demo_frames, parse_week(w) + timedelta(days=7))
          for w in (latest, first)}
    small = [(w, size, p) for w in (latest, first)
             for p, size in at[w].groupby(dims).size().items() if size < rows]
    every = set(demo_frames["customers"][dims].dropna().itertuples(index=False, name=None))
    empty = sorted(every - set(at[first][dims].itertuples(index=False, name=None)))
    assert small and empty  # the demo world at its default scale and seed has both
    week, _, under = small[0]
    return {
        "everyone": (latest, {}),
        "segment and regions": (latest, {"segments": ("Mass",), "regions": ("North", "South")}),
        "a profile under the row limit": (week, profile(under)),
        "a profile with no at-risk customer": (first, profile(empty[0])),
        "the empty profile's plan": (first, {"plans": (empty[0][2],)}),
    }


def _figures(risk: pd.DataFrame, week: str, sym: str, rows: int) -> tuple[str, tuple, str]:
    """The at-risk card's value and captions and the takeaway, computed the way the page did
    from the full list of the filters' at-risk customers (``risk``, in rank order)."""
    if risk.empty:
        takeaway = f"No active customer was at risk at the end of {week}."
    else:
        takeaway = (
            f"{len(risk):,} customers at risk at the end of {week}; the top "
            f"{min(len(risk), rows)} by revenue brought in "
            f"{cards_money(risk.trailing_revenue.head(rows).sum(), sym)} of the "
            f"{cards_money(risk.trailing_revenue.sum(), sym)} they all brought in over the "
            "last 13 weeks.")
    return f"{len(risk):,}", (
        f"active at the end of {week}: {int(risk.is_recent_detractor.sum()):,} recent "
        f"detractors, {int((risk.open_complaint_count > 0).sum()):,} with an unresolved "
        "complaint",
        f"Their revenue in the last 13 weeks: "
        f"{cards_money(risk.trailing_revenue.sum(), sym)} (observed)"), takeaway


@pytest.mark.parametrize("rows", [churn.AT_RISK_ROWS, 5])
def test_at_risk_figures_are_those_of_the_full_list_from_source_rows(
        fetch, latest, demo_frames, monkeypatch, rows):
    """Every at-risk figure the page shows (card, takeaway, list, count), for several filters,
    equals the full at-risk list computed from the source rows and narrowed to the filters;
    and equals today's computation on the query's full list (every at-risk customer fetched,
    filtered, the first AT_RISK_ROWS listed), order included. ``rows`` 5: nearly every
    profile is cut, so the filters' top rows come from several profiles' cuts."""
    monkeypatch.setattr(churn, "AT_RISK_ROWS", rows)
    first = fetch("weeks_available")["iso_week"].min()
    for name, (week, chosen) in _combos(demo_frames, latest, first, rows).items():
        f = Filters(week=week, **chosen)
        rep = churn.build_report(fetch, f)
        sym = rep.currency_symbol
        as_of = parse_week(week) + timedelta(days=7)
        src = _at_risk_from_source(demo_frames, as_of)
        for dim, values in chosen.items():
            src = src[src[dim.removesuffix("s")].isin(values)]
        card = rep.card("At-risk customers")
        assert (card.value, card.captions, rep.takeaways["at_risk"]) == _figures(
            src, week, sym, rows), name
        assert rep.at_risk_count == len(src), name
        # the list: the filters' highest revenues (equal ones in the query's order) ...
        top = src.head(rows)
        shown = rep.at_risk
        by_id = src.set_index("customer_id")
        assert len(shown) == len(top) and set(shown["Customer id"]) <= set(by_id.index), name
        assert by_id.loc[shown["Customer id"], "revenue_cents"].tolist() == \
            top.revenue_cents.tolist(), name
        assert shown["Revenue, last 13 weeks"].tolist() == [
            cards_money(c / 100, sym, 2) for c in top.revenue_cents], name
        assert shown[["Segment", "Region", "Plan"]].values.tolist() == by_id.loc[
            shown["Customer id"], ["segment", "region", "plan"]].values.tolist(), name
        # ... and exactly today's: the query's full list, filtered, its first rows listed
        full = fetch("churn_at_risk", as_of=as_of, row_limit=10**9)
        full = full.loc[f.selects(full)].reset_index(drop=True)
        pd.testing.assert_frame_equal(shown, churn.at_risk_table(full, sym, rows), obj=name)
        assert (card.value, card.captions, rep.takeaways["at_risk"]) == _figures(
            full, week, sym, rows), name


def test_at_risk_are_active_detractors_or_open_complaints(report, demo_frames, latest):
    cust = _raw(demo_frames).set_index("customer_id")
    as_of = parse_week(latest) + timedelta(days=7)
    top = cust.loc[report.at_risk["Customer id"]]
    assert (top.churn_date.isna() | (top.churn_date >= pd.Timestamp(as_of))).all()
    assert list(report.at_risk.columns) == ["Rank", "Customer id", "Segment", "Region", "Plan",
                                            "Why at risk", "Revenue, last 13 weeks"]
    assert len(report.at_risk) == churn.AT_RISK_ROWS < report.at_risk_count


# --- AppTest ------------------------------------------------------------------------------------


@pytest.fixture
def app(open_app):
    at = open_app("pages/churn.py", timeout=120)
    return at


def _captions(at: AppTest) -> str:
    return " ".join(c.value.replace("\\", "") for c in at.caption)


def test_page_default_shows_report_numbers(app, report):
    assert app.title[0].value == "Churn & retention"
    assert {m.label: m.value for m in app.metric} == {c.label: c.value for c in report.cards}
    app = Seen(app)  # every section of the page
    text = _captions(app)
    for key in ("monthly", "cohorts", "survival_nps", "survival_complaint", "revenue_lost",
                "at_risk"):
        assert report.takeaways[key] in text
    km = app.dataframe[0].value.set_index("Group")
    det = next(g for g in report.survival_nps if g.name == "detractor")
    s26 = det.at(26)[0]
    assert km.loc["Detractors (0–6)", "Still active at 26 weeks (95% CI)"].startswith(
        f"{100 * s26:.1f}%")
    risk = app.dataframe[1].value
    assert list(risk["Customer id"]) == list(report.at_risk["Customer id"])
    assert len(risk) == min(report.at_risk_count, churn.AT_RISK_ROWS)


@pytest.mark.parametrize("combo", [
    {"f_region": ["Central"], "week_index": 24},
    {"f_segment": ["Business"], "f_plan": ["Premium"], "week_index": 40},
    {"f_segment": ["Mass", "Affluent"], "f_region": ["North", "West"], "week_index": 8},
])
def test_page_filtered_shows_report_numbers(app, fetch, combo):
    weeks = app.selectbox(key="f_week").options
    week = weeks[combo["week_index"]]
    app.selectbox(key="f_week").set_value(week)
    for key in ("f_segment", "f_region", "f_plan"):
        if key in combo:
            app.multiselect(key=key).set_value(combo[key])
    app.run()
    assert not app.exception, app.exception
    f = Filters(week=week, segments=tuple(combo.get("f_segment", ())),
                regions=tuple(combo.get("f_region", ())), plans=tuple(combo.get("f_plan", ())))
    rep = churn.build_report(fetch, f)
    assert {m.label: m.value for m in app.metric} == {c.label: c.value for c in rep.cards}
    app = Seen(app)  # every section of the page
    text = _captions(app)
    assert rep.takeaways["survival_nps"] in text and rep.takeaways["monthly"] in text
    risk = app.dataframe[1].value
    assert list(risk["Customer id"]) == list(rep.at_risk["Customer id"])
    assert set(risk["Segment"]) <= set(combo.get("f_segment", ("Mass", "Affluent", "Business")))
    assert set(risk["Region"]) <= set(combo.get("f_region", ("North", "South", "East", "West",
                                                              "Central")))
    # the monthly churn card is the count of leavers over the active base, by hand
    m = rep.monthly[(rep.monthly.group == churn.ALL_LABEL)
                    & (rep.monthly.month_start == rep.month)].iloc[0]
    assert rep.card("Monthly churn").value == f"{100 * m['churned'] / m['active']:.2f}%"
