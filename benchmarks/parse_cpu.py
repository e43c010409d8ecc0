"""CPU per report of reading, parsing and extracting (no database): the figure behind
"parsing stays fast" (at most 1.5 ms for a real-size report of about 12 kB).

    python benchmarks/parse_cpu.py [FILE ...] [--rounds N] [--callgrind]

Each file (default: the real report, data/reports/*.txt) is decoded, cleaned, parsed and
extracted N times per run, after a warm-up, for seven runs; it prints the median and the
spread of the process's CPU time per report (``time.process_time``: time waiting for a
core is not counted, but a loaded machine still slows the core it gets). With
``--callgrind`` it also counts the instructions of one report under valgrind (the same
count whatever else the machine does), from two runs that differ by 20 reports.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators.extract import extract  # noqa: E402
from indicators.parse import parse_lines  # noqa: E402
from indicators.read import clean_lines, read_text  # noqa: E402

RUNS = 7


def read_parse_extract(data: bytes, name: str) -> None:
    extract(parse_lines(clean_lines(read_text(data, name=name))))


def cpu_ms_per_report(path: Path, rounds: int) -> list[float]:
    data = path.read_bytes()
    for _ in range(20):
        read_parse_extract(data, path.name)
    runs = []
    for _ in range(RUNS):
        started = time.process_time()
        for _ in range(rounds):
            read_parse_extract(data, path.name)
        runs.append((time.process_time() - started) / rounds * 1000)
    return runs


def instructions_per_report(path: Path) -> float:
    """Instructions of one report: (count with 20 more reports - count without) / 20."""
    counts = []
    for extra in (0, 20):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                 sys.executable, __file__, str(path), "--loop", str(extra)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            counts.append(int(re.search(r"refs:\s+([\d,]+)", done.stderr)[1].replace(",", "")))  # type: ignore[index]
    return (counts[1] - counts[0]) / 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="*")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--loop", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "data" / "reports").glob("*.txt"))
    if args.loop is not None:  # under valgrind: one warm-up report, then N more
        data = files[0].read_bytes()
        for _ in range(1 + args.loop):
            read_parse_extract(data, files[0].name)
        return 0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for path in files:
        runs = cpu_ms_per_report(path, args.rounds)
        line = (
            f"{path.name} ({path.stat().st_size / 1000:.1f} kB): CPU per report "
            f"median {statistics.median(runs):.3f} ms, "
            f"spread {min(runs):.3f}-{max(runs):.3f} ms over {RUNS} runs of {args.rounds}"
        )
        if args.callgrind:
            line += f"; {instructions_per_report(path) / 1e6:.2f} M instructions"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
