"""Issue 5 "Speed and scale": the queries behind the pages with 100,000 File rows.

A fresh SQLite library seeded with ``photoimport.library_seed.seed_library`` (generated rows, no
images), then the best of three of: the progress fragment's query work (``job_progress``), the
jobs table (``list_jobs``), and a gallery page (count + page, several filters and sorts, from
``time_library_queries``). Targets: progress < 5 ms, gallery page < 300 ms, jobs table < 200 ms.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.context import BenchContext
from bench.report import heading, say, table
from photoimport.db import make_engine
from photoimport.jobs import job_progress, list_jobs
from photoimport.library_seed import seed_library, time_library_queries

TARGETS_MS = {"progress": 5.0, "gallery": 300.0, "jobs table": 200.0}


def _best_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _verdict(value: float, target: float) -> str:
    return f"< {target:.0f} ms " + ("ok" if value < target else "OVER TARGET")


def run(ctx: BenchContext) -> None:
    heading(f"page queries with {ctx.page_rows:,} File rows (SQLite)")
    home = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        start = time.perf_counter()
        job_id = seed_library(engine, ctx.page_rows)
        say(f"seeded {ctx.page_rows:,} rows in {time.perf_counter() - start:.1f} s")
        gallery = time_library_queries(engine, job_id)
        progress_ms = _best_ms(lambda: job_progress(engine, job_id))
        jobs_ms = _best_ms(lambda: list_jobs(engine))
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    gallery_ms = {
        "gallery page (capture time)": gallery.gallery_page_ms,
        "gallery page 100": gallery.gallery_deep_page_ms,
        "gallery by name": gallery.gallery_by_name_ms,
        "gallery filtered": gallery.gallery_filtered_ms,
        "gallery duplicates only": gallery.duplicates_only_ms,
        "library totals": gallery.totals_ms,
    }
    rows: list[list[str | int | float]] = [
        ["progress (job_progress)", progress_ms, _verdict(progress_ms, TARGETS_MS["progress"])],
        ["jobs table (list_jobs)", jobs_ms, _verdict(jobs_ms, TARGETS_MS["jobs table"])],
    ]
    rows += [[name, ms, _verdict(ms, TARGETS_MS["gallery"])] for name, ms in gallery_ms.items()]
    say(table(["query (best of several)", "ms", "target"], rows))
    say("(the query work only: Streamlit's own rendering comes on top)")
