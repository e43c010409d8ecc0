"""The local copy of a lake's search (indicators.store.mirror), on a real DuckLake with
its catalog in PostgreSQL: what it answers is what the lake answers, it follows the
lake's changes without being copied again, it is never read behind the lake, and one
that differs from the lake, or that another process keeps, is not trusted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indicators import event_search, ingest, queries, store
from indicators.store import mirror

REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"
ALL = {"series": None, "include_sample": True}
NEEDLES = ("の", "党", "政治犯", "ベラルーシ", "1,450", "1,451", "ＣＳＴＯ", "新年", "存在しない")


@pytest.fixture
def lake_with_copy(lake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (REAL.name, "crafted-new-year.txt"):
        shutil.copyfile(REPORTS / name, folder / name)
    ingest.ingest(lake, [folder], workers=1)
    monkeypatch.setenv("INDICATORS_SEARCH_MIRROR", str(tmp_path / "copies"))
    yield lake
    mirror.disable(lake)


def _answers(db: str) -> dict[str, tuple[int, list[tuple[int, int, str]]]]:
    """Per needle: the count and the first page (report, event, headline), as the
    Events page asks for them (each search new: nothing kept from an earlier one)."""
    found = {}
    for text in NEEDLES:
        event_search.forget_searches()
        page = queries.events(db, **ALL, text=text, limit=5)
        rows = list(zip(page["report_id"], page["event_seq"], page["headline"], strict=True))
        found[text] = (queries.events_count(db, **ALL, text=text), rows)
    return found


def _lake_answers(db: str) -> dict[str, tuple[int, list[tuple[int, int, str]]]]:
    """The same, asked of the lake itself (this process keeping no copy; after it, the
    process keeps one again: a new :class:`mirror.Mirror` on the same file)."""
    mirror.disable(db)
    try:
        return _answers(db)
    finally:
        mirror.enable(db, inline=True)


def _differences(db: str) -> int:
    """Rows of the copy's tables that the lake's tables lack now, and the reverse."""
    lake = store.connection.backend(db)
    assert isinstance(lake, store.connection.LakeBackend)
    differ = 0
    with lake.connect(read_only=True) as con:
        for table, (_, columns) in mirror.TABLES.items():
            listed = ", ".join(columns)
            ours = f"SELECT {listed} FROM {mirror.NAME}.{table}"
            theirs = f"SELECT {listed} FROM report_db.{table}"
            for a, b in ((ours, theirs), (theirs, ours)):
                differ += con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()[0][0]
    return differ


def _replace_and_add(db: str, tmp_path: Path) -> None:
    """A corrected copy of the real report (its events replaced), and a new week."""
    folder = tmp_path / "v2"
    folder.mkdir()
    corrected = REAL.read_text("utf-8").replace("1,450人", "1,451人")
    (folder / REAL.name).write_text(corrected, "utf-8")
    shutil.copyfile(REPORTS / "crafted-cp932.txt", folder / "crafted-cp932.txt")
    ingest.ingest(db, [folder], workers=1)


def test_the_copy_answers_as_the_lake_and_follows_its_changes(
    lake_with_copy: str, tmp_path: Path
) -> None:
    db = lake_with_copy
    expected = _lake_answers(db)
    copy = mirror.mirror(db)
    assert copy is not None
    assert _answers(db) == expected
    assert copy.reads >= len(NEEDLES) and copy.whole_copies == 1  # each read it
    assert expected["政治犯"][0] > 0 and expected["1,451"][0] == 0  # not all empty

    _replace_and_add(db, tmp_path)  # events deleted and added, reports replaced
    expected = _lake_answers(db)
    copy = mirror.mirror(db)  # the same file, held at the snapshot before the ingest
    assert copy is not None
    assert _answers(db) == expected
    assert copy.reads >= len(NEEDLES)
    assert expected["1,450"][0] == 0 and expected["1,451"][0] == 1
    assert copy.whole_copies == 0, "brought up to date from the changes, not copied again"
    assert _differences(db) == 0


def test_a_copy_behind_the_lake_is_not_read(lake_with_copy: str, tmp_path: Path) -> None:
    """In the dashboard the copy catches up in the background: until it has, the lake
    answers, so a new report is found by the first search after it is stored."""
    db = lake_with_copy
    mirror.enable(db)  # in the background, as the dashboard
    copy = mirror.mirror(db)
    assert copy is not None
    copy.wait()
    before = copy.reads
    assert queries.events_count(db, **ALL, text="政治犯") > 0
    assert copy.reads == before + 1  # caught up: the copy answered
    _replace_and_add(db, tmp_path)
    copy.wait()  # (a catch-up started before the ingest ended must not count)
    event_search.forget()
    reads = copy.reads
    assert queries.events_count(db, **ALL, text="1,451") == 1  # the lake answered
    assert copy.reads == reads
    copy.wait()  # the search that found it behind started it
    event_search.forget_searches()
    assert queries.events_count(db, **ALL, text="1,451") == 1
    assert copy.reads == reads + 1
    assert _differences(db) == 0


def test_a_copy_that_differs_from_the_lake_is_made_again(
    lake_with_copy: str, tmp_path: Path
) -> None:
    db = lake_with_copy
    mirror.enable(db, inline=True)
    assert queries.events_count(db, **ALL, text="政治犯") > 0
    copy = mirror.mirror(db)
    assert copy is not None and copy.whole_copies == 1
    with store.connection.backend(db).connect(read_only=False) as con:
        con.execute(f"DELETE FROM {mirror.NAME}.event_postings WHERE code % 7 = 0")
    _replace_and_add(db, tmp_path)
    assert queries.events_count(db, **ALL, text="1,451") == 1
    assert copy.whole_copies == 2
    assert _differences(db) == 0
    expected = _lake_answers(db)
    assert _answers(db) == expected


def test_a_copy_another_process_keeps_is_left_to_it(lake_with_copy: str) -> None:
    db = lake_with_copy
    expected = _lake_answers(db)
    copy = mirror.mirror(db)
    assert copy is not None
    copy.path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(copy.path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert _answers(db) == expected
        assert copy.unusable and copy.reads == 0
    finally:
        holder.communicate("")


def test_a_file_keeps_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDICATORS_SEARCH_MIRROR", str(tmp_path / "copies"))
    db = tmp_path / "t.duckdb"
    ingest.ingest(db, [REAL], workers=1)
    mirror.enable(db, inline=True)
    assert mirror.mirror(db) is None
    assert queries.events_count(db, **ALL, text="政治犯") > 0
    assert not (tmp_path / "copies").exists()


def test_a_copy_that_cannot_be_made_leaves_the_search_to_the_lake(
    lake_with_copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    db = lake_with_copy
    expected = _lake_answers(db)
    mirror.disable(db)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("INDICATORS_SEARCH_MIRROR", str(blocker / "copies"))
    mirror.enable(db, inline=True)
    with caplog.at_level("WARNING", logger="indicators.store.mirror"):
        assert _answers(db) == expected
    copy = mirror.mirror(db)
    assert copy is not None and copy.unusable and copy.reads == 0
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "local copy is not kept" in warned[0], warned


def test_a_damaged_copy_file_is_made_again(lake_with_copy: str) -> None:
    db = lake_with_copy
    expected = _lake_answers(db)
    copy = mirror.mirror(db)
    assert copy is not None
    mirror.disable(db)
    copy.path.parent.mkdir(parents=True, exist_ok=True)
    copy.path.write_bytes(b"not a DuckDB file" * 1000)
    mirror.enable(db, inline=True)
    assert _answers(db) == expected
    copy = mirror.mirror(db)
    assert copy is not None and copy.reads > 0 and not copy.unusable
    assert _differences(db) == 0
