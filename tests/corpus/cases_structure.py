"""Corpus cases: encodings and the structure of a file (header, delimiters, quoting, sheets,
file types), each with what ``ingest`` must do."""

from __future__ import annotations

import gzip

import pandas as pd

from tests.corpus.case import Case
from tests.corpus.make import (
    CONTACTS,
    contact,
    contacts,
    csv_bytes,
    csv_text,
    customer,
    parquet_bytes,
    row_count,
    stored_as,
    xlsx_bytes,
)

GOOD = csv_bytes(contacts(2))
TEXT = csv_text(contacts(2))
NOT_UTF8 = "not utf-8"


def _enc(kind: str, data: bytes, outcome: str, words=(), check=None, name="contacts.csv"):
    return Case(kind, "encoding", {name: data}, outcome, tuple(words), check=check)


ENCODING = [
    _enc("utf-8", GOOD, "loaded", check=row_count("contacts", "C900", 2)),
    _enc("utf-8 with byte-order mark", b"\xef\xbb\xbf" + GOOD, "loaded",
         check=row_count("contacts", "C900", 2)),
    _enc("utf-16 LE with byte-order mark", TEXT.encode("utf-16"), "refused", [NOT_UTF8]),
    _enc("utf-16 BE with byte-order mark", b"\xfe\xff" + TEXT.encode("utf-16-be"), "refused",
         [NOT_UTF8]),
    _enc("utf-16 LE without byte-order mark", TEXT.encode("utf-16-le"), "refused",
         [NOT_UTF8, "utf-16"]),
    _enc("utf-16 BE without byte-order mark", TEXT.encode("utf-16-be"), "refused",
         [NOT_UTF8, "utf-16"]),
    _enc("utf-32", TEXT.encode("utf-32"), "refused", [NOT_UTF8]),
    _enc("latin-1 accent", csv_bytes(contacts(1, reason="réseau"), encoding="latin-1"),
         "refused", [NOT_UTF8, "byte"]),
    _enc("cp1252 quotes", csv_bytes(contacts(1, reason="“billing”"), encoding="cp1252"),
         "refused", [NOT_UTF8]),
    _enc("one invalid byte mid-file", GOOD[:-10] + b"\xff" + GOOD[-9:], "refused", [NOT_UTF8]),
    _enc("gzip-compressed CSV named .csv", gzip.compress(GOOD), "refused", [NOT_UTF8]),
    _enc("Persian reason kept exactly", csv_bytes(contacts(1, reason="صورت‌حساب")),
         "loaded", check=stored_as("contacts", "reason", "C9001", "صورت‌حساب")),
    _enc("Persian digits in a number", csv_bytes(contacts(1, handle_seconds="۶۰")), "loaded",
         check=row_count("contacts", "C9001", 1)),
    _enc("CRLF line endings", csv_bytes(contacts(2), eol="\r\n"), "loaded",
         check=row_count("contacts", "C900", 2)),
    _enc("mixed line endings", TEXT.replace("\n", "\r\n", 1).encode(), "loaded",
         check=row_count("contacts", "C900", 2)),
    _enc("emoji in a reason kept exactly", csv_bytes(contacts(1, reason="late 📦")), "loaded",
         check=stored_as("contacts", "reason", "C9001", "late 📦")),
]


def _st(kind: str, files: dict[str, bytes], outcome: str, words=(), rows=None, check=None,
        args=()):
    return Case(kind, "structure", files, outcome, tuple(words), rows, check=check,
                args=tuple(args))


HEADER = ",".join(CONTACTS)
ROW = "C9001,1,2026-03-04 10:00:00,phone,billing,60,true,"

STRUCTURE = [
    _st("empty file", {"contacts.csv": b""}, "refused", ["empty"]),
    _st("only blank lines", {"contacts.csv": b"\n\n  \n"}, "refused", ["empty"]),
    _st("header only", {"contacts.csv": f"{HEADER}\n".encode()}, "refused", ["no data rows"]),
    _st("no header row", {"contacts.csv": f"{ROW}\n{ROW.replace('C9001', 'C9002')}\n".encode()},
        "refused", ["no header row"]),
    _st("a contract column named twice", {"contacts.csv": csv_bytes(
        [[*contact().values(), "x"]], header=[*CONTACTS, "reason"])}, "refused",
        ["named twice", "reason"]),
    _st("an extra column named twice", {"contacts.csv": csv_bytes(
        [[*contact().values(), "a", "b"]], header=[*CONTACTS, "notes", "notes"])}, "loaded",
        ["ignored columns: notes"], check=row_count("contacts", "C9001", 1)),
    _st("a required column missing", {"contacts.csv": csv_bytes(
        [{k: v for k, v in contact().items() if k != "channel"}])}, "refused",
        ["missing required", "channel"]),
    _st("an unknown extra column", {"contacts.csv": csv_bytes(
        [{**contact(), "queue": "B2"}])}, "loaded", ["ignored columns: queue"],
        check=row_count("contacts", "C9001", 1)),
    _st("columns in another order", {"contacts.csv": csv_bytes(
        contacts(1), header=list(reversed(CONTACTS)))}, "loaded",
        check=stored_as("contacts", "reason", "C9001", "billing")),
    _st("semicolon delimiter", {"contacts.csv": csv_bytes(contacts(2), sep=";")}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("tab delimiter (.tsv)", {"contacts.tsv": csv_bytes(contacts(2), sep="\t")}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("pipe delimiter (.txt)", {"contacts.txt": csv_bytes(contacts(2), sep="|")}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("a row longer than the header", {"contacts.csv": f"{HEADER}\n{ROW},extra\n".encode()},
        "refused", ["not a readable table"]),
    _st("a row without its optional last field", {"contacts.csv": (
        f"{HEADER}\n{ROW}\n{ROW[:-1].replace('C9001', 'C9002')}\n").encode()}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("a quoted comma and newline in a text", {"contacts.csv": csv_bytes(
        contacts(1, reason="billing, late\nsecond line"))}, "loaded",
        check=stored_as("contacts", "reason", "C9001", "billing, late\nsecond line")),
    _st("an unbalanced quote", {"contacts.csv": f'{HEADER}\n{ROW}\nC9002,1,"2026-03-04\n'
                                                .encode()}, "refused", ["contacts.csv"]),
    _st("blank lines between rows", {"contacts.csv": TEXT.replace("\n", "\n\n", 2).encode()},
        "loaded", check=row_count("contacts", "C900", 2)),
    _st("no newline at the end", {"contacts.csv": TEXT.rstrip("\n").encode()}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("a key twice in the file", {"contacts.csv": csv_bytes(
        [contact(1), contact(2), contact(1)])}, "quarantined", ["duplicate key"], rows=(3,)),
    _st("header in upper case", {"contacts.csv": csv_bytes(
        contacts(1), header=[c.upper() for c in CONTACTS])}, "refused",
        ["missing required"]),
    _st("a zero-width space in a header name", {"contacts.csv": csv_bytes(
        contacts(1), header=["contact_id\u200b", *CONTACTS[1:]])}, "refused",
        ["missing required", "contact_id"]),
    _st("a customers file named as contacts", {"contacts.csv": csv_bytes([customer()])},
        "refused", ["wrong table"]),
    _st("a file whose table cannot be told", {"export.csv": b"a,b\n1,x\n"}, "refused",
        ["cannot tell which table"]),
    _st("a table told by its columns", {"export.csv": GOOD}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("a good file and an empty one", {"contacts.csv": GOOD, "contacts_2.csv": b""},
        "quarantined", ["empty"], check=row_count("contacts", "C900", 2)),
    _st("an unsupported file type", {"contacts.json": b'[{"contact_id": 1}]'}, "refused",
        ["unsupported file type"]),
    _st("a file with no extension", {"contacts": GOOD}, "refused", ["unsupported file type"]),
    _st("only NUL bytes", {"contacts.csv": b"\x00" * 64}, "refused", ["contacts.csv"]),
    _st("binary noise", {"contacts.csv": bytes(range(256)) * 4}, "refused", ["contacts.csv"]),
    _st("xlsx", {"contacts.xlsx": xlsx_bytes({"Sheet1": contacts(2)})}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("xlsx with its data on the second sheet",
        {"contacts.xlsx": xlsx_bytes({"Cover": None, "Data": contacts(2)})}, "refused",
        ["only the first sheet is read", "Data"]),
    _st("xlsx with a header only", {"contacts.xlsx": xlsx_bytes(
        {"Sheet1": pd.DataFrame(columns=list(CONTACTS))})}, "refused", ["no data rows"]),
    _st("xlsx with a contract column named twice", {"contacts.xlsx": xlsx_bytes(
        {"Sheet1": pd.DataFrame([[*contact().values(), "x"]], columns=[*CONTACTS, "reason"])})},
        "refused", ["named twice", "reason"]),
    _st("a corrupt xlsx", {"contacts.xlsx": b"PK\x03\x04 not really a workbook"}, "refused",
        ["not a readable table"]),
    _st("parquet", {"contacts.parquet": parquet_bytes(pd.DataFrame(contacts(2)))}, "loaded",
        check=row_count("contacts", "C900", 2)),
    _st("parquet with no rows", {"contacts.parquet": parquet_bytes(
        pd.DataFrame(contacts(1)).iloc[0:0])}, "refused", ["no data rows"]),
    _st("a corrupt parquet", {"contacts.parquet": b"PAR1 broken PAR1"}, "refused",
        ["not a readable table"]),
    _st("a CSV named .parquet", {"contacts.parquet": GOOD}, "refused",
        ["not a readable table"]),
    _st("a bad --table", {"contacts.csv": GOOD}, "bad-argument", ["invalid choice"],
        args=["--table", "tickets"]),
    _st("a bad --as-of", {"contacts.csv": GOOD}, "bad-argument", ["as-of"],
        args=["--as-of", "31/10/2026"]),
]

CASES = ENCODING + STRUCTURE
