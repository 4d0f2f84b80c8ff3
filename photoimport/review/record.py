"""Write an action and its decisions, and bring ``File.effective_*`` in line, set-based.

* ``insert_derived`` writes one ``DateDecision`` per photo matching the conditions with a single
  ``INSERT ... SELECT``: the new value is the current effective value moved by a number of
  seconds (its wall clock and UTC alike, offset kept), or, for a zone change, the same wall clock
  with a new offset. The date arithmetic runs in SQL (``sqlite``: ``strftime``; PostgreSQL:
  interval arithmetic), so 50,000 photos never pass through Python.
* ``insert_values`` writes decisions computed in Python (one photo: set, pick, fill).
* ``apply_action`` then copies the new values onto the photos in one ``UPDATE ... FROM``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from photoimport.capture.parsing import format_offset
from photoimport.db.decisions import DateAction, DateDecision
from photoimport.db.models import File, UTCDateTime, utcnow
from photoimport.errors import DateDecisionError, FileNotInLibrary
from photoimport.review.values import ActionKind, ActionResult

__all__ = [
    "ACTION",
    "CURRENT",
    "DECISION",
    "Change",
    "apply_action",
    "dated",
    "decision_count",
    "effective_values",
    "insert_derived",
    "insert_values",
    "new_action",
    "read_one",
    "read_rows",
    "record_values",
]

ACTION: sa.Table = DateAction.__table__  # type: ignore[attr-defined]
DECISION: sa.Table = DateDecision.__table__  # type: ignore[attr-defined]
CURRENT = (
    col(File.id),
    col(File.name),
    col(File.effective_utc),
    col(File.effective_local),
    col(File.effective_offset_minutes),
    col(File.effective_confidence),
    col(File.date_decision_id),
)
_OLD = ("old_utc", "old_local", "old_offset_minutes", "old_confidence", "old_decision_id")
_NEW = ("new_utc", "new_local", "new_offset_minutes", "new_confidence")


@dataclass(frozen=True)
class Change:
    row: Any  # a row of CURRENT
    local: datetime  # aware new wall clock
    confidence: str


def dated() -> sa.ColumnElement[bool]:
    return sa.and_(col(File.effective_utc).is_not(None), col(File.effective_local).is_not(None))


def read_rows(conn: sa.Connection, conds: Sequence[sa.ColumnElement[bool]]) -> list[Any]:
    query = sa.select(*CURRENT).where(*conds).order_by(col(File.effective_utc), col(File.id))
    return list(conn.execute(query).all())


def read_one(conn: sa.Connection, file_id: int) -> Any:
    rows = read_rows(conn, [col(File.id) == file_id])
    if not rows:
        raise FileNotInLibrary(f"no photo with id {file_id} in the library")
    return rows[0]


def new_action(conn: sa.Connection, kind: ActionKind, summary: str, now: datetime) -> int:
    key = conn.execute(
        ACTION.insert().values(kind=kind.value, summary=summary, count=0, created_at=now)
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def _plus(dialect: str, column: Any, seconds: int, *, utc: bool) -> Any:
    """``column`` (UTC stored text / ISO local text) moved by ``seconds``, in SQL."""
    if dialect == "sqlite":
        if utc:  # stored as "YYYY-MM-DD HH:MM:SS.ffffff": keep the fraction
            moved = sa.func.strftime("%Y-%m-%d %H:%M:%S", column, f"{seconds:+d} seconds")
        else:  # ISO "YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM": keep fraction and offset
            moved = sa.func.strftime(
                "%Y-%m-%dT%H:%M:%S", sa.func.substr(column, 1, 19), f"{seconds:+d} seconds"
            )
        return moved.op("||")(sa.func.substr(column, 20))
    if utc:
        return column + sa.literal(timedelta(seconds=seconds), sa.Interval)
    wall = sa.cast(sa.func.substr(column, 1, 19), sa.DateTime) + sa.literal(
        timedelta(seconds=seconds), sa.Interval
    )
    return sa.func.to_char(wall, 'YYYY-MM-DD"T"HH24:MI:SS').op("||")(sa.func.substr(column, 20))


def insert_derived(
    conn: sa.Connection,
    action_id: int,
    now: datetime,
    conds: Sequence[sa.ColumnElement[bool]],
    *,
    seconds: int = 0,
    new_offset: int | None = None,
    confidence: str | None = None,
) -> None:
    """Decisions for the dated photos matching ``conds`` (``decision_count`` says how many).

    ``seconds`` moves the UTC time; without ``new_offset`` the wall clock moves with it (a
    shift), with it the wall clock stays and only its offset text changes (a zone change).
    """
    dialect = conn.dialect.name
    local = col(File.effective_local)
    if new_offset is None:
        new_local = _plus(dialect, local, seconds, utc=False)
        offset: Any = col(File.effective_offset_minutes)
    else:
        keep = sa.func.substr(local, 1, sa.func.length(local) - 6)  # drop "+HH:MM"
        new_local = keep.op("||")(format_offset(timedelta(minutes=new_offset)))
        offset = sa.literal(new_offset)
    query = sa.select(
        sa.literal(action_id),
        col(File.id),
        col(File.effective_utc),
        local,
        col(File.effective_offset_minutes),
        col(File.effective_confidence),
        col(File.date_decision_id),
        _plus(dialect, col(File.effective_utc), seconds, utc=True)
        if seconds
        else col(File.effective_utc),
        new_local if seconds or new_offset is not None else local,
        offset,
        sa.literal(confidence) if confidence else col(File.effective_confidence),
        sa.literal(now, UTCDateTime),
    ).where(*conds, dated())
    names = ["action_id", "file_id", *_OLD, *_NEW, "created_at"]
    conn.execute(DECISION.insert().from_select(names, query))


def insert_values(conn: sa.Connection, action_id: int, now: datetime, changes: list[Change]) -> int:
    conn.execute(
        DECISION.insert(),
        [
            {
                "action_id": action_id,
                "file_id": c.row.id,
                "old_utc": c.row.effective_utc,
                "old_local": c.row.effective_local,
                "old_offset_minutes": c.row.effective_offset_minutes,
                "old_confidence": c.row.effective_confidence,
                "old_decision_id": c.row.date_decision_id,
                "new_utc": c.local.astimezone(UTC),
                "new_local": c.local.isoformat(),
                "new_offset_minutes": _minutes(c.local),
                "new_confidence": c.confidence,
                "created_at": now,
            }
            for c in changes
        ],
    )
    return len(changes)


def _minutes(when: datetime) -> int:
    offset = when.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def effective_values(
    kind: ActionKind, utc: Any, local: Any, offset: Any, confidence: Any, decision: Any
) -> dict[str, Any]:
    """The ``File`` columns an action of ``kind`` changes (or its undo restores). A column left
    out of the SET list spares SQLite its index updates: a shift keeps the confidence, an
    accept keeps the time."""
    values: dict[str, Any] = {"date_decision_id": decision}
    if kind is not ActionKind.ACCEPT:
        values.update(effective_utc=utc, effective_local=local, effective_offset_minutes=offset)
    if kind.confirms:
        values["effective_confidence"] = confidence
    return values


def decision_count(conn: sa.Connection, action_id: int) -> int:
    """How many decisions action ``action_id`` has (psycopg reports no rowcount for INSERT ...
    SELECT, so the table is asked)."""
    total = sa.select(sa.func.count()).where(DECISION.c.action_id == action_id)
    return int(conn.execute(total).scalar_one())


def apply_action(
    conn: sa.Connection, action_id: int, kind: ActionKind, summary: str
) -> ActionResult:
    """Copy the action's new values onto its photos; refuse an action that changed nothing."""
    count = decision_count(conn, action_id)
    if count == 0:
        raise DateDecisionError(f"nothing to change: {summary}")
    d = DECISION.c
    conn.execute(
        sa.update(File)
        .where(col(File.id) == d.file_id, d.action_id == action_id)
        .values(
            **effective_values(
                kind, d.new_utc, d.new_local, d.new_offset_minutes, d.new_confidence, d.id
            )
        )
    )
    conn.execute(
        ACTION.update().where(ACTION.c.id == action_id).values(count=count, summary=summary)
    )
    return ActionResult(action_id=action_id, kind=kind, summary=summary, count=count)


def record_values(
    conn: sa.Connection, kind: ActionKind, summary: str, changes: list[Change]
) -> ActionResult:
    """An action whose new values were computed in Python (one photo, a few photos)."""
    now = utcnow()
    action_id = new_action(conn, kind, summary, now)
    insert_values(conn, action_id, now, changes)
    return apply_action(conn, action_id, kind, summary)
