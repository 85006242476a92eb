"""A company's own exports as they come — a CRM customer file and a billing invoice file with text
ids, day-first dates, no region and columns the contract does not know — load with one mapping
file and no code; every figure equals one computed from the source rows, and every page shows
either that or a clear "not loaded" state."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from tests import realshape
from tests.conftest import ROOT, kpis_json, run_every_page

NOT_LOADED_KPIS = ("nps", "csat", "ces", "complaint_rate", "cost_to_serve")


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """(source frames, warehouse path, ingest JSON) of the company's first load: one folder of
    exports, one mapping, the command line."""
    base = tmp_path_factory.mktemp("company")
    crm_path, bill_path, mapping = realshape.write(base / "exports")
    (base / "exports" / "crm_billing.toml").rename(base / "crm_billing.toml")
    target = base / "warehouse.duckdb"
    res = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(base / "exports"),
                          "--mapping", str(base / "crm_billing.toml"), "--out", str(target),
                          "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "CX_ARCHIVE_DIR": str(base / "archive")})
    assert res.returncode == 0, res.stdout + res.stderr
    crm = pd.read_csv(crm_path, dtype=str, keep_default_na=False)
    bills = pd.read_csv(bill_path, dtype=str, keep_default_na=False)
    return crm, bills, target, json.loads(res.stdout)


def _sql(target, sql: str, *params) -> pd.DataFrame:
    con = duckdb.connect(str(target), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def test_the_readme_shows_the_mapping_that_loads_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    assert realshape.MAPPING in blocks


def test_both_files_load_whole_and_the_extra_columns_are_listed(company):
    crm, bills, _, report = company
    files = {f["table"]: f for f in report["files"]}
    assert files["customers"]["rows_new"] == len(crm)
    assert files["transactions"]["rows_new"] == len(bills)
    assert report["rows_quarantined"] == 0 and report["exit_code"] == 0
    assert sorted(files["customers"]["ignored_columns"]) == sorted(
        ["gender", "Senior Citizen", "Payment Method"])
    assert sorted(files["transactions"]["ignored_columns"]) == ["Currency", "Status"]


def test_text_ids_are_stored_exactly_as_given(company):
    crm, bills, target, _ = company
    got = _sql(target, "select customer_id, region from raw.customers")
    assert sorted(got["customer_id"]) == sorted(crm["customerID"])
    assert set(got["region"]) == {"All"}
    inv = _sql(target, "select transaction_id, customer_id from raw.transactions "
                       "order by transaction_id limit 3")
    assert list(inv["transaction_id"]) == list(bills["Invoice No"][:3])
    assert list(inv["customer_id"]) == list(bills["customerID"][:3])


def test_revenue_per_week_equals_the_invoices(company):
    _, bills, target, _ = company
    want = realshape.weekly_revenue(bills)
    got = _sql(target, "select week_start, sum(revenue_amount) as revenue "
                       "from marts.fct_revenue_weekly group by week_start")
    got = got.set_index(pd.to_datetime(got["week_start"]).dt.date)["revenue"]
    got = got[got != 0]
    assert sorted(got.index) == sorted(want.index)
    for week, amount in want.items():
        assert got[week] == pytest.approx(amount, abs=1e-6), week


def test_the_calendar_reaches_the_last_churn_date(company):
    crm, _, target, _ = company
    last = max(pd.to_datetime(crm["Churn Date"].replace("", None), format="%d/%m/%Y").dropna())
    assert last.date() == realshape.LAST_CHURN
    weeks = _sql(target, "select max(week_start) as w from marts.dim_weeks")["w"].iloc[0]
    monday = realshape.LAST_CHURN - timedelta(days=realshape.LAST_CHURN.weekday())
    assert pd.Timestamp(weeks).date() == monday
    doc = kpis_json(f"duckdb:///{target}", "--week", "2026-W44")
    assert doc["week"] == "2026-W44"


@pytest.mark.parametrize("monday", [date(2026, 10, 19), date(2026, 9, 28), date(2026, 6, 1),
                                    date(2025, 12, 29)])
def test_four_week_churn_equals_the_source_rows(company, monday):
    crm, _, target, _ = company
    churned, base = realshape.four_week_churn(crm, monday)
    y, w, _ = monday.isocalendar()
    doc = kpis_json(f"duckdb:///{target}", "--week", f"{y}-W{w:02d}")
    k = doc["kpis"]["churn_rate_4w"]
    assert k["n"] == base
    assert k["value"] == pytest.approx(100 * churned / base, abs=1e-6)


def test_monthly_churn_by_contract_equals_the_source_rows(company):
    from dashboard.warehouse import db

    crm, _, target, _ = company
    wh = db.Warehouse(f"duckdb:///{target}")
    try:
        got = wh.run("churn_monthly", start_month=date(2024, 10, 1),
                     period_end=date(2026, 11, 2), segments=[], regions=[], plans=[])
    finally:
        wh.close()
    got["month_start"] = pd.to_datetime(got["month_start"]).dt.date
    months = sorted(set(got["month_start"]))
    assert months[0] == date(2024, 10, 1) and months[-1] == date(2026, 10, 1)
    for m in months:
        want = realshape.monthly_churn(crm, m)
        rows = got[got["month_start"] == m].set_index("segment")
        for seg, row in want.iterrows():
            assert int(rows.at[seg, "active_at_start"]) == row["base"], (m, seg)
            assert int(rows.at[seg, "churned_count"]) == row["churned"], (m, seg)


def test_kpis_without_their_tables_are_not_loaded_never_zero(company):
    _, _, target, _ = company
    doc = kpis_json(f"duckdb:///{target}", "--week", "2026-W40")
    for name in NOT_LOADED_KPIS:
        k = doc["kpis"][name]
        assert k["value"] is None and k["status"] == "not_loaded", (name, k)
        assert not k["significant"] and k["target_met"] is None
    assert doc["kpis"]["revenue"]["status"] == "ok"


@pytest.fixture(scope="module")
def pages(company, tmp_path_factory):
    """Every page over the company's warehouse, run once under AppTest."""
    _, _, target, _ = company
    return run_every_page(f"duckdb:///{target}", tmp_path_factory.mktemp("store"))


def test_every_page_shows_figures_or_not_loaded_and_no_region(pages):
    from dashboard.warehouse import coverage as cov

    for page, at in pages.items():
        assert not at.exception, (page, at.exception)
        # one region for every customer: no region filter in the sidebar
        labels = [w.label for w in at.sidebar.multiselect]
        assert not any("region" in label.lower() for label in labels), (page, labels)
    for page, table in (("satisfaction", "survey_responses"), ("complaints", "complaints"),
                        ("cost_to_serve", "contacts")):
        assert [i.value for i in pages[page].info] == [cov.sentence([table])], page


def test_weekly_kpis_page_shows_the_source_rows_churn_and_not_loaded_tiles(company, pages):
    crm, _, _, _ = company
    at = pages["weekly_kpis"]
    tiles = {m.label.removesuffix(" · low base"): m.value for m in at.metric}
    for label in ("NPS", "CSAT", "CES", "Complaint rate", "Cost to serve"):
        assert tiles[label] == "Not loaded", label
    # the page opens on the latest complete week, as the command line does
    _, _, target, _ = company
    week = kpis_json(f"duckdb:///{target}")["week"]
    assert week == "2026-W43"  # the as-of date, 31 October, is a Saturday: W44 is incomplete
    y, w = (int(x) for x in week.split("-W"))
    churned, base = realshape.four_week_churn(crm, date.fromisocalendar(y, w, 1))
    assert tiles["Churn rate (4 weeks)"] == f"{100 * churned / base:.2f}%"
