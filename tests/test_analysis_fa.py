"""The Complaints, Churn & retention, Cost to serve and Satisfaction pages in Persian: the
charts' legends, axis titles, bands and annotations, the unit-cost table and the movers table
read in Persian with Persian digits; the same figures in English are what they were."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n
from dashboard.analysis import churn, complaints, cost, satisfaction
from dashboard.exports import charts, exhibits
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.warehouse import db, weeks

#: Latin words of three letters or more that are not product or method names.
ALLOWED = {"NPS", "CSAT", "CES", "P10", "P90", "P50"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
LATIN_DIGIT = re.compile(r"[0-9]")
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


def english_words(text: str) -> list[str]:
    return [w for w in LATIN_WORD.findall(str(text)) if w not in ALLOWED]


@pytest.fixture(scope="module")
def world(demo_wh):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    return fetch, Filters(week=kpis.load_catalog(fetch).latest_complete)


def _names(fig) -> list[str]:
    return [t.name for t in fig.data if t.name]


def test_complaints_charts_read_in_persian(world):
    fetch, filters = world
    with i18n.use("fa"):
        report = complaints.build_report(fetch, filters)
        ex = exhibits.complaints_exhibits(report)
        backlog = ex["cmp_backlog"].fig
        bands = list(backlog.data[0].x)
        resolution = ex["cmp_resolution"].fig
        kept = ex["cmp_recovery_retention"].fig
        paid = ex["cmp_compensation"].fig
    assert bands == ["کمتر از ۲ روز", "۲ تا ۷ روز", "۷ تا ۳۰ روز", "۳۰ تا ۹۰ روز",
                     "بیش از ۹۰ روز"]
    assert _names(resolution) == ["میانه", "صدک ۹۰"]
    assert resolution.layout.yaxis.title.text == "ساعت"
    assert "ساعت، n = " in resolution.data[0].hovertemplate
    assert list(kept.data[0].y)[::-1] == ["رسیدگی‌شده در ۴۸ ساعت", _fa("Resolved later"),
                                          "هرگز (هنوز باز)", "بدون شکایت"]
    titles = [paid.layout.yaxis.title.text, paid.layout.yaxis2.title.text]
    assert titles[0].startswith("پرداخت‌شده (") and titles[1].startswith("به ازای هر شکایت (")
    for text in (*bands, *_names(resolution), *kept.data[0].y, *titles):
        assert not english_words(text), text
    # English keeps its keys and its words
    report = complaints.build_report(fetch, filters)
    ex = exhibits.complaints_exhibits(report)
    assert list(ex["cmp_backlog"].fig.data[0].x) == [b[2] for b in complaints.AGE_BANDS] == [
        "under 2 days", "2–7 days", "7–30 days", "30–90 days", "over 90 days"]
    assert _names(ex["cmp_resolution"].fig) == ["Median", "90th percentile"]
    assert ex["cmp_resolution"].fig.layout.yaxis.title.text == "hours"
    paid = charts.compensation_chart(report.volume, "paid", "$")
    assert [paid.layout.yaxis.title.text, paid.layout.yaxis2.title.text] == [
        "paid ($)", "per complaint ($)"]


def _fa(msgid: str) -> str:
    with i18n.use("fa"):
        return i18n._(msgid)


def test_survival_legends_name_their_groups_and_counts_in_persian(world):
    fetch, filters = world
    with i18n.use("fa"):
        report = churn.build_report(fetch, filters)
        ex = exhibits.churn_exhibits(report)
        legends = _names(ex["churn_km_nps"].fig) + _names(ex["churn_km_complaint"].fig)
        lost = ex["churn_revenue_lost"].fig.layout.yaxis.title.text
    shown = [g for g in (*report.survival_nps, *report.survival_complaint) if g.shown]
    assert len(legends) == len(shown) >= 4
    for name, g in zip(legends, shown, strict=True):
        assert name.startswith(_fa(g.label) + " (n = ")
        assert not LATIN_DIGIT.search(name.replace("n = ", "")) and PERSIAN_DIGIT.search(name)
        assert not english_words(name), name
    first = f"{_fa('Promoters (9–10)')} (n = \u2066{_localized(shown[0].n)}\u2069\u200f)"
    assert legends[0] == first
    assert lost.startswith("درآمد سه ماه پیشین (") and not english_words(lost)
    report = churn.build_report(fetch, filters)
    names = _names(churn_ex := exhibits.churn_exhibits(report)["churn_km_nps"].fig)
    g = next(g for g in report.survival_nps if g.shown)
    assert names[0] == f"{g.label} (n = {g.n:,})"
    assert churn_ex.layout.xaxis.title.text == "weeks since the window start"


def _localized(n: int) -> str:
    from dashboard.i18n import numbers

    return numbers.localize(f"{n:,}", "fa")


def test_cost_unit_costs_and_launch_read_in_persian(world):
    fetch, filters = world
    with i18n.use("fa"):
        report = cost.build_report(fetch, filters)
        table = report.unit_costs
        descriptions = list(table[_fa("Description")])
        valid = [*table[_fa("Valid from")], *report.channel_table[_fa("Unit cost valid from")]]
        note = report.titles["unit_costs"]
        launch = report.launch
        fig = charts.channel_mix_chart(report.mix, "mix", launch.week if launch else None)
        notes = [a.text for a in fig.layout.annotations]
    assert "هزینهٔ تمام‌شدهٔ یک تماس تلفنی با کارشناس" in descriptions
    for text in descriptions:
        assert not english_words(text), text
    for text in (*valid, note):
        assert PERSIAN_DIGIT.search(text) and not LATIN_DIGIT.search(text), text
    if launch is not None:
        with i18n.use("fa"):
            jalali = weeks.week_display(launch.week)
        assert notes == [f"راه‌اندازی خودخدمت (شناسایی‌شده) {jalali}"]
    # a company's own description is shown as written
    assert cost.description("Our own phone cost") == "Our own phone cost"
    english = cost.build_report(fetch, filters).unit_costs
    assert "Fully loaded cost of one assisted phone contact" in list(english["Description"])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in english["Valid from"])
    channels = cost.build_report(fetch, filters).channel_table["Unit cost valid from"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in channels)
    if launch is not None:
        fig = charts.channel_mix_chart(report.mix, "mix", launch.week)
        assert [a.text for a in fig.layout.annotations] == [
            f"self-service launch (detected) {launch.week}"]


def test_satisfaction_movers_cells_read_in_persian(world):
    fetch, filters = world
    view = satisfaction.View()
    with i18n.use("fa"):
        report = satisfaction.build_report(fetch, filters, view)
        names = report.movers_columns()
        shown = report.movers[list(names)].rename(columns=names)
    assert len(shown) > 0
    flags = set(shown[_fa("Significant")])
    assert flags <= {"بله", "خیر"} and flags
    for col in list(names.values())[1:3]:  # the two weeks' bases
        for cell in shown[col]:
            assert isinstance(cell, str) and not LATIN_DIGIT.search(cell), cell
    for heading in names.values():
        assert not LATIN_DIGIT.search(heading), heading
    english = satisfaction.build_report(fetch, filters, view)
    names = english.movers_columns()
    table = english.movers[list(names)].rename(columns=names)
    assert set(table["Significant"]) <= {"yes", "no"}
    assert table["Significant"].eq("yes").tolist() == english.movers["significant"].tolist()
    assert table[f"n {filters.week}"].tolist() == english.movers["n_week"].tolist()
    assert names["value_week"] == filters.week


def test_satisfaction_month_labels_read_in_the_language_and_calendar_of_the_warehouse():
    """The monthly view's periods: Jalali months in a Jalali warehouse, Persian names and
    digits in Persian, a cut month saying the day it runs to; English unchanged."""
    from datetime import date

    from dashboard import i18n
    from dashboard.analysis import satisfaction
    from dashboard.warehouse import weeks

    aban, through = date(2026, 10, 23), date(2026, 11, 7)  # 1 Aban 1405; 16 Aban 1405
    with weeks.using("saturday", "jalali"):
        assert satisfaction.month_label(aban) == "Aban 1405"
        assert satisfaction.month_label(aban, through) == "Aban 1405 (to 16 Aban)"
        with i18n.use("fa"):
            assert satisfaction.month_label(aban) == "آبان ۱۴۰۵"
            assert satisfaction.month_label(aban, through) == "آبان ۱۴۰۵ (تا ۱۶ آبان)"
    with weeks.using("iso", "gregorian"):
        assert satisfaction.month_label(date(2026, 10, 1), date(2026, 10, 18)) == (
            "Oct 2026 (to 18 Oct)")
        with i18n.use("fa"):
            assert satisfaction.month_label(date(2026, 10, 1), date(2026, 10, 18)) == (
                "اکتبر ۲۰۲۶ (تا ۱۸ اکتبر)")
