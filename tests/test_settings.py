from __future__ import annotations

import os
from pathlib import Path

import pytest

from photoimport.errors import ConfigError
from photoimport.settings import load_settings


def test_defaults_put_the_library_under_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings({})
    assert s.home == tmp_path / "data"
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'photoimport.db'}"
    assert s.allowed_roots == ()
    assert s.thumbs_dir == tmp_path / "data" / "thumbs"


def test_environment_sets_home_url_and_roots(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    s = load_settings(
        {
            "PHOTOIMPORT_HOME": str(tmp_path / "home"),
            "PHOTOIMPORT_DATABASE_URL": "postgresql+psycopg://u@localhost/db",
            "PHOTOIMPORT_ALLOWED_ROOTS": f"{a}{os.pathsep}{b}",
        }
    )
    assert s.home == tmp_path / "home"
    assert s.database_url == "postgresql+psycopg://u@localhost/db"
    assert s.allowed_roots == (a.resolve(), b.resolve())


def test_a_bad_database_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="PHOTOIMPORT_DATABASE_URL must be"):
        load_settings({"PHOTOIMPORT_DATABASE_URL": "mysql://x"})
