"""One `indicators ingest` in a process of its own, as the command runs it.

    python benchmarks/ingest_probe.py SOURCE DB [WORKERS]

SOURCE is a folder or a file listing report paths. Prints one JSON line: the ingest's
time (interpreter start-up excluded), CPU seconds of this process, peak memory of it
and of its workers. Run by benchmarks/bench.py.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from indicators import ingest, store  # noqa: E402


def main() -> int:
    source = Path(sys.argv[1])
    if source.is_file():
        paths = [Path(line) for line in source.read_text().splitlines()]
    else:
        paths = [source]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else None
    wall_began = time.time()
    began, cpu = time.perf_counter(), time.process_time()
    result = ingest.ingest(store.location(sys.argv[2]), paths, workers=workers)
    seconds = time.perf_counter() - began
    cpu_seconds = time.process_time() - cpu
    # The workers are the fork server's children: stop it, so that it reaps them and
    # this process reaps it, and their CPU time shows in RUSAGE_CHILDREN.
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    status = Path("/proc/self/status").read_text() if sys.platform == "linux" else ""
    hwm = [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "children_cpu_seconds": children.ru_utime + children.ru_stime,
                "began": wall_began,
                "ended": wall_began + seconds,
                "failed": len(result.failed),
                "peak_mb": hwm[0]
                if hwm
                else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_mb": children.ru_maxrss / 1024,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
