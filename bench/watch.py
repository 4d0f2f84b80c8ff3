"""Watched folders (issue 6): latency from a file's close to its File row, and idle CPU.

    python -m bench.watch [--n 1000] [--idle-files 10000] [--idle-seconds 20]

1. Latency: a real watcher process (``watch --folder``, quiet period 2 s, batches of 2 s) on an
   empty folder; ``--n`` small real JPEGs (64x48, distinct, with EXIF) are written in a burst.
   The close time of each file is taken right after it is written; the database is polled every
   50 ms for new ``File`` rows (by SHA-256). Prints the median, p90 and max latency.
2. Idle CPU: a folder of ``--idle-files`` files already known to the library (one job's items,
   so the start rescan hands nothing over); the watcher's CPU time (/proc, via psutil) over
   ``--idle-seconds`` with no rescan due, then over the same window with a rescan every 5 s.

Also callable as a section: ``bench.watch.run(ctx)`` (``ctx`` only needs nothing from the
corpus: the files are made here).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa
from sqlmodel import Session, select

from photoimport.db.models import File, Job, JobItem, JobKind, JobStatus
from photoimport.jobs.control import create_job
from photoimport.settings import ImportSettings
from tests.watch_support import Library, jpeg_bytes, open_library, watcher

LATENCY_FLAGS = ("--quiet-seconds", "2", "--batch-seconds", "2", "--rescan-seconds", "300")


def measure_latency(lib: Library, folder: Path, n: int) -> tuple[list[float], list[float]]:
    """(close -> File row, close -> its watch job created) per file, in seconds."""
    digests: dict[str, float] = {}
    closed_at: dict[str, float] = {}
    with watcher(lib, folder, *LATENCY_FLAGS):
        blobs = [jpeg_bytes(i) for i in range(n)]
        for i, data in enumerate(blobs):
            path = folder / f"IMG_{i:05d}.jpg"
            with path.open("wb") as fh:
                fh.write(data)
            digests[hashlib.sha256(data).hexdigest()] = closed_at[str(path)] = time.time()
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 300
        while len(seen) < len(digests) and time.monotonic() < deadline:
            with Session(lib.engine) as s:
                rows = s.exec(select(File.sha256)).all()
            now = time.time()
            for sha in rows:
                seen.setdefault(sha, now)
            time.sleep(0.05)
        lib.settle_jobs(timeout=300)
    missing = len(digests) - len(seen)
    if missing:
        raise SystemExit(f"{missing} files never got a File row\n{lib.logs()}")
    with Session(lib.engine) as s:
        handed = s.exec(
            select(JobItem.path, Job.created_at).join(Job, Job.id == JobItem.job_id)  # type: ignore[arg-type]
        ).all()
    to_job = [created.timestamp() - closed_at[path] for path, created in handed]
    return [seen[sha] - closed for sha, closed in digests.items()], to_job


def measure_idle_cpu(lib: Library, folder: Path, files: int, seconds: float) -> dict[str, Any]:
    data = jpeg_bytes(1)
    paths = []
    for i in range(files):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"IMG_{i:05d}.jpg"
        path.write_bytes(data)
        paths.append(path)
    job_id = create_job(lib.engine, JobKind.WATCH, str(folder), ImportSettings(), paths=paths)
    with lib.engine.begin() as conn:  # already imported, as far as the watcher can tell
        conn.execute(sa.update(Job).where(Job.id == job_id).values(status=JobStatus.COMPLETED))
    out: dict[str, Any] = {}
    for label, rescan in (("no rescan due", "300"), ("rescan every 5 s", "5")):
        with watcher(lib, folder, "--rescan-seconds", rescan) as proc:
            p = psutil.Process(proc.pid)
            time.sleep(3)  # the start (imports, start rescan of every file) is not idle time
            t0, c0 = time.monotonic(), sum(p.cpu_times()[:2])
            time.sleep(seconds)
            t1, c1 = time.monotonic(), sum(p.cpu_times()[:2])
            out[label] = (c1 - c0, t1 - t0)
    with Session(lib.engine) as s:
        out["files imported"] = s.exec(select(sa.func.count()).select_from(File)).one()
    return out


def run(
    ctx: object | None = None, n: int = 1000, idle_files: int = 10_000, idle: float = 20
) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        base = Path(tmp)
        lib = open_library(base / "home")
        inbox = base / "inbox"
        inbox.mkdir()
        lat, to_job = measure_latency(lib, inbox, n)
        print(f"\n== watch: latency over a burst of {n} JPEGs (64x48), quiet 2 s, batch 2 s")
        for label, values in (("close -> File row", lat), ("close -> job created", to_job)):
            v = sorted(values)
            p90 = v[int(0.9 * (len(v) - 1))]
            print(
                f"{label:<21} median {statistics.median(v):6.2f} s   p90 {p90:6.2f} s   "
                f"max {v[-1]:6.2f} s"
            )
        with Session(lib.engine) as s:
            jobs = s.exec(select(Job.id, Job.total)).all()
        print(f"watch jobs: {len(jobs)} ({', '.join(str(t) for _, t in jobs)} files)")

        lib2 = open_library(base / "home2")
        big = base / "big"
        big.mkdir()
        cpu = measure_idle_cpu(lib2, big, idle_files, idle)
        print(f"\n== watch: watcher CPU on a folder of {idle_files:,} known files")
        for label in ("no rescan due", "rescan every 5 s"):
            used, wall = cpu[label]
            print(
                f"{label:<18} {used * 1000:7.0f} ms CPU in {wall:.0f} s = {100 * used / wall:.2f} %"
            )
        print(f"files imported during the idle runs: {cpu['files imported']} (expected 0)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.watch", description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--idle-files", type=int, default=10_000)
    parser.add_argument("--idle-seconds", type=float, default=20)
    args = parser.parse_args(argv)
    run(None, args.n, args.idle_files, args.idle_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
