"""Finance assumptions as named, dated, versioned sets: every money figure names the set it
was computed with.

The warehouse holds the published set (``raw.assumptions``: the demo's
``data/demo_assumptions.csv``, or a company's own file loaded with ``ingest`` over CX Ledger's
neutral defaults, whose rows have the source ``SOURCE_DEFAULT``): each key has one or more
values with the date from which they are in force. An analyst's edits never touch the
warehouse: they are recorded as changes in the app-owned store (``warehouse.db.AppStore``)
under a set name, and a set is the published rows with its changes laid over them. A set's id
is ``<name> v<version>``, the version being the number of changes recorded for it, so every
money figure can name exactly the inputs it was computed from (and says when CX Ledger's
defaults are among them: ``AssumptionSet.described``).

The rules of each key (``Spec``, ``parse_value``, ``check_together``) live in
``dashboard.warehouse.assumption_rules``, shared with the loading of an assumptions file.

The value in force for week W is the one with the latest ``valid_from`` on or before W's Monday;
on equal dates an edit wins over the published row.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

# the rules live with the warehouse (a loaded assumptions file meets the same ones); re-exported
from dashboard.warehouse.assumption_rules import (  # noqa: F401
    SPECS,
    AssumptionError,
    Spec,
    check_together,
    is_default,
    parse_value,
    spec_for,
)

#: The set every installation starts with: the warehouse's published assumptions.
PUBLISHED = "published"
#: The source of a published row that is one of CX Ledger's neutral defaults (not the company's).
SOURCE_DEFAULT = "CX Ledger default"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,39}$")


def check_name(name: str) -> str:
    """A set or scenario name: 1–40 letters, digits, spaces, dots, dashes or underscores."""
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise AssumptionError(
            f"name {name!r} refused: use 1–40 letters, digits, spaces, dots, dashes or "
            "underscores, starting with a letter or digit")
    return name


ROW_COLUMNS = ("assumption_key", "valid_from", "value_text", "unit", "description", "source")


@dataclass(frozen=True)
class AssumptionSet:
    """A named set: the published rows with the set's recorded changes laid over them."""

    name: str
    version: int
    rows: pd.DataFrame  # ROW_COLUMNS; source is 'warehouse', SOURCE_DEFAULT or 'edit #<id>'

    @property
    def id(self) -> str:
        """The id every money figure names: ``<name> v<version>``."""
        return f"{self.name} v{self.version}"

    def in_force(self, week_start: date) -> dict[str, float | str]:
        """Every key's value in force in the week starting ``week_start`` (parsed)."""
        out: dict[str, float | str] = {}
        for row in self.table(week_start).itertuples(index=False):
            try:
                out[row.assumption_key] = parse_value(row.assumption_key, row.value_text)
            except AssumptionError:
                out[row.assumption_key] = str(row.value_text)
        return out

    def table(self, week_start: date) -> pd.DataFrame:
        """The values in force in a week with unit, description, valid_from and source: per key
        the latest valid_from on or before the week, an edit winning over the published row."""
        r = self.rows[self.rows["valid_from"] <= week_start]
        r = r.sort_values(["assumption_key", "valid_from", "_order"])
        latest = r.groupby("assumption_key", sort=True).tail(1)
        return latest[list(ROW_COLUMNS)].reset_index(drop=True)

    def defaults_in_force(self, week_start: date) -> list[str]:
        """The keys whose value in force in the week is CX Ledger's neutral default (the
        company has not loaded its own value for that week)."""
        t = self.table(week_start)
        return sorted(t.loc[t["source"] == SOURCE_DEFAULT, "assumption_key"])

    def described(self, week_start: date) -> str:
        """The id money figures name: ``published v0``, followed by "(CX Ledger defaults, not
        your company's …)" when neutral defaults are in force in the week."""
        n, total = len(self.defaults_in_force(week_start)), len(self.table(week_start))
        if not n:
            return self.id
        share = "" if n == total else f": {n} of {total} values"
        return f"{self.id} (CX Ledger defaults, not your company's{share})"


def build_set(name: str, published: pd.DataFrame, changes: pd.DataFrame) -> AssumptionSet:
    """Lay a set's changes (store rows: change_id, assumption_key, effective_from, new_value)
    over the published rows (assumption_key, valid_from, value_text, unit, description)."""
    base = published[["assumption_key", "valid_from", "value_text", "unit",
                      "description"]].copy()
    base["valid_from"] = pd.to_datetime(base["valid_from"]).dt.date
    base["source"] = [SOURCE_DEFAULT if is_default(d) else "warehouse"
                      for d in base["description"]]
    base["_order"] = 0
    if len(changes):
        meta = base.drop_duplicates("assumption_key", keep="last").set_index(
            "assumption_key")[["unit", "description"]]
        ch = pd.DataFrame({
            "assumption_key": changes["assumption_key"].astype(str),
            "valid_from": pd.to_datetime(changes["effective_from"]).dt.date,
            "value_text": changes["new_value"].astype(str),
        })
        ch["unit"] = ch["assumption_key"].map(meta["unit"]).fillna("")
        ch["description"] = ch["assumption_key"].map(meta["description"]).fillna("")
        ch["source"] = [f"edit #{int(i)}" for i in changes["change_id"]]
        ch["_order"] = changes["change_id"].astype(int).to_numpy()
        base = pd.concat([base, ch], ignore_index=True)
    return AssumptionSet(name, len(changes), base.reset_index(drop=True))


# --- sets in the app-owned store (``store`` is a warehouse.db.AppStore) ---------------------


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def set_names(store) -> list[str]:
    """The published set first, then every set recorded in the store."""
    names = [str(n) for n in store.read("store_sets")["set_name"]]
    return [PUBLISHED] + [n for n in names if n != PUBLISHED]


def load_set(store, published: pd.DataFrame, name: str = PUBLISHED) -> AssumptionSet:
    """A set by name: the published rows plus the set's recorded changes (none for a name the
    store does not know, which is then the published set itself)."""
    changes = store.read("store_changes", set_name=name)
    return build_set(name, published, changes)


def create_set(store, name: str, based_on: str = PUBLISHED, who: str = "unknown",
               description: str = "") -> str:
    """Record a new set starting equal to ``based_on``; AssumptionError on a bad or taken name."""
    name = check_name(name)
    if name in set_names(store):
        raise AssumptionError(f"name {name!r} refused: a set of that name exists")
    steps = [("store_create_set", {"set_name": name, "based_on": based_on,
                                   "created_at": _now(), "created_by": who or "unknown",
                                   "description": description})]
    steps.append(("store_copy_changes", {"from_set": based_on, "to_set": name}))
    store.write(*steps)
    return name


def record_change(store, current: AssumptionSet, key: str, new_text: str,
                  effective_from: date, who: str = "unknown", reason: str = "") -> AssumptionSet:
    """Validate one new value and record it in the set's change log; the new version is
    returned. Nothing is written when the value (or the set it would make) breaks a rule."""
    if key not in set(current.rows["assumption_key"]):
        raise AssumptionError(f"{key} refused: not an assumption of this warehouse")
    value = parse_value(key, new_text)
    old = current.in_force(effective_from).get(key)
    # every week from effective_from on must stay consistent, so check the set as it would be
    published = current.rows[current.rows["_order"] == 0]
    probe = pd.DataFrame({"change_id": [10**9], "assumption_key": [key],
                          "effective_from": [effective_from], "new_value": [str(value)]})
    trial = build_set(current.name, published,
                      pd.concat([_changes_of(current), probe], ignore_index=True))
    weeks = sorted({d for d in trial.rows["valid_from"] if d >= effective_from} | {effective_from})
    for wk in weeks:
        check_together(trial.in_force(wk))
    steps = []
    if current.name not in set(store.read("store_sets")["set_name"]):
        # the first edit of a set the store does not know yet (the published set) records it
        steps.append(("store_create_set", {
            "set_name": current.name, "based_on": "warehouse" if current.name == PUBLISHED
            else PUBLISHED, "created_at": _now(), "created_by": who or "unknown",
            "description": "edits over the warehouse values"}))
    steps.append(("store_record_change", {
        "set_name": current.name, "assumption_key": key,
        "effective_from": effective_from.isoformat(),
        "old_value": None if old is None else _text(old), "new_value": _text(value),
        "changed_at": _now(), "changed_by": who or "unknown", "reason": reason}))
    store.write(*steps)
    return load_set(store, published, current.name)


def _text(value: float | str) -> str:
    """A parsed value as the store keeps it (numbers without trailing zeros)."""
    return f"{value:g}" if isinstance(value, float) else value


def _changes_of(s: AssumptionSet) -> pd.DataFrame:
    edits = s.rows[s.rows["_order"] != 0]
    return pd.DataFrame({"change_id": edits["_order"].to_numpy(),
                         "assumption_key": edits["assumption_key"].to_numpy(),
                         "effective_from": edits["valid_from"].to_numpy(),
                         "new_value": edits["value_text"].to_numpy()})
