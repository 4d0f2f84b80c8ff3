"""What the dashboard shows people: human numbers and times, job table rows, a log's tail.

Pure functions over core values (no Streamlit): the pages call these and lay the results out.
Times are shown in a local time zone (the configured one), never as bare UTC.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from photoimport.models import Job, JobKind, JobStatus, utcnow
from photoimport.settings import ImportSettings

__all__ = [
    "JobRow",
    "format_bytes",
    "format_duration",
    "format_local_time",
    "job_rows",
    "job_settings",
    "local_zone",
    "tail_text",
]

STATUS_MARKS = {  # plain characters every font has (emoji need an emoji font)
    JobStatus.PENDING: "○",
    JobStatus.RUNNING: "▶",
    JobStatus.PAUSED: "‖",
    JobStatus.COMPLETED: "✓",
    JobStatus.FAILED: "✗",
    JobStatus.HALTED: "■",
    JobStatus.CANCELLED: "□",
}


def local_zone(name: str) -> tzinfo:
    """The zone called ``name``; the server's own zone when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = utcnow().astimezone().tzinfo
        assert zone is not None
        return zone


def format_duration(seconds: float | None) -> str:
    """``45 s``, ``3 min 05 s``, ``2 h 04 min``; an em dash when unknown."""
    if seconds is None or seconds < 0:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def format_bytes(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} GB"  # pragma: no cover - the loop always returns


def format_local_time(when: datetime | None, zone: tzinfo, now: datetime | None = None) -> str:
    """``today 14:02:11``, ``yesterday 09:15``, ``2024-03-01 09:15`` in ``zone``."""
    if when is None:
        return "—"
    local = when.astimezone(zone)
    today = (now or utcnow()).astimezone(zone).date()
    days = (today - local.date()).days
    if days == 0:
        return f"today {local:%H:%M:%S}"
    if days == 1:
        return f"yesterday {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


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


def tail_text(path: Path, max_lines: int = 40, max_bytes: int = 64_000) -> str | None:
    """The last ``max_lines`` lines of a log file (at most ``max_bytes`` read); None if absent."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except FileNotFoundError:
        return None
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > max_bytes and lines:
        lines = lines[1:]  # the first line was cut in the middle
    return "\n".join(lines[-max_lines:])


def job_title(job_id: int, kind: JobKind, source: str, total: int) -> str:
    """How pages name a job: "Job 3 · folder Pictures/2024", "Job 4 · 5 uploaded photos"."""
    if kind is JobKind.UPLOAD:
        return f"Job {job_id} · {total:,} uploaded photo{'s' if total != 1 else ''}"
    if kind is JobKind.DEMO:
        return f"Job {job_id} · demo photos"
    path = Path(source)
    where = "/".join(path.parts[-2:]) if len(path.parts) > 2 else str(path)
    return f"Job {job_id} · {'watched folder' if kind is JobKind.WATCH else 'folder'} {where}"
