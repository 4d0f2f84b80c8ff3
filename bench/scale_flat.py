"""Flat cost per file: the worker's database work for new files, into an empty library and into
one of a million photos.

``batch_cost(db, files)`` replays, in-process, what the worker does per batch for ``files`` new
contents (generated ``File`` rows, as ``worker.outcomes`` builds them): ``claim_items``; per
file the "content already known?" look-up (``claims.is_known``); ``commit_batch`` (items,
new ``File`` rows, seen paths, library counters, job counters). Returns milliseconds per file
of each step, in CPU time of this process (SQLite runs in it; wall time on this shared machine
swings by a third from one round to the next). The pipeline is not run: what could grow with
the library is the database.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.scale_data import copy_database
from photoimport.db.claims import claim_items, commit_batch, is_known
from photoimport.db.engine import make_engine
from photoimport.db.models import Confidence, File, ItemState, JobKind
from photoimport.db.work import ItemOutcome
from photoimport.jobs.create import create_job
from photoimport.settings import ImportSettings

OWNER = "bench-scale"
LEASE_SECONDS = 600.0


@dataclass(frozen=True)
class BatchCost:
    library_files: int
    files: int
    claim_ms: float
    known_ms: float
    commit_ms: float

    @property
    def total_ms(self) -> float:
        return self.claim_ms + self.known_ms + self.commit_ms


def _file(rng: random.Random, path: str) -> File:
    sha = rng.getrandbits(256).to_bytes(32, "big").hex()
    return File(
        sha256=sha,
        path=path,
        name=Path(path).name,
        size=rng.randrange(1_000_000, 5_000_000),
        mime="image/jpeg",
        format="JPEG",
        width=4032,
        height=3024,
        display_width=4032,
        display_height=3024,
        model="Pixel 7",
        phash=rng.getrandbits(64).to_bytes(8, "big").hex(),
        capture_utc=datetime(2023, 7, 14, 15, 30, tzinfo=UTC),
        capture_local="2023-07-14T17:30:00+02:00",
        confidence=Confidence.HIGH,
        thumbnail=f"thumbs/{sha[:2]}/{sha}.jpg",
    )


def batch_cost(db: Path | None, home: Path, files: int, batch: int, seed: int) -> BatchCost:
    """Import ``files`` generated new contents into a copy of ``db`` (None: empty library)."""
    if db is not None:
        copy_database(db, home)
    engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
    rng = random.Random(seed)
    paths = [Path(f"/scale/new-{seed}/{i:06d}.jpg") for i in range(files)]
    job_id = create_job(engine, JobKind.UPLOAD, "bench", ImportSettings(), paths=paths)
    with engine.connect() as conn:
        library = int(conn.exec_driver_sql("SELECT count(*) FROM file").scalar_one())
    spent = {"claim": 0.0, "known": 0.0, "commit": 0.0}
    clock = time.process_time  # SQLite works in this process: its CPU time, steady under load
    while True:
        t0 = clock()
        items = claim_items(engine, job_id, OWNER, batch, LEASE_SECONDS)
        t1 = clock()
        spent["claim"] += t1 - t0
        if not items:
            break
        rows = {i.id: _file(rng, i.path) for i in items}
        t2 = clock()
        for row in rows.values():
            is_known(engine, row.sha256)
        t3 = clock()
        outcomes = [
            ItemOutcome(i.id, i.path, ItemState.DONE, sha256=rows[i.id].sha256, file=rows[i.id])
            for i in items
        ]
        commit_batch(engine, job_id, OWNER, outcomes, current_file=items[-1].path)
        t4 = clock()
        spent["known"] += t3 - t2
        spent["commit"] += t4 - t3
    engine.dispose()
    per = {k: 1000 * v / files for k, v in spent.items()}
    return BatchCost(library, files, per["claim"], per["known"], per["commit"])
