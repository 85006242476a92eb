"""The period a chart covers, as its exported image states it: "2026-W32–2026-W44 (13 weeks)",
"Nov 2025–Oct 2026 (12 months)", "2026-W44 vs 2026-W43 (previous week)". No Streamlit here."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.i18n import _
from dashboard.i18n.numbers import written
from dashboard.metrics.filters import Filters
from dashboard.warehouse.weeks import parse_week, week_label


def _is_week(v) -> bool:
    try:
        parse_week(str(v))
    except ValueError:
        return False
    return True


def weeks_span(first: str, last: str) -> str:
    """``2026-W32–2026-W44 (13 weeks)``; one week alone is its label."""
    if first == last:
        return first
    n = (parse_week(last) - parse_week(first)).days // 7 + 1
    return _("{first}–{last} ({count} weeks)", first=first, last=last, count=written(str(n)))


def weeks_to(end: date, weeks: int) -> str:
    """The ``weeks`` ISO weeks ending with the week starting ``end``."""
    return weeks_span(week_label(end - timedelta(weeks=weeks - 1)), week_label(end))


def months_span(first: str, last: str, n: int) -> str:
    """``Nov 2025–Oct 2026 (12 months)``; one month alone is its label."""
    if first == last:
        return first
    return _("{first}–{last} ({count} months)", first=first, last=last, count=written(str(n)))


def comparison(filters: Filters) -> str:
    """A chart of the selected week against the comparison week."""
    return _("{week} vs {compare_week} ({comparison})", week=filters.week_name,
             compare_week=filters.compare_week_name, comparison=_(filters.compare_label))


def span_of(data: pd.DataFrame) -> str | None:
    """From the first to the last ISO week (or month) of a chart's data, with their count;
    None when the data carry no week, period or month column."""
    for col in ("week", "period"):
        if col in data.columns and len(data) and all(_is_week(v) for v in data[col].dropna()):
            labels = sorted({str(v) for v in data[col].dropna()})
            return weeks_span(labels[0], labels[-1]) if labels else None
    for col in ("month", "period"):
        if col in data.columns and len(data):
            labels = list(dict.fromkeys(str(v) for v in data[col].dropna()))
            return months_span(labels[0], labels[-1], len(labels)) if labels else None
    return None


def recovery(cohort_start: date | None, cohort_end: date | None) -> str | None:
    """The complaints a recovery chart follows (``cohort_end`` is an exclusive Monday)."""
    if not (cohort_start and cohort_end):
        return None
    last = week_label(cohort_end - timedelta(weeks=1))
    return _("complaints opened {first}–{last}, followed 90 days", first=week_label(cohort_start),
             last=last)


def followed(start: date, end: date, weeks: int) -> str:
    """The customers a survival chart follows and for how long."""
    return _("customers active on {start}, followed {weeks} weeks to {end}",
             start=written(f"{start:%Y-%m-%d}"), weeks=written(str(weeks)),
             end=written(f"{end:%Y-%m-%d}"))


def cohorts(frame: pd.DataFrame) -> str | None:
    """The signup months of a cohort chart (its ``cohort`` column, in order)."""
    labels = list(dict.fromkeys(frame["cohort"].astype(str))) if len(frame) else []
    if not labels:
        return None
    return _("signup cohorts {months}", months=months_span(labels[0], labels[-1], len(labels)))


def baseline(base: tuple[str, str], current: tuple[str, str]) -> str:
    """A baseline window against the current one (first and last ISO week of each)."""
    return _("baseline {baseline} vs {current}", baseline=weeks_span(*base),
             current=weeks_span(*current))
