"""The import settings new jobs start with, stored in the database (the Settings page).

``load_import_settings`` returns the stored ``ImportSettings`` (or the defaults when nothing is
stored yet); ``save_import_settings`` validates and stores them. A job copies the settings into
its own row when it is created, so changing them never changes a job that already exists.
"""

from __future__ import annotations

import zoneinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from photoimport.errors import ConfigError
from photoimport.models import StoredSettings, utcnow
from photoimport.settings import ImportSettings

__all__ = ["load_import_settings", "save_import_settings", "validate_import_settings"]

_ROW_ID = 1


def load_import_settings(engine: Engine, defaults: ImportSettings | None = None) -> ImportSettings:
    """The stored settings, or ``defaults`` (the built-in ones when not given)."""
    with Session(engine) as session:
        row = session.get(StoredSettings, _ROW_ID)
        if row is None or not row.settings_json:
            return defaults or ImportSettings()
        return ImportSettings.from_json(row.settings_json)


def save_import_settings(engine: Engine, settings: ImportSettings) -> ImportSettings:
    """Validate and store ``settings`` for new jobs; returns what was stored."""
    validate_import_settings(settings)
    with Session(engine) as session:
        row = session.get(StoredSettings, _ROW_ID)
        if row is None:
            row = StoredSettings(id=_ROW_ID, settings_json=settings.to_json())
        else:
            row.settings_json = settings.to_json()
            row.updated_at = utcnow()
        session.add(row)
        session.commit()
    return settings


def validate_import_settings(settings: ImportSettings) -> None:
    """Raise ``ConfigError`` naming the first setting whose value cannot be used."""
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"time zone {settings.timezone!r} is not a known IANA zone") from exc
    checks: tuple[tuple[str, float, float, float], ...] = (
        ("error_threshold", settings.error_threshold, 0.0, 1.0),
        ("error_min_sample", settings.error_min_sample, 1, 1_000_000),
        ("thumbnail_size", settings.thumbnail_size, 64, 2048),
        ("near_duplicate_distance", settings.near_duplicate_distance, 0, 32),
        ("workers", settings.workers, 1, 64),
        ("max_image_pixels", settings.max_image_pixels, 1_000_000, 2_000_000_000),
    )
    for name, value, low, high in checks:
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
