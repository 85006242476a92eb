"""The loader — quarantine, history, idempotence, atomic swap, kills at several points,
the CLI, and the round trip of the demo world through another tool's shape."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard.intake import ingest
from dashboard.warehouse import build, config, db
from tests.conftest import DEMO_END_WEEK, FIXTURES, ROOT

NOW = datetime(2026, 11, 23, tzinfo=UTC)
TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions")
CONTACT_HEADER = ("contact_id,customer_id,occurred_at,channel,reason,handle_seconds,is_resolved,"
                  "agent_id")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path, relation: str) -> int:
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        return int(wh.sql(f"select count(*) as n from {relation}")["n"].iloc[0])
    finally:
        wh.close()


def read(path: Path, text: str) -> pd.DataFrame:
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        return wh.sql(text)
    finally:
        wh.close()


@pytest.fixture
def wh(tmp_path, fixture_db) -> Path:
    """A copy of the fixture warehouse to load into."""
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(fixture_db, path)
    return path


@pytest.fixture
def archive(tmp_path) -> Path:
    return tmp_path / "archive"


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def run(paths, target, archive, **kw) -> ingest.IngestReport:
    return ingest.ingest(paths, target, now=NOW, archive_dir=archive, **kw)


def fixture_paths() -> list[Path]:
    return [FIXTURES / f"{t}.csv" for t in TABLES]


# --- a first load into no warehouse at all, then the same files again ------------------------

def test_first_load_into_an_empty_warehouse_builds_what_the_fixture_build_builds(
        tmp_path, archive, fixture_raw):
    # a new warehouse gets CX Ledger's neutral defaults (data/default_assumptions.csv), whose
    # unit costs are the ones the fixture world's costs are computed with
    reference = tmp_path / "reference.duckdb"
    build.build({**fixture_raw, "assumptions": build.read_assumptions(
        config.DEFAULT_ASSUMPTIONS_CSV)}, reference)
    target = tmp_path / "new" / "warehouse.duckdb"
    rep = run(fixture_paths(), target, archive)
    assert rep.published and rep.exit_code == 0, rep.lines()
    for t in TABLES:
        expected = len(pd.read_csv(FIXTURES / f"{t}.csv"))
        f = next(f for f in rep.files if f.table == t)
        assert (f.rows_read, f.rows_new, f.quarantined) == (expected, expected, 0)
        assert count(target, f"raw.{t}") == expected
    # the marts equal those of the fixture build (same rows, same numbers)
    for mart in ("fct_kpi_weekly", "fct_survey_weekly", "fct_cost_channel_weekly"):
        q = f"select * from marts.{mart} order by all"
        pd.testing.assert_frame_equal(read(target, q), read(reference, q))
    # every file archived under its checksum, byte for byte
    for f in rep.files:
        kept = archive / f.archive
        assert kept.read_bytes() == (FIXTURES / f.file).read_bytes()
        assert f.checksum == hashlib.sha256(kept.read_bytes()).hexdigest()
        assert kept.name.startswith(f.checksum[:16])
    loads = read(target, "select * from ingest.loads order by load_id")
    assert list(loads["file_name"]) == [f"{t}.csv" for t in TABLES]  # customers first
    assert list(loads["load_id"]) == [1, 2, 3, 4, 5]
    assert loads["run_id"].nunique() == 1


def test_loading_the_same_files_twice_changes_nothing(wh, archive):
    first = run([FIXTURES / "contacts.csv"], wh, archive)
    # the fixture warehouse was built from these very rows: all unchanged, but the file is new
    assert first.files[0].rows_unchanged == 10 and first.files[0].loaded == 0
    assert first.published
    before = sha(wh)
    again = run([FIXTURES / "contacts.csv"], wh, archive)
    assert again.files[0].repeat_of == first.files[0].load_id
    assert not again.published and again.exit_code == 0
    assert sha(wh) == before  # not even rewritten
    assert "already loaded (load 1); nothing changed" in again.lines()[0]


def test_same_rows_in_another_file_are_unchanged_and_nothing_is_duplicated(wh, archive,
                                                                           tmp_path):
    df = pd.read_csv(FIXTURES / "transactions.csv", dtype=str, keep_default_na=False)
    other = tmp_path / "transactions_reexport.csv"
    df.iloc[::-1].to_csv(other, sep=";", index=False)  # other order, other delimiter
    rep = run([other], wh, archive)
    f = rep.files[0]
    assert (f.rows_new, f.rows_replaced, f.rows_unchanged) == (0, 0, len(df))
    assert count(wh, "raw.transactions") == len(df)
    assert count(wh, "history.transactions") == 0


def test_a_newer_version_replaces_by_key_and_the_old_one_is_kept_in_history(wh, archive,
                                                                            tmp_path):
    df = pd.read_csv(FIXTURES / "complaints.csv", dtype=str, keep_default_na=False)
    old = df.loc[0].copy()
    df.loc[0, "resolved_at"] = "2026-03-20 12:00:00"
    df.loc[0, "compensation_amount"] = "99.5"
    path = tmp_path / "complaints.csv"
    df.to_csv(path, index=False)
    rep = run([path], wh, archive)
    f = rep.files[0]
    assert (f.rows_new, f.rows_replaced, f.rows_unchanged) == (0, 1, len(df) - 1)
    key = old["complaint_id"]
    now = read(wh, f"select * from raw.complaints where complaint_id = '{key}'")
    assert len(now) == 1 and now["compensation_amount"].iloc[0] == 99.5
    hist = read(wh, "select * from history.complaints")
    assert list(hist["complaint_id"]) == [key]
    assert hist["replaced_by_load"].iloc[0] == f.load_id
    assert str(hist["resolved_at"].iloc[0]) == str(pd.Timestamp(old["resolved_at"])) \
        if old["resolved_at"] else pd.isna(hist["resolved_at"].iloc[0])
    # the marts were rebuilt from the new version
    comp = read(wh, f"select compensation_amount from marts.fct_complaint_detail "
                    f"where complaint_id = '{key}'")
    assert comp["compensation_amount"].iloc[0] == 99.5


def test_bad_rows_are_quarantined_with_the_rule_and_good_rows_load(wh, archive, tmp_path):
    path = write(tmp_path, "contacts_november.csv", "\n".join([
        CONTACT_HEADER,
        "9001,1,2026-03-04 10:00:00,phone,billing,120,true,7",     # good
        "9002,999,2026-03-04 10:00:00,phone,billing,120,true,7",   # unknown customer
        "9003,1,2020-01-01 10:00:00,chat,billing,120,true,7",      # before signup
        "9004,1,2026-03-04 10:00:00,fax,billing,120,true,7",       # not accepted
        "9005,1,2026-03-04 10:00:00,chat,billing,long,true,7",     # not a number
        "9001,1,2026-03-05 10:00:00,chat,billing,60,false,7",      # duplicate in the file
        "601,2,2026-03-03 14:00:00,phone,technical,420,true,11",   # key of customer 1's contact
        "9006,1,2031-01-01 10:00:00,chat,billing,60,false,7",      # future
        "9007,1,someday,chat,billing,60,false,7",                  # unparseable date
    ]) + "\n")
    before = count(wh, "raw.contacts")
    rep = run([path], wh, archive)
    f = rep.files[0]
    assert rep.exit_code == 3 and rep.published
    assert (f.rows_read, f.rows_new, f.quarantined) == (9, 1, 8)
    assert count(wh, "raw.contacts") == before + 1
    q = read(wh, "select row_number, column_name, value, rule, detail, record, file_name "
                 "from ingest.quarantine order by row_number, rule")
    assert list(zip(q["row_number"], q["column_name"], q["rule"], strict=True)) == [
        (2, "customer_id", "unknown customer id"),
        (3, "occurred_at", "event before the customer signed up"),
        # the same row: the fixture's unit costs start in 2020-W02, so it breaks two rules
        (3, "occurred_at", "no cost per contact in force for this channel that week "
                           "(assumptions)"),
        (4, "channel", "not an accepted value (phone | chat | email | self_service | store | "
                       "social)"),
        (5, "handle_seconds", "not a number (float)"),
        (6, "contact_id", "duplicate key within the file"),
        (7, "contact_id", "duplicate key: already in the warehouse for another customer"),
        (8, "occurred_at", "timestamp in the future"),
        (9, "occurred_at", "unparseable date"),
    ]
    assert set(q["file_name"]) == {"contacts_november.csv"}
    assert json.loads(q["record"].iloc[0])["customer_id"] == "999"
    assert f.by_rule["unknown customer id"] == 1
    # a row breaking two rules is one quarantined row and one problem under each rule
    assert f.by_rule["event before the customer signed up"] == 1
    assert f.by_rule["no cost per contact in force for this channel that week (assumptions)"] == 1
    # the event before signup: the source's own text, and the customer's signup date
    before = q[q["rule"] == "event before the customer signed up"].iloc[0]
    signup = read(wh, "select signup_date from raw.customers where customer_id = 1")
    assert before["value"] == "2020-01-01 10:00:00"
    assert before["detail"] == f"signed up {signup['signup_date'].iloc[0]:%Y-%m-%d}"
    assert (f"contacts_november.csv, row 3, column occurred_at, value '2020-01-01 10:00:00': "
            f"event before the customer signed up ({before['detail']})") in map(str, f.problems)
    lines = "\n".join(rep.lines())
    assert "contacts_november.csv → contacts: 9 rows read, 1 new" in lines
    assert "8 quarantined" in lines
    assert str(f.problems[0]) == ("contacts_november.csv, row 2, column customer_id, "
                                  "value '999': unknown customer id")
    log = read(wh, "select * from ingest.loads where file_name = 'contacts_november.csv'")
    assert json.loads(log["by_rule"].iloc[0])["duplicate key within the file"] == 1
    assert log["rows_quarantined"].iloc[0] == 8


def test_events_of_customers_in_the_same_run_are_accepted(wh, archive, tmp_path):
    cust = write(tmp_path, "customers_new.csv",
                 "customer_id,segment,region,plan,acquisition_channel,signup_date,churn_date\n"
                 "501,consumer,north,basic,web,2026-03-01,\n")
    cont = write(tmp_path, "contacts_new.csv",
                 f"{CONTACT_HEADER}\n9101,501,2026-03-02 09:00:00,chat,billing,30,true,\n"
                 f"9102,501,2026-02-27 09:00:00,chat,billing,30,true,\n")
    rep = run([cont, cust], wh, archive)  # order given does not matter: customers go first
    assert [f.table for f in rep.files] == ["customers", "contacts"]
    assert rep.files[1].rows_new == 1
    assert [p.rule for p in rep.files[1].problems] == ["event before the customer signed up"]


@pytest.mark.parametrize(("name", "text", "kw", "reason"), [
    ("contacts.csv", "", {}, "the file is empty"),
    ("contacts.csv", CONTACT_HEADER + "\n", {}, "the file has no data rows"),
    ("contacts.csv", "contact_id,customer,when\n1,1,2026-03-02\n", {},
     "column customer_id, occurred_at, channel, reason: missing required column(s) for "
     "contacts; column customer, when: unknown column(s) for contacts"),
    ("complaints.csv", CONTACT_HEADER + "\n9001,1,2026-03-04 10:00:00,phone,billing,1,true,\n",
     {}, "wrong table: the columns are those of contacts, not complaints"),
    ("export.csv", CONTACT_HEADER + "\n9001,1,2026-03-04 10:00:00,phone,billing,1,true,\n",
     {"table": "transactions"}, "wrong table: the columns are those of contacts, not "
                                "transactions"),
    ("thing.csv", "a,b\n1,2\n", {}, "cannot tell which table it is for"),
    ("contacts.json", "{}", {}, "unsupported file type .json"),
])
def test_unusable_files_are_refused_whole_with_one_line(wh, archive, tmp_path, name, text, kw,
                                                        reason):
    before = sha(wh)
    rep = run([write(tmp_path, name, text)], wh, archive, **kw)
    assert rep.exit_code == 1 and not rep.published
    assert reason in rep.files[0].refused
    assert rep.lines()[0].startswith(f"{name}: refused — ")
    assert "\n" not in rep.lines()[0]
    assert sha(wh) == before and not archive.exists()


def test_missing_and_unknown_columns_are_both_named(wh, archive, tmp_path):
    path = write(tmp_path, "contacts.csv", "contact_id,customer_id,occurred_at,channel,"
                 "Reason,handle_seconds,is_resolved,agent_id,colour\n")
    path.write_text(path.read_text() + "9001,1,2026-03-04 10:00:00,phone,billing,1,true,,red\n")
    reason = run([path], wh, archive).files[0].refused
    assert "column reason: missing required column(s) for contacts" in reason
    assert "column Reason, colour: unknown column(s) for contacts" in reason


def test_a_refused_file_does_not_stop_the_others(wh, archive, tmp_path):
    good = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9201,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    bad = tmp_path / "transactions.csv"
    bad.write_bytes("transaction_id,customer_id\n1,ü\n".encode("latin-1"))
    rep = run([good, bad], wh, archive)
    assert rep.published and rep.exit_code == 3
    assert "not UTF-8 text" in rep.files[1].refused
    assert count(wh, "raw.contacts") == 11


# --- dry run, failures, the lock ---------------------------------------------------------------

def test_dry_run_reports_what_a_load_would_do_and_changes_nothing(wh, archive, tmp_path):
    path = write(tmp_path, "contacts.csv", f"{CONTACT_HEADER}\n"
                 "9301,1,2026-03-04 10:00:00,phone,billing,1,true,\n"
                 "9302,1,2026-03-04 10:00:00,fax,billing,1,true,\n")
    before = sha(wh)
    dry = run([path], wh, archive, dry_run=True)
    assert sha(wh) == before and not archive.exists() and not dry.published
    assert dry.lines()[-1].startswith("Dry run: nothing was loaded (1 row would load, 1 would")
    real = run([path], wh, archive)
    assert [f.to_json() | {"load_id": None, "archive": None} for f in dry.files] == \
        [f.to_json() | {"load_id": None, "archive": None} for f in real.files]
    assert real.published and sha(wh) != before


def test_a_failure_late_in_the_load_leaves_the_warehouse_as_it_was(wh, archive, tmp_path,
                                                                   monkeypatch):
    path = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9401,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    before = sha(wh)

    def broken(builder):
        raise build.ContractViolation("contract checks failed (assert_x: 3 failing rows); "
                                      "warehouse not replaced")

    monkeypatch.setattr(build, "rebuild", broken)
    rep = run([path], wh, archive)
    assert rep.exit_code == 1 and not rep.published
    assert rep.lines()[-1] == ("Load failed, nothing changed: contract checks failed (assert_x: 3 "
                               "failing rows); warehouse not replaced")
    assert sha(wh) == before
    assert sorted(p.name for p in wh.parent.iterdir()) == [".warehouse.duckdb.lock",
                                                          "warehouse.duckdb"]
    assert not any(archive.rglob("*.csv"))  # the archive copy was taken back


def test_a_second_load_waits_for_the_lock_then_gives_up_with_a_message(wh, archive, tmp_path,
                                                                       monkeypatch):
    import fcntl

    monkeypatch.setattr(ingest, "LOCK_WAIT_SECONDS", 0.5)
    holder = open(wh.with_name(".warehouse.duckdb.lock"), "a")  # noqa: SIM115
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        path = write(tmp_path, "contacts.csv",
                     f"{CONTACT_HEADER}\n9501,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
        with pytest.raises(ingest.IngestBusy, match="another load of warehouse.duckdb"):
            ingest.ingest([path], wh, now=NOW, archive_dir=archive)
    finally:
        holder.close()


# --- kills at several points: the previous warehouse complete, readable, the app answering -----

def _stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] == "T"


def _app_kpis(target: Path) -> dict[str, str]:
    from streamlit.testing.v1 import AppTest

    os.environ["CX_WAREHOUSE_URL"] = f"duckdb:///{target}"
    try:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return {m.label: m.value for m in at.metric}
    finally:
        del os.environ["CX_WAREHOUSE_URL"]


@pytest.mark.parametrize("stage", ingest.STAGES)
def test_a_kill_at_any_stage_leaves_the_previous_warehouse_complete(wh, archive, tmp_path,
                                                                    stage):
    path = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9601,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    before, tiles = sha(wh), _app_kpis(wh)
    assert tiles
    env = {**os.environ, ingest.STOP_ENV: stage, "CX_ARCHIVE_DIR": str(archive)}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "ingest", str(path),
                             "--out", str(wh), "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not _stopped(proc.pid):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the load never reached its stop point"
            time.sleep(0.05)
        # mid-load: the warehouse is the previous one, and the app reads it as before
        assert sha(wh) == before
        assert count(wh, "raw.contacts") == 10
        if stage in ("loaded", "archived"):
            assert _app_kpis(wh) == tiles
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert sha(wh) == before
    assert count(wh, "raw.contacts") == 10 and count(wh, "marts.fct_kpi_weekly") > 0
    leftovers = [p for p in wh.parent.iterdir() if ".ingest-" in p.name]
    assert leftovers or stage == "validated"
    # the next load clears what the killed one left and loads the file
    rep = run([path], wh, archive)
    assert rep.published and rep.files[0].rows_new == 1
    assert count(wh, "raw.contacts") == 11
    assert not any(".ingest-" in p.name for p in wh.parent.iterdir())
    # the archive holds exactly the copies the warehouse's loads refer to
    kept = {str(p.relative_to(archive)) for p in archive.rglob("*") if p.is_file()}
    assert kept == set(read(wh, "select archive_path from ingest.loads "
                                "where archive_path <> ''")["archive_path"])


#: The progress lines of a load, in order, and the phase each begins.
PHASES = (("reading and validating", "validate"), ("copying the warehouse", "copy"),
          ("loading ", "load"), ("settling the as-of date", "rebuild"),
          ("rebuilding staging", "rebuild"))
KILLS = 20


def _phase(stderr: str) -> str:
    """The last phase a killed load reached, from its progress lines ("start" before any)."""
    reached = "start"
    for line in stderr.splitlines():
        for words, phase in PHASES:
            if words in line:
                reached = phase
    return reached


def _consistent(target: Path, before: int, after: int, loads: int) -> int:
    """The warehouse opens, passes every contract check and holds the before or the after
    rows (and ``loads`` logged loads before, one more after); the contacts it holds."""
    n = count(target, "raw.contacts")
    assert n in (before, after), (n, before, after)
    assert count(target, "ingest.loads") == loads + (n == after)
    b = build.Builder.copy_of(target)
    try:
        failing = {k: len(v) for k, v in b.run_checks().items() if len(v)}
    finally:
        b.abort()
    assert failing == {}
    return n


def test_random_kills_spread_over_the_phases_leave_the_old_or_the_new_warehouse(
        tmp_path, fixture_db):
    """SIGKILL a load of a large valid file at moments spread over its whole run (validate,
    copy, load, rebuild, publish); each time the warehouse opens, passes every contract check
    and holds the old or the new rows, the next load runs at once and ends with the new rows,
    and nothing the killed load made is left beside the warehouse or in the archive."""
    import random

    n_rows = 40_000
    path = tmp_path / "contacts_big.csv"
    path.write_text(CONTACT_HEADER + "\n" + "".join(
        f"K{i},1,2026-03-{1 + i % 20:02d} 10:00:00,phone,billing,{i % 900},true,\n"
        for i in range(n_rows)), encoding="utf-8")
    before, loads = count(fixture_db, "raw.contacts"), count(fixture_db, "ingest.loads")

    def fresh(k: int) -> tuple[Path, Path]:
        target = tmp_path / f"wh{k}" / "warehouse.duckdb"
        target.parent.mkdir()
        shutil.copyfile(fixture_db, target)
        return target, tmp_path / f"archive{k}"

    def start(target: Path, archive: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "dashboard", "ingest", str(path), "--out", str(target)],
            cwd=ROOT, env={**os.environ, "CX_ARCHIVE_DIR": str(archive)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)

    # one whole load, timed phase by phase: each kill waits for its phase to begin, then
    # for a random part of that phase's length ("publish": the end of the rebuild)
    target, archive = fresh(-1)
    t0 = time.monotonic()
    proc = start(target, archive)
    begins = {}
    for line in proc.stderr:
        for words, _ in PHASES:
            if words in line:
                begins[words] = time.monotonic() - t0
    proc.wait(timeout=600)
    begins["end"] = time.monotonic() - t0
    assert proc.returncode == 0 and len(begins) == len(PHASES) + 1, begins
    marks = list(begins)
    length = {w: begins[marks[i + 1]] - begins[w] for i, w in enumerate(marks[:-1])}
    after = count(target, "raw.contacts")
    assert after == before + n_rows
    plan = [(w, 0.0, 1.0) for w, _ in PHASES] + [("rebuilding staging", 0.8, 1.1)]
    rng = random.Random(16)
    phases, states = [], []
    k = 0
    while len(phases) < KILLS:
        assert k < 2 * KILLS, f"the load ended before most kills: {phases}"
        words, lo, hi = plan[k % len(plan)]
        target, archive = fresh(k)
        proc = start(target, archive)
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if words in line:
                break
        time.sleep(length[words] * (lo + (hi - lo) * rng.random()))
        proc.send_signal(signal.SIGKILL)
        rest = proc.communicate(timeout=60)[1]
        k += 1
        killed = proc.returncode == -signal.SIGKILL
        if killed:
            phases.append(_phase("".join(seen) + (rest or "")))
        state = _consistent(target, before, after, loads)
        if killed:
            states.append("after" if state == after else "before")
        # the next load runs at once (no stale lock) and ends with the new rows
        rep = ingest.ingest([path], target, archive_dir=archive)
        assert rep.error is None and rep.exit_code == 0, rep.lines()
        assert count(target, "raw.contacts") == after
        assert (rep.files[0].repeat_of is not None) == (state == after)
        left = sorted(p.name for p in target.parent.iterdir()
                      if p.name not in {target.name, f".{target.name}.lock"})
        assert left == [], (phases[-1:], left)
        kept = {str(p.relative_to(archive)) for p in archive.rglob("*") if p.is_file()}
        assert kept == set(read(target, "select archive_path from ingest.loads "
                                        "where archive_path <> ''")["archive_path"])
    reached = set(phases)
    print(f"kills by phase: {dict(Counter(phases))}; states: {dict(Counter(states))}")
    assert {"validate", "load", "rebuild"} <= reached, phases  # spread over the whole load


# --- the command line ---------------------------------------------------------------------------

def _cli(*args: str, archive: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "ingest", *args, "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CX_ARCHIVE_DIR": str(archive)})


def test_cli_statuses_summary_and_json(wh, archive, tmp_path):
    good = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9701,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    res = _cli(str(good), "--out", str(wh), "--dry-run", archive=archive)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "contacts.csv → contacts: 1 rows read, 1 new, 0 replaced, 0 unchanged, 0 quarantined",
        res.stdout.splitlines()[1]]
    assert res.stdout.splitlines()[1].startswith("Dry run: nothing was loaded (1 row would load")
    res = _cli(str(good), "--out", str(wh), archive=archive)
    assert res.returncode == 0 and "Loaded 1 row, quarantined 0" in res.stdout
    bad = write(tmp_path, "contacts_2.csv",
                f"{CONTACT_HEADER}\n9702,1,2026-03-04 10:00:00,fax,billing,1,true,\n"
                f"9703,1,2026-03-04 10:00:00,chat,billing,1,true,\n")
    res = _cli(str(bad), "--out", str(wh), "--json", archive=archive)
    assert res.returncode == 3
    doc = json.loads(res.stdout)
    assert doc["rows_loaded"] == 1 and doc["rows_quarantined"] == 1 and doc["published"]
    assert doc["files"][0]["by_rule"] == {
        "not an accepted value (phone | chat | email | self_service | store | social)": 1}
    res = _cli(str(tmp_path / "nope.csv"), "--out", str(wh), archive=archive)
    assert res.returncode == 2 and "no such file or folder: " in res.stderr
    bad_map = write(tmp_path, "map.toml", "[tickets]\n")
    res = _cli(str(good), "--out", str(wh), "--mapping", str(bad_map), archive=archive)
    assert res.returncode == 2 and "unknown table 'tickets'" in res.stderr
    empty = write(tmp_path, "contacts_3.csv", "")
    res = _cli(str(empty), "--out", str(wh), archive=archive)
    assert res.returncode == 1
    assert res.stdout.splitlines()[0] == "contacts_3.csv: refused — the file is empty"


def _main(*args: str, capsys) -> tuple[int, str]:
    """The command line in-process: its exit status and everything it printed."""
    from dashboard import cli

    capsys.readouterr()
    code = cli.main(["ingest", *args, "--quiet"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_an_unusable_archive_folder_is_one_line_and_nothing_changes(wh, tmp_path, capsys,
                                                                    monkeypatch):
    good = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9801,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    blocker = write(tmp_path, "archive", "a file where the archive folder should be")
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(blocker))
    before = sha(wh)
    code, said = _main(str(good), "--out", str(wh), capsys=capsys)
    assert code == 1
    assert f"the archive folder {blocker} is a file, not a folder" in said
    assert sha(wh) == before
    assert sorted(p.name for p in wh.parent.iterdir()) == [".warehouse.duckdb.lock",
                                                          "warehouse.duckdb"]


def test_out_naming_a_csv_or_a_folder_is_a_bad_argument_and_leaves_nothing(tmp_path, capsys,
                                                                           archive, monkeypatch):
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(archive))
    good = write(tmp_path, "contacts.csv",
                 f"{CONTACT_HEADER}\n9802,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
    out = tmp_path / "out"
    out.mkdir()
    csv_out = write(out, "report.csv", "a,b\n1,2\n")
    code, said = _main(str(good), "--out", str(csv_out), capsys=capsys)
    assert code == 2 and "report.csv is not a warehouse file" in said
    assert csv_out.read_text() == "a,b\n1,2\n"
    code, said = _main(str(good), "--out", str(out), capsys=capsys)
    assert code == 2 and f"{out} is a folder" in said
    assert [p.name for p in out.iterdir()] == ["report.csv"]  # no copy, no lock, no temp
    assert not archive.exists()


def test_control_characters_are_printed_as_escapes(wh, tmp_path, capsys, archive,
                                                   monkeypatch):
    from dashboard import cli

    assert cli.printable("a\x1b[31mb\u202ec\rd\ne\x9b\x00f ok") == \
        "a\\x1b[31mb\\u202ec\\x0dd\\x0ae\\x9b\\x00f ok"
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(archive))
    hostile = write(tmp_path, "contacts_\x1b[2J\x1b[31m.csv",
                    f"{CONTACT_HEADER},\x1b]0;title\x07\n"
                    "9803,1,2026-03-04 10:00:00,phone,billing,1,true,,x\n")
    code, said = _main(str(hostile), "--out", str(wh), capsys=capsys)
    assert code == 0
    assert "\x1b" not in said and "\x07" not in said
    assert "contacts_\\x1b[2J\\x1b[31m.csv → contacts" in said
    assert "ignored columns: \\x1b]0;title\\x07" in said
    # the file name is kept as given in the warehouse: only the terminal sees escapes
    assert list(read(wh, "select file_name from ingest.loads")["file_name"])[-1] == hostile.name


# --- round trip: the demo world exported in another tool's shape, ingested with a mapping ------

#: the documented example mapping (data/mapping.example.toml) is the round trip's mapping
ROUND_TRIP_MAPPING = (ROOT / "data" / "mapping.example.toml").read_text(encoding="utf-8")

#: the other tool's CSAT is on 1–5: the top two boxes (6–7 of 1–7) become 4–5
CSAT_7_TO_5 = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4, 7: 5}


def _local(ts: pd.Series, fmt: str, zone: str | None) -> pd.Series:
    ts = pd.to_datetime(ts)
    if zone:
        ts = ts.dt.tz_localize("UTC").dt.tz_convert(zone)
    return ts.dt.strftime(fmt).fillna("")


def _european(x: float) -> str:
    """A number as a European export writes it: ``1.234,5`` (every digit of its shortest
    exact form kept)."""
    sign, text = ("-", repr(-x)) if x < 0 else ("", repr(float(x)))
    whole, _, frac = text.partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{groups},{frac}"


def _export_in_another_shape(frames: dict, folder: Path, mapping: str) -> list[Path]:
    """The demo world's raw tables as another tool would export them (inverse of the mapping):
    renamed columns, capitalised values, CSAT on 1–5, day-first dates in Tehran time, no scale
    columns, yes/no booleans, a column the contract does not need, a semicolon-separated
    billing file with European numbers and its date and time in two columns."""
    import tomllib

    doc = tomllib.loads(mapping)
    out = []
    for table, name, sep in (("customers", "clients.csv", ","),
                             ("survey_responses", "feedback.csv", ","),
                             ("complaints", "cases.csv", ","),
                             ("contacts", "tickets.csv", ","),
                             ("transactions", "billing.csv", ";")):
        df = frames[table].copy()
        spec = doc[table]
        fmt, zone = spec.get("date_format"), spec.get("timezone")
        for col, (day, clock) in spec.get("combine", {}).items():
            ts = pd.to_datetime(df.pop(col))
            day_fmt, clock_fmt = fmt.split(" ", 1)
            df[day], df[clock] = ts.dt.strftime(day_fmt), ts.dt.strftime(clock_fmt)
        if spec.get("decimal") == ",":
            for col in df.columns:
                if pd.api.types.is_float_dtype(df[col]):
                    df[col] = df[col].map(_european, na_action="ignore")
        if table == "customers":
            df["Senior Citizen"] = (df["customer_id"].astype(int) % 5 == 0).map(
                {True: "Yes", False: "No"})
        for col in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[col]):
                df[col] = (_local(df[col], fmt, zone if not col.endswith("_date") else None)
                           if fmt else pd.to_datetime(df[col]).dt.strftime("%Y-%m-%dT%H:%M:%S")
                           .fillna(""))
            elif pd.api.types.is_bool_dtype(df[col]):
                df[col] = df[col].map({True: "yes", False: "no"})
        if table == "survey_responses":
            csat = df["survey"] == "csat"
            for col in ("score", "expectation_score"):
                df[col] = df[col].astype("Int64").astype(object)
                df.loc[csat, col] = df.loc[csat, col].map(
                    lambda v: v if pd.isna(v) else CSAT_7_TO_5[int(v)])
            df = df.drop(columns=["scale_min", "scale_max"])
        for col, mapping_values in spec.get("values", {}).items():
            df[col] = df[col].map({v: k for k, v in mapping_values.items()})
        df = df.rename(columns={v: k for k, v in spec["columns"].items()})
        path = folder / name
        df.to_csv(path, index=False, sep=sep)
        out.append(path)
    return out


def test_round_trip_of_the_demo_world_in_another_shape_gives_the_same_kpis(tmp_path):
    from dashboard.intake import demo
    from dashboard.metrics import kpis
    from dashboard.metrics.filters import Filters

    frames = demo.generate(customers=6000, seed=11, end_week=DEMO_END_WEEK)
    demo_path = tmp_path / "demo.duckdb"
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    build.build(raw, demo_path)
    mapping = ROOT / "data" / "mapping.example.toml"
    files = _export_in_another_shape(frames, tmp_path, ROUND_TRIP_MAPPING)
    # the company's own settings (here the demo's: its currency, targets and programme)
    settings = tmp_path / "settings_2026.csv"
    shutil.copyfile(ROOT / "data" / "demo_assumptions.csv", settings)
    target = tmp_path / "ingested" / "warehouse.duckdb"
    rep = ingest.ingest([*files, settings], target, mapping=mapping, now=NOW,
                        archive_dir=tmp_path / "archive")
    assert rep.exit_code == 0, "\n".join(rep.lines() + [str(p) for f in rep.files
                                                         for p in f.problems[:5]])
    assert [f.table for f in rep.files] == ["assumptions", *TABLES]
    frames["assumptions"] = build.read_assumptions()
    for f in rep.files:
        assert f.rows_new == len(frames[f.table]) and f.quarantined == 0
    clients = next(f for f in rep.files if f.table == "customers")
    assert clients.ignored == ["Senior Citizen"]
    assert "; ignored columns: Senior Citizen" in clients.line()
    amounts = read(target, "select transaction_id, amount, occurred_at from raw.transactions "
                           "order by transaction_id")
    want = frames["transactions"].sort_values("transaction_id")
    assert amounts["amount"].tolist() == want["amount"].tolist()
    assert (amounts["occurred_at"].tolist()
            == pd.to_datetime(want["occurred_at"]).dt.floor("s").tolist())
    csat = read(target, "select scale_min, scale_max, count(*) as n from raw.survey_responses "
                        "where survey = 'csat' group by all")
    assert csat[["scale_min", "scale_max"]].values.tolist() == [[1, 5]]

    def report(path: Path, **kw):
        wh = db.Warehouse(f"duckdb:///{path}")
        fetch = lambda name, **p: wh.run(name, **p)  # noqa: E731
        cat = kpis.load_catalog(fetch)
        doc = kpis.build_report(fetch, Filters(week=cat.latest_complete, **kw)).to_json()
        wh.close()
        return doc

    for kw in ({}, {"segments": ("consumer",)}, {"compare": "4w"}):
        assert report(target, **kw) == report(demo_path, **kw), kw
    # the other marts agree too, except the CSAT means and expectation gaps (another scale)
    q = "select * exclude (score_sum, score_sq_sum) from marts.fct_survey_weekly order by all"
    pd.testing.assert_frame_equal(read(target, q), read(demo_path, q))
    for mart in ("fct_kpi_weekly", "fct_cost_channel_weekly", "fct_churn_monthly",
                 "fct_complaints_weekly", "fct_revenue_weekly"):
        q = f"select * from marts.{mart} order by all"
        pd.testing.assert_frame_equal(read(target, q), read(demo_path, q), check_dtype=False)


def test_contacts_in_a_week_without_a_unit_cost_are_quarantined_not_the_whole_load(
        wh, archive, tmp_path):
    # the shipped costs are in force from 2020-01-06 (a Monday): a contact in the week before
    # cannot be costed, so cost to serve could not count it
    cust = write(tmp_path, "customers_old.csv",
                 "customer_id,segment,region,plan,acquisition_channel,signup_date,churn_date\n"
                 "601,consumer,north,basic,web,2019-06-01,\n")
    cont = write(tmp_path, "contacts_old.csv", f"{CONTACT_HEADER}\n"
                 "9801,601,2020-01-05 23:59:59,phone,billing,30,true,\n"
                 "9802,601,2020-01-06 00:00:00,phone,billing,30,true,\n")
    rep = run([cust, cont], wh, archive)
    assert rep.published, rep.lines()
    f = rep.files[1]
    assert f.rows_new == 1
    assert [(p.row, p.column, p.rule) for p in f.problems] == [
        (1, "occurred_at", "no cost per contact in force for this channel that week "
                           "(assumptions)")]


def test_a_reader_holding_the_old_file_does_not_hide_the_new_one(wh, archive, tmp_path):
    """The app's connections see a load at once, even while another session's connection
    still holds the file that was swapped out (DuckDB caches databases by path)."""
    reader, other = db.Warehouse(f"duckdb:///{wh}"), db.Warehouse(f"duckdb:///{wh}")
    held = other.engine().connect()
    try:
        q = "select count(*) as n from raw.contacts"
        assert held.exec_driver_sql(q).scalar() == 10
        assert int(reader.sql(q)["n"].iloc[0]) == 10
        path = write(tmp_path, "contacts.csv",
                     f"{CONTACT_HEADER}\n9901,1,2026-03-04 10:00:00,phone,billing,1,true,\n")
        assert run([path], wh, archive).published
        assert int(reader.sql(q)["n"].iloc[0]) == 11
        assert int(db.cached_run(reader, "weeks_available").shape[0]) > 0
        assert held.exec_driver_sql(q).scalar() == 10  # its own snapshot until it lets go
    finally:
        held.close()
        reader.close()
        other.close()


def test_a_yaml_mapping_reads_like_the_toml_one(tmp_path):
    import tomllib

    import yaml

    from dashboard.intake import contract

    doc = tomllib.loads(ROUND_TRIP_MAPPING)
    as_yaml = write(tmp_path, "other_tool.yaml", yaml.safe_dump(doc, allow_unicode=True))
    toml_maps = contract.load_mapping(ROOT / "data" / "mapping.example.toml")
    assert contract.load_mapping(as_yaml) == toml_maps
    assert toml_maps["survey_responses"].scales["csat"] == (1.0, 5.0)
    assert toml_maps["contacts"].values["channel"]["E-mail"] == "email"
    with pytest.raises(contract.MappingError, match="bad.yaml: expected one section per table"):
        contract.load_mapping(write(tmp_path, "bad.yaml", "- just\n- a list\n"))


def test_xlsx_parquet_and_a_persian_tsv_with_bom_load_intact(wh, archive, tmp_path):
    contacts = pd.DataFrame({
        "contact_id": [9951, 9952], "customer_id": [1, 2],
        "occurred_at": ["2026-03-04 10:00:00", "2026-03-05 11:30:00"],
        "channel": ["chat", "email"], "reason": ["billing", "technical"],
        "handle_seconds": [120, 300], "is_resolved": ["true", "false"], "agent_id": ["A-7", ""]})
    contacts.to_excel(tmp_path / "contacts.xlsx", index=False)
    tx = pd.DataFrame({"transaction_id": [9951], "customer_id": [3],
                       "occurred_at": pd.to_datetime(["2026-03-04 10:00:00"]),
                       "amount": [-12.5], "product": ["plan"], "channel": ["web"],
                       "kind": ["refund"]})
    tx.to_parquet(tmp_path / "transactions.parquet")
    comment = "پشتیبانی عالی بود، ممنون"
    header = ("response_id\tcustomer_id\tresponded_at\tsurvey\tscore\tscale_min\tscale_max\t"
              "journey_stage\ttouchpoint\tchannel\tagent_id\tstore_id\texpectation_score\tcomment")
    row = f"9951\t1\t2026-03-04 10:00:00\tnps\t9\t0\t10\tusage\tapp\temail\t\t\t\t{comment}"
    (tmp_path / "survey_responses.tsv").write_bytes(f"\ufeff{header}\n{row}\n".encode())
    rep = run([tmp_path / "contacts.xlsx", tmp_path / "transactions.parquet",
               tmp_path / "survey_responses.tsv"], wh, archive)
    assert rep.exit_code == 0, rep.lines()
    assert [f.rows_new for f in rep.files] == [1, 2, 1]
    got = read(wh, "select comment from raw.survey_responses where response_id = '9951'")
    assert got["comment"].iloc[0] == comment
    got = read(wh, "select agent_id, is_resolved from raw.contacts where contact_id >= '9951' "
                   "order by contact_id")
    assert got.values.tolist() == [["A-7", True], [None, False]]
    got = read(wh, "select amount, occurred_at from raw.transactions where transaction_id = '9951'")
    assert got["amount"].iloc[0] == -12.5
    assert str(got["occurred_at"].iloc[0]) == "2026-03-04 10:00:00"
