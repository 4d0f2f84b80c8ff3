"""Where a kept photo's discarded copies were: the paths the photo page lists under it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from photoimport.db.decisions import DupMember
from photoimport.db.models import FILE, ITEM

__all__ = ["copy_paths"]

MEMBER: sa.Table = DupMember.__table__  # type: ignore[attr-defined]


def copy_paths(engine: Engine, file_id: int) -> list[str]:
    """Paths of the photos discarded in favour of ``file_id`` (same group, same decision)."""
    mine, theirs = MEMBER.alias("mine"), MEMBER.alias("theirs")
    decision = sa.select(FILE.c.dup_decision_id).where(FILE.c.id == file_id).scalar_subquery()
    query = (
        sa.select(ITEM.c.path)
        .select_from(
            mine.join(theirs, theirs.c.group_id == mine.c.group_id)
            .join(FILE, FILE.c.id == theirs.c.file_id)
            .join(ITEM, ITEM.c.file_id == FILE.c.id)
        )
        .where(
            mine.c.file_id == file_id,
            FILE.c.id != file_id,
            FILE.c.discarded.is_(True),
            FILE.c.dup_decision_id == decision,
        )
        .distinct()
        .order_by(ITEM.c.path)
    )
    with engine.connect() as conn:
        return [str(p) for p in conn.execute(query).scalars()]
