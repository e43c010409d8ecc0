"""Files and folders -> parsed reports -> the store, one bad file never stopping a batch."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from indicators import store
from indicators.errors import InputError
from indicators.extract import default_definitions, extract
from indicators.parse import parse_lines
from indicators.read import DEFAULT_MAX_BYTES, check_size, clean_lines, read_file, read_text

#: Files a folder is searched for; a file named explicitly is always tried.
REPORT_SUFFIXES = frozenset({".txt", ".pdf"})
#: Reports written per transaction: large enough for bulk inserts, small enough that
#: readers are never kept waiting long.
BATCH_SIZE = 2000
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_FROM = 64


def _setting(name: str, default: int) -> int:
    """A positive whole number from the environment; a wrong one is a one-line error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"{name}={raw!r}: expected a positive whole number")
    return value


def batch_size_default() -> int:
    return _setting("INDICATORS_BATCH_SIZE", BATCH_SIZE)


def max_bytes_default() -> int:
    return _setting("INDICATORS_MAX_BYTES", DEFAULT_MAX_BYTES)


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


def parse_bytes(data: bytes, file_name: str, *, series: str | None = None) -> store.Parsed:
    """Read, parse and extract one report file's bytes (no database involved)."""
    report = parse_lines(clean_lines(read_text(data, name=file_name)))
    return store.Parsed(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        report=report,
        extraction=extract(report),
        series_name=series,
    )


def _parse_or_fail(
    name: str, load: Callable[[], bytes], series: str | None
) -> store.Parsed | store.Outcome:
    try:
        return parse_bytes(load(), name, series=series)
    except InputError as error:
        return store.Outcome(name, "failed", str(error))
    except Exception as error:  # a parser bug must not stop the batch nor show a traceback
        return store.Outcome(name, "failed", f"could not be read ({type(error).__name__}: {error})")


def parse_path(
    path: Path, max_bytes: int, *, series: str | None = None
) -> store.Parsed | store.Outcome:
    """A parsed report, or a failed outcome that says in one line what is wrong."""
    return _parse_or_fail(str(path), lambda: read_file(path, max_bytes=max_bytes), series)


def parse_data(
    name: str, data: bytes, max_bytes: int, *, series: str | None = None
) -> store.Parsed | store.Outcome:
    """The same for a report already in memory (an upload); ``name`` is only a label."""

    def load() -> bytes:
        check_size(len(data), max_bytes)
        return data

    return _parse_or_fail(name, load, series)


# A job for a worker: a file on disk, or (label, bytes) already in memory.
_Job = tuple[Path | tuple[str, bytes], int, str | None]


def _parse_job(job: _Job) -> store.Parsed | store.Outcome:
    source, max_bytes, series = job
    if isinstance(source, Path):
        return parse_path(source, max_bytes, series=series)
    return parse_data(*source, max_bytes, series=series)


def _stage(jobs: Sequence[_Job]) -> tuple[store.StagedChunk, list[store.Outcome]]:
    """Worker: some reports -> their rows as Arrow tables, and the files that failed."""
    parsed: list[store.Parsed] = []
    failed: list[store.Outcome] = []
    for job in jobs:
        result = _parse_job(job)
        (failed if isinstance(result, store.Outcome) else parsed).append(result)  # type: ignore[arg-type]
    return store.stage(parsed), failed


@dataclass
class IngestResult:
    outcomes: list[store.Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[store.Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    def count(self, action: str) -> int:
        return sum(o.action == action for o in self.outcomes)


# Reports a worker parses per task: enough that the Arrow tables it sends back are
# worth their overhead, few enough that both cores stay busy.
_TASK_SIZE = 16

_Batch = list[tuple[store.StagedChunk, list[store.Outcome]]]


def _batches(jobs: Iterable[_Job], batch_size: int, workers: int) -> Iterator[_Batch]:
    """Staged batches in input order; the next batch is parsed while one is written.

    ``jobs`` may be a generator (a corpus streamed from memory): it is consumed one
    batch at a time, so memory stays flat however many reports come.
    """
    chunks = (list(chunk) for chunk in _chunked(jobs, batch_size))
    first = next(chunks, None)
    if first is None:
        return
    if workers == 1 or len(first) < _PARALLEL_FROM:
        for chunk in itertools.chain([first], chunks):
            yield [_stage(chunk)]
        return
    default_definitions()  # compiled once here, inherited by every forked worker
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # At most two batches in flight: one being parsed while the other is written.
        pending = pool.map(_stage, _chunked(first, _TASK_SIZE))
        for chunk in chunks:
            done = list(pending)
            pending = pool.map(_stage, _chunked(chunk, _TASK_SIZE))
            yield done
        yield list(pending)


def _chunked(items: Iterable[_Job], size: int) -> Iterator[tuple[_Job, ...]]:
    iterator = iter(items)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def ingest(
    db: store.Location,
    paths: Iterable[Path],
    *,
    max_bytes: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    series: str | None = None,
    on_outcome: Callable[[store.Outcome], None] | None = None,
    by: str | None = None,
) -> IngestResult:
    """Parse every report under ``paths`` and store them, a batch per transaction;
    ``by`` is who the ingest log records."""
    max_bytes = max_bytes_default() if max_bytes is None else max_bytes
    jobs: list[_Job] = [(path, max_bytes, series) for path in discover(paths)]
    return _run(db, jobs, batch_size, workers, on_outcome, by)


def ingest_data(
    db: store.Location,
    files: Iterable[tuple[str, bytes]],
    *,
    max_bytes: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    series: str | None = None,
    on_outcome: Callable[[store.Outcome], None] | None = None,
    by: str | None = None,
) -> IngestResult:
    """Store reports given as (label, bytes): uploads, or a corpus streamed from memory.

    The label names the report in results and the log; it is never used as a path.
    ``by`` is who the ingest log records (the uploader).
    """
    max_bytes = max_bytes_default() if max_bytes is None else max_bytes
    jobs = (((name, data), max_bytes, series) for name, data in files)
    return _run(db, jobs, batch_size, workers, on_outcome, by)


def _run(
    db: store.Location,
    jobs: Iterable[_Job],
    batch_size: int | None,
    workers: int | None,
    on_outcome: Callable[[store.Outcome], None] | None,
    by: str | None,
) -> IngestResult:
    batch_size = batch_size or batch_size_default()
    workers = workers or os.cpu_count() or 1
    result = IngestResult()
    for batch in _batches(jobs, batch_size, workers):
        staged = [chunk for chunk, _ in batch]
        failures = [failure for _, failed in batch for failure in failed]
        outcomes = store.write(db, staged, failures, by=by)
        result.outcomes.extend(outcomes)
        if on_outcome:
            for outcome in outcomes:
                on_outcome(outcome)
    return result
