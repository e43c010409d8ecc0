"""Deterministic sample weekly reports in the shape of the real PDF-extracted text.

One real report cannot show a trend, and a scale benchmark needs thousands. This
module writes synthetic reports of the "公開情報とりまとめ" series from a seed: the same
structure, citation shapes and extraction artifacts as
``tests/reports/belarus-weekly-2023-11-30.txt``, filler events drawn from template
pools, and three indicators whose ground truth is returned beside each text in the
``parse --json`` observation shape. Every sample says so in its issuer line
(:data:`SAMPLE_ISSUER`), so it can never pass for an embassy report.

Values are a function of (seed, series, week) only: generating 2023 alone or
2015..2025 gives the same report for a given week.

    python -m indicators.sample OUT_DIR [--series N] [--years Y] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BUNDLED_END",
    "BUNDLED_MISSING",
    "BUNDLED_START",
    "COUNTERPARTIES",
    "REAL_REPORT_PUBLISHED",
    "SAMPLE_ISSUER",
    "SampleReport",
    "Series",
    "bundled_reports",
    "clean",
    "format_amount",
    "generate_reports",
    "main",
    "sample_series",
    "write_reports",
]

SAMPLE_ISSUER = "サンプル（合成データ）"

# The real report (tests/reports/belarus-weekly-2023-11-30.txt) covers 2023-11-20..26.
# The Belarus sample series never produces that week, so real and sample never collide.
REAL_REPORT_PUBLISHED = dt.date(2023, 11, 30)
BUNDLED_START = dt.date(2023, 1, 1)
BUNDLED_END = dt.date(2024, 6, 30)
# The one week the bundled set has no report for (May holidays), a gap the dashboard shows.
BUNDLED_MISSING = dt.date(2023, 5, 11)

# Walks start here so a week's values do not depend on the range asked for.
_EPOCH = dt.date(2000, 1, 6)  # a Thursday


# --------------------------------------------------------------------------- series


@dataclass(frozen=True)
class Series:
    """One report series: a country's weekly summary as published by one issuer."""

    slug: str  # file-name part: "belarus" -> sample-belarus-2023-11-30.txt
    country_ja: str  # "ベラルーシ"; the title is "{country_ja}公開情報とりまとめ"
    issuer: str = SAMPLE_ISSUER
    leader_ja: str | None = None  # "ルカシェンコ" names the leader's section; None: "大統領動静"

    @property
    def title(self) -> str:
        return f"{self.country_ja}公開情報とりまとめ"

    @property
    def leader_section(self) -> str:
        return f"{self.leader_ja}大統領動静" if self.leader_ja else "大統領動静"


BELARUS = Series("belarus", "ベラルーシ", leader_ja="ルカシェンコ")

# Other series after Belarus; beyond these, numbered synthetic countries.
_OTHER_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("moldova", "モルドバ"),
    ("georgia", "ジョージア"),
    ("armenia", "アルメニア"),
    ("azerbaijan", "アゼルバイジャン"),
    ("kazakhstan", "カザフスタン"),
    ("uzbekistan", "ウズベキスタン"),
    ("kyrgyzstan", "キルギス"),
    ("tajikistan", "タジキスタン"),
    ("turkmenistan", "トルクメニスタン"),
    ("mongolia", "モンゴル"),
    ("serbia", "セルビア"),
)


def sample_series(n: int) -> list[Series]:
    """``n`` distinct series: Belarus first, then other countries, then numbered ones.

    >>> [s.slug for s in sample_series(3)]
    ['belarus', 'moldova', 'georgia']
    >>> [(s.slug, s.country_ja) for s in sample_series(14)[-2:]]
    [('country-012', 'サンプル国A'), ('country-013', 'サンプル国B')]
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    out = [BELARUS]
    out += [Series(slug, name) for slug, name in _OTHER_COUNTRIES]
    first = len(out)
    out += [Series(f"country-{i:03d}", f"サンプル国{_letters(i - first)}") for i in range(first, n)]
    return out[:n]


def _letters(k: int) -> str:
    """A, B, ..., Z, AA, AB, ...: names without digits, which would sit glued to the text.

    >>> _letters(0), _letters(25), _letters(26), _letters(27)
    ('A', 'Z', 'AA', 'AB')
    """
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(65 + r) + out
    return out


# --------------------------------------------------------------------------- text helpers

# Cleaning as the readers do it: NFKC, except that （）～ stay as they are; they are
# swapped for private-use characters, which NFKC leaves alone, and back.
_PROTECT = str.maketrans({"（": "\ue000", "）": "\ue001", "～": "\ue002"})
_UNPROTECT = str.maketrans({"\ue000": "（", "\ue001": "）", "\ue002": "～"})
_SPACE_NEAR_WIDE = re.compile(r" +(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) +")


def clean(text: str) -> str:
    """Text as a reader cleans it: NFKC but （）～ kept, no space next to non-ASCII.

    >>> clean("リトアニア国境警備局は少なくとも 22人を阻止。")
    'リトアニア国境警備局は少なくとも22人を阻止。'
    >>> clean("１１月２４日現在の政治犯の数は１，４５０人")
    '11月24日現在の政治犯の数は1,450人'
    >>> clean("（11 月 21日〜11月 27日 Pozirk）")
    '（11月21日～11月27日Pozirk）'
    """
    if not text.isascii():
        text = text.replace("〜", "～").translate(_PROTECT)
        text = unicodedata.normalize("NFKC", text).translate(_UNPROTECT)
    text = re.sub(r"  +", " ", text)
    return _SPACE_NEAR_WIDE.sub("", text).strip()


_FULLWIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def _fullwidth(text: str) -> str:
    """Digits and commas full-width, with no spaces (full-width text has none)."""
    return text.translate(_FULLWIDTH).replace(" ", "")


def format_amount(value: int) -> str:
    """A money amount the way the reports write it, in 万 and 億 units.

    >>> format_amount(7_000_000)
    '700万'
    >>> format_amount(120_000_000)
    '1億 2,000万'
    >>> format_amount(1_500_000_000)
    '15億'
    """
    if value <= 0 or value % 10_000 or value >= 10**12:
        raise ValueError(f"not a whole number of 万 below 1兆: {value}")
    oku, man = divmod(value // 10_000, 10_000)
    parts = []
    if oku:
        parts.append(f"{oku:,}億")
    if man:
        parts.append(f"{man:,}万")
    return " ".join(parts)


def _md(d: dt.date, style: int = 0) -> str:
    """``11月 24日`` (0), ``11月24日`` (1) or ``11 月 24 日`` (2), as the PDFs vary."""
    if style == 1:
        return f"{d.month}月{d.day}日"
    if style == 2:
        return f"{d.month} 月 {d.day} 日"
    return f"{d.month}月 {d.day}日"


def _num(n: int) -> str:
    return f"{n:,}"


# --------------------------------------------------------------------------- wrapping

_HANGING = frozenset("、。）」』，．")  # may hang past the margin rather than begin a line
# Never at the start of a wrapped line: the punctuation above, and marks a reader takes
# for the start of a new paragraph (bullet, item, citation, section).
_NO_LINE_START = _HANGING | frozenset("・●（【")
_NO_LINE_END = frozenset("（「『【")  # never ends a line
# Runs a PDF line never splits: Latin words and numbers (a reader could not undo
# a split inside a word, and a split number reads wrong to a human).
_UNBREAKABLE = re.compile(r"[A-Za-z0-9,.%\-]+|[０-９，．]+")


def _width(s: str) -> int:
    """Display width: ASCII 1, Japanese 2 (3 UTF-8 bytes each), in C speed."""
    n = len(s)
    return n + (len(s.encode("utf-8")) - n) // 2


def _wrap(text: str, limit: int) -> list[str]:
    """Greedy line breaking by display width, keeping unbreakable runs whole."""
    if _width(text) <= limit:
        return [text]
    runs = [(m.start(), m.end()) for m in _UNBREAKABLE.finditer(text)]
    lines: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if _width(text[i:]) <= limit:
            lines.append(text[i:])
            break
        # Widen while it fits: room // 2 more characters always fit, as none is wider than 2.
        j = i + limit // 2
        room = limit - _width(text[i:j])
        while room >= 2 and j < n:
            step = room // 2
            room -= _width(text[j : j + step])
            j += step
        if room == 1 and j < n and text[j].isascii():
            j += 1
        for _ in range(2):  # hanging punctuation, as Japanese layout does
            if j < n and text[j] in _HANGING:
                j += 1
        while j - 1 > i and (
            text[j - 1] in _NO_LINE_END
            or (j < n and text[j] in _NO_LINE_START)
            or any(a < j < b for a, b in runs)  # never inside a Latin word or a number
        ):
            j -= 1
        lines.append(text[i:j].rstrip(" "))
        i = j
        while i < n and text[i] == " ":
            i += 1
    return lines


# --------------------------------------------------------------------------- pools

# (name, ISO alpha-2, capital, head-of-state title); counterparties of deals come from here.
_PARTNERS: tuple[tuple[str, str, str, str], ...] = (
    ("ロシア", "RU", "モスクワ", "ロシア大統領"),
    ("中国", "CN", "北京", "中国国家主席"),
    ("カザフスタン", "KZ", "アスタナ", "カザフスタン大統領"),
    ("ウズベキスタン", "UZ", "タシケント", "ウズベキスタン大統領"),
    ("キルギス", "KG", "ビシケク", "キルギス大統領"),
    ("タジキスタン", "TJ", "ドゥシャンベ", "タジキスタン大統領"),
    ("アゼルバイジャン", "AZ", "バクー", "アゼルバイジャン大統領"),
    ("アルメニア", "AM", "エレバン", "アルメニア首相"),
    ("イラン", "IR", "テヘラン", "イラン大統領"),
    ("インド", "IN", "ニューデリー", "インド首相"),
    ("ベトナム", "VN", "ハノイ", "ベトナム国家主席"),
    ("トルコ", "TR", "アンカラ", "トルコ大統領"),
    ("モンゴル", "MN", "ウランバートル", "モンゴル大統領"),
    ("ベネズエラ", "VE", "カラカス", "ベネズエラ大統領"),
    ("ジンバブエ", "ZW", "ハラレ", "ジンバブエ大統領"),
    ("キューバ", "CU", "ハバナ", "キューバ国家評議会議長"),
    ("エジプト", "EG", "カイロ", "エジプト大統領"),
    ("パキスタン", "PK", "イスラマバード", "パキスタン首相"),
    ("アラブ首長国連邦", "AE", "アブダビ", "アラブ首長国連邦大統領"),
)
#: Japanese country name -> ISO 3166-1 alpha-2, for every counterparty a sample deal names.
COUNTERPARTIES: dict[str, str] = {name: iso for name, iso, _, _ in _PARTNERS}
_DEAL_PARTNERS = (
    "ロシア",
    "中国",
    "カザフスタン",
    "ウズベキスタン",
    "インド",
    "イラン",
    "ベトナム",
)

_WESTERN = (
    "ポーランド",
    "リトアニア",
    "ラトビア",
    "ウクライナ",
    "ドイツ",
    "米国",
    "英国",
    "フランス",
    "欧州連合（EU）",
    "カナダ",
    "スイス",
    "ノルウェー",
)
_ORGS = (
    "集団安全保障条約機構（CSTO）",
    "ユーラシア経済連合（EAEU）",
    "独立国家共同体（CIS）",
    "上海協力機構（SCO）",
    "ユーラシア開発銀行",
    "連合国家最高国家評議会",
)
_FIELDS = (
    "貿易",
    "農業",
    "工業",
    "エネルギー",
    "教育",
    "科学技術",
    "保健",
    "運輸・物流",
    "観光",
    "文化",
    "情報通信",
    "軍事技術",
    "建設",
    "食品加工",
)
_TOPICS = (
    "地域の安全保障情勢",
    "二国間の経済協力の現状",
    "国際情勢",
    "物流ルートの多角化",
    "輸入代替",
    "共同プロジェクトの進捗",
    "制裁の影響への対応",
    "農産品の輸出拡大",
    "国境地帯の情勢",
    "エネルギー供給",
    "人的交流の拡大",
    "今後の協力の優先分野",
)
_MINISTRIES = (
    "国防省",
    "内務省",
    "保健省",
    "教育省",
    "農業食糧省",
    "エネルギー省",
    "非常事態省",
    "経済省",
    "産業省",
    "運輸通信省",
    "天然資源環境保護省",
)
_OFFICIALS = (
    "首相",
    "外務大臣",
    "国防大臣",
    "経済大臣",
    "副首相",
    "大統領府長官",
    "産業大臣",
    "農業食糧大臣",
    "内務大臣",
    "教育大臣",
)
_LAWS = (
    "マスメディア",
    "教育",
    "国籍",
    "宗教団体",
    "政党",
    "税制",
    "住民登録",
    "国家安全保障構想",
    "過激主義対策",
    "公務員",
)
_GROUPS = ("ジャーナリスト", "IT 技術者", "医師", "研究者", "学生", "文化人", "弁護士")
_ADJ = ("戦略的", "極めて良好", "建設的", "相互に有益", "包括的", "信頼に基づく")
_EVENTS = (
    "独立記念日",
    "憲法記念日",
    "全国人民会議",
    "祖国防衛者の日",
    "国民統一の日",
    "戦勝記念日",
    "国際見本市",
)
_SPORTS = ("アイスホッケー", "バイアスロン", "新体操", "レスリング", "陸上競技", "サッカー")
_CROPS = ("穀物", "ジャガイモ", "亜麻", "甜菜", "菜種", "トウモロコシ")
_SUBJECTS = (
    "元独立系メディア記者",
    "地方の市民活動家",
    "元大学教員",
    "元企業経営者",
    "元地方議会議員",
    "ブロガー",
)
# by season: (months, events)
_WEATHER = (
    ((11, 12, 1, 2, 3), ("記録的な寒波", "大雪による交通の乱れ", "強風による停電")),
    ((4, 5, 9, 10), ("強風による停電", "季節外れの降雪", "大規模な森林火災")),
    ((6, 7, 8), ("猛暑", "大雨による洪水", "落雷による停電")),
)

# Belarus has real regions and cities; the other series get neutral ones.
_BY_REGIONS = (
    "ミンスク州",
    "ブレスト州",
    "ヴィテプスク州",
    "ゴメリ州",
    "グロドノ州",
    "モギリョフ州",
)
_BY_CITIES = ("ミンスク", "ブレスト", "ヴィテプスク", "ゴメリ", "グロドノ", "モギリョフ")
_GEN_REGIONS = ("北部州", "東部州", "南部州", "西部州", "中央州")
_GEN_CITIES = ("首都", "北部の主要都市", "南部の工業都市", "西部の国境の町")

# Deal-making companies: (description, product). Generic descriptions on purpose: the
# deals are invented and must not be pinned on real firms.
_COMPANIES: tuple[tuple[str, str], ...] = (
    ("国営トラクター工場", "トラクター"),
    ("国営鉱山用ダンプトラックメーカー", "鉱山用ダンプトラック"),
    ("国営農機メーカー", "コンバイン"),
    ("国営タイヤメーカー", "大型タイヤ"),
    ("国営自動車工場", "バス"),
    ("国営マイクロエレクトロニクス製品メーカー", "マイクロエレクトロニクス製品"),
    ("乳製品メーカー", "乳製品"),
    ("エレベーター製造企業", "エレベーター"),
    ("製薬企業", "医薬品"),
    ("化学肥料メーカー", "カリ肥料"),
    ("木材加工企業", "木材製品"),
    ("光学機器メーカー", "光学機器"),
)
_UNIT_GOODS = ("トラクター", "バス", "コンバイン", "トラック", "トロリーバス", "エレベーター")

# Citation sources by section; the raw form as printed (「」 kept).
_SRC_LEADER = ("大統領府", "大統領府", "国営ベルタ通信")
_SRC_FOREIGN = (
    "外務省",
    "{home}外務省",
    "スプートニク・{home}",
    "国営ベルタ通信",
    "「ゼルカロ（鏡）」",
    "Pozirk",
    "露タス通信",
    "「ナーシャ・ニーヴァ」",
)
_SRC_DOMESTIC = (
    "国営ベルタ通信",
    "「ゼルカロ（鏡）」",
    "Pozirk",
    "内務省",
    "司法省",
    "「全国テレビ（ONT）」",
    "「ナーシャ・ニーヴァ」",
)
_SRC_ECONOMY = (
    "国営ベルタ通信",
    "国家統計委員会",
    "露タス通信",
    "「ゼルカロ（鏡）」",
    "経済省",
    "インターファクス",
)
_SRC_OPPOSITION = (
    "民主勢力代表公式サイト",
    "Pozirk",
    "「ゼルカロ（鏡）」",
    "「ナーシャ・ニーヴァ」",
)
_SRC_OTHER = (
    "Pozirk",
    "「ゼルカロ（鏡）」",
    "スプートニク・{home}",
    "国営ベルタ通信",
    "「ナーシャ・ニーヴァ」",
)
_SRC_STATS = ("「{home}・ジャーナリスト連盟」", "Pozirk", "国家統計委員会", "「ゼルカロ（鏡）」")

_VIASNA = "人権団体「ヴャスナ（春）」"


class _Slots(dict[str, str]):
    """Template slots filled on first use, so an item draws only what it prints.

    A key ending in a digit (``fc2``) is another draw of the same pool, never equal
    to an earlier one in the item.
    """

    def __init__(
        self, rng: random.Random, ctx: dict[str, str], pools: dict[str, Sequence[str]]
    ) -> None:
        super().__init__(ctx)
        self._rng = rng
        self._pools = pools

    def __missing__(self, key: str) -> str:
        rng = self._rng
        base = key.rstrip("0123456789")
        if base in ("fcity", "fhead", "fcs"):  # derived from the partner country drawn
            fc = self["fc" + key[len(base) :]]
            partner = _PARTNER_BY_NAME[fc]
            if base == "fcs":  # 対中, 対露: the short forms in 対…輸出額
                value = {"中国": "中", "ロシア": "露"}.get(fc, fc)
            else:
                value = partner[2] if base == "fcity" else partner[3]
        elif base in _NUMBERS:
            value = _NUMBERS[base](rng)
        else:
            pool = self._pools.get(base) or _POOLS[base]
            value = rng.choice(pool)
            if key != base:
                taken = {v for k, v in self.items() if k.rstrip("0123456789") == base}
                for _ in range(8):
                    if value not in taken:
                        break
                    value = rng.choice(pool)
        self[key] = value
        return value


_PARTNER_BY_NAME = {p[0]: p for p in _PARTNERS}


@functools.cache
def _partners_except(home: str) -> tuple[str, ...]:
    return tuple(p for p in COUNTERPARTIES if p != home)


@functools.cache
def _source_pool(raw: tuple[str, ...], home: str) -> tuple[str, ...]:
    """Distinct sources, the country filled in."""
    return tuple(dict.fromkeys(s.replace("{home}", home) for s in raw))


_POOLS: dict[str, Sequence[str]] = {
    "fc": tuple(COUNTERPARTIES),
    "wc": _WESTERN,
    "org": _ORGS,
    "field": _FIELDS,
    "topic": _TOPICS,
    "ministry": _MINISTRIES,
    "official": _OFFICIALS,
    "law": _LAWS,
    "group": _GROUPS,
    "adj": _ADJ,
    "event": _EVENTS,
    "sport": _SPORTS,
    "crop": _CROPS,
    "subject": _SUBJECTS,
    "goods": _UNIT_GOODS,
    "company": tuple(c for c, _ in _COMPANIES),
}
_NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "few": lambda r: str(r.randint(2, 9)),
    "n": lambda r: str(r.randint(3, 40)),
    "units": lambda r: _num(r.choice((50, 100, 120, 150, 200, 300, 450, 600, 1000))),
    "pct": lambda r: str(r.randint(2, 35)),
    "pctd": lambda r: f"{r.randint(1, 19) / 10:.1f}",
    "share": lambda r: str(r.randint(15, 85)),
    "years": lambda r: str(r.randint(2, 12)),
    "bn": lambda r: str(r.randint(2, 30)),
    "session": lambda r: str(r.randint(5, 30)),
}


@dataclass(frozen=True)
class _Tpl:
    """A filler event: headline, bullet templates, source pool; slots in braces."""

    headline: str
    bullets: tuple[str, ...] = ()
    sources: tuple[str, ...] = _SRC_DOMESTIC
    min_bullets: int = 0
    more: tuple[str, ...] = ()  # longer sentences an item may end with


def _t(
    headline: str,
    *bullets: str,
    sources: tuple[str, ...],
    min_bullets: int = 0,
    more: tuple[str, ...] = (),
) -> _Tpl:
    return _Tpl(headline, bullets, sources, min_bullets, more)


_LEADER_TPLS = (
    _t(
        "{fhead}との会談",
        "{leader}は、{fc}との{field}分野での協力拡大に意欲を表明。",
        "双方は{topic}について意見を交換。",
        "{fhead}は、両国関係を「{adj}」と評価。",
        sources=_SRC_LEADER,
        more=(
            "会談後、双方は報道陣に対し、今回の協議が両国関係の新たな段階を開くものとなるとの"
            "期待を表明した。",
            "{leader}は、{fc}との間の物流の円滑化に向けた具体策を早急にまとめるよう、"
            "関係機関に指示した。",
        ),
    ),
    _t(
        "{fc}への公式訪問",
        "{leader}は{fcity}を訪問し、{fhead}と会談。",
        "両国間で {few}件の協力文書が署名された。",
        "{field}及び{field2}分野での共同事業の拡大で一致。",
        sources=_SRC_LEADER,
        min_bullets=1,
        more=(
            "{leader}は、{fc}が困難な時期にも友好的な立場を維持してきたことを高く評価し、"
            "両国の協力には大きな潜在力がある旨述べた。",
            "訪問中、{leader}は現地の企業を視察し、共同生産の拡大の可能性について説明を受けた。",
        ),
    ),
    _t(
        "{ministry}幹部との会議の開催",
        "{topic}について報告を受けた。",
        "{leader}は、関係機関に対し対策の強化を指示。",
        "会議では、{field}分野の課題も取り上げられた。",
        sources=_SRC_LEADER,
        more=(
            "{leader}は、{topic}に関し、関係機関が連携して迅速に対応する必要があると強調し、"
            "年内に具体的な成果を示すよう求めた。",
            "{leader}は、責任者の規律の欠如を厳しく批判し、改善されない場合には人事上の措置も"
            "辞さない旨警告した。",
        ),
    ),
    _t(
        "{law}に関する法律への署名",
        "同法は、{law}分野の規制を強化するもの。",
        sources=_SRC_LEADER,
        more=("同法は、公式発表の後、一定の期間を経て施行される。",),
    ),
    _t(
        "{event}に際する演説",
        "{leader}は、国家の独立と主権の維持の重要性を強調。",
        "西側諸国による圧力は失敗に終わったと主張。",
        "国民に対し、団結を呼びかけた。",
        sources=_SRC_LEADER,
        min_bullets=1,
        more=(
            "{leader}は、外部からの圧力にもかかわらず国内経済は安定を維持しているとした上で、"
            "{field}分野の一層の発展が不可欠である旨述べた。",
            "また{leader}は、若い世代に対し、先人が築いた平和と安定を守り抜くよう訴えた。",
        ),
    ),
    _t(
        "{region}への視察",
        "農業企業を視察し、{crop}の収穫状況を確認。",
        "{leader}は、地方行政府に対し生産性の向上を指示。",
        sources=_SRC_LEADER,
        more=(
            "{leader}は、国民の生活水準の維持を最優先課題とするよう地方行政府に指示し、"
            "物価の動向を注視するよう求めた。",
        ),
    ),
    _t("{official}の任命", sources=_SRC_LEADER),
    _t(
        "{fhead}との電話会談",
        "{topic}及び{topic2}について協議。",
        "年内の首脳会談の実施で合意。",
        sources=_SRC_LEADER,
        more=("双方は、両国の関係機関の間で実務的な協議を加速させることで一致した。",),
    ),
    _t(
        "{org}首脳会合への出席",
        "{leader}は、加盟国間の協力の深化を呼びかけた。",
        "会合では、{topic}が協議された。",
        "次回会合の開催地と日程が確認された。",
        sources=_SRC_LEADER,
        min_bullets=1,
        more=(
            "{leader}は、西側が一方的な制裁により加盟国の発展を妨げようとしていると批判し、"
            "加盟国が結束して対抗する必要性を訴えた。",
        ),
    ),
    _t(
        "{org}首脳会合の開催",
        "（1）{leader}の発言",
        "加盟国の結束が、外部からの圧力に対抗する唯一の道である。",
        "{topic}については、加盟国間で緊密に協議していくべきである。",
        "（2）二国間首脳会談",
        "{fhead}と会談。{field}分野での協力拡大について協議。",
        "また、{fhead2}とも二国間会談を実施。",
        sources=_SRC_LEADER,
    ),
    _t(
        "{ministry}の新庁舎の視察",
        "{leader}は、{ministry}の業務の効率化を求めた。",
        sources=_SRC_LEADER,
        more=("{leader}は、行政サービスの電子化を一層進め、国民の負担を軽減するよう指示した。",),
    ),
)
_FOREIGN_TPLS = (
    _t(
        "外務大臣は、駐{home}・{fc}大使と会談",
        "{topic}について意見交換。",
        "双方は、{field}分野での協力の可能性を確認。",
        sources=_SRC_FOREIGN,
        more=(
            "双方は、国際機関の場での協力を継続し、{topic2}に関する立場のすり合わせを行っていく"
            "ことで一致した。",
            "双方は、査証手続きの簡素化や直行便の増便等、人的交流の拡大に向けた措置についても"
            "協議した。",
        ),
    ),
    _t("{wc}は、{home}の政府関係者 {n}人に対し、制裁を導入", sources=_SRC_FOREIGN),
    _t(
        "{wc}は、{home}の国営企業 {few}社に対する制裁を延長",
        "制裁の期限は 1年延長された。",
        sources=_SRC_FOREIGN,
        more=(
            "{wc}側は、人権侵害が続く限り制裁の緩和はあり得ないとの立場を改めて示した。",
            "{home}外務省報道官は、一方的な制裁は国際法に反するものであり、対抗措置を講じる"
            "権利を留保すると表明した。",
        ),
    ),
    _t(
        "{home}・{fc}政府間委員会第 {session} 回会合の開催",
        "{field}、{field2}分野での協力の進捗を確認。",
        "次回会合を{fcity}で開催することで合意。",
        "共同行動計画が採択された。",
        sources=_SRC_FOREIGN,
        min_bullets=1,
        more=(
            "委員会の共同議長は、相互貿易の拡大に向けて、決済手段の多様化を進める必要がある"
            "旨指摘した。",
        ),
    ),
    _t(
        "{org}外相理事会への外務大臣の出席",
        "{topic}について協議。",
        "外務大臣は、{wc}の対{home}政策を批判。",
        sources=_SRC_FOREIGN,
        more=("会合の合間には、複数の加盟国の外務大臣との二国間会談も行われた。",),
    ),
    _t(
        "{wc}外務省による声明",
        "{home}国内の人権状況に懸念を表明。",
        "{home}当局に対し、拘束されている人々の釈放を求めた。",
        sources=_SRC_FOREIGN,
        min_bullets=1,
        more=("これに対し{home}外務省は、内政干渉であるとして声明を強く非難した。",),
    ),
    _t(
        "外務次官の{fc}訪問",
        "{fc}外務省幹部と政治協議を実施。",
        "{field}分野の協力に関する覚書の準備状況を確認。",
        sources=_SRC_FOREIGN,
        more=("双方は、年内にハイレベルの相互訪問を実施する方向で調整を進めることで一致した。",),
    ),
    _t(
        "{wc}との国境における通過制限の継続",
        "{wc}側は、国境検問所の閉鎖を当面継続すると発表。",
        sources=_SRC_FOREIGN,
        more=(
            "国境付近では、通過を待つ貨物車両の長い列が続いていると報じられている。",
            "{home}側は、措置は非友好的であり、地域の経済に損害を与えるものであると反発した。",
        ),
    ),
    _t(
        "{fc}議会代表団の来訪",
        "代表団は、下院議長らと会談。",
        "議会間協力の拡大について協議。",
        sources=_SRC_FOREIGN,
        more=("代表団は、滞在中に地方の企業や教育機関も訪問する予定。",),
    ),
)
_DOMESTIC_TPLS = (
    _t(
        "選挙に関する中央選挙管理委員会委員長の発言",
        "{d1}、中央選挙管理委員会委員長は、選挙準備が予定通り進んでいる旨発言。",
        "同委員長は、{org}加盟国から選挙監視団を招待する旨発言。",
        sources=_SRC_DOMESTIC,
        min_bullets=1,
        more=(
            "また同委員長は、国際機関による評価を批判した後、選挙を行うのは第一に自国民の"
            "ためであると付言した。",
        ),
    ),
    _t(
        "{law}に関する法律の改正案が下院で可決",
        "改正案は、{law}分野の手続きの厳格化を定めるもの。",
        "上院での審議を経て、大統領の署名により成立する。",
        sources=_SRC_DOMESTIC,
        more=(
            "当局は、社会の安定と秩序の維持を理由に、今後も関連する規制を強化していく方針を"
            "示した。",
            "専門家の間では、今回の改正が{group}の国外流出を一層加速させるとの懸念が示されている。",
        ),
    ),
    _t(
        "{subject}に対する判決",
        "裁判所は、{subject}に禁錮 {years}年の判決を言い渡した。",
        "人権団体は、同人を政治犯と認定している。",
        sources=_SRC_DOMESTIC,
        min_bullets=1,
        more=(
            "人権団体は、当局による締め付けが続いており、市民社会の活動の余地は一層狭まって"
            "いると指摘した。",
            "公判は非公開で行われ、家族や報道関係者の傍聴は認められなかった。",
        ),
    ),
    _t(
        "「過激派」リストへの独立系メディアの追加",
        "内務省は、独立系メディアのテレグラム・チャンネル {few}件を「過激派組織」に指定。",
        "これらのチャンネルへの登録も処罰の対象となり得る。",
        sources=_SRC_DOMESTIC,
        more=("独立系メディアによれば、地方でも同様の事例が相次いで報告されている。",),
    ),
    _t("{region}知事の交代", sources=_SRC_DOMESTIC),
    _t(
        "{ministry}による{topic}に関する発表",
        "{ministry}は、関連する規則の見直しを行う旨発表。",
        sources=_SRC_DOMESTIC,
        more=("新たな規則は、関係者への周知期間を経て適用される見通し。",),
    ),
    _t(
        "国外在住者の帰国に関する委員会の活動",
        "委員会は、これまでに国外在住者 {units}人からの申請を審査した旨発表。",
        "申請者の多くは{group}。",
        sources=_SRC_DOMESTIC,
        more=(
            "民主勢力は、帰国した者が後に拘束された事例があるとして、委員会の活動に警鐘を"
            "鳴らしている。",
        ),
    ),
    _t(
        "恩赦法に基づく釈放",
        "恩赦法に基づき、これまでに{subject}を含む受刑者が釈放された。",
        sources=_SRC_DOMESTIC,
        more=(
            "人権団体は、釈放された人数は拘束され続けている人々に比べごく一部に過ぎないと指摘した。",
        ),
    ),
)
_ECONOMY_TPLS = (
    _t(
        "{fc}との貿易の動向",
        "{months}の対{fcs}輸出額は約 {bn}億ドル。",
        "二国間の貿易高は前年同期比 {pct}%増加。",
        sources=_SRC_ECONOMY,
        min_bullets=1,
        more=("専門家は、特定の市場への依存度の高さが中長期的な課題であると指摘している。",),
    ),
    _t(
        "{fc}との農業機械分野での協力",
        "{company}は、{goods} {units}台を供給する契約を締結。",
        "{fc}国内での組立生産の開始も検討されている。",
        sources=_SRC_ECONOMY,
        min_bullets=1,
        more=("同社は、現地での部品供給とアフターサービスの体制も整備する方針。",),
    ),
    _t(
        "{company}の業績",
        "{months}の売上高は約 {bn}億ベラルーシ・ルーブル。",
        "輸出は {pct}%増加。",
        "同社製品の {share}%が輸出向け。",
        sources=_SRC_ECONOMY,
        min_bullets=1,
        more=("物流コストの上昇が輸出企業の収益を圧迫しているとの指摘もある。",),
    ),
    _t(
        "消費者物価指数の発表",
        "前月比の消費者物価指数は {pctd}%上昇。",
        "食料品価格の上昇が全体を押し上げた。",
        sources=_SRC_ECONOMY,
        min_bullets=1,
        more=("政府は、価格規制の対象品目を見直し、一部の品目の規制を延長する方針を示した。",),
    ),
    _t(
        "{topic}に関する副首相の発言",
        "副首相は、{field}分野の生産拡大が必要である旨指摘。",
        "同副首相は、具体的な企業名の言及は差し控えた。",
        sources=_SRC_ECONOMY,
        more=(
            "同副首相は、西側の企業の撤退や制裁の影響は限定的であり、新たな市場の開拓により"
            "十分に補うことができると指摘した。",
            "政府は、年末までに{field}分野での輸入代替をさらに進める方針を示した。",
        ),
    ),
    _t(
        "{fc}との協力に関する覚書の署名",
        "両国の企業は、{field}分野での協力に関する覚書に署名。",
        sources=_SRC_ECONOMY,
        more=("覚書には、共同研究や技術者の交流に関する項目が盛り込まれた。",),
    ),
    _t(
        "{fc}向け物流ルートの拡大",
        "{fc}向けの貨物輸送量は前年比 {pct}%増加。",
        "港湾の利用拡大に向けた協議が続けられている。",
        sources=_SRC_ECONOMY,
        more=("鉄道輸送の所要日数の短縮に向け、積替え施設の増強も検討されている。",),
    ),
)
_OPPOSITION_TPLS = (
    _t(
        "民主勢力代表の{wc}訪問",
        "{wc}の政府関係者らと会談。",
        "政治犯に対する支援や、{group}の合法的滞在のための手続きの簡略化を求めた。",
        sources=_SRC_OPPOSITION,
        min_bullets=1,
        more=(
            "また、国内に残る家族への圧力が続いていることに懸念を示し、国際社会に対し一層の"
            "支援を求めた。",
        ),
    ),
    _t(
        "統一暫定内閣による声明",
        "{wc}に対し、{home}の政権への圧力の維持を求めた。",
        sources=_SRC_OPPOSITION,
        more=("声明は、対話の前提として全ての政治犯の無条件の釈放が必要であると強調した。",),
    ),
    _t(
        "亡命中の民主勢力による会議の開催",
        "会議には{group}ら約 {units}人が参加。",
        "今後の活動方針が議論された。",
        sources=_SRC_OPPOSITION,
        more=(
            "亡命先での{group}の就労や教育の機会を確保するための国際的な枠組みの必要性も"
            "訴えられた。",
        ),
    ),
    _t(
        "民主勢力代表の国際会議での演説",
        "{home}の政治犯の釈放に向けた国際的な連携を呼びかけた。",
        sources=_SRC_OPPOSITION,
        more=("同代表は、独立系メディアへの支援の継続も各国に要請した。",),
    ),
)
_OTHER_TPLS = (
    _t(
        "対{home}関係に関する{wc}の政治家の見方",
        "{wc}の上院副議長は、国境地帯の人道的な危機を解決するため、対話が必要である旨発言。",
        "{wc}の有力紙は、関係正常化には国境情勢の沈静化が前提であるとする論評を掲載。",
        sources=_SRC_OTHER,
        min_bullets=1,
        more=(
            "同紙は、地域の安全保障環境が悪化する中で、隣国との関係をどのように管理するかが"
            "今後の課題になると論じた。",
        ),
    ),
    _t(
        "{weather}",
        "{region}を中心に影響が出た。",
        "非常事態省が注意を呼びかけた。",
        sources=_SRC_OTHER,
        more=("地元当局は、住民に対し不要不急の外出を控えるよう呼びかけた。",),
    ),
    _t(
        "{sport}の国際大会における{home}代表の成績",
        "{home}代表は {few}個のメダルを獲得。",
        sources=_SRC_OTHER,
        more=("一部の国際競技団体は、{home}の選手の参加を引き続き制限している。",),
    ),
    _t(
        "{city}での{event}記念行事の開催",
        "{city}では式典が行われ、多くの市民が参加した。",
        sources=_SRC_OTHER,
        more=("式典では、参加者が献花を行い、犠牲者を追悼した。",),
    ),
)
_STATS_TPLS = (
    _t(
        "国外に移住した{group}の約 {share}%が職種を変更",
        "{home}・ジャーナリスト連盟等による調査によるもの。",
        "回答者の {share2}%が、移住後も安全上のリスクに直面していると回答。",
        "移住先は、{wc}、{wc2}等。",
        sources=_SRC_STATS,
        min_bullets=1,
        more=("調査は、{home}及び近隣国出身の回答者を対象にオンラインで実施された。",),
    ),
    _t(
        "世論調査の結果",
        "回答者の {share}%が、経済状況は悪化したと回答。",
        "{share2}%が、現状に満足していると回答。",
        sources=_SRC_STATS,
        min_bullets=1,
        more=(
            "調査を行った団体は、結果は必ずしも全体の傾向を反映するものではないと注記している。",
        ),
    ),
)


# --------------------------------------------------------------------------- items


@dataclass
class _Item:
    headline: str  # without ●
    body: list[str] = field(default_factory=list)  # "・…", "（1）…", "（11月 20日～…）"
    citation: str | None = None
    dates: list[dt.date] = field(default_factory=list)
    highlight: bool = True  # may be repeated in 主な出来事


def _source_name(raw: str) -> str:
    """A source as the parser reports it: outer 「」 dropped when they wrap it all."""
    if raw.startswith("「") and raw.endswith("」") and raw.count("「") == 1:
        return raw[1:-1]
    return raw


def _citation(rng: random.Random, dates: list[dt.date], sources: Sequence[str]) -> str:
    """A closing citation in one of the real shapes (ranges: see ``_border``)."""
    r = rng.random()
    style = 0 if r < 0.8 else (1 if r < 0.9 else 2)
    if len(dates) > 1:  # "（11月23日 国営ベルタ通信、24日 「ゼルカロ（鏡）」）"
        d = dates[1]
        day = f"{d.day}日" if style != 2 else f"{d.day} 日"
        when = day if d.month == dates[0].month else _md(d, style)
        rest = "、".join(sources[1:]) or sources[0]
        return f"（{_md(dates[0], style)} {sources[0]}、{when} {rest}）"
    return "（" + _md(dates[0], style) + " " + "、".join(sources) + "）"


class _Week:
    """Everything drawn for one report: its dates, its RNG and the series context."""

    def __init__(self, series: Series, seed: int, published: dt.date) -> None:
        self.series = series
        self.published = published
        self.start = published - dt.timedelta(days=10)
        self.end = published - dt.timedelta(days=4)
        self.rng = random.Random(f"{seed}/{series.slug}/{published.isoformat()}")
        is_by = series.slug == "belarus"
        self.ctx = {
            "home": series.country_ja,
            "leader": f"{series.leader_ja}大統領" if series.leader_ja else "大統領",
        }
        self.ctx["months"] = self.months()
        self.pools: dict[str, Sequence[str]] = {
            "region": _BY_REGIONS if is_by else _GEN_REGIONS,
            "city": _BY_CITIES if is_by else _GEN_CITIES,
            "fc": _partners_except(self.ctx["home"]),
            "weather": next(w for months, w in _WEATHER if published.month in months),
        }

    def day(self, lo: int = 0, hi: int = 6) -> dt.date:
        return self.start + dt.timedelta(days=self.rng.randint(lo, hi))

    def item_dates(self) -> list[dt.date]:
        rng = self.rng
        first = self.day(-2, 6) if rng.random() < 0.05 else self.day()
        if rng.random() < 0.15:
            return [first, first + dt.timedelta(days=rng.randint(1, 2))]
        return [first]

    def slots(self) -> _Slots:
        return _Slots(self.rng, self.ctx, self.pools)

    def sources(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        return _source_pool(raw, self.ctx["home"])

    def months(self) -> str:
        """``1～10月``: the year so far, up to the month before publication."""
        m = self.published.month - 1
        return "昨年 1～12月" if m == 0 else ("1月" if m == 1 else f"1～{m}月")


def _filler(week: _Week, tpl: _Tpl) -> _Item:
    rng = week.rng
    slots = week.slots()
    dates = week.item_dates()
    slots["d1"] = _md(dates[0], 2 if rng.random() < 0.5 else 0)
    headline = tpl.headline.format_map(slots)
    bullets = list(tpl.bullets)
    if any(b.startswith("（") for b in bullets):
        pass  # numbered sub-headings: keep the structure whole
    elif bullets and rng.random() < 0.5:
        keep = rng.randint(max(tpl.min_bullets, 1), len(bullets))
        bullets = bullets[:keep]
    elif tpl.min_bullets == 0 and rng.random() < 0.25:
        bullets = []  # headline and citation only, as real items often are
    if bullets and tpl.more:
        r = rng.random()
        if r >= 0.85 and len(tpl.more) > 1:
            bullets += rng.sample(tpl.more, 2)
        elif r >= 0.35:
            bullets.append(rng.choice(tpl.more))
    # a line starting "（1）" is a numbered sub-heading, any other a bullet
    body = [(b if b.startswith("（") else "・" + b).format_map(slots) for b in bullets]
    r = rng.random()
    pool = week.sources(tpl.sources)
    nsrc = min(len(pool), max(len(dates), 1 if r < 0.7 else (2 if r < 0.9 else 3)))
    sources = [rng.choice(pool)] if nsrc == 1 else rng.sample(pool, nsrc)
    return _Item(headline, body, _citation(rng, dates, sources), dates)


# --------------------------------------------------------------------------- indicators


def _obs(
    indicator: str,
    dimension: str | None,
    value: int,
    unit: str,
    qualifier: str,
    as_of: dt.date,
    source: str,
    evidence: str,
    period: tuple[dt.date, dt.date] | None = None,
) -> dict[str, Any]:
    return {
        "indicator": indicator,
        "dimension": dimension,
        "value": value,
        "unit": unit,
        "qualifier": qualifier,
        "as_of": as_of.isoformat(),
        "period_start": period[0].isoformat() if period else None,
        "period_end": period[1].isoformat() if period else None,
        "source": _source_name(source),
        "evidence": clean(evidence),
    }


def _prisoners(week: _Week, value: int, wide: bool) -> tuple[_Item, dict[str, Any]]:
    """The Viasna count, in one of the two phrasings the extractor supports."""
    rng = week.rng
    as_of = week.start + dt.timedelta(days=rng.choices(range(7), (1, 1, 1, 2, 3, 2, 1))[0])
    when = _md(as_of, rng.choices((0, 1, 2), (7, 2, 1))[0])
    distractors = []
    if rng.random() < 0.35:
        distractors.append(f"・今週新たに {rng.randint(3, 25)}人が政治犯と認定された。")
    if rng.random() < 0.3:
        distractors.append(f"・{rng.randint(1, 20)}人が釈放された。")
    citation = f"（{_md(as_of, rng.choices((0, 1), (9, 1))[0])} {_VIASNA}）"
    if rng.random() < 0.65:
        sentence = f"{when}現在の政治犯の数は {_num(value)}人"
        if wide:
            sentence = _fullwidth(sentence)
        item = _Item(sentence, distractors, citation, [as_of], highlight=False)
    else:
        sentence = f"{_VIASNA}によれば、{when}時点の政治犯の数は {_num(value)}人。"
        if wide:
            sentence = _fullwidth(sentence)
        body = ["・" + sentence, *distractors]
        item = _Item("政治犯の数", body, citation, [as_of], highlight=False)
    obs = _obs("political_prisoners", None, value, "persons", "exact", as_of, _VIASNA, sentence)
    return item, obs


_GUARDS = (
    ("LT", "リトアニア国境警備局"),
    ("LV", "ラトビア国境警備隊"),
    ("PL", "ポーランド国境警備隊"),
)
_QUALIFIERS = {"": "exact", "少なくとも": "at_least", "約": "approx"}


def _border(
    week: _Week, levels: dict[str, float], wide: bool
) -> tuple[_Item, list[dict[str, Any]]]:
    """Interceptions at the EU border for the report's week, per reporting country."""
    rng = week.rng
    period = (week.start, week.end)
    sign = "〜" if rng.random() < 0.05 else "～"
    body = [f"（{_md(week.start)}{sign}{_md(week.end)}）"]
    if rng.random() < 0.75:
        source = "Pozirk"
        cited = [week.start + dt.timedelta(days=1), week.end + dt.timedelta(days=1)]
        citation = f"（{_md(cited[0])}{sign}{_md(cited[1])} {source}）"
    else:
        source = rng.choice(("「ゼルカロ（鏡）」", "「ナーシャ・ニーヴァ」"))
        cited = [week.end + dt.timedelta(days=1)]
        citation = f"（{_md(cited[0])} {source}）"
    person = "名" if rng.random() < 0.15 else "人"
    uniform = rng.random() < 0.7  # most weeks every count is "at least"
    present = [g for g in _GUARDS if rng.random() >= 0.08] or [rng.choice(_GUARDS)]
    observations = []
    for iso, guard in present:
        qual = "少なくとも" if uniform else rng.choice(tuple(_QUALIFIERS))
        value = max(1, round(levels[iso] * math.exp(rng.gauss(0, 0.25))))
        if qual == "約":
            value = max(10, round(value, -1))
        if iso == "PL" and rng.random() < 0.15:
            unit = "attempts"
            sentence = f"{guard}は{qual} {_num(value)}件の越境の試みを阻止。"
        else:
            unit = "persons"
            sentence = f"{guard}は{qual} {_num(value)}{person}を阻止。"
        if wide:
            sentence = _fullwidth(sentence)
        body.append("・" + sentence)
        observations.append(
            _obs(
                "border_interceptions",
                iso,
                value,
                unit,
                _QUALIFIERS[qual],
                week.end,
                source,
                sentence,
                period,
            )
        )
    item = _Item("ベラルーシから欧州への不法越境の試み", body, citation, cited, highlight=False)
    return item, observations


# (currency as written, ISO 4217, low, high) in currency units
_CURRENCIES = (
    ("ドル", "USD", 1_000_000, 300_000_000),
    ("ユーロ", "EUR", 1_000_000, 100_000_000),
    ("ロシア・ルーブル", "RUB", 50_000_000, 20_000_000_000),
    ("人民元", "CNY", 10_000_000, 2_000_000_000),
    ("元", "CNY", 10_000_000, 2_000_000_000),
    ("ベラルーシ・ルーブル", "BYN", 5_000_000, 500_000_000),
)
_CURRENCY_WEIGHTS = (40, 10, 20, 8, 7, 15)


def _round2(x: float) -> int:
    """Two significant figures, whole 万."""
    digits = math.floor(math.log10(x)) - 1
    return max(10_000, round(x / 10**digits) * 10**digits // 10_000 * 10_000)


def _deal(week: _Week, wide: bool) -> tuple[_Item, dict[str, Any]]:
    """A contract with a money value, the counterparty named in the sentence, the
    headline, or nowhere."""
    rng = week.rng
    company, product = rng.choice(_COMPANIES)
    written, iso, lo, hi = rng.choices(_CURRENCIES, _CURRENCY_WEIGHTS)[0]
    value = _round2(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    approx = rng.random() < 0.2
    amount = ("約 " if approx else "") + format_amount(value) + written
    home = week.series.country_ja
    partners = [p for p in _DEAL_PARTNERS if p != home]
    if iso == "RUB" and "ロシア" in partners and rng.random() < 0.8:
        country: str | None = "ロシア"
    elif iso == "CNY" and "中国" in partners:
        country = "中国"
    else:
        country = rng.choice(partners)
    where = rng.choices(("sentence", "headline", "none"), (6, 2, 2))[0]
    if where == "none" and iso in ("CNY",):
        where = "sentence"  # yuan without China named would read oddly
    body: list[str] = []
    if where == "sentence":
        headline = rng.choice(
            (
                f"{company}による{country}向け輸出",
                f"{company}と{country}企業との契約",
                f"{company}の大型受注",
            )
        )
        if rng.random() < 0.5:
            sentence = (
                f"{company}は{country}の企業と、{amount}相当の{product}を供給する契約を締結。"
            )
        else:
            partner = rng.choice(("国営企業", "大手商社", "販売代理店", "建設会社"))
            sentence = f"{company}は{country}の{partner}と、{amount}の契約に署名。"
    elif where == "headline":
        headline = rng.choice(
            (f"{company}による{country}向けビジネス", f"{company}の{country}市場開拓")
        )
        body.append(f"・{company}代表団は{country}を訪問。")
        if rng.random() < 0.5:
            year = week.published.year + 1
            sentence = f"主要顧客の 1 社と、{year}年に自社製品 {amount}を販売する契約を締結。"
        else:
            sentence = f"{company}は現地の企業と、{amount}の契約に署名。"
    else:
        country = None
        headline = f"{company}の大型受注"
        sentence = f"{company}は、{amount}相当の{product}を供給する契約を締結。"
    if wide:
        sentence = _fullwidth(sentence)
    body.append("・" + sentence)
    if rng.random() < 0.4:
        body.append("・同社は、今後も海外市場での販路拡大を目指す方針。")
    # One date and one source: with several, which one an observation keeps is a
    # convention of the extractor, not a fact of the text.
    dates = [week.day(-2, 6) if rng.random() < 0.05 else week.day()]
    source = rng.choice(("国営ベルタ通信", "露タス通信", "「ゼルカロ（鏡）」", "経済省"))
    item = _Item(headline, body, _citation(rng, dates, [source]), dates, highlight=False)
    dim = COUNTERPARTIES[country] if country else None
    unit_qual = "approx" if approx else "exact"
    return item, _obs("trade_deal_value", dim, value, iso, unit_qual, dates[0], source, sentence)


# --------------------------------------------------------------------------- walks


@dataclass(frozen=True)
class _Profile:
    """A series' long-run levels: the mean path the weekly walks revert to."""

    prisoners_base: float
    prisoners_amp: float
    prisoners_period: float  # weeks
    prisoners_peak: float  # week index of the peak
    border: dict[str, float]


def _profile(series: Series, seed: int) -> _Profile:
    rng = random.Random(f"{seed}/{series.slug}/profile")
    peak = (dt.date(2023, 7, 1) - _EPOCH).days / 7
    if series.slug == "belarus":
        # ~1,440 in early 2023, ~1,520 mid-2023, ~1,460 at 2023-11-24, ~1,300 mid-2024
        return _Profile(1400.0, 120.0, 130.0, peak, {"LT": 35.0, "LV": 120.0, "PL": 220.0})
    base = rng.uniform(150, 2500)
    return _Profile(
        base,
        base * rng.uniform(0.05, 0.15),
        rng.uniform(80, 200),
        peak + rng.uniform(-100, 100),
        {"LT": rng.uniform(10, 60), "LV": rng.uniform(40, 200), "PL": rng.uniform(80, 350)},
    )


def _walk(
    series: Series, seed: int, until: dt.date
) -> Iterator[tuple[dt.date, int, dict[str, float]]]:
    """Weekly (publication date, prisoners, border levels) from the epoch to ``until``.

    Mean-reverting deviations around a slow wave: a random walk that stays plausible
    for decades. Starting at a fixed epoch makes every week's value independent of
    the range requested.
    """
    prof = _profile(series, seed)
    rng = random.Random(f"{seed}/{series.slug}/walk")
    gauss = rng.gauss
    dev = 0.0
    bdev = {"LT": 0.0, "LV": 0.0, "PL": 0.0}
    week = 0
    day = _EPOCH
    step = dt.timedelta(days=7)
    two_pi = 2 * math.pi
    while day <= until:
        dev = 0.85 * dev + gauss(0, 10)
        phase = two_pi * (week - prof.prisoners_peak) / prof.prisoners_period
        prisoners = max(20, round(prof.prisoners_base + prof.prisoners_amp * math.cos(phase) + dev))
        # migration peaks in late summer and autumn
        season = 1 + 0.45 * math.sin(two_pi * (day.timetuple().tm_yday - 150) / 365.25)
        levels: dict[str, float] = {}
        for iso in bdev:
            bdev[iso] = 0.8 * bdev[iso] + gauss(0, 0.2)
            levels[iso] = prof.border[iso] * season * math.exp(bdev[iso])
        yield day, prisoners, levels
        day += step
        week += 1


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class SampleReport:
    """One generated report and the observations a correct extractor finds in it."""

    filename: str
    text: str
    published: dt.date
    period_start: dt.date
    period_end: dt.date
    observations: list[dict[str, Any]]
    series: Series = BELARUS


_SECTIONS_AFTER_LEADER = ("外交", "内政", "経済", "抗議勢力の動き", "その他")


def _report(
    series: Series, seed: int, published: dt.date, prisoners: int, levels: dict[str, float]
) -> SampleReport:
    week = _Week(series, seed, published)
    rng = week.rng
    wide = rng.random() < 0.1  # this report's indicator numbers are full-width
    observations: list[dict[str, Any]] = []
    sections: list[tuple[str, list[_Item]]] = []

    def fillers(tpls: Sequence[_Tpl], lo: int, hi: int) -> list[_Item]:
        return [_filler(week, t) for t in rng.sample(tpls, min(rng.randint(lo, hi), len(tpls)))]

    sections.append((series.leader_section, fillers(_LEADER_TPLS, 3, 5)))
    sections.append(("外交", fillers(_FOREIGN_TPLS, 2, 4)))

    domestic = fillers(_DOMESTIC_TPLS, 1, 3)
    indicator_items: list[tuple[_Item, list[dict[str, Any]]]] = []
    if rng.random() < 0.88:
        item, obs = _prisoners(week, prisoners, wide)
        indicator_items.append((item, [obs]))
    if rng.random() < 0.94:
        item, border_obs = _border(week, levels, wide)
        indicator_items.append((item, border_obs))
    if rng.random() < 0.15:
        rng.shuffle(indicator_items)
    for item, _ in indicator_items:  # mostly after the other domestic news, as in the real one
        at = rng.randint(0, len(domestic)) if rng.random() < 0.3 else len(domestic)
        domestic.insert(at, item)
    sections.append(("内政", domestic))

    economy = fillers(_ECONOMY_TPLS, 1, 3)
    if rng.random() < 0.3:
        item, deal_obs = _deal(week, wide)
        economy.insert(rng.randint(0, len(economy)), item)
        indicator_items.append((item, [deal_obs]))
    sections.append(("経済", economy))
    sections.append(("抗議勢力の動き", fillers(_OPPOSITION_TPLS, 1, 2)))
    sections.append(("その他", fillers(_OTHER_TPLS, 1, 2)))
    if rng.random() < 0.4:
        sections.append(("統計等", fillers(_STATS_TPLS, 1, 1)))

    # observations in document order
    by_item = {id(item): obs for item, obs in indicator_items}
    for _, items in sections:
        for item in items:
            observations.extend(by_item.get(id(item), ()))

    # 主な出来事: two or three events repeated with their dates
    candidates = [i for _, items in sections[:2] for i in items if i.highlight]
    candidates += [i for i in sections[2][1] if i.highlight]
    highlights = []
    for item in rng.sample(candidates, min(len(candidates), rng.randint(2, 3))):
        d = item.dates
        when = _md(d[0])
        if len(d) > 1:
            when += "、" + (f"{d[1].day}日" if d[1].month == d[0].month else _md(d[1]))
        highlights.append(_Item(f"{item.headline}（{when}）"))

    text = _render(week, highlights, sections)
    return SampleReport(
        filename=f"sample-{series.slug}-{published.isoformat()}.txt",
        text=text,
        published=published,
        period_start=week.start,
        period_end=week.end,
        observations=observations,
        series=series,
    )


# A paragraph: (text, wrap width). None is the " " separator line between items.
_Para = tuple[str, int] | None


def _render(week: _Week, highlights: list[_Item], sections: list[tuple[str, list[_Item]]]) -> str:
    """The report as a PDF text extractor gives it: short lines, a blank line after each."""
    rng = week.rng
    s = week.series
    col = rng.choice((46, 48, 48, 50))
    sign = "〜" if rng.random() < 0.03 else "～"
    paras: list[_Para] = [
        (f"（{_md(week.start)}{sign}{_md(week.end)}）", 99),
        (f"{week.published.year}年 {week.published.month}月 {week.published.day}日", 99),
        (s.issuer, 99),
        ("【主な出来事】", 99),
    ]
    paras += [("●" + h.headline, 96) for h in highlights]
    for name, items in sections:
        paras += [None, (f"【{name}】", 99)]
        for k, item in enumerate(items):
            if k:
                paras.append(None)
            paras.append(("●" + item.headline, col))
            paras += [(b, col) for b in item.body]
            if item.citation:
                paras.append((item.citation, col))
    paras.append(("（了）", 99))

    # Physical lines; a blank line follows each unless its text ends in "\n" (page break).
    out: list[str] = [f" {s.title} "]
    page_len = rng.randint(55, 80)
    lines_on_page = 1
    page = 1
    for k, para in enumerate(paras):
        if para is None:
            out.append(" ")
            continue
        lines = _wrap(*para)
        lead = ""
        if lines_on_page >= page_len and k > 4:
            while out[-1] == " ":
                out.pop()  # the separator falls on the page break
            page += 1
            style = rng.random()
            if style < 0.6:  # as in the real file: the blank line lost, a leading space
                out[-1] += "\n"
                lead = " "
            else:
                out.append(f"- {page} -")
                if style < 0.8:
                    out.append(f" {s.title} ")
                lead = " " if rng.random() < 0.5 else ""
            lines_on_page = 0
            page_len = rng.randint(55, 80)
        lines[0] = lead + lines[0]
        lines[-1] += " "
        out += lines
        lines_on_page += len(lines)
    return "\n\n".join(out).replace("\n\n\n", "\n") + "\n\n\n"


def _thursdays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start + dt.timedelta(days=(3 - start.weekday()) % 7)
    while day <= end:
        yield day
        day += dt.timedelta(days=7)


def generate_reports(
    *,
    seed: int = 2023,
    start: dt.date,
    end: dt.date,
    series: Series | None = None,
    skip: set[dt.date] | None = None,
) -> Iterator[SampleReport]:
    """One report per week whose publication Thursday falls in ``start..end``.

    Each report covers the Monday..Sunday ending four days before it is published.
    ``skip`` holds publication dates (Thursdays) of weeks to leave out. The same
    seed, series and week give the same report whatever the range.

    >>> r = next(generate_reports(start=dt.date(2023, 11, 1), end=dt.date(2023, 11, 9)))
    >>> r.filename, r.period_start, r.period_end
    ('sample-belarus-2023-11-02.txt', datetime.date(2023, 10, 23), datetime.date(2023, 10, 29))
    """
    series = series or BELARUS
    skip = skip or set()
    for d in skip:
        if d.weekday() != 3:
            raise ValueError(f"skip holds publication dates (Thursdays), not {d}")
    if start < _EPOCH + dt.timedelta(days=10):
        raise ValueError(f"sample reports start after {_EPOCH}")
    wanted = iter(_thursdays(start, end))
    target = next(wanted, None)
    if target is None:
        return
    for published, prisoners, levels in _walk(series, seed, end):
        if published != target:
            continue
        if published not in skip:
            yield _report(series, seed, published, prisoners, levels)
        target = next(wanted, None)
        if target is None:
            return


def write_reports(folder: Path, reports: Iterable[SampleReport]) -> list[Path]:
    """Write each report as UTF-8 under its file name; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in reports:
        path = folder / report.filename
        path.write_text(report.text, encoding="utf-8")
        paths.append(path)
    return paths


def bundled_reports() -> list[SampleReport]:
    """The dashboard's sample set: Belarus, weekly 2023-01..2024-06, seed 2023.

    One week (:data:`BUNDLED_MISSING`) has no report, and the week of the real
    report (:data:`REAL_REPORT_PUBLISHED`) is left for the real one.
    """
    return list(
        generate_reports(
            start=BUNDLED_START,
            end=BUNDLED_END,
            series=BELARUS,
            skip={BUNDLED_MISSING, REAL_REPORT_PUBLISHED},
        )
    )


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indicators.sample",
        description="Write deterministic sample weekly reports (synthetic data).",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the .txt reports into")
    parser.add_argument("--series", type=int, default=1, help="number of series (default 1)")
    parser.add_argument(
        "--years",
        type=int,
        default=None,
        help=f"years of weekly reports ending {BUNDLED_END} (default: the bundled range "
        f"{BUNDLED_START}..{BUNDLED_END}, with its one missing week)",
    )
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)
    if args.series < 1 or (args.years is not None and args.years < 1):
        parser.error("--series and --years must be at least 1")

    if args.years is None:
        start, missing = BUNDLED_START, {BUNDLED_MISSING}
    else:
        # 52 weeks a year, ending at BUNDLED_END
        start, missing = BUNDLED_END - dt.timedelta(days=7 * 52 * args.years - 1), set()
    t0 = time.perf_counter()
    count = 0
    for i, series in enumerate(sample_series(args.series)):
        # The Belarus series always leaves the real report's week to the real report.
        skip = missing | {REAL_REPORT_PUBLISHED} if i == 0 else set()
        reports = generate_reports(
            seed=args.seed, start=start, end=BUNDLED_END, series=series, skip=skip
        )
        count += len(write_reports(args.out_dir, reports))
    elapsed = time.perf_counter() - t0
    rate = count / elapsed if elapsed else float("inf")
    print(
        f"wrote {count} sample reports to {args.out_dir} in {elapsed:.1f} s ({rate:,.0f}/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
