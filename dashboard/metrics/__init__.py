"""Metrics: the numbers and their uncertainty.

Statistics (``stats``), the metric registry (``registry``), the filter state (``filters``),
the weekly KPI report (``kpis``) and Kaplan–Meier survival (``survival``). Imports only
``warehouse``.
"""
