"""The demo world's truth tables: the parameters and the effects the simulation planted.

``truth_parameters`` lists every world parameter with its value and description, plus the
effects measured on the simulation's latent state; ``truth_events`` lists the four planted
events (regional incident, self-service launch, FCR programme, churn drivers) with their scope,
weeks and effect. Effects are computed from latent quantities, not from the noisy frames:

- NPS = 100 * (promoters - detractors) / all, over latent categories (every customer) or over
  the categories expected among respondents (response propensity times ordered-logit shares);
- the incident's effect is its weeks minus the 4 weeks before, in its region;
- the programme's effect compares its segment with the no-programme counterfactual, weeks 8-33
  after the start, and as a difference-in-differences against the other segments (those weeks
  minus the 26 weeks before);
- the cost-to-serve drop is the expected contact cost per active customer, the 13 weeks after
  the launch against the 13 before.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from dashboard.intake.demo.locales import EN, DemoLocale
from dashboard.intake.demo.params import describe
from dashboard.intake.demo.vocab import DETRACTOR, PROMOTER, SEGMENTS
from dashboard.intake.demo.world import World


def _nps_of(counts: np.ndarray) -> float:
    """NPS of category counts (detractor, passive, promoter) summed over leading axes."""
    c = counts.reshape(-1, 3).sum(axis=0).astype(np.float64)
    total = c.sum()
    return float("nan") if total == 0 else 100.0 * (c[PROMOTER] - c[DETRACTOR]) / total


@dataclass(frozen=True)
class Effects:
    """The planted effects as the simulation realised them, rounded as the tables show them."""

    incident_nps: float
    incident_respondent_nps: float
    incident_first_week_change: float
    contact_ratio: float
    complaint_ratio: float
    programme_nps: float
    programme_did: float
    programme_respondent_did: float
    programme_churn: float
    cost_drop: float
    annual_churn: float


def _effects(w: World) -> Effects:
    """The effects of the planted events, measured on the simulation's latent state."""
    p = w.p
    weeks = w.weeks
    inc_t, launch_t, prog_t = w.t_incident, w.t_launch, w.t_programme
    reg = w.inc_region

    def window(a: int, b: int) -> slice:
        return slice(max(a, 0), min(max(b, 0), weeks))

    def per_active(counts: np.ndarray, active: np.ndarray, weeks_: slice) -> Any:
        return counts[weeks_].sum() / max(active[weeks_].sum(), 1)

    lc, rc = w.latent_counts, w.respondent_counts
    pre_inc, during = window(inc_t - 4, inc_t), window(inc_t, inc_t + p.incident_weeks)

    def incident_change(counts: np.ndarray) -> float:
        return _nps_of(counts[during, reg]) - _nps_of(counts[pre_inc, reg])

    inc_wow = _nps_of(rc[window(inc_t, inc_t + 1), reg]) - _nps_of(
        rc[window(inc_t - 1, inc_t), reg])
    ratios = []
    for arr in (w.contacts_region, w.complaints_region):
        pre = per_active(arr[:, reg], w.active_region[:, reg], pre_inc)
        dur = per_active(arr[:, reg], w.active_region[:, reg], during)
        ratios.append(dur / pre if pre > 0 else float("nan"))
    seg = w.prog_segment
    after = window(prog_t + 8, prog_t + 34)
    others = [k for k in range(len(SEGMENTS)) if k != seg]
    before_p = window(prog_t - 26, prog_t)

    def did(counts: np.ndarray) -> float:
        return ((_nps_of(counts[after, :, seg]) - _nps_of(counts[before_p, :, seg]))
                - (_nps_of(counts[after][:, :, others]) - _nps_of(counts[before_p][:, :, others])))

    h_act = w.hazard_sum[window(prog_t, weeks), seg].sum()
    h_cf = w.hazard_cf_sum[window(prog_t, weeks)].sum()
    n = p.cost_window_weeks
    before_launch, after_launch = window(launch_t - n, launch_t), window(launch_t, launch_t + n)
    cost_drop = 100.0 * (1 - per_active(w.expected_cost, w.active_start, after_launch)
                         / max(per_active(w.expected_cost, w.active_start, before_launch), 1e-12))
    annual = 100.0 * (1 - math.exp(-52 * w.hazard_sum.sum() / max(w.exposure.sum(), 1)))
    return Effects(
        incident_nps=round(incident_change(lc), 2),
        incident_respondent_nps=round(incident_change(rc), 2),
        incident_first_week_change=round(inc_wow, 2),
        contact_ratio=round(ratios[0], 3),
        complaint_ratio=round(ratios[1], 3),
        programme_nps=round(_nps_of(lc[after, :, seg]) - _nps_of(w.latent_cf_counts[after]), 2),
        programme_did=round(did(lc), 2),
        programme_respondent_did=round(did(rc), 2),
        programme_churn=round(100.0 * (h_act / h_cf - 1.0) if h_cf > 0 else float("nan"), 2),
        cost_drop=round(cost_drop, 2),
        annual_churn=round(annual, 2),
    )


def _locale_rows(w: World, loc: DemoLocale) -> list[tuple[str, Any, str]]:
    """What a world written in another locale adds to ``truth_parameters``: the locale, its
    currency and calendar, and the first day of each planted event as a date (Gregorian and,
    in a Jalali locale, Jalali: the events start on the first day of the locale's week)."""
    from dashboard.i18n.calendar import jalali

    def first_day(t: int) -> date:
        return date(1970, 1, 1) + timedelta(days=w.start_day + 7 * t + loc.day_shift)

    rows: list[tuple[str, Any, str]] = [
        ("locale", loc.code, "language the world is written in (names, comments)"),
        ("currency", loc.currency, "currency of every amount (IRT: Toman, USD: US dollar)"),
        ("week_start", loc.week_start, "first day of the world's weeks (iso: Monday, "
                                       "saturday: Saturday)"),
        ("calendar", loc.calendar, "calendar the world's dates are told in"),
        ("day_shift", loc.day_shift, "days every date moved from the simulated Monday weeks"),
    ]
    for key, t, what in (("incident", w.t_incident, "the incident"),
                         ("self_service_launch", w.t_launch, "the self-service launch"),
                         ("programme", w.t_programme, "the improvement programme")):
        day = first_day(t)
        rows.append((f"{key}_start_date", day.isoformat(), f"first day of {what}"))
        if loc.calendar == "jalali":
            rows.append((f"{key}_start_date_jalali", jalali(day).strftime("%Y-%m-%d"),
                         f"first day of {what} in the Jalali calendar"))
    return rows


def _parameter_table(w: World, fx: Effects, seed: int, customers: int,
                    end_week: str, loc: DemoLocale = EN) -> pd.DataFrame:
    """``truth_parameters``: the run's arguments, the realised effects, then every parameter
    (names in ``loc``; a world in another locale adds ``_locale_rows`` after the arguments)."""
    p, label = w.p, w.week_label
    rows: list[tuple[str, Any, str]] = [
        ("seed", seed, "random seed of numpy's Generator"),
    ]
    if w.structure_seed is not None:
        rows.append(("structure_seed", w.structure_seed,
                     "random seed of the fixed set-up (the agents' skills)"))
    rows += [
        ("customers", customers, "active customers at the window start"),
        ("end_week", end_week, "last ISO week of the window"),
        ("weeks", w.weeks, "ISO weeks in the window"),
        ("start_week", label(0), "first ISO week of the window"),
    ]
    if not loc.is_source:
        rows += _locale_rows(w, loc)
    rows += [
        ("churn_ratio_detractor_promoter", p.churn_ratio_detractor_promoter,
         "planted weekly churn hazard ratio, current latent detractor vs promoter"),
        ("churn_ratio_unresolved_complaint", p.churn_ratio_unresolved_complaint,
         "planted weekly churn hazard ratio, open complaint vs none"),
        ("incident_region", loc.region(p.incident_region),
         "region of the planted service incident"),
        ("incident_start_week", label(w.t_incident), "first ISO week of the incident"),
        ("incident_weeks", p.incident_weeks, "length of the incident in weeks"),
        ("incident_latent_nps_effect_pts", fx.incident_nps,
         "latent NPS in the incident region, incident weeks minus the 4 weeks before"),
        ("incident_respondent_nps_effect_pts", fx.incident_respondent_nps,
         "the same change in the NPS expected among respondents (extremes answer more often)"),
        ("incident_respondent_nps_first_week_change_pts", fx.incident_first_week_change,
         "expected respondent NPS in the region, first incident week minus the week before"),
        ("incident_contact_rate_ratio", fx.contact_ratio,
         "contacts per active customer in the region, incident weeks over the 4 weeks before"),
        ("incident_complaint_rate_ratio", fx.complaint_ratio,
         "complaints per active customer in the region, incident weeks over the 4 weeks before"),
        ("self_service_launch_week", label(w.t_launch), "ISO week self-service launched"),
        ("self_service_migration_share", round(w.migration, 4),
         "share of all contacts moved to self-service once the ramp completes (solved so the "
         "expected cost-to-serve drop equals the planted one)"),
        ("planted_cost_to_serve_drop_pct", p.planted_cost_to_serve_drop_pct,
         "planted drop in cost to serve per active customer, 13 weeks after vs before launch"),
        ("self_service_expected_cost_drop_pct", fx.cost_drop,
         "the same drop from the simulated contact rates (no Poisson noise)"),
        ("programme_segment", loc.segment(p.programme_segment),
         "segment of the FCR improvement programme"),
        ("programme_start_week", label(w.t_programme), "first ISO week of the programme"),
        ("programme_fcr_uplift_pp", p.programme_fcr_uplift_pp,
         "first-contact resolution uplift in percentage points"),
        ("programme_latent_nps_effect_pts", fx.programme_nps,
         "latent NPS of the segment vs its no-programme counterfactual, weeks 8-33 after start"),
        ("programme_latent_nps_did_pts", fx.programme_did,
         "latent NPS difference-in-differences, segment vs the others, weeks 8-33 after start vs "
         "the 26 weeks before"),
        ("programme_respondent_nps_did_pts", fx.programme_respondent_did,
         "the same difference-in-differences of the NPS expected among respondents"),
        ("programme_churn_effect_pct", fx.programme_churn,
         "expected churn of the segment vs its no-programme counterfactual, after start (%)"),
        ("baseline_annual_churn_pct", fx.annual_churn,
         "expected annual churn from the simulated weekly hazards"),
        ("nps_thresholds", json.dumps([round(x, 4) for x in w.nps_cuts]),
         "ordered-logit cut points of the 0-10 score on the experience scale"),
    ]
    taken = {r[0] for r in rows}
    rows.extend((key, value, describe(key, value)) for key, value in asdict(p).items()
                if key not in taken)
    return pd.DataFrame({
        "key": [r[0] for r in rows],
        "value": [json.dumps(list(r[1])) if isinstance(r[1], tuple) else str(r[1])
                  for r in rows],
        "description": [r[2] for r in rows],
    }).astype("str")


def _event_table(w: World, fx: Effects, loc: DemoLocale = EN) -> pd.DataFrame:
    """``truth_events``: one row per planted event and metric, with its scope and weeks."""
    p, wk = w.p, w.week_label
    last = wk(w.weeks - 1)
    incident = ("incident", wk(w.t_incident), wk(w.t_incident + p.incident_weeks - 1),
                "region", loc.region(p.incident_region))
    programme = ("improvement_programme", wk(w.t_programme), last, "segment",
                 loc.segment(p.programme_segment))
    drivers = ("churn_drivers", wk(0), last, "all", "all")
    events = [
        (*incident, "nps", fx.incident_nps,
         "latent NPS of all customers in the region, incident weeks minus the 4 weeks before"),
        (*incident, "nps_respondents", fx.incident_respondent_nps,
         "the same change in the NPS expected among survey respondents (what surveys measure)"),
        (*incident, "contact_rate", fx.contact_ratio,
         "contacts per active customer (ratio)"),
        (*incident, "complaint_rate", fx.complaint_ratio,
         "complaints per active customer (ratio)"),
        ("self_service_launch", wk(w.t_launch),
         wk(w.t_launch + p.self_service_ramp_weeks - 1), "all", "all", "cost_to_serve",
         -p.planted_cost_to_serve_drop_pct,
         "cost to serve per active customer, 13 weeks after vs before launch (%)"),
        (*programme, "fcr", p.programme_fcr_uplift_pp,
         "first-contact resolution (percentage points)"),
        (*programme, "nps", fx.programme_nps,
         "latent NPS of the segment vs its no-programme counterfactual, weeks 8-33 after"),
        (*programme, "nps_respondents_did", fx.programme_respondent_did,
         "respondent NPS difference-in-differences vs the other segments, weeks 8-33 after "
         "start vs the 26 weeks before (points)"),
        (*programme, "churn_rate", fx.programme_churn,
         "expected churn vs counterfactual (%)"),
        (*drivers, "churn_ratio_detractor_promoter", p.churn_ratio_detractor_promoter,
         "weekly churn hazard ratio (latent category)"),
        (*drivers, "churn_ratio_unresolved_complaint", p.churn_ratio_unresolved_complaint,
         "weekly churn hazard ratio, open complaint vs none"),
    ]
    cols = ["event", "start_week", "end_week", "scope_kind", "scope_value", "metric",
            "planted_effect", "description"]
    ev = pd.DataFrame(events, columns=cols)
    for c in cols:
        if c != "planted_effect":
            ev[c] = ev[c].astype("str")
    ev["planted_effect"] = ev["planted_effect"].astype(np.float64)
    return ev


def truth(w: World, seed: int, customers: int, end_week: str,
          loc: DemoLocale = EN) -> dict[str, pd.DataFrame]:
    """truth_parameters and truth_events from the parameters and the simulation's latent state
    (the scope names in ``loc``: the same truths, named as the world's frames name them)."""
    fx = _effects(w)
    return {"truth_parameters": _parameter_table(w, fx, seed, customers, end_week, loc),
            "truth_events": _event_table(w, fx, loc)}
