"""Pure figure builders: DataFrame in, plotly figure out. No Streamlit calls.

Each figure is written as plotly's JSON (``dashboard.exports.spec``: traces and a layout as
dictionaries, made into a figure once) — a tenth of the time plotly's objects took."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale

from dashboard.exports import spec
from dashboard.exports.axes import thin_week_axis

# The Satisfaction page's figures live in their own module; named here too, as before.
from dashboard.exports.sat_charts import (  # noqa: F401
    SAT_COLOURS,
    expectation_gap_chart,
    nps_mix_chart,
    score_distribution_chart,
    split_trend_chart,
)
from dashboard.exports.spec import axis, values
from dashboard.exports.text import plotly_template as lit  # data put into hover templates
from dashboard.exports.theme import THEME
from dashboard.i18n import N_, _
from dashboard.i18n import numbers as loc
from dashboard.i18n.currency import hover as money_hover
from dashboard.metrics import display
from dashboard.warehouse import weeks

# Every figure's template, applied once when it is created.
pio.templates.default = "plotly_white"

#: The heatmap's scale, as plotly names it ("Blues"), written out as its validation did.
_BLUES = get_colorscale("Blues")

#: The 95% band's two edges (upper, then lower filled to it), drawn under a line.
_EDGE = {"type": "scatter", "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}


def _band(x, high, low, fillcolor: str, name: str | None = None, **common) -> list[dict]:
    """The two invisible edges of a band, the lower filled up to the upper."""
    upper = {**_EDGE, "x": x, "y": values(high), "showlegend": False, **common}
    lower = {**_EDGE, "x": x, "y": values(low), "fill": "tonexty", "fillcolor": fillcolor,
             **common}
    if name is None:
        lower["showlegend"] = False
    else:
        lower["name"] = name
    return [upper, lower]


def _hollow(low_base) -> list[str]:
    """Marker symbols: hollow where the base is low."""
    return ["circle-open" if b else "circle" for b in low_base]


def _error(high, low, value, **style) -> dict:
    """Asymmetric error bars from ``low`` to ``high`` around ``value``."""
    return {"type": "data", "symmetric": False,
            "array": (high - value).to_numpy(float), "arrayminus": (value - low).to_numpy(float),
            **style}


def trend_chart(df: pd.DataFrame, title: str, y_title: str, target: float | None = None,
                band: bool = True) -> go.Figure:
    """A weekly trend with its 95% interval band; low-base weeks hollow, withheld weeks gaps.

    ``df`` has columns week, value, ci_low, ci_high, n, status (from ``KpiReport.trends``).
    """
    x = values(df["week"])
    traces = []
    if band and df["ci_low"].notna().any():
        traces += _band(x, df["ci_high"], df["ci_low"], THEME["band"], _("95% interval"))
    low = df["status"].eq("low_base").tolist()
    traces.append({
        "type": "scatter", "x": x, "y": values(df["value"]), "mode": "lines+markers",
        "name": title, "line": {"color": THEME["line"], "width": 2},
        "marker": {"size": 7, "color": [THEME["low_base"] if b else THEME["line"] for b in low],
                   "symbol": _hollow(low)},
        "customdata": df[["n", "status"]].to_numpy(),
        "hovertemplate": "%{x}<br>%{y:.2f}<br>n = %{customdata[0]} (%{customdata[1]})"
                         "<extra></extra>",
    })
    marks = [] if target is None else [spec.hline(
        target, {"color": THEME["target"], "dash": "dash", "width": 1}, text=_("target"))]
    return spec.figure(traces, spec.layout(
        title, 260, showlegend=False, yaxis=axis(y_title),
        xaxis={"type": "category", "tickangle": -45}), marks)


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
    traces = []
    for i, (group, part) in enumerate(df.groupby("group", sort=False)):
        colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        x = values(part["week"])
        if band and part["ci_low"].notna().any():
            traces += _band(x, part["ci_high"], part["ci_low"], _rgba(colour, 0.15),
                            legendgroup=str(group))
        traces.append({
            "type": "scatter", "x": x, "y": values(part["value"]), "mode": "lines+markers",
            "name": str(group), "legendgroup": str(group),
            "line": {"color": colour, "width": 2},
            "marker": {"size": 7, "color": colour,
                       "symbol": _hollow(part["status"].eq("low_base"))},
            "customdata": part[["n", "status"]].to_numpy(),
            "hovertemplate": f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}<br>n = %{{customdata[0]}} "
                             "(%{customdata[1]})<extra></extra>",
        })
    return spec.figure(traces, spec.layout(
        title, 340, yaxis=axis(y_title), xaxis={"type": "category", "tickangle": -45},
        legend={"orientation": "h", "y": -0.3}))


def ranking_chart(df: pd.DataFrame, title: str, x_title: str,
                  highlight: tuple[str, ...] = ()) -> go.Figure:
    """Groups as dots with 95% error bars, best at the top; low-base dots hollow.

    ``df`` has columns group, value, ci_low, ci_high, n, status, rank (``CompareReport.ranking``,
    best first); withheld groups (no value) are left out. ``highlight`` groups are drawn in the
    reference colour, the others grey.
    """
    shown = df[df["value"].notna()].iloc[::-1]
    colours = [THEME["line"] if g in highlight or not highlight else THEME["low_base"]
               for g in shown["group"]]
    trace = {
        "type": "scatter", "x": values(shown["value"]), "y": values(shown["group"]),
        "mode": "markers",
        "marker": {"size": 10, "color": colours,
                   "symbol": _hollow(shown["status"].eq("low_base"))},
        "error_x": _error(shown["ci_high"], shown["ci_low"], shown["value"],
                          color=THEME["low_base"], thickness=1.5),
        "customdata": shown[["n", "status"]].to_numpy(),
        "hovertemplate": "%{y}<br>%{x:.2f}<br>n = %{customdata[0]} (%{customdata[1]})"
                         "<extra></extra>",
    }
    return spec.figure([trace], spec.layout(
        title, max(200, 60 + 36 * len(shown)), showlegend=False, xaxis=axis(x_title),
        yaxis={"type": "category"}))


# --- Cost to serve (dashboard/analysis/cost.py) ---

#: One colour per contact channel (self-service green: the digital migration reads at a glance).
CHANNEL_COLOURS = {
    "phone": "#1f4e79", "chat": "#4f81bd", "email": "#9bbb59", "self_service": "#2e8b57",
    "store": "#b36b00", "social": "#8064a2",
}


def _chart(traces: list[dict], title: str, height: int = 320, marks=(), **extra) -> go.Figure:
    """The figure with the shared layout, its week axis thinned."""
    return thin_week_axis(spec.figure(traces, spec.layout(title, height, **extra), marks))


def channel_mix_chart(mix: pd.DataFrame, title: str, launch_week: str | None = None
                      ) -> go.Figure:
    """Stacked weekly shares of contacts by channel; the detected launch as a dashed line.

    ``mix`` has columns week, channel, label, share_pct, contact_count (``CostReport.mix``).
    """
    order = mix.groupby("channel")["contact_count"].sum().sort_values(ascending=False).index
    hover = "%{x}<br>" + _("{share} of contacts ({count})", share="%{y:.1f}%",
                           count="%{customdata[0]:,}") + "<extra></extra>"
    traces = []
    for ch in order:
        part = mix[mix["channel"] == ch]
        traces.append({
            "type": "scatter", "x": values(part["week"]), "y": values(part["share_pct"]),
            "mode": "lines", "stackgroup": "mix", "name": str(part["label"].iloc[0]),
            "line": {"width": 0.5, "color": CHANNEL_COLOURS.get(ch, "#8a8a8a")},
            "customdata": part[["contact_count"]].to_numpy(), "hovertemplate": hover,
        })
    marks = []
    if launch_week is not None and launch_week in set(mix["week"]):
        shape, _unused = spec.vline(launch_week, {"color": THEME["target"], "dash": "dash",
                                                  "width": 2})
        shape["yref"] = "paper"
        marks.append((shape, {
            "x": launch_week, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
            "text": _("self-service launch (detected) {week}",
                      week=weeks.week_display(launch_week)),
            "showarrow": False, "font": {"color": THEME["target"], "size": 11}}))
    return _chart(traces, title, 360, marks,
                  yaxis=axis(_("% of contacts"), range=[0, 100]),
                  xaxis={"type": "category", "tickangle": -45, "nticks": 26},
                  legend={"orientation": "h", "y": -0.35})


def contact_cost_share_chart(channels: pd.DataFrame, title: str) -> go.Figure:
    """Each channel's share of contacts beside its share of cost (``CostReport.channel_week``)."""
    x = values(channels["label"])
    traces = [
        {"type": "bar", "x": x, "y": values(channels["contact_share_pct"]),
         "name": _("% of contacts"), "marker": {"color": THEME["band"].replace("0.18", "0.5")},
         "customdata": channels[["contact_count"]].to_numpy(),
         "hovertemplate": _("{channel}: {share} of contacts ({count})", channel="%{x}",
                            share="%{y:.1f}%", count="%{customdata[0]:,}") + "<extra></extra>"},
        {"type": "bar", "x": x, "y": values(channels["cost_share_pct"]), "name": _("% of cost"),
         "marker": {"color": THEME["line"]},
         "customdata": channels[["cost_per_contact"]].to_numpy(),
         "hovertemplate": _("{channel}: {share} of cost (unit cost {cost})", channel="%{x}",
                            share="%{y:.1f}%", cost="%{customdata[0]:.2f}") + "<extra></extra>"},
    ]
    return _chart(traces, title, barmode="group", yaxis=axis("%"),
                  legend={"orientation": "h", "y": -0.2})


def estimate_bar_chart(df: pd.DataFrame, x: str, title: str, y_title: str) -> go.Figure:
    """Bars with 95% error bars; low-base bars grey, withheld groups left out.

    ``df`` has the column ``x`` and value, ci_low, ci_high, n, status.
    """
    shown = df[df["value"].notna()]
    trace = {
        "type": "bar", "x": values(shown[x]), "y": values(shown["value"]),
        "marker": {"color": [THEME["low_base"] if b else THEME["line"]
                             for b in shown["status"].eq("low_base")]},
        "error_y": _error(shown["ci_high"], shown["ci_low"], shown["value"], color="#444444",
                          thickness=1.2),
        "customdata": shown[["n", "status"]].to_numpy(),
        "hovertemplate": "%{x}<br>%{y:.2f}<br>n = %{customdata[0]:,} (%{customdata[1]})"
                         "<extra></extra>",
    }
    return _chart([trace], title, showlegend=False, yaxis=axis(y_title),
                  xaxis={"type": "category"})


def savings_waterfall(bars: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Baseline, one bar per effect, current (``CostReport.waterfall``: label, value, measure,
    text); savings green, increases red."""
    trace = {
        "type": "waterfall", "x": values(bars["label"]), "y": values(bars["value"]),
        "measure": values(bars["measure"]), "text": values(bars["text"]),
        "textposition": "outside", "connector": {"line": {"color": "#999999", "width": 1}},
        "decreasing": {"marker": {"color": "#2e8b57"}},
        "increasing": {"marker": {"color": "#c0504d"}},
        "totals": {"marker": {"color": THEME["line"]}},
        "hovertemplate": "%{x}<br>%{text}<extra></extra>",
    }
    return _chart([trace], title, 380, showlegend=False, yaxis=axis(y_title),
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


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _right(name: str, **props) -> dict:
    """A second y axis on the right over the first, without its own grid."""
    return axis(name, overlaying="y", side="right", **props, showgrid=False)


def complaint_volume_chart(vol: pd.DataFrame, title: str) -> go.Figure:
    """Weekly complaints (bars) and the rate per 1,000 active customers with its exact Poisson
    95% band (line, right axis). ``vol``: week, complaints, value, ci_low, ci_high, status."""
    x = values(vol["week"])
    traces = [
        {"type": "bar", "x": x, "y": values(vol["complaints"]), "name": _("Complaints"),
         "marker": {"color": _alpha(THEME["line"], 0.25)}, "yaxis": "y"},
        *_band(x, vol["ci_high"], vol["ci_low"], THEME["band"], _("95% interval"), yaxis="y2"),
        {"type": "scatter", "x": x, "y": values(vol["value"]), "mode": "lines+markers",
         "name": _("Per 1,000 active"), "line": {"color": THEME["line"], "width": 2},
         "yaxis": "y2",
         "hovertemplate": "%{x}<br>" + _("{rate} per 1,000", rate="%{y:.2f}")
                          + "<extra></extra>"},
    ]
    return _chart(traces, title, 340, xaxis={"type": "category", "tickangle": -45},
                  yaxis=axis(_("complaints"), rangemode="tozero"),
                  yaxis2=_right(_("per 1,000 active customers"), rangemode="tozero"),
                  legend={"orientation": "h", "y": -0.35})


def pareto_chart(par: pd.DataFrame, title: str) -> go.Figure:
    """Categories as bars (largest first) with the cumulative share line and an 80% guide.
    ``par``: category, count, share_pct, cumulative_pct."""
    x = values(par["category"])
    traces = [
        {"type": "bar", "x": x, "y": values(par["count"]), "name": _("Complaints"),
         "marker": {"color": THEME["line"]}, "customdata": values(par["share_pct"]),
         "hovertemplate": "%{x}<br>%{y:,} (%{customdata:.1f}%)<extra></extra>"},
        {"type": "scatter", "x": x, "y": values(par["cumulative_pct"]), "mode": "lines+markers",
         "name": _("Cumulative %"), "yaxis": "y2",
         "line": {"color": THEME["target"], "width": 2},
         "hovertemplate": "%{x}<br>" + _("cumulative {share}", share="%{y:.1f}%")
                          + "<extra></extra>"},
    ]
    guide = spec.hline(80, {"color": THEME["low_base"], "dash": "dot", "width": 1}, yref="y2")
    return _chart(traces, title, 320, [guide], yaxis=axis(_("complaints")),
                  yaxis2=_right(_("cumulative %"), range=[0, 103], tickmode="array",
                                tickvals=[0, 20, 40, 60, 80, 100], ticksuffix="%"),
                  legend={"orientation": "h", "y": -0.3})


def severity_mix_chart(sev: pd.DataFrame, title: str) -> go.Figure:
    """Weekly severity shares as stacked bars. ``sev``: week, severity, count, share_pct."""
    traces = []
    for level, part in sev.groupby("severity", sort=False):
        name = _(SEVERITY_NAMES[level]) if level in SEVERITY_NAMES else str(level)
        traces.append({
            "type": "bar", "x": values(part["week"]), "y": values(part["share_pct"]),
            "name": name,
            "marker": {"color": SEVERITY_COLOURS.get(str(level), THEME["low_base"])},
            "customdata": values(part["count"]),
            "hovertemplate": f"{lit(name)}<br>%{{x}}<br>%{{y:.1f}}% (%{{customdata}})"
                             "<extra></extra>"})
    return _chart(traces, title, 320, barmode="stack", yaxis=axis(_("% of complaints")),
                  xaxis={"type": "category", "tickangle": -45},
                  legend={"orientation": "h", "y": -0.35})


#: The resolution chart's two lines.
PERCENTILE_NAMES = {"median": N_("Median"), "p90": N_("90th percentile")}


def percentile_trend_chart(res: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Weekly median and 90th percentile lines; withheld weeks are gaps.
    ``res``: week, median, p90, n, status."""
    traces = []
    for col, label, dash in (("median", PERCENTILE_NAMES["median"], "solid"),
                             ("p90", PERCENTILE_NAMES["p90"], "dash")):
        name = _(label)
        traces.append({
            "type": "scatter", "x": values(res["week"]), "y": values(res[col]),
            "mode": "lines+markers", "name": name,
            "line": {"color": THEME["line"], "width": 2, "dash": dash},
            "customdata": values(res["n"]),
            "hovertemplate": f"{lit(name)}<br>%{{x}}<br>"
                             + _("{hours} h, n = {n}", hours="%{y:.1f}", n="%{customdata}")
                             + "<extra></extra>"})
    return _chart(traces, title, 300, yaxis=axis(y_title, rangemode="tozero"),
                  xaxis={"type": "category", "tickangle": -45},
                  legend={"orientation": "h", "y": -0.35})


def backlog_chart(bl: pd.DataFrame, title: str) -> go.Figure:
    """Open complaints per age band, split by whether the customer is still with us.
    ``bl``: band, count, customer_left."""
    bands = [_(str(b)) for b in bl["band"]]  # the age bands (N_ in analysis.complaints)
    traces = [
        {"type": "bar", "x": bands, "y": values(bl["count"] - bl["customer_left"]),
         "name": _("Customer still active"), "marker": {"color": THEME["line"]}},
        {"type": "bar", "x": bands, "y": values(bl["customer_left"]),
         "name": _("Customer has left"), "marker": {"color": THEME["low_base"]}},
    ]
    return _chart(traces, title, 300, barmode="stack", yaxis=axis(_("open complaints")),
                  xaxis=axis(_("age at the end of the week")),
                  legend={"orientation": "h", "y": -0.35})


def interval_dots_chart(df: pd.DataFrame, value: str, low: str, high: str, status: str,
                        title: str, x_title: str) -> go.Figure:
    """One dot with its 95% error bar per group (``group`` key, ``label``); low-base dots hollow,
    withheld groups (no value) left out."""
    shown = df[df[value].notna()].iloc[::-1]
    trace = {
        "type": "scatter", "x": values(shown[value]),
        "y": [_(str(label)) for label in shown["label"]],  # the groups' N_ names
        "mode": "markers",
        "marker": {"size": 11,
                   "color": [GROUP_KEY_COLOURS.get(str(g), THEME["line"])
                             for g in shown["group"]],
                   "symbol": _hollow(shown[status].eq("low_base"))},
        "error_x": _error(shown[high], shown[low], shown[value], color=THEME["low_base"],
                          thickness=1.5),
        "hovertemplate": "%{y}<br>%{x:.1f}<extra></extra>"}
    return _chart([trace], title, 260, xaxis=axis(x_title), showlegend=False)


def compensation_chart(vol: pd.DataFrame, title: str, symbol: str) -> go.Figure:
    """Weekly compensation paid (bars) and per complaint (line, right axis).
    ``vol``: week, compensation, per_complaint, complaints."""
    paid, each = money_hover(symbol, "y", 0, lit), money_hover(symbol, "y", 2, lit)
    x = values(vol["week"])
    traces = [
        {"type": "bar", "x": x, "y": values(vol["compensation"]), "name": _("Paid in the week"),
         "marker": {"color": THEME["line"]}, "hovertemplate": f"%{{x}}<br>{paid}<extra></extra>"},
        {"type": "scatter", "x": x, "y": values(vol["per_complaint"]), "mode": "lines+markers",
         "name": _("Per complaint"), "yaxis": "y2",
         "line": {"color": THEME["target"], "width": 2},
         "hovertemplate": "%{x}<br>" + _("{amount} per complaint", amount=each)
                          + "<extra></extra>"},
    ]
    return _chart(traces, title, 300, xaxis={"type": "category", "tickangle": -45},
                  yaxis=axis(_("paid ({symbol})", symbol=symbol), rangemode="tozero"),
                  yaxis2=_right(_("per complaint ({symbol})", symbol=symbol),
                                rangemode="tozero"),
                  legend={"orientation": "h", "y": -0.35})


def segment_rate_chart(df: pd.DataFrame, value: str, low: str, high: str, status: str,
                       title: str, y_title: str) -> go.Figure:
    """Monthly rates per group with 95% error bars; the all-customers line dashed.
    ``df``: month, group, and the named value / interval / status columns."""
    traces = []
    for i, (group, part) in enumerate(df.groupby("group", sort=False)):
        part = part[part[value].notna()]
        colour = SEGMENT_COLOURS[i % len(SEGMENT_COLOURS)]
        is_all = group.startswith("All")
        traces.append({
            "type": "scatter", "x": values(part["month"]), "y": values(part[value]),
            "mode": "lines+markers", "name": str(group),
            "line": {"color": "#333333" if is_all else colour, "width": 2,
                     "dash": "dash" if is_all else "solid"},
            "marker": {"symbol": _hollow(part[status].eq("low_base"))},
            "error_y": _error(part[high], part[low], part[value], thickness=1, width=2),
            "customdata": values(part["n"]),
            "hovertemplate": f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}%, n = %{{customdata:,}}"
                             "<extra></extra>"})
    return _chart(traces, title, 340, yaxis=axis(y_title, rangemode="tozero"),
                  xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.25})


def cohort_heatmap(cm: pd.DataFrame, title: str) -> go.Figure:
    """Signup month (rows) × months since signup (columns), % still active; withheld cells
    blank. ``cm``: cohort_month, cohort, months_since_signup, value, cohort_size."""
    grid = cm.pivot(index="cohort_month", columns="months_since_signup", values="value")
    grid = grid.sort_index()
    first = cm.drop_duplicates("cohort_month").set_index("cohort_month")
    ylabels = [_("{group} (n = {n})", group=first.loc[m, "cohort"],
                 n=display.number(int(first.loc[m, "cohort_size"]), 0)) for m in grid.index]
    z = grid.to_numpy(dtype=float)
    text = [["" if v != v else loc.localize(f"{v:.0f}") for v in row] for row in z]
    finite = z[~np.isnan(z)] if z.size else z
    zmin = max(0.0, float(finite.min()) - 5) if finite.size else 0.0
    trace = {
        "type": "heatmap", "z": z, "x": [str(c) for c in grid.columns], "y": ylabels,
        "text": text, "texttemplate": "%{text}", "colorscale": _BLUES, "zmin": zmin,
        "zmax": 100, "colorbar": {"title": spec.title(_("% active"))},
        "hovertemplate": "%{y}<br>" + _("month {month}: {share} still active", month="%{x}",
                                        share="%{z:.1f}%") + "<extra></extra>"}
    return _chart([trace], title, max(320, 22 * len(ylabels) + 120),
                  xaxis=axis(_("months since the signup month"), type="category"),
                  yaxis={"autorange": "reversed", "type": "category"})


def survival_chart(groups, title: str, mark_week: float | None = None) -> go.Figure:
    """Kaplan–Meier step curves with their 95% bands, one per group that is not withheld.

    ``groups`` are ``survival.SurvivalGroup`` objects (name, label, n, status, curve with
    time, survival, ci_low, ci_high); low-base curves are dotted.
    """
    traces = []
    for g in groups:
        if not g.shown:
            continue
        colour = GROUP_KEY_COLOURS.get(g.name, THEME["line"])
        c = g.curve
        edges = _band(values(c["time"]), 100 * c["ci_high"], 100 * c["ci_low"],
                      _alpha(colour, 0.18), legendgroup=g.name)
        for edge in edges:
            edge["line"] = {"width": 0, "shape": "hv"}
        traces += edges
        traces.append({
            "type": "scatter", "x": values(c["time"]), "y": values(100 * c["survival"]),
            "mode": "lines", "legendgroup": g.name,
            "name": _("{group} (n = {n})", group=_(g.label), n=display.number(g.n, 0)),
            "line": {"color": colour, "width": 2, "shape": "hv",
                     "dash": "dot" if g.status == "low_base" else "solid"},
            "hovertemplate": f"{lit(_(g.label))}<br>"
                             + _("week {week}: {share} still active", week="%{x}",
                                 share="%{y:.1f}%") + "<extra></extra>"})
    marks = [] if mark_week is None else [
        spec.vline(mark_week, {"color": THEME["low_base"], "dash": "dot", "width": 1})]
    return _chart(traces, title, 340, marks, xaxis=axis(_("weeks since the window start")),
                  yaxis=axis(_("% still active")), legend={"orientation": "h", "y": -0.3})


def revenue_lost_chart(df: pd.DataFrame, title: str, symbol: str) -> go.Figure:
    """Revenue lost to churn per month, stacked by group (the segments, or the customers as a
    whole when there is one segment). ``df``: month, group, revenue_lost, churned."""
    parts = df[df["revenue_lost"].notna()]
    hover = _("{amount} from {count} leavers", amount=money_hover(symbol, "y", 0, lit),
              count="%{customdata}")
    traces = [{
        "type": "bar", "x": values(part["month"]), "y": values(part["revenue_lost"]),
        "name": str(group), "marker": {"color": SEGMENT_COLOURS[i % len(SEGMENT_COLOURS)]},
        "customdata": values(part["churned"]),
        "hovertemplate": f"{lit(group)}<br>%{{x}}<br>" + hover + "<extra></extra>"}
        for i, (group, part) in enumerate(parts.groupby("group", sort=False))]
    return _chart(traces, title, 320, barmode="stack", xaxis={"type": "category"},
                  yaxis=axis(_("trailing 3-month revenue ({symbol})", symbol=symbol)),
                  legend={"orientation": "h", "y": -0.25})


# --- CX in money page (dashboard/money/value.py) ---

MONEY_COLOURS = {"treated": "#1f4e79", "control": "#b36b00", "window": "rgba(31, 78, 121, 0.08)"}


def band_bar_chart(df: pd.DataFrame, x: str, title: str, y_title: str,
                   band_label: str = "P10–P90") -> go.Figure:
    """Bars with asymmetric error bars spanning a band (``df``: column ``x``, value, low,
    high); rows without a value are left out."""
    shown = df[df["value"].notna()]
    trace = {
        "type": "bar", "x": values(shown[x]), "y": values(shown["value"]),
        "marker": {"color": THEME["line"]},
        "error_y": _error(shown["high"], shown["low"], shown["value"], color="#444444",
                          thickness=1.2),
        "customdata": shown[["low", "high"]].astype(float).to_numpy(),
        "hovertemplate": f"%{{x}}<br>%{{y:,.0f}}<br>{lit(band_label)} %{{customdata[0]:,.0f}} – "
                         "%{customdata[1]:,.0f}<extra></extra>"}
    return _chart([trace], title, showlegend=False, yaxis=axis(y_title),
                  xaxis={"type": "category"})


def did_chart(weekly: pd.DataFrame, title: str, y_title: str,
              before: tuple[int, int], after: tuple[int, int]) -> go.Figure:
    """Weekly outcome of the programme segment and of the others against weeks since the
    programme start, with the before and after windows shaded and the start marked.

    ``weekly``: weeks_since_start, week, group ('treated' or 'control'), label, value.
    """
    marks = [spec.vrect(x0, x1, MONEY_COLOURS["window"], text)
             for x0, x1, text in ((before[0] - 0.5, before[1] + 0.5, _("before")),
                                  (after[0] - 0.5, after[1] + 0.5, _("after")))]
    traces = []
    for group in ("treated", "control"):
        part = weekly[(weekly["group"] == group) & weekly["value"].notna()].sort_values(
            "weeks_since_start")
        if part.empty:
            continue
        traces.append({
            "type": "scatter", "x": values(part["weeks_since_start"]),
            "y": values(part["value"]), "mode": "lines", "name": str(part["label"].iloc[0]),
            "line": {"color": MONEY_COLOURS[group], "width": 2},
            "customdata": part[["week"]].to_numpy(),
            "hovertemplate": _("{week} (week {number})", week="%{customdata[0]}",
                               number="%{x}") + "<br>%{y:.2f}<extra></extra>"})
    marks.append(spec.vline(0, {"color": THEME["target"], "dash": "dash", "width": 2}))
    return _chart(traces, title, 320, marks, yaxis=axis(y_title),
                  xaxis=axis(_("weeks since the programme start")),
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
    traces, marks = [], []
    if len(t):
        base = float(t["base"].iloc[0])
        labels = t["input"].tolist()
        hover = ("%{y}<br>" + _("input {value}", value="%{customdata[0]}") + "<br>"
                 + _("output {value}", value="%{customdata[1]:,.0f}") + "<extra></extra>")
        for col, text, name, colour in (("profit_low", "low_text", _("input at its P10"),
                                         "#c0504d"),
                                        ("profit_high", "high_text", _("input at its P90"),
                                         THEME["line"])):
            traces.append({
                "type": "bar", "y": labels, "x": (t[col] - base).astype(float).to_numpy(),
                "base": base, "orientation": "h", "name": name, "marker": {"color": colour},
                "customdata": np.stack([t[text].to_numpy(), t[col].astype(float).to_numpy()],
                                       axis=1),
                "hovertemplate": hover})
        marks.append(spec.vline(base, {"color": THEME["low_base"], "width": 1, "dash": "dot"}))
    return _chart(traces, title, 140 + 30 * max(len(t), 3), marks, barmode="overlay",
                  xaxis=axis(x_title), yaxis={"type": "category", "autorange": "reversed"},
                  legend={"orientation": "h", "y": -0.25})


def simulation_histogram(draws: np.ndarray | pd.Series, title: str, x_title: str,
                         threshold: float | None = None, bins: int = 60) -> go.Figure:
    """The distribution of the Monte Carlo draws with P10, P50 and P90 marked, and an
    optional threshold (the programme cost) as a dashed line."""
    x = np.asarray(draws, dtype=float)
    trace = {"type": "histogram", "x": x, "nbinsx": bins,
             "marker": {"color": THEME["band"].replace("0.18", "0.55")},
             "hovertemplate": "%{x}<br>" + _("{count} draws", count="%{y}") + "<extra></extra>",
             "name": _("draws")}
    marks = []
    if len(x):
        for q, label in zip(np.quantile(x, [0.1, 0.5, 0.9]), ("P10", "P50", "P90"),
                            strict=True):
            marks.append(spec.vline(float(q), {"color": THEME["line"], "width": 1.5,
                                               "dash": "solid" if label == "P50" else "dot"},
                                    text=label))
    if threshold is not None:
        marks.append(spec.vline(threshold, {"color": THEME["target"], "width": 2,
                                            "dash": "dash"},
                                text=_("programme cost"), position="top left"))
    return _chart([trace], title, 300, marks, showlegend=False, xaxis=axis(x_title),
                  yaxis=axis(_("draws")), bargap=0.02)


def value_band_chart(df: pd.DataFrame, label: str, title: str, x_title: str) -> go.Figure:
    """One dot at the P50 with its P10–P90 bar per row (columns ``label``, value, low, high),
    first row on top; zero marked."""
    trace = {
        "type": "scatter", "x": df["value"].to_numpy(float), "y": df[label].astype(str).tolist(),
        "mode": "markers", "marker": {"size": 11, "color": THEME["line"]},
        "error_x": _error(df["high"], df["low"], df["value"], color=THEME["low_base"],
                          thickness=1.5),
        "customdata": df[["low", "high"]].to_numpy(float),
        "hovertemplate": "%{y}<br>P50 %{x:,.0f}<br>P10 %{customdata[0]:,.0f} – P90 "
                         "%{customdata[1]:,.0f}<extra></extra>"}
    return _chart([trace], title, 120 + 40 * max(len(df), 3),
                  [spec.vline(0, {"color": THEME["low_base"], "width": 1})], showlegend=False,
                  xaxis=axis(x_title), yaxis={"type": "category", "autorange": "reversed"})
