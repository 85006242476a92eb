"""The numbers behind every data table of the pages, as their CSV and XLSX carry them.

A table on screen is text ("+23.7 to +44.0", "$1,280.75", "93.3% (91.7% – 94.5%)"); its
download is the same rows as numbers: one column per quantity (value, low, high, n …) in
snake_case with the unit in the name where it helps, rounded by unit (``numbers.DECIMALS``),
an empty cell where the screen says "insufficient base" or "not loaded" and a status column
saying which. Each function takes the report the page already computed, so a table and its
download never disagree; a section with no rows gives an empty frame. No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from dashboard.exports import numbers
from dashboard.exports.numbers import rounded


def _money(*cols: str) -> dict[str, str]:
    return dict.fromkeys(cols, "money")


def _empty(df: pd.DataFrame | None) -> bool:
    """No rows to export (a section not computed for this selection)."""
    return df is None or df.empty


# --- Satisfaction --------------------------------------------------------------------------

def sat_movers(report) -> pd.DataFrame:
    """Each group's score both weeks, its interval, change and corrected test."""
    m = report.movers
    if _empty(m):
        return pd.DataFrame()
    unit = numbers.metric_unit(report.view.metric)
    out = pd.DataFrame({
        "group": m["group"], "n_week": m["n_week"], "n_compare": m["n_compare"],
        "value_week": m["value_week"], "ci_low_week": m["ci_low_week"],
        "ci_high_week": m["ci_high_week"], "value_compare": m["value_compare"],
        "delta": m["delta"], "p_value": m["p_value"], "p_adjusted": m["p_adjusted"],
        "significant": m["significant"], "verdict": m["verdict"],
    })
    return rounded(out, dict.fromkeys(("value_week", "ci_low_week", "ci_high_week",
                                       "value_compare", "delta"), unit))


# --- Complaints ----------------------------------------------------------------------------

def cmp_repeat(report) -> pd.DataFrame:
    """Customers by the number of complaints they opened in the window."""
    r = report.repeat
    if _empty(r):
        return pd.DataFrame()
    return rounded(pd.DataFrame({"complaints_opened": r["complaints"].astype(str),
                                 "customers": r["customers"], "share_pct": r["share_pct"]}))


def cmp_recovery(report) -> pd.DataFrame:
    """Retention and next NPS by how the complaint was handled, with corrected tests."""
    r = report.recovery
    if _empty(r):
        return pd.DataFrame()
    cols = ["label", "customers", "retention_pct", "retention_low", "retention_high",
            "retention_status", "retention_p_adj", "retention_significant", "nps_n", "nps",
            "nps_low", "nps_high", "nps_status", "nps_p_adj", "nps_significant"]
    out = r[[c for c in cols if c in r.columns]].rename(columns={"label": "group"})
    return rounded(out.reset_index(drop=True),
                   {"retention_low": "pct", "retention_high": "pct", "nps": "score",
                    "nps_low": "score", "nps_high": "score"})


# --- Cost to serve -------------------------------------------------------------------------

def cts_channels(report) -> pd.DataFrame:
    """Contacts, rate per 1,000 customers, unit cost, cost and repeats per channel."""
    c = report.channel_week
    if _empty(c):
        return pd.DataFrame()
    cols = ["label", "contact_count", "contact_share_pct", "per_1000", "per_1000_low",
            "per_1000_high", "per_1000_status", "cost_per_contact", "cost_valid_from",
            "contact_cost", "cost_share_pct", "repeat_count", "repeat_share_pct",
            "repeat_status", "repeat_cost"]
    out = c[[k for k in cols if k in c.columns]].rename(columns={"label": "channel"})
    return rounded(out.reset_index(drop=True),
                   {"per_1000": "rate", "per_1000_low": "rate", "per_1000_high": "rate",
                    **_money("cost_per_contact", "contact_cost", "repeat_cost")})


def cts_segments(report) -> pd.DataFrame:
    """Cost to serve per active customer by segment, against the comparison week."""
    s = report.segments
    if _empty(s):
        return pd.DataFrame()
    cols = ["segment", "value", "ci_low", "ci_high", "n", "status", "previous", "delta",
            "p_adjusted", "significant"]
    return rounded(s[[c for c in cols if c in s.columns]].reset_index(drop=True),
                   _money("value", "ci_low", "ci_high", "previous", "delta"))


def cts_unit_costs(report) -> pd.DataFrame:
    """The unit costs in force, per channel."""
    if _empty(report.unit_cost_numbers):
        return pd.DataFrame()
    return rounded(report.unit_cost_numbers, _money("unit_cost"))


def cts_savings(report) -> pd.DataFrame:
    """Contacts per 1,000 customer-weeks, shares and unit costs, baseline and now."""
    s = report.savings
    if s is None or _empty(s.channel_numbers):
        return pd.DataFrame()
    return rounded(s.channel_numbers,
                   {"contacts_per_1000_baseline": "rate", "contacts_per_1000_now": "rate",
                    **_money("unit_cost_baseline", "unit_cost_now")})


# --- Churn & retention ---------------------------------------------------------------------

def churn_survival(report) -> pd.DataFrame:
    """Share still active at each checkpoint with its interval, and the restricted mean,
    per group (the survival table, one row per group × checkpoint)."""
    from dashboard.analysis import churn
    from dashboard.metrics.survival import restricted_mean

    _, _, horizon = report.window
    rows = []
    for g in (*report.survival_nps, *report.survival_complaint):
        mean = restricted_mean(g.curve, horizon) if g.shown else None
        for t in churn.CHECKPOINTS:
            if t > horizon:
                continue
            at = g.at(t)
            rows.append({"group": g.label, "customers": g.n, "churned": g.events,
                         "status": g.status, "weeks": t,
                         "still_active_pct": None if at is None else 100 * at[0],
                         "ci_low": None if at is None else 100 * at[1],
                         "ci_high": None if at is None else 100 * at[2],
                         "mean_weeks_active": mean, "horizon_weeks": horizon})
    cols = ["group", "customers", "churned", "status", "weeks", "still_active_pct", "ci_low",
            "ci_high", "mean_weeks_active", "horizon_weeks"]
    return rounded(pd.DataFrame(rows, columns=cols),
                   {"ci_low": "pct", "ci_high": "pct", "mean_weeks_active": "weeks"})


#: An amount as ``cards.money(v, symbol, 2)`` writes it: exact to the cent.
_AMOUNT = re.compile(r"^([−-])?\D*?([\d,]+\.\d{2})$")


def parse_amount(text: object) -> float | None:
    """``$1,280.75`` → 1280.75 (``−$3.10`` → −3.1); None for anything else (not loaded)."""
    m = _AMOUNT.match(str(text).strip())
    if not m:
        return None
    v = float(m.group(2).replace(",", ""))
    return -v if m.group(1) else v


def churn_at_risk(report) -> pd.DataFrame:
    """The at-risk customers listed, with their trailing revenue as a number (the list's
    amounts are written to the cent, so the number is exact)."""
    t = report.at_risk
    if _empty(t):
        return pd.DataFrame()
    out = pd.DataFrame({
        "rank": t.get("Rank", pd.Series(dtype="Int64")),
        "customer_id": t.get("Customer id", pd.Series(dtype=object)),
        **{d.lower(): t[d] for d in ("Segment", "Region", "Plan") if d in t.columns},
        "why_at_risk": t.get("Why at risk", pd.Series(dtype=object)),
        "revenue_last_13_weeks": [parse_amount(v) for v in
                                  t.get("Revenue, last 13 weeks", pd.Series(dtype=object))],
    })
    return rounded(out, _money("revenue_last_13_weeks"))


# --- Segment comparison --------------------------------------------------------------------

def cmp_side_by_side(report) -> pd.DataFrame:
    """One row per KPI × group: value, interval, n, change against the reference group and
    its corrected test; each row's numbers rounded by its KPI's unit (column ``unit``)."""
    from dashboard.analysis.compare import COMPARE_REGISTRY, CONTEXT_LABELS
    from dashboard.metrics.registry import REGISTRY

    known = {**REGISTRY, **COMPARE_REGISTRY}  # revenue is compared per customer
    f = report.cells_frame()
    if f.empty:
        return f
    ref = report.selection.reference
    out = pd.DataFrame({
        "kpi": [CONTEXT_LABELS.get(m, known[m].label) for m in f["metric"]],
        "unit": [numbers.metric_unit(known[m]) for m in f["metric"]],
        "group": f["group"], "value": f["value"], "ci_low": f["ci_low"],
        "ci_high": f["ci_high"], "n": f["n"], "status": f["status"],
        "reference_group": ref,
        "delta_vs_reference": [None if g == ref else d
                               for g, d in zip(f["group"], f["delta"], strict=True)],
        "p_adjusted": f["p_adjusted"], "significant": f["significant"],
    })
    return rounded(out, dict.fromkeys(("value", "ci_low", "ci_high", "delta_vs_reference"),
                                      "@unit"))


def cmp_ranking(report) -> pd.DataFrame:
    """Every group's value on the KPI with its interval and base, ranked."""
    r = report.ranking
    if _empty(r):
        return pd.DataFrame()
    cols = ["rank", "group", "value", "ci_low", "ci_high", "n", "status"]
    return rounded(r[[c for c in cols if c in r.columns]].reset_index(drop=True),
                   dict.fromkeys(("value", "ci_low", "ci_high"),
                                 numbers.metric_unit(report.metric)))


# --- CX in money ---------------------------------------------------------------------------

def _segment_rows(df: pd.DataFrame, report) -> pd.DataFrame:
    """The rows the table shows: by segment, or the customers as a whole (one segment)."""
    from dashboard.money.inputs import ALL

    if report.split_note:
        return df[df["segment"] == ALL] if "segment" in df.columns else df
    return df[df["segment"] != ALL] if "segment" in df.columns else df


def _churn_12m_pct(c: pd.DataFrame) -> dict[str, pd.Series]:
    """The 12-month churn rate and its interval, in percent (CLV and category tables)."""
    return {"churn_12m_pct": 100 * c["churn_rate"], "churn_12m_low_pct": 100 * c["churn_low"],
            "churn_12m_high_pct": 100 * c["churn_high"]}


def money_clv(report) -> pd.DataFrame:
    """Lifetime value per customer by segment with its inputs and P10–P90 band."""
    if _empty(report.clv):
        return pd.DataFrame()
    c = _segment_rows(report.clv, report)
    out = pd.DataFrame({
        "segment": c["segment"], "active_customers_now": c["active_now"],
        "revenue_per_customer_year": c["revenue_per_year"],
        "cost_to_serve_per_customer_year": c["cts_per_year"],
        "margin_per_customer_year": c["margin_per_year"],
        **_churn_12m_pct(c),
        "lifetime_value": c["value"], "lifetime_value_p10": c["low"],
        "lifetime_value_p90": c["high"], "value_of_1pp_retention": c["per_retention_pp"],
    }).reset_index(drop=True)
    return rounded(out, _money("revenue_per_customer_year", "cost_to_serve_per_customer_year",
                               "margin_per_customer_year", "lifetime_value",
                               "lifetime_value_p10", "lifetime_value_p90",
                               "value_of_1pp_retention"))


def money_categories(report) -> pd.DataFrame:
    """Churn, revenue, cost to serve and lifetime value by NPS category, with intervals."""
    from dashboard.metrics import stats
    from dashboard.money.churn_value import CATEGORY_LABELS

    c, z = report.categories, stats.Z95
    if _empty(c):
        return pd.DataFrame()
    out = pd.DataFrame({
        "nps_category": [CATEGORY_LABELS.get(k, k) for k in c["nps_category"]],
        "customers_at_window_start": c["customers"],
        **_churn_12m_pct(c),
        "revenue_per_customer_year": c["revenue_per_year"],
        "revenue_low": c["revenue_per_year"] - z * c["revenue_se"],
        "revenue_high": c["revenue_per_year"] + z * c["revenue_se"],
        "cost_to_serve_per_customer_year": c["cts_per_year"],
        "cost_to_serve_low": c["cts_per_year"] - z * c["cts_se"],
        "cost_to_serve_high": c["cts_per_year"] + z * c["cts_se"],
        "lifetime_value": c["clv"], "lifetime_value_p10": c["clv_low"],
        "lifetime_value_p90": c["clv_high"], "active_customers_now": c["active_now"],
    }).reset_index(drop=True)
    return rounded(out, _money("revenue_per_customer_year", "revenue_low", "revenue_high",
                               "cost_to_serve_per_customer_year", "cost_to_serve_low",
                               "cost_to_serve_high", "lifetime_value", "lifetime_value_p10",
                               "lifetime_value_p90"))


def money_rar(report) -> pd.DataFrame:
    """Revenue at risk a year by segment with its P10–P90 band and inputs."""
    if _empty(report.rar_segments):
        return pd.DataFrame()
    r = _segment_rows(report.rar_segments, report)
    out = pd.DataFrame({
        "segment": r["segment"], "passives_now": r["passives_now"],
        "excess_churn_passives_pp": 100 * r["excess_churn_passive"],
        "detractors_now": r["detractors_now"],
        "excess_churn_detractors_pp": 100 * r["excess_churn_detractor"],
        "revenue_at_risk_year": r["value"], "revenue_at_risk_p10": r["low"],
        "revenue_at_risk_p90": r["high"],
    }).reset_index(drop=True)
    return rounded(out, {"excess_churn_passives_pp": "pct",
                         "excess_churn_detractors_pp": "pct",
                         **_money("revenue_at_risk_year", "revenue_at_risk_p10",
                                  "revenue_at_risk_p90")})


#: Each programme outcome's unit in exports (``cts_log`` is a proportional change, in %).
DID_UNITS: Mapping[str, str] = {"nps": "score", "fcr": "pct", "cts": "money", "cts_log": "pct"}


def money_did(report) -> pd.DataFrame:
    """The programme's difference-in-differences per outcome, before and after, with its
    95% interval (``unit`` names each row's unit)."""
    import math

    from dashboard.money.value import OUTCOME_LABELS

    p = report.programme
    if p is None:
        return pd.DataFrame()
    rows = []
    for key, e in p.effects.items():
        log = key == "cts_log"  # the proportional change: exp(estimate) − 1, in %

        def conv(v: float, log: bool = log) -> float:
            return 100 * (math.exp(v) - 1) if log else v

        rows.append({
            "outcome": OUTCOME_LABELS[key][0], "unit": DID_UNITS[key],
            "treated_segment": p.segment,
            "treated_before": None if log else e.treated_before,
            "treated_after": None if log else e.treated_after,
            "others_before": None if log else e.control_before,
            "others_after": None if log else e.control_after,
            "difference_in_differences": conv(e.estimate), "ci_low": conv(e.ci_low),
            "ci_high": conv(e.ci_high), "newey_west_lags": e.lags,
            "weeks_before": e.weeks_before, "weeks_after": e.weeks_after,
        })
    return rounded(pd.DataFrame(rows), dict.fromkeys(
        ("treated_before", "treated_after", "others_before", "others_after",
         "difference_in_differences", "ci_low", "ci_high"), "@unit"))


# --- Impact simulator ----------------------------------------------------------------------

def sim_components(result) -> pd.DataFrame:
    """Each lever's P50 revenue retained and cost saved and its profit band."""
    c = result.components
    if _empty(c):
        return pd.DataFrame()
    out = pd.DataFrame({
        "lever": c["label"], "revenue_retained_p50": c["revenue_retained_p50"],
        "cost_saved_p50": c["cost_saved_p50"], "profit_impact_p10": c["profit_impact_p10"],
        "profit_impact_p50": c["profit_impact_p50"],
        "profit_impact_p90": c["profit_impact_p90"],
    })
    return rounded(out, _money(*(k for k in out.columns if k != "lever")))


def sim_scenarios(numbers_frame: pd.DataFrame) -> pd.DataFrame:
    """Saved scenarios side by side (``sim_texts.scenario_numbers``)."""
    money_cols = [c for c in numbers_frame.columns
                  if c.endswith(("_p10", "_p50", "_p90")) or c == "programme_cost"]
    return rounded(numbers_frame, _money(*money_cols))


#: What each data table is called in the names of its downloads (the key when missing).
TABLE_NAMES = {
    "asm_values": "assumptions in force", "asm_log": "assumption change log",
    "asm_diff": "draft differences", "asm_history": "assumption publications",
    "churn_km_table": "survival by group", "churn_at_risk": "at-risk customers",
    "cmp_ranking": "ranking", "cmp_recovery_table": "complaint recovery",
    "cmp_repeat": "repeat complainants", "cmp_side_by_side": "kpis side by side",
    "cts_channel_table": "cost by channel", "cts_savings_table": "savings inputs",
    "cts_segment_table": "cost to serve by segment", "cts_unit_costs": "unit costs",
    "money_categories": "value by nps category", "money_clv": "lifetime value by segment",
    "money_did": "programme difference in differences", "money_rar": "revenue at risk",
    "sat_movers": "significant movers", "sim_components": "simulation by lever",
    "sim_compare": "scenarios compared", "money_external": "external context",
    "sim_external": "external context",
}
