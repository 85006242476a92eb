"""Satisfaction page: windows, monthly aggregation, paired expectation gap, BH-corrected movers,
small-base gaps in trends, the planted incident recovered, and the page rendered (AppTest)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from streamlit.testing.v1 import AppTest

from dashboard.analysis import satisfaction
from dashboard.analysis.satisfaction import OVERALL, View
from dashboard.exports import charts
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import FilterError, Filters, parse_week
from dashboard.warehouse import build, config, db
from tests.conftest import Seen

Z = float(sps.norm.ppf(0.975))


def direct(wh: db.Warehouse):
    """A fetch that runs every query (no result cache)."""
    return lambda name, **params: wh.run(name, **params)



def counts_row(week: date, group: str, survey: str, scores: list[int], month: date | None = None,
               scale_max: int = 10) -> dict:
    """One sat_scores_* row computed from a list of scores (the mart's definitions)."""
    s = np.asarray(scores, dtype=float)
    row = {
        "week_start": week, "group_value": group, "survey": survey,
        "response_count": len(s),
        "promoter_count": int((s >= 9).sum()) if survey == "nps" else 0,
        "passive_count": int(((s >= 7) & (s <= 8)).sum()) if survey == "nps" else 0,
        "detractor_count": int((s <= 6).sum()) if survey == "nps" else 0,
        "top2_count": int((s >= scale_max - 1).sum()),
        "top3_count": int((s >= scale_max - 2).sum()),
        "score_sum": float(s.sum()), "score_sq_sum": float((s * s).sum()),
    }
    if month is not None:
        row["month_start"] = month
    return row


def nps_scores(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [8] * passives + [3] * detractors


# --- windows and monthly aggregation ---


def test_weekly_window_is_26_weeks_ending_with_the_selected_week():
    w = satisfaction.trend_window(parse_week("2026-W42"), "week")
    assert len(w.periods) == 26
    assert w.periods[0] == (date(2026, 4, 20), "2026-W17")
    assert w.periods[-1] == (date(2026, 10, 12), "2026-W42")
    assert (w.week_from, w.week_to) == (date(2026, 4, 20), date(2026, 10, 12))
    assert (w.month_from, w.month_to) == (date(2026, 4, 1), date(2026, 10, 1))


def test_monthly_window_stops_at_the_selected_sunday():
    w = satisfaction.trend_window(parse_week("2026-W42"), "month")  # Mon 12 Oct – Sun 18 Oct
    assert [p[0] for p in w.periods][:2] == [date(2025, 11, 1), date(2025, 12, 1)]
    assert w.periods[-1] == (date(2026, 10, 1), "Oct 2026 (to 18 Oct)")
    assert w.periods[0][1] == "Nov 2025"
    # the week holding 1 Nov 2025 (a Saturday) starts on Monday 27 Oct 2025
    assert (w.week_from, w.week_to) == (date(2025, 10, 27), date(2026, 10, 12))
    assert (w.month_from, w.month_to) == (date(2025, 11, 1), date(2026, 10, 1))
    # 2026-W44 ends on Sunday 1 Nov: October is complete, November is not shown
    w44 = satisfaction.trend_window(parse_week("2026-W44"), "month")
    assert w44.periods[-1] == (date(2026, 10, 1), "Oct 2026")


def test_monthly_aggregation_by_hand_on_a_small_frame():
    mon = date(2026, 3, 30)  # 2026-W14 runs Mon 30 Mar – Sun 5 Apr
    rows = pd.DataFrame([
        counts_row(date(2026, 3, 23), "A", "nps", [10, 9, 3], month=date(2026, 3, 1)),
        counts_row(mon, "A", "nps", [10, 2], month=date(2026, 3, 1)),
        counts_row(mon, "A", "nps", [8, 0, 1], month=date(2026, 4, 1)),
        counts_row(date(2026, 4, 6), "A", "nps", [9], month=date(2026, 4, 1)),
    ])
    monthly = satisfaction.aggregate_periods(rows, "month").set_index("period_start")
    # March: 10, 9, 3, 10, 2 -> 3 promoters, 2 detractors of 5; April: 8, 0, 1, 9 -> 1 P, 2 D
    assert monthly.loc[date(2026, 3, 1), ["response_count", "promoter_count",
                                          "detractor_count"]].tolist() == [5, 3, 2]
    assert monthly.loc[date(2026, 4, 1), ["response_count", "promoter_count",
                                          "detractor_count"]].tolist() == [4, 1, 2]
    assert monthly.loc[date(2026, 3, 1), "score_sum"] == 34
    weekly = satisfaction.aggregate_periods(rows, "week").set_index("period_start")
    assert weekly.loc[mon, "response_count"] == 5  # both halves of the straddling week
    assert weekly.loc[mon, "score_sq_sum"] == 100 + 4 + 64 + 0 + 1
    assert len(weekly) == 3


@pytest.fixture(scope="module")
def month_edge_wh(tmp_path_factory, fixture_raw) -> db.Warehouse:
    """The fixture world plus two NPS answers in 2026-W09: Fri 27 Feb and Sun 1 Mar."""
    raw = {k: v.copy() for k, v in fixture_raw.items()}
    base = raw["survey_responses"].iloc[0].to_dict()
    extra = pd.DataFrame([
        {**base, "response_id": 901, "customer_id": 1, "responded_at": "2026-02-27 10:00:00",
         "score": 10, "comment": None},
        {**base, "response_id": 902, "customer_id": 8, "responded_at": "2026-03-01 12:00:00",
         "score": 2, "comment": None},
    ])
    raw["survey_responses"] = pd.concat([raw["survey_responses"], extra], ignore_index=True)
    path = tmp_path_factory.mktemp("month_edge") / "warehouse.duckdb"
    build.build(raw, path)
    return db.Warehouse(f"duckdb:///{path}")


def test_monthly_trend_uses_calendar_months_end_to_end(month_edge_wh, tiny_bases):
    f = Filters(week="2026-W11")
    rep = satisfaction.build_report(direct(month_edge_wh), f, View("region", "month", "nps"))
    overall = rep.trend[rep.trend["group"] == OVERALL].set_index("period")
    # February: the 27 Feb answer only (10) -> NPS +100, n = 1
    assert overall.loc["Feb 2026", "n"] == 1 and overall.loc["Feb 2026", "value"] == 100
    # March to Sunday 15 Mar: 2 (1 Mar), then 10 9 7 3 (W10) and 6 10 9 0 8 (W11):
    # promoters 10 9 10 9, detractors 2 3 6 0 -> 4 - 4 of 10 -> 0
    assert overall.loc["Mar 2026 (to 15 Mar)", "n"] == 10
    assert overall.loc["Mar 2026 (to 15 Mar)", "value"] == 0
    assert overall.loc["Jan 2026", "status"] == "withheld"
    east = rep.trend[rep.trend["group"] == "East"].set_index("period")
    # customer 8 (East): 2 on 1 Mar, 3 in W10, 0 in W11 -> NPS -100 in March
    assert east.loc["Mar 2026 (to 15 Mar)", "n"] == 3
    assert east.loc["Mar 2026 (to 15 Mar)", "value"] == -100

    weekly = satisfaction.build_report(direct(month_edge_wh), f, View("region", "week", "nps"))
    wk = weekly.trend[weekly.trend["group"] == OVERALL].set_index("period")
    assert (wk.loc["2026-W09", "n"], wk.loc["2026-W09", "value"]) == (2, 0)  # 10 and 2
    assert (wk.loc["2026-W10", "n"], wk.loc["2026-W10", "value"]) == (4, 25)  # P 10 9, D 3
    assert (wk.loc["2026-W11", "n"], wk.loc["2026-W11", "value"]) == (5, 0)  # P 10 9, D 6 0


# --- expectation vs perceived: paired differences ---


def gap_row(touchpoint: str, perceived: np.ndarray, expected: np.ndarray) -> dict:
    d = (perceived - expected).astype(float)
    return {"survey": "csat", "scale_min": 1, "scale_max": 7, "touchpoint": touchpoint,
            "paired_count": len(d), "perceived_sum": float(perceived.sum()),
            "expected_sum": float(expected.sum()), "gap_sum": float(d.sum()),
            "gap_sq_sum": float((d * d).sum())}


def test_expectation_gap_matches_the_paired_t_interval():
    rng = np.random.default_rng(3)
    pa, ea = rng.integers(1, 8, 60), rng.integers(2, 8, 60)
    pb, eb = rng.integers(3, 8, 45), rng.integers(3, 8, 45)
    pc, ec = rng.integers(1, 8, 12), rng.integers(1, 8, 12)
    frame = pd.DataFrame([gap_row("store", pb, eb), gap_row("phone", pa, ea),
                          gap_row("web", pc, ec)])
    out = satisfaction.expectation_gap(frame).set_index("touchpoint")
    for tp, p, e in (("phone", pa, ea), ("store", pb, eb)):
        res = sps.ttest_rel(p, e)  # the paired t test as oracle
        ci = res.confidence_interval(0.95)
        assert out.loc[tp, "gap"] == pytest.approx(float(np.mean(p - e)))
        assert out.loc[tp, "ci_low"] == pytest.approx(ci.low)
        assert out.loc[tp, "ci_high"] == pytest.approx(ci.high)
        assert out.loc[tp, "perceived_mean"] == pytest.approx(p.mean())
        assert out.loc[tp, "expected_mean"] == pytest.approx(e.mean())
    assert out.loc["web", "status"] == "withheld" and pd.isna(out.loc["web", "gap"])
    # worst (most negative) first, withheld last
    shown = [g for g in out.index if out.loc[g, "status"] != "withheld"]
    assert list(out.index)[-1] == "web"
    assert out.loc[shown, "gap"].is_monotonic_increasing


def test_expectation_gap_by_hand():
    # 40 answers: 30 with perceived 4 vs expected 6 (gap -2), 10 with 5 vs 5 (gap 0)
    perceived = np.array([4] * 30 + [5] * 10)
    expected = np.array([6] * 30 + [5] * 10)
    out = satisfaction.expectation_gap(pd.DataFrame([gap_row("chat", perceived, expected)]))
    r = out.iloc[0]
    mean = -60 / 40  # -1.5
    sd = math.sqrt((30 * 0.25 + 10 * 2.25) / 39)  # deviations -0.5 and +1.5
    half = float(sps.t.ppf(0.975, 39)) * sd / math.sqrt(40)
    assert r["gap"] == pytest.approx(mean)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(mean - half), pytest.approx(mean + half))
    assert r["status"] == "low_base"  # 30 <= n < 100


def test_expectation_gap_query_on_the_fixture(fixture_wh):
    df = fixture_wh.run("sat_expectation_gap", week_from=date(2026, 3, 2),
                        week_to=date(2026, 3, 9), month_from=date(2026, 3, 1),
                        month_to=date(2026, 3, 1), segments=[], regions=[], plans=[])
    got = df.set_index("touchpoint")[["paired_count", "gap_sum", "gap_sq_sum"]]
    # 202 chat 5 vs 6, 203 store 6 vs 7 (W10), 205 phone 2 vs 5 (W11)
    assert got.to_dict("index") == {
        "chat": {"paired_count": 1, "gap_sum": -1.0, "gap_sq_sum": 1.0},
        "phone": {"paired_count": 1, "gap_sum": -3.0, "gap_sq_sum": 9.0},
        "store": {"paired_count": 1, "gap_sum": -1.0, "gap_sq_sum": 1.0},
    }
    only_mass = fixture_wh.run("sat_expectation_gap", week_from=date(2026, 3, 2),
                               week_to=date(2026, 3, 9), month_from=date(2026, 3, 1),
                               month_to=date(2026, 3, 1), segments=["Affluent"], regions=[],
                               plans=[])
    assert only_mass["touchpoint"].tolist() == ["chat"]  # customer 3 is the only Affluent one


# --- movers: Benjamini–Hochberg across the groups tested ---


def adjusted_wald(p: int, pa: int, d: int) -> tuple[float, float]:
    n = p + pa + d + 3
    pp, dd = (p + 0.75) / n, (d + 0.75) / n
    return pp - dd, (pp + dd - (pp - dd) ** 2) / n


def z_p(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    (ca, va), (cb, vb) = adjusted_wald(*a), adjusted_wald(*b)
    return 2 * (1 - sps.norm.cdf(abs(ca - cb) / math.sqrt(va + vb)))


def bh_by_hand(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        out[i] = running
    return out


def test_movers_correct_across_the_groups_tested_and_spare_low_bases():
    week, prev = date(2026, 5, 11), date(2026, 5, 4)
    f = Filters(week="2026-W20", compare="previous")
    counts = {  # group: (this week P, Pa, D), (previous week P, Pa, D)
        "A": ((40, 30, 80), (90, 30, 30)),    # a large drop, n = 150 both weeks
        "B": ((60, 40, 50), (70, 40, 40)),    # a small drop
        "C": ((20, 10, 20), (40, 5, 5)),      # large drop on a low base (n = 50)
        "D": ((10, 5, 5), (10, 5, 5)),        # n = 20: withheld, not tested
        "E": ((70, 50, 30), (60, 50, 40)),    # a small rise
    }
    rows = []
    for g, (cur, old) in counts.items():
        rows.append(counts_row(week, g, "nps", nps_scores(*cur)))
        rows.append(counts_row(prev, g, "nps", nps_scores(*old)))
    table = satisfaction.movers(pd.DataFrame(rows), "nps", f).set_index("group")
    tested = ["A", "B", "C", "E"]
    raw = [z_p(counts[g][0], counts[g][1]) for g in tested]
    adj = bh_by_hand(raw)
    for g, p, pa in zip(tested, raw, adj, strict=True):
        assert table.loc[g, "p_value"] == pytest.approx(p, rel=1e-9)
        assert table.loc[g, "p_adjusted"] == pytest.approx(pa, rel=1e-9)
    assert table.loc["A", "delta"] == pytest.approx(100 * (40 - 80) / 150 - 100 * (90 - 30) / 150)
    assert table.loc["A", ["n_week", "n_compare"]].tolist() == [150, 150]
    assert bool(table.loc["A", "significant"]) and table.loc["A", "verdict"] == "Worse"
    # C has a tiny p but a base under 100: counted in m, never called significant
    assert table.loc["C", "p_adjusted"] < config.ALPHA
    assert not table.loc["C", "significant"]
    assert table.loc["C", "verdict"] == "Low base (n < 100): not judged"
    assert pd.isna(table.loc["D", "p_value"]) and pd.isna(table.loc["D", "value_week"])
    assert table.loc["D", "verdict"] == "Insufficient base (n < 30)"
    assert not table.loc["B", "significant"] and not table.loc["E", "significant"]
    order = satisfaction.movers(pd.DataFrame(rows), "nps", f)["group"].tolist()
    assert order[0] == "A" and order[-1] == "D"


def test_movers_by_hand_on_the_fixture(fixture_wh, tiny_bases):
    f = Filters(week="2026-W11", compare="previous")
    rep = satisfaction.build_report(direct(fixture_wh), f, View("region", "week", "nps"))
    t = rep.movers.set_index("group")
    # North: W10 10 (c1), 7 (c3) -> +50; W11 6 (c1), 10 (c3), 9 (c5) -> +33.3
    assert t.loc["North", ["n_week", "n_compare"]].tolist() == [3, 2]
    assert t.loc["North", "value_week"] == pytest.approx(100 / 3)
    assert t.loc["North", "value_compare"] == pytest.approx(50)
    assert t.loc["North", "delta"] == pytest.approx(100 / 3 - 50)
    north = stats.nps(2, 0, 1)
    # a true minus sign, thin spaces around the dash
    ends = [f"{v:+.1f}".replace("-", "\u2212") for v in (north.ci_low, north.ci_high)]
    assert t.loc["North", "ci_week"] == f"{ends[0]}\u2009–\u2009{ends[1]}"
    # South: 9 -> 8 (promoter to passive): +100 -> 0; East: 3 -> 0: -100 both weeks
    assert t.loc["South", "delta"] == pytest.approx(-100)
    assert t.loc["East", "delta"] == pytest.approx(0)
    raw = [z_p((2, 0, 1), (1, 1, 0)), z_p((0, 1, 0), (1, 0, 0)), z_p((0, 0, 1), (0, 0, 1))]
    got = [t.loc[g, "p_value"] for g in ("North", "South", "East")]
    assert got == pytest.approx(raw)
    assert [t.loc[g, "p_adjusted"] for g in ("North", "South", "East")] == pytest.approx(
        bh_by_hand(raw))
    # headline tiles on the fixture: W11 NPS 6 10 9 0 8 -> (2 - 2) / 5 = 0; CES 5 2 6 -> 4.33
    tiles = {t.metric.name: t for t in rep.tiles}
    assert tiles["nps"].current.value == 0 and tiles["nps"].current.n == 5
    assert tiles["ces"].current.value == pytest.approx(13 / 3)
    assert tiles["csat"].current.value == 50  # 4 on 1-5 (top-2) and 2 on 1-7 (not)


def test_split_must_come_from_the_allowlist():
    with pytest.raises(FilterError, match="bad split"):
        View(split="region; drop table marts.dim_customers")
    with pytest.raises(FilterError, match="bad grain"):
        View(grain="day")
    with pytest.raises(FilterError, match="bad score"):
        View(score="revenue")


def test_unknown_dimension_value_matches_nothing(fixture_wh):
    df = fixture_wh.run("sat_scores_two_weeks", week_start=date(2026, 3, 9),
                        compare_start=date(2026, 3, 2), dimension="customer_id",
                        segments=[], regions=[], plans=[])
    assert df.empty


# --- the demo world ---


@pytest.fixture(scope="module")
def demo_catalog(demo_wh):
    return kpis.load_catalog(direct(demo_wh))


def test_headline_tiles_equal_a_count_on_raw_answers_and_the_kpi_page(demo_wh, demo_catalog):
    f = Filters(week=demo_catalog.latest_complete, regions=("North", "West"), compare="4w")
    rep = satisfaction.build_report(direct(demo_wh), f, View("touchpoint", "week", "nps"))
    oracle = demo_wh.sql(
        """
        select
            count(*) as n,
            count(*) filter (where score >= 9) as p,
            count(*) filter (where score <= 6) as d
        from raw.survey_responses as responses
        inner join raw.customers as customers using (customer_id)
        where survey = 'nps'
            and cast(date_trunc('week', cast(responded_at as timestamp)) as date) = $week
            and customers.region in ('North', 'West')
        """, {"week": f.week_start}).iloc[0]
    nps = next(t for t in rep.tiles if t.metric.name == "nps")
    assert nps.current.n == int(oracle["n"])
    assert nps.current.value == pytest.approx(100 * (oracle["p"] - oracle["d"]) / oracle["n"])
    page = kpis.build_report(direct(demo_wh), f)
    for t in rep.tiles:
        k = page.tile(t.metric.name)
        assert t.current.value == pytest.approx(k.current.value)
        assert t.previous.value == pytest.approx(k.previous.value)
    # the overall trend's latest week is the same number
    last = rep.trend[(rep.trend["group"] == OVERALL)].iloc[-1]
    assert last["value"] == pytest.approx(nps.current.value)


def test_incident_region_is_a_significant_mover_with_a_drop(demo_wh, truth):
    f = Filters(week=truth["incident_start_week"], compare="previous")
    rep = satisfaction.build_report(direct(demo_wh), f, View("region", "week", "nps"))
    t = rep.movers.set_index("group")
    region = truth["incident_region"]
    assert bool(t.loc[region, "significant"])
    assert t.loc[region, "delta"] < -10
    assert t.loc[region, "p_adjusted"] < config.ALPHA
    assert rep.movers.iloc[0]["group"] == region
    assert rep.movers_takeaway.startswith(f"{region} fell most")
    # BH ran across the five regions tested
    assert int(t["p_value"].notna().sum()) == 5
    # the week before the incident the region does not move
    calm = Filters(week=(parse_week(truth["incident_start_week"]) - timedelta(weeks=2))
                   .strftime("%G-W%V"), compare="previous")
    quiet = satisfaction.build_report(direct(demo_wh), calm, View("region", "week", "nps"))
    assert not quiet.movers.set_index("group").loc[region, "significant"]


def test_split_trends_withhold_small_bases_as_gaps(demo_wh, demo_catalog):
    f = Filters(week=demo_catalog.latest_complete)
    rep = satisfaction.build_report(direct(demo_wh), f, View("touchpoint", "week", "csat"))
    trend = rep.trend
    small = trend[trend["n"] < 30]
    assert len(small) > 0  # technician and web answer CSAT rarely
    assert small["value"].isna().all() and (small["status"] == "withheld").all()
    big = trend[trend["n"] >= 30]
    assert big["value"].notna().all()
    assert set(trend["group"]) == {OVERALL, "app", "chat", "email", "phone", "social", "store",
                                   "technician", "web"}
    assert len(trend) == 9 * 26
    fig = charts.split_trend_chart(trend, rep.trend_title, rep.y_title, OVERALL)
    tech = [tr for tr in fig.data if tr.name == "technician"][0]
    n_tech = trend.loc[trend["group"] == "technician", "n"].tolist()
    assert [y is None or math.isnan(y) for y in tech.y] == [n < 30 for n in n_tech]
    # every answer falls in one group: the groups add up to the overall base each week
    by_week = trend[trend["group"] != OVERALL].groupby("period")["n"].sum()
    overall = trend[trend["group"] == OVERALL].set_index("period")["n"]
    assert (by_week.sort_index() == overall.sort_index()).all()


def test_takeaways_are_computed_from_the_data(demo_wh, truth):
    f = Filters(week=truth["incident_start_week"], compare="previous")
    rep = satisfaction.build_report(direct(demo_wh), f, View("region", "week", "nps"))
    mix = rep.mix[(rep.mix["period"] == f.week) & (rep.mix["category"] == "detractor")].iloc[0]
    assert rep.mix_takeaway.startswith(
        f"Detractors were {mix['share_pct']:.1f}% of NPS answers in {f.week}, n = {mix['n']:,}")
    worst = rep.gap.iloc[0]
    assert f"at {worst['label']}:" in rep.gap_takeaway
    assert f"n = {int(worst['n']):,} paired answers" in rep.gap_takeaway
    dist = rep.distribution[rep.distribution["week"] == f.week]
    low = dist.loc[dist["score"] <= 6, "share_pct"].sum()
    assert rep.distribution_takeaway.startswith(f"In {f.week}, {low:.1f}% scored 0–6")
    assert dist["share_pct"].sum() == pytest.approx(100)
    assert truth["incident_region"] in rep.trend_takeaway


# --- the page (AppTest) ---


@pytest.fixture
def page(open_app):
    at = open_app("pages/satisfaction.py", timeout=60)
    return at


def expected_report(demo_wh, at: AppTest) -> satisfaction.SatisfactionReport:
    """The report the page should show for the widgets' current values."""
    s = at.session_state
    f = Filters(week=s["f_week"], segments=tuple(s["f_segment"] or ()),
                regions=tuple(s["f_region"] or ()), plans=tuple(s["f_plan"] or ()),
                compare=s["f_compare"])
    view = View(split=s["sat_split"], grain=s["sat_grain"], score=s["sat_score"])
    return satisfaction.build_report(direct(demo_wh), f, view)


def assert_page_shows(at: AppTest, rep: satisfaction.SatisfactionReport) -> Seen:
    """What the page shows over its three sections (each opened in turn) is the report's;
    returns it."""
    assert not at.exception, at.exception
    assert at.title[0].value == "Satisfaction"
    assert at.info[0].value == rep.headline
    shown = {m.label.removesuffix(" · low base"): m.value for m in at.metric}
    assert shown == {t.metric.label: t.value_text for t in rep.tiles}
    seen = Seen(at)
    assert seen.sections == ["Is it changing?", "The mix of answers", "Where?"]
    assert len(seen.plotly_chart) == 4  # trend; mix and distribution; the gap
    captions = [c.value for c in seen.caption]
    for text in (rep.trend_takeaway, rep.mix_takeaway, rep.distribution_takeaway,
                 rep.gap_takeaway, rep.movers_takeaway, *(t.caption for t in rep.tiles)):
        assert text in captions
    table = seen.dataframe[0].value.reset_index(drop=True)
    names = rep.movers_columns()  # the interval as numbers is for the download only
    want = rep.movers[list(names)].rename(columns=names)
    pd.testing.assert_frame_equal(table, want, check_dtype=False)
    return seen


def test_one_section_is_drawn_at_a_time(page):
    """The first section alone is drawn on opening (a filter change builds one chart, not
    four); another tab draws its own."""
    assert [t.label for t in page.tabs] == ["Is it changing?", "The mix of answers", "Where?"]
    assert len(page.get("plotly_chart")) == 1 and not page.dataframe
    page.session_state["sat_tab"] = "Where?"
    page.run()
    assert not page.exception, page.exception
    assert len(page.get("plotly_chart")) == 1 and len(page.dataframe) == 1


def test_default_page(page, demo_wh, demo_catalog):
    assert page.session_state["f_week"] == demo_catalog.latest_complete
    assert [page.session_state[k] for k in ("sat_score", "sat_split", "sat_grain")] == [
        "nps", "region", "week"]
    rep = expected_report(demo_wh, page)
    seen = assert_page_shows(page, rep)
    # the headline number against a count on the raw answers
    n, p, d = demo_wh.sql(
        """
        select count(*), count(*) filter (where score >= 9), count(*) filter (where score <= 6)
        from raw.survey_responses
        where survey = 'nps'
            and cast(date_trunc('week', cast(responded_at as timestamp)) as date) = $week
        """, {"week": parse_week(demo_catalog.latest_complete)}).iloc[0].tolist()
    nps = next(m for m in page.metric if m.label.startswith("NPS"))
    assert nps.value == f"{100 * (p - d) / n:+.1f}"
    assert any(c.value.startswith(f"n = {n:,} · 95% CI") for c in page.caption)
    assert len(seen.dataframe[0].value) == 5  # the five regions


def test_incident_week_on_the_page(page, demo_wh, truth):
    page.selectbox(key="f_week").set_value(truth["incident_start_week"])
    page.selectbox(key="f_compare").set_value("previous")
    page.run()
    rep = expected_report(demo_wh, page)
    table = assert_page_shows(page, rep).dataframe[0].value
    first = table.iloc[0]
    assert first["Region"] == truth["incident_region"]
    assert bool(first["Significant"]) and first["Change"] < 0
    assert first["Verdict"] == "Worse"  # a drop in a score where higher is better


@pytest.mark.parametrize("combo", [
    {"f_segment": ["Business"], "f_compare": "52w",
     "sat_split": "touchpoint", "sat_grain": "month", "sat_score": "csat"},
    {"f_plan": ["Premium"], "f_compare": "4w",
     "sat_split": "journey_stage", "sat_grain": "week", "sat_score": "ces"},
    {"f_region": ["Central", "North"], "f_compare": "previous",
     "sat_split": "channel", "sat_grain": "month", "sat_score": "nps"},
])
def test_filtered_page(page, demo_wh, combo):
    weeks = page.selectbox(key="f_week").options
    page.selectbox(key="f_week").set_value(weeks[10])
    for key, value in combo.items():
        if key in ("f_segment", "f_region", "f_plan"):
            page.multiselect(key=key).set_value(value)
        else:
            page.selectbox(key=key).set_value(value)
    page.run()
    rep = expected_report(demo_wh, page)
    assert rep.view == View(combo["sat_split"], combo["sat_grain"], combo["sat_score"])
    table = assert_page_shows(page, rep).dataframe[0].value
    assert table.columns[0] == satisfaction.SPLITS[combo["sat_split"]]
    assert len(table) == rep.movers["group"].nunique() > 0
    # n of the selected week in the table adds up to the score's tile base
    tile = next(t for t in rep.tiles if t.metric.name == combo["sat_score"])
    assert int(table[f"n {weeks[10]}"].sum()) == tile.current.n
