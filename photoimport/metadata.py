"""Read what an image says about itself: size, orientation, camera, dates, GPS.

CONTRACT (owned by the metadata helper; the dataclasses below are shared with timestamps and
pipeline: add fields if needed, do not rename or remove).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image


class DateTagName(StrEnum):
    """Every date-bearing tag photoimport reads, named as a person would name it."""

    EXIF_DATETIME_ORIGINAL = "EXIF DateTimeOriginal"
    EXIF_CREATE_DATE = "EXIF CreateDate"
    EXIF_MODIFY_DATE = "EXIF ModifyDate"
    XMP_PHOTOSHOP_DATE_CREATED = "XMP photoshop:DateCreated"
    XMP_CREATE_DATE = "XMP xmp:CreateDate"
    XMP_EXIF_DATETIME_ORIGINAL = "XMP exif:DateTimeOriginal"
    XMP_MODIFY_DATE = "XMP xmp:ModifyDate"
    IPTC_DATE_CREATED = "IPTC DateCreated"
    PNG_TIME = "PNG tIME"
    MAKERNOTE_DATETIME_ORIGINAL = "maker note DateTimeOriginal"


@dataclass(frozen=True)
class DateTag:
    """One date tag, verbatim as stored (no normalisation: timestamps validates)."""

    name: DateTagName
    value: str
    subsec: str | None = None  # SubSecTime* for EXIF tags
    offset: str | None = None  # OffsetTime* for EXIF tags; IPTC TimeCreated's zone; etc.


@dataclass(frozen=True)
class GpsInfo:
    latitude: float | None
    longitude: float | None
    altitude: float | None
    date: str | None  # GPSDateStamp verbatim, e.g. "2022:01:12"
    time: str | None  # GPSTimeStamp as "HH:MM:SS" (fractions dropped), UTC


@dataclass(frozen=True)
class ImageMetadata:
    format: str  # Pillow's format name from the content: JPEG, MPO, HEIF, AVIF, PNG, WEBP, TIFF, GIF
    mime: str
    width: int  # stored pixel size, before any rotation (HEIC: the primary image's ispe size)
    height: int
    display_width: int  # size as shown, after orientation
    display_height: int
    orientation: int  # EXIF Orientation 1..8 (1 when absent)
    make: str | None
    model: str | None
    dates: tuple[DateTag, ...]
    gps: GpsInfo | None
    makernote_offset: str | None = None  # a UTC offset stated in maker notes (Canon TimeZone)


def read_metadata(path: Path) -> ImageMetadata:
    """Open ``path`` read-only and read its metadata (raises on a file that is not an image)."""
    with Image.open(path) as im:
        return metadata_from_image(im)


def metadata_from_image(im: Image.Image) -> ImageMetadata:
    """Metadata of an already opened image (the pipeline opens each file once)."""
    raise NotImplementedError
