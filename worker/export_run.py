"""One worker on one EXPORT job: take it, claim items, copy them in threads, commit, finish.

The import's rules, for export items (``photoimport.export.store``): the job is taken, leases
extended and given back with the same statements as an import's (``db.claims``, given the
export's item table), items are claimed under a lease and end exactly once, each batch's
outcomes, counters and heartbeat commit in one transaction, and between batches the job row
is read (``claims.read_job``) for pause / cancel (SIGTERM pauses). A file's outcome is
idempotent on disk (a fixed temporary name per item, recognition of a complete target), so a
``kill -9`` anywhere leaves at most one stale temporary that the retry replaces: the resumed
export neither duplicates nor skips a file. Before a batch commits, the destination's file
system is synced once (``copying.sync_file_system``): what the job records as exported is on
the disk, so a power cut cannot leave a "done" item with an empty file. Each copy's write-back
was started as it was made, so that sync waits only for what is still in flight. A batch is
about half a second of work (``next_batch``): a commit and a sync per few hundred photos, not
per few.

Copying runs in threads, not the import's process pool: the work is reading, hashing and
writing, all of which release the GIL, and each thread keeps its own ``exiftool -stay_open``
(started by the first item that needs a date written, so most jobs start none).
When no item is left: ``manifest.csv`` is written (also on cancel, for what was exported) and
the job ends COMPLETED with a one-line summary in ``Job.message``.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.db.models import EXPORT_ITEM, JOB, JobControl, JobKind, JobStatus, utcnow
from photoimport.db.work import (
    HEARTBEAT_SECONDS,
    LEASE_SECONDS,
    LOST_AFTER_SECONDS,
    JobView,
    TakeResult,
)
from photoimport.export.copying import sync_file_system
from photoimport.export.embed import ExifTool
from photoimport.export.finish import export_message, write_job_manifest
from photoimport.export.items import export_item
from photoimport.export.request import ExportRequest
from photoimport.export.store import ExportTask, TaskOutcome, claim_tasks, commit_outcomes
from photoimport.settings import ImportSettings, Settings

log = logging.getLogger("worker")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REFUSED = 3
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_ITEM_DELAY"
BATCH_SECONDS = 0.5  # a batch is about this much work: few commits, a pause still prompt
MAX_BATCH = 1000
BATCHES_AHEAD = 2  # claimed batches queued in the threads behind the one being committed
Batch = list[tuple[ExportTask, Future[TaskOutcome]]]


def next_batch(current: int, smallest: int, items: int, seconds: float) -> int:
    """The next batch's size: about ``BATCH_SECONDS`` of work at the pace the last one went.

    Photos of a few MB go by the hundred a second and videos at a few a second, so a fixed
    count is either a commit (and a sync) every few milliseconds or a pause that waits a
    minute; growing at most 4x a batch keeps one fast batch of tiny files from overshooting.
    """
    if seconds <= 0:
        return min(MAX_BATCH, current * 4)
    wanted = int(items / seconds * BATCH_SECONDS)
    return max(smallest, min(wanted, current * 4, MAX_BATCH))


def export_threads(workers: int) -> int:
    """Copying threads: one per process the job may use, and one more.

    Each item's copy, hash and file-system calls release the GIL, so threads run on every
    core; the extra one keeps the cores busy while another waits for the disk (a source read)
    or the journal (a create, a rename, an mtime). Measured on 2 cores (shared, load 3 to 5),
    200 photos, median wall of 5 to 8 runs: 3 threads 1.8 s against 2 threads 2.2 s with the
    sources cached, 2.2 s against 2.8 s with the sources on the disk; 4 threads were slower
    than 3 (1.6 s against 1.4 s cached).
    """
    return max(1, workers) + 1


def is_export_job(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        kind = conn.execute(sa.select(JOB.c.kind).where(JOB.c.id == job_id)).scalar_one_or_none()
    return kind == JobKind.EXPORT.value


class ExportRun:
    def __init__(self, settings: Settings, engine: Engine, job_id: int, batch_size: int = 0):
        self.settings = settings
        self.engine = engine
        self.job_id = job_id
        self.host = socket.gethostname()
        self.owner = f"{self.host}:{os.getpid()}:{secrets.token_hex(3)}"
        self.batch_size = batch_size
        self.sigterm = threading.Event()
        self.stop_beat = threading.Event()
        self.local = threading.local()
        self.exiftools: list[ExifTool] = []
        self.tools_lock = threading.Lock()
        self.last_error: str | None = None

    # --- the job row ---------------------------------------------------------------------
    def _row(self) -> JobView:
        return claims.read_job(self.engine, self.job_id)

    def _release(self) -> None:
        claims.release_owner(self.engine, self.job_id, self.owner, EXPORT_ITEM)

    def _items_open(self) -> bool:
        with self.engine.connect() as conn:
            return claims.items_open(conn, self.job_id, EXPORT_ITEM)

    def _stop_reason(self) -> JobStatus | None:
        row = self._row()
        if row.status is not JobStatus.RUNNING:
            return JobStatus.RUNNING  # someone else ended the run: just leave
        if row.control is JobControl.CANCEL:
            return JobStatus.CANCELLED
        if row.control is JobControl.PAUSE or self.sigterm.is_set():
            return JobStatus.PAUSED
        return None

    def _end(self, status: JobStatus, message: str | None) -> bool:
        row = self._row()
        started = row.run_started_at
        values = claims.run_end_values(status, message, started, row.active_seconds, utcnow())
        return claims.end_run(self.engine, self.job_id, started, values)

    # --- threads ---------------------------------------------------------------------------
    def _exiftool(self) -> ExifTool:
        tool: ExifTool | None = getattr(self.local, "exiftool", None)
        if tool is None:
            tool = ExifTool()
            self.local.exiftool = tool
            with self.tools_lock:
                self.exiftools.append(tool)
        return tool

    def _beat(self) -> None:
        while not self.stop_beat.wait(HEARTBEAT_SECONDS):
            try:
                claims.heartbeat(self.engine, self.job_id)
                claims.extend_leases(
                    self.engine, self.job_id, self.owner, LEASE_SECONDS, EXPORT_ITEM
                )
            except sa.exc.SQLAlchemyError as exc:
                log.warning("job %s: heartbeat failed: %s", self.job_id, exc)

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.sigterm.set()

    # --- main ------------------------------------------------------------------------------
    def run(self) -> int:
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        taken = claims.take_job(
            self.engine, self.job_id, os.getpid(), self.host, stale, EXPORT_ITEM
        )
        if taken is TakeResult.REFUSED:
            log.info("job %s: not runnable now; exiting", self.job_id)
            return EXIT_REFUSED
        row = self._row()
        request = ExportRequest.from_json(row.export_json or "{}")
        imports = row.settings
        log.info("export job %s: %s as %s to %s", self.job_id, taken.value, self.owner, row.source)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        beat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beat.start()
        threads = export_threads(imports.workers)
        try:
            with ThreadPoolExecutor(threads, thread_name_prefix="export") as pool:
                return self._loop(pool, Path(row.source), request, imports, threads)
        except Exception as exc:  # the worker's boundary: record why in the job, then exit
            log.exception("job %s: export failed", self.job_id)
            self._release()
            self._end(JobStatus.FAILED, f"the worker stopped on an error: {exc}".splitlines()[0])
            return EXIT_ERROR
        finally:
            self.stop_beat.set()
            for tool in self.exiftools:
                tool.close()
            beat.join(timeout=5)

    def _loop(
        self,
        pool: ThreadPoolExecutor,
        destination: Path,
        request: ExportRequest,
        imports: ImportSettings,
        threads: int,
    ) -> int:
        smallest = self.batch_size or 4 * threads
        batch = smallest
        row = self._row()
        done0, errors0 = row.done, row.errors
        delay = float(os.environ.get(TEST_DELAY_ENV) or 0)

        def one(task: ExportTask) -> TaskOutcome:
            if delay > 0:
                time.sleep(delay)
            return export_item(task, destination, request, self._exiftool)

        # Batches are claimed and handed to the threads ahead of the one being committed: while
        # the oldest is synced to the disk and committed, the threads copy the next ones, so
        # they wait neither for the database nor for the disk's flush.
        queued: deque[Batch] = deque()
        committed = time.perf_counter()
        while True:
            reason = self._stop_reason()
            if reason is not None:
                while queued:  # finish what the threads are already doing
                    self._commit(queued.popleft(), destination)
                self._release()
                if reason is JobStatus.CANCELLED:
                    self._write_manifest(destination)
                if reason is not JobStatus.RUNNING:
                    self._end(reason, None)
                log.info("job %s: stopped (%s)", self.job_id, reason.value)
                return EXIT_OK
            tasks = claim_tasks(self.engine, self.job_id, self.owner, batch, LEASE_SECONDS)
            if tasks:
                queued.append([(t, pool.submit(one, t)) for t in tasks])
            if len(queued) > BATCHES_AHEAD or (queued and not tasks):
                finished = queued.popleft()
                self._commit(finished, destination)
                now = time.perf_counter()
                if not self.batch_size:
                    batch = next_batch(batch, smallest, len(finished), now - committed)
                committed = now
                if self._over_threshold(imports, done0, errors0):
                    for _, future in (item for later in queued for item in later):
                        future.cancel()
                    return EXIT_OK
            elif not queued:
                if self._items_open():
                    time.sleep(0.5)
                    continue
                return self._finish(destination)

    def _commit(self, inflight: Batch, destination: Path) -> None:
        if not inflight:
            return
        outcomes = [future.result() for _, future in inflight]
        for out in outcomes:
            if out.error_reason:
                self.last_error = f"{out.error_stage}: {out.error_reason}"
        if any(out.how for out in outcomes):  # something is at the destination: on the disk first
            sync_file_system(destination)
        current = inflight[-1][0].target
        commit_outcomes(self.engine, self.job_id, self.owner, outcomes, current)

    def _write_manifest(self, destination: Path) -> None:
        if write_job_manifest(self.engine, self.job_id, destination) is not None:
            sync_file_system(destination)  # on the disk before the job says it is there

    def _over_threshold(self, imports: ImportSettings, done0: int, errors0: int) -> bool:
        row = self._row()
        run_done, run_errors = row.done - done0, row.errors - errors0
        sample = min(imports.error_min_sample, max(1, row.total - done0))
        if run_done < sample or run_errors / run_done <= imports.error_threshold:
            return False
        message = (
            f"{run_errors} of {run_done} files failed to export ({run_errors / run_done:.0%}), "
            f"over the error threshold of {imports.error_threshold:.0%}"
        )
        if self.last_error:
            message += f"; last error: {self.last_error}"
        self._release()
        self._end(JobStatus.HALTED, message)
        return True

    def _finish(self, destination: Path) -> int:
        if self._row().status is not JobStatus.RUNNING:
            return EXIT_OK
        self._write_manifest(destination)
        if self._end(JobStatus.COMPLETED, export_message(self.engine, self.job_id)):
            log.info("job %s: export completed", self.job_id)
        return EXIT_OK
