"""jobs: threshold_done, threshold_errors (where the error threshold counts from)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:20:00

Issue 10: a job's error threshold counts every file since the job started (or since it last
halted on the threshold and was resumed), not since the current run, so a run resumed after a
crash cannot halt on a tail of broken files that the uninterrupted run would have passed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(
            sa.Column("threshold_done", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("threshold_errors", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("threshold_errors")
        batch_op.drop_column("threshold_done")
