"""One real import job, timed from ``create_job`` to COMPLETED, with the worker's RSS sampled.

A fresh ``PHOTOIMPORT_HOME`` (temporary folder: SQLite database, thumbnails, logs) per run, so
no file is "already known" from an earlier pass. The worker is the real detached
``python -m worker run --job N`` that ``photoimport.jobs.control.launch_worker`` starts; progress is
read through ``job_progress`` as the dashboard reads it. RSS is sampled with psutil over the
worker and its pool processes; CPU time from ``RUSAGE_CHILDREN`` once the worker is reaped
(it and its pool are this process's descendants), which other load on the machine hardly moves.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.engine import make_engine
from photoimport.db.models import ACTIVE_STATUSES, ITEM, JOB, JobKind, JobStatus
from photoimport.jobs.control import create_job, job_progress, launch_worker
from photoimport.settings import load_settings

POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 3600.0


class JobRunError(RuntimeError):
    """The benchmark job did not complete (its status and the worker log's tail say why)."""


@dataclass(frozen=True)
class JobRun:
    job_id: int
    files: int
    errors: int
    seconds: float  # create_job to COMPLETED
    cpu_seconds: float  # user + system CPU of the worker and its pool, start to exit
    peak_worker_rss: int  # bytes, the worker process alone
    peak_tree_rss: int  # bytes, the worker plus its pool processes
    phases: JobPhases


@dataclass(frozen=True)
class JobPhases:
    """Where the job's wall time went, from the rows' own timestamps (seconds)."""

    to_started: float  # create_job -> the worker took the job (process start, imports)
    to_first_item: float  # took the job -> first item ended (listing, pool start, first batch)
    items: float  # first item ended -> last item ended
    to_completed: float  # last item ended -> COMPLETED (duplicate groups, summary)


def _phases(engine: Engine, job_id: int) -> JobPhases:
    with engine.connect() as conn:
        created, started, finished = conn.execute(
            sa.select(JOB.c.created_at, JOB.c.started_at, JOB.c.finished_at).where(
                JOB.c.id == job_id
            )
        ).one()
        first, last = conn.execute(
            sa.select(sa.func.min(ITEM.c.finished_at), sa.func.max(ITEM.c.finished_at)).where(
                ITEM.c.job_id == job_id
            )
        ).one()
    stamps = [created, started, first, last, finished]
    if any(s is None for s in stamps):
        raise JobRunError(f"job {job_id} completed without its timestamps: {stamps}")
    t = [_aware(s) for s in stamps]
    return JobPhases(
        to_started=(t[1] - t[0]).total_seconds(),
        to_first_item=(t[2] - t[1]).total_seconds(),
        items=(t[3] - t[2]).total_seconds(),
        to_completed=(t[4] - t[3]).total_seconds(),
    )


def _aware(value: datetime | str) -> datetime:
    """A stored UTC time as an aware datetime (SQLite hands back text to a Core select)."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp


def _rss(pid: int) -> tuple[int, int]:
    try:
        proc = psutil.Process(pid)
        main = proc.memory_info().rss
        tree = main + sum(c.memory_info().rss for c in proc.children(recursive=True))
    except psutil.NoSuchProcess:  # it has exited between two samples
        return 0, 0
    return main, tree


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wait_reaped(pid: int, timeout: float = 60.0) -> None:
    """Wait until the worker has exited and been reaped (``launch_worker`` reaps it)."""
    deadline = time.perf_counter() + timeout
    while psutil.pid_exists(pid) and time.perf_counter() < deadline:
        time.sleep(POLL_SECONDS)


def run_import_job(
    source: Path, workers: int, keep_home: Path | None = None, **changes: Any
) -> JobRun:
    """Import ``source`` (a folder) with a real worker into a fresh SQLite library (or the one
    in ``keep_home``); ``changes`` are import settings (e.g. ``verify_unchanged=True``)."""
    home = keep_home or Path(tempfile.mkdtemp(prefix="bench-home-"))
    try:
        settings = load_settings({"PHOTOIMPORT_HOME": str(home)})
        engine = make_engine(settings.database_url)
        imports = settings.imports.with_changes(workers=workers, timezone="UTC", **changes)
        cpu = _children_cpu()
        start = time.perf_counter()
        job_id = create_job(engine, JobKind.DIRECTORY, str(source), imports)
        pid = launch_worker(settings, job_id)
        peak_main = peak_tree = 0
        while True:
            main, tree = _rss(pid)
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
            progress = job_progress(engine, job_id)
            if progress.status not in ACTIVE_STATUSES:
                break
            if time.perf_counter() - start > TIMEOUT_SECONDS:
                raise JobRunError(f"job {job_id} still {progress.status} after an hour")
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
        phases = _phases(engine, job_id) if progress.status is JobStatus.COMPLETED else None
        engine.dispose()
        _wait_reaped(pid)
        cpu = _children_cpu() - cpu
        if progress.status is not JobStatus.COMPLETED:
            log = settings.logs_dir / f"worker-{job_id}.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
            raise JobRunError(f"job {job_id} ended {progress.status}: {progress.message}\n{tail}")
        assert phases is not None
        return JobRun(
            job_id, progress.total, progress.errors, seconds, cpu, peak_main, peak_tree, phases
        )
    finally:
        if keep_home is None:
            shutil.rmtree(home, ignore_errors=True)
