"""Freshness: the demo world ends with the last complete week before today (tests pin theirs),
and every page says once, quietly, when the newest data is older than ``CX_STALE_DAYS``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.intake import demo
from dashboard.warehouse import config, weeks
from dashboard.warehouse.weeks import DataCalendar, DatedColumn
from tests.conftest import DEMO_END_WEEK, PAGES, run_every_page


@pytest.mark.parametrize(("today", "week"), [
    (date(2026, 12, 7), "2026-W49"),   # a Monday: the week that ended yesterday (30 Nov – 6 Dec)
    (date(2026, 12, 6), "2026-W48"),   # a Sunday: that week is not over yet
    (date(2026, 12, 10), "2026-W49"),  # a Thursday
    (date(2027, 1, 4), "2026-W53"),    # 2026 has 53 ISO weeks: 28 Dec 2026 – 3 Jan 2027
    (date(2021, 1, 4), "2020-W53"),
    (date(2026, 1, 5), "2026-W01"),    # ISO week 1 of 2026 starts on 29 Dec 2025
])
def test_the_default_end_week_is_the_last_complete_week_before_today(today, week):
    assert weeks.last_complete_week(today) == week
    assert demo.default_end_week(today) == week
    monday = weeks.parse_week(week)
    sunday = date.fromordinal(monday.toordinal() + 6)
    assert sunday < today <= date.fromordinal(sunday.toordinal() + 7)


def test_demo_without_an_end_week_ends_last_week_and_tests_pin_theirs():
    before = weeks.last_complete_week(datetime.now(UTC).date())
    frames = demo.generate(customers=100, seed=1, weeks=2)
    after = weeks.last_complete_week(datetime.now(UTC).date())
    params = frames["truth_parameters"].set_index("key")["value"]
    assert params["end_week"] in (before, after)  # both unless run across a Sunday midnight
    # the planted programme's first week moves with the world, and so does its assumption
    assert demo.assumptions(frames).set_index("key").loc["programme_start_week", "value"] == (
        params["programme_start_week"])
    assert demo.PINNED_END_WEEK == DEMO_END_WEEK
    pinned = demo.generate(customers=100, seed=1, weeks=2, end_week=DEMO_END_WEEK)
    assert pinned["truth_parameters"].set_index("key").loc["end_week", "value"] == DEMO_END_WEEK


def test_the_command_defaults_to_the_current_world():
    from dashboard.cli import parser

    assert parser().parse_args(["demo"]).end_week is None
    assert parser().parse_args(["demo", "--end-week", "2026-W10"]).end_week == "2026-W10"


def _calendar(as_of: date) -> DataCalendar:
    return DataCalendar((DatedColumn("customers", "churn_date", "churn", 10, date(2024, 11, 4),
                                     as_of),))


def test_staleness_by_hand():
    cal = _calendar(date(2026, 10, 31))
    assert cal.staleness(date(2026, 11, 8), 8) == ""  # 8 days: a Monday load, no warning
    assert cal.staleness(date(2026, 11, 9), 8) == (
        "The newest data is 9 days old (as of 2026-10-31, customers.churn_date; more than 8 "
        "days before today, 2026-11-09): recent weeks are not in these figures. Load newer "
        "data on the Data page.")
    assert cal.staleness(date(2026, 12, 7), 8).startswith("The newest data is 37 days old")
    assert cal.staleness(date(2026, 12, 7), 40) == ""
    assert cal.staleness(date(2026, 11, 1), 0).startswith("The newest data is 1 days old")
    assert DataCalendar(()).staleness(date(2026, 12, 7), 8) == ""  # nothing dated: no claim


@pytest.mark.parametrize(("value", "days"), [(None, 8), ("", 8), ("3", 3), (" 30 ", 30),
                                             ("-2", 0), ("a week", 8)])
def test_the_threshold_setting(monkeypatch, value, days):
    if value is None:
        monkeypatch.delenv("CX_STALE_DAYS", raising=False)
    else:
        monkeypatch.setenv("CX_STALE_DAYS", value)
    assert config.stale_days() == days


def _warnings(at) -> list[str]:
    return [c.value for c in at.caption if "The newest data is" in c.value]


def test_every_page_warns_once_about_old_data(demo_db, demo_wh, tmp_path, monkeypatch):
    """The tests' world ends 2026-W44 (as of 2026-10-31): older than 8 days from any date this
    suite runs on, so every page shows the one line, with the age counted from today."""
    from dashboard.exports.text import markdown

    monkeypatch.setenv("CX_STALE_DAYS", "8")
    cal = weeks.data_calendar(lambda name, **p: demo_wh.run(name, **p))
    expected = cal.staleness(datetime.now(UTC).date(), 8)
    age = (datetime.now(UTC).date() - cal.as_of).days
    assert age > 8 and expected.startswith(f"The newest data is {age:,} days old")
    runs = run_every_page(f"duckdb:///{demo_db}", tmp_path)
    for page in PAGES:
        at = runs[page]
        assert not at.exception, (page, at.exception)
        found = _warnings(at)
        assert len(found) == 1, (page, found)
        assert markdown(expected) in found[0], page


def test_no_warning_within_the_threshold(open_app, monkeypatch, demo_wh):
    cal = weeks.data_calendar(lambda name, **p: demo_wh.run(name, **p))
    age = (datetime.now(UTC).date() - cal.as_of).days
    monkeypatch.setenv("CX_STALE_DAYS", str(age))
    at = open_app()
    assert at.title[0].value == "Weekly KPIs" and _warnings(at) == []
    monkeypatch.setenv("CX_STALE_DAYS", str(age - 1))
    at.run()
    assert len(_warnings(at)) == 1
