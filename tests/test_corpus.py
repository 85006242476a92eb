"""The corpus of malformed and hostile inputs (``tests/corpus/cases_*.py``), each run through
``ingest`` in-process by the command line's own entry point against a fresh copy of the
fixture warehouse. Per case: the documented exit status, no traceback and no line longer than
a screen's worth on stdout or stderr, the message's words, the quarantined rows, the
warehouse still passing every contract check and keeping every row it had (unchanged to the
byte when nothing loaded), no temporary file left beside it or in the archive, and the case's
own check of what was stored. The tally per category and outcome is printed at the end."""

from __future__ import annotations

import hashlib
import importlib
import shutil
from collections import Counter
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.warehouse import build
from tests.corpus.case import CATEGORIES, OUTCOMES, Case
from tests.corpus.make import stored

CORPUS = Path(__file__).parent / "corpus"
#: The longest line a case may print (a file of 10,000 columns still gets a short line).
LINE_LIMIT = 4_000
#: Raw tables and their keys: every key a warehouse had must still be there afterwards.
KEYED = {"customers": "customer_id", "survey_responses": "response_id",
         "complaints": "complaint_id", "contacts": "contact_id",
         "transactions": "transaction_id"}


def _discover() -> list[tuple[str, Case]]:
    found = []
    for path in sorted(CORPUS.glob("cases_*.py")):
        module = importlib.import_module(f"tests.corpus.{path.stem}")
        found += [(path.stem.removeprefix("cases_"), c) for c in module.CASES]
    return found


ALL = _discover()
TALLY: Counter = Counter()


def _id(group: str, case: Case) -> str:
    return f"{group}:{case.kind}"


def test_kinds_are_named_once_and_every_category_is_covered():
    ids = [_id(g, c) for g, c in ALL]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    ours = [c for g, c in ALL if g != "values"]  # the structure, mapping, … groups
    assert len(ours) >= 90, len(ours)
    covered = {c.category for c in ours}
    assert {"encoding", "structure", "mapping", "size", "file-name",
            "hostile-text"} <= covered, covered
    if any(g == "values" for g, _ in ALL):  # with the value rules' cases: the whole corpus
        assert len(ALL) >= 150 and {c.category for _, c in ALL} == set(CATEGORIES)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _keys(path: Path) -> dict[str, set]:
    return {t: {r[0] for r in stored(path, f"select {k} from raw.{t}")}
            for t, k in KEYED.items()}


def _last_load(path: Path) -> int:
    return stored(path, "select coalesce(max(load_id), 0) from ingest.loads")[0][0]


def _checks_pass(path: Path) -> dict[str, int]:
    """Every contract check's failing rows on the warehouse (a copy, so nothing changes)."""
    b = build.Builder.copy_of(path)
    try:
        return {name: len(rows) for name, rows in b.run_checks().items() if len(rows)}
    finally:
        b.abort()


@pytest.mark.parametrize(("group", "case"), ALL, ids=[_id(g, c) for g, c in ALL])
def test_case(group, case: Case, tmp_path, fixture_db, monkeypatch, capsys):
    status = "failed"
    try:
        _run(case, tmp_path, fixture_db, monkeypatch, capsys)
        status = "ok"
    finally:
        TALLY[(case.category, case.outcome, status)] += 1


def _run(case: Case, tmp_path: Path, fixture_db: Path, monkeypatch, capsys) -> None:
    wh = tmp_path / "wh" / "warehouse.duckdb"
    wh.parent.mkdir()
    shutil.copyfile(fixture_db, wh)
    archive = tmp_path / "archive"
    monkeypatch.setenv("CX_ARCHIVE_DIR", str(archive))
    inbox = tmp_path / "in"
    inbox.mkdir()
    paths = []
    for name, data in case.files.items():
        p = inbox / name
        p.write_bytes(data)
        paths.append(str(p))
    args = ["ingest", *paths, "--out", str(wh), "--quiet", "--show", "50", *case.args]
    if case.mapping is not None:
        m = tmp_path / case.mapping_name
        # surrogateescape: a case can hold bytes that are not UTF-8 (\udcXX is byte XX)
        m.write_bytes(case.mapping.encode("utf-8", "surrogateescape"))
        args += ["--mapping", str(m)]
    before_sha, before_keys, before_load = _sha(wh), _keys(wh), _last_load(wh)
    capsys.readouterr()
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse refusing an argument
        code = exc.code
    out, err = capsys.readouterr()
    said = out + err
    assert "Traceback" not in said, said
    assert code == OUTCOMES[case.outcome], f"exit {code}, expected {case.outcome}:\n{said}"
    for word in case.words:
        assert word.lower() in said.lower(), f"{word!r} not in:\n{said}"
    long = [len(line) for line in said.splitlines() if len(line) > LINE_LIMIT]
    assert not long, f"lines of {long} characters"
    # the warehouse: complete, every check passing, nothing it had lost
    if code in (OUTCOMES["refused"], OUTCOMES["bad-argument"]) and case.rows is None:
        assert _sha(wh) == before_sha
    after = _keys(wh)
    for table, keys in before_keys.items():
        assert keys <= after[table], f"{table}: rows lost {sorted(keys - after[table])[:5]}"
    assert _checks_pass(wh) == {}
    if case.rows is not None:
        rows = stored(wh, "select distinct row_number from ingest.quarantine where load_id > ? "
                          "order by 1", (before_load,))
        assert tuple(r[0] for r in rows) == tuple(sorted(case.rows)), said
    left = sorted(p.name for p in wh.parent.iterdir()
                  if p.name not in {wh.name, f".{wh.name}.lock"})
    assert left == [], left
    if archive.exists():
        odd = [p.name for p in archive.rglob(".*") if p.is_file()]
        assert odd == [], odd
    if case.check is not None:
        case.check(wh)


@pytest.fixture(scope="module", autouse=True)
def _tally(request):
    """Print the tally per category and outcome once the module's cases have run."""
    yield
    if not TALLY:
        return
    rep = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["", "corpus tally (category, outcome: ok / failed):"]
    for cat in CATEGORIES:
        for outcome in OUTCOMES:
            ok, bad = TALLY[(cat, outcome, "ok")], TALLY[(cat, outcome, "failed")]
            if ok or bad:
                lines.append(f"  {cat:<13} {outcome:<13} {ok:>4} ok {bad:>3} failed")
    ok = sum(n for (_, _, s), n in TALLY.items() if s == "ok")
    lines.append(f"  total: {ok} ok, {sum(TALLY.values()) - ok} failed")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # shown even when output is captured
        for line in lines:
            (rep.write_line if rep else print)(line)
