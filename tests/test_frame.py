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


TIMED = '''
import time
import streamlit as st
from dashboard.ui import frame

frame.start()
time.sleep(0.05)
frame.end()
'''


def test_a_run_prints_its_duration_only_when_asked(monkeypatch, capfd):
    """With CX_RUN_TIMES=1 each run prints ``cx script run <ms> ms`` (what the speed bench
    reads from the server's output); without it nothing."""
    from dashboard.bench import speed
    from dashboard.ui import frame

    monkeypatch.delenv(frame.RUN_TIMES_ENV, raising=False)
    AppTest.from_string(TIMED).run()
    assert "cx script run" not in capfd.readouterr().err
    monkeypatch.setenv(frame.RUN_TIMES_ENV, "1")
    AppTest.from_string(TIMED).run()
    printed = speed.RUN_LINE.findall(capfd.readouterr().err)
    assert len(printed) == 1 and 50 <= int(printed[0]) < 5_000


def test_the_bench_sums_the_runs_printed_after_a_step_began(tmp_path):
    from dashboard.bench import speed

    log = tmp_path / "server.log"
    log.write_text("cx script run 900 ms\n")
    offset = log.stat().st_size
    with log.open("a") as fh:
        fh.write("other output\ncx script run 120 ms\ncx script run 35 ms\n")
    assert speed.server_runs(log, offset) == 155.0
    assert speed.server_runs(log, 0) == 1055.0
