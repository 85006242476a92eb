"""The raw data contract as data (the tables, keys, columns and types of
``warehouse.schema``, listed in the README's "Data contract"), and the rules a loaded file
must meet.

File reading with whole-file refusals (one line each), per-row validation that names file, row,
column, value and rule (every problem of a row, not only its first), mapping files (TOML or YAML)
that bring another tool's shape onto the contract (renames, values, scales, date format and zone,
constants for missing columns, columns joined into one, the source's decimal and thousands
separators), the company's own assumptions file (checked by ``warehouse.assumption_rules``, the
Assumptions page's rules), and the rules that need what the warehouse already holds
(``check_against``: unknown customer, event before signup, contacts in weeks with no unit cost;
``check_assumptions``: the rule across keys). ``intake.ingest`` runs them and loads the rows that
pass.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.intake import limits as limits_mod
from dashboard.intake import values as vrules
from dashboard.intake.headers import (
    few,
    header_of,
    later_sheet,
    looks_like_values,
    restore_repeats,
    utf16_like,
)
from dashboard.intake.limits import Limits, mb
from dashboard.intake.values import TimeFormat
from dashboard.warehouse import assumption_rules
from dashboard.warehouse.numbers import (
    DECIMALS,
    THOUSANDS,
    NumberFormat,
    canonical,
    parse_numbers,
)
from dashboard.warehouse.schema import (  # noqa: F401  (the contract's tables, re-read here)
    ASSUMPTIONS,
    BOOL,
    CHANNELS,
    CONTRACT,
    DATE,
    FLOAT,
    ID_COLUMNS,
    INT,
    NAMES,
    TEXT,
    TIMESTAMP,
    Column,
    Table,
)

#: Every table a file can be loaded into: the contract's tables, then the company's assumptions.
LOADABLE: dict[str, Table] = {**CONTRACT, ASSUMPTIONS.name: ASSUMPTIONS}


class FileRefused(ValueError):
    """A file whose structure is unusable: refused whole, with one line saying why."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1-based data row (the header is row 0); None for the whole file
    column: str | None
    value: str | None
    rule: str  # the rule, the same words for every row that breaks it (counted by rule)
    detail: str | None = None  # what this row's case adds (e.g. the customer's signup date)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        col = "" if self.column is None else f", column {self.column}"
        val = "" if self.value is None else f", value {self.value!r}"
        more = "" if self.detail is None else f" ({self.detail})"
        return f"{where}{col}{val}: {self.rule}{more}"


def read_file(path: Path | str, limits: Limits | None = None) -> pd.DataFrame:
    """A CSV (any common delimiter, UTF-8 with or without BOM), Parquet or XLSX file as text
    columns; FileRefused naming the file and the reason when it is not a usable table, or when
    it is over one of the ``limits`` (file size, unpacked XLSX size, columns, field length;
    ``Limits.from_env()`` when not given). A Parquet column of lists, structures or bytes is
    refused (its text would not be the values)."""
    p = Path(path)
    suffix = p.suffix.lower()
    limits = limits or Limits.from_env()
    size = p.stat().st_size
    if size > limits.file_mb * 1e6:
        raise FileRefused(f"{p.name}: the file is {mb(size)}, over the limit of "
                          f"{mb(limits.file_mb * 1e6)} (CX_LIMIT_FILE_MB)")
    try:
        if suffix == ".parquet":
            _refuse(limits_mod.nested_column(p))
            df = pd.read_parquet(p)
            df = df.reset_index(drop=list(df.index.names) == [None])  # a stored index is data
        elif suffix in (".xlsx", ".xlsm"):
            _refuse(limits_mod.unpacked_over(p, limits))
            df = pd.read_excel(p, dtype=str, keep_default_na=False)
            df.columns = restore_repeats([str(c) for c in df.columns])
            if df.empty:
                later = later_sheet(p)
                if later is not None:
                    raise FileRefused(f"{p.name}: only the first sheet is read, and it holds "
                                      f"no data rows; the data is on sheet {later!r}: move it "
                                      "to the first sheet")
        elif suffix in (".csv", ".tsv", ".txt"):
            raw = p.read_bytes()
            if utf16_like(raw):
                raise FileRefused(f"{p.name}: not UTF-8 text (it looks like UTF-16 without a "
                                  "byte-order mark); save it as UTF-8")
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
                # the C parser ends a value at a NUL byte: the Python one keeps it, so the
                # row is quarantined for it rather than stored cut short
                df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                 index_col=False,
                                 engine="python" if "\x00" in text else "c")
            header = header_of(text, sep)
            if len(header) == len(df.columns):  # a name given twice stays twice
                df.columns = [h if h.strip() else c for h, c in zip(header, df.columns,
                                                                     strict=True)]
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
    if looks_like_values(list(df.columns), {n for t in LOADABLE.values() for n in t.names}):
        raise FileRefused(f"{p.name}: no header row: the first row holds values "
                          f"({few(list(df.columns), 4)}), not column names")
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed:") or not str(c).strip()]
    if unnamed and len(unnamed) == len(df.columns):
        raise FileRefused(f"{p.name}: no header row")
    if len(df.columns) > limits.columns:
        raise FileRefused(f"{p.name}: {len(df.columns):,} columns, over the limit of "
                          f"{limits.columns:,} (CX_LIMIT_COLUMNS)")
    out = _as_text(df).reset_index(drop=True)
    _refuse(limits_mod.long_value(p.name, out, limits))
    return out


def _refuse(why: str | None) -> None:
    if why:
        raise FileRefused(why)


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




#: The rule of a number with a comma in a table that declared no format (never guessed).
COMMA_RULE = "a comma in a number needs the mapping's decimal and thousands keys"


def _read_column(col: Column, raw: pd.Series, numbers: NumberFormat | None,
                 now: datetime | None, times: TimeFormat | None = None,
                 limits: Limits | None = None
                 ) -> tuple[pd.Series, list[tuple[pd.Series, str]]]:
    """One column's text (as the file writes it) typed by its contract kind, and the (mask,
    rule) pairs of the values that break a rule. Numbers, times, true/false and accepted values
    are read from the text without its surrounding spaces; an id is stored without them (the
    contract's one trim: ``" C-1 "`` is ``C-1``); any other text is stored exactly as given (a
    value of only spaces is empty). ``numbers``/``times``: the source's declared formats;
    ``now`` None: no "in the future" rule; ``limits``: plausibility bounds."""
    stripped = raw.str.strip()
    empty = stripped == ""
    rules: list[tuple[pd.Series, str]] = [(vrules.control_characters(raw), vrules.CONTROL_RULE)]
    if col.required:
        rules.append((empty, "required value is empty"))
    if col.kind in (INT, FLOAT):
        raw = stripped
        num = parse_numbers(raw, numbers)
        unread = ~empty & num.isna()
        if numbers is None:
            comma = unread & raw.where(unread, "").str.contains(",", regex=False) \
                if unread.any() else unread
            rules.append((unread & ~comma, f"not a number ({col.kind})"))
            rules.append((comma, f"not a number ({col.kind}): {COMMA_RULE}"))
        else:
            rules.append((unread, f"not a number in the declared format "
                                  f"({numbers.describe()})"))
        rules.append((num.notna() & ~np.isfinite(num), "not a finite number"))
        if col.kind == INT:
            rules.append((num.notna() & (num.abs() >= 2**53), "number out of range"))
            rules.append((num.notna() & (num % 1 != 0), "not a whole number"))
        rules += vrules.plausible(col.name, num, limits or Limits())
        return num.where(np.isfinite(num)), rules
    if col.kind in (TIMESTAMP, DATE):
        ts, more = vrules.read_times(stripped, times, col.kind == DATE)
        far = ~empty & ts.isna() & vrules.far_future(stripped)  # past what a timestamp holds (2262)
        rules += [(mask & ~far, rule) if rule == "unparseable date" else (mask, rule)
                  for mask, rule in more]
        if now is not None:
            rules.append(((ts.notna() & (ts > pd.Timestamp(now))) | far,
                          "timestamp in the future"))
        else:
            rules.append((far, "date too far in the future (after 2262)"))
        return (ts.dt.date if col.kind == DATE else ts.dt.tz_localize(None)), rules
    if col.kind == BOOL:
        low = stripped.str.lower()
        ok = low.isin(["true", "false", "1", "0", "yes", "no", "t", "f"])
        rules.append((~empty & ~ok, "not true/false"))
        return low.map(lambda v: None if v == "" else v in ("true", "1", "yes", "t")), rules
    if col.accepted:
        rules.append((~empty & ~stripped.isin(col.accepted),
                      f"not an accepted value ({' | '.join(col.accepted)})"))
        return stripped.where(~empty, None), rules
    text = stripped if col.name in ID_COLUMNS else raw
    return text.where(~empty, None), rules


def check_rows(table: str, df: pd.DataFrame, file: str, now: datetime | None = None,
               numbers: NumberFormat | None = None, date_format: str | None = None,
               timezone: str | None = None, ambiguous: str | None = None,
               limits: Limits | None = None, calendar: str | None = None
               ) -> tuple[pd.DataFrame, list[Problem]]:
    """Every row of ``df`` typed (None where a value could not be read) and every problem of
    every row, in row order (a row breaking three rules has three problems).

    Refusals of the whole file (wrong table, missing required columns, unknown columns, no
    rows) come back as problems with ``row`` None and no typed rows. ``numbers`` and
    ``date_format``/``timezone``/``ambiguous``/``calendar`` are the source's declared formats
    (its mapping's: ``TableMapping``; ``df`` is then ``convert``'s output); ``limits`` the
    plausibility bounds (``Limits.from_env()``)."""
    spec = LOADABLE.get(table)
    if spec is None:
        return df.iloc[0:0], [Problem(file, None, None, table,
                                      f"unknown table: one of {', '.join(LOADABLE)}")]
    if df.empty:
        return df, [Problem(file, None, None, None, "the file has no data rows")]
    df = df.reset_index(drop=True)
    cols = [str(c) for c in df.columns]
    twice = sorted({c for c in cols if cols.count(c) > 1})
    if twice:
        return df.iloc[0:0], [Problem(file, None, few(twice), None,
                                      "column named twice (after the mapping, if any)")]
    missing = [c.name for c in spec.columns if c.required and c.name not in cols]
    unknown = [c for c in cols if c not in spec.names]
    whole = []
    if missing:
        whole.append(Problem(file, None, ", ".join(missing), None,
                             f"missing required column(s) for {table}"))
    if unknown:
        whole.append(Problem(file, None, few(unknown), None,
                             f"unknown column(s) for {table}: expected "
                             f"{', '.join(spec.names)} (a mapping file can rename them)"))
    if whole:
        return df.iloc[0:0], whole
    # an assumption may be planned ahead: valid_from in the future is no error
    now = None if table not in CONTRACT else (now or datetime.now(UTC))
    found: list[Problem] = []
    typed = pd.DataFrame(index=df.index)
    times = TimeFormat(date_format, timezone, ambiguous, calendar)
    limits = limits or Limits.from_env()

    def flag(mask: pd.Series, column: str, rule: str) -> None:
        for i in mask[mask].index:
            found.append(Problem(file, int(i) + 1, column, str(df.at[i, column]), rule))

    for col in spec.columns:
        if col.name not in cols:
            typed[col.name] = None
            continue
        values, rules = _read_column(col, df[col.name].astype(str), numbers, now, times,
                                     limits)
        typed[col.name] = values
        for mask, rule in rules:
            flag(mask, col.name, rule)
    # table rules
    if len(spec.key) == 1:
        dup = df[spec.key[0]].astype(str).str.strip().duplicated(keep="first")
    else:
        dup = typed[list(spec.key)].notna().all(axis=1) & typed[list(spec.key)].duplicated()
    flag(dup, spec.key[0], "duplicate key within the file" if table in CONTRACT
         else "the same key and valid_from twice in the file")
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
        flag(typed["amount"].notna() & (typed["amount"] >= 0) & (typed["kind"] == "refund"),
             "amount", "a refund's amount must be negative")
    if table == "customers":
        flag(typed["churn_date"].notna() & (typed["churn_date"] < typed["signup_date"]),
             "churn_date", "churn before signup")
    if table == ASSUMPTIONS.name:
        _assumption_values(typed, numbers, flag)
    found.sort(key=lambda p: p.row)  # stable: a row's problems in the order found
    return typed, found


def _assumption_values(typed: pd.DataFrame, numbers: NumberFormat | None, flag) -> None:
    """The Assumptions page's rules on every row of an assumptions file: a known key, a value
    that meets the key's rule (``warehouse.assumption_rules``). Good values are written back
    as the warehouse keeps them (numbers as plain text: ``0,35`` declared as decimal ',' is
    stored as ``0.35``)."""
    keys, values = typed["key"], typed["value"]
    known = keys.map(lambda k: isinstance(k, str) and assumption_rules.known_key(k)).astype(bool)
    flag(keys.notna() & ~known, "key",
         f"unknown assumption key (known: {assumption_rules.KNOWN_KEYS})")
    fmt = numbers or assumption_rules.PAGE_NUMBERS
    stored, refused = {}, {}
    for i in keys.index[known & values.notna()]:
        key = keys[i]
        try:
            v = assumption_rules.parse_value(key, values[i], fmt)
        except assumption_rules.AssumptionError:
            refused.setdefault(f"{key} must be {assumption_rules.spec_for(key).rule()}",
                               []).append(i)
            continue
        stored[i] = canonical(v) if isinstance(v, float) else v
    for rule, idx in refused.items():
        flag(pd.Series(keys.index.isin(idx), index=keys.index), "value", rule)
    typed["value"] = pd.Series(stored, dtype=object).reindex(typed.index).where(
        lambda s: s.notna(), values)


def validate(table: str, df: pd.DataFrame, file: str, now: datetime | None = None,
             numbers: NumberFormat | None = None, date_format: str | None = None,
             timezone: str | None = None, ambiguous: str | None = None
             ) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows that meet every rule of ``table`` (typed) and every problem of the others
    (``check_rows``); a whole-file refusal leaves no good rows."""
    typed, problems = check_rows(table, df, file, now, numbers, date_format, timezone, ambiguous)
    if any(p.row is None for p in problems):
        return typed.iloc[0:0], problems
    bad = {p.row - 1 for p in problems}
    return typed.drop(index=list(bad)).reset_index(drop=True), problems


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
    #: contract column → one value for every row, for a column the source lacks (written as
    #: the file writes its values: same number format, date format, value mapping)
    defaults: dict = field(default_factory=dict)
    #: contract column → source columns whose texts are joined with a space (a date and a time)
    combine: dict = field(default_factory=dict)
    #: how the source writes numbers (``decimal``/``thousands``); None: plain ``1234.5``
    numbers: NumberFormat | None = None
    #: which reading of an ambiguous local time to take ("earlier"/"later"); None: quarantine
    ambiguous: str | None = None
    #: the calendar of the source's dates ("jalali" needs a date_format); None: Gregorian
    calendar: str | None = None

    @property
    def times(self) -> TimeFormat:
        """How the source writes its times."""
        return TimeFormat(self.date_format, self.timezone, self.ambiguous, self.calendar)


#: A mapping file's largest size (a real one is a few kilobytes).
MAPPING_BYTES = 1_000_000

_MAPPING_KEYS = ("files", "columns", "values", "scales", "date_format", "timezone", "ambiguous",
                 "calendar", "defaults", "combine", "decimal", "thousands")


def load_mapping(path: Path | str) -> dict[str, TableMapping]:
    """A TOML (or YAML: ``.yaml``/``.yml``, the same structure) mapping file:
    ``[<table>.columns]``, ``[<table>.values.<column>]``, ``[<table>.scales]``
    (``csat = [1, 5]``), ``[<table>.defaults]`` (``region = "All"``), ``[<table>.combine]``
    (``occurred_at = ["Date", "Time"]``), ``<table>.date_format``, ``<table>.timezone``,
    ``<table>.ambiguous`` (``"earlier"``/``"later"``), ``<table>.calendar`` (``"jalali"``
    with a ``date_format``: Jalali dates), ``<table>.decimal`` and
    ``<table>.thousands`` (``","`` and ``"."`` for ``1.234,5``),
    ``<table>.files`` (file-name patterns that belong to the table). ``<table>`` is a contract
    table or ``assumptions``; a ``[warehouse]`` section (how a new warehouse counts time) is
    ``calendar_setting``'s. MappingError, one line naming the key, for anything unusable."""
    p = Path(path)
    doc = _mapping_doc(p)
    doc.pop("warehouse", None)  # how the warehouse counts time: ``calendar_setting``
    try:
        return _mappings(doc, p.name)
    except MappingError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever else is malformed: one line, no trace
        raise MappingError(f"mapping {p.name}: cannot be used ({type(exc).__name__}: "
                           f"{' '.join(str(exc).split())[:200]})") from None


def _mapping_doc(p: Path) -> dict:
    """The parsed document of a mapping file (``load_mapping``)."""
    import tomllib

    import yaml

    try:
        if p.stat().st_size > MAPPING_BYTES:
            raise MappingError(f"mapping {p.name}: {mb(p.stat().st_size)}, over the limit of "
                               f"{mb(MAPPING_BYTES)} for a mapping file")
        text = p.read_text(encoding="utf-8")
        is_yaml = p.suffix.lower() in (".yaml", ".yml")
        if is_yaml and any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text)):
            # read event by event: nothing is expanded, so an alias bomb costs nothing
            raise MappingError(f"mapping {p.name}: YAML aliases (*name) are not accepted; "
                               "write each value out")
        doc = yaml.safe_load(text) if is_yaml else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"mapping {p.name}: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict):
        raise MappingError(f"mapping {p.name}: expected one section per table, such as "
                           "[contacts]")
    return doc


def _mappings(doc: dict, name: str) -> dict[str, TableMapping]:
    """The parsed mapping document's tables (``load_mapping``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    out, _ = {}, vrules.display_names(doc.pop("display_names", {}))  # names, not a table
    for table, body in doc.items():
        if table not in LOADABLE:
            raise MappingError(f"mapping {name}: unknown table {table!r}")
        if not isinstance(body, dict):
            raise MappingError(f"mapping {name}: [{table}] must be a table of settings "
                               f"(columns, values, …), not {type(body).__name__}")
        extra = sorted(str(k) for k in set(body) - set(_MAPPING_KEYS))
        if extra:
            raise MappingError(f"mapping {name}: [{table}] unknown key(s) {', '.join(extra)}")
        at = f"mapping {name}: [{table}"
        names = LOADABLE[table].names
        cols = {str(k): v for k, v in _section(body, "columns", at).items()}
        wrong = [f"{src} → {dst}" for src, dst in cols.items() if dst not in names]
        if wrong:
            raise MappingError(f"{at}.columns] maps to unknown column(s): {', '.join(wrong)}")
        scales = {}
        for survey, pair in _section(body, "scales", at).items():
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(x, int | float) for x in pair) or not pair[0] < pair[1]):
                raise MappingError(f"{at}.scales] {survey} must be [min, max] with min < max")
            scales[survey] = (float(pair[0]), float(pair[1]))
        tz = body.get("timezone")
        if tz:
            try:
                ZoneInfo(str(tz))
            except (ZoneInfoNotFoundError, ValueError):
                raise MappingError(f"{at}] unknown timezone {tz!r}") from None
        fmt = body.get("date_format")
        if fmt is not None and not (isinstance(fmt, str) and fmt.strip()):
            raise MappingError(f"{at}] date_format must be a strptime format such as "
                               "'%d/%m/%Y'")
        files = body.get("files", [])
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise MappingError(f"{at}] files must be a file-name pattern or a list of them")
        values = {}
        for col, vals in _section(body, "values", at).items():
            if not isinstance(vals, dict):
                raise MappingError(f"{at}.values.{col}] must be a table of source value = "
                                   "contract value")
            odd = [str(k) for k, v in vals.items() if not isinstance(v, str | int | float)]
            if odd:
                raise MappingError(f"{at}.values.{col}] {odd[0]}: the contract value must be "
                                   "text or a number")
            values[str(col)] = {str(k): str(v) for k, v in vals.items()}
        ambiguous = body.get("ambiguous")
        if ambiguous is not None and ambiguous not in vrules.AMBIGUOUS:
            raise MappingError(f"{at}] ambiguous must be \"earlier\" or \"later\" (which "
                               "reading of a local time the clocks passed twice)")
        if problem := vrules.calendar_problem(calendar := body.get("calendar"), fmt):
            raise MappingError(f"{at}] {problem}")
        m = TableMapping(cols, values, scales, fmt, tz, tuple(files),
                         combine=_combine(body, at, table, cols),
                         numbers=_number_format(body, at), ambiguous=ambiguous,
                         calendar=None if calendar == "gregorian" else calendar)
        out[table] = replace(m, defaults=_defaults(body, at, table, m))
    return out


def _section(body: dict, key: str, at: str) -> dict:
    """``body[key]`` as a table (empty when absent); MappingError naming it otherwise."""
    value = body.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(f"{at}.{key}] must be a table of names and values")
    return value


def _number_format(body: dict, at: str) -> NumberFormat | None:
    """The declared ``decimal``/``thousands`` (None when neither is given)."""
    dec, th = body.get("decimal"), body.get("thousands")
    if dec is None and th is None:
        return None
    if dec is not None and dec not in DECIMALS:
        raise MappingError(f"{at}] decimal {dec!r}: must be one of "
                           f"{', '.join(repr(d) for d in DECIMALS)}")
    if th is not None and th not in THOUSANDS:
        raise MappingError(f"{at}] thousands {th!r}: must be one of "
                           f"{', '.join(repr(t) for t in THOUSANDS)} ('' for none)")
    fmt = NumberFormat(dec or ".", th or "")
    if fmt.thousands == fmt.decimal:
        raise MappingError(f"{at}] thousands {fmt.thousands!r}: must differ from the decimal "
                           f"mark {fmt.decimal!r}")
    return fmt


def _combine(body: dict, at: str, table: str, cols: dict) -> dict:
    """``[<table>.combine]``: contract column → the source columns joined into it."""
    out = {}
    for dst, srcs in _section(body, "combine", at).items():
        if dst not in LOADABLE[table].names:
            raise MappingError(f"{at}.combine] {dst}: not a column of {table}")
        if not (isinstance(srcs, list) and len(srcs) >= 2
                and all(isinstance(c, str) and c.strip() for c in srcs)):
            raise MappingError(f"{at}.combine] {dst} must be a list of two or more source "
                               "column names")
        if dst in cols.values():
            raise MappingError(f"{at}.combine] {dst}: also the target of [{table}.columns]; "
                               "make it one way")
        out[str(dst)] = tuple(srcs)
    return out


def _defaults(body: dict, at: str, table: str, m: TableMapping) -> dict:
    """``[<table>.defaults]``: contract column → the text every row gets, each checked now
    against its column's rules (a bad constant would quarantine every row)."""
    spec = LOADABLE[table]
    out = {}
    for dst, value in _section(body, "defaults", at).items():
        where = f"{at}.defaults] {dst}"
        if dst not in spec.names:
            raise MappingError(f"{where}: not a column of {table}")
        if dst in spec.key:
            raise MappingError(f"{where}: a key cannot be one value for every row")
        if dst in m.columns.values() or dst in m.combine:
            raise MappingError(f"{where}: also made by [{table}.columns] or [{table}.combine]; "
                               "make it one way")
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = canonical(float(value)) if isinstance(value, float) else str(value)
            if m.numbers is not None:
                text = text.replace(".", m.numbers.decimal)
        elif isinstance(value, str):
            text = value
        else:
            raise MappingError(f"{where} must be text, a number or true/false")
        shaped = convert(table, pd.DataFrame({dst: [text]}), m)[dst].astype(str)
        _, rules = _read_column(spec.column(dst), shaped, m.numbers, None, m.times)
        broken = [rule for mask, rule in rules if bool(mask.iloc[0])]
        if broken:
            raise MappingError(f"{where} = {text!r}: {broken[0]}")
        out[str(dst)] = text
    return out


def _join(parts: pd.DataFrame) -> pd.Series:
    """Each row's texts joined with one space (empty parts left out)."""
    texts = parts.astype(str).apply(lambda c: c.str.strip())
    out = texts.iloc[:, 0]
    for c in range(1, texts.shape[1]):
        out = out.str.cat(texts.iloc[:, c], sep=" ")
    return out.str.replace(r" {2,}", " ", regex=True).str.strip()


def shape(table: str, df: pd.DataFrame, m: TableMapping | None) -> pd.DataFrame:
    """The source frame with the contract's column names, its text as written: columns
    combined (``combine``, their sources dropped unless also renamed), renamed, and the
    ``defaults`` added. FileRefused (one line naming the mapping key) when a source column of
    ``combine`` is missing, or the file already has a column that ``combine`` or ``defaults``
    would make."""
    if m is None:
        return df
    sources = {c for srcs in m.combine.values() for c in srcs}
    missing = sorted(sources - {str(c) for c in df.columns})
    if missing:
        raise FileRefused(f"column(s) {', '.join(missing)} named in [{table}.combine] are not "
                          "in the file")
    made = {dst: _join(df[list(srcs)]) for dst, srcs in m.combine.items()}
    out = df.drop(columns=sorted(sources - set(m.columns))).rename(columns=m.columns)
    for dst, values in made.items():
        if dst in out.columns:
            raise FileRefused(f"column {dst} is in the file and [{table}.combine] {dst} would "
                              "make it too; remove one of them")
        out[dst] = values
    for dst, text in m.defaults.items():
        if dst in out.columns:
            raise FileRefused(f"column {dst} is in the file and has a default in the mapping "
                              f"([{table}.defaults] {dst}); remove one of them")
        out[dst] = text
    return out


def convert(table: str, df: pd.DataFrame, m: TableMapping | None) -> pd.DataFrame:
    """A frame with contract names (``shape``'s) in the contract's text: values mapped and
    missing scales filled per survey. Times stay as written: ``check_rows`` reads them with the
    mapping's ``date_format``, ``timezone`` and ``ambiguous`` (``TableMapping.times``)."""
    if m is None:
        return df
    out = df.copy()
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
    return out


def apply_mapping(table: str, df: pd.DataFrame, m: TableMapping | None) -> pd.DataFrame:
    """The source frame in the contract's shape and text: ``shape`` then ``convert``."""
    return convert(table, shape(table, df, m), m)


def ignored_columns(table: str, df: pd.DataFrame) -> list[str]:
    """The columns of a shaped frame that the table does not have (the mapping did not name
    them): ingest leaves them out and lists them, once the file has the required ones."""
    names = LOADABLE[table].names
    return [str(c) for c in df.columns if str(c) not in names]


# --- rules against what the warehouse already holds ------------------------------------------

def check_against(table: str, good: pd.DataFrame, file: str, customers: pd.DataFrame,
                  existing_keys: set | None = None, rows: pd.Series | None = None,
                  costed_from: dict | None = None, currency: str | None = None,
                  limits: Limits | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed rows (``validate``'s good rows, or ``check_rows``' rows) that also meet the
    rules needing other data, and every problem found: every event's customer exists (in
    ``customers``: customer_id, signup_date — the loaded ones plus this load's), no event
    before the customer signed up (the problem's detail gives the signup date), and no key
    already in the warehouse (``existing_keys``; a newer version of a row is the loader's
    business, not an error, so the loader passes only the keys it must not replace). ``rows``
    gives each row's data-row number in the file (default 1…n). For contacts, ``costed_from``
    (channel → first day a cost per contact is in force) flags contacts whose week has no unit
    cost: cost to serve could not count them. Amounts (``amount``, ``compensation_amount``)
    must lie within the plausibility bound of the warehouse's ``currency``
    (``Limits.amount_bound``)."""
    spec = CONTRACT[table]
    rows = pd.Series(range(1, len(good) + 1)) if rows is None else rows.reset_index(drop=True)
    good = good.reset_index(drop=True)
    found: list[Problem] = []

    def flag(mask: pd.Series, column: str, rule: str, detail: pd.Series | None = None) -> None:
        for i in mask[mask].index:
            found.append(Problem(file, int(rows[i]), column, str(good.at[i, column]), rule,
                                 None if detail is None else str(detail[i])))

    key = spec.key[0]
    bound = (limits or Limits.from_env()).amount_bound(currency)
    for money in ("amount", "compensation_amount"):
        if money in good.columns:
            value = pd.to_numeric(good[money], errors="coerce")
            flag(value.notna() & (value.abs() > bound), money,
                 f"{money} beyond the plausible bound of {bound:,.0f} {currency or 'units'} "
                 "(CX_MAX_AMOUNT, per currency)")
    if existing_keys:
        flag(good[key].isin(existing_keys), key, "duplicate key: already in the warehouse")
    if table != "customers" and "customer_id" in good.columns:
        signup = customers.drop_duplicates("customer_id", keep="last").set_index(
            "customer_id")["signup_date"]
        known = good["customer_id"].isin(signup.index)
        flag(good["customer_id"].notna() & ~known, "customer_id", "unknown customer id")
        when = spec.event_column
        start = pd.to_datetime(good["customer_id"].map(signup))
        flag(known & good[when].notna() & (good[when] < start), when,
             "event before the customer signed up", "signed up " + start.dt.strftime("%Y-%m-%d"))
    if table == "contacts" and costed_from is not None:
        first = pd.to_datetime(good["channel"].map(costed_from))
        monday = good["occurred_at"].dt.normalize() - pd.to_timedelta(
            good["occurred_at"].dt.weekday, unit="D")
        # a channel outside the contract has its own problem: no second one for its cost
        flag(good["occurred_at"].notna() & good["channel"].isin(CHANNELS)
             & (first.isna() | (monday < first)), "occurred_at",
             "no cost per contact in force for this channel that week (assumptions)")
    found.sort(key=lambda p: p.row)
    kept = good[~rows.isin({p.row for p in found})].reset_index(drop=True)
    return kept, found


def check_assumptions(good: pd.DataFrame, file: str, existing: pd.DataFrame,
                      rows: pd.Series | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """An assumptions file's typed rows that keep the rule across keys
    (``assumption_rules.check_together``: the realisation range not upside down) on every date
    from the file's first ``valid_from`` on, together with the warehouse's rows (``existing``:
    key, valid_from, value; a file row replaces the stored one of the same key and date). A
    row in force where the rule breaks is flagged; the problem's detail is the rule's message."""
    rows = pd.Series(range(1, len(good) + 1)) if rows is None else rows.reset_index(drop=True)
    good = good.reset_index(drop=True)
    cells: dict[tuple[str, object], tuple[str, int | None]] = {
        (k, d): (str(v), None) for k, d, v in zip(existing["key"], existing["valid_from"],
                                                  existing["value"], strict=True)}
    usable = good["key"].notna() & good["valid_from"].notna() & good["value"].notna()
    for i in good.index[usable]:
        cells[(good.at[i, "key"], good.at[i, "valid_from"])] = (str(good.at[i, "value"]), i)
    starts = [d for d in good.loc[usable, "valid_from"]]
    found: dict[int, Problem] = {}
    for day in sorted({d for _, d in cells if starts and d >= min(starts)}):
        latest: dict[str, tuple[object, str, int | None]] = {}
        for (k, d), (v, i) in cells.items():
            if d <= day and (k not in latest or d > latest[k][0]):
                latest[k] = (d, v, i)
        values = {}
        for k, (_, v, _) in latest.items():
            try:
                values[k] = assumption_rules.parse_value(k, v)
            except assumption_rules.AssumptionError:
                continue
        try:
            assumption_rules.check_together(values)
        except assumption_rules.AssumptionError as exc:
            for k, (_, v, i) in latest.items():
                if i is not None and i not in found and re.search(rf"\b{k}\b", str(exc)):
                    found[i] = Problem(file, int(rows[i]), "value", v,
                                       "breaks a rule across keys", str(exc))
    problems = sorted(found.values(), key=lambda p: p.row)
    kept = good[~rows.isin({p.row for p in problems})].reset_index(drop=True)
    return kept, problems
