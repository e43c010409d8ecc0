"""Sign-in and roles in the dashboard (``app_pages/auth.py``) through ``streamlit.testing``.

AppTest cannot follow an OpenID Connect redirect; it can run the app as a given
``st.user`` (``at.user``) with given secrets (``at.secrets``), which is what the gating
reads. The sign-in itself, through a real provider, is tests/test_browser_signin.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import apphelpers as h
import pytest
from streamlit.testing.v1 import AppTest

from indicators import queries

TIMEOUT = 60
EDITOR = "editor@example.org"
VIEWER = "viewer@example.org"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-but-long-enough",
    "client_id": "indicators",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
TEAM = {"auth": AUTH, "indicators": {"editors": [EDITOR]}}


@pytest.fixture
def own_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    monkeypatch.setenv("INDICATORS_DB", str(db))
    for name in ("INDICATORS_EDITORS", "INDICATORS_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    return db


def run(page: str, *, secrets: dict[str, Any] | None = None, user: dict | None = None) -> AppTest:
    """The app on ``page`` with these secrets (none: no secrets.toml) as this ``st.user``."""
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT)
    at.secrets = dict(secrets or {})
    at.user = dict(user if user is not None else {})
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(email: str, **claims: Any) -> dict[str, Any]:
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


def upload_week() -> tuple[h.Week, list[tuple[str, bytes, str]]]:
    week = h.Week(dt.date(2024, 1, 1), prisoners=1502)
    return week, [(week.file_name, h.report_text(week).encode("utf-8"), "text/plain")]


def test_nobody_signed_in_sees_the_sign_in_screen_and_nothing_else(own_db: Path) -> None:
    at = run("overview", secrets=TEAM, user={"is_logged_in": False})
    assert [b.label for b in at.button] == ["サインイン"]
    assert at.subheader[0].value == "サインインしてください"
    assert not at.get("vega_lite_chart") and not at.metric and not at.multiselect
    assert not at.file_uploader and not at.dataframe
    at.radio(key="lang").set_value("en").run()
    assert [b.label for b in at.button] == ["Sign in"]


def test_a_viewer_sees_the_data_but_no_upload(own_db: Path) -> None:
    at = run("reports", secrets=TEAM, user=signed_in(VIEWER, name="Viewer"))
    assert at.title[0].value == "報告書と取り込み"
    assert at.dataframe  # the reports and the ingest log
    assert not at.file_uploader and not at.text_input  # no name asked either
    assert "閲覧のみできます" in at.info[0].value
    assert f"{VIEWER}（閲覧者）" in " ".join(c.value for c in at.sidebar.caption).replace("\\", "")


def test_an_editor_uploads_and_the_log_records_the_email(own_db: Path) -> None:
    at = run("reports", secrets=TEAM, user=signed_in(EDITOR.upper()))
    assert "（編集者）" in " ".join(c.value for c in at.sidebar.caption)
    week, files = upload_week()
    at.file_uploader(key="uploads").set_value(files)
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    log = queries.ingest_log(own_db, limit=1)
    assert list(zip(log["file_name"], log["action"], log["logged_by"], strict=True)) == [
        (f"upload/{week.file_name}", "added", EDITOR)
    ]


def test_an_unverified_email_on_the_list_is_a_viewer(own_db: Path) -> None:
    at = run("reports", secrets=TEAM, user=signed_in(EDITOR, email_verified=False))
    assert not at.file_uploader


def test_editors_from_the_environment(own_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDICATORS_EDITORS", "other@example.org, viewer@example.org")
    at = run("reports", secrets=TEAM, user=signed_in(VIEWER))
    assert at.file_uploader


def test_read_only_lets_nobody_upload(own_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    for secrets, user in ((TEAM, signed_in(EDITOR)), (None, None)):
        at = run("reports", secrets=secrets, user=user)
        assert not at.file_uploader and not at.text_input
        assert at.info[0].value == "この画面は閲覧専用です。データは変更できません。"
        assert at.dataframe


def test_without_sign_in_the_name_is_asked_once_and_can_be_changed(own_db: Path) -> None:
    at = run("reports")
    assert not at.file_uploader
    at.button(key="user_name_ok").click().run()  # an empty name is not a name
    assert not at.file_uploader and at.warning
    at.text_input(key="user_name_input").input("Tanaka")
    at.button(key="user_name_ok").click().run()
    assert at.file_uploader
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/reports.py").run()  # remembered for the session
    assert at.file_uploader
    assert any(c.value.endswith("作業者: Tanaka") for c in at.sidebar.caption)
    at.sidebar.button(key="change_name").click().run()
    assert not at.file_uploader


def test_a_wrong_setting_is_one_line_on_screen(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICATORS_READ_ONLY", "sometimes")
    at = run("overview")
    assert [e.value for e in at.error] == [
        "サインインの設定に誤りがあります: "
        "INDICATORS_READ_ONLY='sometimes': expected 1 or 0 (true or false)"
    ]
    assert not at.get("vega_lite_chart")
