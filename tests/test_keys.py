"""Text ids everywhere: every id of the contract is text, stored and shown exactly as given.

Ids of each real-world shape (prefix-dash, UUID, e-mail, Qualtrics ``R_…``, ticket numbers with
a ``#``, leading zeros apart from the same digits without them, integers from Parquet and XLSX
cells) load through ``ingest`` and come back exactly from the warehouse, the at-risk list and
the quarantine; joins by text customer id give the figures of the same data with integer ids;
duplicate text keys are refused with their row named; a warehouse built before ids were text
takes text ids on its next load.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.analysis import churn
from dashboard.intake import contract, ingest
from dashboard.intake import status as data_status
from dashboard.warehouse import build, db
from dashboard.warehouse.schema import ID_COLUMNS
from tests.conftest import DEMO_END_WEEK

NOW = datetime(2026, 11, 23, tzinfo=UTC)

PREFIX_DASH = "7311-YNBIQ"
UUID_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
EMAIL = "Jane.Doe+VIP@Example.com"  # case kept: never folded
ZEROS, PLAIN = "00123", "123"  # two customers: leading zeros are part of the id
SPACED = "ACME Corp / 42"  # inner spaces and a slash kept
CUSTOMER_IDS = (PREFIX_DASH, UUID_ID, EMAIL, ZEROS, PLAIN, SPACED)

CUSTOMERS = pd.DataFrame({
    "customer_id": CUSTOMER_IDS,
    "segment": ["Mass", "Mass", "Business", "Affluent", "Affluent", "Business"],
    "region": "All", "plan": ["Basic", "Standard", "Premium", "Basic", "Basic", "Standard"],
    "acquisition_channel": "", "signup_date": "2025-01-06",
    "churn_date": ["", "", "", "", "", "2026-06-01"]})
# Qualtrics response ids; customers ZEROS and EMAIL answered as detractors, PLAIN as a promoter
RESPONSES = pd.DataFrame({
    "response_id": ["R_3kXpLmQ2vT7aBcD", "R_1dFgHjKlZxCvBnM", "R_3kxplmq2vt7abcd"],
    "customer_id": [ZEROS, EMAIL, PLAIN],
    "responded_at": ["2026-03-02 09:00:00", "2026-03-03 10:00:00", "2026-03-04 11:00:00"],
    "survey": "nps", "score": ["2", "5", "10"], "scale_min": "0", "scale_max": "10"})
# invoice numbers; the two customers with the same digits get different amounts
TRANSACTIONS = pd.DataFrame({
    "transaction_id": ["INV-0000001", "INV-0000002", "INV-0000003", "INV-0000004",
                       "INV-0000005"],
    "customer_id": [ZEROS, PLAIN, EMAIL, PREFIX_DASH, UUID_ID],
    "occurred_at": ["2026-02-10 01:00:00", "2026-02-11 01:00:00", "2026-02-12 01:00:00",
                    "2026-02-13 01:00:00", "2026-02-14 01:00:00"],
    "amount": ["70", "30", "55", "20", "25"], "kind": "subscription"})
# helpdesk ticket numbers with a prefix
COMPLAINTS = pd.DataFrame({
    "complaint_id": ["#1042", "#1043"], "customer_id": [PREFIX_DASH, SPACED],
    "opened_at": ["2026-03-03 10:00:00", "2026-03-04 10:00:00"],
    "resolved_at": ["", "2026-03-05 10:00:00"],
    "channel": "email", "category": "billing", "severity": "low"})


def _csv(folder: Path, name: str, df: pd.DataFrame) -> Path:
    path = folder / name
    df.to_csv(path, index=False)
    return path


def _read(path: Path, sql: str) -> pd.DataFrame:
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        return wh.sql(sql)
    finally:
        wh.close()


def _fetch(path: Path):
    wh = db.Warehouse(f"duckdb:///{path}")
    return wh, lambda name, **p: wh.run(name, **p)


@pytest.fixture
def shaped(tmp_path) -> tuple[Path, ingest.IngestReport]:
    """A warehouse loaded from CSV files whose ids have every shape, plus contacts in XLSX and
    transactions in Parquet whose id cells are numbers."""
    src = tmp_path / "src"
    src.mkdir()
    files = [_csv(src, "customers.csv", CUSTOMERS),
             _csv(src, "survey_responses.csv", RESPONSES),
             _csv(src, "transactions.csv", TRANSACTIONS),
             _csv(src, "complaints.csv", COMPLAINTS)]
    # XLSX numeric cells: contact ids 5001, 5002 and agent 17 typed as numbers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["contact_id", "customer_id", "occurred_at", "channel", "reason",
               "handle_seconds", "is_resolved", "agent_id"])
    ws.append([5001, ZEROS, "2026-03-05 09:00:00", "phone", "billing", 120, "true", 17])
    ws.append([5002.0, PLAIN, "2026-03-05 10:00:00", "chat", "billing", 60, "false", None])
    wb.save(src / "contacts.xlsx")
    files.append(src / "contacts.xlsx")
    # Parquet from another tool: an int64 id column with a gap reads as floats in pandas
    pq.write_table(pa.table({
        "transaction_id": pa.array([900001, 900002], pa.int64()),
        "customer_id": [PLAIN, ZEROS], "occurred_at": ["2026-03-06 01:00:00"] * 2,
        "amount": [1.5, 2.5], "product": ["x", "y"],
        "channel": pa.array([None, None], pa.string()), "kind": ["purchase"] * 2}),
        src / "transactions_more.parquet")
    pq.write_table(pa.table({
        "response_id": pa.array([77, None], pa.int64()),
        "customer_id": [PLAIN, PLAIN], "responded_at": ["2026-03-07 09:00:00"] * 2,
        "survey": ["csat"] * 2, "score": [5, 4], "scale_min": [1, 1], "scale_max": [5, 5],
        "store_id": pa.array([3, None], pa.int64())}), src / "survey_responses_more.parquet")
    files += [src / "transactions_more.parquet", src / "survey_responses_more.parquet"]
    target = tmp_path / "wh" / "warehouse.duckdb"
    rep = ingest.ingest(files, target, now=NOW, archive_dir=tmp_path / "archive")
    return target, rep


def test_ids_of_every_shape_load_and_come_back_exactly(shaped):
    target, rep = shaped
    assert rep.error is None and rep.published, rep.lines()
    got = _read(target, "select customer_id from raw.customers")["customer_id"]
    assert sorted(got) == sorted(CUSTOMER_IDS)
    got = _read(target, "select customer_id from marts.dim_customers")["customer_id"]
    assert sorted(got) == sorted(CUSTOMER_IDS)
    resp = _read(target, "select response_id, customer_id, score from "
                         "marts.fct_survey_responses where survey = 'nps'")
    assert dict(zip(resp["response_id"], resp["customer_id"], strict=True)) == dict(
        zip(RESPONSES["response_id"], RESPONSES["customer_id"], strict=True))
    # two Qualtrics ids that differ only by case are two responses
    assert len(resp) == 3
    tx = _read(target, "select transaction_id, customer_id, amount from raw.transactions")
    by_id = {r.transaction_id: (r.customer_id, r.amount) for r in tx.itertuples()}
    assert by_id["INV-0000001"] == (ZEROS, 70.0) and by_id["INV-0000002"] == (PLAIN, 30.0)
    # integers from Parquet and XLSX cells are shown without ".0"
    assert by_id["900001"] == (PLAIN, 1.5) and by_id["900002"] == (ZEROS, 2.5)
    contacts = _read(target, "select contact_id, customer_id, agent_id from raw.contacts "
                             "order by contact_id")
    assert contacts.values.tolist() == [["5001", ZEROS, "17"], ["5002", PLAIN, None]]
    csat = _read(target, "select response_id, store_id from raw.survey_responses "
                         "where survey = 'csat'")
    assert csat.values.tolist() == [["77", "3"]]
    cmp = _read(target, "select complaint_id, customer_id from marts.fct_complaint_detail "
                        "order by complaint_id")
    assert cmp.values.tolist() == [["#1042", PREFIX_DASH], ["#1043", SPACED]]
    # revenue joins by text id: 00123 and 123 keep their own money
    rev = _read(target, "select c.customer_id, sum(r.revenue_amount) as r from "
                        "marts.fct_customer_revenue_weekly as r join marts.dim_customers as c "
                        "using (customer_key) group by c.customer_id")
    assert dict(zip(rev["customer_id"], rev["r"], strict=True)) == {
        ZEROS: 72.5, PLAIN: 31.5, EMAIL: 55.0, PREFIX_DASH: 20.0, UUID_ID: 25.0}


def test_the_parquet_row_without_an_id_is_quarantined_and_shown_as_read(shaped):
    target, rep = shaped
    more = next(f for f in rep.files if f.file == "survey_responses_more.parquet")
    assert [(p.row, p.column, p.rule) for p in more.problems] == [
        (2, "response_id", "required value is empty")]
    wh, fetch = _fetch(target)
    try:
        rows = data_status.quarantine_rows(fetch, data_status.QuarantineChoice())
    finally:
        wh.close()
    record = json.loads(rows["Record"].iloc[0])
    # the source record as read: the Parquet integers without ".0", the empty id empty
    assert (record["response_id"], record["customer_id"], record["score"]) == ("", PLAIN, "4")


def test_at_risk_list_shows_text_ids_as_given(shaped):
    target, _ = shaped
    wh, fetch = _fetch(target)
    try:
        risk = fetch("churn_at_risk", as_of=date(2026, 3, 16), row_limit=churn.AT_RISK_ROWS)
    finally:
        wh.close()
    # detractors 00123 (2) and the e-mail (5); the open ticket #1042 of 7311-YNBIQ; the
    # promoter 123 is not at risk though its digits equal 00123's; ranked by revenue
    assert risk["customer_id"].tolist() == [ZEROS, EMAIL, PREFIX_DASH]
    assert risk["trailing_revenue"].tolist() == pytest.approx([72.5, 55.0, 20.0])
    shown = churn.at_risk_table(risk, "$")
    assert shown["Customer id"].tolist() == [ZEROS, EMAIL, PREFIX_DASH]


def test_unknown_text_customer_is_quarantined_with_its_own_text(shaped, tmp_path):
    target, _ = shaped
    path = _csv(tmp_path, "contacts_more.csv", pd.DataFrame({
        "contact_id": ["c-1", "c-2", "c-3"],
        "customer_id": ["0123", "jane.doe+vip@example.com", EMAIL],
        "occurred_at": "2026-03-10 09:00:00", "channel": "email", "reason": "billing"}))
    rep = ingest.ingest([path], target, now=NOW, archive_dir=tmp_path / "archive")
    f = rep.files[0]
    # neither a trimmed zero nor a case-folded e-mail finds a customer
    assert [(p.row, p.column, p.value, p.rule) for p in f.problems] == [
        (1, "customer_id", "0123", "unknown customer id"),
        (2, "customer_id", "jane.doe+vip@example.com", "unknown customer id")]
    assert f.rows_new == 1
    wh, fetch = _fetch(target)
    try:
        rows = data_status.quarantine_rows(
            fetch, data_status.QuarantineChoice(load_id=f.load_id))
    finally:
        wh.close()
    assert rows["Value"].tolist() == ["0123", "jane.doe+vip@example.com"]


def test_duplicate_text_keys_within_a_file_and_across_loads_are_refused(shaped, tmp_path):
    target, _ = shaped
    # within the file: the same invoice number twice (the second row named); "inv-0000009"
    # differs by case, so it is another key
    path = _csv(tmp_path, "transactions_dup.csv", pd.DataFrame({
        "transaction_id": ["INV-0000009", "INV-0000009", "inv-0000009"],
        "customer_id": [PLAIN, ZEROS, PLAIN], "occurred_at": "2026-03-09 01:00:00",
        "amount": ["1", "2", "3"], "kind": "purchase"}))
    good, problems = contract.validate("transactions", contract.read_file(path), path.name,
                                       now=NOW)
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (2, "transaction_id", "INV-0000009", "duplicate key within the file")]
    assert good["transaction_id"].tolist() == ["INV-0000009", "inv-0000009"]
    # across loads: an invoice number already in the warehouse for another customer
    path = _csv(tmp_path, "transactions_clash.csv", pd.DataFrame({
        "transaction_id": ["INV-0000010", "INV-0000001"], "customer_id": [PLAIN, PLAIN],
        "occurred_at": "2026-03-09 01:00:00", "amount": ["1", "2"], "kind": "purchase"}))
    rep = ingest.ingest([path], target, now=NOW, archive_dir=tmp_path / "archive")
    f = rep.files[0]
    assert [(p.row, p.column, p.value, p.rule) for p in f.problems] == [
        (2, "transaction_id", "INV-0000001",
         "duplicate key: already in the warehouse for another customer")]
    assert f.rows_new == 1 and rep.exit_code == 3
    # and a customer id already used with another signup date
    path = _csv(tmp_path, "customers_clash.csv", CUSTOMERS.iloc[[3]].assign(
        signup_date="2024-01-01"))
    rep = ingest.ingest([path], target, now=NOW, archive_dir=tmp_path / "archive")
    assert [(p.row, p.value, p.rule) for p in rep.files[0].problems] == [
        (1, ZEROS, "duplicate key: already in the warehouse with another signup date")]
    owner = _read(target, "select customer_id from raw.transactions "
                          "where transaction_id = 'INV-0000001'")["customer_id"]
    assert owner.tolist() == [ZEROS]


# --- the same world with integer ids and with text ids ------------------------------------------

def _shapes(k: int) -> str:
    """Customer number ``k`` as a text id of one of the real-world shapes; their text order
    differs from the numbers' order."""
    return (f"{k * 7919 % 10000:04d}-{'ABCDEFGHIJ'[k % 10]}QX", str(uuid.UUID(int=k * 2654435761)),
            f"client{k}@Example.org", f"00{k}")[k % 4]


def _texted(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict]:
    """The raw frames with every id replaced by a text id of a real-world shape (one-to-one);
    and the mapping back, per id column."""
    out, back = {}, {}
    prefix = {"response_id": "R_", "complaint_id": "#", "contact_id": "ZD-",
              "transaction_id": "INV-", "agent_id": "agent-", "store_id": "store "}
    for table, df in frames.items():
        df = df.copy()
        for col in ID_COLUMNS:
            if col not in df.columns:
                continue
            ints = pd.to_numeric(df[col]).astype("Int64")
            if col == "customer_id":
                text = ints.map(lambda v: _shapes(int(v)), na_action="ignore")
            else:
                text = ints.map(lambda v, p=prefix[col]: f"{p}{int(v):07d}", na_action="ignore")
            back.setdefault(col, {}).update(zip(text.dropna(), ints.dropna().astype(str),
                                                strict=True))
            df[col] = text.astype(object).where(text.notna(), None)
        out[table] = df
    return out, back


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    """A small demo world built twice: with integer ids, and with the same ids as text."""
    from dashboard.intake import demo

    frames = demo.generate(customers=400, seed=5, weeks=30, end_week=DEMO_END_WEEK)
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    ints = {}
    for k, df in raw.items():
        df = df.copy()
        for col in ID_COLUMNS:
            if col in df.columns:
                df[col] = pd.to_numeric(df[col]).astype("Int64")
        ints[k] = df
    text, back = _texted(ints)
    folder = tmp_path_factory.mktemp("twin")
    paths = {}
    for name, world in (("int", ints), ("text", text)):
        world = dict(world, assumptions=build.read_assumptions())
        paths[name] = folder / f"{name}.duckdb"
        build.build(world, paths[name])
    return paths, text, back


def _marts(path: Path) -> dict[str, pd.DataFrame]:
    """Every mart; the internal integer customer_key is replaced by the customer id it stands
    for (``key_customer_id``), since keys number customers in id order, text or integer."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.sql("select table_name from information_schema.tables "
                        "where table_schema = 'marts' order by 1").fetchall()
        keyed = {t for (t,) in con.sql("select table_name from information_schema.columns "
                                       "where table_schema = 'marts' "
                                       "and column_name = 'customer_key'").fetchall()}
        return {n: con.sql(
            f"select m.* exclude (customer_key), c.customer_id as key_customer_id "
            f"from marts.{n} as m join marts.dim_customers as c using (customer_key)"
            if n in keyed else f"select * from marts.{n}").df() for (n,) in names}
    finally:
        con.close()


def _canonical(df: pd.DataFrame, back: dict | None) -> pd.DataFrame:
    df = df.copy()
    for col in (*ID_COLUMNS, "key_customer_id"):
        if col in df.columns:
            to = {} if back is None else back[col.removeprefix("key_")]
            df[col] = df[col].map(lambda v, to=to: to.get(v, v)).astype(object)
    return df.sort_values(list(df.columns), ignore_index=True, na_position="first")


def test_the_customer_key_numbers_customers_once_and_every_mart_carries_the_right_one(twin):
    paths, _, _ = twin
    con = duckdb.connect(str(paths["text"]), read_only=True)
    try:
        dim = con.sql("select customer_key, customer_id from marts.dim_customers "
                      "order by customer_id").df()
        # dense 1..n in id order, one per customer
        assert dim["customer_key"].tolist() == list(range(1, len(dim) + 1))
        carried = {t: cols for t, cols in con.sql(
            "select table_name, list(column_name) from information_schema.columns "
            "where table_schema = 'marts' and table_name <> 'dim_customers' "
            "group by 1").fetchall() if "customer_key" in cols}
        assert {"fct_customer_revenue_weekly", "fct_contact_repeats", "fct_complaint_detail",
                "fct_nps_answer_spans", "fct_survey_responses"} <= set(carried)
        for table, cols in carried.items():
            if "customer_id" in cols:  # the key a row carries is its own customer's
                wrong = con.sql(f"select count(*) from marts.{table} as m join "
                                f"marts.dim_customers as c using (customer_key) "
                                f"where m.customer_id <> c.customer_id").fetchall()[0][0]
                assert wrong == 0, table
    finally:
        con.close()


def test_every_mart_of_text_ids_equals_the_integer_build(twin):
    paths, _, back = twin
    ints, texts = _marts(paths["int"]), _marts(paths["text"])
    assert set(ints) == set(texts) and len(ints) > 15
    for name in ints:
        a, b = _canonical(ints[name], None), _canonical(texts[name], back)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=f"marts.{name}")


def test_joins_by_text_id_give_the_kpis_computed_from_the_source_rows(twin):
    paths, text, _ = twin
    wh, fetch = _fetch(paths["text"])
    try:
        weeks = fetch("weeks_available")
        lo, hi = weeks["week_start"].min(), weeks["week_start"].max()
        ops = fetch("kpi_ops_weekly", start_week=lo, end_week=hi, segments=["Business"],
                    regions=[], plans=[])
        at_risk = fetch("churn_at_risk", as_of=pd.Timestamp(hi).date(),
                        row_limit=churn.AT_RISK_ROWS)
    finally:
        wh.close()
    # independent: Business customers' net revenue per ISO week, joined in pandas by text id
    cust = text["customers"]
    tx = text["transactions"].merge(cust[["customer_id", "segment"]], on="customer_id")
    tx = tx[tx["segment"] == "Business"]
    week = tx["occurred_at"].dt.to_period("W-SUN").dt.start_time
    expected = tx.groupby(week)["amount"].sum()
    got = ops.groupby(pd.to_datetime(ops["week_start"]))["revenue_amount"].sum()
    got = got[got != 0]
    assert len(expected) > 20
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False,
                                   check_index_type=False, check_freq=False)
    # the at-risk list names customers of the text world, and every one of them exists
    assert len(at_risk) > 0 and set(at_risk["customer_id"]) <= set(cust["customer_id"])


def test_a_warehouse_built_with_integer_ids_takes_text_ids_on_its_next_load(fixture_db, tmp_path):
    target = tmp_path / "old.duckdb"
    shutil.copyfile(fixture_db, target)
    con = duckdb.connect(str(target))  # as the previous version built it: ids as bigint
    for table, cols in (("customers", ["customer_id"]),
                        ("survey_responses", ["response_id", "customer_id"]),
                        ("complaints", ["complaint_id", "customer_id"]),
                        ("contacts", ["contact_id", "customer_id"]),
                        ("transactions", ["transaction_id", "customer_id"])):
        for schema in ("raw", "history"):
            for col in cols:
                con.execute(f"alter table {schema}.{table} alter column {col} type bigint")
    assert con.execute("select data_type from information_schema.columns where table_schema = "
                   "'raw' and table_name = 'customers' and column_name = 'customer_id'"
                   ).fetchone() == ("BIGINT",)
    con.close()
    path = _csv(tmp_path, "customers_new.csv", CUSTOMERS.iloc[[0]])
    # a contact of the old customer 1, who is now the text "1"
    contact = _csv(tmp_path, "contacts_new.csv", pd.DataFrame({
        "contact_id": ["ZD-1"], "customer_id": ["1"], "occurred_at": "2026-03-10 09:00:00",
        "channel": "phone", "reason": "billing"}))
    rep = ingest.ingest([path, contact], target, now=NOW, archive_dir=tmp_path / "archive")
    assert rep.exit_code == 0, rep.lines()
    assert [f.rows_new for f in rep.files] == [1, 1]
    got = _read(target, "select customer_id, segment from marts.fct_contact_repeats "
                        "where contact_id = 'ZD-1'")
    assert got.values.tolist() == [["1", "Mass"]]
    ids = _read(target, "select customer_id from raw.customers")["customer_id"].tolist()
    assert PREFIX_DASH in ids and "1" in ids and "8" in ids  # old ids kept, as text
    kinds = _read(target, "select distinct data_type from information_schema.columns where "
                          "table_schema in ('raw', 'history') and column_name like '%\\_id' "
                          "escape '\\'")["data_type"].tolist()
    assert kinds == ["VARCHAR"]


def test_read_file_writes_whole_floats_without_a_decimal_point(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"customer_id": pa.array([1, None, 3], pa.int64()),
                             "amount": [1.5, 2.0, None],
                             "code": ["00123", None, "x"]}), path)
    assert pd.read_parquet(path)["customer_id"].dtype == np.float64  # what pandas makes of it
    df = contract.read_file(path)
    assert df.values.tolist() == [["1", "1.5", "00123"], ["", "2", ""], ["3", "", "x"]]
