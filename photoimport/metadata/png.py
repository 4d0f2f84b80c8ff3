"""PNG chunks Pillow does not expose before decoding: ``tIME`` and an ``eXIf`` after ``IDAT``.

Pillow reads chunks after the image data only while decoding, and ``PngImageFile.getexif()``
decodes the whole image when no ``eXIf`` came before ``IDAT``. Walking the chunk headers and
seeking over the image data costs a few reads instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

from photoimport.metadata.values import DateTag, DateTagName

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_CHUNKS = 10_000
_MAX_METADATA_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class PngChunks:
    time: DateTag | None  # tIME, UTC by the PNG spec
    exif: bytes | None  # the first eXIf chunk, wherever it is


def read_png_chunks(fp: IO[bytes]) -> PngChunks:
    """Walk the chunks of the PNG in ``fp`` (position restored afterwards)."""
    saved = fp.tell()
    try:
        return _walk(fp)
    finally:
        fp.seek(saved)


def _walk(fp: IO[bytes]) -> PngChunks:
    fp.seek(0)
    if fp.read(8) != _SIGNATURE:
        return PngChunks(None, None)
    time: DateTag | None = None
    exif: bytes | None = None
    for _ in range(_MAX_CHUNKS):
        header = fp.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            break
        if kind in (b"tIME", b"eXIf") and length <= _MAX_METADATA_CHUNK:
            data = fp.read(length)
            if len(data) < length:
                break
            fp.seek(4, 1)  # CRC
            if kind == b"tIME" and time is None:
                time = _png_time(data)
            elif kind == b"eXIf" and exif is None:
                exif = data
        else:
            fp.seek(length + 4, 1)
    return PngChunks(time, exif)


def _png_time(data: bytes) -> DateTag | None:
    if len(data) != 7:
        return None
    year, month, day, hour, minute, second = struct.unpack(">HBBBBB", data)
    value = f"{year:04d}:{month:02d}:{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
    return DateTag(DateTagName.PNG_TIME, value, None, "+00:00")
