"""Writing: parsed reports staged as Arrow tables, then stored in one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from indicators.extract import Extraction
from indicators.parse import Report
from indicators.store import aggregates, search, tables
from indicators.store.connection import (
    Location,
    StoreError,
    _is_conflict,
    _scalar,
    backend,
    translate_error,
)
from indicators.store.schema import migrate
from indicators.store.search import search_text

SAMPLE_MARKERS = ("サンプル", "合成データ")
T = TypeVar("T")

#: Called inside the write transaction, after the inserts and before COMMIT. A fault
#: injection point for the crash tests (a process killed here must lose only the batch).
_before_commit: Callable[[], None] | None = None


class CheckpointError(StoreError):
    """The batch was committed (it is stored, in the write-ahead log) but the checkpoint
    after it failed; ``outcomes`` are the batch's, true as they stand."""

    def __init__(self, message: str, outcomes: list[Outcome]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


@dataclass
class Parsed:
    """A report read, parsed and extracted in memory, ready to be written."""

    file_name: str
    sha256: str
    size: int
    report: Report
    extraction: Extraction
    #: the series named by whoever ingests (``--series``), else the report's own
    series_name: str | None = None

    @property
    def country(self) -> str:
        return self.report.title.removesuffix("公開情報とりまとめ") or self.report.title

    @property
    def series(self) -> str:
        """The report series: its country and issuer, as the report itself says."""
        return self.series_name or f"{self.country}｜{self.report.issuer}"

    @property
    def key(self) -> str:
        r = self.report
        return f"{self.series}|{r.published}|{r.period_start}|{r.period_end}"

    @property
    def is_sample(self) -> bool:
        return any(marker in self.report.issuer for marker in SAMPLE_MARKERS)


@dataclass
class Staged:
    """One parsed report as the writer needs it: its identity and how much it holds."""

    file_name: str
    sha256: str
    key: str
    published: dt.date
    n_events: int
    n_observations: int


@dataclass
class StagedChunk:
    """Reports parsed together, as Arrow tables ready for bulk inserts.

    Made where the reports were parsed (a worker process): Arrow buffers cross back to
    the writer far faster than a million small Python objects. A table's ``_item``
    column says which of ``items`` a row belongs to; the writer swaps it for the
    report's id (or drops the row of a report that is already stored).
    """

    items: list[Staged]
    tables: dict[str, pa.Table]


@dataclass
class Outcome:
    """What happened to one input file."""

    file_name: str
    action: str  # added | replaced | unchanged | failed
    message: str = ""
    published: dt.date | None = None
    n_events: int = 0
    n_observations: int = 0


Row = dict[str, Any]


def _report_rows(item: Parsed) -> Iterator[tuple[str, Row]]:
    """One parsed report's rows, each named by its table and keyed by column name (the
    ``_item`` and writer-filled columns left out; see :mod:`indicators.store.tables`)."""
    r = item.report
    observations = item.extraction.observations
    yield (
        "reports",
        {
            "report_key": item.key,
            "series": item.series,
            "country": item.country,
            "title": r.title,
            "issuer": r.issuer,
            "published": r.published,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "is_sample": item.is_sample,
            "file_name": item.file_name,
            "file_sha256": item.sha256,
            "file_bytes": item.size,
            "n_events": len(r.events),
            "n_observations": len(observations),
        },
    )
    for e in r.events:
        body = e.body_text
        yield (
            "events",
            {
                "event_seq": e.seq,
                "section": e.section,
                "headline": e.headline,
                "body": body,
                "dates": e.dates,
                "sources": e.sources,
                "first_date": e.dates[0] if e.dates else r.published,
                "period_start": e.period[0] if e.period else None,
                "period_end": e.period[1] if e.period else None,
                "search_text": search_text(e.headline, body, e.sources),
                "citation": e.citation,
            },
        )
    yield from _extraction_rows(item.extraction)


def _extraction_rows(extraction: Extraction) -> Iterator[tuple[str, Row]]:
    """The observation and quantity rows of one report's extraction."""
    for seq, o in enumerate(extraction.observations):
        yield (
            "observations",
            {
                "event_seq": o.event_seq,
                "obs_seq": seq,
                "indicator": o.indicator,
                "dimension": o.dimension,
                "value": float(o.value),
                "unit": o.unit,
                "qualifier": o.qualifier,
                "as_of": o.as_of,
                "period_start": o.period_start,
                "period_end": o.period_end,
                "source": o.source,
                "evidence": o.evidence,
                "rule": o.rule,
                "flags": list(o.flags),
                "sentence_index": o.sentence_index,
                "char_offset": o.offset,
            },
        )
    for q in extraction.quantities:
        yield (
            "quantities",
            {
                "event_seq": q.event_seq,
                "value": float(q.value),
                "unit": q.unit,
                "qualifier": q.qualifier,
                "text": q.text,
                "sentence": q.sentence,
                "sentence_index": q.sentence_index,
                "char_offset": q.offset,
            },
        )


def _arrow(rows: Sequence[Row], schema: pa.Schema) -> pa.Table:
    """Rows keyed by column name as one Arrow table of ``schema`` (a column the rows do
    not name is an error, not a silent NULL)."""
    if rows and set(rows[0]) != set(schema.names):
        missing, extra = set(schema.names) - set(rows[0]), set(rows[0]) - set(schema.names)
        raise ValueError(f"staged rows do not match the table: missing {missing}, extra {extra}")
    return pa.table(
        [pa.array([row[f.name] for row in rows], type=f.type) for f in schema], schema=schema
    )


def stage(parsed: Sequence[Parsed]) -> StagedChunk:
    """The rows of some parsed reports as Arrow tables (without report ids)."""
    rows: dict[str, list[Row]] = {name: [] for name in tables.CONTENT}
    items: list[Staged] = []
    for index, item in enumerate(parsed):
        r = item.report
        items.append(
            Staged(
                item.file_name,
                item.sha256,
                item.key,
                r.published,
                len(r.events),
                len(item.extraction.observations),
            )
        )
        for table, row in _report_rows(item):
            row["_item"] = index
            rows[table].append(row)
    staged = {name: _arrow(rows[name], tables.BY_NAME[name].staged_schema) for name in rows}
    return StagedChunk(items, staged)


#: Staged chunks a file's writer stores per step while the workers parse the rest of the
#: batch (a worker's chunk is 16 reports): a step's fixed cost (its lookups and five
#: inserts) stays near 0.05 ms a report. A lake, whose every statement costs 15-30 ms,
#: stores a batch in one step.
_STEP = 8


def write(
    db: Location,
    staged: Iterable[StagedChunk | Outcome],
    *,
    by: str | None = None,
) -> list[Outcome]:
    """Store reports in one transaction: add new, replace changed, skip the same.

    A report is identified by its series, publication date and period; the same file
    again changes nothing, another file for the same report replaces its rows. ``by``
    is who made the change (the ingest log's ``logged_by``). What is
    stored is decided inside the transaction, so a transaction retried after a conflict
    (DuckLake) decides again on what the other writer committed.

    ``staged`` may be a stream: the chunks as the workers finish them, with the
    outcomes of the files that failed among them. The writer stores them a step at a
    time as they come, inside the one transaction, so that parsing and writing overlap;
    the search index of the transaction's events is made once, at the end, as one
    sorted run.
    """
    arriving = _Arriving(staged)
    store = backend(db)
    step = None if store.costly_statements else _STEP

    def work(con: duckdb.DuckDBPyConnection) -> list[Outcome]:
        migrate(con, constraints=store.constraints)
        now = dt.datetime.now()
        con.execute("BEGIN TRANSACTION")
        try:
            # First, so that two writers at once conflict (see tables.py, store_writes).
            con.execute("UPDATE store_writes SET writes = writes + 1, last_write = ?", [now])
            first_event = _next_id(con, "events", "event_id")
            outcomes: list[Outcome] = []
            added: list[int] = []
            stale: list[tuple[str, object]] = []
            for group in arriving.groups(step):
                decided, rows, replaced = _decide(con, group, now, by)
                outcomes += decided
                # The weeks the replaced reports counted in, before their rows go: a
                # corrected report may date its statements differently.
                stale += aggregates.keys(con, replaced)
                if replaced:
                    _delete_reports(con, replaced)
                for table, arrow in rows.items():
                    if arrow.num_rows:
                        _insert(con, table, arrow)
                added += rows["reports"]["report_id"].to_pylist()
            if arriving.failures:
                failed = [_failure_row(now, failure, by) for failure in arriving.failures]
                _insert(con, "ingest_log", _log_table(failed))
            _index_events(con, first_event)
            aggregates.refresh(con, added, stale=stale)
            if _before_commit is not None:
                _before_commit()
            con.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has rolled back already
                con.execute("ROLLBACK")
            if isinstance(error, duckdb.Error) and not _is_conflict(error):
                raise translate_error(
                    db, error, doing="cannot write", stored="nothing of this batch"
                ) from None
            raise  # a conflict is retried by transact(); anything else is not ours
        try:
            store.after_commit(con)
        except duckdb.Error as error:
            # The commit stands: on a file, the batch is in the write-ahead log, which
            # DuckDB replays on the next open. Say so, with the batch's true outcomes.
            failed_checkpoint = translate_error(
                db,
                error,
                doing="the checkpoint after the commit failed",
                stored="this batch, kept in the write-ahead log until the next open merges it",
            )
            raise CheckpointError(str(failed_checkpoint), [*outcomes, *arriving.failures]) from None
        return [*outcomes, *arriving.failures]

    return store.transact(work)


class _Arriving:
    """The writer's input as it arrives, kept: a transaction retried after a conflict
    stores the same chunks again, then goes on with the rest."""

    def __init__(self, staged: Iterable[StagedChunk | Outcome]) -> None:
        self.chunks: list[StagedChunk] = []
        self.failures: list[Outcome] = []
        self._source = iter(staged)

    def groups(self, size: int | None) -> Iterator[list[StagedChunk]]:
        """The chunks in groups of ``size`` (None: all in one group), as they arrive."""
        at = 0
        while True:
            while size is None or len(self.chunks) - at < size:
                if not self._pull():
                    break
            group = self.chunks[at : None if size is None else at + size]
            if not group:
                return
            at += len(group)
            yield group

    def _pull(self) -> bool:
        """Take the next item of the input; False at its end."""
        item = next(self._source, None)
        if item is None:
            return False
        if isinstance(item, Outcome):
            self.failures.append(item)
        else:
            self.chunks.append(item)
        return True


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return int(_scalar(con, f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"))


def _delete_reports(con: duckdb.DuckDBPyConnection, report_ids: Sequence[int]) -> None:
    """The rows of reports being replaced, and the index rows of their events."""
    con.register("replaced_ids", pa.table({"report_id": sorted(set(report_ids))}))
    con.execute(search.UNINDEX_SQL)  # while the old events still name them
    for table in tables.CONTENT:
        con.execute(f"DELETE FROM {table} WHERE report_id IN (FROM replaced_ids)")
    con.unregister("replaced_ids")


def _index_events(con: duckdb.DuckDBPyConnection, first_event: int) -> None:
    """The search index of the events this transaction stored (from ``first_event``
    on; those of a report replaced later in the same transaction are gone already),
    in numpy: the SQL of search.index_sql costs more than everything else the writer
    does (see BENCHMARKS.md)."""
    events = con.execute(
        "SELECT event_id, search_text FROM events WHERE event_id >= ? ORDER BY event_id",
        [first_event],
    ).to_arrow_table()
    if events.num_rows:
        _insert(con, "event_postings", search.index_rows(events))


def _decide(
    con: duckdb.DuckDBPyConnection,
    chunks: Sequence[StagedChunk],
    now: dt.datetime,
    by: str | None,
) -> tuple[list[Outcome], dict[str, pa.Table], list[int]]:
    """What to do with each staged report, given what is stored (this transaction's
    earlier steps included): the outcomes, the rows to insert (the ingest log's
    included) and the ids of reports being replaced."""
    items = [(c, i, item) for c, chunk in enumerate(chunks) for i, item in enumerate(chunk.items)]
    con.register("batch_keys", pa.table({"report_key": [item.key for *_, item in items]}))
    existing = {
        key: (report_id, sha)
        for key, report_id, sha in con.execute(
            "SELECT report_key, report_id, file_sha256 FROM reports "
            "WHERE report_key IN (FROM batch_keys)"
        ).fetchall()
    }
    con.unregister("batch_keys")
    next_id = _next_id(con, "reports", "report_id")
    # key -> (report id, sha, where its rows are: chunk and item)
    to_write: dict[str, tuple[int, str, int, int]] = {}
    replaced: list[int] = []
    outcomes: list[Outcome] = []
    log: list[Row] = []
    for c, i, item in items:
        known = existing.get(item.key)
        pending = to_write.get(item.key)
        if pending and pending[1] == item.sha256:
            action, report_id = "unchanged", pending[0]
        elif known and known[1] == item.sha256 and not pending:
            action, report_id = "unchanged", known[0]
        elif known or pending:
            report_id = known[0] if known else pending[0]  # type: ignore[index]
            action = "replaced"
            if known:
                replaced.append(report_id)
            to_write[item.key] = (report_id, item.sha256, c, i)
        else:
            action, report_id = "added", next_id
            next_id += 1
            to_write[item.key] = (report_id, item.sha256, c, i)
        outcomes.append(
            Outcome(
                item.file_name,
                action,
                published=item.published,
                n_events=item.n_events,
                n_observations=item.n_observations,
            )
        )
        log.append(_log_row(now, item.file_name, item.sha256, report_id, action, by=by))
    ids = [[-1] * len(chunk.items) for chunk in chunks]
    for report_id, _, c, i in to_write.values():
        ids[c][i] = report_id
    rows = _tables(chunks, ids, now, _next_id(con, "events", "event_id"))
    # executemany costs a millisecond a row in DuckDB; a table is one insert.
    rows["ingest_log"] = _log_table(log)
    return outcomes, rows, replaced


def _log_table(rows: Sequence[Row]) -> pa.Table:
    return _arrow(rows, tables.BY_NAME["ingest_log"].arrow_schema)


def _failure_row(now: dt.datetime, failure: Outcome, by: str | None) -> Row:
    return _log_row(now, failure.file_name, None, None, "failed", failure.message, by=by)


def _log_row(
    now: dt.datetime,
    file_name: str,
    sha256: str | None,
    report_id: int | None,
    action: str,
    message: str | None = None,
    *,
    by: str | None = None,
) -> Row:
    return {
        "logged_at": now,
        "file_name": file_name,
        "file_sha256": sha256,
        "report_id": report_id,
        "action": action,
        "message": message,
        "logged_by": by,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """One bulk insert of an Arrow table, its columns matched by name."""
    con.register("incoming", rows)
    columns = ", ".join(rows.column_names)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
    con.unregister("incoming")


def _tables(
    chunks: Sequence[StagedChunk],
    ids: Sequence[Sequence[int]],
    now: dt.datetime,
    first_event: int,
) -> dict[str, pa.Table]:
    """The staged tables of every chunk with their report ids, rows of skipped reports
    (id -1) dropped; one Arrow table per database table, for one bulk insert each."""
    found = {}
    for name in tables.CONTENT:
        schema = tables.BY_NAME[name].arrow_schema
        parts = []
        for chunk, chunk_ids in zip(chunks, ids, strict=True):
            staged = chunk.tables[name]
            report_ids = pc.take(pa.array(chunk_ids, pa.int32()), staged["_item"])
            with_ids = staged.drop_columns(["_item"]).add_column(0, "report_id", report_ids)
            parts.append(with_ids.filter(pc.not_equal(report_ids, -1)))
        if not parts:
            found[name] = schema.empty_table()
            continue
        merged = pa.concat_tables(parts)
        # The columns the writer fills in (see tables.py: staged=False).
        if "ingested_at" in schema.names:
            stamp = pa.array([now] * merged.num_rows, pa.timestamp("us"))
            merged = merged.append_column("ingested_at", stamp)
        if "event_id" in schema.names:
            numbers = pa.array(range(first_event, first_event + merged.num_rows), pa.int64())
            merged = merged.append_column("event_id", numbers)
        if "common_chars" in schema.names:
            merged = merged.append_column("common_chars", search.common_bits(merged["search_text"]))
        found[name] = merged.select(schema.names).cast(schema)
    return found


def _transaction(db: Location, work: Callable[[duckdb.DuckDBPyConnection], T], *, doing: str) -> T:
    """Run ``work`` inside one write transaction (the store migrated first, the writers'
    row updated first so that two writers at once take turns; see tables.py)."""
    store = backend(db)

    def run(con: duckdb.DuckDBPyConnection) -> T:
        migrate(con, constraints=store.constraints)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "UPDATE store_writes SET writes = writes + 1, last_write = ?",
                [dt.datetime.now()],
            )
            result = work(con)
            con.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if isinstance(error, duckdb.Error) and not _is_conflict(error):
                raise translate_error(db, error, doing=doing, stored="nothing of this") from None
            raise
        store.after_commit(con)
        return result

    return store.transact(run)


def append(
    db: Location,
    table: str,
    rows: Sequence[Row],
    *,
    numbered: str | None = None,
    changes_values: bool = False,
) -> None:
    """Append rows to a table in one transaction; ``numbered`` names a column given the
    next numbers after the stored ones (decided inside the transaction, so a retried
    transaction numbers again). ``changes_values``: the rows (review actions, with their
    ``report_key``) change what the reports' observations say, so their weekly values
    are decided again in the same transaction (:mod:`indicators.store.aggregates`)."""
    spec = tables.BY_NAME[table]

    def work(con: duckdb.DuckDBPyConnection) -> None:
        given = [dict(row) for row in rows]
        if numbered:
            first = int(_scalar(con, f"SELECT coalesce(max({numbered}), 0) + 1 FROM {table}"))
            for index, row in enumerate(given):
                row[numbered] = first + index
        ids: list[int] = []
        if changes_values and given:
            keys = sorted({str(row["report_key"]) for row in given})
            found = con.execute(
                "SELECT report_id FROM reports WHERE list_contains($keys, report_key)",
                {"keys": keys},
            ).fetchall()
            ids = [int(report_id) for (report_id,) in found]
        stale = aggregates.keys(con, ids)  # where the values count now, before the change
        if given:
            _insert(con, table, _arrow(given, spec.arrow_schema))
        if ids:
            aggregates.refresh(con, ids, stale=stale)

    _transaction(db, work, doing=f"cannot write the {table.replace('_', ' ')}")


@dataclass
class Replaced:
    """What :func:`replace_extractions` wrote."""

    reports: int = 0
    observations: int = 0
    quantities: int = 0
    skipped: int = 0


@dataclass
class StagedExtractions:
    """Stored reports extracted again, as Arrow tables: ``read`` has each report's id,
    the ``ingested_at`` it had when it was read and its number of observations."""

    read: pa.Table
    tables: dict[str, pa.Table]


def stage_extractions(
    extracted: Sequence[tuple[int, dt.datetime, Extraction]],
) -> StagedExtractions:
    """Extractions of stored reports (id, ``ingested_at`` when read, extraction) as the
    rows :func:`replace_extractions` writes (made where they were extracted)."""
    rows: dict[str, list[Row]] = {"observations": [], "quantities": []}
    for report_id, _, extraction in extracted:
        for table, row in _extraction_rows(extraction):
            row["report_id"] = report_id
            rows[table].append(row)
    read = pa.table(
        {
            "report_id": pa.array([e[0] for e in extracted], pa.int32()),
            "ingested_at": pa.array([e[1] for e in extracted], pa.timestamp("us")),
            "n_observations": pa.array([len(e[2].observations) for e in extracted], pa.int32()),
        }
    )
    staged = {name: _arrow(rows[name], tables.BY_NAME[name].arrow_schema) for name in rows}
    return StagedExtractions(read, staged)


def replace_extractions(
    db: Location,
    extracted: Sequence[tuple[int, dt.datetime, Extraction]] | StagedExtractions,
) -> Replaced:
    """Store new observations and quantities for stored reports, in one transaction.

    Each entry is (report id, its ``ingested_at`` when it was read, the extraction); a
    report ingested again since then (another ``ingested_at``) or gone is skipped: its
    rows are already those of its new text.
    """
    staged = extracted if isinstance(extracted, StagedExtractions) else stage_extractions(extracted)
    read = staged.read

    def work(con: duckdb.DuckDBPyConnection) -> Replaced:
        con.register("reread", read)
        current = con.execute(
            "SELECT report_id, reread.n_observations FROM reread "
            "JOIN reports USING (report_id, ingested_at)"
        ).to_arrow_table()
        keep = current["report_id"]
        stale = aggregates.keys(con, keep.to_pylist())  # where they count before
        con.register("kept_ids", current.select(["report_id"]))
        for name, table in staged.tables.items():
            con.execute(f"DELETE FROM {name} WHERE report_id IN (FROM kept_ids)")
            kept_rows = table.filter(pc.is_in(table["report_id"], keep))
            if kept_rows.num_rows:
                _insert(con, name, kept_rows)
        con.execute(
            "UPDATE reports SET n_observations = reread.n_observations FROM reread "
            "WHERE reports.report_id = reread.report_id "
            "AND reports.report_id IN (FROM kept_ids)"
        )
        con.unregister("reread")
        con.unregister("kept_ids")
        aggregates.refresh(con, keep.to_pylist(), stale=stale)
        quantities = staged.tables["quantities"]
        return Replaced(
            reports=current.num_rows,
            observations=int(pc.sum(current["n_observations"]).as_py() or 0),
            quantities=int(pc.sum(pc.is_in(quantities["report_id"], keep)).as_py() or 0),
            skipped=read.num_rows - current.num_rows,
        )

    return _transaction(db, work, doing="cannot store the re-extraction")
