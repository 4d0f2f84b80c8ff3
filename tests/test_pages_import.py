"""The Import page through AppTest: uploads, a server folder, the demo photos. Uploads and the
demo start a real detached worker; each test waits for its job to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from photoimport.db.models import File, JobItem, JobKind, JobStatus
from photoimport.settings import ImportSettings
from tests.fixtures.app import AppEnv, get_job, open_app, wait_for_job
from tests.fixtures.corpus import CORPUS

UPLOADS = [
    ("trip/IMG_0001.JPG", CORPUS / "exifr" / "door-knocker.jpg"),
    ("home/IMG_0001.JPG", CORPUS / "pillow" / "hopper.jpg"),
    ("../../escape/фото.jpeg", CORPUS / "elodie" / "plain.jpg"),
]


def _import_page(monkeypatch: pytest.MonkeyPatch | None = None) -> object:
    at = open_app()
    return at.switch_page("pages/import_photos.py").run()


def _job_ids(env: AppEnv) -> list[int]:
    with Session(env.engine) as session:
        return [i for i in session.exec(select(JobItem.job_id).distinct()).all()]


def test_upload_saves_files_releases_memory_and_runs_a_job(app_env: AppEnv) -> None:
    at = _import_page()
    assert not at.exception
    assert at.button(key="start_upload").disabled
    at.file_uploader(key="uploader_0").set_value(
        [(name, path.read_bytes(), "image/jpeg") for name, path in UPLOADS]
    ).run()
    assert "3 files selected" in at.caption[-1].value or any(
        "3 files selected" in c.value for c in at.caption
    )
    at.button(key="start_upload").click().run()
    assert not at.exception

    job_id = at.session_state["started_job"]
    batches = list((app_env.home / "uploads").iterdir())
    assert batches == [app_env.home / "uploads" / str(job_id)]  # uploads/<job>/
    saved = sorted(p.name for p in batches[0].iterdir())
    assert saved == ["IMG_0001-2.JPG", "IMG_0001.JPG", "фото.jpeg"]
    assert (batches[0] / "IMG_0001.JPG").read_bytes() == UPLOADS[0][1].read_bytes()
    assert (batches[0] / "IMG_0001-2.JPG").read_bytes() == UPLOADS[1][1].read_bytes()
    assert not (app_env.home / "escape").exists()
    assert at.session_state["upload_bytes_held"] == 0  # released from the server's memory

    job = get_job(app_env.engine, job_id)
    assert job.kind == JobKind.UPLOAD
    assert job.total == 3
    assert job.source == str(app_env.home / "uploads" / str(job_id))
    assert ImportSettings.from_json(job.settings_json).use_mtime is False
    done = wait_for_job(app_env.home, app_env.engine, job_id)
    assert done.status == JobStatus.COMPLETED
    with Session(app_env.engine) as session:
        assert session.exec(select(func.count()).select_from(File)).one() == 3


def test_upload_over_the_cap_is_refused_with_a_message(app_env: AppEnv) -> None:
    at = _import_page()
    data = (CORPUS / "exiftool" / "Pentax.jpg").read_bytes()
    at.file_uploader(key="uploader_0").set_value(
        [(f"p{i}.jpg", data, "image/jpeg") for i in range(201)]
    ).run()
    at.button(key="start_upload").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("201 files is more than the 200 an upload may hold")
    assert not (app_env.home / "uploads").exists() or not any((app_env.home / "uploads").iterdir())
    assert _job_ids(app_env) == []


def test_folder_outside_the_allowed_roots_is_refused(
    app_env: AppEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.jpg").write_bytes((CORPUS / "exiftool" / "Pentax.jpg").read_bytes())
    (allowed / "link").symlink_to(outside)
    monkeypatch.setenv("PHOTOIMPORT_ALLOWED_ROOTS", str(allowed))
    at = _import_page()
    for attempt in (str(outside), f"{allowed}/../outside", str(allowed / "link")):
        at.text_input(key="folder_path").set_value(attempt).run()
        at.button(key="start_folder").click().run()
        assert not at.exception
        assert at.error[0].value.startswith(f"folder not found: {attempt} (imports may only")
    with Session(app_env.engine) as session:
        assert session.exec(select(func.count(col(JobItem.id)))).one() == 0


def test_folder_that_does_not_exist_is_refused(app_env: AppEnv, tmp_path: Path) -> None:
    at = _import_page()
    at.text_input(key="folder_path").set_value(str(tmp_path / "nope")).run()
    at.button(key="start_folder").click().run()
    assert at.error[0].value == f"folder not found: {tmp_path / 'nope'}"


def test_demo_photos_import(app_env: AppEnv) -> None:
    at = _import_page()
    at.button(key="start_demo").click().run()
    assert not at.exception
    job_id = at.session_state["started_job"]
    job = wait_for_job(app_env.home, app_env.engine, job_id)
    assert job.kind == JobKind.DEMO
    assert job.status == JobStatus.COMPLETED
    assert job.total == 6
    assert sorted(p.name for p in (app_env.home / "demo").iterdir()) == sorted(
        p.name
        for p in (Path(__file__).parents[1] / "photoimport" / "sources" / "demo_photos").iterdir()
        if p.suffix != ".md"
    )
