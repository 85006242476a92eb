"""Bring your own data: files in, validated against the contract, loaded atomically.

One run (``python -m dashboard ingest`` or the Data page) takes any number of CSV, Parquet or
XLSX files, each for one raw table (named by ``--table``, by the mapping's ``files`` patterns, by
the file name, or recognised from its columns), and:

1. reads, maps and validates every file (``dashboard.intake.contract``); a file whose structure is
   unusable is refused whole with one line; rows that break a rule are kept aside with the rule;
2. copies the warehouse to a temporary file beside it and, in the copy: checks the rules that
   need loaded data (unknown customer, event before signup, key already used by another
   customer), loads new rows, replaces older versions by key (the old version goes to
   ``history.<table>``), writes the refused rows to ``ingest.quarantine`` and one row per file to
   ``ingest.loads``; rebuilds staging and marts and runs every contract check;
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

import pandas as pd

from dashboard.intake import contract
from dashboard.intake.contract import CONTRACT, FileRefused, Problem
from dashboard.warehouse import build, config
from dashboard.warehouse.build import Builder
from dashboard.warehouse.steps import AS_OF_KEY, as_of_setting
from dashboard.warehouse.weeks import DataCalendar, calendar_of

#: Tables in load order: customers first, so events can be checked against this run's customers.
TABLE_ORDER = tuple(CONTRACT)
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

    @property
    def quarantined(self) -> int:
        return sum(1 for p in self.problems if p.row is not None)

    @property
    def loaded(self) -> int:
        return self.rows_new + self.rows_replaced

    @property
    def by_rule(self) -> dict[str, int]:
        return dict(Counter(p.rule for p in self.problems if p.row is not None).most_common())

    def line(self) -> str:
        """One line for the summary."""
        if self.refused:
            return f"{self.file}: refused — {self.refused}"
        if self.repeat_of is not None:
            return (f"{self.file} → {self.table}: already loaded (load {self.repeat_of}); "
                    "nothing changed")
        rules = "; ".join(f"{rule}: {n:,}" for rule, n in self.by_rule.items())
        kept = " (old versions kept in history)" if self.rows_replaced else ""
        return (f"{self.file} → {self.table}: {self.rows_read:,} rows read, "
                f"{self.rows_new:,} new, {self.rows_replaced:,} replaced{kept}, "
                f"{self.rows_unchanged:,} unchanged, {self.quarantined:,} quarantined"
                + (f" ({rules})" if rules else ""))

    def to_json(self) -> dict:
        return {"file": self.file, "table": self.table, "checksum": self.checksum,
                "rows_read": self.rows_read, "rows_new": self.rows_new,
                "rows_replaced": self.rows_replaced, "rows_unchanged": self.rows_unchanged,
                "rows_quarantined": self.quarantined, "by_rule": self.by_rule,
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
        """0 every file accepted and every row loaded (or unchanged); 3 accepted with rows
        quarantined or some files refused; 1 nothing loaded (the run failed, or every file was
        refused)."""
        if self.error:
            return 1
        if not self.files:  # a run that only sets the as-of date
            return 0
        accepted = [f for f in self.files if not f.refused]
        if not accepted:
            return 1
        if len(accepted) < len(self.files) or self.quarantined:
            return 3
        return 0

    def lines(self) -> list[str]:
        """The printed summary: one line per file, then the verdict."""
        out = [f.line() for f in self.files]
        if self.as_of_note and not self.error:
            out.append(self.as_of_note)
        when = ("" if self.error or self.calendar is None
                else self.calendar.as_of_text().removeprefix("data as of "))
        as_of = f" Data {'would be ' if self.dry_run else ''}as of {when}." if when else ""
        if self.error:
            out.append(f"Load failed, nothing changed: {self.error}")
        elif self.dry_run:
            out.append(f"Dry run: nothing was loaded ({_rows(self.loaded)} would load, "
                       f"{self.quarantined:,} would be quarantined; {self.seconds:.1f} s)."
                       + as_of)
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
    source: pd.DataFrame | None = None  # the file in the contract's shape, as text
    good: pd.DataFrame | None = None  # typed rows that met every row rule
    rows: pd.Series | None = None  # each good row's data-row number in the file


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


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
    by_name = [t for t in CONTRACT if stem == t or stem.startswith(f"{t}_")]
    if by_name:
        return max(by_name, key=len)
    fits = _fitting_tables(columns, mappings)
    if len(fits) == 1:
        return fits[0]
    raise FileRefused(f"{path.name}: cannot tell which table it is for (name the file after one "
                      f"of {', '.join(CONTRACT)}, give --table, or list it in the mapping's "
                      "files)")


def _fitting_tables(columns: Iterable[str], mappings: dict[str, contract.TableMapping]
                    ) -> list[str]:
    """Tables whose required columns the file has (after each table's renames)."""
    cols = list(columns)
    out = []
    for t, spec in CONTRACT.items():
        m = mappings.get(t)
        named = {m.columns.get(c, c) for c in cols} if m else set(cols)
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
    try:
        source = contract.apply_mapping(table, df, mappings.get(table))
        rep.rows_read = len(source)
        good, problems = contract.validate(table, source, display, now=now)
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
    bad = {p.row for p in problems}
    rows = pd.Series([r for r in range(1, len(source) + 1) if r not in bad], dtype="int64")
    rep.problems = problems
    return _Prepared(path, rep, source, good, rows)


def _archive(path: Path, rep: FileReport, folder: Path, created: list[Path]) -> str:
    """Copy an accepted file into the archive under its checksum (once; a new copy is added
    to ``created``, so a failed run can take it back); its path relative to the archive."""
    rel = Path(rep.table or "unknown") / f"{rep.checksum[:16]}-{Path(rep.file).name}"
    dest = folder / rel
    if not dest.exists():
        created.append(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        with open(path, "rb") as src, open(tmp, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    return str(rel)


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
    rep = prep.report
    probs = [p for p in rep.problems if p.row is not None]
    records = []
    if probs:
        idx = [p.row - 1 for p in probs]
        # split on the newlines to_json writes only (str.splitlines would also split on
        # U+2028 or U+0085 inside a value, which JSON leaves as they are)
        records = prep.source.iloc[idx].to_json(orient="records", lines=True,
                                                force_ascii=False).rstrip("\n").split("\n")
    return pd.DataFrame({
        "load_id": pd.Series([load_id] * len(probs), dtype="int64"),
        "file_name": rep.file, "table_name": rep.table,
        "row_number": pd.Series([p.row for p in probs], dtype="int64"),
        "column_name": [p.column for p in probs], "value": [p.value for p in probs],
        "rule": [p.rule for p in probs], "record": records})


def _load_file(builder: Builder, prep: _Prepared, customers: pd.DataFrame, load_id: int,
               now: datetime, run_id: str, mapping: tuple[str, str]) -> pd.DataFrame:
    """Load one validated file into the copy; return the customers known afterwards."""
    rep, table = prep.report, prep.report.table
    spec = CONTRACT[table]
    key, names = spec.key[0], contract.NAMES
    costed = None
    if table == "contacts":
        frame = builder.execute("ingest_costed_from")
        costed = dict(zip(frame["channel"], frame["valid_from"], strict=True))
    good, more = contract.check_against(table, prep.good, rep.file, customers, None, prep.rows,
                                        costed)
    flagged = {p.row for p in more}
    rows = prep.rows[~prep.rows.isin(flagged)].reset_index(drop=True)
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
    rep.problems = sorted(rep.problems + more, key=lambda p: p.row or 0)
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
    builder.register("quarantine_rows", _quarantine_rows(prep, load_id))
    builder.execute("ingest_quarantine")
    when = spec.event_column
    accepted = good[good[key].isin(pd.concat([fresh, replaced])["key_value"])]
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
        customers = pd.concat([customers[~customers["customer_id"].isin(accepted[key])],
                               accepted[["customer_id", "signup_date"]]], ignore_index=True)
    return customers


def parse_as_of(value: date | str | None, now: datetime) -> date | None:
    """A given as-of date as a date; ValueError (one line) when it is not ``YYYY-MM-DD`` or
    lies after ``now``'s day (UTC)."""
    if value is None or isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"bad as-of date {value!r}: expected YYYY-MM-DD, e.g. "
                             "2026-10-31") from None
    today = now.astimezone(UTC).date()
    if day is not None and day > today:
        raise ValueError(f"as-of date {day:%Y-%m-%d} is in the future (today is "
                         f"{today:%Y-%m-%d} UTC)")
    return day


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


def ingest(paths: Iterable[Path | str], target: Path | str | None = None,
           mapping: Path | str | None = None, table: str | None = None,
           dry_run: bool = False, now: datetime | None = None,
           archive_dir: Path | str | None = None, progress: Progress = _noop,
           names: dict[str, str] | None = None,
           as_of: date | str | None = None) -> IngestReport:
    """Load files into the warehouse at ``target`` (see the module docstring).

    ``names`` gives a display name per path (uploads keep their original names). ``as_of``
    (``YYYY-MM-DD``) sets the data's as-of date, kept in the warehouse; with no paths it is the
    only change. Raises MappingError for an unusable mapping file, ValueError for an unknown
    ``table`` or a malformed or future ``as_of``, IngestBusy when another load holds the lock;
    everything about the files themselves (and an as-of date earlier than the data) is in the
    report.
    """
    t0 = time.perf_counter()
    target = Path(target or config.default_db_path())
    archive_dir = Path(archive_dir or config.archive_dir())
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).replace(tzinfo=None)
    as_of = parse_as_of(as_of, now)
    if table is not None and table not in CONTRACT:
        raise ValueError(f"unknown table {table!r}: one of {', '.join(CONTRACT)}")
    mappings = contract.load_mapping(mapping) if mapping else {}
    mapping_id = (Path(mapping).name, checksum(Path(mapping))) if mapping else ("", "")
    run_id = uuid.uuid4().hex[:12]
    paths = [Path(p) for p in paths]
    prepared = []
    for p in paths:
        progress(f"reading and validating {p.name}")
        prepared.append(prepare(p, table, mappings, now, (names or {}).get(str(p))))
    prepared.sort(key=lambda x: TABLE_ORDER.index(x.report.table) if x.report.table in CONTRACT
                  else len(TABLE_ORDER))
    report = IngestReport([x.report for x in prepared], dry_run, run_id=run_id)
    _stop_here("validated")
    todo = [x for x in prepared if x.report.refused is None]
    if not todo and (prepared or as_of is None):  # an as-of date alone is a change of its own
        report.seconds = time.perf_counter() - t0
        return report
    lock = _Lock(target) if not dry_run else None
    if lock:
        lock.__enter__()
    builder = None
    archived: list[Path] = []  # archive copies this run made (taken back if it fails)
    try:
        remove_stale(target)
        progress("copying the warehouse")
        builder = Builder.copy_of(target)
        builder.create_contract()
        if builder.count("raw.assumptions") == 0:
            builder.load_raw("assumptions", build.read_assumptions(), contract.NAMES)
        _stop_here("copied")
        customers = builder.execute("ingest_customers")
        load_id = int(builder.execute("ingest_next_load")["load_id"].iloc[0])
        changed = False
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
                rep.archive = _archive(prep.path, rep, archive_dir, archived)
            customers = _load_file(builder, prep, customers, load_id, stamp, run_id, mapping_id)
            load_id += 1
            changed = True
        _stop_here("loaded")
        progress("settling the as-of date")
        report.calendar, settled, report.as_of_note = _settle_as_of(builder, as_of, stamp)
        changed = changed or settled
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
    except BaseException as exc:
        if builder is not None:
            builder.abort()
        for p in archived:
            p.unlink(missing_ok=True)
        if not isinstance(exc, Exception):
            raise
        report.error = (_one_line(exc) if isinstance(exc, build.ContractViolation | AsOfRefused)
                        else f"{type(exc).__name__}: {_one_line(exc)}")
        for f in report.files:
            f.load_id = None
    finally:
        if lock:
            lock.__exit__(None, None, None)
    report.seconds = time.perf_counter() - t0
    return report
