"""Start and stop the detached watcher process from a front end (Watch page, CLI).

* ``start_watcher``: ``python -m photoimport watch [--folder PATH]`` in its own session, output
  to ``logs/watcher.log`` (never a pipe), reaped by a daemon thread; refused while a watcher with
  a fresh heartbeat already covers the folders.
* ``stop_watcher``: SIGTERM to the pid of each live watcher of this host (from its heartbeat row);
  the watcher hands its ready files to a job, marks its folders stopped and removes its row.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.errors import WatchError
from photoimport.jobs.spawn import spawn_detached
from photoimport.settings import Settings
from photoimport.watch.registry import live_watchers, resolve_folder, unregister_watcher


def start_watcher(
    settings: Settings,
    engine: Engine,
    folder: Path | str | None = None,
    *,
    extra_args: tuple[str, ...] = (),
) -> int:
    """Start the watcher detached; returns its pid. ``extra_args``: e.g. ``("--polling",)``."""
    wanted = str(resolve_folder(folder)) if folder is not None else None
    for w in live_watchers(engine):
        if w.folder is None or wanted is None or w.folder == wanted:
            raise WatchError(f"a watcher is already running (pid {w.pid} on {w.host})")
    args = ["photoimport", "watch"]
    if wanted is not None:
        args += ["--folder", wanted]
    return spawn_detached(settings, [*args, *extra_args], settings.logs_dir / "watcher.log")


def stop_watcher(engine: Engine, *, wait_seconds: float = 10.0) -> list[int]:
    """SIGTERM every live watcher of this host; wait until their rows are gone. Returns pids."""
    host = socket.gethostname()
    signalled: list[int] = []
    for w in live_watchers(engine):
        if w.host != host:
            continue  # another machine's watcher cannot be signalled from here
        assert w.id is not None
        try:
            os.kill(w.pid, signal.SIGTERM)
        except ProcessLookupError:
            unregister_watcher(engine, w.id)  # died without cleaning up: forget its row
            continue
        signalled.append(w.pid)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if not any(w.pid in signalled for w in live_watchers(engine)):
            break
        time.sleep(0.1)
    return signalled


def watcher_running(engine: Engine) -> bool:
    return bool(live_watchers(engine))
