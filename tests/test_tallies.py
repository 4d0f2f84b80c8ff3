"""The Review and Gallery pages' counts kept by triggers (``db.tallies``) equal counting the
rows, on real SQLite and PostgreSQL, through every kind of change: new photos, variants,
discarded duplicates, date decisions, disputes worked out, a camera renamed, a photo deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db import counters, tallies
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE, Confidence
from photoimport.library.queries import FileFilter, count_files, filter_conditions, list_cameras
from photoimport.review.queue import _in_queue, count_queue
from photoimport.review.selection import list_camera_keys
from photoimport.review.values import CameraKey

CAMERAS = (("Apple", "iPhone 12", None), ("Canon", "EOS R6", "0123"), (None, "X", None))
LEVELS = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW, Confidence.NONE)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 't.db'}")
    return make_engine(str(request.getfixturevalue("postgres_url")))


def _row(i: int) -> dict[str, object]:
    make, model, serial = CAMERAS[i % len(CAMERAS)] if i % 7 else (None, None, None)
    level = LEVELS[i % len(LEVELS)]
    return {
        "sha256": f"{i:064x}", "path": f"/p/{i}.jpg", "name": f"{i}.jpg", "size": 1,
        "mime": "image/jpeg", "format": "JPEG", "width": 1, "height": 1, "display_width": 1,
        "display_height": 1, "make": make, "model": model, "camera_serial": serial,
        "confidence": level.value, "effective_confidence": level.value,
    }  # fmt: skip


def counted_queue(engine: Engine, confidences: tuple[Confidence, ...] = ()) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(FILE).where(_in_queue(confidences))
        return int(conn.execute(query).scalar_one())


def counted_cameras(engine: Engine) -> list[tuple[CameraKey, int]]:
    query = (
        sa.select(FILE.c.make, FILE.c.model, FILE.c.camera_serial, sa.func.count())
        .where(sa.or_(FILE.c.make.is_not(None), FILE.c.model.is_not(None)))
        .group_by(FILE.c.make, FILE.c.model, FILE.c.camera_serial)
    )
    with engine.connect() as conn:
        rows = [(CameraKey(m, mo, s), int(n)) for m, mo, s, n in conn.execute(query)]
    return sorted(rows, key=lambda r: (r[0].model or "", r[0].make or "", r[0].serial or ""))


def counted_files(engine: Engine, flt: FileFilter) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(FILE).where(*filter_conditions(flt))
        return int(conn.execute(query).scalar_one())


def check(engine: Engine) -> None:
    for conf in ((), (Confidence.LOW,), (Confidence.HIGH, Confidence.MEDIUM)):
        assert count_queue(engine, conf) == counted_queue(engine, conf), conf
        flt = FileFilter(confidences=conf)
        assert count_files(engine, flt) == counted_files(engine, flt), conf
    assert list_camera_keys(engine) == counted_cameras(engine)
    models = {k.model for k, _ in counted_cameras(engine) if k.model is not None}
    assert list_cameras(engine) == sorted(models)
    with engine.connect() as conn, conn.begin() as tx:  # a rebuild from the rows agrees
        before = counters.read(conn), tallies.camera_counts(conn)
        counters.rebuild(conn)
        assert (counters.read(conn), tallies.camera_counts(conn)) == before
        tx.rollback()


def test_the_review_counts_follow_every_change(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(FILE.insert(), [_row(i) for i in range(60)])
    check(engine)
    assert count_queue(engine) == 30  # LOW and NONE; no MEDIUM disputed yet
    with engine.begin() as conn:
        ids = [int(i) for i in conn.execute(sa.select(FILE.c.id).order_by(FILE.c.id)).scalars()]
        conn.execute(FILE.update().where(FILE.c.id == ids[2]).values(variant_of=ids[0]))
        conn.execute(FILE.update().where(FILE.c.id.in_(ids[3:12])).values(discarded=True))
        medium = FILE.c.effective_confidence == Confidence.MEDIUM.value
        for first, disputed in ((True, True), (False, False)):
            half = FILE.c.id < ids[30] if first else FILE.c.id >= ids[30]
            conn.execute(FILE.update().where(medium, half).values(capture_disputed=disputed))
        conn.execute(
            FILE.update().where(FILE.c.id.in_(ids[40:50])).values(effective_confidence="HIGH")
        )
    check(engine)
    with engine.begin() as conn:
        conn.execute(FILE.update().where(FILE.c.id == ids[1]).values(model="iPhone 12 mini"))
        conn.execute(FILE.update().where(FILE.c.id.in_(ids[4:6])).values(discarded=False))
        conn.execute(FILE.update().where(FILE.c.id == ids[2]).values(variant_of=None))
        conn.execute(FILE.delete().where(FILE.c.id.in_(ids[55:])))
    check(engine)
