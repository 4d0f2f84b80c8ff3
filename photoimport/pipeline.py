"""process_file(path, settings) -> FileResult: one file, no database; the one broad catch.

The stages, each timed into ``StageTimings`` and each named in the ``FileError`` when it fails:

1. read: the file is opened read-only; up to ``IN_MEMORY_BYTES`` it is read once into memory
   (SHA-256 of those bytes, decoded from memory), a larger one is hashed while streaming and
   decoded from the file, so a 2 GB video costs little memory. Size and mtime from the same open.
2. detect: the type from the content (``formats.detect_format``), never from the name;
   unsupported formats and non-images stop here with the detector's plain-words reason.
3. decode: by kind (issue 11). A still photo: ``metadata.stills.open_still`` (Pillow opens it,
   metadata without decoding, decompression bombs refused, one reduced decode, upright); a RAW:
   ``metadata.kinds.open_raw`` (its own metadata blocks and largest embedded preview, never a
   demosaic); a video: ``metadata.kinds.open_video`` (PyAV: container facts, first key frame).
   Pixels that cannot be decoded are not an error: the file keeps its hash, metadata (read from
   the bytes) and capture time, with ``preview_error`` saying why there is no picture.
4. metadata: the XMP and Google Takeout sidecars beside the file add their dates and GPS.
5. hash: the perceptual hash of the reduced picture (none without a picture).
6. timestamp: ``capture_time`` from the metadata, the name and (when allowed) mtime.
7. thumbnail: ``thumbs/<sha[:2]>/<sha>.jpg`` written atomically (or reused), last, so a file
   that fails leaves no thumbnail behind.

Originals are never written: the only open of the source is ``open(path, "rb")``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
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
from photoimport.media.hashing import CHUNK_BYTES, perceptual_hash, sha256_bytes
from photoimport.media.thumbnails import write_thumbnail
from photoimport.metadata.kinds import open_raw, open_video, with_sidecars
from photoimport.metadata.reader import ImageMetadata
from photoimport.metadata.stills import BombRefused, open_still
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
    FormatKind.RAW: "RAW file",
    FormatKind.VIDEO: "video",
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
    # --- issue 11 ---
    kind: str = "photo"  # "photo", "raw" or "video"
    duration_seconds: float | None = None  # videos
    preview_error: str | None = None  # why there is no picture (a warning: the facts are kept)
    sidecars: tuple[str, ...] = ()  # paths of the XMP / Takeout sidecars that were read

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
    kind: str = "photo"
    duration: float | None = None
    preview_error: str | None = None
    sidecars: tuple[str, ...] = ()

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
            kind=self.kind,
            duration_seconds=self.duration,
            preview_error=self.preview_error,
            sidecars=self.sidecars,
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
    head, data = _read_and_hash(run)
    now = perf_counter()
    run.ms["read_hash"], started = (now - started) * 1000, now
    if is_known is not None and is_known(run.sha256 or ""):
        run.already_known = True
        return

    run.stage = Stage.DETECT
    run.detected = detect_format(head[:HEAD_BYTES], run.path.name)
    if not run.detected.supported:
        raise _RefusedError(
            Stage.DETECT, run.detected.reason or f"unsupported: {run.detected.name}"
        )

    run.stage = Stage.DECODE  # opening reads the file's structure: a decoder's job
    box = settings.thumbnail_size
    if run.detected.kind is FormatKind.RAW:
        decoded = open_raw(run.path, box, run.detected.name)
    elif run.detected.kind is FormatKind.VIDEO:
        decoded = open_video(run.path, box, run.detected.name)
    else:
        words = _FORMAT_WORDS[run.detected.kind]
        source = data if data is not None else run.path
        formats = _PILLOW_FORMATS[run.detected.kind]
        limit = settings.max_image_pixels
        try:
            decoded = open_still(source, head, run.size, formats, words, box, limit)
        except BombRefused as refused:
            raise _RefusedError(Stage.DECODE, refused.reason) from refused
    run.kind, run.duration, run.preview_error = (
        decoded.kind,
        decoded.duration_seconds,
        decoded.preview_error,
    )
    now = perf_counter()
    run.ms["decode"], started = (now - started) * 1000, now

    run.stage = Stage.METADATA
    run.metadata, run.sidecars = with_sidecars(decoded.metadata, run.path)
    now = perf_counter()
    run.ms["open_metadata"], started = (now - started) * 1000, now

    run.stage = Stage.HASH
    reduced = decoded.reduced
    run.phash = perceptual_hash(reduced) if reduced is not None else None
    now = perf_counter()
    run.ms["phash"], started = (now - started) * 1000, now

    run.stage = Stage.TIMESTAMP
    mtime = run.mtime if settings.use_mtime else None
    run.capture = capture_time(run.metadata, run.path, mtime, settings.timezone)
    now = perf_counter()
    run.ms["timestamps"], started = (now - started) * 1000, now

    # last, so a file that fails at any stage leaves no thumbnail behind
    run.stage = Stage.THUMBNAIL
    if reduced is not None:
        run.thumbnail = write_thumbnail(reduced, settings.thumbs_dir.absolute(), run.sha256 or "")
    run.ms["thumbnail_write"] = (perf_counter() - started) * 1000


# Files up to this size are read once into memory and decoded from there; larger ones are
# hashed while streaming and decoded from the file, so a 2 GB video costs little memory.
IN_MEMORY_BYTES: Final = 64 * 1024 * 1024
HEAD_READ: Final = 8 * 1024 * 1024  # enough for the metadata blocks of a damaged photo


def _read_and_hash(run: _Run) -> tuple[bytes, bytes | None]:
    """(the first bytes, the whole file when small) and its SHA-256; size and mtime from the
    same open file, which is opened read-only and never written."""
    try:
        with run.path.open("rb") as fh:
            stat = os.fstat(fh.fileno())
            run.size = stat.st_size
            run.mtime = datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC)
            if run.size <= IN_MEMORY_BYTES:
                data = fh.read()
                run.sha256 = sha256_bytes(data)
                return data, data
            digest = hashlib.sha256()
            head = fh.read(HEAD_READ)
            digest.update(head)
            while chunk := fh.read(CHUNK_BYTES):
                digest.update(chunk)
            run.sha256 = digest.hexdigest()
            return head, None
    except IsADirectoryError as exc:
        raise _RefusedError(Stage.READ, "cannot read file: it is a folder") from exc
    except OSError as exc:
        raise _RefusedError(Stage.READ, f"cannot read file: {exc.strerror or exc}") from exc


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
