"""The served dashboard in a real headless Chromium: ``streamlit run app.py`` on a free
port, the Overview loaded, its charts drawn, a screenshot kept in tests/_artifacts/."""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apphelpers as h
import bombs
import pytest
from conftest import skip_unless

from indicators import i18n

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = h.TESTS / "_artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
POINTS = '[data-testid="stVegaLiteChart"] svg g.mark-symbol.role-mark path'  # data marks

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sync_api() -> Any:
    """Playwright's sync API, once Chromium is known to be there (CI must have it)."""
    skip_unless(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def served_app(sync_api: Any, tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a fixture database; yields the app's URL."""
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    with _served(db) as (url, _):
        yield url


@contextlib.contextmanager
def _served(db: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The app served on a free port over ``db``: its URL and its server process."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(h.APP),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    env = dict(os.environ, INDICATORS_DB=str(db))
    server = subprocess.Popen(
        command,
        cwd=h.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in server.stdout], daemon=True
    ).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        # Streamlit prints its URL once it serves; wait for that line (no sleeping).
        while not any("URL:" in line for line in seen):
            try:
                seen.append(lines.get(timeout=STARTUP_SECONDS))
            except queue.Empty:
                pytest.fail("streamlit did not start:\n" + "".join(seen))
        yield f"http://127.0.0.1:{port}/", server
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_overview_in_chromium(sync_api: Any, served_app: str) -> None:
    stated = h.expected_observations()
    prisoners = stated[
        (stated.series == h.REAL_SERIES) & (stated.indicator == "political_prisoners")
    ].sort_values("week")
    latest = prisoners.iloc[-1]
    figure = i18n.format_value(latest["value"], "persons", latest["qualifier"], "ja")

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600})
            page.goto(served_app)
            page.wait_for_selector(CHART, timeout=STARTUP_SECONDS * 1000)
            page.get_by_text(figure, exact=True).first.wait_for()
            page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
            assert page.locator(CHART).count() >= 3  # prisoners, border panels, deals
            assert page.locator('[data-testid="stException"]').count() == 0
            assert figure in page.inner_text("body")
        finally:
            browser.close()


def test_clicking_a_point_shows_its_evidence(sync_api: Any, served_app: str) -> None:
    """The selection payload a real browser sends is the one the page reads."""
    stated = h.expected_observations()
    prisoners = stated[
        (stated.series == h.REAL_SERIES) & (stated.indicator == "political_prisoners")
    ].sort_values("week")
    # The chart draws the real series' points first, in week order.
    index = list(prisoners["qualifier"]).index("approx")
    row = prisoners.iloc[index]
    figure = f"約{int(row['value']):,}人"

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600})
            page.goto(served_app + "trends")
            points = page.locator(POINTS)
            points.first.wait_for(timeout=STARTUP_SECONDS * 1000)
            points.nth(index).click(force=True)
            page.get_by_text(figure).first.wait_for()
            body = page.inner_text("body")
            assert f"{figure}" in body and "ヴャスナ" in body and str(row["published"]) in body
            page.screenshot(path=str(ARTIFACTS / "trends-evidence.png"), full_page=True)
        finally:
            browser.close()


def _peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory so far (``VmHWM``), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def test_an_uploaded_glyph_bomb_costs_the_server_nothing(sync_api: Any, tmp_path: Path) -> None:
    """The upload page parses in a worker: the server's peak memory stays far below the
    4.8 GB the bomb once cost it, and the page shows the file's one line. A bound on
    memory, not a timing; BENCHMARKS.md has the measured figures."""
    bomb = tmp_path / "glyphs.pdf"
    bomb.write_bytes(bombs.glyph_bomb(10_000_000))
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    with _served(db) as (url, server), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(url + "reports")
            chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            chooser.wait_for(state="attached", timeout=STARTUP_SECONDS * 1000)
            chooser.set_input_files(str(bomb))
            page.get_by_text("glyphs.pdf").first.wait_for()
            page.get_by_role("button", name=i18n.t("ingest_button", "ja")).click()
            line = page.get_by_text("INDICATORS_WORKER_MEMORY_MB")
            line.first.wait_for(timeout=120_000)
            body = page.inner_text("body")
            assert "needs more memory than a reader may take (512 MiB" in body
            assert page.locator('[data-testid="stException"]').count() == 0
            assert _peak_rss_mb(server.pid) < 600
        finally:
            browser.close()
