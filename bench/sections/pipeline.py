"""Issue 3 section 4: ``process_file`` over the corpus against the floor, A B A B A B.

Printed: files/s and MB/s of every pass, the median pipeline/floor ratio on the whole corpus and
on the JPEG-only split, by wall clock and by the pool's CPU time; then per-stage milliseconds for
JPEG and HEIC, from the pipeline's own ``FileResult.timings`` (in the pool) and from a
single-threaded run that does the floor then the pipeline on each file in turn.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from functools import partial
from pathlib import Path

from bench.context import BenchContext
from bench.floor import FloorTimings, floor_file
from bench.passes import (
    Comparison,
    PassResult,
    alternate,
    floor_pass,
    make_pool,
    pipeline_pass,
    warm_up,
)
from bench.plan import PhotoFormat, PhotoKind
from bench.report import Cell, heading, progress, say, table
from bench.synth import CorpusFile
from photoimport.pipeline import (
    FileResult,
    PipelineSettings,
    StageTimings,
    configure_for_pool,
    process_file,
)

TARGET_RATIO = 0.9
SINGLE_SAMPLE = {PhotoFormat.JPEG: 30, PhotoFormat.HEIC: 12}


def run(ctx: BenchContext) -> list[Comparison]:
    corpus = ctx.corpus
    heading(f"pipeline vs floor: {len(corpus.files)} files, {ctx.workers} processes")
    say(f"corpus: {corpus.root} ({corpus.total_bytes / 1e6:,.1f} MB)")
    splits = {
        "whole corpus": corpus.files,
        "JPEG only": corpus.only(PhotoFormat.JPEG),
    }
    comparisons: list[Comparison] = []
    whole_results: list[FileResult] = []
    with make_pool(ctx.workers) as pool:
        warm_up(pool, [f.path for f in corpus.files], ctx.workers)
        for name, files in splits.items():
            paths = [f.path for f in files]
            size = sum(f.size for f in files)
            keep = whole_results if name == "whole corpus" else []
            comparisons.append(
                alternate(
                    name,
                    partial(_pipeline_side, pool, paths, size, keep),
                    partial(_floor_side, pool, paths, size),
                    ctx.rounds,
                    on_pass=partial(_show_pass, name),
                )
            )
    _print_passes(comparisons)
    _print_errors(whole_results)
    _print_stages(corpus.files, whole_results)
    return comparisons


def _pipeline_side(
    pool: ProcessPoolExecutor, paths: list[Path], size: int, keep: list[FileResult]
) -> PassResult:
    result, results = pipeline_pass(pool, paths, size)
    keep[:] = results
    return result


def _floor_side(pool: ProcessPoolExecutor, paths: list[Path], size: int) -> PassResult:
    return floor_pass(pool, paths, size)[0]


def _show_pass(split: str, result: PassResult) -> None:
    progress(f"{split}: {result.label} {result.files_per_second:.1f} files/s")


def _print_passes(comparisons: Sequence[Comparison]) -> None:
    rows: list[list[Cell]] = []
    for comp in comparisons:
        for i, (a, b) in enumerate(zip(comp.candidate, comp.floor, strict=True), start=1):
            for r in (a, b):
                rows.append(
                    [
                        f"{comp.name} #{i}",
                        r.label,
                        r.files_per_second,
                        r.mb_per_second,
                        r.cpu_ms_per_file,
                    ]
                )
    say(table(["split / round", "side", "files/s", "MB/s", "CPU ms/file"], rows))
    say()
    rows = []
    for comp in comparisons:
        verdict = "ok" if comp.median_ratio >= TARGET_RATIO else "BELOW TARGET"
        cpu_verdict = "ok" if comp.median_cpu_ratio >= TARGET_RATIO else "BELOW TARGET"
        rows.append(
            [
                comp.name,
                statistics.median(r.files_per_second for r in comp.candidate),
                statistics.median(r.files_per_second for r in comp.floor),
                comp.median_ratio,
                " ".join(f"{r:.2f}" for r in comp.ratios),
                verdict,
                statistics.median(r.cpu_ms_per_file for r in comp.candidate),
                statistics.median(r.cpu_ms_per_file for r in comp.floor),
                comp.median_cpu_ratio,
                cpu_verdict,
            ]
        )
    headers = ["split", "pipeline f/s", "floor f/s", "ratio", "per round", f">= {TARGET_RATIO}"]
    headers += ["pipe CPU ms/f", "floor CPU ms/f", "CPU ratio", f">= {TARGET_RATIO}"]
    say(table(headers, rows))
    say(
        "ratio: pipeline files/s / floor files/s (wall clock, median of the rounds); CPU ratio:"
        " floor CPU ms per file / pipeline CPU ms per file, summed over the pool processes"
        " (other load on the machine hardly moves it)."
    )


def _print_errors(results: Sequence[FileResult]) -> None:
    errors = [r.error for r in results if r.error is not None]
    say(f"\npipeline errors on the synthetic corpus: {len(errors)} of {len(results)}")
    for error in errors[:5]:
        say(f"  {error}")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _print_stages(files: Sequence[CorpusFile], results: Sequence[FileResult]) -> None:
    fmt_of = {f.path: f.format for f in files}
    stage_names = [f.name for f in fields(StageTimings)]
    say("\nper-stage ms (median), pipeline in the pool: FileResult.timings of the last pass")
    rows: list[list[Cell]] = []
    for fmt in PhotoFormat:
        timings = [r.timings for r in results if fmt_of.get(r.path) is fmt]
        values = [_median([getattr(t, s) for t in timings]) for s in stage_names]
        rows.append([f"{fmt} ({len(timings)})", *values])
    say(table(["format", *stage_names], rows))
    _print_single_threaded(files)


def _print_single_threaded(files: Sequence[CorpusFile]) -> None:
    """File by file in this process: the floor then the pipeline on each file (robust to
    other load, which changes between passes far more than between two calls)."""
    say(
        f"\nsingle-threaded, file by file (floor then pipeline on each of up to "
        f"{SINGLE_SAMPLE[PhotoFormat.JPEG]} JPEG / {SINGLE_SAMPLE[PhotoFormat.HEIC]} HEIC "
        "originals), median ms"
    )
    configure_for_pool()
    thumbs = Path(tempfile.mkdtemp(prefix="bench-thumbs-"))
    settings = PipelineSettings(thumbs_dir=thumbs, timezone="UTC")
    floor_stages = ["read", "sha256", "open", "decode", "thumbnail", "exif"]
    rows: list[list[Cell]] = []
    try:
        for fmt, limit in SINGLE_SAMPLE.items():  # RAW and video: the media section's
            sample = [f.path for f in files if f.format is fmt and f.kind is PhotoKind.ORIGINAL]
            floors: list[FloorTimings] = []
            pipes: list[float] = []
            for path in sample[:limit]:
                floors.append(floor_file(path))
                start = time.perf_counter()
                process_file(path, settings)
                pipes.append((time.perf_counter() - start) * 1000)
            values = [_median([getattr(t, s) for t in floors]) for s in floor_stages]
            floor_total = _median([t.total for t in floors])
            pipe_total = _median(pipes)
            rows.append(
                [
                    f"{fmt} ({len(floors)})",
                    *values,
                    floor_total,
                    pipe_total,
                    floor_total / pipe_total,
                ]
            )
    finally:
        shutil.rmtree(thumbs, ignore_errors=True)
    headers = ["format", *(f"floor {s}" for s in floor_stages), "floor", "pipeline", "ratio"]
    say(table(headers, rows))
