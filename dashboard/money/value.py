"""The value model: CX in financial language, as the "CX in money" page shows it.

One function, ``build_report``, turns the linked customer facts (``dashboard.money.inputs``) and
the weekly marts into every money figure of the page, each a ``MoneyFigure`` that names the
assumption set it was computed with, its formula, inputs and data window:

* churn-adjusted lifetime value per customer by segment (modelled, P10–P90 band);
* the value of a customer in each NPS category, and of moving one detractor to passive and one
  passive to promoter, scaled by the realisation factor φ (modelled);
* revenue at risk: the excess churn of passives and detractors over promoters, priced at their
  revenue (modelled), with the detractor/promoter churn ratios;
* the cost of complaints: handling and compensation (observed) kept apart from the churn that
  complaints go with (modelled, within NPS category);
* savings against a baseline quarter priced with the set's unit costs (observed), and the
  improvement programme's effect as a difference-in-differences (observed).

The estimates live in ``money.churn_value`` (what churn costs, and the observed cost of
complaints) and ``money.savings`` (what contact cost saved); this module assembles them with the
page's tables, takeaways, titles and notes. Three kinds of money
figure are never added together: observed (from the data, with a 95% interval), modelled (a
P10–P90 band of a model fed by our data) and external context (published rules of thumb).

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pandas as pd

from dashboard.analysis.cost import pct
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import written
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import Filters, week_label
from dashboard.money import churn_value, savings
from dashboard.money import inputs as money
from dashboard.money.assumptions import AssumptionSet
from dashboard.money.churn_value import (
    CATEGORY_LABELS,
    COMPLAINT_FLAG_WEEKS,
    ComplaintChurn,
    Ratio,
)
from dashboard.money.figures import (
    DRAWS,
    Finance,
    amount,
    cost_gap,
    finance,
    pp,
    span,
    with_coverage,
    withhold,
)
from dashboard.money.inputs import ALL, Fetch, Inputs, MoneyFigure, money_text
from dashboard.money.savings import BaselineSavings, Programme
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.coverage import COMPLAINTS, CONTACTS, SURVEYS, TRANSACTIONS, Coverage
from dashboard.warehouse.weeks import first_week

#: History the year-based figures need before their window: latest NPS answers and the
#: recent-complaint flag are read from it.
HISTORY_WEEKS = COMPLAINT_FLAG_WEEKS
OUTCOME_LABELS = {
    "nps": (N_("NPS"), "points"),
    "fcr": (N_("First-contact resolution"), "pp"),
    "cts": (N_("Cost to serve per customer-week"), "currency"),
    "cts_log": (N_("Cost to serve, proportional"), "%"),
}
#: The proportional cost-to-serve outcome as the programme's table names it on screen.
USED_FOR_MONEY = N_("Cost to serve, proportional (used for money)")
#: The raw tables each section of the page is drawn from (``ValueReport.missing``).
SECTION_NEEDS = {"clv": (TRANSACTIONS,), "categories": (SURVEYS, TRANSACTIONS),
                 "rar": (SURVEYS, TRANSACTIONS), "savings": (CONTACTS,),
                 "complaints": (COMPLAINTS,)}
#: The raw table each programme outcome is measured on (not loaded: the outcome is left out).
OUTCOME_NEEDS = {"nps": (SURVEYS,), "fcr": (CONTACTS,), "cts": (CONTACTS,),
                 "cts_log": (CONTACTS,)}


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
    data_coverage: Coverage = cov.COMPLETE  # which raw tables hold rows
    split_note: str = ""  # why lifetime value and revenue at risk are not by segment
    queries: tuple[str, ...] = ("money_category_outcomes", "money_category_contacts",
                                "money_category_contact_spread", "cost_channel_weekly",
                                "value_segment_weekly", "kpi_survey_weekly", "weeks_available")

    def missing(self, section: str) -> tuple[str, ...]:
        """The tables a section of the page (``SECTION_NEEDS``) needs that hold no rows."""
        return self.data_coverage.missing(SECTION_NEEDS[section])

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


def _with_span(v: float, lo: float, hi: float, fmt: Callable[[float], str]) -> str:
    """``v (lo – hi)`` in the format ``fmt``."""
    return f"{fmt(v)} ({span(lo, hi, fmt)})"


def _churn_text(r) -> str:
    """A row's 12-month churn with its 95% interval."""
    return _with_span(100 * r.churn_rate, 100 * r.churn_low, 100 * r.churn_high, pct)


def _cost_column(name: str, gap: str) -> str:
    """A cost-to-serve column's name (translated), saying what it leaves out when a source is
    not loaded."""
    return _("{title} ({gap})", title=_(name), gap=gap) if gap else _(name)


def _count(n) -> str:
    """A count of customers as the table shows it: ``4,238`` (``۴٬۲۳۸`` in Persian)."""
    return written(f"{int(n):,}")


def _segment(name: str) -> str:
    """A segment's name as shown: the all-segments row in words, the others as they are."""
    return _(ALL) if name == ALL else name


def _cost_cell(text: str, gap: str) -> str:
    """A cost-to-serve cell: 'not loaded' when neither contacts nor complaints are."""
    return _("not loaded") if gap == _("without cost to serve") else text


def _clv_table(clv: pd.DataFrame, sym: str, gap: str = "") -> pd.DataFrame:
    return pd.DataFrame([{
        _("Segment"): _segment(r.segment),
        _("Active customers now"): _count(r.active_now),
        _("Revenue per customer-year"): amount(r.revenue_per_year, sym),
        _cost_column(N_("Cost to serve per customer-year"), gap):
            _cost_cell(amount(r.cts_per_year, sym), gap),
        _("Margin per customer-year"): amount(r.margin_per_year, sym),
        _("12-month churn (95% CI)"): _churn_text(r),
        _cost_column(N_("Lifetime value per customer"), gap): amount(r.value, sym),
        "P10–P90": span(r.low, r.high, lambda v: amount(v, sym)),
        _("+1 pp retention adds"): amount(r.per_retention_pp, sym, 0, True),
    } for r in clv.itertuples(index=False)])


def _category_table(cat: pd.DataFrame, sym: str, gap: str = "") -> pd.DataFrame:
    z = stats.Z95

    def cash(v: float) -> str:
        return amount(v, sym)

    return pd.DataFrame([{
        _("NPS category (latest answer)"): _(CATEGORY_LABELS.get(r.nps_category,
                                                                 r.nps_category)),
        _("Customers at window start"): _count(r.customers),
        _("12-month churn (95% CI)"): _churn_text(r),
        _("Revenue per customer-year (95% CI)"): _with_span(
            r.revenue_per_year, r.revenue_per_year - z * r.revenue_se,
            r.revenue_per_year + z * r.revenue_se, cash),
        _cost_column(N_("Cost to serve per customer-year (95% CI)"), gap): _cost_cell(
            _with_span(r.cts_per_year, r.cts_per_year - z * r.cts_se,
                       r.cts_per_year + z * r.cts_se, cash), gap),
        _cost_column(N_("Lifetime value (P10–P90)"), gap): _with_span(r.clv, r.clv_low,
                                                                      r.clv_high, cash),
        _("Active customers now"): _count(r.active_now),
    } for r in cat.itertuples(index=False)])


def _rar_table(rows: pd.DataFrame, sym: str) -> pd.DataFrame:
    return pd.DataFrame([{
        _("Segment"): _segment(r.segment),
        _("Passives now"): _count(r.passives_now),
        _("Excess churn, passives"): pp(100 * r.excess_churn_passive),
        _("Detractors now"): _count(r.detractors_now),
        _("Excess churn, detractors"): pp(100 * r.excess_churn_detractor),
        _("Revenue at risk a year"): money_text(r.value, sym),
        "P10–P90": span(r.low, r.high, lambda v: money_text(v, sym)),
    } for r in rows.itertuples(index=False)])


def _by_segment(table: pd.DataFrame, split_note: str) -> pd.DataFrame:
    """A table by segment as shown: without its Segment column when there is one segment."""
    return table.drop(columns=[_("Segment")], errors="ignore") if split_note else table


def _did_table(p: Programme | None, sym: str) -> pd.DataFrame:
    if p is None:
        return pd.DataFrame()

    def one(v: float) -> str:
        return written(f"{v:.1f}")

    def change(v: float) -> str:  # a signed change, no unit: ``+16.6``
        return display.number(v, 1, signed=True, thousands=False)

    fmts: dict[str, Callable[[float], str]] = {
        "nps": one, "fcr": lambda v: written(f"{v:.1f}%"),
        "cts": lambda v: amount(v, sym, 3),
        "cts_log": lambda v: amount(v, sym, 3),
    }
    dfmt: dict[str, Callable[[float], str]] = {
        "nps": lambda v: _("{change} points", change=change(v)),
        "fcr": lambda v: _("{change} pp", change=change(v)),
        "cts": lambda v: _("{amount} per customer-week", amount=amount(v, sym, 3, True)),
        "cts_log": lambda v: pct(100 * (math.exp(v) - 1), 1, True),
    }
    short: dict[str, Callable[[float], str]] = {
        "nps": lambda v: display.signed(v, 1), "fcr": lambda v: display.signed(v, 1),
        "cts": lambda v: amount(v, sym, 3, True),
        "cts_log": lambda v: pct(100 * (math.exp(v) - 1), 1, True),
    }
    rows = []
    for key, e in p.effects.items():
        f, d, sh = fmts[key], dfmt[key], short[key]
        outcome = USED_FOR_MONEY if key == "cts_log" else OUTCOME_LABELS[key][0]
        rows.append({
            _("Outcome"): _(outcome),
            _("{segment} before", segment=p.segment): f(e.treated_before),
            _("{segment} after", segment=p.segment): f(e.treated_after),
            _("Others before"): f(e.control_before),
            _("Others after"): f(e.control_after),
            _("Difference-in-differences"): d(e.estimate),
            _("95% CI"): _("{low} to {high}", low=sh(e.ci_low), high=sh(e.ci_high)),
            _("Newey–West lags"): written(f"{e.lags}"),
            _("Weeks (before / after)"): _("{before} / {after}",
                                           before=written(f"{e.weeks_before}"),
                                           after=written(f"{e.weeks_after}")),
        })
    return pd.DataFrame(rows)


def _joined(*sentences: str) -> str:
    """Whole sentences one after another (a space between; empty ones left out)."""
    return " ".join(s for s in sentences if s)


def _horizon(fin: Finance) -> str:
    """``3-year horizon`` or ``unlimited horizon``."""
    if fin.horizon is None:
        return _("unlimited horizon")
    return _("{years}-year horizon", years=written(str(fin.horizon)))


def _clv_takeaway(segs: pd.DataFrame, gap: str, fin: Finance) -> str:
    """Which segment's customers are worth most, and the least (when another)."""
    sym = fin.symbol
    hi = segs.loc[segs["value"].idxmax()]
    lo = segs.loc[segs["value"].idxmin()]
    values = {"segment": hi["segment"], "value": amount(hi["value"], sym),
              "band": span(hi["low"], hi["high"], lambda v: amount(v, sym)),
              "set_id": fin.set_id}
    if lo["segment"] != hi["segment"]:
        values |= {"low_value": amount(lo["value"], sym), "low_segment": lo["segment"]}
        if gap:
            return _("{segment} customers are worth most ({gap}): {value} each over the "
                     "horizon (P10–P90 {band}), against {low_value} for {low_segment} "
                     "({set_id}).", gap=gap, **values)
        return _("{segment} customers are worth most: {value} each over the horizon (P10–P90 "
                 "{band}), against {low_value} for {low_segment} ({set_id}).", **values)
    if gap:
        return _("{segment} customers are worth most ({gap}): {value} each over the horizon "
                 "(P10–P90 {band}) ({set_id}).", gap=gap, **values)
    return _("{segment} customers are worth most: {value} each over the horizon (P10–P90 "
             "{band}) ({set_id}).", **values)


def _ratio(x: float) -> str:
    return written(f"{x:.2f}")


def _programme_takeaway(prog: Programme, fp: MoneyFigure, sym: str, filters: Filters) -> str:
    parts = []
    for key in ("nps", "fcr", "cts_log"):
        e = prog.effects.get(key)
        if e is None:
            continue
        if key == "nps":
            parts.append(_("NPS {change} points (95% CI {band})",
                           change=display.signed(e.estimate, 1),
                           band=display.span(e.ci_low, e.ci_high, display.signed)))
        elif key == "fcr":
            parts.append(_("FCR {change} pp ({band})", change=display.signed(e.estimate, 1),
                           band=display.span(e.ci_low, e.ci_high, display.signed)))
        else:
            parts.append(_("cost to serve {change} ({low} to {high})",
                           change=pct(100 * (math.exp(e.estimate) - 1), 1, True),
                           low=pct(100 * (math.exp(e.ci_low) - 1), 1, True),
                           high=pct(100 * (math.exp(e.ci_high) - 1), 1, True)))
    values = {"controls": _(", ").join(prog.controls), "segment": prog.segment,
              "start": prog.start_week, "moves": _(", ").join(parts)}
    if math.isfinite(fp.value):
        return _("Against {controls}, the programme in {segment} (from {start}) moved {moves}; "
                 "saved {saved} in contact cost to {week}.", saved=money.band_text(fp, sym),
                 week=filters.week_name, **values)
    return _("Against {controls}, the programme in {segment} (from {start}) moved {moves}.",
             **values)


def _takeaways(r: dict, fin: Finance, filters: Filters) -> dict[str, str]:
    sym = fin.symbol
    out: dict[str, str] = {}
    clv = r["clv"]
    segs = clv[clv["segment"] != ALL]
    if len(segs):
        out["clv"] = _clv_takeaway(segs, r.get("gap") or "", fin)
        out["clv_retention"] = _(
            "One more point of 12-month retention is worth {values} of lifetime value "
            "({horizon}, our own data and {set_id}).", horizon=_horizon(fin), set_id=fin.set_id,
            values=_(", ").join(
                _("{amount} per {segment} customer", amount=amount(x.per_retention_pp, sym),
                  segment=x.segment)
                for x in segs.sort_values("per_retention_pp", ascending=False).itertuples()))
    elif len(clv):  # a single segment: the customers as a whole
        r0 = clv.iloc[0]
        out["clv"] = _("A customer is worth {value} over the horizon (P10–P90 {band}) "
                       "({set_id}).", value=amount(r0["value"], sym),
                       band=span(r0["low"], r0["high"], lambda v: amount(v, sym)),
                       set_id=fin.set_id)
        out["clv_retention"] = _(
            "One more point of 12-month retention is worth {amount} per customer of lifetime "
            "value ({horizon}, our own data and {set_id}).",
            amount=amount(r0["per_retention_pp"], sym), horizon=_horizon(fin),
            set_id=fin.set_id)
    else:
        out["clv"] = out["clv_retention"] = _("No customers in the selection.")
    cat = r["categories"].set_index("nps_category")
    risk, rate = r["risk_ratio"], r["rate_ratio"]
    if {"detractor", "promoter"} <= set(cat.index) and risk is not None:
        d, p = cat.loc["detractor"], cat.loc["promoter"]
        out["categories"] = _(
            "Detractors left at {detractor_churn} in 12 months against {promoter_churn} for "
            "promoters (risk ratio {risk}, 95% CI {risk_low}\u2009–\u2009{risk_high}; per "
            "customer-year {rate}, {rate_low}\u2009–\u2009{rate_high}), spent "
            "{detractor_revenue} against {promoter_revenue} a year and cost {detractor_cost} "
            "against {promoter_cost} to serve.",
            detractor_churn=pct(100 * d["churn_rate"]), promoter_churn=pct(100 * p["churn_rate"]),
            risk=_ratio(risk.value), risk_low=_ratio(risk.low), risk_high=_ratio(risk.high),
            rate=_ratio(rate.value), rate_low=_ratio(rate.low), rate_high=_ratio(rate.high),
            detractor_revenue=amount(d["revenue_per_year"], sym),
            promoter_revenue=amount(p["revenue_per_year"], sym),
            detractor_cost=amount(d["cts_per_year"], sym),
            promoter_cost=amount(p["cts_per_year"], sym))
    elif r["figures"]["value_d_to_pa"].missing:
        out["categories"] = r["figures"]["value_d_to_pa"].note
    else:
        out["categories"] = _("Too few answered customers to compare NPS categories.")
    rar = r["figures"]["revenue_at_risk"]
    out["rar"] = (
        _("Revenue at risk: {band} a year from the excess churn of passives and detractors over "
          "promoters; {coverage} of the active base has an NPS answer, the rest is not "
          "counted.", band=money.band_text(rar, sym), coverage=pct(100 * r["coverage"]))
        if math.isfinite(rar.value) else rar.note)
    sav: BaselineSavings | None = r["savings"]
    fs = r["figures"]["savings_baseline"]
    if sav is not None:
        values = {"base_first": sav.baseline_weeks[0], "base_last": sav.baseline_weeks[1],
                  "first": sav.current_weeks[0], "last": sav.current_weeks[1],
                  "weekly": amount(abs(sav.weekly), sym),
                  "yearly": money_text(abs(fs.value), sym), "low": money_text(fs.low, sym),
                  "high": money_text(fs.high, sym), "set_id": fin.set_id,
                  "before": amount(sav.baseline_cpw, sym, 3),
                  "after": amount(sav.current_cpw, sym, 3)}
        if sav.weekly >= 0:
            out["savings"] = _(
                "Against {base_first} – {base_last}, the current quarter ({first} – {last}) "
                "saves {weekly} a week, {yearly} a year at run-rate (95% CI "
                "{low}\u2009–\u2009{high}), at the unit costs of {set_id}: cost per "
                "customer-week {before} → {after}.", **values)
        else:
            out["savings"] = _(
                "Against {base_first} – {base_last}, the current quarter ({first} – {last}) "
                "costs {weekly} a week, {yearly} a year at run-rate (95% CI "
                "{low}\u2009–\u2009{high}), at the unit costs of {set_id}: cost per "
                "customer-week {before} → {after}.", **values)
    else:
        out["savings"] = fs.note
    prog: Programme | None = r["programme"]
    if prog is not None and prog.effects:
        out["programme"] = _programme_takeaway(prog, r["figures"]["programme_savings"], sym,
                                               filters)
    else:
        out["programme"] = r["programme_reason"]
    fo, fm = r["figures"]["complaint_cost_observed"], r["figures"]["complaint_churn_cost"]
    if fo.missing:
        out["complaints"] = _("Complaints: {message}.", message=fo.not_loaded)
        return out
    cc: ComplaintChurn | None = r["complaint"]
    cost = money_text(fo.value, sym)
    if cc is not None:
        out["complaints"] = _(
            "Complaints cost {cost} a year to handle and compensate (observed); complainants "
            "left {adjusted} more often than customers of the same NPS category (crude "
            "{crude}), worth {band} of margin a year (modelled, kept apart).", cost=cost,
            adjusted=pp(cc.adjusted_rd), crude=pp(cc.crude_rd), band=money.band_text(fm, sym))
    else:
        out["complaints"] = _("Complaints cost {cost} a year to handle and compensate "
                              "(observed).", cost=cost)
    return out


def window_shortfall(fetch: Fetch, inputs: Inputs) -> str:
    """Why the year-based figures are withheld ('' when they are not): a trailing year that
    starts before the data (or without a quarter of answers and complaints before it) would
    understate revenue and miss the NPS categories; savings and the programme stay."""
    first = first_week(fetch)
    need = first + timedelta(weeks=HISTORY_WEEKS)
    if inputs.as_of >= need:
        return ""
    return _("The value model needs {history} weeks of history (NPS answers, complaints) "
             "before a {window}-week window ending with the selected week: the data start in "
             "{first}, so the first week it can show is {first_shown}.",
             history=written(str(HISTORY_WEEKS)), window=written(str(money.WINDOW_WEEKS)),
             first=week_label(first),
             first_shown=week_label(need + timedelta(weeks=money.WINDOW_WEEKS - 1)))


def _programme_loaded(prog: Programme | None, reason: str, coverage: Coverage
                      ) -> tuple[Programme | None, str]:
    """The programme with only the outcomes whose table is loaded (none left: no programme,
    and the reason says what to load)."""
    if prog is None:
        return prog, reason
    kept = {k: e for k, e in prog.effects.items() if not coverage.missing(OUTCOME_NEEDS[k])}
    if kept:
        return replace(prog, effects=kept), reason
    gone = coverage.missing(t for k in prog.effects for t in OUTCOME_NEEDS[k])
    return None, (cov.sentence(gone) if gone else reason)


def build_report(fetch: Fetch, filters: Filters, aset: AssumptionSet, draws: int = DRAWS,
                 coverage: Coverage | None = None, loaded=None) -> ValueReport:
    """Compute the "CX in money" page for the filters and the assumption set. Figures whose
    source tables hold no rows are not loaded (``figures.with_coverage``); lifetime values
    computed without contact or complaint costs say so in their titles and columns.
    ``loaded``: the inputs and estimates when already read (``inputs.load``)."""
    inputs, est = loaded or money.load(fetch, filters, aset, coverage)
    loaded = inputs.coverage
    gap = cost_gap(loaded)
    fin = finance(inputs)
    window = inputs.window_text
    seg = churn_value.segment_estimates(inputs)
    clv, clv_figs = churn_value.segment_clv(seg, fin, window, draws)
    categories, move_figs, _moved = churn_value.category_values(est, fin, window, draws)
    rar, rar_rows, coverage = churn_value.revenue_at_risk(est, fin, window, draws)
    risk, rate = churn_value.churn_ratios(est)
    comp_obs, comp_mod, comp = churn_value.complaint_costs(inputs, est, fin, window, draws)
    prices = money.contact_cost_per_channel(inputs)
    sav_fig, sav = savings.baseline_savings(fetch, filters, prices, fin)
    prog, reason, prog_fig = savings.programme_did(fetch, filters, prices, inputs.assumptions, fin)
    prog, reason = _programme_loaded(prog, reason, loaded)
    figures = {f.key: with_coverage(f, loaded)
               for f in (rar, *move_figs.values(), comp_mod, comp_obs, sav_fig, prog_fig)}
    clv_figs = {k: with_coverage(f, loaded) for k, f in clv_figs.items()}
    sym = fin.symbol
    dims = dimensions.load(fetch)
    split_note = dims.no_split("segment")
    if split_note:  # one segment: its row repeats the all-segments row
        clv = clv[clv["segment"] == ALL].reset_index(drop=True)
    short = window_shortfall(fetch, inputs)
    if short:
        for f in (rar, *move_figs.values(), comp_mod, comp_obs):
            if not figures[f.key].missing:
                figures[f.key] = withhold(figures[f.key], short)
        clv, categories, rar_rows = clv.iloc[:0], categories.iloc[:0], rar_rows.iloc[:0]
        clv_figs, risk, rate, comp, coverage = {}, None, None, None, float("nan")
    parts = {"clv": clv, "categories": categories, "risk_ratio": risk, "rate_ratio": rate,
             "figures": figures, "coverage": coverage, "savings": sav, "programme": prog,
             "programme_reason": reason, "complaint": comp, "gap": gap}
    horizon = _horizon(fin)
    if split_note:
        clv_title = _("Lifetime value per customer — {horizon}, P10–P90", horizon=horizon)
    else:
        clv_title = _("Lifetime value per customer by segment — {horizon}, P10–P90",
                      horizon=horizon)
    if gap:
        clv_title = _("{title} ({gap})", title=clv_title, gap=gap)
    per_customer = _("{symbol} per customer", symbol=sym)
    titles = {
        "clv": clv_title,
        "clv_axis": per_customer,
        "clv_how": _("How the lifetime value of all segments is computed"),
        "categories": _("Value by NPS category (latest answer before the window), all "
                        "segments"),
        "rar": _("Revenue at risk by segment"),
        "programme": (_("Improvement programme: {segment} against the other segments",
                        segment=prog.segment) if prog else _("Improvement programme")),
        "did_nps": _("Weekly NPS"), "did_nps_axis": _("NPS (points)"),
        "did_fcr": _("Weekly first-contact resolution"),
        "did_fcr_axis": _("% resolved first time"),
        "did_cts": _("Weekly cost to serve per customer"), "did_cts_axis": per_customer,
    }
    ratio_note = ""
    if risk is not None and rate is not None:
        ratio_note = _(
            "Detractor/promoter churn: 12-month risk ratio {risk} (95% CI "
            "{risk_low}\u2009–\u2009{risk_high}); rate ratio per customer-year of exposure "
            "{rate} ({rate_low}\u2009–\u2009{rate_high}), the comparable figure for a ratio "
            "of weekly churn hazards (a ratio of 12-month shares is pulled towards 1 as churn "
            "accumulates).", risk=_ratio(risk.value), risk_low=_ratio(risk.low),
            risk_high=_ratio(risk.high), rate=_ratio(rate.value), rate_low=_ratio(rate.low),
            rate_high=_ratio(rate.high))
    notes = {
        "window": _("Data window: {window}. Assumption set: {set_id}.", window=window,
                    set_id=fin.set_id),
        "clv": _joined(_(
            "{formula}, m = revenue per customer-year × {margin}% gross margin − cost to serve "
            "per customer-year (contacts at the set's unit costs, complaints handled and "
            "compensated), r = 1 − 12-month churn of customers active at the window start, "
            "d = {discount}%. Bands: P10–P90 of {draws} draws (Beta posterior on churn, normal "
            "on revenue and cost to serve). Modelled, not observed.", formula=fin.clv_formula,
            margin=written(f"{100 * fin.margin:g}"), discount=written(f"{100 * fin.discount:g}"),
            draws=written(f"{draws:,}")),
            _("Computed {gap}: {message}.", gap=gap,
              message=cov.message(loaded.missing((CONTACTS, COMPLAINTS)))) if gap else ""),
        "categories": _joined(_(
            "Churn: Wilson 95% interval; revenue and cost to serve per customer-year: ratio "
            "estimator with a delta-method interval. The moves between categories average the "
            "segments' lifetime-value gaps weighted by the customers now in the category moved "
            "from, × φ ~ U({phi_low}, {phi_high}).", phi_low=written(f"{fin.phi_low:g}"),
            phi_high=written(f"{fin.phi_high:g}")), ratio_note),
        "rar": _joined(_(
            "Answered customers only: {coverage} of the active base has an NPS answer. "
            "Run-rate lost by a year from now; about half of it within the year if churn is "
            "spread evenly.", coverage=pct(100 * coverage)), split_note),
        "programme": savings.describe_programme(prog) if prog else reason,
        "external": _("External context: published rules of thumb, quoted with source and "
                      "year. Not part of any total, not a forecast and not a target."),
        "kinds": _("Modelled figures are P10–P90 bands of a model fed by our data; observed "
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
        figures=figures, clv=clv, clv_figures=clv_figs,
        clv_table=_by_segment(_clv_table(clv, sym, gap), split_note),
        categories=categories, category_table=_category_table(categories, sym, gap),
        rar_segments=rar_rows, rar_table=_by_segment(_rar_table(rar_rows, sym), split_note),
        coverage=coverage,
        risk_ratio=risk, rate_ratio=rate, complaint=comp, savings=sav, programme=prog,
        programme_reason=reason, did_table=_did_table(prog, sym),
        takeaways=takeaways, titles=titles, notes=notes, data_coverage=loaded,
        split_note=split_note)


def headline(report: ValueReport) -> dict[str, MoneyFigure]:
    """The executive money figures for the Weekly KPIs page and the CLI: revenue at risk
    (modelled) and savings against the baseline as an annual run-rate (observed)."""
    return {"revenue_at_risk": report.figures["revenue_at_risk"],
            "savings_vs_baseline": report.figures["savings_baseline"]}
