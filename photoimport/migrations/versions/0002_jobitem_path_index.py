"""job items: index (job_id, state, path) so a job's errors come back sorted from the index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 06:25:00

``job_errors`` lists a job's ERROR items ordered by path. With (job_id, state) alone SQLite sorted
every matching row: 115 ms on a 100,000-item job with no error at all; with the path in the index
it is 0.4 ms. The new index starts with the old one's columns, so the old one goes.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobitem") as batch_op:
        batch_op.create_index("ix_jobitem_job_state_path", ["job_id", "state", "path"])
        batch_op.drop_index("ix_jobitem_job_state")


def downgrade() -> None:
    with op.batch_alter_table("jobitem") as batch_op:
        batch_op.create_index("ix_jobitem_job_state", ["job_id", "state"])
        batch_op.drop_index("ix_jobitem_job_state_path")
