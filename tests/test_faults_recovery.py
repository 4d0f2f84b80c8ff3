"""Nobody has to click Resume: ``worker serve`` takes over a job whose worker was killed, and
the watcher queues its folders' failed or lost batches again. Real worker processes, a real
SQLite library."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import JOB, JobKind, JobStatus, utcnow
from photoimport.settings import Settings
from photoimport.watch.recovery import JobRecovery
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import check_job_consistent, copy_corpus

ROOT = Path(__file__).resolve().parent.parent


def status(engine: Engine, job_id: int) -> JobStatus:
    return jobs.job_progress(engine, job_id).status


@pytest.mark.slow
def test_worker_serve_takes_over_a_job_whose_worker_was_killed(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "photos"
    copy_corpus(folder, broken=False, limit=12)
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.3")
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    pid = jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: jobs.job_progress(sqlite_engine, job_id).done >= 4, what="some files")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid}/cmdline").exists(), timeout=10, what="the kill")
    assert status(sqlite_engine, job_id) is JobStatus.RUNNING  # as the dead worker left it
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0")
    serve = subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.5"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: status(sqlite_engine, job_id) is JobStatus.COMPLETED,
            timeout=90,
            what="serve to finish the lost job",
        )
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)


def test_the_watcher_queues_a_folders_failed_and_lost_batches_again(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
) -> None:
    folder = tmp_path / "watched"
    photos = copy_corpus(folder, broken=False, limit=4)
    root = str(folder)
    failed = jobs.create_job(sqlite_engine, JobKind.WATCH, root, TEST_IMPORTS, paths=photos[:2])
    lost = jobs.create_job(sqlite_engine, JobKind.WATCH, root, TEST_IMPORTS, paths=photos[2:])
    other = jobs.create_job(sqlite_engine, JobKind.WATCH, str(tmp_path), TEST_IMPORTS, paths=[])
    long_ago = utcnow() - timedelta(minutes=5)
    with sqlite_engine.begin() as conn:
        conn.execute(
            JOB.update()
            .where(JOB.c.id == failed)
            .values(status=JobStatus.FAILED.value, message="the worker stopped on an error")
        )
        conn.execute(
            JOB.update()
            .where(JOB.c.id.in_([lost, other]))
            .values(status=JobStatus.RUNNING.value, heartbeat_at=long_ago, worker_pid=None)
        )
    recovery = JobRecovery(sqlite_settings, sqlite_engine, check_seconds=0)
    assert recovery.step([root]) == [failed, lost]  # not the job of a folder it does not watch
    for job_id in (failed, lost):
        wait_until(
            lambda: status(sqlite_engine, job_id) is JobStatus.COMPLETED,  # noqa: B023
            what=f"job {job_id} to complete",
        )
    for job_id in (failed, lost):  # both ended: no thumbnail of a batch in flight is on disk
        check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    assert status(sqlite_engine, other) is JobStatus.RUNNING
    assert recovery.step([root]) == []  # nothing left to queue
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(JOB)).scalar_one() == 3
