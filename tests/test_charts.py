"""Charts from real query results: what the Vega-Lite specs promise a reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import apphelpers as h
import pandas as pd
import pytest

from indicators import charts, queries

ALL = {"series": None, "include_sample": True}
SAMPLES = {"include_sample": True}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("charts")
    return h.build_db(folder / "t.duckdb", folder / "reports")


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("layer", [spec])


def _values(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    name = layer.get("data", {}).get("name") or spec.get("data", {}).get("name")
    return spec["datasets"][name]


def _mark(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def test_trend_marks_qualifiers_gaps_samples_and_selection(fixture_db: Path) -> None:
    rows = queries.weekly(fixture_db, "political_prisoners", **ALL)
    notes = queries.highlights(fixture_db, **ALL).head(3)
    spec = charts.trend(rows, lang="en", y_title="persons", annotations=notes).to_dict()
    layers = _layers(spec)
    marks = [_mark(layer) for layer in layers]
    assert marks.count("line") == 1 and "point" in marks and "rule" in marks and "text" in marks

    line = layers[marks.index("line")]
    assert line["mark"]["invalid"] == "break-paths-show-domains"  # a gap breaks the line
    assert line["encoding"]["detail"]["field"] == "series"  # never one line across series
    dash = line["encoding"]["strokeDash"]
    assert dash["field"] == "data_kind" and dash["scale"]["domain"] == ["real", "sample"]

    points = layers[marks.index("point")]
    shape = points["encoding"]["shape"]["scale"]
    assert shape["domain"] == ["exact", "at least", "about"]
    assert len(set(shape["range"])) == 3  # each qualifier its own symbol
    fill = points["encoding"]["fillOpacity"]["scale"]["range"]
    assert fill[0] == 1 and fill[1] == fill[2] == 0  # qualified values hollow
    (param,) = spec["params"]
    assert param["name"] == charts.POINT and param["select"]["fields"] == charts.POINT_FIELDS

    data = pd.DataFrame(_values(spec, points))
    got = sorted(zip(data["series"], data["week_iso"], data["value"], strict=True), key=str)
    want = rows.dropna(subset=["value"])
    assert [(s, w, v) for s, w, v in got if v == v] == sorted(
        zip(want["series"], want["week_iso"], want["value"], strict=True), key=str
    )
    assert set(data[data["is_sample"]]["data_kind"]) == {"sample"}

    # A week without any report (of the series shown) is shaded grey.
    real = queries.weekly(fixture_db, "political_prisoners", series=[h.REAL_SERIES], **SAMPLES)
    real_spec = charts.trend(real, lang="en", y_title="persons").to_dict()
    rect = next(layer for layer in _layers(real_spec) if _mark(layer) == "rect")
    shaded = {r["week_iso"] for r in _values(real_spec, rect)}
    missing = set(real["week_iso"]) - {w.isoformat() for w in h.report_weeks(h.REAL_SERIES)}
    assert shaded == missing != set()

    # Annotation labels are written on the chart (readable without hovering).
    text = layers[marks.index("text")]
    labels = " ".join(r["label"] for r in _values(spec, text))
    assert notes["headline"].iloc[0][:10] in labels


def test_trend_of_a_change_draws_zero(fixture_db: Path) -> None:
    rows = queries.weekly(fixture_db, "political_prisoners", **ALL, transform="diff")
    spec = charts.trend(rows, lang="ja", y_title="人").to_dict()
    rules = [
        layer for layer in _layers(spec) if _mark(layer) == "rule" and "y" in layer["encoding"]
    ]
    assert rules and "params" in spec


def test_border_bars_one_panel_per_series_and_unit(fixture_db: Path) -> None:
    rows = queries.weekly(fixture_db, "border_interceptions", **ALL)
    panels = charts.border_bars(rows, lang="ja")
    want = rows[["series", "unit"]].drop_duplicates()
    assert len(panels) == len(want)
    for panel, (_, key) in zip(panels, want.iterrows(), strict=True):
        spec = panel.to_dict()
        bars = next(
            layer for layer in _layers(spec) if _mark(layer) == "rect" and "y2" in layer["encoding"]
        )
        stack = next(t for t in bars["transform"] if "stack" in t)
        assert stack["groupby"] == ["week_iso"]  # stacked within one week of one panel only
        data = pd.DataFrame(_values(spec, bars))
        assert set(data["series"]) == {key["series"]} and set(data["unit"]) == {key["unit"]}
        assert key["series"] in spec["title"]
    # One colour per country across panels.
    domains = {
        str(layer["encoding"]["color"]["scale"]["domain"])
        for panel in panels
        for layer in _layers(panel.to_dict())
        if "color" in layer.get("encoding", {})
    }
    assert len(domains) == 1
    png = charts.to_png(charts.stacked(panels))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_deal_bars_never_add_currencies(fixture_db: Path) -> None:
    rows = queries.weekly(fixture_db, "trade_deal_value", **ALL, by_dimension=False)
    panels = charts.deal_bars(rows, lang="en")
    assert len(panels) == rows[["series", "unit"]].drop_duplicates().shape[0]
    for panel in panels:
        spec = panel.to_dict()
        bars = next(layer for layer in _layers(spec) if "y2" in layer.get("encoding", {}))
        data = pd.DataFrame(_values(spec, bars))
        assert data["unit"].nunique() == 1
        tooltips = [t["field"] for t in bars["encoding"]["tooltip"]]
        assert "counterparty_names" in tooltips and "evidence" in tooltips
        stated = data.dropna(subset=["value"])
        assert all("(" in name for name in stated["counterparty_names"])


def test_coverage_and_events_charts(fixture_db: Path) -> None:
    coverage = charts.coverage_strip(queries.coverage(fixture_db, **ALL), lang="ja").to_dict()
    statuses = {r["status"] for r in _values(coverage, coverage)}
    assert statuses == {"実データ", "サンプル", "報告書なし"}
    events = charts.events_per_week(queries.events_weekly(fixture_db, **ALL), lang="en").to_dict()
    (param,) = events["params"]
    assert param["name"] == charts.BRUSH and param["select"]["encodings"] == ["x"]


def test_selection_payloads() -> None:
    point = {"week_iso": "2023-12-04", "series": h.REAL_SERIES, "dim_key": "PL", "unit": "attempts"}
    assert charts.selected_points({"selection": {charts.POINT: [point]}}) == [point]
    assert charts.selected_points({"selection": {charts.POINT: {"vlPoint": {"or": [point]}}}}) == [
        point
    ]
    assert charts.selected_points({"selection": {}}) == []
    start = pd.Timestamp("2023-11-20", tz="UTC").value // 1_000_000
    end = pd.Timestamp("2023-12-11", tz="UTC").value // 1_000_000
    assert charts.brush_range({"selection": {charts.BRUSH: {"week": [end, start]}}}) == (
        dt.date(2023, 11, 20),
        dt.date(2023, 12, 11),
    )
    assert charts.brush_range({"selection": {charts.BRUSH: {"week": ["2023-11-20", "2023-11-27"]}}})
