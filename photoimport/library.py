"""Read the library: files with filters and paging, one file's detail, totals, export rows.

CONTRACT (owned by the CLI/library helper; the Gallery page and the CLI both call these:
add fields/functions if needed, do not rename or remove). Queries are paged in SQL: nothing
loads every file into memory.

Vocabulary: a ``File`` is one content (one SHA-256); the paths it was seen under are its
``JobItem`` rows. A content is an *exact duplicate* when it has an item whose path differs from
``File.path`` (the path it was first seen under, itself one of its items' paths), and a *near
duplicate* when the worker gave it a ``near_group``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.errors import FileNotInLibrary, JobNotFound
from photoimport.models import Confidence, File, ItemState, Job, JobItem

__all__ = [
    "FileFilter",
    "FileRow",
    "LibraryTotals",
    "SortOrder",
    "count_files",
    "duplicate_siblings",
    "export_rows",
    "file_paths",
    "get_file",
    "iter_export_rows",
    "library_totals",
    "list_cameras",
    "list_files",
]

FINISHED_STATES = (ItemState.DONE, ItemState.ERROR, ItemState.SKIPPED)
MAX_UTC_OFFSET = timedelta(hours=14)  # the widest real-world UTC offset
EXPORT_PAGE = 2000


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


# --- the filter, as SQL ------------------------------------------------------------------


def _has_other_path() -> sa.ColumnElement[bool]:
    """The content was also seen under a path other than its first one (an exact duplicate)."""
    other = sa.select(sa.literal(1)).where(
        col(JobItem.file_id) == File.id, col(JobItem.path) != File.path
    )
    return sa.exists(other)


def _conditions(flt: FileFilter) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if flt.job_id is not None:
        in_job = sa.select(sa.literal(1)).where(
            col(JobItem.file_id) == File.id, col(JobItem.job_id) == flt.job_id
        )
        conds.append(sa.exists(in_job))
    if flt.confidences:
        conds.append(col(File.confidence).in_([c.value for c in flt.confidences]))
    if flt.camera:
        conds.append(col(File.model) == flt.camera)
    if flt.date_from is not None:
        start = datetime.combine(flt.date_from, time.min, tzinfo=UTC)
        # the UTC bound narrows the rows through the capture_utc index; the local string decides
        conds.append(col(File.capture_utc) >= start - MAX_UTC_OFFSET)
        conds.append(col(File.capture_local) >= flt.date_from.isoformat())
    if flt.date_to is not None:
        after = flt.date_to + timedelta(days=1)
        end = datetime.combine(after, time.min, tzinfo=UTC)
        conds.append(col(File.capture_utc) < end + MAX_UTC_OFFSET)
        conds.append(col(File.capture_local) < after.isoformat())
    if flt.duplicates_only:
        conds.append(sa.or_(col(File.near_group).is_not(None), _has_other_path()))
    return conds


def _ordering(sort: SortOrder) -> list[Any]:
    if sort is SortOrder.NAME:
        return [col(File.name), col(File.id)]
    return [col(File.capture_utc).is_(None), col(File.capture_utc), col(File.id)]


# --- gallery queries ---------------------------------------------------------------------


def count_files(engine: Engine, flt: FileFilter) -> int:
    query = sa.select(sa.func.count()).select_from(File).where(*_conditions(flt))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def list_files(engine: Engine, flt: FileFilter, offset: int = 0, limit: int = 60) -> list[File]:
    """A page of library contents (one row per File)."""
    query = (
        select(File)
        .where(*_conditions(flt))
        .order_by(*_ordering(flt.sort))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    with Session(engine) as session:
        return list(session.exec(query).all())


def get_file(engine: Engine, file_id: int) -> File:
    with Session(engine) as session:
        found = session.get(File, file_id)
    if found is None:
        raise FileNotInLibrary(f"no file with id {file_id} in the library")
    return found


def file_paths(engine: Engine, file_id: int) -> list[str]:
    """Every path the content was seen under (its first path when no item links it)."""
    query = (
        sa.select(col(JobItem.path))
        .where(col(JobItem.file_id) == file_id)
        .distinct()
        .order_by(col(JobItem.path))
    )
    with engine.connect() as conn:
        paths = [str(p) for p in conn.execute(query).scalars()]
    return paths or [get_file(engine, file_id).path]


def duplicate_siblings(engine: Engine, file_id: int) -> list[File]:
    """The other contents of this file's near-duplicate group (exact copies: ``file_paths``)."""
    target = get_file(engine, file_id)
    if target.near_group is None:
        return []
    query = (
        select(File)
        .where(col(File.near_group) == target.near_group, col(File.id) != file_id)
        .order_by(*_ordering(SortOrder.CAPTURE_TIME))
        .limit(500)
    )
    with Session(engine) as session:
        return list(session.exec(query).all())


def list_cameras(engine: Engine) -> list[str]:
    """Distinct camera models in the library (the Gallery's camera filter)."""
    query = (
        sa.select(col(File.model))
        .where(col(File.model).is_not(None))
        .distinct()
        .order_by(col(File.model))
    )
    with engine.connect() as conn:
        return [str(m) for m in conn.execute(query).scalars()]


def library_totals(engine: Engine) -> LibraryTotals:
    linked = col(JobItem.file_id).is_not(None)
    paths_q = sa.select(sa.func.count(sa.distinct(col(JobItem.path)))).where(linked)
    errors_q = sa.select(sa.func.count(sa.distinct(col(JobItem.path)))).where(
        col(JobItem.state) == ItemState.ERROR.value
    )
    exact_q = sa.select(sa.func.count()).select_from(
        sa.select(col(JobItem.file_id))
        .where(linked)
        .group_by(col(JobItem.file_id))
        .having(sa.func.count(sa.distinct(col(JobItem.path))) > 1)
        .subquery()
    )
    near_q = sa.select(sa.func.count(sa.distinct(col(File.near_group))))
    conf_q = sa.select(col(File.confidence), sa.func.count()).group_by(col(File.confidence))
    with engine.connect() as conn:
        files = int(conn.execute(sa.select(sa.func.count()).select_from(File)).scalar_one())
        jobs = int(conn.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one())
        by_conf = {Confidence(str(c)): int(n) for c, n in conn.execute(conf_q).all()}
        return LibraryTotals(
            files=files,
            paths=int(conn.execute(paths_q).scalar_one()),
            errors=int(conn.execute(errors_q).scalar_one()),
            jobs=jobs,
            by_confidence={c: by_conf.get(c, 0) for c in Confidence},
            exact_duplicate_groups=int(conn.execute(exact_q).scalar_one()),
            near_duplicate_groups=int(conn.execute(near_q).scalar_one()),
        )


# --- export ------------------------------------------------------------------------------


def export_rows(engine: Engine, job_id: int | None = None) -> list[FileRow]:
    """One row per path (CLI ``files``); streamed in pages internally."""
    return list(iter_export_rows(engine, job_id))


def iter_export_rows(engine: Engine, job_id: int | None = None) -> Iterator[FileRow]:
    """``export_rows`` as a stream, one page of ``EXPORT_PAGE`` items at a time.

    With a job: that job's finished items (``JobNotFound`` at once when there is no such job).
    Without: every path once, from its newest finished item (a folder imported twice gives one
    row per path, as it is now).
    """
    finished = col(JobItem.state).in_([s.value for s in FINISHED_STATES])
    if job_id is not None:
        _require_job(engine, job_id)
        scope: sa.ColumnElement[bool] = sa.and_(col(JobItem.job_id) == job_id, finished)
    else:
        newest = sa.select(sa.func.max(col(JobItem.id))).where(finished).group_by(JobItem.path)
        scope = col(JobItem.id).in_(newest)
    return _iter_pages(engine, scope)


def _iter_pages(engine: Engine, scope: sa.ColumnElement[bool]) -> Iterator[FileRow]:
    last_id = 0
    while True:
        query = (
            sa.select(JobItem, File)
            .join(File, col(JobItem.file_id) == File.id, isouter=True)
            .where(scope, col(JobItem.id) > last_id)
            .order_by(col(JobItem.id))
            .limit(EXPORT_PAGE)
        )
        with Session(engine) as session:
            page: Sequence[tuple[JobItem, File | None]] = [
                (item, file) for item, file in session.execute(query)
            ]
            if not page:
                return
            groups = _exact_groups(session, {f.id for _, f in page if f and f.id is not None})
        for item, file in page:
            yield _row(item, file, groups)
        last_id = page[-1][0].id or last_id


def _require_job(engine: Engine, job_id: int) -> None:
    with Session(engine) as session:
        if session.get(Job, job_id) is None:
            raise JobNotFound(f"no job number {job_id}")


def _exact_groups(session: Session, file_ids: set[int]) -> set[int]:
    """Which of ``file_ids`` were seen under more than one path."""
    if not file_ids:
        return set()
    query = (
        sa.select(col(JobItem.file_id))
        .where(col(JobItem.file_id).in_(sorted(file_ids)))
        .group_by(col(JobItem.file_id))
        .having(sa.func.count(sa.distinct(col(JobItem.path))) > 1)
    )
    return {int(i) for i in session.execute(query).scalars()}


def _row(item: JobItem, file: File | None, exact: set[int]) -> FileRow:
    error = None
    if item.state == ItemState.ERROR or item.error_reason:
        error = f"{item.error_stage or 'unknown stage'}: {item.error_reason or 'no reason given'}"
    if file is None:
        return FileRow(
            path=item.path,
            file_id=None,
            sha256=None,
            size=None,
            mime=None,
            width=None,
            height=None,
            capture_local=None,
            capture_utc=None,
            capture_source=None,
            confidence=None,
            exact_group=None,
            near_group=None,
            thumbnail=None,
            error=error,
        )
    return FileRow(
        path=item.path,
        file_id=file.id,
        sha256=file.sha256,
        size=file.size,
        mime=file.mime,
        width=file.width,
        height=file.height,
        capture_local=file.capture_local,
        capture_utc=file.capture_utc.isoformat() if file.capture_utc else None,
        capture_source=file.capture_source,
        confidence=Confidence(file.confidence),
        exact_group=file.id if file.id in exact else None,
        near_group=file.near_group,
        thumbnail=file.thumbnail,
        error=error,
        make=file.make,
        model=file.model,
    )
