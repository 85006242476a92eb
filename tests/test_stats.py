"""Metric statistics against hand computations and reference libraries."""

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

from dashboard.metrics import stats


def test_nps_worked_example_40_40_20_n500():
    est = stats.nps(200, 200, 100)
    assert est.value == pytest.approx(20.0)
    assert est.n == 500 and est.status == "ok"
    # plain Wald margin: 1.96 * sqrt((0.6 - 0.04) / 500) = 6.56 points ("about ±6.6")
    assert stats.nps_wald_margin(200, 200, 100) == pytest.approx(6.559, abs=0.001)
    # adjusted-Wald by hand: n+3 = 503, P = 200.75/503, D = 100.75/503
    p, d = 200.75 / 503, 100.75 / 503
    half = 1.959964 * math.sqrt((p + d - (p - d) ** 2) / 503)
    assert est.ci_low == pytest.approx(100 * (p - d - half), abs=1e-4)
    assert est.ci_high == pytest.approx(100 * (p - d + half), abs=1e-4)
    assert est.ci_low == pytest.approx(13.34, abs=0.01)
    assert est.ci_high == pytest.approx(26.42, abs=0.01)
    assert est.detail["promoters_pct"] == 40 and est.detail["detractors_pct"] == 20


def test_nps_equals_mean_of_trinomial_scores():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 11, 777)
    p, pa, d = (scores >= 9).sum(), ((scores >= 7) & (scores <= 8)).sum(), (scores <= 6).sum()
    trinomial = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    assert stats.nps(p, pa, d).value == pytest.approx(100 * trinomial.mean())
    # the Wald margin is 1.96 x the standard error of the trinomial mean (ddof = 0)
    assert stats.nps_wald_margin(p, pa, d) == pytest.approx(
        100 * 1.959964 * trinomial.std() / math.sqrt(len(scores)), rel=1e-5)


def test_nps_difference_test_by_hand():
    a, b = (200, 200, 100), (150, 200, 150)
    ca, va = stats.nps_adjusted(*a)
    cb, vb = stats.nps_adjusted(*b)
    z = (ca - cb) / math.sqrt(va + vb)
    assert stats.nps_test(a, b) == pytest.approx(2 * sps.norm.sf(abs(z)))
    assert stats.nps_test(a, b) < 0.001  # NPS 20 vs 0 at n = 500 each is a clear difference
    assert stats.nps_test(a, a) == pytest.approx(1.0)


@pytest.mark.parametrize(("k", "n"), [(0, 40), (17, 40), (400, 512), (512, 512)])
def test_wilson_matches_statsmodels(k, n):
    est = stats.share(k, n)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert est.value == pytest.approx(100 * k / n)
    assert est.ci_low == pytest.approx(100 * lo, abs=1e-9)
    assert est.ci_high == pytest.approx(100 * hi, abs=1e-9)


def test_share_test_matches_statsmodels_pooled_z():
    _, p = proportions_ztest([420, 380], [600, 610])
    assert stats.share_test(420, 600, 380, 610) == pytest.approx(p, rel=1e-9)


def test_mean_t_interval_and_welch_match_references():
    rng = np.random.default_rng(11)
    a = rng.integers(1, 8, 140).astype(float)
    b = rng.integers(2, 8, 95).astype(float)
    est = stats.mean(a.sum(), (a * a).sum(), len(a))
    lo, hi = DescrStatsW(a).tconfint_mean()
    assert est.value == pytest.approx(a.mean())
    assert (est.ci_low, est.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    p = stats.mean_test((a.sum(), (a * a).sum(), len(a)), (b.sum(), (b * b).sum(), len(b)))
    assert p == pytest.approx(sps.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-9)


def test_poisson_rate_exact_interval_and_test():
    est = stats.rate(12, 5000, per=1000)
    assert est.value == pytest.approx(2.4)
    # Garwood interval for 12 events: [6.2006, 20.9622] (chi-square quantiles)
    assert est.ci_low == pytest.approx(6.2006 / 5, abs=1e-3)
    assert est.ci_high == pytest.approx(20.9622 / 5, abs=1e-3)
    ref = sm_rates.test_poisson_2indep(30, 5000, 12, 5100, method="exact-cond")
    assert stats.rate_test(30, 5000, 12, 5100) == pytest.approx(ref.pvalue, rel=1e-6)


def test_benjamini_hochberg_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4): 0.02, 0.02, 0.04, 0.04 after the step-up
    assert stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02])
    assert stats.benjamini_hochberg([]) == []


@pytest.mark.parametrize(("n", "status"), [(0, "withheld"), (29, "withheld"), (30, "low_base"),
                                           (99, "low_base"), (100, "ok")])
def test_small_bases_withheld_or_badged(n, status):
    est = stats.share(n // 2, n)
    assert est.status == status
    assert (est.value is None) == (status == "withheld")


def test_normal_estimate_and_test():
    a = stats.normal(10.0, 4.0, 50)
    b = stats.normal(4.0, 5.0, 50)
    assert (a.ci_low, a.ci_high) == (pytest.approx(10 - 1.959964 * 2), pytest.approx(10 + 3.919928))
    assert stats.normal_test(a, b) == pytest.approx(2 * sps.norm.sf(6 / 3))


def test_risk_ratio_matches_statsmodels():
    from statsmodels.stats.contingency_tables import Table2x2

    rr, lo, hi = stats.risk_ratio(60, 1000, 25, 1100)
    t = Table2x2(np.array([[60, 940], [25, 1075]]))
    assert rr == pytest.approx(t.riskratio)
    assert (lo, hi) == tuple(pytest.approx(x) for x in t.riskratio_confint())
