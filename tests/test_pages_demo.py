"""Demo mode (PHOTOIMPORT_DEMO=1) through AppTest: only the demo pages are served, the Import
page offers uploads and the demo photos only, a visitor's import is theirs, and caps refuse an
upload before anything is written."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from photoimport.db.models import Job
from photoimport.errors import JobError
from photoimport.export.status import export_archive
from photoimport.jobs.visitors import (
    expire_visitors,
    latest_export,
    latest_job,
    start_visitor_export,
    visitor_job_ids,
    visitor_photo_paths,
)
from photoimport.settings import load_settings
from photoimport.sources.visitors import usage
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


def _upload(env: AppEnv, name: str, data: bytes) -> tuple[AppTest, Job]:
    at = open_app().switch_page("pages/import_photos.py").run()
    at.file_uploader(key="uploader_0").set_value([(name, data, "image/jpeg")]).run()
    at.button(key="start_upload").click().run()
    assert not at.exception
    owner = at.session_state["demo_visitor"]
    with Session(env.engine) as session:
        job = session.exec(select(Job).where(Job.owner == owner)).one()
    return at, job


def test_a_visitor_gets_their_photos_back_organised_and_it_expires(demo: AppEnv) -> None:
    """Issue 14 in demo mode: the visitor's own photos, exported by the worker under the
    default template with sidecars and a manifest, as a ZIP; gone when the visitor expires."""
    other_photo = CORPUS / "exifr" / "IMG_20180725_163423-tiny.jpg"
    _, theirs = _upload(demo, "stranger.jpg", other_photo.read_bytes())
    at, mine = _upload(demo, "one.jpg", PHOTO.read_bytes())
    for job in (theirs, mine):
        assert job.id is not None
        wait_for_job(demo.home, demo.engine, job.id)
    home = at.switch_page("pages/demo_home.py").run()
    assert not home.exception
    assert [b.label for b in home.button if b.key == "demo_export"] == ["Organise my photos"]
    home.button(key="demo_export").click().run()
    assert not home.exception
    owner = str(mine.owner)
    export_id = latest_export(demo.engine, owner)
    assert export_id is not None
    export = wait_for_job(demo.home, demo.engine, export_id)
    assert (export.status, export.owner) == ("COMPLETED", owner)
    assert latest_job(demo.engine, owner) == mine.id  # "your import" is still the import
    assert usage(demo.engine, owner).jobs == 1  # an export is not an import against the caps

    name, chunks = export_archive(demo.engine, export_id)
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zf:
        names = zf.namelist()
        photo = next(n for n in names if n.endswith(".jpg"))
        assert names == [photo, photo + ".xmp", "manifest.csv"]  # only the visitor's photo
        assert re.fullmatch(r"\d{4}/\d{4}-\d{2}-\d{2}/\d{8}_\d{6}\.jpg", photo), photo
        assert "one.jpg" in zf.read(photo + ".xmp").decode()
        assert "stranger" not in zf.read("manifest.csv").decode()
    home = at.switch_page("pages/demo_home.py").run()
    assert not home.exception
    assert [b.label for b in home.button if b.key == "demo_export"] == ["Organise my photos again"]
    assert name == f"photoimport-export-{export_id}.zip"

    first = Path(export.source)
    home.button(key="demo_export").click().run()  # again: the earlier copy makes way
    assert not home.exception
    again = latest_export(demo.engine, owner)
    assert again is not None
    assert not first.exists()
    with pytest.raises(JobError, match="being organised already"):
        start_visitor_export(demo.engine, load_settings(), owner)
    export = wait_for_job(demo.home, demo.engine, again)
    assert visitor_job_ids(demo.engine, owner, exports=True) == [again]
    assert Path(export.source) != first

    folder = Path(export.source)
    assert folder.is_dir()
    assert folder.parent == demo.home / "exports"
    expired = expire_visitors(
        demo.engine, load_settings(), timedelta(0), datetime.now(UTC) + timedelta(1)
    )
    assert expired.jobs == 3
    assert not folder.exists()
    assert (demo.home / "exports").is_dir()  # only the visitor's own folder went
