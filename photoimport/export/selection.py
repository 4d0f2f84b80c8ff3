"""Read the library for an export: the selected files as ``ExportSource`` values, in one pass.

The gallery filter chooses primaries (``variant_of IS NULL``); the variants of the chosen
primaries come along (a RAW beside its JPEG, a Live Photo's motion part), whatever the filter
says about them. Dates are the *effective* ones (a date decision wins over the detected time).
``{folder}`` is the file's folder relative to the folder its first import read (a folder
import's root, an upload's ``uploads/<job>/``); ``{job}`` is that import's number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE, JOB, JobKind, WatchedFolder
from photoimport.export.plan import ExportSource
from photoimport.library.queries import FileFilter, filter_conditions

__all__ = ["import_roots", "load_sources"]

WATCHED: sa.Table = WatchedFolder.__table__  # type: ignore[attr-defined]
_COLUMNS = (
    FILE.c.id,
    FILE.c.path,
    FILE.c.name,
    FILE.c.size,
    FILE.c.sha256,
    FILE.c.effective_local,
    FILE.c.effective_confidence,
    FILE.c.kind,
    FILE.c.make,
    FILE.c.model,
    FILE.c.first_job_id,
    FILE.c.variant_of,
    FILE.c.discarded,
)


def _job_roots(conn: sa.Connection) -> dict[int, str]:
    rows = conn.execute(
        sa.select(JOB.c.id, JOB.c.source).where(JOB.c.kind != JobKind.EXPORT.value)
    ).all()
    return {int(r[0]): str(r[1]).rstrip("/") + "/" for r in rows}


def _folder(path: str, root: str | None) -> str:
    parent = path.rpartition("/")[0]
    if root is not None and (parent + "/").startswith(root):
        return parent[len(root) :]
    return parent.rpartition("/")[2]


def _source(row: Any, roots: dict[int, str]) -> ExportSource:
    (fid, path, name, size, sha, local, conf, kind, make, model, job, variant_of, discarded) = row
    job_id = int(job) if job is not None else None
    return ExportSource(  # positional: a named tuple builds twice as fast without keywords
        int(fid),
        str(path),
        str(name),
        int(size),
        str(sha),
        datetime.fromisoformat(local) if local else None,
        conf or "NONE",
        kind or "photo",
        make or None,
        model or None,
        job_id,
        _folder(path, roots.get(job_id) if job_id is not None else None),
        variant_of,
        bool(discarded),
    )


def load_sources(engine: Engine, flt: FileFilter) -> Iterator[ExportSource]:
    """The chosen primaries, then their variants; streamed (a 100,000-photo library is fine).

    Discarded duplicates are loaded too: the plan leaves them out (and counts them) unless the
    export asks for them, so the gallery's default of hiding them does not apply here."""
    wide = replace(flt, include_discarded=True)
    chosen = sa.and_(FILE.c.variant_of.is_(None), *filter_conditions(wide))
    primaries = sa.select(*_COLUMNS).where(chosen).order_by(FILE.c.id)
    variants = (
        sa.select(*_COLUMNS)
        .where(FILE.c.variant_of.in_(sa.select(FILE.c.id).where(chosen)))
        .order_by(FILE.c.id)
    )
    with engine.connect() as conn:
        roots = _job_roots(conn)
        for query in (primaries, variants):
            for row in conn.execute(query.execution_options(yield_per=5000)):
                yield _source(row, roots)


def import_roots(engine: Engine) -> list[Path]:
    """Folders photos are imported from (folder imports, watched folders): never export there."""
    with engine.connect() as conn:
        jobs = conn.execute(
            sa.select(JOB.c.source).where(
                JOB.c.kind.in_([JobKind.DIRECTORY.value, JobKind.WATCH.value])
            )
        ).scalars()
        watched = conn.execute(sa.select(WATCHED.c.path)).scalars()
        found = {str(p) for p in [*jobs, *watched] if p}
    return [Path(p) for p in sorted(found)]
