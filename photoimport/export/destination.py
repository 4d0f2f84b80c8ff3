"""Where an export may write: checked once, before anything is written.

``check_destination(path, settings, sources)`` returns the resolved destination or raises
``DestinationRefused`` with one plain sentence:

* outside ``PHOTOIMPORT_ALLOWED_ROOTS`` (when set): the path is resolved first (``..`` collapsed,
  symlinks followed), so ``root/../etc`` or a symlink out of a root is refused; the home's
  ``exports/`` folder (where the dashboard puts exports to download) is always allowed;
* inside (or equal to) a folder photos are imported from (a folder import's root, a watched
  folder): an export there would be imported again, and originals must never be written around;
* inside the library's own home (database, thumbnails, uploads, logs), except its ``exports/``;
* not a folder, or not writable (the nearest existing parent is checked when it does not exist).

``check_space(destination, needed)`` refuses a destination whose file system has less free space
than the plan needs (plus a small margin for sidecars and the manifest).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from photoimport.errors import DestinationRefused
from photoimport.settings import Settings
from photoimport.sources.folders import is_within_roots

__all__ = ["EXPORTS_FOLDER", "check_destination", "check_space", "existing_parent", "free_bytes"]

EXPORTS_FOLDER = "exports"
SIDECAR_MARGIN = 4096  # bytes per file for its sidecar and manifest row


def existing_parent(path: Path) -> Path:
    """``path`` itself when it exists, else its nearest existing ancestor."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(existing_parent(path)).free


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_destination(path: Path | str, settings: Settings, sources: Iterable[Path]) -> Path:
    shown = str(path)
    if not shown.strip():
        raise DestinationRefused("choose a destination folder for the export")
    resolved = Path(path).expanduser().absolute().resolve()
    home = settings.home.resolve()
    exports = home / EXPORTS_FOLDER
    in_exports = _inside(resolved, exports)
    outside = settings.allowed_roots and not is_within_roots(resolved, settings.allowed_roots)
    if outside and not in_exports:
        roots = ", ".join(str(r) for r in settings.allowed_roots)
        raise DestinationRefused(
            f"the destination {shown} is outside the allowed roots ({roots}): exports may "
            "only write under PHOTOIMPORT_ALLOWED_ROOTS"
        )
    if _inside(resolved, home) and not in_exports:
        raise DestinationRefused(
            f"the destination {shown} is inside the library's own folder ({home}); choose a "
            f"folder outside it (or {exports})"
        )
    for source in sources:
        folder = source.resolve()
        if _inside(resolved, folder):
            raise DestinationRefused(
                f"the destination {shown} is inside {folder}, a folder photos are imported "
                "from: the export would be imported again; choose a folder outside it"
            )
    if resolved.exists() and not resolved.is_dir():
        raise DestinationRefused(f"the destination {shown} is a file, not a folder")
    parent = existing_parent(resolved)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationRefused(f"the destination {shown} is not writable ({parent})")
    return resolved


def check_space(destination: Path, needed: int, files: int) -> int:
    """The free bytes at ``destination``; ``DestinationRefused`` when ``needed`` will not fit."""
    free = free_bytes(destination)
    want = needed + files * SIDECAR_MARGIN
    if want > free:
        raise DestinationRefused(
            f"the destination has {_size(free)} free but the export needs {_size(want)}"
        )
    return free


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{n} bytes"
