"""A small run of the benchmark (benchmarks/bench.py), so that it keeps working
(figures printed, not judged)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from indicators import store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench  # noqa: E402  (benchmarks/ is put on the path just above)

pytestmark = pytest.mark.slow


def test_small_benchmark_runs_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = bench.run_scale(2, 1, tmp_path, simple_limit=20, runs=2, pages=True)
    assert figures["peak RSS MB (ingest process)"] > 0
    assert figures["reports"] == 2 * 52
    assert figures["rows"]["reports"] == figures["reports"]
    assert 9 < figures["kB per report"] < 16  # real size
    # The simple way wrote the same rows for the reports it was given.
    simple = store.row_counts(tmp_path / "simple-2x1.duckdb")
    assert simple["reports"] == figures["simple measured on"] == 20
    fast = store.row_counts(tmp_path / "fast-2x1-0.duckdb")
    first = store.query(tmp_path / "fast-2x1-0.duckdb", "SELECT report_id FROM reports")
    assert simple["events"] < fast["events"] and len(first) == 104
    assert figures["ingest runs"] == 5  # a small corpus: the median of five
    assert figures["speed-up (reports/s over the simple way's)"] > 0
    latencies = figures["queries ms (p50, p95)"]
    assert "overview tiles (default scope)" in latencies
    assert all(p50 <= p95 for p50, p95 in latencies.values())
    assert set(figures["pages"]) >= {"Overview (cold cache)", "Trends (cold cache)"}
    lines = list(bench._markdown(figures, "2 series x 1 years"))
    print("\n".join(lines))
    assert any("reports/s" in line for line in lines)


def test_marginal_rate_is_the_difference_of_two_ingests(tmp_path: Path) -> None:
    figures = bench.marginal_figures(tmp_path, small=10, large=60, runs=1, simple=5)
    assert figures["reports (large, small)"] == "60, 10"
    # A difference of two timings: its sign is the machine's (a loaded one can take
    # longer for the 10 reports than for the 60), so this holds the arithmetic, not the
    # speed, which the benchmark prints.
    rate = figures["marginal reports/s (median of runs)"]
    assert math.isfinite(rate) and figures["marginal ms per report"] == pytest.approx(1000 / rate)
    simple = figures["simple reports/s"]
    assert simple > 0 and figures["marginal over the simple way"] == pytest.approx(rate / simple)
    assert store.row_counts(tmp_path / "simple-marginal.duckdb")["reports"] == 5


def test_the_script_prints_a_table(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--scale", "1x1", "--runs", "2",
         "--no-pages", "--no-marginal", "--no-pdf", "--no-hostile"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert "### 1 series x 1 years" in done.stdout
    assert "| reports | 52 |" in done.stdout
    assert "load average" in done.stdout.splitlines()[-1]


def test_the_lake_figures_are_measured_on_a_real_postgresql(
    postgres: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICATORS_DATA_PATH", str(tmp_path))  # restored afterwards
    monkeypatch.setenv("INDICATORS_SEARCH_MIRROR", str(tmp_path))  # the bench sets it too
    corpus = tmp_path / "corpus"
    files = bench.write_corpus(corpus, 2, 1)[:24]
    for extra in set(corpus.rglob("*.txt")) - set(files):
        extra.unlink()
    server = f"host=127.0.0.1 port={postgres.port} user=postgres"
    figures = bench.lake_figures(files, corpus, server, tmp_path, "t", runs=2)
    assert figures["lake reports/s (1 writer)"] > 0
    assert figures["lake reports/s (4 writers)"] > 0
    assert figures["lake data MB (Parquet)"] > 0
    latencies = figures["lake queries ms (p50, p95)"]
    assert all(p50 <= p95 for p50, p95 in latencies.values())
    through_copy = figures["lake queries through the local copy ms (p50, p95)"]
    assert len(through_copy) == 2 and all(p50 <= p95 for p50, p95 in through_copy.values())
    assert figures["lake search's local copy made (s)"] > 0
    print("\n".join(bench._markdown(figures, "lake, 24 reports")))
