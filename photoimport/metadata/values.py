"""The values ``photoimport.metadata.reader`` returns (re-exported there: import them from there).

They live in their own module so that the reader modules (``metadata_exif``, ``metadata_xmp``,
``metadata_makernote``, ``metadata_png``) can build them without importing ``metadata``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    # --- issue 11: videos, sidecars, Takeout ---
    QUICKTIME_CREATION_DATE = "QuickTime com.apple.quicktime.creationdate"
    QUICKTIME_CREATE_DATE = "QuickTime CreateDate"  # UTC by the QuickTime specification
    QUICKTIME_CREATE_DATE_LOCAL = "QuickTime CreateDate (camera local clock)"
    SIDECAR_EXIF_DATETIME_ORIGINAL = "XMP sidecar exif:DateTimeOriginal"
    SIDECAR_PHOTOSHOP_DATE_CREATED = "XMP sidecar photoshop:DateCreated"
    SIDECAR_CREATE_DATE = "XMP sidecar xmp:CreateDate"
    SIDECAR_MODIFY_DATE = "XMP sidecar xmp:ModifyDate"
    TAKEOUT_PHOTO_TAKEN = "Google Takeout photoTakenTime"  # UTC instant


@dataclass(frozen=True)
class DateTag:
    """One date tag, verbatim as stored (no normalisation: timestamps validates).

    Value forms by source:

    - EXIF: ``"2015:12:05 00:59:26"`` as stored (may be blank, ``0000:00:00 00:00:00``, or an
      ISO-8601 string from a sloppy writer); ``subsec`` from SubSecTime*, ``offset`` from
      OffsetTime* (e.g. ``"-05:00"``), both verbatim.
    - XMP: the ISO-8601 text as stored (``"2015-12-12T00:27:22-08:00"``, ``"2003-08-31"``);
      ``offset`` is None (any zone is inside the value).
    - IPTC: DateCreated ``CCYYMMDD`` and TimeCreated ``HHMMSS±HHMM`` joined in EXIF layout,
      ``"2015:12:05 00:59:26"`` (date only, ``"2015:12:05"``, without TimeCreated); ``offset``
      is the zone written as ``"+00:00"``. Digits that do not fit the layout are kept verbatim
      (``"2015120 0059"``) so timestamps can reject them.
    - PNG tIME: ``"2019:01:07 10:13:34"`` (UTC by the PNG spec), ``offset`` ``"+00:00"``.
    - maker note: decoded to EXIF layout (``"1998:10:29 22:06:59"``); the camera's wall clock.
    """

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
    format: (
        str  # Pillow's format name from the content: JPEG, MPO, HEIF, AVIF, PNG, WEBP, TIFF, GIF
    )
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
    # Added by the metadata owner: things that were present but unreadable, in plain words
    # (e.g. "EXIF Exif IFD pointer has the wrong type (str)"). Never an error by itself.
    warnings: tuple[str, ...] = ()
    # --- issue 11 ---
    content_id: str | None = None  # Apple Live Photo content identifier (still or motion)
    serial: str | None = None  # issue 12: EXIF BodySerialNumber (the camera body)

    def date(self, name: DateTagName) -> DateTag | None:
        """The first date tag with this name, if any."""
        return next((tag for tag in self.dates if tag.name == name), None)
