"""The dashboard recovers the truths planted in the demo world (truth schema read by tests only).

The planted-truth tests run on the English world and on the Persian one (`demo --locale fa`: the
same simulation written with Persian names, Toman and Saturday weeks): the same tests, reading
names and weeks from the truth tables and the catalog, recover the same truths in both.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.warehouse import db
from tests.conftest import DEMO_END_WEEK, truth_of

ALL = {"segments": [], "regions": [], "plans": []}


@pytest.fixture(scope="module")
def truth(each_demo_wh) -> dict[str, str]:
    """The planted parameters of the locale's world."""
    return truth_of(each_demo_wh)


@pytest.fixture(scope="module")
def fetch(each_demo_wh):
    return lambda name, **p: db.cached_run(each_demo_wh, name, **p)


def test_weekly_nps_base_is_at_least_400(each_demo_wh, truth):
    weeks = each_demo_wh.run("weeks_available")
    df = each_demo_wh.run("kpi_survey_weekly", start_week=weeks.week_start.min(),
                     end_week=weeks.week_start.max(), **ALL)
    nps = df[df.survey == "nps"].sort_values("week_start")
    # the world's first day (the Persian world's weeks start on Saturday); when the warehouse
    # counts weeks from another weekday, the world straddles one more week, partial at each end
    year, week = map(int, truth["start_week"].split("-W"))
    first_day = date.fromisocalendar(year, week, 1) + timedelta(days=int(truth.get("day_shift", 0)))
    aligned = pd.to_datetime(nps.week_start).min().weekday() == first_day.weekday()
    assert len(nps) == int(truth["weeks"]) + (0 if aligned else 1) == (104 if aligned else 105)
    whole = nps if aligned else nps.iloc[1:-1]
    assert whole.response_count.min() >= 400


def test_incident_week_is_a_significant_nps_drop_in_its_region(fetch, truth):
    start = parse_week(truth["incident_start_week"])
    region = truth["incident_region"]
    report = kpis.build_report(fetch, Filters(week=week_label(start), regions=(region,)))
    nps = report.tile("nps")
    assert nps.significant and nps.direction == "down"
    assert nps.delta <= -15
    # the other regions did not fall significantly that week
    others = [r for r in kpis.load_catalog(fetch).options["region"] if r != region]
    calm = kpis.build_report(fetch, Filters(week=week_label(start), regions=tuple(others)))
    assert not (calm.tile("nps").significant and calm.tile("nps").delta < 0)


def test_detractor_promoter_churn_ratio_near_planted(each_demo_wh, truth):
    planted = float(truth["churn_ratio_detractor_promoter"])
    as_of = parse_week("2026-W01")
    df = each_demo_wh.run("churn_by_nps_category", as_of=as_of,
                     horizon_end=as_of + timedelta(weeks=26), **ALL).set_index("nps_category")
    d, p = df.loc["detractor"], df.loc["promoter"]
    rr, lo, hi = stats.risk_ratio(d.churned_count, d.customer_count, p.churned_count,
                                  p.customer_count)
    assert 0.8 * planted <= rr <= 1.25 * planted, (rr, lo, hi)
    assert lo > 1.5  # clearly above "no difference"
    passive = df.loc["passive"]
    assert (p.churned_count / p.customer_count < passive.churned_count / passive.customer_count
            < d.churned_count / d.customer_count)


def test_self_service_launch_cuts_cost_to_serve_15_to_20_pct(each_demo_wh, truth):
    launch = parse_week(truth["self_service_launch_week"])
    ops = each_demo_wh.run("kpi_ops_weekly", start_week=launch - timedelta(weeks=13),
                      end_week=launch + timedelta(weeks=12), **ALL)
    ops["after"] = pd.to_datetime(ops.week_start).dt.date >= launch
    q = ops.groupby("after")[["contact_cost", "active_at_start"]].sum()
    cts = q.contact_cost / q.active_at_start
    drop = 100 * (1 - cts[True] / cts[False])
    assert 13.0 <= drop <= 22.0, drop  # planted 15-20%


def test_programme_lifts_its_segment_relative_to_others(each_demo_wh, truth, fetch):
    seg = truth["programme_segment"]
    start = parse_week(truth["programme_start_week"])

    def nps(segments, lo, hi):
        df = each_demo_wh.run("kpi_survey_weekly", start_week=lo, end_week=hi, segments=segments,
                         regions=[], plans=[])
        s = df[df.survey == "nps"][["promoter_count", "passive_count", "detractor_count"]].sum()
        return stats.nps(*map(int, s)).value

    segs = [s for s in kpis.load_catalog(fetch).options["segment"] if s != seg]
    assert len(segs) == 2
    before = (start - timedelta(weeks=26), start - timedelta(weeks=1))
    after = (start + timedelta(weeks=8), start + timedelta(weeks=33))
    did = (nps([seg], *after) - nps([seg], *before)) - (nps(segs, *after) - nps(segs, *before))
    assert did > 2.0, did


def test_same_seed_same_world_other_seed_differs():
    from dashboard.intake import demo

    a = demo.generate(customers=1500, seed=3, weeks=20, end_week=DEMO_END_WEEK)
    b = demo.generate(customers=1500, seed=3, weeks=20, end_week=DEMO_END_WEEK)
    c = demo.generate(customers=1500, seed=4, weeks=20, end_week=DEMO_END_WEEK)
    for k in ("customers", "survey_responses", "contacts", "transactions", "complaints"):
        pd.testing.assert_frame_equal(a[k], b[k])
    assert not a["survey_responses"].equals(c["survey_responses"])


def test_demo_cli_builds_atomically(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = tmp_path / "w.duckdb"
    res = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--customers", "1000",
                          "--end-week", DEMO_END_WEEK, "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "Built w.duckdb" in res.stdout and "generating" in res.stderr.lower()
    assert out.exists() and not list(tmp_path.glob(".w.duckdb.building*"))
    wh = db.Warehouse(f"duckdb:///{out}")
    assert len(wh.run("weeks_available")) == 104
