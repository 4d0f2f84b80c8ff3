"""Dates in file names: each recognised pattern, and no dates from hashes or IDs."""

from __future__ import annotations

import pytest

from photoimport.capture.filenames import date_from_filename


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IMG_20230714_153012.jpg", "2023-07-14 15:30:12"),
        ("PXL_20230714_153012345.jpg", "2023-07-14 15:30:12"),
        ("PXL_20230714_153012345.PORTRAIT.jpg", "2023-07-14 15:30:12"),
        ("20230714_153012.jpg", "2023-07-14 15:30:12"),
        ("20230714-153012.heic", "2023-07-14 15:30:12"),
        ("Screenshot 2019-05-21 at 10.45.52.png", "2019-05-21 10:45:52"),
        ("Screen Shot 2019-05-21 at 10.45.52 PM.png", "2019-05-21 22:45:52"),
        ("Screen Shot 2019-05-21 at 12.05.00 AM.png", "2019-05-21 00:05:00"),
        ("Screenshot_2024-01-15-09-05-33.png", "2024-01-15 09:05:33"),
        ("telegram_2020-01-30_09-57-18.jpg", "2020-01-30 09:57:18"),
        ("2018-04-12 19_24_49.jpg", "2018-04-12 19:24:49"),
        ("date_20170101_010101.jpg", "2017-01-01 01:01:01"),
        ("IMG_20180725_163423-tiny.jpg", "2018-07-25 16:34:23"),
        ("/photos/2001/IMG_20180725_163423-1.png", "2018-07-25 16:34:23"),
    ],
)
def test_date_and_time_patterns(name: str, expected: str) -> None:
    found = date_from_filename(name)
    assert found is not None
    assert found.wall.text() == expected
    assert found.wall.date_only is False


def test_milliseconds_are_kept() -> None:
    found = date_from_filename("PXL_20230714_153012345.jpg")
    assert found is not None
    assert found.wall.microsecond == 345_000
    assert found.matched == "20230714_153012345"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IMG-20240115-WA0001.jpg", "2024-01-15"),
        ("VID-20240115-WA0002.mp4", "2024-01-15"),
        ("2015-02-04.jpg", "2015-02-04"),
        ("holiday 2015-02-04 beach.jpg", "2015-02-04"),
        ("scan_19190628.tif", "1919-06-28"),
    ],
)
def test_date_only_patterns_give_a_date_only_value(name: str, expected: str) -> None:
    found = date_from_filename(name)
    assert found is not None
    assert found.wall.date_only is True
    assert found.wall.text() == expected
    assert (found.wall.hour, found.wall.minute, found.wall.second) == (0, 0, 0)  # not 23:59


@pytest.mark.parametrize(
    "name",
    [
        "received_1015201101234567.jpeg",
        "0f3a2019120512ab.jpg",
        "a8f2c20191205ff.jpg",
        "IMG_1234.JPG",
        "Plain With Spaces And Uppercase 123.jpg",
        "DSC20231301_101010.jpg",  # glued to letters
        "IMG_20231301_101010.jpg",  # month 13
        "IMG_20230230_101010.jpg",  # 30 February
        "1234567890123456.jpg",
        "",
    ],
)
def test_no_false_dates(name: str) -> None:
    assert date_from_filename(name) is None


@pytest.mark.parametrize("name", ["IMG_20230714_256012.jpg", "2023-07-14 25.10.10.png"])
def test_an_impossible_time_keeps_only_the_real_date(name: str) -> None:
    found = date_from_filename(name)
    assert found is not None
    assert found.wall.text() == "2023-07-14"
    assert found.wall.date_only is True
