"""Bytes of a report (PDF, or text in any Japanese encoding) -> clean lines of text.

Cleaning undoes what a PDF text extractor does to a report (see docs/FORMAT.md): blank lines
after every line, half-width spaces around numbers, page numbers and running headers,
full-width digits. Joining wrapped lines needs to know the report's structure, so that
is left to :mod:`indicators.parse`; this module keeps one physical line per line.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from indicators import settings
from indicators.errors import InputError

#: Files larger than this are refused before being read (bytes); ``INDICATORS_MAX_MB``
#: or the CLI's ``--max-size`` change it.
DEFAULT_MAX_BYTES = int(settings.MAX_MB.default) * settings.MiB

# Control characters no report holds: C0 but for tab, line feed, form feed (a page
# break from text extractors) and carriage return; DEL; C1. A text with one is a binary
# file or a damaged one, and its bytes must not reach a terminal or a spreadsheet.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# NFKC turns these full-width signs into ASCII; reports (and readers) expect the
# Japanese forms, so they are kept, and ASCII ones made full-width. Both range signs
# become one.
_FULL_WIDTH = {"(": "（", ")": "）", "~": "～", "〜": "～"}
_TO_FULL_WIDTH = re.compile("[()~〜]")


def _compatibility_chars() -> re.Pattern[str]:
    """Runs of characters that NFKC changes, but for the signs kept full-width.

    NFKC of a whole report costs far more than finding the few characters it changes
    (full-width digits, half-width katakana, ideographic spaces) and normalising those.
    """
    changed = [
        code
        for code in range(0x80, 0x10000)
        if not 0xD800 <= code < 0xE000
        and chr(code) not in "（）～"
        and unicodedata.normalize("NFKC", chr(code)) != chr(code)
    ]
    ranges: list[tuple[int, int]] = []
    for code in changed:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{members}]+")


_COMPATIBILITY = _compatibility_chars()
_SPACES = re.compile(r"[ \t]+")


def _nfkc(text: str) -> str:
    """NFKC where it changes anything, full-width brackets and range sign kept.

    >>> _nfkc("（１，４５０人）~")
    '（1,450人）～'
    """
    # Most reports need nothing: a regex scan of the whole text costs ~100 instructions a
    # character, the C quick check and str.replace/`in` a few. Scan only when they say so.
    probe = text.replace("（", "(").replace("）", ")").replace("～", "~")
    if not unicodedata.is_normalized("NFKC", probe):
        text = _COMPATIBILITY.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    if "(" in text or ")" in text or "~" in text or "〜" in text:
        text = _TO_FULL_WIDTH.sub(lambda m: _FULL_WIDTH[m[0]], text)
    return text


def _drop_artifact_spaces(text: str) -> str:
    """Remove spaces next to a non-ASCII character ("11 月 24 日", "少なくとも 22人").

    Spaces between ASCII words ("Justice for Journalist") are real and stay.

    >>> _drop_artifact_spaces("11 月 24 日 Justice for Journalist 財団")
    '11月24日Justice for Journalist財団'
    """
    # Found with a plain class (fast to scan for), judged by their neighbours in Python:
    # a report has a hundred or so, and a look-around regex costs far more per character.
    parts, last = [], 0
    for space in _SPACES.finditer(text):
        start, end = space.span()
        if (
            (start and not text[start - 1].isascii())
            or (end < len(text) and not text[end].isascii())
            or _inside_number(text, start, end)
        ):
            parts.append(text[last:start])
            last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _inside_number(text: str, start: int, end: int) -> bool:
    """Whether a space follows a number's separator and precedes its digits ("1, 450",
    "1. 2万"), as an extractor leaves them in justified text.

    >>> _drop_artifact_spaces("1, 450 人、1. 2 万人、1, 2, 3")
    '1,450人、1.2万人、1,2,3'
    """
    return (
        start >= 2
        and text[start - 1] in ",."
        and text[start - 2].isdigit()
        and end < len(text)
        and text[end].isdigit()
    )


_PAGE_NUMBER = re.compile(
    r"""^(?:
        -\s*\d+\s*-           # - 2 -
      | \d+\s*/\s*\d+         # 2 / 5
      | (?:page|p\.)\s*\d+    # Page 2
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


_PAGE_NUMBER_OPENINGS = frozenset("-0123456789pP")


def _decode(data: bytes) -> str:
    if not data.strip():
        raise InputError("empty file")
    if b"\x00" in data[:4096]:
        # UTF-16 reports exist in the wild, binaries more often; only trust a BOM.
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                raise InputError("cannot decode the text (damaged UTF-16)") from None
        raise InputError("not a text report (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Japanese tools default to CP932; a strict decode that succeeds is reliable
        # because CP932's lead/trail byte pairs rarely form by chance.
        return data.decode("cp932")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise InputError("cannot decode the text (neither UTF-8 nor Shift-JIS)")
    return str(best)


def decode(data: bytes) -> str:
    """Text of a report file: UTF-8 (with or without BOM) or Shift-JIS/CP932, unasked;
    a text holding control characters (NUL, escapes) anywhere is refused.

    >>> decode("政治犯".encode("cp932"))
    '政治犯'
    >>> decode("\\ufeff政治犯".encode("utf-8"))
    '政治犯'
    >>> decode(b"x" * 5000 + b"\\x00")
    Traceback (most recent call last):
    ...
    indicators.errors.InputError: not a text report (control character U+0000 on line 1)
    """
    text = _decode(data)
    if found := _CONTROL.search(text):
        line = text.count("\n", 0, found.start()) + 1
        raise InputError(
            f"not a text report (control character U+{ord(found[0]):04X} on line {line})"
        )
    return text


# A dash between two dates is the range sign: 11月20日－26日, 11月20日 – 11月26日.
_DASH_RANGE = re.compile(r"日\s*[-‐‑–—−]\s*(?=\d)")


# What may stand beside the title in a running header: nothing, or the period covered
# ("ベラルーシ公開情報とりまとめ（3月2日～3月8日）").
_RUNNING_PERIOD = re.compile(r"(?:（\d{1,2}月\d{1,2}日～\d{1,2}月\d{1,2}日）)?")


def _canonical(text: str) -> str:
    """NFKC (brackets and the range sign full-width), no artifact spaces, one range
    sign."""
    text = _drop_artifact_spaces(_nfkc(text))
    return _DASH_RANGE.sub("日～", text) if "日" in text else text


def normalize(line: str) -> str:
    """One line in canonical form: NFKC, Japanese brackets, no artifact spaces.

    >>> normalize("（11 月 24 日） 少なくとも　２２ 人")
    '（11月24日）少なくとも22人'
    >>> normalize("「Justice for Journalist」財団")
    '「Justice for Journalist」財団'
    >>> normalize("11月20日－26日、11月27日 – 12月3日")
    '11月20日～26日、11月27日～12月3日'
    """
    return _canonical(line).strip()


def clean_lines(text: str) -> list[str]:
    """Non-empty normalised lines, with page numbers and running headers dropped.

    The first line is the report's title; the same line again later is a running header
    at a page break, with the period beside it or on the next line as in the header.

    >>> clean_lines(" タイトル \\n\\n本文\\n\\n- 2 -\\n\\n タイトル\\n\\n続き")
    ['タイトル', '本文', '続き']
    >>> clean_lines("題\\n（3月2日～3月8日）\\n・との\\n2/3\\n題（3月2日～3月8日）\\n協議")
    ['題', '（3月2日～3月8日）', '・との', '協議']
    """
    # Whole-text passes in C wherever they can be: line edges by strip() (which knows
    # U+3000) and empty lines by filter() first, halving the text; then NFKC (it never
    # joins or splits lines) and the space rule, once each over what is left.
    kept = "\n".join(filter(None, map(str.strip, text.splitlines())))
    lines = [
        line.strip()
        for line in _canonical(kept).split("\n")
        # Only a line that opens like a page number is tried as one.
        if line and not (line[0] in _PAGE_NUMBER_OPENINGS and _PAGE_NUMBER.match(line))
    ]
    if not lines:
        return lines
    title, kept_lines = lines[0], lines[:1]
    after_title, period = False, ""
    for line in lines[1:]:
        if line.startswith(title) and _RUNNING_PERIOD.fullmatch(line, len(title)):
            after_title = True  # the title again, alone or with the period beside it
            continue
        if after_title and line == period:
            after_title = False  # the period again, on the line after the title
            continue
        if not period and line.startswith("（") and _RUNNING_PERIOD.fullmatch(line):
            period = line  # the header's (kept, even after a repeated title)
        after_title = False
        kept_lines.append(line)
    return kept_lines


#: The PDF header may sit anywhere in the first 1024 bytes (PDF 32000-1, annex H.3).
HEADER_WINDOW = 1024


def is_pdf(data: bytes) -> bool:
    """Whether bytes look like a PDF (the header may follow a little junk)."""
    return b"%PDF-" in data[:HEADER_WINDOW]


def read_text(data: bytes, *, name: str = "", limits: settings.Limits | None = None) -> str:
    """Raw text of a report file, PDF or text, told apart by content, not by name; no
    longer than the limits allow."""
    limits = limits or settings.limits()
    if is_pdf(data):
        from indicators.pdf import pdf_to_text  # pdfium loads only when a PDF comes

        return pdf_to_text(data, limits)  # checks the characters page by page
    if name.lower().endswith(".pdf"):
        raise InputError("not a PDF (no %PDF header)")
    text = decode(data)
    check_chars(len(text), limits.max_chars)
    return text


def check_chars(count: int, max_chars: int) -> None:
    """Refuse a report with more text than the limit.

    >>> check_chars(600_000, 500_000)
    Traceback (most recent call last):
    ...
    indicators.errors.InputError: too much text for a report (600,000 characters or more;
    the limit is 500,000: INDICATORS_MAX_CHARS)
    """
    if count > max_chars:
        raise InputError(
            f"too much text for a report ({count:,} characters or more; the limit is "
            f"{max_chars:,}: {settings.MAX_CHARS.name})"
        )


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a report larger than the limit, saying both sizes (in MiB).

    >>> check_size(60 * 1024 * 1024, 50 * 1024 * 1024)
    Traceback (most recent call last):
    ...
    indicators.errors.InputError: file too large (60 MiB; the limit is 50 MiB)
    """
    if size > max_bytes:
        raise InputError(
            f"file too large ({settings.mib(size)}; the limit is {settings.mib(max_bytes)})"
        )


def _folder_error(path: Path) -> InputError:
    """Why a folder reached the reader: it could not be listed, or it was named as a file."""
    try:
        with os.scandir(path):
            pass
    except OSError as error:
        reason = "permission denied" if isinstance(error, PermissionError) else error.strerror
        return InputError(f"cannot read this folder ({reason}): the reports in it were skipped")
    return InputError("is a folder, not a file")


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a report file; refuses what is too large or cannot be read."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _folder_error(path)
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
            raise InputError("not a regular file")
        check_size(info.st_size, max_bytes)
        with path.open("rb") as handle:
            # Read at most one byte past the limit: a file that grows meanwhile is refused too.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as error:
        raise InputError("file not found (moved or deleted?)") from error
    except IsADirectoryError:
        raise _folder_error(path) from None
    except PermissionError as error:
        raise InputError("permission denied") from error
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror or error})") from error
    check_size(len(data), max_bytes)  # it grew while being read
    return data
