"""Plain-words text for a watched folder's status (``watch list`` and the Watch page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from photoimport.display import format_local_time
from photoimport.jobs.control import JobProgress
from photoimport.watch.registry import FolderStatus


def format_time(at: datetime | None, zone: tzinfo) -> str:
    """Local wall-clock time with its offset, or "never"."""
    if at is None:
        return "never"
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")


def format_job(progress: JobProgress | None) -> str:
    if progress is None:
        return "no job yet"
    return (
        f"job {progress.job_id}: {progress.status_text} "
        f"{progress.done}/{progress.total} ({progress.percent:.0f}%)"
        + (f", {progress.errors} errors" if progress.errors else "")
    )


def format_status_line(status: FolderStatus, zone: tzinfo) -> str:
    return "  ".join(
        [
            f"{status.state.value:<19}",
            status.path + (" (polling)" if status.polling else ""),
            f"last event {format_time(status.last_event_at, zone)}",
            f"{status.files_today} imported today",
            format_job(status.last_job),
        ]
    )


@dataclass(frozen=True)
class WatchRow:
    """One row of the Watch page's table."""

    folder: str
    state: str
    last_event: str
    imported_today: int
    last_job: str
    progress: float  # 0..1, the last job's


def watch_rows(statuses: list[FolderStatus], zone: tzinfo) -> list[WatchRow]:
    return [
        WatchRow(
            folder=s.path + (" (polling)" if s.polling else ""),
            state=s.state.value,
            last_event=format_local_time(s.last_event_at, zone) if s.last_event_at else "never",
            imported_today=s.files_today,
            last_job=format_job(s.last_job),
            progress=(s.last_job.percent / 100) if s.last_job is not None else 0.0,
        )
        for s in statuses
    ]
