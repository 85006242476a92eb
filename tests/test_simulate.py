"""Impact simulator: hand-computed worlds, monotonicity, planted-truth recovery on the demo world,
scenario persistence and the page (AppTest)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions, sim_texts, whatif
from dashboard.money import inputs as money
from dashboard.money import simulate as sim
from dashboard.money.inputs import ALL, money_text
from dashboard.ui import common as ui
from dashboard.warehouse import db

# --- synthetic worlds -----------------------------------------------------------------------
# Counts of 10^12 customers make every Beta posterior and standard error vanish; with
# realisation_factor_low = high = 1 and no unit-cost uncertainty the Monte Carlo is
# deterministic and must equal the closed form: moving N × Δ customers from detractor to passive
# retains N × Δ × ARPU × ((1 − c_Pa) × a_Pa − (1 − c_D) × a_D) of revenue in the first year
# (a = spend relative to the segment's ARPU, c = churn, φ = 1, d = 0).

HUGE = 10**12
ASSUMPTIONS = {
    "currency_symbol": "$", "cost_per_contact_phone": 8.0, "cost_per_contact_chat": 4.8,
    "cost_per_contact_self_service": 0.1, "complaint_handling_cost": 25.0,
    "gross_margin_pct": 30.0, "discount_rate_pct": 0.0, "analysis_horizon_years": 1,
    "realisation_factor_low": 1.0, "realisation_factor_high": 1.0,
    "unit_cost_uncertainty_pct": 0.0,
}
OUTCOME_COLUMNS = ["segment", "nps_category", "has_recent_complaint", "customer_count",
                   "churned_count", "exposure_years", "exposure_sq_sum", "revenue_amount",
                   "revenue_sq_sum", "revenue_exposure_sum", "complaint_count",
                   "compensation_amount"]


def cohort(segment: str, category: str, n: int, churn: float, revenue: float,
           complained: bool = False, complaints_per_year: float = 0.0,
           compensation_per_year: float = 0.0) -> dict:
    """n customers of one year's exposure each, all spending ``revenue`` a year (zero SE)."""
    return {"segment": segment, "nps_category": category, "has_recent_complaint": complained,
            "customer_count": n, "churned_count": round(churn * n), "exposure_years": float(n),
            "exposure_sq_sum": float(n), "revenue_amount": revenue * n,
            "revenue_sq_sum": revenue**2 * n, "revenue_exposure_sum": revenue * n,
            "complaint_count": complaints_per_year * n,
            "compensation_amount": compensation_per_year * n}


def make_inputs(outcomes: list[dict], base: dict[tuple[str, str], int],
                contacts: list[dict] | None = None, **overrides) -> money.Inputs:
    f = Filters(week="2026-W44")
    end = f.week_start + timedelta(weeks=1)
    base_rows = [{"segment": s, "nps_category": k, "has_recent_complaint": False,
                  "customer_count": n} for (s, k), n in base.items()]
    con = pd.DataFrame(contacts or [], columns=["segment", "nps_category", "channel",
                                                "contact_count", "unresolved_count",
                                                "repeat_count"])
    return money.Inputs(f, end - timedelta(weeks=52), end, pd.DataFrame(outcomes,
                                                                        columns=OUTCOME_COLUMNS),
                        con, pd.DataFrame(base_rows), {**ASSUMPTIONS, **overrides}, "test v1")


def worked_example(**overrides) -> tuple[pd.DataFrame, money.Inputs]:
    """A worked example with round numbers: N = 100,000, ARPU 1,200, shares P/Pa/D 35/35/30,
    churn 8/15/28 %, spend multipliers 1.10/1.00/0.85, no cost to serve."""
    out = [cohort("Mass", "promoter", HUGE, 0.08, 1320.0),
           cohort("Mass", "passive", HUGE, 0.15, 1200.0),
           cohort("Mass", "detractor", HUGE, 0.28, 1020.0)]
    base = {("Mass", "promoter"): 35_000, ("Mass", "passive"): 35_000,
            ("Mass", "detractor"): 30_000}
    inputs = make_inputs(out, base, **overrides)
    return money.category_estimates(inputs), inputs


def operations_world(**overrides) -> tuple[pd.DataFrame, money.Inputs]:
    """One segment of 100,000 customers now; 5 % of every category complained recently (churn
    30 % vs 20 %, 2 vs 0.1 complaints a year, compensation 5 a customer-year); revenue 1,000 a
    year; contacts a customer-year: phone 2 (30 % unresolved, 0.15 repeats per contact), chat 1
    (40 %, 0.2), self-service 3."""
    out, con = [], []
    for k in ("promoter", "passive", "detractor", "unanswered"):
        out += [cohort("Mass", k, HUGE // 20, 0.30, 1000.0, True, 2.0, 5.0),
                cohort("Mass", k, HUGE // 20 * 19, 0.20, 1000.0, False, 0.1, 5.0)]
        for ch, rate, unres, rep in (("phone", 2, 0.3, 0.15), ("chat", 1, 0.4, 0.2),
                                     ("self_service", 3, 0.5, 0.1)):
            con.append({"segment": "Mass", "nps_category": k, "channel": ch,
                        "contact_count": rate * HUGE, "unresolved_count": unres * rate * HUGE,
                        "repeat_count": rep * rate * HUGE})
    base = {("Mass", "promoter"): 30_000, ("Mass", "passive"): 30_000,
            ("Mass", "detractor"): 20_000, ("Mass", "unanswered"): 20_000}
    inputs = make_inputs(out, base, con, **overrides)
    return money.category_estimates(inputs), inputs


def pv_sum(horizon: int, d: float, cash_at_t) -> float:
    """Σ_{t=1..H} cash(t) / (1 + d)^t, written out."""
    return sum(cash_at_t(t) / (1 + d) ** t for t in range(1, horizon + 1))


def close(a: float, b: float, rel: float = 1e-4) -> bool:
    return abs(a - b) <= rel * max(abs(b), 1.0)


def band(fig: money.MoneyFigure) -> tuple[float, float, float]:
    return fig.low, fig.value, fig.high


# --- hand computations ------------------------------------------------------------------------


def test_worked_example_one_year_equals_the_closed_form():
    est, inputs = worked_example()
    lev = whatif.Levers(nps={"Mass": 5}, migration_rule="detractors_to_passives")
    res = sim.simulate(est, inputs, lev, draws=200)
    # ΔRevenue_1y = N × Δshare × ARPU × ((1 − c_Pa)·a_Pa − (1 − c_D)·a_D), φ = 1, d = 0
    expected = 100_000 * 0.05 * 1200 * (0.85 * 1.00 - 0.72 * 0.85)
    assert expected == pytest.approx(1_428_000)  # $1.43M
    for v in band(res.revenue_retained):
        assert close(v, expected)
    for v in band(res.cost_saved):
        assert abs(v) < 1e-3  # no cost to serve in the example
    assert close(res.profit_impact.value, 0.30 * expected)
    assert res.horizon == 1 and res.revenue_retained.kind == "modelled"


def test_worked_example_horizon_is_discounted_survival():
    est, inputs = worked_example(discount_rate_pct=10.0)
    lev = whatif.Levers(nps={"Mass": 5}, migration_rule="detractors_to_passives", horizon_years=3)
    res = sim.simulate(est, inputs, lev, draws=200)
    moved, d = 5000, 0.10
    # a moved customer pays R_k at the end of every year survived: Σ R_k (1 − c_k)^t / (1 + d)^t
    expected = moved * (pv_sum(3, d, lambda t: 1200 * 0.85**t)
                        - pv_sum(3, d, lambda t: 1020 * 0.72**t))
    assert close(res.revenue_retained.value, expected)
    assert close(res.revenue_retained.value, moved * (money.clv(1200, 0.85, d, 3)
                                                      - money.clv(1020, 0.72, d, 3)))
    assert close(res.profit_impact.value, 0.30 * expected)
    # ten years approaches the unlimited-horizon ΔCLV ($3.2M: N × Δ × (CLV_Pa − CLV_D), CLV with
    # margin 30% of spend and r / (1 + d − r)) from below
    long = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5}, horizon_years=10,
                                                migration_rule="detractors_to_passives"),
                        draws=50)
    clv_inf = moved * (money.clv(360, 0.85, d) - money.clv(306, 0.72, d))
    assert clv_inf == pytest.approx(3.22e6, rel=0.01)
    assert 0.85 * clv_inf < long.profit_impact.value < clv_inf


def test_passives_to_promoters_and_half_each_by_hand():
    est, inputs = worked_example()
    pp = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5},
                                              migration_rule="passives_to_promoters"), draws=50)
    hand_pp = 5000 * (1320 * 0.92 - 1200 * 0.85)
    assert close(pp.revenue_retained.value, hand_pp)
    half = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5}), draws=50)
    hand_dp = 5000 * (1200 * 0.85 - 1020 * 0.72)
    assert close(half.revenue_retained.value, (hand_pp + hand_dp) / 2)


def test_migration_is_capped_by_the_detractors_available():
    est, inputs = worked_example()
    res = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 40},
                                               migration_rule="detractors_to_passives"),
                       draws=50)
    assert close(res.revenue_retained.value, 30_000 * (1200 * 0.85 - 1020 * 0.72))
    assert any("capped" in n and "30,000 detractors" in n for n in res.notes)
    assert "capped" in res.profit_impact.note


def test_levers_outside_the_data_are_named_not_valued():
    est, inputs = worked_example()
    res = sim.simulate(est, inputs, whatif.Levers(nps={"Nowhere": 5}), draws=50)
    assert res.profit_impact.value == 0.0
    assert res.notes == ("NPS lever not valued in Nowhere: no customers of that segment in the "
                         "selection.",)
    out = [cohort("Mass", "promoter", HUGE, 0.08, 1320.0), cohort("Mass", "passive", 20, 0.15,
                                                                  1200.0),
           cohort("Mass", "detractor", HUGE, 0.28, 1020.0)]
    thin = make_inputs(out, {("Mass", "passive"): 100, ("Mass", "detractor"): 100})
    res = sim.simulate(money.category_estimates(thin), thin, whatif.Levers(nps={"Mass": 5}),
                       draws=50)
    assert res.profit_impact.value == 0.0
    assert "fewer than 30 customers with an NPS answer" in res.notes[0]
    assert "not (fully) valued in Mass" in res.profit_impact.note


def test_realisation_factor_scales_the_gap():
    est, inputs = worked_example(realisation_factor_low=0.5, realisation_factor_high=0.5)
    res = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5},
                                               migration_rule="detractors_to_passives"),
                       draws=50)
    assert close(res.revenue_retained.value, 0.5 * 1_428_000)


def test_complaint_lever_by_hand():
    est, inputs = operations_world(discount_rate_pct=10.0, analysis_horizon_years=3)
    res = sim.simulate(est, inputs, whatif.Levers(complaint_change_pct=-20), draws=50)
    d, H, N, x = 0.10, 3, 100_000, 0.20
    annuity = pv_sum(H, d, lambda t: 1.0)
    complaints_per_year = 0.05 * 2.0 + 0.95 * 0.1
    handling = x * N * (complaints_per_year * 25.0 + 5.0) * annuity
    # complainants avoided a year: 20 % of the 5 % flagged per 13 weeks, four times a year
    avoided = x * N * 0.05 * 4
    gap, r = 0.30 - 0.20, 0.80
    w = pv_sum(H, d, lambda t: sum(r**i for i in range(t)))
    cts = 2 * 8.0 + 1 * 4.8 + 3 * 0.1 + complaints_per_year * 25.0 + 5.0
    assert close(res.revenue_retained.value, avoided * gap * 1000.0 * w)
    assert close(res.cost_saved.value, handling - avoided * gap * cts * w)
    assert close(res.profit_impact.value,
                 0.30 * avoided * gap * 1000.0 * w + handling - avoided * gap * cts * w)


def test_fcr_and_self_service_levers_by_hand():
    est, inputs = operations_world(discount_rate_pct=10.0, analysis_horizon_years=3)
    annuity = pv_sum(3, 0.10, lambda t: 1.0)
    fcr = sim.simulate(est, inputs, whatif.Levers(fcr_change_pp=5), draws=50)
    # assisted contacts 3 a customer-year; repeats per unresolved (0.3 + 0.2) / (0.6 + 0.4)
    k = (2 * 0.15 + 1 * 0.2) / (2 * 0.3 + 1 * 0.4)
    repeat_cpc = (2 * 0.15 * 8.0 + 1 * 0.2 * 4.8) / (2 * 0.15 + 1 * 0.2)
    assert close(fcr.cost_saved.value, 0.05 * 3 * 100_000 * k * repeat_cpc * annuity)
    assert close(fcr.revenue_retained.value, 0.0)
    ss = sim.simulate(est, inputs, whatif.Levers(self_service_shift_pp=10), draws=50)
    assert close(ss.cost_saved.value, 0.10 * 2 * 100_000 * (8.0 - 0.1) * annuity)
    both = sim.simulate(est, inputs, whatif.Levers(fcr_change_pp=5, self_service_shift_pp=10),
                        draws=50)
    assert close(both.cost_saved.value, fcr.cost_saved.value + ss.cost_saved.value)
    assert list(both.components["component"]) == ["fcr", "self_service"]
    # FCR cannot rise above 100 %: a third of assisted contacts are unresolved
    capped = sim.simulate(est, inputs, whatif.Levers(fcr_change_pp=50), draws=50)
    assert close(capped.cost_saved.value, fcr.cost_saved.value * (100 / 3) / 5)


def test_probability_and_programme_cost():
    est, inputs = worked_example()
    lev = whatif.Levers(nps={"Mass": 5}, migration_rule="detractors_to_passives",
                     programme_cost=400_000)
    res = sim.simulate(est, inputs, lev, draws=100)
    assert res.p_exceeds == 1.0  # profit 428,400 > 400,000 in every draw
    assert res.prob_exceeds(500_000) == 0.0
    assert "100%" in sim_texts.exceed_text(res) and "$400.0k" in sim_texts.exceed_text(res)


def test_survival_and_cohort_sums():
    assert sim.survival_sum(0.8, 0.1, 2) == pytest.approx(0.8 / 1.1 + 0.64 / 1.21)
    assert sim.survival_sum(0.8, 0.1, 2) == pytest.approx(money.clv(1.0, 0.8, 0.1, 2))
    assert sim.cohort_sum(0.8, 0.1, 2) == pytest.approx(1 / 1.1 + 1.8 / 1.21)
    r = np.array([0.5, 0.9])
    assert np.allclose(sim.survival_sum(r, 0.0, 1), r)


# --- monotonicity and consistency (with real uncertainty) ----------------------------------------


@pytest.fixture(scope="module")
def demo_inputs(demo_wh, tmp_path_factory):
    def fetch(name, **params):
        return db.cached_run(demo_wh, name, **params)

    cat = kpis.load_catalog(fetch)
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('sim')}/s.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"))
    inputs = money.fetch_inputs(fetch, Filters(week=cat.latest_complete), aset)
    return money.category_estimates(inputs), inputs


def test_zero_levers_are_worth_nothing(demo_inputs):
    est, inputs = demo_inputs
    res = sim.simulate(est, inputs, whatif.Levers(), draws=500)
    assert (res.samples.to_numpy() == 0).all()
    assert res.tornado.empty and res.components.empty
    assert res.p_exceeds == 0.0 and sim_texts.probability_text(res) == "—"
    assert [f.value for f in res.figures] == [0.0, 0.0, 0.0]


def test_bigger_changes_are_worth_more_and_half_each_sits_between(demo_inputs):
    est, inputs = demo_inputs
    runs = {}
    for rule in whatif.RULES:
        for delta in (2, 5, 10):
            runs[rule, delta] = sim.simulate(est, inputs, whatif.Levers(
                nps={"Mass": delta}, migration_rule=rule), draws=2000, tornado=False)
    for rule in whatif.RULES:
        p50 = [runs[rule, d].profit_impact.value for d in (2, 5, 10)]
        assert 0 < p50[0] < p50[1] < p50[2]
        # the same draws for every scenario: without caps the value is linear in Δ, draw by draw
        assert np.allclose(runs[rule, 10].samples, 2 * runs[rule, 5].samples)
    for d in (2, 5, 10):
        dp = runs["detractors_to_passives", d].samples
        pp = runs["passives_to_promoters", d].samples
        half = runs["half_each", d].samples
        assert np.allclose(half, (dp + pp) / 2)
        lo, hi = sorted((dp["revenue_retained"].median(), pp["revenue_retained"].median()))
        assert lo <= half["revenue_retained"].median() <= hi
    # a fall in NPS loses money
    down = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": -5}), draws=500, tornado=False)
    assert down.profit_impact.high < 0


def test_levers_add_up_and_cost_levers_grow(demo_inputs):
    est, inputs = demo_inputs
    parts = [whatif.Levers(nps={"Affluent": 3}), whatif.Levers(complaint_change_pct=-20),
             whatif.Levers(fcr_change_pp=5), whatif.Levers(self_service_shift_pp=10)]
    total = sim.simulate(est, inputs, whatif.Levers(nps={"Affluent": 3}, complaint_change_pct=-20,
                                                 fcr_change_pp=5, self_service_shift_pp=10),
                         draws=1000, tornado=False)
    summed = sum(sim.simulate(est, inputs, p, draws=1000, tornado=False).samples for p in parts)
    assert np.allclose(total.samples, summed)
    small = sim.simulate(est, inputs, whatif.Levers(self_service_shift_pp=5), draws=500,
                         tornado=False)
    big = sim.simulate(est, inputs, whatif.Levers(self_service_shift_pp=20), draws=500,
                       tornado=False)
    assert (big.samples["cost_saved"] > small.samples["cost_saved"]).all()


def test_figures_name_their_assumptions(demo_inputs):
    est, inputs = demo_inputs
    res = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5}, horizon_years=2), draws=500)
    f = res.profit_impact
    assert f.kind == "modelled" and f.band_label == "P10–P90"
    assert f.assumption_set == inputs.assumption_set == "published v0"
    rows = f.how_computed()
    assert rows["Migration rule (NPS)"] == whatif.RULES["half_each"]
    assert rows["Realisation factor φ"].startswith("uniform 0.3\u2009–\u20091")
    assert rows["Horizon"].startswith("2 years, discounted at 10 %")
    assert f.low < f.value < f.high
    # the tornado is sorted by swing and led by φ, the widest assumption
    assert res.tornado["swing"].is_monotonic_decreasing
    assert res.tornado["input"].iloc[0] == "Realisation factor φ"


def test_nps_point_value(demo_inputs):
    est, inputs = demo_inputs
    fig = sim.nps_point_value(est, inputs, "Mass")
    direct = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 1}), tornado=False)
    assert band(fig) == band(direct.profit_impact)
    assert fig.kind == "modelled" and 0 < fig.low < fig.value < fig.high
    assert fig.label == "Value of +1 NPS point, Mass"
    every = sim.nps_point_value(est, inputs, ALL, rule="detractors_to_passives")
    each = [sim.nps_point_value(est, inputs, s, rule="detractors_to_passives").value
            for s in ("Affluent", "Business", "Mass")]
    assert every.value > max(each)
    # the page's chart: every segment's point value, highest first, at the chosen horizon
    table = sim.point_values(est, inputs, "half_each", horizon_years=2)
    assert table["value"].is_monotonic_decreasing
    assert set(table["segment"]) == {"Affluent", "Business", "Mass"}
    two = sim.nps_point_value(est, inputs, "Business", horizon_years=2)
    assert table.set_index("segment").loc["Business", ["low", "value", "high"]].tolist() == \
        list(band(two))


# --- demo recovery: the planted churn hazards ---------------------------------------------------


def _plan_mix(demo_wh, segment: str, category: str, as_of: date) -> dict[str, int]:
    """Plans of the segment's customers active at ``as_of`` whose latest NPS answer before it
    put them in ``category`` (the customers the lever moves)."""
    df = demo_wh.sql("""
        with la as (
            select customer_id, arg_max(nps_category, responded_at) as cat
            from marts.fct_survey_responses where survey = 'nps' and responded_at < $as_of
            group by customer_id)
        select c.plan, count(*) as n
        from marts.dim_customers c join la using (customer_id)
        where c.signup_date <= $as_of and (c.churn_date is null or c.churn_date > $as_of)
          and c.segment = $segment and la.cat = $category
        group by c.plan""", {"as_of": as_of, "segment": segment, "category": category})
    return dict(zip(df["plan"], df["n"].astype(int), strict=True))


@pytest.mark.parametrize("horizon", [1, 3])
def test_demo_recovery_nps_plus_five_in_mass(demo_wh, truth, demo_inputs, horizon):
    """"+5 NPS in Mass, detractors → passives" against the value the planted truth implies.

    Planted (truth.parameters): the weekly churn hazard of a customer is h0[segment] ×
    plan multiplier × category ratio (detractor 2.5, passive 1.5, promoter 1) × an open-
    complaint factor × a season averaging 1. A Mass detractor on plan p keeps a year with
    probability (1 − h0 × m_p × 2.5)^52; made a passive, (1 − h0 × m_p × 1.5)^52. Averaged over
    the plans of the Mass detractors the lever moves, this is their true 12-month churn as a
    detractor and as a passive. The moved customers are 5 % of Mass's active base; they keep
    their observed revenue per customer-year (that of Mass detractors) and gain the passive
    retention every year of the horizon, discounted as the simulator does:

        truth = moved × R_D × Σ_{t=1..H} [(1 − c_Pa)^t − (1 − c_D)^t] / (1 + d)^t

    This is the churn channel the world plants explicitly. The simulator sees only observed
    category gaps (confounded by plan, blurred by survey noise and by customers changing
    category) and scales them by φ ~ U(0.3, 1): its P10–P90 must cover the truth.
    """
    est, inputs = demo_inputs
    seg = "Mass"
    segs = ["Mass", "Affluent", "Business"]
    plans = ["Basic", "Standard", "Premium"]
    h0 = dict(zip(segs, map(float, truth["churn_base_hazard_segment"].strip("[]").split(",")),
                  strict=True))[seg]
    mult = dict(zip(plans, map(float, truth["churn_plan_multiplier"].strip("[]").split(",")),
                    strict=True))
    ratio = {"detractor": float(truth["churn_ratio_detractor_promoter"]),
             "passive": float(truth["churn_ratio_passive_promoter"])}
    mix = _plan_mix(demo_wh, seg, "detractor", inputs.as_of)
    n = sum(mix.values())

    def true_churn(category: str) -> float:
        return sum(w / n * (1 - (1 - h0 * mult[p] * ratio[category]) ** 52)
                   for p, w in mix.items())

    c_d, c_pa = true_churn("detractor"), true_churn("passive")
    rows = est[est["segment"] == seg].set_index("nps_category")
    moved = 0.05 * rows["active_now"].sum()
    r_d = rows.loc["detractor", "revenue_per_year"]
    d = inputs.number("discount_rate_pct") / 100
    truth_value = moved * r_d * pv_sum(horizon, d, lambda t: (1 - c_pa) ** t - (1 - c_d) ** t)

    res = sim.simulate(est, inputs, whatif.Levers(nps={seg: 5}, horizon_years=horizon,
                                               migration_rule="detractors_to_passives"))
    lo, p50, hi = band(res.revenue_retained)
    assert 0.10 < c_d - c_pa < 0.14  # the planted gap: about 12 points a year
    assert lo <= truth_value <= hi, (lo, truth_value, hi)
    assert p50 == pytest.approx(truth_value, rel=0.35)


# --- levers, scenarios --------------------------------------------------------------------------


def test_levers_validate_and_round_trip():
    lev = whatif.Levers(nps={"Mass": 5, "Business": 0, "Affluent": -2.5},
                     migration_rule="passives_to_promoters", complaint_change_pct=-20,
                     fcr_change_pp=3, self_service_shift_pp=12.5, horizon_years=4,
                     programme_cost=250_000)
    assert lev.nps == (("Affluent", -2.5), ("Mass", 5.0))
    assert whatif.Levers.from_json(lev.to_json()) == lev
    assert whatif.Levers.from_json(whatif.Levers().to_json()) == whatif.Levers()
    assert hash(lev) == hash(whatif.Levers.from_json(lev.to_json()))
    assert lev.describe() == ("NPS −2.5 in Affluent · NPS +5 in Mass (passives → promoters) · "
                              "complaints −20 % · first-contact resolution +3 pp · 12.5 % of "
                              "phone contacts to self-service")
    bad = [dict(migration_rule="all_at_once"), dict(nps={"Mass": 80}),
           dict(nps={ALL: 1}), dict(complaint_change_pct=-150), dict(self_service_shift_pp=-1),
           dict(horizon_years=0), dict(horizon_years=2.5), dict(programme_cost=-1),
           dict(fcr_change_pp=float("nan"))]
    for kw in bad:
        with pytest.raises(whatif.SimulationError, match="refused"):
            whatif.Levers(**kw)
    for text in ("not json", "[]", '{"version": 2}', '{"version": 1, "colour": "red"}',
                 '{"version": 1, "nps": {"Mass": "lots"}}'):
        with pytest.raises(whatif.SimulationError):
            whatif.Levers.from_json(text)


def test_scenarios_round_trip_overwrite_and_delete(tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/s.sqlite")
    a = whatif.Levers(nps={"Mass": 5}, migration_rule="detractors_to_passives", horizon_years=1)
    b = whatif.Levers(fcr_change_pp=4, programme_cost=1e5)
    assert whatif.save_scenario(store, "  Plan A ", a, "published v0", "Dana") == "Plan A"
    whatif.save_scenario(store, "Plan B", b, "stress v2", "")
    assert whatif.load_scenario(store, "Plan A") == a
    listed = whatif.list_scenarios(store).set_index("scenario_name")
    assert set(listed.index) == {"Plan A", "Plan B"}
    assert listed.loc["Plan A", "saved_by"] == "Dana"
    assert listed.loc["Plan B", "saved_by"] == "unknown"
    assert listed.loc["Plan B", "assumption_set_id"] == "stress v2"
    assert listed.loc["Plan B", "levers"] == b
    assert listed.loc["Plan A", "summary"] == a.describe()
    # saving under an existing name replaces it
    whatif.save_scenario(store, "Plan A", b, "published v1", "Lee")
    assert len(whatif.list_scenarios(store)) == 2
    assert whatif.load_scenario(store, "Plan A") == b
    assert whatif.delete_scenario(store, "Plan A") is True
    assert whatif.delete_scenario(store, "Plan A") is False
    assert list(whatif.list_scenarios(store)["scenario_name"]) == ["Plan B"]
    with pytest.raises(whatif.SimulationError, match="no saved scenario"):
        whatif.load_scenario(store, "Plan A")
    for bad in ("", "   ", "bad/name", "x" * 41, "-dash first", "semi;colon"):
        with pytest.raises(assumptions.AssumptionError, match="refused"):
            whatif.save_scenario(store, bad, a, "published v0", "Dana")
    assert list(whatif.list_scenarios(store)["scenario_name"]) == ["Plan B"]


def test_unreadable_payload_is_listed_not_loaded(tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/s.sqlite")
    store.write(("store_save_scenario", {"scenario_name": "Broken", "saved_at": "x",
                                         "saved_by": "y", "assumption_set_id": "z",
                                         "payload": "{oops"}))
    listed = whatif.list_scenarios(store)
    assert listed["levers"].tolist() == [None]
    assert listed["summary"].iloc[0].startswith("unreadable")
    assert whatif.scenario_levers(listed) == {}


def test_comparison_resimulates_each_scenario(demo_inputs):
    est, inputs = demo_inputs
    scen = {"A": whatif.Levers(nps={"Mass": 5}), "B": whatif.Levers(self_service_shift_pp=10,
                                                              programme_cost=2e5)}
    table = sim_texts.compare_scenarios(est, inputs, scen, draws=1000)
    assert table["Scenario"].tolist() == ["A", "B"]
    b = sim.simulate(est, inputs, scen["B"], draws=1000, tornado=False)
    f = b.profit_impact
    assert table.loc[1, "Profit impact P50 (P10 – P90)"] == (
        f"{money_text(f.value, '$')} ({money_text(f.low, '$')}\u2009–\u2009"
        f"{money_text(f.high, '$')})")
    assert table.loc[1, "P(profit impact > cost)"] == sim_texts.probability_text(b)


def test_external_context_is_quoted_and_apart():
    t = money.external_context_table()
    assert len(t) == len(money.EXTERNAL_CONTEXT) >= 4
    text = " ".join(t["Exact wording"])
    assert "companies can boost profits by almost 100 % by retaining just 5 % more" in text
    assert "reduce costs by 15 to 25 percent within two or three years" in text
    years = dict(zip(t["Source"].str[:20], t["Year"], strict=True))
    assert "1990" in years.values() and "2001" in years.values() and "2016" in years.values()
    row = t[t["Exact wording"].str.contains("15–20 %")].iloc[0]
    assert "nearest verified figure is 15–25 %" in row["How to read it"]


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def page(open_app):
    at = open_app("pages/simulator.py", timeout=120)
    return at


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(demo_inputs, levers: whatif.Levers) -> dict[str, str]:
    est, inputs = demo_inputs
    res = sim.simulate(est, inputs, levers)
    out = {f.label: money_text(f.value, "$") for f in res.figures}
    out["Chance the profit impact exceeds the programme cost"] = sim_texts.probability_text(res)
    return out


def _frame(at: AppTest, first_column: str) -> pd.DataFrame:
    """The page's table whose first column is ``first_column``."""
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_page_shows_the_module_numbers(page, demo_inputs):
    assert page.title[0].value == "Impact simulator"
    assert _tiles(page) == _expected(demo_inputs, whatif.Levers())
    est, inputs = demo_inputs
    idle = sim.simulate(est, inputs, whatif.Levers())
    caps = _captions(page)
    assert ui.plain(sim_texts.tornado_takeaway(idle)) in caps  # no tornado without a lever
    values = sim.point_values(est, inputs)
    assert ui.plain(sim_texts.point_values_takeaway(values, idle)) in caps
    page.slider(key="sim_nps_Mass").set_value(5)
    page.selectbox(key="sim_rule").set_value("detractors_to_passives")
    page.slider(key="sim_fcr").set_value(4)
    page.number_input(key="sim_cost").set_value(150_000)
    page.run()
    assert not page.exception, page.exception
    lev = whatif.Levers(nps={"Mass": 5}, migration_rule="detractors_to_passives", fcr_change_pp=4,
                     programme_cost=150_000)
    assert _tiles(page) == _expected(demo_inputs, lev)
    res = sim.simulate(est, inputs, lev)
    caps = _captions(page)
    assert ui.plain(f"P10–P90 {money_text(res.profit_impact.low, '$')}\u2009–\u2009"
                    f"{money_text(res.profit_impact.high, '$')}") in caps
    assert ui.plain(sim_texts.exceed_text(res)) in caps
    assert ui.plain(sim_texts.tornado_takeaway(res)) in caps
    assert "Modelled · assumption set published v0" in caps
    assert "Migration rule: detractors → passives" in caps
    split = _frame(page, "Lever")
    assert split["Lever"].tolist() == ["NPS +5 in Mass (detractors → passives)",
                                       "First-contact resolution +4 pp"]
    ext = _frame(page, "Source")
    assert ext.loc[ext["Source"].str.contains("Zero Defections"), "Year"].tolist() == ["1990"]


def test_page_saves_loads_and_compares_scenarios(page, demo_inputs):
    page.slider(key="sim_nps_Mass").set_value(5)
    page.run()
    page.text_input(key="sim_scenario_name").input("Plan A")
    page.text_input(key="sim_who").input("Dana")
    next(b for b in page.button if b.label == "Save scenario").click()
    page.run()
    assert not page.exception, page.exception
    assert page.success[0].value.startswith(ui.plain("Saved scenario 'Plan A'"))
    table = _frame(page, "Scenario")
    assert table["Scenario"].tolist() == ["Plan A"]
    est, inputs = demo_inputs
    f = sim.simulate(est, inputs, whatif.Levers(nps={"Mass": 5}), tornado=False).profit_impact
    assert table.loc[0, "Profit impact P50 (P10 – P90)"] == (
        f"{money_text(f.value, '$')} ({money_text(f.low, '$')}\u2009–\u2009"
        f"{money_text(f.high, '$')})")
    # move the levers away, then load the scenario back into them
    page.slider(key="sim_nps_Mass").set_value(0)
    page.slider(key="sim_self_service").set_value(10)
    page.run()
    page.selectbox(key="sim_scenario_pick").set_value("Plan A")
    next(b for b in page.button if b.label == "Load into the levers").click()
    page.run()
    assert not page.exception, page.exception
    assert page.slider(key="sim_nps_Mass").value == 5
    assert page.slider(key="sim_self_service").value == 0
    assert _tiles(page) == _expected(demo_inputs, whatif.Levers(nps={"Mass": 5}))
    # a bad name is refused with its rule, nothing saved
    page.text_input(key="sim_scenario_name").input("bad/name")
    next(b for b in page.button if b.label == "Save scenario").click()
    page.run()
    assert "refused" in page.error[0].value
    assert _frame(page, "Scenario")["Scenario"].tolist() == ["Plan A"]
    next(b for b in page.button if b.label == "Delete").click()
    page.run()
    assert not page.exception, page.exception
    assert "No saved scenarios yet" in _captions(page)
