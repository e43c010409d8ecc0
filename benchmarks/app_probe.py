"""Overview and Trends through AppTest, in a process of its own: wall times, peak RSS.

    INDICATORS_DB=FILE python benchmarks/app_probe.py RUNS

Run by benchmarks/bench.py; prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    runs = int(sys.argv[1])
    os.chdir(ROOT)
    pages = {"Overview": None, "Trends": "app_pages/trends.py"}
    out: dict[str, object] = {}
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # imports, once per process
    for name, page in pages.items():
        for cache in ("cold", "warm"):
            walls = []
            for _ in range(runs):
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                if page:
                    at.run()
                    at.switch_page(page)
                if cache == "cold":
                    st.cache_data.clear()  # as after an ingest: every query runs
                began = time.perf_counter()
                at.run()
                walls.append(time.perf_counter() - began)
                if at.exception:
                    raise SystemExit(f"{name}: {at.exception}")
            out[f"{name} ({cache} cache)"] = sorted(walls)
    # VmHWM is this program's own peak; ru_maxrss would still hold the parent's from
    # before exec (Linux keeps it across exec).
    status = Path("/proc/self/status").read_text() if sys.platform == "linux" else ""
    hwm = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")]
    out["peak_rss_mb"] = (
        int(hwm[0]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
