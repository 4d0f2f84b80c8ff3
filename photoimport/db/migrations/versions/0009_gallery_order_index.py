"""file: the Gallery's order index (discarded, variant_of, effective_utc)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:00:00

Issue 15. The Gallery lists ``discarded = false AND variant_of IS NULL`` in effective-time
order; with those two as the leading equality columns a deep page walks this index instead of
reading every row before it.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_file_gallery_order", "file", ["discarded", "variant_of", "effective_utc"])


def downgrade() -> None:
    op.drop_index("ix_file_gallery_order", table_name="file")
