"""The README stays in step with the registry, the pages and the CLI, and the project carries
its own knowledge: every file, module or attribute its prose names exists in it, and nothing
cites a document or an issue tracker a clone does not have."""

from __future__ import annotations

import ast
import fnmatch
import functools
import io
import re
import subprocess
import tokenize
from pathlib import Path

import pytest

from dashboard.metrics.registry import METRICS
from tests.conftest import ROOT
from tests.test_layout import modules

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


# --- references: what the prose names is in the repository ---------------------------------------

#: Where references are checked: Python docstrings and comments, SQL and the rest in full.
SCANNED = ("dashboard/**/*.py", "queries/**/*.sql", "pages/*.py", "streamlit_app.py",
           "README.md", "Makefile")
#: Where only citations are checked (issue numbers, documents and their sections): the tests
#: name the temporary files they write, which are not in the repository.
CITATIONS_ONLY = ("tests/*.py",)

#: Files the prose names that a clone does not hold, each with the reason.
NOT_IN_A_CLONE: dict[str, str] = {
    ".streamlit/secrets.toml": "git-ignored (it holds SMTP credentials); the committed "
                               ".streamlit/secrets.toml.example documents its keys",
    "cx_ledger_tables.json": "written by a Spark build into its warehouse folder",
    "contacts_2026-11.csv": "an example of a user's export named after its raw table",
}
#: Schemas of the warehouse: ``raw.customers`` or ``ingest.loads`` name tables, not modules
#: (and ``schema.table`` is the shape of a table's name).
SQL_SCHEMAS = frozenset({"raw", "staging", "marts", "ingest", "history", "truth", "main",
                         "information_schema", "schema"})

_EXT = r"(?:md|py|sql|toml|csv|json|ya?ml|txt|cfg|ini)"
#: ``README.md``, ``queries/marts/*.sql``, ``.streamlit/config.toml``; not ``{name}.csv``,
#: ``<table>.csv`` or a call such as ``spark.sql(``.
PATH_RE = re.compile(r"(?<![\w/.\-{}<>*$%])((?:[\w.\-*]+/)*[\w\-*]+(?:\.[\w\-]+)*\." + _EXT
                     + r")(?![\w\-/{}<>(]|\.\w)")
#: ``dashboard.metrics.stats`` or ``dashboard.metrics.filters.Filters.narrow``.
MODULE_RE = re.compile(r"(?<![\w./])dashboard(?:\.[A-Za-z_]\w*)+")
#: A code span holding a dotted name, e.g. ``warehouse.db.AppStore`` or `engines.DIALECTS`.
SPAN_RE = re.compile(r"(?<!`)``?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)``?(?!`)")
ISSUE_RE = re.compile(r"\b[Ii]ssues?\s*#?\d+")
#: A numbered section of the methods, design or domain notes, which the repository lacks.
SECTION_RE = re.compile(r"(?i)\b(?:methods|design|domain)(?:\.md)?(?:'s)?\s+section\s+\d")
#: The word before a section sign: a cited book or author starts with a capital letter.
_BEFORE_SIGN_RE = re.compile(r"(\w+)[^\w§]*$")
_NOTES = {"methods", "design", "domain"}


def unsourced_sections(text: str) -> list[str]:
    """Section signs that follow no named source: the word before the sign (punctuation
    skipped) is missing, lowercase prose, or one of the notes; a book's title or an author
    ("Conover, Practical Nonparametric Statistics, " and a section) names its source."""
    out = []
    for m in re.finditer(r"§\s*\d[\d.–-]*\d|§\s*\d", text):
        word = _BEFORE_SIGN_RE.search(text[:m.start()])
        if not word or not word[1][0].isupper() or word[1].lower() in _NOTES:
            out.append(f"{word[1]} {m.group(0)}" if word else m.group(0))
    return out


@functools.cache
def repository_files(root: Path = ROOT) -> frozenset[str]:
    """The repository's files (tracked, or new and not git-ignored), as posix paths."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                             capture_output=True, text=True, check=True).stdout
        return frozenset(out.splitlines())
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "artifacts"}
        return frozenset(p.relative_to(root).as_posix() for p in root.rglob("*")
                         if p.is_file() and not skip & set(p.relative_to(root).parts))


def _path_exists(ref: str, files: frozenset[str]) -> bool:
    """A path names a file of the repository, from the root or as the tail of one
    (``marts/fct_kpi_weekly.sql``, ``engines.py``); ``*`` must match at least one file."""
    ref = ref.removeprefix("./")
    if ref in NOT_IN_A_CLONE:
        return True
    if "*" in ref:
        return any(fnmatch.fnmatch(f, ref) or fnmatch.fnmatch(f, f"*/{ref}") for f in files)
    return ref in files or any(f.endswith(f"/{ref}") for f in files)


def _module_file(dotted: str, root: Path = ROOT) -> tuple[Path, list[str]] | None:
    """The longest importable prefix of a dotted name and the attribute names after it."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        base = root.joinpath(*parts[:k])
        for f in (base.with_suffix(".py"), base / "__init__.py"):
            if f.is_file():
                return f, parts[k:]
    return None


def _defined(scope: list[ast.stmt], name: str) -> ast.stmt | None:
    """The statement of ``scope`` (a module or class body) that binds ``name``."""
    for node in scope:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names = {node.name}
        elif isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = {node.target.id}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            continue
        if name in names:
            return node
    return None


def module_ref_exists(dotted: str, root: Path = ROOT) -> bool:
    """``dashboard.x.y[.Attr[.member]]`` names a module and, after it, names it defines
    (a class's members are looked up in its body; deeper names are not checked)."""
    found = _module_file(dotted, root)
    if found is None:
        return False
    path, attrs = found
    scope: list[ast.stmt] | None = ast.parse(path.read_text(encoding="utf-8")).body
    for name in attrs:
        if scope is None:
            return True
        node = _defined(scope, name)
        if node is None:
            return False
        scope = node.body if isinstance(node, ast.ClassDef) else None
    return True


@functools.cache
def _module_names() -> dict[str, list[str]]:
    """Short names a code span may start with → the dotted modules they stand for:
    a room (``warehouse``) and a module's own name (``db``, ``engines``)."""
    out: dict[str, list[str]] = {}
    for dotted in modules():
        out.setdefault(dotted.split(".")[-1], []).append(dotted)
    return out


def import_aliases(source: str) -> dict[str, str]:
    """The names a Python file binds to ``dashboard`` modules and their attributes, at any
    depth: ``from dashboard.ui import common as ui`` gives ``ui → dashboard.ui.common``."""
    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
            out.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            out.update({a.asname: a.name for a in node.names
                        if a.asname and a.name.startswith("dashboard")})
    return out


def bad_references(text: str, files: frozenset[str] | None = None,
                   citations_only: bool = False,
                   aliases: dict[str, str] | None = None) -> list[str]:
    """Every reference in ``text`` to something the repository does not hold, one line each:
    a path with no such file, a ``dashboard`` module or attribute that does not exist, a code
    span ``room.module.name`` / ``module.name`` / ``alias.name`` (``aliases``: the file's own
    imports) that does not resolve, an issue number, or a section of an absent document."""
    files = repository_files() if files is None else files
    aliases = aliases or {}
    problems = [f"{m.group(0)!r}: an issue number" for m in ISSUE_RE.finditer(text)]
    problems += [f"{m.group(0)!r}: a section of a document not in the repository"
                 for m in SECTION_RE.finditer(text)]
    problems += [f"{s!r}: a section with no source named" for s in unsourced_sections(text)]
    for m in PATH_RE.finditer(text):
        ref = m.group(1)
        if (not citations_only or ref.endswith(".md")) and not _path_exists(ref, files):
            problems.append(f"{ref!r}: no such file in the repository")
    if citations_only:
        return problems
    for m in MODULE_RE.finditer(text):
        if not module_ref_exists(m.group(0)):
            problems.append(f"{m.group(0)!r}: no such module or attribute")
    short = _module_names()
    for m in SPAN_RE.finditer(text):
        ref = m.group(1)
        head = ref.split(".")[0]
        if head == "dashboard" or head in SQL_SCHEMAS or PATH_RE.fullmatch(ref):
            continue  # checked above, a table, or a file name
        rest = ref.split(".", 1)[1]
        candidates = [f"{aliases[head]}.{rest}"] if head in aliases else []
        if (ROOT / "dashboard" / head).is_dir():  # a room: ``warehouse.db.AppStore``
            candidates.append(f"dashboard.{ref}")
        elif ref.count(".") == 1:  # a module's own name and one attribute: `engines.DIALECTS`
            candidates += [f"{mod}.{rest}" for mod in short.get(head, [])]
        if candidates and not any(module_ref_exists(c) for c in candidates):
            problems.append(f"{ref!r}: no such module or attribute")
    return problems


def prose(path: Path) -> list[tuple[int, str]]:
    """(first line, text) of what a file says to its reader: a Python file's docstrings and
    comments, any other file in full."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return [(1, text)]
    out = [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)
           if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = node.body[0] if node.body else None
            if (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)):
                out.append((doc.lineno, doc.value.value))
    return out


def scan(patterns: tuple[str, ...], citations_only: bool = False) -> list[str]:
    """``file:line: problem`` for every bad reference in the files the patterns match."""
    files = repository_files()
    found = []
    for path in sorted({p for pat in patterns for p in ROOT.glob(pat)}):
        aliases = import_aliases(path.read_text(encoding="utf-8")) if path.suffix == ".py" else {}
        for start, chunk in prose(path):
            for offset, line in enumerate(chunk.splitlines()):
                found += [(path.relative_to(ROOT).as_posix(), start + offset, problem)
                          for problem in bad_references(line, files, citations_only, aliases)]
    return [f"{path}:{line}: {problem}" for path, line, problem in sorted(found)]


@pytest.mark.parametrize("text", [
    "see DESIGN.md §4", "dashboard/nope.py", "Formulas: reference/methods.md", "domain.md",
    "queries/marts/fct_nope.sql", "the concurrency check of issue 7", "Issue 7's benchmark",
    "(methods §1.3)", "adjusted-Wald variances (§1.4)", "``dashboard.metrics.nope``",
    "enter net containment, §3.4)", "DESIGN §4", "methods section 7", "the design's §5",
    "``dashboard.metrics.stats.nope``", "``warehouse.db.nope``", "`db.build_remote`",
    "``dashboard.metrics.filters.Filters.nope``",
])
def test_the_scanner_catches_a_planted_reference(text):
    assert bad_references(text), text


@pytest.mark.parametrize("text", [
    "streamlit_app.py", "queries/marts/fct_kpi_weekly.sql", "marts/fct_kpi_weekly.sql",
    "`.streamlit/secrets.toml`", ".streamlit/secrets.toml.example", "tests/fixtures/*.csv",
    "``dashboard.metrics.stats.wilson``", "dashboard.metrics.filters.Filters.narrow",
    "``warehouse.db.AppStore``", "`engines.DIALECTS`", "`raw.customers`", "`ingest.loads`",
    "`spark.sql(…, args=…)`", "Greenwood (1926)", "f\"{name}.csv\"", "`<table>.csv`",
    "Conover, Practical Nonparametric Statistics, §3.2", "a page of issues",
    "(Conover, *Practical Nonparametric Statistics*, §3.2)",
    "``schema.table``", "``spark.sql.warehouse.dir``",
])
def test_the_scanner_leaves_legitimate_text_alone(text):
    assert bad_references(text) == [], text


def test_a_files_own_imports_resolve_its_code_spans():
    aliases = import_aliases("from dashboard.ui import common as ui\n"
                             "from dashboard.money.inputs import ALL\n")
    assert aliases == {"ui": "dashboard.ui.common", "ALL": "dashboard.money.inputs.ALL"}
    assert bad_references("``ui.plain``", aliases=aliases) == []
    assert bad_references("``ui.plain``") != []  # no such name in the ui room itself
    assert bad_references("``ui.nope``", aliases=aliases) != []


def test_every_allowance_is_still_needed():
    """An allowed name is not in the repository and is still named somewhere."""
    files = repository_files()
    text = "\n".join(chunk for pat in SCANNED for p in ROOT.glob(pat) for _, chunk in prose(p))
    for name, reason in NOT_IN_A_CLONE.items():
        assert reason and name not in files and name in text, name


def test_every_reference_is_in_the_repository():
    """Paths, modules and attributes named in docstrings, comments, SQL, the README and the
    Makefile exist; nothing cites an issue number or a document the repository lacks."""
    found = scan(SCANNED) + scan(CITATIONS_ONLY, citations_only=True)
    assert not found, "references to what a clone does not have:\n" + "\n".join(found)
