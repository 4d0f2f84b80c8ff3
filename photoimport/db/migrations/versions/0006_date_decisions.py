"""date review: DateAction and DateDecision tables, File.capture_disputed, File.camera_serial

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00

A ``DateAction`` is what a person did once (set, pick, accept, shift, zone, align, suggested
offset, fill); each photo it changed has a ``DateDecision`` with the effective value before and
after, so one decision or a whole action can be undone. ``File.capture_disputed`` caches whether
a MEDIUM photo has a candidate that disagrees with the chosen one (NULL: not looked at yet;
``review.queue`` fills it); ``File.camera_serial`` (EXIF BodySerialNumber) tells two bodies of
one model apart.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dateaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "datedecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("old_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("old_local", sa.String(), nullable=True),
        sa.Column("old_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("old_confidence", sa.String(8), nullable=False),
        sa.Column("old_decision_id", sa.Integer(), nullable=True),
        sa.Column("new_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_local", sa.String(), nullable=True),
        sa.Column("new_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("new_confidence", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["dateaction.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["file.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_datedecision_action_file", "datedecision", ["action_id", "file_id"])
    with op.batch_alter_table("file") as batch_op:
        batch_op.add_column(sa.Column("capture_disputed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("camera_serial", sa.String(), nullable=True))
        batch_op.create_index("ix_file_confidence_disputed", ["confidence", "capture_disputed"])
        batch_op.create_index(
            "ix_file_review_queue",
            ["effective_confidence", "capture_disputed", "variant_of", "discarded"],
        )
        batch_op.create_index("ix_file_camera", ["make", "model", "camera_serial"])


def downgrade() -> None:
    with op.batch_alter_table("file") as batch_op:
        batch_op.drop_index("ix_file_camera")
        batch_op.drop_index("ix_file_review_queue")
        batch_op.drop_index("ix_file_confidence_disputed")
        batch_op.drop_column("camera_serial")
        batch_op.drop_column("capture_disputed")
    op.drop_index("ix_datedecision_action_file", table_name="datedecision")
    op.drop_table("datedecision")
    op.drop_table("dateaction")
