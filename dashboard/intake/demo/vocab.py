"""The demo world's vocabularies (integer codes index into these) and its fixed operational shapes.

Codes are small integers: ``SEGMENTS[code]`` is the label a frame shows. The second half holds
the mappings and shares the simulation draws from that are not causal parameters (which journey
stage a contact reason belongs to, the weekday profile of contacts, product prices).
"""

from __future__ import annotations

import numpy as np

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

# --- fixed operational shapes ------------------------------------------------------------------

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
