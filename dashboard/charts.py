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
