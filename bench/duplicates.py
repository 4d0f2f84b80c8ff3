"""Duplicates at scale (issue 13): the Duplicates page with 1,000,000 photos and 100,000+ groups,
and resolving every group of 100,000 photos by the keep-best rules, on SQLite.

* ``materialise(engine)`` turns the seeded ``File.near_group`` values (``library_seed``: 10 %
  of the photos in near groups of two) and the contents seen under two paths into group rows
  with ``duplicates.groups.refresh_groups`` (what the worker does after each job).
* ``time_duplicates_page(rows)``: the page script through AppTest (best of ``repeat``), its
  queries alone under several filters, and the Gallery page on the same library as the
  baseline of the same run.
* ``time_resolve_all(rows)``: a library whose photos are all in groups of two, resolved by the
  rules in one decision, then undone; the baseline is one UPDATE of every photo's
  ``discarded`` flag.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest  # noqa: TID251 (times the page scripts; not core)

from bench.library_seed import best_ms, seed_library
from bench.pages import ROOT, _home_env
from photoimport.db.engine import make_engine
from photoimport.db.models import File
from photoimport.duplicates.groups import refresh_groups
from photoimport.duplicates.kinds import KindedGroup
from photoimport.duplicates.queries import GroupFilter, count_groups, list_groups, load_rules
from photoimport.duplicates.resolve import resolve_by_rules, undo
from photoimport.duplicates.values import GroupKind, GroupOrder
from widgets.panels import NAVIGATION_RAN

FILE: sa.Table = File.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PageTimings:
    photos: int
    groups: int
    seed_s: float
    materialise_s: float
    page_ms: float
    gallery_ms: float  # the baseline: the Gallery page on the same library, same run
    queries_ms: dict[str, float]


@dataclass(frozen=True)
class ResolveTimings:
    photos: int
    groups: int
    resolve_s: float
    resolve_cpu_s: float  # this process's CPU time (the machine may be shared)
    undo_s: float
    floor_s: float  # one UPDATE of every photo's discarded flag


def _page(path: str) -> AppTest:
    """A page's script alone, as ``st.navigation`` runs it (the home page is not run first:
    its library totals over a million photos are the home page's cost, not this page's)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=600)
    at.session_state[NAVIGATION_RAN] = True
    return at


def seed(engine: Engine, rows: int) -> int:
    """``library_seed`` rows, their effective capture time equal to the detected one (as the
    migration that added it leaves existing rows); returns the job id."""
    job_id = seed_library(engine, rows)
    with engine.begin() as conn:
        conn.execute(
            FILE.update().values(
                effective_utc=FILE.c.capture_utc,
                effective_local=FILE.c.capture_local,
                effective_offset_minutes=FILE.c.capture_offset_minutes,
                effective_confidence=FILE.c.confidence,
            )
        )
    return job_id


def materialise(engine: Engine) -> int:
    """Group rows from the seeded ``near_group`` values and exact duplicates; returns groups."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(FILE.c.id, FILE.c.near_group, FILE.c.effective_utc)).all()
    members: dict[int, list[int]] = {}
    for r in rows:
        if r.near_group is not None:
            members.setdefault(int(r.near_group), []).append(int(r.id))
    near = [
        KindedGroup(tuple(sorted(ids)), GroupKind.COPIES)
        for ids in members.values()
        if len(ids) > 1
    ]
    taken = {int(r.id): r.effective_utc for r in rows}
    with engine.begin() as conn:
        refresh_groups(conn, near, taken)
        return int(conn.execute(sa.text("SELECT count(*) FROM dupgroup")).scalar_one())


def time_duplicates_page(rows: int = 1_000_000, repeat: int = 3) -> PageTimings:
    home = Path(tempfile.mkdtemp(prefix="bench-duplicates-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        start = time.perf_counter()
        job_id = seed(engine, rows)
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        groups = materialise(engine)
        materialised = time.perf_counter() - start
        rules = load_rules(engine)

        def page(flt: GroupFilter) -> None:
            count_groups(engine, flt)
            list_groups(engine, flt, rules, limit=10)

        filters = {
            "largest first": GroupFilter(),
            "newest first": GroupFilter(order=GroupOrder.NEWEST),
            "exact, largest first": GroupFilter(kind=GroupKind.EXACT),
            "one job": GroupFilter(job_id=job_id),
            "page 1,000": GroupFilter(),
        }
        queries = {
            name: best_ms(lambda f=flt: page(f), repeat)
            for name, flt in filters.items()  # type: ignore[misc]
        }
        queries["page 1,000"] = best_ms(
            lambda: list_groups(engine, GroupFilter(), rules, offset=9990, limit=10), repeat
        )
        with _home_env(home):
            dup = _page("pages/duplicates.py")
            dup.run()
            page_ms = best_ms(dup.run, repeat)
            assert not dup.exception, dup.exception
            shown = " ".join(c.value for c in dup.caption)
            assert f"of {count_groups(engine, GroupFilter()):,}" in shown, shown
            gallery = _page("pages/gallery.py")
            gallery.run()
            gallery_ms = best_ms(gallery.run, repeat)
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return PageTimings(rows, groups, seeded, materialised, page_ms, gallery_ms, queries)


def time_resolve_all(rows: int = 100_000) -> ResolveTimings:
    home = Path(tempfile.mkdtemp(prefix="bench-resolve-"))
    try:
        engine = make_engine(f"sqlite:///{home / 'photoimport.db'}")
        seed(engine, rows)
        with engine.begin() as conn:  # every photo in a group of two
            conn.execute(FILE.update().values(near_group=FILE.c.id - (FILE.c.id + 1) % 2))
        groups = materialise(engine)
        rules = load_rules(engine)
        start, cpu = time.perf_counter(), time.process_time()
        resolve_by_rules(engine, GroupFilter(), rules, source="bench")
        resolved, resolved_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        undo(engine)
        undone = time.perf_counter() - start
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(FILE.update().values(discarded=FILE.c.id % 2 == 0))
        floor = time.perf_counter() - start
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return ResolveTimings(rows, groups, resolved, resolved_cpu, undone, floor)
