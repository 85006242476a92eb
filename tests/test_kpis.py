"""The KPI report on the fixture world: hand-computed values, withholding, correction, headline."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.metrics import kpis
from dashboard.metrics import registry as metrics
from dashboard.metrics.filters import FilterError, Filters, parse_week, validate
from dashboard.warehouse import config


@pytest.fixture
def fetch(fixture_fetch):
    return fixture_fetch



def test_fixture_kpis_by_hand(fetch, tiny_bases):
    r = kpis.build_report(fetch, Filters(week="2026-W11"))
    v = {t.metric.name: t.current.value for t in r.tiles}
    assert v["nps"] == pytest.approx(0.0)  # (2 - 2) / 5
    assert v["csat"] == pytest.approx(50.0)  # 1 of 2 top-2-box
    assert v["ces"] == pytest.approx(13 / 3)
    assert v["complaint_rate"] == pytest.approx(400.0)  # 1000 x 2 / 5
    assert v["churn_rate_4w"] == pytest.approx(60.0)  # W08-W11: 3 churned / 5 active at W08
    assert v["cost_to_serve"] == pytest.approx(30.1 / 5)
    assert v["revenue"] == pytest.approx(80.0)
    prev = {t.metric.name: t.previous.value for t in r.tiles}
    assert prev["nps"] == pytest.approx(25.0)  # W10: (2 - 1) / 4
    assert prev["cost_to_serve"] == pytest.approx(20.9 / 5)
    assert r.tile("nps").delta == pytest.approx(-25.0)
    assert r.tile("csat").current.detail["mean"] == pytest.approx(3.0)
    assert r.tile("ces").current.detail["share_easy_pct"] == pytest.approx(200 / 3)
    assert r.tile("nps").target == 20.0 and r.tile("nps").target_met is False
    assert r.tile("cost_to_serve").target == 5.0 and r.tile("cost_to_serve").target_met is False
    assert r.currency_symbol == "$"


def test_fixture_filters_change_values(fetch, tiny_bases):
    r = kpis.build_report(fetch, Filters(week="2026-W10", segments=("Mass",)))
    assert r.tile("nps").current.value == pytest.approx(100 * (2 - 1) / 3)  # customers 1, 2, 8
    assert r.tile("complaint_rate").current.value == pytest.approx(1000 / 3)


def test_real_thresholds_withhold_small_bases(fetch):
    r = kpis.build_report(fetch, Filters(week="2026-W11"))
    assert all(t.current.status == "withheld" and t.current.value is None for t in r.tiles)
    assert not any(t.significant for t in r.tiles)
    assert "No KPI had a large enough base" in r.headline


def test_trend_has_13_weeks_ending_with_the_week(fetch, tiny_bases):
    r = kpis.build_report(fetch, Filters(week="2026-W12"))
    tr = r.trends["revenue"]
    assert len(tr) == config.TREND_WEEKS and tr["week"].iloc[-1] == "2026-W12"
    assert tr.set_index("week").loc["2026-W07", "value"] == pytest.approx(45.0)
    assert pd.isna(tr["value"].iloc[0])  # before the data starts: withheld, shown as a gap


def _tile(name, p_adj, delta, status="ok"):
    est = metrics.stats.Estimate(1.0, 500, 0.0, 2.0, status)
    return kpis.Tile(metrics.REGISTRY[name], est, est, delta, p_adj, p_adj, p_adj < 0.05, None)


def test_headline_names_the_largest_significant_movement():
    f = Filters(week="2026-W40")
    tiles = (_tile("nps", 0.03, -8.0), _tile("cost_to_serve", 0.001, -0.5), _tile("csat", 0.4, 1))
    text = kpis.headline(tiles, f, "$")
    assert text.startswith("Cost to serve fell")
    assert "an improvement" in text and "1 other KPI also moved" in text
    quiet = kpis.headline((_tile("nps", 0.2, 1.0),), f, "$")
    assert quiet.startswith("Nothing moved beyond noise in 2026-W40")


def test_filters_parse_and_validate():
    assert parse_week("2026-W01").isoformat() == "2025-12-29"
    f = Filters(week="2026-W11", compare="52w")
    assert f.compare_week == "2025-W11"
    with pytest.raises(FilterError, match="expected YYYY-Www"):
        parse_week("2026-11")
    with pytest.raises(FilterError, match="has no week 53"):
        parse_week("2025-W53")
    with pytest.raises(FilterError, match="unknown region 'Mars'"):
        validate(Filters(week="2026-W11", regions=("Mars",)), {"region": ("North",)},
                 ["2026-W11"])
    with pytest.raises(FilterError, match="bad comparison"):
        Filters(week="2026-W11", compare="yesterday")


def test_registry_is_complete_and_formats():
    assert [m.name for m in metrics.METRICS] == [
        "nps", "csat", "ces", "complaint_rate", "churn_rate_4w", "cost_to_serve", "revenue"]
    assert metrics.format_value(23.44, "score") == "+23.4"
    assert metrics.format_value(1234567, "money0k", "€") == "€1,235k"
    assert metrics.format_value(None, "pct1") == "—"
    assert metrics.format_delta(-0.456, metrics.REGISTRY["churn_rate_4w"]) == "−0.46 pp"
