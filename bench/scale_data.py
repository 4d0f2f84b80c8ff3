"""Generated files and rows for the ``scale`` section, cached in ``.bench-cache/``.

* ``tiny_files(n)``: ``n`` distinct small JPEGs (16x12 random pixels, about 700 bytes each) in
  folders of 1,000, written once into ``.bench-cache/scale-files-<n>/``. What the unchanged
  re-import needs is many real files with stats, not big pictures.
* ``imported_library(files)``: a SQLite library where those files were already imported: one
  completed job, a ``File`` row per file (its real SHA-256, generated metadata), an item per
  path and a ``SeenPath`` row with each file's current stat, counters rebuilt. Cached as a
  database file; each run works on a copy.
* ``million_library(n)``: ``bench.library_seed`` rows (no image files) for the pages, left as
  the worker and a first visit leave a library: duplicate group rows written
  (``bench.duplicates.materialise``, what the worker does after a job) and the review queue's
  disputes worked out (``review.queue.refresh_disputes``, the queue's first view). Cached.

The databases carry ``DB_VERSION`` in their names: version 1 files were made before the date
review, duplicates and export migrations were merged (their tables are missing while the schema
version says head), so they are not reused.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image

from bench.duplicates import materialise
from bench.library_seed import seed_library
from bench.report import progress
from photoimport.db import counters
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, ITEM, JOB, JobKind, JobStatus
from photoimport.db.seen import SEEN, file_stat
from photoimport.review.queue import refresh_disputes

CACHE = Path(__file__).resolve().parent.parent / ".bench-cache"
PER_FOLDER = 1000
CHUNK = 5000
VERSION = 1  # the generated files
DB_VERSION = 2  # the generated databases (see the module docstring)


def tiny_files(n: int) -> Path:
    """``n`` distinct tiny JPEGs under ``.bench-cache/scale-files-<n>/`` (made once)."""
    root = CACHE / f"scale-files-{n}-v{VERSION}"
    if (root / ".done").exists():
        return root
    progress(f"writing {n:,} tiny JPEGs into {root} (once)")
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(16)
    for i in range(n):
        folder = root / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            folder.mkdir(parents=True)
        im = Image.frombytes("RGB", (16, 12), rng.randbytes(16 * 12 * 3))
        im.save(folder / f"IMG_{i:07d}.jpg", "JPEG", quality=90)
    (root / ".done").write_text(f"{n}\n")
    return root


def medium_files(n: int) -> Path:
    """``n`` distinct 640x480 JPEGs (smooth random colour fields, about 30 KB), made once: real
    decoding work per file for the multi-worker runs, without 12 MP rendering times."""
    root = CACHE / f"scale-medium-{n}-v{VERSION}"
    if (root / ".done").exists():
        return root
    progress(f"writing {n:,} 640x480 JPEGs into {root} (once)")
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(640)
    root.mkdir(parents=True)
    for i in range(n):
        seed = Image.frombytes("RGB", (8, 6), rng.randbytes(8 * 6 * 3))
        seed.resize((640, 480), Image.Resampling.BICUBIC).save(
            root / f"IMG_{i:05d}.jpg", "JPEG", quality=90
        )
    (root / ".done").write_text(f"{n}\n")
    return root


def subset(root: Path, n: int) -> Path:
    """A folder of hard links to the first ``n`` files of ``root`` (same names), made once."""
    target = root.with_name(f"{root.name}-first-{n}")
    if (target / ".done").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    for path in sorted(root.rglob("*.jpg"))[:n]:
        dest = target / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, dest)
    (target / ".done").write_text(f"{n}\n")
    return target


def _rows(path: Path, file_id: int, job_id: int, now: datetime) -> tuple[dict[str, Any], ...]:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    stat = file_stat(path.stat())
    file_row = {
        "id": file_id,
        "sha256": sha,
        "path": str(path),
        "name": path.name,
        "size": len(data),
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 16,
        "height": 12,
        "display_width": 16,
        "display_height": 12,
        "orientation": 1,
        "confidence": "none",
        "candidates_json": "[]",
        "first_job_id": job_id,
        "created_at": now,
        "path_count": 0,  # the seen-path triggers count it
    }
    item = {
        "job_id": job_id,
        "path": str(path),
        "state": "done",
        "attempts": 1,
        "file_id": file_id,
        "finished_at": now,
        **stat.columns(),
    }
    seen = {
        "path": str(path),
        "file_id": file_id,
        "failed": False,
        "size": stat.size,
        "mtime_ns": stat.mtime_ns,
        "inode": stat.inode,
        "ctime_ns": stat.ctime_ns,
        "job_id": job_id,
        "updated_at": now,
    }
    return file_row, item, seen


def imported_library(files: Path) -> Path:
    """A cached SQLite database in which every file under ``files`` was imported (see above)."""
    paths = sorted(files.rglob("*.jpg"))
    db = CACHE / f"{files.name}-library-v{DB_VERSION}.db"
    if db.exists():
        return db
    progress(f"seeding a library of the {len(paths):,} files (once)")
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        job_id = int(
            conn.execute(
                JOB.insert()
                .values(
                    kind=JobKind.DIRECTORY.value,
                    source=str(files),
                    status=JobStatus.COMPLETED.value,
                    control="none",
                    settings_json="{}",
                    listing_done=True,
                    total=len(paths),
                    done=len(paths),
                    created_at=now,
                    finished_at=now,
                )
                .returning(JOB.c.id)
            ).scalar_one()
        )
        for start in range(0, len(paths), CHUNK):
            rows = [
                _rows(p, start + k + 1, job_id, now)
                for k, p in enumerate(paths[start : start + CHUNK])
            ]
            conn.execute(FILE.insert(), [r[0] for r in rows])
            conn.execute(ITEM.insert(), [r[1] for r in rows])
            conn.execute(SEEN.insert(), [r[2] for r in rows])
        counters.rebuild(conn)
    engine.dispose()
    partial.rename(db)
    return db


def million_library(n: int) -> tuple[Path, int]:
    """A cached SQLite database with ``n`` generated File rows (``seed_library``); its job."""
    db = CACHE / f"scale-seeded-{n}-v{DB_VERSION}.db"
    if not db.exists():
        progress(f"seeding {n:,} File rows, their duplicate groups and disputes (once; minutes)")
        partial = db.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        seed_library(engine, n)
        materialise(engine)
        refresh_disputes(engine)
        engine.dispose()
        partial.rename(db)
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        job_id = int(conn.execute(sa.select(sa.func.min(JOB.c.id))).scalar_one())
    engine.dispose()
    return db, job_id


def copy_database(db: Path, home: Path) -> Path:
    """``db`` copied as ``home``'s library (WAL checkpointed first: one file to copy)."""
    engine = make_engine(f"sqlite:///{db}", migrate=False)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "photoimport.db"
    shutil.copyfile(db, target)
    return target
