"""Capture time on the real corpus against tests/corpus/EXPECTED_DATES.csv, through read_metadata.

Rows with expect_error=yes are broken files (the pipeline records an error for them); every
other row is checked. The configured zone is deliberately far from every photo's own zone
(Pacific/Auckland) so an offset can only match when it comes from the photo or its GPS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from PIL import UnidentifiedImageError

from photoimport.capture.capture_time import (
    CandidateSource,
    CaptureTime,
    OffsetSource,
    capture_time,
)
from photoimport.db.models import Confidence
from photoimport.metadata.reader import read_metadata
from tests.fixtures.corpus import CORPUS, expected_date_rows

ZONE = "Pacific/Auckland"
ROWS = [row for row in expected_date_rows() if row["expect_error"] != "yes"]
DATED = [row for row in ROWS if row["expected_local"]]
UNDATED = [row for row in ROWS if not row["expected_local"]]


@cache
def corpus_capture(relative: str) -> CaptureTime:
    path = CORPUS / relative
    try:
        meta = read_metadata(path)
    except UnidentifiedImageError:
        meta = None  # only for the "maybe" row: a valid HEIF that Pillow cannot identify
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return capture_time(meta, path, mtime, ZONE)


def shown(ct: CaptureTime, date_only: bool) -> str:
    assert ct.local is not None
    return ct.local.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M:%S")


def offset_text(ct: CaptureTime) -> str:
    assert ct.local is not None
    text = ct.local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


@pytest.mark.parametrize("row", DATED, ids=[r["path"] for r in DATED])
def test_chosen_wall_clock_is_the_expected_one(row: dict[str, str]) -> None:
    ct = corpus_capture(row["path"])
    expected, also_ok = row["expected_local"], row["also_ok"]
    assert ct.confidence is not Confidence.NONE, ct.explanation
    accepted = {expected, also_ok} - {""}
    got = shown(ct, date_only=len(expected) == 10)
    if got != expected and also_ok:
        got = shown(ct, date_only=len(also_ok) == 10)
    assert got in accepted, ct.explanation
    assert ct.date_only is (len(got) == 10)
    if row["expected_offset"] and got == expected:
        assert offset_text(ct) == row["expected_offset"], ct.explanation
    assert ct.utc is not None
    assert ct.local is not None
    assert ct.utc == ct.local.astimezone(UTC)


@pytest.mark.parametrize("row", DATED, ids=[r["path"] for r in DATED])
def test_rule_column_names_the_chosen_source(row: dict[str, str]) -> None:
    ct = corpus_capture(row["path"])
    assert ct.source is not None
    assert ct.source.value == row["rule"], ct.explanation


@pytest.mark.parametrize("row", UNDATED, ids=[r["path"] for r in UNDATED])
def test_files_without_a_usable_date_get_none(row: dict[str, str]) -> None:
    ct = corpus_capture(row["path"])
    assert ct.confidence is Confidence.NONE
    assert ct.source is CandidateSource.MTIME  # the copy time, shown as "no date in the photo"
    assert ct.offset_source is OffsetSource.CONFIGURED
    assert "no date in the photo" in ct.explanation


EXPECTED_CONFIDENCE: dict[str, Confidence] = {
    # HIGH: a capture tag confirmed by another block, the file name or the GPS UTC time
    "exiftool/Google.jpg": Confidence.HIGH,  # OffsetTimeOriginal; GPS 20:52:10Z agrees
    "metadata-extractor/webp/HTC Desire.webp": Confidence.HIGH,  # GPS UTC agrees (+02:00)
    "exifr/IMG_20180725_163423-tiny.jpg": Confidence.HIGH,  # file name and GPS agree
    "exif-samples/jpg/Nikon_D70.jpg": Confidence.HIGH,  # XMP exif:DateTimeOriginal agrees
    "pillow-heif/heif_other/pug.heic": Confidence.HIGH,  # XMP CreateDate agrees
    # MEDIUM: one trusted capture tag; or a weak source that another one confirms
    "exif-samples/jpg/Canon_40D.jpg": Confidence.MEDIUM,  # DTO = CreateDate: one EXIF block
    "metadata-extractor/jpg/FujiFilm SP-2500.jpg": Confidence.MEDIUM,  # CreateDate alone
    "exif-samples/jpg/exif-org/olympus-d320l.jpg": Confidence.MEDIUM,  # maker note alone
    "exif-samples/jpg/gps/DSCN0010.jpg": Confidence.MEDIUM,  # GPS a day off: no confirmation
    "exif-samples/heic/mobile/HMD_Nokia_8.3_5G_hdr.heif": Confidence.MEDIUM,  # GPS + ModifyDate
    # LOW: a weak source alone
    "exif-samples/jpg/Canon_40D_photoshop_import.jpg": Confidence.LOW,  # ModifyDate
    "exif-samples/jpg/WWL_(Polaroid)_ION230.jpg": Confidence.LOW,  # ModifyDate after rejection
    "exifr/png/IMG_20180725_163423-1.png": Confidence.LOW,  # file name
    "phockup/date_20170101_010101.jpg": Confidence.LOW,  # file name
    "pillow/exif_imagemagick_orientation.png": Confidence.LOW,  # PNG tIME
    # NONE: no usable date in the photo
    "exif-samples/jpg/exif-org/sanyo-vpcg250.jpg": Confidence.NONE,  # camera default 1998
    "metadata-extractor/jpg/Nikon E885.jpg": Confidence.NONE,  # all zeros
    "pillow/exif_gps.jpg": Confidence.NONE,  # 2099, garbage GPS date
    "pillow/hopper.jpg": Confidence.NONE,  # no metadata
}


@pytest.mark.parametrize(("relative", "level"), EXPECTED_CONFIDENCE.items())
def test_confidence_level_on_real_files(relative: str, level: Confidence) -> None:
    ct = corpus_capture(relative)
    assert ct.confidence is level, ct.explanation


def test_every_confidence_level_is_exercised_by_two_real_files() -> None:
    for level in Confidence:
        files = [path for path, want in EXPECTED_CONFIDENCE.items() if want is level]
        assert len(files) >= 2, level
        assert all((CORPUS / path).is_file() for path in files)


REJECTIONS = [
    ("metadata-extractor/jpg/Nikon E885.jpg", CandidateSource.EXIF_DATETIME_ORIGINAL, "all-zero"),
    ("metadata-extractor/jpg/FujiFilm DX-5.jpg", CandidateSource.EXIF_DATETIME_ORIGINAL, "blank"),
    ("pillow/tiff_16bit_RGB.tiff", CandidateSource.EXIF_MODIFY_DATE, "seconds 70"),
    ("metadata-extractor/jpg/Traveler SX330Z.jpg", CandidateSource.EXIF_MODIFY_DATE, "day 00"),
    ("pillow/exif_gps.jpg", CandidateSource.EXIF_DATETIME_ORIGINAL, "in the future"),
    ("pillow/exif_gps.jpg", CandidateSource.GPS, "GPS date: impossible date"),
    (
        "exif-samples/jpg/WWL_(Polaroid)_ION230.jpg",
        CandidateSource.EXIF_DATETIME_ORIGINAL,
        "implausible: 2026-11-24 14:41:16 is 18 years after this file's own EXIF ModifyDate",
    ),
    (
        "exif-samples/jpg/long_description.jpg",
        CandidateSource.XMP_CREATE_DATE,
        "after this file's own XMP xmp:ModifyDate 2003-09-10 16:07:32",
    ),
]


@pytest.mark.parametrize(("relative", "source", "words"), REJECTIONS)
def test_rejection_reasons_on_real_files(
    relative: str, source: CandidateSource, words: str
) -> None:
    ct = corpus_capture(relative)
    rejected = [c for c in ct.candidates if c.source is source and c.rejected]
    assert len(rejected) == 1
    assert rejected[0].local is None
    assert words in (rejected[0].rejected or "")


@pytest.mark.parametrize(
    ("relative", "source", "words"),
    [
        (
            "metadata-extractor/jpg/Motorola XT1068 (Moto G).jpg",
            CandidateSource.EXIF_CREATE_DATE,
            "Android firmware default",
        ),
        (
            "exif-samples/jpg/exif-org/sanyo-vpcg250.jpg",
            CandidateSource.EXIF_DATETIME_ORIGINAL,
            "1998:01:01 00:00:00 (clock never set)",
        ),
    ],
)
def test_camera_defaults_on_real_files_are_demoted(
    relative: str, source: CandidateSource, words: str
) -> None:
    ct = corpus_capture(relative)
    demoted = [c for c in ct.candidates if c.source is source]
    assert len(demoted) == 1
    assert words in (demoted[0].demoted or "")
    assert ct.source is not source


def test_real_jpeg_with_offset_and_a_dated_name(make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg(
        "PXL_20210411_154753123.jpg",
        dto="2021:04:11 15:47:53",
        create="2021:04:11 15:47:53",
        offset="-05:00",
    )
    ct = capture_time(read_metadata(path), path, None, ZONE)
    assert ct.local == datetime.fromisoformat("2021-04-11T15:47:53-05:00")
    assert ct.offset_source is OffsetSource.STATED
    assert ct.source is CandidateSource.EXIF_DATETIME_ORIGINAL
    assert ct.confidence is Confidence.HIGH  # the file name confirms it


@pytest.mark.parametrize(
    ("value", "words"),
    [("2005:0?:03 10:00:00", "garbled date"), ("2004:05:06 57:10:00", "hour 57")],
)
def test_real_jpeg_with_a_bad_date(make_jpeg: Callable[..., Path], value: str, words: str) -> None:
    path = make_jpeg("bad.jpg", dto=value, modify="2004:05:07 08:00:00")
    ct = capture_time(read_metadata(path), path, None, ZONE)
    dto = [c for c in ct.candidates if c.source is CandidateSource.EXIF_DATETIME_ORIGINAL]
    assert len(dto) == 1
    assert words in (dto[0].rejected or "")
    assert ct.source is CandidateSource.EXIF_MODIFY_DATE
    assert ct.local is not None
    assert ct.local.strftime("%Y-%m-%d %H:%M:%S %z") == "2004-05-07 08:00:00 +1200"
