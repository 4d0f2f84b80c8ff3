"""Database time per file: the worker's database work replayed in-process and timed.

Given the ``FileResult``s of a pipeline pass, this does the database work that ``worker.runner``
and ``worker.pool`` do for each batch, against a fresh SQLite library, with the worker's batch
size: ``claim_items``; per file, the "is this content already known?" look-up (one indexed
SELECT by SHA-256, as ``worker.pool`` does before processing); building the rows
(``ingest``); ``commit_batch``. The pipeline itself is not re-run, so the figures are the
database's share alone.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from photoimport.db.claims import claim_items, commit_batch
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, JobKind
from photoimport.db.work import ItemOutcome
from photoimport.jobs.control import create_job
from photoimport.pipeline import FileResult
from photoimport.settings import ImportSettings
from worker import outcomes as ingest

OWNER = "bench"
LEASE_SECONDS = 600.0


@dataclass(frozen=True)
class DbTiming:
    files: int
    batch: int
    claim_ms: float  # per file
    known_ms: float
    rows_ms: float  # building File rows and outcomes (CPU in the worker's main process)
    commit_ms: float

    @property
    def total_ms(self) -> float:
        return self.claim_ms + self.known_ms + self.rows_ms + self.commit_ms


def _is_known(engine: sa.Engine, digest: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(FILE.c.id).where(FILE.c.sha256 == digest)).first() is not None


def time_database(results: Sequence[FileResult], batch: int) -> DbTiming:
    home = Path(tempfile.mkdtemp(prefix="bench-db-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        paths = [r.path for r in results]
        job_id = create_job(engine, JobKind.UPLOAD, "bench", ImportSettings(), paths=paths)
        by_path = {str(r.path): r for r in results}
        spent = {"claim": 0.0, "known": 0.0, "rows": 0.0, "commit": 0.0}
        clock = time.perf_counter
        while True:
            t0 = clock()
            items = claim_items(engine, job_id, OWNER, batch, LEASE_SECONDS)
            t1 = clock()
            spent["claim"] += t1 - t0
            if not items:
                break
            known = {
                i.id: digest
                for i in items
                if (digest := by_path[i.path].sha256) is not None and _is_known(engine, digest)
            }
            t2 = clock()
            outcomes: list[ItemOutcome] = [
                ingest.known_outcome(i.id, i.path, known[i.id])
                if i.id in known
                else ingest.outcome_for(i.id, by_path[i.path], home, job_id)
                for i in items
            ]
            t3 = clock()
            commit_batch(engine, job_id, OWNER, outcomes, current_file=items[-1].path)
            t4 = clock()
            spent["known"] += t2 - t1
            spent["rows"] += t3 - t2
            spent["commit"] += t4 - t3
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    per_file = {k: 1000 * v / len(results) for k, v in spent.items()}
    return DbTiming(
        files=len(results),
        batch=batch,
        claim_ms=per_file["claim"],
        known_ms=per_file["known"],
        rows_ms=per_file["rows"],
        commit_ms=per_file["commit"],
    )
