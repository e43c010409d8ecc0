"""Report texts printed to PDF by a web browser, a second real maker of PDFs.

A report that an embassy writes in a web-based editor, or saves as HTML, reaches us as
the PDF Chromium prints: the same logical paragraphs as tests/wordproc.py rebuilds, laid
out with CSS (one or two columns, justified, little space between paragraphs, a running
title in the header and the page number in the footer). Little space between paragraphs
is what sets it apart from the word processor's layout: a line that fills its column and
the bullet or citation under it are as far apart as two lines of one paragraph.

    page = browser.new_page()
    pdf_bytes = print_pdf(page, text, columns=2)

Import as ``import browserprint`` with ``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import html
from typing import Any

import wordproc

TITLE = "ベラルーシ公開情報とりまとめ"
FONT = "'IPAGothic', 'IPAexGothic', sans-serif"

_CSS = """
@page {{ size: A4; }}
body {{ font-family: {font}; font-size: 10.5pt; line-height: 1.45; }}
h1 {{ font-size: 14pt; text-align: center; margin: 0; }}
.centre {{ text-align: center; margin: 2pt 0; }}
.right {{ text-align: right; margin: 0; }}
h2 {{ font-size: 11pt; margin: 8pt 0 3pt; }}
h3 {{ font-size: 10.5pt; margin: 5pt 0 2pt; }}
p {{ margin: 0 0 2pt; text-align: justify; }}
.columns {{ column-count: {columns}; column-gap: 8mm; }}
"""

_TAGS = {
    "title": "<h1>{}</h1>",
    "period": '<p class="centre">{}</p>',
    "date": '<p class="right">{}</p>',
    "issuer": '<p class="right">{}</p>',
    "section": "<h2>{}</h2>",
    "headline": "<h3>{}</h3>",
    "text": "<p>{}</p>",
}
_HEAD_KINDS = ("title", "period", "date", "issuer")


def page_html(text: str, *, columns: int = 2) -> str:
    """The report's paragraphs as one HTML page: the header block, then the columns."""
    paras = wordproc.paragraphs(text)
    head = [_TAGS[p.kind].format(html.escape(p.text)) for p in paras if p.kind in _HEAD_KINDS]
    body = [_TAGS[p.kind].format(html.escape(p.text)) for p in paras if p.kind not in _HEAD_KINDS]
    css = _CSS.format(font=FONT, columns=columns)
    return (
        f'<html><head><meta charset="utf-8"><style>{css}</style></head><body>'
        f'{"".join(head)}<div class="columns">{"".join(body)}</div></body></html>'
    )


def print_pdf(page: Any, text: str, *, columns: int = 2) -> bytes:
    """The PDF Chromium prints of the report text, on a Playwright page."""
    page.set_content(page_html(text, columns=columns))
    style = f"font-family: {FONT}; width: 100%; font-size: 8pt;"
    pdf: bytes = page.pdf(
        format="A4",
        display_header_footer=True,
        header_template=f'<div style="{style} text-align: right; margin-right: 15mm">{TITLE}</div>',
        footer_template=(
            f'<div style="{style} text-align: center">- <span class="pageNumber"></span> -</div>'
        ),
        margin={"top": "20mm", "bottom": "20mm", "left": "15mm", "right": "15mm"},
    )
    return pdf
