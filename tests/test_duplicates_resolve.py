"""Duplicate groups, decisions and undo on a real SQLite library."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import File
from photoimport.duplicates.copies import copy_paths
from photoimport.duplicates.groups import assign_near_groups
from photoimport.duplicates.queries import (
    GroupFilter,
    count_groups,
    get_group,
    list_groups,
    rules_outcome,
)
from photoimport.duplicates.resolve import (
    keep,
    keep_all,
    not_duplicates,
    preview_rules,
    resolve_by_rules,
    undo,
)
from photoimport.duplicates.values import Group, GroupKind, GroupOrder, KeepRules
from photoimport.enums import Confidence
from photoimport.errors import DuplicateDecisionNotFound, GroupNotFound, InvalidResolution
from photoimport.library.queries import FileFilter, list_files
from tests.duplicates_support import WHEN, add_job, add_photo, hexed

RULES = KeepRules()
A = 0xF0F0F0F0F0F0F0F0
BURST = 0x1234567890ABCDEF


@pytest.fixture
def library(sqlite_engine: Engine) -> dict[str, int]:
    """An exact group, a group of copies, a burst, a RAW variant and a photo alone."""
    job = add_job(sqlite_engine)
    ids = {
        "job": job,
        "exact": add_photo(
            sqlite_engine,
            job,
            "e" * 64,
            hexed(0x0F0F),
            paths=("/photos/a/IMG_1.JPG", "/backup/IMG_1 (1).JPG"),
        ),
        "original": add_photo(
            sqlite_engine,
            job,
            "o" * 64,
            hexed(A),
            make="Apple",
            model="iPhone 12",
            gps_latitude=1.5,
            gps_longitude=2.5,
        ),
        "messenger": add_photo(
            sqlite_engine,
            job,
            "m" * 64,
            hexed(A ^ 1),
            seconds=None,
            paths=("/chat/IMG-20210411-WA0001.jpg",),
            width=1600,
            height=1200,
        ),
        "burst1": add_photo(
            sqlite_engine, job, "b" * 64, hexed(BURST), model="Pixel 7", seconds=1000.0
        ),
        "burst2": add_photo(
            sqlite_engine,
            job,
            "c" * 64,
            hexed(BURST ^ 0xFFF),
            model="Pixel 7",
            seconds=1002.0,
        ),
        "alone": add_photo(sqlite_engine, job, "z" * 64, hexed(0xFFFF0000FFFF0000)),
    }
    ids["raw"] = add_photo(
        sqlite_engine, job, "r" * 64, hexed(A), kind="raw", variant_of=ids["original"], format="DNG"
    )
    assign_near_groups(sqlite_engine, 6)
    return ids


def groups_by_kind(engine: Engine, **flt: object) -> dict[GroupKind, Group]:
    found = list_groups(engine, GroupFilter(**flt), RULES, limit=50)  # type: ignore[arg-type]
    return {g.kind: g for g in found}


def file_row(engine: Engine, file_id: int) -> sa.Row[tuple[object, ...]]:
    with engine.connect() as conn:
        return conn.execute(sa.select(File.__table__).where(sa.column("id") == file_id)).one()  # type: ignore[attr-defined]


def test_groups_have_kinds_and_variants_are_never_duplicates(
    sqlite_engine: Engine, library: dict[str, int]
) -> None:
    groups = groups_by_kind(sqlite_engine)
    assert set(groups) == set(GroupKind)
    copies = groups[GroupKind.COPIES]
    assert {m.file_id for m in copies.members} == {library["original"], library["messenger"]}
    assert copies.keeper is not None
    assert copies.keeper.file_id == library["original"]
    assert copies.keeper.has_raw  # the RAW beside it counts for its primary, never as a copy
    add_photo(  # a Live Photo's motion part beside the messenger copy: a variant, not a RAW
        sqlite_engine, library["job"], "v" * 64, None, kind="video", variant_of=library["messenger"]
    )
    again = groups_by_kind(sqlite_engine)[GroupKind.COPIES]
    assert {m.file_id: m.has_raw for m in again.members} == {
        library["original"]: True,
        library["messenger"]: False,
    }
    assert {m.file_id for m in groups[GroupKind.SIMILAR].members} == {
        library["burst1"],
        library["burst2"],
    }
    exact = groups[GroupKind.EXACT]
    assert [m.path for m in exact.members] == ["/photos/a/IMG_1.JPG", "/backup/IMG_1 (1).JPG"]
    assert exact.keeper is not None
    assert exact.keeper.path == "/photos/a/IMG_1.JPG"
    assert count_groups(sqlite_engine, GroupFilter(kind=GroupKind.COPIES)) == 1
    assert count_groups(sqlite_engine, GroupFilter(job_id=library["job"] + 1)) == 0
    newest = list_groups(sqlite_engine, GroupFilter(order=GroupOrder.NEWEST), RULES)
    assert newest[0].kind is GroupKind.SIMILAR  # its shots are the newest


def test_keep_discards_the_others_and_merges_what_they_know(
    sqlite_engine: Engine, library: dict[str, int]
) -> None:
    copies = groups_by_kind(sqlite_engine)[GroupKind.COPIES]
    info = keep(sqlite_engine, copies.id, [library["messenger"]])
    assert "kept 1, discarded 1" in info.summary
    kept, gone = (
        file_row(sqlite_engine, library["messenger"]),
        file_row(sqlite_engine, library["original"]),
    )
    assert gone.discarded
    assert not kept.discarded
    assert gone.dup_decision_id == info.id
    assert kept.effective_utc == WHEN
    assert kept.effective_confidence == Confidence.HIGH
    assert kept.capture_utc is None  # the facts are never written
    assert (kept.gps_latitude, kept.model) == (1.5, "iPhone 12")
    assert count_groups(sqlite_engine, GroupFilter(kind=GroupKind.COPIES)) == 0
    assert count_groups(sqlite_engine, GroupFilter(kind=GroupKind.COPIES, resolved=True)) == 1
    assert copy_paths(sqlite_engine, library["messenger"]) == ["/photos/" + "o" * 64 + ".jpg"]
    shown = {f.id for f in list_files(sqlite_engine, FileFilter(), limit=100)}
    assert library["original"] not in shown  # the gallery hides a discarded photo...
    everything = FileFilter(include_discarded=True)
    assert library["original"] in {f.id for f in list_files(sqlite_engine, everything, limit=100)}

    undone = undo(sqlite_engine)
    assert undone.id == info.id
    assert undone.undone_at is not None
    kept, gone = (
        file_row(sqlite_engine, library["messenger"]),
        file_row(sqlite_engine, library["original"]),
    )
    assert not gone.discarded
    assert gone.dup_decision_id is None
    assert kept.effective_utc is None
    assert kept.effective_confidence == Confidence.NONE
    assert kept.gps_latitude is None
    assert kept.model is None
    assert count_groups(sqlite_engine, GroupFilter(kind=GroupKind.COPIES)) == 1
    with pytest.raises(InvalidResolution, match="already undone"):
        undo(sqlite_engine, info.id)


def test_not_duplicates_survive_a_regrouping(
    sqlite_engine: Engine, library: dict[str, int]
) -> None:
    similar = groups_by_kind(sqlite_engine)[GroupKind.SIMILAR]
    not_duplicates(sqlite_engine, similar.id)
    assign_near_groups(sqlite_engine, 6)  # a rescan, or the end of a later import
    assert GroupKind.SIMILAR not in groups_by_kind(sqlite_engine, resolved=None)
    undo(sqlite_engine)
    assign_near_groups(sqlite_engine, 6)
    assert GroupKind.SIMILAR in groups_by_kind(sqlite_engine)


def test_keep_all_is_remembered_until_a_new_copy_arrives(
    sqlite_engine: Engine, library: dict[str, int]
) -> None:
    copies = groups_by_kind(sqlite_engine)[GroupKind.COPIES]
    keep_all(sqlite_engine, copies.id)
    assign_near_groups(sqlite_engine, 6)
    assert get_group(sqlite_engine, copies.id, RULES).decision_id is not None
    add_photo(sqlite_engine, library["job"], "n" * 64, hexed(A ^ 2))
    assign_near_groups(sqlite_engine, 6)
    again = get_group(sqlite_engine, copies.id, RULES)
    assert again.decision_id is None
    assert len(again.members) == 3


def test_rules_resolve_every_group_of_a_filter_in_one_undoable_decision(
    sqlite_engine: Engine, library: dict[str, int]
) -> None:
    flt = GroupFilter()
    outcome = rules_outcome(sqlite_engine, flt)
    preview = preview_rules(sqlite_engine, flt, RULES)
    assert (outcome.groups, outcome.kept, outcome.discarded) == (3, 3, 2)
    assert (preview.groups, preview.kept, preview.discarded) == (3, 3, 2)
    info = resolve_by_rules(sqlite_engine, flt, RULES)
    assert info.groups == 3
    assert count_groups(sqlite_engine, flt) == 0
    assert file_row(sqlite_engine, library["messenger"]).discarded
    undo(sqlite_engine, info.id)
    assert count_groups(sqlite_engine, flt) == 3
    assert not file_row(sqlite_engine, library["messenger"]).discarded


def test_undo_leaves_a_value_changed_since(sqlite_engine: Engine, library: dict[str, int]) -> None:
    copies = groups_by_kind(sqlite_engine)[GroupKind.COPIES]
    keep(sqlite_engine, copies.id, [library["original"]])
    second = keep_all(sqlite_engine, copies.id)
    keep(sqlite_engine, copies.id, [library["original"]])  # changes the same values again
    first_undone = undo(sqlite_engine, second.id)
    assert "4 values changed since were left as they are" in first_undone.summary
    messenger = file_row(sqlite_engine, library["messenger"])
    assert messenger.discarded  # the newest decision still stands
    assert messenger.dup_decision_id == second.id + 1


def test_wrong_requests_are_plain_errors(sqlite_engine: Engine, library: dict[str, int]) -> None:
    groups = groups_by_kind(sqlite_engine)
    with pytest.raises(GroupNotFound):
        keep(sqlite_engine, 999, [1])
    with pytest.raises(InvalidResolution, match="not members: 999"):
        keep(sqlite_engine, groups[GroupKind.COPIES].id, [999])
    with pytest.raises(InvalidResolution, match="same bytes"):
        not_duplicates(sqlite_engine, groups[GroupKind.EXACT].id)
    with pytest.raises(DuplicateDecisionNotFound):
        undo(sqlite_engine, 42)
