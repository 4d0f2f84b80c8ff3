"""The watched-folder registry and the watcher's heartbeat, in the database.

* ``add_folder`` / ``remove_folder`` / ``list_folders``: the ``WatchedFolder`` rows. A folder is
  validated with ``sources.folders`` (exists, readable, inside the allowed roots); an empty
  folder is fine for a watch (a phone sync target starts empty).
* ``register_watcher`` / ``beat`` / ``unregister_watcher`` / ``live_watchers``: one
  ``WatcherState`` row per watcher process, its heartbeat refreshed every few seconds. A row whose
  heartbeat is older than ``STALE_AFTER`` means that watcher is not running (a pid cannot be
  trusted: it may be reused, or belong to another host).
* ``folder_statuses``: what the Watch page and ``watch list`` show for each folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.db.engine import session_scope
from photoimport.db.models import (
    ItemState,
    Job,
    JobItem,
    JobKind,
    WatchedFolder,
    WatcherState,
    WatchState,
    utcnow,
)
from photoimport.db.work import LOST_AFTER_SECONDS
from photoimport.errors import NoImagesFound, WatchError
from photoimport.jobs.control import JobProgress, job_progress
from photoimport.settings import Settings
from photoimport.sources.folders import validate_folder

STALE_AFTER = timedelta(seconds=LOST_AFTER_SECONDS)


@dataclass(frozen=True)
class FolderStatus:
    """One watched folder as the Watch page and ``watch list`` show it."""

    path: str
    polling: bool
    state: WatchState  # watching / folder missing / watcher not running
    last_event_at: datetime | None
    last_scan_at: datetime | None
    files_today: int  # items of this folder's watch jobs finished today (local day)
    last_job_id: int | None
    last_job: JobProgress | None


def resolve_folder(path: Path | str) -> Path:
    return Path(path).expanduser().absolute().resolve()


def add_folder(engine: Engine, settings: Settings, path: Path | str, polling: bool = False) -> Path:
    """Register a folder to watch; returns its resolved path. Raises a ``SourceError`` from
    ``validate_folder`` or ``WatchError`` when it (or a folder around it) is already watched."""
    try:
        folder = validate_folder(path, settings)
    except NoImagesFound:
        folder = resolve_folder(path)  # roots, existence and readability passed: empty is fine
    with session_scope(engine) as session:
        for other in session.exec(select(WatchedFolder)).all():
            other_path = Path(other.path)
            if other_path == folder:
                raise WatchError(f"folder {folder} is already watched")
            if folder.is_relative_to(other_path):
                raise WatchError(f"folder {folder} is already watched as part of {other_path}")
            if other_path.is_relative_to(folder):
                raise WatchError(
                    f"folder {folder} holds the watched folder {other_path}: remove that first"
                )
        session.add(WatchedFolder(path=str(folder), polling=polling))
    return folder


def remove_folder(engine: Engine, path: Path | str) -> Path:
    """Stop watching a folder (its imported files stay in the library)."""
    folder = resolve_folder(path)
    with session_scope(engine) as session:
        row = session.exec(select(WatchedFolder).where(WatchedFolder.path == str(folder))).first()
        if row is None:
            raise WatchError(f"folder {folder} is not watched")
        session.delete(row)
    return folder


def list_folders(engine: Engine) -> list[WatchedFolder]:
    with Session(engine) as session:
        return list(session.exec(select(WatchedFolder).order_by(col(WatchedFolder.path))).all())


def get_folder(engine: Engine, path: Path | str) -> WatchedFolder | None:
    with Session(engine) as session:
        return session.exec(
            select(WatchedFolder).where(WatchedFolder.path == str(resolve_folder(path)))
        ).first()


@dataclass(frozen=True)
class FolderUpdate:
    """What the watcher writes back about one folder at a heartbeat."""

    path: str
    state: WatchState | None = None
    last_event_at: datetime | None = None
    last_scan_at: datetime | None = None
    last_job_id: int | None = None


def update_folders(engine: Engine, updates: list[FolderUpdate]) -> None:
    """Single UPDATE statements (no read-modify-write), one short transaction."""
    if not updates:
        return
    with engine.begin() as conn:
        for up in updates:
            values: dict[str, object] = {}
            if up.state is not None:
                values["state"] = up.state.value
            if up.last_event_at is not None:
                values["last_event_at"] = up.last_event_at
            if up.last_scan_at is not None:
                values["last_scan_at"] = up.last_scan_at
            if up.last_job_id is not None:
                values["last_job_id"] = up.last_job_id
            if values:
                conn.execute(
                    sa.update(WatchedFolder)
                    .where(col(WatchedFolder.path) == up.path)
                    .values(**values)
                )


def known_paths(engine: Engine, root: str) -> set[str]:
    """Paths under ``root`` that already have a ``JobItem`` in any job (the rescan's diff)."""
    prefix = root.rstrip(os.sep) + os.sep
    with Session(engine) as session:
        rows = session.exec(
            select(JobItem.path).where(col(JobItem.path).startswith(prefix, autoescape=True))
        ).all()
    return set(rows)


def register_watcher(engine: Engine, pid: int, host: str, folder: str | None) -> int:
    with session_scope(engine) as session:
        row = WatcherState(pid=pid, host=host, folder=folder)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def beat(engine: Engine, watcher_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(WatcherState)
            .where(col(WatcherState.id) == watcher_id)
            .values(heartbeat_at=utcnow())
        )


def unregister_watcher(engine: Engine, watcher_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(WatcherState).where(col(WatcherState.id) == watcher_id))


def live_watchers(engine: Engine, now: datetime | None = None) -> list[WatcherState]:
    """Watchers whose heartbeat is fresh (newest first)."""
    cutoff = (now or utcnow()) - STALE_AFTER
    with Session(engine) as session:
        return list(
            session.exec(
                select(WatcherState)
                .where(col(WatcherState.heartbeat_at) >= cutoff)
                .order_by(col(WatcherState.heartbeat_at).desc())
            ).all()
        )


def forget_stale_watchers(engine: Engine, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - STALE_AFTER
    with engine.begin() as conn:
        result = conn.execute(
            sa.delete(WatcherState).where(col(WatcherState.heartbeat_at) < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def _covers(watcher: WatcherState, folder: str) -> bool:
    return watcher.folder is None or watcher.folder == folder


def _local_midnight_utc(timezone: str, now: datetime) -> datetime:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def files_imported_today(engine: Engine, root: str, timezone: str) -> int:
    since = _local_midnight_utc(timezone, utcnow())
    with Session(engine) as session:
        count = session.exec(
            select(sa.func.count())
            .select_from(JobItem)
            .join(Job, col(Job.id) == col(JobItem.job_id))
            .where(
                col(Job.kind) == JobKind.WATCH.value,
                col(Job.source) == root,
                col(JobItem.state).in_([ItemState.DONE.value, ItemState.SKIPPED.value]),
                col(JobItem.finished_at) >= since,
            )
        ).one()
    return int(count)


def folder_statuses(engine: Engine, settings: Settings) -> list[FolderStatus]:
    """Each watched folder with its state; "watcher not running" when no fresh heartbeat
    covers it, whatever the row last said."""
    watchers = live_watchers(engine)
    out: list[FolderStatus] = []
    for row in list_folders(engine):
        running = any(_covers(w, row.path) for w in watchers)
        state = WatchState(row.state) if running else WatchState.STOPPED
        last_job = job_progress(engine, row.last_job_id) if row.last_job_id is not None else None
        out.append(
            FolderStatus(
                path=row.path,
                polling=row.polling,
                state=state,
                last_event_at=row.last_event_at,
                last_scan_at=row.last_scan_at,
                files_today=files_imported_today(engine, row.path, settings.imports.timezone),
                last_job_id=row.last_job_id,
                last_job=last_job,
            )
        )
    return out
