"""process_file(path, settings) -> FileResult: one file, no database; the one broad catch.

The stages, each timed into ``StageTimings`` and each named in the ``FileError`` when it fails:

1. read: the file is opened read-only and read once into memory (size and mtime from the same
   open file), SHA-256 of those bytes.
2. detect: the type from the content (``formats.detect_format``), never from the name;
   unsupported formats and non-images stop here with the detector's plain-words reason.
3. decode (open): HEIC/AVIF boxes that run past the end of the file are refused as truncated
   (libheif would decode what it reaches); Pillow opens the bytes (only the detected format's
   plugin may claim them); the pixel count is checked against ``max_image_pixels``
   (decompression bombs) before any pixel is decoded.
   metadata: ``metadata.metadata_from_image`` reads tags without decoding pixels.
4. decode: one reduced decode (``thumbnails.reduce_image``), upright, RGB.
5. hash: the perceptual hash of that reduced image.
6. timestamp: ``timestamps.capture_time`` from the metadata, the name and (when allowed) mtime.
7. thumbnail: ``thumbs/<sha[:2]>/<sha>.jpg`` written atomically (or reused), last, so a file
   that fails leaves no thumbnail behind.

Originals are never written: the only open of the source is ``open(path, "rb")``.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Final

import pillow_heif
from PIL import AvifImagePlugin, Image, UnidentifiedImageError

from photoimport.capture.capture_time import CaptureTime, capture_time
from photoimport.errors import FileError, Stage
from photoimport.media.formats import (
    HEAD_BYTES,
    DetectedFormat,
    FormatKind,
    detect_format,
    register_heif,
)
from photoimport.media.hashing import perceptual_hash, sha256_bytes
from photoimport.media.isobmff import truncation
from photoimport.media.thumbnails import reduce_image, write_thumbnail
from photoimport.metadata.reader import ImageMetadata, metadata_from_image
from photoimport.settings import ImportSettings

register_heif()

# Pillow format names each detected kind may be opened as (detection is authoritative).
_PILLOW_FORMATS: Final[dict[FormatKind, tuple[str, ...]]] = {
    FormatKind.JPEG: ("JPEG", "MPO"),
    FormatKind.HEIC: ("HEIF",),
    FormatKind.AVIF: ("AVIF",),
    FormatKind.PNG: ("PNG",),
    FormatKind.WEBP: ("WEBP",),
    FormatKind.TIFF: ("TIFF",),
    FormatKind.GIF: ("GIF",),
}
# How errors name the format ("truncated JPEG", "cannot decode HEIC").
_FORMAT_WORDS: Final[dict[FormatKind, str]] = {
    FormatKind.JPEG: "JPEG",
    FormatKind.HEIC: "HEIC",
    FormatKind.AVIF: "AVIF",
    FormatKind.PNG: "PNG",
    FormatKind.WEBP: "WebP",
    FormatKind.TIFF: "TIFF",
    FormatKind.GIF: "GIF",
}
_OBJECT_REPR = re.compile(r"\s*<[^<>]* object at 0x[0-9a-f]+>")


@dataclass(frozen=True)
class PipelineSettings:
    thumbs_dir: Path
    thumbnail_size: int = 320
    timezone: str = "UTC"
    use_mtime: bool = True
    max_image_pixels: int = 89_478_485

    @classmethod
    def for_job(cls, thumbs_dir: Path, imports: ImportSettings) -> PipelineSettings:
        """The pipeline's settings for a job that runs with ``imports``."""
        return cls(
            thumbs_dir=thumbs_dir,
            thumbnail_size=imports.thumbnail_size,
            timezone=imports.timezone,
            use_mtime=imports.use_mtime,
            max_image_pixels=imports.max_image_pixels,
        )


@dataclass(frozen=True)
class StageTimings:
    """Milliseconds spent in each stage (for the benchmark)."""

    read_hash: float = 0.0
    open_metadata: float = 0.0
    decode: float = 0.0
    timestamps: float = 0.0
    phash: float = 0.0
    thumbnail_write: float = 0.0


@dataclass(frozen=True)
class FileResult:
    path: Path
    size: int
    mtime: datetime | None  # aware
    sha256: str | None
    metadata: ImageMetadata | None = None
    capture: CaptureTime | None = None
    phash: str | None = None  # 16 hex digits; None for nearly flat images or on error
    thumbnail: Path | None = None  # absolute path of the written thumbnail
    error: FileError | None = None
    timings: StageTimings = field(default_factory=StageTimings)
    file_type: str | None = None  # detected from the content: "JPEG", "HEIF", "text file", ...
    already_known: bool = False  # ``is_known(sha256)`` said the library holds it: not processed

    @property
    def ok(self) -> bool:
        return self.error is None


class _RefusedError(Exception):
    """A file the pipeline refuses on purpose, with its stage and plain-words reason."""

    def __init__(self, stage: Stage, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


@dataclass
class _Run:
    """What is known about a file so far (mutable while ``process_file`` runs)."""

    path: Path
    stage: Stage = Stage.READ
    size: int = 0
    mtime: datetime | None = None
    sha256: str | None = None
    detected: DetectedFormat | None = None
    metadata: ImageMetadata | None = None
    capture: CaptureTime | None = None
    phash: str | None = None
    thumbnail: Path | None = None
    ms: dict[str, float] = field(default_factory=dict)
    already_known: bool = False

    def result(self, error: FileError | None = None) -> FileResult:
        return FileResult(
            path=self.path,
            size=self.size,
            mtime=self.mtime,
            sha256=self.sha256,
            metadata=self.metadata,
            capture=self.capture,
            phash=self.phash,
            thumbnail=self.thumbnail,
            error=error,
            timings=StageTimings(**self.ms),
            file_type=self.detected.name if self.detected else None,
            already_known=self.already_known,
        )


def configure_for_pool() -> None:
    """Decode with one thread per process: a worker pool already has one process per core."""
    pillow_heif.options.DECODE_THREADS = 1
    AvifImagePlugin.DEFAULT_MAX_THREADS = 1


def process_file(
    path: Path, settings: PipelineSettings, is_known: Callable[[str], bool] | None = None
) -> FileResult:
    """Process one file. Never raises for a bad file: its ``FileResult.error`` says why.

    ``is_known(sha256)``, when given, is asked right after the file is read and hashed: when it
    says the library already holds that content, processing stops there (``already_known``), so
    a known file costs one read and one hash, and is never read twice.
    """
    run = _Run(path=path)
    try:
        _process(run, settings, is_known)
    except _RefusedError as refused:
        return run.result(FileError(path, refused.stage, refused.reason))
    # The one boundary: whatever fails on one file (a decoder, a plugin, a tag parser bug) must
    # become that file's FileError and never abort the job.
    except Exception as exc:  # noqa: BLE001 - per-file boundary, see above
        return run.result(FileError(path, run.stage, _reason(exc, run)))
    return run.result()


def _process(run: _Run, settings: PipelineSettings, is_known: Callable[[str], bool] | None) -> None:
    started = perf_counter()
    data = _read_once(run)
    run.sha256 = sha256_bytes(data)
    now = perf_counter()
    run.ms["read_hash"], started = (now - started) * 1000, now
    if is_known is not None and is_known(run.sha256):
        run.already_known = True
        return

    run.stage = Stage.DETECT
    run.detected = detect_format(data[:HEAD_BYTES], run.path.name)
    if not run.detected.supported:
        raise _RefusedError(
            Stage.DETECT, run.detected.reason or f"unsupported: {run.detected.name}"
        )
    words = _FORMAT_WORDS[run.detected.kind]

    run.stage = Stage.DECODE  # opening reads the image header: a decoder's job
    if run.detected.kind in (FormatKind.HEIC, FormatKind.AVIF):
        cut = truncation(data)
        if cut is not None:
            raise _RefusedError(Stage.DECODE, f"truncated {words}: {cut.describe()}")
    with _own_bomb_check():
        im = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[run.detected.kind])
    with im:
        _refuse_bombs(im, settings.max_image_pixels)
        run.stage = Stage.METADATA
        run.metadata = metadata_from_image(im)
        now = perf_counter()
        run.ms["open_metadata"], started = (now - started) * 1000, now

        run.stage = Stage.DECODE
        with _own_bomb_check():
            reduced = reduce_image(im, settings.thumbnail_size)
    now = perf_counter()
    run.ms["decode"], started = (now - started) * 1000, now

    run.stage = Stage.HASH
    run.phash = perceptual_hash(reduced)
    now = perf_counter()
    run.ms["phash"], started = (now - started) * 1000, now

    run.stage = Stage.TIMESTAMP
    mtime = run.mtime if settings.use_mtime else None
    run.capture = capture_time(run.metadata, run.path, mtime, settings.timezone)
    now = perf_counter()
    run.ms["timestamps"], started = (now - started) * 1000, now

    # last, so a file that fails at any stage leaves no thumbnail behind
    run.stage = Stage.THUMBNAIL
    run.thumbnail = write_thumbnail(reduced, settings.thumbs_dir.absolute(), run.sha256)
    run.ms["thumbnail_write"] = (perf_counter() - started) * 1000


def _read_once(run: _Run) -> bytes:
    """The whole file, read-only; size and mtime from the same open file."""
    try:
        with run.path.open("rb") as fh:
            stat = os.fstat(fh.fileno())
            run.size = stat.st_size
            run.mtime = datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC)
            return fh.read()
    except IsADirectoryError as exc:
        raise _RefusedError(Stage.READ, "cannot read file: it is a folder") from exc
    except OSError as exc:
        raise _RefusedError(Stage.READ, f"cannot read file: {exc.strerror or exc}") from exc


class _PillowBombCheckOff:
    """Switch off Pillow's global decompression-bomb check while opening and decoding.

    Pillow's check reads one process-wide limit and answers with a warning (an error under
    ``-W error``) or an exception in its own words. ``_refuse_bombs`` applies the job's limit
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


_own_bomb_check = _PillowBombCheckOff()


def _refuse_bombs(im: Image.Image, limit: int) -> None:
    width, height = im.size
    pixels = width * height
    if pixels > limit:
        raise _RefusedError(
            Stage.DECODE,
            f"image too large: {_megapixels(pixels)} MP exceeds the limit of "
            f"{_megapixels(limit)} MP ({width}x{height} pixels)",
        )


def _megapixels(pixels: int) -> str:
    mp = pixels / 1_000_000
    if mp >= 10:
        return f"{mp:.0f}"
    if mp >= 0.1:
        return f"{mp:.1f}"
    return f"{mp:.2g}"


def _reason(exc: BaseException, run: _Run) -> str:
    """Plain words for an unexpected failure at ``run.stage``."""
    message = _OBJECT_REPR.sub("", str(exc)).strip() or type(exc).__name__
    words = _FORMAT_WORDS.get(run.detected.kind, "image") if run.detected else "file"
    if isinstance(exc, Image.DecompressionBombError):
        return f"image too large: {message}"
    if isinstance(exc, MemoryError):
        return f"not enough memory to decode this {words}"
    if message.startswith("image file is truncated") or isinstance(exc, EOFError):
        return f"truncated {words}: {message}"
    if isinstance(exc, UnidentifiedImageError):
        return f"cannot decode {words}: {message}"
    prefix = {
        Stage.READ: "cannot read file",
        Stage.DETECT: "cannot tell the file type",
        Stage.METADATA: f"cannot read this {words}",
        Stage.DECODE: f"cannot decode {words}",
        Stage.HASH: "cannot compute the perceptual hash",
        Stage.THUMBNAIL: "cannot write the thumbnail",
        Stage.TIMESTAMP: "cannot work out the capture time",
    }[run.stage]
    return f"{prefix}: {message}"
