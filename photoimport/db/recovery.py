"""The SQL that lets jobs survive crashes without anyone clicking Resume (issue 10).

* ``threshold_base``: where a job's error threshold counts from: 0, or the counters at which it
  last halted on the threshold (a resume after a halt is the user's "go on anyway").
* ``orphaned_jobs``: jobs nobody is running: PENDING, or RUNNING without a fresh heartbeat and
  without a pause or cancel pending. ``worker serve`` runs them; the watcher resumes its own.
* ``failed_jobs``: FAILED jobs of some kinds and sources (a watched folder's batches).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import JOB, JobControl, JobKind, JobStatus

__all__ = ["failed_jobs", "orphaned_jobs", "threshold_base"]


def threshold_base(engine: Engine, job_id: int) -> tuple[int, int]:
    """(done, errors) from which the job's error threshold counts."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(JOB.c.threshold_done, JOB.c.threshold_errors).where(JOB.c.id == job_id)
        ).one()
    return int(row[0]), int(row[1])


def _orphaned(stale_before: datetime) -> sa.ColumnElement[bool]:
    lost = sa.and_(
        JOB.c.status == JobStatus.RUNNING.value,
        JOB.c.control == JobControl.NONE.value,
        sa.or_(JOB.c.heartbeat_at.is_(None), JOB.c.heartbeat_at < stale_before),
    )
    return sa.or_(JOB.c.status == JobStatus.PENDING.value, lost)


def orphaned_jobs(
    engine: Engine,
    stale_before: datetime,
    kinds: Sequence[JobKind] | None = None,
    sources: Sequence[str] | None = None,
    created_before: datetime | None = None,
) -> list[int]:
    """Jobs nobody runs (oldest first), optionally of these kinds / sources only.

    ``created_before`` leaves alone PENDING jobs younger than that, whose worker may just be
    starting."""
    query = sa.select(JOB.c.id).where(_orphaned(stale_before)).order_by(JOB.c.id)
    if kinds is not None:
        query = query.where(JOB.c.kind.in_([k.value for k in kinds]))
    if sources is not None:
        query = query.where(JOB.c.source.in_(list(sources)))
    if created_before is not None:
        query = query.where(
            sa.or_(JOB.c.status != JobStatus.PENDING.value, JOB.c.created_at < created_before)
        )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def failed_jobs(engine: Engine, kinds: Sequence[JobKind], sources: Sequence[str]) -> list[int]:
    """FAILED jobs of these kinds and sources, oldest first."""
    query = (
        sa.select(JOB.c.id)
        .where(
            JOB.c.status == JobStatus.FAILED.value,
            JOB.c.kind.in_([k.value for k in kinds]),
            JOB.c.source.in_(list(sources)),
        )
        .order_by(JOB.c.id)
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]
