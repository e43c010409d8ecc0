"""Shared test fixtures: the real report, fresh databases, and skips that CI refuses."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
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

# A dashboard on a lake keeps a local copy of its search (indicators.store.mirror), by
# default in the user's cache folder: the tests' copies go to a folder of their own
# (inherited by the apps they start), removed when the test process ends.
_COPIES = tempfile.TemporaryDirectory(prefix="indicators-copies-")
os.environ["INDICATORS_SEARCH_MIRROR"] = _COPIES.name

import pgcluster  # noqa: E402  (a helper module of this folder)

from indicators import store  # noqa: E402


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


# --- the served dashboard in a real browser (test_browser.py, test_review_browser.py) ---


@pytest.fixture
def sync_api() -> Any:
    """Playwright's sync API, once Chromium is known to be there (CI must have it)."""
    from served import CHROMIUM

    skip_unless(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def fixture_db(tmp_path: Path) -> Path:
    """The dashboard tests' database (tests/apphelpers.py); some modules keep one of
    their own for the whole module."""
    import apphelpers

    return apphelpers.build_db(tmp_path / "t.duckdb", tmp_path / "reports")


@pytest.fixture
def served_app(sync_api: Any, fixture_db: Path) -> Iterator[str]:
    """``streamlit run app.py`` on the fixture database; yields the app's URL."""
    from served import free_port, streamlit_app

    with streamlit_app(fixture_db, free_port()) as url:
        yield url


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgcluster.Cluster]:
    """A real PostgreSQL server for this test process (a fresh cluster on loopback)."""
    why = pgcluster.reason()
    skip_unless(why is None, f"no PostgreSQL for the DuckLake tests: {why}")
    bindir = pgcluster.find_bin()
    assert bindir is not None
    cluster = pgcluster.Cluster(bindir)
    yield cluster
    cluster.stop()


@pytest.fixture
def lake(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, empty DuckLake: a new PostgreSQL database as its catalog, a folder of
    this test as its data path (``INDICATORS_DATA_PATH``, inherited by subprocesses)."""
    cluster: pgcluster.Cluster = request.getfixturevalue("postgres")
    data = tmp_path / "lake-data"
    data.mkdir()
    monkeypatch.setenv("INDICATORS_DATA_PATH", str(data))
    location = f"ducklake:postgres:{cluster.conninfo(cluster.create_database())}"
    yield location
    store.connection.forget(location)


@pytest.fixture(params=["file", "ducklake"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> store.Location:
    """A fresh store of each backend: a DuckDB file, then a DuckLake on PostgreSQL."""
    if request.param == "file":
        return tmp_path / "t.duckdb"
    location: str = request.getfixturevalue("lake")
    return location


# --- what was skipped, for dev.py's last line ------------------------------------------

_SKIPPED: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect skips (on the controller, from every worker too)."""
    if report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPPED.append((report.nodeid, reason.removeprefix("Skipped: ")))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the skips where dev.py asked (INDICATORS_SKIPPED_FILE), from the controller."""
    target = os.environ.get("INDICATORS_SKIPPED_FILE")
    if target and not hasattr(session.config, "workerinput"):
        Path(target).write_text(json.dumps(_SKIPPED, ensure_ascii=False), encoding="utf-8")
