"""Issue 16: imports at 100,000 photos, flat cost per file, pages at a million, several workers.

Generated files and rows (``bench.scale_data``, cached in ``.bench-cache/``), each figure next
to its target and its baseline measured in the same run:

* re-import of ``--scale-files`` (100,000) unchanged files with a real worker (target < 30 s);
  baseline: the same re-import reading and hashing every file (``verify_unchanged``) on a
  tenth of them, per file;
* the worker's peak RSS on that 100,000-file job against a 1,000-file one (target <= 1.10x);
* a completed job's summary at 100,000 files (target < 1 s); baseline: the aggregate queries
  of before (and the month chart they left to the page);
* the worker's database work per new file into an empty library and into one of
  ``--scale-library`` (1,000,000) photos (target: within 10 %);
* library totals at a million from the counters; baseline: counting them;
* the home, gallery, jobs, review and duplicates page scripts at a million (target < 300 ms);
  baseline: the same pages on a library of 10,000 photos from the same generator;
* PostgreSQL: 1, 2 and 4 worker processes on one job, and the server's cost per batch.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.context import BenchContext
from bench.jobrun import JobRun, run_import_job
from bench.library_seed import best_ms
from bench.report import Cell, heading, progress, say, table
from bench.scale_baseline import aggregated_summary, counted_totals
from bench.scale_data import (
    copy_database,
    imported_library,
    medium_files,
    million_library,
    subset,
    tiny_files,
)
from bench.scale_flat import BatchCost, batch_cost
from bench.scale_pages import PAGE_BASELINE_PHOTOS, page_rows, store_summary
from bench.scale_pg import commit_cost, multi_worker_job, pg_server
from photoimport.db.engine import make_engine
from photoimport.jobs.summary import compute_summary
from photoimport.library.charts import photos_per_month
from photoimport.library.queries import library_totals

REIMPORT_S, RSS_GROWTH, SUMMARY_MS, FLAT = 30.0, 1.10, 1000.0, 1.10
FLAT_FILES, BATCH = 2000, 8


def _ok(good: bool) -> str:
    return "ok" if good else "MISSES TARGET"


def _reimport(db: Path, folder: Path, workers: int, **changes: object) -> JobRun:
    home = Path(tempfile.mkdtemp(prefix="bench-scale-home-"))
    try:
        copy_database(db, home)
        return run_import_job(folder, workers, keep_home=home, **changes)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(ctx: BenchContext) -> None:
    n = ctx.scale_files
    heading(f"scale: {n:,} files, a library of {ctx.scale_library:,} photos")
    rows: list[list[Cell]] = []

    files = tiny_files(n)
    small, tenth = subset(files, 1000), subset(files, max(1000, n // 10))
    big_db, small_db = imported_library(files), imported_library(small)
    tenth_db = imported_library(tenth)
    progress(f"re-importing {n:,} unchanged files")
    again = _reimport(big_db, files, ctx.workers)
    progress("re-importing 1,000 unchanged files; then a tenth, reading every file")
    again_small = _reimport(small_db, small, ctx.workers)
    verify = _reimport(tenth_db, tenth, ctx.workers, verify_unchanged=True)
    projected = verify.seconds / verify.files * n
    rows.append(
        [
            f"re-import of {n:,} unchanged files (s; CPU {again.cpu_seconds:.1f} s)",
            again.seconds,
            f"< {REIMPORT_S:.0f} {_ok(again.seconds < REIMPORT_S)}",
            f"{projected:,.0f} (reading all: {verify.files:,} files in {verify.seconds:.1f} s)",
        ]
    )
    growth = again.peak_worker_rss / again_small.peak_worker_rss
    rows.append(
        [
            f"worker peak RSS {n:,} / 1,000 files (MiB)",
            f"{again.peak_worker_rss / 2**20:.0f} / {again_small.peak_worker_rss / 2**20:.0f}",
            f"<= {RSS_GROWTH:.2f}x {_ok(growth <= RSS_GROWTH)} ({growth:.2f}x)",
            f"reading all: {verify.peak_worker_rss / 2**20:.0f} MiB at {verify.files:,}",
        ]
    )

    engine = make_engine(f"sqlite:///{big_db}")
    summary_ms = best_ms(lambda: compute_summary(engine, 1), 3)
    old_ms = best_ms(lambda: aggregated_summary(engine, 1), 1)
    months_ms = best_ms(lambda: photos_per_month(engine, 1), 1)
    engine.dispose()
    rows.append(
        [
            f"a completed job's summary, {n:,} files (ms)",
            summary_ms,
            f"< {SUMMARY_MS:.0f} {_ok(summary_ms < SUMMARY_MS)}",
            f"{old_ms:,.0f} + month chart {months_ms:,.0f}",
        ]
    )

    million, job_id = million_library(ctx.scale_library)
    store_summary(million, job_id)
    flat = _flat_cost(million)
    empty_ms = min(c.total_ms for c in flat[0])  # best round of each: the least disturbed
    full_ms = min(c.total_ms for c in flat[1])
    rows.append(
        [
            f"database work (CPU) per new file, {ctx.scale_library:,} photos (ms)",
            full_ms,
            f"<= {FLAT:.2f}x {_ok(full_ms <= FLAT * empty_ms)} ({full_ms / empty_ms:.2f}x)",
            f"empty library {empty_ms:.2f}",
        ]
    )
    engine = make_engine(f"sqlite:///{million}")
    totals_ms = best_ms(lambda: library_totals(engine), 3)
    counted_ms = best_ms(lambda: counted_totals(engine), 1)
    engine.dispose()
    rows.append([f"library totals, {ctx.scale_library:,} photos (ms)", totals_ms, "", counted_ms])
    rows += page_rows(million, ctx.scale_library, PAGE_BASELINE_PHOTOS)
    say(table(["figure", "value", "target", "baseline (same run)"], rows))
    _flat_table(flat)
    _postgres(ctx)


def _flat_cost(million: Path) -> tuple[list[BatchCost], list[BatchCost]]:
    """Empty and full library alternated (A B A B): the machine's load changes by the minute."""
    empty: list[BatchCost] = []
    full: list[BatchCost] = []
    for rnd in range(2):
        for target, db in ((empty, None), (full, million)):
            home = Path(tempfile.mkdtemp(prefix="bench-scale-flat-"))
            try:
                progress(f"database work for {FLAT_FILES:,} new files, round {rnd + 1}")
                target.append(batch_cost(db, home, FLAT_FILES, BATCH, seed=rnd))
            finally:
                shutil.rmtree(home, ignore_errors=True)
    return empty, full


def _flat_table(flat: tuple[list[BatchCost], list[BatchCost]]) -> None:
    say(f"\ndatabase CPU ms per new file (batches of {BATCH}, {FLAT_FILES:,} files a round)")
    rows: list[list[Cell]] = []
    full = f"{flat[1][0].library_files:,} photos"
    for name, costs in (("empty library", flat[0]), (full, flat[1])):
        for i, c in enumerate(costs, 1):
            rows.append([f"{name} #{i}", c.claim_ms, c.known_ms, c.commit_ms, c.total_ms])
    say(table(["library / round", "claim", "known?", "commit", "total"], rows))


def _postgres(ctx: BenchContext) -> None:
    folder = medium_files(ctx.scale_pg_files)
    say(f"\nPostgreSQL: worker processes on one job ({ctx.scale_pg_files:,} 640x480 JPEGs)")
    with pg_server() as server:
        runs = []
        for workers in (1, 2, 4):
            url = server.create_database(f"scale_{workers}")
            home = Path(tempfile.mkdtemp(prefix="bench-scale-pg-"))
            try:
                progress(f"PostgreSQL job with {workers} worker processes")
                runs.append(multi_worker_job(url, folder, workers, home))
            finally:
                shutil.rmtree(home, ignore_errors=True)
        cost = commit_cost(server, server.create_database("scale_commit"), 2000, BATCH)
    base = runs[0].files_per_second
    say(
        table(
            ["worker processes", "files/s", "x one worker", "CPU ms/file"],
            [
                [
                    str(r.workers),
                    r.files_per_second,
                    r.files_per_second / base,
                    1000 * r.cpu_seconds / r.files,
                ]
                for r in runs
            ],
        )
    )
    host = max(r.files_per_second for r in runs)
    batches_per_host = host / BATCH
    per_core = 1000 / cost.server_cpu_ms if cost.server_cpu_ms > 0 else float("inf")
    say(
        f"a batch of {BATCH} costs the server {cost.server_cpu_ms:.2f} ms of CPU (claim, "
        f"look-ups, commit; {cost.wall_ms:.2f} ms wall per commit from one client);\n"
        f"one host like this one ({host:.0f} files/s) sends {batches_per_host:.1f} batches/s, so "
        f"one server core feeds about {per_core / batches_per_host:,.0f} such hosts before it binds"
    )
