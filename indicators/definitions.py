"""``definitions.toml`` -> checked, compiled definitions: indicators, units, currencies,
countries, qualifiers.

Everything an analyst would change lives in that file; this module only reads it. A
wrong entry (an unknown key, unit, country or choice, a missing name) is one
:class:`DefinitionsError` line naming the entry, never a silent default.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from indicators.errors import InputError

SHAPES = ("count", "money")
KINDS = ("stock", "flow", "event")
CHARTS = ("line", "bars_by_dimension")
TOPIC_SCOPES = ("clause", "sentence", "sentence_or_headline", "item")
DIMENSIONS = ("none", "reporter", "counterparty")
DATED_BY = ("as_of", "period", "event")
SELECT = ("one_per_report", "one_per_dimension", "all")
QUALIFIERS = ("exact", "at_least", "approx")

#: The code :attr:`Definitions.places` gives a word that refers back (同国).
REFERENCE = "<ref>"


class DefinitionsError(InputError):
    """The definitions file is wrong; the message names the entry and the problem."""


@dataclass(frozen=True)
class Words:
    """A list of phrases, matched as plain text (longest first)."""

    words: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, words: Iterable[str]) -> Words:
        unique = tuple(dict.fromkeys(words))
        return cls(unique, re.compile(alternation(unique)) if unique else None)

    def __bool__(self) -> bool:
        return bool(self.words)

    def search(self, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        if self.pattern is None:
            return None
        return self.pattern.search(text, start, len(text) if end is None else end)

    def starts(self, text: str, at: int = 0) -> bool:
        """Whether one of the phrases starts at ``at``.

        >>> Words.of(["増", "減"]).starts("5人増えて", 2)
        True
        """
        return self.pattern is not None and self.pattern.match(text, at) is not None


# Katakana written with ヴ or without it: ベネズエラ/ヴェネズエラ, モルドバ/モルドヴァ.
_V_SOUNDS = {"ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ", "ヴ": "ブ"}
_V_SOUND = re.compile("|".join([*_V_SOUNDS, *_V_SOUNDS.values()]))
_PLAIN_TO_V = {plain: v for v, plain in _V_SOUNDS.items()}


def spellings(word: str) -> list[str]:
    """The word and its spellings with ヴ for バ行 and back (at most three places varied).

    >>> spellings("ベネズエラ")
    ['ベネズエラ', 'ヴェネズエラ']
    >>> spellings("ヤロスラヴリ")
    ['ヤロスラヴリ', 'ヤロスラブリ']
    """
    found = [""]
    at = 0
    for varied, sound in enumerate(_V_SOUND.finditer(word)):
        kept = word[at : sound.start()]
        other = _V_SOUNDS.get(sound[0]) or _PLAIN_TO_V[sound[0]]
        choices = (sound[0], other) if varied < 3 else (sound[0],)
        found = [f + kept + c for f in found for c in choices]
        at = sound.end()
    return [f + word[at:] for f in found]


@dataclass(frozen=True)
class Names:
    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.ja


@dataclass(frozen=True)
class Qualifier:
    code: str
    name: Names
    sign: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    not_in: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    code: str
    name: Names
    counters: tuple[str, ...]


@dataclass(frozen=True)
class Currency:
    code: str
    name: Names
    words: tuple[str, ...]


@dataclass(frozen=True)
class Country:
    code: str
    name: Names
    words: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    """One ``[[indicator]]`` entry, its phrase lists compiled."""

    id: str
    name: Names
    description: Names
    shape: str
    kind: str
    chart: str
    #: counter word -> unit code (count shape); empty for money
    counters: Mapping[str, str]
    topic: Words
    topic_scope: str
    predicate: Words
    not_yet: Words
    not_yet_next: Words
    item_requires: Words
    excluded_before: Words
    excluded_after: Words
    excluded_next: Words
    excluded_in_sentence: Words
    excluded_following: Words
    said_by_others: Words
    dimension: str
    dimension_countries: frozenset[str]
    unnamed: Words
    prefer: Words
    dated_by: str
    other_period: Words
    daily_excluded: bool
    select: str

    @property
    def name_ja(self) -> str:
        return self.name.ja

    @property
    def name_en(self) -> str:
        return self.name.en

    @property
    def description_ja(self) -> str:
        return self.description.ja

    @property
    def description_en(self) -> str:
        return self.description.en

    @property
    def units(self) -> tuple[str, ...]:
        """The unit codes this indicator is counted in (currencies for money)."""
        return tuple(dict.fromkeys(self.counters.values()))


@dataclass(frozen=True)
class Definitions:
    """Every table of ``definitions.toml``, checked, with the patterns built from them."""

    indicators: tuple[Indicator, ...]
    highlight_sections: frozenset[str]
    qualifiers: Mapping[str, Qualifier]
    units: Mapping[str, Unit]
    currencies: Mapping[str, Currency]
    country_table: Mapping[str, Country]
    regions: Mapping[str, tuple[str, ...]]
    counters: tuple[str, ...]
    #: words that refer back to a place named before (同国, 両国)
    references: tuple[str, ...]
    #: words that pair a list of values with a list of places named before (それぞれ)
    respectively: Words
    #: words that name several places at once (バルト三国, 3か国): a reporter's count
    #: said of them is their total, no one country's
    together: Words
    #: words right after a place that make it where goods go or come from (向け, 産),
    #: not a party to a deal
    goods: Words
    #: words right after an exclusion word that undo it (入国を認めなかった)
    negations: Words
    #: every word naming a place (countries and regions) -> ISO country code
    places: Mapping[str, str] = field(init=False, repr=False, compare=False)
    #: currency word -> ISO 4217 code
    currency_words: Mapping[str, str] = field(init=False, repr=False, compare=False)
    place_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    currency_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    #: finds numbers with a counter or currency and their qualifier words
    quantities: QuantityFinder = field(init=False, repr=False, compare=False)
    #: prefix word -> qualifier code; suffix word -> qualifier code
    prefix_qualifier: Mapping[str, str] = field(init=False, repr=False, compare=False)
    suffix_qualifier: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        places: dict[str, str] = dict.fromkeys(self.references, REFERENCE)
        for country in self.country_table.values():
            for word in country.words:
                for spelling in spellings(word):
                    places.setdefault(spelling, country.code)
                places[word] = country.code
        for code, words in self.regions.items():
            for word in words:
                for spelling in spellings(word):
                    places.setdefault(spelling, code)
                    if "・" in spelling:
                        places.setdefault(spelling.replace("・", ""), code)
        currency_words = {w: c.code for c in self.currencies.values() for w in c.words}
        prefixes = {w: q.code for q in self.qualifiers.values() for w in q.before}
        suffixes = {w: q.code for q in self.qualifiers.values() for w in q.after}
        counted = [w for u in self.units.values() for w in u.counters] + list(self.counters)
        for name, value in (
            ("places", places),
            ("currency_words", currency_words),
            ("place_pattern", re.compile(trie_alternation(places))),
            ("currency_pattern", re.compile(alternation(currency_words))),
            ("quantities", QuantityFinder(prefixes, [*currency_words, *counted], suffixes)),
            ("prefix_qualifier", prefixes),
            ("suffix_qualifier", suffixes),
        ):
            object.__setattr__(self, name, value)

    @property
    def countries(self) -> dict[str, str]:
        """Country words (not regions) -> ISO code."""
        return {w: c.code for c in self.country_table.values() for w in c.words}

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def country_name(self, code: str, lang: str) -> str | None:
        country = self.country_table.get(code)
        return country.name(lang) if country else None

    def unit_name(self, code: str, lang: str) -> str | None:
        """A unit's or a currency's name in ``lang``; None if neither is defined."""
        if code in self.units:
            return self.units[code].name(lang)
        if code in self.currencies:
            return self.currencies[code].name(lang)
        return None


# --- patterns -------------------------------------------------------------------


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of plain words, longest first so that ロシア・ルーブル beats ルーブル.

    >>> alternation(["ドル", "米ドル"])
    '米ドル|ドル'
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def trie_alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, built as a trie.

    Python's ``re`` tries an alternation's branches one by one at every position; a
    trie tries one character per step (40x faster for the few hundred place names).

    >>> re.findall(trie_alternation(["インド", "インドネシア", "イラン"]), "インドネシアとイラン")
    ['インドネシア', 'イラン']
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def is_katakana(char: str) -> bool:
    return "ァ" <= char <= "ヺ" or char == "ー"


@dataclass(frozen=True)
class QuantityMatch:
    """A number with a counter or currency in a text, and the words qualifying it."""

    start: int  # where its words begin: the prefix qualifier, else the number
    end: int
    number_start: int
    number: str
    unit: str
    prefix: str | None
    suffix: str | None


# A run of digits (thousands separators and a decimal point inside it only).
_RUN = re.compile(r"[0-9](?:[0-9]|[,.](?=[0-9]))*")
# The same, unless a date or time sign follows it (most runs in a report are dates):
# possessive, so that the tail of a date is not tried as a run of its own.
_NUMBER_RUN = re.compile(r"[0-9](?:[0-9]|[,.](?=[0-9]))*+(?![年月日時分秒])")
# Words that may stand between a prefix qualifier and its number (少なくとも計22人).
_FILLERS = ("合計", "総計", "総額", "総数", "計")


class QuantityFinder:
    """Finds numbers with a counter or currency: "少なくとも22人", "1億2,000万ドル超".

    Digit runs are found first and the rest is read from where each run ends: a
    report's text is mostly Japanese, and one pass over it for digits costs far less
    than a regex tried at every character.

    >>> finder = QuantityFinder(["約"], ["人", "ドル"], ["超"])
    >>> found = finder.find("計約1,450人超が、第8期、3月1日")
    >>> [(m.prefix, m.number, m.unit, m.suffix) for m in found]
    [('約', '1,450', '人', '超')]
    >>> [m.number for m in finder.find("48百万ドル、1億2,000万ドル、6人目")]
    ['48百万', '1億2,000万']
    """

    def __init__(self, prefixes: Iterable[str], units: Iterable[str], suffixes: Iterable[str]):
        self.prefixes = sorted(set(prefixes), key=len, reverse=True)
        run = _RUN.pattern
        self.tail = re.compile(
            rf"""(?P<more>(?:[千百]?[兆億万](?:{run})?)*[千百]?)  # 億2,000万, 百万, 千
            余?(?P<unit>{trie_alternation(units)})
            (?!目)                                            # 6人目, 3回目: ordinals
            (?P<suffix>{trie_alternation(suffixes)})?""",
            re.VERBOSE,
        )

    def find(self, text: str) -> list[QuantityMatch]:
        found = []
        consumed = 0
        for run in _NUMBER_RUN.finditer(text):
            start, end = run.span()
            if start < consumed:
                continue
            if start and text[start - 1] in "第.,0123456789":  # 第8期; inside a longer run
                continue
            tail = self.tail.match(text, end)
            if tail is None:
                continue
            consumed = tail.end()
            prefix, begin = self._prefix(text, start)
            found.append(
                QuantityMatch(
                    begin,
                    tail.end(),
                    start,
                    text[start : tail.end("more")],
                    tail["unit"],
                    prefix,
                    tail["suffix"],
                )
            )
        return found

    def _prefix(self, text: str, start: int) -> tuple[str | None, int]:
        """The qualifier word before a number (少なくとも、計22人), and where it starts."""
        at = start
        for filler in _FILLERS:
            if text.endswith(filler, 0, at):
                at -= len(filler)
                break
        if text.endswith("、", 0, at):
            at -= 1
        for word in self.prefixes:
            if text.endswith(word, 0, at):
                return word, at - len(word)
        return None, start


# --- loading ----------------------------------------------------------------------

_INDICATOR_KEYS = {
    "id": str,
    "name": dict,
    "description": dict,
    "shape": str,
    "kind": str,
    "units": list,
    "chart": str,
    "topic": list,
    "topic_scope": str,
    "predicate": list,
    "not_yet": list,
    "not_yet_next": list,
    "item_requires": list,
    "excluded_before": list,
    "excluded_after": list,
    "excluded_next": list,
    "excluded_in_sentence": list,
    "excluded_following": list,
    "said_by_others": list,
    "dimension": str,
    "dimension_countries": list,
    "unnamed": list,
    "prefer": list,
    "dated_by": str,
    "other_period": list,
    "daily_excluded": bool,
    "select": str,
}
_REQUIRED = ("id", "name", "shape", "kind", "topic", "dimension", "dated_by", "select")
_TOP_KEYS = {
    "format",
    "highlight_sections",
    "qualifiers",
    "units",
    "currencies",
    "counters",
    "countries",
    "regions",
    "references",
    "negation",
    "indicator",
    "display",
}


def _fail(where: str, problem: str) -> DefinitionsError:
    return DefinitionsError(f"{where}: {problem}")


def _choice(where: str, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _fail(where, f"{key} = {value!r}; expected one of {', '.join(choices)}")
    return str(value)


def _names(where: str, key: str, value: Any, *, required: bool = True) -> Names:
    if value is None and not required:
        return Names("", "")
    if not isinstance(value, dict) or set(value) != {"ja", "en"}:
        example = f"{key} = {{ ja = …, en = … }}"
        raise _fail(where, f"{key} needs exactly ja and en texts, e.g. {example}")
    if not all(isinstance(v, str) and v for v in value.values()):
        raise _fail(where, f"{key}: ja and en must be non-empty texts")
    return Names(value["ja"], value["en"])


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"{key} must be a list of non-empty texts")
    return tuple(value)


def _table(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be a table")
    return value


def _check_keys(where: str, entry: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}")


def _qualifiers(raw: Any) -> dict[str, Qualifier]:
    table = _table("[qualifiers]", raw)
    found = {}
    for code in QUALIFIERS:
        where = f"[qualifiers.{code}]"
        entry = _table(where, table.get(code, {}))
        _check_keys(where, entry, ("name", "sign", "before", "after", "not_in"))
        found[code] = Qualifier(
            code,
            _names(where, "name", entry.get("name")),
            str(entry.get("sign", "")),
            _strings(where, "before", entry.get("before", [])),
            _strings(where, "after", entry.get("after", [])),
            _strings(where, "not_in", entry.get("not_in", [])),
        )
    extra = sorted(set(table) - set(QUALIFIERS))
    if extra:
        raise _fail(f"[qualifiers.{extra[0]}]", f"unknown qualifier; expected {QUALIFIERS}")
    return found


def _units(raw: Any) -> dict[str, Unit]:
    found = {}
    for code, entry in _table("[units]", raw).items():
        where = f"[units.{code}]"
        _check_keys(where, _table(where, entry), ("name", "counters"))
        found[code] = Unit(
            code,
            _names(where, "name", entry.get("name")),
            _strings(where, "counters", entry.get("counters")),
        )
    return found


def _currencies(raw: Any) -> dict[str, Currency]:
    found = {}
    for code, entry in _table("[currencies]", raw).items():
        where = f"[currencies] {code}"
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise _fail(where, "a currency is named by its ISO 4217 code (three capitals)")
        _check_keys(where, _table(where, entry), ("ja", "en", "words"))
        names = _names(where, "name", {k: entry.get(k) for k in ("ja", "en")})
        found[code] = Currency(code, names, _strings(where, "words", entry.get("words")))
    return found


def _countries(raw: Any) -> dict[str, Country]:
    found = {}
    for code, entry in _table("[countries]", raw).items():
        where = f"[countries] {code}"
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise _fail(where, "a country is named by its ISO 3166-1 alpha-2 code (two capitals)")
        _check_keys(where, _table(where, entry), ("ja", "en", "words", "color"))
        names = _names(where, "name", {k: entry.get(k) for k in ("ja", "en")})
        words = _strings(where, "words", entry.get("words", [names.ja]))
        found[code] = Country(code, names, words)
    return found


def _indicator(
    index: int, entry: Any, units: Mapping[str, Unit], countries: Mapping[str, Country]
) -> Indicator:
    where = f"[[indicator]] #{index + 1}"
    entry = _table(where, entry)
    if isinstance(entry.get("id"), str):
        where = f"[[indicator]] {entry['id']}"
    _check_keys(where, entry, _INDICATOR_KEYS)
    for key in _REQUIRED:
        if key not in entry:
            raise _fail(where, f"missing {key}")
    for key, kind in _INDICATOR_KEYS.items():
        if key in entry and not isinstance(entry[key], kind):
            raise _fail(where, f"{key} must be a {kind.__name__}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry["id"]):
        raise _fail(where, "id must be lower-case letters, digits and _")
    shape = _choice(where, "shape", entry["shape"], SHAPES)

    def words(key: str) -> Words:
        return Words.of(_strings(where, key, entry.get(key, [])))

    counters: dict[str, str] = {}
    if shape == "count":
        codes = _strings(where, "units", entry.get("units", []))
        if not codes:
            raise _fail(where, "a count needs units (codes from [units])")
        for code in codes:
            if code not in units:
                raise _fail(where, f"unknown unit {code!r}; defined: {', '.join(units)}")
            for counter in units[code].counters:
                counters.setdefault(counter, code)
    elif "units" in entry:
        raise _fail(where, "a money indicator has no units: its currency is its unit")
    dimension = _choice(where, "dimension", entry["dimension"], DIMENSIONS)
    dims = _strings(where, "dimension_countries", entry.get("dimension_countries", []))
    for code in dims:
        if code not in countries:
            raise _fail(where, f"unknown country {code!r} in dimension_countries")
    if dimension == "reporter" and not dims:
        raise _fail(where, "a reporter dimension needs dimension_countries")
    if not _strings(where, "topic", entry["topic"]):
        raise _fail(where, "topic needs at least one phrase")
    return Indicator(
        id=entry["id"],
        name=_names(where, "name", entry["name"]),
        description=_names(where, "description", entry.get("description"), required=False),
        shape=shape,
        kind=_choice(where, "kind", entry["kind"], KINDS),
        chart=_choice(where, "chart", entry.get("chart", "line"), CHARTS),
        counters=counters,
        topic=words("topic"),
        topic_scope=_choice(
            where, "topic_scope", entry.get("topic_scope", "sentence"), TOPIC_SCOPES
        ),
        predicate=words("predicate"),
        not_yet=words("not_yet"),
        not_yet_next=words("not_yet_next"),
        item_requires=words("item_requires"),
        excluded_before=words("excluded_before"),
        excluded_after=words("excluded_after"),
        excluded_next=words("excluded_next"),
        excluded_in_sentence=words("excluded_in_sentence"),
        excluded_following=words("excluded_following"),
        said_by_others=words("said_by_others"),
        dimension=dimension,
        dimension_countries=frozenset(dims),
        unnamed=words("unnamed"),
        prefer=words("prefer"),
        dated_by=_choice(where, "dated_by", entry["dated_by"], DATED_BY),
        other_period=words("other_period"),
        daily_excluded=entry.get("daily_excluded", False),
        select=_choice(where, "select", entry["select"], SELECT),
    )


def parse_definitions(raw: str, name: str = "definitions.toml") -> Definitions:
    """Definitions from TOML text; any problem is one line ``name: entry: problem``."""
    try:
        data = tomllib.loads(raw)
        return _build(data)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionsError(f"{name}: not valid TOML ({error})") from None
    except DefinitionsError as error:
        raise DefinitionsError(f"{name}: {error}") from None


def _build(data: dict[str, Any]) -> Definitions:
    _check_keys("top level", data, _TOP_KEYS)
    if data.get("format", 1) != 1:
        raise _fail("format", f"{data['format']!r}: this program reads format 1")
    units = _units(data.get("units", {}))
    countries = _countries(data.get("countries", {}))
    regions = {}
    for code, words in _table("[regions]", data.get("regions", {})).items():
        if code not in countries:
            raise _fail(f"[regions] {code}", "unknown country")
        regions[code] = _strings(f"[regions] {code}", "words", words)
    entries = data.get("indicator", [])
    if not isinstance(entries, list) or not entries:
        raise _fail("[[indicator]]", "define at least one indicator")
    indicators = tuple(_indicator(i, e, units, countries) for i, e in enumerate(entries))
    ids = [ind.id for ind in indicators]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise _fail(f"[[indicator]] {duplicate}", "defined twice")
    counters = _table("[counters]", data.get("counters", {}))
    _check_keys("[counters]", counters, ("words",))
    references = _table("[references]", data.get("references", {}))
    _check_keys("[references]", references, ("words", "respectively", "together", "goods"))
    negation = _table("[negation]", data.get("negation", {}))
    _check_keys("[negation]", negation, ("after",))
    return Definitions(
        indicators=indicators,
        highlight_sections=frozenset(
            _strings("highlight_sections", "list", data.get("highlight_sections", []))
        ),
        qualifiers=_qualifiers(data.get("qualifiers", {})),
        units=units,
        currencies=_currencies(data.get("currencies", {})),
        country_table=countries,
        regions=regions,
        counters=_strings("[counters]", "words", counters.get("words", [])),
        references=_strings("[references]", "words", references.get("words", [])),
        respectively=Words.of(
            _strings("[references]", "respectively", references.get("respectively", []))
        ),
        together=Words.of(_strings("[references]", "together", references.get("together", []))),
        goods=Words.of(_strings("[references]", "goods", references.get("goods", []))),
        negations=Words.of(_strings("[negation]", "after", negation.get("after", []))),
    )


def load_definitions(path: Path | None = None) -> Definitions:
    """Definitions from a TOML file; the packaged ``definitions.toml`` by default."""
    if path is None:
        raw = resources.files("indicators").joinpath("definitions.toml").read_text("utf-8")
        return parse_definitions(raw)
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionsError(f"{path}: cannot read the definitions ({error})") from None
    return parse_definitions(raw, str(path))


def _source(path: str | None) -> tuple[str, str]:
    """The text of the definitions file in use, and its name for messages."""
    if path is None:
        raw = resources.files("indicators").joinpath("definitions.toml").read_text("utf-8")
        return raw, "definitions.toml"
    try:
        return Path(path).read_text("utf-8"), path
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionsError(f"{path}: cannot read the definitions ({error})") from None


def with_entries(entries: Iterable[str]) -> Definitions:
    """The definitions file in use with more ``[[indicator]]`` entries (TOML text each, as
    the dashboard saves them), checked like the file's own."""
    return _with_entries(os.environ.get("INDICATORS_DEFINITIONS") or None, tuple(entries))


@cache
def _with_entries(path: str | None, entries: tuple[str, ...]) -> Definitions:
    raw, name = _source(path)
    added = "\n\n".join(entry.strip() for entry in entries)
    return parse_definitions(f"{raw}\n\n{added}\n", f"{name} with the indicators defined here")


#: The indicators defined from the dashboard (their ``[[indicator]]`` entries as JSON),
#: set by :func:`use_entries`; an environment variable, so that the parser workers a
#: process starts read with the same definitions (they take its ``INDICATORS_*``).
DEFINED_ENV = "INDICATORS_DEFINED_INDICATORS"


def use_entries(entries: Iterable[str]) -> None:
    """Read with these ``[[indicator]]`` entries added from now on (this process and
    the workers it starts); checked first, so a wrong entry changes nothing."""
    entries = tuple(entries)
    if entries:
        with_entries(entries)
        os.environ[DEFINED_ENV] = json.dumps(entries, ensure_ascii=False)
    else:
        os.environ.pop(DEFINED_ENV, None)


def default_definitions() -> Definitions:
    """The definitions in use: the file ``INDICATORS_DEFINITIONS`` names, else the
    packaged ``definitions.toml`` (read once per file), with the indicators defined
    from the dashboard (:func:`use_entries`)."""
    path = os.environ.get("INDICATORS_DEFINITIONS") or None
    defined = os.environ.get(DEFINED_ENV)
    if defined:
        return _with_entries(path, tuple(json.loads(defined)))
    return _definitions_at(path)


@cache
def _definitions_at(path: str | None) -> Definitions:
    return load_definitions(Path(path) if path else None)
