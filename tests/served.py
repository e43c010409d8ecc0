"""Servers for the browser tests: a free port, a process that says when it serves, and the
dashboard under ``streamlit run``; Chromium's path and the flags it must start with."""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A bound on waits for a condition, not a delay: a shared CI machine under load took
# more than a minute to draw the first page.
STARTUP_SECONDS = 120
#: Browser tests run one at a time (one xdist group): two Chromiums and two servers at
#: once on a small machine starve each other.
GROUP = "browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    command: Sequence[str],
    *,
    ready: str,
    cwd: Path,
    env: dict[str, str],
    seen: list[str] | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Run ``command`` until the block ends; enter once it prints a line containing
    ``ready`` (waits on its output, never sleeps), fail with what it printed if it
    exits or stays silent for :data:`STARTUP_SECONDS`. ``seen`` gets the lines printed
    up to ``ready``'s."""
    server = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in server.stdout:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)  # the process closed its output: it has ended

    threading.Thread(target=read, daemon=True).start()
    seen = [] if seen is None else seen
    try:
        while not any(ready in line for line in seen):
            try:
                line = lines.get(timeout=STARTUP_SECONDS)
            except queue.Empty:
                pytest.fail(f"{command[0]} did not start:\n" + "".join(seen))
            if line is None:
                pytest.fail(f"{command[0]} exited:\n" + "".join(seen))
            seen.append(line)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def streamlit_app(
    db: Path,
    port: int,
    *,
    options: Sequence[str] = (),
    env: dict[str, str] | None = None,
    script: Path = APP,
) -> Iterator[str]:
    """``streamlit run app.py`` (or ``script``) on ``port`` and the database ``db``;
    yields its URL."""
    with streamlit_server(db, port, options=options, env=env, script=script) as (url, _):
        yield url


@contextlib.contextmanager
def streamlit_server(
    db: Path,
    port: int,
    *,
    options: Sequence[str] = (),
    env: dict[str, str] | None = None,
    script: Path = APP,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """:func:`streamlit_app`, yielding the server process beside the URL."""
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", *options,
    ]  # fmt: skip
    environment = dict(os.environ, INDICATORS_DB=str(db), **(env or {}))
    # Streamlit prints its URL once it serves.
    with serving(command, ready="URL:", cwd=ROOT, env=environment) as server:
        yield f"http://127.0.0.1:{port}/", server
