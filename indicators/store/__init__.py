"""The store: DuckDB schema and migrations, ingest, and read-only queries.

Split by concern: :mod:`~indicators.store.connection` (opening the database, locks,
waits), :mod:`~indicators.store.schema` (tables and migrations) and
:mod:`~indicators.store.writing` (staging parsed reports and storing them). Callers use
the names re-exported here.
"""

from indicators.store.connection import (
    DEFAULT_DB,
    StoreError,
    connect,
    default_db,
    lock_timeout,
    query,
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
    "Outcome",
    "Parsed",
    "Staged",
    "StagedChunk",
    "StoreError",
    "connect",
    "default_db",
    "ensure_db",
    "lock_timeout",
    "migrate",
    "query",
    "row_counts",
    "schema_version",
    "search_text",
    "stage",
    "write",
]
