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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from photoimport.claims import ITEM, JOB, write_transaction
from photoimport.discover import iter_image_files
from photoimport.models import ItemState

CHUNK = 500
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_LIST_DELAY"


def _insert_items(engine: Engine, job_id: int, paths: list[str]) -> int:
    """Add the paths as pending items (known ones ignored); returns the job's item count."""
    with write_transaction(engine) as conn:
        ins: Any = (
            postgresql.insert(ITEM) if conn.dialect.name == "postgresql" else sqlite.insert(ITEM)
        )
        if paths:
            conn.execute(
                ins.on_conflict_do_nothing(index_elements=["job_id", "path"]),
                [
                    {"job_id": job_id, "path": p, "state": ItemState.PENDING.value, "attempts": 0}
                    for p in paths
                ],
            )
        count = conn.execute(
            sa.select(sa.func.count()).select_from(ITEM).where(ITEM.c.job_id == job_id)
        ).scalar_one()
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(total=count, current_file=None))
    return int(count)


def list_folder(engine: Engine, job_id: int, root: Path, keep_going: Callable[[], bool]) -> bool:
    """List ``root`` into the job's items; False when ``keep_going`` said stop before the end."""
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
    size = 10 if delay > 0 else CHUNK
    chunk: list[str] = []
    for path in iter_image_files(root):
        chunk.append(str(path))
        if len(chunk) >= size:
            _insert_items(engine, job_id, chunk)
            chunk = []
            time.sleep(delay)
            if not keep_going():
                return False
    count = _insert_items(engine, job_id, chunk)
    with write_transaction(engine) as conn:
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(listing_done=True, total=count))
    return True
