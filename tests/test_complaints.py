"""Complaints page: hand-computed statistics, fixture queries by hand, demo recovery, AppTest."""

from __future__ import annotations

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


def test_backlog_bands_by_hand():
    ages = [1, 47.9, 48, 100, 167.99, 200, 719, 800, 2159, 2160, 5000]
    left = [False, True, False, False, False, True, False, False, True, True, False]
    bl = complaints.backlog_bands(ages, left).set_index("band")
    assert bl["count"].tolist() == [2, 3, 2, 2, 2]
    assert bl["customer_left"].tolist() == [1, 0, 1, 1, 1]
    assert bl.loc["over 90 days", "share_pct"] == pytest.approx(100 * 2 / 11)


def test_repeat_complainers_by_hand():
    rep = complaints.repeat_complainers([1, 2, 2, 3, 3, 3, 4, 5, 5]).set_index("complaints")
    assert rep["customers"].to_dict() == {"1": 2, "2": 2, "3 or more": 1}
    assert rep.loc["2", "share_pct"] == pytest.approx(40.0)


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
                        end_week=date(2026, 3, 9)).set_index("complaint_id")
    assert sorted(df.index) == ["501", "503"]  # 502 was never answered nor resolved
    assert df.loc["501", "first_response_hours"] == pytest.approx(2.0)
    assert df.loc["501", "resolution_hours"] == pytest.approx(48.0)
    assert df.loc["503", "first_response_hours"] == pytest.approx(5 / 60)
    assert df.loc["503", "resolution_hours"] == pytest.approx(4.0)


def test_cmp_backlog_ages_on_fixture(fixture_wh):
    # end of W11 (Monday 2026-03-16): only 502 is open, opened 2026-03-09 09:00 -> 159 hours;
    # its customer (2) left on 2026-03-11
    df = fixture_wh.run("cmp_backlog", as_of=date(2026, 3, 16))
    assert df["complaint_id"].tolist() == ["502"]
    assert df["age_hours"].iloc[0] == pytest.approx(6 * 24 + 15)
    assert bool(df["has_customer_left"].iloc[0])
    # on Thursday 2026-03-05 00:00, 501 (opened 03-03 10:00, resolved 03-05 10:00) is open
    mid = fixture_wh.run("cmp_backlog", as_of=date(2026, 3, 5))
    assert mid["complaint_id"].tolist() == ["501"]
    assert mid["age_hours"].iloc[0] == pytest.approx(38.0)
    assert not bool(mid["has_customer_left"].iloc[0])


def test_cmp_complaints_first_contact_as_known_on_fixture(fixture_wh):
    df = fixture_wh.run("cmp_complaints", start_week=date(2026, 3, 2),
                        end_week=date(2026, 3, 9)).set_index("complaint_id")
    assert df["is_first_contact_resolved"].to_dict() == {"501": False, "502": False, "503": True}
    # every customer's complaints, with the customer's dimensions for the filters
    assert not df.loc[Filters(week="2026-W11", segments=("Business",)).selects(df)].size
    assert Filters(week="2026-W11", segments=tuple(df["segment"])).selects(df).all()


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
    assert "significant gap" in r.takeaways["retention"]


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
    rows = app.dataframe[1].value.set_index("Group")
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
