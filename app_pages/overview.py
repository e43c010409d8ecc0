"""Overview (managers): what changed this week, in ten seconds.

First the digest (:mod:`indicators.digest`): alerts (series that stopped being stated,
values outside their usual range, new highs and lows), a tile per indicator series with
its changes against the previous report, 4 and 52 weeks back, flows and deals added up
per week, month and year to date, and the week's events by section; the weekly brief to
print or mail. Then one chart per indicator over the last 52 weeks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common
from indicators import charts, digest, i18n
from indicators.display import default_display

MAX_TILES = 24
TILE_COLUMNS = 4
WEEKS_SHOWN = 52
ALERT_ICONS = {
    "series_stale": ":material/schedule:",
    "stale": ":material/schedule:",
    "above": ":material/trending_up:",
    "below": ":material/trending_down:",
    "high": ":material/arrow_upward:",
    "low": ":material/arrow_downward:",
}

ctx = common.context()
common.require_series(ctx)
lang = ctx.lang

st.title(ctx.t("overview_title"))
found = common.week_digest(ctx)
if found.empty or found.week is None:
    st.info(ctx.t("nothing"))
    st.stop()

week = found.week
week_end = week + dt.timedelta(days=6)
published = common.to_date(found.series_reports["last_published"].max())
st.caption(common.md(ctx.t("digest_week", start=week, end=week_end, published=published)))
# --- alerts first: what a manager must not miss -------------------------------------------

if found.alerts:
    for alert in found.alerts:
        text = common.md(digest.alert_text(alert, lang))
        box = st.warning if alert.kind in ("stale", "series_stale") else st.info
        box(text, icon=ALERT_ICONS[alert.kind])
else:
    st.success(digest.no_alerts_text(found, lang), icon=":material/check_circle:")


# --- tiles ---------------------------------------------------------------------------------

sums = found.sums


# The first sum of each (series, indicator, dimension, unit, period), looked up per tile.
SUMS = {
    (r.series, r.indicator, r.dimension if isinstance(r.dimension, str) else "", r.unit, r.period):
    (r.value, r.unit, r.qualifier)
    for r in sums.iloc[::-1].itertuples(index=False)
}  # fmt: skip


def period_sum(row: pd.Series, period: str) -> str:
    """A flow's or deal's sum over the week, month or year to date, as the tiles write it."""
    dim = row["dimension"] if isinstance(row["dimension"], str) else ""
    hit = SUMS.get((row["series"], row["indicator"], dim, row["unit"], period))
    if hit is None:
        return "—"
    value, unit, qualifier = hit
    return i18n.format_value(value, unit, qualifier, lang, compact=True)


def tile_label(row: pd.Series) -> str:
    """A tile's name under its indicator's heading: the country, or the unit. Money and
    English counts name their unit here, so that the value stays short (it is written
    compact, without it)."""
    unit = row["unit"]
    count = unit in ("persons", "attempts")
    if isinstance(row["dimension"], str) and row["dimension"]:
        label = i18n.country_name(row["dimension"], lang)
    elif count:
        label = i18n.indicator_name(row["indicator"], lang)
    else:
        return i18n.unit_label(unit, lang)
    if lang == "en" or unit != "persons":  # Japanese writes 人 in the value: short
        label += f" · {i18n.unit_label(unit, lang)}"
    return label


def tile(row: pd.Series) -> None:
    unit = str(row["unit"])
    value = i18n.format_value(row["value"], unit, row["qualifier"], lang, compact=True)
    stated = common.to_date(row["week"])
    previous = common.to_date(row["prev_week"]) if pd.notna(row["prev_week"]) else "—"
    event = row["kind"] == "event"
    delta = None
    if not event and row["chg_prev_q"] != "unknown":
        delta = digest.format_change(row["chg_prev"], row["chg_prev_q"], unit, lang)
    # The tile: a bordered metric and one caption (few elements make a quick page).
    st.metric(
        tile_label(row),  # indicator and country names from the definitions
        value,
        delta,
        delta_color="off",
        delta_arrow="off",
        help=ctx.t("tile_help", date=stated, prev=previous) + " " + ctx.t("change_help"),
        delta_description=ctx.t("change_from_previous") if delta else None,
        border=True,
    )
    if event or row["kind"] == "flow":
        parts = [
            f"{ctx.t('col_month')} {period_sum(row, 'month')}",
            f"{ctx.t('col_year')} {period_sum(row, 'year')}",
        ]
    else:
        parts = [
            f"{ctx.t('col_chg_4w')} {digest.format_change(row['chg_4w'], row['chg_4w_q'], unit, lang)}",  # noqa: E501
            f"{ctx.t('col_chg_52w')} {digest.format_change(row['chg_52w'], row['chg_52w_q'], unit, lang)}",  # noqa: E501
        ]
    status = digest.status_text(row, lang)
    fresh = i18n.freshness(int(row["weeks_since"]), stated.isoformat(), lang)
    if row["weeks_since"] > 0:
        when = f":orange[:material/schedule:] {common.md(fresh)}"
    else:
        when = common.md(f"{ctx.t('as_of')} {stated} · {status or fresh}")
    changed = i18n.provenance(row, lang)  # a person's value never passes for extracted
    if changed:
        when += f"  \n:violet[:material/edit:] {common.md(changed)}"
    st.caption(common.md(" · ".join(parts)) + "  \n" + when)  # one element: a light page


# Series that reported this week first; the others are named in the alerts above.
lines = found.lines
reported = found.series_reports["last_report_week"].map(lambda w: common.to_date(w) == week)
lines = lines.assign(_now=lines["series"].map(reported)).sort_values(
    "_now", ascending=False, kind="stable"
)
shown = lines.head(MAX_TILES)
for series_name, group in shown.groupby("series", sort=False):
    is_sample = bool(group["is_sample"].iloc[0])
    badge = f" :orange-badge[{ctx.t('sample')}]" if is_sample else ""
    st.subheader(common.md(series_name) + badge)  # series names come from report headers
    for indicator, tiles_of in group.groupby("indicator", sort=False):
        st.markdown(f"**{common.md(i18n.indicator_name(str(indicator), lang))}**")
        columns = st.columns(TILE_COLUMNS)
        for i, (_, row) in enumerate(tiles_of.iterrows()):
            with columns[i % TILE_COLUMNS]:
                tile(row)
if len(lines) > MAX_TILES:
    st.caption(ctx.t("tiles_more", n=len(lines) - MAX_TILES))
st.caption(ctx.t("digest_band_note", weeks=default_display().band_weeks, k=3))


# --- flows and deals added up; the week's events ----------------------------------------

table = digest.sums_table(found, lang)
if len(table):
    st.subheader(ctx.t("digest_sums"))
    table["what"] = [
        (f"［{ctx.t('sample')}］ " if sample else "") + what
        for sample, what in zip(table["is_sample"], table["what"], strict=True)
    ]
    # A Markdown table: plain HTML, printable and searchable, nothing extra to load.
    header = [ctx.t(k) for k in ("col_what", "col_week", "col_month", "col_year")]
    body = [
        "| "
        + " | ".join(common.md(v) for v in (r["what"], r["week"], r["month"], r["year"]))
        + " |"
        for _, r in table.iterrows()
    ]
    st.markdown("\n".join(["| " + " | ".join(header) + " |", "|---|--:|--:|--:|", *body]))
    st.caption(ctx.t("digest_sums_note"))

sections = digest.events_by_section(found)
if sections:
    st.subheader(ctx.t("digest_events"))
    for section, part in sections:
        main = int(part["main"].sum())
        label = f"【{common.md(section)}】 {ctx.t('digest_events_count', n=len(part))}"
        if main:
            label += f" · ★ {main}"
        with st.expander(label):  # one text block per section (report text: plain text)
            st.text(
                "\n".join(
                    ("★ " if event["main"] else "・")
                    + event["headline"]
                    + (f"（{event['sources']}）" if event["sources"] else "")
                    for _, event in part.iterrows()
                )
            )

left, right, _ = st.columns([2, 2, 4])
with left:
    st.download_button(
        ctx.t("brief_download_pdf"),
        data=lambda: common.week_brief(ctx).pdf(),
        file_name=f"brief_{week.isoformat()}_{lang}.pdf",
        mime="application/pdf",
        key="brief_pdf",
        help=ctx.t("brief_help"),
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
with right:
    st.download_button(
        ctx.t("brief_download_html"),
        data=lambda: common.week_brief(ctx).html.encode("utf-8"),
        file_name=f"brief_{week.isoformat()}_{lang}.html",
        mime="text/html",
        key="brief_html",
        help=ctx.t("brief_help"),
        on_click="ignore",
        icon=":material/mail:",
    )


# --- weekly charts: one per indicator (one view to draw each) ----------------------------

end = week
start = end - dt.timedelta(weeks=WEEKS_SHOWN - 1)
domain = (start, end)
st.divider()
st.caption(ctx.t("overview_range", start=start, end=end + dt.timedelta(days=6)))
scope_key = f"{ctx.chart_scope}|{start}|{end}"


def section(
    indicator: str, title_key: str, *, note: str | None = None, by_dimension: bool = True
) -> None:
    """One indicator's chart, its notes and downloads; a hint when nothing is stated."""
    st.subheader(ctx.t(title_key))
    rows = common.qc(
        ctx, "weekly", indicator=indicator, start=start, end=end, by_dimension=by_dimension
    )
    if rows.empty:
        st.info(ctx.t("nothing"))
        return

    def make() -> Any:
        if indicator == "trade_deal_value":
            return charts.stacked(charts.deal_bars(rows, lang=lang, domain=domain))
        if default_display().chart_kind(indicator) == "stacked_bars":
            return charts.stacked(charts.border_bars(rows, lang=lang, domain=domain))
        unit = str(rows["unit"].iloc[0])
        return charts.trend(
            rows,
            lang=lang,
            y_title=i18n.unit_label(unit, lang),
            selectable=False,
            height=300,
            domain=domain,
        )

    common.chart(ctx, make, key=f"overview_{indicator}", cache_key=f"{indicator}|{scope_key}")
    if note:
        st.caption(ctx.t(note))
    common.sample_note(ctx, rows)
    common.downloads(
        ctx, rows, make, stem=indicator, start=start, end=end, key=indicator,
        title=ctx.t(title_key),
    )  # fmt: skip


section("political_prisoners", "chart_prisoners")
section("border_interceptions", "chart_border", note="chart_border_note")
section("trade_deal_value", "chart_deals", note="chart_deals_note", by_dimension=False)
