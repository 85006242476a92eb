"""Random draws and link functions of the demo world (vectorised over customers or events)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def response_propensity(latent: np.ndarray, centre: float, intercept: float,
                        extremity: float) -> np.ndarray:
    """P(answer a survey) = logistic(intercept + extremity * |latent - centre|).

    U-shaped in the experience: customers far from the centre, delighted or angry, answer more
    often than the indifferent middle (non-response bias).
    """
    return logistic(intercept + extremity * np.abs(latent - centre))


def pick(rng: np.random.Generator, probs: np.ndarray | tuple[float, ...], k: int) -> np.ndarray:
    """k draws from one categorical distribution, as int8 codes."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    cum /= cum[-1]
    return np.searchsorted(cum, rng.random(k), side="right").astype(np.int8)


def pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (k, m) matrix of categorical distributions, as int8 codes."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))[:, None]
    return np.minimum((u >= cum).sum(axis=1), probs.shape[1] - 1).astype(np.int8)


def thresholds(cumulative: tuple[float, ...], mean: float, sd: float) -> np.ndarray:
    """Ordered-logit cut points on the experience scale for target cumulative shares."""
    dist = NormalDist(mean, sd)
    return np.array([dist.inv_cdf(c) for c in cumulative])


def ordered(latent: np.ndarray, cuts: np.ndarray, noise: float, rng: np.random.Generator,
            low: int) -> np.ndarray:
    """Ordered-logit scores: ``low`` + number of cut points below latent + logistic noise."""
    u = rng.random(len(latent))
    u = np.clip(u, 1e-12, 1 - 1e-12)
    y = latent + noise * np.log(u / (1 - u))
    return (np.searchsorted(cuts, y, side="left") + low).astype(np.int8)

