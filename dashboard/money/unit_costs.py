"""Which unit costs a figure uses: the assumption set's, and whether they are the booked ones.

The contacts in the warehouse are *booked* at the cost per contact of their channel loaded with
the data (``raw.assumptions``, the values the marts price every contact with; the base rows of
every set, ``assumption_rows``). The observed cost figures (the Cost to serve tile and page) use
those. The money figures (the Weekly KPIs money row, CX in money, the Impact simulator) price
contacts with the unit costs of the assumption set in use, in force in the selected week. When
the two differ — a draft with a new phone cost, or a published change not yet loaded with the
data — the two kinds of figure no longer agree, and the pages say so (``UnitCosts.notice_kpis``,
``UnitCosts.notice_cost``) instead of leaving two different costs side by side unexplained.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import i18n
from dashboard.analysis.cost_format import channel_label, money
from dashboard.i18n import currency
from dashboard.money.assumptions import AssumptionSet, build_set
from dashboard.warehouse.weeks import week_label

PREFIX = "cost_per_contact_"


@dataclass(frozen=True)
class UnitCost:
    """One channel's cost per contact in the set and as booked (None: none in force)."""

    channel: str
    in_set: float | None
    booked: float | None

    @property
    def differs(self) -> bool:
        """Whether the set's cost is not the booked one."""
        if self.in_set is None or self.booked is None:
            return self.in_set is not self.booked
        return not math.isclose(self.in_set, self.booked, rel_tol=1e-12, abs_tol=1e-12)


@dataclass(frozen=True)
class UnitCosts:
    """A set's cost per contact in one week against the booked ones."""

    set_id: str
    week: str
    symbol: str
    costs: tuple[UnitCost, ...]

    @property
    def differing(self) -> tuple[UnitCost, ...]:
        """The channels whose cost in the set is not the booked one."""
        return tuple(c for c in self.costs if c.differs)

    @property
    def differs(self) -> bool:
        """Whether any channel's cost in the set is not the booked one."""
        return bool(self.differing)

    def _money(self, v: float | None) -> str:
        return i18n._("none") if v is None else money(v, self.symbol, 2)

    def _changed(self) -> str:
        return i18n._("; ").join(
            i18n._("{channel} {cost} a contact (booked {booked})",
                   channel=channel_label(c.channel), cost=self._money(c.in_set),
                   booked=self._money(c.booked)) for c in self.differing)

    @property
    def short(self) -> str:
        """The caption of a money figure that prices contacts: ``unit costs as booked`` or
        ``unit costs of the set, not the booked ones``."""
        return (i18n._("unit costs of the set, not the booked ones") if self.differs
                else i18n._("unit costs as booked"))

    @property
    def detail(self) -> str:
        """The "how computed" line: the costs per contact used, and how they stand against the
        booked ones."""
        if not self.costs:
            return i18n._("no cost per contact in force in {week}", week=self.week)
        if not self.differs:
            costs = i18n._(", ").join(
                i18n._("{channel} {cost}", channel=channel_label(c.channel),
                       cost=self._money(c.in_set)) for c in self.costs)
            return i18n._("set {set_id}'s cost per contact in force in {week}, the same as the "
                          "booked ones (those the contacts were loaded with): {costs}",
                          set_id=self.set_id, week=self.week, costs=costs)
        same = [channel_label(c.channel) for c in self.costs if not c.differs]
        if same:
            return i18n._("set {set_id}'s cost per contact in force in {week}, not the booked "
                          "ones (those the contacts were loaded with): {changed}; {same} as "
                          "booked", set_id=self.set_id, week=self.week,
                          changed=self._changed(), same=i18n._(", ").join(same))
        return i18n._("set {set_id}'s cost per contact in force in {week}, not the booked ones "
                      "(those the contacts were loaded with): {changed}",
                      set_id=self.set_id, week=self.week, changed=self._changed())

    def notice_kpis(self) -> str:
        """The Weekly KPIs page's notice ('' when the set's unit costs are the booked ones)."""
        if not self.differs:
            return ""
        return i18n._("Unit costs differ. The money row prices contacts at assumption set "
                      "{set_id}'s unit costs in force in {week}: {changed}. The Cost to serve "
                      "tile and the Cost to serve page use the booked unit costs, those the "
                      "contacts were loaded with, so their costs and savings are not the money "
                      "row's.", set_id=self.set_id, week=self.week, changed=self._changed())

    def notice_cost(self) -> str:
        """The Cost to serve page's notice ('' when the set's unit costs are the booked ones)."""
        if not self.differs:
            return ""
        return i18n._("This page uses the booked unit costs, those the contacts were loaded "
                      "with. The assumption set in use, {set_id}, prices contacts differently "
                      "in {week}: {changed}. The money figures computed with that set (the "
                      "Weekly KPIs money row, CX in money, the Impact simulator) use its unit "
                      "costs, so they differ from this page's.", set_id=self.set_id,
                      week=self.week, changed=self._changed())


def booked(published_rows: pd.DataFrame) -> AssumptionSet:
    """The values loaded with the data (``assumption_rows``) as a set of their own: the unit
    costs the contacts are booked at."""
    return build_set("booked", published_rows, pd.DataFrame())


def compare(aset: AssumptionSet, published_rows: pd.DataFrame, week_start: date) -> UnitCosts:
    """The set's cost per contact in force in the week against the booked ones."""
    mine, theirs = aset.in_force(week_start), booked(published_rows).in_force(week_start)

    def num(values: dict, key: str) -> float | None:
        v = values.get(key)
        return float(v) if isinstance(v, float | int) else None

    channels = sorted({k.removeprefix(PREFIX) for k in (*mine, *theirs) if k.startswith(PREFIX)})
    costs = tuple(UnitCost(ch, num(mine, PREFIX + ch), num(theirs, PREFIX + ch))
                  for ch in channels)
    return UnitCosts(aset.described(week_start), week_label(week_start),
                     currency.from_assumptions(mine), costs)
