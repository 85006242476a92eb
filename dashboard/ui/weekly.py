"""The Weekly KPIs page's first screen: compact KPI tiles, the money in one line, and the "how
computed" depth one click away.

A compact tile is a metric with its unit (``registry.tile_value``), its change with its unit
(``registry.tile_delta``, coloured only when the change is significant after correction) and one
short line: the verdict as a coloured word beside the change. The base n, the interval, the
comparison value, the target and the definition are on hover (the metric's help); the test and
the queries are in the "How computed" expander.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports.summary import verdict_word
from dashboard.i18n import N_, _
from dashboard.metrics import kpis
from dashboard.metrics.kpis import KpiReport, Tile
from dashboard.metrics.registry import format_value, tile_delta, tile_unit
from dashboard.money.impact import FORMULAS, Impact
from dashboard.money.inputs import money_text
from dashboard.ui import common as ui

#: The colour of each verdict word (Streamlit's badge colours).
VERDICT_COLOURS = {"better": "green", "worse": "red"}
#: The tile's hover text and short line (whole templates with named placeholders).
HOVER = N_("{base}. Against {compare_week} ({compare_label}): {previous}. {verdict} {target}")
TARGET = N_("Target {target}: {met}.")


def _hover(t: Tile, report: KpiReport) -> str:
    m, sym, f = t.metric, report.currency_symbol, report.filters
    target = ""
    if t.target is not None:
        target = _(TARGET, target=format_value(t.target, m.fmt, sym),
                   met=ui.target_word(t.target_met))
    text = _(HOVER, base=kpis.tile_caption(t, sym), compare_week=f.compare_week_name,
             compare_label=f.compare_label, previous=format_value(t.previous.value, m.fmt, sym),
             verdict=kpis.verdict(t, f), target=target).strip()
    return f"{text}\n\n{m.definition}"


def tile(t: Tile, report: KpiReport) -> None:
    """One compact KPI tile (a not-loaded one says what to load, as everywhere)."""
    m, sym = t.metric, report.currency_symbol
    if t.not_loaded:
        ui.not_loaded_tile(m.label, t.missing, m.definition)
        return
    with st.container(border=True):
        label = (_("{label} · low base", label=m.label) if t.current.status == "low_base"
                 else m.label)
        delta = None if t.delta is None else tile_delta(t.delta, m, sym)
        color = ("normal" if m.higher_is_better else "inverse") if t.significant else "off"
        word = verdict_word(t)
        colour = VERDICT_COLOURS.get(word, "gray") if t.significant else "gray"
        short = f":{colour}[{ui.plain(word)}]"
        st.metric(ui.plain(label), shown_value(t, report), delta=delta,
                  delta_color=color, delta_arrow="auto" if t.significant else "off",
                  help=ui.plain(_hover(t, report)),
                  delta_description=short if delta is not None else None)
        if delta is None:
            st.caption(short)


def shown_value(t: Tile, report: KpiReport) -> str:
    """The tile's value with its unit in small type (``7.18 :small[per 1,000]``)."""
    m = t.metric
    text = format_value(t.current.value, m.fmt, report.currency_symbol)
    unit = tile_unit(m.name)
    return f"{text} :small[{unit}]" if unit and t.current.value is not None else ui.tile_value(text)


def tiles(report: KpiReport) -> None:
    """Every KPI of the registry, four to a row."""
    per_row = 4
    for i in range(0, len(report.tiles), per_row):
        row = report.tiles[i:i + per_row]
        for col, t in zip(st.columns(per_row), row, strict=False):
            with col:
                tile(t, report)


def money_line(moves: Impact, head) -> None:
    """The money in one line, with its assumption set and unit costs."""
    with st.container(key="money_line"):
        st.caption(ui.plain(moves.money_line(head)))


def moves_table(moves: Impact) -> pd.DataFrame:
    """Each KPI move with its money a week and how it was priced."""
    sym = moves.symbol
    return pd.DataFrame([{
        _("KPI"): m.tile.metric.label,
        _("Change"): tile_delta(m.tile.delta, m.tile.metric, sym),
        _("Verdict"): verdict_word(m.tile),
        _("Money a week"): money_text(m.money, sym, signed=True),
        _("How priced"): _(FORMULAS[m.name]) if m.name in FORMULAS else _("no money model"),
        _("Inputs"): "; ".join(f"{k}: {v}" for k, v in m.inputs),
    } for m in moves.moves])


#: The "how computed" expander's widget key: open or closed, kept per session.
DEPTH_KEY = "kpi_depth"


def how_computed(report: KpiReport, moves: Impact, head) -> None:
    """The depth behind the first screen, one click away: each move's money, the money row's
    figures with their bands, and each tile's definition, base, interval and test.

    Drawn only while open (Streamlit's lazy expander, ``on_change="rerun"``): closed, as the
    page opens, its nine tables are neither built nor sent (about a sixth of a filter change's
    script run); opening it runs the page again from the kept results."""
    depth = st.expander(_("How computed: the moves' money, the money row and every tile"),
                        key=DEPTH_KEY, on_change="rerun")
    if not depth.open:
        return
    with depth:
        ui.note(_("The headline ranks the changes that are significant after correction by "
                  "their money a week; within-noise changes follow."))
        ui.table(moves_table(moves), "kpi_moves")
        if head.withheld:
            ui.note(head.withheld)
        ui.money_row(head.figures, head.symbol)
        for t in report.tiles:
            ui.how_computed(t, report)
