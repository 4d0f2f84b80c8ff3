"""A re-import of the same content never loses a date decision (real worker processes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.models import FILE
from photoimport.review import bulk, decisions
from photoimport.review.values import Selection
from photoimport.settings import Settings
from tests.fixtures.db import WaitUntil
from tests.test_worker import run_folder_job
from tests.worker_support import copy_corpus


def _effective(engine: Engine) -> dict[str, tuple[object, ...]]:
    cols = (FILE.c.effective_local, FILE.c.effective_confidence, FILE.c.date_decision_id)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(FILE.c.sha256, *cols)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_decisions_survive_a_reimport(
    sqlite_engine: Engine, sqlite_settings: Settings, tmp_path: Path, wait_until: WaitUntil
) -> None:
    first = tmp_path / "first"
    copied = copy_corpus(first, broken=False, limit=3)
    run_folder_job(sqlite_engine, sqlite_settings, first, wait_until)
    with sqlite_engine.connect() as conn:
        ids = [int(i) for i in conn.execute(sa.select(FILE.c.id).order_by(FILE.c.id)).scalars()]
    assert len(ids) == len(copied)
    decisions.set_date(sqlite_engine, ids[0], "2001-02-03 04:05:06+01:00", "UTC")
    bulk.shift_dates(sqlite_engine, Selection(folder=str(first)), by=None, zone_text="+09:00")
    before = _effective(sqlite_engine)
    assert before[next(iter(before))][2] is not None
    second = tmp_path / "second"
    shutil.copytree(first, second)
    run_folder_job(sqlite_engine, sqlite_settings, second, wait_until)  # same contents elsewhere
    run_folder_job(sqlite_engine, sqlite_settings, first, wait_until)  # the same folder again
    assert _effective(sqlite_engine) == before
