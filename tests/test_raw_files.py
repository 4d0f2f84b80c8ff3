"""RAW files: metadata from their own blocks, the largest embedded preview, never a demosaic."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from photoimport.media.jpegs import jpeg_size, scan_jpegs
from photoimport.media.raw import read_raw, read_raw_bytes
from photoimport.metadata.values import DateTagName
from photoimport.pipeline import PipelineSettings, process_file
from tests.fixtures.extra import EXTRA
from tests.fixtures.images import draw_scene

# (file, container, long side of the largest preview, DateTimeOriginal, make)
RAWS = [
    ("imagemeta-bep/sample.cr2", "TIFF", 160, "2011:08:24 14:41:04", "Canon"),
    ("imagemeta-bep/sample.arw", "TIFF", 160, "2009:11:13 13:33:25", "SONY"),
    (
        "imagemeta-bep/jølstravatnet.pef",
        "TIFF",
        720,
        "2021:02:05 10:56:53",
        "RICOH IMAGING COMPANY, LTD.",
    ),
    ("nom-exif/canon-r6.cr3", "CR3", 1620, "2025:09:06 20:24:47", "Canon"),
    ("pigallery2/test.dng", "TIFF", 510, "2024:07:04 21:45:43", "Google"),
    ("imageio-test-images/Nikon_uncompressed.nef", "TIFF", 869, None, "Nikon"),
]


@pytest.mark.parametrize(("name", "container", "side", "dto", "make"), RAWS)
def test_raw_preview_and_metadata(
    name: str, container: str, side: int, dto: str | None, make: str, tmp_path: Path
) -> None:
    contents, preview = read_raw(EXTRA / name, min_side=320)
    assert contents.container == container
    best = contents.largest()
    assert best is not None
    assert preview is not None
    assert max(best.width, best.height) == side
    if best.encoding == "rgb":  # uncompressed 8-bit RGB (old Nikon bodies, film scanners)
        assert len(preview) == best.width * best.height * 3
    else:
        with Image.open(io.BytesIO(preview)) as im:  # a complete JPEG of its SOF's size
            im.load()
            assert im.size == (best.width, best.height)

    result = process_file(EXTRA / name, PipelineSettings(thumbs_dir=tmp_path, timezone="UTC"))
    assert result.error is None, result.error
    assert result.kind == "raw"
    assert result.preview_error is None
    assert result.thumbnail is not None
    assert result.thumbnail.is_file()
    assert result.metadata is not None
    assert result.metadata.make == make
    original = result.metadata.date(DateTagName.EXIF_DATETIME_ORIGINAL)
    assert (original.value if original else None) == dto


def test_cr3_utc_create_date_on_the_next_day_keeps_the_local_day(tmp_path: Path) -> None:
    result = process_file(EXTRA / "nom-exif/canon-r6.cr3", PipelineSettings(thumbs_dir=tmp_path))
    assert result.capture is not None
    assert result.capture.local is not None
    assert result.capture.local.isoformat().startswith("2025-09-06T20:24:47")
    assert result.capture.local.utcoffset().total_seconds() == -8 * 3600  # type: ignore[union-attr]


def test_dng_preview_is_turned_by_the_raw_orientation(tmp_path: Path) -> None:
    result = process_file(EXTRA / "pigallery2/test.dng", PipelineSettings(thumbs_dir=tmp_path))
    assert result.metadata is not None
    assert result.metadata.orientation == 8
    assert result.thumbnail is not None
    with Image.open(result.thumbnail) as thumb:
        assert thumb.height > thumb.width  # 510x382 stored, shown upright as portrait


def test_scan_finds_a_jpeg_hidden_in_unknown_bytes() -> None:
    buffer = io.BytesIO()
    draw_scene((400, 300)).save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    blob = b"\x00" * 1000 + jpeg + b"\xff\xd8\xff\x00garbage" + b"\x01" * 500
    found = scan_jpegs(blob)
    assert [(j.offset, j.length, j.width, j.height) for j in found] == [(1000, len(jpeg), 400, 300)]
    assert jpeg_size(blob, 1000) == (400, 300, 0xC0)


def test_a_truncated_tiff_raw_gives_no_preview_and_no_crash() -> None:
    data = (EXTRA / "imagemeta-bep/sample.cr2").read_bytes()[:300]
    contents = read_raw_bytes(data)
    assert contents.largest() is None


def test_a_raw_without_any_preview_keeps_its_facts(tmp_path: Path) -> None:
    """A TIFF-structured RAW whose only image is its sensor data: a warning, not an error."""
    path = tmp_path / "bare.nef"
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x010F, 2, 4, struct.unpack("<I", b"ACME")[0])
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00")
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "thumbs"))
    assert result.error is None
    assert result.kind == "raw"
    assert result.preview_error == "no embedded preview image in this RAW file"
    assert result.thumbnail is None
    assert result.phash is None


def _tiff_raw(magic: bytes, preview: bytes, orientation: int, when: str) -> bytes:
    """A little-endian TIFF-structured RAW as cameras write them: IFD0 (Make, Orientation,
    Exif IFD with DateTimeOriginal, one SubIFD), the SubIFD a one-strip JPEG preview."""
    make, dto = b"ACME\x00", when.encode() + b"\x00"
    ifd0_at, n0 = 8, 4
    exif_at = ifd0_at + 2 + 12 * n0 + 4
    sub_at = exif_at + 2 + 12 + 4
    make_at = sub_at + 2 + 12 * 3 + 4
    dto_at = make_at + len(make)
    jpeg_at = dto_at + len(dto)

    def entry(tag: int, typ: int, count: int, value: int) -> bytes:
        if typ == 3 and count == 1:
            return struct.pack("<HHIHH", tag, typ, count, value, 0)
        return struct.pack("<HHII", tag, typ, count, value)

    ifd0 = struct.pack("<H", n0) + b"".join(
        [
            entry(0x010F, 2, len(make), make_at),
            entry(0x0112, 3, 1, orientation),
            entry(0x014A, 4, 1, sub_at),
            entry(0x8769, 4, 1, exif_at),
        ]
    )
    exif = struct.pack("<H", 1) + entry(0x9003, 2, len(dto), dto_at) + struct.pack("<I", 0)
    sub = struct.pack("<H", 3) + b"".join(
        [
            entry(0x0103, 3, 1, 6),
            entry(0x0111, 4, 1, jpeg_at),
            entry(0x0117, 4, 1, len(preview)),
        ]
    )
    body = ifd0 + struct.pack("<I", 0) + exif + sub + struct.pack("<I", 0) + make + dto
    return magic + struct.pack("<I", ifd0_at) + body + preview + bytes(4096)


@pytest.mark.parametrize(
    ("name", "magic", "label"),
    [
        ("P1010001.ORF", b"IIRO", "Olympus ORF raw"),
        ("P1000001.RW2", b"IIU\x00", "Panasonic RW2 raw"),
        ("DSC_0001.NEF", b"II*\x00", "Nikon NEF raw"),
        ("IMGP0001.PEF", b"II*\x00", "Pentax PEF raw"),
    ],
)
def test_made_raws_of_each_tiff_family_maker(
    name: str, magic: bytes, label: str, tmp_path: Path
) -> None:
    """No usable ORF or RW2 exists in corpus-extra: these are made to the TIFF layout."""
    buffer = io.BytesIO()
    draw_scene((640, 480), seed=9).save(buffer, "JPEG")
    path = tmp_path / name
    path.write_bytes(_tiff_raw(magic, buffer.getvalue(), 6, "2022:05:01 09:30:00"))
    result = process_file(path, PipelineSettings(thumbs_dir=tmp_path / "t", timezone="UTC"))
    assert result.error is None, result.error
    assert (result.kind, result.file_type) == ("raw", label)
    assert result.metadata is not None
    assert result.metadata.make == "ACME"
    assert result.capture is not None
    assert result.capture.local is not None
    assert result.capture.local.isoformat() == "2022-05-01T09:30:00+00:00"
    assert result.thumbnail is not None
    with Image.open(result.thumbnail) as thumb:
        assert thumb.size == (240, 320)  # 640x480 preview turned by orientation 6
