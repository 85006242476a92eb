"""A throwaway PostgreSQL server for the engine tests: initdb into a temporary directory, start
on a free port, stop at the end. Fails (never skips) when PostgreSQL is not installed: `make
test` installs Debian's postgresql package when running as root."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.browser_util import free_port


def binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `apt-get install -y postgresql` (as root; "
                           "`make test` does it)")
    return Path(found[-1]).parent


class Server:
    """``url`` of a running server with database ``cx`` and trust authentication."""

    def __init__(self) -> None:
        import tempfile

        self.bin = binaries()
        # under /tmp itself: the postgres user cannot enter pytest's root-only folders
        self.folder = folder = Path(tempfile.mkdtemp(prefix="cx-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        folder.mkdir(parents=True, exist_ok=True)
        if self.as_root:  # initdb refuses root: run the server as the postgres user
            shutil.chown(folder, "postgres")
        self.data = folder / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "cx", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(folder / "log"), "-w", "-o",
                  f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "cx", "cx")
        self.url = f"postgresql+psycopg://cx@127.0.0.1:{self.port}/cx"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
        if res.returncode:
            raise RuntimeError(f"{tool} failed: {res.stderr.strip() or res.stdout.strip()}")

    def stop(self) -> None:
        for _ in range(3):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
                break
            except RuntimeError:
                time.sleep(1)
        shutil.rmtree(self.folder, ignore_errors=True)
