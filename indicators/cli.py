"""Command line: ``python -m indicators parse|ingest|export ...`` (also ``indicators``).

Exit status: 0 when everything went in, 1 when some inputs failed (the rest still went
in), 2 on usage errors. A bad input gets one line ``FILE: what is wrong``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from indicators import export, ingest, store
from indicators.definitions import DefinitionsError, default_definitions
from indicators.errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indicators",
        description="Weekly situation reports -> indicators with provenance, in DuckDB.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="parse one report and print what it says")
    parse.add_argument("file", type=Path, help="report file (.txt in UTF-8 or Shift-JIS, or .pdf)")
    parse.add_argument("--json", action="store_true", help="print the JSON of FORMAT.md")

    ingest_cmd = commands.add_parser(
        "ingest", help="store reports (files or folders, recursively) in the database"
    )
    ingest_cmd.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    _add_db(ingest_cmd)
    ingest_cmd.add_argument(
        "--max-size",
        type=float,
        default=None,
        metavar="MB",
        help="refuse files larger than this (default: 50 MB or $INDICATORS_MAX_BYTES)",
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
    export_cmd.add_argument("kind", choices=export.KINDS)
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

    bench = commands.add_parser(
        "bench",
        help="ingest and query speed at archive scale (see `bench --help`)",
        add_help=False,
    )
    bench.add_argument("options", nargs=argparse.REMAINDER)
    return parser


def _value(value: Any) -> Any:
    """JSON value: a whole number as int, dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return value


def parse_json(parsed: store.Parsed) -> dict[str, Any]:
    """The ``parse --json`` object of FORMAT.md."""
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
    result = ingest.parse_path(args.file, ingest.max_bytes_default())
    if isinstance(result, store.Outcome):
        print(f"{result.file_name}: {result.message}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        json.dump(parse_json(result), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_summary(result))
    return EXIT_OK


def _progress(total: int) -> Any:
    """A progress bar on a terminal for long batches; nothing otherwise."""
    if total < 20 or not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    return Progress(transient=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
    max_bytes = None if args.max_size is None else int(args.max_size * 1e6)
    files = list(ingest.discover(args.paths))
    if not files:
        print("no report files (.txt, .pdf) found under the given paths", file=sys.stderr)
        return EXIT_FAILED
    progress = _progress(len(files))
    task = progress.add_task("ingest", total=len(files)) if progress else None

    def report(outcome: store.Outcome) -> None:
        if progress is not None:
            progress.advance(task)
        if outcome.action == "failed":
            print(f"{outcome.file_name}: {outcome.message}", file=sys.stderr)
        elif len(files) <= 200 or outcome.action != "unchanged":
            print(
                f"{outcome.published}  {outcome.action:<9} {outcome.n_events:>3} events "
                f"{outcome.n_observations:>3} observations  {outcome.file_name}"
            )

    try:
        if progress is not None:
            progress.start()
        result = ingest.ingest(
            db,
            files,
            max_bytes=max_bytes,
            workers=args.workers,
            series=args.series,
            on_outcome=report,
        )
    except store.StoreError as error:
        print(error, file=sys.stderr)
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
    print(
        f"total: {len(result.outcomes)} files ({counts}); "
        f"{events} events and {observations} observations written to "
        f"{store.backend(db).label}"
    )
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    db = args.db or store.default_db()
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
        print(error, file=sys.stderr)
        return EXIT_FAILED
    data = export.to_csv_bytes(rows, excel=args.excel)
    if args.out:
        try:
            args.out.write_bytes(data)
        except OSError as error:
            print(f"{args.out}: cannot write ({error.strerror or error})", file=sys.stderr)
            return EXIT_FAILED
        print(f"{len(rows)} {args.kind} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


COMMANDS = {"parse": cmd_parse, "ingest": cmd_ingest, "export": cmd_export}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # its own options, parsed by indicators.bench
        from indicators import bench

        return bench.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        default_definitions()  # a wrong definitions file stops every command, once
    except DefinitionsError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except InputError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: reports already committed stay stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
