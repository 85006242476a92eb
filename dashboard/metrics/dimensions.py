"""Which dimensions the loaded data can split by: the one rule every page, export and the CLI
follow.

A company may have no region, plan or segment (its mapping gives the column one constant, e.g.
``[customers.defaults] region = "All"``), and its survey answers may carry one channel, one
touchpoint or one journey stage (or none: "not recorded"), its complaints one category. A
dimension with fewer than two values in the warehouse is a single group: its filter is not drawn,
no split or comparison by it is offered, no chart or table is broken down by it, and the pages
say so in one line instead (``Dimensions.note``). A filter value for a single-valued dimension
is accepted only when it is that value (``filters.validate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.i18n import N_, _
from dashboard.metrics import display
from dashboard.warehouse.catalog import Fetch

#: Dimensions of customers: what the filter bar filters by (the identifier allowlist).
CUSTOMER: tuple[str, ...] = ("segment", "region", "plan")
#: Dimensions of events: the channel, touchpoint and journey stage of a survey answer and the
#: category of a complaint.
EVENT: tuple[str, ...] = ("channel", "touchpoint", "journey_stage", "category")
ALL: tuple[str, ...] = CUSTOMER + EVENT
#: What one value of each dimension is called in sentences (English; ``noun`` translates).
NOUNS: Mapping[str, str] = {
    "segment": N_("segment"), "region": N_("region"), "plan": N_("plan"),
    "channel": N_("survey channel"), "touchpoint": N_("touchpoint"),
    "journey_stage": N_("journey stage"), "category": N_("complaint category"),
}
#: The one-line note of a dimension with a single value (``{value}``: that value).
_SINGLE: Mapping[str, str] = {
    "segment": N_("All customers are in one segment ({value}): no split by segment."),
    "region": N_("All customers are in one region ({value}): no split by region."),
    "plan": N_("All customers are in one plan ({value}): no split by plan."),
    "channel": N_("All survey answers came through one survey channel ({value}): no split by "
                  "survey channel."),
    "touchpoint": N_("All survey answers are about one touchpoint ({value}): no split by "
                     "touchpoint."),
    "journey_stage": N_("All survey answers are from one journey stage ({value}): no split by "
                        "journey stage."),
    "category": N_("All complaints are in one complaint category ({value}): no split by "
                   "complaint category."),
}
#: The one-line note of a dimension with no value at all.
_NONE: Mapping[str, str] = {
    "segment": N_("No segment in the loaded data: no split by segment."),
    "region": N_("No region in the loaded data: no split by region."),
    "plan": N_("No plan in the loaded data: no split by plan."),
    "channel": N_("No survey channel in the loaded data: no split by survey channel."),
    "touchpoint": N_("No touchpoint in the loaded data: no split by touchpoint."),
    "journey_stage": N_("No journey stage in the loaded data: no split by journey stage."),
    "category": N_("No complaint category in the loaded data: no split by complaint "
                   "category."),
}


def noun(dimension: str) -> str:
    """What one value of ``dimension`` is called, in the current language."""
    return _(NOUNS[dimension])
#: The fewest values a dimension needs to be offered as a split.
MIN_VALUES = 2


@dataclass(frozen=True)
class Dimensions:
    """The values each dimension takes in the warehouse, and what may be split by them."""

    options: Mapping[str, tuple[str, ...]]

    def splits(self, dimension: str) -> bool:
        """Whether the dimension has at least two values (a filter, a split, a comparison)."""
        return len(self.options.get(dimension, ())) >= MIN_VALUES

    def splittable(self, dimensions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """The dimensions of ``dimensions`` that may be split by, in the order given."""
        return tuple(d for d in dimensions if self.splits(d))

    def single(self, dimension: str) -> str | None:
        """The one value of a single-valued dimension (None when it has none or several)."""
        values = self.options.get(dimension, ())
        return values[0] if len(values) == 1 else None

    def note(self, dimension: str) -> str:
        """The line a page shows instead of a breakdown by a dimension it cannot split by."""
        values = self.options.get(dimension, ())
        if not values:
            return _(_NONE[dimension])
        return _(_SINGLE[dimension], value=values[0])

    def no_split(self, dimension: str) -> str:
        """'' when the dimension may be split by, else ``note``: what a page shows instead."""
        return "" if self.splits(dimension) else self.note(dimension)

    def none_note(self, dimensions: tuple[str, ...]) -> str:
        """The line shown instead of a split picker when none of ``dimensions`` splits."""
        listed = display.and_list(noun(d) for d in dimensions)
        return _("No split: {dimensions} each have a single value in the data.",
                 dimensions=listed)


def load_options(fetch: Fetch) -> dict[str, tuple[str, ...]]:
    """The values of every dimension in the warehouse (``filter_options``), sorted."""
    df = fetch("filter_options")
    return {dim: tuple(df.loc[df["dimension"] == dim, "dimension_value"].astype(str))
            for dim in ALL}


def load(fetch: Fetch) -> Dimensions:
    """The warehouse's dimensions (one cached query)."""
    return Dimensions(load_options(fetch))
