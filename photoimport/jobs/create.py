"""Creating jobs: a job and its items are written in one transaction."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import (
    ITEM,
    JOB,
    ItemState,
    JobControl,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.errors import FolderNotFound, FolderNotReadable
from photoimport.metadata.sidecars import is_sidecar_name
from photoimport.settings import ImportSettings, validate_import_settings

_ITEM_CHUNK = 1000


def create_job(
    engine: Engine,
    kind: JobKind,
    source: str,
    settings: ImportSettings,
    paths: list[Path] | None = None,  # upload/watch jobs: the items; folder jobs list `source`
) -> int:
    """Insert a PENDING job (and its items when ``paths`` is given); returns its id.

    The job and its items commit in one transaction, so a worker (``serve``) never sees a job
    whose items are still being written. A folder job without ``paths`` is listed by its worker
    (``listing_done`` says when). Settings out of their range are refused here, with the
    setting's name, so a job can never fail at its end because of a setting.
    """
    validate_import_settings(settings)
    if kind is JobKind.DIRECTORY and paths is None:
        folder = Path(source)
        if not folder.is_dir():
            raise FolderNotFound(f"folder not found: {source}")
        if not os.access(folder, os.R_OK | os.X_OK):
            raise FolderNotReadable(f"folder cannot be read: {source}")
    with engine.begin() as conn:
        return _insert_job(conn, kind, source, settings, paths)


def create_upload_job(
    engine: Engine, uploads_dir: Path, staged: Path, settings: ImportSettings
) -> int:
    """An upload job whose files move from the ``staged`` folder to ``uploads/<job id>/``.

    The move happens inside the job's transaction: if the job cannot be written, the files go
    back to ``staged``; if the move fails, no job is created.
    """
    validate_import_settings(settings)
    with engine.begin() as conn:
        job_id = _insert_job(conn, JobKind.UPLOAD, str(staged), settings, [])
        target = _free_folder(uploads_dir, str(job_id))
        staged.replace(target)  # same filesystem: uploads_dir holds both
        try:
            # sidecars (XMP, Takeout JSON) are read beside their photo, never imported as files
            paths = sorted(
                p for p in target.rglob("*") if p.is_file() and not is_sidecar_name(p.name)
            )
            conn.execute(
                JOB.update().where(JOB.c.id == job_id).values(source=str(target), total=len(paths))
            )
            _insert_items(conn, job_id, [str(p) for p in paths])
        except BaseException:
            target.replace(staged)
            raise
    return job_id


def _free_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... when a folder of that name exists (left by
    an older library whose job numbers started again at 1)."""
    candidate, n = parent / name, 1
    while candidate.exists():
        n += 1
        candidate = parent / f"{name}-{n}"
    return candidate


def _insert_job(
    conn: sa.Connection,
    kind: JobKind,
    source: str,
    settings: ImportSettings,
    paths: list[Path] | None,
) -> int:
    unique = list(dict.fromkeys(str(p) for p in paths)) if paths is not None else []
    row = conn.execute(
        JOB.insert()
        .values(
            kind=kind.value,
            source=source,
            status=JobStatus.PENDING.value,
            control=JobControl.NONE.value,
            settings_json=settings.to_json(),
            listing_done=paths is not None,
            total=len(unique),
            created_at=utcnow(),
        )
        .returning(JOB.c.id)
    ).one()
    job_id = int(row[0])
    _insert_items(conn, job_id, unique)
    return job_id


def _insert_items(conn: sa.Connection, job_id: int, paths: list[str]) -> None:
    for start in range(0, len(paths), _ITEM_CHUNK):
        conn.execute(
            ITEM.insert(),
            [
                {"job_id": job_id, "path": p, "state": ItemState.PENDING.value, "attempts": 0}
                for p in paths[start : start + _ITEM_CHUNK]
            ],
        )
