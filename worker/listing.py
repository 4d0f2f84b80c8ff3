"""List a folder job's files into items, committing as it goes (``discover.iter_image_files``).

Paths go in chunks with ``INSERT ... ON CONFLICT (job_id, path) DO NOTHING``, so a listing cut
short (a crash, a pause) simply starts again on resume without duplicating an item. After each
chunk the job's ``total`` is set to the items found so far, which the progress shows as
"scanning: found N files", and the caller is asked whether to keep going.

``PHOTOIMPORT_TEST_LIST_DELAY`` (seconds, tests only): chunks shrink to 10 paths and the listing
sleeps this long after each, so a test can kill or pause a worker in the middle of a listing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.sources.folders import iter_image_files

CHUNK = 500
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_LIST_DELAY"


def list_folder(
    engine: Engine,
    job_id: int,
    root: Path,
    keep_going: Callable[[], bool],
    walk: Callable[[Path], Iterable[Path]] = iter_image_files,
) -> bool:
    """List ``root`` into the job's items; False when ``keep_going`` said stop before the end.

    ``walk`` lists the folder (``iter_image_files`` with the allowed roots and the library's
    own paths fenced off: see the runner)."""
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
    size = 10 if delay > 0 else CHUNK
    chunk: list[str] = []
    for path in walk(root):
        chunk.append(str(path))
        if len(chunk) >= size:
            claims.insert_items(engine, job_id, chunk)
            chunk = []
            time.sleep(delay)
            if not keep_going():
                return False
    count = claims.insert_items(engine, job_id, chunk)
    claims.finish_listing(engine, job_id, count)
    return True
