"""The export job's SQL: its items (``ExportItem``), claimed with a lease and ended exactly once.

The same rules as the import's ``db.claims``: an item is claimed by one worker until its lease
expires (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), it ends
DONE / SKIPPED / ERROR only while that worker still holds it, and the job's counters move by the
rows that really changed, in the same transaction. What does not depend on an item's payload
is ``db.claims``'s, given the export's table: taking the job over (every claim given back in
the same transaction), extending and giving back leases, and whether any item is left.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.batch import count_ended
from photoimport.db.claims import write_transaction
from photoimport.db.models import EXPORT_ITEM, FILE, ItemState, utcnow
from photoimport.db.work import BatchCounts

__all__ = [
    "ExportTask",
    "TaskOutcome",
    "claim_tasks",
    "commit_outcomes",
    "export_counts",
    "finished_rows",
]

X = EXPORT_ITEM


@dataclass(frozen=True)
class ExportTask:
    """A claimed item with what copying it needs."""

    item_id: int
    target: str
    source: str
    name: str
    sha256: str
    size: int
    kind: str
    local: str | None  # effective local, ISO with offset
    utc_timestamp: float | None
    confidence: str
    decided: bool  # a date decision set the effective date
    capture_source: str | None
    offset_source: str | None
    renamed: bool


@dataclass(frozen=True)
class TaskOutcome:
    item_id: int
    state: ItemState
    how: str | None = None
    copy_sha256: str | None = None
    error_stage: str | None = None
    error_reason: str | None = None


def _pick(conn: sa.Connection, job_id: int, cond: sa.ColumnElement[bool], n: int) -> list[int]:
    pick = sa.select(X.c.id).where(X.c.job_id == job_id, cond).order_by(X.c.id).limit(n)
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    return [int(i) for i in conn.execute(pick).scalars()]


def claim_tasks(
    engine: Engine, job_id: int, owner: str, limit: int, lease_seconds: float
) -> list[ExportTask]:
    now = utcnow()
    expired = sa.and_(X.c.state == ItemState.CLAIMED.value, X.c.lease_expires_at < now)
    with write_transaction(engine) as conn:
        ids = _pick(conn, job_id, X.c.state == ItemState.PENDING.value, limit)
        if len(ids) < limit:
            ids += _pick(conn, job_id, expired, limit - len(ids))
        if not ids:
            return []
        conn.execute(
            X.update()
            .where(X.c.id.in_(ids))
            .values(
                state=ItemState.CLAIMED.value,
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=X.c.attempts + 1,
            )
        )
        rows = conn.execute(
            sa.select(
                X.c.id,
                X.c.target,
                X.c.renamed,
                FILE.c.path,
                FILE.c.name,
                FILE.c.sha256,
                FILE.c.size,
                FILE.c.kind,
                FILE.c.effective_local,
                FILE.c.effective_utc,
                FILE.c.effective_confidence,
                FILE.c.date_decision_id,
                FILE.c.capture_source,
                FILE.c.capture_offset_source,
            )
            .join(FILE, FILE.c.id == X.c.file_id)
            .where(X.c.id.in_(ids))
            .order_by(X.c.id)
        ).all()
    return [
        ExportTask(
            item_id=int(r[0]),
            target=str(r[1]),
            renamed=bool(r[2]),
            source=str(r[3]),
            name=str(r[4]),
            sha256=str(r[5]),
            size=int(r[6]),
            kind=str(r[7] or "photo"),
            local=r[8],
            utc_timestamp=r[9].timestamp() if r[9] is not None else None,
            confidence=str(r[10] or "NONE"),
            decided=r[11] is not None,
            capture_source=r[12],
            offset_source=r[13],
        )
        for r in rows
    ]


def commit_outcomes(
    engine: Engine, job_id: int, owner: str, outcomes: Sequence[TaskOutcome], current: str | None
) -> int:
    """End the items this worker still holds, and move the job's counters; returns how many."""
    now = utcnow()
    ids = [o.item_id for o in outcomes]
    with write_transaction(engine) as conn:
        pick = sa.select(X.c.id).where(
            X.c.id.in_(ids), X.c.lease_owner == owner, X.c.state == ItemState.CLAIMED.value
        )
        if conn.dialect.name == "postgresql":
            pick = pick.with_for_update()  # SQLite: BEGIN IMMEDIATE already holds the writes
        held = set(conn.execute(pick).scalars())
        ended = [o for o in outcomes if o.item_id in held]
        if ended:  # one statement, many rows (executemany): not one compiled UPDATE per item
            conn.execute(
                X.update()
                .where(X.c.id == sa.bindparam("item"))
                .values(
                    state=sa.bindparam("new_state"),
                    how=sa.bindparam("new_how"),
                    copy_sha256=sa.bindparam("new_sha"),
                    error_stage=sa.bindparam("stage"),
                    error_reason=sa.bindparam("reason"),
                    lease_owner=None,
                    lease_expires_at=None,
                    finished_at=now,
                ),
                [
                    {
                        "item": o.item_id,
                        "new_state": o.state.value,
                        "new_how": o.how,
                        "new_sha": o.copy_sha256,
                        "stage": o.error_stage,
                        "reason": o.error_reason,
                    }
                    for o in ended
                ],
            )
        done = len(ended)
        errors = sum(o.state is ItemState.ERROR for o in ended)
        skipped = sum(o.state is ItemState.SKIPPED for o in ended)
        count_ended(conn, job_id, BatchCounts(done, errors, skipped, 0), current, now)
    return done


def export_counts(engine: Engine, job_id: int) -> dict[str, int]:
    """How the job's items ended: copied / linked / already there / error / pending."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(X.c.state, X.c.how, sa.func.count())
            .where(X.c.job_id == job_id)
            .group_by(X.c.state, X.c.how)
        ).all()
    counts: dict[str, int] = {}
    for state, how, n in rows:
        key = str(how) if how else ("error" if state == ItemState.ERROR.value else "to do")
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def finished_rows(engine: Engine, job_id: int) -> Iterator[tuple[Any, ...]]:
    """target, source path, sha256, copy sha, effective local, decided, confidence, group, how."""
    query = (
        sa.select(
            X.c.target,
            FILE.c.path,
            FILE.c.sha256,
            X.c.copy_sha256,
            FILE.c.effective_local,
            FILE.c.date_decision_id,
            FILE.c.effective_confidence,
            FILE.c.near_group,
            X.c.how,
        )
        .join(FILE, FILE.c.id == X.c.file_id)
        .where(
            X.c.job_id == job_id,
            X.c.state.in_([ItemState.DONE.value, ItemState.SKIPPED.value]),
        )
        .order_by(X.c.id)
    )
    with engine.connect() as conn:
        for row in conn.execute(query.execution_options(yield_per=5000)):
            yield tuple(row)
