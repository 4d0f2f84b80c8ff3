"""Fault injection in the pool: a decoder that really aborts, segfaults, hangs or allocates
without end (the test-only Pillow plugin ``tests/fault_plugin.py``, loaded into the pool
processes through ``PHOTOIMPORT_TEST_PLUGIN``), among good photos, in a real worker process on
a real SQLite library. Each bad file is that file's recorded error; the job completes with every
good file imported exactly once. And Cancel / Pause while a file hangs take effect within 2 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, PngImagePlugin
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, ITEM, JobKind, JobStatus
from photoimport.db.settings_store import load_import_settings
from photoimport.settings import Settings
from tests.fault_plugin import fault_png
from tests.fixtures.app import AppEnv, open_app
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.worker_support import check_job_consistent, copy_corpus, processes_using
from worker.pool import load_test_plugin

PLUGIN = Path(__file__).with_name("fault_plugin.py")


def item_rows(engine: Engine, job_id: int) -> dict[str, tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ITEM.c.path, ITEM.c.state, ITEM.c.error_stage, ITEM.c.error_reason).where(
                ITEM.c.job_id == job_id
            )
        )
        return {Path(r[0]).name: (r[1], r[2], r[3]) for r in rows}


@pytest.fixture
def plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOIMPORT_TEST_PLUGIN", str(PLUGIN))


def test_crashing_hanging_and_greedy_decoders_are_each_files_error(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    plugin_env: None,
) -> None:
    folder = tmp_path / "photos"
    good = copy_corpus(folder, broken=False, limit=8)
    for action in ("abort", "segv", "hang", "alloc"):
        (folder / f"bad-{action}.png").write_bytes(fault_png(action))
    settings = TEST_IMPORTS.with_changes(workers=2, file_timeout_seconds=10, file_memory_mb=256)
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), settings)
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).status is JobStatus.COMPLETED,
        timeout=90,
        what="the job to complete",
    )
    rows = item_rows(sqlite_engine, job_id)
    assert rows["bad-abort.png"] == ("error", "decode", "the decoder crashed (signal 6)")
    assert rows["bad-segv.png"] == ("error", "decode", "the decoder crashed (signal 11)")
    assert rows["bad-hang.png"] == ("error", "decode", "took longer than 10 s")
    # A decoder that runs out of memory fails inside Python: the file keeps its facts (issue 11:
    # hash, metadata, date) and is marked "no preview" with the reason, a warning, not an error.
    assert rows["bad-alloc.png"][0] == "done"
    with sqlite_engine.connect() as conn:
        no_preview = conn.execute(
            sa.select(FILE.c.preview_error).where(FILE.c.name == "bad-alloc.png")
        ).scalar_one()
    assert "not enough memory" in no_preview
    assert all(rows[p.name][0] in ("done", "skipped") for p in good), rows
    counts = check_job_consistent(sqlite_engine, sqlite_settings.home, job_id)
    assert counts["error"] == 3
    with sqlite_engine.connect() as conn:
        shas = conn.execute(sa.select(FILE.c.sha256)).scalars().all()
    assert len(shas) == counts["done"]  # every good content once
    with sqlite_engine.connect() as conn:
        query = sa.select(ITEM.c.attempts).where(ITEM.c.job_id == job_id)
        attempts = conn.execute(query).scalars().all()
    assert set(attempts) == {1}  # crashes were retried in the same claim


@pytest.mark.parametrize("action", ["cancel", "pause"])
def test_cancel_or_pause_while_a_file_hangs_takes_effect_within_2_s(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    tmp_path: Path,
    wait_until: WaitUntil,
    plugin_env: None,
    action: str,
) -> None:
    folder = tmp_path / "photos"
    good = copy_corpus(folder, broken=False, limit=3)
    (folder / "zz").mkdir()
    (folder / "zz" / "hang.png").write_bytes(fault_png("hang"))  # last: the good ones go first
    job_id = jobs.create_job(sqlite_engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(sqlite_settings, job_id)
    wait_until(
        lambda: any(
            "zz/hang.png: still processing" in line
            for line in (sqlite_settings.home / "logs" / f"worker-{job_id}.log")
            .read_text()
            .splitlines()
        ),
        timeout=30,
        what="the hung file to be noticed",
    )
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).done >= len(good),
        timeout=15,
        what="the files done beside the hung one to be written meanwhile",
    )
    assert jobs.job_progress(sqlite_engine, job_id).status is JobStatus.RUNNING
    asked = time.monotonic()
    if action == "cancel":
        jobs.request_cancel(sqlite_engine, job_id)
        expected = JobStatus.CANCELLED
    else:
        jobs.request_pause(sqlite_engine, job_id)
        expected = JobStatus.PAUSED
    wait_until(
        lambda: jobs.job_progress(sqlite_engine, job_id).status is expected,
        timeout=10,
        what=f"the job to be {expected.value}",
    )
    latency = time.monotonic() - asked
    print(f"{action} latency while a file hangs: {latency:.2f} s")
    assert latency < 2.0
    rows = item_rows(sqlite_engine, job_id)
    assert all(rows[p.name][0] in ("done", "skipped") for p in good), rows  # written
    assert rows["hang.png"][0] == "pending"  # given back, not recorded as done or failed
    db = Path(sqlite_settings.database_url.removeprefix("sqlite:///"))  # whatever its name
    wait_until(lambda: not processes_using(db), timeout=10, what="the worker and pool to exit")


def test_the_fault_plugin_is_active_only_where_the_test_hook_loads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PHOTOIMPORT_TEST_PLUGIN", raising=False)
    load_test_plugin()  # normal use: nothing is loaded
    assert Image.OPEN["PNG"][0] is PngImagePlugin.PngImageFile  # importing fault_png did not
    monkeypatch.setenv("PHOTOIMPORT_TEST_PLUGIN", str(PLUGIN))
    saved = Image.OPEN["PNG"]
    try:
        load_test_plugin()
        assert Image.OPEN["PNG"][0].__name__ == "FaultPngImageFile"
    finally:
        Image.OPEN["PNG"] = saved


def test_the_per_file_limits_are_settings_of_the_settings_page(app_env: AppEnv) -> None:
    at = open_app().switch_page("pages/settings.py").run()
    assert not at.exception
    assert at.number_input(key="s_file_timeout_seconds").value == 120
    at.number_input(key="s_file_timeout_seconds").set_value(30)
    at.number_input(key="s_file_memory_mb").set_value(1024)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    stored = load_import_settings(app_env.engine)
    assert (stored.file_timeout_seconds, stored.file_memory_mb) == (30, 1024)
