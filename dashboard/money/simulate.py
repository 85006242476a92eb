"""Impact simulator: what would an improvement be worth, and how sure are we?

A category-mix simulator with Monte Carlo bands, built on the estimates of ``money.inputs``
(churn, revenue and cost to serve per segment and NPS category, estimated from the linked data
of the trailing year, never hard-coded): customers moved between NPS categories take on the
churn, spend and cost to serve of the category they move to, the "loyalty economics" of
Reichheld & Markey (2011), with the gap scaled by the realisation factor φ.

Levers (``whatif.Levers``):

* **NPS change per segment** (points) with an explicit migration rule: detractors → passives,
  passives → promoters, or half each. +Δ points move Δ % of the segment's active base (all
  customers active now, answered or not, the unanswered assumed to share the respondents' mix),
  capped by the detractors (passives) available. A migrated customer takes on the destination
  category's churn, revenue and cost to serve; the value of the gap is scaled by the
  realisation factor φ, the share of the observed gap the experience causes.
* **Complaint-rate change** (%): saves handling cost and compensation, and the excess churn of
  complainants (customers who complained in the 13 weeks before the window churn more over the
  next 12 months than the others; the gap is scaled by φ).
* **First-contact resolution change** (pp of assisted contacts): every contact resolved first
  time avoids the repeat contacts an unresolved one brings (repeats per unresolved contact,
  estimated from the data) at the cost per contact of the channels repeats arrive on.
* **Self-service shift** (pp of phone contacts moved): saves CPC_phone − CPC_self_service per
  moved contact (a move is a contained contact, one that needs no assisted contact after
  it: enter net containment, not raw self-service volume).

Money over the horizon H (``analysis_horizon_years`` unless set) at discount rate d, with the
shared convention of ``inputs.clv``: a year's revenue and cost to serve count at the end of each
year the customer survives, S(r) = Σ_{t=1..H} r^t / (1 + d)^t; operational savings are a run
rate for H years, A = Σ_{t=1..H} 1 / (1 + d)^t.

    revenue retained = Σ moved × φ × [R_dst·S(1 − c_dst) − R_src·S(1 − c_src)]
                       + avoided complainants/yr × φ × (c_C − c_N) × R × W(1 − c_N)
    cost saved       = Σ moved × φ × [CTS_src·S(1 − c_src) − CTS_dst·S(1 − c_dst)]
                       − avoided complainants/yr × φ × (c_C − c_N) × CTS × W(1 − c_N)
                       + (complaint handling + compensation avoided + repeat contacts avoided
                          + phone → self-service saving) per year × A
    profit impact    = gross margin × revenue retained + cost saved

with W(r) = Σ_{t=1..H} (1 + d)^−t Σ_{i<t} r^i (a cohort of avoided complainants every year).

Uncertainty: churn from Beta(1 + churned, 1 + retained) posteriors (uniform prior), revenue per
customer-year and the sampling error of contact cost from normals with their standard errors,
φ ~ U(low, high) of the set, each cost per contact and the complaint handling cost ~
triangular(± ``unit_cost_uncertainty_pct``), repeats per unresolved contact ~ Gamma(repeats + ½,
1 / unresolved) (the Poisson rate's posterior under the Jeffreys prior). The draws do not depend
on the levers (common random numbers: scenarios differ only by their levers). A one-at-a-time
tornado (Eschenbach 1992) swings each input between its P10 and P90 with the others at their
medians.

Every figure is *modelled*: a P10–P90 band naming the assumption set, the migration rule, φ
and the horizon. Published rules of thumb live apart in ``inputs.EXTERNAL_CONTEXT`` and are never
added to a modelled total. The levers and the saved scenarios live in ``money.whatif``, the
page's texts in ``money.sim_texts``.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.i18n import N_, _, currency
from dashboard.i18n.numbers import written
from dashboard.metrics import display
from dashboard.money.churn_value import COMPLAINT_FLAG_WEEKS
from dashboard.money.figures import WEEKS_PER_YEAR, with_coverage, years
from dashboard.money.inputs import (
    ALL,
    CATEGORIES,
    Inputs,
    MoneyFigure,
    churn_draws,
    cohort_sum,
    contact_cost_per_channel,
    discount_weights,
    survival_sum,
)
from dashboard.money.memo import WhileAlive
from dashboard.money.sim_formulas import formula
from dashboard.money.unit_costs import UnitCosts
from dashboard.money.whatif import (
    DEFAULT_RULE,
    RULES,
    Levers,
    SimulationError,
    loaded_levers,
    signed,
)
from dashboard.warehouse.coverage import Coverage

DEFAULT_DRAWS = 5000
DEFAULT_SEED = 20_260_404
#: A category (or complainant group) needs this many customers to enter the model.
MIN_BASE = 30
#: Complaints flag customers who complained in the 13 weeks before the window: 4 flags a year.
COMPLAINT_FLAG_PER_YEAR = WEEKS_PER_YEAR / COMPLAINT_FLAG_WEEKS
SELF_SERVICE = "self_service"
PHONE = "phone"
P, PA, D = 0, 1, 2  # index of promoter, passive, detractor in CATEGORIES
_CAT_LABEL = {"promoter": N_("promoters"), "passive": N_("passives"),
              "detractor": N_("detractors")}
_QUERIES = ("money_category_outcomes, money_category_contacts, "
            "money_category_contact_spread")


# --- the world the levers act on (deterministic, from the estimates) ----------------------------


@dataclass(frozen=True)
class _World:
    segments: tuple[str, ...]
    channels: tuple[str, ...]
    cpc: np.ndarray  # (C,) cost per contact of the set
    customers: np.ndarray  # (S, 3) cohort at the window start, by category
    churned: np.ndarray  # (S, 3)
    revenue: np.ndarray  # (S, 3) per customer-year
    revenue_se: np.ndarray  # (S, 3)
    contact_vol: np.ndarray  # (S, 3, C) contacts per customer-year
    contact_rel_se: np.ndarray  # (S, 3) relative sampling SE of contact cost
    complaint_rate: np.ndarray  # (S, 3) complaints per customer-year
    compensation_rate: np.ndarray  # (S, 3) compensation per customer-year
    active: np.ndarray  # (S, 3) answered customers active now
    base: np.ndarray  # (S,) every customer active now (answered or not)
    seg_revenue: np.ndarray  # (S,) per customer-year, all customers
    seg_revenue_se: np.ndarray
    seg_contact_vol: np.ndarray  # (S, C)
    seg_complaint_rate: np.ndarray  # (S,)
    seg_compensation_rate: np.ndarray  # (S,)
    complained: np.ndarray  # (S, 2) customers: complained in the 13 weeks before / not
    complained_churned: np.ndarray  # (S, 2)
    complainant_share: np.ndarray  # (S,)
    unresolved: np.ndarray  # (S,) unresolved assisted contacts in the window
    repeats: np.ndarray  # (S,) repeat assisted contacts in the window
    assisted_rate: np.ndarray  # (S,) assisted contacts per customer-year
    unresolved_share: np.ndarray  # (S,) of assisted contacts
    repeat_mix: np.ndarray  # (S, C) channels repeat contacts arrive on
    phone_rate: np.ndarray  # (S,) phone contacts per customer-year
    handling: float
    margin: float
    discount: float
    phi: tuple[float, float]
    unit_u: float
    default_horizon: int
    set_id: str
    symbol: str
    window: str
    coverage: Coverage
    unit_costs: UnitCosts | None = None

    @property
    def ok(self) -> np.ndarray:
        """(S, 3): the category has enough customers and exposure to be modelled."""
        return (self.customers >= MIN_BASE) & np.isfinite(self.revenue)


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    return np.nan_to_num(np.asarray(df[col].to_numpy(), dtype=float))


def _ratio_se(amount: float, sq: float, cross: float, exp_sq: float, exposure: float
              ) -> tuple[float, float]:
    """Ratio estimator revenue / exposure and its delta-method SE (as in money)."""
    if exposure <= 0:
        return float("nan"), float("nan")
    r = amount / exposure
    var = (sq - 2 * r * cross + r * r * exp_sq) / exposure**2
    return r, math.sqrt(max(var, 0.0))


def _index(values: pd.Series, index: Mapping[str, int]) -> np.ndarray:
    """Positions of ``values`` in ``index`` (−1 where absent)."""
    return np.array([index.get(str(v), -1) for v in values.to_numpy()], dtype=int)


def _sum_into(shape: tuple[int, ...], idx: tuple[np.ndarray, ...], values: np.ndarray
              ) -> np.ndarray:
    """Scatter-add ``values`` into a zero array of ``shape`` (rows with an index −1 dropped)."""
    out = np.zeros(shape)
    keep = np.all(np.stack(idx) >= 0, axis=0) if idx else np.ones(len(values), dtype=bool)
    np.add.at(out, tuple(i[keep] for i in idx), values[keep])
    return out


def _world(estimates: pd.DataFrame, inputs: Inputs) -> _World:
    est = estimates[estimates["segment"] != ALL]
    segments = tuple(sorted(str(s) for s in est["segment"].unique()))
    prices = contact_cost_per_channel(inputs)
    con = inputs.contacts
    channels = tuple(sorted(set(prices) | set(con["channel"].astype(str))))
    C, S = len(channels), len(segments)
    cpc = np.array([prices.get(c, 0.0) for c in channels])
    ci = {c: i for i, c in enumerate(channels)}
    si = {s: i for i, s in enumerate(segments)}
    ki = {k: i for i, k in enumerate(CATEGORIES)}

    e_s, e_k = _index(est["segment"], si), _index(est["nps_category"], ki)
    cat_rows = e_k >= 0

    def grid(col: str) -> np.ndarray:
        out = np.full((S, 3), np.nan)
        out[e_s[cat_rows], e_k[cat_rows]] = _num(est, col)[cat_rows]
        return out

    customers, churned = np.nan_to_num(grid("customers")), np.nan_to_num(grid("churned"))
    exposure = np.nan_to_num(grid("exposure_years"))
    revenue, revenue_se = grid("revenue_per_year"), np.nan_to_num(grid("revenue_se"))
    cc, cc_se = np.nan_to_num(grid("contact_cost_per_year")), grid("contact_cost_se")
    rel = np.divide(np.nan_to_num(cc_se), cc, out=np.zeros_like(cc), where=cc > 0)
    active = np.nan_to_num(grid("active_now"))
    base = _sum_into((S,), (e_s,), _num(est, "active_now"))

    # contacts by segment x category x channel, and the assisted-contact facts per segment
    c_s, c_k, c_c = (_index(con["segment"], si), _index(con["nps_category"], ki),
                     _index(con["channel"], ci))
    count = _num(con, "contact_count")
    assisted_row = (con["channel"].astype(str) != SELF_SERVICE).to_numpy()
    vol = _sum_into((S, 3, C), (c_s, c_k, c_c), count)
    vol = np.divide(vol, exposure[..., None], out=np.zeros_like(vol),
                    where=exposure[..., None] > 0)
    seg_contacts = _sum_into((S, C), (c_s, c_c), count)
    unresolved = _sum_into((S,), (c_s,), _num(con, "unresolved_count") * assisted_row)
    repeat_by_channel = _sum_into((S, C), (c_s, c_c), _num(con, "repeat_count") * assisted_row)
    repeats = repeat_by_channel.sum(axis=1)

    # outcomes per segment (all categories): exposure, revenue, complaints, complainants
    o = inputs.outcomes
    o_s, o_k = _index(o["segment"], si), _index(o["nps_category"], ki)
    flag = o["has_recent_complaint"].astype(bool).to_numpy().astype(int)

    def seg_sum(col: str) -> np.ndarray:
        return _sum_into((S,), (o_s,), _num(o, col))

    seg_exp = seg_sum("exposure_years")
    amount, sq, cross, exp_sq = (seg_sum(c) for c in ("revenue_amount", "revenue_sq_sum",
                                                      "revenue_exposure_sum", "exposure_sq_sum"))
    seg_rev, seg_rev_se = np.full(S, np.nan), np.zeros(S)
    for s in range(S):
        seg_rev[s], seg_rev_se[s] = _ratio_se(amount[s], sq[s], cross[s], exp_sq[s], seg_exp[s])
    pos = np.where(seg_exp > 0, seg_exp, 1.0)
    seg_compl = np.where(seg_exp > 0, seg_sum("complaint_count") / pos, 0.0)
    seg_comp = np.where(seg_exp > 0, seg_sum("compensation_amount") / pos, 0.0)
    # column 0: complained in the 13 weeks before the window; column 1: did not
    complained = _sum_into((S, 2), (o_s, 1 - flag), _num(o, "customer_count"))
    complained_churned = _sum_into((S, 2), (o_s, 1 - flag), _num(o, "churned_count"))
    comp_k = _sum_into((S, 3), (o_s, o_k), _num(o, "compensation_amount"))
    exp_k = _sum_into((S, 3), (o_s, o_k), _num(o, "exposure_years"))
    comp_rate = np.divide(comp_k, exp_k, out=np.zeros_like(comp_k), where=exp_k > 0)

    cohort = complained.sum(axis=1)
    assisted = np.array([c != SELF_SERVICE for c in channels], dtype=float)
    seg_vol = np.divide(seg_contacts, seg_exp[:, None], out=np.zeros_like(seg_contacts),
                        where=seg_exp[:, None] > 0)
    assisted_count = seg_contacts @ assisted
    rep_total = repeat_by_channel.sum(axis=1, keepdims=True)
    num = inputs.number
    lo = num("realisation_factor_low", 0.3)
    hi = num("realisation_factor_high", 1.0)
    return _World(
        segments=segments, channels=channels, cpc=cpc, customers=customers, churned=churned,
        revenue=revenue, revenue_se=revenue_se, contact_vol=vol, contact_rel_se=rel,
        complaint_rate=np.nan_to_num(grid("complaints_per_year")), compensation_rate=comp_rate,
        active=active, base=base, seg_revenue=seg_rev, seg_revenue_se=seg_rev_se,
        seg_contact_vol=seg_vol, seg_complaint_rate=seg_compl, seg_compensation_rate=seg_comp,
        complained=complained, complained_churned=complained_churned,
        complainant_share=np.divide(complained[:, 0], cohort, out=np.zeros(S),
                                    where=cohort > 0),
        unresolved=unresolved, repeats=repeats, assisted_rate=seg_vol @ assisted,
        unresolved_share=np.divide(unresolved, assisted_count, out=np.zeros(S),
                                   where=assisted_count > 0),
        repeat_mix=np.divide(repeat_by_channel, rep_total, out=np.zeros_like(repeat_by_channel),
                             where=rep_total > 0),
        phone_rate=seg_vol[:, ci[PHONE]] if PHONE in ci else np.zeros(S),
        handling=num("complaint_handling_cost", 0.0), margin=num("gross_margin_pct") / 100,
        discount=num("discount_rate_pct") / 100, phi=(min(lo, hi), max(lo, hi)),
        unit_u=num("unit_cost_uncertainty_pct", 0.0) / 100,
        default_horizon=int(num("analysis_horizon_years", 3)),
        set_id=inputs.assumption_set, symbol=inputs.symbol, window=inputs.window_text,
        coverage=inputs.coverage, unit_costs=inputs.unit_costs,
    )


# --- the plan: what the levers move, after caps ---------------------------------------------------


@dataclass(frozen=True)
class _Move:
    segment: int
    src: int
    dst: int
    count: float


@dataclass(frozen=True)
class _Plan:
    horizon: int
    moves: tuple[_Move, ...]
    nps_segments: tuple[int, ...]
    complaint_cut: float  # share of complaints avoided (negative: more complaints)
    fcr: np.ndarray  # (S,) pp actually applied
    self_service: float  # share of phone contacts moved
    notes: tuple[str, ...]


def _plan(w: _World, levers: Levers) -> _Plan:
    notes: list[str] = []
    moves: list[_Move] = []
    nps_segments: list[int] = []
    outside: list[str] = []
    thin: list[str] = []
    steps = {"detractors_to_passives": [(D, PA, 1.0)],
             "passives_to_promoters": [(PA, P, 1.0)],
             "half_each": [(D, PA, 0.5), (PA, P, 0.5)]}[levers.migration_rule]
    for seg, delta in levers.nps:
        if seg not in w.segments:
            outside.append(seg)
            continue
        s = w.segments.index(seg)
        answered = w.active[s].sum()
        available = w.base[s] * w.active[s] / answered if answered > 0 else np.zeros(3)
        seg_moves = []
        for src, dst, share in steps:
            if delta < 0:  # NPS falls: customers move the other way
                src, dst = dst, src
            if not (w.ok[s, src] and w.ok[s, dst]):
                if seg not in thin:
                    thin.append(seg)
                continue
            want = abs(delta) / 100 * share * w.base[s]
            count = min(want, available[src])
            if count < want - 1e-9:
                notes.append(_("NPS {change} in {segment} capped: only {available} {category} "
                               "to move ({asked} asked).", change=signed(delta), segment=seg,
                               available=written(f"{available[src]:,.0f}"),
                               category=_(_CAT_LABEL[CATEGORIES[src]]),
                               asked=written(f"{want:,.0f}")))
            seg_moves.append(_Move(s, src, dst, count))
        if seg_moves:
            moves += seg_moves
            nps_segments.append(s)
    if outside:
        notes.append(_("NPS lever not valued in {segments}: no customers of that segment in "
                       "the selection.", segments=display.commas(outside)))
    if thin:
        notes.append(_("NPS lever not (fully) valued in {segments}: fewer than {min_base} "
                       "customers with an NPS answer before the window in a category it moves.",
                       segments=display.commas(thin), min_base=written(str(MIN_BASE))))
    fcr = np.zeros(len(w.segments))
    if levers.fcr_change_pp:
        d = levers.fcr_change_pp
        cap_up, cap_down = 100 * w.unresolved_share, 100 * (1 - w.unresolved_share)
        fcr = np.where(d > 0, np.minimum(d, cap_up), -np.minimum(-d, cap_down))
        if np.any(np.abs(fcr) < abs(d) - 1e-9):
            notes.append(_("First-contact resolution change capped at what the unresolved "
                           "(resolved) share of assisted contacts allows."))
    if levers.complaint_change_pct and (w.complained[:, 0] < MIN_BASE).any():
        few = [s for s, n in zip(w.segments, w.complained[:, 0], strict=True) if n < MIN_BASE]
        notes.append(_("Complainants' excess churn not valued in {segments}: fewer than "
                       "{min_base} recent complainants.", segments=display.commas(few),
                       min_base=written(str(MIN_BASE))))
    return _Plan(
        horizon=levers.horizon_years or w.default_horizon, moves=tuple(moves),
        nps_segments=tuple(nps_segments), complaint_cut=-levers.complaint_change_pct / 100,
        fcr=fcr, self_service=levers.self_service_shift_pp / 100, notes=tuple(notes),
    )


# --- uncertain inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Param:
    name: str
    label: str
    kind: str  # 'share', 'money', 'ratio', 'fraction'
    scale: float  # displayed value = draw × scale (+ offset)
    offset: float = 0.0


def _params(w: _World) -> list[_Param]:
    out = [_Param("phi", _(PHI), "fraction", 1.0)]
    for s, seg in enumerate(w.segments):
        for k, cat in enumerate(CATEGORIES):
            who = {"segment": seg, "category": _(_CAT_LABEL[cat])}
            out += [_Param(f"churn|{s}|{k}", _("12-month churn, {segment} {category}", **who),
                           "share", 1.0),
                    _Param(f"revenue|{s}|{k}",
                           _("Revenue per customer-year, {segment} {category}", **who),
                           "money", 1.0),
                    _Param(f"ctsz|{s}|{k}", _("Contact cost per customer-year, {segment} "
                                              "{category} (sampling)", **who),
                           "money", float(np.nan_to_num(w.contact_rel_se[s, k]
                                                        * (w.contact_vol[s, k] @ w.cpc))),
                           float(w.contact_vol[s, k] @ w.cpc))]
        out += [_Param(f"churn_c|{s}", _("12-month churn, {segment} recent complainants",
                                         segment=seg), "share", 1.0),
                _Param(f"churn_n|{s}", _("12-month churn, {segment} other customers",
                                         segment=seg), "share", 1.0),
                _Param(f"seg_revenue|{s}", _("Revenue per customer-year, {segment}",
                                             segment=seg), "money", 1.0),
                _Param(f"repeats|{s}", _("Repeat contacts per unresolved contact, {segment}",
                                         segment=seg), "ratio", 1.0)]
    for c, ch in enumerate(w.channels):
        out.append(_Param(f"cpc|{c}", _("Cost per contact, {channel}", channel=_channel(ch)),
                          "money", float(w.cpc[c])))
    out.append(_Param("handling", _("Complaint handling cost"), "money", w.handling))
    return out


def _channel(code: str) -> str:
    """A channel as the simulator names it: ``self-service`` in English, in words in another
    language (``metrics.display.name``)."""
    return code.replace("_", "-") if i18n.current() == "en" else display.name(code)


def _triangular(rng: np.random.Generator, u: float, n: int) -> np.ndarray:
    return rng.triangular(1 - u, 1.0, 1 + u, n) if u > 0 else np.ones(n)


def _draw(w: _World, n: int, seed: int) -> dict[str, np.ndarray]:
    """Every uncertain input, n draws each, in a fixed order (independent of the levers)."""
    rng = np.random.default_rng(seed)
    S = len(w.segments)
    out: dict[str, np.ndarray] = {}
    lo, hi = w.phi
    out["phi"] = rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)
    churn = churn_draws(w.customers.ravel(), w.churned.ravel(), rng, n).reshape(n, S, 3)
    rev = rng.standard_normal((n, S, 3)) * w.revenue_se + np.nan_to_num(w.revenue)
    ctsz = rng.standard_normal((n, S, 3))
    comp = churn_draws(w.complained.ravel(), w.complained_churned.ravel(), rng, n
                       ).reshape(n, S, 2)
    seg_rev = rng.standard_normal((n, S)) * w.seg_revenue_se + np.nan_to_num(w.seg_revenue)
    reps = rng.gamma(w.repeats + 0.5, 1.0, (n, S)) / np.where(w.unresolved > 0, w.unresolved,
                                                               1.0)
    for s in range(S):
        for k in range(3):
            out[f"churn|{s}|{k}"] = churn[:, s, k]
            out[f"revenue|{s}|{k}"] = rev[:, s, k]
            out[f"ctsz|{s}|{k}"] = ctsz[:, s, k]
        out[f"churn_c|{s}"] = comp[:, s, 0]
        out[f"churn_n|{s}"] = comp[:, s, 1]
        out[f"seg_revenue|{s}"] = seg_rev[:, s]
        out[f"repeats|{s}"] = reps[:, s]
    for c in range(len(w.channels)):
        out[f"cpc|{c}"] = _triangular(rng, w.unit_u, n)
    out["handling"] = _triangular(rng, w.unit_u, n)
    return out


# --- the model ---------------------------------------------------------------------------------


def _evaluate(w: _World, plan: _Plan, P: Mapping[str, np.ndarray]
              ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Revenue retained and cost saved per component, for every row of the inputs ``P``."""
    n = len(P["phi"])
    H, d = plan.horizon, w.discount
    A_ = float(discount_weights(d, H).sum())
    phi = P["phi"]
    cpc = np.stack([P[f"cpc|{c}"] * w.cpc[c] for c in range(len(w.channels))], axis=1) \
        if w.channels else np.zeros((n, 0))  # (n, C)
    handling = P["handling"] * w.handling
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def cts(s: int, k: int) -> np.ndarray:
        contact = (cpc @ w.contact_vol[s, k]) * (1 + w.contact_rel_se[s, k] * P[f"ctsz|{s}|{k}"])
        return contact + w.complaint_rate[s, k] * handling + w.compensation_rate[s, k]

    for s in plan.nps_segments:
        rev = np.zeros(n)
        saved = np.zeros(n)
        for m in (m for m in plan.moves if m.segment == s):
            r_src = 1 - P[f"churn|{s}|{m.src}"]
            r_dst = 1 - P[f"churn|{s}|{m.dst}"]
            s_src, s_dst = survival_sum(r_src, d, H), survival_sum(r_dst, d, H)
            rev += phi * m.count * (P[f"revenue|{s}|{m.dst}"] * s_dst
                                    - P[f"revenue|{s}|{m.src}"] * s_src)
            saved += phi * m.count * (cts(s, m.src) * s_src - cts(s, m.dst) * s_dst)
        out[f"nps|{s}"] = (rev, saved)

    if plan.complaint_cut:
        rev = np.zeros(n)
        saved = np.zeros(n)
        for s in range(len(w.segments)):
            x, base = plan.complaint_cut, w.base[s]
            saved += x * base * (w.seg_complaint_rate[s] * handling
                                 + w.seg_compensation_rate[s]) * A_
            if w.complained[s, 0] < MIN_BASE or w.complained[s, 1] < MIN_BASE:
                continue
            avoided = x * base * w.complainant_share[s] * COMPLAINT_FLAG_PER_YEAR
            gap = P[f"churn_c|{s}"] - P[f"churn_n|{s}"]
            weight = cohort_sum(1 - P[f"churn_n|{s}"], d, H)
            seg_cts = (cpc @ w.seg_contact_vol[s] + w.seg_complaint_rate[s] * handling
                       + w.seg_compensation_rate[s])
            rev += phi * avoided * gap * P[f"seg_revenue|{s}"] * weight
            saved -= phi * avoided * gap * seg_cts * weight
        out["complaints"] = (rev, saved)

    if np.any(plan.fcr):
        saved = np.zeros(n)
        for s in range(len(w.segments)):
            avoided = plan.fcr[s] / 100 * w.assisted_rate[s] * w.base[s] * P[f"repeats|{s}"]
            saved += avoided * (cpc @ w.repeat_mix[s]) * A_
        out["fcr"] = (np.zeros(n), saved)

    if plan.self_service and PHONE in w.channels:
        ph = w.channels.index(PHONE)
        ss = cpc[:, w.channels.index(SELF_SERVICE)] if SELF_SERVICE in w.channels else 0.0
        moved = plan.self_service * float(w.phone_rate @ w.base)
        out["self_service"] = (np.zeros(n), moved * (cpc[:, ph] - ss) * A_)
    return out


# --- results ----------------------------------------------------------------------------------

OUTPUTS: dict[str, str] = {
    "revenue_retained": N_("Revenue retained"),
    "cost_saved": N_("Cost saved"),
    "profit_impact": N_("Profit impact"),
}


@dataclass(frozen=True)
class SimResult:
    """One simulation: the three modelled figures, the draws, the split by lever, the tornado
    and the probability that the profit impact exceeds the programme cost."""

    levers: Levers
    horizon: int
    draws: int
    seed: int
    revenue_retained: MoneyFigure
    cost_saved: MoneyFigure
    profit_impact: MoneyFigure
    samples: pd.DataFrame  # revenue_retained, cost_saved, profit_impact: one row per draw
    components: pd.DataFrame  # component, label, and P10/P50/P90 of each output
    tornado: pd.DataFrame  # input, low_text, high_text, profit_low, profit_high, swing, base
    p_exceeds: float  # P(profit impact > levers.programme_cost)
    notes: tuple[str, ...]
    assumption_set: str
    symbol: str

    @property
    def figures(self) -> tuple[MoneyFigure, MoneyFigure, MoneyFigure]:
        """Revenue retained, cost saved, profit impact."""
        return self.revenue_retained, self.cost_saved, self.profit_impact

    def prob_exceeds(self, cost: float) -> float:
        """Share of the draws whose profit impact exceeds ``cost``."""
        return float((self.samples["profit_impact"].to_numpy() > cost).mean())


def quantiles(x: np.ndarray) -> tuple[float, float, float]:
    """P10, P50 and P90 of a figure's draws."""
    p10, p50, p90 = np.quantile(x, [0.1, 0.5, 0.9])
    return float(p10), float(p50), float(p90)


def _component_label(w: _World, levers: Levers, key: str, horizon: int) -> str:
    if key.startswith("nps|"):
        seg = w.segments[int(key.split("|")[1])]
        return _("NPS {change} in {segment} ({rule})", change=signed(levers.nps_change(seg)),
                 segment=seg, rule=_(RULES[levers.migration_rule]))
    if key == "complaints":
        return _("Complaints {change} %", change=signed(levers.complaint_change_pct))
    if key == "fcr":
        return _("First-contact resolution {change} pp", change=signed(levers.fcr_change_pp))
    return _("{shift} % of phone contacts to self-service",
             shift=written(f"{levers.self_service_shift_pp:g}"))


#: The names of two of a simulated figure's inputs that its method note quotes.
PHI, HORIZON = N_("Realisation factor φ"), N_("Horizon")


def _cpc_text(w: _World) -> str:
    prices = _(", ").join(_("{channel} {price}", channel=_channel(ch),
                            price=display.money(p, w.symbol, 2))
                          for ch, p in zip(w.channels, w.cpc, strict=True))
    return _("{prices}; each ±{spread} % (triangular)", prices=prices,
             spread=written(f"{w.unit_u * 100:g}"))


def _figure(w: _World, levers: Levers, plan: _Plan, key: str, values: np.ndarray,
            formula: str, draws: int, seed: int) -> MoneyFigure:
    p10, p50, p90 = quantiles(values)
    lo, hi = w.phi
    H = plan.horizon
    inputs = (
        (_("Levers"), levers.describe()),
        (_("Migration rule (NPS)"), _(RULES[levers.migration_rule])),
        (_(PHI), _("uniform {low}\u2009–\u2009{high}: the share of the observed gap between "
                   "categories that the experience causes", low=written(f"{lo:g}"),
                   high=written(f"{hi:g}"))),
        (_(HORIZON), _("{years}, discounted at {rate} % a year (amounts at the end of each "
                       "year survived)", years=years(H), rate=written(f"{w.discount * 100:g}"))),
        (_("Gross margin"), written(f"{w.margin * 100:g} %")),
        (_("Cost per contact"), _cpc_text(w)),
        (_("Complaint handling cost"), _("{cost} ±{spread} % (triangular)",
                                         cost=written(f"{w.symbol}{w.handling:,.2f}"),
                                         spread=written(f"{w.unit_u * 100:g}"))),
        (_("Uncertainty"), _("{draws} Monte Carlo draws (seed {seed}); band P10–P90, value "
                             "P50; churn Beta posteriors, revenue and contact cost normal with "
                             "their standard errors, repeats per unresolved contact Gamma",
                             draws=written(f"{draws:,}"), seed=written(str(seed)))),
        (_("Estimated from"), _("queries {queries}: customers active at the window start, "
                                "their latest NPS category and what they did over the next 52 "
                                "weeks", queries=_QUERIES)),
    )
    note = _("Modelled, not observed. The gaps between NPS categories and between "
             "complainants and other customers are associations in our data; φ is the share "
             "assumed causal.")
    if plan.notes:
        note += " " + " ".join(plan.notes)
    return with_coverage(MoneyFigure(
        key=f"sim_{key}", label=_(OUTPUTS[key]), kind="modelled", value=p50, low=p10, high=p90,
        unit=_("present value over {years}", years=years(H)),
        formula=formula, inputs=inputs, window=w.window, assumption_set=w.set_id, note=note,
        unit_costs=w.unit_costs), w.coverage)


def _profit(w: _World, comps: Mapping[str, tuple[np.ndarray, np.ndarray]], n: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rev = sum((c[0] for c in comps.values()), np.zeros(n))
    saved = sum((c[1] for c in comps.values()), np.zeros(n))
    return rev, saved, w.margin * rev + saved


def _relevant(name: str, plan: _Plan) -> bool:
    """Whether the levers of ``plan`` use the input ``name`` at all."""
    kind, _, rest = name.partition("|")
    seg = int(rest.split("|")[0]) if rest and kind not in ("cpc",) else -1
    if kind in ("churn", "revenue", "ctsz"):
        return seg in plan.nps_segments
    if kind in ("churn_c", "churn_n", "seg_revenue"):
        return bool(plan.complaint_cut)
    if kind == "repeats":
        return bool(plan.fcr[seg])
    return True


def _tornado(w: _World, plan: _Plan, P: Mapping[str, np.ndarray]) -> pd.DataFrame:
    params = [p for p in _params(w) if _relevant(p.name, plan)]
    k = len(params)
    qs = np.quantile(np.stack([P[p.name] for p in params]), [0.1, 0.5, 0.9], axis=1)
    med = {p.name: float(qs[1, i]) for i, p in enumerate(params)}
    q = {p.name: qs[[0, 2], i] for i, p in enumerate(params)}
    batch = {p.name: np.full(1 + 2 * k, med[p.name]) for p in params}
    for i, p in enumerate(params):
        batch[p.name][1 + 2 * i] = q[p.name][0]
        batch[p.name][2 + 2 * i] = q[p.name][1]
    _, _, profit = _profit(w, _evaluate(w, plan, batch), 1 + 2 * k)
    base = float(profit[0])
    rows = []
    for i, p in enumerate(params):
        lo, hi = float(profit[1 + 2 * i]), float(profit[2 + 2 * i])
        swing = abs(hi - lo)
        if swing <= 1e-9 * max(1.0, abs(base)):
            continue
        a, b = (p.offset + v * p.scale for v in q[p.name])
        rows.append({"input": p.label, "low_text": _value_text(p.kind, a, w.symbol),
                     "high_text": _value_text(p.kind, b, w.symbol), "profit_low": lo,
                     "profit_high": hi, "swing": swing, "base": base})
    cols = ["input", "low_text", "high_text", "profit_low", "profit_high", "swing", "base"]
    return (pd.DataFrame(rows, columns=cols).sort_values("swing", ascending=False,
                                                         kind="stable").reset_index(drop=True))


def _value_text(kind: str, v: float, symbol: str) -> str:
    if currency.of(symbol).after:  # Persian digits, or Toman and Rial after the number
        if kind == "share":
            return display.percent(100 * v, 1)
        return display.money(v, symbol, 2) if kind == "money" else display.number(v, 2)
    if kind == "share":
        return f"{100 * v:.1f}%"
    if kind == "money":
        return f"{symbol}{v:,.2f}"
    return f"{v:.2f}"


#: The world and draws of the last estimates simulated (``_prepared``).
_PREPARED = WhileAlive(8)


def _prepared(estimates: pd.DataFrame, inputs: Inputs, draws: int, seed: int
              ) -> tuple[_World, Mapping[str, np.ndarray]]:
    """The world of ``estimates`` and its draws (read-only), made once while both live: the
    value of an NPS point per segment, the headline's and the moves' simulations differ only
    in their levers, on which neither depends."""
    def make():
        w = _world(estimates, inputs)
        P = _draw(w, draws, seed)
        for arr in P.values():
            arr.flags.writeable = False
        return w, P
    return _PREPARED.get((estimates, inputs), (draws, seed), make)


def simulate(estimates: pd.DataFrame, inputs: Inputs, levers: Levers,
             draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
             tornado: bool = True) -> SimResult:
    """Monte Carlo of the levers' money over the horizon; see the module docstring for the
    model. ``estimates`` is ``money.category_estimates(inputs)``. A lever whose table holds no
    rows (``whatif.LEVER_NEEDS``) is left out, and a note says so."""
    if draws < 10:
        raise SimulationError(f"draws = {draws} refused: must be at least 10")
    levers, left_out = loaded_levers(levers, inputs.coverage)
    w, P = _prepared(estimates, inputs, draws, seed)
    plan = _plan(w, levers)
    if left_out:
        plan = replace(plan, notes=(left_out, *plan.notes))
    comps = _evaluate(w, plan, P)
    rev, saved, profit = _profit(w, comps, draws)
    rows = []
    for key, (r, c) in comps.items():
        row = {"component": key, "label": _component_label(w, levers, key, plan.horizon)}
        for name, v in (("revenue_retained", r), ("cost_saved", c),
                        ("profit_impact", w.margin * r + c)):
            row[f"{name}_p10"], row[f"{name}_p50"], row[f"{name}_p90"] = quantiles(v)
        rows.append(row)
    comp_cols = ["component", "label"] + [f"{o}_{p}" for o in OUTPUTS
                                          for p in ("p10", "p50", "p90")]
    return SimResult(
        levers=levers, horizon=plan.horizon, draws=draws, seed=seed,
        revenue_retained=_figure(w, levers, plan, "revenue_retained", rev,
                                 formula("revenue_retained"), draws, seed),
        cost_saved=_figure(w, levers, plan, "cost_saved", saved, formula("cost_saved"),
                           draws, seed),
        profit_impact=_figure(w, levers, plan, "profit_impact", profit,
                              formula("profit_impact"), draws, seed),
        samples=pd.DataFrame({"revenue_retained": rev, "cost_saved": saved,
                              "profit_impact": profit}),
        components=pd.DataFrame(rows, columns=comp_cols),
        tornado=_tornado(w, plan, P) if tornado else pd.DataFrame(),
        p_exceeds=float((profit > levers.programme_cost).mean()),
        notes=plan.notes, assumption_set=w.set_id, symbol=w.symbol,
    )


def nps_point_value(estimates: pd.DataFrame, inputs: Inputs, segment: str,
                    rule: str = DEFAULT_RULE, draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED, horizon_years: int | None = None) -> MoneyFigure:
    """The profit value of +1 NPS point in one segment (``inputs.ALL``: in every segment) over
    the horizon (default the set's), as a modelled P10–P90 figure."""
    segs = sorted(str(s) for s in estimates["segment"].unique() if s != ALL)
    targets = segs if segment == ALL else [segment]
    res = simulate(estimates, inputs, Levers(nps={s: 1.0 for s in targets}, migration_rule=rule,
                                             horizon_years=horizon_years),
                   draws=draws, seed=seed, tornado=False)
    f = res.profit_impact
    where = _("every segment") if segment == ALL else segment
    return with_coverage(MoneyFigure(
        key=f"nps_point_value_{segment}", label=_("Value of +1 NPS point, {segment}",
                                                   segment=where),
        kind="modelled", value=f.value, low=f.low, high=f.high, unit=f.unit,
        formula=_("profit impact of NPS +1 (gross margin × revenue retained + cost saved); "
                  "{formula}", formula=formula("revenue_retained")),
        inputs=f.inputs, window=f.window, assumption_set=f.assumption_set, note=f.note,
        unit_costs=f.unit_costs), inputs.coverage)


def point_values(estimates: pd.DataFrame, inputs: Inputs, rule: str = DEFAULT_RULE,
                 horizon_years: int | None = None, draws: int = DEFAULT_DRAWS,
                 seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The profit value of +1 NPS point in each segment (columns segment, value, low, high:
    P50, P10, P90), highest first."""
    segs = sorted(str(s) for s in estimates["segment"].unique() if s != ALL)
    rows = []
    for seg in segs:
        f = nps_point_value(estimates, inputs, seg, rule, draws, seed, horizon_years)
        rows.append({"segment": seg, "value": f.value, "low": f.low, "high": f.high})
    df = pd.DataFrame(rows, columns=["segment", "value", "low", "high"])
    return df.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)



__all__ = [
    "DEFAULT_DRAWS", "DEFAULT_SEED", "SimResult", "cohort_sum", "nps_point_value",
    "point_values", "quantiles", "simulate", "survival_sum", "years",
]
