"""Dates written in file names, read with boundary-aware patterns.

Recognised (first pattern that yields a real date wins; date-and-time patterns before date-only):

| example                                   | pattern                                      |
| ----------------------------------------- | -------------------------------------------- |
| IMG_20230714_153012, 20230714_153012      | YYYYMMDD_HHMMSS (also ``-`` between)         |
| PXL_20230714_153012345                    | YYYYMMDD_HHMMSSmmm (milliseconds)            |
| date_20170101_010101                      | YYYYMMDD_HHMMSS after any word and ``_``     |
| Screenshot 2019-05-21 at 10.45.52 (PM)    | YYYY-MM-DD at HH.MM.SS, optional AM/PM       |
| Screenshot_2024-01-15-09-05-33            | YYYY-MM-DD-HH-MM-SS                          |
| telegram_2020-01-30_09-57-18              | YYYY-MM-DD_HH-MM-SS                          |
| 2018-04-12 19_24_49                       | YYYY-MM-DD HH_MM_SS                          |
| IMG-20240115-WA0001                       | YYYYMMDD alone: a date-only candidate        |
| 2015-02-04                                | YYYY-MM-DD alone: a date-only candidate      |

Boundaries: a date must not be glued to a letter or digit on its left (so the hex hash
``0f3a2019120512ab`` and the ID ``received_1015201101234567`` give nothing) nor to a digit on
its right; years are 1900-2099; every field is checked (no 2019-13-45).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from photoimport.capture.parsing import WallClock, impossible_field

_LEFT = r"(?<![0-9A-Za-z])"
_YEAR = r"(?P<year>(?:19|20)[0-9]{2})"
_COMPACT_DATE = _YEAR + r"(?P<month>[0-9]{2})(?P<day>[0-9]{2})"
_SEP_DATE = _YEAR + r"(?P<sep>[-_.])(?P<month>[0-9]{2})(?P=sep)(?P<day>[0-9]{2})"

_DATE_TIME_PATTERNS = (
    # IMG_20230714_153012, PXL_20230714_153012345, 20230714-153012, date_20170101_010101
    re.compile(
        _LEFT + _COMPACT_DATE + r"[_-](?P<hour>[0-9]{2})(?P<minute>[0-9]{2})(?P<second>[0-9]{2})"
        r"(?P<millis>[0-9]{3})?(?![0-9])"
    ),
    # Screenshot 2019-05-21 at 10.45.52, Screenshot_2024-01-15-09-05-33,
    # telegram_2020-01-30_09-57-18, 2018-04-12 19_24_49
    re.compile(
        _LEFT + _SEP_DATE + r"(?:\s+at\s+|[ _T.-])"
        r"(?P<hour>[0-9]{1,2})(?P<tsep>[.:_-])(?P<minute>[0-9]{2})(?P=tsep)(?P<second>[0-9]{2})"
        r"(?:\s*(?P<ampm>[AaPp][Mm])(?![A-Za-z]))?(?![0-9])"
    ),
)
_DATE_ONLY_PATTERNS = (
    re.compile(_LEFT + _SEP_DATE + r"(?![0-9])"),  # 2015-02-04
    re.compile(_LEFT + _COMPACT_DATE + r"(?![0-9])"),  # IMG-20240115-WA0001
)


@dataclass(frozen=True)
class FilenameDate:
    """A date found in a file name and the part of the name it came from."""

    wall: WallClock
    matched: str


def date_from_filename(name: str) -> FilenameDate | None:
    """The date written in a file name (its last path part), or None. Never raises."""
    stem = PurePath(name).name  # the extension never matches: patterns end before a letter
    for pattern in _DATE_TIME_PATTERNS:
        for match in pattern.finditer(stem):
            found = _from_match(match)
            if found is not None:
                return found
    for pattern in _DATE_ONLY_PATTERNS:
        for match in pattern.finditer(stem):
            found = _from_match(match)
            if found is not None:
                return found
    return None


def _from_match(match: re.Match[str]) -> FilenameDate | None:
    groups = match.groupdict()
    year, month, day = int(groups["year"]), int(groups["month"]), int(groups["day"])
    if groups.get("hour") is None:
        if impossible_field(year, month, day, 0, 0, 0):
            return None
        return FilenameDate(WallClock(year, month, day, date_only=True), match[0])
    hour, minute, second = int(groups["hour"]), int(groups["minute"]), int(groups["second"])
    ampm = (groups.get("ampm") or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    if impossible_field(year, month, day, hour, minute, second):
        return None
    micro = int(groups["millis"]) * 1000 if groups.get("millis") else 0
    return FilenameDate(WallClock(year, month, day, hour, minute, second, micro), match[0])
