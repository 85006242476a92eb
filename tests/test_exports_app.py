"""AppTest: every chart of every page offers PNG/SVG/CSV, every data table CSV/XLSX, with file
names from the chart, the week and the filters; the Board pack page builds the executive pack
with the takeaways the pages compute. (Files themselves: test_export.py, test_pack.py and the
browser suite.)"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports import exhibits
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import db
from tests.conftest import every_section

PAGES = {
    "pages/weekly_kpis.py": "Weekly KPIs", "pages/satisfaction.py": "Satisfaction",
    "pages/complaints.py": "Complaints", "pages/cost_to_serve.py": "Cost to serve",
    "pages/churn.py": "Churn & retention", "pages/segments.py": "Segment comparison",
    "pages/money.py": "CX in money", "pages/simulator.py": "Impact simulator",
}


@pytest.fixture(scope="module")
def expected(demo_db):
    """Every page's exhibits computed directly from the package for the default selection."""
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    week = kpis.load_catalog(fetch).latest_complete
    aset = assumptions.load_set(db.AppStore(None), fetch("assumption_rows"), "published")
    return week, exhibits.Catalogue(fetch, Filters(week=week), aset)


def _downloads(at: AppTest) -> dict[str, str]:
    """Download button key suffix (…_PNG) → file name it offers."""
    out = {}
    for b in at.get("download_button"):
        m = re.search(r"dl_(.+)$", b.proto.id)
        name = b.proto.help.removeprefix("Download ")
        out[m.group(1) if m else b.proto.label] = name
    return out


@pytest.mark.parametrize("page", list(PAGES))
def test_every_chart_and_table_has_its_downloads(open_app, expected, page):
    week, cat = expected
    at = open_app(page)
    dl, drawn, tables = {}, set(), set()
    for _ in every_section(at):  # a page's lazy sections: each opened in turn
        dl |= _downloads(at)
        drawn |= {el.proto.id.rsplit("-", 1)[-1] for el in at.get("plotly_chart")}
        here = {k.rsplit("_", 1)[0] for k in _downloads(at) if k.endswith("_XLSX")}
        # every data table drawn: CSV and XLSX
        assert len(here) == len(at.dataframe), (here, len(at.dataframe))
        tables |= here
    charts = [e for e in cat.page(PAGES[page])
              if e.key not in ("sim_tornado", "sim_draws")]  # simulator: levers at zero
    assert charts
    slug = week.lower()
    for ex in charts:
        for fmt in ("PNG", "SVG", "CSV"):
            name = dl[f"{ex.key}_{fmt}"]
            assert name.endswith(f"_{slug}_all-customers.{fmt.lower()}"), name
            assert name.startswith(exhibits_slug(ex.title)[:20])
    # every chart the page draws has downloads (a chart without them would be missed here)
    assert drawn == {ex.key for ex in charts}
    for t in tables:
        assert dl[f"{t}_CSV"].endswith(".csv") and dl[f"{t}_XLSX"].endswith(".xlsx")


def exhibits_slug(title: str) -> str:
    from dashboard.exports.files import slug

    return slug(title)


def test_file_names_follow_the_filters(open_app):
    at = open_app()
    at.multiselect(key="f_region").set_value(["Central"])
    at.multiselect(key="f_segment").set_value(["Mass", "Business"])
    at.run()
    assert not at.exception
    name = _downloads(at)["trend_nps_CSV"]
    assert name.endswith("_segment-mass-business_region-central.csv"), name
    assert name.startswith("nps-13-weeks_")


def test_board_pack_page_builds_the_executive_pack(open_app, expected):
    week, cat = expected
    at = open_app("pages/board_pack.py")
    assert at.title[0].value == "Board pack"
    assert at.multiselect(key="pack_charts").value == list(exhibits.EXECUTIVE)
    assert not _downloads(at)  # nothing to download before a build
    at.button(key="pack_build").click()
    at.run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download PPTX", "Download PDF", "Download XLSX"]
    contents = at.dataframe[-1].value
    want = cat.select(exhibits.EXECUTIVE)
    assert list(contents["Takeaway (slide body)"]) == [e.takeaway for e in want]
    # slide titles: the charts' own, at most 12 words (the long ones by their short name)
    titles = list(contents["Slide title"])
    assert all(len([w for w in t.split() if re.search(r"\w", w)]) <= 12 for t in titles)
    assert titles == [e.title if len([w for w in e.title.split() if re.search(r"\w", w)]) <= 12
                      else exhibits.LABELS[e.key] for e in want]
    assert list(contents["Page"]) == [e.page for e in want]
    summary = [c.value for c in at.caption if "charts," in c.value]
    assert summary and f"pack {week} (all customers): 10 charts" in summary[0]
    # changing the selection retires the built files until the next build
    at.multiselect(key="pack_charts").set_value(["trend_nps"])
    at.run()
    assert not _downloads(at)
    assert any("selection changed" in c.value for c in at.caption)


def test_board_pack_page_refuses_an_empty_selection(open_app):
    at = open_app("pages/board_pack.py")
    at.multiselect(key="pack_charts").set_value([])
    at.run()
    assert [w.value for w in at.warning] == ["Pick at least one page or chart and one format."]
    assert not [b for b in at.button if b.key == "pack_build"]
