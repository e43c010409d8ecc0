"""Report files and databases for the dashboard's tests, made from the real report.

The fixture database holds the real report of 2023-11-30 (``tests/reports``) and weekly
reports written in its layout with other dates and numbers: a few more weeks of the real
series (one week left out, so the charts must show a gap), and a sample series whose
header says it is synthetic. :data:`WEEKS` is what the generated reports state; tests
compute their expectations from it and from the real report's expected JSON, never from
numbers typed into the test.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from indicators import ingest

TESTS = Path(__file__).resolve().parent
# The app's pages import ``app_pages``: the project root must be importable.
sys.path.insert(0, str(TESTS.parent))
REAL_REPORT = TESTS / "reports" / "belarus-weekly-2023-11-30.txt"
REAL_EXPECTED = TESTS / "reports" / "belarus-weekly-2023-11-30.expected.json"
REAL_ISSUER = "在ベラルーシ大使館"
SAMPLE_ISSUER = "サンプル（合成データ）"
COUNTRY = "ベラルーシ"
REAL_SERIES = f"{COUNTRY}｜{REAL_ISSUER}"
SAMPLE_SERIES = f"{COUNTRY}｜{SAMPLE_ISSUER}"

_QUALIFIER_WORD = {"exact": "", "at_least": "少なくとも", "approx": "約"}
_GUARDS = {"LT": "リトアニア国境警備局", "LV": "ラトビア国境警備隊", "PL": "ポーランド国境警備隊"}
_COUNTERPARTY = {"CN": "中国", "RU": "ロシア", "KZ": "カザフスタン"}
_CURRENCY_WORD = {"USD": "ドル", "EUR": "ユーロ", "RUB": "ロシア・ルーブル"}


@dataclass(frozen=True)
class Border:
    country: str  # LT | LV | PL
    value: int
    unit: str = "persons"  # persons (人) | attempts (件)
    qualifier: str = "at_least"


@dataclass(frozen=True)
class Deal:
    counterparty: str  # CN | RU | KZ
    value: int  # in units of 10,000 (万) of the currency
    currency: str = "USD"


@dataclass(frozen=True)
class Week:
    """One generated weekly report: what it states, and where it should be found."""

    period_start: dt.date  # a Monday
    issuer: str = REAL_ISSUER
    prisoners: int | None = None
    prisoners_qualifier: str = "exact"
    border: tuple[Border, ...] = ()
    deals: tuple[Deal, ...] = ()
    highlight: str = "議会選挙の準備状況"
    others: tuple[str, ...] = field(default=())

    @property
    def period_end(self) -> dt.date:
        return self.period_start + dt.timedelta(days=6)

    @property
    def published(self) -> dt.date:
        return self.period_start + dt.timedelta(days=10)

    @property
    def series(self) -> str:
        return f"{COUNTRY}｜{self.issuer}"

    @property
    def is_sample(self) -> bool:
        return self.issuer == SAMPLE_ISSUER

    @property
    def as_of(self) -> dt.date:
        """The day the prisoner count is stated "as of" (the Friday)."""
        return self.period_start + dt.timedelta(days=4)

    @property
    def deal_date(self) -> dt.date:
        return self.period_start + dt.timedelta(days=2)

    @property
    def file_name(self) -> str:
        kind = "sample" if self.is_sample else "weekly"
        return f"belarus-{kind}-{self.published.isoformat()}.txt"


def _md(day: dt.date) -> str:
    """A date as reports write it inside the year: 11月 24日."""
    return f"{day.month}月 {day.day}日"


def report_text(week: Week) -> str:
    """The text of a weekly report in the real report's layout (as its PDF text reads)."""
    s, e = week.period_start, week.period_end
    lines = [
        "ベラルーシ公開情報とりまとめ",
        f"（{_md(s)}～{_md(e)}）",
        f"{week.published.year}年 {_md(week.published)}",
        week.issuer,
        "【主な出来事】",
        f"●{week.highlight}（{_md(s)}）",
        "【ルカシェンコ大統領動静】",
        f"●{week.highlight}",
        "・大統領は、準備が予定どおり進んでいる旨発言。",
        f"（{_md(s)} 大統領府）",
        "【内政】",
    ]
    if week.prisoners is not None:
        qualifier = _QUALIFIER_WORD[week.prisoners_qualifier]
        lines += [
            f"●{_md(week.as_of)}現在の政治犯の数は {qualifier}{week.prisoners:,}人",
            f"（{_md(week.as_of)} 人権団体「ヴャスナ（春）」）",
        ]
    if week.border:
        lines += ["●ベラルーシから欧州への不法越境の試み", f"（{_md(s)}～{_md(e)}）"]
        for b in week.border:
            counter = "件" if b.unit == "attempts" else "人"
            lines.append(
                f"・{_GUARDS[b.country]}は{_QUALIFIER_WORD[b.qualifier]} {b.value}{counter}を阻止。"
            )
        lines.append(f"（{_md(s + dt.timedelta(days=1))}～{_md(e + dt.timedelta(days=1))} Pozirk）")
    if week.deals:
        lines.append("【経済】")
        for deal in week.deals:
            lines += [
                f"●{_COUNTERPARTY[deal.counterparty]}向けビジネス",
                f"・国営企業の代表団は{_COUNTERPARTY[deal.counterparty]}を訪問。主要顧客と、"
                f"自社製品 {deal.value}万{_CURRENCY_WORD[deal.currency]}を販売する契約を締結。",
                f"（{_md(week.deal_date)} 国営ベルタ通信）",
            ]
    if week.others:
        lines.append("【その他】")
        for headline in week.others:
            lines += [f"●{headline}", "・詳細は報道のとおり。", f"（{_md(e)} Pozirk）"]
    lines.append("（了）")
    # Every line followed by a blank one, as the PDF text extractor gives it.
    return "".join(f"{line} \n\n" for line in lines)


#: The generated reports. The real report covers 2023-11-20..26; the real series then
#: runs weekly to the week of 2023-12-25 without a report for 2023-12-11..17, and stops
#: stating the prisoner count in its last report. The sample series has more reports
#: than the real one (so sample data is shown by default, as for the bundled set).
WEEKS: tuple[Week, ...] = (
    Week(
        dt.date(2023, 11, 27),
        prisoners=1458,
        border=(Border("LT", 30), Border("LV", 95), Border("PL", 140)),
        deals=(Deal("RU", 1500, "EUR"),),
        others=("ミンスクで国際フォーラム「ユーラシア安全保障」開催",),
    ),
    Week(
        dt.date(2023, 12, 4),
        prisoners=1470,
        prisoners_qualifier="approx",
        border=(Border("LT", 12), Border("LV", 80), Border("PL", 35, "attempts")),
        deals=(Deal("CN", 1200), Deal("KZ", 300)),
        highlight="ベラルーシ・中国首脳会談",
    ),
    # No report for 2023-12-11..17: a gap in every chart of the real series.
    Week(
        dt.date(2023, 12, 18),
        prisoners=1481,
        border=(Border("LT", 18), Border("LV", 70), Border("PL", 160)),
        others=("新年に向けた恩赦法の署名式典について",),
    ),
    Week(
        dt.date(2023, 12, 25),
        border=(Border("LT", 9), Border("LV", 66), Border("PL", 120)),
        highlight="年末の大統領演説",
    ),
    # The sample series: more weeks than the real one (as in the bundled set), its own
    # numbers, overlapping the real weeks without ever joining their lines.
    *(
        Week(
            dt.date(2023, 11, 13) + dt.timedelta(weeks=i),
            issuer=SAMPLE_ISSUER,
            prisoners=2000 + 100 * i,
            border=(Border("LT", 500 + 10 * i), Border("LV", 400 + 10 * i), Border("PL", 300 + i)),
            highlight="サンプルの出来事（合成）",
        )
        for i in range(6)
    ),
)


def write_reports(folder: Path, weeks: tuple[Week, ...] = WEEKS) -> list[Path]:
    """The generated reports as files (UTF-8), plus a copy of the real report."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / REAL_REPORT.name]
    paths[0].write_bytes(REAL_REPORT.read_bytes())
    for week in weeks:
        path = folder / week.file_name
        path.write_text(report_text(week), encoding="utf-8")
        paths.append(path)
    return paths


def build_db(db: Path, folder: Path) -> Path:
    """A fixture database from :func:`write_reports` through the library's ingest."""
    result = ingest.ingest(db, write_reports(folder), workers=1)
    failed = [(o.file_name, o.message) for o in result.failed]
    assert not failed, failed
    return db


def real_expected() -> dict:
    return json.loads(REAL_EXPECTED.read_text(encoding="utf-8"))


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def expected_observations() -> pd.DataFrame:
    """What the fixture reports state, one row per number: the real report's expected
    JSON and :data:`WEEKS`, with the series and the week (Monday) each belongs to."""
    rows: list[dict[str, Any]] = []
    real = real_expected()
    for o in real["observations"]:
        day = dt.date.fromisoformat(o["period_start"] or o["as_of"])
        rows.append(
            {
                "series": REAL_SERIES,
                "is_sample": False,
                "week": _monday_of(day),
                "indicator": o["indicator"],
                "dimension": o["dimension"],
                "unit": o["unit"],
                "value": float(o["value"]),
                "qualifier": o["qualifier"],
                "published": dt.date.fromisoformat(real["report"]["published"]),
            }
        )
    for w in WEEKS:
        base = {"series": w.series, "is_sample": w.is_sample, "week": w.period_start}
        base["published"] = w.published
        if w.prisoners is not None:
            rows.append(
                base
                | {
                    "indicator": "political_prisoners",
                    "dimension": None,
                    "unit": "persons",
                    "value": float(w.prisoners),
                    "qualifier": w.prisoners_qualifier,
                }
            )
        for b in w.border:
            rows.append(
                base
                | {
                    "indicator": "border_interceptions",
                    "dimension": b.country,
                    "unit": b.unit,
                    "value": float(b.value),
                    "qualifier": b.qualifier,
                }
            )
        for d in w.deals:
            rows.append(
                base
                | {
                    "indicator": "trade_deal_value",
                    "dimension": d.counterparty,
                    "unit": d.currency,
                    "value": float(d.value * 10_000),
                    "qualifier": "exact",
                }
            )
    return pd.DataFrame(rows)


def report_weeks(series: str) -> list[dt.date]:
    """The weeks (Mondays) a series has a report for."""
    weeks = [w.period_start for w in WEEKS if w.series == series]
    if series == REAL_SERIES:
        weeks.append(dt.date.fromisoformat(real_expected()["report"]["period_start"]))
    return sorted(weeks)


# --- reading what the app drew (AppTest) ------------------------------------------------

ROOT = TESTS.parent
APP = ROOT / "app.py"


def chart_spec(element: Any) -> dict[str, Any]:
    """The Vega-Lite spec of a chart element (``at.get("vega_lite_chart")[i]``)."""
    return json.loads(element.proto.spec)


def chart_rows(element: Any, needs: str = "value") -> pd.DataFrame:
    """A chart's data rows: its datasets (Streamlit ships them as Arrow IPC beside the
    spec) that have the column ``needs``, so grey bands and annotations are left out."""
    frames = [
        pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
        for dataset in element.proto.datasets
    ]
    frames = [f for f in frames if needs in f]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def chart_by_key(at: Any, key: str) -> Any:
    """A chart with a selection (only those are widgets with a key)."""
    return next(c for c in at.get("vega_lite_chart") if c.key == key)


def charts_of(at: Any, indicator: str) -> list[Any]:
    """The charts whose data are the weekly rows of ``indicator``."""
    found = []
    for chart in at.get("vega_lite_chart"):
        rows = chart_rows(chart)
        if "indicator" in rows and set(rows["indicator"].dropna()) == {indicator}:
            found.append(chart)
    return found


def send_selection(at: Any, key: str, selection: dict[str, Any]) -> Any:
    """Rerun the app as if the user had selected on the chart ``key`` in the browser.

    AppTest has no API for chart selections, so this sends the widget state the browser
    sends: the chart's id with ``{"selection": {...}}`` as its JSON string value.
    """
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    chart = chart_by_key(at, key)
    states = at._tree.get_widget_states()
    kept = [w for w in states.widgets if w.id != chart.proto.id]
    del states.widgets[:]
    states.widgets.extend(kept)
    state = WidgetState(id=chart.proto.id, string_value=json.dumps({"selection": selection}))
    states.widgets.append(state)
    return at._run(states)


def give_name(at: Any, name: str) -> Any:
    """Answer the name a dashboard without sign-in asks for before the first change."""
    at.text_input(key="user_name_input").input(name)
    return at.button(key="user_name_ok").click().run()


def texts(at: Any) -> str:
    """Every text, caption, markdown and metric on the page, joined (for "is it shown")."""
    parts = [e.value for e in (*at.text, *at.caption, *at.markdown)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)
