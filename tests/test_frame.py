"""What the frame does at every script run (``dashboard.ui.frame``): a value a page asks for
at every chart is made once a run, and made again in the next run (an edit made by a widget's
callback, before the run, is seen)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.ui import common as ui

SCRIPT = '''
import streamlit as st
from dashboard.ui import frame

frame.start()
made = st.session_state.setdefault("made", [])
first = frame.once("x", lambda: made.append(len(made)) or len(made))
again = frame.once("x", lambda: made.append(len(made)) or len(made))
st.write(f"{first} {again}")
'''


def test_a_value_is_made_once_a_run_and_again_the_next_run():
    at = AppTest.from_string(SCRIPT)
    at.run()
    assert at.markdown[0].value == "1 1" and at.session_state["made"] == [0]
    at.run()
    assert at.markdown[0].value == "2 2" and at.session_state["made"] == [0, 1]


def test_outside_a_started_run_it_is_made_each_time():
    from dashboard.ui import frame

    calls = []
    assert frame.once("y", lambda: calls.append(1) or len(calls)) == 1
    assert frame.once("y", lambda: calls.append(1) or len(calls)) == 2


def test_a_chart_page_reads_the_assumption_set_once_for_its_exports(open_app, monkeypatch):
    """Complaints draws several charts, each with downloads labelled by the period, filters
    and assumption set: the set is read once a run for them, not once a chart."""
    at = open_app("pages/complaints.py")
    charts = len(at.get("plotly_chart"))
    assert charts >= 2
    calls = []
    real = ui.assumption_set
    monkeypatch.setattr(ui, "assumption_set", lambda: calls.append(1) or real())
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == charts and len(calls) == 1
