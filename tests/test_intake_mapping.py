"""The mapping keys a real export needs: numbers written the European or Persian way, constants
for missing columns, a date and a time joined into one timestamp, columns left out; and every
problem of a row reported. Files are written here, the expected values worked out by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.intake import contract
from dashboard.warehouse.numbers import NumberFormat, parse_number, parse_numbers

NOW = datetime(2026, 11, 23, tzinfo=UTC)
EUROPEAN = NumberFormat(",", ".")
TX_HEADER = "transaction_id;customer_id;occurred_at;amount;product;channel;kind"


def mapping(tmp_path, text: str) -> dict[str, contract.TableMapping]:
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return contract.load_mapping(path)


def read(tmp_path, name: str, text: str) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return contract.read_file(path)


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "fmt", "value"), [
    ("11,77", EUROPEAN, 11.77),
    ("1.234,5", EUROPEAN, 1234.5),
    ("1.234.567,25", EUROPEAN, 1234567.25),
    ("-0,5", EUROPEAN, -0.5),
    ("12", EUROPEAN, 12.0),
    ("1\u202f234,5", NumberFormat(",", " "), 1234.5),  # French: a narrow no-break space
    ("1 234,5", NumberFormat(",", " "), 1234.5),
    ("1'234.5", NumberFormat(".", "'"), 1234.5),  # Swiss
    ("1,234.5", NumberFormat(".", ","), 1234.5),
    ("۱۲٫۵", None, 12.5),  # Persian digits and the Arabic decimal separator
    ("١٢٣", None, 123.0),  # Arabic-Indic digits
    ("۱٬۲۳۴٫۵", None, 1234.5),  # the Arabic thousands separator between groups of three
    ("\u200f−۴۲", None, -42.0),  # a right-to-left mark and a true minus sign
    ("۱۱٫۷۷", EUROPEAN, 11.77),  # ٫ is a decimal mark whatever the declaration
    ("1e3", None, 1000.0),  # undeclared: read as before
])
def test_numbers_read_as_they_are_written(text, fmt, value):
    assert parse_number(text, fmt) == value


@pytest.mark.parametrize(("text", "fmt"), [
    ("11,77", None),  # undeclared: a comma is never guessed (not 1177, not 11.77)
    ("1,234.5", None),
    ("12.5", EUROPEAN),  # a dot is a thousands separator here, and 12.5 is no grouping
    ("1.23,4", EUROPEAN),  # groups of three only
    ("1,2,3", EUROPEAN),
    ("1.234", NumberFormat(",", "")),  # declared: no thousands separator
    ("1e3", EUROPEAN),
    ("۱٬۲۳", None),  # a thousands separator before a group of two
    ("", EUROPEAN),
])
def test_numbers_not_in_the_format_are_not_numbers(text, fmt):
    assert parse_number(text, fmt) is None


def test_plain_ascii_columns_read_as_pandas_reads_them():
    raw = pd.Series(["1", "-2.5", "3e2", "", "abc"])
    got = parse_numbers(raw)
    want = pd.to_numeric(raw.where(raw != ""), errors="coerce")
    pd.testing.assert_series_equal(got, want)


def test_a_european_billing_file_reads_exactly_and_refuses_what_does_not_fit(tmp_path):
    maps = mapping(tmp_path, '[transactions]\ndecimal = ","\nthousands = "."\n')
    df = read(tmp_path, "billing.csv", "\n".join([
        TX_HEADER,
        "1;1;2026-03-02 10:00:00;11,77;plan;web;subscription",
        "2;1;2026-03-02 10:00:00;1.234,5;plan;web;purchase",
        "3;1;2026-03-02 10:00:00;12.5;plan;web;purchase",  # a dot decimal: not this format
        "4;1;2026-03-02 10:00:00;-0,99;plan;web;refund",
        "5;1;2026-03-02 10:00:00;۱۲٫۵;plan;web;purchase",
    ]) + "\n")
    m = maps["transactions"]
    good, problems = contract.validate("transactions", contract.apply_mapping(
        "transactions", df, m), "billing.csv", now=NOW, numbers=m.numbers)
    assert good["amount"].tolist() == [11.77, 1234.5, -0.99, 12.5]
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (3, "amount", "12.5", "not a number in the declared format (decimal ',', "
                              "thousands '.')")]


def test_without_a_declaration_a_comma_is_quarantined_with_the_way_out(tmp_path):
    df = read(tmp_path, "transactions.csv", "\n".join([
        TX_HEADER.replace(";", ","), '1,1,2026-03-02 10:00:00,"11,77",plan,web,purchase',
        "2,1,2026-03-02 10:00:00,abc,plan,web,purchase"]) + "\n")
    good, problems = contract.validate("transactions", df, "t.csv", now=NOW)
    assert good.empty
    assert [(p.row, p.rule) for p in problems] == [
        (1, f"not a number (float): {contract.COMMA_RULE}"), (2, "not a number (float)")]


# --- defaults, combine, ignored columns ---------------------------------------------------------

CRM = ("Customer ID,Contract,Joined,Left,Senior Citizen\n"
       "7311-YNBIQ,Month-to-month,05/03/2024,,No\n"
       "7312-ABCDE,One year,17/11/2023,02/10/2026,Yes\n")
CRM_MAPPING = '''
[customers]
date_format = "%d/%m/%Y"
[customers.columns]
"Customer ID" = "customer_id"
"Contract" = "plan"
"Joined" = "signup_date"
"Left" = "churn_date"
[customers.defaults]
region = "All"
segment = "All"
'''


def test_a_default_fills_a_missing_column_and_unnamed_columns_are_listed(tmp_path):
    m = mapping(tmp_path, CRM_MAPPING)["customers"]
    shaped = contract.shape("customers", read(tmp_path, "crm.csv", CRM), m)
    assert contract.ignored_columns("customers", shaped) == ["Senior Citizen"]
    shaped = contract.convert("customers", shaped.drop(columns=["Senior Citizen"]), m)
    typed, problems = contract.check_rows("customers", shaped, "crm.csv", NOW,
                                          date_format=m.date_format)
    assert typed["region"].tolist() == ["All", "All"]
    assert typed["segment"].tolist() == ["All", "All"]
    assert [str(d) for d in typed["signup_date"]] == ["2024-03-05", "2023-11-17"]
    # the ids are the keys part's business: here only the problems of this mapping count
    assert not [p for p in problems if p.column not in ("customer_id",)]


def test_a_default_for_a_column_the_file_has_refuses_the_file_naming_the_key(tmp_path):
    m = mapping(tmp_path, CRM_MAPPING)["customers"]
    df = read(tmp_path, "crm.csv", CRM.replace("Senior Citizen", "region"))
    with pytest.raises(contract.FileRefused, match=r"column region is in the file and has a "
                                                   r"default in the mapping \(\[customers\."
                                                   r"defaults\] region\)"):
        contract.shape("customers", df, m)


def test_a_date_and_a_time_combine_into_one_utc_timestamp(tmp_path):
    m = mapping(tmp_path, '''
[transactions]
date_format = "%d.%m.%Y %H:%M"
timezone = "Europe/Berlin"
[transactions.combine]
occurred_at = ["Date", "Time"]
''')["transactions"]
    df = read(tmp_path, "t.csv", "transaction_id,customer_id,Date,Time,amount,kind\n"
                                 "1,1,29.03.2026,01:30,5,purchase\n"  # before the clock change
                                 "2,1,29.03.2026,03:30,5,purchase\n"  # after it
                                 "3,1,29.03.2026,,5,purchase\n")  # no time: not this format
    shaped = contract.shape("transactions", df, m)
    assert "Date" not in shaped.columns and "Time" not in shaped.columns
    assert shaped["occurred_at"].tolist() == ["29.03.2026 01:30", "29.03.2026 03:30",
                                              "29.03.2026"]
    good, problems = contract.validate("transactions", contract.convert("transactions", shaped, m),
                                       "t.csv", now=NOW, date_format=m.date_format,
                                       timezone=m.timezone)
    berlin = ZoneInfo("Europe/Berlin")
    want = [datetime(2026, 3, 29, h, 30, tzinfo=berlin).astimezone(UTC).replace(tzinfo=None)
            for h in (1, 3)]
    assert good["occurred_at"].tolist() == want
    assert [str(t) for t in want] == ["2026-03-29 00:30:00", "2026-03-29 01:30:00"]
    # no time: not the declared format, so not read as midnight UTC (nor Berlin) either
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (3, "occurred_at", "29.03.2026", "not a date in the declared format ('%d.%m.%Y %H:%M')")]


def test_a_missing_source_of_combine_refuses_the_file(tmp_path):
    m = mapping(tmp_path, '[transactions.combine]\noccurred_at = ["Date", "Time"]\n')
    df = read(tmp_path, "t.csv", "transaction_id,customer_id,Date,amount,kind\n1,1,x,5,refund\n")
    with pytest.raises(contract.FileRefused, match=r"column\(s\) Time named in "
                                                   r"\[transactions.combine\]"):
        contract.shape("transactions", df, m["transactions"])


@pytest.mark.parametrize(("body", "message"), [
    ('[transactions]\ndecimal = ";"\n', r"\[transactions\] decimal ';': must be one of"),
    ('[transactions]\nthousands = "_"\n', r"\[transactions\] thousands '_': must be one of"),
    ('[transactions]\nthousands = "."\n', r"\[transactions\] thousands '.': must differ from "
                                          r"the decimal mark '.'"),
    ('[transactions]\ndecimal = ","\nthousands = ","\n', "must differ from the decimal"),
    ('[transactions]\ndefaults = 3\n', r"\[transactions.defaults\] must be a table"),
    ('[customers.defaults]\ncolour = "red"\n', r"\[customers.defaults\] colour: not a column"),
    ('[customers.defaults]\ncustomer_id = "1"\n', r"customer_id: a key cannot be one value"),
    ('[customers.defaults]\nsignup_date = "someday"\n',
     r"\[customers.defaults\] signup_date = 'someday': unparseable date"),
    ('[contacts.defaults]\nchannel = "fax"\n', r"channel = 'fax': not an accepted value"),
    ('[customers.defaults]\nregion = ["a"]\n', r"region must be text, a number or true/false"),
    ('[customers.defaults]\nregion = ""\n', r"region = '': required value is empty"),
    ('[customers.columns]\nArea = "region"\n[customers.defaults]\nregion = "All"\n',
     r"region: also made by \[customers.columns\]"),
    ('[transactions.combine]\noccurred_at = "Date"\n',
     r"occurred_at must be a list of two or more source column names"),
    ('[transactions.combine]\nwhen = ["Date", "Time"]\n', r"when: not a column of transactions"),
    ('[transactions.columns]\nBooked = "occurred_at"\n[transactions.combine]\n'
     'occurred_at = ["Date", "Time"]\n', r"occurred_at: also the target of"),
    ('[transactions]\ndecimal = ","\n[transactions.defaults]\namount = "1.5"\n',
     r"amount = '1.5': not a number in the declared format \(decimal ','\)"),
    ('[assumptions]\ncolour = 1\n', r"\[assumptions\] unknown key\(s\) colour"),
])
def test_malformed_new_keys_are_refused_in_one_line_naming_the_key(tmp_path, body, message):
    with pytest.raises(contract.MappingError, match=message) as err:
        mapping(tmp_path, body)
    assert "\n" not in str(err.value) and str(err.value).startswith("mapping map.toml: ")


def test_defaults_are_written_like_the_file_values(tmp_path):
    maps = mapping(tmp_path, '''
[transactions]
decimal = ","
[transactions.defaults]
amount = 2.5
product = "unknown"
[complaints.defaults]
is_resolved_first_contact = false
''')
    assert maps["transactions"].defaults == {"amount": "2,5", "product": "unknown"}
    assert maps["complaints"].defaults == {"is_resolved_first_contact": "false"}


# --- every problem of a row --------------------------------------------------------------------

def test_every_problem_of_a_row_is_reported(tmp_path):
    df = read(tmp_path, "contacts.csv",
              "contact_id,customer_id,occurred_at,channel,reason,handle_seconds,is_resolved,"
              "agent_id\n"
              "1,1,someday,fax,billing,long,maybe,\n"
              "2,1,2026-03-02 10:00:00,chat,billing,30,true,\n"
              "1,,2026-03-02 10:00:00,chat,,30,true,\n")
    good, problems = contract.validate("contacts", df, "c.csv", now=NOW)
    assert [(p.row, p.column, p.rule) for p in problems] == [
        (1, "occurred_at", "unparseable date"),
        (1, "channel", "not an accepted value (phone | chat | email | self_service | store | "
                       "social)"),
        (1, "handle_seconds", "not a number (float)"),
        (1, "is_resolved", "not true/false"),
        (3, "customer_id", "required value is empty"),
        (3, "reason", "required value is empty"),
        (3, "contact_id", "duplicate key within the file"),
    ]
    assert good["contact_id"].tolist() == ["2"]


def test_one_plain_value_reads_as_its_column_would():
    texts = ["12", " 12 ", "+3", "-0.5", ".5", "5.", "1e3", "1E-2", "1e400", "inf", "-Infinity",
             "nan", "1_000", "0x10", "12abc", "", " ", "--1", "1.2.3"]
    column = parse_numbers(pd.Series(texts))
    for text, value in zip(texts, column, strict=True):
        expected = None if pd.isna(value) or not math.isfinite(value) else float(value)
        assert parse_number(text) == expected, text
