"""The archive of accepted files, and what a failed or killed load leaves behind.

Each accepted file is copied once into the archive folder as ``<table>/<checksum>-<name>``
(a long name cut to what the file system allows, its extension kept). A load writes a journal,
``.pending-<run>-<pid>.json`` in the archive folder, naming the warehouse and the copies it
makes before it makes them, and deletes it once the new warehouse is published (or the copies
are taken back after a failure). A killed load cannot do either: the next load of the same
warehouse (``sweep``) removes the copies a journal of a dead process lists that the warehouse's
loads do not refer to, the journal itself, and the half-written ``.part`` files of dead
processes.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

#: The longest file name (bytes, UTF-8) the archive writes: common file systems allow 255,
#: and the temporary ``.<name>.<pid>.part`` beside it needs room too.
NAME_BYTES = 200


class ArchiveError(OSError):
    """The archive folder cannot be used (one line naming it)."""


def fitting_name(name: str, limit: int = NAME_BYTES) -> str:
    """``name`` cut (at a character boundary, before its extension) to at most ``limit``
    bytes of UTF-8; unchanged when it fits."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode("utf-8")) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    room = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + suffix


def relative_path(table: str | None, checksum: str, file_name: str) -> Path:
    """Where a file's copy lives inside the archive folder."""
    return Path(table or "unknown") / fitting_name(f"{checksum[:16]}-{Path(file_name).name}")


def ready(folder: Path) -> None:
    """Make sure the archive folder exists and takes files; ArchiveError naming it when not."""
    if folder.exists() and not folder.is_dir():
        raise ArchiveError(f"the archive folder {folder} is a file, not a folder; set "
                           "CX_ARCHIVE_DIR to a writable folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ArchiveError(f"the archive folder {folder} cannot be used "
                           f"({exc.strerror or exc}); set CX_ARCHIVE_DIR to a writable "
                           "folder") from None


class Journal:
    """The copies one load makes, written down before they are made."""

    def __init__(self, folder: Path, run_id: str, target: Path) -> None:
        self.folder = folder
        self.target = str(Path(target).resolve())
        self.path = folder / f".pending-{run_id}-{os.getpid()}.json"
        self.made: list[Path] = []  # copies this run created (taken back if it fails)
        self.planned: list[str] = []

    def plan(self, rel: Path) -> None:
        """Write down that ``rel`` may be created (before creating it)."""
        self.planned.append(str(rel))
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"target": self.target, "files": self.planned}),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def take_back(self) -> None:
        """Remove the copies this run made, then the journal (nothing raised)."""
        for p in self.made:
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)
        self.close()

    def close(self) -> None:
        """The run is over (published, or its copies taken back): the journal goes."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
            self.path.with_suffix(".tmp").unlink(missing_ok=True)


def copy(path: Path, folder: Path, rel: Path, journal: Journal) -> str:
    """Copy ``path`` to ``folder/rel`` once (fsynced, renamed into place); the relative path."""
    dest = folder / rel
    if not dest.exists():
        journal.plan(rel)
        journal.made.append(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        with open(path, "rb") as src, open(tmp, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    return str(rel)


def _pid_of(name: str, alive) -> int | None:
    """The process id a leftover's name ends with (before its extensions) when that process
    is gone; None when it is alive or the name carries none."""
    for part in reversed(name.split(".")):
        tail = part.rsplit("-", 1)[-1]
        if tail.isdigit():
            return None if alive(int(tail)) else int(tail)
    return None


def sweep(folder: Path, target: Path, referenced: Iterable[str], alive) -> list[Path]:
    """Remove what dead loads of ``target`` left in the archive folder: the copies their
    journals list that ``referenced`` (the warehouse's archive paths) does not name, the
    journals, and half-written ``.part`` files of dead processes. The paths removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    keep = set(referenced)
    me = str(Path(target).resolve())
    for journal in folder.glob(".pending-*.json"):
        if _pid_of(journal.name.removesuffix(".json"), alive) is None:
            continue
        try:
            doc = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
        if doc.get("target", me) != me:
            continue  # another warehouse's load: its own next run sweeps it
        for rel in doc.get("files", []):
            p = folder / rel
            if rel not in keep and p.is_file():
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed.append(p)
        with contextlib.suppress(OSError):
            journal.unlink()
            removed.append(journal)
    for part in folder.glob("*/.*.part"):
        if _pid_of(part.name.removesuffix(".part"), alive) is not None:
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed
