"""Variants of one photo in the library (RAW + JPEG, Live Photo still + motion) and sidecars.

* ``assign_variants(engine, job_id)``: after a job, pair the files it touched (with each other
  and, by Live Photo identifier, with the library) using ``media.pairing.pair_variants``; set
  ``File.variant_of`` on each variant and ``variant_count`` / ``is_live`` on its primary.
* ``variants_of(engine, file_id)``: a photo's other variants (and its primary when it is one).
* ``unmatched_sidecars(engine, job_id)``: XMP / Takeout sidecars in the job's folders that no
  file of the library read (album ``metadata.json`` files are not photo sidecars).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from photoimport.db.models import FILE, ITEM, File
from photoimport.media.pairing import Member, pair_variants
from photoimport.metadata.sidecars import MAX_SIDECAR_BYTES, is_sidecar_name
from photoimport.metadata.takeout import parse_takeout_json

__all__ = ["assign_variants", "kind_counts", "sidecars_of", "unmatched_sidecars", "variants_of"]

_MEMBER_COLUMNS = (FILE.c.id, FILE.c.path, FILE.c.kind, FILE.c.capture_utc, FILE.c.content_id)


def _touched(job_id: int) -> sa.ScalarSelect[int]:
    return (
        sa.select(ITEM.c.file_id)
        .where(ITEM.c.job_id == job_id, ITEM.c.file_id.is_not(None))
        .distinct()
        .scalar_subquery()
    )


def assign_variants(engine: Engine, job_id: int) -> int:
    """Pair the job's files into variants; returns how many files became a variant."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*_MEMBER_COLUMNS).where(FILE.c.id.in_(_touched(job_id))))
        members = {r.id: Member(r.id, r.path, r.kind, r.capture_utc, r.content_id) for r in rows}
        ids = [m.content_id for m in members.values() if m.content_id]
        if ids:  # the other half of a Live Photo may have come with an earlier job
            partners = conn.execute(
                sa.select(*_MEMBER_COLUMNS).where(
                    FILE.c.content_id.in_(ids), FILE.c.id.not_in(list(members))
                )
            )
            for r in partners:
                members[r.id] = Member(r.id, r.path, r.kind, r.capture_utc, r.content_id)
    pairs = pair_variants(list(members.values()))
    if not pairs:
        return 0
    with engine.begin() as conn:
        for variant, primary in pairs.items():
            conn.execute(FILE.update().where(FILE.c.id == variant).values(variant_of=primary))
        for primary in set(pairs.values()):
            count = sa.select(sa.func.count()).where(FILE.c.variant_of == primary)
            live = sa.exists().where(FILE.c.variant_of == primary, FILE.c.kind == "video")
            conn.execute(
                FILE.update()
                .where(FILE.c.id == primary)
                .values(variant_count=count.scalar_subquery(), is_live=live)
            )
    return len(pairs)


def kind_counts(engine: Engine, job_id: int) -> dict[str, Any]:
    """The job's files by kind (and Live Photos), and how many have no picture."""
    touched = FILE.c.id.in_(_touched(job_id))
    with engine.connect() as conn:
        kinds = conn.execute(
            sa.select(FILE.c.kind, sa.func.count()).where(touched).group_by(FILE.c.kind)
        ).all()
        live = conn.execute(
            sa.select(sa.func.count()).where(touched, FILE.c.is_live.is_(True))
        ).scalar_one()
        missing = conn.execute(
            sa.select(sa.func.count()).where(touched, FILE.c.preview_error.is_not(None))
        ).scalar_one()
    by_kind = {str(kind): int(count) for kind, count in kinds}
    if live:
        by_kind["live"] = int(live)
    return {"by_kind": by_kind, "no_preview": int(missing)}


def variants_of(engine: Engine, file_id: int) -> list[File]:
    """The other files of the same photo: its variants, or its primary and siblings."""
    with Session(engine) as session:
        file = session.get(File, file_id)
        if file is None:
            return []
        primary = file.variant_of or file_id
        query = select(File).where(
            sa.or_(col(File.id) == primary, col(File.variant_of) == primary),
            col(File.id) != file_id,
        )
        return list(session.exec(query.order_by(col(File.id))).all())


def sidecars_of(file: File) -> list[str]:
    """The sidecar paths that were read for ``file`` (newest import's list)."""
    try:
        value = json.loads(file.sidecars_json or "[]")
    except json.JSONDecodeError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def unmatched_sidecars(engine: Engine, job_id: int, limit: int = 1000) -> list[str]:
    """Sidecar files in the folders of the job's files that no file in the library read."""
    with engine.connect() as conn:
        paths = conn.execute(sa.select(ITEM.c.path).where(ITEM.c.job_id == job_id)).scalars()
        folders = sorted({str(Path(p).parent) for p in paths})
        read: set[str] = set()
        for value in conn.execute(
            sa.select(FILE.c.sidecars_json).where(
                FILE.c.id.in_(_touched(job_id)), FILE.c.sidecars_json != "[]"
            )
        ).scalars():
            read.update(json.loads(value or "[]"))
    unmatched: list[str] = []
    for folder in folders:
        try:
            names = sorted(entry.name for entry in Path(folder).iterdir())
        except OSError:
            continue
        for name in names:
            path = str(Path(folder) / name)
            if not is_sidecar_name(name) or path in read:
                continue
            if name.lower().endswith(".json") and not _is_photo_json(Path(path)):
                continue  # album metadata.json and other JSON: nothing to match
            unmatched.append(path)
            if len(unmatched) >= limit:
                return unmatched
    return unmatched


def _is_photo_json(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SIDECAR_BYTES + 1)
    except OSError:
        return False
    return parse_takeout_json(data) is not None
