"""The ZIP of an export, downloaded from the real server (``streamlit run app.py``) while the
server makes it: a valid archive of the copies, sidecars and manifest; a wrong token is a 404."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from photoimport import jobs
from photoimport.db.engine import engine_for
from photoimport.db.models import JobStatus
from photoimport.export.create import create_export_job
from photoimport.export.request import ExportRequest
from photoimport.export.status import zip_url
from photoimport.settings import ImportSettings, load_settings
from tests.export_support import add_photos
from tests.fixtures.server import streamlit_server

ROOT = Path(__file__).resolve().parent.parent


def test_zip_is_streamed_from_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("PHOTOIMPORT_HOME", str(home))
    monkeypatch.delenv("PHOTOIMPORT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PHOTOIMPORT_ALLOWED_ROOTS", raising=False)
    settings = load_settings()
    engine = engine_for(settings)
    add_photos(engine, tmp_path / "photos", 5)
    dest = home / "exports" / "mine"  # the home's exports/ folder: allowed for downloads
    job = create_export_job(engine, settings, ExportRequest(str(dest)), ImportSettings(workers=1))
    jobs.launch_worker(settings, job)
    deadline = time.monotonic() + 60
    while jobs.job_progress(engine, job).status is not JobStatus.COMPLETED:
        assert time.monotonic() < deadline, "the export did not complete"
        time.sleep(0.2)

    with streamlit_server(tmp_path, script="app.py") as srv:  # the same home as above
        base = srv.url
        with urllib.request.urlopen(base + zip_url(engine, job), timeout=30) as response:
            assert response.headers["Content-Type"] == "application/zip"
            assert "chunked" in response.headers.get("Transfer-Encoding", "")
            data = response.read()
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        assert "manifest.csv" in names
        assert len([n for n in names if n.endswith(".jpg")]) == 4  # one discarded: left out
        for name in names:
            assert archive.read(name) == (dest / name).read_bytes()
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{base}/export/{job}/not-the-token.zip", timeout=10)
        assert info.value.code == 404
        with urllib.request.urlopen(f"{base}/", timeout=10) as page:
            assert page.status == 200  # the dashboard itself is still served
