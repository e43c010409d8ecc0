"""The event log's search index (indicators.store.search) on both backends: what it
finds is exactly what a substring scan of the stored text finds."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from indicators import event_search, ingest, queries, sample, store
from indicators.store import mirror, search

REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"
ALL = {"series": None, "include_sample": True}


def _found(db: store.Location, text: str) -> set[tuple[int, int]]:
    rows = queries.events(db, **ALL, text=text, limit=None)
    return set(zip(rows["report_id"], rows["event_seq"], strict=True))


def _scanned(db: store.Location, text: str) -> set[tuple[int, int]]:
    """The same search by reading every event's text (no index)."""
    wanted = queries.normalise_search(text)
    rows = store.query(
        db, "SELECT report_id, event_seq FROM events WHERE contains(search_text, ?)", [wanted]
    )
    return set(zip(rows["report_id"], rows["event_seq"], strict=True))


@pytest.fixture(params=["file", "ducklake", "ducklake-copy"])
def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> store.Location:
    """A fresh store of each backend, and a lake searched as the dashboard searches it:
    through its local copy (indicators.store.mirror), brought up to date by the search
    that finds it behind, so that every page and count of these tests reads the copy
    (a search without a page, ``limit=None``, is SQL on the store itself)."""
    if request.param == "file":
        return tmp_path / "t.duckdb"
    location: str = request.getfixturevalue("lake")
    if request.param == "ducklake-copy":
        monkeypatch.setenv("INDICATORS_SEARCH_MIRROR", str(tmp_path / "copies"))
        mirror.enable(location, inline=True)
        request.addfinalizer(lambda: mirror.disable(location))
    return location


@pytest.fixture
def filled(any_store: store.Location, tmp_path: Path) -> store.Location:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("belarus-weekly-2023-11-30.txt", "crafted-new-year.txt", "crafted-cp932.txt"):
        shutil.copyfile(REPORTS / name, folder / name)
    ingest.ingest(any_store, [folder], workers=1)
    return any_store


def test_numbers_match_with_or_without_separators_in_any_width(filled: store.Location) -> None:
    prisoners = _found(filled, "1,450")
    assert len(prisoners) == 1
    for spelling in ("1450", "１４５０", "１，４５０", "1450人"):
        assert _found(filled, spelling) == prisoners, spelling
    assert queries.events_count(filled, **ALL, text="1450") == 1


def test_the_index_finds_exactly_what_a_scan_finds(filled: store.Location) -> None:
    """Substrings of every length cut from the stored texts, and strings that only
    share bigrams with them: the index and a full scan agree on every one."""
    texts = [t for t in store.query(filled, "SELECT search_text FROM events")["search_text"]]
    picker = random.Random(7)
    needles = []
    for _ in range(60):
        text = picker.choice(texts).replace("\n", " ")
        length = picker.randint(1, 9)
        begin = picker.randint(0, max(0, len(text) - length))
        needles.append(text[begin : begin + length])
    needles += ["ベラルーシ", "政治犯", "大統領", "ルカシェンコ大統領", "シーシー", "ーシベラル"]
    for needle in needles:
        if not needle.strip():
            continue
        assert _found(filled, needle) == _scanned(filled, needle), needle
    assert _found(filled, "存在しない言葉") == set()


def test_a_replaced_report_is_found_by_its_new_text_only(
    filled: store.Location, tmp_path: Path
) -> None:
    corrected = tmp_path / "v2" / REAL.name
    corrected.parent.mkdir()
    corrected.write_text(REAL.read_text("utf-8").replace("1,450人", "1,451人"), "utf-8")
    ingest.ingest(filled, [corrected], workers=1)
    assert _found(filled, "1450") == set()
    assert len(_found(filled, "1,451")) == 1
    assert queries.events_count(filled, **ALL, text="政治犯") == len(_scanned(filled, "政治犯"))


def _scan_rows(db: store.Location, text: str, filters: dict[str, Any]) -> pd.DataFrame:
    """Every event of the scope and filters whose text has ``text``, in the log's order,
    by reading every event's text (no index, no frame)."""
    params = {
        **queries._scope(filters["series"], filters["include_sample"]),
        "start": filters.get("start"),
        "end": filters.get("end"),
        "sections": filters.get("sections"),
        "wanted": queries.normalise_search(text),
    }
    return queries._run(
        db,
        f"""WITH {queries._SCOPE}
        SELECT s.report_id, e.event_seq, e.first_date, s.is_sample
        FROM events e JOIN scope s USING (report_id)
        {queries._EVENTS_WHERE} AND contains(e.search_text, $wanted)
        ORDER BY e.first_date DESC, s.published DESC, s.report_id, e.event_seq""",
        params,
    )


def test_pages_counts_and_weeks_are_what_a_scan_finds(filled: store.Location) -> None:
    """The Events page's three questions (through the frame of the events and the kept
    matches) agree with a scan, for common and rare characters, words, and every
    filter: series, sample data, dates and sections."""
    everything = store.query(filled, "SELECT DISTINCT series FROM reports ORDER BY series")[
        "series"
    ].tolist()
    dates = store.query(filled, "SELECT DISTINCT first_date AS d FROM events ORDER BY d")["d"]
    sections = store.query(filled, "SELECT DISTINCT section FROM events ORDER BY section")
    middle = dates.iloc[len(dates) // 2].date()
    scopes = [
        {**ALL},
        {"series": everything[:1], "include_sample": True},
        {"series": everything, "include_sample": False},
        {**ALL, "start": middle},
        {**ALL, "start": dates.iloc[0].date(), "end": middle},
        {**ALL, "sections": sections["section"].tolist()[:2]},
    ]
    needles = ["の", "。", "党", "統", "政治犯", "ベラルーシ", "1,450", "ＣＳＴＯ", "存在しない"]
    assert search.common_bit("の") and search.common_bit("党") is None  # both kinds
    for text in needles:
        for filters in scopes:
            expected = _scan_rows(filled, text, filters)
            keys = list(zip(expected["report_id"], expected["event_seq"], strict=True))
            what = (text, filters)
            assert queries.events_count(filled, **filters, text=text) == len(keys), what
            # every row in SQL (no page: no frame), to hold the pages' columns to
            full = queries.events(filled, **filters, text=text, limit=None)
            for offset in (0, 3):
                page = queries.events(filled, **filters, text=text, limit=4, offset=offset)
                got = list(zip(page["report_id"], page["event_seq"], strict=True))
                assert got == keys[offset : offset + 4], what
                shown = full.iloc[offset : offset + 4].reset_index(drop=True)
                # (an empty result's text columns are objects, a slice's keep their type)
                pd.testing.assert_frame_equal(page, shown, check_dtype=len(page) > 0, obj=str(what))
            weekly = queries.events_weekly(filled, **filters, text=text)
            week = pd.to_datetime(expected["first_date"]).dt.to_period("W-SUN").dt.start_time
            scanned = (
                expected.assign(week=week.astype("datetime64[us]"))
                .groupby(["week", "is_sample"], as_index=False)
                .size()
                .rename(columns={"size": "n"})
            )
            assert weekly.to_dict("records") == scanned.to_dict("records"), what
    assert len(_scan_rows(filled, "の", ALL)) > 8  # the pages above were not all empty


def test_a_search_read_for_one_series_is_exact_in_every_scope_after_it(
    any_store: store.Location, tmp_path: Path
) -> None:
    """A search in one country's scope reads the index between that scope's first and
    last event only; the same search in a wider scope after it reads again, and in a
    narrower one it is served by what was kept. Each answer is what a scan finds."""
    start = dt.date(2023, 10, 5)
    for series in sample.sample_series(3):  # ingested one after the other: apart by id
        reports = sample.generate_reports(
            seed=9, start=start, end=start + dt.timedelta(weeks=3), series=series
        )
        ingest.ingest(any_store, sample.write_reports(tmp_path / series.slug, reports), workers=1)
    names = store.query(any_store, "SELECT DISTINCT series FROM reports ORDER BY series")["series"]
    first, *others = names.tolist()
    scopes = [
        {"series": [first], "include_sample": True},
        {**ALL},
        {"series": others[:1], "include_sample": True},
        {"series": [first, others[-1]], "include_sample": True},
    ]
    event_search.forget()
    for text in ("ベラルーシ", "大統領", "党", "政治犯", "1,450"):
        for filters in scopes:
            expected = _scan_rows(any_store, text, filters)
            keys = list(zip(expected["report_id"], expected["event_seq"], strict=True))
            assert queries.events_count(any_store, **filters, text=text) == len(keys), (
                text,
                filters,
            )
            page = queries.events(any_store, **filters, text=text, limit=5)
            assert list(zip(page["report_id"], page["event_seq"], strict=True)) == keys[:5]
    assert len(_scan_rows(any_store, "大統領", scopes[0])) < len(
        _scan_rows(any_store, "大統領", ALL)
    )


def test_a_kept_search_follows_the_store(filled: store.Location, tmp_path: Path) -> None:
    """Matches are kept per search while the store is the same: a write shows up."""
    assert queries.events_count(filled, **ALL, text="1,451") == 0
    corrected = tmp_path / "v2" / REAL.name
    corrected.parent.mkdir()
    corrected.write_text(REAL.read_text("utf-8").replace("1,450人", "1,451人"), "utf-8")
    ingest.ingest(filled, [corrected], workers=1)
    assert queries.events_count(filled, **ALL, text="1,451") == 1
    assert queries.events_count(filled, **ALL, text="1,450") == 0
    [row] = queries.events(filled, **ALL, text="1,451", limit=50).itertuples()
    assert "1,451" in row.headline + row.body


def _stale_and_expected(db: store.Location) -> tuple[int, int, int]:
    """Index rows that name no stored event, index rows, and the rows the stored texts
    need (one per character that is not a line break)."""
    [(stale, indexed, needed)] = store.query(
        db,
        """SELECT (SELECT count(*) FROM event_postings
                   WHERE code >> 20 NOT IN (SELECT event_id FROM events)),
                  (SELECT count(*) FROM event_postings),
                  (SELECT sum(length(search_text) - length(replace(search_text, chr(10), '')))
                   FROM events)""",
    ).itertuples(index=False)
    lengths = store.query(db, "SELECT sum(length(search_text)) AS n FROM events")["n"].iloc[0]
    return int(stale), int(indexed), int(lengths) - int(needed)


def test_a_replaced_report_leaves_no_index_rows_behind(
    filled: store.Location, tmp_path: Path
) -> None:
    stale, indexed, needed = _stale_and_expected(filled)
    assert (stale, indexed) == (0, needed)
    for version in (2, 3):  # corrected twice: each replacement removes the one before
        corrected = tmp_path / f"v{version}" / REAL.name
        corrected.parent.mkdir()
        text = REAL.read_text("utf-8").replace("1,450人", f"1,45{version}人")
        corrected.write_text(text.replace("ルカシェンコ", "ルカシェンコ氏"), "utf-8")
        [outcome] = ingest.ingest(filled, [corrected], workers=1).outcomes
        assert outcome.action == "replaced"
        stale, indexed, needed = _stale_and_expected(filled)
        assert (stale, indexed) == (0, needed)
        assert len(_found(filled, f"1,45{version}")) == 1
    assert _found(filled, "1452") == set()
    assert _found(filled, "シェンコ氏") == _scanned(filled, "シェンコ氏") != set()


def test_one_character_goes_through_the_index_even_at_the_end_of_a_text(
    filled: store.Location,
) -> None:
    """The last character of a line and of a text starts no bigram of two letters: the
    index pairs it with the line break, so a one-character search still finds it."""
    last = store.query(filled, "SELECT DISTINCT right(search_text, 1) AS c FROM events")["c"]
    for char in [c for c in last if c.strip()][:10]:  # (a text may end in a line break)
        assert _found(filled, char) == _scanned(filled, char), char


def test_a_store_of_schema_6_gets_the_new_index_from_its_rows(tmp_path: Path) -> None:
    """The list index of schema 6 is dropped and the events are indexed anew."""
    db = tmp_path / "six.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, migration in enumerate(store.MIGRATIONS[:6], start=1):
            con.execute(migration)
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
        con.execute(
            "INSERT INTO events VALUES (1, 0, '内政', 'CSTO首脳会合', '・合意1450人', "
            "['2023-11-20'::DATE], ['Pozirk'], '2023-11-20', NULL, NULL, "
            "'csto首脳会合\n・合意1450人\npozirk', 1)"
        )
    store.ensure_db(db)
    tables = set(store.query(db, "SELECT table_name FROM duckdb_tables()")["table_name"])
    assert "event_grams" not in tables
    assert _stale_and_expected(db) == (0, 22, 22)
    found = store.query(db, f"WITH {search.matched_cte('合意1450')} SELECT * FROM matched")
    assert list(found["event_id"]) == [1]
    # schema 11: the common characters' bits of the rows already there
    [bits] = store.query(db, "SELECT common_chars FROM events")["common_chars"]
    assert bits == search.common_bits(pa.array(["csto首脳会合\n・合意1450人\npozirk"]))[0].as_py()
    assert bits & search.common_bit("・") and not bits & search.common_bit("の")
    # schema 12: the index a page of the event log is read by
    indexes = store.query(db, "SELECT table_name, expressions FROM duckdb_indexes()")
    assert indexes.values.tolist() == [["events", "[event_id]"]]


def test_a_bulk_ingest_leaves_a_lake_with_one_sorted_file_per_table(
    lake: str, tmp_path: Path
) -> None:
    """Each write transaction writes its own Parquet files; a bulk ingest merges them,
    so that a search reads one file's statistics per table, not one per batch."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("belarus-weekly-2023-11-30.txt", "crafted-new-year.txt", "crafted-cp932.txt"):
        shutil.copyfile(REPORTS / name, folder / name)
    ingest.ingest(lake, [folder], workers=1, batch_size=1)
    files = store.query(
        lake, "SELECT count(*) AS n FROM ducklake_list_files('report_db', 'event_postings')"
    )["n"].iloc[0]
    assert files == 1
    codes = store.query(lake, "SELECT gram, code FROM event_postings")
    assert list(codes.itertuples(index=False)) == sorted(codes.itertuples(index=False))
    assert _found(lake, "政治犯") == _scanned(lake, "政治犯") != set()


def test_ties_and_missing_dates_keep_the_logs_order(filled: store.Location) -> None:
    """Events of one date are ordered by their report's publication (newest first), then
    report and item; events without a date come last, and a date filter leaves them out."""
    with store.connect(filled, read_only=False) as con:
        con.execute(
            "UPDATE events SET first_date = CASE WHEN event_seq % 5 = 0 THEN NULL "
            "ELSE DATE '2023-11-20' END"
        )
    published = store.query(filled, "SELECT DISTINCT published FROM reports")["published"]
    assert len(published) > 1  # the tie is broken by publication first
    for filters in ({**ALL}, {**ALL, "end": dt.date(2023, 12, 31)}):
        expected = _scan_rows(filled, "の", filters)
        keys = list(zip(expected["report_id"], expected["event_seq"], strict=True))
        paged = []  # small pages: which events make a page is the frame's order
        for offset in range(0, len(keys), 3):
            page = queries.events(filled, **filters, text="の", limit=3, offset=offset)
            paged += list(zip(page["report_id"], page["event_seq"], strict=True))
        assert paged == keys
        assert queries.events_count(filled, **filters, text="の") == len(keys)
        weekly = queries.events_weekly(filled, **filters, text="の")
        assert int(weekly["n"].sum()) == len(keys)
        assert weekly["week"].isna().any() == expected["first_date"].isna().any()
    assert _scan_rows(filled, "の", ALL)["first_date"].isna().sum() > 0


def test_an_index_written_out_of_order_is_read_as_if_sorted() -> None:
    """The lookup in numpy expects each bigram's codes in the order they were written,
    ascending; where they are not (as writers that commit out of the order of their
    event ids may leave them), it finds what the index's SQL finds all the same, read
    bigram by bigram or all at once, over every event or within a range of them."""
    texts = [search.search_text(f"見出し{i}", body, []) for i, body in enumerate(_BODIES)]
    rows = search.index_rows(pa.table({"event_id": range(1, len(texts) + 1), "search_text": texts}))
    shuffled = rows.take(random.Random(3).sample(range(len(rows)), len(rows)))
    with duckdb.connect() as con:
        con.execute("CREATE TABLE event_postings (gram BIGINT, code BIGINT)")
        con.register("shuffled", shuffled)
        con.execute("INSERT INTO event_postings SELECT * FROM shuffled")
        for needle in ("ベラルーシ", "ルカシェンコ大統領", "1450人", "国境", "党", "ーシベラル"):
            by_sql = con.execute(search.matched_select(needle, distinct=False)).fetchnumpy()
            expected = sorted(by_sql["event_id"].tolist())
            for one_read in (False, True):  # read bigram by bigram, and all at once (a lake)
                for within in (None, (2, 3)):
                    found = search.find(con, needle, within, one_read=one_read)
                    kept = [i for i in expected if within is None or 2 <= i <= 3]
                    assert sorted(i for i in found.tolist() if i in kept) == kept, needle
                    assert set(found.tolist()) <= set(expected), needle
            assert bool(expected) == any(needle in text for text in texts), needle


_BODIES = (
    "・ルカシェンコ大統領はベラルーシ国境を視察した。",
    "・ベラルーシの政治犯は1,450人（ヴャスナ）。",
    "・リトアニア国境で14人が拘束された。ベラルーシ側は否定。",
    "・党大会の日程は未定。",
)


def test_a_lake_writes_the_events_in_small_row_groups(lake: str, tmp_path: Path) -> None:
    """Schema 13: a lake's events are written in row groups of 2,048 rows (a page's 50
    events are read by their ids, and a lake reads every text column of each row group
    that holds one), and a search over them still finds what a scan finds."""
    start = dt.date(2022, 1, 6)
    reports = sample.generate_reports(seed=5, start=start, end=start + dt.timedelta(weeks=160))
    ingest.ingest(lake, sample.write_reports(tmp_path / "in", reports), workers=1)
    options = store.query(lake, "FROM report_db.options() WHERE option_name LIKE 'parquet_row%'")
    assert ["2048", "main.events"] in options[["value", "scope_entry"]].values.tolist()
    [path] = store.query(lake, "SELECT data_file FROM ducklake_list_files('report_db', 'events')")[
        "data_file"
    ]
    groups = store.query(
        lake,
        "SELECT DISTINCT row_group_id, row_group_num_rows AS n FROM parquet_metadata(?)",
        [path],
    )
    events = store.row_counts(lake)["events"]
    # (a writer's row groups come near the size asked for, not at it: 2,138-2,185 rows
    # in a lake merged at 1.4 million events; the lake's default is 122,880)
    assert events > 2 * 2048 and len(groups) > 1 and groups["n"].max() <= 4096
    assert _found(lake, "政治犯") == _scanned(lake, "政治犯") != set()
    # and the files' footers (their row groups' statistics) are read once per process
    setting = "SELECT current_setting('parquet_metadata_cache') AS kept"
    assert store.query(lake, setting)["kept"].tolist() == [True]
