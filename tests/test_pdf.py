"""indicators.pdf: reading order from the page, not the stream; furniture; bad input."""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pdfmaker
import pypdfium2 as pdfium
import pytest
from conftest import mismatches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfmaker import Text

from indicators.errors import InputError
from indicators.pdf import pdf_to_text

REPORT = Path(__file__).parent / "reports" / "belarus-weekly-2023-11-30.txt"
ORDERS: tuple[pdfmaker.Order, ...] = ("reading", "interleaved", "shuffled")
LAYOUTS = [(c, o) for c in (1, 2) for o in ORDERS]


def visible(text: str) -> list[str]:
    """Non-blank lines, stripped: what a layout must give back of a text."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def font() -> Path:
    """The Japanese font the fixtures embed; skipped without one, but failed in CI."""
    path = pdfmaker.find_japanese_font()
    if path is None:
        reason = "no Japanese TrueType font: apt-get install fonts-ipafont-gothic"
        if pdfmaker.ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def report() -> str:
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def layouts(font: Path, report: str) -> dict[tuple[int, str], str]:
    """The real report drawn in every layout and stream order, read back."""
    return {
        (columns, order): pdf_to_text(pdfmaker.make_pdf(report, columns=columns, order=order))
        for columns, order in LAYOUTS
    }


# --- the core property: the page decides, the stream does not --------------------


@pytest.mark.parametrize(("columns", "order"), LAYOUTS, ids=[f"{c}col-{o}" for c, o in LAYOUTS])
def test_real_report_reads_back_line_for_line(
    layouts: dict[tuple[int, str], str], report: str, columns: int, order: str
) -> None:
    assert visible(layouts[columns, order]) == visible(report)


def test_every_layout_gives_the_same_text(layouts: dict[tuple[int, str], str]) -> None:
    assert len(set(layouts.values())) == 1


def test_output_is_one_stripped_line_per_visual_line(
    layouts: dict[tuple[int, str], str],
) -> None:
    text = layouts[2, "shuffled"]
    lines = text.split("\n")
    assert all(line and line == line.strip() for line in lines)
    # Header lines come first, in their top-to-bottom order, then the body.
    assert lines[:5] == [
        "ベラルーシ公開情報とりまとめ",
        "（11月 20日～11月 26日）",
        "2023年 11月 30日",
        "在ベラルーシ大使館",
        "【主な出来事】",
    ]


@pytest.mark.parametrize("seed", range(1, 9))
def test_any_shuffle_reads_the_same(font: Path, report: str, seed: int) -> None:
    drawn = pdfmaker.make_pdf(report, order="shuffled", seed=seed)
    assert visible(pdf_to_text(drawn)) == visible(report)


def test_without_furniture_nothing_is_lost(font: Path, report: str) -> None:
    bare = pdfmaker.make_pdf(report, order="shuffled", running_header=False, page_numbers=False)
    assert visible(pdf_to_text(bare)) == visible(report)


def test_running_header_and_page_numbers_are_dropped(font: Path, report: str) -> None:
    text = pdf_to_text(pdfmaker.make_pdf(report * 3, order="interleaved"))
    lines = text.split("\n")
    assert not [line for line in lines if re.fullmatch(r"- \d+ -", line)]
    # The title stays where the report has it (its page 1, and inside the repeated
    # text), never as a page's running header.
    assert lines.count("ベラルーシ公開情報とりまとめ") == 3
    assert lines == visible(report * 3)


# Lines of the kind the report has: its own characters, wrapped to a column's width.
_REPORT_CHARS = sorted(set(REPORT.read_text(encoding="utf-8")) - set(" \n\r\t\u3000"))
_KANA = [c for c in _REPORT_CHARS if unicodedata.name(c, "").startswith(("KATAKANA", "CJK"))]


def _wrap(paragraph: str, width: float = 26.0) -> list[str]:
    """Cut a paragraph into lines of at most `width` full-width characters."""
    lines, line, used = [], "", 0.0
    for char in paragraph:
        size = 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.5
        if used + size > width:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += size
    return [*lines, line]


_paragraph = st.text(alphabet=[*_REPORT_CHARS, " "], min_size=1, max_size=90).map(
    lambda text: re.sub(" +", " ", text)
)
_title = st.text(alphabet=_KANA, min_size=4, max_size=16)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(_title, min_size=4, max_size=4),
    paragraphs=st.lists(_paragraph, min_size=1, max_size=60),
    columns=st.sampled_from([1, 2]),
    order=st.sampled_from(["interleaved", "shuffled"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_wrapped_text_reads_back_in_any_stream_order(
    font: Path,
    header: list[str],
    paragraphs: list[str],
    columns: int,
    order: pdfmaker.Order,
    seed: int,
) -> None:
    body = [line for paragraph in paragraphs for line in _wrap(paragraph)]
    text = "\n\n".join([*header, *body])
    drawn = pdfmaker.make_pdf(text, columns=columns, order=order, seed=seed)
    assert visible(pdf_to_text(drawn)) == visible(text)


@pytest.mark.parametrize(("columns", "order"), LAYOUTS, ids=[f"{c}col-{o}" for c, o in LAYOUTS])
def test_real_report_pdf_parses_to_the_expected_json(
    font: Path,
    report: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    columns: int,
    order: pdfmaker.Order,
) -> None:
    from indicators.cli import main  # the parse --json contract of FORMAT.md

    path = tmp_path / "belarus-weekly-2023-11-30.pdf"
    path.write_bytes(pdfmaker.make_pdf(report, columns=columns, order=order))
    status = main(["parse", str(path), "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    expected = json.loads(REPORT.with_name(f"{REPORT.stem}.expected.json").read_text("utf-8"))
    problems = mismatches(expected, json.loads(out.out))
    assert not problems, "\n".join(problems[:10])


def test_threads_may_read_at_once(font: Path, report: str) -> None:
    # Streamlit serves each session from a thread; pdfium itself must be entered by one.
    drawn = [pdfmaker.make_pdf(report, order="shuffled", seed=seed) for seed in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(pdf_to_text, drawn * 3))
    assert len(set(texts)) == 1


# --- lines put together from pieces ------------------------------------------------


def test_gaps_between_latin_words_become_spaces_but_not_between_japanese(font: Path) -> None:
    def spaced(pieces: list[str], y: int, gap: float, shuffle: bool = True) -> list[Text]:
        items, x = [], 60.0
        for piece in pieces:
            items.append(Text(x, y, piece, size=10))
            x += pdfmaker.text_width(piece, 10) + gap
        if shuffle:
            random.Random(y).shuffle(items)  # drawn in any order
        return items

    page = [
        *spaced(["Justice", "for", "Journalist"], 700, gap=3.0),
        *spaced(list("ベラルーシ公開情報"), 680, gap=3.0),  # letter-spaced Japanese
        *spaced(["CSTO", "加盟国", "2", "事業"], 660, gap=3.0),
        *spaced(["tig", "ht"], 640, gap=0.5),  # kerning-size gap: one word
        # In order, the words make one run of the stream: the gaps inside it count too.
        *spaced(["Justice", "for", "Journalist"], 620, gap=3.0, shuffle=False),
        # Every character spaced out (Tc): no word gaps at all, whatever the script.
        Text(60, 600, "CSTO 加盟国の 1,450人 Pozirk", size=10, char_space=2.5),
    ]
    assert pdf_to_text(pdfmaker.draw_pdf([page])).split("\n") == [
        "Justice for Journalist",
        "ベラルーシ公開情報",
        "CSTO 加盟国 2 事業",
        "tight",
        "Justice for Journalist",
        "CSTO 加盟国の 1,450人 Pozirk",
    ]


def test_one_text_object_reaching_across_the_gutter_is_split(font: Path) -> None:
    # Each row is a single string whose one space is widened (Tw) to reach column 2,
    # as a generator that justifies whole rows draws it.
    rows = []
    for row in range(20):
        left, right = f"左の列の{row:02d}行目", f"右の列の{row:02d}行目"
        width = pdfmaker.text_width(left + " ", 9)
        rows.append(Text(60, 700 - 14 * row, f"{left} {right}", word_space=320 - 60 - width))
    lines = pdf_to_text(pdfmaker.draw_pdf([rows])).split("\n")
    assert lines == [f"左の列の{r:02d}行目" for r in range(20)] + [
        f"右の列の{r:02d}行目" for r in range(20)
    ]


def test_full_width_heading_splits_the_columns_into_bands(font: Path) -> None:
    def band(top: float, name: str) -> list[Text]:
        return [
            Text(x, top - 14 * row, f"{name}{side}の列の{row}行目の本文のテキスト")
            for row in range(5)
            for side, x in (("左", 50.0), ("右", 320.0))
        ]

    heading = Text(150, 520, "【中央の見出しは二つの列にまたがる】", size=14)
    page = [heading, *band(700, "上"), *band(480, "下")]
    random.Random(3).shuffle(page)
    lines = pdf_to_text(pdfmaker.draw_pdf([page])).split("\n")
    expected = [
        *(f"上左の列の{row}行目の本文のテキスト" for row in range(5)),
        *(f"上右の列の{row}行目の本文のテキスト" for row in range(5)),
        "【中央の見出しは二つの列にまたがる】",
        *(f"下左の列の{row}行目の本文のテキスト" for row in range(5)),
        *(f"下右の列の{row}行目の本文のテキスト" for row in range(5)),
    ]
    assert lines == expected


def test_columns_whose_lines_do_not_line_up(font: Path) -> None:
    # Column 2 has bigger type and sits half a line lower: no line shares a row.
    left = [Text(50, 700 - 14 * row, f"左の列の{row:02d}行目の本文のテキスト") for row in range(30)]
    right = [
        Text(320, 693 - 14 * row, f"右の列の{row:02d}行目の本文", size=10) for row in range(30)
    ]
    title = Text(200, 760, "表題は中央に置かれる", size=14)
    page = [title, *left, *right]
    random.Random(5).shuffle(page)
    assert pdf_to_text(pdfmaker.draw_pdf([page])).split("\n") == [
        title.text,
        *(item.text for item in left),
        *(item.text for item in right),
    ]


def test_a_column_only_begun_still_comes_after_the_first(font: Path) -> None:
    # Column 2 holds two lines; its empty rest must not pass for the gutter, and the
    # right-aligned date and issuer above it stay header lines.
    header = [
        Text(230, 780, "ベラルーシ公開情報", size=14),
        Text(450, 750, "2023年 11月 30日", size=10.5),
        Text(470, 735, "在ベラルーシ大使館", size=10.5),
    ]
    left = [Text(42, 700 - 14 * r, f"左の列の{r:02d}行目の本文のテキストです。") for r in range(40)]
    right = [Text(308, 700 - 14 * r, f"右の列の{r}行目") for r in range(2)]
    page = [*right, *left, *header]
    assert pdf_to_text(pdfmaker.draw_pdf([page])).split("\n") == [
        item.text for item in (*header, *left, *right)
    ]


def body_page(lines: int = 30, top: float = 760) -> list[Text]:
    return [Text(60, top - 14 * row, f"本文の{row}行目です。") for row in range(lines)]


@pytest.mark.parametrize("number", ["- 2 -", "2", "２", "Page 2 of 5", "2 / 5", "－２－"])
def test_page_number_forms_are_dropped(font: Path, number: str) -> None:
    page = [*body_page(), Text(290, 30, number, size=8)]
    assert pdf_to_text(pdfmaker.draw_pdf([page])) == pdf_to_text(pdfmaker.draw_pdf([body_page()]))


def test_a_number_in_the_body_is_kept(font: Path) -> None:
    # The last line is a bare number, but at the body's line spacing: text, not a folio.
    page = [*body_page(), Text(60, 760 - 14 * 30, "34")]
    assert pdf_to_text(pdfmaker.draw_pdf([page])).split("\n")[-1] == "34"


def test_a_footer_repeated_on_every_page_is_dropped(font: Path) -> None:
    footer = Text(200, 40, "在ベラルーシ日本国大使館", size=8)
    pages = [[*body_page(), footer], [*body_page(), footer], [*body_page(), footer]]
    assert "在ベラルーシ日本国大使館" not in pdf_to_text(pdfmaker.draw_pdf(pages))


# --- as word processors print pages (see also test_wordproc_pdf.py) ---------------


def _columns_below(top: float, rows: int = 30) -> list[Text]:
    return [
        Text(x, top - 14 * r, f"{side}の列の{r:02d}行目の本文のテキストです。")
        for r in range(rows)
        for side, x in (("左", 42.0), ("右", 308.0))
    ]


def test_a_header_line_at_column_ones_edge_does_not_end_the_title_block(font: Path) -> None:
    # Page 1 as a word processor prints it: a header line at the left margin, which is
    # column 1's edge, above the title block; the right-aligned date and issuer lie over
    # column 2 with nothing beside them.
    title_block = [
        Text(42, 800, "週報・在ベラルーシ日本国大使館", size=8),
        Text(230, 770, "ベラルーシ公開情報", size=14),
        Text(450, 745, "2023年 11月 30日", size=10.5),
        Text(470, 730, "在ベラルーシ大使館", size=10.5),
    ]
    body = _columns_below(700)
    page = [*body, *title_block]
    random.Random(7).shuffle(page)
    assert pdf_to_text(pdfmaker.draw_pdf([page])).split("\n") == [
        *(item.text for item in title_block),
        *(item.text for item in body if item.x < 300),
        *(item.text for item in body if item.x > 300),
    ]


def test_page_one_header_repeating_the_title_is_dropped(font: Path) -> None:
    def page(number: int) -> list[Text]:
        # The header in one place on every page, as small as the body.
        header = Text(42, 800, "ベラルーシ公開情報", size=9)
        title = [Text(230, 770, "ベラルーシ公開情報", size=14)] if number == 1 else []
        return [header, *title, *_columns_below(740 if number == 1 else 780)]

    alone = pdf_to_text(pdfmaker.draw_pdf([page(1)])).split("\n")
    assert alone[0] == "ベラルーシ公開情報" and alone.count("ベラルーシ公開情報") == 1
    both = pdf_to_text(pdfmaker.draw_pdf([page(1), page(2)])).split("\n")
    assert both.count("ベラルーシ公開情報") == 1


def _paragraphs(spacing: float) -> list[Text]:
    """A headline and a bullet that fill the column's width (27 characters), wrapped."""
    lines = [
        "●見出しが列の幅いっぱいまで続いて日付の直前で折り返す",
        "（11月20日）",  # the headline's date, wrapped onto a line of its own
        "・箇条書きの最初の行は列の幅のいっぱいまで文字が並ぶ。",
        "短い最終行。",
        "（11月21日 大統領府）",  # a paragraph of its own after a short line
    ]
    paragraph_of = [0, 0, 1, 1, 2]
    drawn, y = [], 760.0
    for index, line in enumerate(lines):
        if index and paragraph_of[index] != paragraph_of[index - 1]:
            y -= spacing
        drawn.append(Text(42, y, line, size=9))
        y -= 12
    return drawn


def test_a_line_wrapped_onto_is_joined_where_paragraphs_are_spaced(font: Path) -> None:
    lines = pdf_to_text(pdfmaker.draw_pdf([_paragraphs(spacing=8)])).split("\n")
    assert lines == [
        "●見出しが列の幅いっぱいまで続いて日付の直前で折り返す（11月20日）",
        "・箇条書きの最初の行は列の幅のいっぱいまで文字が並ぶ。短い最終行。",
        "（11月21日 大統領府）",
    ]


def test_evenly_spaced_lines_are_kept_as_drawn(font: Path) -> None:
    # A regression lock: without space between paragraphs the page cannot tell a wrap
    # from a new paragraph, so nothing is joined (the reportlab fixtures are all so).
    drawn = _paragraphs(spacing=0)
    assert pdf_to_text(pdfmaker.draw_pdf([drawn])).split("\n") == [item.text for item in drawn]


# --- bad input ---------------------------------------------------------------------


def _no_pages() -> bytes:
    buffer = io.BytesIO()
    with pdfium.PdfDocument.new() as pdf:
        pdf.save(buffer)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty": (lambda: b"", "empty file"),
    "random-bytes": (pdfmaker.random_bytes, "not a PDF (no %PDF header)"),
    "text-file": (lambda: REPORT.read_bytes(), "not a PDF (no %PDF header)"),
    "truncated": (pdfmaker.truncated_pdf, "damaged or truncated PDF"),
    "header-only": (lambda: b"%PDF-1.7\n%%EOF\n", "damaged or truncated PDF"),
    "encrypted": (pdfmaker.encrypted_pdf, "encrypted PDF: remove the password and try again"),
    "scanned": (pdfmaker.scanned_pdf, "no text layer (a scanned PDF?): it needs OCR first"),
}


def test_a_pdf_without_pages_is_refused() -> None:
    # pdfium refuses to open it at all; a version that opens it finds no pages.
    with pytest.raises(
        InputError, match=r"^(damaged or truncated PDF|empty PDF: it has no pages)$"
    ):
        pdf_to_text(_no_pages())


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_refused_with_a_reason(case: str) -> None:
    make, message = BAD_INPUTS[case]
    with pytest.raises(InputError) as raised:
        pdf_to_text(make())
    assert str(raised.value) == message


@pytest.mark.parametrize("seed", range(12))
def test_garbled_pdf_gives_text_or_input_error_never_a_pdfium_error(seed: int) -> None:
    data = bytearray(pdfmaker.latin_pdf())
    rng = random.Random(seed)
    start = rng.randrange(20, len(data) - 200)
    data[start : start + rng.randrange(1, 150)] = rng.randbytes(rng.randrange(1, 150))
    try:
        text = pdf_to_text(bytes(data))
    except InputError as error:
        assert str(error)
    else:
        assert isinstance(text, str)


def test_a_plain_latin_pdf_reads() -> None:
    text = pdf_to_text(pdfmaker.latin_pdf(["First line.", "Second line."], pages=2))
    assert text.split("\n") == ["First line.", "Second line."] * 2


def test_a_bullet_or_citation_under_a_full_line_opens_a_paragraph_of_its_own(font: Path) -> None:
    # Paragraphs set close together (a browser's print): the page alone shows a full
    # line and the one under it as one paragraph; the text shows a new one (・ never
    # opens a wrapped line, and after 。 a "（" opens a citation).
    lines = [
        "●見出しが列の幅いっぱいまで続いて日付の直前で折り返す",
        "（11月20日）",
        "・箇条書きの最初の行は列の幅のいっぱいまで文字が並ぶ。",
        "・次の箇条書きも列の幅のいっぱいまで文字が並んで終わる。",
        "（11月21日 大統領府）",
    ]
    drawn, y = [], 760.0
    for index, line in enumerate(lines):
        y -= 8 if index == 2 else 0  # space only after the headline: pitch is known
        drawn.append(Text(42, y, line, size=9))
        y -= 12
    assert pdf_to_text(pdfmaker.draw_pdf([drawn])).split("\n") == [
        "●見出しが列の幅いっぱいまで続いて日付の直前で折り返す（11月20日）",
        *lines[2:],
    ]
