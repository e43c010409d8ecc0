"""The Review page through ``streamlit.testing`` on a real DuckDB file: the analyst's
loop (reject a value, correct another, assign a quantity), seen on the Overview tiles,
the Trends chart's data and the export, with the log holding the three rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import apphelpers as h
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from indicators import definitions, export, i18n, queries, review

TIMEOUT = 60
SCOPE = {"series": None, "include_sample": True}


@pytest.fixture
def own_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    monkeypatch.setenv("INDICATORS_DB", str(db))
    definitions.use_entries([])
    return db


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_review() -> AppTest:
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT)
    ok(at.run())
    at.switch_page("app_pages/review.py")
    return ok(at.run())


def tile(db: Path, indicator: str, dimension: str | None = None) -> pd.Series:
    tiles = queries.latest(db, **SCOPE)
    rows = tiles[(tiles["series"] == h.REAL_SERIES) & (tiles["indicator"] == indicator)]
    if dimension:
        rows = rows[rows["dimension"] == dimension]
    rows = rows[rows["unit"] == "persons"]
    assert len(rows) == 1
    return rows.iloc[0]


def pick(at: AppTest, *words: str) -> None:
    """Choose the queue entry whose label holds all ``words``."""
    box = at.selectbox(key="review_pick")
    found = [i for i, label in enumerate(box.options) if all(w in label for w in words)]
    assert found, (words, box.options[:10])
    ok(box.set_value(found[0]).run())


def act(at: AppTest, action: str, reason: str = "", **fields: Any) -> None:
    ok(at.radio(key="review_action").set_value(action).run())
    for key, value in fields.items():
        widget: Any = {
            "value": lambda: at.number_input(key="review_value"),
            "indicator": lambda: at.selectbox(key="review_indicator"),
            "dimension": lambda: at.selectbox(key="review_dimension"),
            "unit": lambda: at.selectbox(key="review_unit"),
            "date": lambda: at.date_input(key="review_date"),
        }[key]()
        ok(widget.set_value(value).run())
    at.text_input(key="review_reason").input(reason)
    ok(at.button(key="review_submit").click().run())


def test_the_review_loop_changes_tiles_charts_and_exports(own_db: Path) -> None:
    lt_before = tile(own_db, "border_interceptions", "LT")
    prisoners_before = tile(own_db, "political_prisoners")
    at = open_review()
    assert "review_submit" not in [b.key for b in at.button]  # the name comes first
    ok(h.give_name(at, "田中 花子"))
    ok(at.toggle(key="review_all_values").set_value(True).run())

    # 1. reject the latest LT border count
    lt_day = str(lt_before["report_published"])[:10]
    pick(at, lt_day, h.REAL_SERIES, i18n.indicator_name("border_interceptions", "ja"), "· LT ·")
    act(at, "reject", reason="合計であってLTの値ではない")
    assert list(review.log(own_db)["action"]) == ["reject"]
    # 2. correct the latest political-prisoner count
    pp_day = str(prisoners_before["report_published"])[:10]
    pick(at, pp_day, h.REAL_SERIES, i18n.indicator_name("political_prisoners", "ja"))
    corrected = float(prisoners_before["value"]) + 7
    act(at, "correct", value=corrected)
    assert list(review.log(own_db)["action"]) == ["reject", "correct"]
    # 3. assign the journalists surveyed to LV's border count of that week
    pick(at, i18n.t("review_kind_quantity", "ja"), "ジャーナリスト")
    act(
        at,
        "assign",
        indicator="border_interceptions",
        dimension="LV",
        unit="persons",
        date=dt.date(2023, 11, 26),
    )

    # The Overview tile: the corrected value, marked as such; LT's tile falls back.
    prisoners = tile(own_db, "political_prisoners")
    assert (prisoners["value"], prisoners["origin"]) == (corrected, "corrected")
    lt = tile(own_db, "border_interceptions", "LT")
    assert lt["report_published"] < lt_before["report_published"]
    at.switch_page("app_pages/overview.py")
    ok(at.run())
    want = i18n.format_value(corrected, "persons", "exact", "ja")
    assert any(m.value == want for m in at.metric)
    assert i18n.t("origin_corrected", "ja") in h.texts(at)

    # The Trends chart's data: LV's week of 2023-11-20 is the assigned value.
    weekly = queries.weekly(own_db, "border_interceptions", series=[h.REAL_SERIES],
                            include_sample=False)  # fmt: skip
    lv = weekly[(weekly["dimension"] == "LV") & (weekly["week"] == pd.Timestamp("2023-11-20"))]
    assert lv[["value", "origin"]].values.tolist() == [[108.0, "assigned"]]
    at.switch_page("app_pages/trends.py")
    at.query_params["indicator"] = "border_interceptions"
    ok(at.run())
    charted = pd.concat([h.chart_rows(c) for c in h.charts_of(at, "border_interceptions")])
    assigned = charted[charted["origin_label"].str.startswith(i18n.t("origin_assigned", "ja"))]
    assert set(assigned["value"]) == {108.0}

    # The export: provenance columns.
    rows = export.frame(own_db, "observations", indicator="political_prisoners")
    mine = rows[rows["origin"] == "corrected"]
    assert mine[["value", "original_value", "changed_by"]].values.tolist() == [
        [corrected, float(prisoners_before["value"]), "田中 花子"]
    ]

    # The log: three rows, who, before and after.
    log = review.log(own_db)
    assert list(log["action"]) == ["reject", "correct", "assign"]
    assert set(log["logged_by"]) == {"田中 花子"}
    assert log["before_value"].tolist() == [
        float(lt_before["value"]),
        float(prisoners_before["value"]),
        108.0,
    ]
    assert log["after_value"].tolist()[1:] == [corrected, 108.0]
    assert log["reason"].iloc[0] == "合計であってLTの値ではない"
    assert log["after_indicator"].iloc[2] == "border_interceptions"

    # The page's download is the whole log, with a BOM.
    at.switch_page("app_pages/review.py")
    ok(at.run())
    assert (
        review.queue(own_db, kinds=["quantity"], limit=None)["sentence"]
        .str.contains("ジャーナリスト")
        .sum()
        == 0
    )


def test_a_new_indicator_from_a_quantity_backfills_its_history(own_db: Path) -> None:
    at = open_review()
    ok(h.give_name(at, "analyst"))
    pick(at, i18n.t("review_kind_quantity", "ja"), "ジャーナリスト")
    at.text_input(key="new_id").input("journalists_surveyed")
    at.text_input(key="new_name_ja").input("調査対象のジャーナリスト")
    at.text_input(key="new_name_en").input("Journalists surveyed")
    at.selectbox(key="new_unit").set_value("persons")
    assert "ジャーナリスト" in at.multiselect(key="new_cues").value
    ok(at.button(key="new_save").click().run())
    assert not at.error, [e.value for e in at.error]
    assert "journalists_surveyed" in queries.indicator_ids()
    tiles = queries.latest(own_db, **SCOPE)
    assert tiles[tiles["indicator"] == "journalists_surveyed"]["value"].tolist() == [108.0]
    at.switch_page("app_pages/trends.py")
    at.query_params["indicator"] = "journalists_surveyed"
    ok(at.run())
    assert at.get("vega_lite_chart")
    at.switch_page("app_pages/overview.py")
    ok(at.run())
    assert "調査対象のジャーナリスト" in h.texts(at)
    definitions.use_entries([])


EDITOR = "editor@example.org"
TEAM = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret-but-long-enough",
        "client_id": "indicators",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "indicators": {"editors": [EDITOR]},
}


def signed_in_review(email: str) -> AppTest:
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT)
    at.secrets = TEAM
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    ok(at.run())
    at.switch_page("app_pages/review.py")
    return ok(at.run())


def test_with_sign_in_a_viewer_sees_the_queue_and_an_editor_acts_as_their_email(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("INDICATORS_EDITORS", "INDICATORS_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    viewer = signed_in_review("viewer@example.org")
    assert viewer.selectbox(key="review_pick").options  # the queue is there to read
    assert "review_submit" not in [b.key for b in viewer.button]
    assert not [w for w in viewer.text_input if w.key == "user_name_input"]  # no name asked

    editor = signed_in_review(EDITOR)
    pick(editor, i18n.t("review_kind_quantity", "ja"), "ジャーナリスト")
    act(editor, "dismiss", reason="調査の回答者数")
    log = review.log(own_db)
    assert log[["action", "logged_by", "reason"]].values.tolist() == [
        ["dismiss", EDITOR, "調査の回答者数"]
    ]
