"""Issue 4 section 6: a real worker importing the corpus into SQLite, against the floor.

A B A B A B: the end-to-end job (``create_job`` -> detached worker -> COMPLETED, in a fresh
library each time) then the floor pass over the same files in a pool of the same size. Printed:
files/s of each, their median ratio (target >= 0.85), and the time per file the job spends
beyond the floor (database, listing, grouping, job overhead).
"""

from __future__ import annotations

import statistics
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from bench.context import BenchContext
from bench.dbtime import time_database
from bench.jobrun import JobRun, run_import_job
from bench.passes import (
    Comparison,
    PassResult,
    alternate,
    floor_pass,
    make_pool,
    pipeline_pass,
)
from bench.report import Cell, heading, progress, say, table

TARGET_RATIO = 0.85


def _job_side(source: Path, workers: int, size: int, runs: list[JobRun]) -> PassResult:
    run = run_import_job(source, workers)
    runs.append(run)
    return PassResult("end-to-end job", run.files, size, run.seconds, run.cpu_seconds)


def _floor_side(pool: ProcessPoolExecutor, paths: list[Path], size: int) -> PassResult:
    return floor_pass(pool, paths, size)[0]


def _show(result: PassResult) -> None:
    progress(f"job vs floor: {result.label} {result.files_per_second:.1f} files/s")


def run(ctx: BenchContext) -> Comparison:
    corpus = ctx.corpus
    heading(f"end-to-end job vs floor: {len(corpus.files)} files, {ctx.workers} processes")
    paths = [f.path for f in corpus.files]
    size = corpus.total_bytes
    runs: list[JobRun] = []
    with make_pool(ctx.workers) as pool:
        floor_pass(pool, paths[: ctx.workers * 2], 0)  # warm the pool
        comparison = alternate(
            "whole corpus",
            partial(_job_side, corpus.root, ctx.workers, size, runs),
            partial(_floor_side, pool, paths, size),
            ctx.rounds,
            on_pass=_show,
        )
        pipeline, results = pipeline_pass(pool, paths, size)
    db = time_database(results, batch=max(4, 4 * ctx.workers))
    rows: list[list[Cell]] = []
    for i, (a, b) in enumerate(zip(comparison.candidate, comparison.floor, strict=True), 1):
        rows.append(
            [
                f"#{i}",
                a.files_per_second,
                b.files_per_second,
                a.files_per_second / b.files_per_second,
            ]
        )
    say(table(["round", "job files/s", "floor files/s", "ratio"], rows))
    job_ms = statistics.median(1000 * r.seconds / r.files for r in comparison.candidate)
    floor_ms = statistics.median(1000 * r.seconds / r.files for r in comparison.floor)
    verdict = "ok" if comparison.median_ratio >= TARGET_RATIO else "BELOW TARGET"
    cpu_verdict = "ok" if comparison.median_cpu_ratio >= TARGET_RATIO else "BELOW TARGET"
    say(
        f"\nmedian ratio job/floor: {comparison.median_ratio:.3f} "
        f"(target >= {TARGET_RATIO}: {verdict}); by CPU time: {comparison.median_cpu_ratio:.3f} "
        f"({cpu_verdict}). The job's CPU includes the worker process (start-up, listing, "
        "database, grouping) and its pool."
    )
    say(
        f"wall time per file: job {job_ms:.1f} ms, floor {floor_ms:.1f} ms, "
        f"beyond the floor {job_ms - floor_ms:.1f} ms"
    )
    job_cpu = statistics.median(r.cpu_ms_per_file for r in comparison.candidate)
    say(
        f"pipeline alone (one pass, same pool): {pipeline.files_per_second:.1f} files/s, "
        f"{pipeline.cpu_ms_per_file:.1f} CPU ms/file; the job: {job_cpu:.1f} CPU ms/file"
    )
    say("\nwhere a job's wall time goes (seconds, from the rows' timestamps)")
    phase_rows: list[list[Cell]] = []
    for i, r in enumerate(runs, 1):
        p = r.phases
        rate = (r.files - 1) / p.items if p.items > 0 else 0.0
        phase_rows.append(
            [f"#{i}", r.seconds, p.to_started, p.to_first_item, p.items, rate, p.to_completed]
        )
    say(
        table(
            ["round", "total", "worker start", "to 1st item", "items", "items/s", "to COMPLETED"],
            phase_rows,
        )
    )
    say(
        f"database time per file (worker's batch of {db.batch}, replayed in-process): "
        f"{db.total_ms:.2f} ms = claim {db.claim_ms:.2f} + known-content lookup {db.known_ms:.2f}"
        f" + building rows {db.rows_ms:.2f} + commit {db.commit_ms:.2f}"
    )
    errors = {r.errors for r in runs}
    say(
        f"job errors per run: {sorted(errors)}; peak worker RSS "
        f"{max(r.peak_worker_rss for r in runs) / 2**20:.0f} MiB, with its pool "
        f"{max(r.peak_tree_rss for r in runs) / 2**20:.0f} MiB"
    )
    return comparison
