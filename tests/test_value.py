"""The value model (CX in money): formulas by hand on a tiny linked world, the savings priced
with a set, planted truths recovered on the demo world, assumption changes moving the money
by the expected amount, and the page (AppTest) showing the module's numbers."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import cost
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week
from dashboard.money import assumptions, churn_value, figures, savings, value
from dashboard.money import inputs as money
from dashboard.money.inputs import Inputs, money_text
from dashboard.warehouse import db
from tests.conftest import truth_of

NO_CHANGES = pd.DataFrame(columns=["change_id", "assumption_key", "effective_from",
                                   "new_value"])

# --- a tiny linked world, by hand ------------------------------------------------------------

#: Two segments; per NPS category: customers, churned in 12 months, revenue per customer-year,
#: phone contacts per customer-year. Everyone is exposed one year (so exposure = customers).
WORLD = {
    ("A", "promoter"): (200, 20, 1000.0, 1),
    ("A", "passive"): (100, 20, 800.0, 2),
    ("A", "detractor"): (100, 30, 600.0, 4),
    ("A", "unanswered"): (100, 15, 900.0, 1),
    ("B", "promoter"): (100, 5, 2000.0, 2),
    ("B", "passive"): (100, 10, 1500.0, 3),
    ("B", "detractor"): (50, 10, 1200.0, 6),
    ("B", "unanswered"): (50, 5, 1800.0, 2),
}
#: Active customers now.
BASE_NOW = {("A", "promoter"): 180, ("A", "passive"): 90, ("A", "detractor"): 80,
            ("A", "unanswered"): 90, ("B", "promoter"): 95, ("B", "passive"): 90,
            ("B", "detractor"): 40, ("B", "unanswered"): 45}
ASSUMPTIONS = {"gross_margin_pct": 40.0, "discount_rate_pct": 10.0,
               "analysis_horizon_years": 3.0, "realisation_factor_low": 0.2,
               "realisation_factor_high": 0.8, "complaint_handling_cost": 25.0,
               "cost_per_contact_phone": 10.0, "currency_symbol": "$"}


def _outcome(seg, cat, flag, n, k, rev, complaints=0, comp=0.0):
    return {"segment": seg, "nps_category": cat, "has_recent_complaint": flag,
            "customer_count": n, "churned_count": k, "exposure_years": float(n),
            "exposure_sq_sum": float(n), "revenue_amount": rev * n,
            "revenue_sq_sum": 1.1 * n * rev**2, "revenue_exposure_sum": rev * n,
            "complaint_count": complaints, "compensation_amount": comp}


def tiny_inputs(**changes) -> Inputs:
    """The world above. A's detractors are split: 40 complained in the quarter before the
    window (16 of them left) and 60 did not (14 left); they made 20 complaints and were paid
    100 in compensation during the year."""
    rows = []
    for (seg, cat), (n, k, rev, _q) in WORLD.items():
        if (seg, cat) == ("A", "detractor"):
            rows.append(_outcome(seg, cat, True, 40, 16, rev, complaints=20, comp=100.0))
            rows.append(_outcome(seg, cat, False, 60, 14, rev))
        else:
            rows.append(_outcome(seg, cat, False, n, k, rev))
    contacts = pd.DataFrame([{"segment": s, "nps_category": c, "channel": "phone",
                              "contact_count": q * n, "unresolved_count": 0, "repeat_count": 0}
                             for (s, c), (n, _k, _r, q) in WORLD.items()])
    base = pd.DataFrame([{**_outcome(s, c, False, n, 0, 0.0)} for (s, c), n in BASE_NOW.items()])
    return Inputs(Filters(week="2026-W10"), date(2025, 3, 10), date(2026, 3, 9),
                  pd.DataFrame(rows), contacts, base, {**ASSUMPTIONS, **changes}, "tiny v1")


def _multiple(r: float, d: float = 0.10, h: int = 3) -> float:
    """Σ_{t=1..h} r^t / (1 + d)^t, written out."""
    q = r / (1 + d)
    return sum(q**t for t in range(1, h + 1))


@pytest.fixture(scope="module")
def tiny():
    inp = tiny_inputs()
    fin = figures.finance(inp)
    est = money.category_estimates(inp)
    return inp, fin, est


def test_finance_reads_the_set(tiny):
    _, fin, _ = tiny
    assert (fin.margin, fin.discount, fin.horizon) == (0.40, 0.10, 3)
    assert (fin.phi_low, fin.phi_high, fin.phi_mid) == (0.2, 0.8, 0.5)
    assert fin.handling == 25.0 and fin.set_id == "tiny v1"


def test_segment_clv_by_hand(tiny):
    inp, fin, _ = tiny
    clv, figs = churn_value.segment_clv(churn_value.segment_estimates(inp), fin, "w", draws=5000)
    row = clv.set_index("segment")
    # segment A pooled: 500 customers, 85 left; revenue 430,000 over 500 customer-years;
    # 900 phone contacts at $10 plus 20 complaints × $25 and $100 compensation
    m_a = 860 * 0.40 - (9000 + 600) / 500
    assert row.loc["A", "margin_per_year"] == pytest.approx(m_a)
    assert row.loc["A", "value"] == pytest.approx(m_a * _multiple(1 - 85 / 500))
    # all segments: 800 customers, 115 left, revenue 430,000 + 500,000, 900 + 900 contacts
    m_all = 930_000 / 800 * 0.40 - (9000 + 9000 + 600) / 800
    assert row.loc[money.ALL, "value"] == pytest.approx(m_all * _multiple(1 - 115 / 800))
    # one more point of retention
    assert row.loc["A", "per_retention_pp"] == pytest.approx(
        m_a * (_multiple(1 - 85 / 500 + 0.01) - _multiple(1 - 85 / 500)))
    f = figs["A"]
    assert f.kind == "modelled" and f.assumption_set == "tiny v1" and f.low < f.value < f.high
    assert f.band_label == "P10–P90"
    # unlimited horizon without the assumption: m r / (1 + d − r)
    inp2 = tiny_inputs()
    inp2 = Inputs(inp2.filters, inp2.as_of, inp2.horizon_end, inp2.outcomes, inp2.contacts,
                  inp2.base, {k: v for k, v in ASSUMPTIONS.items()
                              if k != "analysis_horizon_years"}, "tiny v1")
    clv2, _ = churn_value.segment_clv(churn_value.segment_estimates(inp2), figures.finance(inp2),
                                      "w", 5000)
    r = 1 - 85 / 500
    assert clv2.set_index("segment").loc["A", "value"] == pytest.approx(m_a * r / (1.1 - r))


def test_monte_carlo_is_seeded_and_vectorised(tiny):
    inp, fin, _ = tiny
    seg = churn_value.segment_estimates(inp)
    a, _ = churn_value.segment_clv(seg, fin, "w", draws=5000)
    b, _ = churn_value.segment_clv(seg, fin, "w", draws=5000)
    pd.testing.assert_frame_equal(a, b)


def test_category_values_and_moves_by_hand(tiny):
    _, fin, est = tiny
    table, figs, scope = churn_value.category_values(est, fin, "w", draws=5000)
    assert scope.startswith("segments weighted")
    clv = {  # (R × g − cost to serve) × multiple(1 − churn)
        ("A", "promoter"): (400 - 10) * _multiple(0.9),
        ("A", "passive"): (320 - 20) * _multiple(0.8),
        ("A", "detractor"): (240 - 40 - 6) * _multiple(0.7),
        ("B", "promoter"): (800 - 20) * _multiple(0.95),
        ("B", "passive"): (600 - 30) * _multiple(0.9),
        ("B", "detractor"): (480 - 60) * _multiple(0.8),
    }
    # detractor → passive: weights = detractors now (80 in A, 40 in B); φ point 0.5
    d_pa = 0.5 * (2 / 3 * (clv["A", "passive"] - clv["A", "detractor"])
                  + 1 / 3 * (clv["B", "passive"] - clv["B", "detractor"]))
    pa_p = 0.5 * (0.5 * (clv["A", "promoter"] - clv["A", "passive"])
                  + 0.5 * (clv["B", "promoter"] - clv["B", "passive"]))
    assert figs["value_d_to_pa"].value == pytest.approx(d_pa)
    assert figs["value_pa_to_p"].value == pytest.approx(pa_p)
    for f in figs.values():
        assert f.kind == "modelled" and f.low < f.value < f.high
        # φ ~ U(0.2, 0.8) spreads the band to roughly ±60% of the point
        assert f.low < 0.6 * f.value and f.high > 1.4 * f.value
    # the table: all segments per category, with the category CLV
    det = table.set_index("nps_category").loc["detractor"]
    assert det["churn_rate"] == pytest.approx(40 / 150)
    assert det["revenue_per_year"] == pytest.approx((60_000 + 60_000) / 150)
    assert det["cts_per_year"] == pytest.approx((4000 + 3000 + 600) / 150)
    m = (120_000 / 150) * 0.4 - 7600 / 150
    assert det["clv"] == pytest.approx(m * _multiple(1 - 40 / 150))


def test_revenue_at_risk_by_hand(tiny):
    _, fin, est = tiny
    fig, rows, coverage = churn_value.revenue_at_risk(est, fin, "w", draws=5000)
    a = 90 * (0.20 - 0.10) * 800 + 80 * (0.30 - 0.10) * 600
    b = 90 * (0.10 - 0.05) * 1500 + 40 * (0.20 - 0.05) * 1200
    assert rows.set_index("segment")["value"].to_dict() == pytest.approx({"A": a, "B": b})
    assert fig.value == pytest.approx(a + b) == pytest.approx(30_750)
    assert coverage == pytest.approx(575 / 710)
    assert fig.kind == "modelled" and fig.low < fig.value < fig.high
    assert fig.how_computed()["Coverage"].startswith("81.0% of the 710 active customers")


def test_small_categories_pool_the_segments_or_withhold(tiny):
    _, fin, est = tiny
    small = est.copy()
    small.loc[(small["segment"] == "B") & (small["nps_category"] == "detractor"),
              "customers"] = 20
    fig, rows, _ = churn_value.revenue_at_risk(small, fin, "w", draws=2000)
    assert list(rows["segment"]) == [money.ALL]
    assert fig.how_computed()["Scope"] == "all segments pooled"
    _, figs, scope = churn_value.category_values(small, fin, "w", draws=2000)
    assert scope.startswith("all segments pooled")
    tiny_all = small.copy()
    tiny_all.loc[tiny_all["nps_category"] == "detractor", "customers"] = 20
    fig, rows, _ = churn_value.revenue_at_risk(tiny_all, fin, "w", draws=2000)
    assert math.isnan(fig.value) and fig.note.startswith("Insufficient base") and rows.empty
    _, figs, _ = churn_value.category_values(tiny_all, fin, "w", draws=2000)
    assert all(math.isnan(f.value) for f in figs.values())
    assert churn_value.churn_ratios(tiny_all) == (None, None)


def test_churn_ratios_by_hand(tiny):
    _, _, est = tiny
    risk, rate = churn_value.churn_ratios(est)
    assert (risk.value, risk.low, risk.high) == pytest.approx(stats.risk_ratio(40, 150, 25, 300))
    assert rate.value == pytest.approx((40 / 150) / (25 / 300))
    se = math.sqrt(1 / 40 + 1 / 25)
    assert rate.low == pytest.approx(rate.value * math.exp(-stats.Z95 * se))


def test_rate_ratio_interval_equals_statsmodels():
    from statsmodels.stats.rates import confint_poisson_2indep

    est = pd.DataFrame([
        {"segment": money.ALL, "nps_category": "detractor", "customers": 900, "churned": 210,
         "exposure_years": 770.5},
        {"segment": money.ALL, "nps_category": "promoter", "customers": 2000, "churned": 190,
         "exposure_years": 1890.25}])
    _, rate = churn_value.churn_ratios(est)
    lo, hi = confint_poisson_2indep(210, 770.5, 190, 1890.25, method="wald-log")
    assert (rate.low, rate.high) == pytest.approx((lo, hi))


def test_cost_of_complaints_by_hand(tiny):
    inp, fin, est = tiny
    observed, modelled, detail = churn_value.complaint_costs(inp, est, fin, "w", draws=5000)
    assert observed.kind == "observed" and observed.value == pytest.approx(20 * 25 + 100)
    assert observed.low is None and observed.high is None
    # only the detractors have recent complainants: 40 (16 left) vs 110 others (24 left)
    excess = 40 * (16 / 40 - 24 / 110)
    rev = 120_000 / 150  # detractors, all segments
    assert detail.excess_churners == pytest.approx(excess)
    assert detail.adjusted_rd == pytest.approx(100 * excess / 40)
    assert detail.crude_rd == pytest.approx(100 * (16 / 40 - (85 - 16 + 30 - 0) / (800 - 40)))
    assert modelled.value == pytest.approx(52 / 13 * excess * rev * 0.40)
    assert modelled.kind == "modelled" and modelled.low < modelled.value < modelled.high


def _channel_weeks() -> pd.DataFrame:
    """Four weeks, 100 active customers each: 50 phone contacts a week in the first two; 30
    phone and 40 self-service in the last two. The warehouse prices ($5) are ignored."""
    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(4)]
    rows = []
    for i, w in enumerate(weeks):
        phone, self_ = (50, 0) if i < 2 else (30, 40)
        for ch, q in (("phone", phone), ("self_service", self_)):
            rows.append({"week_start": w, "channel": ch, "contact_count": q,
                         "contact_cost": 5.0 * q, "cost_per_contact": 5.0,
                         "contact_cost_var": 25.0 * q, "active_at_start": 100})
    return pd.DataFrame(rows)


def test_savings_priced_with_the_set_by_hand():
    df = _channel_weeks()
    prices = {"phone": 8.0, "self_service": 0.1}
    s = savings.price_savings(df, date(2026, 1, 12), date(2026, 1, 26), prices, window=2)
    v0, v1 = 100 * 8 / 200, (60 * 8 + 80 * 0.1) / 200
    assert (s.baseline_cpw, s.current_cpw) == pytest.approx((v0, v1))
    assert s.weekly == pytest.approx((v0 - v1) * 100) == pytest.approx(156.0)
    assert s.annual == pytest.approx(52 * 156.0)
    se = 100 * math.sqrt(100 * 64 / 200**2 + (60 * 64 + 80 * 0.01) / 200**2)
    assert s.weekly_se == pytest.approx(se)
    # Shapley split of a per-customer change with equal prices: volume and mix, no unit cost
    u0, u1 = 8.0, 488 / 140
    volume = -(0.7 - 0.5) * (u0 + u1) / 2 * 100
    mix = -(0.5 + 0.7) / 2 * (u1 - u0) * 100
    assert s.effects == pytest.approx({"volume": volume, "mix": mix, "unit_cost": 0.0})
    assert sum(s.effects.values()) == pytest.approx(s.weekly)
    # a dearer phone contact raises the saving by Δp × (phone per customer-week before − now)
    t = savings.price_savings(df, date(2026, 1, 12), date(2026, 1, 26),
                            {**prices, "phone": 10.0}, window=2)
    assert t.weekly - s.weekly == pytest.approx(2.0 * (100 / 200 - 60 / 200) * 100)


def test_savings_interval_carries_the_customer_level_spread():
    df = _channel_weeks()
    prices = {"phone": 8.0, "self_service": 0.1}
    # the cost mart's customer-clustered variance twice the Poisson one: φ = 2 in both windows
    doubled = df.assign(contact_cost_var=2 * df["contact_cost_var"])
    assert savings.dispersion(doubled, [date(2026, 1, 5), date(2026, 1, 12)]) == 2.0
    s = savings.price_savings(df, date(2026, 1, 12), date(2026, 1, 26), prices, window=2)
    d = savings.price_savings(doubled, date(2026, 1, 12), date(2026, 1, 26), prices, window=2)
    assert d.weekly == s.weekly and d.weekly_se == pytest.approx(math.sqrt(2) * s.weekly_se)
    # a customer-clustered variance of the change per customer-week replaces both
    c = savings.price_savings(df, date(2026, 1, 12), date(2026, 1, 26), prices, window=2,
                              spread=0.09)
    assert c.weekly_se == pytest.approx(100 * 0.3)


def test_savings_withheld_on_a_small_base():
    df = _channel_weeks().assign(active_at_start=10)
    out = savings.price_savings(df, date(2026, 1, 12), date(2026, 1, 26), {"phone": 8.0}, 2)
    assert isinstance(out, str) and "insufficient base" in out


def test_did_estimate_is_the_difference_of_means_with_a_hac_error():
    rng = np.random.default_rng(1)
    before, after = rng.normal(0, 1, 26), rng.normal(3, 1, 26)
    est, se, lags = savings.did_hac(before, after)
    assert est == pytest.approx(after.mean() - before.mean())
    assert lags == savings.newey_west_lags(52) == 3
    assert 0.1 < se < 0.6  # √(1/26 + 1/26) ≈ 0.28 for independent weeks
    assert [savings.newey_west_lags(n) for n in (1, 5, 100)] == [1, 2, 4]


# --- cost to serve per customer-year: customers as clusters, by hand on the fixture ------------


def test_contact_spread_query_by_hand_on_the_fixture(fixture_wh):
    # window [Mon 2026-03-09, Mon 2026-03-23): customers active on 03-09 are 1, 2, 3, 5, 8 (4
    # churned that Monday); their latest NPS answer before 03-09: 1 → 10, 2 → 9 (promoters),
    # 3 → 7 (passive), 8 → 3 (detractor), 5 none (unanswered). Priced phone $1, store $2,
    # social $0.50, every other channel $0: customer 1 has 608 self-service + 609 social → 0.50,
    # 2 has 605 phone + 606 email → 1, 5 has 607 store → 2; 3 and 8 none in the window
    # (customer 7's chat 610 is not in the cohort). Exposure: 14 days, customer 2 (churns
    # 03-11) 2 days.
    df = fixture_wh.run("money_category_contact_spread", as_of=date(2026, 3, 9),
                        horizon_end=date(2026, 3, 23), channels=["phone", "store", "social"],
                        prices=[1.0, 2.0, 0.5])
    got = {(r.segment, r.region, r.plan, r.nps_category): r for r in df.itertuples()}
    assert set(got) == {("Mass", "North", "Basic", "promoter"),
                        ("Mass", "South", "Standard", "promoter"),
                        ("Affluent", "North", "Premium", "passive"),
                        ("Mass", "North", "Basic", "unanswered"),
                        ("Mass", "East", "Standard", "detractor")}
    d = 365.25
    c2 = got[("Mass", "South", "Standard", "promoter")]
    assert (c2.customer_count, c2.contact_cost, c2.cost_sq_sum) == (1, 1.0, 1.0)
    assert c2.cost_exposure_sum == pytest.approx(2 / d)
    assert c2.exposure_sq_sum == pytest.approx((2 / d) ** 2)
    assert c2.exposure_years == pytest.approx(2 / d)
    c1 = got[("Mass", "North", "Basic", "promoter")]
    assert c1.cost_sq_sum == pytest.approx(0.25) and c1.cost_exposure_sum == pytest.approx(7 / d)
    c5 = got[("Mass", "North", "Basic", "unanswered")]
    assert c5.cost_sq_sum == pytest.approx(4.0) and c5.cost_exposure_sum == pytest.approx(28 / d)
    for key in [("Affluent", "North", "Premium", "passive"), ("Mass", "East", "Standard",
                                                              "detractor")]:
        assert got[key].contact_cost == 0 and got[key].exposure_sq_sum == pytest.approx(
            (14 / d) ** 2)


def test_cost_to_serve_per_year_error_takes_customers_as_clusters(fixture_wh, fixture_fetch):
    # the selected week 2026-W11 gives the window [2025-03-17, 2026-03-16); active on 2025-03-17:
    # customers 1 and 8 (Mass) and 4 (Business, churned 2026-03-09), none with an NPS answer
    # before it. Phone costs $9 in W11 (the 03-09 change), chat $4.80, self-service $0.10,
    # social $5: customer 1 (601 phone, 608 self-service, 609 social) x = 14.10, customer 8
    # (602 phone, 603 chat) x = 13.80, customer 4 none; exposure 364, 364 and 357 days.
    aset = assumptions.build_set(assumptions.PUBLISHED, fixture_wh.run("assumption_rows"),
                                 NO_CHANGES)
    inp = money.fetch_inputs(fixture_fetch, Filters(week="2026-W11"), aset)
    assert inp.as_of == date(2025, 3, 17)
    est = money.category_estimates(inp).set_index(["segment", "nps_category"])
    d = 365.25

    def ratio_se(x: list[float], e: list[float]) -> tuple[float, float]:
        # the ratio Σx / Σe with customers as clusters: √Σ (x − r e)² / Σe
        x_, e_ = np.array(x), np.array(e) / d
        r = x_.sum() / e_.sum()
        return r, math.sqrt(((x_ - r * e_) ** 2).sum()) / e_.sum()

    r, se = ratio_se([14.1, 13.8], [364, 364])
    mass = est.loc[("Mass", "unanswered")]
    assert mass["contact_cost_per_year"] == pytest.approx(r)
    assert mass["contact_cost_se"] == pytest.approx(se) and mass["cts_se"] == pytest.approx(se)
    # not the compound-Poisson error √(Σ contacts × price²) / Σe of the same contacts
    poisson = math.sqrt(2 * 81 + 0.01 + 25 + 4.8**2) / (728 / d)
    assert abs(mass["cts_se"] - poisson) > 10 * se
    r, se = ratio_se([14.1, 13.8, 0.0], [364, 364, 357])
    every = est.loc[(money.ALL, "unanswered")]
    assert every["contact_cost_per_year"] == pytest.approx(r)
    assert every["cts_se"] == pytest.approx(se)
    # the segment (pooled categories) figures of the value page take the same error
    seg = churn_value.segment_estimates(inp).set_index("segment")
    assert seg.loc["Mass", "cts_se"] == pytest.approx(ratio_se([14.1, 13.8], [364, 364])[1])


# --- the demo world ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fetch(demo_wh):
    return lambda name, **p: db.cached_run(demo_wh, name, **p)


@pytest.fixture(scope="module")
def published(demo_wh):
    return demo_wh.run("assumption_rows")


@pytest.fixture(scope="module")
def pub_set(published):
    return assumptions.build_set(assumptions.PUBLISHED, published, NO_CHANGES)


@pytest.fixture(scope="module")
def latest(fetch):
    return kpis.load_catalog(fetch).latest_complete


@pytest.fixture(scope="module")
def report(fetch, pub_set, latest):
    return value.build_report(fetch, Filters(week=latest), pub_set)


def _changed(published, key, new_value, name="what-if"):
    changes = pd.DataFrame({"change_id": [1], "assumption_key": [key],
                            "effective_from": [date(2020, 1, 6)], "new_value": [new_value]})
    return assumptions.build_set(name, published, changes)


@pytest.fixture(scope="module")
def each_world(each_demo_wh):
    """The value report over the English and the Persian world, with the world's truth."""
    fetch_ = lambda name, **p: db.cached_run(each_demo_wh, name, **p)  # noqa: E731
    pub = assumptions.build_set(assumptions.PUBLISHED, each_demo_wh.run("assumption_rows"),
                                NO_CHANGES)
    rep = value.build_report(fetch_, Filters(week=kpis.load_catalog(fetch_).latest_complete),
                             pub)
    return rep, each_demo_wh, truth_of(each_demo_wh)


def test_detractor_promoter_churn_ratio_recovers_the_planted_hazard_ratio(each_world):
    report, _, truth = each_world
    planted = float(truth["churn_ratio_detractor_promoter"])
    rate, risk = report.rate_ratio, report.risk_ratio
    # leavers per customer-year estimate the ratio of weekly hazards
    assert rate.low <= planted <= rate.high, rate
    # the 12-month risk ratio is the hazard ratio seen through 1 − e^(−H): with the promoters'
    # observed churn c, a hazard ratio of 2.5 means detractor churn 1 − (1 − c)^2.5
    c_p = report.categories.set_index("nps_category").loc["promoter", "churn_rate"]
    implied = (1 - (1 - c_p) ** planted) / c_p
    assert risk.low <= implied <= risk.high, (risk, implied)
    assert risk.low > 1.5


def test_programme_did_covers_the_planted_effects(each_world):
    report, demo_wh, truth = each_world
    ev = demo_wh.sql("select metric, planted_effect from truth.events "
                     "where event = 'improvement_programme'").set_index("metric")
    p = report.programme
    assert p.segment == truth["programme_segment"]
    assert p.start_week == truth["programme_start_week"]
    assert (p.effects["nps"].weeks_before, p.effects["nps"].weeks_after) == (26, 26)
    nps, fcr = p.effects["nps"], p.effects["fcr"]
    assert nps.ci_low <= ev.loc["nps_respondents_did", "planted_effect"] <= nps.ci_high, nps
    assert fcr.ci_low <= ev.loc["fcr", "planted_effect"] <= fcr.ci_high, fcr
    # the programme cut its segment's cost to serve relative to the others
    assert p.effects["cts_log"].ci_high < 0
    fig = report.figures["programme_savings"]
    assert fig.kind == "observed" and 0 < fig.low < fig.value < fig.high


def test_programme_money_is_the_proportional_effect_on_the_segment_cost(report, fetch, latest):
    p = report.programme
    e = p.effects["cts_log"]
    # the segment's contact cost since the start at the set's prices, by hand
    df = fetch("value_segment_weekly", start_week=parse_week(p.start_week),
               end_week=parse_week(latest), segments=[p.segment], regions=[], plans=[])
    prices = {"phone": 8.0, "chat": 4.8, "email": 4.0, "self_service": 0.1, "store": 12.0,
              "social": 5.0}
    actual = float((df["contact_count"] * df["channel"].map(prices).fillna(0)).sum())
    assert p.cost_since_start == pytest.approx(actual)
    fig = report.figures["programme_savings"]
    assert fig.value == pytest.approx(actual * (math.exp(-e.estimate) - 1))
    assert (fig.low, fig.high) == pytest.approx((actual * (math.exp(-e.ci_high) - 1),
                                                 actual * (math.exp(-e.ci_low) - 1)))


def test_programme_needs_a_control_and_enough_weeks(fetch, pub_set, latest):
    only = value.build_report(fetch, Filters(week=latest, segments=("Business",)), pub_set)
    assert only.programme is None and "at least one other segment" in only.programme_reason
    assert math.isnan(only.figures["programme_savings"].value)
    early = value.build_report(fetch, Filters(week="2025-W38"), pub_set)
    assert early.programme is None and "needs 8 weeks" in early.programme_reason


def test_year_based_figures_wait_for_a_full_year_of_data(fetch, pub_set):
    early = value.build_report(fetch, Filters(week="2025-W38"), pub_set)
    first_full = "2026-W05"  # the demo starts in 2024-W45: 13 weeks of history + 52 weeks
    for key in ("revenue_at_risk", "value_d_to_pa", "value_pa_to_p", "complaint_churn_cost",
                "complaint_cost_observed"):
        f = early.figures[key]
        assert math.isnan(f.value) and f"first week it can show is {first_full}" in f.note
    assert early.clv_table.empty and early.category_table.empty
    assert early.takeaways["rar"] == early.figures["revenue_at_risk"].note
    # savings against the baseline need only two quarters
    assert early.figures["savings_baseline"].value > 0
    ok = value.build_report(fetch, Filters(week=first_full), pub_set)
    assert math.isfinite(ok.figures["revenue_at_risk"].value)


def test_figures_name_the_set_and_keep_kinds_apart(report):
    for f in report.figures.values():
        assert f.assumption_set == "published v0"
        assert f.formula and f.window and f.inputs
    assert {f.kind for f in report.modelled} == {"modelled"}
    assert {f.kind for f in report.observed} == {"observed"}
    h = value.headline(report)
    assert list(h) == ["revenue_at_risk", "savings_vs_baseline"]
    assert h["revenue_at_risk"].kind == "modelled" and h["savings_vs_baseline"].kind == "observed"
    assert h["savings_vs_baseline"].value == pytest.approx(52 * report.savings.weekly)
    assert 0 < report.coverage < 1


def test_savings_match_the_cost_page_baseline_repriced(report, fetch, latest):
    s = report.savings
    cp = cost.build_report(fetch, Filters(week=latest))
    assert s.baseline_weeks == cp.savings.baseline_weeks
    assert s.current_weeks == cp.savings.current_weeks
    assert s.launch_week == cp.launch_week
    # the published set prices contacts as the warehouse does: the same cost per customer-week
    assert 1000 * s.baseline_cpw == pytest.approx(cp.savings.baseline_value)
    assert 1000 * s.current_cpw == pytest.approx(cp.savings.current_value)


def test_a_higher_margin_moves_the_money_by_the_expected_amount(report, fetch, published,
                                                                latest):
    hi = _changed(published, "gross_margin_pct", "45")
    r2 = value.build_report(fetch, Filters(week=latest), hi)
    assert r2.assumption_set == "what-if v1"
    a, b = report.clv.set_index("segment"), r2.clv.set_index("segment")
    for seg in a.index:
        expected = 0.10 * a.loc[seg, "revenue_per_year"] * _multiple(1 - a.loc[seg, "churn_rate"])
        assert b.loc[seg, "value"] - a.loc[seg, "value"] == pytest.approx(expected)
    # the moves: φ × Σ w (ΔCLV_to − ΔCLV_from), ΔCLV_k = 0.10 × R_k × multiple(r_k)
    est = money.category_estimates(money.fetch_inputs(fetch, Filters(week=latest), hi))
    e = est[est["segment"] != money.ALL].set_index(["segment", "nps_category"])
    segs = sorted(e.index.get_level_values(0).unique())

    def d_clv(seg, cat):
        return 0.10 * e.loc[(seg, cat), "revenue_per_year"] * _multiple(
            1 - e.loc[(seg, cat), "churn_rate"])

    w = np.array([e.loc[(s, "detractor"), "active_now"] for s in segs], dtype=float)
    w /= w.sum()
    expected = 0.65 * sum(wi * (d_clv(s, "passive") - d_clv(s, "detractor"))
                          for wi, s in zip(w, segs, strict=True))
    delta = r2.figures["value_d_to_pa"].value - report.figures["value_d_to_pa"].value
    assert delta == pytest.approx(expected)
    # the churn that complaints go with is one year of margin: it scales with the margin
    assert r2.figures["complaint_churn_cost"].value == pytest.approx(
        report.figures["complaint_churn_cost"].value * 45 / 35)
    # revenue at risk and the observed savings do not depend on the margin
    for key in ("revenue_at_risk", "savings_baseline", "programme_savings",
                "complaint_cost_observed"):
        assert r2.figures[key].value == pytest.approx(report.figures[key].value)
        assert r2.figures[key].assumption_set == "what-if v1"


def test_a_dearer_phone_contact_moves_the_savings_by_hand(report, fetch, published, latest):
    dear = _changed(published, "cost_per_contact_phone", "10")
    r2 = value.build_report(fetch, Filters(week=latest), dear)
    s = report.savings
    df = fetch("cost_channel_weekly", start_week=parse_week(s.baseline_weeks[0]),
               end_week=parse_week(latest), segments=[], regions=[], plans=[])
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date

    def phone_per_customer_week(first: str, last: str) -> float:
        part = df[(df["week_start"] >= parse_week(first)) & (df["week_start"] <= parse_week(last))]
        base = part.groupby("week_start")["active_at_start"].first().sum()
        return part.loc[part["channel"] == "phone", "contact_count"].sum() / base

    expected = 2.0 * (phone_per_customer_week(*s.baseline_weeks)
                      - phone_per_customer_week(*s.current_weeks)) * s.mean_base
    assert r2.savings.weekly - s.weekly == pytest.approx(expected)
    assert r2.figures["savings_baseline"].value - report.figures["savings_baseline"].value \
        == pytest.approx(52 * expected)
    assert "Phone $10.00" in r2.figures["savings_baseline"].how_computed()["Unit costs"]


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def app(open_app):
    at = open_app("pages/money.py", timeout=120)
    return at


def _captions(at: AppTest) -> str:
    return " ".join(c.value.replace("\\", "") for c in at.caption)


def _tiles(rep: value.ValueReport) -> dict[str, str]:
    return {f.label: money_text(f.value, rep.symbol) for f in (*rep.modelled, *rep.observed)}


def test_page_shows_the_module_numbers(app, report):
    assert app.title[0].value == "CX in money"
    assert {m.label: m.value for m in app.metric} == _tiles(report)
    text = _captions(app)
    for key in ("clv", "clv_retention", "categories", "rar", "savings", "programme",
                "complaints"):
        assert report.takeaways[key] in text, key
    for f in (*report.modelled, *report.observed):
        assert f"assumption set {f.assumption_set}" in text
        if f.low is not None:
            band = f"{money_text(f.low, '$')}\u2009–\u2009{money_text(f.high, '$')}"
            assert f"{f.band_label} {band}" in text
    frames = [d.value for d in app.dataframe]
    pd.testing.assert_frame_equal(frames[0].reset_index(drop=True), report.clv_table)
    pd.testing.assert_frame_equal(frames[1].reset_index(drop=True), report.category_table)
    pd.testing.assert_frame_equal(frames[2].reset_index(drop=True), report.rar_table)
    pd.testing.assert_frame_equal(frames[3].reset_index(drop=True), report.did_table)
    assert "not part of any total" in text.lower()
    assert list(frames[4]["Source"]) == [c.source for c in money.EXTERNAL_CONTEXT]


def test_page_respects_the_filters(app, fetch, pub_set):
    weeks = app.selectbox(key="f_week").options
    week = weeks[60]
    app.selectbox(key="f_week").set_value(week)
    app.multiselect(key="f_segment").set_value(["Mass", "Business"])
    app.multiselect(key="f_region").set_value(["North", "South", "West"])
    app.run()
    assert not app.exception, app.exception
    rep = value.build_report(fetch, Filters(week=week, segments=("Mass", "Business"),
                                            regions=("North", "South", "West")), pub_set)
    assert {m.label: m.value for m in app.metric} == _tiles(rep)
    assert rep.takeaways["programme"] in _captions(app)


def test_page_follows_the_chosen_assumption_set(app, fetch, published, latest, tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    assumptions.create_set(store, "High margin", who="test")
    current = assumptions.load_set(store, published, "High margin")
    assumptions.record_change(store, current, "gross_margin_pct", "50", date(2020, 1, 6),
                              who="test", back_date=True)
    app.run()
    app.selectbox(key="f_assumption_set").set_value("High margin")
    app.run()
    assert not app.exception, app.exception
    rep = value.build_report(fetch, Filters(week=latest),
                             assumptions.load_set(store, published, "High margin"))
    assert rep.assumption_set == "High margin v1"
    shown = {m.label: m.value for m in app.metric}
    assert shown == _tiles(rep)
    assert "assumption set High margin v1" in _captions(app)
