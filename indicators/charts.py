"""Altair charts of the query results (:mod:`indicators.queries`); no Streamlit here.

Conventions every chart keeps, so a reader can trust what they see:

- a week is drawn from its Monday to its Sunday on a UTC time axis (no time-zone
  shift of a day in the browser);
- a week without a value is a gap (lines break, no bar), and weeks without any report
  are shaded grey, so "no report" never looks like zero;
- qualifiers are visible without hovering: ● exact, ▲ "at least", ◆ "about" (hollow)
  on lines; on bars qualified segments are drawn light and carry the same ▲/◆ marker
  at their top (Vega-Lite draws no dashed outline on a bar), with a legend;
- one fixed colour per country and per currency (``[display.colors]`` of the
  definitions), the same in every language: colours are keyed by the ISO code, the
  legend only translates its labels;
- axes write numbers as the tiles do (万/億 in Japanese, K/M/B in English for money);
- every chart has a legend; annotations are numbered markers above the plot (never a
  label over the data), listed beside the chart (:func:`annotation_table`);
- sample (synthetic) data is drawn lighter and dashed and named in the legend; sample
  and real series are never one line nor one stack;
- persons and attempts, and different currencies, are never on one axis.

Selections: the trend chart has a click selection ``point`` whose fields are
:data:`POINT_FIELDS`; the events chart has an x-interval selection ``brush``. The
helpers :func:`selected_points` and :func:`brush_range` read Streamlit's event payload.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from indicators import i18n
from indicators.display import default_display

POINT = "point"
BRUSH = "brush"
POINT_FIELDS = ["week_iso", "series", "dim_key", "unit"]

_QUALIFIERS = ["exact", "at_least", "approx"]
_SHAPES = ["circle", "triangle-up", "diamond"]
_BAR_SHAPES = ["square", "triangle-up", "diamond"]
_ANNOTATION_COLOUR = "#7f3c8d"
#: Annotation markers closer than this share of the time axis go to the next row.
_MARKER_GAP = 0.035
_MARKER_ROW = 16  # pixels between rows of markers above the plot
_NO_REPORT_GREY = "#d9d9d9"
_SAMPLE_COLOUR = "#f58518"
_REAL_COLOUR = "#4c78a8"

#: An optional fixed (first week, last week) for the time axis, so charts line up.
Domain = tuple[Any, Any] | None


# --- data preparation ----------------------------------------------------------------


def _utc_x(
    field: str, title: str | None, span: Domain = None, weeks: Any = None, **extra: Any
) -> alt.X:
    """A week axis in UTC (dates stay on their day in every time zone), ticks on Mondays.

    ``span`` fixes the first and last week shown; else the axis follows the data, and
    ``weeks`` (the data's weeks) places the ticks.
    """
    scale = alt.Scale(type="utc")
    if span is not None:
        start, end = (pd.Timestamp(d) for d in span)
        scale = alt.Scale(
            type="utc", domain=[start.isoformat(), (end + pd.Timedelta(days=7)).isoformat()]
        )
        weeks = [start, end]
    ticks = _monday_ticks(weeks) if weeks is not None else None
    axis: dict[str, Any] = {
        "format": "%Y-%m-%d",
        "labelAngle": 0,
        "labelAlign": "center",
        "labelOverlap": True,
    }
    axis |= extra
    if ticks:
        axis["values"] = ticks
    return alt.X(f"{field}:T", title=title, scale=scale, axis=alt.Axis(**axis))


def _monday_ticks(weeks: Any, most: int = 8) -> list[str]:
    """At most ``most`` evenly spaced Mondays over the weeks, as ISO date-times (the
    form Streamlit's Vega-Lite accepts for axis values; epoch numbers are ignored there).

    >>> _monday_ticks(pd.to_datetime(["2023-11-20", "2024-01-01"]), most=4)
    ['2023-11-20T00:00:00', '2023-12-04T00:00:00', '2023-12-18T00:00:00', '2024-01-01T00:00:00']
    """
    dates = pd.to_datetime(pd.Series(list(weeks))).dropna()
    if dates.empty:
        return []
    first = dates.min().normalize()
    first -= pd.Timedelta(days=first.weekday())
    last = dates.max().normalize()
    n_weeks = (last - first).days // 7 + 1
    step = max(1, -(-n_weeks // most))
    ticks = pd.date_range(first, last, freq=f"{7 * step}D")
    return [t.isoformat() for t in ticks]


def _prepare(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Columns every chart uses: the week's end, labels, the data kind and key strings."""
    df = rows.copy()
    df["week"] = pd.to_datetime(df["week"])
    df["week_end"] = df["week"] + pd.Timedelta(days=7)
    if "week_iso" not in df:
        df["week_iso"] = df["week"].dt.strftime("%Y-%m-%d")
    sample, real = i18n.t("sample", lang), i18n.t("real", lang)
    df["data_kind"] = [sample if s else real for s in df["is_sample"].astype(bool)]
    if "dimension" in df:
        df["dim_key"] = df["dimension"].fillna("").astype(str)
        df["country"] = [i18n.country_name(d or None, lang) for d in df["dim_key"]]
    if "unit" in df:
        df["unit_label"] = [i18n.unit_label(u, lang) for u in df["unit"]]
    if "qualifier" in df:
        df["qualifier_label"] = [
            i18n.qualifier_label(q, lang) if isinstance(q, str) else "" for q in df["qualifier"]
        ]
    if "value" in df and "unit" in df:
        df["value_text"] = [
            i18n.format_value(v, u, q if isinstance(q, str) else "exact", lang)
            if pd.notna(v)
            else i18n.t("no_report" if not r else "not_stated", lang)
            for v, u, q, r in zip(
                df["value"],
                df["unit"],
                df["qualifier"],
                df.get("reported", [True] * len(df)),
                strict=True,
            )
        ]
    for column in ("report_published", "as_of"):
        if column in df:
            df[column + "_iso"] = pd.to_datetime(df[column]).dt.strftime("%Y-%m-%d").fillna("")
    if "origin" in df:
        # A corrected or assigned value says so in its tooltip (see indicators.review).
        df["origin_label"] = [
            i18n.provenance(row, lang) or i18n.t("origin_extracted", lang)
            if isinstance(row.get("origin"), str)
            else ""
            for row in df[
                [
                    c
                    for c in ("origin", "original_value", "changed_by", "changed_at", "unit")
                    if c in df
                ]
            ].to_dict("records")
        ]
    return df


def _kind_encodings(lang: str, legend: bool = True) -> dict[str, Any]:
    """Opacity and dash by data kind: sample lighter and dashed, with a legend."""
    domain = [i18n.t("real", lang), i18n.t("sample", lang)]
    title = i18n.t("data_kind", lang)
    opacity: dict[str, Any] = {} if legend else {"legend": None}
    return {
        "opacity": alt.Opacity(
            "data_kind:N", title=title, scale=alt.Scale(domain=domain, range=[1.0, 0.45]), **opacity
        ),
        "strokeDash": alt.StrokeDash(
            "data_kind:N", title=title, scale=alt.Scale(domain=domain, range=[[1, 0], [5, 3]])
        ),
    }


def _qualifier_scale(lang: str) -> list[str]:
    return [i18n.qualifier_label(q, lang) for q in _QUALIFIERS]


def _no_report_weeks(df: pd.DataFrame) -> pd.DataFrame:
    """Weeks in the data where no selected series had a report (drawn as grey bands)."""
    if "reported" not in df or df.empty:
        return df.iloc[0:0]
    reported = df.groupby("week_iso")["reported"].apply(lambda s: any(bool(x) for x in s))
    missing = reported[~reported].index
    return (
        df[df["week_iso"].isin(missing)]
        .drop_duplicates("week_iso")[["week", "week_end", "week_iso"]]
        .assign(note="no report")
    )


def _gap_layer(df: pd.DataFrame, lang: str, x: alt.X) -> alt.Chart | None:
    """Grey bands over the weeks without any report."""
    gaps = _no_report_weeks(df)
    if gaps.empty:
        return None
    gaps = gaps.assign(note=i18n.t("no_report", lang))
    return (
        alt.Chart(gaps)
        .mark_rect(color=_NO_REPORT_GREY, opacity=0.5)
        .encode(
            x=x,
            x2="week_end:T",
            tooltip=[
                alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
                alt.Tooltip("note:N", title=" "),
            ],
        )
    )


# --- numbers, colours and legends -------------------------------------------------------


#: Units counted in whole numbers: their axes never tick between two integers.
COUNT_UNITS = ("persons", "attempts", "events")


def number_expr(unit: str | None, lang: str) -> str:
    """A Vega expression writing ``datum.value`` as the tiles write numbers: counts with
    thousands separators, money in 万/億/兆 (Japanese) or K/M/B (English).

    >>> number_expr("persons", "en")
    "format(datum.value, ',')"
    >>> "億" in number_expr("USD", "ja") and "'M'" in number_expr("USD", "en")
    True
    """
    if unit in COUNT_UNITS or unit in (None, "pct", "%"):
        return "format(datum.value, ',')"
    steps = (
        (("兆", 1e12), ("億", 1e8), ("万", 1e4))
        if lang == "ja"
        else (("B", 1e9), ("M", 1e6), ("K", 1e3))
    )
    expr = "format(datum.value, ',')"
    for word, factor in reversed(steps):
        expr = (
            f"abs(datum.value) >= {factor:.0e} ? format(datum.value / {factor:.0e}, ',.4~g')"
            f" + '{word}' : {expr}"
        )
    return expr


def value_axis(unit: str | None, lang: str) -> alt.Axis:
    """A value axis: numbers as the tiles write them, and whole steps for counts (a week
    of one event or one person otherwise gets ticks at 0.2, 0.4, ...)."""
    if unit in COUNT_UNITS:
        return alt.Axis(labelExpr=number_expr(unit, lang), tickMinStep=1)
    return alt.Axis(labelExpr=number_expr(unit, lang))


def _label_expr(labels: Mapping[str, str]) -> str:
    """A legend label expression turning codes into words (the colour stays the code's).

    >>> _label_expr({"LT": "Lithuania (LT)"})
    "datum.label === 'LT' ? 'Lithuania (LT)' : datum.label"
    """
    expr = "datum.label"
    for code, label in reversed(list(labels.items())):
        quoted = label.replace("\\", "\\\\").replace("'", "\\'")
        expr = f"datum.label === '{code}' ? '{quoted}' : {expr}"
    return expr


def country_colour(codes: Any, lang: str, *, title: str | None = None, **legend: Any) -> alt.Color:
    """Colour by country code (``dim_key``): fixed colours, names in ``lang`` in the legend."""
    domain, colours = default_display().colours(codes)
    labels = {c: i18n.country_name(c, lang) for c in domain}
    return alt.Color(
        "dim_key:N",
        title=title or i18n.t("country", lang),
        scale=alt.Scale(domain=domain, range=colours),
        legend=alt.Legend(labelExpr=_label_expr(labels), **legend),
    )


def currency_colour(codes: Any, lang: str) -> alt.Color:
    """Colour by currency code (``unit``): fixed colours, the same in every language."""
    domain, colours = default_display().colours(codes, currency=True)
    return alt.Color(
        "unit:N",
        title=i18n.t("currency", lang),
        scale=alt.Scale(domain=domain, range=colours),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )


# --- the trend chart ----------------------------------------------------------------


def trend(
    rows: pd.DataFrame,
    *,
    lang: str,
    y_title: str,
    annotations: pd.DataFrame | None = None,
    selectable: bool = True,
    height: int = 360,
    domain: Domain = None,
    unit: str | None = None,
) -> alt.TopLevelMixin:
    """One indicator's weekly lines (from :func:`queries.weekly`), one per series and
    country, with qualifier marks, grey no-report weeks and numbered event markers.

    ``annotations`` are events (``date``, ``headline``): a dashed rule at each date and
    a numbered marker above the plot; :func:`annotation_table` lists them.
    """
    df = _prepare(rows, lang)
    kind = _kind_encodings(lang)
    has_dims = bool(df.get("dim_key", pd.Series(dtype=object)).astype(bool).any())
    colour = country_colour(df["dim_key"], lang) if has_dims else alt.value(_REAL_COLOUR)
    unit = unit or (str(df["unit"].iloc[0]) if "unit" in df and len(df) else None)
    if str(df["transform"].iloc[0] if "transform" in df and len(df) else "level") == "pct":
        unit = "pct"
    tooltip = [
        alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
        alt.Tooltip("value_text:N", title=i18n.t("value", lang)),
        alt.Tooltip("qualifier_label:N", title=i18n.t("qualifier", lang)),
        alt.Tooltip("series:N", title=i18n.t("series", lang)),
        alt.Tooltip("data_kind:N", title=i18n.t("data_kind", lang)),
        alt.Tooltip("as_of_iso:N", title=i18n.t("as_of", lang)),
        alt.Tooltip("report_published_iso:N", title=i18n.t("report_date", lang)),
        alt.Tooltip("source:N", title=i18n.t("source", lang)),
    ]
    if "origin_label" in df:
        tooltip.append(alt.Tooltip("origin_label:N", title=i18n.t("origin", lang)))
    if has_dims:
        tooltip.insert(2, alt.Tooltip("country:N", title=i18n.t("country", lang)))
    dense = int(df["value"].notna().groupby(df["series"]).sum().max()) if len(df) else 0
    x = _utc_x("week", i18n.t("week", lang), domain, df["week"])
    base = alt.Chart(df).encode(
        x=x,
        y=alt.Y(
            "value:Q",
            title=y_title,
            scale=alt.Scale(zero=False),
            axis=value_axis(unit, lang),
        ),
        detail="series:N",
    )
    line = base.mark_line(invalid="break-paths-show-domains", strokeWidth=2).encode(
        color=colour, strokeDash=kind["strokeDash"], opacity=kind["opacity"]
    )
    points = (
        base.transform_filter("isValid(datum.value)")
        .mark_point(size=70 if dense <= 40 else 30, filled=False, strokeWidth=1.5)
        .encode(
            color=colour,
            fill=colour,
            shape=alt.Shape(
                "qualifier_label:N",
                title=i18n.t("qualifier", lang),
                scale=alt.Scale(domain=_qualifier_scale(lang), range=_SHAPES),
            ),
            # Exact values filled, qualified ones hollow: visible without hovering.
            fillOpacity=alt.FillOpacity(
                "qualifier_label:N",
                scale=alt.Scale(domain=_qualifier_scale(lang), range=[1.0, 0.0, 0.0]),
                legend=None,
            ),
            opacity=kind["opacity"],
            tooltip=tooltip,
        )
    )
    if selectable:
        select = alt.selection_point(name=POINT, fields=POINT_FIELDS, on="click")
        points = points.add_params(select)
    layers: list[Any] = []
    gaps = _gap_layer(df, lang, x)
    if gaps is not None:
        layers.append(gaps)
    if str(df.get("transform", pd.Series(["level"])).iloc[0] if len(df) else "level") != "level":
        layers.append(
            alt.Chart(pd.DataFrame({"zero": [0]}))
            .mark_rule(color="#888", strokeDash=[2, 2])
            .encode(y="zero:Q")
        )
    layers += [line, points]
    if annotations is not None and len(annotations):
        span = domain or (df["week"].min(), df["week"].max())
        layers += annotation_layers(annotations, lang, span=span)
    return alt.layer(*layers).properties(height=height)


def annotation_table(events: pd.DataFrame) -> pd.DataFrame:
    """The annotations as drawn: one numbered row per date (events of one day share a
    marker), oldest first, with the marker's row above the plot (``lane``).

    >>> events = pd.DataFrame({"date": ["2024-01-02", "2024-01-02", "2024-03-01"],
    ...                        "headline": ["a", "b", "c"]})
    >>> annotation_table(events)[["n", "date_iso", "headline"]].values.tolist()
    [[1, '2024-01-02', 'a / b'], [2, '2024-03-01', 'c']]
    """
    ann = events[["date", "headline"]].copy()
    ann["date"] = pd.to_datetime(ann["date"])
    ann = (
        ann.groupby("date", as_index=False)
        .agg(headline=("headline", lambda h: " / ".join(dict.fromkeys(h))))
        .sort_values("date", ignore_index=True)
    )
    ann.insert(0, "n", range(1, len(ann) + 1))
    ann["date_iso"] = ann["date"].dt.strftime("%Y-%m-%d")
    ann["lane"] = _lanes(ann["date"])
    return ann


def _lanes(dates: pd.Series, span: Domain = None) -> list[int]:
    """Rows for markers so that none overlaps another: a marker closer than
    :data:`_MARKER_GAP` of the axis to the last one of a row goes to the next row.

    >>> _lanes(pd.to_datetime(pd.Series(["2024-01-01", "2024-01-02", "2024-06-01"])))
    [0, 1, 0]
    """
    if dates.empty:
        return []
    first, last = (pd.Timestamp(d) for d in span) if span else (dates.min(), dates.max())
    width = max((last - first).days, 28)
    ends: list[pd.Timestamp] = []
    lanes = []
    for date in dates:
        for lane, end in enumerate(ends):
            if (date - end).days >= _MARKER_GAP * width:
                ends[lane] = date
                lanes.append(lane)
                break
        else:
            ends.append(date)
            lanes.append(len(ends) - 1)
    return lanes


def annotation_layers(events: pd.DataFrame, lang: str, *, span: Domain = None) -> list[alt.Chart]:
    """Dashed rules at event dates and numbered markers above the plot area (pixel ``y``
    below zero: outside the data), in rows where dates are close; the headlines are in
    the tooltip and in :func:`annotation_table`, never written over the data."""
    ann = annotation_table(events)
    ann["lane"] = _lanes(ann["date"], span)
    ann["y_px"] = [-12 - _MARKER_ROW * lane for lane in ann["lane"]]
    ann["label"] = ann["n"].astype(str)
    base = alt.Chart(ann).encode(x=alt.X("date:T"))
    tooltip = [
        alt.Tooltip("label:N", title="#"),
        alt.Tooltip("date_iso:N", title=i18n.t("date", lang)),
        alt.Tooltip("headline:N", title=i18n.t("headline", lang)),
    ]
    rule = base.mark_rule(color=_ANNOTATION_COLOUR, strokeDash=[4, 2], opacity=0.6).encode(
        tooltip=tooltip
    )
    marker = base.mark_circle(size=210, color=_ANNOTATION_COLOUR, opacity=1).encode(
        y=alt.Y("y_px:Q", scale=None), tooltip=tooltip
    )
    text = base.mark_text(color="white", fontSize=10, fontWeight="bold").encode(
        y=alt.Y("y_px:Q", scale=None), text="label:N", tooltip=tooltip
    )
    return [rule, marker, text]


# --- bars: border interceptions and trade deals ------------------------------------


def _bar_qualifier_encodings(lang: str) -> dict[str, Any]:
    """Exact bars solid, qualified ones light (their ▲/◆ marker says which)."""
    domain = _qualifier_scale(lang)
    return {
        "fillOpacity": alt.FillOpacity(
            "qualifier_label:N",
            scale=alt.Scale(domain=domain, range=[0.9, 0.35, 0.35]),
            legend=None,
        ),
    }


def _panel_title(series: str, unit: str, is_sample: bool, lang: str) -> str:
    sample = f"［{i18n.t('sample', lang)}］ " if is_sample else ""
    return f"{sample}{series} — {i18n.unit_label(unit, lang)}"


def _stacked_bars(
    part: pd.DataFrame,
    *,
    lang: str,
    colour: Any,
    stroke: Any,
    tooltip: list[alt.Tooltip],
    domain: Domain,
    height: int,
) -> alt.TopLevelMixin:
    """Week-wide bars stacked explicitly (Vega-Lite does not stack ranged bars), over grey
    bands for the weeks without a report, with a ▲/◆ marker on each qualified segment."""
    x = _utc_x("week", i18n.t("week", lang), domain, part["week"])
    qual = _bar_qualifier_encodings(lang)
    unit = str(part["unit"].iloc[0])
    stack = (
        alt.Chart(part)
        .transform_filter("isValid(datum.value)")
        .transform_stack(
            stack="value", groupby=["week_iso"], as_=["y0", "y1"], sort=[alt.SortField("dim_key")]
        )
    )
    y_axis = value_axis(unit, lang)
    bars = stack.mark_rect(strokeWidth=1.2, xOffset=1, x2Offset=-1).encode(
        x=x,
        x2="week_end:T",
        y=alt.Y("y1:Q", title=i18n.unit_label(unit, lang), axis=y_axis),
        y2="y0:Q",
        color=colour,
        stroke=stroke,
        fillOpacity=qual["fillOpacity"],
        tooltip=tooltip,
    )
    markers = (
        stack.transform_filter("datum.qualifier !== 'exact'")
        .transform_calculate(week_mid="toDate(datum.week) + 3.5 * 24 * 3600 * 1000")
        .mark_point(filled=True, size=36, color="#333", opacity=0.85, yOffset=-5)
        .encode(
            x=alt.X("week_mid:T"),
            y=alt.Y("y1:Q"),
            shape=alt.Shape(
                "qualifier_label:N",
                title=i18n.t("qualifier", lang),
                scale=alt.Scale(domain=_qualifier_scale(lang), range=_BAR_SHAPES),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            tooltip=tooltip,
        )
    )
    gaps = _gap_layer(part, lang, x)
    return alt.layer(*([gaps] if gaps is not None else []), bars, markers).properties(height=height)


def _panels(df: pd.DataFrame, lang: str, build: Any) -> list[alt.TopLevelMixin]:
    """One panel per (series, unit): units and series are never stacked together."""
    panels = []
    for (series, unit), part in df.groupby(["series", "unit"], sort=False):
        title = _panel_title(str(series), str(unit), bool(part["is_sample"].iloc[0]), lang)
        panels.append(build(part).properties(title=title))
    return panels


def stacked(panels: list[alt.TopLevelMixin]) -> alt.TopLevelMixin:
    """Panels one above the other as one chart (one view to draw, one legend, one PNG)."""
    if len(panels) == 1:
        return panels[0]
    return alt.vconcat(*panels).resolve_scale(  # type: ignore[arg-type]
        color="shared", x="shared", y="independent", shape="shared"
    )


def border_bars(
    rows: pd.DataFrame, *, lang: str, height: int = 260, domain: Domain = None
) -> list[alt.TopLevelMixin]:
    """Border interceptions per week (:func:`queries.weekly`), stacked by reporting
    country; a panel per unit (persons, attempts) and series, never summed across.
    Panels share one fixed country colour scale; :func:`stacked` joins them."""
    df = _prepare(rows, lang)
    codes = sorted(set(df["dim_key"])) if len(df) else []
    tooltip = [
        alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
        alt.Tooltip("country:N", title=i18n.t("country", lang)),
        alt.Tooltip("value_text:N", title=i18n.t("value", lang)),
        alt.Tooltip("qualifier_label:N", title=i18n.t("qualifier", lang)),
        alt.Tooltip("series:N", title=i18n.t("series", lang)),
        alt.Tooltip("data_kind:N", title=i18n.t("data_kind", lang)),
        alt.Tooltip("report_published_iso:N", title=i18n.t("report_date", lang)),
        alt.Tooltip("source:N", title=i18n.t("source", lang)),
    ]
    colour = country_colour(codes, lang, orient="top", direction="horizontal")
    domain_, range_ = default_display().colours(codes)
    stroke = alt.Stroke("dim_key:N", scale=alt.Scale(domain=domain_, range=range_), legend=None)
    return _panels(
        df,
        lang,
        lambda part: _stacked_bars(
            part,
            lang=lang,
            colour=colour,
            stroke=stroke,
            tooltip=tooltip,
            domain=domain,
            height=height,
        ),
    )


def deal_bars(
    rows: pd.DataFrame, *, lang: str, height: int = 160, domain: Domain = None
) -> list[alt.TopLevelMixin]:
    """Deal value per week (weekly sums from :func:`queries.weekly` with
    ``by_dimension=False``), a panel per currency and series in the currency's fixed
    colour; counterparties in the tooltip. Currencies are never converted nor added."""
    df = _prepare(rows, lang)
    tooltip = [
        alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
        alt.Tooltip("value_text:N", title=i18n.t("value", lang)),
        alt.Tooltip("counterparty_names:N", title=i18n.t("counterparty", lang)),
        alt.Tooltip("n_obs:Q", title=i18n.t("n_obs", lang), format=","),
        alt.Tooltip("qualifier_label:N", title=i18n.t("qualifier", lang)),
        alt.Tooltip("data_kind:N", title=i18n.t("data_kind", lang)),
        alt.Tooltip("report_published_iso:N", title=i18n.t("report_date", lang)),
        alt.Tooltip("evidence:N", title=i18n.t("evidence", lang)),
    ]
    df["counterparty_names"] = [
        ", ".join(i18n.country_name(c.strip(), lang) for c in str(cs).split(","))
        if isinstance(cs, str) and cs
        else "—"
        for cs in df.get("counterparties", pd.Series([None] * len(df)))
    ]
    colour = currency_colour(df["unit"], lang)
    domain_, range_ = default_display().colours(df["unit"], currency=True)
    stroke = alt.Stroke("unit:N", scale=alt.Scale(domain=domain_, range=range_), legend=None)

    def build(part: pd.DataFrame) -> alt.TopLevelMixin:
        return _stacked_bars(
            part,
            lang=lang,
            colour=colour,
            stroke=stroke,
            tooltip=tooltip,
            domain=domain,
            height=height,
        )

    return _panels(df, lang, build)


# --- reports and events ----------------------------------------------------------------


def coverage_strip(rows: pd.DataFrame, *, lang: str, domain: Domain = None) -> alt.Chart:
    """Which weeks have a report (from :func:`queries.coverage`): a row per series."""
    df = rows.copy()
    df["week"] = pd.to_datetime(df["week"])
    df["week_end"] = df["week"] + pd.Timedelta(days=7)
    df["week_iso"] = df["week"].dt.strftime("%Y-%m-%d")
    no_report, sample, real = (i18n.t(k, lang) for k in ("no_report", "sample", "real"))
    df["status"] = [
        no_report if n == 0 else (sample if s else real)
        for n, s in zip(df["n_reports"], df["is_sample"], strict=True)
    ]
    df["series"] = df["series"].fillna("—")
    return (
        alt.Chart(df)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=_utc_x("week", i18n.t("week", lang), domain, df["week"]),
            x2="week_end:T",
            y=alt.Y("series:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "status:N",
                title=None,
                legend=alt.Legend(orient="top", direction="horizontal"),
                scale=alt.Scale(
                    domain=[real, sample, no_report],
                    range=[_REAL_COLOUR, _SAMPLE_COLOUR, _NO_REPORT_GREY],
                ),
            ),
            tooltip=[
                alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
                alt.Tooltip("series:N", title=i18n.t("series", lang)),
                alt.Tooltip("status:N", title=" "),
                alt.Tooltip("n_reports:Q", title=i18n.t("page_reports", lang)),
                alt.Tooltip("n_events:Q", title=i18n.t("events", lang)),
                alt.Tooltip("n_observations:Q", title=i18n.t("observations", lang)),
            ],
        )
        .properties(height=alt.Step(24))
    )


def events_per_week(
    rows: pd.DataFrame, *, lang: str, height: int = 200, domain: Domain = None
) -> alt.Chart:
    """Events per week (from :func:`queries.events_weekly`), with an x brush ``brush``."""
    df = _prepare(rows, lang)
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    kinds = [i18n.t("real", lang), i18n.t("sample", lang)]
    return (
        alt.Chart(df)
        .transform_stack(stack="n", groupby=["week_iso"], as_=["y0", "y1"])
        .mark_rect(xOffset=1, x2Offset=-1)
        .encode(
            x=_utc_x("week", i18n.t("week", lang), domain, df["week"]),
            x2="week_end:T",
            y=alt.Y("y1:Q", title=i18n.t("events", lang), axis=value_axis("events", lang)),
            y2="y0:Q",
            color=alt.Color(
                "data_kind:N",
                title=i18n.t("data_kind", lang),
                scale=alt.Scale(domain=kinds, range=[_REAL_COLOUR, _SAMPLE_COLOUR]),
            ),
            tooltip=[
                alt.Tooltip("week_iso:N", title=i18n.t("week", lang)),
                alt.Tooltip("n:Q", title=i18n.t("events", lang)),
                alt.Tooltip("data_kind:N", title=i18n.t("data_kind", lang)),
            ],
        )
        .add_params(brush)
        .properties(height=height)
    )


# --- selections ----------------------------------------------------------------------


def selected_points(state: Mapping[str, Any] | None, name: str = POINT) -> list[dict[str, Any]]:
    """The points clicked in a chart, from Streamlit's ``on_select`` payload.

    >>> selected_points({"selection": {"point": [{"week_iso": "2023-11-20", "unit": "persons"}]}})
    [{'week_iso': '2023-11-20', 'unit': 'persons'}]
    >>> selected_points({"selection": {"point": {}}}), selected_points(None)
    ([], [])
    """
    if not state:
        return []
    value = (state.get("selection") or {}).get(name) or []
    if isinstance(value, Mapping):  # some versions wrap the tuples: {"vlPoint": {"or": [...]}}
        value = (value.get("vlPoint") or {}).get("or") or []
    return [dict(v) for v in value if isinstance(v, Mapping)]


def brush_range(
    state: Mapping[str, Any] | None, name: str = BRUSH
) -> tuple[dt.date, dt.date] | None:
    """The dates an x brush covers, from Streamlit's ``on_select`` payload.

    Vega sends times as epoch milliseconds (UTC here, as the axes are UTC) or ISO text.

    >>> brush_range({"selection": {"brush": {"week": [1700438400000, 1701043200000]}}})
    (datetime.date(2023, 11, 20), datetime.date(2023, 11, 27))
    >>> brush_range({"selection": {"brush": {}}}) is None
    True
    """
    if not state:
        return None
    value = (state.get("selection") or {}).get(name) or {}
    for bounds in value.values() if isinstance(value, Mapping) else ():
        if isinstance(bounds, list | tuple) and len(bounds) == 2:
            start, end = sorted(_to_date(b) for b in bounds)
            return start, end
    return None


def _to_date(value: Any) -> dt.date:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
    return pd.Timestamp(value).date()


# --- PNG -----------------------------------------------------------------------------


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec, built once without schema validation (the charts here
    are built by this module and tested; validating every spec on every page run cost
    most of the Overview's server time), and without Altair's default view size."""
    out = chart.to_dict(validate=False)
    view = out.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):
        view.pop(key, None)
    return prune(out)


#: Columns kept in every chart's data whether drawn or not: what the rows are (a test,
#: or a reader of the page's data, can tell a chart's indicator and series).
_KEEP = (
    "indicator",
    "series",
    "unit",
    "dimension",
    "is_sample",
    "week_iso",
    "value",
    "transform",
)
_DATUM = re.compile(r"datum\.(\w+)|datum\[['\"](\w+)['\"]\]")


def prune(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its datasets cut to the columns it uses (encodings, tooltips,
    transforms, selections, expressions): what the browser receives and parses.

    >>> prune({"datasets": {"d": [{"a": 1, "b": "long text"}]},
    ...        "encoding": {"x": {"field": "a"}}})["datasets"]
    {'d': [{'a': 1}]}
    """
    used: set[str] = set(_KEEP)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "datasets":
                    continue
                if key in ("field", "stack") and isinstance(value, str):
                    used.add(value)
                elif key in ("groupby", "fields") and isinstance(value, list):
                    used.update(v for v in value if isinstance(v, str))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str) and "datum" in node:
            for match in _DATUM.finditer(node):
                used.add(match.group(1) or match.group(2))

    walk(spec)
    datasets = spec.get("datasets", {})
    for name, rows in datasets.items():
        if isinstance(rows, list):
            datasets[name] = [{k: v for k, v in row.items() if k in used} for row in rows]
    return spec


def for_slide(
    chart: alt.TopLevelMixin,
    *,
    title: str,
    subtitle: list[str],
    source: str,
    notes: list[str] | None = None,
    annotations: pd.DataFrame | None = None,
) -> alt.TopLevelMixin:
    """The chart ready for a slide: title, series and dates under it, the legend, the
    numbered annotations written out, the source line and notes (sample data) below."""
    lines = []
    if annotations is not None and len(annotations):
        table = annotation_table(annotations)
        lines += [f"{n}. {d} {h}" for n, d, h in table[["n", "date_iso", "headline"]].values]
    lines += [source, *(notes or [])]
    footer = (
        alt.Chart(pd.DataFrame({"line": lines, "i": range(len(lines))}))
        .mark_text(align="left", baseline="top", fontSize=11, color="#444", limit=900)
        .encode(x=alt.value(0), y=alt.Y("i:O", axis=None, title=None), text="line:N")
        .properties(height=alt.Step(16))
    )
    head = alt.TitleParams(title, subtitle=subtitle, anchor="start", fontSize=16)
    return alt.vconcat(chart, footer, title=head).resolve_scale(  # type: ignore[arg-type]
        color="independent", y="independent"
    )


def _with_width(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """A spec whose views have a fixed width (an image has no container to fill)."""
    spec = copy.deepcopy(spec)

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for key in ("vconcat", "hconcat", "concat"):
            for child in node.get(key, []):
                walk(child)
        if ("mark" in node or "layer" in node) and node.get("width") in (None, "container"):
            node["width"] = width

    walk(spec)
    return spec


#: The font of exported images: a Japanese Gothic where installed (one face for kana,
#: kanji and Latin), else the renderer's sans-serif.
EXPORT_FONT = "IPAPGothic, IPAGothic, Noto Sans CJK JP, sans-serif"


def _for_image(chart: alt.TopLevelMixin, width: int) -> dict[str, Any]:
    out = _with_width(spec(chart), width)
    out.setdefault("config", {}).setdefault("font", EXPORT_FONT)
    return out


def to_png(chart: alt.TopLevelMixin, *, width: int = 800, scale: float = 2.0) -> bytes:
    """The chart as a PNG, rendered offline by vl-convert."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(vl_spec=_for_image(chart, width), scale=scale))


def to_svg(chart: alt.TopLevelMixin, *, width: int = 800) -> str:
    """The chart as SVG (text kept as text, for slides), rendered offline by vl-convert."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(vl_spec=_for_image(chart, width)))
