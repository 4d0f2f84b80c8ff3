"""The end of an export: its ``manifest.csv``, its one-line summary, the files its ZIP holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import Engine

from photoimport.export.manifest import MANIFEST_NAME, ManifestRow, write_manifest
from photoimport.export.sidecar import SIDECAR_SUFFIX
from photoimport.export.store import export_counts, finished_rows

__all__ = ["export_message", "manifest_rows", "write_job_manifest", "zip_members"]


def manifest_rows(engine: Engine, job_id: int) -> Iterator[ManifestRow]:
    for target, path, sha, copy_sha, local, decision, conf, group, how in finished_rows(
        engine, job_id
    ):
        yield ManifestRow(
            source_path=str(path),
            destination_path=str(target),
            sha256=str(sha),
            copy_sha256=str(copy_sha or sha),
            effective_date=str(local or ""),
            date_source="decision" if decision is not None else "detected",
            confidence=str(conf or ""),
            duplicate_group=str(group) if group is not None else "",
            how=str(how or ""),
        )


def write_job_manifest(engine: Engine, job_id: int, destination: Path) -> Path | None:
    rows = list(manifest_rows(engine, job_id))
    if not rows:
        return None
    destination.mkdir(parents=True, exist_ok=True)
    return write_manifest(destination, rows)


def export_message(engine: Engine, job_id: int) -> str:
    """E.g. "exported 120 files: 118 copied, 2 already there; 1 error"."""
    counts = export_counts(engine, job_id)
    errors = counts.pop("error", 0)
    counts.pop("to do", None)
    total = sum(counts.values())
    parts = ", ".join(f"{n} {how}" for how, n in sorted(counts.items()) if n)
    text = f"exported {total} files" + (f": {parts}" if parts else "")
    if errors:
        text += f"; {errors} error" + ("s" if errors != 1 else "")
    return text


def zip_members(engine: Engine, job_id: int) -> Iterator[str]:
    """What the export's ZIP holds: each exported file and its sidecar, then the manifest."""
    for target, *_ in finished_rows(engine, job_id):
        yield str(target)
        yield str(target) + SIDECAR_SUFFIX
    yield MANIFEST_NAME
