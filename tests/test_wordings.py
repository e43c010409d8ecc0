"""Sentences of the three indicators in wordings of their own, each with what the analyst
would write down from it by the conventions (the shared ``reports/dev/README.md``).

They were written from the conventions before the extractor was run on them, as a
measure of how it carries to wordings it was not built on: all 48 were right when they
were written (2026-12-03), in plain text, wrapped as PDF-extracted text at six widths,
and laid out as two-column PDFs by LibreOffice. Kept here they lock those results. Each
sentence is an item of a report of its own (one political-prisoners count per report).
"""

from __future__ import annotations

import random

import pytest
from test_extract import run

# (headline, bullets, citation, observations: (indicator, country, value, unit, qualifier))
CASES = [
    (
        "●政治犯の状況",
        ["人権団体「ヴャスナ」によると、12月1日現在、ベラルーシ国内の政治犯は1,430人。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1430, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナが政治犯と認定している者の数は、前週から5人減って1,425人となった。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1425, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによれば、政治犯の総数は1,400人を超えた。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1400, "persons", "at_least")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナは、現在約1,410名を政治犯として認定している。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1410, "persons", "approx")],
    ),
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、2020年以降に政治犯と認定された者は延べ3,500人に上り、現在も1,420人が拘束されている。"
        ],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1420, "persons", "exact")],
    ),
    (
        "●政治犯の状況（11月28日時点）",
        ["ヴャスナによると、政治犯は1,433人。うち女性は160人。"],
        "（11月 29日 ヴャスナ）",
        [("political_prisoners", None, 1433, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、今週新たに12人が政治犯と認定され、政治犯の数は1,441人に達した。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1441, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、政治犯として認定された人の数は1,380人余りとなっている。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1380, "persons", "approx")],
    ),
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、今年に入ってから恩赦で釈放された政治犯は200人近くに上る一方、政治犯の数は依然として1,350人前後で推移している。"
        ],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1350, "persons", "approx")],
    ),
    (
        "●ベラルーシからの不法越境",
        ["リトアニア国境警備局は、同期間に25人の不法越境者の入国を拒否した。"],
        "（11月 20日～26日 リトアニア国境警備局）",
        [("border_interceptions", "LT", 25, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によると、11月20日から26日までの間に、ベラルーシ側からの越境の試みは約300件に上った。"
        ],
        "（11月 27日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 300, "attempts", "approx")],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ラトビアでは、1週間で64人がベラルーシ国境で追い返された。"],
        "（11月 27日 LSM）",
        [("border_interceptions", "LV", 64, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊は、ベラルーシとの国境で少なくとも150人の越境を阻止した。このうち20人はアフガニスタン国籍。"
        ],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 150, "persons", "at_least")],
    ),
    (
        "●ベラルーシからの不法越境",
        ["リトアニア国境警備局は、同期間に人道的理由で3人の入国を認め、19人の入国を拒否した。"],
        "（11月 20日～26日 リトアニア国境警備局）",
        [("border_interceptions", "LT", 19, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ラトビア国境警備隊によると、今年に入ってからの阻止件数は1万2,000件を超え、今週は48件だった。"
        ],
        "（11月 20日～26日 ラトビア国境警備隊）",
        [("border_interceptions", "LV", 48, "attempts", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によれば、11月24日には1日で70人が越境を試み、週全体では約250人が阻止された。"
        ],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 250, "persons", "approx")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "リトアニア、ラトビア両国の国境警備当局は、それぞれ12人、30人のベラルーシからの越境を阻止した。"
        ],
        "（11月 20日～26日 BNS）",
        [
            ("border_interceptions", "LT", 12, "persons", "exact"),
            ("border_interceptions", "LV", 30, "persons", "exact"),
        ],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ラトビア国境警備隊は、ベラルーシからの不法入国を試みた42人を阻止したと発表した。"],
        "（11月 20日～26日 ラトビア国境警備隊）",
        [("border_interceptions", "LV", 42, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ポーランドの国境警備隊は、同国境で計180件の越境の試みを記録した。"],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 180, "attempts", "exact")],
    ),
    (
        "●ベラルーシとロシアの協力",
        ["ベラルーシとロシアの企業は、総額5億ドル相当の契約に署名した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "RU", 500000000, "USD", "exact")],
    ),
    (
        "●中国との経済協力",
        ["ベラルーシと中国は、約3億元規模の投資協定を締結した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "CN", 300000000, "CNY", "approx")],
    ),
    (
        "●カザフスタンとの協力",
        ["フォーラムでは、カザフスタン企業との間で総額2,500万ドル超の契約が結ばれた。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "KZ", 25000000, "USD", "at_least")],
    ),
    (
        "●ロシア・ブリャンスク州との協力",
        ["ベラルーシは同州と、1億ロシア・ルーブルの供給契約を交わした。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "RU", 100000000, "RUB", "exact")],
    ),
    (
        "●ベトナムとの協力",
        ["両国は、年内に総額1,000万ドルの契約を締結する予定。"],
        "（11月 24日 ベルタ通信）",
        [],
    ),
    (
        "●イランとの貿易",
        ["ベラルーシとイランの貿易額は1～9月に1億ドルに達した。"],
        "（11月 24日 ベルタ通信）",
        [],
    ),
    (
        "●ジンバブエとの協力",
        ["ベラルーシとジンバブエは、トラクター供給に関する4,800万ドルの契約に調印した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "ZW", 48000000, "USD", "exact")],
    ),
    (
        "●ロシアとの協力",
        ["ベラルーシとロシアは、総額48百万ドルの協定に署名した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "RU", 48000000, "USD", "exact")],
    ),
    (
        "●モンゴルとの協力",
        ["両国の企業は、計3件、総額約700万ユーロの契約を締結した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "MN", 7000000, "EUR", "approx")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナのデータでは、11月30日時点の政治囚は1,412人。"],
        "（11月 30日 ヴャスナ）",
        [("political_prisoners", None, 1412, "persons", "exact")],
    ),
    (
        "●政治犯の数（12月1日現在）",
        ["ヴャスナの集計で1,418人。先週比で3人の減少。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1418, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナは、新たに9名を政治犯と認定したと発表。これにより政治犯は計1,427名となった。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1427, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、今週は6人の政治犯が刑期を終えて釈放され、政治犯の数は1,399人に減少した。"
        ],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1399, "persons", "exact")],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、政治的理由で拘束されている者は1,400人以上に上る。"],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1400, "persons", "at_least")],
    ),
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、政治犯のうち未成年者は5人、女性は158人で、政治犯全体では1,402人となっている。"
        ],
        "（12月 1日 ヴャスナ）",
        [("political_prisoners", None, 1402, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境（11月20日～26日）",
        [
            "リトアニア：14人の入国を拒否。",
            "ラトビア：51人の越境を阻止。",
            "ポーランド：約220件の越境の試み。",
        ],
        "（11月 27日 各国国境警備当局）",
        [
            ("border_interceptions", "LT", 14, "persons", "exact"),
            ("border_interceptions", "LV", 51, "persons", "exact"),
            ("border_interceptions", "PL", 220, "attempts", "approx"),
        ],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ポーランド国境警備隊によると、ベラルーシ国境では同期間、不法越境未遂が120件あった。"],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 120, "attempts", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        ["リトアニア国境警備局によると、ベラルーシ国境で入国を阻まれた移民は33人だった。"],
        "（11月 20日～26日 リトアニア国境警備局）",
        [("border_interceptions", "LT", 33, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ラトビア国境警備隊は、11月20日～26日に、ベラルーシから不法に国境を越えようとした87人を押し戻した。前週は102人だった。"
        ],
        "（11月 27日 ラトビア国境警備隊）",
        [("border_interceptions", "LV", 87, "persons", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によれば、年初からの越境の試みは約2万8,000件に達し、先週は1日平均40件、週間では290件だった。"
        ],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 290, "attempts", "exact")],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によると、同期間に密入国を手助けした容疑者5人を拘束し、越境の試み95件を阻止した。"
        ],
        "（11月 20日～26日 ポーランド国境警備隊）",
        [("border_interceptions", "PL", 95, "attempts", "exact")],
    ),
    (
        "●ウクライナ国境",
        ["ウクライナ国境警備庁は、ベラルーシ国境で7人の不法越境者を拘束した。"],
        "（11月 20日～26日 ウクライナ国境警備庁）",
        [("border_interceptions", "UA", 7, "persons", "exact")],
    ),
    (
        "●オマーンとの協力",
        ["ベラルーシ企業とオマーン企業は、1.2億ドル相当の契約パッケージに署名した。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "OM", 120000000, "USD", "exact")],
    ),
    (
        "●ロシアとの協力",
        ["ロシア・ニジニノヴゴロド州との間で、総額1,500万米ドルの合意文書が署名された。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "RU", 15000000, "USD", "exact")],
    ),
    (
        "●中国との協力",
        ["双方は、総額2億人民元の契約を締結。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "CN", 200000000, "CNY", "exact")],
    ),
    (
        "●インドとの協力",
        ["ベラルーシカリはインド企業と、約6,000万ドルのカリ肥料供給契約をまとめた。"],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "IN", 60000000, "USD", "approx")],
    ),
    (
        "●ロシアとの協力",
        [
            "ミンスク州とロシア・トムスク州は、総額500万ドルの契約に署名した。昨年の両州間の貿易額は3,000万ドルだった。"
        ],
        "（11月 24日 ベルタ通信）",
        [("trade_deal_value", "RU", 5000000, "USD", "exact")],
    ),
    (
        "●ケニアとの協力",
        ["ベラルーシとケニアは、2,000万ドルの契約締結に向けた協議を行った。"],
        "（11月 24日 ベルタ通信）",
        [],
    ),
    (
        "●タジキスタンとの協力",
        [
            "タジキスタンとは、既に署名済みの1,200万ドルの契約に加え、新たに800万ドルの契約が締結された。"
        ],
        "（11月 24日 ベルタ通信）",
        [
            ("trade_deal_value", "TJ", 12000000, "USD", "exact"),
            ("trade_deal_value", "TJ", 8000000, "USD", "exact"),
        ],
    ),
]


def _observed(body: list[str]) -> list[tuple[object, ...]]:
    found = run(*body)
    return sorted(
        (o.indicator, o.dimension, int(o.value), o.unit, o.qualifier) for o in found.observations
    )


def _item(case: tuple, width: int | None) -> list[str]:
    """The case as a report's item, its bullets wrapped at about ``width`` characters
    as a PDF's text is (None: one line each)."""
    headline, bullets, citation, _ = case
    lines = []
    rng = random.Random(width)
    for bullet in bullets:
        text = "・" + bullet
        if width is None:
            lines.append(text)
            continue
        at = 0
        while at < len(text):
            step = width + rng.randint(-3, 3)
            lines.append(text[at : at + step])
            at += step
    return ["【内政】", headline, *lines, citation]


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
@pytest.mark.parametrize("width", [None, 9, 15, 23])
def test_a_wording_gives_what_the_conventions_say(case: tuple, width: int | None) -> None:
    assert _observed(_item(case, width)) == sorted(case[3])


# Written the same way later that day, from the conventions, as (headline, bullets,
# observations: (indicator, country, value)), in three rounds:
# - 13, of which the extractor got 10 right; the three it got wrong (a trade figure
#   behind a percentage taken for a deal, a deal of an earlier visit, a year's sum of
#   deals) were mended after;
# - 4 written after those mends;
# - 11, of which it got 9 right; the two it got wrong (a month's border count taken for
#   the week's, an investment an MoU plans taken for a deal) were mended after.
# For the nine mended or written after, this is a lock, not a measure.
LATER = [
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、政治犯の数は1,450人。",
            "一方、独立系メディアは、政治犯の実数は3,000人を超えるとの見方を示した。",
        ],
        [("political_prisoners", None, 1450)],
    ),
    (
        "●政治犯の状況",
        [
            "ヴャスナによると、政治犯は1,450人。ヴャスナはこれまでに延べ4,000人以上を政治犯と認定してきた。"
        ],
        [("political_prisoners", None, 1450)],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、政治犯1,450人のうち、約700人が重い刑を受けている。"],
        [("political_prisoners", None, 1450)],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、政治犯の数は前週比で5人増え、1,455人となった。"],
        [("political_prisoners", None, 1455)],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によると、今週のベラルーシ国境での越境の試みは約250件で、前週の約320件から減少した。"
        ],
        [("border_interceptions", "PL", 250)],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ポーランド国境警備隊によると、越境の試みは約250件で、前の週（約320件）より減った。"],
        [("border_interceptions", "PL", 250)],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ラトビア国境警備隊によると、越境の試みは今週48件と、前週の2倍に増えた。"],
        [("border_interceptions", "LV", 48)],
    ),
    (
        "●ロシアとの協力",
        ["両国間の貿易額は前年比15%増の10億ドルに達し、会談では総額2億ドルの契約に署名した。"],
        [("trade_deal_value", "RU", 200000000)],
    ),
    (
        "●ロシアとの協力",
        [
            "ロシアとの会談では、総額2億ドルの契約に署名した。前回の訪問時には1億ドルの契約が結ばれていた。"
        ],
        [("trade_deal_value", "RU", 200000000)],
    ),
    ("●中国との協力", ["昨年署名された5億ドルの契約の履行状況を確認した。"], []),
    (
        "●中国との協力",
        [
            "ベラルーシと中国は、総額3億ドルの契約に署名した。これにより、両国間で今年署名された契約の総額は12億ドルに達した。"
        ],
        [("trade_deal_value", "CN", 300000000)],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "リトアニア国境警備局によると、今年に入ってから入国を拒否された者は計2,100人に上り、今週は19人だった。"
        ],
        [("border_interceptions", "LT", 19)],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "リトアニア国境警備局によると、同期間の越境の試みは19件で、2023年の週平均（約40件）を下回った。"
        ],
        [("border_interceptions", "LT", 19)],
    ),
    (
        "●ロシアとの協力",
        ["ベラルーシとロシアは、総額5億ドル（約750億円）の契約に署名した。"],
        [("trade_deal_value", "RU", 500000000)],
    ),
    (
        "●ロシアとの協力",
        ["今年最大となる総額5億ドルの契約がロシアとの間で署名された。"],
        [("trade_deal_value", "RU", 500000000)],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によると、ベラルーシ国境での越境の試みは約250件で、うち約30％は夜間だった。"
        ],
        [("border_interceptions", "PL", 250)],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、政治犯は1,450人で、その約10％が女性。"],
        [("political_prisoners", None, 1450)],
    ),
    (
        "●政治犯の状況",
        [
            "人権団体「ヴャスナ」によると、12月1日時点で政治犯と認定されている者は1,425人（前週比7人減）で、11月中に釈放された政治犯は計35人。"
        ],
        [("political_prisoners", None, 1425)],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナは、新たに15人を政治犯として認定し、その結果、政治犯は1,440人。"],
        [("political_prisoners", None, 1440)],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ポーランドでは同期間、越境の試みが計412件確認された（前週比56件増）。"],
        [("border_interceptions", "PL", 412)],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ラトビア国境警備隊は、11月27日から12月3日の間に、人道的理由で入国を認めた2人を除き、71人の越境を阻止した。"
        ],
        [("border_interceptions", "LV", 71)],
    ),
    (
        "●ベラルーシからの不法越境（11月20日～26日）",
        ["リトアニア：19人（前週22人）", "ポーランド：約250件（前年同期は約500件）"],
        [("border_interceptions", "LT", 19), ("border_interceptions", "PL", 250)],
    ),
    (
        "●ベラルーシからの不法越境",
        ["リトアニア国境警備局は19人の入国を拒否した。前週は22人、前々週は31人だった。"],
        [("border_interceptions", "LT", 19)],
    ),
    (
        "●ベラルーシからの不法越境",
        ["ラトビア国境警備隊によると、71人の越境を阻止し、これで今年の累計は4,512人となった。"],
        [("border_interceptions", "LV", 71)],
    ),
    (
        "●ロシアとの協力",
        [
            "ロシアと覚書に署名した。覚書には、今後5年間で総額5億ドルの投資を行うことが盛り込まれた。"
        ],
        [],
    ),
    (
        "●ベラルーシからの不法越境",
        [
            "ポーランド国境警備隊によると、ベラルーシ国境では11月に計1,200件の越境の試みがあり、11月27日～12月3日は約240件だった。"
        ],
        [("border_interceptions", "PL", 240)],
    ),
    (
        "●政治犯の状況",
        ["ヴャスナによると、12月1日現在、政治犯は1,425人。11月1日時点の1,460人から35人減った。"],
        [("political_prisoners", None, 1425)],
    ),
    (
        "●ロシアとの協力",
        [
            "ミンスク州とロシアのスモレンスク州は、総額3,000万ドル相当の契約パッケージに署名した。",
            "昨年の同様のフォーラムでは5,000万ドルの契約が署名された。",
        ],
        [("trade_deal_value", "RU", 30000000)],
    ),
]


@pytest.mark.parametrize("case", LATER, ids=[f"later{i:02d}" for i in range(len(LATER))])
def test_a_later_wording_gives_what_the_conventions_say(case: tuple) -> None:
    headline, bullets, wanted = case
    section = "【経済】" if "協力" in headline else "【内政】"
    found = run(
        section, headline, *("・" + b for b in bullets), "（11月 24日 ヴャスナ、ベルタ通信）"
    )
    observed = [(o.indicator, o.dimension, int(o.value)) for o in found.observations]
    assert sorted(observed) == sorted(wanted)


# Written from the conventions a day later (2026-12-03, 15:50 UTC), before the extractor
# ran on them: 30 items, each right in plain text and wrapped at three widths (120 of
# 120). A measure when written; a lock from then on. (headline, bullets, observations:
# (indicator, country, value, qualifier)); the border items cite 11月27日～12月3日.
P, B, D = "●政治犯の状況", "●ベラルーシからの不法越境", "●経済協力"
pp, bi, td = "political_prisoners", "border_interceptions", "trade_deal_value"
ROUND_FIVE = [
    (
        P,
        ["ヴャスナによると、政治犯の数は１，４５２人（１２月１日現在）。"],
        [(pp, None, 1452, "exact")],
    ),
    (
        P,
        ["ヴャスナによれば、政治犯は先週の1,460人から1,452人に減った。"],
        [(pp, None, 1452, "exact")],
    ),
    (
        P,
        [
            "ヴャスナによると、12月1日時点で1,452人が政治犯と認定されている。このうち、今週新たに認定されたのは8人。"
        ],
        [(pp, None, 1452, "exact")],
    ),
    (P, ["独立系人権団体ヴャスナは、政治犯を1,452人と数えている。"], [(pp, None, 1452, "exact")]),
    (
        P,
        ["ヴャスナによると、政治犯の数は1,452人で、前週比8人減となった。"],
        [(pp, None, 1452, "exact")],
    ),
    (P, ["ヴャスナによると、今週は政治犯12人が恩赦により釈放された。"], []),
    (
        P,
        ["ヴャスナによると、政治犯は約1,500人に上り、うち約170人が女性である。"],
        [(pp, None, 1500, "approx")],
    ),
    (P, ["ヴャスナによると、政治犯の数はおよそ1,450人。"], [(pp, None, 1450, "approx")]),
    (
        B,
        [
            "リトアニア国境警備局によると、11月27日から12月3日までに、ベラルーシからの不法越境者28人の入国を拒否した。"
        ],
        [(bi, "LT", 28, "exact")],
    ),
    (
        B,
        ["ラトビア国境警備隊によると、同期間、ベラルーシとの国境で不法越境の試みを56件阻止した。"],
        [(bi, "LV", 56, "exact")],
    ),
    (
        B,
        ["ポーランドでは、ベラルーシからの越境の試みが前週比20件減の210件となった。"],
        [(bi, "PL", 210, "exact")],
    ),
    (
        B,
        ["リトアニアでは、同期間に不法越境を試みた31名が追い返された。"],
        [(bi, "LT", 31, "exact")],
    ),
    (
        B,
        ["ポーランド国境警備隊によると、今年1月からの累計は3万件を超え、同期間は約230件だった。"],
        [(bi, "PL", 230, "approx")],
    ),
    (
        B,
        ["リトアニア国境警備局によると、1日あたり平均5人、週間で計35人の入国を拒否した。"],
        [(bi, "LT", 35, "exact")],
    ),
    (
        B,
        ["ラトビア国境警備隊は、同期間に41人の入国を拒否したほか、3人を人道的理由で受け入れた。"],
        [(bi, "LV", 41, "exact")],
    ),
    (
        B,
        [
            "ポーランド国境警備隊によると、ベラルーシ国境での不法越境の試みは、同期間に約1,100件に上った。"
        ],
        [(bi, "PL", 1100, "approx")],
    ),
    (B, ["リトアニア：同期間に22人の越境を阻止（前週は18人）。"], [(bi, "LT", 22, "exact")]),
    (
        D,
        ["ベラルーシとベトナムは、総額3,000万ドルの契約に署名した。"],
        [(td, "VN", 30000000, "exact")],
    ),
    (
        D,
        ["ベラルーシとロシア・タタルスタン共和国は、1億2,000万ドルの契約を締結した。"],
        [(td, "RU", 120000000, "exact")],
    ),
    (
        D,
        ["ベラルーシ企業は、中国企業との間で総額8,500万ドル超の契約を締結した。"],
        [(td, "CN", 85000000, "at_least")],
    ),
    (
        D,
        ["ベラルーシとアゼルバイジャンは、総額1,500万ユーロの協定に調印した。"],
        [(td, "AZ", 15000000, "exact")],
    ),
    (D, ["ベラルーシとウズベキスタンは、今後3年間でトラクター500台を供給する契約に署名した。"], []),
    (
        D,
        ["ベラルーシとロシア・ヤロスラヴリ州は、総額約50億ロシア・ルーブルの契約に署名した。"],
        [(td, "RU", 5000000000, "approx")],
    ),
    (D, ["ベラルーシとモンゴルは、総額200万ドルの契約を締結する見通し。"], []),
    (
        D,
        ["ベラルーシ企業と外国企業複数社は、総額4,000万ドルの契約に署名した。"],
        [(td, None, 40000000, "exact")],
    ),
    (
        D,
        ["ベラルーシとインドネシアは、パーム油供給に関する契約（総額1,000万ドル）に署名した。"],
        [(td, "ID", 10000000, "exact")],
    ),
    (
        D,
        ["ベラルーシとセルビアの企業間で、計2,300万ドル相当の契約が締結された。"],
        [(td, "RS", 23000000, "exact")],
    ),
    (
        D,
        ["ベラルーシとキルギスは、2,000万ドルの融資協定に署名した。"],
        [(td, "KG", 20000000, "exact")],
    ),
    (D, ["ベラルーシの対中輸出は1～10月に前年同期比20%増加し、15億ドルとなった。"], []),
    (
        "●ベラルーシ・ベトナム経済協力",
        ["双方は、総額3,000万ドルの契約に署名した。"],
        [(td, "VN", 30000000, "exact")],
    ),
]


def _round_five_item(case: tuple, width: int | None) -> list[str]:
    headline, bullets, _ = case
    section = "【経済】" if "経済" in headline else "【内政】"
    citation = (
        "（11月 27日～12月 3日 各国国境警備当局）"
        if headline == B
        else "（12月 1日 ヴャスナ、ベルタ通信）"
    )
    _, _, *lines, _ = _item((headline, bullets, citation, None), width)
    return [section, headline, *lines, citation]


@pytest.mark.parametrize("case", ROUND_FIVE, ids=[f"five{i:02d}" for i in range(len(ROUND_FIVE))])
@pytest.mark.parametrize("width", [None, 9, 15, 23])
def test_a_fifth_round_wording_gives_what_the_conventions_say(
    case: tuple, width: int | None
) -> None:
    found = run(*_round_five_item(case, width))
    observed = [(o.indicator, o.dimension, int(o.value), o.qualifier) for o in found.observations]
    assert sorted(observed, key=str) == sorted(case[2], key=str)
