"""indicators.store and ingest: a fresh store per test, of each backend (a DuckDB file,
and a DuckLake on a real PostgreSQL server), rows compared as plain values."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pgcluster
import pytest

from indicators import ingest, sample, store
from indicators.store import extensions, search, writing

ROOT = Path(__file__).resolve().parent.parent
REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"
CONTENT_TABLES = ("reports", "events", "observations", "quantities")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of three reports: the real one and two crafted ones of other weeks."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("belarus-weekly-2023-11-30.txt", "crafted-new-year.txt", "crafted-cp932.txt"):
        shutil.copyfile(REPORTS / name, folder / name)
    return folder


def rows(db: store.Location, sql: str) -> list[tuple[object, ...]]:
    with store.connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def table_rows(db: store.Location) -> dict[str, list[tuple[object, ...]]]:
    """Every content table as sorted plain tuples (ingested_at left out: it is a clock)."""
    sql = {
        "reports": "SELECT * EXCLUDE (ingested_at) FROM reports",
        "events": "SELECT * FROM events",
        "observations": "SELECT * FROM observations",
        "quantities": "SELECT * FROM quantities",
    }
    return {table: sorted(rows(db, query), key=repr) for table, query in sql.items()}


def actions(db: store.Location) -> list[tuple[object, ...]]:
    return rows(db, "SELECT file_name, action FROM ingest_log ORDER BY logged_at, file_name")


def test_first_ingest_stores_the_real_report_as_its_expected_json(
    any_store: store.Location,
) -> None:
    result = ingest.ingest(any_store, [REAL])

    assert [(o.action, o.n_events, o.n_observations) for o in result.outcomes] == [("added", 19, 5)]
    expected = json.loads((REPORTS / "belarus-weekly-2023-11-30.expected.json").read_text())
    stored = rows(
        any_store,
        "SELECT indicator, dimension, value, unit, qualifier, strftime(as_of, '%Y-%m-%d'),"
        " strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d')"
        " FROM observations ORDER BY obs_seq",
    )
    assert stored == [
        (
            o["indicator"],
            o["dimension"],
            float(o["value"]),
            o["unit"],
            o["qualifier"],
            o["as_of"],
            o["period_start"],
            o["period_end"],
        )
        for o in expected["observations"]
    ]
    headlines = rows(any_store, "SELECT headline FROM events ORDER BY event_seq")
    assert headlines == [(e["headline"],) for e in expected["events"]]
    assert rows(
        any_store, "SELECT published, n_events, n_observations, is_sample FROM reports"
    ) == [(dt.date(2023, 11, 30), 19, 5, False)]


def test_ingesting_the_same_folder_twice_changes_nothing_but_the_log(
    any_store: store.Location, folder: Path
) -> None:
    first = ingest.ingest(any_store, [folder])
    counts, content = store.row_counts(any_store), table_rows(any_store)

    second = ingest.ingest(any_store, [folder])

    assert [o.action for o in first.outcomes] == ["added"] * 3
    assert [o.action for o in second.outcomes] == ["unchanged"] * 3
    after = store.row_counts(any_store)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: counts[t] for t in CONTENT_TABLES}
    assert after["reports"] == 3
    assert after["ingest_log"] == counts["ingest_log"] + 3
    assert table_rows(any_store) == content
    assert [action for _, action in actions(any_store)] == ["added"] * 3 + ["unchanged"] * 3


def test_another_file_for_the_same_report_replaces_its_rows_in_place(
    any_store: store.Location, folder: Path, tmp_path: Path
) -> None:
    ingest.ingest(any_store, [folder])
    before = store.row_counts(any_store)
    report_id = rows(any_store, "SELECT report_id FROM reports WHERE published = DATE '2023-11-30'")
    other_reports = rows(
        any_store,
        "SELECT * EXCLUDE (ingested_at) FROM reports WHERE published <> "
        "DATE '2023-11-30' ORDER BY report_id",
    )
    corrected = tmp_path / "corrected" / "belarus-weekly-2023-11-30-v2.txt"
    corrected.parent.mkdir()
    text = REAL.read_text("utf-8")
    assert text.count("1,450人") == 1
    corrected.write_text(text.replace("1,450人", "1,451人"), "utf-8")

    result = ingest.ingest(any_store, [corrected])

    assert [o.action for o in result.outcomes] == ["replaced"]
    after = store.row_counts(any_store)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}
    assert rows(
        any_store, "SELECT report_id, file_name FROM reports WHERE published = DATE '2023-11-30'"
    ) == [(report_id[0][0], str(corrected))]
    assert rows(
        any_store,
        "SELECT value FROM observations JOIN reports USING (report_id) "
        "WHERE indicator = 'political_prisoners' AND published = DATE '2023-11-30'",
    ) == [(1451.0,)]
    assert rows(any_store, "SELECT count(*) FROM observations WHERE value = 1450") == [(0,)]
    assert (
        rows(
            any_store,
            "SELECT * EXCLUDE (ingested_at) FROM reports WHERE published <> "
            "DATE '2023-11-30' ORDER BY report_id",
        )
        == other_reports
    )
    assert actions(any_store)[-1] == (str(corrected), "replaced")


def test_a_failed_file_is_logged_and_the_rest_stored(
    any_store: store.Location, folder: Path
) -> None:
    (folder / "notes.txt").write_text("会議のメモ。報告書ではない。\n", "utf-8")

    result = ingest.ingest(any_store, [folder])

    assert sorted((Path(o.file_name).name, o.action) for o in result.outcomes) == [
        ("belarus-weekly-2023-11-30.txt", "added"),
        ("crafted-cp932.txt", "added"),
        ("crafted-new-year.txt", "added"),
        ("notes.txt", "failed"),
    ]
    assert store.row_counts(any_store)["reports"] == 3
    [(message,)] = rows(any_store, "SELECT message FROM ingest_log WHERE action = 'failed'")
    assert "publication date" in message


def _postings(db: Path) -> list[tuple[object, ...]]:
    """The search index with each event named by its report and place, not its id."""
    return rows(
        db,
        f"SELECT p.gram, e.report_id, e.event_seq, p.code & {(1 << search.POSITION_BITS) - 1} "
        f"FROM event_postings p JOIN events e ON e.event_id = p.code >> {search.POSITION_BITS} "
        "ORDER BY ALL",
    )


def test_a_batch_stored_while_it_is_parsed_is_what_one_step_stores(tmp_path: Path) -> None:
    """The parallel ingest's writer stores the workers' chunks a step at a time as they
    come; the same files parsed in-process and stored in one step give the same outcomes,
    rows and search index. The batch holds a bad file among the chunks, and a corrected
    copy of its first report that a later step replaces (event ids aside: the replaced
    events leave a gap)."""
    folder = tmp_path / "in"
    weeks = sample.generate_reports(start=dt.date(2020, 1, 1), end=dt.date(2023, 12, 31))
    first, *_ = paths = sample.write_reports(folder, weeks)
    steps = -(-len(paths) // (ingest._TASK_SIZE * writing._STEP))
    assert steps >= 2, "the corpus must span more than one of the writer's steps"
    (folder / "sample-belarus-2021-06-notes.txt").write_text("会議のメモ。\n", "utf-8")
    corrected = first.read_text("utf-8").replace("・", "・（訂正）", 1)
    (folder / "zz-corrected.txt").write_text(corrected, "utf-8")
    streamed, one_step = tmp_path / "streamed.duckdb", tmp_path / "one-step.duckdb"

    outcomes = {
        db: sorted(
            (Path(o.file_name).name, o.action)
            for o in ingest.ingest(db, [folder], workers=w).outcomes
        )
        for db, w in ((streamed, 2), (one_step, 1))
    }

    assert outcomes[streamed] == outcomes[one_step]
    assert {action for _, action in outcomes[streamed]} == {"added", "failed", "replaced"}
    events = "SELECT * EXCLUDE (event_id) FROM events ORDER BY report_id, event_seq"
    assert rows(streamed, events) == rows(one_step, events)
    content = table_rows(streamed)
    del content["events"]
    assert content == {t: r for t, r in table_rows(one_step).items() if t != "events"}
    assert _postings(streamed) == _postings(one_step)
    assert len(_postings(streamed)) > 100_000


def test_ensure_db_is_idempotent(any_store: store.Location) -> None:
    store.ensure_db(any_store)
    store.ensure_db(any_store)
    assert rows(any_store, "SELECT version FROM schema_version ORDER BY version") == [
        (version,) for version in range(1, store.SCHEMA_VERSION + 1)
    ]
    assert store.row_counts(any_store) == dict.fromkeys(store.TABLES, 0)


def test_a_database_from_a_newer_program_is_refused(any_store: store.Location) -> None:
    store.ensure_db(any_store)
    with store.connect(any_store, read_only=False) as con:
        con.execute("INSERT INTO schema_version VALUES (?, now())", [store.SCHEMA_VERSION + 1])
    with pytest.raises(store.StoreError, match="newer"):
        store.ensure_db(any_store)


def test_reading_a_missing_database_says_so(db: Path) -> None:
    with pytest.raises(store.StoreError, match="no database yet"):
        store.query(db, "SELECT 1")


# The schema of the first release, as its files have it (a regression lock: the table
# spec must keep making this for version 1).
RELEASED_SCHEMA_1 = """
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
"""


def _released_schema_1(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        con.execute(RELEASED_SCHEMA_1)
        con.execute("INSERT INTO schema_version VALUES (1, now())")


def _shape(db: Path) -> list[tuple[object, ...]]:
    """Every column (table, position, name, type, nullable) and constraint of a file."""
    columns = rows(
        db,
        "SELECT table_name, column_index, column_name, data_type, is_nullable "
        "FROM duckdb_columns() WHERE database_name = current_database() "
        "ORDER BY table_name, column_index",
    )
    constraints = rows(
        db,
        "SELECT table_name, constraint_type, constraint_column_names "
        "FROM duckdb_constraints() WHERE database_name = current_database() "
        "ORDER BY ALL",
    )
    return columns + constraints


def test_the_table_spec_makes_the_released_schema(db: Path, tmp_path: Path) -> None:
    """A file of the first release, migrated, has the shape of a fresh one."""
    old = tmp_path / "released.duckdb"
    _released_schema_1(old)
    store.ensure_db(old)
    store.ensure_db(db)
    assert _shape(old) == _shape(db)
    assert ("reports", "UNIQUE", ["report_key"]) in _shape(db)


def test_a_column_added_later_must_be_nullable_and_last() -> None:
    from indicators.store.tables import Column, Table

    first = Column("a", "INTEGER", True)
    with pytest.raises(ValueError, match="may be NULL"):
        Table("t", (first, Column("b", "VARCHAR", True, since=2)))
    with pytest.raises(ValueError, match="order they were added"):
        Table("t", (Column("b", "VARCHAR", since=2), first))
    table = Table("t", (first, Column("b", "VARCHAR", since=2)))
    assert table.added(2) == ["ALTER TABLE t ADD COLUMN b VARCHAR;"]
    assert "b VARCHAR" not in table.create(constraints=True)


def test_staged_rows_must_name_every_column() -> None:
    from indicators.store import writing

    schema = writing.tables.BY_NAME["quantities"].staged_schema
    with pytest.raises(ValueError, match="missing"):
        writing._arrow([{"_item": 0, "event_seq": 1}], schema)


def test_a_database_of_schema_1_is_migrated_with_its_rows(db: Path, tmp_path: Path) -> None:
    """A file written by the first release: its events become searchable after migration."""
    _released_schema_1(db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO events VALUES (1, 0, '内政', 'CSTO首脳会合', '・合意', "
            "['2023-11-20'::DATE], ['Pozirk'], '2023-11-20', NULL, NULL)"
        )
    store.ensure_db(db)
    assert rows(db, "SELECT search_text FROM events") == [("csto首脳会合\n・合意\npozirk",)]
    assert rows(db, "SELECT max(version) FROM schema_version") == [(store.SCHEMA_VERSION,)]


def test_the_ingest_log_records_who_made_each_change(db: Path, folder: Path) -> None:
    (folder / "notes.txt").write_text("会議のメモ。報告書ではない。\n", "utf-8")
    ingest.ingest(db, [folder / "belarus-weekly-2023-11-30.txt"])  # the CLI: nobody named
    ingest.ingest(db, [folder], by="editor@example.org")
    assert sorted(rows(db, "SELECT action, logged_by FROM ingest_log"), key=repr) == sorted(
        [
            ("added", None),
            ("unchanged", "editor@example.org"),
            ("added", "editor@example.org"),
            ("added", "editor@example.org"),
            ("failed", "editor@example.org"),
        ],
        key=repr,
    )


def test_an_ingest_log_from_before_schema_4_keeps_its_rows_with_nobody_named(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, migration in enumerate(store.MIGRATIONS[:3], start=1):
            con.execute(migration)
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
        con.execute(
            "INSERT INTO ingest_log VALUES (now(), 'old.txt', NULL, NULL, 'failed', 'empty file')"
        )
    ingest.ingest(db, [REAL], by="Tanaka")
    assert rows(db, "SELECT file_name, logged_by FROM ingest_log ORDER BY logged_at") == [
        ("old.txt", None),
        (str(REAL), "Tanaka"),
    ]


_NO_DOWNLOAD_PROBE = """
import json, sys
from pathlib import Path
from indicators import ingest, store
db = store.location(sys.argv[1])
ingest.ingest(db, [Path(sys.argv[2])], workers=1)
with store.connect(db, read_only=True) as con:
    settings = con.execute(
        "SELECT current_setting('autoinstall_known_extensions'),"
        " current_setting('autoload_known_extensions')"
    ).fetchall()[0]
    loaded = con.execute(
        "SELECT extension_name, installed, install_mode FROM duckdb_extensions()"
        " WHERE loaded AND install_mode <> 'STATICALLY_LINKED' ORDER BY 1"
    ).fetchall()
    reports = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
print(json.dumps({"settings": settings, "loaded": loaded, "reports": reports}))
"""


def test_nothing_is_downloaded_and_extensions_come_from_their_packages(
    any_store: store.Location, tmp_path: Path
) -> None:
    """A store is created, written and read with an empty home folder (where DuckDB
    would install extensions) and every proxy pointed at a closed loopback port: the
    extensions it needs are loaded from their packages, none is ever installed."""
    home = tmp_path / "home"
    home.mkdir()
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HOME": str(home), "http_proxy": closed, "https_proxy": closed}
    done = subprocess.run(
        [sys.executable, "-c", _NO_DOWNLOAD_PROBE, str(any_store), str(REAL)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["settings"] == [False, False]
    assert found["reports"] == 1
    lake = isinstance(any_store, str)
    assert found["loaded"] == (
        [["ducklake", False, "NOT_INSTALLED"], ["postgres_scanner", False, "NOT_INSTALLED"]]
        if lake
        else []
    )
    assert list(home.iterdir()) == []  # no ~/.duckdb: nothing was installed
    for name, package in extensions.PACKAGES.items():
        assert package in extensions.path(name).parts
    source = "\n".join(p.read_text("utf-8") for p in (ROOT / "indicators").rglob("*.py"))
    assert not re.search(r"\bINSTALL\b", source), "the program never installs an extension"


def test_a_lake_remembers_its_data_path_and_keeps_parquet_there(
    lake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest.ingest(lake, [REAL], workers=1)
    data = Path(os.environ["INDICATORS_DATA_PATH"])
    assert list(data.rglob("*.parquet")), "the rows are Parquet files under the data path"
    store.connection.forget(lake)
    monkeypatch.delenv("INDICATORS_DATA_PATH")  # a second machine needs only the catalog
    assert store.row_counts(lake)["events"] == 19
    assert store.signature(lake) != ()


def test_lake_writers_take_turns_instead_of_conflicting(lake: str) -> None:
    """While one writer is inside its transaction, a second waits for its turn in
    PostgreSQL (seen in pg_locks), then runs once, on what the first committed: no
    conflict, no retry. Before turns, the second ran at once and one of the two lost."""
    import threading

    store.ensure_db(lake)
    inside, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def first(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO schema_version VALUES (100, now())")
        inside.set()
        release.wait(timeout=60)
        con.execute("COMMIT")

    def second(con: duckdb.DuckDBPyConnection) -> None:
        runs.append(1)
        con.execute("BEGIN TRANSACTION")
        seen = con.execute("SELECT count(*) FROM schema_version WHERE version = 100").fetchall()
        runs.append(int(seen[0][0]))
        con.execute("DELETE FROM schema_version WHERE version = 100")
        con.execute("COMMIT")

    backend = store.connection.backend(lake)
    one = threading.Thread(target=backend.transact, args=(first,))
    one.start()
    assert inside.wait(timeout=60)
    two = threading.Thread(target=backend.transact, args=(second,))
    two.start()
    deadline = dt.datetime.now() + dt.timedelta(seconds=60)
    while pgcluster.advisory_waiters(lake) == 0:  # a condition, polled; not a timed wait
        assert not runs, "the second writer ran inside the first one's turn"
        assert dt.datetime.now() < deadline, "the second writer never queued for its turn"
    assert runs == []  # queued, not running
    release.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert runs == [1, 1]  # ran once, and saw the first writer's row


def test_a_turn_not_given_within_the_lock_timeout_is_one_line(
    lake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    store.ensure_db(lake)
    inside, release = threading.Event(), threading.Event()

    def hold(con: duckdb.DuckDBPyConnection) -> None:
        inside.set()
        release.wait(timeout=60)

    backend = store.connection.backend(lake)
    holder = threading.Thread(target=backend.transact, args=(hold,))
    holder.start()
    try:
        assert inside.wait(timeout=60)
        monkeypatch.setenv("INDICATORS_LOCK_TIMEOUT", "1")
        with pytest.raises(store.StoreError) as raised:
            backend.transact(lambda con: None)
    finally:
        release.set()
        holder.join(timeout=60)
    message = str(raised.value)
    assert "another writer kept the store for over 1 s" in message
    assert "\n" not in message and "password" not in message


def test_a_commit_that_conflicts_with_a_writer_outside_the_turns_is_run_again(lake: str) -> None:
    """A merge of the lake's files (compact) writes without a turn, and so might a
    program of an older version: a writer whose commit then conflicts is rolled back and
    run again on the new state."""
    import threading

    store.ensure_db(lake)
    backend = store.connection.backend(lake)
    with backend.connect(read_only=False) as con:
        con.execute("INSERT INTO schema_version VALUES (101, now())")
    inside, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def work(con: duckdb.DuckDBPyConnection) -> None:
        runs.append(1)
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO schema_version VALUES (100, now())")
        if len(runs) == 1:
            inside.set()
            release.wait(timeout=60)
        con.execute("COMMIT")

    writer = threading.Thread(target=backend.transact, args=(work,))
    writer.start()
    assert inside.wait(timeout=60)
    with backend.connect(read_only=False) as con:  # no turn taken, as compact() writes
        con.execute("DELETE FROM schema_version WHERE version = 101")
    release.set()
    writer.join(timeout=60)
    assert runs == [1, 1]  # the first commit lost, the second ran on the new state
    with backend.connect(read_only=True) as con:
        found = con.execute("SELECT version FROM schema_version WHERE version >= 100").fetchall()
    assert found == [(100,)]
