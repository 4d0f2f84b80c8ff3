"""files: what issue 11 reads from RAW, video, Live Photos and sidecars

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:45:00

* ``duration_seconds``: a video's length.
* ``content_id``: the Apple Live Photo identifier of a still or of its motion part (indexed:
  the two halves find each other through it, across jobs).
* ``preview_error``: why a file has no picture (broken pixels, a RAW without preview); the file
  keeps its facts, this is a warning.
* ``sidecars_json``: the XMP / Takeout sidecar paths read for the file (JSON list).
* ``variant_count`` / ``is_live``: on a primary, how many variants point to it and whether one is
  a Live Photo's motion part (the gallery shows them without a join).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("file") as batch_op:
        batch_op.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("content_id", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("preview_error", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("sidecars_json", sa.String(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("variant_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("is_live", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_file_content_id", ["content_id"])


def downgrade() -> None:
    with op.batch_alter_table("file") as batch_op:
        batch_op.drop_index("ix_file_content_id")
        for column in (
            "duration_seconds",
            "content_id",
            "preview_error",
            "sidecars_json",
            "variant_count",
            "is_live",
        ):
            batch_op.drop_column(column)
