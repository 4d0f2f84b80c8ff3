"""Library rows for the date-review tests: photos with chosen facts, effective = detected."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from photoimport.db.models import File, ItemState, Job, JobItem, JobKind, JobStatus, utcnow
from photoimport.enums import Confidence


def add_job(engine: Engine, source: str = "/photos") -> int:
    with Session(engine) as session:
        job = Job(kind=JobKind.DIRECTORY, source=source, status=JobStatus.COMPLETED)
        session.add(job)
        session.commit()
        assert job.id is not None
        return job.id


def candidate(source: str, local: str | None, raw: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "source": source,
        "raw": raw or (local or ""),
        "local": local,
        "offset_source": extra.pop("offset_source", "stated in the photo"),
        "date_only": False,
        "rejected": extra.pop("rejected", None),
        "demoted": extra.pop("demoted", None),
    }


def add_photo(
    engine: Engine,
    job_id: int,
    path: str,
    local: str | None,
    *,
    make: str | None = "Canon",
    model: str | None = "Canon EOS 80D",
    confidence: Confidence = Confidence.MEDIUM,
    source: str | None = "exif_dto",
    candidates: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> int:
    """One File (and its JobItem) as an import leaves it: effective values = detected ones."""
    when = datetime.fromisoformat(local) if local else None
    offset = when.utcoffset() if when else None
    cands = (
        candidates
        if candidates is not None
        else ([candidate(source, local)] if source and local else [])
    )
    values: dict[str, Any] = {
        "sha256": hashlib.sha256(path.encode()).hexdigest(),
        "path": path,
        "name": path.rsplit("/", 1)[-1],
        "size": 1000,
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 64,
        "height": 48,
        "display_width": 64,
        "display_height": 48,
        "make": make,
        "model": model,
        "capture_utc": when.astimezone(UTC) if when else None,
        "capture_local": local,
        "capture_offset_minutes": int(offset.total_seconds() // 60) if offset is not None else None,
        "capture_source": source if local else None,
        "confidence": confidence,
        "candidates_json": json.dumps(cands),
        "first_job_id": job_id,
        "effective_utc": when.astimezone(UTC) if when else None,
        "effective_local": local,
        "effective_offset_minutes": int(offset.total_seconds() // 60)
        if offset is not None
        else None,
        "effective_confidence": confidence,
        "thumbnail": f"thumbs/{path.strip('/').replace('/', '_')}.jpg",
    }
    values.update(fields)
    with engine.begin() as conn:
        file_id = int(conn.execute(sa.insert(File).values(**values)).inserted_primary_key[0])  # type: ignore[index]
        conn.execute(
            sa.insert(JobItem).values(
                job_id=job_id,
                path=path,
                state=ItemState.DONE,
                file_id=file_id,
                finished_at=utcnow(),
            )
        )
    return file_id


def effective(engine: Engine, file_id: int) -> tuple[str | None, str, int | None]:
    """(effective_local, effective_confidence, date_decision_id) of one photo."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                col(File.effective_local),
                col(File.effective_confidence),
                col(File.date_decision_id),
            ).where(col(File.id) == file_id)
        ).one()
    return row[0], str(row[1]), row[2]


def detected(engine: Engine, file_id: int) -> tuple[str | None, str]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(col(File.capture_local), col(File.confidence)).where(col(File.id) == file_id)
        ).one()
    return row[0], str(row[1])
