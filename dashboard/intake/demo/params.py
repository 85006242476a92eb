"""The demo world's causal parameters, their descriptions and the curves in time they define.

``WorldParams`` holds every number of the structural model; ``generate`` writes each field with
its description (``PARAM_DOCS``, completed by ``describe``) to ``truth_parameters``, so tests and
readers can compare what the dashboard estimates with what was planted. The curves below turn
parameters into weekly factors: seasonality, the Q4 purchase peak, the self-service ramp and the
migration share that makes the planted cost-to-serve drop come true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from dashboard.intake.demo.vocab import (
    ACQUISITION_CHANNELS,
    CHAT,
    CONTACT_CHANNELS,
    EMAIL,
    PHONE,
    PLANS,
    REASONS,
    REGIONS,
    SEGMENTS,
    SELF_SERVICE,
    SEVERITIES,
)


@dataclass(frozen=True)
class WorldParams:
    """Every causal parameter of the demo world; the truth table is generated from it.

    Tuples are indexed by the vocabularies of ``vocab`` (segments Mass/Affluent/Business, regions
    North/South/East/West/Central, plans Basic/Standard/Premium, channels phone/chat/email/
    self_service/store/social). Rates are per customer per week unless named otherwise.
    """

    # population
    segment_shares: tuple[float, ...] = (0.60, 0.22, 0.18)
    region_shares: tuple[float, ...] = (0.17, 0.18, 0.17, 0.18, 0.30)
    plan_shares_mass: tuple[float, ...] = (0.45, 0.40, 0.15)
    plan_shares_affluent: tuple[float, ...] = (0.20, 0.45, 0.35)
    plan_shares_business: tuple[float, ...] = (0.20, 0.50, 0.30)
    acquisition_shares: tuple[float, ...] = (0.34, 0.24, 0.14, 0.12, 0.16)
    existing_tenure_max_years: float = 12.0
    # latent experience
    quality_mean_segment: tuple[float, ...] = (-0.05, 0.12, -0.10)
    quality_plan_effect: tuple[float, ...] = (-0.35, 0.0, 0.35)
    quality_sd: float = 1.0
    experience_carryover_rho: float = 0.92
    experience_noise_sd: float = 0.05
    effect_unresolved_contact: float = 0.30
    effect_resolved_contact: float = 0.15
    effect_open_complaint_per_week: float = 0.06
    effect_fast_complaint_resolution: float = 0.15
    fast_resolution_hours: float = 48.0
    # contacts
    contact_rate_segment: tuple[float, ...] = (0.095, 0.085, 0.30)
    contact_experience_slope: float = 0.45
    repeat_contacts_per_unresolved: float = 0.8
    contact_seasonality_amplitude: float = 0.08
    contact_seasonality_peak_day: int = 15
    channel_mix_before_launch: tuple[float, ...] = (0.52, 0.18, 0.14, 0.004, 0.09, 0.066)
    self_service_migration_from: tuple[float, ...] = (0.75, 0.15, 0.10)  # phone, chat, email
    fcr_by_channel: tuple[float, ...] = (0.72, 0.68, 0.60, 0.66, 0.78, 0.55)
    agent_fcr_sd: float = 0.04
    reason_shares: tuple[float, ...] = (0.28, 0.30, 0.15, 0.10, 0.07, 0.10)
    cost_per_contact: tuple[float, ...] = (8.00, 4.80, 4.00, 0.10, 12.00, 5.00)
    contacts_per_agent_week: float = 150.0
    customers_per_store: float = 5000.0
    # complaints: P(complaint in a week) = logistic(k0 + k1 * unresolved + k2 * -experience)
    complaint_logit_intercept: float = -6.7
    complaint_logit_unresolved: float = 1.2
    complaint_logit_experience: float = 0.9
    complaint_never_resolved_share: float = 0.08
    complaint_resolution_median_hours: float = 40.0
    complaint_resolution_sdlog: float = 1.0
    complaint_first_response_median_hours: float = 4.0
    complaint_first_response_missing_share: float = 0.02
    # severity: ordered logit on -experience (+ incident), cut points low|medium|high|critical
    severity_experience_slope: float = 0.6
    severity_incident_shift: float = 0.8
    severity_cuts: tuple[float, ...] = (0.1, 1.2, 2.2)
    compensation_share_by_severity: tuple[float, ...] = (0.0, 0.05, 0.25, 0.60)
    compensation_median_by_severity: tuple[float, ...] = (0.0, 10.0, 25.0, 60.0)
    # surveys: relationship NPS invitations and post-contact CSAT / CES
    nps_invite_rate: float = 0.075
    response_logit_intercept: float = -2.0
    response_logit_extremity: float = 1.0
    experience_reference_mean: float = 0.28
    experience_reference_sd: float = 1.08
    nps_cumulative_shares: tuple[float, ...] = (0.02, 0.035, 0.05, 0.07, 0.10, 0.15, 0.23,
                                                0.34, 0.56, 0.80)
    nps_response_noise: float = 0.08
    csat_cumulative_shares: tuple[float, ...] = (0.005, 0.015, 0.035, 0.07, 0.16, 0.36)
    ces_cumulative_shares: tuple[float, ...] = (0.01, 0.025, 0.055, 0.12, 0.25, 0.50)
    csat_response_noise: float = 0.45
    ces_response_noise: float = 0.50
    csat_resolution_effect: float = 0.9
    ces_resolution_effect: float = 0.7
    resolution_reference: float = 0.7  # resolution effects are centred on this FCR
    ces_experience_weight: float = 0.8
    ces_channel_ease: tuple[float, ...] = (-0.10, 0.05, -0.05, 0.30, -0.20, 0.0)
    contact_survey_invite_rate: float = 0.35
    contact_survey_csat_share: float = 0.55
    self_service_survey_invite_factor: float = 0.8
    self_service_csat_share: float = 0.25
    survey_delay_median_hours: float = 5.0
    contact_response_logit_intercept: float = -1.5
    contact_response_logit_extremity: float = 0.6
    expectation_share_csat: float = 0.30
    expectation_base: float = 5.0
    expectation_plan_step: float = 0.35
    expectation_business_shift: float = 0.3
    expectation_sd: float = 0.9
    comment_share: float = 0.25
    # churn: weekly hazard = h0[segment] * plan * category * open complaint * season
    churn_base_hazard_segment: tuple[float, ...] = (0.0030, 0.0024, 0.0024)
    churn_plan_multiplier: tuple[float, ...] = (1.30, 1.0, 0.75)
    churn_ratio_detractor_promoter: float = 2.5
    churn_ratio_passive_promoter: float = 1.5
    churn_ratio_unresolved_complaint: float = 1.8
    churn_seasonality_amplitude: float = 0.10
    churn_seasonality_peak_day: int = 20
    # revenue
    price_by_plan: tuple[float, ...] = (25.0, 40.0, 65.0)
    price_segment_multiplier: tuple[float, ...] = (1.0, 1.15, 1.6)
    overage_share: float = 0.15
    purchase_rate_segment: tuple[float, ...] = (0.016, 0.020, 0.024)
    purchase_experience_slope: float = 0.30
    purchase_q4_peak: float = 0.8
    purchase_q4_peak_iso_week: int = 49
    device_at_signup_share: float = 0.35
    refund_share: float = 0.04
    refund_partial_share: float = 0.3
    # planted events (weeks counted back from the end week)
    incident_region: str = "Central"
    incident_weeks_before_end: int = 24
    incident_weeks: int = 3
    incident_outage_effect: float = -0.28
    incident_carryover_effect: float = -0.02
    incident_contact_multiplier: float = 2.0
    incident_complaint_logit: float = 0.6
    incident_fcr_penalty: float = 0.12
    self_service_launch_weeks_before_end: int = 56
    self_service_ramp_weeks: int = 4
    planted_cost_to_serve_drop_pct: float = 17.5
    # lower contact volumes after launch (the programme's fewer repeat contacts) add this much
    # to the drop; calibrated by simulation and taken off before solving the migration share
    cost_drop_from_volume_pp: float = 0.9
    cost_window_weeks: int = 13
    programme_segment: str = "Business"
    programme_weeks_before_end: int = 69
    programme_fcr_uplift_pp: float = 10.0


PARAMS = WorldParams()

#: Descriptions of the WorldParams fields written to truth_parameters (others get their name).
PARAM_DOCS: dict[str, str] = {
    "segment_shares": "share of customers by segment",
    "region_shares": "share of customers by region (Central is the largest)",
    "existing_tenure_max_years": "oldest signup in the base at the window start, years before",
    "quality_mean_segment": "mean latent quality q by segment",
    "quality_plan_effect": "shift of latent quality by plan (the confounder of experience "
                           "and churn)",
    "quality_sd": "standard deviation of latent quality q within a segment and plan",
    "experience_carryover_rho": "weekly carry-over of latent experience e",
    "experience_noise_sd": "weekly noise added to latent experience",
    "effect_unresolved_contact": "drop in e per contact not resolved on first contact",
    "effect_resolved_contact": "rise in e per contact resolved on first contact",
    "effect_open_complaint_per_week": "drop in e for each week a complaint stays open",
    "effect_fast_complaint_resolution": "rise in e when a complaint is resolved within "
                                        "fast_resolution_hours",
    "contact_rate_segment": "weekly contact rate at e = 0, by segment (Poisson)",
    "contact_experience_slope": "contact rate multiplier exp(-slope * e)",
    "repeat_contacts_per_unresolved": "extra expected contacts next week per unresolved contact",
    "contact_seasonality_amplitude": "contact volume seasonality, 1 + a * cos(day of year - "
                                     "peak)",
    "channel_mix_before_launch": "contact channel shares before the self-service launch",
    "self_service_migration_from": "where migrated contacts come from (phone, chat, email)",
    "fcr_by_channel": "first-contact resolution probability by channel (baseline)",
    "agent_fcr_sd": "spread of agent skill added to FCR",
    "cost_per_contact": "cost per contact by channel (as in data/demo_assumptions.csv)",
    "complaint_logit_intercept": "complaint logit k0 (weekly)",
    "complaint_logit_unresolved": "complaint logit k1 per unresolved contact this week",
    "complaint_logit_experience": "complaint logit k2 on -e",
    "complaint_never_resolved_share": "share of complaints never resolved",
    "complaint_resolution_median_hours": "median complaint resolution time (lognormal)",
    "nps_invite_rate": "weekly share of active customers invited to the relationship NPS survey",
    "response_logit_intercept": "NPS response logit intercept",
    "response_logit_extremity": "NPS response logit slope on |e - reference| (U-shaped "
                                "non-response)",
    "experience_reference_mean": "centre of the experience scale used for cut points and "
                                 "response",
    "nps_response_noise": "logistic noise scale of NPS answers around the latent category",
    "churn_base_hazard_segment": "weekly churn hazard of a promoter without open complaint, "
                                 "by segment",
    "churn_plan_multiplier": "churn hazard multiplier by plan (confounder)",
    "churn_ratio_passive_promoter": "planted weekly churn hazard ratio, passive vs promoter",
    "churn_seasonality_amplitude": "churn hazard seasonality amplitude (January peak)",
    "price_by_plan": "subscription price per 4 weeks by plan (before segment multiplier)",
    "purchase_rate_segment": "weekly device / add-on purchase rate at e = 0, by segment",
    "purchase_experience_slope": "purchase rate multiplier exp(slope * e)",
    "purchase_q4_peak": "extra purchase rate at the Q4 peak week",
    "incident_outage_effect": "shift of perceived experience in the region during the incident",
    "incident_carryover_effect": "weekly shock to e in the region during the incident "
                                 "(carries over)",
    "incident_contact_multiplier": "contact rate multiplier in the region during the incident",
    "incident_complaint_logit": "complaint logit shift in the region during the incident",
    "incident_fcr_penalty": "FCR drop of technical contacts in the region during the incident",
    "self_service_ramp_weeks": "weeks for contacts to migrate to self-service after launch",
    "cost_drop_from_volume_pp": "expected extra cost-to-serve drop from lower volumes, taken "
                                "off before solving the migration share",
    "programme_weeks_before_end": "programme start, in weeks before the end week",
    "incident_weeks_before_end": "incident start, in weeks before the end week",
    "self_service_launch_weeks_before_end": "self-service launch, in weeks before the end week",
}


def describe(key: str, value: Any) -> str:
    """A description of a WorldParams field, naming what a tuple is indexed by."""
    text = PARAM_DOCS.get(key, f"world parameter: {key.replace('_', ' ')}")
    if not isinstance(value, tuple):
        return text
    if key.startswith("nps_cumulative"):
        return f"{text}; P(score <= k) for k = 0..9"
    if key.endswith("cumulative_shares"):
        return f"{text}; P(score <= k) for k = 1..6"
    if key == "self_service_migration_from":
        return f"{text}; share taken from phone, chat, email"
    for word, vocab in (("severity", SEVERITIES), ("segment", SEGMENTS), ("region", REGIONS),
                        ("plan", PLANS),
                        ("acquisition", ACQUISITION_CHANNELS), ("reason", REASONS)):
        if word in key and len(value) == len(vocab):
            return f"{text}; by {', '.join(vocab)}"
    if len(value) == len(CONTACT_CHANNELS):
        return f"{text}; by channel {', '.join(CONTACT_CHANNELS)}"
    return text


# --- curves in time the parameters define -------------------------------------------------------


def seasonality(day: int, amplitude: float, peak_day: int) -> float:
    """1 + amplitude * cos(2 pi (day of year - peak) / 365.25) for the week starting ``day``."""
    d = date(1970, 1, 1) + timedelta(days=int(day) + 3)
    doy = d.timetuple().tm_yday
    return 1.0 + amplitude * math.cos(2 * math.pi * (doy - peak_day) / 365.25)


def purchase_season(day: int, p: WorldParams) -> float:
    """Device and add-on spend: a Q4 peak (Black Friday to Christmas) and a mild summer dip."""
    w = (date(1970, 1, 1) + timedelta(days=int(day))).isocalendar()[1]
    dist = min(abs(w - p.purchase_q4_peak_iso_week), 52 - abs(w - p.purchase_q4_peak_iso_week))
    return 1.0 + p.purchase_q4_peak * math.exp(-((dist / 2.5) ** 2)) - 0.08 * (27 <= w <= 34)


def ramp_share(weeks_since: int, ramp_weeks: int) -> float:
    """Share of the self-service migration done ``weeks_since`` weeks after launch."""
    return 0.0 if weeks_since < 0 else min(1.0, (weeks_since + 1) / ramp_weeks)


def migration_share(p: WorldParams, launch_day: int) -> float:
    """Share of all contacts moved to self-service once the ramp is complete.

    Solved in closed form so that the expected cost to serve per active customer in the
    ``cost_window_weeks`` after launch is ``planted_cost_to_serve_drop_pct`` lower than in the
    same number of weeks before, given the contact seasonality of those particular weeks.
    """
    mix = np.asarray(p.channel_mix_before_launch) / np.sum(p.channel_mix_before_launch)
    cost = np.asarray(p.cost_per_contact)
    shift = migration_vector(p)
    c0, dc = float(mix @ cost), float(shift @ cost)
    n = p.cost_window_weeks
    season = [seasonality(launch_day + 7 * k, p.contact_seasonality_amplitude,
                          p.contact_seasonality_peak_day) for k in range(-n, n)]
    before = c0 * sum(season[:n])
    after0 = c0 * sum(season[n:])
    ramp = sum(s * ramp_share(k, p.self_service_ramp_weeks) for k, s in enumerate(season[n:]))
    target = 1.0 - (p.planted_cost_to_serve_drop_pct - p.cost_drop_from_volume_pp) / 100.0
    m = (after0 - target * before) / (-dc * ramp)
    return float(np.clip(m, 0.0, 0.95 * mix[PHONE] / p.self_service_migration_from[0]))


def migration_vector(p: WorldParams) -> np.ndarray:
    """Change of the channel mix per unit of migrated share (into self-service)."""
    shift = np.zeros(len(CONTACT_CHANNELS))
    shift[[PHONE, CHAT, EMAIL]] = -np.asarray(p.self_service_migration_from)
    shift[SELF_SERVICE] = 1.0
    return shift

