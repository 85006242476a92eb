"""Build a warehouse: raw tables in, staging views and mart tables out, contract checks run.

The new warehouse is written to a temporary file beside the target and swapped in atomically
only when every step and every check has passed, so a running app never sees a half-built one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard import config, contract
from dashboard.db import Builder

RAW_TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions",
              "assumptions")
TRUTH_TABLES = ("truth_parameters", "truth_events")

Progress = Callable[[str], None]


class ContractViolation(Exception):
    """A contract check returned failing rows; the warehouse was not replaced."""


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    path: Path
    row_counts: dict[str, int]
    seconds: float
    size_bytes: int


def _noop(_: str) -> None:
    return None


def populate(builder: Builder, raw: Mapping[str, pd.DataFrame],
             truth: Mapping[str, pd.DataFrame] | None = None,
             progress: Progress = _noop) -> dict[str, int]:
    """Load raw (and truth) frames, build staging and marts, run checks; return row counts."""
    counts: dict[str, int] = {}
    builder.create_contract()
    for table in RAW_TABLES:
        progress(f"loading raw.{table}")
        builder.load_raw(table, raw[table], contract.NAMES)
        counts[f"raw.{table}"] = len(raw[table])
    for key, frame in (truth or {}).items():
        builder.load_frame("truth", key.removeprefix("truth_"), frame)
    progress("building staging and marts")
    counts.update(rebuild(builder))
    return counts


def rebuild(builder: Builder) -> dict[str, int]:
    """Build staging and marts from the raw tables and run every contract check; mart row
    counts, or ContractViolation naming the failing checks."""
    counts = {name: builder.count(name) for name in builder.build_layers()
              if name.startswith("marts.")}
    failing = {k: len(v) for k, v in builder.run_checks(record=True).items() if len(v)}
    if failing:
        detail = ", ".join(f"{k}: {v} failing rows" for k, v in sorted(failing.items()))
        raise ContractViolation(f"contract checks failed ({detail}); warehouse not replaced")
    return counts


def build(raw: Mapping[str, pd.DataFrame], target: Path,
          truth: Mapping[str, pd.DataFrame] | None = None,
          progress: Progress = _noop) -> BuildReport:
    """Build a warehouse file at ``target`` atomically from raw frames."""
    t0 = time.perf_counter()
    builder = Builder(target)
    try:
        counts = populate(builder, raw, truth, progress)
        path = builder.publish()
    except BaseException:
        builder.abort()
        raise
    return BuildReport(path, counts, time.perf_counter() - t0, path.stat().st_size)


def read_assumptions(path: Path = config.ASSUMPTIONS_CSV) -> pd.DataFrame:
    """The shipped default assumptions (all columns as text; valid_from parsed as a date)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.date
    return df


def read_csv_dir(folder: Path) -> dict[str, pd.DataFrame]:
    """Raw tables from ``<folder>/<table>.csv`` (the fixture warehouse), typed by the contract
    exactly as ingest types them; ContractViolation if a file breaks a row rule. Assumptions
    from ``<folder>/assumptions.csv``, else the shipped defaults."""
    out: dict[str, pd.DataFrame] = {}
    for table in RAW_TABLES:
        path = folder / f"{table}.csv"
        if table == "assumptions":
            out[table] = read_assumptions(path if path.exists() else config.ASSUMPTIONS_CSV)
            continue
        good, problems = contract.validate(table, contract.read_file(path), path.name)
        if problems:
            raise ContractViolation("; ".join(str(p) for p in problems[:5]))
        out[table] = good
    return out
