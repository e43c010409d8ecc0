"""weekly_stated and line_ends (indicators.store.aggregates): the weekly values and the
lines' ends the writer decides at ingest equal the decision made from the observations,
in every scope, on both backends; after a corrected report, after a change of
observation values refreshed by report id, and after the migrations that add them."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators import ingest, queries, store
from indicators.sample import generate_reports, write_reports
from indicators.store import aggregates

REPORTS = Path(__file__).parent / "reports"
REAL = REPORTS / "belarus-weekly-2023-11-30.txt"

# Every scope a page can ask for: (include sample data, deals by counterparty).
SCOPES = [(True, True), (True, False), (False, True), (False, False)]
COLUMNS = aggregates.VALUE_COLUMNS


def _params(include_sample: bool, by_dimension: bool, until: dt.date | None) -> dict[str, object]:
    return {
        "series": None,
        "include_sample": include_sample,
        "until": until,
        "indicators": None,
        "units": None,
        "dimensions": None,
        "by_dimension": by_dimension,
        "summed": queries.summed_indicators(),
    }


def _stated(db: store.Location, ctes: str, params: dict[str, object]) -> list[tuple[object, ...]]:
    sql = f"WITH {queries._SCOPE}, {ctes} SELECT {COLUMNS} FROM stated"
    used = {name: value for name, value in params.items() if f"${name}" in sql}
    with store.connect(db, read_only=True) as con:
        return sorted(con.execute(sql, used).fetchall(), key=repr)


def assert_decided_as_observed(db: store.Location, until: dt.date | None = None) -> int:
    """The stated values read from weekly_stated equal those decided from the
    observations, in every scope; returns how many rows were compared."""
    compared = 0
    for include_sample, by_dimension in SCOPES:
        params = _params(include_sample, by_dimension, until)
        direct = _stated(db, queries._DIRECT, params)
        read = queries._stated(until=until, by_dimension=by_dimension)
        assert _stated(db, read, params) == direct, (include_sample, by_dimension, until)
        compared += len(direct)
    if until is None:
        compared += assert_ends_as_decided(db)
    return compared


def _page_params(
    series: list[str] | None, include_sample: bool, *, by_dimension: bool, **extra: object
) -> dict[str, object]:
    """The parameters a page query of :mod:`indicators.queries` runs with."""
    return {
        **queries._scope(series, include_sample),
        **queries._obs_params(None, None, None, by_dimension),
        **extra,
    }


#: The scopes the pages ask for: every series, or one, each with and without samples.
PAGE_SCOPES = [(series, sample) for sample in (True, False) for series in (None, ["BY｜mixed"])]


def assert_ends_as_decided(db: store.Location) -> int:
    """The tiles read from line_ends equal the tiles decided from the weekly values
    (the latest statement, the one before, 4 and 52 weeks back), with and without
    sample data; returns how many rows were compared."""
    compared = 0
    for include_sample in (True, False):
        params = _page_params(
            None, include_sample, by_dimension=False, order=queries.indicator_ids()
        )
        read = queries._run(db, queries._latest_sql(None), params)
        decided = queries._run(db, queries._latest_sql(None, from_ends=False), params)
        pd.testing.assert_frame_equal(read, decided, obj=f"tiles (sample: {include_sample})")
        compared += len(read)
    return compared


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, Path]:
    """Twelve weeks of sample reports, and a folder where some of them and the real
    report make one series of real and sample reports together."""
    start = dt.date(2023, 10, 5)
    weeks = write_reports(
        tmp_path / "sample",
        generate_reports(seed=5, start=start, end=start + dt.timedelta(weeks=11)),
    )
    together = tmp_path / "together"
    together.mkdir()
    for path in weeks[2:7]:  # not the real report's week (the same report key)
        shutil.copyfile(path, together / path.name)
    shutil.copyfile(REAL, together / REAL.name)
    return tmp_path / "sample", together


def _ingest_mixed(db: store.Location, mixed: tuple[Path, Path]) -> None:
    sample, together = mixed
    ingest.ingest(db, [sample], workers=1)
    ingest.ingest(db, [together], workers=1, series="BY｜mixed")


def test_decided_weekly_values_equal_the_observations_in_every_scope(
    any_store: store.Location, mixed: tuple[Path, Path]
) -> None:
    _ingest_mixed(any_store, mixed)
    assert assert_decided_as_observed(any_store) > 100
    # As of past weeks: lines that weighed later reports are decided again.
    for until in (dt.date(2023, 11, 13), dt.date(2023, 11, 27), dt.date(2023, 12, 4)):
        assert_decided_as_observed(any_store, until)
    real_only = _stated(any_store, queries._DIRECT, _params(False, True, None))
    assert {row[0] for row in real_only} == {"BY｜mixed"}  # the mixed series' real report


def test_a_corrected_report_redecides_the_weeks_it_left_and_joined(
    any_store: store.Location, mixed: tuple[Path, Path], tmp_path: Path
) -> None:
    _ingest_mixed(any_store, mixed)
    before = queries.latest(any_store, series=["BY｜mixed"], include_sample=False)
    prisoners = before[before["indicator"] == "political_prisoners"]
    assert prisoners[["week_iso", "value"]].values.tolist() == [["2023-11-20", 1450.0]]
    # The same report again, its figure corrected and dated a week earlier: the week it
    # counted in loses the value, the earlier week gains it.
    text = REAL.read_text("utf-8")
    assert text.count("11月 24日現在の政治犯の数は 1,450人") == 1
    corrected = tmp_path / "corrected" / REAL.name
    corrected.parent.mkdir()
    corrected.write_text(
        text.replace("11月 24日現在の政治犯の数は 1,450人", "11月 17日現在の政治犯の数は 1,451人"),
        "utf-8",
    )
    result = ingest.ingest(any_store, [corrected], workers=1, series="BY｜mixed")
    assert [o.action for o in result.outcomes] == ["replaced"]
    assert_decided_as_observed(any_store)
    after = queries.latest(any_store, series=["BY｜mixed"], include_sample=False)
    prisoners = after[after["indicator"] == "political_prisoners"]
    assert prisoners[["week_iso", "value"]].values.tolist() == [["2023-11-13", 1451.0]]


def test_a_change_of_observation_values_is_refreshed_by_report_id(
    any_store: store.Location, mixed: tuple[Path, Path]
) -> None:
    """What a review correction does: change stored values, then refresh the reports'
    weekly values in the same transaction."""
    _ingest_mixed(any_store, mixed)
    with store.connect(any_store, read_only=True) as con:
        ids = [row[0] for row in con.execute("SELECT report_id FROM reports").fetchall()]
    changed = ids[::3]
    backend = store.backend(any_store)

    def correct(con: duckdb.DuckDBPyConnection) -> int:
        con.execute("BEGIN TRANSACTION")
        stale = aggregates.keys(con, changed)
        con.execute(
            # new values, all counted in one week long before (the weeks they leave
            # are known only from the keys taken before the change)
            "UPDATE observations SET value = value * 2 + 1, period_start = DATE '2019-01-07' "
            f"WHERE report_id IN ({', '.join(map(str, changed))})"
        )
        rebuilt = aggregates.refresh(con, changed, stale=stale)
        con.execute("COMMIT")
        return rebuilt

    assert backend.transact(correct) > 0
    assert assert_decided_as_observed(any_store) > 100


def _version(db: Path) -> int:
    with store.connect(db, read_only=True) as con:
        return store.schema_version(con)


# The sparklines decided from every weekly value (what queries.sparklines did before it
# read its lines from line_ends): the reference the fast query is held to.
_SPARKLINES_FROM_EVERY_WEEK = """
    WITH {scope}, {stated},
    lines AS (
        SELECT line, any_value(series) AS series, any_value(indicator) AS indicator,
               any_value(dim) AS dim, any_value(unit) AS unit,
               bool_or(is_sample) AS is_sample,
               min(week) AS first_week, max(week) AS last_week
        FROM stated GROUP BY line
    ),
    grid AS (
        SELECT line, series, indicator, dim, unit, is_sample,
               unnest(generate_series(
                   greatest(first_week, last_week - to_days(7 * ($weeks::INTEGER - 1))),
                   last_week, INTERVAL 7 DAY))::DATE AS week
        FROM lines
    ),
    reported AS (SELECT DISTINCT series, {report_week} AS week FROM scope)
    SELECT g.week, g.series, g.is_sample, g.indicator, nullif(g.dim, '') AS dimension,
           g.unit, st.value, st.qualifier, r.week IS NOT NULL AS reported
    FROM grid g
    LEFT JOIN stated st ON st.line = g.line AND st.week = g.week
    LEFT JOIN reported r ON r.series = g.series AND r.week = g.week
    ORDER BY g.series, g.indicator, g.dim, g.unit, g.week
"""


@pytest.mark.parametrize("weeks", [3, 12])
def test_sparklines_from_the_lines_ends_equal_those_from_every_week(
    any_store: store.Location, mixed: tuple[Path, Path], weeks: int
) -> None:
    _ingest_mixed(any_store, mixed)
    sql = _SPARKLINES_FROM_EVERY_WEEK.format(
        scope=queries._SCOPE, stated=queries._stated(), report_week=queries._REPORT_WEEK
    )
    for series, include_sample in PAGE_SCOPES:
        params = _page_params(series, include_sample, by_dimension=False, weeks=weeks)
        fast = queries.sparklines(
            any_store, series=series, include_sample=include_sample, weeks=weeks
        )
        assert len(fast) > 0
        pd.testing.assert_frame_equal(fast, queries._run(any_store, sql, params))


def test_the_catalog_from_the_weekly_values_counts_every_observation(
    any_store: store.Location, mixed: tuple[Path, Path]
) -> None:
    _ingest_mixed(any_store, mixed)
    counted = f"""
        WITH {queries._SCOPE}, {queries._OBS.format(join="")}
        SELECT indicator, nullif(dim, '') AS dimension, unit, count(*) AS n,
               min(week) AS first_week, max(week) AS last_week
        FROM obs GROUP BY indicator, dim, unit
        ORDER BY list_position($order, indicator), unit, n DESC, dim
    """
    for series, include_sample in PAGE_SCOPES:
        params = _page_params(
            series, include_sample, by_dimension=True, order=queries.indicator_ids()
        )
        read = queries.catalog(any_store, series=series, include_sample=include_sample)
        assert read["n"].sum() > 0
        pd.testing.assert_frame_equal(read, queries._run(any_store, counted, params))


def test_the_migration_to_schema_10_decides_the_lines_ends(
    db: Path, mixed: tuple[Path, Path]
) -> None:
    _ingest_mixed(db, mixed)
    with store.connect(db, read_only=False) as con:
        con.execute("DROP TABLE line_ends")
        con.execute("DROP INDEX events_event_id")  # schema 12's
        con.execute("ALTER TABLE events DROP COLUMN common_chars")  # schema 11's
        con.execute("DELETE FROM schema_version WHERE version >= 10")
        con.execute("CHECKPOINT")
    assert _version(db) == 9
    store.ensure_db(db)
    assert _version(db) == store.SCHEMA_VERSION
    assert assert_ends_as_decided(db) > 20


def test_the_migration_to_schema_9_decides_the_stored_weeks(
    db: Path, mixed: tuple[Path, Path]
) -> None:
    _ingest_mixed(db, mixed)
    with store.connect(db, read_only=False) as con:
        con.execute("DROP TABLE weekly_stated")
        con.execute("DROP TABLE line_ends")  # schema 10's
        con.execute("DROP INDEX events_event_id")  # schema 12's
        con.execute("ALTER TABLE events DROP COLUMN common_chars")  # schema 11's
        con.execute("DELETE FROM schema_version WHERE version >= 9")
        con.execute("CHECKPOINT")
    assert _version(db) == 8
    store.ensure_db(db)
    assert _version(db) == store.SCHEMA_VERSION
    assert assert_decided_as_observed(db) > 100


def test_a_reader_holding_the_file_lets_an_ingest_in_another_process_in(
    db: Path, mixed: tuple[Path, Path]
) -> None:
    """The dashboard's readers keep one read-only attachment between queries; an ingest
    by another process is still never blocked (it waits at most for the query in
    flight) and never unseen (the next query shows it)."""
    sample, together = mixed
    ingest.ingest(db, [sample], workers=1)
    count = "SELECT count(*) AS n FROM reports"
    assert int(store.query(db, count)["n"][0]) == 12  # the attachment is held now
    env = {**os.environ, "INDICATORS_LOCK_TIMEOUT": "5"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "indicators", "ingest", str(together), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    seen = []
    while writer.poll() is None and len(seen) < 20_000:  # reading all the while
        seen.append(int(store.query(db, count)["n"][0]))
    _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert set(seen) <= {12, 13}
    assert int(store.query(db, count)["n"][0]) == 13


def test_a_file_replaced_under_a_held_reader_is_read_anew(
    tmp_path: Path, mixed: tuple[Path, Path]
) -> None:
    sample, together = mixed
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    ingest.ingest(first, [sample], workers=1)
    ingest.ingest(second, [together], workers=1)
    count = "SELECT count(*) AS n FROM reports"
    assert int(store.query(first, count)["n"][0]) == 12
    second.replace(first)  # a backup restored over the file
    assert int(store.query(first, count)["n"][0]) == 6


def test_a_question_as_of_a_week_decides_again_only_when_a_later_report_is_stored(
    any_store: store.Location, mixed: tuple[Path, Path], tmp_path: Path
) -> None:
    """As of the latest week the decided values are read as they are; as of an earlier
    week, or once a later report is stored (the answer follows the store), they are
    decided again."""
    sample, _ = mixed
    ingest.ingest(any_store, [sample], workers=1)
    latest = queries.latest(any_store, series=None, include_sample=True)
    week = latest["last_report_week"].max().date()
    assert queries._decided_until(any_store, week) is None
    earlier = week - dt.timedelta(weeks=3)
    assert queries._decided_until(any_store, earlier) == earlier
    start = latest["last_published"].max().date() + dt.timedelta(weeks=1)  # the next report
    later = write_reports(tmp_path / "later", generate_reports(seed=5, start=start, end=start))
    added = ingest.ingest(any_store, later, workers=1)
    assert [o.action for o in added.outcomes] == ["added"]
    assert queries._decided_until(any_store, week) == week
