"""Issue 3 section 4: near-duplicate grouping of 1,000,000 random 64-bit hashes (target < 60 s).

Times ``duplicates.grouping.near_group_labels`` (the numpy core that ``near_groups`` and the
worker use) at the default near-duplicate distance, on seeded random hashes plus a share of
planted near copies (a few bits flipped), so the union-find has real groups to join.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from bench.context import BenchContext
from bench.report import heading, say, table
from photoimport.duplicates.grouping import choose_agreement, near_group_labels
from photoimport.settings import ImportSettings

TARGET_SECONDS = 60.0
PLANTED_SHARE = 0.05  # of the hashes are near copies of another hash


def random_hashes(count: int, distance: int, seed: int = 64) -> npt.NDArray[np.uint64]:
    """``count`` random hashes; ``PLANTED_SHARE`` of them an earlier hash with bits flipped."""
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64, size=count, dtype=np.uint64)
    planted = int(count * PLANTED_SHARE)
    targets = rng.choice(np.arange(1, count), size=planted, replace=False)
    sources = rng.integers(0, targets)
    flips = np.zeros(planted, dtype=np.uint64)
    for _ in range(distance):
        flips |= np.left_shift(np.uint64(1), rng.integers(0, 64, size=planted, dtype=np.uint64))
    hashes[targets] = hashes[sources] ^ flips
    return hashes


def run(ctx: BenchContext) -> float:
    distance = ImportSettings().near_duplicate_distance
    heading(f"near-duplicate grouping: {ctx.hashes:,} hashes, distance {distance}")
    hashes = random_hashes(ctx.hashes, distance)
    start = time.perf_counter()
    labels = near_group_labels(hashes, distance)
    seconds = time.perf_counter() - start
    grouped = labels >= 0
    groups = np.unique(labels[grouped]).size
    verdict = "ok" if seconds < TARGET_SECONDS else "OVER TARGET"
    say(
        table(
            ["hashes", "bands agreeing", "grouped hashes", "groups", "seconds", "target"],
            [
                [
                    ctx.hashes,
                    choose_agreement(ctx.hashes, distance),
                    int(grouped.sum()),
                    groups,
                    seconds,
                    f"< {TARGET_SECONDS:.0f} s {verdict}",
                ]
            ],
        )
    )
    return seconds
