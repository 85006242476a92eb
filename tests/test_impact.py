"""The headline ranked by business impact (``money.impact``): each KPI move priced a week by hand
from the report's own figures, the ranking by money (not by p-value), the planted incident headlined
by its costs, a week with nothing significant, and the same words in the CLI, the page and the
board pack's summary."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports import summary, text
from dashboard.metrics import kpis, stats
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.metrics.registry import REGISTRY
from dashboard.money import assumptions, impact, simulate
from dashboard.money import inputs as money
from dashboard.money.inputs import money_text
from dashboard.warehouse import db
from tests.conftest import ROOT, run_kpis


@pytest.fixture(scope="module")
def world(demo_wh, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    store_url = f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite"
    aset = assumptions.load_set(db.AppStore(store_url), fetch("assumption_rows"), "published")
    return fetch, aset, store_url


@pytest.fixture(scope="module")
def incident(truth) -> Filters:
    """The planted incident's last full week against 4 weeks earlier, in its region."""
    week = week_label(parse_week(truth["incident_start_week"]) + timedelta(weeks=2))
    assert week == "2026-W22"
    return Filters(week=week, regions=(truth["incident_region"],), compare="4w")


def _revenue_per_customer_year(fetch, f: Filters) -> float:
    """Revenue per customer-year of the selected customers over the trailing 52 weeks, summed
    straight from the customer-level mart's rows (not through the money model's estimators)."""
    end = f.week_start + timedelta(weeks=1)
    rows = fetch("money_category_outcomes", as_of=end - timedelta(weeks=52), horizon_end=end)
    rows = rows[rows["region"].isin(f.regions)] if f.regions else rows
    return float(rows["revenue_amount"].astype(float).sum()
                 / rows["exposure_years"].astype(float).sum())


def test_incident_headlines_its_costs_with_money_first(world, incident):
    fetch, aset, _ = world
    report = kpis.build_report(fetch, incident)
    moves = impact.build(fetch, report, aset)
    t = {x.metric.name: x for x in report.tiles}
    got = {m.name: m.money for m in moves.moves}

    # every move priced by hand from the report's figures and the set's values
    cost = t["cost_to_serve"]
    assert got["cost_to_serve"] == pytest.approx(-cost.delta * cost.current.n)
    assert 17_500 < -got["cost_to_serve"] < 17_700  # $0.80 -> $1.98 for ~14,900 customers
    comp = t["complaint_rate"]
    handling = report.assumptions["complaint_handling_cost"]
    assert handling == 25.0
    assert got["complaint_rate"] == pytest.approx(-comp.delta * comp.current.n / 1000 * handling)
    assert 1_800 < -got["complaint_rate"] < 2_000  # ~76 complaints more at $25
    churn = t["churn_rate_4w"]
    rev_year = _revenue_per_customer_year(fetch, incident)
    assert got["churn_rate_4w"] == pytest.approx(
        -churn.delta / 100 * churn.current.n * rev_year / 52, rel=1e-9)
    assert got["revenue"] == pytest.approx(t["revenue"].delta)
    inputs = money.fetch_inputs(fetch, incident, aset)
    point = simulate.nps_point_value(money.category_estimates(inputs), inputs, money.ALL,
                                     horizon_years=1).value
    assert got["nps"] == pytest.approx(t["nps"].delta * point / 52)
    assert got["csat"] is None and got["ces"] is None  # no money model

    # significant after correction: cost to serve and complaints, ranked by their money
    assert [m.name for m in moves.significant] == ["cost_to_serve", "complaint_rate"]
    assert [m.name for m in moves.moves[:2]] == ["cost_to_serve", "complaint_rate"]
    sym = report.currency_symbol
    ratio = comp.current.value / comp.previous.value
    assert f"{ratio:.1f}" == "3.4"
    assert moves.headline.startswith(
        f"Cost to serve rose from $0.80 to $1.98 a customer: about "
        f"{money_text(-got['cost_to_serve'], sym)} a week more in contact costs; Complaints rose "
        f"×3.4, from 2.08 to 7.18 per 1,000 customers: about "
        f"{money_text(-got['complaint_rate'], sym)} a week more in handling.")
    assert money_text(-got["cost_to_serve"], sym) == "$17.6k"
    # the largest moves within noise follow, by their money: revenue, then NPS
    noise = sorted((m for m in moves.moves if not m.significant and m.money is not None),
                   key=lambda m: -abs(m.money))
    assert [m.name for m in noise[:2]] == ["revenue", "nps"]
    assert (f"Within noise: Revenue −{money_text(-got['revenue'], sym).lstrip('−')} on the "
            f"week; NPS −17.3 points (about {money_text(-got['nps'], sym)} a week).") in \
        moves.headline
    # the money line carries the same money as the headline, and names the set and unit costs
    from dashboard.money import headline as money_headline

    line = moves.money_line(money_headline.build(fetch, incident, aset))
    assert f"Cost to serve {money_text(got['cost_to_serve'], sym, signed=True)}" in line
    assert f"Complaint rate {money_text(got['complaint_rate'], sym, signed=True)}" in line
    assert "set published v0, unit costs as booked" in line


def test_nothing_significant_names_the_largest_move_and_its_money(world):
    fetch, aset, _ = world
    f = Filters(week="2026-W44")
    report = kpis.build_report(fetch, f)
    assert not any(t.significant for t in report.tiles)
    moves = impact.build(fetch, report, aset)
    largest = max((m for m in moves.moves if m.money is not None), key=lambda m: abs(m.money))
    assert largest.name == "revenue"
    rev = report.tile("revenue")
    assert largest.money == pytest.approx(rev.delta)
    assert moves.headline == (
        "Nothing moved beyond noise in 2026-W44 against 2026-W43 (previous week) after "
        f"correction. The largest move: Revenue +{money_text(rev.delta, '$')} on the week.")


def _tile(name, p_adj, delta, n=10_000):
    est = stats.Estimate(1.0, n, 0.0, 2.0, "ok")
    prev = stats.Estimate(1.0 - delta, n, 0.0, 2.0, "ok")
    return kpis.Tile(REGISTRY[name], est, prev, delta, p_adj, p_adj, p_adj < 0.05, None)


def test_money_not_the_p_value_decides_the_order():
    f = Filters(week="2026-W40")
    tiles = (_tile("complaint_rate", 1e-9, 0.5), _tile("cost_to_serve", 0.04, 0.10),
             _tile("csat", 1e-6, -3.0), _tile("nps", 0.3, -2.0))
    # complaints: 0.5 / 1000 × 10,000 × $25 = $125; cost: $0.10 × 10,000 = $1,000; CSAT none
    moves = impact._rank([impact.Move(tiles[0], -125.0), impact.Move(tiles[1], -1000.0),
                          impact.Move(tiles[2], None), impact.Move(tiles[3], -400.0)])
    assert [m.name for m in moves] == ["cost_to_serve", "complaint_rate", "csat", "nps"]
    text_ = impact.headline(moves, f, "$", tiles)
    assert text_ == (
        "Cost to serve rose from $0.90 to $1.00 a customer: about $1,000 a week more in contact "
        "costs; Complaints rose ×2.0, from 0.50 to 1.00 per 1,000 customers: about $125 a week "
        "more in handling; CSAT fell 3.0 pp to 1.0%. Within noise: NPS −2.0 points (about $400 a "
        "week).")


def test_cli_page_and_pack_show_the_same_headline(world, incident, demo_db, monkeypatch):
    fetch, aset, store_url = world
    url = f"duckdb:///{demo_db}"
    res = run_kpis(url, "--json", "--store-url", store_url, "--week", incident.week,
                   "--region", incident.regions[0], "--compare", "4w")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    cli = doc["headline"]
    assert cli.startswith("Cost to serve rose") and doc["moves"][0]["kpi"] == "cost_to_serve"
    plain = run_kpis(url, "--store-url", store_url, "--week", incident.week, "--region",
                     incident.regions[0], "--compare", "4w").stdout
    assert plain.splitlines()[-1] == cli

    pack = summary.build(fetch, incident, aset)
    assert pack.headline == cli

    monkeypatch.setenv("CX_WAREHOUSE_URL", url)
    monkeypatch.setenv("CX_APP_STORE_URL", store_url)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.selectbox(key="f_week").set_value(incident.week)
    at.multiselect(key="f_region").set_value(list(incident.regions))
    at.selectbox(key="f_compare").set_value("4w")
    at.run()
    assert not at.exception, at.exception
    assert at.info[0].value == text.markdown(cli)
