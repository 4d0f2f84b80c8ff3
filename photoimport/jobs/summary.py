"""A job's summary: counts, confidences, duplicate groups, speed.

* ``compute_summary(engine, job_id) -> JobSummary``: counts by outcome and by confidence,
  the exact duplicate groups (one content under several paths, anywhere in the library) and the
  near-duplicate groups that this job's files belong to, duration and files per second.
* The summary is stored on the job as JSON (``summary_to_json`` / ``summary_from_json``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import (
    FILE,
    ITEM,
    JOB,
    Confidence,
    ItemState,
    JobStatus,
)
from photoimport.library.queries import exact_duplicate_ids
from photoimport.library.variants import kind_counts, unmatched_sidecars


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
    # --- issue 11 ---
    by_kind: dict[str, int] = field(default_factory=dict)  # photo / raw / video / live
    no_preview: int = 0  # files kept with their facts but without a picture
    unmatched_sidecars: list[str] = field(default_factory=list)


def summary_to_json(summary: JobSummary) -> str:
    data = asdict(summary)
    data["status"] = summary.status.value
    data["by_confidence"] = {k.value: v for k, v in summary.by_confidence.items()}
    return json.dumps(data, sort_keys=True)


def summary_from_json(text: str) -> JobSummary:
    data: dict[str, Any] = json.loads(text)
    data["status"] = JobStatus(data["status"])
    data["by_confidence"] = {Confidence(k): int(v) for k, v in data["by_confidence"].items()}
    return JobSummary(**data)


def compute_summary(
    engine: Engine, job_id: int, status: JobStatus | None = None, duration: float | None = None
) -> JobSummary:
    """The job's summary from its rows (``status``/``duration`` override the row's values)."""
    touched = (
        sa.select(ITEM.c.file_id)
        .where(ITEM.c.job_id == job_id, ITEM.c.file_id.is_not(None))
        .distinct()
        .scalar_subquery()
    )
    with engine.connect() as conn:
        job = conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one()
        states: dict[str, int] = dict(
            conn.execute(
                sa.select(ITEM.c.state, sa.func.count())
                .where(ITEM.c.job_id == job_id)
                .group_by(ITEM.c.state)
            ).all()
        )
        confidences: dict[str, int] = dict(
            conn.execute(
                sa.select(FILE.c.confidence, sa.func.count())
                .where(FILE.c.id.in_(touched))
                .group_by(FILE.c.confidence)
            ).all()
        )
        exact = conn.execute(
            sa.select(sa.func.count()).select_from(
                exact_duplicate_ids(ITEM.c.file_id.in_(touched)).subquery()
            )
        ).scalar_one()
        near = conn.execute(
            sa.select(sa.func.count(sa.distinct(FILE.c.near_group))).where(
                FILE.c.id.in_(touched), FILE.c.near_group.is_not(None)
            )
        ).scalar_one()
    seconds = float(job["active_seconds"]) if duration is None else duration
    ended = sum(
        states.get(s.value, 0) for s in (ItemState.DONE, ItemState.ERROR, ItemState.SKIPPED)
    )
    return JobSummary(
        job_id=job_id,
        status=status or JobStatus(job["status"]),
        total=int(job["total"]),
        processed=states.get(ItemState.DONE.value, 0),
        already_known=states.get(ItemState.SKIPPED.value, 0),
        errors=states.get(ItemState.ERROR.value, 0),
        by_confidence={Confidence(k): int(v) for k, v in confidences.items()},
        exact_duplicate_groups=int(exact),
        near_duplicate_groups=int(near),
        duration_seconds=seconds,
        files_per_second=ended / seconds if seconds > 0 and ended else None,
        **kind_counts(engine, job_id),
        unmatched_sidecars=unmatched_sidecars(engine, job_id),
    )
