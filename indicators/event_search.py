"""The Events page's search answered in this process: which events match, counted and
paged without joining the million events in SQL.

A search asks three things of one set of matches: the page of 50 rows, their count and
the weekly chart. In SQL each of them joined the matches to the events (1.4 million at
100 series x 10 years) and their reports to filter by scope, dates and section and to
sort: 65 ms of a common word's 80 ms count, and made three times. Here:

- the events' narrow columns (scope, date, section, the order the log shows them in,
  the common-character bits) are read once per state of the store (its signature) and
  held in numpy arrays, 50 bytes an event (:class:`Frame`; 70 MB at 1.4 million);
- the matches of a search are read once from the index (:mod:`indicators.store.search`),
  between the first and last event of the scope, as a mask over those arrays, and kept
  for the next uses of the same search while the store stays the same (:func:`matches`);
  a single common character needs no index at all (``events.common_chars``);
- filters, the count, the page's ids and the weekly counts are array operations on the
  mask; only the page's 50 rows are read with their text, by id.

Exact: the mask holds every event whose indexed text has the search text, as the index
finds it (see tests/test_search.py, which compares pages, counts and weekly counts with
a scan). If the store changes between reading the frame and the matches, events that
are not in the frame are left out until the next search, which sees the new store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators import store
from indicators.store import mirror, search

_EPOCH = dt.date(1970, 1, 1)
#: Searches whose matches are kept (a mask of one byte per event each), and stores
#: whose frames are (50 bytes per event each).
KEPT_SEARCHES = 16
KEPT_FRAMES = 4

_FRAME_SQL = f"""
    SELECT e.event_id, e.report_id, e.event_seq, e.section,
           e.first_date IS NOT NULL AS has_date,
           coalesce(e.first_date - DATE '{_EPOCH}', 0)::INTEGER AS day,
           coalesce(e.common_chars, 0) AS common_chars,
           s.series, s.is_sample, (s.published - DATE '{_EPOCH}')::INTEGER AS published
    FROM events e JOIN reports s USING (report_id)
"""


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of a string column, and the strings they stand for."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, encoded.dictionary.to_pylist()


@dataclass(frozen=True)
class Filters:
    """The Events page's scope and filters, as :func:`queries.events` takes them (a
    value, so that a selection can be kept by it)."""

    series: tuple[str, ...] | None
    include_sample: bool
    start: dt.date | None = None
    end: dt.date | None = None
    sections: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        series: Sequence[str] | None,
        include_sample: bool,
        start: dt.date | None = None,
        end: dt.date | None = None,
        sections: Sequence[str] | None = None,
    ) -> Filters:
        """From the queries' arguments (dates as any date-like value)."""
        return cls(
            series=None if series is None else tuple(series),
            include_sample=include_sample,
            start=None if start is None else pd.Timestamp(start).date(),
            end=None if end is None else pd.Timestamp(end).date(),
            sections=None if sections is None else tuple(sections),
        )


@dataclass(frozen=True)
class Page:
    """The events of one page, newest first: their ids and their reports' ids."""

    event_ids: list[int]
    report_ids: list[int]
    #: the state of the store the page was chosen at (None: no search)
    signature: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Frame:
    """The events' narrow columns, one array element per event (a *row*)."""

    event_id: np.ndarray  # int64
    report_id: np.ndarray  # int32
    #: row of each event id (-1: no such event); ids are dense, from 1
    row_of: np.ndarray
    #: position of each row in the log's order (newest first), and the rows in that order
    rank: np.ndarray
    order: np.ndarray
    has_date: np.ndarray
    day: np.ndarray  # first_date, days since 1970-01-01
    common_chars: np.ndarray
    series: np.ndarray  # codes into series_names
    series_names: list[str]
    section: np.ndarray  # codes into section_names
    section_names: list[str]
    is_sample: np.ndarray

    @classmethod
    def read(cls, db: store.Location) -> Frame:
        table = store.query_arrow(db, _FRAME_SQL)
        column = {
            name: table[name].to_numpy()
            for name in table.column_names
            if name not in ("series", "section")
        }
        series, series_names = _codes(table["series"])
        section, section_names = _codes(table["section"])
        event_id = column["event_id"].astype(np.int64)
        row_of = np.full(int(event_id.max(initial=0)) + 1, -1, dtype=np.int32)
        row_of[event_id] = np.arange(len(event_id), dtype=np.int32)
        # The log's order: first_date DESC (NULLs last), published DESC, report_id,
        # event_seq (as queries.events sorts); lexsort's last key is the first.
        day_desc = np.where(
            column["has_date"], -column["day"].astype(np.int64), np.iinfo(np.int64).max
        )
        order = np.lexsort(
            (column["event_seq"], column["report_id"], -column["published"], day_desc)
        ).astype(np.int32)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return cls(
            event_id=event_id,
            report_id=column["report_id"].astype(np.int32),
            row_of=row_of,
            rank=rank,
            order=order,
            has_date=column["has_date"].astype(bool),
            day=column["day"].astype(np.int32),
            common_chars=column["common_chars"].astype(np.int64),
            series=series,
            series_names=series_names,
            section=section,
            section_names=section_names,
            is_sample=column["is_sample"].astype(bool),
        )

    def __len__(self) -> int:
        return len(self.event_id)

    def rows(self, event_ids: np.ndarray) -> np.ndarray:
        """The rows of the given event ids (those the frame has)."""
        event_ids = event_ids[(event_ids >= 0) & (event_ids < len(self.row_of))]
        rows = self.row_of[event_ids]
        return rows[rows >= 0]

    def in_scope(self, filters: Filters) -> np.ndarray:
        """The rows (a mask) within the scope and filters (as queries.events)."""
        keep = np.ones(len(self), dtype=bool)
        if filters.series is not None:
            keep &= _allowed(self.series_names, filters.series)[self.series]
        if not filters.include_sample:
            keep &= ~self.is_sample
        if filters.start is not None or filters.end is not None:
            keep &= self.has_date
        if filters.start is not None:
            keep &= self.day >= (filters.start - _EPOCH).days
        if filters.end is not None:
            keep &= self.day <= (filters.end - _EPOCH).days
        if filters.sections is not None:
            keep &= _allowed(self.section_names, filters.sections)[self.section]
        return keep

    def page(self, selected: np.ndarray, limit: int, offset: int) -> Page:
        """One page of the selected rows, in the log's order."""
        ranks = self.rank[selected]
        wanted = offset + limit
        if limit <= 0 or offset >= len(ranks):
            return Page([], [])
        if len(ranks) > wanted:
            ranks = np.partition(ranks, wanted - 1)[:wanted]
        ranks.sort()
        rows = self.order[ranks[offset:wanted]]
        return Page(self.event_id[rows].tolist(), self.report_id[rows].tolist())

    def weekly(self, selected: np.ndarray) -> pd.DataFrame:
        """Selected events per week (its Monday) and sample or not, as
        queries.events_weekly returns them."""
        dated = selected & self.has_date
        day = self.day[dated].astype(np.int64)
        monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
        keys, counts = np.unique(monday * 2 + self.is_sample[dated], return_counts=True)
        weeks = pd.DataFrame(
            {
                "week": pd.to_datetime(keys // 2, unit="D").astype("datetime64[us]"),
                "is_sample": (keys % 2).astype(bool),
                "n": counts.astype(np.int64),
            }
        )
        undated = selected & ~self.has_date
        if not undated.any():
            return weeks
        samples, counts = np.unique(self.is_sample[undated], return_counts=True)
        rest = pd.DataFrame({"week": pd.NaT, "is_sample": samples, "n": counts.astype(np.int64)})
        rest["week"] = rest["week"].astype("datetime64[us]")
        return pd.concat([weeks, rest], ignore_index=True)  # a NULL week sorts last


def _allowed(names: list[str], wanted: Sequence[str]) -> np.ndarray:
    """A lookup by code: which of ``names`` are among ``wanted``."""
    chosen = set(wanted)
    return np.array([name in chosen for name in names], dtype=bool)


# --- what is kept between searches ------------------------------------------------------

_LOCK = threading.Lock()
_FRAMES: dict[str, tuple[tuple[int, ...], Frame]] = {}
#: Per store, its state and a search: the event ids the matches were read within (None:
#: all), and the mask.
_MATCHES: OrderedDict[
    tuple[str, tuple[int, ...], str], tuple[tuple[int, int] | None, np.ndarray]
] = OrderedDict()


def frame(db: store.Location) -> tuple[tuple[int, ...], Frame]:
    """The frame of the store as it is now (read again once it changed)."""
    signature = store.signature(db)
    key = str(db)
    with _LOCK:  # one reader builds it; the others wait for it rather than read it too
        kept = _FRAMES.get(key)
        if kept is None or kept[0] != signature:
            kept = (signature, Frame.read(db))
            _FRAMES.pop(key, None)
            _FRAMES[key] = kept
            while len(_FRAMES) > KEPT_FRAMES:
                del _FRAMES[next(iter(_FRAMES))]  # the one read longest ago
        return kept


def _covers(kept: tuple[int, int] | None, wanted: tuple[int, int] | None) -> bool:
    """Whether matches read within ``kept`` hold every match within ``wanted`` (None:
    every event)."""
    if kept is None:
        return True
    return wanted is not None and kept[0] <= wanted[0] and wanted[1] <= kept[1]


def matches(
    db: store.Location,
    signature: tuple[int, ...],
    events: Frame,
    text: str,
    within: tuple[int, int] | None = None,
) -> np.ndarray:
    """The mask of the rows of ``events`` (the frame of the store at ``signature``)
    whose text contains ``text`` (normalised); with ``within`` (the first and last event
    id wanted), rows outside that range may be left out.

    A scope narrows what is read: the index is read between its first and last event
    id only, so a country's search skips the blocks of the others' (when their events
    were ingested apart). A kept search serves any range within the one it was read for.
    """
    bit = search.common_bit(text)
    if bit is not None:  # in a third or more of all events: the bits say it
        return (events.common_chars & bit) != 0
    key = (str(db), signature, text)
    with _LOCK:
        kept = _MATCHES.get(key)
        if kept is not None and _covers(kept[0], within):
            _MATCHES.move_to_end(key)
            return kept[1]
    # Once per place it stands, not per event: the mask makes them one, and making
    # a common word's places distinct costs more than the index lookup. A lake's
    # search reads this process's copy of it when that holds the same snapshot.
    with mirror.reading(db, signature) as local:
        if local is not None:
            found = search.find(local, text, within)
    if local is None:
        one_read = store.connection.backend(db).costly_statements
        with store.connect(db, read_only=True) as con:
            found = search.find(con, text, within, one_read=one_read)
    mask = np.zeros(len(events), dtype=bool)
    mask[events.rows(found.astype(np.int64, copy=False))] = True
    with _LOCK:
        _MATCHES[key] = (within, mask)
        _MATCHES.move_to_end(key)
        while len(_MATCHES) > KEPT_SEARCHES:
            _MATCHES.popitem(last=False)
    return mask


def forget() -> None:
    """Drop every frame and kept search (for tests and benchmarks)."""
    with _LOCK:
        _FRAMES.clear()
        _MATCHES.clear()
        _SELECTIONS.clear()


def forget_searches() -> None:
    """Drop the kept searches only: the next search reads its matches again."""
    with _LOCK:
        _MATCHES.clear()
        _SELECTIONS.clear()


# --- the Events page's questions -------------------------------------------------------

#: The last selections (mask of the matches within scope and filters): the page, its
#: count and its weekly chart ask for the same one in a rerun.
_SELECTIONS: OrderedDict[tuple[str, tuple[int, ...], str, Filters], np.ndarray] = OrderedDict()
KEPT_SELECTIONS = 4


def _selected(
    db: store.Location, text: str, filters: Filters
) -> tuple[tuple[int, ...], Frame, np.ndarray]:
    signature, events = frame(db)
    key = (str(db), signature, text, filters)
    with _LOCK:
        if key in _SELECTIONS:
            _SELECTIONS.move_to_end(key)
            return signature, events, _SELECTIONS[key]
    chosen = events.in_scope(filters)
    if chosen.all():
        chosen = matches(db, signature, events, text).copy()
    elif chosen.any():
        ids = events.event_id[chosen]
        chosen &= matches(db, signature, events, text, (int(ids.min()), int(ids.max())))
    with _LOCK:
        _SELECTIONS[key] = chosen
        while len(_SELECTIONS) > KEPT_SELECTIONS:
            _SELECTIONS.popitem(last=False)
    return signature, events, chosen


def count(db: store.Location, text: str, filters: Filters) -> int:
    """How many events in scope have ``text`` (normalised)."""
    _, _, chosen = _selected(db, text, filters)
    return int(np.count_nonzero(chosen))


def page(db: store.Location, text: str, filters: Filters, *, limit: int, offset: int = 0) -> Page:
    """One page of the events in scope that have ``text``, newest first."""
    signature, events, chosen = _selected(db, text, filters)
    return dataclasses.replace(events.page(chosen, limit, offset), signature=signature)


def weekly(db: store.Location, text: str, filters: Filters) -> pd.DataFrame:
    """The events in scope that have ``text`` per week and sample or not."""
    _, events, chosen = _selected(db, text, filters)
    return events.weekly(chosen)
