"""Shared test fixtures: the real report, fresh databases, and skips that CI refuses."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
REPORTS = TESTS / "reports"
REAL_REPORT = REPORTS / "belarus-weekly-2023-11-30.txt"
REAL_EXPECTED = REPORTS / "belarus-weekly-2023-11-30.expected.json"

# Test helper modules (pdfmaker, ...) are imported by plain name.
sys.path.insert(0, str(TESTS))


def skip_unless(condition: bool, reason: str) -> None:
    """Skip when a system dependency is missing, but fail under CI, which installs it."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A path for a fresh DuckDB file."""
    return tmp_path / "t.duckdb"


@pytest.fixture
def real_folder(tmp_path: Path) -> Path:
    """A folder holding a copy of the real report only."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(REAL_REPORT, folder)
    return folder
