"""Nothing lost, nothing doubled: readers during an ingest, two ingests, a killed ingest."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indicators import export, ingest, store
from indicators.sample import generate_reports, write_reports

pytestmark = pytest.mark.slow

# Every report has all its events and observations, or is not there at all.
HALF_REPORTS = """
    SELECT count(*) AS n FROM reports r
    WHERE n_events <> (SELECT count(*) FROM events e WHERE e.report_id = r.report_id)
       OR n_observations <> (SELECT count(*) FROM observations o WHERE o.report_id = r.report_id)
"""


def _weeks(folder: Path, weeks: int, seed: int = 11) -> list[Path]:
    start = dt.date(2021, 1, 7)
    return write_reports(
        folder, generate_reports(seed=seed, start=start, end=start + dt.timedelta(weeks=weeks - 1))
    )


def _ingest_process(
    db: store.Location, folder: Path, batch: int, hook: str = ""
) -> subprocess.Popen[str]:
    """``python -m indicators ingest`` in its own process, optionally with a hook first."""
    code = f"import sys, indicators.store.writing as s\n{hook}\nfrom indicators.cli import main\n"
    code += f"sys.exit(main(['ingest', {str(folder)!r}, '--db', {str(db)!r}, '--workers', '1']))"
    env = {**os.environ, "INDICATORS_BATCH_SIZE": str(batch)}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _expected_counts(tmp_path: Path, folder: Path) -> dict[str, int]:
    """Row counts of the same folder ingested alone into a fresh database."""
    reference = tmp_path / "reference.duckdb"
    ingest.ingest(reference, [folder], workers=1)
    counts = store.row_counts(reference)
    del counts["ingest_log"]
    return counts


def test_readers_never_fail_nor_see_half_a_report_during_an_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    files = _weeks(folder, 60)
    db = tmp_path / "live.duckdb"
    ingest.ingest(db, [files[0]], workers=1)  # readers have something from the start
    errors: list[BaseException] = []
    half: list[int] = []
    rounds = [0] * 4
    writer = _ingest_process(db, folder, batch=4)

    def read(slot: int) -> None:
        # Bounded: stop when the writer is done, or after many rounds whatever happens.
        while writer.poll() is None and rounds[slot] < 5_000:
            try:
                half.append(int(store.query(db, HALF_REPORTS)["n"][0]))
                export.frame(db, "observations", indicator="political_prisoners")
                export.frame(db, "events")
            except BaseException as error:  # any failure of a reader is what this test counts
                errors.append(error)
            rounds[slot] += 1

    readers = [threading.Thread(target=read, args=(slot,)) for slot in range(4)]
    for reader in readers:
        reader.start()
    _, err = writer.communicate(timeout=300)
    for reader in readers:
        reader.join()
    assert writer.returncode == 0, err
    assert errors == []
    assert sum(rounds) > 0 and set(half) == {0}
    final = store.row_counts(db)
    assert {k: v for k, v in final.items() if k != "ingest_log"} == _expected_counts(
        tmp_path, folder
    )
    assert final["reports"] == len(files)


def test_a_second_ingest_waits_for_the_first_and_nothing_is_doubled(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    files = _weeks(folder, 30)
    db = tmp_path / "two.duckdb"
    first = _ingest_process(db, folder, batch=3)
    second = _ingest_process(db, folder, batch=3)
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    counts = store.row_counts(db)
    assert counts["reports"] == len(files)
    assert {k: v for k, v in counts.items() if k != "ingest_log"} == _expected_counts(
        tmp_path, folder
    )
    log = store.query(db, "SELECT action, count(*) AS n FROM ingest_log GROUP BY action")
    assert dict(zip(log["action"], log["n"], strict=True)) == {
        "added": len(files),
        "unchanged": len(files),
    }


def test_the_second_ingest_gives_up_with_a_reason_when_the_first_holds_on(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    _weeks(folder, 4)
    db = tmp_path / "held.duckdb"
    # The first ingest stops inside its transaction until told to go on.
    hook = "s._before_commit = lambda: (print('in transaction', flush=True), sys.stdin.readline())"
    first = _ingest_process(db, folder, batch=100, hook=hook)
    assert first.stdout is not None and first.stdout.readline().strip() == "in transaction"
    env = {**os.environ, "INDICATORS_LOCK_TIMEOUT": "1"}
    second = subprocess.run(
        [sys.executable, "-m", "indicators", "ingest", str(folder), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    first.communicate("go on\n", timeout=120)
    assert first.returncode == 0
    assert second.returncode == 1
    assert "another ingest is writing" in second.stderr
    assert "Traceback" not in second.stderr
    assert store.row_counts(db)["reports"] == 4


def test_a_killed_ingest_leaves_the_database_as_before_that_batch(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    files = _weeks(folder, 12)
    db = tmp_path / "killed.duckdb"
    ingest.ingest(db, files[:3], workers=1)
    before = store.row_counts(db)
    hook = "s._before_commit = lambda: (print('in transaction', flush=True), sys.stdin.readline())"
    victim = _ingest_process(db, folder, batch=100, hook=hook)
    assert victim.stdout is not None and victim.stdout.readline().strip() == "in transaction"
    victim.kill()  # inserts done, COMMIT not reached
    victim.communicate(timeout=60)
    assert store.row_counts(db) == before
    assert int(store.query(db, HALF_REPORTS)["n"][0]) == 0
    # Ingesting again completes the batch, exactly once.
    result = ingest.ingest(db, [folder], workers=1)
    assert result.count("added") == len(files) - 3
    assert result.count("unchanged") == 3
    counts = store.row_counts(db)
    assert {k: v for k, v in counts.items() if k != "ingest_log"} == _expected_counts(
        tmp_path, folder
    )


_READER = """
import json, sys, time
from pathlib import Path
from indicators import export, store
db, stop, half_sql = store.location(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
rounds, half, errors = 0, set(), []
deadline = time.monotonic() + 600  # bounded, whatever happens to the writers
while not stop.exists() and time.monotonic() < deadline:
    try:
        half.add(int(store.query(db, half_sql)["n"][0]))
        export.frame(db, "observations", indicator="political_prisoners")
        store.signature(db)
    except Exception as error:  # any failure of a reader is what the test counts
        errors.append(f"{type(error).__name__}: {error}"[:300])
    rounds += 1
print(json.dumps({"rounds": rounds, "half": sorted(half), "errors": errors}))
"""


def test_four_writers_and_three_readers_on_a_lake_at_once(lake: str, tmp_path: Path) -> None:
    """Four ingest processes store the same reports (in different orders, three
    reports per transaction, so their commits collide) while three reader processes
    query with the connections they keep: each report is stored once, no reader fails
    or sees half a report, and the counts are those of one ingest alone."""
    folder = tmp_path / "batch"
    files = _weeks(folder, 16)
    store.ensure_db(lake)  # readers start on an empty schema
    stop = tmp_path / "stop"
    env = {**os.environ, "INDICATORS_LOCK_TIMEOUT": "240"}
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", _READER, lake, str(stop), HALF_REPORTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    orders = [files, files[::-1], files[1::2] + files[::2], files[::2] + files[1::2]]
    ingest_cmd = [sys.executable, "-m", "indicators", "ingest", "--db", lake, "--workers", "1"]
    writers = [
        subprocess.Popen(
            [*ingest_cmd, *map(str, order)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "INDICATORS_BATCH_SIZE": "3"},
        )
        for order in orders
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    stop.touch()
    found = []
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        found.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["errors"] for r in found] == [[], [], []]
    assert all(r["rounds"] > 0 for r in found)
    assert {n for r in found for n in r["half"]} <= {0}
    counts = store.row_counts(lake)
    assert counts["reports"] == len(files)
    assert {k: v for k, v in counts.items() if k != "ingest_log"} == _expected_counts(
        tmp_path, folder
    )
    log = store.query(lake, "SELECT action, count(*) AS n FROM ingest_log GROUP BY action")
    assert dict(zip(log["action"], log["n"], strict=True)) == {
        "added": len(files),
        "unchanged": 3 * len(files),
    }
    keys = store.query(lake, "SELECT count(DISTINCT report_key) AS k, count(*) AS n FROM reports")
    assert (int(keys["k"][0]), int(keys["n"][0])) == (len(files), len(files))


def test_a_second_lake_writer_waits_its_turn_and_stores_nothing_twice(
    lake: str, tmp_path: Path
) -> None:
    """Writer A (another process) stops just before its commit, in its turn; writer B
    queues for the turn in PostgreSQL rather than racing A (before turns it raced, and
    one of the two redid its batch); once A commits, B runs on what A stored and finds
    its reports already there."""
    import pgcluster

    folder = tmp_path / "batch"
    files = _weeks(folder, 3)
    store.ensure_db(lake)
    hook = "s._before_commit = lambda: (print('in transaction', flush=True), sys.stdin.readline())"
    first = _ingest_process(lake, folder, batch=100, hook=hook)
    assert first.stdout is not None and first.stdout.readline().strip() == "in transaction"
    done: list[ingest.IngestResult] = []
    second = threading.Thread(target=lambda: done.append(ingest.ingest(lake, [folder], workers=1)))
    second.start()
    deadline = dt.datetime.now() + dt.timedelta(seconds=120)
    while pgcluster.advisory_waiters(lake) == 0:  # a condition, polled; not a timed wait
        assert second.is_alive(), "the second writer did not wait for the first"
        assert dt.datetime.now() < deadline, "the second writer never queued for its turn"
    out, err = first.communicate("go on\n", timeout=300)
    assert first.returncode == 0, err
    second.join(timeout=300)
    assert [o.action for o in done[0].outcomes] == ["unchanged"] * len(files)
    assert "in transaction" not in out  # A's transaction ran once (its line read above)
    assert out.count(" added ") == len(files)
    assert store.row_counts(lake)["reports"] == len(files)
