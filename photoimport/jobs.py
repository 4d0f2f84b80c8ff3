"""The job API: the only way front ends (pages, CLI, watcher) touch jobs.

CONTRACT (owned by the jobs helper; pages, CLI and watcher code against these names: add
fields/functions if needed, do not rename or remove).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.models import Confidence, Job, JobKind, JobStatus
from photoimport.settings import ImportSettings, Settings


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    kind: JobKind
    source: str
    status: JobStatus
    status_text: str  # e.g. "running", "scanning: found 1,234 files", "worker lost (last seen 14:02:11)"
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
class JobSummary:
    job_id: int
    status: JobStatus
    total: int
    processed: int  # newly processed files
    already_known: int  # skipped: content was already in the library
    errors: int
    by_confidence: dict[Confidence, int]
    exact_duplicate_groups: int  # groups of paths sharing one SHA-256 that this job touched
    near_duplicate_groups: int
    duration_seconds: float
    files_per_second: float | None


@dataclass(frozen=True)
class JobErrorRow:
    path: str
    stage: str
    reason: str


def create_job(
    engine: Engine,
    kind: JobKind,
    source: str,
    settings: ImportSettings,
    paths: list[Path] | None = None,  # upload/watch jobs: the items; folder jobs list `source`
) -> int:
    raise NotImplementedError


def launch_worker(settings: Settings, job_id: int) -> int:
    """Start a detached ``python -m worker run --job N``; returns its pid."""
    raise NotImplementedError


def request_pause(engine: Engine, job_id: int) -> None:
    raise NotImplementedError


def request_resume(settings: Settings, engine: Engine, job_id: int) -> None:
    raise NotImplementedError


def request_cancel(engine: Engine, job_id: int) -> None:
    raise NotImplementedError


def job_progress(engine: Engine, job_id: int) -> JobProgress:
    raise NotImplementedError


def job_summary(engine: Engine, job_id: int) -> JobSummary:
    raise NotImplementedError


def list_jobs(engine: Engine, limit: int = 50) -> list[Job]:
    raise NotImplementedError


def job_errors(engine: Engine, job_id: int) -> list[JobErrorRow]:
    raise NotImplementedError


def latest_active_job(engine: Engine) -> int | None:
    """The newest PENDING/RUNNING job's id (the home page's live panel)."""
    raise NotImplementedError
