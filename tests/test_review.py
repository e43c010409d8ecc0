"""indicators.review: the log applied to what every query reads, corrections that
survive re-ingest and re-extraction, the queue, and indicators defined as data; on a
DuckDB file and on a DuckLake (a real PostgreSQL), rows compared as plain values."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from indicators import definitions, export, ingest, queries, review, store

REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"
SCOPE = {"series": None, "include_sample": True}


@pytest.fixture(autouse=True)
def _file_definitions() -> object:
    """Each test starts from the definitions file alone (a test may define more)."""
    definitions.use_entries([])
    yield
    definitions.use_entries([])


def rows(db: store.Location, sql: str) -> list[tuple[object, ...]]:
    with store.connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def value_of(db: store.Location, indicator: str, dimension: str | None = None) -> pd.Series:
    """The Overview tile's row of one indicator (and dimension)."""
    tiles = queries.latest(db, **SCOPE)
    rows = tiles[tiles["indicator"] == indicator]
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def number(db: store.Location, indicator: str, dimension: str | None = None) -> review.Number:
    rows = review.values(db, indicator=indicator)
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    assert len(rows) == 1, rows
    return review.Number.of(rows.iloc[0])


def quantity(db: store.Location, text: str) -> review.Number:
    rows = review.queue(db, kinds=["quantity"], limit=None)
    found = rows[rows["sentence"].str.contains(text, regex=False)]
    assert len(found) == 1, found
    return review.Number.of(found.iloc[0])


def correct(db: store.Location, n: review.Number, value: float, by: str = "analyst") -> None:
    change = review.Change(value, n.unit or "", n.qualifier or "exact", n.as_of, n.dimension)
    review.record(db, [review.Action("correct", n, change, "typo in the report")], by=by)


def test_reject_correct_assign_change_tiles_charts_exports_and_are_logged(
    any_store: store.Location,
) -> None:
    ingest.ingest(any_store, [REAL])
    assert value_of(any_store, "political_prisoners")["value"] == 1450
    assert value_of(any_store, "border_interceptions", "LT")["value"] == 22

    lt = number(any_store, "border_interceptions", "LT")
    review.record(any_store, [review.Action("reject", lt, reason="the total, not LT's")], by="a")
    correct(any_store, number(any_store, "political_prisoners"), 1451, by="b")
    journalists = quantity(any_store, "ジャーナリスト108人")
    assign = review.Change(
        108, "persons", "exact", dt.date(2023, 11, 26), "LT", "border_interceptions"
    )
    review.record(any_store, [review.Action("assign", journalists, assign)], by="c")

    prisoners = value_of(any_store, "political_prisoners")
    assert (prisoners["value"], prisoners["origin"], prisoners["original_value"]) == (
        1451,
        "corrected",
        1450,
    )
    assert prisoners["changed_by"] == "b"
    lt_tile = value_of(any_store, "border_interceptions", "LT")
    assert (lt_tile["value"], lt_tile["origin"], lt_tile["changed_by"]) == (108, "assigned", "c")

    chart = queries.weekly(any_store, "border_interceptions", **SCOPE)
    lt_points = chart[(chart["dimension"] == "LT") & chart["value"].notna()]
    assert lt_points[["value", "origin"]].values.tolist() == [[108.0, "assigned"]]

    rows = export.frame(any_store, "observations")
    stated = {
        (r.indicator, r.dimension if isinstance(r.dimension, str) else None): (
            r.value,
            r.origin,
            None if pd.isna(r.original_value) else r.original_value,
        )
        for r in rows.itertuples()
    }
    assert stated[("political_prisoners", None)] == (1451, "corrected", 1450)
    assert stated[("border_interceptions", "LT")] == (108, "assigned", 108)
    assert stated[("border_interceptions", "PL")] == (188, "extracted", None)
    assert len(rows) == 5  # one rejected, one assigned

    log = review.log(any_store)[["action", "logged_by", "indicator", "before_value", "after_value"]]
    assert [[None if pd.isna(v) else v for v in row] for row in log.values.tolist()] == [
        ["reject", "a", "border_interceptions", 22.0, None],
        ["correct", "b", "political_prisoners", 1450.0, 1451.0],
        ["assign", "c", None, 108.0, 108.0],
    ]
    assert list(export.frame(any_store, "corrections")["action"]) == ["reject", "correct", "assign"]


def test_an_action_without_a_name_or_on_a_wrong_number_is_refused(db: Path) -> None:
    ingest.ingest(db, [REAL])
    n = number(db, "political_prisoners")
    with pytest.raises(review.ReviewError, match="who made the change"):
        review.record(db, [review.Action("confirm", n)], by="  ")
    with pytest.raises(review.ReviewError, match="unknown indicator"):
        journalists = quantity(db, "ジャーナリスト108人")
        change = review.Change(108, "persons", indicator="journalists")
        review.record(db, [review.Action("assign", journalists, change)], by="a")
    assert review.log(db).empty


def test_corrections_survive_reingest_and_a_changed_sentence_needs_a_look(
    any_store: store.Location, tmp_path: Path
) -> None:
    ingest.ingest(any_store, [REAL])
    correct(any_store, number(any_store, "political_prisoners"), 1460)
    text = REAL.read_text("utf-8")

    ingest.ingest(any_store, [REAL])  # the same file: unchanged
    assert value_of(any_store, "political_prisoners")["value"] == 1460

    # Another file for the report whose other items changed: still applied.
    elsewhere = tmp_path / "v2" / REAL.name
    elsewhere.parent.mkdir()
    assert text.count("少なくとも 188人") == 1
    elsewhere.write_text(text.replace("少なくとも 188人", "少なくとも 189人"), "utf-8")
    assert [o.action for o in ingest.ingest(any_store, [elsewhere]).outcomes] == ["replaced"]
    assert value_of(any_store, "political_prisoners")["value"] == 1460
    assert value_of(any_store, "border_interceptions", "PL")["value"] == 189
    assert review.queue(any_store, kinds=["stale"]).empty

    # The corrected sentence itself reads otherwise now: not applied, in the queue.
    changed = tmp_path / "v3" / REAL.name
    changed.parent.mkdir()
    changed.write_text(text.replace("1,450人", "1,470人"), "utf-8")
    assert [o.action for o in ingest.ingest(any_store, [changed]).outcomes] == ["replaced"]
    prisoners = value_of(any_store, "political_prisoners")
    assert (prisoners["value"], prisoners["origin"]) == (1470, "extracted")
    stale = review.queue(any_store, kinds=["stale"])
    assert stale[["indicator", "value", "after_value", "rule"]].values.tolist() == [
        ["political_prisoners", 1450.0, 1460.0, "correct"]
    ]
    assert "1,450人" in stale["sentence"].iloc[0]

    # Looked at: dismissed, it leaves the queue; the new value stands.
    review.record(any_store, [review.Action("dismiss", review.Number.of(stale.iloc[0]))], by="a")
    assert review.queue(any_store, kinds=["stale"]).empty
    assert value_of(any_store, "political_prisoners")["value"] == 1470


def test_reextraction_rewrites_the_same_rows_and_keeps_corrections(
    any_store: store.Location, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (REAL.name, "crafted-new-year.txt", "crafted-cp932.txt"):
        shutil.copyfile(REPORTS / name, folder / name)
    ingest.ingest(any_store, [folder])
    sql = {
        "observations": "SELECT * FROM observations ORDER BY ALL",
        "quantities": "SELECT * FROM quantities ORDER BY ALL",
        "reports": "SELECT report_id, n_observations FROM reports ORDER BY ALL",
    }
    before = {name: rows(any_store, q) for name, q in sql.items()}
    oldest = review.values(any_store, indicator="political_prisoners").iloc[-1]
    correct(any_store, review.Number.of(oldest), 99)

    done = review.reextract(any_store, chunk=2)

    assert (done.reports, done.skipped) == (3, 0)
    after = {name: rows(any_store, q) for name, q in sql.items()}
    assert after == before
    corrected = review.values(any_store, indicator="political_prisoners")
    assert corrected["origin"].tolist().count("corrected") == 1
    assert 99 in corrected["value"].tolist()


def test_an_indicator_defined_from_a_quantity_is_backfilled(any_store: store.Location) -> None:
    ingest.ingest(any_store, [REAL])
    journalists = quantity(any_store, "ジャーナリスト108人")
    cues = review.suggest_cues(journalists.sentence, journalists.char_offset)
    assert "ジャーナリスト" in cues
    new = review.NewIndicator(
        id="journalists_surveyed",
        name_ja="調査対象のジャーナリスト",
        name_en="Journalists surveyed",
        unit="persons",
        kind="stock",
        dimension="none",
        topic=("ジャーナリスト",),
    )
    review.define(any_store, new, by="analyst")
    assert "journalists_surveyed" in queries.indicator_ids()

    review.reextract(any_store)

    tile = value_of(any_store, "journalists_surveyed")
    assert (tile["value"], tile["origin"]) == (108, "extracted")
    toml = review.definitions_toml(any_store)
    parsed = definitions.parse_definitions(
        (Path(definitions.__file__).parent / "definitions.toml").read_text("utf-8") + toml
    )
    assert parsed.indicator("journalists_surveyed").name.en == "Journalists surveyed"
    # Another process reads the store: it finds the indicator there.
    definitions.use_entries([])
    assert "journalists_surveyed" in [i.id for i in review.definitions_in_use(any_store).indicators]


def test_a_wrong_new_indicator_is_one_line(db: Path) -> None:
    ingest.ingest(db, [REAL])
    bad = review.NewIndicator("Bad id", "a", "b", "persons", "stock", "none", ("x",))
    with pytest.raises(review.ReviewError, match="lower-case"):
        review.define(db, bad, by="a")
    unknown_unit = review.NewIndicator("x_count", "a", "b", "parsecs", "stock", "none", ("x",))
    with pytest.raises(review.ReviewError, match="parsecs"):
        review.define(db, unknown_unit, by="a")
    assert review.stored_entries(db) == []


_OTHER_PROCESS = """
import sys
from pathlib import Path
from indicators import ingest, review, store
db = store.location(sys.argv[1])
for path in sorted(Path(sys.argv[2]).rglob("*.txt")):
    ingest.ingest(db, [path], workers=1)
review.reextract(db, chunk=7)
print("done")
"""


def test_review_actions_while_another_process_ingests_and_reextracts(
    any_store: store.Location, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from indicators.sample import generate_reports, sample_series, write_reports

    ingest.ingest(any_store, [REAL])
    start = dt.date(2023, 1, 5)
    weeks = generate_reports(
        start=start, end=start + dt.timedelta(weeks=51), series=sample_series(1)[0]
    )
    corpus = write_reports(tmp_path / "corpus", weeks)
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROCESS, str(any_store), str(tmp_path / "corpus")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    made: list[float] = []
    real = "ベラルーシ｜在ベラルーシ大使館"
    while other.poll() is None or len(made) < 10:
        stated = review.values(any_store, indicator="political_prisoners")
        n = review.Number.of(stated[stated["series"] == real].iloc[0])
        value = 2000.0 + len(made)
        correct(any_store, n, value, by=f"analyst {len(made) % 3}")
        made.append(value)
    out, err = other.communicate(timeout=600)
    assert other.returncode == 0, err
    assert out.strip().endswith("done")  # after any progress bar DuckDB drew

    log = review.log(any_store)
    assert log["review_id"].tolist() == list(range(1, len(made) + 1))
    assert log["after_value"].tolist() == made
    stated = review.values(any_store, indicator="political_prisoners")
    mine = stated[stated["series"] == real]
    assert mine[["value", "origin"]].values.tolist() == [[made[-1], "corrected"]]
    reports = rows(any_store, "SELECT count(*) FROM reports")[0][0]
    assert reports == 1 + len(corpus)


def test_a_report_stored_before_citations_were_kept_is_left_as_it_is(db: Path) -> None:
    ingest.ingest(db, [REAL])
    with store.connect(db, read_only=False) as con:
        con.execute("UPDATE events SET citation = NULL")  # as schema 6 left them
    before = rows(db, "SELECT * FROM observations ORDER BY ALL")

    done = review.reextract(db)

    assert (done.reports, done.without_text) == (0, 1)
    assert rows(db, "SELECT * FROM observations ORDER BY ALL") == before


def test_the_command_line_lists_acts_exports_and_reextracts(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from indicators import cli

    ingest.ingest(db, [REAL])
    assert cli.main(["review", "--db", str(db)]) == 0
    listing = capsys.readouterr().out.splitlines()
    row = next(i for i, line in enumerate(listing, 1) if "ジャーナリスト108人" in line)
    assert cli.main(["review", "dismiss", "--row", str(row), "--db", str(db)]) == 2
    assert "who made the change" in capsys.readouterr().err
    assert cli.main(["review", "dismiss", "--row", str(row), "--by", "cli", "--db", str(db)]) == 0
    out = tmp_path / "log.csv"
    assert cli.main(["export", "corrections", "--out", str(out), "--db", str(db)]) == 0
    text = out.read_text("utf-8")
    assert "dismiss" in text and "ジャーナリスト108人" in text
    assert cli.main(["reextract", "--db", str(db)]) == 0
    assert "re-extracted 1 reports" in capsys.readouterr().err
    assert cli.main(["review", "--db", str(db)]) == 0
    assert "ジャーナリスト108人" not in capsys.readouterr().out  # dismissed stays dismissed


def test_the_same_kind_of_number_over_weeks_is_one_queue_row(db: Path, tmp_path: Path) -> None:
    text = REAL.read_text("utf-8")
    assert text.startswith(" ベラルーシ公開情報とりまとめ \n\n（11月 20日～11月 26日）")
    next_week = tmp_path / "belarus-weekly-2023-12-07.txt"
    next_week.write_text(
        text.replace("2023年 11月 30日", "2023年 12月 7日").replace(
            "（11月 20日～11月 26日）", "（11月 27日～12月 3日）", 1
        ),
        "utf-8",
    )
    ingest.ingest(db, [REAL, next_week])

    found = review.queue(db, kinds=["quantity"], limit=None)
    journalists = found[found["shape"] == "人 ジャーナリスト"]
    assert journalists[["n", "n_weeks"]].values.tolist() == [[2, 2]]
    assert str(journalists["published"].iloc[0])[:10] == "2023-12-07"  # the newest shown
    members = review.group_members(db, "人 ジャーナリスト")
    assert [str(p)[:10] for p in members["published"]] == ["2023-12-07", "2023-11-30"]
