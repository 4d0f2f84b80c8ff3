"""The watcher end to end: a real ``watch --folder`` process, real workers, real SQLite."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from photoimport.models import File, WatcherState, WatchState
from photoimport.watch_cli import watch_group
from tests.watch_support import Library, cli, jpeg_bytes, open_library, stop, watcher, write_jpeg


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return open_library(tmp_path / "home")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _assert_each_once(lib: Library, paths: list[Path]) -> None:
    items = lib.items_by_path()
    for p in paths:
        assert len(items.get(str(p), [])) == 1, f"{p} has {len(items.get(str(p), []))} items"
        assert items[str(p)][0].file_id is not None, f"{p} not linked to a File"


@pytest.mark.slow
def test_chunked_write_imported_only_after_close_and_once(lib: Library, inbox: Path) -> None:
    data = jpeg_bytes(7, size=(640, 480))
    target = inbox / "slow.jpg"
    chunks = [data[i : i + len(data) // 4 + 1] for i in range(0, len(data), len(data) // 4 + 1)]
    with watcher(lib, inbox):
        with target.open("wb") as fh:
            for chunk in chunks:  # stalls of 1.6 s: longer than the 1 s quiet period
                fh.write(chunk)
                fh.flush()
                time.sleep(1.6)
                assert str(target) not in lib.items_by_path(), "imported while still open"
        lib.wait_until(lambda: lib.file_count() == 1, "the file to be imported")
        lib.settle_jobs()
        time.sleep(1.5)  # a second chance to import it twice (settle tick, rescan)
    _assert_each_once(lib, [target])
    with Session(lib.engine) as s:
        (row,) = s.exec(select(File)).all()
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.size == len(data)


@pytest.mark.slow
def test_rename_in_cp_tree_and_burst_each_imported_once(
    lib: Library, inbox: Path, tmp_path: Path
) -> None:
    outside = write_jpeg(tmp_path / "outside" / "moved.jpg", 0)
    tree = tmp_path / "card"
    tree_files = [
        write_jpeg(tree / f"d{d}" / f"s{s}" / f"IMG_{d}{s}{k}.jpg", 10 + d * 9 + s * 3 + k)
        for d in range(2)
        for s in range(3)
        for k in range(3)
    ]
    with watcher(lib, inbox):
        shutil.move(outside, inbox / "moved.jpg")  # a rename from outside: created, no close
        subprocess.run(["cp", "-r", str(tree), str(inbox / "card")], check=True)
        burst = [write_jpeg(inbox / "burst" / f"b{i:04d}.jpg", 1000 + i) for i in range(1000)]
        (inbox / "burst" / "skip.jpg.part").write_bytes(jpeg_bytes(5000))
        (inbox / "burst" / ".hidden.jpg").write_bytes(jpeg_bytes(5001))
        expected = [inbox / "moved.jpg"] + [
            inbox / "card" / p.relative_to(tree) for p in tree_files
        ]
        expected += burst
        lib.wait_until(lambda: lib.file_count() >= len(expected), "every file imported", 90)
        lib.settle_jobs()
    assert lib.file_count() == len(expected) == 1 + 18 + 1000
    _assert_each_once(lib, expected)
    assert len(lib.items_by_path()) == len(expected)  # the .part and dot-file were ignored


@pytest.mark.slow
def test_same_photo_under_two_names_gives_one_file_two_paths(lib: Library, inbox: Path) -> None:
    data = jpeg_bytes(42)
    with watcher(lib, inbox):
        (inbox / "first.jpg").write_bytes(data)
        lib.wait_until(lambda: lib.file_count() == 1, "the first copy imported")
        (inbox / "second copy.jpg").write_bytes(data)
        lib.wait_until(
            lambda: str(inbox / "second copy.jpg") in lib.items_by_path(), "the second path"
        )
        lib.settle_jobs()
    assert lib.file_count() == 1
    items = lib.items_by_path()
    with Session(lib.engine) as s:
        (row,) = s.exec(select(File)).all()
    assert {p for p in items} == {str(inbox / "first.jpg"), str(inbox / "second copy.jpg")}
    assert {i.file_id for group in items.values() for i in group} == {row.id}


@pytest.mark.slow
def test_files_added_while_stopped_are_imported_by_the_start_rescan(
    lib: Library, inbox: Path
) -> None:
    with watcher(lib, inbox):
        write_jpeg(inbox / "before.jpg", 1)
        lib.wait_until(lambda: lib.file_count() == 1, "the first file")
        lib.settle_jobs()
    listing = cli(lib, "list")
    assert listing.returncode == 0, listing.stderr
    assert "watcher not running" in listing.stdout
    assert lib.folder_state(inbox) == WatchState.STOPPED
    offline = [write_jpeg(inbox / "while stopped" / f"o{i}.jpg", 100 + i) for i in range(5)]
    with watcher(lib, inbox):
        lib.wait_until(lambda: lib.file_count() == 6, "the rescan to import them")
        lib.settle_jobs()
    _assert_each_once(lib, [inbox / "before.jpg", *offline])


@pytest.mark.slow
def test_deleted_folder_is_shown_missing_and_resumes_when_recreated(
    lib: Library, inbox: Path
) -> None:
    with watcher(lib, inbox) as proc:
        write_jpeg(inbox / "a.jpg", 1)
        lib.wait_until(lambda: lib.file_count() == 1, "the first file")
        lib.settle_jobs()
        shutil.rmtree(inbox)
        lib.wait_until(lambda: lib.folder_state(inbox) == WatchState.MISSING, "state MISSING")
        listing = cli(lib, "list")
        assert listing.returncode == 0, listing.stderr
        (line,) = [ln for ln in listing.stdout.splitlines() if str(inbox) in ln]
        assert line.startswith("folder missing")
        inbox.mkdir()
        lib.wait_until(lambda: lib.folder_state(inbox) == WatchState.WATCHING, "watching again")
        write_jpeg(inbox / "after.jpg", 2)
        lib.wait_until(lambda: lib.file_count() == 2, "the file in the recreated folder")
        lib.settle_jobs()
        assert proc.poll() is None  # nothing was restarted
    _assert_each_once(lib, [inbox / "a.jpg", inbox / "after.jpg"])


def test_sigterm_removes_the_heartbeat_row(lib: Library, inbox: Path) -> None:
    with watcher(lib, inbox) as proc:
        listing = cli(lib, "list")
        assert listing.stdout.startswith("watching"), listing.stdout + listing.stderr
        stop(proc)
        assert proc.returncode == 0
    with Session(lib.engine) as s:
        assert s.exec(select(WatcherState)).all() == []
    assert lib.folder_state(inbox) == WatchState.STOPPED


def test_cli_add_list_remove(
    lib: Library, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in lib.env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(watch_group, list(args), catch_exceptions=False)

    added = run("add", str(inbox))
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == f"watching {inbox}"
    again = run("add", str(inbox / "."))
    assert again.exit_code == 1
    assert f"folder {inbox} is already watched" in again.stderr
    nested = run("add", str(inbox / "sub"))
    assert nested.exit_code == 1
    assert f"folder not found: {inbox / 'sub'}" in nested.stderr
    (inbox / "sub").mkdir()
    nested = run("add", str(inbox / "sub"))
    assert f"folder {inbox / 'sub'} is already watched as part of {inbox}" in nested.stderr
    listing = run("list")
    assert listing.stdout.startswith("watcher not running")
    assert str(inbox) in listing.stdout
    removed = run("remove", str(inbox))
    assert removed.exit_code == 0, removed.output
    assert run("list").stdout.startswith("no watched folders")
    gone = run("remove", str(inbox))
    assert gone.exit_code == 1
    assert f"folder {inbox} is not watched" in gone.stderr
