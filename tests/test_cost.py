"""Cost to serve: the exact savings split, launch detection, the repeat-contact flag, the report
on the fixture by hand, planted truths recovered on the demo world, and the page (AppTest)."""

from __future__ import annotations

import itertools
import json
import math
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import cost
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.warehouse import build, db
from tests.conftest import ROOT, Seen, truth_of

# --- the savings decomposition --------------------------------------------------------------


def _two_channel() -> tuple[cost.PeriodMix, cost.PeriodMix]:
    """Baseline: 2 contacts per customer-week, 80% phone at $10, 20% self-service at $1.
    Current: 2.2 contacts, half and half, phone at $11."""
    base = cost.PeriodMix(("phone", "self_service"), 100.0, (160.0, 40.0), (10.0, 1.0))
    cur = cost.PeriodMix(("phone", "self_service"), 100.0, (110.0, 110.0), (11.0, 1.0))
    return base, cur


def test_two_channel_example_by_hand():
    base, cur = _two_channel()
    assert base.cost_per_customer_week == pytest.approx(16.4)  # 2 x (0.8 x 10 + 0.2 x 1)
    assert cur.cost_per_customer_week == pytest.approx(13.2)  # 2.2 x (0.5 x 11 + 0.5 x 1)
    # f(V, s, p) at the 8 corners (0 = baseline, 1 = current):
    # f000 16.4, fV 18.04, fs 11.0, fp 18.0, fVs 12.1, fVp 19.8, fsp 12.0, f111 13.2.
    # Shapley weights for 3 factors: 1/3 (alone), 1/6 (after one other), 1/3 (last).
    volume = (Fraction(1, 3) * Fraction("1.64") + Fraction(1, 6) * Fraction("1.1")
              + Fraction(1, 6) * Fraction("1.8") + Fraction(1, 3) * Fraction("1.2"))
    mix = (Fraction(1, 3) * Fraction("-5.4") + Fraction(1, 6) * Fraction("-5.94")
           + Fraction(1, 6) * Fraction("-6") + Fraction(1, 3) * Fraction("-6.6"))
    unit = (Fraction(1, 3) * Fraction("1.6") + Fraction(1, 6) * Fraction("1.76")
            + Fraction(1, 6) * Fraction("1.0") + Fraction(1, 3) * Fraction("1.1"))
    assert (float(volume), float(mix), float(unit)) == pytest.approx((1.43, -5.99, 1.36))
    eff = cost.decompose(base, cur, "per_customer")
    assert list(eff) == ["volume", "mix", "unit_cost"]
    assert eff["volume"] == pytest.approx(1.43, abs=1e-12)
    assert eff["mix"] == pytest.approx(-5.99, abs=1e-12)
    assert eff["unit_cost"] == pytest.approx(1.36, abs=1e-12)
    assert abs(sum(eff.values()) - (13.2 - 16.4)) < 1e-9


def _permutation_oracle(base: cost.PeriodMix, cur: cost.PeriodMix, factors: list[str]
                        ) -> dict[str, float]:
    """Shapley by brute force: average marginal change over every switching order."""
    levels = {"base": (base.customer_weeks, cur.customer_weeks),
              "volume": (base.volume, cur.volume), "mix": (base.shares, cur.shares),
              "unit_cost": (np.array(base.unit_cost), np.array(cur.unit_cost))}

    def f(on: set[str]) -> float:
        v = {k: levels[k][k in on] for k in levels}
        out = v["volume"] * float(np.dot(v["mix"], v["unit_cost"]))
        return out * v["base"] if "base" in factors else out

    acc = dict.fromkeys(factors, 0.0)
    orders = list(itertools.permutations(factors))
    for order in orders:
        on: set[str] = set()
        for k in order:
            before = f(on)
            on.add(k)
            acc[k] += f(on) - before
    return {k: v / len(orders) for k, v in acc.items()}


@pytest.mark.parametrize("seed", range(6))
def test_parts_sum_exactly_and_match_the_permutation_oracle(seed):
    rng = np.random.default_rng(seed)
    channels = ("phone", "chat", "email", "self_service", "store")
    q0, q1 = rng.integers(0, 5000, 5).astype(float), rng.integers(0, 5000, 5).astype(float)
    q0[rng.integers(5)] = 0.0  # a channel unused in the baseline
    b = cost.PeriodMix(channels, float(rng.integers(1000, 50000)), tuple(q0),
                       tuple(rng.uniform(0.1, 12, 5)))
    c = cost.PeriodMix(channels, float(rng.integers(1000, 50000)), tuple(q1),
                       tuple(rng.uniform(0.1, 12, 5)))
    per = cost.decompose(b, c, "per_customer")
    assert abs(sum(per.values()) - (c.cost_per_customer_week - b.cost_per_customer_week)) < 1e-9
    tot = cost.decompose(b, c, "total")
    assert list(tot) == ["base", "volume", "mix", "unit_cost"]
    assert abs(sum(tot.values()) - (c.cost - b.cost)) < 1e-9 * max(1.0, abs(c.cost))
    for got, factors in ((per, ["volume", "mix", "unit_cost"]),
                         (tot, ["base", "volume", "mix", "unit_cost"])):
        oracle = _permutation_oracle(b, c, factors)
        for k in factors:
            assert got[k] == pytest.approx(oracle[k], rel=1e-9, abs=1e-9)


def test_one_moving_factor_takes_the_whole_change():
    base, _ = _two_channel()
    pricier = cost.PeriodMix(base.channels, 100.0, base.contacts, (12.0, 1.0))
    eff = cost.decompose(base, pricier)
    assert eff["volume"] == 0 and eff["mix"] == 0
    assert eff["unit_cost"] == pytest.approx(0.8 * 2 * 2.0)  # share x volume x price rise
    same = cost.decompose(base, base, "total")
    assert all(v == 0 for v in same.values())
    grown = cost.PeriodMix(base.channels, 150.0, (240.0, 60.0), base.unit_cost)
    tot = cost.decompose(base, grown, "total")  # more customers, same habits
    assert tot["base"] == pytest.approx(grown.cost - base.cost)
    assert tot["volume"] == pytest.approx(0) and tot["mix"] == pytest.approx(0)
    with pytest.raises(ValueError, match="unknown basis"):
        cost.decompose(base, base, "per_contact")


# --- launch detection ---------------------------------------------------------------------


def _weeks(n: int) -> list[date]:
    return [date(2025, 1, 6) + timedelta(weeks=k) for k in range(n)]


def _series(shares: np.ndarray, n_contacts: int = 8000) -> tuple[list[date], np.ndarray,
                                                                  np.ndarray]:
    q = np.full(len(shares), n_contacts, dtype=float)
    return _weeks(len(shares)), np.round(shares * q), q


def test_launch_found_at_the_first_ramp_week():
    rng = np.random.default_rng(1)
    shares = np.r_[0.004 + rng.normal(0, 0.0007, 40), 0.07, 0.14, 0.21,
                   0.28 + rng.normal(0, 0.004, 30)]
    launch = cost.detect_launch(*_series(shares))
    assert launch is not None and launch.week == week_label(_weeks(80)[40])
    assert launch.pre_share == pytest.approx(0.004, abs=0.001)
    assert launch.post_share == pytest.approx(0.28, abs=0.01)
    assert launch.pre_share < launch.threshold < 0.07


def test_an_isolated_earlier_spike_is_not_the_launch():
    shares = np.r_[np.full(20, 0.01), 0.2, np.full(19, 0.01), np.full(30, 0.25)]
    launch = cost.detect_launch(*_series(shares))
    assert launch is not None and launch.week == week_label(_weeks(70)[40])


def test_no_launch_without_a_lasting_rise():
    flat = np.full(60, 0.05) + np.random.default_rng(2).normal(0, 0.003, 60)
    assert cost.detect_launch(*_series(flat)) is None
    small = np.r_[np.full(30, 0.05), np.full(30, 0.08)]  # +3 points: below the 5-point floor
    assert cost.detect_launch(*_series(small)) is None
    falling = np.r_[np.full(30, 0.30), np.full(30, 0.05)]
    assert cost.detect_launch(*_series(falling)) is None
    assert cost.detect_launch(*_series(np.r_[np.full(3, 0.0), np.full(3, 0.3)])) is None
    weeks, ss, q = _series(np.r_[np.full(30, 0.01), np.full(30, 0.3)])
    q[:5] = 0  # weeks without contacts are skipped, not read as a zero share
    ss[:5] = 0
    assert cost.detect_launch(weeks, ss, q).week == week_label(weeks[30])


# --- the repeat-contact flag ------------------------------------------------------------------


def test_repeat_flag_on_the_fixture_by_hand(fixture_wh):
    df = fixture_wh.sql("select contact_id, is_repeat, is_followed_up, cost_per_contact "
                        "from marts.fct_contact_repeats order by contact_id")
    flags = {int(r.contact_id): (bool(r.is_repeat), bool(r.is_followed_up))
             for r in df.itertuples()}
    # customer 8: phone billing 03-03 09:30, chat billing 03-04 09:30 -> 603 repeats 602;
    # customer 2 (technical then complaint) and customer 1 (technical, billing, complaint
    # over 10 days) change reason, so nothing else repeats
    assert flags == {601: (False, False), 602: (False, True), 603: (True, False),
                     604: (False, False), 605: (False, False), 606: (False, False),
                     607: (False, False), 608: (False, False), 609: (False, False),
                     610: (False, False)}
    unit = dict(zip(df.contact_id.astype(int), df.cost_per_contact, strict=True))
    assert unit[601] == 8.0 and unit[605] == 9.0  # phone rate in force from 2026-03-09


def _with_contacts(fixture_raw, rows: list[tuple]) -> build.Builder:
    raw = {k: v.copy() for k, v in fixture_raw.items()}
    extra = pd.DataFrame(rows, columns=["contact_id", "customer_id", "occurred_at", "channel",
                                        "reason", "handle_seconds", "is_resolved", "agent_id"])
    raw["contacts"] = pd.concat([raw["contacts"], extra], ignore_index=True)
    b = build.Builder.in_memory()
    build.populate(b, raw)
    return b


def test_repeat_flag_edges_on_an_in_memory_world(fixture_raw):
    b = _with_contacts(fixture_raw, [
        # customer 5: exactly 7 days later repeats; 7 days and 1 second later does not
        (701, 5, "2026-03-12 15:00:00", "phone", "billing", 100, False, 11),
        (702, 5, "2026-03-19 15:00:00", "email", "billing", 0, False, None),
        (703, 5, "2026-03-26 15:00:01", "chat", "billing", 60, True, 12),
        # customer 3: two contacts at the same instant: only the later id repeats
        (704, 3, "2026-03-10 10:00:00", "chat", "technical", 60, True, 12),
        (705, 3, "2026-03-10 10:00:00", "phone", "technical", 60, True, 11),
        # customer 3: self-service, then phone 2 days later for the same reason (failed
        # deflection: the repeat lands in phone, the follow-up mark on self-service)
        (706, 3, "2026-03-13 09:00:00", "self_service", "account", 30, False, None),
        (707, 3, "2026-03-15 09:00:00", "phone", "account", 300, True, 11),
    ])
    df = b.query("select contact_id, is_repeat, is_followed_up from marts.fct_contact_repeats "
                 "where contact_id >= '700' order by contact_id")
    got = {int(r.contact_id): (bool(r.is_repeat), bool(r.is_followed_up))
           for r in df.itertuples()}
    assert got == {701: (False, True), 702: (True, False), 703: (False, False),
                   704: (False, True), 705: (True, False), 706: (False, True),
                   707: (True, False)}
    # the weekly query: 2026-W11 gains 704 chat, 705 phone (repeat), 706 self-service, and
    # 701 phone is W11 too; 707 (Sunday 03-15) is W11; 702 is W12 (repeat, email $4)
    wk = b.run("cost_channel_weekly", start_week=date(2026, 3, 9), end_week=date(2026, 3, 22),
               segments=[], regions=[], plans=[])
    wk["week"] = pd.to_datetime(wk.week_start).dt.strftime("%G-W%V")
    w11 = wk[wk.week == "2026-W11"].set_index("channel")
    assert w11.loc["phone", "contact_count"] == 4  # 605, 701, 705, 707
    assert w11.loc["phone", "repeat_count"] == 2  # 705, 707
    assert w11.loc["phone", "repeat_cost"] == pytest.approx(18.0)  # 2 x $9.00
    w12 = wk[wk.week == "2026-W12"].set_index("channel")
    assert w12.loc["email", "repeat_count"] == 1 and w12.loc["email", "repeat_cost"] == 4.0
    assert b.run_checks()["assert_cost_marts_reconcile"].empty
    b.conn.close()


def test_channel_query_by_hand_on_the_fixture(fixture_wh):
    df = fixture_wh.run("cost_channel_weekly", start_week=date(2026, 3, 2),
                        end_week=date(2026, 3, 15), segments=[], regions=[], plans=[])
    df["week"] = pd.to_datetime(df.week_start).dt.strftime("%G-W%V")
    w10 = df[df.week == "2026-W10"].set_index("channel")
    assert sorted(w10.index) == ["chat", "email", "phone", "self_service", "social", "store"]
    assert w10["active_at_start"].tolist() == [5] * 6
    assert w10.loc["phone", "contact_count"] == 2 and w10.loc["email", "contact_count"] == 0
    assert w10.loc["chat", "repeat_count"] == 1 and w10.loc["chat", "repeat_cost"] == 4.8
    assert w10["contact_cost"].sum() == pytest.approx(20.9)
    assert w10["contact_cost_var"].sum() == pytest.approx(2 * 64 + 4.8**2 + 0.01)
    w11 = df[df.week == "2026-W11"].set_index("channel")
    assert w11.loc["phone", "cost_per_contact"] == 9.0
    assert pd.Timestamp(w11.loc["phone", "cost_valid_from"]).date() == date(2026, 3, 9)
    assert w11.loc["email", "cost_per_contact"] == 4.0
    mass = fixture_wh.run("cost_channel_weekly", start_week=date(2026, 3, 2),
                          end_week=date(2026, 3, 8), segments=["Mass"], regions=[], plans=[])
    # Mass customers 1, 2, 8 (active at W10: 1, 2, 8): 601 phone, 602 phone, 603 chat
    assert mass["contact_count"].sum() == 3 and mass["active_at_start"].iloc[0] == 3
    seg = fixture_wh.run("cost_by_segment", week_start=date(2026, 3, 9),
                         compare_start=date(2026, 3, 2), segments=[], regions=[], plans=[])
    w11s = seg[pd.to_datetime(seg.week_start).dt.date == date(2026, 3, 9)].set_index("segment")
    # W11: Mass 605 phone $9 + 606 email $4 + 607 store $12 + 608 $0.10 + 609 social $5
    assert w11s.loc["Mass", "contact_cost"] == pytest.approx(30.1)
    assert w11s.loc["Mass", "active_at_start"] == 4  # 1, 2, 5, 8


# --- the report on the fixture (thresholds lowered so the 5 customers show values) ---------




def test_fixture_report_by_hand(fixture_fetch, tiny_bases):
    r = cost.build_report(fixture_fetch, Filters(week="2026-W10"), window=2)
    tiles = {t.label: t for t in r.tiles}
    assert tiles["Cost to serve"].value == "$4.18"  # 20.9 / 5
    assert tiles["Contacts per 1,000 customers"].value == "800.0"
    # 20.9 / 4 = 5.225 sits on a rounding edge: compare with the summed cost itself
    assert r.channel_week["contact_cost"].sum() == pytest.approx(20.9)
    assert tiles["Average cost per contact"].value == cost.money(
        r.channel_week["contact_cost"].sum() / 4, "$")
    assert tiles["Repeat contacts"].value == "25.0%"  # 603 of 4
    assert "cost $4.80" in tiles["Repeat contacts"].caption
    assert tiles["Self-service share"].value == "25.0%"
    assert "valid from 2020-01-06" in tiles["Cost to serve"].caption
    assert r.currency_symbol == "$" and r.launch is None
    table = r.channel_table.set_index("Channel")
    assert table.loc["Phone", "Cost"] == "$16.00" and table.loc["Phone", "Share of cost"] == "76.6%"
    assert table.loc["Chat", "Repeat share"] == "100.0%"
    assert r.takeaways["channels"].startswith("Phone handled 50.0% of contacts but 76.6% of")
    assert "booked unit costs, as loaded with the data" in r.takeaways["channels"]


def test_fixture_savings_by_hand(fixture_fetch, tiny_bases):
    # current window W11-W12 against the baseline W09-W10 (2-week windows on the tiny fixture)
    r = cost.build_report(fixture_fetch, Filters(week="2026-W12"), baseline_week="2026-W10",
                          window=2)
    assert r.baseline_options == ("2026-W10", "2026-W09", "2026-W08")
    s = r.savings
    assert s.baseline_weeks == ("2026-W09", "2026-W10") and s.current_weeks == ("2026-W11",
                                                                                 "2026-W12")
    # 10 customer-weeks each; baseline cost 20.9 (W10), current 30.1 + 4.80 (W12 chat) = 34.9
    assert s.baseline_value == pytest.approx(2090.0) and s.current_value == pytest.approx(3490.0)
    # V 0.4 -> 0.6; shares (chat, email, phone, self-service, social, store) (1/4, 0, 1/2, 1/4,
    # 0, 0) -> 1/6 each; phone $8 -> $9 (valid from 2026-03-09), the rest unchanged (email,
    # social and store have no baseline contacts: their mean unit cost in force is used).
    g = {"00": 5.225, "01": 5.725, "10": 33.9 / 6, "11": 34.9 / 6}  # g(share, price)
    f = {(v, sh, p): (0.6 if v else 0.4) * g[f"{sh}{p}"] for v in (0, 1) for sh in (0, 1)
         for p in (0, 1)}
    third, sixth = 1 / 3, 1 / 6
    vol = (third * (f[1, 0, 0] - f[0, 0, 0]) + sixth * (f[1, 1, 0] - f[0, 1, 0])
           + sixth * (f[1, 0, 1] - f[0, 0, 1]) + third * (f[1, 1, 1] - f[0, 1, 1]))
    mix = (third * (f[0, 1, 0] - f[0, 0, 0]) + sixth * (f[1, 1, 0] - f[1, 0, 0])
           + sixth * (f[0, 1, 1] - f[0, 0, 1]) + third * (f[1, 1, 1] - f[1, 0, 1]))
    unit = (third * (f[0, 0, 1] - f[0, 0, 0]) + sixth * (f[1, 0, 1] - f[1, 0, 0])
            + sixth * (f[0, 1, 1] - f[0, 1, 0]) + third * (f[1, 1, 1] - f[1, 1, 0]))
    assert (vol, mix, unit) == pytest.approx((1.115278, 0.123611, 0.161111), abs=1e-6)
    assert s.effects["volume"] == pytest.approx(1000 * vol)
    assert s.effects["mix"] == pytest.approx(1000 * mix)
    assert s.effects["unit_cost"] == pytest.approx(1000 * unit)
    assert abs(s.parts_sum - s.change) < 1e-9
    assert s.largest_saving is None
    assert "valid from 2020-01-06, 2026-03-09" in r.takeaways["savings"]
    assert r.waterfall["measure"].tolist() == ["absolute", "relative", "relative", "relative",
                                               "total"]
    assert r.waterfall["text"].tolist()[1:4] == ["+$1,115", "+$124", "+$161"]
    tot = cost.build_report(fixture_fetch, Filters(week="2026-W12"), baseline_week="2026-W10",
                            basis="total", window=2).savings
    assert tot.baseline_value == pytest.approx(20.9) and tot.current_value == pytest.approx(34.9)
    assert tot.effects["base"] == pytest.approx(0.0)  # 10 customer-weeks in both
    assert abs(tot.parts_sum - 14.0) < 1e-9


def test_fixture_defaults_and_withholding(fixture_fetch):
    r = cost.build_report(fixture_fetch, Filters(week="2026-W11"))
    assert r.savings is None and r.baseline_options == ()  # 6 weeks: no two 13-week windows
    assert "two full 13-week windows" in r.takeaways["savings"]
    tiles = {t.label: t for t in r.tiles}
    assert tiles["Cost to serve"].value == "—"  # 5 customers < 30
    assert tiles["Cost to serve"].caption.startswith("Insufficient base (n = 5")
    assert tiles["Repeat contacts"].value == "—"
    assert r.segments["status"].eq("withheld").all()
    assert "No segment has the 30 active customers" in r.takeaways["segments"]
    # an unknown baseline falls back to the default (the window before the current one)
    r2 = cost.build_report(fixture_fetch, Filters(week="2026-W12"), baseline_week="1999-W01",
                           window=2)
    assert r2.baseline_week == "2026-W10"


def test_page_code_never_reads_the_truth_schema():
    for path in (*sorted((ROOT / "dashboard" / "analysis").glob("cost*.py")),
                 ROOT / "pages" / "cost_to_serve.py",
                 *sorted((ROOT / "queries").glob("*/cost_*.sql")),
                 ROOT / "queries" / "marts" / "fct_contact_repeats.sql",
                 ROOT / "queries" / "marts" / "fct_cost_channel_weekly.sql"):
        assert "truth" not in path.read_text(encoding="utf-8").lower(), path


# --- planted truths recovered on the demo world -------------------------------------------


@pytest.fixture(scope="module")
def demo_fetch(demo_wh):
    return lambda name, **p: db.cached_run(demo_wh, name, **p)


def test_launch_detected_in_the_planted_week(each_demo_wh):
    """On the English and the Persian world alike."""
    truth = truth_of(each_demo_wh)
    r = cost.build_report(lambda name, **p: db.cached_run(each_demo_wh, name, **p),
                          Filters(week="2026-W44"))
    planted = parse_week(truth["self_service_launch_week"])
    assert r.launch is not None
    assert abs((r.launch.week_start - planted).days) <= 7
    assert r.launch.week == truth["self_service_launch_week"]  # in fact exact
    assert r.baseline_week == week_label(r.launch.week_start - timedelta(weeks=1))
    assert f"launch detected in {r.launch.week}" in r.takeaways["mix"]


@pytest.mark.parametrize("basis", ["per_customer", "total"])
def test_waterfall_shows_the_self_service_saving(demo_fetch, basis):
    probe = cost.build_report(demo_fetch, Filters(week="2026-W44"))
    launch = probe.launch.week_start
    r = cost.build_report(demo_fetch, Filters(week=week_label(launch + timedelta(weeks=12))),
                          baseline_week=week_label(launch - timedelta(weeks=1)), basis=basis)
    s = r.savings
    assert s.current_weeks[0] == probe.launch.week
    assert abs(s.parts_sum - s.change) < 1e-9 * max(1.0, abs(s.baseline_value))
    assert s.effects["mix"] < 0 and s.largest_saving == "mix"
    assert s.effects["mix"] == min(s.effects.values())
    assert s.effects["unit_cost"] == pytest.approx(0.0, abs=1e-9)  # unit costs never changed
    if basis == "per_customer":
        assert 13.0 <= -s.change_pct <= 22.0, s.change_pct  # planted 17.5%
        assert s.ci_high < 0
        assert "channel mix saved most" in r.takeaways["savings"]


def test_repeat_waste_rises_in_the_incident(demo_fetch, truth):
    start = parse_week(truth["incident_start_week"])
    r = cost.build_report(demo_fetch, Filters(week=week_label(start + timedelta(weeks=1)),
                                              regions=(truth["incident_region"],)))
    tr = r.repeat_trend.set_index("week")
    during = tr.loc[week_label(start), "value"]
    before = tr.loc[[week_label(start - timedelta(weeks=k)) for k in range(2, 6)], "value"]
    assert during > before.max()


# --- the page (AppTest on the demo world) -------------------------------------------------


@pytest.fixture
def page(open_app):
    at = open_app("pages/cost_to_serve.py", timeout=60)
    assert at.title[0].value == "Cost to serve"
    assert at.selectbox(key="f_week").value == "2026-W44"  # the shared filter bar is drawn
    return at


def _unescape(text: str) -> str:
    import re

    return re.sub(r"\\(.)", r"\1", text)


def _captions(at: AppTest) -> list[str]:
    return [_unescape(c.value) for c in at.caption]


def _array(value) -> list[float]:
    """A plotly JSON array: a plain list, or a typed array {dtype, bdata (base64)}."""
    if isinstance(value, dict):
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return [float(v) for v in value]


def _waterfall_values(at: AppTest) -> list[float] | None:
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        for trace in spec["data"]:
            if trace.get("type") == "waterfall":
                return _array(trace["y"])
    return None


def _assert_page_matches(at: AppTest, r: cost.CostReport) -> None:
    at = Seen(at)  # every section of the page
    assert at.title[0].value == "Cost to serve"
    assert {m.label: m.value for m in at.metric} == {t.label: t.value for t in r.tiles}
    captions = _captions(at)
    for t in r.tiles:
        assert t.caption in captions
    for key, text in r.takeaways.items():
        assert text in captions, key
    frames = [d.value for d in at.dataframe]
    pd.testing.assert_frame_equal(frames[0].reset_index(drop=True), r.channel_table)
    pd.testing.assert_frame_equal(frames[1].reset_index(drop=True), r.segment_table)
    assert frames[2]["Valid from"].tolist() == r.unit_costs["Valid from"].tolist()
    if r.savings is not None:
        assert _waterfall_values(at) == pytest.approx(r.waterfall["value"].tolist())


def _set(at: AppTest, combo: dict) -> None:
    for key, value in combo.items():
        if key in ("f_week", "f_compare", "cts_baseline"):
            at.selectbox(key=key).set_value(value)
        elif key == "cts_basis":
            at.radio(key=key).set_value(value)
        else:
            at.multiselect(key=key).set_value(value)
    at.run()
    assert not at.exception, at.exception


def _expected(demo_wh, combo: dict) -> cost.CostReport:
    f = Filters(week=combo.get("f_week", "2026-W44"), segments=tuple(combo.get("f_segment", ())),
                regions=tuple(combo.get("f_region", ())), plans=tuple(combo.get("f_plan", ())),
                compare=combo.get("f_compare", "previous"))
    return cost.build_report(lambda n, **p: db.cached_run(demo_wh, n, **p), f,
                             baseline_week=combo.get("cts_baseline"),
                             basis=combo.get("cts_basis"))


def test_default_page(page, demo_wh):
    r = _expected(demo_wh, {})
    _assert_page_matches(page, r)
    assert page.selectbox(key="cts_baseline").value == "2025-W39"  # the quarter before launch
    assert page.radio(key="cts_basis").value == "per_customer"
    tiles = {m.label: m.value for m in page.metric}
    assert tiles["Cost to serve"].startswith("$") and tiles["Self-service share"].endswith("%")
    mix = next(json.loads(el.proto.spec) for el in Seen(page).get("plotly_chart")
               if "Channel mix" in json.loads(el.proto.spec)["layout"]["title"]["text"])
    assert mix["layout"]["shapes"][0]["x0"] == "2025-W40"


@pytest.mark.parametrize("combo", [
    {"f_region": ["Central"], "f_week": "2025-W52", "cts_baseline": "2025-W39"},
    {"f_segment": ["Business"], "f_plan": ["Premium", "Standard"], "f_compare": "52w",
     "cts_basis": "total"},
    {"f_segment": ["Mass", "Affluent"], "f_region": ["North"], "f_week": "2026-W20",
     "f_compare": "4w", "cts_baseline": "2025-W20"},
])
def test_filtered_page(page, demo_wh, combo):
    _set(page, combo)
    r = _expected(demo_wh, combo)
    _assert_page_matches(page, r)
    shown_segments = page.dataframe[1].value["Segment"].tolist()
    assert shown_segments == sorted(combo.get("f_segment", ["Affluent", "Business", "Mass"]))
    if "cts_baseline" in combo:
        assert page.selectbox(key="cts_baseline").value == combo["cts_baseline"]
        assert r.savings.baseline_weeks[1] == combo["cts_baseline"]
    if combo.get("cts_basis") == "total":
        assert list(r.savings.effects) == ["base", "volume", "mix", "unit_cost"]
        assert any(c.startswith("Total contact cost over 13 weeks") for c in _captions(page))


def test_launch_quarter_on_the_page(page, demo_wh):
    combo = {"f_week": "2025-W52", "cts_baseline": "2025-W39"}
    _set(page, combo)
    r = _expected(demo_wh, combo)
    values = _waterfall_values(page)
    base, vol, mix, unit, now = values
    assert mix < 0 and mix == min(vol, mix, unit)
    assert math.isclose(base + vol + mix + unit, now, rel_tol=0, abs_tol=1e-9)
    assert 13.0 <= 100 * (1 - now / base) <= 22.0
    assert r.takeaways["savings"] in _captions(page)


# --- the savings interval with customers as clusters, by hand on the fixture ----------------


def test_savings_customer_spread_by_hand_on_the_fixture(fixture_wh, fixture_fetch):
    # baseline 2026-W10 (Mon 03-02), current 2026-W11 (Mon 03-09), one-week windows, contacts
    # at their own unit cost. Per customer: active Mondays w0, w1 and contact cost x0, x1:
    #   1: w 1, 1; x0 601 phone $8;             x1 608 self-service $0.10 + 609 social $5
    #   2: w 1, 1; x0 0;                        x1 605 phone $9 + 606 email $4 (churns 03-11)
    #   3: w 1, 1; x0 604 self-service $0.10;   x1 0 (signed up on Monday 03-02)
    #   4: w 1, 0; x0 0; x1 0 (churned on Monday 03-09)
    #   5: w 0, 1; x0 0;                        x1 607 store $12 (signed up Wed 03-04)
    #   8: w 1, 1; x0 602 phone $8 + 603 chat $4.80; x1 0
    # (6 churned before W10, 7 signs up after W11: neither is in either window)
    w0 = np.array([1, 1, 1, 1, 0, 1])
    w1 = np.array([1, 1, 1, 0, 1, 1])
    x0 = np.array([8.0, 0.0, 0.1, 0.0, 0.0, 12.8])
    x1 = np.array([5.1, 13.0, 0.0, 0.0, 12.0, 0.0])
    v0, v1 = 20.9 / 5, 30.1 / 5  # cost per customer-week: $4.18 then $6.02
    z = (x0 - v0 * w0) / 5 - (x1 - v1 * w1) / 5
    assert z.sum() == pytest.approx(0.0, abs=1e-12)
    d = x1 - x0
    params = dict(base_start=date(2026, 3, 2), base_end=date(2026, 3, 2),
                  cur_start=date(2026, 3, 9), cur_end=date(2026, 3, 9),
                  segments=[], regions=[], plans=[])
    row = fixture_wh.run("savings_customer_spread", channels=[], prices=[], **params).iloc[0]
    assert row["customer_count"] == 6 and row["weeks0"] == 5 and row["weeks1"] == 5
    assert row["cost0"] == pytest.approx(20.9) and row["cost1"] == pytest.approx(30.1)
    assert row["saving_var"] == pytest.approx(6 / 5 * (z**2).sum())
    assert row["change_var"] == pytest.approx(6 / 5 * ((d - d.mean()) ** 2).sum())
    # priced at a set: phone $1, chat $2, every other channel $0
    priced = fixture_wh.run("savings_customer_spread", channels=["chat", "phone"],
                            prices=[2.0, 1.0], **params).iloc[0]
    p0, p1 = np.array([1.0, 0, 0, 0, 0, 3.0]), np.array([0, 1.0, 0, 0, 0, 0])
    zp = (p0 - 4 / 5 * w0) / 5 - (p1 - 1 / 5 * w1) / 5
    assert priced["saving_var"] == pytest.approx(6 / 5 * (zp**2).sum())
    # the Mass segment (customers 1, 2, 5, 8) alone
    mass = fixture_wh.run("savings_customer_spread", channels=[], prices=[],
                          **{**params, "segments": ["Mass"]}).iloc[0]
    m = [0, 1, 4, 5]
    zm = ((x0[m] - 20.8 / 3 * w0[m]) / 3 - (x1[m] - 30.1 / 4 * w1[m]) / 4)
    assert mass["saving_var"] == pytest.approx(4 / 3 * (zm**2).sum())
    # the page's savings take the clustered variances: per 1,000 customer-weeks and in total
    spread = cost.customer_spread(fixture_fetch, Filters(week="2026-W11"),
                                  date(2026, 3, 2), date(2026, 3, 9), window=1)
    assert spread.per_customer_week == pytest.approx(row["saving_var"])
    assert spread.total == pytest.approx(row["change_var"])


def test_cost_tile_interval_pools_the_customers_by_hand_on_the_fixture(fixture_wh):
    # 2026-W10 (Mon 03-02): active at the start are customers 1, 2, 3, 4 and 8; their contact
    # costs in the week: 1 phone $8, 3 self-service $0.10, 8 phone $8 + chat $4.80, others 0
    from dashboard.metrics import registry

    span = dict(start_week=date(2026, 3, 2), end_week=date(2026, 3, 2), segments=[],
                regions=[], plans=[])
    w = registry.all_week_inputs(fixture_wh.run("kpi_survey_weekly", **span),
                                 fixture_wh.run("kpi_ops_weekly", **span))[date(2026, 3, 2)]
    assert w["active_at_start"] == 5 and w["contact_cost"] == pytest.approx(20.9)
    assert w["contact_cost_sq"] == pytest.approx(8.0**2 + 0.1**2 + 12.8**2)
    # each of them is alone in a cell, which counts 2 / 1 × (x² − x² / 2) = x² (the cells'
    # variances summed would be Σ x² itself)
    assert w["contact_cost_var"] == pytest.approx(8.0**2 + 0.1**2 + 12.8**2)
    # five customers are withheld; forty like them (8 of each kind) show the interval: the
    # customers pooled, whatever their cell
    x = np.repeat([8.0, 0.0, 0.1, 0.0, 12.8], 8)
    week = {**w, "active_at_start": 40.0, "contact_cost": x.sum(),
            "contact_cost_sq": (x**2).sum(), "contact_cost_var": 8 * w["contact_cost_var"],
            "contacts": 32.0}
    e = registry.REGISTRY["cost_to_serve"].estimate(week)
    se = math.sqrt(x.var(ddof=1) / 40)
    assert e.value == pytest.approx(x.mean())
    assert e.ci_low == pytest.approx(x.mean() - 1.959963984540054 * se)
    assert e.ci_high == pytest.approx(x.mean() + 1.959963984540054 * se)
    assert abs(se - math.sqrt(8 * w["contact_cost_var"]) / 40) > 0.1
