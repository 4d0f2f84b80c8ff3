"""One worker on one job: take it, list it, claim -> pool -> commit, heartbeat, stop cleanly.

The loop, between batches, looks at the job row and at SIGTERM:

* a pause request (or SIGTERM) -> PAUSED; a cancel request -> CANCELLED; the job no longer
  RUNNING (another worker paused, halted or finished it) -> this worker just leaves;
* otherwise it claims a batch with a lease, hashes the files in the pool, links contents the
  library already holds (SKIPPED), processes the rest with ``process_file`` and commits the
  batch's results, counters and heartbeat in one transaction;
* when errors in this run pass the job's threshold (after its minimum sample, or after every
  file of a smaller job) -> HALTED with a message saying why;
* when nothing is left -> library-wide near-duplicate groups, the summary, COMPLETED.

A heartbeat thread refreshes the job's heartbeat and this worker's leases every
``HEARTBEAT_SECONDS`` while a long batch runs.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import claims, seen
from photoimport.db.models import JobControl, JobKind, JobStatus, utcnow
from photoimport.db.work import (
    HEARTBEAT_SECONDS,
    LEASE_SECONDS,
    LOST_AFTER_SECONDS,
    ClaimedItem,
    ItemOutcome,
    JobView,
    TakeResult,
)
from photoimport.duplicates.groups import assign_near_groups
from photoimport.jobs.summary import compute_summary, summary_to_json
from photoimport.media.thumbnails import remove_temp_files
from photoimport.pipeline import PipelineSettings
from photoimport.settings import ImportSettings, Settings
from worker import outcomes as ingest
from worker import pool as pool_tasks
from worker.listing import list_folder

log = logging.getLogger("worker")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REFUSED = 3
IDLE_WAIT_SECONDS = 0.5
STALE_TEMP_SECONDS = 30.0  # a thumbnail write takes milliseconds: older temps are a crash's


class StopReason(StrEnum):
    PAUSE = "pause"
    CANCEL = "cancel"
    GONE = "gone"  # the job is no longer RUNNING: someone else ended it


@dataclass(frozen=True)
class InFlight:
    """A claimed batch whose files the pool is working on."""

    items: tuple[ClaimedItem, ...]
    futures: tuple[Future[pool_tasks.Handled], ...]


class Runner:
    def __init__(self, settings: Settings, engine: Engine, job_id: int, batch_size: int = 0):
        self.settings = settings
        self.engine = engine
        self.job_id = job_id
        self.host = socket.gethostname()
        self.owner = f"{self.host}:{os.getpid()}:{secrets.token_hex(3)}"
        self.batch_size = batch_size
        self.sigterm = threading.Event()
        self.stop_heartbeat = threading.Event()
        self.last_error: str | None = None

    # --- job row -------------------------------------------------------------------------
    def view(self) -> JobView:
        return claims.read_job(self.engine, self.job_id)

    def stop_reason(self) -> StopReason | None:
        job = self.view()
        if job.status is not JobStatus.RUNNING:
            return StopReason.GONE
        if job.control is JobControl.CANCEL:
            return StopReason.CANCEL
        if job.control is JobControl.PAUSE or self.sigterm.is_set():
            return StopReason.PAUSE
        return None

    def end_run(self, status: JobStatus, message: str | None = None, summary: bool = False) -> bool:
        """RUNNING -> ``status``, adding this run's time to the job's active seconds."""
        now = utcnow()
        job = self.view()
        run = (now - job.run_started_at).total_seconds() if job.run_started_at else 0.0
        active = job.active_seconds + max(0.0, run)
        values: dict[str, object] = {
            "status": status.value,
            "control": JobControl.NONE.value,
            "active_seconds": active,
            "run_started_at": None,
            "heartbeat_at": now,
            "message": message,
        }
        if status in (JobStatus.COMPLETED, JobStatus.CANCELLED):
            values["finished_at"] = now
            values["current_file"] = None
        if summary:
            values["summary_json"] = summary_to_json(
                compute_summary(self.engine, self.job_id, status=status, duration=active)
            )
        return claims.end_run(self.engine, self.job_id, job.run_started_at, values)

    def stop(self, reason: StopReason) -> int:
        claims.release_owner(self.engine, self.job_id, self.owner)
        if reason is StopReason.CANCEL:
            self.end_run(JobStatus.CANCELLED)
        elif reason is StopReason.PAUSE:
            self.end_run(JobStatus.PAUSED)
        log.info("job %s: stopped (%s)", self.job_id, reason.value)
        return EXIT_OK

    # --- heartbeat -----------------------------------------------------------------------
    def _heartbeat_loop(self) -> None:
        while not self.stop_heartbeat.wait(HEARTBEAT_SECONDS):
            try:
                claims.heartbeat(self.engine, self.job_id)
                claims.extend_leases(self.engine, self.job_id, self.owner, LEASE_SECONDS)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("job %s: heartbeat failed: %s", self.job_id, exc)

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.sigterm.set()

    # --- main ----------------------------------------------------------------------------
    def run(self) -> int:
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        taken = claims.take_job(self.engine, self.job_id, os.getpid(), self.host, stale)
        if taken is TakeResult.REFUSED:
            log.info("job %s: not runnable now (completed, held or stopping); exiting", self.job_id)
            return EXIT_REFUSED
        log.info("job %s: %s as %s", self.job_id, taken.value, self.owner)
        job = self.view()
        # Fork the pool now: before any thread of ours exists and with no transaction open.
        pool = pool_tasks.make_pool(max(1, job.settings.workers), self.settings.database_url)
        pool.submit(pool_tasks.warm_up)  # starts every pool process (fork: all at once)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        beat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beat.start()
        try:
            return self._run_taken(taken, job, pool)
        except Exception as exc:  # the worker's boundary: record why in the job, then exit
            log.exception("job %s: worker failed", self.job_id)
            self._record_failure(exc)
            return EXIT_ERROR
        finally:
            self.stop_heartbeat.set()
            pool.shutdown(wait=True, cancel_futures=True)
            beat.join(timeout=5)

    def _record_failure(self, exc: Exception) -> None:
        """Mark the job FAILED with the reason (resumable); best effort if the DB is the cause."""
        try:
            claims.release_owner(self.engine, self.job_id, self.owner)
            self.end_run(JobStatus.FAILED, f"the worker stopped on an error: {exc}".splitlines()[0])
        except sa.exc.SQLAlchemyError as db_exc:
            log.error("job %s: could not record the failure: %s", self.job_id, db_exc)

    def _run_taken(self, taken: TakeResult, job: JobView, pool: ProcessPoolExecutor) -> int:
        settings = job.settings
        if taken is TakeResult.TOOK:
            self.remove_stale_thumbnail_temps()
        processes = max(1, settings.workers)
        if job.kind is JobKind.DIRECTORY and not job.listing_done and taken is TakeResult.TOOK:
            root = Path(job.source)
            if not root.is_dir():
                self.end_run(JobStatus.FAILED, f"the folder {root} no longer exists")
                return EXIT_OK
            skip = not settings.verify_unchanged  # issue 16: unchanged files are not read
            listed = list_folder(
                self.engine, self.job_id, root, lambda: not self.stop_reason(), skip_unchanged=skip
            )
            if not listed:
                return self.stop(self.stop_reason() or StopReason.PAUSE)
            log.info("job %s: listed %d files", self.job_id, self.view().total)
        psettings = PipelineSettings.for_job(self.settings.thumbs_dir, settings)
        batch = self.batch_size or max(4, 4 * processes)
        return self._batches(pool, batch, psettings, settings, job.done, job.errors)

    def _batches(
        self,
        pool: ProcessPoolExecutor,
        batch: int,
        psettings: PipelineSettings,
        settings: ImportSettings,
        done0: int,
        errors0: int,
    ) -> int:
        """Claim and submit the next batch while the previous one runs, then commit it."""
        inflight: InFlight | None = None
        while True:
            reason = self.stop_reason()
            if reason is not None:
                if inflight is not None:
                    self.commit(inflight)  # finish what the pool is already doing
                return self.stop(reason)
            items = claims.claim_items(self.engine, self.job_id, self.owner, batch, LEASE_SECONDS)
            upcoming = self.submit(pool, items, psettings) if items else None
            if inflight is not None:
                self.commit(inflight)
                if self.over_threshold(settings, done0, errors0):
                    return EXIT_OK
            inflight = upcoming
            if inflight is None:
                if self._work_remains():
                    time.sleep(IDLE_WAIT_SECONDS)
                    continue
                return self.finish(settings)

    def _work_remains(self) -> bool:
        return claims.work_remains(self.engine, self.job_id)

    def submit(
        self, pool: ProcessPoolExecutor, items: Sequence[ClaimedItem], psettings: PipelineSettings
    ) -> InFlight:
        log.debug("job %s: batch of %d from item %d", self.job_id, len(items), items[0].id)
        futures = [pool.submit(pool_tasks.handle, i.path, psettings) for i in items]
        return InFlight(items=tuple(items), futures=tuple(futures))

    def commit(self, inflight: InFlight) -> None:
        """Wait for a batch and write its results, counters and heartbeat in one transaction."""
        home = self.settings.home
        outcomes: list[ItemOutcome] = []
        for item, future in zip(inflight.items, inflight.futures, strict=True):
            handled = future.result()
            if handled.known_sha256 is not None:
                outcomes.append(ingest.known_outcome(item.id, item.path, handled.known_sha256))
                continue
            assert handled.result is not None
            outcomes.append(ingest.outcome_for(item.id, handled.result, home, self.job_id))
            if handled.result.error is not None:
                self.last_error = str(handled.result.error)
        counts = claims.commit_batch(
            self.engine, self.job_id, self.owner, outcomes, current_file=inflight.items[-1].path
        )
        if counts.dropped:
            log.warning("job %s: %d results dropped (lease lost)", self.job_id, counts.dropped)

    def over_threshold(self, settings: ImportSettings, done0: int, errors0: int) -> bool:
        job = self.view()
        run_done, run_errors = job.done - done0, job.errors - errors0
        sample = settings.error_min_sample
        if job.listing_done:
            sample = min(sample, max(1, job.total - done0))
        if run_done < sample or run_errors / run_done <= settings.error_threshold:
            return False
        message = (
            f"{run_errors} of {run_done} files failed ({run_errors / run_done:.0%}), over the "
            f"error threshold of {settings.error_threshold:.0%}"
        )
        if self.last_error:
            message += f"; last error: {self.last_error}"
        if self.end_run(JobStatus.HALTED, message):
            claims.release_owner(self.engine, self.job_id, self.owner)
            log.info("job %s: halted: %s", self.job_id, message)
        return True

    def remove_stale_thumbnail_temps(self) -> int:
        """Delete thumbnail temp files a killed process left (older than any live write)."""
        thumbs = self.settings.thumbs_dir
        return len(remove_temp_files(thumbs, older_than_seconds=STALE_TEMP_SECONDS))

    def finish(self, settings: ImportSettings) -> int:
        if self.view().status is not JobStatus.RUNNING:
            return EXIT_OK
        if seen.added_contents(self.engine, self.job_id):  # nothing new: the groups stand
            log.info("job %s: no items left; grouping near duplicates", self.job_id)
            assign_near_groups(self.engine, settings.near_duplicate_distance)
        self.remove_stale_thumbnail_temps()
        if self.end_run(JobStatus.COMPLETED, summary=True):
            log.info("job %s: completed", self.job_id)
        return EXIT_OK
