"""The Satisfaction page's figures (``dashboard/analysis/satisfaction.py``): DataFrame in,
plotly figure out. ``charts`` names them too (``charts.split_trend_chart`` …)."""

from __future__ import annotations

import functools
import json

import pandas as pd
import plotly.graph_objects as go

from dashboard.exports import spec
from dashboard.exports.spec import axis, values
from dashboard.exports.text import plotly_template as lit  # data put into hover templates
from dashboard.exports.theme import THEME
from dashboard.i18n import _
from dashboard.metrics import display

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


@functools.lru_cache(maxsize=32)
def _panels(rows: int, columns: int, titled: int) -> str:
    """The layout plotly's ``make_subplots`` gives a grid of panels sharing the y axis, with
    ``titled`` panel titles (as JSON: each figure takes its own copy)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=columns, subplot_titles=["-"] * titled,
                        shared_yaxes="all", vertical_spacing=0.32 / rows + 0.04,
                        horizontal_spacing=0.04)
    layout = fig.to_dict()["layout"]
    layout.pop("template", None)
    return json.dumps(layout)


def split_trend_chart(df: pd.DataFrame, title: str, y_title: str, overall: str,
                      columns: int = 3) -> go.Figure:
    """Small multiples: one panel per group with its 95% band, the all-groups line in grey.

    ``df`` has columns group, period, value, ci_low, ci_high, n, status
    (``SatisfactionReport.trend``); the ``overall`` group comes first and gets its own panel.
    Withheld periods (value None) are gaps; low-base points are hollow. Panels share the y axis.
    """
    groups = list(dict.fromkeys(df["group"]))
    periods = list(dict.fromkeys(df["period"]))
    rows = max(1, -(-len(groups) // columns))
    def named(g) -> str:  # the all-groups panel in the language of the moment (marked in
        return _(overall) if g == overall else str(g)  # rtl.TOTAL_NAMES); groups are data

    titles = [named(g) if df.loc[df["group"] == g, "value"].notna().any()
              else _("{group} · withheld (n < {least})", group=named(g),
                     least=display.number(30, 0))
              for g in groups]
    layout = json.loads(_panels(rows, columns, len(titles)))
    for note, text in zip(layout["annotations"], titles, strict=True):
        note["text"] = text
        note["font"] = {"size": 12}
    ticks = periods[::max(1, len(periods) // 6)]
    for i in range(rows * columns):
        suffix = str(i + 1) if i else ""
        layout[f"xaxis{suffix}"].update(type="category", categoryorder="array",
                                        categoryarray=periods, tickvals=ticks, tickangle=-45,
                                        tickfont={"size": 10})
        layout[f"yaxis{suffix}"]["title"] = {"text": y_title if i % columns == 0 else None}
    ref = df[df["group"] == overall]
    traces = []
    for i, group in enumerate(groups):
        at = {"xaxis": f"x{i + 1 if i else ''}", "yaxis": f"y{i + 1 if i else ''}"}
        part = df[df["group"] == group]
        x, lo, hi = part["period"].tolist(), part["ci_low"].tolist(), part["ci_high"].tolist()
        for a, b in _sat_runs(part["value"].tolist()):
            traces.append({
                "type": "scatter", "x": x[a:b] + x[a:b][::-1], "y": hi[a:b] + lo[a:b][::-1],
                "fill": "toself", "fillcolor": THEME["band"], "line": {"width": 0},
                "mode": "lines", "hoverinfo": "skip", "showlegend": False, **at})
        if group != overall and not ref.empty:
            traces.append({
                "type": "scatter", "x": values(ref["period"]), "y": values(ref["value"]),
                "mode": "lines", "hoverinfo": "skip",
                "line": {"color": SAT_COLOURS["overall"], "width": 1}, "showlegend": False,
                **at})
        low = part["status"].eq("low_base")
        traces.append({
            "type": "scatter", "x": x, "y": values(part["value"]), "mode": "lines+markers",
            "name": str(group), "showlegend": False,
            "line": {"color": THEME["line"], "width": 2},
            "marker": {"size": 5, "color": THEME["line"],
                       "symbol": ["circle-open" if b else "circle" for b in low]},
            "customdata": part[["n", "status"]].to_numpy(),
            "hovertemplate": f"{lit(group)}<br>%{{x}}<br>%{{y:.2f}}<br>n = %{{customdata[0]}} "
                             "(%{customdata[1]})<extra></extra>", **at})
    layout.update(spec.layout(title, 120 + 200 * rows, top=60, showlegend=False))
    return spec.figure(traces, layout)


def nps_mix_chart(df: pd.DataFrame, title: str) -> go.Figure:
    """Stacked shares of detractors, passives and promoters per period (withheld: no bar).

    ``df`` has columns period, category, category_label, share_pct, count, n, status
    (``SatisfactionReport.mix``).
    """
    periods = list(dict.fromkeys(df["period"]))
    hover = "%{x}<br>" + _("{share} ({count} of {n})", share="%{y:.1f}%",
                           count="%{customdata[0]}", n="%{customdata[1]}") + "<extra></extra>"
    traces = [{
        "type": "bar", "x": values(part["period"]), "y": values(part["share_pct"]),
        "name": str(part["category_label"].iloc[0]),
        "marker": {"color": SAT_COLOURS.get(str(cat), THEME["line"])},
        "customdata": part[["count", "n"]].to_numpy(), "hovertemplate": hover}
        for cat, part in df.groupby("category", sort=False)]
    return spec.figure(traces, spec.layout(
        title, 320, barmode="stack", yaxis=axis(_("% of NPS answers"), range=[0, 100]),
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": periods,
               "tickvals": periods[::max(1, len(periods) // 13)], "tickangle": -45},
        legend={"orientation": "h", "y": -0.35}))


def score_distribution_chart(df: pd.DataFrame, title: str, week: str, compare_week: str
                             ) -> go.Figure:
    """Share of answers at each score: the comparison week light, the selected week dark.

    ``df`` has columns week, score, share_pct, count, n (``SatisfactionReport.distribution``);
    a week whose base is withheld has no bars.
    """
    traces = []
    for wk, colour in ((compare_week, SAT_COLOURS["compare"]), (week, SAT_COLOURS["week"])):
        part = df[df["week"] == wk]
        if part.empty:
            continue
        n = int(part["n"].iloc[0])
        traces.append({
            "type": "bar", "x": part["score"].astype(str).tolist(),
            "y": values(part["share_pct"]),
            "name": _("{group} (n = {n})", group=wk, n=display.number(n, 0)),
            "marker": {"color": colour}, "customdata": part[["count"]].to_numpy(),
            "hovertemplate": f"{lit(wk)}<br>"
                             + _("score {score}: {share} ({count})", score="%{x}",
                                 share="%{y:.1f}%", count="%{customdata[0]}")
                             + "<extra></extra>"})
    return spec.figure(traces, spec.layout(
        title, 320, barmode="group", xaxis=axis(_("score"), type="category"),
        yaxis=axis(_("% of answers")), legend={"orientation": "h", "y": -0.25}))


def expectation_gap_chart(df: pd.DataFrame, title: str) -> go.Figure:
    """Mean perceived-minus-expected gap per touchpoint with its 95% interval, worst at the top.

    ``df`` has columns label, gap, ci_low, ci_high, n, perceived_mean, expected_mean, status
    (``SatisfactionReport.gap``, worst first); withheld rows are left out; zero is marked.
    """
    shown = df[df["gap"].notna()]
    labels = [_("{group} (n = {n})", group=label, n=display.number(int(n), 0))
              for label, n in zip(shown["label"], shown["n"], strict=True)]
    trace = {
        "type": "scatter", "x": values(shown["gap"]), "y": labels, "mode": "markers",
        "marker": {"size": 9, "color": SAT_COLOURS["gap"],
                   "symbol": ["circle-open" if s == "low_base" else "circle"
                              for s in shown["status"]]},
        "error_x": {"type": "data", "symmetric": False,
                    "array": (shown["ci_high"] - shown["gap"]).tolist(),
                    "arrayminus": (shown["gap"] - shown["ci_low"]).tolist(),
                    "color": SAT_COLOURS["gap"]},
        "customdata": shown[["n", "perceived_mean", "expected_mean"]].to_numpy(),
        "hovertemplate": "%{y}<br>" + _("gap {gap}", gap="%{x:+.2f}")
                         + "<br>n = %{customdata[0]}<br>"
                         + _("perceived {perceived}, expected {expected}",
                             perceived="%{customdata[1]:.2f}", expected="%{customdata[2]:.2f}")
                         + "<extra></extra>"}
    return spec.figure([trace], spec.layout(
        title, 120 + 32 * max(len(shown), 3),
        xaxis=axis(_("perceived − expected (scale points)")),
        yaxis={"type": "category", "autorange": "reversed"}, showlegend=False),
        [spec.vline(0, {"color": THEME["low_base"], "width": 1})])
