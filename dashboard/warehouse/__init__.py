"""Warehouse: where the data lives and how it is reached.

The URL (``config``), the query catalog of ``queries/`` (``catalog``), read access with one
result cache (``db``), transpilation to other engines (``engines``), Spark (``spark``), the raw
tables as data (``schema``), the calendar (``weeks``) and the one builder for every engine
(``build``). Imports no other room.
"""
