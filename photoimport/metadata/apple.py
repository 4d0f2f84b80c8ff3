"""Apple's maker note: the Live Photo content identifier of a still (tag 0x0011).

The maker note starts with ``Apple iOS\\0``, a 2-byte version and ``MM``; its one IFD follows at
byte 14, and its value offsets count from the start of the maker note. ExifTool calls tag 0x0011
``MediaGroupUUID`` (12.x) or ``ContentIdentifier`` (13.x); the Live Photo's MOV carries the same
value as ``com.apple.quicktime.content.identifier``.
"""

from __future__ import annotations

import struct
from typing import Final

__all__ = ["apple_content_id"]

_HEADER: Final = b"Apple iOS\x00"
_CONTENT_ID: Final = 0x0011


def apple_content_id(maker_note: bytes) -> str | None:
    """The Live Photo content identifier in an Apple maker note, or None."""
    if not maker_note.startswith(_HEADER) or len(maker_note) < 16:
        return None
    endian = ">" if maker_note[12:14] == b"MM" else "<"
    (count,) = struct.unpack(endian + "H", maker_note[14:16])
    for i in range(min(count, 512)):
        pos = 16 + 12 * i
        if pos + 12 > len(maker_note):
            return None
        tag, typ, n, value = struct.unpack(endian + "HHII", maker_note[pos : pos + 12])
        if tag != _CONTENT_ID or typ != 2:
            continue
        raw = maker_note[pos + 8 : pos + 8 + n] if n <= 4 else maker_note[value : value + n]
        text = raw.split(b"\x00", 1)[0].decode("ascii", errors="replace").strip()
        return text or None
    return None
