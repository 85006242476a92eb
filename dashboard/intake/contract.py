"""The raw data contract as data (the tables, keys, columns and types of
``warehouse.schema``, listed in the README's "Data contract"), and the rules a loaded file
must meet.

File reading with whole-file refusals (one line each), per-row validation that names file, row,
column, value and rule, mapping files (TOML or YAML) that bring another tool's shape onto the
contract, and the rules that need what the warehouse already holds (``check_against``: unknown
customer, event before signup, contacts in weeks with no unit cost). ``intake.ingest`` runs
them and loads the rows that pass.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.warehouse import build, config
from dashboard.warehouse.schema import (  # noqa: F401  (the contract's tables, re-read here)
    BOOL,
    CHANNELS,
    CONTRACT,
    DATE,
    FLOAT,
    INT,
    NAMES,
    TEXT,
    TIMESTAMP,
    Column,
    Table,
)


class FileRefused(ValueError):
    """A file whose structure is unusable: refused whole, with one line saying why."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1-based data row (the header is row 0); None for the whole file
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        col = "" if self.column is None else f", column {self.column}"
        val = "" if self.value is None else f", value {self.value!r}"
        return f"{where}{col}{val}: {self.rule}"


def read_file(path: Path | str) -> pd.DataFrame:
    """A CSV (any common delimiter, UTF-8 with or without BOM), Parquet or XLSX file as text
    columns; FileRefused naming the file and the reason when it is not a usable table."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(p)
            df = df.reset_index(drop=list(df.index.names) == [None])  # a stored index is data
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=str, keep_default_na=False)
        elif suffix in (".csv", ".tsv", ".txt"):
            raw = p.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise FileRefused(f"{p.name}: not UTF-8 text (byte {exc.start}); save it as "
                                  "UTF-8") from None
            if not text.strip():
                raise FileRefused(f"{p.name}: the file is empty")
            try:
                dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
                sep = dialect.delimiter
            except csv.Error:
                sep = ","
            with warnings.catch_warnings():
                # a row longer than the header would otherwise become an index or be cut short
                warnings.simplefilter("error", pd.errors.ParserWarning)
                df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                 index_col=False)
        else:
            raise FileRefused(f"{p.name}: unsupported file type {suffix or '(none)'}; use CSV, "
                              "Parquet or XLSX")
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a refusal of the file
        raise FileRefused(f"{p.name}: not a readable table ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if len(df.columns) == 0:
        raise FileRefused(f"{p.name}: no header row")
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed:") or not str(c).strip()]
    if unnamed and len(unnamed) == len(df.columns):
        raise FileRefused(f"{p.name}: no header row")
    return _as_text(df).reset_index(drop=True)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, a missing one as ``""``. A whole number in a float column (a Parquet
    integer column with gaps, an id some tool wrote as a float) is written without ``.0``, as
    an XLSX numeric cell already is: ``123.0`` becomes ``123``, an id shown as it was meant."""
    out = df.astype(str)
    for c in range(df.shape[1]):
        col = df.iloc[:, c]
        if col.dtype.kind != "f":
            continue
        num = col.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(num) & (num % 1 == 0) & (np.abs(num) < 2.0**63)
        if whole.any():
            text = out.iloc[:, c].to_numpy(dtype=object, copy=True)
            text[whole] = num[whole].astype("int64").astype(str)
            out.isetitem(c, text)
    return out.where(df.notna().to_numpy(), "")


def parse_times(values: pd.Series) -> pd.Series:
    """Text to UTC timestamps (NaT where unparseable): ISO 8601 first (fast, the usual export),
    then each remaining value on its own in any format pandas recognises."""
    ts = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    rest = ts.isna() & values.notna()
    if rest.any():
        ts[rest] = pd.to_datetime(values[rest], errors="coerce", utc=True, format="mixed")
    return ts


def validate(table: str, df: pd.DataFrame, file: str,
             now: datetime | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows that meet every rule of ``table`` (typed) and the problems of the others.

    Refusals of the whole file (wrong table, missing required columns, unknown columns, no
    rows) come back as problems with ``row`` None and no good rows.
    """
    spec = CONTRACT.get(table)
    if spec is None:
        return df.iloc[0:0], [Problem(file, None, None, table,
                                      f"unknown table: one of {', '.join(CONTRACT)}")]
    if df.empty:
        return df, [Problem(file, None, None, None, "the file has no data rows")]
    df = df.reset_index(drop=True)
    cols = [str(c) for c in df.columns]
    twice = sorted({c for c in cols if cols.count(c) > 1})
    if twice:
        return df.iloc[0:0], [Problem(file, None, ", ".join(twice), None,
                                      "column named twice (after the mapping, if any)")]
    missing = [c.name for c in spec.columns if c.required and c.name not in cols]
    unknown = [c for c in cols if c not in spec.names]
    whole = []
    if missing:
        whole.append(Problem(file, None, ", ".join(missing), None,
                             f"missing required column(s) for {table}"))
    if unknown:
        whole.append(Problem(file, None, ", ".join(unknown), None,
                             f"unknown column(s) for {table}: expected "
                             f"{', '.join(spec.names)} (a mapping file can rename them)"))
    if whole:
        return df.iloc[0:0], whole
    now = now or datetime.now(UTC)
    bad: dict[int, Problem] = {}
    typed = pd.DataFrame(index=df.index)

    def flag(mask: pd.Series, column: str, rule: str) -> None:
        for i in mask[mask].index:
            if i not in bad:
                bad[i] = Problem(file, int(i) + 1, column, str(df.at[i, column]), rule)

    for col in spec.columns:
        if col.name not in cols:
            typed[col.name] = None
            continue
        raw = df[col.name].astype(str).str.strip()
        empty = raw == ""
        if col.required:
            flag(empty, col.name, "required value is empty")
        if col.kind in (INT, FLOAT):
            num = pd.to_numeric(raw.where(~empty), errors="coerce")
            flag(~empty & num.isna(), col.name, f"not a number ({col.kind})")
            flag(num.notna() & ~np.isfinite(num), col.name, "not a finite number")
            if col.kind == INT:
                flag(num.notna() & (num.abs() >= 2**53), col.name, "number out of range")
                flag(num.notna() & (num % 1 != 0), col.name, "not a whole number")
            typed[col.name] = num.where(np.isfinite(num))
        elif col.kind in (TIMESTAMP, DATE):
            ts = parse_times(raw.where(~empty))
            flag(~empty & ts.isna(), col.name, "unparseable date")
            flag(ts.notna() & (ts > pd.Timestamp(now)), col.name, "timestamp in the future")
            typed[col.name] = ts.dt.date if col.kind == DATE else ts.dt.tz_localize(None)
        elif col.kind == BOOL:
            low = raw.str.lower()
            ok = low.isin(["true", "false", "1", "0", "yes", "no", "t", "f"])
            flag(~empty & ~ok, col.name, "not true/false")
            typed[col.name] = low.map(lambda v: None if v == "" else v in ("true", "1", "yes",
                                                                           "t"))
        else:
            if col.accepted:
                flag(~empty & ~raw.isin(col.accepted), col.name,
                     f"not an accepted value ({' | '.join(col.accepted)})")
            typed[col.name] = raw.where(~empty, None)
    # table rules
    key = spec.key[0]
    dup = df[key].astype(str).str.strip().duplicated(keep="first")
    flag(dup, key, "duplicate key within the file")
    if table == "survey_responses":
        s, lo, hi = typed["score"], typed["scale_min"], typed["scale_max"]
        flag(lo.notna() & hi.notna() & (lo >= hi), "scale_max", "scale_max not above scale_min")
        flag((typed["survey"] == "nps") & ((lo != 0) | (hi != 10)), "scale_max",
             "an NPS scale is 0–10")
        flag(s.notna() & lo.notna() & hi.notna() & ((s < lo) | (s > hi)), "score",
             "score outside its scale")
        e = typed["expectation_score"]
        flag(e.notna() & lo.notna() & hi.notna() & ((e < lo) | (e > hi)), "expectation_score",
             "score outside its scale")
    if table == "complaints":
        flag(typed["resolved_at"].notna() & (typed["resolved_at"] < typed["opened_at"]),
             "resolved_at", "resolution before opening")
        flag(typed["first_response_at"].notna()
             & (typed["first_response_at"] < typed["opened_at"]),
             "first_response_at", "first response before opening")
    if table == "transactions":
        flag(typed["amount"].notna() & (typed["amount"] < 0) & (typed["kind"] != "refund"),
             "amount", "negative amount where not a refund")
    if table == "customers":
        flag(typed["churn_date"].notna() & (typed["churn_date"] < typed["signup_date"]),
             "churn_date", "churn before signup")
    good = typed.drop(index=list(bad))
    return good.reset_index(drop=True), [bad[i] for i in sorted(bad)]


# --- mapping: source shapes onto the contract ------------------------------------------------

class MappingError(ValueError):
    """A mapping file that cannot be used, with its key named."""


@dataclass(frozen=True)
class TableMapping:
    """How one source table becomes a contract table."""

    columns: dict  # source column → contract column
    values: dict  # contract column → {source value → contract value}
    scales: dict  # survey → (scale_min, scale_max) for rows that do not carry their scale
    date_format: str | None = None  # strptime format of every timestamp/date column
    timezone: str | None = None  # the source's zone; converted to UTC
    files: tuple[str, ...] = ()  # file-name patterns (glob) of this table's source files


def load_mapping(path: Path | str) -> dict[str, TableMapping]:
    """A TOML (or YAML: ``.yaml``/``.yml``, the same structure) mapping file:
    ``[<table>.columns]``, ``[<table>.values.<column>]``,
    ``[<table>.scales]`` (``csat = [1, 5]``), ``<table>.date_format``, ``<table>.timezone``,
    ``<table>.files`` (file-name patterns that belong to the table)."""
    import tomllib
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        doc = (yaml.safe_load(text) if p.suffix.lower() in (".yaml", ".yml")
               else tomllib.loads(text))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"mapping {p.name}: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
        raise MappingError(f"mapping {p.name}: expected one section per table")
    out = {}
    for table, body in doc.items():
        if table not in CONTRACT:
            raise MappingError(f"mapping {p.name}: unknown table {table!r}")
        extra = sorted(set(body) - {"columns", "values", "scales", "date_format", "timezone",
                                    "files"})
        if extra:
            raise MappingError(f"mapping {p.name}: [{table}] unknown key(s) {', '.join(extra)}")
        names = CONTRACT[table].names
        cols = dict(body.get("columns", {}))
        wrong = [f"{src} → {dst}" for src, dst in cols.items() if dst not in names]
        if wrong:
            raise MappingError(f"mapping {p.name}: [{table}.columns] maps to unknown "
                               f"column(s): {', '.join(wrong)}")
        scales = {}
        for survey, pair in body.get("scales", {}).items():
            if (not isinstance(pair, list) or len(pair) != 2 or not pair[0] < pair[1]):
                raise MappingError(f"mapping {p.name}: [{table}.scales] {survey} must be "
                                   "[min, max] with min < max")
            scales[survey] = (float(pair[0]), float(pair[1]))
        tz = body.get("timezone")
        if tz:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise MappingError(f"mapping {p.name}: [{table}] unknown timezone {tz!r}") \
                    from None
        files = body.get("files", [])
        if isinstance(files, str):
            files = [files]
        values = {str(col): {str(k): str(v) for k, v in vals.items()}
                  for col, vals in body.get("values", {}).items()}
        out[table] = TableMapping(cols, values,
                                  scales, body.get("date_format"), tz, tuple(files))
    return out


def apply_mapping(table: str, df: pd.DataFrame, m: TableMapping | None) -> pd.DataFrame:
    """The source frame in the contract's shape: columns renamed, values mapped, missing
    scales filled per survey, timestamps parsed with the source format and zone and written
    as UTC ISO text (unparseable ones are left as they were, for ``validate`` to report)."""
    if m is None:
        return df
    out = df.rename(columns=m.columns).copy()
    if out.columns.duplicated().any():
        return out  # two columns with one name: validate refuses the file, naming them
    for col, mapping in m.values.items():
        if col in out.columns:
            out[col] = out[col].map(lambda v, mp=mapping: mp.get(v, v))
    if m.scales and "survey" in out.columns:
        for bound, i in (("scale_min", 0), ("scale_max", 1)):
            fill = out["survey"].map(lambda s, i=i: m.scales[s][i] if s in m.scales else None)
            if bound not in out.columns:
                out[bound] = ""
            blank = out[bound].astype(str).str.strip() == ""
            out.loc[blank & fill.notna(), bound] = fill[blank & fill.notna()].map(
                lambda v: f"{v:g}")
    if m.date_format or m.timezone:
        for col in CONTRACT[table].columns:
            if col.kind not in (TIMESTAMP, DATE) or col.name not in out.columns:
                continue
            raw = out[col.name].astype(str).str.strip()
            ts = pd.to_datetime(raw.where(raw != ""), format=m.date_format or "mixed",
                                errors="coerce")
            if m.timezone and col.kind == TIMESTAMP:  # a calendar date has no zone
                ts = ts.dt.tz_localize(m.timezone, ambiguous="NaT",
                                       nonexistent="NaT").dt.tz_convert("UTC")
            text = (ts.dt.strftime("%Y-%m-%d") if col.kind == DATE
                    else ts.dt.strftime("%Y-%m-%d %H:%M:%S"))
            out[col.name] = text.where(ts.notna(), raw)
    return out


# --- rules against what the warehouse already holds ------------------------------------------

def check_against(table: str, good: pd.DataFrame, file: str, customers: pd.DataFrame,
                  existing_keys: set | None = None, rows: pd.Series | None = None,
                  costed_from: dict | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed rows (``validate``'s good rows) that also meet the rules needing other data:
    every event's customer exists (in ``customers``: customer_id, signup_date — the loaded
    ones plus this load's), no event before the customer signed up, and no key already in the
    warehouse (``existing_keys``; a newer version of a row is the loader's business, not an
    error, so the loader passes only the keys it must not replace). ``rows`` gives each good
    row's data-row number in the file (default 1…n). For contacts, ``costed_from`` (channel →
    first day a cost per contact is in force) flags contacts whose week has no unit cost:
    cost to serve could not count them."""
    spec = CONTRACT[table]
    rows = pd.Series(range(1, len(good) + 1)) if rows is None else rows.reset_index(drop=True)
    good = good.reset_index(drop=True)
    bad: dict[int, Problem] = {}

    def flag(mask: pd.Series, column: str, rule: str) -> None:
        for i in mask[mask].index:
            if i not in bad:
                bad[i] = Problem(file, int(rows[i]), column, str(good.at[i, column]), rule)

    key = spec.key[0]
    if existing_keys:
        flag(good[key].isin(existing_keys), key, "duplicate key: already in the warehouse")
    if table != "customers" and "customer_id" in good.columns:
        signup = customers.drop_duplicates("customer_id", keep="last").set_index(
            "customer_id")["signup_date"]
        known = good["customer_id"].isin(signup.index)
        flag(~known, "customer_id", "unknown customer id")
        when = spec.event_column
        start = pd.to_datetime(good["customer_id"].map(signup))
        flag(known & good[when].notna() & (good[when] < start), when,
             "event before the customer signed up")
    if table == "contacts" and costed_from is not None:
        first = pd.to_datetime(good["channel"].map(costed_from))
        monday = good["occurred_at"].dt.normalize() - pd.to_timedelta(
            good["occurred_at"].dt.weekday, unit="D")
        flag(first.isna() | (monday < first), "occurred_at",
             "no cost per contact in force for this channel that week (assumptions)")
    kept = good.drop(index=list(bad)).reset_index(drop=True)
    return kept, [bad[i] for i in sorted(bad)]


def read_csv_dir(folder: Path) -> dict[str, pd.DataFrame]:
    """Raw tables from ``<folder>/<table>.csv`` (the fixture warehouse), typed by the contract
    exactly as ingest types them; ContractViolation if a file breaks a row rule. Assumptions
    from ``<folder>/assumptions.csv``, else the shipped defaults."""
    out: dict[str, pd.DataFrame] = {}
    for table in build.RAW_TABLES:
        path = folder / f"{table}.csv"
        if table == "assumptions":
            out[table] = build.read_assumptions(path if path.exists() else config.ASSUMPTIONS_CSV)
            continue
        good, problems = validate(table, read_file(path), path.name)
        if problems:
            raise build.ContractViolation("; ".join(str(p) for p in problems[:5]))
        out[table] = good
    return out
