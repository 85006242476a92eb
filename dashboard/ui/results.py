"""The chart pages' computed results — a page's report and its figures — for one selection,
kept like query results (``db.cached_value``: per warehouse file version, for the cache's TTL,
within its memory budget, made once when sessions ask at the same time).

A rerun with the same selection (a page-level widget elsewhere, a download's rerun, coming
back to a page or to a filter state seen before) then draws the kept figures instead of
computing them again, and the server's warm-up (``dashboard.ui.warm``) computes the default
selection of every chart page before the first visitor arrives. The key holds every input of
the computation: the page, the filters, the page's own choices and, for money figures, the
assumption set's name, version and rows; the warehouse version is part of every key.

Callers must not change what they are given (reports and figures are shared between sessions;
exports draw from copies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from dashboard import i18n
from dashboard.analysis import churn, complaints, cost, satisfaction
from dashboard.exports import exhibits
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import value
from dashboard.money.assumptions import AssumptionSet
from dashboard.warehouse import coverage as cov
from dashboard.warehouse import db

T = TypeVar("T")


def _fetch(name: str, **params) -> pd.DataFrame:
    from dashboard.ui import common as ui

    return ui.fetch(name, **params)


def kept(page: str, make: Callable[[], T], *inputs: Any) -> T:
    """``make()``, kept for ``page``, ``inputs`` (hashable) and the language of the run (a
    report's texts are in it) on the current warehouse."""
    from dashboard.ui import common as ui

    return db.cached_value(ui.warehouse(), ("page", page, i18n.current(), *inputs), make)


def set_key(aset: AssumptionSet) -> tuple:
    """What identifies an assumption set's figures: its name, version and rows' content."""
    return (aset.name, aset.version, aset.base_version, aset.published_in, aset.digest())


def kpis_page(filters: Filters, coverage: cov.Coverage):
    """Weekly KPIs: the report and its 13-week trends."""
    def make():
        report = kpis.build_report(_fetch, filters, coverage)
        return report, exhibits.kpi_exhibits(report)
    return kept("Weekly KPIs", make, filters)


def satisfaction_page(filters: Filters, view: satisfaction.View):
    """Satisfaction: the report for the page's view and its charts."""
    def make():
        report = satisfaction.build_report(_fetch, filters, view)
        return report, exhibits.satisfaction_exhibits(report, filters)
    return kept("Satisfaction", make, filters, view)


def complaints_page(filters: Filters, coverage: cov.Coverage):
    """Complaints: the report and its charts."""
    def make():
        report = complaints.build_report(_fetch, filters, coverage)
        return report, exhibits.complaints_exhibits(report)
    return kept("Complaints", make, filters)


def cost_page(filters: Filters, baseline_week: str | None, basis: str | None):
    """Cost to serve: the report for the baseline and basis chosen, and its charts."""
    def make():
        report = cost.build_report(_fetch, filters, baseline_week=baseline_week, basis=basis)
        return report, exhibits.cost_exhibits(report)
    return kept("Cost to serve", make, filters, baseline_week, basis)


def churn_page(filters: Filters, coverage: cov.Coverage):
    """Churn & retention: the report and its charts."""
    def make():
        report = churn.build_report(_fetch, filters, coverage)
        return report, exhibits.churn_exhibits(report)
    return kept("Churn & retention", make, filters)


def money_inputs(filters: Filters, aset: AssumptionSet, coverage: cov.Coverage):
    """The money model's inputs and estimates for the selection and the set, read once for
    Weekly KPIs' moves and money row and CX in money (``dashboard.money.inputs.load``)."""
    from dashboard.money import inputs

    return kept("money inputs", lambda: inputs.load(_fetch, filters, aset, coverage), filters,
                set_key(aset))


def money_page(filters: Filters, aset: AssumptionSet, coverage: cov.Coverage):
    """CX in money: the report for the assumption set and its charts."""
    def make():
        report = value.build_report(_fetch, filters, aset, coverage=coverage,
                                    loaded=money_inputs(filters, aset, coverage))
        return report, exhibits.money_exhibits(report)
    return kept("CX in money", make, filters, set_key(aset))


def kpis_moves(report, filters: Filters, aset: AssumptionSet):
    """Weekly KPIs' moves priced and ranked (``dashboard.money.impact.build``) for the set."""
    from dashboard.money import impact

    return kept("Weekly KPIs moves", lambda: impact.build(
        _fetch, report, aset, money_inputs(filters, aset, report.coverage)), filters,
        set_key(aset))


def money_headline(filters: Filters, aset: AssumptionSet, coverage: cov.Coverage):
    """Weekly KPIs' money row (``dashboard.money.headline.build``) for the assumption set."""
    from dashboard.money import headline

    return kept("Weekly KPIs money", lambda: headline.build(
        _fetch, filters, aset, coverage, money_inputs(filters, aset, coverage)), filters,
        set_key(aset))
