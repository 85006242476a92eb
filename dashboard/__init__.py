"""CX Ledger: an open executive customer-experience dashboard over a DuckDB warehouse."""

__version__ = "0.1.0"
