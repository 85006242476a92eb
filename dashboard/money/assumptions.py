"""Finance assumptions as named, dated, versioned sets: every money figure names the set it
was computed with.

The warehouse holds the values loaded with the data (``raw.assumptions``: the demo's
``data/demo_assumptions.csv``, or a company's own file loaded with ``ingest`` over CX Ledger's
neutral defaults, whose rows have the source ``SOURCE_DEFAULT``): each key has one or more
values with the date from which they are in force. Those are also the unit costs the contacts
were *booked* at (the marts price every contact with them; ``money.unit_costs``).

The app never writes the warehouse. Its sets live in the app-owned store
(``warehouse.db.AppStore``) as change logs laid over the warehouse rows:

* the **published** set (``PUBLISHED``) is the warehouse rows plus the changes publications
  made (and, in a store from before publishing existed, the edits recorded then). It is never
  edited in place: ``record_change`` refuses it.
* a **draft** starts as a copy of the published set (or of another draft) and remembers the
  published version it started from; it is edited freely, every change recorded (old and new
  value, first week, when, by whom, why, whether back-dated), and published with a reason by
  ``money.publishing.publish``, after which it is kept, read-only, as the record of what was
  published.

A set's id is ``<name> v<version>``, the version being the number of changes recorded for it, so
every money figure can name exactly the inputs it was computed from (and says when CX Ledger's
defaults are among them: ``AssumptionSet.described``).

A new value is in force by default from the next week (``next_week``: the Monday after the
current ISO week, UTC), so nothing already reported changes; an earlier first week is
back-dating, refused unless asked for and then recorded as such.

The rules of each key (``Spec``, ``parse_value``, ``check_together``) live in
``dashboard.warehouse.assumption_rules``, shared with the loading of an assumptions file.

The value in force for week W is the one with the latest ``valid_from`` on or before W's Monday;
on equal dates a change wins over the warehouse row, and a later change over an earlier one.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from dashboard.i18n import N_, _, current
from dashboard.i18n.numbers import localize
from dashboard.metrics.display import CONTRACT_NAMES
from dashboard.warehouse import weeks

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
from dashboard.warehouse.weeks import week_label

#: The set every installation starts with: the warehouse's values plus what was published.
PUBLISHED = "published"
#: The source of a published row that is one of CX Ledger's neutral defaults (not the company's).
SOURCE_DEFAULT = "CX Ledger default"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,39}$")


def check_name(name: str) -> str:
    """A set or scenario name: 1–40 letters, digits, spaces, dots, dashes or underscores."""
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise AssumptionError(_(
            "name {name} refused: use 1–40 letters, digits, spaces, dots, dashes or "
            "underscores, starting with a letter or digit", name=repr(name)))
    return name


def key_label(key: str) -> str:
    """A key in words, in the reader's language: its rule's label, with the channel for a cost
    per contact ("Cost per contact: self-service"; in Persian the contract's channel in words,
    «هزینهٔ هر تماس: سلف‌سرویس»)."""
    label = _(spec_for(key).label)
    if key.startswith("cost_per_contact_"):
        code = key.removeprefix("cost_per_contact_")
        channel = code.replace("_", "-")
        if current() != "en" and code in CONTRACT_NAMES:
            channel = _(CONTRACT_NAMES[code])
        return _("{label}: {channel}", label=label, channel=channel)
    return label


def today_utc() -> date:
    """Today's date in UTC (the calendar of the warehouse)."""
    return datetime.now(UTC).date()


def next_week(today: date | None = None) -> date:
    """The default first week of a new value: the first day of the week after the current one
    (UTC; a Monday, or a Saturday in a warehouse counting Saturday weeks).

    A value decided today changes no week already under way or reported; a first week before
    it is back-dating (``record_change(back_date=True)``)."""
    today = today or today_utc()
    return weeks.first_day(today) + timedelta(weeks=1)


def first_week_of(valid_from: date) -> str:
    """The first week a value dated ``valid_from`` is in force in (the week whose first day is
    on or after it): ``2026-W51``."""
    return week_label(weeks.first_day(valid_from + timedelta(days=6)))


ROW_COLUMNS = ("assumption_key", "valid_from", "value_text", "unit", "description", "source")


@dataclass(frozen=True)
class AssumptionSet:
    """A named set: the warehouse rows with the set's recorded changes laid over them."""

    name: str
    version: int
    rows: pd.DataFrame  # ROW_COLUMNS; source is 'warehouse', SOURCE_DEFAULT, 'edit #<id>' or
    #                     'publication #<n>'
    #: a draft: the published version it started from (None: the published set, or unknown)
    base_version: int | None = None
    #: a published draft: the publication that published it (it is then read-only)
    published_in: int | None = None
    #: week start -> (the values in force, parsed; the table of them): a set never changes,
    #: and every money figure of a run asks for the same week's values (read-only: copied out)
    _kept: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The id every money figure names: ``<name> v<version>``."""
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        """Whether this is the published set (changed only by publishing a draft)."""
        return self.name == PUBLISHED

    def in_force(self, week_start: date) -> dict[str, float | str]:
        """Every key's value in force in the week starting ``week_start`` (parsed)."""
        return dict(self._week(week_start)[0])

    def table(self, week_start: date) -> pd.DataFrame:
        """The values in force in a week with unit, description, valid_from and source: per key
        the latest valid_from on or before the week, a change winning over the warehouse row
        and a later change over an earlier one."""
        return self._week(week_start)[1].copy()

    def digest(self) -> int:
        """A hash of the rows' content (what tells two sets' figures apart with their name and
        version), computed once."""
        if "digest" not in self._kept:
            self._kept["digest"] = int(pd.util.hash_pandas_object(self.rows, index=False).sum())
        return self._kept["digest"]

    def _week(self, week_start: date) -> tuple[dict[str, float | str], pd.DataFrame]:
        kept = self._kept.get(week_start)
        if kept is None:
            r = self.rows[self.rows["valid_from"] <= week_start]
            r = r.sort_values(["assumption_key", "valid_from", "_order"])
            latest = r.groupby("assumption_key", sort=True).tail(1)
            table = latest[list(ROW_COLUMNS)].reset_index(drop=True)
            values: dict[str, float | str] = {}
            for row in table.itertuples(index=False):
                try:
                    values[row.assumption_key] = parse_value(row.assumption_key, row.value_text)
                except AssumptionError:
                    values[row.assumption_key] = str(row.value_text)
            kept = self._kept[week_start] = (values, table)
        return kept

    def schedule(self, key: str) -> list[tuple[date, str]]:
        """When the key's value changes: (date, value as text) at every date a row of the key
        starts, the value being the one in force from that date (``normalised``)."""
        r = self.rows[self.rows["assumption_key"] == key].sort_values(["valid_from", "_order"])
        last = r.groupby("valid_from", sort=True).tail(1)
        return [(d, normalised(key, v)) for d, v in zip(last["valid_from"], last["value_text"],
                                                          strict=True)]

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
        if n == total:
            return _("{set_id} (CX Ledger defaults, not your company's)", set_id=self.id)
        return _("{set_id} (CX Ledger defaults, not your company's: {n} of {total} values)",
                 set_id=self.id, n=localize(str(n)), total=localize(str(total)))


def normalised(key: str, text: object) -> str:
    """A value as text the way the store keeps it (``8.00`` → ``8``), so equal values compare
    equal; a value its rule refuses is kept as written."""
    try:
        return _text(parse_value(key, text))
    except AssumptionError:
        return str(text).strip()


def build_set(name: str, published: pd.DataFrame, changes: pd.DataFrame,
              base_version: int | None = None, published_in: int | None = None
              ) -> AssumptionSet:
    """Lay a set's changes (store rows: change_id, assumption_key, effective_from, new_value,
    optionally publication_id) over the warehouse rows (assumption_key, valid_from, value_text,
    unit, description)."""
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
            "assumption_key": changes["assumption_key"].astype(str).to_numpy(),
            "valid_from": pd.to_datetime(changes["effective_from"]).dt.date.to_numpy(),
            "value_text": changes["new_value"].astype(str).to_numpy(),
        })
        ch["unit"] = ch["assumption_key"].map(meta["unit"]).fillna("")
        ch["description"] = ch["assumption_key"].map(meta["description"]).fillna("")
        pubs = (changes["publication_id"] if "publication_id" in changes
                else pd.Series([None] * len(changes)))
        ch["source"] = [f"publication #{int(p)}" if _known(p) else f"edit #{int(i)}"
                        for i, p in zip(changes["change_id"], pubs, strict=True)]
        ch["_order"] = changes["change_id"].astype(int).to_numpy()
        base = pd.concat([base, ch], ignore_index=True)
    return AssumptionSet(name, len(changes), base.reset_index(drop=True), base_version,
                         published_in)


def _known(x: object) -> bool:
    """Whether a nullable store value holds something (not None or NaN)."""
    return x is not None and not (isinstance(x, float) and math.isnan(x))


# --- sets in the app-owned store (``store`` is a warehouse.db.AppStore) ---------------------


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _sets(store) -> pd.DataFrame:
    return store.read("store_sets")


def set_names(store) -> list[str]:
    """The sets money figures can be computed with: the published set first, then every open
    draft (a published draft is kept in the store as a record, not offered)."""
    sets = _sets(store)
    return [PUBLISHED] + [str(n) for n, p in zip(sets["set_name"], sets["published_in"],
                                                 strict=True)
                          if n != PUBLISHED and not _known(p)]


def published_version(store) -> int:
    """The version of the published set: the number of changes recorded for it."""
    return len(store.read("store_changes", set_name=PUBLISHED))


def load_set(store, published: pd.DataFrame, name: str = PUBLISHED) -> AssumptionSet:
    """A set by name: the warehouse rows plus the set's recorded changes (none for a name the
    store does not know, which is then the warehouse rows alone)."""
    changes = store.read("store_changes", set_name=name)
    sets = _sets(store)
    row = sets[sets["set_name"] == name]
    base = pub = None
    if len(row) and name != PUBLISHED:
        b, p = row["base_version"].iloc[0], row["published_in"].iloc[0]
        base = int(b) if _known(b) else None
        pub = int(p) if _known(p) else None
    return build_set(name, published, changes, base, pub)


def create_set(store, name: str, based_on: str = PUBLISHED, who: str = "unknown",
               description: str = "") -> str:
    """Start a draft equal to ``based_on`` (the published set or an open draft); it remembers
    the published version it starts from. AssumptionError on a bad or taken name."""
    name = check_name(name)
    sets = _sets(store)
    if name == PUBLISHED or name in set(sets["set_name"]):
        raise AssumptionError(_("name {name} refused: a set of that name exists",
                                name=repr(name)))
    if based_on == PUBLISHED:
        base_version: int | None = published_version(store)
    else:
        row = sets[sets["set_name"] == based_on]
        if row.empty or _known(row["published_in"].iloc[0]):
            raise AssumptionError(_("{name} refused as a base: it is not an open draft",
                                    name=repr(based_on)))
        b = row["base_version"].iloc[0]
        base_version = int(b) if _known(b) else None
    store.write(
        ("store_create_set", {"set_name": name, "based_on": based_on, "created_at": now_text(),
                              "created_by": who or "unknown", "description": description,
                              "base_version": base_version}),
        ("store_copy_changes", {"from_set": based_on, "to_set": name}))
    return name


def editable(current: AssumptionSet) -> None:
    """AssumptionError unless ``current`` is an open draft: the published set changes only by
    publishing a draft, and a published draft is the record of what was published."""
    if current.is_published:
        raise AssumptionError(_(
            "{set_id} refused an edit: the published set changes only by publishing a "
            "draft. Start a draft from it, change the draft and publish it with a reason.",
            set_id=current.id))
    if current.published_in is not None:
        raise AssumptionError(_(
            "{set_id} refused an edit: it was published (publication #{publication}) and is "
            "kept as the record of it. Start a new draft.", set_id=current.id,
            publication=localize(str(current.published_in))))


def record_change(store, current: AssumptionSet, key: str, new_text: str,
                  effective_from: date | None = None, who: str = "unknown", reason: str = "",
                  back_date: bool = False, today: date | None = None) -> AssumptionSet:
    """Validate one new value of a draft and record it in the draft's change log; the new
    version is returned. Nothing is written when the value (or the set it would make) breaks a
    rule, when ``current`` is not an open draft, or when the first week is before the next
    week (``next_week``) without ``back_date``: back-dating changes weeks already reported, so
    it must be asked for, and it is recorded as such."""
    editable(current)
    if current.name not in set(_sets(store)["set_name"]):
        raise AssumptionError(_("{name} refused an edit: no draft of that name; start one "
                                "first", name=repr(current.name)))
    if key not in set(current.rows["assumption_key"]):
        raise AssumptionError(_("{key} refused: not an assumption of this warehouse",
                                key=key))
    value = parse_value(key, new_text)
    start = next_week(today)
    effective_from = effective_from or start
    back_dated = effective_from < start
    if back_dated and not back_date:
        raise AssumptionError(_(
            "{key} from {day} refused: that is before the next week ({week}, from {start}), "
            "so it would change weeks already reported. Choose back-dating explicitly to mean "
            "it.", key=key, day=f"{effective_from:%Y-%m-%d}", week=first_week_of(start),
            start=f"{start:%Y-%m-%d}"))

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
    store.write(("store_record_change", {
        "set_name": current.name, "assumption_key": key,
        "effective_from": effective_from.isoformat(),
        "old_value": None if old is None else _text(old), "new_value": _text(value),
        "changed_at": now_text(), "changed_by": who or "unknown", "reason": reason,
        "back_dated": int(back_dated)}))
    return load_set(store, published, current.name)


def _text(value: float | str) -> str:
    """A parsed value as the store keeps it (numbers without trailing zeros)."""
    return format(value, ".15g") if isinstance(value, float) else value


def _changes_of(s: AssumptionSet) -> pd.DataFrame:
    edits = s.rows[s.rows["_order"] != 0]
    return pd.DataFrame({"change_id": edits["_order"].to_numpy(),
                         "assumption_key": edits["assumption_key"].to_numpy(),
                         "effective_from": edits["valid_from"].to_numpy(),
                         "new_value": edits["value_text"].to_numpy()})


# --- values, units and sources as a reader of the Assumptions page reads them ----------------

#: The units CX Ledger's own assumption files give (``data/*_assumptions.csv``), in words for
#: the screen (``{currency}``: the set's currency by name). A company's own unit is shown as
#: written.
UNITS: dict[str, str] = {
    "code": N_("code"), "symbol": N_("symbol"), "pct": N_("pct"), "points": N_("points"),
    "score": N_("score"), "fraction": N_("fraction"), "years": N_("years"),
    "segment": N_("segment"), "ISO week": N_("ISO week"),
    "currency/contact": N_("{currency} per contact"),
    "currency/complaint": N_("{currency} per complaint"),
    "currency/customer/week": N_("{currency} per customer per week"),
    "per 1000 customers": N_("per {n} customers"),
}


def shown_value(key: str, text: object) -> str:
    """A value as the Assumptions page's read-only tables show it: as stored in English; in
    Persian a number in Persian digits with separators (``48000`` → «۴۸٬۰۰۰»), a currency code
    with its name («تومان (IRT)»), a week as its Jalali week; a symbol or a name as written.
    (The page's one editable field, the new value, is typed text: read in either digits.)"""
    raw = "" if text is None else str(text)
    if current() == "en":
        return raw
    kind = spec_for(key).kind
    try:
        value = parse_value(key, raw)
    except AssumptionError:
        return localize(raw) if kind not in ("symbol", "text") else raw
    if kind == "currency":
        from dashboard.i18n.currency import Currency

        name = Currency("", str(value)).name
        return _("{name} ({code})", name=name, code=value) if name else str(value)
    if kind == "week":
        return weeks.week_display(str(value))
    if isinstance(value, float):
        plain = _text(value)
        decimals = len(plain.partition(".")[2]) if "e" not in plain else 0
        return localize(f"{value:,.{decimals}f}" if "e" not in plain else plain)
    return str(value)


def shown_unit(unit: object, currency: str = "") -> str:
    """A unit as the reader reads it: as written in English and for a company's own unit; a
    shipped unit in Persian words, money units naming the set's currency («تومان به‌ازای هر
    تماس»)."""
    text = "" if unit is None else str(unit)
    if current() == "en" or text not in UNITS:
        return text
    return _(UNITS[text], currency=currency or _("currency"), n=localize("1000"))


def shown_source(source: object) -> str:
    """Where a value comes from, as the reader reads it: ``warehouse``, ``CX Ledger default``,
    ``publication #3``, ``edit #7`` as stored in English; in the reader's words otherwise."""
    text = "" if source is None else str(source)
    if current() == "en":
        return text
    if text == "warehouse":
        return _("warehouse")
    if text == SOURCE_DEFAULT:
        return _("CX Ledger default")
    kind, _sep, number = text.partition(" #")
    if number.isdigit() and kind in ("publication", "edit"):
        n = localize(number)
        return _("publication #{n}", n=n) if kind == "publication" else _("edit #{n}", n=n)
    return text
