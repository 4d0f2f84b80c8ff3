"""What the Export page and the ZIP route read about an export job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import EXPORT_ITEM, JOB, ItemState, JobKind, JobStatus
from photoimport.errors import ExportError
from photoimport.export.finish import zip_members
from photoimport.export.request import ExportRequest
from photoimport.export.store import export_counts
from photoimport.export.zipstream import zip_chunks

__all__ = [
    "ExportErrorRow",
    "export_archive",
    "export_counts",
    "export_errors",
    "is_export",
    "open_zip",
    "zip_path",
    "zip_url",
]

ZIP_ROUTE = "/export/{job}/{token}.zip"


@dataclass(frozen=True)
class ExportErrorRow:
    target: str
    stage: str
    reason: str


def _job(engine: Engine, job_id: int) -> sa.RowMapping | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().first()


def is_export(engine: Engine, job_id: int) -> bool:
    row = _job(engine, job_id)
    return row is not None and row["kind"] == JobKind.EXPORT.value


def export_errors(engine: Engine, job_id: int, limit: int = 500) -> list[ExportErrorRow]:
    x = EXPORT_ITEM
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(x.c.target, x.c.error_stage, x.c.error_reason)
            .where(x.c.job_id == job_id, x.c.state == ItemState.ERROR.value)
            .order_by(x.c.id)
            .limit(limit)
        ).all()
    return [ExportErrorRow(str(t), str(s or ""), str(r or "")) for t, s, r in rows]


def zip_path(job_id: int, token: str) -> str:
    return ZIP_ROUTE.format(job=job_id, token=token)


def zip_url(engine: Engine, job_id: int) -> str:
    """The ZIP's URL path; the token (random, kept on the job) stands for the right to it."""
    row = _job(engine, job_id)
    if row is None or not row["export_json"]:
        raise ExportError(f"job {job_id} is not an export")
    return zip_path(job_id, ExportRequest.from_json(row["export_json"]).zip_token)


def open_zip(engine: Engine, job_id: int, token: str) -> tuple[str, Iterator[bytes]]:
    """The archive's file name and its bytes as a stream; ``ExportError`` when not allowed."""
    row = _job(engine, job_id)
    if row is None or row["kind"] != JobKind.EXPORT.value or not row["export_json"]:
        raise ExportError(f"no export job {job_id}")
    request = ExportRequest.from_json(row["export_json"])
    if not token or token != request.zip_token:
        raise ExportError(f"no export job {job_id}")
    return export_archive(engine, job_id)


def export_archive(engine: Engine, job_id: int) -> tuple[str, Iterator[bytes]]:
    """A finished export's ZIP: its file name and its bytes as a stream (what was exported,
    each with its sidecar, then the manifest); ``ExportError`` when there is none yet."""
    row = _job(engine, job_id)
    if row is None or row["kind"] != JobKind.EXPORT.value:
        raise ExportError(f"no export job {job_id}")
    if row["status"] not in (JobStatus.COMPLETED.value, JobStatus.CANCELLED.value):
        raise ExportError(f"export job {job_id} has not finished")
    destination = Path(row["source"])
    if not destination.is_dir():
        raise ExportError(f"the export folder {destination} is gone")
    members = list(zip_members(engine, job_id))
    return f"photoimport-export-{job_id}.zip", zip_chunks(destination, members)
