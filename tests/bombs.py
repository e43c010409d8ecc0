"""Hostile files made by the tests themselves, small on disk: PDFs that cost far more to
read than their size says, written as raw PDF bytes with zlib (no tool would draw them).

Import as ``import bombs`` with ``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import zlib

MiB = 1024 * 1024


def raw_pdf(content_stream: bytes, *, pages: int = 1) -> bytes:
    """A valid PDF whose pages all draw the given (already encoded) content stream,
    with Helvetica as font ``/F1``; ``content_stream`` includes its dictionary."""
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(pages))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        4: content_stream,
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for i in range(pages):
        objects[10 + i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        )
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        )
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def flate_stream(compressed: bytes) -> bytes:
    """A stream object's dictionary and data for Flate-compressed bytes."""
    head = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(compressed)
    return head + compressed + b"\nendstream"


def glyph_bomb(glyphs: int = 10_000_000, per_show: int = 1000) -> bytes:
    """A page that draws ``glyphs`` characters with one repeated ``Tj``: a loop in all
    but name. Its content inflates to about one byte a glyph and compresses a
    thousandfold, so ten million glyphs fit in some 40 kB."""
    show = b"(" + b"A" * per_show + b") Tj\n"
    content = b"BT /F1 1 Tf 10 10 Td\n" + show * (glyphs // per_show) + b"ET\n"
    return raw_pdf(flate_stream(zlib.compress(content, 9)))


def inflate_bomb(size: int = 1024 * MiB) -> bytes:
    """A page whose content stream is ``size`` bytes of zeros (PDF white space), about
    1 MB compressed for 1 GiB: pdfium would inflate it whole before reading a glyph."""
    packer = zlib.compressobj(9)
    block = bytes(MiB)
    parts = [packer.compress(block) for _ in range(size // MiB)]
    parts.append(packer.flush())
    return raw_pdf(flate_stream(b"".join(parts)))


def text_pdf(lines: list[str]) -> bytes:
    """A small ordinary PDF (Latin text, Helvetica) with one line per string."""
    body = b"".join(
        b"BT /F1 12 Tf 50 %d Td (%s) Tj ET\n" % (800 - 16 * i, line.encode("latin-1"))
        for i, line in enumerate(lines)
    )
    return raw_pdf(flate_stream(zlib.compress(body)))
