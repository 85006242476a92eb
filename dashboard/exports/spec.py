"""Figures written as plotly's own JSON — a list of traces and a layout, plain dictionaries —
and made into a plotly figure once, without plotly checking every property again.

Built through plotly's objects (``go.Scatter``, ``add_trace``, ``update_layout``), each
property was looked up, checked and copied on the way in: 15–75 ms a chart, most of a chart
page's time after its queries. Written as dictionaries the same figure takes 1–3 ms. What plotly
would have checked is checked by the tests instead: every chart of every page passes plotly's
full validation and comes out of it unchanged (``tests/test_figure_spec.py``), so a property
plotly would refuse or rewrite (an axis title given as bare text) fails there.

The helpers give plotly's own shapes for what its ``add_hline``/``add_vline``/``add_vrect``
would add, and the layout every chart shares.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.exports.theme import THEME


def figure(traces: Iterable[dict], layout: dict, marks: Iterable[tuple[dict, dict | None]] = ()
           ) -> go.Figure:
    """The figure of ``traces`` (each a dict with its ``type``) and ``layout``, with ``marks``
    (``hline``/``vline``/``vrect`` results) added as shapes and annotations."""
    layout = dict(layout)
    for shape, note in marks:
        layout.setdefault("shapes", []).append(shape)
        if note is not None:
            layout.setdefault("annotations", []).append(note)
    return go.Figure({"data": list(traces), "layout": layout}, _validate=False)


def values(column: pd.Series | np.ndarray | list) -> np.ndarray | list:
    """A column as a figure holds it: numbers as an array, anything else as a list."""
    if isinstance(column, pd.Series | pd.Index):
        column = column.to_numpy()
    if isinstance(column, np.ndarray):
        return column if column.dtype.kind in "biuf" else column.tolist()
    return list(column)


def title(text: str | None, size: int | None = None) -> dict:
    """A title (chart, axis or legend): plotly's ``{"text": …}``, always a dictionary (the
    literal-text pass reads titles in that form)."""
    out: dict = {"text": text}
    if size is not None:
        out["font"] = {"size": size}
    return out


def axis(name: str | None = None, **props) -> dict:
    """An axis's properties, its title (when given) as a title dictionary."""
    return {"title": title(name), **props} if name is not None else dict(props)


def layout(heading: str, height: int, top: int = 40, **extra) -> dict:
    """What every chart's layout holds: its title, height, margins and font, plus ``extra``."""
    return {"title": title(heading, 14), "height": height,
            "margin": {"l": 10, "r": 10, "t": top, "b": 10},
            "font": {"family": THEME["font"]}, **extra}


def hline(y: float, line: dict, yref: str = "y", text: str | None = None
          ) -> tuple[dict, dict | None]:
    """A horizontal line across the plot at ``y`` (plotly's ``add_hline``), with ``text``
    above its left end."""
    shape = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": yref, "y0": y,
             "y1": y, "line": line}
    note = None if text is None else {
        "text": text, "showarrow": False, "xref": "x domain", "x": 0, "xanchor": "left",
        "yref": yref, "y": y, "yanchor": "bottom"}
    return shape, note


def vline(x: float, line: dict, text: str | None = None, position: str = "top"
          ) -> tuple[dict, dict | None]:
    """A vertical line over the plot's height at ``x`` (plotly's ``add_vline``), with ``text``
    at its ``position`` ("top": centred above it; "top left": left of it, inside the top)."""
    shape = {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0,
             "y1": 1, "line": line}
    if text is None:
        return shape, None
    xanchor, yanchor = (("center", "bottom") if position == "top" else ("right", "top"))
    return shape, {"text": text, "showarrow": False, "xref": "x", "x": x, "xanchor": xanchor,
                   "yref": "y domain", "y": 1, "yanchor": yanchor}


def vrect(x0: float, x1: float, fillcolor: str, text: str) -> tuple[dict, dict]:
    """A shaded band over the plot's height from ``x0`` to ``x1`` (plotly's ``add_vrect``, no
    border), ``text`` inside its top left corner."""
    shape = {"type": "rect", "xref": "x", "x0": x0, "x1": x1, "yref": "y domain", "y0": 0,
             "y1": 1, "fillcolor": fillcolor, "line": {"width": 0}}
    return shape, {"text": text, "showarrow": False, "xref": "x", "x": x0, "xanchor": "left",
                   "yref": "y domain", "y": 1, "yanchor": "top"}
