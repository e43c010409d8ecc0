"""Report texts laid out by a real word processor, as the embassy's PDFs are made.

A report text in its PDF-extracted form (short wrapped lines, blank lines, page numbers,
running titles) is put back into logical paragraphs, written as a ``.docx`` with
python-docx in the embassy's layout, and printed to PDF by LibreOffice::

    python tests/wordproc.py SRC.txt OUT.pdf --columns 1|2
    python tests/wordproc.py --rebuild        # every committed X.wpN.pdf from its X.txt

A PDF made from ``X.txt`` is named ``X.wp1.pdf`` or ``X.wp2.pdf`` (one or two columns);
the CLI copies ``X.expected.json`` beside it as ``X.wp1.expected.json`` /
``X.wp2.expected.json``. The tests read the committed PDFs, so they need no LibreOffice.
Import as ``import wordproc`` with ``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

if __package__ in (None, ""):  # run as a script: the repository's root holds indicators/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators.read import clean_lines, decode

Kind = Literal["title", "period", "date", "issuer", "section", "headline", "text"]
HEADER_KINDS = ("title", "period", "date", "issuer")  # the block above the columns

BODY_FONT = "IPAMincho"  # fonts-ipafont-mincho
HEADING_FONT = "IPAGothic"  # fonts-ipafont-gothic
BODY_SIZE = Pt(10.5)
TITLE_SIZE = Pt(16)
HEADER_SIZE = Pt(9)
SPACE_AFTER = Pt(6)  # between paragraphs, as dev3-2col.pdf has them
MARGIN = Mm(20)
GUTTER = Mm(8)
TIMEOUT = 180  # seconds for one LibreOffice conversion (a fresh profile is slow to start)

REPORTS = Path(__file__).resolve().parent / "reports"
FIXTURE = re.compile(r"^(?P<stem>.+)\.wp(?P<columns>[12])\.pdf$")

# A line opening one of these starts a paragraph of the report (see FORMAT.md).
_OPENS = re.compile(r"^(?:【|●|・|（\d{1,2}）)")
_DATE_PAREN = re.compile(r"^（(?:同日|(?:\d{4}年)?\d{1,2}(?:月\d{1,2})?日)")
# A citation whose date the line's end cut before its 日: "（5月3" / "1日 通信）".
_CUT_DATE = re.compile(r"^（\d[\d年月]*$")
_PERIOD = re.compile(r"^（\d{1,2}月\d{1,2}日～\d{1,2}月\d{1,2}日）$")
_FULL_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_END = "（了）"


@dataclass(frozen=True)
class Para:
    """One logical paragraph of the report and what it is."""

    kind: Kind
    text: str


def _starts_paragraph(line: str) -> bool:
    """Whether a line opens a paragraph rather than continuing the one before.

    A date parenthesis opens one when it is the whole line or runs on past it (a
    citation wrapped onto the next line); one closed inside the line
    ("（11月27日～12月3日）に続き…") is the middle of a sentence.

    >>> lines = ("・発言。", "（9月13日 外務省）", "（11月27日）に続き", "続き", "（5月3")
    >>> [_starts_paragraph(line) for line in lines]
    [True, True, False, False, True]
    """
    if _OPENS.match(line) or line == _END or _CUT_DATE.match(line):
        return True
    if not _DATE_PAREN.match(line):
        return False
    depth = 0
    for index, char in enumerate(line):
        depth += (char == "（") - (char == "）")
        if depth == 0:
            return index == len(line) - 1
    return True  # still open at the line's end


def _join(previous: str, line: str) -> str:
    """Join a wrapped line: nothing between Japanese, one space between Latin words."""
    latin = [s.isascii() and s.isalpha() for s in (previous[-1:], line[:1])]
    return f"{previous} {line}" if all(latin) else previous + line


def paragraphs(text: str) -> list[Para]:
    """The report's logical paragraphs, rebuilt from its PDF-extracted lines.

    Page numbers, repeated running titles and the spaces an extractor puts next to
    Japanese characters go (:func:`indicators.read.clean_lines`); wrapped lines are
    joined back onto the paragraph they continue.

    >>> lines = ["タイトル", "（9月9日～9月15日）", "2024年9月19日", "大使館", "【外交】",
    ...          "●見出しが", "続く（9", "月 11日）", "- 2 -", "タイトル", "・Justice for",
    ...          "Journalist 財団が発表。", "（9月 13日 Pozirk）"]
    >>> [(p.kind, p.text) for p in paragraphs("\\n\\n".join(lines))]
    [('title', 'タイトル'), ('period', '（9月9日～9月15日）'), ('date', '2024年9月19日'),
     ('issuer', '大使館'), ('section', '【外交】'), ('headline', '●見出しが続く（9月11日）'),
     ('text', '・Justice for Journalist財団が発表。'), ('text', '（9月13日Pozirk）')]
    """
    lines = clean_lines(text)
    body_at = next((i for i, line in enumerate(lines) if line[0] in "【●"), len(lines))
    found = [Para(_header_kind(i, line), line) for i, line in enumerate(lines[:body_at])]
    for line in lines[body_at:]:
        if _starts_paragraph(line) or not found:
            kind: Kind = "section" if line[0] == "【" else "headline" if line[0] == "●" else "text"
            found.append(Para(kind, line))
        else:
            found[-1] = Para(found[-1].kind, _join(found[-1].text, line))
    return found


def _header_kind(index: int, line: str) -> Kind:
    if index == 0:
        return "title"
    if _PERIOD.match(line):
        return "period"
    if _FULL_DATE.match(line):
        return "date"
    return "issuer"


# --- the document -------------------------------------------------------------------


def make_docx(paras: Sequence[Para], *, columns: int = 2) -> DocxDocument:
    """The report as the embassy lays it out: A4, title block above the columns.

    Title centred and larger, period centred, publication date and issuer right-aligned,
    all in a one-column section; the body follows a continuous section break, in
    ``columns`` columns. Section headings and item headlines are bold; the title is the
    running header of every page and ``- N -`` the footer.
    """
    if columns not in (1, 2):
        raise ValueError(f"columns must be 1 or 2, not {columns}")
    document = Document()
    _base_style(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = Mm(22)
    section.header_distance = section.footer_distance = Mm(10)
    title = next((p.text for p in paras if p.kind == "title"), "")
    _running_header(document, title)
    _page_number_footer(document)

    header = [p for p in paras if p.kind in HEADER_KINDS]
    body = [p for p in paras if p.kind not in HEADER_KINDS]
    for para in header:
        _add(document, para)
    if columns == 2:
        # Word's way to put a title block above columns: a continuous section break,
        # and a new section that has two columns.
        two = document.add_section(WD_SECTION.CONTINUOUS)
        _set_columns(two._sectPr, columns)
    for para in body:
        _add(document, para)
    return document


def _fonts(rpr: OxmlElement, font: str) -> None:
    """Set one font for every script a run may hold (Latin, Japanese, complex)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]  # theme fonts would win over the named ones
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), font)


def _base_style(document: DocxDocument) -> None:
    """Normal: Japanese Mincho at 10.5 pt, single spacing, a little space after."""
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    _fonts(rpr, BODY_FONT)
    lang = OxmlElement("w:lang")
    # Latin words are English: LibreOffice breaks a word of a Japanese-tagged Latin run
    # anywhere ("CST" / "O").
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")
    rpr.append(lang)
    form = normal.paragraph_format
    form.space_before, form.space_after = Pt(0), SPACE_AFTER
    form.line_spacing = 1.0


def _add(document: DocxDocument, para: Para) -> Paragraph:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(para.text)
    form = paragraph.paragraph_format
    if para.kind == "title":
        form.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.font.size, run.bold = TITLE_SIZE, True
        _fonts(run._r.get_or_add_rPr(), HEADING_FONT)
    elif para.kind == "period":
        form.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif para.kind in ("date", "issuer"):
        form.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        form.space_after = Pt(2) if para.kind == "date" else Pt(14)
    else:
        # Left-aligned, as dev3-2col.pdf is: LibreOffice (7.4) leaves a "、" hung past
        # the right edge of a justified line out of the PDF altogether.
        form.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if para.kind in ("section", "headline"):
            run.bold = True
            _fonts(run._r.get_or_add_rPr(), HEADING_FONT)
    return paragraph


def _running_header(document: DocxDocument, title: str) -> None:
    paragraph = document.sections[0].header.paragraphs[0]
    run = paragraph.add_run(title)
    run.font.size = HEADER_SIZE


def _page_number_footer(document: DocxDocument) -> None:
    """``- N -`` centred at the foot, N from Word's PAGE field."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    shown = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.text = "1"  # what the field shows until the word processor updates it
    shown.append(value)
    field.append(shown)
    paragraph._p.append(field)
    paragraph.add_run(" -")


def _set_columns(sect_pr: OxmlElement, columns: int) -> None:
    """Columns of a section: python-docx has no API for them, so set ``w:cols``."""
    cols = sect_pr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        # The schema orders sectPr's children; cols comes before docGrid.
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is not None:
            grid.addprevious(cols)
        else:
            sect_pr.append(cols)
    cols.set(qn("w:num"), str(columns))
    cols.set(qn("w:space"), str(round(GUTTER.twips)))


# --- the PDF ------------------------------------------------------------------------


def soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Print a .docx to PDF with LibreOffice, in a profile of its own.

    LibreOffice refuses to start a second instance on a profile in use, so each run
    gets a fresh one: parallel runs (pytest-xdist, two engineers) do not collide.
    """
    command = soffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="wordproc-profile-") as profile:
        done = subprocess.run(
            [
                command,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    pdf = out_dir / f"{docx.stem}.pdf"
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice did not print {docx.name}: {done.stderr.strip()}")
    return pdf


def make_pdf(text: str, *, columns: int = 2) -> bytes:
    """A report text as a word processor prints it: the bytes of the PDF."""
    document = make_docx(paragraphs(text), columns=columns)
    with tempfile.TemporaryDirectory(prefix="wordproc-") as folder:
        docx = Path(folder) / "report.docx"
        document.save(str(docx))
        return docx_to_pdf(docx, Path(folder)).read_bytes()


def expected_path(path: Path) -> Path:
    """``X.expected.json`` for ``X.txt``, ``X.wp2.expected.json`` for ``X.wp2.pdf``."""
    return path.with_name(f"{path.stem}.expected.json")


def build(source: Path, out: Path, columns: int) -> None:
    """Write ``out`` from ``source``, and the source's expected parse beside it."""
    out.write_bytes(make_pdf(decode(source.read_bytes()), columns=columns))
    expected = expected_path(source)
    if expected.exists():
        shutil.copyfile(expected, expected_path(out))


def fixtures(root: Path = REPORTS) -> list[tuple[Path, Path, int]]:
    """(source text, PDF, columns) of every committed word-processor PDF under ``root``."""
    found = []
    for pdf in sorted(root.rglob("*.wp[12].pdf")):
        match = FIXTURE.match(pdf.name)
        if match:
            found.append((pdf.with_name(f"{match['stem']}.txt"), pdf, int(match["columns"])))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, help="report text (UTF-8 or CP932)")
    parser.add_argument("out", nargs="?", type=Path, help="PDF to write")
    parser.add_argument("--columns", type=int, choices=(1, 2), default=2)
    parser.add_argument(
        "--rebuild", action="store_true", help="remake every committed X.wpN.pdf from X.txt"
    )
    args = parser.parse_args(argv)
    if args.rebuild:
        jobs = fixtures()
    elif args.source and args.out:
        jobs = [(args.source, args.out, args.columns)]
    else:
        parser.error("give SRC.txt and OUT.pdf, or --rebuild")
    for source, out, columns in jobs:
        build(source, out, columns)
        print(
            f"{out.name}: {out.stat().st_size // 1024} KB, {columns} column(s), from {source.name}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
