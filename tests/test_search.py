"""The event log's search index (indicators.store.search) on both backends: what it
finds is exactly what a substring scan of the stored text finds."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from indicators import ingest, queries, store

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


def test_the_writers_index_rows_are_the_sql_index(tmp_path: Path) -> None:
    """search.index_rows (numpy, what the writer inserts) gives row for row what
    search.index_sql (the migration's backfill) gives, on real and crafted texts,
    with line breaks, one-character texts, NULLs and characters beyond the BMP."""
    import duckdb
    import pyarrow as pa

    from indicators.read import decode
    from indicators.store import search

    texts: list[str | None] = [decode(p.read_bytes()) for p in sorted(REPORTS.glob("*.txt"))[:12]]
    texts += ["a", "", "x\ny", "𠮷野家の1,450人\n\n𠮷", None]
    events = pa.table(
        {
            "event_id": pa.array([5 + 3 * i for i in range(len(texts))], pa.int64()),
            "search_text": pa.array(texts, pa.string()),
        }
    )
    con = duckdb.connect()
    con.execute("CREATE TABLE event_grams (gram VARCHAR, codes BIGINT[])")
    con.register("incoming", events)
    con.execute(search.index_sql("incoming"))
    want = con.execute("SELECT gram, codes FROM event_grams").fetchall()
    got = search.index_rows(events)
    assert list(zip(got["gram"].to_pylist(), got["codes"].to_pylist(), strict=True)) == want
    assert search.index_rows(events.slice(0, 0)).num_rows == 0


def test_index_rows_beyond_65535_distinct_bigrams() -> None:
    """More distinct bigrams than 16 bits number (the sort's other path)."""
    import duckdb
    import pyarrow as pa

    from indicators.store import search

    rng = random.Random(5)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(75_000))
    events = pa.table({"event_id": pa.array([1, 2], pa.int64()), "search_text": [text, text[:9]]})
    con = duckdb.connect()
    con.execute("CREATE TABLE event_grams (gram VARCHAR, codes BIGINT[])")
    con.register("incoming", events)
    con.execute(search.index_sql("incoming"))
    want = con.execute("SELECT gram, codes FROM event_grams").fetchall()
    got = search.index_rows(events)
    assert got.num_rows > 65_535
    assert list(zip(got["gram"].to_pylist(), got["codes"].to_pylist(), strict=True)) == want
