"""Corpus cases: file names (long, with control characters, bidirectional overrides, shell
and format characters), hostile text in the cells and headers of a loaded file (stored as
written, printed escaped), and sizes (many rows, many columns, long names)."""

from __future__ import annotations

from tests.corpus.case import Case
from tests.corpus.make import (
    CONTACTS,
    contact,
    contacts,
    csv_bytes,
    customer,
    row_count,
    stored,
    stored_as,
)

GOOD = csv_bytes(contacts(2))
TWO = row_count("contacts", "C900", 2)


def name(kind: str, file_name: str, words=(), outcome: str = "loaded") -> Case:
    return Case(kind, "file-name", {file_name: GOOD}, outcome, tuple(words),
                check=TWO if outcome == "loaded" else None)


def archived_as(file_name: str):
    """A check: the load is logged under the file's name as given."""
    def check(path) -> None:
        rows = stored(path, "select file_name from ingest.loads where file_name = ?",
                      (file_name,))
        assert rows == [(file_name,)], rows
    return check


LONG = "contacts_" + "x" * 237 + ".csv"  # 250 bytes: the file system's limit is 255
LONG_PERSIAN = "contacts_" + "تماس" * 30 + ".csv"  # 253 bytes of UTF-8

FILE_NAMES = [
    Case("a 250-byte file name", "file-name", {LONG: GOOD}, "loaded", (LONG[:40],),
         check=archived_as(LONG)),
    Case("a 253-byte Persian file name", "file-name", {LONG_PERSIAN: GOOD}, "loaded",
         check=archived_as(LONG_PERSIAN)),
    name("an ANSI escape in the name", "contacts_\x1b[31mred\x1b[0m.csv", ["\\x1b[31mred"]),
    name("a right-to-left override in the name", "contacts_\u202egnp.csv", ["\\u202e"]),
    name("a carriage return in the name", "contacts_\rfake.csv", ["\\x0d"]),
    name("a newline in the name", "contacts_\nLoaded 99 rows.csv", ["\\x0aloaded 99"]),
    name("a bell and a backspace in the name", "contacts_\x07\x08.csv", ["\\x07\\x08"]),
    name("spaces in the name", "contacts march 2026.csv"),
    name("the name in upper case", "CONTACTS.CSV"),
    name("a Persian name, table told by columns", "تماس‌ها.csv"),
    name("a double extension", "contacts.csv.txt"),
    name("shell characters in the name", "contacts_$(reboot);`id`|x&.csv"),
    name("format characters in the name", "contacts_%s%n{0}{}.csv"),
    name("quotes in the name", "contacts_'\";--.csv"),
    name("an emoji in the name", "contacts_📞.csv"),
    name("a backslash in the name", "contacts_a\\b.csv"),
    name("only an extension", ".csv", ["unsupported file type"], outcome="refused"),
    name("a markdown link as the name", "contacts_[x](http:example.com).csv"),
]


def text(kind: str, value: str, column: str = "reason") -> Case:
    """A contact whose ``column`` holds ``value``: loaded, stored exactly as written."""
    return Case(kind, "hostile-text", {"contacts.csv": csv_bytes(contacts(1, **{column: value}))},
                "loaded", check=stored_as("contacts", column, "C9001", value))


HOSTILE = [
    text("a markdown link", "[click](https://evil.example/x)"),
    text("an HTML link", '<a href="https://evil.example">bill</a>'),
    text("a script element", "<script>alert(1)</script>"),
    text("an image with onerror", '<img src=x onerror="alert(1)">'),
    text("bold HTML", "<b>billing</b>"),
    text("KaTeX", "$\\frac{1}{0}$ and $x^2$"),
    text("a bare URL", "https://evil.example/login"),
    text("a formula", "=HYPERLINK(\"https://evil.example\",\"x\")"),
    text("a formula with @", "@SUM(1)"),
    text("a formula with + and -", "-Q+1"),
    text("SQL in a value", "'; drop table raw.contacts; --"),
    text("a double dash", "billing -- late"),
    text("a zero-width joiner", "bill\u200dng"),
    text("a right-to-left override", "bill\u202eing"),
    text("SQL in an id", "1' or '1'='1", "agent_id"),
    Case("SQL as a column name", "hostile-text", {"contacts.csv": csv_bytes(
        [[*contact().values(), "x"]], header=[*CONTACTS, '"; drop table raw.contacts; --'])},
        "loaded", ("ignored columns",), check=row_count("contacts", "C9001", 1)),
    Case("an ANSI escape as a column name", "hostile-text", {"contacts.csv": csv_bytes(
        [[*contact().values(), "x"]], header=[*CONTACTS, "\x1b[2J\x1b[Hcleared"])},
        "loaded", ("\\x1b[2j",), check=row_count("contacts", "C9001", 1)),
    Case("markup in a customer's region", "hostile-text", {"customers.csv": csv_bytes(
        [customer(1, region="<b>North</b>"), customer(2, region="[N](http://x)")])}, "loaded",
        check=stored_as("customers", "region", "N902", "[N](http://x)")),
]

WIDE = [f"col{i}" for i in range(10_000)]

SIZE = [
    Case("10,000 columns", "size", {"contacts.csv": csv_bytes([["1"] * len(WIDE)], WIDE)},
         "refused", ("10,000 columns", "over the limit of 500", "CX_LIMIT_COLUMNS")),
    Case("400 extra columns beside the contract's", "size", {"contacts.csv": csv_bytes(
        [[*contact().values(), *["1"] * 400]], [*CONTACTS, *WIDE[:400]])}, "loaded",
        ("ignored columns", "more"), check=row_count("contacts", "C9001", 1)),
    Case("a 10 KB column name", "size", {"contacts.csv": csv_bytes(
        [[*contact().values(), "x"]], [*CONTACTS, "n" * 10_000])}, "loaded",
        ("ignored columns",), check=row_count("contacts", "C9001", 1)),
    Case("5,000 rows", "size", {"contacts.csv": csv_bytes(contacts(5_000))}, "loaded",
         check=row_count("contacts", "C", 5_000)),
    Case("one row", "size", {"contacts.csv": csv_bytes(contacts(1))}, "loaded",
         check=row_count("contacts", "C9001", 1)),
    Case("10,000 blank lines after the rows", "size",
         {"contacts.csv": GOOD + b"\n" * 10_000}, "loaded", check=TWO),
    Case("a row of 1,000 fields under an 8-column header", "size", {"contacts.csv": GOOD
         + b",".join([b"x"] * 1000) + b"\n"}, "refused", ("not a readable table",)),
    Case("twenty files at once", "size", {f"contacts_{i:02d}.csv": csv_bytes(
        [contact(100 + i)]) for i in range(20)}, "loaded", check=row_count("contacts", "C91", 20)),
]

CASES = FILE_NAMES + HOSTILE + SIZE
