"""definitions.toml: checked on loading, and the one place an indicator is added.

A wrong entry is one line naming the entry; a new indicator with a unit and counter of
its own, added to the data alone, is extracted, stored, charted and labelled.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

import apphelpers as h
import pytest
from streamlit.testing.v1 import AppTest

from indicators import charts, i18n, ingest, queries
from indicators.cli import main
from indicators.definitions import DefinitionsError, parse_definitions
from indicators.extract import extract
from indicators.parse import parse_text

PACKAGED = resources.files("indicators").joinpath("definitions.toml").read_text("utf-8")


WRONG_ENTRIES = [
    ('topic_scope = "sentence_or_headline"', 'cue = "政治犯"',
     "political_prisoners: unknown key 'cue'"),
    ('units = ["persons"]', 'units = ["people"]', "political_prisoners: unknown unit 'people'"),
    ('shape = "money"', 'shape = "ratio"', "trade_deal_value: shape = 'ratio'; expected one of"),
    ('dimension = "reporter"', 'dimension = "guard"',
     "border_interceptions: dimension = 'guard'"),
    ('dimension_countries = ["LT", "LV", "PL", "UA"]', 'dimension_countries = ["LT", "XX"]',
     "unknown country 'XX'"),
    ('select = "all"', 'select = "some"', "trade_deal_value: select = 'some'"),
    ('name = { ja = "人", en = "persons" }', 'name = { ja = "人" }',
     "[units.persons]: name needs exactly ja and en"),
    ("format = 1", "format = 1\nfavourite = 2", "top level: unknown key 'favourite'"),
    ('USD = { ja = "米ドル"', 'US = { ja = "米ドル"',
     "[currencies] US: a currency is named by its ISO 4217 code"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), WRONG_ENTRIES)
def test_a_wrong_entry_is_one_line_naming_it(old: str, new: str, message: str) -> None:
    assert old in PACKAGED
    with pytest.raises(DefinitionsError) as raised:
        parse_definitions(PACKAGED.replace(old, new, 1), "mine.toml")
    text = str(raised.value)
    assert text.startswith("mine.toml: ")
    assert message in text
    assert "\n" not in text


def test_a_wrong_definitions_file_stops_the_cli_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "defs.toml"
    bad.write_text(PACKAGED.replace('kind = "stock"', 'kind = "level"', 1), "utf-8")
    monkeypatch.setenv("INDICATORS_DEFINITIONS", str(bad))

    status = main(["parse", str(h.REAL_REPORT), "--json"])

    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert err == [f"{bad}: [[indicator]] political_prisoners: kind = 'level'; expected one of "
                   "stock, flow, event"]  # fmt: skip


NEW_INDICATOR = """
[units.verdicts]
name = { ja = "件", en = "verdicts" }
counters = ["件"]

[[indicator]]
id = "political_verdicts"
name = { ja = "政治的な有罪判決", en = "Political verdicts" }
description = { ja = "政治的な理由による有罪判決の件数。", en = "Verdicts on political grounds." }
shape = "count"
kind = "flow"
units = ["verdicts"]
chart = "line"
topic = ["判決"]
topic_scope = "sentence"
excluded_before = ["年初", "累計"]
dimension = "none"
dated_by = "event"
select = "all"
"""

VERDICTS = """ベラルーシ公開情報とりまとめ
（11月 20日～11月 26日）
2023年 11月 30日
在ベラルーシ大使館
【内政】
●政治的な裁判
・人権団体によれば、今週、政治的な理由による有罪判決は 12件言い渡された。
・年初からの累計は 1,040件。
（11月 24日 人権団体「ヴャスナ（春）」）
"""


@pytest.fixture
def verdicts_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "definitions.toml"
    path.write_text(PACKAGED + NEW_INDICATOR, "utf-8")
    monkeypatch.setenv("INDICATORS_DEFINITIONS", str(path))
    return path


def test_a_new_indicator_with_its_own_unit_needs_only_data(
    verdicts_definitions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Extracted: the weekly number, not the year's total.
    found = extract(parse_text(VERDICTS))
    assert [(o.indicator, o.value, o.unit, o.as_of) for o in found.observations] == [
        ("political_verdicts", Decimal(12), "verdicts", dt.date(2023, 11, 24))
    ]
    assert found.observations[0].rule.startswith("political_verdicts: 判決 in the clause")
    assert Decimal(1040) in {q.value for q in found.quantities}

    # Stored, through the one ingest path.
    report = tmp_path / "verdicts.txt"
    report.write_text(VERDICTS, "utf-8")
    db = tmp_path / "t.duckdb"
    result = ingest.ingest(db, [report])
    assert [o.action for o in result.outcomes] == ["added"]
    scope = {"series": None, "include_sample": True}
    rows = queries.weekly(db, "political_verdicts", **scope)
    assert rows[["value", "unit"]].values.tolist() == [[12.0, "verdicts"]]

    # Labelled, in both languages, from the definitions.
    assert i18n.indicator_name("political_verdicts", "en") == "Political verdicts"
    assert i18n.format_value(12, "verdicts", "exact", "en") == "12 verdicts"
    assert i18n.format_value(12, "verdicts", "exact", "ja") == "12件"

    # Charted: the Trends page draws it, named in the user's language.
    chart = charts.trend(rows, lang="en", y_title="Political verdicts (verdicts)")
    spec = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert "Political verdicts (verdicts)" in spec
    monkeypatch.setenv("INDICATORS_DB", str(db))
    at = AppTest.from_file(str(h.APP), default_timeout=60)
    at.run()
    at.switch_page("app_pages/trends.py")
    at.query_params["indicator"] = "political_verdicts"
    at.query_params["sample"] = "1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="tr_indicator").value == "political_verdicts"
    [trend] = h.charts_of(at, "political_verdicts")
    assert h.chart_rows(trend)["value"].tolist() == [12.0]
