"""The project's shape: module sizes, a Streamlit-free core, documented settings."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from photoimport.settings import SETTINGS, ImportSettings

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted([*ROOT.joinpath("photoimport").rglob("*.py"), *ROOT.joinpath("worker").rglob("*.py")])
PAGES = sorted(ROOT.joinpath("pages").glob("*.py"))


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_is_small_and_streamlit_free(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400, f"{path} is over 400 lines: split it by responsibility"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "streamlit" not in imported


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 150


def test_dashboard_is_short() -> None:
    assert len((ROOT / "dashboard.py").read_text(encoding="utf-8").splitlines()) <= 150


def test_every_import_setting_has_help_text() -> None:
    names = {f.name for f in fields(ImportSettings)}
    assert names == {spec.name for spec in SETTINGS}
    assert all(len(spec.help) > 20 for spec in SETTINGS)


def test_readme_opens_with_the_two_commands() -> None:
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    assert "make run" in head
    assert "make test" in head


def test_import_settings_round_trip_through_json() -> None:
    s = ImportSettings(timezone="Europe/Madrid", error_threshold=0.25, workers=3)
    assert ImportSettings.from_json(s.to_json()) == s
