"""The hostile tester's probes (issue 11), one test each, named after the probe.

Each test makes its own bombs and damage (small on disk) and checks what a user sees:
one line naming the file and the limit or the problem, never a traceback, the rest of
the batch stored, nothing stored said to be missing nor the reverse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bombs
import pytest
from conftest import REAL_REPORT, ROOT, skip_unless

from indicators import cli, export, ingest, settings, store
from indicators.errors import InputError
from indicators.sample import generate_reports, write_reports

REAL_TEXT = REAL_REPORT.read_text(encoding="utf-8")
REAL_PUBLISHED = "2023年 11月 30日"

pytestmark = pytest.mark.slow


# --- helpers ---------------------------------------------------------------------------


def _weeks(folder: Path, weeks: int, seed: int = 11) -> list[Path]:
    start = dt.date(2021, 1, 7)
    end = start + dt.timedelta(weeks=weeks - 1)
    return write_reports(folder, generate_reports(seed=seed, start=start, end=end))


def _cli(*args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> Any:
    """``python -m indicators ARGS`` in its own process (text output, bounded in time)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "indicators", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def _reports(db: Path) -> int:
    return int(store.query(db, "SELECT count(*) AS n FROM reports")["n"][0])


def _no_traceback(done: Any) -> None:
    assert "Traceback" not in done.stdout + done.stderr
    assert 'File "' not in done.stderr  # no frame of a traceback either


def _dated(published: dt.date) -> str:
    return REAL_TEXT.replace(
        REAL_PUBLISHED, f"{published.year}年 {published.month}月 {published.day}日"
    )


# --- a 59 KB PDF drawing 10 M glyphs ----------------------------------------------------


def test_a_pdf_drawing_ten_million_glyphs_costs_one_line(tmp_path: Path, db: Path) -> None:
    """The bomb is read in a worker whose memory is capped: it fails alone, saying which
    limit it hit, and the good report beside it is stored."""
    folder = tmp_path / "batch"
    folder.mkdir()
    bomb = folder / "glyphs.pdf"
    bomb.write_bytes(bombs.glyph_bomb(10_000_000))
    assert bomb.stat().st_size < 100_000
    shutil.copy(REAL_REPORT, folder / "real.txt")

    done = _cli("ingest", str(folder), "--db", str(db))

    assert done.returncode == 1, done.stderr
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"{bomb}: needs more memory than a reader may take (512 MiB: "
        "INDICATORS_WORKER_MEMORY_MB); nothing of it was stored"
    ]
    assert _reports(db) == 1


def test_a_page_with_more_characters_than_the_limit_is_refused_before_its_boxes() -> None:
    """Under the memory cap, the character limit is checked before the costly part."""
    limits = settings.limits()
    with pytest.raises(InputError, match="INDICATORS_MAX_CHARS"):
        ingest.parse_bytes(bombs.glyph_bomb(limits.max_chars + 1000), "glyphs.pdf")


def test_a_pdf_with_too_many_pages_is_refused_before_any_page_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INDICATORS_MAX_PAGES", "10")
    pages = bombs.raw_pdf(bombs.flate_stream(b"x\x9c\x03\x00\x00\x00\x00\x01"), pages=11)
    with pytest.raises(InputError, match=r"too many pages .*11.*INDICATORS_MAX_PAGES"):
        ingest.parse_bytes(pages, "pages.pdf")


def test_a_slow_pdf_stops_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDICATORS_MAX_SECONDS", "0.001")
    many = bombs.raw_pdf(bombs.flate_stream(b"x\x9c\x03\x00\x00\x00\x00\x01"), pages=400)
    with pytest.raises(InputError, match=r"took too long.*INDICATORS_MAX_SECONDS"):
        ingest.parse_bytes(many, "slow.pdf")


# --- a 1 MB PDF whose stream inflates to 1 GiB -------------------------------------------


def test_a_pdf_inflating_to_a_gibibyte_is_refused_before_it_inflates(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "zeros.pdf"
    bomb.write_bytes(bombs.inflate_bomb(1024 * bombs.MiB))
    assert bomb.stat().st_size < 2_000_000

    assert cli.main(["ingest", str(bomb), str(REAL_REPORT), "--db", str(db)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bomb}: compressed streams inflate to more than 256 MiB "
        "(INDICATORS_MAX_INFLATE_MB): a decompression bomb?"
    ]
    assert _reports(db) == 1


# --- the same bomb under a memory limit, in a batch --------------------------------------


@pytest.mark.parametrize("good", [4, 69], ids=["small-batch", "batch-of-70"])
def test_a_bomb_in_a_batch_under_a_memory_limit_costs_only_itself(
    tmp_path: Path, db: Path, good: int
) -> None:
    """Today a crash of one worker took the batch (SIGABRT, or a BrokenProcessPool and
    0 of 70 stored); now the bomb's worker dies alone and the batch goes on."""
    folder = tmp_path / "batch"
    files = _weeks(folder, good)
    bomb = folder / "2021-06-03-bomb.pdf"  # in the middle of the batch
    bomb.write_bytes(bombs.glyph_bomb(10_000_000))

    done = _cli(
        "ingest", str(folder), "--db", str(db), "--workers", "2",
        env={"INDICATORS_WORKER_MEMORY_MB": "200"},
    )  # fmt: skip

    assert done.returncode == 1
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"{bomb}: needs more memory than a reader may take (200 MiB: "
        "INDICATORS_WORKER_MEMORY_MB); nothing of it was stored"
    ]
    assert _reports(db) == len(files)
    assert f"total: {good + 1} files ({good} added, 1 failed)" in done.stdout


# --- a file name holding newline, carriage return or ANSI escapes --------------------------


def test_a_file_name_with_control_characters_cannot_forge_a_line(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    forged = "x\n2024-01-01  added      20 events   0 observations  forged.txt"
    good = folder / f"good\r{forged}.txt"
    good.write_text(REAL_TEXT, encoding="utf-8")
    bad = folder / "bad\x1b[2J\x1b[31m\u202e.txt"
    bad.write_bytes(b"")

    assert cli.main(["ingest", str(folder), "--db", str(db)]) == 1

    captured = capsys.readouterr()
    out, err = captured.out.splitlines(), captured.err.splitlines()
    assert len(out) == 2 and out[0].startswith("2023-11-30  added") and out[1].startswith("total")
    assert "good\\rx\\n2024-01-01  added" in out[0]
    assert err == [f"{folder}/bad\\x1b[2J\\x1b[31m\\u202e.txt: empty file"]
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", captured.out + captured.err)


# --- export --excel of an item starting =1+1 or =cmd|' /C calc'!A0 ------------------------

FORMULAS = ["=1+1", "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM!A1"]


def test_export_excel_neutralises_formulas_and_numbers_stay_numbers(
    tmp_path: Path, db: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    items = "".join(f"●{f}\n\n・本文\n\n（11月23日 Pozirk{f}）\n\n" for f in FORMULAS)
    report = tmp_path / "formulas.txt"
    report.write_text(REAL_TEXT.replace("【主な出来事】", "【主な出来事】\n\n" + items, 1))
    assert cli.main(["ingest", str(report), "--db", str(db)]) == 0
    capsysbinary.readouterr()

    assert cli.main(["export", "events", "--excel", "--db", str(db)]) == 0
    data = capsysbinary.readouterr().out.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    headlines = [row["headline"] for row in rows]
    for formula in FORMULAS:
        assert "'" + formula in headlines
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)

    assert cli.main(["export", "observations", "--excel", "--db", str(db)]) == 0
    observations = list(
        csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig")))
    )
    assert observations and all(float(row["value"]) > 0 for row in observations)


def test_a_download_csv_is_neutralised_too() -> None:
    """The dashboard's downloads are made by the same function (app_pages.common)."""
    import pandas as pd

    cells = ["=1+1", "\t=1", "\r=1", "政治犯"]
    frame = pd.DataFrame({"headline": cells, "value": [-5.0, 3.0, 0.5, 1.0]})
    rows = list(csv.reader(io.StringIO(export.to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows == [
        ["headline", "value"],
        ["'=1+1", "-5.0"],
        ["'\t=1", "3.0"],
        ["'\r=1", "0.5"],
        ["政治犯", "1.0"],
    ]


# --- ?p=² on Events, ?report=² on Reports -----------------------------------------------


@pytest.mark.parametrize(
    ("page", "name", "value"),
    [
        ("events", "p", "²"),
        ("events", "p", "٣"),
        ("reports", "report", "²"),
        ("reports", "report", "99999999999999999999"),
        ("reports", "report", "-1"),
    ],
)
def test_a_url_parameter_that_is_not_plain_digits_falls_back_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str, name: str, value: str
) -> None:
    import apphelpers as h
    from streamlit.testing.v1 import AppTest

    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    monkeypatch.setenv("INDICATORS_DB", str(db))
    at = AppTest.from_file(str(h.APP), default_timeout=60)
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error


# --- a database file truncated to half or with bytes scrambled mid-file --------------------


def _damaged(tmp_path: Path, how: str) -> Path:
    db = tmp_path / f"{how}.duckdb"
    ingest.ingest(db, _weeks(tmp_path / "weeks", 40), workers=1)
    data = bytearray(db.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    else:
        # Bytes scrambled inside every block after the file's headers, so whatever a
        # command reads is damaged (a middle third alone can miss the tables it reads).
        rng = random.Random(7)
        headers, block = 3 * 4096, 256 * 1024
        for start in range(headers, len(data), block):
            for at in range(start + 512, min(start + 1024, len(data))):
                data[at] = rng.randrange(256)
    db.write_bytes(bytes(data))
    return db


@pytest.mark.parametrize("how", ["truncated", "scrambled"])
def test_a_damaged_database_file_is_one_line_from_ingest_export_and_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    db = _damaged(tmp_path, how)
    for args in (
        ["export", "events", "--db", str(db)],
        ["export", "observations", "--db", str(db)],
        ["ingest", str(tmp_path / "weeks"), "--db", str(db)],
    ):
        done = _cli(*args)
        assert done.returncode == 1, (args, done.stdout[-500:])
        _no_traceback(done)
        lines = [line for line in done.stderr.splitlines() if "damaged" in line]
        assert len(lines) == 1 and lines[0].startswith(f"{db}: "), (args, done.stderr)

    import apphelpers as h
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INDICATORS_DB", str(db))
    for page in ("events", "overview"):
        at = AppTest.from_file(str(h.APP), default_timeout=60)
        at.run()
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [e.value for e in at.error]
        assert len(shown) == 1 and "damaged" in shown[0], shown


# --- disk full during an ingest -----------------------------------------------------------


def _can_unshare(*flags: str) -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", *flags, "true"], capture_output=True).returncode == 0


def test_a_full_disk_during_an_ingest_says_exactly_what_is_stored(tmp_path: Path) -> None:
    """A real full disk: a 3 MiB tmpfs in a private mount namespace (``unshare``). The
    reports said to be added are the reports stored, a checkpoint failing after its
    commit included (the batch is in the WAL)."""
    skip_unless(_can_unshare("-rm"), "unshare -rm (user and mount namespaces) is unavailable")
    folder = tmp_path / "weeks"
    files = _weeks(folder, 52)
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    kept.mkdir()
    db = disk / "full.duckdb"
    script = (
        f"mount -t tmpfs -o size=3m tmpfs {disk} && "
        f"{sys.executable} -m indicators ingest {folder} --db {db} --workers 1 "
        f"> {kept}/out 2> {kept}/err; echo $? > {kept}/rc; cp {disk}/full.duckdb* {kept}/"
    )
    subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        check=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "INDICATORS_BATCH_SIZE": "10"},
    )
    out = (kept / "out").read_text()
    err = (kept / "err").read_text()
    assert (kept / "rc").read_text().strip() == "1"
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1 and "the disk is full" in lines[0], err
    said_added = sum("  added " in line for line in out.splitlines())
    stored = _reports(kept / "full.duckdb")
    assert 0 < stored < len(files)
    assert said_added == stored
    assert f"Stored in this run: {stored} reports" in lines[0]
    assert f"not stored: {len(files) - stored} files" in lines[0]


# --- kill -9 of an ingest -----------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, start time, state) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), int(fields[19]), fields[0])
    return table


def _descendants(pid: int) -> set[tuple[int, int]]:
    """(pid, start time) of every live process below ``pid``."""
    table = _process_table()
    found: set[tuple[int, int]] = set()
    parents = {pid}
    while parents:
        children = {p for p, (ppid, _, state) in table.items() if ppid in parents and state != "Z"}
        found |= {(p, table[p][1]) for p in children}
        parents = children
    return found


def _alive(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of ``processes`` still running (a zombie has ended; a reused pid is another)."""
    table = _process_table()
    return {
        (pid, start)
        for pid, start in processes
        if pid in table and table[pid][1] == start and table[pid][2] != "Z"
    }


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll a condition until it holds or the time is up (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("run", range(3))
def test_a_killed_ingest_leaves_no_worker_behind(tmp_path: Path, run: int) -> None:
    folder = tmp_path / "weeks"
    _weeks(folder, 140, seed=run)
    db = tmp_path / "killed.duckdb"
    hook = "s._before_commit = lambda: (print('in transaction', flush=True), sys.stdin.readline())"
    code = (
        f"import sys, indicators.store.writing as s\n{hook}\nfrom indicators.cli import main\n"
        f"sys.exit(main(['ingest', {str(folder)!r}, '--db', {str(db)!r}, '--workers', '2']))"
    )
    victim = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "INDICATORS_BATCH_SIZE": "70"},
    )
    below: set[tuple[int, int]] = set()
    try:
        assert victim.stdout is not None
        assert victim.stdout.readline().strip() == "in transaction"
        # Its two workers (parsing the second batch, or idle), and whatever started them.
        assert _wait_for(lambda: len(_descendants(victim.pid)) >= 2, 60)
        below = _descendants(victim.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        assert _wait_for(lambda: not _alive(below), 30), _alive(below)
    finally:
        victim.kill()
        for pid, _ in _alive(below):  # a failed run must not leave them behind either
            os.kill(pid, signal.SIGKILL)
        victim.communicate(timeout=60)


# --- a report dated 2099 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "message"),
    [
        (dt.date(2099, 11, 30), "is in the future"),
        (dt.date.today() + dt.timedelta(days=30), "is in the future"),
        (dt.date(1985, 11, 30), "is before 1990"),
    ],
    ids=["2099", "next-month", "1985"],
)
def test_a_report_dated_in_the_future_or_long_ago_is_refused(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], published: dt.date, message: str
) -> None:
    report = tmp_path / "dated.txt"
    report.write_text(_dated(published), encoding="utf-8")
    assert cli.main(["ingest", str(report), "--db", str(db)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"{report}: publication date {published} {message}")


def test_a_report_dated_a_few_days_ahead_is_taken(tmp_path: Path, db: Path) -> None:
    report = tmp_path / "ahead.txt"
    report.write_text(_dated(dt.date.today() + dt.timedelta(days=3)), encoding="utf-8")
    assert cli.main(["ingest", str(report), "--db", str(db)]) == 0


# --- a folder that cannot be read, inside a tree being ingested ----------------------------


def test_a_folder_that_cannot_be_read_gets_its_own_line(tmp_path: Path) -> None:
    """As root, permissions do not stop a read: the ingest then runs in a user namespace
    of its own (``unshare --user``), where root's override does not reach the files."""
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        skip_unless(_can_unshare("--user"), "unshare --user is unavailable (running as root)")
        prefix = ("unshare", "--user")
    tree = tmp_path / "tree"
    _weeks(tree / "readable", 3)
    locked = tree / "locked"
    _weeks(locked, 50, seed=5)
    db = tmp_path / "t.duckdb"
    locked.chmod(0)
    try:
        done = _cli("ingest", str(tree), "--db", str(db), prefix=prefix)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1
    _no_traceback(done)
    assert done.stderr.splitlines() == [
        f"{locked}: cannot read this folder (permission denied): the reports in it were skipped"
    ]
    assert _reports(db) == 3


# --- NUL bytes after the first 4 KiB of a text file ----------------------------------------


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\x85"])
def test_control_bytes_anywhere_in_a_text_refuse_it(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], control: str
) -> None:
    lines = REAL_TEXT.splitlines(keepends=True)
    at = next(i for i in range(len(lines)) if len("".join(lines[:i]).encode()) > 4096)
    report = tmp_path / "nul.txt"
    report.write_text("".join(lines[:at]) + f"本文{control}続き\n" + "".join(lines[at:]))
    assert cli.main(["ingest", str(report), "--db", str(db)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{report}: not a text report (control character U+{ord(control):04X} on line {at + 1})"
    ]
    assert not db.exists() or _reports(db) == 0


# --- a 60 MB file ----------------------------------------------------------------------------


def test_the_size_limit_is_the_same_number_in_the_message_readme_and_help(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: 60 MiB long, nothing on disk
        handle.truncate(60 * settings.MiB)
    assert cli.main(["ingest", str(big), "--db", str(db)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{big}: file too large (60 MiB; the limit is 50 MiB)"
    ]
    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: $INDICATORS_MAX_MB, else 50 MiB)" in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `INDICATORS_MAX_MB` | 50 MiB |" in readme


def test_the_readme_and_help_list_every_setting_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    for item in settings.SETTINGS:
        default = f"{item.default:,g} {item.unit}"
        assert f"| `{item.name}` | {default} |" in readme, item.name
        assert f"{item.name}  {item.meaning} (default {default})" in help_text, item.name


def test_the_old_size_setting_in_bytes_still_works(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INDICATORS_MAX_BYTES", "1000")
    assert cli.main(["ingest", str(REAL_REPORT), "--db", str(db)]) == 1
    assert "the limit is 0.000954 MiB" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _no_stray_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each probe runs with the defaults, whatever the shell that started the suite set."""
    for name in [item.name for item in settings.SETTINGS] + [settings.LEGACY_MAX_BYTES]:
        monkeypatch.delenv(name, raising=False)
    yield
