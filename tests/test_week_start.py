"""The warehouse's calendar setting: Saturday weeks (Saturday to Friday, each named by the ISO
week of its Monday) and Jalali months (Farvardin to Esfand), chosen when a warehouse is first
built or loaded and kept in it; ISO weeks and Gregorian months stay the default.

The Jalali facts are checked against jdatetime (1403 is a leap year: 30 Esfand 1403 is
2025-03-20; 1404 has no 30 Esfand), and the marts of a Saturday-week, Jalali-month warehouse
built from the demo world are recomputed here from the raw rows with pandas.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import jdatetime
import pandas as pd
import pytest

from dashboard import i18n
from dashboard.analysis import satisfaction
from dashboard.i18n import calendar as cal
from dashboard.intake import ingest
from dashboard.warehouse import build, db, steps, weeks
from tests.conftest import ROOT, kpis_json

CUSTOMERS = 2_000
END_WEEK = "2026-W44"


# --- weeks and months by hand and against jdatetime ------------------------------------------

def test_saturday_weeks_are_named_by_the_iso_week_of_their_monday():
    # ISO week 2026-W44 runs Monday 10-26 … Sunday 11-01; its Saturday week 10-24 … 10-30
    assert weeks.parse_week("2026-W44", "iso") == date(2026, 10, 26)
    assert weeks.parse_week("2026-W44", "saturday") == date(2026, 10, 24)
    for day in pd.date_range("2026-10-24", "2026-10-30").date:
        assert weeks.week_label(day, "saturday") == "2026-W44"
        assert weeks.first_day(day, "saturday") == date(2026, 10, 24)
    assert weeks.week_label(date(2026, 10, 31), "saturday") == "2026-W45"
    assert weeks.week_label(date(2026, 10, 31), "iso") == "2026-W44"
    # the latest complete week: on Saturday 10-31 the Saturday week 10-24 … 10-30 has ended
    assert weeks.last_complete_week(date(2026, 10, 31), "saturday") == "2026-W44"
    assert weeks.last_complete_week(date(2026, 10, 30), "saturday") == "2026-W43"
    assert weeks.last_complete_week(date(2026, 11, 2), "iso") == "2026-W44"
    # across the ISO year: Saturday 2026-12-26 starts the week of Monday 2026-12-28 (2026-W53)
    assert weeks.week_label(date(2026, 12, 26), "saturday") == "2026-W53"
    assert weeks.parse_week("2027-W01", "saturday") == date(2027, 1, 2)
    with pytest.raises(ValueError, match="unknown week start 'sunday'"):
        weeks.parse_week("2026-W44", "sunday")


def test_the_week_start_in_force_follows_the_setting_and_is_restored():
    assert weeks.current_week_start() == "iso"
    with weeks.using("saturday", "jalali"):
        assert weeks.parse_week("2026-W44") == date(2026, 10, 24)
        assert weeks.month_start(date(2026, 11, 1)) == date(2026, 10, 23)  # 1 Aban 1405
    assert (weeks.current_week_start(), weeks.current_months()) == ("iso", "gregorian")
    assert weeks.month_start(date(2026, 11, 1)) == date(2026, 11, 1)


def test_a_new_assumption_value_starts_with_the_next_saturday_week():
    from dashboard.money import assumptions

    with weeks.using("saturday"):
        assert assumptions.next_week(date(2026, 11, 4)) == date(2026, 11, 7)  # a Wednesday
        assert assumptions.next_week(date(2026, 11, 7)) == date(2026, 11, 14)  # a Saturday
        assert assumptions.first_week_of(date(2026, 11, 7)) == "2026-W46"  # Monday 11-09
        assert assumptions.first_week_of(date(2026, 11, 8)) == "2026-W47"  # from 11-14
    assert assumptions.next_week(date(2026, 11, 4)) == date(2026, 11, 9)


def test_jalali_months_at_month_and_year_boundaries_and_in_leap_years():
    # 1403 is a leap year: 30 Esfand 1403 exists (2025-03-20); 1404 ends on 29 Esfand
    assert jdatetime.date(1403, 12, 30).togregorian() == date(2025, 3, 20)
    assert jdatetime.date.fromgregorian(date=date(2026, 3, 20)) == jdatetime.date(1404, 12, 29)
    with pytest.raises(ValueError):
        jdatetime.date(1404, 12, 30)
    j = "jalali"
    assert weeks.month_start(date(2025, 3, 20), j) == date(2025, 2, 19)  # 1 Esfand 1403
    assert weeks.month_start(date(2025, 3, 21), j) == date(2025, 3, 21)  # 1 Farvardin 1404
    assert weeks.add_months(date(2025, 3, 20), 1, j) == date(2025, 3, 21)
    assert weeks.add_months(date(2026, 3, 20), 1, j) == date(2026, 3, 21)  # after 29 Esfand
    assert weeks.add_months(date(2025, 3, 21), -1, j) == date(2025, 2, 19)
    assert weeks.add_months(date(2026, 10, 23), -13, j) == date(2025, 9, 23)  # 1 Mehr 1404
    assert cal.fiscal_year(date(2025, 3, 20)) == 1403
    assert cal.fiscal_year(date(2025, 3, 21)) == 1404
    assert cal.fiscal_year_start(date(2026, 3, 20)) == date(2025, 3, 21)


def test_the_calendar_table_holds_every_jalali_month_as_jdatetime_counts_it():
    days = steps.calendar_days("jalali")
    assert (days["day"].iloc[0], days["day"].iloc[-1]) == steps.CALENDAR_SPAN
    some = days[(days["day"] >= date(2023, 1, 1)) & (days["day"] <= date(2027, 12, 31))]
    for r in some.itertuples(index=False):
        jd = jdatetime.date.fromgregorian(date=r.day)
        assert r.month_start == jdatetime.date(jd.year, jd.month, 1).togregorian()
        assert r.month_index == jd.year * 12 + jd.month - 1
    months = some.drop_duplicates("month_start")
    lengths = [(r.next_month_start - r.month_start).days for r in months.itertuples()]
    expected = []
    for r in months.itertuples():
        jd = jdatetime.date.fromgregorian(date=r.month_start)
        leap = jdatetime.date(jd.year, 1, 1).isleap()
        expected.append(31 if jd.month <= 6 else 30 if jd.month <= 11 else 30 if leap else 29)
    assert lengths == expected
    esfand = months[[jdatetime.date.fromgregorian(date=d).month == 12
                     for d in months["month_start"]]]
    assert dict(zip([jdatetime.date.fromgregorian(date=d).year for d in esfand["month_start"]],
                    [(b - a).days for a, b in zip(esfand["month_start"],
                                                  esfand["next_month_start"], strict=True)],
                    strict=True)) == {1401: 29, 1402: 29, 1403: 30, 1404: 29, 1405: 29}
    gregorian = steps.calendar_days("gregorian")
    assert (gregorian["month_start"] == [d.replace(day=1) for d in gregorian["day"]]).all()


def test_week_labels_in_persian_name_the_jalali_days_and_english_keeps_the_key():
    # 1 Aban 1405 is Friday 2026-10-23
    assert weeks.week_display("2026-W44", "fa", "saturday") == "هفتهٔ ۲ تا ۸ آبان ۱۴۰۵"
    assert weeks.week_display("2026-W44", "fa", "iso") == "هفتهٔ ۴ تا ۱۰ آبان ۱۴۰۵"
    # across a month: Saturday 2026-10-17 (25 Mehr) … Friday 2026-10-23 (1 Aban)
    assert weeks.week_display("2026-W43", "fa", "saturday") == "هفتهٔ ۲۵ مهر تا ۱ آبان ۱۴۰۵"
    # across Nowruz: Saturday 2025-03-15 (25 Esfand 1403, a leap year) … Friday 2025-03-21
    assert weeks.week_display("2025-W12", "fa", "saturday") == (
        "هفتهٔ ۲۵ اسفند ۱۴۰۳ تا ۱ فروردین ۱۴۰۴")
    assert weeks.week_display("2026-W12", "fa", "iso") == "هفتهٔ ۲۵ اسفند ۱۴۰۴ تا ۲ فروردین ۱۴۰۵"
    for start in weeks.WEEK_STARTS:
        assert weeks.week_display("2026-W44", "en", start) == "2026-W44"
    with i18n.use("fa"), weeks.using("saturday"):  # the current language and warehouse
        assert weeks.week_display("2026-W44") == "هفتهٔ ۲ تا ۸ آبان ۱۴۰۵"


def test_month_labels_follow_the_month_calendar_and_the_language():
    assert weeks.month_display(date(2026, 10, 23), "en", "jalali") == "Aban 1405"
    assert weeks.month_display(date(2026, 10, 23), "fa", "jalali") == "آبان ۱۴۰۵"
    assert weeks.month_display(date(2025, 3, 21), "fa", "jalali") == "فروردین ۱۴۰۴"
    assert weeks.month_display(date(2026, 10, 1), "en", "gregorian") == "October 2026"
    assert weeks.month_display(date(2026, 10, 1), "en", "gregorian", short=True) == "Oct 2026"
    with weeks.using(months="jalali"):
        # the satisfaction page's monthly grain: Jalali months, the last one cut at the data
        assert satisfaction.month_label(date(2026, 10, 23), date(2026, 11, 8)) == (
            "Aban 1405 (to 17 Aban)")
        window = satisfaction.trend_window(date(2026, 11, 2), "month")
        assert window.month_to == date(2026, 10, 23)
        assert window.periods[-2][0] == date(2026, 9, 23)  # 1 Mehr 1405


# --- a Saturday-week, Jalali-month warehouse from the demo world -----------------------------

@pytest.fixture(scope="module")
def persian(tmp_path_factory) -> dict:
    from dashboard.intake import demo

    frames = demo.generate(customers=CUSTOMERS, seed=7, end_week=END_WEEK)
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = demo.assumptions(frames)
    path = tmp_path_factory.mktemp("persian") / "wh.duckdb"
    build.build(raw, path, calendar={"week_start": "saturday", "months": "jalali"})
    wh = db.Warehouse(f"duckdb:///{path}")
    yield {"frames": frames, "path": path, "wh": wh}
    wh.close()
    weeks.set_week_start("iso")
    weeks.set_months("gregorian")


def saturday_of(stamps: pd.Series) -> pd.Series:
    """The Saturday starting each date's Saturday-to-Friday week (pandas: Monday = 0)."""
    d = pd.to_datetime(stamps).dt.normalize()
    return (d - pd.to_timedelta((d.dt.dayofweek - 5) % 7, unit="D")).dt.date


def jalali_month_of(stamps: pd.Series) -> pd.Series:
    """The first day (Gregorian) of each date's Jalali month, through jdatetime."""
    def first(d):
        j = jdatetime.date.fromgregorian(date=d)
        return jdatetime.date(j.year, j.month, 1).togregorian()
    days = pd.to_datetime(stamps).dt.date
    return days.map(first)


def mart(persian, text: str) -> pd.DataFrame:
    return persian["wh"].sql(text)


def test_the_setting_is_kept_and_read_back(persian):
    wh = persian["wh"]
    assert wh.settings() == {"week_start": "saturday", "months": "jalali"}
    assert wh.sql("select setting_key, setting_value from ingest.settings "
                  "where setting_key <> 'marts_version' order by 1") \
        .values.tolist() == [["months", "jalali"], ["week_start", "saturday"]]
    wh.run("weeks_available")
    assert (weeks.current_week_start(), weeks.current_months()) == ("saturday", "jalali")


def test_every_week_starts_on_a_saturday_and_is_named_by_its_monday(persian):
    dim = mart(persian, "select week_start, week_end, iso_week, is_complete from marts.dim_weeks "
                        "order by week_start")
    starts = pd.to_datetime(dim["week_start"])
    assert (starts.dt.dayofweek == 5).all() and (pd.to_datetime(dim["week_end"])
                                                 - starts == pd.Timedelta(days=6)).all()
    assert list(dim["iso_week"]) == [weeks.week_label(d.date(), "saturday") for d in starts]
    assert list(dim["iso_week"]) == [f"{(d + timedelta(days=2)).isocalendar()[0]}-W"
                                     f"{(d + timedelta(days=2)).isocalendar()[1]:02d}"
                                     for d in starts.dt.date]
    # the demo's data end on Sunday 2026-11-01: the Saturday week of 10-31 has begun, unfinished
    last = dim.iloc[-1]
    assert (pd.Timestamp(last["week_start"]).date(), last["iso_week"], bool(last["is_complete"])) \
        == (date(2026, 10, 31), "2026-W45", False)
    assert bool(dim["is_complete"].iloc[:-1].all())
    for table in ("fct_contacts_weekly", "fct_survey_weekly", "fct_complaints_weekly",
                  "fct_revenue_weekly", "fct_customer_base_weekly", "fct_kpi_weekly"):
        days = mart(persian, f"select distinct dayofweek(week_start) as d from marts.{table}")  # noqa: S608
        assert days["d"].tolist() == [6], table  # DuckDB: Sunday = 0, Saturday = 6


@pytest.mark.parametrize(("table", "stamp", "mart_table", "column"), [
    ("contacts", "occurred_at", "fct_contacts_weekly", "contact_count"),
    ("survey_responses", "responded_at", "fct_survey_weekly", "response_count"),
    ("complaints", "opened_at", "fct_complaints_weekly", "complaint_count"),
    ("transactions", "occurred_at", "fct_revenue_weekly", "transaction_count"),
])
def test_weekly_counts_equal_saturday_buckets_of_the_raw_rows(persian, table, stamp, mart_table,
                                                              column):
    rows = persian["frames"][table]
    expected = saturday_of(rows[stamp]).value_counts().sort_index()
    got = mart(persian, f"select week_start, sum({column}) as n from marts.{mart_table} "  # noqa: S608
                        "group by week_start order by week_start")
    got = pd.Series(got["n"].astype(int).to_numpy(),
                    index=pd.to_datetime(got["week_start"]).dt.date)
    assert len(expected) > 90
    assert got.to_dict() == {k: int(v) for k, v in expected.items()}


def test_revenue_by_saturday_week_equals_the_raw_amounts(persian):
    tx = persian["frames"]["transactions"]
    expected = tx.groupby(saturday_of(tx["occurred_at"]))["amount"].sum()
    got = mart(persian, "select week_start, sum(revenue_amount) as r from marts.fct_revenue_weekly "
                        "group by week_start order by week_start")
    got = pd.Series(got["r"].to_numpy(), index=pd.to_datetime(got["week_start"]).dt.date)
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False,
                                   rtol=1e-9)


def test_the_active_base_and_churn_count_from_each_saturday(persian):
    c = persian["frames"]["customers"]
    signup, churn = pd.to_datetime(c["signup_date"]), pd.to_datetime(c["churn_date"])
    base = mart(persian, "select week_start, sum(active_at_start) as active, "
                         "sum(churned_count) as churned, sum(signup_count) as signups "
                         "from marts.fct_customer_base_weekly group by week_start "
                         "order by week_start")
    for r in base.iloc[1:].itertuples(index=False):  # the first week also opens the base
        sat = pd.Timestamp(r.week_start)
        active = int(((signup <= sat) & ~(churn <= sat)).sum())
        churned = int(((churn > sat) & (churn <= sat + pd.Timedelta(days=7))
                       & (signup <= sat)).sum())
        signups = int(((signup >= sat) & (signup < sat + pd.Timedelta(days=7))).sum())
        assert (int(r.active), int(r.churned), int(r.signups)) == (active, churned, signups), sat
    assert base["churned"].sum() > 100


def test_monthly_churn_counts_jalali_months(persian):
    c = persian["frames"]["customers"]
    signup, churn = pd.to_datetime(c["signup_date"]), pd.to_datetime(c["churn_date"])
    got = mart(persian, "select month_start, next_month_start, sum(active_at_start) as active, "
                        "sum(churned_count) as churned from marts.fct_churn_monthly "
                        "group by all order by month_start")
    assert len(got) >= 24
    for r in got.itertuples(index=False):
        m, nxt = pd.Timestamp(r.month_start), pd.Timestamp(r.next_month_start)
        jd = jdatetime.date.fromgregorian(date=m.date())
        assert jd.day == 1 and jdatetime.date.fromgregorian(date=nxt.date()).day == 1
        assert weeks.add_months(m.date(), 1, "jalali") == nxt.date()
        active = (signup <= m) & (churn.isna() | (churn > m))
        assert int(r.active) == int(active.sum())
        assert int(r.churned) == int((active & (churn <= nxt)).sum())


def test_cohorts_and_survey_months_are_jalali_months(persian):
    c = persian["frames"]["customers"]
    cohorts = mart(persian, "select cohort_month, cohort_end, sum(cohort_size) as n "
                            "from marts.fct_cohort_retention where months_since_signup = 0 "
                            "group by all order by cohort_month")
    months = jalali_month_of(c["signup_date"])
    expected = months.value_counts()
    for r in cohorts.itertuples(index=False):
        m = pd.Timestamp(r.cohort_month).date()
        assert int(r.n) == int(expected[m])
        assert pd.Timestamp(r.cohort_end).date() == weeks.add_months(m, 1, "jalali")
    answers = persian["frames"]["survey_responses"]
    expected = jalali_month_of(answers["responded_at"]).value_counts().sort_index()
    got = mart(persian, "select month_start, sum(response_count) as n "
                        "from marts.fct_survey_split_weekly group by 1 order by 1")
    assert dict(zip(pd.to_datetime(got["month_start"]).dt.date, got["n"].astype(int),
                    strict=True)) == {k: int(v) for k, v in expected.items()}


def test_the_kpis_command_reads_saturday_weeks(persian):
    url = f"duckdb:///{persian['path']}"
    doc = kpis_json(url)
    assert doc["week"] == "2026-W44"  # Saturday 10-24 … Friday 10-30, complete
    wh = persian["wh"]
    ops = wh.run("kpi_ops_weekly", start_week=date(2026, 10, 24), end_week=date(2026, 10, 24),
                 segments=[], regions=[], plans=[])
    c = persian["frames"]["customers"]
    sat = pd.Timestamp(2026, 10, 24)
    signup, churn = pd.to_datetime(c["signup_date"]), pd.to_datetime(c["churn_date"])
    assert int(ops["active_at_start"].sum()) == int(((signup <= sat) & ~(churn <= sat)).sum())


def test_every_page_opens_on_the_saturday_jalali_warehouse(persian, tmp_path):
    """Every page runs without an exception over Saturday weeks and Jalali months and opens
    on the latest complete Saturday week."""
    from tests.conftest import PAGES, run_every_page

    runs = run_every_page(f"duckdb:///{persian['path']}", tmp_path)
    try:
        for page in PAGES:
            at = runs[page]
            assert not at.exception, (page, at.exception)
        scope = runs["weekly_kpis"].caption[0].value
        assert scope.startswith("2026-W44 vs 2026-W43"), scope
        # the churn page's months: the latest complete Jalali month (Mehr 1405, 09-23 … 10-22)
        # and the cohorts' Jalali signup months
        from dashboard.analysis import churn
        from dashboard.metrics.filters import Filters

        rep = churn.build_report(lambda name, **p: persian["wh"].run(name, **p),
                                 Filters(week="2026-W44"))
        assert rep.month == date(2026, 9, 23)
        assert rep.monthly["month"].iloc[-1] == "Mehr 1405"
        assert set(rep.monthly["month_start"]) <= {
            weeks.add_months(date(2026, 9, 23), -k, "jalali") for k in range(36)}
        assert rep.cohorts["cohort"].iloc[-1] in ("Mehr 1405", "Shahrivar 1405")
    finally:
        weeks.set_week_start("iso")
        weeks.set_months("gregorian")


# --- the setting at ingest: kept with the first load, refused on a warehouse with data -------

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_ingest_keeps_the_mapping_calendar_and_refuses_a_change(tmp_path):
    from tests.test_calendar import crm_and_billing

    crm_and_billing(tmp_path)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[warehouse]\nweek_start = "saturday"\nmonths = "jalali"\n')
    target = tmp_path / "wh.duckdb"
    rep = ingest.ingest([tmp_path / "customers.csv"], target, mapping=mapping, now=NOW,
                        archive_dir=tmp_path / "a")
    assert rep.published, rep.lines()
    wh = db.Warehouse(f"duckdb:///{target}")
    try:
        assert wh.settings() == {"week_start": "saturday", "months": "jalali"}
        assert (pd.to_datetime(wh.run("weeks_available")["week_start"]).dt.dayofweek == 5).all()
    finally:
        wh.close()
        weeks.set_week_start("iso")
        weeks.set_months("gregorian")
    # a later load without a setting keeps the warehouse's own
    rep = ingest.ingest([tmp_path / "transactions.csv"], target, now=NOW,
                        archive_dir=tmp_path / "a")
    assert rep.published, rep.lines()
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    res = subprocess.run([sys.executable, "-m", "dashboard", "ingest", "--out", str(target),
                          "--week-start", "iso", "--quiet", str(tmp_path / "customers.csv")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"CX_ARCHIVE_DIR": str(tmp_path / "a"), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("customers.csv → customers: 400 rows read")
    assert lines[1:] == [
        "Load failed, nothing changed: this warehouse counts Saturday weeks (Saturday to "
        "Friday) and already holds data: it cannot change to ISO weeks (Monday to Sunday); "
        "build a new warehouse (another --out, or demo --week-start iso) and load the files "
        "into it"]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    bad = tmp_path / "bad.toml"
    bad.write_text('[warehouse]\nweek_start = "sunday"\n')
    with pytest.raises(ingest.contract.MappingError,
                       match=r"\[warehouse\] unknown week start 'sunday': one of iso, saturday"):
        ingest.ingest([tmp_path / "customers.csv"], target, mapping=bad, now=NOW,
                      archive_dir=tmp_path / "a")


def test_an_iso_warehouse_keeps_no_calendar_setting(fixture_wh):
    assert fixture_wh.settings() == {"week_start": "iso", "months": "gregorian"}
    assert fixture_wh.sql("select count(*) as n from ingest.settings "
                          "where setting_key in ('week_start', 'months')")["n"].iloc[0] == 0
    days = fixture_wh.sql("select count(*) as n, min(day) as a, max(day) as b "
                          "from ingest.calendar_days where month_start <> date_trunc('month', day)")
    assert days["n"].iloc[0] == 0


# --- the same setting on PostgreSQL ----------------------------------------------------------

def test_a_saturday_jalali_warehouse_built_in_postgres_equals_duckdbs(fixture_raw, tmp_path):
    """Every mart of the fixture world built with Saturday weeks and Jalali months in
    PostgreSQL (the transpiled SQL, the calendar's days copied there) equals DuckDB's."""
    from dashboard.warehouse import catalog
    from tests import pg_util
    from tests.test_engines import _same

    persian_calendar = {"week_start": "saturday", "months": "jalali"}
    server = pg_util.Server()
    try:
        build.build_remote(server.url, fixture_raw, calendar=persian_calendar)
        duck = tmp_path / "wh.duckdb"
        build.build(fixture_raw, duck, calendar=persian_calendar)
        theirs, ours = db.Warehouse(server.url), db.Warehouse(f"duckdb:///{duck}")
        try:
            assert theirs.settings() == ours.settings() == persian_calendar
            for q in catalog.layer_queries("marts"):
                text = f"select * from marts.{q.name}"  # noqa: S608 (the catalog's names)
                _same(theirs.sql(text), ours.sql(text))
            starts = pd.to_datetime(ours.sql("select week_start from marts.dim_weeks")
                                    ["week_start"])
            assert (starts.dt.dayofweek == 5).all()
            months = ours.sql("select distinct month_start from marts.fct_churn_monthly")
            firsts = [jdatetime.date.fromgregorian(date=pd.Timestamp(m).date()).day
                      for m in months["month_start"]]
            assert len(firsts) == 3 and set(firsts) == {1}
        finally:
            theirs.close()
            ours.close()
    finally:
        server.stop()
        weeks.set_week_start("iso")
        weeks.set_months("gregorian")
