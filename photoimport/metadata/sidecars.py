"""Sidecar files beside a photo: XMP (Lightroom, darktable, digiKam) and Google Takeout JSON.

* ``sidecar_names(media, names)``: which files of the same folder are this photo's sidecars:
  ``IMG_1234.xmp`` (extension replaced) and ``IMG_1234.JPG.xmp`` (appended), any case, and the
  Takeout JSON ``photoimport.metadata.takeout.match_takeout_json`` picks.
* ``read_xmp_sidecar(data)``: the sidecar's dates, as date tags of their own (named
  ``XMP sidecar ...``: the capture rules rank them apart from the embedded tags), and its GPS
  (``exif:GPSLatitude``/``GPSLongitude`` and ``exif:GPSDateTime``).
* ``xmp_gps(packet)``: GPS of any XMP packet (embedded ones too: ``exif:GPSDateTime`` counts like
  the EXIF GPS date and time).

XMP GPS values are found with one linear regular expression per tag (attribute or element
form, no backtracking across tags), so a hostile packet costs time in proportion to its size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from photoimport.metadata.takeout import TakeoutIndex
from photoimport.metadata.values import DateTag, DateTagName, GpsInfo
from photoimport.metadata.xmp import read_xmp_dates

__all__ = [
    "SIDECAR_SUFFIXES",
    "FolderSidecars",
    "XmpSidecar",
    "is_sidecar_name",
    "read_xmp_sidecar",
    "sidecar_names",
    "xmp_gps",
]

SIDECAR_SUFFIXES: Final = (".xmp", ".json")
MAX_SIDECAR_BYTES: Final = 4 * 1024 * 1024
_SIDECAR_NAMES: Final = {
    DateTagName.XMP_EXIF_DATETIME_ORIGINAL: DateTagName.SIDECAR_EXIF_DATETIME_ORIGINAL,
    DateTagName.XMP_PHOTOSHOP_DATE_CREATED: DateTagName.SIDECAR_PHOTOSHOP_DATE_CREATED,
    DateTagName.XMP_CREATE_DATE: DateTagName.SIDECAR_CREATE_DATE,
    DateTagName.XMP_MODIFY_DATE: DateTagName.SIDECAR_MODIFY_DATE,
}
_COORD: Final = re.compile(
    r"^\s*(\d{1,3})(?:,(\d{1,2}(?:\.\d+)?))?(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])\s*$"
)


def _tag(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"exif:{name}\s*=\s*[\"']([^\"'<>]{{1,64}})[\"']|<exif:{name}>([^<]{{1,64}})<"
    )


_GPS_TAGS: Final = {
    n: _tag(n) for n in ("GPSLatitude", "GPSLongitude", "GPSDateTime", "GPSTimeStamp")
}


@dataclass(frozen=True)
class XmpSidecar:
    dates: tuple[DateTag, ...]
    gps: GpsInfo | None
    warnings: tuple[str, ...]


def is_sidecar_name(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIXES)


class FolderSidecars:
    """The sidecars of one folder, indexed once: each photo then finds its own in O(1)."""

    def __init__(self, names: list[str]) -> None:
        self._xmp = {n.lower(): n for n in names if n.lower().endswith(".xmp")}
        self._takeout = TakeoutIndex([n for n in names if n.lower().endswith(".json")])

    def of(self, media: str) -> list[str]:
        """The sidecars of ``media``, XMP first (``IMG.JPG.xmp``, then ``IMG.xmp``)."""
        found: list[str] = []
        for candidate in (f"{media}.xmp", f"{PurePath(media).stem}.xmp"):
            name = self._xmp.get(candidate.lower())
            if name is not None and name not in found:
                found.append(name)
        takeout = self._takeout.match(media)
        if takeout is not None:
            found.append(takeout)
        return found


def sidecar_names(media: str, names: list[str]) -> list[str]:
    """The sidecars of ``media`` among ``names`` (the files of its folder), XMP first."""
    return FolderSidecars(names).of(media)


def read_xmp_sidecar(data: bytes) -> XmpSidecar:
    """The dates (renamed as sidecar tags) and GPS of an XMP sidecar file."""
    if len(data) > MAX_SIDECAR_BYTES:
        return XmpSidecar(
            (), None, (f"XMP sidecar ignored: larger than {MAX_SIDECAR_BYTES} bytes",)
        )
    result = read_xmp_dates(data)
    dates = tuple(
        DateTag(_SIDECAR_NAMES[d.name], d.value, d.subsec, d.offset)
        for d in result.dates
        if d.name in _SIDECAR_NAMES
    )
    return XmpSidecar(dates, xmp_gps(data), tuple(result.warnings))


def xmp_gps(packet: bytes | str) -> GpsInfo | None:
    """GPS position and ``exif:GPSDateTime`` (UTC) of an XMP packet, or None without any."""
    text = packet.decode("utf-8", errors="replace") if isinstance(packet, bytes) else packet
    if "exif:GPS" not in text:
        return None
    values = {name: _first(pattern, text) for name, pattern in _GPS_TAGS.items()}
    latitude = _coordinate(values["GPSLatitude"], 90.0)
    longitude = _coordinate(values["GPSLongitude"], 180.0)
    stamp = values["GPSDateTime"] or values["GPSTimeStamp"]
    date, time = _split_gps_time(stamp)
    if latitude is None and longitude is None and date is None:
        return None
    return GpsInfo(latitude, longitude, None, date, time)


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    return (match.group(1) or match.group(2) or "").strip() or None


def _coordinate(value: str | None, limit: float) -> float | None:
    """XMP GPS coordinate ``DDD,MM.mmk`` or ``DDD,MM,SSk`` (k: N, S, E or W)."""
    if value is None:
        return None
    match = _COORD.match(value)
    if match is None:
        return None
    degrees, minutes, seconds, ref = match.groups()
    result = int(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    if result > limit:
        return None
    return round(-result if ref in "SW" else result, 7)


def _split_gps_time(stamp: str | None) -> tuple[str | None, str | None]:
    """``2015-06-12T17:29:26Z`` as the EXIF GPS layout (``2015:06:12``, ``17:29:26``), UTC."""
    if not stamp:
        return None, None
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?", stamp)
    if match is None:
        return None, None
    y, mo, d, h, mi, s = match.groups()
    if not stamp.rstrip().endswith(("Z", "+00:00")) and re.search(r"[+-]\d{2}:?\d{2}$", stamp):
        return None, None  # a GPS time that is not UTC is not one
    return f"{y}:{mo}:{d}", f"{h}:{mi}:{s or '00'}"
