"""The data the dashboard starts with: the real report(s) in data/reports plus sample weeks.

Sample reports are generated deterministically (:mod:`indicators.sample`) and go through
the same reader, parser and store as real files; their issuer line says they are sample
data, and the store marks them ``is_sample``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indicators import ingest, store

REAL_REPORTS = Path("data/reports")


def build(
    db: Path,
    *,
    reports: Path = REAL_REPORTS,
    with_samples: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Create ``db`` from the bundled reports (idempotent: a second call changes nothing)."""
    from indicators.sample import bundled_reports

    samples = bundled_reports() if with_samples else []
    files = list(ingest.discover([reports])) if reports.exists() else []
    total = len(files) + len(samples)
    parsed: list[store.Parsed] = []
    failures: list[store.Outcome] = []
    for done, path in enumerate(files, 1):
        item = ingest.parse_path(path, ingest.max_bytes_default())
        (failures if isinstance(item, store.Outcome) else parsed).append(item)  # type: ignore[arg-type]
        if on_progress:
            on_progress(done, total)
    for done, sample in enumerate(samples, len(files) + 1):
        parsed.append(ingest.parse_bytes(sample.text.encode("utf-8"), f"sample/{sample.filename}"))
        if on_progress:
            on_progress(done, total)
    store.write(db, parsed, failures)


def ensure(db: Path, on_progress: Callable[[int, int], None] | None = None) -> bool:
    """Build the bundled database unless ``db`` already holds reports; True if built.

    An existing file is migrated to the current schema first.
    """
    if db.exists():
        store.ensure_db(db)
        if int(store.query(db, "SELECT count(*) AS n FROM reports")["n"][0]) > 0:
            return False
    build(db, on_progress=on_progress)
    return True
