"""Every setting the environment gives the program, in one place: name, unit, default.

A setting that is not set takes its default; a wrong value is one line naming it
(:class:`SettingError`), never a traceback. Sizes are in MiB (1 MiB = 1,048,576 bytes)
everywhere: here, in the command line's ``--max-size``, the upload widget and the
messages. The README's settings table and ``--help`` are made from :data:`SETTINGS`
(a test holds them to it).

>>> MAX_MB.default, MAX_MB.unit
(50, 'MiB')
>>> parse_value(MAX_MB, "2.5")
Traceback (most recent call last):
...
indicators.settings.SettingError: INDICATORS_MAX_MB='2.5': expected a positive whole number (MiB)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from indicators.errors import InputError

MiB = 1024 * 1024


class SettingError(InputError):
    """A setting with a value the program cannot use; the message names it."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default, unit and what it bounds."""

    name: str
    default: float
    unit: str
    meaning: str
    whole: bool = True  # a whole number (else any number)
    zero: bool = False  # 0 allowed (else only positive numbers)

    def value(self) -> float:
        """The value from the environment, or the default when unset or empty."""
        raw = os.environ.get(self.name, "").strip()
        return self.default if raw == "" else parse_value(self, raw)

    def count(self) -> int:
        """The value of a whole-number setting."""
        return int(self.value())


def parse_value(setting: Setting, raw: str) -> float:
    """A setting's value from its text, or a :class:`SettingError` naming it."""
    try:
        value: float = int(raw) if setting.whole else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not setting.zero):
        kind = "whole number" if setting.whole else "number"
        sign = "non-negative" if setting.zero else "positive"
        raise SettingError(f"{setting.name}={raw!r}: expected a {sign} {kind} ({setting.unit})")
    return value


# fmt: off
MAX_MB = Setting(
    "INDICATORS_MAX_MB", 50, "MiB", "largest report file taken in (command line and upload)")
MAX_PAGES = Setting(
    "INDICATORS_MAX_PAGES", 500, "pages", "most pages of a PDF report")
MAX_CHARS = Setting(
    "INDICATORS_MAX_CHARS", 500_000, "characters",
    "most characters of text in one report (PDF or text); the real report has about 5,000")
MAX_SECONDS = Setting(
    "INDICATORS_MAX_SECONDS", 20, "s", "longest time reading one file may take", whole=False)
MAX_INFLATE_MB = Setting(
    "INDICATORS_MAX_INFLATE_MB", 256, "MiB",
    "most that a PDF's compressed streams may inflate to, all together")
WORKER_MEMORY_MB = Setting(
    "INDICATORS_WORKER_MEMORY_MB", 512, "MiB",
    "memory a parser process may take on top of what it starts with")
FUTURE_DAYS = Setting(
    "INDICATORS_FUTURE_DAYS", 7, "days",
    "how far after today a report's publication date may lie", zero=True)
LOCK_TIMEOUT = Setting(
    "INDICATORS_LOCK_TIMEOUT", 15, "s",
    "how long an ingest waits for another one to finish", whole=False, zero=True)
BATCH_SIZE = Setting(
    "INDICATORS_BATCH_SIZE", 2000, "reports", "reports written per transaction")
# fmt: on

#: Every setting with a default (``INDICATORS_DB`` is a path: see :func:`db_path`).
SETTINGS = (
    MAX_MB,
    MAX_PAGES,
    MAX_CHARS,
    MAX_SECONDS,
    MAX_INFLATE_MB,
    WORKER_MEMORY_MB,
    FUTURE_DAYS,
    LOCK_TIMEOUT,
    BATCH_SIZE,
)

DEFAULT_DB = Path("data/indicators.duckdb")
#: The file-size setting's earlier name, in bytes; still honoured when the new one is unset.
LEGACY_MAX_BYTES = "INDICATORS_MAX_BYTES"


def db_location() -> str:
    """``INDICATORS_DB`` if set (a DuckDB file's path, or a DuckLake's
    ``ducklake:postgres:...``), else ``data/indicators.duckdb``."""
    return os.environ.get("INDICATORS_DB") or str(DEFAULT_DB)


def max_bytes() -> int:
    """The largest file taken in, in bytes (``INDICATORS_MAX_MB``, or the older
    ``INDICATORS_MAX_BYTES`` when only that is set)."""
    legacy = os.environ.get(LEGACY_MAX_BYTES, "").strip()
    if legacy and not os.environ.get(MAX_MB.name, "").strip():
        return int(parse_value(Setting(LEGACY_MAX_BYTES, 0, "bytes", ""), legacy))
    return MAX_MB.count() * MiB


@dataclass(frozen=True)
class Limits:
    """What one file may be and cost to read; each bound is checked while it is read.

    Read from the environment once per batch and handed to the workers with each file
    (a worker's environment is the fork server's, which may be older).
    """

    max_bytes: int
    max_pages: int
    max_chars: int
    seconds: float
    inflate_bytes: int
    future_days: int


def limits() -> Limits:
    """The limits from the environment (read once per batch, then passed to workers)."""
    return Limits(
        max_bytes=max_bytes(),
        max_pages=MAX_PAGES.count(),
        max_chars=MAX_CHARS.count(),
        seconds=MAX_SECONDS.value(),
        inflate_bytes=MAX_INFLATE_MB.count() * MiB,
        future_days=FUTURE_DAYS.count(),
    )


def mib(size: float) -> str:
    """A size in MiB as the messages write it: three significant digits, no exponent.

    >>> mib(50 * MiB), mib(60_000_000), mib(0.03 * MiB), mib(2048 * MiB)
    ('50 MiB', '57.2 MiB', '0.03 MiB', '2048 MiB')
    """
    value = size / MiB
    return f"{value:.0f} MiB" if value >= 100 else f"{value:.3g} MiB"


def check_all() -> None:
    """Read every setting once, so that a wrong one is said before any work starts."""
    for setting in SETTINGS:
        setting.value()
    max_bytes()
