"""The dashboard's queries on a real DuckDB file built from real and edited reports.

Expected values come from the fixture reports (``apphelpers.WEEKS`` and the real
report's expected JSON), never typed in here.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import apphelpers as h
import pandas as pd
import pytest

from indicators import ingest, queries, store

ALL = {"series": None, "include_sample": True}
REAL = {"series": [h.REAL_SERIES], "include_sample": True}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("queries")
    return h.build_db(folder / "t.duckdb", folder / "reports")


@pytest.fixture(scope="module")
def stated() -> pd.DataFrame:
    return h.expected_observations()


def _dates(values: pd.Series) -> list[dt.date]:
    return [pd.Timestamp(v).date() for v in values]


def test_series_real_first_and_default_scope(fixture_db: Path) -> None:
    rows = queries.series(fixture_db)
    assert list(rows["series"]) == [h.REAL_SERIES, h.SAMPLE_SERIES]
    assert list(rows["is_sample"]) == [False, True]
    assert list(rows["n_reports"]) == [len(h.report_weeks(s)) for s in rows["series"]]
    # One real series beside the samples (the bundled set): everything, samples on.
    assert queries.default_scope(rows) == ([h.REAL_SERIES, h.SAMPLE_SERIES], True)


def test_weekly_stock_has_the_stated_values_and_a_gap(fixture_db: Path, stated) -> None:
    rows = queries.weekly(fixture_db, "political_prisoners", **REAL)
    want = stated[(stated.indicator == "political_prisoners") & (stated.series == h.REAL_SERIES)]
    got = rows.dropna(subset=["value"])
    assert _dates(got["week"]) == list(want["week"])
    assert list(got["value"]) == list(want["value"])
    assert list(got["qualifier"]) == list(want["qualifier"])
    # Every week between first and last statement is a row; the week without a report
    # has no value (a gap, not a zero) and says it had no report.
    weeks = _dates(rows["week"])
    assert weeks == [weeks[0] + dt.timedelta(weeks=i) for i in range(len(weeks))]
    missing = set(weeks) - set(h.report_weeks(h.REAL_SERIES))
    assert missing, "the fixture leaves a week without a report"
    for _, row in rows[[w in missing for w in weeks]].iterrows():
        assert math.isnan(row["value"]) and not row["reported"]
    # Provenance travels with every value.
    assert got["evidence"].str.contains("政治犯の数").all()
    assert got["source"].notna().all() and got["report_published"].notna().all()


def test_weekly_flow_keeps_units_apart(fixture_db: Path, stated) -> None:
    rows = queries.weekly(fixture_db, "border_interceptions", **REAL).dropna(subset=["value"])
    want = stated[(stated.indicator == "border_interceptions") & (stated.series == h.REAL_SERIES)]
    got = {(pd.Timestamp(w).date(), d, u): v for w, d, u, v in rows[
        ["week", "dimension", "unit", "value"]].itertuples(index=False)}  # fmt: skip
    assert got == {(w, d, u): v for w, d, u, v in want[
        ["week", "dimension", "unit", "value"]].itertuples(index=False)}  # fmt: skip
    attempts = queries.weekly(fixture_db, "border_interceptions", **REAL, units=["attempts"])
    assert set(attempts["unit"]) == {"attempts"}
    assert list(attempts["value"].dropna()) == list(want[want.unit == "attempts"]["value"])


def test_weekly_deals_sum_per_currency_with_counterparties(fixture_db: Path, stated) -> None:
    rows = queries.weekly(fixture_db, "trade_deal_value", **REAL, by_dimension=False)
    rows = rows.dropna(subset=["value"])
    want = stated[(stated.indicator == "trade_deal_value") & (stated.series == h.REAL_SERIES)]
    sums = want.groupby(["week", "unit"])["value"].sum()
    parties = want.groupby(["week", "unit"])["dimension"].apply(lambda d: ", ".join(sorted(d)))
    assert len(rows) == len(sums)
    for _, row in rows.iterrows():
        key = (pd.Timestamp(row["week"]).date(), row["unit"])
        assert row["value"] == sums[key]
        assert row["counterparties"] == parties[key]
        assert row["n_obs"] == len(want[(want.week == key[0]) & (want.unit == key[1])])


@pytest.mark.parametrize("transform", ["diff", "pct", "rolling4"])
def test_transforms_follow_the_weekly_levels(fixture_db: Path, transform: str) -> None:
    level = queries.weekly(fixture_db, "political_prisoners", **REAL)
    rows = queries.weekly(fixture_db, "political_prisoners", **REAL, transform=transform)
    values = list(level["value"])
    for i, got in enumerate(rows["value"]):
        here, before = values[i], values[i - 1] if i else math.nan
        if transform == "diff":
            want = here - before
        elif transform == "pct":
            want = 100 * (here - before) / abs(before)
        else:
            window = [v for v in values[max(0, i - 3) : i + 1] if not math.isnan(v)]
            want = sum(window) / len(window) if not math.isnan(here) else math.nan
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)
    # A change involving an "about" figure is no more than "about".
    approx_week = level[level["qualifier"] == "approx"].index
    if transform != "rolling4":
        assert set(rows.loc[approx_week, "qualifier"].dropna()) <= {"approx"}


def test_sample_data_is_its_own_series_and_can_be_left_out(fixture_db: Path) -> None:
    both = queries.weekly(fixture_db, "political_prisoners", **ALL)
    assert set(both["series"]) == {h.REAL_SERIES, h.SAMPLE_SERIES}
    assert both.groupby("series")["is_sample"].agg(set).to_dict() == {
        h.REAL_SERIES: {False},
        h.SAMPLE_SERIES: {True},
    }
    real = queries.weekly(fixture_db, "political_prisoners", series=None, include_sample=False)
    assert set(real["series"]) == {h.REAL_SERIES}
    assert not queries.latest(fixture_db, series=None, include_sample=False)["is_sample"].any()


def test_latest_tiles_say_how_fresh_each_series_is(fixture_db: Path, stated) -> None:
    tiles = queries.latest(fixture_db, **REAL)
    last_report = max(h.report_weeks(h.REAL_SERIES))
    for _, tile in tiles.iterrows():
        mine = stated[(stated.series == h.REAL_SERIES) & (stated.indicator == tile["indicator"])]
        mine = mine[mine.unit == tile["unit"]]
        if tile["indicator"] != "trade_deal_value":
            dim = tile["dimension"] if isinstance(tile["dimension"], str) else ""
            mine = mine[mine.dimension.fillna("") == dim]
        weeks = sorted(set(mine["week"]))
        assert pd.Timestamp(tile["week"]).date() == weeks[-1]
        assert tile["weeks_since"] == (last_report - weeks[-1]).days // 7
        week_value = mine[mine.week == weeks[-1]]["value"].sum()
        assert tile["value"] == week_value
        if len(weeks) > 1:
            previous = mine[mine.week == weeks[-2]]["value"].sum()
            assert tile["change"] == week_value - previous
        else:
            assert math.isnan(tile["change"])
    prisoners = tiles[tiles.indicator == "political_prisoners"].iloc[0]
    assert prisoners["weeks_since"] >= 1, "the fixture's last report omits the count"


def test_evidence_of_a_point(fixture_db: Path, stated) -> None:
    row = stated[(stated.unit == "attempts")].iloc[0]
    found = queries.evidence(
        fixture_db,
        "border_interceptions",
        row["week"],
        series=[row["series"]],
        include_sample=True,
        dimension=row["dimension"],
        unit="attempts",
    )
    assert len(found) == 1
    hit = found.iloc[0]
    assert hit["value"] == row["value"] and hit["qualifier"] == row["qualifier"]
    assert f"{int(row['value'])}件" in hit["evidence"]
    assert pd.Timestamp(hit["report_published"]).date() == row["published"]
    assert hit["source"] and hit["headline"] and hit["report_file"]


def test_event_search_is_a_japanese_substring_search(fixture_db: Path) -> None:
    everything = queries.events(fixture_db, **ALL, limit=None)
    for needle in ("政治犯", "CSTO", "csto", "ヴャスナ"):
        hits = queries.events(fixture_db, **ALL, text=needle, limit=None)
        blob = everything["headline"] + "\n" + everything["body"] + "\n" + everything["sources"]
        assert len(hits) == blob.str.lower().str.contains(needle.lower(), regex=False).sum() > 0
    # Full-width digits and spaces as a user might type them find the cleaned text.
    assert len(queries.events(fixture_db, **ALL, text="１，４５０ 人", limit=None)) >= 1
    # Input is data, never SQL.
    assert queries.events(fixture_db, **ALL, text="x' OR '1'='1", limit=None).empty
    assert store.row_counts(fixture_db)["events"] == len(everything)


def test_events_newest_first_filtered_and_paged(fixture_db: Path) -> None:
    start, end = dt.date(2023, 11, 27), dt.date(2023, 12, 31)
    sections = ["内政", "主な出来事"]
    kwargs = {**ALL, "start": start, "end": end, "sections": sections}
    total = queries.events_count(fixture_db, **kwargs)
    rows = queries.events(fixture_db, **kwargs, limit=None)
    assert total == len(rows) > 3
    dates = _dates(rows["date"])
    assert dates == sorted(dates, reverse=True)
    assert all(start <= d <= end for d in dates)
    assert set(rows["section"]) <= set(sections)
    pages = [queries.events(fixture_db, **kwargs, limit=3, offset=o) for o in range(0, total, 3)]
    assert pd.concat(pages)["headline"].tolist() == rows["headline"].tolist()
    weekly = queries.events_weekly(fixture_db, **kwargs)
    assert weekly["n"].sum() == total


def test_highlights_are_annotation_candidates(fixture_db: Path) -> None:
    rows = queries.highlights(fixture_db, **ALL)
    assert set(rows["section"]) == {"主な出来事"}
    headlines = " ".join(rows["headline"])
    assert all(w.highlight in headlines for w in h.WEEKS)


def test_coverage_counts_reports_per_week_with_empty_weeks(fixture_db: Path) -> None:
    rows = queries.coverage(fixture_db, **REAL)
    have = h.report_weeks(h.REAL_SERIES)
    by_week = {
        pd.Timestamp(w).date(): n for w, n in zip(rows["week"], rows["n_reports"], strict=True)
    }
    assert {w for w, n in by_week.items() if n} == set(have)
    assert 0 in by_week.values()
    everything = queries.coverage(fixture_db, **ALL, by_series=False)
    assert everything["series"].isna().all()
    assert everything["n_reports"].sum() == queries.reports_count(fixture_db, **ALL)


def test_reports_say_what_each_contributed(fixture_db: Path, stated) -> None:
    rows = queries.reports(fixture_db, **ALL, limit=None)
    assert len(rows) == queries.reports_count(fixture_db, **ALL) == len(h.WEEKS) + 1
    assert _dates(rows["published"]) == sorted(_dates(rows["published"]), reverse=True)
    for _, row in rows.iterrows():
        mine = stated[
            (stated.series == row["series"])
            & (stated.published == pd.Timestamp(row["published"]).date())
        ]
        assert row["n_observations"] == len(mine)
        assert row["indicators"] == ", ".join(sorted(set(mine["indicator"])))
    one = queries.reports(fixture_db, **ALL, report_id=int(rows.iloc[0]["report_id"]))
    assert len(one) == 1
    assert len(queries.report_observations(fixture_db, int(rows.iloc[0]["report_id"]))) == int(
        rows.iloc[0]["n_observations"]
    )


def test_signature_changes_when_another_process_ingests(tmp_path: Path) -> None:
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    before = queries.signature(db)
    assert before[2] == db.stat().st_size
    assert queries.signature(tmp_path / "missing.duckdb") == (0,) * 6
    extra = h.Week(dt.date(2024, 1, 1), prisoners=1490)
    path = tmp_path / "more" / extra.file_name
    path.parent.mkdir()
    path.write_text(h.report_text(extra), encoding="utf-8")
    ingest.ingest(db, [path], workers=1)
    assert queries.signature(db) != before


def test_export_names_say_what_and_when() -> None:
    assert queries.export_name("border_interceptions", dt.date(2023, 1, 2), "2023-12-25") == (
        "border_interceptions_2023-01-02_2023-12-25.csv"
    )
    assert queries.export_name("../etc/passwd", None, None) == "etc-passwd_all.csv"


def test_the_ingest_log_shows_no_none_for_a_reason_or_a_person_not_given(db: Path) -> None:
    ingest.ingest(db, [h.REAL_REPORT])
    log = queries.ingest_log(db)
    assert (log.loc[0, "message"], log.loc[0, "logged_by"]) == ("", "")
