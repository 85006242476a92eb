"""The Weekly KPIs page's first screen in a real browser: at 1440 × 900 and 1280 × 800 the
headline, every KPI tile of the registry and the money line lie within the viewport without
scrolling, and no tile label is cut off; the first screens are saved under artifacts/."""

from __future__ import annotations

import pytest

from dashboard.bench import screenshots
from dashboard.metrics.registry import REGISTRY
from tests import browser_util as bu
from tests.conftest import ROOT

ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with bu.served_app({"CX_WAREHOUSE_URL": f"duckdb:///{demo_db}"}, log) as url:
        yield url


@pytest.mark.parametrize("viewport", [(1440, 900), (1280, 800)], ids=["1440x900", "1280x800"])
@pytest.mark.parametrize("view", screenshots.VIEWS, ids=[v[0] for v in screenshots.VIEWS])
def test_first_screen_holds_headline_tiles_and_money(server, viewport, view):
    stem, week, region, compare = view
    with bu.browser_page() as pg:
        pg.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        pg.goto(server)
        screenshots.wait_drawn(pg)
        screenshots.choose(pg, week, region, compare)
        shot = screenshots.first_screen(pg)
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"first_screen_{stem}_{viewport[0]}x{viewport[1]}.png"))

        assert shot.height == viewport[1]
        # every KPI in the registry has its tile, and nothing else is a tile of the first screen
        assert sorted(t["label"] for t in shot.tiles) == sorted(m.label for m in
                                                                REGISTRY.values())
        assert shot.headline and shot.headline["text"]
        assert shot.money and shot.money["text"].startswith("The week's moves")
        assert "unit costs" in shot.money["text"] and "set published v0" in shot.money["text"]
        for name, box in [("headline", shot.headline), ("money line", shot.money),
                          *((t["label"], t) for t in shot.tiles)]:
            assert 0 <= box["top"] and box["bottom"] <= viewport[1], (name, box, viewport)
        assert shot.below_fold() == []
        assert shot.truncated() == [], shot.truncated()
        # the tiles carry units: the complaint rate is per 1,000 customers
        unit = pg.locator('[data-testid="stMetric"]').filter(has_text="Complaint rate").first
        assert "per 1,000" in unit.locator('[data-testid="stMetricValue"]').inner_text()
        if week:  # the planted incident: the headline leads with its money
            assert "Cost to serve rose from $0.80 to $1.98" in shot.headline["text"]
            assert "Cost to serve −$17.6k" in shot.money["text"]
        unexpected = [e for e in pg.errors if bu.KNOWN_CONSOLE_ERROR not in e]
        assert not unexpected, "\n".join(unexpected)
