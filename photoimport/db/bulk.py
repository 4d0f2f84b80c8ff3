"""Bulk work in one transaction: ``roomy_cache(conn)`` around a write of many rows,
``paused_gc()`` around a plan that builds an object per row.

SQLite's default page cache (2 MiB) is smaller than what a write over a whole library dirties
(the rows, and every index over a changed column). When it is full SQLite spills dirty pages to
the WAL in the middle of the transaction and reads them back for the next rows: resolving the
duplicates of 100,000 photos spent two thirds of its time there. A bigger cache for that one
transaction keeps the pages in memory until the commit writes each once. PostgreSQL has no such
per-connection setting: nothing to do there.

Python's cyclic garbage collector runs after every few hundred new objects and, every so often,
walks all the objects still alive: with the 100,000 members of a resolve alive (and the rows,
lists and changes built from them) those walks took a quarter of its CPU time. Reference
counting frees every one of them as usual while the collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

__all__ = ["BULK_CACHE_MIB", "paused_gc", "roomy_cache"]

BULK_CACHE_MIB = 128  # the pages one decision over 100,000 photos dirties, with room to spare


@contextmanager
def roomy_cache(conn: Connection, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """Inside a transaction on ``conn``: SQLite's page cache at ``mib`` MiB (at least its own
    setting) until the block ends, then back to what it was. SQLite fills the cache only as
    pages are read or written and keeps dirty pages until the commit, so lowering it again
    before the commit loses nothing."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    # a negative cache_size is in KiB, a positive one in pages
    size = min(-mib * 1024, before) if before < 0 else -mib * 1024
    conn.exec_driver_sql(f"PRAGMA cache_size={size}")
    try:
        yield
    finally:
        if not conn.invalidated:  # a lost connection has no cache to put back
            conn.exec_driver_sql(f"PRAGMA cache_size={before}")


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off until the block ends (then on again, unless it was off
    before); cycles made meanwhile are collected after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
