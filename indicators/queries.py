"""The dashboard's questions to the store, answered in DuckDB: ``(db, filters) -> DataFrame``.

Every function aggregates, filters and pages inside DuckDB and returns only what a page
shows (a weekly series, one tile per series, one page of events), so the dashboard stays
quick on 100 report series x 10 years. User input reaches SQL only as parameters; the
SQL text is assembled from the constant fragments below and nothing else.

Every function takes the same *scope*: ``series`` (report series to include; ``None``
for all) and ``include_sample`` (whether reports marked as sample data count).

Weekly values follow the indicator's kind (``definitions.toml``):

- ``stock`` (a count "as of" a day) and ``flow`` (a count for a printed period): the
  latest statement for the week, by the date it is as of, then the latest report, so a
  corrected or repeated figure is not counted twice.
- ``event`` (a deal signed): the sum of the week's statements, per currency; qualified
  as "at least" if any part is, else "about" if any part is, else exact.

A line (series x indicator x dimension x unit) has a row for every week from its first
to its last statement; a week without a statement has no value (a gap, never a zero),
and ``reported`` says whether the series had a report that week at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from indicators import event_search, review, store
from indicators.extract import default_definitions
from indicators.read import normalize
from indicators.store import aggregates, mirror, search

Scope = dict[str, Any]

#: Transforms of a weekly series (the Trends page's choice).
TRANSFORMS = ("level", "diff", "pct", "rolling4")
#: Events and reports are paged; a page is at most this many rows.
PAGE_SIZE = 50

# --- SQL fragments (constants only) ----------------------------------------------------

# Reports in scope. $series NULL means every series; $until (a Monday) leaves out the
# reports of later weeks, so a past week reads as it did then (the weekly brief).
_SCOPE = f"""{review.EFFECTIVE},
scope AS (
    SELECT report_id, series, is_sample, published, period_start, period_end,
           title, issuer, file_name, n_events, n_observations
    FROM reports
    WHERE ($series IS NULL OR list_contains($series, series))
      AND ($include_sample OR NOT is_sample)
      AND ($until IS NULL
           OR date_trunc('week', coalesce(period_start, published))::DATE <= $until::DATE)
)"""

# The week (its Monday) an observation belongs to: the period it counts (flows), else the
# day it is as of, else the report's own period.
_OBS_WEEK = aggregates.OBS_WEEK
_REPORT_WEEK = aggregates.REPORT_WEEK

# Observations in scope with their week. "dim" is the dimension as a key ('' for none);
# summed (event-kind) indicators lose their dimension unless $by_dimension, so a week's
# deals add up per currency, their counterparties kept as a list.
_OBS = f"""
obs AS (
    SELECT s.series, s.is_sample, s.report_id, s.published AS report_published,
           o.indicator, o.dimension, o.unit, o.value, o.qualifier, o.as_of,
           o.period_start, o.period_end, o.source, o.evidence, o.obs_seq,
           o.origin, o.original_value, o.changed_by, o.changed_at,
           {_OBS_WEEK} AS week,
           date_trunc('week', coalesce(s.period_start, s.published))::DATE AS report_week,
           list_contains($summed, o.indicator) AS summed,
           CASE WHEN $by_dimension OR NOT list_contains($summed, o.indicator)
                THEN coalesce(o.dimension, '') ELSE '' END AS dim
    FROM effective o JOIN scope s USING (report_id){{join}}
    WHERE ($indicators IS NULL OR list_contains($indicators, o.indicator))
      AND ($units IS NULL OR list_contains($units, o.unit))
      AND ($dimensions IS NULL OR list_contains($dimensions, coalesce(o.dimension, '')))

)"""


# One value per line and week (see the module docstring for the rules), decided from the
# observations: what the writer stores in weekly_stated (indicators.store.aggregates).
def _direct(name: str = "stated") -> str:
    return f"{_OBS.format(join='')},{aggregates.stated_ctes(name=name)}"


_DIRECT = _direct()

# The same values as the writer decided them. As of a past week ($until), a line whose
# value weighed a later report is decided again from the reports up to that week.
_DECIDED = f"""
decided AS (
    SELECT {aggregates.VALUE_COLUMNS} FROM weekly_stated
    WHERE CASE WHEN $include_sample THEN sample_ok ELSE real_ok END
      AND CASE WHEN $by_dimension THEN dim_ok ELSE line_ok END
      AND ($series IS NULL OR list_contains($series, series))
      AND ($indicators IS NULL OR list_contains($indicators, indicator))
      AND ($units IS NULL OR list_contains($units, unit))
      AND ($dimensions IS NULL OR list_contains($dimensions, dim))
)"""
_IN_LATE = f"""
    JOIN (SELECT DISTINCT series, week FROM late) l
      ON l.series = s.series AND l.week = {_OBS_WEEK}"""


def _late(name: str) -> str:
    return f"""
{_DECIDED},
late AS (
    SELECT series, indicator, dim, unit, week FROM decided
    WHERE last_report_week > $until::DATE
),
{_OBS.format(join=_IN_LATE)},
{aggregates.stated_ctes(name="redecided")},
{name} AS (
    SELECT * FROM decided WHERE last_report_week <= $until::DATE
    UNION ALL
    SELECT * FROM redecided r
    WHERE EXISTS (SELECT 1 FROM late l WHERE l.series = r.series AND l.indicator = r.indicator
                  AND l.dim = r.dim AND l.unit = r.unit AND l.week = r.week)
)"""


#: The columns of a weekly value that the sums, histories and sparklines read (no text).
_LEAN = "series, is_sample, indicator, dim, unit, week, value, qualifier, n_obs, line"


def _stated(
    *,
    until: dt.date | None = None,
    dimensions: Sequence[str] | None = None,
    by_dimension: bool = False,
    columns: str | None = None,
) -> str:
    """The CTEs that end in ``stated`` (one value per line and week): read from
    ``weekly_stated``, unless the scope is one it does not keep (deals summed over some
    counterparties only).

    ``columns`` keeps only those in ``stated``. A query that reads ``stated`` twice has
    it materialised whole, and its text columns (evidence, sources) cost more than the
    rest: at 52,000 reports a scan of the weekly values takes 30 ms with them and 2.5 ms
    without.
    """
    # With ``columns``, the full CTE is read once (by the narrow one), so DuckDB
    # inlines it and reads only the columns asked for.
    name = "stated" if columns is None else "stated_all"
    if dimensions is not None and not by_dimension:
        ctes = _direct(name)
    elif until is not None:
        ctes = _late(name)
    else:
        ctes = f"{_DECIDED},\n{name} AS (SELECT * FROM decided)"
    if columns is None:
        return ctes
    return f"{ctes},\nstated AS (SELECT {columns} FROM stated_all)"


# Every week of every line from its first to its last statement, with the transforms.
_FILLED = f"""
lines AS (
    SELECT series, indicator, dim, unit, bool_or(is_sample) AS is_sample,
           min(week) AS first_week, max(week) AS last_week
    FROM stated GROUP BY series, indicator, dim, unit
),
grid AS (
    SELECT series, indicator, dim, unit, is_sample, last_week,
           unnest(generate_series(first_week, last_week, INTERVAL 7 DAY))::DATE AS week
    FROM lines
),
reported AS (SELECT DISTINCT series, {_REPORT_WEEK} AS week FROM scope),
filled AS (
    SELECT g.series, g.is_sample, g.indicator, g.dim, g.unit, g.week, g.last_week,
           st.value, st.qualifier, st.n_obs, st.report_published, st.source, st.evidence,
           st.counterparties, st.as_of, st.origin, st.original_value, st.changed_by,
           st.changed_at, r.week IS NOT NULL AS reported
    FROM grid g
    LEFT JOIN stated st USING (series, indicator, dim, unit, week)
    LEFT JOIN reported r USING (series, week)
),
transformed AS (
    SELECT *,
        lag(value) OVER w AS prev_value,
        lag(qualifier) OVER w AS prev_qualifier,
        avg(value) OVER w4 AS mean4,
        count(value) OVER w4 AS n4,
        count_if(qualifier = 'approx') OVER w4 AS approx4,
        count_if(qualifier = 'at_least') OVER w4 AS at_least4
    FROM filled
    WINDOW w AS (PARTITION BY series, indicator, dim, unit ORDER BY week),
           w4 AS (PARTITION BY series, indicator, dim, unit ORDER BY week
                  ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
)"""

# The transformed value and its qualifier. A difference of qualified numbers is only
# "about"; a mean of lower bounds is still a lower bound.
_Y = """
    CASE $transform
        WHEN 'level' THEN value
        WHEN 'diff' THEN value - prev_value
        WHEN 'pct' THEN CASE WHEN prev_value <> 0
                             THEN 100 * (value - prev_value) / abs(prev_value) END
        WHEN 'rolling4' THEN CASE WHEN value IS NOT NULL THEN mean4 END
    END"""
_Y_QUALIFIER = """
    CASE WHEN value IS NULL THEN NULL
         WHEN $transform = 'level' THEN qualifier
         WHEN $transform = 'rolling4' THEN
              CASE WHEN approx4 > 0 THEN 'approx' WHEN at_least4 > 0 THEN 'at_least'
                   ELSE 'exact' END
         WHEN prev_value IS NULL THEN NULL
         WHEN qualifier = 'exact' AND prev_qualifier = 'exact' THEN 'exact'
         ELSE 'approx' END"""

_WEEKLY_COLUMNS = f"""
    week, strftime(week, '%Y-%m-%d') AS week_iso, series, is_sample, indicator,
    nullif(dim, '') AS dimension, unit, $transform AS transform,
    {_Y} AS value, {_Y_QUALIFIER} AS qualifier,
    value AS level, qualifier AS level_qualifier, reported, n_obs,
    report_published, as_of, source, evidence, counterparties,
    origin, original_value, changed_by, changed_at"""


def _kinds() -> dict[str, str]:
    return {ind.id: ind.kind for ind in default_definitions().indicators}


def summed_indicators() -> list[str]:
    """Indicators whose weekly value is a sum of the week's statements (kind ``event``)."""
    return [ind for ind, kind in _kinds().items() if kind == "event"]


def indicator_ids() -> list[str]:
    """The defined indicators, in the order of ``definitions.toml``."""
    return list(_kinds())


def _scope(
    series: Sequence[str] | None, include_sample: bool, until: dt.date | None = None
) -> Scope:
    return {
        "series": None if series is None else list(series),
        "include_sample": include_sample,
        "until": _monday(until),
    }


def _monday(day: dt.date | None) -> dt.date | None:
    """The Monday of a day's week.

    >>> _monday(dt.date(2024, 6, 23)), _monday(None)
    (datetime.date(2024, 6, 17), None)
    """
    if day is None:
        return None
    day = pd.Timestamp(day).date()
    return day - dt.timedelta(days=day.weekday())


def _decided_until(db: store.Location, week: dt.date | None) -> dt.date | None:
    """The ``until`` for :func:`_stated` of a question as of ``week``: its Monday, or
    ``None`` when no stored weekly value weighed a report of a later week (asked of the
    latest week, as the Overview and the brief do), so that the decided values are read
    as they are and nothing is decided again (at 52,000 reports that would scan every
    observation, 80-140 ms, to find there is nothing to do)."""
    until = _monday(week)
    if until is None:
        return None
    # Asked once per state of the store (the digest asks it of three queries).
    key = (str(db), store.signature(db), until)
    later = _LATER.get(key)
    if later is None:
        found = store.query(
            db,
            f"SELECT EXISTS (SELECT 1 FROM {aggregates.TABLE} WHERE last_report_week > $until)"
            " AS later",
            {"until": until},
        )
        later = bool(found["later"].iloc[0])
        if len(_LATER) >= 256:
            _LATER.clear()
        _LATER[key] = later
    return until if later else None


#: (store, its signature, week) -> whether a decided value weighed a later report.
_LATER: dict[tuple[str, tuple[int, ...], dt.date], bool] = {}


def _obs_params(
    indicators: Sequence[str] | None,
    units: Sequence[str] | None,
    dimensions: Sequence[str] | None,
    by_dimension: bool,
) -> dict[str, Any]:
    return {
        "indicators": None if indicators is None else list(indicators),
        "units": None if units is None else list(units),
        "dimensions": None if dimensions is None else list(dimensions),
        "by_dimension": by_dimension,
        "summed": summed_indicators(),
    }


def _run(db: store.Location, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    # DuckDB refuses named parameters the statement does not use; pass only those used.
    used = set(re.findall(r"\$([a-z_]+)", sql))
    return store.query(db, sql, {k: v for k, v in params.items() if k in used})


# --- the store -----------------------------------------------------------------------


def signature(db: store.Location) -> tuple[int, ...]:
    """What changes when the store does: a file's (inode, mtime_ns, size) and its WAL's,
    or a DuckLake's latest snapshot.

    Cached results are keyed by it, so an ingest by any process shows up on the next
    rerun, and nothing is re-queried while the store stays the same.
    """
    return store.signature(db)


# --- scope ---------------------------------------------------------------------------


def series(db: store.Location) -> pd.DataFrame:
    """Every report series: real ones first (most reports first), then sample ones."""
    return store.query(
        db,
        """
        SELECT series, any_value(country) AS country, any_value(issuer) AS issuer,
               bool_and(is_sample) AS is_sample, count(*) AS n_reports,
               min(published) AS first_published, max(published) AS last_published
        FROM reports GROUP BY series
        ORDER BY is_sample, n_reports DESC, series
        """,
    )


def default_scope(all_series: pd.DataFrame) -> tuple[list[str], bool]:
    """The sidebar's defaults: (series selected, include sample data).

    Sample data is included while it outnumbers the real reports (the bundled set: one
    real report beside a year of sample weeks); once real reports are the bulk, it is
    left out. The series are those of the first country (real series first, then by
    number of reports; see :func:`series`): all of them when there is one country, the
    first one's otherwise.

    >>> rows = pd.DataFrame({"series": ["BY｜embassy", "BY｜sample", "MD｜sample"],
    ...                      "country": ["BY", "BY", "MD"], "is_sample": [False, True, True],
    ...                      "n_reports": [1, 76, 76]})
    >>> default_scope(rows)
    (['BY｜embassy', 'BY｜sample'], True)
    >>> default_scope(rows.assign(n_reports=[500, 76, 76]))
    (['BY｜embassy'], False)
    """
    if all_series.empty:
        return [], False
    sample = all_series["is_sample"].astype(bool)
    include_sample = bool(
        all_series["n_reports"][sample].sum() > all_series["n_reports"][~sample].sum()
    )
    shown = all_series if include_sample else all_series[~sample]
    first_country = shown["country"].iloc[0]
    return list(shown[shown["country"] == first_country]["series"]), include_sample


def summary(
    db: store.Location, *, series: Sequence[str] | None, include_sample: bool
) -> pd.DataFrame:
    """One row: reports (and sample reports), events, observations, first/last report,
    first/last event date."""
    sql = f"""
        WITH {_SCOPE}
        SELECT count(*) AS n_reports, count_if(is_sample)::BIGINT AS n_sample_reports,
               min(published) AS first_published, max(published) AS last_published,
               arg_max(series, published) AS last_series,
               (SELECT count(*) FROM events JOIN scope USING (report_id)) AS n_events,
               (SELECT min(first_date) FROM events JOIN scope USING (report_id)) AS first_event,
               (SELECT max(first_date) FROM events JOIN scope USING (report_id)) AS last_event,
               (SELECT count(*) FROM effective JOIN scope USING (report_id))
                   AS n_observations
        FROM scope
    """
    return _run(db, sql, _scope(series, include_sample))


# --- indicators ----------------------------------------------------------------------


def catalog(
    db: store.Location, *, series: Sequence[str] | None, include_sample: bool
) -> pd.DataFrame:
    """What is stated: indicator x dimension x unit, with counts and first/last week."""
    # From the decided weekly values, each of which counts the statements it weighed
    # (n_stated), rather than from every observation and its report.
    sql = f"""
        SELECT indicator, nullif(dim, '') AS dimension, unit, sum(n_stated)::BIGINT AS n,
               min(week) AS first_week, max(week) AS last_week
        FROM {aggregates.TABLE}
        WHERE dim_ok AND CASE WHEN $include_sample THEN sample_ok ELSE real_ok END
          AND ($series IS NULL OR list_contains($series, series))
        GROUP BY indicator, dim, unit
        ORDER BY list_position($order, indicator), unit, n DESC, dim
    """
    params = {**_scope(series, include_sample), "order": indicator_ids()}
    return _run(db, sql, params)


def weekly(
    db: store.Location,
    indicator: str,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    units: Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    transform: str = "level",
    by_dimension: bool = True,
) -> pd.DataFrame:
    """One indicator's weekly series: a row per line and week, with provenance.

    ``dimensions`` are ISO codes (``''`` for "no country"); ``start``/``end`` bound the
    weeks shown (transforms still see the weeks before ``start``).
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}; choose one of {TRANSFORMS}")
    stated = _stated(dimensions=dimensions, by_dimension=by_dimension)
    sql = f"""
        WITH {_SCOPE}, {stated}, {_FILLED}
        SELECT {_WEEKLY_COLUMNS}
        FROM transformed
        WHERE ($start IS NULL OR week >= date_trunc('week', $start::DATE))
          AND ($end IS NULL OR week <= $end::DATE)
        ORDER BY is_sample, series, dim, unit, week
    """
    params = {
        **_scope(series, include_sample),
        **_obs_params([indicator], units, dimensions, by_dimension),
        "start": start,
        "end": end,
        "transform": transform,
    }
    return _run(db, sql, params)


_LAST_REPORT = f"""
        last_report AS (
            SELECT series, max({_REPORT_WEEK}) AS last_report_week,
                   max(published) AS last_published
            FROM scope GROUP BY series
        )"""
_TILE_COLUMNS = """cur.line, cur.series, cur.is_sample, cur.indicator,
               nullif(cur.dim, '') AS dimension, cur.unit, cur.week,
               strftime(cur.week, '%Y-%m-%d') AS week_iso,
               cur.as_of, cur.value, cur.qualifier, cur.n_obs, cur.report_published,
               cur.source, cur.evidence, cur.counterparties,
               cur.origin, cur.original_value, cur.changed_by, cur.changed_at"""
_TILE_ORDER = """ORDER BY cur.is_sample, cur.series, list_position($order, cur.indicator),
                 cur.dim, cur.unit DESC"""


def _latest_sql(until: dt.date | None, *, from_ends: bool = True) -> str:
    """The tiles' query: read from ``line_ends`` (the writer decided it), or as of a past
    week (``until``; or ``from_ends`` false, for the tests) decided from the weekly
    values."""
    if until is None and from_ends:
        return f"""
        WITH {_SCOPE},{_LAST_REPORT}
        SELECT {_TILE_COLUMNS},
               cur.prev_week, cur.prev_value, cur.prev_qualifier,
               cur.value - cur.prev_value AS change,
               cur.back4_week, cur.back4_value, cur.back4_qualifier,
               cur.back52_week, cur.back52_value, cur.back52_qualifier,
               lr.last_report_week, lr.last_published,
               (datediff('day', cur.week, lr.last_report_week) // 7)::INTEGER AS weeks_since
        FROM {aggregates.ENDS} cur
        JOIN last_report lr ON lr.series = cur.series
        WHERE CASE WHEN $include_sample THEN cur.sample_ok ELSE cur.real_ok END
          AND ($series IS NULL OR list_contains($series, cur.series))
        {_TILE_ORDER}
    """
    stated = _stated(until=until)
    return f"""
        WITH {_SCOPE}, {stated},
        ends AS (SELECT line, max(week) AS week FROM stated GROUP BY line),
        cur AS (SELECT st.* FROM stated st JOIN ends USING (line, week)),
        -- the statement before the latest, and the latest at least 4 and 52 weeks before
        -- it: a join and a grouping each (no window over every week of every line)
        back AS (
            SELECT e.line, b.weeks_back,
                   max(old.week) AS week,
                   arg_max(old.value, old.week) AS value,
                   arg_max(old.qualifier, old.week) AS qualifier
            FROM ends e
            CROSS JOIN (VALUES (0), (4), (52)) b(weeks_back)
            JOIN stated old ON old.line = e.line
                 AND old.week < e.week AND old.week <= e.week - to_days(7 * b.weeks_back)
            GROUP BY ALL
        ),{_LAST_REPORT}
        SELECT {_TILE_COLUMNS},
               prev.week AS prev_week, prev.value AS prev_value,
               prev.qualifier AS prev_qualifier, cur.value - prev.value AS change,
               b4.week AS back4_week, b4.value AS back4_value, b4.qualifier AS back4_qualifier,
               b52.week AS back52_week, b52.value AS back52_value,
               b52.qualifier AS back52_qualifier,
               lr.last_report_week, lr.last_published,
               (datediff('day', cur.week, lr.last_report_week) // 7)::INTEGER AS weeks_since
        FROM cur
        LEFT JOIN back prev ON prev.line = cur.line AND prev.weeks_back = 0
        LEFT JOIN back b4 ON b4.line = cur.line AND b4.weeks_back = 4
        LEFT JOIN back b52 ON b52.line = cur.line AND b52.weeks_back = 52
        JOIN last_report lr ON lr.series = cur.series
        {_TILE_ORDER}
    """


def latest(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    week: dt.date | None = None,
) -> pd.DataFrame:
    """One row per indicator series (tile): its latest weekly value and what to compare it
    with; the one place that decides which value is "the latest" (tiles, the weekly
    digest and the brief all read it).

    ``week`` reads the data as of that week (reports of later weeks left out); ``None``
    is now. Beside the latest value (``value``, ``qualifier``, ``week``) each row has the
    previous statement (``prev_*``) and the latest statement at least 4 and 52 weeks
    before it (``back4_*``, ``back52_*``), each with its qualifier, so that a change can
    respect them. ``weeks_since`` counts the weeks from the latest statement to the
    series' latest report: 0 when the latest report states it, 3 when it stopped
    appearing 3 weeks ago. Deals are one series per currency (the week's sum). ``line``
    numbers the line, as :func:`history` keys its weeks.
    """
    sql = _latest_sql(_decided_until(db, week))
    params = {
        **_scope(series, include_sample, week),
        **_obs_params(None, None, None, False),
        "order": indicator_ids(),
    }
    return _run(db, sql, params)


def history(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    week: dt.date | None = None,
    weeks: int = 53,
) -> pd.DataFrame:
    """Every line's stated weekly values (deals summed per currency) over the ``weeks``
    weeks up to its latest statement, as of ``week``: what the digest's change band and
    new highs and lows are computed from. A row is ``line`` (the number :func:`latest`
    gives each line), ``week``, ``value`` and ``qualifier``, in line and week order:
    numbers, so that the 22,000 rows of 100 series come back in milliseconds."""
    until = _decided_until(db, week)
    stated = _stated(until=until, columns=_LEAN)
    # Each line's last week: the writer's (line_ends), unless decided again as of a week.
    last = (
        f"SELECT line, week AS last_week FROM {aggregates.ENDS} "
        "WHERE CASE WHEN $include_sample THEN sample_ok ELSE real_ok END"
        if until is None
        else "SELECT line, max(week) AS last_week FROM stated GROUP BY line"
    )
    sql = f"""
        WITH {_SCOPE}, {stated},
        last AS ({last})
        SELECT st.line, st.week, st.value, st.qualifier
        FROM stated st JOIN last USING (line)
        WHERE st.week > last.last_week - to_days(7 * $weeks::INTEGER)
        ORDER BY st.line, st.week
    """
    params = {
        **_scope(series, include_sample, week),
        **_obs_params(None, None, None, False),
        "weeks": weeks,
    }
    return _run(db, sql, params)


def period_sums(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    week: dt.date,
) -> pd.DataFrame:
    """Flows and deals added up over the week, the month to date and the year to date
    (per series, indicator, country for flows, and unit or currency; never across
    currencies). A week counts in the month and year its Monday falls in.

    A sum is "at least" if any part is, else "about" if any part is; ``n_weeks`` and
    ``n_obs`` say how many weeks and statements went into it.
    """
    stated = _stated(until=_decided_until(db, week), columns=_LEAN)
    sql = f"""
        WITH {_SCOPE}, {stated},
        periods AS (
            SELECT * FROM (VALUES
                ('week', $week::DATE),
                ('month', date_trunc('month', $week::DATE)::DATE),
                ('year', date_trunc('year', $week::DATE)::DATE)
            ) p(period, first_week)
        ),
        flows AS (
            SELECT series, is_sample, indicator, dim, unit, week, value, qualifier, n_obs
            FROM stated WHERE list_contains($flows, indicator)
                AND week >= date_trunc('year', $week::DATE) AND week <= $week::DATE
        )
        SELECT f.series, bool_or(f.is_sample) AS is_sample, f.indicator,
               nullif(f.dim, '') AS dimension, f.unit, p.period,
               sum(f.value) AS value,
               CASE WHEN bool_or(f.qualifier = 'at_least') THEN 'at_least'
                    WHEN bool_or(f.qualifier = 'approx') THEN 'approx'
                    ELSE 'exact' END AS qualifier,
               count(*) AS n_weeks, sum(f.n_obs)::BIGINT AS n_obs
        FROM flows f JOIN periods p ON f.week >= p.first_week AND f.week <= $week::DATE
        GROUP BY f.series, f.indicator, f.dim, f.unit, p.period
        ORDER BY bool_or(f.is_sample), f.series, list_position($order, f.indicator), f.dim,
                 f.unit DESC, list_position(['week', 'month', 'year'], p.period)
    """
    params = {
        **_scope(series, include_sample, week),
        **_obs_params(None, None, None, False),
        "week": _monday(week),
        "flows": [ind for ind, kind in _kinds().items() if kind in ("flow", "event")],
        "order": indicator_ids(),
    }
    return _run(db, sql, params)


def week_events(
    db: store.Location, *, series: Sequence[str] | None, include_sample: bool, week: dt.date
) -> pd.DataFrame:
    """The events of the reports that cover ``week`` (the week's news), in report order,
    with their sources: the digest's and the brief's "events of the week"."""
    sql = f"""
        WITH {_SCOPE}
        SELECT e.section, e.headline, e.body, array_to_string(e.sources, '、') AS sources,
               e.first_date AS date, s.series, s.is_sample, s.report_id, e.event_seq,
               s.published AS report_published, s.title AS report_title, s.issuer
        FROM events e JOIN scope s USING (report_id)
        WHERE {
        _REPORT_WEEK.replace("period_start", "s.period_start").replace("published", "s.published")
    } = $week::DATE
        ORDER BY s.is_sample, s.series, s.published DESC, s.report_id, e.event_seq
    """
    params = {**_scope(series, include_sample, week), "week": _monday(week)}
    return _run(db, sql, params)


def sparklines(
    db: store.Location, *, series: Sequence[str] | None, include_sample: bool, weeks: int = 12
) -> pd.DataFrame:
    """The last ``weeks`` weeks of every tile's line (level; gaps as missing values)."""
    # Only the last weeks are laid out (no transform needs the weeks before them); the
    # lines and their first and last weeks are the writer's (line_ends).
    sql = f"""
        WITH {_SCOPE}, {_stated(columns=_LEAN)},
        grid AS (
            SELECT line, series, indicator, dim, unit, any_sample AS is_sample,
                   unnest(generate_series(
                       greatest(first_week, week - to_days(7 * ($weeks::INTEGER - 1))),
                       week, INTERVAL 7 DAY))::DATE AS week
            FROM {aggregates.ENDS}
            WHERE CASE WHEN $include_sample THEN sample_ok ELSE real_ok END
              AND ($series IS NULL OR list_contains($series, series))
              AND series IN (SELECT series FROM scope)
        ),
        reported AS (
            SELECT DISTINCT series, week FROM (SELECT series, {_REPORT_WEEK} AS week FROM scope)
            WHERE week >= (SELECT min(week) FROM grid)
        )
        SELECT g.week, g.series, g.is_sample, g.indicator, nullif(g.dim, '') AS dimension,
               g.unit, st.value, st.qualifier, r.week IS NOT NULL AS reported
        FROM grid g
        LEFT JOIN stated st ON st.line = g.line AND st.week = g.week
        LEFT JOIN reported r ON r.series = g.series AND r.week = g.week
        ORDER BY g.series, g.indicator, g.dim, g.unit, g.week
    """
    params = {
        **_scope(series, include_sample),
        **_obs_params(None, None, None, False),
        "weeks": weeks,
    }
    return _run(db, sql, params)


def evidence(
    db: store.Location,
    indicator: str,
    week: dt.date,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    dimension: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """Every statement behind one point: sentence, source, report and item.

    ``dimension`` ``None`` means any (a week's deals of all counterparties); ``''``
    means "no country".
    """
    sql = f"""
        WITH {_SCOPE}
        SELECT s.published AS report_published, s.title AS report_title, s.issuer,
               s.series, s.is_sample, s.report_id, s.file_name AS report_file,
               e.section, e.headline, o.indicator, o.dimension, o.value, o.unit,
               o.qualifier, o.as_of, o.period_start, o.period_end, o.source, o.evidence,
               o.origin, o.original_value, o.changed_by, o.changed_at
        FROM effective o JOIN scope s USING (report_id)
        JOIN events e ON e.report_id = o.report_id AND e.event_seq = o.event_seq
        WHERE o.indicator = $indicator AND {_OBS_WEEK} = date_trunc('week', $week::DATE)
          AND ($dimension IS NULL OR coalesce(o.dimension, '') = $dimension)
          AND ($unit IS NULL OR o.unit = $unit)
        ORDER BY s.published DESC, o.as_of DESC, o.obs_seq
    """
    params = {
        **_scope(series, include_sample),
        "indicator": indicator,
        "week": week,
        "dimension": dimension,
        "unit": unit,
    }
    return _run(db, sql, params)


# --- events --------------------------------------------------------------------------


def normalise_search(text: str | None) -> str | None:
    """Search text as stored text is cleaned (NFKC, full-width brackets, no spaces near
    Japanese), lower-cased, without separators inside numbers; ``None`` for an empty
    search.

    >>> normalise_search(" 政治犯の数は １，４５０人 ")
    '政治犯の数は1450人'
    >>> normalise_search("CSTO (Minsk)"), normalise_search("  ")
    ('csto（minsk）', None)
    """
    if not text or not text.strip():
        return None
    return search.strip_separators(normalize(text).lower())


_EVENTS_WHERE = """
    WHERE ($start IS NULL OR e.first_date >= $start::DATE)
      AND ($end IS NULL OR e.first_date <= $end::DATE)
      AND ($sections IS NULL OR list_contains($sections, e.section))"""


def _text_search(text: str | None) -> tuple[str, str]:
    """For a normalised search: the CTE to add after the scope, and the condition on
    the events ``e`` (through the index; see :mod:`indicators.store.search`)."""
    if text is None:
        return "", ""
    return (
        f",{search.matched_cte(text)}",
        "\n      AND e.event_id IN (SELECT event_id FROM matched)",
    )


def _event_params(
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None,
    end: dt.date | None,
    sections: Sequence[str] | None,
    text: str | None,
) -> dict[str, Any]:
    normalised = normalise_search(text)
    return {
        **_scope(series, include_sample),
        "start": start,
        "end": end,
        "sections": None if sections is None else list(sections),
        "text": normalised,
    }


#: A page of at most this many events is fetched in two steps (see :func:`events`).
_POINT_LOOKUPS = 200
_EVENT_COLUMNS = """e.first_date AS date, e.section, e.headline, e.body,
               array_to_string(e.sources, '、') AS sources,
               array_to_string(e.dates, ' ') AS dates,
               s.published AS report_published, s.series, s.is_sample,
               s.report_id, e.event_seq, s.file_name AS report_file"""


def events(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    text: str | None = None,
    limit: int | None = PAGE_SIZE,
    offset: int = 0,
) -> pd.DataFrame:
    """The event log, newest first, one page (``limit`` ``None``: every matching row).

    ``text`` is a case-insensitive substring of the headline, body or sources (in any
    width, numbers with or without separators; see :mod:`indicators.store.search`).
    """
    params = {
        **_event_params(series, include_sample, start, end, sections, text),
        "limit": limit,
        "offset": offset,
    }
    if params["text"] is not None and limit is not None and limit <= _POINT_LOOKUPS:
        filters = event_search.Filters.of(series, include_sample, start, end, sections)
        found = event_search.page(db, params["text"], filters, limit=limit, offset=offset)
        return _events_by_id(db, found.event_ids, found.report_ids, found.signature)
    cte, condition = _text_search(params["text"])
    matching = f"""FROM events e JOIN scope s USING (report_id)
        {_EVENTS_WHERE}{condition}
        ORDER BY e.first_date DESC, s.published DESC, s.report_id, e.event_seq
        LIMIT $limit OFFSET $offset"""
    if limit is None or limit > _POINT_LOOKUPS:
        return _run(db, f"WITH {_SCOPE}{cte}\nSELECT {_EVENT_COLUMNS}\n{matching}", params)
    # A page: the ids of its events from the narrow columns first, then their text.
    # Sorting the matches with their text in one query read the headline and body of
    # nearly every event (0.7 s at a million events); here only the page's rows are
    # read, by their ids (see _events_by_id). Between
    # the two queries another process may replace a report: the page then lacks its
    # rows until the next rerun, which sees the new store.
    found = _run(db, f"WITH {_SCOPE}{cte}\nSELECT e.event_id, e.report_id {matching}", params)
    return _events_by_id(db, found["event_id"].tolist(), found["report_id"].tolist())


def _id_list(ids: Sequence[int]) -> str:
    """Integer ids as the items of an SQL list."""
    return ", ".join(str(int(i)) for i in ids)


def _events_by_id(
    db: store.Location,
    ids: list[int],
    report_ids: list[int],
    signature: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """The rows of a page of events, by their ids and their reports' (integers, written
    into the SQL); ``signature``: the state of the store the ids were chosen at.

    A file looks both up in its indexes (``events.event_id``, the reports' primary
    key): 8 ms for 50 events spread over 1.4 million; so does a lake's local copy
    (:mod:`indicators.store.mirror`) when it holds that state. Without them DuckDB
    decodes each id's block of every text column; on a lake, the range of the ids
    narrows the files read first (and none at all for no ids).
    """
    order = "ORDER BY e.first_date DESC, s.published DESC, s.report_id, e.event_seq"
    by_index = bool(ids) and store.connection.backend(db).constraints
    with mirror.reading(db, signature if ids else None) as local:
        if local is not None:
            return local.execute(_by_index_sql(ids, report_ids, order)).df()
    if by_index:
        return _run(db, _by_index_sql(ids, report_ids, order), {})
    sql = f"""
        SELECT {_EVENT_COLUMNS}
        FROM events e JOIN reports s USING (report_id)
        WHERE e.event_id BETWEEN {min(ids, default=0)} AND {max(ids, default=-1)}
          AND list_contains({ids}, e.event_id)
        {order}
    """
    return _run(db, sql, {})


def _by_index_sql(ids: list[int], report_ids: list[int], order: str) -> str:
    """A page's rows looked up by the indexes of their ids (a file, or a lake's copy)."""
    return f"""
            WITH e AS MATERIALIZED (
                SELECT event_id, report_id, event_seq, first_date, section, headline, body,
                       sources, dates
                FROM events WHERE event_id IN ({_id_list(ids)})),
            s AS MATERIALIZED (
                SELECT report_id, published, series, is_sample, file_name
                FROM reports WHERE report_id IN ({_id_list(sorted(set(report_ids)))}))
            SELECT {_EVENT_COLUMNS} FROM e JOIN s USING (report_id)
            {order}
        """


def events_count(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    text: str | None = None,
) -> int:
    """How many events match (for paging)."""
    params = _event_params(series, include_sample, start, end, sections, text)
    if params["text"] is not None:
        filters = event_search.Filters.of(series, include_sample, start, end, sections)
        return event_search.count(db, params["text"], filters)
    sql = f"""
        WITH {_SCOPE}
        SELECT count(*) AS n FROM events e JOIN scope s USING (report_id)
        {_EVENTS_WHERE}
    """
    return int(_run(db, sql, params)["n"].iloc[0])


def events_weekly(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """Matching events per week (and sample or not): the Events page's brushable chart."""
    params = _event_params(series, include_sample, start, end, sections, text)
    if params["text"] is not None:
        filters = event_search.Filters.of(series, include_sample, start, end, sections)
        return event_search.weekly(db, params["text"], filters)
    sql = f"""
        WITH {_SCOPE}
        SELECT date_trunc('week', e.first_date)::DATE AS week, s.is_sample, count(*) AS n
        FROM events e JOIN scope s USING (report_id)
        {_EVENTS_WHERE}
        GROUP BY ALL ORDER BY week, s.is_sample
    """
    return _run(db, sql, params)


def sections(
    db: store.Location, *, series: Sequence[str] | None, include_sample: bool
) -> pd.DataFrame:
    """Sections with their number of events, most used first."""
    sql = f"""
        WITH {_SCOPE}
        SELECT e.section, count(*) AS n FROM events e JOIN scope s USING (report_id)
        GROUP BY e.section ORDER BY n DESC, e.section
    """
    return _run(db, sql, _scope(series, include_sample))


def highlights(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
    text: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Candidates for chart annotations, newest first: the week's highlights
    (``highlight_sections``), or with ``text`` any event that matches it."""
    sections = None if text else sorted(default_definitions().highlight_sections)
    return events(
        db,
        series=series,
        include_sample=include_sample,
        start=start,
        end=end,
        sections=sections,
        text=text,
        limit=limit,
    )


def relevant_events(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] = (),
    words: Sequence[str] = (),
    limit: int = 400,
) -> pd.DataFrame:
    """Events in the range that are in one of ``sections`` or mention one of ``words``
    (candidates for an indicator's chart annotations; the highlight section is left out,
    its items are in the body with their own sections), newest first."""
    pattern = "|".join(re.escape(normalize(w).lower()) for w in words if w.strip())
    sql = f"""
        WITH {_SCOPE}
        SELECT e.first_date AS date, e.section, e.headline, e.body,
               array_to_string(e.sources, '、') AS sources,
               s.published AS report_published, s.series, s.is_sample,
               s.report_id, e.event_seq
        FROM events e JOIN scope s USING (report_id)
        WHERE ($start IS NULL OR e.first_date >= $start::DATE)
          AND ($end IS NULL OR e.first_date <= $end::DATE)
          AND NOT list_contains($highlights, e.section)
          AND (list_contains($sections, e.section)
               OR ($pattern <> '' AND regexp_matches(e.search_text, $pattern)))
        ORDER BY e.first_date DESC, s.report_id, e.event_seq
        LIMIT $limit
    """
    params = {
        **_scope(series, include_sample),
        "start": start,
        "end": end,
        "sections": list(sections),
        "pattern": pattern,
        "highlights": sorted(default_definitions().highlight_sections),
        "limit": limit,
    }
    return _run(db, sql, params)


# --- reports -------------------------------------------------------------------------


def published_week(
    db: store.Location, day: dt.date, *, series: Sequence[str] | None, include_sample: bool
) -> dt.date | None:
    """The week (its Monday) of the report in scope published on ``day``, when no report
    in scope covers the week ``day`` falls in: a date a user knows a report by (its
    publication, a few days after the week it covers) names that report's week."""
    sql = f"""
        WITH {_SCOPE}
        SELECT min({_REPORT_WEEK}) FILTER (WHERE published = $day) AS week,
               coalesce(bool_or({_REPORT_WEEK} = date_trunc('week', $day::DATE)), false)
                   AS covered
        FROM scope
    """
    found = _run(db, sql, {**_scope(series, include_sample), "day": day}).iloc[0]
    if found["covered"] or pd.isna(found["week"]):
        return None
    return pd.Timestamp(found["week"]).date()


def coverage(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    by_series: bool = True,
) -> pd.DataFrame:
    """Every week from the first report to the last, per series (or all series together,
    real and sample apart): how many reports, events and observations it has (0 for a
    week without a report)."""
    sql = f"""
        WITH {_SCOPE},
        weekly AS (
            SELECT {_REPORT_WEEK} AS week,
                   CASE WHEN $by_series THEN series ELSE '' END AS series,
                   bool_or(is_sample) AS is_sample, count(*) AS n_reports,
                   sum(n_events)::BIGINT AS n_events, sum(n_observations)::BIGINT AS n_observations
            FROM scope
            GROUP BY ALL
        ),
        lines AS (SELECT DISTINCT series, is_sample FROM weekly),
        span AS (SELECT min(week) AS first_week, max(week) AS last_week FROM weekly),
        grid AS (
            SELECT l.series, l.is_sample,
                   unnest(generate_series(first_week, last_week, INTERVAL 7 DAY))::DATE AS week
            FROM lines l, span
        )
        SELECT g.week, nullif(g.series, '') AS series, g.is_sample,
               coalesce(w.n_reports, 0) AS n_reports, coalesce(w.n_events, 0) AS n_events,
               coalesce(w.n_observations, 0) AS n_observations
        FROM grid g LEFT JOIN weekly w USING (series, is_sample, week)
        ORDER BY g.is_sample, g.series, g.week
    """
    return _run(db, sql, {**_scope(series, include_sample), "by_series": by_series})


def reports(
    db: store.Location,
    *,
    series: Sequence[str] | None,
    include_sample: bool,
    limit: int | None = PAGE_SIZE,
    offset: int = 0,
    report_id: int | None = None,
) -> pd.DataFrame:
    """Reports, newest first, with what each contributed (events, observations and the
    indicators stated)."""
    sql = f"""
        WITH {_SCOPE},
        stated AS (
            SELECT report_id, string_agg(DISTINCT indicator, ', ' ORDER BY indicator)
                       AS indicators
            FROM effective WHERE report_id IN (SELECT report_id FROM scope)
            GROUP BY report_id
        )
        SELECT r.published, r.period_start, r.period_end, r.title, r.issuer, r.series,
               r.is_sample, r.n_events, r.n_observations, st.indicators, r.file_name,
               r.file_bytes, r.ingested_at, r.report_id
        FROM reports r JOIN scope USING (report_id) LEFT JOIN stated st USING (report_id)
        WHERE ($report_id IS NULL OR r.report_id = $report_id)
        ORDER BY r.published DESC, r.series
        LIMIT $limit OFFSET $offset
    """
    params = {
        **_scope(series, include_sample),
        "limit": limit,
        "offset": offset,
        "report_id": report_id,
    }
    return _run(db, sql, params)


def reports_count(db: store.Location, *, series: Sequence[str] | None, include_sample: bool) -> int:
    sql = f"WITH {_SCOPE} SELECT count(*) AS n FROM scope"
    return int(_run(db, sql, _scope(series, include_sample))["n"].iloc[0])


def report_observations(db: store.Location, report_id: int) -> pd.DataFrame:
    """The numbers one report contributed, in document order, with their items."""
    return store.query(
        db,
        f"""
        WITH {review.EFFECTIVE}
        SELECT o.indicator, o.dimension, o.value, o.unit, o.qualifier, o.as_of,
               o.period_start, o.period_end, o.source, o.evidence, e.section, e.headline,
               o.origin, o.original_value, o.changed_by, o.changed_at
        FROM effective o
        JOIN events e ON e.report_id = o.report_id AND e.event_seq = o.event_seq
        WHERE o.report_id = $report_id ORDER BY o.obs_seq
        """,
        {"report_id": report_id},
    )


def report_events(db: store.Location, report_id: int) -> pd.DataFrame:
    """One report's events in document order."""
    return store.query(
        db,
        """
        SELECT event_seq, section, headline, body, first_date AS date,
               array_to_string(sources, '、') AS sources
        FROM events WHERE report_id = $report_id ORDER BY event_seq
        """,
        {"report_id": report_id},
    )


def ingest_log(
    db: store.Location, *, limit: int | None = PAGE_SIZE, offset: int = 0
) -> pd.DataFrame:
    """The ingest log, newest first."""
    return store.query(
        db,
        """
        SELECT logged_at, file_name, action, coalesce(message, '') AS message,
               coalesce(logged_by, '') AS logged_by, report_id, file_sha256
        FROM ingest_log ORDER BY logged_at DESC, file_name
        LIMIT $limit OFFSET $offset
        """,
        {"limit": limit, "offset": offset},
    )


def ingest_log_count(db: store.Location) -> int:
    return int(store.query(db, "SELECT count(*) AS n FROM ingest_log")["n"].iloc[0])


# --- names of exports ----------------------------------------------------------------


def export_name(stem: str, start: Any = None, end: Any = None, suffix: str = "csv") -> str:
    """A download's file name: what it holds and the dates it covers.

    >>> export_name("political_prisoners", dt.date(2023, 1, 2), dt.date(2023, 12, 25))
    'political_prisoners_2023-01-02_2023-12-25.csv'
    >>> export_name("events", None, None, "csv")
    'events_all.csv'
    """
    stem = re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-") or "export"
    dates = [_iso(d) for d in (start, end) if d is not None and not pd.isna(d)]
    return f"{stem}_{'_'.join(dates) if dates else 'all'}.{suffix}"


def _iso(value: Any) -> str:
    return pd.Timestamp(value).date().isoformat()
