"""The review queue, clock-offset suggestions and neighbour fills on a real SQLite library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from photoimport.enums import Confidence
from photoimport.review import decisions, evidence, queue, undo
from photoimport.review.estimate import TRUE_TIME
from photoimport.review.values import ActionKind
from tests.review_support import add_job, add_photo, candidate, effective


def test_queue_holds_uncertain_photos_grouped_with_reasons(sqlite_engine: Engine) -> None:
    job = add_job(sqlite_engine)
    disputed = add_photo(
        sqlite_engine,
        job,
        "/p/a/IMG_0001.JPG",
        "2021-05-01T10:00:00+02:00",
        candidates=[
            candidate("exif_dto", "2021-05-01T10:00:00+02:00"),
            candidate(
                "filename", "2019-01-01T10:00:00+02:00", offset_source="configured time zone"
            ),
        ],
    )
    add_photo(
        sqlite_engine, job, "/p/a/IMG_0002.JPG", "2021-05-01T10:01:00+02:00"
    )  # MEDIUM, agrees
    low = add_photo(
        sqlite_engine,
        job,
        "/p/b/scan.jpg",
        "2020-01-01T12:00:00+01:00",
        make=None,
        model=None,
        confidence=Confidence.LOW,
        source="filename",
    )
    none = add_photo(
        sqlite_engine,
        job,
        "/p/b/x.jpg",
        None,
        confidence=Confidence.NONE,
        source=None,
        candidates=[candidate("exif_dto", None, raw="0000", rejected="all zeros")],
    )
    page = queue.review_queue(sqlite_engine, limit=10)
    assert page.total == 3
    assert [i.file_id for i in page.items] == [disputed, low, none]  # camera-less first in /p/b/
    first = page.items[0]
    assert first.reason.startswith("EXIF DateTimeOriginal disagrees with file name")
    assert first.folder == "/p/a/"
    assert first.camera == "Canon EOS 80D"
    assert first.day == "2021-05-01"
    assert [c.chosen for c in first.candidates] == [True, False]
    assert "weak source (file name)" in page.items[1].reason
    assert page.items[2].reason == "no date at all (EXIF DateTimeOriginal: all zeros)"
    groups = queue.queue_groups(sqlite_engine)
    assert sum(g.count for g in groups) == 3
    decisions.accept_proposals(sqlite_engine, [disputed, low])
    assert queue.count_queue(sqlite_engine) == 1
    only_low = queue.review_queue(sqlite_engine, confidences=(Confidence.NONE,))
    assert [i.file_id for i in only_low.items] == [none]


def test_cameras_aligned_by_themselves(sqlite_engine: Engine) -> None:
    job = add_job(sqlite_engine)
    base = datetime(2022, 7, 1, 12, 0, tzinfo=UTC)
    for i, lag in enumerate((3600, 3605, 3598, 3601, 3603)):  # the Canon is an hour ahead
        phone_t, canon_t = (
            base + timedelta(minutes=10 * i),
            base + timedelta(minutes=10 * i, seconds=lag),
        )
        add_photo(
            sqlite_engine,
            job,
            f"/p/phone/PXL_{i}.jpg",
            phone_t.isoformat(),
            make="Google",
            model="Pixel 7",
            near_group=i + 1,
        )
        add_photo(
            sqlite_engine, job, f"/p/canon/IMG_{i:04d}.JPG", canon_t.isoformat(), near_group=i + 1
        )
    gps_t = base + timedelta(hours=5)
    add_photo(
        sqlite_engine,
        job,
        "/p/nikon/DSC_0001.JPG",
        (gps_t - timedelta(seconds=90)).isoformat(),
        make="NIKON CORPORATION",
        model="NIKON D750",
        candidates=[
            candidate("exif_dto", (gps_t - timedelta(seconds=90)).isoformat()),
            candidate("gps_utc_to_local", gps_t.isoformat()),
        ],
    )
    found = {s.camera: s for s in evidence.suggest_offsets(sqlite_engine)}
    assert set(found) == {"Canon EOS 80D", "NIKON D750"}
    canon = found["Canon EOS 80D"]
    assert canon.correction == -timedelta(seconds=3601)
    assert canon.reference == TRUE_TIME
    assert canon.observations == 5
    assert timedelta(0) < canon.spread < timedelta(seconds=10)
    assert "look alike" in canon.evidence[0]
    assert found["NIKON D750"].correction == timedelta(seconds=90)
    done = evidence.apply_suggestion(sqlite_engine, canon)
    assert done.kind is ActionKind.SUGGESTED
    assert done.count == 5
    assert abs(evidence.suggest_offsets(sqlite_engine)[0].correction) <= timedelta(seconds=3)
    undo.undo_action(sqlite_engine, done.action_id)
    assert evidence.suggest_offsets(sqlite_engine)[0].correction == -timedelta(seconds=3601)


def test_fill_a_missing_date_from_neighbours(sqlite_engine: Engine) -> None:
    job = add_job(sqlite_engine)
    add_photo(sqlite_engine, job, "/p/c/IMG_0010.JPG", "2021-05-01T10:00:00+02:00")
    gap = add_photo(
        sqlite_engine,
        job,
        "/p/c/IMG_0011.JPG",
        None,
        confidence=Confidence.NONE,
        source=None,
        make=None,
        model=None,
    )
    add_photo(sqlite_engine, job, "/p/c/IMG_0012.JPG", "2021-05-01T10:02:00+02:00")
    (s,) = evidence.fill_suggestions(sqlite_engine)
    assert s.file_id == gap
    assert s.local.isoformat() == "2021-05-01T10:01:00+02:00"
    assert effective(sqlite_engine, gap)[0] is None  # only suggested
    decisions.fill_date(sqlite_engine, s.file_id, s.local, s.reason)
    assert effective(sqlite_engine, gap)[:2] == ("2021-05-01T10:01:00+02:00", "MEDIUM")
    assert evidence.fill_suggestions(sqlite_engine) == []
