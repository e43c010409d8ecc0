"""Rows with their provenance, as DataFrames and as CSV that Excel opens cleanly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from indicators import review, store

KINDS = ("observations", "events", "reports", "corrections")
_WITH = f"WITH {review.EFFECTIVE}"

_SQL = {
    "observations": f"""
        {_WITH}
        SELECT r.published AS report_published, r.title AS report_title, r.issuer,
               r.series, r.is_sample, e.section, e.headline,
               o.indicator, o.dimension, o.value, o.unit, o.qualifier,
               o.as_of, o.period_start, o.period_end, o.source, o.evidence,
               r.file_name AS report_file, o.origin, o.original_value, o.changed_by,
               o.changed_at
        FROM effective o
        JOIN reports r USING (report_id)
        JOIN events e ON e.report_id = o.report_id AND e.event_seq = o.event_seq
        WHERE ($start IS NULL OR o.as_of >= $start)
          AND ($end IS NULL OR o.as_of <= $end)
          AND ($indicator IS NULL OR o.indicator = $indicator)
          AND ($series IS NULL OR list_contains($series, r.series))
        ORDER BY o.indicator, o.as_of, o.dimension, r.published
    """,
    "events": f"""
        {_WITH}
        SELECT r.published AS report_published, r.title AS report_title, r.issuer,
               r.series, r.is_sample, e.section, e.headline, e.body,
               array_to_string(e.dates, ' ') AS dates,
               array_to_string(e.sources, '、') AS sources,
               r.file_name AS report_file
        FROM events e JOIN reports r USING (report_id)
        WHERE ($start IS NULL OR e.first_date >= $start)
          AND ($end IS NULL OR e.first_date <= $end)
          AND ($series IS NULL OR list_contains($series, r.series))
          AND ($indicator IS NULL OR EXISTS (
                SELECT 1 FROM effective o WHERE o.report_id = e.report_id
                AND o.event_seq = e.event_seq AND o.indicator = $indicator))
        ORDER BY r.published, e.event_seq
    """,
    "reports": f"""
        {_WITH}
        SELECT published, period_start, period_end, title, issuer, series, is_sample,
               n_events, n_observations, file_name, file_sha256, ingested_at
        FROM reports
        WHERE ($start IS NULL OR published >= $start)
          AND ($end IS NULL OR published <= $end)
          AND ($series IS NULL OR list_contains($series, series))
          AND ($indicator IS NULL OR EXISTS (
                SELECT 1 FROM effective o WHERE o.report_id = reports.report_id
                AND o.indicator = $indicator))
        ORDER BY published
    """,
}


def frame(
    db: store.Location,
    kind: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    indicator: str | None = None,
    series: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of one export, filtered by date, indicator and report series."""
    if kind == "corrections":
        return review.log(db)
    if kind not in _SQL:
        raise ValueError(f"unknown export {kind!r}; choose one of {', '.join(KINDS)}")
    params = {
        "start": start,
        "end": end,
        "indicator": indicator,
        "series": None if series is None else list(series),
    }
    return store.query(db, _SQL[kind], params)


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"): = + - @,
# and tab or carriage return, which some put before them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text.

    OWASP's advice: a single quote before it (Excel and LibreOffice then show the cell
    as text, quote hidden). Numbers, dates and empty cells are left as they are, so a
    negative number stays a number.

    >>> neutralise("=1+1"), neutralise("=cmd|' /C calc'!A0"), neutralise("-5 人")
    ("'=1+1", "'=cmd|' /C calc'!A0", "'-5 人")
    >>> neutralise(-5.0), neutralise("政治犯")
    (-5.0, '政治犯')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(rows: pd.DataFrame, *, excel: bool = True) -> bytes:
    """CSV as UTF-8, every text cell safe for a spreadsheet (:func:`neutralise`); with
    ``excel`` a BOM first, so Excel shows Japanese correctly.

    >>> to_csv_bytes(pd.DataFrame({"見出し": ["政治犯"]}))[:3] == b"\\xef\\xbb\\xbf"
    True
    >>> to_csv_bytes(pd.DataFrame({"text": ["=1+1"], "value": [-5]}), excel=False)
    b"text,value\\n'=1+1,-5\\n"
    """
    safe = rows.copy()
    for column in safe.columns:
        # Only text columns: mapping a date column would turn its dates into objects.
        if pd.api.types.is_string_dtype(safe[column]) or pd.api.types.is_object_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    text = safe.to_csv(index=False, lineterminator="\r\n" if excel else "\n")
    return ("\ufeff" + text if excel else text).encode("utf-8")
