"""List a folder job's files into items, committing as it goes (``discover.iter_image_files``).

Each path is stat'ed as it is listed; paths go in chunks (``db.seen.list_entries``): a path the
job already has is left alone, so a listing cut short (a crash, a pause) simply starts again on
resume without duplicating an item. A file whose path, size, mtime, inode and ctime equal what
the library recorded is linked at once without being read (unless ``skip_unchanged`` is off:
the ``verify_unchanged`` setting, ``import --verify``). After each chunk the job's ``total``
is the items found so far, which the progress shows as "scanning: found N files", and the
caller is asked whether to keep going.

``PHOTOIMPORT_TEST_LIST_DELAY`` (seconds, tests only): chunks shrink to 10 paths and the listing
sleeps this long after each, so a test can kill or pause a worker in the middle of a listing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.db import claims, seen
from photoimport.sources.folders import iter_image_files

CHUNK = 500
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_LIST_DELAY"


def _entry(path: Path) -> tuple[str, seen.FileStat | None]:
    """The path and its stat (None when it cannot be trusted to tell a change: see db.seen)."""
    try:
        stat = seen.file_stat(path.stat())
    except OSError:
        return str(path), None  # the worker will say why it cannot read it
    return str(path), stat if seen.trustworthy(stat, time.time_ns()) else None


def _add(
    engine: Engine, job_id: int, chunk: list[tuple[str, seen.FileStat | None]], skip: bool
) -> int:
    with claims.write_transaction(engine) as conn:
        return seen.list_entries(conn, job_id, chunk, skip_unchanged=skip)


def list_folder(
    engine: Engine,
    job_id: int,
    root: Path,
    keep_going: Callable[[], bool],
    walk: Callable[[Path], Iterable[Path]] = iter_image_files,
    *,
    skip_unchanged: bool = True,
) -> bool:
    """List ``root`` into the job's items; False when ``keep_going`` said stop before the end.

    ``walk`` lists the folder (``iter_image_files`` with the allowed roots and the library's
    own paths fenced off: see the runner)."""
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
    size = 10 if delay > 0 else CHUNK
    chunk: list[tuple[str, seen.FileStat | None]] = []
    for path in walk(root):
        chunk.append(_entry(path))
        if len(chunk) >= size:
            _add(engine, job_id, chunk, skip_unchanged)
            chunk = []
            time.sleep(delay)
            if not keep_going():
                return False
    total = _add(engine, job_id, chunk, skip_unchanged)
    claims.finish_listing(engine, job_id, total)
    return True
