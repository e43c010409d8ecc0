"""indicators.read: bytes in any Japanese encoding -> clean lines, and file limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.errors import InputError
from indicators.read import clean_lines, decode, normalize, read_file, read_text

REPORTS = Path(__file__).parent / "reports"
TITLE = "ベラルーシ公開情報とりまとめ"
SAMPLE = f" {TITLE} \n\n（11月 20日～11月 26日） \n\n●11月 24日現在の政治犯の数は 1,450人 \n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SAMPLE.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), id="utf-8-bom"),
        pytest.param(SAMPLE.encode("cp932"), id="cp932"),
        pytest.param(SAMPLE.encode("utf-16"), id="utf-16-bom"),
    ],
)
def test_decode_gives_the_same_text_whatever_the_encoding(data: bytes) -> None:
    assert decode(data) == SAMPLE


def test_decode_cp932_characters_outside_shift_jis() -> None:
    # ～ (U+FF5E) and the circled/NEC characters exist in CP932 but not in plain Shift-JIS.
    text = "（11月20日～11月26日）①"
    assert decode(text.encode("cp932")) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b" \n\n \r\n", "empty", id="blank"),
        pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 10, "binary", id="binary"),
    ],
)
def test_decode_refuses_what_is_not_text(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode(data)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("（11 月 24 日 大統領府）", "（11月24日大統領府）"),
        ("少なくとも 22人を阻止。", "少なくとも22人を阻止。"),
        ("１，４５０人", "1,450人"),
        ("少なくとも　２２ 人", "少なくとも22人"),
        ("１億 ２，０００万ドル", "1億2,000万ドル"),
        ("（11月 20日〜11月 26日）", "（11月20日～11月26日）"),
        ("（11月 20日～11月 26日）", "（11月20日～11月26日）"),
        ("(11月20日)", "（11月20日）"),
        ("「Justice for Journalist」財団", "「Justice for Journalist」財団"),
        ("  ●議会選挙の実施日の決定  ", "●議会選挙の実施日の決定"),
        ("Ｐｏｚｉｒｋ", "Pozirk"),
    ],
)
def test_normalize(raw: str, clean: str) -> None:
    assert normalize(raw) == clean


def test_clean_lines_drops_blank_lines_page_numbers_and_running_headers() -> None:
    text = (
        f" {TITLE} \n\n2023年 11月 30日 \n\n・リトアニア国境警備局は少なくとも \n\n"
        f"- 2 - \n\n {TITLE} \n\n 22人を阻止。 \n\n- 3 -\n"
    )
    assert clean_lines(text) == [
        TITLE,
        "2023年11月30日",
        "・リトアニア国境警備局は少なくとも",
        "22人を阻止。",
    ]


@pytest.mark.parametrize("page", ["- 2 -", "-2-", " - 12 - ", "2 / 5", "Page 3"])
def test_clean_lines_drops_page_number_shapes(page: str) -> None:
    assert clean_lines(f"{TITLE}\n{page}\n本文") == [TITLE, "本文"]


def test_clean_lines_keeps_lines_that_only_contain_numbers() -> None:
    lines = ["・34事業中32事業が実施", "（11", "月22日、23日）", "1,450人", "2024年"]
    assert clean_lines("\n".join([TITLE, *lines])) == [TITLE, *lines]


def test_clean_lines_keeps_a_line_that_merely_starts_like_the_title() -> None:
    line = f"{TITLE}の発行について"
    assert clean_lines(f"{TITLE}\n{line}") == [TITLE, line]


def test_clean_lines_of_the_real_report() -> None:
    text = decode((REPORTS / "belarus-weekly-2023-11-30.txt").read_bytes())
    lines = clean_lines(text)
    assert lines[:4] == [TITLE, "（11月20日～11月26日）", "2023年11月30日", "在ベラルーシ大使館"]
    assert lines[-1] == "（了）"
    assert all(line and line == line.strip() for line in lines)
    assert lines.count(TITLE) == 1
    # The page break's leading space before an item is gone.
    assert "●ベラルーシ・ロシア首脳会談" in lines


def test_read_file_returns_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"x" * 100)
    assert read_file(path, max_bytes=100) == b"x" * 100


def test_read_file_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="too large"):
        read_file(path, max_bytes=100)


def test_read_file_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_file(tmp_path / "gone.txt")


def test_read_file_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_file(tmp_path)


def test_read_text_refuses_a_pdf_name_without_pdf_content() -> None:
    with pytest.raises(InputError, match="not a PDF"):
        read_text(SAMPLE.encode("utf-8"), name="report.pdf")


def test_read_text_decodes_text_by_content_not_name() -> None:
    assert read_text(SAMPLE.encode("cp932"), name="report.dat") == SAMPLE
