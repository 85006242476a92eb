"""What the frame (``streamlit_app.py``) does at the start of every script run: the app's one
style rule, and what one run computes once.

Values every chart of a page asks for (the exports' context: period, filters and assumption
set) are made at the first ask and kept until the next run starts (``start``, called before
anything is drawn). A widget's callback runs before its run starts, so an edit it makes is
always seen; the values kept are the session's own (in its session state), never shared
between sessions.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

_KEY = "_cx_run"
#: When set to 1, every script run prints how long it took to the server's output
#: (``cx script run 412 ms``): the speed bench reads it to tell the server's share of a step
#: from the browser's.
RUN_TIMES_ENV = "CX_RUN_TIMES"
#: The line each run prints (``RUN_TIMES_ENV``), its milliseconds in the group.
RUN_LINE = "cx script run {ms:.0f} ms"


def start() -> None:
    """A new script run: what the last one kept is forgotten."""
    st.session_state[_KEY] = {"_started": time.perf_counter()}


def end() -> None:
    """The run is over: with ``CX_RUN_TIMES=1``, its duration printed (``RUN_LINE``)."""
    values = st.session_state.get(_KEY) or {}
    if os.environ.get(RUN_TIMES_ENV) == "1" and "_started" in values:
        ms = 1000 * (time.perf_counter() - values["_started"])
        print(RUN_LINE.format(ms=ms), file=sys.stderr, flush=True)


def once(name: str, make: Callable[[], T]) -> T:
    """``make()`` the first time this run asks for ``name``, the same value after that (made
    every time outside a run started with ``start``)."""
    values = st.session_state.get(_KEY)
    if values is None:
        return make()
    if name not in values:
        values[name] = make()
    return values[name]


#: Tile labels and a change's verdict wrap instead of being cut off with an ellipsis: "Value
#: of +1 NPS point, Affluent" is read whole in a quarter of a 1280 px page. The one style rule
#: of the app; colours and fonts stay in .streamlit/config.toml.
FIT_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important;
    text-overflow: clip !important; overflow-wrap: anywhere;
}
div:has(> [data-testid="stMetricDeltaDescription"]) { flex-wrap: wrap; }
[data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>"""


def fit_styles() -> None:
    """The app's one style rule (``FIT_CSS``), drawn once by the frame before every page."""
    st.html(FIT_CSS)
