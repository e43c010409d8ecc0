"""The analyst's scoring of a parse against an expected one (``parse --json`` contract).

The same rules as the shared scorer the product is measured by (FORMAT.md): the report's
dates; observations as a multiset of (indicator, dimension, value, unit, qualifier,
as_of, and the period where the expected one has it); events in order by section,
headline and dates, every expected source contained in the joined sources; text
compared after NFKC, without spaces and 「」, both range signs alike; no page number
or running title left in an event's text. Kept here so that a clone without the shared
folder tests the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

OBSERVATION_KEYS = (
    "indicator", "dimension", "value", "unit", "qualifier", "as_of", "period_start", "period_end",
)  # fmt: skip


def fold(text: str | None) -> str:
    """Text as the scorer compares it.

    >>> fold("（11月 20日〜 26日）「Pozirk」") == fold("(11月20日～26日)Pozirk")
    True
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return text.replace("〜", "~").replace("～", "~").replace("「", "").replace("」", "")


def _key(observation: dict[str, Any], with_period: bool) -> tuple[Any, ...]:
    keys = OBSERVATION_KEYS if with_period else OBSERVATION_KEYS[:6]
    return tuple(
        float(observation[k]) if k == "value" and observation.get(k) is not None
        else observation.get(k)
        for k in keys
    )  # fmt: skip


def problems(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """What differs, one line each; empty when the parse is exact."""
    found = []
    report = got.get("report", {})
    for k in ("published", "period_start", "period_end"):
        if str(report.get(k)) != str(want["report"][k]):
            found.append(f"report.{k} = {report.get(k)!r}, expected {want['report'][k]}")
    expected = [_key(o, o.get("period_start") is not None) for o in want["observations"]]
    with_period = {e[0] for e in expected if len(e) == len(OBSERVATION_KEYS)}
    rest = [_key(o, o.get("indicator") in with_period) for o in got.get("observations", [])]
    for e in expected:
        if e in rest:
            rest.remove(e)
        else:
            found.append(f"missing observation {e}")
    found += [f"unexpected observation {x}" for x in rest]
    events, wanted = got.get("events", []), want["events"]
    if len(events) != len(wanted):
        found.append(f"{len(events)} events, expected {len(wanted)}")
    title = fold(want["report"]["title"])
    for i, (h, e) in enumerate(zip(events, wanted, strict=False)):
        bad = [f"{k} {h.get(k)!r}" for k in ("section", "headline") if fold(h.get(k)) != fold(e[k])]
        if [str(d) for d in h.get("dates", [])] != e["dates"]:
            bad.append(f"dates {h.get('dates')} expected {e['dates']}")
        joined = fold(" ".join(h.get("sources") or []))
        bad += [f"source {s} missing" for s in e["sources"] if fold(s) not in joined]
        text = (h.get("body") or "") + (h.get("headline") or "")
        if re.search(r"-\s*\d+\s*-", text) or title in fold(h.get("body")):
            bad.append("page artifact in the text")
        if bad:
            found.append(f"event {i} ({e['headline'][:24]}): {'; '.join(bad)}")
    return found


def observation_match(
    got: list[dict[str, Any]], want: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The observations found (true positives), missed and unexpected, by the same keys
    as :func:`problems` (the period compared where the expected observation has one)."""
    with_period = {o["indicator"] for o in want if o.get("period_start") is not None}
    rest = list(got)
    found, missed = [], []
    for w in want:
        key = _key(w, w.get("period_start") is not None)
        hit = next(
            (i for i, g in enumerate(rest) if _key(g, g["indicator"] in with_period) == key), None
        )
        if hit is None:
            missed.append(w)
        else:
            found.append(rest.pop(hit))
    return found, missed, rest
