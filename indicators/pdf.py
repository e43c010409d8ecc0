"""PDF bytes -> the text's lines in visual reading order, taken from the page geometry.

A content stream may draw a two-column page in any order (row by row across the
columns, or shuffled), so the stream order is not trusted: every character's box is
read, characters are put back into lines by position, columns are found from the empty
gutter between them, and the lines are emitted as a reader sees them: the header lines
above the columns, then column 1 top to bottom, then column 2. Running headers (page 1's
too, as word processors print it), repeated footers and page numbers are dropped.

One visual line is one line of the text, except where the page shows that a paragraph
wrapped (a word processor's space between paragraphs tells a wrap from a new paragraph):
such a line is joined to the one it continues, so a wrapped line that opens with a mark
a paragraph opens with (a headline broken just before its "（11月20日）") is not read as
a paragraph of its own.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import unicodedata
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from typing import Literal

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indicators import settings
from indicators.errors import InputError

# Distances are in ems of the text at hand: the height of pdfium's "loose" character
# box, which spans the font's ascent to descent, so the rules hold at any type size.
SPACE_GAP = 0.2  # a gap this wide between Latin characters is a word space
PIECE_GAP = 1.0  # wider than this: two pieces (a column gutter, a tab stop), never one word
SAME_LINE = 0.5  # centres closer than this (in ems of the smaller text) share a line
COLUMN_START = 1.5  # a line starting this close to its column's left edge is body text
FULL_LINE = 2.5  # a line ending this close to its column's right edge may have wrapped
PARAGRAPH_SPACE = 0.4  # lines this much further apart than wrapped ones: a new paragraph
INSIDE = 0.6  # a character this much within another's height is on its line
WRAP_PITCH = 0.2  # lines at most this much further apart than the tightest: one paragraph

# Marks that open a paragraph and never a wrapped line: word processors keep ・ from a
# line's start (行頭禁則, JIS X 4051), ● opens items and 【 sections only.
_NEVER_WRAPPED = ("・", "･", "●", "【")

# The PDF header may sit anywhere in the first 1024 bytes (PDF 32000-1, annex H.3);
# the end-of-file marker closes the last revision, so its absence means a cut file.
HEADER_WINDOW = 1024
TRAILER_WINDOW = 4096

# Characters that are whitespace: they are text, but not where a line's ink is.
_SPACES = np.array([0x20, 0xA0, 0x3000, *range(0x2000, 0x200C)], dtype=np.uint32)

_PAGE_NUMBER = re.compile(
    r"""
    ^[\s\-‐‑‒–—―−－]*              # "- 2 -", "－２－": any dashes around the number
    (?:page|p\.)?\s*                # "Page 2", "p. 2"
    \d{1,4}                         # \d takes full-width digits too
    (?:\s*(?:/|／|of)\s*\d{1,4})?   # "2 / 5", "2 of 5"
    \s*(?:ページ|頁)?               # "2ページ"
    [\s\-‐‑‒–—―−－]*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

# How many rows of page 1 can hold the title block that pages 2+ repeat as a header.
TITLE_ROWS = 6

#: pdfium must not be entered from two threads at once, even for different documents
#: (it crashes the process), and Streamlit runs each session in a thread. Processes
#: (the ingest workers) each have their own pdfium. Any other pdfium use must hold it.
PDFIUM_LOCK = threading.Lock()

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Column = Literal["left", "right", "span"]


@dataclass(slots=True)
class _Piece:
    """Characters drawn side by side on one line: a run of the stream, then a segment."""

    x0: float
    x1: float
    bottom: float
    top: float
    text: str
    row: int = -1
    column: Column = "span"

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class _Row:
    """Pieces on one horizontal band of the page, left to right (may cross columns)."""

    pieces: list[_Piece] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0

    @property
    def text(self) -> str:
        return _join_line(self.pieces)

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(slots=True)
class _Page:
    rows: list[_Row]  # top to bottom
    em: float  # typical text height on the page


def pdf_to_text(data: bytes, limits: settings.Limits | None = None) -> str:
    """The PDF's text, one visual line per line in reading order, pages in order.

    The work is bounded before it happens (see :class:`indicators.settings.Limits`): the
    compressed streams' inflated size is measured first, the page count is checked
    before any page is loaded, each page's character count before its characters are
    fetched, and the time between pages. A bomb is refused with one line naming the
    limit it hit; what pdfium does inside one call (a page drawing millions of glyphs
    through a form) is bounded by the worker's memory cap and time limit instead
    (:mod:`indicators.workers`).
    """
    limits = limits or settings.limits()
    _check_envelope(data)
    _check_inflation(data, limits.inflate_bytes)
    pages = _read_pages(data, limits)
    if not any(page.rows for page in pages):
        raise InputError("no text layer (a scanned PDF?): it needs OCR first")
    _drop_furniture(pages)
    return "\n".join(line for page in pages for line in _reading_order(page))


def _check_envelope(data: bytes) -> None:
    """Refuse what is visibly not a whole PDF before pdfium tries to repair it.

    pdfium rebuilds a damaged cross-reference table by scanning the file, so a file cut
    in half may open and silently lose its second half; the missing end marker is the
    reliable sign of that.
    """
    if not data:
        raise InputError("empty file")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise InputError("not a PDF (no %PDF header)")
    if b"%%EOF" not in data[-TRAILER_WINDOW:]:
        raise InputError("damaged or truncated PDF")


# The keyword that opens a stream's data (PDF 32000-1, 7.3.8.1), not "endstream".
_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_INFLATE_STEP = 1 << 20  # inflate this much at a time: memory stays flat


def _check_inflation(data: bytes, limit: int) -> None:
    """Refuse a PDF whose Flate streams inflate to more than ``limit`` bytes in all.

    pdfium inflates a page's content stream whole into memory before it reads a glyph,
    so a 1 MB stream of zeros costs it a gigabyte. Here each stream is inflated a
    megabyte at a time and thrown away: the cost is the time zlib takes (about a
    second per GiB), never the memory. Data that is not zlib (images in DCT, other
    filters) is skipped; the worker's memory cap bounds what pdfium does with those.
    """
    total = 0
    view = memoryview(data)
    position = 0
    while found := _STREAM_START.search(data, position):
        start = position = found.end()
        inflater = zlib.decompressobj()
        try:
            while not inflater.eof and position < len(data):
                pending: bytes | memoryview = view[position : position + _INFLATE_STEP]
                position += len(pending)
                while pending and not inflater.eof:
                    total += len(inflater.decompress(pending, _INFLATE_STEP))
                    pending = inflater.unconsumed_tail
                    if total > limit:
                        raise InputError(
                            f"compressed streams inflate to more than {settings.mib(limit)} "
                            f"({settings.MAX_INFLATE_MB.name}): a decompression bomb?"
                        )
        except zlib.error:
            position = start  # not zlib data: look for the next stream after this one
            continue
        position -= len(inflater.unused_data)


def _read_pages(data: bytes, limits: settings.Limits) -> list[_Page]:
    """Each page's text laid out as rows of pieces, pdfium closed afterwards."""
    with PDFIUM_LOCK:
        return _read_pages_locked(data, limits)


def _read_pages_locked(data: bytes, limits: settings.Limits) -> list[_Page]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        # pdfium's last-error code is left over from an earlier document when a load
        # fails without setting it (a PDF with no pages does), so the file must agree.
        locked = error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)
        if locked and b"/Encrypt" in data:
            raise InputError("encrypted PDF: remove the password and try again") from None
        raise InputError("damaged or truncated PDF") from None
    deadline = time.monotonic() + limits.seconds
    with pdf:
        try:
            count = len(pdf)
            if count == 0:
                raise InputError("empty PDF: it has no pages")
            if count > limits.max_pages:
                raise InputError(
                    f"too many pages for a report ({count:,}; the limit is "
                    f"{limits.max_pages:,}: {settings.MAX_PAGES.name})"
                )
            pages = []
            chars = 0
            for index in range(count):
                _check_time(deadline, limits, index, count)
                page = pdf.get_page(index)
                try:
                    textpage = page.get_textpage()
                    try:
                        # Counting is free once the text page is loaded; fetching each
                        # character's box is what costs (about 5 µs a character).
                        chars += textpage.count_chars()
                        if chars > limits.max_chars:
                            raise InputError(
                                f"too much text for a report (more than {limits.max_chars:,} "
                                f"characters by page {index + 1}: {settings.MAX_CHARS.name})"
                            )
                        _check_time(deadline, limits, index, count)
                        pages.append(_layout(_runs(textpage)))
                    finally:
                        textpage.close()
                finally:
                    page.close()
            return pages
        except pdfium.PdfiumError:
            raise InputError("damaged or truncated PDF") from None


def _check_time(deadline: float, limits: settings.Limits, index: int, count: int) -> None:
    if time.monotonic() > deadline:
        raise InputError(
            f"took too long to read (more than {limits.seconds:g} s by page {index + 1} "
            f"of {count}: {settings.MAX_SECONDS.name})"
        )


def _runs(textpage: pdfium.PdfTextPage) -> list[_Piece]:
    """Runs of characters the stream draws consecutively, left to right on one line."""
    count = textpage.count_chars()
    if count <= 0:
        return []
    boxes = (pdfium_c.FS_RECTF * count)()
    # One C call per character is the only per-character cost; map() keeps the Python
    # interpreter out of it. (Text rectangles plus get_text_bounded() would avoid the
    # per-character calls, but pdfium scans the whole page for each rectangle: 6x slower.)
    raw = textpage.raw
    list(map(pdfium_c.FPDFText_GetLooseCharBox, repeat(raw, count), range(count), boxes))
    codes = _char_codes(textpage, count)
    # pdfium reports a hyphen that ends a line (in stream order) as a soft hyphen: 0x02,
    # or U+FFFE in the page text. It is on the page, so it is text.
    codes[(codes == 0x02) | (codes == 0xFFFE)] = ord("-")
    # FS_RECTF is (left, top, right, bottom).
    left, top, right, bottom = np.frombuffer(boxes, dtype=np.float32).reshape(count, 4).T
    # Characters pdfium makes up from the stream order (line breaks, spaces between
    # text objects) have an empty box: drop them, the geometry decides instead.
    keep = (top - bottom > 0.01) & (codes >= 0x20) & ~((codes >= 0x7F) & (codes < 0xA0))
    keep &= ~((codes >= 0xD800) & (codes < 0xE000)) & (codes < 0x110000) & (codes != 0xFFFF)
    if not keep.any():
        return []
    x0, x1 = left[keep].astype(np.float64), right[keep].astype(np.float64)
    y0, y1 = bottom[keep].astype(np.float64), top[keep].astype(np.float64)
    codes = codes[keep]
    text = codes.astype("<u4").tobytes().decode("utf-32-le")
    return _split_runs(x0, x1, y0, y1, codes, text)


def _char_codes(textpage: pdfium.PdfTextPage, count: int) -> npt.NDArray[np.uint32]:
    """Unicode code point of every character on the text page, by character index."""
    text = textpage.get_text_range()
    if len(text) == count:  # one UTF-16 unit per character: the common, fast case
        return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    # Characters beyond the BMP or ones pdfium leaves out shift the text against the
    # character indices; ask for each code point instead.
    codes = map(pdfium_c.FPDFText_GetUnicode, repeat(textpage.raw, count), range(count))
    return np.fromiter(codes, dtype=np.uint32, count=count)


def _split_runs(
    x0: Floats, x1: Floats, y0: Floats, y1: Floats, codes: npt.NDArray[np.uint32], text: str
) -> list[_Piece]:
    """Cut the characters where the stream jumps: another line, backwards, or far right."""
    height = y1 - y0
    middle = (y0 + y1) / 2
    small = np.minimum(height[1:], height[:-1])
    large = np.maximum(height[1:], height[:-1])
    gap = x0[1:] - x1[:-1]
    # Where pdfium has no font metrics its "loose" box is the glyph's own: a "、" is a
    # low sliver of its line. Inside the next character's height, it is on that line.
    overlap = np.minimum(y1[1:], y1[:-1]) - np.maximum(y0[1:], y0[:-1])
    within = overlap >= INSIDE * small
    breaks = (
        ((np.abs(middle[1:] - middle[:-1]) > 0.3 * small) & ~within)  # a new line
        | (gap < -0.5 * small)  # drawn backwards: the stream went elsewhere
        | (gap > PIECE_GAP * large)  # across a gutter (one TJ may span both columns)
    )
    space = np.isin(codes, _SPACES)
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.append(starts[1:], len(codes))
    word_gaps = _word_gaps(gap, small, breaks, starts, ends)
    # A run's extent is its ink, not its spaces: trailing spaces would eat the gutter.
    run_x0 = np.minimum.reduceat(np.where(space, np.inf, x0), starts)
    run_x1 = np.maximum.reduceat(np.where(space, -np.inf, x1), starts)
    run_y0 = np.minimum.reduceat(y0, starts)
    run_y1 = np.maximum.reduceat(y1, starts)
    runs = []
    for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        if not np.isfinite(run_x0[i]):
            continue  # only spaces
        parts, at = [], start
        for j in word_gaps[bisect_right(word_gaps, start) : bisect_left(word_gaps, end)]:
            if not _glued(text[j - 1], text[j]):
                parts.append(text[at:j])
                at = j
        parts.append(text[at:end])
        runs.append(
            _Piece(
                float(run_x0[i]),
                float(run_x1[i]),
                float(run_y0[i]),
                float(run_y1[i]),
                " ".join(parts),
            )
        )
    return runs


def _word_gaps(
    gap: Floats, small: Floats, breaks: npt.NDArray[np.bool_], starts: Ints, ends: Ints
) -> list[int]:
    """Indices of the characters after a word space the PDF did not draw as a character.

    A clear gap inside a run, measured against the run's usual gap between characters:
    a letter-spaced line (the PDF's Tc, or Japanese justification) has wide gaps
    everywhere, and those are not word spaces.
    """
    wide = np.flatnonzero(~breaks & (gap > SPACE_GAP * small))
    if not wide.size:
        return []
    found = []
    run_of = np.searchsorted(starts, wide + 1, side="right") - 1
    for run in np.unique(run_of).tolist():
        # gap[k] lies between characters k and k + 1, so a run's gaps are start..end-2.
        usual = float(np.median(gap[starts[run] : ends[run] - 1]))
        for k in wide[run_of == run].tolist():
            if gap[k] - usual > SPACE_GAP * small[k]:
                found.append(k + 1)
    return found


def _glued(before: str, after: str) -> bool:
    """Whether a gap between two characters is no word space.

    Japanese is written without spaces, so a gap between two full-width characters is
    justification or letter-spacing, and a space that is already there is enough.
    """
    if before.isspace() or after.isspace():
        return True
    return _wide(before) and _wide(after)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _layout(runs: list[_Piece]) -> _Page:
    """Runs into rows (top to bottom), and side-by-side runs of a row into segments."""
    rows: list[_Row] = []
    anchor: _Piece | None = None  # the row's first run: comparing to it stops chaining
    for run in sorted(runs, key=lambda r: -r.middle):
        limit = SAME_LINE * min(run.height, anchor.height) if anchor else 0.0
        if anchor is None or (anchor.middle - run.middle > limit and not _inside(run, anchor)):
            rows.append(_Row())
            anchor = run
        rows[-1].pieces.append(run)
    for index, row in enumerate(rows):
        row.pieces = _segments(row.pieces, index)
        row.top = max(p.top for p in row.pieces)
        row.bottom = min(p.bottom for p in row.pieces)
    heights = [p.height for row in rows for p in row.pieces]
    return _Page(rows, statistics.median(heights) if heights else 10.0)


def _inside(a: _Piece, b: _Piece) -> bool:
    """Whether the lower of two pieces lies within the other's height (a lone "、")."""
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap >= INSIDE * min(a.height, b.height)


def _segments(runs: list[_Piece], row: int) -> list[_Piece]:
    """Merge a row's runs that touch (at most PIECE_GAP apart) into segments."""
    segments: list[_Piece] = []
    for run in sorted(runs, key=lambda r: r.x0):
        last = segments[-1] if segments else None
        if last and run.x0 - last.x1 <= PIECE_GAP * max(last.height, run.height):
            last.text = _join(last, run)
            last.x1 = max(last.x1, run.x1)
            last.bottom, last.top = min(last.bottom, run.bottom), max(last.top, run.top)
        else:
            segments.append(_Piece(run.x0, run.x1, run.bottom, run.top, run.text, row))
    return segments


def _join(before: _Piece, after: _Piece) -> str:
    """The text of two pieces of one line, with a space where the gap says so."""
    left, right = before.text, after.text
    if not left or not right:
        return left + right
    if left[-1].isspace() and right[0].isspace():
        return left + right.lstrip()
    gap = after.x0 - before.x1
    em = min(before.height, after.height)
    if gap > PIECE_GAP * max(before.height, after.height):
        return left.rstrip() + " " + right.lstrip()  # separate items, whatever the script
    if gap > SPACE_GAP * em and not _glued(left[-1], right[0]):
        return left + " " + right
    return left + right


def _join_line(pieces: Iterable[_Piece]) -> str:
    ordered = sorted(pieces, key=lambda p: p.x0)
    if not ordered:
        return ""
    line = ordered[0]
    merged = _Piece(line.x0, line.x1, line.bottom, line.top, line.text)
    for piece in ordered[1:]:
        merged.text = _join(merged, piece)
        merged.x1 = max(merged.x1, piece.x1)
    return merged.text.strip()


# --- running headers, footers, page numbers ---------------------------------------


def _drop_furniture(pages: list[_Page]) -> None:
    """Drop page numbers, running headers and footers repeated on pages."""
    for page in pages:
        for end in (-1, 0):  # the number may sit at the foot or the head of the page
            if page.rows and _lone(page, end) and _PAGE_NUMBER.match(page.rows[end].text):
                page.rows.pop(end)
    first = pages[0]
    title_block = {_key(row.text) for row in first.rows[:TITLE_ROWS]}
    tops = [p.rows[0] if p.rows and len(p.rows[0].pieces) == 1 else None for p in pages]
    heads = [row if row and _lone(page, 0) else None for page, row in zip(pages, tops, strict=True)]
    seen = Counter(_key(row.text) for row in heads[1:] if row)
    found = [
        row
        for row in heads[1:]
        if row and (seen[_key(row.text)] > 1 or _key(row.text) in title_block)
    ]
    if heads[0] and _running_head_on_first_page(first, [row for row in tops[1:] if row]):
        found.append(heads[0])
    # Where the body has paragraph spacing as wide as the header's, the header is not
    # set apart on every page; it is still the same line in the same place.
    for page, row in zip(pages, tops, strict=True):
        if row and any(row is head or _same_place(row, head) for head in found):
            page.rows.pop(0)
    feet = [_key(p.rows[-1].text) if p.rows and _lone(p, -1) else None for p in pages]
    seen = Counter(key for key in feet if key)
    for page, key in zip(pages, feet, strict=True):
        if key and seen[key] > 1:
            page.rows.pop(-1)


def _running_head_on_first_page(first: _Page, others: list[_Row]) -> bool:
    """Whether page 1's first row (set apart from the rest) is the running header.

    A word processor prints its header on page 1 too: the same line in the same place
    as on other pages, or, on a single page, in smaller type above the title it repeats.
    (Layouts that begin page 1 with the title itself repeat it on later pages as a
    header elsewhere and smaller, and the title stays.)
    """
    if len(first.rows) < 2:
        return False
    row = first.rows[0]
    if any(_same_place(row, other) for other in others):
        return True
    return any(
        _key(below.text) == _key(row.text) and below.height > 1.1 * row.height
        for below in first.rows[1:TITLE_ROWS]
    )


def _same_place(a: _Row, b: _Row) -> bool:
    """Whether two rows (of different pages) are one line printed in one place."""
    near = 0.25 * min(a.height, b.height)
    return (
        _key(a.text) == _key(b.text)
        and abs(a.top - b.top) < near
        and abs(a.bottom - b.bottom) < near
        and abs(a.pieces[0].x0 - b.pieces[0].x0) < near
    )


def _lone(page: _Page, end: Literal[0, -1]) -> bool:
    """Whether the first/last row is one piece set apart from the body by extra space."""
    rows = page.rows
    if len(rows[end].pieces) != 1:
        return False
    if len(rows) == 1:
        return True
    gaps = [max(0.0, a.bottom - b.top) for a, b in pairwise(rows)]
    gap = gaps[0] if end == 0 else gaps[-1]
    # The body's own line spacing, from the gaps between the first and last rows (a
    # page with one or two lines of body has none: assume ordinary leading).
    usual = statistics.median(gaps[1:-1]) if len(gaps) > 2 else 0.5 * page.em
    return gap > max(0.8 * page.em, 1.8 * usual)


def _key(text: str) -> str:
    """A line's identity across pages: page numbers and spacing do not count."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


# --- columns and reading order ----------------------------------------------------


def _reading_order(page: _Page) -> list[str]:
    """Header lines, then each band's column 1 and column 2, then what spans below."""
    pieces = [piece for row in page.rows for piece in row.pieces]
    edges = _columns(pieces, page.em)
    if edges is None:
        lines = _lines(pieces)
        return _unwrap([lines], _paragraph_pitch([lines], page.em), page.em)
    body_top = _body_top(pieces, edges)
    header = [p for p in pieces if p.middle > body_top]
    body = [p for p in pieces if p.middle <= body_top]
    # A line across the gutter below the header (a full-width heading, a footer) ends
    # a band: the columns above it are read before it, those below after it.
    spans = sorted({p.row for p in body if p.column == "span"})
    flows: list[list[_Line]] = []
    done = -1
    for limit in [*spans, len(page.rows)]:
        band = [p for p in body if done < p.row <= limit]
        flows += [_lines([p for p in band if p.column == column]) for column in _COLUMNS]
        done = limit
    return [line.text for line in _lines(header)] + _unwrap(
        flows, _paragraph_pitch(flows, page.em), page.em
    )


_COLUMNS: tuple[Column, ...] = ("left", "right", "span")


def _body_top(pieces: list[_Piece], edges: tuple[float, float]) -> float:
    """Where the columns begin: the first line of column 1 level with one of column 2.

    The title block above the columns has no such pair: its centred lines span the
    gutter, a right-aligned date or issuer lies over column 2 with nothing beside it,
    and a running header at column 1's edge has nothing beside it either. Lines that
    start at their column's left edge are paired first (a title-block row may hold a
    left and a right item); any level pair serves when none do.
    """
    at_edge = {
        column: [
            p for p in pieces if p.column == column and abs(p.x0 - edge) <= COLUMN_START * p.height
        ]
        for column, edge in zip(("left", "right"), edges, strict=True)
    }
    for lefts, rights in (
        (at_edge["left"], at_edge["right"]),
        ([p for p in pieces if p.column == "left"], [p for p in pieces if p.column == "right"]),
    ):
        beside = _level(lefts, rights) + _level(rights, lefts)
        if beside:
            return max(p.top for p in beside)
    return -np.inf


def _columns(pieces: list[_Piece], em: float) -> tuple[float, float] | None:
    """Label each piece left, right or span; the columns' left edges, or None for one.

    The gutter is a vertical strip that few pieces cross (a centred title or page
    number may) with text on both sides of it in the same rows: among the strips of
    low coverage in the middle of the page, the one with the most such rows wins. The
    empty half of a column that is only begun has low coverage too, but nothing beside.
    """
    if len(pieces) < 3:
        return None
    x0 = np.array([p.x0 for p in pieces])
    x1 = np.array([p.x1 for p in pieces])
    origin, width = float(x0.min()), float(x1.max() - x0.min())
    if width < 10 * em:
        return None
    # How many pieces cover each 1 pt of the page's width.
    change = np.zeros(int(np.ceil(width)) + 3)
    np.add.at(change, np.floor(x0 - origin).astype(int), 1)
    np.add.at(change, np.ceil(x1 - origin).astype(int), -1)
    cover = np.cumsum(change)[int(0.15 * width) : int(0.85 * width)]
    offset = origin + int(0.15 * width)
    few = max(3, 0.1 * len(pieces))
    bounds = [0, *(np.flatnonzero(np.diff(cover)) + 1).tolist(), len(cover)]
    best: tuple[tuple[int, int, int], float] | None = None
    for low, high in pairwise(bounds):
        if cover[low] > few:
            continue
        at = offset + (low + high) / 2
        beside = _level([p for p in pieces if p.x0 >= at], [p for p in pieces if p.x1 <= at])
        rank = (len(beside), -int(cover[low]), high - low)
        if beside and (best is None or rank > best[0]):
            best = rank, at
    if best is None:
        return None
    at = best[1]
    lefts = [p for p in pieces if p.x1 <= at]
    rights = [p for p in pieces if p.x0 >= at]
    start, end = max(p.x1 for p in lefts), min(p.x0 for p in rights)
    if end - start < 0.5 * em:
        return None
    for piece in pieces:
        if piece.x1 <= at:
            piece.column = "left"
        elif piece.x0 >= at:
            piece.column = "right"
        # A left line may poke into the gutter without reaching column 2, and so on.
        elif piece.x0 < start and piece.x1 < end - 0.25 * em:
            piece.column = "left"
        elif piece.x1 > end and piece.x0 > start + 0.25 * em:
            piece.column = "right"
        else:
            piece.column = "span"
    # A column's left edge, from lines level with the other column (not the title block).
    return min(p.x0 for p in _level(lefts, rights)), min(p.x0 for p in _level(rights, lefts))


def _level(pieces: list[_Piece], others: list[_Piece]) -> list[_Piece]:
    """The pieces that some piece of `others` is level with (their heights overlap).

    Not "in the same row": the columns' baselines need not line up.
    """
    if not others:
        return []
    others = sorted(others, key=lambda p: p.middle)
    middles = [p.middle for p in others]
    found = []
    for piece in pieces:
        at = bisect_left(middles, piece.middle)
        for near in others[max(0, at - 1) : at + 1]:
            if near.bottom < piece.top and piece.bottom < near.top:
                found.append(piece)
                break
    return found


@dataclass(slots=True)
class _Line:
    """One visual line of text, with the box it fills."""

    x0: float
    x1: float
    bottom: float
    top: float
    text: str

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _lines(pieces: list[_Piece]) -> list[_Line]:
    """Pieces grouped by row, top to bottom, each row's pieces left to right."""
    rows: dict[int, list[_Piece]] = {}
    for piece in pieces:
        rows.setdefault(piece.row, []).append(piece)
    lines = []
    for row in sorted(rows):
        found = rows[row]
        text = _join_line(found)
        if text:
            x0, x1 = min(p.x0 for p in found), max(p.x1 for p in found)
            lines.append(
                _Line(x0, x1, min(p.bottom for p in found), max(p.top for p in found), text)
            )
    return lines


# --- lines a paragraph wraps onto ---------------------------------------------------


def _paragraph_pitch(flows: list[list[_Line]], em: float) -> float | None:
    """The distance between a paragraph's lines, where paragraphs are told apart.

    A word processor sets space between paragraphs, so consecutive lines of one flow
    are either one line apart (a wrap) or more (a new paragraph). That shows in lines
    that both start at the flow's left edge; a page set with even leading throughout
    (or the centred and right-aligned title block) shows no such difference: None.
    """
    pitches, starts = [], []
    for flow in flows:
        if len(flow) < 2:
            continue
        left = min(line.x0 for line in flow)
        for above, below in pairwise(flow):
            pitch = above.middle - below.middle
            pitches.append(pitch)
            if max(above.x0, below.x0) - left <= COLUMN_START * em:
                starts.append(pitch)
    if not starts:
        return None
    line = sorted(pitches)[len(pitches) // 10]  # the tightest usual pitch, not an outlier
    if not any(pitch > line + PARAGRAPH_SPACE * em for pitch in starts):
        return None
    return line


def _unwrap(flows: list[list[_Line]], pitch: float | None, em: float) -> list[str]:
    """Each flow's lines, a line its paragraph wrapped onto joined to the one before.

    A wrap is told by the page alone: the line above reaches the flow's right edge,
    this one starts at its left edge, one line's pitch below. Joining them keeps a
    wrapped line that happens to open with a mark a paragraph opens with (a headline
    wrapped just before its "（11月20日）") from reading as a paragraph of its own.
    """
    out: list[str] = []
    for flow in flows:
        if not flow:
            continue
        left, right = min(line.x0 for line in flow), _right_edge(flow, em)
        texts = [flow[0].text]
        for above, line in pairwise(flow):
            wrapped = (
                pitch is not None
                and above.middle - line.middle <= pitch + WRAP_PITCH * em
                and right - above.x1 <= FULL_LINE * em
                and line.x0 - left <= COLUMN_START * em
                and not _opens_paragraph(above.text, line.text)
            )
            if wrapped:
                texts[-1] = _join_wrapped(texts[-1], line.text)
            else:
                texts.append(line.text)
        out += texts
    return out


def _opens_paragraph(above: str, line: str) -> bool:
    """Whether the text alone shows ``line`` opening a paragraph, whatever the spacing.

    Where a page sets little or no space between paragraphs, a full line followed by a
    bullet or a citation looks like a wrap. A line cannot open with ・ in Japanese
    typesetting, and after a sentence's end a "（" opens a citation or a sub-heading.

    >>> _opens_paragraph("…を阻止。", "・ラトビア"), _opens_paragraph("…を許可。", "（10月17日 X）")
    (True, True)
    >>> _opens_paragraph("●見出しが続く", "（11月20日）"), _opens_paragraph("…した。", "また、")
    (False, False)
    """
    return line.startswith(_NEVER_WRAPPED) or (above.endswith("。") and line.startswith("（"))


def _right_edge(flow: list[_Line], em: float) -> float:
    """Where the flow's full lines end: the median end of the lines near the longest.

    Not the longest line itself: a "、" or "。" may hang past the edge.
    """
    longest = max(line.x1 for line in flow)
    return statistics.median(line.x1 for line in flow if line.x1 >= longest - FULL_LINE * em)


def _join_wrapped(before: str, after: str) -> str:
    """Two lines of one paragraph as one: a space only where a wrap took one.

    A line breaks at the space between two Latin words, and that space is not drawn;
    Japanese breaks between any two characters, a hyphenated word after its hyphen.

    >>> _join_wrapped("「Justice for", "Journalist」財団"), _join_wrapped("協議会（A-", "WEB）")
    ('「Justice for Journalist」財団', '協議会（A-WEB）')
    >>> _join_wrapped("遅くとも", "2025 年"), _join_wrapped("CSTO", "加盟国")
    ('遅くとも2025 年', 'CSTO加盟国')
    """
    end, start = before[-1], after[0]
    latin = end.isalnum() and start.isalnum() and not (_wide(end) or _wide(start))
    return f"{before} {after}" if latin else before + after
