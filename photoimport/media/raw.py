"""Camera RAW files: the metadata blocks they carry and their largest embedded JPEG preview.

A RAW file is never demosaiced: its thumbnail and perceptual hash come from the biggest JPEG
preview the camera embedded, turned upright with the RAW's own EXIF orientation.

We read the container structure ourselves instead of calling LibRaw (rawpy) because it is
faster and finds more: measured on the corpus-extra RAWs (see docs/capture-time.md and the
report of issue 11), ``rawpy.imread(...).extract_thumb()`` costs 25-90 ms a file, refuses the
truncated CR2 and RAF headers outright, misses the CR3 ``PRVW`` preview and returns the 160 px
thumbnail of a PEF instead of its maker-note preview; this walk costs about 1 ms a file from a
memory map (only the pages it touches are read). So rawpy (LibRaw) is not a dependency.

Where previews are found, by container:

* TIFF family (DNG, CR2, NEF, ARW, PEF, ORF, RW2, SRW, ...): every IFD reachable from IFD0
  (the IFD chain and SubIFDs): ``JPEGInterchangeFormat``/``Length``, and one-strip JPEG images
  (Compression 6/7); RW2's ``JpgFromRaw`` (0x002E) that holds a whole JPEG.
* CR3 (ISO base media): the ``PRVW`` and ``THMB`` boxes inside Canon's ``uuid`` boxes; the
  ``CMT1``..``CMT4`` boxes are the TIFF blocks that hold IFD0, the Exif IFD and the GPS IFD.
* RAF: the JPEG whose offset and length the RAF header gives (its APP1 holds the EXIF).
* Anything else, and makers that hide the big preview in their maker note (Pentax, Nikon,
  Olympus): a scan for JPEG start markers whose segments parse as a baseline or progressive
  8-bit JPEG. The scan only runs when the structured walk found nothing big enough.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from photoimport.media.isobmff import iter_boxes
from photoimport.media.jpegs import EmbeddedJpeg, app1_exif, jpeg_at, scan_jpegs

__all__ = ["EmbeddedJpeg", "RawContents", "read_raw", "read_raw_bytes"]

_MAX_IFDS: Final = 64
_CANON_UUID: Final = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_CANON_PRVW_UUID: Final = bytes.fromhex("eaf42b5e1c984b88b9fbb7dc406e4d16")
# TIFF tags
_SUBFILE_TYPE, _COMPRESSION, _STRIP_OFFSETS, _STRIP_BYTES = 0x00FE, 0x0103, 0x0111, 0x0117
_JPEG_OFFSET, _JPEG_LENGTH, _SUB_IFDS, _EXIF_IFD = 0x0201, 0x0202, 0x014A, 0x8769
_RW2_JPG_FROM_RAW: Final = 0x002E
_WIDTH, _HEIGHT, _BITS, _PHOTOMETRIC = 0x0100, 0x0101, 0x0102, 0x0106
_TYPE_SIZES: Final = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
}


@dataclass(frozen=True)
class RawContents:
    """What a RAW file holds that photoimport reads, found without decoding any pixel."""

    container: str  # "TIFF", "CR3", "RAF", "other"
    tiff_blocks: tuple[bytes, ...]  # TIFF-structured metadata blocks, IFD0 first (CR3: CMT1..4)
    previews: tuple[EmbeddedJpeg, ...] = field(default=())
    warnings: tuple[str, ...] = ()
    width: int = 0  # the largest image the IFDs describe (the sensor data), 0 when unknown
    height: int = 0
    maker_date: str | None = None  # a capture date outside EXIF (CRW TimeStamp), EXIF layout

    def largest(self) -> EmbeddedJpeg | None:
        """The biggest preview (a JPEG before uncompressed RGB of the same size)."""
        return max(
            self.previews, key=lambda p: (p.pixels, p.encoding == "jpeg", p.length), default=None
        )


def read_raw(path: Path, min_side: int = 320) -> tuple[RawContents, bytes | None]:
    """The metadata blocks and previews of a RAW file, and the bytes of its largest preview.

    The file is memory-mapped read-only: only the pages the walk touches are read, however big
    the file. ``min_side``: the structured walk's best preview must reach this on its long side,
    else the file is also scanned for JPEG markers (maker-note previews).
    """
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        if size == 0:
            return RawContents("other", (), (), ("the file is empty",)), None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            contents = read_raw_bytes(view, min_side)
            best = contents.largest()
            data = bytes(view[best.offset : best.offset + best.length]) if best else None
    return contents, data


def read_raw_bytes(data: bytes | mmap.mmap, min_side: int = 320) -> RawContents:
    """``read_raw`` on bytes (or a memory map) already at hand. Pure; never raises on damage."""
    head = bytes(data[:16])
    if head[4:8] == b"ftyp":
        contents = _read_cr3(data)
    elif head.startswith(b"FUJIFILMCCD-RAW"):
        contents = _read_raf(data)
    elif head[6:14] == b"HEAPCCDR":
        contents = _read_ciff(data)  # Canon CRW: no TIFF block; the scan finds the JPEG
    elif head[:2] in (b"II", b"MM"):
        contents = _read_tiff(data)
    else:
        contents = RawContents("other", ())
    best = contents.largest()
    if best is None or max(best.width, best.height) < min_side:
        known = {p.offset for p in contents.previews}
        found = tuple(p for p in scan_jpegs(data) if p.offset not in known)
        contents = replace(contents, previews=contents.previews + found)
    return contents


# --- TIFF family -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    tag: int
    typ: int
    count: int
    value_at: int  # where the value bytes are (inline or at the offset)


def _ifd_entries(data: bytes | mmap.mmap, at: int, endian: str) -> tuple[list[_Entry], int]:
    """The entries of the IFD at ``at`` and the offset of the next IFD (0: none)."""
    if at <= 0 or at + 2 > len(data):
        return [], 0
    (count,) = struct.unpack(endian + "H", data[at : at + 2])
    entries: list[_Entry] = []
    for i in range(min(count, 1024)):
        pos = at + 2 + 12 * i
        if pos + 12 > len(data):
            return entries, 0
        tag, typ, n = struct.unpack(endian + "HHI", data[pos : pos + 8])
        size = _TYPE_SIZES.get(typ, 1) * n
        if size <= 4:
            value_at = pos + 8
        else:
            (value_at,) = struct.unpack(endian + "I", data[pos + 8 : pos + 12])
        entries.append(_Entry(tag, typ, n, value_at))
    next_at = at + 2 + 12 * count
    following = 0
    if next_at + 4 <= len(data):
        (following,) = struct.unpack(endian + "I", data[next_at : next_at + 4])
    return entries, following


def _ints(data: bytes | mmap.mmap, entry: _Entry, endian: str) -> list[int]:
    if entry.typ not in (3, 4, 13) or entry.count > 4096:
        return []
    fmt = "H" if entry.typ == 3 else "I"
    width = 2 if entry.typ == 3 else 4
    end = entry.value_at + width * entry.count
    if end > len(data):
        return []
    return list(struct.unpack(f"{endian}{entry.count}{fmt}", data[entry.value_at : end]))


def _walk_ifds(
    data: bytes | mmap.mmap, first: int, endian: str
) -> Iterator[tuple[str, list[_Entry]]]:
    """IFD0, its chain and every SubIFD, each once (loops and damage end the walk)."""
    todo: list[tuple[str, int]] = [("IFD0", first)]
    seen: set[int] = set()
    chain = 0
    while todo and len(seen) < _MAX_IFDS:
        name, at = todo.pop(0)
        if at in seen or at <= 0:
            continue
        seen.add(at)
        entries, following = _ifd_entries(data, at, endian)
        yield name, entries
        for entry in entries:
            if entry.tag == _SUB_IFDS:
                todo.extend((f"{name} SubIFD", sub) for sub in _ints(data, entry, endian))
        if following and name.startswith("IFD") and " " not in name:
            chain += 1
            todo.append((f"IFD{chain}", following))


def _read_tiff(data: bytes | mmap.mmap) -> RawContents:
    endian = "<" if data[:2] == b"II" else ">"
    if len(data) < 8:
        return RawContents("TIFF", (), (), ("the file ends inside its TIFF header",))
    (first,) = struct.unpack(endian + "I", data[4:8])
    previews: list[EmbeddedJpeg] = []
    size = (0, 0)
    for name, entries in _walk_ifds(data, first, endian):
        by_tag = {e.tag: e for e in entries}
        width, height = by_tag.get(_WIDTH), by_tag.get(_HEIGHT)
        if width and height:
            w, h = (_ints(data, width, endian) or [0])[0], (_ints(data, height, endian) or [0])[0]
            size = max(size, (w, h), key=lambda s: s[0] * s[1])
        offset, length = by_tag.get(_JPEG_OFFSET), by_tag.get(_JPEG_LENGTH)
        if offset and length:
            starts, sizes = _ints(data, offset, endian), _ints(data, length, endian)
            if starts and sizes:
                _add(previews, jpeg_at(data, starts[0], sizes[0], f"{name} JPEGInterchangeFormat"))
        strips, counts = by_tag.get(_STRIP_OFFSETS), by_tag.get(_STRIP_BYTES)
        compression = _ints(data, by_tag[_COMPRESSION], endian) if _COMPRESSION in by_tag else []
        if strips and counts and compression and compression[0] in (6, 7, 34892):
            starts, sizes = _ints(data, strips, endian), _ints(data, counts, endian)
            if len(starts) == 1 and sizes:
                _add(previews, jpeg_at(data, starts[0], sizes[0], f"{name} JPEG strip"))
        if strips and counts and compression == [1] and width and height:
            _add(previews, _rgb_strip(data, by_tag, endian, f"{name} RGB strip"))
        jpg_from_raw = by_tag.get(_RW2_JPG_FROM_RAW)
        if jpg_from_raw is not None and jpg_from_raw.typ == 7:
            _add(previews, jpeg_at(data, jpg_from_raw.value_at, jpg_from_raw.count, "JpgFromRaw"))
    return RawContents("TIFF", (_as_tiff(data),), tuple(previews), (), size[0], size[1])


def _rgb_strip(
    data: bytes | mmap.mmap, by_tag: dict[int, _Entry], endian: str, where: str
) -> EmbeddedJpeg | None:
    """An uncompressed 8-bit RGB image in one strip (the Nikon D1's only thumbnail)."""
    photometric = by_tag.get(_PHOTOMETRIC)
    bits = by_tag.get(_BITS)
    if photometric is None or bits is None or _ints(data, photometric, endian) != [2]:
        return None
    if _ints(data, bits, endian) != [8, 8, 8]:
        return None
    width = _ints(data, by_tag[_WIDTH], endian)[0]
    height = _ints(data, by_tag[_HEIGHT], endian)[0]
    starts = _ints(data, by_tag[_STRIP_OFFSETS], endian)
    sizes = _ints(data, by_tag[_STRIP_BYTES], endian)
    if len(starts) != 1 or sizes[0] != width * height * 3 or width * height > 1_000_000:
        return None
    if starts[0] + sizes[0] > len(data):
        return None
    return EmbeddedJpeg(starts[0], sizes[0], width, height, where, "rgb")


def _add(previews: list[EmbeddedJpeg], jpeg: EmbeddedJpeg | None) -> None:
    if jpeg is not None and all(p.offset != jpeg.offset for p in previews):
        previews.append(jpeg)


# Metadata lives near the start of a TIFF-structured RAW; the pixel data follows. Pillow's
# EXIF reader needs the bytes the offsets point into, so we hand it the head of the file.
_TIFF_HEAD: Final = 4 * 1024 * 1024


def _as_tiff(data: bytes | mmap.mmap) -> bytes:
    """The head of the file as a standard TIFF block (ORF/RW2 magic numbers made standard)."""
    head = bytes(data[:_TIFF_HEAD])
    if head[:2] == b"II" and head[2:4] != b"*\x00":
        head = b"II*\x00" + head[4:]
    elif head[:2] == b"MM" and head[2:4] != b"\x00*":
        head = b"MM\x00*" + head[4:]
    return head


# --- CR3 (ISO base media) ----------------------------------------------------------------


def _read_cr3(data: bytes | mmap.mmap) -> RawContents:
    blocks: list[bytes] = []
    previews: list[EmbeddedJpeg] = []
    for kind, start, end in iter_boxes(data, 0, len(data)):
        if kind == b"moov":
            for inner, istart, iend in iter_boxes(data, start, end):
                if inner == b"uuid" and bytes(data[istart : istart + 16]) == _CANON_UUID:
                    for meta, mstart, mend in iter_boxes(data, istart + 16, iend):
                        if meta in (b"CMT1", b"CMT2", b"CMT3", b"CMT4"):
                            blocks.append(bytes(data[mstart:mend]))
                        elif meta == b"THMB":
                            _add(
                                previews, jpeg_at(data, mstart + 16, mend - mstart - 16, "CR3 THMB")
                            )
        elif kind == b"uuid" and bytes(data[start : start + 16]) == _CANON_PRVW_UUID:
            for inner, istart, iend in iter_boxes(data, start + 24, end):
                if inner == b"PRVW":
                    _add(previews, jpeg_at(data, istart + 16, iend - istart - 16, "CR3 PRVW"))
    return RawContents("CR3", tuple(blocks), tuple(previews))


# --- RAF ---------------------------------------------------------------------------------


def _read_raf(data: bytes | mmap.mmap) -> RawContents:
    """Fujifilm RAF: a header, then a whole JPEG (preview + EXIF), then the raw data."""
    if len(data) < 92:
        return RawContents("RAF", (), (), ("the file ends inside its RAF header",))
    offset, length = struct.unpack(">II", data[84:92])
    blocks = tuple(b for b in (app1_exif(data, offset),) if b is not None)
    preview = jpeg_at(data, offset, length, "RAF JPEG")
    return RawContents("RAF", blocks, (preview,) if preview else ())


# --- CIFF (Canon CRW) --------------------------------------------------------------------
_CIFF_TIMESTAMP: Final = 0x180E  # seconds (camera wall clock counted as UTC), zone, zone info
_CIFF_SUBDIRECTORY: Final = (0x2800, 0x3000)


def _read_ciff(data: bytes | mmap.mmap) -> RawContents:
    """Canon CRW: the capture date from the CIFF heaps (the JPEG is found by the scan)."""
    (header,) = struct.unpack("<I", data[2:6])
    stamp = _ciff_timestamp(data, header, len(data), depth=0)
    date = None
    if stamp:
        when = datetime.fromtimestamp(stamp, tz=UTC)  # the wall clock, not an instant
        date = when.strftime("%Y:%m:%d %H:%M:%S")
    return RawContents("CIFF", (), maker_date=date)


def _ciff_timestamp(data: bytes | mmap.mmap, start: int, end: int, depth: int) -> int | None:
    if depth > 4 or end - start < 6 or end > len(data):
        return None
    (table,) = struct.unpack("<I", data[end - 4 : end])
    at = start + table
    if at + 2 > end:
        return None
    (count,) = struct.unpack("<H", data[at : at + 2])
    for i in range(min(count, 512)):
        pos = at + 2 + 10 * i
        if pos + 10 > end:
            return None
        tag, size, offset = struct.unpack("<HII", data[pos : pos + 10])
        if tag & 0x3FFF == _CIFF_TIMESTAMP and tag & 0xC000 == 0x4000:
            return int(struct.unpack("<I", data[pos + 2 : pos + 6])[0])
        if tag & 0x3FFF == _CIFF_TIMESTAMP and size >= 4:
            return int(struct.unpack("<I", data[start + offset : start + offset + 4])[0])
        if tag & 0x3800 in _CIFF_SUBDIRECTORY and tag & 0xC000 == 0:
            found = _ciff_timestamp(data, start + offset, start + offset + size, depth + 1)
            if found:
                return found
    return None
