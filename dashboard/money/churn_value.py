"""What churn costs: the modelled figures of the value model, and the observed cost of
complaints kept beside them.

Read from the linked customer facts of ``dashboard.money.inputs``: the customers active at the
window start by segment and latest NPS category, and what they did over the next 52 weeks.

* Churn-adjusted lifetime value per customer by segment (Gupta & Lehmann 2003): with a yearly
  margin m = revenue per customer-year × gross margin g − cost to serve per customer-year, kept
  with retention r = 1 − 12-month churn and received at the end of each year survived,
  CLV = m × r / (1 + d − r) for an unlimited horizon and m × Σ_{t=1..H} r^t / (1 + d)^t for H
  years (``money.clv``); and what one more point of retention adds to it.
* The lifetime value of a customer in each NPS category, and of moving one customer from
  detractor to passive (CLV_passive − CLV_detractor) and from passive to promoter
  (CLV_promoter − CLV_passive), scaled by the realisation factor φ ("loyalty economics",
  Reichheld & Markey 2011).
* Revenue at risk: the yearly revenue run-rate lost to the excess churn of passives and
  detractors over promoters, Σ_segments Σ_{k = passive, detractor} N_k × (c_k − c_promoter) ×
  R_k (N_k customers active now whose latest answer is k, c 12-month churn, R revenue per
  customer-year); and the detractor/promoter churn ratios.
* The cost of complaints a year: handling and compensation (observed), apart from the churn
  complaints go with (modelled): the recent complainants' excess churn over the other customers
  of their NPS category, standardised to the complainants' category mix (Rothman, Greenland &
  Lash 2008), × revenue per customer-year × g.

Bands: P10–P90 of one vectorised Monte Carlo per figure with a fixed seed: churn ~ Beta(1 +
churned, 1 + retained) (the posterior under a uniform prior), revenue and cost to serve ~
normal(estimate, standard error), φ ~ U(low, high). The gaps between groups are associations
in our data, not experiments.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.analysis.cost import pct
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import written
from dashboard.metrics import stats
from dashboard.money import inputs as money
from dashboard.money.figures import (
    BAND,
    DRAWS,
    WEEKS_PER_YEAR,
    Finance,
    amount,
    band,
    figure,
    normal,
    pp,
    rng_for,
    withheld,
)
from dashboard.money.inputs import ALL, CATEGORIES, UNANSWERED, Inputs, MoneyFigure
from dashboard.warehouse import config

#: The "recent complaint" flag of ``money_category_outcomes``: a complaint in the 13 weeks
#: before the window start; a year holds 52/13 such quarters.
COMPLAINT_FLAG_WEEKS = 13
#: NPS categories in words (English in exports; translated where shown, ``_(label)``).
CATEGORY_LABELS = {
    "promoter": N_("Promoters (9–10)"), "passive": N_("Passives (7–8)"),
    "detractor": N_("Detractors (0–6)"), UNANSWERED: N_("No NPS answer"),
}


def _n(value: float) -> str:
    """A count as the "how computed" rows show it: ``3,799`` (``۳٬۷۹۹`` in Persian)."""
    return written(f"{int(value):,}")


def _segment(name: str) -> str:
    """A segment's name as shown: the all-segments row in words, the others as they are."""
    return _(ALL) if name == ALL else name


def _draws(draws: int) -> str:
    """The number of draws: ``10,000``."""
    return written(f"{draws:,}")


# --- estimates pooled over NPS categories --------------------------------------------------

_POOLED = "all categories"
#: The formula of each move between NPS categories (``{formula}``: the lifetime value's).
MOVE_FORMULAS = {
    "value_d_to_pa": N_("φ × Σ_segments w × (CLV_passive − CLV_detractor); {formula}"),
    "value_pa_to_p": N_("φ × Σ_segments w × (CLV_promoter − CLV_passive); {formula}"),
}


def segment_estimates(inputs: Inputs) -> pd.DataFrame:
    """Per segment (and ``ALL``), every customer together whatever their NPS answer: the same
    estimators as ``money.category_estimates`` (churn, revenue and cost to serve per
    customer-year with their errors, active base now), on the categories pooled."""
    pooled = replace(
        inputs,
        outcomes=inputs.outcomes.assign(nps_category=_POOLED),
        contacts=inputs.contacts.assign(nps_category=_POOLED),
        base=inputs.base.assign(nps_category=_POOLED),
        contact_spread=None if inputs.contact_spread is None
        else inputs.contact_spread.assign(nps_category=_POOLED))
    out = money.category_estimates(pooled).drop(columns="nps_category")
    return out.reset_index(drop=True)


def _clv_point(rows: pd.DataFrame, fin: Finance) -> np.ndarray:
    m = rows["revenue_per_year"].to_numpy(float) * fin.margin - rows["cts_per_year"].to_numpy(
        float)
    r = 1.0 - rows["churn_rate"].to_numpy(float)
    return np.asarray(money.clv(m, r, fin.discount, fin.horizon), dtype=float)


def _clv_draws(rows: pd.DataFrame, fin: Finance, rng: np.random.Generator, draws: int
               ) -> np.ndarray:
    """Lifetime value draws, shape (draws, len(rows)): churn from its Beta posterior, revenue
    and cost to serve from normals with their standard errors."""
    c = money.churn_draws(rows["customers"].to_numpy(float), rows["churned"].to_numpy(float),
                          rng, draws)
    rev = normal(rng, rows["revenue_per_year"], rows["revenue_se"], draws)
    cts = normal(rng, rows["cts_per_year"], rows["cts_se"], draws)
    return np.asarray(money.clv(rev * fin.margin - cts, 1.0 - c, fin.discount, fin.horizon),
                      dtype=float)


# --- 1. lifetime value by segment ---------------------------------------------------------


def segment_clv(seg: pd.DataFrame, fin: Finance, window: str, draws: int = DRAWS
                ) -> tuple[pd.DataFrame, dict[str, MoneyFigure]]:
    """Churn-adjusted lifetime value per customer of each segment and of all segments:
    m = revenue per customer-year × g − cost to serve per customer-year, r = 1 − 12-month
    churn (every customer, answered or not). Returns the numbers and one figure per row."""
    rows = seg[seg["customers"] >= config.MIN_BASE].reset_index(drop=True)
    point = _clv_point(rows, fin)
    sims = _clv_draws(rows, fin, rng_for("clv"), draws)
    lo, hi = np.percentile(sims, BAND, axis=0) if len(rows) else (np.array([]), np.array([]))
    out = pd.DataFrame({
        "segment": rows["segment"], "active_now": rows["active_now"],
        "customers": rows["customers"], "churn_rate": rows["churn_rate"],
        "churn_low": rows["churn_low"], "churn_high": rows["churn_high"],
        "revenue_per_year": rows["revenue_per_year"], "cts_per_year": rows["cts_per_year"],
        "margin_per_year": rows["revenue_per_year"] * fin.margin - rows["cts_per_year"],
        "value": point, "low": lo, "high": hi,
    })
    # what one more point of retention is worth: CLV at churn − 1 pp minus CLV now
    up = rows.assign(churn_rate=(rows["churn_rate"] - 0.01).clip(lower=0.0))
    out["per_retention_pp"] = _clv_point(up, fin) - point
    figs: dict[str, MoneyFigure] = {}
    sym = fin.symbol
    for i, r in out.iterrows():
        src = rows.iloc[i]
        figs[str(r["segment"])] = figure(
            f"clv:{r['segment']}", _("Lifetime value — {segment}",
                                     segment=_segment(r["segment"])), "modelled",
            r["value"], (float(r["low"]), float(r["high"])),
            _("{currency} per customer", currency=sym),
            _("{formula}; m = revenue × g − cost to serve; r = 1 − 12-month churn",
              formula=fin.clv_formula),
            ((_("Revenue per customer-year"), _(
                "{amount} (SE {se})", amount=amount(src["revenue_per_year"], sym, 2),
                se=amount(src["revenue_se"], sym, 2))),
             (_("Cost to serve per customer-year"), _(
                 "{amount} (SE {se})", amount=amount(src["cts_per_year"], sym, 2),
                 se=amount(src["cts_se"], sym, 2))),
             (_("Margin m"), _("{amount} a year", amount=amount(r["margin_per_year"], sym, 2))),
             (_("12-month churn"), _("{rate} ({churned} of {customers})",
                                     rate=pct(100 * src["churn_rate"]),
                                     churned=_n(src["churned"]),
                                     customers=_n(src["customers"]))),
             *fin.rows(),
             (_("Draws"), _("{draws}: churn ~ Beta(1 + churned, 1 + stayed), revenue and cost "
                            "~ normal(estimate, SE)", draws=_draws(draws)))),
            window, fin)
    return out, figs


# --- 2 and 3. value by NPS category and revenue at risk --------------------------------------


def _strata(est: pd.DataFrame, cats: Sequence[str]) -> tuple[list[str], bool]:
    """The segments to stratify on: every segment when each has at least ``MIN_BASE``
    customers in every category of ``cats``, else all segments pooled (``ALL``)."""
    segs = [s for s in est["segment"].unique() if s != ALL]
    idx = est.set_index(["segment", "nps_category"])
    ok = bool(segs) and all(
        (s, k) in idx.index and idx.loc[(s, k), "customers"] >= config.MIN_BASE
        for s in segs for k in cats)
    return (segs, True) if ok else ([ALL], False)


def _grid(est: pd.DataFrame, segs: Sequence[str], cats: Sequence[str], col: str
          ) -> np.ndarray:
    """A column of the estimates as an array (segments × categories); 0 where absent."""
    idx = est.set_index(["segment", "nps_category"])[col]
    return np.array([[float(idx.get((s, k), 0.0)) for k in cats] for s in segs], dtype=float)


def _thin_base(est: pd.DataFrame, segs: Sequence[str], cats: Sequence[str]) -> str:
    """Why a figure over ``segs`` × ``cats`` is withheld: '' when each has at least
    ``MIN_BASE`` customers at the window start."""
    counts = est.set_index(["segment", "nps_category"])["customers"]
    if all(float(counts.get((s, k), 0)) >= config.MIN_BASE for s in segs for k in cats):
        return ""
    return _("Insufficient base: fewer than {min_base} customers in one of the NPS "
             "categories.", min_base=written(str(config.MIN_BASE)))


def category_values(est: pd.DataFrame, fin: Finance, window: str, draws: int = DRAWS
                    ) -> tuple[pd.DataFrame, dict[str, MoneyFigure], str]:
    """Lifetime value per customer of each NPS category (all segments), and the value of moving
    one detractor to passive (CLV_Pa − CLV_D) and one passive to promoter (CLV_P − CLV_Pa),
    × φ ~ U(low, high). The moves are averaged over segments weighted by the customers now in
    the category moved from, so the segment mix of the categories does not count as value."""
    cats = list(CATEGORIES)
    sym = fin.symbol
    allrows = est[(est["segment"] == ALL) & (est["customers"] >= config.MIN_BASE)
                  ].reset_index(drop=True)
    point = _clv_point(allrows, fin)
    sims = _clv_draws(allrows, fin, rng_for("clv_category"), draws)
    lo, hi = (np.percentile(sims, BAND, axis=0) if len(allrows)
              else (np.array([]), np.array([])))
    table = allrows.assign(clv=point, clv_low=lo, clv_high=hi)

    segs, stratified = _strata(est, cats)
    thin = _thin_base(est, segs, cats)
    if thin:
        figs = {key: withheld(key, label, "modelled",
                              _("{currency} per customer moved", currency=sym),
                              _("φ × (CLV_to − CLV_from)"), window, fin, thin)
                for key, label in (("value_d_to_pa", _("One detractor → passive")),
                                   ("value_pa_to_p", _("One passive → promoter")))}
        return table, figs, "insufficient base in one of the NPS categories"
    rows = pd.DataFrame([
        est[(est["segment"] == s) & (est["nps_category"] == k)].iloc[0]
        for s in segs for k in cats]).reset_index(drop=True)
    p = _clv_point(rows, fin).reshape(len(segs), len(cats))
    rng = rng_for("category_moves")
    s = _clv_draws(rows, fin, rng, draws).reshape(draws, len(segs), len(cats))
    phi = rng.uniform(fin.phi_low, fin.phi_high, size=draws)
    active = _grid(est, segs, cats, "active_now")
    start = _grid(est, segs, cats, "customers")
    figs: dict[str, MoneyFigure] = {}
    scope = (_("segments weighted by the customers now in the category moved from")
             if stratified else _("all segments pooled (a segment has fewer than {min_base} "
                                  "customers in a category)",
                                  min_base=written(str(config.MIN_BASE))))
    for key, label, a, b in (("value_d_to_pa", _("One detractor → passive"), 2, 1),
                             ("value_pa_to_p", _("One passive → promoter"), 1, 0)):
        w = active[:, a] if active[:, a].sum() > 0 else start[:, a]
        w = w / w.sum()
        gap = float(w @ (p[:, b] - p[:, a]))
        sim = phi * ((s[:, :, b] - s[:, :, a]) @ w)
        by_seg = _("; ").join(
            _("{segment}: {amount} (weight {weight})", segment=_segment(sg),
              amount=amount(p[i, b] - p[i, a], sym), weight=written(f"{100 * w[i]:.0f}%"))
            for i, sg in enumerate(segs))
        figs[key] = figure(
            key, label, "modelled", fin.phi_mid * gap, band(sim),
            _("{currency} per customer moved (lifetime)", currency=sym),
            _(MOVE_FORMULAS[key], formula=fin.clv_formula),
            ((_("CLV gap by segment"), by_seg),
             (_("Weighted CLV gap"), amount(gap, sym)),
             (_("Realisation factor φ"), _("U({low}, {high}), point {mid}",
                                           low=written(f"{fin.phi_low:g}"),
                                           high=written(f"{fin.phi_high:g}"),
                                           mid=written(f"{fin.phi_mid:g}"))),
             *fin.rows(),
             (_("Scope"), scope),
             (_("Draws"), _("{draws} (Beta churn, normal revenue and cost to serve, uniform φ)",
                            draws=_draws(draws)))),
            window, fin,
            _("φ is the share of the gap between categories that the experience itself causes "
              "(the rest is who the customers are); the gap is an association, not an "
              "experiment."))
    return table, figs, scope


def revenue_at_risk(est: pd.DataFrame, fin: Finance, window: str, draws: int = DRAWS
                    ) -> tuple[MoneyFigure, pd.DataFrame, float]:
    """Annual revenue run-rate at risk, the excess churn over promoters priced at revenue:
    Σ_{k ∈ passive, detractor} N_k × (c_k − c_promoter) × R_k per segment, summed; N_k = active
    customers now with latest answer k, c = 12-month churn, R = revenue per customer-year.
    Answered customers only; returns the figure, the per-segment rows and the coverage
    (answered share of the base)."""
    sym = fin.symbol
    unit = _("{currency} a year (run-rate)", currency=sym)
    formula = _("Σ_segments Σ_(k = passive, detractor) N_k × (c_k − c_promoter) × R_k")
    allrows = est[est["segment"] == ALL].set_index("nps_category")
    total = float(allrows["active_now"].sum()) if len(allrows) else 0.0
    answered = float(allrows.reindex(list(CATEGORIES))["active_now"].fillna(0).sum())
    coverage = answered / total if total else float("nan")
    cats = list(CATEGORIES)
    segs, stratified = _strata(est, cats)
    thin = _thin_base(est, segs, cats)
    if thin:
        return (withheld("revenue_at_risk", _("Revenue at risk"), "modelled", unit, formula,
                         window, fin, thin), pd.DataFrame(), coverage)
    n_now = _grid(est, segs, cats, "active_now")
    c = _grid(est, segs, cats, "churn_rate")
    rev = _grid(est, segs, cats, "revenue_per_year")
    rev_se = _grid(est, segs, cats, "revenue_se")
    excess = c[:, 1:] - c[:, :1]
    per_seg = (n_now[:, 1:] * excess * rev[:, 1:]).sum(axis=1)
    rng = rng_for("revenue_at_risk")
    cd = money.churn_draws(_grid(est, segs, cats, "customers").ravel(),
                           _grid(est, segs, cats, "churned").ravel(), rng, draws
                           ).reshape(draws, len(segs), len(cats))
    rd = normal(rng, rev[:, 1:], rev_se[:, 1:], draws)
    sims_seg = (n_now[None, :, 1:] * (cd[:, :, 1:] - cd[:, :, :1]) * rd).sum(axis=2)
    sims = sims_seg.sum(axis=1)
    seg_lo, seg_hi = np.percentile(sims_seg, BAND, axis=0)
    rows = pd.DataFrame({
        "segment": segs, "passives_now": n_now[:, 1].astype(int),
        "detractors_now": n_now[:, 2].astype(int),
        "excess_churn_passive": excess[:, 0], "excess_churn_detractor": excess[:, 1],
        "value": per_seg, "low": seg_lo, "high": seg_hi})
    by_seg = _("; ").join(
        _("{segment}: {passives} passives × {passive_excess}, {detractors} detractors × "
          "{detractor_excess}", segment=_segment(r.segment), passives=_n(r.passives_now),
          passive_excess=pp(100 * r.excess_churn_passive), detractors=_n(r.detractors_now),
          detractor_excess=pp(100 * r.excess_churn_detractor))
        for r in rows.itertuples())
    fig = figure(
        "revenue_at_risk", _("Revenue at risk"), "modelled", float(per_seg.sum()), band(sims),
        unit, formula,
        ((_("Active customers now by category and excess 12-month churn over promoters"),
          by_seg),
         (_("Revenue per customer-year R_k"), _("; ").join(
             _("{segment}: passive {passive}, detractor {detractor}", segment=_segment(sg),
               passive=amount(rev[i, 1], sym), detractor=amount(rev[i, 2], sym))
             for i, sg in enumerate(segs))),
         (_("Coverage"), _("{share} of the {total} active customers have an NPS answer; the "
                           "others are not counted", share=pct(100 * coverage),
                           total=_n(total))),
         (_("Scope"), _("per segment, summed") if stratified else _("all segments pooled")),
         (_("Draws"), _("{draws}: churn ~ Beta posteriors, revenue ~ normal(estimate, SE)",
                        draws=_draws(draws)))),
        window, fin,
        _("The run-rate lost by a year from now if the excess churn of passives and detractors "
          "over promoters continues; the revenue lost within the year is about half of it. "
          "Churn by category is an association, not proof of cause."))
    return fig, rows, coverage


@dataclass(frozen=True)
class Ratio:
    """A ratio of two churn measures with its 95% interval and what it compares."""

    value: float
    low: float
    high: float
    what: str


def churn_ratios(est: pd.DataFrame) -> tuple[Ratio | None, Ratio | None]:
    """Detractor over promoter churn, all segments: the 12-month risk ratio
    (``stats.risk_ratio``, Katz interval) and the churn-rate ratio (leavers per customer-year
    of exposure, Poisson log interval). The rate ratio estimates a ratio of hazards; the risk
    ratio of 12-month shares is pulled towards 1 as churn accumulates (1 − e^(−H))."""
    rows = est[est["segment"] == ALL].set_index("nps_category")
    if not {"detractor", "promoter"} <= set(rows.index):
        return None, None
    d, p = rows.loc["detractor"], rows.loc["promoter"]
    kd, nd, kp, np_ = int(d["churned"]), int(d["customers"]), int(p["churned"]), int(
        p["customers"])
    if min(kd, kp) == 0 or min(nd, np_) < config.MIN_BASE:
        return None, None
    rr, lo, hi = stats.risk_ratio(kd, nd, kp, np_)
    risk = Ratio(rr, lo, hi, "12-month churn, detractors over promoters")
    ed, ep = float(d["exposure_years"]), float(p["exposure_years"])
    rate = (kd / ed) / (kp / ep)
    se = math.sqrt(1 / kd + 1 / kp)
    hazard = Ratio(rate, rate * math.exp(-stats.Z95 * se), rate * math.exp(stats.Z95 * se),
                   "leavers per customer-year, detractors over promoters")
    return risk, hazard


# --- 4. the cost of complaints ----------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintChurn:
    """Churn of recent complainants against non-complainants: risk differences in
    percentage points, crude and standardised to the complainants' NPS-category mix."""

    complainants: int
    crude_rd: float  # percentage points, complainants minus the others, all together
    adjusted_rd: float  # the same within NPS category, complainant-weighted
    excess_churners: float  # per quarter's complainants


def complaint_costs(inputs: Inputs, est: pd.DataFrame, fin: Finance, window: str,
                    draws: int = DRAWS) -> tuple[MoneyFigure, MoneyFigure, ComplaintChurn | None]:
    """The cost of complaints per year, observed and modelled kept apart.

    Observed: complaints in the window × handling cost + compensation paid (customers active
    at the window start). Modelled: the churn that complaints go with. Excess churners =
    Σ_k N_complainants,k × (c_complainants,k − c_others,k) within each NPS category k (risk
    differences standardised to the complainants' category mix, Rothman, Greenland & Lash 2008:
    detractors complain more and churn more anyway), for the customers who complained in the
    13 weeks before the window; × 52/13 quarters a year × revenue per customer-year of the
    category × gross margin (one year's margin lost per excess leaver).
    """
    sym = fin.symbol
    o = inputs.outcomes.copy()
    for c in ("customer_count", "churned_count", "complaint_count", "compensation_amount"):
        o[c] = pd.to_numeric(o[c]).astype(float)
    n_complaints = float(o["complaint_count"].sum())
    comp = float(o["compensation_amount"].sum())
    handling = n_complaints * fin.handling
    observed = figure(
        "complaint_cost_observed", _("Complaints: handling and compensation"), "observed",
        handling + comp, None, _("{currency} a year", currency=sym),
        _("complaints × handling cost + compensation paid"),
        ((_("Complaints"), _n(n_complaints)),
         (_("Handling cost"), _("{cost} per complaint → {total}",
                                cost=amount(fin.handling, sym, 2),
                                total=amount(handling, sym))),
         (_("Compensation paid"), amount(comp, sym)),
         (_("Customers"), _("active at the window start (later sign-ups are not counted)"))),
        window, fin, _("Observed in the trailing 52 weeks; the churn complaints go with is the "
                       "separate, modelled figure."))

    unit = _("{currency} a year (margin)", currency=sym)
    formula = _("52/13 × Σ_(NPS category k) N_complainants,k × (c_complainants,k − "
                "c_others,k) × R_k × g")
    g = o.groupby(["nps_category", "has_recent_complaint"])[
        ["customer_count", "churned_count"]].sum().unstack("has_recent_complaint", fill_value=0)
    if True not in g["customer_count"].columns or False not in g["customer_count"].columns:
        return observed, withheld("complaint_churn_cost", _("Complaints: churn they go with"),
                                  "modelled", unit, formula, window, fin,
                                  _("No recent complainants in the selection.")), None
    n1, k1 = g["customer_count"][True], g["churned_count"][True]
    n0, k0 = g["customer_count"][False], g["churned_count"][False]
    crude = (100 * (k1.sum() / n1.sum() - k0.sum() / n0.sum()) if n1.sum() and n0.sum()
             else float("nan"))
    keep = (n1 > 0) & (n0 > 0)
    n1, k1, n0, k0 = (x[keep].to_numpy(float) for x in (n1, k1, n0, k0))
    keys = list(g.index[keep])
    idx = est[est["segment"] == ALL].set_index("nps_category")
    rev = np.array([float(idx.loc[k, "revenue_per_year"]) for k in keys])
    rev_se = np.array([float(idx.loc[k, "revenue_se"]) for k in keys])
    rev = np.nan_to_num(rev)
    per_year = WEEKS_PER_YEAR / COMPLAINT_FLAG_WEEKS
    if n1.sum() < config.MIN_BASE:
        return observed, withheld("complaint_churn_cost", _("Complaints: churn they go with"),
                                  "modelled", unit, formula, window, fin,
                                  _("Insufficient base: {count} recent complainants (at least "
                                    "{min_base} needed).", count=_n(n1.sum()),
                                    min_base=written(str(config.MIN_BASE)))), None
    excess = n1 * (k1 / n1 - k0 / n0)
    point = per_year * float((excess * rev).sum()) * fin.margin
    rng = rng_for("complaint_churn")
    c1 = money.churn_draws(n1, k1, rng, draws)
    c0 = money.churn_draws(n0, k0, rng, draws)
    rd = normal(rng, rev, rev_se, draws)
    sims = per_year * fin.margin * (n1 * (c1 - c0) * rd).sum(axis=1)
    tot1 = float(n1.sum())
    detail = ComplaintChurn(
        complainants=int(tot1),
        crude_rd=float(crude),
        adjusted_rd=100 * float(excess.sum()) / tot1,
        excess_churners=float(excess.sum()))
    modelled = figure(
        "complaint_churn_cost", _("Complaints: churn they go with"), "modelled", point,
        band(sims), unit, formula,
        ((_("Recent complainants"), _("{count} customers complained in the {weeks} weeks "
                                      "before the window start", count=_n(detail.complainants),
                                      weeks=written(str(COMPLAINT_FLAG_WEEKS)))),
         (_("Excess 12-month churn"), _("{adjusted} within NPS category, weighted by the "
                                        "complainants (crude, not adjusted: {crude})",
                                        adjusted=pp(detail.adjusted_rd),
                                        crude=pp(detail.crude_rd))),
         (_("By NPS category"), _("; ").join(
             _("{category}: {complainants} complainants {churn} vs {others_churn} of {others}",
               category=_(CATEGORY_LABELS.get(k, k)), complainants=_n(a),
               churn=pct(100 * b / a), others_churn=pct(100 * d / c), others=_n(c))
             for k, a, b, c, d in zip(keys, n1, k1, n0, k0, strict=True))),
         (_("Excess leavers"), _("{leavers} a quarter × {quarters} quarters",
                                 leavers=written(f"{detail.excess_churners:,.1f}"),
                                 quarters=written(f"{per_year:g}"))),
         (_("Revenue per customer-year R_k"), _("; ").join(
             _("{category} {amount}", category=_(CATEGORY_LABELS.get(k, k)),
               amount=amount(v, sym)) for k, v in zip(keys, rev, strict=True))),
         (_("Gross margin g"), written(f"{100 * fin.margin:g}%")),
         (_("Draws"), _("{draws}: churn ~ Beta posteriors per category, revenue ~ normal",
                        draws=_draws(draws)))),
        window, fin,
        _("Adjusted for NPS category only: complainants may differ in other ways, so this is "
          "an association, not proof that complaints cause the churn. Customers who complain "
          "in several quarters count once a quarter."))
    return observed, modelled, detail

