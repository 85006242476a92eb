"""A warehouse whose marts were built by another version's SQL (an earlier CX Ledger) is told
apart and never queried: every rebuild records the fingerprint of the staging and mart SQL
(``steps.marts_version``), a named query reading marts is refused with one line when the
warehouse's differs, the pages say so in one sentence (English and Persian), and
``ingest --rebuild`` (or the next load) rebuilds the marts from the loaded data."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from dashboard import i18n
from dashboard.warehouse import catalog, db, steps
from tests.conftest import ROOT


def _copy(demo_db, tmp_path, version: str | None) -> str:
    """A copy of the demo warehouse whose recorded version is ``version`` (None: none
    recorded, as a warehouse built before it was kept)."""
    path = tmp_path / "older.duckdb"
    shutil.copyfile(demo_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("delete from ingest.settings where setting_key = 'marts_version'")
        if version is not None:
            con.execute("insert into ingest.settings values ('marts_version', ?, now())",
                        [version])
    return str(path)


def test_a_build_records_this_versions_fingerprint(demo_wh):
    assert len(steps.marts_version()) == 16
    assert demo_wh.marts_version() == steps.marts_version()
    assert len(demo_wh.run("filter_options")) > 0


def test_the_fingerprint_follows_the_staging_and_mart_sql(monkeypatch):
    before = steps.marts_version()
    q = catalog.layer_queries("marts")[0]
    changed = {**catalog.catalog(), q.name: dataclasses.replace(q, sql=q.sql + " ")}
    steps.marts_version.cache_clear()
    monkeypatch.setattr(catalog, "catalog", lambda: changed)
    try:
        assert steps.marts_version() != before
    finally:
        monkeypatch.undo()
        steps.marts_version.cache_clear()
    assert steps.marts_version() == before


@pytest.mark.parametrize("version", [None, "0123456789abcdef"])
def test_older_marts_are_refused_in_one_line(demo_db, tmp_path, version):
    wh = db.Warehouse(f"duckdb:///{_copy(demo_db, tmp_path, version)}")
    assert wh.marts_version() == version
    with pytest.raises(db.WarehouseStale) as err:
        wh.run("filter_options")
    assert "\n" not in str(err.value) and "ingest --rebuild" in str(err.value)
    assert isinstance(err.value, db.WarehouseMissing)  # handled wherever a missing one is
    # a query that reads no mart still runs (the Data page's own reads)
    raw_only = next(q.name for q in catalog.catalog().values()
                    if q.layer == "dashboard" and not q.reads_marts and not q.params)
    wh.run(raw_only)


def test_ingest_rebuild_makes_them_this_versions_again(demo_db, demo_wh, tmp_path):
    path = _copy(demo_db, tmp_path, None)
    res = subprocess.run([sys.executable, "-m", "dashboard", "ingest", "--rebuild", "--out",
                          path, "--quiet"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**os.environ, "CX_ARCHIVE_DIR": str(tmp_path / "archive")})
    assert res.returncode == 0, res.stderr
    assert "Staging and marts rebuilt from the loaded data" in res.stdout
    wh = db.Warehouse(f"duckdb:///{path}")
    assert wh.marts_version() == steps.marts_version()
    # one row: the rebuild replaced what an earlier one recorded
    assert wh.sql("select count(*) as n from ingest.settings where setting_key = "
                  "'marts_version'")["n"].iloc[0] == 1
    # the same marts as a fresh build of the same rows
    for name in ("filter_options", "weeks_available"):
        assert wh.run(name).equals(demo_wh.run(name)), name


def test_without_anything_to_do_ingest_asks_for_files_a_date_or_rebuild(tmp_path):
    res = subprocess.run([sys.executable, "-m", "dashboard", "ingest", "--out",
                          str(tmp_path / "w.duckdb")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 2 and "--rebuild" in res.stderr


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_pages_say_it_in_one_sentence(demo_db, tmp_path, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    from dashboard.ui import common as ui

    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{_copy(demo_db, tmp_path, None)}")
    monkeypatch.setenv("CX_APP_STORE_URL", f"sqlite:///{tmp_path}/store.sqlite")
    monkeypatch.setenv("CX_LOCALE", lang)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    with i18n.use(lang):
        note = i18n._(ui.STALE_NOTE)
    assert lang == "en" or note != ui.STALE_NOTE  # translated
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [note]
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    assert note in [w.value for w in at.warning]
    assert at.get("file_uploader")  # the next load, which rebuilds them, stays offered


def test_the_headless_commands_say_it_in_one_line(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path, None)
    for command in ("kpis", "money"):
        res = subprocess.run([sys.executable, "-m", "dashboard", command, "--url",
                              f"duckdb:///{path}"], capture_output=True, text=True, cwd=ROOT,
                             timeout=300)
        assert res.returncode == 2, (command, res.stdout, res.stderr)
        assert len(res.stderr.splitlines()) == 1 and "ingest --rebuild" in res.stderr
