"""A still photo Pillow opens: metadata without decoding, then one reduced decode.

Broken pixels keep their facts: when Pillow cannot open the file, or opens it and cannot
decode its pixels (a truncated JPEG, a HEIC whose decoded size differs from the signalled one,
an unsupported codec, more pixels than may be decoded), the metadata comes from the bytes
(``metadata.embedded``) or from what Pillow already parsed, the picture from the largest JPEG
embedded in the file (its EXIF thumbnail) when there is one, and the reason is kept as the
file's ``preview_error`` (a warning, not an error). Only decompression bombs are refused
(``BombRefused``).
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path
from typing import Final

from PIL import Image, UnidentifiedImageError

from photoimport.media.isobmff import truncation
from photoimport.media.limits import bomb_check_off, bomb_reason, too_large_reason
from photoimport.media.thumbnails import prepare_reduced_decode, reduce_image
from photoimport.metadata.kinds import Decoded, embedded_picture, facts_without_pixels
from photoimport.metadata.reader import metadata_from_image

__all__ = ["BombRefused", "open_still", "pixel_reason"]

_OBJECT_REPR: Final = re.compile(r"\s*<[^<>]* object at 0x[0-9a-f]+>")
# What a decoder raises for pixels it cannot decode (never a bug of ours: those propagate).
_PIXEL_ERRORS: Final = (
    OSError,
    EOFError,
    ValueError,
    SyntaxError,
    MemoryError,
    struct.error,
    UnidentifiedImageError,
)


class BombRefused(Exception):
    """A decompression bomb: the file's error, in plain words (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def pixel_reason(exc: BaseException, words: str) -> str:
    """Plain words for pixels that cannot be decoded ("truncated JPEG: ...")."""
    message = _OBJECT_REPR.sub("", str(exc)).strip() or type(exc).__name__
    if isinstance(exc, MemoryError):
        return f"not enough memory to decode this {words}"
    if message.startswith("image file is truncated") or isinstance(exc, EOFError):
        return f"truncated {words}: {message}"
    return f"cannot decode {words}: {message}"


def open_still(
    source: bytes | Path,
    head: bytes,
    file_bytes: int,
    formats: tuple[str, ...],
    words: str,
    box: int,
    limit: int,
) -> Decoded:
    """Metadata and the reduced upright picture of a still photo (see the module docstring).

    ``source`` is the whole file when it was small enough to keep in memory, else its path
    (Pillow then reads from the file). ``head`` holds at least the file's first megabytes.
    """
    fmt, mime = words, f"image/{words.lower()}"
    if isinstance(source, bytes) and words in ("HEIC", "AVIF"):
        cut = truncation(source)
        if cut is not None:
            return facts_without_pixels(
                head, fmt, mime, f"truncated {words}: {cut.describe()}", box
            )
    try:
        with bomb_check_off():
            im = Image.open(
                io.BytesIO(source) if isinstance(source, bytes) else source, formats=formats
            )
    except _PIXEL_ERRORS as exc:
        return facts_without_pixels(head, fmt, mime, pixel_reason(exc, words), box)
    with im:
        refused = bomb_reason(im.size, file_bytes, limit)
        if refused is not None:
            raise BombRefused(refused)
        meta = metadata_from_image(im)
        size = im.size
        decode_size = prepare_reduced_decode(im, box)
        reason = too_large_reason(size, decode_size, limit)
        if reason is None:
            try:
                with bomb_check_off():
                    return Decoded("photo", meta, reduce_image(im, box))
            except _PIXEL_ERRORS as exc:
                reason = pixel_reason(exc, words)
    picture = embedded_picture(head, box, meta.orientation)
    if picture is not None:
        reason += " (shown: its embedded thumbnail)"
    return Decoded("photo", meta, picture, reason)
