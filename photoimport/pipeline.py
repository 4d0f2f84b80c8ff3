"""process_file(path, settings) -> FileResult: one file, no database; the one broad catch.

CONTRACT (owned by the pipeline helper; FileResult and PipelineSettings are used by the worker:
add fields if needed, do not rename or remove).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from photoimport.errors import FileError
from photoimport.metadata import ImageMetadata
from photoimport.timestamps import CaptureTime


@dataclass(frozen=True)
class PipelineSettings:
    thumbs_dir: Path
    thumbnail_size: int = 320
    timezone: str = "UTC"
    use_mtime: bool = True
    max_image_pixels: int = 89_478_485


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

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(path: Path, settings: PipelineSettings) -> FileResult:
    raise NotImplementedError
