"""One reduced decode per file, turned upright; the thumbnail written atomically by content.

``reduce_image(im, box)`` is the only decode of a file's pixels in the pipeline. Its result feeds
both the perceptual hash and the thumbnail:

* JPEG / MPO: ``draft()`` to the fitted size makes libjpeg decode the DCT at 1/2, 1/4 or 1/8 scale.
* HEIC / HEIF: ``draft()`` with the fitted size computed from ``im.size`` lets pillow-heif pick an
  embedded thumbnail that is large enough (in the same orientation), skipping the full decode.
* every other format decodes in full, then ``thumbnail()`` shrinks it.
* EXIF orientation (Pillow's ``getexif``: the EXIF tag, else XMP ``tiff:Orientation``) is
  applied *after* shrinking, to the pixels only, with the transposition ``ImageOps.exif_transpose``
  would pick: that function also rewrites the EXIF block of the result (about 1 ms a turned
  photo), which a thumbnail never carries. HEIF is never rotated again: pillow-heif already
  applied ``irot``/``imir`` and reports orientation 1. Pillow's AVIF plugin does not rotate; it
  exposes the transform as EXIF orientation, so AVIF is turned like JPEG.
* Modes: palette, alpha, 16-bit, CMYK and the rest become 8-bit RGB (transparency over white).
  Animated GIF / WebP and MPO give their first frame (the frame Pillow opens on).

``write_thumbnail`` stores ``thumbs/<sha[:2]>/<sha>.jpg``: encoded in memory, written to a temp
file in the same folder, then ``os.replace``d, so a reader or a crash never sees half a file.
An existing thumbnail is reused, not rewritten.
"""

from __future__ import annotations

import io
import math
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image

JPEG_QUALITY: Final = 85
TEMP_SUFFIX: Final = ".tmp"
WHITE: Final = (255, 255, 255)
_NO_ROTATION_FORMATS: Final = frozenset({"HEIF"})  # the decoder already applied the transform
_RESIZABLE_MODES: Final = frozenset({"RGB", "RGBA", "L", "LA", "CMYK", "YCbCr"})
_TRANSPOSE: Final = {  # EXIF orientation -> the turn that shows the photo upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def fitted_size(size: tuple[int, int], box: int) -> tuple[int, int]:
    """The size of ``size`` scaled down to fit a ``box`` x ``box`` square (never up)."""
    width, height = size
    scale = min(box / width, box / height, 1.0)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def prepare_reduced_decode(im: Image.Image, box: int) -> tuple[int, int]:
    """Ask the decoder for the smallest size that still fills ``box``; return the size it will
    decode at (JPEG: DCT scaling to 1/2..1/8; HEIF: an embedded thumbnail; others: full size)."""
    im.draft("RGB", fitted_size(im.size, box))
    return im.size


def reduce_image(im: Image.Image, box: int) -> Image.Image:
    """Decode ``im`` once, at reduced size, and return it upright in 8-bit RGB within ``box``.

    ``im`` must be freshly opened (nothing loaded yet) for ``draft()`` to take effect.
    """
    prepare_reduced_decode(im, box)
    # palette, 16-bit and other modes resize badly or not at all: make them 8-bit first
    work = im if im.mode in _RESIZABLE_MODES else _to_display_mode(im, box)
    work.thumbnail((box, box))
    turn = _TRANSPOSE.get(_orientation(im)) if im.format not in _NO_ROTATION_FORMATS else None
    # a new image either way: ``im`` is closed by its opener once this returns
    return _to_rgb(work.transpose(turn) if turn is not None else work.copy())


def _orientation(im: Image.Image) -> int:
    """The opened image's EXIF orientation (1..8; 1 when missing or not a number)."""
    value = im.getexif().get(0x0112, 1)
    return value if isinstance(value, int) else 1


def _to_display_mode(im: Image.Image, box: int) -> Image.Image:
    """An 8-bit RGB or RGBA version of an image in a mode JPEG and resizing do not handle."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        # shrink first (Pillow resizes these modes natively), then scale the few pixels left:
        # converting a 100 MP 16-bit scan to float64 at full size took gigabytes
        return _scale_to_8bit(im.resize(fitted_size(im.size, box), Image.Resampling.BOX))
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode == "1":
        return im.convert("L")  # a bilevel scan: 8-bit grey, not 3x the memory in RGB
    if mode == "La":
        return im.convert("LA")
    if mode == "RGBa":
        return im.convert("RGBA")
    return im.convert("RGB")


def _scale_to_8bit(im: Image.Image) -> Image.Image:
    """Wide greyscale (16-bit, 32-bit int, float) to 8-bit L, keeping the picture's contrast."""
    pixels = np.asarray(im).astype(np.float64)
    if im.mode.startswith("I;16"):
        scaled = pixels / 257.0  # full 16-bit range to 8 bits
    else:
        low, high = float(pixels.min()), float(pixels.max())
        scaled = (pixels - low) * (255.0 / (high - low)) if high > low else pixels * 0.0
    return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8))


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA"):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def thumbnail_path(thumbs_dir: Path, sha256: str) -> Path:
    """Where the thumbnail of the content with this SHA-256 lives."""
    return thumbs_dir / sha256[:2] / f"{sha256}.jpg"


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def write_thumbnail(image: Image.Image, thumbs_dir: Path, sha256: str) -> Path:
    """Store ``image`` as the content's thumbnail (atomic; an existing one is reused as is)."""
    target = thumbnail_path(thumbs_dir, sha256)
    if target.exists():
        return target
    data = encode_jpeg(image)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(
        prefix=_temp_prefix(sha256), suffix=TEMP_SUFFIX, dir=target.parent
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        temp.chmod(0o644)  # mkstemp creates 0600; thumbnails are served to other processes
        temp.replace(target)  # atomic on one filesystem: readers see no file or the whole file
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def make_thumbnail(source: Path, thumbs_dir: Path, sha256: str, box: int) -> Path:
    """Open ``source`` read-only, reduce it and store its thumbnail (for callers outside the
    pipeline; ``process_file`` shares its one decode with the perceptual hash instead)."""
    with Image.open(source) as im:
        return write_thumbnail(reduce_image(im, box), thumbs_dir, sha256)


def _temp_prefix(sha256: str) -> str:
    """``.<sha256>.<pid>@<host>@``: the writer is in the name, so a sweep on the same host can
    tell a dead writer's leftover from a live write without waiting for it to age."""
    return f".{sha256}.{os.getpid()}@{socket.gethostname()}@"


def _writer_is_gone(temp: Path, host: str) -> bool:
    """The temp's writer ran on this host and is no longer alive (a recycled pid: kept)."""
    parts = temp.name.split("@")
    if len(parts) != 3 or parts[1] != host:
        return False
    pid = parts[0].rsplit(".", 1)[-1]
    return pid.isdigit() and not Path(f"/proc/{pid}").exists()


def remove_temp_files(thumbs_dir: Path, older_than_seconds: float = 0.0) -> list[Path]:
    """Delete temp files a killed process left while writing thumbnails; return what was removed.

    A live writer renames its temp file within milliseconds, so with several processes writing
    pass ``older_than_seconds`` (e.g. 60) to leave their in-flight files alone; a younger temp
    whose writer (named in it) ran on this host and has exited is removed too.
    """
    removed: list[Path] = []
    if not thumbs_dir.is_dir():
        return removed
    cutoff = time.time() - older_than_seconds
    host = socket.gethostname()
    for temp in thumbs_dir.glob(f"*/.*{TEMP_SUFFIX}"):
        try:
            young = older_than_seconds and temp.stat().st_mtime >= cutoff
            if young and not _writer_is_gone(temp, host):
                continue
            temp.unlink()
        except FileNotFoundError:
            continue  # its writer renamed it just now
        removed.append(temp)
    return removed
