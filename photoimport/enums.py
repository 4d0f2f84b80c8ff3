"""The enums that cross module borders (job states, item states, date confidence, ...).

Kept apart from ``models`` so the per-file pipeline (which needs ``Confidence``) does not import
SQLModel: pool processes start faster.
"""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    UPLOAD = "upload"
    DIRECTORY = "directory"
    WATCH = "watch"
    DEMO = "demo"
    EXPORT = "export"


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    HALTED = "HALTED"
    CANCELLED = "CANCELLED"


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)
RESUMABLE_STATUSES = (JobStatus.PAUSED, JobStatus.HALTED, JobStatus.CANCELLED, JobStatus.FAILED)


class JobControl(StrEnum):
    """What a front end asked the worker to do at its next batch boundary."""

    NONE = "none"
    PAUSE = "pause"
    CANCEL = "cancel"


class ItemState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    ERROR = "error"
    SKIPPED = "skipped"  # content already in the library: linked, not processed again


class Confidence(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    NONE = "NONE"


class WatchState(StrEnum):
    WATCHING = "watching"
    MISSING = "folder missing"
    STOPPED = "watcher not running"
