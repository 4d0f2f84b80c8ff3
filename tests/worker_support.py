"""Helpers for tests that run real worker processes: corpus copies, snapshots of originals,
and the consistency checks every finished job must pass."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE, ITEM, JOB, ItemState
from tests.fixtures.corpus import CORPUS, manifest_rows


def unusable(row: dict[str, str]) -> bool:
    """Broken, or (the uncompressed HEIF) valid but not decodable by this pillow-heif build.

    Since issue 11 these are imported with their facts and "no preview" (a warning): they
    end DONE, not ERROR. Files the pipeline refuses are made by ``write_refused``.
    """
    return row["broken"] == "yes" or row["pillow_opens"] == "no"


# Files every import refuses (their item ends ERROR): not images, or formats not supported.
REFUSED = (
    ("notes.jpg", b"shopping list: eggs, milk\n"),
    ("photo.jxl", b"\xff\x0a" + bytes(200)),
    ("empty.jpg", b""),
    ("scan.bmp", b"BM" + bytes(200)),
    ("report.png", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ("archive.heic", b"PK\x03\x04" + bytes(100)),
)


def write_refused(dst: Path, limit: int | None = None) -> list[Path]:
    """Write files the pipeline refuses (each a recorded error) into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in REFUSED[:limit]:
        (dst / name).write_bytes(data)
        written.append(dst / name)
    return written


def copy_corpus(dst: Path, *, broken: bool | None = None, limit: int | None = None) -> list[Path]:
    """Copy corpus files (only good ones, or all) into ``dst``, small first.

    ``broken=True`` gives files that end as errors: since issue 11 a broken photo keeps its
    facts, so these are ``write_refused`` files (not images, unsupported formats).
    """
    if broken:
        return write_refused(dst, limit)
    rows = [r for r in manifest_rows() if broken is None or not unusable(r)]
    rows.sort(key=lambda r: (int(r["size_bytes"]), r["path"]))
    copied: list[Path] = []
    for row in rows[:limit]:
        target = dst / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / row["path"], target)
        copied.append(target)
    return copied


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """SHA-256 and mtime (ns) of every file under ``folder``."""
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def check_job_consistent(engine: Engine, home: Path, job_id: int) -> dict[str, int]:
    """Every item ended exactly once, counters equal row counts, thumbnails whole and used.

    Returns the item counts by state.
    """
    with engine.connect() as conn:
        job = conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().one()
        states = dict(
            conn.execute(
                sa.select(ITEM.c.state, sa.func.count())
                .where(ITEM.c.job_id == job_id)
                .group_by(ITEM.c.state)
            ).all()
        )
        paths = conn.execute(sa.select(ITEM.c.path).where(ITEM.c.job_id == job_id)).scalars().all()
        files = conn.execute(sa.select(FILE.c.sha256, FILE.c.thumbnail)).all()
        unlinked = conn.execute(
            sa.select(sa.func.count())
            .select_from(ITEM)
            .where(
                ITEM.c.job_id == job_id,
                ITEM.c.state.in_([ItemState.DONE.value, ItemState.SKIPPED.value]),
                ITEM.c.file_id.is_(None),
            )
        ).scalar_one()
    assert len(paths) == len(set(paths)) == job["total"]
    assert set(states) <= {"done", "error", "skipped"}, states  # nothing pending or claimed
    ended = sum(states.values())
    assert job["done"] == ended == job["total"]
    assert job["errors"] == states.get("error", 0)
    assert job["skipped"] == states.get("skipped", 0)
    assert unlinked == 0
    shas = [f[0] for f in files]
    assert len(shas) == len(set(shas))  # one File row per content
    thumbs_dir = home / "thumbs"
    on_disk = {p for p in thumbs_dir.rglob("*") if p.is_file()} if thumbs_dir.is_dir() else set()
    assert not [p for p in on_disk if p.suffix != ".jpg"], "half-written thumbnails left"
    referenced = {home / f[1] for f in files if f[1]}
    assert referenced <= on_disk, "a File row points at a missing thumbnail"
    assert on_disk <= referenced, "orphan thumbnails"
    return {k: int(v) for k, v in states.items()}


def processes_using(path: Path) -> list[int]:
    """Pids of the processes (other than this one) holding ``path`` open."""
    target = str(path)
    found: list[int] = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fd_dir.parent.name)
        if pid == os.getpid():
            continue
        try:
            if any(str(fd.readlink()).startswith(target) for fd in fd_dir.iterdir()):
                found.append(pid)
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found
