"""Numbers and money by language and currency: Persian digits, separators and signs as CLDR
(Babel) writes them, each number in a left-to-right isolate; compact amounts in words computed
by hand; Toman and Rial first-class (unit after the number, no decimals, 1 Toman = 10 Rial);
English output byte for byte as before, whether the currency comes as a plain ``$`` or as the
set's Currency."""

from __future__ import annotations

import pickle
import unicodedata

import pytest
from babel import Locale
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from dashboard import i18n
from dashboard.exports.text import plotly_template as lit
from dashboard.i18n import currency as cur
from dashboard.i18n.numbers import LRI, PDI
from dashboard.metrics import display
from dashboard.metrics.registry import REGISTRY, format_delta, format_range, format_value
from dashboard.money.inputs import money_text
from dashboard.money.simulate import _value_text
from dashboard.warehouse.assumption_rules import AssumptionError, parse_value

MINUS, LRM, THIN = "\u2212", "\u200e", "\u2009"
FA = Locale.parse("fa").number_symbols["arabext"]
USD = cur.from_assumptions({"currency": "USD", "currency_symbol": "$"})
IRT = cur.from_assumptions({"currency": "IRT"})
IRR = cur.from_assumptions({"currency": "IRR", "currency_symbol": "ر"})


#: Latin digits to Persian (Extended Arabic-Indic) ones, from the Unicode character names.
PERSIAN = str.maketrans("0123456789", "".join(
    unicodedata.lookup(f"EXTENDED ARABIC-INDIC DIGIT {n}")
    for n in ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")))


def babel(value: float, pattern: str) -> str:
    """The oracle: Babel's Persian (CLDR's separators of the locale's numbering system) with
    Persian digits and, for the pattern's ``-`` (which UTS #35 defines as the locale's minus
    sign), CLDR's Persian minus sign: Babel keeps Latin digits and a hyphen."""
    text = format_decimal(value, format=pattern, locale="fa", numbering_system="default")
    return text.replace("-", FA["minusSign"]).translate(PERSIAN)


def inner(text: str) -> str:
    """The text of the one isolate a Persian number sits in (failing when it is not one)."""
    start, end = text.index(LRI), text.index(PDI)
    assert text.count(LRI) == text.count(PDI) == 1, text
    return text[start + 1:end]


# --- Persian numbers against CLDR -------------------------------------------------------------


@pytest.mark.parametrize(("value", "digits", "pattern"), [
    (1234567.891, 3, "#,##0.000"), (1234567.891, 0, "#,##0"), (-3.2, 1, "#,##0.0"),
    (0.5, 2, "#,##0.00"), (-1234.5, 1, "#,##0.0"),
])
def test_persian_numbers_are_cldrs(value, digits, pattern):
    with i18n.use("fa"):
        text = display.number(value, digits)
    assert text == f"{LRI}{babel(value, pattern)}{PDI}"
    assert babel(1234567.891, "#,##0.000") == "۱٬۲۳۴٬۵۶۷٫۸۹۱"  # ٬ thousands, ٫ decimal
    assert not any(c in "0123456789.,-" for c in text)


def test_persian_signs_percent_and_ranges():
    with i18n.use("fa"):
        nps = format_value(17.14, "score")
        drop = format_value(-3.2, "score")
        share = display.percent(12.34)
        rng = format_range(-4.46, 10.94, "score")
        zero = format_delta(0.004, REGISTRY["nps"])
    assert nps == f"{LRI}{FA['plusSign']}{babel(17.1, '#,##0.0')}{PDI}" == f"{LRI}{LRM}+۱۷٫۱{PDI}"
    assert drop == f"{LRI}{LRM}{MINUS}۳٫۲{PDI}" == f"{LRI}{babel(-3.2, '#,##0.0')}{PDI}"
    pct = format_percent(0.1234, "#,##0.0%", locale="fa", numbering_system="default")
    # the pattern's % is the locale's percent sign (UTS #35); Babel keeps the Latin one
    pct = pct.replace("%", FA["percentSign"]).translate(PERSIAN)
    assert share == f"{LRI}{pct}{PDI}" == f"{LRI}۱۲٫۳٪{PDI}"
    # a range: each end its own isolate, the thin-spaced en dash between them
    assert rng == f"{LRI}{LRM}{MINUS}۴٫۵{PDI}{THIN}\u2013{THIN}{LRI}{LRM}+۱۰٫۹{PDI}"
    assert zero.startswith(f"{LRI}۰٫۰{PDI}")  # no sign on a change that rounds to zero


def test_a_label_and_its_number_cannot_scramble():
    """The number is one isolate: the sign stays inside with its digits, so "NPS ۱۷٫۱" and
    "−۳٫۲" keep their order in right-to-left text."""
    with i18n.use("fa"):
        line = f"NPS {format_value(-3.24, 'score')}"
        money = display.money_compact(-17_600_000, IRT)
    assert line == f"NPS {LRI}{LRM}{MINUS}۳٫۲{PDI}"
    assert inner(money) == f"{LRM}{MINUS}۱۷٫۶"
    assert money.endswith(f"{PDI} میلیون تومان")


# --- compact amounts in words (hand-computed) --------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "words", "oracle_digits"), [
    (17_600_000, IRT, "۱۷٫۶ میلیون تومان", 1),       # 17.6 million
    (1_350_000_000, IRR, "۱٫۳۵ میلیارد ریال", 2),     # 1.35 billion
    (176_000_000, IRT, "۱۷۶ میلیون تومان", 0),        # three significant digits
    (51_234, IRT, "۵۱٫۲ هزار تومان", 1),              # 51.2 thousand
    (999_999, IRT, "۱ میلیون تومان", 2),              # not "1,000 thousand"
    (2_500_000_000_000, IRR, "۲٫۵ هزار میلیارد ریال", None),  # a thousand billion
    (8_450, IRT, "۸٬۴۵۰ تومان", None),                # under ten thousand: the whole amount
    (1_350_000, USD, "۱٫۳۵ میلیون دلار", 2),
])
def test_tiles_write_large_amounts_in_words(value, unit, words, oracle_digits):
    with i18n.use("fa"):
        text = display.money_compact(value, unit)
        assert money_text(value, unit) == text  # the money row
        assert format_value(value, "money0k", unit) == text  # the revenue tile
    assert text.replace(LRI, "").replace(PDI, "") == words
    if oracle_digits is not None:  # Babel's long compact form agrees on number and word
        oracle = format_compact_decimal(value, format_type="long", fraction_digits=oracle_digits,
                                        locale="fa", numbering_system="default")
        assert words.startswith(oracle.replace("\xa0", " ").translate(PERSIAN)), oracle


def test_money_to_the_cent_and_changes_in_persian():
    with i18n.use("fa"):
        assert display.money(1234.567, USD) == f"{LRI}۱٬۲۳۴٫۵۷{PDI} دلار"
        assert display.money(1234.567, IRT) == f"{LRI}۱٬۲۳۵{PDI} تومان"  # no decimals
        assert format_delta(-105_400, REGISTRY["revenue"], IRT) == \
            f"{LRI}{LRM}{MINUS}۱۰۵{PDI} هزار تومان"
        assert format_delta(1.18, REGISTRY["cost_to_serve"], USD) == f"{LRI}{LRM}+۱٫۱۸{PDI} دلار"
        assert _value_text("money", 2.6, IRR) == f"{LRI}۳{PDI} ریال"  # whole Rial
        assert _value_text("share", 0.125, IRR) == f"{LRI}۱۲٫۵٪{PDI}"
        assert f"{IRT} per customer" == "تومان per customer"
        assert cur.hover(IRT, "y", 2, lit) == "%{y:,.0f} تومان"


# --- Toman and Rial ----------------------------------------------------------------------------


def test_one_toman_is_ten_rial():
    assert cur.convert(1_760_000, "IRT", "IRR") == 17_600_000
    assert cur.convert(17_600_000, "IRR", "IRT") == 1_760_000
    assert cur.convert(12.5, "usd", "USD") == 12.5
    with pytest.raises(ValueError, match="no fixed rate from USD to IRT"):
        cur.convert(1.0, "USD", "IRT")
    with i18n.use("fa"):
        toman = display.money_compact(1_760_000, IRT)
        rial = display.money_compact(cur.convert(1_760_000, "IRT", "IRR"), IRR)
    assert toman.replace(LRI, "").replace(PDI, "") == "۱٫۷۶ میلیون تومان"
    assert rial.replace(LRI, "").replace(PDI, "") == "۱۷٫۶ میلیون ریال"


def test_toman_and_rial_in_english_spell_the_unit_after_the_number():
    assert display.money(1234.56, IRT) == "1,235 Toman"
    assert display.money(-12_340, IRR, signed=True) == f"{MINUS}12,340 Rial"
    assert display.money_compact(17_600_000, IRT) == "17.6 million Toman"
    assert format_value(51_234, "money0k", IRR) == "51.2 thousand Rial"
    assert format_delta(0.2, REGISTRY["revenue"], IRT) == "0 Toman"  # no sign on a zero
    assert f"paid ({IRR})" == "paid (Rial)"
    assert cur.hover(IRR, "y", 2, lit) == "%{y:,.0f} Rial"


def test_the_currency_assumption_takes_toman_and_rial():
    assert parse_value("currency", "IRT") == "IRT"
    assert parse_value("currency", "IRR") == "IRR"
    with pytest.raises(AssumptionError, match="IRT \\(Toman\\) or IRR \\(Rial\\)"):
        parse_value("currency", "toman")
    assert (IRT.code, IRT.symbol, IRR.code, IRR.symbol) == ("IRT", "Toman", "IRR", "ر")
    # the code decides the unit: a set still carrying "$" but declared in Rial shows Rial
    assert display.money(5, cur.from_assumptions({"currency": "IRR", "currency_symbol": "$"})) \
        == "5 Rial"
    assert cur.from_assumptions({}) == "$" and cur.from_assumptions({}).code == "USD"
    # a Currency made plain text on its way still writes its unit after the number
    assert display.money(1234, str(IRT)) == "1,234 Toman"
    with i18n.use("fa"):
        assert display.money(1234, str(IRR)) == f"{LRI}۱٬۲۳۴{PDI} ریال"


# --- English unchanged -------------------------------------------------------------------------


def test_english_is_unchanged_with_the_sets_currency():
    """The set's Currency writes what the plain symbol always wrote (the strings below are the
    product's English output before currencies knew their code)."""
    for sym in ("$", USD):
        assert display.money(-0.16, sym) == f"{MINUS}$0.16"
        assert display.money(1.2, sym, signed=True) == "+$1.20"
        assert display.money_compact(1_350_000, sym) == "$1.35M"
        assert display.money_compact(51_234, sym) == "$51.2k"
        assert format_value(105_400, "money0k", sym) == "$105k"
        assert format_delta(-105_400, REGISTRY["revenue"], sym) == f"{MINUS}$105k"
        assert format_delta(-1.18, REGISTRY["cost_to_serve"], sym) == f"{MINUS}$1.18"
        assert money_text(1_234_567, sym) == "$1.23M"
        assert money_text(45_600, sym, signed=True) == "+$45.6k"
        assert _value_text("money", 2.5, sym) == "$2.50"
        assert _value_text("share", 0.125, sym) == "12.5%"
        assert cur.hover(sym, "y", 2, lit) == "&#36;%{y:,.2f}"
        assert f"{sym} per customer" == "$ per customer"
    euro = cur.from_assumptions({"currency": "EUR", "currency_symbol": "€"})
    assert display.money(1234.5, euro) == "€1,234.50"
    assert format_value(17.14, "score") == "+17.1"
    assert display.percent(12.34) == "12.3%"
    assert format_range(-11.4, 9.3, "score") == f"{MINUS}11.4{THIN}\u2013{THIN}+9.3"


def test_a_currency_survives_a_cache_round_trip():
    back = pickle.loads(pickle.dumps(IRT))
    assert isinstance(back, cur.Currency) and back.code == "IRT" and back.symbol == "Toman"
    with i18n.use("fa"):
        assert f"{back}" == "تومان"


# --- end to end: the KPI report of the fixture world -------------------------------------------


def test_weekly_tiles_in_persian_on_the_fixture_world(fixture_fetch, tiny_bases):
    """The fixture's set is in US dollars; its tiles in Persian carry Persian digits only and
    the revenue tile the same whole-dollar figure English shows (80 → $80 / ۸۰ دلار)."""
    from dashboard.metrics import kpis
    from dashboard.metrics.filters import Filters
    from dashboard.metrics.registry import tile_delta, tile_value

    r = kpis.build_report(fixture_fetch, Filters(week="2026-W11"))
    assert isinstance(r.currency_symbol, cur.Currency) and r.currency_symbol.code == "USD"
    assert tile_value(r.tile("revenue").current.value, REGISTRY["revenue"],
                      r.currency_symbol) == "$80"
    with i18n.use("fa"):
        revenue = tile_value(r.tile("revenue").current.value, REGISTRY["revenue"],
                             r.currency_symbol)
        cost = format_value(r.tile("cost_to_serve").current.value, "money2", r.currency_symbol)
        texts = [tile_value(t.current.value, t.metric, r.currency_symbol) for t in r.tiles]
        texts += [tile_delta(t.delta, t.metric, r.currency_symbol) for t in r.tiles
                  if t.delta is not None]
    assert revenue == f"{LRI}۸۰{PDI} دلار"
    assert cost == f"{LRI}۶٫۰۲{PDI} دلار"  # 30.1 / 5 active customers
    for text in texts:
        assert not any(c.isdigit() and c.isascii() for c in text.replace("1,000", "")), text
