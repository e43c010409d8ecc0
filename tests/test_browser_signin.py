"""Sign-in through a real OpenID Connect provider, in a real headless Chromium.

The provider is the ``oidc-provider`` package (tests/oidc/, installed with npm on first
use) on loopback, with a viewer and an editor; the dashboard runs under ``streamlit run``
with a ``secrets.toml`` made for the test (``--secrets.files``) that names the editor.
Each user signs in through the whole redirect flow (dashboard -> provider's sign-in form
-> callback): the viewer sees the data and no upload; the editor uploads a corrected
report, and the ingest log records the correction under the editor's email.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import apphelpers as h
import pytest
from conftest import skip_unless
from filelock import FileLock
from served import (
    CHROMIUM,
    CHROMIUM_ARGS,
    GROUP,
    STARTUP_SECONDS,
    free_port,
    serving,
    streamlit_app,
)

from indicators import queries, store

OIDC = h.TESTS / "oidc"
ARTIFACTS = h.TESTS / "_artifacts"
VIEWER = {"email": "viewer@example.org", "password": "viewer-password", "name": "Viewer"}
EDITOR = {"email": "editor@example.org", "password": "editor-password", "name": "Editor"}
UPLOADER = '[data-testid="stFileUploader"]'
WAIT_MS = STARTUP_SECONDS * 1000

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(GROUP)]


@dataclass(frozen=True)
class Team:
    """The served dashboard with sign-in, and its database."""

    url: str
    db: Path


def _provider_installed() -> None:
    """``npm install`` in tests/oidc when its pinned oidc-provider is not there yet."""
    skip_unless(
        shutil.which("node") is not None and shutil.which("npm") is not None,
        "node and npm are missing (apt-get install nodejs npm)",
    )
    wanted = json.loads((OIDC / "package.json").read_text())["dependencies"]["oidc-provider"]
    installed = OIDC / "node_modules" / "oidc-provider" / "package.json"
    with FileLock(OIDC / "node_modules.lock"):
        if installed.exists() and json.loads(installed.read_text())["version"] == wanted:
            return
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"],
            cwd=OIDC,
            capture_output=True,
            text=True,
        )
        skip_unless(done.returncode == 0, f"npm install in tests/oidc failed:\n{done.stderr}")


@pytest.fixture(scope="module")
def sync_api() -> Any:
    skip_unless(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def team(sync_api: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """The provider and the dashboard, each on a free loopback port."""
    _provider_installed()
    folder = tmp_path_factory.mktemp("signin")
    db = h.build_db(folder / "t.duckdb", folder / "reports")
    app_port, provider_port = free_port(), free_port()
    redirect_uri = f"http://127.0.0.1:{app_port}/oauth2callback"
    client_id, client_secret = "indicators-dashboard", os.urandom(16).hex()
    provider_env = dict(
        os.environ,
        OIDC_PORT=str(provider_port),
        OIDC_CLIENT_ID=client_id,
        OIDC_CLIENT_SECRET=client_secret,
        OIDC_REDIRECT_URI=redirect_uri,
        OIDC_USERS=json.dumps([VIEWER, EDITOR]),
    )
    # The secrets.toml of the README's "Sign-in and roles", for this provider.
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "{redirect_uri}"
cookie_secret = "{os.urandom(32).hex()}"
client_id = "{client_id}"
client_secret = "{client_secret}"
server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login", code_challenge_method = "S256" }}

[indicators]
editors = ["{EDITOR["email"]}"]
""",
        encoding="utf-8",
    )
    assert tomllib.loads(secrets.read_text())["indicators"]["editors"] == [EDITOR["email"]]
    provider = ["node", "provider.mjs"]
    with (
        serving(provider, ready="listening on", cwd=OIDC, env=provider_env),
        streamlit_app(db, app_port, options=["--secrets.files", str(secrets)]) as url,
    ):
        yield Team(url, db)


def sign_in(page: Any, team: Team, user: dict[str, str]) -> None:
    """From the dashboard's sign-in screen through the provider's form, and back."""
    page.goto(team.url)
    page.get_by_role("button", name="サインイン").click(timeout=WAIT_MS)
    page.wait_for_selector('input[name="login"]', timeout=WAIT_MS)  # the provider's page
    assert page.url.startswith(team.url.rsplit(":", 1)[0]) and team.url not in page.url
    page.fill('input[name="login"]', user["email"])
    page.fill('input[name="password"]', user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(user["email"]).first.wait_for(timeout=WAIT_MS)  # the sidebar says who


def open_reports(page: Any, team: Team) -> str:
    """The Reports page, drawn to its last widget (the ingest log's CSV); its text."""
    page.goto(team.url + "reports")
    page.locator(".st-key-csv_ingest_log button").first.wait_for(timeout=WAIT_MS)
    return str(page.inner_text("body"))


def test_a_viewer_signs_in_and_sees_no_upload(sync_api: Any, team: Team) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(team.url)
            page.get_by_role("button", name="サインイン").wait_for(timeout=WAIT_MS)
            assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
            sign_in(page, team, VIEWER)
            assert "閲覧者" in page.inner_text('[data-testid="stSidebar"]')
            body = open_reports(page, team)
            assert "閲覧のみできます" in body
            assert page.locator(UPLOADER).count() == 0
            assert page.locator('[data-testid="stException"]').count() == 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "signin-viewer.png"), full_page=True)
        finally:
            browser.close()


def test_an_editor_signs_in_and_the_correction_carries_the_email(
    sync_api: Any, team: Team, tmp_path: Path
) -> None:
    # A corrected file for a report the database holds: same series, date and period.
    stored = next(w for w in h.WEEKS if w.prisoners and not w.is_sample)
    corrected = replace(stored, prisoners=stored.prisoners + 7)  # type: ignore[operator]
    upload = tmp_path / stored.file_name
    upload.write_text(h.report_text(corrected), encoding="utf-8")
    before = len(queries.ingest_log(team.db, limit=None))

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            sign_in(page, team, EDITOR)
            assert "編集者" in page.inner_text('[data-testid="stSidebar"]')
            open_reports(page, team)
            page.locator(f'{UPLOADER} input[type="file"]').set_input_files(str(upload))
            page.locator(f'{UPLOADER} [title="{upload.name}"]').wait_for(timeout=WAIT_MS)
            page.get_by_role("button", name="取り込む").click()
            page.get_by_text("取り込み完了: 追加 0・置換 1").wait_for(timeout=WAIT_MS)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "signin-editor.png"), full_page=True)
        finally:
            browser.close()

    log = queries.ingest_log(team.db, limit=None)
    assert len(log) == before + 1
    newest = log.iloc[0]
    assert (newest["file_name"], newest["action"], newest["logged_by"]) == (
        f"upload/{upload.name}",
        "replaced",
        EDITOR["email"],
    )
    value = store.query(
        team.db,
        "SELECT o.value FROM observations o JOIN reports r USING (report_id)"
        " WHERE o.indicator = 'political_prisoners' AND r.series = ? AND r.published = ?",
        [stored.series, stored.published],
    )
    assert list(value["value"]) == [float(corrected.prisoners)]  # type: ignore[arg-type]
