"""Demo mode's rules on a real SQLite library and real files: configuration from the
environment, caps checked before anything is stored, and expiry that removes a visitor's jobs,
files, thumbnails and uploads but keeps what another visitor also brought."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from photoimport.db.models import File, Job, JobItem
from photoimport.errors import UploadRejected
from photoimport.jobs.visitors import (
    expire_visitors,
    latest_job,
    set_owner,
    visitor_job_ids,
    visitor_photo_paths,
)
from photoimport.library.queries import FileFilter, count_files
from photoimport.settings import load_settings
from photoimport.sources.visitors import DemoConfig, check_visitor_caps, demo_config, usage
from tests.fixtures.app import AppEnv
from tests.test_gallery_library import add_file, add_job


def test_demo_config_from_the_environment() -> None:
    assert not demo_config({}).enabled
    cfg = demo_config(
        {
            "PHOTOIMPORT_DEMO": "1",
            "PHOTOIMPORT_DEMO_TTL_MINUTES": "5",
            "PHOTOIMPORT_DEMO_MAX_FILES": "7",
            "PHOTOIMPORT_DEMO_MAX_MB": "1.5",
            "PHOTOIMPORT_DEMO_TOTAL_JOBS": "x",  # not a number: the default
        }
    )
    assert cfg.enabled
    assert cfg.ttl == timedelta(minutes=5)
    assert (cfg.visitor_files, cfg.visitor_bytes) == (7, 1_500_000)
    assert cfg.total_jobs == DemoConfig().total_jobs


def _upload(env: AppEnv, owner: str, names: list[str], size: int = 1000) -> int:
    """A finished upload job of ``owner`` with its files on disk under uploads/<job>/."""
    job = add_job(env.engine, owner=owner)
    folder = load_settings().uploads_dir / str(job)
    folder.mkdir(parents=True)
    for name in names:
        path = folder / name
        path.write_bytes(name.encode().ljust(size, b"."))
        thumb = env.home / "thumbs" / f"{name}.jpg"
        thumb.parent.mkdir(parents=True, exist_ok=True)
        thumb.write_bytes(b"jpeg")
        add_file(env.engine, job, name, None, path=str(path), thumbnail=f"thumbs/{name}.jpg")
    return job


def test_caps_per_visitor_and_in_total(app_env: AppEnv) -> None:
    e = app_env.engine
    cfg = DemoConfig(
        enabled=True, visitor_files=3, visitor_bytes=5000, visitor_jobs=2, total_files=5
    )
    _upload(app_env, "alice", ["a1.jpg", "a2.jpg"])
    assert usage(e, "alice").files == 2
    assert usage(e, "alice").bytes == 2000
    check_visitor_caps(e, cfg, "alice", 1, 1000)  # within every cap
    with pytest.raises(UploadRejected, match="a visitor may import 3 files"):
        check_visitor_caps(e, cfg, "alice", 2, 10)
    with pytest.raises(UploadRejected, match="a visitor may import 0 MB in all"):
        check_visitor_caps(e, cfg, "alice", 1, 4000)
    _upload(app_env, "alice", ["a3.jpg"])
    with pytest.raises(UploadRejected, match="imports"):
        check_visitor_caps(e, cfg, "alice", 0, 0)  # 2 jobs already
    _upload(app_env, "bob", ["b1.jpg", "b2.jpg"])
    with pytest.raises(UploadRejected, match="this demo holds as many files"):
        check_visitor_caps(e, cfg, "carol", 1, 10)
    assert [Path(p).name for p in visitor_photo_paths(e, "alice")] == ["a1.jpg", "a2.jpg", "a3.jpg"]
    assert visitor_job_ids(e, "carol") == []
    assert latest_job(e, "carol") is None


def test_expiry_removes_a_visitors_photos_and_keeps_shared_ones(app_env: AppEnv) -> None:
    e = app_env.engine
    settings = load_settings()
    old = _upload(app_env, "alice", ["a1.jpg", "shared.jpg"])
    new = _upload(app_env, "bob", ["b1.jpg"])
    with Session(e) as s:  # bob also brought shared.jpg (same content: one File, two items)
        shared = s.exec(select(File).where(File.name == "shared.jpg")).one()
        s.add(
            JobItem(
                job_id=new,
                path=str(settings.uploads_dir / str(new) / "shared.jpg"),
                file_id=shared.id,
            )
        )
        (settings.uploads_dir / str(new) / "shared.jpg").write_bytes(b"same")
        job = s.get(Job, old)
        assert job is not None
        job.created_at = datetime.now(UTC) - timedelta(hours=2)
        s.add(job)
        s.commit()
    report = expire_visitors(e, settings, timedelta(hours=1))
    assert (report.jobs, report.files, report.thumbnails) == (1, 1, 1)
    assert not (settings.uploads_dir / str(old)).exists()
    assert not (app_env.home / "thumbs" / "a1.jpg.jpg").exists()
    assert (app_env.home / "thumbs" / "shared.jpg.jpg").exists()
    assert count_files(e, FileFilter(owner="alice")) == 0
    assert count_files(e, FileFilter(owner="bob")) == 2
    with Session(e) as s:
        kept = s.exec(select(File).where(File.name == "shared.jpg")).one()
        assert kept.path.startswith(str(settings.uploads_dir / str(new)))
        assert s.get(Job, old) is None
    assert expire_visitors(e, settings, timedelta(hours=1)).jobs == 0  # nothing more is due


def test_a_running_job_is_cancelled_before_it_expires(app_env: AppEnv) -> None:
    e = app_env.engine
    job = add_job(e, owner="alice")
    with Session(e) as s:
        row = s.get(Job, job)
        assert row is not None
        row.status = "RUNNING"
        row.created_at = datetime.now(UTC) - timedelta(hours=2)
        s.add(row)
        s.commit()
    report = expire_visitors(e, load_settings(), timedelta(hours=1))
    assert report.cancelled == 1
    assert report.jobs == 0
    with Session(e) as s:
        assert str(s.get(Job, job).control) == "cancel"  # type: ignore[union-attr]
    set_owner(e, job, "bob")
    assert visitor_job_ids(e, "bob") == [job]
    _ = Path


def test_worker_serve_expires_visitors_in_demo_mode(app_env: AppEnv) -> None:
    e = app_env.engine
    old = _upload(app_env, "alice", ["a1.jpg"])
    with e.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE job SET created_at = '2000-01-01 00:00:00' WHERE id = ?", (old,)
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOIMPORT_")}
    env.update(PHOTOIMPORT_HOME=str(app_env.home), PHOTOIMPORT_DEMO="1")
    proc = subprocess.Popen([sys.executable, "-m", "worker", "serve", "--poll", "0.2"], env=env)
    try:
        deadline = time.monotonic() + 60
        while visitor_job_ids(e, "alice"):
            assert proc.poll() is None
            assert time.monotonic() < deadline, "the worker did not expire the old job"
            time.sleep(0.3)
        assert not (load_settings().uploads_dir / str(old)).exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
