"""What opens and what closes the board pack: the executive summary (the Weekly KPIs headline,
every KPI's week with its change and verdict, and the money row) and the assumptions in use
(the set, its unit costs against the booked ones, and its other key values).

The figures are the Weekly KPIs page's own: ``metrics.kpis.build_report`` (headline and tiles)
and ``money.headline.build`` (the money row), called, never recomputed here; this module only
lays them out as rows of text for a slide and as numbers for the workbook. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard.exports import numbers
from dashboard.i18n import N_, _, ngettext
from dashboard.i18n.numbers import written
from dashboard.metrics.filters import Filters
from dashboard.metrics.registry import format_delta, format_value
from dashboard.warehouse.weeks import week_display

#: Words of the verdict on a KPI's change (the method is in the notes and the workbook).
VERDICTS = {"better": N_("better"), "worse": N_("worse"), "noise": N_("within noise"),
            "low_base": N_("low base, not judged"), "no_comparison": N_("no comparison"),
            "not_loaded": N_("not loaded")}


def verdict_word(t) -> str:
    """A tile's verdict in plain words (in the current language): better, worse, within noise,
    low base, …"""
    if t.not_loaded:
        return _(VERDICTS["not_loaded"])
    if t.delta is None:
        return _(VERDICTS["no_comparison"])
    if "low_base" in (t.current.status, t.previous.status):
        return _(VERDICTS["low_base"])
    if t.significant:
        return _(VERDICTS["better" if t.improved else "worse"])
    return _(VERDICTS["noise"])


@dataclass(frozen=True)
class Summary:
    """The executive summary of one selection: text rows for the slide, numbers for the
    workbook."""

    filters: Filters
    set_id: str
    headline: str  # the Weekly KPIs headline (``KpiReport.headline``)
    kpis: pd.DataFrame  # KPI, week value, change, verdict, n (text)
    money: pd.DataFrame  # figure, value, band, kind (text)
    money_note: str  # why the money row is withheld, or ""
    kpi_numbers: pd.DataFrame
    money_numbers: pd.DataFrame


def _kpi_rows(report) -> tuple[pd.DataFrame, pd.DataFrame]:
    sym, f = report.currency_symbol, report.filters
    text, nums = [], []
    for t in report.tiles:
        m = t.metric
        word = verdict_word(t)
        shown = t.current.shown
        text.append({
            "KPI": _(m.label),
            f.week: _(VERDICTS["not_loaded"]) if t.not_loaded
            else format_value(t.current.value, m.fmt, sym),
            "Change": "—" if t.delta is None else format_delta(t.delta, m, sym),
            "Verdict": word,
            "n": "" if t.not_loaded or not t.current.n else written(f"{t.current.n:,}"),
        })
        nums.append({
            "kpi": _(m.label), "unit": numbers.metric_unit(m), "week": f.week,
            "value": t.current.value if shown else None,
            "ci_low": t.current.ci_low if shown else None,
            "ci_high": t.current.ci_high if shown else None,
            "n": None if t.not_loaded else t.current.n, "status": t.current.status,
            "compare_week": f.compare_week, "previous": t.previous.value, "delta": t.delta,
            "p_adjusted": t.p_adjusted, "significant": bool(t.significant), "verdict": word,
        })
    frame = pd.DataFrame(nums)
    return pd.DataFrame(text), numbers.rounded(frame, dict.fromkeys(
        ("value", "ci_low", "ci_high", "previous", "delta"), "@unit"))


def _money_rows(money) -> tuple[pd.DataFrame, pd.DataFrame]:
    from dashboard.money.inputs import ALL, KINDS, money_text

    sym = money.symbol
    figs = [(money.revenue_at_risk, ""), (money.savings, ""),
            *((f, "" if seg == ALL else seg) for seg, f in money.nps_point.items())]
    text, nums = [], []
    for f, seg in figs:
        name = f.label
        label = (_("{figure} — {segment}", figure=name, segment=seg)
                 if seg and seg not in f.label else name)
        ok = f.status == "ok"
        band = (_("{band_label} {low}\u2009–\u2009{high}", band_label=f.band_label,
                  low=money_text(f.low, sym), high=money_text(f.high, sym))
                if ok and f.low is not None and f.high is not None else "")
        text.append({"Money": label,
                     "Value": _(VERDICTS["not_loaded"]) if f.missing
                     else money_text(f.value, sym) if ok else _("withheld"),
                     "Band": band, "Kind": _(KINDS[f.kind]) if f.kind in KINDS else f.kind})
        nums.append({"figure": label, "kind": f.kind, "value": f.value if ok else None,
                     "low": f.low if ok else None, "high": f.high if ok else None,
                     "band": f.band_label, "unit": f.unit, "assumption_set": f.assumption_set,
                     "status": f.status})
    return pd.DataFrame(text), numbers.rounded(pd.DataFrame(nums), dict.fromkeys(
        ("value", "low", "high"), "money"))


def from_reports(report, money, moves=None) -> Summary:
    """The summary of a Weekly KPIs report (``metrics.kpis.KpiReport``), its money headline
    (``money.headline.MoneyHeadline``) and its moves priced in money (``money.impact.Impact``,
    whose headline the page and the CLI show; without it the report's own)."""
    kpis, kpi_nums = _kpi_rows(report)
    mon, mon_nums = _money_rows(money)
    head = report.headline if moves is None else moves.headline
    return Summary(report.filters, money.assumption_set, head, kpis, mon,
                   money.withheld, kpi_nums, mon_nums)


def build(fetch: Callable, filters: Filters, aset, coverage=None) -> Summary:
    """The executive summary, computed by the Weekly KPIs page's own functions."""
    from dashboard.metrics import kpis
    from dashboard.money import headline, impact

    report = kpis.build_report(fetch, filters, coverage)
    money = headline.build(fetch, filters, aset, coverage or report.coverage)
    return from_reports(report, money, impact.build(fetch, report, aset))


# --- the assumptions in use -----------------------------------------------------------------

COST_PREFIX = "cost_per_contact_"


def booked_rows(aset) -> pd.DataFrame:
    """The rows loaded with the data (the set's base, before its changes): the values the
    contacts are booked at."""
    return aset.rows[aset.rows["_order"] == 0].reset_index(drop=True)


@dataclass(frozen=True)
class AssumptionsInUse:
    """The closing slide: the set, its unit costs beside the booked ones, its other values."""

    set_id: str
    week: str
    unit_costs: pd.DataFrame  # Channel, This set, Booked, In force from
    values: pd.DataFrame  # Assumption, Value, Unit, Source
    differs: tuple[str, ...]  # channels whose unit cost in the set differs from the booked one
    edits: int  # values in force that are the set's own (not loaded with the data)

    @property
    def takeaway(self) -> str:
        """The sentence in the slide's body."""
        if self.edits:
            base = ngettext("Every money figure in this pack uses assumption set {set_id} as in "
                            "force in {week} ({count} value not loaded with the data).",
                            "Every money figure in this pack uses assumption set {set_id} as in "
                            "force in {week} ({count} values not loaded with the data).",
                            self.edits, set_id=self.set_id, week=week_display(self.week),
                            count=written(str(self.edits)))
        else:
            base = _("Every money figure in this pack uses assumption set {set_id} as in force "
                     "in {week}.", set_id=self.set_id, week=week_display(self.week))
        if self.differs:
            return _("{base} Cost to serve is booked at the unit costs loaded with the data; "
                     "this set prices {channels} differently, so modelled money and booked "
                     "cost to serve use different unit costs.", base=base,
                     channels=_(", ").join(self.differs))
        return _("{base} Its unit costs equal the booked ones, so cost to serve and the "
                 "modelled money price contacts alike.", base=base)


def assumptions_in_use(aset, filters: Filters) -> AssumptionsInUse:
    """The set's values in force in the selected week, unit costs first (against the booked
    ones, ``money.unit_costs.compare``)."""
    from dashboard.analysis.cost_format import channel_label
    from dashboard.money import unit_costs
    from dashboard.money.assumptions import spec_for

    week = filters.week_start
    t = aset.table(week)
    costs = unit_costs.compare(aset, booked_rows(aset), week)
    since = dict(zip(t["assumption_key"], t["valid_from"], strict=True))

    def text(v: float | None) -> str:
        return "—" if v is None else written(f"{v:,.2f}")

    unit_table = pd.DataFrame({
        "Channel": [channel_label(c.channel) for c in costs.costs],
        "This set": [text(c.in_set) for c in costs.costs],
        "Booked": [text(c.booked) for c in costs.costs],
        "In force from": [written(f"{since[COST_PREFIX + c.channel]:%Y-%m-%d}")
                          if COST_PREFIX + c.channel in since else "—" for c in costs.costs],
    }, columns=["Channel", "This set", "Booked", "In force from"])
    others = t[~t["assumption_key"].str.startswith(COST_PREFIX)]
    values = pd.DataFrame({
        "Assumption": [spec_for(k).label for k in others["assumption_key"]],
        "Value": others["value_text"].astype(str).to_numpy(),
        "Unit": others["unit"].astype(str).to_numpy(),
        "Source": others["source"].astype(str).to_numpy(),
    })
    edits = int((~t["source"].astype(str).isin(("warehouse", _default_source()))).sum())
    return AssumptionsInUse(aset.id, filters.week, unit_table, values,
                            tuple(channel_label(c.channel) for c in costs.differing), edits)


def _default_source() -> str:
    from dashboard.money.assumptions import SOURCE_DEFAULT

    return SOURCE_DEFAULT
