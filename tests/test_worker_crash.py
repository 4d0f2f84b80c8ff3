"""kill -9 the worker at random points of one job (during listing, mid-batch, between batches),
resume each time, and check that every file was done exactly once with nothing half-written."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, ITEM, JobKind, JobStatus
from photoimport.settings import Settings
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import check_job_consistent, copy_corpus, processes_using, snapshot

FILES = 40


def claimed_count(engine: Engine, job_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(ITEM)
                .where(ITEM.c.job_id == job_id, ITEM.c.state == "claimed")
            ).scalar_one()
        )


def test_kill_9_at_random_points_then_resume_does_every_file_exactly_once(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    print(f"crash test seed {seed}")
    folder = tmp_path / "photos"
    photos = copy_corpus(folder, broken=False, limit=FILES - 2)
    copy_corpus(folder / "bad", broken=True, limit=2)  # errors must also end exactly once
    (folder / "copy of first.jpg").write_bytes(photos[0].read_bytes())  # a repeated content
    before = snapshot(folder)
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.15")
    monkeypatch.setenv("PHOTOIMPORT_TEST_LIST_DELAY", "0.4")
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    progress = lambda: jobs.job_progress(sqlite_engine, job_id)  # noqa: E731

    def kill(pid: int, where: str) -> None:
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=10, what=f"kill {where}")
        db = sqlite_settings.home / "photoimport.db"
        wait_until(lambda: not processes_using(db), timeout=15, what=f"no orphans after {where}")
        p = progress()
        assert p.worker_lost, where
        assert p.status_text.startswith("worker lost (last seen "), where

    # 1. during the listing: some items are in, the listing is not finished
    pid = jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: progress().scanning and progress().total >= 10, what="listing under way")
    kill(pid, "during listing")
    assert progress().total < FILES + 1

    # 2.-6. mid-batch (items claimed) or between batches, after a random number of files
    points = ["mid-batch", "mid-batch", "mid-batch", "any", "any"]
    for n, where in enumerate(points):
        jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
        start = progress().done
        target = min(start + rng.randint(1, 6), FILES - len(points) + n)
        wait_until(lambda: progress().done >= target, what=f"{target} files done")  # noqa: B023
        if where == "mid-batch":
            wait_until(lambda: claimed_count(sqlite_engine, job_id) > 0, what="a batch in flight")
        worker_pid = jobs.list_jobs(sqlite_engine)[0].worker_pid
        assert worker_pid is not None
        kill(worker_pid, where)

    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0")
    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(lambda: progress().status is JobStatus.COMPLETED, timeout=90, what="completion")
    counts = check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    assert sum(counts.values()) == FILES + 1
    assert counts["error"] == 2
    assert counts["skipped"] >= 1  # the repeated content
    with sqlite_engine.connect() as conn:
        files = conn.execute(sa.select(sa.func.count()).select_from(FILE)).scalar_one()
    assert files == counts["done"]
    assert snapshot(folder) == before
