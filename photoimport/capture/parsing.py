"""Parse date and UTC-offset text as photos store it, with a plain-words reason when it is bad.

``parse_date_text`` reads EXIF layout (``2015:12:05 00:59:26``), ISO-8601 (``2015-12-05T00:59:26
.084-08:00``), compact IPTC digits (``20151205``), date-only values and a zone written inside
the value. It never raises: a value that is not a usable date gives ``DateRejected`` naming why
(blank, all zeros, seconds 70, day 00, hour 57, garbled ...).

Why not ``datetime.strptime`` / ``fromisoformat`` / ``dateutil``: they accept one layout each
(or guess far too freely: dateutil reads "123" as a day of the current month) and fail with a
bare ``ValueError``; the gallery must say *which* field is impossible, so fields are split by
one regex and checked one by one here.

``parse_offset`` reads ``+05:30``, ``-0400``, ``+05``, ``Z``, ``UTC``, ``GMT+2``, ``UTC-03:00``.

A ``WallClock`` is a time as a camera's clock showed it, with the zone only when the value
itself states one. It turns into an aware datetime through ``at(tz)``; it is never a naive
datetime.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

MAX_OFFSET = timedelta(hours=14)
MIN_OFFSET = timedelta(hours=-12)

_ZONE = r"Z|(?:UTC|GMT)(?:\s*[+-][0-9]{1,2}(?::?[0-9]{2})?)?|[+-][0-9]{1,2}(?::?[0-9]{2})?"
_DATE_RE = re.compile(
    r"(?P<year>[0-9]{4})(?P<sep>[:./-]?)(?P<month>[0-9]{2})(?P=sep)(?P<day>[0-9]{2})"
    r"(?:(?:[T ]+|\s*)(?P<hour>[0-9]{2}):?(?P<minute>[0-9]{2})"
    r"(?::?(?P<second>[0-9]{2})(?:[.,](?P<frac>[0-9]{1,9}))?)?)?"
    rf"\s*(?P<zone>{_ZONE})?",
    re.IGNORECASE,
)
_OFFSET_RE = re.compile(
    r"(?:(?:UTC|GMT)\s*)?(?P<sign>[+-])\s*(?P<hours>[0-9]{1,2})(?::?(?P<minutes>[0-9]{2}))?",
    re.IGNORECASE,
)
_UTC_WORDS = frozenset({"Z", "UTC", "GMT", "UT"})
_BLANK_CHARS = " \t\r\n\x00:-./T"


@dataclass(frozen=True)
class WallClock:
    """A date and time as written in a photo (the camera's wall clock)."""

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    microsecond: int = 0
    date_only: bool = False
    offset: timedelta | None = None  # a zone written inside the value itself

    def at(self, tz: tzinfo) -> datetime:
        """This wall clock as an aware datetime in ``tz``."""
        return datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.microsecond,
            tzinfo=tz,
        )

    def as_if_utc(self) -> datetime:
        """The wall clock labelled UTC: only to compare two wall clocks, never shown."""
        return self.at(UTC)

    def text(self) -> str:
        if self.date_only:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d} "
            f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}"
        )

    def with_subsec(self, subsec: str | None) -> WallClock:
        """Add EXIF SubSecTime digits ("084" -> 84 ms); anything else is ignored."""
        digits = (subsec or "").strip().strip("\x00").strip()
        if self.date_only or not digits.isascii() or not digits.isdigit():
            return self
        micro = int((digits + "000000")[:6])
        return WallClock(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            micro,
            self.date_only,
            self.offset,
        )


@dataclass(frozen=True)
class DateRejected:
    """A value that is not a usable date, and why in plain words."""

    reason: str


def parse_date_text(text: str) -> WallClock | DateRejected:
    """Read a date as stored in a photo; never raises."""
    value = text.strip().strip("\x00").strip()
    if not value.strip(_BLANK_CHARS):
        return DateRejected("blank date (no value recorded)")
    digits = [c for c in value if c.isdigit()]
    if digits and all(c == "0" for c in digits):
        return DateRejected(f"all-zero date {value!r} (no date recorded)")
    match = _DATE_RE.fullmatch(value)
    if match is None:
        return DateRejected(f"garbled date {value!r}: not a date and time")
    return _checked(value, match)


def _checked(value: str, match: re.Match[str]) -> WallClock | DateRejected:
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    has_time = match["hour"] is not None
    hour = int(match["hour"]) if has_time else 0
    minute = int(match["minute"]) if has_time else 0
    second = int(match["second"]) if match["second"] is not None else 0
    problem = impossible_field(year, month, day, hour, minute, second)
    if problem:
        return DateRejected(f"impossible date {value!r}: {problem}")
    zone = None
    if match["zone"] is not None:
        zone = parse_offset(match["zone"])
        if zone is None:
            return DateRejected(f"impossible date {value!r}: zone {match['zone']!r} out of range")
    micro = int((match["frac"] + "000000")[:6]) if match["frac"] else 0
    return WallClock(year, month, day, hour, minute, second, micro, not has_time, zone)


def impossible_field(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str:
    """Which field cannot exist, in plain words ("seconds 70"), or "" when all fit."""
    if year == 0:
        return "year 0000"
    if not 1 <= month <= 12:
        return f"month {month:02d}"
    if day == 0:
        return "day 00"
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return f"day {day:02d} (month {month:02d} of {year} has {last} days)"
    if hour > 23:
        return f"hour {hour:02d}"
    if minute > 59:
        return f"minutes {minute:02d}"
    if second > 59:
        return f"seconds {second:02d}"
    return ""


def parse_offset(text: str) -> timedelta | None:
    """A UTC offset (``+05:30``, ``-0400``, ``Z``, ``GMT+2`` ...), or None if it is not one."""
    value = text.strip().strip("\x00").strip()
    if value.upper() in _UTC_WORDS:
        return timedelta(0)
    match = _OFFSET_RE.fullmatch(value)
    if match is None:
        return None
    hours = int(match["hours"])
    minutes = int(match["minutes"] or 0)
    if minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    if match["sign"] == "-":
        offset = -offset
    if not MIN_OFFSET <= offset <= MAX_OFFSET:
        return None
    return offset


def format_offset(offset: timedelta) -> str:
    """``timedelta(hours=5, minutes=30)`` -> ``"+05:30"``."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
