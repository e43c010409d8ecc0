"""Schema and migrations: a database of any older version brought to the current one
(the tables themselves are written down in :mod:`indicators.store.tables`)."""

from __future__ import annotations

import contextlib

import duckdb

from indicators.store import aggregates, tables
from indicators.store.connection import Location, StoreError, _scalar, backend, connect

# Each entry migrates the schema from version i to i + 1, made from the table spec.
MIGRATIONS: tuple[str, ...] = tuple(
    tables.migration(version, constraints=True) for version in range(1, tables.SCHEMA_VERSION + 1)
)
SCHEMA_VERSION = tables.SCHEMA_VERSION
TABLES = tables.DATA


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


def migrate(con: duckdb.DuckDBPyConnection, *, constraints: bool = True) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before.

    ``constraints``: whether the backend takes PRIMARY KEY and UNIQUE (a file does,
    DuckLake does not). Each step is one transaction; on DuckLake two processes
    migrating at once conflict, and the one retried finds the work done.
    """
    before: int | None = None
    while True:
        # The version is read inside the step's transaction: another process may have
        # migrated since this one last looked (on DuckLake, a step both take conflicts).
        con.execute("BEGIN TRANSACTION")
        try:
            found = schema_version(con)
            before = found if before is None else before
            if found > SCHEMA_VERSION:
                raise StoreError(
                    f"the database has schema version {found}, newer than this program "
                    f"({SCHEMA_VERSION}): update the program"
                )
            if found == SCHEMA_VERSION:
                con.execute("COMMIT")
                return before
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)"
            )
            step = tables.migration(found + 1, constraints=constraints)
            if step:  # a version another branch took may have nothing here
                con.execute(step)
            if found + 1 == aggregates.SINCE:  # the weekly values of the reports stored
                aggregates.rebuild(con, ends=False)  # line_ends comes later
            if found + 1 == aggregates.ENDS_SINCE:  # and their lines' ends
                aggregates.rebuild_ends(con)
            con.execute("INSERT INTO schema_version VALUES (?, now())", [found + 1])
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has rolled back already
                con.execute("ROLLBACK")
            raise


def ensure_db(db: Location) -> None:
    """Create the store and its schema if needed (a no-op when current)."""
    store = backend(db)
    store.transact(lambda con: migrate(con, constraints=store.constraints))


def row_counts(db: Location) -> dict[str, int]:
    """Rows per table (for tests and the CLI's summary)."""
    with connect(db, read_only=True) as con:
        return {table: int(_scalar(con, f"SELECT count(*) FROM {table}")) for table in TABLES}
