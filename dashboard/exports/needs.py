"""What each chart and page of the app is drawn from: the raw tables that must hold rows.

With one of a chart's tables empty the chart is not loaded: the page shows the load hint in its
place (``ui.common.exhibit``) and the board pack leaves it out and lists it
(``exhibits.Catalogue``). With one of a page's main tables empty the page shows one info state
instead of empty charts, and the pack computes none of its charts. Data, not scattered ifs: the
metrics declare theirs in the registry (``Metric.tables``), money figures in
``money.figures.NEEDS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.metrics.registry import REGISTRY
from dashboard.warehouse.coverage import COMPLAINTS, CONTACTS, CUSTOMERS, SURVEYS, TRANSACTIONS

#: The raw tables each chart is drawn from (a chart of the Segment comparison names its KPI's
#: own, ``Exhibit.needs``). With one of them empty the chart is not loaded: the page shows the
#: load hint in its place and the pack leaves it out and lists it.
NEEDS: Mapping[str, tuple[str, ...]] = {
    **{f"trend_{m.name}": m.tables for m in REGISTRY.values()},
    **{k: (SURVEYS,) for k in ("sat_trend", "sat_mix", "sat_distribution", "sat_gap")},
    **{k: (CUSTOMERS, COMPLAINTS) for k in (
        "cmp_volume", "cmp_pareto", "cmp_severity", "cmp_resolution", "cmp_backlog",
        "cmp_recovery_retention", "cmp_compensation")},
    "cmp_recovery_nps": (COMPLAINTS, SURVEYS),
    **{k: (CUSTOMERS, CONTACTS) for k in (
        "cts_channels", "cts_segments", "cts_mix", "cts_repeat_channels", "cts_repeat_trend",
        "cts_waterfall")},
    "churn_monthly": (CUSTOMERS,), "churn_cohorts": (CUSTOMERS,),
    "churn_monthly_revenue": (CUSTOMERS, TRANSACTIONS),
    "churn_revenue_lost": (CUSTOMERS, TRANSACTIONS),
    "churn_km_nps": (CUSTOMERS, SURVEYS), "churn_km_complaint": (CUSTOMERS, COMPLAINTS),
    "money_clv_chart": (CUSTOMERS, TRANSACTIONS),
    "money_did_nps": (SURVEYS,), "money_did_fcr": (CONTACTS,), "money_did_cts": (CONTACTS,),
    "sim_point_values": (SURVEYS, TRANSACTIONS),
    "sim_tornado": (TRANSACTIONS,), "sim_draws": (TRANSACTIONS,),
}

#: The tables a page cannot do without: with one of them empty the page shows one info state
#: with the load hint (and the pack computes none of its charts).
PAGE_NEEDS: Mapping[str, tuple[str, ...]] = {
    "Satisfaction": (SURVEYS,), "Complaints": (COMPLAINTS,), "Cost to serve": (CONTACTS,),
    "Churn & retention": (CUSTOMERS,), "CX in money": (TRANSACTIONS,),
    "Impact simulator": (TRANSACTIONS,),
}


#: The keys each page can contribute (a page may draw fewer, e.g. no programme in the filter).
PAGE_KEYS: Mapping[str, tuple[str, ...]] = {
    "Weekly KPIs": tuple(f"trend_{m}" for m in ("nps", "csat", "ces", "complaint_rate",
                                                 "churn_rate_4w", "cost_to_serve", "revenue")),
    "Satisfaction": ("sat_trend", "sat_mix", "sat_distribution", "sat_gap"),
    "Complaints": ("cmp_volume", "cmp_pareto", "cmp_severity", "cmp_resolution",
                   "cmp_backlog", "cmp_recovery_retention", "cmp_recovery_nps",
                   "cmp_compensation"),
    "Cost to serve": ("cts_channels", "cts_segments", "cts_mix", "cts_repeat_channels",
                      "cts_repeat_trend", "cts_waterfall"),
    "Churn & retention": ("churn_monthly", "churn_monthly_revenue", "churn_cohorts",
                          "churn_km_nps", "churn_km_complaint", "churn_revenue_lost"),
    "Segment comparison": ("cmp_ranking_chart", "cmp_trend"),
    "CX in money": ("money_clv_chart", "money_did_nps", "money_did_fcr", "money_did_cts"),
    "Impact simulator": ("sim_point_values",),
}


def owner_pages() -> dict[str, str]:
    """Chart key → the page that draws it."""
    return {k: title for title, keys in PAGE_KEYS.items() for k in keys}


def unknown_keys(keys) -> list[str]:
    """The keys no page draws, sorted."""
    owners = owner_pages()
    return sorted({k for k in keys if k not in owners})
