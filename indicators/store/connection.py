"""Connection and locking: the database file attached per use, waits bounded.

Writers hold the file read-write for one short transaction per batch, then checkpoint
and close. Readers open read-only per query. DuckDB locks the file per process (one
writer, or any number of readers), so both retry briefly on a lock and then say why they
gave up.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

DEFAULT_DB = Path("data/indicators.duckdb")

# DuckDB's file lock is an OS lock, which keeps processes apart but not the threads of
# one process (the dashboard's upload and its readers): this lock does that. Other
# processes are kept apart by DuckDB's file lock, the writers' gate and the retries below.
_PROCESS_LOCK = threading.RLock()


class StoreError(Exception):
    """The database cannot be used now (locked too long, missing, newer schema)."""


def default_db() -> Path:
    """``INDICATORS_DB`` if set, else ``data/indicators.duckdb``."""
    return Path(os.environ.get("INDICATORS_DB", DEFAULT_DB))


def lock_timeout() -> float:
    raw = os.environ.get("INDICATORS_LOCK_TIMEOUT", "15")
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise StoreError(f"INDICATORS_LOCK_TIMEOUT={raw!r}: expected seconds") from None


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text


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
                        raise StoreError(f"{db}: cannot open the database ({error})") from error
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{db}: the database is in use by another process "
                            f"(gave up after {timeout:.0f} s; is an ingest still running?)"
                        ) from error
                    time.sleep(delay)  # back off while the other process's query ends
                    delay = min(delay * 2, 0.1)
            con.execute("USE report_db")
            try:
                yield con
            finally:
                con.execute("USE memory")
                con.execute("DETACH report_db")
        finally:
            con.close()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The one value of a query (fetched whole: DuckDB 2 refuses new work on a connection
    while a result is left unfinished)."""
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def query(db: Path, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """Rows of a read-only, parameterised query as a DataFrame."""
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).df()
