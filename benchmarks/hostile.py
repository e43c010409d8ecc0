"""What a bomb costs: peak memory and seconds, through the command line and the upload page.

    python benchmarks/hostile.py [--no-upload]

Builds the issue's bombs (tests/bombs.py: a PDF drawing ten million glyphs, a PDF whose
content inflates to 1 GiB), ingests each beside a good report with ``python -m
indicators ingest`` and samples the resident memory of that process and every process
below it (workers, fork server) from /proc; then serves the dashboard, uploads each bomb
through a headless Chromium (Playwright) and reads the server's own peak (VmHWM) and
that of its workers. It prints figures, asserts nothing. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import bombs  # noqa: E402  (tests/ is put on the path just above)

from indicators import i18n  # noqa: E402

REPORT = ROOT / "tests" / "reports" / "belarus-weekly-2023-11-30.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, float]]:
    """pid -> (parent pid, resident KiB, CPU seconds so far) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss = int(fields.get("VmRSS", "0 kB").split()[0])
            cpu = (int(stat[11]) + int(stat[12])) / TICKS  # utime + stime
            table[int(entry.name)] = (int(fields["PPid"]), rss, cpu)
    return table


class TreeSampler:
    """Samples the resident memory of a process and its descendants every 20 ms:
    the peak of the largest one and of all of them together."""

    def __init__(self, pid: int, skip: Callable[[int], bool] = lambda _: False) -> None:
        self.pid, self.skip = pid, skip
        self.peak_one = self.peak_sum = self.peak_root = 0
        self._cpu: dict[int, float] = {}
        self._cpu_start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu(self) -> float:
        """CPU seconds the tree spent while sampled (the last 20 ms of a process missed)."""
        return sum(self._cpu[p] - self._cpu_start.get(p, 0.0) for p in self._cpu)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            table = _processes()
            tree, parents = [], {self.pid}
            while parents:
                children = {p for p, (ppid, *_) in table.items() if ppid in parents}
                tree += [p for p in children if not self.skip(p)]
                parents = children
            for p in [self.pid, *tree]:
                if p in table:
                    if first:  # what ran before sampling began is not this bomb's
                        self._cpu_start[p] = table[p][2]
                    self._cpu[p] = table[p][2]
            first = False
            sizes = [table[p][1] for p in tree if p in table]
            root = table.get(self.pid, (0, 0, 0.0))[1]
            self.peak_root = max(self.peak_root, root)
            self.peak_one = max([self.peak_one, *sizes])
            self.peak_sum = max(self.peak_sum, root + sum(sizes))
            self._stop.wait(0.02)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _mb(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def cli(name: str, bomb: Path, folder: Path) -> None:
    db = folder / f"{name}.duckdb"
    command = [sys.executable, "-m", "indicators", "ingest", str(bomb), str(REPORT)]
    began = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    with TreeSampler(process.pid) as sampler:
        _, err = process.communicate()
    seconds = time.perf_counter() - began
    line = next((line for line in err.splitlines() if str(bomb) in line), "(no line)")
    cells = [
        "CLI", name, f"{seconds:.1f} s ({sampler.cpu:.1f} s CPU)", _mb(sampler.peak_root),
        _mb(sampler.peak_one), _mb(sampler.peak_sum), line.split(": ", 1)[-1],
    ]  # fmt: skip
    print("| " + " | ".join(cells) + " |")


def upload(bombs_made: dict[str, Path], folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, INDICATORS_DB=str(folder / "app.duckdb"))
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "URL:" in line:
                break
        threading.Thread(target=server.stdout.read, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(f"http://127.0.0.1:{port}/reports")
            chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            chooser.wait_for(state="attached", timeout=120_000)
            for name, bomb in bombs_made.items():
                before = _status(server.pid, "VmHWM")
                chooser.set_input_files(str(bomb))
                page.get_by_text(bomb.name).first.wait_for()
                began = time.perf_counter()
                with TreeSampler(server.pid) as sampler:
                    page.get_by_role("button", name=i18n.t("ingest_button", "ja")).click()
                    page.get_by_text(f"{bomb.name}: ").first.wait_for(timeout=300_000)
                seconds = time.perf_counter() - began
                line = page.get_by_text(f"{bomb.name}: ").first.inner_text()
                hwm = _status(server.pid, "VmHWM")
                cells = [
                    "upload", name, f"{seconds:.1f} s ({sampler.cpu:.1f} s CPU)",
                    f"{_mb(hwm)} (before: {_mb(before)})", _mb(sampler.peak_one),
                    _mb(sampler.peak_sum), line.split(": ", 1)[-1],
                ]  # fmt: skip
                print("| " + " | ".join(cells) + " |")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _status(pid: int, key: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(text.split(f"{key}:")[1].split()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-upload", action="store_true", help="only the command line")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="indicators-hostile-"))
    try:
        made = {
            "10 M glyphs": folder / "glyphs.pdf",
            "1 GiB inflate": folder / "zeros.pdf",
        }
        made["10 M glyphs"].write_bytes(bombs.glyph_bomb(10_000_000))
        made["1 GiB inflate"].write_bytes(bombs.inflate_bomb())
        for name, path in made.items():
            print(f"{name}: {path.stat().st_size:,} bytes on disk")
        print(
            "| via | bomb | seconds (CPU of all its processes) | peak RSS of the process "
            "| largest descendant | all together | its line |"
        )
        print("|---|---|---|---|---|---|---|")
        for name, path in made.items():
            cli(name, path, folder)
        if not args.no_upload and shutil.which(CHROMIUM):
            upload(made, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
