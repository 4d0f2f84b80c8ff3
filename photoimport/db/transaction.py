"""The one way to open a write transaction (``db.claims`` re-exports it for its callers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["write_transaction"]


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A write transaction; on SQLite it takes the write lock first (``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
