"""Issue 4 section 6: the worker's peak RSS on a 2,000-file job must not grow with the job's size.

Two jobs from the same generator, 200 and ``--rss-n`` (2,000) files, with smaller pictures
(1008x756: the question is memory per *item*, and rendering 2,000 12 MP photos, HEIC among
them, would take most of an hour). Peak RSS of the worker process alone and with its pool.
"""

from __future__ import annotations

from bench.context import BenchContext
from bench.jobrun import JobRun, run_import_job
from bench.report import Cell, heading, progress, say, table
from bench.synth import build_corpus

RSS_SIZE = (1008, 756)
SMALL_JOB = 200
ALLOWED_GROWTH = 1.2  # the big job's peak may be at most 20 % above the small one's


def run(ctx: BenchContext) -> list[JobRun]:
    heading(f"worker peak RSS: {SMALL_JOB} vs {ctx.rss_n} files ({RSS_SIZE[0]}x{RSS_SIZE[1]})")
    runs = []
    for n in (SMALL_JOB, ctx.rss_n):
        progress(f"corpus of {n} small photos (rendered once, then cached)")
        corpus = build_corpus(n, size=RSS_SIZE)
        progress(f"importing {n} files")
        runs.append(run_import_job(corpus.root, ctx.workers))
    rows: list[list[Cell]] = [
        [
            f"{r.files:,} files",
            r.peak_worker_rss / 2**20,
            r.peak_tree_rss / 2**20,
            r.files / r.seconds,
            r.errors,
        ]
        for r in runs
    ]
    say(table(["job", "worker MiB", "worker+pool MiB", "files/s", "errors"], rows))
    growth = runs[1].peak_worker_rss / runs[0].peak_worker_rss
    verdict = "ok" if growth <= ALLOWED_GROWTH else "GROWS WITH THE JOB"
    say(f"\nworker peak RSS {runs[1].files:,} / {runs[0].files:,} files: {growth:.2f}x ({verdict})")
    return runs
