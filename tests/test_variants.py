"""Which files are variants of one photo: RAW + JPEG, Live Photo still + motion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from photoimport.media.pairing import Member, pair_variants
from photoimport.pipeline import PipelineSettings, process_file
from tests.fixtures.extra import EXTRA

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def test_raw_beside_its_jpeg_is_a_variant_of_it() -> None:
    members = [
        Member(1, "/card/DCIM/IMG_0001.JPG", "photo", T0),
        Member(2, "/card/DCIM/IMG_0001.CR2", "raw", T0 + timedelta(seconds=1)),
        Member(3, "/card/DCIM/IMG_0002.CR2", "raw", T0),  # no JPEG of its own
        Member(4, "/other/IMG_0001.CR2", "raw", T0),  # another folder
        Member(5, "/card/DCIM/IMG_0005.JPG", "photo", T0),
        Member(6, "/card/DCIM/IMG_0005.NEF", "raw", T0 + timedelta(seconds=30)),  # 30 s apart
    ]
    assert pair_variants(members) == {2: 1}


def test_live_photo_by_content_identifier_even_with_another_name() -> None:
    members = [
        Member(1, "/p/IMG_7943.HEIC", "photo", T0, "9B539AB8-A668-4FA6-9207-EB653A5E7E3C"),
        Member(2, "/p/IMG_7943_HEVC.MOV", "video", T0, "9b539ab8-a668-4fa6-9207-eb653a5e7e3c"),
        Member(3, "/p/IMG_0003.MOV", "video", T0, "00000000-0000-0000-0000-000000000000"),
    ]
    assert pair_variants(members) == {2: 1}


def test_live_photo_by_base_name_within_two_seconds() -> None:
    members = [
        Member(1, "/p/IMG_1.HEIC", "photo", T0),
        Member(2, "/p/IMG_1.MOV", "video", T0 - timedelta(seconds=1)),
        Member(3, "/p/IMG_2.JPG", "photo", T0),
        Member(4, "/p/IMG_2.MOV", "video", None),  # no capture time: not paired by name
    ]
    assert pair_variants(members) == {2: 1}


def test_real_live_photo_pair_shares_its_identifier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = PipelineSettings(thumbs_dir=tmp_path)
    still = process_file(EXTRA / "pigallery2/live_photo/IMG_7943.HEIC", settings)
    motion = process_file(EXTRA / "pigallery2/live_photo/IMG_7943_HEVC.MOV", settings)
    assert still.metadata is not None
    assert motion.metadata is not None
    assert still.metadata.content_id == motion.metadata.content_id
    assert still.metadata.content_id == "9B539AB8-A668-4FA6-9207-EB653A5E7E3C"
