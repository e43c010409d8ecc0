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
