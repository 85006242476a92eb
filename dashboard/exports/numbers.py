"""Numbers as exported: every CSV and XLSX carries numbers (never display text such as
"+23.7 to +44.0" or "$1,280.75"), one column per quantity, rounded by the unit they are in.

``DECIMALS`` is the rule (the README's "Exports" section states it):

============  =========  ==========================================================
unit          decimals   for
============  =========  ==========================================================
``money``     2          amounts in the set's currency (to the cent)
``score``     1          NPS and other scores in points
``mean``      2          mean scores on a 1–7 scale (CES, expectation gaps)
``pct``       1          shares as percentages 0–100 (never fractions 0–1)
``rate``      2          small rates: per 1,000 customers, the 4-week churn rate
``count``     0          customers, answers, contacts, complaints, ranks (whole numbers)
``hours``     1          durations in hours
``weeks``     1          durations in weeks
``p``         4          p-values, raw and corrected
``number``    4          anything else (no exhibit of the app falls here)
============  =========  ==========================================================

A value that is withheld, not loaded or not applicable is an empty cell, never a zero; a
status column beside it says why. Each exhibit or table declares the unit of its columns
(``units``); a column it leaves undeclared takes the unit its name implies (``unit_of``).
No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Decimals of each unit in exported numbers.
DECIMALS: Mapping[str, int] = {
    "money": 2, "score": 1, "mean": 2, "pct": 1, "rate": 2, "count": 0, "hours": 1,
    "weeks": 1, "p": 4, "number": 4,
}

#: Column names that hold whole counts wherever they appear.
COUNT_NAMES = frozenset({
    "n", "count", "customers", "active", "churned", "complaints", "compensated", "rank",
    "week_total", "cohort_size", "active_at_start", "customer_left", "months_since_signup",
    "weeks_since_start", "repeat_count", "contact_count", "retention_n", "nps_n", "n_week",
    "n_compare", "events", "passives_now", "detractors_now", "active_now",
})

#: The metric registry's display formats → export unit.
FMT_UNITS: Mapping[str, str] = {
    "score": "score", "pct1": "pct", "pct2": "rate", "mean2": "mean", "rate2": "rate",
    "money2": "money", "money0k": "money",
}


def metric_unit(metric) -> str:
    """The export unit of a registry metric's values (``metrics.registry.Metric``): money to
    the cent, NPS in points to 1 decimal, CSAT to 1, CES to 2, the complaint and churn rates
    to 2 (as their tiles show them)."""
    fmt = str(metric.fmt)
    if fmt.startswith("money"):
        return "money"
    return FMT_UNITS.get(fmt, "number")


def unit_of(column: str, units: Mapping[str, str] | None = None) -> str:
    """The unit of a column: declared in ``units``, else implied by its name (counts,
    ``…_pct``, p-values), else ``number``."""
    if units and column in units:
        return units[column]
    name = str(column).lower()
    if name in COUNT_NAMES or name.endswith(("_count", "_n")) or name.startswith("n_"):
        return "count"
    if name.endswith("_pct"):
        return "pct"
    if name in ("p_value", "p_adjusted", "p_raw") or name.endswith(("_p_adj", "_p_value")):
        return "p"
    return "number"


def round_value(v, unit: str):
    """One number rounded to its unit (None/NaN/inf become None: an empty cell)."""
    if v is None or isinstance(v, (bool, np.bool_)):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v
    if not math.isfinite(x):
        return None
    d = DECIMALS[unit]
    return int(round(x)) if d == 0 else round(x, d) + 0.0


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _as_numbers(s: pd.Series) -> pd.Series | None:
    """A column of numbers held as objects (None among floats) as floats, else None."""
    if s.dtype != object:
        return None
    vals = [v for v in s if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if vals and all(isinstance(v, (int, float, np.integer, np.floating))
                    and not isinstance(v, (bool, np.bool_)) for v in vals):
        return pd.to_numeric(s, errors="coerce").astype(float)
    return None


def rounded(df: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with every numeric column rounded to its unit (``unit_of``): counts as
    whole numbers (nullable integers), NaN and ±inf as empty cells. A declared unit written
    ``"@col"`` is read per row from column ``col`` (a long table of several KPIs). Text,
    dates and booleans are kept as they are."""
    out = df.copy()
    for c in out.columns:
        unit = unit_of(c, units)
        s = out[c]
        if unit.startswith("@"):
            per_row = out[unit[1:]].astype(str)
            nums = pd.to_numeric(s, errors="coerce").astype(float)
            out[c] = [None if pd.isna(v) else round_value(v, u if u in DECIMALS else "number")
                      for v, u in zip(nums, per_row, strict=True)]
            out[c] = pd.to_numeric(out[c], errors="coerce") + 0.0
            continue
        if pd.api.types.is_integer_dtype(s):
            continue  # whole numbers are exact as they are
        nums = s if _numeric(s) else _as_numbers(s)
        if nums is None:
            continue
        nums = nums.astype(float).replace([np.inf, -np.inf], np.nan)
        d = DECIMALS.get(unit, DECIMALS["number"])
        if d == 0:
            out[c] = nums.round(0).astype("Int64")
        else:
            out[c] = nums.round(d) + 0.0  # + 0.0: no "-0.0" from a tiny negative
    return out


def undeclared(df: pd.DataFrame, units: Mapping[str, str] | None = None) -> list[str]:
    """The numeric columns that fall back to ``number`` (neither declared nor implied by
    their name): every exhibit of the app declares its units, so none should."""
    return [str(c) for c in df.columns
            if (_numeric(df[c]) or _as_numbers(df[c]) is not None)
            and not pd.api.types.is_integer_dtype(df[c])
            and unit_of(c, units) == "number"]
