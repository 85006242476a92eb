"""Segment comparison: hand-checked correction and ranking, parity with the KPI report and the
CLI, planted truths recovered on the demo world, and the page rendered by AppTest."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import compare
from dashboard.analysis.compare import CompareError, Selection
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.metrics.registry import (
    METRICS,
    REGISTRY,
    REVENUE_PER_CUSTOMER,
    Metric,
    format_value,
)
from dashboard.metrics.stats import Estimate
from dashboard.ui import common as ui
from dashboard.warehouse import config, db
from tests.conftest import kpis_json

# --- small hand-built examples (pure) ---


def _fake_metric(name: str, kind: str = "survey", higher: bool = True) -> Metric:
    """A metric whose estimate and test read fixed numbers from the inputs mapping."""
    return Metric(
        name, name.upper(), "test metric", "points", "score", higher, kind,
        estimate=lambda w: Estimate(w[f"{name}_value"], int(w[f"{name}_n"]), 0.0, 1.0,
                                    stats.base_status(int(w[f"{name}_n"]))),
        test=lambda a, b: a[f"{name}_p"],
        delta_unit="points",
    )


def _inputs(**groups: dict[str, tuple[float, int, float]]) -> dict[str, dict[str, float]]:
    """{group: {metric: (value, n, p against the reference)}} as week inputs."""
    out: dict[str, dict[str, float]] = {}
    for g, per_metric in groups.items():
        w: dict[str, float] = {}
        for m, (value, n, p) in per_metric.items():
            w.update({f"{m}_value": value, f"{m}_n": n, f"{m}_p": p})
        out[g] = w
    return out


def test_bh_across_the_whole_table_by_hand():
    a, b = _fake_metric("a"), _fake_metric("b")
    inputs = _inputs(
        ref={"a": (10, 500, 1.0), "b": (10, 500, 1.0)},
        g2={"a": (20, 500, 0.01), "b": (15, 500, 0.03)},
        g3={"a": (14, 500, 0.04), "b": (11, 500, 0.20)},
    )
    cells, tested = compare.compare_cells((a, b), ("ref", "g2", "g3"), "region", inputs)
    assert tested == 4
    adj = {(c.metric.name, c.group): c.p_adjusted for c in cells if c.group != "ref"}
    # sorted p 0.01, 0.03, 0.04, 0.20 (m = 4): 0.04, 0.06, 0.0533, 0.20; step-up minimum
    # from the largest: 0.20, 0.0533, 0.0533, 0.04
    assert adj[("a", "g2")] == pytest.approx(0.04)
    assert adj[("b", "g2")] == pytest.approx(0.04 * 4 / 3)
    assert adj[("a", "g3")] == pytest.approx(0.04 * 4 / 3)
    assert adj[("b", "g3")] == pytest.approx(0.20)
    sig = {(c.metric.name, c.group) for c in cells if c.significant}
    assert sig == {("a", "g2")}  # raw p 0.03 and 0.04 are < 0.05 but not after correction
    ref_cells = [c for c in cells if c.group == "ref"]
    assert all(c.delta is None and c.p_value is None for c in ref_cells)
    deltas = {(c.metric.name, c.group): c.delta for c in cells if c.group != "ref"}
    assert deltas == {("a", "g2"): 10, ("b", "g2"): 5, ("a", "g3"): 4, ("b", "g3"): 1}


def test_low_base_is_tested_but_never_significant_and_withheld_is_not_tested():
    a, b = _fake_metric("a"), _fake_metric("b")
    inputs = _inputs(
        ref={"a": (10, 500, 1.0), "b": (10, 500, 1.0)},
        g2={"a": (30, 60, 0.001), "b": (30, 10, 0.001)},  # a: low base; b: withheld
    )
    cells, tested = compare.compare_cells((a, b), ("ref", "g2"), "region", inputs)
    assert tested == 1
    low = next(c for c in cells if c.metric.name == "a" and c.group == "g2")
    assert low.p_adjusted == pytest.approx(0.001) and not low.significant
    gone = next(c for c in cells if c.metric.name == "b" and c.group == "g2")
    assert gone.p_value is None and gone.delta is None and not gone.significant
    ref = next(c for c in cells if c.metric.name == "a" and c.group == "ref")
    assert compare.verdict_text(low, ref, "$") == "+20.0 points · low base, not judged"
    assert compare.verdict_text(gone, ref, "$") == "not compared: insufficient base"


def test_channel_keeps_only_survey_metrics_in_the_family():
    s, o = _fake_metric("s"), _fake_metric("o", kind="operations")
    inputs = _inputs(ref={"s": (10, 500, 1.0), "o": (1, 500, 1.0)},
                     g2={"s": (20, 500, 0.02), "o": (5, 500, 0.001)})
    cells, tested = compare.compare_cells((s, o), ("ref", "g2"), "channel", inputs)
    assert tested == 1
    ops = [c for c in cells if c.metric.name == "o"]
    assert all(not c.applicable and c.p_value is None for c in ops)
    assert next(c for c in cells if c.metric.name == "s" and c.group == "g2").significant
    assert compare.value_text(None, o, "$") == "not applicable by channel"
    # by region both are tested: 0.001 and 0.02 -> 0.002 and 0.02
    cells, tested = compare.compare_cells((s, o), ("ref", "g2"), "region", inputs)
    assert tested == 2
    assert [c.p_adjusted for c in cells if c.group == "g2"] == pytest.approx([0.02, 0.002])


def test_bh_matches_the_reference_library():
    from statsmodels.stats.multitest import multipletests

    metric = _fake_metric("a")
    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]
    groups = ("ref", *(f"g{i}" for i in range(len(ps))))
    inputs = _inputs(ref={"a": (0, 500, 1)}, **{g: {"a": (1, 500, p)}
                                                for g, p in zip(groups[1:], ps, strict=True)})
    cells, tested = compare.compare_cells((metric,), groups, "plan", inputs)
    reject, expected, _, _ = multipletests(ps, alpha=0.05, method="fdr_bh")
    assert [c.p_adjusted for c in cells[1:]] == pytest.approx(list(expected))
    assert [c.significant for c in cells[1:]] == list(reject)


def _est(value: float | None, n: int) -> Estimate:
    if value is None:
        return stats.withheld(n)
    return Estimate(value, n, value - 1, value + 1, stats.base_status(n))


def test_ranking_order_higher_and_lower_is_better():
    ests = {"A": _est(10.0, 500), "B": _est(30.0, 400), "C": _est(None, 12),
            "D": _est(20.0, 60), "E": _est(20.0, 800)}
    hi = compare.rank_groups(ests, higher_is_better=True)
    assert list(hi["group"]) == ["B", "D", "E", "A", "C"]
    assert list(hi["rank"].astype("object").where(hi["rank"].notna(), None)) == [1, 2, 2, 4, None]
    assert list(hi["status"]) == ["ok", "low_base", "ok", "ok", "withheld"]
    lo = compare.rank_groups(ests, higher_is_better=False)
    assert list(lo["group"]) == ["A", "D", "E", "B", "C"]
    assert list(lo["rank"].iloc[:4]) == [1, 2, 2, 4] and pd.isna(lo["rank"].iloc[4])
    text = compare.ranking_takeaway(hi, REGISTRY["nps"], "region", "2026-W21", "$")
    assert text == ("Best region for NPS in 2026-W21: B +30.0 (n = 400); worst: A +10.0 "
                    "(n = 500); 1 withheld (n < 30); 1 low base.")
    cost = compare.ranking_takeaway(lo, REGISTRY["cost_to_serve"], "channel", "2026-W21", "$")
    assert cost.startswith("Cost to serve is not defined per survey channel")


def test_trend_takeaway_names_leader_and_biggest_mover():
    m = REGISTRY["nps"]
    rows = []
    for g, vals in (("Central", [30.0, 25.0, 2.0]), ("North", [28.0, None, 31.0])):
        for i, v in enumerate(vals):
            rows.append({"group": g, "week": f"2026-W{19 + i}", "value": v, "n": 200,
                         "status": "ok" if v is not None else "withheld"})
    df = pd.DataFrame(rows)
    text = compare.trend_takeaway(df, m, "region", "2026-W21", "$")
    assert text == ("In 2026-W21, North leads on NPS at +31.0 (n = 200); Central moved most: "
                    "−28.0 points, worse (2026-W19 → 2026-W21).")


def test_table_takeaway_counts_significant_differences():
    a = _fake_metric("a")
    inputs = _inputs(ref={"a": (10, 500, 1)}, g2={"a": (25, 400, 0.001)}, g3={"a": (12, 450, 0.5)})
    cells, tested = compare.compare_cells((a,), ("ref", "g2", "g3"), "region", inputs)
    assert compare.table_takeaway(cells, tested, "ref", "$") == (
        "1 of 2 differences against ref is significant after Benjamini–Hochberg correction; "
        "clearest: A in g2 +15.0 points (better; +25.0 vs +10.0, n = 400 vs 500).")
    none = compare.compare_cells((a,), ("ref", "g3"), "region", inputs)
    assert compare.table_takeaway(*none, "ref", "$") == (
        "No difference against ref is significant after Benjamini–Hochberg correction across "
        "the 1 comparisons tested.")


@pytest.mark.parametrize("args, message", [
    (("city", ("a", "b")), "bad dimension"),
    (("region", ("North",)), "choose 2 to 4 groups"),
    (("region", ("a", "b", "c", "d", "e")), "choose 2 to 4 groups"),
    (("region", ("North", "North")), "once"),
    (("region", ("North", "South"), "happiness"), "unknown KPI"),
])
def test_selection_is_validated(args, message):
    with pytest.raises(CompareError, match=message):
        Selection(*args)


def test_default_groups_by_hand():
    values = ("app", "chat", "email", "phone", "sms")
    # the three largest of the week, largest first (the reference); ties in the given order
    sizes = {"app": 0, "chat": 40, "email": 300, "phone": 40, "sms": 120}
    assert compare.default_groups(sizes, values) == ("email", "sms", "chat")
    # a group without answers is never picked while two groups have some
    assert compare.default_groups({"chat": 5, "sms": 9}, values) == ("sms", "chat")
    # one group with answers: the next in the dimension's order makes the pair
    assert compare.default_groups({"phone": 12}, values) == ("phone", "app")
    assert compare.default_groups({}, values) == ("app", "chat")


def test_revenue_is_compared_per_customer_with_the_total_as_context(tiny_bases):
    labels = [m.label for m in compare.table_rows()]
    assert labels[-2:] == ["Revenue per customer", "Revenue"]
    assert [m.name for m in compare.COMPARE_METRICS] == [
        "nps", "csat", "ces", "complaint_rate", "churn_rate_4w", "cost_to_serve",
        "revenue_per_customer"]
    with pytest.raises(CompareError, match="unknown KPI 'revenue'"):
        Selection("region", ("North", "South"), "revenue")
    # by hand: x = (−10, 60, 30) and (0, 0, 20, 0); mean, t interval and Welch's p
    a = {"active_revenue": 80.0, "active_revenue_sq": 4600.0, "active_at_start": 3}
    b = {"active_revenue": 20.0, "active_revenue_sq": 400.0, "active_at_start": 4}
    est = REVENUE_PER_CUSTOMER.estimate(a)
    sd = ((4600 - 80**2 / 3) / 2) ** 0.5  # 35.119…
    half = 4.302652729911275 * sd / 3**0.5  # t(0.975; 2) = 4.3027
    assert (est.value, est.n) == (pytest.approx(80 / 3), 3)
    assert (est.ci_low, est.ci_high) == pytest.approx((80 / 3 - half, 80 / 3 + half))
    from scipy import stats as sps

    p = sps.ttest_ind([-10, 60, 30], [0, 0, 20, 0], equal_var=False).pvalue
    assert REVENUE_PER_CUSTOMER.test(a, b) == pytest.approx(p)
    # the totals stand beside it, never tested
    cells = compare.context_cells(compare.CONTEXT_METRICS, ("g1", "g2"), "region",
                                  {"g1": {"revenue": 80.0, "revenue_sq": 4600.0,
                                          "transactions": 3}, "g2": None})
    assert [c.context and c.p_value is None and not c.significant for c in cells] == [True] * 2
    assert compare.context_text(cells[0]) == compare.CONTEXT_VERDICT


def test_unknown_group_is_refused():
    with pytest.raises(CompareError, match="unknown region 'Atlantis'"):
        compare.validate(Selection("region", ("North", "Atlantis")),
                         {"region": ("North", "South")})


# --- the queries on the fixture warehouse ---


@pytest.fixture
def fetch(fixture_fetch):
    return fixture_fetch



def _params(**over):
    return {"start_week": date(2026, 2, 9), "end_week": date(2026, 3, 16), "dimension": "region",
            "segments": [], "regions": [], "plans": [], **over}


def test_options_include_survey_channels(fetch):
    opts = compare.load_options(fetch)
    assert opts["segment"] == ("Affluent", "Business", "Mass")
    assert opts["region"] == ("Central", "East", "North", "South")
    assert opts["channel"] == ("app", "chat", "email", "phone", "self_service", "sms", "store")


def test_grouped_queries_add_up_to_the_ungrouped_ones(fixture_wh):
    for dim in ("segment", "region", "plan", "channel"):
        grouped = fixture_wh.run("cmp_grp_survey_weekly", **_params(dimension=dim))
        total = fixture_wh.run("kpi_survey_weekly", **{k: v for k, v in _params().items()
                                                       if k != "dimension"})
        summed = grouped.groupby(["week_start", "survey"], as_index=False)[
            ["response_count", "promoter_count", "detractor_count", "score_sum"]].sum()
        merged = total.merge(summed, on=["week_start", "survey"], suffixes=("", "_g"))
        assert len(merged) == len(total) == len(summed)
        for c in ("response_count", "promoter_count", "detractor_count", "score_sum"):
            assert (merged[c] == merged[f"{c}_g"]).all(), (dim, c)
    ops = fixture_wh.run("cmp_grp_ops_weekly", **_params(dimension="plan"))
    total = fixture_wh.run("kpi_ops_weekly", **{k: v for k, v in _params().items()
                                                if k != "dimension"})
    summed = ops.groupby("week_start", as_index=False)[["active_at_start", "contact_cost"]].sum()
    assert summed["active_at_start"].tolist() == total["active_at_start"].tolist()
    assert summed["contact_cost"].tolist() == pytest.approx(total["contact_cost"].tolist())
    assert fixture_wh.run("cmp_grp_ops_weekly", **_params(dimension="channel")).empty


def test_dimension_is_a_bound_value_not_sql(fixture_wh):
    hostile = "region) or 1=1 --"
    assert fixture_wh.run("cmp_grp_survey_weekly", **_params(dimension=hostile)).empty
    assert fixture_wh.run("cmp_grp_ops_weekly", **_params(dimension=hostile)).empty


def test_fixture_by_hand(fetch, tiny_bases):
    opts = compare.load_options(fetch)
    f = Filters(week="2026-W11")
    r = compare.build_comparison(fetch, f, Selection("region", ("North", "South", "East")), opts)
    # W11 NPS: North = customers 1 (6), 3 (10), 5 (9); South = 2 (8); East = 8 (0)
    assert r.cell("nps", "North").estimate.value == pytest.approx(100 / 3)
    assert r.cell("nps", "North").estimate.n == 3
    assert r.cell("nps", "South").estimate.value == pytest.approx(0.0)
    assert r.cell("nps", "East").estimate.value == pytest.approx(-100.0)
    assert r.cell("nps", "East").delta == pytest.approx(-100 - 100 / 3)
    # active at W11: North {1, 3, 5}, South {2}, East {8}
    assert r.cell("complaint_rate", "North").estimate.n == 3
    # revenue per customer, W11 North: customers 1 (refund −10), 3 (60), 5 (30) active at
    # Monday 9 March; South (customer 2) and East (8) have one customer each: withheld
    rpc = r.cell("revenue_per_customer", "North").estimate
    assert (rpc.value, rpc.n) == (pytest.approx(80 / 3), 3)
    half = 4.302652729911275 * ((4600 - 80**2 / 3) / 2) ** 0.5 / 3**0.5
    assert (rpc.ci_low, rpc.ci_high) == pytest.approx((80 / 3 - half, 80 / 3 + half))
    assert not r.cell("revenue_per_customer", "South").estimate.shown
    total = r.cell("revenue", "North")
    assert total.context and total.estimate.value == pytest.approx(80.0)
    frame = r.cells_frame().set_index(["metric", "group"])
    assert len(frame) == (len(METRICS) + 1) * 3
    assert frame.loc[("revenue", "North"), "context"]
    assert frame.loc[("nps", "South"), "delta"] == pytest.approx(-100 / 3)
    assert frame.loc[("complaint_rate", "East"), "n"] == 1
    ch = compare.build_comparison(fetch, f, Selection("channel", ("email", "store", "phone"),
                                                      "csat"), opts)
    # W11 NPS by email: 105 (6), 108 (0), 109 (8) -> 0 promoters, 2 detractors of 3
    assert ch.cell("nps", "email").estimate.value == pytest.approx(-200 / 3)
    # W11 CSAT: store 204 (4 of 1-5: top-2) -> 100 %; phone 205 (2 of 1-7) -> 0 %
    assert ch.cell("csat", "store").estimate.value == pytest.approx(100.0)
    assert ch.cell("csat", "phone").estimate.value == pytest.approx(0.0)
    assert all(not ch.cell(m.name, "email").applicable for m in METRICS if m.kind != "survey")
    assert ch.side_by_side().set_index("KPI").loc["Cost to serve", "email"] == (
        "not applicable by channel")
    # ranking on CSAT: store 100 %, phone 0 %, then the channels without a W11 CSAT answer
    assert ch.ranking["group"].tolist() == ["store", "phone", "app", "chat", "email",
                                            "self_service", "sms"]
    assert ch.ranking["rank"].tolist()[:2] == [1, 2] and ch.ranking["rank"][2:].isna().all()


def test_fixture_groups_equal_the_kpi_report_filtered_to_the_group(fetch, tiny_bases):
    opts = compare.load_options(fetch)
    for week in ("2026-W10", "2026-W11", "2026-W12"):
        f = Filters(week=week, plans=("Basic", "Standard"))
        r = compare.build_comparison(fetch, f, Selection("segment", ("Mass", "Affluent")), opts)
        for g in ("Mass", "Affluent"):
            k = kpis.build_report(fetch, Filters(week=week, segments=(g,),
                                                 plans=("Basic", "Standard")))
            for t in k.tiles:
                e = r.cell(t.metric.name, g).estimate
                assert (e.value, e.n, e.ci_low, e.ci_high, e.status) == pytest.approx(
                    (t.current.value, t.current.n, t.current.ci_low, t.current.ci_high,
                     t.current.status)), (week, g, t.metric.name)


def test_fixture_real_thresholds_withhold_everything(fetch):
    opts = compare.load_options(fetch)
    r = compare.build_comparison(fetch, Filters(week="2026-W11"),
                                 Selection("segment", ("Mass", "Business")), opts)
    assert r.tested == 0 and not any(c.significant for c in r.cells)
    assert r.table_takeaway.startswith("No difference against Mass could be tested")
    assert r.ranking["rank"].isna().all()
    assert "insufficient base" in set(r.ranking_table()["Base"])
    assert r.side_by_side().set_index("KPI").loc["NPS", "Mass"] == "— insufficient base"


# --- the demo world ---


@pytest.fixture(scope="module")
def demo_fetch(demo_wh):
    return lambda name, **p: db.cached_run(demo_wh, name, **p)


@pytest.fixture(scope="module")
def demo_options(demo_fetch):
    return compare.load_options(demo_fetch)


def test_incident_week_central_differs_significantly_from_every_region(
        demo_fetch, demo_options, truth):
    region = truth["incident_region"]
    start = parse_week(truth["incident_start_week"])
    others = [r for r in demo_options["region"] if r != region]
    for week, expect in ((start - timedelta(weeks=1), False), (start + timedelta(weeks=1), True)):
        for other in others:
            r = compare.build_comparison(demo_fetch, Filters(week=week_label(week)),
                                         Selection("region", (region, other), "nps"),
                                         demo_options)
            c = r.cell("nps", other)
            if expect:  # the incident week: Central far below every other region
                assert c.significant and c.delta > 15 and c.better, (other, c)
            else:  # the week before: no significant NPS difference
                assert not c.significant, (other, c)
    assert r.ranking["group"].iloc[-1] == region  # worst of all five regions
    assert r.ranking["rank"].tolist() == [1, 2, 3, 4, 5]
    assert r.trend_takeaway.split("; ")[1].startswith(f"{region} moved most: −")


def _weeks(start: date, end: date) -> list[str]:
    return [week_label(start + timedelta(weeks=k)) for k in range((end - start).days // 7 + 1)]


def test_programme_segment_pulls_ahead_after_2026(demo_fetch, demo_options, truth):
    seg = truth["programme_segment"]
    others = tuple(s for s in demo_options["segment"] if s != seg)
    sel = Selection("segment", (seg, *others), "nps")
    start = parse_week(truth["programme_start_week"])
    pre = _weeks(parse_week(truth["start_week"]), start - timedelta(weeks=1))
    post = _weeks(date(2026, 1, 5), parse_week(truth["end_week"]) - timedelta(weeks=1))

    def cells(weeks):
        out = []
        for w in weeks:
            r = compare.build_comparison(demo_fetch, Filters(week=w), sel, demo_options)
            out.append({g: r.cell("nps", g) for g in others})
        return out

    before, after = cells(pre), cells(post)
    # against Mass (similar NPS before the programme): significantly higher in most 2026 weeks
    mass = "Mass"
    assert sum(c[mass].significant and c[mass].delta < 0 for c in after) >= 0.7 * len(after)
    assert sum(c[mass].significant and c[mass].delta < 0 for c in before) <= 0.1 * len(before)
    assert all(c[mass].delta < 0 for c in after)  # Business NPS higher every 2026 week
    # against Affluent (far ahead before): the significant gap closes
    aff = "Affluent"
    assert sum(c[aff].significant and c[aff].delta > 0 for c in before) >= 0.4 * len(before)
    assert not any(c[aff].significant and c[aff].delta > 0 for c in after)
    assert not any(c[g].significant and c[g].delta > 0 for c in after for g in (mass,))


@pytest.mark.parametrize("metric", ["nps", "cost_to_serve", "complaint_rate"])
def test_demo_ranking_is_ordered_by_the_kpi_direction(demo_fetch, demo_options, metric):
    m = REGISTRY[metric]
    r = compare.build_comparison(demo_fetch, Filters(week="2026-W30"),
                                 Selection("region", ("North", "South"), metric), demo_options)
    vals = r.ranking["value"].tolist()
    assert len(vals) == 5 and all(pd.notna(vals))
    assert vals == sorted(vals, reverse=m.higher_is_better)
    assert r.ranking["rank"].tolist() == [1, 2, 3, 4, 5]
    # each value is the KPI report's value for that region alone
    for g, v in zip(r.ranking["group"], vals, strict=True):
        k = kpis.build_report(demo_fetch, Filters(week="2026-W30", regions=(g,)))
        assert v == pytest.approx(k.tile(metric).current.value)
    best, worst = r.ranking.iloc[0], r.ranking.iloc[-1]
    assert r.ranking_takeaway.startswith(
        f"Best region for {m.label} in 2026-W30: {best['group']} "
        f"{format_value(best['value'], m.fmt, '$')} (n = {int(best['n']):,}); worst: "
        f"{worst['group']}")


def _customer_revenue(frames, week: str, dimension: str) -> dict[str, pd.Series]:
    """Each active customer's net revenue in the week, by group, from the raw rows: active at
    the week's Monday (signed up on or before it, churn date after it), 0 without a
    transaction."""
    monday = pd.Timestamp(parse_week(week))
    cust = frames["customers"]
    signup = pd.to_datetime(cust["signup_date"])
    churn = pd.to_datetime(cust["churn_date"])
    active = cust[(signup <= monday) & (churn.isna() | (churn > monday))]
    tx = frames["transactions"]
    at = pd.to_datetime(tx["occurred_at"])
    week_tx = tx[(at >= monday) & (at < monday + pd.Timedelta(days=7))]
    spent = week_tx.groupby("customer_id")["amount"].sum()
    x = active["customer_id"].map(spent).fillna(0.0)
    return {str(g): x[active[dimension] == g].astype(float) for g in active[dimension].unique()}


def test_revenue_per_customer_equals_the_raw_rows_and_welch(demo_fetch, demo_options,
                                                            demo_frames):
    from scipy import stats as sps

    week = "2026-W30"
    r = compare.build_comparison(demo_fetch, Filters(week=week),
                                 Selection("region", ("North", "South", "East"),
                                           "revenue_per_customer"), demo_options)
    x = _customer_revenue(demo_frames, week, "region")
    for g in ("North", "South", "East"):
        e = r.cell("revenue_per_customer", g).estimate
        assert (e.value, e.n) == (pytest.approx(x[g].mean()), len(x[g]))
        lo, hi = sps.t.interval(0.95, len(x[g]) - 1, loc=x[g].mean(), scale=sps.sem(x[g]))
        assert (e.ci_low, e.ci_high) == pytest.approx((lo, hi))
    for g in ("South", "East"):
        c = r.cell("revenue_per_customer", g)
        p = sps.ttest_ind(x[g], x["North"], equal_var=False).pvalue
        assert c.p_value == pytest.approx(p, rel=1e-6, abs=1e-12)
        assert c.delta == pytest.approx(x[g].mean() - x["North"].mean())
    # the ranking is per customer too, every region once, best first
    assert r.ranking["value"].tolist() == sorted(r.ranking["value"], reverse=True)
    for g, v in zip(r.ranking["group"], r.ranking["value"], strict=True):
        assert v == pytest.approx(x[g].mean())


def test_group_totals_differ_with_size_but_per_customer_is_like_for_like(
        demo_fetch, demo_options, demo_frames):
    week = "2026-W30"
    r = compare.build_comparison(demo_fetch, Filters(week=week),
                                 Selection("segment", ("Mass", "Business")), demo_options)
    x = _customer_revenue(demo_frames, week, "segment")
    tx = demo_frames["transactions"]
    at = pd.to_datetime(tx["occurred_at"])
    monday = pd.Timestamp(parse_week(week))
    seg = tx["customer_id"].map(demo_frames["customers"].set_index("customer_id")["segment"])
    in_week = (at >= monday) & (at < monday + pd.Timedelta(days=7))
    for g in ("Mass", "Business"):
        total = r.cell("revenue", g)
        assert total.context and total.p_value is None and not total.significant
        assert total.estimate.value == pytest.approx(tx.loc[in_week & (seg == g), "amount"].sum())
        assert r.cell("revenue_per_customer", g).estimate.value == pytest.approx(x[g].mean())
    side = r.side_by_side().set_index("KPI")
    assert side.loc["Revenue (group total)", "Business vs Mass"] == compare.CONTEXT_VERDICT
    assert side.loc["Revenue per customer", "Business vs Mass"] != compare.CONTEXT_VERDICT


def test_channel_scores_match_the_response_rows(demo_wh, demo_fetch, demo_options):
    week = "2026-W30"
    r = compare.build_comparison(demo_fetch, Filters(week=week),
                                 Selection("channel", ("email", "sms", "phone"), "csat"),
                                 demo_options)
    rows = demo_wh.sql(
        "select channel, nps_category from marts.fct_survey_responses "
        "where survey = 'nps' and cast(date_trunc('week', responded_at) as date) = $w",
        {"w": parse_week(week)})
    for ch in ("email", "sms"):
        cat = rows.loc[rows["channel"] == ch, "nps_category"].value_counts()
        expected = stats.nps(cat.get("promoter", 0), cat.get("passive", 0),
                             cat.get("detractor", 0))
        got = r.cell("nps", ch).estimate
        assert (got.value, got.n) == pytest.approx((expected.value, expected.n))
    assert r.cell("nps", "phone").estimate.n == 0  # NPS is never asked by phone
    assert r.cell("csat", "phone").estimate.shown
    assert not r.cell("cost_to_serve", "phone").applicable
    assert r.trend["group"].unique().tolist() == ["email", "sms", "phone"]
    assert len(r.trend) == 3 * config.TREND_WEEKS


# --- the page (AppTest) ---


def _filters(at: AppTest, week: str, filters: dict[str, list[str]]) -> None:
    """Set the shared filter bar. When the bar is not drawn on this page (st.navigation with a
    pages/ folder runs a page whose url_path equals its file stem without the entrypoint), its
    state is set directly, before every run, as the bar's widgets would hold it."""
    state = {"f_week": week, **filters}
    for key, value in state.items():
        widgets = [w for w in (*at.selectbox, *at.multiselect) if w.key == key]
        if widgets:
            widgets[0].set_value(value)
        else:
            at.session_state[key] = value


@pytest.fixture
def page(open_app):
    at = open_app("pages/segments.py", timeout=60)
    return at


def _show(at: AppTest, *, week: str, dimension: str, groups: list[str], metric: str = "nps",
          filters: dict[str, list[str]] | None = None) -> None:
    _filters(at, week, filters or {})
    at.selectbox(key="cmp_dimension").set_value(dimension)
    at.selectbox(key="cmp_metric").set_value(metric)
    at.run()
    _filters(at, week, filters or {})
    at.multiselect(key=f"cmp_groups_{dimension}").set_value(groups)
    at.run()
    assert not at.exception, at.exception
    # under the title: the data's as-of date (and, the tests' world being old, one line saying
    # so), then the page's scope line after its pickers
    captions = [c.value for c in at.caption if "The newest data is" not in c.value]
    assert captions[0].startswith("Data as of ")
    assert captions[1].startswith(ui.plain(week))


def _table(at: AppTest, n: int = 0) -> pd.DataFrame:
    return at.dataframe[n].value


def _report(demo_db, week, sel, **filters) -> compare.CompareReport:
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    return compare.build_comparison(fetch, Filters(week=week, **filters), sel,
                                    compare.load_options(fetch))


def _cli(demo_db, week, **filters) -> dict:
    args = ["--week", week]
    for dim, values in filters.items():
        for v in values:
            args += [f"--{dim}", v]
    return kpis_json(f"duckdb:///{demo_db}", *args)["kpis"]


def test_page_default_renders_three_segments(page, demo_frames):
    assert page.title[0].value == "Segment comparison"
    side = _table(page)
    assert list(side["KPI"]) == [
        "NPS", "CSAT", "CES", "Complaint rate", "Churn rate (4 weeks)", "Cost to serve",
        "Revenue per customer", "Revenue (group total)"]
    # the largest segment of the week (customers active at its Monday) is the reference
    week = page.selectbox(key="f_week").value
    sizes = {g: len(v) for g, v in _customer_revenue(demo_frames, week, "segment").items()}
    ref, *others = sorted(sizes, key=lambda g: -sizes[g])
    assert page.multiselect(key="cmp_groups_segment").value == [ref, *others]
    assert {ref, *others, *(f"{g} vs {ref}" for g in others)} <= set(side.columns)
    captions = [c.value for c in page.caption]
    assert any(f"differences against {ref}" in c for c in captions)


def test_page_incident_week_regions_match_the_cli(page, demo_db, truth):
    region = truth["incident_region"]
    week = week_label(parse_week(truth["incident_start_week"]) + timedelta(weeks=1))
    _show(page, week=week, dimension="region", groups=[region, "North"], metric="nps")
    side = _table(page).set_index("KPI")
    for g in (region, "North"):
        doc = _cli(demo_db, week, region=[g])
        for m in METRICS:  # the revenue total stands beside revenue per customer
            v, label = doc[m.name], compare.CONTEXT_LABELS.get(m.name, m.label)
            assert side.loc[label, g].split(" · ")[0] == format_value(v["value"], m.fmt, "$")
            assert side.loc[label, f"{g} n"] == f"{v['n']:,}"
    verdict = side.loc["NPS", f"North vs {region}"]
    # a plain word; the test (Benjamini–Hochberg) is in "how computed"
    assert verdict.endswith("▲ better") and "significant" not in verdict
    rep = _report(demo_db, week, Selection("region", (region, "North"), "nps"))
    captions = [c.value for c in page.caption]
    assert ui.plain(rep.table_takeaway) in captions
    assert ui.plain(rep.trend_takeaway) in captions
    ranking = _table(page, 1)
    assert ranking["Region"].iloc[-1] == region and ranking["Rank"].iloc[0] == "1"


def test_page_segments_within_a_region_lower_is_better(page, demo_db):
    week = "2026-W30"
    _show(page, week=week, dimension="segment", groups=["Business", "Mass", "Affluent"],
          metric="cost_to_serve", filters={"f_region": ["North"]})
    side = _table(page).set_index("KPI")
    for g in ("Business", "Mass"):
        doc = _cli(demo_db, week, segment=[g], region=["North"])
        assert side.loc["Cost to serve", g] == format_value(doc["cost_to_serve"]["value"],
                                                            "money2", "$")
        assert side.loc["NPS", g].split(" · ")[0] == format_value(doc["nps"]["value"], "score")
    ranking = _table(page, 1)
    rep = _report(demo_db, week, Selection("segment", ("Business", "Mass", "Affluent"),
                                           "cost_to_serve"), regions=("North",))
    values = rep.ranking["value"].tolist()
    assert values == sorted(values)  # lower is better: cheapest first
    assert ranking["Segment"].tolist() == rep.ranking["group"].tolist()
    assert ranking["Cost to serve"].tolist() == [format_value(v, "money2", "$") for v in values]
    assert ui.plain(rep.money_note) in [c.value for c in page.caption]


def test_page_plan_groups_replace_the_plan_filter(page, demo_db):
    week = "2026-W12"
    _show(page, week=week, dimension="plan", groups=["Premium", "Basic"], metric="churn_rate_4w",
          filters={"f_plan": ["Standard"], "f_segment": ["Mass", "Affluent"]})
    side = _table(page).set_index("KPI")
    for g in ("Premium", "Basic"):
        doc = _cli(demo_db, week, plan=[g], segment=["Mass", "Affluent"])
        for name, label in (("nps", "NPS"), ("churn_rate_4w", "Churn rate (4 weeks)"),
                            ("revenue", "Revenue (group total)")):
            m = REGISTRY[name]
            assert side.loc[label, g].split(" · ")[0] == format_value(doc[name]["value"],
                                                                      m.fmt, "$")
    captions = " ".join(c.value for c in page.caption)
    assert "plan filter is replaced by the groups" in captions


def test_page_channels_show_survey_scores_only(page, demo_db):
    week = "2026-W30"
    _show(page, week=week, dimension="channel", groups=["email", "sms", "phone"],
          metric="csat")
    side = _table(page).set_index("KPI")
    rep = _report(demo_db, week, Selection("channel", ("email", "sms", "phone"), "csat"))
    assert side.loc["NPS", "email"] == format_value(rep.cell("nps", "email").estimate.value,
                                                    "score")
    assert side.loc["NPS", "phone"] == "— no responses"
    for label in ("Complaint rate", "Churn rate (4 weeks)", "Cost to serve",
                  "Revenue per customer", "Revenue (group total)"):
        assert side.loc[label, "sms"] == "not applicable by channel"
        assert side.loc[label, "sms vs email"] == "not applicable by channel"
    ranking = _table(page, 1)
    assert ranking["Survey channel"].tolist() == rep.ranking["group"].tolist()
    # an operational KPI has no per-channel ranking: the page says so instead
    page.selectbox(key="cmp_metric").set_value("cost_to_serve")
    _filters(page, week, {})
    page.run()
    assert len(page.dataframe) == 1
    assert any(c.value.startswith("Cost to serve is not defined per survey channel")
               for c in page.caption)


def _answers(frames, week: str, survey: str) -> pd.Series:
    """Answers to ``survey`` in the week per survey channel, from the raw rows."""
    monday = pd.Timestamp(parse_week(week))
    r = frames["survey_responses"]
    at = pd.to_datetime(r["responded_at"])
    r = r[(at >= monday) & (at < monday + pd.Timedelta(days=7)) & (r["survey"] == survey)]
    return r.groupby("channel").size()


@pytest.mark.parametrize("week", ["2025-W02", "2026-W30"])
def test_page_channel_defaults_have_answers_in_the_week(open_app, demo_frames, week):
    """The survey-channel split starts with the channels holding the most answers to the
    ranked score in the selected week, the largest first: never one without answers."""
    at = open_app("pages/segments.py", timeout=60)
    _filters(at, week, {})
    at.selectbox(key="cmp_dimension").set_value("channel")
    at.run()
    assert not at.exception, at.exception
    answers = _answers(demo_frames, week, "nps")
    picked = at.multiselect(key="cmp_groups_channel").value
    ranked = answers.sort_values(ascending=False, kind="stable")
    assert picked == list(ranked.index[:3])
    assert all(answers.get(g, 0) > 0 for g in picked)
    side = _table(at).set_index("KPI")
    assert all(side.loc["NPS", g] not in ("— no responses", "— no data") for g in picked)


def test_page_asks_for_two_groups(page):
    page.multiselect(key="cmp_groups_segment").set_value(["Mass"])
    page.run()
    assert not page.exception
    assert page.warning[0].value == "Pick 2 to 4 segments to compare."
    assert len(page.dataframe) == 0
