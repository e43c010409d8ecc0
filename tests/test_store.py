"""indicators.store and ingest: a fresh DuckDB per test, rows compared as plain values."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from indicators import ingest, store

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


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every content table as sorted plain tuples (ingested_at left out: it is a clock)."""
    sql = {
        "reports": "SELECT * EXCLUDE (ingested_at) FROM reports",
        "events": "SELECT * FROM events",
        "observations": "SELECT * FROM observations",
        "quantities": "SELECT * FROM quantities",
    }
    return {table: sorted(rows(db, query), key=repr) for table, query in sql.items()}


def actions(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT file_name, action FROM ingest_log ORDER BY logged_at, file_name")


def test_first_ingest_stores_the_real_report_as_its_expected_json(db: Path) -> None:
    result = ingest.ingest(db, [REAL])

    assert [(o.action, o.n_events, o.n_observations) for o in result.outcomes] == [("added", 19, 5)]
    expected = json.loads((REPORTS / "belarus-weekly-2023-11-30.expected.json").read_text())
    stored = rows(
        db,
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
    headlines = rows(db, "SELECT headline FROM events ORDER BY event_seq")
    assert headlines == [(e["headline"],) for e in expected["events"]]
    assert rows(db, "SELECT published, n_events, n_observations, is_sample FROM reports") == [
        (dt.date(2023, 11, 30), 19, 5, False)
    ]


def test_ingesting_the_same_folder_twice_changes_nothing_but_the_log(
    db: Path, folder: Path
) -> None:
    first = ingest.ingest(db, [folder])
    counts, content = store.row_counts(db), table_rows(db)

    second = ingest.ingest(db, [folder])

    assert [o.action for o in first.outcomes] == ["added"] * 3
    assert [o.action for o in second.outcomes] == ["unchanged"] * 3
    after = store.row_counts(db)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: counts[t] for t in CONTENT_TABLES}
    assert after["reports"] == 3
    assert after["ingest_log"] == counts["ingest_log"] + 3
    assert table_rows(db) == content
    assert [action for _, action in actions(db)] == ["added"] * 3 + ["unchanged"] * 3


def test_another_file_for_the_same_report_replaces_its_rows_in_place(
    db: Path, folder: Path, tmp_path: Path
) -> None:
    ingest.ingest(db, [folder])
    before = store.row_counts(db)
    report_id = rows(db, "SELECT report_id FROM reports WHERE published = DATE '2023-11-30'")
    other_reports = rows(
        db,
        "SELECT * EXCLUDE (ingested_at) FROM reports WHERE published <> "
        "DATE '2023-11-30' ORDER BY report_id",
    )
    corrected = tmp_path / "corrected" / "belarus-weekly-2023-11-30-v2.txt"
    corrected.parent.mkdir()
    text = REAL.read_text("utf-8")
    assert text.count("1,450人") == 1
    corrected.write_text(text.replace("1,450人", "1,451人"), "utf-8")

    result = ingest.ingest(db, [corrected])

    assert [o.action for o in result.outcomes] == ["replaced"]
    after = store.row_counts(db)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}
    assert rows(
        db, "SELECT report_id, file_name FROM reports WHERE published = DATE '2023-11-30'"
    ) == [(report_id[0][0], str(corrected))]
    assert rows(
        db,
        "SELECT value FROM observations JOIN reports USING (report_id) "
        "WHERE indicator = 'political_prisoners' AND published = DATE '2023-11-30'",
    ) == [(1451.0,)]
    assert rows(db, "SELECT count(*) FROM observations WHERE value = 1450") == [(0,)]
    assert (
        rows(
            db,
            "SELECT * EXCLUDE (ingested_at) FROM reports WHERE published <> "
            "DATE '2023-11-30' ORDER BY report_id",
        )
        == other_reports
    )
    assert actions(db)[-1] == (str(corrected), "replaced")


def test_a_failed_file_is_logged_and_the_rest_stored(db: Path, folder: Path) -> None:
    (folder / "notes.txt").write_text("会議のメモ。報告書ではない。\n", "utf-8")

    result = ingest.ingest(db, [folder])

    assert sorted((Path(o.file_name).name, o.action) for o in result.outcomes) == [
        ("belarus-weekly-2023-11-30.txt", "added"),
        ("crafted-cp932.txt", "added"),
        ("crafted-new-year.txt", "added"),
        ("notes.txt", "failed"),
    ]
    assert store.row_counts(db)["reports"] == 3
    [(message,)] = rows(db, "SELECT message FROM ingest_log WHERE action = 'failed'")
    assert "publication date" in message


def test_ensure_db_is_idempotent(db: Path) -> None:
    store.ensure_db(db)
    store.ensure_db(db)
    assert rows(db, "SELECT version FROM schema_version ORDER BY version") == [
        (version,) for version in range(1, store.SCHEMA_VERSION + 1)
    ]
    assert store.row_counts(db) == dict.fromkeys(store.TABLES, 0)


def test_a_database_from_a_newer_program_is_refused(db: Path) -> None:
    store.ensure_db(db)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_version VALUES (?, now())", [store.SCHEMA_VERSION + 1])
    with pytest.raises(store.StoreError, match="newer"):
        store.ensure_db(db)


def test_reading_a_missing_database_says_so(db: Path) -> None:
    with pytest.raises(store.StoreError, match="no database yet"):
        store.query(db, "SELECT 1")


def test_a_database_of_schema_1_is_migrated_with_its_rows(db: Path, tmp_path: Path) -> None:
    """A file written by the first release: its events become searchable after migration."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        con.execute(store.MIGRATIONS[0])
        con.execute("INSERT INTO schema_version VALUES (1, now())")
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
