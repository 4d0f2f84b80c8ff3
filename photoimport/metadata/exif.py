"""EXIF as Pillow parses it: orientation, camera, date tags with their sub-seconds and offsets, GPS.

Values are kept verbatim (strings as stored), only cut at the first NUL and stripped of trailing
spaces: validating them is the job of ``photoimport.capture.capture_time``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image

from photoimport.metadata.values import DateTag, DateTagName, GpsInfo

# IFD pointers (Pillow's ExifTags.IFD)
EXIF_IFD = 0x8769
GPS_IFD = 0x8825

# IFD0
ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110
MODIFY_DATE = 0x0132
# Exif sub-IFD
DATETIME_ORIGINAL = 0x9003
CREATE_DATE = 0x9004
OFFSET_TIME = 0x9010
OFFSET_TIME_ORIGINAL = 0x9011
OFFSET_TIME_DIGITIZED = 0x9012
SUBSEC_TIME = 0x9290
SUBSEC_TIME_ORIGINAL = 0x9291
SUBSEC_TIME_DIGITIZED = 0x9292
MAKER_NOTE = 0x927C
BODY_SERIAL_NUMBER = 0xA431
# GPS IFD
GPS_LATITUDE_REF = 1
GPS_LATITUDE = 2
GPS_LONGITUDE_REF = 3
GPS_LONGITUDE = 4
GPS_ALTITUDE_REF = 5
GPS_ALTITUDE = 6
GPS_TIMESTAMP = 7
GPS_DATESTAMP = 29
# A GPS IFD holding only GPSVersionID / GPSMapDatum says nothing: GPS counts as present when
# one of these (position, altitude, time, date) is there, even with unusable values.
_GPS_DATA_TAGS = (
    GPS_LATITUDE_REF,
    GPS_LATITUDE,
    GPS_LONGITUDE_REF,
    GPS_LONGITUDE,
    GPS_ALTITUDE,
    GPS_TIMESTAMP,
    GPS_DATESTAMP,
)


@dataclass(frozen=True)
class ExifFields:
    """What photoimport reads from one EXIF block."""

    orientation: int | None
    make: str | None
    model: str | None
    dates: tuple[DateTag, ...]
    gps: GpsInfo | None
    maker_note: bytes | None
    warnings: tuple[str, ...]
    serial: str | None = None  # issue 12: EXIF BodySerialNumber (tells two bodies apart)


def text_value(value: object) -> str | None:
    """A tag value as text: cut at the first NUL, trailing spaces stripped; None if not text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    return value.split("\x00", 1)[0].rstrip()


def _non_empty(value: object) -> str | None:
    text = text_value(value)
    return text or None


def read_exif_fields(exif: Image.Exif) -> ExifFields:
    """Read the fields photoimport needs from a parsed EXIF block (never raises for bad tags)."""
    warnings: list[str] = []
    sub = _sub_ifd(exif, EXIF_IFD, "Exif", warnings)
    gps_ifd = _sub_ifd(exif, GPS_IFD, "GPS", warnings)
    return read_exif_ifds(exif, sub, gps_ifd, warnings)


def read_exif_ifds(
    ifd0: Mapping[int, object],
    sub: Mapping[int, object],
    gps_ifd: Mapping[int, object],
    warnings: list[str] | None = None,
) -> ExifFields:
    """``read_exif_fields`` on IFDs found apart (CR3 keeps IFD0, Exif and GPS in own boxes)."""
    warnings = [] if warnings is None else warnings
    orientation = ifd0.get(ORIENTATION)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        if orientation is not None:
            warnings.append(f"EXIF Orientation {orientation!r} is not 1..8: ignored")
        orientation = None
    dates: list[DateTag] = []
    _add_date(
        dates,
        DateTagName.EXIF_DATETIME_ORIGINAL,
        sub.get(DATETIME_ORIGINAL),
        sub.get(SUBSEC_TIME_ORIGINAL),
        sub.get(OFFSET_TIME_ORIGINAL),
    )
    _add_date(
        dates,
        DateTagName.EXIF_CREATE_DATE,
        sub.get(CREATE_DATE),
        sub.get(SUBSEC_TIME_DIGITIZED),
        sub.get(OFFSET_TIME_DIGITIZED),
    )
    _add_date(
        dates,
        DateTagName.EXIF_MODIFY_DATE,
        ifd0.get(MODIFY_DATE),
        sub.get(SUBSEC_TIME),
        sub.get(OFFSET_TIME),
    )
    maker_note = sub.get(MAKER_NOTE)
    return ExifFields(
        orientation=orientation,
        make=_non_empty(ifd0.get(MAKE)),
        model=_non_empty(ifd0.get(MODEL)),
        dates=tuple(dates),
        gps=read_gps(dict(gps_ifd)) if any(t in gps_ifd for t in _GPS_DATA_TAGS) else None,
        maker_note=maker_note if isinstance(maker_note, bytes) and maker_note else None,
        warnings=tuple(warnings),
        serial=_non_empty(sub.get(BODY_SERIAL_NUMBER)),
    )


def _sub_ifd(exif: Image.Exif, tag: int, label: str, warnings: list[str]) -> dict[int, object]:
    """A sub-IFD as a plain mapping; an unreadable one is empty, with a warning saying why."""
    pointer = exif.get(tag)
    if pointer is None:
        return {}
    if not isinstance(pointer, int):
        warnings.append(f"EXIF {label} IFD pointer has the wrong type ({type(pointer).__name__})")
        return {}
    try:
        return dict(exif.get_ifd(tag))
    except (OSError, ValueError, KeyError, TypeError, SyntaxError) as exc:
        # Pillow raises these for directories that point outside the block or are cut short.
        warnings.append(f"EXIF {label} IFD unreadable: {exc}")
        return {}


def _add_date(
    dates: list[DateTag], name: DateTagName, value: object, subsec: object, offset: object
) -> None:
    text = text_value(value)
    if text is None:
        return
    dates.append(DateTag(name, text, _non_empty(subsec), _non_empty(offset)))


def read_gps(ifd: dict[int, object]) -> GpsInfo:
    """GPS position and UTC date/time; values that are missing or impossible become None."""
    lat = _coordinate(ifd.get(GPS_LATITUDE), ifd.get(GPS_LATITUDE_REF), ("S",), 90.0)
    lon = _coordinate(ifd.get(GPS_LONGITUDE), ifd.get(GPS_LONGITUDE_REF), ("W",), 180.0)
    altitude = _number(ifd.get(GPS_ALTITUDE))
    if altitude is not None:
        ref = ifd.get(GPS_ALTITUDE_REF)
        if ref in (1, b"\x01"):
            altitude = -altitude
    return GpsInfo(
        latitude=lat,
        longitude=lon,
        altitude=altitude,
        date=_non_empty(ifd.get(GPS_DATESTAMP)),
        time=_gps_time(ifd.get(GPS_TIMESTAMP)),
    )


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]  # IFDRational, int, float
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _coordinate(
    value: object, ref: object, negative_refs: tuple[str, ...], limit: float
) -> float | None:
    if isinstance(value, tuple) and len(value) == 3:
        parts = [_number(v) for v in value]
        if any(p is None for p in parts):
            return None
        deg, minutes, seconds = (p for p in parts if p is not None)
        result = deg + minutes / 60.0 + seconds / 3600.0
    else:
        number = _number(value)
        if number is None:
            return None
        result = number
    if not -limit <= result <= limit:
        return None
    if text_value(ref) in negative_refs:
        result = -result
    return round(result, 7)


def _gps_time(value: object) -> str | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts if p is not None)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"
