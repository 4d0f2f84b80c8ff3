"""When a file in a watched folder is ready to import: pure logic, the clock injected.

A file is ready:

* at once when it is closed after writing (inotify ``IN_CLOSE_WRITE``, watchdog's
  ``FileClosedEvent``);
* for a file seen only as created / modified / moved-in (a ``rename`` from outside the tree,
  a ``cp -r``, a network share polled), once its ``(size, mtime_ns)`` has stayed the same for
  the quiet period;
* a file that a writer holds open (an ``opened`` event with no close yet) waits for its close,
  so a writer that stalls longer than the quiet period is not cut short; should the close event
  be lost (kernel queue overflow), it becomes ready after ``open_grace`` quiet periods.

Names that are never imported: dot-files and the partial-download suffixes in
``sources.folders.is_ignored_name`` (the walker's own rule). ``Batcher`` groups ready
paths into jobs (every few seconds or N files).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from photoimport.sources.folders import is_ignored_name

Signature = tuple[int, int]  # (size, mtime_ns)
StatFn = Callable[[str], Signature | None]


@dataclass(frozen=True)
class WatchOptions:
    quiet_seconds: float = 3.0  # size + mtime unchanged this long -> ready (no close event)
    rescan_seconds: float = 300.0  # periodic diff of the folder against the database
    batch_seconds: float = 2.0  # a ready file waits at most this long for others to join it
    batch_max: int = 500  # ... or until this many are ready
    polling: bool = False  # PollingObserver for every folder (network shares)
    polling_interval: float = 1.0
    folder: Path | None = None  # watch only this folder (registered if it is not yet)


def is_ignored(path: str | Path, root: str | Path | None = None) -> bool:
    """Dot-files, anything in a dot-folder (below ``root``) and partial downloads are skipped."""
    p = Path(path)
    if root is not None:
        try:
            p = p.relative_to(root)
        except ValueError:
            p = Path(p.name)
    else:
        p = Path(p.name)
    return any(is_ignored_name(part) for part in p.parts)


def stat_signature(path: str) -> Signature | None:
    """``(size, mtime_ns)`` of a regular file, or None when it is gone or not a regular file."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass
class _Pending:
    signature: Signature | None
    stable_since: float
    open_for_write: bool = False


@dataclass(frozen=True)
class ReadyFile:
    path: str
    signature: Signature
    reason: str  # "closed after writing" | "size stable" | "open but stable (close event lost)"


@dataclass
class Settler:
    """Tracks paths that are not ready yet; ``tick(now)`` returns those that became ready."""

    root: str
    quiet_seconds: float
    stat_fn: StatFn = stat_signature
    open_grace: float = 10.0  # quiet periods an open-for-write file waits for its close event
    pending: dict[str, _Pending] = field(default_factory=dict)
    open_paths: set[str] = field(default_factory=set)  # opened, no close seen yet
    ready_now: list[ReadyFile] = field(default_factory=list)

    def touch(self, path: str, now: float) -> None:
        """A created / modified / moved-in event, or a rescan finding: (re)start its timer."""
        if is_ignored(path, self.root):
            return
        item = self.pending.get(path)
        if item is None:
            self.pending[path] = _Pending(self.stat_fn(path), now, path in self.open_paths)
        else:
            sig = self.stat_fn(path)
            if sig != item.signature:
                item.signature = sig
                item.stable_since = now

    def opened(self, path: str) -> None:
        """A file was opened: it may be a writer (its close tells which), so wait for the close."""
        if is_ignored(path, self.root):
            return
        self.open_paths.add(path)
        item = self.pending.get(path)
        if item is not None:
            item.open_for_write = True

    def closed_no_write(self, path: str) -> None:
        """Closed by a reader: the open did not mean a writer holds it."""
        self.open_paths.discard(path)
        item = self.pending.get(path)
        if item is not None:
            item.open_for_write = False

    def closed(self, path: str) -> None:
        """Closed after writing: ready at once (when it still exists)."""
        self.open_paths.discard(path)
        if is_ignored(path, self.root):
            return
        self.pending.pop(path, None)
        sig = self.stat_fn(path)
        if sig is not None:
            self.ready_now.append(ReadyFile(path, sig, "closed after writing"))

    def forget(self, path: str, *, is_dir: bool = False) -> None:
        """Deleted or moved away (a folder: everything under it)."""
        self.pending.pop(path, None)
        self.open_paths.discard(path)
        if not is_dir:
            return
        prefix = path.rstrip(os.sep) + os.sep
        for p in [p for p in self.pending if p.startswith(prefix)]:
            del self.pending[p]
        self.open_paths = {p for p in self.open_paths if not p.startswith(prefix)}

    def tick(self, now: float) -> list[ReadyFile]:
        """Re-stat the pending paths; return every path that became ready since the last tick."""
        ready, self.ready_now = self.ready_now, []
        for path, item in list(self.pending.items()):
            sig = self.stat_fn(path)
            if sig is None:  # gone, or not a regular file
                del self.pending[path]
                continue
            if sig != item.signature:
                item.signature = sig
                item.stable_since = now
                continue
            quiet = now - item.stable_since
            if item.open_for_write:
                if quiet >= self.quiet_seconds * self.open_grace:
                    del self.pending[path]
                    ready.append(ReadyFile(path, sig, "open but stable (close event lost)"))
            elif quiet >= self.quiet_seconds:
                del self.pending[path]
                ready.append(ReadyFile(path, sig, "size stable"))
        return ready

    def is_pending(self, path: str) -> bool:
        return path in self.pending


@dataclass
class Batcher:
    """Ready paths of one folder, flushed as one job every ``max_age`` seconds or ``max_files``."""

    max_age: float
    max_files: int
    paths: list[str] = field(default_factory=list)
    first_at: float | None = None

    def add(self, paths: Iterable[str], now: float) -> None:
        for path in paths:
            if self.first_at is None:
                self.first_at = now
            self.paths.append(path)

    def is_due(self, now: float) -> bool:
        if not self.paths or self.first_at is None:
            return False
        return len(self.paths) >= self.max_files or now - self.first_at >= self.max_age

    def take(self) -> list[str]:
        paths, self.paths, self.first_at = self.paths, [], None
        return paths
