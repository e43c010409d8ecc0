"""The one exception type that reaches users as a single line, and how a line is shown."""

from __future__ import annotations

import re
import unicodedata


class InputError(Exception):
    """A file that cannot be taken in; the message says why, without the file name.

    Callers that know the file prefix it: ``f"{path}: {error}"``.
    """


# Characters that are no ink: controls (C0, DEL, C1), line and paragraph separators,
# formatting (bidirectional overrides, zero-width), surrogates, private use, unassigned;
# and the backslash, so that an escape in the output is never ambiguous.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Most characters of a name are plainly visible: only the others are looked up.
_MAYBE_HIDDEN = re.compile(r"[^\x20-\x5b\x5d-\x7e\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
_SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in _SHORT:
        return _SHORT[char]
    if unicodedata.category(char) not in _HIDDEN_CATEGORIES:
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    r"""Text made safe for one line of a terminal: what would move the cursor, change
    colours, reorder the line or start a new one is shown escaped instead.

    A file name can hold any of these, so a name printed raw could forge a line
    ("2024-01-01  added") or drive the terminal (ANSI escapes).

    >>> printable("a\nb\r\x1b[31mc\u202e.txt")
    'a\\nb\\r\\x1b[31mc\\u202e.txt'
    >>> printable("報告書 (1).txt"), printable("a\\x0a")
    ('報告書 (1).txt', 'a\\\\x0a')
    """
    return _MAYBE_HIDDEN.sub(_escape, text)
