"""Writing: parsed reports staged as Arrow tables, then stored in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.extract import Extraction
from indicators.parse import Report
from indicators.store.connection import _scalar, connect
from indicators.store.schema import migrate

SAMPLE_MARKERS = ("サンプル", "合成データ")
_LOG_COLUMNS = ["logged_at", "file_name", "file_sha256", "report_id", "action", "message"]

#: Called inside the write transaction, after the inserts and before COMMIT. A fault
#: injection point for the crash tests (a process killed here must lose only the batch).
_before_commit: Callable[[], None] | None = None


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


def search_text(headline: str, body: str, sources: Sequence[str]) -> str:
    r"""What the event log's text search looks in: headline, body and sources, lower-cased.

    >>> search_text("CSTO首脳会合", "・合意", ["Pozirk"])
    'csto首脳会合\n・合意\npozirk'
    """
    return f"{headline}\n{body}\n{' '.join(sources)}".lower()


def stage(parsed: Sequence[Parsed]) -> StagedChunk:
    """The rows of some parsed reports as Arrow tables (without report ids)."""
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _ARROW_SCHEMAS}
    items: list[Staged] = []
    for index, item in enumerate(parsed):
        r = item.report
        observations = item.extraction.observations
        items.append(
            Staged(
                item.file_name,
                item.sha256,
                item.key,
                r.published,
                len(r.events),
                len(observations),
            )
        )
        rows["reports"].append(
            (
                index,
                item.key,
                item.series,
                item.country,
                r.title,
                r.issuer,
                r.published,
                r.period_start,
                r.period_end,
                item.is_sample,
                item.file_name,
                item.sha256,
                item.size,
                len(r.events),
                len(observations),
            )
        )
        for e in r.events:
            body = e.body_text
            rows["events"].append(
                (
                    index,
                    e.seq,
                    e.section,
                    e.headline,
                    body,
                    e.dates,
                    e.sources,
                    e.dates[0] if e.dates else r.published,
                    e.period[0] if e.period else None,
                    e.period[1] if e.period else None,
                    search_text(e.headline, body, e.sources),
                )
            )
        rows["observations"].extend(
            (
                index,
                o.event_seq,
                seq,
                o.indicator,
                o.dimension,
                float(o.value),
                o.unit,
                o.qualifier,
                o.as_of,
                o.period_start,
                o.period_end,
                o.source,
                o.evidence,
                o.rule,
                list(o.flags),
                o.sentence_index,
                o.offset,
            )
            for seq, o in enumerate(observations)
        )
        rows["quantities"].extend(
            (
                index, q.event_seq, float(q.value), q.unit, q.qualifier, q.text, q.sentence,
                q.sentence_index, q.offset,
            )
            for q in item.extraction.quantities
        )  # fmt: skip
    tables = {}
    for table, schema in _STAGED_SCHEMAS.items():
        columns = list(zip(*rows[table], strict=True)) or [() for _ in schema]
        tables[table] = pa.table(
            [
                pa.array(column, type=field.type)
                for column, field in zip(columns, schema, strict=True)
            ],
            schema=schema,
        )
    return StagedChunk(items, tables)


def write(
    db: Path,
    staged: Sequence[StagedChunk | Parsed],
    failures: Sequence[Outcome] = (),
    *,
    by: str | None = None,
) -> list[Outcome]:
    """Store reports in one transaction: add new, replace changed, skip the same.

    A report is identified by its series, publication date and period; the same file
    again changes nothing, another file for the same report replaces its rows. ``by``
    is who made the change (the ingest log's ``logged_by``).
    """
    loose = [item for item in staged if isinstance(item, Parsed)]
    chunks = [item for item in staged if isinstance(item, StagedChunk)]
    if loose:
        chunks.append(stage(loose))
    items = [(c, i, item) for c, chunk in enumerate(chunks) for i, item in enumerate(chunk.items)]
    db.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now()
    outcomes: list[Outcome] = []
    with connect(db, read_only=False) as con:
        migrate(con)
        con.register("batch_keys", pa.table({"report_key": [item.key for *_, item in items]}))
        existing = {
            key: (report_id, sha)
            for key, report_id, sha in con.execute(
                "SELECT report_key, report_id, file_sha256 FROM reports "
                "WHERE report_key IN (FROM batch_keys)"
            ).fetchall()
        }
        con.unregister("batch_keys")
        next_id = int(_scalar(con, "SELECT coalesce(max(report_id), 0) + 1 FROM reports"))
        # key -> (report id, sha, where its rows are: chunk and item)
        to_write: dict[str, tuple[int, str, int, int]] = {}
        replaced: list[int] = []
        log: list[tuple[Any, ...]] = []
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
            log.append((now, item.file_name, item.sha256, report_id, action, None, by))
        for failure in failures:
            log.append((now, failure.file_name, None, None, "failed", failure.message, by))
        ids = [[-1] * len(chunk.items) for chunk in chunks]
        for report_id, _, c, i in to_write.values():
            ids[c][i] = report_id
        tables = _tables(chunks, ids, now)
        con.execute("BEGIN TRANSACTION")
        try:
            if replaced:
                con.register("replaced_ids", pa.table({"report_id": sorted(set(replaced))}))
                for table in ("reports", "events", "observations", "quantities"):
                    con.execute(f"DELETE FROM {table} WHERE report_id IN (FROM replaced_ids)")
                con.unregister("replaced_ids")
            for table, arrow in tables.items():
                if arrow.num_rows:
                    con.register("incoming", arrow)
                    columns = ", ".join(arrow.column_names)
                    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
                    con.unregister("incoming")
            if log:
                # executemany costs a millisecond a row in DuckDB; a frame is one insert.
                con.register("incoming_log", pd.DataFrame(log, columns=_LOG_COLUMNS))
                columns = ", ".join(_LOG_COLUMNS)
                con.execute(
                    f"INSERT INTO ingest_log ({columns}) SELECT {columns} FROM incoming_log"
                )
                con.unregister("incoming_log")
            if _before_commit is not None:
                _before_commit()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    return [*outcomes, *failures]


_ARROW_SCHEMAS = {
    "reports": pa.schema(
        [
            ("report_id", pa.int32()),
            ("report_key", pa.string()),
            ("series", pa.string()),
            ("country", pa.string()),
            ("title", pa.string()),
            ("issuer", pa.string()),
            ("published", pa.date32()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("is_sample", pa.bool_()),
            ("file_name", pa.string()),
            ("file_sha256", pa.string()),
            ("file_bytes", pa.int64()),
            ("n_events", pa.int32()),
            ("n_observations", pa.int32()),
            ("ingested_at", pa.timestamp("us")),
        ]
    ),
    "events": pa.schema(
        [
            ("report_id", pa.int32()),
            ("event_seq", pa.int32()),
            ("section", pa.string()),
            ("headline", pa.string()),
            ("body", pa.string()),
            ("dates", pa.list_(pa.date32())),
            ("sources", pa.list_(pa.string())),
            ("first_date", pa.date32()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("search_text", pa.string()),
        ]
    ),
    "observations": pa.schema(
        [
            ("report_id", pa.int32()),
            ("event_seq", pa.int32()),
            ("obs_seq", pa.int32()),
            ("indicator", pa.string()),
            ("dimension", pa.string()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("qualifier", pa.string()),
            ("as_of", pa.date32()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("source", pa.string()),
            ("evidence", pa.string()),
            ("rule", pa.string()),
            ("flags", pa.list_(pa.string())),
            ("sentence_index", pa.int32()),
            ("char_offset", pa.int32()),
        ]
    ),
    "quantities": pa.schema(
        [
            ("report_id", pa.int32()),
            ("event_seq", pa.int32()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("qualifier", pa.string()),
            ("text", pa.string()),
            ("sentence", pa.string()),
            ("sentence_index", pa.int32()),
            ("char_offset", pa.int32()),
        ]
    ),
}


# What a worker stages: the same columns but for the report id (the writer assigns it,
# by the ``_item`` index) and the ingest time.
_STAGED_SCHEMAS = {
    table: pa.schema(
        [
            pa.field("_item", pa.int32()),
            *(f for f in schema if f.name not in ("report_id", "ingested_at")),
        ]
    )
    for table, schema in _ARROW_SCHEMAS.items()
}


def _tables(
    chunks: Sequence[StagedChunk], ids: Sequence[Sequence[int]], now: dt.datetime
) -> dict[str, pa.Table]:
    """The staged tables of every chunk with their report ids, rows of skipped reports
    (id -1) dropped; one Arrow table per database table, for one bulk insert each."""
    tables = {}
    for table, schema in _ARROW_SCHEMAS.items():
        parts = []
        for chunk, chunk_ids in zip(chunks, ids, strict=True):
            staged = chunk.tables[table]
            report_ids = pc.take(pa.array(chunk_ids, pa.int32()), staged["_item"])
            with_ids = staged.drop_columns(["_item"]).add_column(0, "report_id", report_ids)
            parts.append(with_ids.filter(pc.not_equal(report_ids, -1)))
        if not parts:
            tables[table] = schema.empty_table()
            continue
        merged = pa.concat_tables(parts)
        if table == "reports":
            stamp = pa.array([now] * merged.num_rows, pa.timestamp("us"))
            merged = merged.append_column("ingested_at", stamp)
        tables[table] = merged.cast(schema)
    return tables
