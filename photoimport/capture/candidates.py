"""Build every capture-time candidate of one photo: parse, validate, demote, find the offset.

The rules are the table in ``photoimport.capture.capture_time``; this module applies its "source",
"reject", "demote" and "offset" rows. Pure: no I/O except the offline zone look-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from photoimport.capture.filenames import date_from_filename
from photoimport.capture.parsing import DateRejected, WallClock, parse_date_text, parse_offset
from photoimport.capture.values import CandidateSource, OffsetSource, TimestampCandidate
from photoimport.capture.zones import fixed_zone, offset_from_gps_utc, zone_at, zone_from_setting
from photoimport.metadata.reader import DateTag, DateTagName, GpsInfo, ImageMetadata

FUTURE_SLACK = timedelta(days=1)
# A capture date this far after the same block's ModifyDate is a wrong clock or a re-save date.
IMPLAUSIBLE_AFTER_MODIFY = timedelta(days=30)
SAME_WALL_CLOCK = timedelta(seconds=1)
SAME_MOMENT = timedelta(minutes=2)  # a UTC instant and a stated local time of one capture

_TAG_SOURCES: dict[DateTagName, CandidateSource] = {
    DateTagName.EXIF_DATETIME_ORIGINAL: CandidateSource.EXIF_DATETIME_ORIGINAL,
    DateTagName.EXIF_CREATE_DATE: CandidateSource.EXIF_CREATE_DATE,
    DateTagName.EXIF_MODIFY_DATE: CandidateSource.EXIF_MODIFY_DATE,
    DateTagName.XMP_PHOTOSHOP_DATE_CREATED: CandidateSource.XMP_PHOTOSHOP_DATE_CREATED,
    DateTagName.XMP_CREATE_DATE: CandidateSource.XMP_CREATE_DATE,
    DateTagName.XMP_EXIF_DATETIME_ORIGINAL: CandidateSource.XMP_EXIF_DATETIME_ORIGINAL,
    DateTagName.IPTC_DATE_CREATED: CandidateSource.IPTC_DATE_CREATED,
    DateTagName.PNG_TIME: CandidateSource.PNG_TIME,
    DateTagName.MAKERNOTE_DATETIME_ORIGINAL: CandidateSource.MAKERNOTE,
    DateTagName.QUICKTIME_CREATION_DATE: CandidateSource.QUICKTIME_CREATION_DATE,
    DateTagName.QUICKTIME_CREATE_DATE: CandidateSource.QUICKTIME_CREATE_DATE,
    DateTagName.QUICKTIME_CREATE_DATE_LOCAL: CandidateSource.QUICKTIME_CREATE_DATE,
    DateTagName.SIDECAR_EXIF_DATETIME_ORIGINAL: CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL,
    DateTagName.SIDECAR_PHOTOSHOP_DATE_CREATED: CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED,
    DateTagName.SIDECAR_CREATE_DATE: CandidateSource.SIDECAR_CREATE_DATE,
    DateTagName.TAKEOUT_PHOTO_TAKEN: CandidateSource.TAKEOUT,
    # XMP xmp:ModifyDate is no candidate: it only checks XMP capture dates and states zones.
}
# Capture tags checked against a ModifyDate of the same block.
_MODIFY_OF: dict[CandidateSource, DateTagName] = {
    CandidateSource.EXIF_DATETIME_ORIGINAL: DateTagName.EXIF_MODIFY_DATE,
    CandidateSource.EXIF_CREATE_DATE: DateTagName.EXIF_MODIFY_DATE,
    CandidateSource.XMP_PHOTOSHOP_DATE_CREATED: DateTagName.XMP_MODIFY_DATE,
    CandidateSource.XMP_CREATE_DATE: DateTagName.XMP_MODIFY_DATE,
    CandidateSource.XMP_EXIF_DATETIME_ORIGINAL: DateTagName.XMP_MODIFY_DATE,
    CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL: DateTagName.SIDECAR_MODIFY_DATE,
    CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED: DateTagName.SIDECAR_MODIFY_DATE,
    CandidateSource.SIDECAR_CREATE_DATE: DateTagName.SIDECAR_MODIFY_DATE,
}
# Tags that give an instant in UTC (not a wall clock): shown in the zone the photo's other
# tags, its GPS position or the settings give, never labelled UTC.
_UTC_INSTANTS = frozenset({DateTagName.QUICKTIME_CREATE_DATE, DateTagName.TAKEOUT_PHOTO_TAKEN})
# The camera clock the maker-note TimeZone describes.
_CAMERA_CLOCK = frozenset(
    {
        DateTagName.EXIF_DATETIME_ORIGINAL,
        DateTagName.EXIF_CREATE_DATE,
        DateTagName.EXIF_MODIFY_DATE,
        DateTagName.MAKERNOTE_DATETIME_ORIGINAL,
    }
)
_EXACT_DEFAULTS: dict[tuple[int, ...], str] = {
    (2002, 12, 8, 12, 0, 0): "the Android firmware default 2002:12:08 12:00:00",
    (2000, 1, 1, 0, 0, 0): "the camera default 2000:01:01 00:00:00 (clock never set)",
    (1998, 1, 1, 0, 0, 0): "the camera default 1998:01:01 00:00:00 (clock never set)",
}
_EPOCH_DAYS: dict[tuple[int, int, int], str] = {
    (1970, 1, 1): "on 1970-01-01, the first day of a clock that was never set (Unix epoch)",
    (1980, 1, 1): "on 1980-01-01, the first day of a clock that was never set (DOS epoch)",
}


@dataclass(frozen=True)
class _Reading:
    """One date tag, parsed."""

    tag: DateTagName | None  # None for the file name and the GPS time
    raw: str
    parsed: WallClock | DateRejected
    stated: timedelta | None  # the zone this value states for itself, if any


@dataclass(frozen=True)
class _Photo:
    """What the offset rules need to know about the photo."""

    readings: tuple[_Reading, ...]
    makernote_offset: timedelta | None
    gps_utc: datetime | None
    utc_instants: tuple[datetime, ...]  # Takeout / QuickTime UTC times of the same moment
    position_zone: ZoneInfo | None
    configured: tzinfo
    now: datetime


def read_candidates(
    meta: ImageMetadata | None, path: Path, mtime: datetime | None, timezone: str, now: datetime
) -> list[TimestampCandidate]:
    """Every candidate, valid or rejected, in no particular order of trust."""
    configured = zone_from_setting(timezone)
    if mtime is not None and mtime.tzinfo is None:
        raise ValueError(f"mtime of {path} must be timezone-aware, got {mtime!r}")
    readings = tuple(_read_tag(tag) for tag in meta.dates) if meta else ()
    gps = meta.gps if meta else None
    gps_reading = _read_gps(gps)
    gps_utc = gps_reading.parsed.at(UTC) if isinstance(gps_reading.parsed, WallClock) else None
    photo = _Photo(
        readings=readings,
        makernote_offset=parse_offset(meta.makernote_offset or "") if meta else None,
        gps_utc=gps_utc,
        utc_instants=tuple(
            r.parsed.at(UTC)
            for r in readings
            if r.tag in _UTC_INSTANTS and isinstance(r.parsed, WallClock) and not r.parsed.date_only
        ),
        position_zone=zone_at(gps.latitude, gps.longitude) if gps else None,
        configured=configured,
        now=now,
    )
    candidates = [
        _candidate(photo, _TAG_SOURCES[r.tag], r) for r in readings if r.tag in _TAG_SOURCES
    ]
    found = date_from_filename(path.name)
    if found is not None:
        reading = _Reading(None, path.name, found.wall, None)
        candidates.append(_candidate(photo, CandidateSource.FILENAME, reading, related=False))
    if gps is not None and (gps.date or gps.time):
        candidates.append(_gps_candidate(photo, gps_reading))
    if mtime is not None:
        candidates.append(_mtime_candidate(photo, mtime))
    return candidates


def _read_tag(tag: DateTag) -> _Reading:
    parsed = parse_date_text(tag.value)
    if isinstance(parsed, DateRejected):
        return _Reading(tag.name, tag.value, parsed, None)
    parsed = parsed.with_subsec(tag.subsec)
    stated = parsed.offset
    if stated is None and tag.offset:
        stated = parse_offset(tag.offset)
    if tag.name is DateTagName.IPTC_DATE_CREATED and stated == timedelta(0):
        stated = None  # IPTC writers put +00:00 when they know no zone: not a statement
    return _Reading(tag.name, tag.value, parsed, stated)


def _read_gps(gps: GpsInfo | None) -> _Reading:
    date, time = ((gps.date or "").strip(), (gps.time or "").strip()) if gps else ("", "")
    raw = " ".join(part for part in (date, time, "UTC") if part)
    parsed: WallClock | DateRejected
    if not date:
        parsed = DateRejected("GPS time without a GPS date")
    elif isinstance(day := parse_date_text(date), DateRejected):
        parsed = DateRejected(f"GPS date: {day.reason}")
    elif not time:
        parsed = DateRejected("GPS date without a GPS time")
    else:
        parsed = parse_date_text(f"{date} {time}")
        if isinstance(parsed, DateRejected):
            parsed = DateRejected(f"GPS date and time: {parsed.reason}")
        elif parsed.date_only:
            parsed = DateRejected(f"GPS time {time!r} is not a time")
    return _Reading(None, raw, parsed, timedelta(0))


def _candidate(
    photo: _Photo, source: CandidateSource, reading: _Reading, *, related: bool = True
) -> TimestampCandidate:
    wall = reading.parsed
    if isinstance(wall, DateRejected):
        return TimestampCandidate(source, reading.raw, None, None, rejected=wall.reason)
    if reading.tag in _UTC_INSTANTS and not wall.date_only:
        zone, offset_source = _zone_for_instant(photo, reading, wall.at(UTC))
        local = wall.at(UTC).astimezone(zone)
    else:
        zone, offset_source = _zone_for(photo, reading, wall, related=related)
        local = wall.at(zone)
    rejected = _future(local, photo.now) or _after_modify(photo, source, wall)
    if rejected:
        return TimestampCandidate(source, reading.raw, None, None, wall.date_only, rejected)
    return TimestampCandidate(
        source,
        reading.raw,
        local,
        offset_source,
        wall.date_only,
        demoted=_default_clock(wall),
    )


def _gps_candidate(photo: _Photo, reading: _Reading) -> TimestampCandidate:
    source = CandidateSource.GPS
    if isinstance(reading.parsed, DateRejected) or photo.gps_utc is None:
        reason = reading.parsed.reason if isinstance(reading.parsed, DateRejected) else "no time"
        return TimestampCandidate(source, reading.raw, None, None, rejected=reason)
    if photo.position_zone is not None:
        local = photo.gps_utc.astimezone(photo.position_zone)
        offset_source = OffsetSource.GPS_POSITION
    else:
        local = photo.gps_utc.astimezone(photo.configured)
        offset_source = OffsetSource.CONFIGURED
    rejected = _future(local, photo.now)
    if rejected:
        return TimestampCandidate(source, reading.raw, None, None, rejected=rejected)
    demoted = _default_clock(reading.parsed)
    return TimestampCandidate(source, reading.raw, local, offset_source, demoted=demoted)


def _mtime_candidate(photo: _Photo, mtime: datetime) -> TimestampCandidate:
    source = CandidateSource.MTIME
    raw = mtime.astimezone(UTC).isoformat()
    local = mtime.astimezone(photo.configured)
    rejected = _future(local, photo.now)
    if rejected:
        return TimestampCandidate(source, raw, None, None, rejected=rejected)
    wall = WallClock(local.year, local.month, local.day, local.hour, local.minute, local.second)
    demoted = _default_clock(wall)
    return TimestampCandidate(source, raw, local, OffsetSource.CONFIGURED, demoted=demoted)


def _zone_for(
    photo: _Photo, reading: _Reading, wall: WallClock, *, related: bool
) -> tuple[tzinfo, OffsetSource]:
    """The offset rows of the rules table, in order."""
    if reading.stated is not None:
        return fixed_zone(reading.stated), OffsetSource.STATED
    if related:
        offsets = _related_offsets(photo, reading, wall)
        if len(offsets) == 1:
            return fixed_zone(offsets.pop()), OffsetSource.RELATED_TAG
    if photo.gps_utc is not None:
        offset = offset_from_gps_utc(wall, photo.gps_utc)
        if offset is not None:
            return fixed_zone(offset), OffsetSource.GPS_UTC
    if related:
        for instant in photo.utc_instants:
            offset = offset_from_gps_utc(wall, instant)
            if offset is not None:
                return fixed_zone(offset), OffsetSource.UTC_TIME
    if photo.position_zone is not None:
        return photo.position_zone, OffsetSource.GPS_POSITION
    return photo.configured, OffsetSource.CONFIGURED


def _zone_for_instant(
    photo: _Photo, reading: _Reading, instant: datetime
) -> tuple[tzinfo, OffsetSource]:
    """The zone a UTC instant is shown in: a wall clock of the photo that tells the same
    moment (its stated zone, else the whole quarter-hours between them), the GPS position's
    zone, else the configured zone."""
    for other in photo.readings:
        wall = other.parsed
        if other is reading or other.tag in _UTC_INSTANTS or not isinstance(wall, WallClock):
            continue
        if wall.date_only or other.tag not in _TAG_SOURCES:
            continue
        if other.stated is not None:
            if abs(wall.at(fixed_zone(other.stated)) - instant) <= SAME_MOMENT:
                return fixed_zone(other.stated), OffsetSource.RELATED_TAG
            continue
        offset = offset_from_gps_utc(wall, instant)
        if offset is not None:
            return fixed_zone(offset), OffsetSource.RELATED_TAG
    if photo.position_zone is not None:
        return photo.position_zone, OffsetSource.GPS_POSITION
    return photo.configured, OffsetSource.CONFIGURED


def _related_offsets(photo: _Photo, reading: _Reading, wall: WallClock) -> set[timedelta]:
    """Zones other tags state for this same wall clock (several different ones: a conflict)."""
    offsets: set[timedelta] = set()
    if reading.tag in _CAMERA_CLOCK and photo.makernote_offset is not None:
        offsets.add(photo.makernote_offset)
    if wall.date_only:
        return offsets
    for other in photo.readings:
        if other is reading or other.stated is None or not isinstance(other.parsed, WallClock):
            continue
        if other.tag is DateTagName.PNG_TIME or other.tag in _UTC_INSTANTS:
            continue  # UTC by the PNG spec, not by the writer: writers often copy a wall clock
        if other.parsed.date_only:
            continue
        if abs(other.parsed.as_if_utc() - wall.as_if_utc()) <= SAME_WALL_CLOCK:
            offsets.add(other.stated)
    return offsets


def _future(local: datetime, now: datetime) -> str | None:
    if local - now > FUTURE_SLACK:
        return f"in the future: {local.date().isoformat()} is more than a day after today"
    return None


def _after_modify(photo: _Photo, source: CandidateSource, wall: WallClock) -> str | None:
    """A capture date far after the same block's own ModifyDate cannot be right."""
    modify_tag = _MODIFY_OF.get(source)
    if modify_tag is None:
        return None
    for other in photo.readings:
        modify = other.parsed
        if other.tag is not modify_tag or not isinstance(modify, WallClock):
            continue
        if _default_clock(modify) is not None:
            continue
        gap = wall.as_if_utc() - modify.as_if_utc()
        if gap > IMPLAUSIBLE_AFTER_MODIFY:
            span = f"{gap.days // 365} years" if gap.days >= 730 else f"{gap.days} days"
            return (
                f"implausible: {wall.text()} is {span} after this file's own {modify_tag.value} "
                f"{modify.text()} (a wrong camera clock or a re-save date)"
            )
    return None


def _default_clock(wall: WallClock) -> str | None:
    """Why a value looks like a camera clock that was never set, or None."""
    on_epoch = _EPOCH_DAYS.get((wall.year, wall.month, wall.day))
    if on_epoch:
        return f"a camera default date: {on_epoch}"
    if wall.date_only:
        return None
    key = (wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second)
    return _EXACT_DEFAULTS.get(key)
