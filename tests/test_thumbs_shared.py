"""Issue 16: thumbnails reachable when workers run on other hosts. Two library homes on one
machine stand for two hosts: a worker with home B writes thumbnails into the shared folder
``PHOTOIMPORT_THUMBS_DIR``; the dashboard with home A shows them. A real worker process, a
real SQLite database both homes use, the gallery page through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from photoimport import jobs
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, JobKind, JobStatus
from photoimport.settings import load_settings
from tests.fixtures.app import open_app
from tests.fixtures.db import TEST_IMPORTS, WaitUntil
from tests.fixtures.images import draw_scene, save_jpeg


def test_a_worker_on_another_home_writes_thumbnails_the_dashboard_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wait_until: WaitUntil
) -> None:
    shared = tmp_path / "shared"  # a network share, mounted on every host
    env = {
        "PHOTOIMPORT_DATABASE_URL": f"sqlite:///{shared / 'library.db'}",
        "PHOTOIMPORT_THUMBS_DIR": str(shared / "thumbs"),
    }
    folder = tmp_path / "photos"
    for i in range(3):
        save_jpeg(folder / f"IMG_{i}.jpg", draw_scene(seed=i))
    worker_host = load_settings({**env, "PHOTOIMPORT_HOME": str(tmp_path / "host-b")})
    dashboard_host = load_settings({**env, "PHOTOIMPORT_HOME": str(tmp_path / "host-a")})
    assert worker_host.thumbs_dir == dashboard_host.thumbs_dir == shared / "thumbs"

    engine = make_engine(worker_host.database_url)
    job_id = jobs.create_job(engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(worker_host, job_id)  # passes the shared folder on to the worker
    wait_until(
        lambda: jobs.job_progress(engine, job_id).status is JobStatus.COMPLETED,
        timeout=120,
        what="the import on host B",
    )
    with engine.connect() as conn:
        stored = [str(t) for t in conn.execute(sa.select(FILE.c.thumbnail)).scalars()]
    engine.dispose()
    assert len(stored) == 3
    assert all(t.startswith("thumbs/") for t in stored)  # a key, not a path of host B
    assert all(dashboard_host.thumbnail_file(t).is_file() for t in stored)
    assert not (tmp_path / "host-b" / "thumbs").exists()
    assert not (tmp_path / "host-a" / "thumbs").exists()

    for name, value in {**env, "PHOTOIMPORT_HOME": str(dashboard_host.home)}.items():
        monkeypatch.setenv(name, value)
    gallery = open_app().switch_page("pages/gallery.py").run()
    assert not gallery.exception
    grid = gallery.dataframe[0].value
    assert len(grid) == 3
    assert grid["thumb"].str.startswith("data:image/jpeg;base64,").all()  # found from host A
