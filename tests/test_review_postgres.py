"""Date decisions on PostgreSQL: the SQL date arithmetic (intervals, to_char) gives the same
values as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from photoimport.db.engine import make_engine
from photoimport.enums import Confidence
from photoimport.review import bulk, decisions, queue, undo
from photoimport.review.values import CameraKey, Selection
from tests.review_support import add_job, add_photo, effective

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.postgres
def test_shift_zone_accept_undo_on_postgres(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    job = add_job(engine)
    a = add_photo(engine, job, "/p/t/IMG_0001.JPG", "2021-05-01T10:00:00.250000+02:00")
    low = add_photo(
        engine, job, "/p/t/IMG_0002.JPG", "2021-12-31T23:30:00+02:00", confidence=Confidence.LOW
    )
    canon = Selection(camera=CameraKey("Canon", "Canon EOS 80D"))
    shifted = bulk.shift_dates(engine, canon, by=timedelta(hours=1, seconds=5), now=NOW)
    assert shifted.count == 2
    assert effective(engine, a)[0] == "2021-05-01T11:00:05.250000+02:00"
    assert effective(engine, low)[0] == "2022-01-01T00:30:05+02:00"
    bulk.shift_dates(engine, Selection(folder="/p/t"), zone_text="America/New_York", now=NOW)
    assert effective(engine, a)[0] == "2021-05-01T11:00:05.250000-04:00"
    assert effective(engine, low)[0] == "2022-01-01T00:30:05-05:00"
    assert queue.count_queue(engine) == 1
    decisions.accept_proposals(engine, [low])
    assert queue.count_queue(engine) == 0
    for _ in range(3):
        undo.undo_last(engine)
    assert effective(engine, a) == ("2021-05-01T10:00:00.250000+02:00", "MEDIUM", None)
    assert effective(engine, low) == ("2021-12-31T23:30:00+02:00", "LOW", None)
    engine.dispose()
