"""Capture-time rules on hand-built metadata: order, rejections, demotions, offsets, confidence.

Each test names the row of the rules table (photoimport/capture/capture_time.py) it
exercises. The real corpus is in tests/test_timestamps_corpus.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from photoimport.capture.capture_time import (
    CandidateSource,
    CaptureTime,
    OffsetSource,
    TimestampCandidate,
    capture_time,
    choose_capture_time,
    timestamp_candidates,
)
from photoimport.db.models import Confidence
from photoimport.errors import ConfigError
from photoimport.metadata.reader import DateTag, DateTagName, GpsInfo, ImageMetadata

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD_COPY = datetime(2001, 1, 1, 9, 0, tzinfo=UTC)  # an mtime earlier than every EXIF date below
N = DateTagName


def tag(
    name: DateTagName, value: str, *, subsec: str | None = None, offset: str | None = None
) -> DateTag:
    return DateTag(name, value, subsec, offset)


def meta(
    *dates: DateTag, gps: GpsInfo | None = None, makernote_offset: str | None = None
) -> ImageMetadata:
    return ImageMetadata(
        format="JPEG",
        mime="image/jpeg",
        width=4,
        height=3,
        display_width=4,
        display_height=3,
        orientation=1,
        make="Test",
        model="Camera",
        dates=dates,
        gps=gps,
        makernote_offset=makernote_offset,
    )


def candidates(
    m: ImageMetadata | None,
    name: str = "photo.jpg",
    mtime: datetime | None = None,
    tz: str = "UTC",
) -> list[TimestampCandidate]:
    return timestamp_candidates(m, Path(name), mtime, tz, now=NOW)


def capture(
    m: ImageMetadata | None,
    name: str = "photo.jpg",
    mtime: datetime | None = None,
    tz: str = "UTC",
) -> CaptureTime:
    return choose_capture_time(candidates(m, name, mtime, tz))


def wall(ct: CaptureTime) -> str:
    assert ct.local is not None
    return ct.local.strftime("%Y-%m-%d %H:%M:%S%z")


def only(cands: list[TimestampCandidate], source: CandidateSource) -> TimestampCandidate:
    found = [c for c in cands if c.source is source]
    assert len(found) == 1, found
    return found[0]


# --- source order -------------------------------------------------------------------------


def test_most_trusted_source_wins_not_the_earliest_date() -> None:
    m = meta(
        tag(N.EXIF_MODIFY_DATE, "2008:07:31 10:38:11"),
        tag(N.XMP_CREATE_DATE, "2008-05-29T08:00:00"),
        tag(N.EXIF_CREATE_DATE, "2008:05:30 15:56:02"),
        tag(N.EXIF_DATETIME_ORIGINAL, "2008:05:30 15:56:01", subsec="25"),
    )
    ct = capture(m, mtime=OLD_COPY)
    assert ct.source is CandidateSource.EXIF_DATETIME_ORIGINAL
    assert wall(ct) == "2008-05-30 15:56:01+0000"
    assert ct.local is not None
    assert ct.local.microsecond == 250_000
    assert ct.utc == datetime(2008, 5, 30, 15, 56, 1, 250_000, tzinfo=UTC)
    assert len(ct.candidates) == 5


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ((tag(N.EXIF_CREATE_DATE, "2003:09:10 20:59:18"),), CandidateSource.EXIF_CREATE_DATE),
        (
            (
                tag(N.XMP_CREATE_DATE, "2005-12-17T22:03:32Z"),
                tag(N.XMP_PHOTOSHOP_DATE_CREATED, "2003-08-31"),
            ),
            CandidateSource.XMP_PHOTOSHOP_DATE_CREATED,
        ),
        (
            (
                tag(N.IPTC_DATE_CREATED, "2020:07:23 11:32:20", offset="+00:00"),
                tag(N.XMP_EXIF_DATETIME_ORIGINAL, "2013-07-05T03:18:27Z"),
            ),
            CandidateSource.XMP_EXIF_DATETIME_ORIGINAL,
        ),
        (
            (
                tag(N.EXIF_MODIFY_DATE, "2020:01:01 10:00:00"),
                tag(N.MAKERNOTE_DATETIME_ORIGINAL, "1998:10:29 22:06:59"),
            ),
            CandidateSource.MAKERNOTE,
        ),
        ((tag(N.PNG_TIME, "2019:01:07 10:13:34", offset="+00:00"),), CandidateSource.PNG_TIME),
    ],
)
def test_source_order(dates: tuple[DateTag, ...], expected: CandidateSource) -> None:
    assert capture(meta(*dates), mtime=OLD_COPY).source is expected


def test_file_name_beats_gps_and_modify_date_but_not_a_capture_tag() -> None:
    gps = GpsInfo(None, None, None, "2023:07:14", "13:30:12")
    m = meta(tag(N.EXIF_MODIFY_DATE, "2023:08:01 09:00:00"), gps=gps)
    ct = capture(m, name="IMG_20230714_153012.jpg")
    assert ct.source is CandidateSource.FILENAME
    assert wall(ct) == "2023-07-14 15:30:12+0200"  # offset from the GPS UTC time
    assert ct.offset_source is OffsetSource.GPS_UTC
    with_dto = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2023:07:14 15:29:00"), gps=gps)
    assert capture(with_dto, name="IMG_20230714_153012.jpg").source is (
        CandidateSource.EXIF_DATETIME_ORIGINAL
    )


def test_gps_time_shown_in_the_zone_at_the_position() -> None:
    gps = GpsInfo(40.66, -3.76, 700.0, "2022:01:12", "07:30:14")  # near Madrid, CET in January
    ct = capture(meta(tag(N.EXIF_MODIFY_DATE, "2022:01:12 07:30:14"), gps=gps), mtime=NOW)
    assert ct.source is CandidateSource.GPS
    assert wall(ct) == "2022-01-12 08:30:14+0100"
    assert ct.offset_source is OffsetSource.GPS_POSITION
    assert ct.utc == datetime(2022, 1, 12, 7, 30, 14, tzinfo=UTC)
    # ModifyDate equals the GPS UTC time: a second clock agrees, so more than LOW
    assert ct.confidence is Confidence.MEDIUM


def test_mtime_is_the_last_resort_and_gives_none() -> None:
    mtime = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    ct = capture(meta(), mtime=mtime, tz="Europe/Paris")
    assert ct.source is CandidateSource.MTIME
    assert ct.confidence is Confidence.NONE
    assert wall(ct) == "2024-03-05 11:00:00+0100"
    assert ct.offset_source is OffsetSource.CONFIGURED
    assert "no date in the photo" in ct.explanation


def test_nothing_at_all_gives_no_date() -> None:
    ct = capture(None, name="scan.jpg")
    assert ct.local is None
    assert ct.utc is None
    assert ct.source is None
    assert ct.confidence is Confidence.NONE
    assert ct.candidates == ()
    assert ct.explanation.startswith("No date in the photo")


# --- rejected values, with the reason kept ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0000:00:00 00:00:00", "all-zero date"),
        ("    :  :     :  :  ", "blank date"),
        ("", "blank date"),
        ("2017:08:21 15:08:70", "seconds 70"),
        ("2001:12:00 00:00:00", "day 00"),
        ("2004:05:06 57:10:00", "hour 57"),
        ("2005:0?:03 10:00:00", "garbled date '2005:0?:03 10:00:00'"),
        ("2021:02:29 10:00:00", "day 29 (month 02 of 2021 has 28 days)"),
        ("2099:09:29 10:10:10", "in the future: 2099-09-29 is more than a day after today"),
    ],
)
def test_invalid_values_are_rejected_with_the_reason(value: str, reason: str) -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, value), tag(N.EXIF_MODIFY_DATE, "2010:01:02 03:04:05"))
    cands = candidates(m)
    dto = only(cands, CandidateSource.EXIF_DATETIME_ORIGINAL)
    assert dto.local is None
    assert dto.rejected is not None
    assert reason in dto.rejected
    ct = choose_capture_time(cands)
    assert ct.source is CandidateSource.EXIF_MODIFY_DATE
    assert reason in ct.explanation  # the passed-over reason is told


def test_a_day_ahead_is_tolerated_more_is_not() -> None:
    soon = (NOW + timedelta(hours=20)).strftime("%Y:%m:%d %H:%M:%S")
    late = (NOW + timedelta(hours=40)).strftime("%Y:%m:%d %H:%M:%S")
    dto = CandidateSource.EXIF_DATETIME_ORIGINAL
    assert only(candidates(meta(tag(N.EXIF_DATETIME_ORIGINAL, soon))), dto).rejected is None
    rejected = only(candidates(meta(tag(N.EXIF_DATETIME_ORIGINAL, late))), dto).rejected
    assert rejected is not None
    assert rejected.startswith("in the future")


def test_capture_date_far_after_its_own_modify_date_is_implausible() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2026:01:24 14:41:16"),
        tag(N.EXIF_CREATE_DATE, "2026:01:24 14:41:16"),
        tag(N.EXIF_MODIFY_DATE, "2008:07:31 17:32:06"),
    )
    cands = candidates(m)
    dto = only(cands, CandidateSource.EXIF_DATETIME_ORIGINAL)
    assert dto.rejected == (
        "implausible: 2026-01-24 14:41:16 is 17 years after this file's own EXIF ModifyDate "
        "2008-07-31 17:32:06 (a wrong camera clock or a re-save date)"
    )
    ct = choose_capture_time(cands)
    assert ct.source is CandidateSource.EXIF_MODIFY_DATE
    assert ct.confidence is Confidence.LOW


def test_gps_time_without_a_gps_date_is_rejected() -> None:
    gps = GpsInfo(0.0, 0.0, None, None, "00:00:00")
    cands = candidates(meta(tag(N.EXIF_DATETIME_ORIGINAL, "2014:10:21 10:56:21"), gps=gps))
    assert only(cands, CandidateSource.GPS).rejected == "GPS time without a GPS date"
    ct = choose_capture_time(cands)
    assert ct.offset_source is OffsetSource.CONFIGURED  # (0, 0) is no position
    assert ct.confidence is Confidence.MEDIUM


def test_garbage_gps_date_is_rejected() -> None:
    gps = GpsInfo(10.0, 10.0, None, "2019:03:01", "99:99:99")
    assert only(candidates(meta(gps=gps)), CandidateSource.GPS).rejected == (
        "GPS date and time: impossible date '2019:03:01 99:99:99': hour 99"
    )
    gps = GpsInfo(10.0, 10.0, None, "1999:99:99 99:99:99", None)
    assert only(candidates(meta(gps=gps)), CandidateSource.GPS).rejected == (
        "GPS date: impossible date '1999:99:99 99:99:99': month 99"
    )
    gps = GpsInfo(10.0, 10.0, None, "2019:03:01", None)
    assert only(candidates(meta(gps=gps)), CandidateSource.GPS).rejected == (
        "GPS date without a GPS time"
    )


# --- demoted camera defaults and no floor -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2002:12:08 12:00:00", "Android firmware default"),
        ("2000:01:01 00:00:00", "camera default 2000:01:01"),
        ("1998:01:01 00:00:00", "camera default 1998:01:01"),
        ("1970:01:01 00:00:07", "Unix epoch"),
    ],
)
def test_camera_default_dates_are_demoted_below_everything(value: str, words: str) -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, value), tag(N.EXIF_CREATE_DATE, value))
    cands = candidates(m, mtime=OLD_COPY)
    dto = only(cands, CandidateSource.EXIF_DATETIME_ORIGINAL)
    assert dto.rejected is None
    assert dto.demoted is not None
    assert words in dto.demoted
    ct = choose_capture_time(cands)
    assert ct.source is CandidateSource.MTIME  # even an old copy's mtime ranks above a default
    assert ct.confidence is Confidence.NONE
    alone = capture(m)
    assert alone.source is CandidateSource.EXIF_DATETIME_ORIGINAL
    assert alone.confidence is Confidence.NONE
    assert words in alone.explanation


def test_android_default_create_date_does_not_beat_a_real_date_original() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2014:09:12 17:20:30"),
        tag(N.EXIF_CREATE_DATE, "2002:12:08 12:00:00"),
    )
    ct = capture(m)
    assert wall(ct) == "2014-09-12 17:20:30+0000"
    assert ct.confidence is Confidence.MEDIUM


def test_no_floor_at_2000_a_1919_scan_keeps_its_date() -> None:
    ct = capture(meta(tag(N.EXIF_DATETIME_ORIGINAL, "1919:06:28 11:00:00")), mtime=NOW)
    assert ct.source is CandidateSource.EXIF_DATETIME_ORIGINAL
    assert wall(ct) == "1919-06-28 11:00:00+0000"


# --- offsets ----------------------------------------------------------------------------------


def test_offset_time_original_is_stated() -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2021:04:11 15:47:53", offset="-05:00"))
    ct = capture(m, tz="Europe/Paris")
    assert wall(ct) == "2021-04-11 15:47:53-0500"
    assert ct.offset_source is OffsetSource.STATED
    assert ct.utc == datetime(2021, 4, 11, 20, 47, 53, tzinfo=UTC)


def test_offset_from_xmp_with_the_same_wall_clock() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2008:03:15 09:52:01"),
        tag(N.XMP_EXIF_DATETIME_ORIGINAL, "2008-03-15T09:52:01-04:00"),
        tag(N.XMP_MODIFY_DATE, "2008-03-15T15:18:33-04:00"),
    )
    ct = capture(m, tz="Asia/Tokyo")
    assert wall(ct) == "2008-03-15 09:52:01-0400"
    assert ct.offset_source is OffsetSource.RELATED_TAG
    assert ct.confidence is Confidence.HIGH  # the XMP copy is another block that agrees


def test_offset_from_the_maker_note_time_zone() -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2015:02:09 22:47:44"), makernote_offset="+01:00")
    ct = capture(m)
    assert wall(ct) == "2015-02-09 22:47:44+0100"
    assert ct.offset_source is OffsetSource.RELATED_TAG


def test_conflicting_zone_statements_claim_no_offset() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2015:12:05 00:59:26"),
        tag(N.XMP_CREATE_DATE, "2015-12-05T00:59:26-08:00"),
        tag(N.XMP_EXIF_DATETIME_ORIGINAL, "2015-12-05T00:59:26+01:00"),
    )
    ct = capture(m, tz="Europe/Lisbon")
    assert ct.offset_source is OffsetSource.CONFIGURED
    assert wall(ct) == "2015-12-05 00:59:26+0000"


def test_iptc_zero_offset_is_a_writer_default_not_a_statement() -> None:
    m = meta(tag(N.IPTC_DATE_CREATED, "2020:07:23 11:32:20", offset="+00:00"))
    ct = capture(m, tz="America/New_York")
    assert ct.source is CandidateSource.IPTC_DATE_CREATED
    assert ct.offset_source is OffsetSource.CONFIGURED
    assert wall(ct) == "2020-07-23 11:32:20-0400"


def test_offset_from_gps_utc_time_modulo_quarter_hours() -> None:
    gps = GpsInfo(None, None, None, "2019:03:01", "05:02:10")  # no position: UTC time only
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2019:03:01 10:35:00"), gps=gps)
    ct = capture(m, tz="UTC")
    assert wall(ct) == "2019-03-01 10:35:00+0530"
    assert ct.offset_source is OffsetSource.GPS_UTC
    assert ct.confidence is Confidence.HIGH


def test_gps_utc_a_day_apart_gives_no_offset_and_no_corroboration() -> None:
    gps = GpsInfo(43.47, 11.88, None, "2008:10:23", "14:27:07")  # Tuscany
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2008:10:22 16:28:39"), gps=gps)
    ct = capture(m)
    assert wall(ct) == "2008-10-22 16:28:39+0200"
    assert ct.offset_source is OffsetSource.GPS_POSITION
    assert ct.confidence is Confidence.MEDIUM


def test_configured_zone_and_its_daylight_saving() -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2021:07:01 12:00:00"))
    assert wall(capture(m, tz="Europe/Berlin")) == "2021-07-01 12:00:00+0200"
    winter = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2021:01:01 12:00:00"))
    assert wall(capture(winter, tz="Europe/Berlin")) == "2021-01-01 12:00:00+0100"
    assert wall(capture(m, tz="+05:30")) == "2021-07-01 12:00:00+0530"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe", "../etc", "x" * 300])
def test_unknown_configured_zone_is_a_config_error(zone: str) -> None:
    with pytest.raises(ConfigError, match="is not an IANA zone name"):
        capture(meta(), tz=zone)


def test_naive_mtime_is_refused() -> None:
    with pytest.raises(ValueError, match="must be timezone-aware"):
        capture(meta(), mtime=datetime(2020, 1, 1))  # noqa: DTZ001 - the point of the test


# --- confidence -------------------------------------------------------------------------------


def test_date_original_equal_to_create_date_is_not_corroboration() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2012:06:23 06:55:49"),
        tag(N.EXIF_CREATE_DATE, "2012:06:23 06:55:49"),
        tag(N.EXIF_MODIFY_DATE, "2012:06:23 06:55:49"),
    )
    ct = capture(m, mtime=datetime(2012, 6, 23, 6, 55, 49, tzinfo=UTC))
    assert ct.confidence is Confidence.MEDIUM
    assert "no independent source" in ct.explanation


def test_file_name_confirms_a_capture_tag() -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2018:07:25 16:34:23"))
    ct = capture(m, name="IMG_20180725_163423.jpg")
    assert ct.confidence is Confidence.HIGH
    assert "confirmed by file name" in ct.explanation


def test_file_name_alone_is_low_and_date_only_is_not_2359() -> None:
    ct = capture(meta(), name="IMG-20240115-WA0001.jpg", mtime=OLD_COPY)
    assert ct.source is CandidateSource.FILENAME
    assert ct.confidence is Confidence.LOW
    assert ct.date_only is True
    assert wall(ct) == "2024-01-15 00:00:00+0000"


def test_stated_offsets_agreeing_as_instants_corroborate() -> None:
    m = meta(
        tag(N.EXIF_DATETIME_ORIGINAL, "2023:10:06 22:53:51", offset="+02:00"),
        tag(N.XMP_CREATE_DATE, "2023-10-06T20:53:51Z"),
    )
    assert capture(m).confidence is Confidence.HIGH


def test_gps_agreeing_with_a_stated_offset_corroborates() -> None:
    gps = GpsInfo(48.1, 11.6, None, "2023:10:06", "20:52:10")
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2023:10:06 22:53:51", offset="+02:00"), gps=gps)
    ct = capture(m)
    assert ct.confidence is Confidence.HIGH
    assert "GPS time" in ct.explanation


def test_capture_time_is_candidates_then_choice() -> None:
    m = meta(tag(N.EXIF_DATETIME_ORIGINAL, "2010:05:11 10:51:45"))
    ct = capture_time(m, Path("a.jpg"), None, "UTC")
    assert ct.local == datetime(2010, 5, 11, 10, 51, 45, tzinfo=UTC)
    assert ct.explanation.startswith("EXIF DateTimeOriginal '2010:05:11 10:51:45' chosen")


def test_docs_carry_the_same_rules_table_as_the_module() -> None:
    import photoimport.capture.capture_time as module

    docs = Path(__file__).resolve().parent.parent / "docs" / "capture-time.md"
    rows = [line for line in (module.__doc__ or "").splitlines() if line.startswith("|")]
    assert len(rows) > 30
    assert "\n".join(rows) in docs.read_text(encoding="utf-8")
