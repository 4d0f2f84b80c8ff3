"""Capture time: every candidate with its source, then one chosen time and a confidence.

CONTRACT (owned by the timestamps helper; the dataclasses and the two functions below are used
by pipeline, the database layer and the pages: add fields if needed, do not rename or remove).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from photoimport.metadata import ImageMetadata
from photoimport.models import Confidence


class CandidateSource(StrEnum):
    """Where a candidate came from. Values match the ``rule`` column of EXPECTED_DATES.csv."""

    EXIF_DATETIME_ORIGINAL = "exif_dto"
    EXIF_CREATE_DATE = "exif_create_date"
    XMP_PHOTOSHOP_DATE_CREATED = "xmp_photoshop_datecreated"
    XMP_CREATE_DATE = "xmp_create_date"
    XMP_EXIF_DATETIME_ORIGINAL = "xmp_exif_dto"
    IPTC_DATE_CREATED = "iptc_datecreated"
    MAKERNOTE = "makernote_dto"
    FILENAME = "filename"
    GPS = "gps_utc_to_local"
    EXIF_MODIFY_DATE = "exif_modify_date"
    PNG_TIME = "png_time"
    MTIME = "mtime"


class OffsetSource(StrEnum):
    """Where the UTC offset of a time came from."""

    STATED = "stated in the photo"  # OffsetTimeOriginal, or a zone written in the value
    RELATED_TAG = "another tag of the same time"  # e.g. XMP exif:DateTimeOriginal, maker note
    GPS_UTC = "GPS UTC time"
    GPS_POSITION = "time zone at the GPS position"
    CONFIGURED = "configured time zone"


@dataclass(frozen=True)
class TimestampCandidate:
    source: CandidateSource
    raw: str  # the value as found (tag text, file name, ...)
    local: datetime | None  # aware: wall clock at capture with its offset; None when rejected
    offset_source: OffsetSource | None
    date_only: bool = False
    rejected: str | None = None  # why it cannot be used, in plain words
    demoted: str | None = None  # why it is trusted less (camera default clock, ...)


@dataclass(frozen=True)
class CaptureTime:
    local: datetime | None  # aware wall clock with its offset; None when there is no date
    utc: datetime | None
    source: CandidateSource | None
    offset_source: OffsetSource | None
    confidence: Confidence
    date_only: bool
    explanation: str  # why this candidate and this confidence, in plain words
    candidates: tuple[TimestampCandidate, ...]


def timestamp_candidates(
    meta: ImageMetadata | None, path: Path, mtime: datetime | None, timezone: str
) -> list[TimestampCandidate]:
    """Every candidate (valid or rejected) from the tags, the file name, GPS and the mtime."""
    raise NotImplementedError


def choose_capture_time(candidates: list[TimestampCandidate]) -> CaptureTime:
    """The most trusted valid candidate and a confidence from how the sources agree."""
    raise NotImplementedError


def capture_time(
    meta: ImageMetadata | None, path: Path, mtime: datetime | None, timezone: str
) -> CaptureTime:
    return choose_capture_time(timestamp_candidates(meta, path, mtime, timezone))
