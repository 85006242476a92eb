"""How numbers and category values read: true minus signs, thin-spaced ranges, no sign on a
change that rounds to zero, verdict words, display names (``dashboard.metrics.display``)."""

from __future__ import annotations

import pytest

from dashboard.intake import contract
from dashboard.metrics import display
from dashboard.metrics.registry import REGISTRY, format_delta, format_range, format_value

MINUS, THIN = "\u2212", "\u2009"


def test_negative_numbers_carry_a_true_minus_and_no_hyphen():
    assert format_value(-11.44, "score") == f"{MINUS}11.4"
    assert format_value(9.26, "score") == "+9.3"
    assert format_delta(-1.18, REGISTRY["cost_to_serve"]) == f"{MINUS}$1.18"
    assert format_delta(-105_400, REGISTRY["revenue"]) == f"{MINUS}$105k"
    for text in (format_value(-3.0, "pct1"), display.money(-0.16, "$"),
                 display.money_compact(-1_350_000, "$"), display.signed(-0.4, 1, "pp")):
        assert "-" not in text and text.startswith(MINUS), text


def test_ranges_are_an_en_dash_between_thin_spaces():
    assert format_range(-11.4, 9.3, "score") == f"{MINUS}11.4{THIN}\u2013{THIN}+9.3"
    assert display.span(None, 2.0, str) == "\u2014"
    assert display.span(1.0, float("nan"), str) == "\u2014"


@pytest.mark.parametrize(("delta", "metric", "shown"), [
    (0.003, "cost_to_serve", "$0.00"),
    (-0.004, "cost_to_serve", "$0.00"),
    (0.04, "nps", "0.0 points"),
    (-0.04, "nps", "0.0 points"),
    (0.004, "complaint_rate", "0.00"),
    (400.0, "revenue", "+$400"),
    (0.4, "revenue", "$0"),
    (0.005, "cost_to_serve", "+$0.01"),
])
def test_a_change_that_rounds_to_zero_has_no_sign(delta, metric, shown):
    assert format_delta(delta, REGISTRY[metric]) == shown


def test_verdict_words():
    assert display.verdict_word(True, True) == "better"
    assert display.verdict_word(True, False) == "worse"
    assert display.verdict_word(False, True) == "within noise"
    assert display.verdict_word(True, None) == "within noise"


def test_category_values_in_words_and_data_text_literal(tmp_path, monkeypatch):
    monkeypatch.delenv("CX_MAPPING", raising=False)
    assert display.name("service_quality") == "Service quality"
    assert display.name("self_service") == "Self-service"
    assert display.name("billing") == "Billing"
    # text that is not a code is the data's own: unchanged (pages escape it)
    for literal in ("East", "Mass market", "<b>x</b>", "**bold**", "Zürich"):
        assert display.name(literal) == literal
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[display_names]\n"service_quality" = "Quality of service"\n',
                       encoding="utf-8")
    assert contract.load_mapping(mapping) == {}  # a section of names, not a table
    monkeypatch.setenv("CX_MAPPING", str(mapping))
    assert display.name("service_quality") == "Quality of service"
    assert display.name("network") == "Network"
    bad = tmp_path / "bad.toml"
    bad.write_text('display_names = "x"\n', encoding="utf-8")
    with pytest.raises(contract.MappingError, match="display_names"):
        contract.load_mapping(bad)
