"""Command line: ``python -m indicators parse|ingest|export ...`` (also ``indicators``).

Exit status: 0 when everything went in, 1 when some inputs failed (the rest still went
in), 2 on usage errors. A bad input gets one line ``FILE: what is wrong``; every line
is printed with control characters escaped (:func:`indicators.errors.printable`), so a
file name can neither forge a line nor drive the terminal. No traceback reaches the
user: what the program did not foresee is one line too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from indicators import export, ingest, review, settings, store
from indicators.definitions import DefinitionsError, default_definitions
from indicators.errors import InputError, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def say(text: str, file: TextIO | None = None) -> None:
    """Print one line, escaped for the terminal."""
    print(printable(text), file=file or sys.stdout)


def warn(text: str) -> None:
    say(text, sys.stderr)


def counted(n: int, noun: str) -> str:
    """``n`` things, singular for one.

    >>> counted(1, "file"), counted(2, "report")
    ('1 file', '2 reports')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=store.location,
        default=None,
        help="DuckDB file, or ducklake:postgres:... for a team's DuckLake "
        "(default: $INDICATORS_DB or data/indicators.duckdb)",
    )


def _mib(text: str) -> int:
    try:
        size = float(text)
    except ValueError:
        size = 0.0
    if not size > 0:
        raise argparse.ArgumentTypeError(f"not a size in MiB: {text!r}")
    return int(size * settings.MiB)


def settings_help() -> str:
    """The settings, their units and defaults, for ``--help`` (the README's table too)."""
    lines = ["settings (environment variables):"]
    lines.append(
        f"  INDICATORS_DB  database file (default {settings.DEFAULT_DB}), or a DuckLake:"
        " ducklake:postgres:..."
    )
    for item in settings.SETTINGS:
        lines.append(f"  {item.name}  {item.meaning} (default {item.default:,g} {item.unit})")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indicators",
        description="Weekly situation reports -> indicators with provenance, in DuckDB.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="parse one report and print what it says")
    parse.add_argument("file", type=Path, help="report file (.txt in UTF-8 or Shift-JIS, or .pdf)")
    parse.add_argument("--json", action="store_true", help="print the JSON of docs/FORMAT.md")

    ingest_cmd = commands.add_parser(
        "ingest", help="store reports (files or folders, recursively) in the database"
    )
    ingest_cmd.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    _add_db(ingest_cmd)
    ingest_cmd.add_argument(
        "--max-size",
        type=_mib,
        default=None,
        metavar="MIB",
        help=(
            f"refuse files larger than this many MiB (default: "
            f"${settings.MAX_MB.name}, else {settings.MAX_MB.default:g} MiB)"
        ),
    )
    ingest_cmd.add_argument(
        "--workers", type=int, default=None, help="parser processes (default: all cores)"
    )
    ingest_cmd.add_argument(
        "--series",
        default=None,
        metavar="NAME",
        help="report series to file these under (default: country｜issuer from each report)",
    )

    export_cmd = commands.add_parser("export", help="write stored rows as CSV with provenance")
    export_cmd.add_argument("kind", choices=(*export.KINDS, "definitions"))
    export_cmd.add_argument(
        "--out", type=Path, default=None, help="file to write (default: stdout)"
    )
    export_cmd.add_argument("--from", dest="start", type=_date, default=None, metavar="DATE")
    export_cmd.add_argument("--to", dest="end", type=_date, default=None, metavar="DATE")
    export_cmd.add_argument(
        "--indicator", default=None, metavar="ID", help="e.g. political_prisoners"
    )
    export_cmd.add_argument(
        "--series",
        action="append",
        default=None,
        metavar="NAME",
        help="only this report series (repeatable; default: all)",
    )
    export_cmd.add_argument(
        "--excel", action="store_true", help="start with a BOM so Excel shows Japanese correctly"
    )
    _add_db(export_cmd)

    brief_cmd = commands.add_parser(
        "brief", help="the weekly brief of one week as PDF (or HTML for mail)"
    )
    brief_cmd.add_argument(
        "--week",
        type=_date,
        default=None,
        metavar="DATE",
        help="any day of the week, or a report's publication date for the week it covers "
        "(default: the week of the latest report)",
    )
    brief_cmd.add_argument("--lang", choices=("ja", "en"), default="ja")
    brief_cmd.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="file to write: .pdf (fonts embedded) or .html (for mail)",
    )
    brief_cmd.add_argument(
        "--series",
        action="append",
        default=None,
        metavar="NAME",
        help="only this report series (repeatable; default: the dashboard's default scope)",
    )
    brief_cmd.add_argument(
        "--sample",
        choices=("yes", "no"),
        default=None,
        help="include sample data (default: as the dashboard decides)",
    )
    _add_db(brief_cmd)

    review_cmd = commands.add_parser(
        "review",
        help="the review queue (newest first), or one action on a row of it",
        description="Without an action: the queue, numbered. With one: the action on the "
        "row of that number (as the same listing numbers it), recorded in the review log.",
    )
    review_cmd.add_argument("action", nargs="?", choices=("list", *review.ACTIONS), default="list")
    review_cmd.add_argument("--row", type=int, default=None, metavar="N", help="queue row")
    review_cmd.add_argument("--by", default=None, metavar="NAME", help="who does it")
    review_cmd.add_argument("--reason", default="", help="why (optional)")
    review_cmd.add_argument("--value", type=float, default=None, help="the right value")
    review_cmd.add_argument("--unit", default=None, help="its unit (default: as it was)")
    review_cmd.add_argument("--qualifier", choices=("exact", "at_least", "approx"), default=None)
    review_cmd.add_argument("--as-of", dest="as_of", type=_date, default=None, metavar="DATE")
    review_cmd.add_argument("--dimension", default=None, metavar="CODE", help="e.g. LT")
    review_cmd.add_argument("--indicator", default=None, metavar="ID", help="to assign to")
    review_cmd.add_argument("--limit", type=int, default=50, help="rows listed")
    _add_db(review_cmd)

    reextract_cmd = commands.add_parser(
        "reextract",
        help="extract every stored report again with the current definitions "
        "(corrections stay applied)",
    )
    reextract_cmd.add_argument(
        "--workers", type=int, default=None, help="extracting processes (default: all cores)"
    )
    _add_db(reextract_cmd)
    return parser


def _value(value: Any) -> Any:
    """JSON value: a whole number as int, dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return value


def parse_json(parsed: store.Parsed) -> dict[str, Any]:
    """The ``parse --json`` object of docs/FORMAT.md."""
    r = parsed.report
    return {
        "report": {
            "title": r.title,
            "issuer": r.issuer,
            "published": _value(r.published),
            "period_start": _value(r.period_start),
            "period_end": _value(r.period_end),
        },
        "events": [
            {
                "section": e.section,
                "headline": e.headline,
                "body": e.body_text,
                "dates": [_value(d) for d in e.dates],
                "sources": e.sources,
            }
            for e in r.events
        ],
        "observations": [
            {
                "indicator": o.indicator,
                "dimension": o.dimension,
                "value": _value(o.value),
                "unit": o.unit,
                "qualifier": o.qualifier,
                "as_of": _value(o.as_of),
                "period_start": _value(o.period_start),
                "period_end": _value(o.period_end),
                "source": o.source,
                "evidence": o.evidence,
                "rule": o.rule,
                "flags": list(o.flags),
            }
            for o in parsed.extraction.observations
        ],
    }


def _summary(parsed: store.Parsed) -> str:
    r = parsed.report
    lines = [
        f"{r.title} — {r.issuer}",
        f"published {r.published}, period {r.period_start} .. {r.period_end}",
        f"{len(r.events)} events in {len(r.sections)} sections:",
    ]
    for section in r.sections:
        lines.append(f"  {section}: {sum(e.section == section for e in r.events)}")
    lines.append(f"{len(parsed.extraction.observations)} observations:")
    for o in parsed.extraction.observations:
        dimension = f" [{o.dimension}]" if o.dimension else ""
        qualifier = "" if o.qualifier == "exact" else f" ({o.qualifier})"
        flags = f" [flagged: {', '.join(o.flags)}]" if o.flags else ""
        lines.append(
            f"  {o.indicator}{dimension} = {_value(o.value):,} {o.unit}{qualifier}, "
            f"as of {o.as_of}: {o.evidence}{flags}"
        )
        lines.append(f"    found by {o.rule}")
    lines.append(f"{len(parsed.extraction.quantities)} other quantities kept for review")
    return "\n".join(lines)


def cmd_parse(args: argparse.Namespace) -> int:
    result = ingest.parse_one(args.file)
    if isinstance(result, store.Outcome):
        warn(f"{result.file_name}: {result.message}")
        return EXIT_FAILED
    if args.json:
        json.dump(parse_json(result), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for line in _summary(result).splitlines():
            say(line)  # report text, from an untrusted file
    return EXIT_OK


def _progress(total: int) -> Any:
    """A progress bar on a terminal for long batches; nothing otherwise."""
    if total < 20 or not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    return Progress(transient=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
    files = list(ingest.discover(args.paths))
    if not files:
        warn("no report files (.txt, .pdf) found under the given paths")
        return EXIT_FAILED
    progress = _progress(len(files))
    task = progress.add_task("ingest", total=len(files)) if progress else None

    def report(outcome: store.Outcome) -> None:
        if progress is not None:
            progress.advance(task)
        if outcome.action == "failed":
            warn(f"{outcome.file_name}: {outcome.message}")
        elif len(files) <= 200 or outcome.action != "unchanged":
            say(
                f"{outcome.published}  {outcome.action:<9} {outcome.n_events:>3} events "
                f"{outcome.n_observations:>3} observations  {outcome.file_name}"
            )

    try:
        if progress is not None:
            progress.start()
        result = ingest.ingest(
            db,
            files,
            max_bytes=args.max_size,
            workers=args.workers,
            series=args.series,
            on_outcome=report,
        )
    except ingest.IngestStopped as error:
        if progress is not None:
            progress.stop()
        stored = sum(o.action in ("added", "replaced") for o in error.result.outcomes)
        left = len(files) - len(error.result.outcomes)
        warn(
            f"{error}. Stored in this run: {counted(stored, 'report')} (listed above as "
            f"added or replaced); not stored: {counted(left, 'file')}"
        )
        return EXIT_FAILED
    except store.StoreError as error:
        warn(str(error))
        return EXIT_FAILED
    finally:
        if progress is not None:
            progress.stop()
    counts = ", ".join(
        f"{result.count(action)} {action}"
        for action in ("added", "replaced", "unchanged", "failed")
        if result.count(action)
    )
    events = sum(o.n_events for o in result.outcomes if o.action in ("added", "replaced"))
    observations = sum(
        o.n_observations for o in result.outcomes if o.action in ("added", "replaced")
    )
    say(
        f"total: {counted(len(result.outcomes), 'file')} ({counts}); "
        f"{counted(events, 'event')} and {counted(observations, 'observation')} written to "
        f"{store.backend(db).label}"
    )
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
    if args.kind == "definitions":  # the indicators defined on the Review page, as TOML
        text = review.definitions_toml(db)
        if args.out:
            args.out.write_text(text, "utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    try:
        rows = export.frame(
            db,
            args.kind,
            start=args.start,
            end=args.end,
            indicator=args.indicator,
            series=args.series,
        )
    except store.StoreError as error:
        warn(str(error))
        return EXIT_FAILED
    data = export.to_csv_bytes(rows, excel=args.excel)
    if args.out:
        try:
            args.out.write_bytes(data)
        except OSError as error:
            warn(f"{args.out}: cannot write ({error.strerror or error})")
            return EXIT_FAILED
        warn(f"{len(rows)} {args.kind} written to {args.out}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def cmd_brief(args: argparse.Namespace) -> int:
    from indicators import brief, queries

    db = args.db or store.default_db()
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        print(f"{args.out}: write a .pdf or an .html file", file=sys.stderr)
        return EXIT_USAGE
    try:
        default_series, default_sample = queries.default_scope(queries.series(db))
        if args.sample is not None:
            include_sample = args.sample == "yes"
        else:  # series named on the command line are taken as asked for
            include_sample = True if args.series else default_sample
        scope = {"series": args.series or default_series, "include_sample": include_sample}
        week = args.week
        if week is not None and (covered := queries.published_week(db, week, **scope)):
            print(
                f"{week}: the report published that day covers the week of {covered}; "
                "its brief follows",
                file=sys.stderr,
            )
            week = covered
        made = brief.build(db, **scope, week=week, lang=args.lang)
        data = made.pdf() if suffix == ".pdf" else made.html.encode("utf-8")
    except store.StoreError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    try:
        args.out.write_bytes(data)
    except OSError as error:
        print(f"{args.out}: cannot write ({error.strerror or error})", file=sys.stderr)
        return EXIT_FAILED
    print(f"brief of the week of {made.week} ({args.lang}) written to {args.out}", file=sys.stderr)
    return EXIT_OK


_KIND_LABELS = {
    "stale": "needs a look (its sentence changed)",
    "flagged": "flagged",
    "weak_rule": "weak rule",
    "quantity": "unassigned",
}


def _day(value: Any) -> str:
    return "-" if value is None or value != value else str(value)[:10]


def cmd_review(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
    rows = review.queue(db, limit=max(args.limit, args.row or 0))
    if args.action == "list":
        if rows.empty:
            say("the review queue is empty")
        for index, row in enumerate(rows.itertuples(index=False), 1):
            what = row.indicator if isinstance(row.indicator, str) else f"[{row.shape}]"
            times = f", {row.n} in {row.n_weeks} weeks" if row.kind == "quantity" else ""
            say(
                f"{index:>3}  {_day(row.published)}  {_KIND_LABELS[row.kind]}{times}  "
                f"{what} = {row.value:g} {row.unit}  «{row.sentence}»"
            )
        return EXIT_OK
    if args.row is None or not 1 <= args.row <= len(rows):
        warn(f"review {args.action}: give --row N, a row of the queue (1 to {len(rows)})")
        return EXIT_USAGE
    number = review.Number.of(rows.iloc[args.row - 1])
    change = None
    if args.action in ("correct", "assign"):
        change = review.Change(
            value=float(number.value or 0) if args.value is None else args.value,
            unit=args.unit or number.unit or "",
            qualifier=args.qualifier or number.qualifier or "exact",
            as_of=args.as_of or number.as_of,
            dimension=args.dimension if args.dimension is not None else number.dimension,
            indicator=args.indicator,
        )
    try:
        review.record(
            db, [review.Action(args.action, number, change, args.reason)], by=args.by or ""
        )
    except review.ReviewError as error:
        warn(f"review {args.action}: {error}")
        return EXIT_USAGE
    say(f"{args.action}: recorded by {args.by} for «{number.sentence}»")
    return EXIT_OK


def cmd_reextract(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
    if not store.exists(db):
        warn(f"{db}: no database yet (run `indicators ingest` first)")
        return EXIT_FAILED
    done = review.reextract(db, workers=args.workers)
    skipped = f", {done.skipped} left as a newer ingest stored them" if done.skipped else ""
    if done.without_text:
        skipped += (
            f", {done.without_text} stored by an older version left as they are "
            "(ingest their files again to re-extract them)"
        )
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in done.per_step.items())
    warn(
        f"re-extracted {done.reports} reports in {done.seconds:.1f} s ({steps}): "
        f"{done.observations} observations, {done.quantities} other quantities{skipped}"
    )
    return EXIT_OK


COMMANDS = {
    "parse": cmd_parse,
    "ingest": cmd_ingest,
    "export": cmd_export,
    "brief": cmd_brief,
    "review": cmd_review,
    "reextract": cmd_reextract,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        default_definitions()  # a wrong definitions file stops every command, once
    except DefinitionsError as error:
        warn(str(error))
        return EXIT_USAGE
    # A terminated ingest stops its workers on the way out (``finally`` blocks run).
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        settings.check_all()
        if getattr(args, "db", None) is not None or args.command in ("ingest", "reextract"):
            # the indicators defined from the dashboard, stored with the data
            review.definitions_in_use(args.db or store.default_db())
        return COMMANDS[args.command](args)
    except InputError as error:
        warn(str(error))
        return EXIT_FAILED
    except store.StoreError as error:
        warn(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        warn("interrupted: reports already committed stay stored")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # what was not foreseen is still one line, never a traceback
        warn(
            f"unexpected error ({type(error).__name__}: {error}); please report it "
            "(reports already committed stay stored)"
        )
        return EXIT_FAILED
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    raise SystemExit(main())
