"""The analyst's review: the queue of numbers to look at, the append-only log of what
was done to them, and the one place where the log is applied to the extracted values.

Every action (confirm, correct, reject, assign, dismiss) is one row of ``review_log``
keyed by the number's stable identity: the report's key (series, publication date and
period), the item, the sentence's index in the item and the number's offset in the
sentence, with the sentence's text as it read. Row ids play no part, so re-ingesting a
report, or re-extracting it with other definitions, keeps its corrections; a sentence
that reads differently now is not corrected (its correction waits in the queue as
"needs a look").

The latest action on a number is the one that counts: *correct* replaces the value
(value, qualifier, date, dimension, unit), *reject* takes it out (it is not this
indicator), *assign* makes an unassigned quantity a value of an indicator, *confirm*
and *dismiss* leave the extracted value standing and take it out of the queue.

:data:`EFFECTIVE` is the SQL that every page, chart, tile, brief and export reads
observations through: the extracted values with the log applied, each marked with
its ``origin`` (extracted, corrected, assigned), ``original_value``, ``changed_by`` and
``changed_at``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from indicators import definitions as defs
from indicators import store
from indicators.definitions import Definitions, default_definitions
from indicators.extract import extract
from indicators.parse import Event, Report
from indicators.store import tables, writing
from indicators.workers import _context as workers_context

ACTIONS = ("confirm", "correct", "reject", "assign", "dismiss")
ORIGINS = ("extracted", "corrected", "assigned")

# The latest action on each number (an indicator's value, or a quantity: indicator
# NULL). The sentence is not part of the key: a later action on the same place
# supersedes one made when the sentence read otherwise.
_LATEST = """
review_latest AS (
    SELECT * FROM review_log
    QUALIFY row_number() OVER (
        PARTITION BY report_key, event_seq, sentence_index, char_offset,
                     coalesce(indicator, '')
        ORDER BY review_id DESC) = 1
)"""

# Assigned values are numbered after every extracted one of their report (obs_seq
# orders a report's statements; "the latest" of a week prefers the later one).
_ASSIGNED_SEQ = 1_000_000

#: The effective observations: a CTE list to put first in a ``WITH`` (see the module
#: docstring); ``effective`` has the columns of ``observations`` and the provenance.
EFFECTIVE = f"""{_LATEST},
-- The (few) reviewed numbers with their report's id, so that the observations need not
-- be joined to the reports to find their key (report_key is unique per report).
review_keyed AS (
    SELECT v.*, r.report_id FROM review_latest v JOIN reports r USING (report_key)
),
effective AS (
    SELECT o.report_id, o.event_seq, o.obs_seq, o.indicator,
           CASE WHEN c.action = 'correct' THEN c.after_dimension ELSE o.dimension END
               AS dimension,
           CASE WHEN c.action = 'correct' THEN c.after_value ELSE o.value END AS value,
           CASE WHEN c.action = 'correct' THEN c.after_unit ELSE o.unit END AS unit,
           CASE WHEN c.action = 'correct' THEN c.after_qualifier ELSE o.qualifier END
               AS qualifier,
           CASE WHEN c.action = 'correct' THEN c.after_as_of ELSE o.as_of END AS as_of,
           o.period_start, o.period_end, o.source, o.evidence, o.rule, o.flags,
           o.sentence_index, o.char_offset,
           CASE WHEN c.action = 'correct' THEN 'corrected' ELSE 'extracted' END AS origin,
           CASE WHEN c.action = 'correct' THEN o.value END AS original_value,
           CASE WHEN c.action = 'correct' THEN c.logged_by END AS changed_by,
           CASE WHEN c.action = 'correct' THEN c.logged_at END AS changed_at
    FROM observations o
    LEFT JOIN review_keyed c
         ON c.report_id = o.report_id AND c.event_seq = o.event_seq
        AND c.sentence_index = o.sentence_index AND c.char_offset = o.char_offset
        AND c.indicator = o.indicator AND c.sentence = o.evidence
    WHERE c.action IS DISTINCT FROM 'reject'
    UNION ALL
    SELECT q.report_id, q.event_seq, {_ASSIGNED_SEQ} + q.char_offset AS obs_seq,
           a.after_indicator, a.after_dimension, a.after_value, a.after_unit,
           a.after_qualifier, a.after_as_of, NULL::DATE, NULL::DATE,
           nullif(array_to_string(e.sources, '、'), ''), q.sentence,
           'assigned in review', []::VARCHAR[], q.sentence_index, q.char_offset,
           'assigned', q.value, a.logged_by, a.logged_at
    FROM review_keyed a
    JOIN quantities q
         ON q.report_id = a.report_id AND a.event_seq = q.event_seq
        AND a.sentence_index = q.sentence_index AND a.char_offset = q.char_offset
        AND a.indicator IS NULL AND a.sentence = q.sentence
    JOIN events e ON e.report_id = q.report_id AND e.event_seq = q.event_seq
    WHERE a.action = 'assign'
)"""

# A value found by a weak rule: its topic only in the headline or somewhere in the item
# (see indicators.extract: the first reason of a rule says where the topic was found).
_WEAK_RULE = r"^[^:]*: [^;]* in the (headline|item)(;|$)"

# The word a quantity is counted in: the last run of two or more kanji or katakana
# before the number in its sentence ("政治犯の数は1,450人" -> 政治犯, 数 being one).
# With the unit, it is the quantity's shape, by which the queue groups numbers.
_NOUN = r"[\p{Han}\p{Katakana}ー]{2,}"

_QUEUE = f"""
WITH {EFFECTIVE},
observed AS (
    SELECT CASE WHEN len(o.flags) > 0 THEN 'flagged' ELSE 'weak_rule' END AS kind,
           r.published, r.series, r.report_id, r.report_key, r.file_name AS report_file,
           e.section, e.headline, o.event_seq, o.sentence_index, o.char_offset,
           o.evidence AS sentence, o.indicator, o.dimension, o.value, o.unit,
           o.qualifier, o.as_of, array_to_string(o.flags, ', ') AS flags, o.rule,
           NULL AS shape, 1 AS n, 1 AS n_weeks, r.published AS first_published,
           NULL AS after_value, NULL AS after_indicator
    FROM observations o
    JOIN reports r ON r.report_id = o.report_id
    JOIN events e ON e.report_id = o.report_id AND e.event_seq = o.event_seq
    LEFT JOIN review_latest v
         ON v.report_key = r.report_key AND v.event_seq = o.event_seq
        AND v.sentence_index = o.sentence_index AND v.char_offset = o.char_offset
        AND v.indicator = o.indicator AND v.sentence = o.evidence
    WHERE v.action IS NULL
      AND (len(o.flags) > 0 OR regexp_matches(coalesce(o.rule, ''), $weak))
      AND ($include_sample OR NOT r.is_sample)
),
open_quantities AS (
    SELECT r.published, r.series, r.report_id, r.report_key, r.file_name AS report_file,
           e.section, e.headline, q.event_seq, q.sentence_index, q.char_offset,
           q.sentence, q.value, q.unit, q.qualifier,
           q.unit || ' ' || coalesce(
               list_extract(regexp_extract_all(left(q.sentence, q.char_offset), $noun), -1),
               '-') AS shape
    FROM quantities q
    JOIN reports r ON r.report_id = q.report_id
    JOIN events e ON e.report_id = q.report_id AND e.event_seq = q.event_seq
    LEFT JOIN review_latest v
         ON v.report_key = r.report_key AND v.event_seq = q.event_seq
        AND v.sentence_index = q.sentence_index AND v.char_offset = q.char_offset
        AND v.indicator IS NULL AND v.sentence = q.sentence
    WHERE v.action IS NULL AND ($include_sample OR NOT r.is_sample)
),
grouped AS (
    SELECT 'quantity' AS kind, newest.*, g.n, g.n_weeks, g.first_published
    FROM (
        SELECT shape, count(*) AS n,
               count(DISTINCT date_trunc('week', published)) AS n_weeks,
               min(published) AS first_published
        FROM open_quantities GROUP BY shape
    ) g
    JOIN (
        SELECT * FROM open_quantities
        QUALIFY row_number() OVER (
            PARTITION BY shape ORDER BY published DESC, report_id DESC, event_seq,
                                        sentence_index, char_offset) = 1
    ) newest USING (shape)
),
stale AS (
    SELECT 'stale' AS kind, r.published, r.series, r.report_id, v.report_key,
           r.file_name AS report_file, e.section, e.headline, v.event_seq,
           v.sentence_index, v.char_offset, v.sentence, v.indicator,
           v.before_dimension AS dimension, v.before_value AS value,
           v.before_unit AS unit, v.before_qualifier AS qualifier,
           v.before_as_of AS as_of, NULL AS flags, v.action AS rule, NULL AS shape,
           1 AS n, 1 AS n_weeks, r.published AS first_published,
           v.after_value, v.after_indicator
    FROM review_latest v
    LEFT JOIN reports r ON r.report_key = v.report_key
    LEFT JOIN events e ON e.report_id = r.report_id AND e.event_seq = v.event_seq
    WHERE v.action IN ('correct', 'reject', 'assign')
      AND NOT EXISTS (
          SELECT 1 FROM observations o
          WHERE o.report_id = r.report_id AND o.event_seq = v.event_seq
            AND o.sentence_index = v.sentence_index AND o.char_offset = v.char_offset
            AND o.indicator = v.indicator AND o.evidence = v.sentence)
      AND NOT EXISTS (
          SELECT 1 FROM quantities q
          WHERE q.report_id = r.report_id AND q.event_seq = v.event_seq
            AND q.sentence_index = v.sentence_index AND q.char_offset = v.char_offset
            AND v.indicator IS NULL AND q.sentence = v.sentence)
),
everything AS (  -- columns matched by name; a quantity has no indicator, flags or rule
    SELECT * FROM stale
    UNION ALL BY NAME SELECT * FROM observed
    UNION ALL BY NAME SELECT * FROM grouped
)
SELECT * FROM everything
WHERE $kinds IS NULL OR list_contains($kinds, kind)
ORDER BY kind <> 'stale', published DESC NULLS LAST, report_id DESC, event_seq,
         sentence_index, char_offset, indicator
LIMIT $limit
"""

#: What the queue lists, in the order the page shows them.
KINDS = ("stale", "flagged", "weak_rule", "quantity")


def queue(
    db: store.Location,
    *,
    kinds: Sequence[str] | None = None,
    include_sample: bool = True,
    limit: int | None = 200,
) -> pd.DataFrame:
    """What needs an analyst's eye, newest first: corrections whose sentence changed
    (``stale``, first), flagged values, values found by a weak rule, and unassigned
    quantities grouped by shape (``n`` of them over ``n_weeks`` weeks; the row is the
    newest of its group)."""
    params = {
        "weak": _WEAK_RULE,
        "noun": _NOUN,
        "include_sample": include_sample,
        "kinds": None if kinds is None else list(kinds),
        "limit": limit,
    }
    return store.query(db, _QUEUE, params)


def values(
    db: store.Location,
    *,
    report_id: int | None = None,
    indicator: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Effective values with what an action needs (their identity and sentence), newest
    report first: any value can be reviewed, not only the queue's."""
    sql = f"""
        WITH {EFFECTIVE}
        SELECT r.published, r.series, r.report_id, r.report_key, r.file_name AS report_file,
               e.section, e.headline, o.event_seq, o.sentence_index, o.char_offset,
               o.evidence AS sentence, o.indicator, o.dimension, o.value, o.unit,
               o.qualifier, o.as_of, array_to_string(o.flags, ', ') AS flags, o.rule,
               o.origin, o.original_value, o.changed_by, o.changed_at
        FROM effective o
        JOIN reports r ON r.report_id = o.report_id
        JOIN events e ON e.report_id = o.report_id AND e.event_seq = o.event_seq
        WHERE ($report_id IS NULL OR o.report_id = $report_id)
          AND ($indicator IS NULL OR o.indicator = $indicator)
        ORDER BY r.published DESC, r.report_id DESC, o.obs_seq
        LIMIT $limit
    """
    params = {"report_id": report_id, "indicator": indicator, "limit": limit}
    return store.query(db, sql, params)


def group_members(db: store.Location, shape: str, *, include_sample: bool = True) -> pd.DataFrame:
    """The open quantities of one shape (a queue row of kind ``quantity``), newest first."""
    sql = (
        _QUEUE.split("grouped AS (")[0].rstrip().rstrip(",")
        + """
        SELECT * FROM open_quantities WHERE shape = $shape
        ORDER BY published DESC, report_id DESC, event_seq, sentence_index, char_offset
    """
    )
    params = {"weak": _WEAK_RULE, "noun": _NOUN, "include_sample": include_sample, "shape": shape}
    return store.query(db, sql, params)


def shape_of(sentence: str, offset: int, unit: str) -> str:
    """A quantity's shape: its unit and the word before it (see :data:`_NOUN`).

    >>> shape_of("政治犯の数は1450人に達した", 6, "persons")
    'persons 政治犯'
    """
    words = re.findall(r"[\u4e00-\u9fff\u30a0-\u30ffー]{2,}", sentence[:offset])
    return f"{unit} {words[-1] if words else '-'}"


_NUMBER_AT = re.compile(r"[0-9][0-9,.]*(?:[万億千百]+[0-9,.]*)*")


def number_span(sentence: str, offset: int) -> tuple[int, int]:
    """Where the number a row points at stands in its sentence (start, end): at its
    offset, or a character before (a sentence's leading ・ is not kept).

    >>> number_span("政治犯の数は1,450人", 6)
    (6, 11)
    >>> number_span("・少なくとも188人", 7)
    (6, 9)
    """
    for at in (offset, offset - 1, offset + 1):
        if 0 <= at < len(sentence):
            match = _NUMBER_AT.match(sentence, at)
            if match and (at == 0 or not sentence[at - 1].isdigit()):
                return match.span()
    return (0, 0)


# --- actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """Where a number stands and what it says now (a queue row, an observation)."""

    report_key: str
    event_seq: int
    sentence_index: int
    char_offset: int
    sentence: str
    indicator: str | None = None  # None: an unassigned quantity
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    as_of: dt.date | None = None
    dimension: str | None = None

    @classmethod
    def of(cls, row: Any) -> Number:
        """From a row of :func:`queue` (or anything with the same names)."""

        def get(name: str) -> Any:
            value = row.get(name, None)
            return None if value is None or _missing(value) else value

        as_of = get("as_of")
        return cls(
            report_key=str(row["report_key"]),
            event_seq=int(row["event_seq"]),
            sentence_index=int(row["sentence_index"]),
            char_offset=int(row["char_offset"]),
            sentence=str(row["sentence"]),
            indicator=get("indicator"),
            value=None if get("value") is None else float(get("value")),
            unit=get("unit"),
            qualifier=get("qualifier"),
            as_of=None if as_of is None else pd.Timestamp(as_of).date(),
            dimension=get("dimension"),
        )


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Change:
    """What a number becomes (a correction or an assignment): the whole new state."""

    value: float
    unit: str
    qualifier: str = "exact"
    as_of: dt.date | None = None
    dimension: str | None = None
    indicator: str | None = None  # for an assignment: the indicator it is a value of


@dataclass(frozen=True)
class Action:
    """One analyst action on one number."""

    action: str
    number: Number
    change: Change | None = None
    reason: str = ""


class ReviewError(ValueError):
    """An action that cannot be recorded; the message says why in one line."""


def check(action: Action, definitions: Definitions | None = None) -> None:
    """Refuse what the log must not hold (one line saying why)."""
    d = definitions or default_definitions()
    kind, number, change = action.action, action.number, action.change
    if kind not in ACTIONS:
        raise ReviewError(f"unknown action {kind!r}; choose one of {', '.join(ACTIONS)}")
    if kind in ("confirm", "correct", "reject") and number.indicator is None:
        raise ReviewError(f"{kind}: this number is not a value of an indicator (assign it)")
    if kind == "assign" and number.indicator is not None:
        raise ReviewError("assign: this number is already a value of an indicator")
    if kind in ("correct", "assign"):
        if change is None:
            raise ReviewError(f"{kind}: say what the number becomes")
        if not math.isfinite(change.value):
            raise ReviewError(f"{kind}: the value must be a number")
        indicator = change.indicator if kind == "assign" else number.indicator
        if indicator is None:
            raise ReviewError("assign: choose the indicator")
        known = {ind.id: ind for ind in d.indicators}
        if indicator not in known:
            raise ReviewError(f"{kind}: unknown indicator {indicator!r}")
        if change.qualifier not in ("exact", "at_least", "approx"):
            raise ReviewError(f"{kind}: unknown qualifier {change.qualifier!r}")
        if not change.unit:
            raise ReviewError(f"{kind}: the unit is missing")


def record(
    db: store.Location,
    actions: Sequence[Action],
    *,
    by: str,
    definitions: Definitions | None = None,
) -> int:
    """Append actions to the review log in one transaction; returns how many.

    ``by`` is who did them (the signed-in email, or the name given), never empty.
    """
    who = (by or "").strip()
    if not who:
        raise ReviewError("who made the change is missing (sign in, or give a name)")
    for action in actions:
        check(action, definitions or definitions_in_use(db))
    now = dt.datetime.now()
    rows = [_log_row(action, who, now) for action in actions]
    writing.append(db, "review_log", rows, numbered="review_id", changes_values=True)
    return len(rows)


def _log_row(action: Action, who: str, now: dt.datetime) -> dict[str, Any]:
    n, c = action.number, action.change
    after: dict[str, Any] = dict.fromkeys(
        ("indicator", "value", "unit", "qualifier", "as_of", "dimension")
    )
    if c is not None and action.action in ("correct", "assign"):
        after = {
            "indicator": c.indicator if action.action == "assign" else n.indicator,
            "value": float(c.value),
            "unit": c.unit,
            "qualifier": c.qualifier,
            "as_of": c.as_of,
            "dimension": c.dimension or None,
        }
    return {
        "logged_at": now,
        "logged_by": who,
        "action": action.action,
        "report_key": n.report_key,
        "event_seq": n.event_seq,
        "sentence_index": n.sentence_index,
        "char_offset": n.char_offset,
        "sentence": n.sentence,
        "indicator": n.indicator,
        "before_value": n.value,
        "before_unit": n.unit,
        "before_qualifier": n.qualifier,
        "before_as_of": n.as_of,
        "before_dimension": n.dimension,
        **{f"after_{name}": value for name, value in after.items()},
        "reason": action.reason.strip() or None,
    }


def log(db: store.Location) -> pd.DataFrame:
    """The whole review log, oldest first (what ``export corrections`` writes)."""
    names = ", ".join(tables.BY_NAME["review_log"].names)
    return store.query(db, f"SELECT {names} FROM review_log ORDER BY review_id")


# --- indicators defined from the dashboard -------------------------------------------


def definitions_in_use(db: store.Location) -> Definitions:
    """The definitions file with the indicators defined from the dashboard added; from
    now on this process (and the workers it starts) reads with them."""
    defs.use_entries(stored_entries(db))
    return default_definitions()


@dataclass(frozen=True)
class NewIndicator:
    """An indicator defined from a quantity: what the form asks."""

    id: str
    name_ja: str
    name_en: str
    unit: str
    kind: str  # stock | flow | event
    dimension: str  # none | reporter | counterparty
    topic: tuple[str, ...]  # cue words, any of which names the indicator

    def entry(self) -> str:
        """The ``[[indicator]]`` entry of the definitions file."""
        dated_by = {"stock": "as_of", "flow": "period", "event": "event"}[self.kind]
        # Deals are all kept (added up per week); a count is one per report, or one per
        # country where it has a country.
        select = "all" if self.kind == "event" else "one_per_report"
        if self.kind != "event" and self.dimension != "none":
            select = "one_per_dimension"
        lines = [
            "[[indicator]]",
            f"id = {_toml(self.id)}",
            f"name = {{ ja = {_toml(self.name_ja)}, en = {_toml(self.name_en)} }}",
            'shape = "count"',
            f"kind = {_toml(self.kind)}",
            f"units = [{_toml(self.unit)}]",
            'chart = "line"',
            f"topic = [{', '.join(_toml(word) for word in self.topic)}]",
            'topic_scope = "sentence"',
            f"dimension = {_toml(self.dimension)}",
            f"dated_by = {_toml(dated_by)}",
            f"select = {_toml(select)}",
        ]
        return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


_ID = re.compile(r"[a-z][a-z0-9_]{1,40}")


def define(db: store.Location, new: NewIndicator, *, by: str) -> Definitions:
    """Save an indicator in the store, checked as the definitions file's entries are;
    returns the definitions with it (re-extract to backfill its history)."""
    who = (by or "").strip()
    if not who:
        raise ReviewError("who made the change is missing (sign in, or give a name)")
    if not _ID.fullmatch(new.id):
        raise ReviewError(f"{new.id!r}: an id is lower-case letters, digits and _")
    topic = tuple(word.strip() for word in new.topic if word.strip())
    if not topic:
        raise ReviewError(f"{new.id}: give at least one cue word")
    new = NewIndicator(**{**new.__dict__, "topic": topic})
    entries = stored_entries(db)
    if new.id in {ind.id for ind in default_definitions().indicators} - set(_ids(entries)):
        raise ReviewError(f"{new.id}: the definitions file has this indicator already")
    try:
        found = defs.with_entries([*entries, new.entry()])
    except defs.DefinitionsError as error:
        raise ReviewError(str(error)) from None
    row = {
        "indicator": new.id,
        "entry": new.entry(),
        "defined_by": who,
        "defined_at": dt.datetime.now(),
    }
    writing.append(db, "defined_indicators", [row])
    defs.use_entries([*[e for e in entries if _ids([e]) != [new.id]], new.entry()])
    return found


def _ids(entries: Sequence[str]) -> list[str]:
    return [re.search(r'^id = "([^"]+)"', e, re.M)[1] for e in entries]  # type: ignore[index]


def definitions_toml(db: store.Location) -> str:
    """The indicators defined from the dashboard, as a definitions file's entries
    (to add to ``definitions.toml`` by hand)."""
    head = "# Indicators defined from the dashboard (add to definitions.toml)\n\n"
    return head + "\n".join(stored_entries(db))


def suggest_cues(sentence: str, offset: int) -> list[str]:
    """Cue words for a new indicator from a quantity's sentence: the runs of kanji or
    katakana of two or more characters, those before the number first (the noun it
    counts), nearest first.

    >>> suggest_cues("調査はジャーナリスト108人に対して実施", 10)
    ['ジャーナリスト', '調査', '実施']
    """
    ranked = []
    for m in re.finditer(r"[\u4e00-\u9fff\u30a0-\u30ffー]{2,}", sentence):
        before = m.end() <= offset
        ranked.append((0 if before else 1, offset - m.end() if before else m.start(), m[0]))
    seen: list[str] = []
    for *_, word in sorted(ranked):
        if word not in seen:
            seen.append(word)
    return seen[:6]


def stored_entries(db: store.Location) -> list[str]:
    """The ``[[indicator]]`` entries saved in the store, in the order they were defined
    (a later definition of the same id replaces the earlier)."""
    try:
        if not store.exists(db):
            return []
        rows = store.query(
            db,
            "SELECT entry FROM defined_indicators QUALIFY row_number() OVER "
            "(PARTITION BY indicator ORDER BY defined_at DESC) = 1 ORDER BY defined_at",
        )
    except store.StoreError:
        return []  # a store from before version 7 has none
    return [str(entry) for entry in rows["entry"]]


# --- re-extraction -------------------------------------------------------------------


@dataclass
class Reextracted:
    """What a re-extraction did."""

    reports: int = 0
    observations: int = 0
    quantities: int = 0
    skipped: int = 0  # reports replaced by an ingest meanwhile (already current)
    without_text: int = 0  # stored before their citations were kept: ingest them again
    seconds: float = 0.0
    #: seconds per step, summed over the chunks (reading and extracting run in the
    #: workers side by side, so these add up to more than the wall time)
    per_step: dict[str, float] = field(default_factory=dict)


_REPORT_COLUMNS = "report_id, ingested_at, title, issuer, published, period_start, period_end"
_EVENT_COLUMNS = (
    "report_id, event_seq, section, headline, body, dates, sources, period_start, "
    "period_end, citation"
)


def _reports_of(reports: pa.Table, events: pa.Table) -> list[tuple[int, dt.datetime, Report]]:
    """Reports rebuilt from their stored rows (events in document order)."""
    by_report: dict[int, list[Event]] = {}
    columns = [events[name].to_pylist() for name in _EVENT_COLUMNS.split(", ")]
    for report_id, seq, section, headline, body, dates, sources, start, end, cited in zip(
        *columns, strict=True
    ):
        by_report.setdefault(report_id, []).append(
            Event(
                seq=seq,
                section=section,
                headline=headline,
                body=body.split("\n") if body else [],
                dates=dates or [],
                sources=sources or [],
                period=(start, end) if start else None,
                citation=cited or "",
            )
        )
    found = []
    for report_id, stamp, title, issuer, published, start, end in zip(
        *[reports[name].to_pylist() for name in _REPORT_COLUMNS.split(", ")], strict=True
    ):
        report = Report(title, issuer, published, start, end, by_report.get(report_id, []))
        found.append((report_id, stamp, report))
    return found


def _extract_ids(
    db: str,
    ids: Sequence[int],
    entries: tuple[str, ...],
    definitions: Definitions | None = None,
) -> tuple[writing.StagedExtractions, float, float]:
    """Read some stored reports, extract them again and stage the rows (a worker's
    task; the definitions' entries are passed, not taken from the environment the
    worker started with). Also returns the seconds spent reading and extracting."""
    import time

    started = time.perf_counter()
    location = store.location(db)
    d = definitions or (defs.with_entries(entries) if entries else default_definitions())
    with store.connect(location, read_only=True) as con:
        con.register("wanted", pa.table({"report_id": pa.array(list(ids), pa.int32())}))
        reports = con.execute(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE report_id IN (FROM wanted)"
        ).to_arrow_table()
        events = con.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE report_id IN (FROM wanted) "
            "ORDER BY report_id, event_seq"
        ).to_arrow_table()
        con.unregister("wanted")
    rebuilt = _reports_of(reports, events)
    read = time.perf_counter()
    extracted = [(i, stamp, extract(report, d)) for i, stamp, report in rebuilt]
    staged = writing.stage_extractions(extracted)
    return staged, read - started, time.perf_counter() - read


def reextract(
    db: store.Location,
    *,
    definitions: Definitions | None = None,
    chunk: int = 2000,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Reextracted:
    """Extract every stored report again from its stored text with the definitions in
    use (the file's and those defined from the dashboard); the review log is not
    touched, so corrections stay applied wherever their sentence still reads the same.

    Reports are done a chunk at a time, each chunk written in its own short transaction,
    so an ingest or a review in another process goes on meanwhile; a report an ingest
    replaced since it was read is left as that ingest stored it. ``workers`` processes
    read and extract (default: one per core; 1: this process), while this one writes.
    ``definitions`` (tests) are used in this process.
    """
    import os
    import time
    from collections.abc import Iterator
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    store.ensure_db(db)
    entries = tuple(stored_entries(db))
    if definitions is None:
        definitions_in_use(db)
    # A report stored before schema 7 has no citations kept (NULL, where a report
    # without one has ''): extracting it again could lose what its citation decides,
    # so it is left as it is until its file is ingested again.
    found = store.query(
        db,
        "SELECT report_id, bool_or(e.citation IS NULL) AS old FROM reports "
        "LEFT JOIN events e USING (report_id) GROUP BY report_id ORDER BY report_id",
    )
    all_ids = [int(i) for i, old in zip(found["report_id"], found["old"], strict=True) if not old]
    parts = [all_ids[i : i + chunk] for i in range(0, len(all_ids), chunk)]
    n_workers = 1 if definitions is not None else (workers or os.cpu_count() or 1)
    done = Reextracted(without_text=len(found) - len(all_ids))
    steps = dict.fromkeys(("read", "extract", "write"), 0.0)
    pool = None
    if n_workers > 1 and len(parts) > 1:
        # The ingest's fork server (its children never re-run a page script's main).
        pool = ProcessPoolExecutor(min(n_workers, len(parts)), mp_context=workers_context())
    try:
        results: Iterator[tuple[writing.StagedExtractions, float, float]]
        if pool is None:
            results = (_extract_ids(str(db), part, entries, definitions) for part in parts)
        else:
            results = pool.map(_extract_ids, [str(db)] * len(parts), parts, [entries] * len(parts))
        finished = 0
        for part, (staged, reading, extracting) in zip(parts, results, strict=True):
            t0 = time.perf_counter()
            written = writing.replace_extractions(db, staged)
            steps["write"] += time.perf_counter() - t0
            steps["read"] += reading
            steps["extract"] += extracting
            done.reports += written.reports
            done.observations += written.observations
            done.quantities += written.quantities
            done.skipped += written.skipped
            finished += len(part)
            if progress is not None:
                progress(finished, len(all_ids))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    done.seconds = time.perf_counter() - started
    done.per_step = steps
    return done
