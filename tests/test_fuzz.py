"""Fuzzing the reader and the parser: arbitrary bytes, report-shaped text and damaged
PDFs give a report or one :class:`InputError`, never another exception, never a hang.

Hypothesis runs a bounded number of examples (2,100 in all, each with a deadline), so
the suite stays quick; ``HYPOTHESIS_PROFILE=fuzz-long`` runs ten times as many.
"""

from __future__ import annotations

import datetime as dt
import os
import random

import pdfmaker
import pytest
from conftest import REAL_REPORT, REPORTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.errors import InputError
from indicators.ingest import parse_bytes
from indicators.parse import parse_lines
from indicators.read import decode

settings.register_profile(
    "fuzz",
    deadline=dt.timedelta(seconds=10),  # a hang fails the example; a busy CI does not
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("fuzz-long", parent=settings.get_profile("fuzz"))
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long"


def examples(count: int) -> settings:
    """The profile with ``count`` examples (ten times as many in the long profile)."""
    return settings(settings.get_profile("fuzz"), max_examples=count * (10 if LONG else 1))


# Lines of real reports, and the marks the parser dispatches on: the fuzzer recombines
# and cuts them into things that look like reports but are not quite.
REPORT_LINES = sorted(
    {
        line.strip()
        for path in REPORTS.glob("*.txt")
        for line in decode(path.read_bytes()).splitlines()  # some are in Shift-JIS
        if line.strip()
    }
)
# fmt: off
MARKS = [
    "●", "・", "【", "】", "（", "）", "「", "」", "～", "、", "。", "（了）", "年", "月",
    "日", "万", "億", "人", "件", "ドル", "ユーロ", "少なくとも", "約", "現在", "政治犯",
]
# fmt: on
PIECES = st.one_of(
    st.sampled_from(MARKS),
    st.integers(min_value=0, max_value=10**13).map(str),
    st.sampled_from(["0", "１２", "1,000", "２，５００", "3.5", "12月", "31日", "2023年"]),
    st.characters(codec="utf-8"),
)
LINE = st.one_of(
    st.sampled_from(REPORT_LINES),
    st.lists(PIECES, max_size=8).map("".join),
    st.tuples(st.sampled_from(REPORT_LINES), st.integers(0, 80), PIECES).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    ),
)
HEADER = REAL_REPORT.read_text(encoding="utf-8").splitlines()[:8]


def _read(data: bytes, name: str) -> None:
    try:
        parse_bytes(data, name)
    except InputError as error:
        assert str(error) and "\n" not in str(error)


@examples(800)
@given(data=st.binary(max_size=4096))
def test_any_bytes_give_a_report_or_one_line(data: bytes) -> None:
    _read(data, "fuzz.txt")


@examples(300)
@given(prefix=st.sampled_from([b"", b"%PDF-1.7\n", b"\xef\xbb\xbf", b"\xff\xfe"]), data=st.binary())
def test_bytes_that_start_like_a_pdf_or_a_bom_give_a_report_or_one_line(
    prefix: bytes, data: bytes
) -> None:
    _read(prefix + data, "fuzz.pdf" if prefix.startswith(b"%PDF") else "fuzz.txt")


@examples(700)
@given(header=st.booleans(), lines=st.lists(LINE, max_size=40))
def test_report_shaped_text_gives_a_report_or_one_line(header: bool, lines: list[str]) -> None:
    text = "\n".join([*HEADER, *lines] if header else lines)
    _read(text.encode("utf-8"), "fuzz.txt")


@examples(200)
@given(lines=st.lists(LINE, min_size=1, max_size=40))
def test_the_parser_on_clean_lines_gives_a_report_or_one_line(lines: list[str]) -> None:
    try:
        parse_lines([line for line in [*HEADER, *lines] if line])
    except InputError as error:
        assert str(error)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdfmaker.latin_pdf(pages=2)


@examples(100)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), cuts=st.integers(1, 8))
def test_a_damaged_pdf_gives_a_report_or_one_line(pdf: bytes, seed: int, cuts: int) -> None:
    data = bytearray(pdf)
    rng = random.Random(seed)
    for _ in range(cuts):
        at = rng.randrange(len(data))
        size = rng.randrange(1, 64)
        data[at : at + size] = rng.randbytes(rng.randrange(0, 64))
    _read(bytes(data), "fuzz.pdf")
