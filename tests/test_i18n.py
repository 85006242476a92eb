"""Languages: the Persian catalog covers every template in the code with the same placeholders;
the language is chosen per context; numbers and Jalali weeks and months are written the way
CLDR (Babel) and the Jalali calendar (jdatetime) say, checked at month, year and leap-year
boundaries against dates known by hand."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from dashboard import i18n
from dashboard.i18n import calendar as cal
from dashboard.i18n import numbers as num
from tests.conftest import ROOT


def _keywords() -> dict:
    """The marking functions ``make messages`` extracts (its ``-k`` options), as Babel takes
    them: one list for the catalog and for this test."""
    import re

    out = {}
    for name, args in re.findall(r"-k (\w+)(?::([\d,]+))?", (ROOT / "Makefile").read_text()):
        out[name] = tuple(int(a) for a in args.split(",")) if args else None
    return out


KEYWORDS = _keywords()
LOCALE_DIR = ROOT / "dashboard" / "i18n" / "locale"


def templates() -> set[str | tuple[str, str]]:
    """Every template the code marks, extracted as ``make messages`` does (Babel)."""
    out: set = set()
    for folder in ("dashboard", "pages"):
        for _, _, msg, _, _ in extract_from_dir(ROOT / folder, [("**.py", "python")],
                                                 keywords=KEYWORDS):
            out.add(msg)
    for _, _, msg, _, _ in extract_from_dir(ROOT, [("streamlit_app.py", "python")],
                                             keywords=KEYWORDS):
        out.add(msg)
    return out


def test_every_template_has_its_persian_translation_with_the_same_placeholders():
    found = templates()
    assert "Week of {start} to {end}" in found  # the extraction sees the code's templates
    with (LOCALE_DIR / "fa" / "LC_MESSAGES" / "cx.po").open("rb") as fh:
        catalog = read_po(fh, locale="fa")
    entries = {m.id: m for m in catalog if m.id}
    missing = [t for t in found if t not in entries]
    assert not missing, f"not in the Persian catalog (run make messages, then translate): {missing}"
    for tmpl in found:
        entry = entries[tmpl]
        texts = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        assert not entry.fuzzy and all(texts), f"untranslated: {tmpl!r}"
        # a plural's forms are checked against the English plural (it names {n})
        english = tmpl if isinstance(tmpl, str) else tmpl[1]
        for text in texts:
            assert i18n.placeholders(text) == i18n.placeholders(english), (tmpl, text)


def test_a_latin_formula_in_a_persian_sentence_keeps_its_own_run():
    """«(n = ۳۶۹، ۹۵٪ …» scrambles in a right-to-left line: digits after the Latin "n" take its
    left-to-right direction (UAX #9, rule W7) and pull the Persian text after them into its
    run. Every Persian template ends ``n = {…}`` with a right-to-left mark (U+200F), which the
    literal-text escape keeps (an isolate would be shown as ``<U+2066>``)."""
    import re

    from dashboard.exports import text as literal

    with (LOCALE_DIR / "fa" / "LC_MESSAGES" / "cx.po").open("rb") as fh:
        catalog = read_po(fh, locale="fa")
    bare = [m.id for m in catalog if m.id for text in
            (m.string if isinstance(m.string, (list, tuple)) else [m.string])
            if re.search(r"\bn = \{\w+\}(?!\u200f)", text or "")]
    assert bare == []
    with i18n.use("fa"):
        text = i18n._("{score} was {value} in {week} (n = {n}, 95% CI {low} to {high}).",
                      score="NPS", value="۱۷", week="W", n="۳۶۹", low="۹", high="۲۶")
    assert "n = ۳۶۹\u200f" in text and literal.markdown(text).count("\u200f") == 1


def test_the_template_catalog_is_what_the_code_marks():
    """``cx.pot`` is regenerated whenever a template changes (``make messages``)."""
    with (LOCALE_DIR / "cx.pot").open("rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    assert pot == templates()


def test_a_template_is_translated_then_filled():
    with i18n.use("fa"):
        assert i18n._("Week of {start} to {end}", start="A", end="B") == "هفتهٔ A تا B"
        assert i18n.is_rtl()
    with i18n.use("en"):
        assert i18n._("Week of {start} to {end}", start="A", end="B") == "Week of A to B"
        assert not i18n.is_rtl()
    # a template the catalog lacks reads in English rather than failing
    with i18n.use("fa"):
        assert i18n._("No such template {x}", x=1) == "No such template 1"
        assert i18n.ngettext("{n} week", "{n} weeks", 3) == "3 weeks"


def test_the_language_comes_from_cx_locale_then_the_context(monkeypatch):
    """In a context where no language was set (an app run earlier in this process may have
    set one in the test's own context)."""
    import contextvars

    contextvars.Context().run(_language_from_cx_locale_then_the_context, monkeypatch)


def _language_from_cx_locale_then_the_context(monkeypatch):
    monkeypatch.delenv("CX_LOCALE", raising=False)
    assert i18n.current() == "en"
    monkeypatch.setenv("CX_LOCALE", "fa_IR")
    assert i18n.current() == "fa"
    with i18n.use("en"):
        assert i18n.current() == "en"
    assert i18n.current() == "fa"
    monkeypatch.setenv("CX_LOCALE", "de")
    with pytest.raises(i18n.UnknownLocale,
                       match=r"CX_LOCALE: unknown language 'de'; one of en, fa"):
        i18n.current()


@pytest.mark.parametrize("value, decimals", [(-1234.567, 1), (1234567.891, 2), (0.0, 0),
                                             (999.95, 1), (-0.04, 1), (12, 0)])
def test_numbers_follow_cldr(value, decimals):
    en = num.number(value, decimals, "en")
    fa = num.number(value, decimals, "fa")
    # English: Babel's own formatting of the number, with a true minus sign
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    assert en == format_decimal(value, format=pattern, locale="en").replace("-", "\u2212")
    # Persian: Babel's separators for fa (٬ ٫), the arabext digits, a marked minus
    babel_fa = format_decimal(value, format=pattern, locale="fa", numbering_system="default")
    expected = babel_fa.replace("\u200e", "").translate(str.maketrans("0123456789",
                                                                      "۰۱۲۳۴۵۶۷۸۹"))
    expected = expected.replace("-", "\u200e\u2212")
    assert fa == expected
    assert not any(ch in "0123456789" for ch in fa)


def test_numbers_in_text_are_localized_and_codes_are_not():
    text = "NPS +17.1 (−3.5 to +4.25), 1,234 answers, 12.5% of 2026-W44"
    assert num.localize(text, "en") == text
    assert num.localize(text, "fa") == (
        "NPS \u200e+۱۷٫۱ (\u200e−۳٫۵ to \u200e+۴٫۲۵), ۱٬۲۳۴ answers, ۱۲٫۵٪ of ۲۰۲۶-W۴۴")


#: Known by hand: 1403 is a leap year (30 Esfand exists); Nowruz 1404 fell on 21 March 2025;
#: 1 Farvardin 1405 is 21 March 2026; 1 Aban 1405 is 23 October 2026; 1 Dey 1404 is
#: 22 December 2025.
KNOWN = [(date(2025, 3, 20), (1403, 12, 30)), (date(2025, 3, 21), (1404, 1, 1)),
         (date(2026, 3, 20), (1404, 12, 29)), (date(2026, 3, 21), (1405, 1, 1)),
         (date(2026, 10, 23), (1405, 8, 1)), (date(2025, 12, 22), (1404, 10, 1)),
         (date(2024, 3, 20), (1403, 1, 1)), (date(2024, 3, 19), (1402, 12, 29))]


@pytest.mark.parametrize("day, ymd", KNOWN, ids=[str(d) for d, _ in KNOWN])
def test_jalali_dates_at_month_and_year_boundaries(day, ymd):
    j = cal.jalali(day)
    assert (j.year, j.month, j.day) == ymd
    assert jdatetime.date(*ymd).togregorian() == day
    assert cal.fiscal_year(day) == ymd[0]
    with i18n.use("fa"):
        assert cal.month_name(day) == num.localize(f"{cal.MONTHS_FA[ymd[1] - 1]} {ymd[0]}", "fa")


def test_leap_years_of_the_library_match_the_calendar():
    # 1403 has 366 days (leap); 1404 has 365
    assert (jdatetime.date(1404, 1, 1).togregorian() - jdatetime.date(1403, 1, 1).togregorian()
            == timedelta(days=366))
    assert (jdatetime.date(1405, 1, 1).togregorian() - jdatetime.date(1404, 1, 1).togregorian()
            == timedelta(days=365))
    assert jdatetime.date(1403, 1, 1).isleap() and not jdatetime.date(1404, 1, 1).isleap()


def test_weeks_start_on_monday_or_saturday():
    sat = date(2026, 10, 31)  # a Saturday
    assert cal.week_start(sat, "saturday") == sat
    assert cal.week_start(sat + timedelta(days=6), "saturday") == sat  # Friday
    assert cal.week_start(sat, "iso") == date(2026, 10, 26)
    with pytest.raises(ValueError, match="unknown week start 'sunday'"):
        cal.week_start(sat, "sunday")


def test_week_labels_in_both_languages():
    with i18n.use("en"):
        assert cal.week_label(date(2026, 10, 26)) == "2026-W44"
        assert cal.week_label(date(2026, 10, 31)) == "31 Oct – 6 Nov 2026"
    with i18n.use("fa"):
        # Saturday 9 Aban to Friday 15 Aban 1405
        assert cal.week_label(date(2026, 10, 31)) == "هفتهٔ ۹ تا ۱۵ آبان ۱۴۰۵"
        # across a month, and across Nowruz (both years named)
        assert cal.week_label(date(2026, 10, 17)) == "هفتهٔ ۲۵ مهر تا ۱ آبان ۱۴۰۵"
        assert cal.week_label(date(2025, 3, 15)) == "هفتهٔ ۲۵ اسفند ۱۴۰۳ تا ۱ فروردین ۱۴۰۴"


def test_the_all_customers_series_are_named_in_the_language_of_the_moment():
    """The analyses' all-customers keys stay keys; a chart's legend names them translated."""
    import plotly.graph_objects as go

    from dashboard.analysis import churn, satisfaction
    from dashboard.exports import rtl

    assert set(rtl.TOTAL_NAMES) == {churn.ALL_LABEL, satisfaction.OVERALL}
    fig = go.Figure([go.Scatter(name=churn.ALL_LABEL), go.Scatter(name="Mass")])
    with i18n.use("fa"):
        named = rtl.page_figure(fig)
    assert [t.name for t in named.data] == ["همهٔ مشتریان فیلترشده", "Mass"]
    fig = go.Figure([go.Scatter(name=satisfaction.OVERALL)])
    assert [t.name for t in rtl.page_figure(fig).data] == ["All (filtered)"]
