"""The calendar and the as-of date: weeks span every date of the loaded data (signups and churn
dates included) up to the as-of date, which is the latest date any table carries or the one given
with `ingest --as-of` (kept in the warehouse); a week outside the data is refused naming the
range and the table that sets each end.

The world: a CRM customer file and a billing file whose invoices end on Saturday 2026-10-03
(2026-W40) while churn dates run to Saturday 2026-10-31 (2026-W44) — the shape that used to end
the calendar at W40.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.exports import text
from dashboard.intake import ingest
from dashboard.warehouse import db
from dashboard.warehouse.weeks import GIVEN, week_label
from tests.conftest import ROOT, kpis_json, run_kpis

NOW = datetime(2026, 11, 23, tzinfo=UTC)
FIRST_INVOICE = date(2025, 1, 6)  # a Monday: 2025-W02
LAST_INVOICE = date(2026, 10, 3)  # a Saturday: 2026-W40
LAST_CHURN = date(2026, 10, 31)  # a Saturday: 2026-W44
TXN_HEADER = "transaction_id,customer_id,occurred_at,amount,product,channel,kind\n"


def crm_and_billing(folder: Path, n: int = 400, seed: int = 3) -> dict[str, pd.DataFrame]:
    """customers.csv and transactions.csv in ``folder``: signups from 2023, a quarter of the
    customers churned between the first invoice and LAST_CHURN (three in its week), monthly
    invoices from FIRST_INVOICE (or the signup) to the churn date or LAST_INVOICE."""
    rng = np.random.default_rng(seed)
    signup = [date(2023, 1, 2) + timedelta(days=int(d)) for d in rng.integers(0, 1000, n)]
    churn: list[date | None] = [None] * n
    for i in rng.choice(n, n // 4, replace=False):
        lo = max(signup[i], FIRST_INVOICE) + timedelta(days=1)
        churn[i] = lo + timedelta(days=int(rng.integers(0, (date(2026, 10, 18) - lo).days)))
    for i, day in zip(range(5), (LAST_CHURN, date(2026, 10, 27), date(2026, 10, 29),
                                 date(2026, 10, 20), date(2026, 10, 23)), strict=True):
        # the latest churn date and two more in 2026-W44 (none on its Monday), two in W43, of
        # customers billed from the first invoice on
        signup[i], churn[i] = date(2023, 6, 1), day
    customers = pd.DataFrame({
        "customer_id": range(1, n + 1),
        "segment": rng.choice(["Consumer", "Small business"], n),
        "region": "All", "plan": rng.choice(["Month-to-month", "One year"], n),
        "acquisition_channel": "unknown", "signup_date": signup, "churn_date": churn})
    rows = []
    for cid, s, c in zip(customers["customer_id"], signup, churn, strict=True):
        day = max(s, FIRST_INVOICE)
        end = min(c or LAST_INVOICE, LAST_INVOICE)
        while day <= end:
            rows.append((cid, f"{day} 09:00:00", round(20 + cid % 50 * 1.5, 2)))
            day += timedelta(days=30)
    tx = pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount"])
    tx = tx[pd.to_datetime(tx["occurred_at"]).dt.date <= LAST_INVOICE].reset_index(drop=True)
    tx.loc[len(tx)] = (1, f"{LAST_INVOICE} 18:30:00", 25.0)  # the last invoice
    tx.insert(0, "transaction_id", range(1, len(tx) + 1))
    tx["product"], tx["channel"], tx["kind"] = "service", "web", "purchase"
    customers.to_csv(folder / "customers.csv", index=False)
    tx.to_csv(folder / "transactions.csv", index=False)
    return {"customers": customers, "transactions": tx}


def crm_and_billing_raw(folder: Path) -> dict[str, pd.DataFrame]:
    """The same world as raw frames for a build (``build.build``, ``build_remote``): the two
    files typed by the contract, the other event tables empty."""
    from dashboard.intake import contract
    from tests.conftest import FIXTURES

    crm_and_billing(folder)
    raw = ingest.read_csv_dir(FIXTURES)  # typed as the contract types them
    for table in ("survey_responses", "complaints", "contacts"):
        raw[table] = raw[table].iloc[0:0]
    for table in ("customers", "transactions"):
        good, problems = contract.validate(table, contract.read_file(folder / f"{table}.csv"),
                                           f"{table}.csv", now=NOW)
        assert not problems, problems[:3]
        raw[table] = good
    return raw


def calendar_results(wh) -> dict[str, pd.DataFrame]:
    """The calendar queries of a warehouse (any engine), for comparing engines."""
    return {name: wh.run(name) for name in ("weeks_available", "data_calendar")}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """The CRM and billing files loaded into a new warehouse (no as-of date given)."""
    base = tmp_path_factory.mktemp("calendar")
    frames = crm_and_billing(base)
    target = base / "wh.duckdb"
    rep = ingest.ingest([base / "customers.csv", base / "transactions.csv"], target,
                        now=NOW, archive_dir=base / "archive")
    assert rep.published and rep.exit_code == 0, rep.lines()
    return {"base": base, "target": target, "report": rep, **frames}


def copy_of(world: dict, tmp_path: Path) -> Path:
    target = tmp_path / "wh.duckdb"
    target.write_bytes(world["target"].read_bytes())
    return target


def sql(target: Path, text: str) -> pd.DataFrame:
    wh = db.Warehouse(f"duckdb:///{target}")
    try:
        return wh.sql(text)
    finally:
        wh.close()


def weeks_of(target: Path) -> pd.DataFrame:
    wh = db.Warehouse(f"duckdb:///{target}")
    try:
        return wh.run("weeks_available").iloc[::-1].reset_index(drop=True)
    finally:
        wh.close()


def mondays(first: date, last: date) -> list[str]:
    """Every ISO week label from the week of ``first`` to the week of ``last``."""
    start = first - timedelta(days=first.weekday())
    return [week_label(start + timedelta(weeks=k))
            for k in range((last - start).days // 7 + 1)]


def cli_ingest(*args: str, archive: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "ingest", *args, "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CX_ARCHIVE_DIR": str(archive)})


# --- weeks reach the churn month -------------------------------------------------------------

def test_weeks_run_from_the_first_invoice_to_the_last_churn_date(world):
    weeks = weeks_of(world["target"])
    # the first week: the first invoice (every churn date is later); the last: the week holding
    # the latest churn date, four weeks after the last invoice
    assert list(weeks["iso_week"]) == mondays(FIRST_INVOICE, LAST_CHURN)
    assert (weeks["iso_week"].iloc[0], weeks["iso_week"].iloc[-1]) == ("2025-W02", "2026-W44")
    # complete when the as-of date (Saturday 2026-10-31) reaches the Sunday: not W44
    assert list(weeks.loc[~weeks["is_complete"], "iso_week"]) == ["2026-W44"]
    assert world["report"].as_of == LAST_CHURN
    assert world["report"].lines()[-1].endswith(
        "Data as of 2026-10-31 (customers.churn_date).")


def test_kpis_for_the_churn_week_counts_its_base_and_churns_from_the_source_rows(world):
    url = f"duckdb:///{world['target']}"
    # the default week is the latest complete one: W43, since the as-of date is a Saturday
    assert kpis_json(url)["week"] == "2026-W43"
    doc = kpis_json(url, "--week", "2026-W44")
    assert (doc["week"], doc["as_of"]) == ("2026-W44", "2026-10-31")
    # the mart behind the churn KPI, against the CRM file itself: active on Monday 2026-10-26
    # (signed up on or before it, no churn date on or before it), churned in the week
    c = world["customers"]
    monday = pd.Timestamp(2026, 10, 26)
    signup, churn = pd.to_datetime(c["signup_date"]), pd.to_datetime(c["churn_date"])
    active = int(((signup <= monday) & ~(churn <= monday)).sum())
    churned = int(((churn >= monday) & (churn < monday + pd.Timedelta(days=7))).sum())
    wh = db.Warehouse(url)
    try:
        ops = wh.run("kpi_ops_weekly", start_week=date(2026, 10, 26), end_week=date(2026, 10, 26),
                     segments=[], regions=[], plans=[])
    finally:
        wh.close()
    assert (int(ops["active_at_start"].sum()), int(ops["churned_count"].sum())) == (
        active, churned)
    assert churned == 3  # the churn dates planted on 10-27, 10-29 and 10-31
    text = run_kpis(url, "--week", "2026-W44").stdout
    assert text.splitlines()[0].endswith("— all customers — data as of 2026-10-31")


def test_a_week_after_the_as_of_date_is_refused_naming_the_range_and_tables(world):
    res = run_kpis(f"duckdb:///{world['target']}", "--week", "2026-W45")
    assert res.returncode == 2
    assert res.stderr == (
        "error: week 2026-W45 is after the data's as-of date 2026-10-31 (set by "
        "customers.churn_date); weeks run 2025-W02 (transactions.occurred_at) … 2026-W44 "
        "(customers.churn_date)\n")
    res = run_kpis(f"duckdb:///{world['target']}", "--week", "2024-W40")
    assert res.returncode == 2 and res.stderr.startswith(
        "error: week 2024-W40 is before the data's first week 2025-W02 (set by "
        "transactions.occurred_at); weeks run 2025-W02")


# --- the as-of date given at ingest -----------------------------------------------------------

def test_ingest_as_of_is_kept_in_the_warehouse_and_moves_the_calendar(world, tmp_path):
    target = copy_of(world, tmp_path)
    res = cli_ingest("--as-of", "2026-11-08", "--out", str(target), archive=tmp_path / "a")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1].endswith(f"Data as of 2026-11-08 ({GIVEN}).")
    assert sql(target, "select setting_key, setting_value from ingest.settings "
                       "where setting_key <> 'marts_version'").values \
        .tolist() == [["as_of_date", "2026-11-08"]]
    weeks = weeks_of(target)
    assert list(weeks["iso_week"]) == mondays(FIRST_INVOICE, date(2026, 11, 8))
    assert bool(weeks["is_complete"].all())  # Sunday 2026-11-08 completes W45
    url = f"duckdb:///{target}"
    doc = kpis_json(url)
    assert (doc["week"], doc["as_of"]) == ("2026-W45", "2026-11-08")
    res = run_kpis(url, "--week", "2026-W46")
    assert res.stderr.startswith(f"error: week 2026-W46 is after the data's as-of date "
                                 f"2026-11-08 ({GIVEN}); weeks run 2025-W02 "
                                 f"(transactions.occurred_at) … 2026-W45 ({GIVEN})")
    # the same date again changes nothing
    again = ingest.ingest([], target, now=NOW, archive_dir=tmp_path / "a", as_of="2026-11-08")
    assert not again.published and again.exit_code == 0


def test_an_as_of_date_before_the_data_is_refused_and_nothing_changes(world, tmp_path):
    target = copy_of(world, tmp_path)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    rep = ingest.ingest([], target, now=NOW, archive_dir=tmp_path / "a", as_of="2026-10-15")
    assert rep.exit_code == 1 and not rep.published
    assert rep.lines() == [
        "Load failed, nothing changed: as-of date 2026-10-15 is before the data's latest date "
        "2026-10-31 (customers.churn_date); give that date or a later one, or leave the as-of "
        "date out"]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    # a file and an as-of date earlier than that file's own rows: refused the same way
    late = tmp_path / "transactions_late.csv"
    late.write_text(TXN_HEADER + "900001,1,2026-11-05 10:00:00,30,service,web,purchase\n")
    rep = ingest.ingest([late], target, now=NOW, archive_dir=tmp_path / "a",
                        as_of=date(2026, 11, 1))
    assert rep.exit_code == 1 and rep.error.startswith(
        "as-of date 2026-11-01 is before the data's latest date 2026-11-05 "
        "(transactions.occurred_at)")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    # bad arguments: exit 2 with one line, before anything is read
    for value, message in (("2026-13-01", "bad as-of date '2026-13-01': expected YYYY-MM-DD"),
                           ("2999-01-01", "as-of date 2999-01-01 is in the future")):
        res = cli_ingest("--as-of", value, "--out", str(target), archive=tmp_path / "a")
        assert res.returncode == 2 and res.stderr.startswith(f"error: {message}")
        assert len(res.stderr.splitlines()) == 1
    res = cli_ingest("--out", str(target), archive=tmp_path / "a")
    assert res.returncode == 2
    assert res.stderr == ("error: give files or folders to load, --as-of YYYY-MM-DD or "
                          "--rebuild\n")


def test_a_later_load_keeps_the_given_date_only_while_the_data_stays_within_it(world, tmp_path):
    target = copy_of(world, tmp_path)
    archive = tmp_path / "a"
    assert ingest.ingest([], target, now=NOW, archive_dir=archive, as_of="2026-11-08").published
    # an invoice on 11-05: still within the given date, which is kept
    within = tmp_path / "transactions_1105.csv"
    within.write_text(TXN_HEADER + "900001,1,2026-11-05 10:00:00,30,service,web,purchase\n")
    rep = ingest.ingest([within], target, now=NOW, archive_dir=archive)
    assert rep.published and rep.as_of == date(2026, 11, 8) and rep.as_of_note is None
    assert weeks_of(target)["iso_week"].iloc[-1] == "2026-W45"
    # an invoice on 11-12: past it, so the given date no longer applies (and the summary says so)
    past = tmp_path / "transactions_1112.csv"
    past.write_text(TXN_HEADER + "900002,1,2026-11-12 10:00:00,30,service,web,purchase\n")
    rep = ingest.ingest([past], target, now=NOW, archive_dir=archive)
    assert rep.published and rep.as_of == date(2026, 11, 12)
    assert rep.lines()[1] == (
        "The as-of date 2026-11-08 given earlier is before the data's latest date 2026-11-12 "
        "(transactions.occurred_at): it no longer applies, and the as-of date is the data's "
        "latest date (give --as-of again to set another).")
    assert rep.to_json()["as_of"] == "2026-11-12"
    assert sql(target, "select count(*) as n from ingest.settings "
                       "where setting_key <> 'marts_version'")["n"].iloc[0] == 0
    weeks = weeks_of(target)
    assert weeks["iso_week"].iloc[-1] == "2026-W46" and not weeks["is_complete"].iloc[-1]


def test_the_as_of_date_is_on_the_scope_line_and_the_data_page(world, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    target = copy_of(world, tmp_path)
    assert ingest.ingest([], target, now=NOW, archive_dir=tmp_path / "a",
                         as_of="2026-11-08").published
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{target}")
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(tmp_path / "a"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Weekly KPIs"
    # the scope line is shown literally: escaped for markdown ("--" kept from an em dash)
    assert at.caption[0].value == text.markdown(
        "2026-W45 vs 2026-W44 (previous week) · all customers · "
        f"data as of 2026-11-08 ({GIVEN})")
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    # as a reader sees them: without markdown's escapes and the invisible word joiner
    texts = [c.value.replace("\\", "").replace("\u2060", "") for c in at.caption]
    assert texts[0] == f"Data as of 2026-11-08 ({GIVEN})"
    assert (f"Data as of 2026-11-08 ({GIVEN}); weeks run 2025-W02 (transactions.occurred_at) "
            f"… 2026-W45 ({GIVEN}); latest complete week 2026-W45.") in " ".join(texts)


# --- the demo's weeks and a customers-only warehouse -------------------------------------------

def test_the_demo_calendar_is_the_event_window_as_before(demo_wh, demo_frames, truth):
    """The demo's signups go back years before its window: its weeks stay the simulated window,
    exactly the weeks the calendar held when only event dates made it."""
    weeks = demo_wh.run("weeks_available").iloc[::-1].reset_index(drop=True)
    stamps = [demo_frames[t][c] for t, c in (("survey_responses", "responded_at"),
                                             ("contacts", "occurred_at"),
                                             ("complaints", "opened_at"),
                                             ("transactions", "occurred_at"))]
    first = min(s.min() for s in stamps).date()
    last = max(s.max() for s in stamps).date()
    assert list(weeks["iso_week"]) == mondays(first, last)
    assert (weeks["iso_week"].iloc[0], weeks["iso_week"].iloc[-1]) == (
        truth["start_week"], truth["end_week"]) == ("2024-W45", "2026-W44")
    assert list(weeks["is_complete"]) == [(pd.Timestamp(w).date() + timedelta(days=6)) <= last
                                          for w in weeks["week_start"]]
    assert pd.to_datetime(demo_frames["customers"]["signup_date"]).min().year < 2024


def test_a_customers_only_warehouse_has_weeks_from_its_signups(world, tmp_path):
    target = tmp_path / "wh.duckdb"
    rep = ingest.ingest([world["base"] / "customers.csv"], target, now=NOW,
                        archive_dir=tmp_path / "a")
    assert rep.published
    c = world["customers"]
    first = pd.to_datetime(c["signup_date"]).min().date()
    last = max(pd.to_datetime(c["signup_date"]).max(), pd.to_datetime(c["churn_date"]).max())
    assert list(weeks_of(target)["iso_week"]) == mondays(first, last.date())
    res = run_kpis(f"duckdb:///{target}", "--week", "2022-W01")
    assert res.stderr.startswith(f"error: week 2022-W01 is before the data's first week "
                                 f"{week_label(first)} (set by customers.signup_date)")
    doc = json.loads(run_kpis(f"duckdb:///{target}", "--json").stdout)
    assert doc["as_of"] == "2026-10-31"
