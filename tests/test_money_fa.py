"""The money sentences in Persian: the Weekly KPIs headline ranked by money, its money line, the
money headline and the unit-cost notices of the demo, built while the language is Persian, hold
no English word left untranslated (NPS, CSAT and CES stay Latin, as do the P10–P90 band, ISO
week codes and the assumption set's id, which are data) and no Latin digit; the same figures in
English read as they always did."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard import i18n
from dashboard.analysis.cost_format import channel_label
from dashboard.exports import exhibits, summary
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters, parse_week, week_label
from dashboard.money import assumptions, impact, unit_costs
from dashboard.money import headline as money_headline
from dashboard.warehouse import db

#: Latin words allowed in Persian text: product names and the band's name.
ALLOWED = {"NPS", "CSAT", "CES", "P10", "P50", "P90"}
#: A week code (2026-W22) or the assumption set's id (published v0) are data, shown as given.
DATA = re.compile(r"\d{4}-W\d{2}|[۰-۹]{4}-W[۰-۹]{2}|published v[0-9۰-۹]+|booked")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'()-]*")


def english_left(text: str) -> list[str]:
    """The Latin words of ``text`` that are neither product names nor data."""
    return [w for w in LATIN_WORD.findall(DATA.sub(" ", text)) if w.strip("()") not in ALLOWED]


def latin_digits(text: str) -> list[str]:
    """Latin digits outside the data (week codes, the set's id, P10/P50/P90)."""
    rest = re.sub(r"P(10|50|90)", " ", DATA.sub(" ", text))
    return re.findall(r"[0-9]+", rest)


@pytest.fixture(scope="module")
def world(demo_wh, tmp_path_factory, truth):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    week = week_label(parse_week(truth["incident_start_week"]) + timedelta(weeks=2))
    incident = Filters(week=week, regions=(truth["incident_region"],), compare="4w")
    return fetch, aset, incident


def _texts(fetch, aset, filters: Filters) -> dict[str, str]:
    report = kpis.build_report(fetch, filters)
    moves = impact.build(fetch, report, aset)
    head = money_headline.build(fetch, filters, aset)
    return {"headline": moves.headline, "money_line": moves.money_line(head),
            # segment names are data, shown as they are
            "money_headline": re.sub("|".join(map(re.escape, head.nps_point)), "",
                                     head.sentence()),
            "formulas": " ".join(m["formula"] for m in moves.to_json() if m["formula"]),
            "inputs": " ".join(f"{k} {v}" for m in moves.to_json()
                               for k, v in m["inputs"].items())}


def test_the_incident_headline_and_money_line_read_in_persian(world):
    fetch, aset, incident = world
    with i18n.use("fa"):
        fa = _texts(fetch, aset, incident)
    en = _texts(fetch, aset, incident)
    # English is what it was
    assert en["headline"].startswith("Cost to serve rose from $0.80 to $1.98 a customer: about "
                                     "$17.6k a week more in contact costs; Complaints rose ×3.4")
    # Persian: the same moves, in the same order, in Persian words and digits
    assert fa["headline"].startswith("هزینهٔ خدمت‌رسانی به هر مشتری از ")
    assert "شکایت‌ها \u2066۳٫۴\u2069 برابر شد" in fa["headline"]
    assert "در حد نوسان: درآمد" in fa["headline"]
    assert "هزار دلار" in fa["headline"]
    for name, text in fa.items():
        assert text and re.search(r"[\u0600-\u06ff]", text), name
        assert not english_left(text), (name, english_left(text), text)
        assert not latin_digits(text), (name, latin_digits(text), text)
    assert "مجموعهٔ مفروضات published v0" in fa["money_headline"]


def test_a_week_without_significant_moves_reads_in_persian(world):
    fetch, aset, _ = world
    f = Filters(week="2026-W44")
    with i18n.use("fa"):
        text = impact.build(fetch, kpis.build_report(fetch, f), aset).headline
    # the weeks by their Jalali days: 2026-W44 is 26 October – 1 November 2026
    assert text.startswith("در هفتهٔ ۴ تا ۱۰ آبان ۱۴۰۵ نسبت به هفتهٔ ۲۷ مهر تا ۳ آبان ۱۴۰۵ ")
    assert "هیچ تغییری فراتر از نوسان نبود" in text
    # the comparison's own label belongs to the filters; the rest is Persian
    left = english_left(text.replace(i18n._(f.compare_label), " "))
    assert not left, (left, text)


def test_unit_cost_notices_read_in_persian(world):
    fetch, aset, incident = world
    rows = fetch("assumption_rows")
    same = unit_costs.compare(assumptions.build_set("what-if", rows, rows.head(0)), rows,
                              incident.week_start)
    change = pd.DataFrame({"change_id": [1], "assumption_key": ["cost_per_contact_phone"],
                           "effective_from": [date(2026, 1, 5)], "new_value": ["9.5"]})
    costs = unit_costs.compare(assumptions.build_set("what-if", rows, change), rows,
                               incident.week_start)
    assert costs.differs and not same.differs
    with i18n.use("fa"):
        texts = {"short": costs.short, "same": same.short, "detail": costs.detail,
                 "kpis": costs.notice_kpis(), "cost": costs.notice_cost()}
        channels = [channel_label(c.channel) for c in costs.costs]
    assert texts["same"] == "هزینه‌های واحد ثبت‌شده"
    assert texts["short"] == "هزینه‌های واحد مجموعه، نه ثبت‌شده‌ها"
    assert texts["detail"].startswith("هزینهٔ هر تماس در مجموعهٔ what-if ")
    assert "⁦۹٫۵۰⁩ دلار برای هر تماس" in texts["kpis"]
    for name, text in texts.items():
        for label in channels:  # channel names are the analysis room's words
            text = text.replace(label, " ")
        text = text.replace(costs.set_id, " ")
        assert not english_left(text), (name, english_left(text), text)
        assert not latin_digits(text), (name, text)
    # English is what it was
    assert costs.short == "unit costs of the set, not the booked ones"
    assert costs.notice_kpis().startswith("Unit costs differ. The money row prices contacts at "
                                          "assumption set what-if")


@pytest.fixture(scope="module")
def latest(demo_wh, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store2')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    filters = Filters(week=kpis.load_catalog(fetch).latest_complete)
    rows = fetch("value_segment_weekly", start_week=filters.week_start,
                 end_week=filters.week_start, **filters.customer_params())
    segments = sorted(str(s) for s in rows["segment"].unique())
    return fetch, aset, filters, segments


def _without_data(text: str, segments: list[str]) -> str:
    """``text`` with the data it quotes (segment names, the set's id, ISO week codes, the CLV
    formula's letters) taken out: what is left is the product's own words."""
    for seg in sorted(segments, key=len, reverse=True):
        text = text.replace(seg, " ")
    text = re.sub(r"CLV = [^،,]*", " ", text)
    text = re.sub(r"\b[mrdt](?= =|\^|\b)", " ", text)  # the CLV formula's letters
    return DATA.sub(" ", text)


def test_money_and_simulator_exhibits_read_in_persian(latest):
    fetch, aset, filters, segments = latest
    assert {"Mass", "Business", "Affluent"} <= set(segments)
    with i18n.use("fa"):
        cat = exhibits.Catalogue(fetch, filters, aset)
        shown = {e.key: e for e in cat.select(pages=("CX in money", "Impact simulator"))}
        labels = exhibits.not_loaded_lines([{"chart": "money_clv_chart",
                                             "message": "—"}])
    assert {"money_clv_chart", "money_did_nps", "sim_point_values"} <= set(shown)
    clv, point = shown["money_clv_chart"], shown["sim_point_values"]
    assert clv.title == "ارزش طول عمر هر مشتری به تفکیک بخش — افق \u2066۳\u2069 ساله، P10–P90"
    assert clv.takeaway.startswith("مشتریان Business بیشترین ارزش را دارند: هر کدام ")
    assert point.band == "P10–P90 از \u2066۵٬۰۰۰\u2069 نمونه‌گیری (مدل‌سازی‌شده)"
    assert labels == ["بارگذاری نشده، کنار گذاشته شد: ارزش طول عمر مشتری به تفکیک بخش (—)"]
    for key, ex in shown.items():
        with i18n.use("fa"):  # the period is read from the data when shown: in Persian here
            texts = {"title": ex.title, "takeaway": ex.takeaway, "band": ex.band or "",
                     "period": ex.span or ""}
        if key in ("money_clv_chart", "sim_point_values"):
            texts |= {f"note {i}": n for i, n in enumerate(ex.notes)}
        for name, text in texts.items():
            rest = _without_data(text, segments)
            assert not english_left(rest), (key, name, english_left(rest), text)
            assert not latin_digits(rest), (key, name, latin_digits(rest), text)
    # English is what it was
    en = {e.key: e for e in exhibits.Catalogue(fetch, filters, aset).select(
        pages=("CX in money",))}
    assert en["money_clv_chart"].title == ("Lifetime value per customer by segment — 3-year "
                                           "horizon, P10–P90")
    assert en["money_clv_chart"].takeaway.startswith("Business customers are worth most: $594")


def test_the_executive_summary_reads_in_persian(latest):
    fetch, aset, filters, segments = latest
    with i18n.use("fa"):
        s = summary.build(fetch, filters, aset)
        use = summary.assumptions_in_use(aset, filters)
        takeaway = use.takeaway  # a sentence in the language it is read in
    cells = [str(v) for frame in (s.kpis, s.money) for v in frame.to_numpy().ravel()]
    assert "در حد نوسان" in cells and "درآمد در معرض خطر" in cells
    for text in [*cells, takeaway]:
        rest = _without_data(text, segments)
        assert not english_left(rest), (english_left(rest), text)
        assert not latin_digits(rest), (latin_digits(rest), text)
    assert takeaway.startswith("همهٔ رقم‌های پولی این بسته از مجموعهٔ مفروضات published v0")
