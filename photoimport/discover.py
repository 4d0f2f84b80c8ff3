"""List a folder's image files for a folder job: ``iter_image_files(root)``.

* Recursive, in a stable order (sorted names per folder), lazily, so a job can commit its
  items in chunks while a 50,000-file folder is still being listed.
* Skipped: dot-files and dot-folders, partial downloads and temporary files (``*.tmp``,
  ``*.part``, ``*.crdownload``), anything that is not a regular file, and folders already
  visited through a symlink (a link back to a parent would otherwise loop forever).
* Kept: names with spaces and non-ASCII characters, exactly as the file system spells them.
* A file counts as an image by its extension (RAW and JPEG XL included: the pipeline records
  them as unsupported formats, which is more useful than silence) or, for any other name, by its
  first bytes (``photoimport.sources.has_image_signature``), so a JPEG named ``.dat`` is found
  while ``README.md`` and ``MANIFEST.csv`` are not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from photoimport.sources import has_image_signature

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")
IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".mpo", ".png", ".gif", ".webp", ".tif", ".tiff",
        ".heic", ".heif", ".hif", ".avif", ".bmp", ".jxl",
        ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf",
        ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mrw", ".raw",
    }
)  # fmt: skip
SNIFF_BYTES = 32


def is_ignored_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def looks_like_image(path: Path) -> bool:
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False  # unreadable and not named like an image: not ours to report
    return has_image_signature(head)


def iter_image_files(root: Path) -> Iterator[Path]:
    """Every image file under ``root`` (recursively), each once, in a stable order."""
    visited: set[tuple[int, int]] = set()
    yield from _walk(root, visited)


def _walk(folder: Path, visited: set[tuple[int, int]]) -> Iterator[Path]:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:
        return  # a symlink loop, or the same folder reached twice
    visited.add(key)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # an unreadable sub-folder: the rest of the tree still imports
    subfolders: list[Path] = []
    for entry in entries:
        if is_ignored_name(entry.name):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=True):
                subfolders.append(path)
                continue
            if not entry.is_file(follow_symlinks=True):
                continue
        except OSError:
            continue
        if looks_like_image(path):
            yield path
    for sub in subfolders:
        yield from _walk(sub, visited)
