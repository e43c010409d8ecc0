"""Connection and locking: where the store is, and how one use of it is opened.

Two backends behind one interface; what differs between them is in this module only.

- **A DuckDB file** (the default). DuckDB locks the file per process (one writer, or
  any number of readers), so nothing keeps it open for long: a process's readers share
  one read-only attachment, which is let go as soon as a writer waits at the gate (the
  next use sees it, or at most :data:`HOLD_SECONDS` after the last one) and re-made
  when the file changed; writers hold it read-write for one short transaction per
  batch, then checkpoint and close; both retry briefly on a lock and then say why they
  gave up.
- **A DuckLake** (``ducklake:postgres:...``): the catalog in PostgreSQL, the data as
  Parquet files under a data path (a shared folder, or object storage that DuckDB
  reaches). No file lock: each process keeps one DuckDB with the lake attached and
  gives every use its own cursor (one per thread). Writers from any number of
  processes and machines commit optimistic transactions; one that conflicts with
  another's commit is retried (:meth:`Backend.transact`).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import duckdb
import pyarrow as pa
from filelock import FileLock, Timeout

from indicators import settings
from indicators.store import extensions

if TYPE_CHECKING:  # pandas is half the import time of a parsing worker, which needs none
    import pandas as pd

DEFAULT_DB = settings.DEFAULT_DB
LAKE_PREFIX = "ducklake:"

#: Where the store is: a DuckDB file's path, or a DuckLake's ``ducklake:...`` catalog.
Location: TypeAlias = "str | Path"

T = TypeVar("T")

# DuckDB's file lock is an OS lock, which keeps processes apart but not the threads of
# one process (the dashboard's upload and its readers): this lock does that. Other
# processes are kept apart by DuckDB's file lock, the writers' gate and the retries below.
_PROCESS_LOCK = threading.RLock()


class StoreError(Exception):
    """The database cannot be used now (locked too long, missing, newer schema, damaged,
    disk full); the message is one line that says so and what is stored."""


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
    db: Location, error: BaseException, *, doing: str = "", stored: str = ""
) -> StoreError:
    """A DuckDB error as one line: what happened to the store, and what is stored.

    The one place where DuckDB's errors become words: both backends' connect, write and
    query come through here. ``doing`` says what failed, ``stored`` what the caller
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
    label = backend(db).label
    head = f"{label}: {doing}: {cause}" if doing else f"{label}: {cause}"
    parts = [f"{head} ({_one_line(error)})", advice, f"stored: {stored}" if stored else ""]
    return StoreError("; ".join(part for part in parts if part))


def location(text: str | Path) -> Location:
    """A store's location from ``INDICATORS_DB`` or ``--db``: a lake stays text (its
    catalog is a connection string, not a path), anything else is a file's path.

    >>> location("ducklake:postgres:dbname=indicators host=db")
    'ducklake:postgres:dbname=indicators host=db'
    >>> location("data/x.duckdb")
    PosixPath('data/x.duckdb')
    """
    text = str(text)
    return text if text.startswith(LAKE_PREFIX) else Path(text)


def default_db() -> Location:
    """``INDICATORS_DB`` if set, else ``data/indicators.duckdb``."""
    return location(settings.db_location())


def lock_timeout() -> float:
    return settings.LOCK_TIMEOUT.value()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Backend(ABC):
    """One kind of store: how it is opened, written and watched for changes."""

    #: whether the schema carries PRIMARY KEY / UNIQUE and indexes (DuckLake has none)
    constraints: bool
    #: whether a statement costs more than reading somewhat more rows: a lake's each
    #: asks its catalog for the snapshot and the files (15-25 ms), a file's costs ~1 ms
    costly_statements: bool = False

    @property
    @abstractmethod
    def label(self) -> str:
        """How messages name the store (no secrets)."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the store holds a schema yet (a file: whether there is one)."""

    @abstractmethod
    def signature(self) -> tuple[int, ...]:
        """A value that changes whenever a write commits (the dashboard's cache key)."""

    @abstractmethod
    def connect(
        self, *, read_only: bool, timeout: float | None = None
    ) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """One use of the store; tables are addressed by their plain names."""

    def transact(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work`` (which begins and commits one transaction) on a writable use."""
        with self.connect(read_only=False) as con:
            return work(con)

    @abstractmethod
    def after_commit(self, con: duckdb.DuckDBPyConnection) -> None:
        """What a writer does after its commit."""

    @abstractmethod
    def compact(self) -> None:
        """Upkeep after a bulk write."""


# --- a DuckDB file ---------------------------------------------------------------------


def _is_lock_error(error: Exception) -> bool:
    # DuckDB: 'Could not set lock on file "...": Conflicting lock is held in ...'. Not a
    # bare "lock": a damaged file's message says "block at location ...".
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


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


def _writer_waiting(db: Path) -> bool:
    """Whether a writer holds the gate now (a lock tried once, never waited for); if
    not, the caller has just passed through it."""
    lock = FileLock(f"{db}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return False  # a read-only folder: nobody can write here
    lock.release()
    return False


#: How long a process keeps its read-only attachment after its last use (a page's
#: queries come in bursts); a writer that waits meanwhile is let in at once.
HOLD_SECONDS = 0.5

_host: duckdb.DuckDBPyConnection | None = None
_host_pid = 0


class _Held:
    """This process's read-only attachment of one file, kept between uses while the file
    stays the same and no writer waits (guarded by :data:`_PROCESS_LOCK`)."""

    path: Path | None = None
    stamp: tuple[int, ...] = ()
    last_use = 0.0
    timer: threading.Timer | None = None


def _file_stamp(path: Path) -> tuple[int, ...]:
    return FileBackend(path).signature()


def _let_go() -> None:
    """Detach the held attachment (caller holds :data:`_PROCESS_LOCK`)."""
    if _Held.path is None:
        return
    _Held.path = None
    if _host is None or _host_pid != os.getpid():
        return
    try:
        _host.execute("DETACH report_db")
    except duckdb.Error:
        _drop_host()  # the attached file failed for good: start a new instance next time


def _let_go_when_idle() -> None:
    with _PROCESS_LOCK:
        if _Held.path is not None and time.monotonic() - _Held.last_use >= HOLD_SECONDS * 0.9:
            _let_go()


def _hold_for_a_while() -> None:
    """Let the attachment go :data:`HOLD_SECONDS` after this use unless used again."""
    _Held.last_use = time.monotonic()
    if _Held.timer is not None:
        _Held.timer.cancel()
    timer = threading.Timer(HOLD_SECONDS, _let_go_when_idle)
    timer.daemon = True
    timer.start()
    _Held.timer = timer


def release_readers() -> None:
    """Let go of this process's read-only attachment now (before a writer of this
    process opens the file, and for tests)."""
    with _PROCESS_LOCK:
        _let_go()


def _host_connection() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB, to which the file is attached per use.

    Starting a DuckDB instance costs 15-45 ms (its thread pool); attaching a file to a
    running one costs about 1 ms, and its first queries read the file's blocks again.
    Attaching takes and detaching releases the same file lock as opening and closing
    it: the attachment is held between a burst of queries and let go when a writer
    waits (see :class:`_Held`).
    """
    global _host, _host_pid
    if _host is None or _host_pid != os.getpid():  # a forked child needs its own
        _host = extensions.instance()
        _host_pid = os.getpid()
        _Held.path = None
    return _host


def _drop_host() -> None:
    global _host
    if _host is not None:
        with contextlib.suppress(duckdb.Error):
            _host.close()
    _host = None
    _Held.path = None


class FileBackend(Backend):
    """A DuckDB file: readers share one held read-only attachment, a writer attaches it
    read-write for one transaction (see the module docstring)."""

    constraints = True

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def label(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def signature(self) -> tuple[int, ...]:
        """(inode, mtime_ns, size) of the file and its WAL: any commit changes them."""
        parts: list[int] = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                parts += [0, 0, 0]
            else:
                parts += [stat.st_ino, stat.st_mtime_ns, stat.st_size]
        return tuple(parts)

    @contextlib.contextmanager
    def connect(
        self, *, read_only: bool, timeout: float | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file attached for one use; waits (bounded) while another process holds it."""
        db = self.path
        if read_only and not db.exists():
            raise StoreError(f"{db}: no database yet (run `indicators ingest` first)")
        if not read_only:
            db.parent.mkdir(parents=True, exist_ok=True)
        timeout = lock_timeout() if timeout is None else timeout
        if read_only:
            with self._read(timeout) as con:
                yield con
            return
        with _gate(db, hold=True, timeout=timeout), _PROCESS_LOCK:
            release_readers()  # this process's readers would hold the file against it
            con = extensions.instance(memory_limit="256MB", threads=1)
            try:
                self._attach(con, "", timeout)
                try:
                    con.execute("USE report_db")
                    yield con
                except duckdb.Error as error:
                    raise translate_error(db, error) from None
                finally:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("USE memory")
                        con.execute("DETACH report_db")
            finally:
                con.close()

    @contextlib.contextmanager
    def _read(self, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on this process's read-only attachment, made or re-made if needed."""
        db = self.path
        with _PROCESS_LOCK:
            waiting = _writer_waiting(db)  # if not, this process has passed the gate
            if waiting and _Held.path is not None:
                _let_go()  # else the writer, holding the gate, waits for this process
        passed = _gate(db, hold=False, timeout=timeout) if waiting else contextlib.nullcontext()
        with passed, _PROCESS_LOCK:
            stamp = _file_stamp(db)
            host = _host_connection()
            if _Held.path != db or _Held.stamp != stamp:
                _let_go()  # another file, or this one changed (replaced, restored)
                self._attach(host, " (READ_ONLY)", timeout)
                _Held.path, _Held.stamp = db, stamp
            con = host.cursor()
            try:
                con.execute("USE report_db")
                yield con
            except duckdb.Error as error:
                _let_go()
                raise translate_error(db, error) from None
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.close()
                _hold_for_a_while()

    def _attach(self, con: duckdb.DuckDBPyConnection, mode: str, timeout: float) -> None:
        """ATTACH the file as ``report_db``, retrying (bounded) while another process
        holds it."""
        db = self.path
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                con.execute(f"ATTACH {_quote(str(db))} AS report_db{mode}")
                return
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

    def after_commit(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CHECKPOINT")  # the WAL folded into the file before it is let go

    def compact(self) -> None:
        """Nothing: each write transaction's rows go into the file's own row groups."""


# --- a DuckLake ------------------------------------------------------------------------


def data_path_setting() -> str | None:
    """``INDICATORS_DATA_PATH``: where a new DuckLake keeps its Parquet files (a folder,
    or a URL DuckDB reaches); a lake remembers it in its catalog after that."""
    raw = os.environ.get("INDICATORS_DATA_PATH", "").strip()
    if not raw:
        return None
    if "://" in raw:
        return raw.rstrip("/") + "/"
    return str(Path(raw).expanduser().resolve()) + os.sep


def _is_conflict(error: Exception) -> bool:
    """A commit that lost to another's (DuckLake's optimistic concurrency): retry it."""
    text = str(error).lower()
    return isinstance(error, duckdb.TransactionException) or "conflict" in text


#: The advisory lock of the writers' turns (any number that other programs sharing the
#: catalog database do not lock): the first 63 bits of md5("indicators writers").
_TURN_KEY = 0x2A98D136AFB50938


class LakeBackend(Backend):
    """A DuckLake: one DuckDB per process with the lake attached, a cursor per use."""

    constraints = False
    costly_statements = True

    def __init__(self, catalog: str) -> None:
        self.catalog = catalog  # "ducklake:postgres:dbname=... host=..."
        rest = catalog.removeprefix(LAKE_PREFIX)
        #: The catalog's PostgreSQL connection string, if it is one.
        self._postgres = rest.removeprefix("postgres:") if rest.startswith("postgres:") else None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return re.sub(r"(password\s*=\s*)\S+", r"\1***", self.catalog)

    def _instance(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None or self._pid != os.getpid():
                con = extensions.instance()
                try:
                    needs = ["ducklake"]
                    if self._postgres is not None:
                        needs.insert(0, "postgres_scanner")
                    extensions.load(con, *needs)
                    # Each query reads the footers of the Parquet files it scans; the
                    # events' is 1.7 MB at 1.4 million events (its row groups' stats),
                    # 10-25 ms a query. A lake's files never change (a change is a new
                    # file), so their footers are kept once read.
                    con.execute("SET GLOBAL parquet_metadata_cache = true")
                    self._attach(con)
                except (duckdb.Error, extensions.ExtensionMissing) as error:
                    con.close()
                    if isinstance(error, duckdb.Error):
                        raise translate_error(
                            self.catalog, error, doing="cannot open the store"
                        ) from None
                    raise StoreError(f"{self.label}: cannot open the store ({error})") from None
                self._con, self._pid = con, os.getpid()
            return self._con

    def _attach(self, con: duckdb.DuckDBPyConnection) -> None:
        data_path = data_path_setting()
        options = f" (DATA_PATH {_quote(data_path)})" if data_path else ""
        deadline = time.monotonic() + lock_timeout()
        while True:
            try:
                con.execute(f"ATTACH {_quote(self.catalog)} AS report_db{options}")
                return
            except duckdb.Error as error:
                # Processes attaching a new lake at once all create its catalog tables;
                # PostgreSQL lets one win. The others attach to what it made.
                racing = "initialize ducklake" in str(error).lower()
                if not racing or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + 0.1 * random.random())

    def close(self) -> None:
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None

    def exists(self) -> bool:
        with self.connect(read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM duckdb_tables() "
                "WHERE database_name = 'report_db' AND table_name = 'schema_version'"
            ).fetchall()
            return bool(found[0][0])

    def signature(self) -> tuple[int, ...]:
        """The lake's latest snapshot id: every commit, from any machine, makes one.

        On a PostgreSQL catalog it is read there directly, as DuckLake's specification
        defines it (the highest ``snapshot_id`` of ``ducklake_snapshot``): 1 ms, where
        ``current_snapshot()`` opens a lake transaction first (3-5 ms). Every rerun of a
        dashboard page asks it once or more.
        """
        if self._postgres is None:
            with self.connect(read_only=True) as con:
                return (int(con.execute("FROM report_db.current_snapshot()").fetchall()[0][0]),)
        con = self._catalog()
        try:
            latest = "SELECT max(snapshot_id) FROM ducklake_snapshot"
            found = con.execute("FROM postgres_query('lake_catalog', ?)", [latest]).fetchall()
            return (int(found[0][0]),)
        except duckdb.Error as error:
            raise translate_error(self.catalog, error) from None
        finally:
            con.close()

    def _catalog(self) -> duckdb.DuckDBPyConnection:
        """A cursor with the catalog's PostgreSQL database attached as ``lake_catalog``
        (once per process: by the first signature or write)."""
        assert self._postgres is not None
        con = self._instance().cursor()
        try:
            con.execute(
                f"ATTACH IF NOT EXISTS {_quote(self._postgres)} AS lake_catalog (TYPE postgres)"
            )
        except duckdb.Error as error:
            con.close()
            raise translate_error(self.catalog, error, doing="cannot open the store") from None
        return con

    @contextlib.contextmanager
    def connect(
        self, *, read_only: bool, timeout: float | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this process's lake connection (never shared across threads)."""
        con = self._instance().cursor()
        try:
            con.execute("USE report_db")
            yield con
        except duckdb.Error as error:
            if _is_conflict(error) and not read_only:
                raise  # transact() retries it
            raise translate_error(self.catalog, error) from None
        finally:
            con.close()

    def after_commit(self, con: duckdb.DuckDBPyConnection) -> None:
        """Nothing: a DuckLake commit has written its Parquet files and catalog rows."""

    def compact(self) -> None:
        """Merge each table's Parquet files, one per write transaction, into few (the
        search index's come out sorted: it is ``SET SORTED BY``). Every query reads each
        file's metadata: at 52,000 reports in 26 transactions, a search for 大使 over
        all series took 7.7 s before and 0.5 s after (BENCHMARKS.md). A writer that
        commits meanwhile wins; this merge then gives way, and the next bulk ingest
        merges again."""
        try:
            with self.connect(read_only=False) as con:
                con.execute("CALL ducklake_merge_adjacent_files('report_db')")
        except duckdb.Error as error:
            if not _is_conflict(error):
                raise

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn to write the lake: writers take turns.

        DuckLake's concurrency is optimistic: a commit that overlaps another writer's
        on a table is refused, and retried. Left at that, a long transaction (a chunk of
        a re-extraction, a batch of an ingest) can lose to a stream of short ones (an
        analyst's corrections) until it gives up. So on a PostgreSQL catalog every
        writer first takes a transaction-level advisory lock in PostgreSQL, which queues
        waiters in order and is let go at the end of the turn, or when the process dies.
        Readers never take it. The wait is bounded by the lock timeout; another catalog
        (a DuckDB or SQLite file, one machine) keeps the retries alone.
        """
        if self._postgres is None:
            yield
            return
        turn = self._catalog()  # the catalog's database, for the lock
        try:
            turn.execute("BEGIN TRANSACTION")
            wait_ms = int(lock_timeout() * 1000)
            # One round trip: the wait's bound, then the lock (let go at COMMIT).
            lock = (
                f"SELECT set_config('lock_timeout', '{wait_ms}ms', true), "
                f"pg_advisory_xact_lock({_TURN_KEY})"
            )
            try:
                turn.execute("FROM postgres_query('lake_catalog', ?)", [lock]).fetchall()
            except duckdb.Error as error:
                if "lock timeout" not in str(error).lower():
                    raise translate_error(self.catalog, error, doing="cannot write") from None
                raise StoreError(
                    f"{self.label}: another writer kept the store for over "
                    f"{lock_timeout():.0f} s (INDICATORS_LOCK_TIMEOUT)"
                ) from None
            yield
        finally:
            with contextlib.suppress(duckdb.Error):
                turn.execute("COMMIT")
            turn.close()

    def transact(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work`` in this process's turn (:meth:`_turn`) until it commits: a commit
        that still conflicts with another writer's (one without turns: a merge of files,
        an older version of this program) is rolled back and run again on the new state,
        bounded by the lock timeout."""
        deadline = time.monotonic() + lock_timeout()
        delay = 0.02
        while True:
            with self._turn(), self.connect(read_only=False) as con:
                try:
                    return work(con)
                except duckdb.Error as error:
                    if not _is_conflict(error):
                        raise
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.label}: other writers kept conflicting with this one "
                            f"(gave up after {lock_timeout():.0f} s)"
                        ) from error
            # Jitter, so that writers who collided do not collide again in step.
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


_lakes: dict[str, LakeBackend] = {}


def backend(db: Location) -> Backend:
    """The backend for a location (a lake's is kept: it holds the process's connection)."""
    if isinstance(db, str) and db.startswith(LAKE_PREFIX):
        with _PROCESS_LOCK:
            return _lakes.setdefault(db, LakeBackend(db))
    return FileBackend(Path(db))


def forget(db: Location) -> None:
    """Close this process's connection to a lake (tests, and a process that is done)."""
    with _PROCESS_LOCK:
        lake = _lakes.pop(str(db), None)
    if lake is not None:
        lake.close()


def connect(
    db: Location, *, read_only: bool, timeout: float | None = None
) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """One use of the store; waits (bounded) while another process holds a file.
    Tables are addressed by their plain names."""
    return backend(db).connect(read_only=read_only, timeout=timeout)


def signature(db: Location) -> tuple[int, ...]:
    """What changes when the store does (see :meth:`Backend.signature`)."""
    return backend(db).signature()


def compact(db: Location) -> None:
    """Upkeep after a bulk write (merging a lake's files; nothing for a file)."""
    backend(db).compact()


def exists(db: Location) -> bool:
    return backend(db).exists()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The one value of a query (fetched whole, so nothing is left open on the cursor)."""
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def query(
    db: Location, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> pd.DataFrame:
    """Rows of a read-only, parameterised query as a DataFrame."""
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).df()


def query_arrow(
    db: Location, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> pa.Table:
    """Rows of a read-only, parameterised query as an Arrow table (numeric columns reach
    numpy without a copy per value; strings stay Arrow strings)."""
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).to_arrow_table()
