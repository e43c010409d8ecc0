"""A real PostgreSQL server for the tests: a fresh cluster in a temporary folder, on a
free loopback port, trusted connections only from this machine, removed at the end.

Debian's ``postgresql`` package puts its programs in ``/usr/lib/postgresql/N/bin``.
PostgreSQL refuses to run as root, so as root (CI) the server runs as the ``postgres``
user the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's program folder, if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One running server; :meth:`stop` removes it and its files."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="indicators-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")  # KeyError: no such user (see reason())
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-o", options,
                  "-w", "-t", "60", "start")  # fmt: skip
        self._count = 0

    def _run(self, program: str, *args: str | Path) -> None:
        command = [*self._as, str(self.bindir / program), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")

    def conninfo(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def create_database(self) -> str:
        """A new, empty database; its name."""
        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "-d", "postgres", "-q", "-c", f"CREATE DATABASE {name}")  # fmt: skip
        return name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def advisory_waiters(lake: str) -> int:
    """How many sessions of a lake's catalog database wait for an advisory lock (the
    writers' turns, indicators.store.connection)."""
    bindir = find_bin()
    assert bindir is not None
    done = subprocess.run(
        [str(bindir / "psql"), lake.removeprefix("ducklake:postgres:"), "-tAc",
         "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip())


def reason() -> str | None:
    """Why no cluster can be started here, or None when one can."""
    if find_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no `postgres` user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root, and `runuser` is missing"
    return None
