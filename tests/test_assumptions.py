"""Assumption sets: rules, drafts and their change log in the app-owned store, publishing (the
only way the published set changes), the default first week, the store's migration, the unit
costs against the booked ones, and the pages (the Assumptions page's flow, the Weekly KPIs and
Cost to serve notices), the warehouse never written."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports import text
from dashboard.money import assumptions as A
from dashboard.money import publishing, unit_costs
from dashboard.warehouse import db
from tests.conftest import open_depth

W = date(2026, 3, 2)
#: "Today" in the unit tests: a Wednesday of 2026-W50, so the next week is 2026-W51 (Dec 14).
TODAY = date(2026, 12, 9)
NEXT = date(2026, 12, 14)


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



def _draft(store, published, name: str = "FY27 plan") -> A.AssumptionSet:
    A.create_set(store, name, who="ann")
    return A.load_set(store, published, name)


# --- the published set is never edited in place ----------------------------------------------


def test_published_set_is_never_edited_in_place(published, store):
    s = A.load_set(store, published)
    with pytest.raises(A.AssumptionError, match="changes only by publishing a draft"):
        A.record_change(store, s, "gross_margin_pct", "40", NEXT, who="ann", today=TODAY)
    assert store.read("store_changes", set_name="published").empty
    assert store.read("store_sets").empty
    assert A.load_set(store, published).id == "published v0"


# --- the default first week and back-dating ------------------------------------------------------


@pytest.mark.parametrize("today,monday", [
    (date(2026, 12, 6), date(2026, 12, 7)),    # a Sunday: the next week starts tomorrow
    (date(2026, 12, 7), date(2026, 12, 14)),   # a Monday: the week under way is not next
    (date(2026, 12, 9), date(2026, 12, 14)),
    (date(2026, 12, 31), date(2027, 1, 4)),    # across the year: 2027-W01
])
def test_next_week_is_the_monday_after_the_current_week(today, monday):
    assert A.next_week(today) == monday and monday.weekday() == 0
    assert A.first_week_of(monday) == f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"


def test_first_week_of_a_date_is_the_week_of_the_monday_on_or_after_it():
    assert A.first_week_of(date(2026, 12, 14)) == "2026-W51"
    assert A.first_week_of(date(2026, 12, 9)) == "2026-W51"  # a Wednesday: from next Monday
    assert A.first_week_of(date(2027, 1, 3)) == "2027-W01"


def test_a_new_value_starts_by_default_the_next_week(published, store):
    d = _draft(store, published)
    d = A.record_change(store, d, "gross_margin_pct", "40", who="ann", reason="FY27",
                        today=TODAY)
    log = store.read("store_changes", set_name="FY27 plan")
    assert log[["effective_from", "old_value", "new_value", "back_dated"]].values.tolist() == [
        ["2026-12-14", "35", "40", 0]]
    assert d.in_force(date(2026, 12, 7))["gross_margin_pct"] == 35.0  # the week under way
    assert d.in_force(NEXT)["gross_margin_pct"] == 40.0
    assert d.in_force(W)["gross_margin_pct"] == 35.0  # nothing reported changes


def test_back_dating_needs_an_explicit_choice_and_is_recorded(published, store):
    d = _draft(store, published)
    with pytest.raises(A.AssumptionError) as err:
        A.record_change(store, d, "cost_per_contact_phone", "10", W, who="ann", today=TODAY)
    assert str(err.value) == (
        "cost_per_contact_phone from 2026-03-02 refused: that is before the next week "
        "(2026-W51, from 2026-12-14), so it would change weeks already reported. Choose "
        "back-dating explicitly to mean it.")
    assert store.read("store_changes", set_name="FY27 plan").empty
    d = A.record_change(store, d, "cost_per_contact_phone", "10", W, who="ann", today=TODAY,
                        back_date=True)
    assert d.in_force(W)["cost_per_contact_phone"] == 10.0
    log = store.read("store_changes", set_name="FY27 plan")
    assert log["back_dated"].tolist() == [1]
    # back_date on a date that is not earlier records nothing back-dated
    A.record_change(store, d, "gross_margin_pct", "36", NEXT, who="ann", today=TODAY,
                    back_date=True)
    assert store.read("store_changes", set_name="FY27 plan")["back_dated"].tolist() == [1, 0]


# --- drafts and their change log ----------------------------------------------------------------


def test_change_is_recorded_dated_and_versioned(published, store):
    s = _draft(store, published)
    assert s.id == "FY27 plan v0" and s.base_version == 0
    s2 = A.record_change(store, s, "gross_margin_pct", "40", date(2026, 3, 2), who="ann",
                         reason="FY26 plan", back_date=True)
    assert s2.id == "FY27 plan v1"
    assert s2.in_force(date(2026, 3, 2))["gross_margin_pct"] == 40.0
    assert s2.in_force(date(2026, 2, 23))["gross_margin_pct"] == 35.0  # before it was in force
    log = store.read("store_changes", set_name="FY27 plan")
    assert log[["assumption_key", "effective_from", "old_value", "new_value", "changed_by",
                "reason"]].values.tolist() == [
        ["gross_margin_pct", "2026-03-02", "35", "40", "ann", "FY26 plan"]]
    assert log["changed_at"].iloc[0].endswith("UTC")
    row = s2.table(W).set_index("assumption_key").loc["gross_margin_pct"]
    assert row["source"] == f"edit #{log['change_id'].iloc[0]}" and row["value_text"] == "40"
    # a second edit of the same key: the latest one wins, old value is the previous edit
    s3 = A.record_change(store, s2, "gross_margin_pct", "38", date(2026, 3, 2), who="bob",
                         back_date=True)
    assert s3.id == "FY27 plan v2" and s3.in_force(W)["gross_margin_pct"] == 38.0
    assert store.read("store_changes", set_name="FY27 plan")["old_value"].tolist() == ["35",
                                                                                      "40"]
    assert A.load_set(store, published).id == "published v0"  # the published set is untouched


@pytest.mark.parametrize("key,text", [("gross_margin_pct", "120"),
                                      ("cost_per_contact_phone", "-3"),
                                      ("realisation_factor_low", "0.9x"),
                                      ("no_such_key", "1")])
def test_refused_change_writes_nothing(published, store, key, text):
    s = _draft(store, published)
    with pytest.raises(A.AssumptionError, match="refused"):
        A.record_change(store, s, key, text, NEXT, today=TODAY)
    assert store.read("store_changes", set_name="FY27 plan").empty
    assert A.load_set(store, published, "FY27 plan").id == "FY27 plan v0"


def test_realisation_range_cannot_be_upside_down(published, store):
    s = _draft(store, published)  # low 0.3, high 1.0

    def change(key, text, day=W):
        return A.record_change(store, s, key, text, day, back_date=True, today=TODAY)

    upside_down = ("realisation_factor_low = 0.3 refused: must not exceed "
                   "realisation_factor_high = 0.2")
    with pytest.raises(A.AssumptionError, match=upside_down):
        change("realisation_factor_high", "0.2")
    s = change("realisation_factor_high", "0.8")
    with pytest.raises(A.AssumptionError, match="must not exceed realisation_factor_high = 0.8"):
        change("realisation_factor_low", "0.9")
    # a change in force only from a later week is checked in every week it reaches
    with pytest.raises(A.AssumptionError, match="must not exceed"):
        change("realisation_factor_low", "0.95", date(2026, 6, 1))
    assert change("realisation_factor_low", "0.5").id == "FY27 plan v2"


def test_new_draft_copies_its_base_and_then_diverges(published, store):
    s = A.record_change(store, _draft(store, published, "base"), "cost_per_contact_phone", "9.5",
                        W, back_date=True, today=TODAY)
    name = A.create_set(store, "FY27 finance", based_on="base", who="cfo")
    names = A.set_names(store)
    assert names[0] == "published" and sorted(names[1:]) == ["FY27 finance", "base"]
    fy = A.load_set(store, published, name)
    assert fy.id == "FY27 finance v1" and fy.in_force(W)["cost_per_contact_phone"] == 9.5
    assert fy.base_version == 0  # a copy of a draft starts from the draft's published version
    fy = A.record_change(store, fy, "cost_per_contact_phone", "10", W, back_date=True,
                         today=TODAY)
    assert fy.in_force(W)["cost_per_contact_phone"] == 10.0
    assert A.load_set(store, published, "base").in_force(W)["cost_per_contact_phone"] == 9.5
    assert s.in_force(W)["cost_per_contact_phone"] == 9.5
    assert A.load_set(store, published).in_force(W)["cost_per_contact_phone"] == 8.0
    for taken in ("FY27 finance", "published"):
        with pytest.raises(A.AssumptionError, match="exists"):
            A.create_set(store, taken)
    with pytest.raises(A.AssumptionError, match="refused"):
        A.create_set(store, "<b>bold</b>")
    with pytest.raises(A.AssumptionError, match="not an open draft"):
        A.create_set(store, "copy", based_on="no such draft")


def test_store_values_are_bound(published, store):
    hostile = "x'); drop table assumption_changes; --"
    s = _draft(store, published)
    A.record_change(store, s, "programme_segment", "Mass", NEXT, who=hostile, reason=hostile,
                    today=TODAY)
    log = store.read("store_changes", set_name="FY27 plan")
    assert log["changed_by"].tolist() == [hostile] and log["reason"].tolist() == [hostile]


# --- publishing -----------------------------------------------------------------------------------


def test_publishing_end_to_end(published, store):
    """draft → changes → diff → refusals → publish with a reason → the published set's values
    and history; the draft is then a read-only record."""
    d = _draft(store, published)
    # phone 10 from 2026-03-02 (back-dated): the warehouse's own 9.00 from 2026-03-09 is later
    # and still wins from then, so the draft differs for one week only
    d = A.record_change(store, d, "cost_per_contact_phone", "10", W, who="ann",
                        reason="new contract", back_date=True, today=TODAY)
    d = A.record_change(store, d, "gross_margin_pct", "40", who="ann", reason="FY27 budget",
                        today=TODAY)
    pub = A.load_set(store, published)
    diff = publishing.diff(pub, d, TODAY)
    assert diff.values.tolist() == [
        ["cost_per_contact_phone", date(2026, 3, 2), date(2026, 3, 9), "8", "10", True],
        ["gross_margin_pct", NEXT, None, "35", "40", False],
    ]
    shown = publishing.diff_table(diff)
    assert shown.values.tolist() == [
        ["Cost per contact: phone", "cost_per_contact_phone", "2026-03-02 (2026-W10)",
         "2026-03-09", "8", "10", "yes"],
        ["Gross margin", "gross_margin_pct", "2026-12-14 (2026-W51)", "onwards", "35", "40",
         "no"],
    ]

    def refused(match: str, **kw) -> None:
        args = {"who": "Dana", "reason": "FY27 budget approved", "confirm_back_dated": True,
                "today": TODAY} | kw
        with pytest.raises(A.AssumptionError, match=match):
            publishing.publish(store, published, d, **args)
        assert store.read("store_publications").empty
        assert A.load_set(store, published).id == "published v0"

    refused("give a reason", reason="   ")
    refused("give your name", who="")
    refused(r"cost_per_contact_phone from 2026-03-02 start\(s\) before the next week "
            r"\(2026-W51\)", confirm_back_dated=False)
    # the same refusal in Persian: the day and the week as their Jalali days
    from dashboard import i18n

    with i18n.use("fa"), pytest.raises(A.AssumptionError) as refusal:
        publishing.publish(store, published, d, "Dana", "FY27", confirm_back_dated=False,
                           today=TODAY)
    assert str(refusal.value).startswith(
        "انتشار پذیرفته نشد: cost_per_contact_phone از ۱۱ اسفند ۱۴۰۴ پیش از هفتهٔ آینده "
        "(هفتهٔ ۲۳ تا ۲۹ آذر ۱۴۰۵) آغاز می‌شود")  # 2 March 2026; 14–20 December 2026
    with pytest.raises(A.AssumptionError, match="only by publishing a draft"):
        A.record_change(store, pub, "gross_margin_pct", "41", NEXT, today=TODAY)

    done = publishing.publish(store, published, d, "Dana", "FY27 budget approved",
                              confirm_back_dated=True, today=TODAY)
    assert (done.from_version, done.to_version, done.published_id) == (0, 2, "published v2")
    after = A.load_set(store, published)
    assert after.id == "published v2"
    assert after.in_force(date(2026, 2, 23))["cost_per_contact_phone"] == 8.0
    assert after.in_force(W)["cost_per_contact_phone"] == 10.0
    assert after.in_force(date(2026, 3, 9))["cost_per_contact_phone"] == 9.0  # warehouse row
    assert after.in_force(date(2026, 12, 7))["gross_margin_pct"] == 35.0
    assert after.in_force(NEXT)["gross_margin_pct"] == 40.0
    assert publishing.diff(after, d, TODAY).empty  # equal to the draft in every week
    assert after.table(W).set_index("assumption_key").loc[
        "cost_per_contact_phone", "source"] == "publication #1"
    # the history: one publication, who, when, why, and each value old → new
    hist = publishing.publications(store)
    assert hist[["#", "By", "Reason", "Draft", "Versions", "Changes"]].values.tolist() == [
        [1, "Dana", "FY27 budget approved", "FY27 plan", "v0 → v2", 2]]
    assert hist["When"].iloc[0].endswith("UTC")
    log = store.read("store_changes", set_name="published")
    assert log[["assumption_key", "effective_from", "old_value", "new_value", "changed_by",
                "reason", "back_dated", "publication_id"]].values.tolist() == [
        ["cost_per_contact_phone", "2026-03-02", "8", "10", "Dana", "FY27 budget approved", 1,
         1],
        ["gross_margin_pct", "2026-12-14", "35", "40", "Dana", "FY27 budget approved", 0, 1]]
    # the draft is kept as the record of what was published, read-only and no longer offered
    assert A.set_names(store) == ["published"]
    closed = A.load_set(store, published, "FY27 plan")
    assert closed.published_in == 1
    with pytest.raises(A.AssumptionError, match=r"was published \(publication #1\)"):
        A.record_change(store, closed, "gross_margin_pct", "41", NEXT, today=TODAY)
    with pytest.raises(A.AssumptionError, match="published already"):
        publishing.publish(store, published, closed, "Dana", "again", today=TODAY)
    # a new draft starts from the new published version
    assert _draft(store, published, "next").base_version == 2


def test_publishing_a_period_that_ends(published, store):
    """A draft value that holds for four weeks and then returns to the published one: the
    diff is one closed period, and publishing records its start and its end."""
    d = _draft(store, published)
    d = A.record_change(store, d, "cost_per_contact_chat", "6", date(2026, 1, 5),
                        back_date=True, today=TODAY)
    d = A.record_change(store, d, "cost_per_contact_chat", "4.8", date(2026, 2, 2),
                        back_date=True, today=TODAY)
    diff = publishing.diff(A.load_set(store, published), d, TODAY)
    assert diff.values.tolist() == [
        ["cost_per_contact_chat", date(2026, 1, 5), date(2026, 2, 2), "4.8", "6", True]]
    done = publishing.publish(store, published, d, "Dana", "January promotion staffing",
                              confirm_back_dated=True, today=TODAY)
    assert done.to_version == 2
    after = A.load_set(store, published)
    assert [after.in_force(day)["cost_per_contact_chat"] for day in (
        date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 26), date(2026, 2, 2))] == [
        4.8, 6.0, 6.0, 4.8]
    assert store.read("store_changes", set_name="published")[
        ["effective_from", "old_value", "new_value"]].values.tolist() == [
        ["2026-01-05", "4.8", "6"], ["2026-02-02", "6", "4.8"]]


def test_nothing_to_publish_and_stale_drafts_are_refused(published, store):
    empty = _draft(store, published, "empty")
    with pytest.raises(A.AssumptionError, match="Nothing to publish"):
        publishing.publish(store, published, empty, "Dana", "no change", today=TODAY)
    a = A.record_change(store, _draft(store, published, "a"), "gross_margin_pct", "40",
                        today=TODAY)
    b = A.record_change(store, _draft(store, published, "b"), "discount_rate_pct", "8",
                        today=TODAY)
    publishing.publish(store, published, a, "Dana", "margin plan", today=TODAY)
    why = publishing.stale(store, b)
    assert why.startswith("The published set has changed since draft 'b' was started (it was "
                          "published v0, it is published v1 now)")
    with pytest.raises(A.AssumptionError, match="has changed since draft 'b'"):
        publishing.publish(store, published, b, "Lee", "discount plan", today=TODAY)
    assert A.load_set(store, published).in_force(NEXT)["discount_rate_pct"] == 10.0


def test_the_store_keeps_one_publication_per_published_version(store):
    row = {"draft_name": "a", "from_version": 0, "to_version": 1, "published_at": "t",
           "published_by": "Dana", "reason": "r"}
    store.write(("store_record_publication", row))
    with pytest.raises(Exception, match="UNIQUE"):
        store.write(("store_record_publication", row | {"draft_name": "b"}),
                    ("store_close_draft", {"set_name": "b"}))
    assert store.read("store_publications")["draft_name"].tolist() == ["a"]


# --- the store: its queries and the migration of a store from before publishing ---------------


def test_store_queries_declare_the_parameters_they_use():
    from dashboard.warehouse.catalog import store_catalog

    for q in store_catalog().values():
        assert q.params == q.used_params, q.name


#: The store's tables as shipped before publishing existed (copied from that version).
OLD_SCHEMA = """
create table assumption_sets (
    set_name text primary key, based_on text not null, created_at text not null,
    created_by text not null, description text not null default '');
create table assumption_changes (
    change_id integer primary key autoincrement,
    set_name text not null references assumption_sets (set_name),
    assumption_key text not null, effective_from text not null, old_value text,
    new_value text not null, changed_at text not null, changed_by text not null,
    reason text not null default '');
create table scenarios (
    scenario_name text primary key, saved_at text not null, saved_by text not null,
    assumption_set_id text not null, payload text not null);
"""


def _old_store(path) -> None:
    """A store as the earlier version left it: the published set edited in place, a set
    started before that edit and one after it (with the edit copied), a saved scenario."""
    con = sqlite3.connect(path)
    con.executescript(OLD_SCHEMA)
    con.executemany("insert into assumption_sets values (?, ?, ?, ?, ?)", [
        ("early", "published", "2026-10-01 09:00:00 UTC", "lee", ""),
        ("published", "warehouse", "2026-11-01 10:00:00 UTC", "ann", "edits"),
        ("late", "published", "2026-11-02 08:00:00 UTC", "bob", "")])
    con.executemany(
        "insert into assumption_changes (set_name, assumption_key, effective_from, old_value, "
        "new_value, changed_at, changed_by, reason) values (?, ?, ?, ?, ?, ?, ?, ?)", [
            ("published", "cost_per_contact_phone", "2026-03-02", "8", "9.5",
             "2026-11-01 10:00:00 UTC", "ann", "in place"),
            ("late", "cost_per_contact_phone", "2026-03-02", "8", "9.5",
             "2026-11-01 10:00:00 UTC", "ann", "copied from published #1"),
            ("late", "gross_margin_pct", "2026-03-02", "35", "37",
             "2026-11-02 08:05:00 UTC", "bob", "")])
    con.execute("insert into scenarios values ('Plan A', 't', 'ann', 'published v1', '{}')")
    con.commit()
    con.close()


def _columns(path, table) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute(f"pragma table_info({table})")]
    finally:
        con.close()


def test_a_store_from_before_publishing_is_migrated_and_stays_readable(published, tmp_path):
    path = tmp_path / "old.sqlite"
    _old_store(path)
    store = db.AppStore(f"sqlite:///{path}")
    pub = A.load_set(store, published)
    assert pub.id == "published v1"  # the id money figures and saved scenarios named
    assert pub.in_force(W)["cost_per_contact_phone"] == 9.5
    assert pub.table(W).set_index("assumption_key").loc[
        "cost_per_contact_phone", "source"] == "edit #1"
    assert A.set_names(store) == ["published", "early", "late"]  # by creation time
    early, late = (A.load_set(store, published, n) for n in ("early", "late"))
    assert (early.id, early.base_version) == ("early v0", 0)
    assert (late.id, late.base_version) == ("late v2", 1)
    assert store.read("store_scenarios")["assumption_set_id"].tolist() == ["published v1"]
    assert store.read("store_changes", set_name="published")["back_dated"].tolist() == [0]
    # a set started before the in-place edit is stale; the one after it publishes
    assert "it was published v0, it is published v1 now" in publishing.stale(store, early)
    assert publishing.diff(pub, late, TODAY).values.tolist() == [
        ["gross_margin_pct", W, None, "35", "37", True]]
    publishing.publish(store, published, late, "bob", "margin", confirm_back_dated=True,
                       today=TODAY)
    assert A.load_set(store, published).id == "published v2"
    # opened again: the migration is not run twice
    again = db.AppStore(f"sqlite:///{path}")
    assert again.read("store_migrations_applied")["migration"].tolist() == [
        "store_migrate_001_publishing", "store_migrate_002_access"]
    assert A.load_set(again, published).id == "published v2"


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "odd.sqlite"
    _old_store(path)
    con = sqlite3.connect(path)  # a column the migration adds, added by hand: it fails on it
    con.execute("alter table assumption_changes add column publication_id integer")
    con.commit()
    con.close()
    with pytest.raises(Exception, match="duplicate column"):
        db.AppStore(f"sqlite:///{path}").read("store_sets")
    assert "base_version" not in _columns(path, "assumption_sets")  # all or nothing
    assert "back_dated" not in _columns(path, "assumption_changes")
    con = sqlite3.connect(path)
    assert con.execute("select count(*) from store_migrations").fetchone() == (0,)
    con.close()


# --- unit costs: the set's against the booked ones ------------------------------------------------


def test_unit_costs_of_a_set_against_the_booked_ones(published, store):
    same = unit_costs.compare(A.load_set(store, published), published, W)
    assert not same.differs and same.notice_kpis() == "" and same.notice_cost() == ""
    assert same.short == "unit costs as booked"
    assert [(c.channel, c.in_set, c.booked) for c in same.costs] == [
        ("chat", 4.8, 4.8), ("email", 4.0, 4.0), ("phone", 8.0, 8.0),
        ("self_service", 0.1, 0.1), ("social", 5.0, 5.0), ("store", 12.0, 12.0)]
    d = A.record_change(store, _draft(store, published), "cost_per_contact_phone", "10", W,
                        back_date=True, today=TODAY)
    check = unit_costs.compare(d, published, W)
    assert check.differs and [c.channel for c in check.differing] == ["phone"]
    assert check.short == "unit costs of the set, not the booked ones"
    assert "Phone $10.00 a contact (booked $8.00)" in check.notice_kpis()
    assert check.notice_kpis().startswith(
        "Unit costs differ. The money row prices contacts at assumption set FY27 plan v1's "
        "unit costs in force in 2026-W10: Phone $10.00 a contact (booked $8.00).")
    assert "Phone $10.00 a contact (booked $8.00)" in check.notice_cost()
    assert "Chat, Email, Self-service, Social, Store as booked" in check.detail
    # from 2026-03-09 the warehouse's later 9.00 is in force in the draft too: no difference
    assert not unit_costs.compare(d, published, date(2026, 3, 9)).differs


# --- the pages ------------------------------------------------------------------------------------


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The page's table that has ``column`` (each table of the page has one of its own)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _md(s: str) -> str:
    return text.markdown(s)


def _next_monday() -> date:
    """The next week as a person reads the calendar: the Monday after this week (UTC)."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


def test_page_changes_the_published_set_only_through_a_draft(open_app):
    at = open_app("pages/assumptions.py", timeout=60)
    assert at.title[0].value == "Assumptions"
    assert not [b for b in at.button if b.label in ("Record change", "Publish")]
    assert [b.label for b in at.button if b.label.startswith("Start a draft")] == [
        _md("Start a draft as a copy of published v0")]
    v = _table(at, "Rule").set_index("Key")
    assert v.loc["gross_margin_pct", "Value"] == "35"
    assert v.loc["cost_per_contact_phone", "Source"] == "warehouse"
    assert v.loc["cost_per_contact_self_service", "Assumption"] == (
        "Cost per contact: self-service")
    assert _table(at, "Publication").empty and _table(at, "Versions").empty


def test_page_publishing_flow(open_app, demo_db):
    """Start a draft, change a value (back-dating refused, then chosen), see the difference,
    publish (refused without a reason and without confirming the back-dating), then the
    published set's values, change log and publications — the warehouse never written."""
    before = _digest(demo_db)
    at = open_app("pages/assumptions.py", timeout=60)
    week = at.selectbox(key="f_week").value
    monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)
    at.text_input(key="asm_who").input("Dana (finance)")
    at.text_input(key="asm_new_name").input("FY27 plan")
    _click(at, _md("Start a draft as a copy of published v0"))
    assert at.success[0].value == _md(
        "Started draft 'FY27 plan' as a copy of published; it is picked in the sidebar. "
        "Change its values below, then publish it.")
    assert at.selectbox(key="f_assumption_set").value == "FY27 plan"
    assert at.date_input(key="asm_from").value == _next_monday()

    at.selectbox(key="asm_key").set_value("cost_per_contact_phone")
    at.text_input(key="asm_value").input("10")
    at.date_input(key="asm_from").set_value(monday)
    at.text_input(key="asm_reason").input("new outsourcing contract")
    _click(at, "Record change")
    assert _md("cost_per_contact_phone from " f"{monday:%Y-%m-%d} refused: that is before the "
               "next week") in at.error[0].value
    assert _table(at, "Until").empty
    at.checkbox(key="asm_back_date").check()
    _click(at, "Record change")
    assert at.success[0].value == _md(
        f"Recorded: cost_per_contact_phone = 10 from {monday:%Y-%m-%d} (back-dated) in draft "
        "FY27 plan v1.")
    assert _table(at, "Until").values.tolist() == [
        ["Cost per contact: phone", "cost_per_contact_phone", f"{monday:%Y-%m-%d} ({week})",
         "onwards", "8", "10", "yes"]]
    assert _table(at, "Rule").set_index("Key").loc["cost_per_contact_phone", "Value"] == "10"

    _click(at, "Publish")  # no reason
    assert at.error[0].value == _md("Publishing refused: give a reason (why the values "
                                    "change; it is recorded with the publication).")
    at.text_area(key="asm_pub_reason").input("FY27 budget approved by the CFO")
    _click(at, "Publish")  # the back-dating not confirmed
    assert _md("start(s) before the next week") in at.error[0].value
    assert at.selectbox(key="f_assumption_set").value == "FY27 plan"
    at.checkbox(key="asm_pub_back").check()
    _click(at, "Publish")
    assert at.success[0].value == _md(
        "Published draft 'FY27 plan' as published v1 (1 difference(s)), by Dana (finance): "
        "FY27 budget approved by the CFO")
    assert at.selectbox(key="f_assumption_set").value == "published"
    assert at.selectbox(key="f_assumption_set").options == ["published"]
    v = _table(at, "Rule").set_index("Key")
    assert v.loc["cost_per_contact_phone", "Value"] == "10"
    assert v.loc["cost_per_contact_phone", "Source"] == "publication #1"
    log = _table(at, "Publication")
    assert log[["Key", "From", "Old value", "New value", "Back-dated", "By", "Reason",
                "Publication"]].values.tolist() == [
        ["cost_per_contact_phone", f"{monday:%Y-%m-%d}", "8", "10", "yes", "Dana (finance)",
         "FY27 budget approved by the CFO", "#1"]]
    hist = _table(at, "Versions")
    assert hist[["#", "By", "Reason", "Draft", "Versions", "Changes"]].values.tolist() == [
        [1, "Dana (finance)", "FY27 budget approved by the CFO", "FY27 plan", "v0 → v1", 1]]
    assert _digest(demo_db) == before
    # the audit log: the draft started, its change and the publication, newest first
    from dashboard.access import store as access
    from dashboard.ui import access as access_ui

    events = access.events(access_ui.app_store())
    assert events[["action", "target"]].values.tolist()[:3] == [
        ["assumption_publish", "FY27 plan"], ["assumption_draft", "FY27 plan"],
        ["assumption_draft", "FY27 plan"]]
    assert events["detail"].iloc[0] == ("published v1, 1 difference(s): FY27 budget approved "
                                        "by the CFO")


def test_page_new_value_defaults_to_the_next_week(open_app, demo_wh, tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    A.create_set(store, "margin", who="ann")
    at = open_app("pages/assumptions.py", timeout=60)
    at.selectbox(key="f_assumption_set").set_value("margin")
    at.run()
    nxt = _next_monday()
    assert at.date_input(key="asm_from").value == nxt
    at.selectbox(key="asm_key").set_value("gross_margin_pct")
    at.text_input(key="asm_value").input("40")
    _click(at, "Record change")
    label = f"{nxt.isocalendar()[0]}-W{nxt.isocalendar()[1]:02d}"
    assert _table(at, "Until").values.tolist() == [
        ["Gross margin", "gross_margin_pct", f"{nxt:%Y-%m-%d} ({label})", "onwards", "35",
         "40", "no"]]
    # the value is not in force in any week of the data: nothing reported changes
    shown = _table(at, "Rule").set_index("Key")
    assert shown.loc["gross_margin_pct", "Value"] == "35"


def test_pages_say_when_the_set_differs_from_the_booked_unit_costs(open_app, demo_wh,
                                                                      tmp_path):
    at = open_depth(open_app(timeout=120))  # Weekly KPIs, "how computed" open
    week = at.selectbox(key="f_week").value
    monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)

    def notices(app: AppTest) -> list[str]:
        return [i.value for i in app.info if "booked" in i.value]

    def captions(app: AppTest) -> str:
        return " ".join(c.value for c in app.caption)

    assert notices(at) == []
    assert _md("Observed · assumption set published v0 · unit costs as booked") in captions(at)
    cost_page = open_app("pages/cost_to_serve.py")
    booked_tiles = {m.label: m.value for m in cost_page.metric}
    assert notices(cost_page) == []

    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    published = demo_wh.run("assumption_rows")
    A.create_set(store, "phone 12", who="ann")
    A.record_change(store, A.load_set(store, published, "phone 12"), "cost_per_contact_phone",
                    "12", monday - timedelta(weeks=60), who="ann", back_date=True)
    at.run()  # the sidebar offers the new draft
    at.selectbox(key="f_assumption_set").set_value("phone 12")
    at.run()
    assert not at.exception, at.exception
    changed = "Phone $12.00 a contact (booked $8.00)"
    assert notices(at) == [_md(
        f"Unit costs differ. The money row prices contacts at assumption set phone 12 v1's "
        f"unit costs in force in {week}: {changed}. The Cost to serve tile and the Cost to "
        "serve page use the booked unit costs, those the contacts were loaded with, so their "
        "costs and savings are not the money row's.")]
    caps = captions(at)
    assert _md("Observed · assumption set phone 12 v1 · unit costs of the set, not the booked "
               "ones") in caps
    assert _md("Modelled · assumption set phone 12 v1 · unit costs of the set, not the booked "
               "ones") in caps

    at.switch_page("pages/cost_to_serve.py")
    at.run()
    assert not at.exception, at.exception
    assert notices(at) == [_md(
        "This page uses the booked unit costs, those the contacts were loaded with. The "
        f"assumption set in use, phone 12 v1, prices contacts differently in {week}: "
        f"{changed}. The money figures computed with that set (the Weekly KPIs money row, CX "
        "in money, the Impact simulator) use its unit costs, so they differ from this "
        "page's.")]
    # the page's own figures are the booked ones whichever set is picked
    assert {m.label: m.value for m in at.metric} == booked_tiles
    assert _md("booked unit costs, as loaded with the data, valid from 2020-01-06") in captions(at)


# --- the command line -----------------------------------------------------------------------------


def test_cli_diff_publish_and_history(fixture_db, published, store, capsys):
    from dashboard import cli

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["assumptions", "--url", f"duckdb:///{fixture_db}", "--store-url",
                         store.url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    d = A.record_change(store, _draft(store, published), "cost_per_contact_phone", "10", W,
                        who="ann", back_date=True)
    assert run("diff", "FY27 plan") == (0, (
        "Draft FY27 plan v1 against published v0: 1 difference(s)\n"
        "  cost_per_contact_phone: 8 → 10 from 2026-03-02 (2026-W10) until 2026-03-09 "
        "(back-dated)\n"), "")
    code, _, err = run("diff", "no such")
    assert code == 2 and err == "error: unknown draft 'no such': open drafts are FY27 plan\n"
    code, _, err = run("publish", "FY27 plan", "--by", "Dana", "--reason", " ")
    assert code == 2 and "give a reason" in err
    code, _, err = run("publish", "FY27 plan", "--by", "Dana", "--reason", "new contract")
    assert code == 2 and "Confirm the back-dating to publish it." in err
    assert A.load_set(store, published).id == "published v0"
    assert run("publish", "FY27 plan", "--by", "Dana", "--reason", "new contract",
               "--back-dated") == (0, "Published draft FY27 plan as published v1: 1 "
                                      "difference(s), by Dana: new contract\n", "")
    assert A.load_set(store, published).in_force(W)["cost_per_contact_phone"] == 10.0
    code, out, _ = run("history")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Published set: published v1; open drafts: none"
    assert lines[1].startswith("  #1 ") and lines[1].endswith(
        " by Dana: new contract (draft FY27 plan, v0 → v1, 1 change(s))")
    code, out, _ = run("--json", "history")
    import json

    doc = json.loads(out)
    assert doc["published"] == "published v1" and doc["publications"][0]["Reason"] == (
        "new contract")
    assert d.id == "FY27 plan v1"
    # a back-dated publication prices contacts unlike the booked costs: the money CLI says so
    code = cli.main(["money", "--url", f"duckdb:///{fixture_db}", "--store-url", store.url,
                     "--week", "2026-W10"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and lines[0].endswith("assumption set published v1")
    assert ("  unit costs: set published v1's cost per contact in force in 2026-W10, not the "
            "booked ones (those the contacts were loaded with): Phone $10.00 a contact (booked "
            "$8.00); Chat, Email, Self-service, Social, Store as booked") in lines
