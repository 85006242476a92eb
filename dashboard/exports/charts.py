"""Pure figure builders: DataFrame in, plotly figure out. No Streamlit calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.exports.axes import thin_week_axis
from dashboard.exports.text import plotly_template as lit  # data put into hover templates
from dashboard.i18n import N_, _
from dashboard.i18n.currency import hover as money_hover
from dashboard.metrics import display

# Every figure's template, applied once when it is created: naming it in each update_layout
# deep-copied and re-validated it per figure (~30 ms a chart, most of a chart page's Python time).
pio.templates.default = "plotly_white"

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
                                 name=_("95% interval")))
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
                      annotation_text=_("target"), annotation_position="top left")
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=260,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": THEME["font"]}, showlegend=False,
        yaxis_title=y_title, xaxis={"type": "category", "tickangle": -45},
    )
    return fig


# --- Segment comparison (dashboard/analysis/compare.py) ---

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
            hovertemplate=f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}<br>n = %{{customdata[0]}} "
                          "(%{customdata[1]})<extra></extra>",
        ))
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        yaxis_title=y_title, xaxis={"type": "category", "tickangle": -45},
        legend={"orientation": "h", "y": -0.3},
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
    )
    return fig


# --- Cost to serve (dashboard/analysis/cost.py) ---

#: One colour per contact channel (self-service green: the digital migration reads at a glance).
CHANNEL_COLOURS = {
    "phone": "#1f4e79", "chat": "#4f81bd", "email": "#9bbb59", "self_service": "#2e8b57",
    "store": "#b36b00", "social": "#8064a2",
}


def _layout(fig: go.Figure, title: str, height: int = 320, **extra) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]}, **extra,
    )
    return thin_week_axis(fig)


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
    return _layout(fig, title, 360, yaxis={"title": _("% of contacts"), "range": [0, 100]},
                   xaxis={"type": "category", "tickangle": -45, "nticks": 26},
                   legend={"orientation": "h", "y": -0.35})


def contact_cost_share_chart(channels: pd.DataFrame, title: str) -> go.Figure:
    """Each channel's share of contacts beside its share of cost (``CostReport.channel_week``)."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=channels["label"], y=channels["contact_share_pct"],
                         name=_("% of contacts"), marker_color=THEME["band"].replace("0.18", "0.5"),
                         customdata=channels[["contact_count"]].to_numpy(),
                         hovertemplate="%{x}: %{y:.1f}% of contacts (%{customdata[0]:,})"
                                       "<extra></extra>"))
    fig.add_trace(go.Bar(x=channels["label"], y=channels["cost_share_pct"], name=_("% of cost"),
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


# --- Complaints and Churn & retention (analysis/complaints.py, analysis/churn.py) ---

#: Severity colours, light to dark (unknown severities grey).
SEVERITY_COLOURS = {"low": "#c6dbef", "medium": "#6baed6", "high": "#2171b5",
                    "critical": "#08306b"}
#: The contract's severities as a legend names them (other values are data, shown as given).
SEVERITY_NAMES = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"),
                  "critical": N_("critical")}
#: Colours of the survival and recovery groups (by group key).
GROUP_KEY_COLOURS = {
    "promoter": "#2e8b57", "passive": "#b36b00", "detractor": "#c0504d", "no_answer": "#8a8a8a",
    "none": "#1f4e79", "open": "#c0504d",
    "within_48h": "#2e8b57", "later": "#b36b00", "never": "#c0504d", "no_complaint": "#1f4e79",
}
SEGMENT_COLOURS = ("#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#b36b00", "#2e8b57")


def _cx_layout(fig: go.Figure, title: str, height: int = 320, **extra) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]}, **extra,
    )
    return thin_week_axis(fig)


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def complaint_volume_chart(vol: pd.DataFrame, title: str) -> go.Figure:
    """Weekly complaints (bars) and the rate per 1,000 active customers with its exact Poisson
    95% band (line, right axis). ``vol``: week, complaints, value, ci_low, ci_high, status."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=vol["week"], y=vol["complaints"], name=_("Complaints"),
                         marker_color=_alpha(THEME["line"], 0.25), yaxis="y"))
    fig.add_trace(go.Scatter(x=vol["week"], y=vol["ci_high"], mode="lines", line={"width": 0},
                             hoverinfo="skip", showlegend=False, yaxis="y2"))
    fig.add_trace(go.Scatter(x=vol["week"], y=vol["ci_low"], mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor=THEME["band"], hoverinfo="skip",
                             name=_("95% interval"), yaxis="y2"))
    fig.add_trace(go.Scatter(
        x=vol["week"], y=vol["value"], mode="lines+markers", name=_("Per 1,000 active"),
        line={"color": THEME["line"], "width": 2}, yaxis="y2",
        hovertemplate="%{x}<br>%{y:.2f} per 1,000<extra></extra>"))
    return _cx_layout(fig, title, 340, xaxis={"type": "category", "tickangle": -45},
                      yaxis={"title": _("complaints"), "rangemode": "tozero"},
                      yaxis2={"title": _("per 1,000 active customers"), "overlaying": "y",
                              "side": "right", "rangemode": "tozero", "showgrid": False},
                      legend={"orientation": "h", "y": -0.35})


def pareto_chart(par: pd.DataFrame, title: str) -> go.Figure:
    """Categories as bars (largest first) with the cumulative share line and an 80% guide.
    ``par``: category, count, share_pct, cumulative_pct."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=par["category"], y=par["count"], name=_("Complaints"),
                         marker_color=THEME["line"], customdata=par["share_pct"],
                         hovertemplate="%{x}<br>%{y:,} (%{customdata:.1f}%)<extra></extra>"))
    fig.add_trace(go.Scatter(x=par["category"], y=par["cumulative_pct"], mode="lines+markers",
                             name=_("Cumulative %"), yaxis="y2",
                             line={"color": THEME["target"], "width": 2},
                             hovertemplate="%{x}<br>cumulative %{y:.1f}%<extra></extra>"))
    fig.add_hline(y=80, yref="y2", line={"color": THEME["low_base"], "dash": "dot", "width": 1})
    return _cx_layout(fig, title, 320, yaxis={"title": _("complaints")},
                      yaxis2={"title": _("cumulative %"), "overlaying": "y", "side": "right",
                              "range": [0, 103], "tickmode": "array",
                              "tickvals": [0, 20, 40, 60, 80, 100], "ticksuffix": "%",
                              "showgrid": False},
                      legend={"orientation": "h", "y": -0.3})


def severity_mix_chart(sev: pd.DataFrame, title: str) -> go.Figure:
    """Weekly severity shares as stacked bars. ``sev``: week, severity, count, share_pct."""
    fig = go.Figure()
    for level, part in sev.groupby("severity", sort=False):
        fig.add_trace(go.Bar(
            x=part["week"], y=part["share_pct"],
            name=_(SEVERITY_NAMES[level]) if level in SEVERITY_NAMES else str(level),
            marker_color=SEVERITY_COLOURS.get(str(level), THEME["low_base"]),
            customdata=part["count"],
            hovertemplate=f"{lit(level)}<br>%{{x}}<br>%{{y:.1f}}% (%{{customdata}})"
                          "<extra></extra>"))
    return _cx_layout(fig, title, 320, barmode="stack", yaxis={"title": _("% of complaints")},
                      xaxis={"type": "category", "tickangle": -45},
                      legend={"orientation": "h", "y": -0.35})


def percentile_trend_chart(res: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Weekly median and 90th percentile lines; withheld weeks are gaps.
    ``res``: week, median, p90, n, status."""
    fig = go.Figure()
    for col, name, dash in (("median", "Median", "solid"), ("p90", "90th percentile", "dash")):
        fig.add_trace(go.Scatter(
            x=res["week"], y=res[col], mode="lines+markers", name=name,
            line={"color": THEME["line"], "width": 2, "dash": dash}, customdata=res["n"],
            hovertemplate=f"{lit(name)}<br>%{{x}}<br>%{{y:.1f}} h, n = %{{customdata}}"
                          "<extra></extra>"))
    return _cx_layout(fig, title, 300, yaxis={"title": y_title, "rangemode": "tozero"},
                      xaxis={"type": "category", "tickangle": -45},
                      legend={"orientation": "h", "y": -0.35})


def backlog_chart(bl: pd.DataFrame, title: str) -> go.Figure:
    """Open complaints per age band, split by whether the customer is still with us.
    ``bl``: band, count, customer_left."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=bl["band"], y=bl["count"] - bl["customer_left"],
                         name=_("Customer still active"), marker_color=THEME["line"]))
    fig.add_trace(go.Bar(x=bl["band"], y=bl["customer_left"], name=_("Customer has left"),
                         marker_color=THEME["low_base"]))
    return _cx_layout(fig, title, 300, barmode="stack", yaxis={"title": _("open complaints")},
                      xaxis={"title": _("age at the end of the week")},
                      legend={"orientation": "h", "y": -0.35})


def interval_dots_chart(df: pd.DataFrame, value: str, low: str, high: str, status: str,
                        title: str, x_title: str) -> go.Figure:
    """One dot with its 95% error bar per group (``group`` key, ``label``); low-base dots hollow,
    withheld groups (no value) left out."""
    shown = df[df[value].notna()].iloc[::-1]
    low_base = shown[status].eq("low_base")
    colours = [GROUP_KEY_COLOURS.get(str(g), THEME["line"]) for g in shown["group"]]
    fig = go.Figure(go.Scatter(
        x=shown[value], y=shown["label"], mode="markers",
        marker={"size": 11, "color": colours,
                "symbol": ["circle-open" if b else "circle" for b in low_base]},
        error_x={"type": "data", "symmetric": False,
                 "array": (shown[high] - shown[value]).to_numpy(float),
                 "arrayminus": (shown[value] - shown[low]).to_numpy(float),
                 "color": THEME["low_base"], "thickness": 1.5},
        hovertemplate="%{y}<br>%{x:.1f}<extra></extra>"))
    return _cx_layout(fig, title, 260, xaxis={"title": x_title}, showlegend=False)


def compensation_chart(vol: pd.DataFrame, title: str, symbol: str) -> go.Figure:
    """Weekly compensation paid (bars) and per complaint (line, right axis).
    ``vol``: week, compensation, per_complaint, complaints."""
    fig = go.Figure()
    paid, each = money_hover(symbol, "y", 0, lit), money_hover(symbol, "y", 2, lit)
    fig.add_trace(go.Bar(x=vol["week"], y=vol["compensation"], name=_("Paid in the week"),
                         marker_color=THEME["line"],
                         hovertemplate=f"%{{x}}<br>{paid}<extra></extra>"))
    fig.add_trace(go.Scatter(x=vol["week"], y=vol["per_complaint"], mode="lines+markers",
                             name=_("Per complaint"), yaxis="y2",
                             line={"color": THEME["target"], "width": 2},
                             hovertemplate=f"%{{x}}<br>{each} per complaint"
                                           "<extra></extra>"))
    return _cx_layout(fig, title, 300, xaxis={"type": "category", "tickangle": -45},
                      yaxis={"title": f"paid ({symbol})", "rangemode": "tozero"},
                      yaxis2={"title": f"per complaint ({symbol})", "overlaying": "y",
                              "side": "right", "rangemode": "tozero", "showgrid": False},
                      legend={"orientation": "h", "y": -0.35})


def segment_rate_chart(df: pd.DataFrame, value: str, low: str, high: str, status: str,
                       title: str, y_title: str) -> go.Figure:
    """Monthly rates per group with 95% error bars; the all-customers line dashed.
    ``df``: month, group, and the named value / interval / status columns."""
    fig = go.Figure()
    for i, (group, part) in enumerate(df.groupby("group", sort=False)):
        part = part[part[value].notna()]
        colour = SEGMENT_COLOURS[i % len(SEGMENT_COLOURS)]
        is_all = group.startswith("All")
        fig.add_trace(go.Scatter(
            x=part["month"], y=part[value], mode="lines+markers", name=str(group),
            line={"color": "#333333" if is_all else colour, "width": 2,
                  "dash": "dash" if is_all else "solid"},
            marker={"symbol": ["circle-open" if s == "low_base" else "circle"
                               for s in part[status]]},
            error_y={"type": "data", "symmetric": False,
                     "array": (part[high] - part[value]).to_numpy(float),
                     "arrayminus": (part[value] - part[low]).to_numpy(float),
                     "thickness": 1, "width": 2},
            customdata=part["n"],
            hovertemplate=f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}%, n = %{{customdata:,}}"
                          "<extra></extra>"))
    return _cx_layout(fig, title, 340, yaxis={"title": y_title, "rangemode": "tozero"},
                      xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.25})


def cohort_heatmap(cm: pd.DataFrame, title: str) -> go.Figure:
    """Signup month (rows) × months since signup (columns), % still active; withheld cells
    blank. ``cm``: cohort_month, cohort, months_since_signup, value, cohort_size."""
    grid = cm.pivot(index="cohort_month", columns="months_since_signup", values="value")
    grid = grid.sort_index()
    first = cm.drop_duplicates("cohort_month").set_index("cohort_month")
    ylabels = [f"{first.loc[m, 'cohort']} (n = {int(first.loc[m, 'cohort_size']):,})"
               for m in grid.index]
    z = grid.to_numpy(dtype=float)
    text = [["" if v != v else f"{v:.0f}" for v in row] for row in z]
    finite = z[~np.isnan(z)] if z.size else z
    zmin = max(0.0, float(finite.min()) - 5) if finite.size else 0.0
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in grid.columns], y=ylabels, text=text,
        texttemplate="%{text}", colorscale="Blues", zmin=zmin, zmax=100,
        colorbar={"title": _("% active")},
        hovertemplate="%{y}<br>month %{x}: %{z:.1f}% still active<extra></extra>"))
    return _cx_layout(fig, title, max(320, 22 * len(ylabels) + 120),
                      xaxis={"title": _("months since the signup month"), "type": "category"},
                      yaxis={"autorange": "reversed", "type": "category"})


def survival_chart(groups, title: str, mark_week: float | None = None) -> go.Figure:
    """Kaplan–Meier step curves with their 95% bands, one per group that is not withheld.

    ``groups`` are ``survival.SurvivalGroup`` objects (name, label, n, status, curve with
    time, survival, ci_low, ci_high); low-base curves are dotted.
    """
    fig = go.Figure()
    for g in groups:
        if not g.shown:
            continue
        colour = GROUP_KEY_COLOURS.get(g.name, THEME["line"])
        c = g.curve
        fig.add_trace(go.Scatter(x=c["time"], y=100 * c["ci_high"], mode="lines",
                                 line={"width": 0, "shape": "hv"}, hoverinfo="skip",
                                 showlegend=False, legendgroup=g.name))
        fig.add_trace(go.Scatter(x=c["time"], y=100 * c["ci_low"], mode="lines",
                                 line={"width": 0, "shape": "hv"}, fill="tonexty",
                                 fillcolor=_alpha(colour, 0.18), hoverinfo="skip",
                                 showlegend=False, legendgroup=g.name))
        fig.add_trace(go.Scatter(
            x=c["time"], y=100 * c["survival"], mode="lines", legendgroup=g.name,
            name=f"{g.label} (n = {g.n:,})",
            line={"color": colour, "width": 2, "shape": "hv",
                  "dash": "dot" if g.status == "low_base" else "solid"},
            hovertemplate=f"{lit(g.label)}<br>week %{{x}}: %{{y:.1f}}% still active"
                          "<extra></extra>"))
    if mark_week is not None:
        fig.add_vline(x=mark_week, line={"color": THEME["low_base"], "dash": "dot", "width": 1})
    return _cx_layout(fig, title, 340, xaxis={"title": _("weeks since the window start")},
                      yaxis={"title": _("% still active")}, legend={"orientation": "h", "y": -0.3})


def revenue_lost_chart(df: pd.DataFrame, title: str, symbol: str) -> go.Figure:
    """Revenue lost to churn per month, stacked by group (the segments, or the customers as a
    whole when there is one segment). ``df``: month, group, revenue_lost, churned."""
    fig = go.Figure()
    parts = df[df["revenue_lost"].notna()]
    for i, (group, part) in enumerate(parts.groupby("group", sort=False)):
        fig.add_trace(go.Bar(
            x=part["month"], y=part["revenue_lost"], name=str(group),
            marker_color=SEGMENT_COLOURS[i % len(SEGMENT_COLOURS)], customdata=part["churned"],
            hovertemplate=f"{lit(group)}<br>%{{x}}<br>{money_hover(symbol, 'y', 0, lit)} from "
                          "%{customdata} leavers<extra></extra>"))
    return _cx_layout(fig, title, 320, barmode="stack", xaxis={"type": "category"},
                      yaxis={"title": f"trailing 3-month revenue ({symbol})"},
                      legend={"orientation": "h", "y": -0.25})


# --- Satisfaction page (dashboard/analysis/satisfaction.py) ---

#: NPS categories and the two compared weeks of the score distribution.
SAT_COLOURS = {
    "detractor": "#c0504d", "passive": "#b3b3b3", "promoter": "#4f8a3c",
    "week": "#1f4e79", "compare": "#9fb7cf", "overall": "#8a8a8a", "gap": "#1f4e79",
}


def _sat_runs(values: list) -> list[tuple[int, int]]:
    """Index ranges [start, end) of consecutive non-missing values (bands break at gaps)."""
    runs, start = [], None
    for i, v in enumerate([*values, None]):
        missing = v is None or pd.isna(v)
        if not missing and start is None:
            start = i
        elif missing and start is not None:
            runs.append((start, i))
            start = None
    return runs


def split_trend_chart(df: pd.DataFrame, title: str, y_title: str, overall: str,
                      columns: int = 3) -> go.Figure:
    """Small multiples: one panel per group with its 95% band, the all-groups line in grey.

    ``df`` has columns group, period, value, ci_low, ci_high, n, status
    (``SatisfactionReport.trend``); the ``overall`` group comes first and gets its own panel.
    Withheld periods (value None) are gaps; low-base points are hollow. Panels share the y axis.
    """
    from plotly.subplots import make_subplots

    groups = list(dict.fromkeys(df["group"]))
    periods = list(dict.fromkeys(df["period"]))
    rows = max(1, -(-len(groups) // columns))
    def named(g) -> str:  # the all-groups panel in the language of the moment (marked in
        return _(overall) if g == overall else str(g)  # rtl.TOTAL_NAMES); groups are data

    titles = [named(g) if df.loc[df["group"] == g, "value"].notna().any()
              else _("{group} · withheld (n < {least})", group=named(g),
                     least=display.number(30, 0))
              for g in groups]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles,
                        shared_yaxes="all", vertical_spacing=0.32 / rows + 0.04,
                        horizontal_spacing=0.04)
    ref = df[df["group"] == overall]
    for i, group in enumerate(groups):
        row, col = i // columns + 1, i % columns + 1
        part = df[df["group"] == group]
        x, lo, hi = part["period"].tolist(), part["ci_low"].tolist(), part["ci_high"].tolist()
        for a, b in _sat_runs(part["value"].tolist()):
            fig.add_trace(go.Scatter(
                x=x[a:b] + x[a:b][::-1], y=hi[a:b] + lo[a:b][::-1], fill="toself",
                fillcolor=THEME["band"], line={"width": 0}, mode="lines", hoverinfo="skip",
                showlegend=False), row=row, col=col)
        if group != overall and not ref.empty:
            fig.add_trace(go.Scatter(
                x=ref["period"], y=ref["value"], mode="lines", hoverinfo="skip",
                line={"color": SAT_COLOURS["overall"], "width": 1},
                showlegend=False), row=row, col=col)
        low = part["status"].eq("low_base")
        fig.add_trace(go.Scatter(
            x=x, y=part["value"], mode="lines+markers", name=str(group), showlegend=False,
            line={"color": THEME["line"], "width": 2},
            marker={"size": 5, "color": THEME["line"],
                    "symbol": ["circle-open" if b else "circle" for b in low]},
            customdata=part[["n", "status"]].to_numpy(),
            hovertemplate=f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}<br>n = %{{customdata[0]}} "
                          "(%{customdata[1]})<extra></extra>",
        ), row=row, col=col)
    step = max(1, len(periods) // 6)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=periods,
                     tickvals=periods[::step], tickangle=-45, tickfont={"size": 10})
    fig.update_yaxes(title_text=None)
    fig.update_yaxes(title_text=y_title, col=1)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=120 + 200 * rows,
        margin={"l": 10, "r": 10, "t": 60, "b": 10}, font={"family": THEME["font"]},
        showlegend=False,
    )
    return fig


def nps_mix_chart(df: pd.DataFrame, title: str) -> go.Figure:
    """Stacked shares of detractors, passives and promoters per period (withheld: no bar).

    ``df`` has columns period, category, category_label, share_pct, count, n, status
    (``SatisfactionReport.mix``).
    """
    fig = go.Figure()
    periods = list(dict.fromkeys(df["period"]))
    for cat, part in df.groupby("category", sort=False):
        fig.add_trace(go.Bar(
            x=part["period"], y=part["share_pct"], name=str(part["category_label"].iloc[0]),
            marker={"color": SAT_COLOURS.get(str(cat), THEME["line"])},
            customdata=part[["count", "n"]].to_numpy(),
            hovertemplate="%{x}<br>%{y:.1f}% (%{customdata[0]} of %{customdata[1]})"
                          "<extra></extra>",
        ))
    fig.update_layout(
        barmode="stack", title={"text": title, "font": {"size": 14}}, height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        yaxis={"title": _("% of NPS answers"), "range": [0, 100]},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": periods,
               "tickvals": periods[::max(1, len(periods) // 13)], "tickangle": -45},
        legend={"orientation": "h", "y": -0.35},
    )
    return fig


def score_distribution_chart(df: pd.DataFrame, title: str, week: str, compare_week: str
                             ) -> go.Figure:
    """Share of answers at each score: the comparison week light, the selected week dark.

    ``df`` has columns week, score, share_pct, count, n (``SatisfactionReport.distribution``);
    a week whose base is withheld has no bars.
    """
    fig = go.Figure()
    for wk, colour in ((compare_week, SAT_COLOURS["compare"]), (week, SAT_COLOURS["week"])):
        part = df[df["week"] == wk]
        if part.empty:
            continue
        n = int(part["n"].iloc[0])
        fig.add_trace(go.Bar(
            x=part["score"].astype(str), y=part["share_pct"], name=f"{wk} (n = {n:,})",
            marker={"color": colour}, customdata=part[["count"]].to_numpy(),
            hovertemplate=f"{lit(wk)}<br>score %{{x}}: %{{y:.1f}}% (%{{customdata[0]}})"
                          "<extra></extra>",
        ))
    fig.update_layout(
        barmode="group", title={"text": title, "font": {"size": 14}}, height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        xaxis={"title": _("score"), "type": "category"}, yaxis_title=_("% of answers"),
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def expectation_gap_chart(df: pd.DataFrame, title: str) -> go.Figure:
    """Mean perceived-minus-expected gap per touchpoint with its 95% interval, worst at the top.

    ``df`` has columns label, gap, ci_low, ci_high, n, perceived_mean, expected_mean, status
    (``SatisfactionReport.gap``, worst first); withheld rows are left out; zero is marked.
    """
    shown = df[df["gap"].notna()]
    labels = [f"{label} (n = {int(n):,})" for label, n in zip(shown["label"], shown["n"],
                                                              strict=True)]
    fig = go.Figure(go.Scatter(
        x=shown["gap"], y=labels, mode="markers",
        marker={"size": 9, "color": SAT_COLOURS["gap"],
                "symbol": ["circle-open" if s == "low_base" else "circle"
                           for s in shown["status"]]},
        error_x={"type": "data", "symmetric": False,
                 "array": (shown["ci_high"] - shown["gap"]).tolist(),
                 "arrayminus": (shown["gap"] - shown["ci_low"]).tolist(),
                 "color": SAT_COLOURS["gap"]},
        customdata=shown[["n", "perceived_mean", "expected_mean"]].to_numpy(),
        hovertemplate="%{y}<br>gap %{x:+.2f}<br>n = %{customdata[0]}<br>perceived "
                      "%{customdata[1]:.2f}, expected %{customdata[2]:.2f}<extra></extra>",
    ))
    fig.add_vline(x=0, line={"color": THEME["low_base"], "width": 1})
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, height=120 + 32 * max(len(shown), 3),
        margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": THEME["font"]},
        xaxis_title=_("perceived − expected (scale points)"),
        yaxis={"type": "category", "autorange": "reversed"},
        showlegend=False,
    )
    return fig


# --- CX in money page (dashboard/money/value.py) ---

MONEY_COLOURS = {"treated": "#1f4e79", "control": "#b36b00", "window": "rgba(31, 78, 121, 0.08)"}


def band_bar_chart(df: pd.DataFrame, x: str, title: str, y_title: str,
                   band_label: str = "P10–P90") -> go.Figure:
    """Bars with asymmetric error bars spanning a band (``df``: column ``x``, value, low,
    high); rows without a value are left out."""
    shown = df[df["value"].notna()]
    fig = go.Figure(go.Bar(
        x=shown[x], y=shown["value"], marker_color=THEME["line"],
        error_y={"type": "data", "symmetric": False,
                 "array": (shown["high"] - shown["value"]).astype(float).to_numpy(),
                 "arrayminus": (shown["value"] - shown["low"]).astype(float).to_numpy(),
                 "color": "#444444", "thickness": 1.2},
        customdata=shown[["low", "high"]].astype(float).to_numpy(),
        hovertemplate=f"%{{x}}<br>%{{y:,.0f}}<br>{lit(band_label)} %{{customdata[0]:,.0f}} – "
                      "%{customdata[1]:,.0f}<extra></extra>",
    ))
    return _layout(fig, title, showlegend=False, yaxis_title=y_title,
                   xaxis={"type": "category"})


def did_chart(weekly: pd.DataFrame, title: str, y_title: str,
              before: tuple[int, int], after: tuple[int, int]) -> go.Figure:
    """Weekly outcome of the programme segment and of the others against weeks since the
    programme start, with the before and after windows shaded and the start marked.

    ``weekly``: weeks_since_start, week, group ('treated' or 'control'), label, value.
    """
    fig = go.Figure()
    for x0, x1, text in ((before[0] - 0.5, before[1] + 0.5, _("before")),
                         (after[0] - 0.5, after[1] + 0.5, _("after"))):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=MONEY_COLOURS["window"], line_width=0,
                      annotation_text=text, annotation_position="top left")
    for group in ("treated", "control"):
        part = weekly[(weekly["group"] == group) & weekly["value"].notna()].sort_values(
            "weeks_since_start")
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["weeks_since_start"], y=part["value"], mode="lines",
            name=str(part["label"].iloc[0]), line={"color": MONEY_COLOURS[group], "width": 2},
            customdata=part[["week"]].to_numpy(),
            hovertemplate="%{customdata[0]} (week %{x})<br>%{y:.2f}<extra></extra>"))
    fig.add_vline(x=0, line={"color": THEME["target"], "dash": "dash", "width": 2})
    return _layout(fig, title, 320, yaxis_title=y_title,
                   xaxis={"title": _("weeks since the programme start")},
                   legend={"orientation": "h", "y": -0.3})


# --- Impact simulator (dashboard/money/simulate.py) ---


def tornado_chart(tornado: pd.DataFrame, title: str, x_title: str, top: int = 10,
                  min_share: float = 0.005) -> go.Figure:
    """One-at-a-time sensitivity: for each input a bar from the output at the input's P10 to
    the output at its P90 (others at their medians), largest swing on top; the all-median
    output as a line.

    ``tornado`` has columns input, low_text, high_text, profit_low, profit_high, swing, base
    (``SimResult.tornado``, sorted by swing); inputs swinging less than ``min_share`` of the
    largest swing are left out.
    """
    t = tornado.head(top)
    if len(t):
        t = t[t["swing"] >= min_share * float(t["swing"].max())]
    fig = go.Figure()
    if len(t):
        base = float(t["base"].iloc[0])
        labels = t["input"].tolist()
        for col, text, name, colour in (("profit_low", "low_text", "input at its P10",
                                         "#c0504d"),
                                        ("profit_high", "high_text", "input at its P90",
                                         THEME["line"])):
            fig.add_trace(go.Bar(
                y=labels, x=(t[col] - base).astype(float).to_numpy(), base=base,
                orientation="h", name=name, marker_color=colour,
                customdata=np.stack([t[text].to_numpy(), t[col].astype(float).to_numpy()],
                                    axis=1),
                hovertemplate="%{y}<br>input %{customdata[0]}<br>output %{customdata[1]:,.0f}"
                              "<extra></extra>",
            ))
        fig.add_vline(x=base, line={"color": THEME["low_base"], "width": 1, "dash": "dot"})
    return _layout(fig, title, 140 + 30 * max(len(t), 3), barmode="overlay",
                   xaxis_title=x_title, yaxis={"type": "category", "autorange": "reversed"},
                   legend={"orientation": "h", "y": -0.25})


def simulation_histogram(values: np.ndarray | pd.Series, title: str, x_title: str,
                         threshold: float | None = None, bins: int = 60) -> go.Figure:
    """The distribution of the Monte Carlo draws with P10, P50 and P90 marked, and an
    optional threshold (the programme cost) as a dashed line."""
    x = np.asarray(values, dtype=float)
    fig = go.Figure(go.Histogram(x=x, nbinsx=bins, marker_color=THEME["band"].replace("0.18",
                                                                                      "0.55"),
                                 hovertemplate="%{x}<br>%{y} draws<extra></extra>",
                                 name=_("draws")))
    if len(x):
        for q, label in zip(np.quantile(x, [0.1, 0.5, 0.9]), ("P10", "P50", "P90"),
                            strict=True):
            fig.add_vline(x=float(q), line={"color": THEME["line"], "width": 1.5,
                                            "dash": "solid" if label == "P50" else "dot"},
                          annotation_text=label, annotation_position="top")
    if threshold is not None:
        fig.add_vline(x=threshold, line={"color": THEME["target"], "width": 2, "dash": "dash"},
                      annotation_text=_("programme cost"), annotation_position="top left")
    return _layout(fig, title, 300, showlegend=False, xaxis_title=x_title,
                   yaxis_title=_("draws"), bargap=0.02)


def value_band_chart(df: pd.DataFrame, label: str, title: str, x_title: str) -> go.Figure:
    """One dot at the P50 with its P10–P90 bar per row (columns ``label``, value, low, high),
    first row on top; zero marked."""
    fig = go.Figure(go.Scatter(
        x=df["value"].astype(float), y=df[label].astype(str), mode="markers",
        marker={"size": 11, "color": THEME["line"]},
        error_x={"type": "data", "symmetric": False,
                 "array": (df["high"] - df["value"]).to_numpy(float),
                 "arrayminus": (df["value"] - df["low"]).to_numpy(float),
                 "color": THEME["low_base"], "thickness": 1.5},
        customdata=df[["low", "high"]].to_numpy(float),
        hovertemplate="%{y}<br>P50 %{x:,.0f}<br>P10 %{customdata[0]:,.0f} – P90 "
                      "%{customdata[1]:,.0f}<extra></extra>"))
    fig.add_vline(x=0, line={"color": THEME["low_base"], "width": 1})
    return _layout(fig, title, 120 + 40 * max(len(df), 3), showlegend=False,
                   xaxis_title=x_title, yaxis={"type": "category", "autorange": "reversed"})
