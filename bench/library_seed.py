"""Synthetic library rows for the benchmark and the gallery-speed check (no images written).

* ``seed_library(engine, n)`` inserts one COMPLETED directory ``Job``, ``n`` ``File`` rows and
  one ``JobItem`` per file, with ``executemany`` in chunks: 100,000 rows take a few seconds.
  The rows are deterministic (``seed``) and realistic enough for the queries: capture times
  spread over ten years with offsets, four confidences, a dozen camera models, about 5 % of
  contents seen under a second path (exact duplicates) and 10 % in near groups of two.
* ``time_library_queries(engine)`` runs what a gallery page, the home page and the CLI run and
  returns the milliseconds of each (the benchmark prints them; targets in issue 5: a gallery
  page under 300 ms with 100,000 files).

Run ``python -m bench.library_seed --n 100000 --db /tmp/lib.db`` for a quick look.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.db import counters
from photoimport.db.engine import make_engine
from photoimport.db.models import Confidence, File, ItemState, Job, JobItem, JobKind, JobStatus
from photoimport.library.queries import (
    FileFilter,
    SortOrder,
    count_files,
    library_totals,
    list_files,
)

__all__ = ["QueryTimings", "seed_library", "time_library_queries"]

CHUNK = 5_000
MODELS = (
    "iPhone 13 Pro",
    "iPhone 11 Pro Max",
    "Pixel 7",
    "Pixel 4a",
    "SM-G991B",
    "Canon EOS 80D",
    "NIKON D750",
    "ILCE-7M3",
    "X-T30",
    "DMC-FZ30",
    "COOLPIX AW110",
    None,
)
CONFIDENCES = (Confidence.HIGH,) * 6 + (Confidence.MEDIUM,) * 2 + (Confidence.LOW, Confidence.NONE)
OFFSETS_MINUTES = (-300, -240, 0, 60, 120, 330, 540)
EPOCH = datetime(2015, 1, 1, tzinfo=UTC)


def seed_library(engine: Engine, n: int, *, seed: int = 7) -> int:
    """Insert a completed job with ``n`` synthetic files; returns the job's id."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        job_id = _insert_job(conn, n, now)
        top = sa.select(sa.func.max(col(File.id)))
        base = int(conn.execute(top).scalar_one() or 0)
        files: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for i in range(n):
            files.append(_file_row(rng, job_id, base + i + 1, now))
            items.append(_item_row(job_id, files[-1]["path"], base + i + 1, now))
            if i % 20 == 7:  # the same content seen under a second path
                items.append(_item_row(job_id, f"/photos/copies/{i:07d}.jpg", base + i + 1, now))
            if len(files) >= CHUNK:
                _flush(conn, files, items)
        _flush(conn, files, items)
        total = int(
            conn.execute(
                sa.select(sa.func.count()).select_from(JobItem).where(col(JobItem.job_id) == job_id)
            ).scalar_one()
        )
        conn.execute(sa.update(Job).where(col(Job.id) == job_id).values(total=total, done=total))
        counters.rebuild(conn)  # seen paths and library counters for the rows written here
    return job_id


def _insert_job(conn: sa.Connection, n: int, now: datetime) -> int:
    result = conn.execute(
        sa.insert(Job).values(
            kind=JobKind.DIRECTORY.value,
            source=f"/photos (synthetic, {n} files)",
            status=JobStatus.COMPLETED.value,
            control="none",
            settings_json="{}",
            listing_done=True,
            created_at=now,
            started_at=now,
            finished_at=now,
        )
    )
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def _file_row(rng: random.Random, job_id: int, file_id: int, now: datetime) -> dict[str, Any]:
    sha = rng.getrandbits(256).to_bytes(32, "big").hex()
    offset = rng.choice(OFFSETS_MINUTES)
    conf = rng.choice(CONFIDENCES)
    utc = EPOCH + timedelta(seconds=rng.randrange(10 * 365 * 86_400))
    local = utc.astimezone(timezone(timedelta(minutes=offset)))
    has_time = conf is not Confidence.NONE or rng.random() < 0.5
    model = rng.choice(MODELS)
    name = f"IMG_{local:%Y%m%d_%H%M%S}_{file_id}.jpg"
    return {
        "id": file_id,
        "sha256": sha,
        "path": f"/photos/{local:%Y/%m}/{name}",
        "name": name,
        "size": rng.randrange(500_000, 6_000_000),
        "mime": "image/jpeg",
        "format": "JPEG",
        "width": 4032,
        "height": 3024,
        "display_width": 4032,
        "display_height": 3024,
        "orientation": 1,
        "make": None if model is None else model.split()[0],
        "model": model,
        "phash": rng.getrandbits(64).to_bytes(8, "big").hex(),
        "capture_utc": utc if has_time else None,
        "capture_local": local.isoformat() if has_time else None,
        "capture_offset_minutes": offset if has_time else None,
        "capture_offset_source": "stated in the photo" if has_time else None,
        "capture_source": "exif_dto" if has_time else None,
        "capture_date_only": False,
        "confidence": conf.value,
        "effective_utc": utc if has_time else None,
        "effective_local": local.isoformat() if has_time else None,
        "effective_offset_minutes": offset if has_time else None,
        "effective_confidence": conf.value,
        "candidates_json": "[]",
        "thumbnail": f"thumbs/{sha[:2]}/{sha}.jpg",
        "near_group": (file_id // 2) * 2 if file_id % 10 in (0, 1) else None,
        "first_job_id": job_id,
        "created_at": now,
    }


def _item_row(job_id: int, path: str, file_id: int, now: datetime) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "path": path,
        "state": ItemState.DONE.value,
        "attempts": 1,
        "file_id": file_id,
        "finished_at": now,
    }


def _flush(conn: sa.Connection, files: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    if files:
        conn.execute(sa.insert(File), files)
    if items:
        conn.execute(sa.insert(JobItem), items)
    files.clear()
    items.clear()


@dataclass(frozen=True)
class QueryTimings:
    """Milliseconds (best of ``repeat``) of the library queries the front ends run."""

    files: int
    gallery_page_ms: float  # count + first page of 60, sorted by capture time
    gallery_deep_page_ms: float  # count + page 100
    gallery_by_name_ms: float
    gallery_job_page_ms: float  # the Gallery filtered to one job
    gallery_filtered_ms: float  # confidence + camera + date range + job
    duplicates_only_ms: float
    totals_ms: float


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls of ``fn``, in milliseconds (timings on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def time_library_queries(
    engine: Engine, job_id: int | None = None, *, repeat: int = 3
) -> QueryTimings:
    """Time a gallery page (count + page) under several filters, and the library totals."""
    all_files = FileFilter()
    filtered = FileFilter(
        job_id=job_id,
        confidences=(Confidence.HIGH, Confidence.MEDIUM),
        camera="Pixel 7",
        date_from=datetime(2018, 1, 1, tzinfo=UTC).date(),
        date_to=datetime(2020, 12, 31, tzinfo=UTC).date(),
    )

    def page(flt: FileFilter, offset: int = 0) -> None:
        count_files(engine, flt)
        list_files(engine, flt, offset=offset, limit=60)

    return QueryTimings(
        files=count_files(engine, all_files),
        gallery_page_ms=best_ms(lambda: page(all_files), repeat),
        gallery_deep_page_ms=best_ms(lambda: page(all_files, 6000), repeat),
        gallery_by_name_ms=best_ms(lambda: page(FileFilter(sort=SortOrder.NAME)), repeat),
        gallery_job_page_ms=best_ms(lambda: page(FileFilter(job_id=job_id)), repeat),
        gallery_filtered_ms=best_ms(lambda: page(filtered), repeat),
        duplicates_only_ms=best_ms(lambda: page(FileFilter(duplicates_only=True)), repeat),
        totals_ms=best_ms(lambda: library_totals(engine), repeat),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Seed synthetic library rows and time queries.")
    parser.add_argument("--n", type=int, default=100_000, help="File rows to insert")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file to create")
    args = parser.parse_args(argv)
    engine = make_engine(f"sqlite:///{args.db}")
    start = time.perf_counter()
    job_id = seed_library(engine, args.n)
    seeded = time.perf_counter() - start
    timings = time_library_queries(engine, job_id)
    print(f"seeded {args.n} files in {seeded:.1f} s")
    for name, value in vars(timings).items():
        print(f"{name:>22}: {value:.1f}" if isinstance(value, float) else f"{name:>22}: {value}")


if __name__ == "__main__":
    main()
