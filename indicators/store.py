"""The DuckDB file: schema and migrations, ingest, and read-only queries.

Writers do the slow part (reading, parsing, extracting) before they open the file, then
hold it read-write for one short transaction per batch, checkpoint and close. Readers
open read-only per query. DuckDB locks the file per process (one writer, or any number
of readers), so both retry briefly on a lock and then say why they gave up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from filelock import FileLock, Timeout

from indicators import settings
from indicators.extract import Extraction
from indicators.parse import Report

DEFAULT_DB = settings.DEFAULT_DB
SAMPLE_MARKERS = ("サンプル", "合成データ")

# Each entry migrates the schema from version i to i + 1; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE reports (
        report_id     INTEGER PRIMARY KEY,
        report_key    VARCHAR NOT NULL UNIQUE,  -- series + publication date + period
        series        VARCHAR NOT NULL,         -- country｜issuer
        country       VARCHAR NOT NULL,
        title         VARCHAR NOT NULL,
        issuer        VARCHAR NOT NULL,
        published     DATE NOT NULL,
        period_start  DATE,
        period_end    DATE,
        is_sample     BOOLEAN NOT NULL,
        file_name     VARCHAR NOT NULL,
        file_sha256   VARCHAR NOT NULL,
        file_bytes    BIGINT NOT NULL,
        n_events      INTEGER NOT NULL,
        n_observations INTEGER NOT NULL,
        ingested_at   TIMESTAMP NOT NULL
    );
    CREATE TABLE events (
        report_id     INTEGER NOT NULL,
        event_seq     INTEGER NOT NULL,
        section       VARCHAR NOT NULL,
        headline      VARCHAR NOT NULL,
        body          VARCHAR NOT NULL,
        dates         DATE[] NOT NULL,
        sources       VARCHAR[] NOT NULL,
        first_date    DATE,                     -- the first cited date, else publication
        period_start  DATE,
        period_end    DATE
        -- (report_id, event_seq) is unique by construction; no index: an ART index
        -- over a million events costs memory on every insert and buys nothing here
    );
    CREATE TABLE observations (
        report_id     INTEGER NOT NULL,
        event_seq     INTEGER NOT NULL,
        obs_seq       INTEGER NOT NULL,
        indicator     VARCHAR NOT NULL,
        dimension     VARCHAR,
        value         DOUBLE NOT NULL,
        unit          VARCHAR NOT NULL,
        qualifier     VARCHAR NOT NULL,
        as_of         DATE,
        period_start  DATE,
        period_end    DATE,
        source        VARCHAR,
        evidence      VARCHAR NOT NULL  -- (report_id, obs_seq) unique by construction
    );
    CREATE TABLE quantities (
        report_id     INTEGER NOT NULL,
        event_seq     INTEGER NOT NULL,
        value         DOUBLE NOT NULL,
        unit          VARCHAR NOT NULL,
        qualifier     VARCHAR NOT NULL,
        text          VARCHAR NOT NULL,
        sentence      VARCHAR NOT NULL
    );
    CREATE TABLE ingest_log (
        logged_at     TIMESTAMP NOT NULL,
        file_name     VARCHAR NOT NULL,
        file_sha256   VARCHAR,
        report_id     INTEGER,
        action        VARCHAR NOT NULL,         -- added | replaced | unchanged | failed
        message       VARCHAR
    );
    """,
    # 2: the event log's search text, lower-cased once at ingest instead of per query
    # (a search over a million events scanned and lower-cased three columns each time).
    """
    ALTER TABLE events ADD COLUMN search_text VARCHAR;
    UPDATE events SET search_text =
        lower(headline || chr(10) || body || chr(10) || array_to_string(sources, ' '));
    """,
    # 3: how each value was found, what looks wrong about it, and where the number
    # stands in its item (the sentence's index and the number's offset in it): the
    # stable identity that review corrections are keyed by.
    """
    ALTER TABLE observations ADD COLUMN rule VARCHAR;
    ALTER TABLE observations ADD COLUMN flags VARCHAR[];
    ALTER TABLE observations ADD COLUMN sentence_index INTEGER;
    ALTER TABLE observations ADD COLUMN char_offset INTEGER;
    ALTER TABLE quantities ADD COLUMN sentence_index INTEGER;
    ALTER TABLE quantities ADD COLUMN char_offset INTEGER;
    """,
    # 4: who made each change in the ingest log (the signed-in email, or the name the
    # analyst gave); empty for rows written before sign-in existed and for the CLI.
    """
    ALTER TABLE ingest_log ADD COLUMN logged_by VARCHAR;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
_LOG_COLUMNS = [
    "logged_at",
    "file_name",
    "file_sha256",
    "report_id",
    "action",
    "message",
    "logged_by",
]
TABLES = ("reports", "events", "observations", "quantities", "ingest_log")

# DuckDB's file lock is an OS lock, which keeps processes apart but not the threads of
# one process (the dashboard's upload and its readers): this lock does that. Other
# processes are kept apart by DuckDB's file lock, the writers' gate and the retries below.
_PROCESS_LOCK = threading.RLock()


#: Called inside the write transaction, after the inserts and before COMMIT. A fault
#: injection point for the crash tests (a process killed here must lose only the batch).
_before_commit: Callable[[], None] | None = None


class StoreError(Exception):
    """The database cannot be used now (locked too long, missing, newer schema, damaged,
    disk full); the message is one line that says so and what is stored."""


class CheckpointError(StoreError):
    """The batch was committed (it is stored, in the write-ahead log) but the checkpoint
    after it failed; ``outcomes`` are the batch's, true as they stand."""

    def __init__(self, message: str, outcomes: list[Outcome]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


def default_db() -> Path:
    """``INDICATORS_DB`` if set, else ``data/indicators.duckdb``."""
    return settings.db_path()


def lock_timeout() -> float:
    return settings.LOCK_TIMEOUT.value()


def _is_lock_error(error: Exception) -> bool:
    # DuckDB: 'Could not set lock on file "...": Conflicting lock is held in ...'. Not a
    # bare "lock": a damaged file's message says "block at location ...".
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


# What DuckDB's messages say, by what the user should hear (first match wins: a
# checkpoint that fails on a full disk is reported as "database invalidated ... No
# space left on device").
_DISK_FULL = ("no space left on device", "file too large", "disk quota exceeded")
_DAMAGED = (
    "corrupt database file",
    "checksum",
    "not a valid duckdb database",
    "could not read enough bytes",
    "is too small",
    "invalidated",
    "internal error",
    "serialization error",
    "deserialize",
)


def _one_line(error: BaseException) -> str:
    """The first line of an error's message, without DuckDB's class prefix; of an error
    that wraps another ("... invalidated. Original error: ..."), the original."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = text.rpartition("Original error: ")[2]
    for prefix in ("IO Error: ", "FATAL Error: ", "INTERNAL Error: ", "Serialization Error: "):
        text = text.removeprefix(prefix)
    return text[:300]


def translate_error(
    db: Path, error: BaseException, *, doing: str = "", stored: str = ""
) -> StoreError:
    """A DuckDB error as one line: what happened to the file, and what is stored.

    The one place where DuckDB's errors become words: the store's connect, write and
    query all come through here. ``doing`` says what failed, ``stored`` what the caller
    knows is stored.

    >>> full = OSError('IO Error: Could not write file "x.duckdb": No space left on device')
    >>> str(translate_error(Path("x.duckdb"), full, doing="cannot write", stored="nothing"))
    'x.duckdb: cannot write: the disk is full (Could not write file "x.duckdb":
    No space left on device); stored: nothing'
    """
    text = str(error).lower()
    advice = ""
    if any(mark in text for mark in _DISK_FULL):
        cause = "the disk is full"
    elif any(mark in text for mark in _DAMAGED):
        cause = "the database file is damaged"
        advice = "restore it from a backup, or move it away and ingest the reports again"
    else:
        cause = "database error"
    head = f"{db}: {doing}: {cause}" if doing else f"{db}: {cause}"
    parts = [f"{head} ({_one_line(error)})", advice, f"stored: {stored}" if stored else ""]
    return StoreError("; ".join(part for part in parts if part))


@contextlib.contextmanager
def _gate(db: Path, *, hold: bool, timeout: float) -> Iterator[None]:
    """The writers' turnstile beside the database file (``X.duckdb.lock``).

    DuckDB's own lock has no queue: readers opening and closing the file in a loop could
    keep a writer out for ever. So a writer holds this gate for its whole transaction,
    and a reader passes through it (acquire, release) before it opens the file: once a
    writer is waiting, no new reader starts, and the writer gets in as soon as the
    readers in flight close.
    """
    lock = FileLock(f"{db}.lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout as error:
        raise StoreError(
            f"{db}: another ingest is writing (gave up waiting after {timeout:.0f} s)"
        ) from error
    except OSError:
        yield  # a read-only folder: nobody can write here anyway
        return
    if hold:
        try:
            yield
        finally:
            lock.release()
    else:
        lock.release()
        yield


_host: duckdb.DuckDBPyConnection | None = None
_host_pid = 0


def _host_connection() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB, to which the file is attached per use.

    Starting a DuckDB instance costs 15-45 ms (its thread pool); attaching a file to a
    running one costs about 1 ms. Attaching takes and detaching releases the same file
    lock as opening and closing it, so nothing is held between queries.
    """
    global _host, _host_pid
    if _host is None or _host_pid != os.getpid():  # a forked child needs its own
        _host = duckdb.connect(":memory:")
        _host_pid = os.getpid()
    return _host


def _drop_host() -> None:
    global _host
    if _host is not None:
        with contextlib.suppress(duckdb.Error):
            _host.close()
    _host = None


@contextlib.contextmanager
def connect(
    db: Path, *, read_only: bool, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database file attached for one use; waits (bounded) while another process
    holds it. Tables are addressed by their plain names."""
    if read_only and not db.exists():
        raise StoreError(f"{db}: no database yet (run `indicators ingest` first)")
    timeout = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    delay = 0.005
    path = str(db).replace("'", "''")
    mode = " (READ_ONLY)" if read_only else ""
    with _gate(db, hold=not read_only, timeout=timeout), _PROCESS_LOCK:
        # Readers share this process's DuckDB; a writer starts its own and closes it
        # after its one transaction, so the memory of bulk inserts is given back.
        con = (
            _host_connection().cursor()
            if read_only
            else duckdb.connect(":memory:", config={"memory_limit": "256MB", "threads": 1})
        )
        try:
            while True:
                try:
                    con.execute(f"ATTACH '{path}' AS report_db{mode}")
                    break
                except duckdb.Error as error:
                    if not _is_lock_error(error):
                        raise translate_error(db, error) from None
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{db}: the database is in use by another process "
                            f"(gave up after {timeout:.0f} s; is an ingest still running?)"
                        ) from error
                    time.sleep(delay)  # back off while the other process's query ends
                    delay = min(delay * 2, 0.1)
            try:
                con.execute("USE report_db")
                yield con
            except duckdb.Error as error:
                raise translate_error(db, error) from None
            finally:
                try:
                    con.execute("USE memory")
                    con.execute("DETACH report_db")
                except duckdb.Error:
                    # The attached file failed for good (damaged, disk full): this
                    # instance may be unusable, so readers start a new one next time.
                    if read_only:
                        _drop_host()
        finally:
            con.close()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The one value of a query (fetched whole: DuckDB 2 refuses new work on a connection
    while a result is left unfinished)."""
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = _scalar(
        con,
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND table_name = 'schema_version'",
    )
    if not exists:
        return 0
    version = _scalar(con, "SELECT max(version) FROM schema_version")
    return int(version) if version is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {found}, newer than this program "
            f"({SCHEMA_VERSION}): update the program"
        )
    for version in range(found, SCHEMA_VERSION):
        con.execute("BEGIN TRANSACTION")
        con.execute(MIGRATIONS[version])
        con.execute("INSERT INTO schema_version VALUES (?, now())", [version + 1])
        con.execute("COMMIT")
    return found


def ensure_db(db: Path) -> None:
    """Create the database file and its schema if needed (a no-op when current)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with connect(db, read_only=False) as con:
        migrate(con)


def query(db: Path, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """Rows of a read-only, parameterised query as a DataFrame."""
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).df()


# --- ingest -------------------------------------------------------------------------


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
        except duckdb.Error as error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise translate_error(
                db, error, doing="cannot write", stored="nothing of this batch"
            ) from None
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        done = [*outcomes, *failures]
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error as error:
            # The commit stands: the batch is in the write-ahead log, which DuckDB
            # replays on the next open. Say so, with the batch's true outcomes.
            wal = db.with_name(db.name + ".wal").name
            failed = translate_error(
                db,
                error,
                doing="the checkpoint after the commit failed",
                stored=f"this batch, kept in {wal} until the next open merges it",
            )
            raise CheckpointError(str(failed), done) from None
    return done


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


def row_counts(db: Path) -> dict[str, int]:
    """Rows per table (for tests and the CLI's summary)."""
    with connect(db, read_only=True) as con:
        return {table: int(_scalar(con, f"SELECT count(*) FROM {table}")) for table in TABLES}


__all__ = [
    "DEFAULT_DB",
    "CheckpointError",
    "Outcome",
    "Parsed",
    "StoreError",
    "connect",
    "default_db",
    "ensure_db",
    "migrate",
    "query",
    "row_counts",
    "translate_error",
    "write",
]
