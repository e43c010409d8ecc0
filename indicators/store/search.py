r"""The event log's text search: what is searched, and the index that keeps it fast.

What is searched is each event's headline, body and sources in one text, in the same
canonical form as a query: NFKC (so full-width and half-width letters, digits and kana
are one), lower-cased, and without the separators inside numbers (so ``1450`` finds
``1,450`` and ``1,450`` finds ``1450``).

The index holds, for every two-character sequence (bigram) of that text, where it
occurs: a code ``event_id << 20 | position`` per occurrence, one row per bigram and
write transaction (``event_grams``). A query of two or more characters is the bigrams
at offsets 0, 2, 4, ... (and the last one), which together cover every character; an
event matches where all of them occur at ``start + offset`` for one ``start``: the
exact substring, found without reading the text. A one-character query reads the text.
Japanese has no spaces between words, so a word index (DuckDB's fts extension splits
on whitespace) would need a morphological analyser and would still miss substrings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Positions within an event's text take the low bits of a code; text beyond this many
#: characters is searched by nobody's query in practice and is left out of the index.
POSITION_BITS = 20
_NUMBER_SEPARATOR = re.compile(r"(\d),(\d)")


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
    relation with ``event_id`` and ``search_text``): one row per bigram, sorted codes.

    Bigrams across a line break are left out (a query is one line).
    """
    limit = (1 << POSITION_BITS) - 1
    return f"""
    INSERT INTO event_grams (gram, codes)
    SELECT gram, list(code ORDER BY code) FROM (
        SELECT substr(search_text, pos, 2) AS gram,
               (event_id << {POSITION_BITS}) + pos AS code
        FROM (SELECT event_id, search_text,
                     unnest(range(1, least(length(search_text), {limit}))) AS pos
              FROM {source} WHERE search_text IS NOT NULL)
    )
    WHERE NOT contains(gram, chr(10))
    GROUP BY gram ORDER BY gram
    """


#: The events (their ids) whose text contains the query: ``$grams`` and ``$offsets``
#: from :func:`query_grams`. Stale codes of replaced reports name event ids that no
#: longer exist, and fall away when joined with the events.
MATCHED = f"""
matched AS (
    SELECT DISTINCT start >> {POSITION_BITS} AS event_id FROM (
        SELECT start FROM (
            SELECT unnest(g.codes) - (q.off + 1) AS start
            FROM event_grams g
            JOIN (SELECT unnest($grams) AS gram, unnest($offsets) AS off) q USING (gram)
        )
        GROUP BY start HAVING count(*) = len($grams)
    )
)"""


def index_rows(events: pa.Table) -> pa.Table:
    """The rows :func:`index_sql` inserts for ``events`` (``event_id``, ``search_text``),
    computed in numpy instead of SQL: the same grams, codes and order, at a fraction of
    the cost (the writer's largest one at real report size).

    Every character is a UTF-32 code point; a bigram is the pair of neighbours within
    one event's text. A stable sort by bigram keeps each bigram's codes in the order
    they were made, which is ascending (events in id order, positions ascending).
    """
    schema = pa.schema([("gram", pa.string()), ("codes", pa.list_(pa.int64()))])
    valid = events.filter(pc.is_valid(events["search_text"]))
    ids = np.asarray(valid["event_id"].to_numpy(zero_copy_only=False), dtype=np.int64)
    texts = valid["search_text"].to_pylist()
    if not texts:
        return schema.empty_table()
    # One separator between texts, so that no bigram spans two events. Arrays are as
    # narrow as they can be: a batch of 2,000 real-size reports has 7.5 M characters.
    joined = ("\n".join(texts) + "\n").encode("utf-32-le")
    points = np.frombuffer(joined, dtype=np.uint32)
    lengths = np.fromiter(map(len, texts), dtype=np.int32, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths + 1, dtype=np.int64)[:-1]))
    owner = np.repeat(np.arange(len(texts), dtype=np.int32), lengths + 1)[:-1]
    position = (np.arange(len(points) - 1, dtype=np.int64) - starts[owner] + 1).astype(np.int32)
    limit = (1 << POSITION_BITS) - 1
    first, second = points[:-1], points[1:]
    keep = (first != 10) & (second != 10)
    # substr(text, pos, 2) for pos < least(length, limit); a pair needs pos < length
    keep &= position < np.minimum(lengths[owner], limit)
    keys = (first[keep].astype(np.uint64) << np.uint64(21)) | second[keep]
    codes = (ids[owner[keep]] << POSITION_BITS) + position[keep]
    del joined, points, owner, position, keep, first, second
    # Bigrams as dense numbers ranked by bigram, then a stable sort by rank (a radix
    # sort while they fit in 16 bits, as they do for a batch of reports of one series).
    encoded = pc.dictionary_encode(pa.array(keys, pa.uint64()))
    distinct = encoded.dictionary.to_numpy()
    by_gram = np.argsort(distinct)
    narrow = np.uint16 if len(distinct) <= np.iinfo(np.uint16).max else np.int32
    rank = np.empty(len(distinct), dtype=narrow)
    rank[by_gram] = np.arange(len(distinct), dtype=narrow)
    ranks = rank[encoded.indices.to_numpy()]
    del encoded, keys
    order = np.argsort(ranks, kind="stable")
    counts = np.bincount(ranks, minlength=len(distinct))
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    mask = (1 << 21) - 1
    grams = [chr(int(k) >> 21) + chr(int(k) & mask) for k in distinct[by_gram]]
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(codes[order], pa.int64()))
    return pa.table([pa.array(grams, pa.string()), lists], schema=schema)
