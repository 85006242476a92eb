"""The Complaints page: what goes wrong, how fast we fix it, and whether recovery keeps customers.

One function, ``build_report``, reads the ``cmp_*`` queries for the selected week and filters
and returns a frozen ``ComplaintsReport`` the page lays out. Everything here is pure.

Windows (all end with the selected week W and use only what was known at its end):

* volume, rate, severity mix and compensation: weekly, the 26 weeks to W;
* categories (Pareto) and repeat complainers: complaints opened in the 13 weeks to W; a repeat
  complainer opened 2 or more of them;
* time to first response / to resolution: complaints first answered / resolved in the 4 weeks to
  W (closure-based service levels, so still-open complaints do not bias them); first-contact
  resolution: complaints opened in those 4 weeks, resolved at first contact before W ended;
* backlog: complaints opened before the end of W and not resolved by then, by age;
* service recovery: each customer's first complaint opened in the 26 weeks ending 13 weeks before
  W (weeks W−38 … W−13), so 90 days after every complaint lie before W ends. Groups: resolved
  within 48 h, resolved later, never resolved (still open at the end of W); compared with
  customers active at the end of that window who opened no complaint in it and had none open.
  Retention = still active 90 days after the complaint (or the window end); later NPS = the next
  relationship NPS answer after that date (before W ends).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from dashboard.analysis import cards
from dashboard.analysis.cards import Card, WithCards
from dashboard.analysis.complaint_stats import (  # noqa: F401 (the module's statistics)
    TimeSummary,
    _weights,
    pareto,
    quantile,
    quantile_ci,
    time_summary,
)
from dashboard.i18n import N_, _, currency
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import Filters, week_label
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.coverage import SURVEYS, Coverage
from dashboard.warehouse.weeks import first_week

TREND_WEEKS = 26
MIX_WEEKS = 13
SERVICE_WEEKS = 4
FAST_HOURS = 48.0
RECOVERY_LAG_WEEKS = 13
RECOVERY_COHORT_WEEKS = 26
RETENTION_DAYS = 90
SEVERITY_ORDER = ("low", "medium", "high", "critical")
#: Backlog age bands: (lower hours inclusive, upper hours exclusive, label), contiguous: each ends
#: where the next begins and the last has no end, so the warehouse bands the ages by the lower
#: bounds alone (``cmp_backlog``'s ``band_lower_hours``, from ``age_band_bounds``). The labels
#: are the bands' keys, in English; the backlog chart shows them translated.
AGE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 48.0, N_("under 2 days")),
    (48.0, 168.0, N_("2–7 days")),
    (168.0, 720.0, N_("7–30 days")),
    (720.0, 2160.0, N_("30–90 days")),
    (2160.0, math.inf, N_("over 90 days")),
)
RECOVERY_GROUPS: dict[str, str] = {
    "within_48h": N_("Resolved within 48 h"),
    "later": N_("Resolved later"),
    "never": N_("Never (still open)"),
    "no_complaint": N_("No complaint"),
}
RECOVERY_REFERENCE = "within_48h"
QUERIES = ("cmp_weekly", "cmp_complaints", "cmp_repeat_complainants", "cmp_closures",
           "cmp_backlog", "cmp_recovery", "assumptions_in_force", "weeks_available")


# --- pure statistics on small frames -----------------------------------------------------------


def severity_order(values: pd.Series | list[str]) -> list[str]:
    """Known severities low → critical first, any others after them alphabetically."""
    seen = set(pd.Series(values, dtype=object).dropna().astype(str))
    return [s for s in SEVERITY_ORDER if s in seen] + sorted(seen - set(SEVERITY_ORDER))


def severity_mix(complaints: pd.DataFrame, weeks: list[date],
                 counts: pd.Series | list[int] | None = None) -> pd.DataFrame:
    """Complaints per week and severity with the share of the week (%), zero-filled.
    ``counts``: each row's number of complaints; one per row when not given."""
    order = severity_order(complaints["severity"]) or list(SEVERITY_ORDER)
    wk = pd.to_datetime(complaints["week_start"]).dt.date
    sev = complaints["severity"].astype(str)
    cells = _weights(sev, counts).groupby([wk.to_numpy(), sev.to_numpy()]).sum()
    table = cells.unstack(fill_value=0) if len(cells) else pd.DataFrame()
    table = table.reindex(index=weeks, columns=order, fill_value=0).fillna(0).astype(int)
    totals = table.sum(axis=1)
    rows = []
    for w in weeks:
        total = int(totals.loc[w])
        for level in order:
            k = int(table.at[w, level])
            rows.append({"week_start": w, "week": week_label(w), "severity": level, "count": k,
                         "share_pct": 100.0 * k / total if total else np.nan, "week_total": total})
    return pd.DataFrame(rows)


def age_band_bounds() -> list[float]:
    """The age bands' lower bounds in hours, bound as ``cmp_backlog``'s ``band_lower_hours``:
    the warehouse puts an age in the band of the highest bound it reaches, which is AGE_BANDS'
    band only while the bands ascend and touch (ValueError otherwise)."""
    lows = [lo for lo, _, _ in AGE_BANDS]
    highs = [hi for _, hi, _ in AGE_BANDS]
    if lows != sorted(set(lows)) or highs[:-1] != lows[1:] or highs[-1] != math.inf:
        raise ValueError("AGE_BANDS must ascend, each band ending where the next begins and the "
                         "last without an end")
    return lows


def backlog_bands(band_lower_hours: pd.Series | list[float | None],
                  counts: pd.Series | list[int],
                  customer_left: pd.Series | list[int] | None = None) -> pd.DataFrame:
    """Open complaints per age band (AGE_BANDS) with share (%) and how many of them belong to
    customers who have left, from counts per band (``cmp_backlog``'s rows: the band's lower
    bound, null for an age below every band, counted in the total only)."""
    lows = pd.Series(band_lower_hours, dtype=float).to_numpy()
    n = np.asarray(counts, dtype="int64")
    left = np.zeros(n.size, "int64") if customer_left is None else np.asarray(customer_left,
                                                                            dtype="int64")
    total = int(n.sum())
    rows = []
    for lo, _hi, label in AGE_BANDS:
        inside = lows == lo
        k = int(n[inside].sum())
        rows.append({"band": label, "count": k,
                     "share_pct": 100.0 * k / total if total else np.nan,
                     "customer_left": int(left[inside].sum())})
    return pd.DataFrame(rows)


def repeat_complainers(complaint_count: pd.Series | list[int],
                       customer_count: pd.Series | list[int]) -> pd.DataFrame:
    """Complainants by number of complaints (1, 2, 3+): customers and share of complainants,
    from how many customers opened each number of complaints (``cmp_repeat_complainants``)."""
    per = np.asarray(complaint_count, dtype="int64")
    n = np.asarray(customer_count, dtype="int64")
    total = int(n.sum())
    rows = []
    for label, mask in (("1", per == 1), ("2", per == 2), ("3 or more", per >= 3)):
        k = int(n[mask].sum())
        rows.append({"complaints": label, "customers": k,
                     "share_pct": 100.0 * k / total if total else np.nan})
    return pd.DataFrame(rows)


def weekly_volume(weekly: pd.DataFrame, weeks: list[date]) -> pd.DataFrame:
    """Complaints and the rate per 1,000 active customers per week (exact Poisson interval),
    with compensation total and per complaint (t interval)."""
    by = {pd.Timestamp(r["week_start"]).date(): r for r in weekly.to_dict("records")}
    rows = []
    for w in weeks:
        r = by.get(w)
        count = int(r["complaint_count"]) if r is not None else 0
        base = int(r["active_at_start"]) if r is not None else 0
        est = stats.rate(count, base, per=1000)
        comp = float(r["compensation_amount"]) if r is not None else 0.0
        comp_sq = float(r["compensation_sq_sum"]) if r is not None else 0.0
        per = stats.mean(comp, comp_sq, count)
        rows.append({
            "week_start": w, "week": week_label(w), "complaints": count, "active_at_start": base,
            "value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n,
            "status": est.status,
            "compensated": int(r["compensated_count"]) if r is not None else 0,
            "compensation": comp, "per_complaint": per.value,
            "per_complaint_low": per.ci_low, "per_complaint_high": per.ci_high,
            "per_complaint_status": per.status,
        })
    return pd.DataFrame(rows)


def resolution_trend(closures: pd.DataFrame, weeks: list[date]) -> pd.DataFrame:
    """Median and P90 of resolution hours of the complaints resolved in each week (values only;
    weeks with fewer than MIN_BASE resolutions withheld)."""
    wk = pd.to_datetime(closures["resolution_week"]).dt.date.to_numpy()
    hours = closures["resolution_hours"].to_numpy(float)
    rows = []
    for w in weeks:
        x = hours[(wk == w) & ~np.isnan(hours)]
        status = stats.base_status(int(x.size))
        shown = status != "withheld"
        rows.append({"week_start": w, "week": week_label(w), "n": int(x.size), "status": status,
                     "median": quantile(x, 0.5) if shown else None,
                     "p90": quantile(x, 0.9) if shown else None})
    return pd.DataFrame(rows)


def recovery_table(df: pd.DataFrame) -> pd.DataFrame:
    """90-day retention (Wilson) and next NPS (adjusted-Wald) per recovery group, each tested
    against the within-48-hours group, Benjamini–Hochberg across all tests shown together."""
    by = df.set_index("recovery_group") if len(df) else pd.DataFrame()
    rows, tests = [], []
    for key, label in RECOVERY_GROUPS.items():
        r = by.loc[key] if key in by.index else None
        n = int(r["customer_count"]) if r is not None else 0
        kept = int(r["retained_count"]) if r is not None else 0
        counts = tuple(int(r[c]) if r is not None else 0
                       for c in ("promoter_count", "passive_count", "detractor_count"))
        ret = stats.share(kept, n)
        nps = stats.nps(*counts)
        rows.append({"group": key, "label": label, "customers": n, "retained": kept,
                     "retention": ret, "nps_counts": counts, "nps": nps})
    ref = rows[0]
    for i, row in enumerate(rows[1:], start=1):
        for kind in ("retention", "nps"):
            a, b = row[kind], ref[kind]
            if not (a.shown and b.shown):
                continue
            if kind == "retention":
                p = stats.share_test(row["retained"], row["customers"], ref["retained"],
                                     ref["customers"])
            else:
                p = stats.nps_test(row["nps_counts"], ref["nps_counts"])
            tests.append((i, kind, p))
    adjusted = stats.benjamini_hochberg([t[2] for t in tests])
    out = []
    for row in rows:
        out.append({
            "group": row["group"], "label": row["label"], "customers": row["customers"],
            "retention_pct": row["retention"].value, "retention_low": row["retention"].ci_low,
            "retention_high": row["retention"].ci_high, "retention_n": row["retention"].n,
            "retention_status": row["retention"].status,
            "retention_p": np.nan, "retention_p_adj": np.nan, "retention_significant": False,
            "nps": row["nps"].value, "nps_low": row["nps"].ci_low, "nps_high": row["nps"].ci_high,
            "nps_n": row["nps"].n, "nps_status": row["nps"].status,
            "nps_p": np.nan, "nps_p_adj": np.nan, "nps_significant": False,
        })
    for (i, kind, p), p_adj in zip(tests, adjusted, strict=True):
        both_ok = (out[i][f"{kind}_status"] == "ok" and out[0][f"{kind}_status"] == "ok")
        out[i][f"{kind}_p"] = p
        out[i][f"{kind}_p_adj"] = p_adj
        out[i][f"{kind}_significant"] = bool(both_ok and p_adj < config.ALPHA)
    return pd.DataFrame(out)


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """The dates every section of the page is computed over (documented on the page)."""

    week: date
    as_of: date  # the Monday after the selected week (exclusive end)
    trend_start: date
    mix_start: date
    service_start: date
    cohort_start: date | None
    cohort_end: date | None  # exclusive Monday


def windows(filters: Filters, first_week: date) -> Windows:
    """The windows of the selected week, clipped to the weeks the warehouse holds."""
    w = filters.week_start
    cohort_end = w - timedelta(weeks=RECOVERY_LAG_WEEKS - 1)
    cohort_start = max(cohort_end - timedelta(weeks=RECOVERY_COHORT_WEEKS), first_week)
    has_cohort = cohort_end - cohort_start >= timedelta(weeks=4)
    return Windows(
        week=w, as_of=w + timedelta(days=7),
        trend_start=max(w - timedelta(weeks=TREND_WEEKS - 1), first_week),
        mix_start=max(w - timedelta(weeks=MIX_WEEKS - 1), first_week),
        service_start=max(w - timedelta(weeks=SERVICE_WEEKS - 1), first_week),
        cohort_start=cohort_start if has_cohort else None,
        cohort_end=cohort_end if has_cohort else None,
    )


@dataclass(frozen=True)
class ComplaintsReport(WithCards):
    """Everything the Complaints page shows, already computed and formatted."""

    filters: Filters
    windows: Windows
    currency_symbol: str
    cards: tuple[Card, ...]
    volume: pd.DataFrame
    pareto: pd.DataFrame
    severity: pd.DataFrame
    resolution: pd.DataFrame
    backlog: pd.DataFrame
    repeat: pd.DataFrame
    recovery: pd.DataFrame
    recovery_rows: pd.DataFrame
    repeat_rows: pd.DataFrame
    takeaways: dict[str, str]
    notes: dict[str, str]
    assumptions: dict[str, Any] = field(default_factory=dict)
    split_note: str = ""  # why there is no Pareto by category (a single category)
    queries: tuple[str, ...] = QUERIES


def _assumptions(fetch: Fetch, week: date) -> tuple[dict[str, Any], dict[str, str]]:
    df = fetch("assumptions_in_force", week_start=week)
    values: dict[str, Any] = {}
    since: dict[str, str] = {}
    for r in df.itertuples(index=False):
        num = r.value_number
        values[str(r.assumption_key)] = r.value_text if pd.isna(num) else float(num)
        since[str(r.assumption_key)] = str(pd.Timestamp(r.valid_from).date())
    return values, since


def _rate_card(vol: pd.DataFrame, cmp_weekly: pd.DataFrame, filters: Filters) -> Card:
    cur_row = vol.iloc[-1]
    cur = stats.rate(int(cur_row["complaints"]), int(cur_row["active_at_start"]), per=1000)
    by = cmp_weekly.set_index(pd.to_datetime(cmp_weekly["week_start"]).dt.date)
    prev_row = by.loc[filters.compare_start] if filters.compare_start in by.index else None
    prev = (stats.rate(int(prev_row["complaint_count"]), int(prev_row["active_at_start"]), 1000)
            if prev_row is not None else stats.withheld())
    p = p_adj = None
    delta = None
    significant = False
    if cur.shown and prev.shown:
        p = stats.rate_test(int(cur_row["complaints"]), int(cur_row["active_at_start"]),
                            int(prev_row["complaint_count"]), int(prev_row["active_at_start"]))
        p_adj = stats.benjamini_hochberg([p])[0]
        significant = (p_adj < config.ALPHA and cur.status == "ok" and prev.status == "ok")
        delta = cards.signed(cur.value - prev.value, 2)
    captions = [
        _("{complaints} complaints · {customers} customers active at the start of {week}",
          complaints=cards.number(cur_row["complaints"]),
          customers=cards.number(cur_row["active_at_start"]), week=filters.week_name),
        _("{interval} (exact Poisson)",
          interval=cards.interval(cur, lambda v: display.number(v, 2, thousands=False)))
        if cur.shown else cards.base_caption(cur, _("active customers")),
        _("vs {compare_week} ({comparison}): {previous} — {verdict}",
          compare_week=filters.compare_week_name, comparison=filters.compare_label,
          previous=cards.number(prev.value, 2) if prev.shown else cards.EM_DASH,
          verdict=cards.verdict(cur, prev, p_adj, significant, False)),
    ]
    return Card(_("Complaints per 1,000 customers"), cards.number(cur.value, 2),
                tuple(captions), delta=delta, significant=significant, higher_is_better=False,
                help=_("1000 × complaints opened in the week / customers active at its start. "
                       "The change reads better or worse when the exact Poisson rate test's "
                       "p-value, Benjamini–Hochberg-corrected, is below 0.05; else within "
                       "noise."))


def _time_card(label: str, s: TimeSummary, what: str, help_text: str) -> Card:
    """``what``: what was timed and over which weeks (``complaints answered in the 4 weeks to
    …``), in the current language."""
    if s.status == "withheld":
        return Card(label, cards.EM_DASH, (cards.base_caption(s.median), what), help=help_text)
    values = {"p90": cards.hours(s.p90.value), "n": display.number(s.n, 0), "what": what}
    return Card(label, cards.hours(s.median.value), (
        _("P90 {p90} · n = {n} {what} · low base", **values) if s.status == "low_base" else
        _("P90 {p90} · n = {n} {what}", **values),
        _("95% CI median {median}; P90 {p90}",
          median=display.between(cards.hours(s.median.ci_low), cards.hours(s.median.ci_high)),
          p90=display.between(cards.hours(s.p90.ci_low), cards.hours(s.p90.ci_high))),
    ), help=help_text)


def _share_card(label: str, est: Estimate, lines: tuple[str, ...], help_text: str) -> Card:
    if not est.shown:
        return Card(label, cards.EM_DASH, (cards.base_caption(est), *lines), help=help_text)
    return Card(label, cards.pct(est.value), (
        _("{base} · {interval} (Wilson)", base=cards.base_caption(est),
          interval=cards.interval(est, cards.pct)), *lines,
    ), help=help_text)


def _takeaway_volume(vol: pd.DataFrame, filters: Filters) -> str:
    cur = vol.iloc[-1]
    shown = vol[vol["value"].notna()]
    if cur["value"] is None or pd.isna(cur["value"]):
        return _("{week}: {complaints} complaints; the active base is too small for a rate.",
                 week=filters.week_name, complaints=display.number(int(cur["complaints"]), 0))
    peak = shown.loc[shown["value"].idxmax()]
    low = shown.loc[shown["value"].idxmin()]

    def rate(v: float) -> str:
        return display.number(v, 2, thousands=False)

    return _("{week}: {rate} complaints per 1,000 active customers ({complaints} complaints, "
             "95% CI {low}–{high}); over {weeks} weeks the rate ranged from {lowest} "
             "({lowest_week}) to {highest} ({highest_week}).",
             week=filters.week_name, rate=rate(cur["value"]),
             complaints=display.number(int(cur["complaints"]), 0), low=rate(cur["ci_low"]),
             high=rate(cur["ci_high"]), weeks=display.number(len(vol), 0),
             lowest=rate(low["value"]), lowest_week=low["week"], highest=rate(peak["value"]),
             highest_week=peak["week"])


def _takeaway_pareto(par: pd.DataFrame, span: str) -> str:
    total = int(par["count"].sum())
    if total == 0:
        return _("No complaints were opened {span}.", span=span)
    k = int((par["cumulative_pct"] < 80.0).sum()) + 1
    k = min(k, len(par))
    top = par.head(k)
    names = display.commas(display.name(c) for c in top["category"])
    return _("{k} of {categories} categories ({names}) make up {share} of the {total} "
             "complaints opened {span}; {top} alone {top_share}.",
             k=display.number(k, 0), categories=display.number(len(par), 0), names=names,
             share=display.percent(top["cumulative_pct"].iloc[-1], 1),
             total=display.number(total, 0), span=span,
             top=display.name(par["category"].iloc[0]),
             top_share=display.percent(par["share_pct"].iloc[0], 1))


def _takeaway_severity(sev: pd.DataFrame, filters: Filters, w: Windows) -> str:
    heavy = sev["severity"].isin(("high", "critical"))
    recent = sev["week_start"] >= w.mix_start
    cur = sev[sev["week_start"] == w.week]
    cur_total = int(cur["count"].sum())
    rec_total = int(sev.loc[recent, "count"].sum())
    earlier_total = int(sev.loc[~recent, "count"].sum())
    if rec_total == 0:
        return _("No complaints in the last 13 weeks.")
    rec = 100.0 * sev.loc[recent & heavy, "count"].sum() / rec_total
    values = {"share": display.percent(rec, 1), "total": display.number(rec_total, 0),
              "week": filters.week_name}
    if earlier_total:
        before = 100.0 * sev.loc[~recent & heavy, "count"].sum() / earlier_total
        n_before = sev.loc[~recent, "week_start"].nunique()
        values.update(before=display.percent(before, 1),
                      earlier=display.number(earlier_total, 0),
                      weeks_before=display.number(n_before, 0))
    if cur_total:
        now = 100.0 * cur.loc[cur["severity"].isin(("high", "critical")), "count"].sum() \
            / cur_total
        values.update(now=display.percent(now, 1), n=display.number(cur_total, 0))
    if earlier_total and cur_total:
        return _("High or critical: {share} of {total} complaints in the 13 weeks to {week} vs "
                 "{before} of {earlier} in the {weeks_before} weeks before; {now} in {week} "
                 "(n = {n}).", **values)
    if earlier_total:
        return _("High or critical: {share} of {total} complaints in the 13 weeks to {week} vs "
                 "{before} of {earlier} in the {weeks_before} weeks before.", **values)
    if cur_total:
        return _("High or critical: {share} of {total} complaints in the 13 weeks to {week}; "
                 "{now} in {week} (n = {n}).", **values)
    return _("High or critical: {share} of {total} complaints in the 13 weeks to {week}.",
             **values)


def _takeaway_resolution(res: pd.DataFrame, filters: Filters) -> str:
    shown = res[res["median"].notna()]
    if shown.empty:
        return _("Too few resolutions per week (fewer than 30) to show weekly percentiles.")
    last = shown.iloc[-1]
    worst = shown.loc[shown["p90"].idxmax()]

    def hours(v: float) -> str:
        return display.number(v, 1, thousands=False)

    return _("Complaints resolved in {week}: median {median} h, P90 {p90} h (n = {n}); the "
             "slowest P90 of the {weeks} weeks was {slowest} h in {slowest_week}.",
             week=last["week"], median=hours(last["median"]), p90=hours(last["p90"]),
             n=display.number(int(last["n"]), 0), weeks=display.number(len(res), 0),
             slowest=hours(worst["p90"]), slowest_week=worst["week"])


def _takeaway_backlog(bl: pd.DataFrame, filters: Filters) -> str:
    total = int(bl["count"].sum())
    if total == 0:
        return _("No complaint was open at the end of {week}.", week=filters.week_name)
    old = bl[bl["band"].isin(("30–90 days", "over 90 days"))]["count"].sum()
    left = int(bl["customer_left"].sum())
    return _("{total} complaints open at the end of {week}; {share} have waited over 30 days "
             "and {left} belong to customers who have since left.",
             total=display.number(total, 0), week=filters.week_name,
             share=display.percent(100 * old / total, 1), left=display.number(left, 0))


def _takeaway_recovery(rec: pd.DataFrame, kind: str) -> str:
    by = rec.set_index("group")
    fast, never = by.loc["within_48h"], by.loc["never"]
    value, low, high = f"{kind}", f"{kind}_low", f"{kind}_high"
    if kind == "retention":
        value, low, high = "retention_pct", "retention_low", "retention_high"
    if pd.isna(fast[value]) or pd.isna(never[value]):
        return _("Too few complainants in a group (fewer than 30) to compare recovery "
                 "outcomes.")
    fmt = cards.pct if kind == "retention" else cards.score
    n_col = "retention_n" if kind == "retention" else "nps_n"
    status_col = f"{kind}_status"
    if "low_base" in (never[status_col], fast[status_col]):
        verdict = _("low base (n < 100): difference not judged")
    elif never[f"{kind}_significant"]:
        verdict = (_("never resolving is worse") if never[value] < fast[value]
                   else _("never resolving is better"))
    else:
        verdict = _("the difference is within noise")
    values = {"value": fmt(never[value]),
              "interval": display.between(fmt(never[low]), fmt(never[high])),
              "n": display.number(int(never[n_col]), 0), "fast": fmt(fast[value]),
              "fast_n": display.number(int(fast[n_col]), 0), "verdict": verdict}
    if kind == "retention":
        return _("Never-resolved complainants: {value} still customers 90 days later (95% CI "
                 "{interval}, n = {n}) vs {fast} when resolved within 48 h (n = {fast_n}); "
                 "{verdict}.", **values)
    return _("Never-resolved complainants: {value} next NPS (95% CI {interval}, n = {n}) vs "
             "{fast} when resolved within 48 h (n = {fast_n}); {verdict}.", **values)


def _takeaway_compensation(vol: pd.DataFrame, filters: Filters, symbol: str) -> str:
    cur = vol.iloc[-1]
    total = float(vol["compensation"].sum())
    complaints = int(vol["complaints"].sum())
    per = total / complaints if complaints else float("nan")
    return _("{week}: {paid} paid on {compensated} of {complaints} complaints; {total} over "
             "{weeks} weeks ({per} per complaint).",
             week=filters.week_name, paid=cards.money(cur["compensation"], symbol),
             compensated=display.number(int(cur["compensated"]), 0),
             complaints=display.number(int(cur["complaints"]), 0),
             total=cards.money(total, symbol), weeks=display.number(len(vol), 0),
             per=cards.money(per, symbol, 2))


def _takeaway_repeat(rep: pd.DataFrame, span: str) -> str:
    total = int(rep["customers"].sum())
    if total == 0:
        return _("Nobody complained {span}.", span=span)
    by = rep.set_index("complaints")["customers"]
    repeaters = int(by.get("2", 0) + by.get("3 or more", 0))
    return _("{repeaters} of the {total} customers who complained {span} ({share}) complained "
             "more than once; {three} of them three times or more.",
             repeaters=display.number(repeaters, 0), total=display.number(total, 0), span=span,
             share=display.percent(100 * repeaters / total, 1),
             three=display.number(int(by.get("3 or more", 0)), 0))


def repeat_rows(rep: pd.DataFrame) -> pd.DataFrame:
    """The repeat-complainer table as display strings."""
    def opened(value: object) -> str:
        text = str(value)
        return display.number(int(text), 0) if text.isdigit() else _(text)

    return pd.DataFrame({
        _("Complaints opened"): [opened(c) for c in rep["complaints"]],
        _("Customers"): [display.number(int(n), 0) for n in rep["customers"]],
        _("Share of complainants"): [cards.pct(v) for v in rep["share_pct"]],
    })


#: The repeat table's top row (a count of complaints, as ``repeat_complainers`` writes it).
THREE_OR_MORE = N_("3 or more")


def _recovery_rows(rec: pd.DataFrame) -> pd.DataFrame:
    """The recovery table as display strings."""
    def cell(v: float, lo: float, hi: float, status: str, fmt) -> str:
        if status == "withheld":
            return _("insufficient base")
        interval = display.between(fmt(lo), fmt(hi))
        if status == "low_base":
            return _("{value} ({interval}) (low base)", value=fmt(v), interval=interval)
        return _("{value} ({interval})", value=fmt(v), interval=interval)

    # resolved within 48 h: the group every other is tested against
    refs = rec[rec["group"] == RECOVERY_REFERENCE] if "group" in rec.columns else rec.iloc[:0]
    ref = refs.iloc[0] if len(refs) else None

    def pv(p: float, sig: bool, status: str, value: float, kind: str) -> str:
        """Better, worse or within noise against the within-48-hours group (the test and its
        Benjamini–Hochberg correction are told in the method note)."""
        if pd.isna(p) or ref is None:
            return cards.EM_DASH
        if status == "low_base":
            return _("low base, not judged")
        return display.verdict_word(bool(sig), value > ref[kind])

    return pd.DataFrame({
        _("Group"): [_(label) for label in rec["label"]],
        _("Customers"): [display.number(n, 0) for n in rec["customers"]],
        _("90-day retention (95% CI)"): [
            cell(r.retention_pct, r.retention_low, r.retention_high, r.retention_status,
                 cards.pct) for r in rec.itertuples()],
        _("vs resolved within 48 h"): [pv(r.retention_p_adj, r.retention_significant,
                                       r.retention_status, r.retention_pct, "retention_pct")
                                    for r in rec.itertuples()],
        _("Next NPS answers"): [display.number(n, 0) for n in rec["nps_n"]],
        _("Next NPS (95% CI)"): [
            cell(r.nps, r.nps_low, r.nps_high, r.nps_status, cards.score)
            for r in rec.itertuples()],
        _("NPS vs resolved within 48 h"): [pv(r.nps_p_adj, r.nps_significant, r.nps_status,
                                           r.nps, "nps") for r in rec.itertuples()],
    })



def _kept(rows: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    return rows.loc[filters.selects(rows)].reset_index(drop=True)


#: The recovery table's columns drawn from survey answers (not loaded without them).
NPS_COLUMNS = (N_("Next NPS answers"), N_("Next NPS (95% CI)"),
               N_("NPS vs resolved within 48 h"))


def build_report(fetch: Fetch, filters: Filters, coverage: Coverage | None = None
                 ) -> ComplaintsReport:
    """Compute every card, chart table and takeaway of the Complaints page. Without survey
    answers (``coverage``; read from the warehouse when not given) the next-NPS side of
    service recovery is not loaded: its columns and tests are left out and it says so."""
    coverage = cov.resolve(coverage, fetch)
    w = windows(filters, first_week(fetch))
    cp = filters.customer_params()
    values, since = _assumptions(fetch, w.week)
    symbol = currency.from_assumptions(values)
    trend_start = min(w.trend_start, filters.compare_start)
    weekly = fetch("cmp_weekly", start_week=trend_start, end_week=w.week, **cp)
    trend_weeks = [w.trend_start + timedelta(weeks=k)
                   for k in range((w.week - w.trend_start).days // 7 + 1)]
    vol = weekly_volume(weekly, trend_weeks)
    # counts and hours of every customer's cell, kept to the filters here: a filter change
    # re-uses them (a customer's segment, region and plan do not change)
    opened = _kept(fetch("cmp_complaints", start_week=w.trend_start, end_week=w.week), filters)
    opened_wk = pd.to_datetime(opened["week_start"]).dt.date
    repeats = _kept(fetch("cmp_repeat_complainants", start_week=w.mix_start, end_week=w.week),
                    filters)
    closures = _kept(fetch("cmp_closures", start_week=w.trend_start,
                           response_start_week=w.service_start, end_week=w.week), filters)
    backlog = _kept(fetch("cmp_backlog", as_of=w.as_of, band_lower_hours=age_band_bounds()),
                    filters)

    mix = opened[opened_wk >= w.mix_start]
    span13 = _("in the 13 weeks to {week}", week=filters.week_name)
    span4 = _("in the 4 weeks to {week}", week=filters.week_name)
    par = pareto(mix["category"], mix["complaint_count"])
    sev = severity_mix(opened, trend_weeks, opened["complaint_count"])
    rep = repeat_complainers(repeats["complaint_count"], repeats["customer_count"])
    service_start = pd.Timestamp(w.service_start)
    end = pd.Timestamp(w.as_of)
    resp_at = pd.to_datetime(closures["response_week"])
    res_at = pd.to_datetime(closures["resolution_week"])
    resp = time_summary(closures.loc[(resp_at >= service_start) & (resp_at < end),
                                     "first_response_hours"].to_numpy(float))
    reso = time_summary(closures.loc[(res_at >= service_start) & (res_at < end),
                                     "resolution_hours"].to_numpy(float))
    fcr_rows = opened[opened_wk >= w.service_start]
    fcr = stats.share(int(fcr_rows["first_contact_resolved_count"].sum()),
                      int(fcr_rows["complaint_count"].sum()))
    bl = backlog_bands(backlog["band_lower_hours"], backlog["complaint_count"],
                       backlog["customer_left_count"])
    complainants = int(rep["customers"].sum())
    repeaters = int(rep.loc[rep["complaints"] != "1", "customers"].sum())
    repeat_est = stats.share(repeaters, complainants)
    res_trend = resolution_trend(closures, trend_weeks)

    if w.cohort_start is not None:
        raw_rec = filters.narrow(fetch("cmp_recovery", cohort_start=w.cohort_start,
                                       cohort_end=w.cohort_end, as_of=w.as_of),
                                 ["recovery_group"])
    else:
        raw_rec = pd.DataFrame(columns=["recovery_group", "customer_count", "retained_count",
                                        "nps_count", "promoter_count", "passive_count",
                                        "detractor_count"])
    rec = recovery_table(raw_rec)

    cur = vol.iloc[-1]
    handling_unit = values.get("complaint_handling_cost")
    per_complaint = Estimate(cur["per_complaint"], int(cur["complaints"]),
                             cur["per_complaint_low"], cur["per_complaint_high"],
                             cur["per_complaint_status"])
    comp_lines = [
        _("Observed in {week}: paid on {compensated} of {complaints} complaints",
          week=filters.week_name, compensated=display.number(int(cur["compensated"]), 0),
          complaints=display.number(int(cur["complaints"]), 0)),
        _("{per} per complaint · {interval} (t)",
          per=cards.money(per_complaint.value, symbol, 2),
          interval=cards.interval(per_complaint, lambda v: cards.money(v, symbol, 2)))
        if per_complaint.shown else
        _("Per complaint: {base}", base=cards.base_caption(per_complaint)),
    ]
    if isinstance(handling_unit, float):
        comp_lines.append(_(
            "Handling cost, shown apart (not added): {cost} = {complaints} × {unit} "
            "(assumption complaint_handling_cost, valid from {since})",
            cost=cards.money(handling_unit * cur["complaints"], symbol),
            complaints=display.number(int(cur["complaints"]), 0),
            unit=cards.money(handling_unit, symbol, 2),
            since=since.get("complaint_handling_cost", "?")))
    old = int(bl.loc[bl["band"].isin(("30–90 days", "over 90 days")), "count"].sum())
    card_list = (
        _rate_card(vol, weekly, filters),
        _time_card(_("Time to first response (median)"), resp,
                   _("complaints answered {span}", span=span4),
                   _("Hours from opening to the first response, complaints first answered in "
                     "the window. 95% CI: order statistics.")),
        _time_card(_("Time to resolution (median)"), reso,
                   _("complaints resolved {span}", span=span4),
                   _("Hours from opening to resolution, complaints resolved in the window. "
                     "95% CI: order statistics.")),
        _share_card(_("First-contact resolution"), fcr,
                    (_("complaints opened {span}, resolved at first contact", span=span4),),
                    _("Share of complaints opened in the window resolved at the first contact "
                      "(as recorded by the end of the selected week).")),
        Card(_("Open backlog"), cards.number(int(bl["count"].sum())), (
            _("complaints open at the end of {week}", week=filters.week_name),
            _("{old} open over 30 days · {left} of customers who have left",
              old=display.number(old, 0), left=display.number(int(bl["customer_left"].sum()), 0)),
        ), help=_("Complaints opened before the end of the week and not resolved by then.")),
        _share_card(_("Repeat complainers"), repeat_est,
                    (_("{repeaters} of {complainants} complainants opened 2+ complaints {span}",
                       repeaters=display.number(repeaters, 0),
                       complainants=display.number(complainants, 0), span=span13),),
                    _("Customers with two or more complaints opened in the 13-week window, as a "
                      "share of all customers who complained in it.")),
        Card(_("Compensation paid"), cards.money(float(cur["compensation"]), symbol),
             tuple(comp_lines),
             help=_("Sum of compensation_amount on complaints opened in the week (observed).")),
    )
    takeaways = {
        "volume": _takeaway_volume(vol, filters),
        "pareto": _takeaway_pareto(par, span13),
        "severity": _takeaway_severity(sev, filters, w),
        "resolution": _takeaway_resolution(res_trend, filters),
        "backlog": _takeaway_backlog(bl, filters),
        "retention": _takeaway_recovery(rec, "retention"),
        "nps": _takeaway_recovery(rec, "nps"),
        "compensation": _takeaway_compensation(vol, filters, symbol),
        "repeat": _takeaway_repeat(rep, span13),
    }
    if w.cohort_start is not None:
        n_weeks = (w.cohort_end - w.cohort_start).days // 7
        clipped = "" if n_weeks == RECOVERY_COHORT_WEEKS else _(
            "; only {weeks} of the 26 weeks lie inside the data",
            weeks=display.number(n_weeks, 0))
        cohort_text = _(
            "Cohort: each customer's first complaint opened {start} – {end} (the 26 weeks ending "
            "13 weeks before {week}, so 90 days after every complaint are observed{clipped}). "
            "Groups by resolution as known at the end of the selected week; 'No complaint' = "
            "customers active on {since} with no complaint in the cohort window and none open, "
            "followed from that date. Retention: still a customer 90 days later (Wilson "
            "interval). Next NPS: the first relationship NPS answer after the complaint "
            "(adjusted-Wald). Tests against 'Resolved within 48 h', Benjamini–Hochberg across "
            "the six shown. Association, not proof of cause: customers who churn while a "
            "complaint is open cannot have it resolved.",
            start=week_label(w.cohort_start),
            end=week_label(w.cohort_end - timedelta(weeks=1)), week=filters.week_name,
            clipped=clipped, since=w.cohort_end)
    else:
        cohort_text = _("The warehouse does not yet hold 17 weeks before the selected week: no "
                        "recovery cohort can be followed for 90 days.")
    notes = {
        "recovery": cohort_text,
        "service": _("Service levels over the 4 weeks {start} – {week}: response and resolution "
                     "times of complaints answered / resolved in those weeks (closure-based, so "
                     "complaints still open do not bias them); first-contact resolution of "
                     "complaints opened in them.",
                     start=week_label(w.service_start), week=filters.week_name),
        "money": _("Compensation is observed (complaints' compensation_amount). Handling cost "
                   "is modelled from the assumption named on the card and never added to it."),
    }
    rec_rows = _recovery_rows(rec)
    gone = coverage.missing((SURVEYS,))
    if gone:
        takeaways["nps"] = cov.sentence(gone)
        rec_rows = rec_rows.drop(columns=[_(c) for c in NPS_COLUMNS])
        notes["recovery"] = _("{note} Next NPS not loaded: {message}.",
                              note=notes["recovery"], message=cov.message(gone))
    dims = dimensions.load(fetch)
    split_note = dims.no_split("category")
    if split_note:
        takeaways["pareto"] = split_note
    return ComplaintsReport(filters, w, symbol, card_list, vol, par, sev, res_trend, bl, rep,
                            rec, rec_rows, repeat_rows(rep), takeaways, notes, values,
                            split_note)
