"""``python -m worker run --job N`` (one job) and ``python -m worker serve`` (any PENDING job).

``serve`` also takes over a RUNNING job whose worker died (no heartbeat for
``LOST_AFTER_SECONDS``): nobody has to click Resume after a crash.

Settings come from the environment (``PHOTOIMPORT_HOME``, ``PHOTOIMPORT_DATABASE_URL``), as
``jobs.control.launch_worker`` passes them. Exit codes: 0 done (completed, paused, halted,
cancelled), 1 an error such as an unreachable database (one line on stderr), 2 usage, 3 the job
cannot be run now (completed, or a stop was requested).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import timedelta
from types import FrameType

from photoimport.db import recovery
from photoimport.db.engine import make_engine
from photoimport.db.models import utcnow
from photoimport.db.work import LOST_AFTER_SECONDS
from photoimport.errors import PasswordHidingFormatter, PhotoimportError, hide_passwords
from photoimport.jobs.visitors import expire_visitors
from photoimport.settings import load_settings
from photoimport.sources.visitors import demo_config
from worker.runner import EXIT_REFUSED, Runner

log = logging.getLogger("worker")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one job")
    run.add_argument("--job", type=int, required=True, help="the job's number")
    run.add_argument("--batch-size", type=int, default=0, help="items claimed at a time")
    serve = sub.add_parser("serve", help="keep running PENDING jobs until SIGTERM")
    serve.add_argument("--poll", type=float, default=2.0, help="seconds between looks for work")
    serve.add_argument("--batch-size", type=int, default=0, help="items claimed at a time")
    return parser


def serve(poll: float, batch_size: int) -> int:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    stopping = threading.Event()
    demo = demo_config()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_term)
    log.info("serving jobs from %s", engine.url.render_as_string(hide_password=True))
    while not stopping.is_set():
        stale = utcnow() - timedelta(seconds=LOST_AFTER_SECONDS)
        waiting = recovery.orphaned_jobs(engine, stale)  # PENDING, or its worker died
        if not waiting:
            if demo.enabled:  # issue 15: a demo's visitors expire even when nobody visits
                expire_visitors(engine, settings, demo.ttl)
            stopping.wait(poll)
            continue
        for job_id in waiting:
            runner = Runner(settings, engine, job_id, batch_size)
            ran = runner.run() != EXIT_REFUSED  # refused: taken meanwhile, or a stop pending
            if ran or runner.sigterm.is_set():  # run() installs its own SIGTERM handler
                break
        else:
            stopping.wait(poll)
        if runner.sigterm.is_set():
            break
        signal.signal(signal.SIGTERM, on_term)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(message)s"
    )
    for handler in logging.getLogger().handlers:  # the job's log never shows a password
        handler.setFormatter(
            PasswordHidingFormatter("%(asctime)s %(process)d %(levelname)s %(message)s")
        )
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args.poll, args.batch_size)
        settings = load_settings()
        engine = make_engine(settings.database_url)
        return Runner(settings, engine, args.job, args.batch_size).run()
    except PhotoimportError as exc:
        print(f"worker: {hide_passwords(str(exc))}", file=sys.stderr)  # noqa: T201  (the log file is the worker's UI)
        return 1


if __name__ == "__main__":
    sys.exit(main())
