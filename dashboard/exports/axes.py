"""Axes that read: week labels thinned on long category axes (a chart of 26 or 104 weeks)."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

#: At most this many week labels on an axis: 26 slanted "2026-W44" labels overlap in half a
#: page at 1280 px, 13 do not.
MAX_WEEK_TICKS = 13


_WEEK = re.compile(r"\d{4}-W\d{2}")


def _weeks(fig: go.Figure) -> list[str]:
    """The category values of the figure's traces along x, when every one is an ISO week."""
    weeks: list[str] = []
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None:
            continue
        for x in xs:
            if isinstance(x, str) and x not in weeks:
                weeks.append(x)
    return sorted(weeks) if weeks and all(_WEEK.fullmatch(w) for w in weeks) else []


def name_weeks(fig: go.Figure, name) -> go.Figure:
    """A week axis's labels written by ``name(week)`` (e.g. the Jalali days of each week in
    Persian) on the weeks labelled (thinned as ``thin_week_axis`` thins them); the data keep
    their week keys."""
    weeks = _weeks(fig)
    if not weeks:
        return fig
    thin_week_axis(fig)
    shown = list(fig.layout.xaxis.tickvals or weeks)
    fig.update_xaxes(tickvals=shown, ticktext=[name(w) for w in shown], tickmode="array")
    return fig


def thin_week_axis(fig: go.Figure, most: int = MAX_WEEK_TICKS) -> go.Figure:
    """A category x-axis of ISO weeks (``2026-W44``) with more than ``most`` weeks labels every
    k-th week only, counted back from the last so the latest week is always labelled; an axis
    whose ticks are already set is left alone."""
    if fig.layout.xaxis.tickvals is not None:
        return fig
    weeks = _weeks(fig)
    if len(weeks) <= most:
        return fig
    step = math.ceil(len(weeks) / most)
    fig.update_xaxes(tickvals=weeks[::-1][::step][::-1], tickmode="array")
    return fig
