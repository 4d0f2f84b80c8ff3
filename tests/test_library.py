"""Library queries on a real, migrated SQLite file: filters, paging, details, totals, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.library_seed import seed_library, time_library_queries
from photoimport.db import counters
from photoimport.db.engine import make_engine
from photoimport.db.models import Confidence, File, ItemState, Job, JobItem, JobKind, JobStatus
from photoimport.errors import FileNotInLibrary, JobNotFound
from photoimport.library.queries import (
    FileFilter,
    SortOrder,
    count_files,
    duplicate_siblings,
    file_paths,
    get_file,
    library_totals,
    list_cameras,
    list_files,
)
from photoimport.library.rows import EXPORT_COLUMNS, ExportFormat, export_rows, write_rows


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'library.db'}")


def add_job(session: Session) -> int:
    job = Job(kind=JobKind.DIRECTORY, source="/photos", status=JobStatus.COMPLETED)
    session.add(job)
    session.flush()
    assert job.id is not None
    return job.id


def add_file(session: Session, job_id: int, name: str, **values: Any) -> File:
    sha = values.pop("sha256", name.encode().hex().ljust(64, "0")[:64])
    local: str | None = values.pop("local", None)
    utc = datetime.fromisoformat(local).astimezone(UTC) if local else None
    values.setdefault("effective_confidence", values.get("confidence", Confidence.NONE))
    file = File(
        sha256=sha,
        path=f"/photos/{name}",
        name=name,
        size=1000,
        mime="image/jpeg",
        format="JPEG",
        width=40,
        height=30,
        display_width=40,
        display_height=30,
        capture_local=local,
        capture_utc=utc,
        effective_local=local,  # a file no decision touched: effective = detected
        effective_utc=utc,
        capture_source="exif_dto" if local else None,
        thumbnail=f"thumbs/{sha[:2]}/{sha}.jpg",
        first_job_id=job_id,
        **values,
    )
    session.add(file)
    session.flush()
    add_item(session, job_id, file.path, file)
    return file


def add_item(
    session: Session, job_id: int, path: str, file: File | None, state: ItemState = ItemState.DONE
) -> None:
    session.add(JobItem(job_id=job_id, path=path, state=state, file_id=file.id if file else None))
    session.flush()


@pytest.fixture
def library(engine: Engine) -> dict[str, Any]:
    """Two jobs; five contents; one content under two paths; a near pair; one failed file."""
    with Session(engine, expire_on_commit=False) as s:
        j1, j2 = add_job(s), add_job(s)
        late = add_file(
            s, j1, "b_late.jpg", local="2021-04-11T23:30:00-05:00", model="iPhone 11 Pro Max",
            confidence=Confidence.HIGH, near_group=7,
        )  # fmt: skip
        tokyo = add_file(
            s, j1, "a_tokyo.jpg", local="2021-04-12T08:00:00+09:00", model="Pixel 7",
            confidence=Confidence.MEDIUM, near_group=7,
        )  # fmt: skip
        old = add_file(
            s, j1, "c_old.jpg", local="1919-06-01T12:00:00+01:00", confidence=Confidence.LOW
        )
        undated = add_file(s, j1, "d_undated.jpg", confidence=Confidence.NONE)
        copy = add_file(
            s, j2, "e_copy.jpg", local="2022-01-01T10:00:00+00:00", confidence=Confidence.HIGH,
            model="Pixel 7",
        )  # fmt: skip
        add_item(s, j2, "/photos/again/b_late copy.jpg", late, ItemState.SKIPPED)  # same bytes
        reason = "truncated JPEG: image file is truncated"
        s.add(
            JobItem(
                job_id=j2, path="/photos/broken.jpg", state=ItemState.ERROR,
                error_stage="decode", error_reason=reason,
            )
        )  # fmt: skip
        s.add(JobItem(job_id=j2, path="/photos/later.jpg", state=ItemState.PENDING))
        s.commit()
    with engine.begin() as conn:
        counters.rebuild(conn)  # rows written directly, not by batch commits: count them
    return {"j1": j1, "j2": j2, "late": late, "tokyo": tokyo, "old": old,
            "undated": undated, "copy": copy}  # fmt: skip


def names(files: list[File]) -> list[str]:
    return [f.name for f in files]


def test_sorted_by_capture_time_newest_first_undated_last(
    engine: Engine, library: dict[str, Any]
) -> None:
    page = list_files(engine, FileFilter())
    # by the instant: 2022, late (2021-04-12 04:30Z), tokyo (2021-04-11 23:00Z), 1919, undated
    assert names(page) == ["e_copy.jpg", "b_late.jpg", "a_tokyo.jpg", "c_old.jpg", "d_undated.jpg"]
    assert count_files(engine, FileFilter()) == 5


def test_sorted_by_capture_time_oldest_first_undated_last(
    engine: Engine, library: dict[str, Any]
) -> None:
    page = list_files(engine, FileFilter(sort=SortOrder.CAPTURE_TIME_OLDEST))
    assert names(page) == ["c_old.jpg", "a_tokyo.jpg", "b_late.jpg", "e_copy.jpg", "d_undated.jpg"]


def test_sorted_by_name(engine: Engine, library: dict[str, Any]) -> None:
    page = list_files(engine, FileFilter(sort=SortOrder.NAME))
    assert names(page) == ["a_tokyo.jpg", "b_late.jpg", "c_old.jpg", "d_undated.jpg", "e_copy.jpg"]


def test_paging(engine: Engine, library: dict[str, Any]) -> None:
    flt = FileFilter(sort=SortOrder.NAME)
    assert names(list_files(engine, flt, offset=1, limit=2)) == ["b_late.jpg", "c_old.jpg"]
    assert names(list_files(engine, flt, offset=4, limit=60)) == ["e_copy.jpg"]
    assert list_files(engine, flt, offset=5, limit=60) == []


def test_job_filter_includes_contents_the_job_linked(
    engine: Engine, library: dict[str, Any]
) -> None:
    flt = FileFilter(job_id=library["j2"], sort=SortOrder.NAME)
    assert names(list_files(engine, flt)) == ["b_late.jpg", "e_copy.jpg"]  # b_late: skipped, linked
    assert count_files(engine, flt) == 2
    assert count_files(engine, FileFilter(job_id=library["j1"])) == 4
    assert count_files(engine, FileFilter(job_id=999)) == 0


def test_confidence_and_camera_filters(engine: Engine, library: dict[str, Any]) -> None:
    high = FileFilter(confidences=(Confidence.HIGH,), sort=SortOrder.NAME)
    assert names(list_files(engine, high)) == ["b_late.jpg", "e_copy.jpg"]
    low_none = FileFilter(confidences=(Confidence.LOW, Confidence.NONE), sort=SortOrder.NAME)
    assert names(list_files(engine, low_none)) == ["c_old.jpg", "d_undated.jpg"]
    pixel = FileFilter(camera="Pixel 7", sort=SortOrder.NAME)
    assert names(list_files(engine, pixel)) == ["a_tokyo.jpg", "e_copy.jpg"]
    assert list_cameras(engine) == ["Pixel 7", "iPhone 11 Pro Max"]


def test_date_range_is_on_the_local_wall_clock_date(
    engine: Engine, library: dict[str, Any]
) -> None:
    # 23:30 at -05:00 is 04:30 UTC the next day, but it was taken on the 11th where it was taken
    on_11th = FileFilter(date_from=date(2021, 4, 11), date_to=date(2021, 4, 11))
    assert names(list_files(engine, on_11th)) == ["b_late.jpg"]
    on_12th = FileFilter(date_from=date(2021, 4, 12), date_to=date(2021, 4, 12))
    assert names(list_files(engine, on_12th)) == ["a_tokyo.jpg"]
    since_2021 = FileFilter(date_from=date(2021, 1, 1))
    assert names(list_files(engine, since_2021)) == ["e_copy.jpg", "b_late.jpg", "a_tokyo.jpg"]
    until_1950 = FileFilter(date_to=date(1950, 1, 1))
    assert names(list_files(engine, until_1950)) == ["c_old.jpg"]
    assert count_files(engine, until_1950) == 1


def test_duplicates_only(engine: Engine, library: dict[str, Any]) -> None:
    dups = FileFilter(duplicates_only=True, sort=SortOrder.NAME)
    assert names(list_files(engine, dups)) == ["a_tokyo.jpg", "b_late.jpg"]
    combined = FileFilter(duplicates_only=True, confidences=(Confidence.HIGH,))
    assert names(list_files(engine, combined)) == ["b_late.jpg"]


def test_file_detail_paths_and_siblings(engine: Engine, library: dict[str, Any]) -> None:
    late = library["late"]
    assert get_file(engine, late.id).sha256 == late.sha256
    assert file_paths(engine, late.id) == ["/photos/again/b_late copy.jpg", "/photos/b_late.jpg"]
    assert file_paths(engine, library["old"].id) == ["/photos/c_old.jpg"]
    assert names(duplicate_siblings(engine, late.id)) == ["a_tokyo.jpg"]
    assert duplicate_siblings(engine, library["old"].id) == []


def test_a_missing_file_id_is_a_named_error(engine: Engine, library: dict[str, Any]) -> None:
    with pytest.raises(FileNotInLibrary, match="no file with id 4242"):
        get_file(engine, 4242)


def test_library_totals(engine: Engine, library: dict[str, Any]) -> None:
    totals = library_totals(engine)
    assert totals.files == 5
    assert totals.paths == 6
    assert totals.errors == 1
    assert totals.jobs == 2
    assert totals.by_confidence == {
        Confidence.HIGH: 2,
        Confidence.MEDIUM: 1,
        Confidence.LOW: 1,
        Confidence.NONE: 1,
    }
    assert totals.exact_duplicate_groups == 1
    assert totals.near_duplicate_groups == 1


def test_export_rows_of_a_job(engine: Engine, library: dict[str, Any]) -> None:
    rows = export_rows(engine, library["j2"])
    assert [r.path for r in rows] == [
        "/photos/e_copy.jpg",
        "/photos/again/b_late copy.jpg",
        "/photos/broken.jpg",
    ]  # the pending item is not exported yet
    copy, late, broken = rows
    assert copy.exact_group is None
    assert copy.capture_local == "2022-01-01T10:00:00+00:00"
    assert copy.capture_utc == "2022-01-01T10:00:00+00:00"
    assert late.exact_group == library["late"].id
    assert late.near_group == 7
    assert late.sha256 == library["late"].sha256
    assert late.capture_local == "2021-04-11T23:30:00-05:00"
    assert late.capture_utc == "2021-04-12T04:30:00+00:00"
    assert late.confidence is Confidence.HIGH
    assert late.model == "iPhone 11 Pro Max"
    assert broken.file_id is None
    assert broken.sha256 is None
    assert broken.error == "decode: truncated JPEG: image file is truncated"


def test_export_rows_of_the_whole_library_give_each_path_once(
    engine: Engine, library: dict[str, Any]
) -> None:
    with Session(engine) as s:  # the same folder imported again: a second item for a path
        job = add_job(s)
        add_item(s, job, "/photos/c_old.jpg", library["old"], ItemState.SKIPPED)
        s.commit()
    rows = export_rows(engine)
    paths = [r.path for r in rows]
    assert sorted(paths) == sorted(
        [
            "/photos/b_late.jpg",
            "/photos/a_tokyo.jpg",
            "/photos/d_undated.jpg",
            "/photos/e_copy.jpg",
            "/photos/again/b_late copy.jpg",
            "/photos/broken.jpg",
            "/photos/c_old.jpg",
        ]
    )
    exact = {r.path: r.exact_group for r in rows}
    assert exact["/photos/b_late.jpg"] == exact["/photos/again/b_late copy.jpg"] is not None
    assert exact["/photos/c_old.jpg"] is None  # one path seen twice is not a duplicate


def test_export_of_an_unknown_job_is_refused_before_any_row(engine: Engine) -> None:
    with pytest.raises(JobNotFound, match="no job number 77"):
        export_rows(engine, 77)


def test_export_formats(engine: Engine, library: dict[str, Any]) -> None:
    rows = export_rows(engine, library["j2"])
    out = io.StringIO()
    assert write_rows(rows, out, ExportFormat.CSV) == 3
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(parsed[0]) == EXPORT_COLUMNS
    assert parsed[1]["path"] == "/photos/again/b_late copy.jpg"
    assert parsed[1]["type"] == "image/jpeg"
    assert parsed[1]["capture_local"] == "2021-04-11T23:30:00-05:00"
    assert parsed[2]["error"] == "decode: truncated JPEG: image file is truncated"
    assert parsed[2]["sha256"] == ""
    out = io.StringIO()
    write_rows(rows, out, ExportFormat.JSON)
    records = json.loads(out.getvalue())
    assert [r["path"] for r in records] == [r.path for r in rows]
    assert records[1]["width"] == 40
    assert records[1]["confidence"] == "HIGH"
    assert records[2]["sha256"] is None
    out = io.StringIO()
    assert write_rows([], out, ExportFormat.JSON) == 0
    assert json.loads(out.getvalue()) == []


def test_seeded_library_pages_cover_every_file_once(engine: Engine) -> None:
    job_id = seed_library(engine, 1000)
    for sort in SortOrder:
        flt = FileFilter(sort=sort)
        total = count_files(engine, flt)
        seen = [f.id for offset in range(0, total, 96) for f in list_files(engine, flt, offset, 96)]
        assert total == 1000
        assert len(seen) == len(set(seen)) == 1000
    timings = time_library_queries(engine, job_id, repeat=1)
    assert timings.files == 1000
    assert timings.gallery_page_ms > 0
    rows = export_rows(engine, job_id)
    assert len(rows) == 1050  # every 20th content also has a second path
    assert sum(1 for r in rows if r.exact_group is not None) == 100
    totals = library_totals(engine)
    assert (totals.files, totals.paths, totals.exact_duplicate_groups) == (1000, 1050, 50)
    assert sum(totals.by_confidence.values()) == 1000
