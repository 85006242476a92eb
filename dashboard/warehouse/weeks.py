"""The calendar of the warehouse: ISO weeks, Monday to Sunday, UTC, written ``YYYY-Www``.

Every weekly mart, filter and report counts periods this way (ISO 8601 week dates: a week belongs
to the year that holds its Thursday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard.warehouse.catalog import Fetch

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class FilterError(ValueError):
    """A filter value is malformed or unknown."""


def parse_week(text: str) -> date:
    """The Monday of ISO week ``YYYY-Www``; FilterError when it is not a real ISO week."""
    m = _WEEK_RE.match(text.strip())
    if not m:
        raise FilterError(f"bad week {text!r}: expected YYYY-Www, e.g. 2026-W44")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise FilterError(f"bad week {text!r}: {m.group(1)} has no week {m.group(2)}") from None


def week_label(monday: date) -> str:
    """``YYYY-Www`` of the ISO week holding ``monday``."""
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


def last_complete_week(today: date) -> str:
    """``YYYY-Www`` of the latest ISO week whose Sunday is before ``today`` (on a Monday, the
    week that ended the day before; on a Sunday, the week before the one ending that day)."""
    return week_label(today - timedelta(days=today.weekday() + 7))


def first_week(fetch: Fetch) -> date:
    """The Monday of the first week the warehouse holds (``weeks_available``)."""
    return pd.to_datetime(fetch("weeks_available")["week_start"]).dt.date.min()


# --- the data's calendar: its first week, its as-of date, and which table sets each ---------

#: The words naming an as-of date given at ingest, where a table's column would stand.
GIVEN = "given with ingest --as-of"


@dataclass(frozen=True)
class DatedColumn:
    """One dated column of the loaded data: its first and last date and how many rows have one
    (``role``: event, signup or churn)."""

    table: str
    column: str
    role: str
    count: int
    first: date
    last: date

    @property
    def name(self) -> str:
        """``table.column``."""
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class DataCalendar:
    """What the loaded data spans (``data_calendar``, read from ``marts.dim_data_dates``): the
    weeks run from the week of the first event or churn date (of the first signup date when no
    event table is loaded) to the week holding the as-of date, which is the one given with
    ``ingest --as-of`` or else the latest date any loaded table carries. ``dim_weeks`` applies
    the same rule in SQL; this object names the tables behind it for the pages and the CLI."""

    columns: tuple[DatedColumn, ...]
    given: date | None = None

    @property
    def latest(self) -> DatedColumn | None:
        """The column holding the latest date of the data (an event table before the
        customers' dates on a tie)."""
        if not self.columns:
            return None
        ranked = sorted(self.columns, key=lambda c: c.role != "event")
        return max(ranked, key=lambda c: c.last)

    @property
    def start(self) -> DatedColumn | None:
        """The column holding the first date of the first week: the earliest event or churn
        date; signup dates only when no event table is loaded (a customer file lists customers
        who signed up years before the first recorded event)."""
        has_events = any(c.role == "event" for c in self.columns)
        usable = [c for c in self.columns
                  if c.role in ("event", "churn") or (c.role == "signup" and not has_events)]
        ranked = sorted(usable, key=lambda c: c.role != "event")
        return min(ranked, key=lambda c: c.first) if ranked else None

    @property
    def as_of(self) -> date | None:
        """The data's as-of date: the given one, else the latest date of the data (a given
        date earlier than the data is never used: ingest refuses it)."""
        latest = self.latest
        if latest is None:
            return self.given
        return max(self.given or latest.last, latest.last)

    @property
    def as_of_source(self) -> str:
        """Where the as-of date comes from: ``GIVEN`` or the ``table.column`` holding it."""
        latest = self.latest
        if self.given is not None and (latest is None or self.given >= latest.last):
            return GIVEN
        return latest.name if latest is not None else ""

    @property
    def first_week(self) -> str | None:
        """``YYYY-Www`` of the first week, None without data."""
        return None if self.start is None else week_label(self.start.first)

    @property
    def last_week(self) -> str | None:
        """``YYYY-Www`` of the week holding the as-of date, None without data."""
        return None if self.as_of is None or self.start is None else week_label(self.as_of)

    @property
    def latest_complete(self) -> str | None:
        """``YYYY-Www`` of the latest week whose Sunday the as-of date reaches (None when the
        first week is not complete yet)."""
        if self.as_of is None or self.start is None:
            return None
        sunday = self.as_of - timedelta(days=(self.as_of.weekday() + 1) % 7)
        return week_label(sunday) if sunday >= parse_week(self.first_week) else None

    def as_of_text(self) -> str:
        """``data as of 2026-10-31 (customers.churn_date)`` for scope lines; empty without data."""
        if self.as_of is None:
            return ""
        return f"data as of {self.as_of:%Y-%m-%d} ({self.as_of_source})"

    def staleness(self, today: date, limit_days: int) -> str:
        """One sentence when the data's as-of date is more than ``limit_days`` days before
        ``today`` (``config.stale_days``), else empty: how old the newest data is and where the
        date comes from, for the one quiet warning every page shows."""
        if self.as_of is None:
            return ""
        age = (today - self.as_of).days
        if age <= limit_days:
            return ""
        return (f"The newest data is {age:,} days old (as of {self.as_of:%Y-%m-%d}, "
                f"{self.as_of_source}; more than {limit_days} days before today, "
                f"{today:%Y-%m-%d}): recent weeks are not in these figures. Load newer data "
                "on the Data page.")

    def span_text(self) -> str:
        """``2020-W41 (transactions.occurred_at) … 2026-W44 (customers.churn_date)``."""
        if self.first_week is None:
            return "none: no loaded table carries a date yet"
        return (f"{self.first_week} ({self.start.name}) … {self.last_week} "
                f"({self.as_of_source})")

    def refusal(self, week: str) -> str:
        """Why ``week`` is not a week of the data, naming the range and the table that sets
        each end."""
        if self.first_week is None:
            return f"week {week} is not in the warehouse: no loaded table carries a date yet"
        monday = parse_week(week)
        if monday > parse_week(self.last_week):
            by = "" if self.as_of_source == GIVEN else "set by "
            why = (f"after the data's as-of date {self.as_of:%Y-%m-%d} "
                   f"({by}{self.as_of_source})")
        elif monday < parse_week(self.first_week):
            why = (f"before the data's first week {self.first_week} "
                   f"(set by {self.start.name})")
        else:
            why = "not in the warehouse"
        return f"week {week} is {why}; weeks run {self.span_text()}"


def calendar_of(rows: pd.DataFrame) -> DataCalendar:
    """The calendar of the rows of ``data_calendar`` (or of the mart ``dim_data_dates``)."""
    columns, given = [], None
    for r in rows.itertuples(index=False):
        if pd.isna(r.last_date):
            continue
        first, last = pd.Timestamp(r.first_date).date(), pd.Timestamp(r.last_date).date()
        if r.date_role == "as_of":
            given = last
        else:
            columns.append(DatedColumn(str(r.table_name), str(r.column_name), str(r.date_role),
                                       int(r.date_count), first, last))
    return DataCalendar(tuple(columns), given)


def data_calendar(fetch: Fetch) -> DataCalendar:
    """The loaded data's calendar: the query ``data_calendar`` (one row per dated column and
    one for the given as-of date) read into a ``DataCalendar``."""
    return calendar_of(fetch("data_calendar"))
