"""dev.py's last line: the tests that were skipped and what installs what they need."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import served
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
assert _spec and _spec.loader
dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev)


def test_the_last_line_names_the_skipped_tests_and_the_install_command(tmp_path: Path) -> None:
    report = tmp_path / "skipped.json"
    skipped = [
        ["tests/test_browser.py::test_overview[ja]", "/usr/bin/chromium is missing"],
        ["tests/test_browser.py::test_overview[en]", "/usr/bin/chromium is missing"],
        ["tests/test_pdf.py::test_two_columns", "no Japanese TrueType font installed"],
    ]
    report.write_text(json.dumps(skipped), encoding="utf-8")
    line = dev.skipped_line(report)
    assert line.startswith("SKIPPED 3 tests (tests/test_browser.py::test_overview, ")
    assert line.endswith("to run them: sudo apt-get install chromium fonts-ipafont-gothic")


def test_nothing_skipped_says_nothing(tmp_path: Path) -> None:
    assert dev.skipped_line(tmp_path / "absent.json") is None
    (tmp_path / "none.json").write_text("[]", encoding="utf-8")
    assert dev.skipped_line(tmp_path / "none.json") is None


def test_pytest_writes_its_skips_where_dev_py_asks(tmp_path: Path) -> None:
    """The conftest hook, in a real pytest run of one skipping test."""
    report = tmp_path / "skipped.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
         "tests/test_dev.py::test_skips_for_the_hook"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**dev.os.environ, "INDICATORS_SKIPPED_FILE": str(report), "SKIP_FOR_HOOK": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(report.read_text(encoding="utf-8")) == [
        ["tests/test_dev.py::test_skips_for_the_hook", "no Node.js here (apt-get install npm)"]
    ]


def test_skips_for_the_hook() -> None:
    """Skips only inside the test above (which runs it); passes on its own."""
    if dev.os.environ.get("SKIP_FOR_HOOK"):
        pytest.skip("no Node.js here (apt-get install npm)")


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ([], "URL: http://localhost:{port}"),
        (["--server.address", "127.0.0.1"], "URL: http://127.0.0.1:{port}"),
    ],
)
def test_the_dashboard_starts_without_asking_the_internet_for_its_address(
    tmp_path: Path, given: list[str], printed: str
) -> None:
    """`python3 dev.py app` prints where the dashboard is, and nothing about an external
    address: a headless Streamlit asks a server on the internet for one unless told."""
    port = served.free_port()
    command = dev.app_command(["--server.port", str(port), *given])
    env = dict(os.environ, INDICATORS_DB=str(tmp_path / "store.duckdb"))
    output: list[str] = []
    with served.serving(command, ready="URL:", cwd=ROOT, env=env, seen=output):
        pass
    printed_lines = "".join(output)
    assert printed.format(port=port) in printed_lines
    assert "external ip" not in printed_lines.lower(), printed_lines
    assert "External URL" not in printed_lines
