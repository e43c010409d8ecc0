"""The dashboard's page queries, timed on the file backend: attached per query (as the
dashboard does) beside the same SQL on a connection held open.

    python benchmarks/queries.py                     # 1x10 and 100x10 in ./bench-work
    python benchmarks/queries.py --scale 1x10 --runs 30 --work /tmp/qb

A scale ``SxY`` is S series x Y years of weekly sample reports (``indicators.sample``),
ingested once by ``indicators ingest`` into ``WORK/SxY.duckdb`` and kept there (52,000
reports take minutes; a later run reuses the database). Each query runs once to warm
up, then ``--runs`` times; the figures are p50 and p95 in milliseconds, and the
difference of the p95s ("cost of attaching"). The query list is what the Overview and
Trends pages ask for at their defaults (charts: the first six series, as the pages
cap them), then the same questions of every series at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators import queries, store
from indicators.display import default_display
from indicators.store import connection, extensions

MAX_CHART_SERIES = 6  # app_pages.common.MAX_CHART_SERIES (the library does not import it)
WEEKS_SHOWN = 52  # app_pages.overview.WEEKS_SHOWN


def corpus(work: Path, scale: str) -> Path:
    """The scale's database, generated and ingested on first use."""
    series, years = (int(part) for part in scale.split("x"))
    db = work / f"{scale}.duckdb"
    if db.exists():
        return db
    reports = work / f"{scale}-reports"
    python = sys.executable
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    if not reports.exists():
        cmd = [python, "-m", "indicators.sample", "--series", str(series), "--years", str(years)]
        subprocess.run([*cmd, str(reports)], check=True, env=env)
    started = time.perf_counter()
    subprocess.run(
        [python, "-m", "indicators", "ingest", "--db", str(db), str(reports)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    print(f"{scale}: ingested in {time.perf_counter() - started:.1f} s", flush=True)
    return db


def page_queries(db: Path) -> list[tuple[str, Callable[[], Any]]]:
    """(label, call) for every query the Overview and Trends pages issue by default,
    then the all-series versions."""
    all_series = queries.series(db)
    chosen, include_sample = queries.default_scope(all_series)
    scope: dict[str, Any] = {"series": chosen, "include_sample": include_sample}
    charts: dict[str, Any] = {"series": chosen[:MAX_CHART_SERIES], "include_sample": include_sample}
    every: dict[str, Any] = {"series": None, "include_sample": True}
    lines = queries.latest(db, **scope)
    week = lines["last_report_week"].max().date()
    start = week - dt.timedelta(weeks=WEEKS_SHOWN - 1)
    catalog = queries.catalog(db, **scope)
    first = catalog.iloc[0]
    low, high = catalog["first_week"].min().date(), catalog["last_week"].max().date()
    rule = default_display().annotate.get(str(first["indicator"]))
    found: list[tuple[str, Callable[[], Any]]] = [
        ("sidebar: series", partial(queries.series, db)),
        ("overview: tiles (latest)", partial(queries.latest, db, **scope)),
        ("overview: history 53 weeks", partial(queries.history, db, **scope, week=week)),
        ("overview: period sums", partial(queries.period_sums, db, **scope, week=week)),
        ("overview: events of the week", partial(queries.week_events, db, **scope, week=week)),
    ]
    for indicator, by_dimension in (
        ("political_prisoners", True),
        ("border_interceptions", True),
        ("trade_deal_value", False),
    ):
        call = partial(
            queries.weekly, db, indicator, **charts, start=start, end=week,
            by_dimension=by_dimension,
        )  # fmt: skip
        found.append((f"overview: chart {indicator}", call))
    found += [
        ("trends: catalog", partial(queries.catalog, db, **scope)),
        (
            "trends: chart (first indicator, 4-week mean)",
            partial(
                queries.weekly,
                db,
                str(first["indicator"]),
                **charts,
                units=[first["unit"]],
                start=low,
                end=high,
                transform="rolling4",
            ),
        ),
        (
            "trends: relevant events",
            partial(
                queries.relevant_events,
                db,
                **scope,
                start=low,
                end=high,
                sections=list(rule.sections) if rule else [],
                words=list(rule.words) if rule else [],
            ),
        ),
        (
            "trends: evidence of a point",
            partial(queries.evidence, db, str(first["indicator"]), high, **charts),
        ),
        ("all series: tiles (latest)", partial(queries.latest, db, **every)),
        ("all series: sparklines 12 weeks", partial(queries.sparklines, db, **every)),
        ("all series: history 53 weeks", partial(queries.history, db, **every, week=week)),
        ("all series: period sums", partial(queries.period_sums, db, **every, week=week)),
        ("all series: catalog", partial(queries.catalog, db, **every)),
    ]
    return found


class HeldOpen:
    """One attachment kept for the whole run (what a dashboard that kept the file open
    would pay; it would block every ingest meanwhile): ``with held:`` sends the store's
    queries there."""

    def __init__(self, db: Path) -> None:
        self.con = extensions.instance()
        self.con.execute(f"ATTACH {connection._quote(str(db))} AS report_db (READ_ONLY)")
        self.con.execute("USE report_db")
        self.original = store.query

    def query(self, _db: Any, sql: str, params: Any = None) -> Any:
        return self.con.execute(sql, params or []).df()

    def __enter__(self) -> None:
        store.query = self.query  # type: ignore[assignment]

    def __exit__(self, *_: object) -> None:
        store.query = self.original


def timed(call: Callable[[], Any], held: HeldOpen, runs: int) -> list[float]:
    """p50 and p95 in ms of ``runs`` calls attached per query and as many held open,
    taken in turns (so that the machine's load falls on both alike), after a warm-up."""
    attached: list[float] = []
    kept: list[float] = []
    call()
    with held:
        call()
    for _ in range(runs):
        started = time.perf_counter()
        call()
        attached.append((time.perf_counter() - started) * 1000)
        with held:
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    figures = []
    for times in (attached, kept):
        times.sort()
        figures += [statistics.median(times), times[max(0, round(0.95 * runs) - 1)]]
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="append", help="SxY (default: 1x10 and 100x10)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("bench-work"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    for scale in args.scale or ["1x10", "100x10"]:
        db = corpus(args.work, scale)
        store.ensure_db(db)
        rows = store.row_counts(db)
        print(f"\n### {scale}: {rows['reports']:,} reports, {rows['observations']:,} observations")
        print("| query | attached per query | held open | p95 difference |")
        print("|---|---|---|---|")
        held = HeldOpen(db)
        for label, call in page_queries(db):
            p50, p95, o50, o95 = timed(call, held, args.runs)
            print(
                f"| {label} | p50 {p50:.1f}, p95 {p95:.1f} ms | p50 {o50:.1f}, p95 {o95:.1f} ms "
                f"| {p95 - o95:+.1f} ms |",
                flush=True,
            )
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
