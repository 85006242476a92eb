"""Bring your own data: files in, validated against the contract, loaded atomically.

One run (``python -m dashboard ingest`` or the Data page) takes any number of CSV, Parquet or
XLSX files (or folders of them: ``files_in``), each for one raw table or the company's
assumptions (named by ``--table``, by the mapping's ``files`` patterns, by the file name, or
recognised from its columns), and:

1. reads, maps and validates every file (``dashboard.intake.contract``); a file whose structure is
   unusable is refused whole with one line; columns the mapping and the contract do not name are
   left out and listed; rows that break a rule are kept aside with every rule they break;
2. copies the warehouse to a temporary file beside it and, in the copy: checks the rules that
   need loaded data (unknown customer, event before signup, key already used by another
   customer), loads new rows, replaces older versions by key (the old version goes to
   ``history.<table>``), writes every problem of the refused rows to ``ingest.quarantine`` and
   one row per file to ``ingest.loads``; rebuilds staging and marts and runs every contract
   check. A new warehouse starts with CX Ledger's neutral assumptions
   (``data/default_assumptions.csv``: no programme, no targets, currency XXX), never the demo's;
   a company's assumptions file adds its own values over them, key by key;
3. archives each accepted file under its checksum and swaps the copy in with one rename.

A failure or a kill at any point before the rename leaves the previous warehouse as it was (the
app keeps reading it throughout); after it, the new one is complete. Loading the same bytes into
the same table with the same mapping again changes nothing; rows identical to the stored ones are
counted as unchanged. ``dry_run`` does all of it except the archive and the swap.

The as-of date (the end of the calendar) is kept in the warehouse (``ingest.settings``): one given
with ``as_of`` must not be earlier than the latest date the data carries (the run is refused,
naming that date and its table: nothing is ever cut) nor in the future; a later run without it
keeps the stored one while the data stays within it, and drops it (saying so) when newer data
goes past it — the as-of date is then the data's latest date again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import fnmatch
import hashlib
import json
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.intake import archive as archives
from dashboard.intake import calendar_setting, contract
from dashboard.intake.contract import ASSUMPTIONS, CONTRACT, LOADABLE, FileRefused, Problem
from dashboard.warehouse import build, config, steps
from dashboard.warehouse.build import Builder
from dashboard.warehouse.steps import AS_OF_KEY, as_of_setting
from dashboard.warehouse.weeks import DataCalendar, calendar_of

#: Tables in load order: the company's assumptions first (contacts are checked against the unit
#: costs in force), then customers, so events can be checked against this run's customers.
TABLE_ORDER = (ASSUMPTIONS.name, *CONTRACT)
#: The file types a folder given to ``ingest`` contributes (``contract.read_file`` reads them).
SUPPORTED = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm")
#: Fault injection for the kill tests: the process stops itself (SIGSTOP) at this stage.
STOP_ENV = "CX_INGEST_STOP_AT"
STAGES = ("validated", "copied", "loaded", "built", "archived")
LOCK_WAIT_SECONDS = 60

Progress = Callable[[str], None]


class IngestBusy(RuntimeError):
    """Another load holds the warehouse's lock."""


class AsOfRefused(ValueError):
    """A given as-of date is earlier than the data (it would cut rows off the calendar)."""


@dataclass
class FileReport:
    """What became of one file."""

    file: str
    table: str | None = None
    checksum: str | None = None
    size_bytes: int = 0
    rows_read: int = 0
    rows_new: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused: str | None = None  # why the whole file was refused (one line)
    repeat_of: int | None = None  # the earlier load of the same bytes: nothing to do
    load_id: int | None = None
    archive: str | None = None
    ignored: list[str] = field(default_factory=list)  # source columns left out (not named)

    @property
    def quarantined(self) -> int:
        """Rows kept aside (a row with several problems counts once)."""
        return len({p.row for p in self.problems if p.row is not None})

    @property
    def loaded(self) -> int:
        return self.rows_new + self.rows_replaced

    @property
    def by_rule(self) -> dict[str, int]:
        """Problems per rule (a row breaking two rules counts under each)."""
        return dict(Counter(p.rule for p in self.problems if p.row is not None).most_common())

    def line(self) -> str:
        """One line for the summary."""
        if self.refused:
            return f"{self.file}: refused — {self.refused}"
        ignored = f"; ignored columns: {contract.few(self.ignored)}" if self.ignored else ""
        if self.repeat_of is not None:
            return (f"{self.file} → {self.table}: already loaded (load {self.repeat_of}); "
                    "nothing changed")
        rules = "; ".join(f"{rule}: {n:,}" for rule, n in self.by_rule.items())
        kept = " (old versions kept in history)" if self.rows_replaced else ""
        return (f"{self.file} → {self.table}: {self.rows_read:,} rows read, "
                f"{self.rows_new:,} new, {self.rows_replaced:,} replaced{kept}, "
                f"{self.rows_unchanged:,} unchanged, {self.quarantined:,} quarantined"
                + (f" ({rules})" if rules else "") + ignored)

    def to_json(self) -> dict:
        return {"file": self.file, "table": self.table, "checksum": self.checksum,
                "rows_read": self.rows_read, "rows_new": self.rows_new,
                "rows_replaced": self.rows_replaced, "rows_unchanged": self.rows_unchanged,
                "rows_quarantined": self.quarantined, "by_rule": self.by_rule,
                "ignored_columns": self.ignored,
                "refused": self.refused, "repeat_of": self.repeat_of, "load_id": self.load_id,
                "archive": self.archive, "problems": [str(p) for p in self.problems[:50]]}


@dataclass
class IngestReport:
    """What a run did, file by file."""

    files: list[FileReport]
    dry_run: bool
    published: bool = False
    error: str | None = None
    seconds: float = 0.0
    run_id: str = ""
    calendar: DataCalendar | None = None  # the data's calendar after the run
    as_of_note: str | None = None  # what became of an as-of date given earlier, when it changed
    rebuild_only: bool = False  # asked to rebuild staging and marts, with no file and no date

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def as_of(self) -> date | None:
        """The as-of date after the run (None when it never reached the warehouse)."""
        return None if self.calendar is None else self.calendar.as_of

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 every file accepted and every row loaded (rows unchanged and repeated files count
        as fine); 1 nothing loaded while something was refused or quarantined (the run failed,
        every file was refused, every row was quarantined); 3 something loaded and something
        quarantined or refused. A dry run answers for the load it would do."""
        if self.error:
            return 1
        if not self.files:  # a run that only sets the as-of date
            return 0
        trouble = self.quarantined or any(f.refused for f in self.files)
        if not trouble:
            return 0
        return 3 if self.loaded else 1

    def lines(self) -> list[str]:
        """The printed summary: one line per file, then the verdict."""
        out = [f.line() for f in self.files]
        if self.as_of_note and not self.error:
            out.append(self.as_of_note)
        when = ("" if self.error or self.calendar is None
                else self.calendar.as_of_date())
        as_of = f" Data {'would be ' if self.dry_run else ''}as of {when}." if when else ""
        if self.error:
            out.append(f"Load failed, nothing changed: {self.error}")
        elif self.dry_run:
            out.append(f"Dry run: nothing was loaded ({_rows(self.loaded)} would load, "
                       f"{self.quarantined:,} would be quarantined; {self.seconds:.1f} s)."
                       + as_of)
        elif self.published and self.rebuild_only:
            out.append(f"Staging and marts rebuilt from the loaded data, contract checks passed "
                       f"({self.seconds:.1f} s).{as_of}")
        elif self.published and not self.files:
            out.append(f"As-of date kept in the warehouse; staging and marts rebuilt, contract "
                       f"checks passed ({self.seconds:.1f} s).{as_of}")
        elif self.published:
            out.append(f"Loaded {_rows(self.loaded)}, quarantined {self.quarantined:,}; "
                       f"staging and marts rebuilt, contract checks passed ({self.seconds:.1f} s)."
                       + as_of)
        else:
            out.append("Nothing to load; the warehouse is unchanged.")
        return out

    def to_json(self) -> dict:
        return {"dry_run": self.dry_run, "published": self.published, "error": self.error,
                "seconds": round(self.seconds, 3), "run_id": self.run_id,
                "rows_loaded": self.loaded, "rows_quarantined": self.quarantined,
                "exit_code": self.exit_code,
                "as_of": None if self.as_of is None or self.error else self.as_of.isoformat(),
                "as_of_source": (self.calendar.as_of_source
                                 if self.calendar is not None and not self.error else None),
                "as_of_note": self.as_of_note,
                "files": [f.to_json() for f in self.files]}


@dataclass
class _Prepared:
    path: Path
    report: FileReport
    written: pd.DataFrame | None = None  # the file with contract names, text as written
    typed: pd.DataFrame | None = None  # every row typed (None where a value did not read)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _failure(exc: Exception) -> str:
    """One line for a load that failed: the rule broken, or the file-system error with the
    path it concerns, or the error's kind and message."""
    if isinstance(exc, build.ContractViolation | AsOfRefused | calendar_setting.CalendarRefused
                  | archives.ArchiveError):
        return _one_line(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {_one_line(exc)}"


def check_target(target: Path) -> None:
    """ValueError (one line) when ``target`` cannot be a warehouse file: a folder, or a file
    that is not a DuckDB database (a CSV given to ``--out`` by mistake). A missing file is
    fine: the load makes a new warehouse."""
    if target.is_dir():
        raise ValueError(f"{target} is a folder, not a warehouse file")
    if target.exists() and target.stat().st_size:  # an empty file becomes a new warehouse
        try:
            with open(target, "rb") as fh:
                head = fh.read(12)
        except OSError as exc:
            raise ValueError(f"cannot read the warehouse file {target} "
                             f"({exc.strerror or exc})") from None
        if head[8:12] != b"DUCK":
            raise ValueError(f"{target} is not a warehouse file (not a DuckDB database); "
                             "give --out a .duckdb file or a new file name")


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _noop(_: str) -> None:
    return None


def _stop_here(stage: str) -> None:
    """The kill tests' fault injection: stop this process at ``stage`` when asked to."""
    if os.environ.get(STOP_ENV) == stage:
        print(f"ingest: stopped at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)


def checksum(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def table_for(path: Path, columns: Iterable[str], explicit: str | None,
              mappings: dict[str, contract.TableMapping]) -> str:
    """Which raw table a file is for: ``explicit``, else the mapping's ``files`` patterns, else
    the file name (``contacts_2026-11.csv`` → contacts), else the only table whose required
    columns the file has. FileRefused when none of these tells."""
    if explicit:
        return explicit
    name = path.name.lower()
    for table, m in mappings.items():
        if any(fnmatch.fnmatch(name, pat.lower()) for pat in m.files):
            return table
    stem = path.stem.lower().replace("-", "_").replace(" ", "_")
    by_name = [t for t in LOADABLE if stem == t or stem.startswith(f"{t}_")]
    if by_name:
        return max(by_name, key=len)
    fits = _fitting_tables(columns, mappings)
    if len(fits) == 1:
        return fits[0]
    raise FileRefused(f"{path.name}: cannot tell which table it is for (name the file after one "
                      f"of {', '.join(LOADABLE)}, give --table, or list it in the mapping's "
                      "files)")


def _fitting_tables(columns: Iterable[str], mappings: dict[str, contract.TableMapping]
                    ) -> list[str]:
    """Tables whose required columns the file has (after each table's renames, combined
    columns and defaults)."""
    cols = [str(c) for c in columns]
    out = []
    for t, spec in LOADABLE.items():
        m = mappings.get(t)
        named = set(cols)
        if m:
            named = ({m.columns.get(c, c) for c in cols} | set(m.defaults)
                     | {d for d, srcs in m.combine.items() if set(srcs) <= set(cols)})
        if all(c.name in named for c in spec.columns if c.required):
            out.append(t)
    return out


def prepare(path: Path, explicit: str | None, mappings: dict[str, contract.TableMapping],
            now: datetime, display: str | None = None) -> _Prepared:
    """Read, map and validate one file (no warehouse needed); ``display`` is the name messages
    use (an upload's original name)."""
    display = display or path.name
    rep = FileReport(file=display)
    try:
        rep.size_bytes = path.stat().st_size
        rep.checksum = checksum(path)
        df = contract.read_file(path)
        rep.table = table = table_for(path, df.columns, explicit, mappings)
    except FileRefused as exc:
        rep.refused = str(exc).removeprefix(f"{path.name}: ")
        return _Prepared(path, rep)
    except OSError as exc:
        rep.refused = f"cannot read the file ({exc.strerror or exc})"
        return _Prepared(path, rep)
    m = mappings.get(table)
    try:
        written = contract.shape(table, df, m)
        ignored = contract.ignored_columns(table, written)
        named = {str(c) for c in written.columns}
        if ignored and all(c.name in named for c in LOADABLE[table].columns if c.required):
            rep.ignored = ignored  # not needed and not named: left out, and said so
            written = written.drop(columns=ignored)
        source = contract.convert(table, written, m)
        rep.rows_read = len(source)
        times = m.times if m else contract.TimeFormat()
        typed, problems = contract.check_rows(table, source, display, now,
                                              m.numbers if m else None, times.date_format,
                                              times.timezone, times.ambiguous,
                                              calendar=times.calendar)
    except FileRefused as exc:
        rep.refused = _one_line(exc)
        return _Prepared(path, rep)
    except Exception as exc:  # noqa: BLE001 - a file we cannot judge is refused, never a crash
        rep.refused = f"could not be validated ({type(exc).__name__}: {_one_line(exc)})"
        return _Prepared(path, rep)
    whole = [p for p in problems if p.row is None]
    if whole:
        fits = [t for t in _fitting_tables(df.columns, mappings) if t != table]
        if fits and any("missing required" in p.rule for p in whole):
            rep.refused = (f"wrong table: the columns are those of {' or '.join(fits)}, "
                           f"not {table}")
        else:
            rep.refused = "; ".join(str(p).removeprefix(f"{display}, ").removeprefix(
                f"{display}: ") for p in whole)
        return _Prepared(path, rep)
    written = written.reset_index(drop=True)
    rep.problems = [_as_written(p, written) for p in problems]
    return _Prepared(path, rep, written, typed.reset_index(drop=True))


def _refuse_over_rows(prepared: list[_Prepared], limits: contract.Limits) -> None:
    """Refuse every file of a load that reads more rows in all than the rows-per-load limit
    (``CX_LIMIT_ROWS``; one line each, naming the bound): nothing of it is loaded."""
    total = sum(x.report.rows_read for x in prepared if x.report.refused is None)
    if total <= limits.rows:
        return
    for x in prepared:
        if x.report.refused is None:
            x.report.refused = (f"the load reads {total:,} rows, over the limit of "
                                f"{limits.rows:,} rows per load (CX_LIMIT_ROWS); load the "
                                "files in smaller runs")


def _as_written(p: Problem, written: pd.DataFrame) -> Problem:
    """The problem with its value as the file writes it (before values were mapped and
    timestamps converted to UTC), when the file has that column and the cell is not empty (an
    empty cell the mapping's ``scales`` filled keeps the filled value)."""
    if p.row is None or p.column not in written.columns:
        return p
    text = str(written.at[p.row - 1, p.column])
    return dataclasses.replace(p, value=text) if text.strip() else p


class _Lock:
    """One load at a time per warehouse file (an advisory lock beside it)."""

    def __init__(self, target: Path, wait: float | None = None) -> None:
        self.target = target
        self.path = target.with_name(f".{target.name}.lock")
        self.wait = LOCK_WAIT_SECONDS if wait is None else wait
        self.fh = None

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a")  # noqa: SIM115 - held for the whole load
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.fh.close()
                    raise IngestBusy(f"another load of {self.target.name} "
                                     f"is running (waited {self.wait:.0f} s)") from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def remove_stale(target: Path) -> list[Path]:
    """Delete temporary warehouse copies left by loads or builds whose process is gone."""
    removed = []
    for p in target.parent.glob(f".{target.name}.*-*"):
        pid = p.name.rsplit("-", 1)[-1].split(".")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _quarantine_rows(prep: _Prepared, load_id: int) -> pd.DataFrame:
    """One row per problem (a row breaking two rules is there twice, once per rule), with the
    source record as written."""
    rep = prep.report
    probs = [p for p in rep.problems if p.row is not None]
    records = []
    if probs:
        idx = [p.row - 1 for p in probs]
        # split on the newlines to_json writes only (str.splitlines would also split on
        # U+2028 or U+0085 inside a value, which JSON leaves as they are)
        records = prep.written.iloc[idx].to_json(orient="records", lines=True,
                                                 force_ascii=False).rstrip("\n").split("\n")
    return pd.DataFrame({
        "load_id": pd.Series([load_id] * len(probs), dtype="int64"),
        "file_name": rep.file, "table_name": rep.table,
        "row_number": pd.Series([p.row for p in probs], dtype="int64"),
        "column_name": [p.column for p in probs], "value": [p.value for p in probs],
        "rule": [p.rule for p in probs], "detail": [p.detail for p in probs],
        "record": records})


def _rows_without(prep: _Prepared, problems: list[Problem]) -> tuple[pd.DataFrame, pd.Series]:
    """The typed rows with no problem and their data-row numbers in the file."""
    allrows = pd.Series(range(1, len(prep.typed) + 1), dtype="int64")
    keep = ~allrows.isin({p.row for p in problems})
    return (prep.typed[keep.to_numpy()].reset_index(drop=True),
            allrows[keep].reset_index(drop=True))


def _stage_events(builder: Builder, prep: _Prepared, customers: pd.DataFrame, load_id: int,
                  now: datetime) -> pd.DataFrame:
    """Check one event or customer file against the warehouse (every row, so a row's problems
    are all reported), then insert its new rows and newer versions (the old ones to history);
    the accepted rows."""
    rep, table = prep.report, prep.report.table
    spec = CONTRACT[table]
    key, names = spec.key[0], contract.NAMES
    costed = None
    if table == "contacts":
        frame = builder.execute("ingest_costed_from")
        costed = dict(zip(frame["channel"], frame["valid_from"], strict=True))
    allrows = pd.Series(range(1, len(prep.typed) + 1), dtype="int64")
    found = builder.execute("ingest_currency")["currency"]
    _, more = contract.check_against(table, prep.typed, rep.file, customers, None, allrows,
                                     costed, found.iloc[0] if len(found) else None)
    good, rows = _rows_without(prep, rep.problems + more)
    builder.register("frame", good)
    builder.execute("ingest_stage", names, table=table)
    builder.execute("ingest_fill")
    cmp = builder.execute("ingest_compare", names, table=table, key=key, identity=spec.identity)
    row_of = dict(zip(good[key], rows, strict=True))  # ids are text, compared as given
    whose = "with another signup date" if table == "customers" else "for another customer"
    clash = cmp[cmp["is_clash"]]
    for k in clash["key_value"]:
        more.append(Problem(rep.file, int(row_of[k]), key, k,
                            f"duplicate key: already in the warehouse {whose}"))
    rep.problems = sorted(rep.problems + [_as_written(p, prep.written) for p in more],
                          key=lambda p: p.row or 0)
    fresh = cmp[~cmp["is_known"]]
    replaced = cmp[cmp["is_known"] & ~cmp["is_clash"] & ~cmp["is_unchanged"]]
    rep.rows_new, rep.rows_replaced = len(fresh), len(replaced)
    rep.rows_unchanged = int((cmp["is_known"] & cmp["is_unchanged"] & ~cmp["is_clash"]).sum())
    builder.register("replaced_keys", replaced[["key_value"]])
    builder.register("accepted_keys", pd.concat([fresh, replaced])[["key_value"]])
    if len(replaced):
        builder.execute("ingest_keep_history", names, {"load_id": load_id, "loaded_at": now},
                        table=table, key=key)
        builder.execute("ingest_delete_replaced", names, table=table, key=key)
    builder.execute("ingest_insert", names, table=table, key=key)
    return good[good[key].isin(pd.concat([fresh, replaced])["key_value"])]


def _stage_assumptions(builder: Builder, prep: _Prepared, load_id: int,
                       now: datetime) -> pd.DataFrame:
    """Load a company's assumptions file: rows that keep the rule across keys with what the
    warehouse holds are added; a row with the key and valid_from of a stored one replaces it
    when it differs (the old one to ``history.assumptions``). The neutral defaults stay as the
    values in force before the company's own dates. The accepted rows."""
    rep = prep.report
    existing = builder.execute("ingest_assumption_rows")
    existing["valid_from"] = pd.to_datetime(existing["valid_from"]).dt.date
    good, rows = _rows_without(prep, rep.problems)
    good, more = contract.check_assumptions(good, rep.file, existing, rows)
    rep.problems = sorted(rep.problems + [_as_written(p, prep.written) for p in more],
                          key=lambda p: p.row or 0)
    good, _ = _rows_without(prep, rep.problems)
    cols = list(ASSUMPTIONS.names)
    old = existing[cols].rename(columns={c: f"old_{c}" for c in ("value", "unit", "description")})
    cmp = good.merge(old, on=["key", "valid_from"], how="left", indicator=True)
    known = (cmp["_merge"] == "both").to_numpy()
    same = known & np.array([
        all(str(a or "") == str(b or "") for a, b in ((r.value, r.old_value), (r.unit, r.old_unit),
                                                     (r.description, r.old_description)))
        for r in cmp.itertuples(index=False)], dtype=bool)
    replaced = known & ~same
    rep.rows_new, rep.rows_replaced = int((~known).sum()), int(replaced.sum())
    rep.rows_unchanged = int(same.sum())
    accepted = good[~same].reset_index(drop=True)
    if replaced.any():
        builder.register("replaced_rows", good[replaced][["key", "valid_from"]])
        builder.execute("ingest_assumptions_keep_history",
                        params={"load_id": load_id, "loaded_at": now})
        builder.execute("ingest_assumptions_delete")
    if len(accepted):
        builder.load_raw(ASSUMPTIONS.name, accepted[cols], contract.NAMES)
    return accepted


def _load_file(builder: Builder, prep: _Prepared, customers: pd.DataFrame, load_id: int,
               now: datetime, run_id: str, mapping: tuple[str, str]) -> pd.DataFrame:
    """Load one validated file into the copy; return the customers known afterwards."""
    rep, table = prep.report, prep.report.table
    if table == ASSUMPTIONS.name:
        accepted = _stage_assumptions(builder, prep, load_id, now)
        when = ASSUMPTIONS.event_column
    else:
        accepted = _stage_events(builder, prep, customers, load_id, now)
        when = CONTRACT[table].event_column
    builder.register("quarantine_rows", _quarantine_rows(prep, load_id))
    builder.execute("ingest_quarantine")
    builder.register("load_row", pd.DataFrame([{
        "load_id": load_id, "run_id": run_id, "loaded_at": now, "file_name": rep.file,
        "table_name": table, "checksum": rep.checksum, "size_bytes": rep.size_bytes,
        "mapping_name": mapping[0], "mapping_checksum": mapping[1],
        "archive_path": rep.archive or "", "rows_read": rep.rows_read,
        "rows_new": rep.rows_new, "rows_replaced": rep.rows_replaced,
        "rows_unchanged": rep.rows_unchanged, "rows_quarantined": rep.quarantined,
        "by_rule": json.dumps(rep.by_rule, ensure_ascii=False),
        "first_event_at": pd.to_datetime(accepted[when]).min() if len(accepted) else None,
        "last_event_at": pd.to_datetime(accepted[when]).max() if len(accepted) else None}]))
    builder.execute("ingest_log")
    rep.load_id = load_id
    if table == "customers" and len(accepted):
        customers = pd.concat([customers[~customers["customer_id"].isin(accepted["customer_id"])],
                               accepted[["customer_id", "signup_date"]]], ignore_index=True)
    return customers


def _settle_as_of(builder: Builder, given: date | None, stamp: datetime
                  ) -> tuple[DataCalendar, bool, str | None]:
    """Decide the as-of date in the copy once its rows are loaded: (the calendar after the run,
    whether the stored setting changed, a note when an earlier given date was dropped).
    AsOfRefused when ``given`` is earlier than the latest date of the data."""
    builder.build_layers(("staging",))  # views over the copy's rows: cheap, rebuilt later
    cal = calendar_of(builder.run("dim_data_dates"))
    latest, stored = cal.latest, cal.given
    if given is not None:
        if latest is not None and given < latest.last:
            raise AsOfRefused(
                f"as-of date {given:%Y-%m-%d} is before the data's latest date "
                f"{latest.last:%Y-%m-%d} ({latest.name}); give that date or a later one, or "
                "leave the as-of date out")
        if given == stored:
            return cal, False, None
        builder.execute("ingest_setting_clear", params={"setting_key": AS_OF_KEY})
        builder.record_settings(as_of_setting(given, pd.Timestamp(stamp)))
        return DataCalendar(cal.columns, given), True, None
    if stored is not None and latest is not None and stored < latest.last:
        builder.execute("ingest_setting_clear", params={"setting_key": AS_OF_KEY})
        note = (f"The as-of date {stored:%Y-%m-%d} given earlier is before the data's latest "
                f"date {latest.last:%Y-%m-%d} ({latest.name}): it no longer applies, and the "
                "as-of date is the data's latest date (give --as-of again to set another).")
        return DataCalendar(cal.columns, None), True, note
    return cal, False, None


def files_in(paths: Iterable[Path | str]) -> tuple[list[Path], list[Path]]:
    """The files a run loads: each file given, and every supported file (``SUPPORTED``) directly
    inside each folder given, by name — not hidden ones, not Excel's ``~$`` lock files, not
    sub-folders (an ``archive/`` of older exports inside an export folder is not loaded again).
    Also the files of the folders left out (another type). FileNotFoundError naming a path that
    does not exist; ValueError naming a folder with no supported file."""
    files: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            inside = sorted((c for c in p.iterdir() if c.is_file()
                             and not c.name.startswith((".", "~$"))), key=lambda c: c.name)
            found = [c for c in inside if c.suffix.lower() in SUPPORTED]
            if not found:
                raise ValueError(f"{p} holds no CSV, TSV, TXT, Parquet or XLSX file")
            files += found
            skipped += [c for c in inside if c.suffix.lower() not in SUPPORTED]
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return files, skipped


def ingest(paths: Iterable[Path | str], target: Path | str | None = None,
           mapping: Path | str | None = None, table: str | None = None,
           dry_run: bool = False, now: datetime | None = None,
           archive_dir: Path | str | None = None, progress: Progress = _noop,
           names: dict[str, str] | None = None,
           as_of: date | str | None = None,
           calendar: dict[str, str] | None = None, rebuild: bool = False) -> IngestReport:
    """Load files into the warehouse at ``target`` (see the module docstring).

    Staging and marts are rebuilt on any change, on ``rebuild`` and when another version's SQL
    built them (``steps.marts_stale``): an upgraded CX Ledger's first load rebuilds them.

    ``names`` gives a display name per path (uploads keep their original names). ``as_of``
    (``YYYY-MM-DD``) sets the data's as-of date, kept in the warehouse; with no paths it is the
    only change. ``calendar`` (``week_start``, ``months``: ``steps.CALENDAR_SETTINGS``; else
    the mapping's ``[warehouse]`` section) says how a new warehouse counts time: kept with its
    first load, refused (CalendarRefused, in the report) once it holds data and counts another
    way. Raises MappingError for an unusable mapping file, ValueError for an unknown
    ``table`` or a malformed or future ``as_of``, IngestBusy when another load holds the lock;
    everything about the files themselves (and an as-of date earlier than the data) is in the
    report.
    """
    t0 = time.perf_counter()
    target = Path(target or config.default_db_path())
    archive_dir = Path(archive_dir or config.archive_dir())
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).replace(tzinfo=None)
    as_of = calendar_setting.parse_as_of(as_of, now)
    if table is not None and table not in LOADABLE:
        raise ValueError(f"unknown table {table!r}: one of {', '.join(LOADABLE)}")
    check_target(target)
    mappings = contract.load_mapping(mapping) if mapping else {}
    calendar = {**(calendar_setting.from_mapping(mapping) if mapping else {}),
                **{k: v for k, v in (calendar or {}).items() if v is not None}}
    steps.check_calendar(calendar)
    mapping_id = (Path(mapping).name, checksum(Path(mapping))) if mapping else ("", "")
    run_id = uuid.uuid4().hex[:12]
    paths = [Path(p) for p in paths]
    prepared = []
    for p in paths:
        progress(f"reading and validating {p.name}")
        prepared.append(prepare(p, table, mappings, now, (names or {}).get(str(p))))
    prepared.sort(key=lambda x: TABLE_ORDER.index(x.report.table)
                  if x.report.table in TABLE_ORDER else len(TABLE_ORDER))
    report = IngestReport([x.report for x in prepared], dry_run, run_id=run_id)
    _refuse_over_rows(prepared, contract.Limits.from_env())
    _stop_here("validated")
    todo = [x for x in prepared if x.report.refused is None]
    report.rebuild_only = rebuild and not prepared and as_of is None
    if not todo and not rebuild and (prepared or as_of is None):  # an as-of date: a change
        report.seconds = time.perf_counter() - t0
        return report
    lock = _Lock(target) if not dry_run else None
    if lock:
        lock.__enter__()
    builder = None
    journal = archives.Journal(archive_dir, run_id, target)  # the copies this run makes
    try:
        remove_stale(target)
        if not dry_run:
            archives.ready(archive_dir)
        progress("copying the warehouse")
        builder = Builder.copy_of(target)
        builder.create_contract()
        if not dry_run:  # copies a killed load archived and never published go
            archives.sweep(archive_dir, target,
                           builder.execute("ingest_archive_paths")["archive_path"], _alive)
        builder.execute("ingest_quarantine_detail")  # a warehouse from before problem details
        if builder.count("raw.assumptions") == 0:  # CX Ledger's neutral defaults, never the demo's
            builder.load_raw("assumptions", build.read_assumptions(config.DEFAULT_ASSUMPTIONS_CSV),
                             contract.NAMES)
        _stop_here("copied")
        calendar_changed = calendar_setting.settle(builder, calendar, stamp, TABLE_ORDER)
        customers = builder.execute("ingest_customers")
        load_id = int(builder.execute("ingest_next_load")["load_id"].iloc[0])
        changed = calendar_changed
        for prep in todo:
            rep = prep.report
            earlier = builder.execute("ingest_loaded_before", params={
                "checksum": rep.checksum, "table_name": rep.table,
                "mapping_checksum": mapping_id[1]})
            if len(earlier):
                rep.repeat_of = int(earlier["load_id"].iloc[0])
                continue
            progress(f"loading {rep.file} into raw.{rep.table}")
            if not dry_run:
                rep.archive = archives.copy(
                    prep.path, archive_dir,
                    archives.relative_path(rep.table, rep.checksum, rep.file), journal)
            customers = _load_file(builder, prep, customers, load_id, stamp, run_id, mapping_id)
            load_id += 1
            changed = True
        _stop_here("loaded")
        progress("settling the as-of date")
        report.calendar, settled, report.as_of_note = _settle_as_of(builder, as_of, stamp)
        changed = changed or settled or rebuild or steps.marts_stale(builder)
        if changed:
            progress("rebuilding staging and marts, running the contract checks")
            build.rebuild(builder)
        _stop_here("built")
        if dry_run or not changed:
            builder.abort()
        else:
            _stop_here("archived")
            builder.publish()
            report.published = True
            journal.close()
    except BaseException as exc:
        if builder is not None:
            with contextlib.suppress(Exception):
                builder.abort()
        journal.take_back()
        if not isinstance(exc, Exception):
            raise
        report.error = _failure(exc)
        for f in report.files:
            f.load_id = None
    finally:
        if lock:
            lock.__exit__(None, None, None)
    report.seconds = time.perf_counter() - t0
    return report


def read_csv_dir(folder: Path) -> dict[str, pd.DataFrame]:
    """Raw tables from ``<folder>/<table>.csv`` (the fixture warehouse), typed by the contract
    exactly as ingest types them; ContractViolation if a file breaks a row rule. Assumptions
    from ``<folder>/assumptions.csv``, else the demo world's."""
    out: dict[str, pd.DataFrame] = {}
    for table in build.RAW_TABLES:
        path = folder / f"{table}.csv"
        if table == "assumptions":
            out[table] = (build.read_assumptions(path) if path.exists()
                          else build.read_assumptions())
            continue
        good, problems = contract.validate(table, contract.read_file(path), path.name)
        if problems:
            raise build.ContractViolation("; ".join(str(p) for p in problems[:5]))
        out[table] = good
    return out
