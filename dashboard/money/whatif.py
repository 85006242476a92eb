"""The what-if levers of the impact simulator, and the scenarios saved in the app-owned store.

``Levers`` holds one what-if, checked on entry: an NPS change per segment (points, within ±50)
with its migration rule, a complaint-rate change (%), a first-contact resolution change (pp), a
share of phone contacts moved to self-service (%), the horizon (1–10 years, or the set's) and
the programme cost. A lever outside its bounds raises ``SimulationError`` naming the field, the
value and the rule. ``dashboard.money.simulate`` values the levers.

A scenario is a named set of levers saved as a JSON document (``Levers.to_json``) with who saved
it, when, and under which assumption set; re-opened, it is re-simulated with the current data.

Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from dashboard.i18n import N_, _, current
from dashboard.i18n.numbers import localize, written
from dashboard.metrics import display
from dashboard.money import assumptions as A
from dashboard.money.inputs import ALL
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.coverage import COMPLAINTS, CONTACTS, SURVEYS, Coverage

#: Migration rules of the NPS lever (value -> label); the rule is always shown with the money.
RULES: dict[str, str] = {
    "detractors_to_passives": N_("detractors → passives"),
    "passives_to_promoters": N_("passives → promoters"),
    "half_each": N_("half each (detractors → passives, passives → promoters)"),
}
DEFAULT_RULE = "half_each"
#: The raw table each lever acts on (field of ``Levers`` → tables) and its name in sentences:
#: a lever whose table holds no rows is not offered, and a saved scenario's is left out.
LEVER_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "nps": ((SURVEYS,), N_("NPS change")),
    "complaint_change_pct": ((COMPLAINTS,), N_("complaint rate change")),
    "fcr_change_pp": ((CONTACTS,), N_("first-contact resolution change")),
    "self_service_shift_pp": ((CONTACTS,), N_("phone contacts moved to self-service")),
}
#: Lever bounds (also the refusals' rules).
NPS_LIMIT = 50.0
PCT_LIMIT = 100.0
HORIZON_RANGE = (1, 10)


class SimulationError(ValueError):
    """Levers or a scenario break a rule; the message names the field, the value and the rule."""


# --- levers ------------------------------------------------------------------------------------


def _g(value: float) -> str:
    """A bound of a lever as the reader writes it: ``-50``, ``1e+15`` (English, as given);
    Persian digits in Persian."""
    text = f"{value:g}"
    return text if current() == "en" else localize(text)


def _number(name: str, value: object, low: float, high: float) -> float:
    """``value`` as a number within ``low``–``high``, else SimulationError naming the field
    (``name``: an identifier, or a lever already in the reader's words), the value and the
    rule, in the reader's language."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SimulationError(_("{name} = {value} refused: must be a number", name=name,
                                value=repr(value))) from None
    if not math.isfinite(v) or not low <= v <= high:
        raise SimulationError(_("{name} = {value} refused: must be a number from {low} to "
                                "{high}", name=name, value=repr(value), low=_g(low),
                                high=_g(high)))
    return v


@dataclass(frozen=True)
class Levers:
    """One what-if: NPS change per segment with its migration rule, complaint-rate change,
    FCR change, phone contacts moved to self-service, horizon and programme cost.

    ``nps`` takes a mapping or pairs (segment, points) and is kept as sorted pairs without
    zeros; ``horizon_years`` None means the set's ``analysis_horizon_years``.
    """

    nps: tuple[tuple[str, float], ...] = ()
    migration_rule: str = DEFAULT_RULE
    complaint_change_pct: float = 0.0  # −20 = 20 % fewer complaints
    fcr_change_pp: float = 0.0  # +5 = first-contact resolution 5 points higher
    self_service_shift_pp: float = 0.0  # 10 = 10 % of phone contacts move to self-service
    horizon_years: int | None = None
    programme_cost: float = 0.0  # what the programme costs, for P(profit impact > cost)

    def __post_init__(self) -> None:
        raw = self.nps.items() if isinstance(self.nps, Mapping) else self.nps
        pairs: dict[str, float] = {}
        for seg, pts in raw:
            seg = str(seg)
            if not seg or seg == ALL:
                raise SimulationError(_("NPS lever segment {segment} refused: must be one "
                                        "segment", segment=repr(seg)))
            v = _number(_("NPS change in {segment}", segment=seg), pts, -NPS_LIMIT, NPS_LIMIT)
            if v:
                pairs[seg] = v
        object.__setattr__(self, "nps", tuple(sorted(pairs.items())))
        if self.migration_rule not in RULES:
            raise SimulationError(_("migration_rule = {value} refused: must be one of {rules}",
                                    value=repr(self.migration_rule), rules=", ".join(RULES)))
        for name in ("complaint_change_pct", "fcr_change_pp"):
            object.__setattr__(self, name, _number(name, getattr(self, name), -PCT_LIMIT,
                                                   PCT_LIMIT))
        object.__setattr__(self, "self_service_shift_pp", _number(
            "self_service_shift_pp", self.self_service_shift_pp, 0.0, PCT_LIMIT))
        if self.horizon_years is not None:
            h = _number("horizon_years", self.horizon_years, *HORIZON_RANGE)
            if h != int(h):
                raise SimulationError(_("horizon_years = {value} refused: must be a whole "
                                        "number of years", value=repr(self.horizon_years)))
            object.__setattr__(self, "horizon_years", int(h))
        object.__setattr__(self, "programme_cost", _number(
            "programme_cost", self.programme_cost, 0.0, 1e15))

    def nps_change(self, segment: str) -> float:
        """The NPS change (points) asked for in a segment (0 when none)."""
        return dict(self.nps).get(segment, 0.0)

    @property
    def is_zero(self) -> bool:
        """True when no lever moves."""
        return not (self.nps or self.complaint_change_pct or self.fcr_change_pp
                    or self.self_service_shift_pp)

    def describe(self) -> str:
        """The levers in words: ``NPS +5 in Mass (detractors → passives) · complaints −20 %``."""
        parts = [_("NPS {change} in {segment}", change=signed(v), segment=s)
                 for s, v in self.nps]
        if self.nps:
            parts[-1] = _("{levers} ({rule})", levers=parts[-1],
                          rule=_(RULES[self.migration_rule]))
        if self.complaint_change_pct:
            parts.append(_("complaints {change} %", change=signed(self.complaint_change_pct)))
        if self.fcr_change_pp:
            parts.append(_("first-contact resolution {change} pp",
                           change=signed(self.fcr_change_pp)))
        if self.self_service_shift_pp:
            parts.append(_("{shift} % of phone contacts to self-service",
                           shift=written(f"{self.self_service_shift_pp:g}")))
        return _(" · ").join(parts) if parts else _("no change")

    def to_json(self) -> str:
        """The levers as a JSON document (the scenario payload)."""
        return json.dumps({
            "version": 1, "nps": dict(self.nps), "migration_rule": self.migration_rule,
            "complaint_change_pct": self.complaint_change_pct,
            "fcr_change_pp": self.fcr_change_pp,
            "self_service_shift_pp": self.self_service_shift_pp,
            "horizon_years": self.horizon_years, "programme_cost": self.programme_cost,
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Levers:
        """Levers from ``to_json``'s document; SimulationError naming what is wrong."""
        try:
            doc = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise SimulationError(_("scenario payload is not JSON: {error}",
                                    error=str(exc))) from None
        if not isinstance(doc, dict) or doc.get("version") != 1:
            raise SimulationError(_("scenario payload refused: expected a version {version} "
                                    "document", version=localize("1")))
        known = {"nps", "migration_rule", "complaint_change_pct", "fcr_change_pp",
                 "self_service_shift_pp", "horizon_years", "programme_cost"}
        unknown = sorted(set(doc) - known - {"version"})
        if unknown:
            raise SimulationError(_("scenario payload refused: unknown field(s) {fields}",
                                    fields=str(unknown)))
        nps = doc.get("nps", {})
        if not isinstance(nps, dict):
            raise SimulationError(_("scenario payload refused: nps must map segment to "
                                    "points"))
        return cls(**{k: v for k, v in doc.items() if k in known and k != "nps"},
                   nps=tuple(nps.items()))


def offered(coverage: Coverage) -> dict[str, tuple[str, ...]]:
    """Lever field → the tables it needs that hold no rows (empty: the lever is offered)."""
    return {name: coverage.missing(tables) for name, (tables, _) in LEVER_NEEDS.items()}


def loaded_levers(levers: Levers, coverage: Coverage) -> tuple[Levers, str]:
    """The levers with those whose table holds no rows set to no change, and a sentence naming
    what was left out ('' when nothing was)."""
    gone = {name: m for name, m in offered(coverage).items() if m}
    moved = [name for name in gone
             if (levers.nps if name == "nps" else getattr(levers, name))]
    if not moved:
        return levers, ""
    kept = replace(levers, **{name: (() if name == "nps" else 0.0) for name in moved})
    what = display.commas(_(LEVER_NEEDS[name][1]) for name in moved)
    tables = sorted({t for name in moved for t in gone[name]}, key=cov.TABLES.index)
    return kept, _("Not valued ({what}): {message}.", what=what, message=cov.message(tables))


def signed(v: float) -> str:
    """A lever's change with its sign: ``+5``, ``−20``, ``0``."""
    return written(f"+{v:g}" if v > 0 else f"{display.MINUS}{abs(v):g}" if v < 0 else "0")


# --- scenarios in the app-owned store (``store`` is a warehouse.db.AppStore) ----------------

SCENARIO_COLUMNS = ("scenario_name", "saved_at", "saved_by", "assumption_set_id", "levers",
                    "summary")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def save_scenario(store, name: str, levers: Levers, set_id: str, who: str = "unknown") -> str:
    """Save (or overwrite) a named scenario; returns the cleaned name. AssumptionError on a bad
    name."""
    name = A.check_name(name)
    store.write(("store_save_scenario", {
        "scenario_name": name, "saved_at": _now(), "saved_by": (who or "").strip() or "unknown",
        "assumption_set_id": set_id, "payload": levers.to_json()}))
    return name


def list_scenarios(store) -> pd.DataFrame:
    """Every saved scenario, newest first, with its levers (None when unreadable) and summary."""
    df = store.read("store_scenarios")
    levers: list[Levers | None] = []
    summary: list[str] = []
    for payload in df.get("payload", pd.Series(dtype=str)):
        try:
            lev = Levers.from_json(payload)
        except SimulationError as exc:
            levers.append(None)
            summary.append(_("unreadable: {error}", error=str(exc)))
        else:
            levers.append(lev)
            summary.append(lev.describe())
    out = df.drop(columns=["payload"], errors="ignore").copy()
    out["levers"] = levers
    out["summary"] = summary
    return out.reindex(columns=list(SCENARIO_COLUMNS)).reset_index(drop=True)


def load_scenario(store, name: str) -> Levers:
    """The levers of a saved scenario; SimulationError when there is none of that name."""
    df = store.read("store_scenarios")
    hit = df[df["scenario_name"] == name]
    if hit.empty:
        raise SimulationError(_("no saved scenario named {name}", name=repr(name)))

    return Levers.from_json(hit["payload"].iloc[0])


def delete_scenario(store, name: str) -> bool:
    """Delete a saved scenario; True when it existed."""
    existed = name in set(store.read("store_scenarios")["scenario_name"])
    store.write(("store_delete_scenario", {"scenario_name": name}))
    return existed


def scenario_levers(scenarios: pd.DataFrame) -> dict[str, Levers]:
    """The readable scenarios of ``list_scenarios`` as name → levers."""
    return {str(r.scenario_name): r.levers for r in scenarios.itertuples(index=False)
            if r.levers is not None}


