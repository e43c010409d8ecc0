"""The weekly brief: one printable page per week (PDF, and HTML for mail) with the digest
(:mod:`indicators.digest`), the key charts and the week's main events by section with
their citations, in Japanese or English.

One HTML document serves both: WeasyPrint lays it out for print (CSS paged media, the
fonts embedded, Japanese included) and the same HTML, with the charts inline as PNG,
goes into a mail. WeasyPrint was chosen over reportlab (a page built by hand in Python
coordinates, a second renderer for the mail HTML), Typst (a second template language
beside the HTML) and a browser's print-to-PDF (a browser on every server running the
command line): it is maintained, embeds and subsets the fonts, and needs no browser.
Charts are drawn by vl-convert, as the dashboard's PNG downloads.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, select_autoescape

from indicators import charts, digest, i18n, queries, store
from indicators.errors import InputError

#: Where Debian's and common Japanese fonts live (tried in order before asking fontconfig).
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/takao-gothic/TakaoPGothic.ttf",
)
#: Weeks of history in the brief's charts.
CHART_WEEKS = 26
#: Events listed per section (the rest are counted).
EVENTS_PER_SECTION = 3


class BriefError(InputError):
    """The brief cannot be made (no Japanese font, nothing in the database)."""


def japanese_font() -> Path:
    """A font file with Japanese glyphs: ``$INDICATORS_JA_FONT``, a known path, or what
    fontconfig finds; one clear error when there is none."""
    configured = os.environ.get("INDICATORS_JA_FONT")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise BriefError(f"INDICATORS_JA_FONT={configured}: no such font file")
        if not covers_japanese(path):
            raise BriefError(f"INDICATORS_JA_FONT={configured}: this font has no Japanese")
        return path
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file() and covers_japanese(Path(candidate)):
            return Path(candidate)
    if shutil.which("fc-list"):  # fonts that cover Japanese, as fontconfig knows them
        listed = subprocess.run(
            ["fc-list", ":lang=ja", "file"], capture_output=True, text=True, check=False
        ).stdout.split("\n")
        for line in sorted(filter(None, listed)):
            path = Path(line.strip().rstrip(":"))
            if path.suffix.lower() in (".ttf", ".otf") and covers_japanese(path):
                return path
    raise BriefError(
        "no Japanese font found for the brief: install fonts-ipafont-gothic "
        "(apt-get install fonts-ipafont-gothic) or set INDICATORS_JA_FONT to a .ttf file"
    )


def covers_japanese(path: Path) -> bool:
    """Whether a font file has glyphs for kana and common kanji (read by fontTools)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        fonts = (
            TTCollection(path).fonts if path.suffix.lower() == ".ttc" else [TTFont(path, lazy=True)]
        )
        cmap = fonts[0].getBestCmap() or {}
    except (OSError, TTLibError, AssertionError):
        return False
    return all(ord(ch) in cmap for ch in "政治犯の数人")


@dataclass(frozen=True)
class Brief:
    """A week's brief as HTML (for mail) and, on demand, PDF."""

    week: dt.date
    lang: str
    html: str

    def pdf(self, font: Path | None = None) -> bytes:
        """The brief as a PDF with its fonts embedded."""
        from weasyprint import CSS, HTML

        font = font or japanese_font()
        face = f"@font-face {{ font-family: BriefJP; src: url('{font.as_uri()}'); }}"
        return bytes(HTML(string=self.html).write_pdf(stylesheets=[CSS(string=face)]))


def build(
    db: store.Location,
    *,
    series: list[str] | None,
    include_sample: bool,
    week: dt.date | None = None,
    lang: str = "ja",
) -> Brief:
    """The brief of ``week`` (the week of the latest report when ``None``)."""
    lang = i18n.lang_or_default(lang)
    found = digest.build(db, series=series, include_sample=include_sample, week=week)
    if found.empty or found.week is None:
        where = f" up to {week}" if week else ""
        raise BriefError(f"{db}: no reports in the chosen series{where}")
    return Brief(found.week, lang, render_html(db, found, lang, series, include_sample))


def _png(chart: Any) -> str:
    return "data:image/png;base64," + base64.b64encode(
        charts.to_png(chart, width=330, scale=2)
    ).decode("ascii")


def _charts(
    db: store.Location, found: digest.Digest, lang: str, include_sample: bool
) -> list[dict[str, str]]:
    """The key charts of the series that reported this week: prisoners and borders."""
    assert found.week is not None
    current = reporting(found)
    start = found.week - dt.timedelta(weeks=CHART_WEEKS - 1)
    span = (start, found.week)
    scope: dict[str, Any] = {"series": current, "include_sample": include_sample}
    out = []
    prisoners = queries.weekly(db, "political_prisoners", **scope, start=start, end=found.week)
    if not prisoners.empty:
        chart = charts.trend(
            prisoners,
            lang=lang,
            y_title=i18n.unit_label("persons", lang),
            selectable=False,
            height=115,
            domain=span,
        )
        out.append({"title": i18n.t("chart_prisoners", lang), "src": _png(chart)})
    border = queries.weekly(
        db, "border_interceptions", **scope, units=["persons"], start=start, end=found.week
    )
    if not border.empty:
        panels = charts.border_bars(border, lang=lang, height=115, domain=span)
        out.append({"title": i18n.t("chart_border", lang), "src": _png(charts.stacked(panels))})
    return out


def reporting(found: digest.Digest) -> list[str]:
    """The series with a report in the digest's week (all of them if none has)."""
    reports = found.series_reports
    weeks = [pd.Timestamp(w).date() for w in reports["last_report_week"]]
    current = [str(s) for s, w in zip(reports.index, weeks, strict=True) if w == found.week]
    return current or [str(s) for s in reports.index]


def _events(found: digest.Digest, lang: str) -> list[dict[str, Any]]:
    sections = []
    for section, part in digest.events_by_section(found):
        shown = part.head(EVENTS_PER_SECTION)
        sections.append(
            {
                "name": section,
                "entries": [
                    {"main": bool(r["main"]), "headline": r["headline"], "sources": r["sources"]}
                    for _, r in shown.iterrows()
                ],
                "more": i18n.t("brief_more", lang, n=len(part) - len(shown))
                if len(part) > len(shown)
                else "",
            }
        )
    return sections


def render_html(
    db: store.Location,
    found: digest.Digest,
    lang: str,
    series: list[str] | None,
    include_sample: bool,
) -> str:
    """The brief's HTML (self-contained: styles and charts inline)."""
    assert found.week is not None
    end = found.week + dt.timedelta(days=6)
    published = pd.Timestamp(found.series_reports["last_published"].max()).date()
    # Series without a report this week are named in the alerts, not repeated in the tables.
    current = reporting(found)
    changes = digest.changes_table(found, lang)
    changes = changes[changes["series"].isin(current)] if len(changes) else changes
    sums = digest.sums_table(found, lang)
    sums = sums[sums["series"].isin(current)] if len(sums) else sums
    any_sample = bool(found.lines["is_sample"].any())
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_TEMPLATE)
    t = {key: i18n.t(key, lang) for key in _KEYS}
    return template.render(
        lang=lang,
        t=t,
        title=f"{i18n.t('brief_title', lang)} {found.week} – {end}",
        week=i18n.t("digest_week", lang, start=found.week, end=end, published=published),
        scope=i18n.t("brief_scope", lang, series=", ".join(found.series_reports.index)),
        alerts=[digest.alert_text(a, lang) for a in found.alerts],
        no_alerts=digest.no_alerts_text(found, lang),
        changes=changes.to_dict("records"),
        sums=sums.to_dict("records"),
        charts=_charts(db, found, lang, include_sample),
        events=_events(found, lang),
        sample_note=f"［{i18n.t('sample', lang)}］ {i18n.t('sample_caption', lang)}"
        if any_sample
        else "",
        band_note=i18n.t("digest_band_note", lang, weeks=12, k=3),
        footer=i18n.t(
            "brief_generated", lang, now=dt.datetime.now().replace(microsecond=0).isoformat(" ")
        ),
    )


_KEYS = (
    "digest_alerts",
    "digest_changes",
    "digest_sums",
    "digest_sums_note",
    "digest_events",
    "digest_main",
    "col_what",
    "col_latest",
    "col_as_of",
    "col_chg_prev",
    "col_chg_4w",
    "col_chg_52w",
    "col_status",
    "col_week",
    "col_month",
    "col_year",
    "change_help",
    "sample",
)

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4; margin: 11mm 11mm 10mm 11mm; }
body { font-family: BriefJP, "IPAPGothic", "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans",
       "Yu Gothic", Meiryo, sans-serif; font-size: 7.5pt; color: #222; line-height: 1.25;
       max-width: 190mm; margin: 0 auto; }
h1 { font-size: 13pt; margin: 0 0 1mm 0; }
h2 { font-size: 9.5pt; margin: 2.5mm 0 1mm 0; border-bottom: 0.5pt solid #999; }
p { margin: 0.6mm 0; }
.meta { color: #555; }
.alerts { margin: 1mm 0; padding: 0; list-style: none; }
.alerts li { background: #fff3cd; border-left: 2pt solid #d08700; padding: 0.6mm 1.5mm;
             margin: 0.5mm 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.4pt solid #ccc; padding: 0.4mm 1mm; text-align: left;
         vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
th { background: #f0f0f0; font-weight: bold; }
.charts { display: flex; gap: 3mm; }
.charts figure { margin: 0; flex: 1; }
.charts img { width: 100%; }
figcaption { font-weight: bold; }
.section { margin: 0.8mm 0; }
.section b { display: inline-block; min-width: 28mm; }
.events { margin: 0; padding-left: 4mm; }
.events li { margin: 0; }
.src { color: #555; }
.note { color: #666; font-size: 7pt; }
.badge { color: #b35c00; }
</style></head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{{ week }} · {{ scope }}</p>
{% if sample_note %}<p class="note badge">{{ sample_note }}</p>{% endif %}
<h2>{{ t.digest_alerts }}</h2>
{% if alerts %}<ul class="alerts">{% for a in alerts %}<li>{{ a }}</li>{% endfor %}</ul>
{% else %}<p>{{ no_alerts }}</p>{% endif %}
<h2>{{ t.digest_changes }}</h2>
<table><tr><th>{{ t.col_what }}</th><th>{{ t.col_latest }}</th><th>{{ t.col_as_of }}</th>
<th>{{ t.col_chg_prev }}</th><th>{{ t.col_chg_4w }}</th><th>{{ t.col_chg_52w }}</th>
<th>{{ t.col_status }}</th></tr>
{% for r in changes %}<tr><td>{% if r.is_sample %}<span class="badge">［{{ t.sample }}］</span>
{% endif %}{{ r.what }}</td><td class="n">{{ r.latest }}</td><td>{{ r.as_of }}</td>
<td class="n">{{ r.chg_prev }}</td><td class="n">{{ r.chg_4w }}</td>
<td class="n">{{ r.chg_52w }}</td><td>{{ r.status }}</td></tr>{% endfor %}
</table>
<p class="note">{{ t.change_help }} {{ band_note }}</p>
{% if sums %}<h2>{{ t.digest_sums }}</h2>
<table><tr><th>{{ t.col_what }}</th><th>{{ t.col_week }}</th><th>{{ t.col_month }}</th>
<th>{{ t.col_year }}</th></tr>
{% for r in sums %}<tr><td>{% if r.is_sample %}<span class="badge">［{{ t.sample }}］</span>
{% endif %}{{ r.what }}</td><td class="n">{{ r.week }}</td><td class="n">{{ r.month }}</td>
<td class="n">{{ r.year }}</td></tr>{% endfor %}
</table><p class="note">{{ t.digest_sums_note }}</p>{% endif %}
{% if charts %}<div class="charts">{% for c in charts %}
<figure><figcaption>{{ c.title }}</figcaption><img src="{{ c.src }}" alt="{{ c.title }}">
</figure>{% endfor %}</div>{% endif %}
<h2>{{ t.digest_events }}</h2>
{% for s in events %}<div class="section"><b>【{{ s.name }}】</b>
<ul class="events">{% for e in s.entries %}<li>{% if e.main %}★ {% endif %}{{ e.headline }}
{% if e.sources %}<span class="src">（{{ e.sources }}）</span>{% endif %}</li>{% endfor %}
{% if s.more %}<li class="src">{{ s.more }}</li>{% endif %}</ul></div>{% endfor %}
<p class="note">★ {{ t.digest_main }} · {{ footer }}</p>
</body></html>
"""
