"""Capture dates and UTC offsets that cameras wrote outside the standard EXIF tags.

Only what the corpus shows matters for dating photos:

- Canon maker note, TimeInfo (tag 0x0035): TimeZone minutes + DaylightSavings minutes. Canon
  maker-note offsets are relative to the TIFF header; when an editor moved the maker note, the
  8-byte footer (``II*\\0`` + original offset) says by how much.
- Olympus ``[picture info]`` text in an APP12 segment: ``TimeDate=<seconds since 1970>``, the
  camera's wall clock counted as if it were UTC.
- Casio QVCI APP1 segment: the capture time as ``YYYY.MM.DD.HH.MM.SS`` text.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime

from photoimport.metadata.values import DateTag, DateTagName

_CANON_TIME_INFO = 0x0035
_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}


def canon_timezone_offset(tiff: bytes, maker_note: bytes) -> str | None:
    """The UTC offset ("+01:00") from a Canon maker note's TimeInfo, or None."""
    endian = "<" if tiff[:2] == b"II" else ">"
    if len(maker_note) < 2:
        return None
    (count,) = struct.unpack(endian + "H", maker_note[:2])
    base = _canon_base_shift(tiff, maker_note, endian)
    for i in range(count):
        pos = 2 + 12 * i
        if pos + 12 > len(maker_note):
            return None
        tag, typ, n, value_offset = struct.unpack(endian + "HHII", maker_note[pos : pos + 12])
        if tag != _CANON_TIME_INFO:
            continue
        if typ not in (4, 9) or n < 4 or _TIFF_TYPE_SIZES[typ] * n <= 4:
            return None
        start = value_offset + base
        if start < 0 or start + 16 > len(tiff):
            return None
        size, zone, _city, dst = struct.unpack(endian + "4i", tiff[start : start + 16])
        if size != 16 or not -14 * 60 <= zone <= 14 * 60 or dst not in (0, 60):
            return None
        return _format_offset(zone + dst)
    return None


def _canon_base_shift(tiff: bytes, maker_note: bytes, endian: str) -> int:
    """How far the maker note moved since its offsets were written (0 when it did not)."""
    footer = maker_note[-8:]
    if footer[:4] not in (b"II*\x00", b"MM\x00*"):
        return 0
    original: int = struct.unpack(endian + "I", footer[4:])[0]
    actual = tiff.find(maker_note)
    if actual < 0:
        return 0
    return actual - original


def _format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


_OLYMPUS_INFO = b"[picture info]"
_OLYMPUS_TIMEDATE = re.compile(rb"TimeDate=(\d{1,12})")  # searched after the first INFO: linear
_CASIO_DATE = re.compile(rb"(\d{4})\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2})")


def segment_dates(applist: list[tuple[str, bytes]]) -> tuple[DateTag, ...]:
    """Maker capture dates in JPEG APP segments (Olympus PictureInfo, Casio QVCI)."""
    for marker, data in applist:
        info = data.find(_OLYMPUS_INFO) if marker == "APP12" else -1
        if info != -1:
            match = _OLYMPUS_TIMEDATE.search(data, info + len(_OLYMPUS_INFO))
            if match is not None:
                value = _olympus_wall_clock(int(match.group(1)))
                if value is not None:
                    return (DateTag(DateTagName.MAKERNOTE_DATETIME_ORIGINAL, value),)
        if marker == "APP1" and data.startswith(b"QVCI\x00"):
            match = _CASIO_DATE.search(data)
            if match is not None:
                y, mo, d, h, mi, s = (g.decode("ascii") for g in match.groups())
                value = f"{y}:{mo}:{d} {h}:{mi}:{s}"
                return (DateTag(DateTagName.MAKERNOTE_DATETIME_ORIGINAL, value),)
    return ()


def _olympus_wall_clock(seconds: int) -> str | None:
    """The camera counts its wall clock from 1970 without a zone: reading it as UTC gives the
    wall clock back (it is not an instant)."""
    try:
        wall = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return wall.strftime("%Y:%m:%d %H:%M:%S")
