"""Schema and migrations: the tables, and how a database of any older version is
brought to the current one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from indicators.store.connection import StoreError, _scalar, connect

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
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("reports", "events", "observations", "quantities", "ingest_log")


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


def row_counts(db: Path) -> dict[str, int]:
    """Rows per table (for tests and the CLI's summary)."""
    with connect(db, read_only=True) as con:
        return {table: int(_scalar(con, f"SELECT count(*) FROM {table}")) for table in TABLES}
