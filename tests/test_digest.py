"""The weekly digest on a real DuckDB file built from generated weekly reports whose story
is known: prisoners rising steadily then jumping, a bound against an exact count at one
border, a border that stops being stated, two deals in one week. Expectations come from
the weeks written below, never from the code under test."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import apphelpers as h
import pandas as pd
import pytest

from indicators import digest, i18n, ingest, queries

FIRST = dt.date(2024, 1, 1)  # a Monday
N_WEEKS = 10
STEP = 5  # prisoners rise by this much a week ...
JUMP = 60  # ... and then by this much in the last week
LV_LAST = 4  # Latvia is stated in the first weeks only


def story() -> tuple[h.Week, ...]:
    weeks = []
    for i in range(N_WEEKS):
        last = i == N_WEEKS - 1
        prisoners = 1400 + STEP * i + (JUMP - STEP if last else 0)
        border = [
            # Lithuania: exact counts, the last week only a lower bound.
            h.Border("LT", 22 if last else 5 + (i % 3), "persons", "at_least" if last else "exact"),
        ]
        if i <= LV_LAST:
            border.append(h.Border("LV", 80 + i, "persons", "exact"))
        deals = (h.Deal("CN", 1200), h.Deal("KZ", 300)) if last else ()
        if i == 1:
            deals = (h.Deal("RU", 500),)
        weeks.append(
            h.Week(
                FIRST + dt.timedelta(weeks=i),
                prisoners=prisoners,
                border=tuple(border),
                deals=deals,
                others=("政治犯の家族への面会制限について",) if last else (),
            )
        )
    return tuple(weeks)


WEEKS = story()
LAST = WEEKS[-1]


@pytest.fixture(scope="module")
def story_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("story")
    paths = []
    for week in WEEKS:
        path = folder / week.file_name
        path.write_text(h.report_text(week), encoding="utf-8")
        paths.append(path)
    db = folder / "t.duckdb"
    result = ingest.ingest(db, paths, workers=1)
    assert not result.failed
    return db


@pytest.fixture(scope="module")
def found(story_db: Path) -> digest.Digest:
    return digest.build(story_db, series=None, include_sample=False)


def line(found: digest.Digest, indicator: str, dimension: str | None = None):
    rows = found.lines[found.lines["indicator"] == indicator]
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    (index,) = rows.index
    return rows.loc[index]


def test_the_digest_is_of_the_latest_report_week(found: digest.Digest) -> None:
    assert found.week == LAST.period_start


def test_changes_against_previous_4_and_52_weeks(found: digest.Digest) -> None:
    prisoners = line(found, "political_prisoners")
    before = WEEKS[-2].prisoners
    four_back = WEEKS[-5].prisoners
    assert prisoners["value"] == LAST.prisoners
    assert (prisoners["chg_prev"], prisoners["chg_prev_q"]) == (LAST.prisoners - before, "exact")
    assert (prisoners["chg_4w"], prisoners["chg_4w_q"]) == (LAST.prisoners - four_back, "exact")
    assert prisoners["chg_52w_q"] == "unknown"  # ten weeks of history: nothing 52 weeks back


def test_a_bound_against_an_exact_value_is_a_bound(found: digest.Digest) -> None:
    lt = line(found, "border_interceptions", "LT")
    previous = WEEKS[-2].border[0]
    assert lt["qualifier"] == "at_least" and previous.qualifier == "exact"
    assert lt["chg_prev"] == LAST.border[0].value - previous.value
    assert lt["chg_prev_q"] == "at_least"
    shown = digest.format_change(lt["chg_prev"], lt["chg_prev_q"], "persons", "en")
    assert shown.startswith("≥+") and shown == f"≥+{LAST.border[0].value - previous.value}"


def test_a_jump_is_outside_the_usual_range_and_a_new_high(found: digest.Digest) -> None:
    prisoners = line(found, "political_prisoners")
    assert prisoners["band_basis"] == "change"  # a stock: its weekly changes
    assert prisoners["band_low"] <= STEP <= prisoners["band_high"] < JUMP
    assert prisoners["band_status"] == "above" and prisoners["record"] == "high"
    kinds = {(a.kind, a.indicator) for a in found.alerts}
    assert {("above", "political_prisoners"), ("high", "political_prisoners")} <= kinds


def test_a_series_that_stopped_is_an_alert(found: digest.Digest) -> None:
    lv = line(found, "border_interceptions", "LV")
    weeks = N_WEEKS - 1 - LV_LAST
    assert lv["weeks_since"] == weeks
    (alert,) = [a for a in found.alerts if a.kind == "stale"]
    assert (alert.dimension, alert.weeks) == ("LV", weeks)
    text = digest.alert_text(alert, "en")
    assert f"Latvia (LV): not stated for {weeks} weeks" in text
    assert f"{weeks}週間記載なし" in digest.alert_text(alert, "ja")
    # Stale alerts come first: a figure that stopped coming is the easiest to miss.
    assert found.alerts[0].kind == "stale"


def test_deals_are_summed_per_week_month_and_year(found: digest.Digest) -> None:
    sums = found.sums[found.sums["indicator"] == "trade_deal_value"]
    by_period = dict(zip(sums["period"], sums["value"], strict=True))
    week_total = sum(d.value for d in LAST.deals) * 10_000
    year_total = sum(d.value for w in WEEKS for d in w.deals) * 10_000
    month_total = sum(
        d.value for w in WEEKS if w.period_start.month == LAST.period_start.month for d in w.deals
    )
    assert by_period == {"week": week_total, "month": month_total * 10_000, "year": year_total}
    assert set(sums["unit"]) == {"USD"} and sums["dimension"].isna().all()
    # No deal-by-deal difference anywhere.
    deal = line(found, "trade_deal_value")
    assert pd.isna(deal["chg_prev"]) and deal["chg_prev_q"] == "unknown"
    table = digest.sums_table(found, "ja")
    row = table[table["what"].str.contains("USD")].iloc[0]
    assert row["week"] == i18n.format_value(week_total, "USD", "exact", "ja")


def test_the_weeks_events_by_section_with_main_ones_marked(found: digest.Digest) -> None:
    sections = dict(digest.events_by_section(found))
    assert "主な出来事" not in sections  # its items are marked in their own sections
    main = found.events[found.events["main"]]
    assert LAST.highlight in set(main["headline"])
    assert "政治犯の家族への面会制限について" in set(sections["その他"]["headline"])


def test_a_past_week_reads_as_it_did_then(story_db: Path) -> None:
    week = WEEKS[3].period_start + dt.timedelta(days=3)
    then = digest.build(story_db, series=None, include_sample=False, week=week)
    assert then.week == WEEKS[3].period_start
    assert line(then, "political_prisoners")["value"] == WEEKS[3].prisoners
    latest = queries.latest(story_db, series=None, include_sample=False, week=week)
    assert latest["week"].max().date() == WEEKS[3].period_start


def test_a_quiet_week_without_history_is_not_called_usual(tmp_path: Path) -> None:
    """Two weeks of a fresh store: nothing stale, nothing outside a range, but no series
    has the history a usual range needs, and the digest says so instead of "within its
    usual range"."""
    paths = []
    for week in WEEKS[:2]:
        path = tmp_path / week.file_name
        path.write_text(h.report_text(week), encoding="utf-8")
        paths.append(path)
    db = tmp_path / "t.duckdb"
    assert not ingest.ingest(db, paths, workers=1).failed

    short = digest.build(db, series=None, include_sample=False)

    assert short.alerts == []
    assert digest.unjudged(short) == 3  # prisoners, LT and LV; the deals are summed
    for lang in ("ja", "en"):
        text = digest.no_alerts_text(short, lang)
        assert text != i18n.t("digest_no_alerts", lang)
        assert "3" in text


def test_a_quiet_week_with_history_is_within_its_usual_range(found: digest.Digest) -> None:
    """In the story's last week every stated series has ten weeks behind it: each is
    judged (within, above or below), none left out of the quiet sentence."""
    judged = found.lines[found.lines["kind"] != "event"]
    stated = judged[judged["weeks_since"] == 0]
    assert stated["band_status"].notna().all()
    assert digest.unjudged(found) == 0


def test_english_counts_of_one_are_singular() -> None:
    """Every label that counts ``{n}`` things reads in the singular for one, in English."""
    counted = [key for key, entry in i18n.TEXT.items() if "{n}" in entry["en"]]
    fields = {
        "what": "Latvia",
        "series": "Latvia",
        "date": "2023-11-30",
        "name": "x",
        "seconds": 1.0,
        "weeks": 8,
        "first": "2023-11-30",
        "total": 3,
        "k": 3,
    }
    plural = re.compile(r"\b1 (events|weeks|reports|rows|more series are)\b")
    wrong = [key for key in counted if plural.search(i18n.t(key, "en", n=1, **fields))]
    assert counted and not wrong
