"""The weekly brief: ``indicators brief`` writes a real PDF (WeasyPrint) whose text, read
back with pypdfium2, holds the week's figures and citations, with its fonts embedded;
HTML for mail; one clear line when no Japanese font is there. A picture of each
language's page is kept in tests/_artifacts/."""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import apphelpers as h
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import test_digest as story
from conftest import skip_unless

from indicators import brief, digest, i18n

ARTIFACTS = h.TESTS / "_artifacts"
story_db = story.story_db  # the same generated weeks, one database for the module


@pytest.fixture(autouse=True)
def _font() -> None:
    try:
        brief.japanese_font()
    except brief.BriefError as error:
        skip_unless(False, str(error))


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def embedded_fonts(data: bytes) -> set[tuple[str, bool]]:
    """(name, embedded) of every font the PDF's text is drawn with."""
    doc = pdfium.PdfDocument(data)
    found = set()
    for page in doc:
        for obj in page.get_objects():
            if obj.type != pdfium_raw.FPDF_PAGEOBJ_TEXT:
                continue
            font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_raw.FPDFFont_GetBaseFontName(font, name, size)
            found.add((name.value.decode(), bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))))
    return found


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indicators", *args],
        capture_output=True,
        text=True,
        cwd=h.ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def week_figures(db: Path, lang: str) -> list[str]:
    """What the brief must print: the latest prisoner count, its change, the alert, the
    deal total, a citation (written here from the generated weeks and the digest's words)."""
    last = story.LAST
    change = last.prisoners - story.WEEKS[-2].prisoners
    found = digest.build(db, series=None, include_sample=False)
    stale = next(a for a in found.alerts if a.kind == "stale")
    total = sum(d.value for d in last.deals) * 10_000
    return [
        i18n.format_value(last.prisoners, "persons", "exact", lang),
        digest.format_change(change, "exact", "persons", lang),
        digest.alert_text(stale, lang),
        i18n.format_value(total, "USD", "exact", lang),
        "国営ベルタ通信",  # the deals' citation, as the report writes it
        last.highlight,
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_brief_command_writes_a_pdf_with_the_weeks_figures(
    story_db: Path, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / f"brief-{lang}.pdf"
    day = story.LAST.period_start + dt.timedelta(days=2)
    done = run_cli("brief", "--week", day.isoformat(), "--lang", lang, "--out", str(out),
                   "--db", str(story_db))  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    # PDF text wraps long lines; compare without line breaks.
    flat = text.replace("\r", "").replace("\n", "")
    for figure in week_figures(story_db, lang):
        assert figure.replace(" ", "") in flat.replace(" ", ""), figure
    fonts = embedded_fonts(data)
    assert fonts and all(embedded for _, embedded in fonts)
    assert any("Gothic" in name or "CJK" in name or "IPA" in name for name, _ in fonts)
    doc = pdfium.PdfDocument(data)
    assert len(doc) == 1  # one printable page
    ARTIFACTS.mkdir(exist_ok=True)
    doc[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"brief-{lang}.png")


def test_brief_html_for_mail_is_self_contained(story_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    done = run_cli("brief", "--lang", "en", "--out", str(out), "--db", str(story_db))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert "data:image/png;base64," in html  # charts inline, nothing to fetch
    assert "http://" not in html and "https://" not in html
    for figure in week_figures(story_db, "en"):
        assert figure in html.replace("&amp;", "&"), figure


def test_a_reports_publication_date_names_the_week_it_covers(
    story_db: Path, tmp_path: Path
) -> None:
    """The last report is published on the Thursday after its week, a week no report
    covers: that date asks for the report's brief. An earlier publication date falls in
    the next report's week, and stays that week."""
    out = tmp_path / "brief.html"
    done = run_cli("brief", "--week", story.LAST.published.isoformat(), "--lang", "en",
                   "--out", str(out), "--db", str(story_db))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"covers the week of {story.LAST.period_start}" in done.stderr
    title = f"{i18n.t('brief_title', 'en')} {story.LAST.period_start} – {story.LAST.period_end}"
    assert title in out.read_text(encoding="utf-8")

    earlier = story.WEEKS[-3]
    done = run_cli("brief", "--week", earlier.published.isoformat(), "--lang", "en",
                   "--out", str(out), "--db", str(story_db))  # fmt: skip
    assert done.returncode == 0 and "covers" not in done.stderr
    assert f"{story.WEEKS[-2].period_start} – {story.WEEKS[-2].period_end}" in out.read_text(
        encoding="utf-8"
    )


def test_no_japanese_font_is_one_clear_line(story_db: Path, tmp_path: Path) -> None:
    latin = Path(pytest.importorskip("reportlab").__file__).parent / "fonts" / "Vera.ttf"
    assert latin.is_file() and not brief.covers_japanese(latin)
    out = tmp_path / "brief.pdf"
    done = run_cli(
        "brief", "--out", str(out), "--db", str(story_db), env={"INDICATORS_JA_FONT": str(latin)}
    )
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.strip().count("\n") == 0 and "Japanese" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_arguments_are_one_line(story_db: Path, tmp_path: Path) -> None:
    done = run_cli("brief", "--out", str(tmp_path / "x.docx"), "--db", str(story_db))
    assert done.returncode == 2 and "x.docx" in done.stderr and "Traceback" not in done.stderr
    empty = run_cli(
        "brief", "--week", "2000-01-03", "--out", str(tmp_path / "x.pdf"), "--db", str(story_db)
    )
    assert empty.returncode == 1 and "no reports" in empty.stderr
