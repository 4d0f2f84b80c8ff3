"""A decision's changes: collected (``Batch``), written with their old and new values
(``write_batch``: ``DupChange`` rows, JSON text), and put back by undo (``revert``: only values
still as the decision left them; the others changed since and are counted, not touched)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from photoimport.db.models import FILE, DupChange, DupGroup, NotDuplicate
from photoimport.duplicates.merge import Facts, FieldChange
from photoimport.enums import Confidence

__all__ = ["Batch", "State", "decode", "encode", "read_states", "revert", "write_batch"]

GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
CHANGE: sa.Table = DupChange.__table__  # type: ignore[attr-defined]
NOTDUP: sa.Table = NotDuplicate.__table__  # type: ignore[attr-defined]
CHUNK = 500
DATETIME_FIELDS = frozenset({"effective_utc"})


def encode(value: object) -> str:
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, Enum):
        return json.dumps(value.value)
    return json.dumps(value)


def decode(field: str, text: str | None) -> object:
    if text is None:
        return None
    value = json.loads(text)
    if field in DATETIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


@dataclass
class Batch:
    """What one decision changes, collected before it is written."""

    files: list[FieldChange] = field(default_factory=list)
    groups: list[tuple[int, int | None]] = field(default_factory=list)  # (group, old decision)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    kept: int = 0
    discarded: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    facts: Facts
    discarded: bool
    dup_decision_id: int | None


def read_states(conn: Connection, ids: Iterable[int]) -> dict[int, State]:
    wanted = sorted(set(ids))
    found: dict[int, State] = {}
    for start in range(0, len(wanted), CHUNK):
        query = sa.select(
            FILE.c.id,
            FILE.c.effective_utc,
            FILE.c.effective_local,
            FILE.c.effective_offset_minutes,
            FILE.c.effective_confidence,
            FILE.c.date_decision_id,
            FILE.c.gps_latitude,
            FILE.c.gps_longitude,
            FILE.c.make,
            FILE.c.model,
            FILE.c.discarded,
            FILE.c.dup_decision_id,
        ).where(FILE.c.id.in_(wanted[start : start + CHUNK]))
        for r in conn.execute(query):
            facts = Facts(
                file_id=int(r.id),
                effective_utc=r.effective_utc,
                effective_local=r.effective_local,
                effective_offset_minutes=r.effective_offset_minutes,
                effective_confidence=Confidence(r.effective_confidence or Confidence.NONE),
                date_decided=r.date_decision_id is not None,
                gps_latitude=r.gps_latitude,
                gps_longitude=r.gps_longitude,
                make=r.make,
                model=r.model,
            )
            found[facts.file_id] = State(facts, bool(r.discarded), r.dup_decision_id)
    return found


def write_batch(conn: Connection, decision: int, batch: Batch) -> None:
    by_field: dict[str, list[FieldChange]] = {}
    for change in batch.files:
        by_field.setdefault(change.field, []).append(change)
    for name, changes in by_field.items():
        column = FILE.c[name]
        conn.execute(
            FILE.update()
            .where(FILE.c.id == sa.bindparam("fid"))
            .values({name: sa.bindparam("v", type_=column.type)}),
            [{"fid": c.file_id, "v": c.new} for c in changes],
        )
    if batch.groups:
        conn.execute(
            GROUP.update().where(GROUP.c.id == sa.bindparam("gid")).values(decision_id=decision),
            [{"gid": g} for g, _ in batch.groups],
        )
    rows = [
        {
            "decision_id": decision,
            "file_id": c.file_id,
            "group_id": None,
            "field": c.field,
            "old_value": encode(c.old),
            "new_value": encode(c.new),
        }
        for c in batch.files
    ] + [
        {
            "decision_id": decision,
            "file_id": None,
            "group_id": g,
            "field": "decision_id",
            "old_value": encode(old),
            "new_value": encode(decision),
        }
        for g, old in batch.groups
    ]
    if rows:
        conn.execute(CHANGE.insert(), rows)
    known = (
        {
            (a, b)
            for a, b in conn.execute(
                sa.select(NOTDUP.c.sha_a, NOTDUP.c.sha_b).where(
                    NOTDUP.c.sha_a.in_([a for a, _ in batch.pairs])
                )
            )
        }
        if batch.pairs
        else set()
    )
    fresh = [{"sha_a": a, "sha_b": b, "decision_id": decision} for a, b in batch.pairs - known]
    if fresh:
        conn.execute(NOTDUP.insert(), fresh)


def revert(conn: Connection, decision: int) -> int:
    """Put back the old values the decision changed; returns how many had changed since."""
    changes = conn.execute(
        sa.select(CHANGE).where(CHANGE.c.decision_id == decision).order_by(CHANGE.c.id.desc())
    ).all()
    skipped = 0
    by_field: dict[str, list[sa.Row[*tuple[Any, ...]]]] = {}
    for c in changes:
        by_field.setdefault(("group." if c.group_id is not None else "") + c.field, []).append(c)
    for name, rows in by_field.items():
        table, key = (GROUP, "group_id") if name.startswith("group.") else (FILE, "file_id")
        column = table.c[name.removeprefix("group.")]
        ids = [int(getattr(r, key)) for r in rows]
        current: dict[int, object] = {}
        for start in range(0, len(ids), CHUNK):
            query = sa.select(table.c.id, column).where(table.c.id.in_(ids[start : start + CHUNK]))
            current.update({int(i): v for i, v in conn.execute(query)})
        back = []
        for r in rows:
            target = int(getattr(r, key))
            if target not in current:
                continue  # the group is gone since: nothing to put back
            if encode(current[target]) != r.new_value:
                skipped += 1
                continue
            back.append({"tid": target, "v": decode(column.name, r.old_value)})
        if back:
            conn.execute(
                table.update()
                .where(table.c.id == sa.bindparam("tid"))
                .values({column.name: sa.bindparam("v", type_=column.type)}),
                back,
            )
    return skipped
