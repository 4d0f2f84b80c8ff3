"""Demo mode (PHOTOIMPORT_DEMO=1) through AppTest: only the demo pages are served, the Import
page offers uploads and the demo photos only, a visitor's import is theirs, and caps refuse an
upload before anything is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import Session, select

from photoimport.db.models import Job
from photoimport.jobs.visitors import visitor_photo_paths
from tests.fixtures.app import AppEnv, open_app, wait_for_job
from tests.fixtures.corpus import CORPUS
from widgets.demo import zip_download

PHOTO = CORPUS / "exifr" / "door-knocker.jpg"


@pytest.fixture
def demo(app_env: AppEnv, monkeypatch: pytest.MonkeyPatch) -> AppEnv:
    monkeypatch.setenv("PHOTOIMPORT_DEMO", "1")
    monkeypatch.setenv("PHOTOIMPORT_DEMO_MAX_FILES", "2")
    return app_env


def _jobs(env: AppEnv) -> list[Job]:
    with Session(env.engine) as session:
        return list(session.exec(select(Job)).all())


def test_demo_serves_uploads_and_demo_photos_only(demo: AppEnv) -> None:
    at = open_app()
    assert not at.exception
    assert at.title[0].value.endswith("photoimport demo")
    assert at.info[0].value.startswith("**Demo.**")
    imp = at.switch_page("pages/import_photos.py").run()
    assert not imp.exception
    labels = [t.label for t in imp.tabs]
    assert labels == [
        ":material/upload: Upload from this computer",
        ":material/auto_awesome: Try the demo photos",
    ]  # no folder on the server
    assert not any(t.key == "folder_path" for t in imp.text_input)


def test_a_visitors_upload_is_theirs_and_caps_refuse_before_storing(demo: AppEnv) -> None:
    at = open_app().switch_page("pages/import_photos.py").run()
    data = PHOTO.read_bytes()
    at.file_uploader(key="uploader_0").set_value(
        [(f"p{i}.jpg", data, "image/jpeg") for i in range(3)]
    ).run()
    at.button(key="start_upload").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("a visitor may import 2 files in all; you have 0")
    assert not (demo.home / "uploads").exists() or not any((demo.home / "uploads").iterdir())
    assert _jobs(demo) == []

    at = open_app().switch_page("pages/import_photos.py").run()
    at.file_uploader(key="uploader_0").set_value([("one.jpg", data, "image/jpeg")]).run()
    at.button(key="start_upload").click().run()
    assert not at.exception
    (job,) = _jobs(demo)
    assert job.owner == at.session_state["demo_visitor"]
    assert job.id is not None
    wait_for_job(demo.home, demo.engine, job.id)
    gallery = at.switch_page("pages/gallery.py").run()
    assert any(c.value.startswith("Photos 1–1 of 1") for c in gallery.caption)
    stranger = open_app().switch_page("pages/gallery.py").run()  # another session
    assert any(i.value.startswith("No photos match") for i in stranger.info)


def test_the_zip_holds_the_visitors_own_photos(demo: AppEnv) -> None:
    """The demo's ZIP is the export's ZIP writer over the visitor's own photos."""
    at = open_app().switch_page("pages/import_photos.py").run()
    at.file_uploader(key="uploader_0").set_value(
        [("one.jpg", PHOTO.read_bytes(), "image/jpeg")]
    ).run()
    at.button(key="start_upload").click().run()
    (job,) = _jobs(demo)
    assert job.id is not None
    wait_for_job(demo.home, demo.engine, job.id)
    home = at.switch_page("pages/demo_home.py").run()
    assert not home.exception

    paths = visitor_photo_paths(demo.engine, str(job.owner))
    make = zip_download(demo.home, paths)
    assert make is not None
    with zipfile.ZipFile(io.BytesIO(make())) as zf:
        assert zf.namelist() == [f"uploads/{job.id}/one.jpg"]
        assert zf.read(f"uploads/{job.id}/one.jpg") == PHOTO.read_bytes()
