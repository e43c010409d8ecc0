"""Every bad input: one clear line naming the file, the right exit status, no traceback,
the batch goes on, and what was stored stays as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pdfmaker
import pytest
from conftest import REAL_REPORT

from indicators import ingest, store
from indicators.cli import main
from indicators.sample import bundled_reports

REAL_TEXT = REAL_REPORT.read_text(encoding="utf-8")


# (id, file name, its bytes or how to make them, what the one line must say)
CASES: list[tuple[str, str, Callable[[Path], bytes] | bytes, str]] = [
    ("empty", "empty.txt", b"", "empty file"),
    ("blank", "blank.txt", b"  \n\n \n", "empty file"),
    ("random-bytes-as-pdf", "scan.pdf", pdfmaker.random_bytes(), "not a PDF"),
    ("binary-as-text", "data.txt", bytes(range(256)) * 8, "not a text report"),
    (
        "truncated-pdf",
        "cut.pdf",
        lambda _: pdfmaker.truncated_pdf(),
        "damaged or truncated PDF",
    ),
    ("encrypted-pdf", "locked.pdf", lambda _: pdfmaker.encrypted_pdf(), "encrypted PDF"),
    ("scanned-pdf", "scanned.pdf", lambda _: pdfmaker.scanned_pdf(), "needs OCR"),
    (
        "not-a-report",
        "notes.txt",
        "会議メモ\n\n来週の予定を確認する。\n".encode(),
        "no publication date",
    ),
    (
        "no-date",
        "undated.txt",
        REAL_TEXT.replace("2023年 11月 30日", "（日付なし）").encode(),
        "no publication date",
    ),
    (
        "no-items",
        "header-only.txt",
        "\n\n".join(REAL_TEXT.split("\n")[:8]).encode(),
        "no news items",
    ),
    ("too-large", "huge.txt", REAL_TEXT.encode() * 3, "file too large"),
]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A database that already holds the real report."""
    db = tmp_path / "kept.duckdb"
    assert main(["ingest", str(REAL_REPORT), "--db", str(db)]) == 0
    return db


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """The CLI called in this process, as a user's shell would (its output captured):
    what these cases test is the CLI's own handling, which a subprocess adds nothing to;
    test_usage_errors_exit_2 keeps one real process."""

    def ingest_cli(db: Path, *paths: Path, extra: tuple[str, ...] = ()) -> Done:
        capsys.readouterr()
        code = main(["ingest", *map(str, paths), "--db", str(db), *extra])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return ingest_cli


def _counts(db: Path) -> dict[str, int]:
    counts = store.row_counts(db)
    del counts["ingest_log"]
    return counts


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_bad_file_gets_one_line_and_the_batch_goes_on(
    tmp_path: Path,
    stored: Path,
    run: Callable[..., Done],
    name: str,
    content: Callable[[Path], bytes] | bytes,
    reason: str,
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    bad = folder / name
    bad.write_bytes(content(folder) if callable(content) else content)
    good_sample = bundled_reports()[0]
    good = folder / "zz-good.txt"  # after the bad one in the batch's order
    good.write_text(good_sample.text, encoding="utf-8")
    before = _counts(stored)

    done = run(stored, folder, extra=("--max-size", "0.03"))  # 30 kB: "too-large" only

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [f"{bad}: {lines[0].split(': ', 1)[1]}"], done.stderr
    assert reason in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert str(good) in done.stdout  # the batch went on past the bad file
    after = _counts(stored)
    assert after["reports"] == before["reports"] + 1
    assert after["events"] == before["events"] + len(
        ingest.parse_bytes(good.read_bytes(), "x").report.events
    )
    log = store.query(
        stored, "SELECT file_name, action, message FROM ingest_log WHERE action = 'failed'"
    )
    assert log.to_dict("records") == [
        {"file_name": str(bad), "action": "failed", "message": lines[0].split(": ", 1)[1]}
    ]


def test_a_file_gone_before_it_is_read(
    tmp_path: Path, stored: Path, run: Callable[..., Done]
) -> None:
    gone = tmp_path / "gone.txt"
    before = _counts(stored)
    done = run(stored, gone, REAL_REPORT)
    assert done.returncode == 1
    assert done.stderr.strip() == f"{gone}: file not found (moved or deleted?)"
    assert _counts(stored) == before


def test_a_folder_or_pipe_named_as_a_file(
    tmp_path: Path, stored: Path, run: Callable[..., Done]
) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    done = run(stored, pipe, extra=())
    assert done.returncode == 1
    assert done.stderr.strip() == f"{pipe}: not a regular file"
    done = run(stored, folder)
    assert done.returncode == 1
    assert "no report files" in done.stderr


def test_usage_errors_exit_2(stored: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "indicators", "export", "nonsense", "--db", str(stored)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
