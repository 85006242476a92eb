"""Pure statistics of the Complaints report on small frames: quantiles with their
distribution-free 95% intervals, the time summary of hours, and the Pareto of categories
(``complaints`` builds the report with them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from dashboard.metrics import stats
from dashboard.metrics.stats import Estimate


def quantile(values: np.ndarray | list[float], q: float) -> float:
    """The q-quantile with linear interpolation (numpy's default, DuckDB's quantile_cont)."""
    return float(np.quantile(np.asarray(values, dtype=float), q))


def quantile_ci(values: np.ndarray | list[float], q: float,
                alpha: float = 1 - 0.95) -> tuple[float, float]:
    """Distribution-free interval for the q-quantile from order statistics.

    With x₍₁₎ ≤ … ≤ x₍ₙ₎ the sorted values and B ~ Binomial(n, q), the interval is
    [x₍l₎, x₍u₎] with l = F⁻¹(α/2) and u = F⁻¹(1 − α/2) + 1 (1-based, clipped to 1 … n):
    P(x₍l₎ ≤ ξ_q < x₍u₎) ≥ 1 − α (Conover, Practical Nonparametric Statistics, §3.2).
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    lo = int(sps.binom.ppf(alpha / 2, n, q))
    hi = int(sps.binom.ppf(1 - alpha / 2, n, q)) + 1
    lo, hi = min(max(lo, 1), n), min(max(hi, 1), n)
    return float(x[lo - 1]), float(x[hi - 1])


@dataclass(frozen=True)
class TimeSummary:
    """Median and 90th percentile of a duration in hours, with order-statistic intervals."""

    n: int
    status: stats.Status
    median: Estimate
    p90: Estimate


def time_summary(hours: np.ndarray | list[float]) -> TimeSummary:
    """Median and P90 of durations (NaN dropped); withheld below MIN_BASE."""
    x = np.asarray(hours, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    status = stats.base_status(n)
    if status == "withheld":
        return TimeSummary(n, status, stats.withheld(n), stats.withheld(n))
    ests = []
    for q in (0.5, 0.9):
        lo, hi = quantile_ci(x, q)
        ests.append(Estimate(quantile(x, q), n, lo, hi, status))
    return TimeSummary(n, status, ests[0], ests[1])


def _weights(rows: pd.Series, counts: pd.Series | np.ndarray | list[int] | None) -> pd.Series:
    """Each row's number of complaints, on the rows' index: ``counts``, or 1 per row."""
    if counts is None:
        return pd.Series(1, index=rows.index, dtype="int64")
    return pd.Series(np.asarray(counts, dtype="int64"), index=rows.index)


def pareto(categories: pd.Series, counts: pd.Series | list[int] | None = None) -> pd.DataFrame:
    """Categories by count, largest first (ties by name), with share and cumulative share (%).
    ``counts``: each row's number of complaints (a count per category cell); one per row when
    not given."""
    names = categories.astype(str)
    per = _weights(names, counts).groupby(names.to_numpy()).sum()
    per = per[per > 0]
    df = pd.DataFrame({"category": per.index.astype(object),
                       "count": per.to_numpy(dtype=int)})
    df = df.sort_values(["count", "category"], ascending=[False, True], ignore_index=True)
    total = int(df["count"].sum())
    df["share_pct"] = 100.0 * df["count"] / total if total else np.nan
    df["cumulative_pct"] = df["share_pct"].cumsum()
    return df
