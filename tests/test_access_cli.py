"""The command line's roles (``python -m dashboard roles``) and the headless commands run as a
named identity (``--as``): refused without the role, narrowed to the scope (a scheduled pack
for a regional manager holds only their region), recorded in the audit log."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from dashboard import cli
from dashboard.access import store as access
from dashboard.warehouse import db


@pytest.fixture()
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("CX_APP_STORE_URL", url)
    return url


def run(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_roles_are_granted_shown_listed_revoked_and_audited(store_url, capsys, tmp_path):
    st, out, _ = run(capsys, "roles", "list")
    assert st == 0 and out.startswith("no role is granted yet")
    st, out, _ = run(capsys, "roles", "grant", "executive", "--email", "Reza@X.org",
                     "--scope", "region=North", "--by", "ops@x.org")
    assert st == 0 and out.strip() == "granted executive to email reza@x.org (region=North)"
    assert run(capsys, "roles", "grant", "analyst", "--group", "cx-analysts",
               "--by", "ops@x.org")[0] == 0
    # the rules: finance is company-wide; scopes on two dimensions do not join
    st, _, err = run(capsys, "roles", "grant", "finance", "--email", "f@x.org", "--scope",
                     "region=North", "--by", "ops@x.org")
    assert st == 2 and err.strip() == ("error: grant: the finance role acts for the whole "
                                       "company and takes no scope")
    st, _, err = run(capsys, "roles", "grant", "marketing", "--email", "reza@x.org",
                     "--scope", "segment=Mass", "--by", "ops@x.org")
    assert st == 2 and "restrict different dimensions" in err
    st, out, _ = run(capsys, "--lang", "en", "roles", "--json", "show", "REZA@x.org",
                     "--group", "cx-analysts")
    doc = json.loads(out)
    assert doc == {"email": "reza@x.org", "groups": ["cx-analysts"],
                   "roles": ["analyst", "executive"],
                   "permissions": sorted(["aggregates", "segments", "pack", "export_aggregates",
                                          "customer_ids", "personal_text", "export_all"]),
                   "scope": ""}  # the analysts' group is company-wide: the union is too
    st, out, _ = run(capsys, "roles", "--json", "list")
    assert [(g["subject"], g["role_name"], g["scope"], g["granted_by"])
            for g in json.loads(out)] == [("reza@x.org", "executive", "region=North",
                                           "ops@x.org"),
                                          ("cx-analysts", "analyst", "", "ops@x.org")]
    assert run(capsys, "roles", "revoke", "executive", "--email", "reza@x.org",
               "--by", "ops@x.org")[0] == 0
    st, _, err = run(capsys, "roles", "revoke", "executive", "--email", "reza@x.org",
                     "--by", "ops@x.org")
    assert st == 1 and err.strip() == "error: email reza@x.org does not hold executive"
    path = tmp_path / "audit.csv"
    st, out, _ = run(capsys, "roles", "audit", "--csv", str(path))
    assert st == 0 and out.strip() == f"3 events written to {path}"
    events = pd.read_csv(path, encoding="utf-8-sig")
    assert list(events["action"]) == ["role_revoke", "role_grant", "role_grant"]
    assert set(events["actor"]) == {"ops@x.org"}
    st, out, _ = run(capsys, "roles", "--json", "audit", "--action", "role_revoke")
    assert [e["target"] for e in json.loads(out)] == ["reza@x.org"]


def _regions(demo_db) -> list[str]:
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    return sorted(wh.run("filter_options").query("dimension == 'region'")["dimension_value"])


def test_a_service_identity_sees_its_scope_and_nothing_else(demo_db, store_url, capsys):
    north, south = _regions(demo_db)[:2]
    url = f"duckdb:///{demo_db}"
    assert run(capsys, "roles", "grant", "executive", "--email", "svc-north@cx.local",
               "--scope", f"region={north}", "--by", "ops@x.org")[0] == 0
    assert run(capsys, "roles", "grant", "steward", "--email", "loader@cx.local",
               "--by", "ops@x.org")[0] == 0
    st, out, _ = run(capsys, "kpis", "--url", url, "--json", "--region", north)
    want = json.loads(out)
    st, out, _ = run(capsys, "kpis", "--url", url, "--json", "--as", "svc-north@cx.local")
    assert st == 0
    got = json.loads(out)
    assert got["kpis"] == want["kpis"] and got["filters"] == want["filters"]
    # asking for another region is refused in one line, not answered with the scope
    st, _, err = run(capsys, "kpis", "--url", url, "--as", "svc-north@cx.local",
                     "--region", south)
    assert st == 2 and err.strip() == (f"error: region {south} is outside the scope of "
                                       f"svc-north@cx.local (region={north})")
    # a steward's identity opens no figures; an identity with no grant is refused
    st, _, err = run(capsys, "money", "--url", url, "--as", "loader@cx.local")
    assert st == 2 and err.strip() == ("error: --as loader@cx.local: its roles (steward) do "
                                       "not allow this (aggregates)")
    st, _, err = run(capsys, "kpis", "--url", url, "--as", "nobody@cx.local")
    assert st == 2 and "no role is granted to it" in err
    st, out, _ = run(capsys, "money", "--url", url, "--json", "--as", "svc-north@cx.local")
    assert st == 0
    st, out2, _ = run(capsys, "money", "--url", url, "--json", "--region", north)
    assert json.loads(out) == json.loads(out2)
    events = access.events(db.AppStore(store_url), action="export")
    assert list(events["target"]) == ["money", "kpis"]
    assert set(events["actor_scope"]) == {f"region={north}"}


def test_a_scheduled_pack_for_a_regional_manager_holds_only_their_region(demo_db, store_url,
                                                                          capsys, tmp_path):
    north = _regions(demo_db)[0]
    url = f"duckdb:///{demo_db}"
    assert run(capsys, "roles", "grant", "marketing", "--email", "mkt@cx.local",
               "--by", "ops@x.org")[0] == 0
    st, _, err = run(capsys, "pack", "--url", url, "--as", "mkt@cx.local", "--format", "xlsx",
                     "--out", str(tmp_path / "no"))
    assert st == 2 and "do not allow this (pack)" in err and not (tmp_path / "no").exists()
    assert run(capsys, "roles", "grant", "executive", "--email", "north@cx.local", "--scope",
               f"region={north}", "--by", "ops@x.org")[0] == 0
    out_dir = tmp_path / "packs"
    st, out, err = run(capsys, "pack", "--url", url, "--as", "north@cx.local", "--format",
                       "xlsx", "--charts", "cmp_pareto,cts_segments", "--out", str(out_dir),
                       "--quiet", "--no-email")
    assert st == 0, err
    (book,) = out_dir.glob("*.xlsx")
    assert f"region-{north.lower()}" in book.name
    wb = openpyxl.load_workbook(book, read_only=True)
    text = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                    for c in row if c is not None)
    assert f"region: {north}" in text
    others = [r for r in _regions(demo_db) if r != north]
    assert not any(f"region: {r}" in text for r in others)
    # the pack's figures are the region's: the same as an analyst's pack for it
    st, _, err = run(capsys, "pack", "--url", url, "--region", north, "--format", "xlsx",
                     "--charts", "cmp_pareto,cts_segments", "--out", str(tmp_path / "mine"),
                     "--quiet", "--no-email")
    assert st == 0, err
    (theirs,) = (tmp_path / "mine").glob("*.xlsx")
    assert theirs.name == book.name
    ws = lambda p: [[c for c in row] for s in openpyxl.load_workbook(p).worksheets  # noqa: E731
                    for row in s.iter_rows(values_only=True)]
    mine = [r for r in ws(book) if not any(isinstance(c, str) and "built" in c for c in r)]
    other = [r for r in ws(theirs) if not any(isinstance(c, str) and "built" in c for c in r)]
    assert mine == other
    (event,) = access.events(db.AppStore(store_url), action="pack").itertuples()
    assert event.actor == "north@cx.local" and event.target == book.name
    assert event.detail.endswith(f"region: {north}")
