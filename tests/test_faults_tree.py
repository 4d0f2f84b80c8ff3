"""Trees that used to stop an import: the library inside the imported folder, a folder 1,100
levels deep, symlink loops, and links out of the allowed roots. Real worker processes on a real
SQLite library (whose home is inside the imported folder here), and the walker itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport import jobs
from photoimport.db.models import FILE, ITEM, JobKind, JobStatus
from photoimport.errors import FolderInLibrary, FolderNotFound, PathOutsideAllowedRoots
from photoimport.settings import Settings
from photoimport.sources.folders import iter_image_files, library_paths, validate_folder
from tests.fixtures.corpus import CORPUS
from tests.fixtures.db import TEST_IMPORTS, WaitUntil, worker_logs
from tests.worker_support import check_job_consistent

DEPTH = 1_100
PHOTO = CORPUS / "pillow" / "hopper.jpg"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The library lives inside the folder the tests import."""
    path = tmp_path / "photos" / "library"
    path.mkdir(parents=True)
    return path


def remove_tree(top: Path) -> None:
    """Remove ``top`` without recursion (``shutil.rmtree`` and pytest's clean-up of old
    temporary folders recurse once per level and fail on 1,100 levels)."""
    folders: list[str] = []
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    Path(entry.path).unlink()
    for folder in reversed(folders):
        Path(folder).rmdir()


@pytest.fixture
def deep_folder(home: Path) -> Iterator[Path]:
    top = home.parent / "deep"
    yield top
    if top.exists():
        remove_tree(top)


def deep_tree(top: Path, depth: int) -> Path:
    """``top/d/d/.../d`` (``depth`` levels), made one level at a time (no recursion)."""
    top.mkdir()
    folder = top
    for _ in range(depth):
        folder = folder / "d"
        folder.mkdir()
    return folder


def job_paths(engine: Engine, job_id: int) -> set[str]:
    with engine.connect() as conn:
        query = sa.select(ITEM.c.path).where(ITEM.c.job_id == job_id)
        return set(conn.execute(query).scalars())


def run_job(engine: Engine, settings: Settings, folder: Path, wait_until: WaitUntil) -> int:
    job_id = jobs.create_job(engine, JobKind.DIRECTORY, str(folder), TEST_IMPORTS)
    jobs.launch_worker(settings, job_id)
    wait_until(
        lambda: jobs.job_progress(engine, job_id).status is JobStatus.COMPLETED,
        timeout=120,
        what=f"job {job_id} to complete",
    )
    return job_id


def test_library_inside_a_deep_looping_folder_imports_each_photo_once_and_never_itself(
    sqlite_engine: Engine,
    sqlite_settings: Settings,
    home: Path,
    wait_until: WaitUntil,
    deep_folder: Path,
) -> None:
    folder = home.parent
    shutil.copy(PHOTO, folder / "top.jpg")
    bottom = deep_tree(deep_folder, DEPTH)
    (bottom / "bottom.png").write_bytes((CORPUS / "pillow" / "hopper.png").read_bytes())
    (bottom / "loop").symlink_to(folder / "deep", target_is_directory=True)  # back up the tree
    (folder / "self").symlink_to(folder, target_is_directory=True)
    expected = {str(folder / "top.jpg"), str(bottom / "bottom.png")}

    first = run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    assert job_paths(sqlite_engine, first) == expected
    assert (home / "thumbs").is_dir()  # the library now has thumbnails inside the folder
    second = run_job(sqlite_engine, sqlite_settings, folder, wait_until)
    assert job_paths(sqlite_engine, second) == expected  # its thumbnails are not photos
    for job_id in (first, second):
        check_job_consistent(sqlite_engine, home, job_id)
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(FILE)).scalar_one() == 2
    logs = worker_logs(home)
    assert f"skipped {home}: it is the photo library's own folder" in logs

    with pytest.raises(FolderInLibrary, match="inside the photo library's own folder"):
        validate_folder(home / "thumbs", sqlite_settings)
    assert validate_folder(folder, sqlite_settings) == folder.resolve()


def test_walker_fences_the_library_database_kept_elsewhere(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(PHOTO, folder / "a.jpg")
    for name in ("lib.db", "lib.db-wal", "lib.db-shm"):
        shutil.copy(PHOTO, folder / name)  # named so that they would be sniffed and taken
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{folder / 'lib.db'}")
    skipped: list[Path] = []
    found = list(iter_image_files(folder, (), library_paths(settings), skipped.append))
    assert found == [folder / "a.jpg"]


def test_links_out_of_the_allowed_roots_are_never_followed_and_read_as_missing(
    tmp_path: Path,
) -> None:
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    shutil.copy(PHOTO, inside / "in.jpg")
    shutil.copy(PHOTO, outside / "secret.jpg")
    (inside / "link-dir").symlink_to(outside, target_is_directory=True)
    (inside / "link-file.jpg").symlink_to(outside / "secret.jpg")
    found = list(iter_image_files(inside, (inside,)))
    assert found == [inside / "in.jpg"]
    assert len(list(iter_image_files(inside))) == 3  # without roots, links are followed

    settings = Settings(home=tmp_path / "home", database_url="sqlite://", allowed_roots=(inside,))
    with pytest.raises(PathOutsideAllowedRoots) as outside_error:
        validate_folder(outside, settings)
    with pytest.raises(FolderNotFound) as missing_error:
        validate_folder(inside / "nowhere", settings)
    shown_outside = str(outside_error.value).replace(str(outside), "X")
    assert shown_outside == str(missing_error.value).replace(str(inside / "nowhere"), "X")
    with pytest.raises(PathOutsideAllowedRoots):
        validate_folder(inside / "link-dir", settings)
