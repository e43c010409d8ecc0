"""Files and folders -> parsed reports -> the store, one bad file never stopping a batch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from indicators import store
from indicators.errors import InputError
from indicators.read import DEFAULT_MAX_BYTES, read_file

#: Files a folder is searched for; a file named explicitly is always tried.
REPORT_SUFFIXES = frozenset({".txt", ".pdf"})
#: Reports written per transaction: large enough for bulk inserts, small enough that
#: readers are never kept waiting long.
BATCH_SIZE = 2000
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_FROM = 64


def batch_size_default() -> int:
    return int(os.environ.get("INDICATORS_BATCH_SIZE", BATCH_SIZE))


def max_bytes_default() -> int:
    return int(os.environ.get("INDICATORS_MAX_BYTES", DEFAULT_MAX_BYTES))


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Report files under the given paths: files as named, folders recursively, sorted."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if (
                    found.suffix.lower() in REPORT_SUFFIXES
                    and found.is_file()
                    and not any(part.startswith(".") for part in found.relative_to(path).parts)
                ):
                    yield found
        else:
            yield path


def parse_path(path: Path, max_bytes: int) -> store.Parsed | store.Outcome:
    """A parsed report, or a failed outcome that says in one line what is wrong."""
    try:
        return store.parse_bytes(read_file(path, max_bytes=max_bytes), str(path))
    except InputError as error:
        return store.Outcome(str(path), "failed", str(error))
    except Exception as error:  # a parser bug must not stop the batch nor show a traceback
        return store.Outcome(
            str(path), "failed", f"could not be read ({type(error).__name__}: {error})"
        )


def _parse_star(args: tuple[Path, int]) -> store.Parsed | store.Outcome:
    return parse_path(*args)


@dataclass
class IngestResult:
    outcomes: list[store.Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[store.Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    def count(self, action: str) -> int:
        return sum(o.action == action for o in self.outcomes)


def parse_many(
    paths: Sequence[Path], max_bytes: int, workers: int | None = None
) -> Iterator[store.Parsed | store.Outcome]:
    """Parse files in order, over the machine's cores when there are many."""
    workers = workers or os.cpu_count() or 1
    jobs = [(path, max_bytes) for path in paths]
    if workers == 1 or len(jobs) < _PARALLEL_FROM:
        yield from map(_parse_star, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_parse_star, jobs, chunksize=16)


def ingest(
    db: Path,
    paths: Iterable[Path],
    *,
    max_bytes: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    on_outcome: Callable[[store.Outcome], None] | None = None,
) -> IngestResult:
    """Parse every report under ``paths`` and store them, a batch per transaction."""
    files = list(discover(paths))
    max_bytes = max_bytes_default() if max_bytes is None else max_bytes
    batch_size = batch_size or batch_size_default()
    result = IngestResult()
    parsed: list[store.Parsed] = []
    failures: list[store.Outcome] = []

    def flush() -> None:
        if not parsed and not failures:
            return
        outcomes = store.write(db, parsed, failures)
        result.outcomes.extend(outcomes)
        if on_outcome:
            for outcome in outcomes:
                on_outcome(outcome)
        parsed.clear()
        failures.clear()

    for item in parse_many(files, max_bytes, workers):
        if isinstance(item, store.Outcome):
            failures.append(item)
        else:
            parsed.append(item)
        if len(parsed) >= batch_size:
            flush()
    flush()
    return result
