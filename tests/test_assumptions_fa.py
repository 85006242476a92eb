"""The Finance assumptions page in Persian: the registry's labels, units, rules and refusals,
the values table, change log, differences and publications with Persian words, Persian digits,
Jalali days and currency codes by name; the Impact simulator's lever refusals; money in US
dollars in Persian digits. English stays as it was."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboard import i18n
from dashboard.metrics import display, kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions as A
from dashboard.money import publishing, whatif
from dashboard.money import simulate as sim
from dashboard.ui import assumptions as ui_assumptions
from dashboard.ui import common as ui
from dashboard.warehouse import db

LATIN_DIGIT = re.compile(r"[0-9]")
#: Latin words a Persian cell may hold: identifiers (``cost_per_contact_phone``, a key such as
#: ``currency`` in the Key column), currency codes beside their Persian name, product names.
ALLOWED = {"CX", "Ledger", "NPS", "CSAT", "CES", "ISO", "UTC", "USD", "IRT", "IRR", "XXX"}


def english_words(text: str) -> list[str]:
    bare = re.sub(r"\S*\w_\w\S*", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", bare) if w not in ALLOWED]


def assert_persian_cells(frame, skip: tuple[str, ...] = ()) -> None:
    for column in frame.columns:
        assert not english_words(str(column)) and not LATIN_DIGIT.search(str(column)), column
        if column in skip:
            continue
        for cell in frame[column]:
            text = str(cell)
            assert not english_words(text), (column, text)
            assert not LATIN_DIGIT.search(text), (column, text)


@pytest.fixture(scope="module")
def world_fa(demo_wh_fa, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh_fa, name, **p)  # noqa: E731
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('asm_fa')}/store.sqlite")
    rows = fetch("assumption_rows")
    filters = Filters(week=kpis.load_catalog(fetch).latest_complete)
    return store, rows, filters


# --- the registry ---------------------------------------------------------------------------


def test_labels_and_rules_read_in_persian_and_stay_english_in_english():
    with i18n.use("fa"):
        assert A.key_label("analysis_horizon_years") == "افق تحلیل"
        assert A.key_label("cost_per_contact_chat") == "هزینهٔ هر تماس: گفت‌وگوی آنلاین"
        assert A.key_label("discount_rate_pct") == "نرخ تنزیل (سالانه)"
        assert A.spec_for("gross_margin_pct").rule_text() == "عددی بیشتر از ۰٪ و حداکثر ۱۰۰٪"
        assert A.spec_for("analysis_horizon_years").rule_text() == (
            "عدد صحیحی دست‌کم ۱ سال و حداکثر ۱۰ سال")
        assert A.spec_for("cost_per_contact_phone").rule_text() == "عددی دست‌کم ۰"
        assert A.spec_for("currency_symbol").rule_text() == "یک تا چهار نویسه"
        assert A.spec_for("currency").rule_text() == (
            "کد سه‌حرفی ارز، مانند دلار (USD)، تومان (IRT) یا ریال (IRR)؛ هر تومان = ۱۰ ریال")
        # the rule a loaded file's rows are kept aside under stays English (data, not screen)
        assert A.spec_for("gross_margin_pct").rule() == "a number above 0 % and at most 100 %"
        with pytest.raises(A.AssumptionError) as refused:
            A.parse_value("analysis_horizon_years", "12")
        assert str(refused.value) == (
            "analysis_horizon_years = '12' پذیرفته نشد: باید عدد صحیحی دست‌کم ۱ سال و "
            "حداکثر ۱۰ سال باشد")
    with i18n.use("en"):
        assert A.key_label("cost_per_contact_self_service") == "Cost per contact: self-service"
        assert A.spec_for("target_nps").rule_text() == "a number at least -100 and at most 100"
        with pytest.raises(A.AssumptionError, match=r"^currency = 'usd' refused: must be a "
                           r"three-letter currency code such as USD"):
            A.parse_value("currency", "usd")


def test_values_units_and_sources_in_persian_words_and_digits():
    with i18n.use("fa"):
        assert A.shown_value("currency", "IRT") == "تومان (IRT)"
        assert A.shown_value("currency", "USD") == "دلار (USD)"
        assert A.shown_value("cost_per_contact_chat", "48000") == "۴۸٬۰۰۰"
        assert A.shown_value("complaint_handling_cost", "250000") == "۲۵۰٬۰۰۰"
        assert A.shown_value("realisation_factor_low", "0.3") == "۰٫۳"
        assert A.shown_value("programme_start_week", "2025-W27").startswith("هفتهٔ ")
        assert A.shown_value("programme_segment", "سازمانی") == "سازمانی"
        assert A.shown_unit("pct") == "درصد"
        assert A.shown_unit("code") == "کد"
        assert A.shown_unit("currency/contact", "تومان") == "تومان به‌ازای هر تماس"
        assert A.shown_unit("per 1000 customers") == "به‌ازای هر ۱۰۰۰ مشتری"
        assert A.shown_unit("our own unit") == "our own unit"  # a company's unit as written
        assert A.shown_source("warehouse") == "انبار داده"
        assert A.shown_source("CX Ledger default") == "پیش‌فرض CX Ledger"
        assert A.shown_source("publication #12") == "انتشار #۱۲"
    with i18n.use("en"):
        assert A.shown_value("cost_per_contact_chat", "48000") == "48000"
        assert A.shown_unit("currency/contact", "$") == "currency/contact"
        assert A.shown_source("publication #12") == "publication #12"


# --- the page's tables ------------------------------------------------------------------------


def test_values_table_in_persian(world_fa):
    store, rows, filters = world_fa
    aset = A.load_set(store, rows, A.PUBLISHED)
    with i18n.use("fa"):
        t = ui_assumptions.values_table(aset, filters)
    assert list(t.columns) == ["فرض", "کلید", "مقدار", "واحد", "معتبر از", "منبع", "قاعده",
                               "شرح"]
    row = t.set_index("کلید")
    assert row.loc["currency", "مقدار"] == "تومان (IRT)"
    assert row.loc["cost_per_contact_chat", "فرض"] == "هزینهٔ هر تماس: گفت‌وگوی آنلاین"
    assert row.loc["cost_per_contact_chat", "مقدار"] == "۴۸٬۰۰۰"
    assert row.loc["cost_per_contact_chat", "واحد"] == "تومان به‌ازای هر تماس"
    assert row.loc["cost_per_contact_chat", "معتبر از"] == "۱۶ دی ۱۳۹۸"  # 2020-01-06
    assert row.loc["cost_per_contact_chat", "منبع"] == "انبار داده"
    assert row.loc["cost_per_contact_chat", "شرح"] == "هزینهٔ تمام‌شدهٔ یک گفتگوی برخط در وب یا اپ"
    assert row.loc["gross_margin_pct", "شرح"] == "حاشیهٔ سود ناخالص از درآمد"
    assert row.loc["gross_margin_pct", "قاعده"] == "عددی بیشتر از ۰٪ و حداکثر ۱۰۰٪"
    assert_persian_cells(t, skip=("کلید",))


def test_change_log_differences_and_publications_in_persian(world_fa, monkeypatch):
    store, rows, filters = world_fa
    monkeypatch.setattr(ui, "app_store", lambda: store)
    today = date(2026, 12, 9)
    A.create_set(store, "FY27", who="Dana")
    draft = A.load_set(store, rows, "FY27")
    draft = A.record_change(store, draft, "cost_per_contact_chat", "52,000",
                            date(2026, 3, 2), who="Dana", reason="قرارداد تازه",
                            back_date=True, today=today)
    draft = A.record_change(store, draft, "gross_margin_pct", "40", who="Dana",
                            reason="بودجه", today=today)
    published = A.load_set(store, rows, A.PUBLISHED)
    changes = publishing.diff(published, draft, today)
    with i18n.use("fa"):
        log = ui_assumptions.change_log(draft)
        diff = ui_assumptions.diff_table(changes)
    assert list(log.columns) == ["#", "کلید", "از", "مقدار قبلی", "مقدار جدید",
                                 "با تاریخ گذشته", "زمان", "توسط", "دلیل", "انتشار"]
    chat = log.set_index("کلید").loc["cost_per_contact_chat"]
    assert (chat["از"], chat["مقدار قبلی"], chat["مقدار جدید"], chat["با تاریخ گذشته"]) == (
        "۱۱ اسفند ۱۴۰۴", "۴۸٬۰۰۰", "۵۲٬۰۰۰", "بله")
    assert chat["زمان"].endswith("(UTC)")
    assert_persian_cells(log, skip=("کلید", "توسط"))
    assert list(diff.columns) == ["فرض", "کلید", "از", "تا", "منتشرشده", "پیش‌نویس",
                                  "با تاریخ گذشته"]
    first = diff.iloc[0]
    assert first["فرض"] == "هزینهٔ هر تماس: گفت‌وگوی آنلاین"
    assert first["از"].startswith("۱۱ اسفند ۱۴۰۴ (هفتهٔ ")
    assert (first["منتشرشده"], first["پیش‌نویس"]) == ("۴۸٬۰۰۰", "۵۲٬۰۰۰")
    assert diff.iloc[-1]["تا"] == "از آن پس"
    assert_persian_cells(diff, skip=("کلید",))
    # the CLI's table and English keep their words
    with i18n.use("en"):
        assert ui_assumptions.diff_table(changes).equals(publishing.diff_table(changes))
        assert list(publishing.diff_table(changes).columns)[:2] == ["Assumption", "Key"]

    publishing.publish(store, rows, draft, "Dana", "بودجهٔ ۱۴۰۶", confirm_back_dated=True,
                       today=today)
    with i18n.use("fa"):
        hist = ui_assumptions.history()
        log = ui_assumptions.change_log(A.load_set(store, rows, A.PUBLISHED))
    assert list(hist.columns) == ["#", "زمان", "توسط", "دلیل", "پیش‌نویس", "نسخه‌ها",
                                  "تغییرات"]
    assert hist.iloc[0][["#", "نسخه‌ها", "تغییرات"]].tolist() == [
        "۱", "نسخهٔ ۰ ← نسخهٔ ۲", "۲"]
    assert_persian_cells(hist, skip=("توسط", "پیش‌نویس"))
    assert set(log["انتشار"]) == {"#۱"}
    with i18n.use("en"):
        assert list(ui_assumptions.history().columns) == [
            "#", "When", "By", "Reason", "Draft", "Versions", "Changes"]


def test_refusals_of_the_page_read_in_persian(world_fa):
    store, rows, _filters = world_fa
    with i18n.use("fa"):
        with pytest.raises(A.AssumptionError) as refused:
            A.check_name("!")
        assert str(refused.value).startswith("نام '!' پذیرفته نشد")
        with pytest.raises(A.AssumptionError) as refused:
            A.record_change(store, A.load_set(store, rows, A.PUBLISHED), "gross_margin_pct",
                            "41")
        assert str(refused.value).startswith("ویرایش published v")
    with i18n.use("en"), pytest.raises(A.AssumptionError,
                                       match=r"^name '!' refused: use 1–40 letters"):
        A.check_name("!")


# --- the simulator and money ------------------------------------------------------------------


def test_lever_refusals_are_translated_templates():
    with i18n.use("fa"):
        with pytest.raises(whatif.SimulationError) as refused:
            whatif.Levers(complaint_change_pct=150)
        assert str(refused.value) == (
            "complaint_change_pct = 150 پذیرفته نشد: باید عددی از \u200e−۱۰۰ تا ۱۰۰ باشد")
        with pytest.raises(whatif.SimulationError) as refused:
            whatif.Levers(nps={"سازمانی": "بسیار"})
        assert str(refused.value) == "تغییر NPS در سازمانی = 'بسیار' پذیرفته نشد: باید عدد باشد"
        with pytest.raises(whatif.SimulationError) as refused:
            whatif.Levers(horizon_years=2.5)
        assert "پذیرفته نشد" in str(refused.value)
    with i18n.use("en"), pytest.raises(whatif.SimulationError) as refused:
        whatif.Levers(complaint_change_pct=150)
    assert str(refused.value) == ("complaint_change_pct = 150 refused: must be a number from "
                                  "-100 to 100")


def test_dollars_in_persian_digits():
    with i18n.use("fa"):
        for text in (display.money(1234.5, "$"), display.money_compact(123456, "$"),
                     display.money(-3, "$", signed=True), sim._value_text("money", 8.25, "$"),
                     sim._value_text("share", 0.125, "$")):
            assert not LATIN_DIGIT.search(text) and "$" not in text, text
        assert display.money(1234.5, "$") == "\u2066۱٬۲۳۴٫۵۰\u2069 دلار"
    with i18n.use("en"):
        assert display.money(1234.5, "$") == "$1,234.50"
        assert sim._value_text("money", 8.25, "$") == "$8.25"
