"""One watched folder inside the watcher process: its observer, settle, batches and rescans.

``FolderWatch`` is driven by ``watch.watcher.Watcher``'s loop (one thread): ``handle`` gets
the queued watchdog events, ``step`` runs the timers (settle tick, existence check, rescan,
batch flush). The observer thread never touches this state: it only queues events.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver, ObservedWatch

from photoimport.db.models import JobKind, WatchState, utcnow
from photoimport.db.settings_store import load_import_settings
from photoimport.errors import PhotoimportError
from photoimport.jobs.control import create_job, job_progress, launch_worker
from photoimport.settings import Settings
from photoimport.sources.folders import (
    in_library,
    is_within_roots,
    iter_files,
    library_paths,
    looks_like_image,
)
from photoimport.watch.registry import FolderUpdate, get_folder, known_paths, update_folders
from photoimport.watch.settle import Batcher, Settler, Signature, WatchOptions, is_ignored

log = logging.getLogger("photoimport.watch.watcher")

EXISTS_CHECK_SECONDS = 1.0
TICK_SECONDS = 0.25
STUCK_JOB_SECONDS = 60.0  # a due batch waits for the running job at most this long


@dataclass
class _Dirty:
    state: WatchState | None = None
    last_event_at: datetime | None = None
    last_scan_at: datetime | None = None
    last_job_id: int | None = None

    def any(self) -> bool:
        return any(v is not None for v in vars(self).values())


class FolderWatch:
    def __init__(
        self,
        root: str,
        observer: BaseObserver,
        handler: FileSystemEventHandler,
        engine: Engine,
        settings: Settings,
        options: WatchOptions,
    ) -> None:
        self.root = root
        self.observer = observer
        self.handler = handler
        self.engine = engine
        self.settings = settings
        self.options = options
        self.settler = Settler(root, options.quiet_seconds)
        self.batcher = Batcher(options.batch_seconds, options.batch_max)
        self.submitted: dict[str, Signature] = {}  # handed to a job by this process
        self.rejected: dict[str, Signature] = {}  # not an image (until it changes)
        self.watch: ObservedWatch | None = None
        self.missing = False
        self.next_exists_check = 0.0
        self.next_tick = 0.0
        self.next_rescan = 0.0
        self.dirty = _Dirty()
        row = get_folder(engine, root)
        self.last_job_id: int | None = row.last_job_id if row is not None else None

    # -- observer ---------------------------------------------------------------------------
    def start(self, now: float) -> None:
        self.observer.start()
        self._schedule(now)

    def _schedule(self, now: float) -> None:
        try:
            self.watch = self.observer.schedule(self.handler, self.root, recursive=True)
        except OSError as exc:  # FileNotFoundError when the folder is gone
            self._mark_missing(f"cannot watch it: {exc}")
            return
        self.missing = False
        self._set_state(WatchState.WATCHING)
        self.next_rescan = now  # whatever arrived while it was not watched
        log.info("watching %s", self.root)

    def _mark_missing(self, why: str) -> None:
        if not self.missing:
            log.warning("folder %s is missing (%s)", self.root, why)
        self.missing = True
        self._set_state(WatchState.MISSING)
        if self.watch is not None:
            try:
                self.observer.unschedule(self.watch)
            except (KeyError, OSError) as exc:  # its emitter may already have stopped
                log.info("unscheduling %s: %s", self.root, exc)
            self.watch = None
        self.settler.forget(self.root, is_dir=True)

    def _set_state(self, state: WatchState) -> None:
        """Shown at once (not at the next heartbeat); retried then if the database is busy."""
        self.dirty.state = state
        try:
            update_folders(self.engine, [FolderUpdate(self.root, state=state)])
        except SQLAlchemyError as exc:
            log.warning("state of %s not written yet: %s", self.root, exc)

    def close(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

    # -- events -----------------------------------------------------------------------------
    def handle(self, event: FileSystemEvent, now: float) -> None:
        src = os.fsdecode(event.src_path)
        kind = event.event_type
        if event.is_directory:
            if kind == EVENT_TYPE_DELETED and src == self.root:
                self._mark_missing("the folder was deleted")
            elif kind == EVENT_TYPE_MOVED and src == self.root:
                self._mark_missing("the folder was moved away")
            elif kind in (EVENT_TYPE_DELETED, EVENT_TYPE_MOVED):
                self.settler.forget(src, is_dir=True)
            return
        if is_ignored(src, self.root) and kind != EVENT_TYPE_MOVED:
            return
        self.dirty.last_event_at = utcnow()
        if kind in (EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED):
            self.settler.touch(src, now)
        elif kind == EVENT_TYPE_CLOSED:
            self.settler.closed(src)
        elif kind == EVENT_TYPE_OPENED:
            self.settler.opened(src)
        elif kind == EVENT_TYPE_CLOSED_NO_WRITE:
            self.settler.closed_no_write(src)
        elif kind == EVENT_TYPE_MOVED:
            self.settler.forget(src)
            self.settler.touch(os.fsdecode(event.dest_path), now)  # a tmp renamed to its name
        elif kind == EVENT_TYPE_DELETED:
            self.settler.forget(src)

    def is_busy(self) -> bool:
        return bool(self.settler.pending or self.settler.ready_now or self.batcher.paths)

    # -- timers -----------------------------------------------------------------------------
    def step(self, now: float) -> None:
        if now >= self.next_exists_check:
            self.next_exists_check = now + EXISTS_CHECK_SECONDS
            exists = Path(self.root).is_dir()
            if self.missing and exists:
                log.info("folder %s is back", self.root)
                self._schedule(now)
            elif not self.missing and not exists:
                self._mark_missing("it no longer exists")
        if self.missing:
            return
        if now >= self.next_rescan:
            self.rescan(now)
        if now >= self.next_tick or self.settler.ready_now:
            self.next_tick = now + TICK_SECONDS
            self._take_ready(now)
        self.flush(now)

    def rescan(self, now: float) -> int:
        """Queue every file that no job knows and this process has not handed over yet."""
        self.next_rescan = now + self.options.rescan_seconds
        known = known_paths(self.engine, self.root)
        found = 0
        roots, library = self.settings.allowed_roots, library_paths(self.settings)
        for found_path in iter_files(Path(self.root), roots, library, self._skipped_library):
            path = str(found_path)
            if path in known or path in self.submitted or path in self.rejected:
                continue
            if not self.settler.is_pending(path):
                self.settler.touch(path, now)
                found += 1
        self.dirty.last_scan_at = utcnow()
        if found:
            log.info("rescan of %s: %d new files", self.root, found)
        return found

    def _take_ready(self, now: float) -> None:
        for ready in self.settler.tick(now):
            if self.submitted.get(ready.path) == ready.signature:
                continue  # the same content at the same path: already handed over
            if self.rejected.get(ready.path) == ready.signature:
                continue
            if not self._may_open(Path(ready.path)):
                self.rejected[ready.path] = ready.signature
                continue
            if not looks_like_image(Path(ready.path)):
                self.rejected[ready.path] = ready.signature
                log.info("not an image, skipped: %s", ready.path)
                continue
            self.submitted[ready.path] = ready.signature
            self.batcher.add([ready.path], now)

    def _skipped_library(self, folder: Path) -> None:
        log.info("rescan of %s: skipped %s (the photo library's own folder)", self.root, folder)

    def _may_open(self, path: Path) -> bool:
        """Never the library's own files, never a link out of the allowed roots."""
        if in_library(path, library_paths(self.settings)):
            return False
        return is_within_roots(path, self.settings.allowed_roots)

    def _job_active(self) -> bool:
        if self.last_job_id is None:
            return False
        try:
            return job_progress(self.engine, self.last_job_id).is_active
        except PhotoimportError:
            return False  # the job row is gone (JobNotFound): nothing runs

    def flush(self, now: float, *, force: bool = False) -> int | None:
        """Hand the ready files to a new watch job and its worker; returns the job id."""
        if not self.batcher.paths:
            return None
        if not force:
            if not self.batcher.is_due(now):
                return None
            waited = now - (self.batcher.first_at or now)
            if waited < self.options.batch_seconds + STUCK_JOB_SECONDS and self._job_active():
                return None  # one job of this folder at a time; the next batch grows meanwhile
        paths = [Path(p) for p in self.batcher.take() if Path(p).is_file()]
        if not paths:
            return None
        try:
            imports = load_import_settings(self.engine, self.settings.imports)
            job_id = create_job(self.engine, JobKind.WATCH, self.root, imports, paths=paths)
        except (PhotoimportError, SQLAlchemyError) as exc:
            log.error("cannot create a job for %d files of %s: %s", len(paths), self.root, exc)
            self.batcher.add([str(p) for p in paths], now)  # retried at the next due time
            return None
        self.last_job_id = job_id
        self.dirty.last_job_id = job_id
        try:
            pid = launch_worker(self.settings, job_id)
        except (PhotoimportError, OSError) as exc:
            log.error("job %s created, but its worker did not start: %s", job_id, exc)
            return job_id
        log.info("job %s: %d files of %s, worker pid %s", job_id, len(paths), self.root, pid)
        return job_id

    # -- state written back at the heartbeat -----------------------------------------------
    def take_update(self) -> FolderUpdate | None:
        if not self.dirty.any():
            return None
        d, self.dirty = self.dirty, _Dirty()
        return FolderUpdate(self.root, d.state, d.last_event_at, d.last_scan_at, d.last_job_id)

    def final_update(self, state: WatchState) -> FolderUpdate:
        return FolderUpdate(self.root, state=state)
