"""Events -> observations of the indicators in ``definitions.toml``, with provenance.

Every sentence of an item is tried against each indicator's cue; the number that the
cue points at becomes an observation, qualified (少なくとも/約), dated and linked to its
sentence and source. Every other number with a counter is kept as a quantity for
review, so that nothing the report says is thrown away.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from indicators.parse import Event, Report, infer_date

_MULTIPLIERS = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4}

# A number as reports write it: "1,450", "1億2,000万", "15億", "1.5". At least one digit;
# 兆/億/万 only in descending order so "1億2,000万" reads as one number.
_NUMBER = r"""(?=\d)(?:\d[\d,]*(?:\.\d+)?兆)?(?:\d[\d,]*(?:\.\d+)?億)?
              (?:\d[\d,]*(?:\.\d+)?万)?(?:\d[\d,]*(?:\.\d+)?)?"""

_DIGIT = re.compile(r"\d")
_SENTENCE = re.compile(r"[^。]+。?")
_SUBHEADING = re.compile(r"^（\d{1,2}）")
_AS_OF = re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:現在|時点)")


def parse_number(text: str) -> Decimal:
    """The value of a number written the way reports write it.

    >>> parse_number("1億2,000万")
    Decimal('120000000')
    >>> parse_number("1,450")
    Decimal('1450')
    """
    total = Decimal(0)
    rest = text
    for sign, factor in _MULTIPLIERS.items():
        if sign in rest:
            head, rest = rest.split(sign, 1)
            total += Decimal(head.replace(",", "")) * factor
    if rest:
        total += Decimal(rest.replace(",", ""))
    return total


@dataclass(frozen=True)
class Indicator:
    """One indicator as defined in ``definitions.toml``."""

    id: str
    shape: str
    kind: str
    name_ja: str
    name_en: str
    description_ja: str
    description_en: str
    units: dict[str, str]
    cue: re.Pattern[str]
    exclude: re.Pattern[str] | None
    require: re.Pattern[str] | None
    dimension: str
    dated_by: str
    #: for the count shape: a number with one of ``units`` (qualifiers included)
    counted: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Definitions:
    """The indicators and the tables they share (qualifiers, countries, currencies)."""

    indicators: tuple[Indicator, ...]
    highlight_sections: frozenset[str]
    prefixes: dict[str, str]
    suffixes: dict[str, str]
    countries: dict[str, str]
    currencies: dict[str, str]
    counters: tuple[str, ...]
    money: re.Pattern[str] = field(init=False, repr=False, compare=False)
    quantity: re.Pattern[str] = field(init=False, repr=False, compare=False)
    country_names: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        currency = _alternation(self.currencies)
        counter = _alternation(self.counters)
        money = _qualified(currency, self.prefixes, self.suffixes)
        # Not an ordinal (第8期), nor the tail of a longer number.
        quantity = _qualified(
            f"{currency}|{counter}", self.prefixes, self.suffixes, r"(?<!第)(?<![\d,.])"
        )
        object.__setattr__(self, "money", money)
        object.__setattr__(self, "quantity", quantity)
        object.__setattr__(self, "country_names", re.compile(_alternation(self.countries)))

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


def _alternation(words: Any) -> str:
    """Regex alternation of words, longest first so that ロシア・ルーブル beats ルーブル."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _qualified(units: str, prefixes: Any, suffixes: Any, before: str = "") -> re.Pattern[str]:
    """A number with one of ``units`` (an alternation) and its qualifier words.

    The prefix may be followed by "、"; the unit must touch the number. Groups: prefix,
    number, unit, suffix.
    """
    return re.compile(
        rf"{before}(?:(?P<prefix>{_alternation(prefixes)})、?)?(?P<number>{_NUMBER})"
        rf"(?P<unit>{units})(?P<suffix>{_alternation(suffixes)})?",
        re.VERBOSE,
    )


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def load_definitions(path: Path | None = None) -> Definitions:
    """Definitions from a TOML file; the packaged ``definitions.toml`` by default."""
    if path is None:
        raw = resources.files("indicators").joinpath("definitions.toml").read_text("utf-8")
    else:
        raw = path.read_text("utf-8")
    data = tomllib.loads(raw)
    prefixes, suffixes = data["qualifiers"]["prefix"], data["qualifiers"]["suffix"]

    def counted(units: dict[str, str]) -> re.Pattern[str]:
        return _qualified(_alternation(units), prefixes, suffixes)

    indicators = tuple(
        Indicator(
            id=entry["id"],
            shape=entry["shape"],
            kind=entry["kind"],
            name_ja=entry["name"]["ja"],
            name_en=entry["name"]["en"],
            description_ja=entry.get("description", {}).get("ja", ""),
            description_en=entry.get("description", {}).get("en", ""),
            units=entry.get("units", {}),
            cue=re.compile(entry["cue"]),
            exclude=_compile(entry.get("exclude")),
            require=_compile(entry.get("require")),
            dimension=entry.get("dimension", "none"),
            dated_by=entry.get("dated_by", "event"),
            counted=counted(entry["units"]) if entry["shape"] == "count" else None,
        )
        for entry in data["indicator"]
    )
    return Definitions(
        indicators=indicators,
        highlight_sections=frozenset(data.get("highlight_sections", [])),
        prefixes=data["qualifiers"]["prefix"],
        suffixes=data["qualifiers"]["suffix"],
        countries=data["countries"],
        currencies=data["currencies"],
        counters=tuple(data["counters"]["words"]),
    )


@cache
def default_definitions() -> Definitions:
    return load_definitions()


@dataclass
class Observation:
    """A value of an indicator, with where it came from."""

    indicator: str
    dimension: str | None
    value: Decimal
    unit: str
    qualifier: str
    as_of: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    source: str | None
    evidence: str
    event_seq: int


@dataclass
class Quantity:
    """Any other number with a counter, kept for a review queue."""

    event_seq: int
    value: Decimal
    unit: str
    qualifier: str
    text: str
    sentence: str


@dataclass
class Extraction:
    observations: list[Observation]
    quantities: list[Quantity]


def sentences(event: Event) -> list[tuple[str, str]]:
    """(sentence, the unit it stands in) for the headline and each body line.

    Period lines such as （11月20日～11月26日） are dates, not sentences.

    >>> from indicators.parse import Event
    >>> sentences(Event(0, "内政", "見出し", ["・一文目。二文目。"]))
    [('見出し', '見出し'), ('一文目。', '一文目。二文目。'), ('二文目。', '一文目。二文目。')]
    """
    found: list[tuple[str, str]] = []
    for unit in [event.headline, *event.body]:
        if unit.startswith("（") and unit.endswith("）") and not _SUBHEADING.match(unit):
            continue
        unit = unit.lstrip("・").strip()
        for sentence in _SENTENCE.findall(unit):
            if sentence := sentence.strip():
                found.append((sentence, unit))
    return found


def _qualifier(match: re.Match[str], definitions: Definitions) -> str:
    if match["prefix"]:
        return definitions.prefixes[match["prefix"]]
    if match["suffix"]:
        return definitions.suffixes[match["suffix"]]
    return "exact"


def _country(text: str, definitions: Definitions, home: str | None) -> str | None:
    """The first country named in ``text`` other than the report's own; a currency word
    (ロシア・ルーブル, ベラルーシ・ルーブル) names no counterparty."""
    currencies = [match.span("unit") for match in definitions.money.finditer(text)]
    for match in definitions.country_names.finditer(text):
        if any(start <= match.start() < end for start, end in currencies):
            continue
        code = definitions.countries[match[0]]
        if code != home:
            return code
    return None


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``start..end``: from the 、 before it to the 、 or 。 after it.

    >>> sentence = "貿易高の拡大に向け、中国の企業と3,000万ドルの契約を締結。"
    >>> begin, stop = _clause(sentence, 16, 22)
    >>> sentence[begin:stop]
    '中国の企業と3,000万ドルの契約を締結'
    """
    begin = sentence.rfind("、", 0, start) + 1
    stops = [i for i in (sentence.find("、", end), sentence.find("。", end)) if i >= 0]
    return begin, min(stops) if stops else len(sentence)


def extract(report: Report, definitions: Definitions | None = None) -> Extraction:
    """Observations and other quantities of every event of a report."""
    definitions = definitions or default_definitions()
    home = definitions.countries.get(report.title.removesuffix("公開情報とりまとめ"))
    observations: list[Observation] = []
    quantities: list[Quantity] = []
    for event in report.events:
        for sentence, unit in sentences(event):
            if not _DIGIT.search(sentence):
                continue
            taken: list[tuple[int, int]] = []
            for indicator in definitions.indicators:
                for observation, span in _observe(
                    indicator, sentence, unit, event, report, definitions, home
                ):
                    observations.append(observation)
                    taken.append(span)
            for match in definitions.quantity.finditer(sentence):
                if any(start <= match.start("number") < end for start, end in taken):
                    continue
                unit_word = match["unit"]
                quantities.append(
                    Quantity(
                        event_seq=event.seq,
                        value=parse_number(match["number"]),
                        unit=definitions.currencies.get(unit_word, unit_word),
                        qualifier=_qualifier(match, definitions),
                        text=match[0],
                        sentence=sentence,
                    )
                )
    return Extraction(_without_repeats(observations, report, definitions), quantities)


def _observe(
    indicator: Indicator,
    sentence: str,
    unit: str,
    event: Event,
    report: Report,
    definitions: Definitions,
    home: str | None,
) -> list[tuple[Observation, tuple[int, int]]]:
    cue = indicator.cue.search(sentence)
    if cue is None:
        return []
    if indicator.require and not indicator.require.search(sentence):
        return []
    if indicator.counted is None:
        matches = list(definitions.money.finditer(sentence))
    else:
        # The first number with one of the indicator's counters after the cue.
        first = indicator.counted.search(sentence, cue.end())
        matches = [first] if first else []
    as_of, start, end = _dates(indicator, sentence, event, report)
    found = []
    for match in matches:
        # Excluding words count only in the clause that states the number (from the cue
        # on): "政治犯の数は1,437人で、今週新たに9人が…" still states the total.
        begin, stop = _clause(sentence, match.start(), match.end())
        if indicator.counted is not None:
            begin = min(begin, _clause(sentence, cue.start(), cue.end())[0])
        if indicator.exclude and indicator.exclude.search(sentence, begin, stop):
            continue
        dimension: str | None = None
        if indicator.dimension == "cue_country" and "country" in cue.re.groupindex:
            dimension = definitions.countries.get(cue["country"])
        elif indicator.dimension == "counterparty":
            # Nearest first: the number's own clause, its sentence, its bullet, the headline.
            for text in (sentence[begin:stop], sentence, unit, event.headline):
                dimension = _country(text, definitions, home)
                if dimension:
                    break
        unit_word = match["unit"]
        unit_code = (
            definitions.currencies[unit_word]
            if indicator.shape == "money"
            else indicator.units[unit_word]
        )
        observation = Observation(
            indicator=indicator.id,
            dimension=dimension,
            value=parse_number(match["number"]),
            unit=unit_code,
            qualifier=_qualifier(match, definitions),
            as_of=as_of,
            period_start=start,
            period_end=end,
            source="、".join(event.sources) or None,
            evidence=sentence,
            event_seq=event.seq,
        )
        found.append((observation, (match.start("number"), match.end("number"))))
    return found


def _dates(
    indicator: Indicator, sentence: str, event: Event, report: Report
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """(as_of, period_start, period_end) by the indicator's dating rule."""
    first_cited = event.dates[0] if event.dates else None
    if indicator.dated_by == "period":
        start, end = event.period or (report.period_start, report.period_end)
        return end, start, end
    if indicator.dated_by == "as_of" and (found := _AS_OF.search(sentence)):
        if found["year"]:
            return dt.date(int(found["year"]), int(found["month"]), int(found["day"])), None, None
        return infer_date(int(found["month"]), int(found["day"]), report.published), None, None
    return first_cited or report.published, None, None


def _without_repeats(
    observations: list[Observation], report: Report, definitions: Definitions
) -> list[Observation]:
    """One observation per fact: drop a headline that its body states again, and a
    highlight (主な出来事) that the body of the report states again.

    Highlights carry no citation, so their dates may differ: they match on what was
    counted and its value alone.
    """
    sections = {event.seq: event.section for event in report.events}

    def fact(o: Observation) -> tuple[object, ...]:
        return (o.indicator, o.dimension, o.value, o.unit)

    kept: list[Observation] = []
    seen_in_event: set[tuple[object, ...]] = set()
    # Walk backwards so that a body sentence is met before its headline.
    for o in reversed(observations):
        key = (o.event_seq, *fact(o))
        if key not in seen_in_event:
            seen_in_event.add(key)
            kept.append(o)
    kept.reverse()
    in_body = {fact(o) for o in kept if sections[o.event_seq] not in definitions.highlight_sections}
    return [
        o
        for o in kept
        if sections[o.event_seq] not in definitions.highlight_sections or fact(o) not in in_body
    ]
