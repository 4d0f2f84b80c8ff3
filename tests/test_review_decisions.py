"""Date decisions on a real SQLite library: set, pick, accept, shift, zone, align, undo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from photoimport.enums import Confidence
from photoimport.errors import (
    BadDateInput,
    CameraNotFound,
    DateDecisionError,
    DateOutOfRange,
    DecisionNotFound,
    FileNotInLibrary,
    UndoBlocked,
)
from photoimport.review import bulk, decisions, undo
from photoimport.review.selection import find_camera
from photoimport.review.values import ActionKind, CameraKey, Selection
from tests.review_support import add_job, add_photo, candidate, detected, effective

CANON = CameraKey("Canon", "Canon EOS 80D")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def lib(sqlite_engine: Engine) -> dict[str, int]:
    job = add_job(sqlite_engine)
    return {
        "a": add_photo(sqlite_engine, job, "/p/trip/IMG_0001.JPG", "2021-05-01T10:00:00+02:00"),
        "b": add_photo(
            sqlite_engine, job, "/p/trip/IMG_0002.JPG", "2021-05-01T10:05:30.250000+02:00"
        ),
        "phone": add_photo(
            sqlite_engine,
            job,
            "/p/phone/PXL_1.jpg",
            "2021-05-01T11:00:00+02:00",
            make="Google",
            model="Pixel 7",
        ),
        "undated": add_photo(
            sqlite_engine,
            job,
            "/p/trip/IMG_0003.JPG",
            None,
            confidence=Confidence.NONE,
            source=None,
        ),
        "low": add_photo(
            sqlite_engine,
            job,
            "/p/scan/IMG_20200101_120000.jpg",
            "2020-01-01T12:00:00+01:00",
            make=None,
            model=None,
            confidence=Confidence.LOW,
            source="filename",
            candidates=[
                candidate("exif_dto", None, raw="0000:00:00 00:00:00", rejected="all zeros"),
                candidate("filename", "2020-01-01T12:00:00+01:00"),
                candidate(
                    "mtime", "2023-03-03T08:00:00+01:00", offset_source="configured time zone"
                ),
            ],
        ),
        "job": job,
    }


def test_shift_a_camera_keeps_offsets_and_facts_and_undo_restores(
    sqlite_engine: Engine, lib: dict[str, int]
) -> None:
    by = timedelta(hours=1, minutes=3)
    preview = bulk.preview_shift(sqlite_engine, Selection(camera=CANON), by=by, now=NOW)
    assert preview.count == 2
    assert preview.undated == 1
    assert preview.sample[0].after == "2021-05-01T11:03:00+02:00"
    assert effective(sqlite_engine, lib["a"])[0] == "2021-05-01T10:00:00+02:00"  # preview only
    done = bulk.shift_dates(sqlite_engine, Selection(camera=CANON), by=by, now=NOW)
    assert done.count == 2
    assert done.kind is ActionKind.SHIFT
    assert "by +01:03:00" in done.summary
    assert effective(sqlite_engine, lib["a"]) == ("2021-05-01T11:03:00+02:00", "MEDIUM", 1)
    assert effective(sqlite_engine, lib["b"])[0] == "2021-05-01T11:08:30.250000+02:00"
    assert detected(sqlite_engine, lib["a"]) == ("2021-05-01T10:00:00+02:00", "MEDIUM")
    assert effective(sqlite_engine, lib["phone"])[0] == "2021-05-01T11:00:00+02:00"
    undone = undo.undo_action(sqlite_engine, done.action_id)
    assert undone.count == 2
    assert effective(sqlite_engine, lib["a"]) == ("2021-05-01T10:00:00+02:00", "MEDIUM", None)
    with pytest.raises(DecisionNotFound):
        undo.undo_action(sqlite_engine, done.action_id)


def test_zone_change_keeps_the_wall_clock(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    sel = Selection(folder="/p/trip")
    bulk.shift_dates(sqlite_engine, sel, zone_text="America/New_York", now=NOW)
    assert effective(sqlite_engine, lib["a"])[0] == "2021-05-01T10:00:00-04:00"


def test_bad_shifts_change_nothing(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    with pytest.raises(DateOutOfRange, match="before 1826"):
        bulk.shift_dates(
            sqlite_engine, Selection(camera=CANON), by=-timedelta(days=80_000), now=NOW
        )
    with pytest.raises(DateOutOfRange, match="future"):
        bulk.shift_dates(sqlite_engine, Selection(camera=CANON), by=timedelta(days=3000), now=NOW)
    with pytest.raises(BadDateInput, match="choose the photos"):
        bulk.shift_dates(sqlite_engine, Selection(), by=timedelta(hours=1), now=NOW)
    with pytest.raises(CameraNotFound, match="Nikon"):
        find_camera(sqlite_engine, "Nikon D750")
    with pytest.raises(BadDateInput, match="unknown time zone"):
        bulk.shift_dates(sqlite_engine, Selection(camera=CANON), zone_text="Mars/Base", now=NOW)
    assert effective(sqlite_engine, lib["a"]) == ("2021-05-01T10:00:00+02:00", "MEDIUM", None)
    assert undo.list_actions(sqlite_engine) == []


def test_find_camera_is_loose(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    assert find_camera(sqlite_engine, "canon  eos 80d") == CANON
    assert find_camera(sqlite_engine, "Google Pixel 7") == CameraKey("Google", "Pixel 7")


def test_set_pick_accept_and_undo_one_decision(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    result, typed = decisions.set_date(
        sqlite_engine, lib["low"], "2020-01-02 09:30", "UTC", now=NOW
    )
    assert typed.assumed == "+01:00 (the photo's zone)"
    assert effective(sqlite_engine, lib["low"])[:2] == ("2020-01-02T09:30:00+01:00", "HIGH")
    _, typed = decisions.set_date(
        sqlite_engine, lib["undated"], "2020-01-02 09:30", "Europe/Paris", now=NOW
    )
    assert typed.assumed == "+01:00 (the configured zone Europe/Paris)"
    picked = decisions.pick_candidate(sqlite_engine, lib["low"], 2)
    assert effective(sqlite_engine, lib["low"])[0] == "2023-03-03T08:00:00+01:00"
    with pytest.raises(BadDateInput, match="cannot be used: all zeros"):
        decisions.pick_candidate(sqlite_engine, lib["low"], 0)
    with pytest.raises(UndoBlocked, match=f"undo action {picked.action_id} first"):
        undo.undo_action(sqlite_engine, result.action_id)
    undo.undo_last(sqlite_engine)  # the pick
    assert effective(sqlite_engine, lib["low"])[0] == "2020-01-02T09:30:00+01:00"
    undo.undo_action(sqlite_engine, result.action_id)
    assert effective(sqlite_engine, lib["low"]) == ("2020-01-01T12:00:00+01:00", "LOW", None)
    accepted = decisions.accept_proposals(sqlite_engine, [lib["low"], lib["a"], lib["undated"]])
    assert accepted.count == 3  # the undated photo was set above
    assert effective(sqlite_engine, lib["a"])[1] == "HIGH"
    one = undo.undo_decision(sqlite_engine, effective(sqlite_engine, lib["a"])[2] or 0)
    assert one.count == 1
    assert effective(sqlite_engine, lib["a"]) == ("2021-05-01T10:00:00+02:00", "MEDIUM", None)
    assert effective(sqlite_engine, lib["low"])[1] == "HIGH"  # the rest of the action stays
    with pytest.raises(FileNotInLibrary):
        decisions.set_date(sqlite_engine, 9999, "2020-01-01 10:00", "UTC", now=NOW)
    with pytest.raises(BadDateInput, match="cannot read the date"):
        decisions.set_date(sqlite_engine, lib["a"], "soon", "UTC", now=NOW)


def test_align_a_camera_by_a_reference_photo(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    done = bulk.align_camera(sqlite_engine, CANON, lib["a"], "2021-05-01 10:02:05", now=NOW)
    assert done.kind is ActionKind.ALIGN
    assert done.count == 2
    assert effective(sqlite_engine, lib["b"])[0] == "2021-05-01T10:07:35.250000+02:00"
    with pytest.raises(BadDateInput, match="was not taken with"):
        bulk.align_camera(sqlite_engine, CANON, lib["phone"], "2021-05-01 10:02:05", now=NOW)


def test_shift_by_job_and_date_range(sqlite_engine: Engine, lib: dict[str, int]) -> None:
    sel = Selection(job_id=lib["job"], date_from=date(2021, 5, 1), date_to=date(2021, 5, 1))
    done = bulk.shift_dates(sqlite_engine, sel, by=timedelta(seconds=-30), now=NOW)
    assert done.count == 3
    with pytest.raises(DateDecisionError, match="nothing to change"):
        bulk.shift_dates(
            sqlite_engine,
            Selection(date_from=date(1990, 1, 1), date_to=date(1990, 1, 2)),
            by=timedelta(hours=1),
            now=NOW,
        )


def test_two_bodies_of_one_model_are_told_apart_by_serial(sqlite_engine: Engine) -> None:
    job = add_job(sqlite_engine)
    one = add_photo(
        sqlite_engine, job, "/p/x/A.JPG", "2021-05-01T10:00:00+02:00", camera_serial="1"
    )
    two = add_photo(
        sqlite_engine, job, "/p/x/B.JPG", "2021-05-01T10:00:00+02:00", camera_serial="2"
    )
    body = find_camera(sqlite_engine, "canon eos 80d #2")
    assert body == CameraKey("Canon", "Canon EOS 80D", "2")
    bulk.shift_dates(sqlite_engine, Selection(camera=body), by=timedelta(minutes=5), now=NOW)
    assert effective(sqlite_engine, two)[0] == "2021-05-01T10:05:00+02:00"
    assert effective(sqlite_engine, one)[0] == "2021-05-01T10:00:00+02:00"
    assert find_camera(sqlite_engine, "Canon EOS 80D") == CANON  # the model: every body


def test_a_photos_variants_follow_it_and_stay_out_of_the_queue(sqlite_engine: Engine) -> None:
    from photoimport.review import queue

    job = add_job(sqlite_engine)
    jpeg = add_photo(
        sqlite_engine, job, "/p/v/IMG_1.JPG", "2021-05-01T10:00:00+02:00", confidence=Confidence.LOW
    )
    raw = add_photo(
        sqlite_engine,
        job,
        "/p/v/IMG_1.CR2",
        "2021-05-01T10:00:00+02:00",
        confidence=Confidence.LOW,
        variant_of=jpeg,
    )
    add_photo(
        sqlite_engine, job, "/p/v/IMG_2.JPG", None, confidence=Confidence.NONE, discarded=True
    )
    assert [i.file_id for i in queue.review_queue(sqlite_engine).items] == [jpeg]
    done, _ = decisions.set_date(sqlite_engine, jpeg, "2021-05-01 11:00:00", "UTC", now=NOW)
    assert done.count == 2
    assert effective(sqlite_engine, raw)[:2] == ("2021-05-01T11:00:00+02:00", "HIGH")
    undo.undo_last(sqlite_engine)
    assert effective(sqlite_engine, raw) == ("2021-05-01T10:00:00+02:00", "LOW", None)
