"""The sample report generator: deterministic, real-shaped, honest ground truth."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from pathlib import Path

import pytest
from scoring import observation_match

from indicators.sample import (
    BUNDLED_MISSING,
    REAL_REPORT_PUBLISHED,
    SAMPLE_ISSUER,
    WORDING_FILE,
    SampleReport,
    Series,
    WordingError,
    bundled_reports,
    clean,
    generate_reports,
    main,
    parse_wording,
    sample_series,
    write_reports,
)

REAL = Path(__file__).parent / "reports" / "belarus-weekly-2023-11-30.txt"
WEEK = dt.timedelta(days=7)
SECTIONS = ("主な出来事", "外交", "内政", "経済", "抗議勢力の動き", "その他", "統計等")
OBSERVATION_KEYS = {
    "indicator", "dimension", "value", "unit", "qualifier", "as_of",
    "period_start", "period_end", "source", "evidence",
}  # fmt: skip


@pytest.fixture(scope="module")
def bundled() -> list[SampleReport]:
    return bundled_reports()


@pytest.fixture(scope="module")
def many() -> list[SampleReport]:
    """Five series over two years: enough variety to meet every branch often."""
    out = []
    for s in sample_series(5):
        out += generate_reports(start=dt.date(2022, 7, 1), end=dt.date(2024, 6, 30), series=s)
    return out


def content_lines(text: str) -> list[str]:
    """The non-blank lines, as a reader sees them before joining."""
    return [line for line in text.split("\n") if line.strip()]


def joined(text: str, title: str) -> str:
    """A minimal reader: drop page artifacts, join wrapped lines, clean.

    Only what the tests need to find evidence sentences; the real reader is read.py.
    """
    out = ""
    for line in content_lines(text):
        line = line.strip()
        if re.fullmatch(r"- \d+ -", line) or line == title:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and line[0].isascii():
            out += " "
        out += line
    return clean(out)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_text() -> None:
    kw = {"start": dt.date(2023, 1, 1), "end": dt.date(2023, 6, 30)}
    a = list(generate_reports(seed=7, **kw))
    b = list(generate_reports(seed=7, **kw))
    assert [r.text for r in a] == [r.text for r in b]
    assert [r.observations for r in a] == [r.observations for r in b]
    c = list(generate_reports(seed=8, **kw))
    assert all(x.text != y.text for x, y in zip(a, c, strict=True))


def test_week_does_not_depend_on_range() -> None:
    """A week's report is the same whether generated alone or in a longer run."""
    week = dt.date(2023, 11, 23)
    alone = next(generate_reports(start=week, end=week))
    in_run = [r for r in generate_reports(start=dt.date(2022, 1, 1), end=week)][-1]
    assert alone == in_run


def test_bundled_is_stable(bundled: list[SampleReport]) -> None:
    assert [r.text for r in bundled] == [r.text for r in bundled_reports()]


# --------------------------------------------------------------------------- the bundled set


def test_bundled_covers_a_year_with_exactly_one_gap(bundled: list[SampleReport]) -> None:
    published = [r.published for r in bundled]
    assert published == sorted(published)
    assert published[-1] - published[0] >= 52 * WEEK
    assert all(d.weekday() == 3 for d in published)  # Thursdays
    weeks = {published[0] + k * WEEK for k in range((published[-1] - published[0]) // WEEK + 1)}
    missing = weeks - set(published) - {REAL_REPORT_PUBLISHED}
    assert missing == {BUNDLED_MISSING}
    assert len(published) >= 52


def test_bundled_never_has_the_real_reports_week(bundled: list[SampleReport]) -> None:
    real_period = (dt.date(2023, 11, 20), dt.date(2023, 11, 26))
    assert all(r.published != REAL_REPORT_PUBLISHED for r in bundled)
    assert all((r.period_start, r.period_end) != real_period for r in bundled)
    assert all("2023-11-30" not in r.filename for r in bundled)
    # ...but it has the weeks on both sides of it
    assert {dt.date(2023, 11, 23), dt.date(2023, 12, 7)} <= {r.published for r in bundled}


def test_bundled_shows_a_trend(bundled: list[SampleReport]) -> None:
    counts = [o["value"] for r in bundled for o in r.observations
              if o["indicator"] == "political_prisoners"]  # fmt: skip
    assert len(counts) >= 40
    assert max(counts) - min(counts) >= 100  # moves, not flat noise
    assert all(1200 <= c <= 1650 for c in counts)
    assert all(1400 <= c <= 1560 for r in bundled if r.published.year == 2023
               for c in [o["value"] for o in r.observations
                         if o["indicator"] == "political_prisoners"])  # fmt: skip


# --------------------------------------------------------------------------- text shape


def test_every_report_says_it_is_sample_data(many: list[SampleReport]) -> None:
    for r in many:
        assert content_lines(r.text)[3].strip() == SAMPLE_ISSUER
        assert "大使館" not in r.text


def test_structure_looks_like_the_real_report(many: list[SampleReport]) -> None:
    """Header of four lines, 【sections】, ● items, （了） at the end, PDF line shape."""
    real = content_lines(REAL.read_text(encoding="utf-8"))
    assert real[0].strip().endswith("公開情報とりまとめ")  # the smoke check holds for the real one
    for r in many:
        lines = content_lines(r.text)
        title, period, published, issuer = (line.strip() for line in lines[:4])
        assert title == r.series.title
        start, end = r.period_start, r.period_end
        expected = f"（{start.month}月 {start.day}日～{end.month}月 {end.day}日）"
        assert period.replace("〜", "～") == expected
        assert published == f"{r.published.year}年 {r.published.month}月 {r.published.day}日"
        assert issuer == r.series.issuer
        sections = re.findall(r"^ ?【(.+?)】 $", r.text, flags=re.M)
        assert lines[4].strip() == f"【{sections[0]}】"
        if sections[0] == "主な出来事":  # some weeks have no highlights block
            sections = sections[1:]
        assert sections[0] == r.series.leader_section
        assert set(sections[1:]) <= set(SECTIONS) and "内政" in sections
        assert r.text.count("●") >= 12
        assert lines[-1].strip() == "（了）" and r.text.endswith("（了） \n\n\n")
        assert r.period_end - r.period_start == dt.timedelta(days=6)
        assert r.period_start.weekday() == 0 and r.published.weekday() == 3
        assert r.filename == f"sample-{r.series.slug}-{r.published.isoformat()}.txt"


def test_line_shape(many: list[SampleReport]) -> None:
    """Short lines; a paragraph's last line ends in a space; no wrapped line starts
    with a mark that reads as a new paragraph (・ ● （ 【) or splits a Latin word."""
    for r in many:
        lines = [
            line for line in content_lines(r.text)
            if not re.fullmatch(r"- \d+ -", line) and line.strip() != r.series.title
        ]  # fmt: skip
        for line, nxt in itertools.pairwise(lines):
            if line.endswith(" "):
                continue
            assert nxt[0] not in "・●（【 ", (r.filename, line, nxt)
            assert not (line[-1].isascii() and line[-1].isalnum() and nxt[0].isascii()
                        and nxt[0].isalnum()), (r.filename, line, nxt)  # fmt: skip
        assert max(len(line) for line in lines if not line.startswith("●")) <= 40


def test_artifacts_occur(many: list[SampleReport]) -> None:
    """Over many reports, each extraction artifact of FORMAT.md shows up somewhere."""
    texts = "".join(r.text for r in many)
    assert re.search(r"^- \d+ -$", texts, flags=re.M)  # page number
    assert re.search(r"[^\n]\n ●", texts)  # page break: blank line lost, leading space
    assert "〜" in texts and "～" in texts
    assert re.search(r"[０-９]，[０-９]{3}人", texts)  # full-width digits
    assert re.search(r"\d+ 月 \d+ 日", texts) and re.search(r"（\d+月\d+日 ", texts)
    assert re.search(r"（\d+月 \d+日 [^）]+、\d+日 ", texts)  # second date, day only
    assert re.search(r"（\d+月 \d+日～\d+月 \d+日 Pozirk）", texts)
    assert "（1）" in texts and "（2）" in texts
    assert re.search(r"\d\n\n[月日]", texts)  # a date split across lines


# --------------------------------------------------------------------------- ground truth


def test_observations_have_the_contract_shape(many: list[SampleReport]) -> None:
    for r in many:
        for o in r.observations:
            assert set(o) == OBSERVATION_KEYS
            assert o["qualifier"] in ("exact", "at_least", "approx")
            assert isinstance(o["value"], int) and o["value"] > 0
            dt.date.fromisoformat(o["as_of"])


def test_evidence_is_in_the_text(many: list[SampleReport]) -> None:
    """Each evidence sentence is found in the text once lines are joined and cleaned."""
    for r in many:
        text = joined(r.text, r.series.title)
        for o in r.observations:
            assert o["evidence"] in text, (r.filename, o["evidence"])


def test_real_size(many: list[SampleReport]) -> None:
    """About as long as the real report (12.4 kB), and as varied in length."""
    sizes = [len(r.text.encode("utf-8")) for r in many]
    real = len(REAL.read_bytes())
    assert 0.85 * real < sum(sizes) / len(sizes) < 1.15 * real
    assert min(sizes) < 0.8 * real and max(sizes) > 1.2 * real


def test_distractors_beside_the_ground_truth(many: list[SampleReport]) -> None:
    """Numbers that are not the indicators' values sit in their items, as in real weeks
    (the analyst's conventions: newly recognised, year-to-date, planned deals...)."""
    texts = "".join(joined(r.text, r.series.title) for r in many)
    for phrase in ("新たに", "累計", "延べ", "見通し", "前週", "1日で", "人道的理由", "トン"):
        assert phrase in texts, phrase


def test_wording_is_data_checked_on_load(tmp_path: Path) -> None:
    """The wording file names what it uses; a wrong entry is one line naming it."""
    raw = WORDING_FILE.read_text(encoding="utf-8")
    assert parse_wording(raw).prisoner_items
    for old, new, message in (
        ('before = ["少なくとも"', 'before = ["たぶん"', "'たぶん' is no qualifier"),
        ('{ word = "ユーロ"', '{ word = "ペソ"', "'ペソ' is no currency word"),
        ('counters = ["件"]', 'counters = ["台"]', "'台' is no counter"),
        ("{guard}は{n_q}を阻止。", "{guard}は{m}を阻止。", "unknown slot {m}"),
        ('name = "ロシア"', 'name = "ルーシ"', "'ルーシ' is no country"),
    ):
        assert old in raw, old
        with pytest.raises(WordingError, match=re.escape(message)) as error:
            parse_wording(raw.replace(old, new, 1))
        assert "\n" not in str(error.value) and str(error.value).startswith("sample.toml: ")


def test_values_are_plausible(many: list[SampleReport]) -> None:
    by: dict[str, list[dict]] = {}
    for r in many:
        for o in r.observations:
            by.setdefault(o["indicator"], []).append(o)
            if o["indicator"] != "trade_deal_value":
                assert r.period_start <= dt.date.fromisoformat(o["as_of"]) <= r.period_end
    belarus = [o["value"] for r in many if r.series.slug == "belarus"
               for o in r.observations if o["indicator"] == "political_prisoners"]  # fmt: skip
    assert all(1100 <= v <= 1800 for v in belarus)
    assert all(20 <= o["value"] <= 5000 for o in by["political_prisoners"])
    for o in by["border_interceptions"]:
        assert o["dimension"] in ("LT", "LV", "PL")
        assert o["unit"] in ("persons", "attempts")
        assert 1 <= o["value"] <= 2000
        assert o["as_of"] == o["period_end"]
    deals = by["trade_deal_value"]
    assert 0.4 < len(deals) / len(many) < 1.2
    assert {o["unit"] for o in deals} == {"USD", "EUR", "RUB", "CNY", "BYN"}
    assert None in {o["dimension"] for o in deals} and "CN" in {o["dimension"] for o in deals}
    for o in deals:
        assert 1_000_000 <= o["value"] <= 20_000_000_000


def test_variants_all_occur(many: list[SampleReport]) -> None:
    obs = [o for r in many for o in r.observations]
    quals = {(o["indicator"], o["qualifier"]) for o in obs}
    assert {("border_interceptions", q) for q in ("exact", "at_least", "approx")} <= quals
    assert {("trade_deal_value", q) for q in ("exact", "approx")} <= quals
    units = {(o["dimension"], o["unit"]) for o in obs if o["indicator"] == "border_interceptions"}
    assert ("PL", "attempts") in units
    evidence = [o["evidence"] for o in obs]
    assert any(e.endswith("人") for e in evidence)  # headline phrasing
    assert any("百万" in e for e in evidence) and any("それぞれ" in e for e in evidence)
    quals |= {(o["indicator"], o["qualifier"]) for o in obs}
    assert ("political_prisoners", "at_least") in quals
    assert any(e.startswith("人権団体「ヴャスナ（春）」によれば") for e in evidence)
    assert any("名を阻止" in e for e in evidence)
    assert any("億" in e and "万" in e for e in evidence)
    # weeks without a count, and without the border item
    no_count = [r for r in many if not any(o["indicator"] == "political_prisoners"
                                           for o in r.observations)]  # fmt: skip
    assert 0 < len(no_count) < len(many) / 4


def test_year_boundary_report() -> None:
    """Published in January for a December week: dates keep the right year."""
    r = next(generate_reports(start=dt.date(2024, 1, 4), end=dt.date(2024, 1, 4)))
    assert (r.period_start, r.period_end) == (dt.date(2023, 12, 25), dt.date(2023, 12, 31))
    assert "（12月 25日～12月 31日）" in r.text and "2024年 1月 4日" in r.text
    for o in r.observations:
        assert o["as_of"].startswith("2023-12") or o["indicator"] == "trade_deal_value"


# --------------------------------------------------------------------------- API edges


def test_series() -> None:
    series = sample_series(100)
    assert len({s.slug for s in series}) == 100
    assert len({s.country_ja for s in series}) == 100
    assert series[0].country_ja == "ベラルーシ"
    assert series[0].leader_section == "ルカシェンコ大統領動静"
    assert series[1].leader_section == "大統領動静"
    assert all(s.issuer == SAMPLE_ISSUER for s in series)
    assert sample_series(0) == []


def test_skip_takes_publication_thursdays() -> None:
    week = dt.date(2023, 3, 2)
    got = list(generate_reports(start=dt.date(2023, 2, 1), end=dt.date(2023, 3, 31), skip={week}))
    assert week not in {r.published for r in got} and len(got) == 8
    with pytest.raises(ValueError, match="Thursdays"):
        next(generate_reports(start=week, end=week, skip={dt.date(2023, 3, 1)}))


def test_other_series_have_their_own_title() -> None:
    s = Series("x-land", "エックス国")
    r = next(generate_reports(start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 8), series=s))
    assert r.text.startswith(" エックス国公開情報とりまとめ \n\n")
    assert "【大統領動静】" in r.text and r.filename.startswith("sample-x-land-")


def test_write_and_cli(tmp_path: Path) -> None:
    reports = list(generate_reports(start=dt.date(2023, 1, 1), end=dt.date(2023, 1, 31)))
    paths = write_reports(tmp_path / "w", reports)
    assert [p.name for p in paths] == [r.filename for r in reports]
    assert paths[0].read_text(encoding="utf-8") == reports[0].text

    assert main([str(tmp_path / "bundled")]) == 0
    names = sorted(p.name for p in (tmp_path / "bundled").iterdir())
    assert names == sorted(r.filename for r in bundled_reports())

    assert main([str(tmp_path / "bench"), "--series", "3", "--years", "1"]) == 0
    written = list((tmp_path / "bench").iterdir())
    assert len(written) == 3 * 52 - 1  # Belarus leaves the real report's week out


def test_generation_speed(capsys: pytest.CaptureFixture[str]) -> None:
    """1 series x 520 weeks; prints the time per report (no timing assert)."""
    t0 = time.perf_counter()
    reports = list(generate_reports(start=dt.date(2014, 7, 1), end=dt.date(2024, 6, 30)))
    elapsed = time.perf_counter() - t0
    assert len(reports) == 522
    with capsys.disabled():
        print(f"\nsample: {len(reports)} reports in {elapsed:.2f} s, "
              f"{elapsed / len(reports) * 1e3:.2f} ms/report")  # fmt: skip


# --------------------------------------------------------------------------- against the extractor


def extracted(report: SampleReport) -> list[dict]:
    """What read -> parse -> extract find in a sample, in the ground truth's shape."""
    from indicators.extract import extract
    from indicators.parse import parse_text

    def iso(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    return [
        {
            "indicator": o.indicator,
            "dimension": o.dimension,
            "value": int(o.value),
            "unit": o.unit,
            "qualifier": o.qualifier,
            "as_of": iso(o.as_of),
            "period_start": iso(o.period_start),
            "period_end": iso(o.period_end),
            "source": o.source,
            "evidence": o.evidence,
        }
        for o in extract(parse_text(report.text)).observations
    ]


def _bundled_params() -> list:
    return [pytest.param(r, id=r.filename) for r in bundled_reports()]


def test_extractor_scored_on_generated_weeks(
    many: list[SampleReport], capsys: pytest.CaptureFixture[str]
) -> None:
    """The extractor against the generator's ground truth, scored as the analyst scores
    (tests/scoring.py). The generator writes wordings nobody wrote a rule for, so the
    extractor may miss some: the figures and the misses are printed, and the floor
    below only catches a collapse."""
    found = missed = unexpected = 0
    examples: list[str] = []
    for r in many:
        hit, miss, extra = observation_match(extracted(r), r.observations)
        found, missed, unexpected = found + len(hit), missed + len(miss), unexpected + len(extra)
        for kind, wrong in (("missed", miss), ("unexpected", extra)):
            examples += [f"  {kind} {r.filename}: {o['value']} {o['unit']} {o['dimension']} "
                         f"{o['as_of']} «{o['evidence']}»" for o in wrong]  # fmt: skip
    precision = found / (found + unexpected)
    recall = found / (found + missed)
    with capsys.disabled():
        print(
            f"\nextractor on {len(many)} generated weeks: precision {precision:.3f}, "
            f"recall {recall:.3f} ({found} found, {missed} missed, {unexpected} unexpected)"
        )
        print("\n".join(examples[:12]))
    assert found > 3 * len(many)
    assert precision > 0.9 and recall > 0.9


def test_bundled_samples_are_scored_too() -> None:
    """The dashboard's bundled weeks: the extractor finds most of their ground truth."""
    hits = total = 0
    for r in bundled_reports():
        hit, miss, _ = observation_match(extracted(r), r.observations)
        hits, total = hits + len(hit), total + len(hit) + len(miss)
    assert hits / total > 0.9
