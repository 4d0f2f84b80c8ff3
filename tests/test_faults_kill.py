"""kill -9 of the worker at 20 random moments of one job (starting, listing, mid-batch, between
batches, while a decoder crashes), resuming after each: the job ends COMPLETED with every good
file imported exactly once and every bad file recorded with its reason. Real worker and pool
processes, a real SQLite library, the test-only crashing decoder among the files."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, ITEM, JOB, JobKind, JobStatus
from photoimport.settings import Settings
from tests.fault_plugin import fault_png
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import check_job_consistent, copy_corpus, processes_using

TRIALS = 20
GOOD = 36
PLUGIN = Path(__file__).with_name("fault_plugin.py")


def worker_pids(home: Path, job_id: int) -> list[int]:
    """Every live ``python -m worker run --job <job_id>`` process of the library at ``home``
    (other tests may run a job of the same number on their own library meanwhile)."""
    wanted = ["-m", "worker", "run", "--job", str(job_id)]
    mine = f"PHOTOIMPORT_HOME={home}".encode()
    pids: list[int] = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
            environ = cmdline.with_name("environ").read_bytes().split(b"\0")
        except OSError:
            continue
        ours = any(args[i : i + len(wanted)] == wanted for i in range(len(args)))
        if ours and mine in environ:
            pids.append(int(cmdline.parent.name))
    return pids


def counters_match_items(engine: Engine, job_id: int) -> None:
    """What any moment must show: the job's counters equal its ended items (one transaction)."""
    with engine.connect() as conn:
        done, errors = conn.execute(
            sa.select(JOB.c.done, JOB.c.errors).where(JOB.c.id == job_id)
        ).one()
        ended = conn.execute(
            sa.select(sa.func.count())
            .select_from(ITEM)
            .where(ITEM.c.job_id == job_id, ITEM.c.state.in_(["done", "error", "skipped"]))
        ).scalar_one()
        failed = conn.execute(
            sa.select(sa.func.count())
            .select_from(ITEM)
            .where(ITEM.c.job_id == job_id, ITEM.c.state == "error")
        ).scalar_one()
    assert (done, errors) == (ended, failed)


@pytest.mark.slow
def test_kill_9_at_20_random_moments_then_the_job_completes_with_each_file_once(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    print(f"kill -9 trials, seed {seed}")
    folder = tmp_path / "photos"
    good = copy_corpus(folder, broken=False, limit=GOOD)
    broken = copy_corpus(folder / "broken", broken=True, limit=2)
    (folder / "crash").mkdir()
    (folder / "crash" / "abort.png").write_bytes(fault_png("abort"))
    monkeypatch.setenv("PHOTOIMPORT_TEST_PLUGIN", str(PLUGIN))
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.2")
    settings = TEST_IMPORTS.with_changes(workers=2)
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), settings)
    db = Path(sqlite_settings.database_url.removeprefix("sqlite:///"))  # whatever its name

    kills = 0
    started = time.monotonic()
    for trial in range(TRIALS):
        if jobs.job_progress(sqlite_engine, job_id).status is JobStatus.COMPLETED:
            break
        if trial == 0:
            jobs.launch_worker(sqlite_settings, job_id)
        else:
            jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
        time.sleep(rng.uniform(0.2, 2.5))
        pids = worker_pids(sqlite_settings.home, job_id)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        kills += bool(pids)
        wait_until(
            lambda: not worker_pids(sqlite_settings.home, job_id),
            timeout=10,
            what="the worker to die",
        )
        wait_until(lambda: not processes_using(db), timeout=15, what="no orphan pool processes")
        counters_match_items(sqlite_engine, job_id)
    print(f"{kills} kills in {time.monotonic() - started:.0f} s")

    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0")
    if jobs.job_progress(sqlite_engine, job_id).status is not JobStatus.COMPLETED:
        jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).status is JobStatus.COMPLETED,
        timeout=120,
        what="completion",
    )
    counts = check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    assert sum(counts.values()) == len(good) + len(broken) + 1
    with sqlite_engine.connect() as conn:
        files = conn.execute(sa.select(sa.func.count()).select_from(FILE)).scalar_one()
        reasons = dict(
            (Path(r[0]).name, r[1])
            for r in conn.execute(
                sa.select(ITEM.c.path, ITEM.c.error_reason).where(
                    ITEM.c.job_id == job_id, ITEM.c.state == "error"
                )
            )
        )
    assert files == counts["done"]  # each good content once
    assert set(reasons) == {p.name for p in broken} | {"abort.png"}
    assert reasons["abort.png"] == "the decoder crashed (signal 6)"
    assert all(reasons.values())
    assert kills >= TRIALS // 2  # most trials found a worker to kill
