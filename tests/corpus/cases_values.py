"""Corpus cases for the value rules: every value stored exactly as given or its row quarantined
with a named rule (types, semantics, hostile text, encodings), and the bounds on sizes.

Each quarantined case is a file of two rows for one table: row 1 good, row 2 carrying the case's
value in one column (``one_bad``); the runner checks the rule's words and that row 2, and only
row 2, is quarantined. A loaded case checks the value was stored byte for byte (``stored``).
The files reference the fixture warehouse's customer 1 (signed up 2025-01-10) and dates in
March 2026, when the fixture's unit costs are in force.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.corpus.case import Case

#: One good row per table (the text a file writes), ids made unique per row by ``_row``.
GOOD: dict[str, dict[str, str]] = {
    "customers": {"customer_id": "V", "segment": "Mass", "region": "North", "plan": "Basic",
                  "acquisition_channel": "organic", "signup_date": "2025-02-01",
                  "churn_date": ""},
    "survey_responses": {"response_id": "V", "customer_id": "1",
                         "responded_at": "2026-03-02 09:00:00", "survey": "nps", "score": "9",
                         "scale_min": "0", "scale_max": "10", "journey_stage": "usage",
                         "touchpoint": "app", "channel": "email", "agent_id": "",
                         "store_id": "", "expectation_score": "", "comment": "fine"},
    "complaints": {"complaint_id": "V", "customer_id": "1", "opened_at": "2026-03-03 10:00:00",
                   "first_response_at": "", "resolved_at": "", "channel": "phone",
                   "category": "billing", "severity": "medium", "contacts_count": "2",
                   "is_resolved_first_contact": "false", "compensation_amount": "0"},
    "contacts": {"contact_id": "V", "customer_id": "1", "occurred_at": "2026-03-03 14:00:00",
                 "channel": "phone", "reason": "billing", "handle_seconds": "420",
                 "is_resolved": "true", "agent_id": "11"},
    "transactions": {"transaction_id": "V", "customer_id": "1",
                     "occurred_at": "2026-03-02 10:00:00", "amount": "10.00",
                     "product": "plan_basic", "channel": "web", "kind": "purchase"},
}
KEY = {t: next(iter(GOOD[t])) for t in GOOD}


def _row(table: str, n: int, **values: str) -> dict[str, str]:
    row = dict(GOOD[table])
    row[KEY[table]] = f"V{n}"
    row.update(values)
    return row


def table_csv(table: str, rows: list[dict[str, str]], sep: str = ",") -> bytes:
    """The rows as a UTF-8 CSV (quoted where needed: a CR, LF or quote in a value survives)."""
    buf = io.StringIO(newline="")
    # CRLF line ends (as spreadsheet exports write them): a CR or LF inside a value is quoted
    w = csv.DictWriter(buf, fieldnames=list(GOOD[table]), delimiter=sep, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def one_bad(name: str, group: str, table: str, words: tuple[str, ...],
            mapping: str | None = None, good: dict[str, str] | None = None,
            **bad: str) -> Case:
    """Row 1 good, row 2 with ``bad`` values (column → text): quarantined, row 2, with the
    rule's ``words``. (``name`` and ``group`` are the case's kind and category: ``kind`` and
    ``category`` are also columns.)"""
    data = table_csv(table, [_row(table, 1, **(good or {})), _row(table, 2, **bad)])
    return Case(name, group, {f"{table}.csv": data}, "quarantined", words, (2,), mapping)


def stored(table: str, column: str, want: str, n: int = 2):
    """A check that row ``V<n>``'s ``column`` is stored in raw.<table> exactly as ``want``."""

    def check(db: Path) -> None:
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            got = con.execute(f"select {column} from raw.{table} where {KEY[table]} = ?",
                              [f"V{n}"]).fetchone()
        assert got is not None and got[0] == want, (table, column, got, want)

    return check


def loaded_as_given(kind: str, category: str, table: str, column: str, value: str,
                    mapping: str | None = None) -> Case:
    """Both rows load; row 2's ``column`` is stored as ``value`` byte for byte."""
    data = table_csv(table, [_row(table, 1), _row(table, 2, **{column: value})])
    return Case(kind, category, {f"{table}.csv": data}, "loaded", (), None, mapping,
                check=stored(table, column, value))


def stored_time(table: str, column: str, want: str, n: int = 2):
    """A check that row ``V<n>``'s time is stored as ``want`` (UTC, ``YYYY-MM-DD HH:MM:SS``)."""

    def check(db: Path) -> None:
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            got = con.execute(f"select strftime({column}, '%Y-%m-%d %H:%M:%S') from "
                              f"raw.{table} where {KEY[table]} = ?", [f"V{n}"]).fetchone()
        assert got is not None and got[0] == want, (table, column, got, want)

    return check


def _parquet(columns: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue().to_pybytes()


CONTROL = ("control character",)
PARIS = '[contacts]\ntimezone = "Europe/Paris"\n'
PARIS_FMT = '[contacts]\ntimezone = "Europe/Paris"\ndate_format = "%d/%m/%Y %H:%M"\n'
IN_FMT = {"occurred_at": "03/03/2026 14:00"}
TX_PARQUET_GOOD = {c: [v] for c, v in _row("transactions", 1).items()}

CASES: list[Case] = [
    # --- hostile text and control characters: refused per row, never cut short ------------
    one_bad("NUL byte inside a text value", "hostile-text", "contacts", CONTROL,
            reason="bill\x00ing"),
    one_bad("NUL byte inside an id", "hostile-text", "contacts", CONTROL, contact_id="V\x002"),
    one_bad("ANSI escape in a region", "hostile-text", "customers", CONTROL,
            region="\x1b[31mNorth\x1b[0m"),
    one_bad("bell character in a comment", "hostile-text", "survey_responses", CONTROL,
            comment="ding\x07"),
    one_bad("backspace in a category", "hostile-text", "complaints", CONTROL,
            category="bil\x08ling"),
    one_bad("vertical tab in a segment", "hostile-text", "customers", CONTROL,
            segment="Mass\x0bMarket"),
    one_bad("form feed in a product", "hostile-text", "transactions", CONTROL,
            product="plan\x0cbasic"),
    one_bad("DEL character in a touchpoint", "hostile-text", "survey_responses", CONTROL,
            touchpoint="app\x7f"),
    one_bad("escape character in an agent id", "hostile-text", "contacts", CONTROL,
            agent_id="\x1b11"),
    one_bad("unit separator in a plan", "hostile-text", "customers", CONTROL,
            plan="Basic\x1f"),
    loaded_as_given("markdown link in a region is stored as written", "hostile-text",
                    "customers", "region", "[click](https://example.com)"),
    loaded_as_given("HTML tag in a reason is stored as written", "hostile-text", "contacts",
                    "reason", "<b>billing</b>"),
    loaded_as_given("script tag in a comment is stored as written", "hostile-text",
                    "survey_responses", "comment", "<script>alert(1)</script>"),
    loaded_as_given("formula prefix in a category is stored as written", "hostile-text",
                    "complaints", "category", "=HYPERLINK(\"http://x\",\"y\")"),
    loaded_as_given("KaTeX dollars in a touchpoint are stored as written", "hostile-text",
                    "survey_responses", "touchpoint", "$x^2$"),
    loaded_as_given("RTL override in a segment is stored as written", "hostile-text",
                    "customers", "segment", "\u202eMass"),
    loaded_as_given("zero-width joiner in a plan is stored as written", "hostile-text",
                    "customers", "plan", "Ba\u200dsic"),
    loaded_as_given("tab inside a comment is kept", "hostile-text", "survey_responses",
                    "comment", "good\tservice"),
    loaded_as_given("line break inside a comment is kept", "hostile-text", "survey_responses",
                    "comment", "good\nservice"),
    # --- whitespace: text kept as given, ids trimmed (the contract's one trim) -------------
    loaded_as_given("leading and trailing spaces in a region are kept", "types", "customers",
                    "region", "  North  "),
    loaded_as_given("trailing tab in a reason is kept", "types", "contacts", "reason",
                    "billing\t"),
    loaded_as_given("leading tab in a segment is kept", "types", "customers", "segment",
                    "\tMass"),
    loaded_as_given("trailing carriage return in a comment is kept", "types",
                    "survey_responses", "comment", "fine\r"),
    Case("spaces around an id are not part of it", "types",
         {"contacts.csv": table_csv("contacts", [_row("contacts", 1),
                                                 _row("contacts", 2, contact_id=" V2 ")])},
         "loaded", check=stored("contacts", "reason", "billing")),
    one_bad("id of spaces only", "semantics", "contacts", ("required value is empty",),
            contact_id="   "),
    one_bad("customer id of a tab only", "semantics", "transactions",
            ("required value is empty",), customer_id="\t"),
    # --- encodings: stored as given ---------------------------------------------------------
    loaded_as_given("emoji in a reason", "encoding", "contacts", "reason", "billing 💸"),
    loaded_as_given("Persian text in a region", "encoding", "customers", "region", "تهران"),
    loaded_as_given("decomposed accent (NFD) is not normalised", "encoding", "customers",
                    "region", "Mu\u0308nchen"),
    loaded_as_given("non-breaking space in a plan is kept", "encoding", "customers", "plan",
                    "Basic\u00a0Plus"),
    loaded_as_given("line separator U+2028 in a comment is kept", "encoding",
                    "survey_responses", "comment", "a\u2028b"),
    # --- times: read as written or quarantined ----------------------------------------------
    one_bad("time-only value in a timestamp", "types", "contacts", ("a year, a month and a day",),
            occurred_at="00:01"),
    one_bad("time with seconds only", "types", "transactions", ("a year, a month and a day",),
            occurred_at="14:30:05"),
    one_bad("month and day without a year", "types", "contacts", ("a year, a month and a day",),
            occurred_at="5 March"),
    one_bad("twelve-hour time only", "types", "complaints", ("a year, a month and a day",),
            opened_at="10:00 PM"),
    one_bad("time of day in a date column", "types", "customers", ("a time of day",),
            signup_date="2025-02-01 10:30:00"),
    one_bad("offset that moves a date across midnight", "types", "customers",
            ("a time of day",), signup_date="2025-02-01T00:00:00+03:30"),
    one_bad("unparseable timestamp", "types", "contacts", ("unparseable date",),
            occurred_at="yesterday-ish"),
    one_bad("DST gap in Paris", "types", "contacts", ("does not exist in Europe/Paris",),
            PARIS, occurred_at="2026-03-29 02:30:00"),
    one_bad("ambiguous autumn hour in Paris", "types", "contacts",
            ("ambiguous local time in Europe/Paris",), PARIS,
            occurred_at="2025-10-26 02:30:00"),
    one_bad("ISO value not in the declared format (zone set)", "types", "contacts",
            ("not a date in the declared format",), PARIS_FMT,
            IN_FMT, occurred_at="2026-03-03T10:00:00Z"),
    one_bad("ISO date not in a day-first declared format", "types", "contacts",
            ("not a date in the declared format",), PARIS_FMT, IN_FMT,
            occurred_at="2026-03-03 10:00"),
    one_bad("DST gap with a declared format", "types", "contacts",
            ("does not exist in Europe/Paris",), PARIS_FMT, IN_FMT,
            occurred_at="29/03/2026 02:30"),
    Case("ambiguous hour read as the earlier reading when the mapping says so", "types",
         {"contacts.csv": table_csv("contacts", [
             _row("contacts", 1), _row("contacts", 2, occurred_at="2025-10-26 02:30:00",
                                       customer_id="1")])},
         "loaded", mapping=PARIS + 'ambiguous = "earlier"\n',
         check=stored_time("contacts", "occurred_at", "2025-10-26 00:30:00")),
    Case("ambiguous hour read as the later reading when the mapping says so", "types",
         {"contacts.csv": table_csv("contacts", [
             _row("contacts", 1), _row("contacts", 2, occurred_at="2025-10-26 02:30:00")])},
         "loaded", mapping=PARIS + 'ambiguous = "later"\n',
         check=stored_time("contacts", "occurred_at", "2025-10-26 01:30:00")),
    Case("local Paris time converted to UTC", "types",
         {"contacts.csv": table_csv("contacts", [
             _row("contacts", 1), _row("contacts", 2, occurred_at="2026-03-03 10:00:00")])},
         "loaded", mapping=PARIS,
         check=stored_time("contacts", "occurred_at", "2026-03-03 09:00:00")),
    Case("explicit offset kept over the mapping's zone", "types",
         {"contacts.csv": table_csv("contacts", [
             _row("contacts", 1), _row("contacts", 2, occurred_at="2026-03-03T10:00:00Z")])},
         "loaded", mapping=PARIS,
         check=stored_time("contacts", "occurred_at", "2026-03-03 10:00:00")),
    Case("bad ambiguous option in the mapping", "mapping",
         {"contacts.csv": table_csv("contacts", [_row("contacts", 1)])}, "bad-argument",
         ("ambiguous must be",), mapping=PARIS + 'ambiguous = "middle"\n'),
    # --- semantics: signs --------------------------------------------------------------------
    one_bad("refund with a positive amount", "semantics", "transactions",
            ("refund's amount must be negative",), kind="refund", amount="25.00"),
    one_bad("refund of zero", "semantics", "transactions",
            ("refund's amount must be negative",), kind="refund", amount="0"),
    one_bad("purchase with a negative amount", "semantics", "transactions",
            ("negative amount where not a refund",), amount="-5"),
    one_bad("negative handle seconds", "semantics", "contacts",
            ("handle_seconds cannot be negative",), handle_seconds="-30"),
    one_bad("negative contacts count", "semantics", "complaints",
            ("contacts_count cannot be negative",), contacts_count="-1"),
    one_bad("negative compensation", "semantics", "complaints",
            ("compensation_amount cannot be negative",), compensation_amount="-10"),
    # --- size: plausibility bounds and file limits -------------------------------------------
    one_bad("amount of 1.7e308", "size", "transactions", ("plausible bound",),
            amount="1.7e308"),
    one_bad("amount of a quadrillion dollars", "size", "transactions", ("plausible bound",),
            amount="1000000000000000"),
    one_bad("compensation of 1e300", "size", "complaints", ("plausible bound",),
            compensation_amount="1e300"),
    one_bad("handle time of thirty years", "size", "contacts", ("plausible bound",),
            handle_seconds="946080000"),
    one_bad("contacts count of a million", "size", "complaints", ("plausible bound",),
            contacts_count="1000000"),
    one_bad("survey scale up to a million", "size", "survey_responses",
            ("plausible bound",), survey="csat", scale_min="1", scale_max="1000000", score="5"),
    one_bad("amount written as infinity", "size", "transactions", ("not a finite number",),
            amount="inf"),
    one_bad("score of 2**60", "size", "survey_responses", ("out of range",),
            score=str(2**60)),
    Case("value longer than the field limit", "size",
         {"contacts.csv": table_csv("contacts", [_row("contacts", 1),
                                                 _row("contacts", 2, reason="x" * 40_000)])},
         "refused", ("over the limit", "CX_LIMIT_FIELD_CHARS")),
    Case("600 columns", "size",
         {"contacts.csv": (",".join(f"c{i}" for i in range(600)) + "\n"
                           + ",".join("1" for _ in range(600)) + "\n").encode()},
         "refused", ("600 columns", "CX_LIMIT_COLUMNS")),
    Case("YAML mapping with an alias bomb", "size",
         {"contacts.csv": table_csv("contacts", [_row("contacts", 1)])}, "bad-argument",
         ("aliases",), mapping_name="mapping.yaml",
         mapping="a: &a [x, x, x, x, x, x, x, x, x]\n"
                 + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, "
                           f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
                           for i in range(8))),
    # --- types: nested Parquet columns refused, not stored as their text ---------------------
    Case("Parquet list column", "types",
         {"transactions.parquet": _parquet({**TX_PARQUET_GOOD, "product": [["a", "b"]]})},
         "refused", ("lists, structures or bytes",)),
    Case("Parquet struct column", "types",
         {"transactions.parquet": _parquet({**TX_PARQUET_GOOD,
                                            "product": [{"name": "a", "n": 1}]})},
         "refused", ("lists, structures or bytes",)),
    Case("Parquet binary column", "types",
         {"transactions.parquet": _parquet({**TX_PARQUET_GOOD, "product": [b"plan"]})},
         "refused", ("lists, structures or bytes",)),
]
