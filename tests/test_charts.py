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

    # Annotations are numbered markers; their list names each (readable without hovering).
    text = layers[marks.index("text")]
    numbers = sorted(int(r["label"]) for r in _values(spec, text))
    table = charts.annotation_table(notes)
    assert numbers == list(table["n"]) == list(range(1, len(table) + 1))
    assert notes["headline"].iloc[0] in " ".join(table["headline"])


def _annotation_marks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The marker and number layers of the annotations (positioned by ``y_px``)."""
    return [layer for layer in _layers(spec) if "y_px" in str(layer.get("encoding", {}))]


def test_no_annotation_label_over_the_plot_area(fixture_db: Path) -> None:
    """Markers and their numbers sit above the plot (pixel y below 0), in rows where
    dates are close; over the data there are only thin rules."""
    rows = queries.weekly(fixture_db, "political_prisoners", **ALL)
    notes = queries.events(fixture_db, **ALL, limit=12)  # many on few dates: rows needed
    spec = charts.trend(rows, lang="ja", y_title="人", annotations=notes).to_dict()
    texts = [layer for layer in _layers(spec) if _mark(layer) == "text"]
    assert texts, "numbers are drawn"
    assert len(_annotation_marks(spec)) == 2  # circles and their numbers
    for layer in _annotation_marks(spec):
        assert layer["encoding"]["y"]["field"] == "y_px" and layer["encoding"]["y"]["scale"] is None
        pixels = [r["y_px"] for r in _values(spec, layer)]
        assert pixels and max(pixels) < 0  # above the plot area, never over the data
    drawn = pd.DataFrame(_values(spec, texts[0]))
    # No two markers of one row closer than the gap: none hides another.
    for _, lane in drawn.groupby("lane"):
        days = pd.to_datetime(lane["date"]).sort_values().diff().dt.days.dropna()
        span = (rows["week"].max() - rows["week"].min()).days
        assert (days >= charts._MARKER_GAP * max(span, 28)).all()


def _channels(spec: Any, channel: str) -> list[dict[str, Any]]:
    """Every encoding of ``channel`` in a spec, however deep in its layers, facets and
    concatenations."""
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        encoding = spec.get("encoding", {}).get(channel)
        if isinstance(encoding, dict):
            found.append(encoding)
        for value in spec.values():
            found += _channels(value, channel)
    elif isinstance(spec, list):
        for item in spec:
            found += _channels(item, channel)
    return found


def _colour_map(spec: dict[str, Any]) -> dict[str, str]:
    """Code -> colour of every colour scale in a (possibly concatenated) spec."""
    found: dict[str, str] = {}
    for colour in _channels(spec, "color"):
        scale = colour.get("scale")
        if scale and "domain" in scale and "range" in scale:
            found.update(zip(scale["domain"], scale["range"], strict=True))
    return found


def test_colours_per_country_and_currency_are_the_same_in_both_languages(
    fixture_db: Path,
) -> None:
    border = queries.weekly(fixture_db, "border_interceptions", **ALL)
    deals = queries.weekly(fixture_db, "trade_deal_value", **ALL, by_dimension=False)
    maps = {}
    for lang in ("ja", "en"):
        maps[lang] = (
            _colour_map(charts.stacked(charts.border_bars(border, lang=lang)).to_dict()),
            _colour_map(charts.stacked(charts.deal_bars(deals, lang=lang)).to_dict()),
        )
    assert maps["ja"] == maps["en"]
    countries, currencies = maps["en"]
    assert set(countries) == set(border["dimension"].dropna())  # keyed by ISO code
    assert set(currencies) == set(deals["unit"])
    assert len(set(countries.values())) == len(countries)  # one colour each
    display = charts.default_display()
    assert all(display.colour(c) == colour for c, colour in countries.items())
    # A trend chart of the same countries uses the same colours.
    trend = charts.trend(border, lang="ja", y_title="人").to_dict()
    assert _colour_map(trend) == countries


def test_bars_show_qualifiers_and_every_chart_has_a_legend(fixture_db: Path) -> None:
    border = queries.weekly(fixture_db, "border_interceptions", **ALL)
    spec = charts.stacked(charts.border_bars(border, lang="en")).to_dict()
    panels = spec.get("vconcat", [spec])
    for panel in panels:
        layers = _layers(panel)
        markers = [
            layer for layer in layers if _mark(layer) == "point" and "shape" in layer["encoding"]
        ]
        (marker,) = markers  # "at least"/"about" drawn on the bars, not only in the tooltip
        shape = marker["encoding"]["shape"]
        assert shape["field"] == "qualifier_label"
        assert shape["scale"]["domain"] == ["exact", "at least", "about"]
        assert len(set(shape["scale"]["range"])) == 3
        assert "datum.qualifier !== 'exact'" in str(marker["transform"])
        bars = next(
            layer for layer in layers if _mark(layer) == "rect" and "y2" in layer["encoding"]
        )
        assert bars["encoding"]["color"]["legend"] is not None  # a colour legend
        assert bars["encoding"]["fillOpacity"]["scale"]["range"][0] > 0.8  # exact solid
    # The data behind the markers: qualified values exist in the fixture.
    assert set(border["qualifier"].dropna()) > {"exact"} or "at_least" in set(border["qualifier"])


def test_axes_write_numbers_as_the_tiles_do(fixture_db: Path) -> None:
    deals = queries.weekly(fixture_db, "trade_deal_value", **ALL, by_dimension=False)
    for lang, word in (("ja", "万"), ("en", "'M'")):
        spec = charts.stacked(charts.deal_bars(deals, lang=lang)).to_dict()
        assert word in str(spec)  # the y axis' label expression


def _y_axes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every y axis of a spec."""
    return [y["axis"] for y in _channels(spec, "y") if "axis" in y]


def test_count_axes_tick_in_whole_numbers(fixture_db: Path) -> None:
    """A week of one event, or a handful of people, is never drawn against 0.2, 0.4."""
    events = charts.events_per_week(queries.events_weekly(fixture_db, **ALL), lang="ja")
    prisoners = queries.weekly(fixture_db, "political_prisoners", **ALL)
    trend = charts.trend(prisoners, lang="en", y_title="persons")
    border = queries.weekly(fixture_db, "border_interceptions", **ALL)
    bars = charts.stacked(charts.border_bars(border, lang="ja"))
    for chart in (events, trend, bars):
        axes = _y_axes(chart.to_dict())
        assert axes and all(axis.get("tickMinStep") == 1 for axis in axes), axes
    deals = queries.weekly(fixture_db, "trade_deal_value", **ALL, by_dimension=False)
    money = _y_axes(charts.stacked(charts.deal_bars(deals, lang="ja")).to_dict())
    assert money and not any("tickMinStep" in axis for axis in money)  # money is not counted


def test_slide_export_has_title_source_and_legend(fixture_db: Path) -> None:
    rows = queries.weekly(fixture_db, "political_prisoners", **ALL)
    notes = queries.highlights(fixture_db, **ALL).head(2)
    chart = charts.trend(rows, lang="ja", y_title="人", annotations=notes)
    slide = charts.for_slide(
        chart, title="政治犯の数", subtitle=["S", "2023-11-20 – 2023-12-31"],
        source="出典: 週報", notes=["［サンプル］ 合成データ"], annotations=notes,
    )  # fmt: skip
    svg = charts.to_svg(slide)
    for text in ("政治犯の数", "2023-11-20 – 2023-12-31", "出典: 週報", "合成データ"):
        assert text in svg
    assert notes["headline"].iloc[0][:8] in svg  # the annotation list, written out
    assert "正確" in svg and "少なくとも" in svg  # the legend
    assert charts.to_png(slide)[:4] == b"\x89PNG"


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
        if isinstance(layer.get("encoding", {}).get("color"), dict)
        and "scale" in layer["encoding"]["color"]
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
