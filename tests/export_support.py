"""Helpers for the export tests: a library of real JPEGs whose rows are written as an import
leaves them (effective dates, one discarded, one without a date)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE

PARIS = timezone(timedelta(hours=2))


def add_photos(engine: Engine, folder: Path, n: int) -> list[Path]:
    """``n`` real JPEGs in ``folder`` and their library rows (as an import leaves them)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = []
    for i in range(n):
        path = folder / f"IMG_{i:04d}.JPG"
        Image.new("RGB", (32, 24), (i * 40 % 255, 80, 160)).save(path)
        utc = datetime(2022, 5, 1, 10, 0, i // 2, tzinfo=UTC)  # pairs share a second
        local = utc.astimezone(PARIS) if i != n - 1 else None  # the last one has no date
        rows.append(
            {
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "path": str(path),
                "name": path.name,
                "size": path.stat().st_size,
                "mime": "image/jpeg",
                "format": "JPEG",
                "width": 32,
                "height": 24,
                "display_width": 32,
                "display_height": 24,
                "effective_utc": utc if local else None,
                "effective_local": local.isoformat() if local else None,
                "effective_confidence": "HIGH" if local else "NONE",
                "discarded": i == 0,
            }
        )
        paths.append(path)
    with engine.begin() as conn:
        conn.execute(sa.insert(FILE), rows)
    return paths
