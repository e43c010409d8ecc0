"""Shared test fixtures: the real report, fresh databases, and skips that CI refuses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
REPORTS = TESTS / "reports"
REAL_REPORT = REPORTS / "belarus-weekly-2023-11-30.txt"
REAL_EXPECTED = REPORTS / "belarus-weekly-2023-11-30.expected.json"

# Test helper modules (pdfmaker, ...) are imported by plain name.
sys.path.insert(0, str(TESTS))


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` differs from ``expected`` on the keys ``expected`` has."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found.extend(mismatches(value, actual[key], f"{where}.{key}"))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        if len(expected) != len(actual):
            shown = json.dumps(actual, ensure_ascii=False)
            return [f"{where}: expected {len(expected)} items, got {len(actual)}: {shown}"]
        found = []
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found.extend(mismatches(want, got, f"{where}[{i}]"))
        return found
    # bool is an int in Python; 1 must not pass for true, nor 1.0 for "1".
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


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
