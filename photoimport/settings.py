"""Settings, built once at the edge (page, CLI, worker) and passed down; no global config.

Two frozen dataclasses:

* ``Settings``: where the library lives (``PHOTOIMPORT_HOME``), which database
  (``PHOTOIMPORT_DATABASE_URL``), which folders a server-side import may read
  (``PHOTOIMPORT_ALLOWED_ROOTS``), plus the default ``ImportSettings`` for new jobs.
* ``ImportSettings``: what one job runs with. A Job row stores these (``to_json``), and the
  worker rebuilds them from the row (``from_json``) so a resumed job behaves the same.

``SETTINGS`` is THE table of import settings (name, label, help, allowed range; the default is
the dataclass field's): the Settings page, the settings store, the CLI and job creation all read
it, so a value out of range is refused where it is entered and never reaches a job.
"""

from __future__ import annotations

import json
import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from photoimport.errors import ConfigError, hide_passwords

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
    # --- issue 10: a file that hangs or eats memory is that file's error ---
    file_timeout_seconds: int = 120
    file_memory_mb: int = 2048
    verify_unchanged: bool = False  # issue 16: re-read files whose stat says unchanged

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImportSettings:
        data: dict[str, Any] = json.loads(text) if text else {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_changes(self, **changes: Any) -> ImportSettings:
        return replace(self, **changes)


@dataclass(frozen=True)
class SettingSpec:
    """One import setting: its name (an ``ImportSettings`` field), what people read, its range.

    The default is the ``ImportSettings`` field's own. ``low``/``high`` bound numbers (inclusive);
    ``None`` for settings that are not numbers (a zone, a switch).
    """

    name: str
    label: str
    help: str
    low: float | None = None
    high: float | None = None

    def check(self, value: object) -> None:
        """Raise ``ConfigError`` when ``value`` is outside this setting's range."""
        if self.low is None or self.high is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self.name} must be a number, got {value!r}")
        if not self.low <= value <= self.high:
            raise ConfigError(
                f"{self.name} must be between {self.low:g} and {self.high:g}, got {value:g}"
            )


# THE table of import settings: the Settings page, the settings store, the CLI and job creation
# all read it (a test checks that it names every ``ImportSettings`` field).
SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "timezone",
        "Default time zone",
        "Time zone assumed for photos that do not say theirs (no offset tag, no GPS).",
    ),
    SettingSpec(
        "error_threshold",
        "Error threshold",
        "A job halts when this share of its files has failed (0.5 = half).",
        0.0,
        1.0,
    ),
    SettingSpec(
        "error_min_sample",
        "Files before the threshold applies",
        "Files a job must have done before the error threshold applies.",
        1,
        1_000_000,
    ),
    SettingSpec(
        "thumbnail_size",
        "Thumbnail size (px)",
        "Longest side of a thumbnail, in pixels.",
        64,
        2048,
    ),
    SettingSpec(
        "near_duplicate_distance",
        "Near-duplicate distance (bits)",
        "Largest perceptual-hash distance (bits of 64) at which two photos count as near "
        "duplicates. 0 finds only identical pictures; above 10 unrelated photos start to match.",
        0,
        24,  # beyond this perceptual hashes of unrelated photos match anyway
    ),
    SettingSpec(
        "workers",
        "Worker processes",
        "Processes a worker uses to process files (defaults to the number of cores).",
        1,
        64,
    ),
    SettingSpec(
        "use_mtime",
        "Use file modification time as a last resort",
        "Use the file's modification time as a last-resort date (off for uploads).",
    ),
    SettingSpec(
        "max_image_pixels",
        "Largest image (pixels)",
        "Images with more pixels than this are refused as decompression bombs.",
        1_000_000,
        2_000_000_000,
    ),
    # --- issue 10 ---
    SettingSpec(
        "file_timeout_seconds",
        "Time limit per file (s)",
        "A file still being processed after this many seconds is stopped and recorded as an "
        "error (took longer than the limit); the job goes on with the next files.",
        1,
        86_400,
    ),
    SettingSpec(
        "file_memory_mb",
        "Memory limit per file (MB)",
        "Memory one process may take for one file on top of what it starts with; a file that "
        "needs more is recorded as an error instead of exhausting the server's memory.",
        64,
        1_048_576,
    ),
    SettingSpec(
        "verify_unchanged",
        "Re-read unchanged files",
        "Read and hash every file again, even one whose path, size and modification time say "
        "it has not changed since the library read it (slower; the CLI's import --verify).",
    ),
)
SETTINGS_BY_NAME: Mapping[str, SettingSpec] = {spec.name: spec for spec in SETTINGS}


def validate_import_settings(settings: ImportSettings) -> None:
    """Raise ``ConfigError`` naming the first setting whose value cannot be used."""
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"time zone {settings.timezone!r} is not a known IANA zone") from exc
    for spec in SETTINGS:
        spec.check(getattr(settings, spec.name))


@dataclass(frozen=True)
class Settings:
    """Where the library lives and which database it uses."""

    home: Path
    database_url: str
    allowed_roots: tuple[Path, ...] = ()
    imports: ImportSettings = field(default_factory=ImportSettings)
    shared_thumbs: Path | None = None  # PHOTOIMPORT_THUMBS_DIR: one folder for every host

    @property
    def thumbs_dir(self) -> Path:
        return self.shared_thumbs or self.home / "thumbs"

    def thumbnail_file(self, stored: str) -> Path:
        """Where a ``File.thumbnail`` value is on this host. Thumbnails are content-addressed
        (``thumbs/<sha[:2]>/<sha>.jpg``), so the key resolves under this host's thumbnail folder
        wherever the worker that wrote it ran (a shared folder mounted anywhere)."""
        key = Path(stored)
        if key.is_absolute():
            return key
        if key.parts[:1] == ("thumbs",):
            return self.thumbs_dir.joinpath(*key.parts[1:])
        return self.home / key

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
            f"got {hide_passwords(url)!r}"
        )
    roots_text = env.get("PHOTOIMPORT_ALLOWED_ROOTS", "")
    roots = tuple(
        Path(part).expanduser().resolve() for part in roots_text.split(os.pathsep) if part.strip()
    )
    thumbs = env.get("PHOTOIMPORT_THUMBS_DIR")
    shared = Path(thumbs).expanduser().absolute() if thumbs else None
    return Settings(home=home, database_url=url, allowed_roots=roots, shared_thumbs=shared)
