"""Analysis: the logic of the chart pages, each a pure ``build_report`` over the marts.

Satisfaction, complaints, cost to serve, churn and segment comparison, and the summary cards
they share. Imports ``metrics`` and ``warehouse``.
"""
