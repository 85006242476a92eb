"""Axes that read: week labels thinned on long category axes (a chart of 26 or 104 weeks)."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

#: At most this many week labels on an axis: 26 slanted "2026-W44" labels overlap in half a
#: page at 1280 px, 13 do not.
MAX_WEEK_TICKS = 13


def thin_week_axis(fig: go.Figure, most: int = MAX_WEEK_TICKS) -> go.Figure:
    """A category x-axis of ISO weeks (``2026-W44``) with more than ``most`` weeks labels every
    k-th week only, counted back from the last so the latest week is always labelled; an axis
    whose ticks are already set is left alone."""
    if fig.layout.xaxis.tickvals is not None:
        return fig
    weeks: list[str] = []
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None:
            continue
        for x in xs:
            if isinstance(x, str) and x not in weeks:
                weeks.append(x)
    if len(weeks) <= most or not all(re.fullmatch(r"\d{4}-W\d{2}", w) for w in weeks):
        return fig
    weeks.sort()
    step = math.ceil(len(weeks) / most)
    fig.update_xaxes(tickvals=weeks[::-1][::step][::-1], tickmode="array")
    return fig
