"""Trends (analysts): one indicator by country over a date range, transformed, with
event annotations; a clicked point shows its evidence sentence, source, report and the
events of its week. The view is kept in the URL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common
from indicators import charts, i18n, queries
from indicators.extract import default_definitions

MAX_DEFAULT_ANNOTATIONS = 6
HIGHLIGHT_SECTIONS = default_definitions().highlight_sections

ctx = common.context()
common.require_series(ctx)
lang = ctx.lang
st.title(ctx.t("trends_title"))

catalog = common.qs(ctx, "catalog")
# Values of an indicator no longer defined stay stored but are not offered.
indicators = [i for i in dict.fromkeys(catalog["indicator"]) if i in queries.indicator_ids()]
if not indicators:
    st.info(ctx.t("nothing"))
    st.stop()

# --- the view: indicator, unit, countries, range, transform (all kept in the URL) ------

common.init_state("tr_indicator", common.param("indicator"))
common.keep_valid("tr_indicator", indicators, indicators[0])
left, middle, right = st.columns([2, 1, 2])
indicator = left.selectbox(
    ctx.t("indicator"),
    indicators,
    key="tr_indicator",
    format_func=lambda i: i18n.indicator_name(i, lang),
)
definition = default_definitions().indicator(indicator)
rows_of = catalog[catalog["indicator"] == indicator]
units = list(rows_of.groupby("unit", sort=False)["n"].sum().sort_values(ascending=False).index)
common.init_state("tr_unit", common.param("unit"))
common.keep_valid("tr_unit", units, units[0])
unit = middle.selectbox(
    ctx.t("currency" if definition.shape == "money" else "unit"),
    units,
    key="tr_unit",
    format_func=lambda u: i18n.unit_label(u, lang),
    disabled=len(units) == 1,
)
dims = [
    d for d in dict.fromkeys(rows_of[rows_of["unit"] == unit]["dimension"]) if isinstance(d, str)
]
countries: list[str] = []
if dims:
    common.init_state("tr_dims", common.param_list("dim"))
    common.keep_valid("tr_dims", dims, [])
    countries = right.multiselect(
        ctx.t("counterparty" if definition.dimension == "counterparty" else "countries"),
        dims,
        key="tr_dims",
        format_func=lambda d: i18n.country_name(d, lang),
        placeholder="—" if lang == "ja" else "all",
    )

low = common.to_date(catalog["first_week"].min())
high = common.to_date(catalog["last_week"].max()) + dt.timedelta(days=6)
common.init_state("tr_range", (common.param_date("from") or low, common.param_date("to") or high))
common.clamp_range("tr_range", low, high, (low, high))
left, right = st.columns([2, 3])
start, end = common.date_range(
    left.date_input(ctx.t("date_range"), key="tr_range", min_value=low, max_value=high),
    (low, high),
)
common.init_state("tr_transform", common.param("transform"))
common.keep_valid("tr_transform", list(queries.TRANSFORMS), "level")
transform = (
    right.segmented_control(
        ctx.t("transform"),
        list(queries.TRANSFORMS),
        key="tr_transform",
        format_func=lambda x: i18n.transform_label(x, lang),
    )
    or "level"
)

# --- annotations: events from the log; highlights spread over the range unless chosen --


def spread(items: list[str], most: int) -> list[str]:
    """At most ``most`` items evenly spaced through the list (so labels do not pile up)."""
    if len(items) <= most:
        return items
    step = (len(items) - 1) / (most - 1)
    return [items[round(i * step)] for i in range(most)]


search = st.text_input(ctx.t("annotation_search"), key="tr_ann_search")
candidates = common.qs(ctx, "highlights", start=start, end=end, text=search or None)
if search:  # keep what is chosen selectable while searching for more
    candidates = pd.concat([candidates, common.qs(ctx, "highlights", start=start, end=end)])
candidates = candidates.drop_duplicates(["report_id", "event_seq"])
keys = [f"{r}:{s}" for r, s in zip(candidates["report_id"], candidates["event_seq"], strict=True)]
labels = {
    k: f"{common.to_date(d)} {h}"
    for k, d, h in zip(keys, candidates["date"], candidates["headline"], strict=True)
}
highlight_keys = spread(
    [
        k
        for k, section in zip(keys, candidates["section"], strict=True)
        if section in HIGHLIGHT_SECTIONS
    ],
    MAX_DEFAULT_ANNOTATIONS,
)
if "tr_ann_touched" not in st.session_state:  # first run: a link may name annotations
    st.session_state["tr_ann_touched"] = bool(common.param_list("ann"))
    st.session_state["tr_ann"] = common.param_list("ann")
if not st.session_state["tr_ann_touched"]:
    st.session_state["tr_ann"] = highlight_keys
common.keep_valid("tr_ann", keys, highlight_keys)
chosen = st.multiselect(
    ctx.t("annotations"),
    keys,
    key="tr_ann",
    format_func=lambda k: labels.get(k, k),
    help=ctx.t("annotations_help"),
    on_change=lambda: st.session_state.update(tr_ann_touched=True),
)
annotations = candidates[[k in chosen for k in keys]]

common.set_params(
    {
        "indicator": indicator,
        "unit": unit,
        "dim": countries,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "transform": transform,
        "ann": chosen if st.session_state.get("tr_ann_touched") else None,
    }
)

# --- the chart -------------------------------------------------------------------------

rows = common.qc(
    ctx,
    "weekly",
    indicator=indicator,
    units=[unit],
    dimensions=countries or None,
    start=start,
    end=end,
    transform=transform,
)
if rows.empty:
    st.info(ctx.t("nothing"))
    st.stop()
unit_text = "%" if transform == "pct" else i18n.unit_label(unit, lang)
y_title = (
    f"{i18n.indicator_name(indicator, lang)} ({unit_text})"
    f" — {i18n.transform_label(transform, lang)}"
)
chart = charts.trend(rows, lang=lang, y_title=y_title, annotations=annotations)
st.caption(ctx.t("trend_help"))
event = st.altair_chart(
    chart, width="stretch", on_select="rerun", selection_mode=[charts.POINT], key="trend_chart"
)
common.sample_note(ctx, rows)
common.downloads(
    ctx, rows, chart, stem=f"{indicator}_{unit}_{transform}", start=start, end=end, key="trend"
)
st.caption(ctx.t("share_link"))

# --- the clicked point: its evidence and its week ---------------------------------------

st.subheader(ctx.t("selected_point"))
points = charts.selected_points(event)
if not points:
    st.caption(ctx.t("select_hint"))
    st.stop()
point = points[0]
week = dt.date.fromisoformat(str(point["week_iso"]))
evidence = common.q(
    ctx,
    "evidence",
    indicator=indicator,
    week=week,
    series=[point["series"]],
    include_sample=ctx.include_sample,
    dimension=point.get("dim_key", ""),
    unit=point.get("unit") or unit,
)
st.caption(f"{ctx.t('week')}: {week} – {week + dt.timedelta(days=6)}")
for _, row in evidence.iterrows():
    with st.container(border=True):
        kind = f"［{ctx.t('sample')}］ " if row["is_sample"] else ""
        st.markdown(
            f"**{common.md(i18n.format_value(row['value'], row['unit'], row['qualifier'], lang))}**"
            f" · {common.md(i18n.qualifier_label(row['qualifier'], lang))}"
            f" · {ctx.t('as_of')} {common.to_date(row['as_of']) if pd.notna(row['as_of']) else '—'}"
        )
        st.text(row["evidence"])  # the sentence as the report wrote it (untrusted: plain text)
        st.text(
            f"{kind}{ctx.t('source')}: {row['source'] or '—'}\n"
            f"{ctx.t('report')}: {row['report_title']} ({common.to_date(row['report_published'])},"
            f" {row['issuer']})\n"
            f"{ctx.t('headline')}: {row['headline']}"
        )
        st.page_link(
            common.PAGES["reports"],
            label=ctx.t("open_report"),
            icon=":material/description:",
            query_params={"report": str(row["report_id"])},
        )
common.download_csv(
    ctx, evidence, stem=f"{indicator}_evidence", start=week, end=week, key="evidence"
)

st.subheader(ctx.t("week_events"))
week_events = common.qs(ctx, "events", start=week, end=week + dt.timedelta(days=6), limit=200)
common.table(
    ctx,
    common.with_sample_column(ctx, week_events),
    key="week_events",
    order=["data", "date", "section", "headline", "sources", "report_published", "series"],
)
st.page_link(
    common.PAGES["events"],
    label=ctx.t("open_week_events"),
    icon=":material/list:",
    query_params={"from": week.isoformat(), "to": (week + dt.timedelta(days=6)).isoformat()},
)
