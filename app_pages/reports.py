"""Reports: upload new report files, which weeks have reports (coverage strip), what each
report contributed, one report in detail (``?report=ID``), and the ingest log."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app_pages import auth, common
from indicators import charts, i18n, ingest, queries

MAX_SERIES_ROWS = 12  # more series than this: one coverage row for all of them
COLUMNS = (
    "data",
    "published",
    "period_start",
    "period_end",
    "series",
    "n_events",
    "n_observations",
    "indicators",
    "file_name",
    "ingested_at",
    "link",
)


def css_string(text: str) -> str:
    """A CSS string literal of ``text`` (quotes, backslashes and line ends escaped)."""
    safe = " ()/.,・、。（）＆"
    escaped = "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


ctx = common.context()
lang = ctx.lang
st.title(ctx.t("reports_title"))

# --- upload (first, so that everything below shows the new reports in this run) --------
# Editors only (anyone without sign-in, under the name they give; nobody when read-only).

uploader = auth.editor(ctx)
if uploader is not None:
    limit_mb = common.upload_limit_mb()
    # Streamlit writes the drop zone's button and hint in English and takes no text for
    # them: they are drawn over, in the page's language.
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] > *, '
        '[data-testid="stFileUploaderDropzoneInstructions"] > * { display: none; }'
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]::after '
        f"{{ content: {css_string(ctx.t('upload_button'))}; font-size: 0.875rem; }}"
        '[data-testid="stFileUploaderDropzoneInstructions"]::after '
        f"{{ content: {css_string(ctx.t('upload_drop', mb=limit_mb))}; font-size: 0.875rem; }}"
        "</style>"
    )
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            ctx.t("upload"),
            type=sorted(s.lstrip(".") for s in ingest.REPORT_SUFFIXES),
            accept_multiple_files=True,
            max_upload_size=limit_mb,
            help=ctx.t("upload_help", mb=limit_mb),
            key="uploads",
        )
        series_name = st.text_input(
            ctx.t("upload_series"), value="", help=ctx.t("upload_series_help"), max_chars=120
        )
        submitted = st.form_submit_button(
            ctx.t("ingest_button"), icon=":material/upload:", key="upload_submit"
        )
    if submitted and files:
        with st.spinner(ctx.t("ingest_button")):
            results = common.ingest_uploads(
                ctx.db,
                [(f.name, f.getvalue()) for f in files],
                max_bytes=ingest.max_bytes_default(),
                by=uploader.name,
                series=series_name.strip() or None,
            )
        st.session_state["upload_results"] = results
results = st.session_state.get("upload_results")
if results is not None and results.attrs.get("error"):
    st.error(common.md(f"{ctx.t('db_write_failed')}: {results.attrs['error']}"))
if results is not None and len(results):
    counts = results["action"].value_counts()
    message = ctx.t(
        "ingest_done",
        **{a: int(counts.get(a, 0)) for a in ("added", "replaced", "unchanged", "failed")},
    )
    (st.warning if counts.get("failed", 0) else st.success)(message)
    failed = results[results["action"] == "failed"]
    if len(failed):  # one line per refused file, as the command line prints it
        pairs = zip(failed["file"], failed["message"], strict=True)
        st.text("\n".join(f"{name}: {i18n.reason(why, lang)}" for name, why in pairs))
    shown = results.assign(
        action=[i18n.action_label(a, lang) for a in results["action"]],
        message=[i18n.reason(m, lang) for m in results["message"]],
        published=[str(common.to_date(d)) if d is not None and not pd.isna(d) else "—"
                   for d in results["published"]],
    )  # fmt: skip
    common.table(ctx, shown, key="upload_table")

common.require_series(ctx)

# --- one report in detail (linked from Events and Trends) -------------------------------

report_id = common.param_id("report")
if report_id is not None:
    st.subheader(ctx.t("report_detail"))
    # The report asked for, whatever the sidebar's scope (it says if it is a sample).
    detail = common.q(
        ctx, "reports", series=None, include_sample=True, report_id=report_id, limit=1
    )
    if detail.empty:
        st.warning(ctx.t("report_missing"))
    else:
        row = detail.iloc[0]
        kind = f"［{ctx.t('sample')}］ " if row["is_sample"] else ""
        st.text(
            f"{kind}{row['title']} — {row['issuer']}\n"
            f"{ctx.t('published')}: {common.to_date(row['published'])}"
            f"  ({common.to_date(row['period_start'])} – {common.to_date(row['period_end'])})\n"
            f"{ctx.t('file')}: {row['file_name']}"
        )
        observations = common.q(ctx, "report_observations", report_id=report_id)
        st.markdown(f"**{ctx.t('observations')}**")
        common.table(ctx, observations, key="report_obs")
        events = common.q(ctx, "report_events", report_id=report_id)
        st.markdown(f"**{ctx.t('events')}**")
        common.table(ctx, events, key="report_events")
        common.download_csv(
            ctx,
            observations,
            stem=f"report-{report_id}_observations",
            start=row["published"],
            end=row["published"],
            key="report_obs",
        )
    st.divider()

# --- coverage ---------------------------------------------------------------------------

st.subheader(ctx.t("coverage"))
by_series = len(ctx.series) <= MAX_SERIES_ROWS
coverage = common.qs(ctx, "coverage", by_series=by_series)
if coverage.empty:
    st.info(ctx.t("nothing"))
else:
    chart = charts.coverage_strip(coverage, lang=lang)
    st.altair_chart(chart, width="stretch", key="coverage_chart")
    st.caption(ctx.t("coverage_note"))
    common.downloads(
        ctx,
        coverage,
        lambda: chart,
        stem="coverage",
        start=coverage["week"].min(),
        end=coverage["week"].max(),
        key="coverage",
        title=ctx.t("coverage"),
    )

# --- reports, a page at a time ----------------------------------------------------------

st.subheader(ctx.t("reports_table"))
total = common.qs(ctx, "reports_count")
pages = max(1, math.ceil(total / queries.PAGE_SIZE))
page = st.number_input(ctx.t("page_n"), min_value=1, max_value=pages, value=1, key="rp_page")
offset = (int(page) - 1) * queries.PAGE_SIZE
reports = common.qs(ctx, "reports", limit=queries.PAGE_SIZE, offset=offset)
st.caption(ctx.t("of_pages", first=min(total, offset + 1), last=offset + len(reports), total=total))
table = common.with_sample_column(ctx, reports)
table["indicators"] = [
    ", ".join(i18n.indicator_name(i.strip(), lang) for i in s.split(","))
    if isinstance(s, str)
    else ""
    for s in table["indicators"]
]
table["link"] = [f"reports?report={r}" for r in table["report_id"]]
common.table(
    ctx,
    table,
    key="reports_table",
    order=COLUMNS,
    config={
        "link": st.column_config.LinkColumn(ctx.t("link"), display_text=ctx.t("report_detail"))
    },
)
common.sample_note(ctx, reports)


def all_reports() -> pd.DataFrame:  # fetched only when the CSV is asked for
    return queries.reports(ctx.db, **ctx.scope, limit=None)


common.download_csv(ctx, all_reports, stem="reports", start=None, end=None, key="reports")

# --- ingest log ------------------------------------------------------------------------

st.subheader(ctx.t("ingest_log"))
log_total = common.q(ctx, "ingest_log_count")
log_pages = max(1, math.ceil(log_total / queries.PAGE_SIZE))
log_page = st.number_input(
    ctx.t("page_n"), min_value=1, max_value=log_pages, value=1, key="log_page"
)
log = common.q(
    ctx, "ingest_log", limit=queries.PAGE_SIZE, offset=(int(log_page) - 1) * queries.PAGE_SIZE
)
log = log.assign(
    action=[i18n.action_label(a, lang) for a in log["action"]],
    message=[i18n.reason(m, lang) for m in log["message"]],
    report_id=[str(int(r)) if not pd.isna(r) else "—" for r in log["report_id"]],
)
common.table(ctx, log, key="ingest_log_table")
common.download_csv(
    ctx,
    lambda: queries.ingest_log(ctx.db, limit=None),
    stem="ingest_log",
    start=None,
    end=None,
    key="ingest_log",
)
