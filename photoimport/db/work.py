"""The values the worker's SQL (``db.claims``) takes and returns, and the liveness timings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from photoimport.db.models import File, ItemState, JobControl, JobKind, JobStatus
from photoimport.settings import ImportSettings

__all__ = [
    "HEARTBEAT_SECONDS",
    "LEASE_SECONDS",
    "LOST_AFTER_SECONDS",
    "BatchCounts",
    "ClaimedItem",
    "ItemOutcome",
    "JobView",
    "TakeResult",
]

# Liveness, one set for workers and the watcher: a live process beats every HEARTBEAT_SECONDS;
# one whose beat is older than LOST_AFTER_SECONDS is lost; a claimed item's lease lasts
# LEASE_SECONDS and is extended with each beat while its batch runs.
HEARTBEAT_SECONDS = 2.0
LOST_AFTER_SECONDS = 5 * HEARTBEAT_SECONDS
LEASE_SECONDS = 60.0


class TakeResult(StrEnum):
    TOOK = "took"  # this worker started (or took over) the job
    JOINED = "joined"  # a live worker holds it: this one helps
    REFUSED = "refused"  # completed, missing, or cancel/pause requested


@dataclass(frozen=True)
class ClaimedItem:
    id: int
    path: str
    attempts: int


@dataclass(frozen=True)
class ItemOutcome:
    """How one claimed item ended. ``file`` is the new content's row for a DONE item: a ``File``
    or its values by column name (the worker's, cheaper to build; defaults fill the rest)."""

    item_id: int
    path: str
    state: ItemState  # DONE, ERROR or SKIPPED
    sha256: str | None = None
    file: File | Mapping[str, Any] | None = None
    error_stage: str | None = None
    error_reason: str | None = None


@dataclass(frozen=True)
class BatchCounts:
    done: int  # items that ended in this batch (done + error + skipped)
    errors: int
    skipped: int
    dropped: int  # results for items this worker no longer held


@dataclass(frozen=True)
class JobView:
    """The job row as the worker reads it between batches."""

    kind: JobKind
    source: str
    status: JobStatus
    control: JobControl
    listing_done: bool
    total: int
    done: int
    errors: int
    settings: ImportSettings
    run_started_at: datetime | None
    active_seconds: float
    export_json: str | None = None  # an export's request (``ExportRequest.from_json``)
