"""The raw contract's tables as data: every raw table the warehouse holds, its key, its columns
with their kinds and accepted values, and the names a write-side statement may use as identifiers.

The builder creates these tables; ``dashboard.intake.contract`` holds the rules a loaded file must
meet to enter them.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT, INT, FLOAT, BOOL, TIMESTAMP, DATE = "text", "int", "float", "bool", "timestamp", "date"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = True
    accepted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    #: the column that says whose row a key is: a row arriving with a known key and the same
    #: identity is a newer version (it replaces the old one, kept in history); with another
    #: identity it is a clash of keys (quarantined)
    identity: str = "customer_id"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def event_column(self) -> str:
        """The column that dates a row (its first timestamp or date)."""
        return next(c.name for c in self.columns if c.kind in (TIMESTAMP, DATE))


#: The id columns: text in every table (``7311-YNBIQ``, ``INV-0000001``, ``R_3kX…``, e-mail
#: addresses, UUIDs, ``00123`` apart from ``123``), stored and shown exactly as given; a number
#: read from a Parquet or XLSX cell is written without ``.0``. Keys and joins compare them as text.
ID_COLUMNS = ("customer_id", "response_id", "complaint_id", "contact_id", "transaction_id",
              "agent_id", "store_id")

CHANNELS = ("phone", "chat", "email", "self_service", "store", "social")

CONTRACT: dict[str, Table] = {t.name: t for t in (
    Table("customers", ("customer_id",), (
        Column("customer_id"), Column("segment"), Column("region"), Column("plan"),
        Column("acquisition_channel", required=False), Column("signup_date", DATE),
        Column("churn_date", DATE, required=False)), identity="signup_date"),
    Table("survey_responses", ("response_id",), (
        Column("response_id"), Column("customer_id"),
        Column("responded_at", TIMESTAMP), Column("survey", accepted=("nps", "csat", "ces")),
        Column("score", INT), Column("scale_min", INT), Column("scale_max", INT),
        Column("journey_stage", required=False), Column("touchpoint", required=False),
        Column("channel", required=False), Column("agent_id", required=False),
        Column("store_id", required=False),
        Column("expectation_score", INT, required=False),
        Column("comment", required=False))),
    Table("complaints", ("complaint_id",), (
        Column("complaint_id"), Column("customer_id"), Column("opened_at", TIMESTAMP),
        Column("first_response_at", TIMESTAMP, required=False),
        Column("resolved_at", TIMESTAMP, required=False), Column("channel"),
        Column("category"), Column("severity"), Column("contacts_count", INT, required=False),
        Column("is_resolved_first_contact", BOOL, required=False),
        Column("compensation_amount", FLOAT, required=False))),
    Table("contacts", ("contact_id",), (
        Column("contact_id"), Column("customer_id"), Column("occurred_at", TIMESTAMP),
        Column("channel", accepted=CHANNELS), Column("reason"),
        Column("handle_seconds", FLOAT, required=False),
        Column("is_resolved", BOOL, required=False), Column("agent_id", required=False))),
    Table("transactions", ("transaction_id",), (
        Column("transaction_id"), Column("customer_id"),
        Column("occurred_at", TIMESTAMP), Column("amount", FLOAT),
        Column("product", required=False), Column("channel", required=False),
        Column("kind", accepted=("purchase", "subscription", "refund")))),
)}

#: The finance assumptions (``raw.assumptions``): not an event table of the contract, but loaded
#: by ``ingest`` like one (a company's own settings), its values checked by
#: ``warehouse.assumption_rules``. A row is a key's value from ``valid_from`` on.
ASSUMPTIONS = Table("assumptions", ("key", "valid_from"), (
    Column("key"), Column("valid_from", DATE), Column("value"),
    Column("unit", required=False), Column("description", required=False)), identity="key")


#: Every name a write-side statement may use as an identifier: the raw tables and their columns.
NAMES: frozenset[str] = frozenset(
    {"assumptions", *CONTRACT}
    | {c.name for t in (*CONTRACT.values(), ASSUMPTIONS) for c in t.columns})
