"""The Satisfaction page's own parts (``dashboard/analysis/satisfaction.py``): its pickers,
its score tiles and the movers table."""

from __future__ import annotations

import streamlit as st

from dashboard.analysis import satisfaction
from dashboard.exports import tables as export_tables
from dashboard.i18n import N_, _
from dashboard.metrics.kpis import Catalog
from dashboard.ui import common as ui
from dashboard.ui.language import tile_value

#: The pickers' widget keys.
_SAT_KEYS = {"split": "sat_split", "grain": "sat_grain", "score": "sat_score"}


def controls(cat: Catalog) -> satisfaction.View:
    """The Satisfaction page's pickers (score, split, grain), as one immutable view; the split
    offers only the dimensions with two values or more."""
    left, mid, right = st.columns(3)
    with left:
        score = ui.choice(N_("Score"), satisfaction.SCORES, _SAT_KEYS["score"], "nps",
                          help=N_("The score the trend, distribution and movers show."))
    splits = satisfaction.split_choices(cat.dims)
    default = satisfaction.default_view(cat.dims).split
    with mid:
        if splits:
            split = ui.choice(N_("Split by"), splits, _SAT_KEYS["split"], default,
                              help=N_("Customer attributes (segment, region, plan) or "
                                      "attributes of the answer (journey stage, touchpoint, "
                                      "channel)."))
        else:
            split = default
            ui.note(cat.dims.none_note(tuple(satisfaction.SPLITS)))
    with right:
        grain = ui.choice(N_("Grain"), satisfaction.GRAINS, _SAT_KEYS["grain"], "week",
                          help=N_("Weekly: the 26 ISO weeks ending with the selected week. "
                                  "Monthly: the 12 calendar months ending with the selected "
                                  "week's month, counted up to the selected week's Sunday."))
    return satisfaction.View(split=split, grain=grain, score=score)


def tiles(report: satisfaction.SatisfactionReport) -> None:
    """NPS, CSAT and CES of the filtered customers: value, n, interval and corrected change."""
    for col, t in zip(st.columns(len(report.tiles)), report.tiles, strict=True):
        m = t.metric
        with col, st.container(border=True):
            label = (_("{label} · low base", label=m.label) if t.current.status == "low_base"
                     else m.label)
            color = ("normal" if m.higher_is_better else "inverse") if t.significant else "off"
            st.metric(ui.plain(label), tile_value(t.value_text), delta=t.delta_text,
                      delta_color=color,
                      delta_arrow="auto" if t.significant else "off", help=ui.plain(m.definition))
            st.caption(ui.plain(t.caption))
            st.caption(ui.plain(t.verdict))


def movers(report: satisfaction.SatisfactionReport) -> None:
    """The movers table (n both weeks, values, change, raw and BH p, verdict) and takeaway;
    one line instead when the split has a single group."""
    if report.split_note:
        ui.note(report.split_note)
        return
    names = report.movers_columns()
    fmt = {"nps": "%+.1f", "csat": "%.1f", "ces": "%.2f"}[report.view.score]
    num = st.column_config.NumberColumn
    column_config = {
        names["group"]: st.column_config.TextColumn(pinned=True),
        names["value_week"]: num(format=fmt), names["value_compare"]: num(format=fmt),
        names["delta"]: num(format="%+.2f" if report.view.score == "ces" else "%+.1f"),
        names["p_value"]: num(format="%.4f"), names["p_adjusted"]: num(format="%.4f"),
    }
    st.markdown(f"**{ui.plain(report.movers_title)}**")
    ui.table(report.movers[list(names)].rename(columns=names), "sat_movers", column_config,
             data=lambda: export_tables.sat_movers(report))
    st.caption(ui.plain(report.movers_takeaway))
