"""indicators.parse: clean lines -> Report(header, events with dates and sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indicators.errors import InputError
from indicators.parse import infer_date, parse_citation, parse_text, split_top_level
from indicators.read import decode

REPORTS = Path(__file__).parent / "reports"
D = dt.date


def report_text(
    *body: str, published: str = "2023年 11月 30日", period: str = "（11月 20日～11月 26日）"
) -> str:
    """A report in the PDF-extracted shape: every line followed by a blank line."""
    lines = [" ベラルーシ公開情報とりまとめ", period, published, "在ベラルーシ大使館", *body]
    return "".join(f"{line} \n\n" for line in lines)


@pytest.mark.parametrize(
    ("month", "day", "anchor", "expected"),
    [
        pytest.param(12, 29, D(2024, 1, 4), D(2023, 12, 29), id="december-before-new-year"),
        pytest.param(1, 2, D(2024, 1, 4), D(2024, 1, 2), id="january-after-new-year"),
        pytest.param(12, 31, D(2024, 1, 1), D(2023, 12, 31), id="new-year-day"),
        pytest.param(11, 24, D(2023, 11, 30), D(2023, 11, 24), id="same-month"),
        pytest.param(10, 30, D(2023, 11, 2), D(2023, 10, 30), id="previous-month"),
        pytest.param(2, 29, D(2024, 3, 7), D(2024, 2, 29), id="leap-day"),
        pytest.param(2, 30, D(2024, 1, 4), None, id="no-such-day"),
    ],
)
def test_infer_date(month: int, day: int, anchor: dt.date, expected: dt.date | None) -> None:
    assert infer_date(month, day, anchor) == expected


@pytest.mark.parametrize(
    ("content", "anchor", "dates", "sources"),
    [
        pytest.param(
            "11月21日大統領府", D(2023, 11, 30), [D(2023, 11, 21)], ["大統領府"], id="date-source"
        ),
        pytest.param(
            "11月23日国営ベルタ通信、24日「ゼルカロ（鏡）」",
            D(2023, 11, 30),
            [D(2023, 11, 23), D(2023, 11, 24)],
            ["国営ベルタ通信", "ゼルカロ（鏡）"],
            id="second-date-day-only",
        ),
        pytest.param(
            "11月22日ベラルーシ外務省、スプートニク・ベラルーシ、スプートニク・アルメニア",
            D(2023, 11, 30),
            [D(2023, 11, 22)],
            ["ベラルーシ外務省", "スプートニク・ベラルーシ", "スプートニク・アルメニア"],
            id="several-sources",
        ),
        pytest.param(
            "11月21日～11月27日Pozirk",
            D(2023, 11, 30),
            [D(2023, 11, 21), D(2023, 11, 27)],
            ["Pozirk"],
            id="range",
        ),
        pytest.param(
            "11月24日人権団体「ヴャスナ（春）」",
            D(2023, 11, 30),
            [D(2023, 11, 24)],
            ["人権団体「ヴャスナ（春）」"],
            id="quotes-inside-a-source-kept",
        ),
        pytest.param(
            "12月29日大統領府、1月2日国営ベルタ通信",
            D(2024, 1, 4),
            [D(2023, 12, 29), D(2024, 1, 2)],
            ["大統領府", "国営ベルタ通信"],
            id="across-new-year",
        ),
        pytest.param(
            "12月26日～1月1日Pozirk",
            D(2024, 1, 4),
            [D(2023, 12, 26), D(2024, 1, 1)],
            ["Pozirk"],
            id="range-across-new-year",
        ),
        pytest.param(
            "11月20日～26日Pozirk",
            D(2023, 11, 30),
            [D(2023, 11, 20), D(2023, 11, 26)],
            ["Pozirk"],
            id="range-end-day-only",
        ),
        pytest.param(
            "11月30日大統領府、1日Pozirk",
            D(2023, 12, 7),
            [D(2023, 11, 30), D(2023, 12, 1)],
            ["大統領府", "Pozirk"],
            id="day-only-in-the-next-month",
        ),
        pytest.param(
            "5月21日～5月27日 Pozirk、23日 ゼルカロ",
            D(2024, 5, 30),
            [D(2024, 5, 21), D(2024, 5, 27), D(2024, 5, 23)],
            ["Pozirk", "ゼルカロ"],
            id="day-only-inside-the-range-same-month",
        ),
        pytest.param(
            "11月28日～12月4日 Pozirk、3日 ゼルカロ",
            D(2024, 12, 5),
            [D(2024, 11, 28), D(2024, 12, 4), D(2024, 12, 3)],
            ["Pozirk", "ゼルカロ"],
            id="day-only-after-a-range-across-months",
        ),
        pytest.param("11月20日", D(2023, 11, 30), [D(2023, 11, 20)], [], id="date-only"),
    ],
)
def test_parse_citation_shapes(
    content: str, anchor: dt.date, dates: list[dt.date], sources: list[str]
) -> None:
    assert parse_citation(content, anchor) == (dates, sources)


def test_split_top_level_ignores_separators_inside_brackets() -> None:
    assert split_top_level("A、「B（C、D）」、E") == ["A", "「B（C、D）」", "E"]


def test_header_of_the_real_report() -> None:
    report = parse_text(decode((REPORTS / "belarus-weekly-2023-11-30.txt").read_bytes()))
    assert (report.title, report.issuer) == ("ベラルーシ公開情報とりまとめ", "在ベラルーシ大使館")
    assert (report.published, report.period_start, report.period_end) == (
        D(2023, 11, 30),
        D(2023, 11, 20),
        D(2023, 11, 26),
    )
    assert report.sections == [
        "主な出来事",
        "ルカシェンコ大統領動静",
        "外交",
        "内政",
        "経済",
        "抗議勢力の動き",
        "その他",
        "統計等",
    ]
    assert [event.seq for event in report.events] == list(range(19))


def test_header_period_across_new_year() -> None:
    report = parse_text(
        report_text(
            "【内政】", "●見出し", published="2024年 1月 11日", period="（12月 30日～1月 5日）"
        )
    )
    assert (report.period_start, report.period_end) == (D(2023, 12, 30), D(2024, 1, 5))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            report_text("【内政】", "●見出し", published="在ベラルーシ大使館"), id="no-date-line"
        ),
        pytest.param(
            report_text("【内政】", "●見出し", published="2023年 2月 30日"), id="impossible-date"
        ),
        pytest.param("ベラルーシ公開情報とりまとめ\n\n●見出し\n", id="title-then-item"),
    ],
)
def test_header_without_publication_date_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="no publication date"):
        parse_text(text)


def test_a_text_without_items_is_refused() -> None:
    text = report_text("【内政】", "・箇条書きだけ。", "（11月 24日 大統領府）")
    with pytest.raises(InputError, match="●"):
        parse_text(text)


@pytest.mark.parametrize("text", ["", " \n\n- 1 -\n\n"])
def test_an_empty_text_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_text(text)


def test_wrapped_lines_are_joined_and_citation_closes_the_item() -> None:
    report = parse_text(
        report_text(
            "【内政】",
            "●議会選挙に関するカルペンコ中央選挙管理委員会",
            "委員長の発言",
            "・11 月 24 日、カルペンコ委員長は、来年 2 月 25 日に",
            "選挙が行われる旨発言。",
            "（11 月 24 日 国営ベルタ通信、26 日 「全国テレビ",
            "（ONT）」）",
        )
    )
    [event] = report.events
    assert event.section == "内政"
    assert event.headline == "議会選挙に関するカルペンコ中央選挙管理委員会委員長の発言"
    assert event.body == ["・11月24日、カルペンコ委員長は、来年2月25日に選挙が行われる旨発言。"]
    assert event.dates == [D(2023, 11, 24), D(2023, 11, 26)]
    assert event.sources == ["国営ベルタ通信", "全国テレビ（ONT）"]


def test_a_line_opening_with_the_dot_inside_a_katakana_name_continues_its_bullet() -> None:
    report = parse_text(
        report_text(
            "【経済】",
            "●ブレスト州とスモレンスク州との協力",
            "・同州の企業はロシア",
            "・スモレンスク州の企業と契約に署名した。",
            "・ロシア側は歓迎した。",
            "（2 月 25 日 ブレスト州執行委員会）",
        )
    )
    [event] = report.events
    assert event.body == [
        "・同州の企業はロシア・スモレンスク州の企業と契約に署名した。",
        "・ロシア側は歓迎した。",
    ]


def test_latin_words_split_over_lines_keep_their_space() -> None:
    report = parse_text(
        report_text(
            "【統計等】",
            "●調査",
            "・「Justice for",
            "Journalist」財団の調査。",
            "（11月 23日 Pozirk）",
        )
    )
    assert report.events[0].body == ["・「Justice for Journalist」財団の調査。"]


def test_item_without_bullets_has_headline_and_citation_only() -> None:
    report = parse_text(
        report_text(
            "【外交】",
            "●ウクライナは、モロゾフ「ベラルーシ鉄道」代表に対し、",
            "制裁を導入",
            "（11月 22日 Pozirk）",
        )
    )
    [event] = report.events
    assert event.headline == "ウクライナは、モロゾフ「ベラルーシ鉄道」代表に対し、制裁を導入"
    assert (event.body, event.dates, event.sources) == ([], [D(2023, 11, 22)], ["Pozirk"])


def test_highlight_without_citation_is_dated_by_its_headline() -> None:
    report = parse_text(
        report_text(
            "【主な出来事】",
            "●議会選挙の実施日の決定（11月 20日）",
            "●首脳会合及び合同会合の開催（11",
            "月 22日、23日）",
            "【外交】",
            "●会談",
            "（11月 24日 外務省）",
        )
    )
    highlight, wrapped, body = report.events
    assert (highlight.section, highlight.dates, highlight.sources) == (
        "主な出来事",
        [D(2023, 11, 20)],
        [],
    )
    assert wrapped.headline == "首脳会合及び合同会合の開催（11月22日、23日）"
    assert wrapped.dates == [D(2023, 11, 22), D(2023, 11, 23)]
    assert body.section == "外交"


def test_period_printed_in_an_item_is_its_period() -> None:
    report = parse_text(
        report_text(
            "【内政】",
            "●ベラルーシから欧州への不法越境の試み",
            "（11月 13日～11月 19日）",
            "・リトアニア国境警備局は少なくとも 22人を阻止。",
            "（11月 21日～11月 27日 Pozirk）",
        )
    )
    [event] = report.events
    assert event.period == (D(2023, 11, 13), D(2023, 11, 19))
    assert event.dates == [D(2023, 11, 21), D(2023, 11, 27)]


def test_subheadings_stay_in_the_body() -> None:
    report = parse_text(
        report_text(
            "【動静】",
            "●首脳会合",
            "（1）大統領の発言",
            "・発言。",
            "（2）二国間会談",
            "・会談。",
            "（11月 23日 国営ベルタ通信）",
        )
    )
    assert report.events[0].body == ["（1）大統領の発言", "・発言。", "（2）二国間会談", "・会談。"]


def test_text_after_the_end_mark_and_before_the_first_item_is_no_event() -> None:
    report = parse_text(
        report_text(
            "【内政】",
            "前置きの文章。",
            "●見出し",
            "（11月 24日 大統領府）",
            "（了）",
            "●了の後の項目",
        )
    )
    assert [event.headline for event in report.events] == ["見出し"]


def test_a_headline_wrapped_before_its_date_keeps_the_date_when_bullets_follow() -> None:
    report = parse_text(
        report_text(
            "【抗議勢力の動き】",
            "●民主勢力による「調整評議会」選挙の日程発表",
            "（11月 22日）",
            "・民主勢力は、選挙をオンラインで実施する旨発表。",
            "【内政】",
            "●ベラルーシから欧州への不法越境の試み",
            "（11月 13日～11月 19日）",
            "・リトアニア国境警備局は 22人を阻止。",
            "（11月 21日 Pozirk）",
        )
    )
    council, border = report.events
    assert council.headline == "民主勢力による「調整評議会」選挙の日程発表（11月22日）"
    assert (council.dates, council.sources) == ([D(2023, 11, 22)], [])
    # A range on the line after a headline is the period of the item's counts, as before.
    assert border.headline == "ベラルーシから欧州への不法越境の試み"
    assert border.period == (D(2023, 11, 13), D(2023, 11, 19))


def test_a_headlines_as_of_date_on_a_line_of_its_own_is_the_headlines_not_a_source() -> None:
    report = parse_text(
        report_text(
            "【主な出来事】",
            "●「ヴャスナ」認定の政治犯、前週より減少し 1,387人に",
            "（11月 24日現在）",
            "●政治犯の数（11月 24日時点）",
            "【内政】",
            "●政治犯の数",
            "（11月 24日時点）",
            "・ヴャスナによれば、政治犯は 1,387人。",
            "（11月 25日 人権団体「ヴャスナ」）",
        )
    )
    alone, inline, cited = report.events
    assert alone.headline == "「ヴャスナ」認定の政治犯、前週より減少し1,387人に（11月24日現在）"
    assert (alone.dates, alone.sources, alone.body) == ([D(2023, 11, 24)], [], [])
    assert (inline.dates, inline.sources) == ([D(2023, 11, 24)], [])
    assert cited.headline == "政治犯の数（11月24日時点）"
    assert (cited.dates, cited.sources) == ([D(2023, 11, 25)], ["人権団体「ヴャスナ」"])


def test_a_running_header_with_the_period_inside_a_headline_is_dropped() -> None:
    report = parse_text(
        report_text(
            "【外交】",
            "●ルイジェンコフ外務大臣とガルージン露外務次官との",
            "2/3",
            "ベラルーシ公開情報とりまとめ（11月 20日～11月 26日）",
            "政治協議",
            "・協議した。",
            "- 3 -",
            "ベラルーシ公開情報とりまとめ",
            "（11月 20日～11月 26日）",
            "（11月 22日 外務省）",
        )
    )
    [event] = report.events
    assert event.headline == "ルイジェンコフ外務大臣とガルージン露外務次官との政治協議"
    assert (event.body, event.dates, event.period) == (["・協議した。"], [D(2023, 11, 22)], None)


def test_a_citation_on_the_last_sentences_line_closes_the_item() -> None:
    report = parse_text(
        report_text(
            "【内政】",
            "●不法越境",
            "・ラトビアでは、不法越境の試みは 95件。（11月 21日～11月 27日 Pozirk）",
            "●大統領の発言",
            "・大統領は、協力の拡大を求めた。（11月 22日）",
        )
    )
    border, remark = report.events
    assert border.body == ["・ラトビアでは、不法越境の試みは95件。"]
    assert (border.dates, border.sources) == ([D(2023, 11, 21), D(2023, 11, 27)], ["Pozirk"])
    # Dates alone after a sentence name no source: no citation, the text stays.
    assert (remark.body, remark.dates) == (["・大統領は、協力の拡大を求めた。（11月22日）"], [])


def test_the_end_mark_on_the_last_citations_line_ends_the_report() -> None:
    report = parse_text(
        report_text(
            "【統計等】",
            "●実質賃金",
            "・前年同期比 3.2%上昇。",
            "（11月 24日 国家統計委員会） （了）",
        )
    )
    [event] = report.events
    assert (event.dates, event.sources) == ([D(2023, 11, 24)], ["国家統計委員会"])


def test_a_narrow_column_breaking_a_section_heading_or_the_period_is_read_whole() -> None:
    report = parse_text(
        report_text(
            "【ルカシェンコ",
            "大統領動静】",
            "●新年の辞",
            "（12月 31日 大統領府）",
            published="2025年 1月 9日",
            period="（12月 30日～1 \n\n月 5日）",
        )
    )
    assert (report.period_start, report.period_end) == (D(2024, 12, 30), D(2025, 1, 5))
    [event] = report.events
    assert (event.section, event.headline) == ("ルカシェンコ大統領動静", "新年の辞")


@pytest.mark.parametrize(
    "broken",
    [["（11月 2", "2日 Pozirk）"], ["（11", "月22日 Pozirk）"], ["（11月", "22日 Pozirk）"]],
)
def test_a_citation_broken_inside_its_date_still_closes_an_item_without_bullets(
    broken: list[str],
) -> None:
    """holdout10: an item with no bullets whose citation's date the line's end cut."""
    report = parse_text(report_text("【外交】", "●外務大臣のワルシャワ訪問", *broken))
    [event] = report.events
    assert event.headline == "外務大臣のワルシャワ訪問"
    assert (event.dates, event.sources) == ([D(2023, 11, 22)], ["Pozirk"])


def test_a_citation_of_the_same_day_as_the_headline_closes_the_item() -> None:
    """holdout12: （同日 ベルタ通信） under a headline dated （11月18日）."""
    report = parse_text(
        report_text(
            "【ルカシェンコ大統領動静】",
            "●国家保安委員会幹部らとの会合（11月 18日）",
            "・大統領は、治安情勢につき報告を受けた。",
            "（同日 ベルタ通信）",
        )
    )
    [event] = report.events
    assert event.body == ["・大統領は、治安情勢につき報告を受けた。"]
    assert (event.dates, event.sources) == ([D(2023, 11, 18)], ["ベルタ通信"])
