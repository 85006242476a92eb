"""Partial data is first-class: warehouses holding a subset of the raw tables, loaded with
`ingest` from CSV exports of a small demo world — customers with transactions only (a telecom's
CRM and billing exports), customers with surveys only, customers with complaints only.

Every KPI, money figure, page, CLI field and pack slide that depends on a table with no rows
says "not loaded" (one message per table), never 0, never tested, never "target met"; the
loaded figures still equal an independent computation from the source rows."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pandas as pd
import pytest
from pptx import Presentation
from statsmodels.stats.multitest import multipletests

from dashboard.exports import exhibits
from dashboard.intake import demo
from dashboard.intake.ingest import ingest
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters, parse_week
from dashboard.metrics.registry import REGISTRY, REVENUE_PER_CUSTOMER
from dashboard.money import assumptions, figures, value, whatif
from dashboard.money import inputs as money
from dashboard.money import simulate as sim
from dashboard.warehouse import coverage as cov
from dashboard.warehouse import db
from tests.conftest import (
    DEMO_END_WEEK,
    ROOT,
    kpis_json,
    open_depth,
    run_every_page,
    run_kpis,
)

SUBSETS = {
    "transactions": ("customers", "transactions"),  # the telecom case: CRM + billing
    "surveys": ("customers", "survey_responses"),
    "complaints": ("customers", "complaints"),
}
EVENT_TABLES = ("survey_responses", "complaints", "contacts", "transactions")
MESSAGES = {
    "survey_responses": "no survey data loaded — load survey responses on the Data page",
    "complaints": "no complaint data loaded — load complaints on the Data page",
    "contacts": "no contact data loaded — load contacts on the Data page",
    "transactions": "no transaction data loaded — load transactions on the Data page",
}
#: What each KPI is computed from (hand-written here, not read from the registry).
KPI_TABLES = {"nps": "survey_responses", "csat": "survey_responses", "ces": "survey_responses",
              "complaint_rate": "complaints", "cost_to_serve": "contacts",
              "revenue": "transactions", "churn_rate_4w": "customers"}


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """The source rows (a 2,000-customer demo world) and one warehouse per subset, each
    loaded by `ingest` from CSV files holding only that subset's tables."""
    frames = demo.generate(customers=2000, seed=11, end_week=DEMO_END_WEEK)
    root = tmp_path_factory.mktemp("partial")
    urls = {}
    for name, tables in SUBSETS.items():
        paths = []
        for t in tables:
            p = root / name / f"{t}.csv"
            p.parent.mkdir(exist_ok=True)
            frames[t].to_csv(p, index=False)
            paths.append(p)
        target = root / name / "warehouse.duckdb"
        report = ingest(paths, target, archive_dir=root / "archive")
        assert report.exit_code == 0, report.lines()
        urls[name] = f"duckdb:///{target}"
    return SimpleNamespace(frames=frames, urls=urls, root=root)


def _fetch(url: str):
    wh = db.Warehouse(url)
    return lambda name, **p: db.cached_run(wh, name, **p)


def _missing(name: str) -> set[str]:
    return {t for t in EVENT_TABLES if t not in SUBSETS[name]}


def _active(customers: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Active on ``day``: signed up on or before it, and no churn date or a later one."""
    churn = pd.to_datetime(customers["churn_date"])
    return (pd.to_datetime(customers["signup_date"]) <= day) & (churn.isna() | (churn > day))


# --- the one message and the coverage ---------------------------------------------------------


def test_one_message_per_table_and_for_several():
    for table, text in MESSAGES.items():
        assert cov.message([table]) == text
    assert cov.message(["transactions", "survey_responses"]) == (
        "no survey or transaction data loaded — load survey responses and transactions on "
        "the Data page")
    assert cov.message(["contacts", "complaints", "survey_responses"]) == (
        "no survey, complaint or contact data loaded — load survey responses, complaints and "
        "contacts on the Data page")
    assert cov.sentence(["complaints"]) == (
        "No complaint data loaded — load complaints on the Data page.")


def test_coverage_counts_the_source_rows(world, fixture_fetch):
    for name, tables in SUBSETS.items():
        got = cov.load(_fetch(world.urls[name]))
        assert got.counts == {t: len(world.frames[t]) if t in tables else 0
                              for t in cov.TABLES}
        assert set(got.not_loaded) == _missing(name)
    # the fixture warehouse holds every table: its counts are its CSV files' rows
    fixture = cov.load(fixture_fetch)
    for t in cov.TABLES:
        rows = pd.read_csv(ROOT / "tests" / "fixtures" / f"{t}.csv")
        assert fixture.counts[t] == len(rows)
    assert fixture.not_loaded == ()


def test_metrics_declare_their_tables():
    for name, table in KPI_TABLES.items():
        assert table in REGISTRY[name].tables


# --- kpis --json and the text output -------------------------------------------------------


def _window(week: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 4-week churn window [a, b) ending with ``week``."""
    monday = pd.Timestamp(parse_week(week))
    return monday - timedelta(weeks=3), monday + timedelta(weeks=1)


def _unambiguous_week(customers: pd.DataFrame, weeks: list[str]) -> str:
    """The latest complete week whose 4-week churn is the same whichever way a boundary is
    read: the customers active on a and not on b are exactly those whose churn date falls in
    [a, b) (no churn date on a or b, no one both signing up and leaving inside). Boundary
    cases are tested with the churn rule itself; here the figure is unambiguous."""
    churn = pd.to_datetime(customers["churn_date"])
    for w in weeks:
        a, b = _window(w)
        by_rule = _active(customers, a) & ~_active(customers, b)
        by_date = (churn >= a) & (churn < b)
        if by_rule.equals(by_date):
            return w
    raise AssertionError("no week with an unambiguous 4-week churn")


@pytest.mark.parametrize("name", list(SUBSETS))
def test_kpis_json_marks_not_loaded_and_keeps_the_rest(world, name):
    url = world.urls[name]
    cat = kpis.load_catalog(_fetch(url))
    complete = [w for w in cat.weeks if w <= cat.latest_complete]
    week = _unambiguous_week(world.frames["customers"], complete)
    doc = kpis_json(url, "--week", week)
    missing = _missing(name)
    assert set(doc["not_loaded"]) == missing
    for key, body in doc["kpis"].items():
        if KPI_TABLES[key] in missing:
            assert body["value"] is None and body["status"] == "not_loaded"
            assert body["message"] == MESSAGES[KPI_TABLES[key]]
            assert body["n"] == 0 and body["p_value"] is None and body["p_adjusted"] is None
            assert body["significant"] is False and body["target_met"] is None
        else:
            assert body["status"] in ("ok", "low_base", "withheld") and body["message"] is None
    # the correction's family holds only the loaded KPIs that were tested
    tested = {k: b["p_value"] for k, b in doc["kpis"].items() if b["p_value"] is not None}
    assert tested and not set(tested) & {k for k, t in KPI_TABLES.items() if t in missing}
    adjusted = multipletests(list(tested.values()), method="fdr_bh")[1]
    for (k, _), p in zip(tested.items(), adjusted, strict=True):
        assert doc["kpis"][k]["p_adjusted"] == pytest.approx(p, abs=3e-6)  # 6 dp in JSON
    assert f"none of the {len(tested)} KPIs tested" in doc["headline"] or "moved" in doc[
        "headline"]
    labels = [REGISTRY[k].label for k, t in KPI_TABLES.items() if t in missing]
    assert all(label in doc["headline"] for label in labels) and "not loaded" in doc["headline"]

    # the loaded KPIs equal an independent computation from the source rows
    customers = world.frames["customers"]
    monday = pd.Timestamp(parse_week(week))
    start, end = _window(week)
    base = _active(customers, start)
    left = base & ~_active(customers, end)
    churn = doc["kpis"]["churn_rate_4w"]
    assert churn["n"] == int(base.sum())
    assert churn["value"] == pytest.approx(100 * left.sum() / base.sum(), abs=1e-6)
    if name == "transactions":
        t = world.frames["transactions"]
        at = pd.to_datetime(t["occurred_at"])
        in_week = t[(at >= monday) & (at < monday + timedelta(days=7))]
        assert doc["kpis"]["revenue"]["value"] == pytest.approx(in_week["amount"].sum(), abs=1e-4)
        assert doc["kpis"]["revenue"]["n"] == len(in_week)
    if name == "complaints":
        c = world.frames["complaints"]
        at = pd.to_datetime(c["opened_at"])
        opened = int(((at >= monday) & (at < monday + timedelta(days=7))).sum())
        active = int(_active(customers, monday).sum())
        assert doc["kpis"]["complaint_rate"]["value"] == pytest.approx(1000 * opened / active,
                                                                       abs=1e-6)
    if name == "surveys":
        s = world.frames["survey_responses"]
        at = pd.to_datetime(s["responded_at"])
        nps = s[(s["survey"] == "nps") & (at >= monday) & (at < monday + timedelta(days=7))]
        assert doc["kpis"]["nps"]["n"] == len(nps)


def test_survey_scores_equal_the_answers_when_shown(world, tiny_bases):
    """With surveys only, NPS is the answers' own (bases of 1 shown for the small world)."""
    fetch = _fetch(world.urls["surveys"])
    week = kpis.load_catalog(fetch).latest_complete
    tile = kpis.build_report(fetch, Filters(week=week)).tile("nps")
    monday = pd.Timestamp(parse_week(week))
    s = world.frames["survey_responses"]
    at = pd.to_datetime(s["responded_at"])
    scores = s.loc[(s["survey"] == "nps") & (at >= monday)
                   & (at < monday + timedelta(days=7)), "score"]
    expected = 100 * ((scores >= 9).sum() - (scores <= 6).sum()) / len(scores)
    assert tile.current.value == pytest.approx(expected, abs=1e-9)
    assert kpis.build_report(fetch, Filters(week=week)).tile("revenue").not_loaded == (
        MESSAGES["transactions"])


def test_kpis_text_says_not_loaded(world):
    res = run_kpis(world.urls["transactions"])
    assert res.returncode == 0, res.stderr
    lines = {line.split("  ")[1].strip(): line for line in res.stdout.splitlines()[1:-1]}
    for key, table in KPI_TABLES.items():
        line = lines[REGISTRY[key].label]
        if table in _missing("transactions"):
            assert "not loaded" in line and MESSAGES[table] in line
            assert "0.00" not in line and "p_adj" not in line
        else:
            assert "not loaded" not in line


def test_customers_only_warehouse_reports_churn_and_nothing_else(world, tmp_path):
    """With customers alone the calendar runs over their signup and churn dates: churn is
    reported, every other KPI is not loaded."""
    path = tmp_path / "customers.csv"
    world.frames["customers"].to_csv(path, index=False)
    assert ingest([path], tmp_path / "wh.duckdb", archive_dir=tmp_path / "a").exit_code == 0
    doc = kpis_json(f"duckdb:///{tmp_path / 'wh.duckdb'}")
    assert {k for k, b in doc["kpis"].items() if b["status"] != "not_loaded"} == {
        "churn_rate_4w"}
    assert sorted(doc["not_loaded"]) == sorted(EVENT_TABLES)


# --- money -------------------------------------------------------------------------------------


def _money_json(url: str, store: str) -> dict:
    res = subprocess.run([sys.executable, "-m", "dashboard", "money", "--url", url,
                          "--store-url", store, "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize(("name", "rar", "savings", "point"), [
    ("transactions", ["survey_responses"], ["contacts"], ["survey_responses"]),
    ("surveys", ["transactions"], ["contacts"], ["transactions"]),
    ("complaints", ["survey_responses", "transactions"], ["contacts"],
     ["survey_responses", "transactions"]),
])
def test_money_json_leaves_components_out(world, tmp_path, name, rar, savings, point):
    doc = _money_json(world.urls[name], f"sqlite:///{tmp_path}/store.sqlite")
    for fig, tables in ((doc["revenue_at_risk"], rar), (doc["savings_vs_baseline"], savings)):
        assert fig["status"] == "not_loaded" and fig["value"] is None
        assert fig["low"] is None and fig["high"] is None
        assert fig["message"] == cov.message(tables)
    # the value of an NPS point needs surveys and revenue: one not-loaded figure, not a $0
    [pt] = doc["nps_point_value"].values()
    assert pt["status"] == "not_loaded" and pt["value"] is None
    assert pt["message"] == cov.message(point)


@pytest.fixture(scope="module")
def telecom_money(world, tmp_path_factory):
    fetch = _fetch(world.urls["transactions"])
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    week = kpis.load_catalog(fetch).latest_complete
    return SimpleNamespace(fetch=fetch, aset=aset, filters=Filters(week=week),
                           report=value.build_report(fetch, Filters(week=week), aset))


def test_lifetime_value_without_cost_to_serve_is_labelled(telecom_money):
    r = telecom_money.report
    assert r.titles["clv"].endswith("(without cost to serve)")
    assert "without cost to serve" in r.takeaways["clv"]
    assert "Computed without cost to serve: no complaint or contact data loaded" in r.notes["clv"]
    assert r.clv_figures and all(f.label.endswith("(without cost to serve)")
                                 for f in r.clv_figures.values())
    col = "Cost to serve per customer-year (without cost to serve)"
    assert set(r.clv_table[col]) == {"not loaded"}
    # the value is m × Σ r^t / (1 + d)^t with m = revenue × margin alone, written out here
    fin = figures.finance(money.fetch_inputs(telecom_money.fetch, telecom_money.filters,
                                             telecom_money.aset))
    row = r.clv[r.clv["segment"] == money.ALL].iloc[0]
    m = row["revenue_per_year"] * fin.margin
    q = (1 - row["churn_rate"]) / (1 + fin.discount)
    assert row["value"] == pytest.approx(m * sum(q**t for t in range(1, fin.horizon + 1)))
    for key in ("revenue_at_risk", "value_d_to_pa", "value_pa_to_p", "complaint_cost_observed",
                "complaint_churn_cost", "savings_baseline"):
        f = r.figures[key]
        assert f.status == "not_loaded" and f.note.startswith("No ")
    assert r.missing("categories") == ("survey_responses",)
    assert r.missing("savings") == ("contacts",)


def test_simulator_leaves_out_levers_without_data(telecom_money):
    t = telecom_money
    inputs = money.fetch_inputs(t.fetch, t.filters, t.aset)
    est = money.category_estimates(inputs)
    levers = whatif.Levers(complaint_change_pct=-20, fcr_change_pp=5)
    kept, note = whatif.loaded_levers(levers, inputs.coverage)
    assert kept.is_zero
    assert note == ("Not valued (complaint rate change, first-contact resolution change): "
                    "no complaint or contact data loaded — load complaints and contacts on the "
                    "Data page.")
    res = sim.simulate(est, inputs, levers, draws=200)
    assert res.notes[0] == note
    assert res.profit_impact.value == 0.0  # no lever valued: nothing moves, and it says why
    assert whatif.offered(inputs.coverage) == {
        "nps": ("survey_responses",), "complaint_change_pct": ("complaints",),
        "fcr_change_pp": ("contacts",), "self_service_shift_pp": ("contacts",)}


# --- the app: every page renders, and says "not loaded" instead of zeros ------------------------

PAGES = ("weekly_kpis", "satisfaction", "complaints", "cost_to_serve", "churn", "segments",
         "money", "simulator", "board_pack", "assumptions", "data")
#: The page whose main table is not loaded shows one info state and no chart.
MAIN_TABLE = {"satisfaction": "survey_responses", "complaints": "complaints",
              "cost_to_serve": "contacts", "money": "transactions", "simulator": "transactions"}


@pytest.fixture(scope="module")
def app_runs(world, tmp_path_factory):
    """Every page of every subset warehouse, run once under AppTest (Weekly KPIs with its
    "how computed" open: the money row's figures are read there)."""
    def visit(page, at):
        if page == "weekly_kpis":
            open_depth(at)
    return {(name, page): at for name, url in world.urls.items()
            for page, at in run_every_page(url, tmp_path_factory.mktemp("app"), PAGES,
                                           visit).items()}


@pytest.mark.parametrize("name", list(SUBSETS))
def test_every_page_renders(app_runs, name):
    for page in PAGES:
        at = app_runs[name, page]
        assert not at.exception, (page, at.exception)
        table = MAIN_TABLE.get(page)
        if table and table not in SUBSETS[name]:
            infos = [i.value for i in at.info]
            assert infos == [cov.sentence([table])], (page, infos)
            assert not at.get("plotly_chart") and not at.metric, page


@pytest.mark.parametrize("name", list(SUBSETS))
def test_kpi_tiles_say_not_loaded(app_runs, world, name):
    at = app_runs[name, "weekly_kpis"]
    doc = kpis_json(world.urls[name])
    tiles = {m.label.removesuffix(" · low base"): m for m in at.metric}
    not_loaded = [k for k, b in doc["kpis"].items() if b["status"] == "not_loaded"]
    assert not_loaded
    captions = [c.value for c in at.caption]
    for key in not_loaded:
        tile = tiles[REGISTRY[key].label]
        assert tile.value == "Not loaded"
        assert tile.proto.direction == 2  # no arrow
    for key, body in doc["kpis"].items():
        if body["status"] != "not_loaded":
            assert tiles[REGISTRY[key].label].value != "Not loaded"
    # a target line only under loaded tiles, never "met" for a KPI that is not loaded
    with_target = [k for k, b in doc["kpis"].items()
                   if b["target"] is not None and b["status"] != "not_loaded"]
    assert sum(c.startswith("Target ") for c in captions) == len(with_target)
    for table in {KPI_TABLES[k] for k in not_loaded}:
        assert cov.sentence([table]) in " ".join(
            [*captions, *(i.value for i in at.info)]).replace("\\", "")
    # the money row: every figure that needs a missing table says so, none shows $0
    for label in ("Revenue at risk", "Savings against baseline", "Value of +1 NPS point"):
        assert tiles[label].value == "Not loaded"
    assert doc["headline"] == at.info[0].value


def test_no_zero_for_what_is_not_loaded(app_runs):
    """Complaint rate, cost to serve and compensation never read 0 when not loaded."""
    at = app_runs["transactions", "weekly_kpis"]
    values = {m.label: m.value for m in at.metric}
    for label in ("Complaint rate", "Cost to serve", "NPS", "CSAT", "CES"):
        assert values[label] == "Not loaded"
    assert "0.00" not in values.values() and "$0.00" not in values.values()
    churn = {m.label: m.value for m in app_runs["surveys", "churn"].metric}
    assert churn["Revenue-weighted churn"] == churn["Revenue lost to churn"] == "Not loaded"
    at_risk = {m.label: m.value for m in app_runs["transactions", "churn"].metric}
    assert at_risk["At-risk customers"] == "Not loaded"
    money_page = {m.label: m.value for m in app_runs["transactions", "money"].metric}
    assert money_page["Complaints: handling and compensation"] == "Not loaded"
    assert money_page["Savings against baseline"] == "Not loaded"


def test_segment_comparison_offers_and_tests_loaded_kpis_only(app_runs):
    at = app_runs["transactions", "segments"]
    offered = at.selectbox(key="cmp_metric").options
    # revenue is compared per customer (groups of different sizes; the total is context)
    assert offered == [REGISTRY["churn_rate_4w"].label, REVENUE_PER_CUSTOMER.label]
    table = at.dataframe[0].value
    nps = table[table["KPI"] == "NPS"].iloc[0]
    groups = [c for c in table.columns if c != "KPI" and " " not in c]
    assert groups and all(nps[g] == "not loaded" for g in groups)


# --- the board pack -----------------------------------------------------------------------------


def test_pack_leaves_out_and_lists_what_is_not_loaded(world, tmp_path):
    url = world.urls["transactions"]
    res = subprocess.run([sys.executable, "-m", "dashboard", "pack", "--url", url, "--format",
                          "pptx", "--out", str(tmp_path), "--quiet", "--json", "--no-email",
                          "--store-url", f"sqlite:///{tmp_path}/store.sqlite"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    gone = {e["chart"]: e["message"] for e in doc["not_loaded"]}
    expected = {"trend_nps": MESSAGES["survey_responses"],
                "trend_csat": MESSAGES["survey_responses"],
                "trend_complaint_rate": MESSAGES["complaints"],
                "trend_cost_to_serve": MESSAGES["contacts"],
                "sat_gap": MESSAGES["survey_responses"], "cmp_pareto": MESSAGES["complaints"],
                "cts_channels": MESSAGES["contacts"], "cts_mix": MESSAGES["contacts"]}
    assert gone == expected
    assert doc["charts"] == [k for k in exhibits.EXECUTIVE if k not in expected]
    assert doc["missing"] == []
    deck = Presentation(doc["files"][0])
    slides = list(deck.slides)
    title = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Not loaded, left out: NPS trend, CSAT trend, Expectation gap by touchpoint (no " \
           "survey data loaded" in title
    assert "Complaint categories (Pareto)" in title and "Channel mix over time" in title
    notes = [s.notes_slide.notes_text_frame.text for s in slides[1:1 + len(doc["charts"])]]
    assert len(notes) == len(doc["charts"])
    heads = [n.splitlines()[0] for n in notes]
    assert not any(h.startswith(("NPS", "CSAT", "Complaint rate", "Cost to serve")) for h in heads)
    # the lifetime value slide says what it leaves out
    assert any("without cost to serve" in h for h in heads)


def test_catalogue_computes_no_page_whose_main_table_is_empty(world, tmp_path):
    fetch = _fetch(world.urls["surveys"])
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    cat = exhibits.Catalogue(fetch, Filters(week=kpis.load_catalog(fetch).latest_complete),
                             aset)
    drawn = cat.select(pages=("Complaints", "CX in money", "Satisfaction"))
    assert {e.page for e in drawn} == {"Satisfaction"}
    assert cat.built["Complaints"] == [] and cat.built["CX in money"] == []
    listed = cat.not_loaded_list(pages=("Complaints", "CX in money"))
    assert {e["chart"] for e in listed} == set(exhibits.PAGE_KEYS["Complaints"]) | set(
        exhibits.PAGE_KEYS["CX in money"])
    assert cat.missing == ()
