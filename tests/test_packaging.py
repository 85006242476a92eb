"""Packaging: pyproject.toml declares the runtime and the ``cx-ledger`` command, requirements.txt
pins a set inside those ranges, every sub-package is shipped, and an installed wheel works away
from the checkout (its SQL and shipped defaults inside the package, its data under CX_DATA_DIR).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pinned() -> dict[str, str]:
    """name → pinned version of requirements.txt."""
    out = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (version,) = [s.version for s in req.specifier]
            out[req.name.lower()] = version
    return out


def test_every_runtime_dependency_is_pinned_within_its_range():
    pins = pinned()
    problems = []
    for spec in PYPROJECT["project"]["dependencies"]:
        req = Requirement(spec)
        version = pins.get(req.name.lower())
        if version is None:
            problems.append(f"{req.name}: not pinned in requirements.txt")
        elif not req.specifier.contains(version):
            problems.append(f"{req.name}: pinned {version} outside {req.specifier}")
    assert problems == []


def test_every_import_of_the_package_is_a_declared_dependency():
    import ast

    declared = {Requirement(s).name.lower().replace("-", "_")
                for s in PYPROJECT["project"]["dependencies"]}
    # import names that differ from their distribution's name
    alias = {"yaml": "pyyaml", "pptx": "python_pptx", "PIL": "pillow",
             "dateutil": "python_dateutil"}
    optional = {"pyspark"}  # the spark extra
    third_party = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        if "bench" in path.relative_to(ROOT / "dashboard").parts:
            continue  # the benchmark drives a browser (playwright, a test tool)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and not node.level else [])
            for n in names:
                top = n.split(".")[0]
                if top not in sys.stdlib_module_names and top != "dashboard":
                    third_party.add(alias.get(top, top).lower())
    assert "streamlit" in declared
    assert third_party - declared - optional == set()


def test_every_sub_package_is_shipped():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "dashboard").rglob("__init__.py")}
    assert on_disk - listed == set()
    assert PYPROJECT["project"]["scripts"] == {"cx-ledger": "dashboard.cli:console"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the project's wheel installed (``pip install``); the
    third-party dependencies come from the test environment through a .pth file, so nothing but
    the build backend is downloaded."""
    tmp = tmp_path_factory.mktemp("pkg")
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(ROOT)], check=True, cwd=tmp, timeout=600)
    (wheel,) = wheels.glob("cx_ledger-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   timeout=600)
    return env_dir, wheel


def run(cmd: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**clean, **env})


def test_wheel_carries_the_package_queries_and_defaults(installed):
    import zipfile

    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    queries = {p.relative_to(ROOT / "queries").as_posix()
               for p in (ROOT / "queries").rglob("*.sql")}
    assert {n.removeprefix("dashboard/_queries/") for n in names
            if n.startswith("dashboard/_queries/")} == queries
    assert {"dashboard/_data/demo_assumptions.csv",
            "dashboard/_data/default_assumptions.csv"} <= names
    assert "dashboard/cli.py" in names and "dashboard/money/headline.py" in names
    assert not any(n.startswith(("tests/", "pages/")) for n in names)


def test_cx_ledger_has_the_same_sub_commands(installed, tmp_path):
    env_dir, _ = installed
    ours = run([sys.executable, "-m", "dashboard", "kpis", "--help"], ROOT)
    theirs = run([str(env_dir / "bin" / "cx-ledger"), "kpis", "--help"], tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    assert theirs.stdout.startswith("usage: cx-ledger kpis")
    # the same options and help (argparse wraps the usage lines by the program name's length)
    assert theirs.stdout.replace("cx-ledger", "python -m dashboard").split() == ours.stdout.split()
    import re

    top = run([str(env_dir / "bin" / "cx-ledger"), "--help"], tmp_path).stdout
    mine = run([sys.executable, "-m", "dashboard", "--help"], ROOT).stdout
    choices = [re.search(r"\{([a-z,]+)\}", out)[1].split(",") for out in (top, mine)]
    assert choices[0] == choices[1]
    assert {"demo", "kpis", "money", "assumptions", "pack", "ingest", "serve",
            "bench"} <= set(choices[0])


def test_installed_cli_builds_and_reads_a_warehouse_outside_the_checkout(installed, tmp_path):
    env_dir, _ = installed
    exe = str(env_dir / "bin" / "cx-ledger")
    built = run([exe, "demo", "--customers", "2000", "--end-week", "2026-W10"], tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "data" / "warehouse.duckdb").exists()  # CX_DATA_DIR defaults to ./data
    theirs = run([exe, "kpis", "--week", "2026-W10", "--json"], tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    ours = run([sys.executable, "-m", "dashboard", "kpis", "--week", "2026-W10", "--json"], ROOT,
               CX_WAREHOUSE_URL=f"duckdb:///{tmp_path / 'data' / 'warehouse.duckdb'}")
    assert ours.returncode == 0, ours.stderr
    assert theirs.stdout == ours.stdout
