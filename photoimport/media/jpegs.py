"""JPEGs inside other files: find them by their markers, read their size from their SOF.

Camera RAWs, HEICs and damaged JPEGs carry previews and thumbnails as whole JPEG streams. These
helpers locate them in bytes or a memory map without decoding anything: a JPEG's segments are
walked up to its SOF (size, coding), and its end is the first EOI after the scan (entropy-coded
data never holds a bare 0xFF 0xD9).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from typing import Final

__all__ = ["EmbeddedJpeg", "app1_exif", "jpeg_at", "jpeg_size", "scan_jpegs"]

_SOI: Final = b"\xff\xd8\xff"
_EOI: Final = b"\xff\xd9"
# SOF markers of the JPEGs a preview can be: baseline, extended, progressive (8-bit DCT).
_PREVIEW_SOF: Final = frozenset({0xC0, 0xC1, 0xC2})
_ALL_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_MAX_SCAN_HITS: Final = 4096


@dataclass(frozen=True)
class EmbeddedJpeg:
    """One JPEG inside a RAW file: where it is and its pixel size (from its SOF segment)."""

    offset: int
    length: int
    width: int
    height: int
    where: str  # "IFD0 JPEGInterchangeFormat", "CR3 PRVW", "scan", ...
    encoding: str = "jpeg"  # or "rgb": 8-bit RGB pixels, uncompressed (old Nikon thumbnails)

    @property
    def pixels(self) -> int:
        return self.width * self.height


def jpeg_size(
    data: bytes | mmap.mmap, offset: int, limit: int | None = None
) -> tuple[int, int, int] | None:
    """(width, height, SOF marker) of the JPEG starting at ``offset``, from its segments."""
    end = len(data) if limit is None else min(len(data), limit)
    if data[offset : offset + 3] != _SOI:
        return None
    pos = offset + 2
    for _ in range(64):  # a real JPEG reaches its SOF within a few segments
        if pos + 4 > end or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _ALL_SOF:
            if pos + 9 > end:
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height, marker) if width and height else None
        if marker in (0xD9, 0xDA):
            return None
        pos += 2 + length
    return None


def jpeg_at(
    data: bytes | mmap.mmap, offset: int, length: int | None, where: str
) -> EmbeddedJpeg | None:
    """A preview JPEG at ``offset``; its length is given, else found from its EOI marker."""
    if offset <= 0 or offset >= len(data):
        return None
    found = jpeg_size(data, offset)
    if found is None or found[2] not in _PREVIEW_SOF:
        return None
    width, height, _ = found
    if length is None or length <= 0 or offset + length > len(data):
        end = data.find(_EOI, offset + 2)
        if end < 0:
            return None  # cut off: a preview without its end cannot be decoded
        length = end + 2 - offset
    return EmbeddedJpeg(offset, length, width, height, where)


def scan_jpegs(data: bytes | mmap.mmap) -> tuple[EmbeddedJpeg, ...]:
    """Every complete baseline/progressive JPEG found by its start marker (maker-note previews)."""
    found: list[EmbeddedJpeg] = []
    pos = 0
    for _ in range(_MAX_SCAN_HITS):
        pos = data.find(_SOI, pos)
        if pos < 0:
            break
        jpeg = jpeg_at(data, pos, None, "scan") if pos > 0 else None
        if jpeg is not None:
            found.append(jpeg)
        pos += 3
    return tuple(found)


def app1_exif(data: bytes | mmap.mmap, offset: int) -> bytes | None:
    """The TIFF block of the EXIF APP1 segment of the JPEG at ``offset`` (it may be cut off)."""
    if data[offset : offset + 2] != b"\xff\xd8":
        return None
    pos = offset + 2
    for _ in range(32):
        if pos + 4 > len(data) or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker == 0xE1 and data[pos + 4 : pos + 10] == b"Exif\x00\x00":
            return bytes(data[pos + 10 : pos + 2 + length])
        if marker in (0xDA, 0xD9) or length < 2:
            return None
        pos += 2 + length
    return None
