"""The real report printed to two-column PDFs, in each stream order, ingested for real."""

from __future__ import annotations

import json
from pathlib import Path

import pdfmaker
import pytest
from conftest import REAL_EXPECTED, REAL_REPORT, skip_unless

from indicators import export, ingest, store

ORDERS = ("reading", "interleaved", "shuffled")


@pytest.mark.parametrize("order", ORDERS)
def test_a_pdf_ingests_to_the_expected_rows(tmp_path: Path, order: pdfmaker.Order) -> None:
    skip_unless(pdfmaker.find_japanese_font() is not None, "no Japanese TrueType font installed")
    pdf = tmp_path / "belarus-weekly-2023-11-30.pdf"
    pdf.write_bytes(pdfmaker.make_pdf(REAL_REPORT.read_text("utf-8"), columns=2, order=order))
    db = tmp_path / "pdf.duckdb"

    result = ingest.ingest(db, [pdf])

    assert [o.action for o in result.outcomes] == ["added"]
    expected = json.loads(REAL_EXPECTED.read_text("utf-8"))
    with store.connect(db, read_only=True) as con:
        report = con.execute(
            "SELECT title, issuer, published::VARCHAR, period_start::VARCHAR,"
            " period_end::VARCHAR FROM reports"
        ).fetchall()
        observations = con.execute(
            "SELECT indicator, dimension, value::BIGINT, unit, qualifier, as_of::VARCHAR,"
            " period_start::VARCHAR, period_end::VARCHAR FROM observations ORDER BY obs_seq"
        ).fetchall()
    assert report == [tuple(expected["report"].values())]
    events = export.frame(db, "events")
    assert list(events["section"]) == [e["section"] for e in expected["events"]]
    assert list(events["headline"]) == [e["headline"] for e in expected["events"]]
    assert list(events["sources"]) == ["、".join(e["sources"]) for e in expected["events"]]
    assert observations == [tuple(o.values()) for o in expected["observations"]]


def test_the_same_report_as_text_then_pdf_is_one_report(tmp_path: Path) -> None:
    skip_unless(pdfmaker.find_japanese_font() is not None, "no Japanese TrueType font installed")
    pdf = tmp_path / "belarus-weekly-2023-11-30.pdf"
    pdf.write_bytes(pdfmaker.make_pdf(REAL_REPORT.read_text("utf-8"), order="shuffled"))
    db = tmp_path / "both.duckdb"
    ingest.ingest(db, [REAL_REPORT])
    before = store.row_counts(db)
    result = ingest.ingest(db, [pdf])
    assert [o.action for o in result.outcomes] == ["replaced"]  # another file, same report
    after = store.row_counts(db)
    assert {k: after[k] for k in ("reports", "events", "observations")} == {
        k: before[k] for k in ("reports", "events", "observations")
    }
