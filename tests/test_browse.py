"""How a photo's capture time and sources read on its detail page."""

from __future__ import annotations

from datetime import UTC, datetime

from photoimport.db.models import File
from photoimport.library.photo import capture_text, photo_facts, source_label


def _file(**values: object) -> File:
    base: dict[str, object] = {
        "sha256": "a" * 64,
        "path": "/p/a.jpg",
        "name": "a.jpg",
        "size": 2_500_000,
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 4032,
        "height": 3024,
        "display_width": 4032,
        "display_height": 3024,
    }
    return File(**{**base, **values})


def test_capture_time_reads_in_the_wall_clock_of_the_place_with_its_offset() -> None:
    f = _file(
        capture_local="2018-07-25T16:34:23.935000+02:00",
        capture_offset_minutes=120,
        capture_utc=datetime(2018, 7, 25, 14, 34, 23, 935000, tzinfo=UTC),
        capture_source="exif_dto",
    )
    assert capture_text(f) == "25 Jul 2018, 16:34:23 (UTC+02:00)"
    facts = {fact.label: fact.value for fact in photo_facts(f)}
    assert facts["taken (UTC)"] == "2018-07-25 14:34:23 UTC"
    assert facts["date from"] == "EXIF DateTimeOriginal"
    assert facts["offset"] == "+02:00"


def test_date_only_and_missing_dates_say_so() -> None:
    only_date = _file(
        capture_local="2024-01-15T00:00:00+05:30",
        capture_offset_minutes=330,
        capture_date_only=True,
    )
    assert capture_text(only_date) == "15 Jan 2024"
    assert capture_text(_file()) == "no date in the photo"


def test_source_codes_become_names() -> None:
    assert source_label("filename") == "file name"
    assert source_label("gps_utc_to_local") == "GPS time"
    assert source_label("mtime") == "file modification time"
    assert source_label("something new") == "something new"
