"""The savings model of Cost to serve: windows, baselines, the self-service launch and the exact
split of a change in cost into effects.

A period's cost is customer-weeks × contacts per customer-week × Σ_c share_c × unit cost_c
(money is always contacts × the cost per contact in force that week). The change between a
baseline window and the current one is split into base-size, volume, channel-mix and unit-cost
effects by the Shapley value (Shapley 1953; as a decomposition, Shorrocks 2013): each effect is
the average, over every order of switching the factors from baseline to current, of the change
its own switch makes, so the effects add up exactly to the change. The baseline defaults to the
window before the self-service launch, which is found in the weekly self-service share of
contacts by one step of binary segmentation (Scott & Knott 1974).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

import numpy as np
import pandas as pd

from dashboard.analysis.cost_format import channel_label, money, pct
from dashboard.i18n import N_, _
from dashboard.metrics import display, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.warehouse import config
from dashboard.warehouse.catalog import Fetch

#: Weeks in each savings window (a quarter).
WINDOW_WEEKS = 13
#: Ways to express the savings waterfall: per 1,000 active customers a week, or window totals.
BASES: dict[str, str] = {
    "per_customer": N_("Per 1,000 active customers a week"),
    "total": N_("Total over the 13 weeks"),
}
#: Effects of the decomposition, in waterfall order, with their labels.
EFFECT_LABELS: dict[str, str] = {
    "base": N_("Base size"),
    "volume": N_("Contact volume"),
    "mix": N_("Channel mix"),
    "unit_cost": N_("Unit cost"),
}
#: Launch detection: the smallest rise of the self-service share that counts as a launch.
MIN_LAUNCH_JUMP = 0.05
#: Launch detection: the threshold sits this far from the pre-launch to the post-launch level …
LAUNCH_THRESHOLD_FRACTION = 0.10
#: … and at least this many robust standard deviations above the pre-launch level.
LAUNCH_THRESHOLD_SDS = 4.0
#: Launch detection needs at least this many weeks of history.
MIN_LAUNCH_WEEKS = 8
SELF_SERVICE = "self_service"


# --- the savings decomposition, exact by construction -----------------------------------------


@dataclass(frozen=True)
class PeriodMix:
    """One period's cost drivers: customer-weeks, contacts and unit cost per channel.

    cost = customer_weeks × volume × Σ_c share_c × unit_cost_c, with volume = contacts per
    customer-week and share_c = the channel's share of contacts.
    """

    channels: tuple[str, ...]
    customer_weeks: float
    contacts: tuple[float, ...]
    unit_cost: tuple[float, ...]

    @property
    def total_contacts(self) -> float:
        """All contacts of the period."""
        return float(sum(self.contacts))

    @property
    def volume(self) -> float:
        """Contacts per active customer-week."""
        return self.total_contacts / self.customer_weeks

    @property
    def shares(self) -> np.ndarray:
        """Each channel's share of contacts (zeros when there are no contacts)."""
        q = np.asarray(self.contacts, dtype=float)
        return q / q.sum() if q.sum() > 0 else np.zeros_like(q)

    @property
    def cost(self) -> float:
        """Total contact cost of the period."""
        return float(np.dot(self.contacts, self.unit_cost))

    @property
    def cost_per_customer_week(self) -> float:
        """Cost to serve per active customer-week."""
        return self.cost / self.customer_weeks


def shapley(value: Callable[[frozenset[str]], float], factors: Sequence[str]) -> dict[str, float]:
    """Shapley split of value(all factors) − value(none) among ``factors``.

    ``value(S)`` is the outcome with the factors in S at their current level and the others at
    baseline. Each factor gets the average, over every order of switching the factors from
    baseline to current, of the change its own switch makes; the parts add up exactly.
    """
    k = len(factors)
    cache: dict[frozenset[str], float] = {}

    def v(s: frozenset[str]) -> float:
        if s not in cache:
            cache[s] = float(value(s))
        return cache[s]

    out: dict[str, float] = {}
    for f in factors:
        others = [g for g in factors if g != f]
        total = 0.0
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in combinations(others, size):
                s = frozenset(subset)
                total += weight * (v(s | {f}) - v(s))
        out[f] = total
    return out


def decompose(baseline: PeriodMix, current: PeriodMix, basis: str = "per_customer"
              ) -> dict[str, float]:
    """Change in cost split into effects that add up exactly to the change (Shapley).

    ``per_customer``: cost per active customer-week = volume × Σ share × unit cost, split into
    volume, mix and unit_cost. ``total``: cost = customer-weeks × the same, split into base,
    volume, mix and unit_cost. Returns the effects in waterfall order.
    """
    if baseline.channels != current.channels:
        raise ValueError("both periods need the same channels in the same order")
    factors = ["volume", "mix", "unit_cost"]
    if basis == "total":
        factors.insert(0, "base")
    elif basis != "per_customer":
        raise ValueError(f"unknown basis {basis!r}: choose one of {', '.join(BASES)}")
    levels = {
        "base": (baseline.customer_weeks, current.customer_weeks),
        "volume": (baseline.volume, current.volume),
        "mix": (baseline.shares, current.shares),
        "unit_cost": (np.asarray(baseline.unit_cost, float), np.asarray(current.unit_cost, float)),
    }

    def value(switched: frozenset[str]) -> float:
        pick = {f: levels[f][1 if f in switched else 0] for f in factors}
        out = pick["volume"] * float(np.dot(pick["mix"], pick["unit_cost"]))
        return out * pick["base"] if basis == "total" else out

    return shapley(value, factors)


# --- self-service launch detection ------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    """A self-service launch found in the weekly self-service share of contacts."""

    week: str
    week_start: date
    change_week: str  # the least-squares change point of the share series
    pre_share: float  # robust (median) level before the change point, fraction
    post_share: float  # median level from the change point on, fraction
    threshold: float  # the launch week is the first week of the run above this share


def detect_launch(weeks: Sequence[date], self_service: Sequence[float],
                  contacts: Sequence[float]) -> Launch | None:
    """The first week of a lasting rise of the self-service share, or None.

    1. Share x_t = self-service contacts / all contacts per week (weeks without contacts skipped).
    2. Change point τ: the split of the series into two constant levels with the least squared
       error (one step of binary segmentation).
    3. Pre level = median before τ, noise = 1.4826 × MAD before τ, post level = median from τ.
       No launch unless the post level is at least ``MIN_LAUNCH_JUMP`` (5 points) higher.
    4. Threshold = pre level + max(10% of the rise, 4 robust SDs); the launch is the first week
       of the unbroken run of weeks above the threshold that contains τ (so a ramp counts from
       its first week, and an isolated earlier spike does not).
    """
    w = np.asarray(weeks)
    q = np.asarray(contacts, dtype=float)
    ss = np.asarray(self_service, dtype=float)
    keep = q > 0
    w, x = w[keep], ss[keep] / q[keep]
    n = len(x)
    if n < MIN_LAUNCH_WEEKS:
        return None
    csum, csq = np.cumsum(x), np.cumsum(x * x)
    best, tau = math.inf, -1
    for t in range(2, n - 1):  # at least two weeks on each side
        left = csq[t - 1] - csum[t - 1] ** 2 / t
        r_sum, r_sq = csum[-1] - csum[t - 1], csq[-1] - csq[t - 1]
        right = r_sq - r_sum**2 / (n - t)
        if left + right < best:
            best, tau = left + right, t
    if tau < 0:
        return None
    pre, post = x[:tau], x[tau:]
    level0, level1 = float(np.median(pre)), float(np.median(post))
    if level1 - level0 < MIN_LAUNCH_JUMP:
        return None
    noise = 1.4826 * float(np.median(np.abs(pre - level0)))
    threshold = level0 + max(LAUNCH_THRESHOLD_FRACTION * (level1 - level0),
                             LAUNCH_THRESHOLD_SDS * noise)
    i = tau
    if x[i] <= threshold:
        above = np.nonzero(x[tau:] > threshold)[0]
        if len(above) == 0:
            return None
        i = tau + int(above[0])
    else:
        while i > 0 and x[i - 1] > threshold:
            i -= 1
    start = pd.Timestamp(w[i]).date()
    return Launch(week_label(start), start, week_label(pd.Timestamp(w[tau]).date()),
                  level0, level1, threshold)


def launch_in(rows: pd.DataFrame) -> Launch | None:
    """The self-service launch in weekly channel rows (``cost_channel_weekly``), or None.

    The launch is a company event: pass the rows of all customers, up to the selected week.
    """
    weekly = weekly_totals(rows)
    ss = (rows[rows["channel"] == SELF_SERVICE].groupby("week_start")["contact_count"].sum()
          .reindex(weekly.index, fill_value=0))
    return detect_launch(list(weekly.index), ss.to_numpy(), weekly["contact_count"].to_numpy())


# --- windows and baselines --------------------------------------------------------------------


def weekly_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Per-week totals of the channel rows (the active base repeats on every channel row)."""
    g = df.groupby("week_start", sort=True)
    out = g[["contact_count", "repeat_count", "contact_cost", "contact_cost_var",
             "repeat_cost"]].sum()
    out["active_at_start"] = g["active_at_start"].first()
    return out


def period_mix(df: pd.DataFrame, weeks: Sequence[date], channels: Sequence[str]) -> PeriodMix:
    """The cost drivers of a window; a channel without contacts keeps its mean unit cost."""
    part = df[df["week_start"].isin(weeks)]
    g = part.groupby("channel")
    q = g["contact_count"].sum().reindex(channels, fill_value=0).astype(float)
    c = g["contact_cost"].sum().reindex(channels, fill_value=0.0).astype(float)
    mean_price = g["cost_per_contact"].mean().reindex(channels).astype(float)
    price = np.where(q > 0, c / q.where(q > 0, 1.0), mean_price.fillna(0.0))
    base = float(part.groupby("week_start")["active_at_start"].first().sum())
    return PeriodMix(tuple(channels), base, tuple(q.tolist()), tuple(float(p) for p in price))


def window_dates(end: date, weeks: int) -> list[date]:
    """The week starts of the window of ``weeks`` weeks ending with the week of ``end``."""
    return [end - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def baseline_choices(first_week: date, selected: date, window: int = WINDOW_WEEKS
                     ) -> tuple[str, ...]:
    """Weeks a baseline window may end on (newest first): full windows, before the current one."""
    latest = selected - timedelta(weeks=window)
    earliest = first_week + timedelta(weeks=window - 1)
    out = []
    wk = latest
    while wk >= earliest:
        out.append(week_label(wk))
        wk -= timedelta(weeks=1)
    return tuple(out)


def default_baseline(options: Sequence[str], selected: date, launch: Launch | None,
                     window: int = WINDOW_WEEKS) -> str | None:
    """The quarter before the detected launch when it fits, else the quarter before the
    current one, else None."""
    if launch is not None:
        pre = week_label(launch.week_start - timedelta(weeks=1))
        if pre in options:
            return pre
    prev = week_label(selected - timedelta(weeks=window))
    return prev if prev in options else (options[0] if options else None)


def baseline_label(week: str, window: int = WINDOW_WEEKS) -> str:
    """How a baseline choice reads in the picker: ``2025-W27 – 2025-W39``."""
    end = parse_week(week)
    return f"{week_label(end - timedelta(weeks=window - 1))} – {week}"


# --- the savings against a baseline -----------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    """The change in cost between the baseline and the current window, split into effects."""

    basis: str
    unit: str
    baseline_weeks: tuple[str, str]  # first and last ISO week of the window
    current_weeks: tuple[str, str]
    baseline_value: float
    current_value: float
    change: float
    change_pct: float
    ci_low: float
    ci_high: float
    effects: dict[str, float]
    n_baseline: int  # mean active customers in the window
    n_current: int
    channels: pd.DataFrame
    #: the channel table as numbers (its CSV and XLSX)
    channel_numbers: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def parts_sum(self) -> float:
        """The effects added up (equals ``change`` up to rounding)."""
        return float(sum(self.effects.values()))

    @property
    def largest_saving(self) -> str | None:
        """The effect that lowered cost most (None when none lowered it)."""
        neg = {k: v for k, v in self.effects.items() if v < 0}
        return min(neg, key=neg.get) if neg else None


@dataclass(frozen=True)
class Spread:
    """The customer-clustered variances of the change between two windows
    (``savings_customer_spread``): of the cost per customer-week and of the total cost."""

    per_customer_week: float
    total: float


def customer_spread(fetch: Fetch, filters: Filters, baseline_end: date, selected: date,
                    window: int = WINDOW_WEEKS, prices: Mapping[str, float] | None = None
                    ) -> Spread | None:
    """The variances of the change between the baseline window and the current one with
    customers as clusters, from each customer's contact cost and active weeks in both windows
    (the windows share customers, and a customer's contacts cluster across weeks). Contacts are
    priced at ``prices`` per channel, or at their own unit cost in force when None. None when a
    window has no customer-weeks."""
    base_weeks, cur_weeks = window_dates(baseline_end, window), window_dates(selected, window)
    channels = sorted(prices) if prices else []
    df = fetch("savings_customer_spread", base_start=base_weeks[0], base_end=base_weeks[-1],
               cur_start=cur_weeks[0], cur_end=cur_weeks[-1], channels=channels,
               prices=[float(prices[ch]) for ch in channels] if prices else [],
               **filters.customer_params())
    if df.empty or pd.isna(df["saving_var"].iloc[0]):
        return None
    return Spread(float(df["saving_var"].iloc[0]), float(df["change_var"].iloc[0]))


def compute_savings(df: pd.DataFrame, baseline_end: date, selected: date, window: int,
                    basis: str, sym: str, spread: Spread | None = None
                    ) -> tuple[Savings | None, str]:
    """The waterfall numbers, or None with the reason.

    The 95% interval of the change takes customers as clusters: ``spread``
    (``customer_spread``) gives the variance of the change per customer-week and of the
    total. Without it, each window's variance is the sum of its weeks' customer-clustered
    variances (``contact_cost_var``), which misses a customer's contacts recurring across
    the weeks of a window and the customers the two windows share.
    """
    channels = tuple(sorted(df["channel"].unique()))
    base_weeks, cur_weeks = window_dates(baseline_end, window), window_dates(selected, window)
    b, c = period_mix(df, base_weeks, channels), period_mix(df, cur_weeks, channels)
    nb, nc = round(b.customer_weeks / window), round(c.customer_weeks / window)
    if min(nb, nc) < config.MIN_BASE:
        return None, _("Savings withheld: insufficient base (mean active customers {baseline} in "
                       "the baseline and {now} now; at least {least} needed).",
                       baseline=display.number(nb, 0), now=display.number(nc, 0),
                       least=display.number(config.MIN_BASE, 0))
    if b.total_contacts == 0 or c.total_contacts == 0:
        return None, _("Savings withheld: a window has no contacts for these customers.")
    effects = decompose(b, c, basis)
    var_b = float(df.loc[df["week_start"].isin(base_weeks), "contact_cost_var"].sum())
    var_c = float(df.loc[df["week_start"].isin(cur_weeks), "contact_cost_var"].sum())
    if basis == "per_customer":
        scale_b, scale_c = 1000 / b.customer_weeks, 1000 / c.customer_weeks
        v0, v1 = b.cost * scale_b, c.cost * scale_c
        effects = {k: 1000 * v for k, v in effects.items()}
        unit = _("{currency} per 1,000 active customers a week", currency=sym)
    else:
        scale_b = scale_c = 1.0
        v0, v1 = b.cost, c.cost
        unit = _("{currency} over the {weeks} weeks", currency=sym,
                 weeks=display.number(window, 0))
    se = math.sqrt(var_b * scale_b**2 + var_c * scale_c**2)
    if spread is not None:
        se = math.sqrt(max(1e6 * spread.per_customer_week if basis == "per_customer"
                           else spread.total, 0.0))
    change = v1 - v0
    rows, nums = [], []
    for i, ch in enumerate(channels):
        nums.append({
            "channel": channel_label(ch),
            "contacts_per_1000_baseline": 1000 * b.contacts[i] / b.customer_weeks,
            "contacts_per_1000_now": 1000 * c.contacts[i] / c.customer_weeks,
            "share_baseline_pct": 100 * b.shares[i], "share_now_pct": 100 * c.shares[i],
            "unit_cost_baseline": b.unit_cost[i], "unit_cost_now": c.unit_cost[i],
        })
        rows.append({
            _("Channel"): channel_label(ch),
            _("Contacts per 1,000 customer-weeks (baseline)"):
                display.number(1000 * b.contacts[i] / b.customer_weeks, 1),
            _("Contacts per 1,000 customer-weeks (now)"):
                display.number(1000 * c.contacts[i] / c.customer_weeks, 1),
            _("Share (baseline)"): pct(100 * b.shares[i]),
            _("Share (now)"): pct(100 * c.shares[i]),
            _("Unit cost (baseline)"): money(b.unit_cost[i], sym),
            _("Unit cost (now)"): money(c.unit_cost[i], sym),
        })
    sav = Savings(
        basis=basis, unit=unit,
        baseline_weeks=(week_label(base_weeks[0]), week_label(base_weeks[-1])),
        current_weeks=(week_label(cur_weeks[0]), week_label(cur_weeks[-1])),
        baseline_value=v0, current_value=v1, change=change,
        change_pct=100 * change / v0 if v0 else float("nan"),
        ci_low=change - stats.Z95 * se, ci_high=change + stats.Z95 * se,
        effects=effects, n_baseline=nb, n_current=nc, channels=pd.DataFrame(rows),
        channel_numbers=pd.DataFrame(nums))
    return sav, ""
