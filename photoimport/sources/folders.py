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
* Never the library's own files (``library_paths(settings)``: ``PHOTOIMPORT_HOME`` with its
  database, thumbnails, uploads and logs, and a SQLite database kept elsewhere): a folder being
  imported or watched may contain the library, and merely opening and closing its ``-shm``
  file drops this process's SQLite locks (POSIX locks belong to the process, not the
  descriptor), which can lose other processes' commits. The walk never enters the library's
  folder nor opens its database files, and says so through ``on_skip``.
* ``looks_like_image(path)``: named like an image (RAW and JPEG XL included: the pipeline
  records what it cannot read, which is more useful than silence) or, for any other name,
  starting like one (``media.formats.has_image_signature``), so a JPEG named ``.dat`` is found
  while ``README.md`` is not.
* ``validate_folder(path, settings)`` returns the folder's resolved path, or raises a named
  ``SourceError``: ``FolderNotFound`` (also, with the same words, for a folder outside the
  allowed roots: a visitor learns nothing about the server's folders), ``FolderInLibrary``,
  ``FolderNotReadable``, ``NoImagesFound`` (at most ``SNIFF_LIMIT`` files are looked at, so
  validating 50,000 photos stays instant).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from photoimport.errors import (
    FolderInLibrary,
    FolderNotFound,
    FolderNotReadable,
    NoImagesFound,
    PathOutsideAllowedRoots,
)
from photoimport.media.formats import has_image_signature
from photoimport.settings import Settings

__all__ = [
    "IMAGE_EXTENSIONS",
    "in_library",
    "is_ignored_name",
    "is_within_roots",
    "iter_files",
    "iter_image_files",
    "library_paths",
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


def library_paths(settings: Settings) -> tuple[Path, ...]:
    """The library's own folder, and the files of a SQLite database kept outside it."""
    paths = [settings.home]
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        url = None
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        db = Path(url.database).expanduser().absolute()
        paths += [db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    return tuple(paths)


def in_library(path: Path, library: tuple[Path, ...]) -> bool:
    """Whether ``path`` (resolved) is one of the library's paths or inside its folder."""
    resolved = path.resolve()
    return any(resolved == p.resolve() or resolved.is_relative_to(p.resolve()) for p in library)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _library_fence(library: tuple[Path, ...]) -> tuple[set[tuple[int, int]], set[object]]:
    """(folder keys never entered, (folder key, name) of files never opened) for ``library``.

    Files are fenced by their folder and name, so a ``-wal`` or ``-shm`` that appears during the
    walk is still never opened."""
    folders: set[tuple[int, int]] = set()
    files: set[object] = set()
    for path in library:
        key = _stat_key(path)
        if key is not None and path.is_dir():
            folders.add(key)
            continue
        parent = _stat_key(path.parent)
        if parent is not None:
            files.add((parent, path.name))
    return folders, files


def iter_image_files(
    root: Path,
    roots: tuple[Path, ...] = (),
    library: tuple[Path, ...] = (),
    on_skip: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """Every image file under ``root`` (recursively), each once, in a stable order."""
    return (path for path in iter_files(root, roots, library, on_skip) if looks_like_image(path))


def iter_files(
    root: Path,
    roots: tuple[Path, ...] = (),
    library: tuple[Path, ...] = (),
    on_skip: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """Regular, not ignored files under ``root``: see the module docstring.

    ``library`` (``library_paths``): folders never entered and files never opened;
    ``on_skip(path)`` is told of each library folder the walk met and left alone.
    """
    fenced_folders, fenced_files = _library_fence(library)
    visited: set[tuple[int, int]] = set()
    stack: list[Path] = [root]
    while stack:
        folder = stack.pop()
        key = _stat_key(folder)
        if key is None or key in visited:
            continue  # gone, or a symlink loop, or the same folder reached twice
        visited.add(key)
        if key in fenced_folders:
            if on_skip is not None:
                on_skip(folder)
            continue
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
                    if (key, entry.name) in fenced_files:
                        continue  # the library's database: never opened
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
    # Outside the roots and missing read the same, so nobody learns what exists on the server.
    missing = f"folder not found: {shown}"
    if settings.allowed_roots:
        missing += " (imports may only read existing folders under PHOTOIMPORT_ALLOWED_ROOTS)"
        if not is_within_roots(resolved, settings.allowed_roots):
            raise PathOutsideAllowedRoots(missing)
    try:
        is_dir = resolved.is_dir()
        exists = is_dir or resolved.exists()
    except PermissionError as exc:  # a parent folder cannot be searched
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}") from exc
    if not exists:
        raise FolderNotFound(missing)
    if not is_dir:
        raise FolderNotFound(f"not a folder: {shown}")
    if resolved.is_relative_to(settings.home.resolve()):
        raise FolderInLibrary(
            f"folder {shown} is inside the photo library's own folder, whose files the library "
            "manages: import the folder the photos came from instead"
        )
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}")
    try:
        found = _first_image(resolved, settings.allowed_roots, library_paths(settings))
    except PermissionError as exc:
        raise FolderNotReadable(f"folder not readable (permission denied): {shown}") from exc
    if found is None:
        raise NoImagesFound(f"no image files in folder: {shown}")
    return resolved


def _first_image(root: Path, roots: tuple[Path, ...], library: tuple[Path, ...]) -> Path | None:
    """The first file under ``root`` that the import would take (None when none)."""
    for count, candidate in enumerate(iter_files(root, roots, library)):
        if count >= SNIFF_LIMIT:
            return None
        if looks_like_image(candidate):
            return candidate
    return None
