"""Several worker processes on one job, on SQLite and on a real PostgreSQL: every item is done
exactly once, one File row per content, counters equal row counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from photoimport import jobs
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, JobKind, JobStatus
from tests.fixtures.db import TEST_IMPORTS, WaitUntil, make_settings
from tests.worker_support import check_job_consistent, copy_corpus, snapshot

FILES = 30


@pytest.mark.parametrize(
    ("backend", "workers"),
    [
        ("sqlite", 2),
        ("sqlite", 4),
        pytest.param("postgres", 2, marks=pytest.mark.postgres),
        pytest.param("postgres", 4, marks=pytest.mark.postgres),
    ],
)
def test_workers_share_one_job_and_do_every_item_once(
    backend: str,
    workers: int,
    home: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    wait_until: WaitUntil,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = str(request.getfixturevalue("postgres_url")) if backend == "postgres" else None
    settings = make_settings(home, url)
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(home))
    monkeypatch.setenv("PHOTOIMPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PHOTOIMPORT_TEST_ITEM_DELAY", "0.1")
    engine = make_engine(settings.database_url)
    folder = tmp_path / "photos"
    photos = copy_corpus(folder, broken=False, limit=FILES - 2)
    copy_corpus(folder / "bad", broken=True, limit=1)
    (folder / "again.jpg").write_bytes(photos[3].read_bytes())
    before = snapshot(folder)
    job_id = jobs.create_job(
        engine, JobKind.UPLOAD, "multi", TEST_IMPORTS, sorted(folder.rglob("*.*"))
    )
    for _ in range(workers):
        jobs.launch_worker(settings, job_id)
    wait_until(
        lambda: jobs.job_progress(engine, job_id).status is JobStatus.COMPLETED,
        timeout=120,
        what="completion",
    )
    counts = check_job_consistent(engine, home, job_id)
    assert sum(counts.values()) == FILES
    assert counts["error"] == 1
    assert counts["skipped"] >= 1
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(FILE)).scalar_one()
            == counts["done"]
        )
    log = (settings.logs_dir / f"worker-{job_id}.log").read_text()
    assert log.count(f"job {job_id}: took") == 1
    assert log.count(f"job {job_id}: joined") >= 1  # the others helped
    assert snapshot(folder) == before
    engine.dispose()
