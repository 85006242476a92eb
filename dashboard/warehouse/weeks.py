"""The calendar of the warehouse: weeks of seven days, UTC, written ``YYYY-Www``.

Where a week starts is a setting of the warehouse, chosen when it is first built or loaded and
kept in it (``ingest.settings``, key ``week_start``):

- ``iso`` (the default): ISO 8601 weeks, Monday to Sunday; a week belongs to the year that holds
  its Thursday;
- ``saturday``: Iranian weeks, Saturday to Friday. Each is named by the ISO week of its Monday
  (its third day), so ``2026-W44`` is Saturday 2026-10-24 … Friday 2026-10-30: week keys,
  their order and their arithmetic (``± 7 days``) are the same in both settings, only the
  first day moves two days back.

Every weekly mart, filter and report counts periods this way; the week key of a day is the ISO
week of the day moved forward by ``SHIFT`` days. The functions below follow the setting of the
warehouse the process reads (``set_week_start``; ``db.Warehouse`` sets it when it opens a
warehouse), or the ``start`` given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard import i18n
from dashboard.i18n import calendar
from dashboard.i18n.numbers import localize
from dashboard.warehouse.catalog import Fetch

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class FilterError(ValueError):
    """A filter value is malformed or unknown."""


#: Where a week may start (the warehouse setting ``week_start``), and the days the week key of
#: a day is moved forward by: the ISO week of ``day + SHIFT[start]`` names its week.
SHIFT = {"iso": 0, "saturday": 2}
WEEK_STARTS = tuple(SHIFT)
#: The setting's key in ``ingest.settings``.
WEEK_START_KEY = "week_start"

_current = "iso"


def check_week_start(start: str) -> str:
    """``start`` when it is a week start (``WEEK_STARTS``); ValueError (one line) else."""
    if start not in SHIFT:
        raise ValueError(f"unknown week start {start!r}: one of {', '.join(WEEK_STARTS)}")
    return start


def set_week_start(start: str | None) -> None:
    """Make ``start`` (None: ``iso``) the week start the functions below follow by default."""
    global _current
    _current = check_week_start(start or "iso")


def current_week_start() -> str:
    """The week start the functions below follow by default (``iso`` unless set)."""
    return _current


@contextmanager
def using(start: str | None = None, months: str | None = None) -> Iterator[None]:
    """Follow week start ``start`` and month calendar ``months`` (each None: as now) inside
    the block, the earlier settings again after it."""
    before = (_current, current_months())
    set_week_start(start or before[0])
    set_months(months or before[1])
    try:
        yield
    finally:
        set_week_start(before[0])
        set_months(before[1])


def _start(start: str | None) -> str:
    return _current if start is None else check_week_start(start)


# --- months: Gregorian, or Jalali (Farvardin … Esfand), as the warehouse counts them ---------

#: The month calendars (the warehouse setting ``months``): the first is the default.
MONTH_CALENDARS = ("gregorian", "jalali")

_months = "gregorian"


def set_months(months: str | None) -> None:
    """Make ``months`` (None: ``gregorian``) the month calendar the functions below follow
    by default."""
    global _months
    months = months or "gregorian"
    if months not in MONTH_CALENDARS:
        raise ValueError(f"unknown months {months!r}: one of {', '.join(MONTH_CALENDARS)}")
    _months = months


def current_months() -> str:
    """The month calendar the functions below follow by default (``gregorian`` unless set)."""
    return _months


def month_start(day: date, months: str | None = None) -> date:
    """The first day (a Gregorian date) of the month holding ``day``: its Gregorian month, or
    its Jalali month (1 Aban 1405 is 2026-10-23)."""
    if (months or _months) == "jalali":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=day)
        return jdatetime.date(j.year, j.month, 1).togregorian()
    return day.replace(day=1)


def add_months(day: date, k: int, months: str | None = None) -> date:
    """The first day of the month ``k`` months after (or before) the month holding ``day``."""
    if (months or _months) == "jalali":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=day)
        n = j.year * 12 + j.month - 1 + k
        return jdatetime.date(n // 12, n % 12 + 1, 1).togregorian()
    n = day.year * 12 + day.month - 1 + k
    return date(n // 12, n % 12 + 1, 1)


def first_day(day: date, start: str | None = None) -> date:
    """The first day of the week holding ``day`` (a Monday, or a Saturday)."""
    shift = SHIFT[_start(start)]
    moved = day + timedelta(days=shift)
    return moved - timedelta(days=moved.weekday() + shift)


def parse_week(text: str, start: str | None = None) -> date:
    """The first day of week ``YYYY-Www`` (its Monday, or the Saturday before it); FilterError
    when it is not a real ISO week."""
    m = _WEEK_RE.match(text.strip())
    if not m:
        raise FilterError(f"bad week {text!r}: expected YYYY-Www, e.g. 2026-W44")
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise FilterError(f"bad week {text!r}: {m.group(1)} has no week {m.group(2)}") from None
    return monday - timedelta(days=SHIFT[_start(start)])


def week_label(day: date, start: str | None = None) -> str:
    """``YYYY-Www`` of the week holding ``day`` (for a first day: the week it starts)."""
    y, w, _ = (day + timedelta(days=SHIFT[_start(start)])).isocalendar()
    return f"{y}-W{w:02d}"


def last_complete_week(today: date, start: str | None = None) -> str:
    """``YYYY-Www`` of the latest week whose last day is before ``today`` (on a week's first
    day, the week that ended the day before; on its last day, the week before)."""
    return week_label(first_day(today, start) - timedelta(weeks=1), start)


# --- how weeks and months read, in the language of the run ----------------------------

def week_display(week: str, code: str | None = None, start: str | None = None) -> str:
    """How the week ``YYYY-Www`` reads in the language ``code`` (default: the current one):
    English keeps the key (``2026-W44``); Persian names its seven days in the Jalali calendar
    («هفتهٔ ۸ تا ۱۴ آبان ۱۴۰۵»), from its first day as the warehouse counts weeks (``start``:
    ``iso`` or ``saturday``; default: the warehouse's, ``current_week_start``)."""
    code = code or i18n.current()
    if code != "fa":
        return week
    return calendar.week_label(parse_week(week, start), code)


def day_display(day: date, code: str | None = None, english: str = "%Y-%m-%d") -> str:
    """A date as the reader reads it: ``2026-10-31`` in English (or the ``english`` format),
    its Jalali day in Persian («۹ آبان ۱۴۰۵»)."""
    if (code or i18n.current()) != "fa":
        return day.strftime(english)
    j = calendar.jalali(day)
    return localize(f"{j.day} {calendar.MONTHS_FA[j.month - 1]} {j.year}", "fa")


i18n.name_dates_with(week_display, day_display)  # translated sentences name weeks and days so


def month_display(month_start: date, code: str | None = None, months: str | None = None,
                  short: bool = False) -> str:
    """How the month starting on ``month_start`` reads, as the warehouse counts months
    (``months``: ``gregorian`` or ``jalali``; default: the warehouse's): a Gregorian month is
    ``October 2026`` (``Oct 2026`` when ``short``) in English and «اکتبر ۲۰۲۶» in Persian; a
    Jalali month is ``Aban 1405`` in English and «آبان ۱۴۰۵» in Persian."""
    from babel.dates import format_date

    code = code or i18n.current()
    if (months or current_months()) == "jalali":
        if code == "fa":
            return calendar.month_name(month_start, code)
        j = calendar.jalali(month_start)
        return f"{calendar.MONTHS_EN[j.month - 1]} {j.year}"
    if code == "fa":
        return localize(format_date(month_start, "LLLL y", locale="fa"), code)
    return month_start.strftime("%b %Y" if short else "%B %Y")


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
        """``YYYY-Www`` of the latest week whose last day (a Sunday, or a Friday) the as-of date
        reaches (None when the first week is not complete yet)."""
        if self.as_of is None or self.start is None:
            return None
        last = first_day(self.as_of + timedelta(days=1)) - timedelta(days=1)
        return week_label(last) if last >= parse_week(self.first_week) else None

    def as_of_date(self) -> str:
        """``2026-10-31 (customers.churn_date)``: the as-of date and its column (in Persian the
        Jalali date, «۱۰ آبان ۱۴۰۵»); empty without data."""
        if self.as_of is None:
            return ""
        return f"{day_display(self.as_of)} ({self.as_of_source})"

    def as_of_text(self) -> str:
        """``data as of 2026-10-31 (customers.churn_date)`` for scope lines, in the language of
        the run; empty without data."""
        if self.as_of is None:
            return ""
        return i18n._("data as of {date} ({source})", date=day_display(self.as_of),
                      source=self.as_of_source)

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
        first = parse_week(week)
        if first > parse_week(self.last_week):
            by = "" if self.as_of_source == GIVEN else "set by "
            why = (f"after the data's as-of date {self.as_of:%Y-%m-%d} "
                   f"({by}{self.as_of_source})")
        elif first < parse_week(self.first_week):
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
