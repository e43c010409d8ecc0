"""What changed this week: the digest the Overview opens with and the weekly brief prints.

For every indicator series (a tile) the latest value (:func:`queries.latest`, the one
place that decides it) against the previous report, 4 and 52 weeks back; whether it sits
outside its own usual range; new highs and lows; series that stopped being stated;
flows and deals added up per week, month and year to date; and the week's events by
section. No Streamlit here: the page and :mod:`indicators.brief` only lay it out.

Changes respect qualifiers (:func:`change`): a lower bound against an exact value is a
bound on the change, two lower bounds give no change at all.

The usual range (:func:`band`) is the Hampel identifier: the median of the series' own
last ``band_weeks`` stated weeks +/- ``band_k`` robust standard deviations (1.4826 x the
median absolute deviation). For a stock (a total "as of" a day) it is taken over the
weekly changes, for a flow over the weekly values. Why this statistic: weekly counts
here are small and skewed (9 to 30 people a week at one border), so a fixed percentage
threshold of the ACLED Trendfinder kind (+25 % against the 4- or 52-week mean) flips on
noise (9 -> 12 is +33 %); the mean and standard deviation are pulled by the very spikes
the band should reveal, while the median and MAD ignore up to half the weeks being odd
and need no assumption about the distribution. The 4- and 52-week comparisons are still
shown beside it, as in the Trendfinder's two norms.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from indicators import i18n, queries, store
from indicators.display import Display, default_display
from indicators.extract import default_definitions

#: The robust standard deviation of a normal sample is 1.4826 x its MAD.
MAD_SCALE = 1.4826


# --- changes that respect qualifiers ----------------------------------------------------


def change(
    value: float | None, qualifier: str | None, old: float | None, old_qualifier: str | None
) -> tuple[float | None, str]:
    """The change from ``old`` to ``value`` and what kind of number it is.

    ``exact``/``approx`` as the inputs are; ``at_least`` when the new value is a lower
    bound (the change is at least this), ``at_most`` when the old one is (the change is
    at most this); ``unknown`` when both are lower bounds or a value is missing.

    >>> change(1450, "exact", 1440, "exact")
    (10.0, 'exact')
    >>> change(22, "at_least", 5, "exact")  # at least 22 now, 5 before: up by 17 or more
    (17.0, 'at_least')
    >>> change(5, "exact", 22, "at_least")  # 5 now, at least 22 before: down 17 or more
    (-17.0, 'at_most')
    >>> change(22, "at_least", 30, "at_least")
    (None, 'unknown')
    >>> change(1470, "approx", 1458, "exact")
    (12.0, 'approx')
    """
    if _missing(value) or _missing(old):
        return None, "unknown"
    new_bound, old_bound = qualifier == "at_least", old_qualifier == "at_least"
    if new_bound and old_bound:
        return None, "unknown"
    difference = float(value) - float(old)  # type: ignore[arg-type]
    if new_bound:
        return difference, "at_least"
    if old_bound:
        return difference, "at_most"
    return difference, "approx" if "approx" in (qualifier, old_qualifier) else "exact"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


# --- the usual range --------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """The usual range of a series' weekly values (or changes), from its own history."""

    low: float
    high: float
    median: float
    n: int
    basis: str  # "change" (stocks) or "level" (flows)


def band(values: Any, *, k: float = 3.0, min_n: int = 6, basis: str = "level") -> Band | None:
    """The Hampel band of ``values``: median +/- k x 1.4826 x MAD; ``None`` with fewer
    than ``min_n`` values. A series that never moves gets a band one unit wide each side
    (a count that stays put for weeks and then moves by one is not an alarm).

    >>> b = band([10, 12, 11, 13, 12, 11, 40])
    >>> (b.median, round(b.low, 2), round(b.high, 2))
    (12.0, 7.55, 16.45)
    >>> band([1, 2, 3]) is None
    True
    """
    clean = pd.Series(list(values), dtype="float64").dropna()
    if len(clean) < min_n:
        return None
    median = float(clean.median())
    spread = max(MAD_SCALE * float((clean - median).abs().median()), 1.0 / k)
    return Band(median - k * spread, median + k * spread, median, len(clean), basis)


def outside(value: float | None, qualifier: str, usual: Band | None) -> str | None:
    """``above``/``below``/``within`` the band, claimed only where the qualifier allows
    (a lower bound can be above, never below; an upper bound the reverse).

    >>> b = Band(7.5, 16.5, 12.0, 7, "level")
    >>> outside(20, "exact", b), outside(20, "at_least", b), outside(3, "at_least", b)
    ('above', 'above', None)
    >>> outside(12, "approx", b), outside(3, "at_most", b), outside(None, "exact", b)
    ('within', 'below', None)
    """
    if usual is None or _missing(value) or qualifier == "unknown":
        return None
    assert value is not None
    if value > usual.high and qualifier != "at_most":
        return "above"
    if value < usual.low and qualifier != "at_least":
        return "below"
    if qualifier in ("exact", "approx"):
        return "within"
    return None


# --- the digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """Something a manager should see first (text in either language: :func:`alert_text`)."""

    kind: str  # stale | series_stale | above | below | high | low
    series: str
    indicator: str | None = None
    dimension: str | None = None
    unit: str | None = None
    weeks: int = 0
    date: dt.date | None = None
    value: float | None = None
    qualifier: str = "exact"
    is_sample: bool = False


@dataclass
class Digest:
    """One week's digest for a scope of report series."""

    week: dt.date | None  # the Monday; None when there is nothing
    lines: pd.DataFrame  # one row per indicator series (see :func:`build`)
    sums: pd.DataFrame  # flows and deals: week / month / year to date
    events: pd.DataFrame  # the week's events, "main" ones marked
    alerts: list[Alert] = field(default_factory=list)
    series_reports: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def empty(self) -> bool:
        return self.week is None


def _kind(indicator: str) -> str:
    try:
        return default_definitions().indicator(indicator).kind
    except KeyError:
        return "stock"


def build(
    db: store.Location,
    *,
    series: list[str] | None,
    include_sample: bool,
    week: dt.date | None = None,
    display: Display | None = None,
) -> Digest:
    """The digest of ``week`` (its Monday; the latest report's week when ``None``).

    ``lines`` has a row per indicator series with the latest value and qualifier,
    ``weeks_since``, the changes ``chg_prev``/``chg_4w``/``chg_52w`` with their
    qualifiers (``*_q``), the band (``band_low``, ``band_high``, ``band_basis``),
    ``band_status`` and ``record`` (``high``/``low``).
    """
    display = display or default_display()
    scope: dict[str, Any] = {"series": series, "include_sample": include_sample}
    lines = queries.latest(db, **scope, week=week)
    if lines.empty:
        empty = pd.DataFrame()
        return Digest(None, lines, empty, empty)
    reports = lines.groupby("series", sort=False).agg(
        is_sample=("is_sample", "first"),
        last_report_week=("last_report_week", "max"),
        last_published=("last_published", "max"),
    )
    digest_week: dt.date = (
        week - dt.timedelta(days=week.weekday())
        if week is not None
        else pd.Timestamp(reports["last_report_week"].max()).date()
    )
    history = queries.history(db, **scope, week=digest_week, weeks=53)
    weeks_of = {line: weeks for line, weeks in history.groupby("line", sort=False)}
    lines = lines.copy()
    lines["kind"] = [_kind(i) for i in lines["indicator"]]
    rows = [
        _line(row, weeks_of.get(row["line"], history.iloc[:0]), display)
        for _, row in lines.iterrows()
    ]
    lines = pd.concat([lines, pd.DataFrame(rows, index=lines.index)], axis=1)
    sums = queries.period_sums(db, **scope, week=digest_week)
    events = mark_main(queries.week_events(db, **scope, week=digest_week))
    digest = Digest(digest_week, lines, sums, events, series_reports=reports)
    digest.alerts = _alerts(digest, display)
    return digest


def _line(row: pd.Series, history: pd.DataFrame, display: Display) -> dict[str, Any]:
    """Changes, band and record of one indicator series (``history``: its weeks)."""
    out: dict[str, Any] = {}
    for name, prefix in (("prev", "prev"), ("4w", "back4"), ("52w", "back52")):
        value, qualifier = change(
            row["value"], row["qualifier"], row[f"{prefix}_value"], row[f"{prefix}_qualifier"]
        )
        if row["kind"] == "event":  # one week's deals against another's tells nothing
            value, qualifier = None, "unknown"
        out[f"chg_{name}"], out[f"chg_{name}_q"] = value, qualifier
    out |= {"band_low": None, "band_high": None, "band_basis": None}
    out |= {"band_status": None, "record": None}
    if row["kind"] == "event":  # deals: summed per period instead
        return out
    past = history[history["week"] < row["week"]].sort_values("week")
    if row["kind"] == "stock":
        # Weekly changes, a gap of several weeks spread evenly over them.
        gaps = past["week"].diff().dt.days / 7
        steps = (past["value"].diff() / gaps).iloc[1:]
        usual = band(
            steps.tail(display.band_weeks),
            k=display.band_k,
            min_n=display.band_min_weeks,
            basis="change",
        )
        if usual is not None and not _missing(row["prev_value"]):
            weeks = max(1, (pd.Timestamp(row["week"]) - pd.Timestamp(row["prev_week"])).days // 7)
            value = out["chg_prev"] / weeks if out["chg_prev"] is not None else None
            out["band_status"] = outside(value, out["chg_prev_q"], usual)
    else:
        usual = band(
            past["value"].tail(display.band_weeks),
            k=display.band_k,
            min_n=display.band_min_weeks,
            basis="level",
        )
        out["band_status"] = outside(row["value"], row["qualifier"], usual)
    if usual is not None:
        out |= {"band_low": usual.low, "band_high": usual.high, "band_basis": usual.basis}
    if len(past) >= display.record_min_weeks:
        if row["value"] > past["value"].max():
            out["record"] = "high"  # a lower bound above every past figure is a record too
        elif row["value"] < past["value"].min() and row["qualifier"] != "at_least":
            out["record"] = "low"
    return out


def _alerts(digest: Digest, display: Display) -> list[Alert]:
    """Stale series first (a figure that stopped coming is the easiest to miss), then
    values outside their usual range, then new highs and lows."""
    assert digest.week is not None
    alerts: list[Alert] = []
    for name, info in digest.series_reports.iterrows():
        weeks = (digest.week - pd.Timestamp(info["last_report_week"]).date()).days // 7
        if weeks >= display.stale_after_weeks:
            alerts.append(
                Alert(
                    "series_stale",
                    str(name),
                    weeks=weeks,
                    date=pd.Timestamp(info["last_published"]).date(),
                    is_sample=bool(info["is_sample"]),
                )
            )
    lines = digest.lines
    base = {
        "series": lines["series"],
        "indicator": lines["indicator"],
        "dimension": lines["dimension"],
        "unit": lines["unit"],
    }
    frame = pd.DataFrame(base).assign(
        kind=lines["kind"],
        weeks=lines["weeks_since"],
        week=lines["week"],
        value=lines["value"],
        qualifier=lines["qualifier"],
        is_sample=lines["is_sample"],
        band_status=lines["band_status"],
        record=lines["record"],
    )
    for kinds in (("stale",), ("above", "below"), ("high", "low")):
        for _, row in frame.iterrows():
            dim = row["dimension"] if isinstance(row["dimension"], str) else None
            common = {
                "series": row["series"],
                "indicator": row["indicator"],
                "dimension": dim,
                "unit": row["unit"],
                "date": pd.Timestamp(row["week"]).date(),
                "value": float(row["value"]),
                "qualifier": str(row["qualifier"]),
                "is_sample": bool(row["is_sample"]),
            }
            if kinds == ("stale",):
                if row["kind"] != "event" and row["weeks"] >= display.stale_after_weeks:
                    alerts.append(Alert("stale", weeks=int(row["weeks"]), **common))
            elif kinds == ("above", "below"):
                if row["band_status"] in kinds and row["weeks"] == 0:
                    alerts.append(Alert(str(row["band_status"]), **common))
            elif row["record"] in kinds and row["weeks"] == 0:
                alerts.append(Alert(str(row["record"]), **common))
    return alerts


def mark_main(events: pd.DataFrame) -> pd.DataFrame:
    """The week's events with ``main`` set on those the report lists among its highlights
    (the highlight items themselves dropped where the body has the same item).

    A highlight reads like its body item's headline plus a date: 「議会選挙の実施日の決定
    （11月 20日）」 for 「議会選挙の実施日の決定」.
    """
    if events.empty:
        return events.assign(main=pd.Series(dtype=bool))
    highlights = default_definitions().highlight_sections
    out = events.copy()
    is_highlight = out["section"].isin(highlights)
    out["main"] = False
    keep = pd.Series(True, index=out.index)
    for report_id, part in out.groupby("report_id"):
        heads = [_stem(h) for h in part[is_highlight.loc[part.index]]["headline"]]
        body = part[~is_highlight.loc[part.index]]
        for index, headline in body["headline"].items():
            if any(h and (headline.startswith(h) or h.startswith(headline)) for h in heads):
                out.loc[index, "main"] = True
        matched = set(body[out.loc[body.index, "main"]]["headline"])
        for index, headline in part[is_highlight.loc[part.index]]["headline"].items():
            stem = _stem(headline)
            if any(m.startswith(stem) or stem.startswith(m) for m in matched):
                keep[index] = False
            else:
                out.loc[index, "main"] = True
        del report_id
    return out[keep]


def _stem(headline: str) -> str:
    """A highlight's headline without its trailing date in brackets.

    >>> _stem("議会選挙の実施日の決定（11月 20日）")
    '議会選挙の実施日の決定'
    """
    text = headline.strip()
    if text.endswith("）") and "（" in text:
        text = text[: text.rindex("（")]
    return text.strip()


# --- words ----------------------------------------------------------------------------------


def line_label(indicator: str, dimension: Any, unit: str, lang: str) -> str:
    """What a line measures, in words: indicator, country and unit where they tell apart.

    >>> line_label("border_interceptions", "LV", "persons", "en")
    'Border interceptions · Latvia (LV)'
    >>> line_label("trade_deal_value", None, "USD", "ja")
    '貿易取引・契約の金額 · USD'
    """
    parts = [i18n.indicator_name(indicator, lang)]
    if isinstance(dimension, str) and dimension:
        parts.append(i18n.country_name(dimension, lang))
    if unit not in ("persons",):
        parts.append(i18n.unit_label(unit, lang))
    return " · ".join(parts)


def format_change(value: float | None, qualifier: str, unit: str, lang: str) -> str:
    """A change as the tiles write it, its qualifier visible; a dash when unknown. Money
    without its currency (beside the change, the tile's or the row's label names it).

    >>> format_change(17, "at_least", "persons", "en")
    '≥+17'
    >>> format_change(-17, "at_most", "persons", "ja")
    '≤−17人'
    >>> format_change(None, "unknown", "persons", "en"), format_change(0, "exact", "USD", "en")
    ('—', '±0')
    """
    if value is None or _missing(value):
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    text = i18n.format_number(abs(value), unit, lang, compact=True)
    return f"{i18n.qualifier_sign(qualifier)}{sign}{text}"


def unjudged(digest: Digest) -> int:
    """How many of this week's stated series (deals aside: summed, not banded) have too
    short a history for a usual range: the digest cannot call them usual."""
    lines = digest.lines
    if lines.empty:
        return 0
    current = lines[(lines["kind"] != "event") & (lines["weeks_since"] == 0)]
    return int(current["band_status"].isna().sum())


def no_alerts_text(digest: Digest, lang: str) -> str:
    """What the digest says when it has no alert, without calling a series usual that it
    could not judge."""
    n = unjudged(digest)
    if not n:
        return i18n.t("digest_no_alerts", lang)
    return i18n.t("digest_no_alerts_unjudged", lang, n=n)


def alert_text(alert: Alert, lang: str) -> str:
    """One alert as a sentence.

    >>> alert_text(Alert("stale", "S", "border_interceptions", "LV", "persons", weeks=5,
    ...                  date=dt.date(2024, 5, 13)), "en")
    'Border interceptions · Latvia (LV): not stated for 5 weeks (last: week of 2024-05-13)'
    """
    sample = f"［{i18n.t('sample', lang)}］ " if alert.is_sample else ""
    if alert.kind == "series_stale":
        return sample + i18n.t(
            "alert_series_stale", lang, series=alert.series, n=alert.weeks, date=alert.date
        )
    what = line_label(alert.indicator or "", alert.dimension, alert.unit or "", lang)
    value = i18n.format_value(alert.value, alert.unit or "", alert.qualifier, lang)
    key = {
        "stale": "alert_stale",
        "above": "alert_above",
        "below": "alert_below",
        "high": "alert_high",
        "low": "alert_low",
    }[alert.kind]
    return sample + i18n.t(key, lang, what=what, n=alert.weeks, date=alert.date, value=value)


def sums_table(digest: Digest, lang: str) -> pd.DataFrame:
    """Flows and deals per week, month and year to date, one row per line, in words."""
    if digest.sums.empty:
        return pd.DataFrame()
    rows = []
    key = ["series", "indicator", "dimension", "unit"]
    for (series, indicator, dimension, unit), part in digest.sums.groupby(
        key, sort=False, dropna=False
    ):
        by_period = {p: r for p, r in zip(part["period"], part.to_dict("records"), strict=True)}
        row = {
            "series": series,
            "is_sample": bool(part["is_sample"].iloc[0]),
            "what": line_label(str(indicator), dimension, str(unit), lang),
        }
        for period in ("week", "month", "year"):
            found = by_period.get(period)
            row[period] = (
                i18n.format_value(found["value"], str(unit), found["qualifier"], lang)
                if found
                else "—"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def changes_table(digest: Digest, lang: str) -> pd.DataFrame:
    """The digest's lines in words: latest value, changes, usual range, record (deals are
    in :func:`sums_table` instead)."""
    rows = []
    for _, row in digest.lines[digest.lines["kind"] != "event"].iterrows():
        unit = str(row["unit"])
        rows.append(
            {
                "series": row["series"],
                "is_sample": bool(row["is_sample"]),
                "what": line_label(str(row["indicator"]), row["dimension"], unit, lang),
                "latest": i18n.format_value(row["value"], unit, row["qualifier"], lang),
                "as_of": pd.Timestamp(row["week"]).date().isoformat(),
                "chg_prev": format_change(row["chg_prev"], row["chg_prev_q"], unit, lang),
                "chg_4w": format_change(row["chg_4w"], row["chg_4w_q"], unit, lang),
                "chg_52w": format_change(row["chg_52w"], row["chg_52w_q"], unit, lang),
                "status": status_text(row, lang),
            }
        )
    return pd.DataFrame(rows)


def status_text(row: pd.Series, lang: str) -> str:
    """The line's state in a few words: stale, outside its usual range, a record."""
    parts = []
    if row["kind"] != "event" and row["weeks_since"] > 0:
        weeks = int(row["weeks_since"])
        key = "status_not_stated_one" if weeks == 1 else "status_not_stated"
        parts.append(i18n.t(key, lang, n=weeks))
    if row["band_status"] in ("above", "below") and row["weeks_since"] == 0:
        parts.append(i18n.t(f"status_{row['band_status']}", lang))
    if row["record"] in ("high", "low") and row["weeks_since"] == 0:
        parts.append(i18n.t(f"status_{row['record']}", lang))
    if not parts and row["band_status"] == "within":
        parts.append(i18n.t("status_within", lang))
    return "・".join(parts) if lang == "ja" else "; ".join(parts)


def events_by_section(digest: Digest) -> list[tuple[str, pd.DataFrame]]:
    """The week's events grouped by section in report order, main events first."""
    if digest.events.empty:
        return []
    out = []
    for section, part in digest.events.groupby("section", sort=False):
        out.append((str(section), part.sort_values("main", ascending=False, kind="stable")))
    return out
