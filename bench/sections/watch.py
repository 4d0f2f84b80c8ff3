"""Issue 6 figures: a watched folder's close-to-row latency and the watcher's idle CPU.

The measurement is ``bench.watch`` (written with the watcher); this section runs it with its
defaults: a burst of 1,000 small JPEGs, and 20 s idle windows on a folder of 10,000 files.
"""

from __future__ import annotations

from bench.context import BenchContext
from bench.report import heading
from bench.watch import run as run_watch


def run(ctx: BenchContext) -> None:
    heading("watched folders (bench.watch)")
    run_watch(ctx)
