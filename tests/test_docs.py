"""The README stays in step with the registry, the pages and the CLI."""

import re

from dashboard.metrics.registry import METRICS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands_first():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_every_metric_definition_is_in_the_readme():
    for m in METRICS:
        row = f"| {m.label} | `{m.name}` | {m.definition} | {m.unit} |"
        assert row in README, f"README metric table out of date for {m.name}"


def test_every_registered_page_is_documented():
    app = (ROOT / "streamlit_app.py").read_text()
    titles = re.findall(r'(?<![\w])title="([^"]+)"', app)
    assert titles
    for t in titles:
        assert f"| {t} |" in README


def test_cli_commands_are_documented():
    for verb in ("demo", "kpis", "money", "pack", "ingest", "bench"):
        cmd = f"python -m dashboard {verb}"
        assert cmd in README


def test_every_ingest_rule_is_documented():
    """Each rule a row can break is named in the README's "Bring your own data"."""
    section = README.split("## Bring your own data", 1)[1].split("\n## ", 1)[0]
    rules = ("required value is empty", "not a number", "not a whole number", "number out of range",
             "not a finite number", "not true/false", "unparseable date", "timestamp in the future",
             "not an accepted value", "score outside its scale", "duplicate key within the file",
             "resolution before opening", "first response before opening",
             "scale_max not above scale_min", "an NPS scale is 0–10", "column named twice",
             "negative amount where not a refund",
             "churn before signup", "unknown customer id",
             "event before the customer signed up", "already in the warehouse",
             "no cost per contact in force")
    flat = " ".join(section.split())
    for rule in rules:
        assert rule in flat, rule
    code = " ".join((ROOT / "dashboard" / "intake" / "contract.py").read_text().split())
    for rule in rules:
        assert rule in code, f"{rule!r} is no longer a rule of the contract module"
