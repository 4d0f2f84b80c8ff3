"""Format detection from content: every corpus file, and made-up files of each awkward kind."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image, TiffImagePlugin

from photoimport.media.formats import (
    HEAD_BYTES,
    DetectedFormat,
    FormatKind,
    detect_format,
    register_heif,
)
from tests.fixtures.corpus import CorpusFile, corpus_files
from tests.fixtures.images import draw_scene


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


@pytest.mark.parametrize("cf", corpus_files(), ids=lambda cf: cf.row["path"])
def test_corpus_file_kind_matches_manifest(cf: CorpusFile) -> None:
    found = detect_format(_head(cf.path), cf.path.name)
    assert found.kind == FormatKind(cf.row["kind"])
    # Every corpus file is of a supported format, broken or not (breakage shows when decoding).
    assert found.supported
    assert found.reason is None


def _encoded(fmt: str, **params: object) -> bytes:
    register_heif()
    buf = io.BytesIO()
    draw_scene((64, 48)).save(buf, fmt, **params)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("fmt", "name", "kind", "label"),
    [
        ("JPEG", "really-a-jpeg.png", FormatKind.JPEG, "JPEG"),
        ("PNG", "really-a-png.jpg", FormatKind.PNG, "PNG"),
        ("GIF", "x.jpg", FormatKind.GIF, "GIF"),
        ("WEBP", "x.heic", FormatKind.WEBP, "WebP"),
        ("TIFF", "scan.tif", FormatKind.TIFF, "TIFF"),
        ("HEIF", "photo.jpg", FormatKind.HEIC, "HEIF"),
        ("AVIF", "photo.heic", FormatKind.AVIF, "AVIF"),
    ],
)
def test_supported_formats_are_found_by_content_not_name(
    tmp_path: Path, fmt: str, name: str, kind: FormatKind, label: str
) -> None:
    path = _write(tmp_path, name, _encoded(fmt))
    assert detect_format(_head(path), path.name) == DetectedFormat(kind, label, True, None)


def test_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.jpg", "shopping list: café, bread\n".encode())
    found = detect_format(_head(path), path.name)
    assert found.kind == FormatKind.NOT_IMAGE
    assert not found.supported
    assert found.reason == "not an image: text file"


def test_empty_file_is_not_an_image(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.jpg", b"")
    assert detect_format(_head(path), path.name).reason == "not an image: empty file"


def _tiff_with_dng_version() -> bytes:
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[0xC612] = b"\x01\x04\x00\x00"  # DNGVersion 1.4.0.0
    ifd.tagtype[0xC612] = 1  # BYTE
    buf = io.BytesIO()
    draw_scene((64, 48)).save(buf, "TIFF", tiffinfo=ifd)
    return buf.getvalue()


def test_fake_dng_is_raw_whatever_its_name(tmp_path: Path) -> None:
    data = _tiff_with_dng_version()
    with Image.open(io.BytesIO(data)) as im:  # the tag really is in the file
        assert im.tag_v2[0xC612] == b"\x01\x04\x00\x00"
    path = _write(tmp_path, "IMG_0001.tif", data)
    found = detect_format(_head(path), path.name)
    assert found == DetectedFormat(FormatKind.RAW, "Adobe DNG raw", True, None)  # issue 11


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("DSC_0001.NEF", "Nikon NEF raw"),
        ("DSC01234.arw", "Sony ARW raw"),
        ("a.dng", "Adobe DNG raw"),
    ],
)
def test_tiff_structured_raw_is_told_apart_by_extension(
    tmp_path: Path, name: str, label: str
) -> None:
    path = _write(tmp_path, name, _encoded("TIFF"))
    found = detect_format(_head(path), path.name)
    assert (found.kind, found.name, found.supported) == (FormatKind.RAW, label, True)
    assert found.reason is None


def test_canon_cr2_header_is_raw(tmp_path: Path) -> None:
    data = b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(64)
    path = _write(tmp_path, "IMG_0001.tif", data)
    assert detect_format(_head(path), path.name).name == "Canon CR2 raw"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b"IIRO\x08\x00\x00\x00" + bytes(32), "Olympus ORF raw"),
        (b"IIU\x00\x18\x00\x00\x00" + bytes(32), "Panasonic RW2 raw"),
        (b"FUJIFILMCCD-RAW 0201FF383501" + bytes(32), "Fujifilm RAF raw"),
    ],
)
def test_raw_headers_with_their_own_magic(tmp_path: Path, data: bytes, label: str) -> None:
    path = _write(tmp_path, "photo.jpg", data)
    found = detect_format(_head(path), path.name)
    assert (found.kind, found.name) == (FormatKind.RAW, label)


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08free"


def test_canon_cr3_is_raw(tmp_path: Path) -> None:
    path = _write(tmp_path, "IMG_0001.CR3", _ftyp(b"crx ", b"crx ", b"isom"))
    found = detect_format(_head(path), path.name)
    assert found == DetectedFormat(FormatKind.RAW, "Canon CR3 raw", True, None)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\x0a\xfa\x1f\x42\x00\x00\x00" + bytes(56),  # bare codestream
        b"\x00\x00\x00\x0cJXL \r\n\x87\n" + _ftyp(b"jxl ", b"jxl "),  # ISOBMFF container
    ],
    ids=["codestream", "container"],
)
def test_jpeg_xl_is_unsupported(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "photo.jpg", data)
    found = detect_format(_head(path), path.name)
    assert found == DetectedFormat(
        FormatKind.JPEG_XL, "JPEG XL", False, "unsupported format: JPEG XL"
    )


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not an image: PDF document"),
        (_zip_bytes(), "not an image: zip archive"),
    ],
    ids=["pdf", "zip"],
)
def test_common_non_images_are_named(tmp_path: Path, data: bytes, reason: str) -> None:
    path = _write(tmp_path, "holiday.jpg", data)
    found = detect_format(_head(path), path.name)
    assert (found.kind, found.supported, found.reason) == (FormatKind.NOT_IMAGE, False, reason)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "MP4 video"),
        (_ftyp(b"qt  ", b"qt  "), "QuickTime video"),
        (_ftyp(b"3gp4", b"3gp4"), "3GP video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + bytes(40), "Matroska/WebM video"),
        (b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(40), "AVI video"),
    ],
    ids=["mp4", "mov", "3gp", "mkv", "avi"],
)
def test_videos_are_supported_from_their_content(tmp_path: Path, data: bytes, name: str) -> None:
    """Issue 11: videos are imported (PyAV), named by their container, whatever the file name."""
    path = _write(tmp_path, "holiday.jpg", data)
    found = detect_format(_head(path), path.name)
    assert found == DetectedFormat(FormatKind.VIDEO, name, True, None)


def test_other_images_are_unsupported_with_their_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "icon.png", _encoded("BMP"))
    assert detect_format(_head(path), path.name).reason == "unsupported format: BMP"


def test_binary_garbage_says_how_it_starts(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.jpg", bytes(range(1, 40)))
    assert detect_format(_head(path), path.name).reason == (
        "not an image: unrecognised content (starts with 01 02 03 04 05 06 07 08)"
    )


def test_register_heif_is_idempotent_and_opens_heic() -> None:
    register_heif()
    register_heif()
    data = _encoded("HEIF")
    with Image.open(io.BytesIO(data)) as im:
        assert (im.format, im.size) == ("HEIF", (64, 48))


@pytest.mark.parametrize("cf", corpus_files(), ids=lambda cf: cf.row["path"])
def test_first_64_bytes_are_enough_for_the_corpus(cf: CorpusFile) -> None:
    assert detect_format(_head(cf.path)[:64], cf.path.name).kind == FormatKind(cf.row["kind"])
