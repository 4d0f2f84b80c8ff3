"""Where a photo's UTC offset can come from besides the photo saying it: GPS and settings.

* ``zone_at(latitude, longitude)``: the IANA zone at a position, offline (timezonefinder). The
  ``TimezoneFinder`` is built once per process, lazily, because building it is slow.
* ``offset_from_gps_utc(wall, gps_utc)``: the offset that makes a camera wall clock agree with
  the GPS UTC time, when they agree to within a few minutes modulo whole quarter-hours.
* ``zone_from_setting(name)``: the configured zone (an IANA name or a fixed offset).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from photoimport.capture.parsing import MAX_OFFSET, MIN_OFFSET, WallClock, parse_offset
from photoimport.errors import ConfigError

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

QUARTER_HOUR = timedelta(minutes=15)
# A GPS fix and the shutter are rarely the same second: the GPS time stamps the last fix.
GPS_TOLERANCE = timedelta(minutes=5)


@cache
def _finder() -> TimezoneFinder:
    # Imported here, not at the top: importing timezonefinder parses C declarations with cffi
    # (~0.3 s), which every CLI command, page and worker start would pay without a GPS photo.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def has_position(latitude: float | None, longitude: float | None) -> bool:
    """A real position: both numbers, in range, and not the (0, 0) "null island" placeholder."""
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return False
    return not (latitude == 0.0 and longitude == 0.0)


def zone_at(latitude: float | None, longitude: float | None) -> ZoneInfo | None:
    """The time zone at a GPS position, or None without a usable position."""
    if not has_position(latitude, longitude):
        return None
    name = _finder().timezone_at(lng=float(longitude or 0.0), lat=float(latitude or 0.0))
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # timezonefinder's data is newer than the tzdata package: treat as "no zone known"
        return None


def offset_from_gps_utc(wall: WallClock, gps_utc: datetime) -> timedelta | None:
    """The offset (whole quarter-hours) that makes ``wall`` agree with the GPS UTC time."""
    if wall.date_only:
        return None
    difference = wall.as_if_utc() - gps_utc
    quarters = round(difference / QUARTER_HOUR)
    offset = quarters * QUARTER_HOUR
    if abs(difference - offset) > GPS_TOLERANCE:
        return None
    if not MIN_OFFSET <= offset <= MAX_OFFSET:
        return None
    return offset


def fixed_zone(offset: timedelta) -> tzinfo:
    return UTC if offset == timedelta(0) else timezone(offset)


def zone_from_setting(name: str) -> tzinfo:
    """The configured zone: an IANA name ("Europe/Paris", "UTC") or an offset ("+02:00")."""
    text = name.strip()
    offset = parse_offset(text) if text else None
    if offset is not None:
        return fixed_zone(offset)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: "Europe" is a folder
        raise ConfigError(
            f"time zone {name!r} is not an IANA zone name (like Europe/Paris) or an offset"
        ) from exc
