"""Complaints page: hand-computed statistics, fixture queries by hand, demo recovery, AppTest."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from streamlit.testing.v1 import AppTest

from dashboard.analysis import complaints
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.warehouse import config
from tests.conftest import Seen

ALL = {"segments": [], "regions": [], "plans": []}


# --- pure statistics by hand ---------------------------------------------------------------------


def test_quantiles_by_hand():
    x = list(range(1, 11))  # 1..10
    assert complaints.quantile(x, 0.5) == pytest.approx(5.5)
    # P90, linear: position 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9)
    assert complaints.quantile(x, 0.9) == pytest.approx(9.1)
    # n = 10, median: Binomial(10, .5) quantiles 2 and 8 -> order statistics x(2), x(9)
    assert complaints.quantile_ci(x, 0.5) == (2.0, 9.0)
    # the interval's exact coverage P(2 <= B <= 8) is at least 95%
    assert sps.binom.cdf(8, 10, 0.5) - sps.binom.cdf(1, 10, 0.5) >= 0.95
    # n = 100 median: the textbook interval is (x(40), x(61))
    y = np.arange(1, 101, dtype=float)
    assert complaints.quantile_ci(y, 0.5) == (40.0, 61.0)
    # P90 of 100: Binomial(100, .9) 2.5% / 97.5% quantiles 84 and 95 -> (x(84), x(96))
    assert complaints.quantile_ci(y, 0.9) == (84.0, 96.0)


def test_time_summary_withholds_small_bases_and_badges_low_ones():
    assert complaints.time_summary([1.0] * 29).status == "withheld"
    assert complaints.time_summary([1.0] * 29).median.value is None
    s = complaints.time_summary(list(range(1, 41)) + [np.nan])  # NaN (no response) dropped
    assert s.n == 40 and s.status == "low_base"
    assert s.median.value == pytest.approx(20.5)
    assert s.p90.value == pytest.approx(36.1)  # 1 + 0.9 * 39
    assert s.median.ci_low <= 20.5 <= s.median.ci_high


def test_pareto_shares_by_hand():
    par = complaints.pareto(pd.Series(["b", "a", "b", "c", "b", "a", "d", "c"]))
    assert list(par["category"]) == ["b", "a", "c", "d"]  # ties (a, c: 2 each) by name
    assert list(par["count"]) == [3, 2, 2, 1]
    assert par["share_pct"].tolist() == pytest.approx([37.5, 25.0, 25.0, 12.5])
    assert par["cumulative_pct"].tolist() == pytest.approx([37.5, 62.5, 87.5, 100.0])


def test_pareto_of_counts_equals_pareto_of_rows():
    rows = pd.Series(["b", "a", "b", "c", "b", "a", "d", "c", None])
    cells = pd.DataFrame({"category": ["a", "b", "b", "c", "d", None],
                          "count": [2, 1, 2, 2, 1, 1]})
    pd.testing.assert_frame_equal(complaints.pareto(cells["category"], cells["count"]),
                                  complaints.pareto(rows))
    assert complaints.pareto(pd.Series([], dtype=object), []).empty


def test_age_bands_touch_so_lower_bounds_define_them(monkeypatch):
    assert complaints.age_band_bounds() == [0.0, 48.0, 168.0, 720.0, 2160.0]
    gap = ((0.0, 48.0, "a"), (72.0, math.inf, "b"))
    monkeypatch.setattr(complaints, "AGE_BANDS", gap)
    with pytest.raises(ValueError, match="ascend"):
        complaints.age_band_bounds()
    monkeypatch.setattr(complaints, "AGE_BANDS", ((0.0, 48.0, "a"), (48.0, 96.0, "b")))
    with pytest.raises(ValueError, match="ascend"):
        complaints.age_band_bounds()


def test_backlog_bands_by_hand():
    # cmp_backlog's rows of two cells: the band's lower bound, complaints, of customers gone;
    # one complaint younger than every band (null bound) counts in the total only
    rows = pd.DataFrame({
        "band_lower_hours": [0.0, 48.0, 168.0, 720.0, 2160.0, 0.0, 48.0, None],
        "complaint_count": [1, 2, 2, 2, 2, 1, 0, 1],
        "customer_left_count": [1, 0, 1, 1, 1, 0, 0, 1],
    })
    bl = complaints.backlog_bands(rows["band_lower_hours"], rows["complaint_count"],
                                  rows["customer_left_count"]).set_index("band")
    assert list(bl.index) == ["under 2 days", "2–7 days", "7–30 days", "30–90 days",
                              "over 90 days"]
    assert bl["count"].tolist() == [2, 2, 2, 2, 2]
    assert bl["customer_left"].tolist() == [1, 0, 1, 1, 1]
    assert bl.loc["over 90 days", "share_pct"] == pytest.approx(100 * 2 / 11)
    empty = complaints.backlog_bands([], [], [])
    assert empty["count"].sum() == 0 and empty["share_pct"].isna().all()


def test_repeat_complainers_by_hand():
    # customers 1 and 4 opened one complaint, 2 and 5 two, 3 three (two cells)
    rep = complaints.repeat_complainers([1, 2, 1, 2, 3], [1, 1, 1, 1, 1]).set_index("complaints")
    assert rep["customers"].to_dict() == {"1": 2, "2": 2, "3 or more": 1}
    assert rep.loc["2", "share_pct"] == pytest.approx(40.0)
    rep = complaints.repeat_complainers([1, 3, 4, 7], [10, 2, 1, 1]).set_index("complaints")
    assert rep["customers"].to_dict() == {"1": 10, "2": 0, "3 or more": 4}


def test_severity_mix_zero_fills_and_orders_by_severity():
    w1, w2 = date(2026, 3, 2), date(2026, 3, 9)
    df = pd.DataFrame({"week_start": [w1, w1, w1, w1], "severity": ["high", "low", "low", "odd"]})
    mix = complaints.severity_mix(df, [w1, w2])
    assert list(mix["severity"].unique()) == ["low", "high", "odd"]
    first = mix[mix["week_start"] == w1].set_index("severity")
    assert first["count"].to_dict() == {"low": 2, "high": 1, "odd": 1}
    assert first.loc["low", "share_pct"] == pytest.approx(50.0)
    second = mix[mix["week_start"] == w2]
    assert second["count"].sum() == 0 and second["share_pct"].isna().all()
    # the same complaints as counts per week and severity (cmp_complaints' cells)
    cells = pd.DataFrame({"week_start": [w1, w1, w1], "severity": ["high", "low", "odd"]})
    pd.testing.assert_frame_equal(complaints.severity_mix(cells, [w1, w2], [1, 2, 1]), mix)


def test_weekly_volume_rate_is_exact_poisson():
    w = date(2026, 3, 2)
    weekly = pd.DataFrame({"week_start": [w], "active_at_start": [5000], "complaint_count": [40],
                           "compensated_count": [2], "compensation_amount": [100.0],
                           "compensation_sq_sum": [5000.0]})
    rows = complaints.weekly_volume(weekly, [w, w + timedelta(weeks=1)])
    row = rows.iloc[0]
    assert row["value"] == pytest.approx(8.0)
    assert row["ci_low"] == pytest.approx(1000 * sps.chi2.ppf(0.025, 80) / 2 / 5000)
    assert row["ci_high"] == pytest.approx(1000 * sps.chi2.ppf(0.975, 82) / 2 / 5000)
    assert row["per_complaint"] == pytest.approx(2.5)
    # t interval of the mean from the sum of squares: sd = sqrt((5000 - 40 * 2.5²) / 39)
    half = sps.t.ppf(0.975, 39) * np.sqrt((5000 - 40 * 6.25) / 39) / np.sqrt(40)
    assert row["per_complaint_high"] == pytest.approx(2.5 + half)
    # a week missing from the query is a week without complaints and without a base
    assert rows.iloc[1]["complaints"] == 0 and rows.iloc[1]["status"] == "withheld"


def test_recovery_table_wilson_adjusted_wald_and_bh():
    df = pd.DataFrame({
        "recovery_group": ["within_48h", "later", "never", "no_complaint"],
        "customer_count": [400, 300, 120, 5000], "retained_count": [380, 276, 90, 4800],
        "nps_count": [150, 110, 60, 900], "promoter_count": [30, 20, 5, 400],
        "passive_count": [40, 30, 10, 300], "detractor_count": [80, 60, 45, 200],
    })
    rec = complaints.recovery_table(df).set_index("group")
    lo, hi = stats.wilson(90, 120)
    assert rec.loc["never", "retention_pct"] == pytest.approx(75.0)
    assert (rec.loc["never", "retention_low"], rec.loc["never", "retention_high"]) == \
        pytest.approx((100 * lo, 100 * hi))
    assert rec.loc["never", "nps"] == pytest.approx(100 * (5 - 45) / 60)
    assert rec.loc["never", "nps_status"] == "low_base"  # 60 answers
    raw = [stats.share_test(276, 300, 380, 400), stats.nps_test((20, 30, 60), (30, 40, 80)),
           stats.share_test(90, 120, 380, 400), stats.nps_test((5, 10, 45), (30, 40, 80)),
           stats.share_test(4800, 5000, 380, 400), stats.nps_test((400, 300, 200), (30, 40, 80))]
    adj = stats.benjamini_hochberg(raw)
    assert rec.loc["never", "retention_p_adj"] == pytest.approx(adj[2])
    assert bool(rec.loc["never", "retention_significant"]) == (adj[2] < 0.05)
    # a low-base group is never marked significant, whatever its p-value
    assert rec.loc["never", "nps_p_adj"] == pytest.approx(adj[3])
    assert not rec.loc["never", "nps_significant"]
    assert np.isnan(rec.loc["within_48h", "retention_p"])


# --- the queries on the fixture warehouse, by hand ----------------------------------------------


def test_cmp_weekly_on_fixture(fixture_wh):
    df = fixture_wh.run("cmp_weekly", start_week=date(2026, 3, 2), end_week=date(2026, 3, 16),
                        **ALL)
    assert df["complaint_count"].tolist() == [1, 2, 0]
    assert df["active_at_start"].tolist() == [5, 5, 5]
    assert df["compensation_amount"].tolist() == pytest.approx([0.0, 20.0, 0.0])
    assert df["compensated_count"].tolist() == [0, 1, 0]


def test_cmp_closures_hours_on_fixture(fixture_wh):
    df = fixture_wh.run("cmp_closures", start_week=date(2026, 3, 2),
                        response_start_week=date(2026, 3, 2), end_week=date(2026, 3, 9))
    # 501 (customer 8: Mass, East) and 503 (customer 1: Mass, North); 502 was never answered
    # nor resolved; the rows carry no complaint id
    assert "complaint_id" not in df.columns
    got = df.set_index("region")
    assert sorted(got.index) == ["East", "North"]
    assert got.loc["East", "first_response_hours"] == pytest.approx(2.0)
    assert got.loc["East", "resolution_hours"] == pytest.approx(48.0)
    assert got.loc["East", "resolution_week"] == date(2026, 3, 2)
    assert got.loc["North", "first_response_hours"] == pytest.approx(5 / 60)
    assert got.loc["North", "resolution_hours"] == pytest.approx(4.0)
    assert got.loc["North", "response_week"] == date(2026, 3, 9)
    # resolutions from W11 only: 501 (answered 03-03, resolved 03-05) comes back only while its
    # answer falls in the response weeks
    late = fixture_wh.run("cmp_closures", start_week=date(2026, 3, 9),
                          response_start_week=date(2026, 3, 9), end_week=date(2026, 3, 9))
    assert late["region"].tolist() == ["North"]
    early = fixture_wh.run("cmp_closures", start_week=date(2026, 3, 9),
                           response_start_week=date(2026, 3, 2), end_week=date(2026, 3, 9))
    assert sorted(early["region"]) == ["East", "North"]


def _backlog(wh, as_of, bounds) -> list[tuple]:
    df = wh.run("cmp_backlog", as_of=as_of, band_lower_hours=bounds)
    return [(r.region, None if pd.isna(r.band_lower_hours) else r.band_lower_hours,
             r.complaint_count, r.customer_left_count) for r in df.itertuples()]


def test_cmp_backlog_bands_on_fixture(fixture_wh):
    bounds = complaints.age_band_bounds()
    # end of W11 (Monday 2026-03-16): only 502 is open (customer 2: Mass, South, Standard),
    # opened 2026-03-09 09:00 -> 159 hours, in the 2-7 days band (from 48 h); customer 2 left
    # on 2026-03-11
    df = fixture_wh.run("cmp_backlog", as_of=date(2026, 3, 16), band_lower_hours=bounds)
    assert df[["segment", "region", "plan"]].values.tolist() == [["Mass", "South", "Standard"]]
    assert _backlog(fixture_wh, date(2026, 3, 16), bounds) == [("South", 48.0, 1, 1)]
    # a lower bound is inclusive: an age of exactly 159 h is in the band starting at 159 h
    assert _backlog(fixture_wh, date(2026, 3, 16), [0.0, 159.0]) == [("South", 159.0, 1, 1)]
    assert _backlog(fixture_wh, date(2026, 3, 16), [0.0, 159.5]) == [("South", 0.0, 1, 1)]
    # younger than every band: no band, still counted
    assert _backlog(fixture_wh, date(2026, 3, 16), [200.0]) == [("South", None, 1, 1)]
    assert _backlog(fixture_wh, date(2026, 3, 16), []) == [("South", None, 1, 1)]
    # on Thursday 2026-03-05 00:00, 501 (customer 8, still a customer; opened 03-03 10:00,
    # resolved 03-05 10:00) is open: 38 hours, under 2 days
    assert _backlog(fixture_wh, date(2026, 3, 5), bounds) == [("East", 0.0, 1, 0)]
    assert _backlog(fixture_wh, date(2026, 3, 5), [0.0, 38.0]) == [("East", 38.0, 1, 0)]


def test_cmp_complaints_first_contact_as_known_on_fixture(fixture_wh):
    df = fixture_wh.run("cmp_complaints", start_week=date(2026, 3, 2),
                        end_week=date(2026, 3, 9))
    # 501: customer 8 (East), W10, billing, medium; 502: customer 2 (South), W11, network,
    # high; 503: customer 1 (North), W11, service_quality, low, resolved at first contact on
    # 03-12, before the end of W11
    got = {r.region: (r.week_start, r.category, r.severity, r.complaint_count,
                      r.first_contact_resolved_count) for r in df.itertuples()}
    assert got == {"East": (date(2026, 3, 2), "billing", "medium", 1, 0),
                   "South": (date(2026, 3, 9), "network", "high", 1, 0),
                   "North": (date(2026, 3, 9), "service_quality", "low", 1, 1)}
    # known at the end of W10, 503 was not yet opened; none resolved at first contact
    w10 = fixture_wh.run("cmp_complaints", start_week=date(2026, 3, 2), end_week=date(2026, 3, 2))
    assert w10["complaint_count"].tolist() == [1]
    assert w10["first_contact_resolved_count"].tolist() == [0]
    # every customer's cells, with the customer's dimensions for the filters
    assert not df.loc[Filters(week="2026-W11", segments=("Business",)).selects(df)].size
    assert Filters(week="2026-W11", segments=tuple(df["segment"])).selects(df).all()


def test_cmp_repeat_complainants_on_fixture(fixture_wh):
    # W10-W11: customers 8, 2 and 1 opened one complaint each, in three cells
    df = fixture_wh.run("cmp_repeat_complainants", start_week=date(2026, 3, 2),
                        end_week=date(2026, 3, 9))
    assert sorted(zip(df["region"], df["complaint_count"], df["customer_count"],
                      strict=True)) == [("East", 1, 1), ("North", 1, 1), ("South", 1, 1)]
    assert fixture_wh.run("cmp_repeat_complainants", start_week=date(2026, 3, 16),
                          end_week=date(2026, 3, 16)).empty


def test_cmp_recovery_on_fixture(fixture_wh):
    rows = fixture_wh.run("cmp_recovery", cohort_start=date(2026, 3, 2),
                          cohort_end=date(2026, 3, 16), as_of=date(2026, 3, 23))
    df = Filters(week="2026-W11").narrow(rows, ["recovery_group"]).set_index("recovery_group")
    # 501 (customer 8) resolved in exactly 48 h and 503 (customer 1) in 4 h; 502 (customer 2)
    # never; no complaint: customers 3, 5 and 7 are active on 2026-03-16
    assert df["customer_count"].to_dict() == {"never": 1, "no_complaint": 3, "within_48h": 2}
    # customer 2 left on 2026-03-11, within 90 days of the complaint
    assert df["retained_count"].to_dict() == {"never": 0, "no_complaint": 3, "within_48h": 2}
    # next NPS answers: customer 8 -> 3 on 03-08 (detractor); customer 1 answered before the
    # complaint only; customer 2 -> 8 on 03-10 (passive); 3, 5, 7 none after 03-16
    assert df.loc["within_48h", ["nps_count", "detractor_count"]].tolist() == [1, 1]
    assert df.loc["never", ["nps_count", "passive_count"]].tolist() == [1, 1]
    assert df.loc["no_complaint", "nps_count"] == 0


def test_report_on_fixture_by_hand(fixture_wh, monkeypatch):
    monkeypatch.setattr(config, "MIN_BASE", 1)
    monkeypatch.setattr(config, "LOW_BASE", 1)
    fetch = lambda name, **p: fixture_wh.run(name, **p)  # noqa: E731
    r = complaints.build_report(fetch, Filters(week="2026-W11"))
    assert r.card("Complaints per 1,000 customers").value == "400.00"  # 1000 × 2 / 5
    assert r.card("Open backlog").value == "1"
    assert r.backlog.set_index("band").loc["2–7 days", "count"] == 1
    # categories of the 3 complaints opened W07-W11: billing, network, service_quality
    assert r.pareto["share_pct"].tolist() == pytest.approx([100 / 3] * 3)
    # 4 weeks W08-W11: resolutions 48 h and 4 h -> median 26 h
    assert r.card("Time to resolution (median)").value == "26.0 h"
    assert r.card("First-contact resolution").value == "33.3%"  # 503 of 3
    assert r.card("Compensation paid").value == "$20"


# --- the demo world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fetch(demo_fetch):
    return demo_fetch


@pytest.fixture(scope="module")
def latest(fetch) -> str:
    return kpis.load_catalog(fetch).latest_complete


def test_recovery_never_resolved_retains_fewer_than_fast(fetch, latest):
    r = complaints.build_report(fetch, Filters(week=latest))
    rec = r.recovery.set_index("group")
    never, fast = rec.loc["never"], rec.loc["within_48h"]
    assert never["retention_pct"] < fast["retention_pct"] - 5
    assert never["retention_high"] < fast["retention_low"]
    assert bool(never["retention_significant"])
    # customers without a complaint keep best; every complaint group is at least 90 answers
    assert rec.loc["no_complaint", "retention_pct"] > fast["retention_pct"]
    assert "never resolving is worse" in r.takeaways["retention"]
    shown = r.recovery_rows.set_index("Group")["vs resolved within 48 h"]
    assert shown[complaints.RECOVERY_GROUPS["never"]] == "worse"


def test_rate_card_equals_the_weekly_kpi(fetch, latest):
    f = Filters(week=latest, regions=("Central",), compare="4w")
    r = complaints.build_report(fetch, f)
    tile = kpis.build_report(fetch, f).tile("complaint_rate")
    assert r.card("Complaints per 1,000 customers").value == f"{tile.current.value:.2f}"


def test_incident_shows_in_complaints(fetch, truth):
    start = parse_week(truth["incident_start_week"])
    f = Filters(week=week_label(start + timedelta(weeks=1)), regions=(truth["incident_region"],),
                compare="4w")
    r = complaints.build_report(fetch, f)
    card = r.card("Complaints per 1,000 customers")
    assert card.significant and card.delta.startswith("+")
    assert r.pareto["category"].iloc[0] == "network"  # the incident's complaints lead
    # shown in words on the chart and in its takeaway
    assert "Network alone" in r.takeaways["pareto"]


def _raw_complaints(demo_frames) -> pd.DataFrame:
    c = demo_frames["complaints"].copy()
    for col in ("opened_at", "first_response_at", "resolved_at"):
        c[col] = pd.to_datetime(c[col])
    return c


def test_demo_report_matches_pandas_oracle(fetch, latest, demo_frames):
    """Medians, P90s, backlog and Pareto recomputed from the raw frames with pandas."""
    r = complaints.build_report(fetch, Filters(week=latest))
    c = _raw_complaints(demo_frames)
    w = pd.Timestamp(parse_week(latest))
    end, start4 = w + pd.Timedelta(days=7), w - pd.Timedelta(weeks=3)
    hours = (c["resolved_at"] - c["opened_at"]).dt.total_seconds() / 3600
    resolved = hours[(c["resolved_at"] >= start4) & (c["resolved_at"] < end)]
    assert r.card("Time to resolution (median)").value == f"{resolved.median():,.1f} h"
    card = r.card("Time to resolution (median)")
    assert card.captions[0].startswith(f"P90 {resolved.quantile(0.9):,.1f} h")
    resp = (c["first_response_at"] - c["opened_at"]).dt.total_seconds() / 3600
    answered = resp[(c["first_response_at"] >= start4) & (c["first_response_at"] < end)]
    assert r.card("Time to first response (median)").value == f"{answered.median():,.1f} h"
    is_open = (c["opened_at"] < end) & (c["resolved_at"].isna() | (c["resolved_at"] >= end))
    assert r.card("Open backlog").value == f"{int(is_open.sum()):,}"
    age = (end - c.loc[is_open, "opened_at"]).dt.total_seconds() / 3600
    assert int(r.backlog.set_index("band").loc["over 90 days", "count"]) == int((age >= 2160).sum())
    recent = c[(c["opened_at"] >= w - pd.Timedelta(weeks=12)) & (c["opened_at"] < end)]
    shares = recent["category"].value_counts(normalize=True) * 100
    got = r.pareto.set_index("category")["share_pct"]
    assert got.to_dict() == pytest.approx(shares.to_dict())


#: Backlog bands written out here (hours): under 2 days, 2–7, 7–30, 30–90, over 90 days.
BAND_EDGES = (0, 48, 168, 720, 2160, np.inf)


def _seconds_hours(start: pd.Series | pd.Timestamp, end: pd.Series | pd.Timestamp) -> pd.Series:
    """Hours between two instants counted in whole seconds of the clock, as the warehouse's
    date_diff('second', …) counts them (second boundaries crossed)."""
    def floor(x):
        return x.dt.floor("s") if isinstance(x, pd.Series) else x.floor("s")
    return (floor(end) - floor(start)).dt.total_seconds() / 3600


def _oracle_time(x: np.ndarray) -> tuple[int, float, float, tuple[float, ...]]:
    """n, median, P90 (linear interpolation) and the order-statistic 95% intervals of both,
    written out from Conover's binomial rule."""
    x = np.sort(x)
    n = x.size
    cis = []
    for q in (0.5, 0.9):
        lo = min(max(int(sps.binom.ppf(0.025, n, q)), 1), n)
        hi = min(max(int(sps.binom.ppf(0.975, n, q)) + 1, 1), n)
        cis += [x[lo - 1], x[hi - 1]]
    s = pd.Series(x)
    return n, float(s.quantile(0.5)), float(s.quantile(0.9)), tuple(cis)


def _oracle(frames, f: Filters, w) -> dict:
    """The Complaints page's figures recomputed from the demo world's raw customers and
    complaints with pandas, for filters ``f`` over the report's windows ``w``."""
    cust = frames["customers"]
    keep = pd.Series(True, index=cust.index)
    for col, values in (("segment", f.segments), ("region", f.regions), ("plan", f.plans)):
        if values:
            keep &= cust[col].isin(values)
    c = _raw_complaints(frames).merge(cust.loc[keep, ["customer_id", "churn_date"]],
                                      on="customer_id")
    c["week"] = (c["opened_at"].dt.normalize()
                 - pd.to_timedelta(c["opened_at"].dt.weekday, unit="D")).dt.date
    end = pd.Timestamp(w.as_of)
    trend = c[(c["week"] >= w.trend_start) & (c["week"] <= w.week)]
    mix = c[(c["week"] >= w.mix_start) & (c["week"] <= w.week)]
    service = c[(c["week"] >= w.service_start) & (c["week"] <= w.week)]
    out: dict = {}
    counts = mix["category"].value_counts()
    par = pd.DataFrame({"category": counts.index, "count": counts.to_numpy()})
    out["pareto"] = par.sort_values(["count", "category"], ascending=[False, True],
                                    ignore_index=True)
    weeks = [w.trend_start + timedelta(weeks=k)
             for k in range((w.week - w.trend_start).days // 7 + 1)]
    sev = trend.groupby(["week", "severity"]).size()
    order = [s for s in ("low", "medium", "high", "critical") if s in set(trend["severity"])]
    out["severity"] = {(wk, s): int(sev.get((wk, s), 0)) for wk in weeks
                       for s in order or ["low", "medium", "high", "critical"]}
    per = mix["customer_id"].value_counts()
    out["repeat"] = {"1": int((per == 1).sum()), "2": int((per == 2).sum()),
                     "3 or more": int((per >= 3).sum())}
    fcr = service["is_resolved_first_contact"] & (service["resolved_at"] < end)
    out["fcr"] = (int(fcr.sum()), len(service))
    is_open = (c["opened_at"] < end) & (c["resolved_at"].isna() | (c["resolved_at"] >= end))
    backlog = c[is_open]
    age = _seconds_hours(backlog["opened_at"], end)
    band = pd.cut(age, BAND_EDGES, right=False, labels=False)
    gone = backlog["churn_date"].notna() & (backlog["churn_date"] <= end)
    out["backlog"] = [(int((band == i).sum()), int(((band == i) & gone).sum()))
                      for i in range(5)]
    resolved = _seconds_hours(c["opened_at"], c["resolved_at"])
    answered = _seconds_hours(c["opened_at"], c["first_response_at"])
    start4 = pd.Timestamp(w.service_start)
    out["resolution_4w"] = resolved[(c["resolved_at"] >= start4) & (c["resolved_at"] < end)]
    out["response_4w"] = answered[(c["first_response_at"] >= start4)
                                  & (c["first_response_at"] < end)]
    out["resolution_weekly"] = {
        wk: resolved[(c["resolved_at"] >= pd.Timestamp(wk))
                     & (c["resolved_at"] < pd.Timestamp(wk) + pd.Timedelta(days=7))]
        for wk in weeks}
    return out


def _assert_time_card(card, x: pd.Series) -> None:
    n, median, p90, (m_lo, m_hi, p_lo, p_hi) = _oracle_time(x.to_numpy(float))
    if n < config.MIN_BASE:
        assert card.value == "—" and f"n = {n:,}" in card.captions[0]
        return
    assert card.value == f"{median:,.1f} h"
    assert card.captions[0].startswith(f"P90 {p90:,.1f} h · n = {n:,} ")
    assert card.captions[1] == (f"95% CI median {m_lo:,.1f} h\u2009–\u2009{m_hi:,.1f} h; "
                                f"P90 {p_lo:,.1f} h\u2009–\u2009{p_hi:,.1f} h")


#: Filter states the oracle is checked on: weeks from the data's first weeks (windows clipped)
#: to the latest, single and several values per dimension, cells down to a few dozen customers.
ORACLE_STATES = [
    ("latest", {}),
    ("latest", {"regions": ("Central",), "compare": "4w"}),
    (-30, {"segments": ("Business",), "plans": ("Premium", "Standard"), "compare": "52w"}),
    (3, {"segments": ("Mass",), "regions": ("North",)}),
    (40, {"segments": ("Affluent", "Business"), "regions": ("East", "West", "South"),
          "plans": ("Basic",)}),
    (-2, {"segments": ("Business",), "regions": ("North",), "plans": ("Premium",)}),
]


@pytest.mark.parametrize(("week", "kw"), ORACLE_STATES, ids=lambda v: str(v))
def test_report_matches_the_raw_rows_under_filters(fetch, latest, demo_frames, week, kw):
    """Every count-based figure (Pareto, severity mix, repeat complainers, first-contact
    resolution, backlog by band) and every time figure (cards' medians, P90s and their
    intervals, the weekly resolution trend) equals a pandas computation from the raw rows."""
    from dashboard.exports import exhibits

    weeks = sorted(fetch("weeks_available")["iso_week"])
    f = Filters(week=latest if week == "latest" else weeks[week], **kw)
    r = complaints.build_report(fetch, f)
    o = _oracle(demo_frames, f, r.windows)

    par = r.pareto
    assert par["category"].tolist() == o["pareto"]["category"].tolist()
    assert par["count"].tolist() == o["pareto"]["count"].tolist()
    total = int(o["pareto"]["count"].sum())
    if total:
        shares = 100 * o["pareto"]["count"] / total
        assert par["share_pct"].tolist() == pytest.approx(shares.tolist())
        assert par["cumulative_pct"].tolist() == pytest.approx(shares.cumsum().tolist())
        assert f"of the {total:,} complaints opened" in r.takeaways["pareto"]

    sev = {(row.week_start, row.severity): row.count for row in r.severity.itertuples()}
    assert sev == o["severity"]
    week_totals = r.severity.groupby("week_start")["week_total"].first()
    for wk, n in week_totals.items():
        assert n == sum(k for (w_, _), k in o["severity"].items() if w_ == wk)

    rep = r.repeat.set_index("complaints")["customers"].to_dict()
    assert rep == o["repeat"]
    complainants = sum(o["repeat"].values())
    repeaters = o["repeat"]["2"] + o["repeat"]["3 or more"]
    assert r.card("Repeat complainers").captions[-1].startswith(
        f"{repeaters:,} of {complainants:,} complainants opened 2+ complaints")
    assert list(r.repeat_rows["Customers"]) == [f"{n:,}" for n in o["repeat"].values()]

    k, n = o["fcr"]
    card = r.card("First-contact resolution")
    if n >= config.MIN_BASE:
        assert card.value == f"{100 * k / n:.1f}%"
    assert card.captions[0].startswith(f"n = {n:,}" if n >= config.MIN_BASE
                                       else f"Insufficient base (n = {n:,};")

    bl = r.backlog
    assert list(zip(bl["count"], bl["customer_left"], strict=True)) == o["backlog"]
    open_total = sum(b[0] for b in o["backlog"])
    left = sum(b[1] for b in o["backlog"])
    assert r.card("Open backlog").value == f"{open_total:,}"
    old = o["backlog"][3][0] + o["backlog"][4][0]
    assert r.card("Open backlog").captions[1] == (
        f"{old:,} open over 30 days · {left:,} of customers who have left")
    if open_total:
        assert bl["share_pct"].tolist() == pytest.approx(
            [100 * b[0] / open_total for b in o["backlog"]])
        assert r.takeaways["backlog"].startswith(f"{open_total:,} complaints open at the end")
        assert f"and {left:,} belong to customers who have since left" in r.takeaways["backlog"]

    _assert_time_card(r.card("Time to resolution (median)"), o["resolution_4w"])
    _assert_time_card(r.card("Time to first response (median)"), o["response_4w"])
    trend = r.resolution.set_index("week_start")
    for wk, x in o["resolution_weekly"].items():
        assert trend.loc[wk, "n"] == len(x)
        if len(x) >= config.MIN_BASE:
            assert trend.loc[wk, "median"] == pytest.approx(x.quantile(0.5), rel=1e-12)
            assert trend.loc[wk, "p90"] == pytest.approx(x.quantile(0.9), rel=1e-12)
        else:
            assert pd.isna(trend.loc[wk, "median"])

    # the exports (and the board pack, which draws on them) carry the same tables
    ex = exhibits.complaints_exhibits(r)
    assert ex["cmp_backlog"].data["count"].tolist() == [b[0] for b in o["backlog"]]
    assert ex["cmp_backlog"].data["customer_left"].tolist() == [b[1] for b in o["backlog"]]
    assert ex["cmp_severity"].data["count"].tolist() == list(o["severity"].values())
    if "cmp_pareto" in ex:
        assert ex["cmp_pareto"].data["count"].tolist() == o["pareto"]["count"].tolist()


# --- AppTest ------------------------------------------------------------------------------------


@pytest.fixture
def app(open_app):
    at = open_app("pages/complaints.py", timeout=120)
    return at


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _captions(at: AppTest) -> str:
    return " ".join(c.value.replace("\\", "") for c in at.caption)


def test_page_default_shows_report_numbers(app, fetch, latest, demo_frames):
    report = complaints.build_report(fetch, Filters(week=latest))
    assert app.title[0].value == "Complaints"
    assert _shown(app) == {c.label: c.value for c in report.cards}
    app = Seen(app)  # every section of the page
    text = _captions(app)
    for key in ("volume", "pareto", "retention", "nps", "backlog", "compensation"):
        assert report.takeaways[key] in text
    # the count in the rate card is the raw count of complaints opened in the week
    c = _raw_complaints(demo_frames)
    w = pd.Timestamp(parse_week(latest))
    n = int(((c["opened_at"] >= w) & (c["opened_at"] < w + pd.Timedelta(days=7))).sum())
    assert f"{n:,} complaints · " in text
    recovery = app.dataframe[1].value
    assert list(recovery["Group"]) == list(complaints.RECOVERY_GROUPS.values())


@pytest.mark.parametrize("combo", [
    {"f_region": ["Central"], "f_compare": "4w", "week_index": 24},
    {"f_segment": ["Business"], "f_plan": ["Premium", "Standard"], "f_compare": "52w",
     "week_index": 5},
    {"f_segment": ["Mass"], "f_region": ["North"], "f_compare": "previous", "week_index": 60},
])
def test_page_filtered_shows_report_numbers(app, fetch, combo):
    weeks = app.selectbox(key="f_week").options
    week = weeks[combo["week_index"]]
    app.selectbox(key="f_week").set_value(week)
    for key in ("f_segment", "f_region", "f_plan"):
        if key in combo:
            app.multiselect(key=key).set_value(combo[key])
    app.selectbox(key="f_compare").set_value(combo["f_compare"])
    app.run()
    assert not app.exception, app.exception
    f = Filters(week=week, segments=tuple(combo.get("f_segment", ())),
                regions=tuple(combo.get("f_region", ())), plans=tuple(combo.get("f_plan", ())),
                compare=combo["f_compare"])
    report = complaints.build_report(fetch, f)
    assert _shown(app) == {c.label: c.value for c in report.cards}
    app = Seen(app)  # every section of the page
    text = _captions(app)
    assert report.takeaways["volume"] in text and report.takeaways["backlog"] in text
    assert f.describe() in text
    repeat = app.dataframe[0].value
    assert list(repeat["Customers"]) == list(report.repeat_rows["Customers"])
    rows = app.dataframe[1].value
    assert list(rows["90-day retention (95% CI)"]) == \
        list(report.recovery_rows["90-day retention (95% CI)"])


def test_page_recovery_numbers_come_from_the_warehouse(app, demo_wh, latest):
    """The retention of never-resolved complainants shown equals a direct count."""
    w = parse_week(latest)
    cohort_end = w - timedelta(weeks=12)
    df = demo_wh.run("cmp_recovery", cohort_start=cohort_end - timedelta(weeks=26),
                     cohort_end=cohort_end, as_of=w + timedelta(days=7))
    never = df.groupby("recovery_group")[["customer_count", "retained_count"]].sum().loc["never"]
    expected = f"{100 * never.retained_count / never.customer_count:.1f}%"
    rows = Seen(app).dataframe[1].value.set_index("Group")
    assert rows.loc["Never (still open)", "90-day retention (95% CI)"].startswith(expected)
    assert rows.loc["Never (still open)", "Customers"] == f"{int(never.customer_count):,}"


def test_recovery_cohort_window():
    # W−38 … W−13: complaints opened from Monday W−38 up to (not including) Monday W−12
    w = complaints.windows(Filters(week="2026-W44"), date(2024, 11, 4))
    assert w.cohort_end == date(2026, 8, 3)  # Monday of 2026-W32
    assert w.cohort_start == date(2026, 2, 2)  # Monday of 2026-W06
    assert w.cohort_end + timedelta(days=90) < w.as_of  # 90 days observed by the week's end
    # near the data start the cohort is clipped, and dropped when under 4 weeks
    assert complaints.windows(Filters(week="2025-W10"), date(2024, 11, 4)).cohort_start == \
        date(2024, 11, 4)
    assert complaints.windows(Filters(week="2025-W01"), date(2024, 11, 4)).cohort_start is None
