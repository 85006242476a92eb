"""The demo world's weekly causal step: a structural causal model vectorised over customers.

Every customer has a latent quality ``q`` (segment and plan tier move it: the plan is a
confounder of experience and churn) and a latent experience ``e`` that carries over from week
to week::

    e[t+1] = rho * e[t] + (1 - rho) * q - d_unres * unresolved_contacts + d_res * resolved_contacts
             - d_open * has_open_complaint + d_fast * fast_complaint_resolution + incident + noise

Operations follow from the experience (see ``operations``). The weekly churn hazard multiplies a
segment baseline (and a plan factor and seasonality) by the customer's current latent NPS
category and whether a complaint is open::

    h = h0[segment] * plan * season * ratio[category] * (ratio_open if complaint open else 1)

Beside the observed events, each week records the latent truth the truth tables are computed
from: latent NPS categories by region and segment, the expected categories among respondents,
the churn hazards, and the same quantities for the programme segment without the programme
(the counterfactual experience ``ecf`` takes the same draws as ``e``, but its contacts are
resolved without the programme's FCR uplift).
"""

from __future__ import annotations

import numpy as np

from dashboard.intake.demo.draws import logistic, response_propensity
from dashboard.intake.demo.operations import Operations
from dashboard.intake.demo.params import seasonality
from dashboard.intake.demo.vocab import DAY_US


class World(Operations):
    """Every customer's state, the weekly causal step and the latent truth it records."""

    def step(self, t: int) -> None:
        """Simulate ISO week t: churn, contacts, complaints, surveys, spend, experience update."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        marks = (self.surveys.mark(), self.transactions.mark())
        monday = self.start_day + 7 * t
        t0 = monday * DAY_US
        t1 = t0 + 7 * DAY_US
        seg, reg, plan = s["seg"][:n], s["reg"][:n], s["plan"][:n]
        e, ecf = s["e"][:n], s["ecf"][:n]
        elig = s["active"][:n] & (s["join_week"][:n] <= t)
        self.active_start[t] = int(elig.sum())
        inc_on = self.t_incident <= t < self.t_incident + p.incident_weeks
        in_inc = (reg == self.inc_region) if inc_on else np.zeros(n, dtype=bool)
        outage = np.where(in_inc, p.incident_outage_effect, 0.0)
        perceived = e + outage
        perceived_cf = ecf + outage

        # churn at the start of the week: current latent NPS category and open complaint
        cat = self._category(perceived)
        open_now = s["open_until"][:n] > t0
        base = self._base_hazard(seg, plan) * seasonality(
            monday, p.churn_seasonality_amplitude, p.churn_seasonality_peak_day)
        comp = np.where(open_now, p.churn_ratio_unresolved_complaint, 1.0)
        hazard = base * self.cat_mult[cat] * comp
        churn = elig & (rng.random(n) < hazard)
        ci = np.flatnonzero(churn)
        s["churn_day"][ci] = monday + rng.integers(0, 7, len(ci))
        s["active"][ci] = False
        self.hazard_sum[t] = np.bincount(seg[elig], weights=hazard[elig], minlength=3)
        self.exposure[t] = np.bincount(seg[elig], minlength=3)
        prog = elig & (seg == self.prog_segment)
        cat_cf = self._category(perceived_cf)
        self.hazard_cf_sum[t] = float((base * self.cat_mult[cat_cf] * comp)[prog].sum())
        expected_churn = float(hazard[elig].sum())
        elig &= ~churn

        cell = (reg[elig].astype(np.int64) * 3 + seg[elig]) * 3 + cat[elig]
        self.latent_counts[t] = np.bincount(cell, minlength=45).reshape(5, 3, 3)
        self.latent_cf_counts[t] = np.bincount(cat_cf[elig & (seg == self.prog_segment)],
                                               minlength=3)
        self.active_region[t] = np.bincount(reg[elig], minlength=5)
        self._expected_respondents(t, cell // 3, elig, perceived)

        n_res, n_unres, n_res_cf, n_unres_cf, last = self._contacts(
            t, t0, elig, perceived, in_inc, inc_on)
        fast = self._complaints(t, t0, t1, elig, perceived, in_inc, n_unres, last)
        self._nps(t, monday, elig, perceived)
        self._spend(t, monday, t1, elig, perceived)

        # experience carries over; operations move it
        rho = p.experience_carryover_rho
        open_end = s["open_until"][:n] > t1
        common = ((1 - rho) * s["q"][:n]
                  - p.effect_open_complaint_per_week * open_end
                  + p.effect_fast_complaint_resolution * fast
                  + np.where(in_inc, p.incident_carryover_effect, 0.0)
                  + rng.normal(0, p.experience_noise_sd, n))

        def carried(x: np.ndarray, unresolved: np.ndarray, resolved: np.ndarray) -> np.ndarray:
            return (rho * x + common - p.effect_unresolved_contact * unresolved
                    + p.effect_resolved_contact * resolved)

        e[:] = carried(e, n_unres, n_res)
        ecf[:] = carried(ecf, n_unres_cf, n_res_cf)
        s["unres"][:n] = np.where(elig, n_unres, 0)

        # new signups replace the expected churn, so the active base stays level
        k = int(rng.poisson(expected_churn))
        if k:
            days = (monday + rng.integers(0, 7, k)).astype(np.int32)
            idx = self.add_customers(self._draw(k), days, t + 1)
            buy = idx[rng.random(k) < p.device_at_signup_share]
            ts = s["signup_day"][buy].astype(np.int64) * DAY_US + self._daytime(len(buy))
            self._purchases(buy, ts, t1, at_signup=True)
        self.surveys.sort_since(marks[0], "at")
        self.transactions.sort_since(marks[1], "ts")

    def _expected_respondents(self, t: int, cell: np.ndarray, elig: np.ndarray,
                              perceived: np.ndarray) -> None:
        """Expected NPS category counts among this week's respondents (what surveys measure)."""
        p = self.p
        x = perceived[elig]
        w = response_propensity(x, p.experience_reference_mean, p.response_logit_intercept,
                                p.response_logit_extremity)
        det = logistic((self.nps_cuts[6] - x) / p.nps_response_noise)
        pro = 1.0 - logistic((self.nps_cuts[8] - x) / p.nps_response_noise)
        out = np.stack([np.bincount(cell, weights=w * v, minlength=15)
                        for v in (det, 1.0 - det - pro, pro)], axis=-1)
        self.respondent_counts[t] = out.reshape(5, 3, 3)

