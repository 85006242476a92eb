"""Cost to serve: what serving customers costs, and where the savings are.

One function, ``build_report``, turns the marts into everything the Cost to serve page shows:
tiles for the selected week, cost and contacts by channel, cost to serve by segment with the
registry's customer-clustered interval, the channel mix over time with the self-service launch
detected from the data, repeat-contact waste, and the change in cost against a baseline period
split exactly into base-size, volume, channel-mix and unit-cost effects (the savings model,
``cost_model``; the formats, ``cost_format``).

Money is always contacts × the cost per contact in force that week as loaded with the data
(``raw.assumptions`` ``cost_per_contact_<channel>``: the booked unit costs, never those of an
edited assumption set); every money figure names them as the booked unit costs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from dashboard.analysis.cost_format import (
    channel_label,
    ci_text,
    description,
    money,
    money_compact,
    pct,
    shown_text,
    withheld_text,
)
from dashboard.analysis.cost_model import (
    BASES,
    EFFECT_LABELS,
    MIN_LAUNCH_JUMP,
    SELF_SERVICE,
    WINDOW_WEEKS,
    Launch,
    Savings,
    baseline_choices,
    baseline_label,
    compute_savings,
    customer_spread,
    default_baseline,
    launch_in,
    weekly_totals,
    window_dates,
)

# The tests and the value model read these as cost.PeriodMix, cost.decompose and
# cost.detect_launch.
from dashboard.analysis.cost_model import PeriodMix as PeriodMix
from dashboard.analysis.cost_model import decompose as decompose
from dashboard.analysis.cost_model import detect_launch as detect_launch
from dashboard.i18n import N_, _, currency
from dashboard.metrics import dimensions, display, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.metrics.registry import REGISTRY
from dashboard.metrics.stats import Estimate
from dashboard.warehouse import config, weeks
from dashboard.warehouse.assumption_rules import is_default
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.weeks import first_week

SAVINGS_TITLES: dict[str, str] = {
    "per_customer": N_("Cost to serve per 1,000 active customers a week"),
    "total": N_("Total contact cost over the 13 weeks"),
}
#: Repeat contact: same customer, same reason, within this many days of a previous contact.
REPEAT_WINDOW_DAYS = 7
#: Where the unit costs come from, as the money figures' notes name it: the booked ones, those
#: the contacts were loaded with (``raw.assumptions`` cost_per_contact_*), never an edited set.
_UNIT_COSTS = N_("booked unit costs, as loaded with the data, {valid}")


def _unit_costs(valid: str) -> str:
    """The money figures' note: ``booked unit costs, as loaded with the data, valid from …``."""
    return _(_UNIT_COSTS, valid=valid)


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatTile:
    """A headline figure: label, the value as shown, and its caption (n, interval, source)."""

    label: str
    value: str
    caption: str
    help: str


@dataclass(frozen=True)
class CostReport:
    """Everything the Cost to serve page shows, computed once from the marts."""

    filters: Filters
    currency_symbol: str
    assumption_note: str
    unit_costs: pd.DataFrame
    tiles: tuple[StatTile, ...]
    channel_week: pd.DataFrame  # numbers for the channel chart (selected week)
    channel_table: pd.DataFrame  # the same, as shown
    mix: pd.DataFrame  # weekly channel shares (long), for the stacked chart
    launch: Launch | None
    segments: pd.DataFrame  # numbers for the segment chart
    segment_table: pd.DataFrame
    repeat_channels: pd.DataFrame  # repeat share by channel over the current window
    repeat_trend: pd.DataFrame  # weekly repeat share and cost
    savings: Savings | None
    savings_note: str
    waterfall: pd.DataFrame
    savings_table: pd.DataFrame
    baseline_options: tuple[str, ...]
    baseline_week: str | None
    basis: str
    window_weeks: int
    takeaways: dict[str, str]
    titles: dict[str, str]
    savings_assumptions: str
    baseline_labels: dict[str, str]
    split_note: str = ""  # why there is no split by segment (a single segment)
    #: the unit costs in force as numbers: channel, assumption_key, unit_cost, unit,
    #: valid_from, description (the unit-cost table's CSV and XLSX)
    unit_cost_numbers: pd.DataFrame = field(default_factory=pd.DataFrame)
    queries: tuple[str, ...] = field(default=("cost_channel_weekly", "cost_by_segment",
                                               "assumptions_in_force", "weeks_available"))

    @property
    def launch_week(self) -> str | None:
        """The detected self-service launch week, if any."""
        return self.launch.week if self.launch else None

    @property
    def savings_unit(self) -> str:
        """The y-axis of the waterfall."""
        return self.savings.unit if self.savings else ""


def _assumptions(fetch: Fetch, week_start: date) -> tuple[str, pd.DataFrame]:
    """Currency symbol and the cost_per_contact assumptions in force in one week."""
    df = fetch("assumptions_in_force", week_start=week_start)
    named = df[df["assumption_key"].isin(["currency", "currency_symbol"])]
    symbol = currency.from_assumptions(dict(zip(named["assumption_key"], named["value_text"],
                                                strict=True)))
    units = df[df["assumption_key"].astype(str).str.startswith("cost_per_contact_")].copy()
    units["channel"] = units["assumption_key"].str.removeprefix("cost_per_contact_")
    units["valid_from"] = pd.to_datetime(units["valid_from"]).dt.date
    return symbol, units.reset_index(drop=True)


def _valid_from_text(dates: Sequence[date]) -> str:
    uniq = sorted({d for d in dates if d is not None})
    if not uniq:
        return _("no unit costs in force")
    return _("valid from {dates}", dates=display.days(uniq))


def _estimate_fields(est: Estimate) -> dict[str, Any]:
    """An estimate's columns in the page's tables: value, interval, base and status."""
    return {"value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n,
            "status": est.status}


def _tiles(week: pd.DataFrame, week_start: date, sym: str, note: str,
           launch: Launch | None) -> tuple[StatTile, ...]:
    """The five headline figures of the selected week."""
    base = int(week["active_at_start"].iloc[0]) if len(week) else 0
    contacts = int(week["contact_count"].sum())
    cost_ = float(week["contact_cost"].sum())
    var = float(week["contact_cost_var"].sum())
    repeats = int(week["repeat_count"].sum())
    repeat_cost = float(week["repeat_cost"].sum())
    ss = int(week.loc[week["channel"] == SELF_SERVICE, "contact_count"].sum())
    wk = week_label(week_start)

    cts = REGISTRY["cost_to_serve"].estimate({
        "active_at_start": base, "contact_cost": cost_, "contact_cost_var": var,
        "contacts": contacts})
    per_k = stats.rate(contacts, base, per=1000)
    repeat = stats.share(repeats, contacts)
    self_share = stats.share(ss, contacts)

    def m2(v: float) -> str:
        return money(v, sym)

    def num1(v: float) -> str:
        return display.number(v, 1)

    def cap(est: Estimate, fmt: Callable[[float], str], customers: bool, extra: str) -> str:
        if not est.shown:
            return withheld_text(est.n)
        values = {"n": display.number(est.n, 0), "interval": ci_text(est, fmt), "extra": extra}
        if customers:
            return _("n = {n} active customers · 95% CI {interval} · {extra}", **values)
        return _("n = {n} contacts · 95% CI {interval} · {extra}", **values)

    avg = cost_ / contacts if contacts else None
    launch_text = (_("launch detected in {week}", week=launch.week) if launch
                   else _("no self-service launch detected"))
    return (
        StatTile(_("Cost to serve"), shown_text(cts, m2),
                 cap(cts, m2, True, _("{week}; {note}", week=wk, note=note)),
                 REGISTRY["cost_to_serve"].definition),
        StatTile(_("Contacts per 1,000 customers"), shown_text(per_k, num1),
                 cap(per_k, num1, True,
                     _("{contacts} contacts", contacts=display.number(contacts, 0))),
                 _("Contacts in the week per 1,000 customers active at its start; 95% "
                   "interval: exact Poisson.")),
        StatTile(_("Average cost per contact"),
                 "—" if avg is None or contacts < config.MIN_BASE else money(avg, sym),
                 (withheld_text(contacts) if contacts < config.MIN_BASE else
                  _("n = {n} contacts · {note}", n=display.number(contacts, 0), note=note)),
                 _("Contact cost / contacts: the unit costs weighted by the channel mix.")),
        StatTile(_("Repeat contacts"), shown_text(repeat, pct),
                 cap(repeat, pct, False,
                     _("cost {cost}, {note}", cost=money_compact(repeat_cost, sym), note=note)),
                 _("Contacts whose customer had a contact for the same reason in the {days} "
                   "days before (any channel); 95% interval: Wilson.",
                   days=display.number(REPEAT_WINDOW_DAYS, 0))),
        StatTile(_("Self-service share"), shown_text(self_share, pct),
                 cap(self_share, pct, False, launch_text),
                 _("Share of contacts handled in self-service; 95% interval: Wilson.")),
    )


def _channel_week(week: pd.DataFrame, sym: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per channel in the selected week: numbers for the chart and the table as shown."""
    week = week.sort_values("contact_cost", ascending=False)
    base = int(week["active_at_start"].iloc[0]) if len(week) else 0
    contacts = float(week["contact_count"].sum())
    total = float(week["contact_cost"].sum())
    rows, shown = [], []
    for r in week.itertuples(index=False):
        q = int(r.contact_count)
        rate = stats.rate(q, base, per=1000)
        rep = stats.share(int(r.repeat_count), q)
        contact_share = 100 * q / contacts if contacts else float("nan")
        cost_share = 100 * r.contact_cost / total if total else float("nan")
        rows.append({"channel": r.channel, "label": channel_label(r.channel),
                     "contact_count": q, "contact_share_pct": contact_share,
                     "contact_cost": float(r.contact_cost), "cost_share_pct": cost_share,
                     "cost_per_contact": float(r.cost_per_contact),
                     # the table's other columns as numbers (its CSV and XLSX)
                     "per_1000": rate.value, "per_1000_low": rate.ci_low,
                     "per_1000_high": rate.ci_high, "per_1000_status": rate.status,
                     "cost_valid_from": pd.Timestamp(r.cost_valid_from).date(),
                     "repeat_count": int(r.repeat_count),
                     "repeat_share_pct": rep.value if q else None,
                     "repeat_status": rep.status if q else None,
                     "repeat_cost": float(r.repeat_cost)})

        def f1(v: float) -> str:
            return display.number(v, 1)

        shown.append({
            _("Channel"): channel_label(r.channel),
            _("Contacts"): display.number(q, 0),
            _("Share of contacts"): pct(contact_share),
            _("Per 1,000 customers"): shown_text(rate, f1),
            _("95% CI"): ci_text(rate, f1),
            _("Unit cost"): money(r.cost_per_contact, sym),
            _("Unit cost valid from"): weeks.day_display(pd.Timestamp(r.cost_valid_from).date()),
            _("Cost"): money(r.contact_cost, sym),
            _("Share of cost"): pct(cost_share),
            _("Repeat share"): shown_text(rep, pct) if q else "—",
            _("Repeat cost"): money(r.repeat_cost, sym),
        })
    return pd.DataFrame(rows), pd.DataFrame(shown)


def _mix(df: pd.DataFrame) -> pd.DataFrame:
    """Weekly share of contacts by channel (long format, weeks without contacts dropped)."""
    weekly = df.groupby("week_start")["contact_count"].transform("sum")
    out = df.loc[weekly > 0, ["week_start", "channel", "contact_count"]].copy()
    out["share_pct"] = 100 * out["contact_count"] / weekly[weekly > 0]
    out["week"] = [week_label(pd.Timestamp(d).date()) for d in out["week_start"]]
    out["label"] = out["channel"].map(channel_label)
    return out.reset_index(drop=True)


def _mix_takeaway(mix: pd.DataFrame, launch: Launch | None, selected: str) -> str:
    if mix.empty:
        return _("No contacts up to {week} for these customers.", week=selected)
    share = mix.pivot_table(index="week", columns="channel", values="share_pct",
                            aggfunc="sum").fillna(0.0)
    counts = mix.pivot_table(index="week", columns="channel", values="contact_count",
                             aggfunc="sum").fillna(0)
    last = share.index[-1]
    ss_now = float(share.loc[last].get(SELF_SERVICE, 0.0))
    n_now = int(counts.loc[last].sum())
    if launch is None:
        first = share.index[0]
        ss_then = float(share.loc[first].get(SELF_SERVICE, 0.0))
        return _("No self-service launch detected up to {week} (the share of contacts never "
                 "rose lastingly by {jump} points): self-service was {then} in {first} and "
                 "{now} in {last} (n = {n}).", week=selected,
                 jump=display.number(100 * MIN_LAUNCH_JUMP, 0), then=pct(ss_then),
                 first=first, now=pct(ss_now), last=last, n=display.number(n_now, 0))
    before = [w for w in share.index if w < launch.week][-WINDOW_WEEKS:]
    pre = counts.loc[before].sum() if before else counts.iloc[:0].sum()
    pre_total = float(pre.sum())
    if pre_total:
        ss_pre = 100 * float(pre.get(SELF_SERVICE, 0)) / pre_total
        phone_pre = 100 * float(pre.get("phone", 0)) / pre_total
        phone_now = float(share.loc[last].get("phone", 0.0))
        return _("Self-service rose from {before} of contacts in the {weeks} weeks before the "
                 "launch detected in {launch} (first week above {threshold}) to {now} in "
                 "{last}; phone went from {phone_before} to {phone_now} (n = {n}).",
                 before=pct(ss_pre), weeks=display.number(len(before), 0), launch=launch.week,
                 threshold=pct(100 * launch.threshold), now=pct(ss_now), last=last,
                 phone_before=pct(phone_pre), phone_now=pct(phone_now),
                 n=display.number(n_now, 0))
    return _("Self-service launch detected in {launch} (first week above {threshold} of "
             "contacts); {now} in {last}.", launch=launch.week,
             threshold=pct(100 * launch.threshold), now=pct(ss_now), last=last)


def _channel_takeaway(ch: pd.DataFrame, week: str, sym: str, note: str) -> str:
    if ch.empty or ch["contact_count"].sum() == 0:
        return _("No contacts in {week} for these customers.", week=week)
    gap = (ch["cost_share_pct"] - ch["contact_share_pct"]).to_numpy()
    r = ch.iloc[int(np.argmax(gap))]
    total = float(ch["contact_cost"].sum())
    return _("{channel} handled {contacts} of contacts but {cost} of the {total} contact cost "
             "in {week} at {unit} a contact ({note}).", channel=r["label"],
             contacts=pct(r["contact_share_pct"]), cost=pct(r["cost_share_pct"]),
             total=money_compact(total, sym), week=week, unit=money(r["cost_per_contact"], sym),
             note=note)


def _segments(fetch: Fetch, filters: Filters, sym: str, note: str
              ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Cost to serve per segment in the week, vs the comparison week, BH across segments."""
    df = fetch("cost_by_segment", week_start=filters.week_start,
               compare_start=filters.compare_start, **filters.customer_params())
    metric = REGISTRY["cost_to_serve"]
    df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
    rows = []
    for seg, part in df.groupby("segment", sort=True):
        by = {r.week_start: r for r in part.itertuples(index=False)}

        def inputs(r: Any) -> dict[str, float] | None:
            if r is None:
                return None
            return {"active_at_start": float(r.active_at_start),
                    "contact_cost": float(r.contact_cost),
                    "contact_cost_var": float(r.contact_cost_var),
                    "contacts": float(r.contact_count)}

        cur_in, prev_in = inputs(by.get(filters.week_start)), inputs(by.get(filters.compare_start))
        cur = metric.estimate(cur_in) if cur_in else stats.withheld()
        prev = metric.estimate(prev_in) if prev_in else stats.withheld()
        tested = cur.shown and prev.shown
        p = metric.test(cur_in, prev_in) if tested else None
        rows.append({"segment": str(seg), **_estimate_fields(cur),
                     "previous": prev.value, "previous_status": prev.status,
                     "delta": (cur.value - prev.value) if tested else None, "p_value": p})
    out = pd.DataFrame(rows, columns=["segment", "value", "ci_low", "ci_high", "n", "status",
                                      "previous", "previous_status", "delta", "p_value"])
    idx = [i for i, p in enumerate(out["p_value"]) if p is not None and not pd.isna(p)]
    adj = stats.benjamini_hochberg([float(out.loc[i, "p_value"]) for i in idx])
    out["p_adjusted"] = None
    for i, a in zip(idx, adj, strict=True):
        out.loc[i, "p_adjusted"] = a
    out["significant"] = [
        bool(a is not None and a < config.ALPHA and s == "ok" and ps == "ok")
        for a, s, ps in zip(out["p_adjusted"], out["status"], out["previous_status"],
                            strict=True)]

    def m2(v: float) -> str:
        return money(v, sym)

    shown = []
    for r in out.itertuples(index=False):
        est = Estimate(r.value, int(r.n), r.ci_low, r.ci_high, r.status)
        if r.delta is None or pd.isna(r.delta):
            verdict = _("not compared (insufficient base)")
        elif r.status == "low_base" or r.previous_status == "low_base":
            verdict = _("low base: change not judged")
        else:
            # cost to serve: lower is better
            verdict = display.verdict_word(bool(r.significant), r.delta < 0)
        shown.append({
            _("Segment"): r.segment,
            _("Cost to serve"): shown_text(est, m2) if est.shown else withheld_text(int(r.n)),
            _("95% CI"): ci_text(est, m2),
            _("n (active customers)"): display.number(int(r.n), 0),
            _("Cost to serve {week}", week=filters.compare_week_name): (
                money(r.previous, sym) if r.previous is not None else "—"),
            _("Change"): (money(r.delta, sym, signed=True)
                          if r.delta is not None and not pd.isna(r.delta) else "—"),
            _("p (BH)"): (display.number(r.p_adjusted, 3, thousands=False)
                          if r.p_adjusted is not None else "—"),
            _("Verdict"): verdict,
        })
    table = pd.DataFrame(shown)
    ok = out[out["status"] != "withheld"]
    if ok.empty:
        take = _("No segment has the {least} active customers needed to show cost to serve in "
                 "{week}.", least=display.number(config.MIN_BASE, 0), week=filters.week_name)
    else:
        hi = ok.loc[ok["value"].astype(float).idxmax()]
        lo = ok.loc[ok["value"].astype(float).idxmin()]
        values = {"top": hi["segment"], "week": filters.week_name, "value": money(hi["value"], sym),
                  "interval": display.between(money(hi["ci_low"], sym),
                                              money(hi["ci_high"], sym)),
                  "n": display.number(int(hi["n"]), 0),
                  "moved": display.number(int(out["significant"].sum()), 0),
                  "tested": display.number(len(idx), 0), "compare_week": filters.compare_week_name,
                  "note": note}
        if lo["segment"] != hi["segment"]:
            take = _("{top} costs most to serve in {week}: {value} per active customer (95% CI "
                     "{interval}, n = {n}); {least} least: {least_value} (n = {least_n}); "
                     "{moved} of {tested} segment changes vs {compare_week} significant after "
                     "correction ({note}).", least=lo["segment"],
                     least_value=money(lo["value"], sym),
                     least_n=display.number(int(lo["n"]), 0), **values)
        else:
            take = _("{top} costs most to serve in {week}: {value} per active customer (95% CI "
                     "{interval}, n = {n}); {moved} of {tested} segment changes vs "
                     "{compare_week} significant after correction ({note}).", **values)
    return out, table, take


def _repeats(df: pd.DataFrame, window: list[date], sym: str, note: str, selected: str
             ) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """Repeat share by channel over the current window, and the weekly repeat trend."""
    part = df[df["week_start"].isin(window)]
    g = part.groupby("channel")[["contact_count", "repeat_count", "repeat_cost",
                                 "contact_cost"]].sum()
    g = g[g["contact_count"] > 0]
    rows = []
    for ch, r in g.iterrows():
        est = stats.share(int(r.repeat_count), int(r.contact_count))
        rows.append({"channel": ch, "label": channel_label(str(ch)), **_estimate_fields(est),
                     "repeat_count": int(r.repeat_count), "repeat_cost": float(r.repeat_cost)})
    by_channel = pd.DataFrame(rows, columns=["channel", "label", "value", "ci_low", "ci_high",
                                             "n", "status", "repeat_count", "repeat_cost"])
    span = _("the {weeks} weeks to {week}", weeks=display.number(len(window), 0), week=selected)
    contacts, repeats = int(g["contact_count"].sum()), int(g["repeat_count"].sum())
    overall = stats.share(repeats, contacts)
    if not overall.shown:
        take_ch = _("Too few contacts in {span} to judge repeats ({reason}).", span=span,
                    reason=withheld_text(contacts))
    else:
        cost_all, rep_cost = float(g["contact_cost"].sum()), float(g["repeat_cost"].sum())
        values = {"span": span, "repeats": display.number(repeats, 0),
                  "contacts": display.number(contacts, 0), "share": pct(overall.value),
                  "interval": ci_text(overall, pct),
                  "days": display.number(REPEAT_WINDOW_DAYS, 0),
                  "cost": money_compact(rep_cost, sym),
                  "cost_share": pct(100 * rep_cost / cost_all if cost_all else float("nan")),
                  "note": note}
        shown = by_channel[by_channel["status"] != "withheld"]
        if len(shown):
            top = shown.loc[shown["value"].astype(float).idxmax()]
            take_ch = _("In {span}, {repeats} of {contacts} contacts ({share}, 95% CI "
                        "{interval}) repeated a contact from the previous {days} days, costing "
                        "{cost} ({cost_share} of contact cost; {note}); highest in {channel}: "
                        "{top_share} (n = {n}).", channel=top["label"],
                        top_share=pct(top["value"]), n=display.number(int(top["n"]), 0),
                        **values)
        else:
            take_ch = _("In {span}, {repeats} of {contacts} contacts ({share}, 95% CI "
                        "{interval}) repeated a contact from the previous {days} days, costing "
                        "{cost} ({cost_share} of contact cost; {note}).", **values)

    # the first week of data has no earlier week to find previous contacts in: left out
    weekly = weekly_totals(df).reset_index().iloc[1:]
    trend_rows = []
    for r in weekly.itertuples(index=False):
        est = stats.share(int(r.repeat_count), int(r.contact_count))
        trend_rows.append({"week": week_label(pd.Timestamp(r.week_start).date()),
                           **_estimate_fields(est), "repeat_cost": float(r.repeat_cost)})
    trend = pd.DataFrame(trend_rows, columns=["week", "value", "ci_low", "ci_high", "n",
                                              "status", "repeat_cost"])
    shown_t = trend[trend["status"] != "withheld"]
    if shown_t.empty:
        take_t = _("No week has enough contacts to show the repeat share.")
    else:
        peak = shown_t.loc[shown_t["value"].astype(float).idxmax()]
        last = trend.iloc[-1]
        last_text = (_("{share} (n = {n})", share=pct(last["value"]),
                       n=display.number(int(last["n"]), 0))
                     if last["status"] != "withheld"
                     else _("insufficient base (n = {n}; at least {least} needed)",
                            n=display.number(int(last["n"]), 0),
                            least=display.number(config.MIN_BASE, 0)))
        take_t = _("The repeat share peaked at {share} in {week} (n = {n}, repeats cost {cost} "
                   "that week); {last_week}: {last} (the first week of data is left out: it "
                   "has no earlier contacts).", share=pct(peak["value"]), week=peak["week"],
                   n=display.number(int(peak["n"]), 0),
                   cost=money_compact(peak["repeat_cost"], sym), last_week=last["week"],
                   last=last_text)
    return by_channel, trend, take_ch, take_t


def _waterfall(s: Savings | None, sym: str) -> pd.DataFrame:
    """Bars of the savings waterfall: baseline, one per effect, current."""
    cols = ["label", "value", "measure", "text"]
    if s is None:
        return pd.DataFrame(columns=cols)
    digits = 0

    def fmt(v: float, signed: bool = False) -> str:
        return money(v, sym, digits, signed)

    rows = [{"label": _("Baseline ({first}–{last})", first=s.baseline_weeks[0],
                        last=s.baseline_weeks[1]),
             "value": s.baseline_value, "measure": "absolute", "text": fmt(s.baseline_value)}]
    rows += [{"label": _(EFFECT_LABELS[k]), "value": v, "measure": "relative",
              "text": fmt(v, signed=True)} for k, v in s.effects.items()]
    rows.append({"label": _("Now ({first}–{last})", first=s.current_weeks[0],
                            last=s.current_weeks[1]),
                 "value": s.current_value, "measure": "total", "text": fmt(s.current_value)})
    return pd.DataFrame(rows, columns=cols)


def _savings_takeaway(s: Savings | None, reason: str, sym: str, note: str, window: int) -> str:
    if s is None:
        return reason
    digits = 0
    values = {
        "change": pct(abs(s.change_pct)), "baseline": money(s.baseline_value, sym, digits),
        "now": money(s.current_value, sym, digits), "low": money(s.ci_low, sym, digits, True),
        "high": money(s.ci_high, sym, digits, True),
        "baseline_weeks": f"{s.baseline_weeks[0]}–{s.baseline_weeks[1]}",
        "current_weeks": f"{s.current_weeks[0]}–{s.current_weeks[1]}",
        "weeks": display.number(window, 0), "note": note}
    top = s.largest_saving
    effect = top if top is not None else max(s.effects, key=s.effects.get)
    values.update(effect=_(_EFFECT_NOUNS[effect]),
                  amount=money(s.effects[effect], sym, digits, True))
    per_customer = s.basis == "per_customer"
    fell = s.change < 0
    return _(_SAVINGS_SENTENCES[(per_customer, fell, top is not None)], **values)


#: The savings takeaway, by (per customer, fell, an effect saved): whole sentences.
_SAVINGS_SENTENCES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): N_(
        "Cost to serve per 1,000 active customers a week fell {change} ({baseline} → {now}; "
        "95% CI of the change {low} to {high}) from {baseline_weeks} to {current_weeks}; "
        "{effect} saved most: {amount} ({note})."),
    (True, False, True): N_(
        "Cost to serve per 1,000 active customers a week rose {change} ({baseline} → {now}; "
        "95% CI of the change {low} to {high}) from {baseline_weeks} to {current_weeks}; "
        "{effect} saved most: {amount} ({note})."),
    (True, True, False): N_(
        "Cost to serve per 1,000 active customers a week fell {change} ({baseline} → {now}; "
        "95% CI of the change {low} to {high}) from {baseline_weeks} to {current_weeks}; no "
        "effect lowered cost, {effect} added most: {amount} ({note})."),
    (True, False, False): N_(
        "Cost to serve per 1,000 active customers a week rose {change} ({baseline} → {now}; "
        "95% CI of the change {low} to {high}) from {baseline_weeks} to {current_weeks}; no "
        "effect lowered cost, {effect} added most: {amount} ({note})."),
    (False, True, True): N_(
        "Total contact cost over {weeks} weeks fell {change} ({baseline} → {now}; 95% CI of "
        "the change {low} to {high}) from {baseline_weeks} to {current_weeks}; {effect} saved "
        "most: {amount} ({note})."),
    (False, False, True): N_(
        "Total contact cost over {weeks} weeks rose {change} ({baseline} → {now}; 95% CI of "
        "the change {low} to {high}) from {baseline_weeks} to {current_weeks}; {effect} saved "
        "most: {amount} ({note})."),
    (False, True, False): N_(
        "Total contact cost over {weeks} weeks fell {change} ({baseline} → {now}; 95% CI of "
        "the change {low} to {high}) from {baseline_weeks} to {current_weeks}; no effect "
        "lowered cost, {effect} added most: {amount} ({note})."),
    (False, False, False): N_(
        "Total contact cost over {weeks} weeks rose {change} ({baseline} → {now}; 95% CI of "
        "the change {low} to {high}) from {baseline_weeks} to {current_weeks}; no effect "
        "lowered cost, {effect} added most: {amount} ({note})."),
}
#: The effects as the savings sentence names them (lower case in English).
_EFFECT_NOUNS: dict[str, str] = {
    "base": N_("base size"), "volume": N_("contact volume"), "mix": N_("channel mix"),
    "unit_cost": N_("unit cost"),
}


def _unit_cost_table(units: pd.DataFrame, sym: str) -> pd.DataFrame:
    names = [_("Channel"), _("Assumption"), _("Unit cost"), _("Unit"), _("Valid from"),
             _("Description")]
    rows = [dict(zip(names, (channel_label(str(r.channel)), str(r.assumption_key),
                             money(float(r.value_number), sym), str(r.unit),
                             weeks.day_display(pd.Timestamp(r.valid_from).date()),
                             description(r.description)), strict=True))
            for r in units.itertuples(index=False)]
    return pd.DataFrame(rows, columns=names)


def _unit_cost_numbers(units: pd.DataFrame) -> pd.DataFrame:
    """The unit costs in force as numbers, one row per channel."""
    return pd.DataFrame({
        "channel": [channel_label(str(c)) for c in units["channel"]],
        "assumption_key": units["assumption_key"].astype(str).to_numpy(),
        "unit_cost": pd.to_numeric(units["value_number"]).astype(float).to_numpy(),
        "unit": units["unit"].astype(str).to_numpy(),
        "valid_from": [pd.Timestamp(d).date() for d in units["valid_from"]],
        "description": units["description"].astype(str).to_numpy(),
    }, columns=["channel", "assumption_key", "unit_cost", "unit", "valid_from",
                "description"])


def channel_rows(fetch: Fetch, filters: Filters) -> tuple[date, pd.DataFrame, pd.DataFrame]:
    """The first week of data and the weekly channel rows (``cost_channel_weekly``) from it to
    the selected week: of all customers (the self-service launch is a company event) and of the
    customers the filters keep."""
    first = first_week(fetch)
    params = {"start_week": first, "end_week": filters.week_start}
    everyone = fetch("cost_channel_weekly", **params, segments=[], regions=[], plans=[])
    df = fetch("cost_channel_weekly", **params, **filters.customer_params())
    for frame in (everyone, df):
        frame["week_start"] = pd.to_datetime(frame["week_start"]).dt.date
    return first, everyone, df


def build_report(fetch: Fetch, filters: Filters, baseline_week: str | None = None,
                 basis: str | None = None, window: int = WINDOW_WEEKS) -> CostReport:
    """Compute the Cost to serve page for the filters, a baseline window end and a basis.

    ``baseline_week`` outside the allowed choices (or None) falls back to the default: the
    window before the detected self-service launch, else the window before the current one.
    """
    basis = basis if basis in BASES else "per_customer"
    selected = filters.week_start
    first, everyone, df = channel_rows(fetch, filters)
    sym, units = _assumptions(fetch, selected)
    valid = _valid_from_text(list(units["valid_from"]))
    if any(is_default(d) for d in units["description"]):
        valid = _("{valid} (CX Ledger defaults, not your company's)", valid=valid)
    note = _unit_costs(valid)
    launch = launch_in(everyone)

    week = df[df["week_start"] == selected]
    tiles = _tiles(week, selected, sym, _("booked unit costs {valid}", valid=valid), launch)
    ch_nums, ch_table = _channel_week(week, sym)
    mix = _mix(df)
    dims = dimensions.load(fetch)
    split_note = dims.no_split("segment")
    if split_note:  # one segment: its cost to serve is the tiles' figure
        seg_nums, seg_table, seg_take = pd.DataFrame(), pd.DataFrame(), split_note
    else:
        seg_nums, seg_table, seg_take = _segments(fetch, filters, sym, note)
    current = window_dates(selected, window)
    rep_ch, rep_trend, rep_take_ch, rep_take_t = _repeats(df, current, sym, note, filters.week)

    options = baseline_choices(first, selected, window)
    chosen = baseline_week if baseline_week in options else default_baseline(
        options, selected, launch, window)
    if chosen is None:
        savings, reason = None, _("Savings need two full {weeks}-week windows: the data start "
                                  "in {first}.", weeks=display.number(window, 0),
                                  first=week_label(first))
        window_note = note
    else:
        spread = customer_spread(fetch, filters, parse_week(chosen), selected, window)
        savings, reason = compute_savings(df, parse_week(chosen), selected, window, basis, sym,
                                          spread)
        base_dates = window_dates(parse_week(chosen), window)
        in_window = df.loc[df["week_start"].isin(base_dates + current), "cost_valid_from"]
        window_note = _unit_costs(_valid_from_text([pd.Timestamp(d).date()
                                                     for d in in_window]))
    takeaways = {
        "mix": _mix_takeaway(mix, launch, filters.week),
        "channels": _channel_takeaway(ch_nums, filters.week, sym, note),
        "segments": seg_take,
        "repeat_channels": rep_take_ch,
        "repeat_trend": rep_take_t,
        "savings": _savings_takeaway(savings, reason, sym, window_note, window),
    }
    span = f"{week_label(current[0])}–{filters.week}"
    titles = {
        "channels": _("Share of contacts and of cost by channel — {week}", week=filters.week_name),
        "segments": _("Cost to serve per active customer by segment — {week} (95% CI)",
                      week=filters.week_name),
        "segments_axis": _("{currency} per active customer", currency=sym),
        "unit_costs": _("Unit costs in force in {week} ({note}):", week=filters.week_name,
                        note=note),
        "mix": _("Channel mix of contacts, {first}–{week}", first=week_label(first),
                 week=filters.week_name),
        "repeat_channels": _("Repeat contacts by channel, % of contacts — {span} (95% CI)",
                             span=span),
        "repeat_trend": _("Repeat contacts, % of contacts per week"),
        "savings": (_("{title}: baseline vs {span}", title=_(SAVINGS_TITLES[basis]), span=span)
                    if savings else _("Savings against a baseline")),
    }
    return CostReport(
        filters=filters, currency_symbol=sym, assumption_note=note,
        unit_costs=_unit_cost_table(units, sym), tiles=tiles,
        channel_week=ch_nums, channel_table=ch_table, mix=mix, launch=launch,
        segments=seg_nums, segment_table=seg_table, repeat_channels=rep_ch,
        repeat_trend=rep_trend, savings=savings, savings_note=reason,
        waterfall=_waterfall(savings, sym),
        savings_table=savings.channels if savings else pd.DataFrame(),
        baseline_options=options, baseline_week=chosen, basis=basis, window_weeks=window,
        takeaways=takeaways, titles=titles, savings_assumptions=window_note,
        baseline_labels={w: baseline_label(w, window) for w in options},
        split_note=split_note, unit_cost_numbers=_unit_cost_numbers(units),
    )



def describe_method(report: CostReport) -> str:
    """The 'how computed' text of the savings waterfall."""
    window = report.window_weeks
    factors = (_("customer-weeks × contacts per customer-week × Σ channel share × unit cost")
               if report.basis == "total" else
               _("contacts per active customer-week × Σ channel share × unit cost"))
    return _(
        "Cost = {factors}, each window summed over its {weeks} weeks (active customers "
        "counted at the start of each week; unit cost = the window's cost / contacts of the "
        "channel, i.e. the assumptions in force weighted by contacts). The change is split by "
        "a Shapley (symmetric) decomposition: each effect is the average, over every order of "
        "switching the factors from baseline to current, of the change its switch makes, so "
        "the effects add up exactly to the change. 95% interval of the change: customers as "
        "clusters (the variance of the change from each customer's contact cost and active "
        "weeks in both windows). Observed, not modelled: seasonality between the two windows "
        "is part of the volume effect. {assumptions}.",
        factors=factors, weeks=display.number(window, 0),
        assumptions=report.savings_assumptions)
