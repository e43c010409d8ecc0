"""The Review page served (``streamlit run app.py``) in a real headless Chromium: the
analyst gives a name, assigns a quantity, rejects a value and corrects another; the log
holds the three rows with before and after, and the Overview shows the corrected value
marked as such."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apphelpers as h
import pytest
from served import CHROMIUM, CHROMIUM_ARGS, GROUP, STARTUP_SECONDS

from indicators import i18n, queries, review

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(GROUP)]
WAIT = STARTUP_SECONDS * 1000
OPTION_WAIT = 5_000  # ms for an option to be clicked before the box is opened again


def t(key: str, **values: object) -> str:
    return i18n.t(key, "ja", **values)


def idle(page: Any) -> None:
    """Wait for the script run to finish."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=WAIT,
    )


def choose(page: Any, label: str, text: str, attempts: int = 3) -> None:
    """Pick the option of a select box whose label holds ``text`` (typed to filter).

    A rerun that starts after :func:`idle` returned (the script state is still
    'notRunning' just after a click) rebuilds the box while the option is being
    clicked: the option is detached and the click waits forever. Open, type and click
    again, a bounded number of times, after the rerun has finished.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(1, attempts + 1):
        page.get_by_role("combobox", name=label).click()
        page.keyboard.type(text)
        try:
            page.get_by_role("option").filter(has_text=text).first.click(timeout=OPTION_WAIT)
            break
        except PlaywrightTimeout:
            if attempt == attempts:
                raise
            page.keyboard.press("Escape")
            idle(page)
    idle(page)


def record(page: Any, action: str, db: Path, n: int) -> None:
    page.get_by_text(t(f"review_{action}"), exact=True).click()
    idle(page)
    page.get_by_role("button", name=t("review_submit")).click()
    page.get_by_text(t("review_done", action=t(f"review_{action}"))).wait_for(timeout=WAIT)
    idle(page)
    assert len(review.log(db)) == n


def test_the_review_loop_in_chromium(sync_api: Any, served_app: str, fixture_db: Path) -> None:
    tiles = queries.latest(fixture_db, series=None, include_sample=True)
    real = tiles[tiles["series"] == h.REAL_SERIES]
    prisoners = real[real["indicator"] == "political_prisoners"].iloc[0]
    lt = real[(real["indicator"] == "border_interceptions") & (real["dimension"] == "LT")]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(served_app + "review")
            page.get_by_role("textbox", name=t("your_name")).fill("田中 花子")
            page.get_by_role("button", name=t("name_ok")).click()
            page.get_by_role("button", name=t("review_submit")).wait_for(timeout=WAIT)

            choose(page, t("review_pick"), "人 ジャーナリスト")
            record(page, "assign", fixture_db, 1)

            page.get_by_text(t("review_all_values")).click()
            idle(page)
            lt_day = str(lt["report_published"].iloc[0])[:10]
            name = i18n.indicator_name("border_interceptions", "ja")
            choose(page, t("review_pick"), f"{lt_day} · {h.REAL_SERIES} · 抽出値 · {name} · LT")
            record(page, "reject", fixture_db, 2)

            pp_day = str(prisoners["report_published"])[:10]
            name = i18n.indicator_name("political_prisoners", "ja")
            choose(page, t("review_pick"), f"{pp_day} · {h.REAL_SERIES} · 抽出値 · {name}")
            page.get_by_text(t("review_correct"), exact=True).click()
            idle(page)
            corrected = int(prisoners["value"]) + 3
            value = page.get_by_role("spinbutton", name=t("review_value"))
            value.fill(str(corrected))
            value.press("Enter")
            idle(page)
            page.get_by_role("button", name=t("review_submit")).click()
            page.get_by_text(t("review_done", action=t("review_correct"))).wait_for(timeout=WAIT)
            idle(page)

            page.goto(served_app)
            page.get_by_text(t("origin_corrected")).first.wait_for(timeout=WAIT)
            idle(page)
            # The tile's figure, once the page has drawn it (fails after WAIT if it never does).
            figure = i18n.format_value(corrected, "persons", "exact", "ja")
            page.locator('[data-testid="stMetricValue"]').filter(has_text=figure).first.wait_for(
                timeout=WAIT
            )
            assert figure in page.inner_text("body"), page.locator(
                '[data-testid="stMetric"]'
            ).all_inner_texts()
        finally:
            browser.close()

    log = review.log(fixture_db)
    assert list(log["action"]) == ["assign", "reject", "correct"]
    assert set(log["logged_by"]) == {"田中 花子"}
    assert log["before_value"].iloc[2] == prisoners["value"]
    assert log["after_value"].iloc[2] == corrected
