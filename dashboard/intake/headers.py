"""What a file's first row and sheets say about it, for one-line refusals: a header row that
holds values, a column named twice, UTF-16 without its byte-order mark, data only on a later
sheet of a workbook; and long lists of names cut short for a message."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd


def few(names: list[str], shown: int = 8) -> str:
    """Names for a one-line message: the first ``shown``, then how many more (a file of
    10,000 columns or a 10 KB column name gets a short line)."""
    names = [str(n) if len(str(n)) <= 60 else f"{str(n)[:57]}…" for n in names]
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" … and {more:,} more" if more > 0 else "")


def looks_like_values(names: list[str], known: set[str] | frozenset[str] = frozenset()
                      ) -> bool:
    """Whether a header row holds values rather than column names: none of its cells is a
    ``known`` column name, and most of its cells, or at least two, are numbers or dates."""
    cells = [n.strip() for n in map(str, names)
             if n.strip() and not n.startswith("Unnamed:")]
    if not cells or any(c in known for c in cells):
        return False
    valued = sum(bool(re.fullmatch(r"[-+]?\d+([.,]\d+)?|\d{4}-\d{2}-\d{2}([ T][\d:.]+Z?)?"
                                   r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", c)) for c in cells)
    return valued >= 2 or valued * 2 > len(cells)


def header_of(text: str, sep: str) -> list[str]:
    """The CSV's header cells as written (pandas would rename a repeated name to ``x.1``)."""
    try:
        return next(csv.reader(io.StringIO(text), delimiter=sep))
    except (StopIteration, csv.Error):
        return []


def restore_repeats(columns: list[str]) -> list[str]:
    """The header names with pandas' ``x.1``, ``x.2`` for a repeated ``x`` put back to
    ``x`` (an XLSX header), so a column named twice is refused as such."""
    names = set(columns)
    out = []
    for c in columns:
        base, dot, n = c.rpartition(".")
        out.append(base if dot and n.isdigit() and base in names else c)
    return out


def later_sheet(p: Path) -> str | None:
    """The first sheet after the first that holds any cell (None when none does)."""
    try:
        sheets = pd.read_excel(p, sheet_name=None, header=None, dtype=str, nrows=5)
    except Exception:  # noqa: BLE001 - only a hint for the message
        return None
    for i, (name, frame) in enumerate(sheets.items()):
        if i and not frame.dropna(how="all").empty:
            return str(name)
    return None


def utf16_like(raw: bytes) -> bool:
    """Text in UTF-16 without its byte-order mark: NUL in every other byte."""
    head = raw[:4096]
    return len(head) >= 4 and head.count(0) * 3 >= len(head)
