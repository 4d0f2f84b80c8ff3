"""Structure checks for ISO base media files (HEIC / HEIF / AVIF) that decoders do not make.

libheif decodes what it can reach: a HEIC cut short inside its ``mdat`` box still opens when the
primary image's bytes come before the cut (the corpus's ``truncated.heic`` decodes to a 16x16
picture, while its other coded item runs past the end of the file). ``truncation(data)`` walks the
top-level boxes and reports the first one that claims more bytes than the file holds.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Truncation:
    """A top-level box that runs past the end of the file."""

    box: str  # four-character type, e.g. "mdat"
    offset: int
    declared: int  # bytes the box header claims
    present: int  # bytes of it actually in the file

    def describe(self) -> str:
        name = f"'{self.box}' box" if self.box.isprintable() and self.box.strip() else "a box"
        return f"the file ends inside {name} ({self.present} of {self.declared} bytes present)"


def truncation(data: bytes) -> Truncation | None:
    """The first top-level box extending beyond ``data``, or None when every box fits."""
    offset, end = 0, len(data)
    while offset + 8 <= end:
        size, raw_type = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if offset + 16 > end:
                return Truncation(raw_type.decode("latin-1"), offset, 16, end - offset)
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:  # "extends to the end of the file": fits by definition
            return None
        box = raw_type.decode("latin-1")
        if size < header:
            return None  # malformed sizes are the decoder's to report; not a truncation
        if offset + size > end:
            return Truncation(box, offset, size, end - offset)
        offset += size
    if offset < end and any(data[offset:]):  # zero padding after the last box is harmless
        return Truncation("", offset, 8, end - offset)
    return None


def iter_boxes(data: bytes | mmap.mmap, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the boxes between ``start`` and ``end``."""
    pos = start
    end = min(end, len(data))
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size
