"""What is loaded: which raw tables of the contract hold rows, and the one way to say that a
table holds none.

A company may load any subset of the five tables (customers with transactions only; surveys
only with their customers …). A figure whose source table has no rows is *not loaded*: it is
never shown as 0, never tested, never "target met", and every page, the CLI and the board pack
say so with the same sentence (``message``): "no complaint data loaded — load complaints on the
Data page". A table that holds rows but none for the selected customers or week is a real zero
(or an insufficient base), not "not loaded".

``load`` reads one cheap cached query (``data_coverage``: five rows counted when the warehouse
was built or loaded); the result is passed down like the filters. What each figure depends on is
declared as data where the figure is defined (``Metric.tables`` in the metric registry,
``money.figures.NEEDS`` for money components, ``exports.exhibits.NEEDS`` for charts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashboard.warehouse.catalog import Fetch

CUSTOMERS = "customers"
SURVEYS = "survey_responses"
COMPLAINTS = "complaints"
CONTACTS = "contacts"
TRANSACTIONS = "transactions"
#: The raw customer and event tables of the contract, in the Data page's order.
TABLES: tuple[str, ...] = (CUSTOMERS, SURVEYS, COMPLAINTS, CONTACTS, TRANSACTIONS)
#: How each table is named in the message: (its data, as an adjective; what to load).
_NAMES: Mapping[str, tuple[str, str]] = {
    CUSTOMERS: ("customer", "customers"),
    SURVEYS: ("survey", "survey responses"),
    COMPLAINTS: ("complaint", "complaints"),
    CONTACTS: ("contact", "contacts"),
    TRANSACTIONS: ("transaction", "transactions"),
}
#: The status of a figure whose source is not loaded (``kpis --json``, ``money --json``).
NOT_LOADED = "not_loaded"
#: The short form a tile shows in place of a value.
NOT_LOADED_TEXT = "Not loaded"


def _series(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def message(tables: Iterable[str]) -> str:
    """The one sentence for tables with no rows, in the contract's order: "no complaint data
    loaded — load complaints on the Data page"; several: "no survey or transaction data loaded
    — load survey responses and transactions on the Data page"."""
    chosen = [t for t in TABLES if t in set(tables)]
    if not chosen:
        raise ValueError("message() needs at least one table")
    data = _series([_NAMES[t][0] for t in chosen], "or")
    load = _series([_NAMES[t][1] for t in chosen], "and")
    return f"no {data} data loaded — load {load} on the Data page"


def sentence(tables: Iterable[str]) -> str:
    """``message`` as a sentence of its own (capitalised, full stop)."""
    text = message(tables)
    return f"{text[0].upper()}{text[1:]}."


@dataclass(frozen=True)
class Coverage:
    """The rows of every raw customer and event table (0 for a table with none)."""

    rows: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Coverage:
        """Coverage from table → rows (tables not named hold none)."""
        return cls(tuple((t, int(counts.get(t, 0))) for t in TABLES))

    @property
    def counts(self) -> dict[str, int]:
        """Table → rows."""
        return dict(self.rows)

    def loaded(self, table: str) -> bool:
        """Whether ``table`` holds any row."""
        if table not in TABLES:
            raise KeyError(f"not a raw table: {table!r}")
        return self.counts[table] > 0

    def missing(self, tables: Iterable[str]) -> tuple[str, ...]:
        """Which of ``tables`` hold no rows, in the contract's order."""
        wanted = set(tables)
        return tuple(t for t in TABLES if t in wanted and not self.loaded(t))

    @property
    def not_loaded(self) -> tuple[str, ...]:
        """Every table with no rows."""
        return self.missing(TABLES)

    def message(self, tables: Iterable[str]) -> str | None:
        """``message`` for those of ``tables`` that hold no rows; None when all are loaded."""
        gone = self.missing(tables)
        return message(gone) if gone else None


#: Every table holding rows (counts unknown): the default of inputs assembled by hand.
COMPLETE = Coverage.of({t: 1 for t in TABLES})


def load(fetch: Fetch) -> Coverage:
    """The coverage of the warehouse ``fetch`` reads (one cached query of five rows)."""
    df = fetch("data_coverage")
    return Coverage.of({str(t): int(n) for t, n in zip(df["table_name"], df["row_count"],
                                                       strict=True)})


def resolve(coverage: Coverage | None, fetch: Fetch) -> Coverage:
    """The coverage given, else the warehouse's (so a caller may pass it down or not)."""
    return coverage if coverage is not None else load(fetch)
