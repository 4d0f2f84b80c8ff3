"""The process pool the worker hands files to, and the functions that run inside it.

* ``make_pool(n)``: a ``ProcessPoolExecutor`` of ``n`` processes started with ``spawn`` (no
  inherited database connections or threads). Each process sets pillow-heif's decode threads
  to 1 (the pool already uses every core) and asks the kernel to kill it if the worker dies
  (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the worker never leaves orphans behind.
* ``hash_file(path)``: the cheap first pass (SHA-256), so content the library already holds is
  linked without being decoded or thumbnailed again.
* ``process(path, settings)``: ``photoimport.pipeline.process_file``.

``PHOTOIMPORT_TEST_ITEM_DELAY`` (seconds, tests only): each ``process`` call sleeps this long
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
from pathlib import Path

from photoimport.hashing import sha256_file
from photoimport.pipeline import FileResult, PipelineSettings, configure_for_pool, process_file

TEST_DELAY_ENV = "PHOTOIMPORT_TEST_ITEM_DELAY"
_PR_SET_PDEATHSIG = 1


def _init_pool_process() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: orphans then end when their call queue closes
    configure_for_pool()  # pillow-heif / AVIF decode threads: 1 per pool process


def make_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=max(1, processes),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_pool_process,
    )


def hash_file(path: str) -> str | None:
    """SHA-256 of the file, or None when it cannot be read (the pipeline then says why)."""
    try:
        return sha256_file(Path(path))
    except OSError:
        return None


def process(path: str, settings: PipelineSettings) -> FileResult:
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
    if delay > 0:
        time.sleep(delay)
    return process_file(Path(path), settings)
