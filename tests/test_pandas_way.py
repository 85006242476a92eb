"""The pandas way (dashboard.bench.pandas_way) computes the same numbers as our queries: for every
mapped page query and several filter states, on the fixture world and on a small demo world."""

from __future__ import annotations

import math

import pytest

from dashboard.bench import pandas_way as pw
from dashboard.intake import demo
from dashboard.metrics.filters import Filters
from dashboard.warehouse import build, catalog, db
from tests.conftest import DEMO_END_WEEK

CASES = {c.query: c for c in pw.CASES}


@pytest.fixture(scope="module")
def fixture_raw_frames(fixture_db) -> pw.Raw:
    return pw.load(fixture_db)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """A 2,000-customer demo world (repeat contacts, refunds, churn, missing attributes)."""
    frames = demo.generate(customers=2000, seed=11, end_week=DEMO_END_WEEK)
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    path = tmp_path_factory.mktemp("pandas-way") / "warehouse.duckdb"
    build.build(raw, path)
    wh = db.Warehouse(f"duckdb:///{path}")
    yield path, wh, pw.load(path)
    wh.close()


def _filter_sets(wh: db.Warehouse) -> list[tuple[Filters, tuple | None]]:
    """No filter; one segment; two regions with an explicit week range (for the queries that
    take one) and a 4-week comparison; a segment and a plan against 52 weeks earlier."""
    weeks = wh.run("weeks_available")  # newest first
    labels = list(weeks["iso_week"].astype(str))
    complete = list(weeks.loc[weeks["is_complete"].astype(bool), "iso_week"].astype(str))
    latest = complete[0] if complete else labels[0]
    earlier = labels[min(2, len(labels) - 1)]
    starts = sorted(weeks["week_start"])
    span = (starts[max(0, len(starts) // 3)], starts[-2] if len(starts) > 1 else starts[-1])
    return [
        (Filters(week=latest), None),
        (Filters(week=latest, segments=("Mass",)), None),
        (Filters(week=earlier, regions=("North", "Central"), compare="4w"), span),
        (Filters(week=latest, segments=("Business",), plans=("Premium",), compare="52w"), None),
    ]


def _params(case: pw.Case, f: Filters, span, first) -> dict:
    p = case.params(f, first)
    if span is not None and "start_week" in p:
        p["start_week"], p["end_week"] = span
    return p


def _assert_same(case: pw.Case, wh: db.Warehouse, raw: pw.Raw) -> int:
    first = pw.first_week(wh)
    rows = 0
    for f, span in _filter_sets(wh):
        p = _params(case, f, span, first)
        ours, theirs = case.ours(wh, p), case.theirs(raw, p)
        diff = pw.same_result(ours, theirs)
        assert diff is None, f"{case.query} for {f.describe()} ({f.week}, {p}): {diff}"
        rows += len(ours)
    return rows


@pytest.mark.parametrize("query", list(CASES))
def test_same_numbers_as_our_query_on_the_fixture(query, fixture_wh, fixture_raw_frames):
    rows = _assert_same(CASES[query], fixture_wh, fixture_raw_frames)
    assert rows > 0, f"{query}: no rows on the fixture for any filter state"


@pytest.mark.parametrize("query", list(CASES))
def test_same_numbers_as_our_query_on_a_small_demo(query, small_demo):
    _, wh, raw = small_demo
    assert _assert_same(CASES[query], wh, raw) > 0


def test_every_chart_page_with_queries_is_mapped():
    assert {c.page for c in pw.CASES} >= {"Weekly KPIs", "Satisfaction", "Complaints",
                                          "Cost to serve", "Churn & retention",
                                          "Segment comparison", "CX in money"}
    for case in pw.CASES:
        catalog.get_query(case.query)  # a real query of the catalog


def test_same_result_notices_a_difference(fixture_wh, fixture_raw_frames):
    case = CASES["kpi_ops_weekly"]
    p = case.params(Filters(week=_filter_sets(fixture_wh)[0][0].week), pw.first_week(fixture_wh))
    ours = case.ours(fixture_wh, p)
    theirs = case.theirs(fixture_raw_frames, p)
    assert pw.same_result(ours, theirs) is None
    theirs.loc[theirs.index[-1], "contact_cost"] += 0.01
    assert "contact_cost" in pw.same_result(ours, theirs)
    assert pw.same_result(ours, theirs.iloc[:-1]) is not None


def test_load_measures_time_and_memory(fixture_raw_frames):
    raw = fixture_raw_frames
    assert len(raw.customers) == 8 and len(raw.contacts) == 10
    assert raw.rows == sum(len(getattr(raw, t)) for t in pw.LOAD_SQL)
    assert raw.load_s > 0 and raw.frames_mb > 0


def test_compare_gives_a_finite_positive_ratio_per_query(fixture_db, fixture_wh,
                                                           fixture_raw_frames):
    filters = [f for f, _ in _filter_sets(fixture_wh)[:2]]
    rows = pw.compare(fixture_db, filters, repeats=1, raw=fixture_raw_frames)
    assert [(r.page, r.query) for r in rows] == [(c.page, c.query) for c in pw.CASES]
    for r in rows:
        assert r.same, f"{r.query}: {r.diff}"
        assert math.isfinite(r.ratio) and r.ratio > 0, r
        assert r.ours_ms > 0 and r.pandas_ms > 0
    text = "\n".join(pw.lines(rows, fixture_raw_frames))
    assert "load raw tables" in text and "goal" in text
    assert all(r.query in text for r in rows)


def test_bench_filters_are_valid_weeks(fixture_wh):
    weeks = set(fixture_wh.run("weeks_available")["iso_week"].astype(str))
    for f in pw.bench_filters(fixture_wh):
        assert f.week in weeks


def test_week_buckets_are_iso_mondays():
    import pandas as pd

    ts = pd.Series(pd.to_datetime(["2026-03-08 23:59:59", "2026-03-09 00:00:00",
                                   "2024-12-30 12:00:00", "1969-12-31 01:00:00"]))
    assert [d.date().isoformat() for d in pw._monday(ts)] == [
        "2026-03-02", "2026-03-09", "2024-12-30", "1969-12-29"]
    assert pw._monday(ts).dt.dayofweek.eq(0).all()
