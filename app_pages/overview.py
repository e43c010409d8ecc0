"""Overview (managers): the latest value of every indicator series, how fresh it is, and
the weekly charts of political prisoners, border interceptions and trade deals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common
from indicators import charts, i18n

MAX_TILES = 24
TILE_COLUMNS = 4
WEEKS_SHOWN = 52

ctx = common.context()
common.require_series(ctx)
lang = ctx.lang

st.title(ctx.t("overview_title"))
summary = common.qs(ctx, "summary").iloc[0]
if not summary["n_reports"]:
    st.info(ctx.t("nothing"))
    st.stop()

last = common.to_date(summary["last_published"])
end = last - dt.timedelta(days=last.weekday())
start = end - dt.timedelta(weeks=WEEKS_SHOWN - 1)
domain = (start, end)
st.caption(common.md(ctx.t("latest_report", date=last, series=summary["last_series"])))


# --- tiles -----------------------------------------------------------------------------


def tile_label(row: pd.Series) -> str:
    """A tile's name under its indicator's heading: the country, or the unit. English
    tiles name the unit here, so that the value stays short."""
    unit = row["unit"]
    count = unit in ("persons", "attempts")
    if isinstance(row["dimension"], str) and row["dimension"]:
        label = i18n.country_name(row["dimension"], lang)
    elif count:
        label = i18n.indicator_name(row["indicator"], lang)
    else:
        return i18n.unit_label(unit, lang)
    if count and (lang == "en" or unit != "persons"):
        label += f" · {i18n.unit_label(unit, lang)}"
    return label


def tile(row: pd.Series, spark: pd.DataFrame) -> None:
    value = i18n.format_value(row["value"], row["unit"], row["qualifier"], lang, compact=True)
    delta = None
    if pd.notna(row["change"]):
        sign = "+" if row["change"] >= 0 else "-"  # ASCII minus: the arrow follows it
        change = i18n.format_number(abs(row["change"]), row["unit"], lang, compact=True)
        delta = f"{sign}{change}"
    stated = common.to_date(row["as_of"] if pd.notna(row["as_of"]) else row["week"])
    previous = common.to_date(row["prev_week"]) if pd.notna(row["prev_week"]) else "—"
    values = spark["value"].dropna()  # stated weeks only: a sparkline draws no gaps
    with st.container(border=True):
        st.metric(
            tile_label(row),  # indicator and country names from the definitions
            value,
            delta,
            delta_color="off",
            help=ctx.t("tile_help", date=stated, prev=previous),
            delta_description=ctx.t("change_from_previous") if delta else None,
            chart_data=list(values) if len(values) > 1 else None,
        )
        fresh = i18n.freshness(int(row["weeks_since"]), stated.isoformat(), lang)
        if row["weeks_since"] > 0:
            st.caption(f":orange[:material/schedule:] {fresh}")
        else:
            st.caption(f"{ctx.t('as_of')} {stated} · {fresh}")


# Tiles of the first series only (as the charts): a manager reads a few series at a glance,
# and the query stays quick however many series the database holds.
tiles = common.qc(ctx, "latest")
shown = tiles.head(MAX_TILES)
sparks = common.q(
    ctx,
    "sparklines",
    series=list(dict.fromkeys(shown["series"])),
    include_sample=ctx.include_sample,
)
key = ["series", "indicator", "dimension", "unit"]
sparks["_key"] = sparks[key].fillna("").astype(str).agg("|".join, axis=1)
for series_name, group in shown.groupby("series", sort=False):
    is_sample = bool(group["is_sample"].iloc[0])
    badge = f" :orange-badge[{ctx.t('sample')}]" if is_sample else ""
    st.subheader(common.md(series_name) + badge)  # series names come from report headers
    for indicator, tiles_of in group.groupby("indicator", sort=False):
        st.markdown(f"**{i18n.indicator_name(str(indicator), lang)}**")
        columns = st.columns(TILE_COLUMNS)
        for i, (_, row) in enumerate(tiles_of.iterrows()):
            row_key = "|".join("" if pd.isna(row[k]) else str(row[k]) for k in key)
            with columns[i % TILE_COLUMNS]:
                tile(row, sparks[sparks["_key"] == row_key])
if len(tiles) > MAX_TILES:
    st.caption(ctx.t("tiles_more", n=len(tiles) - MAX_TILES))
st.caption(ctx.t("overview_range", start=start, end=end + dt.timedelta(days=6)))


# --- weekly charts ---------------------------------------------------------------------

st.subheader(ctx.t("chart_prisoners"))
prisoners = common.qc(ctx, "weekly", indicator="political_prisoners", start=start, end=end)
if prisoners.empty:
    st.info(ctx.t("nothing"))
else:
    chart = charts.trend(
        prisoners,
        lang=lang,
        y_title=i18n.unit_label("persons", lang),
        selectable=False,
        height=300,
        domain=domain,
    )
    st.altair_chart(chart, width="stretch", key="overview_prisoners")
    common.sample_note(ctx, prisoners)
    common.downloads(
        ctx, prisoners, chart, stem="political_prisoners", start=start, end=end, key="prisoners"
    )


def panels_section(frame: pd.DataFrame, draw: Any, *, stem: str, note: str) -> None:
    """Weekly bar panels (one per series and unit: never summed across), their note and
    downloads; a hint when nothing is stated."""
    if frame.empty:
        st.info(ctx.t("nothing"))
        return
    panels = draw(frame, lang=lang, domain=domain)
    for i, panel in enumerate(panels):
        st.altair_chart(panel, width="stretch", key=f"overview_{stem}_{i}")
    st.caption(ctx.t(note))
    common.sample_note(ctx, frame)
    common.downloads(ctx, frame, charts.stacked(panels), stem=stem, start=start, end=end, key=stem)


st.subheader(ctx.t("chart_border"))
panels_section(
    common.qc(ctx, "weekly", indicator="border_interceptions", start=start, end=end),
    charts.border_bars,
    stem="border_interceptions",
    note="chart_border_note",
)

st.subheader(ctx.t("chart_deals"))
panels_section(
    common.qc(
        ctx, "weekly", indicator="trade_deal_value", start=start, end=end, by_dimension=False
    ),
    charts.deal_bars,
    stem="trade_deal_value",
    note="chart_deals_note",
)
