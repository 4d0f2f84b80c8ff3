"""The watcher queues its folders' failed or lost batches again: nobody has to click Resume.

``JobRecovery.step(folders)``, called on each watcher heartbeat, looks (at most every
``CHECK_SECONDS``) for watch jobs of the watched folders that nobody runs: FAILED, RUNNING
without a fresh heartbeat (their worker died), or PENDING for longer than ``START_GRACE``
(their worker never started). Each is resumed (``jobs.control.request_resume``: a new worker),
at most ``MAX_RESUMES`` times per watcher process, so a job that fails every time is left for a
person to look at instead of being retried forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from photoimport.db import recovery
from photoimport.db.models import JobKind, utcnow
from photoimport.db.work import LOST_AFTER_SECONDS
from photoimport.errors import PhotoimportError
from photoimport.jobs.control import request_resume
from photoimport.settings import Settings

log = logging.getLogger("photoimport.watch")

CHECK_SECONDS = 10.0
START_GRACE = timedelta(seconds=30)
MAX_RESUMES = 3


class JobRecovery:
    def __init__(self, settings: Settings, engine: Engine, check_seconds: float = CHECK_SECONDS):
        self.settings = settings
        self.engine = engine
        self.check_seconds = check_seconds
        self.next_check = 0.0
        self.resumed: dict[int, int] = {}

    def step(self, folders: Iterable[str]) -> list[int]:
        """Resume the folders' failed or lost watch jobs; returns the ids resumed."""
        now = time.monotonic()
        roots = list(folders)
        if now < self.next_check or not roots:
            return []
        self.next_check = now + self.check_seconds
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        kinds = [JobKind.WATCH]
        try:
            waiting = recovery.orphaned_jobs(
                self.engine, stale, kinds, roots, created_before=utcnow() - START_GRACE
            ) + recovery.failed_jobs(self.engine, kinds, roots)
        except SQLAlchemyError as exc:
            log.error("cannot look for failed or lost watch jobs: %s", exc)
            return []
        resumed: list[int] = []
        for job_id in sorted(set(waiting)):
            count = self.resumed.get(job_id, 0)
            if count >= MAX_RESUMES:
                continue
            self.resumed[job_id] = count + 1
            try:
                request_resume(self.settings, self.engine, job_id)
            except (PhotoimportError, SQLAlchemyError, OSError) as exc:
                log.error("job %s: could not be queued again: %s", job_id, exc)
                continue
            attempt = f"{count + 1} of {MAX_RESUMES}"
            log.info("job %s: failed or lost; queued again (%s)", job_id, attempt)
            resumed.append(job_id)
        return resumed
