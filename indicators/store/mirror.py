"""A dashboard's local copy of what a lake's event search reads: the search index, and
the columns of the events and reports that a page of results shows.

On a DuckLake every statement first asks the catalog for the snapshot and its files,
and a page of 50 events spread over a million reads a block of every text column for
each of them from Parquet: at 1.4 million events a search took 60-300 ms there, against
20-50 ms on a DuckDB file (BENCHMARKS.md). So a dashboard process keeps a DuckDB file of
its own on local disk (``INDICATORS_SEARCH_MIRROR``, by default the user's cache folder)
with those three tables, brought up to the lake's latest snapshot in a background
thread:

- the first time, or when it cannot be brought up to date, it is copied whole at one
  snapshot (``AT (VERSION => n)``) into a new file that then takes the old one's place
  (14 s at 1.4 million events, 1.1 GB);
- after that, from the lake's change feed (``table_changes``) between the snapshot it
  holds and the latest: reports and events deleted are removed by their key, those
  still there at the end are added, and the index follows the events; all in one
  transaction with the snapshot it now holds (1-3 s after an ingest). The row counts
  are then checked against the lake's at that snapshot; a copy that differs is made
  again whole, and so is a copy file that is damaged.

A search uses the copy only when it holds the very snapshot the search's frame was read
at (:func:`reading`); otherwise the lake answers, as without a copy, and the copy
catches up meanwhile. So a search never sees an older store than the lake's, and is
exact either way. One process at a time keeps a copy file: another process that finds
it taken goes without one. Only processes that :func:`enable` it keep one (the
dashboard): a command-line run would pay the copy for nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from indicators.store import connection, schema, search

log = logging.getLogger(__name__)

#: The copy's layout; a copy of another layout is made again.
FORMAT = 1
NAME = "search_mirror"
SETTING = "INDICATORS_SEARCH_MIRROR"

#: Per table: its key (what identifies a row to remove) and the columns copied.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reports": (("report_id",), ("report_id", "published", "series", "is_sample", "file_name")),
    "events": (
        ("event_id",),
        (
            "event_id",
            "report_id",
            "event_seq",
            "first_date",
            "section",
            "headline",
            "body",
            "sources",
            "dates",
        ),
    ),
    "event_postings": (("gram", "code"), ("gram", "code")),
}
#: Indexes of the copy: a page's rows are looked up by their ids (as on a file).
INDEXES = {"events": "event_id", "reports": "report_id"}


def folder() -> Path | None:
    """Where copies are kept (``INDICATORS_SEARCH_MIRROR``; ``off``: nowhere)."""
    raw = os.environ.get(SETTING, "").strip()
    if raw.lower() == "off":
        return None
    if raw:
        return Path(raw).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache) / "indicators"


def _path(lake: connection.LakeBackend) -> Path | None:
    where = folder()
    if where is None:
        return None
    # The catalog and the data path name the lake (the data path is not a secret, and
    # the catalog's password is only hashed).
    name = f"{lake.catalog}\n{connection.data_path_setting() or ''}"
    return where / f"search-{hashlib.sha256(name.encode()).hexdigest()[:16]}.duckdb"


class Mirror:
    """One lake's copy in this process: attached to the process's lake instance."""

    def __init__(self, lake: connection.LakeBackend, path: Path) -> None:
        self.lake = lake
        self.path = path
        self.attached = False
        self.unusable = False  # taken by another process, or cannot be made here
        #: Bring the copy up to date in the search that finds it behind, not in the
        #: background (tests and benchmarks: the copy is then always the one read).
        self.inline = False
        self.whole_copies = 0  # how many times it was copied whole (tests, benchmarks)
        self.reads = 0  # searches it answered
        self._lock = threading.Lock()  # attaching, detaching, the one sync at a time
        #: Searches reading the copy now: it is detached only when there are none.
        self._in_use = threading.Condition()
        self._readers = 0
        self._syncing: threading.Thread | None = None

    # --- reading --------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self, snapshot: int) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A cursor on the copy, in a transaction, if the copy holds ``snapshot``; else
        None (and the copy is brought up to date in the background)."""
        if self.inline and not self.unusable:
            self._sync_quietly()
        with self._in_use:
            counted = self.attached
            self._readers += counted
        if not counted:
            self.catch_up()
            yield None
            return
        con = self.lake._instance().cursor()
        try:
            try:
                con.execute(f"USE {NAME}")
                con.execute("BEGIN TRANSACTION")
                held = con.execute("SELECT snapshot FROM mirror_state").fetchall()
            except duckdb.Error as error:
                log.warning("%s: the search's local copy cannot be read (%s)", self.path, error)
                held = []
            if not held or held[0][0] != snapshot:
                self.catch_up()
                yield None
                return
            self.reads += 1
            try:
                yield con
            except duckdb.Error as error:
                raise connection.translate_error(self.path, error) from None
        finally:
            con.close()  # ends the transaction: nothing was written
            with self._in_use:
                self._readers -= 1
                self._in_use.notify_all()

    # --- keeping it up to date ------------------------------------------------------

    def catch_up(self) -> None:
        """Start bringing the copy up to date in a background thread (if not already)."""
        if self.unusable:
            return
        with self._lock:
            if self._syncing is not None and self._syncing.is_alive():
                return
            self._syncing = threading.Thread(
                target=self._sync_quietly, name="search-mirror", daemon=True
            )
            self._syncing.start()

    def wait(self) -> None:
        """Wait for a running catch-up (tests, benchmarks)."""
        running = self._syncing
        if running is not None:
            running.join()

    def _sync_quietly(self) -> None:
        try:
            self.sync()
        except (duckdb.Error, OSError, connection.StoreError) as error:
            # The lake still answers every search; say once why the copy does not.
            log.warning("%s: the search's local copy is not kept (%s)", self.path, error)
            self.unusable = True

    def sync(self) -> int:
        """Bring the copy to the lake's latest snapshot; that snapshot."""
        target = self.lake.signature()[0]
        with self.lake.connect(read_only=True) as con:
            version = schema.schema_version(con)
            if not self._attach(con):
                return target
            held = con.execute(f"SELECT snapshot, format, lake_version FROM {NAME}.mirror_state")
            state = held.fetchall()
            if state and state[0][0] == target and state[0][1:] == (FORMAT, version):
                return target
            if state and state[0][1:] == (FORMAT, version) and state[0][0] < target:
                if self._apply_changes(con, state[0][0], target, version):
                    return target
                log.warning("%s: the copy differed from the lake; made again", self.path)
            self._copy_whole(con, target, version)
            return target

    def _attach(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Attach the copy (made empty if new); False if another process holds it."""
        with self._lock:
            if self.attached:
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            attach = f"ATTACH {connection._quote(str(self.path))} AS {NAME}"
            try:
                con.execute(attach)
            except duckdb.Error as error:
                if "lock" in str(error).lower():
                    log.info("%s: kept by another process; this one searches the lake", self.path)
                    self.unusable = True
                    return False
                # Not a DuckDB file, or a damaged one: it is only a copy; make it again.
                log.warning("%s: the search's local copy is made again (%s)", self.path, error)
                self.path.unlink(missing_ok=True)
                self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)
                con.execute(attach)
            _create(con, NAME)
            self.attached = True
            return True

    def _apply_changes(
        self, con: duckdb.DuckDBPyConnection, held: int, target: int, version: int
    ) -> bool:
        """The lake's changes after snapshot ``held`` up to ``target``, in one
        transaction; whether the copy then has the lake's row counts.

        The reports' and events' changes come from the change feed, read once each. The
        index follows the events (its rows are written and deleted with them): the
        rows of the events that left are removed, and those of the events added are
        read from the lake by their range of codes, which skips the files written
        before them. The feed of the index itself has to find each deleted row's
        values in the large merged files: 4-5 s for 20 reports at 1.4 million events,
        where this takes well under one.
        """
        changed = {}
        for table in ("reports", "events"):
            listed = ", ".join(TABLES[table][1])
            changed[table] = f"mirror_changed_{table}"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {changed[table]} AS "
                f"SELECT rowid AS lake_rowid, snapshot_id, change_type, {listed} "
                f"FROM report_db.table_changes('{table}', {held + 1}, {target})"
            )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE mirror_added_events AS SELECT event_id FROM "
            f"{_latest(changed['events'])}"
        )
        added = con.execute(
            "SELECT min(event_id), max(event_id) FROM mirror_added_events"
        ).fetchall()[0]
        con.execute("BEGIN TRANSACTION")
        try:
            for table in ("reports", "events"):
                key, columns = TABLES[table]
                # Rows that left (a delete, or the old side of an update), by key; then
                # the rows whose last change in the range put them there.
                same = " AND ".join(f"t.{column} = gone.{column}" for column in key)
                con.execute(
                    f"DELETE FROM {NAME}.{table} t USING {changed[table]} gone "
                    f"WHERE gone.change_type IN ('delete', 'update_preimage') AND {same}"
                )
                con.execute(
                    f"INSERT INTO {NAME}.{table} SELECT {', '.join(columns)} "
                    f"FROM {_latest(changed[table])}"
                )
            left = (
                f"SELECT event_id FROM {changed['events']} "
                "WHERE change_type IN ('delete', 'update_preimage')"
            )
            if con.execute(f"SELECT count(*) FROM ({left})").fetchall()[0][0]:
                # (a scan of the index: 1.3 s at 187 million rows; none for a week's
                # new reports or an analyst's corrections, which delete no events)
                con.execute(
                    f"DELETE FROM {NAME}.event_postings "
                    f"WHERE code >> {search.POSITION_BITS} IN ({left})"
                )
            if added[0] is not None:
                low, high = search._event_codes(int(added[0]), int(added[1]))
                con.execute(
                    f"INSERT INTO {NAME}.event_postings SELECT gram, code "
                    f"FROM report_db.event_postings AT (VERSION => {target}) "
                    f"WHERE code BETWEEN {low} AND {high} AND code >> {search.POSITION_BITS} "
                    "IN (SELECT event_id FROM mirror_added_events)"
                )
            con.execute(
                f"UPDATE {NAME}.mirror_state SET snapshot = ?, format = ?, lake_version = ?",
                [target, FORMAT, version],
            )
            if not _same_counts(con, NAME, target):
                con.execute("ROLLBACK")
                return False
            con.execute("COMMIT")
            return True
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            for name in (*changed.values(), "mirror_added_events"):
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {name}")

    def _copy_whole(self, con: duckdb.DuckDBPyConnection, target: int, version: int) -> None:
        """Copy the three tables at ``target`` into a new file, which then takes the
        place of the old copy (searches meanwhile ask the lake)."""
        self.whole_copies += 1
        fresh = self.path.with_name(self.path.name + ".new")
        fresh.unlink(missing_ok=True)
        building = f"{NAME}_new"
        con.execute(f"ATTACH {connection._quote(str(fresh))} AS {building}")
        done = False
        try:
            _create(con, building, indexes=False)
            for table, (_, columns) in TABLES.items():
                listed = ", ".join(columns)
                con.execute(
                    f"INSERT INTO {building}.{table} "
                    f"SELECT {listed} FROM report_db.{table} AT (VERSION => {target})"
                )
            for table, column in INDEXES.items():
                con.execute(f"CREATE INDEX {table}_{column} ON {building}.{table} ({column})")
            con.execute(
                f"INSERT INTO {building}.mirror_state VALUES (?, ?, ?)", [target, FORMAT, version]
            )
            done = True
        finally:
            con.execute(f"DETACH {building}")
            if not done:  # a full disk, a lake gone meanwhile: leave nothing half made
                fresh.unlink(missing_ok=True)
                fresh.with_name(fresh.name + ".wal").unlink(missing_ok=True)
        with self._lock:
            self._detach(con)
            os.replace(fresh, self.path)  # (detached: checkpointed, no WAL beside it)
            con.execute(f"ATTACH {connection._quote(str(self.path))} AS {NAME}")
            self.attached = True

    def _detach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Detach the copy once no search reads it (new ones ask the lake meanwhile)."""
        with self._in_use:
            if not self.attached:
                return
            self.attached = False
            self._in_use.wait_for(lambda: self._readers == 0)
            con.execute(f"DETACH {NAME}")

    def close(self) -> None:
        with self._lock, contextlib.suppress(duckdb.Error):
            self._detach(self.lake._instance().cursor())


def _latest(changes: str) -> str:
    """The rows of a table of changes whose last change in its range put them there
    (an insert, or the new side of an update), as a subquery."""
    return (
        "(SELECT * EXCLUDE (latest) FROM (SELECT *, row_number() OVER (PARTITION BY lake_rowid "
        "ORDER BY snapshot_id DESC, change_type IN ('insert', 'update_postimage') DESC) "
        f"AS latest FROM {changes}) WHERE latest = 1 "
        "AND change_type IN ('insert', 'update_postimage'))"
    )


def _create(con: duckdb.DuckDBPyConnection, database: str, *, indexes: bool = True) -> None:
    """The copy's tables (their types as the lake's), if missing."""
    for table, (_, columns) in TABLES.items():
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {database}.{table} AS "
            f"SELECT {', '.join(columns)} FROM report_db.{table} LIMIT 0"
        )
    if indexes:
        for table, column in INDEXES.items():
            con.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {database}.{table} ({column})"
            )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {database}.mirror_state "
        "(snapshot BIGINT, format INTEGER, lake_version INTEGER)"
    )


def _same_counts(con: duckdb.DuckDBPyConnection, database: str, target: int) -> bool:
    """Whether the copy's tables have as many rows as the lake's at ``target``."""
    for table in TABLES:
        ours = con.execute(f"SELECT count(*) FROM {database}.{table}").fetchall()[0][0]
        theirs = con.execute(
            f"SELECT count(*) FROM report_db.{table} AT (VERSION => {target})"
        ).fetchall()[0][0]
        if ours != theirs:
            return False
    return True


# --- per process ------------------------------------------------------------------------

_MIRRORS: dict[str, Mirror] = {}
_ENABLED: set[str] = set()
_GUARD = threading.Lock()


def enable(db: connection.Location, *, inline: bool = False) -> Mirror | None:
    """Keep a local copy of this lake's search in this process (a no-op for a file, or
    where ``INDICATORS_SEARCH_MIRROR`` is ``off``); starts the first copy, and returns
    the copy. ``inline``: a search that finds the copy behind brings it up to date
    first (tests)."""
    lake = connection.backend(db)
    if not isinstance(lake, connection.LakeBackend):
        return None
    with _GUARD:
        first = str(db) not in _ENABLED
        _ENABLED.add(str(db))
    found = mirror(db)
    if found is not None:
        found.inline = inline
        if first and not inline:
            found.catch_up()
    return found


def mirror(db: connection.Location) -> Mirror | None:
    """This process's copy of a lake's search, if it keeps one."""
    if str(db) not in _ENABLED:
        return None
    lake = connection.backend(db)
    if not isinstance(lake, connection.LakeBackend):
        return None
    with _GUARD:
        found = _MIRRORS.get(str(db))
        if found is None or found.lake is not lake:
            path = _path(lake)
            if path is None:
                return None
            found = _MIRRORS[str(db)] = Mirror(lake, path)
        return found


@contextlib.contextmanager
def reading(
    db: connection.Location, signature: tuple[int, ...] | None
) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the local copy of ``db``'s search when it holds the store at
    ``signature`` (its tables by their plain names), else None: ask the store."""
    found = None if signature is None else mirror(db)
    if found is None or signature is None:
        yield None
        return
    with found.reading(signature[0]) as con:
        yield con


def disable(db: connection.Location) -> None:
    """Stop keeping a copy in this process (tests); the file stays for the next one."""
    with _GUARD:
        _ENABLED.discard(str(db))
        found = _MIRRORS.pop(str(db), None)
    if found is not None:
        found.wait()
        found.close()
