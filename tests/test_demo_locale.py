"""The Persian demo world is the English one written in Persian: same draws, names mapped one to
one, Toman, Saturday weeks, Jalali-dated events; the English world is unchanged byte for byte."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date, timedelta

import jdatetime
import numpy as np
import pandas as pd
import pytest

from dashboard.intake import demo
from dashboard.intake.demo import locales, phrases, phrases_fa, vocab
from dashboard.warehouse import db
from tests.conftest import DEMO_END_WEEK, ROOT, run_every_page

SMALL = {"customers": 2000, "seed": 7, "end_week": DEMO_END_WEEK, "weeks": 104}
EVENTS = ("customers", "survey_responses", "complaints", "contacts", "transactions")
#: sha256 of the English world's frames (sorted by name, each as CSV) for SMALL, computed on the
#: code before the Persian world existed: writing the world in a locale must not move a byte.
ENGLISH_SHA256 = "f229c26c9031919c5364f6c6aaaf21cd69df68567ad946e85a73f6a8b1024302"


@pytest.fixture(scope="module")
def worlds():
    return demo.generate(**SMALL), demo.generate(**SMALL, locale="fa")


def test_english_world_is_unchanged_byte_for_byte(worlds):
    en, _ = worlds
    text = b"".join(en[k].to_csv(index=False).encode() for k in sorted(en))
    assert hashlib.sha256(text).hexdigest() == ENGLISH_SHA256
    assert "locale" not in set(en["truth_parameters"]["key"])
    assert demo.calendar(en) == {} and demo.world_locale(en).code == "en"


def _mapped(en: pd.Series, english: tuple[str, ...], persian: tuple[str, ...]) -> pd.Series:
    """English names replaced one to one by their Persian names (missing stays missing)."""
    return en.map(dict(zip(english, persian, strict=True)))


def test_names_map_one_to_one_and_rows_are_the_same(worlds):
    en, fa = worlds
    for k in EVENTS:
        assert len(en[k]) == len(fa[k]) and list(en[k].columns) == list(fa[k].columns)
        key = [c for c in en[k].columns if c.endswith("_id")]
        pd.testing.assert_frame_equal(en[k][key], fa[k][key])
    fa_loc = locales.FA
    pairs = [
        ("customers", "segment", vocab.SEGMENTS, fa_loc.segments),
        ("customers", "region", vocab.REGIONS, fa_loc.regions),
        ("customers", "plan", vocab.PLANS, fa_loc.plans),
        ("customers", "acquisition_channel", vocab.ACQUISITION_CHANNELS,
         fa_loc.acquisition_channels),
        ("contacts", "reason", vocab.REASONS, fa_loc.reasons),
        ("complaints", "category", vocab.COMPLAINT_CATEGORIES, fa_loc.complaint_categories),
        ("complaints", "channel", vocab.COMPLAINT_CHANNELS, fa_loc.complaint_channels),
        ("survey_responses", "journey_stage", vocab.JOURNEY_STAGES, fa_loc.journey_stages),
        ("survey_responses", "touchpoint", vocab.TOUCHPOINTS, fa_loc.touchpoints),
        ("survey_responses", "comment", tuple(phrases.COMMENTS), tuple(phrases_fa.COMMENTS_FA)),
        ("transactions", "product", vocab.PRODUCTS, fa_loc.products),
        ("transactions", "channel", vocab.TRANSACTION_CHANNELS, fa_loc.transaction_channels),
    ]
    for table, col, english, persian in pairs:
        assert len(set(persian)) == len(english), (table, col)
        expected = _mapped(en[table][col], english, persian)
        assert (expected.fillna("∅") == fa[table][col].fillna("∅")).all(), (table, col)
    # the contract's enumerations and every score stay as they are
    for table, col in (("survey_responses", "survey"), ("survey_responses", "score"),
                       ("survey_responses", "channel"), ("contacts", "channel"),
                       ("complaints", "severity"), ("transactions", "kind"),
                       ("contacts", "is_resolved"), ("contacts", "handle_seconds")):
        pd.testing.assert_series_equal(en[table][col], fa[table][col])


def test_saturday_weeks_every_date_moves_two_days_earlier(worlds):
    en, fa = worlds
    two = pd.Timedelta(days=2)
    for table, col in (("customers", "signup_date"), ("customers", "churn_date"),
                       ("survey_responses", "responded_at"), ("complaints", "opened_at"),
                       ("complaints", "first_response_at"), ("complaints", "resolved_at"),
                       ("contacts", "occurred_at"), ("transactions", "occurred_at")):
        assert fa[table][col].dtype == en[table][col].dtype
        pd.testing.assert_series_equal(fa[table][col].astype("datetime64[ns]"),
                                       (en[table][col] - two).astype("datetime64[ns]"))
    # the simulated weeks (Monday to Sunday in English) run Saturday to Friday: a Saturday
    # week holds the same events as the English Monday week
    start = pd.Timestamp(date.fromisocalendar(2026, 20, 1))
    en_week = en["contacts"].occurred_at.between(start, start + pd.Timedelta(days=7),
                                                 inclusive="left")
    fa_week = fa["contacts"].occurred_at.between(start - two, start + pd.Timedelta(days=5),
                                                 inclusive="left")
    assert en_week.sum() > 0 and (en_week == fa_week).all()
    assert (start - two).day_name() == "Saturday"
    assert demo.calendar(fa) == {"week_start": "saturday", "months": "jalali"}


def test_amounts_are_toman_at_iranian_magnitudes(worlds):
    en, fa = worlds
    factor = np.asarray(locales.FA.product_money_factor)[
        en["transactions"]["product"].map({p: i for i, p in enumerate(vocab.PRODUCTS)})]
    expected = np.round(en["transactions"]["amount"].to_numpy() * factor, -3)
    assert np.array_equal(fa["transactions"]["amount"].to_numpy(), expected)
    assert (fa["transactions"]["amount"] % 1000 == 0).all()
    subs = fa["transactions"][fa["transactions"]["kind"] == "subscription"]
    # a plan of 250,000 to about 1.1 million Toman per four weeks
    assert 200_000 <= subs["amount"].median() <= 1_200_000
    phones = fa["transactions"][(fa["transactions"]["product"] == "گوشی همراه")
                                & (fa["transactions"]["kind"] == "purchase")]
    assert 10_000_000 <= phones["amount"].median() <= 40_000_000
    comp = np.round(en["complaints"]["compensation_amount"].to_numpy() * 10_000, -3)
    assert np.array_equal(fa["complaints"]["compensation_amount"].to_numpy(), comp)


def test_assumptions_declare_toman_and_the_persian_programme_segment(worlds):
    en, fa = worlds
    a_en = demo.assumptions(en).set_index("key")["value"]
    a_fa = demo.assumptions(fa).set_index("key")["value"]
    assert a_en["currency"] == "USD" and a_fa["currency"] == "IRT"
    assert a_fa["currency_symbol"] == "تومان"
    assert float(a_fa["cost_per_contact_phone"]) == 10_000 * float(a_en["cost_per_contact_phone"])
    assert float(a_fa["target_cost_to_serve"]) == 10_000 * float(a_en["target_cost_to_serve"])
    assert a_fa["gross_margin_pct"] == a_en["gross_margin_pct"]
    assert a_fa["programme_segment"] == "سازمانی" and a_en["programme_segment"] == "Business"
    assert a_fa["programme_start_week"] == a_en["programme_start_week"]


def test_planted_events_are_the_same_and_dated_in_jalali(worlds):
    en, fa = worlds
    t_en = en["truth_parameters"].set_index("key")["value"]
    t_fa = fa["truth_parameters"].set_index("key")["value"]
    assert t_fa["incident_region"] == "تهران" and t_en["incident_region"] == "Central"
    assert t_fa["programme_segment"] == "سازمانی"
    for key in t_en.index.difference(["incident_region", "programme_segment"]):
        assert t_fa[key] == t_en[key], key  # every effect and week identical
    ev_en, ev_fa = en["truth_events"], fa["truth_events"]
    pd.testing.assert_series_equal(ev_en["planted_effect"], ev_fa["planted_effect"])
    for key, week in (("incident", "incident_start_week"),
                      ("self_service_launch", "self_service_launch_week"),
                      ("programme", "programme_start_week")):
        first = date.fromisoformat(t_fa[f"{key}_start_date"])
        assert first == date.fromisocalendar(*map(int, t_fa[week].split("-W")), 1) - timedelta(2)
        assert first.strftime("%A") == "Saturday"
        y, m, d = map(int, t_fa[f"{key}_start_date_jalali"].split("-"))
        assert jdatetime.date(y, m, d).togregorian() == first  # the library's conversion
    # for the pinned end week: 19 Ordibehesht 1405, 5 Mehr 1404, 7 Tir 1404
    assert t_fa["incident_start_date_jalali"] == "1405-02-19"
    assert t_fa["self_service_launch_start_date_jalali"] == "1404-07-05"
    assert t_fa["programme_start_date_jalali"] == "1404-04-07"


def test_persian_text_is_persian_varied_and_tells_the_incident(worlds):
    _, fa = worlds
    texts = [*phrases_fa.COMMENTS_FA]
    for loc_field in ("segments", "regions", "plans", "acquisition_channels", "reasons",
                      "complaint_categories", "complaint_channels", "journey_stages",
                      "touchpoints", "products", "transaction_channels"):
        texts.extend(getattr(locales.FA, loc_field))
    joined = "".join(texts)
    assert "ي" not in joined and "ك" not in joined  # Persian yeh and kaf only
    assert not any(c.isascii() and c.isalpha() for c in joined)
    assert len(set(phrases_fa.COMMENTS_FA)) == len(phrases.COMMENTS) == 720
    # the incident: NPS detractors in Tehran write about the network in the incident weeks
    t = fa["truth_parameters"].set_index("key")["value"]
    start = pd.Timestamp(t["incident_start_date"])
    s = fa["survey_responses"].merge(fa["customers"][["customer_id", "region"]], on="customer_id")
    s = s[(s.survey == "nps") & (s.score <= 6) & s.comment.notna() & (s.region == "تهران")]
    network = s.comment.str.startswith(phrases_fa.PHRASES_FA["network"][0])
    during = s.responded_at.between(start, start + pd.Timedelta(weeks=3), inclusive="left")
    before = s.responded_at.between(start - pd.Timedelta(weeks=8), start, inclusive="left")
    assert network[during].mean() > 0.5 > 2 * network[before].mean()
    assert s[during].comment.str.contains("قطع").any()


def test_unknown_locale_is_named():
    with pytest.raises(ValueError, match="en, fa"):
        demo.generate(customers=100, weeks=2, end_week=DEMO_END_WEEK, locale="de")


def test_demo_cli_builds_the_persian_world(tmp_path):
    out = tmp_path / "fa.duckdb"
    res = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--customers", "3000",
                          "--end-week", DEMO_END_WEEK, "--locale", "fa", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    wh = db.Warehouse(f"duckdb:///{out}")
    regions = set(wh.sql("select distinct region from staging.stg_customers")["region"])
    assert regions == set(locales.FA.regions)
    a = wh.sql("select key, value from raw.assumptions where key = 'currency'")
    assert a["value"].tolist() == ["IRT"]
    # every page runs over the Persian world without an exception or an error box
    for page, at in run_every_page(f"duckdb:///{out}", tmp_path).items():
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
