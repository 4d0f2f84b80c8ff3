"""duplicates: group rows, decisions with their changes, "not duplicates" pairs, keep rules

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:50:00

Issue 13. ``dupgroup``/``dupmember`` are the library's duplicate groups, kept in step after
each job so the Duplicates page pages through them by index (``dupgroupjob``: which jobs saw
a member, for the job filter). ``dupdecision`` is one resolution
(one group, or every group of a filter by the rules); ``dupchange`` holds every value it
changed, old and new, for undo. ``notduplicate`` remembers two contents (by SHA-256) a person
said are not duplicates. ``duprules`` is the saved keep-best order.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = sa.DateTime(timezone=True)
    op.create_table(
        "dupgroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("newest_utc", utc, nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key", name="uq_dupgroup_kind_key"),
    )
    with op.batch_alter_table("dupgroup") as batch_op:
        batch_op.create_index("ix_dupgroup_state_size", ["decision_id", "size", "id"])
        batch_op.create_index("ix_dupgroup_state_kind_size", ["decision_id", "kind", "size", "id"])
        batch_op.create_index("ix_dupgroup_state_newest", ["decision_id", "newest_utc", "id"])
        batch_op.create_index(
            "ix_dupgroup_state_kind_newest", ["decision_id", "kind", "newest_utc", "id"]
        )
    op.create_table(
        "dupmember",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["dupgroup.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["file.id"]),
        sa.PrimaryKeyConstraint("group_id", "file_id"),
    )
    with op.batch_alter_table("dupmember") as batch_op:
        batch_op.create_index("ix_dupmember_file_id", ["file_id"])
    op.create_table(
        "dupgroupjob",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["dupgroup.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"]),
        sa.PrimaryKeyConstraint("group_id", "job_id"),
    )
    with op.batch_alter_table("dupgroupjob") as batch_op:
        batch_op.create_index("ix_dupgroupjob_job_group", ["job_id", "group_id"])
    op.create_table(
        "dupdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("rules", sa.String(), nullable=True),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("undone_at", utc, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dupdecision") as batch_op:
        batch_op.create_index("ix_dupdecision_created_at", ["created_at"])
    op.create_table(
        "dupchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.String(), nullable=True),
        sa.Column("new_value", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["dupdecision.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["file.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dupchange") as batch_op:
        batch_op.create_index("ix_dupchange_decision_id", ["decision_id"])
        batch_op.create_index("ix_dupchange_file_id", ["file_id"])
    op.create_table(
        "notduplicate",
        sa.Column("sha_a", sa.String(64), nullable=False),
        sa.Column("sha_b", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["dupdecision.id"]),
        sa.PrimaryKeyConstraint("sha_a", "sha_b"),
    )
    with op.batch_alter_table("notduplicate") as batch_op:
        batch_op.create_index("ix_notduplicate_decision_id", ["decision_id"])
    op.create_table(
        "duprules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_order", sa.String(), nullable=False),
        sa.Column("preferred_folders", sa.String(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for table in (
        "duprules",
        "notduplicate",
        "dupchange",
        "dupdecision",
        "dupgroupjob",
        "dupmember",
        "dupgroup",
    ):
        op.drop_table(table)
