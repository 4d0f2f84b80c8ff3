"""Duplicate groups stored in the library (the database side of ``duplicates.grouping``).

``assign_near_groups(engine, distance)`` groups every file of the library by perceptual hash
distance and stores each group's id, its smallest ``File.id``, in ``File.near_group`` (NULL for
a file alone). Only changed rows are written. The worker calls it when a job ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE
from photoimport.duplicates.grouping import Fingerprint, near_groups

__all__ = ["assign_near_groups"]


def assign_near_groups(engine: Engine, max_distance: int) -> int:
    """Group the whole library by perceptual hash; store each group's smallest id on its files.

    Returns the number of near-duplicate groups. Only rows whose group changed are written.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(FILE.c.id, FILE.c.sha256, FILE.c.phash, FILE.c.near_group)
        ).all()
    current = {r[0]: r[3] for r in rows}
    groups = near_groups(
        (Fingerprint(id=r[0], sha256=r[1], phash=r[2]) for r in rows if r[2]), max_distance
    )
    wanted: dict[int, int | None] = dict.fromkeys(current)
    for group in groups:
        for file_id in group.ids:
            wanted[file_id] = group.ids[0]
    changes = [(fid, gid) for fid, gid in wanted.items() if current[fid] != gid]
    if changes:
        with engine.begin() as conn:
            conn.execute(
                FILE.update()
                .where(FILE.c.id == sa.bindparam("fid"))
                .values(near_group=sa.bindparam("gid")),
                [{"fid": fid, "gid": gid} for fid, gid in changes],
            )
    return len(groups)
