"""The value model: CX in financial language (issue 4; DESIGN.md §5, reference/methods.md §2.6,
§2.7, §3.5, §3.6, §4.6, §8).

One function, ``build_report``, turns the linked customer facts (``dashboard.money.inputs``) and the
weekly marts into every money figure the "CX in money" page shows, each a ``MoneyFigure`` that
names the assumption set it was computed with, its formula, inputs and data window:

* churn-adjusted lifetime value per customer by segment (modelled, P10–P90 band);
* the value of a customer in each NPS category, and of moving one detractor to passive and one
  passive to promoter, scaled by the realisation factor φ (modelled);
* revenue at risk: the excess churn of passives and detractors over promoters, priced at their
  revenue (modelled; methods §2.6 tier 2), with the detractor/promoter churn ratio;
* the cost of complaints: handling and compensation (observed) kept apart from the churn that
  complaints go with (modelled, adjusted for segment and NPS category; methods §4.6 rung 2);
* savings against a baseline quarter priced with the set's unit costs (observed; methods §3.6),
  and the improvement programme's effect as a difference-in-differences (observed).

Modelled bands come from one vectorised Monte Carlo per figure with a fixed seed: Beta
posteriors on churn rates (``money.churn_draws``), normal draws on revenue and cost to serve
with their standard errors, φ ~ U(low, high). Observed figures carry a 95% interval.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.analysis import cost
from dashboard.metrics import stats
from dashboard.metrics.filters import FilterError, Filters, parse_week, week_label
from dashboard.money import inputs as money
from dashboard.money.assumptions import AssumptionSet
from dashboard.money.inputs import ALL, CATEGORIES, UNANSWERED, Inputs, MoneyFigure, money_text
from dashboard.warehouse import config

Fetch = Callable[..., pd.DataFrame]

#: Monte Carlo draws per modelled figure (vectorised) and the seed they start from.
DRAWS = 10_000
SEED = 20_260_504
#: Percentiles of the band of a modelled figure.
BAND = (10.0, 90.0)
WEEKS_PER_YEAR = 52
#: The "recent complaint" flag of ``money_category_outcomes``: a complaint in the 13 weeks
#: before the window start; a year holds 52/13 such quarters.
COMPLAINT_FLAG_WEEKS = 13
#: History the year-based figures need before their window: latest NPS answers and the
#: recent-complaint flag are read from it.
HISTORY_WEEKS = COMPLAINT_FLAG_WEEKS
#: The programme difference-in-differences: the 26 weeks before the start against weeks 8–33
#: after it (the first 8 weeks are the ramp-up), as in the demo's planted truth.
PROGRAMME_WEEKS_BEFORE = 26
PROGRAMME_AFTER = (8, 33)
#: Fewest weeks on each side of the programme start for a difference-in-differences.
MIN_DID_WEEKS = 8
CATEGORY_LABELS = {
    "promoter": "Promoters (9–10)", "passive": "Passives (7–8)",
    "detractor": "Detractors (0–6)", UNANSWERED: "No NPS answer",
}
OUTCOME_LABELS = {
    "nps": ("NPS", "points"),
    "fcr": ("First-contact resolution", "pp"),
    "cts": ("Cost to serve per customer-week", "currency"),
    "cts_log": ("Cost to serve, proportional", "%"),
}
_MINUS = "−"


# --- the finance inputs of a set ----------------------------------------------------------


@dataclass(frozen=True)
class Finance:
    """The assumptions the value model uses, read from the set in force in the selected week."""

    margin: float  # gross margin, fraction
    discount: float  # annual discount rate, fraction
    horizon: int | None  # years of lifetime value counted (None: unlimited)
    phi_low: float
    phi_high: float
    handling: float  # cost of handling one complaint
    symbol: str
    set_id: str

    @property
    def phi_mid(self) -> float:
        """The point value of the realisation factor: the middle of its range."""
        return (self.phi_low + self.phi_high) / 2

    @property
    def clv_formula(self) -> str:
        """The lifetime-value formula in words."""
        if self.horizon is None:
            return "CLV = m × r / (1 + d − r)"
        return f"CLV = m × Σ_(t=1..{self.horizon}) r^t / (1 + d)^t"

    def rows(self) -> tuple[tuple[str, str], ...]:
        """The set's values every lifetime-value figure names."""
        h = "unlimited" if self.horizon is None else f"{self.horizon} years"
        return (("Gross margin g", f"{100 * self.margin:g}%"),
                ("Discount rate d", f"{100 * self.discount:g}% a year"),
                ("Horizon", h))


def finance(inputs: Inputs) -> Finance:
    """The finance inputs of ``inputs``' set (KeyError naming a missing assumption)."""
    h = inputs.assumptions.get("analysis_horizon_years")
    horizon = int(h) if isinstance(h, float | int) else None
    lo = inputs.number("realisation_factor_low", 1.0)
    hi = inputs.number("realisation_factor_high", 1.0)
    return Finance(
        margin=inputs.number("gross_margin_pct") / 100,
        discount=inputs.number("discount_rate_pct") / 100,
        horizon=horizon, phi_low=min(lo, hi), phi_high=max(lo, hi),
        handling=inputs.number("complaint_handling_cost", 0.0), symbol=inputs.symbol,
        set_id=inputs.assumption_set)


# --- small helpers ----------------------------------------------------------------------------


def _rng(key: str) -> np.random.Generator:
    """One generator per figure, seeded from the figure's key (results do not depend on the
    order figures are computed in)."""
    return np.random.default_rng([SEED, zlib.crc32(key.encode())])


def _normal(rng: np.random.Generator, mean, se, draws: int) -> np.ndarray:
    mean = np.nan_to_num(np.asarray(mean, dtype=float))
    se = np.nan_to_num(np.asarray(se, dtype=float))
    return mean + se * rng.standard_normal((draws, *mean.shape))


def _band(sims: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(sims, BAND, axis=0)
    return float(lo), float(hi)


def _m(v: float | None, sym: str, digits: int = 0, signed: bool = False) -> str:
    return cost.money(v, sym, digits, signed)


def _pct(v: float | None, digits: int = 1, signed: bool = False) -> str:
    return cost.pct(v, digits, signed)


def _pp(v: float, digits: int = 1) -> str:
    """Percentage points, signed: ``+5.7 pp``."""
    return f"{cost.pct(v, digits, True).rstrip('%')} pp"


def _range(lo: float | None, hi: float | None, fmt: Callable[[float], str]) -> str:
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return "—"
    return f"{fmt(lo)} – {fmt(hi)}"


def _fig(key: str, label: str, kind: str, value: float, band: tuple[float, float] | None,
         unit: str, formula: str, inputs: Sequence[tuple[str, str]], window: str,
         fin: Finance, note: str = "") -> MoneyFigure:
    lo, hi = band if band is not None else (None, None)
    return MoneyFigure(key, label, kind, float(value), lo, hi, unit, formula, tuple(inputs),
                       window, fin.set_id, note)


def _withheld_fig(key: str, label: str, kind: str, unit: str, formula: str, window: str,
                  fin: Finance, reason: str) -> MoneyFigure:
    return MoneyFigure(key, label, kind, float("nan"), None, None, unit, formula, (), window,
                       fin.set_id, reason)


# --- estimates pooled over NPS categories --------------------------------------------------

_POOLED = "all categories"


def segment_estimates(inputs: Inputs) -> pd.DataFrame:
    """Per segment (and ``ALL``), every customer together whatever their NPS answer: the same
    estimators as ``money.category_estimates`` (churn, revenue and cost to serve per
    customer-year with their errors, active base now), on the categories pooled."""
    pooled = replace(
        inputs,
        outcomes=inputs.outcomes.assign(nps_category=_POOLED),
        contacts=inputs.contacts.assign(nps_category=_POOLED),
        base=inputs.base.assign(nps_category=_POOLED))
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
    rev = _normal(rng, rows["revenue_per_year"], rows["revenue_se"], draws)
    cts = _normal(rng, rows["cts_per_year"], rows["cts_se"], draws)
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
    sims = _clv_draws(rows, fin, _rng("clv"), draws)
    lo, hi = np.percentile(sims, BAND, axis=0) if len(rows) else (np.array([]), np.array([]))
    out = pd.DataFrame({
        "segment": rows["segment"], "active_now": rows["active_now"],
        "customers": rows["customers"], "churn_rate": rows["churn_rate"],
        "churn_low": rows["churn_low"], "churn_high": rows["churn_high"],
        "revenue_per_year": rows["revenue_per_year"], "cts_per_year": rows["cts_per_year"],
        "margin_per_year": rows["revenue_per_year"] * fin.margin - rows["cts_per_year"],
        "value": point, "low": lo, "high": hi,
    })
    # what one more point of retention is worth (methods §2.7 sensitivity, ours)
    up = rows.assign(churn_rate=(rows["churn_rate"] - 0.01).clip(lower=0.0))
    out["per_retention_pp"] = _clv_point(up, fin) - point
    figs: dict[str, MoneyFigure] = {}
    sym = fin.symbol
    for i, r in out.iterrows():
        src = rows.iloc[i]
        figs[str(r["segment"])] = _fig(
            f"clv:{r['segment']}", f"Lifetime value — {r['segment']}", "modelled",
            r["value"], (float(r["low"]), float(r["high"])),
            f"{sym} per customer", fin.clv_formula + "; m = revenue × g − cost to serve; "
            "r = 1 − 12-month churn",
            (("Revenue per customer-year", _m(src["revenue_per_year"], sym, 2)
              + f" (SE {_m(src['revenue_se'], sym, 2)})"),
             ("Cost to serve per customer-year", _m(src["cts_per_year"], sym, 2)
              + f" (SE {_m(src['cts_se'], sym, 2)})"),
             ("Margin m", _m(r["margin_per_year"], sym, 2) + " a year"),
             ("12-month churn", f"{_pct(100 * src['churn_rate'])} "
              f"({int(src['churned']):,} of {int(src['customers']):,})"),
             *fin.rows(),
             ("Draws", f"{draws:,}: churn ~ Beta(1 + churned, 1 + stayed), revenue and cost "
              "~ normal(estimate, SE)")),
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
    sims = _clv_draws(allrows, fin, _rng("clv_category"), draws)
    lo, hi = (np.percentile(sims, BAND, axis=0) if len(allrows)
              else (np.array([]), np.array([])))
    table = allrows.assign(clv=point, clv_low=lo, clv_high=hi)

    segs, stratified = _strata(est, cats)
    counts = est.set_index(["segment", "nps_category"])["customers"]
    if not all(float(counts.get((s, k), 0)) >= config.MIN_BASE for s in segs for k in cats):
        figs = {key: _withheld_fig(key, label, "modelled", f"{sym} per customer moved",
                                   "φ × (CLV_to − CLV_from)", window, fin,
                                   f"Insufficient base: fewer than {config.MIN_BASE} customers "
                                   "in one of the NPS categories.")
                for key, label in (("value_d_to_pa", "One detractor → passive"),
                                   ("value_pa_to_p", "One passive → promoter"))}
        return table, figs, "insufficient base in one of the NPS categories"
    rows = pd.DataFrame([
        est[(est["segment"] == s) & (est["nps_category"] == k)].iloc[0]
        for s in segs for k in cats]).reset_index(drop=True)
    p = _clv_point(rows, fin).reshape(len(segs), len(cats))
    rng = _rng("category_moves")
    s = _clv_draws(rows, fin, rng, draws).reshape(draws, len(segs), len(cats))
    phi = rng.uniform(fin.phi_low, fin.phi_high, size=draws)
    active = _grid(est, segs, cats, "active_now")
    start = _grid(est, segs, cats, "customers")
    figs: dict[str, MoneyFigure] = {}
    scope = ("segments weighted by the customers now in the category moved from"
             if stratified else "all segments pooled (a segment has fewer than "
             f"{config.MIN_BASE} customers in a category)")
    for key, label, a, b in (("value_d_to_pa", "One detractor → passive", 2, 1),
                             ("value_pa_to_p", "One passive → promoter", 1, 0)):
        w = active[:, a] if active[:, a].sum() > 0 else start[:, a]
        w = w / w.sum()
        gap = float(w @ (p[:, b] - p[:, a]))
        sim = phi * ((s[:, :, b] - s[:, :, a]) @ w)
        by_seg = "; ".join(f"{sg}: {_m(p[i, b] - p[i, a], sym)} (weight {100 * w[i]:.0f}%)"
                           for i, sg in enumerate(segs))
        figs[key] = _fig(
            key, label, "modelled", fin.phi_mid * gap, _band(sim),
            f"{sym} per customer moved (lifetime)",
            f"φ × Σ_segments w × (CLV_{cats[b]} − CLV_{cats[a]}); " + fin.clv_formula,
            (("CLV gap by segment", by_seg),
             ("Weighted CLV gap", _m(gap, sym)),
             ("Realisation factor φ", f"U({fin.phi_low:g}, {fin.phi_high:g}), point "
              f"{fin.phi_mid:g}"),
             *fin.rows(),
             ("Scope", scope),
             ("Draws", f"{draws:,} (Beta churn, normal revenue and cost to serve, uniform φ)")),
            window, fin,
            "φ is the share of the gap between categories that the experience itself causes "
            "(the rest is who the customers are); the gap is an association, not an "
            "experiment.")
    return table, figs, scope


def revenue_at_risk(est: pd.DataFrame, fin: Finance, window: str, draws: int = DRAWS
                    ) -> tuple[MoneyFigure, pd.DataFrame, float]:
    """Annual revenue run-rate at risk (methods §2.6 tier 2): Σ_{k ∈ passive, detractor} N_k ×
    (c_k − c_promoter) × R_k per segment, summed; N_k = active customers now with latest
    answer k, c = 12-month churn, R = revenue per customer-year. Answered customers only;
    returns the figure, the per-segment rows and the coverage (answered share of the base)."""
    sym = fin.symbol
    unit = f"{sym} a year (run-rate)"
    formula = "Σ_segments Σ_(k = passive, detractor) N_k × (c_k − c_promoter) × R_k"
    allrows = est[est["segment"] == ALL].set_index("nps_category")
    total = float(allrows["active_now"].sum()) if len(allrows) else 0.0
    answered = float(allrows.reindex(list(CATEGORIES))["active_now"].fillna(0).sum())
    coverage = answered / total if total else float("nan")
    cats = list(CATEGORIES)
    segs, stratified = _strata(est, cats)
    counts = est.set_index(["segment", "nps_category"])["customers"]
    if not all(float(counts.get((s, k), 0)) >= config.MIN_BASE for s in segs for k in cats):
        return (_withheld_fig("revenue_at_risk", "Revenue at risk", "modelled", unit, formula,
                              window, fin, f"Insufficient base: fewer than {config.MIN_BASE} "
                              "customers in one of the NPS categories."),
                pd.DataFrame(), coverage)
    n_now = _grid(est, segs, cats, "active_now")
    c = _grid(est, segs, cats, "churn_rate")
    rev = _grid(est, segs, cats, "revenue_per_year")
    rev_se = _grid(est, segs, cats, "revenue_se")
    excess = c[:, 1:] - c[:, :1]
    per_seg = (n_now[:, 1:] * excess * rev[:, 1:]).sum(axis=1)
    rng = _rng("revenue_at_risk")
    cd = money.churn_draws(_grid(est, segs, cats, "customers").ravel(),
                           _grid(est, segs, cats, "churned").ravel(), rng, draws
                           ).reshape(draws, len(segs), len(cats))
    rd = _normal(rng, rev[:, 1:], rev_se[:, 1:], draws)
    sims_seg = (n_now[None, :, 1:] * (cd[:, :, 1:] - cd[:, :, :1]) * rd).sum(axis=2)
    sims = sims_seg.sum(axis=1)
    seg_lo, seg_hi = np.percentile(sims_seg, BAND, axis=0)
    rows = pd.DataFrame({
        "segment": segs, "passives_now": n_now[:, 1].astype(int),
        "detractors_now": n_now[:, 2].astype(int),
        "excess_churn_passive": excess[:, 0], "excess_churn_detractor": excess[:, 1],
        "value": per_seg, "low": seg_lo, "high": seg_hi})
    by_seg = "; ".join(
        f"{r.segment}: {r.passives_now:,} passives × {_pp(100 * r.excess_churn_passive)}, "
        f"{r.detractors_now:,} detractors × {_pp(100 * r.excess_churn_detractor)}"
        for r in rows.itertuples())
    fig = _fig(
        "revenue_at_risk", "Revenue at risk", "modelled", float(per_seg.sum()), _band(sims),
        unit, formula,
        (("Active customers now by category and excess 12-month churn over promoters", by_seg),
         ("Revenue per customer-year R_k", "; ".join(
             f"{sg}: passive {_m(rev[i, 1], sym)}, detractor {_m(rev[i, 2], sym)}"
             for i, sg in enumerate(segs))),
         ("Coverage", f"{_pct(100 * coverage)} of the {int(total):,} active customers have an "
          "NPS answer; the others are not counted"),
         ("Scope", "per segment, summed" if stratified else "all segments pooled"),
         ("Draws", f"{draws:,}: churn ~ Beta posteriors, revenue ~ normal(estimate, SE)")),
        window, fin,
        "The run-rate lost by a year from now if the excess churn of passives and detractors "
        "over promoters continues; the revenue lost within the year is about half of it. "
        "Churn by category is an association, not proof of cause.")
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
    """Churn of recent complainants against non-complainants (methods §4.6)."""

    complainants: int
    crude_rd: float  # percentage points, complainants minus the others, all together
    adjusted_rd: float  # the same within NPS category, complainant-weighted
    excess_churners: float  # per quarter's complainants


def complaint_costs(inputs: Inputs, est: pd.DataFrame, fin: Finance, window: str,
                    draws: int = DRAWS) -> tuple[MoneyFigure, MoneyFigure, ComplaintChurn | None]:
    """The cost of complaints per year, observed and modelled kept apart.

    Observed: complaints in the window × handling cost + compensation paid (customers active
    at the window start). Modelled: the churn that complaints go with. Excess churners =
    Σ_k N_complainants,k × (c_complainants,k − c_others,k) within each NPS category k (the
    complainants' category mix, rung 2 of methods §4.6: detractors complain more and churn more
    anyway), for the customers who complained in the 13 weeks before the window; × 52/13
    quarters a year × revenue per customer-year of the category × gross margin (one year's
    margin lost per excess leaver).
    """
    sym = fin.symbol
    o = inputs.outcomes.copy()
    for c in ("customer_count", "churned_count", "complaint_count", "compensation_amount"):
        o[c] = pd.to_numeric(o[c]).astype(float)
    n_complaints = float(o["complaint_count"].sum())
    comp = float(o["compensation_amount"].sum())
    handling = n_complaints * fin.handling
    observed = _fig(
        "complaint_cost_observed", "Complaints: handling and compensation", "observed",
        handling + comp, None, f"{sym} a year", "complaints × handling cost + compensation paid",
        (("Complaints", f"{int(n_complaints):,}"),
         ("Handling cost", f"{_m(fin.handling, sym, 2)} per complaint → {_m(handling, sym)}"),
         ("Compensation paid", _m(comp, sym)),
         ("Customers", "active at the window start (later sign-ups are not counted)")),
        window, fin, "Observed in the trailing 52 weeks; the churn complaints go with is the "
        "separate, modelled figure.")

    unit = f"{sym} a year (margin)"
    formula = ("52/13 × Σ_(NPS category k) N_complainants,k × (c_complainants,k − c_others,k) "
               "× R_k × g")
    g = o.groupby(["nps_category", "has_recent_complaint"])[
        ["customer_count", "churned_count"]].sum().unstack("has_recent_complaint", fill_value=0)
    if True not in g["customer_count"].columns or False not in g["customer_count"].columns:
        return observed, _withheld_fig("complaint_churn_cost", "Complaints: churn they go with",
                                       "modelled", unit, formula, window, fin,
                                       "No recent complainants in the selection."), None
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
        return observed, _withheld_fig("complaint_churn_cost", "Complaints: churn they go with",
                                       "modelled", unit, formula, window, fin,
                                       f"Insufficient base: {int(n1.sum()):,} recent "
                                       f"complainants (at least {config.MIN_BASE} needed)."
                                       ), None
    excess = n1 * (k1 / n1 - k0 / n0)
    point = per_year * float((excess * rev).sum()) * fin.margin
    rng = _rng("complaint_churn")
    c1 = money.churn_draws(n1, k1, rng, draws)
    c0 = money.churn_draws(n0, k0, rng, draws)
    rd = _normal(rng, rev, rev_se, draws)
    sims = per_year * fin.margin * (n1 * (c1 - c0) * rd).sum(axis=1)
    tot1 = float(n1.sum())
    detail = ComplaintChurn(
        complainants=int(tot1),
        crude_rd=float(crude),
        adjusted_rd=100 * float(excess.sum()) / tot1,
        excess_churners=float(excess.sum()))
    modelled = _fig(
        "complaint_churn_cost", "Complaints: churn they go with", "modelled", point,
        _band(sims), unit, formula,
        (("Recent complainants", f"{detail.complainants:,} customers complained in the "
          f"{COMPLAINT_FLAG_WEEKS} weeks before the window start"),
         ("Excess 12-month churn", f"{_pp(detail.adjusted_rd)} within NPS category, "
          f"weighted by the complainants (crude, not adjusted: {_pp(detail.crude_rd)})"),
         ("By NPS category", "; ".join(
             f"{CATEGORY_LABELS.get(k, k)}: {int(a):,} complainants {_pct(100 * b / a)} vs "
             f"{_pct(100 * d / c)} of {int(c):,}" for k, a, b, c, d in zip(
                 keys, n1, k1, n0, k0, strict=True))),
         ("Excess leavers", f"{detail.excess_churners:,.1f} a quarter × {per_year:g} quarters"),
         ("Revenue per customer-year R_k", "; ".join(
             f"{CATEGORY_LABELS.get(k, k)} {_m(v, sym)}" for k, v in zip(keys, rev,
                                                                          strict=True))),
         ("Gross margin g", f"{100 * fin.margin:g}%"),
         ("Draws", f"{draws:,}: churn ~ Beta posteriors per category, revenue ~ normal")),
        window, fin,
        "Adjusted for NPS category only: complainants may differ in other ways, "
        "so this is an association, not proof that complaints cause the churn. Customers who "
        "complain in several quarters count once a quarter.")
    return observed, modelled, detail


# --- 5a. savings against a baseline quarter ------------------------------------------------


@dataclass(frozen=True)
class BaselineSavings:
    """Contact cost per customer-week in a baseline quarter and now, priced with one set of
    unit costs, and the saving it makes at the current base."""

    baseline_weeks: tuple[str, str]
    current_weeks: tuple[str, str]
    launch_week: str | None
    baseline_cpw: float  # cost per customer-week
    current_cpw: float
    mean_base: float  # mean active customers a week in the current window
    weekly: float  # saving a week (positive = cost fell)
    weekly_se: float
    effects: dict[str, float]  # saving a week by effect (volume, mix; unit cost is 0)

    @property
    def annual(self) -> float:
        """The weekly saving as an annual run-rate."""
        return WEEKS_PER_YEAR * self.weekly

    @property
    def weekly_ci(self) -> tuple[float, float]:
        """95% interval of the weekly saving."""
        return (self.weekly - stats.Z95 * self.weekly_se, self.weekly + stats.Z95 * self.weekly_se)


def price_savings(df: pd.DataFrame, baseline_end: date, selected: date,
                  prices: Mapping[str, float], window: int = cost.WINDOW_WEEKS
                  ) -> BaselineSavings | str:
    """The saving of the current window against the baseline window, both priced at
    ``prices`` (so the change is contact volume and channel mix only), or the reason none.

    ``df`` is ``cost_channel_weekly``: week_start, channel, contact_count, contact_cost,
    cost_per_contact, active_at_start. Saving a week = (cost per customer-week before − now)
    × mean active customers a week now; 95% interval from the quasi-Poisson variance Σ q × p².
    """
    channels = tuple(sorted(df["channel"].unique()))
    base_weeks = cost._window(baseline_end, window)
    cur_weeks = cost._window(selected, window)
    p = tuple(float(prices.get(ch, 0.0)) for ch in channels)
    b = replace(cost._period(df, base_weeks, channels), unit_cost=p)
    c = replace(cost._period(df, cur_weeks, channels), unit_cost=p)
    nb, nc = b.customer_weeks / window, c.customer_weeks / window
    if min(nb, nc) < config.MIN_BASE:
        return (f"Savings withheld: insufficient base (mean active customers {round(nb):,} in "
                f"the baseline and {round(nc):,} now; at least {config.MIN_BASE} needed).")
    if b.total_contacts == 0 or c.total_contacts == 0:
        return "Savings withheld: a window has no contacts for these customers."
    pp = np.asarray(p)
    var0 = float(np.dot(b.contacts, pp**2))
    var1 = float(np.dot(c.contacts, pp**2))
    v0, v1 = b.cost_per_customer_week, c.cost_per_customer_week
    se = nc * math.sqrt(var0 / b.customer_weeks**2 + var1 / c.customer_weeks**2)
    effects = {k: -v * nc for k, v in cost.decompose(b, c, "per_customer").items()}
    return BaselineSavings(
        baseline_weeks=(week_label(base_weeks[0]), week_label(base_weeks[-1])),
        current_weeks=(week_label(cur_weeks[0]), week_label(cur_weeks[-1])),
        launch_week=None, baseline_cpw=v0, current_cpw=v1, mean_base=nc,
        weekly=(v0 - v1) * nc, weekly_se=se, effects=effects)


def baseline_savings(fetch: Fetch, filters: Filters, prices: Mapping[str, float], fin: Finance
                     ) -> tuple[MoneyFigure, BaselineSavings | None]:
    """Savings against the Cost to serve page's default baseline (the 13 weeks before the
    self-service launch detected on all customers, else the 13 weeks before the current
    window), priced with the set's unit costs in force in the selected week."""
    sym = fin.symbol
    selected = filters.week_start
    window = cost.WINDOW_WEEKS
    unit = f"{sym} a year (run-rate)"
    formula = ("52 × (cost per customer-week in the baseline − now) × mean active customers a "
               "week now; cost = Σ contacts × the set's cost per contact")
    first = min(pd.to_datetime(fetch("weeks_available")["week_start"]).dt.date)
    params = {"start_week": first, "end_week": selected}
    everyone = fetch("cost_channel_weekly", **params, segments=[], regions=[], plans=[])
    df = fetch("cost_channel_weekly", **params, **filters.customer_params())
    for frame in (everyone, df):
        frame["week_start"] = pd.to_datetime(frame["week_start"]).dt.date
    all_weekly = cost._weekly(everyone)
    ss = (everyone[everyone["channel"] == cost.SELF_SERVICE].groupby("week_start")
          ["contact_count"].sum().reindex(all_weekly.index, fill_value=0))
    launch = cost.detect_launch(list(all_weekly.index), ss.to_numpy(),
                                all_weekly["contact_count"].to_numpy())
    options = cost.baseline_choices(first, selected, window)
    chosen = cost.default_baseline(options, selected, launch, window)
    win = f"13 weeks to {filters.week}"
    if chosen is None:
        return _withheld_fig("savings_baseline", "Savings against baseline", "observed", unit,
                             formula, win, fin, f"Savings need two full {window}-week windows: "
                             f"the data start in {week_label(first)}."), None
    res = price_savings(df, parse_week(chosen), selected, prices, window)
    if isinstance(res, str):
        return _withheld_fig("savings_baseline", "Savings against baseline", "observed", unit,
                             formula, win, fin, res), None
    res = replace(res, launch_week=launch.week if launch else None)
    lo, hi = res.weekly_ci
    why = (f"the 13 weeks before the self-service launch detected in {launch.week}"
           if launch and chosen == week_label(launch.week_start - timedelta(weeks=1))
           else "the 13 weeks before the current window")
    fig = _fig(
        "savings_baseline", "Savings against baseline", "observed", res.annual,
        (WEEKS_PER_YEAR * lo, WEEKS_PER_YEAR * hi), unit, formula,
        (("Baseline", f"{res.baseline_weeks[0]} – {res.baseline_weeks[1]} ({why})"),
         ("Now", f"{res.current_weeks[0]} – {res.current_weeks[1]}"),
         ("Cost per customer-week", f"{_m(res.baseline_cpw, sym, 3)} → "
          f"{_m(res.current_cpw, sym, 3)}"),
         ("Mean active customers a week now", f"{res.mean_base:,.0f}"),
         ("Saving a week", f"{_m(res.weekly, sym)} (95% CI {_m(lo, sym)} – {_m(hi, sym)})"),
         ("By effect, a year", "; ".join(f"{cost.EFFECT_LABELS[k].lower()} "
                                         f"{_m(WEEKS_PER_YEAR * v, sym, 0, True)}"
                                         for k, v in res.effects.items())),
         ("Unit costs", "; ".join(f"{cost.channel_label(k)} {_m(v, sym, 2)}"
                                  for k, v in sorted(prices.items()))
          + f" (set in force in {filters.week}, both windows)"),
         ("Interval", "95%, quasi-Poisson: Σ contacts × unit cost² per window")),
        f"{res.baseline_weeks[0]} – {res.current_weeks[1]}", fin,
        "Observed, not modelled: both windows are priced with the same unit costs, so the "
        "saving is fewer contacts per customer and a cheaper channel mix; seasonality between "
        "the windows counts too. It includes the part of the programme's effect that falls in "
        "the current window: do not add the two.")
    return fig, res


# --- 5b. the improvement programme: difference-in-differences -------------------------------


@dataclass(frozen=True)
class Did:
    """One outcome's difference-in-differences, programme segment minus the others."""

    outcome: str
    treated_before: float
    treated_after: float
    control_before: float
    control_after: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    weeks_before: int
    weeks_after: int
    lags: int


@dataclass(frozen=True)
class Programme:
    """The improvement programme's effect measured from the data."""

    segment: str
    controls: tuple[str, ...]
    start_week: str
    before: tuple[str, str]
    after: tuple[str, str]
    effects: dict[str, Did]
    weekly: pd.DataFrame  # week, weeks_since_start, outcome, group, label, value, window
    before_k: tuple[int, int]  # the windows in weeks since the start
    after_k: tuple[int, int]
    cost_since_start: float  # treated contact cost from the start to the selected week
    customer_weeks_since_start: float


def newey_west_lags(n: int) -> int:
    """The Newey–West rule of thumb for the HAC lag length: ⌊4 (n/100)^(2/9)⌋, at least 1."""
    return max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))


def did_hac(before: Sequence[float], after: Sequence[float]) -> tuple[float, float, int]:
    """Regression of a weekly treated − control difference on a post-period dummy: the
    coefficient (= mean after − mean before), its Newey–West (HAC) standard error and lags."""
    from statsmodels.regression.linear_model import OLS

    y = np.concatenate([np.asarray(before, float), np.asarray(after, float)])
    post = np.concatenate([np.zeros(len(before)), np.ones(len(after))])
    lags = newey_west_lags(len(y))
    fit = OLS(y, np.column_stack([np.ones_like(post), post])).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags})
    return float(fit.params[1]), float(fit.bse[1]), lags


def _group_weekly(seg_df: pd.DataFrame, survey: dict[str, pd.DataFrame], treated: str,
                  prices: Mapping[str, float]) -> pd.DataFrame:
    """Per week and group (treated, control): active base, contacts, resolved, contact cost at
    the set's prices, NPS counts."""
    df = seg_df.copy()
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
    df["group"] = np.where(df["segment"] == treated, "treated", "control")
    df["cost"] = df["contact_count"].astype(float) * df["channel"].map(prices).fillna(
        0.0).astype(float)
    base = (df.drop_duplicates(["week_start", "segment"]).groupby(["week_start", "group"])
            ["active_at_start"].sum())
    out = df.groupby(["week_start", "group"])[["contact_count", "resolved_count", "cost"]].sum()
    out["active_at_start"] = base
    parts = []
    for grp, sv in survey.items():
        sv = sv[sv["survey"] == "nps"].copy()
        sv["week_start"] = pd.to_datetime(sv["week_start"]).dt.date
        sv["group"] = grp
        parts.append(sv)
    cols = ["response_count", "promoter_count", "detractor_count"]
    sv = pd.concat(parts, ignore_index=True).set_index(["week_start", "group"])[cols]
    out = out.join(sv.astype(float), how="outer").reset_index()
    return out.fillna(0.0)


def programme_did(fetch: Fetch, filters: Filters, prices: Mapping[str, float],
                  assumptions_now: Mapping[str, float | str], fin: Finance
                  ) -> tuple[Programme | None, str, MoneyFigure]:
    """The programme segment against the other selected segments: NPS (points), FCR (pp:
    resolved / contacts) and cost to serve per customer-week (levels and proportional), 26
    weeks before the start against weeks 8–33 after it (capped at the selected week). Each is
    the post-dummy coefficient of the weekly treated − control difference with a Newey–West
    standard error. Money = the proportional effect on the treated segment's contact cost
    from the start to the selected week (see ``describe_programme``)."""
    sym = fin.symbol
    key, label = "programme_savings", "Programme savings to date"
    unit = f"{sym} since the start"
    formula = ("(e^(−δ) − 1) × contact cost of the programme segment since the start; δ = DiD "
               "of log(cost to serve, programme segment / others)")
    segment = str(assumptions_now.get("programme_segment", "") or "")
    start_text = str(assumptions_now.get("programme_start_week", "") or "")

    def none(reason: str) -> tuple[None, str, MoneyFigure]:
        return None, reason, _withheld_fig(key, label, "observed", unit, formula, "—", fin,
                                           reason)

    try:
        start = parse_week(start_text)
    except FilterError:
        return none("The assumption set names no programme start week "
                    "(programme_start_week).")
    if not segment:
        return none("The assumption set names no programme segment (programme_segment).")
    selected = filters.week_start
    first = min(pd.to_datetime(fetch("weeks_available")["week_start"]).dt.date)
    pre_start = max(start - timedelta(weeks=PROGRAMME_WEEKS_BEFORE), first)
    post_first = start + timedelta(weeks=PROGRAMME_AFTER[0])
    post_last = min(start + timedelta(weeks=PROGRAMME_AFTER[1]), selected)
    n_before = (start - pre_start).days // 7
    n_after = (post_last - post_first).days // 7 + 1
    if n_before < MIN_DID_WEEKS or n_after < MIN_DID_WEEKS:
        return none(f"The programme ({segment}, from {start_text}) needs {MIN_DID_WEEKS} weeks "
                    f"before its start and {MIN_DID_WEEKS} weeks from week "
                    f"{PROGRAMME_AFTER[0]} after it up to {filters.week}: there are "
                    f"{max(n_before, 0)} and {max(n_after, 0)}.")
    seg_df = fetch("value_segment_weekly", start_week=pre_start, end_week=selected,
                   **filters.customer_params())
    present = sorted(str(s) for s in seg_df["segment"].unique())
    controls = tuple(s for s in present if s != segment)
    if segment not in present or not controls:
        return none(f"The programme DiD needs the programme segment ({segment}) and at least one "
                    f"other segment in the selection ({filters.describe()}).")
    cust = {"regions": list(filters.regions), "plans": list(filters.plans)}
    survey = {
        "treated": fetch("kpi_survey_weekly", start_week=pre_start, end_week=selected,
                         segments=[segment], **cust),
        "control": fetch("kpi_survey_weekly", start_week=pre_start, end_week=selected,
                         segments=list(controls), **cust),
    }
    g = _group_weekly(seg_df, survey, segment, prices)
    g["k"] = [(w - start).days // 7 for w in g["week_start"]]
    g["window"] = np.select([g["k"] < 0, (g["k"] >= PROGRAMME_AFTER[0])
                             & (g["k"] <= PROGRAMME_AFTER[1])], ["before", "after"], "")
    with np.errstate(divide="ignore", invalid="ignore"):
        g["nps"] = np.where(g["response_count"] >= config.MIN_BASE,
                            100 * (g["promoter_count"] - g["detractor_count"])
                            / g["response_count"], np.nan)
        g["fcr"] = np.where(g["contact_count"] >= config.MIN_BASE,
                            100 * g["resolved_count"] / g["contact_count"], np.nan)
        g["cts"] = np.where(g["active_at_start"] >= config.MIN_BASE,
                            g["cost"] / g["active_at_start"], np.nan)
    since = g[(g["group"] == "treated") & (g["k"] >= 0)]
    effects: dict[str, Did] = {}
    wide = g[g["window"] != ""].pivot(index=["week_start", "window"], columns="group",
                                      values=["nps", "fcr", "cts"])
    for outcome in ("nps", "fcr", "cts", "cts_log"):
        col = "cts" if outcome == "cts_log" else outcome
        t, c = wide[(col, "treated")], wide[(col, "control")]
        diff = np.log(t / c) if outcome == "cts_log" else t - c
        ok = diff.notna() & np.isfinite(diff)
        win = diff.index.get_level_values("window")
        b, a = diff[ok & (win == "before")], diff[ok & (win == "after")]
        if len(b) < MIN_DID_WEEKS or len(a) < MIN_DID_WEEKS:
            continue
        est, se, lags = did_hac(b.to_numpy(), a.to_numpy())
        ok_b, ok_a = ok & (win == "before"), ok & (win == "after")
        effects[outcome] = Did(
            outcome, float(t[ok_b].mean()), float(t[ok_a].mean()), float(c[ok_b].mean()),
            float(c[ok_a].mean()), est, se, est - stats.Z95 * se, est + stats.Z95 * se,
            len(b), len(a), lags)
    weekly = g.melt(id_vars=["week_start", "k", "group", "window"],
                    value_vars=["nps", "fcr", "cts"], var_name="outcome", value_name="value")
    weekly["week"] = [week_label(w) for w in weekly["week_start"]]
    weekly["label"] = np.where(weekly["group"] == "treated", f"{segment} (programme)",
                               "Others: " + ", ".join(controls))
    weekly = weekly.rename(columns={"k": "weeks_since_start"})
    prog = Programme(
        segment=segment, controls=controls, start_week=week_label(start),
        before=(week_label(pre_start), week_label(start - timedelta(weeks=1))),
        after=(week_label(post_first), week_label(post_last)), effects=effects,
        weekly=weekly[["week", "week_start", "weeks_since_start", "outcome", "group", "label",
                       "value", "window"]].reset_index(drop=True),
        before_k=(-n_before, -1), after_k=(PROGRAMME_AFTER[0], PROGRAMME_AFTER[0] + n_after - 1),
        cost_since_start=float(since["cost"].sum()),
        customer_weeks_since_start=float(since["active_at_start"].sum()))
    if "cts_log" not in effects:
        return prog, "Too few weeks with a cost to serve in both groups.", _withheld_fig(
            key, label, "observed", unit, formula, "—", fin,
            "Too few weeks with a cost to serve in both groups.")
    e = effects["cts_log"]
    actual = prog.cost_since_start

    def saved(delta: float) -> float:
        return actual * (math.exp(-delta) - 1.0)

    lvl = effects.get("cts")
    level_text = ("—" if lvl is None else
                  f"{_m(-lvl.estimate * prog.customer_weeks_since_start, sym)} (95% CI "
                  f"{_m(-lvl.ci_high * prog.customer_weeks_since_start, sym)} – "
                  f"{_m(-lvl.ci_low * prog.customer_weeks_since_start, sym)}) = −DiD "
                  f"{_m(lvl.estimate, sym, 3, True)} per customer-week × "
                  f"{prog.customer_weeks_since_start:,.0f} customer-weeks")
    fig = _fig(
        key, label, "observed", saved(e.estimate), (saved(e.ci_high), saved(e.ci_low)), unit,
        formula,
        (("Programme", f"{segment} from {prog.start_week}; compared with "
          f"{', '.join(controls)}"),
         ("Windows", f"before {prog.before[0]} – {prog.before[1]} ({e.weeks_before} weeks), "
          f"after {prog.after[0]} – {prog.after[1]} ({e.weeks_after} weeks)"),
         ("DiD of log cost to serve δ", f"{e.estimate:+.4f} (95% CI {e.ci_low:+.4f} – "
          f"{e.ci_high:+.4f}; Newey–West, {e.lags} lags) = "
          f"{_pct(100 * (math.exp(e.estimate) - 1), 1, True)} for the programme segment"),
         ("Contact cost of the segment since the start", _m(actual, sym)
          + f" ({since['k'].nunique()} weeks, the set's unit costs)"),
         ("Level DiD alternative (not used)", level_text)),
        f"{prog.before[0]} – {filters.week}", fin,
        "Observed against the other segments over the same weeks. The effect measured in weeks "
        f"{PROGRAMME_AFTER[0]}–{PROGRAMME_AFTER[1]} is applied to every week since the start. "
        "Proportional, not level: a change that cuts every segment's cost by the same share "
        "(the self-service launch) would otherwise count as a programme saving in a segment "
        "that costs more to serve.")
    return prog, "", fig


def describe_programme(p: Programme) -> str:
    """How the programme's effect is measured, in words."""
    return (
        f"Difference-in-differences: {p.segment} (programme from {p.start_week}) against "
        f"{', '.join(p.controls)} over the same weeks, the {PROGRAMME_WEEKS_BEFORE} weeks "
        f"before the start ({p.before[0]} – {p.before[1]}) against weeks {PROGRAMME_AFTER[0]}–"
        f"{PROGRAMME_AFTER[1]} after it ({p.after[0]} – {p.after[1]}; the first "
        f"{PROGRAMME_AFTER[0]} weeks are the ramp-up). Each effect is the coefficient of a "
        "post-period dummy in a regression of the weekly programme-minus-others difference, "
        "with a Newey–West (HAC) standard error for the autocorrelation of weekly series. NPS "
        "is the weekly relationship NPS; FCR = resolved / contacts; cost to serve = contacts × "
        "the set's cost per contact / customers active at the week start. Weeks with fewer "
        f"than {config.MIN_BASE} answers, contacts or customers in a group are left out. The "
        "money uses the proportional effect (log ratio), because a change that cuts every "
        "segment's cost by the same share would otherwise count as a programme saving in the "
        "segment that costs more to serve. Assumes the segments would have moved in parallel "
        "without the programme.")


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueReport:
    """Everything the "CX in money" page shows, computed once."""

    filters: Filters
    symbol: str
    assumption_set: str
    window: str
    figures: dict[str, MoneyFigure]
    clv: pd.DataFrame  # numbers per segment and all segments (value, low, high …)
    clv_figures: dict[str, MoneyFigure]
    clv_table: pd.DataFrame
    categories: pd.DataFrame  # numbers per NPS category, all segments
    category_table: pd.DataFrame
    rar_segments: pd.DataFrame
    rar_table: pd.DataFrame
    coverage: float
    risk_ratio: Ratio | None
    rate_ratio: Ratio | None
    complaint: ComplaintChurn | None
    savings: BaselineSavings | None
    programme: Programme | None
    programme_reason: str
    did_table: pd.DataFrame
    takeaways: dict[str, str]
    titles: dict[str, str]
    notes: dict[str, str]
    queries: tuple[str, ...] = ("money_category_outcomes", "money_category_contacts",
                                "cost_channel_weekly", "value_segment_weekly",
                                "kpi_survey_weekly", "weeks_available")

    def did_weekly(self, outcome: str) -> pd.DataFrame:
        """The weekly series of one programme outcome ('nps', 'fcr', 'cts') for its chart."""
        if self.programme is None:
            return pd.DataFrame(columns=["week", "weeks_since_start", "group", "label",
                                         "value"])
        w = self.programme.weekly
        return w[w["outcome"] == outcome].reset_index(drop=True)

    @property
    def modelled(self) -> tuple[MoneyFigure, ...]:
        """The modelled tiles, in page order."""
        return tuple(self.figures[k] for k in ("revenue_at_risk", "value_d_to_pa",
                                               "value_pa_to_p", "complaint_churn_cost"))

    @property
    def observed(self) -> tuple[MoneyFigure, ...]:
        """The observed tiles, in page order."""
        return tuple(self.figures[k] for k in ("complaint_cost_observed", "savings_baseline",
                                               "programme_savings"))


def _clv_table(clv: pd.DataFrame, sym: str) -> pd.DataFrame:
    rows = []
    for r in clv.itertuples(index=False):
        rows.append({
            "Segment": r.segment,
            "Active customers now": f"{int(r.active_now):,}",
            "Revenue per customer-year": _m(r.revenue_per_year, sym),
            "Cost to serve per customer-year": _m(r.cts_per_year, sym),
            "Margin per customer-year": _m(r.margin_per_year, sym),
            "12-month churn (95% CI)": f"{_pct(100 * r.churn_rate)} ("
                                       f"{_range(100 * r.churn_low, 100 * r.churn_high, _pct)})",
            "Lifetime value per customer": _m(r.value, sym),
            "P10–P90": _range(r.low, r.high, lambda v: _m(v, sym)),
            "+1 pp retention adds": _m(r.per_retention_pp, sym, 0, True),
        })
    return pd.DataFrame(rows)


def _category_table(cat: pd.DataFrame, sym: str) -> pd.DataFrame:
    rows = []
    z = stats.Z95
    for r in cat.itertuples(index=False):
        rows.append({
            "NPS category (latest answer)": CATEGORY_LABELS.get(r.nps_category, r.nps_category),
            "Customers at window start": f"{int(r.customers):,}",
            "12-month churn (95% CI)": f"{_pct(100 * r.churn_rate)} ("
                                       f"{_range(100 * r.churn_low, 100 * r.churn_high, _pct)})",
            "Revenue per customer-year (95% CI)": (
                f"{_m(r.revenue_per_year, sym)} ("
                f"{_range(r.revenue_per_year - z * r.revenue_se, r.revenue_per_year + z * r.revenue_se, lambda v: _m(v, sym))})"),  # noqa: E501
            "Cost to serve per customer-year (95% CI)": (
                f"{_m(r.cts_per_year, sym)} ("
                f"{_range(r.cts_per_year - z * r.cts_se, r.cts_per_year + z * r.cts_se, lambda v: _m(v, sym))})"),  # noqa: E501
            "Lifetime value (P10–P90)": f"{_m(r.clv, sym)} ("
                                        f"{_range(r.clv_low, r.clv_high, lambda v: _m(v, sym))})",
            "Active customers now": f"{int(r.active_now):,}",
        })
    return pd.DataFrame(rows)


def _rar_table(rows: pd.DataFrame, sym: str) -> pd.DataFrame:
    out = []
    for r in rows.itertuples(index=False):
        out.append({
            "Segment": r.segment,
            "Passives now": f"{r.passives_now:,}",
            "Excess churn, passives": _pp(100 * r.excess_churn_passive),
            "Detractors now": f"{r.detractors_now:,}",
            "Excess churn, detractors": _pp(100 * r.excess_churn_detractor),
            "Revenue at risk a year": money_text(r.value, sym),
            "P10–P90": _range(r.low, r.high, lambda v: money_text(v, sym)),
        })
    return pd.DataFrame(out)


def _did_table(p: Programme | None, sym: str) -> pd.DataFrame:
    if p is None:
        return pd.DataFrame()
    fmts: dict[str, Callable[[float], str]] = {
        "nps": lambda v: f"{v:.1f}", "fcr": lambda v: f"{v:.1f}%",
        "cts": lambda v: _m(v, sym, 3),
        "cts_log": lambda v: _m(v, sym, 3),
    }
    dfmt: dict[str, Callable[[float], str]] = {
        "nps": lambda v: f"{_pct(v, 1, True).rstrip('%')} points",
        "fcr": lambda v: f"{_pct(v, 1, True).rstrip('%')} pp",
        "cts": lambda v: f"{_m(v, sym, 3, True)} per customer-week",
        "cts_log": lambda v: _pct(100 * (math.exp(v) - 1), 1, True),
    }
    short: dict[str, Callable[[float], str]] = {
        "nps": lambda v: f"{v:+.1f}", "fcr": lambda v: f"{v:+.1f}",
        "cts": lambda v: _m(v, sym, 3, True),
        "cts_log": lambda v: _pct(100 * (math.exp(v) - 1), 1, True),
    }
    rows = []
    for key, e in p.effects.items():
        f, d, sh = fmts[key], dfmt[key], short[key]
        rows.append({
            "Outcome": OUTCOME_LABELS[key][0] + (" (used for money)" if key == "cts_log"
                                                 else ""),
            f"{p.segment} before": f(e.treated_before),
            f"{p.segment} after": f(e.treated_after),
            "Others before": f(e.control_before),
            "Others after": f(e.control_after),
            "Difference-in-differences": d(e.estimate),
            "95% CI": f"{sh(e.ci_low)} to {sh(e.ci_high)}",
            "Newey–West lags": f"{e.lags}",
            "Weeks (before / after)": f"{e.weeks_before} / {e.weeks_after}",
        })
    return pd.DataFrame(rows)


def _takeaways(r: dict, fin: Finance, filters: Filters) -> dict[str, str]:
    sym = fin.symbol
    out: dict[str, str] = {}
    clv = r["clv"]
    segs = clv[clv["segment"] != ALL]
    if len(segs):
        hi = segs.loc[segs["value"].idxmax()]
        lo = segs.loc[segs["value"].idxmin()]
        text = (f"{hi['segment']} customers are worth most: {_m(hi['value'], sym)} each over "
                f"the horizon (P10–P90 {_range(hi['low'], hi['high'], lambda v: _m(v, sym))})")
        if lo["segment"] != hi["segment"]:
            text += f", against {_m(lo['value'], sym)} for {lo['segment']}"
        out["clv"] = text + f" ({fin.set_id})."
        horizon = "unlimited horizon" if fin.horizon is None else f"{fin.horizon}-year horizon"
        out["clv_retention"] = (
            "One more point of 12-month retention is worth "
            + ", ".join(f"{_m(x.per_retention_pp, sym)} per {x.segment} customer"
                        for x in segs.sort_values("per_retention_pp", ascending=False)
                        .itertuples())
            + f" of lifetime value ({horizon}, our own data and {fin.set_id}).")
    else:
        out["clv"] = out["clv_retention"] = "No customers in the selection."
    cat = r["categories"].set_index("nps_category")
    risk, rate = r["risk_ratio"], r["rate_ratio"]
    if {"detractor", "promoter"} <= set(cat.index) and risk is not None:
        d, p = cat.loc["detractor"], cat.loc["promoter"]
        out["categories"] = (
            f"Detractors left at {_pct(100 * d['churn_rate'])} in 12 months against "
            f"{_pct(100 * p['churn_rate'])} for promoters (risk ratio {risk.value:.2f}, 95% CI "
            f"{risk.low:.2f} – {risk.high:.2f}; per customer-year {rate.value:.2f}, "
            f"{rate.low:.2f} – {rate.high:.2f}), spent {_m(d['revenue_per_year'], sym)} against "
            f"{_m(p['revenue_per_year'], sym)} a year and cost {_m(d['cts_per_year'], sym)} "
            f"against {_m(p['cts_per_year'], sym)} to serve.")
    else:
        out["categories"] = "Too few answered customers to compare NPS categories."
    rar = r["figures"]["revenue_at_risk"]
    out["rar"] = (
        f"Revenue at risk: {money.band_text(rar, sym)} a year from the excess churn of "
        f"passives and detractors over promoters; {_pct(100 * r['coverage'])} of the active "
        "base has an NPS answer, the rest is not counted."
        if math.isfinite(rar.value) else rar.note)
    sav: BaselineSavings | None = r["savings"]
    fs = r["figures"]["savings_baseline"]
    if sav is not None:
        verb = "saves" if sav.weekly >= 0 else "costs"
        out["savings"] = (
            f"Against {sav.baseline_weeks[0]} – {sav.baseline_weeks[1]}, the current quarter "
            f"({sav.current_weeks[0]} – {sav.current_weeks[1]}) {verb} "
            f"{_m(abs(sav.weekly), sym)} a week, {money_text(abs(fs.value), sym)} a year at "
            f"run-rate (95% CI {money_text(fs.low, sym)} – {money_text(fs.high, sym)}), at the "
            f"unit costs of {fin.set_id}: cost per customer-week "
            f"{_m(sav.baseline_cpw, sym, 3)} → {_m(sav.current_cpw, sym, 3)}.")
    else:
        out["savings"] = fs.note
    prog: Programme | None = r["programme"]
    if prog is not None and prog.effects:
        parts = []
        for key in ("nps", "fcr", "cts_log"):
            e = prog.effects.get(key)
            if e is None:
                continue
            if key == "nps":
                parts.append(f"NPS {e.estimate:+.1f} points (95% CI {e.ci_low:+.1f} to "
                             f"{e.ci_high:+.1f})")
            elif key == "fcr":
                parts.append(f"FCR {e.estimate:+.1f} pp ({e.ci_low:+.1f} to {e.ci_high:+.1f})")
            else:
                parts.append("cost to serve "
                             f"{_pct(100 * (math.exp(e.estimate) - 1), 1, True)} "
                             f"({_pct(100 * (math.exp(e.ci_low) - 1), 1, True)} to "
                             f"{_pct(100 * (math.exp(e.ci_high) - 1), 1, True)})")
        fp = r["figures"]["programme_savings"]
        out["programme"] = (
            f"Against {', '.join(prog.controls)}, the programme in {prog.segment} "
            f"(from {prog.start_week}) moved " + ", ".join(parts)
            + (f"; saved {money.band_text(fp, sym)} in contact cost to {filters.week}."
               if math.isfinite(fp.value) else "."))
    else:
        out["programme"] = r["programme_reason"]
    fo, fm = r["figures"]["complaint_cost_observed"], r["figures"]["complaint_churn_cost"]
    cc: ComplaintChurn | None = r["complaint"]
    text = (f"Complaints cost {money_text(fo.value, sym)} a year to handle and compensate "
            "(observed)")
    if cc is not None:
        text += (f"; complainants left {_pp(cc.adjusted_rd)} more often than customers of the "
                 f"same NPS category (crude {_pp(cc.crude_rd)}), worth "
                 f"{money.band_text(fm, sym)} of margin a year (modelled, kept apart).")
    else:
        text += "."
    out["complaints"] = text
    return out


def withhold(fig: MoneyFigure, reason: str) -> MoneyFigure:
    """The figure with its value, band and inputs withheld, and the reason as its note."""
    return replace(fig, value=float("nan"), low=None, high=None, inputs=(), note=reason)


def window_shortfall(fetch: Fetch, inputs: Inputs) -> str:
    """Why the year-based figures are withheld ('' when they are not): a trailing year that
    starts before the data (or without a quarter of answers and complaints before it) would
    understate revenue and miss the NPS categories; savings and the programme stay."""
    first = min(pd.to_datetime(fetch("weeks_available")["week_start"]).dt.date)
    need = first + timedelta(weeks=HISTORY_WEEKS)
    if inputs.as_of >= need:
        return ""
    return (f"The value model needs {HISTORY_WEEKS} weeks of history (NPS answers, "
            f"complaints) before a {money.WINDOW_WEEKS}-week window ending with the "
            f"selected week: the data start in {week_label(first)}, so the first week it "
            f"can show is {week_label(need + timedelta(weeks=money.WINDOW_WEEKS - 1))}.")


def build_report(fetch: Fetch, filters: Filters, aset: AssumptionSet, draws: int = DRAWS
                 ) -> ValueReport:
    """Compute the "CX in money" page for the filters and the assumption set."""
    inputs = money.fetch_inputs(fetch, filters, aset)
    fin = finance(inputs)
    window = inputs.window_text
    est = money.category_estimates(inputs)
    seg = segment_estimates(inputs)
    clv, clv_figs = segment_clv(seg, fin, window, draws)
    categories, move_figs, _ = category_values(est, fin, window, draws)
    rar, rar_rows, coverage = revenue_at_risk(est, fin, window, draws)
    risk, rate = churn_ratios(est)
    comp_obs, comp_mod, comp = complaint_costs(inputs, est, fin, window, draws)
    prices = money.contact_cost_per_channel(inputs)
    sav_fig, sav = baseline_savings(fetch, filters, prices, fin)
    prog, reason, prog_fig = programme_did(fetch, filters, prices, inputs.assumptions, fin)
    figures = {f.key: f for f in (rar, *move_figs.values(), comp_mod, comp_obs, sav_fig,
                                  prog_fig)}
    sym = fin.symbol
    short = window_shortfall(fetch, inputs)
    if short:
        for f in (rar, *move_figs.values(), comp_mod, comp_obs):
            figures[f.key] = withhold(f, short)
        clv, categories, rar_rows = clv.iloc[:0], categories.iloc[:0], rar_rows.iloc[:0]
        clv_figs, risk, rate, comp, coverage = {}, None, None, None, float("nan")
    parts = {"clv": clv, "categories": categories, "risk_ratio": risk, "rate_ratio": rate,
             "figures": figures, "coverage": coverage, "savings": sav, "programme": prog,
             "programme_reason": reason, "complaint": comp}
    horizon = "unlimited horizon" if fin.horizon is None else f"{fin.horizon}-year horizon"
    titles = {
        "clv": f"Lifetime value per customer by segment — {horizon}, P10–P90",
        "clv_axis": f"{sym} per customer",
        "clv_how": "How the lifetime value of all segments is computed",
        "categories": "Value by NPS category (latest answer before the window), all segments",
        "rar": "Revenue at risk by segment",
        "programme": (f"Improvement programme: {prog.segment} against the other segments"
                      if prog else "Improvement programme"),
        "did_nps": "Weekly NPS", "did_nps_axis": "NPS (points)",
        "did_fcr": "Weekly first-contact resolution", "did_fcr_axis": "% resolved first time",
        "did_cts": "Weekly cost to serve per customer", "did_cts_axis": f"{sym} per customer",
    }
    ratio_note = ""
    if risk is not None and rate is not None:
        ratio_note = (
            f" Detractor/promoter churn: 12-month risk ratio {risk.value:.2f} (95% CI "
            f"{risk.low:.2f} – {risk.high:.2f}); rate ratio per customer-year of exposure "
            f"{rate.value:.2f} ({rate.low:.2f} – {rate.high:.2f}), the comparable figure for a "
            "ratio of weekly churn hazards (a ratio of 12-month shares is pulled towards 1 as "
            "churn accumulates).")
    notes = {
        "window": f"Data window: {window}. Assumption set: {fin.set_id}.",
        "clv": (f"{fin.clv_formula}, m = revenue per customer-year × {100 * fin.margin:g}% "
                f"gross margin − cost to serve per customer-year (contacts at the set's unit "
                f"costs, complaints handled and compensated), r = 1 − 12-month churn of "
                f"customers active at the window start, d = {100 * fin.discount:g}%. Bands: "
                f"P10–P90 of {draws:,} draws (Beta posterior on churn, normal on revenue and "
                "cost to serve). Modelled, not observed."),
        "categories": (
            "Churn: Wilson 95% interval; revenue and cost to serve per customer-year: ratio "
            "estimator with a delta-method interval. The moves between categories average the "
            "segments' lifetime-value gaps weighted by the customers now in the category moved "
            f"from, × φ ~ U({fin.phi_low:g}, {fin.phi_high:g})." + ratio_note),
        "rar": (f"Answered customers only: {_pct(100 * coverage)} of the active base has an "
                "NPS answer. Run-rate lost by a year from now; about half of it within the "
                "year if churn is spread evenly."),
        "programme": describe_programme(prog) if prog else reason,
        "external": ("External context: published rules of thumb, quoted with source and year. "
                     "Not part of any total, not a forecast and not a target."),
        "kinds": ("Modelled figures are P10–P90 bands of a model fed by our data; observed "
                  "figures come straight from the data with a 95% interval. The two are never "
                  "added together."),
    }
    takeaways = _takeaways(parts, fin, filters)
    if short:
        takeaways.update({k: short for k in ("clv", "clv_retention", "categories", "rar",
                                             "complaints")})
        notes["rar"] = notes["categories"] = short
    return ValueReport(
        filters=filters, symbol=sym, assumption_set=fin.set_id, window=window,
        figures=figures, clv=clv, clv_figures=clv_figs, clv_table=_clv_table(clv, sym),
        categories=categories, category_table=_category_table(categories, sym),
        rar_segments=rar_rows, rar_table=_rar_table(rar_rows, sym), coverage=coverage,
        risk_ratio=risk, rate_ratio=rate, complaint=comp, savings=sav, programme=prog,
        programme_reason=reason, did_table=_did_table(prog, sym),
        takeaways=takeaways, titles=titles, notes=notes)


def headline(report: ValueReport) -> dict[str, MoneyFigure]:
    """The executive money figures for the Weekly KPIs page and the CLI: revenue at risk
    (modelled) and savings against the baseline as an annual run-rate (observed)."""
    return {"revenue_at_risk": report.figures["revenue_at_risk"],
            "savings_vs_baseline": report.figures["savings_baseline"]}
