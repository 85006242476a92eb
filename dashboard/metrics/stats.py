"""Pure statistics for CX scores: estimates with 95% intervals, two-sample tests, correction.

Every function takes counts or sums (what the marts hold) and returns plain numbers, so the
same code serves tiles, the CLI and exports. z = ``Z95`` (the normal 97.5% quantile, 1.96).

* Bases (``base_status``): n < ``config.MIN_BASE`` (30) is withheld ("insufficient base");
  n < ``config.LOW_BASE`` (100) is shown with a low-base badge and never called significant.
  The thresholds are this project's rule, not a published standard.
* NPS (``nps``): each respondent scores +1 (promoter, 9–10), 0 (passive, 7–8) or −1
  (detractor, 0–6) and NPS = 100 × (P − D) is 100 × the mean score (Reichheld 2003). The
  per-respondent variance is P + D − (P − D)², so the plain Wald margin is
  100 · z · √([P + D − (P − D)²] / n) (``nps_wald_margin``). The interval is the adjusted-Wald
  one (Rocks 2016, *The American Statistician*, the best of six methods compared; the R
  package NPS calls it ``adjusted.wald``): n' = n + 3, P' = (n_P + 0.75) / n',
  D' = (n_D + 0.75) / n', interval 100 × [(P' − D') ± z √((P' + D' − (P' − D')²) / n')]. It
  stays sensible below n = 50 and near ±100, where the Wald interval collapses. Two
  independent NPS: z = Δ / √(Var₁ + Var₂) with adjusted-Wald variances (``nps_test``).
* Shares (``share``): the Wilson (1927) score interval
  [p + z²/2n ± z √(p(1 − p)/n + z²/4n²)] / (1 + z²/n); two shares: the pooled
  two-proportion z test.
* Means (``mean``, from a sum, a sum of squares and n): Student's t interval
  x̄ ± t(0.975; n − 1) · s / √n; two means: Welch's (1947) unequal-variance t test.
* Counts over an exposure (``rate``): the exact Poisson interval on the count (Garwood 1936),
  [χ²(0.025; 2k) / 2, χ²(0.975; 2k + 2) / 2], scaled by per / exposure; two rates: the exact
  conditional test, c₁ ~ Binomial(c₁ + c₂, e₁ / (e₁ + e₂)) under equal rates (Przyborowski &
  Wilenski 1940).
* Totals with a known variance (``normal``): value ± z √var and the z test of a difference.
  The registry gives cost to serve the customer-clustered variance n / (n − 1) × (Σ x² −
  (Σ x)² / n) over the selected customers (x a customer's weekly contact cost, n the active
  base) / base² and revenue Σ amount² (compound Poisson).
* Multiplicity (``benjamini_hochberg``): Benjamini & Hochberg (1995) false-discovery-rate
  adjusted p-values: the i-th smallest of m p-values × m / i, made monotone from the largest
  down and capped at 1 (statsmodels' ``fdr_bh``).
* Extreme values: no function raises on them. A value or interval that is not a finite number
  (a sum beyond the float range, ±inf, NaN) is withheld (``_finish``), never printed as
  [-inf, inf]; a test with a non-finite statistic gives p = 1 (no evidence). Ingest bounds
  every amount, score and duration (``intake.limits``), so a real warehouse never gets there.
* Risk ratio (``risk_ratio``): (k₁/n₁) / (k₂/n₂) with the log interval of Katz, Baptista, Azen
  & Pike (1978): SE(log RR) = √(1/k₁ − 1/n₁ + 1/k₂ − 1/n₂).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from dashboard.warehouse import config

Z95 = float(sps.norm.ppf(0.975))
Status = Literal["ok", "low_base", "withheld", "not_loaded"]


@dataclass(frozen=True)
class Estimate:
    """A metric value with its base and 95% interval; value is None when the base is too small
    (status "withheld") or when its source table holds no rows at all ("not_loaded")."""

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    status: Status = "ok"
    detail: dict[str, float] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        """True when the value may be displayed (base of at least MIN_BASE)."""
        return self.status not in ("withheld", "not_loaded") and self.value is not None


def base_status(n: int) -> Status:
    """Withheld below MIN_BASE, low base below LOW_BASE, else ok."""
    if n < config.MIN_BASE:
        return "withheld"
    if n < config.LOW_BASE:
        return "low_base"
    return "ok"


def _finite(*xs: float) -> bool:
    try:
        return all(math.isfinite(x) for x in xs)
    except (TypeError, OverflowError):  # an int too large for a float
        return False


def _finish(value: float, n: int, lo: float, hi: float, detail: dict[str, float]) -> Estimate:
    status = base_status(n)
    if status == "withheld" or not _finite(value, lo, hi):
        return withheld(n)
    return Estimate(value, n, lo, hi, status, detail)


def withheld(n: int = 0) -> Estimate:
    """An estimate with no value (no data or an insufficient base)."""
    return Estimate(None, n, None, None, "withheld", {})


def not_loaded() -> Estimate:
    """An estimate whose source table holds no rows: no value, no base, never tested."""
    return Estimate(None, 0, None, None, "not_loaded", {})


# --- NPS: adjusted-Wald (Rocks 2016) ---


def nps_adjusted(promoters: int, passives: int, detractors: int) -> tuple[float, float]:
    """Adjusted-Wald NPS (fraction, -1..1) and its variance: n+3, promoters and detractors +0.75."""
    n_adj = promoters + passives + detractors + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    return p - d, (p + d - (p - d) ** 2) / n_adj


def nps_wald_margin(promoters: int, passives: int, detractors: int) -> float:
    """Plain Wald 95% margin of error of NPS in points: 100 · z · √([P + D − (P − D)²] / n)."""
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    return 100 * Z95 * math.sqrt((p + d - (p - d) ** 2) / n)


def nps(promoters: int, passives: int, detractors: int) -> Estimate:
    """NPS = 100 × (P − D) with the adjusted-Wald 95% interval."""
    n = int(promoters + passives + detractors)
    if n == 0:
        return withheld(0)
    value = 100 * (promoters - detractors) / n
    centre, var = nps_adjusted(promoters, passives, detractors)
    half = Z95 * math.sqrt(var)
    detail = {
        "promoters_pct": 100 * promoters / n,
        "passives_pct": 100 * passives / n,
        "detractors_pct": 100 * detractors / n,
    }
    return _finish(value, n, 100 * (centre - half), 100 * (centre + half), detail)


def nps_test(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """Two-sided p for NPS(a) ≠ NPS(b), independent samples: z = Δ / √(Var_a + Var_b) with
    adjusted-Wald variances."""
    ca, va = nps_adjusted(*a)
    cb, vb = nps_adjusted(*b)
    return float(2 * sps.norm.sf(abs(ca - cb) / math.sqrt(va + vb)))


# --- shares: Wilson interval, pooled two-proportion z test ---


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval for a proportion k/n, as fractions."""
    p = k / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


def share(k: int, n: int, detail: dict[str, float] | None = None) -> Estimate:
    """100 × k / n with the Wilson 95% interval."""
    n = int(n)
    if n == 0:
        return withheld(0)
    lo, hi = wilson(k, n)
    return _finish(100 * k / n, n, 100 * lo, 100 * hi, detail or {})


def share_test(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z test."""
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * sps.norm.sf(abs(k1 / n1 - k2 / n2) / se))


# --- means: t interval, Welch test from sums ---


def _mean_sd(total: float, total_sq: float, n: int) -> tuple[float, float]:
    """Mean and standard deviation from sums (NaN when the sums are not finite: never a
    raise; ``float`` turns a huge integer sum into inf rather than overflowing later)."""
    total, total_sq = _as_float(total), _as_float(total_sq)
    mean = total / n
    var = (total_sq - n * mean * mean) / (n - 1) if n > 1 else 0.0
    if not _finite(var):
        return mean, math.nan
    return mean, math.sqrt(max(var, 0.0))


def _as_float(x: float) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def mean(total: float, total_sq: float, n: int, detail: dict[str, float] | None = None) -> Estimate:
    """Mean from a sum and sum of squares, with the t 95% interval."""
    n = int(n)
    if n < 2:
        return withheld(n)
    m, sd = _mean_sd(total, total_sq, n)
    if not _finite(m, sd):
        return withheld(n)
    half = float(sps.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return _finish(m, n, m - half, m + half, {"sd": sd, **(detail or {})})


def mean_test(a: tuple[float, float, int], b: tuple[float, float, int]) -> float:
    """Two-sided p of Welch's t test from (sum, sum of squares, n) of each sample."""
    ma, sa = _mean_sd(*a)
    mb, sb = _mean_sd(*b)
    res = sps.ttest_ind_from_stats(ma, sa, a[2], mb, sb, b[2], equal_var=False)
    p = float(res.pvalue)
    return 1.0 if math.isnan(p) else p


# --- Poisson rates: exact (Garwood) interval, conditional exact test ---


def rate(count: int, exposure: int, per: float) -> Estimate:
    """per × count / exposure with the exact Poisson 95% interval on the count."""
    exposure = int(exposure)
    if exposure == 0:
        return withheld(0)
    lo = 0.0 if count == 0 else float(sps.chi2.ppf(0.025, 2 * count) / 2)
    hi = float(sps.chi2.ppf(0.975, 2 * count + 2) / 2)
    scale = per / exposure
    return _finish(per * count / exposure, exposure, lo * scale, hi * scale, {"count": count})


def rate_test(c1: int, e1: int, c2: int, e2: int) -> float:
    """Two-sided exact conditional test of equal Poisson rates (binomial on c1 given c1 + c2)."""
    total = int(c1 + c2)
    if total == 0:
        return 1.0
    return float(sps.binomtest(int(c1), total, e1 / (e1 + e2)).pvalue)


# --- totals and per-customer amounts with a known variance: normal interval and z test ---


def normal(value: float, var: float, n: int, detail: dict[str, float] | None = None) -> Estimate:
    """A value with a normal 95% interval from its variance."""
    n = int(n)
    if n == 0:
        return withheld(0)
    value, var = _as_float(value), _as_float(var)
    half = Z95 * math.sqrt(max(var, 0.0)) if _finite(var) else math.inf
    return _finish(value, n, value - half, value + half, {"var": var, **(detail or {})})


def normal_test(a: Estimate, b: Estimate) -> float:
    """Two-sided z test of a difference of two normal estimates (their variances in detail)."""
    var = a.detail["var"] + b.detail["var"]
    if not _finite(var, a.value, b.value) or var <= 0:
        return 1.0
    p = float(2 * sps.norm.sf(abs(a.value - b.value) / math.sqrt(var)))
    return 1.0 if math.isnan(p) else p


# --- multiplicity ---


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the input order."""
    if not p_values:
        return []
    return [float(x) for x in multipletests(np.asarray(p_values), method="fdr_bh")[1]]


def risk_ratio(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """Risk ratio (k1/n1) / (k2/n2) with the Katz log 95% interval."""
    rr = (k1 / n1) / (k2 / n2)
    se = math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
    return rr, rr * math.exp(-Z95 * se), rr * math.exp(Z95 * se)
