"""Assumption sets: rules, the change log in the app-owned store, sets over the published rows,
and the Assumptions page (edits recorded, refusals shown, the warehouse never written)."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports import text
from dashboard.money import assumptions as A
from dashboard.warehouse import db

W = date(2026, 3, 2)


@pytest.fixture
def store(tmp_path) -> db.AppStore:
    return db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")


@pytest.fixture(scope="module")
def published(fixture_wh) -> pd.DataFrame:
    return fixture_wh.run("assumption_rows")


# --- rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key,text,value", [
    ("gross_margin_pct", "35", 35.0),
    ("gross_margin_pct", "100", 100.0),
    ("cost_per_contact_phone", "0", 0.0),
    ("cost_per_contact_phone", "1,250.5", 1250.5),
    ("discount_rate_pct", "0", 0.0),
    ("analysis_horizon_years", "5", 5.0),
    ("realisation_factor_low", "0.25", 0.25),
    ("currency", "EUR", "EUR"),
    ("currency_symbol", "€", "€"),
    ("programme_start_week", "2025-W27", "2025-W27"),
    ("target_nps", "-10", -10.0),
])
def test_valid_values_parse(key, text, value):
    assert A.parse_value(key, text) == value


@pytest.mark.parametrize("key,text,rule", [
    ("gross_margin_pct", "120", "at most 100 %"),
    ("gross_margin_pct", "0", "above 0 %"),
    ("cost_per_contact_phone", "-1", "at least 0"),
    ("complaint_handling_cost", "abc", "a number"),
    ("complaint_handling_cost", "nan", "a number"),
    ("analysis_horizon_years", "2.5", "a whole number"),
    ("analysis_horizon_years", "11", "at most 10"),
    ("realisation_factor_high", "1.5", "at most 1"),
    ("currency", "dollars", "three-letter"),
    ("programme_start_week", "2025-W60", "ISO week"),
])
def test_bad_values_are_refused_with_key_value_and_rule(key, text, rule):
    with pytest.raises(A.AssumptionError) as err:
        A.parse_value(key, text)
    msg = str(err.value)
    assert msg.startswith(f"{key} = {text!r} refused")
    assert rule in msg


def test_published_set_is_the_warehouse_rows(published, store):
    s = A.load_set(store, published)
    assert s.id == "published v0"
    v = s.in_force(W)
    assert v["gross_margin_pct"] == 35.0 and v["cost_per_contact_phone"] == 8.0
    assert v["currency"] == "USD" and v["programme_segment"] == "Business"
    assert set(s.table(W)["source"]) == {"warehouse"}


# --- the change log ----------------------------------------------------------------------------


def test_change_is_recorded_dated_and_versioned(published, store):
    s = A.load_set(store, published)
    s2 = A.record_change(store, s, "gross_margin_pct", "40", date(2026, 3, 2), who="ann",
                         reason="FY26 plan")
    assert s2.id == "published v1"
    assert s2.in_force(date(2026, 3, 2))["gross_margin_pct"] == 40.0
    assert s2.in_force(date(2026, 2, 23))["gross_margin_pct"] == 35.0  # before it was in force
    log = store.read("store_changes", set_name="published")
    assert log[["assumption_key", "effective_from", "old_value", "new_value", "changed_by",
                "reason"]].values.tolist() == [
        ["gross_margin_pct", "2026-03-02", "35", "40", "ann", "FY26 plan"]]
    assert log["changed_at"].iloc[0].endswith("UTC")
    row = s2.table(W).set_index("assumption_key").loc["gross_margin_pct"]
    assert row["source"] == "edit #1" and row["value_text"] == "40"
    # a second edit of the same key: the latest one wins, old value is the previous edit
    s3 = A.record_change(store, s2, "gross_margin_pct", "38", date(2026, 3, 2), who="bob")
    assert s3.id == "published v2" and s3.in_force(W)["gross_margin_pct"] == 38.0
    assert store.read("store_changes", set_name="published")["old_value"].tolist() == ["35",
                                                                                      "40"]


@pytest.mark.parametrize("key,text", [("gross_margin_pct", "120"),
                                      ("cost_per_contact_phone", "-3"),
                                      ("realisation_factor_low", "0.9x"),
                                      ("no_such_key", "1")])
def test_refused_change_writes_nothing(published, store, key, text):
    s = A.load_set(store, published)
    with pytest.raises(A.AssumptionError, match="refused"):
        A.record_change(store, s, key, text, W)
    assert store.read("store_changes", set_name="published").empty
    assert A.load_set(store, published).id == "published v0"


def test_realisation_range_cannot_be_upside_down(published, store):
    s = A.load_set(store, published)  # low 0.3, high 1.0
    upside_down = ("realisation_factor_low = 0.3 refused: must not exceed "
                   "realisation_factor_high = 0.2")
    with pytest.raises(A.AssumptionError, match=upside_down):
        A.record_change(store, s, "realisation_factor_high", "0.2", W)
    s = A.record_change(store, s, "realisation_factor_high", "0.8", W)
    with pytest.raises(A.AssumptionError, match="must not exceed realisation_factor_high = 0.8"):
        A.record_change(store, s, "realisation_factor_low", "0.9", W)
    # a change in force only from a later week is checked in every week it reaches
    with pytest.raises(A.AssumptionError, match="must not exceed"):
        A.record_change(store, s, "realisation_factor_low", "0.95", date(2026, 6, 1))
    assert A.record_change(store, s, "realisation_factor_low", "0.5", W).id == "published v2"


def test_new_set_copies_its_base_and_then_diverges(published, store):
    s = A.record_change(store, A.load_set(store, published), "cost_per_contact_phone", "9", W)
    name = A.create_set(store, "FY27 finance", based_on="published", who="cfo")
    assert A.set_names(store) == ["published", "FY27 finance"]
    fy = A.load_set(store, published, name)
    assert fy.id == "FY27 finance v1" and fy.in_force(W)["cost_per_contact_phone"] == 9.0
    fy = A.record_change(store, fy, "cost_per_contact_phone", "10", W)
    assert fy.in_force(W)["cost_per_contact_phone"] == 10.0
    assert A.load_set(store, published).in_force(W)["cost_per_contact_phone"] == 9.0
    assert s.in_force(W)["cost_per_contact_phone"] == 9.0
    with pytest.raises(A.AssumptionError, match="exists"):
        A.create_set(store, "FY27 finance")
    with pytest.raises(A.AssumptionError, match="refused"):
        A.create_set(store, "<b>bold</b>")


def test_store_values_are_bound(published, store):
    hostile = "x'); drop table assumption_changes; --"
    s = A.load_set(store, published)
    s = A.record_change(store, s, "programme_segment", "Mass", W, who=hostile, reason=hostile)
    log = store.read("store_changes", set_name="published")
    assert log["changed_by"].tolist() == [hostile] and log["reason"].tolist() == [hostile]


# --- the page ------------------------------------------------------------------------------------


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def page(open_app):
    at = open_app("pages/assumptions.py", timeout=60)
    return at


def _values(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value.set_index("Key")


def _submit(at: AppTest, key: str, value: str, who: str = "") -> AppTest:
    if who:
        at.text_input(key="asm_who").input(who)
    at.selectbox(key="asm_key").set_value(key)
    at.text_input(key="asm_value").input(value)
    next(b for b in at.button if b.label == "Record change").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_values_in_force(page):
    assert page.title[0].value == "Assumptions"
    v = _values(page)
    assert v.loc["gross_margin_pct", "Value"] == "35"
    assert v.loc["cost_per_contact_phone", "Source"] == "warehouse"
    assert "at most 100 %" in v.loc["gross_margin_pct", "Rule"]
    assert page.dataframe[1].value.empty  # no changes yet


def test_page_records_a_change_without_touching_the_warehouse(page, demo_db):
    before = _digest(demo_db)
    at = _submit(page, "gross_margin_pct", "42", who="Dana (finance)")
    assert text.markdown("Recorded: gross_margin_pct = 42") in at.success[0].value
    v = _values(at)
    assert v.loc["gross_margin_pct", "Value"] == "42"
    assert v.loc["gross_margin_pct", "Source"] == "edit #1"
    log = at.dataframe[1].value
    assert log[["Key", "Old value", "New value", "By"]].values.tolist() == [
        ["gross_margin_pct", "35", "42", "Dana (finance)"]]
    assert _digest(demo_db) == before


def test_page_refuses_a_bad_value_with_its_rule(page):
    at = _submit(page, "gross_margin_pct", "130")
    assert at.error[0].value == text.markdown(
        "gross_margin_pct = '130' refused: must be a number above 0 % and at most 100 %")
    assert _values(at).loc["gross_margin_pct", "Value"] == "35"
    assert at.dataframe[1].value.empty
    at = _submit(at, "cost_per_contact_phone", "-2")
    refusal = "cost_per_contact_phone = '-2' refused: must be a number at least 0"
    assert text.markdown(refusal) in at.error[0].value
