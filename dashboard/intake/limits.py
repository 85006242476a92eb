"""The bounds a load keeps: how big a file, a field, a header, an unpacked XLSX and a load may be,
and how large an amount, a duration or a count may plausibly be. Each has a default and an
environment variable that changes it (read when a load starts, so a long-running app picks up a
change at its next load). A file over a size bound is refused with one line naming the bound and
its variable; a value over a plausibility bound quarantines its row with the bound named.

Amounts are bounded per currency: a Rial invoice runs about five orders of magnitude above a
dollar one, so the bound is ``CX_MAX_AMOUNT`` (in dollar-like units) times the currency's
magnitude (``MAGNITUDE``: roughly how many units make a US dollar, as a power of ten). A
currency not listed (and ``XXX``, "no currency") gets the largest magnitude: a bound that still
keeps every sum far from the float range, so no statistic can overflow.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Units of the currency per US dollar, as a power of ten (order of magnitude only). Currencies
#: not listed are bounded with ``MAGNITUDE_UNKNOWN``.
MAGNITUDE: dict[str, float] = {
    **dict.fromkeys(("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD", "KWD", "BHD",
                     "OMR", "JOD", "AED", "SAR", "QAR", "BRL", "PLN", "TRY", "ILS", "MYR",
                     "CNY", "DKK", "NOK", "SEK", "ZAR", "MXN", "EGP", "HKD"), 1.0),
    **dict.fromkeys(("JPY", "INR", "RUB", "PKR", "AFN", "ISK", "PHP", "THB", "ARS", "KES",
                     "NGN", "IQD", "DZD"), 1e3),
    **dict.fromkeys(("KRW", "CLP", "HUF", "COP", "MMK", "UZS", "IRT"), 1e4),
    **dict.fromkeys(("IRR", "VND", "IDR", "LBP", "LAK", "SLL", "GNF"), 1e5),
}
MAGNITUDE_UNKNOWN = 1e5


def _env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if not value > 0:
        raise ValueError(f"{name}={raw!r}: must be above zero")
    return value


@dataclass(frozen=True)
class Limits:
    """Every bound of a load (defaults below; ``from_env`` reads the variables)."""

    file_mb: float = 1024.0  # CX_LIMIT_FILE_MB: one file's size on disk
    field_chars: int = 32_767  # CX_LIMIT_FIELD_CHARS: one value (Excel's own cell limit)
    columns: int = 500  # CX_LIMIT_COLUMNS: columns in one file
    xlsx_mb: float = 512.0  # CX_LIMIT_XLSX_MB: an XLSX file's unpacked size
    rows: int = 50_000_000  # CX_LIMIT_ROWS: rows read in one load, all files together
    max_amount: float = 1e9  # CX_MAX_AMOUNT: an amount's size in dollar-like units
    max_handle_seconds: float = 7 * 86_400.0  # CX_MAX_HANDLE_SECONDS: one contact's handling
    max_contacts_count: int = 10_000  # CX_MAX_CONTACTS_COUNT: contacts about one complaint
    max_scale: int = 1_000  # CX_MAX_SCALE: a survey scale's bounds and scores, either sign

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(
            file_mb=_env("CX_LIMIT_FILE_MB", d.file_mb),
            field_chars=int(_env("CX_LIMIT_FIELD_CHARS", d.field_chars)),
            columns=int(_env("CX_LIMIT_COLUMNS", d.columns)),
            xlsx_mb=_env("CX_LIMIT_XLSX_MB", d.xlsx_mb),
            rows=int(_env("CX_LIMIT_ROWS", d.rows)),
            max_amount=_env("CX_MAX_AMOUNT", d.max_amount),
            max_handle_seconds=_env("CX_MAX_HANDLE_SECONDS", d.max_handle_seconds),
            max_contacts_count=int(_env("CX_MAX_CONTACTS_COUNT", d.max_contacts_count)),
            max_scale=int(_env("CX_MAX_SCALE", d.max_scale)))

    def amount_bound(self, currency: str | None) -> float:
        """The largest plausible absolute amount in ``currency`` (ISO 4217 code)."""
        return self.max_amount * MAGNITUDE.get((currency or "").upper(), MAGNITUDE_UNKNOWN)


def mb(n_bytes: float) -> str:
    """A size in megabytes for a message (``12.3 MB``)."""
    return f"{n_bytes / 1e6:,.1f} MB"


def nested_column(p: Path) -> str | None:
    """Why a Parquet file is refused when a column holds lists, maps, structures or bytes (their
    text would not be the values); None when every column is plain."""
    import pyarrow.parquet as pq
    import pyarrow.types as pt

    try:
        schema = pq.read_schema(p)
    except Exception:  # noqa: BLE001 - the reader says what is wrong with the file
        return None
    for f in schema:
        if (pt.is_nested(f.type) or pt.is_binary(f.type) or pt.is_large_binary(f.type)
                or pt.is_fixed_size_binary(f.type)):
            return (f"{p.name}: column {f.name} holds {f.type} values (lists, structures or "
                    "bytes); write it as plain text or numbers")
    return None


def unpacked_over(p: Path, limits: Limits) -> str | None:
    """Why an XLSX file is refused when it unpacks to more than the limit (a 100 KB workbook
    can hold a gigabyte of text); None otherwise."""
    try:
        with zipfile.ZipFile(p) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return None  # the reader says what is wrong with it
    if unpacked > limits.xlsx_mb * 1e6:
        return (f"{p.name}: the workbook unpacks to {mb(unpacked)}, over the limit of "
                f"{mb(limits.xlsx_mb * 1e6)} (CX_LIMIT_XLSX_MB)")
    return None


def long_value(name: str, df: pd.DataFrame, limits: Limits) -> str | None:
    """Why a file is refused when a value is longer than the field limit, naming the first
    such value's row and column; None otherwise. ``df``: the file as text."""
    for c in range(df.shape[1]):
        lengths = df.iloc[:, c].str.len()
        if len(lengths) and lengths.max() > limits.field_chars:
            row = int(lengths.to_numpy().argmax())
            return (f"{name}, row {row + 1}, column {df.columns[c]}: a value of "
                    f"{int(lengths.iloc[row]):,} characters, over the limit of "
                    f"{limits.field_chars:,} (CX_LIMIT_FIELD_CHARS)")
    return None
