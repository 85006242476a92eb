"""Shared fixtures: the hand-written fixture warehouse and the demo world (built once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.intake import ingest
from dashboard.warehouse import build, db

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
#: Scale of the demo warehouse the recovery, app and browser tests read (the product default).
DEMO_CUSTOMERS = int(os.environ.get("CX_TEST_DEMO_CUSTOMERS", "50000"))
DEMO_SEED = 7
#: The demo world of the tests ends with a fixed week (the product's default follows today's
#: date: ``dashboard.intake.demo.default_end_week``), so their expected figures never move.
DEMO_END_WEEK = "2026-W44"


@pytest.fixture(scope="session")
def fixture_raw():
    """The raw tables of the fixture world (tests/fixtures/*.csv)."""
    return ingest.read_csv_dir(FIXTURES)


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory, fixture_raw) -> Path:
    """The fixture warehouse file, built by the real staging and mart SQL."""
    path = tmp_path_factory.mktemp("fixture") / "warehouse.duckdb"
    build.build(fixture_raw, path)
    return path


@pytest.fixture(scope="session")
def fixture_wh(fixture_db) -> db.Warehouse:
    """A read-only warehouse over the fixture file."""
    return db.Warehouse(f"duckdb:///{fixture_db}")


@pytest.fixture(scope="session")
def demo_frames():
    """The demo world's frames at the default scale and seed."""
    from dashboard.intake import demo

    return demo.generate(customers=DEMO_CUSTOMERS, seed=DEMO_SEED, end_week=DEMO_END_WEEK)


def build_demo(frames: dict, path: Path) -> Path:
    """Build a demo world's frames into ``path`` exactly as `python -m dashboard demo` does
    (with the world's own calendar: ``demo.calendar(frames)``)."""
    from dashboard.intake import demo

    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = demo.assumptions(frames)
    build.build(raw, path, {k: frames[k] for k in build.TRUTH_TABLES},
                calendar=demo.calendar(frames))
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_frames) -> Path:
    """The demo warehouse file, built exactly as `python -m dashboard demo` builds it."""
    return build_demo(demo_frames, tmp_path_factory.mktemp("demo") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def demo_frames_fa():
    """The Persian demo world (`demo --locale fa`): the same seed and scale as ``demo_frames``."""
    from dashboard.intake import demo

    return demo.generate(customers=DEMO_CUSTOMERS, seed=DEMO_SEED, end_week=DEMO_END_WEEK,
                         locale="fa")


@pytest.fixture(scope="session")
def demo_wh_fa(tmp_path_factory, demo_frames_fa) -> db.Warehouse:
    """A read-only warehouse over the Persian demo world."""
    path = build_demo(demo_frames_fa, tmp_path_factory.mktemp("demo_fa") / "warehouse.duckdb")
    return db.Warehouse(f"duckdb:///{path}")


@pytest.fixture(scope="session")
def demo_wh(demo_db) -> db.Warehouse:
    """A read-only warehouse over the demo file."""
    return db.Warehouse(f"duckdb:///{demo_db}")


def truth_of(wh: db.Warehouse) -> dict[str, str]:
    """The planted parameters of a demo warehouse (truth schema: read by tests only)."""
    df = wh.sql("select key, value from truth.parameters")
    return dict(zip(df["key"], df["value"], strict=True))


@pytest.fixture(scope="session")
def truth(demo_wh) -> dict[str, str]:
    """The planted parameters (truth schema: read by tests only, never by pages)."""
    return truth_of(demo_wh)


@pytest.fixture(scope="session", params=["en", "fa"])
def each_demo_wh(request) -> db.Warehouse:
    """The English and then the Persian demo warehouse: a planted-truth test that asks for it
    recovers the same truth from both worlds (same seed, same stories, other names)."""
    return request.getfixturevalue("demo_wh" if request.param == "en" else "demo_wh_fa")


def pytest_sessionfinish(session, exitstatus):
    """Record the suite's counts and time for `make bench` (artifacts/last-suite.json), per
    part of the suite (`make test` runs the tests without a browser on every core, then the
    browser tests one at a time: ``-m``'s expression names the part)."""
    import json
    import time

    rep = session.config.pluginmanager.get_plugin("terminalreporter")
    if (rep is None or not hasattr(session.config, "_cx_started")
            or hasattr(session.config, "workerinput")):  # a parallel worker: its controller records
        return
    counts = {k: len(rep.stats.get(k, [])) for k in ("passed", "failed", "skipped", "error")}
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    path = out / "last-suite.json"
    part = session.config.getoption("markexpr") or "all"
    try:
        parts = json.loads(path.read_text()).get("parts", {}) if part != "all" else {}
    except (OSError, ValueError, AttributeError):
        parts = {}
    parts[part] = {**counts, "seconds": time.time() - session.config._cx_started,
                   "exit": int(exitstatus)}
    path.write_text(json.dumps({"parts": parts}))


def pytest_configure(config):
    import tempfile
    import time

    config._cx_started = time.time()
    # the app-owned store of the tests is a fresh file, never the one under data/
    os.environ["CX_APP_STORE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='cx-store-')}/store.sqlite"


def run_kpis(url: str, *args: str):
    """Run `python -m dashboard kpis --url URL ARGS…` and return the completed process."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "dashboard", "kpis", "--url", url, *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def kpis_json(url: str, *args: str) -> dict:
    """The CLI's JSON document for these arguments (fails the test on a non-zero exit)."""
    import json

    res = run_kpis(url, "--json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="session")
def fixture_fetch(fixture_wh):
    """The named-query runner over the fixture warehouse (as the app binds it)."""
    return lambda name, **p: db.cached_run(fixture_wh, name, **p)


@pytest.fixture(scope="session")
def demo_fetch(demo_wh):
    """The named-query runner over the demo warehouse."""
    return lambda name, **p: db.cached_run(demo_wh, name, **p)


@pytest.fixture
def tiny_bases(monkeypatch):
    """Let the 5-customer fixture show values: bases of 1 are shown and none is called low
    (the real thresholds are tested on their own)."""
    from dashboard.warehouse import config

    monkeypatch.setattr(config, "MIN_BASE", 1)
    monkeypatch.setattr(config, "LOW_BASE", 1)


@pytest.fixture
def open_app(demo_db, monkeypatch, tmp_path):
    """``open_app(page=None)``: the app under AppTest over the demo warehouse (and a store of
    the test's own), run once, switched to ``page`` when given; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{demo_db}")
    monkeypatch.setenv("CX_APP_STORE_URL", f"sqlite:///{tmp_path}/store.sqlite")

    def open_(page: str | None = None, timeout: int = 120) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return open_


def open_depth(at):
    """Weekly KPIs' "how computed" expander opened (a lazy expander: drawn only while open,
    ``dashboard.ui.weekly.how_computed``) and the page run again; returns ``at``."""
    from dashboard.ui import weekly

    at.session_state[weekly.DEPTH_KEY] = True
    at.run()
    assert not at.exception, at.exception
    return at


#: The session-state key of a page's lazy sections (``ui.sections``) ends so.
SECTION_KEY = "_tab"


def every_section(at):
    """Each state of ``at``'s page with one of its lazy sections open (``ui.sections``: only
    the open tab is drawn), the page run again each time; yields the label opened (None for a
    page without sections). Ends with the first section open again. A lazy "how computed"
    expander (``open_depth``) is opened first: its content counts as the page's."""
    from dashboard.ui import weekly

    if weekly.DEPTH_KEY in at.session_state and not at.session_state[weekly.DEPTH_KEY]:
        open_depth(at)
    keys = [k for k in at.session_state.keys() if str(k).endswith(SECTION_KEY)]
    if not keys:
        yield None
        return
    assert len(keys) == 1, keys  # one set of sections a page
    labels = [t.label for t in at.tabs]
    for label in labels:
        at.session_state[keys[0]] = label
        at.run()
        assert not at.exception, at.exception
        yield label
    at.session_state[keys[0]] = labels[0]
    at.run()


class Seen:
    """What ``at``'s page showed over all its lazy sections (each opened in turn with
    ``every_section``), read as an AppTest is read: ``get(kind)`` and the usual element lists,
    in the order drawn (what every section draws, e.g. tiles, comes once per section)."""

    KINDS = ("caption", "markdown", "dataframe", "plotly_chart", "metric", "title", "info",
             "warning", "error", "subheader", "table", "expander", "download_button")

    def __init__(self, at) -> None:
        self.sections: list[str | None] = []
        self._parts: dict[str, list] = {k: [] for k in self.KINDS}
        for label in every_section(at):
            self.sections.append(label)
            for kind in self.KINDS:
                self._parts[kind] += list(at.get(kind))

    def get(self, kind: str) -> list:
        return self._parts[kind]

    def __getattr__(self, kind: str) -> list:
        if kind in Seen.KINDS:
            return self._parts[kind]
        raise AttributeError(kind)


#: Every page file, by the name ``switch_page`` takes (``pages/<name>.py``).
PAGES = ("weekly_kpis", "satisfaction", "complaints", "cost_to_serve", "churn", "segments",
         "money", "simulator", "board_pack", "assumptions", "data")


def run_every_page(url: str, store_dir: Path, pages=PAGES, visit=None) -> dict:
    """Each page of the app over the warehouse at ``url`` (and a store in ``store_dir``), run
    once under AppTest; ``visit(page, at)``, when given, is called on each while the
    environment holds (e.g. to open its sections); the environment is restored afterwards."""
    from streamlit.testing.v1 import AppTest

    old = {k: os.environ.get(k) for k in ("CX_WAREHOUSE_URL", "CX_APP_STORE_URL")}
    out = {}
    try:
        os.environ["CX_WAREHOUSE_URL"] = url
        os.environ["CX_APP_STORE_URL"] = f"sqlite:///{store_dir}/store.sqlite"
        for page in pages:
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
            at.run()
            at.switch_page(f"pages/{page}.py")
            at.run()
            if visit is not None:
                visit(page, at)
            out[page] = at
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out
