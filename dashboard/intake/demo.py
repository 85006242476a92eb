"""Synthetic demo world: a telecom-like subscription business generated from a causal model.

The world is a structural causal model (reference/methods.md section 7) simulated in weekly
steps and vectorised over customers. Every customer has a latent quality ``q`` (segment and
plan tier move it: the plan is a confounder of experience and churn) and a latent experience
``e`` that carries over from week to week::

    e[t+1] = rho * e[t] + (1 - rho) * q - d_unres * unresolved_contacts + d_res * resolved_contacts
             - d_open * has_open_complaint + d_fast * fast_complaint_resolution + incident + noise

Operations follow from the experience: contacts are Poisson (worse experience, more contacts;
unresolved contacts come back the next week), each contact is resolved on first contact with a
channel's FCR, complaints follow unresolved contacts and bad experience, and surveys answer with
an ordered logit on the experience, where extremes respond more often (non-response bias). The
weekly churn hazard multiplies a segment baseline by the customer's current latent NPS category
and whether a complaint is open. Four planted events are recorded with their parameters in the
truth tables: a regional service incident, a self-service launch, an FCR programme in one
segment, and the churn drivers.

``generate`` returns pandas frames in the raw data contract (DESIGN.md section 3) plus
``truth_parameters`` and ``truth_events``. The same seed gives bit-identical frames.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.warehouse.weeks import parse_week, week_label

# --- vocabularies (codes index into these) --------------------------------------------------

SEGMENTS = ("Mass", "Affluent", "Business")
REGIONS = ("North", "South", "East", "West", "Central")
PLANS = ("Basic", "Standard", "Premium")
ACQUISITION_CHANNELS = ("organic", "paid", "referral", "promo", "store")
CONTACT_CHANNELS = ("phone", "chat", "email", "self_service", "store", "social")
REASONS = ("billing", "technical", "account", "sales", "complaint", "other")
COMPLAINT_CATEGORIES = ("billing", "network", "service_quality", "installation",
                        "agent_attitude", "product")
SEVERITIES = ("low", "medium", "high", "critical")
COMPLAINT_CHANNELS = ("phone", "chat", "email", "store", "social", "web")
SURVEYS = ("nps", "csat", "ces")
JOURNEY_STAGES = ("onboarding", "usage", "billing", "support", "renewal")
TOUCHPOINTS = ("app", "web", "phone", "store", "technician", "chat", "email", "social")
NPS_DELIVERY = ("email", "sms", "app")
SURVEY_CHANNELS = (*CONTACT_CHANNELS, "sms", "app")  # contact channels, then NPS delivery
DELIVERY_CHANNEL = np.array([2, 6, 7], dtype=np.int8)  # NPS_DELIVERY -> SURVEY_CHANNELS
PRODUCTS = ("Basic plan", "Standard plan", "Premium plan", "handset", "tablet", "router",
            "accessory", "data_add_on", "tv_add_on", "insurance")
TRANSACTION_CHANNELS = ("direct_debit", "card", "invoice", "online", "app", "store", "telesales")
KINDS = ("purchase", "subscription", "refund")

PHONE, CHAT, EMAIL, SELF_SERVICE, STORE, SOCIAL = range(6)
NPS, CSAT, CES = range(3)
MASS, AFFLUENT, BUSINESS = range(3)
TECHNICAL = REASONS.index("technical")
NETWORK = COMPLAINT_CATEGORIES.index("network")
DETRACTOR, PASSIVE, PROMOTER = range(3)
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
NEVER_US = np.iinfo(np.int64).max

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WorldParams:
    """Every causal parameter of the demo world; the truth table is generated from it.

    Tuples are indexed by the vocabularies above (segments Mass/Affluent/Business, regions
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
    "cost_per_contact": "cost per contact by channel (as in data/assumptions.csv)",
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


# --- small helpers ---------------------------------------------------------------------------


def _logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def _pick(rng: np.random.Generator, probs: np.ndarray | tuple[float, ...], k: int) -> np.ndarray:
    """k draws from one categorical distribution, as int8 codes."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    cum /= cum[-1]
    return np.searchsorted(cum, rng.random(k), side="right").astype(np.int8)


def _pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (k, m) matrix of categorical distributions, as int8 codes."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))[:, None]
    return np.minimum((u >= cum).sum(axis=1), probs.shape[1] - 1).astype(np.int8)


def _thresholds(cumulative: tuple[float, ...], mean: float, sd: float) -> np.ndarray:
    """Ordered-logit cut points on the experience scale for target cumulative shares."""
    dist = NormalDist(mean, sd)
    return np.array([dist.inv_cdf(c) for c in cumulative])


def _ordered(latent: np.ndarray, cuts: np.ndarray, noise: float, rng: np.random.Generator,
             low: int) -> np.ndarray:
    """Ordered-logit scores: ``low`` + number of cut points below latent + logistic noise."""
    u = rng.random(len(latent))
    u = np.clip(u, 1e-12, 1 - 1e-12)
    y = latent + noise * np.log(u / (1 - u))
    return (np.searchsorted(cuts, y, side="left") + low).astype(np.int8)


def _strings(codes: np.ndarray, labels: tuple[str, ...] | list[str],
             missing: np.ndarray | None = None) -> pd.Series:
    """Text column from integer codes (fast dictionary decode through Arrow)."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), mask=missing)
    arr = pa.DictionaryArray.from_arrays(idx, pa.array(list(labels), pa.large_string()))
    return arr.cast(pa.large_string()).to_pandas(
        types_mapper=lambda _t: pd.StringDtype("pyarrow", na_value=np.nan))


def _nullable_int(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    """A nullable Int64 column."""
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing.copy())


def _ids(codes: np.ndarray) -> np.ndarray:
    """Internal customer index -> customer_id (int64, 1-based)."""
    out = codes.astype(np.int64)
    out += 1
    return out


def _timestamps(us: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Microseconds since the epoch as tz-naive UTC datetime64[us] (NaT where missing)."""
    out = np.asarray(us, dtype=np.int64)
    if missing is not None:
        out = np.where(missing, np.iinfo(np.int64).min, out)  # the NaT bit pattern
    return out.view("datetime64[us]")


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Days since the epoch as midnight datetime64 values (NaT where missing)."""
    out = (np.asarray(days, dtype=np.int64) * 86_400).astype("datetime64[s]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _season(day: int, amplitude: float, peak_day: int) -> float:
    """1 + amplitude * cos(2 pi (day of year - peak) / 365.25) for the week starting ``day``."""
    d = date(1970, 1, 1) + timedelta(days=int(day) + 3)
    doy = d.timetuple().tm_yday
    return 1.0 + amplitude * math.cos(2 * math.pi * (doy - peak_day) / 365.25)


def _purchase_season(day: int, p: WorldParams) -> float:
    """Device and add-on spend: a Q4 peak (Black Friday to Christmas) and a mild summer dip."""
    w = (date(1970, 1, 1) + timedelta(days=int(day))).isocalendar()[1]
    dist = min(abs(w - p.purchase_q4_peak_iso_week), 52 - abs(w - p.purchase_q4_peak_iso_week))
    return 1.0 + p.purchase_q4_peak * math.exp(-((dist / 2.5) ** 2)) - 0.08 * (27 <= w <= 34)


def _ramp(weeks_since: int, ramp_weeks: int) -> float:
    """Share of the self-service migration done ``weeks_since`` weeks after launch."""
    return 0.0 if weeks_since < 0 else min(1.0, (weeks_since + 1) / ramp_weeks)


def _migration_share(p: WorldParams, launch_day: int) -> float:
    """Share of all contacts moved to self-service once the ramp is complete.

    Solved in closed form so that the expected cost to serve per active customer in the
    ``cost_window_weeks`` after launch is ``planted_cost_to_serve_drop_pct`` lower than in the
    same number of weeks before, given the contact seasonality of those particular weeks.
    """
    mix = np.asarray(p.channel_mix_before_launch) / np.sum(p.channel_mix_before_launch)
    cost = np.asarray(p.cost_per_contact)
    shift = _migration_vector(p)
    c0, dc = float(mix @ cost), float(shift @ cost)
    n = p.cost_window_weeks
    season = [_season(launch_day + 7 * k, p.contact_seasonality_amplitude,
                      p.contact_seasonality_peak_day) for k in range(-n, n)]
    before = c0 * sum(season[:n])
    after0 = c0 * sum(season[n:])
    ramp = sum(s * _ramp(k, p.self_service_ramp_weeks) for k, s in enumerate(season[n:]))
    target = 1.0 - (p.planted_cost_to_serve_drop_pct - p.cost_drop_from_volume_pp) / 100.0
    m = (after0 - target * before) / (-dc * ramp)
    return float(np.clip(m, 0.0, 0.95 * mix[PHONE] / p.self_service_migration_from[0]))


def _migration_vector(p: WorldParams) -> np.ndarray:
    """Change of the channel mix per unit of migrated share (into self-service)."""
    shift = np.zeros(len(CONTACT_CHANNELS))
    shift[[PHONE, CHAT, EMAIL]] = -np.asarray(p.self_service_migration_from)
    shift[SELF_SERVICE] = 1.0
    return shift


# --- comments: phrase banks keyed to theme and sentiment ------------------------------------

THEMES = ("network", "billing", "price", "service", "app", "store", "technician",
          "installation", "product", "general")
(T_NETWORK, T_BILLING, T_PRICE, T_SERVICE, T_APP, T_STORE, T_TECHNICIAN, T_INSTALLATION,
 T_PRODUCT, T_GENERAL) = range(10)

PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # theme: (negative, neutral, positive)
    "network": (
        ("The signal keeps dropping, especially in the evenings.",
         "Mobile data has been painfully slow for weeks.",
         "We had no service at all during the outage and nobody told us why.",
         "Calls drop whenever I am indoors."),
        ("Coverage is fine most of the time but patchy in places.",
         "Speeds are okay, nothing special.",
         "The network works, though it slows down at peak times.",
         "Signal is acceptable where I live."),
        ("Coverage is excellent everywhere I go.",
         "Data speeds are fast and reliable.",
         "I never have dropped calls any more.",
         "The network has been rock solid."),
    ),
    "billing": (
        ("My bill was wrong again and I had to chase a refund.",
         "I was charged for things I never ordered.",
         "The bill is impossible to understand.",
         "I got charged twice this month."),
        ("The bill is mostly clear, a few charges are confusing.",
         "Billing is fine once you get used to it.",
         "Payment works but the invoice could be simpler.",
         "My bill was a little higher than expected."),
        ("Billing is clear and always correct.",
         "The bill arrives on time and is easy to read.",
         "They fixed a billing error quickly and without fuss.",
         "Paying is simple and transparent."),
    ),
    "price": (
        ("It is far too expensive for what you get.",
         "The price went up again without any improvement.",
         "Competitors offer much better deals.",
         "I feel I am overpaying every month."),
        ("The price is about what I expected.",
         "Value for money is average.",
         "Prices are similar to other providers.",
         "It is not cheap, but not outrageous either."),
        ("Great value for money.",
         "The plan is well priced for what it includes.",
         "I appreciate the loyalty discount.",
         "Fair price for a good service."),
    ),
    "service": (
        ("I waited ages on hold and the agent could not help.",
         "I had to explain my problem three times.",
         "Nobody called me back as promised.",
         "The staff were rude and dismissive."),
        ("The agent was polite but it took a while.",
         "Support solved part of my issue.",
         "It took two contacts but it got sorted.",
         "Service was okay, nothing memorable."),
        ("The agent solved my problem on the first call.",
         "Friendly, knowledgeable staff.",
         "Support was quick and helpful.",
         "They went out of their way to help me."),
    ),
    "app": (
        ("The app crashes every time I try to pay.",
         "I could not find what I needed online.",
         "The website keeps logging me out.",
         "Self-service never works for my problem."),
        ("The app does the basics.",
         "The website is usable but cluttered.",
         "Self-service handled part of my request.",
         "The app is fine, a bit slow to load."),
        ("The app makes everything easy.",
         "I sorted it myself online in two minutes.",
         "Self-service is quick and clear.",
         "I love how simple the app is."),
    ),
    "store": (
        ("The store was understaffed and I queued for an hour.",
         "Staff in the shop did not know the products.",
         "The store could not help and sent me to the phone line.",
         "The shop experience was chaotic."),
        ("The store visit was fine.",
         "Staff were helpful enough.",
         "I got what I needed in the shop, eventually.",
         "An average experience in the store."),
        ("The store staff were brilliant.",
         "A quick and helpful visit to the shop.",
         "They set up my new phone in the store for me.",
         "Great in-store advice."),
    ),
    "technician": (
        ("The technician never turned up.",
         "The engineer left without fixing the fault.",
         "I took a day off work and the visit was cancelled.",
         "The technician was late and in a hurry."),
        ("The technician fixed it on the second visit.",
         "The engineer arrived within the time slot.",
         "The repair visit was okay.",
         "The technician did the job, no more."),
        ("The technician was on time and fixed everything.",
         "A very professional engineer.",
         "The repair was quick and tidy.",
         "The engineer explained everything clearly."),
    ),
    "installation": (
        ("Installation took weeks longer than promised.",
         "The setup was a mess and nothing worked.",
         "My new line was activated late.",
         "The router arrived without instructions."),
        ("Setup took a bit longer than expected.",
         "Installation went okay.",
         "The activation was fine after a small delay.",
         "Getting connected was straightforward enough."),
        ("Installation was fast and painless.",
         "Everything worked from day one.",
         "Setup was smooth and quick.",
         "Switching over was effortless."),
    ),
    "product": (
        ("The device I bought is faulty.",
         "The router keeps rebooting.",
         "The TV package is missing the channels I was promised.",
         "My new phone had problems from day one."),
        ("The products are okay.",
         "The device does what it should.",
         "The package is fine for now.",
         "A decent choice of devices."),
        ("A great choice of phones and plans.",
         "The new router is excellent.",
         "Really happy with my new phone.",
         "The bundle has everything I need."),
    ),
    "general": (
        ("Overall a disappointing experience.",
         "I am thinking of switching provider.",
         "Things have got worse lately.",
         "I expected much better."),
        ("Overall it is okay.",
         "No major complaints.",
         "It does the job.",
         "Could be better, could be worse."),
        ("Overall very happy.",
         "I would recommend them to friends.",
         "Everything just works.",
         "Consistently good service."),
    ),
}
CLOSERS: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = (
    ("I am seriously considering leaving.", "Please fix this.", "Very frustrating.",
     "Not good enough.", "I expected better from you."),
    ("Some room for improvement.", "Nothing more to add.", "It is acceptable.",
     "I hope it gets better.", "Fine for now."),
    ("Keep it up!", "Thank you!", "Very satisfied.", "I would recommend you.", "Impressed."),
)
N_FIRST, N_CLOSER = 4, 5


def _comment_table() -> list[str]:
    """Every comment the bank can produce, indexed by (theme, sentiment, first, closer)."""
    out = []
    for theme in THEMES:
        for sentiment in range(3):
            for first in PHRASES[theme][sentiment]:
                out.append(first)
                out.extend(f"{first} {closer}" for closer in CLOSERS[sentiment])
    return out


COMMENTS = _comment_table()

# theme distribution for relationship NPS comments without a more specific cause, by sentiment
NPS_THEME_MIX = np.array([
    [0.22, 0.14, 0.22, 0.14, 0.08, 0.02, 0.02, 0.02, 0.06, 0.08],
    [0.18, 0.10, 0.18, 0.12, 0.10, 0.04, 0.02, 0.02, 0.08, 0.16],
    [0.22, 0.06, 0.10, 0.20, 0.14, 0.05, 0.02, 0.02, 0.07, 0.12],
])
# complaint category -> comment theme
CATEGORY_THEME = np.array([T_BILLING, T_NETWORK, T_SERVICE, T_INSTALLATION, T_SERVICE,
                           T_PRODUCT])
# contact reason -> comment theme (post-contact surveys)
REASON_THEME = np.array([T_BILLING, T_NETWORK, T_SERVICE, T_PRODUCT, T_SERVICE, T_GENERAL])
# contact reason -> journey stage
REASON_STAGE = np.array([2, 3, 1, 4, 3, 1])
# contact channel -> survey touchpoint (self-service splits app/web; phone may be technician)
CHANNEL_TOUCHPOINT = np.array([2, 5, 6, 0, 3, 7])
# contact channel -> complaint channel (self-service escalates through the web form)
CHANNEL_COMPLAINT_CHANNEL = np.array([0, 1, 2, 5, 3, 4])
# complaint category by contact reason (rows: reasons, then "no contact this week")
CATEGORY_BY_REASON = np.array([
    [0.85, 0.00, 0.05, 0.00, 0.05, 0.05],
    [0.00, 0.55, 0.10, 0.15, 0.05, 0.15],
    [0.35, 0.00, 0.40, 0.05, 0.15, 0.05],
    [0.35, 0.00, 0.15, 0.05, 0.10, 0.35],
    [0.25, 0.20, 0.20, 0.05, 0.20, 0.10],
    [0.20, 0.15, 0.30, 0.05, 0.15, 0.15],
    [0.30, 0.25, 0.15, 0.05, 0.10, 0.15],
])
INCIDENT_REASON_SHARES = (0.14, 0.62, 0.08, 0.04, 0.08, 0.04)
WEEKDAY_SHARES = (0.18, 0.16, 0.15, 0.15, 0.14, 0.12, 0.10)
HANDLE_MEDIAN_SECONDS = np.array([420.0, 600.0, 300.0, 120.0, 900.0, 400.0])
COMPLAINT_FIRST_RESPONSE_FACTOR = np.array([0.5, 0.6, 3.0, 1.0, 2.0, 4.0])
PRODUCT_SHARES = (0.18, 0.05, 0.07, 0.30, 0.20, 0.12, 0.08)  # handset .. insurance
PRODUCT_MEDIAN_PRICE = np.array([450.0, 320.0, 90.0, 30.0, 15.0, 12.0, 9.0])


# --- the simulation --------------------------------------------------------------------------


@dataclass
class _Frames:
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


class _World:
    """State of every customer and the weekly causal step (vectorised over customers)."""

    def __init__(self, p: WorldParams, customers: int, seed: int, start: date, weeks: int,
                 progress: Progress) -> None:
        self.p = p
        self.rng = np.random.default_rng(seed)
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
        self.migration = _migration_share(p, self.start_day + 7 * self.t_launch)
        self.nps_cuts = _thresholds(p.nps_cumulative_shares, p.experience_reference_mean,
                                    p.experience_reference_sd)
        self.csat_cuts = _thresholds(p.csat_cumulative_shares, p.experience_reference_mean,
                                     p.experience_reference_sd)
        self.ces_cuts = _thresholds(p.ces_cumulative_shares, p.experience_reference_mean,
                                    p.experience_reference_sd)
        self.cat_mult = np.array([p.churn_ratio_detractor_promoter,
                                  p.churn_ratio_passive_promoter, 1.0])
        self.transient_sd = p.experience_noise_sd / math.sqrt(1 - p.experience_carryover_rho**2)
        self.plan_shares = np.array([p.plan_shares_mass, p.plan_shares_affluent,
                                     p.plan_shares_business])
        self._setup_agents_and_stores()
        self.cap = 0
        self.n = 0
        self.s: dict[str, np.ndarray] = {}
        self.contacts = _Frames({})
        self.complaints = _Frames({})
        self.surveys = _Frames({})
        self.transactions = _Frames({})
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
        """Agent pools per assisted channel (with FCR skill) and stores per region."""
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
        self.agent_skill = np.clip(rng.normal(0, p.agent_fcr_sd, n_agents), -0.12, 0.12)

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
        seg = _pick(rng, p.segment_shares, k)
        reg = _pick(rng, p.region_shares, k)
        plan = _pick_rows(rng, self.plan_shares[seg])
        q = (np.asarray(p.quality_mean_segment)[seg] + np.asarray(p.quality_plan_effect)[plan]
             + rng.normal(0, p.quality_sd, k))
        return {"seg": seg, "reg": reg, "plan": plan, "q": q,
                "acq": _pick(rng, p.acquisition_shares, k)}

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
        pay = _pick(rng, (0.70, 0.25, 0.05), k)
        pay[(seg == BUSINESS) & (rng.random(k) < 0.6)] = 2  # business lines often pay by invoice
        s["pay"][i] = pay
        local = rng.integers(0, self.stores_per_region[reg])
        s["store"][i] = self.store_offset[reg] + local
        s["touch"][i] = _pick(rng, (0.45, 0.35, 0.20), k)  # app, web, store
        s["delivery"][i] = _pick(rng, (0.55, 0.20, 0.25), k)  # email, sms, app
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

    # -- one week --

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
        perceived = e + np.where(in_inc, p.incident_outage_effect, 0.0)
        perceived_cf = ecf + np.where(in_inc, p.incident_outage_effect, 0.0)

        # churn at the start of the week: current latent NPS category and open complaint
        cat = self._category(perceived)
        open_now = s["open_until"][:n] > t0
        base = self._base_hazard(seg, plan) * _season(
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
        e[:] = rho * e + common - p.effect_unresolved_contact * n_unres \
            + p.effect_resolved_contact * n_res
        ecf[:] = rho * ecf + common - p.effect_unresolved_contact * n_unres_cf \
            + p.effect_resolved_contact * n_res_cf
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
        w = _logistic(p.response_logit_intercept + p.response_logit_extremity
                      * np.abs(x - p.experience_reference_mean))
        det = _logistic((self.nps_cuts[6] - x) / p.nps_response_noise)
        pro = 1.0 - _logistic((self.nps_cuts[8] - x) / p.nps_response_noise)
        out = np.stack([np.bincount(cell, weights=w * v, minlength=15)
                        for v in (det, 1.0 - det - pro, pro)], axis=-1)
        self.respondent_counts[t] = out.reshape(5, 3, 3)

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
        day = _pick(self.rng, WEEKDAY_SHARES, k).astype(np.int64)
        return t0 + day * DAY_US + self._daytime(k)

    def _before(self, start: np.ndarray, delay: np.ndarray, t1: int) -> np.ndarray:
        """start + delay, re-drawn uniformly inside the week where it would spill over."""
        out = start + delay
        over = out >= t1
        room = (t1 - 1 - start[over]).astype(np.float64)
        out[over] = start[over] + (room * self.rng.random(int(over.sum()))).astype(np.int64)
        return out

    def _channel_mix(self, t: int) -> np.ndarray:
        """Contact channel shares in week t (self-service ramps up after launch)."""
        mix = np.asarray(self.p.channel_mix_before_launch, dtype=np.float64)
        mix = mix / mix.sum()
        r = _ramp(t - self.t_launch, self.p.self_service_ramp_weeks)
        return mix + r * self.migration * _migration_vector(self.p)

    def _contacts(self, t: int, t0: int, elig: np.ndarray, perceived: np.ndarray,
                  in_inc: np.ndarray, inc_on: bool,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Contacts of the week: counts, channels, reasons, agents, first-contact resolution.

        Returns resolved / unresolved counts per customer (actual and without the programme)
        and, per customer, a representative contact for complaints."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        seg = s["seg"][:n]
        season = _season(self.start_day + 7 * t, p.contact_seasonality_amplitude,
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
        ch = _pick(rng, mix, k)
        reason = _pick(rng, p.reason_shares, k)
        inc_rows = in_inc[cust]
        if inc_on and inc_rows.any():
            reason[inc_rows] = _pick(rng, INCIDENT_REASON_SHARES, int(inc_rows.sum()))
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
        resp = _logistic(p.contact_response_logit_intercept + p.contact_response_logit_extremity
                         * np.abs(exp_c - p.experience_reference_mean))
        r = np.flatnonzero(inv & (rng.random(k) < resp))
        m = len(r)
        if m == 0:
            return
        kind, chr_ = kind[r].astype(np.int8), ch[r].astype(np.int64)
        resolved = res[r].astype(np.float64) - p.resolution_reference
        lat_csat = exp_c[r] + p.csat_resolution_effect * resolved
        lat_ces = (p.ces_experience_weight * exp_c[r] + p.ces_resolution_effect * resolved
                   + np.asarray(p.ces_channel_ease)[chr_])
        score_csat = _ordered(lat_csat, self.csat_cuts, p.csat_response_noise, rng, 1)
        score_ces = _ordered(lat_ces, self.ces_cuts, p.ces_response_noise, rng, 1)
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
        rng, m = self.rng, len(cust)
        share = self.p.comment_share * np.where(sentiment == 0, 1.35, 0.85)
        has = rng.random(m) < share
        first = rng.integers(0, N_FIRST, m)
        closer = np.where(rng.random(m) < 0.4, 1 + rng.integers(0, N_CLOSER, m), 0)
        code = ((theme.astype(np.int64) * 3 + sentiment) * N_FIRST + first) * (N_CLOSER + 1) \
            + closer
        self.surveys.add(cust=cust.astype(np.int32), at=at, kind=kind, score=score,
                         stage=stage, touch=touch, channel=channel,
                         agent=np.where(no_agent, -1, agent).astype(np.int32),
                         store=store.astype(np.int32), expect=expect,
                         comment=np.where(has, code, -1).astype(np.int32))

    def _complaints(self, t: int, t0: int, t1: int, elig: np.ndarray, perceived: np.ndarray,
                    in_inc: np.ndarray, n_unres: np.ndarray,
                    last: dict[str, np.ndarray]) -> np.ndarray:
        """Complaints of the week with timings; returns who had a fast resolution."""
        p, rng, s, n = self.p, self.rng, self.s, self.n
        logit = (p.complaint_logit_intercept + p.complaint_logit_unresolved * n_unres
                 - p.complaint_logit_experience * perceived
                 + np.where(in_inc, p.incident_complaint_logit, 0.0))
        who = np.flatnonzero(elig & (rng.random(n) < _logistic(logit)))
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
        channel = _pick(rng, (0.45, 0.10, 0.25, 0.10, 0.05, 0.05), k)
        channel[had] = CHANNEL_COMPLAINT_CHANNEL[last["ch"][pc[had]]]
        row = np.where(had, last["reason"][pc], 6)
        category = _pick_rows(rng, CATEGORY_BY_REASON[row])
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
        resp = _logistic(p.response_logit_intercept + p.response_logit_extremity
                         * np.abs(perceived - p.experience_reference_mean))
        who = np.flatnonzero(inv & (rng.random(n) < resp))
        m = len(who)
        score = _ordered(perceived[who], self.nps_cuts, p.nps_response_noise, rng, 0)
        at = self._week_times(monday * DAY_US, m)
        tenure_weeks = (monday - s["signup_day"][who]) // 7
        stage = np.full(m, 1, dtype=np.int8)
        stage[tenure_weeks % 52 >= 48] = 4
        stage[tenure_weeks < 13] = 0
        sentiment = np.digitize(score, [7, 9]).astype(np.int8)  # 0-6 / 7-8 / 9-10
        theme = _pick_rows(rng, NPS_THEME_MIX[sentiment])
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
               * _purchase_season(monday, p)
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
            product = _pick(rng, (0.75, 0.05, 0.20, 0, 0, 0, 0), m)
        else:
            product = _pick(rng, PRODUCT_SHARES, m)
        amount = np.round(PRODUCT_MEDIAN_PRICE[product] * np.exp(rng.normal(0, 0.35, m)), 2)
        channel = _pick(rng, (0.35, 0.20, 0.35, 0.10), m) + 3
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

    # -- output --

    def frames(self) -> dict[str, pd.DataFrame]:
        """The raw-contract frames (ids in time order within each week)."""
        s, n = self.s, self.n
        cid = np.arange(1, n + 1, dtype=np.int64)
        churned = s["churn_day"][:n] >= 0
        customers = pd.DataFrame({
            "customer_id": cid,
            "segment": _strings(s["seg"][:n], SEGMENTS),
            "region": _strings(s["reg"][:n], REGIONS),
            "plan": _strings(s["plan"][:n], PLANS),
            "acquisition_channel": _strings(s["acq"][:n], ACQUISITION_CHANNELS),
            "signup_date": _dates(s["signup_day"][:n]),
            "churn_date": _dates(s["churn_day"][:n], ~churned),
        }, copy=False)
        churn_end_us = np.where(churned, (s["churn_day"][:n].astype(np.int64) + 1) * DAY_US,
                                NEVER_US)
        self.progress("assembling contacts")
        c = self.contacts
        no_agent = c.pop("no_agent").astype(bool)
        contacts = pd.DataFrame({
            "contact_id": np.arange(1, len(no_agent) + 1, dtype=np.int64),
            "customer_id": _ids(c.pop("cust")),
            "occurred_at": _timestamps(c.pop("ts")),
            "channel": _strings(c.pop("ch"), CONTACT_CHANNELS),
            "reason": _strings(c.pop("reason"), REASONS),
            "handle_seconds": c.pop("handle").astype(np.int64),
            "is_resolved": c.pop("res").astype(bool),
            "agent_id": _nullable_int(c.pop("agent").astype(np.int64) + 1, no_agent),
        }, copy=False)
        del c
        self.contacts = _Frames({})
        self.progress("assembling complaints")
        q = self.complaints
        cust = q.pop("cust").astype(np.int64)
        limit = np.minimum(churn_end_us[cust], self.end_us)
        first = q.pop("first").astype(np.int64)
        resolved = q.pop("resolved").astype(np.int64)
        first_missing = q.pop("fr_missing").astype(bool) | (first >= limit)
        # a resolution after the data cut or after the customer left: still open when they left
        res_missing = resolved >= limit
        complaints = pd.DataFrame({
            "complaint_id": np.arange(1, len(cust) + 1, dtype=np.int64),
            "customer_id": cust + 1,
            "opened_at": _timestamps(q.pop("opened")),
            "first_response_at": _timestamps(first, first_missing),
            "resolved_at": _timestamps(resolved, res_missing),
            "channel": _strings(q.pop("channel"), COMPLAINT_CHANNELS),
            "category": _strings(q.pop("category"), COMPLAINT_CATEGORIES),
            "severity": _strings(q.pop("severity"), SEVERITIES),
            "contacts_count": q.pop("contacts").astype(np.int64),
            "is_resolved_first_contact": q.pop("rfc").astype(bool) & ~res_missing,
            "compensation_amount": q.pop("amount").astype(np.float64),
        }, copy=False)
        self.progress("assembling survey responses")
        r = self.surveys
        kind = r.pop("kind").astype(np.int8)
        agent = r.pop("agent").astype(np.int64)
        store = r.pop("store").astype(np.int64)
        expect = r.pop("expect").astype(np.int64)
        comment = r.pop("comment").astype(np.int64)
        at = r.pop("at").astype(np.int64)
        scale_max = np.array([10, 7, 7])[kind]
        surveys = pd.DataFrame({
            "response_id": np.arange(1, len(kind) + 1, dtype=np.int64),
            "customer_id": _ids(r.pop("cust")),
            "responded_at": _timestamps(at),
            "survey": _strings(kind, SURVEYS),
            "score": r.pop("score").astype(np.int64),
            "scale_min": np.where(kind == NPS, 0, 1).astype(np.int64),
            "scale_max": scale_max.astype(np.int64),
            "journey_stage": _strings(r.pop("stage"), JOURNEY_STAGES),
            "touchpoint": _strings(r.pop("touch"), TOUCHPOINTS),
            "channel": _strings(r.pop("channel"), SURVEY_CHANNELS),
            "agent_id": _nullable_int(agent + 1, agent < 0),
            "store_id": _nullable_int(store + 1, store < 0),
            "expectation_score": _nullable_int(expect, expect < 0),
            "comment": _strings(np.maximum(comment, 0), COMMENTS, comment < 0),
        }, copy=False)
        self.progress("assembling transactions")
        x = self.transactions
        ts = x.pop("ts").astype(np.int64)
        transactions = pd.DataFrame({
            "transaction_id": np.arange(1, len(ts) + 1, dtype=np.int64),
            "customer_id": _ids(x.pop("cust")),
            "occurred_at": _timestamps(ts),
            "amount": x.pop("amount").astype(np.float64),
            "product": _strings(x.pop("product"), PRODUCTS),
            "channel": _strings(x.pop("channel"), TRANSACTION_CHANNELS),
            "kind": _strings(x.pop("kind"), KINDS),
        }, copy=False)
        return {"customers": customers, "survey_responses": surveys, "complaints": complaints,
                "contacts": contacts, "transactions": transactions}


# --- truth -----------------------------------------------------------------------------------


def _nps_of(counts: np.ndarray) -> float:
    """NPS of category counts (detractor, passive, promoter) summed over leading axes."""
    c = counts.reshape(-1, 3).sum(axis=0).astype(np.float64)
    total = c.sum()
    return float("nan") if total == 0 else 100.0 * (c[PROMOTER] - c[DETRACTOR]) / total


def _describe(key: str, value: Any) -> str:
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


def _truth(w: _World, seed: int, customers: int, end_week: str) -> dict[str, pd.DataFrame]:
    """truth_parameters and truth_events from the parameters and the simulation's latent state."""
    p = w.p
    weeks = w.weeks
    inc_t, launch_t, prog_t = w.t_incident, w.t_launch, w.t_programme
    reg = w.inc_region

    def window(a: int, b: int) -> slice:
        return slice(max(a, 0), min(max(b, 0), weeks))

    lc = w.latent_counts
    before = _nps_of(lc[window(inc_t - 4, inc_t), reg])
    during = _nps_of(lc[window(inc_t, inc_t + p.incident_weeks), reg])
    inc_nps = during - before
    rc = w.respondent_counts
    inc_resp = (_nps_of(rc[window(inc_t, inc_t + p.incident_weeks), reg])
                - _nps_of(rc[window(inc_t - 4, inc_t), reg]))
    inc_wow = _nps_of(rc[window(inc_t, inc_t + 1), reg]) - _nps_of(
        rc[window(inc_t - 1, inc_t), reg])
    ratios = []
    for arr in (w.contacts_region, w.complaints_region):
        pre = arr[window(inc_t - 4, inc_t), reg].sum() / max(
            w.active_region[window(inc_t - 4, inc_t), reg].sum(), 1)
        dur = arr[window(inc_t, inc_t + p.incident_weeks), reg].sum() / max(
            w.active_region[window(inc_t, inc_t + p.incident_weeks), reg].sum(), 1)
        ratios.append(dur / pre if pre > 0 else float("nan"))
    seg = w.prog_segment
    after = window(prog_t + 8, prog_t + 34)
    prog_nps = _nps_of(lc[after, :, seg]) - _nps_of(w.latent_cf_counts[after])
    others = [k for k in range(len(SEGMENTS)) if k != seg]
    before_p = window(prog_t - 26, prog_t)
    prog_did = ((_nps_of(lc[after, :, seg]) - _nps_of(lc[before_p, :, seg]))
                - (_nps_of(lc[after][:, :, others]) - _nps_of(lc[before_p][:, :, others])))
    prog_did_resp = ((_nps_of(rc[after, :, seg]) - _nps_of(rc[before_p, :, seg]))
                     - (_nps_of(rc[after][:, :, others]) - _nps_of(rc[before_p][:, :, others])))
    h_act = w.hazard_sum[window(prog_t, weeks), seg].sum()
    h_cf = w.hazard_cf_sum[window(prog_t, weeks)].sum()
    prog_churn = 100.0 * (h_act / h_cf - 1.0) if h_cf > 0 else float("nan")
    pre, post = window(launch_t - p.cost_window_weeks, launch_t), window(
        launch_t, launch_t + p.cost_window_weeks)
    cost_drop = 100.0 * (1 - (w.expected_cost[post].sum() / max(w.active_start[post].sum(), 1))
                         / max(w.expected_cost[pre].sum() / max(w.active_start[pre].sum(), 1),
                               1e-12))
    annual = 100.0 * (1 - math.exp(-52 * w.hazard_sum.sum() / max(w.exposure.sum(), 1)))

    label = w.week_label
    rows: list[tuple[str, Any, str]] = [
        ("seed", seed, "random seed of numpy's Generator"),
        ("customers", customers, "active customers at the window start"),
        ("end_week", end_week, "last ISO week of the window"),
        ("weeks", weeks, "ISO weeks in the window"),
        ("start_week", label(0), "first ISO week of the window"),
        ("churn_ratio_detractor_promoter", p.churn_ratio_detractor_promoter,
         "planted weekly churn hazard ratio, current latent detractor vs promoter"),
        ("churn_ratio_unresolved_complaint", p.churn_ratio_unresolved_complaint,
         "planted weekly churn hazard ratio, open complaint vs none"),
        ("incident_region", p.incident_region, "region of the planted service incident"),
        ("incident_start_week", label(inc_t), "first ISO week of the incident"),
        ("incident_weeks", p.incident_weeks, "length of the incident in weeks"),
        ("incident_latent_nps_effect_pts", round(inc_nps, 2),
         "latent NPS in the incident region, incident weeks minus the 4 weeks before"),
        ("incident_respondent_nps_effect_pts", round(inc_resp, 2),
         "the same change in the NPS expected among respondents (extremes answer more often)"),
        ("incident_respondent_nps_first_week_change_pts", round(inc_wow, 2),
         "expected respondent NPS in the region, first incident week minus the week before"),
        ("incident_contact_rate_ratio", round(ratios[0], 3),
         "contacts per active customer in the region, incident weeks over the 4 weeks before"),
        ("incident_complaint_rate_ratio", round(ratios[1], 3),
         "complaints per active customer in the region, incident weeks over the 4 weeks before"),
        ("self_service_launch_week", label(launch_t), "ISO week self-service launched"),
        ("self_service_migration_share", round(w.migration, 4),
         "share of all contacts moved to self-service once the ramp completes (solved so the "
         "expected cost-to-serve drop equals the planted one)"),
        ("planted_cost_to_serve_drop_pct", p.planted_cost_to_serve_drop_pct,
         "planted drop in cost to serve per active customer, 13 weeks after vs before launch"),
        ("self_service_expected_cost_drop_pct", round(cost_drop, 2),
         "the same drop from the simulated contact rates (no Poisson noise)"),
        ("programme_segment", p.programme_segment, "segment of the FCR improvement programme"),
        ("programme_start_week", label(prog_t), "first ISO week of the programme"),
        ("programme_fcr_uplift_pp", p.programme_fcr_uplift_pp,
         "first-contact resolution uplift in percentage points"),
        ("programme_latent_nps_effect_pts", round(prog_nps, 2),
         "latent NPS of the segment vs its no-programme counterfactual, weeks 8-33 after start"),
        ("programme_latent_nps_did_pts", round(prog_did, 2),
         "latent NPS difference-in-differences, segment vs the others, weeks 8-33 after start vs "
         "the 26 weeks before"),
        ("programme_respondent_nps_did_pts", round(prog_did_resp, 2),
         "the same difference-in-differences of the NPS expected among respondents"),
        ("programme_churn_effect_pct", round(prog_churn, 2),
         "expected churn of the segment vs its no-programme counterfactual, after start (%)"),
        ("baseline_annual_churn_pct", round(annual, 2),
         "expected annual churn from the simulated weekly hazards"),
        ("nps_thresholds", json.dumps([round(x, 4) for x in w.nps_cuts]),
         "ordered-logit cut points of the 0-10 score on the experience scale"),
    ]
    taken = {r[0] for r in rows}
    rows.extend((key, value, _describe(key, value)) for key, value in asdict(p).items()
                if key not in taken)
    params = pd.DataFrame({
        "key": [r[0] for r in rows],
        "value": [json.dumps(list(r[1])) if isinstance(r[1], tuple) else str(r[1])
                  for r in rows],
        "description": [r[2] for r in rows],
    }).astype("str")

    def wk(t: int) -> str:
        return label(t)

    events = [
        ("incident", wk(inc_t), wk(inc_t + p.incident_weeks - 1), "region", p.incident_region,
         "nps", round(inc_nps, 2),
         "latent NPS of all customers in the region, incident weeks minus the 4 weeks before"),
        ("incident", wk(inc_t), wk(inc_t + p.incident_weeks - 1), "region", p.incident_region,
         "nps_respondents", round(inc_resp, 2),
         "the same change in the NPS expected among survey respondents (what surveys measure)"),
        ("incident", wk(inc_t), wk(inc_t + p.incident_weeks - 1), "region", p.incident_region,
         "contact_rate", round(ratios[0], 3), "contacts per active customer (ratio)"),
        ("incident", wk(inc_t), wk(inc_t + p.incident_weeks - 1), "region", p.incident_region,
         "complaint_rate", round(ratios[1], 3), "complaints per active customer (ratio)"),
        ("self_service_launch", wk(launch_t),
         wk(launch_t + p.self_service_ramp_weeks - 1), "all", "all", "cost_to_serve",
         -p.planted_cost_to_serve_drop_pct,
         "cost to serve per active customer, 13 weeks after vs before launch (%)"),
        ("improvement_programme", wk(prog_t), wk(weeks - 1), "segment", p.programme_segment,
         "fcr", p.programme_fcr_uplift_pp, "first-contact resolution (percentage points)"),
        ("improvement_programme", wk(prog_t), wk(weeks - 1), "segment", p.programme_segment,
         "nps", round(prog_nps, 2),
         "latent NPS of the segment vs its no-programme counterfactual, weeks 8-33 after"),
        ("improvement_programme", wk(prog_t), wk(weeks - 1), "segment", p.programme_segment,
         "nps_respondents_did", round(prog_did_resp, 2),
         "respondent NPS difference-in-differences vs the other segments, weeks 8-33 after "
         "start vs the 26 weeks before (points)"),
        ("improvement_programme", wk(prog_t), wk(weeks - 1), "segment", p.programme_segment,
         "churn_rate", round(prog_churn, 2), "expected churn vs counterfactual (%)"),
        ("churn_drivers", wk(0), wk(weeks - 1), "all", "all", "churn_ratio_detractor_promoter",
         p.churn_ratio_detractor_promoter, "weekly churn hazard ratio (latent category)"),
        ("churn_drivers", wk(0), wk(weeks - 1), "all", "all",
         "churn_ratio_unresolved_complaint", p.churn_ratio_unresolved_complaint,
         "weekly churn hazard ratio, open complaint vs none"),
    ]
    cols = ["event", "start_week", "end_week", "scope_kind", "scope_value", "metric",
            "planted_effect", "description"]
    ev = pd.DataFrame(events, columns=cols)
    for c in cols:
        if c != "planted_effect":
            ev[c] = ev[c].astype("str")
    ev["planted_effect"] = ev["planted_effect"].astype(np.float64)
    return {"truth_parameters": params, "truth_events": ev}


# --- public API ------------------------------------------------------------------------------


def generate(customers: int = 50_000, seed: int = 7, end_week: str = "2026-W44",
             weeks: int = 104, progress: Callable[[str], None] | None = None,
             ) -> dict[str, pd.DataFrame]:
    """Generate the demo world: raw-contract frames plus ``truth_parameters``/``truth_events``.

    ``customers`` is the active base at the window start (new signups keep it roughly level),
    the window is the ``weeks`` ISO weeks ending with ``end_week`` (``YYYY-Www``, Monday to
    Sunday, UTC). The same arguments give bit-identical frames.
    """
    end_monday = parse_week(end_week)
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer):
        raise ValueError(f"customers must be an integer, got {customers!r}")
    if customers < 100:
        raise ValueError(f"customers must be at least 100, got {customers}")
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 1:
        raise ValueError(f"weeks must be a positive integer, got {weeks!r}")
    report: Progress = progress or (lambda _msg: None)
    start = end_monday - timedelta(weeks=int(weeks) - 1)
    world = _World(PARAMS, int(customers), int(seed), start, int(weeks), report)
    report(f"seeding {customers:,} existing customers")
    world.seed_existing_base()
    every = max(1, math.ceil(weeks / 13))
    for t in range(weeks):
        if t % every == 0:
            report(f"simulating week {t + 1}/{weeks}")
        world.step(t)
    out = world.frames()
    out.update(_truth(world, int(seed), int(customers), end_week))
    report("demo world ready")
    return out
