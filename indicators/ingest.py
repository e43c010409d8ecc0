"""Files and folders -> parsed reports -> the store, one bad file never stopping a batch.

Untrusted files are read where a crash or a memory bomb costs only that file: every PDF
(and, for large batches and uploads, every file) is parsed in a worker process
(:mod:`indicators.workers`). Small batches of text files are parsed in-process: text
parsing is pure Python, bounded by the size and character limits, and a worker would
cost a second to start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import os
import stat
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indicators import settings, store, workers
from indicators.errors import InputError
from indicators.extract import extract
from indicators.parse import check_published, parse_lines
from indicators.read import HEADER_WINDOW, check_size, clean_lines, is_pdf, read_file, read_text

#: Files a folder is searched for; a file named explicitly is always tried.
REPORT_SUFFIXES = frozenset({".txt", ".pdf"})
#: Reports written per transaction: large enough for bulk inserts, small enough that
#: readers are never kept waiting long.
BATCH_SIZE = int(settings.BATCH_SIZE.default)
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_FROM = 64


def batch_size_default() -> int:
    return settings.BATCH_SIZE.count()


def max_bytes_default() -> int:
    return settings.max_bytes()


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Report files under the given paths: files as named, folders recursively, sorted.

    Hidden files and folders are left out. A folder that cannot be listed is yielded
    itself, so that it gets its own line (the reader says why) instead of its files
    going missing without a word.
    """
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        found: list[Path] = []

        def unreadable(error: OSError, found: list[Path] = found) -> None:
            found.append(Path(error.filename))

        for root, folders, files in os.walk(path, onerror=unreadable):
            folders[:] = [name for name in folders if not name.startswith(".")]
            for name in files:
                candidate = Path(root, name)
                if (
                    not name.startswith(".")
                    and candidate.suffix.lower() in REPORT_SUFFIXES
                    and candidate.is_file()
                ):
                    found.append(candidate)
        yield from sorted(found)


def parse_bytes(
    data: bytes,
    file_name: str,
    *,
    series: str | None = None,
    limits: settings.Limits | None = None,
) -> store.Parsed:
    """Read, parse and extract one report file's bytes (no database involved)."""
    limits = limits or settings.limits()
    report = parse_lines(clean_lines(read_text(data, name=file_name, limits=limits)))
    check_published(report.published, today=dt.date.today(), future_days=limits.future_days)
    return store.Parsed(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        report=report,
        extraction=extract(report),
        series_name=series,
    )


def _parse_or_fail(
    name: str, load: Callable[[], bytes], series: str | None, limits: settings.Limits
) -> store.Parsed | store.Outcome:
    try:
        return parse_bytes(load(), name, series=series, limits=limits)
    except InputError as error:
        return store.Outcome(name, "failed", str(error))
    except MemoryError:
        reason = workers.why_it_died(MemoryError(), _memory_cap(), limits.seconds)
        return store.Outcome(name, "failed", reason)
    except Exception as error:  # a parser bug must not stop the batch nor show a traceback
        return store.Outcome(name, "failed", f"could not be read ({type(error).__name__}: {error})")


def _memory_cap() -> int:
    return settings.WORKER_MEMORY_MB.count() * settings.MiB


def parse_path(
    path: Path,
    max_bytes: int | None = None,
    *,
    series: str | None = None,
    limits: settings.Limits | None = None,
) -> store.Parsed | store.Outcome:
    """A parsed report, or a failed outcome that says in one line what is wrong."""
    limits = _limits(limits, max_bytes)
    load = lambda: read_file(path, max_bytes=limits.max_bytes)  # noqa: E731
    return _parse_or_fail(str(path), load, series, limits)


def parse_data(
    name: str,
    data: bytes,
    max_bytes: int | None = None,
    *,
    series: str | None = None,
    limits: settings.Limits | None = None,
) -> store.Parsed | store.Outcome:
    """The same for a report already in memory (an upload); ``name`` is only a label."""
    limits = _limits(limits, max_bytes)

    def load() -> bytes:
        check_size(len(data), limits.max_bytes)
        return data

    return _parse_or_fail(name, load, series, limits)


def parse_one(path: Path, *, limits: settings.Limits | None = None) -> store.Parsed | store.Outcome:
    """One file parsed for ``indicators parse``: a PDF in a worker process, as in ingest."""
    job: _Job = (path, _limits(limits, None), None)
    if not _is_pdf_job(job):
        return _parse_job(job)
    with workers.ParserPool(_parse_jobs, _failed_parse, workers=1, seconds=job[1].seconds) as pool:
        return pool.submit([[job]]).results()[0]


def _parse_jobs(jobs: Sequence[_Job]) -> store.Parsed | store.Outcome:
    (job,) = jobs
    return _parse_job(job)


def _failed_parse(job: _Job, reason: str) -> store.Outcome:
    return store.Outcome(_job_name(job), "failed", reason)


def _limits(limits: settings.Limits | None, max_bytes: int | None) -> settings.Limits:
    """The limits from the settings, with an explicit file size (``--max-size``) first."""
    limits = limits or settings.limits()
    if max_bytes is not None:
        limits = dataclasses.replace(limits, max_bytes=max_bytes)
    return limits


# A job: a file on disk, or (label, bytes) already in memory; its limits; its series.
_Job = tuple[Path | tuple[str, bytes], settings.Limits, str | None]


def _job_name(job: _Job) -> str:
    source = job[0]
    return str(source) if isinstance(source, Path) else source[0]


def _parse_job(job: _Job) -> store.Parsed | store.Outcome:
    source, limits, series = job
    if isinstance(source, Path):
        return parse_path(source, series=series, limits=limits)
    return parse_data(*source, series=series, limits=limits)


def _is_pdf_job(job: _Job, *, sniff: bool = True) -> bool:
    """Whether a job is a PDF: by its content (``sniff``: a ``.txt`` that is a PDF is
    one) or by its name only; a file that cannot be opened is not."""
    source = job[0]
    if not isinstance(source, Path):
        return is_pdf(source[1])
    if source.suffix.lower() == ".pdf":
        return True
    if not sniff:
        return False
    try:
        if not stat.S_ISREG(source.stat().st_mode):
            return False  # a pipe would block the open; the reader refuses it, in-process
        with source.open("rb") as handle:
            return is_pdf(handle.read(HEADER_WINDOW))
    except OSError:
        return False  # the reader says why, in-process


def _stage(jobs: Sequence[_Job]) -> tuple[store.StagedChunk, list[store.Outcome]]:
    """Worker: some reports -> their rows as Arrow tables, and the files that failed."""
    parsed: list[store.Parsed] = []
    failed: list[store.Outcome] = []
    for job in jobs:
        result = _parse_job(job)
        (failed if isinstance(result, store.Outcome) else parsed).append(result)  # type: ignore[arg-type]
    return store.stage(parsed), failed


def _failed_job(job: _Job, reason: str) -> tuple[store.StagedChunk, list[store.Outcome]]:
    """What a job whose worker died stages: nothing, and its one line."""
    return store.stage([]), [store.Outcome(_job_name(job), "failed", reason)]


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

_Staged = tuple[store.StagedChunk, list[store.Outcome]]
_Batch = Iterable[_Staged]


def _batches(
    jobs: Iterable[_Job], batch_size: int, worker_count: int, isolate: bool, seconds: float
) -> Generator[_Batch, None, None]:
    """Staged batches in input order, each a stream of its chunks as the workers finish
    them (each consumed before the next is asked for): a batch is written while it is
    parsed, and the next is queued behind it.

    ``jobs`` may be a generator (a corpus streamed from memory): it is consumed one
    batch at a time, so memory stays flat however many reports come. With ``isolate``
    every file is parsed in a worker; otherwise PDFs are, and text files too once a
    batch is large enough to be worth the workers.
    """
    chunks = (list(chunk) for chunk in _chunked(jobs, batch_size))
    first = next(chunks, None)
    if first is None:
        return
    parallel = worker_count > 1 and len(first) >= _PARALLEL_FROM
    with contextlib.ExitStack() as stack:
        pool: workers.ParserPool[_Job, _Staged] | None = None

        def started() -> workers.ParserPool[_Job, _Staged]:
            nonlocal pool
            if pool is None:
                size = worker_count if parallel else 1
                pool = workers.ParserPool(_stage, _failed_job, workers=size, seconds=seconds)
                stack.enter_context(pool)
            return pool

        if not (parallel or isolate):
            for chunk in itertools.chain([first], chunks):
                pdfs, texts = _split_pdfs(chunk)
                pending = started().submit([[job] for job in pdfs]) if pdfs else None
                done = [_stage(texts)] if texts else []
                yield done + (pending.results() if pending else [])
            return
        # At most two batches in flight: one being written as it is parsed, the next
        # queued behind it (the workers take tasks in order).
        running = started().submit(_tasks(first))
        for chunk in chunks:
            queued = started().submit(_tasks(chunk))
            yield running.each()
            running = queued
        yield running.each()


def _tasks(jobs: Sequence[_Job]) -> list[list[_Job]]:
    """Jobs grouped into worker tasks: a PDF alone (its time limit is its own, and a
    crash points at it), text files by :data:`_TASK_SIZE`."""
    # Every task runs in a worker here: the name is enough (no extra open per file).
    pdfs, texts = _split_pdfs(jobs, sniff=False)
    return [[job] for job in pdfs] + [list(group) for group in _chunked(texts, _TASK_SIZE)]


def _split_pdfs(jobs: Sequence[_Job], *, sniff: bool = True) -> tuple[list[_Job], list[_Job]]:
    pdfs: list[_Job] = []
    texts: list[_Job] = []
    for job in jobs:
        (pdfs if _is_pdf_job(job, sniff=sniff) else texts).append(job)
    return pdfs, texts


def _chunked(items: Iterable[_Job], size: int) -> Iterator[tuple[_Job, ...]]:
    iterator = iter(items)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def _stream(batch: _Batch, received: list[int]) -> Iterator[store.StagedChunk | store.Outcome]:
    """A batch as the writer takes it: each chunk, then the files of it that failed;
    ``received`` gets how many files each brought."""
    for chunk, failed in batch:
        received.append(len(chunk.items) + len(failed))
        yield chunk
        yield from failed


class IngestStopped(store.StoreError):
    """The database could not be written: the ingest stopped. ``result`` holds the
    outcomes of what was stored before (and of the batch whose checkpoint failed, if
    its commit stood); ``not_stored`` counts the files read but not written."""

    def __init__(self, message: str, result: IngestResult, not_stored: int) -> None:
        super().__init__(message)
        self.result = result
        self.not_stored = not_stored


def ingest(
    db: store.Location,
    paths: Iterable[Path],
    *,
    max_bytes: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    series: str | None = None,
    isolate: bool = False,
    on_outcome: Callable[[store.Outcome], None] | None = None,
    by: str | None = None,
) -> IngestResult:
    """Parse every report under ``paths`` and store them, a batch per transaction.

    ``isolate`` parses every file in a worker process (PDFs always are); ``by`` is who
    the ingest log records.
    """
    limits = _limits(None, max_bytes)
    jobs: list[_Job] = [(path, limits, series) for path in discover(paths)]
    return _run(db, jobs, limits, batch_size, workers, isolate, on_outcome, by)


def ingest_data(
    db: store.Location,
    files: Iterable[tuple[str, bytes]],
    *,
    max_bytes: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    series: str | None = None,
    isolate: bool = False,
    on_outcome: Callable[[store.Outcome], None] | None = None,
    by: str | None = None,
) -> IngestResult:
    """Store reports given as (label, bytes): uploads, or a corpus streamed from memory.

    The label names the report in results and the log; it is never used as a path.
    ``by`` is who the ingest log records (the uploader).
    """
    limits = _limits(None, max_bytes)
    jobs = (((name, data), limits, series) for name, data in files)
    return _run(db, jobs, limits, batch_size, workers, isolate, on_outcome, by)


def _run(
    db: store.Location,
    jobs: Iterable[_Job],
    limits: settings.Limits,
    batch_size: int | None,
    worker_count: int | None,
    isolate: bool,
    on_outcome: Callable[[store.Outcome], None] | None,
    by: str | None = None,
) -> IngestResult:
    batch_size = batch_size or batch_size_default()
    worker_count = worker_count or os.cpu_count() or 1
    result = IngestResult()

    def record(outcomes: list[store.Outcome]) -> None:
        result.outcomes.extend(outcomes)
        if on_outcome:
            for outcome in outcomes:
                on_outcome(outcome)

    batches = _batches(jobs, batch_size, worker_count, isolate, limits.seconds)
    written = 0  # batches that stored something
    with contextlib.closing(batches):
        for batch in batches:
            received: list[int] = []  # reports per chunk or failure, as they arrive
            try:
                outcomes = store.write(db, _stream(batch, received), by=by)
            except store.CheckpointError as error:
                record(error.outcomes)  # committed: stored, and said so
                raise IngestStopped(str(error), result, 0) from None
            except store.StoreError as error:
                raise IngestStopped(str(error), result, sum(received)) from None
            record(outcomes)
            written += any(o.action in ("added", "replaced") for o in outcomes)
    if written > 1:  # a bulk ingest: several transactions' files to merge (a lake)
        # Upkeep only: everything is stored, and the next bulk ingest merges again.
        with contextlib.suppress(store.StoreError):
            store.compact(db)
    return result
