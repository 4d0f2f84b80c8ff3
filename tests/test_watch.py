"""The watcher end to end: a real ``watch --folder`` process, real workers, real SQLite."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from photoimport.db.models import File, WatcherState, WatchState
from tests.fixtures.app import open_app
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
    step = len(data) // 3 + 1
    with watcher(lib, inbox):
        with target.open("wb") as fh:
            for start in range(0, len(data), step):  # stalls longer than the 1 s quiet period
                fh.write(data[start : start + step])
                fh.flush()
                time.sleep(1.3)
                assert str(target) not in lib.items_by_path(), "imported while still open"
        lib.wait_until(lambda: lib.file_count() == 1, "the file to be imported")
        lib.settle_jobs()
        time.sleep(1.5)  # a chance to import it twice (settle tick, rescan every 3 s)
    _assert_each_once(lib, [target])
    assert len(lib.items_by_path()) == 1
    with Session(lib.engine) as s:
        (row,) = s.exec(select(File)).all()
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.size == len(data)


@pytest.mark.slow
def test_rename_in_cp_tree_burst_and_same_photo_twice_each_imported_once(
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
    same = jpeg_bytes(4242)
    pair = [inbox / "burst" / "same.jpg", inbox / "burst" / "same copy.jpg"]
    with watcher(lib, inbox):
        shutil.move(outside, inbox / "moved.jpg")  # a rename from outside: created, no close
        subprocess.run(["cp", "-r", str(tree), str(inbox / "card")], check=True)
        burst = [write_jpeg(inbox / "burst" / f"b{i:04d}.jpg", 1000 + i) for i in range(1000)]
        for p in pair:  # the same photo dropped under two names
            p.write_bytes(same)
        (inbox / "burst" / "skip.jpg.part").write_bytes(jpeg_bytes(5000))
        (inbox / "burst" / ".hidden.jpg").write_bytes(jpeg_bytes(5001))
        unique = [inbox / "moved.jpg", *(inbox / "card" / p.relative_to(tree) for p in tree_files)]
        unique += burst
        lib.wait_until(lambda: lib.file_count() > len(unique), "every file imported", 90)
        lib.settle_jobs()
    assert lib.file_count() == len(unique) + 1 == 1 + 18 + 1000 + 1
    _assert_each_once(lib, [*unique, *pair])
    items = lib.items_by_path()
    assert len(items) == len(unique) + 2  # the .part and the dot-file were ignored
    with Session(lib.engine) as s:
        row = s.exec(select(File).where(File.sha256 == hashlib.sha256(same).hexdigest())).one()
    assert {items[str(p)][0].file_id for p in pair} == {row.id}  # one File, both paths


@pytest.mark.slow
def test_folder_missing_then_back_then_stopped_then_rescanned(
    lib: Library, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with watcher(lib, inbox) as proc:
        write_jpeg(inbox / "a.jpg", 1)
        lib.wait_until(lambda: lib.file_count() == 1, "the first file")
        shutil.rmtree(inbox)  # an unmounted card, a deleted folder
        lib.wait_until(lambda: lib.folder_state(inbox) == WatchState.MISSING, "state MISSING")
        listing = cli(lib, "list")
        assert listing.exit_code == 0, listing.output
        (line,) = [ln for ln in listing.stdout.splitlines() if str(inbox) in ln]
        assert line.startswith("folder missing")
        for key, value in lib.env.items():
            monkeypatch.setenv(key, value)
        page = open_app().switch_page("pages/watch.py").run()
        assert list(page.dataframe[0].value["state"]) == ["folder missing"]
        inbox.mkdir()
        write_jpeg(inbox / "after.jpg", 2)
        lib.wait_until(lambda: lib.file_count() == 2, "the file in the recreated folder")
        assert lib.folder_state(inbox) == WatchState.WATCHING
        assert proc.poll() is None  # nothing was restarted
        lib.settle_jobs()
        stop(proc)
        assert proc.returncode == 0
        with Session(lib.engine) as s:
            assert s.exec(select(WatcherState)).all() == []  # its heartbeat row is removed
        assert lib.folder_state(inbox) == WatchState.STOPPED
    offline = [write_jpeg(inbox / "while stopped" / f"o{i}.jpg", 100 + i) for i in range(5)]
    with watcher(lib, inbox):
        lib.wait_until(lambda: lib.file_count() == 7, "the start rescan to import them")
        lib.settle_jobs()
    _assert_each_once(lib, [inbox / "a.jpg", inbox / "after.jpg", *offline])
    assert len(lib.items_by_path()) == 7


def test_cli_add_list_remove(lib: Library, inbox: Path) -> None:
    added = cli(lib, "add", str(inbox))
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == f"watching {inbox}"
    again = cli(lib, "add", str(inbox / "."))
    assert again.exit_code == 1
    assert f"folder {inbox} is already watched" in again.stderr
    nested = cli(lib, "add", str(inbox / "sub"))
    assert nested.exit_code == 1
    assert f"folder not found: {inbox / 'sub'}" in nested.stderr
    (inbox / "sub").mkdir()
    nested = cli(lib, "add", str(inbox / "sub"))
    assert f"folder {inbox / 'sub'} is already watched as part of {inbox}" in nested.stderr
    listing = cli(lib, "list")
    assert listing.stdout.startswith("watcher not running")
    assert str(inbox) in listing.stdout
    removed = cli(lib, "remove", str(inbox))
    assert removed.exit_code == 0, removed.output
    assert cli(lib, "list").stdout.startswith("no watched folders")
    gone = cli(lib, "remove", str(inbox))
    assert gone.exit_code == 1
    assert f"folder {inbox} is not watched" in gone.stderr
