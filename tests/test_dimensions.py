"""Optional dimensions: a company without regions or plans (one value for every customer), or
with one segment, one survey touchpoint or one complaint category.

Warehouses are built from the demo world with those columns overwritten, as a company's mapping
defaults would load them (``[customers.defaults] region = "All"``). The filter bar, the split and
comparison pickers, every page, the board pack and the CLI must treat a single-valued dimension
as one group — no filter, no split, no one-bar chart or one-row table, a one-line note instead —
while the KPIs stay those of all customers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import churn, satisfaction
from dashboard.exports import exhibits
from dashboard.metrics import dimensions, kpis
from dashboard.metrics.dimensions import Dimensions
from dashboard.metrics.filters import FilterError, Filters, parse_week, validate
from dashboard.money import assumptions
from dashboard.money import headline as money_headline
from dashboard.money.inputs import ALL
from dashboard.warehouse import build, db
from tests.conftest import DEMO_END_WEEK, ROOT, Seen, kpis_json, run_kpis

CUSTOMERS = 10_000
SEED = 7
SINGLE_NOTES = {
    "segment": "All customers are in one segment (Consumer): no split by segment.",
    "touchpoint": "All survey answers are about one touchpoint (not recorded): no split by "
                  "touchpoint.",
    "category": "All complaints are in one complaint category (billing): no split by "
                "complaint category.",
}


# --- the rule, by hand --------------------------------------------------------------------------


def test_the_rule_by_hand():
    dims = Dimensions({"segment": ("A", "B"), "region": ("All",), "plan": (),
                       "touchpoint": ("not recorded",), "category": ("billing", "network")})
    assert dims.splittable(dimensions.ALL) == ("segment", "category")
    assert [dims.splits(d) for d in ("segment", "region", "plan")] == [True, False, False]
    assert (dims.single("region"), dims.single("segment"), dims.single("plan")) == (
        "All", None, None)
    assert dims.note("region") == "All customers are in one region (All): no split by region."
    assert dims.note("touchpoint") == ("All survey answers are about one touchpoint "
                                       "(not recorded): no split by touchpoint.")
    assert dims.note("plan") == "No plan in the loaded data: no split by plan."
    assert dims.no_split("segment") == "" and dims.no_split("region") == dims.note("region")
    assert dims.none_note(("region", "plan", "channel")) == (
        "No split: region, plan and survey channel each have a single value in the data.")


def test_a_filter_on_a_single_valued_dimension_accepts_only_its_value():
    options = {"segment": ("Mass", "Affluent"), "region": ("All",), "plan": ("Standard",)}
    validate(Filters(week="2026-W11", regions=("All",), plans=("Standard",)), options,
             ["2026-W11"])
    with pytest.raises(FilterError) as exc:
        validate(Filters(week="2026-W11", regions=("North",)), options, ["2026-W11"])
    assert str(exc.value) == "unknown region 'North': all customers are in one region, 'All'"
    with pytest.raises(FilterError, match="unknown segment 'Nope': choose from Affluent, Mass"):
        validate(Filters(week="2026-W11", segments=("Nope",)), options, ["2026-W11"])


# --- warehouses: the demo world, and the same world with dimensions collapsed ----------------


@pytest.fixture(scope="module")
def frames():
    from dashboard.intake import demo

    return demo.generate(customers=CUSTOMERS, seed=SEED, end_week=DEMO_END_WEEK)


def _raw(frames) -> dict[str, pd.DataFrame]:
    raw = {k: frames[k].copy() for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    return raw


def _build(raw, path: Path) -> Path:
    build.build(raw, path)
    return path


@pytest.fixture(scope="module")
def full_db(frames, tmp_path_factory) -> Path:
    """The demo world as generated (three or more values in every dimension)."""
    return _build(_raw(frames), tmp_path_factory.mktemp("full") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def single_db(frames, tmp_path_factory) -> Path:
    """The same world for a company without regions or plans: region "All", plan "Standard"."""
    raw = _raw(frames)
    raw["customers"] = raw["customers"].assign(region="All", plan="Standard")
    return _build(raw, tmp_path_factory.mktemp("single") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def flat_db(frames, tmp_path_factory) -> Path:
    """One value everywhere: one segment, region and plan; survey answers without touchpoint
    or channel and from one journey stage; complaints of one category."""
    raw = _raw(frames)
    raw["customers"] = raw["customers"].assign(segment="Consumer", region="All",
                                               plan="Standard")
    raw["survey_responses"] = raw["survey_responses"].assign(
        touchpoint=None, channel=None, journey_stage="support")
    raw["complaints"] = raw["complaints"].assign(category="billing")
    return _build(raw, tmp_path_factory.mktemp("flat") / "warehouse.duckdb")


def _fetch(path: Path):
    wh = db.Warehouse(f"duckdb:///{path}")
    return lambda name, **p: db.cached_run(wh, name, **p)


def test_the_catalog_says_which_dimensions_split(full_db, single_db, flat_db):
    full = kpis.load_catalog(_fetch(full_db))
    assert full.dims.splittable(dimensions.ALL) == dimensions.ALL
    assert all(len(full.options[d]) >= 3 for d in dimensions.ALL)
    single = kpis.load_catalog(_fetch(single_db))
    assert single.options["region"] == ("All",) and single.options["plan"] == ("Standard",)
    assert single.options["segment"] == full.options["segment"]
    assert single.dims.splittable(dimensions.ALL) == ("segment", "channel", "touchpoint",
                                                      "journey_stage", "category")
    flat = kpis.load_catalog(_fetch(flat_db))
    assert flat.dims.splittable(dimensions.ALL) == ()
    assert (flat.options["touchpoint"], flat.options["channel"], flat.options["category"]) == (
        ("not recorded",), ("not recorded",), ("billing",))


# --- the KPIs are those of all customers ---------------------------------------------------------


def _independent(frames, week: str) -> dict[str, float]:
    """NPS, revenue and the active base of one week straight from the generated rows."""
    start = pd.Timestamp(parse_week(week))
    end = start + timedelta(days=7)
    s = frames["survey_responses"]
    nps = s[(s["survey"] == "nps") & (s["responded_at"] >= start) & (s["responded_at"] < end)]
    assert set(zip(nps["scale_min"], nps["scale_max"], strict=True)) == {(0, 10)}
    t = frames["transactions"]
    week_tx = t[(t["occurred_at"] >= start) & (t["occurred_at"] < end)]
    c = frames["customers"]
    active = (c["signup_date"] <= start) & (c["churn_date"].isna() | (c["churn_date"] > start))
    return {
        "nps": 100 * ((nps["score"] >= 9).mean() - (nps["score"] <= 6).mean()),
        "nps_n": len(nps),
        "revenue": float(week_tx["amount"].sum()),
        "active": int(active.sum()),
    }


def test_kpis_are_unchanged_and_equal_the_independent_figures(frames, full_db, single_db):
    full = kpis_json(f"duckdb:///{full_db}")
    single = kpis_json(f"duckdb:///{single_db}")
    only = kpis_json(f"duckdb:///{single_db}", "--region", "All", "--plan", "Standard")
    assert single["week"] == full["week"]
    for name, k in full["kpis"].items():
        for doc in (single, only):
            got = doc["kpis"][name]
            assert (got["value"], got["n"], got["ci_low"], got["ci_high"]) == pytest.approx(
                (k["value"], k["n"], k["ci_low"], k["ci_high"]), rel=1e-9), name
    expect = _independent(frames, single["week"])
    got = single["kpis"]
    assert got["nps"]["value"] == pytest.approx(expect["nps"], abs=1e-6)
    assert got["nps"]["n"] == expect["nps_n"]
    assert got["revenue"]["value"] == pytest.approx(expect["revenue"], rel=1e-9)
    assert got["cost_to_serve"]["n"] == expect["active"]


def test_the_cli_refuses_another_region_naming_the_only_one(single_db):
    res = run_kpis(f"duckdb:///{single_db}", "--region", "North")
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "error: unknown region 'North': all customers are in one region, 'All'")
    res = run_kpis(f"duckdb:///{single_db}", "--plan", "Premium")
    assert res.returncode == 2 and "all customers are in one plan, 'Standard'" in res.stderr


# --- the app ----------------------------------------------------------------------------------


def _app(path: Path, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{path}")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def _charts(at: AppTest) -> dict[str, dict]:
    """Every chart on the page by its widget key, over its lazy sections: the plotly figure
    as drawn."""
    return {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.spec)
            for el in Seen(at).plotly_chart}


def _captions(at: AppTest) -> list[str]:
    """Every caption on the page, over its lazy sections."""
    return [c.value.replace("\\", "") for c in Seen(at).caption]


def test_demo_world_offers_every_filter_and_split(full_db, monkeypatch):
    at = _app(full_db, monkeypatch)
    assert [m.label for m in at.sidebar.multiselect] == ["Segment", "Region", "Plan"]
    at.switch_page("pages/satisfaction.py")
    at.run()
    assert at.selectbox(key="sat_split").options == list(satisfaction.SPLITS.values())
    assert at.selectbox(key="sat_split").value == "region"
    assert "sat_gap" in _charts(at)
    at.switch_page("pages/segments.py")
    at.run()
    assert at.selectbox(key="cmp_dimension").options == [
        "Segment", "Region", "Plan", "Survey channel"]
    at.switch_page("pages/cost_to_serve.py")
    at.run()
    assert "cts_segments" in _charts(at)


def test_no_region_or_plan_filter_split_or_comparison(single_db, monkeypatch):
    at = _app(single_db, monkeypatch)
    assert [m.label for m in at.sidebar.multiselect] == ["Segment"]
    at.switch_page("pages/satisfaction.py")
    at.run()
    split = at.selectbox(key="sat_split")
    assert split.options == ["Segment", "Journey stage", "Touchpoint", "Channel"]
    assert split.value == "segment"  # the default (region) is not offered
    assert not any("by region" in c or "by plan" in c for c in _captions(at))
    at.switch_page("pages/segments.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="cmp_dimension").options == ["Segment", "Survey channel"]
    at.switch_page("pages/churn.py")
    at.run()
    at_risk = next(d.value for d in Seen(at).dataframe if "Why at risk" in d.value.columns)
    assert "Segment" in at_risk.columns
    assert "Region" not in at_risk.columns and "Plan" not in at_risk.columns


def test_pages_show_one_line_instead_of_one_group(flat_db, monkeypatch):
    at = _app(flat_db, monkeypatch)
    assert list(at.sidebar.multiselect) == []

    at.switch_page("pages/satisfaction.py")
    at.run()
    assert [s.label for s in at.main.selectbox] == ["Score", "Grain"]  # no split picker
    none = ("No split: segment, region, plan, journey stage, touchpoint and survey channel "
            "each have a single value in the data.")
    caps = _captions(at)
    assert none in caps and SINGLE_NOTES["touchpoint"] in caps
    charts = _charts(at)
    assert "sat_gap" not in charts and len(Seen(at).dataframe) == 0  # no movers table
    assert [t["name"] for t in charts["sat_trend"]["data"] if t.get("name")] == [
        satisfaction.OVERALL]

    at.switch_page("pages/segments.py")
    at.run()
    assert "No split: segment, region, plan and survey channel each have a single value in " \
           "the data." in _captions(at)
    assert len(at.get("plotly_chart")) == 0 and len(at.dataframe) == 0

    at.switch_page("pages/complaints.py")
    at.run()
    assert SINGLE_NOTES["category"] in _captions(at)
    assert "cmp_pareto" not in _charts(at)

    at.switch_page("pages/cost_to_serve.py")
    at.run()
    assert SINGLE_NOTES["segment"] in _captions(at)
    assert "cts_segments" not in _charts(at)
    assert not any("Segment" in d.value.columns for d in at.dataframe)

    at.switch_page("pages/churn.py")
    at.run()
    charts = _charts(at)  # every section of the page
    for key in ("churn_monthly", "churn_monthly_revenue", "churn_revenue_lost"):
        names = {t.get("name") for t in charts[key]["data"]}
        assert names == {churn.ALL_LABEL}, key
        assert "by segment" not in charts[key]["layout"]["title"]["text"]
    assert any(c.startswith(SINGLE_NOTES["segment"]) for c in _captions(at))

    at.switch_page("pages/money.py")
    at.run()
    assert SINGLE_NOTES["segment"] in _captions(at)
    assert "money_clv_chart" not in _charts(at)
    clv = next(d.value for d in at.dataframe if "Lifetime value per customer" in d.value.columns)
    assert len(clv) == 1 and "Segment" not in clv.columns

    at.switch_page("pages/simulator.py")
    at.run()
    assert SINGLE_NOTES["segment"] in _captions(at)
    assert [s.label for s in at.slider][0] == "All customers"
    assert "sim_point_values" not in _charts(at)


def test_pack_and_money_headline_leave_single_groups_out(flat_db, tmp_path):
    fetch = _fetch(flat_db)
    catalog = kpis.load_catalog(fetch)
    filters = Filters(week=catalog.latest_complete)
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), assumptions.PUBLISHED)
    cat = exhibits.Catalogue(fetch, filters, aset)
    drawn = [e.key for e in cat.select(exhibits.EXECUTIVE)]
    assert cat.missing == ("sat_gap", "cmp_pareto", "money_clv_chart")
    assert drawn == [k for k in exhibits.EXECUTIVE if k not in cat.missing]
    assert cat.page("Segment comparison") == []
    assert "sim_point_values" not in [e.key for e in cat.page("Impact simulator")]
    monthly = next(e for e in cat.page("Churn & retention") if e.key == "churn_monthly")
    assert set(monthly.data["group"]) == {churn.ALL_LABEL}
    head = money_headline.build(fetch, filters, aset)
    assert list(head.nps_point) == [ALL]
