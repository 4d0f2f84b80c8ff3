"""Shared fixtures. Area-specific fixtures live in tests/fixtures/<area>.py, loaded here."""

from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.corpus",
    "tests.fixtures.images",
    "tests.fixtures.db",
    "tests.fixtures.postgres",
    "tests.fixtures.app",
]
