"""Save photos uploaded through the browser under ``uploads/<batch>/``, safely.

* Names are sanitised: only the last path component is kept (so ``../`` and folder parts of a
  whole-folder upload cannot escape the batch folder), control and separator characters become
  ``_``, a leading dot is dropped (dot-files are skipped by imports), and the name is cut to a
  length every filesystem accepts. Letters of any script are kept, and so is the extension:
  ``фото.JPG`` stays ``фото.JPG``.
* Names are collision-free: two ``IMG_0001.JPG`` from two folders are saved as ``IMG_0001.JPG``
  and ``IMG_0001-2.JPG``. Files are created with ``O_EXCL``, so nothing is ever overwritten.
* A batch is checked against ``UploadCaps`` *before* anything is written; over the caps it is
  refused whole with ``UploadRejected`` and a message saying which cap and what to do instead.

Uploads carry no trustworthy modification time (the browser does not send one), so upload jobs
run with ``use_mtime=False`` (``upload_import_settings``).
"""

from __future__ import annotations

import errno
import secrets
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from photoimport.errors import UploadRejected
from photoimport.settings import ImportSettings

__all__ = [
    "UPLOAD_TYPES",
    "SavedUpload",
    "UploadBatch",
    "UploadCaps",
    "UploadSource",
    "check_caps",
    "new_batch_dir",
    "sanitise_name",
    "save_upload_batch",
    "save_uploads",
    "upload_import_settings",
]

# Extensions offered by the browser's file picker (the pipeline itself decides by content).
UPLOAD_TYPES = (
    "jpg", "jpeg", "jpe", "png", "webp", "heic", "heif", "avif", "tif", "tiff", "gif", "mpo",
    # issue 11: RAW, video, and the sidecars read beside them
    "dng", "cr2", "cr3", "crw", "nef", "arw", "orf", "raf", "rw2", "pef",
    "mp4", "mov", "m4v", "3gp", "mkv", "avi", "mts", "xmp", "json",
)  # fmt: skip
MAX_NAME_BYTES = 200  # below the 255-byte limit of ext4/APFS/NTFS, leaving room for "-NNN"
MAX_EXT_CHARS = 10
_KEEP_PUNCTUATION = frozenset(" -_.,()[]+@&'")


class UploadSource(Protocol):
    """What an upload must offer (Streamlit's ``UploadedFile`` does)."""

    @property
    def name(self) -> str: ...

    @property
    def size(self) -> int: ...

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class UploadCaps:
    """Per-batch limits. Uploads are held in the server's memory until saved, so keep them
    modest and send big imports through a server folder or a watched folder."""

    max_files: int = 200
    max_total_bytes: int = 1_000_000_000


@dataclass(frozen=True)
class SavedUpload:
    original_name: str  # as the browser sent it (may include folder parts)
    path: Path  # where it was written
    size: int


def sanitise_name(name: str) -> str:
    """A safe single file name for ``name``: no folders, no leading dot, extension kept."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base).strip().lstrip(".").strip()
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    ext = "".join(ch for ch in ext if ch.isascii() and ch.isalnum())[:MAX_EXT_CHARS]
    clean = "".join(ch if ch.isalnum() or ch in _KEEP_PUNCTUATION else "_" for ch in stem)
    clean = clean.strip(" .") or "upload"
    suffix = f".{ext}" if ext else ""
    while len((clean + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        clean = clean[:-1]
    return clean + suffix


def check_caps(files: Sequence[UploadSource], caps: UploadCaps) -> None:
    """Raise ``UploadRejected`` when the batch is over a cap (nothing has been written yet)."""
    if not files:
        raise UploadRejected("no files were uploaded: choose some photos first")
    if len(files) > caps.max_files:
        raise UploadRejected(
            f"{len(files):,} files is more than the {caps.max_files:,} an upload may hold: "
            "upload them in smaller batches, or import the folder from the server instead"
        )
    total = sum(f.size for f in files)
    if total > caps.max_total_bytes:
        raise UploadRejected(
            f"{total / 1e6:,.0f} MB is more than the {caps.max_total_bytes / 1e6:,.0f} MB an "
            "upload may hold: upload them in smaller batches, or import the folder from the server"
        )


def new_batch_dir(uploads_dir: Path, now: datetime | None = None) -> Path:
    """A new, empty staging folder ``uploads/.incoming-<UTC time>-<random>/`` for one batch.

    ``jobs.create_upload_job`` moves it to ``uploads/<job id>/`` when the job is created.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    while True:
        batch = uploads_dir / f".incoming-{stamp}-{secrets.token_hex(3)}"
        try:
            batch.mkdir()
        except FileExistsError:
            continue
        return batch


def save_uploads(
    files: Sequence[UploadSource], batch_dir: Path, caps: UploadCaps | None = None
) -> list[SavedUpload]:
    """Write every upload into ``batch_dir`` under a sanitised, collision-free name."""
    check_caps(files, caps or UploadCaps())
    batch_dir.mkdir(parents=True, exist_ok=True)
    root = batch_dir.resolve()
    saved: list[SavedUpload] = []
    for upload in files:
        data = upload.getvalue()
        path = _write_new(root, sanitise_name(upload.name), data)
        saved.append(SavedUpload(original_name=upload.name, path=path, size=len(data)))
    return saved


@dataclass(frozen=True)
class UploadBatch:
    folder: Path  # uploads/.incoming-<batch>/ until the job moves it
    saved: list[SavedUpload]

    @property
    def paths(self) -> list[Path]:
        return [s.path for s in self.saved]


def save_upload_batch(
    files: Sequence[UploadSource], uploads_dir: Path, caps: UploadCaps | None = None
) -> UploadBatch:
    """Check the caps, then save the batch into a new ``uploads/<batch>/`` folder."""
    caps = caps or UploadCaps()
    check_caps(files, caps)  # before any folder is made: a refused batch leaves nothing behind
    folder = new_batch_dir(uploads_dir)
    try:
        saved = save_uploads(files, folder, caps)
    except OSError as exc:  # a partial batch is never left behind, nor imported
        shutil.rmtree(folder, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadRejected(
                "the disk is full: the upload was not saved (nothing of it was kept); free some "
                "space on the server, or upload fewer photos"
            ) from exc
        raise UploadRejected(
            f"the upload could not be saved ({exc.strerror or exc}); nothing of it was kept"
        ) from exc
    return UploadBatch(folder=folder, saved=saved)


def upload_import_settings(settings: ImportSettings) -> ImportSettings:
    """The settings an upload job runs with: the browser sends no real modification time."""
    return settings.with_changes(use_mtime=False)


def _write_new(root: Path, name: str, data: bytes) -> Path:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    n = 1
    while True:
        candidate = root / (name if n == 1 else f"{stem}-{n}{suffix}")
        if candidate.resolve().parent != root:  # cannot happen after sanitise_name; be sure
            raise UploadRejected(f"upload name {name!r} would be written outside {root}")
        try:
            with candidate.open("xb") as fh:
                fh.write(data)
        except FileExistsError:
            n += 1
            continue
        return candidate
