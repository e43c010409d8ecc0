"""The store: a DuckDB file or a DuckLake; schema and migrations, ingest, and queries.

Split by concern: :mod:`~indicators.store.connection` (the two backends: opening,
locks, waits, retries), :mod:`~indicators.store.tables` (the tables, written down
once), :mod:`~indicators.store.schema` (migrations), :mod:`~indicators.store.writing`
(staging parsed reports and storing them), :mod:`~indicators.store.mirror` (a
dashboard's local copy of a lake's search) and :mod:`~indicators.store.extensions`
(DuckDB extensions from installed packages, never downloaded). Callers use the names
re-exported here.
"""

from indicators.store import mirror
from indicators.store.connection import (
    DEFAULT_DB,
    Location,
    StoreError,
    backend,
    compact,
    connect,
    default_db,
    exists,
    location,
    lock_timeout,
    query,
    query_arrow,
    signature,
    translate_error,
)
from indicators.store.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    TABLES,
    ensure_db,
    migrate,
    row_counts,
    schema_version,
)
from indicators.store.writing import (
    SAMPLE_MARKERS,
    CheckpointError,
    Outcome,
    Parsed,
    Staged,
    StagedChunk,
    search_text,
    stage,
    write,
)

__all__ = [
    "DEFAULT_DB",
    "MIGRATIONS",
    "SAMPLE_MARKERS",
    "SCHEMA_VERSION",
    "TABLES",
    "CheckpointError",
    "Location",
    "Outcome",
    "Parsed",
    "Staged",
    "StagedChunk",
    "StoreError",
    "backend",
    "compact",
    "connect",
    "default_db",
    "ensure_db",
    "exists",
    "location",
    "lock_timeout",
    "migrate",
    "mirror",
    "query",
    "query_arrow",
    "row_counts",
    "schema_version",
    "search_text",
    "signature",
    "stage",
    "translate_error",
    "write",
]
