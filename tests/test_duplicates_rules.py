"""Keep-best rules, merge plans and group kinds: the pure parts of photoimport.duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photoimport.duplicates.kinds import Shot, group_with_kinds, sha_pair
from photoimport.duplicates.merge import Facts, merge_changes
from photoimport.duplicates.rules import (
    _COPY_NAME,
    choose_keeper,
    looks_like_copy,
    parse_rules,
    rule_scores,
)
from photoimport.duplicates.values import (
    ONLY_ONE,
    TIE,
    GroupKind,
    KeeperChoice,
    KeepRule,
    KeepRules,
    Member,
)
from photoimport.enums import Confidence
from photoimport.errors import DuplicatesError

BASE = Member(
    file_id=1,
    sha256="a",
    path="/p/IMG_0001.JPG",
    name="IMG_0001.JPG",
    format="JPEG",
    size=2_000_000,
    width=4032,
    height=3024,
    effective_local=None,
    confidence=Confidence.NONE,
    make=None,
    model=None,
    has_gps=False,
    has_raw=False,
    discarded=False,
    thumbnail=None,
)


def member(file_id: int, **changes: object) -> Member:
    return replace(BASE, file_id=file_id, sha256=str(file_id), **changes)  # type: ignore[arg-type]


def test_original_beats_a_messenger_copy_with_more_bytes() -> None:
    original = member(1, make="Apple", model="iPhone 12")
    copy = member(2, name="IMG-20210101-WA0003.jpg", size=9_000_000)
    choice = choose_keeper([copy, original], KeepRules())
    assert choice.keeper == 1
    assert choice.rule == KeepRule.ORIGINAL.label


def test_rules_apply_in_order_and_name_the_deciding_one() -> None:
    small = member(1, width=100, height=100, confidence=Confidence.HIGH)
    big = member(2, confidence=Confidence.LOW)
    assert choose_keeper([small, big], parse_rules("pixels")).rule == "more pixels"
    assert choose_keeper([small, big], parse_rules("pixels")).keeper == 1
    chosen = choose_keeper([small, big], parse_rules("date,pixels"))
    assert (chosen.keeper, chosen.rule) == (0, "date with higher confidence")


def test_everything_equal_is_a_tie_won_by_the_lowest_id() -> None:
    order = (KeepRule.PIXELS, KeepRule.LARGER)
    choice = choose_keeper([member(5), member(3)], KeepRules(order=order))
    assert (choice.keeper, choice.rule) == (1, TIE)


def test_preferred_folder_and_raw() -> None:
    a = member(1, path="/backup/x.jpg")
    b = member(2, path="/photos/2021/x.jpg")
    rules = KeepRules(preferred_folders=("/photos",))
    assert choose_keeper([a, b], rules).keeper == 1
    assert (
        choose_keeper(
            [a, replace(b, has_raw=False), replace(a, file_id=3, has_raw=True)], parse_rules("raw")
        ).rule
        == "has a RAW beside it"
    )


def test_parse_rules_puts_named_rules_first_and_refuses_unknown_names() -> None:
    rules = parse_rules("larger, pixels")
    assert rules.order[:2] == (KeepRule.LARGER, KeepRule.PIXELS)
    assert set(rules.order) == set(KeepRule)
    with pytest.raises(DuplicatesError, match="unknown keep rule 'biggest'"):
        parse_rules("biggest")


def one_rule_at_a_time(members: list[Member], rules: KeepRules) -> KeeperChoice:
    """The rules as issue 13 states them: each keeps the best of those still in the running;
    the one that leaves a single member decided; all tied: the lowest id, then the first."""
    if len(members) == 1:
        return KeeperChoice(0, ONLY_ONE)
    scores = rule_scores(rules)
    running = list(range(len(members)))
    for rule in rules.order:
        if rule is KeepRule.PREFERRED_FOLDER and not rules.preferred_folders:
            continue
        values = [scores[rule](members[i]) for i in running]
        running = [i for i, v in zip(running, values, strict=True) if v == max(values)]
        if len(running) == 1:
            return KeeperChoice(running[0], rule.label)
    return KeeperChoice(min(running, key=lambda i: (members[i].file_id, i)), TIE)


# few values per fact, so that rules tie often and the later ones decide
MEMBERS = st.builds(
    member,
    st.integers(1, 4),  # the same id twice: an exact group lists one photo per path
    width=st.sampled_from([1600, 4032]),
    size=st.sampled_from([1_000_000, 2_000_000]),
    confidence=st.sampled_from(list(Confidence)),
    make=st.sampled_from([None, "Apple"]),
    has_raw=st.booleans(),
    has_gps=st.booleans(),
    effective_local=st.sampled_from([None, "2021-04-11T20:47:53"]),
    name=st.sampled_from(["IMG_0001.JPG", "IMG-20210101-WA0003.jpg", "x (1).jpg"]),
    path=st.sampled_from(["/p/a.jpg", "/photos/2021/a.jpg", "/photos/b.jpg", "/chat/x.jpg"]),
)
RULES = st.builds(
    KeepRules,
    order=st.permutations(list(KeepRule)).map(tuple),
    preferred_folders=st.sampled_from([(), ("/photos",), ("/chat", "/p")]),
)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(MEMBERS, min_size=1, max_size=5), RULES)
def test_the_keeper_and_its_rule_are_those_of_one_rule_at_a_time(
    members: list[Member], rules: KeepRules
) -> None:
    assert choose_keeper(members, rules) == one_rule_at_a_time(members, rules)


def test_reordering_the_rules_changes_keeper_and_deciding_rule() -> None:
    raw = member(1, has_raw=True, size=1_000_000, width=1600, height=1200)
    big = member(2, size=5_000_000, width=1600, height=1200)
    wide = member(3, size=1_000_000)
    group = [raw, big, wide]
    assert choose_keeper(group, parse_rules("raw")) == KeeperChoice(0, "has a RAW beside it")
    assert choose_keeper(group, parse_rules("larger")) == KeeperChoice(1, "larger file")
    assert choose_keeper(group, parse_rules("pixels")) == KeeperChoice(2, "more pixels")
    assert choose_keeper(group, parse_rules("first-seen")) == KeeperChoice(0, "imported first")
    same = [member(7), member(7, path="/p/IMG_0001 (1).JPG")]  # one photo, two paths
    assert choose_keeper(same, KeepRules(order=(KeepRule.LARGER,))) == KeeperChoice(0, TIE)
    assert choose_keeper(same, parse_rules("shorter-path")) == KeeperChoice(0, "shorter path")


@pytest.mark.parametrize(
    ("name", "copy"),
    [
        ("IMG-20200101-WA0001.jpg", True),
        ("IMG_1234.JPG", False),
        ("photo (1).jpg", True),
        ("x_edited.jpg", True),
        ("PXL_20231011_101010123.jpg", False),
    ],
)
def test_copy_names(name: str, copy: bool) -> None:
    assert looks_like_copy(name) is copy


# pieces of every branch of the copy-name pattern, in several cases, with the non-ASCII letters
# a case-blind match takes for ASCII ones (İ ı ſ K) and non-ASCII whitespace
NAME_PIECES = [
    *("-WA", "-wa", "-wA", "0", "123", "4567", "WhatsApp", "whatſapp", "TELEGRAM", "signal-"),
    *("SIGNAL", "meſſenger", "Messenger", "_edited", "-EDITED", "edit", "edıt", "EDİT", "ed"),
    *("ited", "Screenshot", "(", ")", "copy", "COPY", "Kopie", "\u212aopie", "_copy", "-copy"),
    *(" ", "\u00a0", "\u2003", "\t", ".", "jpg", "IMG", "x", "é", "_", "-", "/"),
]


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(NAME_PIECES), max_size=8).map("".join))
def test_copy_names_are_those_the_pattern_finds(name: str) -> None:
    assert looks_like_copy(name) is (_COPY_NAME.search(name) is not None)


def facts(file_id: int, **changes: object) -> Facts:
    base = Facts(file_id, None, None, None, Confidence.NONE, False, None, None, None, None)
    return replace(base, **changes)  # type: ignore[arg-type]


WHEN = datetime(2021, 4, 11, 20, 47, 53, tzinfo=UTC)


def test_the_keeper_gets_a_better_date_gps_and_camera_from_its_copies() -> None:
    keeper = facts(1)
    original = facts(
        2,
        effective_utc=WHEN,
        effective_local="2021-04-11T15:47:53-05:00",
        effective_offset_minutes=-300,
        effective_confidence=Confidence.HIGH,
        gps_latitude=1.5,
        gps_longitude=2.5,
        make="Apple",
        model="iPhone 12",
    )
    changes = {c.field: (c.old, c.new) for c in merge_changes(keeper, [original])}
    assert changes["effective_utc"] == (None, WHEN)
    assert changes["effective_confidence"] == ("NONE", "HIGH")
    assert changes["gps_latitude"] == (None, 1.5)
    assert changes["model"] == (None, "iPhone 12")


def test_a_persons_date_or_a_better_date_is_never_replaced() -> None:
    better = facts(2, effective_utc=WHEN, effective_confidence=Confidence.HIGH)
    assert merge_changes(facts(1, date_decided=True), [better]) == []
    high = facts(1, effective_utc=WHEN, effective_confidence=Confidence.HIGH)
    assert merge_changes(high, [better]) == []


def hexed(value: int) -> str:
    return f"{value:016x}"


SHOTS = [
    Shot(1, "a", hexed(0xF0F0F0F0F0F0F0F0), "Apple iPhone", 100.0),
    Shot(2, "b", hexed(0xF0F0F0F0F0F0F0F1), None, None),  # a copy of 1 (1 bit)
    Shot(3, "c", hexed(0xF0F0F0F0F0F0FFFF), "Apple iPhone", 102.0),  # burst with 1 (12 bits)
    Shot(4, "d", hexed(0x0123456789ABCDEF), "Apple iPhone", 103.0),  # far from 3's pixels
    Shot(5, "e", hexed(0x0123456789ABCDEF), "X", None),  # the same hash as 4
    Shot(6, "f", None, "X", 1.0),  # no hash: never grouped
]


def test_copies_and_similar_shots_are_different_kinds() -> None:
    grouping = group_with_kinds(SHOTS, 6)
    kinds = {g.ids: g.kind for g in grouping.groups}
    assert kinds == {(1, 2, 3): GroupKind.SIMILAR, (4, 5): GroupKind.COPIES}
    assert grouping.copy_group == {1: 1, 2: 1, 4: 4, 5: 4}


def test_a_burst_needs_the_same_camera_within_seconds() -> None:
    late = [*SHOTS[:2], Shot(3, "c", SHOTS[2].phash, "Apple iPhone", 110.0)]
    assert {g.ids for g in group_with_kinds(late, 6).groups} == {(1, 2)}
    other = [*SHOTS[:2], Shot(3, "c", SHOTS[2].phash, "Pixel 7", 101.0)]
    assert {g.ids for g in group_with_kinds(other, 6).groups} == {(1, 2)}


def test_not_duplicates_are_never_grouped_again() -> None:
    grouping = group_with_kinds(SHOTS, 6, {sha_pair("e", "d"), sha_pair("a", "b")})
    assert {g.ids: g.kind for g in grouping.groups} == {(1, 3): GroupKind.SIMILAR}
    assert grouping.copy_group == {}
