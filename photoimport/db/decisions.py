"""The decision tables: what people decided over the detected facts (DESIGN.md "Facts,
decisions, effective values"). Date review (issue 12): ``DateAction`` and ``DateDecision``.
Duplicate resolution (issue 13): groups, their members, decisions, the changes they made,
"not duplicates" pairs and the keep-best rules. Each decision keeps its old and new values and
can be undone; an import never writes these tables.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from photoimport.db.models import UTCDateTime, utcnow

__all__ = [
    "DateAction",
    "DateDecision",
    "DupChange",
    "DupDecision",
    "DupGroup",
    "DupGroupJob",
    "DupMember",
    "DupRules",
    "NotDuplicate",
]


# --- issue 12: date review ---
class DateAction(SQLModel, table=True):
    """What a person did once to the dates of one or many photos (undo works on it)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(24))  # review.values.ActionKind
    summary: str  # in plain words, e.g. "shift camera Canon EOS 80D by +01:00:00"
    count: int = 0  # photos it changed
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DateDecision(SQLModel, table=True):
    """One photo's date change: its effective value before (to undo) and after."""

    __table_args__ = (sa.Index("ix_datedecision_action_file", "action_id", "file_id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="dateaction.id")
    file_id: int = Field(foreign_key="file.id")
    old_utc: datetime | None = Field(default=None, sa_type=UTCDateTime)
    old_local: str | None = None
    old_offset_minutes: int | None = None
    old_confidence: str = Field(sa_type=sa.String(8))
    old_decision_id: int | None = None  # the decision this one overlaid (undo restores it)
    new_utc: datetime | None = Field(default=None, sa_type=UTCDateTime)
    new_local: str | None = None
    new_offset_minutes: int | None = None
    new_confidence: str = Field(sa_type=sa.String(8))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- issue 13: duplicates (groups, decisions, their changes, "not duplicates") ---


class DupGroup(SQLModel, table=True):
    """A duplicate group, kept in step with the library by ``duplicates.groups.refresh_groups``.

    ``key`` names the group across refreshes: the file id for an exact group (one content under
    several paths), the smallest member id for a near group; the row (and its id) lives as long
    as the group does. ``decision_id`` is the decision that resolved it (None: to review).
    """

    __table_args__ = (
        sa.UniqueConstraint("kind", "key", name="uq_dupgroup_kind_key"),
        # the page always filters on "to review" (decision_id IS NULL) or resolved: each order
        # is an index walk within that state, so a page stops after its rows
        sa.Index("ix_dupgroup_state_size", "decision_id", "size", "id"),
        sa.Index("ix_dupgroup_state_kind_size", "decision_id", "kind", "size", "id"),
        sa.Index("ix_dupgroup_state_newest", "decision_id", "newest_utc", "id"),
        sa.Index("ix_dupgroup_state_kind_newest", "decision_id", "kind", "newest_utc", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(8))  # duplicates.values.GroupKind
    key: int
    size: int  # members (paths for an exact group)
    newest_utc: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_id: int | None = None


class DupMember(SQLModel, table=True):
    group_id: int = Field(foreign_key="dupgroup.id", primary_key=True)
    file_id: int = Field(foreign_key="file.id", primary_key=True, index=True)


class DupGroupJob(SQLModel, table=True):
    """The jobs that saw a member of a group (the Duplicates page's job filter, by index)."""

    __table_args__ = (sa.Index("ix_dupgroupjob_job_group", "job_id", "group_id"),)

    group_id: int = Field(foreign_key="dupgroup.id", primary_key=True)
    job_id: int = Field(foreign_key="job.id", primary_key=True)


class DupDecision(SQLModel, table=True):
    """One resolution a person made (one group, or every group of a filter by the rules)."""

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(sa_type=sa.String(16))  # duplicates.values.Action
    source: str = Field(sa_type=sa.String(16))  # "page", "cli"
    summary: str  # e.g. "kept 1, discarded 2 (more pixels)"
    rules: str | None = None  # the keep-best rules, in order, when they chose
    groups: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DupChange(SQLModel, table=True):
    """One value a decision changed (a File column, or a group's ``decision_id``), old and new
    as JSON, so undo restores exactly what was there."""

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="dupdecision.id", index=True)
    file_id: int | None = Field(default=None, foreign_key="file.id", index=True)
    group_id: int | None = None
    field: str = Field(sa_type=sa.String(32))
    old_value: str | None = None
    new_value: str | None = None


class NotDuplicate(SQLModel, table=True):
    """Two contents a person said are not duplicates (SHA-256, smaller first): no rescan or
    later import groups them again."""

    sha_a: str = Field(sa_type=sa.String(64), primary_key=True)
    sha_b: str = Field(sa_type=sa.String(64), primary_key=True)
    decision_id: int = Field(foreign_key="dupdecision.id", index=True)


class DupRules(SQLModel, table=True):
    """The keep-best rules the page and the CLI start with (one row)."""

    id: int = Field(default=1, primary_key=True)
    rule_order: str  # rule names, comma-separated
    preferred_folders: str = "[]"  # JSON list
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
