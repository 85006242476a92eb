"""A company's own files through ``ingest``: columns left out and listed, a folder of exports,
the exit statuses, what a quarantined row says (every problem, the source's own text), and the
company's assumptions file over CX Ledger's neutral defaults (never the demo's settings)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard import cli
from dashboard.analysis import cost
from dashboard.intake import ingest
from dashboard.intake import status as data_status
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions as A
from dashboard.warehouse import assumption_rules, build, config, db
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 23, tzinfo=UTC)
CUSTOMERS = "customer_id,segment,region,plan,acquisition_channel,signup_date,churn_date\n"
CONTACTS = ("contact_id,customer_id,occurred_at,channel,reason,handle_seconds,is_resolved,"
            "agent_id\n")
ASSUMPTIONS = "key,valid_from,value,unit,description\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(paths, target, tmp_path, **kw) -> ingest.IngestReport:
    return ingest.ingest(paths, target, now=NOW, archive_dir=tmp_path / "archive", **kw)


def sql(path: Path, text: str) -> pd.DataFrame:
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        return wh.sql(text)
    finally:
        wh.close()


def fetcher(path: Path):
    wh = db.Warehouse(f"duckdb:///{path}")
    return wh, (lambda name, **p: wh.run(name, **p))


@pytest.fixture
def target(tmp_path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


# --- columns the mapping does not name ----------------------------------------------------------

def test_unnamed_columns_are_ignored_and_listed_but_a_wrong_table_is_still_refused(
        tmp_path, target):
    crm = write(tmp_path / "in", "customers_crm.csv",
                CUSTOMERS.rstrip("\n") + ",Senior Citizen,Partner\n"
                "1,Mass,North,Basic,web,2024-03-05,,No,Yes\n"
                "2,Mass,South,Basic,web,2024-03-06,,Yes,No\n")
    rep = run([crm], target, tmp_path)
    f = rep.files[0]
    assert rep.exit_code == 0 and f.rows_new == 2
    assert f.ignored == ["Senior Citizen", "Partner"]
    assert f.line().endswith("; ignored columns: Senior Citizen, Partner")
    assert f.to_json()["ignored_columns"] == ["Senior Citizen", "Partner"]
    assert list(sql(target, "select * from raw.customers").columns) == [
        "customer_id", "segment", "region", "plan", "acquisition_channel", "signup_date",
        "churn_date"]
    # contact columns given as customers: missing the customers' columns, still refused whole
    contacts = write(tmp_path / "in", "export.csv",
                     CONTACTS + "9,1,2024-04-01 10:00:00,chat,billing,30,true,\n")
    rep = run([contacts], target, tmp_path, table="customers")
    assert rep.exit_code == 1
    assert rep.files[0].refused == "wrong table: the columns are those of contacts, not customers"


# --- a folder of exports ------------------------------------------------------------------------

def _folder_of_exports(folder: Path) -> None:
    shutil.copyfile(FIXTURES / "customers.csv", folder / "customers.csv")
    pd.read_csv(FIXTURES / "transactions.csv", dtype=str, keep_default_na=False).to_excel(
        folder / "transactions_2026.xlsx", index=False)
    pd.read_csv(FIXTURES / "contacts.csv", dtype=str, keep_default_na=False).to_parquet(
        folder / "contacts.parquet")
    write(folder, "README.md", "exports of 2026\n")
    write(folder, ".customers_backup.csv", "not a table\n")  # hidden: never read
    write(folder, "~$transactions_2026.xlsx", "lock file\n")  # Excel's lock file: never read
    write(folder / "archive", "customers.csv", "not read: sub-folders are not loaded\n")


def test_ingest_of_a_folder_loads_every_supported_file_in_it(tmp_path, target, monkeypatch,
                                                             capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    _folder_of_exports(folder)
    files, skipped = ingest.files_in([folder])
    assert [p.name for p in files] == ["contacts.parquet", "customers.csv",
                                       "transactions_2026.xlsx"]
    assert [p.name for p in skipped] == ["README.md"]
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(tmp_path / "archive"))
    status = cli.main(["ingest", str(folder), "--out", str(target), "--quiet"])
    out = capsys.readouterr().out.splitlines()
    assert status == 0, out
    assert out[0] == "Left out (not CSV, TSV, TXT, Parquet or XLSX): README.md"
    assert [line.split(" → ")[0] for line in out[1:4]] == [
        "customers.csv", "contacts.parquet", "transactions_2026.xlsx"]
    for table in ("customers", "contacts", "transactions"):
        n = len(pd.read_csv(FIXTURES / f"{table}.csv"))
        assert sql(target, f"select count(*) as n from raw.{table}")["n"].iloc[0] == n


def test_a_path_that_does_not_exist_or_a_folder_without_data_is_a_usage_error(
        tmp_path, target, capsys):
    assert cli.main(["ingest", str(tmp_path / "nope"), "--out", str(target)]) == 2
    assert capsys.readouterr().err == f"error: no such file or folder: {tmp_path / 'nope'}\n"
    empty = tmp_path / "empty"
    write(empty, "notes.md", "nothing\n")
    assert cli.main(["ingest", str(empty), "--out", str(target)]) == 2
    assert capsys.readouterr().err == (f"error: {empty} holds no CSV, TSV, TXT, Parquet or "
                                       "XLSX file\n")
    assert not target.exists()


# --- exit statuses --------------------------------------------------------------------------------

def test_exit_statuses(tmp_path, target, monkeypatch, capsys):
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(tmp_path / "archive"))

    def ingest_cli(*paths: Path) -> tuple[int, dict]:
        status = cli.main(["ingest", *map(str, paths), "--out", str(target), "--json",
                           "--quiet"])
        return status, json.loads(capsys.readouterr().out)

    folder = tmp_path / "in"
    customers = write(folder, "customers.csv", CUSTOMERS + "1,Mass,North,Basic,web,2024-03-05,\n")
    status, doc = ingest_cli(customers)
    assert (status, doc["exit_code"], doc["rows_loaded"]) == (0, 0, 1)  # everything loaded
    status, doc = ingest_cli(customers)
    assert status == 0 and doc["files"][0]["repeat_of"] == 1  # already loaded: fine
    all_bad = write(folder, "contacts_bad.csv", CONTACTS
                    + "1,999,2024-04-01 10:00:00,chat,billing,30,true,\n"
                    + "2,1,2024-04-01 10:00:00,fax,billing,30,true,\n")
    status, doc = ingest_cli(all_bad)  # every row quarantined: nothing loaded
    assert (status, doc["rows_loaded"], doc["rows_quarantined"]) == (1, 0, 2)
    refused = write(folder, "contacts_empty.csv", "")
    status, doc = ingest_cli(refused)  # every file refused
    assert status == 1 and doc["files"][0]["refused"] == "the file is empty"
    some = write(folder, "contacts_some.csv", CONTACTS
                 + "3,1,2024-04-01 10:00:00,chat,billing,30,true,\n"
                 + "4,1,2024-04-01 10:00:00,fax,billing,30,true,\n")
    status, doc = ingest_cli(some)  # something loaded, something quarantined
    assert (status, doc["rows_loaded"], doc["rows_quarantined"]) == (3, 1, 1)
    more = write(folder, "contacts_more.csv", CONTACTS
                 + "5,1,2024-04-01 10:00:00,chat,billing,30,true,\n")
    status, doc = ingest_cli(more, refused)  # something loaded, a file refused
    assert (status, doc["rows_loaded"]) == (3, 1)


def test_a_load_that_quarantines_every_row_loads_nothing_and_says_so(tmp_path, target):
    customers = write(tmp_path / "in", "customers.csv",
                      CUSTOMERS + "1,Mass,North,Basic,web,2024-03-05,\n")
    assert run([customers], target, tmp_path).exit_code == 0
    bad = write(tmp_path / "in", "contacts.csv", CONTACTS
                + "1,999,2024-04-01 10:00:00,chat,billing,30,true,\n"
                + "2,1,2024-04-01 10:00:00,chat,,30,true,\n")
    rep = run([bad], target, tmp_path)
    assert (rep.exit_code, rep.loaded, rep.quarantined, rep.published) == (1, 0, 2, True)
    assert data_status.report_verdict(rep) == (
        "error", "Nothing loaded: 2 row(s) quarantined, 0 file(s) refused (see the problems "
                 "below); the warehouse keeps them in quarantine.")
    assert sql(target, "select count(*) as n from raw.contacts")["n"].iloc[0] == 0


def test_the_help_states_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("Exit status: 0 everything loaded (or already loaded); 3 something loaded and "
            "something quarantined or refused; 1 nothing loaded while something was "
            "quarantined or refused, or the load failed; 2 bad arguments (a missing path, an "
            "unusable mapping, an --out that is not a warehouse file). Every failure is one "
            "line; control characters in names and values are printed as escapes.") in text
    assert "or folders: every CSV/TSV/TXT/Parquet/XLSX file directly inside" in text


# --- what a quarantined row says -----------------------------------------------------------------

def test_an_event_before_signup_shows_the_source_text_and_the_signup_date(tmp_path, target):
    mapping = write(tmp_path, "map.toml", '''
[transactions]
date_format = "%d/%m/%Y %H:%M"
timezone = "Asia/Tehran"
''')
    customers = write(tmp_path / "in", "customers.csv",
                      CUSTOMERS + "1,Mass,North,Basic,web,2024-03-05,\n")
    # 05/03/2024 02:00 in Tehran is 4 March 22:30 UTC: before the signup day
    bills = write(tmp_path / "in", "transactions.csv",
                  "transaction_id,customer_id,occurred_at,amount,product,channel,kind\n"
                  "1,1,05/03/2024 02:00,10,plan,web,purchase\n"
                  "2,1,05/03/2024 04:00,10,plan,web,purchase\n")
    rep = run([customers, bills], target, tmp_path, mapping=mapping)
    f = rep.files[1]
    assert (rep.exit_code, f.rows_new, f.quarantined) == (3, 1, 1)
    assert [str(p) for p in f.problems] == [
        "transactions.csv, row 1, column occurred_at, value '05/03/2024 02:00': event before "
        "the customer signed up (signed up 2024-03-05)"]
    assert f.by_rule == {"event before the customer signed up": 1}
    q = sql(target, "select value, rule, detail from ingest.quarantine")
    assert q.values.tolist() == [["05/03/2024 02:00", "event before the customer signed up",
                                  "signed up 2024-03-05"]]
    wh, fetch = fetcher(target)
    try:
        rows = data_status.quarantine_rows(fetch, data_status.QuarantineChoice())
        assert rows[["Value", "Rule"]].values.tolist() == [[
            "05/03/2024 02:00", "event before the customer signed up (signed up 2024-03-05)"]]
        opts = data_status.quarantine_options(data_status.quarantine_summary(fetch))
        assert opts.rules == ("event before the customer signed up",)
    finally:
        wh.close()


def test_every_problem_of_a_row_is_quarantined_and_the_row_counted_once(tmp_path, target):
    customers = write(tmp_path / "in", "customers.csv",
                      CUSTOMERS + "1,Mass,North,Basic,web,2024-03-05,\n")
    contacts = write(tmp_path / "in", "contacts.csv", CONTACTS
                     + "1,999,2024-04-01 10:00:00,fax,billing,long,true,\n"  # three problems
                     + "2,1,2024-04-01 10:00:00,chat,billing,30,true,\n"
                     + "3,1,2024-04-01 10:00:00,fax,billing,30,true,\n")  # one problem
    rep = run([customers, contacts], target, tmp_path)
    f = rep.files[1]
    fax = "not an accepted value (phone | chat | email | self_service | store | social)"
    # per row: the file's own rules first, then those needing the warehouse
    assert [(p.row, p.column, p.rule) for p in f.problems] == [
        (1, "channel", fax),
        (1, "handle_seconds", "not a number (float)"),
        (1, "customer_id", "unknown customer id"),
        (3, "channel", fax)]
    assert (f.rows_read, f.rows_new, f.quarantined) == (3, 1, 2)
    assert f.by_rule == {fax: 2, "not a number (float)": 1, "unknown customer id": 1}
    log = sql(target, "select rows_quarantined, by_rule from ingest.loads "
                      "where table_name = 'contacts'")
    assert log["rows_quarantined"].iloc[0] == 2 and json.loads(log["by_rule"].iloc[0])[fax] == 2
    assert sql(target, "select count(*) as n from ingest.quarantine")["n"].iloc[0] == 4
    wh, fetch = fetcher(target)
    try:
        summary = data_status.quarantine_summary(fetch)
        fresh = data_status.freshness(fetch, NOW).set_index("Table")
        assert fresh.loc["contacts", "Quarantined rows"] == 2
        everything = data_status.QuarantineChoice()
        assert data_status.quarantine_takeaway(summary, everything, 4) == \
            "2 quarantined row(s) match (4 problems)."
        assert data_status.quarantine_takeaway(summary, everything, 3) == \
            "2 quarantined row(s) match (4 problems); the first 3 problems are shown and " \
            "downloadable."
        assert data_status.quarantine_takeaway(
            summary, data_status.QuarantineChoice(rule=fax), 2) == "2 quarantined row(s) match."
        load = int(summary["load_id"].iloc[0])
        assert data_status.quarantine_options(summary).loads[load].endswith("· 2 rows")
        assert len(data_status.quarantine_rows(fetch, everything)) == 4
    finally:
        wh.close()
    verdict = data_status.report_verdict(rep)
    assert verdict == ("warning", "Loaded 2 row(s); 2 row(s) quarantined, 0 file(s) refused "
                                  "(see the problems below).")


# --- the company's own settings ------------------------------------------------------------------

def test_the_neutral_defaults_hold_no_programme_no_targets_and_no_currency():
    rows = build.read_assumptions(config.DEFAULT_ASSUMPTIONS_CSV)
    keys = set(rows["key"])
    assert not {k for k in keys if k.startswith(("programme_", "target_"))}
    values = dict(zip(rows["key"], rows["value"], strict=True))
    assert (values["currency"], values["currency_symbol"]) == ("XXX", "¤")
    assert all(assumption_rules.is_default(d) for d in rows["description"])
    for key, value in values.items():  # every default meets the Assumptions page's rules
        assumption_rules.parse_value(key, value)
    assert set(rows["valid_from"]) == {date(1900, 1, 1)}
    demo = set(build.read_assumptions()["key"])
    assert {"programme_segment", "target_nps"} <= demo and keys <= demo


def test_a_company_warehouse_without_its_own_file_gets_the_neutral_defaults(tmp_path, target):
    paths = [FIXTURES / "customers.csv", FIXTURES / "transactions.csv"]
    rep = run(paths, target, tmp_path)
    assert rep.exit_code == 0, rep.lines()
    got = sql(target, "select key, value from raw.assumptions")
    values = dict(zip(got["key"], got["value"], strict=True))
    assert "programme_segment" not in values and values["currency"] == "XXX"
    assert not [k for k in values if k.startswith("target_")]
    wh, fetch = fetcher(target)
    try:
        aset = A.build_set(A.PUBLISHED, fetch("assumption_rows"), pd.DataFrame(
            columns=["change_id", "assumption_key", "effective_from", "new_value"]))
        monday = date(2026, 3, 2)
        assert aset.in_force(monday)["currency"] == "XXX"
        assert set(aset.table(monday)["source"]) == {A.SOURCE_DEFAULT}
        assert aset.described(monday) == "published v0 (CX Ledger defaults, not your company's)"
    finally:
        wh.close()


def test_contacts_are_not_quarantined_for_want_of_the_company_unit_costs(tmp_path, target):
    customers = write(tmp_path / "in", "customers.csv",
                      CUSTOMERS + "1,Mass,North,Basic,web,2014-03-05,\n")
    contacts = write(tmp_path / "in", "contacts.csv",
                     CONTACTS + "1,1,2015-01-05 10:00:00,phone,billing,30,true,\n")
    rep = run([customers, contacts], target, tmp_path)
    assert rep.exit_code == 0 and rep.files[1].rows_new == 1, rep.lines()


def test_a_company_file_is_checked_row_by_row_with_the_assumptions_rules(tmp_path, target):
    settings = write(tmp_path / "in", "assumptions.csv", ASSUMPTIONS
                     + "currency,2024-01-01,EUR,code,\n"
                     + "gross_margin_pct,2024-01-01,130,pct,\n"
                     + "currency_symbol,2024-01-01,€,symbol,\n"
                     + "gross_margin,2024-01-01,40,pct,\n"
                     + "cost_per_contact_phone,2024-01-01,\"11,77\",currency/contact,\n"
                     + "cost_per_contact_chat,not a date,3,currency/contact,\n"
                     + "currency,2024-01-01,GBP,code,\n"
                     + "realisation_factor_high,2024-01-01,0.2,fraction,\n"
                     + "target_nps,2024-01-01,40,points,\n")
    rep = run([settings], target, tmp_path)
    f = rep.files[0]
    assert f.table == "assumptions" and rep.exit_code == 3
    assert [(p.row, p.column, p.value, p.rule) for p in f.problems] == [
        (2, "value", "130", "gross_margin_pct must be a number above 0 % and at most 100 %"),
        (4, "key", "gross_margin", f"unknown assumption key (known: "
                                   f"{assumption_rules.KNOWN_KEYS})"),
        (5, "value", "11,77", "cost_per_contact_phone must be a number at least 0"),
        (6, "valid_from", "not a date", "unparseable date"),
        (7, "key", "currency", "the same key and valid_from twice in the file"),
        (8, "value", "0.2", "breaks a rule across keys")]
    # the neutral default low end (0.3) stays in force: the company's high end is below it
    assert f.problems[-1].detail == ("realisation_factor_low = 0.3 refused: must not exceed "
                                     "realisation_factor_high = 0.2")
    assert f.rows_new == 3  # currency, currency_symbol, target_nps
    q = sql(target, "select row_number, table_name, column_name, rule from ingest.quarantine "
                    "order by row_number")
    assert q["row_number"].tolist() == [2, 4, 5, 6, 7, 8]
    assert set(q["table_name"]) == {"assumptions"}
    mine = sql(target, "select key, value from raw.assumptions where valid_from = '2024-01-01' "
                       "order by key")
    assert mine.values.tolist() == [["currency", "EUR"], ["currency_symbol", "€"],
                                    ["target_nps", "40"]]


def test_a_later_file_replaces_a_value_by_key_and_date_and_numbers_read_as_declared(
        tmp_path, target):
    mapping = write(tmp_path, "map.toml",
                    '[assumptions]\nfiles = ["settings*"]\ndecimal = ","\nthousands = "."\n')
    first = write(tmp_path / "in", "settings_1.csv", ASSUMPTIONS
                  + "cost_per_contact_phone,2024-01-01,\"9,50\",currency/contact,phone\n"
                  + "complaint_handling_cost,2024-01-01,\"1.250,5\",currency/complaint,\n")
    rep = run([first], target, tmp_path, mapping=mapping)
    assert rep.exit_code == 0 and rep.files[0].rows_new == 2
    second = write(tmp_path / "in", "settings_2.csv", ASSUMPTIONS
                   + "cost_per_contact_phone,2024-01-01,\"10,25\",currency/contact,phone\n"
                   + "complaint_handling_cost,2024-01-01,\"1.250,5\",currency/complaint,\n")
    rep = run([second], target, tmp_path, mapping=mapping)
    f = rep.files[0]
    assert (f.rows_new, f.rows_replaced, f.rows_unchanged) == (0, 1, 1)
    rows = sql(target, "select key, value from raw.assumptions where valid_from = '2024-01-01' "
                       "order by key")
    assert rows.values.tolist() == [["complaint_handling_cost", "1250.5"],
                                    ["cost_per_contact_phone", "10.25"]]
    old = sql(target, "select key, value, replaced_by_load from history.assumptions")
    assert old.values.tolist() == [["cost_per_contact_phone", "9.5", 2]]
    # the neutral default stays in force before the company's own date
    before = sql(target, "select value, description from raw.assumptions "
                         "where key = 'cost_per_contact_phone' and valid_from = '1900-01-01'")
    assert before["value"].tolist() == ["8.00"]
    assert assumption_rules.is_default(before["description"].iloc[0])


def test_the_company_currency_and_targets_reach_the_kpis_and_the_money_headline(
        tmp_path, target, capsys):
    settings = write(tmp_path / "in", "assumptions_acme.csv", ASSUMPTIONS
                     + "currency,2020-01-06,EUR,code,Reporting currency\n"
                     + "currency_symbol,2020-01-06,€,symbol,\n"
                     + "target_nps,2020-01-06,25,points,Our NPS target\n")
    paths = [FIXTURES / f"{t}.csv" for t in ("customers", "survey_responses", "complaints",
                                             "contacts", "transactions")]
    rep = run([*paths, settings], target, tmp_path)
    assert rep.exit_code == 0, rep.lines()
    url = f"duckdb:///{target}"
    assert cli.main(["kpis", "--json", "--url", url, "--week", "2026-W11"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kpis"]["nps"]["target"] == 25.0
    assert doc["kpis"]["csat"]["target"] is None  # no target: the company set none
    store = f"sqlite:///{tmp_path}/store.sqlite"
    assert cli.main(["money", "--json", "--url", url, "--store-url", store,
                     "--week", "2026-W11"]) == 0
    money = json.loads(capsys.readouterr().out)
    assert money["assumption_set"] == ("published v0 (CX Ledger defaults, not your company's: "
                                       f"{len(_defaults_left())} of {len(_defaults_left()) + 3} "
                                       "values)")
    assert money["savings_vs_baseline"]["unit"].startswith("€")
    # the observed cost figures name the neutral unit costs they use
    wh, fetch = fetcher(target)
    try:
        note = cost.build_report(fetch, Filters(week="2026-W11")).assumption_note
    finally:
        wh.close()
    assert note.endswith("valid from 1900-01-01 (CX Ledger defaults, not your company's)")


def _defaults_left() -> list[str]:
    """The neutral keys a company file of currency, symbol and target_nps leaves in force."""
    keys = set(build.read_assumptions(config.DEFAULT_ASSUMPTIONS_CSV)["key"])
    return sorted(keys - {"currency", "currency_symbol"})
