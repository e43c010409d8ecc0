"""Ingest and query speed at real report size, beside the simple way: every figure of
BENCHMARKS.md in one run.

    python benchmarks/bench.py                   # everything (tens of minutes)
    python benchmarks/bench.py --scale 1x10 --no-pages --no-pdf --no-hostile

Corpora are sample reports of :mod:`indicators.sample` (N series x Y years, weekly,
deterministic), as long and as varied as the real report (~12 kB). Figures:

- **marginal ingest**: `indicators ingest` of 2,000 reports minus that of their first
  50, each in a fresh database and a process of its own, five runs: the rate with
  start-up (interpreter, workers, schema) taken out;
- per corpus: the product's ingest (median of runs), per report and per MB, its memory,
  the database's size; **the simple way** (what a competent user writes without our
  work: one process, the same parser, one pandas DataFrame per table and report, one
  bulk insert each, no search index) on the same reports, and the ratio;
- the dashboard's queries (p50/p95), the Overview and Trends pages through AppTest
  (benchmarks/app_probe.py), optionally a DuckLake on PostgreSQL (``--lake-server``);
- the PDF reader (benchmarks/pdf_reader.py) and the hostile files
  (benchmarks/hostile.py), run as they are.

It prints Markdown; it asserts nothing. The machine's load average is printed at the
start and the end: on a shared machine read the columns against each other.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import pandas as pd  # noqa: E402

from indicators import export, ingest, queries, store  # noqa: E402
from indicators.sample import generate_reports, sample_series, write_reports  # noqa: E402
from indicators.store import mirror  # noqa: E402
from indicators.store.writing import _report_rows  # noqa: E402

HERE = Path(__file__).resolve().parent
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
    """The simple way, for comparison: one process, the same parser, a pandas DataFrame
    per table and report, one bulk insert each, one transaction per report (and no
    search index)."""
    store.ensure_db(db)
    con = store.extensions.instance(str(db))
    event_id = 0
    try:
        for report_id, path in enumerate(files, 1):
            parsed = ingest.parse_bytes(path.read_bytes(), str(path))
            rows: dict[str, list[dict[str, Any]]] = {}
            for table, row in _report_rows(parsed):
                row["report_id"] = report_id
                if table == "reports":
                    row["ingested_at"] = dt.datetime.now()
                if table == "events":
                    event_id += 1
                    row["event_id"] = event_id
                rows.setdefault(table, []).append(row)
            con.execute("BEGIN TRANSACTION")
            for table, table_rows in rows.items():
                frame = pd.DataFrame(table_rows)
                con.register("frame", frame)
                columns = ", ".join(frame.columns)
                con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM frame")
                con.unregister("frame")
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


def page_times(db: store.Location, runs: int = 3) -> dict[str, Any]:
    """Overview and Trends through AppTest in a fresh process: wall times and peak RSS."""
    env = {**os.environ, "INDICATORS_DB": str(db)}
    done = subprocess.run(
        [sys.executable, str(HERE / "app_probe.py"), str(runs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"error": " ".join(done.stderr.strip().splitlines()[-1:])}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def timed_ingest(corpus: Path, db: store.Location) -> dict[str, Any]:
    """The product's ingest in a process of its own, as `indicators ingest` runs it: its
    time (interpreter start-up excluded) and the peak memory of it and of its workers."""
    done = subprocess.run(
        [sys.executable, str(HERE / "ingest_probe.py"), str(corpus), str(db)],
        cwd=ROOT,
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
            [sys.executable, str(HERE / "ingest_probe.py"), str(listing), str(db), "1"],
            cwd=ROOT,
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
            figures.update(local_copy_figures(lake, work, runs))
        store.connection.forget(lake)
    return figures


def local_copy_figures(lake: str, work: Path, runs: int) -> dict[str, Any]:
    """A lake's event search as a dashboard makes it: through its local copy of the
    lake's search (:mod:`indicators.store.mirror`), made first and timed apart."""
    os.environ["INDICATORS_SEARCH_MIRROR"] = str(work / "search-copies")
    began = time.perf_counter()
    copy = mirror.enable(lake)
    assert copy is not None
    copy.wait()
    made = time.perf_counter() - began
    default, _ = queries.default_scope(queries.series(lake))
    searches = {}
    for label, series in (("default scope", default), ("all series", None)):
        scope: dict[str, Any] = {"series": series, "include_sample": True}
        searches[f"event search, page + count ({label})"] = _timed(
            partial(_search, lake, scope, "大使"), runs
        )
    assert copy.reads > 0, "the searches did not read the local copy"
    mirror.disable(lake)
    return {
        "lake search's local copy made (s)": made,
        "lake queries through the local copy ms (p50, p95)": searches,
    }


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
        "ms per report": seconds / len(files) * 1000,
        "s per MB": seconds / megabytes,
        "kB per report": megabytes / len(files) * 1000,
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
    figures["simple MB/s"] = simple_rate * megabytes / len(files)
    figures["simple measured on"] = len(subset)
    figures["speed-up (reports/s over the simple way's)"] = figures["reports/s"] / simple_rate
    figures["queries ms (p50, p95)"] = query_latencies(db, runs)
    if pages:
        figures["pages"] = page_times(db)
    if lake_server:
        figures.update(lake_figures(files, corpus, lake_server, work, f"{n_series}x{years}", runs))
    return figures


def _listing(work: Path, name: str, files: list[Path]) -> Path:
    listing = work / f"{name}.txt"
    listing.write_text("\n".join(str(path) for path in files))
    return listing


def marginal_figures(
    work: Path, *, small: int = 50, large: int = 2000, runs: int = 5, simple: int = 300
) -> dict[str, Any]:
    """The marginal rate: (large - small) reports over the time of ``large`` minus the
    time of ``small``, each ingested into a fresh database by a process of its own,
    ``runs`` times; the simple way's rate on the first ``simple`` of the same reports."""
    corpus = work / "corpus-marginal"
    files = sorted(write_corpus(corpus, 4, max(1, -(-large // (4 * 52)))))[:large]
    if len(files) < large:
        raise SystemExit(f"the marginal corpus has {len(files)} reports, not {large}")
    megabytes = sum(path.stat().st_size for path in files) / 1e6
    lists = {n: _listing(work, f"first-{n}", files[:n]) for n in (small, large)}
    rates, cpu, total = [], [], []
    for run in range(runs):
        timed = {}
        for n, listing in lists.items():
            db = work / f"marginal-{n}-{run}.duckdb"
            timed[n] = timed_ingest(listing, db)
            assert timed[n]["failed"] == 0
            db.unlink()
        rates.append((large - small) / (timed[large]["seconds"] - timed[small]["seconds"]))
        cpu.append(
            (timed[large]["cpu_seconds"] - timed[small]["cpu_seconds"]) / (large - small) * 1000
        )
        both = {n: t["cpu_seconds"] + t.get("children_cpu_seconds", 0.0) for n, t in timed.items()}
        total.append((both[large] - both[small]) / (large - small) * 1000)
    simple_db = work / "simple-marginal.duckdb"
    began = time.perf_counter()
    simple_ingest(simple_db, files[:simple])
    simple_rate = simple / (time.perf_counter() - began)
    rate = statistics.median(rates)
    return {
        "reports (large, small)": f"{large}, {small}",
        "kB per report": megabytes / large * 1000,
        "marginal reports/s (median of runs)": rate,
        "marginal reports/s (each run)": ", ".join(f"{r:,.0f}" for r in sorted(rates)),
        "marginal MB/s": rate * megabytes / large,
        "marginal ms per report": 1000 / rate,
        "CPU ms per report, ingest process (the writer; marginal)": statistics.median(cpu),
        "CPU ms per report, ingest process and its workers (marginal)": statistics.median(total),
        f"reports/s that CPU allows on {os.cpu_count()} idle cores": (
            (os.cpu_count() or 1) * 1000 / statistics.median(total)
        ),
        "simple reports/s": simple_rate,
        "simple measured on": simple,
        "marginal over the simple way": rate / simple_rate,
    }


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _script(name: str, *args: str) -> None:
    """Run another benchmark of this folder as it is, its output passed through."""
    print(f"### benchmarks/{' '.join([name, *args])}", flush=True)
    print("\n```", flush=True)
    done = subprocess.run([sys.executable, str(HERE / name), *args], cwd=ROOT, check=False)
    if done.returncode:
        print(f"({name} ended with exit status {done.returncode})")
    print("```\n", flush=True)


#: The tables of query latencies, by what their rows are prefixed with.
_WHERE = {
    "queries ms (p50, p95)": "",
    "lake queries ms (p50, p95)": "lake ",
    "lake queries through the local copy ms (p50, p95)": "lake, local copy, ",
}


def _markdown(figures: dict[str, Any], label: str) -> Iterator[str]:
    yield f"### {label}"
    yield ""
    yield "| figure | value |"
    yield "|---|---|"
    for key, value in figures.items():
        if key.endswith("ms (p50, p95)"):
            where = _WHERE[key]
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

    parser = argparse.ArgumentParser(prog="benchmarks/bench.py", description=__doc__)
    parser.add_argument(
        "--scale",
        action="append",
        default=None,
        metavar="NxY",
        help="series x years, repeatable (default: 1x10 and 100x10)",
    )
    parser.add_argument("--runs", type=int, default=30, help="runs per query latency")
    parser.add_argument("--marginal-runs", type=int, default=5, help="runs of the marginal rate")
    parser.add_argument("--no-marginal", action="store_true", help="skip the marginal rate")
    parser.add_argument("--no-pages", action="store_true", help="skip the AppTest page timings")
    parser.add_argument("--no-pdf", action="store_true", help="skip benchmarks/pdf_reader.py")
    parser.add_argument("--no-hostile", action="store_true", help="skip benchmarks/hostile.py")
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
    print(
        f"# Benchmark: {os.cpu_count()} cores, {_memory_gb():.0f} GB memory, "
        f"Python {sys.version.split()[0]}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {_load()} at the start"
    )
    print()
    try:
        if not args.no_marginal:
            figures = marginal_figures(work, runs=args.marginal_runs)
            for line in _markdown(figures, "Marginal ingest: 2,000 reports minus 50"):
                print(line, flush=True)
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
    if not args.no_pdf:
        _script("pdf_reader.py")
        _script("pdf_reader.py", "--word-processor")
    if not args.no_hostile:
        _script("hostile.py")
    print(f"load average {_load()} at the end")
    return 0


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
