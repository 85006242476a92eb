"""What contact cost saved: the observed figures of the value model.

* Savings against a baseline quarter: contact cost per customer-week in a baseline quarter (the
  13 weeks before the self-service launch, else the 13 weeks before the current window) and
  now, both priced at the unit costs of one assumption set, so the change is contact volume and
  channel mix only (``cost.decompose``). Saving a week = (cost per customer-week then − now) ×
  mean active customers a week now, with a 95% interval that takes customers as clusters (the
  variance of the change from each customer's contact cost in both windows: contacts cluster
  by customer and across weeks, so a Poisson variance Σ contacts × unit cost² is too narrow);
  a year is 52 weeks at that run-rate.
* The improvement programme's effect as a difference-in-differences: the programme segment
  against the other selected segments, the 26 weeks before its start against weeks 8–33 after
  it. Each effect is the coefficient of a post-period dummy in a regression of the weekly
  programme-minus-others difference, with a HAC standard error (Newey & West 1987; lags
  ⌊4 (n/100)^(2/9)⌋, Newey & West 1994), since weekly series are autocorrelated and a plain
  OLS error would be too small (Bertrand, Duflo & Mullainathan 2004). Money = (e^(−δ) − 1) ×
  the segment's contact cost since the start, δ the difference-in-differences of log cost to
  serve.

Both are observed figures, from the data with a 95% interval, never added to a modelled one.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.analysis import cost
from dashboard.analysis.cost import pct
from dashboard.analysis.cost_model import customer_spread, launch_in, period_mix, window_dates
from dashboard.i18n import _
from dashboard.i18n.numbers import written
from dashboard.metrics import display, stats
from dashboard.metrics.filters import FilterError, Filters, parse_week, week_label
from dashboard.money.figures import (
    WEEKS_PER_YEAR,
    Finance,
    amount,
    figure,
    withheld,
)
from dashboard.money.inputs import Fetch, MoneyFigure
from dashboard.warehouse import config
from dashboard.warehouse.weeks import first_week

#: The programme difference-in-differences: the 26 weeks before the start against weeks 8–33
#: after it (the first 8 weeks are the ramp-up), as in the demo's planted truth.
PROGRAMME_WEEKS_BEFORE = 26
PROGRAMME_AFTER = (8, 33)
#: Fewest weeks on each side of the programme start for a difference-in-differences.
MIN_DID_WEEKS = 8


# --- savings against a baseline quarter ----------------------------------------------------


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


def dispersion(df: pd.DataFrame, weeks: Sequence[date]) -> float:
    """The window's quasi-Poisson dispersion φ of contact cost, estimated from customer-level
    contact counts: the customer-clustered variance the cost mart keeps for each week, cell and
    channel (``contact_cost_var``), summed over the window, over the plain Poisson variance
    Σ contacts × unit cost² of the same rows. 1 when the window has no contacts."""
    part = df[df["week_start"].isin(weeks)]
    poisson = float((part["contact_count"].astype(float)
                     * part["cost_per_contact"].astype(float) ** 2).sum())
    if poisson <= 0:
        return 1.0
    return float(part["contact_cost_var"].astype(float).sum()) / poisson


def saving_spread(fetch: Fetch, filters: Filters, baseline_end: date, selected: date,
                  prices: Mapping[str, float], window: int = cost.WINDOW_WEEKS) -> float | None:
    """The variance of the change in contact cost per customer-week between the baseline
    window and the current one with customers as clusters, both priced at ``prices``
    (``cost_model.customer_spread``): the windows share customers, and a customer's contacts
    cluster across weeks."""
    spread = customer_spread(fetch, filters, baseline_end, selected, window, prices)
    return None if spread is None else spread.per_customer_week


def price_savings(df: pd.DataFrame, baseline_end: date, selected: date,
                  prices: Mapping[str, float], window: int = cost.WINDOW_WEEKS,
                  spread: float | None = None) -> BaselineSavings | str:
    """The saving of the current window against the baseline window, both priced at
    ``prices`` (so the change is contact volume and channel mix only), or the reason none.

    ``df`` is ``cost_channel_weekly``: week_start, channel, contact_count, contact_cost,
    cost_per_contact, active_at_start. Saving a week = (cost per customer-week before − now)
    × mean active customers a week now. ``spread`` is the customer-clustered variance of the
    change in cost per customer-week (``saving_spread``); without it the interval falls back to
    the weekly quasi-Poisson variance φ × Σ q × p² of each window (``dispersion``), which misses
    that a customer's contacts cluster across the weeks of a window.
    """
    channels = tuple(sorted(df["channel"].unique()))
    base_weeks = window_dates(baseline_end, window)
    cur_weeks = window_dates(selected, window)
    p = tuple(float(prices.get(ch, 0.0)) for ch in channels)
    b = replace(period_mix(df, base_weeks, channels), unit_cost=p)
    c = replace(period_mix(df, cur_weeks, channels), unit_cost=p)
    nb, nc = b.customer_weeks / window, c.customer_weeks / window
    if min(nb, nc) < config.MIN_BASE:
        return _("Savings withheld: insufficient base (mean active customers {baseline} in the "
                 "baseline and {now} now; at least {min_base} needed).",
                 baseline=written(f"{round(nb):,}"), now=written(f"{round(nc):,}"),
                 min_base=written(str(config.MIN_BASE)))
    if b.total_contacts == 0 or c.total_contacts == 0:
        return _("Savings withheld: a window has no contacts for these customers.")
    pp = np.asarray(p)
    var0 = dispersion(df, base_weeks) * float(np.dot(b.contacts, pp**2))
    var1 = dispersion(df, cur_weeks) * float(np.dot(c.contacts, pp**2))
    v0, v1 = b.cost_per_customer_week, c.cost_per_customer_week
    if spread is None:
        spread = var0 / b.customer_weeks**2 + var1 / c.customer_weeks**2
    se = nc * math.sqrt(max(spread, 0.0))
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
    unit = _("{currency} a year (run-rate)", currency=sym)
    formula = _("52 × (cost per customer-week in the baseline − now) × mean active customers "
                "a week now; cost = Σ contacts × the set's cost per contact")
    first, everyone, df = cost.channel_rows(fetch, filters)
    launch = launch_in(everyone)
    options = cost.baseline_choices(first, selected, window)
    chosen = cost.default_baseline(options, selected, launch, window)
    win = _("{weeks} weeks to {week}", weeks=written(str(window)), week=filters.week)

    def none(reason: str) -> tuple[MoneyFigure, None]:
        return withheld("savings_baseline", _("Savings against baseline"), "observed", unit,
                        formula, win, fin, reason), None

    if chosen is None:
        return none(_("Savings need two full {weeks}-week windows: the data start in {first}.",
                      weeks=written(str(window)), first=week_label(first)))
    spread = saving_spread(fetch, filters, parse_week(chosen), selected, prices, window)
    res = price_savings(df, parse_week(chosen), selected, prices, window, spread)
    if isinstance(res, str):
        return none(res)
    res = replace(res, launch_week=launch.week if launch else None)
    lo, hi = res.weekly_ci
    why = (_("the {weeks} weeks before the self-service launch detected in {launch}",
             weeks=written(str(window)), launch=launch.week)
           if launch and chosen == week_label(launch.week_start - timedelta(weeks=1))
           else _("the {weeks} weeks before the current window", weeks=written(str(window))))
    fig = figure(
        "savings_baseline", _("Savings against baseline"), "observed", res.annual,
        (WEEKS_PER_YEAR * lo, WEEKS_PER_YEAR * hi), unit, formula,
        ((_("Baseline"), _("{first} – {last} ({why})", first=res.baseline_weeks[0],
                           last=res.baseline_weeks[1], why=why)),
         (_("Now"), _("{first} – {last}", first=res.current_weeks[0],
                      last=res.current_weeks[1])),
         (_("Cost per customer-week"), _("{before} → {after}",
                                         before=amount(res.baseline_cpw, sym, 3),
                                         after=amount(res.current_cpw, sym, 3))),
         (_("Mean active customers a week now"), written(f"{res.mean_base:,.0f}")),
         (_("Saving a week"), _("{amount} (95% CI {low}\u2009–\u2009{high})",
                                amount=amount(res.weekly, sym), low=amount(lo, sym),
                                high=amount(hi, sym))),
         (_("By effect, a year"), _("; ").join(
             _("{effect} {amount}", effect=_(cost.EFFECT_LABELS[k]).lower(),
               amount=amount(WEEKS_PER_YEAR * v, sym, 0, True))
             for k, v in res.effects.items())),
         (_("Unit costs"), _("{prices} (set in force in {week}, both windows)",
                             prices=_("; ").join(
                                 _("{channel} {amount}", channel=cost.channel_label(k),
                                   amount=amount(v, sym, 2))
                                 for k, v in sorted(prices.items())),
                             week=filters.week)),
         (_("Interval"), _("95%, customers as clusters: the variance of the change in cost per "
                           "customer-week from each customer's contact cost in both windows"))),
        _("{first} – {last}", first=res.baseline_weeks[0], last=res.current_weeks[1]), fin,
        _("Observed, not modelled: both windows are priced with the same unit costs, so the "
          "saving is fewer contacts per customer and a cheaper channel mix; seasonality "
          "between the windows counts too. It includes the part of the programme's effect that "
          "falls in the current window: do not add the two."))
    return fig, res


# --- the improvement programme: difference-in-differences -----------------------------------


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
    """The rule of thumb for the HAC lag length, ⌊4 (n/100)^(2/9)⌋ (Newey & West 1994), at
    least 1."""
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
    key, label = "programme_savings", _("Programme savings to date")
    unit = _("{currency} since the start", currency=sym)
    formula = _("(e^(−δ) − 1) × contact cost of the programme segment since the start; δ = "
                "DiD of log(cost to serve, programme segment / others)")
    segment = str(assumptions_now.get("programme_segment", "") or "")
    start_text = str(assumptions_now.get("programme_start_week", "") or "")

    def none(reason: str) -> tuple[None, str, MoneyFigure]:
        return None, reason, withheld(key, label, "observed", unit, formula, "—", fin, reason)

    try:
        start = parse_week(start_text)
    except FilterError:
        return none(_("The assumption set names no programme start week "
                      "(programme_start_week)."))
    if not segment:
        return none(_("The assumption set names no programme segment (programme_segment)."))
    selected = filters.week_start
    first = first_week(fetch)
    pre_start = max(start - timedelta(weeks=PROGRAMME_WEEKS_BEFORE), first)
    post_first = start + timedelta(weeks=PROGRAMME_AFTER[0])
    post_last = min(start + timedelta(weeks=PROGRAMME_AFTER[1]), selected)
    n_before = (start - pre_start).days // 7
    n_after = (post_last - post_first).days // 7 + 1
    if n_before < MIN_DID_WEEKS or n_after < MIN_DID_WEEKS:
        return none(_("The programme ({segment}, from {start}) needs {min_weeks} weeks before "
                      "its start and {min_weeks} weeks from week {ramp} after it up to {week}: "
                      "there are {before} and {after}.", segment=segment, start=start_text,
                      min_weeks=written(str(MIN_DID_WEEKS)),
                      ramp=written(str(PROGRAMME_AFTER[0])), week=filters.week,
                      before=written(str(max(n_before, 0))),
                      after=written(str(max(n_after, 0)))))
    seg_df = fetch("value_segment_weekly", start_week=pre_start, end_week=selected,
                   **filters.customer_params())
    present = sorted(str(s) for s in seg_df["segment"].unique())
    controls = tuple(s for s in present if s != segment)
    if segment not in present or not controls:
        return none(_("The programme DiD needs the programme segment ({segment}) and at least "
                      "one other segment in the selection ({selection}).", segment=segment,
                      selection=filters.describe()))
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
    weekly["label"] = np.where(weekly["group"] == "treated",
                               _("{segment} (programme)", segment=segment),
                               _("Others: {segments}", segments=display.commas(controls)))
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
        few = _("Too few weeks with a cost to serve in both groups.")
        return prog, few, withheld(key, label, "observed", unit, formula, "—", fin, few)
    e = effects["cts_log"]
    actual = prog.cost_since_start

    def saved(delta: float) -> float:
        return actual * (math.exp(-delta) - 1.0)

    lvl = effects.get("cts")
    level_text = ("—" if lvl is None else _(
        "{amount} (95% CI {low}\u2009–\u2009{high}) = −DiD {did} per customer-week × "
        "{customer_weeks} customer-weeks",
        amount=amount(-lvl.estimate * prog.customer_weeks_since_start, sym),
        low=amount(-lvl.ci_high * prog.customer_weeks_since_start, sym),
        high=amount(-lvl.ci_low * prog.customer_weeks_since_start, sym),
        did=amount(lvl.estimate, sym, 3, True),
        customer_weeks=written(f"{prog.customer_weeks_since_start:,.0f}")))
    fig = figure(
        key, label, "observed", saved(e.estimate), (saved(e.ci_high), saved(e.ci_low)), unit,
        formula,
        ((_("Programme"), _("{segment} from {start}; compared with {controls}", segment=segment,
                            start=prog.start_week, controls=display.commas(controls))),
         (_("Windows"), _("before {before_first} – {before_last} ({weeks_before} weeks), "
                          "after {after_first} – {after_last} ({weeks_after} weeks)",
                          before_first=prog.before[0], before_last=prog.before[1],
                          weeks_before=written(str(e.weeks_before)),
                          after_first=prog.after[0], after_last=prog.after[1],
                          weeks_after=written(str(e.weeks_after)))),
         (_("DiD of log cost to serve δ"), _(
             "{did} (95% CI {band}; Newey–West, {lags} lags) = {change} for the programme "
             "segment", did=display.signed(e.estimate, 4),
             band=display.span(e.ci_low, e.ci_high, lambda v: display.signed(v, 4)),
             lags=written(str(e.lags)), change=pct(100 * (math.exp(e.estimate) - 1), 1, True))),
         (_("Contact cost of the segment since the start"), _(
             "{amount} ({weeks} weeks, the set's unit costs)", amount=amount(actual, sym),
             weeks=written(str(since["k"].nunique())))),
         (_("Level DiD alternative (not used)"), level_text)),
        _("{first} – {last}", first=prog.before[0], last=filters.week), fin,
        _("Observed against the other segments over the same weeks. The effect measured in "
          "weeks {first}–{last} is applied to every week since the start. Proportional, not "
          "level: a change that cuts every segment's cost by the same share (the self-service "
          "launch) would otherwise count as a programme saving in a segment that costs more to "
          "serve.", first=written(str(PROGRAMME_AFTER[0])),
          last=written(str(PROGRAMME_AFTER[1]))))
    return prog, "", fig


def describe_programme(p: Programme) -> str:
    """How the programme's effect is measured, in words."""
    return _(
        "Difference-in-differences: {segment} (programme from {start}) against {controls} over "
        "the same weeks, the {weeks_before} weeks before the start ({before_first} – "
        "{before_last}) against weeks {after_from}–{after_to} after it ({after_first} – "
        "{after_last}; the first {ramp} weeks are the ramp-up). Each effect is the coefficient "
        "of a post-period dummy in a regression of the weekly programme-minus-others "
        "difference, with a Newey–West (HAC) standard error for the autocorrelation of weekly "
        "series. NPS is the weekly relationship NPS; FCR = resolved / contacts; cost to serve = "
        "contacts × the set's cost per contact / customers active at the week start. Weeks with "
        "fewer than {min_base} answers, contacts or customers in a group are left out. The "
        "money uses the proportional effect (log ratio), because a change that cuts every "
        "segment's cost by the same share would otherwise count as a programme saving in the "
        "segment that costs more to serve. Assumes the segments would have moved in parallel "
        "without the programme.", segment=p.segment, start=p.start_week,
        controls=display.commas(p.controls), weeks_before=written(str(PROGRAMME_WEEKS_BEFORE)),
        before_first=p.before[0], before_last=p.before[1],
        after_from=written(str(PROGRAMME_AFTER[0])), after_to=written(str(PROGRAMME_AFTER[1])),
        after_first=p.after[0], after_last=p.after[1], ramp=written(str(PROGRAMME_AFTER[0])),
        min_base=written(str(config.MIN_BASE)))
