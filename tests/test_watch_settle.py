"""The settle rules and the batcher, on real files with an injected clock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photoimport.watch.settle import Batcher, Settler, is_ignored


def _write(path: Path, data: bytes, mtime_ns: int) -> None:
    with path.open("ab") as fh:
        fh.write(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("IMG_0001.JPG", False),
        (".IMG_0001.JPG", True),
        ("photo.jpg.part", True),
        ("photo.jpg.crdownload", True),
        ("upload.TMP", True),
        ("sub/.hidden/photo.jpg", True),
        ("sub/photo part.jpg", False),
    ],
)
def test_is_ignored_names(tmp_path: Path, name: str, ignored: bool) -> None:
    assert is_ignored(tmp_path / name, tmp_path) is ignored


def test_ignore_checks_only_below_the_root(tmp_path: Path) -> None:
    root = tmp_path / ".sync" / "phone"
    assert is_ignored(root / "a.jpg", root) is False
    assert is_ignored(root / ".a.jpg", root) is True


def test_created_file_ready_only_after_quiet_period_of_no_change(tmp_path: Path) -> None:
    f = tmp_path / "a.jpg"
    _write(f, b"x" * 100, 1_000)
    s = Settler(str(tmp_path), quiet_seconds=2.0)
    s.touch(str(f), now=0.0)
    assert s.tick(1.9) == []
    _write(f, b"y" * 100, 2_000)  # grew: the timer restarts
    assert s.tick(2.5) == []
    assert s.tick(4.4) == []
    ready = s.tick(4.5)
    assert [(r.path, r.signature, r.reason) for r in ready] == [
        (str(f), (200, 2_000), "size stable")
    ]
    assert not s.is_pending(str(f))


def test_closed_after_write_is_ready_at_once(tmp_path: Path) -> None:
    f = tmp_path / "b.jpg"
    _write(f, b"x" * 10, 5_000)
    s = Settler(str(tmp_path), quiet_seconds=5.0)
    s.touch(str(f), now=0.0)
    s.opened(str(f))
    s.closed(str(f))
    ready = s.tick(0.1)
    assert [(r.path, r.reason) for r in ready] == [(str(f), "closed after writing")]
    assert s.pending == {}


def test_open_for_write_waits_for_close_beyond_quiet_period(tmp_path: Path) -> None:
    f = tmp_path / "c.jpg"
    _write(f, b"x" * 10, 5_000)
    s = Settler(str(tmp_path), quiet_seconds=1.0, open_grace=10.0)
    s.opened(str(f))
    s.touch(str(f), now=0.0)
    assert s.tick(5.0) == []  # a stalled writer: no close yet, not ready
    ready = s.tick(10.0)  # the close event was lost: ready after the grace period
    assert [r.reason for r in ready] == ["open but stable (close event lost)"]


def test_reader_close_restores_the_quiet_rule(tmp_path: Path) -> None:
    f = tmp_path / "d.jpg"
    _write(f, b"x" * 10, 5_000)
    s = Settler(str(tmp_path), quiet_seconds=1.0)
    s.touch(str(f), now=0.0)
    s.opened(str(f))
    s.closed_no_write(str(f))
    assert [r.reason for r in s.tick(1.0)] == ["size stable"]


def test_deleted_file_and_folder_are_forgotten(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    a, b = tmp_path / "a.jpg", sub / "b.jpg"
    _write(a, b"a", 1)
    _write(b, b"b", 1)
    s = Settler(str(tmp_path), quiet_seconds=1.0)
    s.touch(str(a), 0.0)
    s.touch(str(b), 0.0)
    s.forget(str(sub), is_dir=True)
    assert set(s.pending) == {str(a)}
    a.unlink()
    assert s.tick(5.0) == []
    assert s.pending == {}


def test_ignored_names_never_become_pending(tmp_path: Path) -> None:
    f = tmp_path / "big.jpg.part"
    _write(f, b"x", 1)
    s = Settler(str(tmp_path), quiet_seconds=1.0)
    s.touch(str(f), 0.0)
    s.closed(str(f))
    assert s.pending == {}
    assert s.tick(10.0) == []


def test_batcher_flushes_on_age_or_count() -> None:
    b = Batcher(max_age=2.0, max_files=3)
    assert not b.is_due(0.0)
    b.add(["a", "b"], now=10.0)
    assert not b.is_due(11.9)
    assert b.is_due(12.0)
    b.add(["c"], now=10.5)
    assert b.is_due(10.5)  # three files: due at once
    assert b.take() == ["a", "b", "c"]
    assert b.paths == []
    assert b.first_at is None
