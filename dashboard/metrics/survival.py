"""Kaplan–Meier survival with Greenwood confidence bands, in pure numpy.

Ŝ(t) = Π_{t_i ≤ t} (1 − d_i / n_i) over the distinct event times t_i (d_i events among n_i at
risk; Kaplan & Meier 1958), which handles right-censoring (customers still active at the end
of the window). Greenwood's (1926) formula gives Var[Ŝ(t)] = Ŝ(t)² V(t) with
V(t) = Σ_{t_i ≤ t} d_i / (n_i (n_i − d_i)), the variance of log Ŝ(t); the 95% band is the
"exponential Greenwood" interval on log(−log Ŝ) (Kalbfleisch & Prentice 1980), which stays
inside [0, 1]:

    exp(−exp(log(−log Ŝ) ∓ z √V / log Ŝ))

This is the same estimator and band as lifelines' ``KaplanMeierFitter`` (its default), which the
tests use as the oracle. Inputs may be individual rows or aggregated counts (``weights``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from dashboard.metrics import stats
from dashboard.metrics.stats import Status


def kaplan_meier(durations: np.ndarray | list[float], events: np.ndarray | list[bool],
                 weights: np.ndarray | list[float] | None = None,
                 alpha: float = 0.05) -> pd.DataFrame:
    """The Kaplan–Meier curve with its log–log Greenwood band.

    ``durations`` are follow-up times, ``events`` True where the time is an event (False:
    censored), ``weights`` the number of subjects each row stands for (default 1). Returns one
    row per time of the timeline (0 and every distinct duration, ascending) with columns
    ``time, at_risk, events, censored, survival, variance, ci_low, ci_high`` where ``variance``
    is Greenwood's cumulative sum Σ d / (n (n − d)).
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=float)
    if not (t.shape == e.shape == w.shape):
        raise ValueError("durations, events and weights must have the same length")
    if t.size and (t.min() < 0 or np.isnan(t).any()):
        raise ValueError("durations must be non-negative numbers")
    times = np.unique(np.concatenate([[0.0], t]))
    idx = np.searchsorted(times, t)
    d = np.bincount(idx, weights=w * e, minlength=times.size)
    c = np.bincount(idx, weights=w * ~e, minlength=times.size)
    removed = d + c
    # at risk at time t_i: everyone whose duration is >= t_i
    n = w.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - d / n, 1.0)
        term = np.where((n > d) & (n > 0), d / (n * (n - d)), 0.0)
    surv = np.cumprod(factor)
    var = np.cumsum(term)
    lo, hi = _loglog_band(surv, var, alpha)
    return pd.DataFrame({"time": times, "at_risk": n, "events": d, "censored": c,
                         "survival": surv, "variance": var, "ci_low": lo, "ci_high": hi})


def _loglog_band(surv: np.ndarray, var: np.ndarray, alpha: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Exponential-Greenwood bounds; 1 where Ŝ = 1 and 0 where Ŝ = 0 (as lifelines)."""
    z = float(sps.norm.ppf(1 - alpha / 2))
    lo = np.where(surv >= 1.0, 1.0, 0.0)
    hi = lo.copy()
    inner = (surv > 0) & (surv < 1)
    v = np.log(surv[inner])
    half = z * np.sqrt(var[inner]) / v
    lo[inner] = np.exp(-np.exp(np.log(-v) - half))
    hi[inner] = np.exp(-np.exp(np.log(-v) + half))
    return lo, hi


def survival_at(curve: pd.DataFrame, time: float) -> tuple[float, float, float]:
    """(Ŝ, lower, upper) at ``time``: the step value of the last timeline point ≤ time."""
    pos = int(np.searchsorted(curve["time"].to_numpy(), time, side="right")) - 1
    row = curve.iloc[max(pos, 0)]
    return float(row["survival"]), float(row["ci_low"]), float(row["ci_high"])


def restricted_mean(curve: pd.DataFrame, horizon: float) -> float:
    """Restricted mean survival time ∫₀^τ Ŝ(t) dt of a step curve (Irwin 1949): the mean
    time survived within the horizon τ, as lifelines' ``restricted_mean_survival_time``."""
    t = curve["time"].to_numpy()
    s = curve["survival"].to_numpy()
    keep = t < horizon
    edges = np.append(t[keep], horizon)
    return float(np.sum(np.diff(edges) * s[keep]))


@dataclass(frozen=True)
class SurvivalGroup:
    """One group's Kaplan–Meier curve, its size and base status (withheld below MIN_BASE)."""

    name: str
    label: str
    n: int
    events: int
    status: Status
    curve: pd.DataFrame

    @property
    def shown(self) -> bool:
        """True when the curve may be drawn."""
        return self.status != "withheld"

    def at(self, time: float) -> tuple[float, float, float] | None:
        """(Ŝ, lower, upper) at ``time``, None when withheld."""
        return survival_at(self.curve, time) if self.shown else None


def fit_groups(counts: pd.DataFrame, labels: dict[str, str]) -> tuple[SurvivalGroup, ...]:
    """One curve per group from aggregated rows (group_name, duration_weeks, is_churned,
    customer_count), in the order of ``labels``; groups absent from the data get n = 0."""
    out = []
    for name, label in labels.items():
        part = counts[counts["group_name"] == name]
        n = int(part["customer_count"].sum())
        ev = int(part.loc[part["is_churned"].astype(bool), "customer_count"].sum())
        curve = kaplan_meier(part["duration_weeks"].to_numpy(float),
                             part["is_churned"].to_numpy(bool),
                             part["customer_count"].to_numpy(float))
        out.append(SurvivalGroup(name, label, n, ev, stats.base_status(n), curve))
    return tuple(out)
