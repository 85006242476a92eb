"""Every SQL file: header, declared parameters, runs on the fixture; marts match hand values."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.warehouse import catalog, db

ALL = sorted(catalog.catalog().values(), key=lambda q: (q.layer, q.name))
SAMPLE = {"date": date(2026, 3, 2), "varchar[]": [], "varchar": "region", "bigint[]": [],
          "bigint": 100, "double[]": []}


def sample_params(q: catalog.Query) -> dict:
    header = next(line for line in q.sql.splitlines() if line.startswith("-- params:"))
    decl = header.split(":", 1)[1].strip()
    out = {}
    if decl.lower() != "none":
        for part in decl.split(","):
            name, typ = part.split()
            out[name] = SAMPLE[typ]
    return out


@pytest.mark.parametrize("q", ALL, ids=lambda q: f"{q.layer}/{q.name}")
def test_header_and_declared_params_equal_used(q):
    assert q.purpose and q.grain
    assert q.params == q.used_params, f"{q.path.name}: declared {q.params}, used {q.used_params}"
    code = [line.split("--", 1)[0].rstrip() for line in q.sql.splitlines()]
    assert not any(line.endswith(";") for line in code), "one statement per file"


@pytest.mark.parametrize("q", ALL, ids=lambda q: f"{q.layer}/{q.name}")
def test_every_query_runs_on_fixture(fixture_wh, q):
    df = fixture_wh.run(q.name, **sample_params(q))
    assert isinstance(df, pd.DataFrame)
    if q.layer == "checks":
        assert df.empty, f"{q.name} found failing rows on the fixture:\n{df}"
    elif q.layer in ("staging", "marts"):
        assert len(df) > 0


def test_dashboard_queries_read_marts_only():
    for q in ALL:
        if q.layer == "dashboard":
            assert "staging." not in q.sql and "raw." not in q.sql, q.name


def test_missing_or_extra_parameters_are_refused(fixture_wh):
    with pytest.raises(db.QueryError, match="expects parameters"):
        fixture_wh.run("assumptions_in_force")
    with pytest.raises(db.QueryError, match="unknown query"):
        fixture_wh.run("no_such_query")


def test_values_are_bound_not_formatted(fixture_wh):
    hostile = ["Mass') or 1=1 --"]
    df = fixture_wh.run("kpi_ops_weekly", start_week=date(2026, 1, 1), end_week=date(2026, 12, 31),
                        segments=hostile, regions=[], plans=[])
    assert df.empty  # treated as a value that matches nothing, not as SQL


def test_app_connection_is_read_only(fixture_wh):
    with pytest.raises(Exception, match="(?i)read.only"):
        fixture_wh.sql("create table raw.intruder as select 1 as x")


def _ops(wh, **filters):
    params = {"segments": [], "regions": [], "plans": [], **filters}
    df = wh.run("kpi_ops_weekly", start_week=date(2026, 1, 1), end_week=date(2026, 12, 31),
                **params)
    df["week"] = pd.to_datetime(df["week_start"]).dt.strftime("%G-W%V")
    return df.set_index("week")


def test_active_base_churn_and_signups_by_hand(fixture_wh):
    ops = _ops(fixture_wh)
    assert list(ops.index) == ["2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11",
                               "2026-W12"]
    # active at Monday: W07-W09 {1,2,4,6,8}; W10 {1,2,3,4,8} (6 churned on Sunday 03-01,
    # 3 signed up on Monday 03-02); W11 {1,2,3,5,8} (4 churned on Monday 03-09);
    # W12 {1,3,5,7,8} (2 churned 03-11, 7 signed up on Monday 03-16)
    assert ops["active_at_start"].tolist() == [5, 5, 5, 5, 5, 5]
    # churned in a week = active at its Monday and not at the next: 6 (gone Sunday 03-01) in
    # W09; 4 (gone Monday 03-09: in the W10 base, not in W11's) in W10; 2 (gone 03-11) in W11
    assert ops["churned_count"].tolist() == [0, 0, 1, 1, 1, 0]
    # the 4 weeks ending with W10 run from W07's Monday: {1,2,4,6,8} active then, 6 and 4 gone
    # by W11's Monday; ending with W11 (W08 to W12's Monday) and W12: 6, 4 and 2
    assert ops["churned_4w_count"].tolist()[3:] == [2, 3, 3]
    mass = _ops(fixture_wh, segments=["Mass"])
    assert mass.loc["2026-W10", "active_at_start"] == 3  # 1, 2, 8
    assert mass.loc["2026-W11", "active_at_start"] == 4  # 1, 2, 5, 8


def test_cost_revenue_and_complaints_by_hand(fixture_wh):
    ops = _ops(fixture_wh)
    # W10: phone 8 + phone 8 + chat 4.80 + self-service 0.10
    assert ops.loc["2026-W10", "contact_cost"] == pytest.approx(20.9)
    # W11: the phone rate in force from 2026-03-09 is 9.00: 9 + email 4 + store 12 + 0.10 + social 5
    assert ops.loc["2026-W11", "contact_cost"] == pytest.approx(30.1)
    assert ops.loc["2026-W11", "contact_count"] == 5
    assert ops.loc["2026-W10", "revenue_amount"] == pytest.approx(240.0)
    assert ops.loc["2026-W11", "revenue_amount"] == pytest.approx(80.0)  # refund -10 counted
    assert ops.loc["2026-W12", "revenue_amount"] == pytest.approx(75.0)
    assert ops["complaint_count"].tolist() == [0, 0, 0, 1, 2, 0]


def test_survey_counts_by_hand(fixture_wh):
    df = fixture_wh.run("kpi_survey_weekly", start_week=date(2026, 3, 2),
                        end_week=date(2026, 3, 15), segments=[], regions=[], plans=[])
    df["week"] = pd.to_datetime(df["week_start"]).dt.strftime("%G-W%V")
    got = df.set_index(["week", "survey"])
    # Sunday 23:59:59 belongs to W10, Monday 00:00:00 to W11
    assert tuple(got.loc[("2026-W10", "nps"), ["promoter_count", "passive_count",
                                                "detractor_count"]]) == (2, 1, 1)
    assert tuple(got.loc[("2026-W11", "nps"), ["promoter_count", "passive_count",
                                                "detractor_count"]]) == (2, 1, 2)
    # top-2-box is scale-aware: 4 on a 1-5 scale counts, 2 on 1-7 does not
    assert tuple(got.loc[("2026-W11", "csat"), ["response_count", "top2_count"]]) == (2, 1)
    assert tuple(got.loc[("2026-W10", "csat"), ["response_count", "top2_count"]]) == (3, 2)
    assert got.loc[("2026-W11", "ces"), "score_sum"] == 13
    assert got.loc[("2026-W11", "ces"), "top3_count"] == 2


def test_latest_complete_week_and_options(fixture_wh):
    weeks = fixture_wh.run("weeks_available")
    assert weeks["iso_week"].iloc[0] == "2026-W12" and bool(weeks["is_complete"].iloc[0])
    opts = fixture_wh.run("filter_options")
    assert sorted(opts.loc[opts.dimension == "segment", "dimension_value"]) == [
        "Affluent", "Business", "Mass"]


def test_checks_catch_planted_violations(fixture_raw):
    from dashboard.warehouse import build

    raw = {k: v.copy() for k, v in fixture_raw.items()}
    raw["survey_responses"].loc[0, "score"] = 11  # NPS out of scale
    raw["contacts"].loc[0, "customer_id"] = 999  # unknown customer
    b = build.Builder.in_memory()
    with pytest.raises(build.ContractViolation) as exc:
        build.populate(b, raw)
    assert "assert_score_within_scale: 1" in str(exc.value)
    assert "assert_relationships: 1" in str(exc.value)


def test_demo_passes_every_check(demo_wh):
    for q in catalog.layer_queries("checks"):
        assert demo_wh.run(q.name).empty, q.name
