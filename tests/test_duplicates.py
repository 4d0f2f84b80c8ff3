"""Exact groups by SHA-256 and near groups by perceptual-hash distance (checked by brute force)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from photoimport.duplicates.grouping import (
    DuplicateGroup,
    Fingerprint,
    band_masks,
    choose_agreement,
    groups_from_labels,
    hex_to_uint64,
    near_group_labels,
    near_groups,
)
from photoimport.errors import ConfigError

U64 = npt.NDArray[np.uint64]


def brute_force_partition(hashes: U64, max_distance: int) -> set[frozenset[int]]:
    """Reference: all-pairs distances, then connected components (quadratic, small inputs)."""
    n = hashes.size
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for i in range(n):
        close = np.flatnonzero(np.bitwise_count(hashes[i + 1 :] ^ hashes[i]) <= max_distance)
        for j in (close + i + 1).tolist():
            parent[find(j)] = find(i)
    components: dict[int, set[int]] = {}
    for i in range(n):
        components.setdefault(find(i), set()).add(i)
    return {frozenset(c) for c in components.values() if len(c) > 1}


def partition_of(labels: npt.NDArray[np.int64]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels.tolist()):
        if label >= 0:
            groups.setdefault(label, set()).add(index)
    return {frozenset(g) for g in groups.values()}


def clustered_hashes(rng: np.random.Generator, centres: int, per_centre: int, bits: int) -> U64:
    """Random centres, each with copies that have up to ``bits`` random bits flipped."""
    base = rng.integers(0, 2**64, size=centres, dtype=np.uint64)
    out = [base]
    for _ in range(per_centre):
        flips = np.zeros(centres, dtype=np.uint64)
        for _ in range(int(rng.integers(0, bits + 1))):
            flips |= np.left_shift(np.uint64(1), rng.integers(0, 64, size=centres, dtype=np.uint64))
        out.append(base ^ flips)
    return np.concatenate(out)


def test_near_groups_join_transitively_and_leave_out_singletons_and_unhashed() -> None:
    items = [
        Fingerprint(10, "a", "ffff000000000000"),
        Fingerprint(11, "b", "ffff00000000000f"),  # 4 bits from 10
        Fingerprint(12, "c", "ffff0000000000ff"),  # 4 bits from 11, 8 from 10: joins through 11
        Fingerprint(13, "d", "0000ffffffff0000"),  # far from everyone
        Fingerprint(14, "e", None),  # flat picture: never grouped
        Fingerprint(15, "f", None),
        Fingerprint(16, "g", "0000ffffffff0000"),  # identical hash to 13
    ]
    assert near_groups(items, 4) == [DuplicateGroup((10, 11, 12)), DuplicateGroup((13, 16))]
    assert near_groups(items, 3) == [DuplicateGroup((13, 16))]
    assert near_groups(items, 0) == [DuplicateGroup((13, 16))]
    assert near_groups([Fingerprint(1, "a", None)], 6) == []


@pytest.mark.parametrize("max_distance", [1, 3, 6, 10])
@pytest.mark.parametrize("agree", [1, 2, 3])
def test_near_grouping_equals_brute_force(max_distance: int, agree: int) -> None:
    rng = np.random.default_rng(max_distance * 10 + agree)
    hashes = clustered_hashes(rng, centres=150, per_centre=4, bits=max_distance + 2)
    rng.shuffle(hashes)
    labels = near_group_labels(hashes, max_distance, agree=agree)
    assert partition_of(labels) == brute_force_partition(hashes, max_distance)
    # a label is the first index of its group
    for group in partition_of(labels):
        assert labels[min(group)] == min(group)


def test_hundred_thousand_random_hashes_with_planted_near_pairs() -> None:
    rng = np.random.default_rng(2024)
    base = rng.integers(0, 2**64, size=100_000, dtype=np.uint64)
    planted = 300
    flips = np.zeros(planted, dtype=np.uint64)
    for _ in range(5):  # distance 5 or less (bits may coincide)
        flips |= np.left_shift(np.uint64(1), rng.integers(0, 64, size=planted, dtype=np.uint64))
    hashes = np.concatenate([base, base[:planted] ^ flips])
    labels = near_group_labels(hashes, 6)
    for i in range(planted):
        assert labels[i] == labels[100_000 + i] >= 0
    # random 64-bit hashes are almost never within 6 bits: the planted pairs are all there is
    assert int((labels >= 0).sum()) == 2 * planted


def test_groups_from_labels_maps_indices_to_ids() -> None:
    ids = np.array([40, 41, 42, 43, 44], dtype=np.int64)
    labels = np.array([-1, 1, 0, 1, 0], dtype=np.int64)
    assert groups_from_labels(ids, labels) == [DuplicateGroup((41, 43)), DuplicateGroup((42, 44))]
    assert groups_from_labels(ids, np.full(5, -1, dtype=np.int64)) == []


def test_band_masks_cover_every_bit_once() -> None:
    for bands in (1, 7, 8, 9, 13, 64):
        masks = band_masks(bands)
        assert len(masks) == bands
        assert sum(masks) == 2**64 - 1
        assert all(a & b == 0 for i, a in enumerate(masks) for b in masks[i + 1 :])


def test_agreement_grows_with_the_number_of_hashes() -> None:
    assert choose_agreement(100, 6) == 1
    assert choose_agreement(1_000_000, 6) == 2


def test_hex_to_uint64_round_trips() -> None:
    values = hex_to_uint64(["ffffffffffffffff", "0000000000000001", "8c97878782733379"])
    assert values.dtype == np.uint64
    assert [f"{int(v):016x}" for v in values] == [
        "ffffffffffffffff",
        "0000000000000001",
        "8c97878782733379",
    ]


@pytest.mark.parametrize("distance", [-1, 25, 64])
def test_distance_out_of_range_is_a_config_error(distance: int) -> None:
    with pytest.raises(ConfigError, match="near_duplicate_distance must be between 0 and 24"):
        near_group_labels(np.zeros(3, dtype=np.uint64), distance)


def test_empty_and_single_inputs() -> None:
    assert near_group_labels(np.empty(0, dtype=np.uint64), 6).tolist() == []
    assert near_group_labels(np.array([5], dtype=np.uint64), 6).tolist() == [-1]
    assert near_group_labels(np.array([5, 5], dtype=np.uint64), 6).tolist() == [0, 0]
    assert near_groups([], 6) == []
