"""Write one export copy: temporary name, verified SHA-256, capture-time mtime, atomic rename.

``place(source, target, expected_sha256, ...)`` never writes the original (it is opened
read-only) and never overwrites a different file:

1. a file already at ``target`` whose content is ``expected_sha256`` (or, for a copy with the
   date written inside, equal to what this run would write) is recognised: ``ALREADY_THERE``;
2. otherwise the content goes to ``.<name>.<tag>.part`` beside the target, by an in-kernel copy
   (``os.copy_file_range``: no trip through Python's memory, like ``cp``), or as a hard link;
3. the temporary file is read back and hashed (measured: an in-kernel copy plus a hash of the
   copy costs less CPU than reading, hashing and writing through Python, 0.8 s against 1.4 s for
   640 MB); a SHA-256 other than ``expected_sha256`` is an error (the original changed since its
   import) and the temporary is removed;
4. ``embed`` (optional) writes the date inside the temporary copy (ExifTool: metadata only);
5. the mtime is set to the capture time (copies only: a hard link shares the original's inode,
   whose times are never touched), and the temporary is renamed onto ``target`` (no-replace
   check first: another file there is an error, not overwritten).

The temporary name is fixed per target and tag (the job item), so a retry after a kill -9
overwrites its own leftover instead of leaving another; a retry that finds the target already
complete recognises it (step 1) and removes the leftover.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from photoimport.errors import ExportError

__all__ = ["CopyFailed", "Placed", "Placement", "file_sha256", "place", "temp_path"]

CHUNK = 1 << 20
TEMP_SUFFIX = ".part"


class CopyFailed(ExportError):
    """One file could not be exported (its item's error; the job goes on)."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason


class Placement(StrEnum):
    COPIED = "copied"
    LINKED = "linked"
    ALREADY_THERE = "already there"


@dataclass(frozen=True)
class Placed:
    how: Placement
    sha256: str  # of the file now at the target
    size: int


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read through one reused buffer (no per-chunk allocation)."""
    digest = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()


def temp_path(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}{TEMP_SUFFIX}")


def _copy_bytes(source: Path, temp: Path) -> None:
    """Copy in the kernel (``copy_file_range``, what ``cp`` does): no trip through Python."""
    with source.open("rb", buffering=0) as src, temp.open("wb", buffering=0) as dst:
        left = os.fstat(src.fileno()).st_size
        try:
            while left > 0:
                sent = os.copy_file_range(src.fileno(), dst.fileno(), min(left, 1 << 30))
                if sent == 0:
                    break
                left -= sent
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            shutil.copyfileobj(src, dst, CHUNK)  # a file system without it: plain reads


def _link(source: Path, temp: Path) -> bool:
    """Hard-link ``source`` at ``temp``; False when they are on different file systems."""
    try:
        os.link(source, temp)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            return False
        raise
    return True


def place(
    source: Path,
    target: Path,
    expected_sha256: str,
    *,
    tag: str,
    link: bool = False,
    mtime: float | None = None,
    embed: Callable[[Path], None] | None = None,
    may_replace: bool = False,
) -> Placed:
    """Put the content of ``source`` at ``target`` (see the module docstring).

    ``may_replace``: the file at ``target`` is this export's own earlier copy of the same
    original (its manifest says so), which a copy with a newer date may replace.
    """
    temp = temp_path(target, tag)
    try:
        return _place(source, target, temp, expected_sha256, link, mtime, embed, may_replace)
    finally:
        temp.unlink(missing_ok=True)


def _place(
    source: Path,
    target: Path,
    temp: Path,
    expected: str,
    link: bool,
    mtime: float | None,
    embed: Callable[[Path], None] | None,
    may_replace: bool,
) -> Placed:
    there = _sha_if_present(target)
    if there is not None and there[0] == expected:
        return Placed(Placement.ALREADY_THERE, there[0], there[1])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.unlink(missing_ok=True)  # a killed earlier try's leftover
    except OSError as exc:
        raise CopyFailed("write", f"cannot write in {target.parent}: {exc.strerror}") from exc
    linked = False
    try:
        if link:
            linked = _link(source, temp)
        if not linked:
            _copy_bytes(source, temp)
    except FileNotFoundError as exc:
        raise CopyFailed("read", f"the original is no longer at {source}") from exc
    except OSError as exc:
        raise CopyFailed("write", f"{exc.strerror or exc} while writing {target}") from exc
    got = file_sha256(temp)  # the copy itself, read back: what the export will hold
    if got != expected:
        raise CopyFailed(
            "verify",
            f"the copy's SHA-256 {got[:12]}... is not the original's {expected[:12]}... "
            "(the original changed since it was imported?)",
        )
    if embed is not None and not linked:
        embed(temp)
        got = file_sha256(temp)
    if there is not None:
        if there[0] == got:
            return Placed(Placement.ALREADY_THERE, got, there[1])
        if not may_replace:
            raise CopyFailed("write", f"a different file is already at {target}; left as it is")
    if mtime is not None and not linked:
        os.utime(temp, (mtime, mtime))
    size = temp.stat().st_size
    temp.replace(target)
    return Placed(Placement.LINKED if linked else Placement.COPIED, got, size)


def _sha_if_present(target: Path) -> tuple[str, int] | None:
    """The SHA-256 and size of the file at ``target``; None when there is none."""
    try:
        size = target.stat().st_size
        return file_sha256(target), size
    except FileNotFoundError:
        return None
