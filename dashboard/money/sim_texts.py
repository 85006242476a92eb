"""The impact simulator's texts: takeaways, tables, titles and notes of the page and the
exported charts, each read from one ``SimResult`` (``dashboard.money.simulate``), and the
comparison of saved scenarios, each re-simulated with the current data and assumption set.

Every figure they quote is modelled: a P10–P90 band of the draws that names the migration rule,
φ, the horizon and the assumption set.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.i18n import _, ngettext
from dashboard.i18n.numbers import written
from dashboard.metrics import display
from dashboard.money.inputs import Inputs, money_text
from dashboard.money.simulate import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    HORIZON,
    MIN_BASE,
    PHI,
    SimResult,
    quantiles,
    simulate,
    years,
)
from dashboard.money.whatif import RULES, Levers

# --- the value of a point of NPS ------------------------------------------------------------


def point_values_title(result: SimResult) -> str:
    """Title of the per-segment point-value chart."""
    rule = _(RULES[result.levers.migration_rule])
    return _("Profit impact of +1 NPS point by segment, P10–P90 ({rule}, {horizon} y)",
             rule=rule, horizon=written(str(result.horizon)))


def point_values_takeaway(values: pd.DataFrame, result: SimResult) -> str:
    """Where a point of NPS is worth most."""
    if values.empty:
        return _("No segment to value.")
    if not values[["low", "value", "high"]].abs().to_numpy().any():
        return _("No segment has {min_base} or more customers with an NPS answer before the "
                 "window in every category: a point of NPS cannot be valued for this "
                 "selection.", min_base=written(str(MIN_BASE)))
    top, sym = values.iloc[0], result.symbol
    band = {"value": money_text(top["value"], sym), "low": money_text(top["low"], sym),
            "high": money_text(top["high"], sym), "horizon": years(result.horizon)}
    if len(values) == 1:  # one segment: the customers as a whole
        return _("+1 NPS point is worth {value} (P10 {low}\u2009–\u2009P90 {high}) over "
                 "{horizon}; modelled, not observed.", **band)
    last = values.iloc[-1]
    return _("+1 NPS point is worth most in {segment}: {value} (P10 {low}\u2009–\u2009P90 "
             "{high}) over {horizon}; least in {last_segment} ({last_value}). Segments differ "
             "in size, churn gaps and spend; modelled, not observed.", segment=top["segment"],
             last_segment=last["segment"], last_value=money_text(last["value"], sym), **band)


# --- texts for the page --------------------------------------------------------------------------


def exceed_text(result: SimResult) -> str:
    """The executive question answered in one line."""
    sym, lev = result.symbol, result.levers
    h = years(result.horizon)
    if lev.is_zero:
        return _("No lever moved: the profit impact is zero.")
    return _("Chance that the profit impact over {horizon} exceeds the programme cost of "
             "{cost}: {chance} ({draws} draws; modelled, assumption set {set_id}).", horizon=h,
             cost=money_text(lev.programme_cost, sym),
             chance=written(f"{100 * result.p_exceeds:.0f}%"),
             draws=written(f"{result.draws:,}"), set_id=result.assumption_set)


def probability_text(result: SimResult) -> str:
    """``73%`` (or '—' with no lever)."""
    return "—" if result.levers.is_zero else written(f"{100 * result.p_exceeds:.0f}%")


def tornado_takeaway(result: SimResult) -> str:
    """Which inputs move the answer most."""
    t, sym = result.tornado, result.symbol
    if t.empty:
        return _("No lever moved: move one to see which assumption drives the answer and how "
                 "the draws spread.")
    top = t.iloc[0]
    lo, hi = sorted((top["profit_low"], top["profit_high"]))
    values = {"input": top["input"], "low_text": top["low_text"],
              "high_text": top["high_text"], "low": money_text(lo, sym),
              "high": money_text(hi, sym)}
    if len(t) > 1:
        return _("The profit impact swings most with {input} ({low_text} to {high_text} moves "
                 "it from {low} to {high}), then {next}. Each input is swung between its P10 "
                 "and P90 with the others at the median.", next=t.iloc[1]["input"], **values)
    return _("The profit impact swings most with {input} ({low_text} to {high_text} moves it "
             "from {low} to {high}). Each input is swung between its P10 and P90 with the "
             "others at the median.", **values)


def distribution_takeaway(result: SimResult) -> str:
    """Where the draws fall."""
    x = result.samples["profit_impact"].to_numpy()
    sym = result.symbol
    if result.levers.is_zero:
        return _("No lever moved.")
    p10, p50, p90 = quantiles(x)
    loss = float((x < 0).mean())
    values = {"draws": written(f"{len(x):,}"), "p10": money_text(p10, sym),
              "p50": money_text(p50, sym), "p90": money_text(p90, sym)}
    if loss > 0:
        return _("Profit impact of {draws} draws: P10 {p10}, P50 {p50}, P90 {p90}; {share} of "
                 "the draws lose money.", share=written(f"{100 * loss:.0f}%"), **values)
    return _("Profit impact of {draws} draws: P10 {p10}, P50 {p50}, P90 {p90}.", **values)


def components_table(result: SimResult) -> pd.DataFrame:
    """The split by lever (P50 of each output and the profit band), as text."""
    sym = result.symbol
    c = result.components
    return pd.DataFrame({
        _("Lever"): c["label"],
        _("Revenue retained (P50)"): [money_text(v, sym) for v in c["revenue_retained_p50"]],
        _("Cost saved (P50)"): [money_text(v, sym) for v in c["cost_saved_p50"]],
        _("Profit impact P10"): [money_text(v, sym) for v in c["profit_impact_p10"]],
        _("Profit impact P50"): [money_text(v, sym) for v in c["profit_impact_p50"]],
        _("Profit impact P90"): [money_text(v, sym) for v in c["profit_impact_p90"]],
    })


def components_takeaway(result: SimResult) -> str:
    """The lever that contributes most, and that bands do not add up."""
    c = result.components
    if c.empty:
        return _("No lever moved.")
    top = c.loc[c["profit_impact_p50"].abs().idxmax()]
    return _("Largest contribution: {lever} (P50 {p50}). Percentiles of the parts do not add "
             "up to the percentiles of the total.", lever=top["label"],
             p50=money_text(top["profit_impact_p50"], result.symbol))


def chart_titles(result: SimResult) -> dict[str, str]:
    """Titles and axis of the page's charts: ``tornado``, ``draws``, ``axis``."""
    return {"tornado": _("Profit impact: one input at a time (P10 ↔ P90)"),
            "draws": _("Profit impact: {draws} draws", draws=written(f"{result.draws:,}")),
            "axis": _("profit impact ({symbol}, present value over {horizon} y)",
                      symbol=result.symbol, horizon=written(str(result.horizon)))}


def comparison_takeaway(count: int, set_id: str) -> str:
    """The line under the scenario comparison."""
    if not count:
        return _("No saved scenarios yet: name the current levers and save them to compare.")
    return ngettext("{count} saved scenario, each re-simulated with the current data, filters "
                    "and assumption set {set_id} (same draws for all).",
                    "{count} saved scenarios, each re-simulated with the current data, filters "
                    "and assumption set {set_id} (same draws for all).", count,
                    count=written(str(count)), set_id=set_id)


#: The figures of a scenario comparison, as numbers (``scenario_numbers``).
SCENARIO_FIGURES = ("revenue_retained", "cost_saved", "profit_impact")


def scenario_numbers(estimates: pd.DataFrame, inputs: Inputs, scenarios: Mapping[str, Levers],
                     draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Saved scenarios side by side, each re-simulated with the current data and set, as
    numbers: the P50, P10 and P90 of each figure, the programme cost and the chance (%) the
    profit impact exceeds it (empty with no lever moved)."""
    rows = []
    for name, lev in scenarios.items():
        r = simulate(estimates, inputs, lev, draws=draws, seed=seed, tornado=False)
        row = {"scenario": name, "levers": lev.describe(), "horizon_years": r.horizon}
        for key in SCENARIO_FIGURES:
            f = getattr(r, key)
            row |= {f"{key}_p50": f.value, f"{key}_p10": f.low, f"{key}_p90": f.high}
        row["programme_cost"] = float(lev.programme_cost)
        row["p_exceeds_cost_pct"] = None if lev.is_zero else 100 * r.p_exceeds
        rows.append(row)
    cols = ["scenario", "levers", "horizon_years",
            *(f"{k}_{q}" for k in SCENARIO_FIGURES for q in ("p50", "p10", "p90")),
            "programme_cost", "p_exceeds_cost_pct"]
    return pd.DataFrame(rows, columns=cols)


def compare_scenarios(estimates: pd.DataFrame, inputs: Inputs, scenarios: Mapping[str, Levers],
                      draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      numbers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Saved scenarios side by side, each re-simulated with the current data and set (text);
    ``numbers`` (``scenario_numbers``) when they are computed already."""
    if numbers is None:
        numbers = scenario_numbers(estimates, inputs, scenarios, draws, seed)
    sym = inputs.symbol

    def band(r, key: str) -> str:
        low, high = money_text(r[f"{key}_p10"], sym), money_text(r[f"{key}_p90"], sym)
        return f"{money_text(r[f'{key}_p50'], sym)} ({display.between(low, high)})"

    cols = [_("Scenario"), _("Levers"), _("Horizon"), _("Revenue retained P50 (P10 – P90)"),
            _("Cost saved P50 (P10 – P90)"), _("Profit impact P50 (P10 – P90)"),
            _("Programme cost"), _("P(profit impact > cost)")]
    rows = []
    for r in numbers.to_dict("records"):
        p = r["p_exceeds_cost_pct"]
        rows.append(dict(zip(cols, (
            r["scenario"], r["levers"],
            _("{years} y", years=written(str(r["horizon_years"]))),
            band(r, "revenue_retained"), band(r, "cost_saved"), band(r, "profit_impact"),
            money_text(r["programme_cost"], sym),
            "—" if p is None or pd.isna(p) else written(f"{p:.0f}%")), strict=True)))
    return pd.DataFrame(rows, columns=cols)


def method_note(result: SimResult) -> str:
    """What the numbers are, in one paragraph."""
    lev = result.levers
    f = dict(result.profit_impact.inputs)
    return _("Modelled, not observed. Migration rule: {rule}. Realisation factor φ {phi}. "
             "Horizon {horizon}. Assumption set {set_id}. Bands are P10–P90 of {draws} draws. "
             "NPS lever: +Δ points move Δ % of the segment's active customers; migrated "
             "customers take on the destination category's churn, revenue and cost to serve. "
             "FCR and self-service levers count contact cost only.",
             rule=_(RULES[lev.migration_rule]),
             phi=f[_(PHI)].split(":")[0], horizon=f[_(HORIZON)],
             set_id=result.assumption_set,
             draws=written(f"{result.draws:,}"))

