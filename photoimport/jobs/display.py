"""How pages and the CLI name and list jobs: titles, table rows, the settings a job ran with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from photoimport.db.models import Job, JobKind, JobStatus, utcnow
from photoimport.display import format_duration
from photoimport.settings import ImportSettings

__all__ = ["STATUS_MARKS", "JobRow", "job_rows", "job_settings", "job_title"]

STATUS_MARKS = {  # plain characters every font has (emoji need an emoji font)
    JobStatus.PENDING: "○",
    JobStatus.RUNNING: "▶",
    JobStatus.PAUSED: "‖",
    JobStatus.COMPLETED: "✓",
    JobStatus.FAILED: "✗",
    JobStatus.HALTED: "■",
    JobStatus.CANCELLED: "□",
}


@dataclass(frozen=True)
class JobRow:
    """One line of the Jobs table."""

    job: int
    status: str
    kind: str
    source: str
    progress: float  # 0..1
    done: int
    total: int
    errors: int
    already_known: int
    started: datetime | None  # local time zone
    duration: str


def job_rows(jobs: list[Job], zone: tzinfo, now: datetime | None = None) -> list[JobRow]:
    """Table rows for ``jobs`` (newest first, as given)."""
    now = now or utcnow()
    rows = []
    for job in jobs:
        assert job.id is not None
        status = JobStatus(job.status)
        rows.append(
            JobRow(
                job=job.id,
                status=f"{STATUS_MARKS[status]} {status.value}",
                kind=JobKind(job.kind).value,
                source=job.source,
                progress=(job.done / job.total) if job.total else 0.0,
                done=job.done,
                total=job.total,
                errors=job.errors,
                already_known=job.skipped,
                started=job.started_at.astimezone(zone) if job.started_at else None,
                duration=format_duration(_job_seconds(job, now)),
            )
        )
    return rows


def _job_seconds(job: Job, now: datetime) -> float | None:
    if JobStatus(job.status) is JobStatus.RUNNING and job.run_started_at is not None:
        return job.active_seconds + (now - job.run_started_at).total_seconds()
    if job.active_seconds:
        return job.active_seconds
    if job.started_at is not None and job.finished_at is not None:
        return (job.finished_at - job.started_at).total_seconds()
    return None


def job_settings(job: Job) -> dict[str, str]:
    """The settings a job runs with, as name -> shown value (an empty job row gives {})."""
    if not job.settings_json:
        return {}
    settings = ImportSettings.from_json(job.settings_json)
    data = json.loads(settings.to_json())
    return {name: str(value) for name, value in data.items()}


def job_title(job_id: int, kind: JobKind, source: str, total: int) -> str:
    """How pages name a job: "Job 3 · folder Pictures/2024", "Job 4 · 5 uploaded photos"."""
    if kind is JobKind.UPLOAD:
        return f"Job {job_id} · {total:,} uploaded photo{'s' if total != 1 else ''}"
    if kind is JobKind.DEMO:
        return f"Job {job_id} · demo photos"
    path = Path(source)
    where = "/".join(path.parts[-2:]) if len(path.parts) > 2 else str(path)
    if kind is JobKind.EXPORT:  # issue 14
        return f"Job {job_id} · export of {total:,} files to {where}"
    return f"Job {job_id} · {'watched folder' if kind is JobKind.WATCH else 'folder'} {where}"
