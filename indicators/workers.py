"""Worker processes that read untrusted files: a crash, a hang or a memory bomb costs
that one file, never the batch, the command line or the dashboard's server.

Each worker

- may take at most ``INDICATORS_WORKER_MEMORY_MB`` beyond what it starts with (its
  address space is capped with ``RLIMIT_AS``; pdfium aborts when an allocation fails,
  Python raises ``MemoryError``);
- dies with its parent: workers are forked by multiprocessing's fork server, a
  single-threaded process that exits as soon as the process that started it is gone,
  and each worker asks the kernel for ``SIGKILL`` when the fork server goes
  (``PR_SET_PDEATHSIG``), so not even a ``kill -9`` of the parent leaves one behind;
- is stopped by its pool when a task runs past its time (pebble kills and replaces it).

A task that kills its worker or runs out of time is run again one file per task, so the
file that did it is found and only that file fails, with one line saying which limit
it hit; the others are read as if nothing had happened.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.context
import os
import resource
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from multiprocessing import popen_forkserver, spawn
from typing import Any, Generic, TypeVar

import pebble

from indicators import settings

Job = TypeVar("Job")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_SETTINGS_PREFIX = "INDICATORS_"
#: Modules the fork server imports once, so that a new worker starts in milliseconds.
PRELOAD = ["indicators.ingest"]
#: A worker is replaced after this many tasks: what a reader leaks stays bounded.
MAX_TASKS = 200
#: Beyond the per-file time limit, the time a task gets before its worker is killed:
#: the reader checks the limit itself between pages and says so in one line, this only
#: catches a reader stuck inside one call.
GRACE_SECONDS = 10.0


def _address_space() -> int:
    """This process's mapped address space in bytes (``VmSize``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def settings_environment() -> dict[str, str]:
    """This process's ``INDICATORS_*`` settings, for the workers it starts."""
    return {k: v for k, v in os.environ.items() if k.startswith(_SETTINGS_PREFIX)}


def init_worker(memory_bytes: int, environment: dict[str, str] | None = None) -> None:
    """Set up a worker: the settings of the process that started its pool (the fork
    server keeps the environment it was started in, which may be older), die with the
    fork server, cap its memory."""
    if environment is not None:
        for name in [k for k in os.environ if k.startswith(_SETTINGS_PREFIX)]:
            if name not in environment:
                del os.environ[name]
        os.environ.update(environment)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the pool's stop is all
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if memory_bytes > 0:
        with contextlib.suppress(OSError, ValueError):
            base = _address_space()
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = base + memory_bytes
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class _Popen(popen_forkserver.Popen):
    """A fork-server start that does not run the caller's main script in the worker.

    multiprocessing re-runs the parent's ``__main__`` in every new process it spawns (to
    find functions defined there). A reader needs nothing from it, and while Streamlit
    runs a page, ``__main__`` is the page script: a worker would run the dashboard.
    """

    def _launch(self, process_obj: Any) -> None:
        original = spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data = original(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = without_main
        try:
            super()._launch(process_obj)  # type: ignore[misc]
        finally:
            spawn.get_preparation_data = original


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


class _Context(multiprocessing.context.ForkServerContext):
    Process = _Process


_CONTEXT = _Context()


def _context() -> multiprocessing.context.BaseContext:
    """The fork-server context, its server preloaded with the readers."""
    _CONTEXT.set_forkserver_preload(PRELOAD)
    return _CONTEXT


def start_server() -> None:
    """Start the fork server now (it imports the readers in its own process, about a
    second, while the caller goes on); later pools start their workers in milliseconds."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def why_it_died(error: BaseException, memory_bytes: int, seconds: float) -> str:
    """One line saying which limit a task hit, from what killed its worker."""
    if isinstance(error, FutureTimeout):
        return (
            f"took too long to read (more than {seconds:g} s: {settings.MAX_SECONDS.name}); "
            "nothing of it was stored"
        )
    code = getattr(error, "exitcode", None)
    if code == -signal.SIGABRT or isinstance(error, MemoryError):
        return (
            f"needs more memory than a reader may take ({settings.mib(memory_bytes)}: "
            f"{settings.WORKER_MEMORY_MB.name}); nothing of it was stored"
        )
    return "the reader crashed on this file (damaged or hostile content); nothing was stored"


@dataclass
class _Task(Generic[Job, Result]):
    jobs: Sequence[Job]
    future: Future[Result]


class Pending(Generic[Job, Result]):
    """Tasks handed to a pool; :meth:`results` waits for them in order."""

    def __init__(self, pool: ParserPool[Job, Result], tasks: list[_Task[Job, Result]]) -> None:
        self._pool = pool
        self._tasks = tasks

    def results(self) -> list[Result]:
        """Each task's result, once all are done."""
        return list(self.each())

    def each(self) -> Iterator[Result]:
        """Each task's result as soon as it and those before it are done; a task whose
        worker died is run again file by file, and a file that kills its worker alone
        gets the pool's ``failed`` result."""
        for task in self._tasks:
            try:
                result = task.future.result()
            except (pebble.ProcessExpired, FutureTimeout, MemoryError) as error:
                if len(task.jobs) > 1:
                    yield from self._pool.submit([[job] for job in task.jobs]).each()
                else:
                    yield self._pool.failed(task.jobs[0], self._pool.reason(error))
                continue
            yield result


class ParserPool(Generic[Job, Result]):
    """Worker processes that run ``work`` on groups of jobs, each group one task.

    ``failed(job, reason)`` makes the result of a job whose worker died or ran out of
    time. Use as a context manager: leaving it stops the workers, whatever happened.
    """

    def __init__(
        self,
        work: Callable[[Sequence[Job]], Result],
        failed: Callable[[Job, str], Result],
        *,
        workers: int,
        seconds: float,
        memory_bytes: int | None = None,
    ) -> None:
        self._work = work
        self.failed = failed
        self.seconds = seconds
        if memory_bytes is None:
            memory_bytes = settings.WORKER_MEMORY_MB.count() * settings.MiB
        self.memory_bytes = memory_bytes
        self._pool = pebble.ProcessPool(
            max_workers=workers,
            max_tasks=MAX_TASKS,
            initializer=init_worker,
            initargs=(self.memory_bytes, settings_environment()),
            context=_context(),
        )

    def reason(self, error: BaseException) -> str:
        return why_it_died(error, self.memory_bytes, self.seconds)

    def submit(self, groups: Sequence[Sequence[Job]]) -> Pending[Job, Result]:
        """Hand groups of jobs to the workers (one task each) without waiting."""
        tasks = []
        for group in groups:
            timeout = self.seconds * len(group) + GRACE_SECONDS
            future = self._pool.schedule(self._work, args=(group,), timeout=timeout)
            tasks.append(_Task(group, future))
        return Pending(self, tasks)

    def __enter__(self) -> ParserPool[Job, Result]:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.stop()
        self._pool.join()
