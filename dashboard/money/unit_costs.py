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
        return "none" if v is None else money(v, self.symbol, 2)

    def _changed(self) -> str:
        return "; ".join(f"{channel_label(c.channel)} {self._money(c.in_set)} a contact "
                         f"(booked {self._money(c.booked)})" for c in self.differing)

    @property
    def short(self) -> str:
        """The caption of a money figure that prices contacts: ``unit costs as booked`` or
        ``unit costs of the set, not the booked ones``."""
        return ("unit costs of the set, not the booked ones" if self.differs
                else "unit costs as booked")

    @property
    def detail(self) -> str:
        """The "how computed" line: the costs per contact used, and how they stand against the
        booked ones."""
        if not self.costs:
            return f"no cost per contact in force in {self.week}"
        if not self.differs:
            costs = ", ".join(f"{channel_label(c.channel)} {self._money(c.in_set)}"
                              for c in self.costs)
            return (f"set {self.set_id}'s cost per contact in force in {self.week}, the same as "
                    f"the booked ones (those the contacts were loaded with): {costs}")
        same = [channel_label(c.channel) for c in self.costs if not c.differs]
        rest = f"; {', '.join(same)} as booked" if same else ""
        return (f"set {self.set_id}'s cost per contact in force in {self.week}, not the "
                f"booked ones (those the contacts were loaded with): {self._changed()}{rest}")

    def notice_kpis(self) -> str:
        """The Weekly KPIs page's notice ('' when the set's unit costs are the booked ones)."""
        if not self.differs:
            return ""
        return (f"Unit costs differ. The money row prices contacts at assumption set "
                f"{self.set_id}'s unit costs in force in {self.week}: {self._changed()}. The "
                "Cost to serve tile and the Cost to serve page use the booked unit costs, "
                "those the contacts were loaded with, so their costs and savings are not the "
                "money row's.")

    def notice_cost(self) -> str:
        """The Cost to serve page's notice ('' when the set's unit costs are the booked ones)."""
        if not self.differs:
            return ""
        return (f"This page uses the booked unit costs, those the contacts were loaded with. "
                f"The assumption set in use, {self.set_id}, prices contacts differently in "
                f"{self.week}: {self._changed()}. The money figures computed with that set "
                "(the Weekly KPIs money row, CX in money, the Impact simulator) use its unit "
                "costs, so they differ from this page's.")


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
