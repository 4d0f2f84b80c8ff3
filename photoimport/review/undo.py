"""Undo date decisions: one photo's decision, every decision of one action, or the last action.

Undo restores each photo's effective value from the decision's ``old_*`` columns and points the
photo back at the decision before it (``old_decision_id``), in one set-based ``UPDATE ... FROM``.
Decisions stack per photo: undoing one that a later decision has overlaid would silently drop the
later one's basis, so it is refused (``UndoBlocked``) naming the later action to undo first.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from photoimport.db.claims import write_transaction
from photoimport.db.decisions import DateAction, DateDecision
from photoimport.db.models import FILE, File, utcnow
from photoimport.errors import DecisionNotFound, UndoBlocked
from photoimport.review.record import effective_values
from photoimport.review.values import ActionKind, ActionResult, ActionRow

__all__ = ["list_actions", "undo_action", "undo_decision", "undo_last"]

ACTION: sa.Table = DateAction.__table__  # type: ignore[attr-defined]
DECISION: sa.Table = DateDecision.__table__  # type: ignore[attr-defined]


def _undo(conn: sa.Connection, scope: sa.ColumnElement[bool], what: str, kind: ActionKind) -> int:
    d = DECISION.c
    active = sa.and_(scope, d.undone_at.is_(None))
    blocked = conn.execute(
        sa.select(col(DateDecision.action_id), col(File.date_decision_id))
        .select_from(DECISION.join(FILE, FILE.c.id == d.file_id))
        .where(
            active, sa.or_(col(File.date_decision_id).is_(None), col(File.date_decision_id) != d.id)
        )
        .limit(1)
    ).first()
    if blocked is not None:
        later = conn.execute(sa.select(d.action_id).where(d.id == blocked[1])).scalar_one_or_none()
        raise UndoBlocked(
            f"cannot undo {what}: a later decision (action {later}) changed the same photos; "
            f"undo action {later} first"
        )
    changed = conn.execute(
        sa.update(File)
        .where(col(File.id) == d.file_id, active)
        .values(
            **effective_values(
                kind,
                d.old_utc,
                d.old_local,
                d.old_offset_minutes,
                d.old_confidence,
                d.old_decision_id,
            )
        )
    ).rowcount
    now = utcnow()
    conn.execute(DECISION.update().where(active).values(undone_at=now))
    still = sa.select(sa.literal(1)).where(d.action_id == ACTION.c.id, d.undone_at.is_(None))
    conn.execute(
        ACTION.update()
        .where(ACTION.c.undone_at.is_(None), ~sa.exists(still))
        .where(ACTION.c.id.in_(sa.select(d.action_id).where(scope)))
        .values(undone_at=now)
    )
    return int(changed)


def undo_decision(engine: Engine, decision_id: int) -> ActionResult:
    """Undo one photo's decision."""
    with write_transaction(engine) as conn:
        found = conn.execute(
            sa.select(DECISION.c.action_id, DECISION.c.file_id).where(
                DECISION.c.id == decision_id, DECISION.c.undone_at.is_(None)
            )
        ).first()
        if found is None:
            raise DecisionNotFound(f"no decision number {decision_id} to undo")
        what = f"decision {decision_id} (photo {found.file_id})"
        kind = _kind(conn, found.action_id)
        count = _undo(conn, DECISION.c.id == decision_id, what, kind)
        return ActionResult(found.action_id, kind, f"undid {what}", count)


def undo_action(engine: Engine, action_id: int) -> ActionResult:
    """Undo every decision of action ``action_id`` still in force."""
    with write_transaction(engine) as conn:
        row = conn.execute(
            sa.select(ACTION.c.kind, ACTION.c.summary).where(
                ACTION.c.id == action_id, ACTION.c.undone_at.is_(None)
            )
        ).first()
        if row is None:
            raise DecisionNotFound(f"no action number {action_id} to undo")
        kind = ActionKind(row.kind)
        count = _undo(conn, DECISION.c.action_id == action_id, f"action {action_id}", kind)
        return ActionResult(action_id, ActionKind(row.kind), f"undid {row.summary}", count)


def undo_last(engine: Engine) -> ActionResult:
    """Undo the newest action that is still in force."""
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(sa.func.max(ACTION.c.id)).where(ACTION.c.undone_at.is_(None))
        ).scalar_one_or_none()
    if last is None:
        raise DecisionNotFound("there is no date decision to undo")
    return undo_action(engine, int(last))


def _kind(conn: sa.Connection, action_id: int) -> ActionKind:
    kind = conn.execute(sa.select(ACTION.c.kind).where(ACTION.c.id == action_id)).scalar_one()
    return ActionKind(kind)


def list_actions(engine: Engine, limit: int = 50) -> list[ActionRow]:
    """The newest actions, undone ones included (they say when)."""
    query = sa.select(ACTION).order_by(ACTION.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = [r._mapping for r in conn.execute(query).all()]
    return [
        ActionRow(
            m["id"],
            ActionKind(m["kind"]),
            m["summary"],
            m["count"],
            m["created_at"],
            m["undone_at"],
        )
        for m in rows
    ]
