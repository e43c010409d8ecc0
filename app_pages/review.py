"""Review / 確認: the queue of numbers to look at, one action on each (editors only),
a new indicator from an unassigned number, and the whole review log as CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import auth, common
from indicators import definitions, export, i18n, queries, review, store
from indicators.extract import units_of

ctx = common.context()
st.title(ctx.t("review_title"))
st.caption(ctx.t("review_intro"))
# What the last action did, said once after the rerun it caused (a toast shown right
# before a rerun can be gone before anyone reads it).
if done := st.session_state.pop("review_last_done", None):
    st.success(done, icon=":material/check_circle:")


@st.cache_data(show_spinner=False, max_entries=64)
def _queue(db: str, signature: tuple[int, ...], include_sample: bool) -> pd.DataFrame:
    del signature  # only part of the cache key: a new review or ingest reads again
    return review.queue(store.location(db), include_sample=include_sample, limit=500)


def _label(row: Any) -> str:
    kind = ctx.t(f"review_kind_{row.kind}")
    day = str(row.published)[:10] if row.published is not None else "—"
    if isinstance(row.indicator, str):
        what = i18n.indicator_name(row.indicator, ctx.lang)
    else:
        what = str(row.shape)
    value = i18n.format_number(float(row.value), str(row.unit), ctx.lang)
    many = f" ×{row.n}" if row.kind == "quantity" and row.n > 1 else ""
    place = f" · {row.dimension}" if isinstance(row.dimension, str) else ""
    origin = getattr(row, "origin", None)
    marked = f" ({ctx.t(f'origin_{origin}')})" if origin in ("corrected", "assigned") else ""
    return f"{day} · {row.series or '—'} · {kind} · {what}{place} · {value}{many}{marked}"


def _sentence(row: Any) -> str:
    """The sentence as Markdown, the number highlighted (report text never as markup)."""
    text = str(row.sentence)
    start, end = review.number_span(text, int(row.char_offset))
    if end <= start:
        return common.md(text)
    return (
        common.md(text[:start])
        + f":orange-background[**{common.md(text[start:end])}**]"
        + common.md(text[end:])
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _values(db: str, signature: tuple[int, ...]) -> pd.DataFrame:
    del signature
    return review.values(store.location(db), limit=500).assign(kind="value")


queue = _queue(str(ctx.db), queries.signature(ctx.db), ctx.include_sample)
kinds = st.multiselect(
    ctx.t("review_kinds"),
    list(review.KINDS),
    default=list(review.KINDS),
    format_func=lambda kind: ctx.t(f"review_kind_{kind}"),
    key="review_kinds",
)
shown = queue[queue["kind"].isin(kinds)]
# Any value, not only the queue's: the newest first (a value a manager questioned).
if st.toggle(ctx.t("review_all_values"), key="review_all_values"):
    shown = pd.concat([shown, _values(str(ctx.db), queries.signature(ctx.db))])
shown = shown.reset_index(drop=True)
if shown.empty:
    st.info(ctx.t("review_empty"))
else:
    labels = [_label(row) for row in shown.itertuples(index=False)]

    def _forget_fields() -> None:
        """Another number picked: its own values in the form, not the last one's."""
        for key in list(st.session_state):
            if str(key).startswith(("review_value", "review_unit", "review_qualifier",
                                    "review_date", "review_dimension", "review_indicator",
                                    "review_reason", "review_action", "new_")):  # fmt: skip
                del st.session_state[key]

    picked = st.selectbox(
        ctx.t("review_pick"),
        range(len(shown)),
        format_func=lambda i: labels[i],
        key="review_pick",
        on_change=_forget_fields,
    )
    row = shown.iloc[picked or 0]
    number = review.Number.of(row)
    with st.container(border=True):
        if row["kind"] == "stale":
            st.warning(ctx.t("review_stale_note", action=ctx.t(f"review_{row['rule']}")))
        st.markdown(_sentence(row))
        item = f"{ctx.t('review_item')}: {common.md(row['section'] or '')} ／ " + common.md(
            row["headline"] or ""
        )
        st.caption(item)
        if not pd.isna(row["report_id"]):
            st.page_link(
                common.PAGES["reports"],
                label=f"{ctx.t('review_report')} ({str(row['published'])[:10]})",
                query_params={"report": str(int(row["report_id"]))},
                icon=":material/description:",
            )
        if row["kind"] == "quantity":
            st.caption(
                ctx.t(
                    "review_group",
                    n=int(row["n"]),
                    weeks=int(row["n_weeks"]),
                    first=str(row["first_published"])[:10],
                )
            )
            if int(row["n"]) > 1:
                with st.expander(ctx.t("review_members")):
                    members = review.group_members(
                        ctx.db, str(row["shape"]), include_sample=ctx.include_sample
                    )
                    common.table(
                        ctx,
                        members.head(200),
                        key="review_members_table",
                        order=["published", "series", "value", "unit", "sentence"],
                    )
        if isinstance(row["indicator"], str):
            now = i18n.format_value(
                float(row["value"]), str(row["unit"]), str(row["qualifier"]), ctx.lang
            )
            place = i18n.country_name(row["dimension"], ctx.lang)
            st.markdown(
                f"{ctx.t('review_now')}: **{common.md(now)}** · {common.md(place)} · "
                f"{common.md(str(row['as_of'])[:10])}"
            )
            if isinstance(row["flags"], str) and row["flags"]:
                st.caption(common.md(row["flags"]))
            if isinstance(row["rule"], str) and row["kind"] != "stale":
                st.caption(common.md(row["rule"]))

    user = auth.editor(ctx)
    if user is not None:
        d = definitions.default_definitions()
        is_value = isinstance(row["indicator"], str)
        if row["kind"] == "stale":
            choices = ["dismiss"]
        elif is_value:
            choices = ["confirm", "correct", "reject", "dismiss"]
        else:
            choices = ["assign", "dismiss"]
        action = st.radio(
            ctx.t("review_action"),
            choices,
            format_func=lambda a: ctx.t(f"review_{a}"),
            horizontal=True,
            key="review_action",
        )
        change: review.Change | None = None
        if action in ("correct", "assign"):
            indicator = number.indicator
            if action == "assign":
                ids = [ind.id for ind in d.indicators]
                indicator = st.selectbox(
                    ctx.t("review_indicator"),
                    ids,
                    format_func=lambda i: i18n.indicator_name(i, ctx.lang),
                    key="review_indicator",
                )
            units = list(units_of(indicator, d)) if indicator else []
            if number.unit in units:
                units.remove(number.unit)
                units.insert(0, number.unit)
            cols = st.columns(5)
            value = cols[0].number_input(
                ctx.t("review_value"), value=float(number.value or 0), key="review_value"
            )
            unit = cols[1].selectbox(
                ctx.t("review_unit"),
                units,
                format_func=lambda u: i18n.unit_label(u, ctx.lang),
                key="review_unit",
            )
            qualifiers = list(definitions.QUALIFIERS)
            qualifier = cols[2].selectbox(
                ctx.t("review_qualifier"),
                qualifiers,
                index=qualifiers.index(number.qualifier) if number.qualifier in qualifiers else 0,
                format_func=lambda q: i18n.qualifier_label(q, ctx.lang),
                key="review_qualifier",
            )
            default_day = number.as_of or pd.Timestamp(row["published"]).date()
            as_of = cols[3].date_input(ctx.t("review_date"), value=default_day, key="review_date")
            codes = ["", *sorted(d.country_table)]
            dimension = cols[4].selectbox(
                ctx.t("review_dimension"),
                codes,
                index=codes.index(number.dimension) if number.dimension in codes else 0,
                format_func=lambda c: (
                    i18n.country_name(c, ctx.lang) if c else ctx.t("review_no_dimension")
                ),
                key="review_dimension",
            )
            change = review.Change(
                value=float(value),
                unit=str(unit or ""),
                qualifier=str(qualifier),
                as_of=as_of if isinstance(as_of, dt.date) else None,
                dimension=dimension or None,
                indicator=indicator if action == "assign" else None,
            )
        reason = st.text_input(ctx.t("review_reason"), max_chars=300, key="review_reason")
        if st.button(ctx.t("review_submit"), type="primary", key="review_submit"):
            try:
                review.record(ctx.db, [review.Action(action, number, change, reason)], by=user.name)
            except review.ReviewError as error:
                st.error(common.md(f"{ctx.t('review_refused')}: {error}"))
            else:
                done = ctx.t("review_done", action=ctx.t(f"review_{action}"))
                st.session_state["review_last_done"] = done
                st.rerun()

        if not is_value and row["kind"] == "quantity":
            with st.expander(ctx.t("new_indicator"), icon=":material/add_chart:"):
                st.caption(ctx.t("new_indicator_help"))
                cues = review.suggest_cues(number.sentence, number.char_offset)
                with st.form("new_indicator"):
                    new_id = st.text_input(ctx.t("new_id"), key="new_id")
                    name_ja = st.text_input(ctx.t("new_name_ja"), key="new_name_ja")
                    name_en = st.text_input(ctx.t("new_name_en"), key="new_name_en")
                    cols = st.columns(3)
                    all_units = list(d.units)
                    new_unit = cols[0].selectbox(
                        ctx.t("review_unit"),
                        all_units,
                        format_func=lambda u: i18n.unit_label(u, ctx.lang),
                        key="new_unit",
                    )
                    new_kind = cols[1].selectbox(
                        ctx.t("new_kind"),
                        list(definitions.KINDS),
                        format_func=lambda k: ctx.t(f"kind_{k}"),
                        key="new_kind",
                    )
                    new_dimension = cols[2].selectbox(
                        ctx.t("new_dimension"),
                        list(definitions.DIMENSIONS),
                        format_func=lambda k: ctx.t(f"dim_{k}"),
                        key="new_dimension",
                    )
                    topic = st.multiselect(
                        ctx.t("new_cues"),
                        cues,
                        default=cues[:1],
                        accept_new_options=True,
                        key="new_cues",
                    )
                    saved = st.form_submit_button(ctx.t("new_save"), key="new_save")
                if saved:
                    new = review.NewIndicator(
                        id=new_id.strip(),
                        name_ja=name_ja.strip(),
                        name_en=name_en.strip(),
                        unit=str(new_unit),
                        kind=str(new_kind),
                        dimension=str(new_dimension),
                        topic=tuple(topic),
                    )
                    try:
                        review.define(ctx.db, new, by=user.name)
                    except review.ReviewError as error:
                        st.error(common.md(f"{ctx.t('review_refused')}: {error}"))
                    else:
                        with st.spinner(ctx.t("new_save")):
                            done = review.reextract(ctx.db)
                        st.success(
                            ctx.t(
                                "new_saved",
                                name=new.name_ja if ctx.lang == "ja" else new.name_en,
                                n=done.reports,
                                seconds=done.seconds,
                            )
                        )

# --- the log -------------------------------------------------------------------------

st.subheader(ctx.t("review_log"))
st.caption(ctx.t("review_log_help"))
log = review.log(ctx.db)
if not log.empty:
    shown_log = log.iloc[::-1].head(50).copy()
    # Actions and indicators by their names, not their codes (the CSV keeps the codes).
    shown_log["action"] = shown_log["action"].map(lambda a: ctx.t(f"review_{a}"))
    for column in ("indicator", "after_indicator"):
        shown_log[column] = shown_log[column].map(
            lambda i: i18n.indicator_name(i, ctx.lang) if isinstance(i, str) else None
        )
    common.table(
        ctx,
        shown_log,
        key="review_log_table",
        order=[
            "logged_at",
            "logged_by",
            "action",
            "indicator",
            "before_value",
            "after_indicator",
            "after_value",
            "reason",
            "sentence",
        ],
    )
st.download_button(
    ctx.t("download_csv"),
    data=export.to_csv_bytes(log),
    file_name=queries.export_name("review_log", None, None, "csv"),
    mime="text/csv",
    key="csv_review_log",
    on_click="ignore",
    icon=":material/download:",
)
entries = review.stored_entries(ctx.db)
if entries:
    st.download_button(
        ctx.t("defined_toml"),
        data=review.definitions_toml(ctx.db).encode("utf-8"),
        file_name="defined-indicators.toml",
        mime="application/toml",
        key="toml_defined",
        on_click="ignore",
        icon=":material/download:",
    )
