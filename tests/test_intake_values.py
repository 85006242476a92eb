"""The value rules of ingest: every value stored exactly as given or its row quarantined with a
named rule; bounded input; statistics that never raise on extreme values.

Every case of ``tests/corpus/cases_values.py`` is judged here by ``ingest.prepare`` (read, map,
validate: the rows and rules) and, for the rules that need the warehouse (the amount bound per
currency), by ``contract.check_against``; the loaded cases also go through a real ``ingest``
into a copy of the fixture warehouse, and their stored values are read back byte for byte.
"""

from __future__ import annotations

import math
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.intake import contract, ingest
from dashboard.intake.limits import MAGNITUDE, Limits
from dashboard.metrics import stats
from tests.corpus.cases_values import CASES, GOOD, _row, table_csv

NOW = datetime(2026, 4, 1, tzinfo=UTC)
CUSTOMERS = pd.DataFrame({"customer_id": ["1"], "signup_date": [pd.Timestamp("2025-01-10")]})
BY_KIND = {c.kind: c for c in CASES}


def _write(case, folder: Path) -> tuple[list[Path], Path | None]:
    paths = []
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    mapping = None
    if case.mapping is not None:
        mapping = folder / case.mapping_name
        mapping.write_text(case.mapping, encoding="utf-8")
    return paths, mapping


def test_the_corpus_covers_sixty_kinds_in_the_value_categories():
    kinds = {c.kind for c in CASES}
    assert len(kinds) == len(CASES) >= 60
    assert {c.category for c in CASES} >= {"types", "semantics", "size", "hostile-text",
                                             "encoding"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_each_values_case_is_judged_as_expected(case, tmp_path):
    paths, mapping = _write(case, tmp_path)
    if case.outcome == "bad-argument":
        with pytest.raises(contract.MappingError) as err:
            contract.load_mapping(mapping)
        assert all(w.lower() in str(err.value).lower() for w in case.words), str(err.value)
        assert "\n" not in str(err.value)
        return
    mappings = contract.load_mapping(mapping) if mapping else {}
    (path,) = paths
    prep = ingest.prepare(path, None, mappings, NOW)
    rep = prep.report
    if case.outcome == "refused":
        assert rep.refused is not None
        assert all(w.lower() in rep.refused.lower() for w in case.words), rep.refused
        assert "\n" not in rep.refused
        return
    assert rep.refused is None, rep.refused
    problems = list(rep.problems)
    if not problems and prep.typed is not None:  # the rules that need the warehouse
        _, problems = contract.check_against(rep.table, prep.typed, rep.file, CUSTOMERS,
                                             currency="USD")
    if case.outcome == "loaded":
        assert problems == []
        assert rep.rows_read == 2
        return
    assert sorted({p.row for p in problems}) == list(case.rows)
    rules = " | ".join(p.rule for p in problems).lower()
    assert all(w.lower() in rules for w in case.words), rules


LOADED = [c for c in CASES if c.outcome == "loaded"]


@pytest.mark.parametrize("case", LOADED, ids=lambda c: c.kind)
def test_loaded_values_are_stored_byte_for_byte(case, tmp_path, fixture_db):
    """Through a real load into a copy of the fixture warehouse: exit 0, both rows in, and the
    case's value read back from raw exactly as the file wrote it."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(fixture_db, target)
    folder = tmp_path / "in"
    folder.mkdir()
    paths, mapping = _write(case, folder)
    report = ingest.ingest(paths, target, mapping, now=NOW, archive_dir=tmp_path / "archive")
    assert report.error is None and report.exit_code == 0, report.lines()
    assert report.loaded == 2
    case.check(target)


def test_a_nul_byte_reaches_the_quarantine_whole(tmp_path, fixture_db):
    """``bill\\x00ing`` is not stored as ``bill``: its row is quarantined, and the quarantine
    keeps the value as written, NUL included."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(fixture_db, target)
    case = BY_KIND["NUL byte inside a text value"]
    paths, _ = _write(case, tmp_path)
    report = ingest.ingest(paths, target, now=NOW, archive_dir=tmp_path / "archive")
    assert report.exit_code == 3 and report.loaded == 1 and report.quarantined == 1
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select count(*) from raw.contacts where reason like 'bill%' "
                           "and contact_id in ('V1', 'V2')").fetchone() == (1,)
        assert con.execute("select value, rule from ingest.quarantine where row_number = 2"
                           ).fetchone() == ("bill\x00ing", contract.vrules.CONTROL_RULE)


def test_whitespace_in_text_is_kept_and_ids_are_trimmed():
    df = pd.DataFrame([_row("customers", 1, customer_id="  V1\t", region=" North\t",
                            segment="Mass\r")])
    typed, problems = contract.check_rows("customers", df, "c.csv", NOW)
    assert problems == []
    assert typed.loc[0, "customer_id"] == "V1"
    assert typed.loc[0, "region"] == " North\t"
    assert typed.loc[0, "segment"] == "Mass\r"


@pytest.mark.parametrize(("ambiguous", "want"), [("earlier", "2025-10-26 00:30:00"),
                                                 ("later", "2025-10-26 01:30:00")])
def test_an_ambiguous_hour_takes_the_reading_the_mapping_names(ambiguous, want):
    """Paris, 26 October 2025, 02:30 happened twice: at 00:30 UTC (summer time, +2) and at
    01:30 UTC (winter time, +1)."""
    df = pd.DataFrame([_row("contacts", 1, occurred_at="2025-10-26 02:30:00")])
    typed, problems = contract.check_rows("contacts", df, "c.csv", NOW,
                                          timezone="Europe/Paris", ambiguous=ambiguous)
    assert problems == []
    assert str(typed.loc[0, "occurred_at"]) == want


def test_a_declared_format_and_zone_read_each_value_once():
    """``03/03/2026 10:00`` in Paris is 09:00 UTC; an ISO value is not in the declared format
    (never stored as if UTC); a value in the spring gap is named as such."""
    df = pd.DataFrame([_row("contacts", 1, occurred_at="03/03/2026 10:00"),
                       _row("contacts", 2, occurred_at="2026-03-03T10:00:00Z"),
                       _row("contacts", 3, occurred_at="29/03/2026 02:30")])
    typed, problems = contract.check_rows("contacts", df, "c.csv", NOW,
                                          date_format="%d/%m/%Y %H:%M", timezone="Europe/Paris")
    assert str(typed.loc[0, "occurred_at"]) == "2026-03-03 09:00:00"
    assert [(p.row, p.rule) for p in problems] == [
        (2, "not a date in the declared format ('%d/%m/%Y %H:%M')"),
        (3, "a local time that does not exist in Europe/Paris (the clocks skipped it)")]


def test_the_amount_bound_follows_the_currency(monkeypatch):
    """A Rial amount runs five orders of magnitude above a dollar one: 5e12 IRR (about
    USD 100k at 50,000 IRR per dollar) loads, 5e12 USD does not; CX_MAX_AMOUNT moves both."""
    assert MAGNITUDE["IRR"] == 1e5 * MAGNITUDE["USD"]
    typed = pd.DataFrame([{**_row("transactions", 1), "amount": 5e12,
                           "occurred_at": pd.Timestamp("2026-03-02 10:00")}])
    for currency, quarantined in (("IRR", False), ("USD", True), (None, False)):
        _, problems = contract.check_against("transactions", typed, "t.csv", CUSTOMERS,
                                             currency=currency)
        assert bool(problems) is quarantined, currency
    monkeypatch.setenv("CX_MAX_AMOUNT", "1e3")
    assert Limits.from_env().amount_bound("IRR") == 1e8
    _, problems = contract.check_against("transactions", typed, "t.csv", CUSTOMERS,
                                         currency="IRR")
    assert [p.rule for p in problems] == [
        "amount beyond the plausible bound of 100,000,000 IRR (CX_MAX_AMOUNT, per currency)"]


def test_file_size_and_field_limits_refuse_in_one_line(tmp_path, monkeypatch):
    path = tmp_path / "contacts.csv"
    path.write_bytes(table_csv("contacts", [_row("contacts", 1, reason="x" * 2_000)]))
    monkeypatch.setenv("CX_LIMIT_FIELD_CHARS", "1000")
    with pytest.raises(contract.FileRefused, match=r"^contacts.csv, row 1, column reason: a "
                                                   r"value of 2,000 characters, over the limit "
                                                   r"of 1,000 \(CX_LIMIT_FIELD_CHARS\)$"):
        contract.read_file(path)
    monkeypatch.setenv("CX_LIMIT_FILE_MB", "0.001")
    with pytest.raises(contract.FileRefused, match=r"the file is 0.0 MB, over the limit of "
                                                   r"0.0 MB \(CX_LIMIT_FILE_MB\)"):
        contract.read_file(path)


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_read(tmp_path):
    """A workbook of 3 MB of text compresses to a few kilobytes; the bound is on what it
    unpacks to (the zip's own sizes), checked before any cell is read."""
    path = tmp_path / "contacts.xlsx"
    text = [f"{i:03d}" + "y" * 30_000 for i in range(100)]  # distinct: none shared
    pd.DataFrame({"reason": text}).to_excel(path, index=False)
    assert path.stat().st_size < 100_000
    with zipfile.ZipFile(path) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    assert unpacked > 3_000_000
    with pytest.raises(contract.FileRefused, match=r"unpacks to .* over the limit of 1.0 MB "
                                                   r"\(CX_LIMIT_XLSX_MB\)"):
        contract.read_file(path, Limits(xlsx_mb=1.0))


def test_rows_per_load_refuse_every_file_of_the_load(tmp_path, monkeypatch):
    for name in ("contacts.csv", "transactions.csv"):
        table = name.removesuffix(".csv")
        (tmp_path / name).write_bytes(table_csv(table, [_row(table, i) for i in range(1, 4)]))
    monkeypatch.setenv("CX_LIMIT_ROWS", "5")
    report = ingest.ingest([tmp_path / "contacts.csv", tmp_path / "transactions.csv"],
                           tmp_path / "w.duckdb", now=NOW, archive_dir=tmp_path / "a")
    assert report.exit_code == 1 and report.loaded == 0
    assert [f.refused for f in report.files] == [
        "the load reads 6 rows, over the limit of 5 rows per load (CX_LIMIT_ROWS); load the "
        "files in smaller runs"] * 2
    assert not (tmp_path / "w.duckdb").exists()


def test_a_yaml_mapping_without_aliases_still_loads(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("contacts:\n  timezone: Europe/Paris\n  ambiguous: later\n", "utf-8")
    m = contract.load_mapping(path)["contacts"]
    assert (m.timezone, m.ambiguous) == ("Europe/Paris", "later")


def test_good_rows_of_every_table_meet_every_rule():
    """The corpus's good rows are good: a case's quarantine is its bad value's doing."""
    for table in GOOD:
        df = pd.DataFrame([_row(table, 1)])
        _, problems = contract.check_rows(table, df, "f.csv", NOW)
        assert problems == [], table


# --- statistics on extreme values --------------------------------------------------------

def test_statistics_never_raise_and_never_print_an_infinite_interval():
    """Two amounts of 1.7e308: their sum is inf in a double, their squares beyond it, as
    Python integers beyond any float; every estimate is withheld, every test gives p = 1."""
    big = 1.7e308
    total = big + big  # inf
    assert math.isinf(total)
    for est in (stats.mean(total, math.inf, 200), stats.mean(10**400, 10**800, 200),
                stats.normal(total, math.inf, 200), stats.normal(1.0, 10**700, 200),
                stats.normal(math.nan, 1.0, 200)):
        assert est.status == "withheld" and est.value is None and est.ci_low is None
    assert stats.mean_test((total, math.inf, 50), (1.0, 2.0, 50)) == 1.0
    ok = stats.normal(100.0, 4.0, 200)
    assert stats.normal_test(ok, stats.Estimate(total, 200, detail={"var": math.inf})) == 1.0
    # a large but finite figure keeps its interval: value ± 1.96 · √var
    est = stats.normal(1e150, 1e300, 200)
    assert est.status == "ok" and est.ci_high - est.value == pytest.approx(stats.Z95 * 1e150)


def test_jalali_dates_are_read_in_the_jalali_calendar():
    """9 Aban 1404 is 31 October 2025; 30 Esfand 1403 is 20 March 2025 (1403 is a leap year),
    and 1404 has no 30 Esfand; Persian digits read as ASCII ones; a Gregorian-looking value is
    no Jalali date in the declared format."""
    df = pd.DataFrame([_row("contacts", 1, occurred_at="1404/08/09 14:30"),
                       _row("contacts", 2, occurred_at="۱۴۰۳/۱۲/۳۰ ۰۸:۰۰"),
                       _row("contacts", 3, occurred_at="1404/12/30 08:00"),
                       _row("contacts", 4, occurred_at="2026-10-31 14:30")])
    typed, problems = contract.check_rows("contacts", df, "c.csv", NOW,
                                          date_format="%Y/%m/%d %H:%M",
                                          timezone="Asia/Tehran", calendar="jalali")
    # Tehran is UTC+03:30 all year (no daylight saving since 2022)
    assert str(typed.loc[0, "occurred_at"]) == "2025-10-31 11:00:00"
    assert str(typed.loc[1, "occurred_at"]) == "2025-03-20 04:30:00"
    assert [(p.row, p.rule) for p in problems] == [
        (3, "not a Jalali date in the declared format ('%Y/%m/%d %H:%M')"),
        (4, "not a Jalali date in the declared format ('%Y/%m/%d %H:%M')")]


def test_a_jalali_mapping_is_read_and_checked(tmp_path):
    good = tmp_path / "m.toml"
    good.write_text('[contacts]\ndate_format = "%Y/%m/%d"\ncalendar = "jalali"\n',
                    encoding="utf-8")
    assert contract.load_mapping(good)["contacts"].times.calendar == "jalali"
    for body, message in [
            ('calendar = "jalali"\n', "calendar = \"jalali\" needs the date_format"),
            ('calendar = "hijri"\n', "calendar must be \"gregorian\" or \"jalali\""),
            ('date_format = "%Y/%m/%d %z"\ncalendar = "jalali"\n', "cannot carry an offset")]:
        bad = tmp_path / "bad.toml"
        bad.write_text("[contacts]\n" + body, encoding="utf-8")
        with pytest.raises(contract.MappingError, match=message):
            contract.load_mapping(bad)


def test_a_file_of_jalali_dates_goes_through_ingest_with_its_mapping(tmp_path):
    """The mapping's calendar reaches the reading of the file (``ingest.prepare``)."""
    path = tmp_path / "contacts.csv"
    path.write_bytes(table_csv("contacts", [_row("contacts", 1, occurred_at="1404/08/09"),
                                            _row("contacts", 2, occurred_at="1404/13/01")]))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[contacts]\ndate_format = "%Y/%m/%d"\ncalendar = "jalali"\n',
                       encoding="utf-8")
    prep = ingest.prepare(path, None, contract.load_mapping(mapping), NOW)
    assert prep.report.refused is None, prep.report.refused
    assert [(p.row, p.rule) for p in prep.report.problems] == [
        (2, "not a Jalali date in the declared format ('%Y/%m/%d')")]
    assert str(prep.typed.loc[0, "occurred_at"]) == "2025-10-31 00:00:00"
