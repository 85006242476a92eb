"""The Data page's logic: how fresh each raw table is, what the loads did, what sits in
quarantine, whether the contract checks pass, and loading uploaded files.

No Streamlit here: every function takes ``fetch`` (a named query runner, ``ui.common.fetch`` in
the app, ``db.cached_run`` over a warehouse in tests) and returns plain frames with display
column names; ``dashboard.ui.data`` draws them. Values stay values (timestamps, counts): the
page renders them as text cells, never as markdown or HTML.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from dashboard import i18n
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import localize
from dashboard.intake import contract, ingest
from dashboard.warehouse import catalog, config, db, weeks
from dashboard.warehouse.catalog import Fetch

#: The raw tables a file can be loaded into, in load order (customers first).
TABLES: tuple[str, ...] = tuple(contract.CONTRACT)
#: What the upload's table choice offers: those tables and the company's assumptions.
LOAD_TABLES: tuple[str, ...] = tuple(contract.LOADABLE)
#: The tables the page reads besides the raw ones: the load log, the quarantine, the history.
REQUIRED_TABLES: tuple[str, ...] = (
    *(f"raw.{t}" for t in TABLES), "ingest.loads", "ingest.quarantine",
    *(f"history.{t}" for t in TABLES))
#: File types the upload accepts (``contract.read_file`` reads them).
UPLOAD_TYPES: tuple[str, ...] = ("csv", "tsv", "txt", "parquet", "xlsx")
#: Mapping file types (``contract.load_mapping`` reads TOML, and YAML of the same structure).
MAPPING_TYPES: tuple[str, ...] = ("toml", "yaml", "yml")
#: Most rows the quarantine browser and a failing check show (and their downloads hold).
MAX_ROWS = 10_000
#: Characters of a file's SHA-256 shown in the load log (the whole one is in the warehouse).
CHECKSUM_CHARS = 12


#: The raw tables (and the assumptions a file can load) by their name in words: in Persian a
#: table reads as its name and its contract identifier, «مشتریان (customers)» (``table_name``).
TABLE_WORDS: dict[str, str] = {
    "customers": N_("Customers"), "survey_responses": N_("Survey responses"),
    "complaints": N_("Complaints"), "contacts": N_("Contacts"),
    "transactions": N_("Transactions"), "assumptions": N_("Assumptions")}
#: The column names of the page's tables, for the catalog: the screen shows them translated
#: (``on_screen``); the downloads keep them as they are (their contract).
COLUMNS: tuple[str, ...] = (
    N_("Table"), N_("Rows"), N_("Event column"), N_("First event"), N_("Last event"),
    N_("Latest event age (days)"), N_("Last load (UTC)"), N_("Last file"), N_("Loads"),
    N_("History rows"), N_("Quarantined rows"), N_("Load"), N_("Loaded at (UTC)"), N_("File"),
    N_("Read"), N_("New"), N_("Replaced"), N_("Unchanged"), N_("Quarantined"), N_("By rule"),
    N_("Mapping"), N_("Checksum"), N_("Archive"), N_("Run"), N_("Row"), N_("Column"),
    N_("Value"), N_("Rule"), N_("Record"), N_("Check"), N_("Purpose"), N_("Failing rows"),
    N_("Result"))
#: What each contract check (``queries/checks/``, its ``purpose`` header) is for, for the
#: catalog: the page shows a check's purpose translated (a test keeps this list whole).
CHECK_PURPOSES: tuple[str, ...] = (
    N_("Enumerated columns hold only their accepted values; returns each offending value."),
    N_("Every contact channel has a cost per contact in force in the weeks it is used."),
    N_("The repeat-contact cost mart counts and costs exactly the contacts of "
       "fct_contacts_weekly, and repeats never exceed contacts."),
    N_("Keys and required columns of the raw contract are never null; returns offending "
       "rows."),
    N_("Every event refers to a known customer; returns events with an unknown customer_id."),
    N_("Scores and expectation scores lie within their declared scale, and scales match the "
       "survey."),
    N_("Timestamps follow each other: response and resolution after opening, churn after "
       "signup."),
    N_("Primary keys of the raw contract are unique; returns each duplicated key."))
#: A check's verdict as the table writes it, in words for the screen.
RESULTS: dict[str, str] = {"pass": N_("pass"), "fail": N_("fail")}
#: Columns holding ids (a load's number, a row's number in its file): no thousands separator.
_ID_COLUMNS = frozenset({"Load", "Row"})


def code(value: object) -> str:
    """An identifier or a command line marked as code in a sentence (drawn in code type by
    ``ui.common.coded``); a backtick in it is dropped, so it cannot end the mark."""
    return f"`{str(value).replace('`', '')}`"


def table_name(table: str, as_code: bool = False) -> str:
    """A raw table as the reader reads it: English keeps the contract's identifier
    (``customers``); Persian gives its name and the identifier, «مشتریان (customers)», the
    identifier marked as code (``code``) when ``as_code`` (in a sentence)."""
    if i18n.current() == "en" or table not in TABLE_WORDS:
        return table
    return _("{name} ({table})", name=_(TABLE_WORDS[table]),
             table=code(table) if as_code else table)


def identifier(value: object) -> str:
    """A contract identifier (``signup_date``, ``customers.churn_date``, a check's name) in a
    sentence: as it is in English, marked as code in a right-to-left language."""
    return code(value) if i18n.is_rtl() else str(value)


def moment(value) -> str:
    """A timestamp as the reader reads it: ``2026-10-31 14:05`` in English; in Persian its
    Jalali day and the time in Persian digits («۹ آبان ۱۴۰۵، ۱۴:۰۵»)."""
    ts = pd.Timestamp(value)
    if i18n.current() == "en":
        return f"{ts:%Y-%m-%d %H:%M}"
    return _("{day}, {time}", day=weeks.day_display(ts.date()),
             time=localize(f"{ts:%H:%M}"))


def _cell(column: str, value):
    """One cell of a page table as the reader reads it (``on_screen``)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column == "Table":
        return table_name(str(value))
    if column == "Result":
        return _(RESULTS[value]) if value in RESULTS else value
    if column == "Purpose":
        return _(value) if value in CHECK_PURPOSES else value
    if column == "By rule":
        return rules_text(None, value)
    if isinstance(value, pd.Timestamp | datetime):
        return moment(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if column in _ID_COLUMNS:
            return localize(f"{int(value)}")
        return number(int(value)) if float(value).is_integer() else localize(f"{value:,}")
    return value


def on_screen(table: pd.DataFrame) -> pd.DataFrame:
    """A page table as it is drawn in the language of the moment: unchanged in English; in
    Persian its column names translated and its values as text — counts in Persian digits,
    timestamps as Jalali days with the time (``moment``), tables by name and identifier
    (``table_name``), checks' purposes and verdicts in words. Files, values and records stay as
    they are. Its downloads keep the frame as it was (their contract)."""
    if i18n.current() == "en":
        return table
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        shown = [_cell(column, v) for v in table[column].astype(object)]
        out[_(column) if column in COLUMNS else column] = pd.Series(
            shown, index=table.index, dtype=object)
    return out


def event_column(table: str) -> str:
    """The contract column that dates a row of ``table`` (its first timestamp or date)."""
    return contract.CONTRACT[table].event_column


def _now(now: datetime | None) -> pd.Timestamp:
    """``now`` (default: the current time) as a naive UTC timestamp, like the warehouse's."""
    now = now or datetime.now(UTC)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return pd.Timestamp(now)


def missing_tables(fetch: Fetch) -> list[str]:
    """The tables of ``REQUIRED_TABLES`` the warehouse lacks (one built before the load log
    existed); empty when the page can read everything. The next load creates them."""
    got = fetch("data_tables_present")
    present = set(got["table_schema"].astype(str) + "." + got["table_name"].astype(str))
    return [t for t in REQUIRED_TABLES if t not in present]


# --- 1. freshness ------------------------------------------------------------------------------

def freshness(fetch: Fetch, now: datetime | None = None) -> pd.DataFrame:
    """One row per raw table: rows, the event column and its first and last value, the age of
    the latest event in whole days at ``now`` (UTC), the latest load (time, file), the number
    of loads, the rows kept in history (replaced versions) and the rows quarantined."""
    df = fetch("data_table_status")
    at = _now(now)
    last = pd.to_datetime(df["last_event_at"])
    age = (at - last).dt.days
    return pd.DataFrame({
        "Table": df["table_name"].astype(str),
        "Rows": df["row_count"].astype("int64"),
        "Event column": df["event_column"].astype(str),
        "First event": pd.to_datetime(df["first_event_at"]),
        "Last event": last,
        "Latest event age (days)": age.astype("Int64"),
        "Last load (UTC)": pd.to_datetime(df["last_loaded_at"]),
        "Last file": df["last_file_name"].astype(object).where(df["last_file_name"].notna(),
                                                               None),
        "Loads": df["load_count"].astype("int64"),
        "History rows": df["history_rows"].astype("int64"),
        "Quarantined rows": df["quarantined_rows"].astype("int64"),
    })


def freshness_takeaway(table: pd.DataFrame) -> str:
    """One line: total rows, the stalest table that has rows, and empty tables."""
    if table.empty:
        return _("No raw tables.")
    total = int(table["Rows"].sum())
    filled = table[table["Rows"] > 0]
    empty = list(table.loc[table["Rows"] == 0, "Table"])
    if filled.empty:
        return _("Every raw table is empty: load files below.")
    stale = filled.loc[filled["Latest event age (days)"].astype("float").idxmax()]
    out = _("{rows} rows in {filled} of {tables} raw tables; the stalest is {table} (latest "
            "{column} {date}, {days} days ago).", rows=number(total), filled=number(len(filled)),
            tables=number(len(table)), table=table_name(stale["Table"], as_code=True),
            column=identifier(stale["Event column"]),
            date=weeks.day_display(pd.Timestamp(stale["Last event"]).date()),
            days=number(int(stale["Latest event age (days)"])))
    if empty:
        out = _("{sentence} Empty: {tables} — every figure, chart and slide that needs them "
                "says \"not loaded\" until they are loaded.", sentence=out,
                tables=i18n.commas(table_name(t, as_code=True) for t in empty))
    return out


def calendar_takeaway(fetch: Fetch) -> str:
    """One line: the data's as-of date and where it comes from, the weeks it spans with the
    table that sets each end, and the latest complete week."""
    cal = weeks.data_calendar(fetch)
    if cal.as_of is None or cal.first_week is None:
        return _("No loaded table carries a date yet: the calendar has no weeks.")
    source = as_of_source(cal.as_of_source)
    span = _("{first} ({first_source}) … {last} ({last_source})",
             first=weeks.week_display(cal.first_week), first_source=identifier(cal.start.name),
             last=weeks.week_display(cal.last_week), last_source=source)
    done = (_("latest complete week {week}", week=weeks.week_display(cal.latest_complete))
            if cal.latest_complete else _("no week is complete yet"))
    if weeks.current_week_start() == "saturday":
        return _("Data as of {date} ({source}); weeks run {span}; {done}. A week is complete "
                 "when the as-of date reaches its Friday; `ingest --as-of` (or the as-of date "
                 "below) sets a later one.", date=weeks.day_display(cal.as_of),
                 source=source, span=span, done=done)
    return _("Data as of {date} ({source}); weeks run {span}; {done}. A week is complete when "
             "the as-of date reaches its Sunday; `ingest --as-of` (or the as-of date below) "
             "sets a later one.", date=weeks.day_display(cal.as_of), source=source,
             span=span, done=done)


def as_of_source(source: str) -> str:
    """Where the as-of date comes from, in a sentence: as it is in English; in Persian the
    ``table.column`` as code, or «given with `ingest --as-of`» in words."""
    if not i18n.is_rtl():
        return source
    if source == weeks.GIVEN:
        return _("given with {command}", command=code("ingest --as-of"))
    return code(source)


def number(value: int) -> str:
    """A count with thousands separators, in the language of the moment."""
    return localize(f"{value:,}")


# --- 2. loads ----------------------------------------------------------------------------------

def rules_text(by_rule: str | None, shown: str | None = None) -> str:
    """The load log's ``by_rule`` JSON as ``rule: n; rule: n`` (empty when nothing was kept
    aside). ``shown`` (such a text, from the table) gives it back for the screen: its counts in
    the language's digits, the rules as they are."""
    if shown is not None:
        if i18n.current() == "en":
            return shown
        parts = [p.rpartition(": ") for p in shown.split("; ")] if shown else []
        return i18n.semicolons(f"{rule}: {localize(n)}" if sep else rule
                                  for rule, sep, n in parts)
    if not by_rule:
        return ""
    counts = json.loads(by_rule)
    return "; ".join(f"{rule}: {int(n):,}" for rule, n in counts.items())


def loads(fetch: Fetch) -> pd.DataFrame:
    """The load log, newest first: what became of each file's rows, the rules that kept rows
    aside, the mapping, the checksum (first ``CHECKSUM_CHARS`` characters) and the archived
    copy (relative to the archive folder)."""
    df = fetch("data_loads")
    return pd.DataFrame({
        "Load": df["load_id"].astype("int64"),
        "Loaded at (UTC)": pd.to_datetime(df["loaded_at"]),
        "File": df["file_name"].astype(str),
        "Table": df["table_name"].astype(str),
        "Read": df["rows_read"].astype("int64"),
        "New": df["rows_new"].astype("int64"),
        "Replaced": df["rows_replaced"].astype("int64"),
        "Unchanged": df["rows_unchanged"].astype("int64"),
        "Quarantined": df["rows_quarantined"].astype("int64"),
        "By rule": [rules_text(r) for r in df["by_rule"]],
        "Mapping": df["mapping_name"].fillna("").astype(str),
        "Checksum": df["checksum"].fillna("").astype(str).str[:CHECKSUM_CHARS],
        "Archive": df["archive_path"].fillna("").astype(str),
        "First event": pd.to_datetime(df["first_event_at"]),
        "Last event": pd.to_datetime(df["last_event_at"]),
        "Run": df["run_id"].astype(str),
    })


def loads_takeaway(table: pd.DataFrame) -> str:
    """One line: how many loads, rows loaded and rows quarantined, and the latest load (its
    number, table and time; file names stay in the table, as data)."""
    if table.empty:
        return _("No file has been loaded yet.")
    new, rep, q = (int(table[c].sum()) for c in ("New", "Replaced", "Quarantined"))
    latest = table.iloc[0]
    return _("{loads} file load(s): {new} rows new, {replaced} replaced, {quarantined} "
             "quarantined. Latest: load {load} into {table} at {time} UTC.",
             loads=number(len(table)), new=number(new), replaced=number(rep),
             quarantined=number(q), load=number(int(latest["Load"])),
             table=table_name(latest["Table"], as_code=True),
             time=moment(latest["Loaded at (UTC)"]))


# --- 3. quarantine -------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuarantineChoice:
    """What the quarantine browser shows: one load, table and rule each, or None for all."""

    load_id: int | None = None
    table: str | None = None
    rule: str | None = None

    def params(self, max_rows: int = MAX_ROWS) -> dict:
        """The bound parameters of ``data_quarantine_rows`` (an empty list means all)."""
        return {"load_ids": [] if self.load_id is None else [int(self.load_id)],
                "tables": [] if self.table is None else [self.table],
                "rules": [] if self.rule is None else [self.rule],
                "max_rows": int(max_rows)}

    def matches(self, summary: pd.DataFrame) -> pd.Series:
        """Which rows of ``quarantine_summary`` the choice covers."""
        keep = pd.Series(True, index=summary.index)
        if self.load_id is not None:
            keep &= summary["load_id"] == self.load_id
        if self.table is not None:
            keep &= summary["table_name"] == self.table
        if self.rule is not None:
            keep &= summary["rule"] == self.rule
        return keep


def quarantine_summary(fetch: Fetch) -> pd.DataFrame:
    """Quarantined rows per load, file, table and rule (load_id, file_name, table_name, rule,
    row_count: rows breaking the rule, problem_count: its problems, load_row_count: the load's
    quarantined rows, each counted once however many rules it broke), newest load first."""
    df = fetch("data_quarantine_summary")
    if not df.empty:
        for c in ("load_id", "row_count", "problem_count", "load_row_count"):
            df[c] = df[c].astype("int64")
    return df


def _rows_of(summary: pd.DataFrame, rule: str | None) -> int:
    """Quarantined rows in a summary's rows: per rule when one is chosen, else each load's rows
    once (a row breaking two rules is one row)."""
    if summary.empty:
        return 0
    if rule is not None:
        return int(summary["row_count"].sum())
    return int(summary.drop_duplicates(["load_id", "table_name"])["load_row_count"].sum())


@dataclass(frozen=True)
class QuarantineOptions:
    """The browser's choices: loads (id → label), tables and rules present in the quarantine;
    rules and tables narrowed to the chosen load (and table)."""

    loads: dict[int, str] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


def quarantine_options(summary: pd.DataFrame, load_id: int | None = None,
                       table: str | None = None) -> QuarantineOptions:
    """Choices for the browser: every load with quarantined rows (labelled with its file,
    table and count), the tables of the chosen load, the rules of the chosen load and table."""
    loads: dict[int, str] = {}
    for lid, grp in summary.groupby("load_id", sort=False):
        first = grp.iloc[0]
        loads[int(lid)] = _("load {load} · {file} → {table} · {rows} rows",
                            load=localize(str(int(lid))), file=first["file_name"],
                            table=table_name(str(first["table_name"])),
                            rows=number(_rows_of(grp, None)))
    scope = summary if load_id is None else summary[summary["load_id"] == load_id]
    tables = tuple(sorted(set(scope["table_name"].astype(str))))
    if table is not None:
        scope = scope[scope["table_name"] == table]
    rules = tuple(scope.groupby("rule", sort=False)["row_count"].sum()
                  .sort_values(ascending=False, kind="stable").index.astype(str))
    return QuarantineOptions(loads, tables, rules)


def quarantine_rows(fetch: Fetch, choice: QuarantineChoice,
                    max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The problems of the quarantined rows of the choice (at most ``max_rows``; a row breaking
    two rules is listed twice): load, file, table, row number in the file (1 = the first data
    row), column, value as written, rule (with its detail, e.g. the customer's signup date) and
    the source record (JSON of the row as written, with the mapping's column names)."""
    df = fetch("data_quarantine_rows", **choice.params(max_rows))
    detail = df["detail"].astype(object)
    rule = [f"{r} ({d})" if isinstance(d, str) and d else str(r)
            for r, d in zip(df["rule"], detail, strict=True)]
    return pd.DataFrame({
        "Load": df["load_id"].astype("int64"),
        "File": df["file_name"].astype(str),
        "Table": df["table_name"].astype(str),
        "Row": df["row_number"].astype("int64"),
        "Column": df["column_name"].astype(object),
        "Value": df["value"].astype(object),
        "Rule": pd.Series(rule, index=df.index, dtype=object),
        "Record": df["record"].astype(object),
    })


def quarantine_takeaway(summary: pd.DataFrame, choice: QuarantineChoice, shown: int) -> str:
    """One line: how many quarantined rows (and problems, when rows broke several rules) match
    the choice, and how many problems are shown."""
    chosen = summary[choice.matches(summary)] if len(summary) else summary
    total = _rows_of(chosen, choice.rule)
    if total == 0:
        return _("No quarantined rows match.")
    problems = int(chosen["problem_count"].sum())
    rows, many = number(total), number(problems)
    if shown >= problems:
        return (_("{rows} quarantined row(s) match ({problems} problems).", rows=rows,
                  problems=many) if problems > total
                else _("{rows} quarantined row(s) match.", rows=rows))
    if problems > total:
        return _("{rows} quarantined row(s) match ({problems} problems); the first {shown} "
                 "problems are shown and downloadable.", rows=rows, problems=many,
                 shown=number(shown))
    return _("{rows} quarantined row(s) match; the first {shown} are shown and "
             "downloadable.", rows=rows, shown=number(shown))


# --- 4. contract checks --------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    """One contract check (a query of ``queries/checks/``) and the rows it found failing."""

    name: str
    purpose: str
    failing: pd.DataFrame

    @property
    def passed(self) -> bool:
        return self.failing.empty


def run_checks(fetch: Fetch) -> list[CheckResult]:
    """Every contract check of ``queries/checks/`` on the warehouse, in catalog order."""
    return [CheckResult(q.name, q.purpose, fetch(q.name)) for q in catalog.layer_queries("checks")]


@dataclass(frozen=True)
class RecordedChecks:
    """The contract checks as the build or load that published this warehouse ran them."""

    results: list[CheckResult]  # failing rows are not kept: a frame of that many empty rows
    checked_at: datetime
    seconds: float


def recorded_checks(fetch: Fetch) -> RecordedChecks | None:
    """The latest recorded run of every contract check (``ingest.check_runs``, written by each
    build and load), or None when a check has no record (a warehouse from an older version):
    the page then runs them. Reading the record costs nothing; running the checks scans every
    raw table (a minute and a gigabyte at 1M customers)."""
    if "check_runs" not in set(fetch("data_tables_present")["table_name"]):
        return None
    runs = fetch("data_check_runs").set_index("check_name")
    checks = catalog.layer_queries("checks")
    if any(q.name not in runs.index for q in checks):
        return None
    results = [CheckResult(q.name, q.purpose,
                           pd.DataFrame(index=range(int(runs.loc[q.name, "failing_rows"]))))
               for q in checks]
    at = pd.Timestamp(runs.loc[[q.name for q in checks], "checked_at"].max()).to_pydatetime()
    return RecordedChecks(results, at, float(runs.loc[[q.name for q in checks], "seconds"].sum()))


def checks_table(results: Iterable[CheckResult]) -> pd.DataFrame:
    """Name, purpose, failing rows and the verdict of each check."""
    results = list(results)
    return pd.DataFrame({
        "Check": [r.name for r in results],
        "Purpose": [r.purpose for r in results],
        "Failing rows": pd.Series([len(r.failing) for r in results], dtype="int64"),
        "Result": ["pass" if r.passed else "fail" for r in results],
    })


def checks_takeaway(results: Iterable[CheckResult]) -> str:
    """One line: how many checks pass, and which fail."""
    results = list(results)
    failed = [r.name for r in results if not r.passed]
    if not failed:
        return _("All {count} contract checks pass.", count=number(len(results)))
    return _("{passed} of {count} contract checks pass; failing: {failed}.",
             passed=number(len(results) - len(failed)), count=number(len(results)),
             failed=i18n.commas(identifier(f) for f in failed))


# --- 5. uploads ----------------------------------------------------------------------------------

class Upload(Protocol):
    """What the upload needs of a file: Streamlit's ``UploadedFile`` or anything alike."""

    name: str

    def getvalue(self) -> bytes: ...


def upload_target() -> Path | None:
    """The warehouse file a load writes: the DuckDB file the app reads (``CX_WAREHOUSE_URL``);
    None when the app reads another engine (load it with that warehouse's own tools)."""
    url = config.warehouse_url()
    if url.startswith("duckdb:///") and url.removeprefix("duckdb:///") not in ("", ":memory:"):
        return config.default_db_path()
    return None


def safe_name(name: str, default: str = "upload") -> str:
    """An uploaded file's name as a plain file name (no folders, at most 200 bytes, the
    extension kept): it decides the table and names the archived copy."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1].replace("\0", "").strip()
    if base in ("", ".", ".."):
        base = default
    while len(base.encode("utf-8")) > 200:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[:-1]}{dot}{ext}" if dot and stem else base[:-1]
    return base


def _quiet(_: str) -> None:
    return None


def _write(upload: Upload, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    getbuffer = getattr(upload, "getbuffer", None)
    path.write_bytes(getbuffer() if callable(getbuffer) else upload.getvalue())


def ingest_uploads(files: Iterable[Upload], mapping: Upload | None = None,
                   table: str | None = None, dry_run: bool = False,
                   target: Path | None = None, progress: ingest.Progress | None = None,
                   now: datetime | None = None,
                   archive_dir: Path | None = None,
                   as_of: date | None = None) -> ingest.IngestReport:
    """Load uploaded files (what the Data page's buttons call).

    Each file is saved under its own name in a temporary folder (removed afterwards; accepted
    files are kept in the archive by the load), then ``ingest.ingest`` runs on them with their
    original names for its messages. ``table`` None detects the table from the file name or
    columns; ``as_of`` sets the data's as-of date (``ingest.ingest``). After a published load
    the query cache is cleared so every page reads the new data. Raises what ``ingest.ingest``
    raises: ``contract.MappingError`` (unusable mapping), ``ValueError`` (unknown table, an
    as-of date in the future), ``ingest.IngestBusy`` (another load is running).
    """
    files = list(files)
    target = Path(target or upload_target() or config.default_db_path())
    with tempfile.TemporaryDirectory(prefix="cx-upload-") as tmp:
        paths, names = [], {}
        for i, f in enumerate(files):
            path = Path(tmp) / f"{i:03d}" / safe_name(f.name)
            _write(f, path)
            paths.append(path)
            names[str(path)] = str(f.name)
        map_path = None
        if mapping is not None:
            map_path = Path(tmp) / "mapping" / safe_name(mapping.name, "mapping.toml")
            _write(mapping, map_path)
        report = ingest.ingest(paths, target=target, mapping=map_path, table=table,
                               dry_run=dry_run, now=now, archive_dir=archive_dir,
                               progress=progress or _quiet, names=names, as_of=as_of)
    if report.published:
        db.clear_cache()
    return report


def problems_table(report: ingest.IngestReport) -> pd.DataFrame:
    """Every problem of a load: file, row (empty for the whole file), column, value and rule
    (with its detail); a refused file is one row with the reason."""
    rows = []
    for f in report.files:
        if f.refused:
            rows.append((f.file, None, None, None, f.refused))
        for p in f.problems:
            rule = p.rule if p.detail is None else f"{p.rule} ({p.detail})"
            rows.append((p.file, p.row, p.column, p.value, rule))
    df = pd.DataFrame(rows, columns=["File", "Row", "Column", "Value", "Rule"])
    df["Row"] = df["Row"].astype("Int64")
    return df


def report_verdict(report: ingest.IngestReport) -> tuple[str, str]:
    """The kind of banner (``success``, ``warning``, ``error`` or ``info``) and its text, made
    of counts only (file names, values and reasons are in the summary lines and problems):
    success when every row of every file loaded, warning when rows were quarantined or files
    refused, error when nothing could be loaded, info for a dry run or nothing new."""
    refused = sum(1 for f in report.files if f.refused)
    rows, kept, files = number(report.loaded), number(report.quarantined), number(refused)
    if report.error:
        return "error", _("The load failed and nothing changed; the reason is in the summary.")
    if report.files and refused == len(report.files):
        return "error", (_("Nothing loaded: the file was refused; the reason is in the "
                           "summary.") if refused == 1 else
                         _("Nothing loaded: every file was refused; the reason is in the "
                           "summary."))
    if report.exit_code == 1 and not report.dry_run:
        return "error", _("Nothing loaded: {quarantined} row(s) quarantined, {refused} file(s) "
                          "refused (see the problems below); the warehouse keeps them in "
                          "quarantine.", quarantined=kept, refused=files)
    if report.dry_run:
        return "info", _("Dry run, nothing was loaded: {rows} row(s) would load, {quarantined} "
                         "would be quarantined, {refused} file(s) refused.", rows=rows,
                         quarantined=kept, refused=files)
    if not report.published:
        return "info", _("Nothing new to load; the warehouse is unchanged.")
    if not report.files:  # only the as-of date changed
        return "success", _("The data is now as of {date}; every page now reads it.",
                            date=weeks.day_display(report.as_of))
    if report.exit_code == 0:
        return "success", _("Loaded {rows} row(s); every page now reads the new data.",
                            rows=rows)
    return "warning", _("Loaded {rows} row(s); {quarantined} row(s) quarantined, {refused} "
                        "file(s) refused (see the problems below).", rows=rows,
                        quarantined=kept, refused=files)
