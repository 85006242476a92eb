"""Pure figure builders: DataFrame in, plotly figure out. No Streamlit calls."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

#: One palette and font for every chart (the app theme lives in .streamlit/config.toml).
THEME = {
    "line": "#1f4e79",
    "band": "rgba(31, 78, 121, 0.18)",
    "target": "#b36b00",
    "low_base": "#8a8a8a",
    "font": "Source Sans Pro, Arial, sans-serif",
}


def trend_chart(df: pd.DataFrame, title: str, y_title: str, target: float | None = None,
                band: bool = True) -> go.Figure:
    """A weekly trend with its 95% interval band; low-base weeks hollow, withheld weeks gaps.

    ``df`` has columns week, value, ci_low, ci_high, n, status (from ``KpiReport.trends``).
    """
    fig = go.Figure()
    x = df["week"]
    if band and df["ci_low"].notna().any():
        fig.add_trace(go.Scatter(x=x, y=df["ci_high"], mode="lines", line={"width": 0},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=x, y=df["ci_low"], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=THEME["band"], hoverinfo="skip",
                                 name="95% interval"))
    low = df["status"].eq("low_base")
    fig.add_trace(go.Scatter(
        x=x, y=df["value"], mode="lines+markers", name=title,
        line={"color": THEME["line"], "width": 2},
        marker={"size": 7, "color": [THEME["low_base"] if b else THEME["line"] for b in low],
                "symbol": ["circle-open" if b else "circle" for b in low]},
        customdata=df[["n", "status"]].to_numpy(),
        hovertemplate="%{x}<br>%{y:.2f}<br>n = %{customdata[0]} (%{customdata[1]})"
                      "<extra></extra>",
    ))
    if target is not None:
        fig.add_hline(y=target, line={"color": THEME["target"], "dash": "dash", "width": 1},
                      annotation_text="target", annotation_position="top left")
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=260,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": THEME["font"]}, showlegend=False,
        yaxis_title=y_title, xaxis={"type": "category", "tickangle": -45},
        template="plotly_white",
    )
    return fig


# --- Segment comparison (dashboard/compare.py) ---

#: Distinct line colours for up to four compared groups (the first is the reference group).
GROUP_COLOURS = ("#1f4e79", "#c0504d", "#4f8a3c", "#8064a2")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def group_trend_chart(df: pd.DataFrame, title: str, y_title: str, band: bool = True
                      ) -> go.Figure:
    """One line per group over the weeks, each with its 95% band; low-base weeks hollow.

    ``df`` has columns group, week, value, ci_low, ci_high, n, status (``CompareReport.trend``);
    groups are drawn in their order of appearance, withheld weeks are gaps.
    """
    fig = go.Figure()
    for i, (group, part) in enumerate(df.groupby("group", sort=False)):
        colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        x = part["week"]
        if band and part["ci_low"].notna().any():
            fig.add_trace(go.Scatter(x=x, y=part["ci_high"], mode="lines", line={"width": 0},
                                     hoverinfo="skip", showlegend=False, legendgroup=str(group)))
            fig.add_trace(go.Scatter(x=x, y=part["ci_low"], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=_rgba(colour, 0.15),
                                     hoverinfo="skip", showlegend=False,
                                     legendgroup=str(group)))
        low = part["status"].eq("low_base")
        fig.add_trace(go.Scatter(
            x=x, y=part["value"], mode="lines+markers", name=str(group), legendgroup=str(group),
            line={"color": colour, "width": 2},
            marker={"size": 7, "color": colour,
                    "symbol": ["circle-open" if b else "circle" for b in low]},
            customdata=part[["n", "status"]].to_numpy(),
            hovertemplate=f"{group}<br>%{{x}}<br>%{{y:.2f}}<br>n = %{{customdata[0]}} "
                          "(%{customdata[1]})<extra></extra>",
        ))
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        yaxis_title=y_title, xaxis={"type": "category", "tickangle": -45},
        legend={"orientation": "h", "y": -0.3}, template="plotly_white",
    )
    return fig


def ranking_chart(df: pd.DataFrame, title: str, x_title: str,
                  highlight: tuple[str, ...] = ()) -> go.Figure:
    """Groups as dots with 95% error bars, best at the top; low-base dots hollow.

    ``df`` has columns group, value, ci_low, ci_high, n, status, rank (``CompareReport.ranking``,
    best first); withheld groups (no value) are left out. ``highlight`` groups are drawn in the
    reference colour, the others grey.
    """
    shown = df[df["value"].notna()].iloc[::-1]
    low = shown["status"].eq("low_base")
    colours = [THEME["line"] if g in highlight or not highlight else THEME["low_base"]
               for g in shown["group"]]
    fig = go.Figure(go.Scatter(
        x=shown["value"], y=shown["group"], mode="markers",
        marker={"size": 10, "color": colours,
                "symbol": ["circle-open" if b else "circle" for b in low]},
        error_x={"type": "data", "symmetric": False,
                 "array": (shown["ci_high"] - shown["value"]).to_numpy(),
                 "arrayminus": (shown["value"] - shown["ci_low"]).to_numpy(),
                 "color": THEME["low_base"], "thickness": 1.5},
        customdata=shown[["n", "status"]].to_numpy(),
        hovertemplate="%{y}<br>%{x:.2f}<br>n = %{customdata[0]} (%{customdata[1]})"
                      "<extra></extra>",
    ))
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=max(200, 60 + 36 * len(shown)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        showlegend=False, xaxis_title=x_title, yaxis={"type": "category"},
        template="plotly_white",
    )
    return fig


# --- Cost to serve (dashboard/cost.py) ---

#: One colour per contact channel (self-service green: the digital migration reads at a glance).
CHANNEL_COLOURS = {
    "phone": "#1f4e79", "chat": "#4f81bd", "email": "#9bbb59", "self_service": "#2e8b57",
    "store": "#b36b00", "social": "#8064a2",
}


def _layout(fig: go.Figure, title: str, height: int = 320, **extra) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        template="plotly_white", **extra,
    )
    return fig


def channel_mix_chart(mix: pd.DataFrame, title: str, launch_week: str | None = None
                      ) -> go.Figure:
    """Stacked weekly shares of contacts by channel; the detected launch as a dashed line.

    ``mix`` has columns week, channel, label, share_pct, contact_count (``CostReport.mix``).
    """
    fig = go.Figure()
    order = mix.groupby("channel")["contact_count"].sum().sort_values(ascending=False).index
    for ch in order:
        part = mix[mix["channel"] == ch]
        fig.add_trace(go.Scatter(
            x=part["week"], y=part["share_pct"], mode="lines", stackgroup="mix",
            name=str(part["label"].iloc[0]), line={"width": 0.5,
                                                   "color": CHANNEL_COLOURS.get(ch, "#8a8a8a")},
            customdata=part[["contact_count"]].to_numpy(),
            hovertemplate="%{x}<br>%{y:.1f}% of contacts (%{customdata[0]:,})<extra></extra>",
        ))
    if launch_week is not None and launch_week in set(mix["week"]):
        fig.add_shape(type="line", xref="x", yref="paper", x0=launch_week, x1=launch_week,
                      y0=0, y1=1, line={"color": THEME["target"], "dash": "dash", "width": 2})
        fig.add_annotation(x=launch_week, y=1, xref="x", yref="paper", yanchor="bottom",
                           text=f"self-service launch (detected) {launch_week}",
                           showarrow=False, font={"color": THEME["target"], "size": 11})
    return _layout(fig, title, 360, yaxis={"title": "% of contacts", "range": [0, 100]},
                   xaxis={"type": "category", "tickangle": -45, "nticks": 26},
                   legend={"orientation": "h", "y": -0.35})


def contact_cost_share_chart(channels: pd.DataFrame, title: str) -> go.Figure:
    """Each channel's share of contacts beside its share of cost (``CostReport.channel_week``)."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=channels["label"], y=channels["contact_share_pct"],
                         name="% of contacts", marker_color=THEME["band"].replace("0.18", "0.5"),
                         customdata=channels[["contact_count"]].to_numpy(),
                         hovertemplate="%{x}: %{y:.1f}% of contacts (%{customdata[0]:,})"
                                       "<extra></extra>"))
    fig.add_trace(go.Bar(x=channels["label"], y=channels["cost_share_pct"], name="% of cost",
                         marker_color=THEME["line"],
                         customdata=channels[["cost_per_contact"]].to_numpy(),
                         hovertemplate="%{x}: %{y:.1f}% of cost (unit cost %{customdata[0]:.2f})"
                                       "<extra></extra>"))
    return _layout(fig, title, barmode="group", yaxis_title="%",
                   legend={"orientation": "h", "y": -0.2})


def estimate_bar_chart(df: pd.DataFrame, x: str, title: str, y_title: str) -> go.Figure:
    """Bars with 95% error bars; low-base bars grey, withheld groups left out.

    ``df`` has the column ``x`` and value, ci_low, ci_high, n, status.
    """
    shown = df[df["value"].notna()]
    low = shown["status"].eq("low_base")
    fig = go.Figure(go.Bar(
        x=shown[x], y=shown["value"],
        marker_color=[THEME["low_base"] if b else THEME["line"] for b in low],
        error_y={"type": "data", "symmetric": False,
                 "array": (shown["ci_high"] - shown["value"]).astype(float).to_numpy(),
                 "arrayminus": (shown["value"] - shown["ci_low"]).astype(float).to_numpy(),
                 "color": "#444444", "thickness": 1.2},
        customdata=shown[["n", "status"]].to_numpy(),
        hovertemplate="%{x}<br>%{y:.2f}<br>n = %{customdata[0]:,} (%{customdata[1]})"
                      "<extra></extra>",
    ))
    return _layout(fig, title, showlegend=False, yaxis_title=y_title,
                   xaxis={"type": "category"})


def savings_waterfall(bars: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Baseline, one bar per effect, current (``CostReport.waterfall``: label, value, measure,
    text); savings green, increases red."""
    fig = go.Figure(go.Waterfall(
        x=bars["label"], y=bars["value"], measure=bars["measure"], text=bars["text"],
        textposition="outside", connector={"line": {"color": "#999999", "width": 1}},
        decreasing={"marker": {"color": "#2e8b57"}}, increasing={"marker": {"color": "#c0504d"}},
        totals={"marker": {"color": THEME["line"]}},
        hovertemplate="%{x}<br>%{text}<extra></extra>",
    ))
    return _layout(fig, title, 380, showlegend=False, yaxis_title=y_title,
                   xaxis={"type": "category"})
