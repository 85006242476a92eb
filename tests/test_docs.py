"""The README stays in step with the registry, the pages and the CLI."""

import re

from dashboard.metrics import METRICS
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
    for verb in ("demo", "kpis", "money", "pack", "bench"):
        cmd = f"python -m dashboard {verb}"
        assert cmd in README
