"""The floor: the least work any importer must do per file, timed per stage.

read the bytes -> SHA-256 -> ``Image.open`` -> reduced decode (JPEG ``draft`` to the DCT scale
whose size is nearest 512 px: 1/8, 504x378, for a 12 MP photo; HEIC is decoded in full, as
issue 3 section 4 defines it) -> a 256 px thumbnail encoded to memory ->
the EXIF dict. Nothing is written to disk and nothing is parsed beyond what Pillow hands back.
The pipeline is measured against this: pipeline / floor >= 0.9 means it spends at most about
10 % more than the unavoidable work.
"""

from __future__ import annotations

import hashlib
import io
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image

DRAFT_SIDE = 512
THUMB_SIDE = 256

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class FloorTimings:
    """Milliseconds per stage of the floor for one file."""

    path: str
    format: str
    size: int
    read: float
    sha256: float
    open: float
    decode: float
    thumbnail: float
    exif: float
    exif_tags: int

    @property
    def total(self) -> float:
        return self.read + self.sha256 + self.open + self.decode + self.thumbnail + self.exif


def draft_request(size: tuple[int, int]) -> tuple[int, int]:
    """The size to ask ``draft`` for so libjpeg decodes at the DCT scale (1, 1/2, 1/4, 1/8)
    whose longest side is nearest ``DRAFT_SIDE`` (``draft`` picks the smallest scale that is
    still at least the requested size, so asking for 512 itself would give 1/4: 1008 px)."""
    longest = max(size)
    scale = min((1, 2, 4, 8), key=lambda s: abs(longest / s - DRAFT_SIDE))
    return math.ceil(size[0] / scale), math.ceil(size[1] / scale)


def floor_file(path: Path) -> FloorTimings:
    """Do the floor's work on one file and time each stage."""
    clock = time.perf_counter
    t0 = clock()
    data = path.read_bytes()
    t1 = clock()
    hashlib.sha256(data).hexdigest()
    t2 = clock()
    with Image.open(io.BytesIO(data)) as im:
        fmt = im.format or "?"
        t3 = clock()
        if fmt in ("JPEG", "MPO"):
            im.draft("RGB", draft_request(im.size))
        im.load()
        t4 = clock()
        thumb = im.convert("RGB")
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=85)
        t5 = clock()
        exif = im.getexif()
        tags = {**dict(exif), **dict(exif.get_ifd(0x8769)), **dict(exif.get_ifd(0x8825))}
        t6 = clock()
    return FloorTimings(
        path=str(path),
        format=fmt,
        size=len(data),
        read=(t1 - t0) * 1000,
        sha256=(t2 - t1) * 1000,
        open=(t3 - t2) * 1000,
        decode=(t4 - t3) * 1000,
        thumbnail=(t5 - t4) * 1000,
        exif=(t6 - t5) * 1000,
        exif_tags=len(tags),
    )
