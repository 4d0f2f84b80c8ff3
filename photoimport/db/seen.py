"""Unchanged files are not read again: what each path held when the library last read it.

``SeenPath`` has one row per path an import ended: the content it was linked to (or that it
failed) and the file's stat *as the listing saw it before the file was read*: size,
``st_mtime_ns`` and, where the file system has them, inode and ``st_ctime_ns``.

* ``list_entries``: a listing chunk becomes items. Paths whose stat equals the recorded one are
  inserted already ended (SKIPPED, linked to their content, counted in ``Job.unchanged``):
  nothing reads them. The others become PENDING items that carry the stat they were listed
  with. One indexed ``path IN (...)`` look-up per chunk, whatever the library's size.
* ``record_batch`` (inside ``claims.commit_batch``'s transaction): the batch's ended items
  update their paths' rows (the triggers of ``db.counters`` keep the totals).

Why the listing's stat is safe: the file is read *after* it was stat'ed, so if it changes in
between, the stat recorded is the older one, which no longer matches next time: the file is
read again. A file changed less than ``RACY_NS`` before the listing (within one coarse mtime
tick of it) is listed without a stat and never skipped (git's "racy clean" rule). ctime cannot
be set back by a program, so a ``touch -d`` that restores an mtime is still seen as a change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from photoimport.db.models import ITEM, JOB, ItemState, SeenPath, utcnow

__all__ = [
    "RACY_NS",
    "SEEN",
    "FileStat",
    "added_contents",
    "file_stat",
    "list_entries",
    "record_batch",
    "unchanged_paths",
]

SEEN: sa.Table = SeenPath.__table__  # type: ignore[attr-defined]

RACY_NS = 2_000_000_000  # FAT keeps mtimes in 2 s steps: a file this fresh may change unseen
LOOKUP_CHUNK = 500
NOT_IMPORTS = frozenset({"export"})  # job kinds whose items are not the library's paths
_ENDED = (ItemState.DONE.value, ItemState.SKIPPED.value, ItemState.ERROR.value)


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int
    inode: int | None  # None where the file system has none (st_ino == 0)
    ctime_ns: int | None

    def columns(self) -> dict[str, int | None]:
        """As ``JobItem``'s ``stat_*`` columns."""
        return {
            "stat_size": self.size,
            "stat_mtime_ns": self.mtime_ns,
            "stat_inode": self.inode,
            "stat_ctime_ns": self.ctime_ns,
        }


NO_STAT: dict[str, int | None] = {
    "stat_size": None,
    "stat_mtime_ns": None,
    "stat_inode": None,
    "stat_ctime_ns": None,
}


def file_stat(st: os.stat_result) -> FileStat:
    inode = st.st_ino or None
    if inode is not None and inode >= 2**63:  # 64-bit unsigned inodes into a signed column
        inode -= 2**64
    return FileStat(st.st_size, st.st_mtime_ns, inode, getattr(st, "st_ctime_ns", None) or None)


def trustworthy(stat: FileStat, listed_ns: int) -> bool:
    """False for a file changed so recently that a change in the same tick could go unseen."""
    return max(stat.mtime_ns, stat.ctime_ns or 0) < listed_ns - RACY_NS


def unchanged_paths(conn: sa.Connection, stats: Mapping[str, FileStat]) -> dict[str, int]:
    """Paths whose recorded stat equals ``stats[path]``: path -> the content's ``File.id``."""
    found: dict[str, int] = {}
    paths = list(stats)
    for start in range(0, len(paths), LOOKUP_CHUNK):
        rows = conn.execute(
            sa.select(
                SEEN.c.path,
                SEEN.c.file_id,
                SEEN.c.size,
                SEEN.c.mtime_ns,
                SEEN.c.inode,
                SEEN.c.ctime_ns,
            ).where(
                SEEN.c.path.in_(paths[start : start + LOOKUP_CHUNK]),
                SEEN.c.file_id.is_not(None),
                SEEN.c.size.is_not(None),
            )
        ).all()
        for path, file_id, size, mtime_ns, inode, ctime_ns in rows:
            if stats[path] == FileStat(size, mtime_ns, inode, ctime_ns):
                found[path] = int(file_id)
    return found


def list_entries(
    conn: sa.Connection,
    job_id: int,
    entries: Sequence[tuple[str, FileStat | None]],
    *,
    skip_unchanged: bool,
) -> int:
    """Insert a listing chunk as the job's items (paths it already has are left alone);
    unchanged files end at once, linked to their content. Returns the job's item count."""
    paths = [p for p, _ in entries]
    have: set[str] = set()
    for start in range(0, len(paths), LOOKUP_CHUNK):
        have.update(
            conn.execute(
                sa.select(ITEM.c.path).where(
                    ITEM.c.job_id == job_id, ITEM.c.path.in_(paths[start : start + LOOKUP_CHUNK])
                )
            ).scalars()
        )
    fresh = [(p, s) for p, s in dict(entries).items() if p not in have]
    known: dict[str, int] = {}
    if skip_unchanged:
        known = unchanged_paths(conn, {p: s for p, s in fresh if s is not None})
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for path, stat in fresh:
        row: dict[str, Any] = {
            "job_id": job_id,
            "path": path,
            "state": ItemState.PENDING.value,
            "attempts": 0,
            "file_id": None,
            "finished_at": None,
            **(stat.columns() if stat is not None else NO_STAT),
        }
        if path in known:
            row.update(state=ItemState.SKIPPED.value, file_id=known[path], finished_at=now)
        rows.append(row)
    if rows:
        conn.execute(ITEM.insert(), rows)
    unchanged = len(known)
    total = conn.execute(
        JOB.update()
        .where(JOB.c.id == job_id)
        .values(
            total=JOB.c.total + len(rows),
            done=JOB.c.done + unchanged,
            skipped=JOB.c.skipped + unchanged,
            unchanged=JOB.c.unchanged + unchanged,
            current_file=None,
        )
        .returning(JOB.c.total)
    ).scalar_one()
    return int(total)


def added_contents(engine: Engine, job_id: int) -> bool:
    """Whether the job brought any new content (a DONE item): else its end need not regroup."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(ITEM.c.id)
            .where(ITEM.c.job_id == job_id, ITEM.c.state == ItemState.DONE.value)
            .limit(1)
        ).first()
    return found is not None


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def record_batch(conn: sa.Connection, job_id: int, item_ids: Sequence[int]) -> None:
    """The ended items' paths now hold what they linked (or failed), with the listed stat.

    Runs inside the batch's transaction: one select of the batch's items by primary key, one
    upsert by the unique path. The triggers of ``db.counters`` move ``File.path_count`` and the
    library counters in the same transaction. Rows go in path order, so two PostgreSQL
    transactions that share paths take their locks in the same order.
    """
    if not item_ids:
        return
    kind = conn.execute(sa.select(JOB.c.kind).where(JOB.c.id == job_id)).scalar_one()
    if kind in NOT_IMPORTS:
        return
    items = conn.execute(
        sa.select(
            ITEM.c.path,
            ITEM.c.state,
            ITEM.c.file_id,
            ITEM.c.stat_size,
            ITEM.c.stat_mtime_ns,
            ITEM.c.stat_inode,
            ITEM.c.stat_ctime_ns,
        )
        .where(ITEM.c.id.in_(sorted(item_ids)), ITEM.c.state.in_(_ENDED))
        .order_by(ITEM.c.path)
    ).all()
    if not items:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for r in items:
        failed = r.state == ItemState.ERROR.value
        file_id = None if failed else r.file_id
        keep = file_id is not None and r.stat_size is not None
        rows.append(
            {
                "path": r.path,
                "file_id": file_id,
                "failed": failed,
                "size": r.stat_size if keep else None,
                "mtime_ns": r.stat_mtime_ns if keep else None,
                "inode": r.stat_inode if keep else None,
                "ctime_ns": r.stat_ctime_ns if keep else None,
                "job_id": job_id,
                "updated_at": now,
            }
        )
    ins = _insert(conn, SEEN)
    changed = ("file_id", "failed", "size", "mtime_ns", "inode", "ctime_ns", "job_id", "updated_at")
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["path"], set_={c: getattr(ins.excluded, c) for c in changed}
        ),
        rows,
    )
