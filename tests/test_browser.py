"""The served dashboard in a real headless Chromium: ``streamlit run app.py`` on a free
port, the Overview loaded, its charts drawn, a screenshot kept in tests/_artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apphelpers as h
import bombs
import pytest
from conftest import skip_unless
from served import (
    CHROMIUM,
    CHROMIUM_ARGS,
    GROUP,
    STARTUP_SECONDS,
    free_port,
    streamlit_app,
    streamlit_server,
)

from indicators import i18n

ARTIFACTS = h.TESTS / "_artifacts"
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
POINTS = '[data-testid="stVegaLiteChart"] svg g.mark-symbol.role-mark path'  # data marks

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(GROUP)]


@pytest.fixture
def sync_api() -> Any:
    """Playwright's sync API, once Chromium is known to be there (CI must have it)."""
    skip_unless(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def served_app(sync_api: Any, tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a fixture database; yields the app's URL."""
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    with streamlit_app(db, free_port()) as url:
        yield url


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
    with (
        streamlit_server(db, free_port()) as (url, server),
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(url + "reports")
            # Without sign-in, the analyst names themselves once before the first upload.
            page.get_by_role("textbox", name=i18n.t("your_name", "ja")).fill("Tester")
            page.get_by_role("button", name=i18n.t("name_ok", "ja")).click()
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
