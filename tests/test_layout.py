"""The package's rooms and the one direction of its imports, read from the source with ``ast``.

Every import of a ``dashboard`` module counts, at module level or inside a function. The rules:

- each module lives in a room (a sub-package of ``dashboard/``) or is the command line;
- a room imports only the rooms below it (``ALLOWED``): ui → exports → money → analysis →
  metrics → warehouse, intake → warehouse, ui → access → metrics; every room may use i18n,
  which uses none;
- nothing outside ``bench/`` imports ``bench/`` but the command line's ``bench`` sub-command;
- no import cycle between modules anywhere in ``dashboard/``;
- Streamlit is imported only in ``ui/`` (and ``bench/`` drives the app through AppTest);
- no module is over 800 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dashboard"

#: room → the rooms its modules may import (besides their own room).
_ROOMS: dict[str, frozenset[str]] = {
    "warehouse": frozenset(),
    "intake": frozenset({"warehouse"}),
    "metrics": frozenset({"warehouse"}),
    "analysis": frozenset({"metrics", "warehouse"}),
    "money": frozenset({"analysis", "metrics", "warehouse"}),
    "exports": frozenset({"money", "analysis", "metrics", "warehouse"}),
    "access": frozenset({"metrics", "warehouse"}),
    "ui": frozenset({"access", "exports", "money", "analysis", "metrics", "intake",
                     "warehouse"}),
    # the command line (dashboard/cli.py, cli_text.py, cli_access.py, __main__.py) composes
    # every room
    "cli": frozenset({"access", "ui", "exports", "money", "analysis", "metrics", "intake",
                      "warehouse"}),
    "bench": frozenset({"access", "cli", "ui", "exports", "money", "analysis", "metrics", "intake",
                        "warehouse"}),
}
#: The languages (dashboard/i18n) are the floor: every room may use them, they use none.
ALLOWED: dict[str, frozenset[str]] = {"i18n": frozenset(),
                                      **{r: a | {"i18n"} for r, a in _ROOMS.items()}}
#: The one import of bench/ from outside it: `python -m dashboard bench` runs the benchmark.
BENCH_ENTRY = ("dashboard.cli", "dashboard.bench.report")
MAX_LINES = 800


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("cli", "cli_text", "cli_access", "__main__"):
        return "cli"
    return parts[1]


def imports(path: Path, known: set[str], package_dir: Path = PACKAGE) -> set[str]:
    """Every ``dashboard`` module that ``path`` imports, at any depth of the file."""
    name = module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from dashboard.x import y`: y is a module when it is one, else a name of x
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # `import dashboard.a.b` names a.b; attributes fall off
                t = t.rpartition(".")[0]
            if t and t.startswith("dashboard") and t != name:
                out.add(t)
    return out


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    mods = modules(package)
    known = set(mods)
    return {m: imports(p, known, package) - {"dashboard"} for m, p in mods.items()}


def forbidden_edges(g: dict[str, set[str]]) -> list[str]:
    bad = []
    for src, targets in g.items():
        for dst in targets:
            a, b = room(src), room(dst)
            if a == b:
                continue
            if b == "bench" and (src, dst) != BENCH_ENTRY:
                bad.append(f"{src} → {dst}: nothing outside bench/ imports bench/")
            elif b != "bench" and b not in ALLOWED[a]:
                bad.append(f"{src} → {dst}: {a}/ may import only {sorted(ALLOWED[a])}")
    return sorted(bad)


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_every_module_lives_in_a_room():
    stray = [m for m in modules() if room(m) not in ALLOWED]
    assert stray == []


def test_imports_go_one_way():
    assert forbidden_edges(graph()) == []


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_streamlit_only_in_ui():
    out = []
    for m, p in modules().items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for n in names:
                if n.split(".")[0] != "streamlit":
                    continue
                if room(m) == "ui" or (room(m) == "bench" and n.startswith("streamlit.testing")):
                    continue
                out.append(f"{m} imports {n}")
    assert out == []


def test_no_module_over_800_lines():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    assert {m: n for m, n in sizes.items() if n > MAX_LINES} == {}


# --- the checks themselves catch what they promise (on a throwaway package) ---


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "dashboard"
    for rel, text in {"__init__.py": "", **files}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        init = p.parent / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "expected"), [
    ({"warehouse/db.py": "def f():\n    from dashboard.metrics import kpis\n",
      "metrics/kpis.py": "from dashboard.warehouse import db\n"},
     ["dashboard.warehouse.db → dashboard.metrics.kpis: warehouse/ may import only "
      "['i18n']"]),
    ({"intake/demo.py": "from dashboard.metrics.filters import parse_week\n",
      "metrics/filters.py": ""},
     ["dashboard.intake.demo → dashboard.metrics.filters: intake/ may import only "
      "['i18n', 'warehouse']"]),
    ({"i18n/numbers.py": "from dashboard.metrics import registry\n", "metrics/registry.py": ""},
     ["dashboard.i18n.numbers → dashboard.metrics.registry: i18n/ may import only []"]),
    ({"ui/common.py": "import dashboard.bench.report\n", "bench/report.py": ""},
     ["dashboard.ui.common → dashboard.bench.report: nothing outside bench/ imports bench/"]),
    ({"money/value.py": "from ..analysis import cost\n", "analysis/cost.py": ""}, []),
])
def test_forbidden_edges_are_found(tmp_path, files, expected):
    assert forbidden_edges(graph(_package(tmp_path, files))) == expected


def test_a_cycle_is_found_even_through_a_function_level_import(tmp_path):
    root = _package(tmp_path, {
        "warehouse/db.py": "from dashboard.warehouse import spark\n",
        "warehouse/spark.py": "def f():\n    from dashboard.warehouse.db import open_warehouse\n",
    })
    assert cycles(graph(root)) == [["dashboard.warehouse.db", "dashboard.warehouse.spark"]]
