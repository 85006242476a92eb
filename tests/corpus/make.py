"""A small generator of source files for the corpus: rows of the fixture world's shape (new
keys, customers that exist in the fixture warehouse), written as CSV in any encoding, delimiter
and line ending, as XLSX or as Parquet, so each case says only what is odd about it."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd

CONTACTS = ("contact_id", "customer_id", "occurred_at", "channel", "reason", "handle_seconds",
            "is_resolved", "agent_id")
CUSTOMERS = ("customer_id", "segment", "region", "plan", "acquisition_channel", "signup_date",
             "churn_date")


def contact(i: int = 1, **over: str) -> dict[str, str]:
    """One valid contact row (a new key, a fixture customer, a costed channel and week)."""
    row = {"contact_id": f"C{9000 + i}", "customer_id": "1",
           "occurred_at": "2026-03-04 10:00:00", "channel": "phone", "reason": "billing",
           "handle_seconds": "60", "is_resolved": "true", "agent_id": ""}
    row.update(over)
    return row


def customer(i: int = 1, **over: str) -> dict[str, str]:
    """One valid new customer row."""
    row = {"customer_id": f"N{900 + i}", "segment": "Mass", "region": "North", "plan": "Basic",
           "acquisition_channel": "organic", "signup_date": "2025-02-01", "churn_date": ""}
    row.update(over)
    return row


def contacts(n: int = 1, **over: str) -> list[dict[str, str]]:
    return [contact(i, **over) for i in range(1, n + 1)]


def _cell(v: str, sep: str) -> str:
    if any(c in v for c in (sep, '"', "\n", "\r")):
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_text(rows: list[dict[str, str]], header: tuple[str, ...] | list[str] | None = None,
             sep: str = ",", eol: str = "\n") -> str:
    """Rows as delimited text (quoted where needed); ``header`` defaults to the first row's
    keys and picks each dict row's values in that order (a list row is written as it is)."""
    header = list(header or rows[0].keys())
    lines = [sep.join(_cell(h, sep) for h in header)]
    for r in rows:
        vals = [r.get(h, "") for h in header] if isinstance(r, dict) else list(r)
        lines.append(sep.join(_cell(v, sep) for v in vals))
    return eol.join(lines) + eol


def csv_bytes(rows: list[dict[str, str]], header=None, sep: str = ",", eol: str = "\n",
              encoding: str = "utf-8") -> bytes:
    return csv_text(rows, header, sep, eol).encode(encoding)


def xlsx_bytes(sheets: dict[str, list[dict[str, str]] | pd.DataFrame | None]) -> bytes:
    """A workbook with the sheets in order (rows, a frame, or None: an empty sheet)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, rows in sheets.items():
            frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows or [])
            frame.to_excel(w, sheet_name=name, index=False)
    return buf.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def stored(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of a query on a warehouse file (read only; values bound)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


#: The tables and key columns the checks below may name (identifiers from an allowlist).
KEYS = {"contacts": "contact_id", "customers": "customer_id"}


def stored_as(table: str, column: str, value: str, expected: str):
    """A check: the row of ``table`` whose key is ``value`` holds ``expected`` in
    ``column``, byte for byte."""
    assert column in CONTACTS + CUSTOMERS

    def check(path: Path) -> None:
        rows = stored(path, f"select {column} from raw.{table} where {KEYS[table]} = ?",
                      (value,))
        assert rows == [(expected,)], (table, value, rows)
    return check


def row_count(table: str, prefix: str, expected: int):
    """A check: ``expected`` rows of ``table`` have a key starting with ``prefix``."""
    def check(path: Path) -> None:
        rows = stored(path, f"select count(*) from raw.{table} where starts_with("
                      f"{KEYS[table]}, ?)", (prefix,))
        assert rows == [(expected,)], (table, prefix, rows)
    return check
