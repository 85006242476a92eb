"""Weeks and months in the Jalali (Solar Hijri) calendar, with jdatetime.

A week is named by its first day. The warehouse decides where weeks start (ISO: Monday;
Iranian: Saturday); this module only names them: in Persian a week reads by its Jalali dates
(«هفتهٔ ۸ تا ۱۴ آبان ۱۴۰۵», or «هفتهٔ ۲۹ مهر تا ۵ آبان ۱۴۰۵» across a month, with both years
across Nowruz), a month by its Jalali name and year. The Iranian fiscal year starts on
1 Farvardin.

``week_display`` names a week key (``2026-W44``) for the reader: English keeps the key, Persian
gives its Jalali dates from the week's first day as the warehouse counts weeks (Monday, or the
Saturday before it). ``month_display`` names a month start as the warehouse counts months
(Gregorian, or Jalali: ``Aban 1405`` in English, «آبان ۱۴۰۵» in Persian).
"""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime

from dashboard import i18n
from dashboard.i18n.numbers import localize

#: Where a week starts: ISO weeks on Monday, Iranian weeks on Saturday (``date.weekday()``).
WEEK_STARTS = {"iso": 0, "saturday": 5}
#: The Jalali months, Farvardin to Esfand (jdatetime's own names).
MONTHS_FA: tuple[str, ...] = tuple(jdatetime.date.j_months_fa)
#: Their English transcriptions (jdatetime's).
MONTHS_EN: tuple[str, ...] = tuple(jdatetime.date.j_months_en)


def week_start(day: date, start: str = "iso") -> date:
    """The first day of the week holding ``day`` (weeks starting as ``start`` says)."""
    if start not in WEEK_STARTS:
        raise ValueError(f"unknown week start {start!r}; one of {', '.join(WEEK_STARTS)}")
    return day - timedelta(days=(day.weekday() - WEEK_STARTS[start]) % 7)


def jalali(day: date) -> jdatetime.date:
    """``day`` in the Jalali calendar."""
    return jdatetime.date.fromgregorian(date=day)


def month_name(day: date, code: str | None = None) -> str:
    """The month of ``day``: «آبان ۱۴۰۵» in Persian, ``November 2026`` in English."""
    code = code or i18n.current()
    if code == "fa":
        j = jalali(day)
        return localize(f"{MONTHS_FA[j.month - 1]} {j.year}", code)
    return day.strftime("%B %Y")


def fiscal_year(day: date) -> int:
    """The Iranian fiscal year of ``day``: its Jalali year (it starts on 1 Farvardin)."""
    return jalali(day).year


def week_label(first: date, code: str | None = None) -> str:
    """A week named by its seven days: «هفتهٔ ۸ تا ۱۴ آبان ۱۴۰۵» in Persian; in English its
    ISO name when it is an ISO week (``2026-W44``), else its dates (``1–7 Nov 2026``)."""
    code = code or i18n.current()
    last = first + timedelta(days=6)
    if code == "fa":
        a, b = jalali(first), jalali(last)
        if a.year != b.year:
            start = f"{a.day} {MONTHS_FA[a.month - 1]} {a.year}"
        elif a.month != b.month:
            start = f"{a.day} {MONTHS_FA[a.month - 1]}"
        else:
            start = f"{a.day}"
        end = f"{b.day} {MONTHS_FA[b.month - 1]} {b.year}"
        with i18n.use(code):  # the template in the language asked for, whatever the current
            return localize(i18n._("Week of {start} to {end}", start=start, end=end), code)
    if first.weekday() == 0:
        y, w, _ = first.isocalendar()
        return f"{y}-W{w:02d}"
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def fiscal_year_start(day: date) -> date:
    """The first day (1 Farvardin, a Gregorian date) of the Iranian fiscal year holding ``day``."""
    return jdatetime.date(fiscal_year(day), 1, 1).togregorian()
