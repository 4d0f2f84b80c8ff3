"""Issue 16: a re-import links unchanged files without reading them; a changed file is read
again; ``verify_unchanged`` (CLI ``import --verify``) re-hashes everything; the library
totals (counters kept by triggers in each batch commit) equal a recount of the rows.

Real worker processes on a real SQLite library (and one PostgreSQL run of the counters)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.cli import main as cli_main
from photoimport.db import counters
from photoimport.db.engine import make_engine
from photoimport.db.models import ITEM, JobKind, JobStatus
from photoimport.db.seen import RACY_NS, SEEN
from photoimport.library.queries import library_totals
from photoimport.settings import Settings
from tests.fixtures.db import TEST_IMPORTS, WaitUntil, make_settings
from tests.fixtures.images import draw_scene, save_jpeg


def make_folder(folder: Path, n: int) -> list[Path]:
    paths = [
        save_jpeg(folder / f"sub{i % 2}" / f"IMG_{i:04d}.jpg", draw_scene(seed=i)) for i in range(n)
    ]
    paths.append(save_jpeg(folder / "copy" / "IMG_0000.jpg", draw_scene(seed=0)))  # same bytes
    (folder / "broken.jpg").write_bytes(b"text, not a photo\n")  # refused: not an image
    time.sleep(RACY_NS / 1e9 + 0.2)  # older than the racy window: their stat can be trusted
    return paths


def run_job(
    engine: Engine, settings: Settings, folder: Path, wait: WaitUntil, **changes: object
) -> int:
    job_id = jobs.create_job(
        engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS.with_changes(**changes)
    )
    jobs.launch_worker(settings, job_id)
    wait(
        lambda: (
            jobs.job_progress(engine, job_id).status not in (JobStatus.PENDING, JobStatus.RUNNING)
        ),
        timeout=120,
        what=f"job {job_id} to end",
    )
    assert jobs.job_progress(engine, job_id).status is JobStatus.COMPLETED
    return job_id


def states(engine: Engine, job_id: int) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(
            conn.execute(sa.select(ITEM.c.path, ITEM.c.state).where(ITEM.c.job_id == job_id)).all()
        )


def attempts(engine: Engine, job_id: int) -> dict[str, int]:
    """The most claims any item in each state had."""
    query = (
        sa.select(ITEM.c.state, sa.func.max(ITEM.c.attempts))
        .where(ITEM.c.job_id == job_id)
        .group_by(ITEM.c.state)
    )
    with engine.connect() as conn:
        return {str(s): int(n) for s, n in conn.execute(query)}


def recounted(engine: Engine) -> dict[str, int]:
    """The counters as a rebuild from the rows gives them (in a transaction rolled back)."""
    with engine.connect() as conn, conn.begin() as tx:
        counters.rebuild(conn)
        fresh = counters.read(conn)
        tx.rollback()
    return fresh


def test_a_reimport_links_unchanged_files_unread_and_reads_changed_ones(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "pile"
    paths = make_folder(folder, 6)
    first = run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    s1 = jobs.job_summary(sqlite_engine, first)
    assert (s1.processed, s1.already_known, s1.errors, s1.unchanged) == (6, 1, 1, 0)
    totals = library_totals(sqlite_engine)
    assert (totals.files, totals.paths, totals.errors, totals.exact_duplicate_groups) == (
        6,
        7,
        1,
        1,
    )
    with sqlite_engine.connect() as conn:
        assert counters.read(conn) == recounted(sqlite_engine)

    # nothing changed: every good file is linked without being read; the proof is that its
    # item was never claimed (attempts 0): only claimed items reach the pool that reads files
    second = run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    assert attempts(sqlite_engine, second) == {"skipped": 0, "error": 1}
    s2 = jobs.job_summary(sqlite_engine, second)
    assert (s2.processed, s2.already_known, s2.errors, s2.unchanged) == (0, 7, 1, 7)
    assert s2.exact_duplicate_groups == 1
    assert sum(s2.by_confidence.values()) == 6

    # one file rewritten with other content, one only touched: both read again
    save_jpeg(paths[2], draw_scene(seed=99))
    os.utime(paths[3], ns=(time.time_ns(), time.time_ns()))
    time.sleep(RACY_NS / 1e9 + 0.2)
    third = run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    s3 = jobs.job_summary(sqlite_engine, third)
    assert (s3.processed, s3.unchanged, s3.already_known) == (1, 5, 6)
    st = states(sqlite_engine, third)
    assert st[str(paths[2])] == "done"
    assert st[str(paths[3])] == "skipped"
    totals = library_totals(sqlite_engine)
    assert (totals.files, totals.paths) == (7, 7)  # the old content of paths[2] has no path now
    with sqlite_engine.connect() as conn:
        assert counters.read(conn) == recounted(sqlite_engine)

    # verify: every file read and hashed again, none linked unread
    fourth = run_job(sqlite_engine, sqlite_settings, folder, wait_until, verify_unchanged=True)
    s4 = jobs.job_summary(sqlite_engine, fourth)
    assert (s4.processed, s4.unchanged, s4.already_known, s4.errors) == (0, 0, 7, 1)


def test_a_file_changed_within_the_racy_window_is_never_skipped_unread(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "fresh"
    photo = save_jpeg(folder / "new.jpg", draw_scene(seed=3))
    ahead = time.time_ns() + 3600 * 10**9  # dated in the future: newer than any listing
    os.utime(photo, ns=(ahead, ahead))
    run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    with sqlite_engine.connect() as conn:
        row = conn.execute(sa.select(SEEN.c.file_id, SEEN.c.size)).one()
    assert row.file_id is not None
    assert row.size is None


def test_cli_import_verify(sqlite_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "cli"
    make_folder(folder, 2)
    runner = CliRunner()
    first = runner.invoke(cli_main, ["import", str(folder), "--wait"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(cli_main, ["import", str(folder), "--wait"])
    assert again.exit_code == 0, again.output
    assert "3 unchanged" in again.output
    verify = runner.invoke(cli_main, ["import", str(folder), "--wait", "--verify"])
    assert verify.exit_code == 0, verify.output
    assert "unchanged" not in verify.output or "0 unchanged" in verify.output


@pytest.mark.postgres
def test_postgresql_two_workers_keep_the_counters_and_skip_unchanged(
    postgres_url: str,
    home: Path,
    tmp_path: Path,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings(home, postgres_url)
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(home))
    monkeypatch.setenv("PHOTOIMPORT_DATABASE_URL", postgres_url)
    engine = make_engine(postgres_url)
    folder = tmp_path / "pg"
    make_folder(folder, 8)
    first = run_job(engine, settings, folder, wait_until, workers=2)
    assert jobs.job_summary(engine, first).processed == 8
    second = run_job(engine, settings, folder, wait_until)
    assert jobs.job_summary(engine, second).unchanged == 9
    totals = library_totals(engine)
    assert (totals.files, totals.paths, totals.errors, totals.exact_duplicate_groups) == (
        8,
        9,
        1,
        1,
    )
    with engine.connect() as conn:
        assert counters.read(conn) == recounted(engine)
    engine.dispose()
