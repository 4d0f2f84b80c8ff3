"""Library rows for the duplicates tests: jobs, photos and their paths, in a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from photoimport.db.models import File, Job, JobItem, JobKind, JobStatus, SeenPath
from photoimport.enums import Confidence, ItemState

WHEN = datetime(2021, 4, 11, 20, 47, 53, tzinfo=UTC)


def add_job(engine: Engine) -> int:
    with Session(engine) as session:
        job = Job(kind=JobKind.DIRECTORY, source="/photos", status=JobStatus.COMPLETED)
        session.add(job)
        session.commit()
        assert job.id is not None
        return job.id


def add_photo(
    engine: Engine,
    job_id: int,
    sha: str,
    phash: str | None,
    *,
    paths: tuple[str, ...] = (),
    seconds: float | None = 0.0,
    confidence: Confidence = Confidence.HIGH,
    **columns: Any,
) -> int:
    """A photo (``File``) seen under ``paths`` (default ``/photos/<sha>.jpg``) by ``job_id``."""
    where = paths or (f"/photos/{sha}.jpg",)
    taken = None if seconds is None else WHEN + timedelta(seconds=seconds)
    values: dict[str, Any] = {
        "sha256": sha,
        "path": where[0],
        "name": where[0].rsplit("/", 1)[-1],
        "size": 1_000_000,
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 4032,
        "height": 3024,
        "display_width": 4032,
        "display_height": 3024,
        "phash": phash,
        "capture_utc": taken,
        "capture_local": None if taken is None else taken.isoformat(),
        "confidence": confidence if taken else Confidence.NONE,
        "effective_utc": taken,
        "effective_local": None if taken is None else taken.isoformat(),
        "effective_offset_minutes": None if taken is None else 0,
        "effective_confidence": confidence if taken else Confidence.NONE,
        "first_job_id": job_id,
        **columns,
    }
    with Session(engine) as session:
        photo = File(**values)
        session.add(photo)
        session.flush()
        assert photo.id is not None
        for path in where:
            session.add(JobItem(job_id=job_id, path=path, state=ItemState.DONE, file_id=photo.id))
            session.add(SeenPath(path=path, file_id=photo.id))  # as a batch commit records it
        session.commit()
        return photo.id


def hexed(value: int) -> str:
    return f"{value:016x}"
