"""Server folders: THE walker, THE ignore rule, and the check a folder passes before an import.

One walker (``iter_files``) and one rule for what is an image file (``looks_like_image``) serve
folder imports (``worker.listing``), folder validation and the watcher (rescans and ready
files), so a file is taken or refused the same way whichever way it arrives.

* ``is_ignored_name``: dot-files and dot-folders, partial downloads and temporary files
  (``*.tmp``, ``*.part``, ``*.crdownload``).
* ``iter_files(root, roots)``: regular files under ``root``, recursively, in a stable order
  (sorted names; a folder's files before its sub-folders), lazily, iteratively (no recursion
  limit however deep), each folder once (a symlink loop or a folder reached twice is walked
  once), never following a link out of ``roots`` when roots are set.
* ``looks_like_image(path)``: named like an image (RAW and JPEG XL included: the pipeline
  records what it cannot read, which is more useful than silence) or, for any other name,
  starting like one (``media.formats.has_image_signature``), so a JPEG named ``.dat`` is found
  while ``README.md`` is not.
* ``validate_folder(path, settings)`` returns the folder's resolved path, or raises a named
  ``SourceError``: ``FolderNotFound``, ``PathOutsideAllowedRoots`` (resolved first: ``..``
  collapsed, symlinks followed), ``FolderNotReadable``, ``NoImagesFound`` (at most
  ``SNIFF_LIMIT`` files are looked at, so validating 50,000 photos stays instant).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from photoimport.errors import (
    FolderNotFound,
    FolderNotReadable,
    NoImagesFound,
    PathOutsideAllowedRoots,
)
from photoimport.media.formats import has_image_signature
from photoimport.settings import Settings

__all__ = [
    "IMAGE_EXTENSIONS",
    "is_ignored_name",
    "is_within_roots",
    "iter_files",
    "iter_image_files",
    "looks_like_image",
    "validate_folder",
]

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")
IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".mpo", ".png", ".gif", ".webp", ".tif", ".tiff",
        ".heic", ".heif", ".hif", ".avif", ".bmp", ".jxl",
        ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf",
        ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mrw", ".raw",
        # issue 11: videos
        ".mp4", ".mov", ".m4v", ".3gp", ".mkv", ".avi", ".mts", ".m2ts",
    }
)  # fmt: skip
SNIFF_BYTES = 64
SNIFF_LIMIT = 500  # files whose header is read before deciding that a folder holds no image


def is_ignored_name(name: str) -> bool:
    """Dot-entries and partial downloads are never imported."""
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def looks_like_image(path: Path) -> bool:
    """Named like an image, or (any other name) starting like one."""
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False  # unreadable and not named like an image: not ours to report
    return has_image_signature(head)


def iter_image_files(root: Path, roots: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Every image file under ``root`` (recursively), each once, in a stable order."""
    return (path for path in iter_files(root, roots) if looks_like_image(path))


def iter_files(root: Path, roots: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Regular, not ignored files under ``root``: see the module docstring."""
    visited: set[tuple[int, int]] = set()
    stack: list[Path] = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:
            continue  # a symlink loop, or the same folder reached twice
        visited.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue  # an unreadable sub-folder: the rest of the tree still imports
        subfolders: list[Path] = []
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            path = Path(entry.path)
            if roots and entry.is_symlink() and not is_within_roots(path, roots):
                continue  # a link out of the allowed roots is never followed
            try:
                if entry.is_dir(follow_symlinks=True):
                    subfolders.append(path)
                elif entry.is_file(follow_symlinks=True):
                    yield path
            except OSError:
                continue
        stack.extend(reversed(subfolders))


def is_within_roots(path: Path, roots: tuple[Path, ...]) -> bool:
    """True when ``path``, fully resolved (symlinks followed), lies in one of ``roots``."""
    if not roots:
        return True
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def validate_folder(path: Path | str, settings: Settings) -> Path:
    """The resolved folder, after checking it exists, is allowed, can be read and has images."""
    given = Path(path).expanduser().absolute()
    shown = str(path)
    resolved = given.resolve()  # checked against the roots before saying whether it exists
    if settings.allowed_roots and not is_within_roots(resolved, settings.allowed_roots):
        roots = ", ".join(str(r) for r in settings.allowed_roots)
        raise PathOutsideAllowedRoots(
            f"folder {shown} is outside the allowed roots ({roots}): "
            "imports may only read folders under PHOTOIMPORT_ALLOWED_ROOTS"
        )
    try:
        is_dir = resolved.is_dir()
        exists = is_dir or resolved.exists()
    except PermissionError as exc:  # a parent folder cannot be searched
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}") from exc
    if not exists:
        raise FolderNotFound(f"folder not found: {shown}")
    if not is_dir:
        raise FolderNotFound(f"not a folder: {shown}")
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}")
    try:
        found = _first_image(resolved, settings.allowed_roots)
    except PermissionError as exc:
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}") from exc
    if found is None:
        raise NoImagesFound(f"no image files in folder: {shown}")
    return resolved


def _first_image(root: Path, roots: tuple[Path, ...]) -> Path | None:
    """The first file under ``root`` that the import would take (None when none)."""
    for count, candidate in enumerate(iter_files(root, roots)):
        if count >= SNIFF_LIMIT:
            return None
        if looks_like_image(candidate):
            return candidate
    return None
