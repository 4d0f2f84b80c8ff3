"""The library's duplicate groups, computed when a job ends and kept as rows.

``assign_near_groups(engine, distance)`` (the worker calls it after each job):

1. groups every primary photo (``File.variant_of IS NULL``: a RAW beside its JPEG or a Live
   Photo's motion part is never a duplicate of its primary) by perceptual hash and bursts,
   leaving out the pairs a person called "not duplicates" (``duplicates.kinds``);
2. stores each photo's copy component in ``File.near_group`` (NULL for a photo alone; only
   changed rows are written);
3. ``refresh_groups``: brings the ``DupGroup``/``DupMember`` rows in step: exact groups (one
   content under several paths) and near groups (copies, similar). A group keeps its row, id
   and decision while its key lives; a group that gains a member returns to review (its
   discarded members stay discarded).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from photoimport.db.counters import is_exact_duplicate
from photoimport.db.decisions import DupGroup, DupGroupJob, DupMember, NotDuplicate
from photoimport.db.models import FILE, ITEM
from photoimport.duplicates.kinds import KindedGroup, Shot, group_with_kinds, sha_pair
from photoimport.duplicates.values import GroupKind

__all__ = ["assign_near_groups", "refresh_groups"]

GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
MEMBER: sa.Table = DupMember.__table__  # type: ignore[attr-defined]
GROUPJOB: sa.Table = DupGroupJob.__table__  # type: ignore[attr-defined]
NOTDUP: sa.Table = NotDuplicate.__table__  # type: ignore[attr-defined]

Wanted = dict[tuple[str, int], tuple[tuple[int, ...], int, datetime | None]]


def assign_near_groups(engine: Engine, max_distance: int) -> int:
    """Group the library (see the module docstring); returns the number of near groups."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                FILE.c.id,
                FILE.c.sha256,
                FILE.c.phash,
                FILE.c.near_group,
                FILE.c.make,
                FILE.c.model,
                FILE.c.effective_utc,
                FILE.c.variant_of,
            )
        ).all()
        not_dups = {
            sha_pair(a, b) for a, b in conn.execute(sa.select(NOTDUP.c.sha_a, NOTDUP.c.sha_b))
        }
    shots = [
        Shot(
            id=r.id,
            sha256=r.sha256,
            phash=r.phash,
            camera=" ".join(p for p in (r.make, r.model) if p) or None,
            taken=None if r.effective_utc is None else r.effective_utc.timestamp(),
        )
        for r in rows
        if r.phash and r.variant_of is None
    ]
    grouping = group_with_kinds(shots, max_distance, not_dups)
    changes = [
        {"fid": r.id, "gid": grouping.copy_group.get(r.id)}
        for r in rows
        if r.near_group != grouping.copy_group.get(r.id)
    ]
    newest = {r.id: r.effective_utc for r in rows}
    with engine.begin() as conn:
        if changes:
            conn.execute(
                FILE.update()
                .where(FILE.c.id == sa.bindparam("fid"))
                .values(near_group=sa.bindparam("gid")),
                changes,
            )
        refresh_groups(conn, grouping.groups, newest)
    return len(grouping.groups)


def refresh_groups(
    conn: Connection, near: Iterable[KindedGroup], taken: dict[int, datetime | None]
) -> None:
    """Bring the group rows in step with ``near`` and the exact groups (in ``conn``'s
    transaction). ``taken``: each photo's effective UTC time (a group's newest member)."""
    wanted: Wanted = {}
    for group in near:
        wanted[(group.kind.value, group.ids[0])] = (
            group.ids,
            len(group.ids),
            _newest(group.ids, taken),
        )
    for file_id, paths in _exact(conn):
        wanted[(GroupKind.EXACT.value, file_id)] = ((file_id,), paths, taken.get(file_id))
    existing = {
        (r.kind, r.key): r
        for r in conn.execute(
            sa.select(GROUP.c.id, GROUP.c.kind, GROUP.c.key, GROUP.c.size, GROUP.c.newest_utc)
        )
    }
    members: dict[int, set[int]] = {}
    for gid, fid in conn.execute(sa.select(MEMBER.c.group_id, MEMBER.c.file_id)):
        members.setdefault(gid, set()).add(fid)
    gone = [row.id for key, row in existing.items() if key not in wanted]
    _delete(conn, gone)
    new = [key for key in wanted if key not in existing]
    if new:
        conn.execute(
            GROUP.insert(),
            [
                {"kind": k, "key": n, "size": wanted[(k, n)][1], "newest_utc": wanted[(k, n)][2]}
                for k, n in new
            ],
        )
        ids = {
            (r.kind, r.key): r.id
            for r in conn.execute(sa.select(GROUP.c.id, GROUP.c.kind, GROUP.c.key))
        }
        rows = [{"group_id": ids[key], "file_id": f} for key in new for f in wanted[key][0]]
        conn.execute(MEMBER.insert(), rows)
    for key, row in existing.items():
        if key in wanted:
            _update(conn, row, wanted[key], members.get(row.id, set()))
    _group_jobs(conn)


def _group_jobs(conn: Connection) -> None:
    """Rebuild which jobs saw a member of each group (one statement each way)."""
    conn.execute(GROUPJOB.delete())
    seen = (
        sa.select(MEMBER.c.group_id, ITEM.c.job_id)
        .join(ITEM, ITEM.c.file_id == MEMBER.c.file_id)
        .distinct()
    )
    conn.execute(GROUPJOB.insert().from_select(["group_id", "job_id"], seen))


def _newest(ids: Iterable[int], taken: dict[int, datetime | None]) -> datetime | None:
    times = [t for t in (taken.get(i) for i in ids) if t is not None]
    return max(times, default=None)


def _exact(conn: Connection) -> list[tuple[int, int]]:
    """(file id, paths) of the primary contents that are exact duplicates (``db.counters``)."""
    query = sa.select(FILE.c.id, FILE.c.path_count).where(
        is_exact_duplicate(FILE.c.path_count), FILE.c.variant_of.is_(None)
    )
    return [(int(f), int(n)) for f, n in conn.execute(query)]


def _delete(conn: Connection, group_ids: list[int]) -> None:
    for start in range(0, len(group_ids), 500):
        chunk = group_ids[start : start + 500]
        conn.execute(MEMBER.delete().where(MEMBER.c.group_id.in_(chunk)))
        conn.execute(GROUPJOB.delete().where(GROUPJOB.c.group_id.in_(chunk)))
        conn.execute(GROUP.delete().where(GROUP.c.id.in_(chunk)))


def _update(
    conn: Connection,
    row: sa.Row[*tuple[Any, ...]],
    wanted: tuple[tuple[int, ...], int, datetime | None],
    current: set[int],
) -> None:
    ids, size, newest = wanted
    values: dict[str, object] = {}
    if set(ids) != current:
        conn.execute(MEMBER.delete().where(MEMBER.c.group_id == row.id))
        conn.execute(MEMBER.insert(), [{"group_id": row.id, "file_id": f} for f in ids])
        if not set(ids) <= current:  # someone new: the group is to be reviewed again
            values["decision_id"] = None
    if size != row.size:
        values["size"] = size
        if row.kind == GroupKind.EXACT.value and size > row.size:
            values["decision_id"] = None
    if newest != row.newest_utc:
        values["newest_utc"] = newest
    if values:
        conn.execute(GROUP.update().where(GROUP.c.id == row.id).values(**values))
