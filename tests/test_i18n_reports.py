"""The reports read in Persian: every sentence the KPI and analysis reports build (tiles,
captions, verdicts, headlines, takeaways, notes, table headers and cells) comes out in Persian
with Persian digits only; what is left in Latin letters is a product name (NPS, CSAT, CES), a
statistical symbol (n, p, t, k), an ISO week code or date, an identifier of the data contract
(``compensation_amount``) or a value from the data itself (a region, a category)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pytest

from dashboard import i18n
from dashboard.analysis import complaints
from dashboard.metrics import dimensions, display, kpis
from dashboard.metrics.filters import Filters
from dashboard.metrics.registry import METRICS, REVENUE_PER_CUSTOMER

#: Latin words a Persian screen may keep: product names and statistical symbols.
PRODUCT_NAMES = {"NPS", "CSAT", "CES"}
SYMBOLS = {"n", "p", "t", "k"}
#: ISO week codes and dates (Jalali week labels are another part of the work), identifiers of
#: the data contract (snake_case).
CODES = re.compile(r"\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}|[a-z]+(?:_[a-z0-9]+)+")
PERSIAN_DIGIT = re.compile("[۰-۹]")


def leftovers(text: str, data_values: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(Latin words, ASCII digits) left in ``text`` once the data's own values, codes, product
    names and symbols are set aside."""
    for value in sorted(data_values, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    text = CODES.sub(" ", text)
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w not in PRODUCT_NAMES | SYMBOLS]
    return words, re.findall(r"[0-9]+", text)


def assert_persian(texts: Iterable[str], data_values: Iterable[str] = ()) -> None:
    values = list(data_values)
    texts = [t for t in texts if t]
    assert texts
    for text in texts:
        words, digits = leftovers(text, values)
        assert not words, f"English left in {text!r}: {words}"
        assert not digits, f"Latin digits left in {text!r}: {digits}"
    # numbers are written, in Persian digits
    assert any(PERSIAN_DIGIT.search(t) for t in texts)


def test_the_check_finds_english_and_latin_digits():
    assert leftovers("NPS ۱۷٫۱ در 2026-W44 (n = ۱۲)") == ([], [])
    assert leftovers("Better. ۱۲") == (["Better"], [])
    assert leftovers("۱۲ of 30") == (["of"], ["30"])
    assert leftovers("منطقه: North", ["North"]) == ([], [])


@pytest.fixture(scope="module")
def latest(demo_fetch) -> str:
    return kpis.load_catalog(demo_fetch).latest_complete


def _data_values(fetch) -> list[str]:
    opts = dimensions.load_options(fetch)
    return [display.name(v) for values in opts.values() for v in values] + \
        [str(v) for values in opts.values() for v in values]


def test_kpi_report_reads_in_persian(demo_fetch, latest):
    values = _data_values(demo_fetch)
    region = dimensions.load_options(demo_fetch)["region"][0]
    with i18n.use("fa"):
        for f in (Filters(week=latest), Filters(week=latest, regions=(region,), compare="4w")):
            r = kpis.build_report(demo_fetch, f)
            texts = [r.headline, f.describe(), f.compare_label]
            for t in r.tiles:
                texts += [t.metric.label, t.metric.definition, t.metric.unit,
                          kpis.tile_caption(t, r.currency_symbol), kpis.verdict(t, f)]
            assert_persian(texts, values)
        # each verdict word and the headline's other forms
        assert [display.verdict_word(True, g) for g in (True, False)] == ["بهتر", "بدتر"]
        assert display.verdict_word(False, True) == "در حد نوسان"
        assert_persian([m.definition for m in (*METRICS, REVENUE_PER_CUSTOMER)] +
                       [m.delta_unit for m in METRICS if m.delta_unit])
    # English is what it was, and the labels are English again outside the block
    r_en = kpis.build_report(demo_fetch, Filters(week=latest))
    assert r_en.tile("complaint_rate").metric.label == "Complaint rate"
    assert not PERSIAN_DIGIT.search(r_en.headline)


def test_a_moved_kpi_headline_reads_in_persian(demo_fetch, latest):
    """The headline of a significant movement (the demo's planted incident week or any week
    where a KPI moved) names the metric, its change, value and p in Persian."""
    weeks = kpis.load_catalog(demo_fetch).weeks
    with i18n.use("fa"):
        for week in weeks[:30]:
            f = Filters(week=week)
            r = kpis.build_report(demo_fetch, f)
            if any(t.significant for t in r.tiles):
                break
        else:
            pytest.fail("no week with a significant KPI movement in the demo")
        assert_persian([r.headline], _data_values(demo_fetch))
        assert "پس از تصحیح" in r.headline


def test_filter_line_and_dimension_notes_read_in_persian():
    f = Filters(week="2026-W10", segments=("A", "B"), regions=("North",))
    assert f.describe() == "segment: A, B; region: North"
    dims = dimensions.Dimensions({"segment": ("Retail",), "region": (), "plan": ("X", "Y")})
    with i18n.use("fa"):
        assert f.describe() == "بخش: A، B؛ منطقه: North"
        assert Filters(week="2026-W10").describe() == "همهٔ مشتریان"
        assert Filters(week="2026-W10", compare="52w").compare_label == "۵۲ هفته پیش‌تر"
        notes = [dims.note("segment"), dims.note("region"),
                 dims.none_note(("segment", "region", "channel"))]
        assert notes[0] == "همهٔ مشتریان در یک بخش‌اند (Retail): تفکیک بر پایهٔ بخش ممکن نیست."
        assert notes[2] == ("تفکیکی ممکن نیست: بخش، منطقه و کانال نظرسنجی هر کدام در داده‌ها "
                            "تنها یک مقدار دارند.")
        for n in notes:
            assert leftovers(n, ["Retail"]) == ([], [])
    assert dims.none_note(("segment", "region", "channel")) == (
        "No split: segment, region and survey channel each have a single value in the data.")


def _frame_texts(df: pd.DataFrame) -> list[str]:
    return [str(c) for c in df.columns] + [str(v) for v in df.to_numpy().ravel()]


def test_complaints_report_reads_in_persian(demo_fetch, latest):
    values = _data_values(demo_fetch)
    with i18n.use("fa"):
        r = complaints.build_report(demo_fetch, Filters(week=latest))
        values += [display.name(c) for c in r.pareto["category"]]
        texts = [*r.takeaways.values(), *r.notes.values()]
        for c in r.cards:
            texts += [c.label, c.value, *c.captions, c.help, c.delta or ""]
        texts += _frame_texts(r.recovery_rows) + _frame_texts(r.repeat_rows)
        assert_persian(texts, values)
        # a card is still found by its English label
        assert r.card("Open backlog").label == "شکایت‌های باز"
        assert list(r.recovery_rows.columns)[0] == "گروه"
    en = complaints.build_report(demo_fetch, Filters(week=latest))
    assert list(en.recovery_rows["Group"]) == list(complaints.RECOVERY_GROUPS.values())


def test_satisfaction_report_reads_in_persian(demo_fetch, latest):
    from dashboard.analysis import satisfaction as sat

    values = _data_values(demo_fetch)
    with i18n.use("fa"):
        for view in (sat.View(), sat.View(split="touchpoint", score="csat"),
                     sat.View(split="segment", score="ces")):
            r = sat.build_report(demo_fetch, Filters(week=latest), view)
            values += [str(g) for g in r.movers["group"]] + list(r.gap["label"])
            texts = [r.headline, r.trend_title, r.trend_takeaway, r.mix_title, r.mix_takeaway,
                     r.distribution_title, r.distribution_takeaway, r.gap_title,
                     r.gap_takeaway, r.movers_title, r.movers_takeaway, r.y_title,
                     *r.movers_columns().values(), *r.movers["verdict"], *r.movers["ci_week"],
                     *r.mix["category_label"], r.window.span]
            for t in r.tiles:
                texts += [t.value_text, t.delta_text or "", t.caption, t.verdict]
            assert_persian(texts, values)
        assert sat.split_choices(dimensions.load(demo_fetch))["region"] == "منطقه"
    en = sat.build_report(demo_fetch, Filters(week=latest), sat.View())
    assert en.window.span == "26 weeks" and en.movers_columns()["delta"] == "Change"


def test_cost_report_reads_in_persian(demo_fetch, latest):
    from dashboard.analysis import cost

    values = _data_values(demo_fetch) + ["CX Ledger"]
    with i18n.use("fa"):
        for basis in ("per_customer", "total"):
            r = cost.build_report(demo_fetch, Filters(week=latest), basis=basis)
            values += [str(v) for v in r.channel_week["label"]]
            texts = [*r.takeaways.values(), *r.titles.values(), cost.describe_method(r),
                     r.savings_unit]
            for t in r.tiles:
                texts += [t.label, t.value, t.caption, t.help]
            texts += _frame_texts(r.channel_table) + _frame_texts(r.segment_table)
            texts += _frame_texts(r.savings_table) + list(r.waterfall["label"])
            texts += [str(c) for c in r.unit_costs.columns]
            assert r.savings is not None
            assert_persian(texts, values)
    en = cost.build_report(demo_fetch, Filters(week=latest))
    assert en.tiles[0].label == "Cost to serve" and "Channel" in en.channel_table.columns


#: Month names still written the Gregorian way (Jalali months are another part of the work).
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
GREGORIAN_DATE = re.compile(r"\d{2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]+ \d{4}")


def test_churn_report_reads_in_persian(demo_fetch, latest):
    from dashboard.analysis import churn

    values = _data_values(demo_fetch)
    with i18n.use("fa"):
        r = churn.build_report(demo_fetch, Filters(week=latest))
        texts = [*r.takeaways.values(), *r.notes.values()]
        for c in r.cards:
            texts += [c.label, c.value, *c.captions, c.help, c.delta or ""]
        texts += _frame_texts(r.survival_rows)
        texts += _frame_texts(r.at_risk.drop(columns=["شناسهٔ مشتری"]).head(20))
        texts = [GREGORIAN_DATE.sub(" ", t) for t in texts]
        assert_persian(texts, values + MONTHS)
        assert r.card("At-risk customers").label == "مشتریان در معرض ریزش"
    en = churn.build_report(demo_fetch, Filters(week=latest))
    assert en.card("Monthly churn").label == "Monthly churn"
    assert "Why at risk" in en.at_risk.columns


def test_every_literal_template_in_the_code_is_in_the_catalog():
    """Babel's extractor skips a ``_("…")`` nested in another call's arguments; every literal
    template the code passes to ``_``, ``N_`` or ``ngettext`` is found here by the syntax tree
    and must be in the Persian catalog with a translation."""
    import ast

    from babel.messages.pofile import read_po

    from tests.conftest import ROOT

    with (ROOT / "dashboard/i18n/locale/fa/LC_MESSAGES/cx.po").open("rb") as fh:
        catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh) if m.id}
    missing = []
    files = [*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("_", "N_", "ngettext") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                entry = catalog.get(first.value)
                if entry is None or not entry.string:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {first.value!r}")
    assert not missing, missing
