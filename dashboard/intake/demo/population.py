"""The demo world's customer base: set-up, per-customer state, new customers, event buffers.

``Population`` holds what the weekly step reads and writes: the planted event weeks of the
window, the ordered-logit cut points, agent pools and stores, one state array per attribute
(segment, region, plan, latent quality ``q``, latent experience ``e`` and its no-programme twin
``ecf``, open complaints, billing day, ...), the buffers the week's events are appended to and
the per-week tallies of latent truth the truth tables are computed from. The base at the
window start is seeded near its steady state (see ``seed_existing_base``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dashboard.intake.demo.draws import pick, pick_rows, thresholds
from dashboard.intake.demo.params import WorldParams, migration_share
from dashboard.intake.demo.vocab import (
    BUSINESS,
    DAY_US,
    REGIONS,
    SEGMENTS,
    SELF_SERVICE,
    STORE,
    WEEKDAY_SHARES,
)
from dashboard.warehouse.weeks import week_label

Progress = Callable[[str], None]


@dataclass
class Frames:
    """Per-week event arrays, concatenated once at the end."""

    parts: dict[str, list[np.ndarray]]

    def add(self, **cols: np.ndarray) -> None:
        """Append one batch of columns."""
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(v)

    def mark(self) -> int:
        """How many parts were added so far (to sort what a week adds)."""
        return len(next(iter(self.parts.values()), []))

    def sort_since(self, mark: int, key: str) -> None:
        """Merge the parts added since ``mark`` into one, sorted by column ``key``."""
        if self.mark() - mark < 1:
            return
        order = np.argsort(np.concatenate(self.parts[key][mark:]), kind="stable")
        for parts in self.parts.values():
            merged = np.concatenate(parts[mark:])[order]
            del parts[mark:]
            parts.append(merged)

    def pop(self, key: str) -> np.ndarray:
        """One column, concatenated; its parts are released."""
        parts = self.parts.pop(key, [])
        return np.concatenate(parts) if parts else np.empty(0)


class Population:
    """State of every customer of the window, with the set-up fixed for the whole run."""

    def __init__(self, p: WorldParams, customers: int, seed: int, start: date, weeks: int,
                 progress: Progress, structure_seed: int | None = None) -> None:
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.structure_seed = structure_seed
        self.weeks = weeks
        self.progress = progress
        self.start_day = (start - date(1970, 1, 1)).days
        self.end_us = (self.start_day + 7 * weeks) * DAY_US  # exclusive
        self.n0 = customers
        self.inc_region = REGIONS.index(p.incident_region)
        self.prog_segment = SEGMENTS.index(p.programme_segment)
        end_monday = start + timedelta(weeks=weeks - 1)
        self.t_incident = self._week_index(end_monday, p.incident_weeks_before_end)
        self.t_launch = self._week_index(end_monday, p.self_service_launch_weeks_before_end)
        self.t_programme = self._week_index(end_monday, p.programme_weeks_before_end)
        self.migration = migration_share(p, self.start_day + 7 * self.t_launch)
        self.nps_cuts, self.csat_cuts, self.ces_cuts = (
            thresholds(shares, p.experience_reference_mean, p.experience_reference_sd)
            for shares in (p.nps_cumulative_shares, p.csat_cumulative_shares,
                           p.ces_cumulative_shares))
        self.cat_mult = np.array([p.churn_ratio_detractor_promoter,
                                  p.churn_ratio_passive_promoter, 1.0])
        self.transient_sd = p.experience_noise_sd / math.sqrt(1 - p.experience_carryover_rho**2)
        self.plan_shares = np.array([p.plan_shares_mass, p.plan_shares_affluent,
                                     p.plan_shares_business])
        self._setup_agents_and_stores()
        self.cap = 0
        self.n = 0
        self.s: dict[str, np.ndarray] = {}
        self.contacts = Frames({})
        self.complaints = Frames({})
        self.surveys = Frames({})
        self.transactions = Frames({})
        # latent truth, per week
        self.latent_counts = np.zeros((weeks, len(REGIONS), len(SEGMENTS), 3), dtype=np.int64)
        self.latent_cf_counts = np.zeros((weeks, 3), dtype=np.int64)  # programme segment
        # expected category counts among respondents (response propensity x ordered logit)
        self.respondent_counts = np.zeros((weeks, len(REGIONS), len(SEGMENTS), 3))
        self.hazard_sum = np.zeros((weeks, len(SEGMENTS)))
        self.hazard_cf_sum = np.zeros(weeks)
        self.exposure = np.zeros((weeks, len(SEGMENTS)), dtype=np.int64)
        self.contacts_region = np.zeros((weeks, len(REGIONS)), dtype=np.int64)
        self.complaints_region = np.zeros((weeks, len(REGIONS)), dtype=np.int64)
        self.active_region = np.zeros((weeks, len(REGIONS)), dtype=np.int64)
        self.expected_cost = np.zeros(weeks)  # expected contact cost from the contact rates
        self.active_start = np.zeros(weeks, dtype=np.int64)

    def _week_index(self, end_monday: date, weeks_before_end: int) -> int:
        """Window index of the week ``weeks_before_end`` before the end week (may be < 0)."""
        monday = end_monday - timedelta(weeks=weeks_before_end)
        return ((monday - date(1970, 1, 1)).days - self.start_day) // 7

    def week_label(self, t: int) -> str:
        """``YYYY-Www`` of window week t."""
        return week_label(date(1970, 1, 1) + timedelta(days=self.start_day + 7 * t))

    # -- set-up --

    def _setup_agents_and_stores(self) -> None:
        """Agent pools per assisted channel (with FCR skill) and stores per region.

        The agents' skills are the world's only random set-up (fixed for the whole run); with a
        ``structure_seed`` they come from that seed, so worlds of different ``seed`` can share
        one set-up and differ only in their customers and what those do.
        """
        p, rng = self.p, self.rng
        weekly = self.n0 * float(np.dot(p.segment_shares, p.contact_rate_segment)) * 1.3
        mix = np.asarray(p.channel_mix_before_launch)
        counts = np.maximum(3, np.ceil(weekly * mix / p.contacts_per_agent_week)).astype(int)
        counts[SELF_SERVICE] = 0
        counts[STORE] = 0
        self.stores_per_region = np.maximum(
            2, np.round(self.n0 * np.asarray(p.region_shares) / p.customers_per_store)
        ).astype(int)
        self.store_offset = np.concatenate([[0], np.cumsum(self.stores_per_region)[:-1]])
        n_stores = int(self.stores_per_region.sum())
        self.staff_per_store = 3
        counts[STORE] = n_stores * self.staff_per_store
        self.agent_count = counts
        self.agent_offset = np.concatenate([[0], np.cumsum(counts)[:-1]])
        n_agents = int(counts.sum())
        skill = rng.normal(0, p.agent_fcr_sd, n_agents)
        if self.structure_seed is not None:  # the set-up from its own seed, behaviour from seed
            skill = np.random.default_rng(self.structure_seed).normal(0, p.agent_fcr_sd, n_agents)
        self.agent_skill = np.clip(skill, -0.12, 0.12)

    def _grow(self, extra: int) -> None:
        """Make room in the state arrays for ``extra`` more customers."""
        need = self.n + extra
        if need <= self.cap:
            return
        cap = max(need, int(self.cap * 1.5), self.n0 + int(self.n0 * self.weeks * 0.0075) + 256)
        spec = {
            "seg": np.int8, "reg": np.int8, "plan": np.int8, "acq": np.int8, "q": np.float64,
            "e": np.float64, "ecf": np.float64, "signup_day": np.int32, "churn_day": np.int32,
            "active": np.bool_, "join_week": np.int32, "unres": np.float64,
            "open_until": np.int64, "bill_phase": np.int8, "bill_dow": np.int8,
            "pay": np.int8, "store": np.int32, "touch": np.int8, "delivery": np.int8,
            "last_category": np.int8,
        }
        for k, dt in spec.items():
            arr = np.zeros(cap, dtype=dt)
            if k in self.s:
                arr[: self.n] = self.s[k][: self.n]
            self.s[k] = arr
        self.cap = cap

    def _draw(self, k: int) -> dict[str, np.ndarray]:
        """Attributes and latent quality of k new customers."""
        p, rng = self.p, self.rng
        seg = pick(rng, p.segment_shares, k)
        reg = pick(rng, p.region_shares, k)
        plan = pick_rows(rng, self.plan_shares[seg])
        q = (np.asarray(p.quality_mean_segment)[seg] + np.asarray(p.quality_plan_effect)[plan]
             + rng.normal(0, p.quality_sd, k))
        return {"seg": seg, "reg": reg, "plan": plan, "q": q,
                "acq": pick(rng, p.acquisition_shares, k)}

    def _base_hazard(self, seg: np.ndarray, plan: np.ndarray) -> np.ndarray:
        """Weekly churn hazard of a promoter without open complaint (segment x plan)."""
        p = self.p
        return (np.asarray(p.churn_base_hazard_segment)[seg]
                * np.asarray(p.churn_plan_multiplier)[plan])

    def add_customers(self, a: dict[str, np.ndarray], signup_day: np.ndarray,
                      join_week: int) -> np.ndarray:
        """Append customers with attributes ``a``; return their indices."""
        rng = self.rng
        k = len(a["seg"])
        self._grow(k)
        i = np.arange(self.n, self.n + k)
        s = self.s
        seg, reg = a["seg"], a["reg"]
        for key in ("seg", "reg", "plan", "acq", "q"):
            s[key][i] = a[key]
        s["e"][i] = a["q"] + rng.normal(0, self.transient_sd, k)
        s["ecf"][i] = s["e"][i]
        s["signup_day"][i] = signup_day
        s["churn_day"][i] = -1
        s["active"][i] = True
        s["join_week"][i] = join_week
        s["unres"][i] = 0
        s["open_until"][i] = 0
        s["last_category"][i] = 0
        s["bill_phase"][i] = rng.integers(0, 4, k)
        s["bill_dow"][i] = rng.integers(0, 7, k)
        pay = pick(rng, (0.70, 0.25, 0.05), k)
        pay[(seg == BUSINESS) & (rng.random(k) < 0.6)] = 2  # business lines often pay by invoice
        s["pay"][i] = pay
        local = rng.integers(0, self.stores_per_region[reg])
        s["store"][i] = self.store_offset[reg] + local
        s["touch"][i] = pick(rng, (0.45, 0.35, 0.20), k)  # app, web, store
        s["delivery"][i] = pick(rng, (0.55, 0.20, 0.25), k)  # email, sms, app
        self.n += k
        return i

    def seed_existing_base(self) -> None:
        """The base active at the window start: survivors of earlier signups.

        Candidates are signed up uniformly over the prior years and kept with their survival
        probability exp(-hazard * tenure), so the base starts near the steady state in which
        low-quality customers have already left more often (no drift from selection).
        """
        p, rng = self.p, self.rng
        max_weeks = p.existing_tenure_max_years * 52.18
        kept: list[dict[str, np.ndarray]] = []
        tenure: list[np.ndarray] = []
        need = self.n0
        while need > 0:
            m = 3 * need + 1000
            a = self._draw(m)
            weeks = rng.uniform(0, max_weeks, m)
            h = self._base_hazard(a["seg"], a["plan"]) * self.cat_mult[self._category(a["q"])]
            keep = np.flatnonzero(rng.random(m) < np.exp(-h * weeks))[:need]
            kept.append({key: v[keep] for key, v in a.items()})
            tenure.append(weeks[keep])
            need -= len(keep)
        a = {key: np.concatenate([c[key] for c in kept]) for key in kept[0]}
        days = np.maximum(1, (np.concatenate(tenure) * 7).astype(np.int64))
        order = np.argsort(-days, kind="stable")  # customer ids follow signup order
        a = {key: v[order] for key, v in a.items()}
        self.add_customers(a, (self.start_day - days[order]).astype(np.int32), 0)

    # -- categories and times --

    def _category(self, latent: np.ndarray) -> np.ndarray:
        """Latent NPS category (no response noise): detractor 0, passive 1, promoter 2."""
        return ((latent > self.nps_cuts[6]).astype(np.int8)
                + (latent > self.nps_cuts[8]).astype(np.int8))

    def _daytime(self, k: int) -> np.ndarray:
        """Times of day (microseconds), busiest early afternoon."""
        sec = np.clip(self.rng.normal(13.5 * 3600, 3.5 * 3600, k), 0, 86_399.0)
        return (sec * 1e6).astype(np.int64)

    def _week_times(self, t0: int, k: int) -> np.ndarray:
        """Timestamps inside the week starting ``t0`` (weekdays busier)."""
        day = pick(self.rng, WEEKDAY_SHARES, k).astype(np.int64)
        return t0 + day * DAY_US + self._daytime(k)

    def _before(self, start: np.ndarray, delay: np.ndarray, t1: int) -> np.ndarray:
        """start + delay, re-drawn uniformly inside the week where it would spill over."""
        out = start + delay
        over = out >= t1
        room = (t1 - 1 - start[over]).astype(np.float64)
        out[over] = start[over] + (room * self.rng.random(int(over.sum()))).astype(np.int64)
        return out

