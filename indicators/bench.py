"""``python -m indicators bench``: ingest and query speed at archive scale, with figures.

Builds corpora of sample reports (N series x Y years, deterministic), ingests them the
product's way and the simple way (one process, one INSERT per row) in the same run, then
times the dashboard's queries and pages. Prints a Markdown table; asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from indicators import export, ingest, queries, store
from indicators.sample import generate_reports, sample_series, write_reports

START = dt.date(2014, 1, 2)


def write_corpus(folder: Path, n_series: int, years: int, seed: int = 2023) -> list[Path]:
    """N series x Y years of weekly sample reports as text files."""
    end = START + dt.timedelta(weeks=52 * years - 1)
    paths: list[Path] = []
    for index, series in enumerate(sample_series(n_series)):
        target = folder / f"series-{index:03d}"
        paths += write_reports(
            target, generate_reports(seed=seed + index, start=START, end=end, series=series)
        )
    return paths


def simple_ingest(db: Path, files: list[Path]) -> None:
    """The simple way, for comparison: one process, one INSERT statement per row (and
    no search index)."""
    store.ensure_db(db)
    con = store.extensions.instance(str(db))
    event_id = 0
    try:
        for report_id, path in enumerate(files, 1):
            staged = store.stage([ingest.parse_bytes(path.read_bytes(), str(path))])
            con.execute("BEGIN TRANSACTION")
            for table, rows in staged.tables.items():
                for row in rows.to_pylist():
                    row.pop("_item")
                    row["report_id"] = report_id
                    if table == "reports":
                        row["ingested_at"] = dt.datetime.now()
                    if table == "events":
                        event_id += 1
                        row["event_id"] = event_id
                    marks = ", ".join("?" * len(row))
                    con.execute(
                        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})",
                        list(row.values()),
                    )
            con.execute("COMMIT")
    finally:
        con.close()


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """p50 and p95 latency in milliseconds (after one warm-up run)."""
    fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def _search(db: store.Location, scope: dict[str, Any], word: str) -> None:
    """What the Events page asks for a search: the first page and the count."""
    queries.events(db, **scope, text=word)
    queries.events_count(db, **scope, text=word)


def _export(db: store.Location, indicator: str, series: list[str] | None) -> bytes:
    return export.to_csv_bytes(export.frame(db, "observations", indicator=indicator, series=series))


def query_latencies(db: store.Location, runs: int = 30) -> dict[str, tuple[float, float]]:
    """p50/p95 of each dashboard query, in the dashboard's default scope (the first
    country's series, as a fresh page shows them) and over every series at once."""
    default, _ = queries.default_scope(queries.series(db))
    first = default[:1]
    found: dict[str, tuple[float, float]] = {}
    for label, series in (("default scope", default), ("all series", None)):
        scope: dict[str, Any] = {"series": series, "include_sample": True}
        found[f"overview tiles ({label})"] = _timed(partial(queries.latest, db, **scope), runs)
        found[f"tile sparklines ({label})"] = _timed(partial(queries.sparklines, db, **scope), runs)
        found[f"event search, page + count ({label})"] = _timed(
            partial(_search, db, scope, "大使"), runs
        )
        found[f"export one indicator, CSV ({label})"] = _timed(
            partial(_export, db, "political_prisoners", series), max(5, runs // 3)
        )
    six = list(queries.series(db)["series"][:6])
    found["overview tiles (6 series, the page's cap)"] = _timed(
        lambda: queries.latest(db, series=six, include_sample=True), runs
    )
    found["one chart (6 series, border by country)"] = _timed(
        lambda: queries.weekly(db, "border_interceptions", series=six, include_sample=True),
        runs,
    )
    found["one trend (one series, LT, 4-week mean)"] = _timed(
        lambda: queries.weekly(
            db,
            "border_interceptions",
            series=first,
            include_sample=True,
            dimensions=["LT"],
            transform="rolling4",
        ),
        runs,
    )
    return found


_APP_PROBE = """
import json, resource, sys, time
import streamlit as st
from streamlit.testing.v1 import AppTest
pages = {"Overview": None, "Trends": "app_pages/trends.py"}
out = {}
AppTest.from_file("app.py", default_timeout=120).run()  # imports, once per process
for name, page in pages.items():
    for cache in ("cold", "warm"):
        walls = []
        for run in range(int(sys.argv[1])):
            at = AppTest.from_file("app.py", default_timeout=120)
            if page:
                at.run()
                at.switch_page(page)
            if cache == "cold":
                st.cache_data.clear()  # as after an ingest: every query runs
            began = time.perf_counter()
            at.run()
            walls.append(time.perf_counter() - began)
            assert not at.exception, at.exception
        out[f"{name} ({cache} cache)"] = sorted(walls)
# VmHWM is this program's own peak; ru_maxrss would still hold the parent's from before
# exec (Linux keeps it across exec).
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
hwm = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")]
out["peak_rss_mb"] = (
    int(hwm[0]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
)
print(json.dumps(out))
"""


def page_times(db: store.Location, runs: int = 3) -> dict[str, Any]:
    """Overview and Trends through AppTest in a fresh process: wall times and peak RSS."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "INDICATORS_DB": str(db)}
    done = subprocess.run(
        [sys.executable, "-c", _APP_PROBE, str(runs)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"error": " ".join(done.stderr.strip().splitlines()[-1:])}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


_INGEST_PROBE = """
import json, resource, sys, time
from pathlib import Path
from indicators import ingest, store
source = Path(sys.argv[1])  # a folder, or a file listing report paths
paths = [Path(line) for line in source.read_text().splitlines()] if source.is_file() else [source]
wall_began = time.time()
began = time.perf_counter()
workers = int(sys.argv[3]) if len(sys.argv) > 3 else None
result = ingest.ingest(store.location(sys.argv[2]), paths, workers=workers)
seconds = time.perf_counter() - began
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
hwm = [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")]
print(json.dumps({
    "seconds": seconds,
    "began": wall_began,
    "ended": wall_began + seconds,
    "failed": len(result.failed),
    "peak_mb": hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def timed_ingest(corpus: Path, db: store.Location) -> dict[str, Any]:
    """The product's ingest in a process of its own, as `indicators ingest` runs it: its
    time (interpreter start-up excluded) and the peak memory of it and of its workers."""
    done = subprocess.run(
        [sys.executable, "-c", _INGEST_PROBE, str(corpus), str(db)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def parallel_ingest(files: list[Path], db: store.Location, writers: int, work: Path) -> float:
    """``writers`` ingest processes at once, each with its share of the files (one
    worker process each, as on a desk of machines): the wall time from the first
    one's start to the last one's end."""
    lists = []
    for index in range(writers):
        listing = work / f"share-{index}.txt"
        listing.write_text("\n".join(str(path) for path in files[index::writers]))
        lists.append(listing)
    env = {**os.environ, "INDICATORS_LOCK_TIMEOUT": "600"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _INGEST_PROBE, str(listing), str(db), "1"],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for listing in lists
    ]
    results = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode:
            raise RuntimeError(err.strip().splitlines()[-1] if err.strip() else "ingest failed")
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["failed"] == 0 for r in results)
    return max(r["ended"] for r in results) - min(r["began"] for r in results)


def new_lake(server: str, name: str, work: Path) -> str:
    """A fresh DuckLake in a new database ``name`` of a PostgreSQL server (``psql`` on
    PATH or in Debian's place), its data under ``work``; sets INDICATORS_DATA_PATH."""
    psql = shutil.which("psql") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), "psql"
    )
    for statement in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(
            [psql, f"{server} dbname=postgres", "-q", "-c", statement],
            check=True,
            capture_output=True,
        )
    data = work / f"{name}-data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    os.environ["INDICATORS_DATA_PATH"] = str(data)
    return f"ducklake:postgres:{server} dbname={name}"


def lake_figures(
    files: list[Path], corpus: Path, server: str, work: Path, label: str, runs: int
) -> dict[str, Any]:
    """The DuckLake's figures beside the file's: ingest with one writer and with four,
    and the dashboard's queries on it."""
    figures: dict[str, Any] = {}
    for writers in (1, 4):
        lake = new_lake(server, f"bench_{label}_{writers}", work)
        if writers == 1:
            seconds = timed_ingest(corpus, lake)["seconds"]
        else:
            seconds = parallel_ingest(files, lake, writers, work)
        counts = store.row_counts(lake)
        assert counts["reports"] == len(files), counts
        figures[f"lake ingest s ({writers} writer{'s' if writers > 1 else ''})"] = seconds
        figures[f"lake reports/s ({writers} writer{'s' if writers > 1 else ''})"] = (
            len(files) / seconds
        )
        if writers == 1:
            data = Path(os.environ["INDICATORS_DATA_PATH"])
            size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
            figures["lake data MB (Parquet)"] = size / 1e6
            figures["lake queries ms (p50, p95)"] = query_latencies(lake, runs)
        store.connection.forget(lake)
    return figures


def run_scale(
    n_series: int,
    years: int,
    work: Path,
    *,
    simple_limit: int | None,
    runs: int,
    pages: bool,
    lake_server: str | None = None,
) -> dict[str, Any]:
    """Every figure for one corpus size."""
    corpus = work / f"corpus-{n_series}x{years}"
    began = time.perf_counter()
    files = write_corpus(corpus, n_series, years)
    generated = time.perf_counter() - began
    megabytes = sum(path.stat().st_size for path in files) / 1e6
    # A small corpus ingests in well under a second, where a busy neighbour on the
    # machine shows: take the median of five runs (each into a fresh database).
    repeats = 5 if len(files) <= 1000 else 1
    trials = []
    for trial in range(repeats):
        db = work / f"fast-{n_series}x{years}-{trial}.duckdb"
        trials.append(timed_ingest(corpus, db))
        assert trials[-1]["failed"] == 0
    seconds = statistics.median(t["seconds"] for t in trials)
    figures: dict[str, Any] = {
        "reports": len(files),
        "corpus MB": megabytes,
        "generate s": generated,
        "ingest s (median of runs)": seconds,
        "ingest runs": repeats,
        "reports/s": len(files) / seconds,
        "reports/s (best run)": len(files) / min(t["seconds"] for t in trials),
        "MB/s": megabytes / seconds,
        "peak RSS MB (ingest process)": max(t["peak_mb"] for t in trials),
        "peak RSS MB (largest worker)": max(t["worker_peak_mb"] for t in trials),
        "database MB": db.stat().st_size / 1e6,
        "rows": store.row_counts(db),
    }
    subset = files if simple_limit is None else files[:simple_limit]
    simple_db = work / f"simple-{n_series}x{years}.duckdb"
    began = time.perf_counter()
    simple_ingest(simple_db, subset)
    simple_rate = len(subset) / (time.perf_counter() - began)
    figures["simple reports/s"] = simple_rate
    figures["simple measured on"] = len(subset)
    figures["speed-up"] = figures["reports/s"] / simple_rate
    figures["queries ms (p50, p95)"] = query_latencies(db, runs)
    if pages:
        figures["pages"] = page_times(db)
    if lake_server:
        figures.update(lake_figures(files, corpus, lake_server, work, f"{n_series}x{years}", runs))
    return figures


def _markdown(figures: dict[str, Any], label: str) -> Iterator[str]:
    yield f"### {label}"
    yield ""
    yield "| figure | value |"
    yield "|---|---|"
    for key, value in figures.items():
        if key in ("queries ms (p50, p95)", "lake queries ms (p50, p95)"):
            where = "lake " if key.startswith("lake") else ""
            for name, (p50, p95) in value.items():
                yield f"| {where}query: {name} | p50 {p50:.1f} ms, p95 {p95:.1f} ms |"
        elif key == "pages":
            for name, walls in value.items():
                if isinstance(walls, list):
                    shown = ", ".join(f"{wall:.2f}" for wall in walls)
                    yield f"| AppTest {name} (s per run) | {shown} |"
                elif isinstance(walls, float):
                    yield f"| app {name} | {walls:.0f} |"
                else:
                    yield f"| app {name} | {walls} |"
        elif isinstance(value, float):
            yield f"| {key} | {value:,.2f} |"
        else:
            yield f"| {key} | {value} |"
    yield ""


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="indicators bench", description=__doc__)
    parser.add_argument(
        "--scale",
        action="append",
        default=None,
        metavar="NxY",
        help="series x years, repeatable (default: 1x10 and 100x10)",
    )
    parser.add_argument("--runs", type=int, default=30, help="runs per query latency")
    parser.add_argument("--no-pages", action="store_true", help="skip the AppTest page timings")
    parser.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    parser.add_argument(
        "--lake-server",
        default=None,
        metavar="CONNINFO",
        help="also measure a DuckLake: a PostgreSQL server where the bench may create "
        "databases, e.g. 'host=127.0.0.1 port=5432 user=postgres'",
    )
    args = parser.parse_args(argv)
    scales = args.scale or ["1x10", "100x10"]
    work = args.keep or Path(tempfile.mkdtemp(prefix="indicators-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# Benchmark: {os.cpu_count()} cores, {_memory_gb():.0f} GB memory, {dt.date.today()}")
    print()
    try:
        for scale in scales:
            n_series, years = (int(part) for part in scale.lower().split("x"))
            # The simple way takes minutes beyond a few thousand reports: measure its rate
            # on the first 1,000 reports of a large corpus.
            limit = None if n_series * years * 52 <= 1000 else 1000
            figures = run_scale(
                n_series,
                years,
                work,
                simple_limit=limit,
                runs=args.runs,
                pages=not args.no_pages,
                lake_server=args.lake_server,
            )
            for line in _markdown(figures, f"{n_series} series x {years} years"):
                print(line, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return float("nan")
