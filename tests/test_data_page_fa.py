"""The Data page in Persian: its tables' headers and values (Persian digits, Jalali days with
the time, tables by name and identifier) on screen while the downloads keep their contract,
its takeaways with identifiers and command lines as code, Streamlit's uploader and date input
in Persian words, and sentences elsewhere that wrote Latin digits (dates and weeks inside
values)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.intake import ingest
from dashboard.intake import status as data_status
from dashboard.metrics import display
from dashboard.ui import common as ui
from dashboard.ui import language
from dashboard.warehouse import catalog, db
from tests.conftest import FIXTURES, ROOT

TABLES = ("customers", "survey_responses", "complaints", "contacts", "transactions")
LATIN = re.compile(r"[0-9]")
#: A code span (identifier or command line), taken out before looking for Latin digits.
CODE = re.compile(r"`[^`]*`")
BAD_CONTACTS = ("contact_id,customer_id,occurred_at,channel,reason,handle_seconds,is_resolved,"
                "agent_id\n"
                "621,999,2026-03-16 11:00:00,phone,billing,300,true,11\n"
                "622,2,2026-03-10 09:00:00,fax,billing,60,false,\n")


@pytest.fixture(scope="module")
def fetch(tmp_path_factory):
    """The fixture CSVs loaded into nothing, then a contacts file whose two rows are
    quarantined; the named-query runner over it."""
    base = tmp_path_factory.mktemp("data_page_fa")
    target, archive = base / "wh.duckdb", base / "archive"
    first = ingest.ingest([FIXTURES / f"{t}.csv" for t in TABLES], target=target,
                          archive_dir=archive)
    assert first.published, first.lines()
    bad = base / "contacts_bad.csv"
    bad.write_text(BAD_CONTACTS, encoding="utf-8")
    ingest.ingest([bad], target=target, archive_dir=archive)
    wh = db.Warehouse(f"duckdb:///{target}")
    run = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    run.target = target
    yield run
    wh.close()


def latin_outside_code(text: str) -> list[str]:
    return LATIN.findall(CODE.sub(" ", text))


def test_freshness_table_on_screen_in_persian_download_unchanged(fetch):
    t = data_status.freshness(fetch, now=datetime(2026, 3, 27, tzinfo=UTC))
    before = t.copy()
    with i18n.use("en"):
        assert data_status.on_screen(t) is t  # English: the table as it is
    with i18n.use("fa"):
        shown = data_status.on_screen(t)
    pd.testing.assert_frame_equal(t, before)  # the download's frame is untouched
    assert list(shown.columns) == [
        "جدول", "ردیف‌ها", "ستون رویداد", "نخستین رویداد", "آخرین رویداد",
        "عمر آخرین رویداد (روز)", "آخرین بارگذاری (UTC)", "آخرین پرونده", "بارگذاری‌ها",
        "ردیف‌های تاریخچه", "ردیف‌های قرنطینه‌شده"]
    row = shown.set_index("جدول").loc["شکایت‌ها (complaints)"]
    # complaints' last event 12 March 2026 11:00 is 21 Esfand 1404; 14 whole days old
    assert row["آخرین رویداد"] == "۲۱ اسفند ۱۴۰۴، ساعت ۱۱:۰۰"
    assert row["عمر آخرین رویداد (روز)"] == "۱۴"
    assert row["ستون رویداد"] == "opened_at"
    assert list(shown["جدول"]) == ["مشتریان (customers)", "پاسخ‌های نظرسنجی (survey_responses)",
                                   "شکایت‌ها (complaints)", "تماس‌ها (contacts)",
                                   "تراکنش‌ها (transactions)"]
    for column in shown.columns.drop(["آخرین پرونده", "ستون رویداد"]):
        for cell in shown[column].dropna():
            assert not LATIN.search(re.sub(r"\([a-z_]+\)", "", cell)), (column, cell)


def test_loads_and_checks_tables_in_persian(fetch):
    loads = data_status.loads(fetch)
    with i18n.use("fa"):
        shown = data_status.on_screen(loads)
        checks = data_status.on_screen(data_status.checks_table(data_status.run_checks(fetch)))
    for english in ("Load", "Loaded at (UTC)", "File", "Read", "New", "Replaced", "Unchanged",
                    "Quarantined", "By rule", "Mapping", "Checksum", "Archive"):
        assert english not in shown.columns
    assert {"بارگذاری", "زمان بارگذاری (UTC)", "پرونده", "خوانده‌شده", "تازه", "جایگزین‌شده",
            "بدون تغییر", "قرنطینه‌شده", "به تفکیک قاعده", "نگاشت", "چکیدهٔ پرونده",
            "بایگانی"} <= set(shown.columns)
    first = shown.iloc[0]
    assert first["بارگذاری"] == "۶" and first["پرونده"] == "contacts_bad.csv"
    assert re.fullmatch(r"[۰-۹]+ [آ-ی]+ ۱۴۰[۴-۵]، ساعت [۰-۹]{2}:[۰-۹]{2}",
                        first["زمان بارگذاری (UTC)"])
    # the rules keep their names, their counts in Persian digits
    assert first["به تفکیک قاعده"].endswith(": ۱")
    assert not latin_outside_code(first["به تفکیک قاعده"].split(":")[-1])
    assert loads["By rule"].iloc[0].endswith(": 1")  # the download keeps its text
    assert list(checks.columns) == ["بررسی", "هدف", "ردیف‌های ناموفق", "نتیجه"]
    assert set(checks["نتیجه"]) <= {"موفق", "ناموفق"}
    assert "کلیدهای اصلی قرارداد خام یکتا هستند؛ هر کلید تکراری را برمی‌گرداند." in \
        set(checks["هدف"])


def test_every_check_purpose_is_in_the_catalog():
    purposes = {q.purpose for q in catalog.layer_queries("checks")}
    assert purposes == set(data_status.CHECK_PURPOSES)


def test_takeaways_in_persian_mark_identifiers_as_code(fetch):
    t = data_status.freshness(fetch, now=datetime(2026, 3, 27, tzinfo=UTC))
    with i18n.use("en"):
        english = data_status.freshness_takeaway(t)
    assert english == ("50 rows in 5 of 5 raw tables; the stalest is complaints (latest "
                       "opened_at 2026-03-12, 14 days ago).")
    with i18n.use("fa"):
        fresh = data_status.freshness_takeaway(t)
        cal = data_status.calendar_takeaway(fetch)
        loads = data_status.loads_takeaway(data_status.loads(fetch))
        checks = data_status.checks_takeaway(data_status.run_checks(fetch))
    assert fresh == ("۵۰ ردیف در ۵ از ۵ جدول خام؛ کهنه‌ترین شکایت‌ها (`complaints`) است "
                     "(آخرین `opened_at` در ۲۱ اسفند ۱۴۰۴، ۱۴ روز پیش).")
    assert "`ingest --as-of`" in cal and "(`" in cal
    assert "بارگذاری ۶ در تماس‌ها (`contacts`)" in loads and "ساعت" in loads
    for text in (fresh, cal, loads, checks):
        assert not latin_outside_code(text), text
    # drawn: the code marks become code spans, the rest is literal
    drawn = ui.coded(fresh)
    assert "`complaints`" in drawn and "`opened_at`" in drawn


def test_coded_keeps_everything_else_literal():
    assert ui.coded("a *b* `c_d` e") == ui.plain("a *b* ") + "`c_d`" + ui.plain(" e")
    assert ui.coded("one ` only") == ui.plain("one ` only")
    assert data_status.code("a`b") == "`ab`"


def test_quarantine_texts_in_persian(fetch):
    summary = data_status.quarantine_summary(fetch)
    choice = data_status.QuarantineChoice()
    with i18n.use("en"):
        label = data_status.quarantine_options(summary).loads[6]
        english = data_status.quarantine_takeaway(summary, choice, 1)
    assert label == "load 6 · contacts_bad.csv → contacts · 2 rows"
    assert english == "2 quarantined row(s) match; the first 1 are shown and downloadable."
    with i18n.use("fa"):
        label = data_status.quarantine_options(summary).loads[6]
        takeaway = data_status.quarantine_takeaway(summary, choice, 1)
        rows = data_status.on_screen(data_status.quarantine_rows(fetch, choice))
    assert label == "بارگذاری ۶ · contacts_bad.csv ← تماس‌ها (contacts) · ۲ ردیف"
    assert takeaway == ("۲ ردیف قرنطینه‌شده با این انتخاب جور است؛ ۱ ردیف نخست نمایش داده "
                        "می‌شود و قابل دریافت است.")
    assert list(rows.columns) == ["بارگذاری", "پرونده", "جدول", "ردیف", "ستون", "مقدار",
                                  "قاعده", "رکورد"]
    assert set(rows["ردیف"]) == {"۱", "۲"}


def test_load_verdicts_in_persian():
    report = ingest.IngestReport([], dry_run=True)
    with i18n.use("en"):
        assert data_status.report_verdict(report) == (
            "info", "Dry run, nothing was loaded: 0 row(s) would load, 0 would be quarantined, "
                    "0 file(s) refused.")
    with i18n.use("fa"):
        kind, text = data_status.report_verdict(report)
    assert kind == "info" and text.startswith("اجرای آزمایشی؛ چیزی بارگذاری نشد: ۰ ردیف")


def test_uploader_and_date_input_words_come_from_the_catalog():
    with i18n.use("fa"):
        css = language.widget_css()
        caption = language.upload_caption(data_status.UPLOAD_TYPES)
    assert 'content: "انتخاب پرونده"' in css and 'content: "سال میلادی"' in css
    assert 'content: "ماه"' in css and 'content: "روز"' in css
    assert "stFileUploaderDropzoneInstructions" in css
    assert caption == ("حداکثر ۲۰۰ مگابایت برای هر پرونده؛ قالب‌ها: `csv`، `tsv`، `txt`، "
                       "`parquet`، `xlsx`.")
    assert language.css_text('a"b\\c\nd') == '"a\\"b\\\\c d"'


def test_data_page_in_persian(fetch, tmp_path, monkeypatch):
    """The page drawn in Persian: translated headers and Persian digits in its tables, the
    uploaders' own caption, the takeaways free of Latin digits outside code."""
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{fetch.target}")
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("CX_LOCALE", "fa")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe]
    assert frames and all(not ({"Table", "Load", "Rows", "Check"} & set(f.columns))
                          for f in frames)
    fresh = next(f for f in frames if "ستون رویداد" in f.columns)
    assert fresh["ردیف‌ها"].map(lambda v: not LATIN.search(v)).all()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("حداکثر ۲۰۰ مگابایت") for c in captions)
    takeaways = [c for c in captions if "جدول خام" in c or "بارگذاری پرونده" in c]
    assert takeaways and all(not latin_outside_code(c) for c in takeaways), takeaways


# --- sentences elsewhere that wrote Latin digits ---------------------------------------------

def test_days_listed_as_jalali_days():
    with i18n.use("en"):
        assert display.days([date(2020, 1, 6), date(2026, 3, 2)]) == "2020-01-06, 2026-03-02"
    with i18n.use("fa"):
        assert display.days([date(2020, 1, 6), date(2026, 3, 2)]) == \
            "۱۶ دی ۱۳۹۸، ۱۱ اسفند ۱۴۰۴"


def test_money_window_names_its_days_in_jalali():
    from datetime import timedelta

    from dashboard.metrics.filters import Filters
    from dashboard.money import inputs as money

    f = Filters(week="2026-W44")
    end = f.week_start + timedelta(weeks=1)
    inp = money.Inputs(f, end - timedelta(weeks=52), end, pd.DataFrame(), pd.DataFrame(),
                       pd.DataFrame(), {}, "test v1")
    with i18n.use("en"):
        assert inp.window_text == ("2025-W45 – 2026-W44 (52 weeks; customers active on "
                                   "2025-11-03, base now on 2026-11-02)")
    with i18n.use("fa"):
        text = inp.window_text
    assert "۱۲ آبان ۱۴۰۴" in text and "۱۱ آبان ۱۴۰۵" in text
    assert not LATIN.search(text), text


def test_cost_unit_costs_valid_from_jalali_days():
    from dashboard.analysis import cost

    with i18n.use("en"):
        assert cost._valid_from_text([date(2020, 1, 6)]) == "valid from 2020-01-06"
    with i18n.use("fa"):
        assert cost._valid_from_text([date(2020, 1, 6)]) == "معتبر از ۱۶ دی ۱۳۹۸"


WEEK_OR_DAY = re.compile(r"\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}|[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}")


def test_weeks_and_days_in_sentences_read_as_jalali(demo_fetch):
    from dashboard.analysis import churn, complaints
    from dashboard.analysis import satisfaction as sat
    from dashboard.metrics import kpis
    from dashboard.metrics.filters import Filters

    latest = kpis.load_catalog(demo_fetch).latest_complete
    with i18n.use("fa"):
        f = Filters(week=latest)
        s = sat.build_report(demo_fetch, f, sat.View())
        c = complaints.build_report(demo_fetch, f)
        ch = churn.build_report(demo_fetch, f)
        columns = s.movers_columns()
    texts = [*columns.values(), c.notes["recovery"], c.notes["service"]]
    why = [c for c in ch.at_risk.columns if c not in ("Rank", "Customer id")]
    texts += [str(v) for c in why for v in ch.at_risk[c] if isinstance(v, str)]
    for text in texts:
        assert not WEEK_OR_DAY.search(text), text
    assert "آبان" in columns["value_week"]
