"""A small run of the benchmark, so that it keeps working (figures printed, not judged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indicators import bench, store

pytestmark = pytest.mark.slow


def test_small_benchmark_runs_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = bench.run_scale(2, 1, tmp_path, simple_limit=20, runs=2, pages=True)
    assert figures["peak RSS MB (ingest process)"] > 0
    assert figures["reports"] == 2 * 52
    assert figures["rows"]["reports"] == figures["reports"]
    # The simple way wrote the same rows for the reports it was given.
    simple = store.row_counts(tmp_path / "simple-2x1.duckdb")
    assert simple["reports"] == figures["simple measured on"] == 20
    assert figures["ingest runs"] == 5  # a small corpus: the median of five
    assert figures["speed-up"] > 0
    latencies = figures["queries ms (p50, p95)"]
    assert "overview tiles (default scope)" in latencies
    assert all(p50 <= p95 for p50, p95 in latencies.values())
    assert set(figures["pages"]) >= {"Overview (cold cache)", "Trends (cold cache)"}
    lines = list(bench._markdown(figures, "2 series x 1 years"))
    print("\n".join(lines))
    assert any("reports/s" in line for line in lines)


def test_bench_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    from indicators.cli import main

    assert main(["bench", "--scale", "1x1", "--runs", "2", "--no-pages"]) == 0
    out = capsys.readouterr().out
    assert "### 1 series x 1 years" in out
    assert "| reports | 52 |" in out


def test_the_lake_figures_are_measured_on_a_real_postgresql(
    postgres: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICATORS_DATA_PATH", str(tmp_path))  # restored afterwards
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
    print("\n".join(bench._markdown(figures, "lake, 24 reports")))
