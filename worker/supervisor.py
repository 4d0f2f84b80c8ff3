"""The worker's pool of processes, supervised: one file per process at a time, so a file that
crashes, hangs or eats memory is that file's error and never the job's end.

``Supervisor`` forks ``processes`` pool processes (``fork``: they start with the pipeline already
imported) and talks to each over its own pipe. It always knows which file each process holds and
since when, which a ``ProcessPoolExecutor`` cannot say:

* a process that dies (SIGSEGV in a decoder, ``abort()``, an OOM kill) is replaced at once; its
  file is tried again on a fresh process, and recorded as "the decoder crashed (signal N)" when
  it has killed a process twice (earlier runs of the job count too: the caller passes how many
  attempts a file already had). The other files in flight never notice;
* a file still running after ``file_timeout`` seconds has its process killed and is recorded as
  "took longer than N s" (not tried again: it would only hang again);
* ``wait`` looks at ``should_stop`` every ``poll`` seconds, so Pause and Cancel take effect
  within that time even while a file hangs: ``close`` then kills the busy processes.

The supervisor runs in the caller's thread (no thread of its own): it forks only from there,
under ``fork_lock``, which the worker's heartbeat thread also holds while it talks to the
database, so a new process never inherits a lock (SQLite's, a connection pool's) that another
thread was holding at the moment of the fork.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("worker")

MAX_CRASHES = 2  # attempts that killed their process before a file is recorded as crashing
SLOW_NOTICE = 5.0  # a file still running after this long is named in the log


class Waited(StrEnum):
    DONE = "done"  # every task waited for has its result
    STOPPED = "stopped"  # should_stop() said so
    TIMEOUT = "timeout"  # results are still missing after the time given


@dataclass(frozen=True)
class Task:
    key: int  # the caller's name for it (a JobItem id)
    payload: Any  # what the pool process is sent
    label: str = ""  # how the log names it (the file's path)
    earlier_attempts: int = 0  # attempts of earlier runs that ended without a result


@dataclass(frozen=True)
class PoolFailure:
    """A file that never came back from the pool: why, in plain words."""

    reason: str


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    task: Task | None = None
    since: float = 0.0
    noticed: bool = False


def crash_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"the decoder crashed (signal {-exitcode})"
    return f"the decoder's process exited unexpectedly (exit code {exitcode})"


class Supervisor:
    def __init__(
        self,
        processes: int,
        child_main: Callable[[Connection], None],
        file_timeout: float,
        fork_lock: threading.Lock | None = None,
    ) -> None:
        self._ctx = multiprocessing.get_context("fork")
        self._child_main = child_main
        self.file_timeout = file_timeout
        self.fork_lock = fork_lock or threading.Lock()
        self._queue: deque[Task] = deque()
        self._results: dict[int, object] = {}
        self._crashes: dict[int, int] = {}
        self._slots: list[_Slot] = [self._start() for _ in range(max(1, processes))]

    # --- processes ------------------------------------------------------------------------
    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe(duplex=True)
        with self.fork_lock:
            process = self._ctx.Process(target=_child, args=(child, self._child_main), daemon=True)
            process.start()
        child.close()
        return _Slot(process=process, conn=parent)

    def _kill(self, slot: _Slot) -> None:
        if slot.process.is_alive() and slot.process.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # it has just ended by itself
                os.kill(slot.process.pid, signal.SIGKILL)
        slot.process.join()
        slot.conn.close()

    def _replace(self, index: int) -> None:
        self._kill(self._slots[index])
        self._slots[index] = self._start()

    # --- tasks ----------------------------------------------------------------------------
    def submit(self, task: Task) -> None:
        self._queue.append(task)
        self._dispatch()

    def done(self, key: int) -> bool:
        return key in self._results

    def take(self, key: int) -> object:
        """The result sent back for ``key`` (or a ``PoolFailure``); only once ``done(key)``."""
        return self._results.pop(key)

    def _dispatch(self) -> None:
        for index, slot in enumerate(self._slots):
            if not self._queue:
                return
            if slot.task is not None:
                continue
            task = self._queue.popleft()
            try:
                slot.conn.send(task.payload)
            except OSError:  # the process died while idle: a fresh one takes the next turn
                self._queue.appendleft(task)
                self._replace(index)
                continue
            slot.task, slot.since, slot.noticed = task, time.monotonic(), False

    def wait(
        self,
        keys: Iterable[int],
        should_stop: Callable[[], bool],
        poll: float = 0.5,
        timeout: float | None = None,
    ) -> Waited:
        """Run until every task in ``keys`` has a result (DONE), ``should_stop()`` (STOPPED) or
        ``timeout`` seconds have passed (TIMEOUT)."""
        wanted = set(keys)
        started = time.monotonic()
        next_look = started + poll
        while True:
            self._dispatch()
            if wanted.issubset(self._results):
                return Waited.DONE
            now = time.monotonic()
            if now >= next_look:
                if should_stop():
                    return Waited.STOPPED
                if timeout is not None and now - started >= timeout:
                    return Waited.TIMEOUT
                next_look = now + poll
            deadline = min(
                [next_look] + [s.since + self.file_timeout for s in self._slots if s.task]
            )  # (the slow-file notice rides on the half-second looks)
            self._step(max(0.0, deadline - now))

    def _step(self, timeout: float) -> None:
        busy = {s.conn: s for s in self._slots if s.task is not None}
        watch: list[Any] = [*busy, *(s.process.sentinel for s in self._slots)]
        ready = set(wait(watch, timeout))
        for index, slot in enumerate(list(self._slots)):
            if slot.conn in ready and slot.task is not None:
                try:
                    reply = slot.conn.recv()
                except (EOFError, OSError):
                    self._died(index)
                    continue
                self._results[slot.task.key] = reply
                slot.task = None
            elif slot.process.sentinel in ready:
                self._died(index)
        now = time.monotonic()
        for index, slot in enumerate(self._slots):
            if slot.task is not None and not slot.noticed and now - slot.since >= SLOW_NOTICE:
                slot.noticed = True
                log.info("%s: still processing after %g s", slot.task.label, SLOW_NOTICE)
            if slot.task is not None and now - slot.since >= self.file_timeout:
                task = slot.task
                log.warning("%s: over %g s; killing its process", task.label, self.file_timeout)
                self._results[task.key] = PoolFailure(f"took longer than {self.file_timeout:g} s")
                slot.task = None
                self._replace(index)

    def _died(self, index: int) -> None:
        slot = self._slots[index]
        slot.process.join()
        reason = crash_reason(slot.process.exitcode)
        task, slot.task = slot.task, None
        self._replace(index)
        if task is None:
            log.warning("a pool process ended while idle (%s); replaced", reason)
            return
        crashes = self._crashes.get(task.key, 0) + 1
        self._crashes[task.key] = crashes
        log.warning("%s: %s (attempt %d)", task.label, reason, task.earlier_attempts + crashes)
        if task.earlier_attempts + crashes >= MAX_CRASHES:
            self._results[task.key] = PoolFailure(reason)
        else:
            self._queue.appendleft(task)

    def forget(self, keys: Iterable[int]) -> None:
        """Drop queued tasks and results of ``keys`` (a stopping worker gives them back)."""
        drop = set(keys)
        self._queue = deque(t for t in self._queue if t.key not in drop)
        for key in drop:
            self._results.pop(key, None)

    def close(self) -> None:
        """Stop every process: idle ones are asked to leave, busy ones are killed."""
        for slot in self._slots:
            if slot.task is None:
                with contextlib.suppress(OSError):  # already gone: it is joined below
                    slot.conn.send(None)
        deadline = time.monotonic() + 2.0
        for slot in self._slots:
            if slot.task is None:
                slot.process.join(max(0.0, deadline - time.monotonic()))
            self._kill(slot)
        self._slots = []


def _child(conn: Connection, child_main: Callable[[Connection], None]) -> None:
    code = 0
    try:
        child_main(conn)
    except BaseException:  # the child's boundary: say why in the worker's log, then leave
        log.exception("a pool process failed")
        code = 1
    os._exit(code)
