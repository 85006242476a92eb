"""How a warehouse counts time, as a load asks for it: the mapping file's ``[warehouse]``
section and the first load's settings (Saturday weeks, Jalali months; ``steps.
CALENDAR_SETTINGS``), kept with the warehouse's first load and refused once it holds data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.intake import contract
from dashboard.warehouse import steps
from dashboard.warehouse.steps import check_calendar


def from_mapping(path: Path | str) -> dict[str, str]:
    """The ``[warehouse]`` section of a mapping file: how a new warehouse counts time
    (``week_start = "saturday"``, ``months = "jalali"``; ``steps.CALENDAR_SETTINGS``), only the
    keys given. MappingError (one line) for an unknown key or value."""
    p = Path(path)
    section = contract._mapping_doc(p).get("warehouse", {})
    if not isinstance(section, dict):
        raise contract.MappingError(f"mapping {p.name}: [warehouse] must be a table of settings "
                           "(week_start, months)")
    given = {str(k): str(v) for k, v in section.items()}
    try:
        check_calendar(given)
    except ValueError as exc:
        raise contract.MappingError(f"mapping {p.name}: [warehouse] {exc}") from None
    return given


class CalendarRefused(ValueError):
    """A load asked a warehouse that already holds data to count weeks or months another way
    (only a rebuild changes that)."""


def words(key: str, value: str) -> str:
    """How a calendar setting's value reads in a refusal (in the current language)."""
    words = {
        ("week_start", "iso"): i18n._("ISO weeks (Monday to Sunday)"),
        ("week_start", "saturday"): i18n._("Saturday weeks (Saturday to Friday)"),
        ("months", "gregorian"): i18n._("Gregorian months"),
        ("months", "jalali"): i18n._("Jalali months"),
    }
    return words[key, value]


def settle(builder, given: dict[str, str], stamp: datetime, tables: tuple[str, ...]) -> bool:
    """Keep how the warehouse counts time (``given``: the calendar settings asked for, only
    those given) when the copy (a ``build.Builder``) holds no data in ``tables`` yet; whether
    a setting was written.
    CalendarRefused when a warehouse with data would count another way."""
    if not given:
        return False
    stored = dict(steps.CALENDAR_DEFAULTS)
    for row in builder.execute("ingest_calendar_settings").itertuples(index=False):
        stored[row.setting_key] = row.setting_value
    changes = {k: v for k, v in given.items() if stored[k] != v}
    if not changes:
        return False
    if any(builder.count(f"raw.{t}") for t in tables if t != "assumptions"):
        key, value = next(iter(changes.items()))
        option = "--" + key.replace("_", "-")
        raise CalendarRefused(i18n._(
            "this warehouse counts {kept} and already holds data: it cannot change to "
            "{asked}; build a new warehouse (another --out, or demo {option} {value}) and "
            "load the files into it", kept=words(key, stored[key]),
            asked=words(key, value), option=option, value=value))
    for key in changes:
        builder.execute("ingest_setting_clear", params={"setting_key": key})
    builder.record_settings(steps.calendar_setting({**stored, **given}, pd.Timestamp(stamp)))
    return True


def parse_as_of(value: date | str | None, now: datetime) -> date | None:
    """A given as-of date as a date; ValueError (one line) when it is not ``YYYY-MM-DD`` or
    lies after ``now``'s day (UTC)."""
    if value is None or isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"bad as-of date {value!r}: expected YYYY-MM-DD, e.g. "
                             "2026-10-31") from None
    today = now.astimezone(UTC).date()
    if day is not None and day > today:
        raise ValueError(f"as-of date {day:%Y-%m-%d} is in the future (today is "
                         f"{today:%Y-%m-%d} UTC)")
    return day
