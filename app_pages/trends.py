"""Trends (analysts): one indicator by country over a date range, transformed, with
event annotations; a clicked point shows its evidence sentence, source, report and the
events of its week. The view is kept in the URL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common
from indicators import charts, i18n, queries
from indicators.display import Annotate, default_display, pick_annotations
from indicators.extract import default_definitions

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
        placeholder=ctx.t("all"),
        select_all=False,
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

# --- annotations: the events most relevant to the indicator, or chosen --------------------

display = default_display()
MAX_ANNOTATIONS = display.max_annotations
rule = display.annotate.get(indicator, Annotate())
common.init_state("tr_ann_search", common.param("annq") or "")
search = st.text_input(ctx.t("annotation_search"), key="tr_ann_search")
relevant = common.qs(
    ctx, "relevant_events", start=start, end=end, sections=list(rule.sections),
    words=list(rule.words),
)  # fmt: skip
span_days = max((end - start).days, 28)
defaults = pick_annotations(relevant, rule, MAX_ANNOTATIONS, min_gap_days=span_days * 0.04)
candidates = [defaults, relevant]
if search:  # events found by the search are offered too, whatever their section
    candidates.insert(0, common.qs(ctx, "events", start=start, end=end, text=search, limit=200))
candidates = pd.concat(candidates).drop_duplicates(["report_id", "event_seq"])
keys = [f"{r}:{s}" for r, s in zip(candidates["report_id"], candidates["event_seq"], strict=True)]
labels = {
    k: f"{common.to_date(d)} 【{sec}】 {h}"
    for k, d, sec, h in zip(
        keys, candidates["date"], candidates["section"], candidates["headline"], strict=True
    )
}
default_keys = [
    f"{r}:{s}" for r, s in zip(defaults["report_id"], defaults["event_seq"], strict=True)
]
if "tr_ann_touched" not in st.session_state:  # first run: a link may name annotations
    st.session_state["tr_ann_touched"] = bool(common.param_list("ann"))
    st.session_state["tr_ann"] = common.param_list("ann")[:MAX_ANNOTATIONS]
if not st.session_state["tr_ann_touched"]:
    st.session_state["tr_ann"] = default_keys
common.keep_valid("tr_ann", keys, default_keys)
chosen = st.multiselect(
    ctx.t("annotations"),
    keys,
    key="tr_ann",
    format_func=lambda k: labels.get(k, k),
    help=ctx.t("annotations_help") + " " + ctx.t("annotations_cap", n=MAX_ANNOTATIONS),
    on_change=lambda: st.session_state.update(tr_ann_touched=True),
    max_selections=MAX_ANNOTATIONS,
    select_all=False,
    placeholder=ctx.t("choose"),
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
        "annq": search.strip() or None,
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
if len(annotations):
    plot, notes = st.columns([4, 1])
else:
    plot, notes = st.container(), None
with plot:
    event = st.vega_lite_chart(
        spec=charts.spec(chart),
        width="stretch",
        on_select="rerun",
        selection_mode=[charts.POINT],
        key="trend_chart",
    )
if notes is not None:
    with notes:  # the markers' numbers, and what each stands for
        st.markdown(f"**{ctx.t('annotation_list')}**")
        for _, note in charts.annotation_table(annotations).iterrows():
            st.text(f"{note['n']}. {note['date_iso']}\n{note['headline']}")
common.sample_note(ctx, rows)
common.downloads(
    ctx, rows, lambda: chart, stem=f"{indicator}_{unit}_{transform}", start=start, end=end,
    key="trend", title=y_title, annotations=annotations,
)  # fmt: skip
st.caption(ctx.t("share_link"))

# --- the clicked point: its evidence and its week ---------------------------------------

st.subheader(ctx.t("selected_point"))
points = charts.selected_points(event)
linked = str(common.param("pt") or "").split("|")  # indicator|week|series|dim|unit
if points:  # the clicked point goes into the URL, so that a link shows it too
    point = points[0]
    common.set_params(
        {"pt": "|".join([indicator, *(str(point.get(k, "")) for k in charts.POINT_FIELDS)])}
    )
elif len(linked) == len(charts.POINT_FIELDS) + 1 and linked[0] == indicator:
    point = dict(zip(charts.POINT_FIELDS, linked[1:], strict=True))
else:
    common.set_params({"pt": None})
    st.caption(ctx.t("select_hint"))
    st.stop()
try:
    week = dt.date.fromisoformat(str(point["week_iso"]))
except ValueError:  # a hand-edited link
    st.caption(ctx.t("select_hint"))
    st.stop()
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
        changed = i18n.provenance(row, lang)
        if changed:
            st.markdown(f":violet[:material/edit:] {common.md(changed)}")
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
