"""All SQL a worker runs: taking a job, claiming items with a lease, committing a batch, listing.

Several worker processes may share one job (one host on SQLite, many hosts on PostgreSQL).
Every decision that two workers could race on is one conditional statement here:

* ``take_job``: PENDING / PAUSED / HALTED / CANCELLED / FAILED, or RUNNING with a stale
  heartbeat -> RUNNING with this worker's pid, host and heartbeat (one UPDATE). A job RUNNING
  with a fresh heartbeat is *joined*: the extra worker claims items beside the first one.
* ``claim_items``: pending items, or claimed items whose lease has expired, -> claimed by this
  worker until ``now + lease``. PostgreSQL selects with ``FOR UPDATE SKIP LOCKED``; SQLite
  serialises writers, and ``BEGIN IMMEDIATE`` takes the write lock before the selecting read.
* ``commit_batch``: an item ends DONE / ERROR / SKIPPED only while this worker still holds
  it (``lease_owner`` matches), new contents go in with ``INSERT ... ON CONFLICT (sha256) DO
  NOTHING``, and the counters move by the rows that really changed, all in one transaction.
  A result for an item someone else took over is dropped, so every item ends exactly once.
* the rest: the job row, a run's end, what is left, a folder's listing, a known content.
Beside it in ``db/``: ``seen`` (unchanged files), ``counters``, ``recovery`` (orphaned jobs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from photoimport.db import seen
from photoimport.db.models import (
    FILE,
    ITEM,
    JOB,
    File,
    ItemState,
    JobControl,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.db.work import BatchCounts, ClaimedItem, ItemOutcome, JobView, TakeResult
from photoimport.settings import ImportSettings

TAKEABLE = (
    JobStatus.PENDING,
    JobStatus.PAUSED,
    JobStatus.HALTED,
    JobStatus.CANCELLED,
    JobStatus.FAILED,
)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A write transaction; on SQLite it takes the write lock first (``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def take_job(
    engine: Engine, job_id: int, pid: int, host: str, stale_before: datetime
) -> TakeResult:
    """Start, resume or take over ``job_id``; or join it when a live worker holds it."""
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
                ITEM.update()
                .where(ITEM.c.job_id == job_id, ITEM.c.state == ItemState.CLAIMED.value)
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
    pending = ITEM.c.state == ItemState.PENDING.value
    expired = sa.and_(ITEM.c.state == ItemState.CLAIMED.value, ITEM.c.lease_expires_at < now)
    with write_transaction(engine) as conn:
        ids = _pick_ids(conn, job_id, pending, limit)
        if len(ids) < limit:
            ids += _pick_ids(conn, job_id, expired, limit - len(ids))
        if not ids:
            return []
        rows = conn.execute(
            ITEM.update()
            .where(ITEM.c.id.in_(ids))
            .values(
                state=ItemState.CLAIMED.value,
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=ITEM.c.attempts + 1,
            )
            .returning(ITEM.c.id, ITEM.c.path, ITEM.c.attempts)
        ).all()
    return sorted((ClaimedItem(r[0], r[1], r[2]) for r in rows), key=lambda c: c.id)


def _pick_ids(
    conn: sa.Connection, job_id: int, condition: sa.ColumnElement[bool], limit: int
) -> list[int]:
    pick = (
        sa.select(ITEM.c.id)
        .where(ITEM.c.job_id == job_id, condition)
        .order_by(ITEM.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    return [int(i) for i in conn.execute(pick).scalars()]


def extend_leases(engine: Engine, job_id: int, owner: str, lease_seconds: float) -> int:
    """Push back the expiry of every item ``owner`` holds (long batches)."""
    with write_transaction(engine) as conn:
        return conn.execute(
            ITEM.update()
            .where(
                ITEM.c.job_id == job_id,
                ITEM.c.lease_owner == owner,
                ITEM.c.state == ItemState.CLAIMED.value,
            )
            .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        ).rowcount


def release_owner(engine: Engine, job_id: int, owner: str) -> int:
    """Give back the items ``owner`` still holds (a worker stopping mid-batch): a clean
    give-back takes its attempt back, so ``attempts`` counts claims that ended in a crash."""
    with write_transaction(engine) as conn:
        return conn.execute(
            ITEM.update()
            .where(
                ITEM.c.job_id == job_id,
                ITEM.c.lease_owner == owner,
                ITEM.c.state == ItemState.CLAIMED.value,
            )
            .values(
                state=ItemState.PENDING.value,
                lease_owner=None,
                lease_expires_at=None,
                attempts=ITEM.c.attempts - 1,
            )
        ).rowcount


def _insert_file(conn: sa.Connection, values: dict[str, Any]) -> int | None:
    """Insert one content row unless its sha256 is known; its new id, or None when known."""
    ins: Any = postgresql.insert(FILE) if conn.dialect.name == "postgresql" else sqlite.insert(FILE)
    stmt = (
        ins.values(**values).on_conflict_do_nothing(index_elements=["sha256"]).returning(FILE.c.id)
    )
    new_id = conn.execute(stmt).scalar_one_or_none()
    return None if new_id is None else int(new_id)


def _file_values(file: File) -> dict[str, Any]:
    values = file.model_dump(exclude={"id"})
    return {k: v for k, v in values.items() if k in FILE.c}


def _link_file(conn: sa.Connection, out: ItemOutcome) -> ItemState:
    """Insert a new content (or find the known one) and link the item to it; its final state."""
    if out.state is ItemState.ERROR or out.sha256 is None:
        return out.state
    state: ItemState = out.state
    file_id: int | None = None
    if state is ItemState.DONE and out.file is not None:
        file_id = _insert_file(conn, _file_values(out.file))
        if file_id is None:
            state = ItemState.SKIPPED  # another item brought this content first
    if file_id is None:
        file_id = conn.execute(
            sa.select(FILE.c.id).where(FILE.c.sha256 == out.sha256)
        ).scalar_one_or_none()
    values: dict[str, Any] = {"state": state.value, "file_id": file_id}
    if file_id is None:
        state = ItemState.ERROR
        values = {
            "state": state.value,
            "error_stage": "read",
            "error_reason": "its content was not found in the library after processing",
        }
    conn.execute(ITEM.update().where(ITEM.c.id == out.item_id).values(**values))
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
                ITEM.update()
                .where(
                    ITEM.c.id == out.item_id,
                    ITEM.c.lease_owner == owner,
                    ITEM.c.state == ItemState.CLAIMED.value,
                )
                .values(
                    state=out.state.value,
                    error_stage=out.error_stage,
                    error_reason=out.error_reason,
                    lease_owner=None,
                    lease_expires_at=None,
                    finished_at=now,
                )
            ).rowcount
            if held != 1:
                dropped += 1
                continue
            state = _link_file(conn, out)
            ended.append(out.item_id)
            done += 1
            errors += state is ItemState.ERROR
            skipped += state is ItemState.SKIPPED
        conn.execute(
            JOB.update()
            .where(JOB.c.id == job_id)
            .values(
                done=JOB.c.done + done,
                errors=JOB.c.errors + errors,
                skipped=JOB.c.skipped + skipped,
                current_file=current_file,
                heartbeat_at=now,
            )
        )
        seen.record_batch(conn, job_id, ended)  # issue 16: seen paths (+ counters, by triggers)
    return BatchCounts(done=done, errors=errors, skipped=skipped, dropped=dropped)


def read_job(engine: Engine, job_id: int) -> JobView:
    with engine.connect() as conn:
        row = conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one()
    return JobView(
        kind=JobKind(row["kind"]),
        source=row["source"],
        status=JobStatus(row["status"]),
        control=JobControl(row["control"]),
        listing_done=bool(row["listing_done"]),
        total=int(row["total"]),
        done=int(row["done"]),
        errors=int(row["errors"]),
        settings=ImportSettings.from_json(row["settings_json"]),
        run_started_at=row["run_started_at"],
        active_seconds=float(row["active_seconds"]),
    )


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
    open_states = [ItemState.PENDING.value, ItemState.CLAIMED.value]
    with engine.connect() as conn:
        listing_done = conn.execute(
            sa.select(JOB.c.listing_done).where(JOB.c.id == job_id)
        ).scalar_one()
        open_item = conn.execute(
            sa.select(ITEM.c.id)
            .where(ITEM.c.job_id == job_id, ITEM.c.state.in_(open_states))
            .limit(1)
        ).first()
    return not listing_done or open_item is not None


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
        found = conn.execute(sa.select(FILE.c.id).where(FILE.c.sha256 == digest)).first()
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
