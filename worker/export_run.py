"""One worker on one EXPORT job: take it, claim items, copy them in threads, commit, finish.

The import's rules, for export items (``photoimport.export.store``): the job is taken with the
same statement as an import (``db.claims.take_job``), items are claimed under a lease and end
exactly once, each batch's outcomes, counters and heartbeat commit in one transaction, and
between batches the job row is read for pause / cancel (SIGTERM pauses). A file's outcome is
idempotent on disk (a fixed temporary name per item, recognition of a complete target), so a
``kill -9`` anywhere leaves at most one stale temporary that the retry replaces: the resumed
export neither duplicates nor skips a file.

Copying runs in threads, not the import's process pool: the work is reading, hashing and
writing, all of which release the GIL, and each thread keeps its own ``exiftool -stay_open``.
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
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import claims
from photoimport.db.models import JOB, JobControl, JobKind, JobStatus, utcnow
from photoimport.db.work import HEARTBEAT_SECONDS, LEASE_SECONDS, LOST_AFTER_SECONDS, TakeResult
from photoimport.export.embed import ExifTool
from photoimport.export.finish import export_message, write_job_manifest
from photoimport.export.items import export_item
from photoimport.export.request import ExportRequest
from photoimport.export.store import (
    ExportTask,
    TaskOutcome,
    claim_tasks,
    commit_outcomes,
    extend_leases,
    release,
    reset_claims,
    work_remains,
)
from photoimport.settings import ImportSettings, Settings

log = logging.getLogger("worker")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REFUSED = 3
TEST_DELAY_ENV = "PHOTOIMPORT_TEST_ITEM_DELAY"


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
    def _row(self) -> sa.RowMapping:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(JOB).where(JOB.c.id == self.job_id)).mappings().one()

    def _stop_reason(self) -> JobStatus | None:
        row = self._row()
        if row["status"] != JobStatus.RUNNING.value:
            return JobStatus.RUNNING  # someone else ended the run: just leave
        if row["control"] == JobControl.CANCEL.value:
            return JobStatus.CANCELLED
        if row["control"] == JobControl.PAUSE.value or self.sigterm.is_set():
            return JobStatus.PAUSED
        return None

    def _end(self, status: JobStatus, message: str | None) -> bool:
        row = self._row()
        now = utcnow()
        started = row["run_started_at"]
        run = (now - started).total_seconds() if started is not None else 0.0
        values: dict[str, object] = {
            "status": status.value,
            "control": JobControl.NONE.value,
            "active_seconds": float(row["active_seconds"]) + max(0.0, run),
            "run_started_at": None,
            "heartbeat_at": now,
            "message": message,
        }
        if status in (JobStatus.COMPLETED, JobStatus.CANCELLED):
            values["finished_at"] = now
            values["current_file"] = None
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
                extend_leases(self.engine, self.job_id, self.owner, LEASE_SECONDS)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("job %s: heartbeat failed: %s", self.job_id, exc)

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.sigterm.set()

    # --- main ------------------------------------------------------------------------------
    def run(self) -> int:
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        taken = claims.take_job(self.engine, self.job_id, os.getpid(), self.host, stale)
        if taken is TakeResult.REFUSED:
            log.info("job %s: not runnable now; exiting", self.job_id)
            return EXIT_REFUSED
        if taken is TakeResult.TOOK:
            reset_claims(self.engine, self.job_id)
        row = self._row()
        request = ExportRequest.from_json(row["export_json"] or "{}")
        imports = ImportSettings.from_json(row["settings_json"])
        log.info(
            "export job %s: %s as %s to %s", self.job_id, taken.value, self.owner, row["source"]
        )
        signal.signal(signal.SIGTERM, self._on_sigterm)
        beat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beat.start()
        threads = max(1, imports.workers)
        try:
            with ThreadPoolExecutor(threads, thread_name_prefix="export") as pool:
                return self._loop(pool, Path(row["source"]), request, imports, threads)
        except Exception as exc:  # the worker's boundary: record why in the job, then exit
            log.exception("job %s: export failed", self.job_id)
            release(self.engine, self.job_id, self.owner)
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
        batch = self.batch_size or 4 * threads
        row = self._row()
        done0, errors0 = int(row["done"]), int(row["errors"])
        delay = float(os.environ.get(TEST_DELAY_ENV) or 0)

        def one(task: ExportTask) -> TaskOutcome:
            if delay > 0:
                time.sleep(delay)
            return export_item(task, destination, request, self._exiftool)

        # The next batch is claimed and handed to the threads before the current one is
        # committed, so the threads never wait for the database (as the import's runner does).
        inflight: list[tuple[ExportTask, Future[TaskOutcome]]] = []
        while True:
            reason = self._stop_reason()
            if reason is not None:
                self._commit(inflight)  # finish what the threads are already doing
                release(self.engine, self.job_id, self.owner)
                if reason is JobStatus.CANCELLED:
                    write_job_manifest(self.engine, self.job_id, destination)
                if reason is not JobStatus.RUNNING:
                    self._end(reason, None)
                log.info("job %s: stopped (%s)", self.job_id, reason.value)
                return EXIT_OK
            tasks = claim_tasks(self.engine, self.job_id, self.owner, batch, LEASE_SECONDS)
            upcoming = [(t, pool.submit(one, t)) for t in tasks]
            if inflight:
                self._commit(inflight)
                if self._over_threshold(imports, done0, errors0):
                    for _, future in upcoming:
                        future.cancel()
                    return EXIT_OK
            inflight = upcoming
            if not inflight:
                if work_remains(self.engine, self.job_id):
                    time.sleep(0.5)
                    continue
                return self._finish(destination)

    def _commit(self, inflight: list[tuple[ExportTask, Future[TaskOutcome]]]) -> None:
        if not inflight:
            return
        outcomes = [future.result() for _, future in inflight]
        for out in outcomes:
            if out.error_reason:
                self.last_error = f"{out.error_stage}: {out.error_reason}"
        current = inflight[-1][0].target
        commit_outcomes(self.engine, self.job_id, self.owner, outcomes, current)

    def _over_threshold(self, imports: ImportSettings, done0: int, errors0: int) -> bool:
        row = self._row()
        run_done, run_errors = int(row["done"]) - done0, int(row["errors"]) - errors0
        sample = min(imports.error_min_sample, max(1, int(row["total"]) - done0))
        if run_done < sample or run_errors / run_done <= imports.error_threshold:
            return False
        message = (
            f"{run_errors} of {run_done} files failed to export ({run_errors / run_done:.0%}), "
            f"over the error threshold of {imports.error_threshold:.0%}"
        )
        if self.last_error:
            message += f"; last error: {self.last_error}"
        release(self.engine, self.job_id, self.owner)
        self._end(JobStatus.HALTED, message)
        return True

    def _finish(self, destination: Path) -> int:
        if self._row()["status"] != JobStatus.RUNNING.value:
            return EXIT_OK
        write_job_manifest(self.engine, self.job_id, destination)
        if self._end(JobStatus.COMPLETED, export_message(self.engine, self.job_id)):
            log.info("job %s: export completed", self.job_id)
        return EXIT_OK
