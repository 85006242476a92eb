"""Choosing the language: CX_LOCALE sets the default, ``?lang=`` opens a session in it, the
sidebar's selector switches the session, the CLI takes ``--lang``; a right-to-left language
turns the page right to left; kept reports are kept per language."""

from __future__ import annotations

import re
import subprocess
import sys

from dashboard import i18n
from dashboard.ui import language, navigation
from tests.conftest import ROOT


def _language_box(at):
    return next(s for s in at.sidebar.selectbox if s.key == language.KEY)


def test_english_by_default_with_a_selector_of_both_languages(open_app):
    at = open_app("pages/weekly_kpis.py")
    box = _language_box(at)
    assert box.value == "en" and box.label == "Language"
    assert box.options == ["English", "فارسی"]  # each language in its own name
    assert at.title[0].value == "Weekly KPIs"
    assert not [h for h in at.get("html") if "direction: rtl" in h.proto.body]


def test_the_url_opens_persian_right_to_left(open_app):
    open_app()  # the environment (warehouse, store) of the fixture
    at = _fresh(open_app, "fa")
    box = _language_box(at)
    assert box.value == "fa" and box.label == "زبان"
    assert any("direction: rtl" in h.proto.body for h in at.get("html"))
    with i18n.use("fa"):
        assert i18n._("Weekly KPIs") == "شاخص‌های هفتگی"


def _fresh(open_app, lang: str):
    """A new session opened with ``?lang=<lang>``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params[language.KEY] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_unknown_language_in_the_url_is_said_and_the_default_used(open_app):
    open_app()  # the environment (warehouse, store) of the fixture
    at = _fresh(open_app, "xx")
    assert _language_box(at).value == "en"
    assert any("No language xx: showing English." in c.value for c in at.sidebar.caption)


def test_the_selector_switches_the_session_and_the_url(open_app):
    at = open_app("pages/weekly_kpis.py")
    _language_box(at).set_value("fa").run()
    assert not at.exception, at.exception
    assert at.query_params[language.KEY] == ["fa"] or at.query_params[language.KEY] == "fa"
    assert _language_box(at).label == "زبان"
    _language_box(at).set_value("en").run()
    assert _language_box(at).label == "Language"


def test_the_week_picked_holds_across_a_switch_and_reads_as_its_jalali_days(open_app):
    from dashboard.ui import common
    from dashboard.warehouse import weeks

    at = open_app("pages/weekly_kpis.py")
    box = next(s for s in at.sidebar.selectbox if s.key == common._KEYS["week"])
    picked = box.options[-5]
    assert re.fullmatch(r"\d{4}-W\d{2}", picked)  # English lists the keys as typed
    box.set_value(picked).run()
    _language_box(at).set_value("fa").run()
    assert not at.exception, at.exception
    box = next(s for s in at.sidebar.selectbox if s.key == common._KEYS["week"])
    assert box.value == picked  # the session keeps the week; only its name changes
    jalali = weeks.week_display(picked, "fa", "iso")  # the English demo counts ISO weeks
    assert jalali.startswith("هفتهٔ ") and not re.search(r"[0-9]", jalali)
    assert box.options[box.index] == jalali
    assert jalali in at.caption[0].value  # the scope line names the same week


def test_cx_locale_sets_the_default(open_app, monkeypatch):
    monkeypatch.setenv("CX_LOCALE", "fa")
    at = open_app()
    assert _language_box(at).value == "fa"


def test_kept_reports_are_kept_per_language(open_app):
    """The same filters in English, then in Persian: the Persian run is not served the
    English report (a report's texts are in its language)."""
    at = open_app("pages/weekly_kpis.py")
    english = [m.value for m in at.metric]
    _language_box(at).set_value("fa").run()
    persian = [m.value for m in at.metric]
    assert english and len(persian) == len(english)
    assert english != persian
    assert not any(ch in "0123456789" for v in persian for ch in v)


def test_the_cli_speaks_the_language_asked(demo_db):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    url = f"duckdb:///{demo_db}"
    en = run("kpis", "--url", url)
    fa = run("--lang", "fa", "kpis", "--url", url)
    after = run("kpis", "--url", url, "--lang", "fa")
    assert en.returncode == fa.returncode == after.returncode == 0, (en.stderr, fa.stderr)
    assert fa.stdout == after.stdout != en.stdout
    nps = next(line for line in fa.stdout.splitlines() if line.strip().startswith("NPS"))
    assert "۱" in nps or "۲" in nps or "۳" in nps  # Persian digits in the values
    bad = run("kpis", "--url", url, "--lang", "xx")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --lang: unknown language 'xx'; one of en, fa"


def test_persian_charts_name_weeks_by_their_jalali_days():
    """A week axis in Persian reads the Jalali day and month each labelled week starts
    (jdatetime as the oracle); the data keep their week keys; English is untouched."""
    from datetime import date

    import jdatetime
    import pandas as pd

    from dashboard.exports import charts, rtl

    weeks = [f"2026-W{w:02d}" for w in range(19, 45)]  # 26 weeks: thinned to every other
    df = pd.DataFrame({"week": weeks, "value": range(26), "ci_low": range(26),
                       "ci_high": range(26), "n": [100] * 26, "status": ["ok"] * 26})
    english = rtl.page_figure(charts.trend_chart(df, "t", "u"))
    assert english.layout.xaxis.ticktext is None
    with i18n.use("fa"):
        fig = rtl.page_figure(charts.trend_chart(df, "t", "u"))
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext, strict=True))
    assert "2026-W44" in ticks and len(ticks) == 13
    assert list(fig.data[-1].x) == weeks
    months = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
              "دی", "بهمن", "اسفند"]
    for week, text in ticks.items():
        y, w = int(week[:4]), int(week[-2:])
        j = jdatetime.date.fromgregorian(date=date.fromisocalendar(y, w, 1))
        digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        assert text == f"{j.day} {months[j.month - 1]}".translate(digits), week
    assert fig.layout.title.xanchor == "right"


#: Latin text a Persian page may show: the product names, ISO week labels and assumption set
#: ids (data: the set's name and version).
_LATIN_ALLOWED = re.compile(r"\b(?:NPS|CSAT|CES)\b|\b\d{4}-W\d{2}\b|\bpublished v\d+\b")


def _english_words(text: str) -> list[str]:
    """The Latin words of ``text`` once the allowed ones are taken out."""
    return re.findall(r"[A-Za-z]{2,}", _LATIN_ALLOWED.sub(" ", text))


def _persian(text: str) -> bool:
    return bool(re.search(r"[\u0600-\u06FF]", text))


def test_every_page_opens_in_persian_with_its_title_subheaders_and_sections_in_persian(open_app):
    """Each page of the navigation in a session opened with ``?lang=fa``: its title (h1) is
    the navigation's title in Persian, and every subheader, section tab, widget label and the
    sidebar's headers are Persian (no English word but the product names and the data's week
    and set labels)."""
    open_app()  # the environment (warehouse, store) of the fixture
    at = _fresh(open_app, "fa")
    wrong = []
    for page in navigation.PAGES:
        at.switch_page(page.file)
        at.run()
        assert not at.exception, (page.file, at.exception)
        with i18n.use("fa"):
            title = i18n._(page.title)
        assert title != page.title and _persian(title)
        assert [t.value for t in at.main.title] == [title], page.file
        heads = [h.value for h in at.main.subheader]
        tabs = [t.label for t in at.main.tabs]
        if page.file == "pages/weekly_kpis.py":
            tabs = []  # the trend tabs are the KPIs' labels (the metrics' own catalog)
        widgets = [w.label for kind in ("selectbox", "multiselect", "radio", "slider",
                                        "text_input", "button", "toggle", "checkbox",
                                        "number_input", "date_input", "text_area")
                   for w in at.get(kind)
                   if not str(w.key).startswith("sim_nps_")]  # a segment's name: data
        widgets += [h.value for h in at.sidebar.header]
        for text in heads + tabs + widgets:
            if not _persian(text) or _english_words(text):
                wrong.append((page.file, text))
        if page.file not in ("pages/board_pack.py", "pages/weekly_kpis.py"):
            assert heads or tabs, f"{page.file} shows no subheader or section"
    assert not wrong, wrong


def test_widget_labels_are_made_in_the_language_of_the_run():
    """The simulator's horizon labels (plural forms, numbers through the display helpers) and
    a KPI's target word: English as before; Persian words with Persian digits (each number in
    its left-to-right isolate), the labels fixed when made even if read outside the block."""
    from dashboard.ui import common, simulator

    label = simulator._horizon_label(3)
    assert [label(0), label(1), label(2)] == ["Assumption set (3 years)", "1 year", "2 years"]
    assert common.target_word(True) == "met" and common.target_word(None) == "—"
    with i18n.use("fa"):
        label = simulator._horizon_label(3)
        met, missed = common.target_word(True), common.target_word(False)
    assert label(0) == "مجموعهٔ فرض\u200cها (\u2066۳\u2069 سال)"
    assert label(10) == "\u2066۱۰\u2069 سال"
    assert (met, missed) == ("محقق شد", "محقق نشد")
    for text in (label(0), label(1), label(10)):
        assert not re.search(r"[A-Za-z0-9]", text), text
