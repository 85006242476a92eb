"""The Churn & retention page: who is leaving, why, and what it is costing.

One function, ``build_report``, reads the ``churn_*`` queries for the selected week and filters
and returns a frozen ``ChurnReport`` the page lays out. Everything here is pure.

Definitions (one rule for every churn figure: a customer is active on day t when
signup_date <= t and churn_date is null or later than t, a churn date being the first day the
customer is gone; a customer churns in a window [a, b) when active on a and not active on b):

* monthly churn (calendar months, the 12 complete months ending on or before the selected week):
  customers active at the month start who are no longer active at the next month start, over
  those active at the month start (Wilson interval). Revenue-weighted: the same with each
  customer weighted by their trailing 3-month revenue (net transactions in the three calendar
  months before the month start, floored at zero); a ratio estimator with a linearised (delta
  method) normal interval. Months whose three prior months are not all in the data are withheld.
* revenue lost to churn in a month: the trailing 3-month revenue (as above) of the customers who
  left in it — observed, shown with its annual run rate (× 4), never mixed with modelled money.
* cohort retention: customers who signed up in a calendar month (only months starting inside the
  data: older cohorts are seen only through their survivors) still active at the k-th month start
  after the signup month.
* survival (Kaplan–Meier, weeks): customers active at the window start — 52 weeks before the
  end of the selected week, or later if the data (plus 13 weeks of NPS history) starts later —
  followed to the end of the selected week and censored there. Groups: the latest relationship
  NPS answer before the window start; and whether a complaint opened before the window start was
  still unresolved at it (resolved later or never). Bands: Greenwood, log–log.
* at-risk list: customers active at the end of the selected week whose latest NPS answer, given
  in the 13 weeks before, was a detractor (0–6), or who have a complaint still unresolved;
  ranked by trailing 13-week revenue (net transactions in the 13 weeks to the selected week).
  The query returns, per segment × region × plan, only that profile's top AT_RISK_ROWS
  customers and the profile's totals (``at_risk_for``): the top AT_RISK_ROWS of any filter are
  among the top AT_RISK_ROWS of their own profiles, and the counts and revenue of a filter are
  sums over its profiles, so one result per week serves every filter without the full list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from dashboard.analysis import cards
from dashboard.analysis.cards import Card, WithCards
from dashboard.i18n import N_, _, currency, ngettext
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import DIMENSIONS, Filters, week_label
from dashboard.metrics.stats import Estimate
from dashboard.metrics.survival import SurvivalGroup, fit_groups, restricted_mean
from dashboard.warehouse import config, weeks
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.coverage import COMPLAINTS, CUSTOMERS, SURVEYS, TRANSACTIONS, Coverage
from dashboard.warehouse.weeks import first_week

MONTHS_SHOWN = 12
KM_WEEKS = 52
NPS_HISTORY_WEEKS = 13
MIN_FOLLOW_UP_WEEKS = 13
CHECKPOINTS = (13, 26, 52)
AT_RISK_ROWS = 100
RECENT_WEEKS = 13
NPS_GROUPS: dict[str, str] = {"promoter": N_("Promoters (9–10)"),
                              "passive": N_("Passives (7–8)"),
                              "detractor": N_("Detractors (0–6)"),
                              "no_answer": N_("No NPS answer")}
COMPLAINT_GROUPS: dict[str, str] = {"none": N_("No unresolved complaint"),
                                    "open": N_("Unresolved complaint at start")}
#: How a group is named inside a sentence (takeaways).
PHRASES: dict[str, str] = {"promoter": N_("promoters"), "passive": N_("passives"),
                           "detractor": N_("detractors"),
                           "no_answer": N_("customers without an answer"),
                           "none": N_("customers without an unresolved complaint"),
                           "open": N_("customers with an unresolved complaint")}
ALL_LABEL = "All filtered customers"
QUERIES = ("churn_monthly", "churn_cohorts", "churn_survival", "churn_at_risk",
           "assumptions_in_force", "weeks_available", "data_coverage")
#: The raw tables each card is computed from (by label): with one empty, it is not loaded.
CARD_NEEDS: dict[str, tuple[str, ...]] = {
    "Monthly churn": (CUSTOMERS,), "Revenue-weighted churn": (CUSTOMERS, TRANSACTIONS),
    "Revenue lost to churn": (CUSTOMERS, TRANSACTIONS),
}
#: The survival splits and the table each is drawn from.
SPLIT_NEEDS: dict[str, tuple[str, ...]] = {"nps_category": (SURVEYS,),
                                           "complaint_status": (COMPLAINTS,)}
#: The at-risk list flags recent detractors or unresolved complaints: it needs one of these.
AT_RISK_SOURCES = (SURVEYS, COMPLAINTS)


# --- pure statistics -------------------------------------------------------------------------


def weighted_share(total_w: float, churned_w: float, total_w2: float, churned_w2: float,
                   n: int) -> Estimate:
    """Revenue-weighted churn 100 × Σ_churned w / Σ w with a delta-method normal interval.

    For the ratio p = Σ wᵢyᵢ / Σ wᵢ (yᵢ = 1 if churned), Var(p) ≈ Σ wᵢ² (yᵢ − p)² / (Σ wᵢ)²
    = [Σ_churned w² (1 − p)² + Σ_stayed w² p²] / (Σ w)².
    """
    n = int(n)
    if n == 0 or total_w <= 0:
        return stats.withheld(n)
    p = churned_w / total_w
    var = (churned_w2 * (1 - p) ** 2 + (total_w2 - churned_w2) * p * p) / total_w**2
    est = stats.normal(100 * p, 1e4 * var, n)
    if not est.shown:
        return est
    return Estimate(est.value, est.n, max(est.ci_low, 0.0), min(est.ci_high, 100.0),
                    est.status, est.detail)


def monthly_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """Logo and revenue-weighted churn per month and segment, plus an all-segments row."""
    if monthly.empty:
        return pd.DataFrame(columns=[
            "month_start", "month", "group", "active", "churned", "value", "ci_low", "ci_high",
            "n", "status", "rev_value", "rev_low", "rev_high", "rev_status", "rev_var",
            "revenue_at_start", "revenue_lost"])
    df = monthly.copy()
    df["month_start"] = pd.to_datetime(df["month_start"]).dt.date
    sums = ["active_at_start", "churned_count", "revenue_at_start", "revenue_churned",
            "revenue_sq_at_start", "revenue_sq_churned"]
    total = df.groupby("month_start", as_index=False).agg(
        {**{c: "sum" for c in sums}, "revenue_history_complete": "all"})
    total["segment"] = ALL_LABEL
    rows = []
    for r in pd.concat([df, total], ignore_index=True).itertuples(index=False):
        logo = stats.share(int(r.churned_count), int(r.active_at_start))
        if bool(r.revenue_history_complete):
            rev = weighted_share(float(r.revenue_at_start), float(r.revenue_churned),
                                 float(r.revenue_sq_at_start), float(r.revenue_sq_churned),
                                 int(r.active_at_start))
        else:
            rev = stats.withheld(int(r.active_at_start))
        rows.append({
            "month_start": r.month_start, "month": cards.short_month(r.month_start),
            "group": str(r.segment), "active": int(r.active_at_start),
            "churned": int(r.churned_count), "value": logo.value, "ci_low": logo.ci_low,
            "ci_high": logo.ci_high, "n": logo.n, "status": logo.status,
            "rev_value": rev.value, "rev_low": rev.ci_low, "rev_high": rev.ci_high,
            "rev_status": rev.status, "rev_var": rev.detail.get("var", np.nan),
            "revenue_at_start": float(r.revenue_at_start) if r.revenue_history_complete
            else np.nan,
            "revenue_lost": float(r.revenue_churned) if r.revenue_history_complete else np.nan,
        })
    out = pd.DataFrame(rows)
    order = {g: i for i, g in enumerate(sorted(set(out["group"]) - {ALL_LABEL}))}
    order[ALL_LABEL] = len(order)
    out["_o"] = out["group"].map(order)
    return out.sort_values(["_o", "month_start"], ignore_index=True).drop(columns="_o")


def cohort_matrix(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Cohort retention (%) per signup month × months since signup, withheld below MIN_BASE.

    Long format: cohort_month, cohort, months_since_signup, cohort_size, active, value, status.
    """
    if cohorts.empty:
        return pd.DataFrame(columns=["cohort_month", "cohort", "months_since_signup",
                                     "cohort_size", "active", "value", "status"])
    df = cohorts.copy()
    df["cohort_month"] = pd.to_datetime(df["cohort_month"]).dt.date
    status = [stats.base_status(int(n)) for n in df["cohort_size"]]
    value = 100.0 * df["active_count"] / df["cohort_size"]
    return pd.DataFrame({
        "cohort_month": df["cohort_month"],
        "cohort": [cards.short_month(m) for m in df["cohort_month"]],
        "months_since_signup": df["months_since_signup"].astype(int),
        "cohort_size": df["cohort_size"].astype(int),
        "active": df["active_count"].astype(int),
        "value": [None if s == "withheld" else float(v) for s, v in zip(status, value,
                                                                          strict=True)],
        "status": status,
    }).sort_values(["cohort_month", "months_since_signup"], ignore_index=True)


def survival_window(week_start: date, first_week: date) -> tuple[date, date, int]:
    """(window start, window end, weeks) of the survival analysis for the selected week.

    The end is the Monday after the selected week; the start KM_WEEKS before it, but not
    before the first week plus NPS_HISTORY_WEEKS (so the NPS category has history).
    """
    end = week_start + timedelta(days=7)
    start = max(end - timedelta(weeks=KM_WEEKS),
                first_week + timedelta(weeks=NPS_HISTORY_WEEKS))
    return start, end, max((end - start).days // 7, 0)


def survival_table(groups: tuple[SurvivalGroup, ...], horizon: int) -> pd.DataFrame:
    """Ŝ at the checkpoints (≤ horizon) and the restricted mean over the horizon, per group."""
    rows = []
    for g in groups:
        row: dict[str, Any] = {_("Group"): _(g.label), _("Customers"): display.number(g.n, 0),
                               _("Churned"): display.number(g.events, 0)}
        for t in CHECKPOINTS:
            if t > horizon:
                continue
            at = g.at(t)
            name = _("Still active at {weeks} weeks (95% CI)", weeks=display.number(t, 0))
            if at is None:
                row[name] = _("insufficient base")
                continue
            values = {"value": cards.pct(100 * at[0]),
                      "interval": display.between(cards.pct(100 * at[1]),
                                                  cards.pct(100 * at[2]))}
            row[name] = (_("{value} ({interval}) (low base)", **values)
                         if g.status == "low_base" else _("{value} ({interval})", **values))
        row[_("Mean weeks active of {weeks}", weeks=display.number(horizon, 0))] = (
            display.number(restricted_mean(g.curve, horizon), 1, thousands=False)
            if g.shown else cards.EM_DASH)
        rows.append(row)
    return pd.DataFrame(rows)


#: The per-profile totals ``churn_at_risk`` repeats on each of a profile's rows.
PROFILE_TOTALS = ("profile_at_risk_count", "profile_trailing_revenue",
                  "profile_recent_detractor_count", "profile_open_complaint_customer_count")


@dataclass(frozen=True)
class AtRisk:
    """The filters' at-risk customers: totals over all of them, and the top rows to list."""

    top: pd.DataFrame  # the highest trailing revenues (≤ AT_RISK_ROWS rows), in rank order
    count: int
    revenue: float  # their trailing 13-week revenue, all of them
    detractors: int  # recent detractors
    complaining: int  # customers with an unresolved complaint

    @property
    def top_revenue(self) -> float:
        """The trailing revenue of the customers listed."""
        return float(self.top["trailing_revenue"].sum())


def at_risk_for(rows: pd.DataFrame, filters: Filters, shown: int = AT_RISK_ROWS) -> AtRisk:
    """The filters' at-risk customers from ``churn_at_risk`` run with ``row_limit`` ≥ ``shown``.

    The totals sum the kept profiles' totals (each profile's rows carry them: one row per
    profile is read, a profile without at-risk customers has no rows and adds nothing). The
    list keeps the query's order — trailing revenue descending, then customer_id in the
    engine's own text order, the order its per-profile cut used — so its first ``shown`` rows
    are the filters' top ``shown``: each of them has fewer than ``shown`` customers ahead of it
    in its own profile, so the cut kept it."""
    kept = rows.loc[filters.selects(rows)]
    profiles = kept.drop_duplicates(list(DIMENSIONS))  # NaN attributes: one profile, as in SQL
    return AtRisk(
        top=kept.head(shown).drop(columns=["profile_revenue_rank", *PROFILE_TOTALS],
                                  errors="ignore").reset_index(drop=True),
        count=int(profiles["profile_at_risk_count"].sum()),
        revenue=float(profiles["profile_trailing_revenue"].sum()),
        detractors=int(profiles["profile_recent_detractor_count"].sum()),
        complaining=int(profiles["profile_open_complaint_customer_count"].sum()),
    )


def at_risk_table(at_risk: pd.DataFrame, symbol: str, rows: int = AT_RISK_ROWS) -> pd.DataFrame:
    """The top ``rows`` at-risk customers (ids only) with why they are at risk, as text."""
    top = at_risk.head(rows)
    reasons = []
    for r in top.itertuples(index=False):
        parts = []
        if bool(r.is_recent_detractor):
            parts.append(_("detractor: scored {score} on {date}",
                           score=display.number(int(r.latest_nps_score), 0),
                           date=pd.Timestamp(r.latest_nps_date).date()))
        if int(r.open_complaint_count) > 0:
            k = int(r.open_complaint_count)
            parts.append(ngettext("{count} unresolved complaint since {date}",
                                  "{count} unresolved complaints since {date}", k,
                                  count=display.number(k, 0),
                                  date=pd.Timestamp(r.oldest_open_complaint_date).date()))
        reasons.append(display.semicolons(parts))
    return pd.DataFrame({
        _("Rank"): [display.number(k, 0) for k in range(1, len(top) + 1)],
        _("Customer id"): top["customer_id"].astype(str).to_numpy(),  # text ids, as given
        _("Segment"): top["segment"].astype(str).to_numpy(),
        _("Region"): top["region"].astype(str).to_numpy(),
        _("Plan"): top["plan"].astype(str).to_numpy(),
        _("Why at risk"): reasons,
        _(REVENUE_13W): [cards.money(float(v), symbol, 2) for v in top["trailing_revenue"]],
    })


#: The at-risk list's revenue column.
REVENUE_13W = N_("Revenue, last 13 weeks")


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnReport(WithCards):
    """Everything the Churn & retention page shows, already computed and formatted."""

    filters: Filters
    currency_symbol: str
    month: date | None  # the latest complete month
    cards: tuple[Card, ...]
    monthly: pd.DataFrame
    cohorts: pd.DataFrame
    survival_nps: tuple[SurvivalGroup, ...]
    survival_complaint: tuple[SurvivalGroup, ...]
    survival_rows: pd.DataFrame
    window: tuple[date, date, int]
    at_risk: pd.DataFrame
    at_risk_count: int
    takeaways: dict[str, str]
    notes: dict[str, str]
    assumptions: dict[str, Any] = field(default_factory=dict)
    split_note: str = ""  # why monthly churn is not split by segment (a single segment)
    queries: tuple[str, ...] = QUERIES


def _month_bounds(week_start: date, first_month: date) -> tuple[date, date, date | None]:
    """(start month, period end, latest complete month) for the selected week."""
    period_end = week_start + timedelta(days=7)
    latest = weeks.month_start(period_end)  # Gregorian, or Jalali: as the warehouse counts
    # a month is complete when its next month start is on or before period_end
    latest = _add_months(latest, -1)
    if latest < first_month:
        return first_month, period_end, None
    start = max(_add_months(latest, -(MONTHS_SHOWN - 1)), first_month)
    return start, period_end, latest


def _add_months(d: date, k: int) -> date:
    """The first day of the month ``k`` months after ``d``'s (months as the warehouse counts
    them)."""
    return weeks.add_months(d, k)


def _churn_cards(mt: pd.DataFrame, month: date | None, at_risk: AtRisk,
                 symbol: str, filters: Filters) -> tuple[Card, ...]:
    all_rows = mt[mt["group"] == ALL_LABEL].set_index("month_start")
    if month is None or month not in all_rows.index:
        empty = _("No complete calendar month before the selected week")
        logo_card = Card(_("Monthly churn"), cards.EM_DASH, (empty,))
        rev_card = Card(_("Revenue-weighted churn"), cards.EM_DASH, (empty,))
        lost_card = Card(_("Revenue lost to churn"), cards.EM_DASH, (empty,))
    else:
        cur = all_rows.loc[month]
        prev_month = _add_months(month, -1)
        prev = all_rows.loc[prev_month] if prev_month in all_rows.index else None
        logo = Estimate(cur["value"], int(cur["n"]), cur["ci_low"], cur["ci_high"],
                        cur["status"])
        rev = Estimate(cur["rev_value"], int(cur["n"]), cur["rev_low"], cur["rev_high"],
                       cur["rev_status"], {"var": cur["rev_var"]})
        plogo = (Estimate(prev["value"], int(prev["n"]), prev["ci_low"], prev["ci_high"],
                          prev["status"]) if prev is not None else stats.withheld())
        prev_rev = (Estimate(prev["rev_value"], int(prev["n"]), prev["rev_low"],
                             prev["rev_high"], prev["rev_status"], {"var": prev["rev_var"]})
                    if prev is not None else stats.withheld())
        tests: list[tuple[str, float]] = []
        if logo.shown and plogo.shown:
            tests.append(("logo", stats.share_test(int(cur["churned"]), int(cur["active"]),
                                                   int(prev["churned"]), int(prev["active"]))))
        if rev.shown and prev_rev.shown:
            tests.append(("rev", stats.normal_test(rev, prev_rev)))
        adj = dict(zip([t[0] for t in tests],
                       stats.benjamini_hochberg([t[1] for t in tests]), strict=True))
        label_m = cards.month_label(month)
        label_p = cards.month_label(prev_month)

        def card(label: str, est: Estimate, before: Estimate, key: str, lines: tuple[str, ...],
                 help_text: str) -> Card:
            p_adj = adj.get(key)
            sig = bool(p_adj is not None and p_adj < config.ALPHA and est.status == "ok"
                       and before.status == "ok")
            delta = (cards.signed(est.value - before.value, 2, _("pp"))
                     if est.shown and before.shown else None)
            active_at_start = _("active at start")
            if not est.shown:
                why = (cards.base_caption(est) if est.n < config.MIN_BASE or key == "logo"
                       else _("the three months before it are not all in the data"))
                return Card(label, cards.EM_DASH, (why, *lines), help=help_text)
            return Card(label, cards.pct(est.value, 2), (
                *lines,
                _("{base} · {interval}", base=cards.base_caption(est, active_at_start),
                  interval=cards.interval(est, lambda v: cards.pct(v, 2))),
                _("vs {month}: {previous} — {verdict}", month=label_p,
                  previous=cards.pct(before.value, 2) if before.shown else cards.EM_DASH,
                  verdict=cards.verdict(est, before, p_adj, sig, False)),
            ), delta=delta, significant=sig, higher_is_better=False, help=help_text)

        active_on = weeks.day_display(month, english="%d %b %Y")
        logo_card = card(
            _("Monthly churn"), logo, plogo, "logo",
            (_("{churned} of {active} customers active on {date} left in {month}",
               churned=display.number(int(cur["churned"]), 0),
               active=display.number(int(cur["active"]), 0), date=active_on,
               month=label_m),),
            _("Customers active at the month start who were no longer active at the next "
              "month start, over those active at the start. 95% CI: Wilson."))
        rev_card = card(
            _("Revenue-weighted churn"), rev, prev_rev, "rev",
            (_("{month}: leavers' share of trailing 3-month revenue", month=label_m),),
            _("The same customers weighted by their net revenue in the three calendar months "
              "before the month start. 95% CI: delta method."))
        lost = cur["revenue_lost"]
        if pd.isna(lost):
            lost_card = Card(_("Revenue lost to churn"), cards.EM_DASH, (
                _("{month}: the three months before it are not all in the data",
                  month=label_m),))
        else:
            lost_card = Card(_("Revenue lost to churn"), cards.money(float(lost), symbol), (
                _("Observed: trailing 3-month revenue of the {churned} customers who left in "
                  "{month}", churned=display.number(int(cur["churned"]), 0), month=label_m),
                _("≈ {amount} a year at that run rate (× 4)",
                  amount=cards.money(4 * float(lost), symbol)),
            ), help=_("Net transactions in the three calendar months before the month start "
                      "of the customers who left during the month (refunds netted)."))
    risk_card = Card(_("At-risk customers"), cards.number(at_risk.count), (
        _("active at the end of {week}: {detractors} recent detractors, {complaining} with an "
          "unresolved complaint", week=filters.week_name,
          detractors=display.number(at_risk.detractors, 0),
          complaining=display.number(at_risk.complaining, 0)),
        _("Their revenue in the last 13 weeks: {amount} (observed)",
          amount=cards.money(at_risk.revenue, symbol)),
    ), help=_("Active customers whose latest NPS answer (in the last 13 weeks) was 0–6, or "
              "who have a complaint still unresolved."))
    return logo_card, rev_card, lost_card, risk_card


#: The monthly takeaways, by what churn is counted in ("customer count" or "revenue") and case.
_MONTHLY: dict[tuple[str, str], str] = {
    ("value", "none"): N_("{month}: no usable base for customer count."),
    ("rev_value", "none"): N_("{month}: no usable base for revenue."),
    ("value", "all"): N_("{month}: {value}% churned by customer count (95% CI {low}–{high}%, "
                         "n = {n})."),
    ("rev_value", "all"): N_("{month}: {value}% churned by revenue (95% CI {low}–{high}%, "
                             "n = {n})."),
    ("value", "no_segment"): N_("{month}: no segment has a usable base for customer count."),
    ("rev_value", "no_segment"): N_("{month}: no segment has a usable base for revenue."),
    ("value", "top"): N_("{month}: {top} lost the most by customer count — {value}% (95% CI "
                         "{low}–{high}%, n = {n})."),
    ("rev_value", "top"): N_("{month}: {top} lost the most by revenue — {value}% (95% CI "
                             "{low}–{high}%, n = {n})."),
    ("value", "both"): N_("{month}: {top} lost the most by customer count — {value}% (95% CI "
                          "{low}–{high}%, n = {n}); {least} the least at {least_value}% "
                          "(n = {least_n})."),
    ("rev_value", "both"): N_("{month}: {top} lost the most by revenue — {value}% (95% CI "
                              "{low}–{high}%, n = {n}); {least} the least at {least_value}% "
                              "(n = {least_n})."),
}


def _takeaway_monthly(mt: pd.DataFrame, month: date | None, col: str) -> str:
    if month is None:
        return _("No complete calendar month before the selected week.")
    lo_col, hi_col = ("ci_low", "ci_high") if col == "value" else ("rev_low", "rev_high")
    label = cards.month_label(month)

    def p2(v: float) -> str:
        return display.number(v, 2, thousands=False)

    if not (mt["group"] != ALL_LABEL).any():  # not split by segment: the customers as a whole
        row = mt[(mt["month_start"] == month) & mt[col].notna()]
        if row.empty:
            return _(_MONTHLY[(col, "none")], month=label)
        r = row.iloc[0]
        return _(_MONTHLY[(col, "all")], month=label, value=p2(r[col]), low=p2(r[lo_col]),
                 high=p2(r[hi_col]), n=display.number(int(r["n"]), 0))
    last = mt[(mt["month_start"] == month) & (mt["group"] != ALL_LABEL)
              & mt[col].notna()]
    if last.empty:
        return _(_MONTHLY[(col, "no_segment")], month=label)
    top = last.loc[last[col].idxmax()]
    low = last.loc[last[col].idxmin()]
    values = {"month": label, "top": top["group"], "value": p2(top[col]),
              "low": p2(top[lo_col]), "high": p2(top[hi_col]),
              "n": display.number(int(top["n"]), 0)}
    if low["group"] != top["group"]:
        return _(_MONTHLY[(col, "both")], least=low["group"], least_value=p2(low[col]),
                 least_n=display.number(int(low["n"]), 0), **values)
    return _(_MONTHLY[(col, "top")], **values)


def _takeaway_cohorts(cm: pd.DataFrame) -> str:
    shown = cm[cm["value"].notna() & (cm["months_since_signup"] >= 1)]
    if shown.empty:
        return _("No signup cohort is large enough (30+) and observed long enough to show.")
    counts = shown.groupby("months_since_signup")["cohort"].nunique()
    multi = counts[counts >= 2]
    k = int(12 if 12 in multi.index else (multi.index.max() if len(multi) else counts.index.max()))
    at = shown[shown["months_since_signup"] == k]
    weighted = 100.0 * at["active"].sum() / at["cohort_size"].sum()
    best = at.loc[at["value"].idxmax()]
    worst = at.loc[at["value"].idxmin()]
    if len(at) == 1:
        return _("{cohort} cohort: {value} still active {k} months after signing up (n = {n}).",
                 cohort=best["cohort"], value=display.percent(best["value"], 1),
                 k=display.number(k, 0), n=display.number(int(best["cohort_size"]), 0))
    return _("{k} months after signing up, {share} of the {cohorts} cohorts observed that long "
             "are still customers (size-weighted); best {best} {best_value}, worst {worst} "
             "{worst_value}.", k=display.number(k, 0), share=display.percent(weighted, 1),
             cohorts=display.number(len(at), 0), best=best["cohort"],
             best_value=display.percent(best["value"], 1), worst=worst["cohort"],
             worst_value=display.percent(worst["value"], 1))


def _takeaway_survival(groups: tuple[SurvivalGroup, ...], a: str, b: str, horizon: int) -> str:
    by = {g.name: g for g in groups}
    t = 26 if horizon >= 26 else horizon
    ga, gb = by[a], by[b]
    if t < MIN_FOLLOW_UP_WEEKS:
        return _("The data does not yet allow 13 weeks of follow-up.")
    if not (ga.shown and gb.shown):
        return _("Too few customers (fewer than 30) in '{first}' or '{second}' to compare "
                 "survival.", first=_(ga.label), second=_(gb.label))
    sa, sb = ga.at(t), gb.at(t)
    overlap = not (sa[1] > sb[2] or sb[1] > sa[2])

    def p1(v: float) -> str:
        return display.number(100 * v, 1, thousands=False)

    values = {"weeks": display.number(t, 0), "a_value": p1(sa[0]), "a": _(PHRASES[a]),
              "a_low": p1(sa[1]), "a_high": p1(sa[2]), "a_n": display.number(ga.n, 0),
              "b_value": p1(sb[0]), "b": _(PHRASES[b]), "b_low": p1(sb[1]),
              "b_high": p1(sb[2]), "b_n": display.number(gb.n, 0)}
    if overlap:
        return _("After {weeks} weeks: {a_value}% of {a} still active (95% CI "
                 "{a_low}–{a_high}%, n = {a_n}) vs {b_value}% of {b} ({b_low}–{b_high}%, "
                 "n = {b_n}); bands overlap.", **values)
    return _("After {weeks} weeks: {a_value}% of {a} still active (95% CI {a_low}–{a_high}%, "
             "n = {a_n}) vs {b_value}% of {b} ({b_low}–{b_high}%, n = {b_n}); 95% bands do "
             "not overlap.", **values)


def _takeaway_lost(mt: pd.DataFrame, symbol: str) -> str:
    tot = mt[(mt["group"] == ALL_LABEL) & mt["revenue_lost"].notna()]
    if tot.empty:
        return _("No month has three prior months of revenue in the data yet.")
    last = tot.iloc[-1]
    total = float(tot["revenue_lost"].sum())
    return _("{month}: {lost} of trailing 3-month revenue left with {churned} customers; "
             "{total} over the {months} months shown.",
             month=cards.month_label(last["month_start"]),
             lost=cards.money(last["revenue_lost"], symbol),
             churned=display.number(int(last["churned"]), 0),
             total=cards.money(total, symbol), months=display.number(len(tot), 0))


def _takeaway_at_risk(risk: AtRisk, filters: Filters, symbol: str) -> str:
    if risk.count == 0:
        return _("No active customer was at risk at the end of {week}.", week=filters.week_name)
    return _("{count} customers at risk at the end of {week}; the top {top} by revenue brought "
             "in {top_revenue} of the {revenue} they all brought in over the last 13 weeks.",
             count=display.number(risk.count, 0), week=filters.week_name,
             top=display.number(len(risk.top), 0),
             top_revenue=cards.money(risk.top_revenue, symbol),
             revenue=cards.money(risk.revenue, symbol))



def _at_risk_loaded(found: tuple[Card, ...], risk: AtRisk, table: pd.DataFrame,
                    coverage: Coverage, filters: Filters, takeaway: str
                    ) -> tuple[tuple[Card, ...], pd.DataFrame, str]:
    """The at-risk card, list and takeaway as the coverage allows: not loaded when neither
    surveys nor complaints hold rows; with one of them missing only the other flag is counted
    (and said so), and without transactions the list is not ranked by revenue."""
    gone = coverage.missing(AT_RISK_SOURCES)
    card = next(c for c in found if c.label == _("At-risk customers"))
    if len(gone) == len(AT_RISK_SOURCES):
        fixed = cards.not_loaded_card(card.label, gone, card.help)
        return (tuple(fixed if c is card else c for c in found), table.iloc[:0],
                cov.sentence(gone))
    missing = (*gone, *coverage.missing((TRANSACTIONS,)))
    if not missing:
        return found, table, takeaway
    flags = []
    if coverage.loaded(SURVEYS):
        flags.append(_("{count} recent detractors", count=display.number(risk.detractors, 0)))
    if coverage.loaded(COMPLAINTS):
        flags.append(_("{count} with an unresolved complaint",
                       count=display.number(risk.complaining, 0)))
    lines = [_("active at the end of {week}: {flags}", week=filters.week_name,
               flags=display.commas(flags)),
             *(line for line in card.captions[1:] if coverage.loaded(TRANSACTIONS)),
             *(_("Not counted: {message}", message=cov.message((t,))) for t in missing)]
    fixed = Card(card.label, card.value, tuple(lines), help=card.help)
    if not coverage.loaded(TRANSACTIONS):
        table = table.assign(**{_(REVENUE_13W): cov.NOT_LOADED_TEXT.lower()})
        takeaway = _("{count} customers at risk at the end of {week}, not ranked by revenue: "
                     "{message}.", count=display.number(risk.count, 0), week=filters.week_name,
                     message=cov.message((TRANSACTIONS,)))
    return tuple(fixed if c is card else c for c in found), table, takeaway


def build_report(fetch: Fetch, filters: Filters, coverage: Coverage | None = None
                 ) -> ChurnReport:
    """Compute every card, chart table and takeaway of the Churn & retention page. Cards,
    survival splits and the at-risk list whose source tables hold no rows (``coverage``; read
    from the warehouse when not given) are not loaded."""
    coverage = cov.resolve(coverage, fetch)
    first = first_week(fetch)
    cp = filters.customer_params()
    w = filters.week_start
    df = fetch("assumptions_in_force", week_start=w)
    values = {str(r.assumption_key): (r.value_text if pd.isna(r.value_number)
                                      else float(r.value_number))
              for r in df.itertuples(index=False)}
    symbol = currency.from_assumptions(values)
    first_month = weeks.month_start(first)
    start_month, period_end, month = _month_bounds(w, first_month)
    mt = monthly_table(fetch("churn_monthly", start_month=start_month, period_end=period_end,
                             **cp))
    dims = dimensions.load(fetch)
    split_note = dims.no_split("segment")
    if split_note:  # one segment: its rows repeat the all-customers rows
        mt = mt[mt["group"] == ALL_LABEL].reset_index(drop=True)
    cm = cohort_matrix(fetch("churn_cohorts", period_end=period_end, **cp))
    win_start, win_end, horizon = survival_window(w, first)
    if horizon >= MIN_FOLLOW_UP_WEEKS:
        sv = filters.narrow(fetch("churn_survival", window_start=win_start, window_end=win_end),
                            ["split", "group_name", "duration_weeks", "is_churned"])
    else:
        sv = pd.DataFrame(columns=["split", "group_name", "duration_weeks", "is_churned",
                                   "customer_count"])
    km_nps = fit_groups(sv[sv["split"] == "nps_category"], NPS_GROUPS)
    km_cmp = fit_groups(sv[sv["split"] == "complaint_status"], COMPLAINT_GROUPS)
    # every profile's top AT_RISK_ROWS and totals, one result per week for every filter
    risk = at_risk_for(fetch("churn_at_risk", as_of=period_end, row_limit=AT_RISK_ROWS),
                       filters, AT_RISK_ROWS)
    card_list = cards.with_coverage(_churn_cards(mt, month, risk, symbol, filters),
                                    CARD_NEEDS, coverage)
    card_list, risk_rows, risk_takeaway = _at_risk_loaded(
        card_list, risk, at_risk_table(risk.top, symbol, AT_RISK_ROWS), coverage, filters,
        _takeaway_at_risk(risk, filters, symbol))

    takeaways = {
        "monthly": _takeaway_monthly(mt, month, "value"),
        "monthly_revenue": _takeaway_monthly(mt, month, "rev_value"),
        "cohorts": _takeaway_cohorts(cm),
        "survival_nps": _takeaway_survival(km_nps, "promoter", "detractor", horizon),
        "survival_complaint": _takeaway_survival(km_cmp, "none", "open", horizon),
        "revenue_lost": _takeaway_lost(mt, symbol),
        "at_risk": risk_takeaway,
    }
    # a split whose table holds no rows is not drawn: its groups would be everyone in one
    for split, key in (("nps_category", "survival_nps"), ("complaint_status",
                                                          "survival_complaint")):
        gone = coverage.missing(SPLIT_NEEDS[split])
        if gone:
            takeaways[key] = cov.sentence(gone)
            if split == "nps_category":
                km_nps = ()
            else:
                km_cmp = ()
    notes = {
        "monthly": _("Calendar months ending on or before the selected week. Churned in a "
                     "month: active at its first day, no longer active at the next month's "
                     "first day. Revenue-weighted: each customer weighted by net revenue in the "
                     "three calendar months before the month (refunds netted, floored at 0)."),
        "cohorts": _("Signup months that start inside the data (earlier cohorts would only "
                     "show their survivors). Cell = share of the cohort still active at the "
                     "k-th month start after the signup month; blank when the cohort has fewer "
                     "than {least} customers or the month start is after the selected week.",
                     least=display.number(config.MIN_BASE, 0)),
        "survival": _("Customers active on {start} followed for {weeks} weeks to the end of "
                      "{week} ({first} – {week}), censored there. NPS group: the latest "
                      "relationship NPS answer before the start. Unresolved complaint: a "
                      "complaint opened before the start and not resolved by then (resolved "
                      "later or never). Kaplan–Meier with Greenwood log–log 95% bands; mean "
                      "weeks active = restricted mean survival time.", start=win_start,
                      weeks=display.number(horizon, 0), week=filters.week_name,
                      first=week_label(win_start)),
        "at_risk": _("Active at the end of the selected week; latest NPS answer 0–6 given in "
                     "the 13 weeks before, or a complaint still unresolved. Ranked by net "
                     "revenue in the 13 weeks to the selected week; the top {rows} shown, "
                     "customer ids only.", rows=display.number(AT_RISK_ROWS, 0)),
        "money": _("Revenue lost is observed (net transactions of the customers who left); the "
                   "annual run rate (× 4) is a scaling of it, not a forecast."),
    }
    if split_note:
        notes["monthly"] = _("{note} {text}", note=split_note, text=notes["monthly"])
    return ChurnReport(
        filters, symbol, month, card_list, mt, cm, km_nps, km_cmp,
        pd.concat([survival_table(km_nps, horizon), survival_table(km_cmp, horizon)],
                  ignore_index=True) if horizon >= MIN_FOLLOW_UP_WEEKS else pd.DataFrame(),
        (win_start, win_end, horizon),
        risk_rows.drop(columns=[_(d.capitalize()) for d in DIMENSIONS if not dims.splits(d)],
                       errors="ignore"),
        0 if len(coverage.missing(AT_RISK_SOURCES)) == len(AT_RISK_SOURCES) else risk.count,
        takeaways, notes, values, split_note)
