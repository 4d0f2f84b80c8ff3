"""The worker as a real detached process on a real SQLite library: a folder job end to end,
the library as one catalogue, originals untouched, SIGTERM, pause/cancel from another process,
and a folder of broken files that halts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, ITEM, JobKind, JobStatus
from photoimport.settings import Settings
from tests.fixtures.corpus import manifest_rows
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import check_job_consistent, copy_corpus, snapshot, unusable

ROOT = Path(__file__).resolve().parent.parent


def status_of(engine: Engine, job_id: int) -> JobStatus:
    return jobs.job_progress(engine, job_id).status


def run_folder_job(
    engine: Engine, settings: Settings, folder: Path, wait_until: WaitUntil, **changes: object
) -> int:
    job_id = jobs.create_job(
        engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS.with_changes(**changes)
    )
    jobs.launch_worker(settings, job_id)
    wait_until(
        lambda: status_of(engine, job_id) not in (JobStatus.PENDING, JobStatus.RUNNING),
        timeout=120,
        what=f"job {job_id} to end",
    )
    return job_id


def item_states(engine: Engine, job_id: int) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ITEM.c.path, ITEM.c.state).where(ITEM.c.job_id == job_id))
        return {r[0]: r[1] for r in rows}


def test_corpus_folder_job_end_to_end_then_again_as_already_known(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "corpus copy"
    copy_corpus(folder)
    before = snapshot(folder)
    job_id = run_folder_job(sqlite_engine, sqlite_settings, folder, wait_until)
    assert status_of(sqlite_engine, job_id) is JobStatus.COMPLETED
    rows = manifest_rows()
    states = item_states(sqlite_engine, job_id)
    assert sorted(states) == sorted(str(folder / r["path"]) for r in rows)  # each file once
    # issue 11: broken pixels keep their facts, so every corpus file is in the library
    broken: set[str] = set()
    assert {p for p, s in states.items() if s == "error"} == broken
    counts = check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    good = rows
    good_shas = {r["sha256"] for r in good}
    with sqlite_engine.connect() as conn:
        warned = conn.execute(
            sa.select(sa.func.count()).where(FILE.c.preview_error.is_not(None))
        ).scalar_one()
    assert warned == len({r["sha256"] for r in rows if unusable(r)})
    with sqlite_engine.connect() as conn:
        assert set(conn.execute(sa.select(FILE.c.sha256)).scalars()) == good_shas
    assert counts["done"] == len(good_shas)
    assert counts.get("skipped", 0) == len(rows) - len(broken) - len(good_shas)
    summary = jobs.job_summary(sqlite_engine, job_id)
    assert summary.processed == len(good_shas)
    assert summary.errors == len(broken)
    assert sum(summary.by_confidence.values()) == len(good_shas)
    shared: dict[str, list[str]] = {}
    for r in good:
        shared.setdefault(r["sha256"], []).append(r["path"])
    assert summary.exact_duplicate_groups == sum(1 for v in shared.values() if len(v) > 1)
    assert summary.near_duplicate_groups >= 1
    assert snapshot(folder) == before  # originals: same bytes, same mtime

    thumbs = {p: p.stat().st_mtime_ns for p in (sqlite_settings.home / "thumbs").rglob("*.jpg")}
    again = run_folder_job(sqlite_engine, sqlite_settings, folder, wait_until)
    assert status_of(sqlite_engine, again) is JobStatus.COMPLETED
    second = jobs.job_summary(sqlite_engine, again)
    assert (second.processed, second.already_known, second.errors) == (
        0,
        len(rows) - len(broken),
        len(broken),
    )
    assert {p: p.stat().st_mtime_ns for p in thumbs} == thumbs  # not thumbnailed again
    check_job_consistent(sqlite_engine, sqlite_settings.home, again)
    assert snapshot(folder) == before


def test_a_folder_of_only_broken_files_halts_with_its_reason(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "broken"
    broken = copy_corpus(folder, broken=True)
    assert len(broken) >= 3
    job_id = run_folder_job(sqlite_engine, sqlite_settings, folder, wait_until)
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.status is JobStatus.HALTED
    assert p.message is not None
    assert p.message.startswith(
        f"{len(broken)} of {len(broken)} files failed (100%), over the error threshold of 50%"
    )
    assert "; last error: " in p.message
    assert p.status_text == f"halted: {p.message}"
    assert len(jobs.job_errors(sqlite_engine, job_id)) == len(broken)
    # resuming a halted job with nothing left completes it
    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.COMPLETED, what="completion")
    check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)


def slow_job(engine: Engine, tmp_path: Path, name: str, files: int = 24) -> int:
    photos = copy_corpus(tmp_path / name, broken=False, limit=files)
    return jobs.create_job(engine, JobKind.UPLOAD, name, TEST_IMPORTS, photos)


def test_sigterm_pauses_cleanly_and_resume_completes(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.25")
    job_id = slow_job(sqlite_engine, tmp_path, "sigterm")
    pid = jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: jobs.job_progress(sqlite_engine, job_id).done >= 4, what="a first batch")
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.PAUSED, what="PAUSED")
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=20, what="the worker exit")
    paused = jobs.job_progress(sqlite_engine, job_id)
    assert 4 <= paused.done < paused.total
    assert paused.status_text == "paused"
    assert paused.eta_seconds is None
    with sqlite_engine.connect() as conn:
        claimed = conn.execute(
            sa.select(sa.func.count()).select_from(ITEM).where(ITEM.c.state == "claimed")
        ).scalar_one()
    assert claimed == 0
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0")
    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.COMPLETED, what="completion")
    check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    done = jobs.job_progress(sqlite_engine, job_id)
    assert done.elapsed_seconds > 0
    assert done.percent == 100.0


CONTROL = (
    "import sys\nfrom photoimport.db.engine import make_engine\nfrom photoimport import jobs\n"
)
CONTROL += "getattr(jobs, sys.argv[1])(make_engine(sys.argv[2]), int(sys.argv[3]))\n"


def control_from_another_process(action: str, url: str, job_id: int) -> float:
    subprocess.run([sys.executable, "-c", CONTROL, action, url, str(job_id)], cwd=ROOT, check=True)
    return time.monotonic()


def test_pause_and_cancel_from_another_process_take_effect_within_seconds(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.25")
    url = sqlite_settings.database_url
    job_id = slow_job(sqlite_engine, tmp_path, "control", files=60)
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: jobs.job_progress(sqlite_engine, job_id).done >= 4, what="a first batch")
    asked = control_from_another_process("request_pause", url, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.PAUSED, what="PAUSED")
    assert time.monotonic() - asked < 5.0
    at_pause = jobs.job_progress(sqlite_engine, job_id).done
    assert at_pause < 60
    time.sleep(1.0)
    assert jobs.job_progress(sqlite_engine, job_id).done == at_pause  # really stopped

    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).done > at_pause, what="resumed work"
    )
    asked = control_from_another_process("request_cancel", url, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.CANCELLED, what="CANCELLED")
    assert time.monotonic() - asked < 5.0
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.done < p.total
    assert p.status_text == "cancelled"


def test_serve_picks_up_pending_jobs_and_stops_on_sigterm(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    sqlite_settings.logs_dir.mkdir(parents=True, exist_ok=True)
    with (sqlite_settings.logs_dir / "worker-serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "worker", "serve", "--poll", "0.3"],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        first = slow_job(sqlite_engine, tmp_path, "served-1", files=3)
        second = slow_job(sqlite_engine, tmp_path, "served-2", files=5)
        wait_until(
            lambda: all(
                status_of(sqlite_engine, j) is JobStatus.COMPLETED for j in (first, second)
            ),
            what="both jobs completed by the serving worker",
        )
        assert server.poll() is None  # still serving
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    check_job_consistent(sqlite_engine, sqlite_settings.home, second)


def test_pause_during_listing_then_resume_lists_the_rest_once(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "many"
    copy_corpus(folder, broken=False, limit=35)
    monkeypatch.setenv("PHOTOIMPORT_TEST_LIST_DELAY", "0.5")
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: jobs.job_progress(sqlite_engine, job_id).total >= 10, what="scanning")
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.scanning
    assert p.status_text.startswith("scanning: found ")
    jobs.request_pause(sqlite_engine, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.PAUSED, what="PAUSED")
    assert jobs.job_progress(sqlite_engine, job_id).total < 35
    monkeypatch.setenv("PHOTOIMPORT_TEST_LIST_DELAY", "0")
    jobs.request_resume(sqlite_settings, sqlite_engine, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.COMPLETED, what="completion")
    assert check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)["done"] >= 30
    assert jobs.job_progress(sqlite_engine, job_id).total == 35


def test_a_folder_that_vanished_before_the_worker_started_fails_with_its_reason(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    folder.rmdir()
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(lambda: status_of(sqlite_engine, job_id) is JobStatus.FAILED, what="FAILED")
    p = jobs.job_progress(sqlite_engine, job_id)
    assert p.message == f"the folder {folder} no longer exists"
    assert p.status_text == f"failed: the folder {folder} no longer exists"
