"""Read the library: files with filters and paging, one file's detail, totals, export rows.

CONTRACT (owned by the CLI/library helper; the Gallery page and the CLI both call these:
add fields/functions if needed, do not rename or remove). Queries are paged in SQL: nothing
loads every file into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy.engine import Engine

from photoimport.models import Confidence, File


class SortOrder(StrEnum):
    CAPTURE_TIME = "capture time"
    NAME = "name"


@dataclass(frozen=True)
class FileFilter:
    job_id: int | None = None
    confidences: tuple[Confidence, ...] = ()
    date_from: date | None = None  # capture date (local wall clock), inclusive
    date_to: date | None = None
    camera: str | None = None  # model
    duplicates_only: bool = False  # exact or near duplicates
    sort: SortOrder = SortOrder.CAPTURE_TIME


@dataclass(frozen=True)
class FileRow:
    """One path of the library (a content seen under two paths gives two rows)."""

    path: str
    file_id: int | None  # None for an error row
    sha256: str | None
    size: int | None
    mime: str | None
    width: int | None
    height: int | None
    capture_local: str | None  # ISO wall clock with offset
    capture_utc: str | None  # ISO UTC
    capture_source: str | None
    confidence: Confidence | None
    exact_group: int | None  # File.id when the content has more than one path, else None
    near_group: int | None
    thumbnail: str | None  # relative to the home folder
    error: str | None  # "stage: reason" for a file that failed
    make: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class LibraryTotals:
    files: int
    paths: int
    errors: int
    jobs: int
    by_confidence: dict[Confidence, int] = field(default_factory=dict)
    exact_duplicate_groups: int = 0
    near_duplicate_groups: int = 0


def count_files(engine: Engine, flt: FileFilter) -> int:
    raise NotImplementedError


def list_files(engine: Engine, flt: FileFilter, offset: int = 0, limit: int = 60) -> list[File]:
    """A page of library contents (one row per File)."""
    raise NotImplementedError


def get_file(engine: Engine, file_id: int) -> File:
    raise NotImplementedError


def file_paths(engine: Engine, file_id: int) -> list[str]:
    raise NotImplementedError


def duplicate_siblings(engine: Engine, file_id: int) -> list[File]:
    raise NotImplementedError


def library_totals(engine: Engine) -> LibraryTotals:
    raise NotImplementedError


def export_rows(engine: Engine, job_id: int | None = None) -> list[FileRow]:
    """One row per path (CLI ``files``); streamed in pages internally."""
    raise NotImplementedError
