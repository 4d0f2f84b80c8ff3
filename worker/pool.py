"""The process pool the worker hands files to, and the one task that runs inside it.

* ``make_pool(n, database_url)``: a ``ProcessPoolExecutor`` of ``n`` processes started with
  ``fork``: they begin with the pipeline already imported, so a job's first file starts at
  once instead of after each process re-imports Pillow, numpy and SQLAlchemy (about 0.7 s of
  CPU each on this 2-core machine). The runner forks them before it starts any thread and
  while no transaction is open; a pool process never touches the engine it inherits (it makes
  its own in the initializer) and leaves with ``os._exit``. Each process sets the decoders to
  one thread (``pipeline.configure_for_pool``: the pool already uses every core), asks the
  kernel to kill it if the worker dies (``PR_SET_PDEATHSIG``, so a ``kill -9`` of the worker
  leaves no orphans), and opens its own read-only use of the database.
* ``handle(path, settings)``: ``process_file`` with ``is_known``: once the file is read and
  hashed, content the library already holds stops there (no decode, no thumbnail, no second
  read). Doing both in one task keeps the pool busy without a barrier between passes.

``PHOTOIMPORT_TEST_ITEM_DELAY`` (seconds, tests only): each ``handle`` call sleeps this long
first, which makes "kill the worker in the middle of a batch" reliably hittable. It is unset in
normal use.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.db.engine import make_engine
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file

TEST_DELAY_ENV = "PHOTOIMPORT_TEST_ITEM_DELAY"
_PR_SET_PDEATHSIG = 1
_engine: Engine | None = None


@dataclass(frozen=True)
class Handled:
    """A file's outcome in the pool: content already known (``known_sha256``) or processed."""

    known_sha256: str | None = None
    result: FileResult | None = None


def _init_pool_process(database_url: str, worker_pid: int) -> None:
    global _engine  # one engine per pool process, made by its initializer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: no parent-death signal; the check below still runs
    if os.getppid() != worker_pid:
        os._exit(1)  # the worker died while this process was starting: nobody to serve
    configure_for_pool()
    _engine = make_engine(database_url, migrate=False)


def make_pool(processes: int, database_url: str) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=max(1, processes),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_pool_process,
        initargs=(database_url, os.getpid()),
    )


def warm_up() -> None:
    """A no-op task: submitting it starts the pool's processes."""


def _is_known(digest: str) -> bool:
    return _engine is not None and claims.is_known(_engine, digest)


def handle(path: str, settings: PipelineSettings) -> Handled:
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
    if delay > 0:
        time.sleep(delay)
    result = process_file(Path(path), settings, is_known=_is_known)
    if result.already_known:
        return Handled(known_sha256=result.sha256)
    return Handled(result=result)
