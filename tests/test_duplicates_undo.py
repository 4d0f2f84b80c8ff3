"""Resolving every group by the rules, then undoing it, on SQLite and PostgreSQL: the keeper of
each rule order, the flags and merged facts written, the change rows, and an undo that puts
every value back, also for photos an earlier decision had kept or discarded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.decisions import DupChange, DupGroup
from photoimport.db.engine import make_engine
from photoimport.db.models import FILE
from photoimport.duplicates import queries
from photoimport.duplicates.groups import assign_near_groups
from photoimport.duplicates.queries import GroupFilter, count_groups
from photoimport.duplicates.resolve import keep, preview_rules, resolve_by_rules, undo
from photoimport.duplicates.rules import parse_rules
from photoimport.duplicates.values import KeepRules
from photoimport.enums import Confidence
from tests.duplicates_support import WHEN, add_job, add_photo, hexed

CHANGE: sa.Table = DupChange.__table__  # type: ignore[attr-defined]
GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
A = 0xF0F0F0F0F0F0F0F0
B = 0x0F0F0F0F0F0F0F0F
Snapshot = tuple[list[tuple[object, ...]], list[tuple[object, ...]]]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
        return
    pg = make_engine(request.getfixturevalue("postgres_url"))
    yield pg
    pg.dispose()


@pytest.fixture
def library(engine: Engine) -> dict[str, int]:
    """Two groups of copies to review. ``original``/``chat``: an original with its date, GPS
    and camera, and a larger messenger copy with none of them. ``b1``/``b2``/``b3``: an earlier
    decision kept b1 and discarded b2; then b3 arrived and the group is back to review."""
    job = add_job(engine)
    ids = {
        "original": add_photo(
            engine,
            job,
            "o" * 64,
            hexed(A),
            make="Apple",
            model="iPhone 12",
            gps_latitude=1.5,
            gps_longitude=2.5,
            size=3_000_000,
        ),
        "chat": add_photo(
            engine,
            job,
            "m" * 64,
            hexed(A ^ 1),
            seconds=None,
            paths=("/chat/IMG-20210411-WA0001.jpg",),
            size=4_000_000,
        ),
        "b1": add_photo(engine, job, "b" * 64, hexed(B), size=1_000_000),
        "b2": add_photo(engine, job, "c" * 64, hexed(B ^ 3), size=2_000_000),
    }
    assign_near_groups(engine, 6)
    with engine.connect() as conn:
        group = conn.execute(
            sa.text("SELECT group_id FROM dupmember WHERE file_id = :f"), {"f": ids["b1"]}
        ).scalar_one()
    ids["earlier"] = keep(engine, group, [ids["b1"]]).id
    ids["b3"] = add_photo(engine, job, "d" * 64, hexed(B ^ 7), size=500_000)
    assign_near_groups(engine, 6)
    return ids


def snapshot(engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        files = [tuple(r) for r in conn.execute(sa.select(FILE).order_by(FILE.c.id))]
        groups = [tuple(r) for r in conn.execute(sa.select(GROUP).order_by(GROUP.c.id))]
    return files, groups


def flags(engine: Engine, file_id: int) -> tuple[bool, int | None]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(FILE.c.discarded, FILE.c.dup_decision_id).where(FILE.c.id == file_id)
        ).one()
    return bool(row.discarded), row.dup_decision_id


def changes(engine: Engine, decision: int) -> set[tuple[int | None, str, str, str]]:
    query = sa.select(CHANGE.c.file_id, CHANGE.c.field, CHANGE.c.old_value, CHANGE.c.new_value)
    with engine.connect() as conn:
        rows = conn.execute(query.where(CHANGE.c.decision_id == decision))
        return {(r.file_id, r.field, r.old_value, r.new_value) for r in rows}


def test_larger_file_first_keeps_the_copy_and_gives_it_what_the_original_knew(
    engine: Engine, library: dict[str, int]
) -> None:
    before = snapshot(engine)
    rules = parse_rules("larger")
    preview = preview_rules(engine, GroupFilter(), rules)
    assert (preview.groups, preview.kept, preview.discarded) == (2, 2, 3)
    assert preview.by_rule == {"larger file": 2}
    info = resolve_by_rules(engine, GroupFilter(), rules)
    assert info.summary == "2 groups: kept 2, discarded 3, 1 keepers got facts from their copies"
    assert count_groups(engine, GroupFilter()) == 0
    earlier, now = library["earlier"], info.id
    assert flags(engine, library["chat"]) == (False, now)
    assert flags(engine, library["original"]) == (True, now)
    assert flags(engine, library["b2"]) == (False, now)  # discarded earlier, the keeper now
    assert flags(engine, library["b1"]) == (True, now)  # kept earlier, discarded now
    assert flags(engine, library["b3"]) == (True, now)
    with engine.connect() as conn:
        chat = conn.execute(sa.select(FILE).where(FILE.c.id == library["chat"])).one()
    assert (chat.effective_utc, chat.effective_confidence) == (WHEN, Confidence.HIGH)
    assert (chat.gps_latitude, chat.gps_longitude, chat.make) == (1.5, 2.5, "Apple")
    assert chat.capture_utc is None  # the facts are never written
    b1, b2, chat_id = library["b1"], library["b2"], library["chat"]
    rows = changes(engine, now)
    assert {r for r in rows if r[0] in (b1, b2)} == {
        (b1, "discarded", "false", "true"),
        (b1, "dup_decision_id", str(earlier), str(now)),
        (b2, "discarded", "true", "false"),
        (b2, "dup_decision_id", str(earlier), str(now)),
    }
    assert {r[1] for r in rows if r[0] == chat_id} == {
        "effective_utc",
        "effective_local",
        "effective_offset_minutes",
        "effective_confidence",
        "gps_latitude",
        "gps_longitude",
        "make",
        "model",
    }
    assert not {r for r in rows if r[0] in (library["original"], library["b3"])}  # plain

    undo(engine)
    assert snapshot(engine) == before
    assert flags(engine, b1) == (False, earlier)
    assert flags(engine, b2) == (True, earlier)


def test_each_rule_order_its_keepers_and_undo_restores_every_value(
    engine: Engine, library: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "STREAM_PAGE", 1)  # a read of one group at a time, streamed
    before = snapshot(engine)
    expected = {
        "default": (KeepRules(), {"original", "b2"}),
        "larger": (parse_rules("larger"), {"chat", "b2"}),
        "first-seen": (parse_rules("first-seen"), {"original", "b1"}),
        "shorter-path": (parse_rules("shorter-path"), {"chat", "b2"}),
    }
    for name, (rules, kept) in expected.items():
        info = resolve_by_rules(engine, GroupFilter(), rules)
        ids = {k: v for k, v in library.items() if k != "earlier"}
        assert {k for k, i in ids.items() if not flags(engine, i)[0]} == kept, name
        undo(engine, info.id)
        assert snapshot(engine) == before, name
    assert gc.isenabled()  # the collector paused for the plan runs again
    if engine.dialect.name == "sqlite":  # the bulk write's page cache is back to its default
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -2000
