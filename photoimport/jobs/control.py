"""The job API: the only way front ends (pages, CLI, watcher) touch jobs.

Control requests (pause, cancel, resume) are each one UPDATE, so a page never holds a
read-then-write transaction on the job row; the worker acts on them between batches. A job is
"lost" when it is RUNNING but its heartbeat is older than ``LOST_AFTER_SECONDS`` (or, on this
host, its worker process has died); pausing, cancelling or resuming a lost job acts at once.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.db.models import (
    ACTIVE_STATUSES,
    ITEM,
    JOB,
    RESUMABLE_STATUSES,
    ItemState,
    Job,
    JobControl,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.db.work import LOST_AFTER_SECONDS
from photoimport.errors import InvalidJobTransition, JobNotFound
from photoimport.jobs.create import create_job, create_upload_job
from photoimport.jobs.spawn import spawn_detached
from photoimport.jobs.summary import JobSummary, compute_summary, summary_from_json
from photoimport.settings import Settings

__all__ = [
    "JobErrorRow",
    "JobProgress",
    "JobSummary",
    "create_job",
    "create_upload_job",
    "job_errors",
    "job_progress",
    "job_summary",
    "latest_active_job",
    "launch_worker",
    "list_jobs",
    "request_cancel",
    "request_pause",
    "request_resume",
]


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    kind: JobKind
    source: str
    status: JobStatus
    status_text: (
        str  # e.g. "running", "scanning: found 1,234 files", "worker lost (last seen 14:02:11)"
    )
    done: int
    total: int
    percent: float  # 0..100
    current_file: str | None
    errors: int
    skipped: int
    elapsed_seconds: float  # time spent running, paused time not counted
    eta_seconds: float | None  # from the rate of the current run
    files_per_second: float | None
    scanning: bool  # a folder job still listing its files
    worker_lost: bool  # RUNNING with a stale heartbeat
    last_heartbeat: datetime | None
    message: str | None  # why it halted / failed

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING) and not self.worker_lost


@dataclass(frozen=True)
class JobErrorRow:
    path: str
    stage: str
    reason: str


def launch_worker(settings: Settings, job_id: int) -> int:
    """Start a detached ``python -m worker run --job N`` (``detached.spawn_detached``), logging
    to ``logs/worker-<job>.log``; returns its pid."""
    return spawn_detached(
        settings,
        ["worker", "run", "--job", str(job_id)],
        settings.logs_dir / f"worker-{job_id}.log",
    )


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process on this host."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def worker_lost(job: Job, now: datetime | None = None) -> bool:
    """RUNNING without a fresh heartbeat, or whose worker process on this host has died."""
    if JobStatus(job.status) is not JobStatus.RUNNING:
        return False
    now = now or utcnow()
    if job.heartbeat_at is None or now - job.heartbeat_at > timedelta(seconds=LOST_AFTER_SECONDS):
        return True
    if job.worker_host == socket.gethostname() and job.worker_pid is not None:
        return not pid_alive(job.worker_pid)
    return False


def _get_job(engine: Engine, job_id: int) -> Job:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
    if job is None:
        raise JobNotFound(f"no job number {job_id}")
    return job


def _lost_condition(job: Job) -> sa.ColumnElement[bool]:
    """SQL for "this job's worker is lost", fixed to what was seen (the UPDATE re-checks it)."""
    if worker_lost(job):
        return sa.and_(
            JOB.c.status == JobStatus.RUNNING.value,
            JOB.c.heartbeat_at.is_not_distinct_from(job.heartbeat_at),
        )
    return sa.false()


def request_pause(engine: Engine, job_id: int) -> None:
    """Ask the worker to pause at its next batch boundary (a job nobody runs pauses at once)."""
    job = _get_job(engine, job_id)
    now_paused = sa.or_(JOB.c.status == JobStatus.PENDING.value, _lost_condition(job))
    stmt = (
        JOB.update()
        .where(JOB.c.id == job_id)
        .where(JOB.c.status.in_([s.value for s in ACTIVE_STATUSES]))
        .values(
            status=sa.case((now_paused, JobStatus.PAUSED.value), else_=JOB.c.status),
            control=sa.case((now_paused, JobControl.NONE.value), else_=JobControl.PAUSE.value),
        )
    )
    with engine.begin() as conn:
        if conn.execute(stmt).rowcount != 1:
            raise InvalidJobTransition(
                f"job {job_id} is {JobStatus(job.status).value.lower()}: cannot pause it"
            )


def request_cancel(engine: Engine, job_id: int) -> None:
    """Cancel: a running worker stops at its next batch boundary; otherwise at once."""
    job = _get_job(engine, job_id)
    live = sa.and_(JOB.c.status == JobStatus.RUNNING.value, sa.not_(_lost_condition(job)))
    cancellable = [
        s.value for s in (*ACTIVE_STATUSES, JobStatus.PAUSED, JobStatus.HALTED, JobStatus.FAILED)
    ]
    now = utcnow()
    stmt = (
        JOB.update()
        .where(JOB.c.id == job_id, JOB.c.status.in_(cancellable))
        .values(
            status=sa.case((live, JOB.c.status), else_=JobStatus.CANCELLED.value),
            control=sa.case((live, JobControl.CANCEL.value), else_=JobControl.NONE.value),
            finished_at=sa.case((live, JOB.c.finished_at), else_=now),
        )
    )
    with engine.begin() as conn:
        if conn.execute(stmt).rowcount != 1:
            raise InvalidJobTransition(
                f"job {job_id} is {JobStatus(job.status).value.lower()}: cannot cancel it"
            )


def request_resume(settings: Settings, engine: Engine, job_id: int) -> None:
    """Resume a paused, halted, cancelled, failed or lost job; starts a worker for it.

    A running job with a pause or cancel still pending just has that request withdrawn.
    """
    job = _get_job(engine, job_id)
    resumable = sa.or_(
        JOB.c.status.in_([s.value for s in (*RESUMABLE_STATUSES, JobStatus.PENDING)]),
        _lost_condition(job),
    )
    with engine.begin() as conn:
        relaunch = conn.execute(
            JOB.update()
            .where(JOB.c.id == job_id, resumable)
            .values(status=JobStatus.PENDING.value, control=JobControl.NONE.value, message=None)
        ).rowcount
        withdrawn = 0
        if not relaunch:
            withdrawn = conn.execute(
                JOB.update()
                .where(JOB.c.id == job_id, JOB.c.status == JobStatus.RUNNING.value)
                .values(control=JobControl.NONE.value)
            ).rowcount
    if relaunch:
        launch_worker(settings, job_id)
    elif not withdrawn:
        raise InvalidJobTransition(
            f"job {job_id} is {JobStatus(job.status).value.lower()}: cannot resume it"
        )


def _status_text(job: Job, lost: bool, scanning: bool) -> str:
    if lost:
        seen = job.heartbeat_at.astimezone().strftime("%H:%M:%S") if job.heartbeat_at else "never"
        return f"worker lost (last seen {seen})"
    status = JobStatus(job.status)
    if status is JobStatus.RUNNING:
        if job.control == JobControl.PAUSE:
            return "pausing"
        if job.control == JobControl.CANCEL:
            return "cancelling"
        if scanning:
            return f"scanning: found {job.total:,} files"
        return "running"
    if status is JobStatus.PENDING:
        return "waiting for a worker"
    if status in (JobStatus.HALTED, JobStatus.FAILED) and job.message:
        return f"{status.value.lower()}: {job.message}"
    return status.value.lower()


def job_progress(engine: Engine, job_id: int) -> JobProgress:
    job = _get_job(engine, job_id)
    assert job.id is not None
    now = utcnow()
    lost = worker_lost(job, now)
    status = JobStatus(job.status)
    running = status is JobStatus.RUNNING
    scanning = job.kind == JobKind.DIRECTORY and not job.listing_done and status in ACTIVE_STATUSES
    run_seconds = 0.0
    if running and job.run_started_at is not None:
        until = min(now, job.heartbeat_at) if lost and job.heartbeat_at else now
        run_seconds = max(0.0, (until - job.run_started_at).total_seconds())
    elapsed = job.active_seconds + run_seconds
    run_done = job.done - job.run_done_at_start
    rate = run_done / run_seconds if running and run_seconds > 0 and run_done > 0 else None
    if rate is None and not running and elapsed > 0 and job.done > 0:
        rate = job.done / elapsed
    eta = None
    if running and rate and not scanning and not lost:
        eta = max(0, job.total - job.done) / rate
    return JobProgress(
        job_id=job.id,
        kind=JobKind(job.kind),
        source=job.source,
        status=status,
        status_text=_status_text(job, lost, scanning),
        done=job.done,
        total=job.total,
        percent=min(100.0, 100.0 * job.done / job.total) if job.total else 0.0,
        current_file=job.current_file,
        errors=job.errors,
        skipped=job.skipped,
        elapsed_seconds=elapsed,
        eta_seconds=eta,
        files_per_second=rate,
        scanning=scanning,
        worker_lost=lost,
        last_heartbeat=job.heartbeat_at,
        message=job.message,
    )


def job_summary(engine: Engine, job_id: int) -> JobSummary:
    """The stored summary of a finished job, or one computed now for a job still going."""
    job = _get_job(engine, job_id)
    if job.summary_json:
        return summary_from_json(job.summary_json)
    return compute_summary(engine, job_id)


def list_jobs(engine: Engine, limit: int = 50) -> list[Job]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(Job).order_by(col(Job.id).desc()).limit(limit)).all())


def job_errors(engine: Engine, job_id: int) -> list[JobErrorRow]:
    _get_job(engine, job_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ITEM.c.path, ITEM.c.error_stage, ITEM.c.error_reason)
            .where(ITEM.c.job_id == job_id, ITEM.c.state == ItemState.ERROR.value)
            .order_by(ITEM.c.path)
        ).all()
    return [JobErrorRow(path=r[0], stage=r[1] or "", reason=r[2] or "") for r in rows]


def latest_active_job(engine: Engine) -> int | None:
    """The newest PENDING/RUNNING job's id (the home page's live panel)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(JOB.c.id)
            .where(JOB.c.status.in_([s.value for s in ACTIVE_STATUSES]))
            .order_by(JOB.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
