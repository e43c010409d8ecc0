r"""The event log's text search: what is searched, and the index that keeps it fast.

What is searched is each event's headline, body and sources in one text, in the same
canonical form as a query: NFKC (so full-width and half-width letters, digits and kana
are one), lower-cased, and without the separators inside numbers (so ``1450`` finds
``1,450`` and ``1,450`` finds ``1450``).

The index (``event_postings``) holds one row per character of that text: the
character and the one after it packed in an integer (``gram``, the bigram; a line's last
character is paired with the line break), and where it stands (``code``, ``event_id <<
20 | position``). Rows are written sorted by ``(gram, code)``, so the rows of one bigram
lie together and a lookup is a range scan that the column statistics (DuckDB's zone
maps, Parquet's row-group statistics on a DuckLake) narrow to a few blocks.

A query of two or more characters is the bigrams at offsets 0, 2, 4, ... (and the last
one), which together cover every character. An event matches where all of them stand at
``start + offset`` for one ``start``, so the positions do the verification and no text
is read. :func:`find` reads each bigram's codes (ascending, as they were written) and
intersects them as sorted arrays; :func:`matched_select` says the same in SQL, one join
per bigram on ``code - offset``, for the queries that filter in SQL. A one-character
query is the range of bigrams that start with it (every character starts one).
Japanese has no spaces between words, so a word index (DuckDB's fts extension splits
on whitespace) would need a morphological analyser and would still miss substrings.

The characters that stand in a third or more of all events (:data:`COMMON`) are also
kept as one bit each per event (``events.common_chars``, schema 11): a one-character
search of one of them reads no index at all. Their index ranges are millions of rows
(の: 9.1 million at 1.4 million events), and making event ids distinct from them cost
0.9 s of CPU.

The previous index (schema 6, ``event_grams``) kept one row per bigram and write
transaction with a list of codes; a lookup joined the query's bigrams (a parameter) to
it, which gave DuckDB no constant to prune by, so every search read the whole list
column (73 million codes at 52,000 reports): 0.22 s of a 0.29 s count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Positions take the low bits of a code. Text beyond 2**19 characters is not indexed,
#: so that ``code - offset`` (offset below 2**19) never reaches the previous event.
POSITION_BITS = 20
MAX_POSITION = (1 << (POSITION_BITS - 1)) - 1
#: A character code (at most U+10FFFF) takes 21 bits; a bigram is two of them.
CHAR_BITS = 21
_NUMBER_SEPARATOR = re.compile(r"(\d),(\d)")

#: One bit each in ``events.common_chars`` (bit i: the event's text has ``COMMON[i]``).
#: The 63 characters found in most events of a sample of 50,000 (the sample corpus at
#: 100 series x 10 years, whose texts follow the real reports), most common first: の
#: in 97 %, the last (ま) in 29 %. Line break and space are left out: no query has them.
#: Changing this string changes what stored bits mean: a new schema version must
#: compute them again.
COMMON = (
    "の・はに、。国るをたしとルてでがすい会よれンもな大対ー関めタさベ通（）"
    "け力政あ方信一ス的外く同省民り府営表ら人ト指統か化議加ま"
)


def strip_separators(text: str) -> str:
    """Numbers without their thousands separators (the same rule as the SQL below).

    >>> strip_separators("政治犯は1,450人、うち1,234,567ドル、1,2")
    '政治犯は1450人、うち1234567ドル、12'
    """
    return _NUMBER_SEPARATOR.sub(r"\1\2", text)


def search_text(headline: str, body: str, sources: Sequence[str]) -> str:
    r"""What the event log's text search looks in: headline, body and sources, lower-cased.

    >>> search_text("CSTO首脳会合", "・合意1,450人", ["Pozirk"])
    'csto首脳会合\n・合意1450人\npozirk'
    """
    return strip_separators(f"{headline}\n{body}\n{' '.join(sources)}".lower())


def gram_code(pair: str) -> int:
    """Two characters as the index stores them.

    >>> gram_code("大使") == (ord("大") << 21) | ord("使")
    True
    """
    return (ord(pair[0]) << CHAR_BITS) | ord(pair[1])


def query_grams(text: str) -> tuple[list[str], list[int]]:
    """The bigrams of a (normalised) query that cover it, with their offsets.

    >>> query_grams("ルカシェンコ")
    (['ルカ', 'シェ', 'ンコ'], [0, 2, 4])
    >>> query_grams("大統領")
    (['大統', '統領'], [0, 1])
    >>> query_grams("党")
    ([], [])
    """
    if len(text) < 2:
        return [], []
    offsets = sorted({*range(0, len(text) - 1, 2), len(text) - 2})
    return [text[offset : offset + 2] for offset in offsets], offsets


def index_sql(source: str) -> str:
    """The statement that indexes the events of ``source`` (a table or registered
    relation with ``event_id`` and ``search_text``): one row per character, sorted.

    The text gets a line break at its end, so that its last character too starts a
    bigram; bigrams that start with a line break are left out (a query is one line).
    """
    return f"""
    INSERT INTO event_postings (gram, code)
    SELECT (unicode(substr(t, pos, 1))::BIGINT << {CHAR_BITS})
               | unicode(substr(t, pos + 1, 1)) AS gram,
           (event_id << {POSITION_BITS}) | pos AS code
    FROM (SELECT event_id, search_text || chr(10) AS t,
                 unnest(range(1, least(length(search_text), {MAX_POSITION}) + 1)) AS pos
          FROM {source} WHERE search_text IS NOT NULL)
    WHERE substr(t, pos, 1) <> chr(10)
    ORDER BY gram, code
    """


def index_rows(events: pa.Table) -> pa.Table:
    """The rows :func:`index_sql` inserts for ``events`` (``event_id``, ``search_text``),
    in the same order, computed in numpy: the SQL's unnest costs more than everything
    else the writer does at real report size.

    Each text gets a line break at its end; position ``pos`` (from 1) of a text pairs
    its character ``pos`` with the next one, for ``pos`` up to the text's length (and
    :data:`MAX_POSITION`), a line break as the first character left out.
    """
    schema = pa.schema([("gram", pa.int64()), ("code", pa.int64())])
    valid = events.filter(pc.is_valid(events["search_text"]))
    texts = valid["search_text"].to_pylist()
    if not texts:
        return schema.empty_table()
    ids = np.asarray(valid["event_id"].to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype=np.uint32)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    owner = np.repeat(np.arange(len(texts)), lengths + 1)
    pos = np.arange(len(points), dtype=np.int64) - starts[owner] + 1  # from 1; the \n last
    keep = (pos <= np.minimum(lengths, MAX_POSITION)[owner]) & (points != 10)
    at = np.flatnonzero(keep)
    grams = (points[at].astype(np.int64) << CHAR_BITS) | points[at + 1].astype(np.int64)
    codes = (ids[owner[at]] << POSITION_BITS) | pos[at]
    grams, codes = _sorted_by_gram(grams, codes)
    return pa.table([pa.array(grams), pa.array(codes)], schema=schema)


def _sorted_by_gram(grams: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays in ``(gram, code)`` order.

    Where the codes already ascend (as the writer numbers events) and a bigram and a row
    number fit in one 63-bit key (every text of characters below U+10000: up to 2**26
    rows), the key is sorted by value: numpy's vectorised sort of one array takes a
    tenth of the time of a sort of two keys (2.2 million rows: 17 against 165 ms).

    >>> _sorted_by_gram(np.array([5, 3, 5, 3]), np.array([1, 2, 3, 4]))
    (array([3, 3, 5, 5]), array([2, 4, 1, 3]))
    >>> _sorted_by_gram(np.array([5, 3, 5]), np.array([3, 2, 1]))  # codes not ascending
    (array([3, 5, 5]), array([2, 1, 3]))
    """
    row_bits = max(1, len(grams) - 1).bit_length()
    gram_bits = int(grams.max()).bit_length() if len(grams) else 0
    if gram_bits + row_bits > 63 or np.any(codes[1:] <= codes[:-1]):
        order = np.lexsort((codes, grams))
        return grams[order], codes[order]
    keys = (grams << row_bits) | np.arange(len(grams), dtype=np.int64)
    keys.sort()
    return keys >> row_bits, codes[keys & ((1 << row_bits) - 1)]


def common_bit(character: str) -> int | None:
    """The bit of ``events.common_chars`` that says an event has ``character``, if any.

    >>> common_bit("の"), common_bit("党")
    (1, None)
    """
    at = COMMON.find(character) if len(character) == 1 else -1
    return None if at < 0 else 1 << at


#: The bit of each character code up to the highest common one, then one 0 for all above.
_BIT_OF_CODE = np.zeros(max(map(ord, COMMON)) + 2, dtype=np.int64)
for _bit, _character in enumerate(COMMON):
    _BIT_OF_CODE[ord(_character)] = 1 << _bit


def common_bits(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``events.common_chars`` of each text (0 for none), in numpy: what
    :func:`common_bits_sql` computes.

    >>> common_bits(pa.array(["国の党", None, "", "ま"])).to_pylist()
    [65, 0, 0, 4611686018427387904]
    """
    values = [text or "" for text in texts.to_pylist()]
    if not values:
        return pa.array([], pa.int64())
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    points = np.frombuffer(("\n".join(values) + "\n").encode("utf-32-le"), dtype=np.uint32)
    # Each character's bit by table lookup; characters beyond the table have none.
    bits = _BIT_OF_CODE[np.minimum(points, len(_BIT_OF_CODE) - 1)]
    # Each text's segment ends with its line break (bit 0), so none is empty.
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    return pa.array(np.bitwise_or.reduceat(bits, starts), pa.int64())


def common_bits_sql(column: str) -> str:
    """The SQL of :func:`common_bits` (what the migration fills old rows with)."""
    terms = " | ".join(
        f"(contains({column}, '{character}')::BIGINT << {bit})"
        for bit, character in enumerate(COMMON)
    )
    return f"CASE WHEN {column} IS NULL THEN 0 ELSE {terms} END"


#: Removes the index rows of the events of the reports in ``replaced_ids`` (run before
#: those events are deleted).
UNINDEX_SQL = f"""
    DELETE FROM event_postings WHERE code >> {POSITION_BITS} IN (
        SELECT event_id FROM events WHERE report_id IN (FROM replaced_ids))
"""


def _event_codes(first: int, last: int) -> tuple[int, int]:
    """The lowest and highest ``code`` of the places in events ``first`` to ``last`` (a
    range that lets DuckDB skip the blocks outside it).

    >>> _event_codes(2, 3)
    (2097152, 4194303)
    """
    return first << POSITION_BITS, ((last + 1) << POSITION_BITS) - 1


def matched_select(
    text: str, *, distinct: bool = True, within: tuple[int, int] | None = None
) -> str:
    """The ids of the events whose text contains ``text`` (normalised, not empty), once
    per event or (``distinct`` false) once per place it stands; with ``within`` (the
    first and last event id wanted), only those in that range. The bigrams are written
    into the SQL as integer literals (never text from the user), so that each lookup is
    a constant filter DuckDB prunes by.

    >>> print(matched_select("党"))  # doctest: +NORMALIZE_WHITESPACE
    SELECT DISTINCT p0.code >> 20 AS event_id FROM event_postings p0
        WHERE p0.gram BETWEEN 43675287552 AND 43677384703
    >>> print(matched_select("大統領", distinct=False))  # doctest: +NORMALIZE_WHITESPACE
    SELECT p0.code >> 20 AS event_id FROM event_postings p0
        JOIN event_postings p1 ON p1.gram = 67345881112 AND p1.code - 1 = p0.code
        WHERE p0.gram = 47863332209
    """
    grams, offsets = query_grams(text)
    if not grams:  # one character: every bigram that starts with it
        low = ord(text) << CHAR_BITS
        where = f"p0.gram BETWEEN {low} AND {low | ((1 << CHAR_BITS) - 1)}"
        joins = ""
    else:
        where = f"p0.gram = {gram_code(grams[0])}"
        joins = "".join(
            f"\n    JOIN event_postings p{i} ON p{i}.gram = {gram_code(gram)}"
            f" AND p{i}.code - {offset} = p0.code"
            for i, (gram, offset) in enumerate(zip(grams, offsets, strict=True))
            if i
        )
    if within is not None:
        low, high = _event_codes(*within)
        where += f" AND p0.code BETWEEN {low} AND {high}"
    return (
        f"SELECT {'DISTINCT ' if distinct else ''}p0.code >> {POSITION_BITS} AS event_id"
        f" FROM event_postings p0{joins}\n    WHERE {where}"
    )


def _commonness(gram: str) -> int:
    """How common a bigram is likely to be: its characters' standing in :data:`COMMON`
    (0: neither is there; the most common pair scores highest).

    >>> _commonness("シェ"), _commonness("ルカ") < _commonness("の・")
    (0, True)
    """
    return sum(len(COMMON) - COMMON.index(c) for c in gram if c in COMMON)


#: Binary search when the codes outnumber the starts by more than this (about the
#: depth of a binary search in them, the cost of each lookup against a merge's per-element
#: cost).
_MERGE_FACTOR = 16


def _within(starts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The elements of ``starts`` that are in ``codes`` (both ascending, each without
    repeats).

    A few starts are looked up by binary search. Many are merged with the codes: the
    two runs concatenated and sorted stably (a merge of two sorted runs, in linear
    time), an element of both standing twice in a row. For ベラルーシ over 1.4 million
    events (167,000 starts in 257,000 codes) that takes 3.5 ms, the binary search 7.6.

    >>> _within(np.array([3, 5, 9]), np.array([1, 5, 9, 12])).tolist()
    [5, 9]
    >>> _within(np.array([5]), np.arange(0, 400, 5)).tolist()
    [5]
    """
    if len(starts) * _MERGE_FACTOR < len(codes):
        at = np.searchsorted(codes, starts)
        found = at < len(codes)
        found[found] = codes[at[found]] == starts[found]
        return starts[found]
    both = np.concatenate((starts, codes))
    both.sort(kind="stable")
    return both[:-1][both[1:] == both[:-1]]


def find(
    con: duckdb.DuckDBPyConnection,
    text: str,
    within: tuple[int, int] | None = None,
    *,
    one_read: bool = False,
) -> np.ndarray:
    """The ids of the events whose text contains ``text`` (normalised, not empty), once
    per place it stands, read from the index on ``con``: what :func:`matched_select`
    returns, without its joins; with ``within`` (the first and last event id wanted),
    only those in that range.

    DuckDB's hash joins of a common word's bigrams cost more than reading them (ベラルーシ
    at 1.4 million events: 100 ms of joins for 760,000 codes scanned in 15 ms). Here
    each bigram's codes, less its offset, are read as a numpy array and kept where the
    starts found so far are among them (:func:`_within`). The bigram likely to be the
    rarest (:func:`_commonness`) is read first, and each next read only between the
    first and last start left, which skips the blocks outside, as DuckDB's join filters
    do. With ``one_read`` (where a statement costs more than the rows it would skip: a
    lake), every bigram is read in one statement instead. The codes of one bigram come
    in the order they were written, which is ascending (event ids grow with each write);
    they are sorted here if not.
    """
    grams, offsets = query_grams(text)
    if not grams:
        return con.execute(matched_select(text, distinct=False, within=within)).fetchnumpy()[
            "event_id"
        ]
    order = sorted(zip(grams, offsets, strict=True), key=lambda g: _commonness(g[0]))
    bounds = None if within is None else _event_codes(*within)  # of the starts wanted
    together = _read_together(con, order, bounds) if one_read else None
    starts: np.ndarray | None = None
    for gram, offset in order:
        codes = together[gram] if together is not None else _read(con, gram, offset, bounds)
        codes = codes.astype(np.int64, copy=False) - offset
        if len(codes) > 1 and not (codes[1:] > codes[:-1]).all():
            codes.sort()
        starts = codes if starts is None else _within(starts, codes)
        if not len(starts):
            break
        bounds = int(starts[0]), int(starts[-1])
    assert starts is not None
    return starts >> POSITION_BITS


def _read(
    con: duckdb.DuckDBPyConnection, gram: str, offset: int, bounds: tuple[int, int] | None
) -> np.ndarray:
    """One bigram's codes (as stored), at ``offset`` in the text; with ``bounds``, only
    those whose starts (code less offset) are within them."""
    where = f"gram = {gram_code(gram)}"
    if bounds is not None:
        where += f" AND code BETWEEN {bounds[0] + offset} AND {bounds[1] + offset}"
    return con.execute(f"SELECT code FROM event_postings WHERE {where}").fetchnumpy()["code"]


def _read_together(
    con: duckdb.DuckDBPyConnection,
    grams: Sequence[tuple[str, int]],
    bounds: tuple[int, int] | None,
) -> dict[str, np.ndarray]:
    """Each bigram's codes (as stored), all read in one statement; with ``bounds``, at
    least those whose starts (code less offset) are within them. (Two filters of one
    column each, which the scan prunes by: a few codes outside the bounds come too, and
    are places of the text all the same.)"""
    codes = {gram: gram_code(gram) for gram, _ in grams}
    where = f"gram IN ({', '.join(map(str, codes.values()))})"
    if bounds is not None:
        offsets = [offset for _, offset in grams]
        where += f" AND code BETWEEN {bounds[0] + min(offsets)} AND {bounds[1] + max(offsets)}"
    rows = con.execute(f"SELECT gram, code FROM event_postings WHERE {where}").fetchnumpy()
    return {gram: rows["code"][rows["gram"] == code] for gram, code in codes.items()}


def matched_cte(text: str) -> str:
    """The CTE ``matched`` of :func:`matched_select`.

    >>> print(matched_cte("党"))  # doctest: +NORMALIZE_WHITESPACE
    matched AS (SELECT DISTINCT p0.code >> 20 AS event_id FROM event_postings p0
        WHERE p0.gram BETWEEN 43675287552 AND 43677384703)
    """
    return f"matched AS ({matched_select(text)})"
