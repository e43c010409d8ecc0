"""PDF fixtures drawn by a real tool (reportlab), laid out like the weekly report.

The reader must follow the page, not the content stream, so one text can be drawn in
several stream orders that look the same on paper. Import as ``import pdfmaker`` with
``tests/`` on ``sys.path`` (pytest puts it there for the test files in it).
"""

from __future__ import annotations

import functools
import io
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

Order = Literal["reading", "interleaved", "shuffled"]

FONT_NAME = "PdfmakerJapanese"

# Known places first (Debian/Ubuntu packages), then a search by file name. Noto CJK is
# mostly shipped as CFF-flavoured OpenType, which reportlab cannot embed; the loading
# check in find_japanese_font() weeds those out instead of failing later in a test.
_FONT_PATHS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansJP-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
)
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
_FONT_GLOBS = ("ipag*.ttf", "ipaexg*.ttf", "NotoSansJP*.ttf", "NotoSansCJK*.tt[cf]")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 42.0
GUTTER = 22.0
BODY_BOTTOM = 56.0
BODY_TOP = PAGE_HEIGHT - 62.0  # pages 2+: below the running header
FIRST_BODY_TOP = PAGE_HEIGHT - 160.0  # page 1: below the title block
MAX_BODY_SIZE = 9.0


@functools.cache
def find_japanese_font() -> Path | None:
    """Path of an installed Japanese TrueType font reportlab can embed, or None."""
    candidates: list[Path] = [Path(p) for p in _FONT_PATHS]
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for pattern in _FONT_GLOBS:
                candidates.extend(sorted(root.rglob(pattern)))
    for path in candidates:
        if path.is_file() and _loads(path):
            return path.resolve()
    return None


def _loads(path: Path) -> bool:
    """Whether reportlab can embed the font and it has the glyphs the report needs."""
    try:
        font = TTFont("probe", str(path), subfontIndex=0)
    except Exception:  # reportlab raises a bare TTFError/ValueError/KeyError mix
        return False
    return all(ord(ch) in font.face.charToGlyph for ch in "あア日本語（）～")


@functools.cache
def _register_font() -> str:
    path = find_japanese_font()
    if path is None:
        raise RuntimeError("no Japanese TrueType font (install fonts-ipafont-gothic)")
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def text_width(text: str, size: float) -> float:
    """Width in points of a string in the Japanese font, to place hand-made layouts."""
    return float(pdfmetrics.stringWidth(text, _register_font(), size))


@dataclass(frozen=True)
class _Draw:
    """One string drawn at a position; ``kind`` decides where "interleaved" puts it."""

    x: float
    y: float
    size: float
    text: str
    kind: Literal["furniture", "body"]
    row: int = 0
    column: int = 0


def make_pdf(
    text: str,
    *,
    columns: int = 2,
    order: Order = "reading",
    running_header: bool = True,
    page_numbers: bool = True,
    seed: int = 0,
) -> bytes:
    """An A4 PDF of a report text laid out in columns, drawn in the given stream order.

    The first four non-blank lines are the header (title and period centred, date and
    issuer right-aligned); every other non-blank line, stripped, is one visual line of
    the body, flowing down column 1, then column 2, then the next page.
    """
    if columns not in (1, 2):
        raise ValueError(f"columns must be 1 or 2, not {columns}")
    if order not in ("reading", "interleaved", "shuffled"):
        raise ValueError(f"unknown order {order!r}")
    font = _register_font()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    header, body = lines[:4], lines[4:]

    column_width = (PAGE_WIDTH - 2 * MARGIN_X - (columns - 1) * GUTTER) / columns
    leading = MAX_BODY_SIZE * 1.6

    pages: list[list[_Draw]] = []
    remaining = body
    while remaining or not pages:
        number = len(pages) + 1
        page: list[_Draw] = []
        top = FIRST_BODY_TOP if number == 1 else BODY_TOP
        if number == 1:
            page.extend(_title_block(header, font))
        elif running_header and header:
            page.append(_centred(header[0], PAGE_HEIGHT - 34, 7.0, font))
        rows = int((top - BODY_BOTTOM) / leading) + 1
        for column in range(columns):
            x = MARGIN_X + column * (column_width + GUTTER)
            chunk, remaining = remaining[:rows], remaining[rows:]
            for row, line in enumerate(chunk):
                size = _fitting_size(line, column_width, font)
                page.append(_Draw(x, top - row * leading, size, line, "body", row, column))
        if page_numbers:
            page.append(_centred(f"- {number} -", 28.0, 8.0, font))
        pages.append(page)

    rng = random.Random(seed)
    buffer = io.BytesIO()
    # invariant=1: no timestamp or random file id, so equal inputs give equal bytes.
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        for draw in _stream_order(page, order, rng):
            pdf.setFont(font, draw.size)
            pdf.drawString(draw.x, draw.y, draw.text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _fitting_size(line: str, width: float, font: str) -> float:
    """Body type size, shrunk in quarter points for a line too long for its column.

    The report's lines were wrapped for a wider column; rather than re-wrap them (which
    would change the text the reader must give back), the few long ones get smaller type.
    """
    natural = pdfmetrics.stringWidth(line, font, 1.0) or 1.0
    size = min(MAX_BODY_SIZE, int(4 * width / natural) / 4)
    if size < 4:
        raise ValueError(f"line too long for a column even at 4 pt: {line[:30]}...")
    return size


def _title_block(header: list[str], font: str) -> Iterable[_Draw]:
    """Title and period centred, publication date and issuer right-aligned."""
    places = [
        (PAGE_HEIGHT - 70, 14.0, "centre"),
        (PAGE_HEIGHT - 94, 10.5, "centre"),
        (PAGE_HEIGHT - 116, 10.5, "right"),
        (PAGE_HEIGHT - 132, 10.5, "right"),
    ]
    for line, (y, size, align) in zip(header, places, strict=False):
        if align == "centre":
            yield _centred(line, y, size, font)
        else:
            width = pdfmetrics.stringWidth(line, font, size)
            yield _Draw(PAGE_WIDTH - MARGIN_X - width, y, size, line, "furniture")


def _centred(line: str, y: float, size: float, font: str) -> _Draw:
    width = pdfmetrics.stringWidth(line, font, size)
    return _Draw((PAGE_WIDTH - width) / 2, y, size, line, "furniture")


def _stream_order(page: list[_Draw], order: Order, rng: random.Random) -> list[_Draw]:
    """The page's strings in the order the content stream draws them."""
    if order == "reading":
        return page  # built top block, column 1, column 2, page number
    if order == "interleaved":
        # Row by row across the columns, as a table-minded generator would write it,
        # with the title block, running header and page number last.
        body = sorted((d for d in page if d.kind == "body"), key=lambda d: (d.row, d.column))
        return body + [d for d in page if d.kind == "furniture"]
    shuffled = list(page)
    rng.shuffle(shuffled)
    return shuffled


@dataclass(frozen=True)
class Text:
    """A string drawn at (x, y) in points from the bottom left, for hand-made layouts.

    ``word_space`` widens every space (the PDF ``Tw`` operator), so one text object can
    reach across a gutter as some generators' justified rows do; ``char_space`` spaces
    out every character (``Tc``), as letter-spaced or justified Japanese lines are.
    """

    x: float
    y: float
    text: str
    size: float = MAX_BODY_SIZE
    word_space: float = 0.0
    char_space: float = 0.0


def draw_pdf(pages: Sequence[Sequence[Text]], *, font: str | None = None) -> bytes:
    """An A4 PDF drawing exactly the given strings, page by page, in the given order."""
    name = font or _register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        for item in page:
            text = pdf.beginText(item.x, item.y)
            text.setFont(name, item.size)
            text.setWordSpace(item.word_space)
            text.setCharSpace(item.char_space)
            text.textOut(item.text)
            pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def latin_pdf(lines: Iterable[str] = (), *, pages: int = 3) -> bytes:
    """A plain Helvetica PDF that needs no Japanese font (for the bad-input cases)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    text = list(lines) or [f"Line {n} of a plain page." for n in range(40)]
    for _ in range(pages):
        pdf.setFont("Helvetica", 10)
        for row, line in enumerate(text):
            pdf.drawString(MARGIN_X, PAGE_HEIGHT - 60 - 14 * row, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A text PDF that cannot be opened without its user password."""
    buffer = io.BytesIO()
    encrypt = StandardEncryption(user_password, ownerPassword="owner-" + user_password)
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt, invariant=1)
    pdf.setFont("Helvetica", 12)
    pdf.drawString(MARGIN_X, PAGE_HEIGHT - 80, "This text is behind a password.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that show "text" only as pictures (grey bars and an image), no text layer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    rng = random.Random(1)
    for _ in range(pages):
        pdf.setFillGray(0.3)
        for row in range(50):
            y = PAGE_HEIGHT - 80 - 14 * row
            pdf.rect(MARGIN_X, y, rng.uniform(150, PAGE_WIDTH - 2 * MARGIN_X), 8, stroke=0, fill=1)
        # A small greyscale bitmap, the way a scanner stores the page.
        pdf.drawInlineImage(_grey_image(), MARGIN_X, 60, width=120, height=40)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _grey_image() -> object:
    """A tiny PIL image (reportlab draws images through Pillow)."""
    from PIL import Image  # Pillow is a reportlab dependency

    image = Image.new("L", (60, 20))
    image.putdata([(x * 7 + y * 13) % 256 for y in range(20) for x in range(60)])
    return image


def truncated_pdf(data: bytes | None = None) -> bytes:
    """The first half of a valid PDF, as an interrupted download leaves it."""
    whole = data if data is not None else latin_pdf()
    return whole[: len(whole) // 2]


def random_bytes(size: int = 4096, seed: int = 0) -> bytes:
    """Bytes that are not any file format."""
    return random.Random(seed).randbytes(size)


def ci() -> bool:
    """Whether the tests run in CI, where a missing font must fail, not skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
