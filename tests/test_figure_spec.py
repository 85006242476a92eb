"""Figures written as plotly's JSON (dashboard.exports.spec) are what plotly itself would make:
every chart of every page, in English and in Persian, passes plotly's full validation and comes
out of it unchanged; the lines and bands the helpers draw are plotly's own add_hline, add_vline
and add_vrect shapes."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard import i18n
from dashboard.exports import exhibits, spec
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import db


def canonical(value):
    """A figure's JSON with typed arrays written out, NaN as null and whole floats as ints:
    equal for equal figures whichever way plotly encoded their arrays."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= set(value):
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                arr = arr.reshape([int(x) for x in str(value["shape"]).split(",")])
            return canonical(arr.tolist())
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def as_json(fig: go.Figure) -> dict:
    return canonical(json.loads(pio.to_json(fig, validate=False)))


@pytest.mark.parametrize("lang, world", [("en", "demo_wh"), ("fa", "demo_wh_fa")])
def test_every_chart_passes_plotlys_validation_unchanged(lang, world, request, tmp_path):
    wh = request.getfixturevalue(world)
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    checked = 0
    with i18n.use(lang):
        catalog = kpis.load_catalog(fetch)
        cat = exhibits.Catalogue(fetch, Filters(week=catalog.latest_complete), aset)
        for title in exhibits.PAGES:
            for ex in cat.page(title):
                drawn = as_json(ex.fig)
                validated = go.Figure(ex.fig.to_dict())  # plotly's full validation: raises
                assert as_json(validated) == drawn, f"{lang} {ex.key}: plotly would change it"
                assert drawn["data"], ex.key
                checked += 1
    assert checked >= 35  # every page's charts (38 in the demo), not a few


def test_a_title_given_as_bare_text_is_caught():
    """What the check above guards against: plotly rewrites an axis title given as text (and
    the literal-text pass reads titles as dictionaries only)."""
    fig = spec.figure([{"type": "bar", "x": ["a"], "y": [1]}],
                      spec.layout("t", 200, yaxis={"title": "bare"}))
    assert as_json(go.Figure(fig.to_dict())) != as_json(fig)
    ok = spec.figure([{"type": "bar", "x": ["a"], "y": [1]}],
                     spec.layout("t", 200, yaxis=spec.axis("titled")))
    assert as_json(go.Figure(ok.to_dict())) == as_json(ok)


def _marks(fig: go.Figure) -> dict:
    layout = fig.to_dict()["layout"]
    return {k: layout.get(k) for k in ("shapes", "annotations")}


def _plain() -> go.Figure:
    return go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))


@pytest.mark.parametrize("ours, plotlys", [
    (lambda: spec.hline(3, {"color": "red", "dash": "dash"}, text="target"),
     lambda f: f.add_hline(y=3, line={"color": "red", "dash": "dash"}, annotation_text="target",
                           annotation_position="top left")),
    (lambda: spec.hline(80, {"color": "grey"}, yref="y2"),
     lambda f: f.add_hline(y=80, yref="y2", line={"color": "grey"})),
    (lambda: spec.vline(2.5, {"color": "blue"}),
     lambda f: f.add_vline(x=2.5, line={"color": "blue"})),
    (lambda: spec.vline(2.5, {"color": "blue"}, text="P10"),
     lambda f: f.add_vline(x=2.5, line={"color": "blue"}, annotation_text="P10",
                           annotation_position="top")),
    (lambda: spec.vline(7, {"color": "blue"}, text="cost", position="top left"),
     lambda f: f.add_vline(x=7, line={"color": "blue"}, annotation_text="cost",
                           annotation_position="top left")),
    (lambda: spec.vrect(-4.5, -0.5, "rgba(0, 0, 0, 0.1)", "before"),
     lambda f: f.add_vrect(x0=-4.5, x1=-0.5, fillcolor="rgba(0, 0, 0, 0.1)", line_width=0,
                           annotation_text="before", annotation_position="top left")),
])
def test_lines_and_bands_are_plotlys_own(ours, plotlys):
    theirs = _plain()
    plotlys(theirs)
    mine = spec.figure([{"type": "scatter", "x": [0, 1], "y": [0, 1]}], {}, [ours()])
    assert _marks(go.Figure(mine.to_dict())) == _marks(theirs)


def test_values_keeps_numbers_as_arrays_and_text_as_lists():
    import pandas as pd

    nums = spec.values(pd.Series([1.5, np.nan]))
    assert isinstance(nums, np.ndarray) and nums[0] == 1.5 and np.isnan(nums[1])
    assert spec.values(pd.Series(["2026-W01", "2026-W02"])) == ["2026-W01", "2026-W02"]
    assert spec.values(pd.Series([True, False])).tolist() == [True, False]
