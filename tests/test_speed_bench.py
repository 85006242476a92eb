"""The real-browser speed bench (``dashboard.bench.speed``, printed by ``make bench``) runs end
to end on the small demo warehouse: a served app that warms itself, every page of the
navigation opened by its URL in a fresh Chromium session and its sidebar filters changed, a
figure for each. No timing is asserted: figures are printed by the bench, never checked here."""

from __future__ import annotations

import math

import pytest

from dashboard.bench import speed
from dashboard.ui import warm
from tests import browser_util as bu


@pytest.mark.browser
def test_every_page_gets_its_figures(demo_db, tmp_path):
    pages, warmed = speed.measure(demo_db, tmp_path, changes=1)
    # the navigation's pages, each measured: one first visit, one returning visit, one filter
    # change (none on the admins' page, which has no filter bar), no error
    from dashboard.ui import navigation

    assert [p.title for p in pages] == [t for t, _, _ in bu.app_pages()]
    unfiltered = {pg.title for pg in navigation.PAGES if pg.url_path == "access-audit"}
    for p in pages:
        assert p.errors == [], (p.title, p.errors)
        if p.title in unfiltered:
            assert len(p.first_ms) == len(p.return_ms) == 1 and not p.change_ms, p.title
            continue
        assert len(p.first_ms) == len(p.return_ms) == 1 and len(p.change_ms) == 1, p.title
        assert all(math.isfinite(ms) and ms > 0
                   for ms in p.first_ms + p.return_ms + p.change_ms), p.title
        assert p.title in p.line()
        # the server's own share of the change, from the runs it printed (CX_RUN_TIMES=1)
        assert len(p.server_ms) == 1 and 0 < p.server_ms[0] < p.change_ms[0] + 60_000, p.title
        assert "on the server p50" in p.line()
    # the server said it had warmed itself before the first visit
    assert len(warmed) == 1 and warmed[0] > 0


def test_warm_up_fills_the_cache_with_what_a_new_session_asks(demo_db, monkeypatch):
    """One warm-up round computes every step; a page's default selection is then found in
    the cache (the same object comes back, nothing computed again)."""
    from dashboard.metrics.filters import Filters
    from dashboard.ui import access, results
    from dashboard.ui import common as ui
    from dashboard.warehouse import db

    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{demo_db}")
    db.clear_cache()
    done, failed = warm.warm_once()
    assert failed == [] and done == len(warm.steps())
    # outside a session and the warm-up the warehouse is read by nobody
    with pytest.raises(access.NoPerson):
        ui.catalog_value()
    # a new session's person reads the whole company, as the warm-up did (a local user here)
    token = access._PERSON.set(access.local_user())
    try:
        cat = ui.catalog_value()
        filters = Filters(week=cat.latest_complete)
        calls = []
        monkeypatch.setattr(results.churn, "build_report",
                            lambda *a, **k: calls.append(a) or pytest.fail("computed again"))
        report, ex = results.churn_page(filters, ui.data_coverage())
        assert calls == [] and "churn_monthly" in ex
        assert report is results.churn_page(filters, ui.data_coverage())[0]
    finally:
        access._PERSON.reset(token)


def test_kept_reports_and_figures_count_against_the_cache_budget():
    """A page's kept result is counted by the frames and arrays it holds (figures included),
    so the cache's memory bound (``CX_CACHE_MAX_MB``) holds for kept pages too."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    from dashboard.warehouse import db

    frame = pd.DataFrame({"n": np.arange(10_000, dtype="int64"), "label": ["x"] * 10_000})
    xs = np.arange(5_000, dtype="float64")
    fig = go.Figure(go.Scatter(x=xs, y=xs * 2))
    counted = db._nbytes(({"table": frame, "again": frame}, [fig], "a title"))
    # the int column (80,000 bytes), the text column (8 bytes a pointer + 64 a text, counted
    # once though held twice) and the figure's two arrays (40,000 bytes each)
    assert counted == 80_000 + 10_000 * (8 + 64) + 2 * 40_000
