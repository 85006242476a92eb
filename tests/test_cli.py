"""`python -m dashboard kpis`: the same numbers as the page, JSON shape, one-line errors."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_kpis

KEYS = {"value", "n", "ci_low", "ci_high", "previous", "delta", "p_value", "significant"}


def test_json_shape_on_fixture(fixture_db):
    res = run_kpis(f"duckdb:///{fixture_db}", "--week", "2026-W11", "--segment", "Mass",
                  "--compare", "4w", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["week"] == "2026-W11" and doc["compare_to"] == "2026-W07"
    assert doc["filters"] == {"segment": ["Mass"], "region": [], "plan": []}
    assert set(doc["kpis"]) == {"nps", "csat", "ces", "complaint_rate", "churn_rate_4w",
                                "cost_to_serve", "revenue"}
    for body in doc["kpis"].values():
        assert KEYS <= set(body)
    # five customers: every base is under 30, so every value is withheld, never invented
    assert all(k["value"] is None for k in doc["kpis"].values())
    assert doc["kpis"]["nps"]["n"] == 4  # Mass customers' NPS responses in W11


@pytest.mark.parametrize(("args", "message"), [
    (("--week", "2026-W99"), "bad week '2026-W99'"),
    # a week outside the data names its range and the table that sets each end
    (("--week", "2030-W01"), "week 2030-W01 is after the data's as-of date 2026-03-22 (set by "
                             "transactions.occurred_at); weeks run 2026-W07 "
                             "(transactions.occurred_at) … 2026-W12 (transactions.occurred_at)"),
    (("--week", "2025-W52"), "week 2025-W52 is before the data's first week 2026-W07 (set by "
                             "transactions.occurred_at); weeks run 2026-W07"),
    (("--segment", "Platinum"), "unknown segment 'Platinum'"),
])
def test_bad_input_exits_2_with_one_line(fixture_db, args, message):
    res = run_kpis(f"duckdb:///{fixture_db}", *args)
    assert res.returncode == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_missing_warehouse_exits_2(tmp_path):
    res = run_kpis(f"duckdb:///{tmp_path / 'none.duckdb'}")
    assert res.returncode == 2 and "python -m dashboard demo" in res.stderr


def test_demo_text_and_json_agree(demo_db):
    url = f"duckdb:///{demo_db}"
    doc = json.loads(run_kpis(url, "--json").stdout)
    assert doc["week"] == "2026-W44"  # the latest complete week is the default
    text = run_kpis(url).stdout
    assert text.splitlines()[-1] == doc["headline"]
    nps = doc["kpis"]["nps"]
    assert nps["n"] >= 400 and nps["ci_low"] < nps["value"] < nps["ci_high"]


def test_serve_passes_every_option_to_streamlit_with_the_pages_left_to_navigation(monkeypatch):
    """`serve` hands what follows it to `streamlit run streamlit_app.py` untouched (argparse
    would refuse `--server.port`), after turning off the pages/ folder's first-version mode."""
    import os

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    from dashboard import cli
    from dashboard.warehouse import config

    seen = {}

    def fake_main(args, prog_name, standalone_mode):
        seen.update(args=args, flag=PagesManager.uses_pages_directory, cwd=os.getcwd())
        raise SystemExit(3)

    monkeypatch.setattr(streamlit_cli, "main", fake_main)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    monkeypatch.delenv("CX_SECRETS_FILE", raising=False)
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    monkeypatch.chdir("/")
    # served on this computer (.streamlit/config.toml's address): no sign-in needed
    assert cli.main(["serve", "--server.port", "8502", "--server.headless", "true"]) == 3
    assert seen == {"args": ["run", "streamlit_app.py", "--server.port", "8502",
                             "--server.headless", "true"],
                    "flag": False, "cwd": str(config.ROOT)}
