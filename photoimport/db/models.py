"""Database tables (SQLModel) and the enums that cross module borders.

* ``Job``: one import (upload, folder, watch batch): status, counters, control, heartbeat.
* ``JobItem``: one path of a job. Items are how a resumed or second worker knows what is left:
  every item ends DONE, ERROR or SKIPPED exactly once.
* ``File``: one *content* (unique SHA-256) in the library, whichever paths and jobs brought it.
  The paths a content was seen under are its ``JobItem`` rows.
* ``WatchedFolder`` and ``WatcherState``: the watched folders and the watcher's heartbeat.
* ``StoredSettings``: the import settings new jobs start with (the Settings page).

Every datetime column is ``UTCDateTime``: timezone-aware in Python, stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from photoimport.enums import (
    ACTIVE_STATUSES,
    RESUMABLE_STATUSES,
    Confidence,
    ItemState,
    JobControl,
    JobKind,
    JobStatus,
    WatchState,
)

__all__ = [
    "ACTIVE_STATUSES",
    "FILE",
    "ITEM",
    "JOB",
    "RESUMABLE_STATUSES",
    "CameraCount",
    "Confidence",
    "ExportItem",
    "File",
    "ItemState",
    "Job",
    "JobControl",
    "JobItem",
    "JobKind",
    "JobStatus",
    "LibraryCount",
    "SeenPath",
    "StoredSettings",
    "UTCDateTime",
    "WatchState",
    "WatchedFolder",
    "WatcherState",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC; refuses naive datetimes (a naive datetime is a bug)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: JobKind = Field(sa_type=sa.String(16))
    source: str
    status: JobStatus = Field(default=JobStatus.PENDING, sa_type=sa.String(16), index=True)
    control: JobControl = Field(default=JobControl.NONE, sa_type=sa.String(16))
    settings_json: str = ""
    listing_done: bool = False  # folder jobs: every file has its item
    total: int = 0
    done: int = 0  # items that ended (done + error + skipped)
    errors: int = 0
    skipped: int = 0
    current_file: str | None = None
    message: str | None = None  # why it halted / failed, in plain words
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    run_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    run_done_at_start: int = 0  # ``done`` when the current run started: ETA uses this run only
    active_seconds: float = 0.0  # time spent RUNNING in earlier runs (paused time not counted)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    worker_pid: int | None = None
    worker_host: str | None = None
    summary_json: str | None = None
    owner: str | None = Field(default=None, index=True)  # a demo visitor's key (None: everyone's)
    # --- issue 10: the error threshold counts from here (0, or where the job last halted) ---
    threshold_done: int = 0
    threshold_errors: int = 0
    # --- issue 14: export ---
    export_json: str | None = None  # an EXPORT job's request (ExportRequest.to_json)
    # --- issue 16: unchanged files ---
    unchanged: int = 0  # items linked without reading the file (same path, size, mtime...)


class JobItem(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_jobitem_job_state", "job_id", "state"),  # claims: id order within a state
        sa.Index("ix_jobitem_job_state_path", "job_id", "state", "path"),  # a job's errors
        sa.UniqueConstraint("job_id", "path", name="uq_jobitem_job_path"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id")
    path: str
    state: ItemState = Field(default=ItemState.PENDING, sa_type=sa.String(16))
    lease_owner: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    error_stage: str | None = None
    error_reason: str | None = None
    file_id: int | None = Field(default=None, foreign_key="file.id", index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # --- issue 16: the file's stat when the job listed it (``db.seen``) ---
    stat_size: int | None = Field(default=None, sa_type=sa.BigInteger)
    stat_mtime_ns: int | None = Field(default=None, sa_type=sa.BigInteger)
    stat_inode: int | None = Field(default=None, sa_type=sa.BigInteger)
    stat_ctime_ns: int | None = Field(default=None, sa_type=sa.BigInteger)


class File(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(sa_type=sa.String(64), unique=True, index=True)
    path: str  # where the content was first seen
    name: str
    size: int = Field(sa_type=sa.BigInteger)
    mime: str
    format: str
    width: int
    height: int
    display_width: int
    display_height: int
    orientation: int = 1
    make: str | None = None
    model: str | None = Field(default=None, index=True)
    phash: str | None = Field(default=None, sa_type=sa.String(16))  # 16 hex digits, 64 bits
    capture_utc: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # ISO-8601 wall clock with its offset, e.g. 2021-04-11T15:47:53-05:00
    capture_local: str | None = None
    capture_offset_minutes: int | None = None
    capture_offset_source: str | None = None
    capture_source: str | None = None
    capture_date_only: bool = False
    confidence: Confidence = Field(default=Confidence.NONE, sa_type=sa.String(8), index=True)
    candidates_json: str = "[]"
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    thumbnail: str | None = None  # relative to the home folder: thumbs/ab/abcd....jpg
    near_group: int | None = Field(default=None, index=True)
    first_job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # What the file is, and whose variant (migration 0003). A RAW beside its JPEG, a Live
    # Photo's motion part point to their primary file; pages and export show primaries.
    kind: str = Field(default="photo", sa_type=sa.String(8), index=True)  # photo | raw | video
    variant_of: int | None = Field(default=None, foreign_key="file.id", index=True)
    # The EFFECTIVE capture time (see DESIGN.md "Facts, decisions, effective values"): equal to
    # the detected capture_* facts at import; only date decisions change it. Gallery, review,
    # export and ``files`` read these.
    effective_utc: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    effective_local: str | None = None  # ISO wall clock with its offset
    effective_offset_minutes: int | None = None
    effective_confidence: Confidence = Field(
        default=Confidence.NONE, sa_type=sa.String(8), index=True
    )
    date_decision_id: int | None = None  # the decision that set the effective time (None: detected)
    discarded: bool = Field(default=False, index=True)  # a duplicate the user chose not to keep
    dup_decision_id: int | None = None  # the resolution that discarded it
    # --- issue 11: RAW, video, Live Photos, sidecars (migration 0005) ---
    duration_seconds: float | None = None  # videos
    content_id: str | None = Field(default=None, index=True)  # Apple Live Photo identifier
    preview_error: str | None = None  # why there is no picture: a warning, the facts are kept
    sidecars_json: str = "[]"  # paths of the XMP / Takeout sidecars read (JSON list)
    variant_count: int = 0  # on a primary: files whose variant_of points here
    is_live: bool = False  # on a primary: one of its variants is a Live Photo's motion part
    # --- issue 12: date review ---
    capture_disputed: bool | None = None  # MEDIUM, a candidate disagrees (review.queue fills it)
    camera_serial: str | None = None  # EXIF BodySerialNumber: two bodies of one model apart
    __table_args__ = (  # the review queue's count and the disputes still to work out
        sa.Index(  # covers the queue's count: primaries, not discarded
            "ix_file_review_queue",
            "effective_confidence",
            "capture_disputed",
            "variant_of",
            "discarded",
        ),
        sa.Index("ix_file_camera", "make", "model", "camera_serial"),  # cameras, a camera's photos
        sa.Index("ix_file_confidence_disputed", "confidence", "capture_disputed"),
    )
    # --- issue 16: paths that hold this content now (``SeenPath``); > 1: exact duplicates ---
    path_count: int = 0


class WatchedFolder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)
    polling: bool = False
    state: WatchState = Field(default=WatchState.STOPPED, sa_type=sa.String(24))
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_event_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_scan_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_job_id: int | None = Field(default=None, foreign_key="job.id")


class WatcherState(SQLModel, table=True):
    """One row per running watcher process (normally one)."""

    id: int | None = Field(default=None, primary_key=True)
    pid: int
    host: str
    folder: str | None = None  # None: every configured folder
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StoredSettings(SQLModel, table=True):
    id: int = Field(default=1, primary_key=True)
    settings_json: str
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The Core table handles, defined once: set-based SQL (claims, summaries, listings) uses these.
JOB: sa.Table = Job.__table__  # type: ignore[attr-defined]
ITEM: sa.Table = JobItem.__table__  # type: ignore[attr-defined]
FILE: sa.Table = File.__table__  # type: ignore[attr-defined]


# --- issue 14: export ---
class ExportItem(SQLModel, table=True):
    """One file of an export job: which library file goes to which target (relative to the
    job's destination, decided by the plan), claimed under a lease and ended exactly once."""

    __table_args__ = (
        sa.Index("ix_exportitem_job_state", "job_id", "state"),  # claims: id order within a state
        sa.UniqueConstraint("job_id", "target", name="uq_exportitem_job_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id")
    file_id: int = Field(foreign_key="file.id", index=True)
    target: str
    renamed: bool = False  # got a _N suffix to avoid a collision
    state: ItemState = Field(default=ItemState.PENDING, sa_type=sa.String(16))
    lease_owner: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    how: str | None = Field(default=None, sa_type=sa.String(16))  # copied | linked | already there
    copy_sha256: str | None = Field(default=None, sa_type=sa.String(64))
    error_stage: str | None = None
    error_reason: str | None = None
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


EXPORT_ITEM: sa.Table = ExportItem.__table__  # type: ignore[attr-defined]


# --- issue 16: unchanged files are not read again; library totals as counters ---


class SeenPath(SQLModel, table=True):
    """One row per path an import ended: the content it held (``file_id``) or that it failed,
    and the file's stat when it was listed (``db.seen``). Same stat again: linked, not read."""

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)
    file_id: int | None = Field(default=None, foreign_key="file.id", index=True)
    failed: bool = False
    size: int | None = Field(default=None, sa_type=sa.BigInteger)
    mtime_ns: int | None = Field(default=None, sa_type=sa.BigInteger)
    inode: int | None = Field(default=None, sa_type=sa.BigInteger)
    ctime_ns: int | None = Field(default=None, sa_type=sa.BigInteger)
    job_id: int | None = None  # the job that last read it
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LibraryCount(SQLModel, table=True):
    """Library totals moved by each batch commit (``db.counters``); a total sums its shards."""

    name: str = Field(primary_key=True, sa_type=sa.String(40))
    shard: int = Field(default=0, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class CameraCount(SQLModel, table=True):
    """Photos per camera, moved by triggers (``db.tallies``); '' for a missing make, model or
    serial; a camera's count sums its shards."""

    make: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    serial: str = Field(primary_key=True)
    shard: int = Field(default=0, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


# --- issue 15: gallery order ---
# The Gallery hides discarded photos and variants (RAW / Live video beside a primary): with both
# as the index's leading (equality) columns, a page deep in the effective-time order is an index
# walk, not a scan of every row before it (page 1000 of 100,000: 3.6 s -> see the migration).
sa.Index(
    "ix_file_gallery_order",
    FILE.c.discarded,
    FILE.c.variant_of,
    FILE.c.effective_utc,
)
