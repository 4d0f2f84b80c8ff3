"""Metadata straight from a file's bytes, for files whose pixels Pillow cannot open or decode.

A truncated JPEG, a HEIC whose image item is damaged, an unsupported codec or a RAW file still
carry intact EXIF and XMP blocks. These are found here without any decoder:

* JPEG: the APP1 segments (``Exif\\0\\0`` + TIFF, and the XMP packet), walked marker by marker.
* HEIF / AVIF: the ``Exif`` item and the XMP item (``mime`` item ``application/rdf+xml``),
  located through the ``meta`` box's ``iinf`` and ``iloc`` boxes.
* TIFF and TIFF-based RAWs: the file's own IFDs (given as a TIFF block).

``metadata_from_blocks`` turns TIFF blocks and an XMP packet into the same ``ImageMetadata``
that ``reader.metadata_from_image`` gives for a file Pillow opens.

We parse the boxes and segments ourselves because Pillow and pillow-heif only expose them once
the image itself opens, and the point here is the files that do not.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from PIL import Image

from photoimport.media.isobmff import iter_boxes
from photoimport.metadata.apple import apple_content_id
from photoimport.metadata.exif import (
    EXIF_IFD,
    ExifFields,
    read_exif_fields,
    read_exif_ifds,
)
from photoimport.metadata.makernotes import canon_timezone_offset
from photoimport.metadata.sidecars import xmp_gps
from photoimport.metadata.values import DateTag, ImageMetadata
from photoimport.metadata.xmp import read_xmp_dates

__all__ = ["Blocks", "find_blocks", "metadata_from_blocks"]

_XMP_APP1: Final = b"http://ns.adobe.com/xap/1.0/\x00"
_EXIF_ERRORS: Final = (SyntaxError, ValueError, KeyError, TypeError, OSError, struct.error)
_EXIF_WIDTH, _EXIF_HEIGHT = 0xA002, 0xA003
_IMAGE_WIDTH, _IMAGE_HEIGHT = 0x0100, 0x0101


@dataclass(frozen=True)
class Blocks:
    """The metadata blocks found in a file's bytes."""

    tiff: tuple[bytes, ...] = ()  # EXIF as TIFF blocks (IFD0 first)
    xmp: bytes | None = None
    width: int = 0  # the image's size when the container states it (SOF, ispe), else 0
    height: int = 0


def find_blocks(data: bytes) -> Blocks:
    """EXIF and XMP of a JPEG, HEIF/AVIF or TIFF held in ``data`` (damaged files included)."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg_blocks(data)
    if data[4:8] == b"ftyp":
        return _heif_blocks(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return Blocks((data,))
    return Blocks()


def _jpeg_blocks(data: bytes) -> Blocks:
    tiff: list[bytes] = []
    xmp: bytes | None = None
    width = height = 0
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00") and not tiff:
            tiff.append(segment[6:])
        elif marker == 0xE1 and segment.startswith(_XMP_APP1) and xmp is None:
            xmp = segment[len(_XMP_APP1) :]
        elif marker in (0xC0, 0xC1, 0xC2) and len(segment) >= 5:
            height, width = struct.unpack(">HH", segment[1:5])
        if marker in (0xDA, 0xD9) or length < 2:
            break
        pos += 2 + length
    return Blocks(tuple(tiff), xmp, width, height)


def _uint(data: bytes, pos: int, size: int) -> int:
    return int.from_bytes(data[pos : pos + size], "big") if size else 0


def _heif_blocks(data: bytes) -> Blocks:
    """The ``Exif`` and XMP items of a HEIF file, through ``meta``/``iinf``/``iloc``."""
    meta = next(((s, e) for k, s, e in iter_boxes(data, 0, len(data)) if k == b"meta"), None)
    if meta is None:
        return Blocks()
    items: dict[int, str] = {}
    locations: dict[int, list[tuple[int, int]]] = {}
    width = height = 0
    for kind, start, end in iter_boxes(data, meta[0] + 4, meta[1]):  # meta is a full box
        if kind == b"iinf":
            items.update(_item_types(data, start, end))
        elif kind == b"iloc":
            locations.update(_item_locations(data, start, end))
        elif kind == b"iprp":
            for prop, pstart, pend in iter_boxes(data, start, end):
                if prop == b"ipco":
                    for box, bstart, _ in iter_boxes(data, pstart, pend):
                        if box == b"ispe" and not width:
                            width, height = struct.unpack(">II", data[bstart + 4 : bstart + 12])
    tiff: list[bytes] = []
    xmp: bytes | None = None
    for item_id, item_type in items.items():
        payload = b"".join(data[o : o + n] for o, n in locations.get(item_id, []))
        if item_type == "Exif" and len(payload) >= 4 and not tiff:
            (skip,) = struct.unpack(">I", payload[:4])
            body = payload[4 + skip :]
            tiff.append(body[6:] if body.startswith(b"Exif\x00\x00") else body)
        elif item_type == "xmp" and xmp is None:
            xmp = payload
    return Blocks(tuple(tiff), xmp, width, height)


def _item_types(data: bytes, start: int, end: int) -> dict[int, str]:
    """item id -> "Exif", "xmp" (a ``mime`` item of type application/rdf+xml) or its type."""
    version = data[start]
    pos = start + 4 + (2 if version == 0 else 4)
    found: dict[int, str] = {}
    for kind, istart, iend in iter_boxes(data, pos, end):
        if kind != b"infe" or iend - istart < 8:
            continue
        infe_version = data[istart]
        if infe_version < 2:
            continue
        id_size = 2 if infe_version == 2 else 4
        item_id = _uint(data, istart + 4, id_size)
        type_at = istart + 4 + id_size + 2
        item_type = data[type_at : type_at + 4].decode("latin-1")
        if item_type == "mime":
            rest = data[type_at + 4 : iend].split(b"\x00")
            content_type = rest[1] if len(rest) > 1 else b""
            item_type = "xmp" if content_type.startswith(b"application/rdf+xml") else "mime"
        found[item_id] = item_type
    return found


def _item_locations(data: bytes, start: int, end: int) -> dict[int, list[tuple[int, int]]]:
    """item id -> [(file offset, length), ...] (construction method 0, in-file, only)."""
    version = data[start]
    pos = start + 4
    offset_size, length_size = data[pos] >> 4, data[pos] & 0x0F
    base_size, index_size = data[pos + 1] >> 4, (data[pos + 1] & 0x0F if version in (1, 2) else 0)
    pos += 2
    count_size = 2 if version < 2 else 4
    count = _uint(data, pos, count_size)
    pos += count_size
    found: dict[int, list[tuple[int, int]]] = {}
    for _ in range(min(count, 65535)):
        if pos + 16 > end:
            break
        item_id = _uint(data, pos, count_size)
        pos += count_size
        method = 0
        if version in (1, 2):
            method = _uint(data, pos, 2) & 0x0F
            pos += 2
        pos += 2  # data_reference_index
        base = _uint(data, pos, base_size)
        pos += base_size
        extents = _uint(data, pos, 2)
        pos += 2
        spans: list[tuple[int, int]] = []
        for _ in range(extents):
            pos += index_size
            offset = _uint(data, pos, offset_size)
            pos += offset_size
            length = _uint(data, pos, length_size)
            pos += length_size
            spans.append((base + offset, length))
        if method == 0:
            found[item_id] = spans
    return found


def _load(block: bytes, notes: list[str]) -> Image.Exif:
    exif = Image.Exif()
    try:
        exif.load(block)
    except _EXIF_ERRORS as exc:
        notes.append(f"EXIF block unreadable: {exc}")
        return Image.Exif()
    return exif


def _fields(blocks: Sequence[bytes], cr3: bool, notes: list[str]) -> tuple[ExifFields, Image.Exif]:
    if cr3:
        # CR3: CMT1 holds IFD0, CMT2 the Exif IFD, CMT4 the GPS IFD, each as its own TIFF.
        parts = [_load(b, notes) for b in blocks[:4]]
        parts += [Image.Exif()] * (4 - len(parts))
        fields = read_exif_ifds(dict(parts[0]), dict(parts[1]), dict(parts[3]), notes)
        merged = parts[0]
        return fields, merged
    exif = _load(blocks[0], notes) if blocks else Image.Exif()
    fields = read_exif_fields(exif)
    notes.extend(fields.warnings)
    return fields, exif


def metadata_from_blocks(
    blocks: Blocks,
    *,
    fmt: str,
    mime: str,
    cr3: bool = False,
    width: int = 0,
    height: int = 0,
    warnings: Sequence[str] = (),
) -> ImageMetadata:
    """``ImageMetadata`` from blocks found in the bytes (no decoder involved)."""
    notes = list(warnings)
    fields, exif = _fields(blocks.tiff, cr3, notes)
    dates: list[DateTag] = list(fields.dates)
    gps = fields.gps
    if blocks.xmp:
        result = read_xmp_dates(blocks.xmp)
        dates.extend(result.dates)
        notes.extend(result.warnings)
        if gps is None:
            gps = xmp_gps(blocks.xmp)
    width, height = width or blocks.width, height or blocks.height
    if not width and not cr3:
        width, height = _stated_size(exif)
    orientation = fields.orientation or 1
    swap = orientation in (5, 6, 7, 8)
    make = (fields.make or "").lower()
    maker_note = fields.maker_note
    makernote_offset = None
    if maker_note and blocks.tiff and make.startswith("canon"):
        makernote_offset = canon_timezone_offset(blocks.tiff[0], maker_note)
    return ImageMetadata(
        format=fmt,
        mime=mime,
        width=width,
        height=height,
        display_width=height if swap else width,
        display_height=width if swap else height,
        orientation=orientation,
        make=fields.make,
        model=fields.model,
        dates=tuple(dates),
        gps=gps,
        makernote_offset=makernote_offset,
        warnings=tuple(notes),
        content_id=apple_content_id(maker_note) if maker_note and make == "apple" else None,
    )


def _stated_size(exif: Image.Exif) -> tuple[int, int]:
    """The image size the EXIF states (PixelXDimension, else IFD0 ImageWidth), or 0 x 0."""
    try:
        sub = exif.get_ifd(EXIF_IFD) if EXIF_IFD in exif else {}
    except _EXIF_ERRORS:
        sub = {}
    for w_tag, h_tag, source in (
        (_EXIF_WIDTH, _EXIF_HEIGHT, sub),
        (_IMAGE_WIDTH, _IMAGE_HEIGHT, exif),
    ):
        w, h = source.get(w_tag), source.get(h_tag)
        if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
            return w, h
    return 0, 0
