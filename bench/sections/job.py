"""Issue 4 section 6 (and issue 16 at 10,000): a real worker importing the corpus into SQLite,
against the floor.

On the whole corpus and on its JPEG-only split (hard links to the JPEGs: the floor decodes HEIC
in full, which flatters the job on the whole corpus), A B A B A B: the end-to-end job
(``create_job`` -> detached worker -> COMPLETED, in a fresh library each time), then the floor
over the same files in a pool of the same size. Printed: files/s and CPU ms per file of each,
the median ratios (target >= 0.85; >= 0.9 for 10,000 files and more, issue 16, whose corpus is
``bench.assemble``'s: phone JPEG and HEIC plus the real RAW and video samples), the pipeline
alone, where the job's wall time goes, and the database time per file.
"""

from __future__ import annotations

import os
import shutil
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
from bench.plan import PhotoFormat
from bench.report import Cell, heading, progress, say, table
from bench.synth import Corpus

TARGET_RATIO = 0.85
SCALE_FILES, SCALE_TARGET = 10_000, 0.9  # issue 16: the whole job at 10,000 photos


def target_for(files: int) -> float:
    return SCALE_TARGET if files >= SCALE_FILES else TARGET_RATIO


def _job_side(source: Path, workers: int, size: int, runs: list[JobRun]) -> PassResult:
    run = run_import_job(source, workers)
    runs.append(run)
    return PassResult("end-to-end job", run.files, size, run.seconds, run.cpu_seconds)


def _floor_side(pool: ProcessPoolExecutor, paths: list[Path], size: int) -> PassResult:
    return floor_pass(pool, paths, size)[0]


def _show(split: str, result: PassResult) -> None:
    progress(f"job vs floor, {split}: {result.label} {result.files_per_second:.1f} files/s")


def jpeg_only_folder(corpus: Corpus) -> Path:
    """A folder of hard links to the corpus's JPEGs (same layout), made once beside the corpus."""
    root = corpus.root.with_name(corpus.root.name + "-jpeg")
    if not root.is_dir():
        partial_root = root.with_name(root.name + ".partial")
        shutil.rmtree(partial_root, ignore_errors=True)
        for f in corpus.only(PhotoFormat.JPEG):
            target = partial_root / f.path.relative_to(corpus.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(f.path, target)
        partial_root.rename(root)
    return root


def run(ctx: BenchContext) -> list[Comparison]:
    corpus = ctx.corpus
    heading(f"end-to-end job vs floor: {len(corpus.files):,} files, {ctx.workers} processes")
    mix = ", ".join(f"{len(corpus.only(f)):,} {f.value}" for f in PhotoFormat if corpus.only(f))
    say(f"corpus: {corpus.root.name} ({mix}; {corpus.total_bytes / 1e9:.1f} GB)")
    jpegs = corpus.only(PhotoFormat.JPEG)
    splits = {
        "whole corpus": (corpus.root, corpus.files),
        "JPEG only": (jpeg_only_folder(corpus), jpegs),
    }
    comparisons: list[Comparison] = []
    runs: dict[str, list[JobRun]] = {}
    with make_pool(ctx.workers) as pool:
        floor_pass(pool, [f.path for f in jpegs[: ctx.workers * 2]], 0)  # warm the pool
        for name, (folder, files) in splits.items():
            paths = [f.path for f in files]
            size = sum(f.size for f in files)
            runs[name] = []
            comparisons.append(
                alternate(
                    name,
                    partial(_job_side, folder, ctx.workers, size, runs[name]),
                    partial(_floor_side, pool, paths, size),
                    ctx.rounds,
                    on_pass=partial(_show, name),
                )
            )
        all_paths = [f.path for f in corpus.files]
        pipeline, results = pipeline_pass(pool, all_paths, corpus.total_bytes)
    db = time_database(results, batch=max(4, 4 * ctx.workers))
    _print_comparisons(comparisons, target_for(len(corpus.files)))
    job_cpu = statistics.median(r.cpu_ms_per_file for r in comparisons[0].candidate)
    say(
        f"whole corpus, pipeline alone (one pass, same pool): {pipeline.files_per_second:.1f}"
        f" files/s, {pipeline.cpu_ms_per_file:.1f} CPU ms/file; the job: {job_cpu:.1f} CPU"
        " ms/file (it adds the worker's start-up, the known-content check, the database"
        " and the grouping)"
    )
    _print_phases(runs)
    say(
        f"\ndatabase time per file (worker's batch of {db.batch}, replayed in-process): "
        f"{db.total_ms:.2f} ms = claim {db.claim_ms:.2f} + known-content lookup {db.known_ms:.2f}"
        f" + building rows {db.rows_ms:.2f} + commit {db.commit_ms:.2f}"
    )
    every = [r for rs in runs.values() for r in rs]
    say(
        f"job errors per run: {sorted({r.errors for r in every})}; peak worker RSS "
        f"{max(r.peak_worker_rss for r in every) / 2**20:.0f} MiB, with its pool "
        f"{max(r.peak_tree_rss for r in every) / 2**20:.0f} MiB"
    )
    return comparisons


def _print_comparisons(comparisons: list[Comparison], target: float) -> None:
    rows: list[list[Cell]] = []
    for comp in comparisons:
        for i, (a, b) in enumerate(zip(comp.candidate, comp.floor, strict=True), 1):
            rows.append(
                [
                    f"{comp.name} #{i}",
                    a.files_per_second,
                    b.files_per_second,
                    a.files_per_second / b.files_per_second,
                    a.cpu_ms_per_file,
                    b.cpu_ms_per_file,
                    b.cpu_ms_per_file / a.cpu_ms_per_file,
                ]
            )
    headers = ["split / round", "job f/s", "floor f/s", "ratio"]
    headers += ["job CPU ms/f", "floor CPU ms/f", "CPU ratio"]
    say(table(headers, rows))
    say()
    for comp in comparisons:
        verdict = "ok" if comp.median_ratio >= target else "BELOW TARGET"
        cpu_verdict = "ok" if comp.median_cpu_ratio >= target else "BELOW TARGET"
        job_ms = statistics.median(1000 * r.seconds / r.files for r in comp.candidate)
        floor_ms = statistics.median(1000 * r.seconds / r.files for r in comp.floor)
        say(
            f"{comp.name}: median ratio job/floor {comp.median_ratio:.3f} (>= {target}"
            f" {verdict}), by CPU time {comp.median_cpu_ratio:.3f} ({cpu_verdict}); wall ms per"
            f" file: job {job_ms:.1f}, floor {floor_ms:.1f}"
        )


def _print_phases(runs: dict[str, list[JobRun]]) -> None:
    say("\nwhere a job's wall time goes (seconds, from the rows' timestamps)")
    rows: list[list[Cell]] = []
    for name, split_runs in runs.items():
        for i, r in enumerate(split_runs, 1):
            p = r.phases
            rate = (r.files - 1) / p.items if p.items > 0 else 0.0
            rows.append(
                [
                    f"{name} #{i}",
                    r.seconds,
                    p.to_started,
                    p.to_first_item,
                    p.items,
                    rate,
                    p.to_completed,
                ]
            )
    headers = ["split / round", "total", "worker start", "to 1st item", "items", "items/s"]
    say(table([*headers, "to COMPLETED"], rows))
