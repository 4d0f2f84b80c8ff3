"""photoimport.jobs on a real SQLite file: creating jobs, control requests, progress (scanning,
ETA from the current run, lost workers), errors, listing, and a really detached worker."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import ITEM, JOB, ItemState, JobControl, JobKind, JobStatus, utcnow
from photoimport.db.work import LOST_AFTER_SECONDS
from photoimport.errors import FolderNotFound, InvalidJobTransition, JobNotFound
from photoimport.settings import Settings
from tests.fixtures.db import TEST_IMPORTS, WaitUntil


def set_job(engine: Engine, job_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(JOB.update().where(JOB.c.id == job_id).values(**values))


def upload_job(engine: Engine, n: int = 3) -> int:
    paths = [Path(f"/up/{i}.jpg") for i in range(n)]
    return jobs.create_job(engine, JobKind.UPLOAD, "upload", TEST_IMPORTS, paths)


def test_create_job_with_paths_makes_its_items(sqlite_engine: Engine) -> None:
    paths = [Path("/up/a.jpg"), Path("/up/b c.jpg"), Path("/up/a.jpg")]
    job_id = jobs.create_job(sqlite_engine, JobKind.UPLOAD, "upload", TEST_IMPORTS, paths)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert (p.status, p.total, p.done, p.scanning, p.status_text) == (
        JobStatus.PENDING, 2, 0, False, "waiting for a worker"
    )  # fmt: skip
    with sqlite_engine.connect() as conn:
        items = conn.execute(sa.select(ITEM.c.path, ITEM.c.state).order_by(ITEM.c.id)).all()
    assert [tuple(i) for i in items] == [("/up/a.jpg", "pending"), ("/up/b c.jpg", "pending")]
    assert jobs.latest_active_job(sqlite_engine) == job_id


def test_folder_job_checks_the_folder_and_says_scanning(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(FolderNotFound, match="folder not found"):
        jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(tmp_path / "nope"), TEST_IMPORTS)
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(tmp_path), TEST_IMPORTS)
    set_job(sqlite_engine, job_id, status="RUNNING", heartbeat_at=utcnow(), total=1234)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.scanning
    assert p.status_text == "scanning: found 1,234 files"
    assert p.eta_seconds is None


def test_eta_uses_the_current_run_and_paused_time_does_not_count(sqlite_engine: Engine) -> None:
    job_id = upload_job(sqlite_engine, 300)
    now = utcnow()
    # an earlier run did 100 files in 50 s; this run started 10 s ago at 100 and is at 150
    set_job(
        sqlite_engine, job_id, status="RUNNING", heartbeat_at=now, done=150, active_seconds=50.0,
        run_started_at=now - timedelta(seconds=10), run_done_at_start=100,
    )  # fmt: skip
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.files_per_second == pytest.approx(5.0, rel=0.05)
    assert p.eta_seconds == pytest.approx(30.0, rel=0.05)  # 150 left at 5 files/s
    assert p.elapsed_seconds == pytest.approx(60.0, abs=1.0)
    assert p.percent == 50.0
    assert p.status_text == "running"


def test_a_stale_heartbeat_is_a_lost_worker(sqlite_engine: Engine) -> None:
    job_id = upload_job(sqlite_engine)
    seen = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS + 5)
    set_job(sqlite_engine, job_id, status="RUNNING", heartbeat_at=seen, run_started_at=seen)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.worker_lost
    assert not p.is_active
    assert p.status_text == f"worker lost (last seen {seen.astimezone().strftime('%H:%M:%S')})"
    assert p.last_heartbeat == seen


def test_a_dead_worker_pid_on_this_host_is_lost_at_once(sqlite_engine: Engine) -> None:
    job_id = upload_job(sqlite_engine)
    gone_pid = subprocess.Popen(["true"])
    assert gone_pid.wait() == 0  # exited and reaped: its pid is no live process
    set_job(
        sqlite_engine, job_id, status="RUNNING", heartbeat_at=utcnow(),
        worker_pid=gone_pid.pid, worker_host=socket.gethostname(),
    )  # fmt: skip
    assert jobs.job_progress(sqlite_engine, job_id).worker_lost
    set_job(sqlite_engine, job_id, worker_pid=os.getpid())
    assert not jobs.job_progress(sqlite_engine, job_id).worker_lost


def test_pause_and_cancel_are_requests_for_a_running_job(sqlite_engine: Engine) -> None:
    job_id = upload_job(sqlite_engine)
    set_job(sqlite_engine, job_id, status="RUNNING", heartbeat_at=utcnow(), worker_pid=os.getpid())
    jobs.request_pause(sqlite_engine, job_id)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert (p.status, p.status_text) == (JobStatus.RUNNING, "pausing")
    jobs.request_cancel(sqlite_engine, job_id)
    assert jobs.job_progress(sqlite_engine, job_id).status_text == "cancelling"
    with sqlite_engine.connect() as conn:
        control = conn.execute(sa.select(JOB.c.control).where(JOB.c.id == job_id)).scalar_one()
    assert control == JobControl.CANCEL.value


def test_pause_and_cancel_act_at_once_when_no_worker_runs(sqlite_engine: Engine) -> None:
    job_id = upload_job(sqlite_engine)
    jobs.request_pause(sqlite_engine, job_id)
    assert jobs.job_progress(sqlite_engine, job_id).status is JobStatus.PAUSED
    jobs.request_cancel(sqlite_engine, job_id)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert (p.status, p.status_text) == (JobStatus.CANCELLED, "cancelled")
    with pytest.raises(InvalidJobTransition, match="cancelled: cannot pause it"):
        jobs.request_pause(sqlite_engine, job_id)
    lost = upload_job(sqlite_engine)
    old = utcnow() - timedelta(minutes=5)
    set_job(sqlite_engine, lost, status="RUNNING", heartbeat_at=old, run_started_at=old)
    jobs.request_pause(sqlite_engine, lost)
    assert jobs.job_progress(sqlite_engine, lost).status is JobStatus.PAUSED


def test_unknown_job_numbers_raise_job_not_found(
    sqlite_engine: Engine, sqlite_settings: Settings
) -> None:
    for call in (
        lambda: jobs.job_progress(sqlite_engine, 99),
        lambda: jobs.request_pause(sqlite_engine, 99),
        lambda: jobs.request_cancel(sqlite_engine, 99),
        lambda: jobs.request_resume(sqlite_settings, sqlite_engine, 99),
        lambda: jobs.job_errors(sqlite_engine, 99),
        lambda: jobs.job_summary(sqlite_engine, 99),
    ):
        with pytest.raises(JobNotFound, match="no job number 99"):
            call()


def test_resume_withdraws_a_pending_pause_and_refuses_a_completed_job(
    sqlite_engine: Engine, sqlite_settings: Settings
) -> None:
    job_id = upload_job(sqlite_engine)
    set_job(
        sqlite_engine,
        job_id,
        status="RUNNING",
        heartbeat_at=utcnow(),
        control="pause",
        worker_pid=os.getpid(),
    )
    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    assert jobs.job_progress(sqlite_engine, job_id).status_text == "running"
    set_job(sqlite_engine, job_id, status="COMPLETED", control="none")
    with pytest.raises(InvalidJobTransition, match="completed: cannot resume it"):
        jobs.request_resume(sqlite_settings, sqlite_engine, job_id)


def test_list_jobs_newest_first_and_job_errors(sqlite_engine: Engine) -> None:
    first = upload_job(sqlite_engine)
    second = upload_job(sqlite_engine)
    assert [j.id for j in jobs.list_jobs(sqlite_engine)] == [second, first]
    assert [j.id for j in jobs.list_jobs(sqlite_engine, limit=1)] == [second]
    with sqlite_engine.begin() as conn:
        conn.execute(
            ITEM.update()
            .where(ITEM.c.job_id == first, ITEM.c.path == "/up/1.jpg")
            .values(
                state=ItemState.ERROR.value, error_stage="decode", error_reason="truncated JPEG"
            )
        )
    assert jobs.job_errors(sqlite_engine, first) == [
        jobs.JobErrorRow(path="/up/1.jpg", stage="decode", reason="truncated JPEG")
    ]
    assert jobs.job_errors(sqlite_engine, second) == []


def test_launch_worker_is_detached_logs_to_a_file_and_is_reaped(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    make_jpeg: Callable[..., Path],
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.3")
    photos = [make_jpeg(f"in/{i}.jpg", seed=i, dto="2021:04:11 15:47:53") for i in range(3)]
    job_id = jobs.create_job(sqlite_engine, JobKind.UPLOAD, "upload", TEST_IMPORTS, photos)
    pid = jobs.launch_worker(sqlite_settings, job_id)
    assert os.getsid(pid) == pid  # its own session: a Ctrl-C to the front end does not reach it
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).status is JobStatus.COMPLETED,
        what="completion",
    )
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=10, what="the worker reaped")
    log = (sqlite_settings.logs_dir / f"worker-{job_id}.log").read_text()
    assert f"job {job_id}: took" in log
    assert f"job {job_id}: completed" in log
    summary = jobs.job_summary(sqlite_engine, job_id)
    assert (summary.status, summary.total, summary.processed, summary.errors) == (
        JobStatus.COMPLETED,
        3,
        3,
        0,
    )
    assert summary.duration_seconds > 0
    assert jobs.latest_active_job(sqlite_engine) is None


def test_an_upload_job_moves_its_staged_files_to_uploads_job_id(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    engine = sqlite_engine
    uploads_dir = tmp_path / "uploads"
    staged = uploads_dir / ".incoming-x"
    (staged / "sub").mkdir(parents=True)
    (staged / "a.jpg").write_bytes(b"a")
    (staged / "sub" / "b.jpg").write_bytes(b"b")
    job_id = jobs.create_upload_job(engine, uploads_dir, staged, TEST_IMPORTS)
    target = uploads_dir / str(job_id)
    assert not staged.exists()
    assert sorted(p.name for p in target.rglob("*.jpg")) == ["a.jpg", "b.jpg"]
    with engine.connect() as conn:
        job = conn.execute(sa.select(JOB).where(JOB.c.id == job_id)).one()
        paths = conn.execute(sa.select(ITEM.c.path).where(ITEM.c.job_id == job_id)).scalars()
        assert sorted(paths) == [str(target / "a.jpg"), str(target / "sub" / "b.jpg")]
    assert (job.source, job.total, job.kind) == (str(target), 2, JobKind.UPLOAD.value)
