"""The project's two commands; each makes its own environment first.

    python3 dev.py app          start the dashboard on the bundled data (http://localhost:8501)
    python3 dev.py test         lint, type-check and run every test
    python3 dev.py test --fast  the quick loop: the slow and browser tests left out

`test` first installs the system packages some tests need (Chromium, a Japanese font,
PostgreSQL, Node.js) where it can (root with apt-get, as CI runs); elsewhere those tests
are skipped and its last line names them and the command that installs what they need.

The environment is ``.venv`` beside this file, installed from ``pyproject.toml`` with the
pins of ``constraints.txt``; it is reinstalled only when one of those files changes.
Anything after the command is passed on (to ``streamlit run`` or to ``pytest``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _install(*args: str | Path) -> None:
    """Run a pip command; its output is shown only if it fails (a build backend warns
    on every editable install, which tells the user nothing)."""
    done = subprocess.run(
        [str(arg) for arg in args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"the install failed (pip exit {done.returncode}); its output is above")


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
    _install(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"
    )
    _install(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-c", "constraints.txt", "-e", spec,
    )  # fmt: skip
    stamp.write_text(digest.hexdigest())


def app(args: list[str]) -> int:
    ensure_env(None)
    return subprocess.call(app_command(args), cwd=ROOT)


def app_command(args: list[str]) -> list[str]:
    """``streamlit run app.py`` with ``args``. Unless they say where the dashboard is
    reached, it is at localhost: a headless Streamlit otherwise asks a server on the
    internet for this machine's address to print it (and warns when there is no
    internet, as on many analysts' networks)."""
    command = [str(BIN / "streamlit"), "run", "app.py", *args]
    if not any(a.startswith(("--server.address", "--browser.serverAddress")) for a in args):
        command += ["--browser.serverAddress", "localhost"]
    return command


# What the skipped tests need, by the words their skip reasons use: (what, Debian packages).
SYSTEM_NEEDS = {
    "chromium": ("Chromium", ("chromium",)),
    "japanese truetype font": ("a Japanese font", ("fonts-ipafont-gothic",)),
    "japanese font": ("a Japanese font", ("fonts-ipafont-gothic",)),
    "postgresql": ("PostgreSQL", ("postgresql",)),
    "npm": ("Node.js and npm", ("nodejs", "npm")),
    "node": ("Node.js and npm", ("nodejs", "npm")),
    "pango": ("Pango", ("libpango-1.0-0", "libpangoft2-1.0-0")),
    "libreoffice": ("LibreOffice", ("libreoffice-writer-nogui",)),
}


def missing_system_packages() -> list[str]:
    """The Debian packages of the tests' system needs that this machine lacks."""
    need = []
    if not shutil.which("chromium"):
        need.append("chromium")
    if not (shutil.which("node") and shutil.which("npm")):
        need += ["nodejs", "npm"]
    if not Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf").exists():
        need.append("fonts-ipafont-gothic")
    if not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        need.append("postgresql")
    libraries = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False)
    if "libpangoft2-1.0.so.0" not in libraries.stdout:
        need += ["libpango-1.0-0", "libpangoft2-1.0-0"]
    return need


def ensure_system() -> None:
    """Install the tests' missing system packages where this user can (root, apt-get)."""
    if sys.platform != "linux" or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    need = missing_system_packages()
    if not need:
        return
    print(f"installing system packages for the tests: {' '.join(need)} ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *need]):
        subprocess.run(command, check=False, env=env, stdout=subprocess.DEVNULL)


def skipped_line(path: Path) -> str | None:
    """One line naming the skipped tests and what installs what they need, or None."""
    if not path.exists():
        return None
    skipped = json.loads(path.read_text(encoding="utf-8"))
    if not skipped:
        return None
    names = sorted({nodeid.split("[")[0] for nodeid, _ in skipped})
    packages: dict[str, None] = {}
    for _, reason in skipped:
        for word, (_, debian) in SYSTEM_NEEDS.items():
            if word in reason.lower():
                packages.update(dict.fromkeys(debian))
    install = f"; to run them: sudo apt-get install {' '.join(packages)}" if packages else ""
    reasons = sorted({reason for _, reason in skipped})
    return f"SKIPPED {len(skipped)} tests ({', '.join(names)}): {' | '.join(reasons)}{install}"


def test(args: list[str]) -> int:
    fast = "--fast" in args
    args = [arg for arg in args if arg != "--fast"]
    ensure_env("test")
    if not fast:
        ensure_system()
    marks = ["-m", "not slow and not browser"] if fast else []
    report = VENV / "skipped.json"
    report.unlink(missing_ok=True)
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(PYTHON), "-m", "pytest", "-n", "auto", "--dist", "loadgroup", *marks, *args],
    ]
    env = {**os.environ, "INDICATORS_SKIPPED_FILE": str(report)}
    code = 0
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)))
        code = subprocess.call(step, cwd=ROOT, env=env)
        if code:
            break
    line = skipped_line(report)
    if line:
        print(line)
    return code


def main() -> int:
    commands = {"app": app, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
