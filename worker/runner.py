"""One worker on one job: take it, list it, claim -> pool -> commit, heartbeat, stop cleanly.

The loop, between batches, looks at the job row and at SIGTERM:

* a pause request (or SIGTERM) -> PAUSED; a cancel request -> CANCELLED; the job no longer
  RUNNING (another worker paused, halted or finished it) -> this worker just leaves;
* otherwise it claims a batch with a lease, hashes the files in the pool, links contents the
  library already holds (SKIPPED), processes the rest with ``process_file`` and commits the
  batch's results, counters and heartbeat in one transaction;
* when the job's errors pass its threshold (after its minimum sample, or after every file of a
  smaller job; counted over the job, not this run: ``worker.threshold``) -> HALTED with a
  message saying why;
* when nothing is left -> library-wide near-duplicate groups, the summary, COMPLETED.

A heartbeat thread refreshes the job's heartbeat and this worker's leases every
``HEARTBEAT_SECONDS`` while a long batch runs.

Files go to a supervised pool (``worker.supervisor``): a file that crashes, hangs or eats memory
there is that file's recorded error, and while it waits for a batch the loop looks at the job
row every half second, so Pause and Cancel take effect at once even while a file hangs (files
still in flight are given back, their processes killed).
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
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import claims, recovery, seen
from photoimport.db.models import ItemState, JobControl, JobKind, JobStatus, utcnow
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
from photoimport.errors import Stage, hide_passwords
from photoimport.jobs.summary import compute_summary, summary_to_json
from photoimport.library.variants import assign_variants
from photoimport.media.thumbnails import remove_temp_files
from photoimport.pipeline import PipelineSettings
from photoimport.settings import ImportSettings, Settings
from photoimport.sources.folders import iter_image_files, library_paths
from worker import outcomes as ingest
from worker import pool as pool_tasks
from worker import threshold
from worker.export_run import ExportRun, is_export_job
from worker.listing import list_folder
from worker.supervisor import PoolFailure, Supervisor, Task, Waited

log = logging.getLogger("worker")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REFUSED = 3
IDLE_WAIT_SECONDS = 0.5
PARTIAL_COMMIT_SECONDS = 5.0  # a batch held up by a slow file writes what is done this often
STALE_TEMP_SECONDS = 30.0  # a thumbnail write takes milliseconds: older temps are a crash's


class StopReason(StrEnum):
    PAUSE = "pause"
    CANCEL = "cancel"
    GONE = "gone"  # the job is no longer RUNNING: someone else ended it


@dataclass(frozen=True)
class InFlight:
    """A claimed batch whose files the pool is working on."""

    items: tuple[ClaimedItem, ...]


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
        # held by the heartbeat thread while it uses the database, and by the pool while it
        # forks a process: a fork never copies a lock that thread holds (see worker.supervisor)
        self.fork_lock = threading.Lock()
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

    def end_run(
        self,
        status: JobStatus,
        message: str | None = None,
        summary: bool = False,
        extra: dict[str, object] | None = None,
    ) -> bool:
        """RUNNING -> ``status``, adding this run's time to the job's active seconds."""
        job = self.view()
        values = claims.run_end_values(
            status, message, job.run_started_at, job.active_seconds, utcnow()
        )
        values.update(extra or {})
        if summary:
            active = values["active_seconds"]
            assert isinstance(active, float)
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
                with self.fork_lock:
                    claims.heartbeat(self.engine, self.job_id)
                    claims.extend_leases(self.engine, self.job_id, self.owner, LEASE_SECONDS)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("job %s: heartbeat failed: %s", self.job_id, exc)

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.sigterm.set()

    # --- main ----------------------------------------------------------------------------
    def run(self) -> int:
        if is_export_job(self.engine, self.job_id):  # issue 14: export items, its own loop
            return ExportRun(self.settings, self.engine, self.job_id, self.batch_size).run()
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        taken = claims.take_job(self.engine, self.job_id, os.getpid(), self.host, stale)
        if taken is TakeResult.REFUSED:
            log.info("job %s: not runnable now (completed, held or stopping); exiting", self.job_id)
            return EXIT_REFUSED
        log.info("job %s: %s as %s", self.job_id, taken.value, self.owner)
        job = self.view()
        # Fork the pool now: before any thread of ours exists and with no transaction open.
        pool = self.make_pool(job.settings)
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
            pool.close()
            beat.join(timeout=5)

    def make_pool(self, settings: ImportSettings) -> Supervisor:
        serve = partial(
            pool_tasks.serve,
            database_url=self.settings.database_url,
            worker_pid=os.getpid(),
            memory_mb=settings.file_memory_mb,
        )
        return Supervisor(
            max(1, settings.workers), serve, float(settings.file_timeout_seconds), self.fork_lock
        )

    def _record_failure(self, exc: Exception) -> None:
        """Mark the job FAILED with the reason (resumable); best effort if the DB is the cause."""
        try:
            claims.release_owner(self.engine, self.job_id, self.owner)
            why = hide_passwords(f"the worker stopped on an error: {exc}".splitlines()[0])
            self.end_run(JobStatus.FAILED, why)
        except sa.exc.SQLAlchemyError as db_exc:
            log.error("job %s: could not record the failure: %s", self.job_id, db_exc)

    def _run_taken(self, taken: TakeResult, job: JobView, pool: Supervisor) -> int:
        settings = job.settings
        if taken is TakeResult.TOOK:
            self.remove_stale_thumbnail_temps()
        processes = max(1, settings.workers)
        if job.kind is JobKind.DIRECTORY and not job.listing_done and taken is TakeResult.TOOK:
            root = Path(job.source)
            if not root.is_dir():
                self.end_run(JobStatus.FAILED, f"the folder {root} no longer exists")
                return EXIT_OK
            walk = partial(
                iter_image_files,
                roots=self.settings.allowed_roots,
                library=library_paths(self.settings),
                on_skip=self._skipped_library,
            )
            skip = not settings.verify_unchanged  # issue 16: unchanged files are not read
            listed = list_folder(
                self.engine,
                self.job_id,
                root,
                lambda: not self.stop_reason(),
                walk,
                skip_unchanged=skip,
            )
            if not listed:
                return self.stop(self.stop_reason() or StopReason.PAUSE)
            log.info("job %s: listed %d files", self.job_id, self.view().total)
        psettings = PipelineSettings.for_job(self.settings.thumbs_dir, settings)
        batch = self.batch_size or max(4, 4 * processes)
        return self._batches(pool, batch, psettings, settings)

    def _batches(
        self,
        pool: Supervisor,
        batch: int,
        psettings: PipelineSettings,
        settings: ImportSettings,
    ) -> int:
        """Claim and submit the next batch while the previous one runs, then commit it."""
        inflight: InFlight | None = None
        while True:
            reason = self.stop_reason()
            if reason is not None:
                if inflight is not None:
                    self.commit(pool, inflight)  # what the pool finishes within half a second
                return self.stop(reason)
            items = claims.claim_items(self.engine, self.job_id, self.owner, batch, LEASE_SECONDS)
            upcoming = self.submit(pool, items, psettings) if items else None
            if inflight is not None:
                if not self.commit(pool, inflight):  # a stop was asked while a file ran
                    if upcoming is not None:
                        pool.forget(i.id for i in upcoming.items)
                    return self.stop(self.stop_reason() or StopReason.PAUSE)
                if self.over_threshold(settings):
                    return EXIT_OK
            inflight = upcoming
            if inflight is None:
                if self._work_remains():
                    time.sleep(IDLE_WAIT_SECONDS)
                    continue
                return self.finish(settings)

    def _skipped_library(self, folder: Path) -> None:
        log.info("job %s: skipped %s: it is the photo library's own folder", self.job_id, folder)

    def _work_remains(self) -> bool:
        return claims.work_remains(self.engine, self.job_id)

    def submit(
        self, pool: Supervisor, items: Sequence[ClaimedItem], psettings: PipelineSettings
    ) -> InFlight:
        log.debug("job %s: batch of %d from item %d", self.job_id, len(items), items[0].id)
        for i in items:
            # attempts counts this claim: earlier claims that never ended may have crashed
            pool.submit(Task(i.id, (i.path, psettings), i.path, max(0, i.attempts - 1)))
        return InFlight(items=tuple(items))

    def _stop_asked(self) -> bool:
        return self.stop_reason() is not None

    def commit(self, pool: Supervisor, inflight: InFlight) -> bool:
        """Wait for a batch and write its results, counters and heartbeat in one transaction.

        While a slow file holds the batch up, what is done is written every
        ``PARTIAL_COMMIT_SECONDS`` (progress goes on, a crash loses less). A stop asked
        meanwhile ends the wait: what is done is written and False returned.
        """
        waiting = list(inflight.items)
        while True:
            waited = pool.wait(
                (i.id for i in waiting), self._stop_asked, timeout=PARTIAL_COMMIT_SECONDS
            )
            ready = [i for i in waiting if pool.done(i.id)]
            if ready or waited is not Waited.TIMEOUT:
                self._write(pool, ready or waiting[-1:])
            waiting = [i for i in waiting if i not in ready]
            if waited is not Waited.TIMEOUT:
                return waited is Waited.DONE

    def _write(self, pool: Supervisor, items: Sequence[ClaimedItem]) -> None:
        """Commit the results the pool has for ``items`` (the others are left as they are)."""
        home = self.settings.home
        outcomes: list[ItemOutcome] = []
        for item in items:
            if not pool.done(item.id):
                continue  # still running: given back by ``stop``
            handled = pool.take(item.id)
            if isinstance(handled, PoolFailure):
                outcomes.append(pool_failure_outcome(item, handled))
                self.last_error = f"{item.path}: {handled.reason}"
                continue
            assert isinstance(handled, pool_tasks.Handled)
            if handled.known_sha256 is not None:
                outcomes.append(ingest.known_outcome(item.id, item.path, handled.known_sha256))
                continue
            assert handled.result is not None
            outcomes.append(ingest.outcome_for(item.id, handled.result, home, self.job_id))
            if handled.result.error is not None:
                self.last_error = str(handled.result.error)
        counts = claims.commit_batch(
            self.engine, self.job_id, self.owner, outcomes, current_file=items[-1].path
        )
        if counts.dropped:
            log.warning("job %s: %d results dropped (lease lost)", self.job_id, counts.dropped)

    def over_threshold(self, settings: ImportSettings) -> bool:
        """Halt when the job's errors pass its threshold (``worker.threshold``)."""
        job = self.view()
        message = threshold.over_threshold(
            done=job.done,
            errors=job.errors,
            base=recovery.threshold_base(self.engine, self.job_id),
            total=job.total,
            listing_done=job.listing_done,
            settings=settings,
        )
        if message is None:
            return False
        if self.last_error:
            message += f"; last error: {self.last_error}"
        resumed_from: dict[str, object] = {
            "threshold_done": job.done,
            "threshold_errors": job.errors,
        }
        if self.end_run(JobStatus.HALTED, message, extra=resumed_from):
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
            assign_variants(self.engine, self.job_id)  # RAW + JPEG, Live Photo still + motion
        self.remove_stale_thumbnail_temps()
        if self.end_run(JobStatus.COMPLETED, summary=True):
            log.info("job %s: completed", self.job_id)
        return EXIT_OK


def pool_failure_outcome(item: ClaimedItem, failure: PoolFailure) -> ItemOutcome:
    """A file the pool never answered for (it crashed or hung): an error with the reason."""
    return ItemOutcome(
        item_id=item.id,
        path=item.path,
        state=ItemState.ERROR,
        error_stage=Stage.DECODE.value,
        error_reason=failure.reason,
    )
