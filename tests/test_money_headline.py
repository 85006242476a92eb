"""The executive money headline: the CLI (`python -m dashboard money`) and the Weekly KPIs page
show the same figures from the same code; assumption sets change them as they should."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.money import assumptions as A
from dashboard.money.inputs import money_text
from dashboard.warehouse import db
from tests.conftest import ROOT, open_depth


def run_money(url: str, store: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "money", "--url", url,
                           "--store-url", store, *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def money_json(url: str, store: str, *args: str) -> dict:
    res = run_money(url, store, "--json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture
def store_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/store.sqlite"


def test_cli_headline_has_bands_and_the_set(demo_db, store_url):
    doc = money_json(f"duckdb:///{demo_db}", store_url, "--week", "2026-W44")
    assert doc["assumption_set"] == "published v0" and doc["withheld"] is None
    rar, sav = doc["revenue_at_risk"], doc["savings_vs_baseline"]
    assert rar["kind"] == "modelled" and rar["band"] == "P10–P90"
    assert sav["kind"] == "observed" and sav["band"] == "95% CI"
    for f in (rar, sav, *doc["nps_point_value"].values()):
        assert f["low"] < f["value"] < f["high"], f
        assert f["assumption_set"] == "published v0"
        assert f["how_computed"]["Assumption set"] == "published v0"
        assert "Formula" in f["how_computed"] and "Data window" in f["how_computed"]
    assert set(doc["nps_point_value"]) == {"Affluent", "Business", "Mass"}
    # the demo's detractors churn more than promoters: passives and detractors carry risk
    assert rar["value"] > 0
    # the self-service launch lowered cost to serve: a saving (negative change in cost)
    assert sav["value"] > 0


def test_cli_refuses_bad_input_in_one_line(demo_db, store_url):
    url = f"duckdb:///{demo_db}"
    for args, msg in ((("--week", "2026-W99"),), "bad week"), \
                     ((("--set", "nope"),), "unknown assumption set 'nope'"), \
                     ((("--segment", "Gold"),), "Gold"):
        res = run_money(url, store_url, *args[0])
        assert res.returncode == 2
        assert res.stderr.startswith("error: ") and msg in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1


def test_early_week_is_withheld_with_the_reason(demo_db, store_url):
    doc = money_json(f"duckdb:///{demo_db}", store_url, "--week", "2025-W10")
    assert "needs 13 weeks of history" in doc["withheld"]
    assert doc["revenue_at_risk"]["value"] is None and doc["nps_point_value"] == {}


def test_assumption_set_changes_the_money(demo_db, demo_wh, store_url):
    """Doubling every cost per contact doubles the observed savings (they are linear in unit
    costs) and leaves revenue at risk (revenue only) unchanged; the set id is named."""
    store = db.AppStore(store_url)
    published = demo_wh.run("assumption_rows")
    name = A.create_set(store, "double costs", who="test")
    s = A.load_set(store, published, name)
    start = min(published["valid_from"])
    for key, v in s.in_force(date(2026, 10, 26)).items():
        if key.startswith("cost_per_contact_"):
            s = A.record_change(store, s, key, str(2 * v), start, who="test", back_date=True)
    url = f"duckdb:///{demo_db}"
    base = money_json(url, store_url, "--week", "2026-W44")
    doubled = money_json(url, store_url, "--week", "2026-W44", "--set", name)
    assert doubled["assumption_set"] == f"double costs v{s.version}" and s.version == 6
    b, d = base["savings_vs_baseline"], doubled["savings_vs_baseline"]
    for k in ("value", "low", "high"):
        assert d[k] == pytest.approx(2 * b[k], abs=0.02)
    assert doubled["revenue_at_risk"]["value"] == base["revenue_at_risk"]["value"]


def test_kpi_page_shows_the_cli_headline(demo_db, store_url, monkeypatch):
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{demo_db}")
    monkeypatch.setenv("CX_APP_STORE_URL", store_url)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    open_depth(at)  # the money row's figures, one click away
    week = at.selectbox(key="f_week").value
    doc = money_json(f"duckdb:///{demo_db}", store_url, "--week", week)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Revenue at risk"] == money_text(doc["revenue_at_risk"]["value"], "$")
    assert shown["Savings against baseline"] == money_text(
        doc["savings_vs_baseline"]["value"], "$")
    for seg, f in doc["nps_point_value"].items():
        assert shown[f"Value of +1 NPS point, {seg}"] == money_text(f["value"], "$")
    captions = " ".join(c.value for c in at.caption)
    assert "Modelled · assumption set published v0" in captions
    assert "Observed · assumption set published v0" in captions
