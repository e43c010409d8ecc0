"""Weekly values kept up to date at ingest: the ``weekly_stated`` table (schema 9), and
each line's latest value with its look-backs, ``line_ends`` (schema 10).

A line (series x indicator x dimension x unit) has one value a week, decided by the
rules of :mod:`indicators.queries` (the latest statement of a stock or flow, the sum of a
week's deals). Deciding it reads every observation in scope; on 100 series x 10 years
that is 200,000 observations per page query. So the writer decides it once, in the
transaction that stores the observations, for the weeks those observations touch, and
the page queries read the decided rows.

One table serves every scope a page asks for. A row says for which scopes it holds:
``sample_ok`` (reports marked as sample data included), ``real_ok`` (left out),
``dim_ok`` (deals per counterparty: ``by_dimension``) and ``line_ok`` (deals summed
across counterparties). A line whose reports are all real, of an indicator that is not
summed, has one row valid for all four; the rows differ only where the scopes do.
``last_report_week`` is the latest week of the reports whose statements were weighed,
so that a query "as of" an earlier week knows which rows it may read (the others it
decides again from the observations).

Rebuilding for a set of reports (:func:`refresh`) is what the writer does after it
adds or replaces reports, and what any other change of observation values (a review
correction) must do in the same transaction: pass the reports whose observations
changed, and the keys :func:`keys` gave before the change if the change may move an
observation to another week or series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa

from indicators.store import tables

#: The schema version that adds the table.
SINCE = 9
TABLE = "weekly_stated"

# The week (its Monday) an observation belongs to: the period it counts (flows), else the
# day it is as of, else the report's own period.
OBS_WEEK = (
    "date_trunc('week', coalesce(o.period_start, o.as_of, s.period_start, s.published))::DATE"
)
REPORT_WEEK = "date_trunc('week', coalesce(period_start, published))::DATE"


#: A line's number (series x indicator x dimension x unit hashed): what queries group and
#: join lines by, cheaper than four strings. MD5, not DuckDB's ``hash()``: rows stored by
#: one DuckDB version must number a line as the next version does.
LINE = (
    "(md5_number_upper(series || chr(31) || indicator || chr(31) || dim || chr(31) || unit)"
    " >> 1)::BIGINT"
)


def stated_ctes(extra: str = "", *, name: str = "stated", source: str = "obs") -> str:
    """The CTEs ``{name}_latest``, ``{name}_summed`` and ``{name}`` over the CTE
    ``source``: one value per line and week (see :mod:`indicators.queries` for the
    rules). ``extra`` are further partition columns (``"with_sample, by_dimension, "``:
    the refresh's scopes)."""
    return f"""
{name}_latest AS (
    SELECT {extra}series, is_sample, indicator, dim, unit, week, value, qualifier,
           1 AS n_obs, report_published, source, evidence,
           dimension AS counterparties, as_of,
           max(report_week) OVER part AS last_report_week,
           count(*) OVER part AS n_stated, {LINE} AS line,
           origin, original_value, changed_by, changed_at
    FROM {source} WHERE NOT summed
    WINDOW part AS (PARTITION BY {extra}series, indicator, dim, unit, week)
    QUALIFY row_number() OVER (
        PARTITION BY {extra}series, indicator, dim, unit, week
        ORDER BY coalesce(as_of, period_end) DESC, report_published DESC, obs_seq DESC) = 1
),
{name}_summed AS (
    SELECT {extra}series, bool_or(is_sample) AS is_sample, indicator, dim, unit, week,
           sum(value) AS value,
           CASE WHEN bool_or(qualifier = 'at_least') THEN 'at_least'
                WHEN bool_or(qualifier = 'approx') THEN 'approx'
                ELSE 'exact' END AS qualifier,
           count(*) AS n_obs, max(report_published) AS report_published,
           string_agg(DISTINCT source, '、') AS source,
           string_agg(evidence, ' / ' ORDER BY as_of, obs_seq) AS evidence,
           string_agg(DISTINCT dimension, ', ' ORDER BY dimension) AS counterparties,
           max(as_of) AS as_of, max(report_week) AS last_report_week, count(*) AS n_stated,
           {LINE} AS line,
           -- A week's sum is corrected or assigned if one of its deals is; its original
           -- value is the sum as extracted (an assigned deal added nothing to it).
           CASE WHEN bool_or(origin = 'corrected') THEN 'corrected'
                WHEN bool_or(origin = 'assigned') THEN 'assigned'
                ELSE 'extracted' END AS origin,
           CASE WHEN bool_or(origin <> 'extracted')
                THEN sum(coalesce(original_value, CASE WHEN origin = 'extracted'
                                                       THEN value ELSE 0 END)) END
               AS original_value,
           string_agg(DISTINCT changed_by, ', ') AS changed_by,
           max(changed_at) AS changed_at
    FROM {source} WHERE summed
    GROUP BY {extra}series, indicator, dim, unit, week
),
{name} AS (SELECT * FROM {name}_latest UNION ALL SELECT * FROM {name}_summed)"""


#: The columns of a decided weekly value, in the order ``stated`` has them.
VALUE_COLUMNS = ", ".join(column.name for column in tables.WEEKLY_VALUE)

# Every scope at once: each observation once per scope that sees it (a sample report's
# only where sample data is included), with the dimension kept or dropped for deals.
_DECIDE = f"""
WITH {{effective}},
variants AS (
    SELECT * FROM (VALUES (true, true), (true, false), (false, true), (false, false))
        v(with_sample, by_dimension)
),
obs AS (
    SELECT v.with_sample, v.by_dimension, s.series, s.is_sample,
           s.published AS report_published,
           o.indicator, o.dimension, o.unit, o.value, o.qualifier, o.as_of,
           o.period_end, o.source, o.evidence, o.obs_seq,
           o.origin, o.original_value, o.changed_by, o.changed_at,
           {OBS_WEEK} AS week,
           date_trunc('week', coalesce(s.period_start, s.published))::DATE AS report_week,
           list_contains($summed, o.indicator) AS summed,
           CASE WHEN v.by_dimension OR NOT list_contains($summed, o.indicator)
                THEN coalesce(o.dimension, '') ELSE '' END AS dim
    FROM effective o JOIN reports s USING (report_id)
    JOIN variants v ON v.with_sample OR NOT s.is_sample
    WHERE {{where}}
),
{stated_ctes("with_sample, by_dimension, ")}
SELECT {VALUE_COLUMNS},
       bool_or(with_sample) AS sample_ok, bool_or(NOT with_sample) AS real_ok,
       bool_or(by_dimension) AS dim_ok, bool_or(NOT by_dimension) AS line_ok
FROM stated
GROUP BY ALL
"""

# The weeks (series x week of the observation) whose decided values to rebuild.
_KEYS = f"""
WITH {{effective}}
SELECT DISTINCT s.series, {OBS_WEEK} AS week
FROM effective o JOIN reports s USING (report_id)
WHERE o.report_id IN (SELECT report_id FROM refresh_ids)
"""


#: The schema version that adds ``line_ends``: each line's latest weekly value beside the
#: statement before it and the latest at least 4 and 52 weeks before it, as the tiles
#: show them (deals summed per currency). Deciding those at 52,000 reports joins every
#: weekly value to its line's latest (600,000 rows) and reads every text column: 100-150
#: ms a page; reading this table, a millisecond or two.
ENDS_SINCE = 10
ENDS = "line_ends"
#: The look-backs and the line's first week and whether any of its weeks is from
#: sample data, in the order ``line_ends`` has them after :data:`VALUE_COLUMNS`.
BACK_COLUMNS = ", ".join(column.name for column in tables.LINE_END_BACK)


def _back(name: str, condition: str) -> str:
    return (
        f"max(n.week) FILTER (WHERE {condition}) AS {name}_week, "
        f"arg_max(n.value, n.week) FILTER (WHERE {condition}) AS {name}_value, "
        f"arg_max(n.qualifier, n.week) FILTER (WHERE {condition}) AS {name}_qualifier"
    )


# Each line's end in both sample scopes (the weekly values valid in each), merged where
# they agree, as weekly_stated merges its rows.
_ENDS = f"""
WITH n AS (
    SELECT v.with_sample, w.* FROM {TABLE} w
    JOIN (VALUES (true), (false)) v(with_sample)
      ON CASE WHEN v.with_sample THEN w.sample_ok ELSE w.real_ok END
    WHERE w.line_ok AND {{where}}
),
ends AS (SELECT with_sample, line, max(week) AS last FROM n GROUP BY with_sample, line),
back AS (
    SELECT e.with_sample, e.line,
           {_back("prev", "n.week < e.last")},
           {_back("back4", "n.week <= e.last - INTERVAL 28 DAY")},
           {_back("back52", "n.week <= e.last - INTERVAL 364 DAY")},
           min(n.week) AS first_week, bool_or(n.is_sample) AS any_sample
    FROM ends e JOIN n USING (with_sample, line)
    GROUP BY e.with_sample, e.line
)
SELECT {", ".join("n." + c for c in VALUE_COLUMNS.split(", "))}, {BACK_COLUMNS},
       bool_or(n.with_sample) AS sample_ok, bool_or(NOT n.with_sample) AS real_ok
FROM n JOIN ends e ON e.with_sample = n.with_sample AND e.line = n.line AND e.last = n.week
JOIN back b ON b.with_sample = n.with_sample AND b.line = n.line
GROUP BY ALL
"""


def _refresh_ends(con: duckdb.DuckDBPyConnection, series: Sequence[str] | None) -> None:
    """Decide the ends of the lines of ``series`` again (``None``: every line), from
    ``weekly_stated`` as the caller's transaction has it now."""
    insert = f"INSERT INTO {ENDS} ({VALUE_COLUMNS}, {BACK_COLUMNS}, sample_ok, real_ok) "
    if series is None:
        con.execute(f"DELETE FROM {ENDS}")
        con.execute(insert + _ENDS.format(where="true"))
        return
    chosen = {"series": sorted(set(series))}
    con.execute(f"DELETE FROM {ENDS} WHERE list_contains($series, series)", chosen)
    con.execute(insert + _ENDS.format(where="list_contains($series, w.series)"), chosen)


def _effective() -> str:
    """The review's effective observations (the extracted values with the review log
    applied: what every page shows), as the CTEs to open a ``WITH`` with."""
    from indicators import review  # here: review imports the store

    return review.EFFECTIVE


def _summed() -> list[str]:
    # Here rather than at import: the store is imported by the extraction's callers.
    from indicators.extract import default_definitions

    return [ind.id for ind in default_definitions().indicators if ind.kind == "event"]


def keys(con: duckdb.DuckDBPyConnection, report_ids: Iterable[int]) -> list[tuple[str, object]]:
    """The (series, week) pairs the reports' observations are counted in, now: what a
    change of those reports must rebuild even if it moves their observations away."""
    ids = sorted(set(report_ids))
    if not ids:
        return []
    con.register("refresh_ids", pa.table({"report_id": pa.array(ids, pa.int32())}))
    try:
        sql = _KEYS.format(effective=_effective())
        return [(series, week) for series, week in con.execute(sql).fetchall()]
    finally:
        con.unregister("refresh_ids")


def refresh(
    con: duckdb.DuckDBPyConnection,
    report_ids: Iterable[int],
    *,
    stale: Sequence[tuple[str, object]] = (),
) -> int:
    """Decide again, inside the caller's transaction, every weekly value that the
    reports' observations (and the ``stale`` keys from :func:`keys`) count in; returns
    how many (series, week) pairs were rebuilt."""
    found = {*keys(con, report_ids), *stale}
    if not found:
        return 0
    pairs = sorted(found, key=lambda pair: (pair[0], str(pair[1])))
    con.register(
        "refresh_keys",
        pa.table(
            {
                "series": pa.array([series for series, _ in pairs], pa.string()),
                "week": pa.array([week for _, week in pairs], pa.date32()),
            }
        ),
    )
    try:
        con.execute(
            f"DELETE FROM {TABLE} WHERE EXISTS (SELECT 1 FROM refresh_keys k "
            f"WHERE k.series = {TABLE}.series AND k.week = {TABLE}.week)"
        )
        where = (
            "s.series IN (SELECT series FROM refresh_keys) AND EXISTS (SELECT 1 FROM "
            f"refresh_keys k WHERE k.series = s.series AND k.week = {OBS_WEEK})"
        )
        con.execute(
            f"INSERT INTO {TABLE} ({VALUE_COLUMNS}, sample_ok, real_ok, dim_ok, line_ok) "
            + _DECIDE.format(where=where, effective=_effective()),
            {"summed": _summed()},
        )
    finally:
        con.unregister("refresh_keys")
    _refresh_ends(con, [series for series, _ in pairs])
    return len(pairs)


def rebuild(con: duckdb.DuckDBPyConnection, *, ends: bool = True) -> None:
    """Decide every weekly value again, and the lines' ends unless ``ends`` is false
    (the migration that adds ``weekly_stated``, before ``line_ends`` exists), inside the
    caller's transaction."""
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(
        f"INSERT INTO {TABLE} ({VALUE_COLUMNS}, sample_ok, real_ok, dim_ok, line_ok) "
        + _DECIDE.format(where="true", effective=_effective()),
        {"summed": _summed()},
    )
    if ends:
        rebuild_ends(con)


def rebuild_ends(con: duckdb.DuckDBPyConnection) -> None:
    """Decide every line's end again from ``weekly_stated`` (the migration that adds
    ``line_ends``), inside the caller's transaction."""
    _refresh_ends(con, None)
