"""Exact and near-duplicate groups (pure: no database, no files).

* **Near** groups: files whose 64-bit perceptual hashes differ in at most ``max_distance`` bits,
  joined transitively with union-find. No one-member groups. Files without a perceptual hash
  (nearly flat pictures, errors) never join a group.

Near grouping is sub-quadratic, by the pigeonhole principle over bit bands (multi-index hashing):
split the 64 bits into ``k = max_distance + s`` bands. Two hashes at distance <= ``max_distance``
differ in at most ``max_distance`` bands, so they agree exactly on at least ``s`` bands, and
therefore share the key "their bits on some ``s`` bands". For each of the ``C(k, s)`` band
combinations the hashes are sorted by that key (numpy); only hashes with equal keys become
candidate pairs, and candidates are verified with a popcount of their XOR. ``s = 1`` is the
classic scheme (``k = max_distance + 1`` bands, one exact band). With many hashes, one band of
64 / 7 bits puts thousands of hashes in each bucket, so ``s`` is chosen from the number of hashes
to keep buckets small (1,000,000 random hashes at distance 6: ``s = 2``, 28 keys of 16 bits).
Identical hashes are collapsed first, so a thousand copies of one picture cost nothing.

``near_group_labels(hashes, max_distance)`` is the numpy core (the benchmark times it on
1,000,000 hashes); ``near_groups`` takes and returns dataclasses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

import numpy as np
import numpy.typing as npt

from photoimport.settings import SETTINGS_BY_NAME

HASH_BITS: Final = 64
_SORT_COST: Final = 8.0  # cost of sorting one hash by one key, in units of one candidate check

Hashes = npt.NDArray[np.uint64]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Fingerprint:
    """What grouping needs to know about one file."""

    id: int
    sha256: str
    phash: str | None  # 16 hex digits, or None (nearly flat picture, or no picture)


@dataclass(frozen=True)
class DuplicateGroup:
    """Ids of files that are duplicates of each other, in ascending order (always two or more)."""

    ids: tuple[int, ...]


def near_groups(items: Iterable[Fingerprint], max_distance: int) -> list[DuplicateGroup]:
    """Files whose perceptual hashes are within ``max_distance`` bits, joined transitively."""
    hashed = [item for item in items if item.phash is not None]
    if not hashed:
        return []
    ids = np.array([item.id for item in hashed], dtype=np.int64)
    hashes = hex_to_uint64([item.phash for item in hashed if item.phash is not None])
    labels = near_group_labels(hashes, max_distance)
    return groups_from_labels(ids, labels)


def groups_from_labels(ids: npt.NDArray[np.int64], labels: Labels) -> list[DuplicateGroup]:
    """Turn per-item labels (-1 = no group) into groups of ids, ordered by their smallest id."""
    grouped = labels >= 0
    if not grouped.any():
        return []
    member_ids, member_labels = ids[grouped], labels[grouped]
    order = np.lexsort((member_ids, member_labels))
    member_ids, member_labels = member_ids[order], member_labels[order]
    cuts = np.flatnonzero(np.diff(member_labels)) + 1
    groups = [DuplicateGroup(tuple(int(i) for i in part)) for part in np.split(member_ids, cuts)]
    return sorted(groups, key=lambda g: g.ids[0])


def hex_to_uint64(hexes: Sequence[str]) -> Hashes:
    """16-hex-digit perceptual hashes as an unsigned 64-bit array."""
    return np.array([int(h, 16) for h in hexes], dtype=np.uint64)


def near_group_labels(hashes: Hashes, max_distance: int, *, agree: int | None = None) -> Labels:
    """For each hash, the index of the first hash of its near group, or -1 when it has none.

    ``agree`` forces the number of bands two candidates must share (``s`` in the module
    docstring); by default it is chosen from the number of distinct hashes.
    """
    SETTINGS_BY_NAME["near_duplicate_distance"].check(max_distance)  # the one range
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    unique, inverse = np.unique(hashes, return_inverse=True)
    inverse = inverse.reshape(-1)
    parent = np.arange(unique.size, dtype=np.int64)
    if max_distance > 0 and unique.size > 1:
        shared = agree if agree is not None else choose_agreement(unique.size, max_distance)
        pairs = _candidate_pairs_within(unique, max_distance, shared)
        parent = _union_find_roots(unique.size, pairs)
    # each hash's group is its unique hash's root; groups need two or more members
    roots = parent[inverse]
    first_index = np.full(unique.size, hashes.size, dtype=np.int64)
    np.minimum.at(first_index, roots, np.arange(hashes.size, dtype=np.int64))
    sizes = np.bincount(roots, minlength=unique.size)
    labels = first_index[roots]
    labels[sizes[roots] < 2] = -1
    return labels


def unique_pairs_within(unique: Hashes, max_distance: int) -> npt.NDArray[np.int64]:
    """Index pairs (i < j) of *distinct* hashes at most ``max_distance`` bits apart (issue 13:
    ``duplicates.kinds`` builds its copy edges from them)."""
    SETTINGS_BY_NAME["near_duplicate_distance"].check(max_distance)  # the one range
    if max_distance == 0 or unique.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    shared = choose_agreement(unique.size, max_distance)
    return _candidate_pairs_within(unique, max_distance, shared)


def choose_agreement(count: int, max_distance: int) -> int:
    """How many exact bands to require (``s``), minimising sort work plus candidate checks."""
    best, best_cost = 1, math.inf
    for shared in range(1, 5):
        bands = max_distance + shared
        if bands > HASH_BITS:
            break
        key_bits = HASH_BITS * shared / bands
        candidates = count * count / 2.0 ** (key_bits + 1)
        cost = math.comb(bands, shared) * (count * _SORT_COST + candidates)
        if cost < best_cost:
            best, best_cost = shared, cost
    return best


def band_spans(bands: int) -> list[tuple[int, int]]:
    """(first bit, width) of ``bands`` contiguous bands covering all 64 bits (widths differ by
    at most 1)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for band in range(bands):
        width = HASH_BITS // bands + (1 if band < HASH_BITS % bands else 0)
        spans.append((start, width))
        start += width
    return spans


def band_masks(bands: int) -> list[int]:
    """Bit masks of the bands of ``band_spans``."""
    return [((1 << width) - 1) << start for start, width in band_spans(bands)]


def _candidate_pairs_within(
    hashes: Hashes, max_distance: int, shared: int
) -> npt.NDArray[np.int64]:
    """Verified pairs (i, j), i < j, of distinct hashes at most ``max_distance`` bits apart."""
    spans = band_spans(max_distance + shared)
    found: list[npt.NDArray[np.int64]] = []
    for combo in combinations(spans, shared):
        found.extend(_pairs_sharing_key(hashes, _band_key(hashes, combo), max_distance))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    codes = np.unique(pairs[:, 0] * hashes.size + pairs[:, 1])  # one row per pair
    return np.stack((codes // hashes.size, codes % hashes.size), axis=1)


def _band_key(
    hashes: Hashes, spans: tuple[tuple[int, int], ...]
) -> npt.NDArray[np.unsignedinteger]:
    """The bits of ``spans`` packed into the narrowest unsigned type (16-bit keys radix-sort)."""
    key = np.zeros(hashes.size, dtype=np.uint64)
    offset = 0
    for start, width in spans:
        band = (hashes >> np.uint64(start)) & np.uint64((1 << width) - 1)
        key |= band << np.uint64(offset)
        offset += width
    narrow = np.uint16 if offset <= 16 else np.uint32 if offset <= 32 else np.uint64
    return key.astype(narrow)


def _pairs_sharing_key(
    hashes: Hashes, keys: npt.NDArray[np.unsignedinteger], max_distance: int
) -> list[npt.NDArray[np.int64]]:
    """Pairs of hashes with equal keys that are really within ``max_distance`` bits."""
    order = np.argsort(keys, kind="stable")  # radix sort for 16-bit keys
    sorted_keys, sorted_hashes = keys[order], hashes[order]  # contiguous: no random gathers
    # positions i whose key equals the next one; the run continues only from those
    starts = np.flatnonzero(sorted_keys[:-1] == sorted_keys[1:])
    found: list[npt.NDArray[np.int64]] = []
    gap = 1
    while starts.size:
        distance = np.bitwise_count(sorted_hashes[starts] ^ sorted_hashes[starts + gap])
        close = starts[distance <= max_distance]
        if close.size:
            a, b = order[close], order[close + gap]
            found.append(np.stack((np.minimum(a, b), np.maximum(a, b)), axis=1))
        gap += 1
        starts = starts[starts + gap < sorted_keys.size]
        starts = starts[sorted_keys[starts] == sorted_keys[starts + gap]]
    return found


def _union_find_roots(count: int, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Union-find over ``pairs``; return each element's root (the smallest index of its set)."""
    parent = list(range(count))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for a, b in pairs.tolist():
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            if root_a < root_b:
                parent[root_b] = root_a
            else:
                parent[root_a] = root_b
    roots = np.arange(count, dtype=np.int64)
    for x in np.unique(pairs).tolist():
        roots[x] = find(x)
    return roots
