"""Timed passes over a list of files in one process pool: the pipeline, the floor, alternated.

One pool (sized to the cores, as the worker's) serves every pass, warmed up before timing, so
process start-up and imports are not charged to either side. Decode threads are set to 1 inside
the pool (``pipeline.configure_for_pool``), as the worker does. Each pipeline pass writes its
thumbnails to a fresh temporary folder, removed after the pass.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from bench.floor import FloorTimings, floor_file
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file


@dataclass(frozen=True)
class PassResult:
    label: str
    files: int
    bytes: int
    seconds: float  # wall clock
    cpu_seconds: float  # user + system CPU of the processes that did the work

    @property
    def cpu_ms_per_file(self) -> float:
        return 1000 * self.cpu_seconds / self.files

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds

    @property
    def mb_per_second(self) -> float:
        return self.bytes / self.seconds / 1e6


@dataclass(frozen=True)
class Comparison:
    """Alternated passes of a candidate (A) and the floor (B) over the same files."""

    name: str
    candidate: tuple[PassResult, ...]
    floor: tuple[PassResult, ...]

    @property
    def ratios(self) -> list[float]:
        return [
            a.files_per_second / b.files_per_second
            for a, b in zip(self.candidate, self.floor, strict=True)
        ]

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def cpu_ratios(self) -> list[float]:
        """Floor CPU per file / candidate CPU per file: the ratio with other load taken out."""
        return [
            b.cpu_ms_per_file / a.cpu_ms_per_file
            for a, b in zip(self.candidate, self.floor, strict=True)
        ]

    @property
    def median_cpu_ratio(self) -> float:
        return statistics.median(self.cpu_ratios)


def pool_cpu_seconds() -> float:
    """User + system CPU so far of this process's live children (the pool processes)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def make_pool(workers: int) -> ProcessPoolExecutor:
    """The pool both sides run in, set up as the worker sets up its pool (one decode thread)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=configure_for_pool)


def _process(job: tuple[Path, PipelineSettings]) -> FileResult:
    return process_file(*job)


def pipeline_pass(
    pool: ProcessPoolExecutor, paths: Sequence[Path], total_bytes: int, label: str = "pipeline"
) -> tuple[PassResult, list[FileResult]]:
    thumbs = Path(tempfile.mkdtemp(prefix="bench-thumbs-"))
    try:
        settings = PipelineSettings(thumbs_dir=thumbs, timezone="UTC")
        cpu = pool_cpu_seconds()
        start = time.perf_counter()
        results = list(pool.map(_process, [(p, settings) for p in paths]))
        seconds = time.perf_counter() - start
        cpu = pool_cpu_seconds() - cpu
    finally:
        shutil.rmtree(thumbs, ignore_errors=True)
    return PassResult(label, len(paths), total_bytes, seconds, cpu), results


def floor_pass(
    pool: ProcessPoolExecutor, paths: Sequence[Path], total_bytes: int, label: str = "floor"
) -> tuple[PassResult, list[FloorTimings]]:
    cpu = pool_cpu_seconds()
    start = time.perf_counter()
    results = list(pool.map(floor_file, paths))
    seconds = time.perf_counter() - start
    cpu = pool_cpu_seconds() - cpu
    return PassResult(label, len(paths), total_bytes, seconds, cpu), results


def warm_up(pool: ProcessPoolExecutor, paths: Sequence[Path], workers: int) -> None:
    """Read every file once (page cache) and run both sides once in every pool process."""
    for path in paths:
        path.read_bytes()
    sample = list(paths[: workers * 2])
    floor_pass(pool, sample, 0)
    pipeline_pass(pool, sample, 0)


def alternate(
    name: str,
    run_candidate: Callable[[], PassResult],
    run_floor: Callable[[], PassResult],
    rounds: int,
    on_pass: Callable[[PassResult], None] | None = None,
) -> Comparison:
    """A B A B ...: the candidate then the floor, ``rounds`` times each."""
    cand: list[PassResult] = []
    floor: list[PassResult] = []
    for _ in range(rounds):
        for out, run in ((cand, run_candidate), (floor, run_floor)):
            result = run()
            out.append(result)
            if on_pass is not None:
                on_pass(result)
    return Comparison(name, tuple(cand), tuple(floor))
