"""Events -> observations of the indicators in ``definitions.toml``, with provenance.

Two passes, as quantulum3 does it: first every number with a counter or a currency in an
item is a candidate (its qualifier read with it); then each indicator decides from the
candidate's context -- its clause and sentence, the item's headline and citation, the
section -- whether the candidate is its value, which dimension, which date. The
decision travels with the value as one line (:attr:`Observation.rule`). Candidates that
no indicator takes are kept as quantities for review, so nothing the report says is
thrown away.

The text an item is read in is its headline and body (bullets, sub-headings, period
lines) joined by line breaks, without the citation; positions below are offsets in it.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.definitions import (
    REFERENCE,
    Definitions,
    DefinitionsError,
    Indicator,
    QuantityMatch,
    Words,
    default_definitions,
    is_katakana,
    load_definitions,
)
from indicators.parse import Event, Report, infer_date

__all__ = [
    "DefinitionsError",
    "Extraction",
    "Observation",
    "Quantity",
    "default_definitions",
    "extract",
    "load_definitions",
    "parse_number",
]

_BIG = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_SMALL = {"千": Decimal(1000), "百": Decimal(100)}
_NUMBER_TOKEN = re.compile(r"[\d,]+(?:\.\d+)?|[兆億万千百]")


def parse_number(text: str) -> Decimal:
    """The value of a number written the way reports write it.

    >>> parse_number("1億2,000万"), parse_number("1,450"), parse_number("48百万")
    (Decimal('120000000'), Decimal('1450'), Decimal('48000000'))
    >>> parse_number("2万5千"), parse_number("1.5億")
    (Decimal('25000'), Decimal('150000000.0'))
    """
    total = Decimal(0)
    group = Decimal(0)
    for token in _NUMBER_TOKEN.findall(text):
        if token in _BIG:
            total += (group or 1) * _BIG[token]
            group = Decimal(0)
        elif token in _SMALL:
            group = (group or 1) * _SMALL[token]
        else:
            group = Decimal(token.replace(",", ""))
    return total + group


# A date as items write it; the month may be left out ("26日": the month nearby).
_DAY = r"(?:(?:\d{4})年)?(?:\d{1,2}月)?\d{1,2}日"
_DATE_PARTS = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日")
# A range printed for a count: 11月20日～11月26日, 10月16日～22日, 2月26日から3月3日まで,
# and with one 日 for two days of a month: 6月3～9日.
_RANGE = re.compile(
    rf"(?P<a>{_DAY}|(?:\d{{4}}年)?(?:\d{{1,2}}月)?\d{{1,2}}(?=～))(?:～|から)(?P<b>{_DAY})"
)
# A count stated for one day: "12月31日に3人", "1月2日は2人" (particles only between).
_DAY_ON = re.compile(rf"{_DAY}(?:には|に|は|だけで|のみで)、?$")
# The day a count is "as of": 11月24日現在, 1月26日時点, 12月1日現在の.
_MONTH_END = re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月末")
_AS_OF = re.compile(rf"(?P<d>{_DAY}|{_MONTH_END.pattern})(?:の)?(?:現在|時点)")
# Dates are masked before exclusion words are looked for: 3月1日 holds no "1日" (a day).
# A year alone stays: "2024年の…" says the count is a year's.
_MASK = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")
_SENTENCE_BREAK = re.compile("[。\n]")
# What may open a sentence or clause before a うち that points back: 「このうち」「・うち」.
# When a deal was signed, said before the signing: "2023年に同社と締結した契約",
# "2024年3月に同州との間で調印された契約", "2023年の同首長のミンスク訪問時に署名された",
# and with the year said in words or left out: "本年3月に署名された", "10月に締結された".
_SIGNED_IN = re.compile(
    r"(?:(?P<year>\d{4})年|(?P<said>本年|今年|昨年|前年|去年))?(?:(?<![\d～〜])(?P<month>\d{1,2})月)?"
    r"(?(year)|(?(said)|(?(month)|(?!))))"  # a year, or at least a month
    r"(?:\d{1,2}日)?(?:中?に|以降|の[^、。\d]{0,20}?(?:時(?!期)|際)(?:に|、)?)"
)
_YEARS_BACK = {"本年": 0, "今年": 0, "昨年": 1, "前年": 1, "去年": 1}
# What stands between two values of one list: "、ラトビアが" (a place and a particle).
_LIST_GAP = re.compile(r"[、，]\s*[^、，。\d（）()]{1,15}?(?:が|は|で|も|：|:)?\s*")
_WEEK_LIKE = 4  # days from a range's first to its last: a week's, give or take holidays
_POINTER = re.compile(r"[・\s]*(?:この|その|これらの|それらの)?")
# Between an amount and the same amount in another currency: "（約", "相当（日本円で約".
_RESTATED = re.compile(r"(?:相当|規模|程度)?\s*[（(][^（）()\d。]{0,12}")
_CLAUSE_END = "、。\n"
# Two parties of a deal named together: "ロシア企業と中国企業との間", "ロシアとカザフスタン
# の企業は" (what joins them, and what follows the second).
_PARTIES_JOINED = re.compile(r"(?:の)?(?:企業|各社|側|政府)?(?:と|及び|および|は、?|が、?)")
# A subject named before them ("ゴメリ州の企業は"; a place, "同見本市では", is none).
_ANOTHER_SUBJECT = re.compile(r"(?<![でに])は|が")
_PARTIES_END = re.compile(r"(?:の)?(?:企業|各社|側|政府)?(?:との間|の間|間|は|が)")
_NOT_YET_WINDOW = 8
_NEGATION_WINDOW = 5  # 認め|なかった, 認め|られず: the negation within a short inflection


@dataclass
class Observation:
    """A value of an indicator, with where it came from and how it was found."""

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
    #: how it was found, in one line ("political_prisoners: 政治犯 in the sentence; …")
    rule: str = ""
    #: what looks wrong about it on its own (see :data:`FLAGS`); kept, never dropped
    flags: tuple[str, ...] = ()
    #: where the number stands: the sentence's index in its item, the number's offset
    sentence_index: int = 0
    offset: int = 0


@dataclass
class Quantity:
    """Any other number with a counter or currency, kept for a review queue."""

    event_seq: int
    value: Decimal
    unit: str
    qualifier: str
    text: str
    sentence: str
    sentence_index: int = 0
    offset: int = 0


@dataclass
class Extraction:
    observations: list[Observation]
    quantities: list[Quantity]


#: Flags an observation may carry from extraction alone (its series adds more later):
#: its date lies outside its report's week; its topic is said only in the headline.
FLAGS = ("date_outside_report", "topic_only_in_headline")


@dataclass
class _Candidate:
    start: int  # the whole match, qualifier words included
    end: int
    number_start: int
    value: Decimal
    word: str  # the counter or currency word as written
    qualifier: str
    text: str
    # Its scopes in the item's text, set once the item's candidates are all known.
    sentence: tuple[int, int] = (0, 0)
    clause: tuple[int, int] = (0, 0)
    # The nearest numbers an indicator counts (persons, attempts, money) around it.
    previous: _Candidate | None = None  # the one before it, or None
    next_start: int = 0  # the start of the one after it, or the text's end

    @property
    def previous_end(self) -> int:
        """The end of the counted number before it, or 0."""
        return 0 if self.previous is None else self.previous.end


@dataclass
class _Item:
    """One event as the indicators read it. What only some candidates need (places,
    ranges, the date-masked text) is worked out on first use."""

    event: Event
    text: str
    highlight: bool
    sentence_starts: list[int]
    candidates: list[_Candidate]
    reading: _Reading
    _masked: str | None = field(default=None, repr=False)
    _places: list[tuple[int, int, str]] | None = field(default=None, repr=False)
    _ranges: list[tuple[int, dt.date, dt.date]] | None = field(default=None, repr=False)

    def sentence_span(self, at: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.sentence_starts, at) - 1
        start = self.sentence_starts[index]
        end = self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else None
        stop = len(self.text) if end is None else end
        while stop > start and self.text[stop - 1] == "\n":
            stop -= 1
        return start, stop

    def sentence_index(self, at: int) -> int:
        return bisect.bisect_right(self.sentence_starts, at) - 1

    @property
    def headline_end(self) -> int:
        return len(self.event.headline)

    @property
    def masked(self) -> str:
        """The text with dates masked (same length), where exclusion words are sought."""
        if self._masked is None:
            self._masked = _MASK.sub(lambda m: "◇" * len(m[0]), self.text)
        return self._masked

    @property
    def places(self) -> list[tuple[int, int, str]]:
        """(start, end, code) of every place named, currency words left out."""
        if self._places is None:
            self._places = self.reading.places(self.text)
        return self._places


class _Reading:
    """What one report's extraction needs at hand: definitions, report, home country."""

    def __init__(self, report: Report, definitions: Definitions) -> None:
        self.report = report
        self.definitions = definitions
        country = report.title.removesuffix("公開情報とりまとめ")
        self.home = definitions.places.get(country)
        #: the first month the report's week is in, as (year, month)
        first = report.period_start or report.published
        self.month = (first.year, first.month)
        last = report.period_end or report.published
        #: the last month the report's week is in
        self.last_month = (last.year, last.month)
        #: the counter and currency words of what the indicators count
        self._counted = {
            *definitions.currency_words,
            *(w for unit in definitions.units.values() for w in unit.counters),
        }

    def item(self, event: Event) -> _Item:
        text = "\n".join([event.headline, *event.body])
        candidates = [self._candidate(text, m) for m in self.definitions.quantities.find(text)]
        starts = [0]
        if candidates:
            starts += [m.end() for m in _SENTENCE_BREAK.finditer(text) if m.end() < len(text)]
        highlight = event.section in self.definitions.highlight_sections
        item = _Item(event, text, highlight, starts, candidates, self)
        # The scopes of a number reach back and forward to the numbers an indicator
        # counts (persons, attempts, money), not past a percentage or an age kept only
        # for review ("貿易額は前年比15%増の10億ドル": 貿易額 is said of the 10億).
        bounds = [c for c in candidates if c.word in self._counted]
        bound_starts = [c.start for c in bounds]
        for candidate in candidates:
            candidate.sentence = item.sentence_span(candidate.start)
            candidate.clause = _clause_span(item, candidate.start, candidate.end)
            before = bisect.bisect_left(bound_starts, candidate.start)
            candidate.previous = bounds[before - 1] if before else None
            after = bisect.bisect_right(bound_starts, candidate.start)
            candidate.next_start = bounds[after].start if after < len(bounds) else len(text)
        return item

    def _candidate(self, text: str, match: QuantityMatch) -> _Candidate:
        d = self.definitions
        start, qualifier = match.start, "exact"
        if match.prefix and _inside_longer_word(text, match.start, match.prefix, d):
            start = match.number_start  # 契約1億ドル: this 約 belongs to 契約
        elif match.prefix:
            qualifier = d.prefix_qualifier[match.prefix]
        if match.suffix:
            qualifier = d.suffix_qualifier[match.suffix]
        return _Candidate(
            start=start,
            end=match.end,
            number_start=match.number_start,
            value=parse_number(match.number),
            word=match.unit,
            qualifier=qualifier,
            text=text[start : match.end],
        )

    def places(self, text: str) -> list[tuple[int, int, str]]:
        d = self.definitions
        money = [m.span() for m in d.currency_pattern.finditer(text)]
        found = []
        for match in d.place_pattern.finditer(text):
            start, end = match.span()
            if any(a <= start < b for a, b in money):
                continue  # ロシア・ルーブル names a currency, not a country
            # A katakana name is a whole word: no マリ in マリウポリ, no タイ in ネクタイ.
            if is_katakana(text[start]) and start and is_katakana(text[start - 1]):
                continue
            if is_katakana(text[end - 1]) and end < len(text) and is_katakana(text[end]):
                continue
            found.append((start, end, d.places[match[0]]))
        return found


def _inside_longer_word(text: str, at: int, word: str, definitions: Definitions) -> bool:
    """Whether ``word`` at ``at`` is part of a longer word (約 in 契約)."""
    for qualifier in definitions.qualifiers.values():
        for longer in qualifier.not_in:
            offset = longer.find(word)
            if offset >= 0 and text.startswith(longer, at - offset):
                return True
    return False


def _clause_span(item: _Item, start: int, end: int) -> tuple[int, int]:
    """From the 、/。 before ``start`` to the one after ``end``, within the sentence."""
    s_start, s_end = item.sentence_span(start)
    begin = max((item.text.rfind(c, s_start, start) for c in _CLAUSE_END), default=-1)
    begin = max(begin + 1, s_start)
    stops = [i for i in (item.text.find(c, end, s_end) for c in _CLAUSE_END) if i >= 0]
    return begin, min(stops) if stops else s_end


@dataclass
class _Decision:
    indicator: Indicator
    item: _Item
    candidate: _Candidate
    unit: str
    dimension: str | None
    score: float
    reasons: list[str]


def extract(report: Report, definitions: Definitions | None = None) -> Extraction:
    """Observations and other quantities of every event of a report."""
    definitions = definitions or default_definitions()
    reading = _Reading(report, definitions)
    decisions: dict[str, list[_Decision]] = {ind.id: [] for ind in definitions.indicators}
    items = [reading.item(event) for event in report.events]
    for item in items:
        for candidate in item.candidates:
            for indicator in definitions.indicators:
                decision = _decide(indicator, item, candidate, reading)
                if decision is not None:
                    decisions[indicator.id].append(decision)
    chosen: list[_Decision] = []
    taken: set[tuple[int, int]] = set()
    for indicator in definitions.indicators:
        kept = _select(indicator, decisions[indicator.id])
        chosen.extend(kept)
        # A repeat of a kept fact (a headline, a highlight) is that observation, not a
        # quantity; a reading that lost stays a quantity for review.
        facts = {(indicator.id, *_fact(d)) for d in kept}
        taken.update(
            (d.item.event.seq, d.candidate.start)
            for d in decisions[indicator.id]
            if (indicator.id, *_fact(d)) in facts
        )
    chosen.sort(key=lambda d: (d.item.event.seq, d.candidate.start))
    observations = [_observation(d, reading) for d in chosen]
    quantities = [
        _quantity(item, candidate, definitions)
        for item in items
        for candidate in item.candidates
        if (item.event.seq, candidate.start) not in taken
    ]
    return Extraction(observations, quantities)


def _scope_has(words: Words, text: str, start: int, end: int, negations: Words) -> bool:
    """Whether one of ``words`` is in ``text[start:end]``, not negated right after it
    (入国を認めなかった is no admission)."""
    return _scope_find(words, text, start, end, negations) is not None


def _scope_find(
    words: Words, text: str, start: int, end: int, negations: Words
) -> re.Match[str] | None:
    """The first of ``words`` in ``text[start:end]`` not negated right after it."""
    if start >= end or words.pattern is None:
        return None
    for found in words.pattern.finditer(text, start, end):
        if not negations.search(text, found.end(), found.end() + _NEGATION_WINDOW):
            return found
    return None


def _decide(
    indicator: Indicator, item: _Item, candidate: _Candidate, reading: _Reading
) -> _Decision | None:
    """Whether ``candidate`` is a value of ``indicator``, and with which dimension."""
    d = reading.definitions
    if indicator.shape == "count":
        unit = indicator.counters.get(candidate.word)
    else:
        unit = d.currency_words.get(candidate.word)
    if unit is None:
        return None
    text = item.text
    s_start, s_end = candidate.sentence
    c_start, c_end = candidate.clause
    topic = _topic(indicator, item, candidate)
    if topic is None:
        return None
    reasons = [topic]
    score = {"clause": 3, "sentence": 2, "headline": 1, "item": 0.5}[topic.rsplit(" ", 1)[-1]]

    if indicator.item_requires and not item.highlight:
        where = f"{text}\n{item.event.citation}"
        if indicator.item_requires.search(where) is None:
            return None

    # Words that make the number another number, each in its own scope.
    masked, negations = item.masked, d.negations
    before = (max(c_start, candidate.previous_end), candidate.start)
    after = (candidate.end, min(c_end, candidate.next_start))
    if _scope_has(indicator.excluded_before, masked, *before, negations):
        return None
    if _scope_has(indicator.excluded_after, masked, *after, negations):
        return None
    if indicator.excluded_next.starts(text, candidate.end):
        return None
    # From the number before it in its sentence (or the sentence's start), across 、:
    # 年初からの累計では、4,800人 is the year's total.
    since = (max(s_start, _list_head(item, candidate).previous_end), candidate.start)
    if _scope_has(indicator.excluded_in_sentence, masked, *since, negations):
        return None
    if _said_by_others(indicator, item, candidate):
        return None
    if _part_of_earlier(indicator, item, candidate, negations):
        return None
    if indicator.daily_excluded and _stated_for_one_day(text, *before):
        return None
    if indicator.shape == "money" and _restates_the_one_before(item, candidate):
        return None
    if indicator.dimension == "counterparty" and _between_two_others(item, candidate):
        return None

    if indicator.predicate:
        said = _predicate(indicator, item, candidate)
        if said is None or _signed_before_the_week(indicator, item, candidate):
            return None
        reasons.append(said)

    dimension: str | None = None
    if indicator.dimension == "reporter":
        found = _place(item, candidate, reading, indicator)
        if found is None:
            return None
        dimension, where = found
        reasons.append(f"reported by {dimension} ({where})")
        score += {"clause": 1.0, "sentence": 0.5}.get(where, 0.0)
    elif indicator.dimension == "counterparty":
        if _scope_has(indicator.unnamed, text, c_start, c_end, d.negations):
            reasons.append("counterparty unnamed")
        else:
            found = _place(item, candidate, reading, indicator)
            if found is not None:
                dimension, where = found
                reasons.append(f"counterparty {dimension} ({where})")

    if indicator.prefer:
        preferred = {m[0] for m in indicator.prefer.pattern.finditer(text, s_start, s_end)}  # type: ignore[union-attr]
        score += 0.5 * len(preferred)
    if not item.highlight:
        score += 0.25  # the body, which has a citation, over a highlight
    return _Decision(indicator, item, candidate, unit, dimension, score, reasons)


def _topic(indicator: Indicator, item: _Item, candidate: _Candidate) -> str | None:
    """Where the indicator's topic is said for this candidate, narrowest first."""
    topic, text = indicator.topic, item.text
    (s_start, s_end), (c_start, c_end) = candidate.sentence, candidate.clause
    change = candidate.previous
    if change and change.start >= s_start and indicator.excluded_next.starts(text, change.end):
        # "政治犯の数は前週から3人減り、1,405人となった": the change's clause is the level's.
        c_start = min(c_start, change.clause[0])
    if indicator.topic_scope == "clause":
        found = topic.search(text, c_start, c_end)
        return f"{found[0]} in the clause" if found else None
    found = topic.search(text, s_start, s_end)
    if found:
        in_clause = c_start <= found.start() < c_end or topic.search(text, c_start, c_end)
        return f"{found[0]} in the {'clause' if in_clause else 'sentence'}"
    if indicator.topic_scope in ("sentence_or_headline", "item"):
        found = topic.search(text, 0, item.headline_end)
        if found:
            return f"{found[0]} in the headline"
    if indicator.topic_scope == "item":
        found = topic.search(text)
        if found:
            return f"{found[0]} in the item"
    return None


def _said_by_others(indicator: Indicator, item: _Item, candidate: _Candidate) -> bool:
    """Whether someone other than the indicator's own source says the number: one of
    ``said_by_others`` before it in its sentence, and the source not named there."""
    pattern = indicator.said_by_others.pattern
    s_start, s_end = candidate.sentence
    if pattern is None or pattern.search(item.masked, s_start, candidate.start) is None:
        return False
    own = indicator.item_requires.pattern
    return own is None or own.search(item.text, s_start, s_end) is None


def _list_head(item: _Item, candidate: _Candidate) -> _Candidate:
    """The first value of the list the candidate is in, itself where it is in none:
    "2024年の年間累計は、ポーランドが約3万件、ラトビアが1万3,000人余り、リトアニアが1,000人超"
    is one list, all said of 年間累計."""
    head = candidate
    while (before := head.previous) is not None and before.start >= candidate.sentence[0]:
        gap = _LIST_GAP.fullmatch(item.text, before.end, head.start)
        if gap is None or not any(before.end <= p[0] < head.start for p in item.places):
            break
        head = before
    return head


def _part_of_earlier(
    indicator: Indicator, item: _Item, candidate: _Candidate, negations: Words
) -> bool:
    """Whether the candidate is a part of a number stated before it: an
    ``excluded_following`` word (うち) after an earlier number in its sentence
    ("20人を拘束し、うち3人…"), or opening its sentence or clause, where it points back at
    a number said before ("…阻止した。このうち2人を病院に搬送"). Not after a group named
    without a number ("越えようとした者のうち47人の入国を阻止"): that number is the count."""
    words = indicator.excluded_following
    s_start, c_start = candidate.sentence[0], candidate.clause[0]
    if words.pattern is None or candidate.start <= s_start:
        return False
    for opening in (s_start, c_start):
        if _points_back(words, item.masked, opening):
            # Not a part where what it points back at is a number of another kind
            # ("中国の業者と120万トンの契約…。このうち中国側との契約の総額は約4億ドル").
            whole = next((c for c in reversed(item.candidates) if c.end <= opening), None)
            if whole is not None and _is_money(item, whole) != _is_money(item, candidate):
                return False
            return not _own_reporter(indicator, item, candidate, opening)
    first = next((c.end for c in item.candidates if s_start <= c.start < candidate.start), None)
    if first is None:
        return False
    said = _scope_find(words, item.masked, first, candidate.start, negations)
    return said is not None and not _own_reporter(indicator, item, candidate, said.start())


def _is_money(item: _Item, candidate: _Candidate) -> bool:
    return candidate.word in item.reading.definitions.currency_words


def _own_reporter(indicator: Indicator, item: _Item, candidate: _Candidate, part_at: int) -> bool:
    """Whether a part of a total (its うち at ``part_at``) is a country's own count: the
    total was said of several countries or of none, and the part names one country
    between the number before it and it ("計350人…、うちリトアニアが25人、ラトビアが60人").
    A part of one country's count stays a part ("ラトビアは48人、うちリトアニア経由は5人")."""
    if indicator.dimension != "reporter":
        return False
    since = max(candidate.sentence[0], candidate.previous_end)
    if len(_reporters(item, indicator, since, candidate.number_start)) != 1:
        return False
    whole = next((c for c in reversed(item.candidates) if c.end <= part_at), None)
    return whole is None or _place(item, whole, item.reading, indicator) is None


def _points_back(words: Words, text: str, start: int) -> bool:
    """Whether the text at ``start`` opens with one of ``words``, alone or after この/その
    (a bullet's ・ aside).

    >>> from indicators.definitions import Words
    >>> words = Words.of(["のうち", "うち"])
    >>> [_points_back(words, t, 0) for t in ("このうち2人", "・うち3人", "者のうち4人")]
    [True, True, False]
    """
    return words.starts(text, _POINTER.match(text, start).end())  # type: ignore[union-attr]


def _between_two_others(item: _Item, candidate: _Candidate) -> bool:
    """Whether its sentence names the deal's two parties, both of other countries and
    before it, and names no party of the report's own country: "ロシア企業と中国企業
    との間でも総額約3億ドルの契約が結ばれた", "ロシアとカザフスタンの企業は…に調印",
    "カザフスタン政府は中国企業との間で総額22億ドルの…契約を締結"
    are no deals of the report's country. A firm named in brackets may be one of its
    own (「ベラズ」), and so may a subject before the two (ゴメリ州の企業は): either keeps
    the deal."""
    text, home = item.text, item.reading.home
    s_start = candidate.sentence[0]
    before = text[s_start : candidate.start]
    places = [p for p in item.places if s_start <= p[0] < candidate.start]
    if "「" in before or any(code == home for _, _, code in places):
        return False
    return any(
        _ANOTHER_SUBJECT.search(text, s_start, first[0]) is None
        and first[2] not in (home, REFERENCE)
        and second[2] not in (home, REFERENCE, first[2])
        and _PARTIES_JOINED.fullmatch(text, first[1], second[0])
        and _PARTIES_END.match(text, second[1])
        for first, second in itertools.pairwise(places)
    )


def _restates_the_one_before(item: _Item, candidate: _Candidate) -> bool:
    """Whether an amount is the one right before it in another currency, in brackets
    after it: "5億ドル（約750億円）", "35億ロシア・ルーブル相当（日本円で約50億円）"."""
    before = candidate.previous
    if before is None or before.word not in item.reading.definitions.currency_words:
        return False
    return _RESTATED.fullmatch(item.text, before.end, candidate.start) is not None


def _stated_for_one_day(text: str, start: int, end: int) -> bool:
    """Whether a count is stated for one day: a date right before it, not a range's end.

    >>> _stated_for_one_day("リトアニアは、12月31日に3人", 6, 14)
    True
    >>> _stated_for_one_day("12月25日～12月31日の間に3人", 0, 17)
    False
    """
    day = _DAY_ON.search(text, start, end)
    if day is None:
        return False
    return not any(
        a <= day.start() < b for a, b in (m.span() for m in _RANGE.finditer(text, start, end))
    )


def _signed_before_the_week(indicator: Indicator, item: _Item, candidate: _Candidate) -> bool:
    """Whether the text before the candidate says it was signed in a year, or a month,
    before the report's week: "2023年に同メーカーと締結した契約（総額5億元）", "2011年に
    締結した融資協定（最大100億ドル）", in a report on 2024-12-30..2025-01-05 "2024年3月に
    調印された契約", and "2021年にも…約3,500万ドルの契約を締結" (the predicate after the
    value, in the year's clause) are earlier deals."""
    pattern = indicator.predicate.pattern
    assert pattern is not None
    since = max(candidate.sentence[0], candidate.previous_end)
    week = item.reading.month
    return any(
        _signed_when(said, item.reading.last_month) < week
        and (
            pattern.search(item.text, said.end(), candidate.start) is not None
            or _signed_later_in_the_clause(pattern, item.text, said.end(), candidate)
        )
        for said in _SIGNED_IN.finditer(item.text, since, candidate.start)
    )


def _signed_when(said: re.Match[str], last: tuple[int, int]) -> tuple[int, int]:
    """(year, month) of a signing said with :data:`_SIGNED_IN`, a year alone as its
    last month; a month without a year is the latest such month not after ``last``, the
    week's last month (12月 in a report on 2025-01-06..01-12 is December 2024).

    >>> [_signed_when(_SIGNED_IN.search(t), (2024, 11)) for t in ("2023年に", "昨年に",
    ...  "本年3月に", "10月に", "12月に")]
    [(2023, 12), (2023, 12), (2024, 3), (2024, 10), (2023, 12)]
    """
    year, month = last
    if said["year"]:
        year = int(said["year"])
    elif said["said"]:
        year -= _YEARS_BACK[said["said"]]
    elif int(said["month"]) > month:
        year -= 1
    return (year, int(said["month"])) if said["month"] else (year, 12)


def _signed_later_in_the_clause(
    pattern: re.Pattern[str], text: str, said_end: int, candidate: _Candidate
) -> bool:
    """Whether a year said before the candidate and the predicate after it are in one
    clause with it: "2021年にも同省と約3,500万ドルの契約を締結しており"."""
    if any(mark in text[said_end : candidate.start] for mark in _CLAUSE_END):
        return False
    ends = [i for i in (text.find(c, candidate.end) for c in _CLAUSE_END) if i >= 0]
    return pattern.search(text, candidate.end, min(ends, default=len(text))) is not None


def _predicate(indicator: Indicator, item: _Item, candidate: _Candidate) -> str | None:
    """The predicate said of the candidate (the one after it, else before it), unless
    what follows it says it has not happened yet."""
    text = item.text
    s_start, s_end = candidate.sentence
    pattern = indicator.predicate.pattern
    assert pattern is not None
    found = pattern.search(text, candidate.end, s_end)
    where = "sentence"
    if found is None:
        # The one before it in its sentence, else in its bullet ("・契約を締結。総額は…").
        bullet_start = text.rfind("\n", 0, s_start) + 1
        for low, name in ((s_start, "sentence"), (bullet_start, "bullet")):
            before = list(pattern.finditer(text, low, candidate.start))
            if before:
                found, where = before[-1], name
                break
    if found is None:
        found = pattern.search(text, 0, item.headline_end)
        where = "headline"
    if found is None:
        # An earlier sentence of the item ("・9件の契約に署名した。・総額は…").
        earlier = list(pattern.finditer(text, item.headline_end, s_start))
        if not earlier:
            return None
        found, where = earlier[-1], "item"
    # Said elsewhere (its bullet, the headline, an earlier sentence), it holds unless the
    # value's own sentence says that this one has not happened yet (…契約を結ぶ予定).
    if where != "sentence" and indicator.not_yet.search(text, s_start, s_end):
        return None
    # Said before it in a clause of its own ("覚書に署名したほか、今後…約50億ロシア・
    # ルーブル規模の共同事業を実施する予定"), it holds unless the value's clauses say
    # that theirs has not happened yet.
    if (
        where == "sentence"
        and found.end() <= candidate.start
        and any(mark in text[found.end() : candidate.start] for mark in _CLAUSE_END)
        and indicator.not_yet.search(text, candidate.end, s_end)
    ):
        return None
    tail_end = min(
        [i for i in (text.find(c, found.end()) for c in _CLAUSE_END) if i >= 0] or [len(text)]
    )
    tail_end = min(tail_end, found.end() + _NOT_YET_WINDOW)
    if indicator.not_yet_next.starts(text, found.end()):
        return None
    if indicator.not_yet.search(text, found.end(), tail_end):
        return None
    return f"{found[0]} in the {where}"


def _place(
    item: _Item, candidate: _Candidate, reading: _Reading, indicator: Indicator
) -> tuple[str, str] | None:
    """The country a candidate is of, and where it was named: the nearest place before
    it in its clause, after it in its clause, before it in its sentence, after it in its
    sentence (not past what leads to the next number), then before it in the item.
    同国/両国 resolve to the place named before. None for a reporter's count said of
    several countries together (their total)."""
    allowed = indicator.dimension_countries
    home = reading.home

    def usable(code: str) -> bool:
        if code == REFERENCE:
            return True
        return code != home and (not allowed or code in allowed)

    places = [p for p in item.places if usable(p[2])]
    respectively = _respectively(item, candidate, places, reading)
    if respectively:
        return respectively, "sentence, respectively"
    if indicator.dimension == "reporter" and _said_of_several(item, indicator, candidate):
        return None
    # Where goods go or come from (中国向け, ロシア産) is no party: named only if no other is.
    goods = reading.definitions.goods
    parties = [p for p in places if not goods.starts(item.text, p[1])]
    found = _nearest(item, candidate, indicator, parties)
    if found is None and len(parties) < len(places):
        found = _nearest(item, candidate, indicator, places)
    return found


def _nearest(
    item: _Item, candidate: _Candidate, indicator: Indicator, places: list[tuple[int, int, str]]
) -> tuple[str, str] | None:
    """The nearest of ``places`` to a candidate, in the order :func:`_place` gives."""

    def resolve(index: int) -> str | None:
        """The code of places[index], a reference followed back."""
        for _, _, code in reversed(places[: index + 1]):
            if code != REFERENCE:
                return code
        return None

    starts = [p[0] for p in places]
    c_start, c_end = candidate.clause
    s_start, s_end = candidate.sentence
    at = candidate.number_start
    ahead = _own_text_end(item, candidate, indicator)
    for name, low, high, backwards in (
        ("clause", c_start, at, True),
        ("clause", candidate.end, min(c_end, ahead), False),
        ("sentence", s_start, at, True),
        ("sentence", candidate.end, min(s_end, ahead), False),
        ("item", 0, s_start, True),
    ):
        lo = bisect.bisect_left(starts, low)
        hi = bisect.bisect_left(starts, high)
        if lo >= hi:
            continue
        indexes = range(hi - 1, lo - 1, -1) if backwards else range(lo, hi)
        for index in indexes:
            if places[index][2] == REFERENCE and not backwards:
                continue  # a reference after the number refers to something else
            code = resolve(index)
            if code is not None:
                via = " via 同国" if places[index][2] == REFERENCE else ""
                return code, name + via
    return None


def _reporters(item: _Item, indicator: Indicator, start: int, end: int) -> set[str]:
    """The reporting countries named in ``item.text[start:end]`` (references aside)."""
    home = item.reading.home
    return {
        code
        for at, _, code in item.places
        if start <= at < end and code in indicator.dimension_countries and code != home
    }


def _said_of_several(item: _Item, indicator: Indicator, candidate: _Candidate) -> bool:
    """Whether a count is said of several reporting countries together, so that it is
    none of theirs: two or more named, or a word for several (バルト三国, 3か国), in its
    clause before it, else in its sentence since the number before it
    ("リトアニア、ラトビア、ポーランドの国境警備当局は、計350人")."""
    together = item.reading.definitions.together
    since = max(candidate.sentence[0], candidate.previous_end)
    clause = _list_start(item, indicator, candidate.clause[0])
    for start in (max(clause, since), since):
        named = _reporters(item, indicator, start, candidate.number_start)
        if len(named) > 1 or together.search(item.text, start, candidate.number_start):
            return True
        if named:
            return False
    return False


def _list_start(item: _Item, indicator: Indicator, start: int) -> int:
    """Where a list of countries, split by 、 and ending where a clause starts, begins:
    "リトアニア、ラトビア、ポーランドの当局が阻止した…約390人" is said of all three."""
    places = [(at, end) for at, end, code in item.places if code in indicator.dimension_countries]
    moved = True
    while moved:
        moved = False
        for at, end in places:
            gap = item.text[end:start]
            if end <= start and "、" in gap and not gap.strip("、・ \n"):
                start, moved = at, True
    return start


def _own_text_end(item: _Item, candidate: _Candidate, indicator: Indicator) -> int:
    """Where a candidate's own text ends, for a place named after it: where its sentence
    does, or, when another number follows in it, before what leads to that number (from
    the last 、, opening bracket or うち before it), so that "計42人（リトアニア12人、…）" and
    "350人が阻止され、うちリトアニアが25人" name no country for the total."""
    following, sentence_end = candidate.next_start, candidate.sentence[1]
    if following >= sentence_end:
        return sentence_end
    stops = [item.text.rfind(mark, candidate.end, following) for mark in "、（("]
    words = indicator.excluded_following
    if words.pattern is not None:
        stops += [m.start() for m in words.pattern.finditer(item.masked, candidate.end, following)]
    last = max(stops)
    return last if last >= 0 else following


def _respectively(
    item: _Item,
    candidate: _Candidate,
    places: list[tuple[int, int, str]],
    reading: _Reading,
) -> str | None:
    """ "A、B、Cは、それぞれ8人、54人、約210人": the n-th value is the n-th place named."""
    s_start, s_end = candidate.sentence
    word = reading.definitions.respectively.search(item.text, s_start, candidate.start)
    if word is None:
        return None
    listed = [c for c in item.candidates if word.end() <= c.start < s_end]
    named = list(
        dict.fromkeys(code for start, _, code in places if s_start <= start < word.start())
    )
    named = [code for code in named if code != REFERENCE]
    if len(named) < 2 or len(named) != len(listed):
        return None
    return named[listed.index(candidate)]


def _select(indicator: Indicator, decisions: list[_Decision]) -> list[_Decision]:
    """The decisions kept: the best one per report or per dimension, or all; a fact
    stated twice (a headline and its body, a highlight and the item) counts once."""
    if indicator.select == "all":
        kept: list[_Decision] = []
        seen: set[tuple[object, ...]] = set()
        in_body: set[tuple[object, ...]] = set()
        # Body before highlights, later before earlier: a fact stated in a headline and
        # its body, or in a highlight and an item, is kept from the body, with its citation.
        ordered = sorted(
            decisions, key=lambda d: (d.item.highlight, -d.item.event.seq, -d.candidate.start)
        )
        for d in ordered:
            fact = _fact(d)
            where = None if d.item.highlight else d.item.event.seq
            if (where, *fact) in seen or (d.item.highlight and fact in in_body):
                continue
            seen.add((where, *fact))
            if not d.item.highlight:
                in_body.add(fact)
            kept.append(d)
        return kept
    groups: dict[object, list[_Decision]] = {}
    for d in decisions:
        key = None if indicator.select == "one_per_report" else (d.dimension, d.unit)
        groups.setdefault(key, []).append(d)
    chosen = []
    for group in groups.values():
        best = max(group, key=lambda d: (d.score, -d.item.event.seq, -d.candidate.start))
        if best.item.highlight:  # the same fact in the body carries its citation
            body = [d for d in group if not d.item.highlight and _fact(d) == _fact(best)]
            best = body[0] if body else best
        rivals = len(group) - 1
        if rivals:
            best.reasons.append(f"best of {rivals + 1} readings")
        chosen.append(best)
    return chosen


def _fact(d: _Decision) -> tuple[object, ...]:
    """What a value says: a fact stated twice is the same observation."""
    return (d.dimension, d.candidate.value, d.unit)


def _observation(d: _Decision, reading: _Reading) -> Observation:
    item, candidate, indicator = d.item, d.candidate, d.indicator
    s_start, s_end = candidate.sentence
    as_of, start, end, dated = _dates(indicator, item, candidate, reading.report)
    flags = _flags(as_of, reading.report)
    if d.reasons[0].endswith("in the headline") and candidate.start >= item.headline_end:
        flags += ("topic_only_in_headline",)
    event = item.event
    return Observation(
        indicator=indicator.id,
        dimension=d.dimension,
        value=candidate.value,
        unit=d.unit,
        qualifier=candidate.qualifier,
        as_of=as_of,
        period_start=start,
        period_end=end,
        source="、".join(event.sources) or None,
        evidence=item.text[s_start:s_end].lstrip("・").strip(),
        event_seq=event.seq,
        rule=f"{indicator.id}: " + "; ".join([*d.reasons, dated]),
        flags=flags,
        sentence_index=item.sentence_index(candidate.start),
        offset=candidate.number_start - s_start,
    )


def _quantity(item: _Item, candidate: _Candidate, definitions: Definitions) -> Quantity:
    s_start, s_end = candidate.sentence
    return Quantity(
        event_seq=item.event.seq,
        value=candidate.value,
        unit=definitions.currency_words.get(candidate.word, candidate.word),
        qualifier=candidate.qualifier,
        text=candidate.text,
        sentence=item.text[s_start:s_end].lstrip("・").strip(),
        sentence_index=item.sentence_index(candidate.start),
        offset=candidate.number_start - s_start,
    )


def _date(text: str, anchor: dt.date) -> dt.date | None:
    """A date written in an item (year and month optional; 11月末 is the month's last
    day), its year from ``anchor``.

    >>> _date("11月末", dt.date(2023, 12, 7)), _date("2024年2月末", dt.date(2024, 3, 7))
    (datetime.date(2023, 11, 30), datetime.date(2024, 2, 29))
    """
    month_end = _MONTH_END.fullmatch(text)
    if month_end:
        first = infer_date(int(month_end["m"]), 1, anchor)
        if first is None:
            return None
        year = int(month_end["y"]) if month_end["y"] else first.year
        return dt.date(year, first.month, calendar.monthrange(year, first.month)[1])
    parts = _DATE_PARTS.fullmatch(text)
    if parts is None:
        return None
    day = int(parts["d"])
    if parts["y"] and parts["m"]:
        try:
            return dt.date(int(parts["y"]), int(parts["m"]), day)
        except ValueError:
            return None
    if parts["m"]:
        return infer_date(int(parts["m"]), day, anchor)
    # A day alone: that day in the month of the anchor, or the month before or after.
    options = [infer_date(m, day, anchor) for m in _months_around(anchor)]
    found = [o for o in options if o is not None]
    return min(found, key=lambda o: abs(o - anchor)) if found else None


def _months_around(anchor: dt.date) -> list[int]:
    return [(anchor.month + k - 1) % 12 + 1 for k in (-1, 0, 1)]


def _range(match: re.Match[str], anchor: dt.date) -> tuple[dt.date, dt.date] | None:
    first = _date(match["a"].removesuffix("日") + "日", anchor)
    if first is None:
        return None
    second = _DATE_PARTS.fullmatch(match["b"])
    if second is None:
        return None
    if second["m"] or second["y"]:
        last = _date(match["b"], anchor)
    else:  # 10月16日～22日: the month of the first date, or the next one
        last = _date(f"{first.month}月{second['d']}日", first)
        if last is not None and last < first:
            last = _date(f"{first.month % 12 + 1}月{second['d']}日", first)
    if last is None:
        return None
    if first > last:  # 12月30日～1月5日: the start is in the year before
        try:
            first = first.replace(year=last.year - 1)
        except ValueError:
            return None
    return first, last


def _item_ranges(item: _Item, anchor: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    if item._ranges is None:
        found = []
        for match in _RANGE.finditer(item.text):
            span = _range(match, anchor)
            if span:
                found.append((match.start(), *span))
        item._ranges = found
    return item._ranges


def _dates(
    indicator: Indicator, item: _Item, candidate: _Candidate, report: Report
) -> tuple[dt.date | None, dt.date | None, dt.date | None, str]:
    """(as_of, period_start, period_end, how it was dated) by the indicator's rule."""
    event, text = item.event, item.text
    cited = event.dates[0] if event.dates else None
    anchor = cited or report.published
    if indicator.dated_by == "period":
        s_start, s_end = candidate.sentence
        ranges = [
            r
            for r in _item_ranges(item, anchor)
            # 前週（11月27日～12月3日）に続き: another week's range, not this count's
            if not indicator.other_period.search(text, max(0, r[0] - 4), r[0])
        ]
        own = [r for r in ranges if s_start <= r[0] < s_end]
        # A range shorter than a week's is a part of one (その夜, 2日間): no period for the
        # counts said after it.
        earlier = [r for r in ranges if r[0] < s_start and (r[2] - r[1]).days >= _WEEK_LIKE]
        if own:
            return own[0][2], own[0][1], own[0][2], "the range in its sentence"
        if earlier:
            return earlier[-1][2], earlier[-1][1], earlier[-1][2], "the range printed before it"
        citation = _RANGE.search(event.citation)
        span = _range(citation, anchor) if citation else None
        if span:
            return span[1], span[0], span[1], "the range in the citation"
        return report.period_end, report.period_start, report.period_end, "the report's week"
    if indicator.dated_by == "as_of":
        s_start, s_end = candidate.sentence
        for where, (low, high) in (
            ("sentence", (s_start, s_end)),
            ("headline", (0, item.headline_end)),
            ("item", (0, len(item.text))),
        ):
            found = _AS_OF.search(item.text, low, high)
            if found:
                date = _date(found["d"], anchor)
                if date:
                    return date, None, None, f"{found[0]} in the {where}"
    if cited:
        return cited, None, None, "the item's first cited date"
    return report.published, None, None, "the report's date"


def _flags(as_of: dt.date | None, report: Report) -> tuple[str, ...]:
    """What looks wrong about a value from its report alone."""
    if as_of is None:
        return ()
    earliest = (report.period_start or report.published) - dt.timedelta(days=14)
    if as_of > report.published + dt.timedelta(days=1) or as_of < earliest:
        return ("date_outside_report",)
    return ()


def units_of(indicator_id: str, definitions: Definitions | None = None) -> Sequence[str]:
    """The unit codes an indicator's values come in (its currencies: all defined)."""
    definitions = definitions or default_definitions()
    indicator = definitions.indicator(indicator_id)
    return indicator.units if indicator.shape == "count" else tuple(definitions.currencies)
