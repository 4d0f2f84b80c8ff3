"""The demo photos shipped with the app ("Try it with demo photos" on the Import page).

Six permissively licensed real photos (JPEG and HEIC, some with GPS; sources and licences in
``demo_photos/LICENSES.md``). ``stage_demo_photos`` copies them into the library's ``demo/``
folder, so a demo job reads from the library home like any other import and never depends on
where the app is installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from photoimport.settings import Settings

__all__ = ["DEMO_PHOTOS_DIR", "demo_photo_paths", "stage_demo_photos"]

DEMO_PHOTOS_DIR = Path(__file__).resolve().parent / "demo_photos"
_PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".heic", ".png", ".webp"})


def demo_photo_paths() -> list[Path]:
    """The shipped demo photos, sorted by name."""
    return sorted(p for p in DEMO_PHOTOS_DIR.iterdir() if p.suffix.lower() in _PHOTO_SUFFIXES)


def stage_demo_photos(settings: Settings) -> list[Path]:
    """Copy the demo photos into ``<home>/demo/`` (once; an intact copy is reused)."""
    settings.demo_dir.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    for src in demo_photo_paths():
        dest = settings.demo_dir / src.name
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            tmp = dest.with_name(f".{dest.name}.copying")
            shutil.copyfile(src, tmp)
            tmp.replace(dest)
        staged.append(dest)
    return staged
