"""Events: the qualitative log, newest first, filtered by dates, section and a Japanese
substring search; a brush on the weekly chart (or a week linked from Trends) narrows it.
Each row links to its report."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from app_pages import common
from indicators import charts, queries

COLUMNS = (
    "data",
    "date",
    "section",
    "headline",
    "body",
    "sources",
    "report_published",
    "series",
    "link",
)

ctx = common.context()
common.require_series(ctx)
lang = ctx.lang
st.title(ctx.t("events_title"))

summary = common.qs(ctx, "summary").iloc[0]
if not summary["n_events"]:
    st.info(ctx.t("nothing"))
    st.stop()

# --- filters (kept in the URL) -----------------------------------------------------------

low = common.to_date(summary["first_event"])
high = max(common.to_date(summary["last_event"]), common.to_date(summary["last_published"]))
sections = list(common.qs(ctx, "sections")["section"])
common.init_state("ev_range", (common.param_date("from") or low, common.param_date("to") or high))
common.clamp_range("ev_range", low, high, (low, high))
common.init_state("ev_sections", common.param_list("section"))
common.keep_valid("ev_sections", sections, [])
common.init_state("ev_text", common.param("q") or "")

left, middle, right = st.columns([2, 2, 2])
start, end = common.date_range(
    left.date_input(ctx.t("date_range"), key="ev_range", min_value=low, max_value=high),
    (low, high),
)
chosen_sections = middle.multiselect(
    ctx.t("sections"), sections, key="ev_sections", placeholder=ctx.t("all"), select_all=False
)
text = right.text_input(ctx.t("search"), key="ev_text", placeholder="例: 政治犯 / CSTO")
common.set_params(
    {
        "from": start.isoformat() if start != low else None,
        "to": end.isoformat() if end != high else None,
        "section": chosen_sections,
        "q": text.strip() or None,
    }
)
filters = {
    "start": start,
    "end": end,
    "sections": chosen_sections or None,
    "text": text or None,
}

# --- weekly chart with a brush ---------------------------------------------------------


def linked_brush() -> tuple[dt.date, dt.date] | None:
    """The brush a link carries (``brush=FROM..TO``), if it reads as two dates."""
    try:
        first, last = str(common.param("brush") or "").split("..")
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        return None


per_week = common.qs(ctx, "events_weekly", **filters)
if not per_week.empty:
    chart = charts.events_per_week(per_week, lang=lang)
    st.caption(ctx.t("events_brush"))
    brushed = st.altair_chart(
        chart, width="stretch", on_select="rerun", selection_mode=[charts.BRUSH], key="ev_chart"
    )
    brush = charts.brush_range(brushed)
    if "ev_brush_link" not in st.session_state:  # a link's brush, until the user brushes
        st.session_state["ev_brush_link"] = linked_brush()
    if brush:
        st.session_state["ev_brush_link"] = None
    brush = brush or st.session_state["ev_brush_link"]
    # Kept in the URL, so that a link narrows the log the same way.
    common.set_params({"brush": f"{brush[0]}..{brush[1]}" if brush else None})
    if brush and st.session_state["ev_brush_link"] and st.button(ctx.t("clear_brush")):
        st.session_state["ev_brush_link"] = None
        st.rerun()
    if brush:
        # The brush covers whole weeks: from the first Monday to the last one's Sunday.
        b_start = brush[0] - dt.timedelta(days=brush[0].weekday())
        b_end = brush[1] - dt.timedelta(days=brush[1].weekday()) + dt.timedelta(days=6)
        filters["start"], filters["end"] = max(start, b_start), min(end, b_end)
        st.info(ctx.t("events_brushed", start=filters["start"], end=filters["end"]))
    common.downloads(
        ctx, per_week, lambda: chart, stem="events_per_week", start=start, end=end, key="evw",
        title=ctx.t("events_chart"),
    )  # fmt: skip

# --- the log, a page at a time ------------------------------------------------------------

total = common.qs(ctx, "events_count", **filters)
pages = max(1, math.ceil(total / queries.PAGE_SIZE))
common.init_state("ev_page", max(1, common.param_int("p", 1)))
if st.session_state["ev_page"] > pages:
    st.session_state["ev_page"] = pages
page = st.number_input(ctx.t("page_n"), min_value=1, max_value=pages, key="ev_page", step=1)
offset = (int(page) - 1) * queries.PAGE_SIZE
rows = common.qs(ctx, "events", **filters, limit=queries.PAGE_SIZE, offset=offset)
common.set_params({"p": page if page > 1 else None})
st.caption(ctx.t("of_pages", first=min(total, offset + 1), last=offset + len(rows), total=total))
table = common.with_sample_column(ctx, rows)
table["link"] = [f"reports?report={r}" for r in table["report_id"]]
selected = common.table(
    ctx,
    table,
    key="ev_table",
    order=COLUMNS,
    config={
        "headline": st.column_config.TextColumn(ctx.t("headline"), width="large"),
        "link": st.column_config.LinkColumn(ctx.t("link"), display_text=ctx.t("open_report")),
    },
    on_select="rerun",
    selection_mode="single-row",
)
common.sample_note(ctx, rows)


def all_rows():  # every matching row, fetched only when the CSV is asked for
    return queries.events(ctx.db, **ctx.scope, **filters, limit=None)


common.download_csv(
    ctx, all_rows, stem="events", start=filters["start"], end=filters["end"], key="events"
)

chosen_rows = selected.selection.rows if selected else []
if chosen_rows:
    row = rows.iloc[chosen_rows[0]]
    with st.container(border=True):
        st.text(f"{common.to_date(row['date'])}  【{row['section']}】 {row['headline']}")
        st.text(row["body"])  # untrusted report text: plain text only
        st.text(f"{ctx.t('sources')}: {row['sources'] or '—'}")
        st.page_link(
            common.PAGES["reports"],
            label=ctx.t("open_report"),
            icon=":material/description:",
            query_params={"report": str(row["report_id"])},
        )
