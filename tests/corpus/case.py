"""One kind of malformed or hostile input and what ``ingest`` must do with it.

Cases live in ``tests/corpus/cases_<group>.py`` modules, each exposing ``CASES: list[Case]``;
``tests/test_corpus.py`` runs every one against a fresh copy of a small warehouse and checks: no
traceback, the documented exit status, the one-line message's words, the quarantined rows and
rules, values stored exactly as given, and a warehouse that still passes its contract checks with
nothing already loaded lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: The groups a case belongs to (the corpus must cover each).
CATEGORIES = ("encoding", "structure", "types", "semantics", "mapping", "hostile-text", "size",
              "file-name")

#: What ingest does with the case's files as a whole.
OUTCOMES = {
    "loaded": 0,       # every row loaded, exactly as given
    "quarantined": 3,  # something loaded, some rows quarantined (or a file refused)
    "refused": 1,      # nothing loaded: every file refused or every row quarantined
    "bad-argument": 2,  # a bad argument or mapping: nothing read
}


@dataclass(frozen=True)
class Case:
    """``files``: name → bytes, written into a fresh folder that ``ingest`` is given;
    ``mapping``: the mapping file's text (TOML unless ``mapping_name`` ends in .yaml/.yml);
    ``outcome``: a key of ``OUTCOMES``; ``words``: fragments the printed message must contain
    (case-insensitive; for quarantined rows, the rule); ``rows``: the quarantined row numbers
    (1-based data rows of the source file) when quarantined; ``check``: an extra assertion on
    the warehouse file afterwards (e.g. a value stored byte for byte)."""

    kind: str
    category: str
    files: dict[str, bytes]
    outcome: str
    words: tuple[str, ...] = ()
    rows: tuple[int, ...] | None = None
    mapping: str | None = None
    mapping_name: str = "mapping.toml"
    args: tuple[str, ...] = ()
    check: Callable[[Path], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.kind}: unknown category {self.category!r}")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"{self.kind}: unknown outcome {self.outcome!r}")
