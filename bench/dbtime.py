"""Database time per file: the worker's database work replayed in-process and timed.

Given the ``FileResult``s of a pipeline pass, this does what ``worker.runner`` does around the
pool for each batch, against a fresh SQLite library, with the worker's batch size:
``claim_items`` -> ``known_sha256`` -> build the rows (``ingest``) -> ``commit_batch``. The
pipeline itself is not re-run, so the figures are the database's share alone.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from photoimport import ingest
from photoimport.claims import ItemOutcome, claim_items, commit_batch, known_sha256
from photoimport.db import make_engine
from photoimport.jobs import create_job
from photoimport.models import JobKind
from photoimport.pipeline import FileResult
from photoimport.settings import ImportSettings

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
            digests = [by_path[i.path].sha256 for i in items]
            known = known_sha256(engine, [d for d in digests if d])
            t2 = clock()
            outcomes: list[ItemOutcome] = []
            first: dict[str, ItemOutcome] = {}
            for item, digest in zip(items, digests, strict=True):
                if digest is not None and digest in known:
                    out = ingest.known_outcome(item.id, item.path, digest)
                elif digest is not None and digest in first:
                    out = ingest.same_as(item.id, item.path, first[digest])
                else:
                    out = ingest.outcome_for(item.id, by_path[item.path], home, job_id)
                    if digest is not None:
                        first[digest] = out
                outcomes.append(out)
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
