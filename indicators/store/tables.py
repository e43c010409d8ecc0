"""The tables, written down once: their DDL, migrations and Arrow schemas are made here.

A column is added by one entry in :data:`TABLES` with ``since`` set to the next schema
version (and, if old rows need a value, a statement in :data:`BACKFILLS`); the
migration that adds it, the schema a worker stages rows in and the writer's bulk
insert all follow from that entry. A released entry is never edited nor reordered:
databases in the field were made by it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pyarrow as pa

from indicators.store import search

# DuckDB types as Arrow types (what workers stage rows in). A list type is "T[]".
_ARROW_TYPES: dict[str, pa.DataType] = {
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def arrow_type(sql_type: str) -> pa.DataType:
    """The Arrow type a DuckDB column type is staged in.

    >>> arrow_type("DATE[]")
    ListType(list<item: date32[day]>)
    """
    if sql_type.endswith("[]"):
        return pa.list_(arrow_type(sql_type[:-2]))
    return _ARROW_TYPES[sql_type]


@dataclass(frozen=True)
class Column:
    """One column: its DuckDB type, whether it may be NULL, and the version that added it."""

    name: str
    type: str
    not_null: bool = False
    #: the schema version whose migration adds the column
    since: int = 1
    #: filled in by the writer (ids, clocks), not staged by the worker that parses
    staged: bool = True
    comment: str = ""

    @property
    def arrow(self) -> pa.Field:
        return pa.field(self.name, arrow_type(self.type))

    def ddl(self) -> str:
        return f"{self.name} {self.type}{' NOT NULL' if self.not_null else ''}"


@dataclass(frozen=True)
class Table:
    """One table: its columns in storage order, and the keys the file backend enforces."""

    name: str
    columns: tuple[Column, ...]
    since: int = 1
    #: enforced where the backend can (a DuckDB file); DuckLake has no such constraints
    primary_key: str | None = None
    unique: tuple[str, ...] = ()
    #: the store's own bookkeeping, not data (left out of row counts)
    internal: bool = False
    #: the schema version whose migration drops the table (None: it is current)
    dropped: int | None = None
    #: the order a DuckLake keeps its files in (``SET SORTED BY``: compaction and
    #: inserts write sorted files, so column statistics prune lookups)
    sorted_by: str | None = None
    #: (column, schema version) of the indexes a DuckDB file keeps (DuckLake has none)
    indexed: tuple[tuple[str, int], ...] = ()
    #: (rows, schema version): the rows per Parquet row group a DuckLake writes this
    #: table's files in from that version on (None: the lake's default, 122,880)
    lake_row_group: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        # ALTER TABLE appends: a column added later must come after the older ones, and
        # cannot be NOT NULL (the rows already there have no value for it).
        versions = [column.since for column in self.columns]
        if versions != sorted(versions) or versions[0] != self.since:
            raise ValueError(f"{self.name}: columns must be in the order they were added")
        for column in self.columns:
            if column.since > self.since and column.not_null:
                raise ValueError(f"{self.name}.{column.name}: an added column may be NULL")

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def create(self, *, constraints: bool) -> str:
        """``CREATE TABLE`` with the columns this table was created with."""
        entries = [(c.ddl(), c.comment) for c in self.columns if c.since == self.since]
        if constraints and self.primary_key:
            entries.append((f"PRIMARY KEY ({self.primary_key})", ""))
        if constraints:
            entries += [(f"UNIQUE ({column})", "") for column in self.unique]
        lines = [
            f"    {ddl}{',' if i < len(entries) - 1 else ''}{f'  -- {note}' if note else ''}"
            for i, (ddl, note) in enumerate(entries)
        ]
        return f"CREATE TABLE {self.name} (\n" + "\n".join(lines) + "\n);"

    def added(self, version: int) -> list[str]:
        """``ALTER TABLE`` statements for the columns the given version adds."""
        return [
            f"ALTER TABLE {self.name} ADD COLUMN {column.name} {column.type};"
            for column in self.columns
            if column.since == version and version > self.since
        ]

    @property
    def arrow_schema(self) -> pa.Schema:
        """Every column, as the writer inserts them."""
        return pa.schema([column.arrow for column in self.columns])

    @property
    def staged_schema(self) -> pa.Schema:
        """What a worker stages: ``_item`` (which report of its chunk) for the writer's
        columns (the report id, the ingest time), then the columns it fills in."""
        staged = [column.arrow for column in self.columns if column.staged]
        return pa.schema([pa.field("_item", pa.int32()), *staged])


#: A line's decided value of one week (``weekly_stated``, schema 9; the same columns
#: open ``line_ends``, schema 10), in the order the tables have them.
WEEKLY_VALUE: tuple[Column, ...] = (
    Column("series", "VARCHAR", True, since=9),
    Column("is_sample", "BOOLEAN", True, since=9),
    Column("indicator", "VARCHAR", True, since=9),
    Column("dim", "VARCHAR", True, since=9, comment="the dimension, '' for none"),
    Column("unit", "VARCHAR", True, since=9),
    Column("week", "DATE", True, since=9),
    Column("value", "DOUBLE", True, since=9),
    Column("qualifier", "VARCHAR", since=9),
    Column("n_obs", "BIGINT", True, since=9),
    Column("report_published", "DATE", since=9),
    Column("source", "VARCHAR", since=9),
    Column("evidence", "VARCHAR", since=9),
    Column("counterparties", "VARCHAR", since=9),
    Column("as_of", "DATE", since=9),
    Column("last_report_week", "DATE", True, since=9, comment="of the reports weighed"),
    Column("n_stated", "BIGINT", True, since=9, comment="statements weighed"),
    Column("line", "BIGINT", True, since=9, comment="the line's number (a hash)"),
    Column("origin", "VARCHAR", since=9, comment="extracted, corrected or assigned"),
    Column("original_value", "DOUBLE", since=9, comment="as extracted, if changed"),
    Column("changed_by", "VARCHAR", since=9),
    Column("changed_at", "TIMESTAMP", since=9),
)
#: For which scopes a decided row holds: with and without sample data ...
SAMPLE_SCOPES: tuple[Column, ...] = (
    Column("sample_ok", "BOOLEAN", True, since=9, comment="holds with sample data"),
    Column("real_ok", "BOOLEAN", True, since=9, comment="holds without sample data"),
)
#: ... and for deals by counterparty or summed.
DIMENSION_SCOPES: tuple[Column, ...] = (
    Column("dim_ok", "BOOLEAN", True, since=9, comment="holds for deals by counterparty"),
    Column("line_ok", "BOOLEAN", True, since=9, comment="holds for deals summed"),
)
#: What ``line_ends`` keeps beside a line's latest value: the statement before it, the
#: latest at least 4 and 52 weeks before it, the line's first week and whether any of
#: its weeks is from sample data.
LINE_END_BACK: tuple[Column, ...] = (
    Column("prev_week", "DATE", since=10, comment="the statement before"),
    Column("prev_value", "DOUBLE", since=10),
    Column("prev_qualifier", "VARCHAR", since=10),
    Column("back4_week", "DATE", since=10, comment="the latest at least 4 weeks before"),
    Column("back4_value", "DOUBLE", since=10),
    Column("back4_qualifier", "VARCHAR", since=10),
    Column("back52_week", "DATE", since=10, comment="the latest at least 52 weeks before"),
    Column("back52_value", "DOUBLE", since=10),
    Column("back52_qualifier", "VARCHAR", since=10),
    Column("first_week", "DATE", True, since=10, comment="of the first statement"),
    Column("any_sample", "BOOLEAN", True, since=10, comment="a week from sample data"),
)


def _added(columns: tuple[Column, ...], version: int) -> tuple[Column, ...]:
    """The same columns in a table that schema ``version`` creates."""
    return tuple(replace(column, since=version) for column in columns)


TABLES: tuple[Table, ...] = (
    Table(
        "reports",
        (
            Column("report_id", "INTEGER", not_null=True, staged=False),
            Column("report_key", "VARCHAR", True, comment="series + publication date + period"),
            Column("series", "VARCHAR", True, comment="country｜issuer"),
            Column("country", "VARCHAR", True),
            Column("title", "VARCHAR", True),
            Column("issuer", "VARCHAR", True),
            Column("published", "DATE", True),
            Column("period_start", "DATE"),
            Column("period_end", "DATE"),
            Column("is_sample", "BOOLEAN", True),
            Column("file_name", "VARCHAR", True),
            Column("file_sha256", "VARCHAR", True),
            Column("file_bytes", "BIGINT", True),
            Column("n_events", "INTEGER", True),
            Column("n_observations", "INTEGER", True),
            Column("ingested_at", "TIMESTAMP", True, staged=False),
        ),
        primary_key="report_id",
        unique=("report_key",),
    ),
    Table(
        "events",
        (
            # (report_id, event_seq) is unique by construction, and not indexed
            Column("report_id", "INTEGER", True, staged=False),
            Column("event_seq", "INTEGER", True),
            Column("section", "VARCHAR", True),
            Column("headline", "VARCHAR", True),
            Column("body", "VARCHAR", True),
            Column("dates", "DATE[]", True),
            Column("sources", "VARCHAR[]", True),
            Column("first_date", "DATE", comment="the first cited date, else publication"),
            Column("period_start", "DATE"),
            Column("period_end", "DATE"),
            # 2: lower-cased once at ingest instead of per query (see BACKFILLS);
            # 6: without separators inside numbers (indicators.store.search)
            Column("search_text", "VARCHAR", since=2),
            # 6: unique over the store (a replaced report's events get new ones): what
            # the search index points at
            Column("event_id", "BIGINT", since=6, staged=False),
            # 7: the closing citation's text (what some indicators require), so that an
            # item can be extracted again from what is stored (indicators.review.reextract)
            Column("citation", "VARCHAR", since=7),
            # 11: which of the most common characters the text has, one bit each
            # (indicators.store.search.COMMON): their one-character searches need no
            # index (10 is another branch's version and adds nothing here)
            Column("common_chars", "BIGINT", since=11, staged=False),
        ),
        # 12: a page of the event log is read by its ids; without the index DuckDB
        # decoded each id's block of every text column (40 ms for 50 ids spread over
        # 1.4 million events, against 8 ms by the index; inserts cost no more)
        indexed=(("event_id", 12),),
        # 13: a lake reads a page's 50 events by their ids from whole row groups, every
        # text column of each: at 122,880 rows a group, 290-320 ms over all series at
        # 1.4 million events; at 2,048, 85-120 ms (its frame of narrow columns, read
        # once per state of the store, 230 -> 420 ms)
        lake_row_group=(2048, 13),
    ),
    Table(
        "observations",
        (
            # (report_id, obs_seq) is unique by construction
            Column("report_id", "INTEGER", True, staged=False),
            Column("event_seq", "INTEGER", True),
            Column("obs_seq", "INTEGER", True),
            Column("indicator", "VARCHAR", True),
            Column("dimension", "VARCHAR"),
            Column("value", "DOUBLE", True),
            Column("unit", "VARCHAR", True),
            Column("qualifier", "VARCHAR", True),
            Column("as_of", "DATE"),
            Column("period_start", "DATE"),
            Column("period_end", "DATE"),
            Column("source", "VARCHAR"),
            Column("evidence", "VARCHAR", True),
            # 3: how each value was found, what looks wrong about it, and where the
            # number stands in its item (the sentence's index and the number's offset
            # in it): the stable identity that review corrections are keyed by.
            Column("rule", "VARCHAR", since=3),
            Column("flags", "VARCHAR[]", since=3),
            Column("sentence_index", "INTEGER", since=3),
            Column("char_offset", "INTEGER", since=3),
        ),
    ),
    Table(
        "quantities",
        (
            Column("report_id", "INTEGER", True, staged=False),
            Column("event_seq", "INTEGER", True),
            Column("value", "DOUBLE", True),
            Column("unit", "VARCHAR", True),
            Column("qualifier", "VARCHAR", True),
            Column("text", "VARCHAR", True),
            Column("sentence", "VARCHAR", True),
            Column("sentence_index", "INTEGER", since=3),
            Column("char_offset", "INTEGER", since=3),
        ),
    ),
    Table(
        "ingest_log",
        (
            Column("logged_at", "TIMESTAMP", True),
            Column("file_name", "VARCHAR", True),
            Column("file_sha256", "VARCHAR"),
            Column("report_id", "INTEGER"),
            Column("action", "VARCHAR", True, comment="added | replaced | unchanged | failed"),
            Column("message", "VARCHAR"),
            # 4: who made each change (the signed-in email, or the name the analyst
            # gave); empty for rows written before sign-in existed and for the CLI.
            Column("logged_by", "VARCHAR", since=4),
        ),
    ),
    # 5: one row that every write transaction updates. On DuckLake, two transactions
    # that delete from (update) the same table conflict, and the later one is retried
    # on the state the first left: so writers from many processes take turns at the
    # moment of commit, and a report two of them add at once is stored only once.
    Table(
        "store_writes",
        (
            Column("writes", "BIGINT", True, since=5, comment="write transactions committed"),
            Column("last_write", "TIMESTAMP", since=5),
        ),
        since=5,
        internal=True,
    ),
    # 7: the analyst's review log, append-only: every confirm, correction, rejection,
    # assignment and dismissal, keyed by the number's stable identity (the report's key,
    # the item, the sentence and the number's offset in it; the sentence's text to see
    # that it still reads the same), never by row ids, which a re-ingest renumbers.
    # What it was (before_*) and what it became (after_*, the whole new state).
    Table(
        "review_log",
        (
            Column("review_id", "BIGINT", True, since=7, comment="order of the actions"),
            Column("logged_at", "TIMESTAMP", True, since=7),
            Column("logged_by", "VARCHAR", True, since=7, comment="email or given name"),
            Column("action", "VARCHAR", True, since=7, comment="confirm|correct|reject|..."),
            Column("report_key", "VARCHAR", True, since=7, comment="series|published|period"),
            Column("event_seq", "INTEGER", True, since=7),
            Column("sentence_index", "INTEGER", True, since=7),
            Column("char_offset", "INTEGER", True, since=7),
            Column("sentence", "VARCHAR", True, since=7, comment="as it read when reviewed"),
            Column("indicator", "VARCHAR", since=7, comment="NULL: an unassigned quantity"),
            Column("before_value", "DOUBLE", since=7),
            Column("before_unit", "VARCHAR", since=7),
            Column("before_qualifier", "VARCHAR", since=7),
            Column("before_as_of", "DATE", since=7),
            Column("before_dimension", "VARCHAR", since=7),
            Column("after_indicator", "VARCHAR", since=7),
            Column("after_value", "DOUBLE", since=7),
            Column("after_unit", "VARCHAR", since=7),
            Column("after_qualifier", "VARCHAR", since=7),
            Column("after_as_of", "DATE", since=7),
            Column("after_dimension", "VARCHAR", since=7),
            Column("reason", "VARCHAR", since=7),
        ),
        since=7,
    ),
    # 7: indicators defined from the dashboard: one ``[[indicator]]`` entry of the
    # definitions file each, as TOML text (checked like the file's own entries)
    Table(
        "defined_indicators",
        (
            Column("indicator", "VARCHAR", True, since=7),
            Column("entry", "VARCHAR", True, since=7, comment="TOML of one [[indicator]]"),
            Column("defined_by", "VARCHAR", True, since=7),
            Column("defined_at", "TIMESTAMP", True, since=7),
        ),
        since=7,
    ),
    # 6: the event log's search index (indicators.store.search), written with the events
    Table(
        "event_grams",
        (
            Column("gram", "VARCHAR", True, since=6, comment="two characters of search_text"),
            Column("codes", "BIGINT[]", True, since=6, comment="event_id << 20 | position"),
        ),
        since=6,
        internal=True,
        dropped=8,  # replaced by event_postings: see indicators.store.search
    ),
    # 8: the search index, one row per character (indicators.store.search), written
    # with the events and sorted, so that a bigram's rows are one range
    Table(
        "event_postings",
        (
            Column("gram", "BIGINT", True, since=8, comment="two characters, 21 bits each"),
            Column("code", "BIGINT", True, since=8, comment="event_id << 20 | position"),
        ),
        since=8,
        internal=True,
        sorted_by="gram, code",
    ),
    # 9: every line's decided weekly value, kept up to date by the writer in the
    # transaction that stores the observations (indicators.store.aggregates); filled
    # for the rows already stored by the migration itself
    Table(
        "weekly_stated",
        (*WEEKLY_VALUE, *SAMPLE_SCOPES, *DIMENSION_SCOPES),
        since=9,
        internal=True,
    ),
    # 10: every line's latest weekly value with the values to compare it with (the
    # Overview's tiles), deals summed per currency; kept by the writer with
    # weekly_stated, from it (indicators.store.aggregates)
    Table(
        "line_ends",
        (*_added(WEEKLY_VALUE, 10), *LINE_END_BACK, *_added(SAMPLE_SCOPES, 10)),
        since=10,
        internal=True,
    ),
)

#: Statements a migration runs after its DDL, to give old rows a value for new columns.
BACKFILLS: dict[int, str] = {
    # (a search over a million events scanned and lower-cased three columns each time)
    2: """
    UPDATE events SET search_text =
        lower(headline || chr(10) || body || chr(10) || array_to_string(sources, ' '));
    """,
    5: "INSERT INTO store_writes VALUES (0, NULL);",
    6: """
    UPDATE events SET event_id = numbered.id,
        search_text = regexp_replace(search_text, '(\\d),(\\d)', '\\1\\2', 'g')
    FROM (SELECT report_id, event_seq,
                 row_number() OVER (ORDER BY report_id, event_seq) AS id FROM events) numbered
    WHERE events.report_id = numbered.report_id AND events.event_seq = numbered.event_seq;
    """,
    # (schema 6 built event_grams here; 8 drops it and indexes the events anew)
    8: search.index_sql("events") + ";",
    11: f"UPDATE events SET common_chars = {search.common_bits_sql('search_text')};",
}

BY_NAME = {table.name: table for table in TABLES if table.dropped is None}
#: Tables of data (what row counts report).
DATA = tuple(table.name for table in TABLES if not table.internal and table.dropped is None)
#: Tables written per report (the ingest log is written per file).
CONTENT = ("reports", "events", "observations", "quantities")
SCHEMA_VERSION = max(
    [column.since for table in TABLES for column in table.columns]
    + [table.dropped for table in TABLES if table.dropped is not None]
    + [since for table in TABLES for _, since in table.indexed]
    + [table.lake_row_group[1] for table in TABLES if table.lake_row_group]
    + list(BACKFILLS)
)


def migration(version: int, *, constraints: bool) -> str:
    """The SQL that brings a database from ``version - 1`` to ``version``.

    ``constraints`` is true for a DuckDB file, which also gets the tables' indexes;
    without them (a DuckLake), tables with a sort order or a row group size get them set.
    """
    statements = [f"DROP TABLE IF EXISTS {t.name};" for t in TABLES if t.dropped == version]
    for table in TABLES:
        if table.since == version:
            statements.append(table.create(constraints=constraints))
            if table.sorted_by and not constraints:
                statements.append(f"ALTER TABLE {table.name} SET SORTED BY ({table.sorted_by});")
    statements += [sql for table in TABLES for sql in table.added(version)]
    if constraints:
        statements += [
            f"CREATE INDEX IF NOT EXISTS {table.name}_{column} ON {table.name} ({column});"
            for table in TABLES
            for column, since in table.indexed
            if version == max(since, table.since)
        ]
    if not constraints:  # files written from now on (those already there keep theirs)
        statements += [
            f"CALL set_option('parquet_row_group_size', {table.lake_row_group[0]},"
            f" table_name => '{table.name}');"
            for table in TABLES
            if table.lake_row_group and version == max(table.lake_row_group[1], table.since)
        ]
    if version in BACKFILLS:
        statements.append(BACKFILLS[version].strip())
    return "\n".join(statements)
