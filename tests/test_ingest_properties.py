"""The loader's acceptance, property-based: generated malformed files never cause an unhandled
exception and never a partial load.

The strategies start from the valid fixture files (tests/fixtures/*.csv) and corrupt them —
columns dropped, renamed, duplicated, added or reordered; any cell replaced by text, huge or
negative numbers, NaN/inf, partial or impossible or future dates, Persian text, NUL and other
control characters, quotes, delimiters and line breaks; rows duplicated, dropped, made ragged or
all removed; keys colliding with the warehouse — then write them as CSV (any delimiter, quoting
or none, BOM, UTF-16 or a legacy code page, truncated mid-row or with stray bytes), XLSX (text
or typed cells) or Parquet (text or typed columns, a stored index, duplicate column names), or
produce arbitrary bytes under a table's suffix. The ingest runs mostly get "mild" files (a few
bad cells, rows or keys in a readable file) so that loads go ahead and their accounting is
checked, not only refusals.

Properties: ``read_file`` refuses with one line or reads a table, and ``validate`` accounts for
every row (each problem names the file, a row 1..n, a column of the file, the value and a rule;
good + bad = read; good rows meet the typed contract); ``ingest`` never raises, and either fails
or publishes: a failed or empty run leaves the warehouse's bytes and the archive as they were; a
published one adds exactly the rows it reports (raw, history, quarantine, load log), passes every
contract check, archives each accepted file, and is a no-op when repeated; a dry run changes
nothing and predicts the real run. Every run leaves no temporary file beside the warehouse.
Finally, what a file holds never fails a whole load: bad rows are quarantined, not fatal.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard.intake import contract, ingest
from dashboard.intake.contract import CONTRACT, FileRefused
from dashboard.warehouse import catalog, db
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 23, tzinfo=UTC)
TABLES = tuple(CONTRACT)
#: parse_times falls back to dateutil for odd values, which warns; the warnings are not the
#: subject here
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FAST = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(FAST, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.function_scoped_fixture])


def _fixture(table: str) -> tuple[list[str], list[list[str]]]:
    with open(FIXTURES / f"{table}.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


FIXTURE = {t: _fixture(t) for t in TABLES}

# --- strategies ------------------------------------------------------------------------------

NASTY = (
    "", " ", "  7  ", "nan", "NaN", "NULL", "None", "N/A", "-", "inf", "-inf", "Infinity",
    "1e309", "-1e309", "-1", "0", "-0", "1.5", "1e3", "1_000", "1,5", "0x1F", "+4",
    "9007199254740992", "9007199254740993", "2147483648", "-2147483649",
    "99999999999999999999999", "1e15", "1e300", "-1e300",
    "true", "FALSE", "yes", "T", "2",
    "2026", "2026-03", "2026-02-30", "2026-13-01", "2026-03-02T25:00:00", "03/04/2026",
    "4.3.2026", "Mar 4 2026", "2026-03-04 10:00:00 PM", "2999-01-01", "1600-01-01",
    "1066-10-14", "0001-01-01", "1970-01-01", "2019-06-01 10:00:00", "2026-11-23",
    "2026-11-23 00:00:01", "2026-11-22 23:59:59", "2026-03-02T01:00:00+14:00",
    "2026-03-02T01:00:00Z", "20260302", "1767225600",
    "سلام", "۱۲۳", "مشتری شماره ۷", "\u200f", "\u200c",
    "\x00", "a\x00b", '"', 'say "hi"', '"unterminated', "a,b", "a;b", "a\tb", "a|b",
    "line\nbreak", "cr\rret", "\r\n", "\u2028", "x\u2029y", "\x85", "\x0b", "\x1c", "\ufeff",
    "\ufffd", "\U0001f600", "<b>x</b>", "'; drop table raw.customers; --",
    "phone", "chat", "sms", "refund", "purchase", "subscription", "nps", "csat", "ces", "NPS",
    " nps ",
)
EVERY_COLUMN = sorted({c for t in CONTRACT.values() for c in t.names})


def _fixture_values(table: str, column: str) -> list[str]:
    header, rows = FIXTURE[table]
    if column not in header:
        return [""]
    i = header.index(column)
    return sorted({r[i] for r in rows})


def _dt_text(d: datetime, style: int) -> str:
    return (d.isoformat(sep=" "), d.isoformat(), d.strftime("%Y-%m-%d"),
            d.strftime("%d/%m/%Y %H:%M"), d.strftime("%Y-%m-%dT%H:%M:%S+03:30"))[style]


def cell_value(table: str, column: str) -> st.SearchStrategy[str]:
    """A value for one cell: mostly nasty, sometimes plausible for the column."""
    spec = CONTRACT[table]
    kind = spec.column(column).kind if column in spec.names else contract.TEXT
    options = [st.sampled_from(NASTY), st.text(max_size=12),
               st.sampled_from(_fixture_values(table, column))]
    if kind in (contract.INT, contract.FLOAT):
        options += [st.integers(-(2**66), 2**66).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(-3, 12).map(str)]
    if kind in (contract.TIMESTAMP, contract.DATE):
        options += [st.builds(_dt_text,
                              st.datetimes(min_value=datetime(1600, 1, 1),
                                           max_value=datetime(2400, 1, 1)),
                              st.integers(0, 4)),
                    st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 1, 1)).map(str)]
    if column == "customer_id":
        options.append(st.sampled_from(["1", "8", "99", "10001", "10008", " 3 ", "3.0"]))
    return st.one_of(options)


def column_name(table: str) -> st.SearchStrategy[str]:
    names = CONTRACT[table].names
    return st.one_of(
        st.sampled_from(names).flatmap(lambda n: st.sampled_from(
            [n.upper(), f" {n}", f"{n} ", f"{n}.1", n.replace("_", " ")])),
        st.sampled_from(EVERY_COLUMN),
        st.sampled_from(["", "Unnamed: 0", "مشتری", "\ufeffcustomer_id", "id", "a,b", 'q"t']),
        st.text(max_size=10))


OPS = ("cell", "cell", "cell", "cell", "column", "drop_col", "rename_col", "dup_col",
       "extra_col", "swap_cols", "dup_row", "drop_row", "header_only", "ragged", "collide",
       "orphan", "many_rows")
#: corruptions that leave the file readable: a load goes ahead with some rows quarantined
MILD_OPS = ("cell", "cell", "cell", "column", "swap_cols", "dup_row", "drop_row", "collide",
            "orphan", "many_rows")


@dataclass
class Table:
    """A table in the making: header and rows as text (rows may be ragged)."""

    table: str
    header: list[str]
    rows: list[list[str]]


@st.composite
def corrupted_table(draw, table: str | None = None, max_ops: int = 6,
                    ops: tuple[str, ...] = OPS) -> Table:
    """A fixture table with up to ``max_ops`` corruptions; keys sometimes made new."""
    table = table or draw(st.sampled_from(TABLES))
    header, rows = FIXTURE[table]
    header, rows = list(header), [list(r) for r in rows]
    key = CONTRACT[table].key[0]
    if draw(st.booleans()):  # new keys: the rows load as new instead of unchanged
        k = header.index(key)
        for r in rows:
            r[k] = str(int(r[k]) + 10_000)
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(ops))
        ncol = len(header)
        c = draw(st.integers(0, ncol - 1))
        r = draw(st.integers(0, max(len(rows) - 1, 0)))
        if op == "cell" and rows:
            while len(rows[r]) <= c:
                rows[r].append("")
            rows[r][c] = draw(cell_value(table, header[c]))
        elif op == "column":
            value = draw(cell_value(table, header[c]))
            for row in rows:
                if len(row) > c:
                    row[c] = value
        elif op == "drop_col" and ncol > 1:
            del header[c]
            for row in rows:
                if len(row) > c:
                    del row[c]
        elif op == "rename_col":
            header[c] = draw(column_name(table))
        elif op == "dup_col":
            header.append(header[c])
            for row in rows:
                row.append(row[c] if len(row) > c else "")
        elif op == "extra_col":
            header.append(draw(column_name(table)))
            for row in rows:
                row.append(draw(st.sampled_from(NASTY)))
        elif op == "swap_cols":
            order = draw(st.permutations(range(ncol)))
            header = [header[i] for i in order]
            rows = [[row[i] if i < len(row) else "" for i in order] + row[ncol:] for row in rows]
        elif op == "dup_row" and rows:
            rows.insert(draw(st.integers(0, len(rows))), list(rows[r]))
        elif op == "drop_row" and rows:
            del rows[r]
        elif op == "header_only":
            rows = []
        elif op == "ragged" and rows:
            if draw(st.booleans()) and rows[r]:
                rows[r].pop()
            else:
                rows[r].append(draw(st.sampled_from(NASTY)))
        elif op in ("collide", "orphan") and rows:
            # a key already in the warehouse, or an unknown / other customer
            name = key if op == "collide" else "customer_id"
            if name in header:
                i = header.index(name)
                while len(rows[r]) <= i:
                    rows[r].append("")
                rows[r][i] = draw(st.sampled_from(_fixture_values(table, name) + ["99"]))
        elif op == "many_rows" and rows:
            rows = rows * draw(st.integers(2, 4))
    return Table(table, header, rows)


def _csv_text(t: Table, delim: str, quoting: str, eol: str) -> str:
    if quoting == "none":
        return "".join(delim.join(row) + eol for row in [t.header, *t.rows])
    out = io.StringIO()
    w = csv.writer(out, delimiter=delim, lineterminator=eol,
                   quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL)
    w.writerow(t.header)
    w.writerows(t.rows)
    return out.getvalue()


def _frame(t: Table) -> pd.DataFrame:
    n = len(t.header)
    rows = [(row + [""] * n)[:n] for row in t.rows]
    return pd.DataFrame(rows, columns=t.header, dtype=object)


def _typed(v: str):
    """A text cell as the number it spells (finite, exact), else the text."""
    try:
        i = int(v)
        return i if abs(i) < 2**53 else v
    except ValueError:
        pass
    try:
        f = float(v)
        return f if math.isfinite(f) else v
    except ValueError:
        return v


def _xlsx(t: Table, typed: bool) -> bytes:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    df = _frame(t).map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v))
    df.columns = [ILLEGAL_CHARACTERS_RE.sub("", c) for c in df.columns]
    if typed:
        df = df.map(_typed)
    out = io.BytesIO()
    df.to_excel(out, index=False, engine="openpyxl")
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The workbook without its clock: fixed entry times and document dates (hypothesis needs
    the same bytes for the same draws)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z",
                              body)
            dst.writestr(zipfile.ZipInfo(info.filename, (2026, 1, 1, 0, 0, 0)), body,
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _parquet(t: Table, typed: bool, index: str, nulls: bool) -> bytes:
    df = _frame(t)
    if nulls:
        df = df.map(lambda v: None if v == "" else v)
    if typed:
        for col in range(df.shape[1]):
            s = df.iloc[:, col]
            num = pd.to_numeric(s, errors="coerce")
            if s.notna().any() and num.notna().eq(s.notna()).all():
                df.isetitem(col, num)
    out = io.BytesIO()
    if df.columns.duplicated().any():  # pyarrow writes what pandas will not
        pq.write_table(pa.table([pa.array(df.iloc[:, i].astype(str)) for i in
                                 range(df.shape[1])], names=list(df.columns)), out)
        return out.getvalue()
    if index == "offset":
        df.index = range(100, 100 + len(df))
    elif index == "text":
        df.index = [f"r{i}" for i in range(len(df))]
    elif index == "repeated":
        df.index = [0] * len(df)
    df.to_parquet(out, index=index != "none")
    return out.getvalue()


@st.composite
def _damage(draw, data: bytes) -> bytes:
    how = draw(st.sampled_from(("none", "none", "none", "none", "truncate", "insert", "flip")))
    if how == "none" or not data:
        return data
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]


@dataclass
class Upload:
    """One generated file: its name, its bytes and the table it was derived from."""

    name: str
    data: bytes
    table: str


@st.composite
def written(draw, t: Table, mild: bool = False) -> Upload:
    """A table in the making written as CSV, TSV, TXT, XLSX or Parquet, maybe damaged; ``mild``:
    UTF-8 CSV, XLSX or Parquet named after its table, undamaged."""
    fmt = draw(st.sampled_from(("csv", "csv", "csv", "xlsx", "parquet") if mild else
                               ("csv", "csv", "csv", "csv", "tsv", "txt", "xlsx", "parquet")))
    if fmt in ("csv", "tsv", "txt"):
        delim = "\t" if fmt == "tsv" else draw(st.sampled_from((",", ",", ";", "\t", "|")))
        text = _csv_text(t, delim, draw(st.sampled_from(("minimal", "minimal", "all", "none"))),
                         draw(st.sampled_from(("\n", "\r\n", "\r"))))
        enc = draw(st.sampled_from(("utf-8", "utf-8-sig") if mild else
                                   ("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252",
                                    "latin-1")))
        data = text.encode(enc, errors="replace")
    elif fmt == "xlsx":
        data = _xlsx(t, draw(st.booleans()))
    else:
        index = "none" if mild else draw(st.sampled_from(("none", "none", "offset", "text",
                                                          "repeated")))
        data = _parquet(t, draw(st.booleans()), index, draw(st.booleans()))
    if not mild:
        data = draw(_damage(data))
    stem = draw(st.sampled_from((t.table, f"{t.table}_2026-11") if mild else
                                (t.table, t.table, f"{t.table}_2026-11", t.table.upper(),
                                 "upload", *TABLES)))
    return Upload(f"{stem}.{fmt}", data, t.table)


def derived_file(table: str | None = None) -> st.SearchStrategy[Upload]:
    """A corrupted fixture table, written in any of the formats, maybe damaged."""
    return corrupted_table(table).flatmap(written)


def mild_file(table: str | None = None) -> st.SearchStrategy[Upload]:
    """A fixture table with a few bad cells, rows or keys, in a readable file."""
    return corrupted_table(table, max_ops=3, ops=MILD_OPS).flatmap(
        lambda t: written(t, mild=True))


@st.composite
def junk_file(draw) -> Upload:
    """Arbitrary bytes, sometimes behind a real format's magic number."""
    body = draw(st.binary(max_size=600))
    prefix = draw(st.sampled_from((b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04",
                                   b"PAR1", b"customer_id,segment\n")))
    suffix = draw(st.sampled_from((".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".json", "")))
    table = draw(st.sampled_from(TABLES))
    tail = b"PAR1" if prefix == b"PAR1" else b""
    return Upload(f"{table}{suffix}", prefix + body + tail, table)


any_file = st.one_of(derived_file(), derived_file(), derived_file(), junk_file())

# --- regressions: minimal cases the properties found (explicit examples, always run) ---------

_CUSTOMERS_HEADER = "customer_id,segment,region,plan,signup_date\n"
#: one field too many on the first data row: pandas took the first column as the index
RAGGED_FIRST_ROW = Upload("customers.csv", (_CUSTOMERS_HEADER
                                            + "x,20,Mass,North,Basic,not-a-date\n").encode(),
                          "customers")
TRAILING_DELIMITER = Upload("customers.csv", (_CUSTOMERS_HEADER
                                              + "20,Mass,North,Basic,2025-01-10,\n"
                                              + "21,Mass,North,Basic,bad\n").encode(),
                            "customers")


def _parquet_with_index(index: list) -> Upload:
    df = pd.DataFrame({"customer_id": ["20", "21", "22"], "segment": "Mass", "region": "North",
                       "plan": "Basic", "signup_date": ["2025-01-10", "bad", "2025-01-12"]},
                      index=index)
    out = io.BytesIO()
    df.to_parquet(out)
    return Upload("customers.parquet", out.getvalue(), "customers")


#: a Parquet file that stored its pandas index (text, offset or repeated)
PARQUET_TEXT_INDEX = _parquet_with_index(["a", "b", "c"])
PARQUET_OFFSET_INDEX = _parquet_with_index([100, 101, 102])
#: a mapping that renames a column onto a name the file already has
MAPPED_ONTO_EXISTING = (
    Upload("customers.csv", b"id,customer_id,segment,region,plan,signup_date\n"
                            b"20,20,Mass,North,Basic,2025-01-10\n", "customers"),
    contract.TableMapping({"id": "customer_id"}, {}, {}))


def _csv_row(table: str, row: str) -> Upload:
    return Upload(f"{table}.csv", (",".join(FIXTURE[table][0]) + "\n" + row + "\n").encode(),
                  table)


#: rows that are quarantined or loaded but used to fail the whole load
LINE_SEPARATOR_IN_QUARANTINE = _csv_row("customers", "20,\u2028,North,Basic,organic,2025-01-10,")
EXPECTATION_OFF_SCALE = _csv_row("survey_responses",
                                 "900,1,2026-03-03 15:00:00,csat,5,1,7,support,phone,phone,,,11,")
NPS_OFF_ITS_SCALE = _csv_row("survey_responses",
                             "900,1,2026-03-03 15:00:00,nps,5,0,7,support,phone,phone,,,,")
EMPTY_SCALE = _csv_row("survey_responses",
                       "900,1,2026-03-03 15:00:00,csat,5,5,5,support,phone,phone,,,,")
RESPONSE_BEFORE_OPENING = _csv_row(
    "complaints", "900,1,2026-03-03 10:00:00,2026-03-01 10:00:00,,phone,billing,low,1,true,0")
HANDLE_SECONDS_TOO_BIG = _csv_row("contacts",
                                  "900,1,2026-03-03 14:00:00,phone,technical,1e10,true,11")
CONTACTS_COUNT_TOO_BIG = _csv_row(
    "complaints", "900,1,2026-03-03 10:00:00,,,phone,billing,low,3000000000,true,0")


# --- property 1: read_file + validate --------------------------------------------------------


def _assert_typed(table: str, good: pd.DataFrame) -> None:
    """The good rows meet the typed contract."""
    spec = CONTRACT[table]
    assert list(good.columns) == list(spec.names)
    now = pd.Timestamp(NOW).tz_localize(None)
    for col in spec.columns:
        values = good[col.name]
        present = values[values.notna()]
        if col.required:
            assert len(present) == len(values), f"{col.name}: required value missing"
        if col.kind == contract.INT:
            assert all(math.isfinite(v) and v == int(v) and abs(v) < 2**53 for v in present), \
                col.name
        elif col.kind == contract.FLOAT:
            assert all(math.isfinite(v) for v in present), col.name
        elif col.kind == contract.TIMESTAMP:
            assert all(isinstance(v, pd.Timestamp) and v.tzinfo is None and v <= now
                       for v in present), col.name
        elif col.kind == contract.DATE:
            assert all(isinstance(v, date) and v <= now.date() for v in present), col.name
        elif col.kind == contract.BOOL:
            assert all(v in (True, False) for v in present), col.name
        else:
            assert all(isinstance(v, str) and v.strip() == v and v for v in present), col.name
            if col.accepted:
                assert set(present) <= set(col.accepted), col.name
    key = spec.key[0]
    assert not good[key].duplicated().any()
    if table == "survey_responses":
        assert ((good["scale_min"] <= good["score"]) & (good["score"] <= good["scale_max"])).all()
    if table == "complaints":
        both = good["resolved_at"].notna()
        assert (good.loc[both, "resolved_at"] >= good.loc[both, "opened_at"]).all()
    if table == "transactions":
        assert ((good["amount"] >= 0) | (good["kind"] == "refund")).all()
    if table == "customers":
        both = good["churn_date"].notna()
        assert (good.loc[both, "churn_date"] >= good.loc[both, "signup_date"]).all()


def _check_read_and_validate(up: Upload, table: str, folder: Path,
                             mapping: contract.TableMapping | None = None) -> None:
    path = folder / up.name
    path.write_bytes(up.data)
    try:
        df = contract.read_file(path)
    except FileRefused as exc:
        msg = str(exc)
        assert msg.strip() and "\n" not in msg and msg.startswith(f"{path.name}: ")
        return
    assert len(df.columns) > 0
    df = contract.apply_mapping(table, df, mapping)
    good, problems = contract.validate(table, df, up.name, now=NOW)
    n = len(df)
    cols = [str(c) for c in df.columns]
    for p in problems:
        assert p.file == up.name
        assert isinstance(p.rule, str) and p.rule.strip()
        if p.row is not None:
            assert 1 <= p.row <= n, p
            assert p.column in cols, p
            assert p.value == str(df.iloc[p.row - 1][p.column]), p
    whole = [p for p in problems if p.row is None]
    if whole:
        assert len(good) == 0
        return
    found = [(p.row, p.column, p.rule) for p in problems]
    assert len(found) == len(set(found)), "each problem of a row reported once"
    assert found == sorted(found, key=lambda x: x[0]), "problems in row order"
    bad = sorted({p.row for p in problems})
    assert len(good) + len(bad) == n
    _assert_typed(table, good)
    # the good rows are exactly the rows without a problem, in file order
    key = CONTRACT[table].key[0]
    kept = [i for i in range(n) if i + 1 not in set(bad)]
    expected = df[key].astype(str).str.strip().iloc[kept].tolist()  # ids are text, as given
    assert good[key].tolist() == expected


@settings(FAST, max_examples=250)
@given(up=any_file, other_table=st.one_of(st.none(), st.sampled_from(TABLES)))
@example(up=RAGGED_FIRST_ROW, other_table=None)
@example(up=TRAILING_DELIMITER, other_table=None)
@example(up=PARQUET_TEXT_INDEX, other_table=None)
@example(up=PARQUET_OFFSET_INDEX, other_table=None)
def test_read_and_validate_never_raise_and_account_for_every_row(up, other_table):
    with tempfile.TemporaryDirectory() as tmp:
        _check_read_and_validate(up, other_table or up.table, Path(tmp))


@st.composite
def mapped_file(draw) -> tuple[Upload, contract.TableMapping]:
    """A corrupted file (sometimes with a source's own "id" column) and a mapping for it."""
    t = draw(corrupted_table(max_ops=3))
    if draw(st.booleans()):
        t.header.append("id")
        for row in t.rows:
            row.append(row[0] if row else "")
    up = draw(written(t))
    names = CONTRACT[up.table].names
    renames = draw(st.dictionaries(st.sampled_from([*FIXTURE[up.table][0], "id", "Customer"]),
                                   st.sampled_from(names), max_size=3))
    tz = draw(st.sampled_from((None, None, "UTC", "Asia/Tehran", "America/New_York")))
    fmt = draw(st.sampled_from((None, None, "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%Y")))
    scales = draw(st.sampled_from(({}, {"csat": (1.0, 5.0)}, {"nps": (0.0, 10.0)})))
    values = draw(st.sampled_from(({}, {"survey": {"NPS": "nps"}}, {"channel": {"": "phone"}})))
    return up, contract.TableMapping(renames, values, scales, fmt, tz)


@settings(FAST, max_examples=80)
@given(case=mapped_file())
@example(case=MAPPED_ONTO_EXISTING)
def test_mapping_then_validate_never_raise(case):
    up, mapping = case
    with tempfile.TemporaryDirectory() as tmp:
        _check_read_and_validate(up, up.table, Path(tmp), mapping)


# --- property 2: ingest into a copy of the fixture warehouse --------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


RELATIONS = ([f"raw.{t}" for t in TABLES] + [f"history.{t}" for t in TABLES]
             + ["ingest.quarantine", "ingest.loads"])


def _inspect(path: Path, checks: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """Row counts of the raw, history and ingest tables, and (``checks``) the contract checks
    that return rows, by name."""
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        df = wh.sql(" union all ".join(f"select '{r}' as rel, count(*) as n from {r}"
                                       for r in RELATIONS))
        counts = dict(zip(df["rel"], df["n"].astype(int), strict=True))
        failing = {q.name: n for q in catalog.layer_queries("checks") if (n := len(wh.sql(q.sql)))
                   } if checks else {}
        return counts, failing
    finally:
        wh.close()


def _quarantined(path: Path, load_ids: list[int]) -> list[tuple[str, int, str]]:
    """(file, row, rule) of the quarantined rows of these loads."""
    wh = db.Warehouse(f"duckdb:///{path}")
    try:
        df = wh.sql("select file_name, row_number, rule from ingest.quarantine "
                    "where list_contains($ids, load_id)", {"ids": load_ids})
        return sorted(zip(df["file_name"], df["row_number"].astype(int), df["rule"],
                          strict=True))
    finally:
        wh.close()


def _leftovers(target: Path) -> list[str]:
    lock = f".{target.name}.lock"
    return sorted(p.name for p in target.parent.iterdir()
                  if p.name != target.name and p.name != lock)


@dataclass
class Run:
    """A warehouse copy and the files for one load, in a temporary folder."""

    root: Path
    target: Path
    paths: list[Path]
    archive: Path


def _setup(root: Path, fixture_db: Path, uploads: list[Upload]) -> Run:
    (root / "wh").mkdir()
    (root / "in").mkdir()
    target = root / "wh" / "warehouse.duckdb"
    shutil.copyfile(fixture_db, target)
    paths = []
    for up in uploads:
        p = root / "in" / up.name
        p.write_bytes(up.data)
        paths.append(p)
    return Run(root, target, paths, root / "archive")


uploads = st.lists(st.one_of(mild_file(), mild_file(), mild_file("customers"), derived_file(),
                             junk_file()),
                   min_size=1, max_size=2, unique_by=lambda u: u.name)


@settings(SLOW, max_examples=20)
@given(files=uploads)
@example(files=[RAGGED_FIRST_ROW])
@example(files=[PARQUET_TEXT_INDEX])
@example(files=[LINE_SEPARATOR_IN_QUARANTINE])
def test_ingest_is_all_or_nothing(fixture_db, files):
    with tempfile.TemporaryDirectory() as tmp:
        run = _setup(Path(tmp), fixture_db, files)
        sha, (before, _) = _sha(run.target), _inspect(run.target)
        report = ingest.ingest(run.paths, target=run.target, now=NOW, archive_dir=run.archive)
        assert _leftovers(run.target) == []
        accepted = [f for f in report.files if f.refused is None and f.repeat_of is None]
        if report.error or not report.published:
            assert _sha(run.target) == sha, report.error
            assert report.error or not accepted
            assert not run.archive.exists() or not any(
                p.is_file() for p in run.archive.rglob("*")), "archive copies of a failed run"
            return
        assert accepted and report.error is None
        after, failing = _inspect(run.target, checks=True)
        assert failing == {}
        for table in TABLES:
            mine = [f for f in accepted if f.table == table]
            assert after[f"raw.{table}"] == before[f"raw.{table}"] + sum(
                f.rows_new for f in mine), table
            assert after[f"history.{table}"] == before[f"history.{table}"] + sum(
                f.rows_replaced for f in mine), table
        for f in accepted:
            assert f.rows_new + f.rows_replaced + f.rows_unchanged + f.quarantined \
                == f.rows_read, f.line()
            assert all(p.row is None or 1 <= p.row <= f.rows_read for p in f.problems)
            assert (run.archive / f.archive).read_bytes() == \
                run.paths[[p.name for p in run.paths].index(f.file)].read_bytes()
        # one quarantine row per problem (a row breaking two rules is there twice)
        assert after["ingest.quarantine"] == before["ingest.quarantine"] + sum(
            1 for f in accepted for p in f.problems if p.row is not None)
        assert _quarantined(run.target, [f.load_id for f in accepted]) == sorted(
            (f.file, p.row, p.rule) for f in accepted for p in f.problems if p.row is not None)
        assert after["ingest.loads"] == before["ingest.loads"] + len(accepted)
        # the same bytes again change nothing
        sha = _sha(run.target)
        again = ingest.ingest(run.paths, target=run.target, now=NOW, archive_dir=run.archive)
        assert again.error is None and not again.published
        assert {f.file for f in again.files if f.repeat_of is not None} >= {
            f.file for f in accepted}
        assert _sha(run.target) == sha
        assert _leftovers(run.target) == []


@settings(SLOW, max_examples=8)
@given(files=uploads)
def test_dry_run_changes_nothing_and_predicts_the_load(fixture_db, files):
    with tempfile.TemporaryDirectory() as tmp:
        run = _setup(Path(tmp), fixture_db, files)
        sha = _sha(run.target)
        dry = ingest.ingest(run.paths, target=run.target, now=NOW, archive_dir=run.archive,
                            dry_run=True)
        assert not dry.published
        assert _sha(run.target) == sha
        assert _leftovers(run.target) == []
        assert not run.archive.exists()
        real = ingest.ingest(run.paths, target=run.target, now=NOW, archive_dir=run.archive)

        def outcome(r):
            return [(f.file, f.table, f.refused, f.rows_read, f.rows_new, f.rows_replaced,
                     f.rows_unchanged, f.quarantined) for f in r.files]

        assert (dry.error is None) == (real.error is None), (dry.error, real.error)
        if real.error is None:
            assert outcome(dry) == outcome(real)


@settings(SLOW, max_examples=10)
@given(files=st.lists(mild_file(), min_size=1, max_size=2, unique_by=lambda u: u.name))
@example(files=[LINE_SEPARATOR_IN_QUARANTINE])
@example(files=[EXPECTATION_OFF_SCALE])
@example(files=[NPS_OFF_ITS_SCALE])
@example(files=[EMPTY_SCALE])
@example(files=[RESPONSE_BEFORE_OPENING])
@example(files=[HANDLE_SECONDS_TOO_BIG])
@example(files=[CONTACTS_COUNT_TOO_BIG])
def test_bad_rows_are_quarantined_never_fatal(fixture_db, files):
    """What a file holds decides what is refused or quarantined; it never fails the whole load
    (a row the row rules let through must not break a contract check or a staging cast)."""
    with tempfile.TemporaryDirectory() as tmp:
        run = _setup(Path(tmp), fixture_db, files)
        report = ingest.ingest(run.paths, target=run.target, now=NOW, archive_dir=run.archive,
                               dry_run=True)
        assert report.error is None, report.error.splitlines()[0]
