"""How the dashboard and the weekly brief show the indicators: the ``[display]`` table of
``definitions.toml`` (colours, chart kinds, which events annotate which indicator, the
thresholds of the weekly digest).

Kept as data beside the indicators so that an analyst changes a colour or an annotation
rule without touching Python; the extractor never reads this table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

#: The colour of a code the table does not list.
OTHER_COLOUR = "#9E9E9E"


@dataclass(frozen=True)
class Annotate:
    """What makes an event relevant to one indicator's chart."""

    sections: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def score(self, section: str, text: str) -> int:
        """One point for a matching section, two for each word found in the text.

        >>> Annotate(("内政",), ("政治犯", "恩赦")).score("内政", "政治犯の恩赦")
        5
        >>> Annotate(("内政",), ("政治犯",)).score("経済", "輸出契約")
        0
        """
        return int(section in self.sections) + 2 * sum(word in text for word in self.words)


def pick_annotations(
    events: pd.DataFrame, rule: Annotate, most: int, *, min_gap_days: float = 0
) -> pd.DataFrame:
    """The ``most`` events most relevant to an indicator (:meth:`Annotate.score` on the
    section and on headline plus body), no two closer than ``min_gap_days`` while others
    are left (ties: the newer), oldest first. Events scoring nothing are never picked.

    >>> events = pd.DataFrame({
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-03-01", "2024-05-01"]),
    ...     "section": ["内政", "内政", "経済", "内政"],
    ...     "headline": ["政治犯の数", "恩赦法の署名", "輸出契約", "政治犯の釈放"],
    ...     "body": ["", "", "", ""]})
    >>> rule = Annotate(("内政",), ("政治犯", "恩赦", "釈放"))
    >>> list(pick_annotations(events, rule, 2, min_gap_days=7)["headline"])
    ['恩赦法の署名', '政治犯の釈放']
    """
    if events.empty or most <= 0:
        return events.iloc[0:0]
    text = events["headline"].fillna("") + " " + events["body"].fillna("")
    scores = [rule.score(s, t) for s, t in zip(events["section"], text, strict=True)]
    ranked = events.assign(_score=scores, _date=pd.to_datetime(events["date"]))
    ranked = ranked[ranked["_score"] > 0].sort_values(
        ["_score", "_date"], ascending=[False, False], kind="stable"
    )
    chosen: list[Any] = []
    dates: list[pd.Timestamp] = []
    for index, row in ranked.iterrows():
        if len(chosen) >= most:
            break
        if all(abs((row["_date"] - d).days) >= min_gap_days for d in dates):
            chosen.append(index)
            dates.append(row["_date"])
    return ranked.loc[chosen].sort_values("_date").drop(columns=["_score", "_date"])


@dataclass(frozen=True)
class Display:
    """The ``[display]`` table, with defaults for anything left out."""

    stale_after_weeks: int = 2
    band_weeks: int = 12
    band_min_weeks: int = 6
    band_k: float = 3.0
    record_min_weeks: int = 8
    max_annotations: int = 6
    chart: dict[str, str] = field(default_factory=dict)
    country_colours: dict[str, str] = field(default_factory=dict)
    currency_colours: dict[str, str] = field(default_factory=dict)
    annotate: dict[str, Annotate] = field(default_factory=dict)

    def chart_kind(self, indicator: str) -> str:
        """``line`` or ``stacked_bars`` (a line when the table does not say)."""
        return self.chart.get(indicator, "line")

    def colour(self, code: str | None, *, currency: bool = False) -> str:
        """The fixed colour of a country or currency code.

        >>> d = Display(country_colours={"LT": "#0072B2"})
        >>> d.colour("LT"), d.colour("XX")
        ('#0072B2', '#9E9E9E')
        """
        table = self.currency_colours if currency else self.country_colours
        return table.get(code or "", OTHER_COLOUR)

    def colours(self, codes: Any, *, currency: bool = False) -> tuple[list[str], list[str]]:
        """(domain, range) of a colour scale over these codes, in the table's order and
        then the others sorted: the same mapping whatever the language."""
        table = self.currency_colours if currency else self.country_colours
        wanted = {str(c) for c in codes if c}
        domain = [c for c in table if c in wanted] + sorted(wanted - set(table))
        return domain, [self.colour(c, currency=currency) for c in domain]


def load_display(path: Path | None = None) -> Display:
    """The ``[display]`` table of a definitions file (the packaged one by default)."""
    if path is None:
        raw = resources.files("indicators").joinpath("definitions.toml").read_text("utf-8")
    else:
        raw = path.read_text("utf-8")
    table = tomllib.loads(raw).get("display", {})
    colours = table.get("colors", {})
    return Display(
        stale_after_weeks=int(table.get("stale_after_weeks", 2)),
        band_weeks=int(table.get("band_weeks", 12)),
        band_min_weeks=int(table.get("band_min_weeks", 6)),
        band_k=float(table.get("band_k", 3.0)),
        record_min_weeks=int(table.get("record_min_weeks", 8)),
        max_annotations=int(table.get("max_annotations", 6)),
        chart=dict(table.get("chart", {})),
        country_colours=dict(colours.get("country", {})),
        currency_colours=dict(colours.get("currency", {})),
        annotate={
            indicator: Annotate(tuple(rule.get("sections", ())), tuple(rule.get("words", ())))
            for indicator, rule in table.get("annotate", {}).items()
        },
    )


@cache
def default_display() -> Display:
    return load_display()
