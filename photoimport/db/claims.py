"""All SQL a worker runs: taking a job, claiming items with a lease, committing a batch, listing.

Several worker processes may share one job (one host on SQLite, many hosts on PostgreSQL).
Every decision that two workers could race on is one conditional statement here:

* ``take_job``: PENDING / PAUSED / HALTED / CANCELLED / FAILED, or RUNNING with a stale
  heartbeat -> RUNNING with this worker's pid, host and heartbeat (one UPDATE). A job RUNNING
  with a fresh heartbeat is *joined*: the extra worker claims items beside the first one.
* ``claim_items``: pending items, or claimed items whose lease has expired, -> claimed by this
  worker until ``now + lease``. PostgreSQL selects with ``FOR UPDATE SKIP LOCKED``; SQLite
  serialises writers, and ``BEGIN IMMEDIATE`` takes the write lock before the selecting read.
* ``commit_batch`` (``db.batch``, re-exported here): an item ends DONE / ERROR / SKIPPED only
  while this worker still holds it (``lease_owner`` matches), new contents go in with
  ``INSERT ... ON CONFLICT (sha256) DO NOTHING``, and the counters move by the rows that really
  changed, all in one transaction. A result for an item someone else took over is dropped, so
  every item ends exactly once.
* the rest: the job row, a run's end, what is left, a folder's listing, a known content.
The statements a worker runs per batch or per file are built once, with bound parameters
(building them per call cost more CPU than SQLite's work; issue 16). Beside it in ``db/``:
``batch``, ``seen`` (unchanged files), ``counters``, ``recovery`` (orphaned jobs).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from photoimport.db.batch import commit_batch as commit_batch
from photoimport.db.batch import file_by_sha256
from photoimport.db.models import (
    ITEM,
    JOB,
    ItemState,
    JobControl,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.db.transaction import write_transaction as write_transaction
from photoimport.db.work import ClaimedItem, JobView, TakeResult
from photoimport.settings import ImportSettings

TAKEABLE = (
    JobStatus.PENDING,
    JobStatus.PAUSED,
    JobStatus.HALTED,
    JobStatus.CANCELLED,
    JobStatus.FAILED,
)


def take_job(
    engine: Engine,
    job_id: int,
    pid: int,
    host: str,
    stale_before: datetime,
    items: sa.Table = ITEM,
) -> TakeResult:
    """Start, resume or take over ``job_id``; or join it when a live worker holds it.

    ``items``: the job's item table (``ITEM`` for an import, ``EXPORT_ITEM`` for an export),
    whose claims a take-over gives back in the same transaction: a worker joining right after
    it cannot have its fresh claims given back.
    """
    now = utcnow()
    took = (
        JOB.update()
        .where(JOB.c.id == job_id)
        .where(JOB.c.control == JobControl.NONE.value)
        .where(
            sa.or_(
                JOB.c.status.in_([s.value for s in TAKEABLE]),
                sa.and_(
                    JOB.c.status == JobStatus.RUNNING.value,
                    sa.or_(JOB.c.heartbeat_at.is_(None), JOB.c.heartbeat_at < stale_before),
                ),
            )
        )
        .values(
            status=JobStatus.RUNNING.value,
            worker_pid=pid,
            worker_host=host,
            heartbeat_at=now,
            started_at=sa.func.coalesce(JOB.c.started_at, now),
            run_started_at=now,
            run_done_at_start=JOB.c.done,
            finished_at=None,
            message=None,
        )
    )
    with write_transaction(engine) as conn:
        if conn.execute(took).rowcount == 1:
            # Nobody live held the job: leases of earlier (dead or paused) workers go back.
            conn.execute(
                items.update()
                .where(items.c.job_id == job_id, items.c.state == ItemState.CLAIMED.value)
                .values(state=ItemState.PENDING.value, lease_owner=None, lease_expires_at=None)
            )
            return TakeResult.TOOK
        joined = conn.execute(
            JOB.update()
            .where(
                JOB.c.id == job_id,
                JOB.c.status == JobStatus.RUNNING.value,
                JOB.c.control == JobControl.NONE.value,
            )
            .values(heartbeat_at=now)
        )
        return TakeResult.JOINED if joined.rowcount == 1 else TakeResult.REFUSED


def heartbeat(engine: Engine, job_id: int) -> JobControl | None:
    """Refresh the job's heartbeat; returns the requested control (None: job not RUNNING)."""
    with write_transaction(engine) as conn:
        row = conn.execute(
            JOB.update()
            .where(JOB.c.id == job_id, JOB.c.status == JobStatus.RUNNING.value)
            .values(heartbeat_at=utcnow())
            .returning(JOB.c.control)
        ).first()
    return None if row is None else JobControl(row[0])


def claim_items(
    engine: Engine, job_id: int, owner: str, limit: int, lease_seconds: float
) -> list[ClaimedItem]:
    """Claim up to ``limit`` pending (or lease-expired) items of the job for ``owner``.

    Pending items first, then expired leases, each picked by its own indexed query in id order
    (an OR of the two made SQLite sort every open item of the job on each claim: 14 ms a batch
    at 50,000 items, against well under 1 ms this way). PostgreSQL locks the picked rows with
    ``FOR UPDATE SKIP LOCKED``, so workers on other hosts pick other rows; SQLite serialises
    writers with ``BEGIN IMMEDIATE``.
    """
    now = utcnow()
    expires = now + timedelta(seconds=lease_seconds)
    with write_transaction(engine) as conn:
        ids = _pick_ids(conn, _PICK_PENDING, {"b_job": job_id, "b_limit": limit})
        if len(ids) < limit:
            wanted = {"b_job": job_id, "b_limit": limit - len(ids), "b_now": now}
            ids += _pick_ids(conn, _PICK_EXPIRED, wanted)
        if not ids:
            return []
        rows = conn.execute(_CLAIM, {"b_ids": ids, "b_owner": owner, "b_expires": expires}).all()
    return sorted((ClaimedItem(r[0], r[1], r[2]) for r in rows), key=lambda c: c.id)


def _pick(condition: sa.ColumnElement[bool]) -> sa.Select[int]:
    return (
        sa.select(ITEM.c.id)
        .where(ITEM.c.job_id == sa.bindparam("b_job"), condition)
        .order_by(ITEM.c.id)
        .limit(sa.bindparam("b_limit", type_=sa.Integer))
    )


_PICK_PENDING = _pick(ITEM.c.state == ItemState.PENDING.value)
_PICK_EXPIRED = _pick(
    sa.and_(
        ITEM.c.state == ItemState.CLAIMED.value,
        ITEM.c.lease_expires_at < sa.bindparam("b_now", type_=ITEM.c.lease_expires_at.type),
    )
)
_CLAIM = (
    ITEM.update()
    .where(ITEM.c.id.in_(sa.bindparam("b_ids", expanding=True)))
    .values(
        state=ItemState.CLAIMED.value,
        lease_owner=sa.bindparam("b_owner"),
        lease_expires_at=sa.bindparam("b_expires", type_=ITEM.c.lease_expires_at.type),
        attempts=ITEM.c.attempts + 1,
    )
    .returning(ITEM.c.id, ITEM.c.path, ITEM.c.attempts)
)
_PICK_LOCKED = {
    id(stmt): stmt.with_for_update(skip_locked=True) for stmt in (_PICK_PENDING, _PICK_EXPIRED)
}


def _pick_ids(conn: sa.Connection, pick: sa.Select[int], params: dict[str, Any]) -> list[int]:
    if conn.dialect.name == "postgresql":
        pick = _PICK_LOCKED[id(pick)]
    return [int(i) for i in conn.execute(pick, params).scalars()]


def _held(items: sa.Table, job_id: int, owner: str) -> sa.Update:
    return items.update().where(
        items.c.job_id == job_id,
        items.c.lease_owner == owner,
        items.c.state == ItemState.CLAIMED.value,
    )


def extend_leases(
    engine: Engine, job_id: int, owner: str, lease_seconds: float, items: sa.Table = ITEM
) -> int:
    """Push back the expiry of every item ``owner`` holds (long batches)."""
    with write_transaction(engine) as conn:
        expires = utcnow() + timedelta(seconds=lease_seconds)
        return conn.execute(_held(items, job_id, owner).values(lease_expires_at=expires)).rowcount


def release_owner(engine: Engine, job_id: int, owner: str, items: sa.Table = ITEM) -> int:
    """Give back the items ``owner`` still holds (a worker stopping mid-batch): a clean
    give-back takes its attempt back, so ``attempts`` counts claims that ended in a crash."""
    with write_transaction(engine) as conn:
        return conn.execute(
            _held(items, job_id, owner).values(
                state=ItemState.PENDING.value,
                lease_owner=None,
                lease_expires_at=None,
                attempts=items.c.attempts - 1,
            )
        ).rowcount


def items_open(conn: sa.Connection, job_id: int, items: sa.Table = ITEM) -> bool:
    """An item of the job still pending, or held by a worker."""
    open_states = [ItemState.PENDING.value, ItemState.CLAIMED.value]
    found = conn.execute(
        sa.select(items.c.id)
        .where(items.c.job_id == job_id, items.c.state.in_(open_states))
        .limit(1)
    ).first()
    return found is not None


_READ_JOB = sa.select(JOB).where(JOB.c.id == sa.bindparam("b_job"))
_settings = functools.lru_cache(maxsize=16)(ImportSettings.from_json)  # frozen: safe to share


def read_job(engine: Engine, job_id: int) -> JobView:
    with engine.connect() as conn:
        row = conn.execute(_READ_JOB, {"b_job": job_id}).mappings().one()
    return JobView(
        kind=JobKind(row["kind"]),
        source=row["source"],
        status=JobStatus(row["status"]),
        control=JobControl(row["control"]),
        listing_done=bool(row["listing_done"]),
        total=int(row["total"]),
        done=int(row["done"]),
        errors=int(row["errors"]),
        settings=_settings(row["settings_json"]),
        run_started_at=row["run_started_at"],
        active_seconds=float(row["active_seconds"]),
        export_json=row["export_json"],
    )


def run_end_values(
    status: JobStatus,
    message: str | None,
    run_started_at: datetime | None,
    active_seconds: float,
    now: datetime,
) -> dict[str, object]:
    """The job row's values when a run ends in ``status`` (import and export runs alike): this
    run's time added to the active seconds, the control cleared, the end stamped."""
    run = (now - run_started_at).total_seconds() if run_started_at is not None else 0.0
    values: dict[str, object] = {
        "status": status.value,
        "control": JobControl.NONE.value,
        "active_seconds": active_seconds + max(0.0, run),
        "run_started_at": None,
        "heartbeat_at": now,
        "message": message,
    }
    if status in (JobStatus.COMPLETED, JobStatus.CANCELLED):
        values["finished_at"] = now
        values["current_file"] = None
    return values


def end_run(
    engine: Engine, job_id: int, run_started_at: datetime | None, values: dict[str, object]
) -> bool:
    """RUNNING -> ``values`` (status, counters, summary), only for the run that started at
    ``run_started_at`` (a run another worker started since is left alone)."""
    with write_transaction(engine) as conn:
        changed = conn.execute(
            JOB.update()
            .where(
                JOB.c.id == job_id,
                JOB.c.status == JobStatus.RUNNING.value,
                JOB.c.run_started_at.is_not_distinct_from(run_started_at),
            )
            .values(**values)
        ).rowcount
    return changed == 1


def work_remains(engine: Engine, job_id: int) -> bool:
    """Items still pending or held by another worker, or a listing still going."""
    with engine.connect() as conn:
        listing_done = conn.execute(
            sa.select(JOB.c.listing_done).where(JOB.c.id == job_id)
        ).scalar_one()
        return not listing_done or items_open(conn, job_id)


def next_pending_job(engine: Engine) -> int | None:
    """The oldest PENDING job (``worker serve``)."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(JOB.c.id)
            .where(JOB.c.status == JobStatus.PENDING.value)
            .order_by(JOB.c.id)
            .limit(1)
        ).scalar_one_or_none()
    return None if found is None else int(found)


def is_known(engine: Engine, digest: str) -> bool:
    """Whether the library already holds a content with this SHA-256."""
    with engine.connect() as conn:
        found = conn.execute(file_by_sha256, {"b_sha": digest}).first()
    return found is not None


def insert_items(engine: Engine, job_id: int, paths: Sequence[str]) -> int:
    """Add paths as pending items (known ones ignored); returns the job's item count."""
    with write_transaction(engine) as conn:
        ins: Any = (
            postgresql.insert(ITEM) if conn.dialect.name == "postgresql" else sqlite.insert(ITEM)
        )
        if paths:
            conn.execute(
                ins.on_conflict_do_nothing(index_elements=["job_id", "path"]),
                [{"job_id": job_id, "path": p, "state": ItemState.PENDING.value} for p in paths],
            )
        count = conn.execute(
            sa.select(sa.func.count()).select_from(ITEM).where(ITEM.c.job_id == job_id)
        ).scalar_one()
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(total=count, current_file=None))
    return int(count)


def finish_listing(engine: Engine, job_id: int, count: int) -> None:
    with write_transaction(engine) as conn:
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(listing_done=True, total=count))
