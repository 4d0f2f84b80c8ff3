"""A decision's changes: collected (``Batch``), written with their old and new values
(``write_batch``: ``DupChange`` rows, JSON text), and put back by undo (``revert``: only values
still as the decision left them; the others changed since and are counted, not touched)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from photoimport.db.decisions import DupChange, DupGroup, NotDuplicate
from photoimport.db.models import FILE
from photoimport.duplicates.merge import Facts, FieldChange
from photoimport.duplicates.values import Member

__all__ = ["Batch", "decode", "encode", "facts_of", "revert", "write_batch"]

GROUP: sa.Table = DupGroup.__table__  # type: ignore[attr-defined]
CHANGE: sa.Table = DupChange.__table__  # type: ignore[attr-defined]
NOTDUP: sa.Table = NotDuplicate.__table__  # type: ignore[attr-defined]
CHUNK = 500
SET_CHUNK = 5000  # ids per UPDATE: few statements, each reading its rows in id order
FLAGS = frozenset({"discarded", "dup_decision_id"})  # written by ``Batch.marked``
DATETIME_FIELDS = frozenset({"effective_utc"})


def encode(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
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
    """What one decision changes, collected before it is written.

    Every member of a decided group gets the decision's id in ``dup_decision_id``: ``marked``
    holds their ids by their new ``discarded`` value (``None``: it stays as it is). ``files``
    are the changes that get a ``DupChange`` row: what merging gives a keeper, and the flags of
    a photo that was not plain before (``mark``).
    """

    marked: dict[bool | None, list[int]] = field(
        default_factory=lambda: {True: [], False: [], None: []}
    )
    files: list[FieldChange] = field(default_factory=list)
    groups: list[tuple[int, int | None]] = field(default_factory=list)  # (group, old decision)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    kept: int = 0
    discarded: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    def mark(self, m: Member, discard: bool, decision: int) -> None:
        """``m`` kept or discarded by ``decision``. A plain photo (not discarded, no decision
        yet) needs no row: undo finds it by its ``dup_decision_id`` (``revert``). Any other gets
        a row per flag that changes, so undo puts back both (a photo kept by an earlier "keep
        all" is kept again, not left discarded)."""
        new = None if discard == m.discarded else discard
        self.marked[new].append(m.file_id)
        if m.discarded or m.dup_decision_id is not None:
            if new is not None:
                self.files.append(FieldChange(m.file_id, "discarded", m.discarded, discard))
            self.files.append(
                FieldChange(m.file_id, "dup_decision_id", m.dup_decision_id, decision)
            )


def facts_of(m: Member) -> Facts:
    """What merging reads of a member (read with the group: no second query), by position in
    ``Facts``' order (one per photo of a resolve)."""
    return Facts(
        m.file_id,
        m.effective_utc,
        m.effective_local,
        m.effective_offset_minutes,
        m.confidence,  # effective_confidence
        m.date_decided,
        m.gps_latitude,
        m.gps_longitude,
        m.make,
        m.model,
    )


def write_batch(conn: Connection, decision: int, batch: Batch) -> None:
    """Write ``batch``: the flags of every marked photo a chunk of ids per statement, the merged
    values with one prepared statement per set of fields, the groups' decision, then a change
    row per value with its old one (one ``executemany``)."""
    for new, file_ids in batch.marked.items():
        values: dict[str, object] = {"dup_decision_id": decision}
        if new is not None:
            values["discarded"] = new
        _set(conn, FILE, file_ids, values)
    _write_values(conn, [c for c in batch.files if c.field not in FLAGS])
    _set(conn, GROUP, [g for g, _ in batch.groups], {"decision_id": decision})
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
        if old is not None
    ]
    if rows:
        conn.execute(CHANGE.insert(), rows)
    if batch.pairs:
        firsts = sorted({a for a, _ in batch.pairs})
        known: set[tuple[str, str]] = set()
        for start in range(0, len(firsts), CHUNK):
            query = sa.select(NOTDUP.c.sha_a, NOTDUP.c.sha_b).where(
                NOTDUP.c.sha_a.in_(firsts[start : start + CHUNK])
            )
            known.update((a, b) for a, b in conn.execute(query))
        fresh = [{"sha_a": a, "sha_b": b, "decision_id": decision} for a, b in batch.pairs - known]
        if fresh:
            conn.execute(NOTDUP.insert(), fresh)


def _write_values(conn: Connection, changes: list[FieldChange]) -> None:
    """Each photo's new values: photos with the same fields share one prepared ``UPDATE``
    (``executemany``), whatever their values."""
    per_file: dict[int, dict[str, object]] = {}
    for change in changes:
        per_file.setdefault(change.file_id, {})[change.field] = change.new
    same: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for file_id, values in per_file.items():
        params = {f"v_{name}": value for name, value in values.items()}
        same.setdefault(tuple(values), []).append({"v_id": file_id, **params})
    for names, rows in same.items():
        update = (
            FILE.update()
            .where(FILE.c.id == sa.bindparam("v_id"))
            .values({n: sa.bindparam(f"v_{n}", type_=FILE.c[n].type) for n in names})
        )
        conn.execute(update, rows)


def _set(conn: Connection, table: sa.Table, ids: list[int], values: dict[str, object]) -> None:
    """``UPDATE table SET values WHERE id IN ids``, a chunk at a time. The ids are integers
    written into the statement (a text statement compiles in microseconds; an expanding IN of
    thousands of parameters costs milliseconds to compile, per chunk)."""
    assigns = ", ".join(f"{name} = :v{n}" for n, name in enumerate(values))
    params = [
        sa.bindparam(f"v{n}", value, type_=table.c[name].type)
        for n, (name, value) in enumerate(values.items())
    ]
    ordered = sorted(ids)
    for start in range(0, len(ordered), SET_CHUNK):
        listed = ", ".join(str(int(i)) for i in ordered[start : start + SET_CHUNK])
        statement = f"UPDATE {table.name} SET {assigns} WHERE id IN ({listed})"
        conn.execute(sa.text(statement).bindparams(*params))


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
        back: dict[str | None, list[int]] = {}
        for r in rows:
            target = int(getattr(r, key))
            if target not in current:
                continue  # the group is gone since: nothing to put back
            if encode(current[target]) != r.new_value:
                skipped += 1
                continue
            back.setdefault(r.old_value, []).append(target)
        for old, targets in back.items():
            _set(conn, table, targets, {column.name: decode(column.name, old)})
    # the changes with no row (a plain photo: ``Batch.mark``; a group), where the decision's
    # id still stands
    mine = FILE.c.dup_decision_id == decision
    conn.execute(FILE.update().where(mine, FILE.c.discarded.is_(True)).values(discarded=False))
    conn.execute(FILE.update().where(mine).values(dup_decision_id=None))
    conn.execute(GROUP.update().where(GROUP.c.decision_id == decision).values(decision_id=None))
    return skipped
