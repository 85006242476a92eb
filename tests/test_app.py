"""AppTest: the Weekly KPIs page renders for several filter combinations with the CLI numbers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports import text
from dashboard.metrics.registry import REGISTRY, TILE_UNITS, format_value
from tests.conftest import ROOT, kpis_json


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{demo_db}")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


KPI_LABELS = {m.label for m in REGISTRY.values()}


def _kpi_metrics(at: AppTest):
    """The KPI tiles (the money row below them is tested in test_money_headline.py)."""
    return [m for m in at.metric if m.label.removesuffix(" · low base") in KPI_LABELS]


def shown(at: AppTest) -> dict[str, str]:
    return {m.label.removesuffix(" · low base"): m.value for m in _kpi_metrics(at)}


def arrows(at: AppTest) -> dict[str, bool]:
    """Which tiles draw an arrow (proto direction NONE = 2 means no arrow)."""
    return {m.label.removesuffix(" · low base"): m.proto.direction != 2
            for m in _kpi_metrics(at)}


def significant(doc: dict) -> dict[str, bool]:
    return {REGISTRY[k].label: v["significant"] for k, v in doc["kpis"].items()}


def expected(doc: dict) -> dict[str, str]:
    """Each tile's value as the CLI gives it, with the tile's unit in small type."""
    out = {}
    for k, v in doc["kpis"].items():
        m = REGISTRY[k]
        value = format_value(v["value"], m.fmt, "$")
        unit = TILE_UNITS.get(k)
        out[m.label] = f"{value} :small[{unit}]" if unit and v["value"] is not None else value
    return out


def test_default_page_shows_cli_numbers(app, demo_db):
    doc = kpis_json(f"duckdb:///{demo_db}")
    assert shown(app) == expected(doc)
    assert arrows(app) == significant(doc)
    assert app.title[0].value == "Weekly KPIs"
    # the headline as the CLI gives it, shown as literal text (markdown escaped)
    assert app.info[0].value == text.markdown(doc["headline"])
    # n and the interval are on hover; the verdict is a word beside the change
    nps = next(m for m in _kpi_metrics(app) if m.label == "NPS")
    assert f"n = {doc['kpis']['nps']['n']:,}" in nps.help and "95% CI" in nps.help
    assert "within noise" in nps.proto.delta_description or doc["kpis"]["nps"]["significant"]


@pytest.mark.parametrize("combo", [
    {"f_region": ["Central"], "f_compare": "previous"},
    {"f_segment": ["Business"], "f_plan": ["Premium", "Standard"], "f_compare": "52w"},
    {"f_segment": ["Mass", "Affluent"], "f_region": ["North"], "f_compare": "4w"},
])
def test_filtered_page_shows_cli_numbers(app, demo_db, combo):
    weeks = app.selectbox(key="f_week").options
    week = weeks[20]
    app.selectbox(key="f_week").set_value(week)
    args = ["--week", week, "--compare", combo.get("f_compare", "previous")]
    for key, flag in (("f_segment", "--segment"), ("f_region", "--region"), ("f_plan", "--plan")):
        if key in combo:
            app.multiselect(key=key).set_value(combo[key])
            for v in combo[key]:
                args += [flag, v]
    app.selectbox(key="f_compare").set_value(combo["f_compare"])
    app.run()
    assert not app.exception
    doc = kpis_json(f"duckdb:///{demo_db}", *args)
    assert shown(app) == expected(doc)
    assert arrows(app) == significant(doc)
    # the headline as the CLI gives it, shown as literal text (markdown escaped)
    assert app.info[0].value == text.markdown(doc["headline"])


def test_incident_week_shows_a_significant_nps_drop(app, demo_db, truth):
    from datetime import timedelta

    from dashboard.metrics.filters import parse_week, week_label

    start = parse_week(truth["incident_start_week"])
    app.selectbox(key="f_week").set_value(week_label(start + timedelta(weeks=1)))
    app.multiselect(key="f_region").set_value([truth["incident_region"]])
    app.selectbox(key="f_compare").set_value("4w")
    app.run()
    nps = next(m for m in app.metric if m.label.startswith("NPS"))
    assert nps.delta.startswith("−")
    # the incident's significant moves lead the headline with their money a week; the verdict
    # is a plain word (the test and its correction are in "How computed")
    cost = next(m for m in app.metric if m.label == "Cost to serve")
    assert "Worse." in cost.help and "worse" in cost.proto.delta_description
    headline = app.info[0].value
    assert headline.startswith("Cost to serve rose") and "a week more in handling" in headline
