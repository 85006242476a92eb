"""Publishing a draft: the only way the published assumption set changes.

* ``diff`` — what a draft changes against the published set, key by key and period by period:
  from which date (and first week) until which, the published value and the draft's, and
  whether the period starts before the next week (back-dated: it changes weeks already
  reported). Computed from the values in force, not from the change logs, so it is what
  publishing would change, whatever edits led there.
* ``stale`` — a draft started from an earlier published version than today's: publishing it
  would silently undo what was published since, so it is refused (start a new draft).
* ``publish`` — records, in one transaction, the publication (who, when, why: a reason is
  required; the published versions before and after) and the changes that make the published
  set equal to the draft in every week, each with its old and new value and first week; the
  draft is then kept, read-only, as the record of what was published. Back-dated periods are
  published only when confirmed. Two publications from the same published version cannot
  both succeed (the store keeps one publication per version).
* ``publications`` — the history, newest first.

Pure: no Streamlit, no SQL (``store`` is a ``warehouse.db.AppStore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import i18n
from dashboard.i18n import _
from dashboard.money.assumptions import (
    PUBLISHED,
    AssumptionError,
    AssumptionSet,
    check_together,
    first_week_of,
    key_label,
    load_set,
    next_week,
    now_text,
    published_version,
)

DIFF_COLUMNS = ("assumption_key", "start", "end", "published_value", "draft_value",
                "back_dated")


def _value_at(schedule: list[tuple[date, str]], day: date) -> str | None:
    """The value of a schedule (``AssumptionSet.schedule``) in force on ``day``."""
    value = None
    for start, v in schedule:
        if start > day:
            break
        value = v
    return value


def _keys(a: AssumptionSet, b: AssumptionSet) -> list[str]:
    return sorted(set(a.rows["assumption_key"]) | set(b.rows["assumption_key"]))


def diff(published: AssumptionSet, draft: AssumptionSet,
         today: date | None = None) -> pd.DataFrame:
    """Every period in which the draft's value of a key differs from the published one
    (``DIFF_COLUMNS``): ``start`` the date it starts, ``end`` the date the published and draft
    values agree again (None: from then on), both values as text (None: no value), and
    ``back_dated`` when it starts before the next week (``assumptions.next_week``)."""
    first = next_week(today)
    rows: list[dict] = []
    for key in _keys(published, draft):
        pub, dra = published.schedule(key), draft.schedule(key)
        dates = sorted({d for d, _ in pub} | {d for d, _ in dra})
        open_row: dict | None = None
        for day in dates:
            p, q = _value_at(pub, day), _value_at(dra, day)
            if open_row is not None and (p, q) != (open_row["published_value"],
                                                   open_row["draft_value"]):
                open_row["end"] = day
                rows.append(open_row)
                open_row = None
            if p != q and open_row is None:
                open_row = {"assumption_key": key, "start": day, "end": None,
                            "published_value": p, "draft_value": q,
                            "back_dated": day < first}
        if open_row is not None:
            rows.append(open_row)
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))


def diff_table(changes: pd.DataFrame) -> pd.DataFrame:
    """A diff (``diff``) as the Assumptions page and the CLI show it."""
    return pd.DataFrame({
        "Assumption": [key_label(k) for k in changes["assumption_key"]],
        "Key": changes["assumption_key"],
        "From": [f"{d:%Y-%m-%d} ({first_week_of(d)})" for d in changes["start"]],
        "Until": ["onwards" if e is None or pd.isna(e) else f"{e:%Y-%m-%d}"
                  for e in changes["end"]],
        "Published": [v if isinstance(v, str) else "—" for v in changes["published_value"]],
        "Draft": [v if isinstance(v, str) else "—" for v in changes["draft_value"]],
        "Back-dated": ["yes" if b else "no" for b in changes["back_dated"]],
    }, columns=["Assumption", "Key", "From", "Until", "Published", "Draft", "Back-dated"])


def stale(store, draft: AssumptionSet) -> str:
    """Why the draft cannot be published as it is ('' when it can): it started from an
    earlier published version than today's, so publishing it would undo what was published
    since."""
    now = published_version(store)
    if draft.base_version is None or draft.base_version == now:
        return ""
    return _("The published set has changed since draft {name} was started (it was "
             "published v{then}, it is published v{now} now): publishing the draft would "
             "undo those changes. Start a new draft from the published set and make the "
             "changes there.", name=repr(draft.name), then=draft.base_version, now=now)


@dataclass(frozen=True)
class Publication:
    """What one publication did."""

    draft: str
    from_version: int
    to_version: int
    published_by: str
    reason: str
    changes: pd.DataFrame  # the diff that was published (``DIFF_COLUMNS``)

    @property
    def published_id(self) -> str:
        """The id of the published set after the publication."""
        return f"{PUBLISHED} v{self.to_version}"


def _steps(published: AssumptionSet, draft: AssumptionSet
           ) -> list[tuple[str, date, str | None, str]]:
    """The changes that make the published set equal to the draft on every date: walking
    each key's dates in order, a change wherever the published set (with the changes so far)
    still differs. A change is laid over everything before it, so equal from each date on
    means equal everywhere. (key, date, old value, new value)."""
    out = []
    for key in _keys(published, draft):
        pub, dra = published.schedule(key), draft.schedule(key)
        after = list(pub)
        for day in sorted({d for d, _v in pub} | {d for d, _v in dra}):
            target = _value_at(dra, day)
            have = _value_at(after, day)
            if target is None or have == target:
                continue
            out.append((key, day, have, target))
            # the new value holds from ``day`` until the next date a row of either starts
            after = sorted([(d, v) for d, v in after if d != day] + [(day, target)])
    return out


def publish(store, published_rows: pd.DataFrame, draft: AssumptionSet, who: str, reason: str,
            confirm_back_dated: bool = False, today: date | None = None) -> Publication:
    """Publish an open draft: the published set becomes equal to it in every week. Refused
    (AssumptionError, nothing written) without a name or a reason, for the published set or a
    draft already published, for a stale draft (``stale``), when nothing differs, and when a
    period starts before the next week unless ``confirm_back_dated``."""
    who, reason = (who or "").strip(), (reason or "").strip()
    if draft.is_published:
        raise AssumptionError(_("The published set is not published onto itself: start a "
                                "draft, change it and publish the draft."))
    if draft.published_in is not None:
        raise AssumptionError(_("Draft {name} was published already (publication "
                                "#{number}); start a new draft.", name=repr(draft.name),
                                number=draft.published_in))
    if not who or who == "unknown":
        raise AssumptionError(_("Publishing refused: give your name (it is recorded with "
                                "the publication)."))
    if not reason:
        raise AssumptionError(_("Publishing refused: give a reason (why the values change; "
                                "it is recorded with the publication)."))
    why_not = stale(store, draft)
    if why_not:
        raise AssumptionError(why_not)
    current = load_set(store, published_rows, PUBLISHED)
    changes = diff(current, draft, today)
    if changes.empty:
        raise AssumptionError(_("Nothing to publish: draft {name} equals {current}.",
                                name=repr(draft.name), current=current.id))
    first = next_week(today)
    back = changes[changes["back_dated"]]
    if len(back) and not confirm_back_dated:
        keys = i18n.commas(_("{key} from {day}", key=k, day=d.date() if hasattr(d, "date")
                             else d) for k, d in
                           zip(back["assumption_key"], back["start"], strict=True))
        raise AssumptionError(_(
            "Publishing refused: {keys} start(s) before the next week ({week}), so publishing "
            "would change weeks already reported. Confirm the back-dating to publish it.",
            keys=keys, week=first_week_of(first)))
    for day in sorted(set(draft.rows["valid_from"])):
        check_together(draft.in_force(day))
    steps = _steps(current, draft)
    stamp = now_text()
    write: list[tuple[str, dict]] = []
    if PUBLISHED not in set(store.read("store_sets")["set_name"]):
        write.append(("store_create_set", {
            "set_name": PUBLISHED, "based_on": "warehouse", "created_at": stamp,
            "created_by": who, "description": "the warehouse values and what was published",
            "base_version": None}))
    write.append(("store_record_publication", {
        "draft_name": draft.name, "from_version": current.version,
        "to_version": current.version + len(steps), "published_at": stamp,
        "published_by": who, "reason": reason}))
    for key, day, old, new in steps:
        write.append(("store_publish_change", {
            "assumption_key": key, "effective_from": day.isoformat(), "old_value": old,
            "new_value": new, "changed_at": stamp, "changed_by": who, "reason": reason,
            "back_dated": int(day < first)}))
    write.append(("store_close_draft", {"set_name": draft.name}))
    try:
        store.write(*write)
    except Exception as exc:  # noqa: BLE001 - one publication per version: another was first
        if published_version(store) != current.version:
            raise AssumptionError(_(
                "Publishing refused: the published set changed while this draft was being "
                "published. Start a new draft from the published set.")) from exc
        raise
    return Publication(draft.name, current.version, current.version + len(steps), who, reason,
                       changes)


def publications(store) -> pd.DataFrame:
    """Every publication, newest first, as the Assumptions page and the CLI show it."""
    p = store.read("store_publications")
    return pd.DataFrame({
        "#": p["publication_id"].astype(int),
        "When": p["published_at"], "By": p["published_by"], "Reason": p["reason"],
        "Draft": p["draft_name"],
        "Versions": [f"v{int(a)} → v{int(b)}" for a, b in zip(p["from_version"],
                                                               p["to_version"], strict=True)],
        "Changes": p["change_count"].astype(int),
    }, columns=["#", "When", "By", "Reason", "Draft", "Versions", "Changes"])
