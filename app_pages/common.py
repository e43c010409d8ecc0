"""What every page shares: the database on first start, the sidebar, cached queries,
URL parameters, downloads, and safe display of report text.

Not a page itself (``app.py`` lists the pages). Queries go through :func:`q`, which
caches results with ``st.cache_data`` keyed by the store's signature: a finished ingest
by any process changes the signature, so the next rerun sees it. A DuckDB file is never
kept open; a DuckLake keeps one connection per process (see ``indicators.store``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import auth
from indicators import (
    brief,
    bundled,
    charts,
    definitions,
    digest,
    export,
    i18n,
    ingest,
    queries,
    review,
    settings,
    store,
)
from indicators.errors import InputError, printable
from indicators.i18n import t

#: Charts draw at most this many series (see :meth:`Context.chart_scope`).
MAX_CHART_SERIES = 6

PAGES = {
    "overview": "app_pages/overview.py",
    "trends": "app_pages/trends.py",
    "events": "app_pages/events.py",
    "reports": "app_pages/reports.py",
    "review": "app_pages/review.py",
}


@dataclass(frozen=True)
class Context:
    """The sidebar's choices, which every page's queries and exports honour."""

    db: store.Location
    lang: str
    series: tuple[str, ...]
    include_sample: bool

    @property
    def scope(self) -> dict[str, Any]:
        return {"series": list(self.series), "include_sample": self.include_sample}

    @property
    def chart_scope(self) -> dict[str, Any]:
        """The scope of a chart: at most :data:`MAX_CHART_SERIES` series (a chart of a
        hundred series is unreadable and heavy; tables and exports page instead)."""
        return {
            "series": list(self.series[:MAX_CHART_SERIES]),
            "include_sample": self.include_sample,
        }

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)


# --- queries -------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, db: str, signature: tuple[int, ...], kwargs: dict[str, Any]) -> Any:
    """A query's result for one state of the database file (the signature)."""
    del signature  # only part of the cache key
    return getattr(queries, name)(store.location(db), **kwargs)


def q(ctx_or_db: Context | store.Location, name: str, **kwargs: Any) -> Any:
    """Run ``queries.<name>`` (cached while the database file is unchanged)."""
    db = ctx_or_db.db if isinstance(ctx_or_db, Context) else ctx_or_db
    return _cached(name, str(db), queries.signature(db), kwargs)


def qs(ctx: Context, name: str, **kwargs: Any) -> Any:
    """:func:`q` within the sidebar's scope (series and sample data)."""
    return q(ctx, name, **ctx.scope, **kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_digest(
    db: str, signature: tuple[int, ...], series: tuple[str, ...], include_sample: bool
) -> digest.Digest:
    del signature  # only part of the cache key
    return digest.build(store.location(db), series=list(series), include_sample=include_sample)


def week_digest(ctx: Context) -> digest.Digest:
    """This week's digest of the charted series (cached while the database is unchanged)."""
    scope = ctx.chart_scope
    return _cached_digest(
        str(ctx.db), queries.signature(ctx.db), tuple(scope["series"]), ctx.include_sample
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_brief(
    db: str, signature: tuple[int, ...], series: tuple[str, ...], include_sample: bool, lang: str
) -> brief.Brief:
    del signature
    return brief.build(
        store.location(db), series=list(series), include_sample=include_sample, lang=lang
    )


def week_brief(ctx: Context) -> brief.Brief:
    """This week's brief (HTML; :meth:`brief.Brief.pdf` makes the PDF)."""
    scope = ctx.chart_scope
    return _cached_brief(
        str(ctx.db), queries.signature(ctx.db), tuple(scope["series"]), ctx.include_sample, ctx.lang
    )


# --- charts: specs built once, drawn without Altair on every run ------------------------


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_spec(
    key: str, signature: tuple[int, ...], _make: Callable[[], alt.TopLevelMixin]
) -> dict[str, Any]:
    """A chart's Vega-Lite spec, built (and its data serialised) once per state of the
    database; ``key`` names everything else the chart depends on."""
    del signature
    return charts.spec(_make())


def chart(
    ctx: Context, make: Callable[[], alt.TopLevelMixin], *, key: str, cache_key: str, **kwargs: Any
) -> Any:
    """Draw the chart ``make()`` builds; built once per database state and ``cache_key``
    (Altair's object building and schema validation were most of the page's time)."""
    spec = _cached_spec(f"{cache_key}|{ctx.lang}", queries.signature(ctx.db), make)
    return st.vega_lite_chart(spec=spec, width="stretch", key=key, **kwargs)


# --- URL parameters ------------------------------------------------------------------


def param(name: str) -> str | None:
    return st.query_params.get(name)


def param_list(name: str) -> list[str]:
    return st.query_params.get_all(name)


# A number in a URL: ASCII digits only (str.isdigit() also takes "²" and "٣", which
# int() refuses), and short enough for the database's integers.
_URL_NUMBER = re.compile(r"[0-9]{1,9}")


def param_int(name: str, default: int) -> int:
    """A whole-number URL parameter; anything else quietly gives the default."""
    value = st.query_params.get(name)
    return int(value) if value and _URL_NUMBER.fullmatch(value) else default


def param_id(name: str) -> int | None:
    """An id from the URL (``?report=12``), or None when absent or not a plain number."""
    value = param_int(name, 0)
    return value or None


def param_date(name: str) -> dt.date | None:
    try:
        value = st.query_params.get(name)
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def set_params(values: dict[str, Any]) -> None:
    """Write the view into the URL (``None`` or empty removes a parameter)."""
    for name, value in values.items():
        if value is None or value == [] or value == "":
            if name in st.query_params:
                del st.query_params[name]
        elif isinstance(value, list | tuple):
            st.query_params[name] = [str(v) for v in value]
        else:
            st.query_params[name] = str(value)


def init_state(key: str, value: Any) -> None:
    """A widget's first value (from the URL or a default), set before it is drawn."""
    if key not in st.session_state:
        st.session_state[key] = value


def keep_valid(key: str, options: Sequence[Any], default: Any) -> None:
    """Drop a widget's stored value(s) that its current options no longer offer."""
    if key not in st.session_state:
        st.session_state[key] = default
        return
    value = st.session_state[key]
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in options]
    elif value not in options:
        st.session_state[key] = default


def clamp_range(key: str, low: dt.date, high: dt.date, default: tuple[dt.date, dt.date]) -> None:
    """Keep a date-range widget's stored value within its bounds."""
    value = st.session_state.get(key)
    if not isinstance(value, list | tuple) or not value:
        st.session_state[key] = default
        return
    start = min(max(value[0], low), high)
    end = min(max(value[-1], low), high) if len(value) > 1 else high
    st.session_state[key] = (start, max(start, end))


def date_range(value: Any, fallback: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """A date_input range, also while only its first day is picked."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, list | tuple) and len(value) == 1:
        return value[0], fallback[1]
    return fallback


def to_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


# --- safe display --------------------------------------------------------------------

# Everything Markdown (and Streamlit's :color[...] / $math$ directives) could read as
# markup. Report content is untrusted: it is escaped where a label renders Markdown and
# otherwise shown with st.text / st.dataframe only.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$&])")


def md(text: object) -> str:
    """Text to put inside Markdown so that it shows as written.

    >>> md("**bold** [link](x) :red[x] $y$")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[link\\\\]\\\\(x\\\\) \\\\:red\\\\[x\\\\] \\\\$y\\\\$'
    """
    return _MARKDOWN.sub(r"\\\1", str(text))


def sample_note(ctx: Context, frame: pd.DataFrame) -> None:
    """Say it when sample (synthetic) data is on screen."""
    if "is_sample" in frame and frame["is_sample"].astype(bool).any():
        st.caption(f"［{ctx.t('sample')}］ {ctx.t('sample_caption')}")


def with_sample_column(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """A first column that marks sample rows in words (tables and CSV alike)."""
    out = frame.copy()
    if "is_sample" in out:
        kind = [ctx.t("sample") if s else ctx.t("real") for s in out["is_sample"].astype(bool)]
        out.insert(0, "data", kind)
    return out


def table(
    ctx: Context,
    frame: pd.DataFrame,
    *,
    key: str,
    order: Sequence[str] | None = None,
    config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """A dataframe with translated column names and dates shown as dates (report content
    is shown as data, never as markup)."""
    columns: dict[str, Any] = {}
    for column in frame.columns:
        label = i18n.column_label(str(column), ctx.lang)
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            fmt = "YYYY-MM-DD HH:mm" if column in ("ingested_at", "logged_at") else "YYYY-MM-DD"
            columns[column] = st.column_config.DatetimeColumn(label, format=fmt)
        else:
            columns[column] = label
    columns |= config or {}
    shown = list(order) if order else [c for c in frame.columns if c != "is_sample"]
    return st.dataframe(
        frame, hide_index=True, column_order=shown, column_config=columns, key=key, **kwargs
    )


# --- downloads -----------------------------------------------------------------------


def download_csv(
    ctx: Context,
    rows: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    stem: str,
    start: Any,
    end: Any,
    key: str,
) -> None:
    """A CSV download (UTF-8 with BOM) of exactly these rows (or of what the callable
    gives, run only when the button is pressed)."""
    # Written only when the button is pressed: a page shows many, a reader presses few.
    make = rows if callable(rows) else lambda: rows
    data: Any = lambda: export.to_csv_bytes(with_sample_column(ctx, make()))  # noqa: E731
    st.download_button(
        ctx.t("download_csv"),
        data=data,
        file_name=queries.export_name(stem, start, end, "csv"),
        mime="text/csv",
        key=f"csv_{key}",
        help=ctx.t("download_csv_help"),
        on_click="ignore",
        icon=":material/download:",
    )


def slide(
    ctx: Context,
    chart_: alt.TopLevelMixin,
    rows: pd.DataFrame,
    *,
    title: str,
    start: Any,
    end: Any,
    annotations: pd.DataFrame | None = None,
) -> alt.TopLevelMixin:
    """The chart with what a slide needs: title, series and dates, legend, source, note."""
    series = list(dict.fromkeys(rows["series"])) if "series" in rows else list(ctx.series)
    names = ", ".join(series)
    dates = f"{to_date(start)} – {to_date(end)}"
    notes = []
    if "is_sample" in rows and rows["is_sample"].astype(bool).any():
        notes.append(f"［{ctx.t('sample')}］ {ctx.t('sample_caption')}")
    source = ctx.t(
        "source_line",
        source=ctx.t("source_reports", series=names, start=to_date(start), end=to_date(end)),
    )
    return charts.for_slide(
        chart_, title=title, subtitle=[names, dates], source=source, notes=notes,
        annotations=annotations,
    )  # fmt: skip


def downloads(
    ctx: Context,
    rows: pd.DataFrame,
    make: Callable[[], alt.TopLevelMixin] | None,
    *,
    stem: str,
    start: Any,
    end: Any,
    key: str,
    title: str = "",
    annotations: pd.DataFrame | None = None,
) -> None:
    """CSV, PNG and SVG buttons side by side under a chart; the images carry the title,
    series, dates, legend, source line and sample note (ready for a slide) and are drawn
    (offline, by vl-convert) only when asked for."""
    left, middle, right, _ = st.columns([1, 1, 1, 5])
    with left:
        download_csv(ctx, rows, stem=stem, start=start, end=end, key=key)
    if make is None:
        return

    def framed() -> alt.TopLevelMixin:
        return slide(
            ctx, make(), rows, title=title or stem, start=start, end=end, annotations=annotations
        )

    with middle:
        st.download_button(
            ctx.t("download_png"),
            data=lambda: charts.to_png(framed()),
            file_name=queries.export_name(stem, start, end, "png"),
            mime="image/png",
            key=f"png_{key}",
            help=ctx.t("download_png_help"),
            on_click="ignore",
            icon=":material/image:",
        )
    with right:
        st.download_button(
            ctx.t("download_svg"),
            data=lambda: charts.to_svg(framed()).encode("utf-8"),
            file_name=queries.export_name(stem, start, end, "svg"),
            mime="image/svg+xml",
            key=f"svg_{key}",
            help=ctx.t("download_svg_help"),
            on_click="ignore",
            icon=":material/image:",
        )


# --- uploads -------------------------------------------------------------------------


def upload_limit_mb() -> int:
    """The per-file upload limit in MiB, the library's own (``INDICATORS_MAX_MB``)."""
    return max(1, ingest.max_bytes_default() // settings.MiB)


def _label(name: str) -> str:
    """An uploaded file's name as a label only: no folders, bounded, never a path, and
    no control characters (a newline in it would forge a line of the results)."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "upload"
    return "upload/" + printable(base[:120])


def ingest_uploads(
    db: store.Location,
    uploads: Sequence[tuple[str, bytes]],
    *,
    max_bytes: int,
    by: str,
    series: str | None = None,
) -> pd.DataFrame:
    """Store uploaded report files through the library's ingest path; one row per file.

    The bytes go to the parser as they are, in a worker process (a hostile file costs
    that process, never the server's memory); the uploaded name is kept only as a label
    (``upload/<name>``) in the result and the ingest log, never used as a path. ``by``
    is the uploader (:func:`app_pages.auth.editor`), kept in the ingest log. When the
    database cannot be written, ``attrs["error"]`` says so in one line, and the rows are
    what was stored before.
    """
    accepted = [
        (_label(name), data)
        for name, data in uploads
        if PurePath(name).suffix.lower() in ingest.REPORT_SUFFIXES
    ]
    refused = [
        store.Outcome(_label(name), "failed", "not a .txt or .pdf report")
        for name, _ in uploads
        if PurePath(name).suffix.lower() not in ingest.REPORT_SUFFIXES
    ]
    error: str | None = None
    try:
        result = ingest.ingest_data(
            db,
            accepted,
            max_bytes=max_bytes,
            series=series or None,
            workers=1,
            isolate=True,
            by=by,
        )
        if refused:
            store.write(db, refused, by=by)  # logged like any failed file
    except ingest.IngestStopped as stopped:
        result, error = stopped.result, str(stopped)
    except store.StoreError as failed:
        result, error = ingest.IngestResult(), str(failed)
    outcomes = [*result.outcomes, *refused]
    frame = pd.DataFrame(
        {
            "file": [o.file_name.removeprefix("upload/") for o in outcomes],
            "action": [o.action for o in outcomes],
            "message": [o.message for o in outcomes],
            "published": [o.published for o in outcomes],
            "n_events": [o.n_events for o in outcomes],
            "n_observations": [o.n_observations for o in outcomes],
        }
    )
    frame.attrs["error"] = error
    return frame


# --- start: database, sidebar, pages -------------------------------------------------


def one_line(error: BaseException) -> str:
    """An error as one line for the page: our own errors say it all; anything else is
    named by its message only (never its traceback, nor a class name)."""
    text = str(error).strip().splitlines()
    return text[0] if text else ""


@st.cache_resource(show_spinner=False, max_entries=8)
def _ensure_once(db: str, signature: tuple[int, ...]) -> bool:
    """Migrate (or fill) an existing file once per state of it, not once per browser
    session: opening it for writing is a fresh session's slowest step on the server."""
    del signature  # only part of the cache key
    return bundled.ensure(store.location(db), None)


def _ensure_database(db: store.Location, lang: str) -> None:
    """Build the bundled database on first start, with a progress bar; once a session."""
    if st.session_state.get("_db_ready") == str(db):
        return
    try:
        empty = not store.exists(db)
    except store.StoreError:
        return  # unreachable: the sidebar says why
    if empty:
        with st.status(t("building_db", lang), expanded=True) as status:
            bar = st.progress(0.0)

            def progress(done: int, total: int) -> None:
                bar.progress(done / max(total, 1), text=f"{done} / {total}")

            try:
                bundled.ensure(db, progress)
            except Exception as error:  # show why, then whatever the file already holds
                status.update(label=t("build_failed", lang), state="error")
                st.error(md(f"{t('build_failed', lang)}: {one_line(error)}"))
            else:
                status.update(label=t("built_db", lang), state="complete", expanded=False)
    else:
        try:
            _ensure_once(str(db), queries.signature(db))
        except store.StoreError as error:  # damaged, locked, newer: nothing else can work
            st.error(md(f"{t('db_unavailable', lang)}: {error}"))
            st.stop()
        except Exception as error:
            st.error(md(f"{t('build_failed', lang)}: {one_line(error)}"))
    st.session_state["_db_ready"] = str(db)


def _sidebar(db: store.Location, lang: str) -> Context:
    """The scope every page honours: report series, and sample data or not."""
    try:
        all_series = q(db, "series")
    except store.StoreError as error:
        st.error(md(f"{t('db_unavailable', lang)}: {error}"))
        st.stop()
    default_series, default_sample = queries.default_scope(all_series)
    sample_param = param("sample")
    init_state("include_sample", default_sample if sample_param is None else sample_param == "1")
    include_sample = st.sidebar.toggle(t("include_sample", lang), key="include_sample")
    pairs = zip(all_series["series"], all_series["is_sample"], strict=True)
    options = [s for s, sample in pairs if include_sample or not sample]
    chosen = param_list("series")
    init_state("series", [s for s in chosen if s in options] if chosen else default_series)
    before = list(st.session_state["series"])
    keep_valid("series", options, [])
    if before and not st.session_state["series"]:  # the toggle took away every choice
        st.session_state["series"] = [s for s in default_series if s in options] or options[:1]
    series = st.sidebar.multiselect(
        t("series", lang),
        options,
        key="series",
        help=t("series_help", lang),
        placeholder=t("choose", lang),
        select_all=False,  # its button is labelled in English only
    )
    if include_sample and all_series["is_sample"].any():
        st.sidebar.caption(t("sample_caption", lang))
    set_params(
        {
            "lang": None if lang == i18n.DEFAULT_LANG else lang,
            "sample": None if include_sample == default_sample else int(include_sample),
            "series": None if series == default_series else series,
        }
    )
    return Context(db, lang, tuple(series), include_sample)


@st.cache_data(show_spinner=False, max_entries=16)
def _defined_entries(db: str, signature: tuple[int, ...]) -> list[str]:
    del signature  # only part of the cache key
    return review.stored_entries(store.location(db))


def _use_defined_indicators(db: store.Location, lang: str) -> None:
    """Read with the indicators defined from the Review page (stored in the database)."""
    try:
        definitions.use_entries(_defined_entries(str(db), queries.signature(db)))
    except InputError as error:
        st.error(md(f"{t('bad_setting', lang)}: {error}"))


def start() -> Context:
    """Language, sign-in, database and sidebar: what ``app.py`` needs before the pages."""
    init_state("lang", i18n.lang_or_default(param("lang")))
    lang = st.sidebar.radio(
        "言語 / Language",
        list(i18n.LANGS),
        format_func=lambda code: {"ja": "日本語", "en": "English"}[code],
        horizontal=True,
        key="lang",
    )
    try:
        settings.check_all()
    except InputError as error:
        st.error(md(f"{t('bad_setting', lang)}: {error}"))
        st.stop()
    auth.gate(lang)  # the sign-in screen and nothing else, until someone signs in
    db = store.default_db()
    _ensure_database(db, lang)
    store.mirror.enable(db)  # a lake's search from a local copy (once per process)
    _use_defined_indicators(db, lang)
    ctx = _sidebar(db, lang)
    auth.sidebar(ctx)
    st.session_state["_ctx"] = ctx
    return ctx


def context() -> Context:
    """The context :func:`start` made for this run (pages call this first)."""
    ctx = st.session_state.get("_ctx")
    if ctx is None:  # a page run on its own (tests): make it here
        ctx = start()
    return ctx  # type: ignore[no-any-return]


def pages(lang: str) -> list[Any]:
    return [
        st.Page(PAGES["overview"], title=t("page_overview", lang), icon=":material/dashboard:",
                url_path="overview", default=True),
        st.Page(PAGES["trends"], title=t("page_trends", lang), icon=":material/show_chart:",
                url_path="trends"),
        st.Page(PAGES["events"], title=t("page_events", lang), icon=":material/list:",
                url_path="events"),
        st.Page(PAGES["reports"], title=t("page_reports", lang), icon=":material/description:",
                url_path="reports"),
        st.Page(PAGES["review"], title=t("page_review", lang), icon=":material/fact_check:",
                url_path="review"),
    ]  # fmt: skip


def qc(ctx: Context, name: str, **kwargs: Any) -> Any:
    """:func:`q` within the chart scope (the first :data:`MAX_CHART_SERIES` series),
    saying so when series are left out."""
    if len(ctx.series) > MAX_CHART_SERIES:
        st.caption(ctx.t("chart_series_cap", n=MAX_CHART_SERIES, total=len(ctx.series)))
    return q(ctx, name, **ctx.chart_scope, **kwargs)


def require_series(ctx: Context) -> None:
    """Stop the page with a hint when no series is selected."""
    if not ctx.series:
        st.info(ctx.t("no_series"))
        st.stop()
