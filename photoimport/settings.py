"""Settings, built once at the edge (page, CLI, worker) and passed down; no global config.

Two frozen dataclasses:

* ``Settings``: where the library lives (``PHOTOIMPORT_HOME``), which database
  (``PHOTOIMPORT_DATABASE_URL``), which folders a server-side import may read
  (``PHOTOIMPORT_ALLOWED_ROOTS``), plus the default ``ImportSettings`` for new jobs.
* ``ImportSettings``: what one job runs with. A Job row stores these (``to_json``), and the
  worker rebuilds them from the row (``from_json``) so a resumed job behaves the same.

``SETTINGS_HELP`` declares every import setting with its help text; the Settings page and the
README are written from it, and a test checks that each field is documented.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from photoimport.errors import ConfigError

DEFAULT_MAX_IMAGE_PIXELS = 89_478_485  # Pillow's own default decompression-bomb limit


def local_timezone_name() -> str:
    """The server's local IANA zone name, or "UTC" when it cannot be told."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if ("/" in tz) or tz == "UTC":
        return tz
    try:
        link = str(Path("/etc/localtime").readlink())
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return link.split(marker, 1)[1] if marker in link else "UTC"


@dataclass(frozen=True)
class ImportSettings:
    """What one import job runs with."""

    timezone: str = field(default_factory=local_timezone_name)
    error_threshold: float = 0.5
    error_min_sample: int = 20
    thumbnail_size: int = 320
    near_duplicate_distance: int = 6
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    use_mtime: bool = True
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImportSettings:
        data: dict[str, Any] = json.loads(text) if text else {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_changes(self, **changes: Any) -> ImportSettings:
        return replace(self, **changes)


SETTINGS_HELP: Mapping[str, str] = {
    "timezone": "Time zone assumed for photos that do not say theirs (no offset tag, no GPS).",
    "error_threshold": "A job halts when this share of its files has failed (0.5 = half).",
    "error_min_sample": "Files a job must have done before the error threshold applies.",
    "thumbnail_size": "Longest side of a thumbnail, in pixels.",
    "near_duplicate_distance": (
        "Largest perceptual-hash distance (bits of 64) at which two photos count as near "
        "duplicates. 0 finds only identical pictures; above 10 unrelated photos start to match."
    ),
    "workers": "Processes a worker uses to process files (defaults to the number of cores).",
    "use_mtime": "Use the file's modification time as a last-resort date (off for uploads).",
    "max_image_pixels": "Images with more pixels than this are refused as decompression bombs.",
}


@dataclass(frozen=True)
class Settings:
    """Where the library lives and which database it uses."""

    home: Path
    database_url: str
    allowed_roots: tuple[Path, ...] = ()
    imports: ImportSettings = field(default_factory=ImportSettings)

    @property
    def thumbs_dir(self) -> Path:
        return self.home / "thumbs"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def demo_dir(self) -> Path:
        return self.home / "demo"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build ``Settings`` from an environment mapping (``os.environ`` when not given)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("PHOTOIMPORT_HOME") or Path.cwd() / "data").expanduser().absolute()
    url = env.get("PHOTOIMPORT_DATABASE_URL") or f"sqlite:///{home / 'photoimport.db'}"
    if not url.startswith(("sqlite:", "postgresql+psycopg:", "postgresql:")):
        raise ConfigError(
            "PHOTOIMPORT_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, "
            f"got {url!r}"
        )
    roots_text = env.get("PHOTOIMPORT_ALLOWED_ROOTS", "")
    roots = tuple(
        Path(part).expanduser().resolve() for part in roots_text.split(os.pathsep) if part.strip()
    )
    return Settings(home=home, database_url=url, allowed_roots=roots)
