"""The Data page (AppTest) and its logic: freshness, load log, quarantine, contract checks and
the upload, on a warehouse made by loading the fixture CSVs into nothing, then a file with bad
rows; and the page before any warehouse exists (a new team's first upload)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.intake import ingest
from dashboard.intake import status as data_status
from dashboard.ui import common as ui
from dashboard.warehouse import catalog, db
from tests.conftest import FIXTURES, ROOT

TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions")
EVENT = {"customers": "signup_date", "survey_responses": "responded_at",
         "complaints": "opened_at", "contacts": "occurred_at", "transactions": "occurred_at"}
UNKNOWN = "unknown customer id"
NOT_ACCEPTED = "not an accepted value (phone | chat | email | self_service | store | social)"
CONTACT_HEADER = ("contact_id,customer_id,occurred_at,channel,reason,handle_seconds,"
                  "is_resolved,agent_id\n")
#: One good row (before the fixture's last contact), an unknown customer, a 'fax' channel whose
#: reason is markup that must stay literal text.
BAD_CONTACTS = (CONTACT_HEADER
                + "620,1,2026-03-15 10:00:00,phone,billing,300,true,11\n"
                + "621,999,2026-03-16 11:00:00,phone,billing,300,true,11\n"
                + "622,2,2026-03-10 09:00:00,fax,<b>Bill</b> **wrong**,60,false,\n")
HOSTILE = ("<b>Bill</b>", "**wrong**")


class Upload(io.BytesIO):
    """What st.file_uploader hands the page: Streamlit's UploadedFile is a BytesIO with a
    name (getvalue() and getbuffer() give the bytes)."""

    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name = name


def fixture_csv(table: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{table}.csv")


def fixture_uploads() -> list[Upload]:
    return [Upload(f"{t}.csv", (FIXTURES / f"{t}.csv").read_bytes()) for t in TABLES]


def stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    """A warehouse made by loading the fixture CSVs into nothing, then a contacts file with an
    unknown customer and a 'fax' channel (both quarantined) and one good row."""
    base = tmp_path_factory.mktemp("data_page")
    target, archive = base / "wh.duckdb", base / "archive"
    first = ingest.ingest([FIXTURES / f"{t}.csv" for t in TABLES], target=target,
                          archive_dir=archive)
    assert first.published and first.exit_code == 0, first.lines()
    bad = base / "contacts_bad.csv"
    bad.write_text(BAD_CONTACTS, encoding="utf-8")
    second = ingest.ingest([bad], target=target, archive_dir=archive)
    assert second.published and second.exit_code == 3, second.lines()
    return {"target": target, "archive": archive, "bad": bad}


def data_page(monkeypatch, target: Path, archive: Path) -> AppTest:
    """The app at ``target``; the first run draws the default page, then the Data page."""
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{target}")
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(archive))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Data"
    return at


def altered_copy(source: Path, copy: Path, statement: str) -> Path:
    """A copy of a warehouse changed by one statement behind the loader's back."""
    import duckdb

    shutil.copyfile(source, copy)
    con = duckdb.connect(str(copy))
    con.execute(statement)
    con.close()
    return copy


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The one data table of the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def literal_texts(at: AppTest) -> list[str]:
    """Everything the page renders through markdown (titles, captions, banners, labels)."""
    out = [m.value for m in at.markdown] + captions(at)
    out += [e.value for kind in ("title", "subheader", "info", "success", "warning", "error")
            for e in getattr(at, kind)]
    return out


# --- the page over loaded data -------------------------------------------------------------------

def test_freshness_shows_the_csv_counts_and_event_range(loaded, monkeypatch):
    at = data_page(monkeypatch, loaded["target"], loaded["archive"])
    fresh = frame(at, "Latest event age (days)").set_index("Table")
    assert list(fresh.index) == list(TABLES)
    for t in TABLES:
        csv = fixture_csv(t)
        extra = 1 if t == "contacts" else 0  # the bad file's one good row
        assert fresh.loc[t, "Rows"] == len(csv) + extra, t
        when = pd.to_datetime(csv[EVENT[t]])
        assert fresh.loc[t, "Event column"] == EVENT[t]
        assert pd.Timestamp(fresh.loc[t, "Last event"]) == when.max(), t
        assert pd.Timestamp(fresh.loc[t, "First event"]) == when.min(), t
        age = (pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)) - when.max()).days
        assert fresh.loc[t, "Latest event age (days)"] in (age, age - 1), t
        assert fresh.loc[t, "History rows"] == 0
        assert fresh.loc[t, "Quarantined rows"] == (2 if t == "contacts" else 0)
        assert fresh.loc[t, "Loads"] == (2 if t == "contacts" else 1)
        assert fresh.loc[t, "Last file"] == ("contacts_bad.csv" if t == "contacts"
                                             else f"{t}.csv")
    # the filter bar stays (the selection is kept across pages) though the page uses none
    assert "Filters" in [h.value for h in at.sidebar.header]


def test_loads_list_every_file_with_its_counts_newest_first(loaded, monkeypatch):
    at = data_page(monkeypatch, loaded["target"], loaded["archive"])
    loads = frame(at, "Replaced")
    assert list(loads["Load"]) == [6, 5, 4, 3, 2, 1]
    assert list(loads["File"]) == ["contacts_bad.csv", *(f"{t}.csv" for t in TABLES[::-1])]
    bad = loads.iloc[0]
    assert (bad["Table"], bad["Read"], bad["New"], bad["Replaced"], bad["Unchanged"],
            bad["Quarantined"]) == ("contacts", 3, 1, 0, 0, 2)
    assert bad["By rule"] == f"{UNKNOWN}: 1; {NOT_ACCEPTED}: 1"
    assert bad["Checksum"] == hashlib.sha256(loaded["bad"].read_bytes()).hexdigest()[:12]
    assert (loaded["archive"] / bad["Archive"]).read_bytes() == loaded["bad"].read_bytes()
    for _, row in loads.iloc[1:].iterrows():
        n = len(fixture_csv(row["Table"]))
        assert row["File"] == f"{row['Table']}.csv"
        assert (row["Read"], row["New"], row["Replaced"], row["Unchanged"],
                row["Quarantined"], row["By rule"]) == (n, n, 0, 0, 0, "")
        assert (loaded["archive"] / row["Archive"]).exists()
    assert "6 file load(s): 51 rows new, 0 replaced, 2 quarantined. Latest: load 6 into " \
           "contacts at" in " ".join(captions(at)).replace("\\_", "_")


def test_quarantine_shows_rows_rules_and_source_records_as_text(loaded, monkeypatch):
    at = data_page(monkeypatch, loaded["target"], loaded["archive"])
    q = frame(at, "Record")
    assert list(zip(q["Row"], q["Column"], q["Value"], q["Rule"], strict=True)) == [
        (2, "customer_id", "999", UNKNOWN), (3, "channel", "fax", NOT_ACCEPTED)]
    assert set(q["File"]) == {"contacts_bad.csv"} and set(q["Load"]) == {6}
    records = [json.loads(r) for r in q["Record"]]
    assert records[0]["contact_id"] == "621" and records[0]["customer_id"] == "999"
    assert records[1]["reason"] == "<b>Bill</b> **wrong**"
    assert "2 quarantined row(s) match." in captions(at)
    # customer text is data: never rendered through markdown or HTML
    for text in literal_texts(at):
        assert not any(h in text for h in HOSTILE), text
    # one rule
    at.selectbox(key="data_q_rule").select(UNKNOWN).run()
    q = frame(at, "Record")
    assert list(q["Rule"]) == [UNKNOWN] and list(q["Value"]) == ["999"]
    assert "1 quarantined row(s) match." in captions(at)
    # the choices: the load with its file and count, its tables and rules
    load = at.selectbox(key="data_q_load")
    assert load.options == ["All loads", "load 6 · contacts_bad.csv → contacts · 2 rows"]
    assert at.selectbox(key="data_q_table").options == ["All tables", "contacts"]
    # rules by count, then alphabetically
    assert at.selectbox(key="data_q_rule").options == ["All rules", NOT_ACCEPTED, UNKNOWN]


def test_every_contract_check_passes(loaded, monkeypatch):
    at = data_page(monkeypatch, loaded["target"], loaded["archive"])
    checks = frame(at, "Failing rows")
    expected = catalog.layer_queries("checks")
    assert list(checks["Check"]) == [q.name for q in expected]
    assert list(checks["Purpose"]) == [q.purpose for q in expected]
    assert list(checks["Failing rows"]) == [0] * len(expected)
    assert list(checks["Result"]) == ["pass"] * len(expected)
    # read from the record the last load wrote (no raw table scanned), with its time
    runs = db.Warehouse(f"duckdb:///{loaded['target']}").run("data_check_runs")
    assert list(runs["check_name"]) == sorted(q.name for q in expected)
    assert list(runs["failing_rows"]) == [0] * len(expected)
    when = f"{pd.Timestamp(runs['checked_at'].max()):%Y-%m-%d %H:%M} UTC"
    note = [c for c in captions(at) if c.startswith(f"All {len(expected)} contract checks pass.")]
    assert len(note) == 1 and "As recorded by the build or load" in note[0] and when in note[0]
    assert not at.expander  # failing rows are listed only for failing checks
    at.toggle(key="data_live_checks").set_value(True).run()
    assert list(frame(at, "Failing rows")["Result"]) == ["pass"] * len(expected)
    assert any("Run now on the warehouse file as it is." in c for c in captions(at))


def test_failing_check_shows_fail_and_its_rows(loaded, tmp_path, monkeypatch):
    """A warehouse changed behind the loader's back: the page says which check fails and
    lists the rows it found."""
    broken = altered_copy(loaded["target"], tmp_path / "broken.duckdb",
                          "update raw.contacts set channel = 'pigeon' where contact_id = '601'")
    at = data_page(monkeypatch, broken, tmp_path / "archive")
    # the record says what the checks found when the loader published the file …
    assert set(frame(at, "Failing rows")["Result"]) == {"pass"}
    # … and running them on the file as it is finds the change
    at.toggle(key="data_live_checks").set_value(True).run()
    checks = frame(at, "Failing rows").set_index("Check")
    assert checks.loc["assert_accepted_values", "Result"] == "fail"
    assert checks.loc["assert_accepted_values", "Failing rows"] == 1
    assert set(checks.drop(index="assert_accepted_values")["Result"]) == {"pass"}
    assert [e.label for e in at.expander][0] == ui.plain(
        "assert_accepted_values: 1 failing row(s)")
    failing = frame(at, "bad_value")
    assert failing.to_dict("list") == {"table_name": ["contacts"], "column_name": ["channel"],
                                       "bad_value": ["pigeon"]}
    assert any(c.replace("\\_", "_").startswith(
        f"{len(checks) - 1} of {len(checks)} contract checks pass; failing: "
        "assert_accepted_values. Run now") for c in captions(at))


def test_failing_check_lists_its_rows():
    rows = pd.DataFrame({"table_name": ["contacts"], "key_value": [1]})
    results = [data_status.CheckResult("assert_a", "A holds.", pd.DataFrame()),
               data_status.CheckResult("assert_b", "B holds.", rows)]
    table = data_status.checks_table(results)
    assert table.to_dict("list") == {"Check": ["assert_a", "assert_b"],
                                     "Purpose": ["A holds.", "B holds."],
                                     "Failing rows": [0, 1], "Result": ["pass", "fail"]}
    assert data_status.checks_takeaway(results) == \
        "1 of 2 contract checks pass; failing: assert_b."


def test_freshness_at_a_fixed_time(loaded):
    wh = db.Warehouse(f"duckdb:///{loaded['target']}")
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    fresh = data_status.freshness(fetch, now=datetime(2026, 3, 27, tzinfo=UTC))
    # 27 March 00:00 UTC: transactions' last 22 March 23:00 is 4 days 1 h old, complaints'
    # last 12 March 11:00 is 14 days 13 h old, customers' last signup 16 March is 11 days old
    assert dict(zip(fresh["Table"], fresh["Latest event age (days)"], strict=True)) == {
        "customers": 11, "survey_responses": 13, "complaints": 14, "contacts": 9,
        "transactions": 4}
    assert data_status.freshness_takeaway(fresh) == (
        "51 rows in 5 of 5 raw tables; the stalest is complaints (latest opened_at "
        "2026-03-12, 14 days ago).")
    summary = data_status.quarantine_summary(fetch)
    opts = data_status.quarantine_options(summary, load_id=6, table="contacts")
    assert opts.rules == (NOT_ACCEPTED, UNKNOWN) and opts.tables == ("contacts",)
    choice = data_status.QuarantineChoice(6, "contacts", NOT_ACCEPTED)
    assert choice.params(50) == {"load_ids": [6], "tables": ["contacts"],
                                 "rules": [NOT_ACCEPTED], "max_rows": 50}
    assert list(data_status.quarantine_rows(fetch, choice)["Value"]) == ["fax"]
    # more rows than shown: the takeaway says so
    assert data_status.quarantine_takeaway(summary, data_status.QuarantineChoice(), 1) == \
        "2 quarantined row(s) match; the first 1 are shown and downloadable."
    wh.close()


# --- no warehouse yet ---------------------------------------------------------------------------

def test_page_without_a_warehouse_offers_the_upload(tmp_path, monkeypatch):
    target = tmp_path / "new" / "wh.duckdb"
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{target}")
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(tmp_path / "archive"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    # the other pages stop with the message, and point at the Data page
    assert at.error[0].value.startswith("no warehouse at wh.duckdb")
    link = at.get("page_link")[0].proto
    assert link.label == "Load your own files on the Data page" and link.page == "data-loads"
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    assert at.info[0].value.startswith("There is no warehouse yet. Upload your files below")
    assert [s.value for s in at.subheader] == ["Load files"]
    assert not at.dataframe
    assert not at.sidebar.header  # nothing to filter yet
    files = at.file_uploader(key="data_files_0")
    assert files.accept_multiple_files
    assert files.allowed_type == [".csv", ".tsv", ".txt", ".parquet", ".xlsx"]
    assert at.file_uploader(key="data_mapping_0").allowed_type == [".toml", ".yaml", ".yml"]
    assert at.selectbox(key="data_table").options == [
        "Detect from file name or columns", *TABLES, "assumptions"]
    assert at.button(key="data_dry_run").label == "Check (dry run)"
    assert at.button(key="data_load").label == "Load"
    # no files: a clear message, nothing run
    at.button(key="data_load").click().run()
    assert not at.exception
    assert at.warning[0].value == "Choose one or more files (or an as-of date) first."
    # a dry run checks the files and creates nothing
    at.file_uploader(key="data_files_0").set_value(
        [(u.name, u.getvalue(), "text/csv") for u in fixture_uploads()])
    at.button(key="data_dry_run").click().run()
    assert not at.exception, at.exception
    assert at.info[-1].value == ("Dry run, nothing was loaded: 50 row(s) would load, 0 would "
                                 "be quarantined, 0 file(s) refused.")
    assert at.code[0].value.splitlines()[-1].startswith(
        "Dry run: nothing was loaded (50 rows would load, 0 would be quarantined;")
    assert not target.exists()


# --- the upload handler and the upload through the page -----------------------------------------

def test_upload_handler_loads_and_a_dry_run_changes_nothing(tmp_path, monkeypatch):
    target, archive = tmp_path / "wh.duckdb", tmp_path / "archive"
    # a dry run into no warehouse: nothing is created
    dry = data_status.ingest_uploads(fixture_uploads(), dry_run=True, target=target,
                                     archive_dir=archive)
    assert dry.dry_run and not dry.published and dry.loaded == 50 and not target.exists()
    # the load publishes; the page shows the CSV counts
    report = data_status.ingest_uploads(fixture_uploads(), target=target, archive_dir=archive)
    assert report.published and report.exit_code == 0
    assert report.lines()[0] == ("customers.csv → customers: 8 rows read, 8 new, 0 replaced, "
                                 "0 unchanged, 0 quarantined")
    at = data_page(monkeypatch, target, archive)
    rows = frame(at, "Latest event age (days)").set_index("Table")["Rows"]
    assert rows.to_dict() == {t: len(fixture_csv(t)) for t in TABLES}
    # a new contacts file under its own (odd) name: a dry run changes nothing …
    new = Upload("contacts 2026-03 (2).csv", (
        CONTACT_HEADER + "630,1,2026-03-18 10:00:00,chat,billing,120,true,12\n"
        "631,8,2026-03-19 11:00:00,email,account,,false,\n").encode())
    before = stamp(target)
    dry = data_status.ingest_uploads([new], dry_run=True, target=target, archive_dir=archive)
    assert dry.dry_run and not dry.published and dry.files[0].rows_new == 2
    assert stamp(target) == before
    at.run()
    assert frame(at, "Latest event age (days)").set_index("Table").loc["contacts", "Rows"] == 10
    # … the load shows at once on the same session's next run (the cache was cleared)
    new.seek(0)
    report = data_status.ingest_uploads([new], target=target, archive_dir=archive)
    assert report.published and report.files[0].table == "contacts"
    assert report.files[0].file == "contacts 2026-03 (2).csv"
    at.run()
    assert not at.exception, at.exception
    fresh = frame(at, "Latest event age (days)").set_index("Table")
    assert fresh.loc["contacts", "Rows"] == 12
    assert pd.Timestamp(fresh.loc["contacts", "Last event"]) == pd.Timestamp("2026-03-19 11:00")
    assert fresh.loc["contacts", "Last file"] == "contacts 2026-03 (2).csv"
    loads = frame(at, "Replaced")
    assert (loads["File"].iloc[0], loads["New"].iloc[0]) == ("contacts 2026-03 (2).csv", 2)
    assert (archive / loads["Archive"].iloc[0]).read_bytes() == new.getvalue()


def test_upload_through_the_page_load_refusal_and_bad_mapping(tmp_path, monkeypatch):
    target, archive = tmp_path / "wh.duckdb", tmp_path / "archive"
    at = data_page(monkeypatch, target, archive)
    at.file_uploader(key="data_files_0").set_value(
        [(u.name, u.getvalue(), "text/csv") for u in fixture_uploads()])
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Loaded 50 row(s); every page now reads the new data."
    lines = at.code[0].value.splitlines()
    assert lines[:-1] == [f"{t}.csv → {t}: {len(fixture_csv(t))} rows read, "
                          f"{len(fixture_csv(t))} new, 0 replaced, 0 unchanged, 0 quarantined"
                          for t in TABLES]
    assert lines[-1].startswith("Loaded 50 rows, quarantined 0; staging and marts rebuilt, "
                                "contract checks passed")
    rows = frame(at, "Latest event age (days)").set_index("Table")["Rows"]
    assert rows.to_dict() == {t: len(fixture_csv(t)) for t in TABLES}
    # the load is in the audit log: who (the local user), the files, the verdict
    from dashboard.access import store as access
    from dashboard.ui import access as access_ui

    load = access.events(access_ui.app_store(), action="load").iloc[0]
    assert load["actor"] == "local"
    assert set(load["target"].split(", ")) == {u.name for u in fixture_uploads()}
    assert load["detail"] == "Loaded 50 row(s); every page now reads the new data. (published)"
    # the filter bar appears with the first weeks of data
    assert [h.value for h in at.sidebar.header] == ["Filters"]
    assert at.selectbox(key="f_week").value == "2026-W12"
    # the uploader starts empty after a published load (no accidental second load)
    assert at.file_uploader(key="data_files_1").value in (None, [])
    before = stamp(target)
    # a bad mapping file: refused with its message as plain text, nothing changes
    at.file_uploader(key="data_files_1").set_value(
        ("contacts_bad.csv", BAD_CONTACTS.encode(), "text/csv"))
    at.file_uploader(key="data_mapping_1").set_value(
        ("my_mapping.toml", b"[contacts]\nnonsense = 1\n", "application/toml"))
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    msg = "mapping my_mapping.toml: [contacts] unknown key(s) nonsense"
    assert at.error[0].value == ui.plain(msg)
    assert stamp(target) == before
    # without the mapping, a dry run of the bad file: its problems, nothing changes
    at.file_uploader(key="data_mapping_1").set_value(None)
    at.button(key="data_dry_run").click().run()
    assert not at.exception, at.exception
    problems = frame(at, "Rule")
    assert problems.astype(object).to_dict("list") == {
        "File": ["contacts_bad.csv"] * 2, "Row": [2, 3], "Column": ["customer_id", "channel"],
        "Value": ["999", "fax"], "Rule": [UNKNOWN, NOT_ACCEPTED]}
    assert at.info[-1].value == ("Dry run, nothing was loaded: 1 row(s) would load, 2 would "
                                 "be quarantined, 0 file(s) refused.")
    assert stamp(target) == before
    for text in literal_texts(at):
        assert not any(h in text for h in HOSTILE), text
    # a file for no table: refused whole, with the reason in the problems
    at.file_uploader(key="data_files_1").set_value(("notes.csv", b"a,b\n1,2\n", "text/csv"))
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert at.error[-1].value == "Nothing loaded: the file was refused; the reason is in the " \
                                 "summary."
    refused = frame(at, "Rule")
    assert list(refused["File"]) == ["notes.csv"] and refused["Row"].isna().all()
    assert refused["Rule"].iloc[0].startswith("cannot tell which table it is for")
    assert stamp(target) == before


def test_upload_names_are_plain_file_names():
    assert data_status.safe_name("../../etc/contacts.csv") == "contacts.csv"
    assert data_status.safe_name("C:\\Users\\me\\survey_responses.xlsx") == \
        "survey_responses.xlsx"
    assert data_status.safe_name("..") == "upload"
    long = data_status.safe_name("контакты" * 40 + ".csv")
    assert long.endswith(".csv") and len(long.encode()) <= 200


def test_page_reads_another_engine_without_offering_uploads(monkeypatch):
    monkeypatch.setenv("CX_WAREHOUSE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert data_status.upload_target() is None
    monkeypatch.setenv("CX_WAREHOUSE_URL", "duckdb:////srv/cx/wh.duckdb")
    assert data_status.upload_target() == Path("/srv/cx/wh.duckdb")


def test_old_warehouse_without_the_load_log_is_told_to_load(loaded, tmp_path, monkeypatch):
    """A warehouse built before the load log existed: the page names what is missing."""
    old = altered_copy(loaded["target"], tmp_path / "old.duckdb", "drop table ingest.quarantine")
    at = data_page(monkeypatch, old, tmp_path / "archive")
    assert at.warning[0].value == ui.plain(
        "This warehouse was built before the load log existed: it lacks ingest.quarantine. "
        "The next load below creates them (the rows it holds are kept).")
    assert [s.value for s in at.subheader] == ["Load files"]


def test_a_warehouse_with_only_customers_has_weeks_from_the_signups(tmp_path, monkeypatch):
    """A new team's first upload is often customers only: the calendar runs from the first
    signup's week to the latest signup or churn date (the fixture's: 2024-01-01 … Monday
    2026-03-16), the pages open on the latest complete week, and the Data page shows the load."""
    target = tmp_path / "wh.duckdb"
    rep = ingest.ingest([FIXTURES / "customers.csv"], target, archive_dir=tmp_path / "archive")
    assert rep.published
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{target}")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    weeks = at.sidebar.selectbox(key="f_week")
    assert (weeks.options[0], weeks.options[-1], weeks.value) == (
        "2026-W12", "2024-W01", "2026-W11")
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    fresh = frame(at, "Latest event age (days)").set_index("Table")
    assert fresh["Rows"].to_dict() == {t: (8 if t == "customers" else 0) for t in TABLES}
    assert fresh.loc["customers", "Last file"] == "customers.csv"


def test_a_dry_run_file_is_not_loaded_by_the_next_load_without_asking(tmp_path, monkeypatch):
    target, archive = tmp_path / "wh.duckdb", tmp_path / "archive"
    at = data_page(monkeypatch, target, archive)
    uploads = [(u.name, u.getvalue(), "text/csv") for u in fixture_uploads()]
    at.file_uploader(key="data_files_0").set_value(uploads)
    at.button(key="data_dry_run").click().run()
    assert not at.exception, at.exception
    assert not target.exists()
    # "Load" with the checked files still in the uploader asks first and loads nothing
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    asked = at.warning[-1].value
    assert f"{len(uploads)} of the chosen files" in asked and "dry run" in asked
    assert not target.exists()
    # "Do not load": nothing loaded, the uploaders start empty
    at.button(key="data_load_cancelled").click().run()
    assert not at.exception, at.exception
    assert not target.exists()
    assert at.file_uploader(key="data_files_1").value in (None, [])
    # checked again, then "Load" → "Load them": loaded, as asked
    at.file_uploader(key="data_files_1").set_value(uploads)
    at.button(key="data_dry_run").click().run()
    at.button(key="data_load").click().run()
    assert not target.exists()
    at.button(key="data_load_confirmed").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Loaded 50 row(s); every page now reads the new data."
    assert target.exists()
    # a file chosen afresh (no dry run) loads at once, as before
    at.file_uploader(key="data_files_2").set_value(uploads[:1])
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert not any("dry run" in w.value for w in at.warning)
