"""The demo world written out: the raw-contract frames, and ``generate``, which runs it all.

``generate`` seeds the base, simulates the window week by week and returns pandas frames in
the raw data contract (customers, survey_responses, complaints, contacts, transactions) plus
``truth_parameters`` and ``truth_events``. Codes become text through Arrow dictionaries, ids are
text that looks like numbers ("1", "2", …: the contract's ids are text), times are tz-naive UTC
microseconds, and a missing value is NaT or NA. The same arguments give
bit-identical frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.intake.demo.locales import EN, DemoLocale
from dashboard.intake.demo.locales import get as get_locale
from dashboard.intake.demo.params import PARAMS
from dashboard.intake.demo.population import Frames, Progress
from dashboard.intake.demo.truth import truth
from dashboard.intake.demo.vocab import (
    CONTACT_CHANNELS,
    DAY_US,
    KINDS,
    NEVER_US,
    NPS,
    SEVERITIES,
    SURVEY_CHANNELS,
    SURVEYS,
)
from dashboard.intake.demo.world import World
from dashboard.warehouse.weeks import last_complete_week, parse_week

#: The end week the tests and the benchmark pin, so that their expected figures (hand-computed
#: or planted) do not move with the calendar; ``generate`` without an end week ends with the
#: last complete week before today instead.
PINNED_END_WEEK = "2026-W44"


def _strings(codes: np.ndarray, labels: tuple[str, ...] | list[str],
             missing: np.ndarray | None = None) -> pd.Series:
    """Text column from integer codes (fast dictionary decode through Arrow)."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), mask=missing)
    arr = pa.DictionaryArray.from_arrays(idx, pa.array(list(labels), pa.large_string()))
    return arr.cast(pa.large_string()).to_pandas(
        types_mapper=lambda _t: pd.StringDtype("pyarrow", na_value=np.nan))


def _nullable_int(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    """A nullable Int64 column."""
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing.copy())


def _text_ids(numbers: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """Ids as text ("1", "2", …; missing where ``missing``): every id of the contract is text,
    and the demo's look like numbers."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64), mask=missing).cast(pa.large_string())
    return arr.to_pandas(types_mapper=lambda _t: pd.StringDtype("pyarrow", na_value=np.nan))


def _ids(codes: np.ndarray) -> pd.Series:
    """Internal customer index -> customer_id (text of the 1-based index)."""
    return _text_ids(codes.astype(np.int64) + 1)


def _timestamps(us: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Microseconds since the epoch as tz-naive UTC datetime64[us] (NaT where missing)."""
    out = np.asarray(us, dtype=np.int64)
    if missing is not None:
        out = np.where(missing, np.iinfo(np.int64).min, out)  # the NaT bit pattern
    return out.view("datetime64[us]")


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Days since the epoch as midnight datetime64 values (NaT where missing)."""
    out = (np.asarray(days, dtype=np.int64) * 86_400).astype("datetime64[s]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _money(amount: np.ndarray, factor: float | np.ndarray, loc: DemoLocale) -> np.ndarray:
    """Amounts of the simulation in the locale's money (the English world's unchanged)."""
    if loc.is_source:
        return amount
    return np.round(amount * factor, loc.money_rounding) + 0.0  # + 0.0: no negative zero


def _serial(k: int) -> pd.Series:
    """Row ids "1".."k" (text): events are numbered in time order within each week."""
    return _text_ids(np.arange(1, k + 1, dtype=np.int64))


def _customers(s: dict[str, np.ndarray], n: int, loc: DemoLocale) -> pd.DataFrame:
    """The customers frame from the first ``n`` rows of the state arrays."""
    churned = s["churn_day"][:n] >= 0
    return pd.DataFrame({
        "customer_id": _serial(n),
        "segment": _strings(s["seg"][:n], loc.segments),
        "region": _strings(s["reg"][:n], loc.regions),
        "plan": _strings(s["plan"][:n], loc.plans),
        "acquisition_channel": _strings(s["acq"][:n], loc.acquisition_channels),
        "signup_date": _dates(_shifted_days(s["signup_day"][:n], loc)),
        "churn_date": _dates(_shifted_days(s["churn_day"][:n], loc), ~churned),
    }, copy=False)


def _shifted_days(days: np.ndarray, loc: DemoLocale) -> np.ndarray:
    """Days since the epoch moved to the locale's weeks (the English world's unchanged)."""
    return days if loc.day_shift == 0 else days.astype(np.int64) + loc.day_shift


def _shifted_us(us: np.ndarray, loc: DemoLocale) -> np.ndarray:
    """Microseconds since the epoch moved to the locale's weeks (English unchanged)."""
    return us if loc.day_shift == 0 else us + loc.day_shift * DAY_US


def _contacts(c: Frames, loc: DemoLocale) -> pd.DataFrame:
    """The contacts frame (the buffer's columns are released as they are read)."""
    no_agent = c.pop("no_agent").astype(bool)
    return pd.DataFrame({
        "contact_id": _serial(len(no_agent)),
        "customer_id": _ids(c.pop("cust")),
        "occurred_at": _timestamps(_shifted_us(c.pop("ts"), loc)),
        "channel": _strings(c.pop("ch"), CONTACT_CHANNELS),
        "reason": _strings(c.pop("reason"), loc.reasons),
        "handle_seconds": c.pop("handle").astype(np.int64),
        "is_resolved": c.pop("res").astype(bool),
        "agent_id": _text_ids(c.pop("agent").astype(np.int64) + 1, no_agent),
    }, copy=False)


def _complaints(q: Frames, limit_us: np.ndarray, loc: DemoLocale) -> pd.DataFrame:
    """The complaints frame; a response or resolution at or after ``limit_us`` of the customer
    (the data cut, or the day after they left) is missing: the complaint was still open."""
    cust = q.pop("cust").astype(np.int64)
    limit = limit_us[cust]
    first = q.pop("first").astype(np.int64)
    resolved = q.pop("resolved").astype(np.int64)
    first_missing = q.pop("fr_missing").astype(bool) | (first >= limit)
    res_missing = resolved >= limit
    return pd.DataFrame({
        "complaint_id": _serial(len(cust)),
        "customer_id": _ids(cust),
        "opened_at": _timestamps(_shifted_us(q.pop("opened").astype(np.int64), loc)),
        "first_response_at": _timestamps(_shifted_us(first, loc), first_missing),
        "resolved_at": _timestamps(_shifted_us(resolved, loc), res_missing),
        "channel": _strings(q.pop("channel"), loc.complaint_channels),
        "category": _strings(q.pop("category"), loc.complaint_categories),
        "severity": _strings(q.pop("severity"), SEVERITIES),
        "contacts_count": q.pop("contacts").astype(np.int64),
        "is_resolved_first_contact": q.pop("rfc").astype(bool) & ~res_missing,
        "compensation_amount": _money(q.pop("amount").astype(np.float64), loc.money_factor,
                                      loc),
    }, copy=False)


def _surveys(r: Frames, loc: DemoLocale) -> pd.DataFrame:
    """The survey_responses frame (NPS 0-10, CSAT and CES 1-7)."""
    kind = r.pop("kind").astype(np.int8)
    agent = r.pop("agent").astype(np.int64)
    store = r.pop("store").astype(np.int64)
    expect = r.pop("expect").astype(np.int64)
    comment = r.pop("comment").astype(np.int64)
    at = r.pop("at").astype(np.int64)
    scale_max = np.array([10, 7, 7])[kind]
    return pd.DataFrame({
        "response_id": _serial(len(kind)),
        "customer_id": _ids(r.pop("cust")),
        "responded_at": _timestamps(_shifted_us(at, loc)),
        "survey": _strings(kind, SURVEYS),
        "score": r.pop("score").astype(np.int64),
        "scale_min": np.where(kind == NPS, 0, 1).astype(np.int64),
        "scale_max": scale_max.astype(np.int64),
        "journey_stage": _strings(r.pop("stage"), loc.journey_stages),
        "touchpoint": _strings(r.pop("touch"), loc.touchpoints),
        "channel": _strings(r.pop("channel"), SURVEY_CHANNELS),
        "agent_id": _text_ids(agent + 1, agent < 0),
        "store_id": _text_ids(store + 1, store < 0),
        "expectation_score": _nullable_int(expect, expect < 0),
        "comment": _strings(np.maximum(comment, 0), loc.comments, comment < 0),
    }, copy=False)


def _transactions(x: Frames, loc: DemoLocale) -> pd.DataFrame:
    """The transactions frame (subscriptions, purchases and refunds)."""
    ts = x.pop("ts").astype(np.int64)
    amount = x.pop("amount").astype(np.float64)
    product = x.pop("product")
    if not loc.is_source:
        amount = _money(amount, np.asarray(loc.product_money_factor)[product.astype(np.int64)],
                        loc)
    return pd.DataFrame({
        "transaction_id": _serial(len(ts)),
        "customer_id": _ids(x.pop("cust")),
        "occurred_at": _timestamps(_shifted_us(ts, loc)),
        "amount": amount,
        "product": _strings(product, loc.products),
        "channel": _strings(x.pop("channel"), loc.transaction_channels),
        "kind": _strings(x.pop("kind"), KINDS),
    }, copy=False)


def frames(w: World, loc: DemoLocale = EN) -> dict[str, pd.DataFrame]:
    """The raw-contract frames (ids in time order within each week), written in ``loc``."""
    s, n = w.s, w.n
    customers = _customers(s, n, loc)
    churned = s["churn_day"][:n] >= 0
    churn_end_us = np.where(churned, (s["churn_day"][:n].astype(np.int64) + 1) * DAY_US,
                            NEVER_US)
    w.progress("assembling contacts")
    contacts = _contacts(w.contacts, loc)
    w.contacts = Frames({})
    w.progress("assembling complaints")
    complaints = _complaints(w.complaints, np.minimum(churn_end_us, w.end_us), loc)
    w.progress("assembling survey responses")
    surveys = _surveys(w.surveys, loc)
    w.progress("assembling transactions")
    transactions = _transactions(w.transactions, loc)
    return {"customers": customers, "survey_responses": surveys, "complaints": complaints,
            "contacts": contacts, "transactions": transactions}


def default_end_week(today: date | None = None) -> str:
    """The demo world's end week when none is given: the last complete ISO week before
    ``today`` (UTC today by default), so a newcomer's first look is current."""
    return last_complete_week(today or datetime.now(UTC).date())


def generate(customers: int = 50_000, seed: int = 7, end_week: str | None = None,
             weeks: int = 104, progress: Callable[[str], None] | None = None,
             structure_seed: int | None = None, locale: str = "en") -> dict[str, pd.DataFrame]:
    """Generate the demo world: raw-contract frames plus ``truth_parameters``/``truth_events``.

    ``customers`` is the active base at the window start (new signups keep it roughly level),
    the window is the ``weeks`` ISO weeks ending with ``end_week`` (``YYYY-Www``, Monday to
    Sunday, UTC; default ``default_end_week()``, the last complete week before today; tests
    pin ``PINNED_END_WEEK``). The same arguments give bit-identical frames. ``structure_seed``,
    when given, draws the world's fixed set-up (the agents' skills) from its own seed, so
    replicated worlds can share one set-up while ``seed`` re-draws the customers and their
    behaviour. The planted events sit at fixed distances before the end week.

    ``locale`` writes the same world in another language (``fa``: the Persian company, see
    ``locales``): the simulation and its draws are the same, only names, comments, money and
    the calendar of the frames change, so the same seed plants the same stories in both.
    """
    loc = get_locale(locale)
    end_week = end_week or default_end_week()
    end_monday = parse_week(end_week)
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer):
        raise ValueError(f"customers must be an integer, got {customers!r}")
    if customers < 100:
        raise ValueError(f"customers must be at least 100, got {customers}")
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 1:
        raise ValueError(f"weeks must be a positive integer, got {weeks!r}")
    report: Progress = progress or (lambda _msg: None)
    start = end_monday - timedelta(weeks=int(weeks) - 1)
    world = World(PARAMS, int(customers), int(seed), start, int(weeks), report,
                  None if structure_seed is None else int(structure_seed))
    report(f"seeding {customers:,} existing customers")
    world.seed_existing_base()
    every = max(1, math.ceil(weeks / 13))
    for t in range(weeks):
        if t % every == 0:
            report(f"simulating week {t + 1}/{weeks}")
        world.step(t)
    out = frames(world, loc)
    out.update(truth(world, int(seed), int(customers), end_week, loc))
    report("demo world ready")
    return out


def assumptions(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The assumptions a demo warehouse is built with: ``data/demo_assumptions.csv``, with the
    improvement programme's first week set to the one the world planted (``truth_parameters``;
    it moves with the end week).

    A world written in another locale (``truth_parameters`` key ``locale``) gets its own
    currency (``currency``, ``currency_symbol``), every amount in that currency (the rows whose
    unit is ``currency/…``, times the locale's money factor) and its programme segment's name.
    """
    from dashboard.warehouse import build

    table = build.read_assumptions()
    planted = frames["truth_parameters"].set_index("key")["value"]
    rows = table["key"] == "programme_start_week"
    table.loc[rows, "value"] = str(planted["programme_start_week"])
    loc = world_locale(frames)
    if loc.is_source:
        return table
    money = table["unit"].astype(str).str.startswith("currency/")
    table.loc[money, "value"] = [f"{float(v) * loc.money_factor:.0f}"
                                 for v in table.loc[money, "value"]]
    for key, value in (("currency", loc.currency), ("currency_symbol", loc.currency_symbol),
                       ("programme_segment", str(planted["programme_segment"]))):
        table.loc[table["key"] == key, "value"] = value
    return table


def world_locale(frames: dict[str, pd.DataFrame]) -> DemoLocale:
    """The locale a generated world was written in (``truth_parameters`` key ``locale``;
    English when the key is absent, as in every English world)."""
    planted = frames["truth_parameters"].set_index("key")["value"]
    return get_locale(str(planted.get("locale", "en")))


def calendar(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """How a warehouse of this world counts time: ``{"week_start": "saturday", "months":
    "jalali"}`` for the Persian world (its weeks run Saturday to Friday), nothing for the English
    one (the warehouse's defaults: ISO weeks, Gregorian months).

    The one place a build learns the demo world's calendar (``python -m dashboard demo`` and the
    tests' demo warehouses ask it); the keys are the warehouse's calendar settings.
    """
    loc = world_locale(frames)
    if loc.is_source:
        return {}
    return {"week_start": loc.week_start,
            "months": "jalali" if loc.calendar == "jalali" else "gregorian"}
