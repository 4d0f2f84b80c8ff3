"""The watcher process: watchdog observers -> settle -> batch -> a ``watch`` job and a worker.

``run_watcher(settings, options)`` runs until SIGTERM / SIGINT (``python -m photoimport watch``).
One watchdog observer per folder (recursive; ``PollingObserver`` for a network share). The
event handler only queues the event; this loop does the rest:

* events feed a ``Settler`` (``watch_settle``): closed-after-writing is ready at once, created /
  moved-in files once their size and mtime have been still for the quiet period;
* ready image files are batched and handed to ``jobs.create_job(kind=WATCH, paths=...)`` plus
  ``jobs.launch_worker``; one watch job of a folder runs at a time. The job machinery recognises
  content already in the library by SHA-256, so a file ready twice is imported once;
* a rescan at start and every ``rescan_seconds`` diffs the folder against the paths already in
  ``JobItem`` rows (files that arrived while stopped, events lost to a queue overflow);
* the folder vanishing (a ``DirDeletedEvent`` on the root, or the check every second) marks it
  MISSING; when it exists again its watch is unscheduled and scheduled afresh (an inotify watch on
  a deleted folder stays listed but sees nothing) and it is rescanned;
* a ``WatcherState`` heartbeat every ``HEARTBEAT_SECONDS``; the folder list is re-read then too, so
  folders added on the Watch page are picked up by a running watcher.

Starting and stopping it from a front end: ``photoimport.watch.control``.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import threading
import time
from types import FrameType

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from photoimport.db.engine import make_engine
from photoimport.db.models import WatchState
from photoimport.db.work import HEARTBEAT_SECONDS
from photoimport.errors import PhotoimportError
from photoimport.settings import Settings
from photoimport.watch.observer import FolderWatch
from photoimport.watch.recovery import JobRecovery
from photoimport.watch.registry import (
    add_folder,
    beat,
    forget_stale_watchers,
    get_folder,
    list_folders,
    register_watcher,
    resolve_folder,
    unregister_watcher,
    update_folders,
)
from photoimport.watch.settle import WatchOptions

log = logging.getLogger("photoimport.watch.watcher")


class _QueueingHandler(FileSystemEventHandler):
    """Runs on watchdog's thread: it only queues, so bursts never back up the emitter."""

    def __init__(self, root: str, events: queue.SimpleQueue[tuple[str, FileSystemEvent]]) -> None:
        self.root = root
        self.events = events

    def dispatch(self, event: FileSystemEvent) -> None:
        self.events.put((self.root, event))


class Watcher:
    """Every watched folder of this process, and the loop that drives them."""

    def __init__(self, settings: Settings, engine: Engine, options: WatchOptions) -> None:
        self.settings = settings
        self.engine = engine
        self.options = options
        self.events: queue.SimpleQueue[tuple[str, FileSystemEvent]] = queue.SimpleQueue()
        self.folders: dict[str, FolderWatch] = {}
        self.stop_requested = threading.Event()
        self.watcher_id: int | None = None
        self.recovery = JobRecovery(settings, engine)

    # -- folders ----------------------------------------------------------------------------
    def _wanted_folders(self) -> dict[str, bool]:
        """path -> polling, from the registry (only ``options.folder`` when one was given)."""
        if self.options.folder is not None:
            row = get_folder(self.engine, self.options.folder)
            if row is None:
                return {}
            return {row.path: row.polling or self.options.polling}
        return {row.path: row.polling or self.options.polling for row in list_folders(self.engine)}

    def sync_folders(self, now: float) -> None:
        wanted = self._wanted_folders()
        for path in [p for p in self.folders if p not in wanted]:
            log.info("folder %s is no longer watched", path)
            self.folders.pop(path).close()
        for path, polling in wanted.items():
            if path not in self.folders:
                observer = self._make_observer(polling)
                handler = _QueueingHandler(path, self.events)
                fw = FolderWatch(path, observer, handler, self.engine, self.settings, self.options)
                self.folders[path] = fw
                fw.start(now)

    def _make_observer(self, polling: bool) -> BaseObserver:
        if polling:
            return PollingObserver(timeout=self.options.polling_interval)
        return Observer()

    # -- loop -------------------------------------------------------------------------------
    def run(self) -> None:
        forget_stale_watchers(self.engine)
        folder = str(resolve_folder(self.options.folder)) if self.options.folder else None
        self.watcher_id = register_watcher(self.engine, os.getpid(), socket.gethostname(), folder)
        log.info("watcher %s started (pid %s, folder %s)", self.watcher_id, os.getpid(), folder)
        now = time.monotonic()
        next_beat = now
        try:
            while not self.stop_requested.is_set():
                now = time.monotonic()
                if now >= next_beat:
                    next_beat = now + HEARTBEAT_SECONDS
                    self._heartbeat(now)
                busy = any(fw.is_busy() or fw.next_rescan <= now for fw in self.folders.values())
                self._drain(timeout=0.25 if busy else 1.0)
                now = time.monotonic()
                for fw in self.folders.values():
                    fw.step(now)
        finally:
            self._shutdown()

    def _drain(self, timeout: float) -> None:
        try:
            root, event = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        now = time.monotonic()
        self._route(root, event, now)
        while True:
            try:
                root, event = self.events.get_nowait()
            except queue.Empty:
                return
            self._route(root, event, now)

    def _route(self, root: str, event: FileSystemEvent, now: float) -> None:
        fw = self.folders.get(root)
        if fw is not None:
            fw.handle(event, now)

    def _heartbeat(self, now: float) -> None:
        assert self.watcher_id is not None
        try:
            self.sync_folders(now)
            self._write_back()
            beat(self.engine, self.watcher_id)
            self.recovery.step(self.folders)  # failed or lost batches go again (issue 10)
        except (PhotoimportError, SQLAlchemyError) as exc:  # a locked or unreachable database
            log.error("heartbeat failed, retried in %.0f s: %s", HEARTBEAT_SECONDS, exc)

    def _write_back(self) -> None:
        updates = [fw.take_update() for fw in self.folders.values()]
        update_folders(self.engine, [u for u in updates if u is not None])

    def _shutdown(self) -> None:
        now = time.monotonic()
        for fw in self.folders.values():
            fw.flush(now, force=True)  # ready files go to a job; unsettled ones: next rescan
            fw.close()
        self._write_back()
        update_folders(
            self.engine,
            [fw.final_update(WatchState.STOPPED) for fw in self.folders.values()],
        )
        if self.watcher_id is not None:
            unregister_watcher(self.engine, self.watcher_id)
        log.info("watcher stopped")


def run_watcher(settings: Settings, options: WatchOptions) -> None:
    """Run the watcher in this process until SIGTERM or SIGINT."""
    engine = make_engine(settings.database_url)
    if options.folder is not None and get_folder(engine, options.folder) is None:
        add_folder(engine, settings, options.folder, polling=options.polling)
    watcher = Watcher(settings, engine, options)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signum)
        watcher.stop_requested.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    watcher.run()
