"""Demo visitors' jobs: marking a job as a visitor's, listing them, and removing everything a
visitor brought once it is older than the demo's time to live.

``expire_visitors`` is called by the dashboard on each run in demo mode (cheap: one indexed
query when nothing is due) and by ``python -m worker expire``. It removes, for each expired
job: its items, the files no other job links (their rows and thumbnails), the upload folder
``uploads/<job>/``, the worker log, and an export's folder under the home's ``exports/``. A
file another visitor also brought stays (its path is moved to a copy that remains).

A visitor gets their photos back organised (issue 14) by ``start_visitor_export``: an export
job of their photos only, owned by them, into a new folder under ``exports/``, whose ZIP the
demo's Home offers once it is done.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from photoimport.db.models import File, Job, JobItem, JobKind
from photoimport.enums import ACTIVE_STATUSES, JobControl
from photoimport.errors import JobError
from photoimport.export.create import create_export_job
from photoimport.export.destination import EXPORTS_FOLDER
from photoimport.export.embed import exiftool_path
from photoimport.export.request import ExportRequest
from photoimport.settings import ImportSettings, Settings

__all__ = [
    "Expired",
    "expire_visitors",
    "latest_export",
    "latest_job",
    "set_owner",
    "start_visitor_export",
    "visitor_job_ids",
    "visitor_photo_paths",
]


def set_owner(engine: Engine, job_id: int, owner: str) -> None:
    """Make ``job_id`` the visitor's (before its worker starts)."""
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(col(Job.id) == job_id).values(owner=owner))


def visitor_job_ids(
    engine: Engine, owner: str, limit: int = 200, *, exports: bool = False
) -> list[int]:
    """The visitor's imports (or, with ``exports``, their exports), newest first."""
    kind = col(Job.kind) == JobKind.EXPORT if exports else col(Job.kind) != JobKind.EXPORT
    query = sa.select(col(Job.id)).where(col(Job.owner) == owner, kind)
    with engine.connect() as conn:
        found = conn.execute(query.order_by(col(Job.id).desc()).limit(limit)).scalars()
        return [int(i) for i in found if i is not None]


def latest_export(engine: Engine, owner: str) -> int | None:
    ids = visitor_job_ids(engine, owner, limit=1, exports=True)
    return ids[0] if ids else None


def start_visitor_export(engine: Engine, settings: Settings, owner: str) -> int:
    """A PENDING export job of the visitor's photos, theirs, into a new folder under the home's
    ``exports/`` (the default template; the date written inside copies only where ExifTool is
    installed, else in the sidecars alone). The caller launches its worker.

    A visitor has one organised copy at a time: an earlier finished one (its job and folder)
    is removed first, so asking again never adds to the disk the demo uses; one still running
    is refused (``JobError``)."""
    earlier = visitor_job_ids(engine, owner, exports=True)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(col(Job.status), col(Job.source)).where(col(Job.id).in_(earlier))
        ).all()
    if any(r.status in {a.value for a in ACTIVE_STATUSES} for r in rows):
        raise JobError("your photos are being organised already: wait for that copy")
    if earlier:
        _remove_jobs(engine, earlier)
        _remove_export_folders(settings, [Path(r.source) for r in rows])
    folder = settings.home / EXPORTS_FOLDER / f"visitor-{owner[:12]}-{secrets.token_hex(4)}"
    request = ExportRequest(
        destination=str(folder), owner=owner, write_dates=exiftool_path() is not None
    )
    return create_export_job(engine, settings, request, ImportSettings(workers=1))


def _remove_export_folders(settings: Settings, folders: Sequence[Path]) -> None:
    """Remove visitors' export folders: only ever below the home's ``exports/``."""
    exports = (settings.home / EXPORTS_FOLDER).resolve()
    for folder in folders:
        where = folder.resolve()
        if where.is_relative_to(exports) and where != exports:
            shutil.rmtree(where, ignore_errors=True)


def latest_job(engine: Engine, owner: str) -> int | None:
    ids = visitor_job_ids(engine, owner, limit=1)
    return ids[0] if ids else None


def visitor_photo_paths(engine: Engine, owner: str) -> list[str]:
    """The paths of the visitor's imported photos (what their ZIP download holds), each once."""
    query = (
        sa.select(col(JobItem.path))
        .join(Job, col(Job.id) == col(JobItem.job_id))
        .where(col(Job.owner) == owner, col(JobItem.file_id).is_not(None))
        .distinct()
        .order_by(col(JobItem.path))
    )
    with engine.connect() as conn:
        return [str(p) for p in conn.execute(query).scalars()]


@dataclass(frozen=True)
class Expired:
    jobs: int = 0
    files: int = 0
    thumbnails: int = 0
    cancelled: int = 0  # still running when due: cancelled now, removed on a later call


def expire_visitors(
    engine: Engine, settings: Settings, ttl: timedelta, now: datetime | None = None
) -> Expired:
    """Remove every visitor job created more than ``ttl`` ago, with what only it brought."""
    cutoff = (now or datetime.now(UTC)) - ttl
    due = sa.select(col(Job.id), col(Job.status), col(Job.kind), col(Job.source)).where(
        col(Job.owner).is_not(None), col(Job.created_at) < cutoff
    )
    with engine.connect() as conn:
        rows = conn.execute(due).all()
    running = {a.value for a in ACTIVE_STATUSES}
    active = [int(r.id) for r in rows if r.id is not None and r.status in running]
    done = [int(r.id) for r in rows if r.id is not None and r.status not in running]
    exported = [
        Path(r.source) for r in rows if r.status not in running and r.kind == JobKind.EXPORT.value
    ]
    if active:
        with engine.begin() as conn:
            conn.execute(
                sa.update(Job).where(col(Job.id).in_(active)).values(control=JobControl.CANCEL)
            )
    if not done:
        return Expired(cancelled=len(active))
    files, thumbs = _remove_jobs(engine, done)
    removed = 0
    for rel in thumbs:
        try:
            (settings.home / rel).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    for job_id in done:
        shutil.rmtree(settings.uploads_dir / str(job_id), ignore_errors=True)
        (settings.logs_dir / f"worker-{job_id}.log").unlink(missing_ok=True)
    _remove_export_folders(settings, exported)  # the visitors' organised copies
    return Expired(jobs=len(done), files=files, thumbnails=removed, cancelled=len(active))


def _remove_jobs(engine: Engine, job_ids: Sequence[int]) -> tuple[int, list[str]]:
    """Delete the jobs, their items, and the files no other job links (in one transaction);
    returns how many files were deleted and their thumbnails."""
    theirs = sa.select(col(JobItem.file_id)).where(
        col(JobItem.job_id).in_(job_ids), col(JobItem.file_id).is_not(None)
    )
    elsewhere = sa.select(col(JobItem.file_id)).where(
        col(JobItem.job_id).not_in(job_ids), col(JobItem.file_id).is_not(None)
    )
    with engine.begin() as conn:
        mine = {int(i) for i in conn.execute(theirs.distinct()).scalars() if i is not None}
        shared = {
            int(i)
            for i in conn.execute(elsewhere.where(col(JobItem.file_id).in_(mine))).scalars()
            if i is not None
        }
        only_all = sorted(mine - shared)
        thumbs = [
            str(t)
            for t in conn.execute(
                sa.select(col(File.thumbnail)).where(col(File.id).in_(only_all))
            ).scalars()
            if t
        ]
        for file_id in sorted(shared):  # keep a path and a first job that still exist
            keep = conn.execute(
                sa.select(col(JobItem.path), col(JobItem.job_id))
                .where(col(JobItem.file_id) == file_id, col(JobItem.job_id).not_in(job_ids))
                .order_by(col(JobItem.id))
                .limit(1)
            ).one()
            conn.execute(
                sa.update(File)
                .where(col(File.id) == file_id)
                .values(path=keep.path, first_job_id=keep.job_id)
            )
        conn.execute(sa.delete(JobItem).where(col(JobItem.job_id).in_(job_ids)))
        conn.execute(
            sa.update(File).where(col(File.variant_of).in_(only_all)).values(variant_of=None)
        )
        _forget(conn, "file", only_all)  # decisions, groups, seen paths of the deleted files
        conn.execute(sa.delete(File).where(col(File.id).in_(only_all)))
        conn.execute(
            sa.update(File).where(col(File.first_job_id).in_(job_ids)).values(first_job_id=None)
        )
        _forget(conn, "job", list(job_ids))
        conn.execute(sa.delete(Job).where(col(Job.id).in_(job_ids)))
    return len(only_all), thumbs


_HANDLED = {"file", "jobitem"}  # rows of these are updated or deleted above, by their meaning
_KEPT = {"watchedfolder"}  # a watched folder outlives its last job: its reference goes NULL


def _forget(conn: sa.Connection, target: str, ids: Sequence[int]) -> None:
    """Remove every other row that references the deleted ``target`` rows (found from the
    tables' foreign keys, so a table added later is covered too): a foreign key would refuse
    the delete, and a decision about a file that is gone means nothing."""
    if not ids:
        return
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _HANDLED:
            continue
        for column in table.columns:
            if not any(fk.column.table.name == target for fk in column.foreign_keys):
                continue
            if table.name in _KEPT:
                conn.execute(table.update().where(column.in_(ids)).values({column.name: None}))
            else:
                conn.execute(table.delete().where(column.in_(ids)))
