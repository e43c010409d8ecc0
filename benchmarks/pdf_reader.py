"""Pages per second: the layout-aware PDF reader against pdfium's plain stream-order text.

    python benchmarks/pdf_reader.py [--pages 40] [--order shuffled] [--repeat 5]
    python benchmarks/pdf_reader.py --word-processor [--repeat 5]

Builds a two-column A4 PDF of the real report repeated (tests/pdfmaker.py, embedded IPA
Gothic), reads it with ``indicators.pdf.pdf_to_text`` and with ``get_text_range()`` per
page, and prints the best of several runs of each. ``--word-processor`` instead reads
each committed word-processor PDF of tests/reports/ (LibreOffice prints) and prints its
pages and time. It prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pdfmaker  # noqa: E402  (tests/ is put on the path just above)
import pypdfium2 as pdfium  # noqa: E402

from indicators.pdf import pdf_to_text  # noqa: E402

REPORT = ROOT / "tests" / "reports" / "belarus-weekly-2023-11-30.txt"
WORD_PROCESSOR_PDFS = ("*.wp[12].pdf", "dev3-2col.pdf")


def stream_order_text(data: bytes) -> str:
    """What a plain extractor gives: each page's text in content-stream order."""
    texts = []
    with pdfium.PdfDocument(data) as pdf:
        for index in range(len(pdf)):
            page = pdf.get_page(index)
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    return "\n".join(texts)


def best_seconds(read: Callable[[bytes], str], data: bytes, repeat: int) -> float:
    """The fastest of `repeat` runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read(data)
        times.append(time.perf_counter() - start)
    return min(times)


def word_processor_pdfs(repeat: int) -> int:
    """Pages and best time to read each word-processor PDF the tests read."""
    folder = ROOT / "tests" / "reports"
    paths = sorted({path for pattern in WORD_PROCESSOR_PDFS for path in folder.rglob(pattern)})
    for path in paths:
        data = path.read_bytes()
        with pdfium.PdfDocument(data) as pdf:
            pages = len(pdf)
        seconds = best_seconds(pdf_to_text, data, repeat)
        name, per_page = str(path.relative_to(folder)), seconds / pages * 1e3
        print(f"{name:48} {pages} pages  {seconds * 1e3:6.1f} ms  ({per_page:.1f} ms/page)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="about this many pages")
    parser.add_argument(
        "--order", default="shuffled", choices=["reading", "interleaved", "shuffled"]
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each reader")
    parser.add_argument(
        "--word-processor", action="store_true", help="time the committed word-processor PDFs"
    )
    args = parser.parse_args()
    if args.word_processor:
        return word_processor_pdfs(args.repeat)
    if pdfmaker.find_japanese_font() is None:
        print("no Japanese TrueType font: apt-get install fonts-ipafont-gothic", file=sys.stderr)
        return 1

    report = REPORT.read_text(encoding="utf-8")
    with pdfium.PdfDocument(pdfmaker.make_pdf(report * 4, order=args.order)) as pdf:
        per_copy = len(pdf) / 4  # one copy ends mid-page: measure a few
    data = pdfmaker.make_pdf(report * max(1, round(args.pages / per_copy)), order=args.order)
    with pdfium.PdfDocument(data) as pdf:
        pages = len(pdf)
        chars = sum(pdf.get_page(i).get_textpage().count_chars() for i in range(pages))

    layout = best_seconds(pdf_to_text, data, args.repeat)
    stream = best_seconds(stream_order_text, data, args.repeat)
    print(f"{pages} pages, 2 columns, {args.order} stream, {chars // pages} characters/page")
    print(f"pdf_to_text (layout-aware)     {pages / layout:8.0f} pages/s  ({layout * 1e3:.1f} ms)")
    print(f"get_text_range (stream order)  {pages / stream:8.0f} pages/s  ({stream * 1e3:.1f} ms)")
    print(f"layout-aware takes {layout / stream:.1f}x the time of stream order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
