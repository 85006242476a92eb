"""How a text value becomes a time, and the rules that keep a value from changing on the way:
a value is stored exactly as given, or its row is quarantined with the rule it breaks.

* Control characters (``CONTROL``: C0 controls but tab, line feed and carriage return, and DEL)
  are never stored: a NUL would cut the value short in many tools, an escape sequence would
  drive a terminal.
* A time is read from text in one of three ways: with the mapping's ``date_format`` (a value
  written any other way is quarantined, never read another way); else ISO 8601; else any
  format pandas recognises, as long as the value has a year, a month and a day (``00:01`` or
  ``5 March`` would otherwise get today's date or year).
* A value with its own offset (``Z``, ``+03:30``) is that instant. A value without one is in the
  mapping's ``timezone`` (UTC when none is given); a local time the clocks skipped (the
  spring-forward gap) is quarantined, and so is one they passed twice (the autumn hour) unless
  the mapping says which reading to take (``ambiguous = "earlier"`` or ``"later"``).
* A date column's value is a calendar date: a time of day other than midnight (after reading
  its offset, if any) is quarantined rather than cut off.
* A source that writes Jalali (Solar Hijri) dates says so in its mapping (``calendar =
  "jalali"`` with its ``date_format``): each value is read with that format in the Jalali
  calendar (jdatetime) and stored as the same day and time in the Gregorian calendar; a value
  that is no Jalali date in that format (``1403/12/31``: 1403's Esfand has 30 days) is
  quarantined. Persian and Arabic-Indic digits read as their ASCII digits, in every calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from dateutil import parser as dateparser

from dashboard.intake.limits import Limits
from dashboard.warehouse.numbers import ascii_digits

#: The characters no stored value may hold (a regex class).
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CONTROL_RULE = "a control character in the value (NUL, escape, DEL, …)"

#: The readings of an ambiguous local time a mapping may choose.
AMBIGUOUS = ("earlier", "later")
#: The calendars a mapping may declare its dates in (the first is the default).
CALENDARS = ("gregorian", "jalali")

_ZONED = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?|\b(?:UTC|GMT))$"
_ISO_DAY = r"^\d{4}-?\d{2}-?\d{2}(?:$|[T ])"
_NUMERIC_DAY = r"^(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})(?:$|[T ])"
_DEFAULTS = (datetime(2001, 2, 3, 4, 5, 6), datetime(2002, 4, 6, 7, 8, 9))


@dataclass(frozen=True)
class TimeFormat:
    """How a source writes its times: ``date_format`` (strptime; None: ISO 8601, then any
    recognised format), ``timezone`` (IANA name of the zone of values written without an
    offset; None: UTC), ``ambiguous`` (None: quarantine; "earlier"/"later": that reading) and
    ``calendar`` (None or "gregorian"; "jalali": the values are Jalali dates in
    ``date_format``)."""

    date_format: str | None = None
    timezone: str | None = None
    ambiguous: str | None = None
    calendar: str | None = None


def calendar_problem(calendar: object, date_format: str | None) -> str | None:
    """What is wrong with a mapping's ``calendar`` beside its ``date_format`` (None: nothing)."""
    if calendar is not None and calendar not in CALENDARS:
        return 'calendar must be "gregorian" or "jalali"'
    if calendar == "jalali" and not date_format:
        return ('calendar = "jalali" needs the date_format the dates are written in, such as '
                "'%Y/%m/%d'")
    if calendar == "jalali" and ("%z" in date_format or "%Z" in date_format):
        return "a Jalali date_format cannot carry an offset (%z, %Z): give the zone with timezone"
    return None


def control_characters(raw: pd.Series) -> pd.Series:
    """True where a text value holds a control character."""
    return raw.str.contains(CONTROL, regex=True, na=False)


def _plain_digits(values: pd.Series) -> pd.Series:
    present = values.dropna().astype(str)
    if "".join(present.tolist()).isascii():
        return values
    return values.map(ascii_digits, na_action="ignore")


def _jalali(values: pd.Series, date_format: str) -> pd.Series:
    """Jalali date texts in ``date_format`` → the same days (and times) as naive Gregorian
    timestamps; NaT where a value is not a Jalali date in that format."""
    import jdatetime

    def one(text: object) -> pd.Timestamp:
        try:
            return pd.Timestamp(jdatetime.datetime.strptime(str(text), date_format)
                                .togregorian())
        except (ValueError, TypeError, OverflowError):
            return pd.NaT

    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    present = values.notna()
    if present.any():
        distinct = values[present].unique()  # a date repeats across rows: read each once
        read = {v: one(v) for v in distinct}
        out[present] = pd.to_datetime(values[present].map(read))
    return out


def _complete(value: str) -> bool:
    """True when ``value`` names a year, a month and a day (read twice with different default
    dates: a value missing one of them takes the default's)."""
    try:
        a, b = (dateparser.parse(value, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return True  # unreadable: the caller's "unparseable" rule says so
    return a.date() == b.date()


def read_times(raw: pd.Series, fmt: TimeFormat | None, date_only: bool
               ) -> tuple[pd.Series, list[tuple[pd.Series, str]]]:
    """Stripped text (``""`` empty) → UTC timestamps (tz-aware; NaT where a rule broke) and the
    (mask, rule) pairs of the values that break a rule."""
    fmt = fmt or TimeFormat()
    empty = raw == ""
    values = _plain_digits(raw.where(~empty))
    rules: list[tuple[pd.Series, str]] = []
    zoned = values.str.contains(_ZONED, regex=True, na=False)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    naive = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if fmt.date_format and fmt.calendar == "jalali":
        naive = _jalali(values, fmt.date_format)
        rules.append((~empty & naive.isna(),
                      f"not a Jalali date in the declared format ({fmt.date_format!r})"))
    elif fmt.date_format:
        with_zone = "%z" in fmt.date_format or "%Z" in fmt.date_format
        ts = pd.to_datetime(values, format=fmt.date_format, errors="coerce", utc=with_zone)
        if with_zone:
            out = ts
        else:
            naive = ts
        rules.append((~empty & ts.isna(),
                      f"not a date in the declared format ({fmt.date_format!r})"))
    else:
        # a day plainly written (ISO, or numeric with a four-digit year) needs no second look
        plain = values.str.match(_ISO_DAY, na=False) | values.str.match(_NUMERIC_DAY, na=False)
        look = ~empty & ~plain
        incomplete = pd.Series(False, index=raw.index)
        if look.any():
            whole = np.fromiter((_complete(v) for v in values[look]), dtype=bool,
                                count=int(look.sum()))
            incomplete[look] = ~whole
        rules.append((incomplete, "a date needs a year, a month and a day (a time or a "
                                  "partial date alone)"))
        ok = ~empty & ~incomplete
        for mask, target in ((ok & zoned, "zoned"), (ok & ~zoned, "naive")):
            if not mask.any():
                continue
            part = values[mask]
            ts = pd.to_datetime(part, errors="coerce", utc=target == "zoned", format="ISO8601")
            rest = ts.isna()
            if rest.any():
                ts[rest] = pd.to_datetime(part[rest], errors="coerce", utc=target == "zoned",
                                          format="mixed")
            if target == "zoned":
                out[mask] = ts
            else:
                naive[mask] = ts
        rules.append((ok & out.isna() & naive.isna(), "unparseable date"))
    local = naive.notna()
    if local.any():
        if fmt.timezone and not date_only:  # a calendar date has no zone
            two = naive.dt.tz_localize(fmt.timezone, ambiguous="NaT",
                                       nonexistent="shift_forward").isna() & local
            gap = naive.dt.tz_localize(fmt.timezone, ambiguous=np.ones(len(naive), bool),
                                       nonexistent="NaT").isna() & local
            rules.append((gap, f"a local time that does not exist in {fmt.timezone} (the "
                               "clocks skipped it)"))
            if fmt.ambiguous is None:
                rules.append((two, f"an ambiguous local time in {fmt.timezone} (the clocks "
                                   "passed it twice; the mapping's ambiguous = \"earlier\" or "
                                   "\"later\" picks one)"))
            choice = np.full(len(naive), fmt.ambiguous != "later")
            localised = naive.dt.tz_localize(fmt.timezone, ambiguous=choice, nonexistent="NaT")
            out[local] = localised[local].dt.tz_convert("UTC")
        else:
            out[local] = naive[local].dt.tz_localize("UTC")
    if date_only:
        clock = out.notna() & (out.dt.tz_localize(None) != out.dt.tz_localize(None).dt.normalize())
        rules.append((clock, "a time of day in a date column (give the date alone)"))
    bad = pd.Series(False, index=raw.index)
    for mask, _ in rules:
        bad |= mask
    return out.where(~bad), rules


#: A date or timestamp written year first whose year is past what a timestamp can hold.
_YEAR_FIRST = re.compile(r"^\s*(\d{4,})[-/.]\d{1,2}[-/.]\d{1,2}(?:$|[ T])")


def far_future(raw: pd.Series) -> pd.Series:
    """Whether each text is a year-first date from 2262 on (later than a timestamp in
    nanoseconds reaches: it reads as no date at all, but it is a date in the future)."""
    year = raw.astype(str).str.extract(_YEAR_FIRST, expand=False)
    return pd.to_numeric(year, errors="coerce").fillna(0).ge(2262)


#: Numbers that cannot be negative, by column (a duration, a count, money paid out).
NON_NEGATIVE = ("handle_seconds", "contacts_count", "compensation_amount")


def plausible(name: str, num: pd.Series, limits: Limits) -> list[tuple[pd.Series, str]]:
    """The sign and plausibility rules of a numeric column (amounts are bounded per currency
    later, in ``check_against``, where the warehouse's currency is known)."""
    rules = []
    if name in NON_NEGATIVE:
        rules.append((num.notna() & (num < 0), f"{name} cannot be negative"))
    bound = {"handle_seconds": (limits.max_handle_seconds, "CX_MAX_HANDLE_SECONDS"),
             "contacts_count": (limits.max_contacts_count, "CX_MAX_CONTACTS_COUNT"),
             "score": (limits.max_scale, "CX_MAX_SCALE"),
             "expectation_score": (limits.max_scale, "CX_MAX_SCALE"),
             "scale_min": (limits.max_scale, "CX_MAX_SCALE"),
             "scale_max": (limits.max_scale, "CX_MAX_SCALE")}.get(name)
    if bound is not None:
        rules.append((num.notna() & np.isfinite(num) & (num.abs() > bound[0]),
                      f"{name} beyond the plausible bound of {bound[0]:,g} ({bound[1]})"))
    return rules


def display_names(section: object) -> dict[str, str]:
    """A mapping file's ``[display_names]`` section (``"service_quality" = "Quality"``: how the
    pages name a category value, ``metrics.display.name``), checked: ValueError naming the
    section when it is not a table of texts."""
    if not isinstance(section, dict) or not all(
            isinstance(v, str | int | float) for v in section.values()):
        raise ValueError('[display_names] must be a table of "value" = "display name"')
    return {str(k): str(v) for k, v in section.items()}
