"""The date and offset parsers behind capture time (photoimport.capture.parsing, .offsets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from photoimport.capture.parsing import (
    DateRejected,
    WallClock,
    format_offset,
    parse_date_text,
    parse_offset,
)
from photoimport.capture.zones import has_position, offset_from_gps_utc, zone_at


@pytest.mark.parametrize(
    ("text", "fields", "offset"),
    [
        ("2015:12:05 00:59:26", (2015, 12, 5, 0, 59, 26, 0), None),
        ("2015:12:05 00:59:26\x00", (2015, 12, 5, 0, 59, 26, 0), None),
        ("2015-12-05T00:59:26.084", (2015, 12, 5, 0, 59, 26, 84_000), None),
        ("2015-12-12T00:27:22-08:00", (2015, 12, 12, 0, 27, 22, 0), timedelta(hours=-8)),
        ("2011:09:23 12:43:03Z", (2011, 9, 23, 12, 43, 3, 0), timedelta(0)),
        ("2019-10-17T16:55:20-07:00", (2019, 10, 17, 16, 55, 20, 0), timedelta(hours=-7)),
        ("2014:09:21 16:00:56.000000+02:00", (2014, 9, 21, 16, 0, 56, 0), timedelta(hours=2)),
        ("1993:01:01 03:11:11.311+01:00", (1993, 1, 1, 3, 11, 11, 311_000), timedelta(hours=1)),
        ("2004-08-27T13:52:55+0530", (2004, 8, 27, 13, 52, 55, 0), timedelta(hours=5.5)),
        ("2004-08-27 13:52:55 GMT+2", (2004, 8, 27, 13, 52, 55, 0), timedelta(hours=2)),
        ("2004-08-27T13:52", (2004, 8, 27, 13, 52, 0, 0), None),
        ("1919:06:28 11:00:00", (1919, 6, 28, 11, 0, 0, 0), None),
    ],
)
def test_dates_parse(text: str, fields: tuple[int, ...], offset: timedelta | None) -> None:
    parsed = parse_date_text(text)
    assert isinstance(parsed, WallClock)
    got = (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second)
    assert (*got, parsed.microsecond) == fields
    assert parsed.offset == offset
    assert parsed.date_only is False


@pytest.mark.parametrize("text", ["2003-08-31", "2003:08:31", "20030831"])
def test_date_only_values(text: str) -> None:
    parsed = parse_date_text(text)
    assert parsed == WallClock(2003, 8, 31, date_only=True)
    assert parsed.text() == "2003-08-31"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0000:00:00 00:00:00", "all-zero date '0000:00:00 00:00:00' (no date recorded)"),
        ("    :  :     :  :  ", "blank date (no value recorded)"),
        ("\x00\x00", "blank date (no value recorded)"),
        ("2017:08:21 15:08:70", "impossible date '2017:08:21 15:08:70': seconds 70"),
        ("2001:12:00 00:00:00", "impossible date '2001:12:00 00:00:00': day 00"),
        ("2004:05:06 57:10:00", "impossible date '2004:05:06 57:10:00': hour 57"),
        ("2004:13:06 10:10:00", "impossible date '2004:13:06 10:10:00': month 13"),
        ("2004:05:06 10:61:00", "impossible date '2004:05:06 10:61:00': minutes 61"),
        ("0000:05:06 10:10:00", "impossible date '0000:05:06 10:10:00': year 0000"),
        ("2005:0?:03", "garbled date '2005:0?:03': not a date and time"),
        ("2015120 0059", "garbled date '2015120 0059': not a date and time"),
        ("yesterday", "garbled date 'yesterday': not a date and time"),
        ("2004-08-27T13:52:55+15:00", "impossible date '2004-08-27T13:52:55+15:00': zone"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    parsed = parse_date_text(text)
    assert isinstance(parsed, DateRejected)
    assert parsed.reason.startswith(reason)


def test_subsec_digits_add_fractions() -> None:
    parsed = parse_date_text("2008:05:30 15:56:01")
    assert isinstance(parsed, WallClock)
    assert parsed.with_subsec("084").microsecond == 84_000
    assert parsed.with_subsec("5").microsecond == 500_000
    assert parsed.with_subsec("  ").microsecond == 0
    assert parsed.with_subsec("x1").microsecond == 0


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("-04:00", timedelta(hours=-4)),
        ("-0400", timedelta(hours=-4)),
        ("+09", timedelta(hours=9)),
        ("Z", timedelta(0)),
        ("utc", timedelta(0)),
        ("GMT+2", timedelta(hours=2)),
        ("GMT-03:30", timedelta(hours=-3, minutes=-30)),
        ("UTC+14:00", timedelta(hours=14)),
        (" +01:00\x00", timedelta(hours=1)),
    ],
)
def test_offsets_parse(text: str, offset: timedelta) -> None:
    assert parse_offset(text) == offset


@pytest.mark.parametrize("text", ["", "   :  ", "+15:00", "-13:00", "+05:75", "CEST", "5"])
def test_not_offsets(text: str) -> None:
    assert parse_offset(text) is None


def test_format_offset() -> None:
    assert format_offset(timedelta(hours=5, minutes=30)) == "+05:30"
    assert format_offset(timedelta(hours=-3, minutes=-30)) == "-03:30"
    assert format_offset(timedelta(0)) == "+00:00"


def test_offset_from_gps_utc_time() -> None:
    gps = datetime(2011, 5, 6, 7, 59, 48, tzinfo=UTC)
    assert offset_from_gps_utc(WallClock(2011, 5, 6, 9, 59, 48), gps) == timedelta(hours=2)
    # a GPS fix a minute and a half before the shutter still tells the zone
    assert offset_from_gps_utc(WallClock(2011, 5, 6, 10, 1, 20), gps) == timedelta(hours=2)
    # 7 minutes off a quarter-hour: no offset can be told
    assert offset_from_gps_utc(WallClock(2011, 5, 6, 10, 7, 0), gps) is None
    # a day apart: beyond any zone
    assert offset_from_gps_utc(WallClock(2011, 5, 5, 9, 59, 48), gps) is None
    assert offset_from_gps_utc(WallClock(2011, 5, 6, date_only=True), gps) is None


def test_zone_at_a_position() -> None:
    madrid = zone_at(40.66, -3.76)
    assert madrid is not None
    assert madrid.key == "Europe/Madrid"
    assert zone_at(0.0, 0.0) is None  # "null island": a placeholder, not a position
    assert zone_at(None, 10.0) is None
    assert zone_at(95.0, 10.0) is None
    assert has_position(float("nan"), 1.0) is False
