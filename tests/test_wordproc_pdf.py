"""PDFs as word processors lay them out (issue 8): read like the texts they were made from.

The PDFs under tests/reports/ named ``X.wp1.pdf`` / ``X.wp2.pdf`` were made from ``X.txt``
by tests/wordproc.py (python-docx, then LibreOffice) and are committed, so these tests
need no LibreOffice; ``dev/dev3-2col.pdf`` is the analyst's own word-processor PDF. The
generator itself is tested only when asked for (``WORDPROC=1``), since CI reads the
committed files.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import apphelpers as h
import pypdfium2 as pdfium
import pytest
import wordproc
from conftest import REAL_REPORT, REPORTS, ROOT, mismatches, skip_unless
from streamlit.testing.v1 import AppTest

from indicators import i18n, ingest, store
from indicators.cli import main
from indicators.pdf import pdf_to_text
from indicators.read import decode

FIXTURES = wordproc.fixtures()
DEV3 = REPORTS / "dev" / "dev3-2col.pdf"
WRAP = REPORTS / "crafted-wp-wrap-before-date.wp2.pdf"
CROSS = REPORTS / "crafted-wp-cross-breaks.wp2.pdf"

# Reports whose observations do not match the analyst's expected ones, though their
# events do: each a strict xfail, so a fix shows up as a failure until its entry goes.
OBSERVATION_MISSES: dict[str, str] = {}


def parsed(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """``python -m indicators parse FILE --json``, run in this process."""
    status = main(["parse", str(path), "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    result: dict[str, Any] = json.loads(out.out)
    return result


def _ids(fixtures: list[tuple[Path, Path, int]]) -> list[str]:
    return [pdf.stem for _, pdf, _ in fixtures]


def test_the_fixtures_are_there() -> None:
    names = {pdf.name for _, pdf, _ in FIXTURES}
    assert {
        "belarus-weekly-2023-11-30.wp1.pdf",
        "belarus-weekly-2023-11-30.wp2.pdf",
        "crafted-wp-cross-breaks.wp2.pdf",
        "crafted-wp-wrap-before-date.wp2.pdf",
        *(f"{stem}.wp2.pdf" for stem in ("dev1-prisoners-wording", "dev2-twomonth")),
        *(f"{stem}.wp2.pdf" for stem in ("dev4-nohighlights-long", "dev5-deals")),
    } <= names
    for source, pdf, _ in FIXTURES:
        assert source.exists(), f"{pdf.name} has no source text"
        assert wordproc.expected_path(pdf).read_bytes() == (
            wordproc.expected_path(source).read_bytes()
        ), f"{pdf.name}: its expected parse is not a copy of its text's"


@pytest.mark.parametrize(("source", "pdf", "columns"), FIXTURES, ids=_ids(FIXTURES))
def test_pdf_parses_like_its_text(
    source: Path, pdf: Path, columns: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Report, events (bodies too) and observations: as the text gives them today."""
    from_text, from_pdf = parsed(source, capsys), parsed(pdf, capsys)
    assert from_pdf["report"] == from_text["report"]
    assert len(from_pdf["events"]) == len(from_text["events"])
    for text_event, pdf_event in zip(from_text["events"], from_pdf["events"], strict=True):
        assert pdf_event == text_event
    assert from_pdf["observations"] == from_text["observations"]


def _expected_cases() -> list[Any]:
    return [pytest.param(pdf, id=pdf.stem) for _, pdf, _ in FIXTURES] + [
        pytest.param(DEV3, id=DEV3.stem)
    ]


def _observation_cases() -> list[Any]:
    cases = []
    for case in _expected_cases():
        (pdf,) = case.values
        reason = OBSERVATION_MISSES.get(pdf.stem)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(pdf, id=pdf.stem, marks=marks))
    return cases


def fold(text: str) -> str:
    """Text as the project's scorer compares it: NFKC, no spaces or 「」, one range sign."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return text.replace("〜", "~").replace("～", "~").replace("「", "").replace("」", "")


def event_problems(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    """Events compared as ../shared/tools/score_extraction.py does (the analyst's files
    write 〜 where the reader gives ～, and name a source inside a longer citation part)."""
    if len(got) != len(expected):
        return [f"{len(got)} events, expected {len(expected)}"]
    problems = []
    for i, (want, have) in enumerate(zip(expected, got, strict=True)):
        for key in ("section", "headline"):
            if fold(have[key]) != fold(want[key]):
                problems.append(f"event {i} {key}: {have[key]!r}, expected {want[key]!r}")
        if have["dates"] != want["dates"]:
            problems.append(f"event {i} dates: {have['dates']}, expected {want['dates']}")
        cited = fold(" ".join(have["sources"]))
        problems += [
            f"event {i}: source {s} missing" for s in want["sources"] if fold(s) not in cited
        ]
    return problems


@pytest.mark.parametrize("pdf", _expected_cases())
def test_pdf_gives_the_expected_report_and_events(
    pdf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json.loads(wordproc.expected_path(pdf).read_text("utf-8"))
    got = parsed(pdf, capsys)
    problems = mismatches(expected["report"], got["report"], "$.report")
    problems += event_problems(expected["events"], got["events"])
    assert not problems, "\n".join(problems)


def test_dev3_events_match_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads(wordproc.expected_path(DEV3).read_text("utf-8"))
    problems = mismatches(expected["events"], parsed(DEV3, capsys)["events"], "$.events")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pdf", _observation_cases())
def test_pdf_gives_the_expected_observations(pdf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads(wordproc.expected_path(pdf).read_text("utf-8"))
    # Observations are a multiset (FORMAT.md): compared in one order, whatever each lists.
    problems = mismatches(
        [_folded(o) for o in sorted(expected["observations"], key=_observation_order)],
        [_folded(o) for o in sorted(parsed(pdf, capsys)["observations"], key=_observation_order)],
    )
    assert not problems, "\n".join(problems)


def _folded(observation: dict[str, Any]) -> dict[str, Any]:
    """An observation with its evidence folded as events' text is, and its source as the
    first of the citation's sources (an analyst names one, the reader all of them)."""
    folded = dict(observation)
    if folded.get("evidence"):
        folded["evidence"] = fold(folded["evidence"])
    if folded.get("source"):
        folded["source"] = fold(folded["source"].split("、")[0])
    return folded


def _observation_order(observation: dict[str, Any]) -> tuple[str, ...]:
    keys = ("indicator", "dimension", "value", "unit", "as_of")
    return tuple(str(observation.get(key)) for key in keys)


def test_every_observation_miss_names_a_pdf() -> None:
    stems = {pdf.stem for _, pdf, _ in FIXTURES} | {DEV3.stem}
    assert set(OBSERVATION_MISSES) <= stems


# --- what the reader sees ---------------------------------------------------------------


def stream_lines(pdf: Path, page: int = 0) -> list[str]:
    """pdfium's own text of a page, one drawn line a line (LibreOffice draws in order)."""
    with pdfium.PdfDocument(pdf) as document:
        textpage = document[page].get_textpage()
        lines = textpage.get_text_range().splitlines()
        textpage.close()
    return [line.strip() for line in lines]


PAGE_MIDDLE = 595 / 2  # A4, in points


def where(pdf: Path, page: int, line: str) -> tuple[float, float]:
    """Left and bottom (points from the page's bottom left) of a drawn line's first character."""
    with pdfium.PdfDocument(pdf) as document:
        textpage = document[page].get_textpage()
        # pdfium numbers the line breaks it reports as characters too, so an index into
        # the page's text is a character index.
        left, bottom, _, _ = textpage.get_charbox(textpage.get_text_range().index(line))
        textpage.close()
    return left, bottom


def test_dev3_reads_title_block_first_and_without_furniture() -> None:
    lines = pdf_to_text(DEV3.read_bytes()).split("\n")
    # The running header stands above the title on page 1, at column 1's left edge.
    assert stream_lines(DEV3)[:2] == ["ベラルーシ公開情報とりまとめ"] * 2
    assert lines[:5] == [
        "ベラルーシ公開情報とりまとめ",
        "（9 月 9 日～9 月 15 日）",
        "2024 年 9 月 19 日",
        "在ベラルーシ大使館",
        "【主な出来事】",
    ]
    assert lines.count("ベラルーシ公開情報とりまとめ") == 1
    assert not [line for line in lines if line in ("- 1 -", "- 2 -")]


def test_dev3_item_across_the_column_break_is_one_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Its headline ends column 1; its bullets start column 2.
    page = stream_lines(DEV3)
    assert page.index("●恩赦後の政治犯の数") < page.index(
        "・人権団体「ヴャスナ（春）」によれば、9 月"
    )
    (event,) = [e for e in parsed(DEV3, capsys)["events"] if e["headline"] == "恩赦後の政治犯の数"]
    assert event["body"].startswith(
        "・人権団体「ヴャスナ（春）」によれば、9月13日時点で政治犯は約1,300人。"
    )
    assert event["sources"] == ["人権団体「ヴャスナ（春）」"]


def test_headline_wrapped_just_before_its_date_keeps_the_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The PDF really breaks the line there: the parenthesis opens the next line.
    page = stream_lines(WRAP)
    at = page.index("●ベラルーシから欧州諸国への不法越境の試み")
    assert page[at + 1] == "（1 月 8 日～1 月 14 日）"
    at = page.index(
        "●ルカシェンコ大統領と中国共産党幹部の会談", page.index("【ルカシェンコ大統領動静】")
    )
    assert page[at + 1 : at + 3] == ["（1 月 11 日）", "・ルカシェンコ大統領は、ミンスクを訪問した"]

    events = {(e["section"], e["headline"]): e for e in parsed(WRAP, capsys)["events"]}
    border = events["内政", "ベラルーシから欧州諸国への不法越境の試み（1月8日～1月14日）"]
    assert border["body"].startswith("・リトアニア国境警備局は少なくとも17人を阻止。")
    talks = events["ルカシェンコ大統領動静", "ルカシェンコ大統領と中国共産党幹部の会談（1月11日）"]
    assert talks["body"].startswith(
        "・ルカシェンコ大統領は、ミンスクを訪問した中国共産党の代表団と会談し"
    )
    assert talks["sources"] == ["大統領府"]
    # A citation in a paragraph of its own stays one, though it too follows a headline.
    prisoners = events["内政", "1月12日現在の政治犯の数は1,420人"]
    assert prisoners["sources"] == ["人権団体「ヴャスナ（春）」"]


def test_item_across_the_column_and_page_break_is_joined(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The PDF splits a sentence at the foot of column 1 and another at the page break.
    with pdfium.PdfDocument(CROSS) as document:
        assert len(document) == 2
    foot, top = (
        "を望む者は法に従って扱われるとしつつ、「過",
        "激主義的」とされた活動への関与については、",
    )
    (left, bottom), (right, _) = where(CROSS, 0, foot), where(CROSS, 0, top)
    assert left < PAGE_MIDDLE < right and bottom < 150  # the foot of column 1, then column 2
    assert stream_lines(CROSS, 0)[-2:] == ["ン首相と電話で会談し、エネルギー価格、輸送", "- 1 -"]
    assert stream_lines(CROSS, 1)[:2] == [
        "ベラルーシ公開情報とりまとめ",
        "及び物流の分野での協力、相互の決済の問題に",
    ]

    events = {e["headline"]: e for e in parsed(CROSS, capsys)["events"]}
    speech = events["年頭の記者会見"]["body"]
    assert (
        "帰国を望む者は法に従って扱われるとしつつ、「過激主義的」とされた活動への関与については"
        in speech
    )
    economy = events["ロシアとの経済協力に関する協議"]["body"]
    assert "エネルギー価格、輸送及び物流の分野での協力、相互の決済の問題につき協議した。" in economy
    for text in (speech, economy):
        assert "ベラルーシ公開情報とりまとめ" not in text
        assert "- 2 -" not in text and "- 1 -" not in text


# --- the generator ----------------------------------------------------------------------


def test_paragraphs_are_rebuilt_from_the_extracted_lines() -> None:
    source = REPORTS / "crafted-wp-cross-breaks.txt"
    paras = wordproc.paragraphs(source.read_text("utf-8"))
    assert [p.kind for p in paras[:6]] == [
        "title",
        "period",
        "date",
        "issuer",
        "section",
        "headline",
    ]
    texts = [p.text for p in paras]
    # The page number and the running title at the page break are gone.
    assert texts.count("ベラルーシ公開情報とりまとめ") == 1 and "- 2 -" not in texts
    assert (
        "・ルカシェンコ大統領は、年頭の記者会見において、2024年を「質の年」と位置付け、"
        "国内のあらゆる分野で製品とサービスの質を高めるよう求めた。" in texts
    )
    assert "（1）内政について" in texts and "（1月9日大統領府、国営ベルタ通信）" in texts


def test_cp932_source_is_read() -> None:
    data = (REPORTS / "crafted-cp932.txt").read_bytes()
    paras = wordproc.paragraphs(decode(data))
    assert [(p.kind, p.text) for p in paras[4:7]] == [
        ("section", "【内政】"),
        ("headline", "●2月16日現在の政治犯の数は1,416人"),
        ("text", "（2月16日人権団体「ヴャスナ（春）」）"),
    ]


@pytest.mark.skipif(
    os.environ.get("WORDPROC") != "1",
    reason="opt-in (WORDPROC=1): runs LibreOffice; CI reads the committed PDFs instead",
)
@pytest.mark.parametrize("columns", [1, 2])
def test_generator_prints_a_report_as_a_word_processor_does(
    tmp_path: Path, columns: int, capsys: pytest.CaptureFixture[str]
) -> None:
    skip_unless(wordproc.soffice() is not None, "LibreOffice (soffice) is not installed")
    source = REPORTS / "crafted-cp932.txt"  # Shift-JIS in, as Japanese tools save it
    out = tmp_path / f"crafted-cp932.wp{columns}.pdf"
    assert wordproc.main([str(source), str(out), "--columns", str(columns)]) == 0
    assert out.name in capsys.readouterr().out

    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data  # TrueType fonts embedded
    with pdfium.PdfDocument(data) as document:
        width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert wordproc.expected_path(out).read_bytes() == (wordproc.expected_path(source).read_bytes())
    from_text, from_pdf = parsed(source, capsys), parsed(out, capsys)
    assert from_pdf == from_text


# --- ingested: the CLI and the upload page store the same rows as the text -------------

# The rows of the real report (published 2023-11-30), whatever else the store holds.
_REAL = "report_id IN (SELECT report_id FROM reports WHERE published = DATE '2023-11-30')"
_ROWS = {
    "reports": "SELECT title, issuer, published, period_start, period_end, n_events,"
    f" n_observations FROM reports WHERE {_REAL}",
    "events": "SELECT event_seq, section, headline, body, dates, sources, first_date"
    f" FROM events WHERE {_REAL} ORDER BY event_seq",
    "observations": "SELECT indicator, dimension, value, unit, qualifier, as_of, period_start,"
    f" period_end, source, evidence FROM observations WHERE {_REAL} ORDER BY obs_seq",
}


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with store.connect(db, read_only=True) as con:
        return {table: con.execute(sql).fetchall() for table, sql in _ROWS.items()}


@pytest.fixture(scope="module")
def text_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    db = tmp_path_factory.mktemp("text") / "text.duckdb"
    ingest.ingest(db, [REAL_REPORT])
    return _rows(db)


@pytest.mark.parametrize("columns", [1, 2])
def test_a_word_processor_pdf_ingests_through_the_cli_to_the_rows_of_its_text(
    columns: int,
    tmp_path: Path,
    text_rows: dict[str, list[tuple[Any, ...]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdf = REPORTS / f"{REAL_REPORT.stem}.wp{columns}.pdf"
    db = tmp_path / "pdf.duckdb"

    status = main(["ingest", str(pdf), "--db", str(db)])

    assert status == 0, capsys.readouterr().err
    assert _rows(db) == text_rows


@pytest.mark.parametrize("columns", [1, 2])
def test_a_word_processor_pdf_uploaded_on_the_reports_page_stores_the_rows_of_its_text(
    columns: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text_rows: dict[str, list[tuple[Any, ...]]],
) -> None:
    pdf = REPORTS / f"{REAL_REPORT.stem}.wp{columns}.pdf"
    db = tmp_path / "upload.duckdb"
    # A store with a report of its own: the bundled weeks go only into an empty one.
    ingest.ingest(db, [REPORTS / "week-2023-01-05-yearend-period-in-citation.txt"])
    monkeypatch.setenv("INDICATORS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/reports.py").run()
    h.give_name(at, "Tanaka")  # without sign-in, the name the log records comes first

    at.file_uploader(key="uploads").set_value([(pdf.name, pdf.read_bytes(), "application/pdf")])
    at.button(key="upload_submit").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value["action"]) == [i18n.action_label("added", "ja")]
    assert _rows(db) == text_rows
