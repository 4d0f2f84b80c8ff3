"""The floor: the least work any importer must do per file, timed per stage.

read the bytes -> SHA-256 -> ``Image.open`` -> reduced decode (JPEG ``draft`` to the DCT scale
whose size is nearest 512 px: 1/8, 504x378, for a 12 MP photo; HEIC is decoded in full, as
issue 3 section 4 defines it) -> a 256 px thumbnail encoded to memory ->
the EXIF dict. Nothing is written to disk and nothing is parsed beyond what Pillow hands back.
The pipeline is measured against this: pipeline / floor >= 0.9 means it spends at most about
10 % more than the unavoidable work.

RAW and video files (``bench.assemble``'s corpus; by their name's extension):

* a RAW: read, SHA-256, its largest embedded preview located (``media.raw.read_raw_bytes``, the
  pipeline's own TIFF / ISO-BMFF walk, about 1 ms: no library finds a preview with less work;
  LibRaw's ``extract_thumb`` costs 25-90 ms), that JPEG opened, drafted and decoded as above,
  the thumbnail, its EXIF dict;
* a video: read, SHA-256, PyAV opens the bytes (no packet probing), the first key frame decoded
  alone on one thread, scaled by FFmpeg and encoded as the thumbnail, the container's tags.
"""

from __future__ import annotations

import hashlib
import io
import math
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import av
import pillow_heif
from PIL import Image

from photoimport.media.raw import read_raw_bytes

DRAFT_SIDE = 512
THUMB_SIDE = 256
RAW_SUFFIXES = frozenset({".nef", ".arw", ".cr2", ".cr3", ".dng", ".raf", ".orf", ".rw2", ".pef"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".mkv", ".avi"})

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
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return _video(path, data, (t0, t1, t2))
    if suffix in RAW_SUFFIXES:
        contents = read_raw_bytes(data, THUMB_SIDE)
        best = contents.largest()
        block = contents.tiff_blocks[0] if contents.tiff_blocks else b""
        if best is None:
            raise ValueError(f"{path}: no embedded preview")
        preview = data[best.offset : best.offset + best.length]
        if best.encoding == "rgb":  # uncompressed 8-bit RGB (old Nikon previews)
            image = Image.frombytes("RGB", (best.width, best.height), preview)
            return _still(path, image, (t0, t1, t2), block)
        return _still(path, preview, (t0, t1, t2), block)
    return _still(path, data, (t0, t1, t2), None)


def _still(
    path: Path, source: bytes | Image.Image, t: tuple[float, float, float], raw: bytes | None
) -> FloorTimings:
    """The picture part of the floor: a photo, or a RAW's preview (``raw``: the RAW's first
    TIFF block, where its EXIF is)."""
    clock = time.perf_counter
    t0, t1, t2 = t
    with Image.open(io.BytesIO(source)) if isinstance(source, bytes) else source as im:
        fmt = "RAW" if raw is not None else im.format or "?"
        t3 = clock()
        if im.format in ("JPEG", "MPO"):
            im.draft("RGB", draft_request(im.size))
        im.load()
        t4 = clock()
        thumb = im.convert("RGB")
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=85)
        t5 = clock()
        if raw is None:
            exif = im.getexif()
        else:
            exif = Image.Exif()
            exif.load(b"Exif\x00\x00" + raw)
        tags = {**dict(exif), **dict(exif.get_ifd(0x8769)), **dict(exif.get_ifd(0x8825))}
        t6 = clock()
    return _timings(path, fmt, path.stat().st_size, (t0, t1, t2, t3, t4, t5, t6), len(tags))


def _video(path: Path, data: bytes, t: tuple[float, float, float]) -> FloorTimings:
    clock = time.perf_counter
    t0, t1, t2 = t
    options = {"probesize": "32", "analyzeduration": "0"}
    with av.open(io.BytesIO(data), mode="r", options=options) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        stream.thread_count = 1
        t3 = clock()
        frame = next(iter(container.decode(stream)))
        t4 = clock()
        scale = min(1.0, THUMB_SIDE / max(frame.width, frame.height))
        pixels = frame.reformat(
            width=max(1, round(frame.width * scale)),
            height=max(1, round(frame.height * scale)),
            format="rgb24",
        ).to_ndarray()
        small = Image.fromarray(pixels, "RGB")
        small.save(io.BytesIO(), "JPEG", quality=85)
        t5 = clock()
        tags = {**container.metadata, **stream.metadata}
        t6 = clock()
    return _timings(path, "video", len(data), (t0, t1, t2, t3, t4, t5, t6), len(tags))


def _timings(path: Path, fmt: str, size: int, clocks: tuple[float, ...], tags: int) -> FloorTimings:
    """The stages' milliseconds from the 7 clock readings around them, in stage order."""
    ms = [(b - a) * 1000 for a, b in pairwise(clocks)]
    read, sha256, opened, decode, thumbnail, exif = ms
    return FloorTimings(
        path=str(path),
        format=fmt,
        size=size,
        read=read,
        sha256=sha256,
        open=opened,
        decode=decode,
        thumbnail=thumbnail,
        exif=exif,
        exif_tags=tags,
    )
