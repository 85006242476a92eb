"""Intake: data coming in.

The rules a file must meet (``contract``), the atomic loader with quarantine and history
(``ingest``), the Data page's logic (``status``) and the demo world generator (``demo``).
Imports only ``warehouse``.
"""
