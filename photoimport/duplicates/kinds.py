"""Near groups with a kind (pure): "copies" when the pixels say so, "similar" for bursts.

* A **copy edge** joins two photos whose perceptual hashes are within the near-duplicate
  distance (re-encodes, resizes, messenger copies: ``grouping``).
* A **burst edge** joins two photos of the same camera taken at most ``BURST_SECONDS`` apart
  whose hashes are within ``SIMILAR_DISTANCE`` bits: shots of one burst, not copies.
* Pairs a person called "not duplicates" (by SHA-256, so they hold across rescans and later
  imports) are no edge at all.

Copy edges alone make the copy components (``File.near_group``: the pixels' fact). Copy and
burst edges together make the near groups: a group that a burst edge joined from two or more
copy components is ``SIMILAR``; a group of one copy component is ``COPIES``. Each photo is in
at most one near group.

Identical perceptual hashes give every pair an edge (a chain when more than ``_FULL_SET``
photos share one hash, which real libraries do not have).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Final

import numpy as np
import numpy.typing as npt

from photoimport.duplicates.grouping import hex_to_uint64, unique_pairs_within
from photoimport.duplicates.values import GroupKind

__all__ = [
    "BURST_SECONDS",
    "SIMILAR_DISTANCE",
    "KindedGroup",
    "NearGrouping",
    "Shot",
    "burst_pairs",
    "group_with_kinds",
]

BURST_SECONDS: Final = 5.0
SIMILAR_DISTANCE: Final = 20  # bits; copies are within the near-duplicate setting (default 6)
_FULL_SET: Final = 32
Pairs = npt.NDArray[np.int64]
SHAPairs = AbstractSet[tuple[str, str]]


@dataclass(frozen=True)
class Shot:
    """What near grouping needs to know about one photo."""

    id: int
    sha256: str
    phash: str | None
    camera: str | None  # make + model; None: unknown camera (never in a burst)
    taken: float | None  # effective capture time, POSIX seconds


@dataclass(frozen=True)
class KindedGroup:
    ids: tuple[int, ...]  # ascending
    kind: GroupKind


@dataclass(frozen=True)
class NearGrouping:
    groups: list[KindedGroup]
    copy_group: dict[int, int]  # photo id -> its copy component's smallest id (2+ members)


def sha_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def copy_pairs(hashes: npt.NDArray[np.uint64], max_distance: int) -> Pairs:
    """Index pairs (i < j) of photos within ``max_distance`` bits, identical hashes included."""
    unique, first, inverse, counts = np.unique(
        hashes, return_index=True, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    shared = np.flatnonzero(counts[inverse] > 1)  # photos whose hash another photo has too
    same: dict[int, list[int]] = {}
    for index, u in zip(shared.tolist(), inverse[shared].tolist(), strict=True):
        same.setdefault(u, []).append(index)
    found: list[tuple[int, int]] = []
    for items in same.values():
        found.extend(_set_pairs(items))
    pairs = unique_pairs_within(unique, max_distance)
    multi = (counts[pairs[:, 0]] > 1) | (counts[pairs[:, 1]] > 1)
    for u, v in pairs[multi].tolist():
        a, b = same[u] if u in same else [int(first[u])], same[v] if v in same else [int(first[v])]
        if len(a) * len(b) <= _FULL_SET:
            found.extend((x, y) for x in a for y in b)
        else:
            found.append((a[0], b[0]))
    single = first[pairs[~multi]].astype(np.int64)
    return np.concatenate((_as_pairs(found), _ordered(single)))


def burst_pairs(
    cameras: npt.NDArray[np.int64],
    taken: npt.NDArray[np.float64],
    hashes: npt.NDArray[np.uint64],
    distance: int = SIMILAR_DISTANCE,
    seconds: float = BURST_SECONDS,
) -> Pairs:
    """Index pairs of photos from one camera (code >= 0) within ``seconds`` and ``distance``."""
    usable = np.flatnonzero((cameras >= 0) & ~np.isnan(taken))
    order = usable[np.lexsort((taken[usable], cameras[usable]))]
    cam, when, hsh = cameras[order], taken[order], hashes[order]
    found: list[Pairs] = []
    starts = np.arange(max(order.size - 1, 0))
    gap = 1
    while starts.size:
        ends = starts + gap
        near = (cam[starts] == cam[ends]) & (when[ends] - when[starts] <= seconds)
        starts, ends = starts[near], ends[near]
        close = np.bitwise_count(hsh[starts] ^ hsh[ends]) <= distance
        if close.any():
            a, b = order[starts[close]], order[ends[close]]
            found.append(np.stack((np.minimum(a, b), np.maximum(a, b)), axis=1))
        gap += 1
        starts = starts[starts + gap < order.size]
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(found).astype(np.int64)


def group_with_kinds(
    shots: Iterable[Shot], max_distance: int, not_duplicates: SHAPairs = frozenset()
) -> NearGrouping:
    """Near groups with their kind, and each photo's copy component (see the module doc)."""
    hashed = [s for s in shots if s.phash is not None]
    if len(hashed) < 2:
        return NearGrouping([], {})
    hashes = hex_to_uint64([s.phash for s in hashed if s.phash is not None])
    cameras_seen: dict[str, int] = {}
    cameras = np.array(
        [
            -1 if s.camera is None else cameras_seen.setdefault(s.camera, len(cameras_seen))
            for s in hashed
        ],
        dtype=np.int64,
    )
    taken = np.array([np.nan if s.taken is None else s.taken for s in hashed], dtype=np.float64)
    shas = [s.sha256 for s in hashed]
    copies = _allowed(copy_pairs(hashes, max_distance), shas, not_duplicates)
    bursts = _allowed(burst_pairs(cameras, taken, hashes), shas, not_duplicates)
    copy_root = _roots(len(hashed), copies)
    root = _roots(len(hashed), np.concatenate((copies, bursts)))
    ids = np.array([s.id for s in hashed], dtype=np.int64)
    return NearGrouping(_kinded(ids, root, copy_root), _copy_groups(ids, copy_root))


def _set_pairs(items: Sequence[int]) -> list[tuple[int, int]]:
    if len(items) <= _FULL_SET:
        return list(combinations(items, 2))
    return list(pairwise(items))


def _as_pairs(found: list[tuple[int, int]]) -> Pairs:
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return _ordered(np.array(found, dtype=np.int64))


def _ordered(pairs: Pairs) -> Pairs:
    if not pairs.size:
        return np.empty((0, 2), dtype=np.int64)
    ordered: Pairs = np.stack((pairs.min(axis=1), pairs.max(axis=1)), axis=1)
    return ordered


def _allowed(pairs: Pairs, shas: Sequence[str], not_duplicates: SHAPairs) -> Pairs:
    if not not_duplicates or not pairs.size:
        return pairs
    keep = [sha_pair(shas[a], shas[b]) not in not_duplicates for a, b in pairs.tolist()]
    allowed: Pairs = pairs[np.array(keep, dtype=bool)]
    return allowed


def _roots(count: int, pairs: Pairs) -> npt.NDArray[np.int64]:
    """Union-find over ``pairs``: each index's root (the smallest index of its component)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.arange(count, dtype=np.int64)
    for x in parent:
        roots[x] = find(x)
    return roots


def _components(root: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    """Index arrays of the components of two or more members."""
    moved = np.flatnonzero(root != np.arange(root.size))
    members = np.unique(np.concatenate((moved, root[moved])))
    if not members.size:
        return []
    order = members[np.argsort(root[members], kind="stable")]
    cuts = np.flatnonzero(np.diff(root[order])) + 1
    return np.split(order, cuts)


def _kinded(
    ids: npt.NDArray[np.int64], root: npt.NDArray[np.int64], copy_root: npt.NDArray[np.int64]
) -> list[KindedGroup]:
    groups = []
    for members in _components(root):
        copies = np.unique(copy_root[members]).size == 1
        kind = GroupKind.COPIES if copies else GroupKind.SIMILAR
        groups.append(KindedGroup(tuple(sorted(ids[members].tolist())), kind))
    return sorted(groups, key=lambda g: g.ids[0])


def _copy_groups(ids: npt.NDArray[np.int64], copy_root: npt.NDArray[np.int64]) -> dict[int, int]:
    result: dict[int, int] = {}
    for members in _components(copy_root):
        group_ids = ids[members].tolist()
        first = min(group_ids)
        result.update(dict.fromkeys(group_ids, first))
    return result
