"""The project's two commands; each makes its own environment first.

    python3 dev.py app     start the dashboard on the bundled data (http://localhost:8501)
    python3 dev.py test    lint, type-check and run every test

The environment is ``.venv`` beside this file, installed from ``pyproject.toml`` with the
pins of ``constraints.txt``; it is reinstalled only when one of those files changes.
Anything after the command is passed on (to ``streamlit run`` or to ``pytest``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*args: str | Path) -> None:
    subprocess.run([str(arg) for arg in args], cwd=ROOT, check=True)


def ensure_env(extra: str | None) -> None:
    """Create .venv and install the project into it, unless already up to date."""
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py runs before any install
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    spec = "." + (f"[{extra}]" if extra else "")
    digest = hashlib.sha256(spec.encode())
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{extra or 'app'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"creating {VENV.name} ...", flush=True)
        venv.create(VENV, with_pip=True)
    print(f"installing {spec} (first run only; a few minutes) ...", flush=True)
    _run(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"
    )
    _run(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-c", "constraints.txt", "-e", spec,
    )  # fmt: skip
    stamp.write_text(digest.hexdigest())


def app(args: list[str]) -> int:
    ensure_env(None)
    command = [str(BIN / "streamlit"), "run", "app.py", *args]
    return subprocess.call(command, cwd=ROOT)


def test(args: list[str]) -> int:
    ensure_env("test")
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(PYTHON), "-m", "pytest", "-n", "auto", "--dist", "loadgroup", *args],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)))
        code = subprocess.call(step, cwd=ROOT)
        if code:
            return code
    return 0


def main() -> int:
    commands = {"app": app, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
