"""The export's fast paths on real files: no mkdir, no hash, no unlink unless needed, a hard-linked
leftover never written through, empty files, sidecars in one write, batch sizes, syncfs."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from photoimport.export.copying import (
    CHUNK,
    CopyFailed,
    Placement,
    file_sha256,
    place,
    sync_file_system,
    temp_path,
)
from photoimport.export.sidecar import SidecarFacts, sidecar_xml, write_sidecar
from worker.export_run import MAX_BATCH, next_batch

WHEN = datetime(2020, 2, 29, 23, 59, 58, tzinfo=timezone(timedelta(hours=-5)))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def original(tmp_path: Path) -> Path:
    src = tmp_path / "src" / "IMG_1.JPG"
    src.parent.mkdir()
    src.write_bytes(os.urandom(300_000) + b"end")
    src.chmod(0o444)
    return src


def test_a_copy_into_folders_that_do_not_exist_yet_makes_them(
    tmp_path: Path, original: Path
) -> None:
    target = tmp_path / "out" / "2020" / "2020-02-29" / "a.jpg"
    placed = place(original, target, sha(original.read_bytes()), tag="5", mtime=WHEN.timestamp())
    assert (placed.how, placed.size) == (Placement.COPIED, 300_003)
    assert placed.sha256 == sha(original.read_bytes()) == file_sha256(target)
    assert target.stat().st_mtime == WHEN.timestamp()
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.jpg"]


def test_a_leftover_hard_link_to_the_original_is_unlinked_not_written_through(
    tmp_path: Path, original: Path
) -> None:
    """A killed ``--link`` try leaves the original's own inode at the temporary name: a copy
    retried there must make a new file, never open that inode for writing."""
    content = original.read_bytes()
    target = tmp_path / "out" / "a.jpg"
    target.parent.mkdir()
    os.link(original, temp_path(target, "9"))
    original.chmod(0o644)  # even a writable original is never truncated through the link
    placed = place(original, target, sha(content), tag="9", mtime=WHEN.timestamp())
    assert placed.how is Placement.COPIED
    assert original.read_bytes() == content
    assert original.stat().st_nlink == 1
    assert target.stat().st_ino != original.stat().st_ino
    assert original.stat().st_mtime != WHEN.timestamp()


def test_a_target_already_there_removes_a_killed_tries_leftover(
    tmp_path: Path, original: Path
) -> None:
    target = tmp_path / "out" / "a.jpg"
    target.parent.mkdir()
    target.write_bytes(original.read_bytes())
    temp_path(target, "4").write_bytes(b"half")
    placed = place(original, target, sha(original.read_bytes()), tag="4")
    assert (placed.how, placed.size) == (Placement.ALREADY_THERE, 300_003)
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.jpg"]


def test_an_empty_original_is_copied_and_verified(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    target = tmp_path / "out" / "e.jpg"
    placed = place(empty, target, sha(b""), tag="1")
    assert (placed.how, placed.sha256, placed.size) == (Placement.COPIED, sha(b""), 0)
    assert target.read_bytes() == b""


def test_a_missing_original_is_a_read_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.jpg"
    with pytest.raises(CopyFailed, match="no longer at") as info:
        place(tmp_path / "gone.jpg", target, "0" * 64, tag="1")
    assert info.value.stage == "read"
    assert not target.exists()
    assert not temp_path(target, "1").exists()
    with pytest.raises(CopyFailed, match="no longer at") as linked:
        place(tmp_path / "gone.jpg", target, "0" * 64, tag="1", link=True)
    assert linked.value.stage == "read"


def test_a_folder_that_cannot_be_made_is_a_write_error(tmp_path: Path, original: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_bytes(b"a file where a folder should be")
    with pytest.raises(CopyFailed, match="cannot write in") as info:
        place(original, blocker / "2020" / "a.jpg", sha(original.read_bytes()), tag="1")
    assert info.value.stage == "write"
    assert blocker.read_bytes() == b"a file where a folder should be"


def test_the_read_back_hash_covers_every_chunk_of_the_copy(tmp_path: Path) -> None:
    """A copy longer than the reused buffer is hashed end to end (and a shorter one after it
    is not hashed with the longer one's leftover bytes)."""
    long_one = os.urandom(CHUNK * 3 + 12_345)
    src = tmp_path / "long.jpg"
    src.write_bytes(long_one)
    placed = place(src, tmp_path / "out" / "long.jpg", sha(long_one), tag="1")
    assert (placed.sha256, placed.size) == (sha(long_one), len(long_one))
    short = long_one[:1000]
    src.write_bytes(short)
    with pytest.raises(CopyFailed, match="SHA-256"):
        place(src, tmp_path / "out" / "short.jpg", sha(long_one), tag="2")
    placed = place(src, tmp_path / "out" / "short.jpg", sha(short), tag="2")
    assert placed.sha256 == sha(short) == file_sha256(tmp_path / "out" / "short.jpg")


def test_sidecar_is_written_once_dated_and_left_alone_when_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "a.jpg"
    facts = SidecarFacts(WHEN, "detected", "HIGH", "IMG_1.JPG", "cd" * 32)
    temp = tmp_path / ".a.jpg.xmp.3.part"
    temp.write_bytes(b"a killed try's half sidecar, longer than nothing")
    path = write_sidecar(target, facts, "3", WHEN.timestamp())
    assert path.read_bytes() == sidecar_xml(facts).encode("utf-8")
    assert path.stat().st_mtime == WHEN.timestamp()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg.xmp"]
    inode = path.stat().st_ino
    assert write_sidecar(target, facts, "3", None) == path
    assert path.stat().st_ino == inode  # unchanged content: not rewritten
    later = SidecarFacts(WHEN + timedelta(hours=1), "decision", "HIGH", "IMG_1.JPG", "cd" * 32)
    write_sidecar(target, later, "3", None)
    assert 'exif:DateTimeOriginal="2020-03-01T00:59:58-05:00"' in path.read_text()


@pytest.mark.parametrize(
    ("current", "items", "seconds", "expected"),
    [
        (8, 8, 0.05, 32),  # fast: grows, at most 4x a batch
        (32, 32, 0.08, 128),
        (128, 128, 0.32, 200),  # 400 a second: half a second's worth
        (200, 200, 0.5, 200),  # steady
        (64, 64, 6.4, 8),  # slow files (videos): back to the smallest
        (4, 4, 1.2, 4),  # never under the smallest
        (800, 800, 0.01, MAX_BATCH),  # never over the largest
        (8, 8, 0.0, 32),  # no time measured: grow
    ],
)
def test_next_batch_aims_at_half_a_second_of_work(
    current: int, items: int, seconds: float, expected: int
) -> None:
    assert next_batch(current, 8 if current != 4 else 4, items, seconds) == expected


def test_sync_file_system_flushes_a_folder_and_refuses_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 10_000)
    sync_file_system(tmp_path)
    with pytest.raises(FileNotFoundError):
        sync_file_system(tmp_path / "missing")
