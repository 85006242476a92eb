"""The filter bar's state: one immutable object, read once and passed down as an argument."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from dashboard.i18n import N_, _
from dashboard.metrics import display
from dashboard.metrics.dimensions import CUSTOMER, Dimensions
from dashboard.warehouse.weeks import (
    DataCalendar,
    FilterError,
    parse_week,
    week_display,
    week_label,
)

COMPARISONS: dict[str, tuple[str, int]] = {
    "previous": (N_("previous week"), 1),
    "4w": (N_("4 weeks earlier"), 4),
    "52w": (N_("52 weeks earlier"), 52),
}
#: How the filter line names each customer filter (``describe``).
_SCOPES: dict[str, str] = {
    "segment": N_("segment: {values}"),
    "region": N_("region: {values}"),
    "plan": N_("plan: {values}"),
}
#: Customer dimensions a filter (and a group-by) may use: the identifier allowlist.
DIMENSIONS: tuple[str, ...] = CUSTOMER

@dataclass(frozen=True)
class Filters:
    """What the user selected: a week, customer filters (empty = all) and a comparison."""

    week: str
    segments: tuple[str, ...] = field(default_factory=tuple)
    regions: tuple[str, ...] = field(default_factory=tuple)
    plans: tuple[str, ...] = field(default_factory=tuple)
    compare: str = "previous"

    def __post_init__(self) -> None:
        parse_week(self.week)
        if self.compare not in COMPARISONS:
            raise FilterError(
                f"bad comparison {self.compare!r}: choose one of {', '.join(COMPARISONS)}"
            )

    @property
    def week_start(self) -> date:
        """First day of the selected week (a Monday, or a Saturday: as the warehouse counts)."""
        return parse_week(self.week)

    @property
    def compare_start(self) -> date:
        """First day of the comparison week."""
        return self.week_start - timedelta(weeks=COMPARISONS[self.compare][1])

    @property
    def compare_week(self) -> str:
        """The comparison week as ``YYYY-Www``."""
        return week_label(self.compare_start)

    @property
    def week_name(self) -> str:
        """The selected week as the reader reads it (``weeks.week_display``): the key in
        English, its Jalali days in Persian («هفتهٔ ۸ تا ۱۴ آبان ۱۴۰۵»). For sentences and
        titles; queries, file names and data keep ``week``."""
        return week_display(self.week)

    @property
    def compare_week_name(self) -> str:
        """The comparison week as the reader reads it (see ``week_name``)."""
        return week_display(self.compare_week)

    @property
    def compare_label(self) -> str:
        """'previous week', '4 weeks earlier' or '52 weeks earlier' (in the current
        language)."""
        return _(COMPARISONS[self.compare][0])

    def customer_params(self) -> dict[str, list[str]]:
        """The customer filters as bound query parameters (lists; empty means all)."""
        return {
            "segments": list(self.segments),
            "regions": list(self.regions),
            "plans": list(self.plans),
        }

    def describe(self) -> str:
        """One line naming the active filters, for titles, exports and the CLI."""
        parts = []
        for dim, values in (("segment", self.segments), ("region", self.regions),
                            ("plan", self.plans)):
            if values:
                parts.append(_(_SCOPES[dim], values=display.commas(values)))
        return display.semicolons(parts) if parts else _("all customers")

    def selects(self, frame: pd.DataFrame) -> pd.Series:
        """Which rows of a frame with segment, region and plan columns the filters keep."""
        keep = pd.Series(True, index=frame.index)
        for dim, values in (("segment", self.segments), ("region", self.regions),
                            ("plan", self.plans)):
            if values:
                keep &= frame[dim].isin(values)
        return keep

    def narrow(self, frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
        """A result kept at the grain of the customer dimensions, for the filters' customers:
        the rows they keep, summed by ``keys`` (ordered by them) over the dimensions not in
        ``keys``. For results whose columns are all sums over customers: one query per window
        then serves every filter change (the slow customer-level queries are not re-run)."""
        dropped = [d for d in DIMENSIONS if d not in keys]
        kept = frame.loc[self.selects(frame)].drop(columns=dropped)
        out = kept.groupby(list(keys), as_index=False, sort=True).sum()
        return out[[c for c in frame.columns if c not in dropped]].reset_index(drop=True)

    def as_dict(self) -> dict[str, list[str]]:
        """The customer filters as a JSON-ready mapping."""
        return {"segment": list(self.segments), "region": list(self.regions),
                "plan": list(self.plans)}


def validate(filters: Filters, options: Mapping[str, Sequence[str]],
             weeks: Sequence[str], calendar: DataCalendar | None = None) -> None:
    """FilterError naming the first unknown value (allowlists come from the warehouse); for a
    dimension with one value (a company without regions …) only that value is accepted; a
    week outside the data names the data's range and the table that sets each end when the
    ``calendar`` is given."""
    if filters.week not in weeks:
        if calendar is not None:
            raise FilterError(calendar.refusal(filters.week))
        span = f"{min(weeks)} … {max(weeks)}" if weeks else "none"
        raise FilterError(f"week {filters.week} is not in the warehouse (weeks: {span})")
    dims = Dimensions(options)
    for dim, values in (("segment", filters.segments), ("region", filters.regions),
                        ("plan", filters.plans)):
        allowed = set(options.get(dim, ()))
        for v in values:
            if v in allowed:
                continue
            only = dims.single(dim)
            if only is not None:
                raise FilterError(f"unknown {dim} {v!r}: all customers are in one {dim}, "
                                  f"{only!r}")
            raise FilterError(f"unknown {dim} {v!r}: choose from {', '.join(sorted(allowed))}")
