"""The DuckDB file: schema and migrations, ingest, and read-only queries.

Writers do the slow part (reading, parsing, extracting) before they open the file, then
hold it read-write for one short transaction per batch, checkpoint and close. Readers
open read-only per query. DuckDB locks the file per process (one writer, or any number
of readers), so both retry briefly on a lock and then say why they gave up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

from indicators.extract import Extraction
from indicators.parse import Report

DEFAULT_DB = Path("data/indicators.duckdb")
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
        period_end    DATE,
        PRIMARY KEY (report_id, event_seq)
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
        evidence      VARCHAR NOT NULL,
        PRIMARY KEY (report_id, obs_seq)
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
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("reports", "events", "observations", "quantities", "ingest_log")

# DuckDB refuses two connections of different configuration (read-only and read-write)
# to one file within a process; this lock keeps the dashboard's upload and its readers
# apart. Other processes are kept apart by DuckDB's file lock and the retries below.
_PROCESS_LOCK = threading.RLock()


#: Called inside the write transaction, after the inserts and before COMMIT. A fault
#: injection point for the crash tests (a process killed here must lose only the batch).
_before_commit: Callable[[], None] | None = None


class StoreError(Exception):
    """The database cannot be used now (locked too long, missing, newer schema)."""


def default_db() -> Path:
    """``INDICATORS_DB`` if set, else ``data/indicators.duckdb``."""
    return Path(os.environ.get("INDICATORS_DB", DEFAULT_DB))


def lock_timeout() -> float:
    return float(os.environ.get("INDICATORS_LOCK_TIMEOUT", "15"))


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text or "different configuration" in text


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


@contextlib.contextmanager
def connect(
    db: Path, *, read_only: bool, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that waits (bounded) while another process holds the file."""
    if read_only and not db.exists():
        raise StoreError(f"{db}: no database yet (run `indicators ingest` first)")
    timeout = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    delay = 0.005
    with _gate(db, hold=not read_only, timeout=timeout), _PROCESS_LOCK:
        while True:
            try:
                con = duckdb.connect(str(db), read_only=read_only)
                break
            except (duckdb.IOException, duckdb.ConnectionException) as error:
                if not _is_lock_error(error) or time.monotonic() > deadline:
                    raise StoreError(
                        f"{db}: the database is in use by another process "
                        f"(gave up after {timeout:.0f} s; is an ingest still running?)"
                    ) from error
                time.sleep(delay)  # back off while the other process's query ends
                delay = min(delay * 2, 0.1)
        try:
            yield con
        finally:
            con.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


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

    @property
    def country(self) -> str:
        return self.report.title.removesuffix("公開情報とりまとめ") or self.report.title

    @property
    def series(self) -> str:
        return f"{self.country}｜{self.report.issuer}"

    @property
    def key(self) -> str:
        r = self.report
        return f"{self.series}|{r.published}|{r.period_start}|{r.period_end}"

    @property
    def is_sample(self) -> bool:
        return any(marker in self.report.issuer for marker in SAMPLE_MARKERS)


@dataclass
class Outcome:
    """What happened to one input file."""

    file_name: str
    action: str  # added | replaced | unchanged | failed
    message: str = ""
    published: dt.date | None = None
    n_events: int = 0
    n_observations: int = 0


def parse_bytes(data: bytes, file_name: str) -> Parsed:
    """Read, parse and extract one report file's bytes (no database involved)."""
    from indicators.extract import extract
    from indicators.parse import parse_lines
    from indicators.read import clean_lines, read_text

    report = parse_lines(clean_lines(read_text(data, name=file_name)))
    return Parsed(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        report=report,
        extraction=extract(report),
    )


def write(db: Path, parsed: Sequence[Parsed], failures: Sequence[Outcome] = ()) -> list[Outcome]:
    """Store parsed reports in one transaction: add new, replace changed, skip same.

    A report is identified by its series, publication date and period; the same file
    again changes nothing, another file for the same report replaces its rows.
    """
    db.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now()
    outcomes: list[Outcome] = []
    with connect(db, read_only=False) as con:
        migrate(con)
        existing = {
            key: (report_id, sha)
            for key, report_id, sha in con.execute(
                "SELECT report_key, report_id, file_sha256 FROM reports"
            ).fetchall()
        }
        next_id = int(
            con.execute("SELECT coalesce(max(report_id), 0) + 1 FROM reports").fetchone()[0]
        )  # type: ignore[index]
        to_write: dict[str, tuple[int, Parsed]] = {}
        replaced: list[int] = []
        log: list[tuple[Any, ...]] = []
        for item in parsed:
            known = existing.get(item.key)
            pending = to_write.get(item.key)
            if pending and pending[1].sha256 == item.sha256:
                action, report_id = "unchanged", pending[0]
            elif known and known[1] == item.sha256 and not pending:
                action, report_id = "unchanged", known[0]
            elif known or pending:
                report_id = known[0] if known else pending[0]  # type: ignore[index]
                action = "replaced"
                if known:
                    replaced.append(report_id)
                to_write[item.key] = (report_id, item)
            else:
                action, report_id = "added", next_id
                next_id += 1
                to_write[item.key] = (report_id, item)
            outcomes.append(
                Outcome(
                    item.file_name,
                    action,
                    published=item.report.published,
                    n_events=len(item.report.events),
                    n_observations=len(item.extraction.observations),
                )
            )
            log.append((now, item.file_name, item.sha256, report_id, action, None))
        for failure in failures:
            log.append((now, failure.file_name, None, None, "failed", failure.message))
        frames = _frames(to_write.values(), now)
        con.execute("BEGIN TRANSACTION")
        try:
            if replaced:
                ids = pd.DataFrame({"report_id": sorted(set(replaced))})
                con.register("replaced_ids", ids)
                for table in ("reports", "events", "observations", "quantities"):
                    con.execute(f"DELETE FROM {table} WHERE report_id IN (FROM replaced_ids)")
                con.unregister("replaced_ids")
            for table, frame in frames.items():
                if len(frame):
                    con.register("incoming", frame)
                    columns = ", ".join(frame.columns)
                    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
                    con.unregister("incoming")
            if log:
                con.executemany("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?)", log)
            if _before_commit is not None:
                _before_commit()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    return [*outcomes, *failures]


def _frames(items: Any, now: dt.datetime) -> dict[str, pd.DataFrame]:
    """One DataFrame per table for a bulk insert."""
    reports, events, observations, quantities = [], [], [], []
    for report_id, item in items:
        r = item.report
        reports.append(
            {
                "report_id": report_id,
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
                "n_observations": len(item.extraction.observations),
                "ingested_at": now,
            }
        )
        for event in r.events:
            events.append(
                {
                    "report_id": report_id,
                    "event_seq": event.seq,
                    "section": event.section,
                    "headline": event.headline,
                    "body": event.body_text,
                    "dates": list(event.dates),
                    "sources": list(event.sources),
                    "first_date": event.dates[0] if event.dates else r.published,
                    "period_start": event.period[0] if event.period else None,
                    "period_end": event.period[1] if event.period else None,
                }
            )
        for seq, o in enumerate(item.extraction.observations):
            observations.append(
                {
                    "report_id": report_id,
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
                }
            )
        for q in item.extraction.quantities:
            quantities.append(
                {
                    "report_id": report_id,
                    "event_seq": q.event_seq,
                    "value": float(q.value),
                    "unit": q.unit,
                    "qualifier": q.qualifier,
                    "text": q.text,
                    "sentence": q.sentence,
                }
            )
    return {
        "reports": pd.DataFrame(reports),
        "events": pd.DataFrame(events),
        "observations": pd.DataFrame(observations),
        "quantities": pd.DataFrame(quantities),
    }


def row_counts(db: Path) -> dict[str, int]:
    """Rows per table (for tests and the CLI's summary)."""
    with connect(db, read_only=True) as con:
        return {
            table: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in TABLES
        }


__all__ = [
    "DEFAULT_DB",
    "Outcome",
    "Parsed",
    "StoreError",
    "connect",
    "default_db",
    "ensure_db",
    "migrate",
    "parse_bytes",
    "query",
    "row_counts",
    "write",
]
