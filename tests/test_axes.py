"""Axes with round ticks and week labels that do not overlap (``exports.axes``, charts)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.exports import charts
from dashboard.exports.axes import MAX_WEEK_TICKS, thin_week_axis


def weeks(n: int, last: int = 44) -> list[str]:
    return [f"2026-W{w:02d}" for w in range(last - n + 1, last + 1)]


def test_long_week_axes_label_every_kth_week_ending_with_the_latest():
    for n in (14, 26, 40):
        xs = weeks(n)
        fig = thin_week_axis(go.Figure(go.Scatter(x=xs, y=list(range(n)))))
        ticks = list(fig.layout.xaxis.tickvals)
        step = -(-n // MAX_WEEK_TICKS)  # ceil
        assert len(ticks) <= MAX_WEEK_TICKS
        assert ticks[-1] == xs[-1]
        assert ticks == xs[::-1][::step][::-1]


def test_short_or_non_week_axes_are_left_alone():
    fig = thin_week_axis(go.Figure(go.Scatter(x=weeks(13), y=list(range(13)))))
    assert fig.layout.xaxis.tickvals is None
    labels = [f"Group {i}" for i in range(30)]
    fig = thin_week_axis(go.Figure(go.Bar(x=labels, y=list(range(30)))))
    assert fig.layout.xaxis.tickvals is None


def test_pareto_cumulative_axis_stops_at_100_percent_with_round_ticks():
    par = pd.DataFrame({"category": ["Network", "Billing", "Product"], "count": [60, 30, 10]})
    par["share_pct"] = 100 * par["count"] / par["count"].sum()
    par["cumulative_pct"] = par["share_pct"].cumsum()
    fig = charts.pareto_chart(par, "Complaints by category")
    ax = fig.layout.yaxis2
    assert list(ax.tickvals) == [0, 20, 40, 60, 80, 100]
    assert ax.range[0] == 0 and 100 <= ax.range[1] < 105
    assert ax.ticksuffix == "%"
