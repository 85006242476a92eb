"""CX in money and the Impact simulator in Persian, read from the Persian demo world: the tables
the pages show (their headers and cells), the "how computed" rows of every money figure, the
programme's method note, the simulator's notes, inputs and tables, and the external context
table hold no English word and no Latin digit. Left as they are: product names (NPS, CLV) and
the bands' names (P10–P90), the assumption set's id, the formulas' letters (m, r, d, g, R_k …),
code identifiers and the external context's citations (``inputs.CITATIONS``), which are
quoted as published; the English of the same tables reads as it always did."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions, sim_texts, value, whatif
from dashboard.money import inputs as money
from dashboard.money import simulate as sim
from dashboard.warehouse import db

#: Latin words allowed in Persian text: product names and the bands' names.
ALLOWED = {"NPS", "CLV", "P10", "P50", "P90"}
#: Data shown as given: the assumption set's id.
DATA = re.compile(r"published v[0-9۰-۹]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_^'-]*")
DRAWS = 2_000


def english_left(text: str) -> list[str]:
    """The Latin words of ``text`` that are neither product names, data, formula letters
    (one letter, or with ``_``/``^``: ``R_k``, ``r^t``) nor code identifiers."""
    words = LATIN_WORD.findall(DATA.sub(" ", text))
    return [w for w in words if w not in ALLOWED and len(w) > 1 and not set(w) & {"_", "^"}]


def latin_digits(text: str) -> list[str]:
    """Latin digits outside the bands' names and the set's id."""
    return re.findall(r"[0-9]+", re.sub(r"P(10|50|90)", " ", DATA.sub(" ", text)))


def assert_persian(name: str, text: str) -> None:
    assert not english_left(text), (name, english_left(text), text)
    assert not latin_digits(text), (name, latin_digits(text), text)


def frame_texts(frame) -> list[str]:
    return [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]


@pytest.fixture(scope="module")
def world_fa(demo_wh_fa, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh_fa, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store_fa')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    filters = Filters(week=kpis.load_catalog(fetch).latest_complete)
    return fetch, aset, filters


@pytest.fixture(scope="module")
def report_fa(world_fa):
    fetch, aset, filters = world_fa
    with i18n.use("fa"):
        return value.build_report(fetch, filters, aset, draws=DRAWS)


def test_the_money_tables_read_in_persian(report_fa):
    r = report_fa
    assert r.programme is not None and len(r.did_table)
    tables = {"clv": r.clv_table, "categories": r.category_table, "rar": r.rar_table,
              "did": r.did_table}
    for name, frame in tables.items():
        assert len(frame), name
        for text in frame_texts(frame):
            assert_persian(name, text)
    assert list(r.clv_table.columns[:3]) == ["بخش", "مشتریان فعال کنونی",
                                             "درآمد به ازای هر مشتری-سال"]
    assert "ریزش ۱۲ ماهه (بازهٔ اطمینان ۹۵٪)" in r.category_table.columns
    assert set(r.category_table["دستهٔ NPS (آخرین پاسخ)"]) >= {
        "مروجان (۹ تا ۱۰)", "بی‌طرف‌ها (۷ تا ۸)", "منتقدان (۰ تا ۶)"}
    assert "همهٔ بخش‌ها" in set(r.clv_table["بخش"])
    # counts in Persian digits with the Persian thousands separator
    assert all(re.fullmatch(r"\u2066[۰-۹٬]+\u2069", v)
               for v in r.clv_table["مشتریان فعال کنونی"])
    did = r.did_table.set_index("پیامد")
    assert "هزینهٔ خدمت‌رسانی، نسبی (مبنای محاسبهٔ پولی)" in did.index
    nps = did.loc["NPS", "تفاضلِ تفاضل‌ها"]
    assert nps.endswith(" امتیاز") and "٪" not in nps, nps
    assert f"{r.programme.segment}، پیش از" in r.did_table.columns
    assert " تا " in did.loc["NPS", "بازهٔ اطمینان ۹۵٪"]


def test_every_how_computed_row_reads_in_persian(report_fa, world_fa):
    r = report_fa
    figs = [*r.figures.values(), *r.clv_figures.values()]
    assert len(figs) >= 8
    for fig in figs:
        with i18n.use("fa"):
            rows = fig.how_computed()
        for label, text in rows.items():
            assert_persian(f"{fig.key}: {label}", f"{label} {text}")
    with i18n.use("fa"):
        clv = r.clv_figures[money.ALL].how_computed()
    assert clv["نمونه‌گیری‌ها"].startswith("\u2066۲٬۰۰۰\u2069: ریزش ~ بتا(۱ + ریزش‌کرده‌ها")
    assert clv["حاشیهٔ سود m"].endswith(" در سال")
    assert "CLV = m × Σ_(t=۱..۳) r^t / (۱ + d)^t" in clv["فرمول"]
    assert clv["فرمول"].endswith("؛ m = درآمد × g − هزینهٔ خدمت‌رسانی؛ r = ۱ − ریزش ۱۲ ماهه")
    for key in ("window", "clv", "categories", "rar", "programme"):
        assert_persian(key, r.notes[key])
    assert r.notes["programme"].startswith(f"تفاضلِ تفاضل‌ها: {r.programme.segment} (برنامه از ")


def test_the_same_tables_read_in_english_as_before(world_fa, demo_wh, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store_en')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    r = value.build_report(fetch, Filters(week=kpis.load_catalog(fetch).latest_complete), aset,
                           draws=DRAWS)
    assert list(r.clv_table.columns[:3]) == ["Segment", "Active customers now",
                                             "Revenue per customer-year"]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", r.clv_table["Active customers now"].iloc[0])
    assert list(r.did_table["Outcome"]) == ["NPS", "First-contact resolution",
                                            "Cost to serve per customer-week",
                                            "Cost to serve, proportional (used for money)"]
    assert r.did_table["Difference-in-differences"].iloc[0].endswith(" points")
    assert " to " in r.did_table["95% CI"].iloc[0]
    rows = r.clv_figures[money.ALL].how_computed()
    assert rows["Draws"] == ("2,000: churn ~ Beta(1 + churned, 1 + stayed), revenue and cost "
                             "~ normal(estimate, SE)")
    assert rows["Formula"] == ("CLV = m × Σ_(t=1..3) r^t / (1 + d)^t; m = revenue × g − cost "
                               "to serve; r = 1 − 12-month churn")
    assert rows["Margin m"].endswith(" a year")
    assert r.notes["programme"].startswith("Difference-in-differences: Business (programme "
                                           "from ")


def test_the_external_context_reads_in_persian():
    en = money.external_context_table()
    with i18n.use("fa"):
        fa = money.external_context_table()
    assert list(fa.columns) == ["منبع", "سال", "عبارت (ترجمه از متن اصلی انگلیسی)",
                                "چگونه بخوانیم", "پیوند"]
    assert list(fa["سال"]) == ["\u2066۱۹۹۰\u2069", "\u2066۲۰۰۱\u2069", "\u2066۲۰۱۶\u2069",
                              "بی‌تاریخ", "بی‌تاریخ", "\u2066۲۰۱۴\u2069"]
    assert fa.iloc[0, 2] == f"\"{money.EXTERNAL_CONTEXT[0].translations['fa']}\""
    # the citations are quoted as published; everything else is Persian
    for text in [*fa.columns, *fa.iloc[:, :4].to_numpy().ravel()]:
        for citation in sorted(money.CITATIONS, key=len, reverse=True):
            text = text.replace(citation, " ")
        assert_persian("external", text)
    assert all(any(c in s for c in money.CITATIONS) for s in fa["منبع"])
    # English: the exact wording, as before
    assert list(en.columns) == ["Source", "Year", "Exact wording", "How to read it", "Link"]
    assert list(en["Source"]) == [c.source for c in money.EXTERNAL_CONTEXT]
    assert en["Source"].iloc[3] == "Source article of this dashboard (attributed to McKinsey)"
    assert en["Source"].iloc[5] == "Harvard Business Review (Gallo), widely repeated"
    assert list(en["Year"]) == ["1990", "2001", "2016", "undated", "undated", "2014"]


def test_the_simulator_reads_in_persian(world_fa):
    fetch, aset, filters = world_fa
    inputs = money.fetch_inputs(fetch, filters, aset)
    est = money.category_estimates(inputs)
    segments = sorted(s for s in est["segment"].unique() if s != money.ALL)
    levers = whatif.Levers(nps={segments[0]: 5, segments[1]: -50}, complaint_change_pct=-20,
                           fcr_change_pp=95, self_service_shift_pp=10, programme_cost=1e9)
    with i18n.use("fa"):
        result = sim.simulate(est, inputs, levers, draws=DRAWS)
        texts = {"components": frame_texts(sim_texts.components_table(result)),
                 "compare": frame_texts(sim_texts.compare_scenarios(
                     est, inputs, {"الف": levers}, draws=DRAWS)),
                 "notes": list(result.notes),
                 "tornado": [*result.tornado["input"], sim_texts.tornado_takeaway(result)],
                 "how": [f"{k} {v}" for f in result.figures
                         for k, v in f.how_computed().items()],
                 "method": [sim_texts.method_note(result)]}
    assert any("محدود شد" in n for n in texts["notes"]), texts["notes"]  # capped levers
    assert "اهرم" in texts["components"] and "سناریو" in texts["compare"]
    for name, items in texts.items():
        for text in items:
            for seg in segments:
                text = text.replace(seg, " ")
            assert_persian(name, text)
