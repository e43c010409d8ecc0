"""Clean lines of a weekly report -> Report(title, issuer, dates, events).

The layout is described in docs/FORMAT.md. Structure is found from line openings: ``【…】``
starts a section, ``●`` an item, ``・`` a bullet, ``（1）`` a sub-heading and ``（11月20日``
a date parenthesis (a period line, or the citation closing an item). Any other line
continues the one before it, which is how wrapped lines are joined.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from indicators.errors import InputError
from indicators.read import clean_lines

_SECTION = re.compile(r"^【(?P<name>[^】]+)】$")
_SUBHEADING = re.compile(r"^（\d{1,2}）")
_KATAKANA_PAIR = re.compile("[ァ-ヺー]{2}")
# A date parenthesis opens with a date: "（11月20日", "（24日", "（2023年11月20日".
# A citation or period opens with a date, or with 同日 ("the same day" as the headline's).
_DATE_PAREN = re.compile(r"^（(?:同日|(?:\d{4}年)?\d{1,2}(?:月\d{1,2})?日)")
# A headline's "as of" date on a line of its own: "（8月2日現在）", "（12月29日時点）".
# A citation's date broken by the line's end before its 日: "（5月3" / "1日 通信）".
_BROKEN_DATE_PAREN = re.compile(r"（(?=\d)(?:\d{4}年?)?(?:\d{1,2}(?:月\d{0,2})?)?")
_AS_OF = re.compile(r"（(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:現在|時点)）")
_END = "（了）"
_PAIRS = {"【": "】", "（": "）"}
_REJOIN_LINES = 3  # at most this many lines joined to a bracket left open
# 付/付け ("dated") may follow a citation's date: 11月24日付ベルタ通信, 同日付タス通信.
_DATED = "(?:付け?)?"
# A citation with one dated source and no brackets or commas in it.
_ONE_DATE_ONE_SOURCE = re.compile(
    rf"(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日{_DATED}(?P<source>(?!同日)[^、（）「」『』～〜0-9]*)$"
)
_SAME_DAY = re.compile(f"同日{_DATED}")

# One date as items write it, with an optional second end for a range. The month may be
# left out ("24日"): it is the month of the date before it.
_DATE = re.compile(
    r"""(?:(?P<year>\d{4})年)?(?:(?P<month>\d{1,2})月)?(?P<day>\d{1,2})日
        (?:～(?:(?P<year2>\d{4})年)?(?:(?P<month2>\d{1,2})月)?(?P<day2>\d{1,2})日)?"""
    + _DATED,
    re.VERBOSE,
)
_FULL_DATE = re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日$")
_PERIOD = re.compile(
    r"^（(?P<month>\d{1,2})月(?P<day>\d{1,2})日～(?P<month2>\d{1,2})月(?P<day2>\d{1,2})日）$"
)
_PARENTHESES = re.compile(r"（([^（）]*)）")
#: No weekly report is older than this; an earlier publication date is a misread year.
EARLIEST = dt.date(1990, 1, 1)
_OPEN, _CLOSE = "（「『", "）」』"
_BRACKETS = re.compile(f"[{_OPEN}{_CLOSE}]")
_SPLIT_MARKS = re.compile(f"[{_OPEN}{_CLOSE}、]")


@dataclass
class Event:
    """One ``●`` item: a news event with the citation that closes it."""

    seq: int
    section: str
    headline: str
    body: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    period: tuple[dt.date, dt.date] | None = None
    #: the closing citation's text without its parentheses; empty where there is none
    citation: str = ""

    @property
    def body_text(self) -> str:
        return "\n".join(self.body)


@dataclass
class Report:
    """A parsed weekly report: its header and its events in document order."""

    title: str
    issuer: str
    published: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    events: list[Event]

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(event.section for event in self.events))


def infer_date(month: int, day: int, anchor: dt.date) -> dt.date | None:
    """The date with this month and day nearest to ``anchor`` (reports omit the year).

    >>> infer_date(12, 29, dt.date(2024, 1, 4))
    datetime.date(2023, 12, 29)
    >>> infer_date(1, 2, dt.date(2024, 1, 4))
    datetime.date(2024, 1, 2)
    >>> infer_date(2, 30, dt.date(2024, 1, 4)) is None
    True
    """
    # The anchor's own year unless that is more than half a year away (the common case
    # costs one date); 2月29日 falls back to the years around it.
    if 1 <= month <= 12 and 1 <= day <= 28:
        candidate = dt.date(anchor.year, month, day)
        offset = (candidate - anchor).days
        if offset > 183:
            return dt.date(anchor.year - 1, month, day)
        if offset < -183:
            return dt.date(anchor.year + 1, month, day)
        return candidate
    best: dt.date | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(candidate - anchor) < abs(best - anchor):
            best = candidate
    return best


def split_top_level(text: str) -> list[str]:
    """Split on 、 outside brackets.

    >>> split_top_level("11月22日露タス通信、「ゼルカロ（鏡、夕刊）」")
    ['11月22日露タス通信', '「ゼルカロ（鏡、夕刊）」']
    """
    parts, depth, start = [], 0, 0
    for mark in _SPLIT_MARKS.finditer(text):  # brackets and commas only, not every character
        char = mark[0]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(text[start : mark.start()])
            start = mark.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _strip_quotes(source: str) -> str:
    """A source wholly in 「」 is named without them; 人権団体「ヴャスナ」 keeps them."""
    if (
        source.startswith("「")
        and source.endswith("」")
        and _closing_index(source) == len(source) - 1
    ):
        return source[1:-1]
    return source


def _closing_index(text: str) -> int:
    """Index of the bracket closing the one that opens ``text``; -1 if unbalanced.

    >>> _closing_index("（11月20日「ゼルカロ（鏡）」）に続き")
    16
    """
    depth = 0
    for bracket in _BRACKETS.finditer(text):  # only the brackets, not every character
        if bracket[0] in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return bracket.start()
    return -1


def parse_citation(content: str, anchor: dt.date) -> tuple[list[dt.date], list[str]]:
    """Dates and sources of a citation's content (without its outer parentheses).

    >>> published = dt.date(2023, 11, 30)
    >>> dates, sources = parse_citation("11月23日国営ベルタ通信、24日「ゼルカロ（鏡）」", published)
    >>> [d.isoformat() for d in dates], sources
    (['2023-11-23', '2023-11-24'], ['国営ベルタ通信', 'ゼルカロ（鏡）'])
    >>> parse_citation("11月21日～11月27日Pozirk", dt.date(2023, 11, 30))[0][-1]
    datetime.date(2023, 11, 27)
    >>> dates, _ = parse_citation("11月21日～11月27日 Pozirk、23日 「ゼルカロ」", published)
    >>> [d.isoformat() for d in dates]
    ['2023-11-21', '2023-11-27', '2023-11-23']
    >>> parse_citation("11月24日付ベルタ通信、25日付け「ゼルカロ」、同日付タス通信", published)[1]
    ['ベルタ通信', 'ゼルカロ', 'タス通信']

    同日 ("the same day") repeats the date before it, which is listed once:

    >>> dates, sources = parse_citation("11月23日大統領府、同日国営ベルタ通信", published)
    >>> [d.isoformat() for d in dates], sources
    (['2023-11-23'], ['大統領府', '国営ベルタ通信'])
    """
    simple = _ONE_DATE_ONE_SOURCE.match(content)
    if simple:  # "11月20日 大統領府": most citations, read at a fraction of the cost
        date = infer_date(int(simple["month"]), int(simple["day"]), anchor)
        source = simple["source"].strip()
        return ([date] if date else []), ([source] if source else [])
    dates: list[dt.date] = []
    sources: list[str] = []
    month: int | None = None
    for part in split_top_level(content):
        same_day = _SAME_DAY.match(part)
        if same_day:
            part = part[same_day.end() :].strip()
            if part:
                sources.append(_strip_quotes(part))
            continue
        match = _DATE.match(part)
        if match:
            for year_key, month_key, day_key in (
                ("year", "month", "day"),
                ("year2", "month2", "day2"),
            ):
                if match[day_key] is None:
                    continue
                day = int(match[day_key])
                if match[month_key]:
                    month = int(match[month_key])
                elif month is None:
                    month = anchor.month
                elif dates and _before(month, day, min(dates)):
                    # "30日、1日": the next month; "21日～27日 X、23日 Y": the same
                    month = month % 12 + 1
                if match[year_key]:
                    with contextlib.suppress(ValueError):  # 2月30日: not a date
                        dates.append(dt.date(int(match[year_key]), month, day))
                    continue
                date = infer_date(month, day, anchor)
                if date is not None:
                    dates.append(date)
            part = part[match.end() :].strip()
        if part:
            sources.append(_strip_quotes(part))
    return dates, sources


def _before(month: int, day: int, first: dt.date) -> bool:
    """Whether a day written without its month, taken in ``month``, falls before the
    citation's first date (so that it belongs to the month after)."""
    return (month, day) < (first.month, first.day) and month == first.month


def _join(previous: str, line: str) -> str:
    """Join a wrapped line: no space in Japanese, one between two Latin words."""
    latin_end = previous and previous[-1].isascii() and previous[-1].isalpha()
    if latin_end and line and line[0].isascii() and line[0].isalpha():
        return f"{previous} {line}"
    return previous + line


def _inside_a_word(segments: list[str], line: str) -> bool:
    """Whether a line opening with ・ goes on with a bullet's word ("ロシア" /
    "・スモレンスク州"): a line should not open with ・, but a word processor that does
    not keep it off (LibreOffice) breaks there, between two katakana words.

    >>> _inside_a_word(["・同州の企業はロシア"], "・スモレンスク州の企業と")
    True
    >>> _inside_a_word(["・ロシアと会談した。"], "・ロシア側は"), _inside_a_word([], "・ロシア")
    (False, False)
    >>> _inside_a_word(["（1）ロシア"], "・ロシア側は")
    False
    """
    if not segments or not segments[-1].startswith("・"):
        return False
    return _KATAKANA_PAIR.fullmatch(segments[-1][-1:] + line[1:2]) is not None


def _opens_date_paren(line: str) -> bool:
    """A line that starts a date parenthesis of its own (a period line or a citation).

    A wrapped sentence can start with one too: "（11月27日～12月3日）に続き22人を阻止。"
    goes on after the parenthesis closes, so it continues the line before.

    >>> _opens_date_paren("（5月3"), _opens_date_paren("（11月27日～12月3日）に続き")
    (True, False)
    """
    if _BROKEN_DATE_PAREN.fullmatch(line):
        return True
    if not _DATE_PAREN.match(line):
        return False
    closing = _closing_index(line)
    return closing in (-1, len(line) - 1)


def _is_date_paren(segment: str) -> bool:
    return bool(_DATE_PAREN.match(segment)) and _closing_index(segment) == len(segment) - 1


@dataclass
class _Item:
    section: str
    headline: str
    segments: list[str] = field(default_factory=list)


def _header(lines: list[str]) -> tuple[str, str, dt.date, tuple[dt.date, dt.date] | None]:
    """Title, issuer, publication date and period from the lines before the first item."""
    if not lines:
        raise InputError("no text: not a weekly report")
    title, published, period_match, issuer = lines[0], None, None, ""
    for line in lines[1:]:
        if (full := _FULL_DATE.match(line)) and published is None:
            try:
                published = dt.date(int(full["year"]), int(full["month"]), int(full["day"]))
            except ValueError:
                continue
        elif (found := _PERIOD.match(line)) and period_match is None:
            period_match = found
        else:
            issuer = issuer or line
    if published is None:
        raise InputError(
            "no publication date (YYYY年M月D日) in the header: not a weekly report, "
            "or its date is unreadable"
        )
    period = None
    if period_match:
        start = infer_date(int(period_match["month"]), int(period_match["day"]), published)
        end = infer_date(int(period_match["month2"]), int(period_match["day2"]), published)
        if start and end:
            if start > end:  # a period across New Year: the start is in the year before
                start = start.replace(year=end.year - 1)
            period = (start, end)
    return title, issuer, published, period


def _rejoin_brackets(lines: list[str]) -> list[str]:
    """Lines a narrow column broke inside a bracket put back together: a section heading
    ("【ルカシェンコ" / "大統領動静】") anywhere, and in the header the period
    ("（12月30日～1" / "月5日）"). Other lines are joined by :func:`parse_lines` itself.

    >>> _rejoin_brackets(["題", "（12月30日～1", "月5日）", "【ルカシェン", "コ大統領動静】"])
    ['題', '（12月30日～1月5日）', '【ルカシェンコ大統領動静】']
    """
    out: list[str] = []
    header, pending, closing, left = True, "", "", 0
    for line in lines:
        if pending:
            pending += line
            left -= 1
            if closing in line or not left:
                out.append(pending)
                pending = ""
            continue
        opening = line[0]
        if opening in "【●":
            header = False
        if (opening == "【" or (opening == "（" and header)) and _PAIRS[opening] not in line:
            pending, closing, left = line, _PAIRS[opening], _REJOIN_LINES
            continue
        out.append(line)
    if pending:
        out.append(pending)
    return out


def parse_lines(lines: list[str]) -> Report:
    """A report from its clean lines (see :func:`indicators.read.clean_lines`)."""
    lines = _rejoin_brackets(lines)
    first_structural = next(
        (i for i, line in enumerate(lines) if _SECTION.match(line) or line.startswith("●")),
        len(lines),
    )
    title, issuer, published, period = _header(lines[:first_structural])
    items: list[_Item] = []
    section = ""
    item: _Item | None = None
    for line in _until_end(lines[first_structural:]):
        # Most lines continue the one before; the first character rules out the rest
        # before any pattern is tried.
        opening = line[0]
        if opening == "【" and (found := _SECTION.match(line)):
            section, item = found["name"], None
        elif opening == "●":
            item = _Item(section, line[1:].strip())
            items.append(item)
        elif item is None:
            continue  # prose between a section heading and its first item: no event
        elif (opening == "・" and not _inside_a_word(item.segments, line)) or (
            opening == "（" and (_SUBHEADING.match(line) or _opens_date_paren(line))
        ):
            item.segments.append(line)
        elif item.segments:
            item.segments[-1] = _join(item.segments[-1], line)
        else:
            item.headline = _join(item.headline, line)
    if not items:
        raise InputError("no news items (●) found: not a weekly report")
    events = [_event(seq, found, published) for seq, found in enumerate(items)]
    return Report(
        title=title,
        issuer=issuer,
        published=published,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        events=events,
    )


def _glued_citation(segment: str, published: dt.date) -> int:
    """Where a citation starts that a tool put on the last sentence's line, else 0.

    >>> published = dt.date(2023, 10, 26)
    >>> _glued_citation("・試みは95件。（10月17日～10月23日Pozirk）", published)
    8
    >>> _glued_citation("・発言。（10月20日）", published)
    0
    >>> _glued_citation("・同日（10月20日）に発表。", published)
    0
    """
    at = segment.rfind("。（")
    if at < 0 or not _is_date_paren(tail := segment[at + 1 :]):
        return 0
    return at + 1 if parse_citation(tail[1:-1], published)[1] else 0


def _until_end(lines: list[str]) -> list[str]:
    """The lines before the report's closing （了）, which may end the last line instead.

    >>> _until_end(["・本文。", "（4月12日 統計委員会） （了）", "- 3 -"])
    ['・本文。', '（4月12日 統計委員会）']
    """
    for index, line in enumerate(lines):
        if line.endswith(_END):
            rest = line.removesuffix(_END).rstrip()
            return lines[:index] + ([rest] if rest else [])
    return lines


def _event(seq: int, item: _Item, published: dt.date) -> Event:
    segments = list(item.segments)
    headline = item.headline
    dates: list[dt.date] = []
    sources: list[str] = []
    cited = ""
    if segments and _is_date_paren(segments[0]):
        if _AS_OF.fullmatch(segments[0]):
            # "●…1,387人に" / "（8月2日現在）": the date of the headline's count
            headline = _join(headline, segments.pop(0))
        else:
            found, named = parse_citation(segments[0][1:-1], published)
            if not named and (len(found) == 1 or len(segments) == 1):
                # "●見出し（11月20日）" wrapped just before its date: the date is the
                # headline's (a range with bullets after it is the period of its counts).
                headline = _join(headline, segments.pop(0))
    if segments and (glued := _glued_citation(segments[-1], published)):
        segments[-1:] = [segments[-1][:glued], segments[-1][glued:]]
    if segments and _is_date_paren(segments[-1]):
        citation = segments.pop()
        dates, sources = parse_citation(citation[1:-1], published)
        cited = citation[1:-1]
    if not dates:
        for content in _PARENTHESES.findall(headline):
            if _DATE.match(content):
                dates.extend(parse_citation(content, published)[0])
    period = None
    for segment in segments:
        if _is_date_paren(segment):
            found, named = parse_citation(segment[1:-1], published)
            if len(found) == 2 and not named:
                period = (found[0], found[1])
                break
    return Event(seq, item.section, headline, segments, dates, sources, period, cited)


def check_published(published: dt.date, *, today: dt.date, future_days: int) -> None:
    """Refuse a publication date that cannot be true: later than today (beyond a few
    days, for time zones and reports dated ahead) or before :data:`EARLIEST`.

    >>> check_published(dt.date(2099, 1, 1), today=dt.date(2024, 1, 1), future_days=7)
    Traceback (most recent call last):
    ...
    indicators.errors.InputError: publication date 2099-01-01 is in the future
    (later than 2024-01-08): a typo in the year?
    """
    latest = today + dt.timedelta(days=future_days)
    if published > latest:
        raise InputError(
            f"publication date {published} is in the future (later than {latest}): "
            "a typo in the year?"
        )
    if published < EARLIEST:
        raise InputError(
            f"publication date {published} is before {EARLIEST.year}: a typo in the year?"
        )


def parse_text(text: str) -> Report:
    """A report from raw text as a PDF text extractor gives it."""
    return parse_lines(clean_lines(text))
