"""The week's operations in the demo world: contacts, complaints, surveys and spend.

Everything follows from the perceived experience (the latent experience plus the incident's
outage in its region and weeks):

- contacts are Poisson, more of them the worse the experience (rate * exp(-slope * e)), and
  unresolved contacts come back the next week; each is resolved on first contact with its
  channel's FCR plus the agent's skill (the programme adds its uplift in its segment);
- complaints follow unresolved contacts and bad experience:
  P(complaint) = logistic(k0 + k1 * unresolved + k2 * -e), with severity an ordered logit on -e;
- surveys answer with an ordered logit on the experience, and extremes respond more often
  (non-response bias): relationship NPS for a random slice, CSAT / CES after contacts;
- subscriptions are charged every 4 weeks, and device / add-on purchases rise with experience.
"""

from __future__ import annotations

import math

import numpy as np

from dashboard.intake.demo.draws import logistic, ordered, pick, pick_rows, response_propensity
from dashboard.intake.demo.params import migration_vector, purchase_season, ramp_share, seasonality
from dashboard.intake.demo.phrases import (
    CATEGORY_THEME,
    NPS_THEME_MIX,
    REASON_THEME,
    T_APP,
    T_NETWORK,
    T_STORE,
    T_TECHNICIAN,
    draw_comments,
)
from dashboard.intake.demo.population import Population
from dashboard.intake.demo.vocab import (
    BUSINESS,
    CATEGORY_BY_REASON,
    CES,
    CHANNEL_COMPLAINT_CHANNEL,
    CHANNEL_TOUCHPOINT,
    COMPLAINT_FIRST_RESPONSE_FACTOR,
    CSAT,
    DAY_US,
    DELIVERY_CHANNEL,
    HANDLE_MEDIAN_SECONDS,
    HOUR_US,
    INCIDENT_REASON_SHARES,
    NETWORK,
    NEVER_US,
    PHONE,
    PRODUCT_MEDIAN_PRICE,
    PRODUCT_SHARES,
    REASON_STAGE,
    SELF_SERVICE,
    STORE,
    TECHNICAL,
)


class Operations(Population):
    """The customer base with the events of one week drawn from its perceived experience."""

    def _channel_mix(self, t: int) -> np.ndarray:
        """Contact channel shares in week t (self-service ramps up after launch)."""
        mix = np.asarray(self.p.channel_mix_before_launch, dtype=np.float64)
        mix = mix / mix.sum()
        r = ramp_share(t - self.t_launch, self.p.self_service_ramp_weeks)
        return mix + r * self.migration * migration_vector(self.p)

    def _contacts(self, t: int, t0: int, elig: np.ndarray, perceived: np.ndarray,
                  in_inc: np.ndarray, inc_on: bool,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Contacts of the week: counts, channels, reasons, agents, first-contact resolution.

        Returns resolved / unresolved counts per customer (actual and without the programme)
        and, per customer, a representative contact for complaints."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        seg = s["seg"][:n]
        season = seasonality(self.start_day + 7 * t, p.contact_seasonality_amplitude,
                             p.contact_seasonality_peak_day)
        lam = (np.asarray(p.contact_rate_segment)[seg] * season
               * np.exp(-p.contact_experience_slope * perceived)
               * np.where(in_inc, p.incident_contact_multiplier, 1.0)
               + p.repeat_contacts_per_unresolved * s["unres"][:n])
        lam = np.where(elig, lam, 0.0)
        mix = self._channel_mix(t)
        self.expected_cost[t] = float(lam.sum()) * float(mix @ np.asarray(p.cost_per_contact))
        nc = rng.poisson(lam)
        who = np.flatnonzero(nc)
        cnt = nc[who]
        cust = np.repeat(who, cnt)
        k = len(cust)
        ch = pick(rng, mix, k)
        reason = pick(rng, p.reason_shares, k)
        inc_rows = in_inc[cust]
        if inc_on and inc_rows.any():
            reason[inc_rows] = pick(rng, INCIDENT_REASON_SHARES, int(inc_rows.sum()))
        chi = ch.astype(np.int64)
        local = rng.integers(0, np.maximum(self.agent_count[chi], 1))
        agent = self.agent_offset[chi] + local
        st = s["store"][cust]
        is_store = ch == STORE
        agent[is_store] = (self.agent_offset[STORE] + st[is_store] * self.staff_per_store
                           + local[is_store] % self.staff_per_store)
        no_agent = ch == SELF_SERVICE
        fcr = np.asarray(p.fcr_by_channel)[chi] + np.where(no_agent, 0.0,
                                                          self.agent_skill[agent])
        uplift = np.zeros(k)
        if t >= self.t_programme:
            uplift = np.where(seg[cust] == self.prog_segment, p.programme_fcr_uplift_pp / 100, 0)
        fcr = fcr - np.where(inc_rows & (reason == TECHNICAL), p.incident_fcr_penalty, 0.0)
        u = rng.random(k)
        res = u < fcr + uplift
        res_cf = u < fcr
        handle = np.maximum(
            20, HANDLE_MEDIAN_SECONDS[chi] * np.exp(rng.normal(0, 0.5, k))
            * np.where(res, 1.0, 1.25)).astype(np.int64)
        ts = self._week_times(t0, k)
        n_res = np.bincount(cust[res], minlength=n).astype(np.float64)
        n_res_cf = np.bincount(cust[res_cf], minlength=n).astype(np.float64)
        n_unres = nc - n_res
        n_unres_cf = nc - n_res_cf
        # a representative contact per customer (the first drawn: time order is random)
        first = np.full(n, -1, dtype=np.int64)
        first[who] = np.cumsum(cnt) - cnt
        self.contacts_region[t] = np.bincount(s["reg"][cust], minlength=5)

        # post-contact CSAT / CES
        self._contact_surveys(t0, cust, ch, reason, res, agent, ts, perceived)

        order = np.argsort(ts, kind="stable")
        self.contacts.add(cust=cust[order].astype(np.int32), ts=ts[order], ch=ch[order],
                          reason=reason[order], handle=handle[order].astype(np.int32),
                          res=res[order], agent=agent[order].astype(np.int32),
                          no_agent=no_agent[order])
        last = {"first": first, "ts": ts, "ch": ch, "reason": reason, "count": nc}
        return n_res, n_unres, n_res_cf, n_unres_cf, last

    def _contact_surveys(self, t0: int, cust: np.ndarray, ch: np.ndarray,
                         reason: np.ndarray, res: np.ndarray, agent: np.ndarray, ts: np.ndarray,
                         perceived: np.ndarray) -> None:
        """CSAT / CES answers after contacts (resolution and channel matter)."""
        p, rng, s = self.p, self.rng, self.s
        k = len(cust)
        invite_rate = p.contact_survey_invite_rate * np.where(
            ch == SELF_SERVICE, p.self_service_survey_invite_factor, 1.0)
        inv = rng.random(k) < invite_rate
        kind = np.where(rng.random(k) < np.where(ch == SELF_SERVICE, p.self_service_csat_share,
                                                   p.contact_survey_csat_share), CSAT, CES)
        exp_c = perceived[cust]
        resp = response_propensity(exp_c, p.experience_reference_mean,
                                   p.contact_response_logit_intercept,
                                   p.contact_response_logit_extremity)
        r = np.flatnonzero(inv & (rng.random(k) < resp))
        m = len(r)
        if m == 0:
            return
        kind, chr_ = kind[r].astype(np.int8), ch[r].astype(np.int64)
        resolved = res[r].astype(np.float64) - p.resolution_reference
        lat_csat = exp_c[r] + p.csat_resolution_effect * resolved
        lat_ces = (p.ces_experience_weight * exp_c[r] + p.ces_resolution_effect * resolved
                   + np.asarray(p.ces_channel_ease)[chr_])
        score_csat = ordered(lat_csat, self.csat_cuts, p.csat_response_noise, rng, 1)
        score_ces = ordered(lat_ces, self.ces_cuts, p.ces_response_noise, rng, 1)
        score = np.where(kind == CSAT, score_csat, score_ces)
        delay = (rng.lognormal(math.log(p.survey_delay_median_hours), 1.0, m)
                 * HOUR_US).astype(np.int64)
        at = self._before(ts[r], delay, t0 + 7 * DAY_US)
        c = cust[r]
        tenure_weeks = (t0 // DAY_US - s["signup_day"][c]) / 7
        stage = REASON_STAGE[reason[r]].astype(np.int8)
        stage[tenure_weeks < 8] = 0
        touch = CHANNEL_TOUCHPOINT[chr_].astype(np.int8)
        touch[(chr_ == SELF_SERVICE) & (rng.random(m) < 0.4)] = 1
        tech = (chr_ == PHONE) & (reason[r] == TECHNICAL) & (rng.random(m) < 0.25)
        touch[tech] = 4
        theme = REASON_THEME[reason[r]].astype(np.int8)
        theme[chr_ == SELF_SERVICE] = T_APP
        theme[chr_ == STORE] = T_STORE
        theme[tech] = T_TECHNICIAN
        sentiment = np.digitize(score, [4, 6]).astype(np.int8)  # 1-3 / 4-5 / 6-7
        expect = np.full(m, -1, dtype=np.int16)
        has_exp = (kind == CSAT) & (rng.random(m) < p.expectation_share_csat)
        raw_exp = (p.expectation_base + p.expectation_plan_step * s["plan"][c]
                   + p.expectation_business_shift * (s["seg"][c] == BUSINESS)
                   + rng.normal(0, p.expectation_sd, m))
        expect[has_exp] = np.clip(np.rint(raw_exp[has_exp]), 1, 7).astype(np.int16)
        self._add_surveys(c, at, kind, score, stage, touch, chr_.astype(np.int8), agent[r],
                          ch[r] == SELF_SERVICE, np.where(ch[r] == STORE, s["store"][c], -1),
                          expect, theme, sentiment)

    def _add_surveys(self, cust: np.ndarray, at: np.ndarray, kind: np.ndarray,
                     score: np.ndarray, stage: np.ndarray, touch: np.ndarray,
                     channel: np.ndarray, agent: np.ndarray, no_agent: np.ndarray,
                     store: np.ndarray, expect: np.ndarray, theme: np.ndarray,
                     sentiment: np.ndarray) -> None:
        """Record responses; channel codes: contact channels 0-5, NPS delivery 6-8."""
        comment = draw_comments(self.rng, theme, sentiment, self.p.comment_share)
        self.surveys.add(cust=cust.astype(np.int32), at=at, kind=kind, score=score,
                         stage=stage, touch=touch, channel=channel,
                         agent=np.where(no_agent, -1, agent).astype(np.int32),
                         store=store.astype(np.int32), expect=expect,
                         comment=comment)

    def _complaints(self, t: int, t0: int, t1: int, elig: np.ndarray, perceived: np.ndarray,
                    in_inc: np.ndarray, n_unres: np.ndarray,
                    last: dict[str, np.ndarray]) -> np.ndarray:
        """Complaints of the week with timings; returns who had a fast resolution."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        logit = (p.complaint_logit_intercept + p.complaint_logit_unresolved * n_unres
                 - p.complaint_logit_experience * perceived
                 + np.where(in_inc, p.incident_complaint_logit, 0.0))
        who = np.flatnonzero(elig & (rng.random(n) < logistic(logit)))
        k = len(who)
        fast = np.zeros(n, dtype=bool)
        if k == 0:
            return fast
        self.complaints_region[t] = np.bincount(s["reg"][who], minlength=5)
        pos = last["first"][who]
        had = pos >= 0
        pc = np.where(had, pos, 0)
        opened = self._week_times(t0, k)
        delay = (rng.exponential(3.0, k) * HOUR_US).astype(np.int64)
        opened[had] = self._before(last["ts"][pc[had]], delay[had], t1)
        channel = pick(rng, (0.45, 0.10, 0.25, 0.10, 0.05, 0.05), k)
        channel[had] = CHANNEL_COMPLAINT_CHANNEL[last["ch"][pc[had]]]
        row = np.where(had, last["reason"][pc], 6)
        category = pick_rows(rng, CATEGORY_BY_REASON[row])
        inc = in_inc[who]
        network = inc & (rng.random(k) < 0.75)
        category[network] = NETWORK
        sev_latent = (-p.severity_experience_slope * perceived[who]
                      + p.severity_incident_shift * inc
                      + np.log(1 / np.clip(rng.random(k), 1e-12, 1) - 1) * -0.6)
        severity = np.searchsorted(p.severity_cuts, sev_latent).astype(np.int8)
        fr_h = (p.complaint_first_response_median_hours
                * COMPLAINT_FIRST_RESPONSE_FACTOR[channel]
                * np.exp(rng.normal(0, 0.9, k)))
        fr_missing = rng.random(k) < p.complaint_first_response_missing_share
        sev_factor = np.array([0.8, 1.0, 1.5, 1.2])[severity]
        res_h = (p.complaint_resolution_median_hours * sev_factor
                 * np.exp(rng.normal(0, p.complaint_resolution_sdlog, k)))
        res_h = np.where(fr_missing, res_h, np.maximum(res_h, fr_h + 0.5))
        never = rng.random(k) < p.complaint_never_resolved_share
        first_us = opened + (fr_h * HOUR_US).astype(np.int64)
        resolved_us = np.where(never, NEVER_US, opened + (res_h * HOUR_US).astype(np.int64))
        n_contacts = np.where(had, last["count"][who], 1)
        extra = rng.poisson(np.where(never, 1.5, 0.25 * res_h / 24))
        contacts_count = (n_contacts + extra).astype(np.int16)
        rfc = (~never) & (contacts_count == 1) & (res_h <= 24)
        comp_share = np.asarray(p.compensation_share_by_severity)[severity]
        comp_median = np.asarray(p.compensation_median_by_severity)[severity]
        pays = rng.random(k) < comp_share
        amount = np.where(pays, np.round(comp_median * np.exp(rng.normal(0, 0.5, k)), 2), 0.0)
        ou = s["open_until"]
        ou[who] = np.maximum(ou[who], resolved_us)
        fast[who] = (~never) & (res_h <= p.fast_resolution_hours)
        s["last_category"][who] = category
        self.complaints.add(cust=who.astype(np.int32), opened=opened, first=first_us,
                            fr_missing=fr_missing, resolved=resolved_us, channel=channel,
                            category=category, severity=severity, contacts=contacts_count,
                            rfc=rfc, amount=amount)
        return fast

    def _nps(self, t: int, monday: int, elig: np.ndarray, perceived: np.ndarray) -> None:
        """Relationship NPS: a random slice is invited, extremes answer more often."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        inv = elig & (rng.random(n) < p.nps_invite_rate)
        resp = response_propensity(perceived, p.experience_reference_mean,
                                   p.response_logit_intercept, p.response_logit_extremity)
        who = np.flatnonzero(inv & (rng.random(n) < resp))
        m = len(who)
        score = ordered(perceived[who], self.nps_cuts, p.nps_response_noise, rng, 0)
        at = self._week_times(monday * DAY_US, m)
        tenure_weeks = (monday - s["signup_day"][who]) // 7
        stage = np.full(m, 1, dtype=np.int8)
        stage[tenure_weeks % 52 >= 48] = 4
        stage[tenure_weeks < 13] = 0
        sentiment = np.digitize(score, [7, 9]).astype(np.int8)  # 0-6 / 7-8 / 9-10
        theme = pick_rows(rng, NPS_THEME_MIX[sentiment])
        open_c = s["open_until"][who] > monday * DAY_US
        # the open complaint or the incident is what people write about
        about = open_c & (rng.random(m) < 0.6)
        theme[about] = CATEGORY_THEME[s["last_category"][who[about]]]
        inc_recent = (self.t_incident <= t < self.t_incident + self.p.incident_weeks + 4)
        if inc_recent:
            net = (s["reg"][who] == self.inc_region) & (sentiment == 0) & (rng.random(m) < 0.7)
            theme[net] = T_NETWORK
        touch = np.array([0, 1, 3])[s["touch"][who]].astype(np.int8)
        self._add_surveys(who, at, np.zeros(m, dtype=np.int8), score, stage, touch,
                          DELIVERY_CHANNEL[s["delivery"][who]], np.full(m, -1),
                          np.ones(m, dtype=bool), np.full(m, -1), np.full(m, -1, np.int16),
                          theme, sentiment)

    def _spend(self, t: int, monday: int, t1: int, elig: np.ndarray,
               perceived: np.ndarray) -> None:
        """Subscription charges every 4 weeks and purchases that respond to experience."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        # subscription charges every 4 weeks, on the customer's billing day
        bill = np.flatnonzero(elig & ((t % 4 + s["bill_phase"][:n]) % 4 == 0))
        m = len(bill)
        plan, seg = s["plan"][bill], s["seg"][bill]
        price = np.asarray(p.price_by_plan)[plan] * np.asarray(p.price_segment_multiplier)[seg]
        over = rng.random(m) < p.overage_share
        price = price + np.where(over, rng.gamma(2.0, 4.0, m), 0.0)
        ts = ((monday + s["bill_dow"][bill].astype(np.int64)) * DAY_US
              + rng.integers(2 * 3600, 6 * 3600, m) * 1_000_000)
        self.transactions.add(cust=bill.astype(np.int32), ts=ts, amount=np.round(price, 2),
                              product=plan.astype(np.int8), channel=s["pay"][bill].copy(),
                              kind=np.full(m, 1, dtype=np.int8))
        # devices and add-ons: spend responds to experience, with a Q4 peak
        lam = (np.asarray(p.purchase_rate_segment)[s["seg"][:n]]
               * purchase_season(monday, p)
               * np.exp(p.purchase_experience_slope * perceived))
        k = rng.poisson(np.where(elig, lam, 0.0))
        who = np.repeat(np.flatnonzero(k), k[k > 0])
        self._purchases(who, self._week_times(monday * DAY_US, len(who)), t1, at_signup=False)

    def _purchases(self, who: np.ndarray, ts: np.ndarray, t1: int, at_signup: bool) -> None:
        """Device / add-on purchases at the given times, and a few refunds."""
        p, rng = self.p, self.rng
        m = len(who)
        if m == 0:
            return
        if at_signup:
            product = pick(rng, (0.75, 0.05, 0.20, 0, 0, 0, 0), m)
        else:
            product = pick(rng, PRODUCT_SHARES, m)
        amount = np.round(PRODUCT_MEDIAN_PRICE[product] * np.exp(rng.normal(0, 0.35, m)), 2)
        channel = pick(rng, (0.35, 0.20, 0.35, 0.10), m) + 3
        if at_signup:
            channel[:] = np.where(self.s["acq"][who] == 4, 5, 3)
        refund = rng.random(m) < p.refund_share
        r = np.flatnonzero(refund)
        r_ts = self._before(ts[r], (rng.exponential(48.0, len(r)) * HOUR_US).astype(np.int64),
                            t1)
        r_amount = -np.where(rng.random(len(r)) < p.refund_partial_share,
                             np.round(amount[r] / 2, 2), amount[r])
        self.transactions.add(
            cust=np.concatenate([who, who[r]]).astype(np.int32),
            ts=np.concatenate([ts, r_ts]),
            amount=np.concatenate([amount, r_amount]),
            product=np.concatenate([product, product[r]]).astype(np.int8) + 3,
            channel=np.concatenate([channel, channel[r]]).astype(np.int8),
            kind=np.concatenate([np.zeros(m, np.int8), np.full(len(r), 2, np.int8)]))
