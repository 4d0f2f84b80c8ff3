"""Issue 3 section 4: ``process_file`` over the corpus against the floor, A B A B A B.

Printed: files/s and MB/s of every pass, the median pipeline/floor ratio on the whole corpus and
on the JPEG-only split, then per-stage milliseconds for JPEG and HEIC, from the pipeline's own
``FileResult.timings`` (in the pool) and from a single-threaded run of the floor.
"""

from __future__ import annotations

import statistics
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
from bench.plan import PhotoFormat
from bench.report import Cell, heading, progress, say, table
from bench.synth import CorpusFile
from photoimport.pipeline import FileResult, StageTimings

TARGET_RATIO = 0.9
FLOOR_SAMPLE_PER_FORMAT = 30


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
                rows.append([f"{comp.name} #{i}", r.label, r.files_per_second, r.mb_per_second])
    say(table(["split / round", "side", "files/s", "MB/s"], rows))
    say()
    rows = []
    for comp in comparisons:
        verdict = "ok" if comp.median_ratio >= TARGET_RATIO else "BELOW TARGET"
        ratios = " ".join(f"{r:.3f}" for r in comp.ratios)
        rows.append(
            [
                comp.name,
                statistics.median(r.files_per_second for r in comp.candidate),
                statistics.median(r.files_per_second for r in comp.floor),
                comp.median_ratio,
                ratios,
                f">= {TARGET_RATIO} {verdict}",
            ]
        )
    say(
        table(
            ["split", "pipeline files/s", "floor files/s", "ratio", "ratios", "target"],
            rows,
        )
    )


def _print_errors(results: Sequence[FileResult]) -> None:
    errors = [r.error for r in results if r.error is not None]
    say(f"\npipeline errors on the synthetic corpus: {len(errors)} of {len(results)}")
    for error in errors[:5]:
        say(f"  {error}")


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _print_stages(files: Sequence[CorpusFile], results: Sequence[FileResult]) -> None:
    fmt_of = {f.path: f.format for f in files}
    stage_names = [f.name for f in fields(StageTimings)]
    say("\nper-stage ms, pipeline (FileResult.timings, in the pool, last whole-corpus pass)")
    rows: list[list[Cell]] = []
    for fmt in PhotoFormat:
        timings = [r.timings for r in results if fmt_of.get(r.path) is fmt]
        values = [_mean([getattr(t, s) for t in timings]) for s in stage_names]
        rows.append([f"{fmt} ({len(timings)})", *values, sum(values)])
    say(table(["format", *stage_names, "total"], rows))

    say(f"\nper-stage ms, floor (single-threaded, up to {FLOOR_SAMPLE_PER_FORMAT} files a format)")
    rows = []
    floor_stages = ["read", "sha256", "open", "decode", "thumbnail", "exif"]
    for fmt in PhotoFormat:
        sample = [f.path for f in files if f.format is fmt][:FLOOR_SAMPLE_PER_FORMAT]
        measured: list[FloorTimings] = [floor_file(p) for p in sample]
        values = [_mean([getattr(t, s) for t in measured]) for s in floor_stages]
        rows.append([f"{fmt} ({len(measured)})", *values, sum(values)])
    say(table(["format", *floor_stages, "total"], rows))
