"""A worker's batch commit: ``commit_batch`` (``db.claims`` re-exports it).

An item ends DONE / ERROR / SKIPPED only while this worker still holds it (``lease_owner``
matches), new contents go in with ``INSERT ... ON CONFLICT (sha256) DO NOTHING``, the seen paths
and counters move by the rows that really changed, and the job's counters and heartbeat, all in
one transaction. A result for an item someone else took over is dropped, so every item ends
exactly once.

Every per-item statement is built once, here, with bound parameters, and executed with each
item's values (issue 16): building ``insert(FILE).values(**row)`` for every new file (about 50
values, each coerced and folded into a cache key by SQLAlchemy) cost more CPU than SQLite's own
work, and the worker's main process shares the cores with its pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import ReturningInsert

from photoimport.db import seen
from photoimport.db.models import FILE, ITEM, JOB, File, ItemState, utcnow
from photoimport.db.transaction import write_transaction
from photoimport.db.work import BatchCounts, ItemOutcome

__all__ = ["commit_batch", "count_ended", "file_by_sha256"]


def count_ended(
    conn: sa.Connection, job_id: int, ended: BatchCounts, current_file: str | None, now: datetime
) -> None:
    """Add a batch's ended items to the job's counters, with its current file and heartbeat, in
    the batch's transaction (import and export batches alike)."""
    conn.execute(
        JOB.update()
        .where(JOB.c.id == job_id)
        .values(
            done=JOB.c.done + ended.done,
            errors=JOB.c.errors + ended.errors,
            skipped=JOB.c.skipped + ended.skipped,
            current_file=current_file,
            heartbeat_at=now,
        )
    )


# The bound names differ from the column names: SQLAlchemy reserves those in SET clauses.
_END_ITEM = (
    ITEM.update()
    .where(
        ITEM.c.id == sa.bindparam("b_item"),
        ITEM.c.lease_owner == sa.bindparam("b_owner"),
        ITEM.c.state == ItemState.CLAIMED.value,
    )
    .values(
        state=sa.bindparam("b_state"),
        error_stage=sa.bindparam("b_stage"),
        error_reason=sa.bindparam("b_reason"),
        lease_owner=None,
        lease_expires_at=None,
        finished_at=sa.bindparam("b_now"),
    )
)
_LINK_ITEM = (
    ITEM.update()
    .where(ITEM.c.id == sa.bindparam("b_item"))
    .values(state=sa.bindparam("b_state"), file_id=sa.bindparam("b_file"))
)
_LOST_ITEM = (
    ITEM.update()
    .where(ITEM.c.id == sa.bindparam("b_item"))
    .values(
        state=ItemState.ERROR.value,
        error_stage="read",
        error_reason="its content was not found in the library after processing",
    )
)
file_by_sha256 = sa.select(FILE.c.id).where(FILE.c.sha256 == sa.bindparam("b_sha"))
_FILE_COLUMNS = tuple(c.name for c in FILE.c if c.name != "id")
_INSERT_FILE: dict[str, ReturningInsert[int]] = {}


def _insert_file_statement(dialect: str) -> ReturningInsert[int]:
    """``INSERT INTO file ... ON CONFLICT (sha256) DO NOTHING RETURNING id`` (built once)."""
    stmt = _INSERT_FILE.get(dialect)
    if stmt is None:
        ins: Any = postgresql.insert(FILE) if dialect == "postgresql" else sqlite.insert(FILE)
        stmt = ins.on_conflict_do_nothing(index_elements=["sha256"]).returning(FILE.c.id)
        _INSERT_FILE[dialect] = stmt
    return stmt


def _file_values(file: File | Mapping[str, Any]) -> Mapping[str, Any]:
    """The row's values by column name (a ``File``: every column but the id)."""
    if isinstance(file, File):
        return {name: getattr(file, name) for name in _FILE_COLUMNS}
    return file


def _insert_file(conn: sa.Connection, file: File | Mapping[str, Any]) -> int | None:
    """Insert one content row unless its sha256 is known; its new id, or None when known."""
    stmt = _insert_file_statement(conn.dialect.name)
    new_id = conn.execute(stmt, _file_values(file)).scalar_one_or_none()
    return None if new_id is None else int(new_id)


def _link_file(conn: sa.Connection, out: ItemOutcome) -> ItemState:
    """Insert a new content (or find the known one) and link the item to it; its final state."""
    if out.state is ItemState.ERROR or out.sha256 is None:
        return out.state
    state: ItemState = out.state
    file_id: int | None = None
    if state is ItemState.DONE and out.file is not None:
        file_id = _insert_file(conn, out.file)
        if file_id is None:
            state = ItemState.SKIPPED  # another item brought this content first
    if file_id is None:
        file_id = conn.execute(file_by_sha256, {"b_sha": out.sha256}).scalar_one_or_none()
    if file_id is None:
        conn.execute(_LOST_ITEM, {"b_item": out.item_id})
        return ItemState.ERROR
    conn.execute(_LINK_ITEM, {"b_item": out.item_id, "b_state": state.value, "b_file": file_id})
    return state


def commit_batch(
    engine: Engine,
    job_id: int,
    owner: str,
    outcomes: Sequence[ItemOutcome],
    current_file: str | None,
) -> BatchCounts:
    """Write a batch's results, the job's counters and its heartbeat in one transaction."""
    now = utcnow()
    done = errors = skipped = dropped = 0
    ended: list[int] = []
    with write_transaction(engine) as conn:
        for out in outcomes:
            # First end the item, only while this worker still holds it (locks the row).
            held = conn.execute(
                _END_ITEM,
                {
                    "b_item": out.item_id,
                    "b_owner": owner,
                    "b_state": out.state.value,
                    "b_stage": out.error_stage,
                    "b_reason": out.error_reason,
                    "b_now": now,
                },
            ).rowcount
            if held != 1:
                dropped += 1
                continue
            state = _link_file(conn, out)
            ended.append(out.item_id)
            done += 1
            errors += state is ItemState.ERROR
            skipped += state is ItemState.SKIPPED
        count_ended(conn, job_id, BatchCounts(done, errors, skipped, dropped), current_file, now)
        seen.record_batch(conn, job_id, ended)  # issue 16: seen paths (+ counters, by triggers)
    return BatchCounts(done=done, errors=errors, skipped=skipped, dropped=dropped)
