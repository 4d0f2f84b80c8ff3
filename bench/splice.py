"""Byte-level assembly of JPEG and HEIC files from a few encoded pictures (no re-encoding).

* **JPEG.** Pictures encoded with the same quality, size and (standard) Huffman tables, with a
  restart marker after every MCU row, share every header segment but their APPn ones; the
  entropy-coded data of one MCU row starts fresh after each restart marker (DC predictions
  reset, byte-aligned). So a new, valid baseline JPEG is the shared header plus, for each MCU row,
  that row's coded bytes from any of the pictures, followed by the restart marker of that row
  (``RST(row mod 8)``) and, at the end, EOI. ``SplitJpeg.join`` does this with a per-row choice
  of picture: distinct pixels, so distinct SHA-256 and perceptual hashes, at the same decode cost.
* **HEIC.** ``HeifTemplate`` is a HEIC written by pillow_heif (a primary image, its EXIF item and
  a thumbnail item). ``HeifTemplate.with_items`` appends a second ``mdat`` box with another EXIF
  blob and another HEVC thumbnail bitstream (same size and encoder settings, so the stored
  ``hvcC`` still describes it) and points the ``iloc`` extents of those two items at it: a
  distinct file whose embedded thumbnail shows another picture, the primary image unchanged.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from photoimport.media.isobmff import iter_boxes

__all__ = ["HeifTemplate", "SplitJpeg", "app1", "primary_bitstream", "split_jpeg"]

_SOI: Final = b"\xff\xd8"
_EOI: Final = b"\xff\xd9"
_SOS: Final = 0xDA


@dataclass(frozen=True)
class SplitJpeg:
    """A JPEG with one restart interval per MCU row, cut into its header and its rows."""

    header: bytes  # DQT, SOF, DHT, DRI, SOS segments (no SOI, no APPn)
    rows: tuple[bytes, ...]  # entropy-coded bytes of each MCU row, markers removed

    def join(self, sources: list[SplitJpeg], pick: list[int], app: bytes = b"") -> bytes:
        """A JPEG whose row ``r`` comes from ``sources[pick[r]]`` (headers must be equal)."""
        out = [_SOI, app, self.header]
        last = len(self.rows) - 1
        for row, choice in enumerate(pick):
            out.append(sources[choice].rows[row])
            out.append(_EOI if row == last else bytes((0xFF, 0xD0 + row % 8)))
        return b"".join(out)


def split_jpeg(data: bytes) -> SplitJpeg:
    """Cut a baseline JPEG written with a restart marker after every MCU row (Pillow:
    ``restart_marker_rows=1``) into its shared header and its rows."""
    if not data.startswith(_SOI):
        raise ValueError("not a JPEG")
    pos, header = 2, []
    while True:
        marker = data[pos + 1]
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if not 0xE0 <= marker <= 0xEF:
            header.append(data[pos : pos + 2 + length])
        pos += 2 + length
        if marker == _SOS:
            break
    if not data.endswith(_EOI):
        raise ValueError("the JPEG does not end with EOI")
    body = data[pos:-2]
    rows, start, at = [], 0, body.find(b"\xff")
    while at >= 0:
        if 0xD0 <= body[at + 1] <= 0xD7:  # a restart marker (coded 0xFF bytes are 0xFF 0x00)
            rows.append(body[start:at])
            start = at + 2
        at = body.find(b"\xff", at + 2)
    rows.append(body[start:])
    return SplitJpeg(b"".join(header), tuple(rows))


def app1(exif: bytes) -> bytes:
    """The APP1 segment holding ``exif`` (``Image.Exif.tobytes()``: starts with ``Exif\\0\\0``)."""
    return b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif


def _box(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int]:
    for found, payload, box_end in iter_boxes(data, start, end):
        if found == kind:
            return payload, box_end
    raise ValueError(f"no {kind.decode()} box")


def _sized(data: bytes, pos: int, size: int) -> int:
    return 0 if size == 0 else int.from_bytes(data[pos : pos + size], "big")


@dataclass(frozen=True)
class _Extent:
    base: int  # the item's base offset: the extent's offset counts from there
    offset_at: int  # where the extent's offset field is in the file
    length_at: int
    size: int  # bytes of each of those two fields (4 or 8)


def _iloc(data: bytes, start: int, end: int) -> dict[int, _Extent]:
    """Each item's single extent in an ``iloc`` box (pillow_heif writes one per item)."""
    version = data[start]
    sizes, more = data[start + 4], data[start + 5]
    off_size, len_size, base_size = sizes >> 4, sizes & 15, more >> 4
    index_size = more & 15 if version in (1, 2) else 0
    pos = start + 6
    count_size = 4 if version == 2 else 2
    count = _sized(data, pos, count_size)
    pos += count_size
    extents: dict[int, _Extent] = {}
    for _ in range(count):
        id_size = 4 if version == 2 else 2
        item = _sized(data, pos, id_size)
        pos += id_size + (2 if version in (1, 2) else 0) + 2  # construction method, data ref
        base = _sized(data, pos, base_size)
        pos += base_size
        n = _sized(data, pos, 2)
        pos += 2
        if n != 1 or off_size != len_size or off_size not in (4, 8):
            raise ValueError("only single extents with 4- or 8-byte fields are supported")
        pos += index_size
        extents[item] = _Extent(base, pos, pos + off_size, off_size)
        pos += off_size + len_size
    if pos > end:
        raise ValueError("iloc box overruns")
    return extents


def _item_types(data: bytes, start: int, end: int) -> dict[int, bytes]:
    """Item id -> item type (``hvc1``, ``Exif``, ...) from the ``infe`` boxes of ``iinf``."""
    version = data[start]
    first = start + 4 + (2 if version == 0 else 4)
    types: dict[int, bytes] = {}
    for kind, payload, _ in iter_boxes(data, first, end):
        if kind == b"infe" and data[payload] >= 2:
            item = _sized(data, payload + 4, 2 if data[payload] == 2 else 4)
            at = payload + 4 + (2 if data[payload] == 2 else 4) + 2
            types[item] = data[at : at + 4]
    return types


def _meta(data: bytes) -> tuple[dict[int, _Extent], dict[int, bytes], int]:
    """(extents, item types, primary item id) of a HEIF file."""
    payload, end = _box(data, 0, len(data), b"meta")
    start = payload + 4  # meta is a full box
    iloc = _iloc(data, *_box(data, start, end, b"iloc"))
    types = _item_types(data, *_box(data, start, end, b"iinf"))
    pitm, _ = _box(data, start, end, b"pitm")
    primary = _sized(data, pitm + 4, 2 if data[pitm] == 0 else 4)
    return iloc, types, primary


def primary_bitstream(data: bytes) -> bytes:
    """The coded bytes of a HEIF file's primary image (its one extent)."""
    iloc, _, primary = _meta(data)
    ext = iloc[primary]
    offset = ext.base + _sized(data, ext.offset_at, ext.size)
    return data[offset : offset + _sized(data, ext.length_at, ext.size)]


@dataclass(frozen=True)
class HeifTemplate:
    """A pillow_heif HEIC with one EXIF item and one thumbnail item, ready to be varied."""

    data: bytes
    exif: _Extent
    thumbnail: _Extent

    @classmethod
    def parse(cls, data: bytes) -> HeifTemplate:
        iloc, types, primary = _meta(data)
        exif = [i for i, t in types.items() if t == b"Exif"]
        thumbs = [i for i, t in types.items() if t == b"hvc1" and i != primary]
        if len(exif) != 1 or len(thumbs) != 1:
            raise ValueError("expected one Exif item and one thumbnail item")
        return cls(data, iloc[exif[0]], iloc[thumbs[0]])

    def with_items(self, exif: bytes, thumbnail: bytes) -> bytes:
        """The file with its EXIF item (``Exif\\0\\0`` + TIFF) and thumbnail bitstream replaced."""
        item = struct.pack(">I", 6) + exif  # offset of the TIFF header in the item
        out = bytearray(self.data)
        start = len(out) + 8
        for ext, offset, length in (
            (self.exif, start, len(item)),
            (self.thumbnail, start + len(item), len(thumbnail)),
        ):
            relative = (offset - ext.base).to_bytes(ext.size, "big")
            out[ext.offset_at : ext.offset_at + ext.size] = relative
            out[ext.length_at : ext.length_at + ext.size] = length.to_bytes(ext.size, "big")
        mdat = struct.pack(">I4s", 8 + len(item) + len(thumbnail), b"mdat")
        return bytes(out) + mdat + item + thumbnail
