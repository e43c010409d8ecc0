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


def _stage(args: tuple[Path, int]) -> store.Staged | store.Outcome:
    """Worker: one file -> the rows it adds (or why it failed)."""
    parsed = parse_path(*args)
    return parsed if isinstance(parsed, store.Outcome) else store.stage(parsed)


@dataclass
class IngestResult:
    outcomes: list[store.Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[store.Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    def count(self, action: str) -> int:
        return sum(o.action == action for o in self.outcomes)


def _batches(
    files: Sequence[Path], max_bytes: int, batch_size: int, workers: int
) -> Iterator[list[store.Staged | store.Outcome]]:
    """Parsed batches in file order; the next batch is parsed while one is written."""
    chunks = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
    jobs = [[(path, max_bytes) for path in chunk] for chunk in chunks]
    if workers == 1 or len(files) < _PARALLEL_FROM:
        for chunk_jobs in jobs:
            yield [_stage(job) for job in chunk_jobs]
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # At most two batches in flight: memory stays flat however many files come.
        pending = pool.map(_stage, jobs[0], chunksize=8) if jobs else None
        for i in range(len(jobs)):
            assert pending is not None
            done = list(pending)
            pending = pool.map(_stage, jobs[i + 1], chunksize=8) if i + 1 < len(jobs) else None
            yield done


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
    workers = workers or os.cpu_count() or 1
    result = IngestResult()
    for batch in _batches(files, max_bytes, batch_size, workers):
        staged = [item for item in batch if isinstance(item, store.Staged)]
        failures = [item for item in batch if isinstance(item, store.Outcome)]
        outcomes = store.write(db, staged, failures)
        result.outcomes.extend(outcomes)
        if on_outcome:
            for outcome in outcomes:
                on_outcome(outcome)
    return result
