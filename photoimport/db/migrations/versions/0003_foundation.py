"""files: kind, variants, effective capture time, discarded; jobs: owner

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:00:00

The shared ground of review, duplicates, export and demo mode (DESIGN.md "Facts, decisions,
effective values"): the detected capture_* columns stay the facts; effective_* start equal to
them (copied here for existing rows) and only decisions change them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = sa.DateTime(timezone=True)
    with op.batch_alter_table("file") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="photo"))
        batch_op.add_column(sa.Column("variant_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("effective_utc", utc, nullable=True))
        batch_op.add_column(sa.Column("effective_local", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("effective_offset_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("effective_confidence", sa.String(8), nullable=False, server_default="NONE")
        )
        batch_op.add_column(sa.Column("date_decision_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("discarded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("dup_decision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_file_variant_of", "file", ["variant_of"], ["id"])
        batch_op.create_index("ix_file_kind", ["kind"])
        batch_op.create_index("ix_file_variant_of", ["variant_of"])
        batch_op.create_index("ix_file_effective_utc", ["effective_utc"])
        batch_op.create_index("ix_file_effective_confidence", ["effective_confidence"])
        batch_op.create_index("ix_file_discarded", ["discarded"])
    op.execute(
        "UPDATE file SET effective_utc = capture_utc, effective_local = capture_local, "
        "effective_offset_minutes = capture_offset_minutes, effective_confidence = confidence"
    )
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(), nullable=True))
        batch_op.create_index("ix_job_owner", ["owner"])


def downgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_index("ix_job_owner")
        batch_op.drop_column("owner")
    with op.batch_alter_table("file") as batch_op:
        for index in ("kind", "variant_of", "effective_utc", "effective_confidence", "discarded"):
            batch_op.drop_index(f"ix_file_{index}")
        batch_op.drop_constraint("fk_file_variant_of", type_="foreignkey")
        for column in (
            "kind",
            "variant_of",
            "effective_utc",
            "effective_local",
            "effective_offset_minutes",
            "effective_confidence",
            "date_decision_id",
            "discarded",
            "dup_decision_id",
        ):
            batch_op.drop_column(column)
