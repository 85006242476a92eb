"""Reading files (whole-file refusals) and the row rules of the contract,
each problem naming file, row, column, value and rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from dashboard.intake import contract
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.mark.parametrize("table", list(contract.CONTRACT))
def test_fixture_files_meet_the_contract(table):
    path = FIXTURES / f"{table}.csv"
    df = contract.read_file(path)
    good, problems = contract.validate(table, df, path.name, now=NOW)
    assert problems == []
    assert len(good) == len(df) == len(pd.read_csv(path))


def _one(table: str, **change) -> list[contract.Problem]:
    df = contract.read_file(FIXTURES / f"{table}.csv").head(3).copy()
    for col, value in change.items():
        df.loc[1, col] = value
    good, problems = contract.validate(table, df, f"{table}.csv", now=NOW)
    assert len(good) == 3 - len(problems)
    return problems


@pytest.mark.parametrize(("table", "change", "column", "rule"), [
    ("survey_responses", {"score": "eleven"}, "score", "not a number (int)"),
    ("survey_responses", {"score": "11"}, "score", "score outside its scale"),
    ("survey_responses", {"responded_at": "32/13/2026"}, "responded_at", "unparseable date"),
    ("survey_responses", {"responded_at": "2031-01-01 10:00"}, "responded_at",
     "timestamp in the future"),
    ("survey_responses", {"survey": "nsp"}, "survey", "not an accepted value (nps | csat | ces)"),
    ("contacts", {"channel": "fax"}, "channel", "not an accepted value"),
    ("contacts", {"customer_id": ""}, "customer_id", "required value is empty"),
    ("survey_responses", {"score": "7.5"}, "score", "not a whole number"),
    ("contacts", {"is_resolved": "maybe"}, "is_resolved", "not true/false"),
    ("complaints", {"resolved_at": "2000-01-01 00:00"}, "resolved_at",
     "resolution before opening"),
    ("transactions", {"amount": "-5", "kind": "purchase"}, "amount",
     "negative amount where not a refund"),
    ("customers", {"churn_date": "1990-01-01"}, "churn_date", "churn before signup"),
])
def test_each_rule_names_file_row_column_value(table, change, column, rule):
    problems = _one(table, **change)
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.column) == (f"{table}.csv", 2, column)
    assert p.rule.startswith(rule)
    assert p.value == str(change[column])
    assert str(p).startswith(f"{table}.csv, row 2, column {column}, value ")


def test_duplicate_key_within_the_file():
    df = contract.read_file(FIXTURES / "contacts.csv").head(3).copy()
    df.loc[2, "contact_id"] = df.loc[0, "contact_id"]
    good, problems = contract.validate("contacts", df, "c.csv", now=NOW)
    assert [(p.row, p.column, p.rule) for p in problems] == [
        (3, "contact_id", "duplicate key within the file")]
    assert len(good) == 2


def test_whole_file_problems_name_the_columns():
    df = contract.read_file(FIXTURES / "contacts.csv").rename(columns={"reason": "motive"})
    good, problems = contract.validate("contacts", df, "c.csv", now=NOW)
    assert good.empty
    assert [(p.row, p.column, p.rule.split(":")[0]) for p in problems] == [
        (None, "reason", "missing required column(s) for contacts"),
        (None, "motive", "unknown column(s) for contacts")]
    _, problems = contract.validate("contacts", df.iloc[0:0], "c.csv", now=NOW)
    assert [str(p) for p in problems] == ["c.csv: the file has no data rows"]
    _, problems = contract.validate("orders", df, "o.csv", now=NOW)
    assert "unknown table" in problems[0].rule


@pytest.mark.parametrize(("name", "body", "reason"), [
    ("empty.csv", b"", "the file is empty"),
    ("latin.csv", "customer_id,segment\n1,M\xe9xico\n".encode("latin-1"), "not UTF-8 text"),
    ("data.json", b"{}", "unsupported file type .json"),
    ("bad.parquet", b"not parquet", "not a readable table"),
])
def test_unusable_files_are_refused_whole(tmp_path, name, body, reason):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(contract.FileRefused, match=reason) as err:
        contract.read_file(path)
    assert str(err.value).startswith(name)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_bom_and_persian_text(tmp_path, sep):
    rows = [["customer_id", "segment", "region", "plan", "signup_date"],
            ["1", "انبوه", "تهران", "Basic", "2025-01-06"]]
    path = tmp_path / "customers.csv"
    path.write_bytes("\n".join(sep.join(r) for r in rows).encode("utf-8-sig"))
    df = contract.read_file(path)
    assert list(df.columns) == rows[0]
    good, problems = contract.validate("customers", df, path.name, now=NOW)
    assert problems == [] and good.loc[0, "segment"] == "انبوه"


def test_xlsx_and_parquet(tmp_path):
    df = contract.read_file(FIXTURES / "transactions.csv")
    df.to_excel(tmp_path / "t.xlsx", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    for name in ("t.xlsx", "t.parquet"):
        back = contract.read_file(tmp_path / name)
        good, problems = contract.validate("transactions", back, name, now=NOW)
        assert problems == [] and len(good) == len(df)


MAPPING = '''
[survey_responses]
date_format = "%d/%m/%Y %H:%M:%S"
timezone = "Asia/Tehran"

[survey_responses.columns]
id = "response_id"
client = "customer_id"
when = "responded_at"
kind = "survey"

[survey_responses.values.survey]
"Net Promoter" = "nps"
Satisfaction = "csat"
Effort = "ces"

[survey_responses.scales]
nps = [0, 10]
ces = [1, 7]
'''


def test_a_mapping_brings_another_shape_onto_the_contract(tmp_path):
    """Renamed columns, renamed survey values, scales filled for rows without one (CSAT rows
    keep their own 1–5 or 1–7), day-first dates in Tehran time: after mapping, the same typed
    rows as the contract-shaped fixture."""
    path = FIXTURES / "survey_responses.csv"
    want, problems = contract.validate("survey_responses", contract.read_file(path), "f",
                                       now=NOW)
    assert problems == []
    src = contract.read_file(path)
    ts = pd.to_datetime(src["responded_at"]).dt.tz_localize("UTC").dt.tz_convert("Asia/Tehran")
    src["responded_at"] = ts.dt.strftime("%d/%m/%Y %H:%M:%S")
    not_csat = src["survey"] != "csat"
    src.loc[not_csat, ["scale_min", "scale_max"]] = ""
    src["survey"] = src["survey"].map({"nps": "Net Promoter", "csat": "Satisfaction",
                                       "ces": "Effort"})
    src = src.rename(columns={"response_id": "id", "customer_id": "client",
                              "responded_at": "when", "survey": "kind"})
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    mapping = contract.load_mapping(tmp_path / "map.toml")
    shaped = contract.apply_mapping("survey_responses", src, mapping["survey_responses"])
    m = mapping["survey_responses"]
    got, problems = contract.validate("survey_responses", shaped, "s.csv", now=NOW,
                                      date_format=m.date_format, timezone=m.timezone)
    assert problems == []
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize(("body", "message"), [
    ("[orders.columns]\na = 'b'\n", "unknown table 'orders'"),
    ("[contacts]\ncolour = 1\n", r"\[contacts\] unknown key\(s\) colour"),
    ("[contacts.columns]\na = 'motive'\n", r"maps to unknown column\(s\): a → motive"),
    ("[survey_responses.scales]\ncsat = [5, 1]\n", "csat must be \\[min, max\\]"),
    ("[contacts]\ntimezone = 'Mars/Olympus'\n", "unknown timezone 'Mars/Olympus'"),
    ("[contacts\n", "map.toml"),
])
def test_bad_mappings_are_refused_by_key(tmp_path, body, message):
    (tmp_path / "map.toml").write_text(body, encoding="utf-8")
    with pytest.raises(contract.MappingError, match=message):
        contract.load_mapping(tmp_path / "map.toml")


def _typed(table: str) -> pd.DataFrame:
    good, problems = contract.validate(table, contract.read_file(FIXTURES / f"{table}.csv"),
                                       f"{table}.csv", now=NOW)
    assert problems == []
    return good


def test_rules_against_the_warehouse():
    customers = _typed("customers")
    contacts = _typed("contacts").head(4).copy()
    first = customers.iloc[0]
    contacts.loc[1, "customer_id"] = "999999"  # nobody
    contacts.loc[2, "customer_id"] = first["customer_id"]
    contacts.loc[2, "occurred_at"] = pd.Timestamp(first["signup_date"]) - pd.Timedelta(days=1)
    existing = {contacts.loc[3, "contact_id"]}
    kept, problems = contract.check_against("contacts", contacts, "c.csv", customers, existing,
                                            rows=pd.Series([2, 3, 5, 8]))
    assert [(p.row, p.column, p.rule) for p in problems] == [
        (3, "customer_id", "unknown customer id"),
        (5, "occurred_at", "event before the customer signed up"),
        (8, "contact_id", "duplicate key: already in the warehouse")]
    assert problems[0].value == "999999"
    assert list(kept["contact_id"]) == [contacts.loc[0, "contact_id"]]
    # the fixture world itself passes
    kept, problems = contract.check_against("contacts", _typed("contacts"), "c.csv", customers)
    assert problems == [] and len(kept) == len(_typed("contacts"))
