"""XMP sidecars and Google Takeout JSON: naming quirks, what they say, how they rank."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from photoimport.capture.capture_time import CandidateSource, OffsetSource
from photoimport.enums import Confidence
from photoimport.metadata.sidecars import read_xmp_sidecar, sidecar_names, xmp_gps
from photoimport.metadata.takeout import match_takeout_json, parse_takeout_json
from photoimport.metadata.values import DateTagName
from photoimport.pipeline import PipelineSettings, process_file
from tests.fixtures.extra import EXTRA
from tests.fixtures.images import DATETIME_ORIGINAL, save_jpeg

LONG = "PXL_20230101_123456789.NIGHT.ORIGINAL_long.jpg"  # 45 characters


@pytest.mark.parametrize(
    ("media", "jsons", "expected"),
    [
        ("IMG_1.jpg", ["IMG_1.jpg.json"], "IMG_1.jpg.json"),
        (
            "IMG_1.jpg",
            ["IMG_1.jpg.supplemental-metadata.json"],
            "IMG_1.jpg.supplemental-metadata.json",
        ),
        ("IMG_1.jpg", ["IMG_1.jpg.supplemental-me.json"], "IMG_1.jpg.supplemental-me.json"),
        (LONG, [LONG + "..json"][:1], LONG + "..json"),
        (LONG, [LONG + ".json"], LONG + ".json"),
        ("a" * 60 + ".jpg", ["a" * 46 + ".json"], "a" * 46 + ".json"),  # the 46/51 cut
        ("IMG_1(1).jpg", ["IMG_1.jpg.json", "IMG_1.jpg(1).json"], "IMG_1.jpg(1).json"),
        ("IMG_1.jpg", ["IMG_1.jpg.json", "IMG_1.jpg(1).json"], "IMG_1.jpg.json"),
        ("IMG_1-edited.jpg", ["IMG_1.jpg.json"], "IMG_1.jpg.json"),
        ("IMG_1-bearbeitet.jpg", ["IMG_1.jpg.json"], "IMG_1.jpg.json"),
        ("IMG_1.jpg", ["IMG_1.json"], "IMG_1.json"),  # extension missing
        ("IMG_1", ["IMG_1.json"], "IMG_1.json"),
        ("IMG_1.jpg", ["IMG_12.jpg.json", "IMG_1.jp.json", "metadata.json"], None),
        ("DSC_0238_1.JPG", ["DSC_0238.JPG.json", "DSC_0238_1.JPG.json"], "DSC_0238_1.JPG.json"),
    ],
)
def test_takeout_json_naming(media: str, jsons: list[str], expected: str | None) -> None:
    assert match_takeout_json(media, jsons) == expected


def test_every_truncation_of_supplemental_metadata_matches() -> None:
    full = LONG + ".supplemental-metadata"
    for cut in range(len(LONG) + 1, len(full) + 1):
        name = full[: min(cut, 46)] + ".json"
        assert match_takeout_json(LONG, [name]) == name


def test_real_takeout_duplicate_names(tmp_path: Path) -> None:
    """``DSC_0238(1).JPG`` owns ``DSC_0238.JPG(1).json`` (the fixture's photos are 0-byte
    placeholders upstream: the names are what matters)."""
    folder = EXTRA / "immich-go/Takeout3/Photos from 2023"
    names = sorted(p.name for p in folder.iterdir())
    assert sidecar_names("DSC_0238(1).JPG", names) == ["DSC_0238.JPG(1).json"]
    assert sidecar_names("DSC_0238.JPG", names) == ["DSC_0238.JPG.json"]
    assert sidecar_names("DSC_0238_1.JPG", names) == ["DSC_0238_1.JPG.json"]


def test_album_metadata_files_are_not_photo_sidecars() -> None:
    album = EXTRA / "immich-go/Takeout1/Google Photos/Album test 6-10-23/métadonnées.json"
    assert parse_takeout_json(album.read_bytes()) is None
    assert parse_takeout_json(b"not json") is None


def test_takeout_json_facts() -> None:
    path = EXTRA / "GooglePhotosTakeoutHelper/046a025ce4a74570347241df5bfe27cc.jpg.json"
    facts = parse_takeout_json(path.read_bytes())
    assert facts is not None
    assert facts.taken_utc is not None
    assert facts.taken_utc.isoformat() == "2016-07-15T20:29:26+00:00"
    assert (facts.latitude, facts.longitude) == (None, None)  # geoData 0/0 means unknown


def test_takeout_utc_and_exif_local_clock_agree_high_with_their_offset(tmp_path: Path) -> None:
    photo = EXTRA / "GooglePhotosTakeoutHelper/046a025ce4a74570347241df5bfe27cc.jpg"
    result = process_file(photo, PipelineSettings(thumbs_dir=tmp_path, timezone="UTC"))
    capture = result.capture
    assert capture is not None
    assert capture.local is not None
    assert capture.local.isoformat() == "2016-07-15T22:29:26+02:00"
    assert capture.confidence is Confidence.HIGH
    assert capture.offset_source is OffsetSource.UTC_TIME
    assert result.sidecars == (str(photo) + ".json",)


def test_takeout_date_alone_is_shown_in_the_configured_zone_and_says_so(tmp_path: Path) -> None:
    folder = EXTRA / "immich-go/fromGooglePhotos/Google Photos/Photos from 2025"
    photo = folder / "PinClipart.com_gopher-clipart_4000224.jpg"
    settings = PipelineSettings(thumbs_dir=tmp_path, timezone="Europe/Paris", use_mtime=False)
    capture = process_file(photo, settings).capture
    assert capture is not None
    assert capture.local is not None
    assert capture.source is CandidateSource.TAKEOUT
    assert capture.local.isoformat() == "2025-03-13T18:05:10+01:00"
    assert capture.offset_source is OffsetSource.CONFIGURED
    assert capture.confidence is Confidence.MEDIUM


def test_takeout_date_with_gps_only_uses_the_zone_there(tmp_path: Path) -> None:
    photo = save_jpeg(tmp_path / "IMG_1(1).jpg")
    taken = {
        "photoTakenTime": {"timestamp": "1696573800"},
        "geoData": {"latitude": 40.7, "longitude": -74.0},
    }
    (tmp_path / "IMG_1.jpg(1).json").write_text(json.dumps(taken))
    settings = PipelineSettings(thumbs_dir=tmp_path / "t", timezone="UTC", use_mtime=False)
    capture = process_file(photo, settings).capture
    assert capture is not None
    assert capture.local is not None
    assert capture.local.isoformat() == "2023-10-06T02:30:00-04:00"  # New York
    assert capture.offset_source is OffsetSource.GPS_POSITION


def test_xmp_sidecar_named_by_replacing_the_extension(tmp_path: Path) -> None:
    photo = EXTRA / "librephotos/niaz.jpg"
    result = process_file(photo, PipelineSettings(thumbs_dir=tmp_path, use_mtime=False))
    capture = result.capture
    assert capture is not None
    assert capture.local is not None
    assert capture.local.isoformat() == "2018-10-04T19:21:55-04:00"
    assert capture.source is CandidateSource.SIDECAR_PHOTOSHOP_DATE_CREATED
    assert result.sidecars == (str(EXTRA / "librephotos/niaz.xmp"),)


def test_sidecar_correction_outranks_the_embedded_date(tmp_path: Path) -> None:
    photo = save_jpeg(tmp_path / "IMG_2.jpg", exif_ifd={DATETIME_ORIGINAL: "2020:01:01 10:00:00"})
    (tmp_path / "IMG_2.JPG.xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        'exif:DateTimeOriginal="2019-12-31T09:00:00+01:00" exif:GPSLatitude="48,51.5N" '
        'exif:GPSLongitude="2,17.7E" exif:GPSDateTime="2019-12-31T08:00:00Z"/>'
        "</rdf:RDF></x:xmpmeta>"
    )
    result = process_file(photo, PipelineSettings(thumbs_dir=tmp_path / "t", use_mtime=False))
    capture = result.capture
    assert capture is not None
    assert capture.local is not None
    assert capture.source is CandidateSource.SIDECAR_EXIF_DATETIME_ORIGINAL
    assert capture.local.isoformat() == "2019-12-31T09:00:00+01:00"
    assert capture.confidence is Confidence.HIGH  # the sidecar's GPS time confirms it
    sources = {c.source for c in capture.candidates}
    assert CandidateSource.EXIF_DATETIME_ORIGINAL in sources  # shown, passed over


def test_digikam_sidecar_keeps_the_capture_date_not_its_create_date() -> None:
    sidecar = read_xmp_sidecar((EXTRA / "pigallery2/sidecar/20240121_102400.JPG.xmp").read_bytes())
    values = {d.name: d.value for d in sidecar.dates}
    assert values[DateTagName.SIDECAR_PHOTOSHOP_DATE_CREATED] == "2024-01-21T10:24:00.93"
    assert values[DateTagName.SIDECAR_CREATE_DATE] == "2024-03-04T12:03:45.65"


def test_xmp_gps_with_its_date_time() -> None:
    gps = xmp_gps((EXTRA / "pigallery2/demo/IMG_5910.jpg.xmp").read_bytes())
    assert gps is not None
    assert gps.latitude == pytest.approx(37.871093, abs=1e-5)
    assert gps.longitude == pytest.approx(-122.25678, abs=1e-5)
    packet = (
        '<x exif:GPSLatitude="10,30.0S" exif:GPSLongitude="20,15,0W">'
        "<exif:GPSDateTime>2015-06-12T17:29:26Z</exif:GPSDateTime></x>"
    )
    gps = xmp_gps(packet)
    assert gps is not None
    assert (gps.latitude, gps.longitude) == (-10.5, -20.25)
    assert (gps.date, gps.time) == ("2015:06:12", "17:29:26")


def test_hostile_xmp_gps_is_linear(tmp_path: Path) -> None:
    import time

    packet = "exif:GPSLatitude=" + "'" * 200_000 + "<exif:GPSDateTime>" * 50_000
    started = time.perf_counter()
    xmp_gps(packet)
    assert time.perf_counter() - started < 2.0  # quadratic would take minutes


def test_sidecars_read_are_listed_and_copied_folders_work(tmp_path: Path) -> None:
    source = EXTRA / "pigallery2/sidecar"
    folder = tmp_path / "copy"
    shutil.copytree(source, folder)
    result = process_file(
        folder / "20240107_110258.jpg", PipelineSettings(thumbs_dir=tmp_path / "t")
    )
    assert result.sidecars == (str(folder / "20240107_110258.jpg.xmp"),)


def test_a_big_takeout_folder_matches_in_linear_time() -> None:
    import time

    from photoimport.metadata.sidecars import FolderSidecars

    photos = [f"PXL_2023{i:06d}_123456789.jpg" for i in range(5000)]
    names = [*photos, *(f"{p}.supplemental-metadata.json" for p in photos)]
    started = time.perf_counter()
    folder = FolderSidecars(names)
    found = [folder.of(p) for p in photos]
    assert time.perf_counter() - started < 5.0  # a scan per photo: 25 million comparisons
    assert found[1234] == [f"{photos[1234]}.supplemental-metadata.json"]
