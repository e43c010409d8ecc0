"""indicators.cli: exit codes, one line per bad input, exports with provenance."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import ingest, store
from indicators.cli import main

REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"
NOT_A_REPORT = "会議のメモ\n\n出席者は 5人。\n"


@pytest.fixture
def stored(db: Path) -> Path:
    """A database holding the real report (stored by the library: it prints nothing)."""
    assert not ingest.ingest(db, [REAL]).failed
    return db


def export_rows(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> list[dict[str, str]]:
    assert main(["export", *args]) == 0
    out = capsysbinary.readouterr().out
    assert not out.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(out.decode("utf-8"))))


def test_parse_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(REAL)]) == 0
    out = capsys.readouterr().out
    assert "published 2023-11-30, period 2023-11-20 .. 2023-11-26" in out
    assert "19 events in 8 sections" in out
    assert "5 observations" in out


def test_parse_of_a_text_that_is_not_a_report_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "memo.txt"
    path.write_text(NOT_A_REPORT, "utf-8")

    assert main(["parse", str(path), "--json"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1
    assert err.startswith(f"{path}: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda p: None, "not found", id="missing"),
        pytest.param(lambda p: p.write_bytes(b""), "empty", id="empty"),
        pytest.param(lambda p: p.write_bytes(bytes(range(256)) * 8), "binary", id="binary"),
    ],
)
def test_parse_of_an_unreadable_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], reason: str
) -> None:
    path = tmp_path / "r.txt"
    make(path)

    assert main(["parse", str(path)]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"{path}: ") and reason in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["parse"], id="missing-file"),
        pytest.param(["export", "sightings"], id="unknown-export"),
        pytest.param(["export", "observations", "--from", "2023-13-01"], id="bad-date"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_ingest_with_one_bad_file_stores_the_good_one_and_exits_1(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(REAL, folder / "good.txt")
    bad = folder / "bad.txt"
    bad.write_text(NOT_A_REPORT, "utf-8")

    assert main(["ingest", str(folder), "--db", str(db)]) == 1

    out, err = capsys.readouterr()
    [line] = err.splitlines()
    assert line.startswith(f"{bad}: ") and len(line) > len(f"{bad}: ")
    assert "Traceback" not in out + err
    assert "good.txt" in out
    counts = store.row_counts(db)
    assert (counts["reports"], counts["events"], counts["observations"]) == (1, 19, 5)


def test_ingest_of_good_files_exits_0_and_again_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(REAL), "--db", str(db)]) == 0
    assert "total: 1 file (1 added); 19 events and 5 observations" in capsys.readouterr().out
    assert main(["ingest", str(REAL), "--db", str(db)]) == 0
    assert "total: 1 file (1 unchanged); 0 events and 0 observations" in capsys.readouterr().out
    assert store.row_counts(db)["reports"] == 1


def test_ingest_uses_indicators_db_from_the_environment(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INDICATORS_DB", str(db))
    assert main(["ingest", str(REAL)]) == 0
    assert db.exists()


def test_ingest_of_a_folder_without_reports_exits_1(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(tmp_path), "--db", str(db)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_ingest_over_the_size_limit_is_one_line(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(REAL), "--db", str(db), "--max-size", "0.001"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{REAL}: ") and "too large" in line


def test_export_observations_with_evidence(
    stored: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    found = export_rows(capsysbinary, "observations", "--db", str(stored))

    assert sorted((r["indicator"], r["dimension"], float(r["value"])) for r in found) == [
        ("border_interceptions", "LT", 22.0),
        ("border_interceptions", "LV", 107.0),
        ("border_interceptions", "PL", 188.0),
        ("political_prisoners", "", 1450.0),
        ("trade_deal_value", "CN", 7_000_000.0),
    ]
    evidence = {r["dimension"]: r["evidence"] for r in found}
    assert evidence["LT"] == "リトアニア国境警備局は少なくとも22人を阻止。"
    assert all(r["evidence"] and r["source"] and r["report_file"] for r in found)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(
            ["--indicator", "political_prisoners"], ["political_prisoners"], id="indicator"
        ),
        pytest.param(["--from", "2023-11-25"], ["border_interceptions"] * 3, id="from"),
        pytest.param(["--to", "2023-11-24"], ["political_prisoners", "trade_deal_value"], id="to"),
        pytest.param(
            ["--from", "2023-11-23", "--to", "2023-11-24"], ["political_prisoners"], id="from-to"
        ),
        pytest.param(
            ["--indicator", "trade_deal_value", "--from", "2023-11-23"], [], id="indicator-and-from"
        ),
    ],
)
def test_export_filters(
    stored: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    filters: list[str],
    expected: list[str],
) -> None:
    found = export_rows(capsysbinary, "observations", "--db", str(stored), *filters)
    assert sorted(r["indicator"] for r in found) == expected


def test_export_events_filtered_by_indicator(
    stored: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    found = export_rows(
        capsysbinary, "events", "--db", str(stored), "--indicator", "border_interceptions"
    )
    assert [(r["headline"], r["dates"]) for r in found] == [
        ("ベラルーシから欧州への不法越境の試み", "2023-11-21 2023-11-27")
    ]


def test_export_excel_starts_with_the_bom(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "observations.csv"
    assert main(["export", "observations", "--db", str(stored), "--excel", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))) == 5
    assert "5 observations written" in capsys.readouterr().err


def test_export_without_a_database_is_one_line(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "observations", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no database yet" in err


def test_ingest_series_option_files_reports_under_that_series(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(REAL), "--db", str(db), "--series", "Minsk desk"]) == 0
    rows = store.query(db, "SELECT series, country, issuer FROM reports")
    assert rows.to_dict("records") == [
        {"series": "Minsk desk", "country": "ベラルーシ", "issuer": "在ベラルーシ大使館"}
    ]
    # The same report under its own series is another report, not a replacement.
    assert main(["ingest", str(REAL), "--db", str(db)]) == 0
    assert sorted(store.query(db, "SELECT series FROM reports")["series"]) == [
        "Minsk desk",
        "ベラルーシ｜在ベラルーシ大使館",
    ]


def test_ingest_data_streams_reports_from_memory(db: Path) -> None:
    from indicators.sample import bundled_reports

    reports = bundled_reports()[:70]  # enough to go through the worker processes
    result = ingest.ingest_data(db, ((r.filename, r.text.encode()) for r in reports), batch_size=32)
    assert result.count("added") == len(reports)
    assert store.row_counts(db)["reports"] == len(reports)
    # the rows the extractor finds in each report in-process (the generator's ground
    # truth is scored in test_sample.py; here the stream must store what was found)
    found = sum(
        len(ingest.parse_bytes(r.text.encode(), r.filename).extraction.observations)
        for r in reports
    )
    assert store.row_counts(db)["observations"] == found


def test_export_chooses_series(db: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["ingest", str(REAL), "--db", str(db), "--series", "A"]) == 0
    assert main(["ingest", str(REAL), "--db", str(db), "--series", "B"]) == 0
    capsysbinary.readouterr()
    only_a = export_rows(capsysbinary, "observations", "--db", str(db), "--series", "A")
    both = export_rows(capsysbinary, "observations", "--db", str(db))
    assert {row["series"] for row in only_a} == {"A"}
    assert len(only_a) == 5
    assert len(both) == 10


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INDICATORS_MAX_BYTES", "abc"),
        ("INDICATORS_BATCH_SIZE", "0"),
        ("INDICATORS_LOCK_TIMEOUT", "x"),
    ],
)
def test_a_wrong_setting_is_one_line(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["ingest", str(REAL), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{name}={value!r}: expected")
    assert len(err.splitlines()) == 1
