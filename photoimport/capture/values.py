"""The values of capture-time detection: candidates, their sources, the chosen capture time.

``capture.candidates`` builds them, ``capture.capture_time`` chooses among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from photoimport.enums import Confidence


class CandidateSource(StrEnum):
    """Where a candidate came from. Values match the ``rule`` column of EXPECTED_DATES.csv.

    The order of the members is the order of trust (``capture_time``'s rules table).
    """

    SIDECAR_EXIF_DATETIME_ORIGINAL = "sidecar_exif_dto"
    SIDECAR_PHOTOSHOP_DATE_CREATED = "sidecar_photoshop_datecreated"
    QUICKTIME_CREATION_DATE = "quicktime_creationdate"
    EXIF_DATETIME_ORIGINAL = "exif_dto"
    EXIF_CREATE_DATE = "exif_create_date"
    XMP_PHOTOSHOP_DATE_CREATED = "xmp_photoshop_datecreated"
    XMP_CREATE_DATE = "xmp_create_date"
    XMP_EXIF_DATETIME_ORIGINAL = "xmp_exif_dto"
    IPTC_DATE_CREATED = "iptc_datecreated"
    MAKERNOTE = "makernote_dto"
    QUICKTIME_CREATE_DATE = "quicktime_createdate"
    TAKEOUT = "takeout_json"
    SIDECAR_CREATE_DATE = "sidecar_create_date"
    FILENAME = "filename"
    GPS = "gps_utc_to_local"
    EXIF_MODIFY_DATE = "exif_modify_date"
    PNG_TIME = "png_time"
    MTIME = "mtime"

    @property
    def label(self) -> str:
        """The source as a person would name it."""
        return SOURCE_LABELS[self]


SOURCE_LABELS: dict[CandidateSource, str] = {
    CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL: "XMP sidecar exif:DateTimeOriginal",
    CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED: "XMP sidecar photoshop:DateCreated",
    CandidateSource.QUICKTIME_CREATION_DATE: "QuickTime creation date (Apple, with offset)",
    CandidateSource.QUICKTIME_CREATE_DATE: "QuickTime CreateDate",
    CandidateSource.TAKEOUT: "Google Takeout photoTakenTime",
    CandidateSource.SIDECAR_CREATE_DATE: "XMP sidecar xmp:CreateDate",
    CandidateSource.EXIF_DATETIME_ORIGINAL: "EXIF DateTimeOriginal",
    CandidateSource.EXIF_CREATE_DATE: "EXIF CreateDate",
    CandidateSource.XMP_PHOTOSHOP_DATE_CREATED: "XMP photoshop:DateCreated",
    CandidateSource.XMP_CREATE_DATE: "XMP xmp:CreateDate",
    CandidateSource.XMP_EXIF_DATETIME_ORIGINAL: "XMP exif:DateTimeOriginal",
    CandidateSource.IPTC_DATE_CREATED: "IPTC DateCreated",
    CandidateSource.MAKERNOTE: "maker-note capture date",
    CandidateSource.FILENAME: "file name",
    CandidateSource.GPS: "GPS time",
    CandidateSource.EXIF_MODIFY_DATE: "EXIF ModifyDate",
    CandidateSource.PNG_TIME: "PNG tIME",
    CandidateSource.MTIME: "file modification time",
}

# Tags written together by one writer: agreement inside a block is not corroboration.
SOURCE_BLOCKS: dict[CandidateSource, str] = {
    CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL: "XMP sidecar",
    CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED: "XMP sidecar",
    CandidateSource.SIDECAR_CREATE_DATE: "XMP sidecar",
    # one writer (the phone's or camera's muxer) wrote both QuickTime dates: no corroboration
    CandidateSource.QUICKTIME_CREATION_DATE: "QuickTime",
    CandidateSource.QUICKTIME_CREATE_DATE: "QuickTime",
    CandidateSource.TAKEOUT: "Google Takeout",
    CandidateSource.EXIF_DATETIME_ORIGINAL: "EXIF",
    CandidateSource.EXIF_CREATE_DATE: "EXIF",
    CandidateSource.EXIF_MODIFY_DATE: "EXIF",
    CandidateSource.XMP_PHOTOSHOP_DATE_CREATED: "XMP",
    CandidateSource.XMP_CREATE_DATE: "XMP",
    CandidateSource.XMP_EXIF_DATETIME_ORIGINAL: "XMP",
    CandidateSource.IPTC_DATE_CREATED: "IPTC",
    CandidateSource.MAKERNOTE: "maker note",
    CandidateSource.FILENAME: "file name",
    CandidateSource.GPS: "GPS",
    CandidateSource.PNG_TIME: "PNG",
    CandidateSource.MTIME: "file system",
}

CAPTURE_SOURCES = frozenset(
    {
        CandidateSource.EXIF_DATETIME_ORIGINAL,
        CandidateSource.EXIF_CREATE_DATE,
        CandidateSource.XMP_PHOTOSHOP_DATE_CREATED,
        CandidateSource.XMP_CREATE_DATE,
        CandidateSource.XMP_EXIF_DATETIME_ORIGINAL,
        CandidateSource.IPTC_DATE_CREATED,
        CandidateSource.MAKERNOTE,
        CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL,
        CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED,
        CandidateSource.SIDECAR_CREATE_DATE,
        CandidateSource.QUICKTIME_CREATION_DATE,
        CandidateSource.QUICKTIME_CREATE_DATE,
        CandidateSource.TAKEOUT,
    }
)


class OffsetSource(StrEnum):
    """Where the UTC offset of a time came from."""

    STATED = "stated in the photo"  # OffsetTimeOriginal, or a zone written in the value
    RELATED_TAG = "another tag of the same time"  # e.g. XMP exif:DateTimeOriginal, maker note
    GPS_UTC = "GPS UTC time"
    GPS_POSITION = "time zone at the GPS position"
    CONFIGURED = "configured time zone"
    UTC_TIME = "a UTC time of the same moment (Takeout, QuickTime)"


@dataclass(frozen=True)
class TimestampCandidate:
    source: CandidateSource
    raw: str  # the value as found (tag text, file name, ...)
    local: datetime | None  # aware: wall clock at capture with its offset; None when rejected
    offset_source: OffsetSource | None
    date_only: bool = False
    rejected: str | None = None  # why it cannot be used, in plain words
    demoted: str | None = None  # why it is trusted less (camera default clock, ...)

    @property
    def usable(self) -> bool:
        return self.rejected is None and self.local is not None


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
