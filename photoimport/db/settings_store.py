"""The import settings new jobs start with, stored in the database (the Settings page).

``load_import_settings`` returns the stored ``ImportSettings`` (or the defaults when nothing is
stored yet); ``save_import_settings`` validates and stores them. A job copies the settings into
its own row when it is created, so changing them never changes a job that already exists.
"""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from photoimport.db.models import StoredSettings, utcnow
from photoimport.display import local_zone
from photoimport.settings import ImportSettings, validate_import_settings

__all__ = ["display_zone", "load_import_settings", "save_import_settings"]

_ROW_ID = 1


def load_import_settings(engine: Engine, defaults: ImportSettings | None = None) -> ImportSettings:
    """The stored settings, or ``defaults`` (the built-in ones when not given)."""
    with Session(engine) as session:
        row = session.get(StoredSettings, _ROW_ID)
        if row is None or not row.settings_json:
            return defaults or ImportSettings()
        return ImportSettings.from_json(row.settings_json)


def display_zone(engine: Engine, defaults: ImportSettings | None = None) -> tzinfo:
    """THE zone people see times in (pages and CLI alike): the stored time-zone setting."""
    return local_zone(load_import_settings(engine, defaults).timezone)


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
