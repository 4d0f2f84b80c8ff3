"""What a person types into date review, read strictly, with one plain-words error when it is bad.

* ``parse_user_time(text, zone, zone_label)``: ``YYYY-MM-DD HH:MM[:SS][±HH:MM]`` (EXIF layout and
  ``T`` also read). With an offset in the text, that offset is used; without one the wall clock is
  taken in ``zone`` (the photo's own zone when it has one, else the configured zone) and the
  result says which zone was assumed. A date without a time of day is refused.
* ``parse_shift(text, days)``: ``[+|-]H:MM[:SS]`` plus whole days; the sign applies to the whole
  shift (``-01:00:00`` with 2 days is 2 days and 1 hour earlier).
* ``parse_zone(text)``: an offset (``+05:30``) or an IANA zone name (``Europe/Paris``).
* ``check_in_range(when, what, now)``: no capture time before 1826 (the first photograph) or more
  than a day in the future (the same rule the import applies).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from photoimport.capture.parsing import DateRejected, format_offset, parse_date_text
from photoimport.capture.zones import fixed_zone, zone_from_setting
from photoimport.errors import BadDateInput, ConfigError, DateOutOfRange
from photoimport.review.values import UserTime

__all__ = [
    "EARLIEST",
    "FUTURE_SLACK",
    "check_in_range",
    "format_shift",
    "parse_shift",
    "parse_user_time",
    "parse_zone",
    "to_fixed",
]

EARLIEST = datetime(1826, 1, 1, tzinfo=UTC)  # Niépce's first photograph: nothing is older
FUTURE_SLACK = timedelta(days=1)
_SHIFT_RE = re.compile(
    r"\s*(?P<sign>[+-])?\s*(?P<h>[0-9]{1,4}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?\s*"
)
_FORMAT = "write it as YYYY-MM-DD HH:MM:SS, optionally with an offset such as +02:00"


def to_fixed(when: datetime) -> datetime:
    """``when`` with its zone replaced by the fixed offset it has at that instant."""
    offset = when.utcoffset()
    if offset is None:
        raise ValueError("a naive datetime reached date review")
    return when.replace(tzinfo=fixed_zone(offset))


def parse_user_time(
    text: str, zone: tzinfo, zone_label: str, *, now: datetime | None = None
) -> UserTime:
    """A typed date and time as an aware wall clock (raises ``BadDateInput``/``DateOutOfRange``)."""
    parsed = parse_date_text(text)
    if isinstance(parsed, DateRejected):
        raise BadDateInput(f"cannot read the date {text!r} ({parsed.reason}): {_FORMAT}")
    if parsed.date_only:
        raise BadDateInput(f"the date {text!r} has no time of day: {_FORMAT}")
    if parsed.offset is not None:
        local = parsed.at(fixed_zone(parsed.offset))
        assumed = None
    else:
        local = to_fixed(parsed.at(zone))
        offset = local.utcoffset()
        assert offset is not None  # to_fixed
        assumed = f"{format_offset(offset)} ({zone_label})"
    check_in_range(local, f"the date {text!r}", now=now)
    return UserTime(local=local, assumed=assumed)


def check_in_range(when: datetime, what: str, *, now: datetime | None = None) -> None:
    """Raise ``DateOutOfRange`` when ``when`` is before 1826 or more than a day ahead."""
    reference = now if now is not None else datetime.now(UTC)
    if when < EARLIEST:
        raise DateOutOfRange(f"{what} is before 1826, the year of the first photograph")
    if when > reference + FUTURE_SLACK:
        raise DateOutOfRange(f"{what} is in the future")


def parse_shift(text: str, days: int = 0) -> timedelta:
    """``"[-]HH:MM[:SS]"`` and ``days`` as one shift; the sign of ``text`` applies to both."""
    match = _SHIFT_RE.fullmatch(text or "")
    if match is None:
        raise BadDateInput(
            f"cannot read the shift {text!r}: write it as [-]HH:MM:SS, e.g. -01:30:00"
        )
    minutes, seconds = int(match["m"]), int(match["s"] or 0)
    if minutes > 59 or seconds > 59:
        raise BadDateInput(f"cannot read the shift {text!r}: minutes and seconds go up to 59")
    if days < 0:
        raise BadDateInput("give the days as a positive number; a minus sign in the time applies")
    size = timedelta(days=days, hours=int(match["h"]), minutes=minutes, seconds=seconds)
    if not size:
        raise BadDateInput("a shift of zero changes nothing")
    return -size if match["sign"] == "-" else size


def format_shift(delta: timedelta) -> str:
    """``timedelta(hours=-1, minutes=-3)`` -> ``"-01:03:00"``; days are written out."""
    sign = "-" if delta < timedelta(0) else "+"
    total = int(abs(delta).total_seconds())
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if days:
        return f"{sign}{days} day{'s' if days != 1 else ''} {clock}"
    return f"{sign}{clock}"


def parse_zone(text: str) -> tuple[tzinfo, str]:
    """An offset or an IANA zone name, and its label (raises ``BadDateInput``)."""
    name = (text or "").strip()
    if not name:
        raise BadDateInput("no time zone given: write an offset (+02:00) or a zone name")
    try:
        return zone_from_setting(name), name
    except ConfigError as exc:
        raise BadDateInput(
            f"unknown time zone {name!r}: write an offset (+02:00) or a zone name (Europe/Paris)"
        ) from exc
