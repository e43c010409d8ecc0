"""Deterministic sample weekly reports in the shape of the real PDF-extracted text.

One real report cannot show a trend, and a scale benchmark needs thousands. This
module writes synthetic reports of the "公開情報とりまとめ" series from a seed: the same
structure, citation shapes and extraction artifacts as
``tests/reports/belarus-weekly-2023-11-30.txt`` and about its size (12 kB), filler events
drawn from template pools, and three indicators whose ground truth is returned beside
each text in the ``parse --json`` observation shape. Every phrase is data, in
``sample.toml`` beside this module (:data:`WORDING_FILE`): filler events, and the
indicators in the many wordings of the analyst's conventions with the distractors real
weeks carry. It is checked on loading, and what its words mean (countries, currencies,
counters, qualifier words) is taken from the definitions, so the generator does not
agree with the extractor by construction: tests/test_sample.py scores one on the other.
Every sample says so in its issuer line (:data:`SAMPLE_ISSUER`), so it can never pass
for an embassy report.

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
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indicators.read import normalize

__all__ = [
    "BUNDLED_END",
    "BUNDLED_MISSING",
    "BUNDLED_START",
    "REAL_REPORT_PUBLISHED",
    "SAMPLE_ISSUER",
    "WORDING_FILE",
    "SampleReport",
    "Series",
    "Wording",
    "WordingError",
    "bundled_reports",
    "clean",
    "counterparties",
    "format_amount",
    "generate_reports",
    "main",
    "parse_wording",
    "sample_series",
    "wording",
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


def clean(text: str) -> str:
    """Text as the reader cleans it (:func:`indicators.read.normalize`): NFKC but （）～
    kept, no space next to non-ASCII.

    >>> clean("リトアニア国境警備局は少なくとも 22人を阻止。")
    'リトアニア国境警備局は少なくとも22人を阻止。'
    >>> clean("１１月２４日現在の政治犯の数は１，４５０人")
    '11月24日現在の政治犯の数は1,450人'
    >>> clean("（11 月 21日〜11月 27日 Pozirk）")
    '（11月21日～11月27日Pozirk）'
    """
    return normalize(text)


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


# --------------------------------------------------------------------------- wording

#: The generator's wording: pools, filler events, indicator phrasings (data, not code).
WORDING_FILE = Path(__file__).with_name("sample.toml")
_SECTIONS = ("leader", "foreign", "domestic", "economy", "opposition", "other", "stats")
_SLOT = re.compile(r"\{([A-Za-z_]+?)(\d*)\}")


class WordingError(ValueError):
    """The wording file is wrong: one line naming the entry and the problem."""


@dataclass(frozen=True)
class _Tpl:
    """A filler event: headline, bullet templates, source pool; slots in braces."""

    headline: str
    bullets: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_bullets: int = 0
    more: tuple[str, ...] = ()  # longer sentences an item may end with


@dataclass(frozen=True)
class _Phrasing:
    """One way an indicator item is worded: headline, body lines, counters."""

    headline: str
    body: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wording:
    """Everything :file:`sample.toml` holds, checked against the definitions."""

    pools: dict[str, tuple[str, ...]]
    places: dict[str, dict[str, tuple[str, ...]]]
    weather: tuple[tuple[frozenset[int], tuple[str, ...]], ...]
    sources: dict[str, tuple[str, ...]]
    #: (name, ISO code, capital, head of state) of each partner country
    partners: tuple[tuple[str, str, str, str], ...]
    companies: tuple[tuple[str, str], ...]
    fillers: dict[str, tuple[_Tpl, ...]]
    long: dict[str, tuple[str, ...]]
    before: dict[str, str]  # qualifier word before a number -> qualifier code
    after: dict[str, str]  # qualifier word after a number -> qualifier code
    qualified_share: float
    viasna: tuple[str, ...]
    prisoner_counters: tuple[str, ...]
    prisoner_items: tuple[_Phrasing, ...]
    prisoner_distractors: tuple[str, ...]
    border_headlines: tuple[str, ...]
    border_period_bullets: tuple[str, ...]
    border_distractors: tuple[str, ...]
    guards: dict[str, tuple[str, ...]]  # ISO code -> names of its border guard
    border_one: tuple[_Phrasing, ...]
    border_all: tuple[_Phrasing, ...]
    deal_partners: tuple[str, ...]
    currencies: tuple[tuple[str, str, int, int], ...]  # word, ISO 4217, low, high
    currency_weights: tuple[int, ...]
    millions_share: float
    firms: tuple[str, ...]
    deal_items: tuple[_Phrasing, ...]
    deal_distractors: tuple[str, ...]
    #: counter word -> unit code, from the definitions
    units: dict[str, str]
    #: country name -> ISO code, from the definitions
    countries: dict[str, str]


def _fail(where: str, problem: str) -> WordingError:
    return WordingError(f"{WORDING_FILE.name}: {where}: {problem}")


def _strs(where: str, value: Any, *, empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, "expected a list of strings")
    if not value and not empty:
        raise _fail(where, "must not be empty")
    return tuple(value)


def _keys(where: str, entry: Any, allowed: set[str], required: Iterable[str] = ()) -> None:
    if not isinstance(entry, dict):
        raise _fail(where, "expected a table")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}")
    missing = sorted(set(required) - set(entry))
    if missing:
        raise _fail(where, f"missing key {missing[0]!r}")


def _share(where: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise _fail(where, "expected a share between 0 and 1")
    return float(value)


def _check_slots(where: str, text: str, allowed: set[str]) -> None:
    for match in _SLOT.finditer(text):
        if match[1] not in allowed and match[1] + match[2] not in allowed:
            raise _fail(where, f"unknown slot {{{match[0][1:-1]}}} in {text!r}")


def parse_wording(raw: str) -> Wording:
    """Read and check the wording file's text (see :data:`WORDING_FILE`)."""
    from indicators.definitions import default_definitions

    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise _fail("file", f"not valid TOML ({error})") from None
    top = {"format", "pools", "places", "weather", "sources", "partners", "companies"}
    _keys("file", data, top | {"filler", "long", "wording"}, top | {"filler", "wording"})
    if data["format"] != 1:
        raise _fail("format", f"unknown format {data['format']!r} (expected 1)")
    defs = default_definitions()
    countries = defs.countries
    units = {w: u.code for u in defs.units.values() for w in u.counters}
    pools = {k: _strs(f"pools.{k}", v) for k, v in data["pools"].items()}
    places = {}
    for kind, entry in data["places"].items():
        _keys(f"places.{kind}", entry, {"region", "city"}, {"region", "city"})
        places[kind] = {k: _strs(f"places.{kind}.{k}", v) for k, v in entry.items()}
    if set(places) != {"belarus", "other"}:
        raise _fail("places", "expected [places.belarus] and [places.other]")
    weather = []
    for i, entry in enumerate(data["weather"]):
        _keys(f"weather[{i}]", entry, {"months", "events"}, {"months", "events"})
        weather.append((frozenset(entry["months"]), _strs(f"weather[{i}].events", entry["events"])))
    if set().union(*(m for m, _ in weather)) != set(range(1, 13)):
        raise _fail("weather", "every month needs its weather")
    sources = {k: _strs(f"sources.{k}", v) for k, v in data["sources"].items()}
    partners = []
    for i, entry in enumerate(data["partners"]):
        _keys(f"partners[{i}]", entry, {"name", "capital", "head"}, {"name", "capital", "head"})
        if entry["name"] not in countries:
            raise _fail(f"partners[{i}]", f"{entry['name']!r} is no country of the definitions")
        partners.append((entry["name"], countries[entry["name"]], entry["capital"], entry["head"]))
    companies = []
    for i, entry in enumerate(data["companies"]):
        _keys(f"companies[{i}]", entry, {"name", "product"}, {"name", "product"})
        companies.append((entry["name"], entry["product"]))
    context = {"home", "leader", "months", "d1", "fc", "fcity", "fhead", "fcs", "company"}
    context |= {"region", "city", "weather"} | set(pools) | set(_NUMBERS)
    fillers: dict[str, tuple[_Tpl, ...]] = {}
    filler_sections = data["filler"]
    if set(filler_sections) != set(_SECTIONS):
        raise _fail("filler", f"expected the sections {', '.join(_SECTIONS)}")
    for section, entries in filler_sections.items():
        tpls = []
        for i, entry in enumerate(entries):
            where = f"filler.{section}[{i}]"
            _keys(
                where,
                entry,
                {"headline", "bullets", "more", "min_bullets", "sources"},
                {"headline"},
            )
            src = entry.get("sources", section)
            if src not in sources:
                raise _fail(where, f"unknown sources {src!r}")
            tpl = _Tpl(
                entry["headline"],
                _strs(where + ".bullets", entry.get("bullets", []), empty=True),
                sources[src],
                int(entry.get("min_bullets", 0)),
                _strs(where + ".more", entry.get("more", []), empty=True),
            )
            for text in (tpl.headline, *tpl.bullets, *tpl.more):
                _check_slots(where, text, context)
            tpls.append(tpl)
        fillers[section] = tuple(tpls)
    long = {k: _strs(f"long.{k}", v) for k, v in data.get("long", {}).items()}
    for section, texts in long.items():
        if section not in _SECTIONS:
            raise _fail(f"long.{section}", "unknown section")
        for text in texts:
            _check_slots(f"long.{section}", text, context)

    w = data["wording"]
    _keys(
        "wording",
        w,
        {"qualifiers", "prisoners", "border", "deals"},
        {"qualifiers", "prisoners", "border", "deals"},
    )
    q = w["qualifiers"]
    _keys("wording.qualifiers", q, {"share", "before", "after"}, {"share", "before", "after"})
    before, after = {}, {}
    for word in _strs("wording.qualifiers.before", q["before"]):
        if word not in defs.prefix_qualifier:
            raise _fail("wording.qualifiers.before", f"{word!r} is no qualifier of the definitions")
        before[word] = defs.prefix_qualifier[word]
    for word in _strs("wording.qualifiers.after", q["after"]):
        if word not in defs.suffix_qualifier:
            raise _fail("wording.qualifiers.after", f"{word!r} is no qualifier of the definitions")
        after[word] = defs.suffix_qualifier[word]

    def counters(where: str, value: Any) -> tuple[str, ...]:
        found = _strs(where, value)
        for word in found:
            if word not in units:
                raise _fail(where, f"{word!r} is no counter of the definitions' units")
        return found

    def phrasings(
        where: str, entries: Any, slots: set[str], *, text_only: bool = False
    ) -> tuple[_Phrasing, ...]:
        out = []
        if not isinstance(entries, list) or not entries:
            raise _fail(where, "expected at least one entry")
        for i, entry in enumerate(entries):
            at = f"{where}[{i}]"
            if text_only:
                _keys(at, entry, {"text", "counters"}, {"text", "counters"})
                p = _Phrasing(entry["text"], (), counters(at + ".counters", entry["counters"]))
            else:
                _keys(at, entry, {"headline", "body"}, {"headline"})
                p = _Phrasing(
                    entry["headline"], _strs(at + ".body", entry.get("body", []), empty=True)
                )
            for text in (p.headline, *p.body):
                _check_slots(at, text, slots)
            out.append(p)
        return tuple(out)

    extra = {"k", "big", "day"}
    pr = w["prisoners"]
    _keys(
        "wording.prisoners",
        pr,
        {"viasna", "counters", "distractors", "item"},
        {"viasna", "counters", "item"},
    )
    prisoner_slots = {"total", "total_q", "date", "viasna"} | extra
    prisoner_items = phrasings("wording.prisoners.item", pr["item"], prisoner_slots)
    for i, p in enumerate(prisoner_items):
        if "{total" not in p.headline + "".join(p.body):
            raise _fail(f"wording.prisoners.item[{i}]", "states no {total}")
    distract = _strs("wording.prisoners.distractors", pr.get("distractors", []), empty=True)
    for text in distract:
        _check_slots("wording.prisoners.distractors", text, extra | {"viasna"})

    bo = w["border"]
    _keys(
        "wording.border",
        bo,
        {"headlines", "period_bullets", "distractors", "guards", "one", "all"},
        {"headlines", "guards", "one"},
    )
    dims = defs.indicator("border_interceptions").dimension_countries
    guards = {}
    for code, names in bo["guards"].items():
        if code not in dims:
            raise _fail(
                f"wording.border.guards.{code}", "not a reporting country of border_interceptions"
            )
        guards[code] = _strs(f"wording.border.guards.{code}", names)
        name = defs.country_table[code].name.ja
        for guard in guards[code]:
            if name not in guard:
                raise _fail(f"wording.border.guards.{code}", f"{guard!r} does not name {name}")
    border_one = phrasings(
        "wording.border.one", bo["one"], {"guard", "n", "n_q"} | extra, text_only=True
    )
    border_all = phrasings(
        "wording.border.all",
        bo.get("all", []) or [{"text": "{names}{counts}", "counters": ["人"]}],
        {"names", "counts"},
        text_only=True,
    )
    border_distractors = _strs("wording.border.distractors", bo.get("distractors", []), empty=True)
    for text in border_distractors:
        _check_slots("wording.border.distractors", text, extra)
    period_bullets = _strs(
        "wording.border.period_bullets", bo.get("period_bullets", []), empty=True
    )
    for text in period_bullets:
        _check_slots("wording.border.period_bullets", text, {"period"})

    de = w["deals"]
    _keys(
        "wording.deals",
        de,
        {"partners", "currencies", "millions", "firms", "distractors", "item"},
        {"partners", "currencies", "item"},
    )
    for name in _strs("wording.deals.partners", de["partners"]):
        if name not in countries:
            raise _fail("wording.deals.partners", f"{name!r} is no country of the definitions")
    currencies, weights = [], []
    for i, entry in enumerate(de["currencies"]):
        at = f"wording.deals.currencies[{i}]"
        _keys(at, entry, {"word", "low", "high", "weight"}, {"word", "low", "high", "weight"})
        if entry["word"] not in defs.currency_words:
            raise _fail(at, f"{entry['word']!r} is no currency word of the definitions")
        if not 10_000 <= entry["low"] < entry["high"] < 10**12:
            raise _fail(at, "expected 10,000 <= low < high < 1兆")
        currencies.append(
            (entry["word"], defs.currency_words[entry["word"]], entry["low"], entry["high"])
        )
        weights.append(int(entry["weight"]))
    deal_slots = {"company", "product", "firm", "country", "amount"} | extra
    deal_items = phrasings("wording.deals.item", de["item"], deal_slots)
    for i, p in enumerate(deal_items):
        if "{amount" not in "".join(p.body):
            raise _fail(f"wording.deals.item[{i}]", "states no {amount} in its body")
    deal_distractors = _strs("wording.deals.distractors", de.get("distractors", []), empty=True)
    for text in deal_distractors:
        _check_slots("wording.deals.distractors", text, deal_slots)
    return Wording(
        pools=pools,
        places=places,
        weather=tuple(weather),
        sources=sources,
        partners=tuple(partners),
        companies=tuple(companies),
        fillers=fillers,
        long=long,
        before=before,
        after=after,
        qualified_share=_share("wording.qualifiers.share", q["share"]),
        viasna=_strs("wording.prisoners.viasna", pr["viasna"]),
        prisoner_counters=counters("wording.prisoners.counters", pr["counters"]),
        prisoner_items=prisoner_items,
        prisoner_distractors=distract,
        border_headlines=_strs("wording.border.headlines", bo["headlines"]),
        border_period_bullets=period_bullets,
        border_distractors=border_distractors,
        guards=guards,
        border_one=border_one,
        border_all=border_all,
        deal_partners=tuple(de["partners"]),
        currencies=tuple(currencies),
        currency_weights=tuple(weights),
        millions_share=_share("wording.deals.millions", de.get("millions", 0)),
        firms=_strs("wording.deals.firms", de.get("firms", ["企業"])),
        deal_items=deal_items,
        deal_distractors=deal_distractors,
        units=units,
        countries=countries,
    )


@functools.cache
def wording() -> Wording:
    """The wording file, read and checked once."""
    return parse_wording(WORDING_FILE.read_text(encoding="utf-8"))


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


def counterparties() -> dict[str, str]:
    """Japanese country name -> ISO 3166-1 alpha-2, for every partner a sample names."""
    return {name: iso for name, iso, _, _ in wording().partners}


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
            partner = _partner_by_name()[fc]
            if base == "fcs":  # 対中, 対露: the short forms in 対…輸出額
                value = {"中国": "中", "ロシア": "露"}.get(fc, fc)
            else:
                value = partner[2] if base == "fcity" else partner[3]
        elif base in _NUMBERS:
            value = _NUMBERS[base](rng)
        else:
            pool = self._pools.get(base) or wording().pools[base]
            value = rng.choice(pool)
            if key != base:
                taken = {v for k, v in self.items() if k.rstrip("0123456789") == base}
                for _ in range(8):
                    if value not in taken:
                        break
                    value = rng.choice(pool)
        self[key] = value
        return value


@functools.cache
def _partner_by_name() -> dict[str, tuple[str, str, str, str]]:
    return {p[0]: p for p in wording().partners}


@functools.cache
def _partners_except(home: str) -> tuple[str, ...]:
    return tuple(p for p in counterparties() if p != home)


@functools.cache
def _source_pool(raw: tuple[str, ...], home: str) -> tuple[str, ...]:
    """Distinct sources, the country filled in."""
    return tuple(dict.fromkeys(s.replace("{home}", home) for s in raw))


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
        w = wording()
        places = w.places["belarus" if is_by else "other"]
        self.pools: dict[str, Sequence[str]] = {
            "region": places["region"],
            "city": places["city"],
            "fc": _partners_except(self.ctx["home"]),
            "company": tuple(c for c, _ in w.companies),
            "weather": next(e for months, e in w.weather if published.month in months),
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


def _filler(week: _Week, tpl: _Tpl, section: str) -> _Item:
    rng = week.rng
    slots = week.slots()
    dates = week.item_dates()
    slots["d1"] = _md(dates[0], 2 if rng.random() < 0.5 else 0)
    headline = tpl.headline.format_map(slots)
    bullets = list(tpl.bullets)
    if any(b.startswith("（") for b in bullets):
        pass  # numbered sub-headings: keep the structure whole
    elif bullets and rng.random() < 0.25:
        keep = rng.randint(max(tpl.min_bullets, 1), len(bullets))
        bullets = bullets[:keep]
    elif tpl.min_bullets == 0 and rng.random() < 0.12:
        bullets = []  # headline and citation only, as real items often are
    if bullets and tpl.more:
        r = rng.random()
        if r >= 0.5 and len(tpl.more) > 1:
            bullets += rng.sample(tpl.more, 2)
        elif r >= 0.1:
            bullets.append(rng.choice(tpl.more))
    long = wording().long.get(section, ())
    if bullets and long and rng.random() < 0.7:
        bullets += rng.sample(long, min(len(long), rng.choice((1, 1, 2))))
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
        "evidence": clean(evidence.removeprefix("・")),
    }


def _qualified(
    rng: random.Random, number: str, follows: str, share: float | None = None
) -> tuple[str, str]:
    """``number`` (with its counter or currency) maybe with a qualifier word before or
    after it, and that word's qualifier code (from the definitions). A verb-like word
    (を超える) is put only where a sentence or clause ends after it."""
    w = wording()
    if rng.random() >= (w.qualified_share if share is None else share):
        return number, "exact"
    words = [(word, True) for word in w.before]
    ends = not follows or follows[0] in "。（、"
    words += [(word, False) for word in w.after if ends or not word.startswith("を")]
    word, is_before = rng.choice(words)
    if is_before:
        return f"{word} {number}", w.before[word]
    return number + word, w.after[word]


def _fill(text: str, values: dict[str, str], slots: _Slots) -> str:
    """A template with the item's own values first, then the pools' draws."""
    return text.format_map(_Chain(values, slots))


class _Chain(dict[str, str]):
    def __init__(self, first: dict[str, str], then: _Slots) -> None:
        super().__init__(first)
        self._then = then

    def __missing__(self, key: str) -> str:
        return self._then[key]


def _distractor_values(week: _Week) -> dict[str, str]:
    rng = week.rng
    return {
        "k": str(rng.randint(2, 30)),
        "k2": str(rng.randint(31, 180)),
        "big": _num(rng.randint(3, 60) * 100),
        "day": _md(week.day(), 0),
    }


def _slot_at(lines: Sequence[str], slot: str) -> tuple[int, str]:
    """Which line holds ``{slot}`` and the text right after it there."""
    for i, line in enumerate(lines):
        at = line.find("{" + slot + "}")
        if at >= 0:
            return i, line[at + len(slot) + 2 :]
    raise KeyError(slot)


def _prisoners(week: _Week, value: int, wide: bool) -> tuple[_Item, dict[str, Any]]:
    """The Viasna count, in one of the wordings of the wording file."""
    w = wording()
    rng = week.rng
    as_of = week.start + dt.timedelta(days=rng.choices(range(7), (1, 1, 1, 2, 3, 2, 1))[0])
    phrasing = rng.choice(w.prisoner_items)
    lines = [phrasing.headline, *phrasing.body]
    joined = "".join(lines)
    counter = rng.choice(w.prisoner_counters)
    number = _num(value) + counter
    slot = "total_q" if "{total_q}" in joined else "total"
    at, follows = _slot_at(lines, slot)
    total, qualifier = _qualified(rng, number, follows) if slot == "total_q" else (number, "exact")
    if wide:
        total = _fullwidth(total)
    values = {
        "date": _md(as_of, rng.choices((0, 1, 2), (7, 2, 1))[0]),
        "viasna": rng.choice(w.viasna),
        slot: total,
        **_distractor_values(week),
    }
    slots = week.slots()
    filled = [_fill(line, values, slots) for line in lines]
    extra = [
        _fill(d, values, slots)
        for d in rng.sample(w.prisoner_distractors, rng.choice((0, 0, 1, 1, 2)))
    ]
    # The citation's first date is the as_of unless the item writes its own date.
    dated = "{date}" in joined
    cited = as_of + dt.timedelta(days=rng.choice((0, 1)) if dated else 0)
    source = values["viasna"] if "{viasna}" in joined else rng.choice(w.viasna)
    citation = f"（{_md(cited, rng.choices((0, 1), (9, 1))[0])} {source}）"
    body = filled[1:] + extra
    if rng.random() < 0.5:
        body = filled[1:2] + extra + filled[2:]  # distractors before a later total
    item = _Item(filled[0], body, citation, [cited], highlight=False)
    evidence = filled[at]
    obs = _obs(
        "political_prisoners",
        None,
        value,
        w.units[counter],
        qualifier,
        as_of,
        source,
        evidence,
    )
    return item, obs


def _border(
    week: _Week, levels: dict[str, float], wide: bool
) -> tuple[_Item, list[dict[str, Any]]]:
    """Interceptions at the EU border for the report's week, per reporting country."""
    w = wording()
    rng = week.rng
    period = (week.start, week.end)
    sign = "〜" if rng.random() < 0.05 else "～"
    printed = f"{_md(week.start)}{sign}{_md(week.end)}"
    headline = rng.choice(w.border_headlines)
    body: list[str] = []
    where = rng.choices(("after", "headline", "bullet", "citation", "none"), (5, 3, 1, 1, 1))[0]
    if where == "bullet" and not w.border_period_bullets:
        where = "after"
    if where == "after":
        body.append(f"（{printed}）")
    elif where == "headline":
        headline += f"（{printed}）"
    elif where == "bullet":
        body.append(rng.choice(w.border_period_bullets).format(period=printed))
    if where == "citation":
        source = "Pozirk"
        cited = [week.start, week.end]
        citation = f"（{printed} {source}）"
    elif where != "none" and rng.random() < 0.75:
        # a range in the citation is the count's period unless one is printed before
        source = "Pozirk"
        cited = [week.start + dt.timedelta(days=1), week.end + dt.timedelta(days=1)]
        citation = f"（{_md(cited[0])}{sign}{_md(cited[1])} {source}）"
    else:
        source = rng.choice(("「ゼルカロ（鏡）」", "「ナーシャ・ニーヴァ」"))
        cited = [week.end + dt.timedelta(days=1)]
        citation = f"（{_md(cited[0])} {source}）"
    codes = list(w.guards)
    present = [c for c in codes if rng.random() >= 0.08] or [rng.choice(codes)]
    values = _distractor_values(week)
    observations = []
    uniform = rng.random() < 0.5  # many weeks every count is "at least"

    def count(code: str, counter: str, follows: str) -> tuple[str, str, int]:
        value = max(1, round(levels[code] * math.exp(rng.gauss(0, 0.25))))
        if uniform:
            text, qual = f"少なくとも {_num(value)}{counter}", "at_least"
        else:
            text, qual = _qualified(rng, _num(value) + counter, follows)
        if wide:
            text = _fullwidth(text)
        return text, qual, value

    if len(present) > 1 and w.border_all and rng.random() < 0.15:
        phrasing = rng.choice(w.border_all)
        counter = rng.choice(phrasing.counters)
        names = [rng.choice(w.guards[c]) for c in present]
        counted = [count(c, counter, "、") for c in present]
        sentence = phrasing.headline.format(
            names="、".join(_country_of_guard(n) for n in names),
            counts="、".join(text for text, _, _ in counted),
        )
        body.append(sentence)
        for code, (_, qual, value) in zip(present, counted, strict=True):
            observations.append(
                _obs(
                    "border_interceptions",
                    code,
                    value,
                    w.units[counter],
                    qual,
                    week.end,
                    source,
                    sentence,
                    period,
                )
            )
    else:
        for code in present:
            phrasing = rng.choice(w.border_one)
            counter = rng.choice(phrasing.counters)
            slot = "n_q" if "{n_q}" in phrasing.headline else "n"
            _, follows = _slot_at([phrasing.headline], slot)
            text, qual, value = count(code, counter, follows)
            if slot == "n" and not uniform:
                text, qual = (_fullwidth if wide else str)(_num(value) + counter), "exact"
            sentence = _fill(
                phrasing.headline,
                {**values, "guard": rng.choice(w.guards[code]), slot: text},
                week.slots(),
            )
            body.append(sentence)
            observations.append(
                _obs(
                    "border_interceptions",
                    code,
                    value,
                    w.units[counter],
                    qual,
                    week.end,
                    source,
                    sentence,
                    period,
                )
            )
    if w.border_distractors and rng.random() < 0.4:
        body.append(_fill(rng.choice(w.border_distractors), values, week.slots()))
    item = _Item(headline, body, citation, cited, highlight=False)
    return item, observations


def _country_of_guard(name: str) -> str:
    """A guard's country, as a list of reporters names it (リトアニア、ラトビア…)."""
    for country in ("リトアニア", "ラトビア", "ポーランド", "ウクライナ"):
        if name.startswith(country):
            return country
    return name


def _round2(x: float) -> int:
    """Two significant figures, whole 万."""
    digits = math.floor(math.log10(x)) - 1
    return max(10_000, round(x / 10**digits) * 10**digits // 10_000 * 10_000)


def _amount(rng: random.Random, value: int, written: str) -> str:
    """A money amount in 万/億 (1億 2,000万ドル) or, sometimes, in 百万 (48百万ドル)."""
    if value % 1_000_000 == 0 and rng.random() < wording().millions_share:
        return f"{value // 1_000_000:,}百万{written}"
    return format_amount(value) + written


def _deal(week: _Week, wide: bool) -> tuple[_Item, list[dict[str, Any]]]:
    """A contract with a money value (or two), its counterparty where the item names one."""
    w = wording()
    rng = week.rng
    company, product = rng.choice(w.companies)
    phrasing = rng.choice(w.deal_items)
    lines = [phrasing.headline, *phrasing.body]
    joined = "".join(lines)
    home = week.series.country_ja
    partners = [p for p in w.deal_partners if p != home]
    values: dict[str, str] = {
        "company": company,
        "product": product,
        "firm": rng.choice(w.firms),
        **_distractor_values(week),
    }
    picked = rng.sample(partners, 2)
    deals: list[tuple[int, str, str, str | None]] = []  # value, ISO, qualifier, country
    for suffix in ("", "2"):
        if "{amount" + suffix + "}" not in joined:
            continue
        written, iso, lo, hi = rng.choices(w.currencies, w.currency_weights)[0]
        value = _round2(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        _, follows = _slot_at(lines, "amount" + suffix)
        text, qual = _qualified(rng, _amount(rng, value, written), follows, 0.25)
        if wide:
            text = _fullwidth(text)
        values["amount" + suffix] = text
        country = picked[len(deals)]
        values["country" + suffix] = country
        named = "{country" + suffix + "}" in joined
        deals.append((value, iso, qual, country if named else None))
    slots = week.slots()
    filled = [_fill(line, values, slots) for line in lines]
    body = filled[1:]
    if w.deal_distractors and rng.random() < 0.4 and "{country}" in joined:
        extra = dict(values)
        written, _, lo, hi = rng.choice(w.currencies)
        extra["amount"] = (
            format_amount(_round2(math.exp(rng.uniform(math.log(lo), math.log(hi))))) + written
        )
        body.append(_fill(rng.choice(w.deal_distractors), extra, slots))
    dates = [week.day(-2, 6) if rng.random() < 0.05 else week.day()]
    source = rng.choice(("国営ベルタ通信", "露タス通信", "「ゼルカロ（鏡）」", "経済省"))
    item = _Item(filled[0], body, _citation(rng, dates, [source]), dates, highlight=False)
    at, _ = _slot_at(lines, "amount")
    observations = [
        _obs(
            "trade_deal_value",
            w.countries[country] if country else None,
            value,
            iso,
            qual,
            dates[0],
            source,
            filled[at],
        )
        for value, iso, qual, country in deals
    ]
    return item, observations


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

    def fillers(section: str, lo: int, hi: int) -> list[_Item]:
        tpls = wording().fillers[section]
        drawn = rng.sample(tpls, min(rng.randint(lo, hi), len(tpls)))
        return [_filler(week, t, section) for t in drawn]

    sections.append((series.leader_section, fillers("leader", 5, 7)))
    sections.append(("外交", fillers("foreign", 4, 6)))

    domestic = fillers("domestic", 3, 5)
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

    economy = fillers("economy", 2, 4)
    for _ in range(rng.choices((0, 1, 2), (5, 4, 1))[0]):
        item, deal_obs = _deal(week, wide)
        economy.insert(rng.randint(0, len(economy)), item)
        indicator_items.append((item, deal_obs))
    sections.append(("経済", economy))
    sections.append(("抗議勢力の動き", fillers("opposition", 1, 3)))
    sections.append(("その他", fillers("other", 1, 3)))
    if rng.random() < 0.4:
        sections.append(("統計等", fillers("stats", 1, 1)))

    # observations in document order
    by_item = {id(item): obs for item, obs in indicator_items}
    for _, items in sections:
        for item in items:
            observations.extend(by_item.get(id(item), ()))

    # 主な出来事: two or three events repeated with their dates
    candidates = [i for _, items in sections[:2] for i in items if i.highlight]
    candidates += [i for i in sections[2][1] if i.highlight]
    highlights = []
    shown = 0 if rng.random() < 0.12 else rng.randint(2, 3)  # some weeks have no 主な出来事
    for item in rng.sample(candidates, min(len(candidates), shown)):
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
    ]
    if highlights:
        paras.append(("【主な出来事】", 99))
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
