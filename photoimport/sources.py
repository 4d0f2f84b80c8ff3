"""Validate a folder on the server before an import or a watch uses it.

``validate_folder(path, settings)`` returns the folder's resolved path, or raises a named
``SourceError``:

* ``FolderNotFound``: nothing there, or not a folder;
* ``PathOutsideAllowedRoots``: when ``settings.allowed_roots`` is set, the folder must resolve
  inside one of them. The path is resolved first (``..`` collapsed, every symlink followed), so a
  ``root/../etc`` or a symlink in the root that points elsewhere is refused;
* ``FolderNotReadable``: it cannot be listed;
* ``NoImagesFound``: no file in it (recursively) looks like an image.

"Holds images" uses the folder listing's rule (``discover.looks_like_image``: named like an
image, or starting with one of the signatures below, so a JPEG named ``.dat`` counts). At most a
few hundred entries are looked at, so validating a folder of 50,000 photos stays instant.
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
from photoimport.settings import Settings

__all__ = ["has_image_signature", "is_within_roots", "validate_folder"]

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")
SNIFF_LIMIT = 500  # files whose header is read before deciding that a folder holds no image
_ISO_BMFF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis")


def has_image_signature(head: bytes) -> bool:
    """True when ``head`` (a file's first 32 bytes) starts like an image format we know."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")):
        return True
    if head.startswith((b"II*\x00", b"MM\x00*", b"BM")):  # TIFF (and TIFF-based RAW), BMP
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head[4:8] == b"ftyp":  # ISO-BMFF: HEIC / HEIF / AVIF
        return head[8:12] in _ISO_BMFF_BRANDS
    return head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL ")  # JPEG XL


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
    """The first file under ``root`` that the import would take (None when none).

    The rule is the folder listing's own (``discover.looks_like_image``: named like an image,
    RAW included, or starting like one), so a folder whose photos are all broken still gets a
    job that reports each file, instead of "no images".
    """
    # discover imports has_image_signature from this module: import it at call time
    from photoimport.discover import looks_like_image

    for count, candidate in enumerate(_candidate_files(root, roots)):
        if count >= SNIFF_LIMIT:
            return None
        if looks_like_image(candidate):
            return candidate
    return None


def _candidate_files(root: Path, roots: tuple[Path, ...]) -> Iterator[Path]:
    """Regular files under ``root`` (no dot-files, no partial downloads), top level first."""
    with os.scandir(root) as it:  # PermissionError here: the folder itself is unreadable
        entries = sorted(it, key=lambda e: e.name)
    subdirs: list[Path] = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name.lower().endswith(IGNORED_SUFFIXES):
            continue
        entry_path = Path(entry.path)
        if roots and entry.is_symlink() and not is_within_roots(entry_path, roots):
            continue  # a symlink out of the allowed roots is never read
        try:
            if entry.is_file():
                yield entry_path
            elif entry.is_dir(follow_symlinks=False):
                subdirs.append(entry_path)
        except OSError:
            continue
    for sub in subdirs:
        try:
            yield from _candidate_files(sub, roots)
        except PermissionError:
            continue  # an unreadable subfolder: its files are reported by the import itself
