"""Saving browser uploads: sanitised, collision-free names that cannot escape, and caps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from photoimport.errors import UploadRejected
from photoimport.settings import ImportSettings
from photoimport.sources.uploads import (
    UploadCaps,
    new_batch_dir,
    sanitise_name,
    save_upload_batch,
    save_uploads,
    upload_import_settings,
)
from tests.fixtures.corpus import CORPUS


@dataclass(frozen=True)
class Upload:
    """An upload as the browser sends it: a name (maybe with folders) and bytes."""

    name: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def getvalue(self) -> bytes:
        return self.data


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("IMG_0001.JPG", "IMG_0001.JPG"),
        ("DCIM/100APPLE/IMG_0001.HEIC", "IMG_0001.HEIC"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\evil.jpg", "evil.jpg"),
        ("..", "upload"),
        (".hidden.jpg", "hidden.jpg"),
        ("фото отпуск.jpeg", "фото отпуск.jpeg"),
        ("写真.HEIC", "写真.HEIC"),
        ("a\x00b:c*?.jpg", "a_b_c__.jpg"),
        ("photo.j p*g", "photo.jpg"),
        ("noext", "noext"),
        (".jpg", "jpg"),
    ],
)
def test_sanitise_name(given: str, expected: str) -> None:
    assert sanitise_name(given) == expected


def test_long_names_are_cut_but_keep_their_extension() -> None:
    name = sanitise_name("é" * 300 + ".jpeg")
    assert name.endswith(".jpeg")
    assert len(name.encode("utf-8")) <= 200


def test_same_names_from_two_folders_both_survive(tmp_path: Path) -> None:
    a = (CORPUS / "exifr" / "door-knocker.jpg").read_bytes()
    b = (CORPUS / "pillow" / "hopper.jpg").read_bytes()
    saved = save_uploads(
        [Upload("trip/IMG_0001.JPG", a), Upload("home/IMG_0001.JPG", b), Upload("IMG_0001.JPG", a)],
        tmp_path / "batch",
    )
    assert [s.path.name for s in saved] == ["IMG_0001.JPG", "IMG_0001-2.JPG", "IMG_0001-3.JPG"]
    assert saved[0].path.read_bytes() == a
    assert saved[1].path.read_bytes() == b
    assert [s.original_name for s in saved][:2] == ["trip/IMG_0001.JPG", "home/IMG_0001.JPG"]
    assert all(s.path.parent == (tmp_path / "batch").resolve() for s in saved)


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.jpg").write_bytes(b"old")
    saved = save_uploads([Upload("a.jpg", b"new")], batch)
    assert (batch / "a.jpg").read_bytes() == b"old"
    assert saved[0].path.name == "a-2.jpg"
    assert saved[0].path.read_bytes() == b"new"


def test_dot_dot_cannot_escape_the_batch(tmp_path: Path) -> None:
    batch = tmp_path / "uploads" / "b1"
    saved = save_uploads([Upload("../../../x.jpg", b"x"), Upload("../b2/y.jpg", b"y")], batch)
    assert sorted(p.name for p in batch.iterdir()) == ["x.jpg", "y.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    assert [s.size for s in saved] == [1, 1]


def test_caps_refuse_the_batch_before_writing(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    caps = UploadCaps(max_files=2, max_total_bytes=10)
    with pytest.raises(UploadRejected, match=r"^3 files is more than the 2 an upload may hold"):
        save_upload_batch([Upload(f"{i}.jpg", b"1") for i in range(3)], uploads, caps)
    with pytest.raises(UploadRejected, match=r"MB is more than the 0 MB an upload may hold"):
        save_upload_batch([Upload("big.jpg", b"x" * 11)], uploads, caps)
    with pytest.raises(UploadRejected, match=r"^no files were uploaded"):
        save_upload_batch([], uploads, caps)
    assert not uploads.exists()


def test_a_batch_gets_its_own_folder(tmp_path: Path) -> None:
    when = datetime(2024, 7, 14, 15, 30, 12, tzinfo=UTC)
    one = new_batch_dir(tmp_path, when)
    two = new_batch_dir(tmp_path, when)
    assert one != two
    assert one.name.startswith(".incoming-20240714-153012-")
    batch = save_upload_batch([Upload("a.jpg", b"a")], tmp_path)
    assert batch.paths == [batch.folder / "a.jpg"]


def test_upload_jobs_do_not_use_mtime() -> None:
    base = ImportSettings(timezone="Europe/Madrid", use_mtime=True)
    assert upload_import_settings(base) == base.with_changes(use_mtime=False)


def test_jobs_are_named_for_people() -> None:
    from photoimport.db.models import JobKind
    from photoimport.jobs.display import job_title

    assert job_title(4, JobKind.UPLOAD, "/data/uploads/4", 5) == "Job 4 · 5 uploaded photos"
    assert job_title(5, JobKind.UPLOAD, "/data/uploads/5", 1) == "Job 5 · 1 uploaded photo"
    assert job_title(3, JobKind.DIRECTORY, "/home/me/Pictures/2024", 10) == (
        "Job 3 · folder Pictures/2024"
    )
    assert job_title(6, JobKind.WATCH, "/srv/inbox", 2) == "Job 6 · watched folder srv/inbox"
    assert job_title(7, JobKind.DEMO, "/data/demo", 6) == "Job 7 · demo photos"
