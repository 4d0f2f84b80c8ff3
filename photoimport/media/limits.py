"""How many pixels a file may make us decode: real 200 MP photos yes, decompression bombs no.

``max_image_pixels`` (a setting) is the largest picture decoded *in full*. A bigger image is:

* refused as a decompression bomb (the file's error) when it is absurd: more than
  ``ABSURD_PIXELS``, or far more pixels than its size in bytes can honestly hold
  (``ABSURD_PIXELS_PER_BYTE``: a real photo stores a pixel in well under one byte, a bomb in
  a thousandth of one);
* otherwise decoded reduced when its decoder can (JPEG DCT scaling, a HEIC's embedded
  thumbnail): a 200 MP Samsung or Xiaomi photo costs what a 3 MP one does;
* otherwise kept with its metadata and capture time, with "no preview" and the reason.

Pillow's own process-wide check is switched off while we open and decode (``bomb_check_off``)
so the job's limit, in our words, is the one that applies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from PIL import Image

__all__ = [
    "ABSURD_PIXELS",
    "ABSURD_PIXELS_PER_BYTE",
    "bomb_check_off",
    "bomb_reason",
    "megapixels",
    "too_large_reason",
]

ABSURD_PIXELS: Final = 2_000_000_000
ABSURD_PIXELS_PER_BYTE: Final = 1000


def megapixels(pixels: int) -> str:
    mp = pixels / 1_000_000
    if mp >= 10:
        return f"{mp:.0f}"
    if mp >= 0.1:
        return f"{mp:.1f}"
    return f"{mp:.2g}"


def bomb_reason(size: tuple[int, int], file_bytes: int, limit: int) -> str | None:
    """Why an image of ``size`` in a file of ``file_bytes`` is a bomb (refused), or None."""
    width, height = size
    pixels = width * height
    if pixels <= limit:
        return None
    if pixels > ABSURD_PIXELS or pixels > ABSURD_PIXELS_PER_BYTE * max(file_bytes, 1):
        return (
            f"image too large: {megapixels(pixels)} MP exceeds the limit of "
            f"{megapixels(limit)} MP ({width}x{height} pixels)"
        )
    return None


def too_large_reason(size: tuple[int, int], decode: tuple[int, int], limit: int) -> str | None:
    """Why an image that is no bomb still cannot be decoded (no reduced decode fits), or None."""
    if decode[0] * decode[1] <= limit:
        return None
    return (
        f"no preview: {megapixels(size[0] * size[1])} MP is over the limit of "
        f"{megapixels(limit)} MP for a full decode, and this file offers no reduced decode"
    )


class _PillowBombCheckOff:
    """Switch off Pillow's global decompression-bomb check while opening and decoding.

    Pillow's check reads one process-wide limit and answers with a warning (an error under
    ``-W error``) or an exception in its own words. The pipeline applies the job's limit
    right after opening instead, with a plain-words reason, before any pixel is decoded. The
    global is swapped under a lock with a use count, so threads that overlap restore it once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = Image.MAX_IMAGE_PIXELS
                Image.MAX_IMAGE_PIXELS = None
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    Image.MAX_IMAGE_PIXELS = self._saved


bomb_check_off = _PillowBombCheckOff()
