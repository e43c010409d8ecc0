"""The served dashboard in a real headless Chromium: ``streamlit run app.py`` on a free
port, the Overview loaded in fresh browser contexts (its digest, a legend on every chart,
the brief downloaded), its time to first tile and to all charts printed beside a
one-metric Streamlit page's served by the same machine in the same run, screenshots of
the Overview and Trends in both languages kept in tests/_artifacts/, and a hostile
upload that costs the server nothing."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apphelpers as h
import bombs
import pypdfium2 as pdfium
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

from indicators import brief, digest, i18n, queries

ARTIFACTS = h.TESTS / "_artifacts"
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
POINTS = '[data-testid="stVegaLiteChart"] svg g.mark-symbol.role-mark path'  # data marks

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(GROUP)]


@pytest.fixture
def one_metric_app(sync_api: Any, fixture_db: Path) -> Iterator[str]:
    """The one-metric page, served the same way."""
    with streamlit_app(fixture_db, free_port(), script=h.TESTS / "one_metric_app.py") as url:
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
            page.wait_for_function(  # charts are drawn one after another
                ALL_DRAWN, arg=OVERVIEW_CHARTS, timeout=STARTUP_SECONDS * 1000, polling=50
            )
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
            # A click while the first run is still drawing can land on a chart that is
            # about to be replaced; the run over, the chart on screen is the one that
            # answers.
            page.wait_for_function(SCRIPT_DONE, timeout=STARTUP_SECONDS * 1000, polling=50)
            points.nth(index).click(force=True)
            # The figure in the page itself, not in the chart's hover tooltip.
            page.wait_for_function(
                SHOWN_IN_MAIN, arg=figure, timeout=STARTUP_SECONDS * 1000, polling=50
            )
            body = page.inner_text("body")
            assert f"{figure}" in body and "ヴャスナ" in body and str(row["published"]) in body
            page.screenshot(path=str(ARTIFACTS / "trends-evidence.png"), full_page=True)
        finally:
            browser.close()


# --- a fresh session, as a manager opens it on Monday -----------------------------------

#: Every chart drawn (its SVG marks there) and the script done.
ALL_DRAWN = """(n) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return charts.length >= n && charts.every(c => c.querySelector('svg g.role-legend')
      && c.querySelector('svg .mark-rect path, svg .mark-symbol path, svg .mark-line path'));
}"""
TILE = '[data-testid="stMetric"]'
#: The text is on the page (outside any tooltip, which lives outside the main block).
SHOWN_IN_MAIN = """(text) => document.querySelector('[data-testid="stMain"]')
  ?.innerText.includes(text)"""
#: The script run is over.
SCRIPT_DONE = """() => document.querySelector('[data-testid="stApp"]')
  ?.getAttribute('data-test-script-state') === 'notRunning'"""
ROUNDS = 3


#: The Overview's charts: one per indicator.
OVERVIEW_CHARTS = 3


def _open(browser: Any, url: str, *, height: int = 1000, all_charts: bool = True) -> Any:
    """A page in a new browser context (empty cache, a new session on the server), and
    the seconds to its first tile and to every chart drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": height})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(TILE, timeout=STARTUP_SECONDS * 1000)
    first = time.perf_counter() - started
    drawn = None
    if all_charts:
        page.wait_for_function(
            ALL_DRAWN, arg=OVERVIEW_CHARTS, timeout=STARTUP_SECONDS * 1000, polling=50
        )
        drawn = time.perf_counter() - started
    return context, page, first, drawn


def test_overview_in_a_fresh_session_beside_a_one_metric_page(
    sync_api: Any, served_app: str, one_metric_app: str, fixture_db: Path
) -> None:
    """Prints the time to first tile and to all charts beside the one-metric page's, in
    the same run (a measure, not asserted: the machine is shared); asserts the digest
    and a legend on every chart, and keeps screenshots in both languages."""
    series, sample = queries.default_scope(queries.series(fixture_db))
    found = digest.build(fixture_db, series=series, include_sample=sample)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for url in (one_metric_app, served_app):  # first sessions import and cache
                context, *_ = _open(browser, url, all_charts=url == served_app)
                context.close()
            yardstick, first_tile, all_charts = [], [], []
            for _ in range(ROUNDS):
                context, _page, first, _ = _open(browser, one_metric_app, all_charts=False)
                context.close()
                yardstick.append(first)
                context, page, first, drawn = _open(browser, served_app)
                first_tile.append(first)
                all_charts.append(drawn)
                context.close()
            one = statistics.median(yardstick)
            tile, charts_ = statistics.median(first_tile), statistics.median(all_charts)
            print(
                f"\nfresh session (median of {ROUNDS}): one-metric page {one:.2f} s; "
                f"Overview first tile {tile:.2f} s ({tile / one:.2f}x), "
                f"all charts {charts_:.2f} s ({charts_ / one:.2f}x)"
            )
            for lang in ("ja", "en"):
                url = served_app + ("" if lang == "ja" else "?lang=en")
                context, page, _, _ = _open(browser, url, height=5200)
                body = page.inner_text("body")
                assert i18n.t("overview_title", lang) in body
                assert i18n.t("digest_events", lang) in body
                alerts = [digest.alert_text(a, lang) for a in found.alerts]
                for text in alerts or [digest.no_alerts_text(found, lang)]:
                    assert text in body, text
                charts_on_page = page.locator('[data-testid="stVegaLiteChart"]')
                assert charts_on_page.count() == OVERVIEW_CHARTS  # one per indicator
                for i in range(charts_on_page.count()):
                    assert charts_on_page.nth(i).locator("svg g.role-legend").count() >= 1
                assert page.locator('[data-testid="stException"]').count() == 0
                for code in ("None", "at_least", "border_interceptions", "trade_deal_value"):
                    assert code not in body, code
                page.screenshot(path=str(ARTIFACTS / f"overview-{lang}.png"))
                context.close()
        finally:
            browser.close()


def test_the_overviews_brief_download_is_the_weeks_brief(
    sync_api: Any, served_app: str, fixture_db: Path, tmp_path: Path
) -> None:
    """The PDF the Overview's button gives holds what ``indicators brief`` writes."""
    try:
        brief.japanese_font()
    except brief.BriefError as error:
        skip_unless(False, str(error))
    series, sample = queries.default_scope(queries.series(fixture_db))
    made = brief.build(fixture_db, series=series, include_sample=sample, lang="ja")
    want = pdfium.PdfDocument(made.pdf())[0].get_textpage().get_text_range()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600})
            page = context.new_page()
            page.goto(served_app)
            button = page.get_by_role("button", name=i18n.t("brief_download_pdf", "ja"))
            button.wait_for(timeout=STARTUP_SECONDS * 1000)
            with page.expect_download(timeout=STARTUP_SECONDS * 2000) as download:
                button.click()
            path = tmp_path / "brief.pdf"
            download.value.save_as(path)
        finally:
            browser.close()
    got = pdfium.PdfDocument(path.read_bytes())[0].get_textpage().get_text_range()
    # The same page but for the time it was made.
    made_at = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
    assert [x for x in got.splitlines() if not made_at.search(x)] == [
        x for x in want.splitlines() if not made_at.search(x)
    ]
    assert any(made_at.search(x) for x in got.splitlines())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_trends_screenshots(sync_api: Any, served_app: str, lang: str) -> None:
    """The Trends page with its default annotations: numbered markers, their list beside
    the chart, no raw codes on screen."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(served_app + "trends" + ("" if lang == "ja" else "?lang=en"))
            page.locator(POINTS).first.wait_for(timeout=STARTUP_SECONDS * 1000)
            page.wait_for_function(ALL_DRAWN, arg=1, timeout=STARTUP_SECONDS * 1000, polling=50)
            body = page.inner_text("body")
            assert i18n.t("trends_title", lang) in body
            for code in ("None", "at_least", "political_prisoners"):
                assert code not in body, code
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"trends-{lang}.png"))
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
            # The run the name started is over: a file given to the uploader mid-run can
            # land on an input that run is about to replace.
            page.wait_for_function(SCRIPT_DONE, timeout=STARTUP_SECONDS * 1000, polling=50)
            # The drop zone speaks Japanese: Streamlit's English is hidden, ours drawn over.
            drawn = page.evaluate(
                """() => {
                  const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
                  const button = zone.querySelector('[data-testid="stBaseButton-secondary"]');
                  return [getComputedStyle(button, '::after').content,
                          [...button.children].every(c => getComputedStyle(c).display === 'none')];
                }"""
            )
            assert i18n.t("upload_button", "ja") in drawn[0] and drawn[1], drawn
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
