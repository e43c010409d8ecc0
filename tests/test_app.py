"""The dashboard through ``streamlit.testing`` on real temporary DuckDB files.

Every page renders without an exception; charts hold the values the fixture reports
state; a link (query parameters) reproduces a view; a selection payload shows the
evidence; uploads go through the library's ingest; exports are the rows shown, with
provenance and a BOM. Expected values come from the fixture reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import apphelpers as h
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import common
from indicators import export, i18n, ingest, queries, store
from indicators.definitions import default_definitions

PAGES = ["overview", "trends", "events", "reports"]
TIMEOUT = 60


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fixture database for the tests that only read it."""
    folder = tmp_path_factory.mktemp("app")
    return h.build_db(folder / "t.duckdb", folder / "reports")


@pytest.fixture
def app_db(shared_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INDICATORS_DB", str(shared_db))
    return shared_db


@pytest.fixture
def own_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fixture database of this test's own (for tests that write)."""
    db = h.build_db(tmp_path / "t.duckdb", tmp_path / "reports")
    monkeypatch.setenv("INDICATORS_DB", str(db))
    return db


@pytest.fixture(scope="module")
def stated() -> pd.DataFrame:
    return h.expected_observations()


def open_page(page: str, **params: Any) -> AppTest:
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    if page != "overview":
        at.run()  # the entry page first, as a browser does
        at.switch_page(f"app_pages/{page}.py")
        for name, value in params.items():
            at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def param(at: AppTest, name: str) -> list[str]:
    """A URL parameter's values after a run (AppTest gives one value as a plain string)."""
    value = at.query_params.get(name, [])
    return value if isinstance(value, list) else [value]


def latest_real(stated: pd.DataFrame, indicator: str) -> pd.Series:
    mine = stated[(stated.series == h.REAL_SERIES) & (stated.indicator == indicator)]
    return mine.sort_values("week").iloc[-1]


# --- every page ----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_a_chart(app_db: Path, page: str) -> None:
    at = open_page(page)
    assert at.get("vega_lite_chart"), f"{page} shows no chart"
    assert at.title and at.download_button


def test_first_render_time_with_the_database_present(app_db: Path) -> None:
    open_page("overview")  # imports and caches warm, as a running server has them
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT)
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    print(
        f"\nfirst render of the Overview (AppTest, new session, database present): {seconds:.2f} s"
    )
    assert not at.exception


# --- overview ------------------------------------------------------------------------


def test_overview_tiles_show_latest_values_with_freshness(app_db: Path, stated) -> None:
    at = open_page("overview")
    prisoners = latest_real(stated, "political_prisoners")
    want = i18n.format_value(prisoners["value"], "persons", prisoners["qualifier"], "ja")
    tile = next(m for m in at.metric if m.value == want)
    assert tile.label == i18n.indicator_name("political_prisoners", "ja")
    # The real series' last report does not state the count: the tile says since when.
    weeks = (max(h.report_weeks(h.REAL_SERIES)) - prisoners["week"]).days // 7
    assert weeks >= 1
    assert i18n.freshness(weeks, "", "ja").split("（")[0] in h.texts(at)
    # Sample tiles are under a heading that says so.
    assert any(h.SAMPLE_SERIES in s.value and "サンプル" in s.value for s in at.subheader)


def test_overview_charts_hold_the_weekly_values(app_db: Path, stated) -> None:
    at = open_page("overview")
    (chart,) = h.charts_of(at, "political_prisoners")
    prisoners = h.chart_rows(chart).dropna(subset=["value"])
    want = stated[stated.indicator == "political_prisoners"]
    assert sorted(zip(prisoners["series"], prisoners["value"], strict=True)) == sorted(
        zip(want["series"], want["value"], strict=True)
    )
    # One chart per indicator (one view to draw), a panel per series and unit inside it.
    (border,) = h.charts_of(at, "border_interceptions")
    borders = stated[stated.indicator == "border_interceptions"]
    panels = h.chart_spec(border).get("vconcat", [None])
    assert len(panels) == len(borders[["series", "unit"]].drop_duplicates())
    shown = h.chart_rows(border).dropna(subset=["value"])
    assert sorted(shown["value"]) == sorted(borders["value"])
    (deals,) = h.charts_of(at, "trade_deal_value")
    shown = h.chart_rows(deals).dropna(subset=["value"])
    sums = stated[stated.indicator == "trade_deal_value"].groupby(["week", "unit"])["value"].sum()
    assert sorted(shown["value"]) == sorted(sums)


def test_english_without_sample_data(app_db: Path, stated) -> None:
    at = open_page("overview", lang="en", sample="0")
    assert at.title[0].value == i18n.t("overview_title", "en")
    assert not at.toggle(key="include_sample").value
    assert at.multiselect(key="series").value == [h.REAL_SERIES]
    assert all(h.SAMPLE_SERIES not in s.value for s in at.subheader)
    labels = " | ".join(m.label for m in at.metric)
    assert i18n.indicator_name("political_prisoners", "en") in labels
    assert i18n.country_name("LT", "en") in labels
    prisoners = latest_real(stated, "political_prisoners")
    value = i18n.format_value(prisoners["value"], "persons", prisoners["qualifier"], "en")
    assert value.removesuffix(" persons") in {m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_money_tile_names_its_currency_once_in_its_label(app_db: Path, lang: str) -> None:
    """A tile is a quarter of the page wide: a bound in 万/億 fits only when the currency
    is not written a second time in the value (a trial saw "≥5,000万 …", truncated)."""
    at = open_page("overview", lang=lang)
    currencies = set(default_definitions().currencies)
    money = [m for m in at.metric if any(c in m.label for c in currencies)]
    assert money, [m.label for m in at.metric]  # the deals' tiles, one per currency
    for m in money:
        assert not any(c in m.value for c in currencies), (m.label, m.value)
        assert not any(c in (m.delta or "") for c in currencies), (m.label, m.delta)


# --- trends --------------------------------------------------------------------------


def test_a_link_reproduces_the_trend_view(app_db: Path, stated) -> None:
    view = {
        "indicator": "border_interceptions",
        "unit": "persons",
        "dim": ["LT", "PL"],
        "from": "2023-11-27",
        "to": "2023-12-31",
        "transform": "diff",
    }
    at = open_page("trends", **view)
    assert at.selectbox(key="tr_indicator").value == "border_interceptions"
    assert at.multiselect(key="tr_dims").value == ["LT", "PL"]
    assert at.date_input(key="tr_range").value == (dt.date(2023, 11, 27), dt.date(2023, 12, 31))
    assert at.segmented_control(key="tr_transform").value == "diff"
    # The URL still holds the view after the run (a link copied now reproduces it).
    assert {name: param(at, name) for name in view} == {
        name: value if isinstance(value, list) else [value] for name, value in view.items()
    }

    rows = h.chart_rows(h.chart_by_key(at, "trend_chart"))
    real = rows[rows["series"] == h.REAL_SERIES].dropna(subset=["value"])
    levels = stated[
        (stated.series == h.REAL_SERIES)
        & (stated.indicator == "border_interceptions")
        & (stated.unit == "persons")
    ].set_index(["dimension", "week"])["value"]
    for _, row in real.iterrows():
        week = dt.date.fromisoformat(row["week_iso"])
        before = week - dt.timedelta(weeks=1)
        assert row["value"] == levels[(row["dim_key"], week)] - levels[(row["dim_key"], before)]
    assert set(real["dim_key"]) == {"LT", "PL"}
    assert all("2023-11-27" <= w <= "2023-12-31" for w in rows["week_iso"].dropna())


def test_changing_the_view_updates_the_url(app_db: Path) -> None:
    at = open_page("trends")
    at.selectbox(key="tr_indicator").select("trade_deal_value").run()
    assert param(at, "indicator") == ["trade_deal_value"]
    at.segmented_control(key="tr_transform").set_value("rolling4").run()
    assert not at.exception
    assert param(at, "transform") == ["rolling4"]
    assert h.chart_rows(h.chart_by_key(at, "trend_chart"))["transform"].eq("rolling4").all()


def test_a_clicked_point_shows_its_evidence_and_its_week(app_db: Path, stated) -> None:
    at = open_page("trends")
    assert "グラフの点をクリック" in h.texts(at)
    point = stated[
        (stated.indicator == "political_prisoners")
        & (stated.series == h.REAL_SERIES)
        & (stated.qualifier == "approx")
    ].iloc[0]
    payload = {
        "point": [
            {
                "week_iso": point["week"].isoformat(),
                "series": h.REAL_SERIES,
                "dim_key": "",
                "unit": "persons",
            }
        ]
    }
    h.send_selection(at, "trend_chart", payload)
    assert not at.exception, [e.value for e in at.exception]
    shown = h.texts(at)
    found = queries.evidence(
        h.Path(store.default_db()),
        "political_prisoners",
        point["week"],
        series=[h.REAL_SERIES],
        include_sample=True,
        dimension="",
        unit="persons",
    )
    assert found.iloc[0]["evidence"] in shown  # the sentence
    assert found.iloc[0]["source"] in shown  # the source
    assert i18n.format_value(point["value"], "persons", "approx", "ja") in shown  # "about"
    assert str(point["published"]) in shown  # the report
    week_events = at.dataframe[-1].value
    headlines = " ".join(week_events["headline"])
    week = next(w for w in h.WEEKS if w.period_start == point["week"] and not w.is_sample)
    assert week.highlight in headlines
    links = {p.proto.page for p in at.page_link}
    assert any("reports" in link for link in links) and any("events" in link for link in links)


# --- events --------------------------------------------------------------------------


def test_events_search_sections_and_brush(app_db: Path) -> None:
    at = open_page("events", q="政治犯")
    table = at.dataframe[0].value
    assert len(table) > 0
    assert (table["headline"] + table["body"]).str.contains("政治犯").all()
    assert param(at, "q") == ["政治犯"]

    at.text_input(key="ev_text").set_value("").run()
    at.multiselect(key="ev_sections").set_value(["主な出来事"]).run()
    table = at.dataframe[0].value
    assert set(table["section"]) == {"主な出来事"}

    start = pd.Timestamp("2023-12-04", tz="UTC").value // 1_000_000
    end = pd.Timestamp("2023-12-18", tz="UTC").value // 1_000_000
    h.send_selection(at, "ev_chart", {"brush": {"week": [start, end]}})
    assert not at.exception
    table = at.dataframe[0].value
    dates = [pd.Timestamp(d).date() for d in table["date"]]
    assert dates and all(dt.date(2023, 12, 4) <= d <= dt.date(2023, 12, 24) for d in dates)
    assert at.info and "2023-12-04" in at.info[0].value
    assert table["link"].str.fullmatch(r"reports\?report=\d+").all()


def test_event_export_is_the_filtered_rows_with_provenance(app_db: Path) -> None:
    filters = {"text": "CSTO", "sections": None, "start": None, "end": None}
    rows = queries.events(app_db, series=None, include_sample=True, **filters, limit=None)
    ctx = common.Context(app_db, "ja", (h.REAL_SERIES, h.SAMPLE_SERIES), True)
    data = export.to_csv_bytes(common.with_sample_column(ctx, rows))
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(parsed) == queries.events_count(app_db, series=None, include_sample=True, **filters)
    assert all("CSTO" in (r["headline"] + r["body"]) for r in parsed)
    assert {"report_published", "sources", "section", "report_file", "data"} <= set(parsed[0])


def test_chart_export_is_the_charted_rows_with_provenance(app_db: Path) -> None:
    at = open_page("overview")
    (chart,) = h.charts_of(at, "political_prisoners")
    charted = h.chart_rows(chart)
    summary = queries.summary(app_db, series=None, include_sample=True).iloc[0]
    last = pd.Timestamp(summary["last_published"]).date()
    end = last - dt.timedelta(days=last.weekday())
    rows = queries.weekly(
        app_db,
        "political_prisoners",
        series=[h.REAL_SERIES, h.SAMPLE_SERIES],
        include_sample=True,
        start=end - dt.timedelta(weeks=51),
        end=end,
    )
    ctx = common.Context(app_db, "ja", (h.REAL_SERIES, h.SAMPLE_SERIES), True)
    data = export.to_csv_bytes(common.with_sample_column(ctx, rows))
    assert data[:3] == b"\xef\xbb\xbf"
    parsed = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(parsed) == len(charted)
    assert sorted(parsed["value"].dropna()) == sorted(charted["value"].dropna())
    for column in ("report_published", "source", "qualifier", "evidence", "series", "data"):
        assert column in parsed
    assert set(parsed[parsed["is_sample"]]["data"]) == {"サンプル"}
    assert queries.export_name("political_prisoners", rows["week"].min(), end).startswith(
        "political_prisoners_"
    )


# --- reports and uploads -------------------------------------------------------------


def test_upload_ingests_through_the_library_and_refreshes(own_db: Path) -> None:
    new = h.Week(dt.date(2024, 1, 1), prisoners=1502, border=(h.Border("LT", 41),))
    at = open_page("reports")
    assert not at.file_uploader  # without sign-in, the name comes first
    h.give_name(at, " 田中　花子 ")
    uploads = [
        ("../../etc/" + new.file_name, h.report_text(new).encode("utf-8"), "text/plain"),
        ("broken.txt", b"\x00\x01 not a report", "text/plain"),
    ]
    at.file_uploader(key="uploads").set_value(uploads)
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    results = at.dataframe[0].value
    assert list(results["file"]) == [new.file_name, "broken.txt"]
    assert list(results["action"]) == [i18n.action_label(a, "ja") for a in ("added", "failed")]
    assert results["message"].iloc[1]  # a one-line reason
    # The ingest log keeps the uploaded name as a label, not a path.
    log = queries.ingest_log(own_db, limit=2)
    assert set(log["file_name"]) == {f"upload/{new.file_name}", "upload/broken.txt"}
    assert set(log["logged_by"]) == {"田中 花子"}  # the name given, as the log keeps it
    # The charts and tiles see it at once (the cache follows the database file).
    at.switch_page("app_pages/overview.py").run()
    want = i18n.format_value(new.prisoners, "persons", "exact", "ja")
    assert any(m.value == want for m in at.metric)


def test_upload_same_file_again_changes_nothing_and_size_is_limited(own_db: Path) -> None:
    week = h.Week(dt.date(2024, 1, 1), prisoners=1502)
    data = h.report_text(week).encode("utf-8")

    def upload(name: str, data: bytes) -> pd.DataFrame:
        return common.ingest_uploads(own_db, [(name, data)], max_bytes=size, by="Tanaka")

    size = len(data)
    first, again = upload("a.txt", data), upload("b.txt", data)
    big, odd = upload("c.txt", data + b" "), upload("d.exe", data)
    assert [first.action[0], again.action[0], big.action[0], odd.action[0]] == [
        "added",
        "unchanged",
        "failed",
        "failed",
    ]
    assert "too large" in big.message[0] and ".txt" in odd.message[0]


def test_report_detail_from_a_link(app_db: Path) -> None:
    reports = queries.reports(app_db, series=None, include_sample=True, limit=None)
    report = reports.iloc[-1]
    at = open_page("reports", report=str(report["report_id"]))
    shown = h.texts(at)
    assert report["title"] in shown and report["issuer"] in shown
    observations = next(d.value for d in at.dataframe if "evidence" in d.value.columns)
    assert len(observations) == report["n_observations"]
    coverage = next(
        rows for c in at.get("vega_lite_chart") if len(rows := h.chart_rows(c, "n_reports"))
    )
    assert set(coverage[coverage["n_reports"] > 0]["week"].dt.date) >= set(
        h.report_weeks(h.REAL_SERIES)
    )


def test_report_text_is_never_markup(own_db: Path, tmp_path: Path) -> None:
    """A report's own words (here its issuer, hence its series name) cannot restyle the
    page: where a label renders Markdown they are escaped, elsewhere shown as text."""
    issuer = "在ベラルーシ大使館 **太字** [link](http://example.com) :red[赤] $x$"
    week = h.Week(dt.date(2024, 1, 1), issuer=issuer, prisoners=1500)
    path = tmp_path / "markup" / week.file_name
    path.parent.mkdir()
    path.write_text(h.report_text(week), encoding="utf-8")
    ingest.ingest(own_db, [path], workers=1)
    series = next(s for s in queries.series(own_db)["series"] if "太字" in s)  # as cleaned
    at = open_page("overview", series=[h.REAL_SERIES, series])
    heading = next(s.value for s in at.subheader if "太字" in s.value)
    assert heading == common.md(series)
    assert "\\*\\*太字\\*\\*" in heading and "\\[link\\]" in heading and "\\:red" in heading


# --- the database: never held, always fresh, built on first start ---------------------


def test_the_app_never_holds_the_database(own_db: Path) -> None:
    for page in PAGES:
        open_page(page)
        with store.connect(own_db, read_only=False, timeout=0) as con:
            con.execute("SELECT count(*) FROM reports").fetchone()


def test_an_ingest_by_another_process_shows_on_the_next_run(own_db: Path, tmp_path: Path) -> None:
    at = open_page("overview")
    week = h.Week(dt.date(2024, 1, 1), prisoners=1499)
    path = tmp_path / "later" / week.file_name
    path.parent.mkdir()
    path.write_text(h.report_text(week), encoding="utf-8")
    ingest.ingest(own_db, [path], workers=1)
    at.run()
    want = i18n.format_value(week.prisoners, "persons", "exact", "ja")
    assert any(m.value == want for m in at.metric)


def test_first_start_builds_the_bundled_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "data" / "indicators.duckdb"
    monkeypatch.setenv("INDICATORS_DB", str(db))
    monkeypatch.chdir(h.ROOT)  # the bundled reports are data/reports, as for `streamlit run`
    started = time.perf_counter()
    at = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT).run()
    built = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    counts = store.row_counts(db)
    print(f"\nfirst start: bundled database built and Overview shown in {built:.2f} s ({counts})")
    summary = queries.summary(db, series=None, include_sample=True).iloc[0]
    assert summary["n_sample_reports"] > 0 and summary["n_reports"] > summary["n_sample_reports"]
    weeks = (summary["last_published"] - summary["first_published"]).days / 7
    assert weeks >= 50, "a year of data"
    assert at.metric and at.get("vega_lite_chart")
    started = time.perf_counter()
    again = AppTest.from_file(str(h.APP), default_timeout=TIMEOUT).run()
    print(f"next session, database present: Overview in {time.perf_counter() - started:.2f} s")
    assert not again.exception


def test_the_dashboard_runs_on_a_team_lake(lake: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same app on a DuckLake (catalog in PostgreSQL): first start fills it with the
    bundled reports, and the Overview and the event log show them."""
    monkeypatch.setenv("INDICATORS_DB", lake)
    monkeypatch.chdir(h.ROOT)
    at = AppTest.from_file(str(h.APP), default_timeout=max(TIMEOUT, 300)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric and at.get("vega_lite_chart")
    assert store.row_counts(lake)["reports"] > 50
    at.switch_page("app_pages/events.py").run()
    assert not at.exception, [e.value for e in at.exception]
