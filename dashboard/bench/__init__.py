"""Bench: measuring the product, never part of it.

The ``make bench`` report, the pandas-way comparison, many sessions at once (threads and real
browsers) and AppTest page timings. Nothing outside ``bench/`` imports it but the command line's
``bench`` sub-command.
"""
