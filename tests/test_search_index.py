"""The writer's search-index rows (numpy) are row for row, in order, what the index's SQL
makes from the same events."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from conftest import REAL_REPORT

from indicators.store import search

TEXTS = [
    "csto首脳会合\n・合意1450人\npozirk",
    "",
    "党",
    "ab",
    "\n\n改行だけ\n",
    "絵文字😀と𠮷野家",  # characters beyond the BMP
    None,
    REAL_REPORT.read_text(encoding="utf-8").lower(),
]


def _by_sql(events: pa.Table) -> list[tuple[int, int]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE event_postings (gram BIGINT, code BIGINT)")
    con.register("incoming_events", events)
    con.execute(search.index_sql("incoming_events"))
    return con.execute("SELECT gram, code FROM event_postings ORDER BY gram, code").fetchall()


def test_index_rows_are_the_sqls() -> None:
    events = pa.table(
        {"event_id": pa.array(range(7, 7 + len(TEXTS)), pa.int64()), "search_text": TEXTS}
    )
    rows = search.index_rows(events)
    mine = list(zip(rows["gram"].to_pylist(), rows["code"].to_pylist(), strict=True))
    assert mine == _by_sql(events)
    assert mine == sorted(mine)  # written sorted: a bigram is one range of the table
    assert len(mine) > 4_000  # the real report is among them


def test_no_events_no_rows() -> None:
    empty = pa.table(
        {"event_id": pa.array([], pa.int64()), "search_text": pa.array([], pa.string())}
    )
    assert search.index_rows(empty).num_rows == 0


def test_common_bits_are_the_sqls() -> None:
    texts = pa.array([*TEXTS, "の" * 3, "".join(search.COMMON)], pa.string())
    con = duckdb.connect()
    con.register("texts", pa.table({"search_text": texts}))
    by_sql = [
        bits
        for (bits,) in con.execute(
            f"SELECT {search.common_bits_sql('search_text')} FROM texts"
        ).fetchall()
    ]
    mine = search.common_bits(texts).to_pylist()
    assert mine == by_sql
    assert mine[-1] == (1 << len(search.COMMON)) - 1 and mine[-2] == 1  # every bit; の
    assert mine[TEXTS.index(None)] == 0
