"""Issue 5 "Speed and scale": the pages with 100,000 File rows.

Two parts, each on a fresh SQLite library seeded with ``bench.library_seed`` (generated
rows, no images):

* the page scripts, from ``bench.pages.time_pages`` (written with the dashboard): the progress
  fragment's query work (target < 5 ms), the jobs table (< 200 ms), and the Gallery and Jobs
  pages' whole server-side script runs through AppTest (gallery < 300 ms);
* the library queries behind the gallery under several filters and sorts (count + a page of
  60, ``library_seed.time_library_queries``), to show which filter costs what.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.context import BenchContext
from bench.library_seed import seed_library, time_library_queries
from bench.pages import time_pages
from bench.report import Cell, heading, say, table
from photoimport.db.engine import make_engine

PROGRESS_MS, JOBS_TABLE_MS, GALLERY_MS = 5.0, 200.0, 300.0


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"< {target:.0f} ms " + ("ok" if value < target else "OVER TARGET")


def run(ctx: BenchContext) -> None:
    heading(f"pages with {ctx.page_rows:,} File rows (SQLite)")
    pages = time_pages(ctx.page_rows)
    rows: list[list[Cell]] = [
        [
            "progress fragment query work",
            pages.progress_query_ms,
            _verdict(pages.progress_query_ms, PROGRESS_MS),
        ],
        [
            "jobs table (list_jobs + rows)",
            pages.jobs_table_ms,
            _verdict(pages.jobs_table_ms, JOBS_TABLE_MS),
        ],
        [
            "gallery page script (AppTest)",
            pages.gallery_script_ms,
            _verdict(pages.gallery_script_ms, GALLERY_MS),
        ],
        ["jobs page script (AppTest)", pages.jobs_script_ms, ""],
        ["jobs page, first view", pages.jobs_first_view_ms, ""],
    ]
    say(table(["page work (best of 3)", "ms", "target"], rows))

    home = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        start = time.perf_counter()
        job_id = seed_library(engine, ctx.page_rows)
        seeded = time.perf_counter() - start
        q = time_library_queries(engine, job_id)
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    say(f"\ngallery queries, count + page of 60 (best of 3; {seeded:.0f} s to seed the rows)")
    rows = [
        ["by capture time, page 1", q.gallery_page_ms, _verdict(q.gallery_page_ms, GALLERY_MS)],
        [
            "by capture time, page 100",
            q.gallery_deep_page_ms,
            _verdict(q.gallery_deep_page_ms, GALLERY_MS),
        ],
        ["by name", q.gallery_by_name_ms, _verdict(q.gallery_by_name_ms, GALLERY_MS)],
        [
            "confidence + camera + dates + job",
            q.gallery_filtered_ms,
            _verdict(q.gallery_filtered_ms, GALLERY_MS),
        ],
        ["duplicates only", q.duplicates_only_ms, _verdict(q.duplicates_only_ms, GALLERY_MS)],
        ["library totals (home page)", q.totals_ms, ""],
    ]
    say(table(["gallery query", "ms", "target"], rows))
