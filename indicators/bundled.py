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
#: Reports stored per transaction while building: the progress bar's step.
PROGRESS_STEP = 16


def build(
    db: store.Location,
    *,
    reports: Path = REAL_REPORTS,
    with_samples: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Create ``db`` from the bundled reports (idempotent: a second call changes nothing).

    Real files and generated samples go through the one ingest path, a few reports per
    transaction so that ``on_progress(done, total)`` moves as they are stored.
    """
    from indicators.sample import bundled_reports

    files = list(ingest.discover([reports])) if reports.exists() else []
    samples = bundled_reports() if with_samples else []
    inputs = [(str(path), path.read_bytes()) for path in files]
    inputs += [(f"sample/{s.filename}", s.text.encode("utf-8")) for s in samples]
    done = 0

    def stored(_: store.Outcome) -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, len(inputs))

    ingest.ingest_data(db, inputs, batch_size=PROGRESS_STEP, workers=1, on_outcome=stored)


def ensure(db: store.Location, on_progress: Callable[[int, int], None] | None = None) -> bool:
    """Build the bundled database unless ``db`` already holds reports; True if built.

    An existing store is migrated to the current schema first.
    """
    if store.exists(db):
        store.ensure_db(db)
        if int(store.query(db, "SELECT count(*) AS n FROM reports")["n"][0]) > 0:
            return False
    build(db, on_progress=on_progress)
    return True
