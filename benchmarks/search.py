"""Event search latency: p50/p95 of the Events page's search on a filled store.

    python -m indicators.sample /tmp/corpus --series 100 --years 10     # 52,000 reports
    python -m indicators ingest --db /tmp/s.duckdb /tmp/corpus
    python benchmarks/search.py --db /tmp/s.duckdb [--db ducklake:postgres:...] [--runs 20]

For each store and each query of a fixed set (one to six characters, rare and common,
numbers with and without separators, full-width forms) it times what the Events page
asks for a search: the first page of 50 rows and the count, in the dashboard's default
scope (the first country's series) and over every series; and, apart, the weekly chart
of the matches. It prints one Markdown table per store: how many events match, p50 and
p95 wall-clock milliseconds, and the process's CPU milliseconds per search (DuckDB runs
in this process, so on a shared machine CPU time is the steadier figure). It prints
figures, asserts nothing.

Each timed search is a new one: the matches this process keeps per search
(:mod:`indicators.event_search`) are dropped before it, so the page and the count share
one reading of the index, as on the Events page, but no run reuses an earlier run's.
The frame of the events' narrow columns, read once per state of the store, is read
before the runs and its time printed apart.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators import event_search, queries, store  # noqa: E402  (the project is put on the path above)
from indicators.store import mirror  # noqa: E402

#: (query, what it stands for): typed as an analyst would, widths and separators included.
QUERIES: tuple[tuple[str, str], ...] = (
    ("党", "1 character, rare"),
    ("の", "1 character, in nearly every event"),
    ("大使", "2 characters"),
    ("国境", "2 characters, common"),
    ("政治犯", "3 characters, common"),
    ("反体制", "3 characters, no match"),
    ("ミンスク", "4 characters, rare"),
    ("ルカシェンコ", "6 characters, rare"),
    ("ベラルーシ", "5 characters, common"),
    ("1,450", "number with separator, rare"),
    ("1000", "number without separator (finds 1,000)"),
    ("ＣＳＴＯ", "full-width Latin"),
    ("１，４５０人", "full-width number with separator"),
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """p50 and p95 wall-clock ms and median CPU ms of ``fn`` (after one warm-up run)."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        cpu, began = _cpu(), time.perf_counter()
        fn()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((_cpu() - cpu) * 1000)
    walls.sort()
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    return statistics.median(walls), p95, statistics.median(cpus)


def page_and_count(db: store.Location, scope: dict[str, Any], text: str) -> int:
    """What the Events page asks for a new search: the first page and the count."""
    event_search.forget_searches()
    queries.events(db, **scope, text=text, limit=queries.PAGE_SIZE)
    return queries.events_count(db, **scope, text=text)


def measure(db: store.Location, runs: int, chart: bool, local_copy: bool = False) -> None:
    default, _ = queries.default_scope(queries.series(db))
    copy = None
    if local_copy:  # made or brought up to date before the runs, timed apart
        began = time.perf_counter()
        copy = mirror.enable(db)
        if copy is not None:
            copy.wait()
            took = time.perf_counter() - began
            print(f"\nlocal copy of the search brought up to date: {took:.1f} s")
    scopes = {
        "default scope": {"series": default, "include_sample": True},
        "all series": {"series": None, "include_sample": True},
    }
    label = store.connection.backend(db).label
    events = store.query(db, "SELECT count(*) AS n FROM events")["n"].iloc[0]
    postings = store.query(db, "SELECT count(*) AS n FROM event_postings")["n"].iloc[0]
    event_search.forget()
    cpu, began = _cpu(), time.perf_counter()
    event_search.frame(db)
    frame_ms, frame_cpu = (time.perf_counter() - began) * 1000, (_cpu() - cpu) * 1000
    kept = f", local copy {'in use' if copy is not None and copy.attached else 'none'}"
    print(f"\n### {label}{kept if local_copy else ''}\n")
    print(f"{events:,} events, {postings:,} index rows; {runs} runs each")
    print(f"frame of the events read once: {frame_ms:.0f} ms ({frame_cpu:.0f} ms CPU)\n")
    header = "| query | what | scope | matches | p50 ms | p95 ms | CPU ms |"
    if chart:
        header += " chart p50 ms | chart p95 ms |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    everything: list[float] = []
    for text, what in QUERIES:
        for name, scope in scopes.items():
            matches = page_and_count(db, scope, text)
            p50, p95, cpu = timed(lambda s=scope, t=text: page_and_count(db, s, t), runs)
            everything.append(p95)
            row = f"| {text} | {what} | {name} | {matches:,} | {p50:.1f} | {p95:.1f} | {cpu:.1f} |"
            if chart:
                c50, c95, _ = timed(
                    lambda s=scope, t=text: queries.events_weekly(db, **s, text=t), runs
                )
                row += f" {c50:.1f} | {c95:.1f} |"
            print(row, flush=True)
    print(
        f"\nworst p95: {max(everything):.1f} ms; median p95: {statistics.median(everything):.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", action="append", required=True, help="a store (file or ducklake:...); repeatable"
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--chart", action="store_true", help="also time the weekly chart")
    parser.add_argument(
        "--local-copy",
        action="store_true",
        help="a lake searched as the dashboard does: through its local copy "
        "(indicators.store.mirror, in INDICATORS_SEARCH_MIRROR), then again without it",
    )
    args = parser.parse_args(argv)
    for db in args.db:
        where = store.connection.location(db)
        if args.local_copy and isinstance(where, str):
            measure(where, args.runs, args.chart, local_copy=True)
            mirror.disable(where)
        measure(where, args.runs, args.chart)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
