"""Capture time: every candidate with its source, then one chosen time and a confidence.

The rules, in one table (the same table is in docs/capture-time.md and the README):

| step      | rule                                                                  | result       |
| --------- | --------------------------------------------------------------------- | ------------ |
| source 1  | XMP sidecar exif:DateTimeOriginal, an editor's (`sidecar_exif_dto`)   | capture tag  |
| source 2  | XMP sidecar photoshop:DateCreated (`sidecar_photoshop_datecreated`)   | capture tag  |
| source 3  | QuickTime Keys creationdate: Apple's local time + offset              | capture tag  |
|           | (`quicktime_creationdate`)                                            |              |
| source 4  | EXIF DateTimeOriginal + SubSecTimeOriginal (`exif_dto`)               | capture tag  |
| source 5  | EXIF CreateDate (`exif_create_date`)                                  | capture tag  |
| source 6  | XMP photoshop:DateCreated (`xmp_photoshop_datecreated`)               | capture tag  |
| source 7  | XMP xmp:CreateDate (`xmp_create_date`)                                | capture tag  |
| source 8  | XMP exif:DateTimeOriginal (`xmp_exif_dto`)                            | capture tag  |
| source 9  | IPTC DateCreated + TimeCreated (`iptc_datecreated`)                   | capture tag  |
| source 10 | maker-note date: Olympus, Casio, CRW, AVCHD (`makernote_dto`)         | capture tag  |
| source 11 | QuickTime CreateDate, UTC; GoPro, DJI, Insta360: their local clock    | capture tag  |
|           | (`quicktime_createdate`)                                              |              |
| source 12 | Google Takeout photoTakenTime, UTC (`takeout_json`)                   | capture tag  |
| source 13 | XMP sidecar xmp:CreateDate, often an import time                      | capture tag  |
|           | (`sidecar_create_date`)                                               |              |
| source 14 | a date in the file name (`filename`)                                  | weak         |
| source 15 | GPS UTC date + time (EXIF, or XMP exif:GPSDateTime), in the zone at   | weak         |
|           | the position (`gps_utc_to_local`)                                     |              |
| source 16 | EXIF ModifyDate, an edit time (`exif_modify_date`)                    | weak         |
| source 17 | PNG tIME, UTC by the PNG spec (`png_time`)                            | weak         |
| source 18 | the file's modification time, often a copy time (`mtime`)             | last resort  |
| choose    | the first valid source above that is not demoted (not the earliest)   | chosen       |
| choose    | a date-only value gives way to a capture tag's time of the same day   | chosen       |
| choose    | no such source: the mtime, else a demoted value                       | NONE         |
| reject    | blank, or all zeros `0000:00:00 00:00:00`                             | reason kept  |
| reject    | an impossible field: seconds 70, day 00, hour 57, month 13            | reason kept  |
| reject    | garbled (`2005:0?:03`); a GPS time without a GPS date                 | reason kept  |
| reject    | more than a day in the future                                         | reason kept  |
| reject    | a capture date > 30 days after its own block's ModifyDate             | reason kept  |
| demote    | defaults: `2002:12:08 12:00:00` (Android), `2000:01:01 00:00:00`      | after mtime  |
| demote    | `1998:01:01 00:00:00`; any time on 1970-01-01 or 1980-01-01 (epochs)  | after mtime  |
| no floor  | an old date is valid: a 1919 scan keeps its date                      | valid        |
| offset 1  | zone in the value, or the tag's OffsetTime* / IPTC zone (not +00:00)  | STATED       |
| offset 2  | a zone of another tag with the same wall clock; maker-note TimeZone   | RELATED_TAG  |
| offset 2  | two such zones that disagree: none is claimed                         | next row     |
| offset 3  | wall clock - GPS UTC time = whole quarter-hours (5 min), -12..+14 h   | GPS_UTC      |
| offset 3  | the same with a Takeout or QuickTime UTC time of the file             | UTC_TIME     |
| offset 4  | the zone at the GPS position (timezonefinder offline, zoneinfo)       | GPS_POSITION |
| offset 5  | the configured zone (setting `timezone`, default the server's zone)   | CONFIGURED   |
| instant   | a UTC time (QuickTime CreateDate, Takeout) is shown in the zone of a  | RELATED_TAG  |
| instant   | tag telling the same moment, else offset 4, else offset 5; never UTC  | or 4, 5      |
| level     | a capture tag confirmed by another block: XMP, IPTC, maker note,      | HIGH         |
| level     | file name or GPS UTC time (2 min; same day if date-only)              | HIGH         |
| level     | DTO = CreateDate of the same EXIF block does not confirm              | not HIGH     |
| level     | blocks: XMP sidecar, Google Takeout, QuickTime (both dates one block) | blocks       |
| level     | one capture tag; or a weak source confirmed by another source         | MEDIUM       |
| level     | a weak source alone (file name, GPS, ModifyDate, PNG tIME)            | LOW          |
| level     | only the mtime, only a camera default, or nothing                     | NONE         |

The chosen time is stored as the local wall clock with its offset (aware) and as UTC; a photo is
never named or labelled by its UTC time. ``OffsetSource`` says where the offset came from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from photoimport.capture.candidates import read_candidates
from photoimport.capture.parsing import format_offset
from photoimport.capture.values import (
    CAPTURE_SOURCES,
    SOURCE_BLOCKS,
    SOURCE_LABELS,
    CandidateSource,
    CaptureTime,
    OffsetSource,
    TimestampCandidate,
)
from photoimport.enums import Confidence
from photoimport.metadata.reader import ImageMetadata

__all__ = [
    "SOURCE_LABELS",
    "CandidateSource",
    "CaptureTime",
    "OffsetSource",
    "TimestampCandidate",
    "capture_time",
    "choose_capture_time",
    "timestamp_candidates",
]

AGREEMENT = timedelta(minutes=2)
GPS_AGREEMENT = timedelta(minutes=5)


# Sources that can confirm a capture tag to HIGH (besides capture tags of another block).
_INDEPENDENT_WITNESSES = CAPTURE_SOURCES | {CandidateSource.FILENAME, CandidateSource.GPS}
_RANK = {source: index for index, source in enumerate(CandidateSource)}


def timestamp_candidates(
    meta: ImageMetadata | None,
    path: Path,
    mtime: datetime | None,
    timezone: str,
    *,
    now: datetime | None = None,
) -> list[TimestampCandidate]:
    """Every candidate (valid or rejected) from the tags, the file name, GPS and the mtime.

    ``timezone`` is an IANA name or an offset (raises ``ConfigError`` otherwise); ``now``
    (aware, default the current time) is the reference for "in the future".
    """
    reference = now if now is not None else datetime.now(UTC)
    return read_candidates(meta, path, mtime, timezone, reference)


def choose_capture_time(candidates: list[TimestampCandidate]) -> CaptureTime:
    """The most trusted valid candidate and a confidence from how the sources agree."""
    usable = [c for c in candidates if c.usable]
    if not usable:
        return CaptureTime(
            local=None,
            utc=None,
            source=None,
            offset_source=None,
            confidence=Confidence.NONE,
            date_only=False,
            explanation=_no_date_explanation(candidates),
            candidates=tuple(candidates),
        )
    chosen = _with_time_of_day(min(usable, key=_preference), usable)
    assert chosen.local is not None  # usable
    confidence, why = _confidence(chosen, usable)
    offset = chosen.local.utcoffset() or timedelta(0)
    explanation = (
        f"{chosen.source.label} {chosen.raw!r} chosen{_passed_over(candidates, chosen)}; "
        f"offset {format_offset(offset)} ({chosen.offset_source or 'stated in the photo'}). "
        f"{confidence.value}: {why}."
    )
    return CaptureTime(
        local=chosen.local,
        utc=chosen.local.astimezone(UTC),
        source=chosen.source,
        offset_source=chosen.offset_source,
        confidence=confidence,
        date_only=chosen.date_only,
        explanation=explanation,
        candidates=tuple(candidates),
    )


def capture_time(
    meta: ImageMetadata | None, path: Path, mtime: datetime | None, timezone: str
) -> CaptureTime:
    return choose_capture_time(timestamp_candidates(meta, path, mtime, timezone))


def _preference(candidate: TimestampCandidate) -> tuple[int, int]:
    if candidate.demoted is not None:
        tier = 2
    elif candidate.source is CandidateSource.MTIME:
        tier = 1
    else:
        tier = 0
    return tier, _RANK[candidate.source]


def _with_time_of_day(
    chosen: TimestampCandidate, usable: list[TimestampCandidate]
) -> TimestampCandidate:
    """A date-only value gives way to a trusted full time of the same day (it confirms it)."""
    if not chosen.date_only or chosen.local is None:
        return chosen
    day = chosen.local.date()
    same_day = [
        c
        for c in usable
        if not c.date_only
        and c.demoted is None
        and c.source in CAPTURE_SOURCES
        and c.local is not None
        and c.local.date() == day
    ]
    return min(same_day, key=_preference) if same_day else chosen


def _confidence(
    chosen: TimestampCandidate, usable: list[TimestampCandidate]
) -> tuple[Confidence, str]:
    if chosen.demoted is not None:
        return Confidence.NONE, f"no date in the photo: its only date is {chosen.demoted}"
    if chosen.source is CandidateSource.MTIME:
        return Confidence.NONE, "no date in the photo; the file's modification time is a guess"
    witnesses = [
        c
        for c in usable
        if c is not chosen
        and c.demoted is None
        and c.source is not CandidateSource.MTIME
        and SOURCE_BLOCKS[c.source] != SOURCE_BLOCKS[chosen.source]
        and agree(chosen, c)
    ]
    names = ", ".join(dict.fromkeys(c.source.label for c in witnesses))
    if chosen.source in CAPTURE_SOURCES:
        if any(c.source in _INDEPENDENT_WITNESSES for c in witnesses):
            return Confidence.HIGH, f"confirmed by {names}"
        return Confidence.MEDIUM, "one trusted capture date that no independent source confirms"
    if witnesses:
        return Confidence.MEDIUM, f"a weak source, confirmed by {names}"
    return Confidence.LOW, f"only a weak source ({chosen.source.label}) and nothing confirms it"


def agree(a: TimestampCandidate, b: TimestampCandidate) -> bool:
    """Do two usable candidates tell the same capture time?"""
    if b.source is CandidateSource.GPS:
        a, b = b, a
    local_a, local_b = a.local, b.local
    if local_a is None or local_b is None:
        return False
    stated = (OffsetSource.STATED, OffsetSource.RELATED_TAG)
    if a.source is CandidateSource.GPS:
        if b.date_only:
            return local_a.date() == local_b.date()
        if b.offset_source is OffsetSource.GPS_UTC:
            return True  # b's offset was derived from agreeing with this very GPS time
        return b.offset_source in stated and abs(local_b - local_a) <= GPS_AGREEMENT
    if a.date_only or b.date_only:
        return local_a.date() == local_b.date()
    if abs(local_a.replace(tzinfo=UTC) - local_b.replace(tzinfo=UTC)) <= AGREEMENT:
        return True  # the same wall clock
    both_stated = a.offset_source in stated and b.offset_source in stated
    return both_stated and abs(local_a - local_b) <= AGREEMENT


def _passed_over(candidates: list[TimestampCandidate], chosen: TimestampCandidate) -> str:
    better = [c for c in candidates if c is not chosen and _RANK[c.source] < _RANK[chosen.source]]
    skipped = [
        f"{c.source.label}: {c.rejected or c.demoted}" for c in better if not c.usable or c.demoted
    ]
    return f" (passed over {'; '.join(skipped)})" if skipped else ""


def _no_date_explanation(candidates: list[TimestampCandidate]) -> str:
    reasons = [f"{c.source.label}: {c.rejected}" for c in candidates if c.rejected]
    if not reasons:
        return "No date in the photo: it carries no date tag, and no file time was given."
    return "No date in the photo: every date found was unusable (" + "; ".join(reasons) + ")."
