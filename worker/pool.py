"""What runs inside a pool process: its start (``serve``) and the one task (``handle``).

The pool itself (processes, pipes, timeouts, crashes) is ``worker.supervisor``; this module is
the pool process's side:

* ``serve(conn, database_url, worker_pid, memory_mb)``: the body of a pool process. It starts
  forked from the worker, with the pipeline already imported (a job's first file starts at
  once instead of after each process re-imports Pillow, numpy and SQLAlchemy: about 0.7 s of
  CPU each on this 2-core machine). It never touches the engine it inherits (it makes its own)
  and leaves with ``os._exit``. Before its first file it sets the decoders to one thread
  (``pipeline.configure_for_pool``: the pool already uses every core), asks the kernel to kill
  it if the worker dies (``PR_SET_PDEATHSIG``, so a ``kill -9`` of the worker leaves no
  orphans), caps its address space at what it uses now plus ``memory_mb`` (``RLIMIT_AS``: a
  decompression bomb gets a ``MemoryError``, which the pipeline records as that file's error,
  instead of the kernel's OOM killer picking a process), and writes no core dumps. Then it
  answers one message at a time: a ``(path, settings)`` task gets a ``Handled``, ``None``
  ends it.
* ``handle(path, settings)``: ``process_file`` with ``is_known``: once the file is read and
  hashed, content the library already holds stops there (no decode, no thumbnail, no second
  read). Doing both in one task keeps the pool busy without a barrier between passes.

Test-only hooks, read from the environment and unset in normal use:

* ``PHOTOIMPORT_TEST_ITEM_DELAY`` (seconds): each ``handle`` call sleeps this long first, which
  makes "kill the worker in the middle of a batch" reliably hittable;
* ``PHOTOIMPORT_TEST_PLUGIN`` (a ``.py`` file): executed in each pool process before its first
  file. The fault-injection tests register a Pillow plugin this way whose decoder aborts, hangs
  or allocates without end (``tests/fault_plugin.py``); nothing else ever loads it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import resource
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import scipy.fftpack  # type: ignore[import-untyped]  # noqa: F401  (see below)
from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.db.engine import make_engine
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file

# ``scipy.fftpack`` is imported above because imagehash imports it on a process's first
# perceptual hash: imported here, in the worker before it forks the pool, no pool process pays
# for that import again (0.3 s of CPU each, most of a small job's first file).
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_ITEM_DELAY"
TEST_PLUGIN_ENV = "PHOTOIMPORT_TEST_PLUGIN"
_PR_SET_PDEATHSIG = 1
_engine: Engine | None = None


@dataclass(frozen=True)
class Handled:
    """A file's outcome in the pool: content already known (``known_sha256``) or processed."""

    known_sha256: str | None = None
    result: FileResult | None = None


def _init_pool_process(database_url: str, worker_pid: int) -> None:
    global _engine  # one engine per pool process, made at its start
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the worker's handler (SIGTERM pauses)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: no parent-death signal; the check below still runs
    if os.getppid() != worker_pid:
        os._exit(1)  # the worker died while this process was starting: nobody to serve
    configure_for_pool()
    _engine = make_engine(database_url, migrate=False)


def address_space_bytes() -> int:
    """This process's virtual memory size now (``/proc/self/statm``), 0 when unknown."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def limit_memory(memory_mb: int) -> None:
    """Cap this process at its present address space plus ``memory_mb``; no core dumps."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    base = address_space_bytes()
    if base <= 0 or memory_mb <= 0:
        return  # not Linux: no cap (the wall-clock limit and crash handling still apply)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = base + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def load_test_plugin() -> None:
    """Run the file ``PHOTOIMPORT_TEST_PLUGIN`` names (tests only; see the module docstring)."""
    path = os.environ.get(TEST_PLUGIN_ENV)
    if not path:
        return
    spec = importlib.util.spec_from_file_location("photoimport_test_plugin", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"{TEST_PLUGIN_ENV}={path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def serve(conn: Connection, database_url: str, worker_pid: int, memory_mb: int) -> None:
    """A pool process: answer tasks from ``conn`` until ``None`` or the worker is gone."""
    _init_pool_process(database_url, worker_pid)
    load_test_plugin()
    limit_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return  # the worker closed its end
        if task is None:
            return
        path, settings = task
        conn.send(handle(path, settings))


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
