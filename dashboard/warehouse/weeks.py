"""The calendar of the warehouse: ISO weeks, Monday to Sunday, UTC, written ``YYYY-Www``.

Every weekly mart, filter and report counts periods this way (ISO 8601 week dates: a week belongs
to the year that holds its Thursday).
"""

from __future__ import annotations

import re
from datetime import date

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


def first_week(fetch: Fetch) -> date:
    """The Monday of the first week the warehouse holds (``weeks_available``)."""
    return pd.to_datetime(fetch("weeks_available")["week_start"]).dt.date.min()
