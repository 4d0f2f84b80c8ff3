"""Date review's pure parts: typed dates and shifts, the clock-offset estimator, neighbour fill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from photoimport.errors import BadDateInput, DateOutOfRange
from photoimport.review.estimate import TRUE_TIME, Observation, estimate_offsets, robust_centre
from photoimport.review.fill import SeqPhoto, file_number, suggest_fills
from photoimport.review.timeinput import format_shift, parse_shift, parse_user_time, parse_zone
from photoimport.review.values import CameraKey

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def test_a_typed_offset_wins_and_nothing_is_assumed() -> None:
    t = parse_user_time("2021-04-11 15:47:53-05:00", PARIS, "the configured zone", now=NOW)
    assert t.local.isoformat() == "2021-04-11T15:47:53-05:00"
    assert t.assumed is None


def test_without_an_offset_the_given_zone_is_assumed_and_named() -> None:
    summer = parse_user_time("2021-07-01 10:00", PARIS, "the photo's zone", now=NOW)
    assert summer.local.isoformat() == "2021-07-01T10:00:00+02:00"
    assert summer.assumed == "+02:00 (the photo's zone)"
    winter = parse_user_time("2021:01:01 10:00:00", PARIS, "Europe/Paris", now=NOW)
    assert winter.local.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("yesterday", "cannot read the date"),
        ("2021-13-01 10:00:00", "month 13"),
        ("2021-02-30 10:00:00", "day 30"),
        ("2021-04-11", "no time of day"),
        ("", "cannot read the date"),
    ],
)
def test_bad_dates_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(BadDateInput, match=words):
        parse_user_time(text, UTC, "UTC", now=NOW)


def test_dates_before_1826_or_in_the_future_are_refused() -> None:
    with pytest.raises(DateOutOfRange, match="before 1826"):
        parse_user_time("1825-12-31 23:00:00+00:00", UTC, "UTC", now=NOW)
    with pytest.raises(DateOutOfRange, match="future"):
        parse_user_time("2026-12-03 12:00:00", UTC, "UTC", now=NOW)
    assert parse_user_time("1919-05-01 12:00", UTC, "UTC", now=NOW).local.year == 1919


def test_shifts() -> None:
    assert parse_shift("01:03:00") == timedelta(hours=1, minutes=3)
    assert parse_shift("-00:00:30") == timedelta(seconds=-30)
    assert parse_shift("-01:00:00", days=2) == -timedelta(days=2, hours=1)
    assert parse_shift("+0:05") == timedelta(minutes=5)
    for bad in ("1h", "01:60:00", "", "0:00:00"):
        with pytest.raises(BadDateInput):
            parse_shift(bad)
    assert format_shift(timedelta(hours=-1, minutes=-3)) == "-01:03:00"
    assert format_shift(timedelta(days=2, seconds=5)) == "+2 days 00:00:05"


def test_zones() -> None:
    assert parse_zone("+05:30")[0].utcoffset(None) == timedelta(hours=5, minutes=30)
    assert parse_zone("Europe/Paris")[1] == "Europe/Paris"
    with pytest.raises(BadDateInput, match="unknown time zone"):
        parse_zone("Mars/Olympus")


def test_camera_labels() -> None:
    assert CameraKey("Canon", "Canon EOS 80D").label == "Canon EOS 80D"
    assert CameraKey("NIKON CORPORATION", "NIKON D750", "3012345").label.endswith("#3012345")
    assert CameraKey("Apple", "iPhone 13 Pro").label == "Apple iPhone 13 Pro"
    assert CameraKey(None, None).label == "unknown camera"


def test_robust_centre_ignores_an_outlier() -> None:
    centre, spread = robust_centre([3600, 3602, 3598, 3601, 90_000])
    assert centre == 3601
    assert spread < 5


def test_a_camera_aligned_to_a_phone_through_near_duplicates() -> None:
    pairs = [Observation("Canon", "Phone", 3600 + d, f"pair {d}") for d in (-4, 0, 2, 5, 3)]
    (s,) = estimate_offsets(pairs, references={"Phone"})
    assert s.camera == "Canon"
    assert s.correction == timedelta(seconds=-3602)
    assert s.reference == TRUE_TIME
    assert timedelta(0) < s.spread < timedelta(seconds=10)
    assert s.observations == 5


def test_gps_evidence_and_chains_through_other_cameras() -> None:
    obs = [Observation("Nikon", None, -120, "gps")] * 3 + [
        Observation("Fuji", "Nikon", 60, "pair"),  # Fuji is 60 s ahead of Nikon
        Observation("Nikon", "Fuji", -58, "pair"),
    ]
    found = {s.camera: s for s in estimate_offsets(obs, references=set())}
    assert found["Nikon"].correction == timedelta(seconds=120)
    assert found["Fuji"].correction == timedelta(seconds=61)  # error -120 + 59 = -61
    assert found["Fuji"].reference == TRUE_TIME


def test_cameras_without_a_link_to_the_true_time_are_relative() -> None:
    obs = [Observation("A", "B", 30, "pair"), Observation("A", "B", 32, "pair")]
    (s,) = estimate_offsets(obs, references=set())
    assert s.reference.startswith("the clock of ")
    assert abs(s.correction) == timedelta(seconds=31)


def test_file_numbers() -> None:
    assert file_number("IMG_0123.JPG") == ("IMG_", 123)
    assert file_number("DSC01234.jpg") == ("DSC", 1234)
    assert file_number("holiday.jpg") is None


def _photo(i: int, n: int, t: datetime | None, camera: str | None = "Canon") -> SeqPhoto:
    return SeqPhoto(file_id=i, name=f"IMG_{n:04d}.JPG", folder="/a", camera=camera, local=t)


def test_fill_interpolates_between_dated_neighbours() -> None:
    tz = timezone(timedelta(hours=2))
    t0 = datetime(2021, 5, 1, 10, 0, tzinfo=tz)
    photos = [
        _photo(1, 10, t0),
        _photo(2, 11, None, camera=None),
        _photo(3, 12, None),
        _photo(4, 14, t0 + timedelta(minutes=4)),
        _photo(5, 90, None),  # too far from anything dated
    ]
    found = {s.file_id: s for s in suggest_fills(photos)}
    assert set(found) == {2, 3}
    assert found[2].local == t0 + timedelta(minutes=1)
    assert found[3].local == t0 + timedelta(minutes=2)
    assert "between IMG_0010.JPG" in found[3].reason
    assert found[3].local.utcoffset() == timedelta(hours=2)


def test_fill_uses_one_near_neighbour_and_respects_cameras() -> None:
    t0 = datetime(2021, 5, 1, 10, 0, tzinfo=UTC)
    photos = [_photo(1, 10, t0), _photo(2, 11, None), _photo(3, 12, None, camera="Nikon")]
    found = {s.file_id: s for s in suggest_fills(photos)}
    assert found[2].local == t0
    assert "next to IMG_0010.JPG" in found[2].reason
    assert 3 not in found  # another camera's sequence
