"""Preview an export (the dry run) and create its job: one checked plan for both.

``preview_export`` checks the templates and the destination, reads the selection, makes the
plan (``plan.make_plan``) against what the destination already holds, and compares the bytes to
write with the free space: any refusal is a ``TemplateInvalid`` / ``DestinationRefused`` before
anything is written. ``create_export_job`` turns that same plan into a PENDING job of kind
EXPORT with one ``ExportItem`` per file (its relative target decided here, once), in one
transaction, so a resumed or second worker writes exactly the previewed names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import (
    EXPORT_ITEM,
    JOB,
    ItemState,
    JobControl,
    JobKind,
    JobStatus,
    utcnow,
)
from photoimport.errors import DestinationRefused
from photoimport.export.destination import check_destination, check_space, free_bytes
from photoimport.export.manifest import ManifestRow, read_manifest
from photoimport.export.plan import ExistingFile, Plan, make_plan
from photoimport.export.request import ExportRequest
from photoimport.export.selection import import_roots, load_sources
from photoimport.export.template import parse_template
from photoimport.settings import ImportSettings, Settings

__all__ = ["ExportPreview", "create_export_job", "preview_export"]

_CHUNK = 1000


@dataclass(frozen=True)
class ExportPreview:
    request: ExportRequest
    destination: Path
    plan: Plan
    free_bytes: int
    fits: bool
    already_there: int  # names an earlier export of the same photo holds (recognised at run time)


def _lookup(destination: Path, manifest: dict[str, ManifestRow]):  # type: ignore[no-untyped-def]
    if not destination.is_dir():
        return None

    def existing(relative: str) -> ExistingFile | None:
        try:
            size = (destination / relative).stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None
        row = manifest.get(relative)
        return ExistingFile(size=size, sha256=row.sha256 if row else None)

    return existing


def preview_export(
    engine: Engine, settings: Settings, request: ExportRequest, *, check_free: bool = False
) -> ExportPreview:
    """The dry run; ``check_free`` also refuses a destination too small for the plan."""
    template = parse_template(request.template)
    undated = parse_template(request.undated_template, undated=True)
    destination = check_destination(request.destination, settings, import_roots(engine))
    manifest = read_manifest(destination) if destination.is_dir() else {}
    plan = make_plan(
        load_sources(engine, request.file_filter()),
        template,
        undated,
        include_discarded=request.include_discarded,
        existing=_lookup(destination, manifest),
    )
    needed = 0 if request.link else plan.total_bytes
    free = free_bytes(destination)
    fits = needed + len(plan.files) * 4096 <= free
    if check_free:
        check_space(destination, needed, len(plan.files))
    there = sum(1 for f in plan.files if f.exists)
    return ExportPreview(request, destination, plan, free, fits, there)


def create_export_job(
    engine: Engine, settings: Settings, request: ExportRequest, imports: ImportSettings
) -> int:
    """A PENDING export job with its items; refuses (plain words) before anything is written."""
    preview = preview_export(engine, settings, request, check_free=True)
    if not preview.plan.files:
        raise DestinationRefused(f"nothing to export: {request.describe()} holds no photos")
    request = request.with_changes(destination=str(preview.destination))
    with engine.begin() as conn:
        job_id = int(
            conn.execute(
                JOB.insert()
                .values(
                    kind=JobKind.EXPORT.value,
                    source=str(preview.destination),
                    status=JobStatus.PENDING.value,
                    control=JobControl.NONE.value,
                    settings_json=imports.to_json(),
                    export_json=request.to_json(),
                    listing_done=True,
                    total=len(preview.plan.files),
                    created_at=utcnow(),
                    owner=request.owner,  # a demo visitor's export expires with their photos
                )
                .returning(JOB.c.id)
            ).scalar_one()
        )
        rows = [
            {
                "job_id": job_id,
                "file_id": f.source.file_id,
                "target": f.target,
                "renamed": f.renamed,
                "state": ItemState.PENDING.value,
                "attempts": 0,
            }
            for f in preview.plan.files
        ]
        for start in range(0, len(rows), _CHUNK):
            conn.execute(sa.insert(EXPORT_ITEM), rows[start : start + _CHUNK])
    return job_id
