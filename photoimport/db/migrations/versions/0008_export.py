"""export: export items, the export request on its job

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:50:00

Issue 14. An export job (kind EXPORT) keeps what it was asked (``job.export_json``: destination,
templates, selection, options) and one ``exportitem`` per file: which library file goes to which
relative target, claimed under a lease and ended exactly once like an import's items.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = sa.DateTime(timezone=True)
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("export_json", sa.String(), nullable=True))
    op.create_table(
        "exportitem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("job.id"), nullable=False),
        sa.Column("file_id", sa.Integer(), sa.ForeignKey("file.id"), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("renamed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lease_owner", sa.String(), nullable=True),
        sa.Column("lease_expires_at", utc, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(16), nullable=True),
        sa.Column("copy_sha256", sa.String(64), nullable=True),
        sa.Column("error_stage", sa.String(), nullable=True),
        sa.Column("error_reason", sa.String(), nullable=True),
        sa.Column("finished_at", utc, nullable=True),
        sa.UniqueConstraint("job_id", "target", name="uq_exportitem_job_target"),
    )
    op.create_index("ix_exportitem_job_state", "exportitem", ["job_id", "state"])
    op.create_index("ix_exportitem_file_id", "exportitem", ["file_id"])


def downgrade() -> None:
    op.drop_index("ix_exportitem_file_id", table_name="exportitem")
    op.drop_index("ix_exportitem_job_state", table_name="exportitem")
    op.drop_table("exportitem")
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("export_json")
